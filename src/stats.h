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
extern void mq_check_finite(double x, const char *argname);

#endif
