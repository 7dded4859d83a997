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
mq_check_finite(double x, const char *argname)
{
	if (isnan(x) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", argname),
				 errdetail("Got %g.", x),
				 errhint("NaN and Infinity are refused; filter them out or replace them with NULL.")));
}
