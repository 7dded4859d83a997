/*
 * season.h — what the two files of the seasonal-regularities capability
 * share: season.c (stl, seasonal_profile) and season_hw.c (holt_winters,
 * holt_winters_fit, season_forecast).
 */
#ifndef MINQING_SEASON_H
#define MINQING_SEASON_H

#include "postgres.h"

#include "utils/array.h"

/* longest series accepted (a daily series of 500 years) */
#define SEASON_MAX_N	200000

/*
 * The elements of a one-dimensional float8[] as a palloc'd C array; NULL
 * elements and non-finite values are errors naming the 1-based position.
 */
extern double *mq_season_read_series(ArrayType *arr, const char *fname, int *n);

/* error unless period >= 2 */
extern void mq_season_check_period(int period, const char *fname);

#endif							/* MINQING_SEASON_H */
