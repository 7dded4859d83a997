/*
 * stats.h — probability distributions and small numeric helpers shared by
 * every capability.  Pure C, no PostgreSQL calls except error reporting.
 */
#ifndef MINQING_STATS_H
#define MINQING_STATS_H

#include <math.h>

/* Standard normal: cdf, upper tail, two-sided p for a z, quantile. */
extern double mq_norm_cdf(double x);
extern double mq_norm_sf(double x);
extern double mq_norm_p2(double z);
extern double mq_norm_quantile(double p);

/* Wilson score interval for k successes of n at `confidence` (0,1). */
extern void mq_wilson(double k, double n, double confidence, double *lo, double *hi);

/* ereport unless x is finite (NaN and ±Infinity are refused). */
extern void mq_check_finite(double x, const char *fname, const char *argname);

/*
 * ereport unless x > 0 and finite: "<fname>: <argname> must be positive and
 * finite".  hint: a sentence for the user, or NULL for a generic one; lengths
 * (distances, bandwidths, cell sizes) pass MQ_HINT_LENGTH.
 */
extern void mq_check_positive_finite(double x, const char *fname, const char *argname,
									 const char *hint);

#define MQ_HINT_LENGTH "Use CRS units, or meters for geographic (lon/lat) input."

/*
 * Exact tails for tests with small samples (policy_cells.c and anyone else).
 *   mq_inc_beta(a, b, x)    regularized incomplete beta I_x(a, b)
 *   mq_inc_gamma_p/q(a, x)  regularized lower / upper incomplete gamma
 *   mq_t_p2(t, df)          two-sided Student t p-value P(|T| ≥ |t|)
 *   mq_t_quantile(p, df)    t such that P(T ≤ t) = p
 *   mq_chi2_sf(x, df)       P(X² ≥ x) for df degrees of freedom
 * NaN for arguments outside the domain.
 */
extern double mq_inc_beta(double a, double b, double x);
extern double mq_inc_gamma_p(double a, double x);
extern double mq_inc_gamma_q(double a, double x);
extern double mq_t_p2(double t, double df);
extern double mq_t_quantile(double p, double df);
extern double mq_chi2_sf(double x, double df);
/* Quantile of Gamma(a, 1): x with P(a, x) = p (stats.c) */
extern double mq_gamma_quantile(double p, double a);

#endif							/* MINQING_STATS_H */
