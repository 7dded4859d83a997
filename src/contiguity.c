/*
 * contiguity.c — polygon contiguity neighbours (queen / rook) as R spdep's
 * poly2nb computes them, without a quadratic pass over polygon pairs.
 *
 * poly2nb compares boundary vertices: polygons i and j are neighbours when
 * more than `criterion` pairs (vertex of i, vertex of j) lie within the snap
 * distance (Euclidean, d <= snap), criterion 0 for queen (one shared point
 * is enough) and 1 for rook (at least two, i.e. a shared edge).  Here every
 * vertex is put in a square cell of side `snap`; vertices within snap of each
 * other lie in the same or adjacent cells, so sorting the vertices by cell and
 * looking at the 3 × 3 cells around each one finds every close pair in
 * O(V log V + close pairs).  The pairs are then counted per polygon pair.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "neighbors.h"

/* close vertex pairs accepted before the input is refused */
#define CONTIG_MAX_PAIRS	(50 * 1000 * 1000)

typedef struct CVertex
{
	int64		cx;
	int64		cy;
	double		x;
	double		y;
	int32		owner;
} CVertex;

static int
CompareVertex(const void *a, const void *b)
{
	const CVertex *va = (const CVertex *) a;
	const CVertex *vb = (const CVertex *) b;

	if (va->cx != vb->cx)
		return va->cx < vb->cx ? -1 : 1;
	if (va->cy != vb->cy)
		return va->cy < vb->cy ? -1 : 1;
	return (va->owner > vb->owner) - (va->owner < vb->owner);
}

static int
ComparePair(const void *a, const void *b)
{
	const int64 pa = *(const int64 *) a;
	const int64 pb = *(const int64 *) b;

	return (pa > pb) - (pa < pb);
}

/* first index in v[0..n) whose cell is >= (cx, cy) */
static int64
LowerCell(const CVertex *v, int64 n, int64 cx, int64 cy)
{
	int64		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (v[mid].cx < cx || (v[mid].cx == cx && v[mid].cy < cy))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

MqNbList *
mq_contiguity(int n, const int32 *vstart, const double *vx, const double *vy,
			  bool queen, double snap, const char *fname)
{
	int64		nv = vstart[n];
	CVertex    *v;
	int64	   *pairs;
	int64		npairs = 0,
				cap = 1024;
	int32	   *deg;
	MqNbList   *nb;
	int			crit = queen ? 0 : 1;

	v = palloc(mul_size(Max(nv, 1), sizeof(CVertex)));
	for (int i = 0; i < n; i++)
		for (int32 k = vstart[i]; k < vstart[i + 1]; k++)
		{
			double		qx = floor(vx[k] / snap),
						qy = floor(vy[k] / snap);

			if (fabs(qx) > 4e18 || fabs(qy) > 4e18)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("%s: polygon coordinates are too large for the snap distance %g", fname, snap)));
			v[k].cx = (int64) qx;
			v[k].cy = (int64) qy;
			v[k].x = vx[k];
			v[k].y = vy[k];
			v[k].owner = i;
		}
	CHECK_FOR_INTERRUPTS();
	qsort(v, nv, sizeof(CVertex), CompareVertex);

	pairs = palloc(cap * sizeof(int64));
	for (int64 a = 0; a < nv; a++)
	{
		if ((a & 0x3FF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int dx = -1; dx <= 1; dx++)
			for (int dy = -1; dy <= 1; dy++)
			{
				int64		cx = v[a].cx + dx,
							cy = v[a].cy + dy;

				for (int64 b = LowerCell(v, nv, cx, cy); b < nv && v[b].cx == cx && v[b].cy == cy; b++)
				{
					double		ddx,
								ddy;

					if (v[b].owner <= v[a].owner)
						continue;	/* each unordered pair once, never with itself */
					ddx = v[a].x - v[b].x;
					ddy = v[a].y - v[b].y;
					if (fabs(ddx) > snap || fabs(ddy) > snap || hypot(ddx, ddy) > snap)
						continue;
					if (npairs == cap)
					{
						if (cap >= CONTIG_MAX_PAIRS)
							ereport(ERROR,
									(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
									 errmsg("%s: more than %d pairs of coincident boundary vertices",
											fname, CONTIG_MAX_PAIRS),
									 errhint("Simplify the polygons, or check for many polygons stacked on one another.")));
						cap = Min(cap * 2, (int64) CONTIG_MAX_PAIRS);
						pairs = repalloc_huge(pairs, cap * sizeof(int64));
					}
					pairs[npairs++] = ((int64) v[a].owner << 32) | (int64) v[b].owner;
				}
			}
	}
	pfree(v);
	CHECK_FOR_INTERRUPTS();
	qsort(pairs, npairs, sizeof(int64), ComparePair);

	/* keep the polygon pairs with more than crit close vertex pairs */
	deg = palloc0(mul_size(n + 1, sizeof(int32)));
	{
		int64		kept = 0;

		for (int64 a = 0; a < npairs;)
		{
			int64		b = a;

			while (b < npairs && pairs[b] == pairs[a])
				b++;
			if (b - a > crit)
			{
				pairs[kept++] = pairs[a];
				deg[pairs[a] >> 32]++;
				deg[pairs[a] & 0xFFFFFFFF]++;
			}
			a = b;
		}
		npairs = kept;
	}

	nb = palloc(sizeof(MqNbList));
	nb->n = n;
	nb->start = palloc(mul_size(n + 1, sizeof(int32)));
	nb->start[0] = 0;
	for (int i = 0; i < n; i++)
		nb->start[i + 1] = nb->start[i] + deg[i];
	nb->idx = palloc(mul_size(Max(nb->start[n], 1), sizeof(int32)));
	memset(deg, 0, sizeof(int32) * (n + 1));
	/* pairs are sorted by (i, j), i < j: each list comes out ascending */
	for (int64 a = 0; a < npairs; a++)
	{
		int32		i = (int32) (pairs[a] >> 32),
					j = (int32) (pairs[a] & 0xFFFFFFFF);

		nb->idx[nb->start[j] + deg[j]++] = i;
	}
	for (int64 a = 0; a < npairs; a++)
	{
		int32		i = (int32) (pairs[a] >> 32),
					j = (int32) (pairs[a] & 0xFFFFFFFF);

		nb->idx[nb->start[i] + deg[i]++] = j;
	}
	pfree(pairs);
	pfree(deg);
	return nb;
}
