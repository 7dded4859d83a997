/*
 * series.h — a daily series given sparsely: the days that have cases and
 * their counts, every other day 0.  What alarm_list reads per unit and
 * category with array_agg, so that no gap-filled rows are built in SQL
 * (ears_run, auto_alarm_run).
 *
 *   double *x = mq_sparse_series(PG_GETARG_ARRAYTYPE_P(0),   -- int[] or date[]
 *                                PG_GETARG_ARRAYTYPE_P(1),   -- float8[]
 *                                origin, ndays, "ears_run", false);
 *   -- x[0 .. ndays − 1], palloc'd: day d goes to x[d − origin] (an int[]
 *   -- holds day offsets, a date[] dates); repeated days add up
 *
 * Errors name the function: ndays outside 1 .. MQ_SERIES_MAX_DAYS, arrays of
 * different lengths, NULL elements, a day outside origin .. origin + ndays − 1,
 * a count that is not finite (or negative, with nonnegative).
 */
#ifndef MINQING_SERIES_H
#define MINQING_SERIES_H

#include "postgres.h"

#include "utils/array.h"

/* longest daily series accepted (about 270 years) */
#define MQ_SERIES_MAX_DAYS 100000

extern double *mq_sparse_series(ArrayType *days, ArrayType *cases, int32 origin, int32 ndays,
								const char *fname, bool nonnegative);

#endif							/* MINQING_SERIES_H */
