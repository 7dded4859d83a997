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

#include "fmgr.h"
#include "utils/array.h"

/* longest daily series accepted (about 270 years) */
#define MQ_SERIES_MAX_DAYS 100000

extern double *mq_sparse_series(ArrayType *days, ArrayType *cases, int32 origin, int32 ndays,
								const char *fname, bool nonnegative);

/*
 * The arguments (days date[], cases float8[], first_day date, last_day date,
 * series_start date) at positions argno .. argno + 4 of a function that
 * scores a sparse daily series on the days first_day .. last_day: the
 * series x[0 .. *ndays − 1] from series_start (NULL: the earliest of days)
 * to last_day, *origin its first day and *first the offset of first_day
 * (may be negative).  NULL (no rows to return) when days, cases, first_day
 * or last_day is NULL, days is empty without series_start, or first_day or
 * series_start is after last_day.  Errors: dates that are not finite, a
 * series longer than MQ_SERIES_MAX_DAYS, and those of mq_sparse_series.
 */
extern double *mq_sparse_series_args(FunctionCallInfo fcinfo, int argno, const char *fname, bool nonnegative,
									 int32 *origin, int64 *ndays, int64 *first);

#endif							/* MINQING_SERIES_H */
