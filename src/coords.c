/*
 * coords.c — Chinese map-provider coordinate offsets (SPEC §1).
 *
 * GCJ-02 ("Mars coordinates", used by AMap/Tencent) is WGS-84 plus a
 * published nonlinear offset on the Krasovsky ellipsoid; BD-09 (Baidu) adds
 * a further polar-coordinate offset to GCJ-02.  Forward transforms are
 * closed-form; inverses are solved by fixed-point iteration to 1e-12
 * degrees, so every round trip is exact to far better than 1e-6 degrees.
 * Outside China's bounding box every transform is the identity.
 *
 * The SQL wrappers hand the geometry over as EWKB (ST_AsEWKB), this file
 * rewrites each coordinate pair in a copy, and ST_GeomFromEWKB reads it
 * back: every geometry type works and no PostGIS internals are touched.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"

#define KRASOVSKY_A		6378245.0
#define KRASOVSKY_EE	0.00669342162296594323
#define BD_X_PI			(M_PI * 3000.0 / 180.0)

typedef enum CoordMode
{
	WGS84_TO_GCJ02 = 1,
	GCJ02_TO_WGS84 = 2,
	BD09_TO_WGS84 = 3,
	WGS84_TO_BD09 = 4,
	GCJ02_TO_BD09 = 5,
	BD09_TO_GCJ02 = 6
} CoordMode;

static bool
OutOfChina(double lon, double lat)
{
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

static double
OffsetLat(double x, double y)
{
	double		r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));

	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
	return r;
}

static double
OffsetLon(double x, double y)
{
	double		r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));

	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
	return r;
}

static void
WgsToGcj(double lon, double lat, double *glon, double *glat)
{
	double		dlat,
				dlon,
				rad,
				magic,
				sq;

	if (OutOfChina(lon, lat))
	{
		*glon = lon;
		*glat = lat;
		return;
	}
	dlat = OffsetLat(lon - 105.0, lat - 35.0);
	dlon = OffsetLon(lon - 105.0, lat - 35.0);
	rad = lat / 180.0 * M_PI;
	magic = sin(rad);
	magic = 1.0 - KRASOVSKY_EE * magic * magic;
	sq = sqrt(magic);
	dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sq) * M_PI);
	dlon = (dlon * 180.0) / (KRASOVSKY_A / sq * cos(rad) * M_PI);
	*glat = lat + dlat;
	*glon = lon + dlon;
}

static void
GcjToBd(double lon, double lat, double *blon, double *blat)
{
	double		z,
				th;

	if (OutOfChina(lon, lat))
	{
		*blon = lon;
		*blat = lat;
		return;
	}
	z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
	th = atan2(lat, lon) + 0.000003 * cos(lon * BD_X_PI);
	*blon = z * cos(th) + 0.0065;
	*blat = z * sin(th) + 0.006;
}

/*
 * Invert a forward transform f by fixed-point iteration x ← x + (target −
 * f(x)); the offsets are smooth and small, so it contracts in a few steps.
 */
static void
Invert(void (*f) (double, double, double *, double *),
	   double tlon, double tlat, double *lon, double *lat)
{
	double		x = tlon,
				y = tlat;

	if (OutOfChina(tlon, tlat))
	{
		*lon = tlon;
		*lat = tlat;
		return;
	}
	for (int i = 0; i < 50; i++)
	{
		double		fx,
					fy,
					dx,
					dy;

		f(x, y, &fx, &fy);
		dx = tlon - fx;
		dy = tlat - fy;
		x += dx;
		y += dy;
		if (fabs(dx) < 1e-13 && fabs(dy) < 1e-13)
			break;
	}
	*lon = x;
	*lat = y;
}

static void
WgsToBd(double lon, double lat, double *blon, double *blat)
{
	double		gx,
				gy;

	if (OutOfChina(lon, lat))
	{
		*blon = lon;
		*blat = lat;
		return;
	}
	WgsToGcj(lon, lat, &gx, &gy);
	GcjToBd(gx, gy, blon, blat);
}

static void
ConvertPair(CoordMode mode, double *x, double *y)
{
	double		ox = *x,
				oy = *y;

	if (!isfinite(ox) || !isfinite(oy))
		return;					/* empty points are NaN in WKB */
	switch (mode)
	{
		case WGS84_TO_GCJ02:
			WgsToGcj(ox, oy, x, y);
			break;
		case GCJ02_TO_WGS84:
			Invert(WgsToGcj, ox, oy, x, y);
			break;
		case BD09_TO_WGS84:
			Invert(WgsToBd, ox, oy, x, y);
			break;
		case WGS84_TO_BD09:
			WgsToBd(ox, oy, x, y);
			break;
		case GCJ02_TO_BD09:
			GcjToBd(ox, oy, x, y);
			break;
		case BD09_TO_GCJ02:
			Invert(GcjToBd, ox, oy, x, y);
			break;
	}
}

/* ---- EWKB walking ---- */
typedef struct WkbCursor
{
	char	   *p;
	char	   *end;
} WkbCursor;

static void
WkbNeed(WkbCursor *c, Size n)
{
	if ((Size) (c->end - c->p) < n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("truncated geometry value")));
}

static uint32
WkbUint(WkbCursor *c, bool le)
{
	uint8	   *b;

	WkbNeed(c, 4);
	b = (uint8 *) c->p;
	c->p += 4;
	return le ? ((uint32) b[0] | (uint32) b[1] << 8 | (uint32) b[2] << 16 | (uint32) b[3] << 24)
		: ((uint32) b[3] | (uint32) b[2] << 8 | (uint32) b[1] << 16 | (uint32) b[0] << 24);
}

/* Reverse the 8 bytes of a double when the WKB byte order differs from ours. */
static void
WkbOrderBytes(uint8 *b, bool le)
{
	bool		native_le = true;

#ifdef WORDS_BIGENDIAN
	native_le = false;
#endif
	if (le != native_le)
		for (int i = 0; i < 4; i++)
		{
			uint8		t = b[i];

			b[i] = b[7 - i];
			b[7 - i] = t;
		}
}

static double
WkbGetDouble(char *p, bool le)
{
	uint8		b[8];
	double		d;

	memcpy(b, p, 8);
	WkbOrderBytes(b, le);
	memcpy(&d, b, 8);
	return d;
}

static void
WkbPutDouble(char *p, double d, bool le)
{
	uint8		b[8];

	memcpy(b, &d, 8);
	WkbOrderBytes(b, le);
	memcpy(p, b, 8);
}

static void
WkbPoints(WkbCursor *c, uint32 n, int ndims, bool le, CoordMode mode)
{
	if (n > (Size) (c->end - c->p) / (8 * ndims))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("truncated geometry value")));
	for (uint32 i = 0; i < n; i++)
	{
		double		x = WkbGetDouble(c->p, le),
					y = WkbGetDouble(c->p + 8, le);

		ConvertPair(mode, &x, &y);
		WkbPutDouble(c->p, x, le);
		WkbPutDouble(c->p + 8, y, le);
		c->p += 8 * ndims;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

static void
WkbGeometry(WkbCursor *c, CoordMode mode, int depth)
{
	bool		le;
	uint32		type,
				base,
				n;
	int			ndims = 2;

	if (depth > 32)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("geometry collections nested deeper than 32 levels are not supported")));
	WkbNeed(c, 1);
	le = (*c->p++ == 1);
	type = WkbUint(c, le);
	if (type & 0x80000000)
		ndims++;
	if (type & 0x40000000)
		ndims++;
	if (type & 0x20000000)
		(void) WkbUint(c, le);	/* SRID */
	base = type & 0x0FFFFFFF;
	if (base >= 1000)
	{
		/* ISO WKB: 1000 Z, 2000 M, 3000 ZM */
		ndims = 2 + (base / 1000 == 3 ? 2 : 1);
		base %= 1000;
	}
	switch (base)
	{
		case 1:					/* point */
			WkbPoints(c, 1, ndims, le, mode);
			break;
		case 2:					/* linestring */
		case 8:					/* circularstring */
			n = WkbUint(c, le);
			WkbPoints(c, n, ndims, le, mode);
			break;
		case 3:					/* polygon */
		case 17:				/* triangle */
			n = WkbUint(c, le);
			for (uint32 r = 0; r < n; r++)
				WkbPoints(c, WkbUint(c, le), ndims, le, mode);
			break;
		case 4:
		case 5:
		case 6:
		case 7:
		case 9:
		case 10:
		case 11:
		case 12:
		case 15:
		case 16:
			n = WkbUint(c, le);
			for (uint32 g = 0; g < n; g++)
				WkbGeometry(c, mode, depth + 1);
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("geometry type %u is not supported by the coordinate conversions", base)));
	}
}

/*
 * _coord_convert(ewkb bytea, mode int) -> ewkb with every (x, y) converted.
 * Internal; called by the SQL wrappers gcj02_to_wgs84() and friends.
 */
PG_FUNCTION_INFO_V1(mq_coord_convert);
Datum
mq_coord_convert(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	int32		mode = PG_GETARG_INT32(1);
	Size		len = VARSIZE_ANY_EXHDR(in);
	bytea	   *out = (bytea *) palloc(VARHDRSZ + len);
	WkbCursor	c;

	if (mode < WGS84_TO_GCJ02 || mode > BD09_TO_GCJ02)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown coordinate conversion %d", mode)));
	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), VARDATA_ANY(in), len);
	c.p = VARDATA(out);
	c.end = c.p + len;
	WkbGeometry(&c, (CoordMode) mode, 0);
	PG_RETURN_BYTEA_P(out);
}
