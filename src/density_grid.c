/*
 * density_grid.c — the minqing.density_grid type (SPEC §3): validation,
 * text (a JSON object) and binary I/O, grid_cells() and grid_info().
 * kde()'s final function (density_final.c) builds values with
 * mq_density_grid_write.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "density.h"
#include "geom.h"
#include "result.h"
#include "state.h"


/* ---------------------------------------------------------------------
 * density_grid type: validation, text and binary I/O
 * ------------------------------------------------------------------- */
static void
GridRead(const char *p, Size size, DensityGrid *dg)
{
	if (size < DG_HDR || ((const uint8 *) p)[4] != DG_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid density_grid value"),
				 errdetail("%zu bytes, format version %d, expected %d.", size,
						   size >= 5 ? ((const uint8 *) p)[4] : -1, DG_VERSION)));
	dg->flags = ((const uint8 *) p)[5];
	dg->srid = mq_get_i32(p + 8);
	dg->ncells = mq_get_i32(p + 12);
	dg->cell_size = mq_get_f8(p + 16);
	dg->bandwidth = mq_get_f8(p + 24);
	dg->lon0 = mq_get_f8(p + 32);
	dg->lat0 = mq_get_f8(p + 40);
	dg->points = mq_get_i64(p + 48);
	dg->weight = mq_get_f8(p + 56);
	dg->cells = p + DG_HDR;
	if (dg->ncells < 0 || (Size) DG_HDR + (Size) dg->ncells * 16 != size ||
		!(dg->cell_size > 0) || isinf(dg->cell_size) ||
		!(dg->bandwidth > 0) || isinf(dg->bandwidth) ||
		!(fabs(dg->lon0) <= 180) || !(fabs(dg->lat0) <= 90))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid density_grid value"),
				 errdetail("Inconsistent header: %d cells in %zu bytes.", dg->ncells, size)));
}

bytea *
mq_density_grid_alloc(const DensityGrid *dg, const char *fname)
{
	bytea	   *res;
	char	   *rp;

	if ((double) dg->ncells * 16 + DG_HDR > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: grid of %d non-zero cells exceeds the 1 GB limit", fname, dg->ncells),
				 errhint("Use a larger cell size.")));
	res = (bytea *) palloc0(DG_HDR + (Size) dg->ncells * 16);
	SET_VARSIZE(res, DG_HDR + (Size) dg->ncells * 16);
	rp = (char *) res;
	rp[4] = DG_VERSION;
	rp[5] = (char) dg->flags;
	mq_put_i32(rp + 8, dg->srid);
	mq_put_i32(rp + 12, dg->ncells);
	mq_put_f8(rp + 16, dg->cell_size);
	mq_put_f8(rp + 24, dg->bandwidth);
	mq_put_f8(rp + 32, dg->lon0);
	mq_put_f8(rp + 40, dg->lat0);
	mq_put_i64(rp + 48, dg->points);
	mq_put_f8(rp + 56, dg->weight);
	return res;
}

/* the PROJ string of a geographic grid's local transverse Mercator */
static void
AppendTmString(StringInfo buf, const DensityGrid *dg)
{
	MqTM		tm;

	mq_tm_init(&tm, dg->lon0, dg->lat0);
	appendStringInfoString(buf, mq_tm_proj_string(&tm));
}

PG_FUNCTION_INFO_V1(density_grid_out);
Datum
density_grid_out(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	DensityGrid dg;
	StringInfoData buf;

	GridRead((const char *) b, VARSIZE(b), &dg);
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"srid\": %d, \"cell_size\": %.17g, \"bandwidth\": %.17g, ",
					 DG_VERSION, dg.srid, dg.cell_size, dg.bandwidth);
	if (dg.flags & DG_F_GEO)
	{
		appendStringInfo(&buf, "\"units\": \"m\", \"lon_0\": %.17g, \"lat_0\": %.17g, \"projection\": \"",
						 dg.lon0, dg.lat0);
		AppendTmString(&buf, &dg);
		appendStringInfoString(&buf, "\", ");
	}
	else
		appendStringInfoString(&buf, "\"units\": \"crs\", \"projection\": null, ");
	appendStringInfo(&buf, "\"weighted\": %s, \"points\": " INT64_FORMAT ", \"weight\": %.17g, \"cells\": [",
					 (dg.flags & DG_F_WEIGHTED) ? "true" : "false", dg.points, dg.weight);
	for (int32 k = 0; k < dg.ncells; k++)
	{
		const char *c = dg.cells + (Size) k * 16;

		appendStringInfo(&buf, "%s[%d, %d, %.17g]", k ? ", " : "",
						 mq_get_i32(c), mq_get_i32(c + 4), mq_get_f8(c + 8));
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_CSTRING(buf.data);
}

/* ---- a small parser for the text form written above ---- */
typedef struct GridParser
{
	const char *p;
	const char *input;
} GridParser;

static void pg_attribute_noreturn()
GridSyntax(GridParser *gp, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type minqing.density_grid: %s", what),
			 errdetail("At character %d of \"%.60s\".", (int) (gp->p - gp->input) + 1, gp->input),
			 errhint("Use the text form density_grid's output produces (a JSON object).")));
}

static void
GpSpace(GridParser *gp)
{
	while (*gp->p == ' ' || *gp->p == '\t' || *gp->p == '\n' || *gp->p == '\r')
		gp->p++;
}

static bool
GpChar(GridParser *gp, char ch)
{
	GpSpace(gp);
	if (*gp->p == ch)
	{
		gp->p++;
		return true;
	}
	return false;
}

static void
GpExpect(GridParser *gp, char ch)
{
	char		msg[32];

	if (!GpChar(gp, ch))
	{
		snprintf(msg, sizeof(msg), "expected \"%c\"", ch);
		GridSyntax(gp, msg);
	}
}

static double
GpNumber(GridParser *gp)
{
	char	   *end;
	double		v;

	GpSpace(gp);
	errno = 0;
	v = strtod(gp->p, &end);
	if (end == gp->p || errno == ERANGE || isnan(v) || isinf(v))
		GridSyntax(gp, "expected a finite number");
	gp->p = end;
	return v;
}

/* a JSON string without escapes; returns a palloc'd copy */
static char *
GpString(GridParser *gp)
{
	const char *start;

	GpExpect(gp, '"');
	start = gp->p;
	while (*gp->p && *gp->p != '"')
	{
		if (*gp->p == '\\')
			GridSyntax(gp, "escapes are not supported");
		gp->p++;
	}
	if (*gp->p != '"')
		GridSyntax(gp, "unterminated string");
	gp->p++;
	return pnstrdup(start, gp->p - start - 1);
}

static bool
GpWord(GridParser *gp, const char *w)
{
	GpSpace(gp);
	if (strncmp(gp->p, w, strlen(w)) == 0)
	{
		gp->p += strlen(w);
		return true;
	}
	return false;
}

static int32
GpInt(GridParser *gp)
{
	double		v = GpNumber(gp);

	if (v != floor(v) || v < PG_INT32_MIN || v > PG_INT32_MAX)
		GridSyntax(gp, "expected an integer");
	return (int32) v;
}

PG_FUNCTION_INFO_V1(density_grid_in);
Datum
density_grid_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	GridParser	gp = {str, str};
	DensityGrid dg;
	StringInfoData cells;
	bool		have_version = false,
				have_cells = false;
	bytea	   *res;
	char	   *rp;

	memset(&dg, 0, sizeof(dg));
	initStringInfo(&cells);
	GpExpect(&gp, '{');
	if (!GpChar(&gp, '}'))
	{
		do
		{
			char	   *key = GpString(&gp);

			GpExpect(&gp, ':');
			if (strcmp(key, "version") == 0)
			{
				if (GpInt(&gp) != DG_VERSION)
					GridSyntax(&gp, "unsupported version");
				have_version = true;
			}
			else if (strcmp(key, "srid") == 0)
				dg.srid = GpInt(&gp);
			else if (strcmp(key, "cell_size") == 0)
				dg.cell_size = GpNumber(&gp);
			else if (strcmp(key, "bandwidth") == 0)
				dg.bandwidth = GpNumber(&gp);
			else if (strcmp(key, "lon_0") == 0)
			{
				dg.lon0 = GpNumber(&gp);
				dg.flags |= DG_F_GEO;
			}
			else if (strcmp(key, "lat_0") == 0)
			{
				dg.lat0 = GpNumber(&gp);
				dg.flags |= DG_F_GEO;
			}
			else if (strcmp(key, "points") == 0)
			{
				double		v = GpNumber(&gp);

				if (v < 0 || v != floor(v) || v > 9e18)
					GridSyntax(&gp, "points must be a non-negative integer");
				dg.points = (int64) v;
			}
			else if (strcmp(key, "weight") == 0)
				dg.weight = GpNumber(&gp);
			else if (strcmp(key, "weighted") == 0)
			{
				if (GpWord(&gp, "true"))
					dg.flags |= DG_F_WEIGHTED;
				else if (!GpWord(&gp, "false"))
					GridSyntax(&gp, "expected true or false");
			}
			else if (strcmp(key, "units") == 0 || strcmp(key, "projection") == 0)
			{
				/* derived from lon_0 / lat_0; accepted and ignored */
				if (!GpWord(&gp, "null"))
					(void) GpString(&gp);
			}
			else if (strcmp(key, "cells") == 0)
			{
				GpExpect(&gp, '[');
				if (!GpChar(&gp, ']'))
				{
					do
					{
						char		c[16];
						double		v;

						GpExpect(&gp, '[');
						mq_put_i32(c, GpInt(&gp));
						GpExpect(&gp, ',');
						mq_put_i32(c + 4, GpInt(&gp));
						GpExpect(&gp, ',');
						v = GpNumber(&gp);
						if (!(v > 0))
							GridSyntax(&gp, "cell values must be positive");
						mq_put_f8(c + 8, v);
						GpExpect(&gp, ']');
						appendBinaryStringInfo(&cells, c, 16);
						dg.ncells++;
						if (dg.ncells % 1024 == 0)
							CHECK_FOR_INTERRUPTS();
					} while (GpChar(&gp, ','));
					GpExpect(&gp, ']');
				}
				have_cells = true;
			}
			else
				GridSyntax(&gp, "unknown key");
		} while (GpChar(&gp, ','));
		GpExpect(&gp, '}');
	}
	GpSpace(&gp);
	if (*gp.p != '\0')
		GridSyntax(&gp, "trailing characters");
	if (!have_version || !have_cells || !(dg.cell_size > 0) || !(dg.bandwidth > 0))
		GridSyntax(&gp, "version, cell_size, bandwidth and cells are required");

	res = mq_density_grid_alloc(&dg, "density_grid_in");
	rp = (char *) res;
	memcpy(rp + DG_HDR, cells.data, cells.len);
	GridRead(rp, VARSIZE(res), &dg);	/* validate */
	PG_RETURN_POINTER(res);
}

PG_FUNCTION_INFO_V1(density_grid_send);
Datum
density_grid_send(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA(b), VARSIZE(b) - VARHDRSZ);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(density_grid_recv);
Datum
density_grid_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	bytea	   *res;
	DensityGrid dg;

	if (len < DG_HDR - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid density_grid value"),
				 errdetail("%d bytes is shorter than the header.", len)));
	res = (bytea *) palloc(VARHDRSZ + len);
	SET_VARSIZE(res, VARHDRSZ + len);
	pq_copymsgbytes(buf, VARDATA(res), len);
	GridRead((const char *) res, VARSIZE(res), &dg);
	PG_RETURN_POINTER(res);
}

/* ---------------------------------------------------------------------
 * grid_cells: cells as (i, j, value, EWKB polygon); the SQL wrapper turns
 * the EWKB into a geometry.  Geographic grids: the four corners of each
 * metric cell are taken back to longitude/latitude by the inverse of the
 * grid's transverse Mercator.
 * ------------------------------------------------------------------- */
#define EWKB_POLY_SIZE (1 + 4 + 4 + 4 + 4 + 5 * 16)

static bytea *
CellEwkb(const DensityGrid *dg, const MqTM *tm, int32 i, int32 j)
{
	bytea	   *w = (bytea *) palloc(VARHDRSZ + EWKB_POLY_SIZE);
	char	   *p = VARDATA(w);
	double		xs[5],
				ys[5];
	double		s = dg->cell_size;
	uint32		u;

	SET_VARSIZE(w, VARHDRSZ + EWKB_POLY_SIZE);
	xs[0] = xs[3] = xs[4] = i * s;
	xs[1] = xs[2] = (i + 1.0) * s;
	ys[0] = ys[1] = ys[4] = j * s;
	ys[2] = ys[3] = (j + 1.0) * s;
	/* counter-clockwise: (x0,y0) (x1,y0) (x1,y1) (x0,y1) */
	if (tm)
		for (int k = 0; k < 4; k++)
			mq_tm_inverse(tm, xs[k], ys[k], &xs[k], &ys[k]);
	if (tm)
	{
		xs[4] = xs[0];
		ys[4] = ys[0];
	}
	p[0] = 1;					/* little-endian WKB */
	u = 3 | 0x20000000;			/* polygon with SRID */
	mq_put_i32(p + 1, (int32) u);
	mq_put_i32(p + 5, dg->srid);
	mq_put_i32(p + 9, 1);
	mq_put_i32(p + 13, 5);
	for (int k = 0; k < 5; k++)
	{
		mq_put_f8(p + 17 + 16 * k, xs[k]);
		mq_put_f8(p + 25 + 16 * k, ys[k]);
	}
	return w;
}

typedef struct GridCellsCtx
{
	DensityGrid dg;
	bool		geo;
	MqTM		tm;
} GridCellsCtx;

PG_FUNCTION_INFO_V1(grid_cells_ewkb);
Datum
grid_cells_ewkb(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	GridCellsCtx *ctx;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcxt;
		bytea	   *b;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		funcctx->tuple_desc = mq_result_desc(fcinfo);
		b = PG_GETARG_BYTEA_P_COPY(0);
		ctx = (GridCellsCtx *) palloc0(sizeof(GridCellsCtx));
		GridRead((const char *) b, VARSIZE(b), &ctx->dg);
		ctx->geo = (ctx->dg.flags & DG_F_GEO) != 0;
		if (ctx->geo)
			mq_tm_init(&ctx->tm, ctx->dg.lon0, ctx->dg.lat0);
		funcctx->user_fctx = ctx;
		funcctx->max_calls = ctx->dg.ncells;
		MemoryContextSwitchTo(oldcxt);
	}
	funcctx = SRF_PERCALL_SETUP();
	ctx = (GridCellsCtx *) funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		const char *c = ctx->dg.cells + (Size) funcctx->call_cntr * 16;
		int32		i = mq_get_i32(c),
					j = mq_get_i32(c + 4);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(i);
		values[1] = Int32GetDatum(j);
		values[2] = Float8GetDatum(mq_get_f8(c + 8));
		values[3] = PointerGetDatum(CellEwkb(&ctx->dg, ctx->geo ? &ctx->tm : NULL, i, j));
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

/*
 * grid_info(grid): the header of a density_grid as a composite, so callers
 * need not parse the text form.
 */
PG_FUNCTION_INFO_V1(grid_info);
Datum
grid_info(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	DensityGrid dg;
	Datum		values[10];
	bool		nulls[10] = {false};
	double		vmax = 0,
				vsum = 0;

	GridRead((const char *) b, VARSIZE(b), &dg);
	for (int32 k = 0; k < dg.ncells; k++)
	{
		double		v = mq_get_f8(dg.cells + (Size) k * 16 + 8);

		vmax = Max(vmax, v);
		vsum += v;
	}
	values[0] = Int32GetDatum(dg.srid);
	values[1] = Float8GetDatum(dg.cell_size);
	values[2] = Float8GetDatum(dg.bandwidth);
	if (dg.flags & DG_F_GEO)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		AppendTmString(&buf, &dg);
		values[3] = CStringGetTextDatum(buf.data);
	}
	else
		nulls[3] = true;
	values[4] = Int64GetDatum(dg.points);
	values[5] = Float8GetDatum(dg.weight);
	values[6] = Int32GetDatum(dg.ncells);
	values[7] = Float8GetDatum(vmax);
	values[8] = Float8GetDatum(vsum * dg.cell_size * dg.cell_size);
	values[9] = BoolGetDatum((dg.flags & DG_F_WEIGHTED) != 0);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/* ---------------------------------------------------------------------
 * kde_bandwidth: ArcGIS's default search radius (spatial Silverman rule)
 *   0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n^-0.2
 * SD = standard distance, Dm = median distance to the mean centre.  A
 * median needs every point, so the state keeps the points (16 bytes each,
 * appended, growing geometrically); the memory is bounded by the input.
 * Payload: srid i32 | flags i32 | n i64 | n * (x f8, y f8)
 * ------------------------------------------------------------------- */
