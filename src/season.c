/*
 * season.c — seasonal regularities of a count series (SPEC §11, 季节性规律):
 *
 *   stl(y, period, seasonal, robust)       STL decomposition, equal to
 *       statsmodels STL(y, period, seasonal, robust).fit() (Cleveland et al.
 *       1990, the netlib algorithm statsmodels ports), defaults otherwise:
 *       trend = smallest odd integer >= 1.5·period / (1 − 1.5/seasonal),
 *       low_pass = smallest odd integer > period, degrees 1, jumps 1,
 *       inner loops 5 (2 when robust), outer loops 0 (15 when robust).
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
#include "stats.h"

/* longest series accepted (a daily series of 500 years) */
#define SEASON_MAX_N	200000

/*
 * The elements of a one-dimensional float8[] as a palloc'd C array.  NULL
 * elements and non-finite values are refused with the 1-based position.
 */
static double *
ReadSeries(ArrayType *arr, const char *fname, int *n)
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

static void
CheckPeriod(int period, const char *fname)
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
	CheckPeriod(period, fname);
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
	y = ReadSeries(arr, "stl", &n);
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
	double	   *y = ReadSeries(arr, "seasonal_profile", &n);
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

/* ---------------------------------------------------------------------------
 * Holt–Winters (additive), R stats::HoltWinters semantics.
 * ------------------------------------------------------------------------- */
typedef struct HwModel
{
	const double *x;
	int			n;
	int			f;				/* period */
	double		l0,
				b0;				/* start level and trend */
	double	   *s0;				/* f start seasonal effects */
	/* results of the last HwFilter */
	double		sse;
	double		a,
				b;				/* final level and trend */
	double	   *s;				/* f final seasonal effects, next period first */
	double	   *res;			/* n − f one-step residuals */
	/* scratch */
	double	   *season;			/* n seasonal effects (f start + n − f) */
} HwModel;

/*
 * Start values as R computes them: decompose() of the first two periods
 * (centred moving average: weights 1/f, halved at both ends when f is even),
 * seasonal figure = mean detrended value per phase, centred; level and trend
 * = intercept and slope of a line through the moving average's defined
 * values against 1, 2, ….
 */
static void
HwStart(HwModel *m)
{
	int			f = m->f,
				l = 2 * f,
				nf = (f % 2 == 0) ? f + 1 : f,
				shift = nf / 2;
	double	   *filt = palloc(sizeof(double) * nf);
	double	   *trend = palloc(sizeof(double) * l);
	bool	   *ok = palloc(sizeof(bool) * l);
	double		sx = 0,
				sy = 0,
				sxx = 0,
				sxy = 0,
				mean = 0;
	int			cnt = 0;

	for (int j = 0; j < nf; j++)
		filt[j] = 1.0 / f;
	if (f % 2 == 0)
		filt[0] = filt[nf - 1] = 0.5 / f;
	for (int i = 0; i < l; i++)
	{
		ok[i] = (i + shift - (nf - 1) >= 0) && (i + shift < l);
		trend[i] = 0.0;
		if (ok[i])
			for (int j = 0; j < nf; j++)
				trend[i] += filt[j] * m->x[i + shift - j];
	}
	/* seasonal figure */
	for (int p = 0; p < f; p++)
	{
		double		sum = 0.0;
		int			k = 0;

		for (int i = p; i < l; i += f)
			if (ok[i])
			{
				sum += m->x[i] - trend[i];
				k++;
			}
		m->s0[p] = sum / k;
		mean += m->s0[p];
	}
	mean /= f;
	for (int p = 0; p < f; p++)
		m->s0[p] -= mean;
	/* line through the defined trend values */
	for (int i = 0; i < l; i++)
		if (ok[i])
		{
			double		t = ++cnt;

			sx += t;
			sy += trend[i];
			sxx += t * t;
			sxy += t * trend[i];
		}
	m->b0 = (cnt * sxy - sx * sy) / (cnt * sxx - sx * sx);
	m->l0 = (sy - m->b0 * sx) / cnt;
}

/*
 * The filtering recursion of R's C_HoltWinters for the additive model with
 * trend and season, from period f + 1 on; fills sse, a, b, s and res.
 */
static void
HwFilter(HwModel *m, double alpha, double beta, double gamma)
{
	int			f = m->f,
				n = m->n;
	double		level = m->l0,
				trend = m->b0;

	alpha = Min(Max(alpha, 0.0), 1.0);
	beta = Min(Max(beta, 0.0), 1.0);
	gamma = Min(Max(gamma, 0.0), 1.0);
	memcpy(m->season, m->s0, sizeof(double) * f);
	m->sse = 0.0;
	for (int i = f; i < n; i++)
	{
		int			i0 = i - f + 1;
		double		stmp = m->season[i0 - 1];
		double		xhat = level + trend + stmp;
		double		res = m->x[i] - xhat;
		double		newlevel;

		m->res[i - f] = res;
		m->sse += res * res;
		newlevel = alpha * (m->x[i] - stmp) + (1 - alpha) * (level + trend);
		trend = beta * (newlevel - level) + (1 - beta) * trend;
		level = newlevel;
		m->season[i0 + f - 1] = gamma * (m->x[i] - level) + (1 - gamma) * stmp;
	}
	m->a = level;
	m->b = trend;
	memcpy(m->s, m->season + (n - f), sizeof(double) * f);
}

static double
HwSse(HwModel *m, const double *p, const bool *free, const double *fixed)
{
	double		q[3];
	int			k = 0;

	for (int i = 0; i < 3; i++)
		q[i] = free[i] ? p[k++] : fixed[i];
	for (int i = 0; i < 3; i++)
		if (q[i] < 0.0 || q[i] > 1.0)
			return INFINITY;
	HwFilter(m, q[0], q[1], q[2]);
	return m->sse;
}

/*
 * Nelder–Mead simplex on the free parameters inside [0, 1]^d (points
 * outside score +Infinity); returns the best point in p.
 */
static double
NelderMead(HwModel *m, double *p, int d, const bool *free, const double *fixed)
{
	double		x[4][3],
				fx[4];
	int			iter;

	for (int i = 0; i <= d; i++)
	{
		for (int j = 0; j < d; j++)
			x[i][j] = p[j];
		if (i > 0)
			x[i][i - 1] = p[i - 1] + (p[i - 1] < 0.5 ? 0.1 : -0.1);
		fx[i] = HwSse(m, x[i], free, fixed);
	}
	for (iter = 0; iter < 2000; iter++)
	{
		int			hi = 0,
					lo = 0,
					nh = 0;
		double		c[3] = {0, 0, 0},
					xr[3],
					xe[3],
					fr,
					fe;

		CHECK_FOR_INTERRUPTS();
		for (int i = 1; i <= d; i++)
		{
			if (fx[i] > fx[hi])
				hi = i;
			if (fx[i] < fx[lo])
				lo = i;
		}
		nh = (hi == 0) ? 1 : 0;
		for (int i = 0; i <= d; i++)
			if (i != hi && fx[i] > fx[nh])
				nh = i;
		{
			double		size = 0.0;

			for (int i = 0; i <= d; i++)
				for (int j = 0; j < d; j++)
					size = Max(size, fabs(x[i][j] - x[lo][j]));
			if (size < 1e-10 ||
				(fx[hi] - fx[lo] <= 1e-15 * (fabs(fx[lo]) + 1e-300) && size < 1e-7))
				break;
		}
		for (int i = 0; i <= d; i++)
			if (i != hi)
				for (int j = 0; j < d; j++)
					c[j] += x[i][j] / d;
		for (int j = 0; j < d; j++)
			xr[j] = c[j] + (c[j] - x[hi][j]);
		fr = HwSse(m, xr, free, fixed);
		if (fr < fx[lo])
		{
			for (int j = 0; j < d; j++)
				xe[j] = c[j] + 2.0 * (c[j] - x[hi][j]);
			fe = HwSse(m, xe, free, fixed);
			if (fe < fr)
			{
				memcpy(x[hi], xe, sizeof(xe));
				fx[hi] = fe;
			}
			else
			{
				memcpy(x[hi], xr, sizeof(xr));
				fx[hi] = fr;
			}
		}
		else if (fr < fx[nh])
		{
			memcpy(x[hi], xr, sizeof(xr));
			fx[hi] = fr;
		}
		else
		{
			double		xc[3],
						fc;
			bool		outside = fr < fx[hi];

			for (int j = 0; j < d; j++)
				xc[j] = outside ? c[j] + 0.5 * (xr[j] - c[j]) : c[j] + 0.5 * (x[hi][j] - c[j]);
			fc = HwSse(m, xc, free, fixed);
			if (fc < Min(fr, fx[hi]))
			{
				memcpy(x[hi], xc, sizeof(xc));
				fx[hi] = fc;
			}
			else
			{
				/* shrink towards the best point */
				for (int i = 0; i <= d; i++)
					if (i != lo)
					{
						for (int j = 0; j < d; j++)
							x[i][j] = x[lo][j] + 0.5 * (x[i][j] - x[lo][j]);
						fx[i] = HwSse(m, x[i], free, fixed);
					}
			}
		}
	}
	{
		int			lo = 0;

		for (int i = 1; i <= d; i++)
			if (fx[i] < fx[lo])
				lo = i;
		memcpy(p, x[lo], sizeof(double) * d);
		return fx[lo];
	}
}

/*
 * Fit the NULL smoothing parameters (free[i]) by minimising the one-step
 * SSE over [0, 1]: Nelder–Mead started from R's optim.start (0.3, 0.1, 0.1)
 * and from the corners of a coarse grid, each best point restarted once;
 * the lowest SSE wins.  R uses L-BFGS-B from (0.3, 0.1, 0.1) alone, which
 * can stop in a worse local minimum; this search never returns a higher SSE
 * than its own start.
 */
static void
FitHoltWinters(HwModel *m, double *par, const bool *free)
{
	static const double grid[] = {0.05, 0.5, 0.95};
	double		fixed[3],
				best[3],
				bestf = INFINITY;
	int			d = 0,
				nstart;

	for (int i = 0; i < 3; i++)
	{
		fixed[i] = par[i];
		d += free[i] ? 1 : 0;
	}
	if (d == 0)
		return;
	nstart = 1;
	for (int i = 0; i < d; i++)
		nstart *= 3;
	for (int s = -1; s < nstart; s++)
	{
		double		p[3],
					fp;
		int			code = s;

		for (int j = 0, k = 0; j < 3; j++)
			if (free[j])
			{
				if (s < 0)
					p[k] = (j == 0) ? 0.3 : 0.1;
				else
				{
					p[k] = grid[code % 3];
					code /= 3;
				}
				k++;
			}
		fp = NelderMead(m, p, d, free, fixed);
		fp = NelderMead(m, p, d, free, fixed);
		if (fp < bestf)
		{
			bestf = fp;
			memcpy(best, p, sizeof(double) * d);
		}
	}
	for (int j = 0, k = 0; j < 3; j++)
		if (free[j])
			par[j] = best[k++];
}

/* Read the series and parameters shared by holt_winters and holt_winters_fit. */
static void
HwSetup(FunctionCallInfo fcinfo, const char *fname, HwModel *m, double *par, bool *free)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int			period = PG_GETARG_INT32(1);
	static const char *names[] = {"alpha", "beta", "gamma"};

	m->x = ReadSeries(arr, fname, &m->n);
	CheckPeriod(period, fname);
	m->f = period;
	for (int i = 0; i < 3; i++)
	{
		free[i] = PG_ARGISNULL(2 + i);
		par[i] = free[i] ? 0.0 : PG_GETARG_FLOAT8(2 + i);
		if (!free[i] && !(par[i] >= 0.0 && par[i] <= 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s must be between 0 and 1", fname, names[i]),
					 errdetail("Got %g.", par[i]),
					 errhint("Pass NULL to fit it.")));
	}
	if (!free[0] && par[0] == 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: alpha must not be 0", fname),
				 errhint("A model without level updates cannot be fitted (as in R).")));
}

/* Allocate the model's arrays and compute start values; false if too short. */
static bool
HwPrepare(HwModel *m)
{
	if (m->n < 2 * m->f)
		return false;
	m->s0 = palloc(sizeof(double) * m->f);
	m->s = palloc(sizeof(double) * m->f);
	m->res = palloc(sizeof(double) * (m->n - m->f));
	m->season = palloc(sizeof(double) * m->n);
	HwStart(m);
	return true;
}

/*
 * holt_winters(y float8[], period int, alpha, beta, gamma float8,
 *              h int, level float8) → TABLE(step, forecast, lo, hi)
 * predict.HoltWinters(…, n.ahead = h, prediction.interval = TRUE, level):
 * forecast(k) = a + k·b + s((k − 1) mod f); the interval ± z·√(σ²·(1 +
 * Σ_{j<k} ψ_j²)), ψ_j = α(1 + jβ) + [j mod f = 0]·γ(1 − α), σ² the sample
 * variance of the one-step residuals.  No rows when the series is shorter
 * than two periods.
 */
PG_FUNCTION_INFO_V1(holt_winters);
Datum
holt_winters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HwModel		m;
	double		par[3],
				z,
				sigma2,
				mean = 0.0,
				ss = 0.0,
				cum = 1.0;
	bool		free[3];
	int			h,
				nres;
	double		level;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(5) || PG_ARGISNULL(6))
		return (Datum) 0;
	h = PG_GETARG_INT32(5);
	level = PG_GETARG_FLOAT8(6);
	HwSetup(fcinfo, "holt_winters", &m, par, free);
	if (h < 1 || h > SEASON_MAX_N)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("holt_winters: h must be between 1 and %d", SEASON_MAX_N),
				 errdetail("Got %d.", h),
				 errhint("Forecast at least one step ahead.")));
	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("holt_winters: level must be between 0 and 1 (exclusive)"),
				 errdetail("Got %g.", level),
				 errhint("Use 0.95 for a 95%% prediction interval.")));
	if (!HwPrepare(&m))
		return (Datum) 0;
	FitHoltWinters(&m, par, free);
	HwFilter(&m, par[0], par[1], par[2]);

	nres = m.n - m.f;
	for (int i = 0; i < nres; i++)
		mean += m.res[i];
	mean /= nres;
	for (int i = 0; i < nres; i++)
		ss += (m.res[i] - mean) * (m.res[i] - mean);
	sigma2 = nres > 1 ? ss / (nres - 1) : NAN;
	z = mq_norm_quantile((1.0 + level) / 2.0);

	for (int k = 1; k <= h; k++)
	{
		Datum		v[4];
		bool		nulls[4] = {false, false, false, false};
		double		fc = m.a + k * m.b + m.s[(k - 1) % m.f];
		double		half;

		if (k > 1)
		{
			int			j = k - 1;
			double		psi = par[0] * (1.0 + j * par[1]) +
				((j % m.f) == 0 ? par[2] * (1.0 - par[0]) : 0.0);

			cum += psi * psi;
		}
		half = z * sqrt(sigma2 * cum);
		v[0] = Int32GetDatum(k);
		v[1] = Float8GetDatum(fc);
		v[2] = Float8GetDatum(fc - half);
		v[3] = Float8GetDatum(fc + half);
		nulls[2] = nulls[3] = isnan(half);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	return (Datum) 0;
}

/*
 * holt_winters_fit(y, period, alpha, beta, gamma) → (alpha, beta, gamma,
 * sse, level, trend, start_level, start_trend): the parameters used (fitted
 * where NULL was passed), the SSE of the one-step forecasts, and the final
 * and start level and trend (R's coefficients a, b and l.start, b.start).
 * NULL fields when the series is shorter than two periods.
 */
PG_FUNCTION_INFO_V1(holt_winters_fit);
Datum
holt_winters_fit(PG_FUNCTION_ARGS)
{
	HwModel		m;
	double		par[3];
	bool		free[3];
	Datum		v[8];
	bool		nulls[8];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	HwSetup(fcinfo, "holt_winters_fit", &m, par, free);
	memset(nulls, true, sizeof(nulls));
	if (HwPrepare(&m))
	{
		FitHoltWinters(&m, par, free);
		HwFilter(&m, par[0], par[1], par[2]);
		v[0] = Float8GetDatum(par[0]);
		v[1] = Float8GetDatum(par[1]);
		v[2] = Float8GetDatum(par[2]);
		v[3] = Float8GetDatum(m.sse);
		v[4] = Float8GetDatum(m.a);
		v[5] = Float8GetDatum(m.b);
		v[6] = Float8GetDatum(m.l0);
		v[7] = Float8GetDatum(m.b0);
		memset(nulls, false, sizeof(nulls));
	}
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, v, nulls));
}

/*
 * season_forecast(y float8[], h int, confidence float8)
 *   → TABLE(step int, forecast float8, lo float8, hi float8, method text)
 * A monthly count series (period 12) forecast h months ahead:
 *   24 months or more: holt_winters(y, 12, NULL, NULL, NULL, h, confidence),
 *     forecast and bounds clipped at 0 (method 'holt_winters');
 *   13..23 months: μ = the same month a year earlier × r, r the ratio of the
 *     last three months to the same three months a year earlier ((a + 1)/
 *     (b + 1), kept within [0.5, 2]); interval μ ± z·√(φμ) clipped at 0,
 *     φ ≥ 1 the quasi-Poisson dispersion of the year-on-year fit
 *     Σ (y_t − r·y_{t−12})² / (r·y_{t−12} + 1) / (n − 12) (method
 *     'seasonal_naive');
 *   fewer: no rows.
 */
PG_FUNCTION_INFO_V1(season_forecast);
Datum
season_forecast(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const int	f = 12;
	ArrayType  *arr;
	double	   *y,
				conf;
	int			n,
				h;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return (Datum) 0;
	arr = PG_GETARG_ARRAYTYPE_P(0);
	h = PG_GETARG_INT32(1);
	conf = PG_GETARG_FLOAT8(2);
	y = ReadSeries(arr, "season_forecast", &n);
	if (h < 1 || h > 120)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("season_forecast: months ahead must be between 1 and 120"),
				 errdetail("Got %d.", h),
				 errhint("Forecast at least one month ahead.")));
	if (!(conf > 0.0 && conf < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("season_forecast: confidence must be between 0 and 1 (exclusive)"),
				 errdetail("Got %g.", conf),
				 errhint("Use 0.9 for a 90%% prediction interval.")));
	for (int i = 0; i < n; i++)
		if (y[i] < 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("season_forecast: element %d of the series is negative", i + 1),
					 errhint("Counts cannot be negative.")));
	if (n >= 2 * f)
	{
		HwModel		m;
		double		par[3] = {0, 0, 0};
		bool		free[3] = {true, true, true};
		double		mean = 0.0,
					ss = 0.0,
					sigma2,
					cum = 1.0,
					z = mq_norm_quantile((1.0 + conf) / 2.0);
		int			nres = n - f;

		m.x = y;
		m.n = n;
		m.f = f;
		HwPrepare(&m);
		FitHoltWinters(&m, par, free);
		HwFilter(&m, par[0], par[1], par[2]);
		for (int i = 0; i < nres; i++)
			mean += m.res[i];
		mean /= nres;
		for (int i = 0; i < nres; i++)
			ss += (m.res[i] - mean) * (m.res[i] - mean);
		sigma2 = ss / (nres - 1);
		for (int k = 1; k <= h; k++)
		{
			Datum		v[5];
			bool		nulls[5] = {false, false, false, false, false};
			double		fc = m.a + k * m.b + m.s[(k - 1) % f],
						half;

			if (k > 1)
			{
				double		psi = par[0] * (1.0 + (k - 1) * par[1]) +
					(((k - 1) % f) == 0 ? par[2] * (1.0 - par[0]) : 0.0);

				cum += psi * psi;
			}
			half = z * sqrt(sigma2 * cum);
			v[0] = Int32GetDatum(k);
			v[1] = Float8GetDatum(Max(0.0, fc));
			v[2] = Float8GetDatum(Max(0.0, fc - half));
			v[3] = Float8GetDatum(Max(0.0, fc + half));
			v[4] = CStringGetTextDatum("holt_winters");
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
		}
	}
	else if (n > f)
	{
		double		a = 0.0,
					b = 0.0,
					r,
					phi = 0.0,
					z = mq_norm_quantile((1.0 + conf) / 2.0);
		int			w = Min(3, n - f);

		for (int i = n - w; i < n; i++)
		{
			a += y[i];
			b += y[i - f];
		}
		r = Min(2.0, Max(0.5, (a + 1.0) / (b + 1.0)));
		/* quasi-Poisson dispersion of the year-on-year fit, at least 1 */
		for (int i = f; i < n; i++)
		{
			double		e = y[i] - r * y[i - f];

			phi += e * e / (r * y[i - f] + 1.0);
		}
		phi = Max(1.0, phi / (n - f));
		for (int k = 1; k <= h; k++)
		{
			Datum		v[5];
			bool		nulls[5] = {false, false, false, false, false};
			int			base = n - f + ((k - 1) % f);
			double		mu = y[base] * r,
						half = z * sqrt(phi * mu);

			v[0] = Int32GetDatum(k);
			v[1] = Float8GetDatum(mu);
			v[2] = Float8GetDatum(Max(0.0, mu - half));
			v[3] = Float8GetDatum(mu + half);
			v[4] = CStringGetTextDatum("seasonal_naive");
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
		}
	}
	return (Datum) 0;
}
