/*
 * neighbors.h — fixed-radius neighbour search over planar points.
 *
 * A uniform grid of square buckets whose side is the search radius: the
 * points within radius r of a query lie in the query's bucket or one of its
 * eight neighbours, so a query costs O(1 + neighbours) on average and building
 * the index O(n log n) (one sort).  Only non-empty buckets are stored (an
 * open-addressing hash table of bucket keys), so sparse or far-flung points
 * cost no memory.  Coordinates must be planar (project geographic input
 * first with mq_to_local_meters from geom.h).
 *
 * Typical use:
 *     MqNeighborIndex *ix = mq_nb_build(x, y, n, radius);
 *     const int32 *order = mq_nb_order(ix);
 *     int32 *buf = NULL; int cap = 0;
 *     for (t = 0; t < n; t++) {
 *         int i = order[t];                                 -- bucket order: cache-friendly
 *         int k = mq_nb_within(ix, x[i], y[i], &buf, &cap);  -- includes i itself
 *         ... buf[0..k-1] are indices into x/y with distance <= radius ...
 *     }
 *     mq_nb_free(ix);
 *
 * All memory comes from CurrentMemoryContext at the time of the call; the
 * index copies the coordinates (in bucket order).  Building checks
 * for interrupts.  The radius is fixed at build time.
 */
#ifndef MINQING_NEIGHBORS_H
#define MINQING_NEIGHBORS_H

#include "postgres.h"

typedef struct MqNeighborIndex MqNeighborIndex;

/*
 * Index n points (x[i], y[i]) for queries of radius `radius` (> 0, finite).
 * The coordinates must stay valid while the index is used.
 */
extern MqNeighborIndex *mq_nb_build(const double *x, const double *y, int n, double radius);

/*
 * Indices of all indexed points within the radius (d <= radius, Euclidean)
 * of (qx, qy), written to *buf (grown with repalloc as needed; pass
 * *buf = NULL, *cap = 0 the first time).  Returns their number.  A query at
 * an indexed point's own coordinates returns that point too.
 */
extern int	mq_nb_within(MqNeighborIndex *ix, double qx, double qy, int32 **buf, int *cap);

/*
 * The n point indices in bucket order.  Querying the points in this order is
 * several times faster on large inputs (consecutive queries share buckets and
 * the index remembers the last bucket's neighbourhood).
 */
extern const int32 *mq_nb_order(const MqNeighborIndex *ix);

/* Release the index (the coordinate arrays are the caller's). */
extern void mq_nb_free(MqNeighborIndex *ix);

/*
 * Neighbour lists in compressed form: the neighbours of item i are
 * idx[start[i] .. start[i+1] - 1], ascending, never i itself.
 */
typedef struct MqNbList
{
	int			n;
	int32	   *start;			/* n + 1 offsets */
	int32	   *idx;
} MqNbList;

/*
 * Polygon contiguity as R spdep poly2nb(queen = queen, snap = snap): polygon
 * i has the boundary vertices (vx, vy)[vstart[i] .. vstart[i+1] - 1] (as
 * mq_polygon_read returns them); i and j are neighbours when more than 0
 * (queen) or 1 (rook) pairs of their vertices lie within snap of each other.
 * Sort-and-grid, never quadratic in the number of polygons (contiguity.c).
 */
extern MqNbList *mq_contiguity(int n, const int32 *vstart, const double *vx, const double *vy,
							   bool queen, double snap, const char *fname);

#endif
