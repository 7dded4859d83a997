/*
 * season.c — seasonal regularities of a count series (SPEC §11, 季节性规律):
 *
 *   stl(y, period, seasonal, robust)       STL decomposition, equal to
 *       statsmodels STL(y, period, seasonal, robust).fit() (Cleveland et al.
 *       1990, the netlib algorithm statsmodels ports), defaults otherwise:
 *       trend = smallest odd integer >= 1.5·period / (1 − 1.5/seasonal),
 *       low_pass = smallest odd integer > period, degrees 1, jumps 1,
 *       inner loops 5 (2 when robust), outer loops 0 (15 when robust).
 *   (holt_winters, holt_winters_fit, season_forecast: season_hw.c)
 *   holt_winters(y, period, alpha, beta, gamma, h, level)
 *       additive Holt–Winters with R stats::HoltWinters semantics (start
 *       values from decompose() of the first two periods, level and trend
 *       from a line through its trend) and predict(…, prediction.interval =
 *       TRUE); NULL smoothing parameters are fitted by minimising the
 *       one-step squared error (see FitHoltWinters).
 *   holt_winters_fit(…)                    the fitted parameters and SSE.
 *   seasonal_profile(y, period, seasonal)  peak and trough phase, seasonal
 *       strength (Wang, Smith & Hyndman 2006) and amplitude, from stl().
 *
 * Series come as float8[] in time order: one element per period, no NULL
 * elements (an error names the position), finite values.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "result.h"
#include "season.h"
#include "stats.h"


/*
 * The elements of a one-dimensional float8[] as a palloc'd C array.  NULL
 * elements and non-finite values are refused with the 1-based position.
 */
double *
mq_season_read_series(ArrayType *arr, const char *fname, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	double	   *y;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: the series must be a one-dimensional array", fname),
				 errhint("Pass array_agg(count ORDER BY period).")));
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &nelems);
	if (nelems > SEASON_MAX_N)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: the series has %d elements, more than the limit of %d",
						fname, nelems, SEASON_MAX_N),
				 errhint("Aggregate to a coarser period.")));
	y = palloc(sizeof(double) * Max(nelems, 1));
	for (int i = 0; i < nelems; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: element %d of the series is NULL", fname, i + 1),
					 errhint("Fill periods without data with 0 (coalesce over generate_series).")));
		y[i] = DatumGetFloat8(elems[i]);
		if (isnan(y[i]) || isinf(y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: element %d of the series is not finite", fname, i + 1),
					 errhint("Series values must be finite numbers.")));
	}
	*n = nelems;
	return y;
}

void
mq_season_check_period(int period, const char *fname)
{
	if (period < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: period must be at least 2", fname),
				 errdetail("Got %d.", period),
				 errhint("Use 7 for a weekly cycle of daily counts, 12 for months, 52 for weeks.")));
}

/* ---------------------------------------------------------------------------
 * STL.  Indices in the comments are the algorithm's 1-based ones; the arrays
 * are 0-based, so x(j) is x[j - 1].
 * ------------------------------------------------------------------------- */
typedef struct Stl
{
	int			n;				/* observations */
	int			np;				/* period */
	int			ns;				/* seasonal smoother length */
	int			nt;				/* trend smoother length */
	int			nl;				/* low-pass filter length */
	bool		userw;			/* use robustness weights */
	const double *y;
	double	   *trend;			/* n */
	double	   *season;			/* n */
	double	   *rw;				/* n, robustness weights */
	double	   *work[5];		/* n + 2·np each */
} Stl;

/*
 * Loess estimate at abscissa xs (1-based, may lie outside 1..n) from
 * y(nleft..nright) with tricube weights of half-width h (degree 0 or 1).
 * Returns false when every weight is zero (the caller keeps a fallback).
 */
static bool
StlEst(const double *y, int n, int len, int ideg, int xs, double *ys,
	   int nleft, int nright, double *w, bool userw, const double *rw)
{
	double		range = n - 1.0;
	double		h = Max(xs - nleft, nright - xs);
	double		h9,
				h1,
				a = 0.0;

	if (len > n)
		h += (double) ((len - n) / 2);
	h9 = 0.999 * h;
	h1 = 0.001 * h;
	for (int j = nleft; j <= nright; j++)
	{
		double		r = fabs((double) (j - xs));

		w[j - 1] = 0.0;
		if (r <= h9)
		{
			if (r <= h1)
				w[j - 1] = 1.0;
			else
			{
				double		q = r / h;

				q = 1.0 - q * q * q;
				w[j - 1] = q * q * q;
			}
			if (userw)
				w[j - 1] *= rw[j - 1];
			a += w[j - 1];
		}
	}
	if (a <= 0.0)
		return false;
	for (int j = nleft; j <= nright; j++)
		w[j - 1] /= a;
	if (h > 0.0 && ideg > 0)
	{
		double		b,
					c = 0.0;

		a = 0.0;
		for (int j = nleft; j <= nright; j++)
			a += w[j - 1] * j;
		b = xs - a;
		for (int j = nleft; j <= nright; j++)
			c += w[j - 1] * (j - a) * (j - a);
		if (sqrt(c) > 0.001 * range)
		{
			b /= c;
			for (int j = nleft; j <= nright; j++)
				w[j - 1] = w[j - 1] * (b * (j - a) + 1.0);
		}
	}
	*ys = 0.0;
	for (int j = nleft; j <= nright; j++)
		*ys += w[j - 1] * y[j - 1];
	return true;
}

/* Loess smooth of y(1..n) with span len into ys (jump 1). */
static void
StlEss(const double *y, int n, int len, int ideg, bool userw,
	   const double *rw, double *ys, double *res)
{
	if (n < 2)
	{
		ys[0] = y[0];
		return;
	}
	if (len >= n)
	{
		for (int i = 1; i <= n; i++)
			if (!StlEst(y, n, len, ideg, i, &ys[i - 1], 1, n, res, userw, rw))
				ys[i - 1] = y[i - 1];
	}
	else
	{
		int			nsh = (len + 1) / 2;
		int			nleft = 1,
					nright = len;

		for (int i = 1; i <= n; i++)
		{
			if (i > nsh && nright != n)
			{
				nleft++;
				nright++;
			}
			if (!StlEst(y, n, len, ideg, i, &ys[i - 1], nleft, nright, res, userw, rw))
				ys[i - 1] = y[i - 1];
		}
	}
}

/* Moving average of length len over x(1..n) into ave(1..n-len+1). */
static void
StlMa(const double *x, int n, int len, double *ave)
{
	int			newn = n - len + 1;
	double		v = 0.0;

	for (int i = 0; i < len; i++)
		v += x[i];
	ave[0] = v / len;
	for (int j = 1, k = len, m = 0; j < newn; j++, k++, m++)
	{
		v += x[k] - x[m];
		ave[j] = v / len;
	}
}

/*
 * Seasonal smoothing: each cycle-subseries of work[0] (the detrended series)
 * smoothed and extended by one period at both ends, into work[1]
 * (n + 2·np values).
 */
static void
StlSs(Stl *s)
{
	const double *y = s->work[0];
	double	   *season = s->work[1];
	double	   *work1 = s->work[2];
	double	   *work2 = s->work[3];
	double	   *work3 = s->work[4];
	double	   *work4 = s->season;	/* scratch, overwritten later */
	int			n = s->n,
				np = s->np,
				ns = s->ns;

	for (int j = 1; j <= np; j++)
	{
		int			k = (n - j) / np + 1;

		for (int i = 1; i <= k; i++)
			work1[i - 1] = y[(i - 1) * np + j - 1];
		if (s->userw)
			for (int i = 1; i <= k; i++)
				work3[i - 1] = s->rw[(i - 1) * np + j - 1];
		StlEss(work1, k, ns, 1, s->userw, work3, work2 + 1, work4);
		if (!StlEst(work1, k, ns, 1, 0, &work2[0], 1, Min(ns, k), work4, s->userw, work3))
			work2[0] = work2[1];
		if (!StlEst(work1, k, ns, 1, k + 1, &work2[k + 1], Max(1, k - ns + 1), k,
					work4, s->userw, work3))
			work2[k + 1] = work2[k];
		for (int m = 1; m <= k + 2; m++)
			season[(m - 1) * np + j - 1] = work2[m - 1];
	}
}

/* One pass of the inner loop, `inner` times. */
static void
StlInner(Stl *s, int inner)
{
	int			n = s->n,
				np = s->np;
	double	  **work = s->work;

	for (int it = 0; it < inner; it++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < n; i++)
			work[0][i] = s->y[i] - s->trend[i];
		StlSs(s);
		/* low-pass filter of the extended seasonal: three moving averages */
		StlMa(work[1], n + 2 * np, np, work[2]);
		StlMa(work[2], n + np + 1, np, work[0]);
		StlMa(work[0], n + 2, 3, work[2]);
		StlEss(work[2], n, s->nl, 1, false, work[3], work[0], work[4]);
		for (int i = 0; i < n; i++)
		{
			s->season[i] = work[1][np + i] - work[0][i];
			work[0][i] = s->y[i] - s->season[i];
		}
		StlEss(work[0], n, s->nt, 1, s->userw, s->rw, s->trend, work[2]);
	}
}

static int
CmpDouble(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* Bisquare robustness weights from the residuals y − (trend + season). */
static void
StlRobustWeights(Stl *s)
{
	int			n = s->n;
	double	   *r = s->work[1];
	double		cmad,
				c1,
				c9;

	for (int i = 0; i < n; i++)
		s->rw[i] = fabs(s->y[i] - s->trend[i] - s->season[i]);
	memcpy(r, s->rw, sizeof(double) * n);
	qsort(r, n, sizeof(double), CmpDouble);
	/* 6 × median absolute residual (the corrected netlib median) */
	cmad = 3.0 * (r[n / 2] + r[n - n / 2 - 1]);
	if (cmad == 0.0)
	{
		for (int i = 0; i < n; i++)
			s->rw[i] = 1.0;
		return;
	}
	c9 = 0.999 * cmad;
	c1 = 0.001 * cmad;
	for (int i = 0; i < n; i++)
	{
		if (s->rw[i] <= c1)
			s->rw[i] = 1.0;
		else if (s->rw[i] <= c9)
		{
			double		u = s->rw[i] / cmad;

			s->rw[i] = (1.0 - u * u) * (1.0 - u * u);
		}
		else
			s->rw[i] = 0.0;
	}
}

/*
 * Decompose y(1..n) into trend and season (palloc'd, returned through
 * `trend` and `season`).  The caller has checked n >= 2·period.
 */
static void
StlFit(const double *y, int n, int period, int seasonal, bool robust,
	   double **trend, double **season)
{
	Stl			s;
	int			inner = robust ? 2 : 5;
	int			outer = robust ? 15 : 0;
	int			nt;

	/* statsmodels' default trend length: ceil(1.5 np / (1 - 1.5 / ns)), odd */
	nt = (int) ceil(1.5 * period / (1.0 - 1.5 / seasonal));
	if (nt % 2 == 0)
		nt++;
	s.n = n;
	s.np = period;
	s.ns = seasonal;
	s.nt = nt;
	s.nl = period + 1 + ((period + 1) % 2 == 0 ? 1 : 0);
	s.userw = false;
	s.y = y;
	s.trend = palloc0(sizeof(double) * n);
	s.season = palloc0(sizeof(double) * n);
	s.rw = palloc(sizeof(double) * n);
	for (int i = 0; i < n; i++)
		s.rw[i] = 1.0;
	for (int i = 0; i < 5; i++)
		s.work[i] = palloc0(sizeof(double) * (n + 2 * period));

	for (int k = 0;; k++)
	{
		StlInner(&s, inner);
		if (k + 1 > outer)
			break;
		StlRobustWeights(&s);
		s.userw = true;
	}
	*trend = s.trend;
	*season = s.season;
}

static void
CheckStlArgs(int n, int period, int seasonal, const char *fname)
{
	mq_season_check_period(period, fname);
	if (seasonal < 3 || seasonal % 2 == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: seasonal must be an odd integer of at least 3", fname),
				 errdetail("Got %d.", seasonal),
				 errhint("statsmodels' default is 7.")));
	if (period > SEASON_MAX_N / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: period %d is larger than the limit of %d", fname, period,
						SEASON_MAX_N / 2)));
}

/*
 * stl(y float8[], period int, seasonal int, robust boolean)
 *   → TABLE(k int, trend float8, seasonal float8, remainder float8)
 * No rows when the series is shorter than two periods.
 */
PG_FUNCTION_INFO_V1(stl);
Datum
stl(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *arr;
	int			period,
				seasonal,
				n;
	bool		robust;
	double	   *y,
			   *trend,
			   *season;

	arr = PG_GETARG_ARRAYTYPE_P(0);
	period = PG_GETARG_INT32(1);
	seasonal = PG_GETARG_INT32(2);
	robust = PG_GETARG_BOOL(3);
	InitMaterializedSRF(fcinfo, 0);
	y = mq_season_read_series(arr, "stl", &n);
	CheckStlArgs(n, period, seasonal, "stl");
	if (n < 2 * period)
		return (Datum) 0;
	StlFit(y, n, period, seasonal, robust, &trend, &season);
	for (int i = 0; i < n; i++)
	{
		Datum		v[4];
		bool		nulls[4] = {false, false, false, false};

		v[0] = Int32GetDatum(i + 1);
		v[1] = Float8GetDatum(trend[i]);
		v[2] = Float8GetDatum(season[i]);
		v[3] = Float8GetDatum(y[i] - trend[i] - season[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	return (Datum) 0;
}

/* Population variance of x[0..n-1] (two-pass). */
static double
Variance(const double *x, int n)
{
	double		m = 0.0,
				ss = 0.0;

	for (int i = 0; i < n; i++)
		m += x[i];
	m /= n;
	for (int i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	return ss / n;
}

/*
 * seasonal_profile(y float8[], period int, seasonal int)
 *   → (period, cycles, strength, amplitude, peak_phase, trough_phase,
 *      peak_effect, trough_effect)
 * From stl(y, period, seasonal): the mean seasonal component of each phase
 * (phase 1 = the series' first element), its largest and smallest phase,
 * amplitude = their difference, strength = max(0, 1 − Var(R)/Var(S + R)).
 * NULL fields when the series is shorter than two periods.
 */
PG_FUNCTION_INFO_V1(seasonal_profile);
Datum
seasonal_profile(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int			period = PG_GETARG_INT32(1);
	int			seasonal = PG_GETARG_INT32(2);
	int			n;
	double	   *y = mq_season_read_series(arr, "seasonal_profile", &n);
	double	   *trend,
			   *season,
			   *phase,
			   *rem,
			   *sr;
	int		   *count;
	Datum		v[8];
	bool		nulls[8];
	int			peak = 0,
				trough = 0;
	double		vr,
				vsr;

	CheckStlArgs(n, period, seasonal, "seasonal_profile");
	memset(nulls, true, sizeof(nulls));
	v[0] = Int32GetDatum(period);
	nulls[0] = false;
	v[1] = Float8GetDatum((double) n / period);
	nulls[1] = false;
	if (n < 2 * period)
		PG_RETURN_DATUM(mq_result_tuple(fcinfo, v, nulls));

	StlFit(y, n, period, seasonal, false, &trend, &season);
	phase = palloc0(sizeof(double) * period);
	count = palloc0(sizeof(int) * period);
	rem = palloc(sizeof(double) * n);
	sr = palloc(sizeof(double) * n);
	for (int i = 0; i < n; i++)
	{
		phase[i % period] += season[i];
		count[i % period]++;
		rem[i] = y[i] - trend[i] - season[i];
		sr[i] = season[i] + rem[i];
	}
	for (int p = 0; p < period; p++)
	{
		phase[p] /= count[p];
		if (phase[p] > phase[peak])
			peak = p;
		if (phase[p] < phase[trough])
			trough = p;
	}
	vr = Variance(rem, n);
	vsr = Variance(sr, n);
	v[2] = Float8GetDatum(vsr > 0.0 ? Max(0.0, 1.0 - vr / vsr) : 0.0);
	v[3] = Float8GetDatum(phase[peak] - phase[trough]);
	v[4] = Int32GetDatum(peak + 1);
	v[5] = Int32GetDatum(trough + 1);
	v[6] = Float8GetDatum(phase[peak]);
	v[7] = Float8GetDatum(phase[trough]);
	for (int i = 2; i < 8; i++)
		nulls[i] = false;
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, v, nulls));
}

