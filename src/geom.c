/*
 * geom.c — PostGIS point (de)serialization; see geom.h.
 */
#include "postgres.h"

#include <math.h>

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "geom.h"
#include "state.h"

/* flag bits of the GSERIALIZED flag byte (formats 1 and 2 agree on these) */
#define GS_FLAG_Z			0x01
#define GS_FLAG_M			0x02
#define GS_FLAG_BBOX		0x04
#define GS_FLAG_GEODETIC	0x08
#define GS2_FLAG_EXTENDED	0x10
#define GS2_FLAG_VERSION	0x40

#define GS_POINTTYPE		1
#define GS_POLYGONTYPE		3
#define GS_MULTIPOLYGONTYPE	6

static const char *const mq_geomtype_names[] = {
	"unknown", "point", "linestring", "polygon", "multipoint",
	"multilinestring", "multipolygon", "geometrycollection"
};

/*
 * Parse the GSERIALIZED header of p[0 .. len-1] (the varlena payload): the
 * SRID, the number of ordinates per coordinate, and the offset of the
 * geometry's type word (at least 8 bytes of geometry follow).
 */
static Size
GsHeader(const uint8 *p, Size len, int32 *srid, int *ndims, const char *fname)
{
	uint8		flags;
	Size		off = 4;

	if (len < 4 + 8)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: geometry value is too short (%zu bytes)", fname, len)));
	*srid = ((int32) p[0] << 16) | ((int32) p[1] << 8) | (int32) p[2];
	*srid = (int32) ((uint32) *srid << 11) >> 11;	/* sign-extend 21 bits */
	flags = p[3];
	*ndims = 2 + ((flags & GS_FLAG_Z) ? 1 : 0) + ((flags & GS_FLAG_M) ? 1 : 0);
	if ((flags & GS2_FLAG_VERSION) && (flags & GS2_FLAG_EXTENDED))
		off += 8;
	if (flags & GS_FLAG_BBOX)
		off += sizeof(float) * 2 * ((flags & GS_FLAG_GEODETIC) ? 3 : *ndims);
	if (off + 8 > len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: malformed geometry value", fname)));
	return off;
}

MqPointStatus
mq_point_read(Datum geom, MqPoint *pt, const char *fname)
{
	struct varlena *g = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(geom));
	const uint8 *p = (const uint8 *) VARDATA_ANY(g);
	Size		len = VARSIZE_ANY_EXHDR(g);
	int32		srid;
	int			ndims;
	Size		off;
	uint32		type,
				npoints;

	off = GsHeader(p, len, &srid, &ndims, fname);
	memcpy(&type, p + off, 4);
	memcpy(&npoints, p + off + 4, 4);
	if (type != GS_POINTTYPE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s expects point geometries, got a %s", fname,
						type < lengthof(mq_geomtype_names) ? mq_geomtype_names[type] : "curve or surface"),
				 errhint("Pass ST_Centroid(geom) or ST_PointOnSurface(geom) for areas and lines.")));
	pt->srid = srid;
	if (npoints == 0)
		return MQ_POINT_EMPTY;
	if (off + 8 + sizeof(double) * ndims > len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: malformed point value", fname)));
	memcpy(&pt->x, p + off + 8, sizeof(double));
	memcpy(&pt->y, p + off + 8 + sizeof(double), sizeof(double));
	if (!isfinite(pt->x) || !isfinite(pt->y))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: point coordinates must be finite", fname),
				 errdetail("Got POINT(%g %g).", pt->x, pt->y),
				 errhint("Filter out points with NaN or infinite coordinates.")));
	return MQ_POINT_OK;
}

Datum
mq_point_make(double x, double y, int32 srid)
{
	Size		size = VARHDRSZ + 4 + 8 + 2 * sizeof(double);
	uint8	   *v = (uint8 *) palloc0(size);
	uint8	   *p = v + VARHDRSZ;
	uint32		type = GS_POINTTYPE,
				npoints = 1;
	uint32		s = (uint32) srid & 0x1FFFFF;

	SET_VARSIZE(v, size);
	p[0] = (s >> 16) & 0x1F;
	p[1] = (s >> 8) & 0xFF;
	p[2] = s & 0xFF;
	p[3] = GS2_FLAG_VERSION;
	memcpy(p + 4, &type, 4);
	memcpy(p + 8, &npoints, 4);
	memcpy(p + 12, &x, sizeof(double));
	memcpy(p + 20, &y, sizeof(double));
	return PointerGetDatum(v);
}

void
mq_srid_check(int32 srid, int32 *first, bool *have_first, const char *fname)
{
	if (!*have_first)
	{
		*first = srid;
		*have_first = true;
	}
	else if (srid != *first)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: mixed SRIDs %d and %d in one call", fname, *first, srid),
				 errhint("Transform every geometry to one SRID first, e.g. with ST_Transform(geom, 4326).")));
}

void
mq_state_srid_add(char *pl, int srid_off, int flags_off, int32 bit, int32 srid, const char *fname)
{
	int32		flags = mq_get_i32(pl + flags_off);
	int32		first = mq_get_i32(pl + srid_off);
	bool		have = (flags & bit) != 0;

	mq_srid_check(srid, &first, &have, fname);
	mq_put_i32(pl + srid_off, first);
	mq_put_i32(pl + flags_off, flags | bit);
}

void
mq_state_srid_combine(char *pa, const char *pb, int srid_off, int flags_off, int32 bit, const char *fname)
{
	if (mq_get_i32(pb + flags_off) & bit)
		mq_state_srid_add(pa, srid_off, flags_off, bit, mq_get_i32(pb + srid_off), fname);
}

/*
 * Geographic (degree) SRIDs: the common ones are known; anything else is
 * looked up once in spatial_ref_sys (+proj=longlat) and cached per backend.
 */
bool
mq_srid_is_geographic(int32 srid)
{
	static int32 cache_srid[32];
	static bool cache_geo[32];
	static int	ncache = 0;
	bool		geo = false;

	switch (srid)
	{
		case 4326:				/* WGS 84 */
		case 4490:				/* CGCS2000 */
		case 4269:				/* NAD83 */
		case 4258:				/* ETRS89 */
		case 4167:
		case 4283:
		case 4612:
		case 6318:
			return true;
		case 0:
		case 3857:
		case 900913:
			return false;
	}
	for (int i = 0; i < ncache; i++)
		if (cache_srid[i] == srid)
			return cache_geo[i];

	if (SPI_connect() == SPI_OK_CONNECT)
	{
		char		sql[160];

		snprintf(sql, sizeof(sql),
				 "SELECT proj4text LIKE '%%+proj=longlat%%' FROM spatial_ref_sys WHERE srid = %d",
				 srid);
		if (SPI_execute(sql, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			geo = !isnull && DatumGetBool(d);
		}
		SPI_finish();
	}
	if (ncache < (int) lengthof(cache_srid))
	{
		cache_srid[ncache] = srid;
		cache_geo[ncache] = geo;
		ncache++;
	}
	return geo;
}

/* ---- ellipsoidal transverse Mercator (Krüger series, 4th order) ---- */
#define WGS84_A		6378137.0
#define WGS84_F		(1.0 / 298.257223563)

static double tm_n,
			tm_e,
			tm_A,
			tm_alpha[5],
			tm_beta[5];
static bool tm_ready = false;

static void
TmConstants(void)
{
	double		n = WGS84_F / (2.0 - WGS84_F);
	double		n2 = n * n,
				n3 = n2 * n,
				n4 = n3 * n;

	tm_n = n;
	tm_e = sqrt(WGS84_F * (2.0 - WGS84_F));
	tm_A = WGS84_A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0);
	tm_alpha[1] = n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0;
	tm_alpha[2] = 13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0;
	tm_alpha[3] = 61.0 * n3 / 240.0 - 103.0 * n4 / 140.0;
	tm_alpha[4] = 49561.0 * n4 / 161280.0;
	tm_beta[1] = n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0;
	tm_beta[2] = n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0;
	tm_beta[3] = 17.0 * n3 / 480.0 - 37.0 * n4 / 840.0;
	tm_beta[4] = 4397.0 * n4 / 161280.0;
	tm_ready = true;
}

/* (ξ, η) of a point, dl = λ − λ0 in radians */
static void
TmXiEta(double lat, double dl, double *xi, double *eta)
{
	double		s = sin(lat);
	double		t = sinh(atanh(s) - tm_e * atanh(tm_e * s));
	double		xp = atan2(t, cos(dl));
	double		ep = atanh(sin(dl) / sqrt(1.0 + t * t));
	double		x = xp,
				y = ep;

	for (int j = 1; j <= 4; j++)
	{
		x += tm_alpha[j] * sin(2.0 * j * xp) * cosh(2.0 * j * ep);
		y += tm_alpha[j] * cos(2.0 * j * xp) * sinh(2.0 * j * ep);
	}
	*xi = x;
	*eta = y;
}

void
mq_tm_init(MqTM *tm, double lon0_deg, double lat0_deg)
{
	double		eta;

	if (!tm_ready)
		TmConstants();
	tm->lon0 = lon0_deg * M_PI / 180.0;
	tm->lat0 = lat0_deg;
	tm->kA = tm_A;				/* k0 = 1 */
	TmXiEta(lat0_deg * M_PI / 180.0, 0.0, &tm->xi0, &eta);
}

void
mq_tm_forward(const MqTM *tm, double lon_deg, double lat_deg, double *x, double *y)
{
	double		xi,
				eta;

	TmXiEta(lat_deg * M_PI / 180.0, lon_deg * M_PI / 180.0 - tm->lon0, &xi, &eta);
	*x = tm->kA * eta;
	*y = tm->kA * (xi - tm->xi0);
}

void
mq_tm_inverse(const MqTM *tm, double x, double y, double *lon_deg, double *lat_deg)
{
	double		xi = y / tm->kA + tm->xi0;
	double		eta = x / tm->kA;
	double		xp = xi,
				ep = eta,
				chi,
				lat;

	for (int j = 1; j <= 4; j++)
	{
		xp -= tm_beta[j] * sin(2.0 * j * xi) * cosh(2.0 * j * eta);
		ep -= tm_beta[j] * cos(2.0 * j * xi) * sinh(2.0 * j * eta);
	}
	chi = asin(sin(xp) / cosh(ep));
	lat = chi;
	for (int i = 0; i < 15; i++)
	{
		double		es = tm_e * sin(lat);
		double		next = 2.0 * atan(pow((1.0 + es) / (1.0 - es), tm_e / 2.0) *
									  tan(M_PI / 4.0 + chi / 2.0)) - M_PI / 2.0;

		if (fabs(next - lat) < 1e-15)
		{
			lat = next;
			break;
		}
		lat = next;
	}
	*lat_deg = lat * 180.0 / M_PI;
	*lon_deg = (tm->lon0 + atan2(sinh(ep), cos(xp))) * 180.0 / M_PI;
}

char *
mq_tm_proj_string(const MqTM *tm)
{
	return psprintf("+proj=tmerc +lat_0=%.10g +lon_0=%.10g +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs",
					tm->lat0, tm->lon0 * 180.0 / M_PI);
}

/* The centre given to tm_project / tm_unproject: degrees, away from the poles. */
static void
CheckCentre(double lon0, double lat0)
{
	if (!isfinite(lon0) || !isfinite(lat0) || fabs(lat0) > 89.0 || fabs(lon0) > 360.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("projection centre must be a finite longitude and a latitude within ±89 degrees"),
				 errhint("Pass the centre of your data in degrees.")));
}

/*
 * tm_project(geom, lon0, lat0) -> the point in minqing's local metric
 * projection (meters, SRID 0); tm_unproject(geom, lon0, lat0) the inverse
 * (SRID 4326).  Exposed so users and tests can see exactly what the
 * geographic-input functions compute in.
 */
PG_FUNCTION_INFO_V1(tm_project);
Datum
tm_project(PG_FUNCTION_ARGS)
{
	MqPoint		pt;
	MqTM		tm;
	double		x,
				y,
				lon0 = PG_GETARG_FLOAT8(1),
				lat0 = PG_GETARG_FLOAT8(2);

	CheckCentre(lon0, lat0);
	if (mq_point_read(PG_GETARG_DATUM(0), &pt, "tm_project") == MQ_POINT_EMPTY)
		PG_RETURN_NULL();
	mq_tm_init(&tm, lon0, lat0);
	mq_tm_forward(&tm, pt.x, pt.y, &x, &y);
	PG_RETURN_DATUM(mq_point_make(x, y, 0));
}

PG_FUNCTION_INFO_V1(tm_unproject);
Datum
tm_unproject(PG_FUNCTION_ARGS)
{
	MqPoint		pt;
	MqTM		tm;
	double		lon,
				lat,
				lon0 = PG_GETARG_FLOAT8(1),
				lat0 = PG_GETARG_FLOAT8(2);

	CheckCentre(lon0, lat0);
	if (mq_point_read(PG_GETARG_DATUM(0), &pt, "tm_unproject") == MQ_POINT_EMPTY)
		PG_RETURN_NULL();
	mq_tm_init(&tm, lon0, lat0);
	mq_tm_inverse(&tm, pt.x, pt.y, &lon, &lat);
	PG_RETURN_DATUM(mq_point_make(lon, lat, 4326));
}

/*
 * mq_local_projection: range-check the lon/lat points, pick the centre by
 * `rule` and set up the local transverse Mercator (see geom.h).
 */
void
mq_local_projection(const double *x, const double *y, int64 n, MqCentreRule rule,
					double lon0, double lat0, int32 srid, MqTM *tm, const char *fname)
{
	double		sx = 0,
				sy = 0,
				xmin = 0,
				xmax = 0,
				ymin = 0,
				ymax = 0;

	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!(x[i] >= -180.0 && x[i] <= 180.0 && y[i] >= -90.0 && y[i] <= 90.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: longitude/latitude out of range for SRID %d", fname, srid),
					 errdetail("Got POINT(%g %g).", x[i], y[i]),
					 errhint("Check the SRID: projected coordinates need their projected SRID.")));
		sx += x[i];
		sy += y[i];
		if (i == 0 || x[i] < xmin)
			xmin = x[i];
		if (i == 0 || x[i] > xmax)
			xmax = x[i];
		if (i == 0 || y[i] < ymin)
			ymin = y[i];
		if (i == 0 || y[i] > ymax)
			ymax = y[i];
	}
	switch (rule)
	{
		case MQ_CENTRE_MEAN:
			if (n > 0)
			{
				lon0 = sx / n;
				lat0 = sy / n;
			}
			break;
		case MQ_CENTRE_MIDRANGE:
			if (n > 0)
			{
				lon0 = (xmin + xmax) / 2;
				lat0 = (ymin + ymax) / 2;
			}
			break;
		case MQ_CENTRE_GIVEN:
			break;
	}
	if (n == 0 && rule != MQ_CENTRE_GIVEN)
		lon0 = lat0 = 0.0;
	mq_tm_init(tm, lon0, lat0);
}

/* mq_to_local_meters: mq_local_projection, then every point in place. */
void
mq_to_local_meters(double *x, double *y, int64 n, MqCentreRule rule,
				   double lon0, double lat0, int32 srid, MqTM *tm, const char *fname)
{
	MqTM		local;

	if (tm == NULL)
		tm = &local;
	mq_local_projection(x, y, n, rule, lon0, lat0, srid, tm, fname);
	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		mq_tm_forward(tm, x[i], y[i], &x[i], &y[i]);
	}
}

/* Read one serialized POLYGON at p + *off (type word already checked). */
static void
PolygonVertices(const uint8 *p, Size len, Size *off, int ndims, MqPolygon *poly,
				bool *first, const char *fname)
{
	uint32		nrings;
	Size		ringoff,
				coordoff;

	if (*off + 8 > len)
		goto bad;
	memcpy(&nrings, p + *off + 4, 4);
	ringoff = *off + 8;
	if (nrings > (len - ringoff) / 4)
		goto bad;
	coordoff = ringoff + 4 * (Size) nrings;
	if (nrings % 2 == 1)
		coordoff += 4;			/* ring counts are padded to 8 bytes */
	for (uint32 r = 0; r < nrings; r++)
	{
		uint32		npts;

		memcpy(&npts, p + ringoff + 4 * (Size) r, 4);
		if (npts > (len - Min(coordoff, len)) / (sizeof(double) * ndims))
			goto bad;
		for (uint32 k = 0; k < npts; k++)
		{
			double		x,
						y;
			const uint8 *c = p + coordoff + (Size) k * sizeof(double) * ndims;

			memcpy(&x, c, sizeof(double));
			memcpy(&y, c + sizeof(double), sizeof(double));
			if (!isfinite(x) || !isfinite(y))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: polygon coordinates must be finite", fname),
						 errhint("Repair or drop the geometry.")));
			if (*first)
			{
				*first = false;	/* the first coordinate of the feature is skipped */
				continue;
			}
			if (poly->n == poly->cap)
			{
				poly->cap = Max(16, poly->cap * 2);
				poly->x = poly->x ? repalloc(poly->x, sizeof(double) * poly->cap) : palloc(sizeof(double) * poly->cap);
				poly->y = poly->y ? repalloc(poly->y, sizeof(double) * poly->cap) : palloc(sizeof(double) * poly->cap);
			}
			poly->x[poly->n] = x;
			poly->y[poly->n] = y;
			poly->n++;
		}
		coordoff += (Size) npts * sizeof(double) * ndims;
	}
	*off = coordoff;
	return;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s: malformed polygon value", fname)));
}

MqPointStatus
mq_polygon_read(Datum geom, MqPolygon *poly, const char *fname)
{
	struct varlena *g = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(geom));
	const uint8 *p = (const uint8 *) VARDATA_ANY(g);
	Size		len = VARSIZE_ANY_EXHDR(g);
	int			ndims;
	Size		off = GsHeader(p, len, &poly->srid, &ndims, fname);
	uint32		type;
	bool		first = true;

	poly->n = poly->cap = 0;
	poly->x = poly->y = NULL;
	memcpy(&type, p + off, 4);
	if (type == GS_POLYGONTYPE)
		PolygonVertices(p, len, &off, ndims, poly, &first, fname);
	else if (type == GS_MULTIPOLYGONTYPE)
	{
		uint32		ngeoms;

		memcpy(&ngeoms, p + off + 4, 4);
		off += 8;
		for (uint32 i = 0; i < ngeoms; i++)
		{
			uint32		sub;

			if (off + 8 > len)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("%s: malformed multipolygon value", fname)));
			memcpy(&sub, p + off, 4);
			if (sub != GS_POLYGONTYPE)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("%s: malformed multipolygon value", fname)));
			PolygonVertices(p, len, &off, ndims, poly, &first, fname);
		}
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s with contiguity expects polygon geometries, got a %s", fname,
						type < lengthof(mq_geomtype_names) ? mq_geomtype_names[type] : "curve or surface"),
				 errhint("Pass the units' boundaries (POLYGON or MULTIPOLYGON), or use the distance-band form on points.")));
	return poly->n == 0 ? MQ_POINT_EMPTY : MQ_POINT_OK;
}
