/*
 * geom.h — reading and writing PostGIS points without linking liblwgeom.
 *
 * PostGIS stores a geometry as a GSERIALIZED varlena: 3 bytes of SRID,
 * one flag byte, an optional 8-byte extended-flags word (format 2), an
 * optional float bounding box, then the geometry: uint32 type, uint32 count,
 * coordinates as doubles, all in the machine's byte order.  Points are all
 * the hot paths need, so minqing reads them directly (no fmgr call per row)
 * and hands anything else back to PostGIS SQL functions.
 */
#ifndef MINQING_GEOM_H
#define MINQING_GEOM_H

#include "postgres.h"
#include "fmgr.h"

#include <math.h>

typedef struct MqPoint
{
	double		x;
	double		y;
	int32		srid;
} MqPoint;

typedef enum MqPointStatus
{
	MQ_POINT_OK = 0,
	MQ_POINT_EMPTY = 1			/* POINT EMPTY: callers treat it like NULL */
} MqPointStatus;

/*
 * Read a point.  A geometry that is not a point is an error naming `fname`
 * (callers that accept polygons pass ST_Centroid(geom) themselves); NaN or
 * infinite coordinates are an error.  POINT EMPTY returns MQ_POINT_EMPTY.
 */
extern MqPointStatus mq_point_read(Datum geom, MqPoint *pt, const char *fname);

/*
 * mq_point_read for per-row hot paths: the usual stored point (a short
 * varlena of 29 bytes: SRID and flags without Z, M, bounding box or extended
 * flags, type 1, one coordinate) is read in place with no function call;
 * anything else goes through mq_point_read, with its checks and errors.
 */
static inline MqPointStatus
mq_point_read_inline(Datum geom, MqPoint *pt, const char *fname)
{
	const uint8 *v = (const uint8 *) DatumGetPointer(geom);

	if (VARATT_IS_SHORT(v) && VARSIZE_SHORT(v) == 1 + 28 && (v[4] & 0x17) == 0)
	{
		uint32		type,
					npoints;
		int32		srid = ((int32) v[1] << 16) | ((int32) v[2] << 8) | (int32) v[3];

		memcpy(&type, v + 5, 4);
		memcpy(&npoints, v + 9, 4);
		if (type == 1 && npoints == 1)
		{
			memcpy(&pt->x, v + 13, sizeof(double));
			memcpy(&pt->y, v + 21, sizeof(double));
			pt->srid = (int32) ((uint32) srid << 11) >> 11;
			if (isfinite(pt->x) && isfinite(pt->y))
				return MQ_POINT_OK;
		}
	}
	return mq_point_read(geom, pt, fname);
}

/*
 * The boundary vertices of a POLYGON or MULTIPOLYGON, every ring in order,
 * as spdep's poly2nb sees them: the feature's coordinates with its very first
 * coordinate left out (that is the closing duplicate of the first ring; the
 * other rings keep theirs).  Arrays are palloc'd in CurrentMemoryContext.
 * Other geometry types are an error naming `fname`; non-finite coordinates
 * too.  An empty polygon returns MQ_POINT_EMPTY.  Validity is not checked.
 */
typedef struct MqPolygon
{
	int			n;				/* vertices */
	int			cap;
	double	   *x;
	double	   *y;
	int32		srid;
} MqPolygon;

extern MqPointStatus mq_polygon_read(Datum geom, MqPolygon *poly, const char *fname);

/* Build a 2-D point geometry datum (PostGIS 3 serialization). */
extern Datum mq_point_make(double x, double y, int32 srid);

/* Error unless `srid` equals the first SRID seen (`*first`, 0 = unset yet). */
extern void mq_srid_check(int32 srid, int32 *first, bool *have_first, const char *fname);

/*
 * The SRID an aggregate state keeps for its points: an int32 SRID at payload
 * offset srid_off and an int32 of flags at flags_off whose bit `bit` says it
 * is set (by the first point).  mq_state_srid_add checks a point's SRID
 * against it, or sets it; mq_state_srid_combine does the same with partial
 * state b's SRID, when b has one.  Mixed SRIDs are an error naming fname.
 */
extern void mq_state_srid_add(char *pl, int srid_off, int flags_off, int32 bit, int32 srid,
							  const char *fname);
extern void mq_state_srid_combine(char *pa, const char *pb, int srid_off, int flags_off, int32 bit,
								  const char *fname);

/* True for SRIDs whose units are degrees of longitude/latitude. */
extern bool mq_srid_is_geographic(int32 srid);

/*
 * Local metric projection for geographic input (SPEC §0: distances, cell
 * sizes and bandwidths on lon/lat data are meters).  An ellipsoidal (WGS 84)
 * transverse Mercator centred on (lon0, lat0), scale 1 on the central
 * meridian, origin at the centre: PROJ's
 *   +proj=tmerc +lat_0=<lat0> +lon_0=<lon0> +k=1 +x_0=0 +y_0=0 +ellps=WGS84
 * computed with Krüger's series to 4th order in n (sub-millimetre within a
 * few degrees of the central meridian).  Within 200 km of the centre, scale
 * distortion is below 0.05%, far inside the 0.5% the contract allows.
 */
typedef struct MqTM
{
	double		lon0;			/* radians */
	double		lat0;			/* degrees, kept for documentation */
	double		kA;				/* k0 · rectifying radius A */
	double		xi0;			/* ξ of (lat0, lon0): northing offset / kA */
} MqTM;

extern void mq_tm_init(MqTM *tm, double lon0_deg, double lat0_deg);
extern void mq_tm_forward(const MqTM *tm, double lon_deg, double lat_deg, double *x, double *y);
extern void mq_tm_inverse(const MqTM *tm, double x, double y, double *lon_deg, double *lat_deg);
/* The PROJ string of the projection, palloc'd, e.g. for ST_Transform(geom, proj, srid). */
extern char *mq_tm_proj_string(const MqTM *tm);

/*
 * Every lon/lat input is projected to meters through these two functions, so
 * that the range check and the choice of centre live in one place.
 *
 *   mq_to_local_meters(x, y, n, rule, lon0, lat0, srid, &tm, fname)
 *       checks every (x[i], y[i]) is a longitude in [-180, 180] and a
 *       latitude in [-90, 90] (an error naming fname and srid otherwise),
 *       centres the projection by `rule` and overwrites x, y with meters.
 *       tm (may be NULL) receives the projection, e.g. for mq_tm_inverse.
 *   mq_local_projection(...)   the same without projecting the points: for
 *       callers that project something else (kde's interpolation mesh over
 *       the points' extent), given the points that fix range and centre.
 *
 * Centring rules (each caller keeps the rule its outputs were checked with):
 *   MQ_CENTRE_MEAN      mean of the points, summed in array order
 *                       (hotspot, eb_rate_local, kde_bandwidth)
 *   MQ_CENTRE_MIDRANGE  middle of the points' bounding box (stscan)
 *   MQ_CENTRE_GIVEN     (lon0, lat0) from the caller (kde: a rounded mean of
 *                       partial sums, the same whatever the combine order)
 */
typedef enum MqCentreRule
{
	MQ_CENTRE_MEAN,
	MQ_CENTRE_MIDRANGE,
	MQ_CENTRE_GIVEN
} MqCentreRule;

extern void mq_local_projection(const double *x, const double *y, int64 n, MqCentreRule rule,
								double lon0, double lat0, int32 srid, MqTM *tm,
								const char *fname);
extern void mq_to_local_meters(double *x, double *y, int64 n, MqCentreRule rule,
							   double lon0, double lat0, int32 srid, MqTM *tm,
							   const char *fname);

#endif							/* MINQING_GEOM_H */
