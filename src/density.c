/*
 * density.c — the kde() aggregate's state (SPEC §3): transition and combine
 * functions.  The final function is in density_final.c, the lattice mode in
 * density_lattice.c, the density_grid
 * type in density_grid.c, kde_bandwidth in density_bandwidth.c; density.h
 * explains the method.
 *
 * State modes:
 *  - points (until minqing.kde_exact_points points): the payload after
 *    KDE_HDR holds KDE_NUSED points, each as two int32 offsets, in quanta of
 *    <= bandwidth / 65536 (KdeQuantum), from the state's origin (KDE_OX,
 *    KDE_OY, in quanta), plus a float8 weight when weighted: 8 or 16 bytes a
 *    point.  The quantum moves the kernel by at most 2e-5 of its peak; being
 *    global, it makes the answer independent of how rows were split between
 *    workers.  A point 32768 bandwidths or more from the origin switches the
 *    state to the lattice.
 *  - lattice (KDE_F_LATTICE): a directory of 2^KDE_BITS slots, then
 *    KDE_NUSED tiles of KDE_TILE x KDE_TILE float8 node weights.  Node (a, b)
 *    sits at (a * step + o, b * step + o) with o = step / 2 when the cell
 *    holds an odd number of steps (projected input; KDE_K), o = 0 otherwise
 *    and for geographic input (step in degrees).  A state switches once,
 *    never back.  The tiles and the binning of pending points in batches
 *    are in density_lattice.c.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "density.h"
#include "geom.h"
#include "guc.h"
#include "state.h"
#include "stats.h"

/* ---------------------------------------------------------------------
 * Argument checks and lattice geometry
 * ------------------------------------------------------------------- */
/*
 * k: lattice steps per cell, the smallest with cell / k <= bandwidth / 20.
 * Also refuses, up front, a kernel footprint larger than minqing.max_cells.
 */
int32
mq_kde_lattice_k(double cell, double bw)
{
	double		k = ceil(KDE_STEPS_PER_BW * cell / bw);
	double		foot = (2.0 * floor(bw / cell) + 2.0) * (2.0 * floor(bw / cell) + 2.0);

	if (k < 1)
		k = 1;
	if (k > 1e6)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kde: cell_size is more than 50000 times the bandwidth"),
				 errdetail("cell_size %g, bandwidth %g.", cell, bw),
				 errhint("Cells far larger than the kernel sample it at a few points only; use a cell size near bandwidth / 5.")));
	/* one point alone would need this many cells */
	mq_check_cells(foot, "the kernel footprint of kde()");
	return (int32) k;
}

/*
 * The quantum of kept coordinates: a power-of-two fraction of the cell size
 * (so cell centres and corners are exact) no larger than bandwidth / 65536;
 * for geographic input a power-of-two fraction of a degree no larger than
 * that many meters.
 */
static double
KdeQuantum(double cell, double bw, bool geo)
{
	if (geo)
		return ldexp(1.0, -(int) ceil(log2(KDE_QUANTA_PER_BW * METERS_PER_DEGREE / bw)));
	return ldexp(cell, -Max(1, (int) ceil(log2(KDE_QUANTA_PER_BW * cell / bw))));
}

/* ---------------------------------------------------------------------
 * Points mode
 * ------------------------------------------------------------------- */

/*
 * Quantize (x, y) against the origin of payload `pl`: false when an offset
 * does not fit an int32 (the caller then switches to the lattice).
 */
static inline bool
KdePtQuantize(const char *pl, double x, double y, int32 *dx, int32 *dy)
{
	double		q = mq_get_f8(pl + KDE_Q);
	double		ox = rint(x / q) - mq_get_f8(pl + KDE_OX);
	double		oy = rint(y / q) - mq_get_f8(pl + KDE_OY);

	if (!(fabs(ox) <= PG_INT32_MAX && fabs(oy) <= PG_INT32_MAX))
		return false;
	*dx = (int32) ox;
	*dy = (int32) oy;
	return true;
}

/* write point k (room already reserved) */
static inline void
KdePtWrite(char *pl, int32 flags, Size k, int32 dx, int32 dy, double w)
{
	char	   *p = pl + KDE_HDR + k * KdePtSize(flags);

	mq_put_i32(p, dx);
	mq_put_i32(p + 4, dy);
	if (flags & KDE_F_WEIGHTED)
		mq_put_f8(p + 8, w);
}

/*
 * Append one point, given in quanta (X, Y: integers), to the kept points,
 * or in lattice mode to the pending points (binning them all when there
 * are KDE_BATCH_POINTS or kde_exact_points of them).  False when its offset from the state's
 * origin does not fit.
 */
static bool
KdeAppend(bytea **sp, double X, double Y, double w)
{
	char	   *pl = MQ_STATE_PAYLOAD(*sp);
	int32		flags = mq_get_i32(pl + KDE_FLAGS);
	bool		lattice = (flags & KDE_F_LATTICE) != 0;
	int32		count = mq_get_i32(pl + (lattice ? KDE_NPEND : KDE_NUSED));
	int32		limit = lattice ? Min(mq_kde_exact_points, KDE_BATCH_POINTS) : mq_kde_exact_points;
	uint32		used,
				sz = KdePtSize(flags);
	double		ox,
				oy;
	char	   *p;

	if (count >= limit)
	{
		if (!lattice)
			return false;
		*sp = mq_kde_flush(*sp);
		pl = MQ_STATE_PAYLOAD(*sp);
		count = 0;
		if (mq_kde_exact_points == 0)
			return false;
	}
	if (count == 0)
	{
		mq_put_f8(pl + KDE_OX, X);
		mq_put_f8(pl + KDE_OY, Y);
	}
	ox = X - mq_get_f8(pl + KDE_OX);
	oy = Y - mq_get_f8(pl + KDE_OY);
	if (!(fabs(ox) <= PG_INT32_MAX && fabs(oy) <= PG_INT32_MAX))
		return false;
	used = mq_state_used(*sp);
	if ((Size) used + sz > MQ_STATE_CAPACITY(*sp))
	{
		/*
		 * Room for three times the records so far (at most a full batch):
		 * every growth is a new block that nodeAgg copies once more, and
		 * doubling would fault in twice the memory.
		 */
		Size		more = (Size) Min((int64) count * 3, (int64) limit - count);

		*sp = mq_state_reserve(*sp, (Size) used + sz * Max(more, 1), "kde");
		pl = MQ_STATE_PAYLOAD(*sp);
	}
	/* the records end the payload, kept or pending alike */
	p = pl + used;
	mq_put_i32(p, (int32) ox);
	mq_put_i32(p + 4, (int32) oy);
	if (flags & KDE_F_WEIGHTED)
		mq_put_f8(p + 8, w);
	mq_state_set_used(*sp, used + sz);
	mq_put_i32(pl + (lattice ? KDE_NPEND : KDE_NUSED), count + 1);
	return true;
}

/*
 * Add one point in whichever mode the state is (switching to the lattice
 * when full or when the point is too far from the origin).
 */
static bytea *
KdeAddPoint(bytea *s, double x, double y, double w)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	double		q = mq_get_f8(pl + KDE_Q);

	/*
	 * every point lands on the global quantum grid, whatever the mode (by the
	 * reciprocal, as kde_trans's usual row does: the same rounding)
	 */
	double		iq = 1.0 / q,
				X = rint(x * iq),
				Y = rint(y * iq);

	if (KdeAppend(&s, X, Y, w))
		return s;
	if (!(mq_get_i32(MQ_STATE_PAYLOAD(s) + KDE_FLAGS) & KDE_F_LATTICE))
	{
		s = mq_kde_to_lattice(s);
		if (KdeAppend(&s, X, Y, w))
			return s;
	}
	/* far from the pending points' origin: bin it now */
	s = mq_kde_flush(s);
	return mq_kde_lattice_add(s, X * q, Y * q, w);
}

/* kde's per-call constants (state.h's kit), with this row's values. */
static MqStateConst *
KdeConstants(MqStateConst *c, double cell, double bw)
{
	c[0] = (MqStateConst) {"cell_size", MQ_CONST_F8, KDE_CELL, cell};
	c[1] = (MqStateConst) {"bandwidth", MQ_CONST_F8, KDE_BW, bw};
	return c;
}

/* Validate a kde state's fixed part, payload size and directory. */
bytea *
mq_kde_check(Datum d)
{
	bytea	   *s = mq_state_check(d, MQ_KIND_KDE, KDE_HDR, "kde");
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int			bits = mq_get_i32(pl + KDE_BITS);
	int32		flags = mq_get_i32(pl + KDE_FLAGS);
	int32		nused = mq_get_i32(pl + KDE_NUSED);
	bool		bad;

	if (flags & KDE_F_LATTICE)
	{
		bad = bits < KDE_MIN_BITS || bits > KDE_MAX_BITS || nused < 0 ||
			(int64) nused * 2 > ((int64) 1 << bits) ||
			mq_get_i32(pl + KDE_NPEND) < 0 ||
			(Size) mq_state_used(s) != KDE_HDR + ((Size) KDE_SLOT << bits) + (Size) nused * KDE_TILE_BYTES +
			(Size) mq_get_i32(pl + KDE_NPEND) * KdePtSize(flags);
		for (Size k = 0; !bad && k < ((Size) 1 << bits); k++)
		{
			const char *p = pl + KDE_HDR + k * KDE_SLOT;

			if (mq_get_i32(p) != 0 && (mq_get_i32(p + 8) < 0 || mq_get_i32(p + 8) >= nused))
				bad = true;
		}
	}
	else
		bad = nused < 0 ||
			(Size) mq_state_used(s) != KDE_HDR + (Size) nused * KdePtSize(flags);
	if (bad || !(flags & KDE_F_INIT) || !mq_state_has_constants(s) ||
		mq_get_i32(pl + KDE_K) < 1 || mq_get_i64(pl + KDE_N) < 0 ||
		!(mq_get_f8(pl + KDE_CELL) > 0) || !(mq_get_f8(pl + KDE_BW) > 0) ||
		!(mq_get_f8(pl + KDE_STEP) > 0) || !(mq_get_f8(pl + KDE_Q) > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kde state"),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	return s;
}

/* A new state for the first row: cell size, bandwidth, SRID, lattice. */
static bytea *
KdeStateNew(FunctionCallInfo fcinfo, double cell, double bw, int32 srid, bool weighted)
{
	MqStateConst c[2];
	int32		k;
	bool		geo = mq_srid_is_geographic(srid);
	double		step;
	bytea	   *s;
	char	   *pl;

	mq_check_positive_finite(cell, "kde", "cell_size", MQ_HINT_LENGTH);
	mq_check_positive_finite(bw, "kde", "bandwidth", MQ_HINT_LENGTH);
	k = mq_kde_lattice_k(cell, bw);
	step = cell / k;
	if (geo)
	{
		step = bw / (KDE_GEO_STEPS_PER_BW * METERS_PER_DEGREE);
		if (180.0 / step >= KDE_MAX_INDEX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kde: bandwidth is too small for geographic input"),
					 errdetail("Got %g meters.", bw),
					 errhint("Use a bandwidth of at least 10 meters, or project the data first.")));
	}
	s = mq_state_for_update(fcinfo, 0, MQ_KIND_KDE, KDE_HDR + 32 * 16, KDE_HDR, "kde");
	pl = MQ_STATE_PAYLOAD(s);
	mq_state_constants(s, KdeConstants(c, cell, bw), 2, "kde");
	mq_put_f8(pl + KDE_STEP, step);
	mq_put_f8(pl + KDE_Q, KdeQuantum(cell, bw, geo));
	mq_put_i32(pl + KDE_SRID, srid);
	mq_put_i32(pl + KDE_FLAGS, KDE_F_INIT | (geo ? KDE_F_GEO : 0) |
			   (weighted ? KDE_F_WEIGHTED : 0));
	mq_put_i32(pl + KDE_K, geo ? 1 : k);
	return s;
}

/*
 * fn_extra of kde_trans once it knows it runs in an aggregate: the
 * reciprocal of the last state's quantum (a power of two, so x * (1 / q) is
 * exactly x / q).
 */
typedef struct KdeTransCache
{
	double		q;
	double		iq;				/* 1 / q */
} KdeTransCache;

/*
 * The header checks of mq_state_check, inline, for a plain (4-byte header,
 * uncompressed) kde state: true when they pass; the kit's function reports
 * (or detoasts) anything else.
 */
static inline bool
KdeStateHeaderOk(const char *d)
{
	return VARATT_IS_4B_U(d) && VARSIZE(d) >= MQ_STATE_HDRSZ + KDE_HDR &&
		((const uint8 *) d)[4] == MQ_STATE_VERSION && ((const uint8 *) d)[5] == MQ_KIND_KDE &&
		mq_state_used((const bytea *) d) >= KDE_HDR &&
		(Size) mq_state_used((const bytea *) d) <= VARSIZE(d) - MQ_STATE_HDRSZ;
}

/*
 * The usual row of an aggregate: the state is the one the previous row
 * returned, the point fits the pending or kept points without growing
 * the state or flushing.  False (nothing written) otherwise.
 */
static inline bool
KdeAppendFast(bytea *s, const KdeTransCache *tc, double x, double y, double w, bool weighted)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int32		flags = mq_get_i32(pl + KDE_FLAGS);
	int			at = (flags & KDE_F_LATTICE) ? KDE_NPEND : KDE_NUSED;
	int32		count = mq_get_i32(pl + at);
	int32		limit = (flags & KDE_F_LATTICE) ? Min(mq_kde_exact_points, KDE_BATCH_POINTS) : mq_kde_exact_points;
	uint32		used = mq_state_used(s),
				sz = weighted ? 16 : 8;
	double		ox,
				oy;
	char	   *p;

	if (count == 0 || count >= limit || (Size) used + sz > MQ_STATE_CAPACITY(s) ||
		mq_get_f8(pl + KDE_Q) != tc->q)
		return false;
	ox = rint(x * tc->iq) - mq_get_f8(pl + KDE_OX);
	oy = rint(y * tc->iq) - mq_get_f8(pl + KDE_OY);
	if (!(fabs(ox) <= PG_INT32_MAX && fabs(oy) <= PG_INT32_MAX))
		return false;
	p = pl + used;
	mq_put_i32(p, (int32) ox);
	mq_put_i32(p + 4, (int32) oy);
	if (weighted)
		mq_put_f8(p + 8, w);
	mq_state_set_used(s, used + sz);
	mq_put_i32(pl + at, count + 1);
	return true;
}

/*
 * A large state inside a grouping aggregate lives in an expanded object of
 * its own memory context (child of the aggregate's): it grows there and
 * nodeAgg adopts it instead of copying every block the state moves to (a
 * copy of up to 32 MB, in fresh pages, per growth of the kept points).
 * Flattening it (a partial aggregate's result, any plain reader) gives the
 * stored form without slack.  Small states stay flat.
 */
#define KDE_EXPAND_AT	(64 * 1024)

static Size
KdeFlatSize(ExpandedObjectHeader *eohptr)
{
	return MQ_STATE_HDRSZ + mq_state_used(((MqExpandedState *) eohptr)->state);
}

static void
KdeFlattenInto(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	Size		size = KdeFlatSize(eohptr);

	if (allocated_size != size)
		elog(ERROR, "kde: flattening into %zu bytes, %zu needed", allocated_size, size);
	memcpy(result, ((MqExpandedState *) eohptr)->state, size);
	SET_VARSIZE(result, size);
}

static const ExpandedObjectMethods KdeMethods = {KdeFlatSize, KdeFlattenInto};

/* kde_final's view of its argument: an expanded state's flat block, read only */
bytea *
mq_kde_state_arg(Datum d)
{
	MqExpandedState *x = mq_expanded_state(d, &KdeMethods);

	return mq_kde_check(x != NULL ? PointerGetDatum(x->state) : d);
}

/*
 * kde_trans(state, geom, cell_size, bandwidth [, weight]): keep (or bin)
 * one point.  NULL geometry, cell size, bandwidth or weight and POINT EMPTY
 * skip the row.  The first row fixes cell size, bandwidth, SRID and the
 * lattice; later rows must agree.
 */
static Datum
KdeTransCommon(FunctionCallInfo fcinfo, bool weighted)
{
	bytea	   *s;
	char	   *pl;
	MqPoint		pt;
	double		cell,
				bw,
				w = 1.0;
	MqStateConst c[2];
	KdeTransCache *tc = (KdeTransCache *) fcinfo->flinfo->fn_extra;
	MqExpandedState *x = NULL;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		(weighted && PG_ARGISNULL(4)))
		goto skip;
	cell = PG_GETARG_FLOAT8(2);
	bw = PG_GETARG_FLOAT8(3);
	if (weighted)
	{
		w = PG_GETARG_FLOAT8(4);
		if (isnan(w) || isinf(w) || w < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kde: weight must be a finite non-negative number"),
					 errdetail("Got %g.", w),
					 errhint("Filter out rows with negative, NaN or infinite weights.")));
	}
	if (mq_point_read_inline(PG_GETARG_DATUM(1), &pt, "kde") == MQ_POINT_EMPTY)
		goto skip;

	if (PG_ARGISNULL(0))
		s = KdeStateNew(fcinfo, cell, bw, pt.srid, weighted);
	else if (tc != NULL && (x = mq_expanded_state(PG_GETARG_DATUM(0), &KdeMethods)) != NULL)
		s = x->state;
	else if (tc != NULL && KdeStateHeaderOk(DatumGetPointer(PG_GETARG_DATUM(0))))
		s = (bytea *) DatumGetPointer(PG_GETARG_DATUM(0));
	else
	{
		/* in an aggregate (known after the first row) the state is ours to update */
		if (tc != NULL)
			s = mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_KDE, 0, "kde");
		else
		{
			s = mq_state_for_update(fcinfo, 0, MQ_KIND_KDE, 0, 0, "kde");
			if (mq_in_aggregate(fcinfo))
				fcinfo->flinfo->fn_extra = tc =
					MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(KdeTransCache));
		}
		if (mq_state_used(s) < KDE_HDR)
			mq_kde_check(PointerGetDatum(s));
	}
	pl = MQ_STATE_PAYLOAD(s);
	/* the usual row: the same constants (the kit's check, for its errors, otherwise) */
	if (!(mq_state_has_constants(s) &&
		  mq_get_f8(pl + KDE_CELL) == cell && mq_get_f8(pl + KDE_BW) == bw))
		mq_state_constants(s, KdeConstants(c, cell, bw), 2, "kde");
	if (mq_get_i32(pl + KDE_SRID) != pt.srid)
	{
		int32		first = mq_get_i32(pl + KDE_SRID);
		bool		have = true;

		mq_srid_check(pt.srid, &first, &have, "kde");
	}
	if (mq_get_i32(pl + KDE_FLAGS) & KDE_F_GEO)
	{
		mq_put_f8(pl + KDE_SX, mq_get_f8(pl + KDE_SX) + pt.x);
		mq_put_f8(pl + KDE_SY, mq_get_f8(pl + KDE_SY) + pt.y);
	}
	mq_put_i64(pl + KDE_N, mq_get_i64(pl + KDE_N) + 1);
	mq_put_f8(pl + KDE_W, mq_get_f8(pl + KDE_W) + w);
	if (tc == NULL || !KdeAppendFast(s, tc, pt.x, pt.y, w, weighted))
	{
		if (x != NULL)
		{
			/* new blocks in the object's context; the old one is ours to free */
			MemoryContext old = MemoryContextSwitchTo(x->hdr.eoh_context);

			s = KdeAddPoint(s, pt.x, pt.y, w);
			MemoryContextSwitchTo(old);
			if (s != x->state)
			{
				pfree(x->state);
				x->state = s;
			}
		}
		else
			s = KdeAddPoint(s, pt.x, pt.y, w);
	}
	if (tc != NULL)
	{
		double		q = mq_get_f8(MQ_STATE_PAYLOAD(s) + KDE_Q);

		if (q != tc->q)
		{
			tc->q = q;
			tc->iq = 1.0 / q;
		}
		if (x != NULL)
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		if (VARSIZE(s) >= KDE_EXPAND_AT)
		{
			MemoryContext aggcxt = NULL;

			if (AggCheckCallContext(fcinfo, &aggcxt) == AGG_CONTEXT_AGGREGATE)
				PG_RETURN_DATUM(mq_state_expand(s, aggcxt, &KdeMethods, "minqing kde"));
		}
	}
	PG_RETURN_BYTEA_P(s);

skip:
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

PG_FUNCTION_INFO_V1(kde_trans);
Datum
kde_trans(PG_FUNCTION_ARGS)
{
	return KdeTransCommon(fcinfo, false);
}

PG_FUNCTION_INFO_V1(kde_trans_weighted);
Datum
kde_trans_weighted(PG_FUNCTION_ARGS)
{
	return KdeTransCommon(fcinfo, true);
}

/* combine: add b's tiles into lattice-mode a */
static bytea *
KdeMergeTiles(bytea *a, const char *pb)
{
	int			bits = mq_get_i32(pb + KDE_BITS);
	int32		fb = mq_get_i32(pb + KDE_FLAGS);

	a = mq_kde_flush(a);
	a = mq_kde_tile_room(a, mq_get_i32(pb + KDE_NUSED));
	for (int32 k = 0; k < ((int32) 1 << bits); k++)
	{
		int32		tx,
					ty;
		const char *src = mq_kde_tile(pb, k, &tx, &ty);
		char	   *dst;

		if (src == NULL)
			continue;
		if ((k & 63) == 0)
			CHECK_FOR_INTERRUPTS();
		dst = mq_kde_tile_get(&a, tx, ty);
		for (int q = 0; q < KDE_TILE * KDE_TILE; q++)
			KdeNodeAdd(dst + q * 8, mq_get_f8(src + q * 8));
	}
	/* then b's pending points */
	for (int32 k = 0; k < mq_get_i32(pb + KDE_NPEND); k++)
	{
		double		x,
					y,
					w;

		if ((k & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		KdePendRead(pb, fb, k, &x, &y, &w);
		a = KdeAddPoint(a, x, y, w);
	}
	return a;
}

/* combine: add b's kept points to a, appended (re-based) or binned */
static bytea *
KdeMergePoints(bytea *a, const char *pb)
{
	char	   *pa = MQ_STATE_PAYLOAD(a);
	int32		fa = mq_get_i32(pa + KDE_FLAGS),
				fb = mq_get_i32(pb + KDE_FLAGS),
				nb = mq_get_i32(pb + KDE_NUSED),
				na0 = mq_get_i32(pa + KDE_NUSED);
	bool		fits = !(fa & KDE_F_LATTICE) && (int64) na0 + nb <= mq_kde_exact_points;

	if (fits && na0 == 0)
	{
		mq_put_f8(pa + KDE_OX, mq_get_f8(pb + KDE_OX));
		mq_put_f8(pa + KDE_OY, mq_get_f8(pb + KDE_OY));
	}
	for (int32 k = 0; fits && k < nb; k++)
	{
		double		x,
					y,
					w;
		int32		dx,
					dy;

		KdePtRead(pb, fb, k, &x, &y, &w);
		fits = KdePtQuantize(pa, x, y, &dx, &dy);
	}
	if (fits)
	{
		uint32		used = mq_state_used(a);
		Size		bytes = (Size) nb * KdePtSize(fb);

		a = mq_state_reserve(a, (Size) used + bytes, "kde");
		pa = MQ_STATE_PAYLOAD(a);
		for (int32 k = 0; k < nb; k++)
		{
			double		x,
						y,
						w;
			int32		dx = 0,
						dy = 0;

			KdePtRead(pb, fb, k, &x, &y, &w);
			(void) KdePtQuantize(pa, x, y, &dx, &dy);
			KdePtWrite(pa, fa, na0 + k, dx, dy, w);
		}
		mq_state_set_used(a, (uint32) (used + bytes));
		mq_put_i32(pa + KDE_NUSED, na0 + nb);
		return a;
	}
	if (!(fa & KDE_F_LATTICE))
		a = mq_kde_to_lattice(a);
	for (int32 k = 0; k < nb; k++)
	{
		double		x,
					y,
					w;

		if ((k & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		KdePtRead(pb, fb, k, &x, &y, &w);
		a = KdeAddPoint(a, x, y, w);
	}
	return a;
}

/*
 * kde_combine(a, b): merge b's points or tiles into a.  The per-call
 * constants (cell size, bandwidth, SRID, weighting) must agree.
 */
PG_FUNCTION_INFO_V1(kde_combine);
Datum
kde_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_KDE, KDE_HDR, "kde", &done);
	bytea	   *b;
	char	   *pa,
			   *pb;
	int32		fa,
				fb;
	int64		na;
	double		wa,
				sxa,
				sya;
	MqStateConst c[2];

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		mq_kde_check(PointerGetDatum(a));
		PG_RETURN_BYTEA_P(a);
	}
	a = mq_kde_check(PointerGetDatum(a));
	b = mq_kde_check(PG_GETARG_DATUM(1));
	pa = MQ_STATE_PAYLOAD(a);
	pb = MQ_STATE_PAYLOAD(b);
	fa = mq_get_i32(pa + KDE_FLAGS);
	fb = mq_get_i32(pb + KDE_FLAGS);
	mq_state_combine_constants(a, b, KdeConstants(c, 0, 0), 2, "kde");
	if (mq_get_i32(pa + KDE_SRID) != mq_get_i32(pb + KDE_SRID))
	{
		int32		first = mq_get_i32(pa + KDE_SRID);
		bool		have = true;

		mq_srid_check(mq_get_i32(pb + KDE_SRID), &first, &have, "kde");
	}
	/* equal constants give equal lattices: anything else is a forged state */
	if (mq_get_f8(pa + KDE_STEP) != mq_get_f8(pb + KDE_STEP) ||
		mq_get_i32(pa + KDE_K) != mq_get_i32(pb + KDE_K) ||
		((fa ^ fb) & KDE_F_WEIGHTED))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kde state: partial states of different lattices"),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	na = mq_get_i64(pa + KDE_N) + mq_get_i64(pb + KDE_N);
	wa = mq_get_f8(pa + KDE_W) + mq_get_f8(pb + KDE_W);
	sxa = mq_get_f8(pa + KDE_SX) + mq_get_f8(pb + KDE_SX);
	sya = mq_get_f8(pa + KDE_SY) + mq_get_f8(pb + KDE_SY);

	if (fb & KDE_F_LATTICE)
	{
		if (!(fa & KDE_F_LATTICE))
			a = mq_kde_to_lattice(a);
		a = KdeMergeTiles(a, pb);
	}
	else
		a = KdeMergePoints(a, pb);
	pa = MQ_STATE_PAYLOAD(a);
	mq_put_i64(pa + KDE_N, na);
	mq_put_f8(pa + KDE_W, wa);
	mq_put_f8(pa + KDE_SX, sxa);
	mq_put_f8(pa + KDE_SY, sya);
	PG_RETURN_BYTEA_P(a);
}
