/*
 * stats.c — distributions and numeric helpers (see stats.h).
 */
#include "postgres.h"

#include <math.h>

#include "stats.h"

/* Φ(x) via erfc, accurate in both tails. */
double
mq_norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* 1 − Φ(x), without cancellation for large x. */
double
mq_norm_sf(double x)
{
	return 0.5 * erfc(x / M_SQRT2);
}

/* Two-sided normal p-value of a z-score. */
double
mq_norm_p2(double z)
{
	if (isnan(z))
		return NAN;
	return 2.0 * mq_norm_sf(fabs(z));
}

/*
 * Φ⁻¹(p): Acklam's rational approximation (relative error 1.15e-9) polished
 * by one Halley step on erfc, which brings it to full double precision —
 * needed for Wilson intervals that agree with scipy's norm.isf to 1e-12.
 */
double
mq_norm_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
	-3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
	-1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
	4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	2.445134137142996e+00, 3.754408661907416e+00};
	const double plow = 0.02425;
	double		q,
				r,
				x,
				e,
				u;

	if (isnan(p) || p < 0.0 || p > 1.0)
		return NAN;
	if (p == 0.0)
		return -INFINITY;
	if (p == 1.0)
		return INFINITY;

	if (p < plow)
	{
		q = sqrt(-2.0 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else if (p <= 1.0 - plow)
	{
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
	else
	{
		q = sqrt(-2.0 * log(1.0 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	/* Halley refinement, twice for safety; each step cubes the error */
	for (int i = 0; i < 2; i++)
	{
		e = mq_norm_cdf(x) - p;
		u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
		x = x - u / (1.0 + x * u / 2.0);
	}
	return x;
}

void
mq_wilson(double k, double n, double confidence, double *lo, double *hi)
{
	double		z = mq_norm_quantile(1.0 - (1.0 - confidence) / 2.0);
	double		z2 = z * z;
	double		p = k / n;
	double		denom = 1.0 + z2 / n;
	double		center = (p + z2 / (2.0 * n)) / denom;
	double		half = z * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;

	/* the bounds are exactly 0 at k = 0 and 1 at k = n; keep them so */
	*lo = (k <= 0.0) ? 0.0 : Max(0.0, center - half);
	*hi = (k >= n) ? 1.0 : Min(1.0, center + half);
}

void
mq_check_finite(double x, const char *fname, const char *argname)
{
	if (isnan(x) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite number", fname, argname),
				 errdetail("Got %g.", x),
				 errhint("NaN and Infinity are refused; filter them out or replace them with NULL.")));
}

/* ---------------------------------------------------------------------------
 * Incomplete beta and gamma functions (appended by the policy feature).
 * ------------------------------------------------------------------------- */

#define MQ_CF_EPS	1e-16
#define MQ_CF_TINY	1e-300
#define MQ_CF_ITER	1000

/*
 * Continued fraction of I_x(a, b) (the classical even/odd expansion),
 * evaluated by the modified Lentz method; converges fast for
 * x < (a + 1) / (a + b + 2).  `y` is 1 − x, passed separately so that
 * callers can supply it without cancellation.
 */
static double
IncBetaFraction(double a, double b, double x)
{
	double		f,
				c,
				d,
				num,
				step;

	c = 1.0;
	d = 1.0 - (a + b) * x / (a + 1.0);
	if (fabs(d) < MQ_CF_TINY)
		d = MQ_CF_TINY;
	d = 1.0 / d;
	f = d;
	for (int m = 1; m <= MQ_CF_ITER; m++)
	{
		double		twom = 2.0 * m;

		/* even term d_{2m} */
		num = m * (b - m) * x / ((a + twom - 1.0) * (a + twom));
		d = 1.0 + num * d;
		if (fabs(d) < MQ_CF_TINY)
			d = MQ_CF_TINY;
		c = 1.0 + num / c;
		if (fabs(c) < MQ_CF_TINY)
			c = MQ_CF_TINY;
		d = 1.0 / d;
		f *= d * c;
		/* odd term d_{2m+1} */
		num = -(a + m) * (a + b + m) * x / ((a + twom) * (a + twom + 1.0));
		d = 1.0 + num * d;
		if (fabs(d) < MQ_CF_TINY)
			d = MQ_CF_TINY;
		c = 1.0 + num / c;
		if (fabs(c) < MQ_CF_TINY)
			c = MQ_CF_TINY;
		d = 1.0 / d;
		step = d * c;
		f *= step;
		if (fabs(step - 1.0) < MQ_CF_EPS)
			break;
	}
	return f;
}

/* I_x(a, b) given x and y = 1 − x (both in [0, 1]). */
static double
IncBetaXY(double a, double b, double x, double y)
{
	double		lfront;

	if (isnan(a) || isnan(b) || isnan(x) || a <= 0.0 || b <= 0.0 || x < 0.0 || x > 1.0)
		return NAN;
	if (x == 0.0)
		return 0.0;
	if (y == 0.0)
		return 1.0;
	lfront = a * log(x) + b * log(y) + lgamma(a + b) - lgamma(a) - lgamma(b);
	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(lfront) * IncBetaFraction(a, b, x) / a;
	/* symmetry I_x(a, b) = 1 − I_y(b, a) where the fraction converges */
	return 1.0 - exp(lfront) * IncBetaFraction(b, a, y) / b;
}

/* Regularized incomplete beta I_x(a, b). */
double
mq_inc_beta(double a, double b, double x)
{
	return IncBetaXY(a, b, x, 1.0 - x);
}

/* Series for P(a, x), used when x < a + 1. */
static double
IncGammaSeries(double a, double x)
{
	double		term = 1.0 / a,
				sum = term,
				ap = a;

	for (int n = 0; n < MQ_CF_ITER; n++)
	{
		ap += 1.0;
		term *= x / ap;
		sum += term;
		if (fabs(term) < fabs(sum) * MQ_CF_EPS)
			break;
	}
	return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Continued fraction (Lentz) for Q(a, x), used when x ≥ a + 1. */
static double
IncGammaFraction(double a, double x)
{
	double		b = x + 1.0 - a,
				c = 1.0 / MQ_CF_TINY,
				d = 1.0 / b,
				f = d;

	for (int i = 1; i <= MQ_CF_ITER; i++)
	{
		double		an = -i * (i - a),
					step;

		b += 2.0;
		d = an * d + b;
		if (fabs(d) < MQ_CF_TINY)
			d = MQ_CF_TINY;
		c = b + an / c;
		if (fabs(c) < MQ_CF_TINY)
			c = MQ_CF_TINY;
		d = 1.0 / d;
		step = d * c;
		f *= step;
		if (fabs(step - 1.0) < MQ_CF_EPS)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * f;
}

/* Regularized lower incomplete gamma P(a, x). */
double
mq_inc_gamma_p(double a, double x)
{
	if (isnan(a) || isnan(x) || a <= 0.0 || x < 0.0)
		return NAN;
	if (x == 0.0)
		return 0.0;
	if (isinf(x))
		return 1.0;
	if (x < a + 1.0)
		return IncGammaSeries(a, x);
	return 1.0 - IncGammaFraction(a, x);
}

/* Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), computed directly. */
double
mq_inc_gamma_q(double a, double x)
{
	if (isnan(a) || isnan(x) || a <= 0.0 || x < 0.0)
		return NAN;
	if (x == 0.0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	if (x < a + 1.0)
		return 1.0 - IncGammaSeries(a, x);
	return IncGammaFraction(a, x);
}

/*
 * Two-sided Student t p-value: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2),
 * with 1 − x = t²/(df + t²) computed directly (no cancellation near t = 0).
 */
double
mq_t_p2(double t, double df)
{
	double		t2;

	if (isnan(t) || isnan(df) || df <= 0.0)
		return NAN;
	if (isinf(t))
		return 0.0;
	t2 = t * t;
	return IncBetaXY(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2));
}

/*
 * Student t quantile by bisection on the exact two-sided tail: slow-ish
 * (~200 tail evaluations) but exact to the last bits, and called once per
 * confidence interval.
 */
double
mq_t_quantile(double p, double df)
{
	double		alpha,
				lo = 0.0,
				hi = 1.0;

	if (isnan(p) || isnan(df) || df <= 0.0 || p < 0.0 || p > 1.0)
		return NAN;
	if (p == 0.5)
		return 0.0;
	if (p == 0.0)
		return -INFINITY;
	if (p == 1.0)
		return INFINITY;
	alpha = 2.0 * (p < 0.5 ? p : 1.0 - p);	/* two-sided tail of |t| */
	while (mq_t_p2(hi, df) > alpha)
	{
		hi *= 2.0;
		if (hi > 1e300)
			break;
	}
	for (int i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (mq_t_p2(mid, df) > alpha)
			lo = mid;
		else
			hi = mid;
	}
	return p < 0.5 ? -0.5 * (lo + hi) : 0.5 * (lo + hi);
}

/* Chi-square upper tail P(X² ≥ x) = Q(df/2, x/2). */
double
mq_chi2_sf(double x, double df)
{
	if (isnan(x) || isnan(df) || df <= 0.0)
		return NAN;
	if (x <= 0.0)
		return 1.0;
	return mq_inc_gamma_q(df / 2.0, x / 2.0);
}

void
mq_check_positive_finite(double x, const char *fname, const char *argname, const char *hint)
{
	if (!(x > 0.0) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be positive and finite", fname, argname),
				 errdetail("Got %g.", x),
				 errhint("%s", hint ? hint : "Pass a positive, finite number.")));
}

/*
 * Quantile of the Gamma(a, 1) distribution: the x with P(a, x) = p, found by
 * bisection on [0, hi] (hi doubled until it brackets); the upper tail Q is
 * used above the median so that both tails keep their relative precision.
 * 0 for p = 0; NaN outside the domain.
 */
double
mq_gamma_quantile(double p, double a)
{
	double		lo = 0.0,
				hi = Max(1.0, a);
	bool		upper = p > 0.5;
	double		target = upper ? 1.0 - p : p;

	if (isnan(p) || isnan(a) || a <= 0.0 || p < 0.0 || p >= 1.0)
		return NAN;
	if (p == 0.0)
		return 0.0;
	/* bracket: tail(hi) must be on the far side of the target */
	while (upper ? mq_inc_gamma_q(a, hi) > target : mq_inc_gamma_p(a, hi) < target)
	{
		lo = hi;
		hi *= 2.0;
		if (hi > 1e300)
			return INFINITY;
	}
	for (int it = 0; it < 2000 && hi - lo > 1e-15 * hi; it++)
	{
		double		mid = 0.5 * (lo + hi);
		double		t = upper ? mq_inc_gamma_q(a, mid) : mq_inc_gamma_p(a, mid);

		if (upper ? t > target : t < target)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}
