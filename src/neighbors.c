/*
 * neighbors.c — uniform-grid fixed-radius neighbour search; see neighbors.h.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "neighbors.h"

/* one point on its way into the index: its bucket and where it came from */
typedef struct NbEntry
{
	int64		cx;
	int64		cy;
	int64		t;				/* time (space-time index), else 0 */
	int32		idx;
} NbEntry;

/* a non-empty bucket: its key and its run in the sorted arrays */
typedef struct NbBucket
{
	int64		cx;
	int64		cy;
	int32		start;
	int32		count;
} NbBucket;

struct MqNeighborIndex
{
	double		radius;
	double		r2;				/* radius squared */
	double		minx;
	double		miny;
	int			n;
	double	   *sx;				/* coordinates sorted by bucket */
	double	   *sy;
	int32	   *sid;			/* original index of each sorted point */
	int64	   *st;				/* times sorted within each bucket, or NULL */
	NbBucket   *buckets;
	int			nbuckets;
	int32	   *table;			/* open addressing: bucket number or -1 */
	uint64		mask;			/* table size - 1 (a power of two) */
	/* the 3×3 neighbourhood of the last query's bucket */
	bool		have_last;
	int64		last_cx;
	int64		last_cy;
	int			nnear;
	const NbBucket *near[9];
};

/* the space-time index is the planar one with times (ix.st != NULL) */
struct MqSTNeighborIndex
{
	MqNeighborIndex *ix;
	int64		tradius;
};

static void NearBuckets(MqNeighborIndex *ix, double qx, double qy);
static inline void AppendResult(const MqNeighborIndex *ix, int32 **buf, int *cap, int *k, int32 id);

/* Bucket keys beyond this are refused: the radius is absurdly small. */
#define NB_MAX_CELL_COORD	1e15

/* Order points by bucket (cx, then cy), then time, ties by original index (stable). */
static int
CompareEntries(const void *a, const void *b)
{
	const NbEntry *ea = (const NbEntry *) a;
	const NbEntry *eb = (const NbEntry *) b;

	if (ea->cx != eb->cx)
		return ea->cx < eb->cx ? -1 : 1;
	if (ea->cy != eb->cy)
		return ea->cy < eb->cy ? -1 : 1;
	if (ea->t != eb->t)
		return ea->t < eb->t ? -1 : 1;
	return (ea->idx > eb->idx) - (ea->idx < eb->idx);
}

/* Hash of a bucket key (a 64-bit mix of both coordinates). */
static inline uint64
HashCell(int64 cx, int64 cy)
{
	uint64		h = (uint64) cx * UINT64CONST(0x9E3779B97F4A7C15);

	h ^= (uint64) cy + UINT64CONST(0x632BE59BD9B4E019) + (h << 6) + (h >> 2);
	h ^= h >> 33;
	h *= UINT64CONST(0xFF51AFD7ED558CCD);
	h ^= h >> 33;
	return h;
}

/* The bucket with key (cx, cy), or NULL when no point falls in it. */
static inline const NbBucket *
FindBucket(const MqNeighborIndex *ix, int64 cx, int64 cy)
{
	uint64		slot = HashCell(cx, cy) & ix->mask;

	for (;;)
	{
		int32		b = ix->table[slot];

		if (b < 0)
			return NULL;
		if (ix->buckets[b].cx == cx && ix->buckets[b].cy == cy)
			return &ix->buckets[b];
		slot = (slot + 1) & ix->mask;
	}
}

/*
 * NbBuild: bucket every point by floor((coord - min) / radius), sort by
 * bucket (and by time inside a bucket when `t` is given), record each
 * bucket's run and hash the buckets.
 */
static MqNeighborIndex *
NbBuild(const double *x, const double *y, const int64 *t, int n, double radius)
{
	MqNeighborIndex *ix = palloc0(sizeof(MqNeighborIndex));
	NbEntry    *e;
	double		maxx,
				maxy;
	uint64		tsize;
	int			i;

	if (!(radius > 0.0) || !isfinite(radius))
		elog(ERROR, "mq_nb_build: radius must be positive and finite");
	ix->radius = radius;
	ix->r2 = radius * radius;
	ix->n = n;
	ix->minx = ix->miny = 0.0;
	maxx = maxy = 0.0;
	for (i = 0; i < n; i++)
	{
		if (i == 0 || x[i] < ix->minx)
			ix->minx = x[i];
		if (i == 0 || y[i] < ix->miny)
			ix->miny = y[i];
		if (i == 0 || x[i] > maxx)
			maxx = x[i];
		if (i == 0 || y[i] > maxy)
			maxy = y[i];
	}
	if ((maxx - ix->minx) / radius > NB_MAX_CELL_COORD ||
		(maxy - ix->miny) / radius > NB_MAX_CELL_COORD)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("distance %g is too small for the extent of the points", radius),
				 errdetail("The points span %g by %g units.", maxx - ix->minx, maxy - ix->miny),
				 errhint("Use a distance in the units of the coordinate system (meters for geographic input).")));

	e = palloc(mul_size(Max(n, 1), sizeof(NbEntry)));
	for (i = 0; i < n; i++)
	{
		e[i].cx = (int64) floor((x[i] - ix->minx) / radius);
		e[i].cy = (int64) floor((y[i] - ix->miny) / radius);
		e[i].t = t ? t[i] : 0;
		e[i].idx = i;
	}
	CHECK_FOR_INTERRUPTS();
	qsort(e, n, sizeof(NbEntry), CompareEntries);
	CHECK_FOR_INTERRUPTS();

	ix->sx = palloc(mul_size(Max(n, 1), sizeof(double)));
	ix->sy = palloc(mul_size(Max(n, 1), sizeof(double)));
	ix->sid = palloc(mul_size(Max(n, 1), sizeof(int32)));
	ix->st = t ? palloc(mul_size(Max(n, 1), sizeof(int64))) : NULL;
	ix->buckets = palloc(mul_size(Max(n, 1), sizeof(NbBucket)));
	ix->nbuckets = 0;
	for (i = 0; i < n; i++)
	{
		NbBucket   *b;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		ix->sx[i] = x[e[i].idx];
		ix->sy[i] = y[e[i].idx];
		ix->sid[i] = e[i].idx;
		if (t)
			ix->st[i] = e[i].t;
		if (ix->nbuckets == 0 ||
			ix->buckets[ix->nbuckets - 1].cx != e[i].cx ||
			ix->buckets[ix->nbuckets - 1].cy != e[i].cy)
		{
			b = &ix->buckets[ix->nbuckets++];
			b->cx = e[i].cx;
			b->cy = e[i].cy;
			b->start = i;
			b->count = 0;
		}
		ix->buckets[ix->nbuckets - 1].count++;
	}
	pfree(e);

	/* hash table at most half full */
	tsize = 16;
	while (tsize < (uint64) ix->nbuckets * 2)
		tsize <<= 1;
	ix->mask = tsize - 1;
	ix->table = palloc(mul_size(tsize, sizeof(int32)));
	memset(ix->table, 0xFF, tsize * sizeof(int32));
	for (i = 0; i < ix->nbuckets; i++)
	{
		uint64		slot = HashCell(ix->buckets[i].cx, ix->buckets[i].cy) & ix->mask;

		while (ix->table[slot] >= 0)
			slot = (slot + 1) & ix->mask;
		ix->table[slot] = i;
	}
	return ix;
}

/* mq_nb_build: the planar index (NbBuild without times). */
MqNeighborIndex *
mq_nb_build(const double *x, const double *y, int n, double radius)
{
	return NbBuild(x, y, NULL, n, radius);
}

/*
 * mq_nb_within: scan the 3×3 buckets around the query and keep the points
 * at distance <= radius.  Results come in bucket order.
 */
int
mq_nb_within(MqNeighborIndex *ix, double qx, double qy, int32 **buf, int *cap)
{
	int			k = 0;

	NearBuckets(ix, qx, qy);
	for (int nb = 0; nb < ix->nnear; nb++)
	{
		{
			const NbBucket *b = ix->near[nb];
			int			end = b->start + b->count;

			for (int j = b->start; j < end; j++)
			{
				double		ddx = ix->sx[j] - qx;
				double		ddy = ix->sy[j] - qy;

				if (ddx * ddx + ddy * ddy > ix->r2)
					continue;
				AppendResult(ix, buf, cap, &k, ix->sid[j]);
			}
		}
	}
	return k;
}

/* ix->near := the non-empty buckets of the 3×3 block around (qx, qy) */
static void
NearBuckets(MqNeighborIndex *ix, double qx, double qy)
{
	int64		qcx = (int64) floor((qx - ix->minx) / ix->radius);
	int64		qcy = (int64) floor((qy - ix->miny) / ix->radius);

	if (!ix->have_last || ix->last_cx != qcx || ix->last_cy != qcy)
	{
		ix->nnear = 0;
		for (int64 dx = -1; dx <= 1; dx++)
			for (int64 dy = -1; dy <= 1; dy++)
			{
				const NbBucket *b = FindBucket(ix, qcx + dx, qcy + dy);

				if (b != NULL)
					ix->near[ix->nnear++] = b;
			}
		ix->have_last = true;
		ix->last_cx = qcx;
		ix->last_cy = qcy;
	}
}

/* append one result index to *buf, growing it geometrically */
static inline void
AppendResult(const MqNeighborIndex *ix, int32 **buf, int *cap, int *k, int32 id)
{
	if (*k >= *cap)
	{
		int			newcap = Max(64, *cap * 2);

		if ((Size) newcap * sizeof(int32) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many neighbours within distance %g", ix->radius),
					 errhint("Use a smaller distance.")));
		*buf = *buf ? repalloc(*buf, newcap * sizeof(int32))
			: palloc(newcap * sizeof(int32));
		*cap = newcap;
	}
	(*buf)[(*k)++] = id;
}

/* mq_nb_order: original indices in bucket order (the index's own array). */
const int32 *
mq_nb_order(const MqNeighborIndex *ix)
{
	return ix->sid;
}

/* mq_nb_free: release everything mq_nb_build allocated. */
void
mq_nb_free(MqNeighborIndex *ix)
{
	if (ix == NULL)
		return;
	pfree(ix->sx);
	pfree(ix->sy);
	pfree(ix->sid);
	if (ix->st)
		pfree(ix->st);
	pfree(ix->buckets);
	pfree(ix->table);
	pfree(ix);
}

/* ---- space-time index ---- */

/* mq_stnb_bytes: what mq_stnb_build allocates at most for n points */
Size
mq_stnb_bytes(int64 n)
{
	Size		per = sizeof(NbEntry) + 2 * sizeof(double) + sizeof(int32) +
		sizeof(int64) + sizeof(NbBucket) + 2 * 2 * sizeof(int32);

	return mul_size((Size) Max(n, 1), per) + 1024;
}

/* mq_stnb_build: the planar grid of side `radius`, time-sorted buckets */
MqSTNeighborIndex *
mq_stnb_build(const double *x, const double *y, const int64 *t, int n,
			  double radius, int64 tradius)
{
	MqSTNeighborIndex *six = palloc0(sizeof(MqSTNeighborIndex));

	if (tradius < 0)
		elog(ERROR, "mq_stnb_build: time radius must not be negative");
	six->ix = NbBuild(x, y, t, n, radius);
	six->tradius = tradius;
	return six;
}

/* first position in [lo, hi) whose time is >= t (the bucket run is time-sorted) */
static inline int
LowerBoundTime(const int64 *st, int lo, int hi, int64 t)
{
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (st[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * mq_stnb_within: in each of the 3×3 buckets, binary-search the first point
 * at or after qt − tradius and scan while the time is <= qt + tradius.
 * Times saturate instead of overflowing near the int64 ends.
 */
int
mq_stnb_within(MqSTNeighborIndex *six, double qx, double qy, int64 qt,
			   int32 **buf, int *cap)
{
	MqNeighborIndex *ix = six->ix;
	int64		tlo = (qt < PG_INT64_MIN + six->tradius) ? PG_INT64_MIN : qt - six->tradius;
	int64		thi = (qt > PG_INT64_MAX - six->tradius) ? PG_INT64_MAX : qt + six->tradius;
	int			k = 0;

	NearBuckets(ix, qx, qy);
	for (int nb = 0; nb < ix->nnear; nb++)
	{
		const NbBucket *b = ix->near[nb];
		int			end = b->start + b->count;

		for (int j = LowerBoundTime(ix->st, b->start, end, tlo); j < end && ix->st[j] <= thi; j++)
		{
			double		ddx = ix->sx[j] - qx;
			double		ddy = ix->sy[j] - qy;

			if (ddx * ddx + ddy * ddy > ix->r2)
				continue;
			AppendResult(ix, buf, cap, &k, ix->sid[j]);
		}
	}
	return k;
}

/* mq_stnb_order: original indices in (bucket, time) order */
const int32 *
mq_stnb_order(const MqSTNeighborIndex *six)
{
	return six->ix->sid;
}

/* mq_stnb_free: release the index */
void
mq_stnb_free(MqSTNeighborIndex *six)
{
	if (six == NULL)
		return;
	mq_nb_free(six->ix);
	pfree(six);
}
