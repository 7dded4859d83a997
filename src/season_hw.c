/*
 * season_hw.c — Holt–Winters forecasts of a count series (SPEC §11):
 * holt_winters(), holt_winters_fit() and season_forecast(); the series
 * reader and the decomposition side are in season.c.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "result.h"
#include "season.h"
#include "stats.h"

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

	m->x = mq_season_read_series(arr, fname, &m->n);
	mq_season_check_period(period, fname);
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
 * predict.HoltWinters(…, n.ahead = h, prediction.interval = TRUE, level) of
 * a filtered model: fc[k-1] = a + k·b + s((k − 1) mod f) and the half-width
 * half[k-1] = z·√(σ²·(1 + Σ_{j<k} ψ_j²)), ψ_j = α(1 + jβ) + [j mod f = 0]·
 * γ(1 − α), σ² the sample variance of the one-step residuals (NaN with one).
 */
static void
HwPredict(const HwModel *m, const double *par, int h, double level, double *fc, double *half)
{
	int			nres = m->n - m->f;
	double		mean = 0.0,
				ss = 0.0,
				sigma2,
				cum = 1.0,
				z = mq_norm_quantile((1.0 + level) / 2.0);

	for (int i = 0; i < nres; i++)
		mean += m->res[i];
	mean /= nres;
	for (int i = 0; i < nres; i++)
		ss += (m->res[i] - mean) * (m->res[i] - mean);
	sigma2 = nres > 1 ? ss / (nres - 1) : NAN;
	for (int k = 1; k <= h; k++)
	{
		if (k > 1)
		{
			int			j = k - 1;
			double		psi = par[0] * (1.0 + j * par[1]) +
				((j % m->f) == 0 ? par[2] * (1.0 - par[0]) : 0.0);

			cum += psi * psi;
		}
		fc[k - 1] = m->a + k * m->b + m->s[(k - 1) % m->f];
		half[k - 1] = z * sqrt(sigma2 * cum);
	}
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
			   *fc,
			   *half;
	bool		free[3];
	int			h;
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

	fc = palloc(sizeof(double) * h);
	half = palloc(sizeof(double) * h);
	HwPredict(&m, par, h, level, fc, half);
	for (int k = 1; k <= h; k++)
	{
		Datum		v[4];
		bool		nulls[4] = {false, false, false, false};

		v[0] = Int32GetDatum(k);
		v[1] = Float8GetDatum(fc[k - 1]);
		v[2] = Float8GetDatum(fc[k - 1] - half[k - 1]);
		v[3] = Float8GetDatum(fc[k - 1] + half[k - 1]);
		nulls[2] = nulls[3] = isnan(half[k - 1]);
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
	y = mq_season_read_series(arr, "season_forecast", &n);
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
		double	   *fc = palloc(sizeof(double) * h),
				   *half = palloc(sizeof(double) * h);

		m.x = y;
		m.n = n;
		m.f = f;
		HwPrepare(&m);
		FitHoltWinters(&m, par, free);
		HwFilter(&m, par[0], par[1], par[2]);
		HwPredict(&m, par, h, conf, fc, half);
		for (int k = 1; k <= h; k++)
		{
			Datum		v[5];
			bool		nulls[5] = {false, false, false, false, false};

			v[0] = Int32GetDatum(k);
			v[1] = Float8GetDatum(Max(0.0, fc[k - 1]));
			v[2] = Float8GetDatum(Max(0.0, fc[k - 1] - half[k - 1]));
			v[3] = Float8GetDatum(Max(0.0, fc[k - 1] + half[k - 1]));
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
