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

/* Build a 2-D point geometry datum (PostGIS 3 serialization). */
extern Datum mq_point_make(double x, double y, int32 srid);

/* Error unless `srid` equals the first SRID seen (`*first`, 0 = unset yet). */
extern void mq_srid_check(int32 srid, int32 *first, bool *have_first, const char *fname);

/* True for SRIDs whose units are degrees of longitude/latitude. */
extern bool mq_srid_is_geographic(int32 srid);

#endif
