/*
 * alarms.c — the improved Farrington algorithm as a window function
 * (SPEC §11): R surveillance 1.20.3 farringtonFlexible() on
 * sts(cases, frequency = period) with control b, w, alpha and every other
 * setting at its default:
 *
 *   reference values   for the period s (0-based row of the series) the
 *                      counts at s − i·period + j, i = 1..b, j = −w..w
 *                      (noPeriods = 1: no seasonal factor; the current
 *                      window [s − w, s] is never part of it)
 *   model              quasi-Poisson GLM, log link, log μ = β0 + β1·t with
 *                      t the 1-based position, fitted by R's glm.fit IRLS
 *                      (start μ = y + 0.1, |Δdev|/(|dev| + 0.1) < 1e-8, at
 *                      most 25 iterations), then refitted once with weights
 *                      from the Anscombe residuals (threshold 2.58); φ =
 *                      max(dispersion, 1)
 *   trend              kept only when b ≥ 3, the t-test of β1 has p < 0.05
 *                      and the prediction does not exceed the largest
 *                      reference value; otherwise the model is refitted
 *                      without it
 *   threshold          2/3-power transform: U = (μ0^(2/3) + z·σ)^(3/2),
 *                      σ² = 4/9 · μ0^(1/3) · (φ + se(μ0)²/μ0),
 *                      z = Φ⁻¹(1 − alpha)
 *   alarm              y > U in the sense of R's score (y − μ0)/(U − μ0) > 1,
 *                      y > 0, and at least 5 cases in the last 4 periods
 *                      (limit54); with fewer, expected and upperbound are
 *                      NULL and alarm is false, as in R.
 *
 * Rows are periods in the window's ORDER BY order.  A NULL case count is a
 * missing observation (R's NA): the row's result is NULL, the period keeps
 * its place in the calendar and is left out of every baseline.  The result
 * is NULL while the history is shorter than b·period + w periods (R's
 * default range starts at b·period + w + 1), when fewer than 3 reference
 * values exist, and when neither model converges.
 *
 * The GLM has at most two coefficients, so each IRLS step is a weighted
 * least-squares fit in closed form on a centred time axis (numerically the
 * same as R's QR, to rounding); the unscaled covariance and the hat values
 * come from the same sums.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"

#include "alarms.h"
#include "result.h"
#include "stats.h"
#include "window.h"

#define FAR_MAXIT		25			/* glm.control() */
#define FAR_EPSILON		1e-8
#define FAR_WEIGHTS_THRESHOLD 2.58	/* weightsThreshold */
#define FAR_P_TREND		0.05		/* pThresholdTrend */
#define FAR_LIMIT_CASES 5			/* limit54 */
#define FAR_LIMIT_PERIODS 4
#define FAR_MIN_REFERENCE 3

typedef struct FarRow
{
	bool		isnull;			/* NULL composite */
	bool		enough;			/* limit54 met: expected and upperbound set */
	double		expected;
	double		upperbound;
	bool		alarm;
} FarRow;


/* Σ of the quasi-Poisson deviance residuals, R's dev.resids */
static double
QpDeviance(const QpModel *m)
{
	double		dev = 0.0;

	for (int i = 0; i < m->n; i++)
	{
		double		y = m->y[i],
					mu = m->mu[i];

		if (y > 0)
			dev += 2.0 * m->prior[i] * (y * log(y / mu) - (y - mu));
		else
			dev += 2.0 * m->prior[i] * mu;
	}
	return dev;
}

/* x0ᵀ (XᵀWX)⁻¹ x0 for the design row x */
double
mq_qp_leverage(const QpModel *m, const double *x)
{
	int			p = m->k - 1;
	double		v = 1.0 / m->sw;

	for (int a = 0; a < p; a++)
		for (int c = 0; c < p; c++)
			v += (x[a + 1] - m->xbar[a + 1]) * m->cinv[a * p + c] * (x[c + 1] - m->xbar[c + 1]);
	return v;
}

/*
 * Weighted least squares of z on X with weights w (centred normal
 * equations).  False when the design is singular at R's tolerance scale.
 */
/* Solve L Lᵀ v = rhs (L lower triangular, p × p, row-major). */
static void
CholSolve(const double *L, int p, const double *rhs, double *v)
{
	for (int a = 0; a < p; a++)
	{
		double		s = rhs[a];

		for (int q = 0; q < a; q++)
			s -= L[a * p + q] * v[q];
		v[a] = s / L[a * p + a];
	}
	for (int a = p - 1; a >= 0; a--)
	{
		double		s = v[a];

		for (int q = a + 1; q < p; q++)
			s -= L[q * p + a] * v[q];
		v[a] = s / L[a * p + a];
	}
}

static bool
QpWlsRows(QpModel *m, const double *X, const double *w, const double *z, int n)
{
	int			k = m->k,
				p = k - 1;
	double		sw = 0.0,
				zbar = 0.0,
				A[QP_MAXK * QP_MAXK],
				L[QP_MAXK * QP_MAXK],
				c[QP_MAXK];

	for (int i = 0; i < n; i++)
	{
		sw += w[i];
		zbar += w[i] * z[i];
	}
	if (!(sw > 0.0))
		return false;
	zbar /= sw;
	for (int j = 1; j < k; j++)
	{
		double		s = 0.0;

		for (int i = 0; i < n; i++)
			s += w[i] * X[i * m->ldx + j];
		m->xbar[j] = s / sw;
	}
	m->sw = sw;
	m->beta[0] = zbar;
	if (p == 0)
		return true;
	memset(A, 0, sizeof(A));
	memset(c, 0, sizeof(c));
	for (int i = 0; i < n; i++)
	{
		double		d[QP_MAXK];
		double		dz = z[i] - zbar;

		for (int j = 0; j < p; j++)
			d[j] = X[i * m->ldx + j + 1] - m->xbar[j + 1];
		for (int a = 0; a < p; a++)
		{
			c[a] += w[i] * d[a] * dz;
			for (int b = 0; b <= a; b++)
				A[a * p + b] += w[i] * d[a] * d[b];
		}
	}
	/* Cholesky A = L Lᵀ */
	for (int a = 0; a < p; a++)
	{
		for (int b = 0; b <= a; b++)
		{
			double		s = A[a * p + b];

			for (int q = 0; q < b; q++)
				s -= L[a * p + q] * L[b * p + q];
			if (a == b)
			{
				if (!(s > 1e-10 * A[a * p + a]) || !(s > 0.0))
					return false;
				L[a * p + a] = sqrt(s);
			}
			else
				L[a * p + b] = s / L[b * p + b];
		}
	}
	/* β = A⁻¹ c by two triangular solves; L is kept for QpCovariance */
	CholSolve(L, p, c, &m->beta[1]);
	memcpy(m->chol, L, sizeof(double) * p * p);
	return true;
}

/*
 * The centred (XᵀWX)⁻¹ of the last least-squares step, column by column
 * from its Cholesky factor (only needed once a fit has ended).
 */
static void
QpCovariance(QpModel *m)
{
	int			p = m->k - 1;

	for (int col = 0; col < p; col++)
	{
		double		e[QP_MAXK] = {0},
					v[QP_MAXK];

		e[col] = 1.0;
		CholSolve(m->chol, p, e, v);
		for (int a = 0; a < p; a++)
			m->cinv[a * p + col] = v[a];
	}
}

/* One IRLS least-squares step, by cell when the model has cells. */
static bool
QpWls(QpModel *m)
{
	if (m->cell == NULL)
		return QpWlsRows(m, m->X, m->w, m->z, m->n);
	for (int c = 0; c < m->ncell; c++)
		m->cw[c] = m->cz[c] = 0.0;
	for (int i = 0; i < m->n; i++)
	{
		m->cw[m->cell[i]] += m->w[i];
		m->cz[m->cell[i]] += m->w[i] * m->z[i];
	}
	for (int c = 0; c < m->ncell; c++)
		if (m->cw[c] > 0.0)
			m->cz[c] /= m->cw[c];
	return QpWlsRows(m, m->cx, m->cw, m->cz, m->ncell);
}

/* The linear predictor and mean of every observation after a step. */
static void
QpUpdateMu(QpModel *m)
{
	if (m->cell == NULL)
	{
		for (int i = 0; i < m->n; i++)
		{
			m->eta[i] = QpEta(m, &m->X[i * m->ldx]);
			m->mu[i] = QpLinkInv(m->eta[i]);
		}
		return;
	}
	for (int c = 0; c < m->ncell; c++)
	{
		m->ceta[c] = QpEta(m, &m->cx[c * m->ldx]);
		m->cz[c] = QpLinkInv(m->ceta[c]);	/* cz is free until the next step */
	}
	for (int i = 0; i < m->n; i++)
	{
		m->eta[i] = m->ceta[m->cell[i]];
		m->mu[i] = m->cz[m->cell[i]];
	}
}

/*
 * glm(y ~ X, family = quasipoisson, weights = prior) by glm.fit's IRLS
 * (start μ = y + 0.1; stop when |Δdev|/(|dev| + 0.1) < 1e-8; at most 25
 * steps).  Leaves the fitted means in mu and the last step's working
 * weights in w (what summary.glm and hatvalues use).  False when a step is
 * singular or the deviance is not finite (R would halve the step; such
 * periods get no result).
 */
static bool
QpGlm(QpModel *m)
{
	double		devold,
				dev,
				ss = 0.0,
				ssp = 0.0;
	int			n = m->n;

	for (int i = 0; i < n; i++)
	{
		m->eta[i] = log(m->y[i] + 0.1);
		m->mu[i] = QpLinkInv(m->eta[i]);
	}
	devold = QpDeviance(m);
	m->converged = false;
	for (int iter = 0; iter < FAR_MAXIT; iter++)
	{
		for (int i = 0; i < n; i++)
		{
			double		mu = m->mu[i];	/* = mu.eta(eta) for the log link */

			m->z[i] = m->eta[i] + (m->y[i] - mu) / mu;
			m->w[i] = m->prior[i] * mu; /* prior · mu.eta² / V(μ) */
		}
		if (!QpWls(m))
			return false;
		QpUpdateMu(m);
		dev = QpDeviance(m);
		if (!isfinite(dev))
			return false;
		if (fabs(dev - devold) / (fabs(dev) + 0.1) < FAR_EPSILON)
		{
			m->converged = true;
			break;
		}
		devold = dev;
	}
	QpCovariance(m);

	/*
	 * summary.glm: Σ w·r² / df with working residuals r = (y − μ)/μ; and
	 * the same sum with the prior weights in place of the working weights,
	 * which is what summary.glm and predict.glm compute after
	 * algo.farrington.fitGLM.flexible has stored the Anscombe weights in
	 * model$weights.
	 */
	for (int i = 0; i < n; i++)
	{
		double		r = (m->y[i] - m->mu[i]) / m->mu[i];

		ss += m->w[i] * r * r;
		ssp += m->prior[i] * r * r;
	}
	m->dispersion = (n > m->k) ? ss / (n - m->k) : NAN;
	m->dispersion_prior = (n > m->k) ? ssp / (n - m->k) : NAN;
	return true;
}

/*
 * algo.farrington.fitGLM.flexible: fit with unit weights, then refit once
 * with weights from the Anscombe residuals (weightsThreshold 2.58).  When
 * the first fit does not converge and k > 1, falls back to the intercept-
 * only model (m->k becomes 1), as R drops the trend.  False: no usable model.
 */
bool
mq_qp_fit_reweighted(QpModel *m, bool fallback)
{
	int			n = m->n;
	double		phi,
				denom = 0.0,
				gamma;

	for (int i = 0; i < n; i++)
		m->prior[i] = 1.0;
	if (!QpGlm(m) || !m->converged)
	{
		if (!fallback || m->k == 1)
			return false;
		m->k = 1;
		if (!QpGlm(m) || !m->converged)
			return false;
	}
	phi = isnan(m->dispersion) ? NAN : Max(m->dispersion, 1.0);

	/* leverage of each cell (kept in ceta, free until the next fit) */
	if (m->cell)
		for (int c = 0; c < m->ncell; c++)
			m->ceta[c] = mq_qp_leverage(m, &m->cx[c * m->ldx]);

	/* Anscombe residuals and algo.farrington.assign.weights */
	for (int i = 0; i < n; i++)
	{
		double		mu = m->mu[i],
					h = m->w[i] * (m->cell ? m->ceta[m->cell[i]] : mq_qp_leverage(m, &m->X[i * m->ldx])),
					s;

		if (h > 1.0 - 10.0 * DBL_EPSILON)
			h = 1.0;			/* lm.influence() */
		s = 1.5 * (pow(m->y[i], 2.0 / 3.0) * pow(mu, -1.0 / 6.0) - sqrt(mu)) /
			sqrt(phi * (1.0 - h));
		m->z[i] = s;
		denom += (s > FAR_WEIGHTS_THRESHOLD) ? 1.0 / (s * s) : 1.0;
	}
	gamma = n / denom;
	for (int i = 0; i < n; i++)
	{
		double		s = m->z[i];

		m->prior[i] = (s > FAR_WEIGHTS_THRESHOLD) ? gamma / (s * s) : gamma;
	}
	/* R does not check convergence of the reweighted fit */
	return QpGlm(m);
}

/* upper bound of algo.farrington.threshold.farrington, "2/3" transform */
double
mq_far_upper(double mu0, double se, double phi, double z)
{
	double		tau = phi + se * se / mu0,
				sd = sqrt(4.0 / 9.0 * pow(mu0, 1.0 / 3.0) * tau),
				c = pow(mu0, 2.0 / 3.0),
				a = pow(c - z * sd, 1.5),
				b = pow(c + z * sd, 1.5);

	/* sort(c(a, b), na.last = FALSE)[2]: the larger, or the one not NaN */
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return Max(a, b);
}

/* Allocate a model for up to n observations and k coefficients. */
void
mq_qp_alloc(QpModel *m, int n, int k)
{
	m->ldx = k;
	m->X = palloc(sizeof(double) * Max(n, 1) * k);
	m->y = palloc(sizeof(double) * Max(n, 1));
	m->prior = palloc(sizeof(double) * Max(n, 1));
	m->eta = palloc(sizeof(double) * Max(n, 1));
	m->mu = palloc(sizeof(double) * Max(n, 1));
	m->z = palloc(sizeof(double) * Max(n, 1));
	m->w = palloc(sizeof(double) * Max(n, 1));
	m->cell = NULL;
	m->ncell = 0;
}

/* Give the model ncell cells (auto_alarm); cell[] and cx[] are filled by the caller. */
void
mq_qp_alloc_cells(QpModel *m, int n, int ncell)
{
	m->cell = palloc(sizeof(int) * Max(n, 1));
	m->cx = palloc(sizeof(double) * ncell * m->ldx);
	m->cw = palloc(sizeof(double) * ncell);
	m->cz = palloc(sizeof(double) * ncell);
	m->ceta = palloc(sizeof(double) * ncell);
	m->ncell = ncell;
}

void
mq_qp_free(QpModel *m)
{
	pfree(m->X);
	pfree(m->y);
	pfree(m->prior);
	pfree(m->eta);
	pfree(m->mu);
	pfree(m->z);
	pfree(m->w);
	if (m->cell)
	{
		pfree(m->cell);
		pfree(m->cx);
		pfree(m->cw);
		pfree(m->cz);
		pfree(m->ceta);
	}
}

/*
 * farringtonFlexible's result for series position s.  x[] holds the
 * counts, miss[] marks missing ones.
 */
static void
FarCompute(const double *x, const bool *miss, int64 s,
		   int period, int b, int w, double z, QpModel *m, FarRow *r)
{
	int			n = 0;
	double		x0[2],
				mu0,
				se,
				phi,
				upper,
				ymax = 0.0,
				y = x[s],
				recent = 0.0;
	bool		recent_na = false;

	r->isnull = true;
	if (miss[s] || s < (int64) period * b + w)
		return;

	/* reference values: b windows of 2w + 1 periods, one period apart */
	for (int i = b; i >= 1; i--)
		for (int j = -w; j <= w; j++)
		{
			int64		p = s - (int64) i * period + j;

			if (miss[p])
				continue;
			m->y[n] = x[p];
			m->X[n * m->ldx] = 1.0;
			m->X[n * m->ldx + 1] = (double) (p - s);	/* wtime, shifted */
			ymax = Max(ymax, x[p]);
			n++;
		}
	m->n = n;
	if (n < FAR_MIN_REFERENCE)
		return;
	x0[0] = 1.0;
	x0[1] = 0.0;

	/* the model with trend, and whether to keep the trend */
	m->k = 2;
	if (!mq_qp_fit_reweighted(m, true))
		return;
	if (m->k == 2)
	{
		bool		keep = false;

		if (b >= 3)
		{
			double		tstat = m->beta[1] / sqrt(m->dispersion_prior * m->cinv[0]),
						p = mq_t_p2(tstat, (double) (n - 2));

			keep = (p < FAR_P_TREND) && QpLinkInv(QpEta(m, x0)) <= ymax;
		}
		if (!keep)
		{
			m->k = 1;
			if (!mq_qp_fit_reweighted(m, false))
				return;
		}
	}

	/* predict.glm(type = "response", se.fit = TRUE) at the current period */
	mu0 = QpLinkInv(QpEta(m, x0));
	se = sqrt(mq_qp_leverage(m, x0) * m->dispersion_prior) * mu0;
	phi = isnan(m->dispersion) ? NAN : Max(m->dispersion, 1.0);
	upper = mq_far_upper(mu0, se, phi, z);

	/* limit54: at least 5 cases in the last 4 periods */
	for (int64 p = Max(0, s - FAR_LIMIT_PERIODS + 1); p <= s; p++)
	{
		if (miss[p])
			recent_na = true;
		else
			recent += x[p];
	}
	r->isnull = false;
	r->enough = !recent_na && recent >= FAR_LIMIT_CASES && !isnan(upper);
	r->expected = mu0;
	r->upperbound = upper;
	r->alarm = false;
	if (!recent_na && recent >= FAR_LIMIT_CASES)
	{
		double		score = (y - mu0) / (upper - mu0);

		r->alarm = !isnan(score) && score > 1.0 && y != 0.0;
	}
}

/*
 * Read the counts of a partition (NULL: a missing period) and refuse
 * negative, NaN or infinite ones, and rows that are peers (the series
 * needs one row per period in ORDER BY order).
 */
void
mq_alarm_read_counts(MqWindow *w, double *x, bool *miss, const char *unit)
{
	for (int64 i = 0; i < w->nrows; i++)
	{
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		if (i > 0 && WinRowsArePeers(w->win, i - 1, i))
			ereport(ERROR,
					(errcode(ERRCODE_WINDOWING_ERROR),
					 errmsg("%s() needs a window ordered by %s with one row per %s", w->fname, unit, unit),
					 errdetail("Rows %lld and %lld of the partition are peers (no ORDER BY, or a repeated %s).",
							   (long long) i, (long long) i + 1, unit),
					 errhint("Use OVER (PARTITION BY … ORDER BY %s) over a series with one row per %s; fill gaps with generate_series.",
							 unit, unit)));
		x[i] = mq_warg_float8(w, 0, i, &isnull);
		miss[i] = isnull;
		if (isnull)
			x[i] = 0.0;
		else if (isnan(x[i]) || isinf(x[i]) || x[i] < 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cases must be a finite number at least 0"),
					 errdetail("Got %g at row %lld of the partition.", x[i], (long long) i + 1),
					 errhint("Pass counts; use NULL for a %s without data.", unit)));
	}
}

/*
 * A per-partition constant argument (NULL is an error: these arguments have
 * defaults).
 */
double
mq_alarm_const_arg(MqWindow *w, int argno, const char *name, bool isint)
{
	MqWinConst	c = MQ_WIN_CONST_INIT;

	for (int64 i = 0; i < w->nrows; i++)
	{
		bool		isnull;
		double		v = isint ? (double) mq_warg_int32(w, argno, i, &isnull) : mq_warg_float8(w, argno, i, &isnull);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: argument %s must not be NULL", w->fname, name),
					 errhint("Leave it out to use its default.")));
		mq_window_constant(w, &c, name, v, i);
	}
	return c.value;
}

/*
 * farrington(cases float8, period int, b int, w int, alpha float8)
 *   OVER (PARTITION BY … ORDER BY t) -> minqing.farrington_result
 */
PG_FUNCTION_INFO_V1(farrington);
Datum
farrington(PG_FUNCTION_ARGS)
{
	MqWindow	win;
	FarRow	   *rows = mq_window_begin(fcinfo, sizeof(FarRow), "farrington", &win);
	FarRow	   *r;
	Datum		values[3];
	bool		nulls[3];

	if (!win.ready)
	{
		int			period = (int) mq_alarm_const_arg(&win, 1, "period", true),
					b = (int) mq_alarm_const_arg(&win, 2, "b", true),
					w = (int) mq_alarm_const_arg(&win, 3, "w", true);
		double		alpha = mq_alarm_const_arg(&win, 4, "alpha", false),
					z;
		double	   *x = palloc(sizeof(double) * win.nrows);
		bool	   *miss = palloc(sizeof(bool) * win.nrows);
		QpModel		m;
		int			nref;

		if (period < 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("period must be at least 2"),
					 errdetail("Got %d.", period),
					 errhint("period is the number of rows in one season: 52 for weekly counts, 364 or 365 for daily counts.")));
		if (b < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("b must be at least 1"),
					 errdetail("Got %d.", b),
					 errhint("b is the number of past seasons in the baseline.")));
		if (w < 0 || 2 * (int64) w + 1 > period)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("w must be between 0 and (period - 1) / 2"),
					 errdetail("Got w = %d with period %d.", w, period),
					 errhint("w is the half-width of each reference window; 2w + 1 periods must fit in one season.")));
		if (!(alpha > 0.0 && alpha < 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("alpha must be between 0 and 1 (exclusive)"),
					 errdetail("Got %g.", alpha),
					 errhint("alpha is the one-sided significance level of the upper bound, e.g. 0.05 or 0.001.")));
		z = mq_norm_quantile(1.0 - alpha);
		mq_alarm_read_counts(&win, x, miss, "period");

		nref = (int) Min((int64) b * (2 * w + 1), win.nrows);
		mq_qp_alloc(&m, nref, 2);
		for (int64 i = 0; i < win.nrows; i++)
		{
			CHECK_FOR_INTERRUPTS();
			FarCompute(x, miss, i, period, b, w, z, &m, &rows[i]);
		}
		mq_qp_free(&m);
		pfree(x);
		pfree(miss);
		mq_window_ready(&win);
	}

	r = &rows[win.cur];
	if (r->isnull)
		PG_RETURN_NULL();
	mq_result_nulls(nulls, 3);
	if (r->enough)
	{
		mq_result_f8(values, nulls, 0, r->expected);
		mq_result_f8(values, nulls, 1, r->upperbound);
	}
	values[2] = BoolGetDatum(r->alarm);
	nulls[2] = false;
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

