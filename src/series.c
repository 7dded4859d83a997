/*
 * series.c — daily series given sparsely (series.h).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/date.h"

#include "series.h"
#include "state.h"
#include "stats.h"

double *
mq_sparse_series(ArrayType *days, ArrayType *cases, int32 origin, int32 ndays, const char *fname,
				 bool nonnegative)
{
	bool		isdate = ARR_ELEMTYPE(days) == DATEOID;
	const char *dname = isdate ? "days" : "day_offsets";
	int			noffs,
				ncases;
	Datum	   *od,
			   *cd;
	bool	   *on,
			   *cn;
	double	   *x;

	if (ndays < 1 || ndays > MQ_SERIES_MAX_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: ndays must be between 1 and %d", fname, MQ_SERIES_MAX_DAYS),
				 errdetail("Got %d.", ndays),
				 errhint("Pass the length of the daily series.")));
	deconstruct_array(days, isdate ? DATEOID : INT4OID, 4, true, TYPALIGN_INT, &od, &on, &noffs);
	deconstruct_array(cases, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &cd, &cn, &ncases);
	if (noffs != ncases)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: %s and cases must have the same length", fname, dname),
				 errdetail("Got %d days and %d counts.", noffs, ncases),
				 errhint("Aggregate both arrays in the same query, e.g. array_agg(day), array_agg(cases).")));
	x = (double *) palloc0(sizeof(double) * ndays);
	for (int i = 0; i < noffs; i++)
	{
		int32		o;
		double		c;

		if (on[i] || cn[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: %s and cases must not contain NULLs", fname, dname),
					 errhint("Leave out days without cases; they count as 0.")));
		o = DatumGetInt32(od[i]);
		if (o < origin || (int64) o - origin >= ndays)
		{
			if (isdate)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: day %s is outside the series %s .. %s", fname,
								mq_date_text(o), mq_date_text(origin), mq_date_text(origin + ndays - 1)),
						 errhint("Pass the days of the series only.")));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: day offset %d is outside 0 .. %d", fname, o - origin, ndays - 1),
					 errhint("Offsets count days from the first day of the series.")));
		}
		o -= origin;
		c = DatumGetFloat8(cd[i]);
		if (nonnegative && (isnan(c) || isinf(c) || c < 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: cases must be a finite number at least 0", fname),
					 errdetail("Got %g.", c),
					 errhint("Pass counts; leave out days without cases.")));
		x[o] += c;
		mq_check_finite(x[o], fname, "cases");
	}
	pfree(od);
	pfree(cd);
	pfree(on);
	pfree(cn);
	return x;
}

double *
mq_sparse_series_args(FunctionCallInfo fcinfo, int argno, const char *fname, bool nonnegative,
					  int32 *origin, int64 *ndays, int64 *first)
{
	ArrayType  *days;
	int32		first_day,
				last_day;

	if (PG_ARGISNULL(argno) || PG_ARGISNULL(argno + 1) || PG_ARGISNULL(argno + 2) || PG_ARGISNULL(argno + 3))
		return NULL;
	days = PG_GETARG_ARRAYTYPE_P(argno);
	first_day = PG_GETARG_INT32(argno + 2);
	last_day = PG_GETARG_INT32(argno + 3);
	if (!PG_ARGISNULL(argno + 4))
		*origin = PG_GETARG_INT32(argno + 4);
	else
	{
		/* the earliest of days (NULL elements are refused by mq_sparse_series) */
		ArrayIterator it = array_create_iterator(days, 0, NULL);
		Datum		d;
		bool		isnull,
					any = false;

		*origin = 0;
		while (array_iterate(it, &d, &isnull))
			if (!isnull && (!any || DatumGetInt32(d) < *origin))
			{
				*origin = DatumGetInt32(d);
				any = true;
			}
		array_free_iterator(it);
		if (!any)
			return NULL;
	}
	if (DATE_NOT_FINITE(*origin) || DATE_NOT_FINITE(last_day) || DATE_NOT_FINITE(first_day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: first_day, last_day and series_start must be finite dates", fname),
				 errhint("Pass the days of a daily series.")));
	*ndays = (int64) last_day - *origin + 1;
	if (*ndays < 1 || first_day > last_day)
		return NULL;
	if (*ndays > MQ_SERIES_MAX_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: the series has %lld days, more than the limit of %d",
						fname, (long long) *ndays, MQ_SERIES_MAX_DAYS),
				 errdetail("It runs from series_start to last_day."),
				 errhint("Start the series later (series_start).")));
	*first = (int64) first_day - *origin;
	return mq_sparse_series(days, PG_GETARG_ARRAYTYPE_P(argno + 1), *origin, (int32) *ndays, fname,
							nonnegative);
}
