/*
 * layers.c — complaints against other urban layers (SPEC §12, 城感通):
 *
 *   poisson_rate(events, exposure, confidence)   rate with the exact (Garwood)
 *       interval, = R poisson.test(x, T)$conf.int: complaints per km of road,
 *       per km², per sensor-month …
 *   location_quotient(events, total, ref_events, ref_total, confidence)
 *       (share of a category in a unit) / (its share in the reference), with
 *       the log-scale interval of Moineddin, Beyene & Boyle (2003)
 *   area_excess(observed, area, ref_events, ref_area, confidence)
 *       observed complaints inside a zone (a buffer around bars, a
 *       construction site) against the count its area share predicts: ratio,
 *       exact interval and one-sided Poisson p; adjust many zones' p with
 *       p_adjust_bh(p) OVER ()
 *   p_adjust_bh(p) OVER (…)                   Benjamini–Hochberg q = R p.adjust(p, "BH")
 *   colocation(geom, is_a, is_b, permutations, seed) OVER (…)
 *       co-location quotient CLQ A→B of Leslie & Kronenfeld (2011): the share
 *       of A points whose nearest neighbour is a B point, over B's share of
 *       the other points; ties at the nearest distance share the count; a
 *       seeded random-relabelling p for co-location (CLQ larger than chance)
 *       and each A point's own (local) quotient.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "geom.h"
#include "mqhash.h"
#include "neighbors.h"
#include "result.h"
#include "stats.h"
#include "window.h"

PG_FUNCTION_INFO_V1(poisson_rate);
PG_FUNCTION_INFO_V1(location_quotient);
PG_FUNCTION_INFO_V1(area_excess);
PG_FUNCTION_INFO_V1(p_adjust_bh);
PG_FUNCTION_INFO_V1(colocation);

#define LAYERS_MAX_PERMUTATIONS 99999

static void
CheckConfidence(double conf, const char *fname)
{
	if (!(conf > 0.0 && conf < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: confidence must be between 0 and 1 (exclusive)", fname),
				 errdetail("Got %g.", conf),
				 errhint("Use 0.95 for a 95%% interval.")));
}

static void
CheckCount(double x, const char *fname, const char *argname)
{
	if (!(x >= 0.0) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite number of at least 0", fname, argname),
				 errdetail("Got %g.", x),
				 errhint("Counts cannot be negative.")));
}

/* Exact (Garwood) interval of a Poisson mean for x events: [lo, hi]. */
static void
GarwoodInterval(double x, double conf, double *lo, double *hi)
{
	double		alpha = (1.0 - conf) / 2.0;

	*lo = x == 0.0 ? 0.0 : mq_gamma_quantile(alpha, x);
	*hi = mq_gamma_quantile(1.0 - alpha, x + 1.0);
}

/*
 * poisson_rate(events, exposure, confidence) → (events, exposure, rate, lo,
 * hi): rate = events/exposure, interval = Garwood's for the count divided by
 * the exposure, as R poisson.test(events, exposure, conf.level).
 */
Datum
poisson_rate(PG_FUNCTION_ARGS)
{
	double		x = PG_GETARG_FLOAT8(0);
	double		t = PG_GETARG_FLOAT8(1);
	double		conf = PG_GETARG_FLOAT8(2);
	double		lo,
				hi;
	Datum		v[5];
	bool		nulls[5] = {false, false, false, false, false};

	CheckCount(x, "poisson_rate", "events");
	mq_check_positive_finite(t, "poisson_rate", "exposure",
							 "Exposure is the denominator: km of road, km², person-years, sensor-months.");
	CheckConfidence(conf, "poisson_rate");
	GarwoodInterval(x, conf, &lo, &hi);
	v[0] = Float8GetDatum(x);
	v[1] = Float8GetDatum(t);
	v[2] = Float8GetDatum(x / t);
	v[3] = Float8GetDatum(lo / t);
	v[4] = Float8GetDatum(hi / t);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, v, nulls));
}

/*
 * location_quotient(events, total, ref_events, ref_total, confidence) →
 * (lq, lo, hi, p): LQ = (e/n)/(E/N); log-scale interval and two-sided z-test
 * of LQ = 1 with se² = 1/e − 1/n + 1/E − 1/N (Moineddin et al. 2003).
 * lq is 0 and the interval and p NULL when e = 0.
 */
Datum
location_quotient(PG_FUNCTION_ARGS)
{
	double		e = PG_GETARG_FLOAT8(0),
				n = PG_GETARG_FLOAT8(1),
				E = PG_GETARG_FLOAT8(2),
				N = PG_GETARG_FLOAT8(3),
				conf = PG_GETARG_FLOAT8(4);
	double		lq,
				se2;
	Datum		v[4];
	bool		nulls[4] = {false, true, true, true};

	CheckCount(e, "location_quotient", "events");
	CheckCount(n, "location_quotient", "total");
	CheckCount(E, "location_quotient", "ref_events");
	CheckCount(N, "location_quotient", "ref_total");
	CheckConfidence(conf, "location_quotient");
	if (e > n || E > N || n == 0.0 || E == 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("location_quotient: need 0 <= events <= total and 0 < ref_events <= ref_total, total > 0"),
				 errdetail("Got events %g, total %g, ref_events %g, ref_total %g.", e, n, E, N),
				 errhint("Pass the category's count and all orders, in the unit and in the reference area.")));
	lq = (e / n) / (E / N);
	v[0] = Float8GetDatum(lq);
	se2 = 1.0 / e - 1.0 / n + 1.0 / E - 1.0 / N;
	if (e > 0.0 && se2 > 0.0)
	{
		double		z = mq_norm_quantile((1.0 + conf) / 2.0),
					se = sqrt(se2);

		v[1] = Float8GetDatum(exp(log(lq) - z * se));
		v[2] = Float8GetDatum(exp(log(lq) + z * se));
		v[3] = Float8GetDatum(mq_norm_p2(log(lq) / se));
		nulls[1] = nulls[2] = nulls[3] = false;
	}
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, v, nulls));
}

/*
 * area_excess(observed, area, ref_events, ref_area, confidence) →
 * (observed, expected, ratio, lo, hi, p): expected = ref_events · area /
 * ref_area (complaints spread by area), ratio = observed/expected with the
 * Garwood interval of observed divided by expected, p = P(Poisson(expected)
 * >= observed) (one-sided: more complaints than the area predicts) =
 * R poisson.test(observed, expected / ... , alternative = "greater").
 */
Datum
area_excess(PG_FUNCTION_ARGS)
{
	double		x = PG_GETARG_FLOAT8(0),
				a = PG_GETARG_FLOAT8(1),
				E = PG_GETARG_FLOAT8(2),
				A = PG_GETARG_FLOAT8(3),
				conf = PG_GETARG_FLOAT8(4);
	double		mu,
				lo,
				hi;
	Datum		v[6];
	bool		nulls[6] = {false, false, false, false, false, false};

	CheckCount(x, "area_excess", "observed");
	mq_check_positive_finite(a, "area_excess", "area", "Use the zone's area in the same units as ref_area.");
	CheckCount(E, "area_excess", "ref_events");
	mq_check_positive_finite(A, "area_excess", "ref_area", "Use the study area's area in the same units as area.");
	CheckConfidence(conf, "area_excess");
	mu = E * a / A;
	v[0] = Float8GetDatum(x);
	v[1] = Float8GetDatum(mu);
	if (mu > 0.0)
	{
		GarwoodInterval(x, conf, &lo, &hi);
		v[2] = Float8GetDatum(x / mu);
		v[3] = Float8GetDatum(lo / mu);
		v[4] = Float8GetDatum(hi / mu);
	}
	else
		nulls[2] = nulls[3] = nulls[4] = true;
	/* P(X >= x) for X ~ Poisson(mu) is the regularized lower gamma P(x, mu) */
	v[5] = Float8GetDatum(x <= 0.0 ? 1.0 : (mu > 0.0 ? mq_inc_gamma_p(x, mu) : 0.0));
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, v, nulls));
}

/* ---------------------------------------------------------------------------
 * p_adjust_bh(p) OVER (…)
 * ------------------------------------------------------------------------- */
typedef struct BhRow
{
	bool		isnull;
	double		q;
} BhRow;

typedef struct BhItem
{
	double		p;
	int64		row;
} BhItem;

static int
CompareBh(const void *a, const void *b)
{
	const BhItem *x = a,
			   *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/*
 * Benjamini–Hochberg adjusted p over the partition's non-NULL p-values:
 * q_(k) = min_{j >= k} min(1, m p_(j) / j), as R p.adjust(p, "BH").
 */
Datum
p_adjust_bh(PG_FUNCTION_ARGS)
{
	MqWindow	w;
	BhRow	   *rows = mq_window_begin(fcinfo, sizeof(BhRow), "p_adjust_bh", &w);

	if (!w.ready)
	{
		BhItem	   *items = palloc(mul_size(Max(w.nrows, 1), sizeof(BhItem)));
		int64		m = 0;
		double		qmin = 1.0;

		for (int64 r = 0; r < w.nrows; r++)
		{
			bool		isnull;
			double		p = mq_warg_float8(&w, 0, r, &isnull);

			rows[r].isnull = true;
			if (isnull)
				continue;
			if (!(p >= 0.0 && p <= 1.0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("p_adjust_bh: p-values must lie between 0 and 1"),
						 errdetail("Got %g on row %lld of the partition.", p, (long long) r + 1),
						 errhint("Pass NULL for rows without a test.")));
			items[m].p = p;
			items[m].row = r;
			m++;
		}
		CHECK_FOR_INTERRUPTS();
		qsort(items, m, sizeof(BhItem), CompareBh);
		for (int64 k = m - 1; k >= 0; k--)
		{
			double		q = items[k].p * m / (k + 1);

			qmin = Min(qmin, q);
			rows[items[k].row].isnull = false;
			rows[items[k].row].q = Min(qmin, 1.0);
		}
		mq_window_ready(&w);
	}
	if (rows[w.cur].isnull)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rows[w.cur].q);
}

/* ---------------------------------------------------------------------------
 * colocation(geom, is_a, is_b, permutations, seed) OVER (…)
 * ------------------------------------------------------------------------- */
typedef struct ClqRow
{
	bool		isnull;
	bool		local_null;
	double		clq;
	double		local;
	double		p;
	bool		p_null;
} ClqRow;

typedef struct ClqInput
{
	int			n;
	int64	   *row;			/* partition row of each usable point */
	double	   *x;
	double	   *y;
	uint8	   *label;			/* bit 0: A, bit 1: B */
	int32	   *nnstart;		/* the nearest neighbours (ties) of each A point */
	int32	   *nn;
} ClqInput;

/*
 * The nearest other points of every A point (of every point when `all`:
 * relabelling moves A anywhere), all of them at the smallest distance, from
 * grid indexes of growing radius: a point whose nearest
 * neighbour lies beyond the radius is looked up again at 4× the radius.
 */
static void
ClqNearest(ClqInput *in, bool all, const char *fname)
{
	int			n = in->n;
	int32	   *pending = palloc(mul_size(Max(n, 1), sizeof(int32)));
	int			npending = 0;
	double		minx = DBL_MAX,
				maxx = -DBL_MAX,
				miny = DBL_MAX,
				maxy = -DBL_MAX,
				radius;
	int32	  **lists = palloc0(mul_size(Max(n, 1), sizeof(int32 *)));
	int32	   *lcount = palloc0(mul_size(Max(n, 1), sizeof(int32)));
	int32	   *buf = NULL;
	int			cap = 0;
	int64		total = 0;

	for (int i = 0; i < n; i++)
	{
		minx = Min(minx, in->x[i]);
		maxx = Max(maxx, in->x[i]);
		miny = Min(miny, in->y[i]);
		maxy = Max(maxy, in->y[i]);
		if (all || (in->label[i] & 1))
			pending[npending++] = i;
	}
	/* about two points per bucket when they are spread evenly */
	radius = sqrt(Max((maxx - minx) * (maxy - miny), 1e-12) / Max(n, 1)) * 1.5;
	if (!(radius > 0.0) || !isfinite(radius))
		radius = 1.0;
	while (npending > 0)
	{
		MqNeighborIndex *ix = mq_nb_build(in->x, in->y, n, radius);
		int			still = 0;

		for (int t = 0; t < npending; t++)
		{
			int			i = pending[t];
			int			k = mq_nb_within(ix, in->x[i], in->y[i], &buf, &cap);
			double		best = DBL_MAX;
			int			ties = 0;

			CHECK_FOR_INTERRUPTS();
			for (int j = 0; j < k; j++)
			{
				double		d;

				if (buf[j] == i)
					continue;
				d = hypot(in->x[buf[j]] - in->x[i], in->y[buf[j]] - in->y[i]);
				if (d < best)
				{
					best = d;
					ties = 1;
				}
				else if (d == best)
					ties++;
			}
			if (ties == 0)
			{
				pending[still++] = i;	/* nothing else within the radius */
				continue;
			}
			lists[i] = palloc(sizeof(int32) * ties);
			lcount[i] = 0;
			for (int j = 0; j < k; j++)
				if (buf[j] != i &&
					hypot(in->x[buf[j]] - in->x[i], in->y[buf[j]] - in->y[i]) == best)
					lists[i][lcount[i]++] = buf[j];
			total += ties;
		}
		mq_nb_free(ix);
		npending = still;
		radius *= 4.0;
		if (npending > 0 && (radius > 1e300 || n < 2))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("%s: no nearest neighbour found", fname)));
	}
	in->nnstart = palloc(mul_size(n + 1, sizeof(int32)));
	in->nn = palloc(mul_size(Max(total, 1), sizeof(int32)));
	in->nnstart[0] = 0;
	for (int i = 0; i < n; i++)
	{
		in->nnstart[i + 1] = in->nnstart[i] + lcount[i];
		if (lcount[i] > 0)
			memcpy(in->nn + in->nnstart[i], lists[i], sizeof(int32) * lcount[i]);
	}
}

/*
 * CLQ A→B under the labels lab: Σ_{i ∈ A} f_i / Σ_{i ∈ A} (N_B − b_i)/(N − 1),
 * f_i the share of i's nearest neighbours that are B.  (With A = B this is
 * Leslie & Kronenfeld's N_{A→A}/N_A / ((N_A − 1)/(N − 1)).)
 */
static double
ClqValue(const ClqInput *in, const uint8 *lab, int nb, double *local)
{
	double		num = 0.0,
				den = 0.0;

	for (int i = 0; i < in->n; i++)
	{
		double		f = 0.0,
					share;
		int			k = in->nnstart[i + 1] - in->nnstart[i];

		if (!(lab[i] & 1))
			continue;
		for (int j = in->nnstart[i]; j < in->nnstart[i + 1]; j++)
			if (lab[in->nn[j]] & 2)
				f += 1.0;
		f /= k;
		share = (nb - ((lab[i] & 2) ? 1 : 0)) / (double) (in->n - 1);
		num += f;
		den += share;
		if (local)
			local[i] = share > 0.0 ? f / share : NAN;
	}
	return den > 0.0 ? num / den : NAN;
}

/*
 * Note the nearest-neighbour lists depend on positions only, so random
 * relabelling reuses them: each permutation shuffles the labels (splitmix64
 * seeded by seed) and recomputes the quotient.  ClqPermutationP returns
 * (1 + #{CLQ_perm >= CLQ_obs}) / (R + 1).
 */
static double
ClqPermutationP(const ClqInput *in, int nb, double obs, int R, int32 seed)
{
	uint8	   *lab = palloc(in->n);
	uint64		state = (uint64) (uint32) seed * MQ_GOLDEN64 + 0x5A17;
	int			ge = 0;

	memcpy(lab, in->label, in->n);
	for (int r = 0; r < R; r++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int i = in->n - 1; i > 0; i--)
		{
			int			j = (int) mq_random_below(&state, (uint32) (i + 1));
			uint8		t = lab[i];

			lab[i] = lab[j];
			lab[j] = t;
		}
		if (ClqValue(in, lab, nb, NULL) >= obs - 1e-12 * fabs(obs))
			ge++;
	}
	pfree(lab);
	return (ge + 1.0) / (R + 1.0);
}

/* Read the partition: usable rows have a point and non-NULL flags. */
static void
ClqRead(MqWindow *w, ClqInput *in, int *perms, int32 *seed)
{
	int32		srid = 0;
	bool		have_srid = false;
	MqWinConst	cperm = MQ_WIN_CONST_INIT,
				cseed = MQ_WIN_CONST_INIT;
	int			n = 0;

	in->row = palloc(mul_size(Max(w->nrows, 1), sizeof(int64)));
	in->x = palloc(mul_size(Max(w->nrows, 1), sizeof(double)));
	in->y = palloc(mul_size(Max(w->nrows, 1), sizeof(double)));
	in->label = palloc(Max(w->nrows, 1));
	for (int64 r = 0; r < w->nrows; r++)
	{
		bool		nulls[5];
		MqPoint		pt;
		bool		a = mq_warg_bool(w, 1, r, &nulls[1]);
		bool		b = mq_warg_bool(w, 2, r, &nulls[2]);
		int32		R = mq_warg_int32(w, 3, r, &nulls[3]);
		int32		s = mq_warg_int32(w, 4, r, &nulls[4]);

		CHECK_FOR_INTERRUPTS();
		if (!nulls[3])
		{
			if (R < 0 || R > LAYERS_MAX_PERMUTATIONS)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("colocation: permutations must be between 0 and %d", LAYERS_MAX_PERMUTATIONS),
						 errdetail("Got %d.", R),
						 errhint("999 is the usual choice; 0 skips the test.")));
			mq_window_constant(w, &cperm, "permutations", R, r);
		}
		if (!nulls[4])
			mq_window_constant(w, &cseed, "seed", s, r);
		if (nulls[1] || nulls[2] || nulls[3] || nulls[4] ||
			!mq_warg_point(w, 0, r, &pt, &nulls[0]))
			continue;
		mq_srid_check(pt.srid, &srid, &have_srid, w->fname);
		in->row[n] = r;
		in->x[n] = pt.x;
		in->y[n] = pt.y;
		in->label[n] = (a ? 1 : 0) | (b ? 2 : 0);
		n++;
	}
	in->n = n;
	*perms = (int) cperm.value;
	*seed = (int32) cseed.value;
	if (n > 0 && mq_srid_is_geographic(srid))
		mq_to_local_meters(in->x, in->y, n, MQ_CENTRE_MEAN, 0, 0, srid, NULL, w->fname);
}

/*
 * colocation(geom, is_a, is_b, permutations, seed) OVER (…) → (clq,
 * local_clq, p): the partition's CLQ A→B on every usable row, the row's own
 * quotient (A rows only), and the random-relabelling p (NULL with 0
 * permutations).  Rows with a NULL argument or POINT EMPTY get NULL and are
 * not points of the pattern.  NULL clq with no A or no B point.
 */
Datum
colocation(PG_FUNCTION_ARGS)
{
	MqWindow	w;
	ClqRow	   *rows = mq_window_begin(fcinfo, sizeof(ClqRow), "colocation", &w);
	Datum		v[3];
	bool		nulls[3];

	if (!w.ready)
	{
		MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "minqing colocation",
												   ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(work);
		ClqInput	in;
		int			perms,
					na = 0,
					nb = 0;
		int32		seed;
		double	   *local,
					clq,
					p = NAN;

		for (int64 r = 0; r < w.nrows; r++)
			rows[r].isnull = true;
		ClqRead(&w, &in, &perms, &seed);
		for (int i = 0; i < in.n; i++)
		{
			na += (in.label[i] & 1) ? 1 : 0;
			nb += (in.label[i] & 2) ? 1 : 0;
		}
		if (na > 0 && nb > 0 && in.n >= 2)
		{
			local = palloc(mul_size(in.n, sizeof(double)));
			ClqNearest(&in, perms > 0, w.fname);
			clq = ClqValue(&in, in.label, nb, local);
			if (perms > 0 && !isnan(clq))
				p = ClqPermutationP(&in, nb, clq, perms, seed);
			for (int i = 0; i < in.n; i++)
			{
				ClqRow	   *r = &rows[in.row[i]];

				r->isnull = isnan(clq);
				r->clq = clq;
				r->p = p;
				r->p_null = isnan(p);
				r->local_null = !(in.label[i] & 1) || isnan(local[i]);
				r->local = (in.label[i] & 1) ? local[i] : 0.0;
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextDelete(work);
		mq_window_ready(&w);
	}
	if (rows[w.cur].isnull)
		PG_RETURN_NULL();
	v[0] = Float8GetDatum(rows[w.cur].clq);
	v[1] = Float8GetDatum(rows[w.cur].local);
	v[2] = Float8GetDatum(rows[w.cur].p);
	nulls[0] = false;
	nulls[1] = rows[w.cur].local_null;
	nulls[2] = rows[w.cur].p_null;
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, v, nulls));
}
