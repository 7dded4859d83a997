/*
 * hotspot.c — local spatial statistics as window functions (SPEC §3):
 *   gi_star(value, geom, distance)                  Getis-Ord Gi* z-score
 *   hotspot(value, geom, distance [, fdr])          (z, p, bin) as ArcGIS Gi_Bin
 *   local_moran(value, geom, distance)              (i, z, p, quadrant), analytical p
 *   local_moran(value, geom, distance, permutations, seed)
 *                                                   the same with a permutation p
 *   moran(value, geom, distance)                    global Moran's I (SPEC §12)
 *   and the same four with `contiguity text` ('queen' / 'rook') in place of
 *   the distance: polygons, neighbours as R spdep poly2nb (contiguity.c).
 *
 * They follow PostGIS's ST_ClusterDBSCAN: on the first call of a partition
 * every row is read once (WinGetFuncArgInPartition), the statistics of all
 * rows are computed into WinGetPartitionLocalMemory, and each call returns
 * its row's precomputed result.  Neighbours (distance band, d <= distance)
 * come from the uniform-grid index in neighbors.c, so a partition of n points
 * with k neighbours each costs O(n log n + n k), never O(n²).
 *
 * Rows with a NULL (or POINT EMPTY) in any argument get NULL and are left out
 * of n, the mean and the variance, exactly as if they were not there.
 * Geographic input (lon/lat SRIDs) is projected with a local transverse
 * Mercator centred on the partition's mean lon/lat, so distances are meters.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "geom.h"
#include "mqhash.h"
#include "neighbors.h"
#include "result.h"
#include "stats.h"
#include "window.h"

PG_FUNCTION_INFO_V1(gi_star);
PG_FUNCTION_INFO_V1(hotspot);
PG_FUNCTION_INFO_V1(local_moran);
PG_FUNCTION_INFO_V1(local_moran_perm);
PG_FUNCTION_INFO_V1(moran);
PG_FUNCTION_INFO_V1(gi_star_contiguity);
PG_FUNCTION_INFO_V1(hotspot_contiguity);
PG_FUNCTION_INFO_V1(local_moran_contiguity);
PG_FUNCTION_INFO_V1(moran_contiguity);
PG_FUNCTION_INFO_V1(contiguity_neighbors);

/* which statistic a partition computes */
typedef enum HsKind
{
	HS_GI_STAR,
	HS_HOTSPOT,
	HS_MORAN,
	HS_MORAN_PERM,
	HS_MORAN_GLOBAL,
	HS_NEIGHBORS
} HsKind;

/* per-row result flags */
#define HS_ROW_NULL		0x01	/* the whole result is NULL */
#define HS_A_NULL		0x02	/* field a (z of Gi*, i of Moran) is NULL */
#define HS_B_NULL		0x04	/* field b */
#define HS_C_NULL		0x08	/* field c */

/*
 * One row's result: Gi* (a = z), hotspot (a = z, b = p, bin), Moran (a = i,
 * b = z, c = p, quad), global Moran (a = I, b = z, c = p, d = E[I], e = Var).
 */
typedef struct HsRow
{
	double		a;
	double		b;
	double		c;
	double		d;
	double		e;
	int32		bin;
	int32		nids;			/* contiguity_neighbors: ids[0 .. nids-1] */
	int64	   *ids;
	uint8		quad;			/* 0 HH, 1 LH, 2 LL, 3 HL */
	uint8		flags;
} HsRow;

/* The non-NULL rows of a partition, in planar coordinates. */
typedef struct HsInput
{
	int			n;				/* usable rows */
	int32	   *row;			/* partition position of each usable row */
	double	   *x;
	double	   *y;
	double	   *v;				/* the value */
	double		distance;
	bool		contiguity;		/* neighbours by polygon contiguity, not distance */
	bool		queen;			/* queen (else rook) contiguity */
	MqPolygon  *poly;			/* contiguity: each usable row's boundary vertices */
	MqNbList   *nblist;			/* contiguity: neighbour lists, canonical order */
	int32	   *pid;			/* contiguity: index into poly of each usable row */
	bool		fdr;			/* hotspot */
	int32		permutations;	/* local_moran with permutations */
	int32		seed;
} HsInput;

static const char *const hs_quadrants[] = {"HH", "LH", "LL", "HL"};

/* Largest permutations count accepted by local_moran. */
#define HS_MAX_PERMUTATIONS	99999

/* a usable row while sorting into canonical order */
typedef struct HsPoint
{
	double		x;
	double		y;
	double		v;
	int32		row;
	int32		pid;
} HsPoint;

static int
CompareInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return (x > y) - (x < y);
}

static int
ComparePoints(const void *a, const void *b)
{
	const HsPoint *pa = (const HsPoint *) a;
	const HsPoint *pb = (const HsPoint *) b;

	if (pa->x != pb->x)
		return pa->x < pb->x ? -1 : 1;
	if (pa->y != pb->y)
		return pa->y < pb->y ? -1 : 1;
	if (pa->v != pb->v)
		return pa->v < pb->v ? -1 : 1;
	return (pa->row > pb->row) - (pa->row < pb->row);
}

/*
 * Put the usable rows in a canonical order (by x, y, value), so that sums,
 * the projection centre and the permutation draws do not depend on the order
 * in which the window delivers the rows.  Only rows identical in position
 * and value (hence interchangeable) keep their partition order.
 */
static void
SortCanonical(HsInput *in)
{
	HsPoint    *pts = palloc(mul_size(Max(in->n, 1), sizeof(HsPoint)));

	for (int i = 0; i < in->n; i++)
	{
		pts[i].x = in->x[i];
		pts[i].y = in->y[i];
		pts[i].v = in->v[i];
		pts[i].row = in->row[i];
		pts[i].pid = in->contiguity ? in->pid[i] : 0;
	}
	CHECK_FOR_INTERRUPTS();
	qsort(pts, in->n, sizeof(HsPoint), ComparePoints);
	for (int i = 0; i < in->n; i++)
	{
		in->x[i] = pts[i].x;
		in->y[i] = pts[i].y;
		in->v[i] = pts[i].v;
		in->row[i] = pts[i].row;
		if (in->contiguity)
			in->pid[i] = pts[i].pid;
	}
	pfree(pts);
}

/* 'queen' → 1, 'rook' → 2 (case-insensitive); anything else is an error */
static int
ContiguityCode(MqWindow *w, text *t)
{
	char	   *s = text_to_cstring(t);

	if (pg_strcasecmp(s, "queen") == 0)
		return 1;
	if (pg_strcasecmp(s, "rook") == 0)
		return 2;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown contiguity \"%s\"", w->fname, s),
			 errhint("Use 'queen' (a shared boundary point) or 'rook' (a shared boundary segment); a distance band takes a number.")));
	return 0;					/* keep compiler quiet */
}

/*
 * Contiguity forms: the usable rows' polygons (in canonical order) to
 * neighbour lists, with spdep poly2nb's default snap sqrt(DBL_EPSILON) in
 * CRS units (degrees for lon/lat: vertices are compared, not distances).
 */
static void
BuildContiguity(HsInput *in, const char *fname)
{
	int32	   *vstart = palloc(mul_size(in->n + 1, sizeof(int32)));
	int64		nv = 0;
	double	   *vx,
			   *vy;

	for (int i = 0; i < in->n; i++)
	{
		vstart[i] = (int32) nv;
		nv += in->poly[in->pid[i]].n;
		if (nv > PG_INT32_MAX / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s: the polygons have more than %d boundary vertices", fname, PG_INT32_MAX / 2),
					 errhint("Simplify the polygons (ST_SimplifyPreserveTopology) or split the partition.")));
	}
	vstart[in->n] = (int32) nv;
	vx = palloc(mul_size(Max(nv, 1), sizeof(double)));
	vy = palloc(mul_size(Max(nv, 1), sizeof(double)));
	for (int i = 0; i < in->n; i++)
	{
		MqPolygon  *pg = &in->poly[in->pid[i]];

		memcpy(vx + vstart[i], pg->x, sizeof(double) * pg->n);
		memcpy(vy + vstart[i], pg->y, sizeof(double) * pg->n);
	}
	in->nblist = mq_contiguity(in->n, vstart, vx, vy, in->queen, sqrt(DBL_EPSILON), fname);
}

/*
 * Read every row of the partition once: validate the arguments, keep the
 * usable rows (no NULL argument, not POINT EMPTY), check SRIDs and per-call
 * constants, and project lon/lat to local meters (distance forms) or build
 * the contiguity neighbour lists (contiguity forms).
 */
static void
ReadPartition(MqWindow *w, HsKind kind, bool contiguity, HsInput *in)
{
	MemoryContext rowctx = AllocSetContextCreate(CurrentMemoryContext, "minqing hotspot row",
												 ALLOCSET_SMALL_SIZES);
	MemoryContext oldctx;
	int			nextra = (kind == HS_HOTSPOT) ? 1 : (kind == HS_MORAN_PERM) ? 2 : 0;
	int64		nrows = w->nrows;
	int32		srid = 0;
	bool		have_srid = false;
	MqWinConst	cdist = MQ_WIN_CONST_INIT,
				cfdr = MQ_WIN_CONST_INIT,
				cperm = MQ_WIN_CONST_INIT,
				cseed = MQ_WIN_CONST_INIT;
	int			n = 0;

	in->contiguity = contiguity;
	in->nblist = NULL;
	if (contiguity)
	{
		in->poly = palloc(mul_size(Max(nrows, 1), sizeof(MqPolygon)));
		in->pid = palloc(mul_size(Max(nrows, 1), sizeof(int32)));
	}
	in->row = palloc(mul_size(Max(nrows, 1), sizeof(int32)));
	in->x = palloc(mul_size(Max(nrows, 1), sizeof(double)));
	in->y = palloc(mul_size(Max(nrows, 1), sizeof(double)));
	in->v = palloc(mul_size(Max(nrows, 1), sizeof(double)));
	in->distance = 0;
	in->fdr = true;
	in->permutations = 0;
	in->seed = 0;

	for (int64 r = 0; r < nrows; r++)
	{
		Datum		d[5];
		bool		isnull[5];
		bool		anynull = false;
		MqPoint		pt;
		int			nargs = 3 + nextra;

		CHECK_FOR_INTERRUPTS();
		oldctx = MemoryContextSwitchTo(rowctx);
		for (int a = 0; a < nargs; a++)
		{
			d[a] = mq_warg_datum(w, a, r, &isnull[a]);
			anynull |= isnull[a];
		}
		if (anynull)
		{
			MemoryContextSwitchTo(oldctx);
			MemoryContextReset(rowctx);
			continue;
		}

		/* the per-call constants first: a bad distance is an error even on empty points */
		if (contiguity)
			mq_window_constant(w, &cdist, "contiguity", ContiguityCode(w, DatumGetTextPP(d[2])), r);
		else
		{
			mq_check_positive_finite(DatumGetFloat8(d[2]), w->fname, "distance", MQ_HINT_LENGTH);
			mq_window_constant(w, &cdist, "distance", DatumGetFloat8(d[2]), r);
		}
		if (kind == HS_HOTSPOT)
			mq_window_constant(w, &cfdr, "fdr", DatumGetBool(d[3]) ? 1 : 0, r);
		else if (kind == HS_MORAN_PERM)
		{
			int32		perms = DatumGetInt32(d[3]);

			if (perms < 1 || perms > HS_MAX_PERMUTATIONS)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: permutations must be between 1 and %d", w->fname, HS_MAX_PERMUTATIONS),
						 errdetail("Got %d.", perms),
						 errhint("999 is the usual choice.")));
			mq_window_constant(w, &cperm, "permutations", perms, r);
			mq_window_constant(w, &cseed, "seed", DatumGetInt32(d[4]), r);
		}

		if (contiguity)
		{
			/* the vertex arrays must outlive the row context */
			MqPolygon  *pg = &in->poly[n];

			MemoryContextSwitchTo(oldctx);
			if (mq_polygon_read(d[1], pg, w->fname) == MQ_POINT_EMPTY)
			{
				MemoryContextReset(rowctx);
				continue;
			}
			MemoryContextSwitchTo(rowctx);
			pt.srid = pg->srid;
			pt.x = pg->x[0];
			pt.y = pg->y[0];
			in->pid[n] = n;
		}
		else if (mq_point_read(d[1], &pt, w->fname) == MQ_POINT_EMPTY)
		{
			MemoryContextSwitchTo(oldctx);
			MemoryContextReset(rowctx);
			continue;
		}
		mq_srid_check(pt.srid, &srid, &have_srid, w->fname);
		{
			double		v = (kind == HS_NEIGHBORS) ? (double) DatumGetInt64(d[0]) : DatumGetFloat8(d[0]);

			if (isnan(v) || isinf(v))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: value must be finite", w->fname),
						 errdetail("Got %g on row %lld of the partition.", v, (long long) r + 1),
						 errhint("Filter out NaN and infinite values, or turn them into NULL with NULLIF(value, 'NaN').")));
			in->v[n] = v;
		}
		in->x[n] = pt.x;
		in->y[n] = pt.y;
		in->row[n] = (int32) r;
		n++;
		MemoryContextSwitchTo(oldctx);
		MemoryContextReset(rowctx);
	}
	MemoryContextDelete(rowctx);

	in->n = n;
	SortCanonical(in);
	in->distance = cdist.value;
	in->queen = contiguity && cdist.value == 1;
	in->fdr = !cfdr.have || cfdr.value != 0;
	in->permutations = (int32) cperm.value;
	in->seed = (int32) cseed.value;

	if (contiguity)
		BuildContiguity(in, w->fname);
	/* lon/lat: project to meters around the partition's mean position */
	else if (n > 0 && mq_srid_is_geographic(srid))
		mq_to_local_meters(in->x, in->y, n, MQ_CENTRE_MEAN, 0, 0, srid, NULL, w->fname);
}

/*
 * One neighbour walk over a partition, for either kind of neighbours: the
 * items in a good visiting order (NbItem), and each item's neighbours with
 * the item itself included (NbGet: distance band d <= distance from the grid
 * index, or the contiguity list plus the item).
 */
typedef struct HsNb
{
	const HsInput *in;
	MqNeighborIndex *ix;		/* distance forms */
	const int32 *order;
	int32	   *buf;
	int			cap;
} HsNb;

static void
NbOpen(HsNb *nb, const HsInput *in)
{
	nb->in = in;
	nb->buf = NULL;
	nb->cap = 0;
	nb->ix = NULL;
	nb->order = NULL;
	if (!in->contiguity)
	{
		nb->ix = mq_nb_build(in->x, in->y, in->n, in->distance);
		nb->order = mq_nb_order(nb->ix);
	}
}

static inline int
NbItem(const HsNb *nb, int t)
{
	return nb->order ? nb->order[t] : t;
}

static int
NbGet(HsNb *nb, int i, int32 **out)
{
	const MqNbList *l = nb->in->nblist;
	int			k;

	if (nb->ix)
		k = mq_nb_within(nb->ix, nb->in->x[i], nb->in->y[i], &nb->buf, &nb->cap);
	else
	{
		k = 1 + l->start[i + 1] - l->start[i];
		if (k > nb->cap)
		{
			nb->cap = Max(k, 2 * nb->cap);
			nb->buf = nb->buf ? repalloc(nb->buf, sizeof(int32) * nb->cap) : palloc(sizeof(int32) * nb->cap);
		}
		nb->buf[0] = i;
		memcpy(nb->buf + 1, l->idx + l->start[i], sizeof(int32) * (k - 1));
	}
	*out = nb->buf;
	return k;
}

static void
NbClose(HsNb *nb)
{
	if (nb->ix)
		mq_nb_free(nb->ix);
}

/*
 * Mean and population variance (Σ(x − x̄)²/n, two passes).  Returns false
 * when the variance is zero up to rounding: the statistics are undefined.
 */
static bool
MeanVariance(const HsInput *in, double *mean, double *var)
{
	double		s = 0,
				ss = 0,
				sq = 0;

	for (int i = 0; i < in->n; i++)
		s += in->v[i];
	*mean = s / in->n;
	CHECK_FOR_INTERRUPTS();
	for (int i = 0; i < in->n; i++)
	{
		double		dv = in->v[i] - *mean;

		ss += dv * dv;
		sq += in->v[i] * in->v[i];
	}
	*var = ss / in->n;
	/* constant values leave only rounding noise of relative size ~1e-32 */
	return *var > 1e-24 * (sq / in->n);
}

/*
 * Getis-Ord Gi* with binary distance-band weights, self included:
 *   z_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²)/(n − 1))), W_i = Σ_j w_ij.
 * z is NULL where the band covers every point (W_i = n: no contrast).
 */
static void
ComputeGiStar(const HsInput *in, HsRow *rows)
{
	double		mean,
				var,
				s;
	HsNb		nb;
	int32	   *buf;
	int			n = in->n;

	if (n < 3 || !MeanVariance(in, &mean, &var))
		return;					/* every row stays NULL */
	s = sqrt(var);
	NbOpen(&nb, in);
	for (int t = 0; t < n; t++)
	{
		int			i = NbItem(&nb, t);
		int			k = NbGet(&nb, i, &buf);
		double		sum = 0,
					w = k,
					q;
		HsRow	   *r = &rows[in->row[i]];

		CHECK_FOR_INTERRUPTS();
		if (in->contiguity && k == 1)
			continue;			/* an island: NULL */
		for (int j = 0; j < k; j++)
			sum += in->v[buf[j]];
		q = (n * w - w * w) / (n - 1);
		if (q <= 0.0)
			continue;
		r->a = (sum - mean * w) / (s * sqrt(q));
		r->b = mq_norm_p2(r->a);
		r->flags = 0;
	}
	NbClose(&nb);
}

/* p-values with their row, for Benjamini–Hochberg */
typedef struct HsPval
{
	double		p;
	int32		row;
} HsPval;

static int
ComparePval(const void *a, const void *b)
{
	const HsPval *pa = (const HsPval *) a;
	const HsPval *pb = (const HsPval *) b;

	if (pa->p != pb->p)
		return pa->p < pb->p ? -1 : 1;
	return (pa->row > pb->row) - (pa->row < pb->row);
}

/*
 * Gi_Bin as ArcGIS: ±3 at 99%, ±2 at 95%, ±1 at 90% confidence, 0 otherwise,
 * signed like z.  Without FDR a row is significant at level α when its p ≤ α.
 * With FDR, Benjamini–Hochberg is applied separately at α = 0.10, 0.05, 0.01
 * over the m rows that have a z-score: at level α the rows with the k*
 * smallest p are significant, k* = max{k : p_(k) ≤ k α / m}.  That is the same
 * as comparing the BH-adjusted p (R's p.adjust(p, "BH"): q_(k) =
 * min_{j ≥ k} m p_(j) / j) with α, which is what is computed here.  The
 * reported p stays the unadjusted two-sided normal p.
 */
static void
ComputeBins(const HsInput *in, HsRow *rows)
{
	HsPval	   *pv;
	int			m = 0;
	double		qmin = 1.0;

	pv = palloc(mul_size(Max(in->n, 1), sizeof(HsPval)));
	for (int i = 0; i < in->n; i++)
	{
		HsRow	   *r = &rows[in->row[i]];

		if (r->flags & HS_ROW_NULL)
			continue;
		pv[m].p = r->b;
		pv[m].row = in->row[i];
		r->c = r->b;			/* the p the bin is decided on */
		m++;
	}
	if (in->fdr && m > 0)
	{
		CHECK_FOR_INTERRUPTS();
		qsort(pv, m, sizeof(HsPval), ComparePval);
		for (int k = m - 1; k >= 0; k--)
		{
			double		q = pv[k].p * m / (k + 1);

			if (q < qmin)
				qmin = q;
			rows[pv[k].row].c = qmin;
		}
	}
	for (int i = 0; i < m; i++)
	{
		HsRow	   *r = &rows[pv[i].row];
		int			level;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		level = r->c <= 0.01 ? 3 : r->c <= 0.05 ? 2 : r->c <= 0.10 ? 1 : 0;

		r->bin = r->a > 0 ? level : r->a < 0 ? -level : 0;
	}
	pfree(pv);
}

/*
 * Local Moran's I with row-standardised binary distance-band weights (self
 * excluded).  With m2 = Σz²/n, lag_k = mean of the neighbours' z, c_k the
 * number of neighbours (W_k = 1, W2_k = 1/c_k):
 *   i_k = (n − 1) z_k lag_k / Σz²           (GeoDa's scale, reported)
 *   I_k = z_k lag_k / m2 = n/(n − 1) i_k     (spdep's Ii)
 *   E_k = −z_k² / ((n − 1) m2)
 *   V_k = (z_k/m2)² n/(n − 2) (1/c_k − 1/(n − 1)) (m2 − z_k²/(n − 1))
 *   z   = (I_k − E_k)/√V_k,  p two-sided normal.
 * Rows without a neighbour get a NULL result; rows with V_k = 0 (z_k = 0, or
 * every other point a neighbour) get i and quadrant but NULL z and p.
 *
 * With permutations R (> 0), p is instead the conditional permutation pseudo
 * p-value: for R draws of c_k values from the other n − 1 z's (without
 * replacement), M counts the draws whose I is ≥ the observed I_k, and
 * p = (min(M, R − M) + 1)/(R + 1).  Point k's draws come from a splitmix64
 * stream seeded by (seed, k), k its place in the canonical order, and start
 * from the same array every time, so the answer depends on the input only.
 */
static void
ComputeMoran(const HsInput *in, HsRow *rows)
{
	double		mean,
				var,
				m2;
	HsNb		nb;
	int32	   *buf;
	int			n = in->n;
	double	   *z;
	int32	   *perm = NULL;
	int32	   *swaps = NULL;
	int			R = in->permutations;

	if (n < 3 || !MeanVariance(in, &mean, &var))
		return;
	m2 = var;
	z = palloc(mul_size(n, sizeof(double)));
	for (int i = 0; i < n; i++)
		z[i] = in->v[i] - mean;
	if (R > 0)
	{
		/* perm: the identity 0..n-1 between points; swaps: undo log */
		perm = palloc(mul_size(n, sizeof(int32)));
		swaps = palloc(mul_size(n, sizeof(int32)));
		for (int i = 0; i < n; i++)
			perm[i] = i;
	}

	NbOpen(&nb, in);
	for (int t = 0; t < n; t++)
	{
		int			k = NbItem(&nb, t);
		int			cnt = NbGet(&nb, k, &buf);
		int			c = 0;
		double		sum = 0,
					lag,
					Ik,
					Ek,
					Vk;
		HsRow	   *r = &rows[in->row[k]];

		CHECK_FOR_INTERRUPTS();
		for (int j = 0; j < cnt; j++)
		{
			if (buf[j] == k)
				continue;
			sum += z[buf[j]];
			c++;
		}
		if (c == 0)
			continue;			/* no neighbour: NULL */
		lag = sum / c;
		r->flags = 0;
		r->a = (n - 1) * z[k] * lag / (n * m2);
		r->quad = z[k] >= 0 ? (lag >= 0 ? 0 : 3) : (lag >= 0 ? 1 : 2);
		Ik = z[k] * lag / m2;
		Ek = -z[k] * z[k] / ((n - 1) * m2);
		Vk = (z[k] / m2) * (z[k] / m2) * ((double) n / (n - 2)) *
			(1.0 / c - 1.0 / (n - 1)) * (m2 - z[k] * z[k] / (n - 1));
		if (!(Vk > 0.0) || !isfinite(Vk))
		{
			r->flags |= HS_B_NULL | HS_C_NULL;
			continue;
		}
		r->b = (Ik - Ek) / sqrt(Vk);
		r->c = mq_norm_p2(r->b);

		if (R > 0)
		{
			uint64		state = ((uint64) (uint32) in->seed << 32) ^ (uint64) (uint32) k;
			int			last = n - 1;
			int			M = 0;

			/* swap k to the end: draws come from perm[0 .. n-2] */
			perm[k] = last;
			perm[last] = k;
			(void) mq_splitmix64_next(&state);
			for (int t = 0; t < R; t++)
			{
				double		s = 0,
							Ip;

				/*
				 * partial Fisher–Yates over the other n − 1 points, undone
				 * afterwards so every draw starts from the same array
				 */
				for (int u = 0; u < c; u++)
				{
					int			v = u + (int) mq_random_below(&state, (uint32) (last - u));
					int32		tmp = perm[u];

					perm[u] = perm[v];
					perm[v] = tmp;
					swaps[u] = v;
					s += z[perm[u]];
				}
				for (int u = c - 1; u >= 0; u--)
				{
					int32		tmp = perm[u];

					perm[u] = perm[swaps[u]];
					perm[swaps[u]] = tmp;
				}
				Ip = z[k] * (s / c) / m2;
				if (Ip >= Ik)
					M++;
			}
			perm[k] = k;
			perm[last] = last;
			r->c = (Min(M, R - M) + 1.0) / (R + 1.0);
		}
	}
	NbClose(&nb);
}

/*
 * Global Moran's I with row-standardised weights (self excluded), as R spdep
 * moran.test(x, nb2listw(nb, style = "W", zero.policy = TRUE),
 * randomisation = TRUE, zero.policy = TRUE, adjust.n = TRUE), p one-sided
 * (alternative "greater").  With z = x − x̄ over all n units, c_i the number
 * of neighbours, m the units that have neighbours (S0 = m; islands have a
 * zero lag and are left out of the count n used below, as adjust.n does):
 *   I    = (m/S0) Σ_i z_i lag_i / Σ z²,  lag_i = mean of the neighbours' z
 *   E[I] = −1/(m − 1)
 *   S1 = ½ Σ_i Σ_{j∈N(i)} (1/c_i + 1/c_j)²,  S2 = Σ_i (1 + Σ_{j: i∈N(j)} 1/c_j)²
 *        (neighbour relations are symmetric here, so w_ji = 1/c_j)
 *   K  = n_all Σz⁴ / (Σz²)²   (spdep takes the kurtosis over all units)
 *   Var = [m((m² − 3m + 3)S1 − mS2 + 3S0²) − K(m(m − 1)S1 − 2mS2 + 6S0²)]
 *         / ((m − 1)(m − 2)(m − 3)S0²) − E[I]²
 * The same (I, E, Var, z, p) goes to every usable row; NULL with fewer than 4
 * units with neighbours or constant values.
 */
static void
ComputeMoranGlobal(const HsInput *in, HsRow *rows)
{
	double		mean,
				var,
				zz = 0,
				z4 = 0,
				cross = 0,
				s1 = 0,
				s2 = 0,
				s0,
				I,
				EI,
				VI,
				K,
				m;
	double	   *z,
			   *colsum;
	int32	   *cnt;
	HsNb		nb;
	int32	   *buf;
	int			n = in->n,
				islands = 0;

	if (n < 4 || !MeanVariance(in, &mean, &var))
		return;
	z = palloc(mul_size(n, sizeof(double)));
	colsum = palloc0(mul_size(n, sizeof(double)));
	cnt = palloc(mul_size(n, sizeof(int32)));
	for (int i = 0; i < n; i++)
	{
		z[i] = in->v[i] - mean;
		zz += z[i] * z[i];
		z4 += z[i] * z[i] * z[i] * z[i];
	}
	/* pass 1: neighbour counts, the cross product, column sums of W */
	NbOpen(&nb, in);
	for (int t = 0; t < n; t++)
	{
		int			i = NbItem(&nb, t);
		int			k = NbGet(&nb, i, &buf);
		double		lag = 0;

		CHECK_FOR_INTERRUPTS();
		cnt[i] = k - 1;			/* without itself */
		if (cnt[i] == 0)
		{
			islands++;
			continue;
		}
		for (int j = 0; j < k; j++)
			if (buf[j] != i)
			{
				lag += z[buf[j]];
				colsum[buf[j]] += 1.0 / cnt[i];
			}
		cross += z[i] * lag / cnt[i];
	}
	/* pass 2: S1 needs both ends' neighbour counts */
	for (int t = 0; t < n; t++)
	{
		int			i = NbItem(&nb, t);
		int			k = NbGet(&nb, i, &buf);

		CHECK_FOR_INTERRUPTS();
		if (cnt[i] == 0)
			continue;
		for (int j = 0; j < k; j++)
			if (buf[j] != i)
			{
				double		wsum = 1.0 / cnt[i] + 1.0 / cnt[buf[j]];

				s1 += wsum * wsum;
			}
		s2 += (1.0 + colsum[i]) * (1.0 + colsum[i]);
	}
	NbClose(&nb);
	s1 /= 2.0;
	m = n - islands;
	s0 = m;
	if (m < 4)
		return;
	I = (m / s0) * cross / zz;
	EI = -1.0 / (m - 1);
	K = n * z4 / (zz * zz);
	VI = m * ((m * m - 3 * m + 3) * s1 - m * s2 + 3 * s0 * s0);
	VI -= K * ((m * m - m) * s1 - 2 * m * s2 + 6 * s0 * s0);
	VI = VI / ((m - 1) * (m - 2) * (m - 3) * s0 * s0) - EI * EI;
	for (int i = 0; i < n; i++)
	{
		HsRow	   *r = &rows[in->row[i]];

		r->flags = 0;
		r->a = I;
		r->d = EI;
		r->e = VI;
		if (VI > 0)
		{
			r->b = (I - EI) / sqrt(VI);
			r->c = mq_norm_sf(r->b);
		}
		else
			r->flags |= HS_B_NULL | HS_C_NULL;
	}
}

/*
 * contiguity_neighbors: each unit's neighbours' ids (ascending), in the
 * partition's memory so they outlive the computation.
 */
static void
ComputeNeighbors(const HsInput *in, HsRow *rows, MemoryContext keep)
{
	const MqNbList *l = in->nblist;

	for (int i = 0; i < in->n; i++)
	{
		HsRow	   *r = &rows[in->row[i]];
		int			k = l->start[i + 1] - l->start[i];

		r->flags = 0;
		r->nids = k;
		r->ids = MemoryContextAlloc(keep, sizeof(int64) * Max(k, 1));
		for (int j = 0; j < k; j++)
			r->ids[j] = (int64) in->v[l->idx[l->start[i] + j]];
		qsort(r->ids, k, sizeof(int64), CompareInt64);
	}
}

/*
 * The shared window-function body: compute the partition on its first call,
 * then hand back this row's HsRow (NULL when the whole row is NULL).
 */
static HsRow *
PartitionRow(FunctionCallInfo fcinfo, HsKind kind, bool contiguity, const char *fname)
{
	MqWindow	w;
	HsRow	   *rows = mq_window_begin(fcinfo, sizeof(HsRow), fname, &w);

	if (!w.ready)
	{
		MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "minqing hotspot",
												   ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(work);
		HsInput		in;

		for (int64 i = 0; i < w.nrows; i++)
			rows[i].flags = HS_ROW_NULL;
		ReadPartition(&w, kind, contiguity, &in);
		switch (kind)
		{
			case HS_GI_STAR:
				ComputeGiStar(&in, rows);
				break;
			case HS_HOTSPOT:
				ComputeGiStar(&in, rows);
				ComputeBins(&in, rows);
				break;
			case HS_MORAN:
			case HS_MORAN_PERM:
				if (kind == HS_MORAN)
					in.permutations = 0;
				ComputeMoran(&in, rows);
				break;
			case HS_MORAN_GLOBAL:
				ComputeMoranGlobal(&in, rows);
				break;
			case HS_NEIGHBORS:
				ComputeNeighbors(&in, rows, mq_window_memory(&w));
				break;
		}
		MemoryContextSwitchTo(old);
		MemoryContextDelete(work);
		mq_window_ready(&w);
	}
	return (rows[w.cur].flags & HS_ROW_NULL) ? NULL : &rows[w.cur];
}

/*
 * gi_star(value, geom, distance) OVER (...): the Getis-Ord Gi* z-score of the
 * row's point (binary weights d <= distance, the point itself included).
 */
Datum
gi_star(PG_FUNCTION_ARGS)
{
	HsRow	   *r = PartitionRow(fcinfo, HS_GI_STAR, false, "gi_star");

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r->a);
}

/* The (z, p, bin) tuple of a hotspot row, NULL for a NULL row. */
static Datum
HotspotTuple(FunctionCallInfo fcinfo, HsRow *r)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (r == NULL)
	{
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	values[0] = Float8GetDatum(r->a);
	values[1] = Float8GetDatum(r->b);
	values[2] = Int32GetDatum(r->bin);
	return mq_result_tuple(fcinfo, values, nulls);
}

/*
 * hotspot(value, geom, distance, fdr) OVER (...): (z, p, bin) — Gi* z, its
 * two-sided normal p and the ArcGIS Gi_Bin confidence bin (see ComputeBins).
 */
Datum
hotspot(PG_FUNCTION_ARGS)
{
	return HotspotTuple(fcinfo, PartitionRow(fcinfo, HS_HOTSPOT, false, "hotspot"));
}

/* The (i, z, p, quadrant) tuple of a local_moran row. */
static Datum
MoranTuple(FunctionCallInfo fcinfo, HsRow *r)
{
	Datum		values[4];
	bool		nulls[4];

	values[0] = Float8GetDatum(r->a);
	values[1] = Float8GetDatum(r->b);
	values[2] = Float8GetDatum(r->c);
	values[3] = CStringGetTextDatum(hs_quadrants[r->quad]);
	nulls[0] = (r->flags & HS_A_NULL) != 0;
	nulls[1] = (r->flags & HS_B_NULL) != 0;
	nulls[2] = (r->flags & HS_C_NULL) != 0;
	nulls[3] = false;
	return mq_result_tuple(fcinfo, values, nulls);
}

/*
 * local_moran(value, geom, distance) OVER (...): local Moran's I with the
 * analytical conditional-randomisation z and p (see ComputeMoran).
 */
Datum
local_moran(PG_FUNCTION_ARGS)
{
	HsRow	   *r = PartitionRow(fcinfo, HS_MORAN, false, "local_moran");

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(MoranTuple(fcinfo, r));
}

/*
 * local_moran(value, geom, distance, permutations, seed) OVER (...): as
 * local_moran, with p the seeded conditional permutation pseudo p-value.
 */
Datum
local_moran_perm(PG_FUNCTION_ARGS)
{
	HsRow	   *r = PartitionRow(fcinfo, HS_MORAN_PERM, false, "local_moran");

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(MoranTuple(fcinfo, r));
}

/* The (i, expected, variance, z, p) tuple of a global Moran row. */
static Datum
MoranGlobalTuple(FunctionCallInfo fcinfo, HsRow *r)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (r == NULL)
	{
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	values[0] = Float8GetDatum(r->a);
	values[1] = Float8GetDatum(r->d);
	values[2] = Float8GetDatum(r->e);
	values[3] = Float8GetDatum(r->b);
	values[4] = Float8GetDatum(r->c);
	nulls[3] = (r->flags & HS_B_NULL) != 0;
	nulls[4] = (r->flags & HS_C_NULL) != 0;
	return mq_result_tuple(fcinfo, values, nulls);
}

/*
 * moran(value, geom, distance) OVER (...): global Moran's I of the partition
 * with row-standardised distance-band weights (d <= distance, self
 * excluded), the same on every usable row (see ComputeMoranGlobal).
 */
Datum
moran(PG_FUNCTION_ARGS)
{
	return MoranGlobalTuple(fcinfo, PartitionRow(fcinfo, HS_MORAN_GLOBAL, false, "moran"));
}

/* moran(value, geom, contiguity) OVER (...): the same with contiguity neighbours. */
Datum
moran_contiguity(PG_FUNCTION_ARGS)
{
	return MoranGlobalTuple(fcinfo, PartitionRow(fcinfo, HS_MORAN_GLOBAL, true, "moran"));
}

/*
 * The contiguity forms (SPEC §12): polygons, neighbours that share a
 * boundary point (queen) or segment (rook) as spdep poly2nb; a unit without
 * neighbours gets NULL from these local statistics.
 */
Datum
gi_star_contiguity(PG_FUNCTION_ARGS)
{
	HsRow	   *r = PartitionRow(fcinfo, HS_GI_STAR, true, "gi_star");

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r->a);
}

Datum
hotspot_contiguity(PG_FUNCTION_ARGS)
{
	return HotspotTuple(fcinfo, PartitionRow(fcinfo, HS_HOTSPOT, true, "hotspot"));
}

Datum
local_moran_contiguity(PG_FUNCTION_ARGS)
{
	HsRow	   *r = PartitionRow(fcinfo, HS_MORAN, true, "local_moran");

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(MoranTuple(fcinfo, r));
}

/*
 * contiguity_neighbors(id, geom, contiguity) OVER (...): the ids of the
 * unit's queen or rook neighbours (spdep poly2nb), ascending; an empty array
 * for an island.  Ids must be below 2^53 (they travel as doubles).
 */
Datum
contiguity_neighbors(PG_FUNCTION_ARGS)
{
	HsRow	   *r = PartitionRow(fcinfo, HS_NEIGHBORS, true, "contiguity_neighbors");
	Datum	   *d;

	if (r == NULL)
		PG_RETURN_NULL();
	d = palloc(sizeof(Datum) * Max(r->nids, 1));
	for (int j = 0; j < r->nids; j++)
		d[j] = Int64GetDatum(r->ids[j]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, r->nids, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
