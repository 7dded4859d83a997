/*
 * ears.c — CDC EARS C1, C2 and C3 surge alarms as a window function
 * (SPEC §5), computed exactly as R package surveillance's earsC() with its
 * defaults:
 *
 *   baseline  b = 7 periods, minSigma 0
 *   C1  reference values x[t-7] .. x[t-1]               alpha 0.001
 *   C2  reference values x[t-9] .. x[t-3] (2-period guard) alpha 0.001
 *   C3  C2's reference values; alpha 0.025 (earsC's default for method C3)
 *
 *   C1, C2: expected = mean(ref), threshold = mean + z(1-alpha) · sd(ref)
 *           (sd with n-1), alarm = x[t] > threshold
 *   C3:     with C2(s) = (x[s] - mean_s) / sd_s the C2 statistic of period s,
 *           threshold = max(0, x[t] + sd_t · (z - max(0, C2(t-2) - 1)
 *                                             - max(0, C2(t-1) - 1))),
 *           expected = mean_t (C2's), alarm = x[t] > threshold
 *
 * Rows are the periods in the window's ORDER BY order; a NULL case count is
 * a row that is not part of the series (NULL result, other rows unaffected).
 * The first rows have no result (NULL) until enough history exists: C1 from
 * the 8th period, C2 from the 10th, C3 from the 12th.  NaN arithmetic (a
 * zero sd in C3) follows R (NA there, NULL here).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "result.h"
#include "series.h"
#include "stats.h"
#include "window.h"

#define EARS_BASELINE 7

/* R: qnorm(1 - 0.001) and qnorm(1 - 0.025), to the last digit */
#define EARS_Z_0001 3.0902323061678132
#define EARS_Z_0025 1.9599639845400536

/* One row's answer in partition-local memory (zeroed: no result yet). */
typedef struct EarsRow
{
	bool		ok;				/* the row has a result */
	double		expected;
	double		threshold;		/* NaN: NULL threshold and alarm */
	bool		alarm;
} EarsRow;

/* Parse a method name: 1, 2 or 3 (case-insensitive 'C1', 'C2', 'C3'). */
static int
EarsMethod(text *t)
{
	char	   *s = text_to_cstring(t);

	if (pg_strcasecmp(s, "C1") == 0)
		return 1;
	if (pg_strcasecmp(s, "C2") == 0)
		return 2;
	if (pg_strcasecmp(s, "C3") == 0)
		return 3;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("ears: unknown method \"%s\"", s),
			 errhint("Use 'C1', 'C2' or 'C3'.")));
	return 0;					/* keep compiler quiet */
}

/* R's pmax(0, v) on one number: NaN stays NaN. */
static inline double
RPmax0(double v)
{
	if (isnan(v))
		return v;
	return v > 0.0 ? v : 0.0;
}

/*
 * Mean and sample sd of x[from .. from+n-1] (n = EARS_BASELINE), the
 * two-pass formula R's mean() and sd() use.
 */
static void
EarsMeanSd(const double *x, int64 from, double *mean, double *sd)
{
	double		m = 0.0,
				ss = 0.0;

	for (int i = 0; i < EARS_BASELINE; i++)
		m += x[from + i];
	m /= EARS_BASELINE;
	for (int i = 0; i < EARS_BASELINE; i++)
		ss += (x[from + i] - m) * (x[from + i] - m);
	*mean = m;
	*sd = sqrt(ss / (EARS_BASELINE - 1));
}

/* C2 statistic of series position s (s >= baseline + 2). */
static double
EarsC2Stat(const double *x, int64 s)
{
	double		m,
				sd;

	EarsMeanSd(x, s - EARS_BASELINE - 2, &m, &sd);
	return (x[s] - m) / sd;
}

/*
 * One row's result from the series x[0 .. s] (s = the row's position among
 * the non-NULL rows).  Returns false while there is not enough history.
 */
static bool
EarsCompute(const double *x, int64 s, int method, EarsRow *r)
{
	double		mean,
				sd,
				z;

	switch (method)
	{
		case 1:
			if (s < EARS_BASELINE)
				return false;
			EarsMeanSd(x, s - EARS_BASELINE, &mean, &sd);
			z = EARS_Z_0001;
			r->expected = mean;
			r->threshold = mean + z * sd;
			break;
		case 2:
			if (s < EARS_BASELINE + 2)
				return false;
			EarsMeanSd(x, s - EARS_BASELINE - 2, &mean, &sd);
			z = EARS_Z_0001;
			r->expected = mean;
			r->threshold = mean + z * sd;
			break;
		default:
			{
				double		lag2,
							lag1;

				if (s < EARS_BASELINE + 4)
					return false;
				EarsMeanSd(x, s - EARS_BASELINE - 2, &mean, &sd);
				z = EARS_Z_0025;
				lag2 = RPmax0(EarsC2Stat(x, s - 2) - 1.0);
				lag1 = RPmax0(EarsC2Stat(x, s - 1) - 1.0);
				r->expected = mean;
				r->threshold = RPmax0(x[s] + sd * (z - (lag2 + lag1)));
				break;
			}
	}
	r->alarm = isnan(r->threshold) ? false : (x[s] > r->threshold);
	return true;
}

/*
 * ears(cases float8, method text) OVER (PARTITION BY … ORDER BY day)
 * -> minqing.ears_result (expected, threshold, alarm).
 *
 * On the partition's first row every row is read once (ST_ClusterDBSCAN
 * style) and all results are computed into partition-local memory.  Rows
 * that are peers of their neighbour (no ORDER BY, or a repeated day) make
 * the series order undefined: an error.
 */
PG_FUNCTION_INFO_V1(ears);
Datum
ears(PG_FUNCTION_ARGS)
{
	MqWindow	w;
	EarsRow    *rows = mq_window_begin(fcinfo, sizeof(EarsRow), "ears", &w);
	EarsRow    *r;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (!w.ready)
	{
		int64		nrows = w.nrows;
		double	   *x = palloc(mul_size(Max(nrows, 1), sizeof(double)));
		int64	   *seriespos = palloc(mul_size(Max(nrows, 1), sizeof(int64)));
		int		   *method = palloc(mul_size(Max(nrows, 1), sizeof(int)));
		int64		n = 0;
		text	   *prev_method = NULL;
		int			prev_code = 0;

		for (int64 i = 0; i < nrows; i++)
		{
			bool		isnull;
			text	   *mt;
			double		cases;

			CHECK_FOR_INTERRUPTS();
			if (i > 0 && WinRowsArePeers(w.win, i - 1, i))
				ereport(ERROR,
						(errcode(ERRCODE_WINDOWING_ERROR),
						 errmsg("ears: the window must be ordered by period, one row per period"),
						 errdetail("Rows %lld and %lld of the partition are peers (no ORDER BY, or a repeated day).",
								   (long long) i, (long long) i + 1),
						 errhint("Use OVER (PARTITION BY … ORDER BY day) over a daily series with one row per day; fill missing days with generate_series.")));

			/* method: NULL gives a NULL result for the row */
			method[i] = 0;
			mt = mq_warg_text(&w, 1, i, &isnull);
			if (!isnull)
			{
				if (prev_method != NULL &&
					VARSIZE_ANY_EXHDR(mt) == VARSIZE_ANY_EXHDR(prev_method) &&
					memcmp(VARDATA_ANY(mt), VARDATA_ANY(prev_method), VARSIZE_ANY_EXHDR(mt)) == 0)
					method[i] = prev_code;
				else
				{
					prev_code = method[i] = EarsMethod(mt);
					prev_method = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(mt));
				}
			}

			/* cases: a NULL row is not part of the series */
			seriespos[i] = -1;
			cases = mq_warg_float8(&w, 0, i, &isnull);
			if (isnull)
				continue;
			mq_check_finite(cases, "ears", "cases");
			x[n] = cases;
			seriespos[i] = n++;
		}
		for (int64 i = 0; i < nrows; i++)
			if (seriespos[i] >= 0 && method[i] != 0)
				rows[i].ok = EarsCompute(x, seriespos[i], method[i], &rows[i]);
		pfree(x);
		pfree(seriespos);
		pfree(method);
		mq_window_ready(&w);
	}

	r = &rows[w.cur];
	if (!r->ok)
		PG_RETURN_NULL();
	values[0] = Float8GetDatum(r->expected);
	if (isnan(r->threshold))
		nulls[1] = nulls[2] = true;
	else
	{
		values[1] = Float8GetDatum(r->threshold);
		values[2] = BoolGetDatum(r->alarm);
	}
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/*
 * ears_run(day_offsets int[], cases float8[], ndays int, method text) →
 * (observed, expected, threshold, alarm, alarm_days): EARS of a daily
 * series given sparsely — the days (0 .. ndays − 1) that have cases and
 * their counts, every other day 0 — evaluated on its last day, with the
 * length of the run of alarm days that ends there (0 when the last day is
 * not in alarm).  What alarm_list needs per unit and category, without
 * expanding the series into rows: the same numbers as ears() OVER an
 * ordered, gap-filled series.  Repeated offsets add up.
 */
PG_FUNCTION_INFO_V1(ears_run);
Datum
ears_run(PG_FUNCTION_ARGS)
{
	ArrayType  *offs = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *cases = PG_GETARG_ARRAYTYPE_P(1);
	int32		ndays = PG_GETARG_INT32(2);
	int			method = EarsMethod(PG_GETARG_TEXT_PP(3));
	double	   *x;
	int32		run = 0;
	EarsRow		last;
	bool		have_last;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	x = mq_sparse_series(offs, cases, 0, ndays, "ears_run", false);
	have_last = EarsCompute(x, ndays - 1, method, &last);
	for (int32 s = ndays - 1; s >= 0; s--)
	{
		EarsRow		r;

		if (!EarsCompute(x, s, method, &r) || !r.alarm)
			break;
		run++;
	}

	values[0] = Float8GetDatum(x[ndays - 1]);
	if (!have_last)
		nulls[1] = nulls[2] = nulls[3] = true;
	else
	{
		values[1] = Float8GetDatum(last.expected);
		if (isnan(last.threshold))
			nulls[2] = nulls[3] = true;
		else
		{
			values[2] = Float8GetDatum(last.threshold);
			values[3] = BoolGetDatum(last.alarm);
		}
	}
	values[4] = Int32GetDatum(run);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/*
 * ears_days(days date[], cases float8[], first_day date, last_day date,
 *           series_start date, method text)
 *   -> SETOF (day date, observed, expected, threshold)
 *
 * EARS over a daily series given sparsely (series.h: from series_start, NULL
 * the earliest of days, to last_day; days without cases 0): the alarm days
 * from first_day on, the same rows as ears(cases, method) OVER (ORDER BY
 * day) over the gap-filled series filtered to day >= first_day AND alarm,
 * without building those rows.  What alarm_history(…, 'C1'/'C2'/'C3') runs
 * per unit and category.  NULL days, cases, first_day, last_day or method:
 * no rows.
 */
PG_FUNCTION_INFO_V1(ears_days);
Datum
ears_days(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			method;
	int32		origin;
	int64		ndays,
				first;
	double	   *x;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(5))
		return (Datum) 0;
	method = EarsMethod(PG_GETARG_TEXT_PP(5));
	x = mq_sparse_series_args(fcinfo, 0, "ears_days", false, &origin, &ndays, &first);
	if (x == NULL)
		return (Datum) 0;
	for (int64 s = Max(0, first); s < ndays; s++)
	{
		EarsRow		r;
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		CHECK_FOR_INTERRUPTS();
		if (!EarsCompute(x, s, method, &r) || isnan(r.threshold) || !r.alarm)
			continue;
		values[0] = DateADTGetDatum((DateADT) (origin + s));
		values[1] = Float8GetDatum(x[s]);
		values[2] = Float8GetDatum(r.expected);
		values[3] = Float8GetDatum(r.threshold);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	pfree(x);
	return (Datum) 0;
}
