/*
 * alarms_auto.c — the seasonality-aware daily alarm behind method 'auto'
 * (SPEC §11): the window function auto_alarm() and auto_alarm_run(), the
 * same alarm on a sparse daily series (what alarm_history runs).  The GLM
 * is alarms.c's (alarms.h).
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/date.h"

#include "alarms.h"
#include "result.h"
#include "series.h"
#include "stats.h"
#include "window.h"

/* ------------------------------------------------------------------------
 * auto_alarm(): the seasonality-aware daily alarm behind method 'auto'
 *
 * For day s (0-based row of a daily series) three reference blocks:
 *   R1  this year, recent     days s − 59 .. s − 4    (8 weeks; the 3 days
 *                                                       before s are a guard)
 *   R0  last year, recent     R1 − 364 days           (same weekdays)
 *   S0  last year, season     days s − 367 .. s − 361 (the week around s − 364)
 * and a quasi-Poisson GLM  log μ = a + γ·[R1] + δ·[S0] + weekday effects,
 * fitted and reweighted as Farrington does (Anscombe residuals, 2.58).  The
 * prediction for day s is μ0 = exp(a + γ + δ + weekday(s)): this year's
 * recent level × last year's ratio of the season to its recent level × the
 * weekday effect.  Without last year (fewer than 424 rows, a missing day in
 * R0 or S0, or no case in R0 or S0) the model is a + weekday on R1 alone.
 * Weekday effects are dropped when a weekday has no case in the fitted data.
 *
 *   upper      Farrington's 2/3-power bound at alpha (default 0.001)
 *   threshold  max(upper, min_cases − 1)   (min_cases default 5)
 *   alarm      cases > threshold
 *   raised     alarm and no alarm on the 7 days before: one alarm per
 *              running event, what alarm_list('auto') and alarm_history show
 * ------------------------------------------------------------------------ */
#define AUTO_GUARD		3			/* days before s left out of R1 */
#define AUTO_RECENT		56			/* days in R1 and R0 */
#define AUTO_LAG		364			/* 52 weeks: same weekday last year */
#define AUTO_SEASON_W	3			/* S0 = s − 364 ± 3 */
#define AUTO_QUIET		7			/* days without alarm before a raised one */

typedef struct AutoRow
{
	bool		isnull;
	double		expected;
	double		threshold;
	bool		alarm;
	bool		raised;
} AutoRow;

/*
 * Load the blocks into m (with_season: R0, S0 and R1; else R1 alone) and
 * fit.  Observations are grouped in 21 cells (block × weekday), which share
 * their design row.  x0 receives the design row of day s.  False when the
 * model cannot be fitted (no case in R1, a singular design, no convergence).
 */
static bool
AutoFit(const double *x, int64 s, bool with_season, QpModel *m, double *x0)
{
	int			n = 0,
				k;
	double		daysum[7] = {0},
				r1sum = 0.0;
	bool		weekday = true;

	for (int blk = with_season ? 0 : 2; blk <= 2; blk++)
	{
		int64		from,
					to;

		if (blk == 0)
		{
			from = s - AUTO_LAG - AUTO_GUARD - AUTO_RECENT;
			to = s - AUTO_LAG - AUTO_GUARD - 1;
		}
		else if (blk == 1)
		{
			from = s - AUTO_LAG - AUTO_SEASON_W;
			to = s - AUTO_LAG + AUTO_SEASON_W;
		}
		else
		{
			from = s - AUTO_GUARD - AUTO_RECENT;
			to = s - AUTO_GUARD - 1;
		}
		for (int64 p = from; p <= to; p++)
		{
			int			d = (int) ((s - p) % 7);	/* weekday relative to s */

			m->y[n] = x[p];
			m->cell[n] = blk * 7 + d;
			daysum[d] += x[p];
			if (blk == 2)
				r1sum += x[p];
			n++;
		}
	}
	m->n = n;
	for (int d = 0; d < 7; d++)
		if (!(daysum[d] > 0.0))
			weekday = false;
	if (!(r1sum > 0.0))
		return false;

	/* design of each cell: 1, [R1], [S0], weekday dummies (s's weekday is the base) */
	k = 1 + (with_season ? 2 : 0) + (weekday ? 6 : 0);
	for (int cell = 0; cell < 21; cell++)
	{
		double	   *row = &m->cx[cell * m->ldx];
		int			blk = cell / 7,
					d = cell % 7,
					c = 1;

		row[0] = 1.0;
		if (with_season)
		{
			row[c++] = (blk == 2) ? 1.0 : 0.0;
			row[c++] = (blk == 1) ? 1.0 : 0.0;
		}
		if (weekday)
			for (int dd = 1; dd < 7; dd++)
				row[c++] = (d == dd) ? 1.0 : 0.0;
	}
	m->k = k;
	x0[0] = 1.0;
	for (int j = 1; j < k; j++)
		x0[j] = 0.0;
	if (with_season)
		x0[1] = x0[2] = 1.0;
	return mq_qp_fit_reweighted(m, false);
}

/* The result of day s. */
static void
AutoCompute(const double *x, const bool *miss, int64 s, double z, double min_cases,
			QpModel *m, AutoRow *r)
{
	double		x0[QP_MAXK],
				mu0,
				se,
				phi,
				upper;
	bool		season = true,
				fitted;

	r->isnull = true;
	if (miss[s] || s < AUTO_GUARD + AUTO_RECENT)
		return;
	for (int64 p = s - AUTO_GUARD - AUTO_RECENT; p < s - AUTO_GUARD; p++)
		if (miss[p])
			return;
	if (s < AUTO_LAG + AUTO_GUARD + AUTO_RECENT)
		season = false;
	else
	{
		double		r0 = 0.0,
					s0 = 0.0;

		for (int64 p = s - AUTO_LAG - AUTO_GUARD - AUTO_RECENT; p <= s - AUTO_LAG + AUTO_SEASON_W; p++)
		{
			if (miss[p])
				season = false;
			else if (p >= s - AUTO_LAG - AUTO_SEASON_W)
				s0 += x[p];
			else if (p < s - AUTO_LAG - AUTO_GUARD)
				r0 += x[p];
		}
		if (!(r0 > 0.0) || !(s0 > 0.0))
			season = false;
	}

	fitted = AutoFit(x, s, season, m, x0);
	if (!fitted && season)
		fitted = AutoFit(x, s, false, m, x0);
	if (fitted)
	{
		mu0 = QpLinkInv(QpEta(m, x0));
		se = sqrt(mq_qp_leverage(m, x0) * m->dispersion) * mu0;
		phi = Max(m->dispersion, 1.0);
		upper = mq_far_upper(mu0, se, phi, z);
		if (isnan(upper))
			return;
	}
	else
	{
		double		r1 = 0.0;

		/* no case in 8 weeks: nothing is expected */
		for (int64 p = s - AUTO_GUARD - AUTO_RECENT; p < s - AUTO_GUARD; p++)
			r1 += x[p];
		if (r1 > 0.0)
			return;
		mu0 = 0.0;
		upper = 0.0;
	}
	r->isnull = false;
	r->expected = mu0;
	r->threshold = Max(upper, min_cases - 1.0);
	r->alarm = x[s] > r->threshold;
}

/*
 * Check alpha and min_cases (prefix: "" or "fn: " before each message),
 * and return z = Φ⁻¹(1 − alpha).
 */
static double
AutoArgs(double alpha, double min_cases, const char *prefix)
{
	if (!(alpha > 0.0 && alpha < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%salpha must be between 0 and 1 (exclusive)", prefix),
				 errdetail("Got %g.", alpha),
				 errhint("alpha is the one-sided significance level of the upper bound; 'auto' uses 0.001.")));
	if (!(min_cases >= 0.0) || isinf(min_cases))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%smin_cases must be a finite number at least 0", prefix),
				 errdetail("Got %g.", min_cases),
				 errhint("min_cases is the smallest count that can raise an alarm; 'auto' uses 5.")));
	return mq_norm_quantile(1.0 - alpha);
}

/* A model sized for auto_alarm's three blocks in 21 cells. */
static void
AutoAlloc(QpModel *m)
{
	mq_qp_alloc(m, 2 * AUTO_RECENT + 2 * AUTO_SEASON_W + 1, QP_MAXK);
	mq_qp_alloc_cells(m, 2 * AUTO_RECENT + 2 * AUTO_SEASON_W + 1, 21);
}

/*
 * Score day s into r and keep the running event: raised = alarm and no
 * alarm on the AUTO_QUIET scored days before (last_alarm: the last day in
 * alarm so far).
 */
static void
AutoScore(const double *x, const bool *miss, int64 s, double z, double min_cases,
		  QpModel *m, int64 *last_alarm, AutoRow *r)
{
	AutoCompute(x, miss, s, z, min_cases, m, r);
	if (r->isnull)
		return;
	r->raised = r->alarm && s - *last_alarm > AUTO_QUIET;
	if (r->alarm)
		*last_alarm = s;
}

/*
 * auto_alarm(cases float8, alpha float8, min_cases float8, score boolean)
 *   OVER (PARTITION BY … ORDER BY day) -> minqing.auto_alarm_result
 */
PG_FUNCTION_INFO_V1(auto_alarm);
Datum
auto_alarm(PG_FUNCTION_ARGS)
{
	MqWindow	win;
	AutoRow    *rows = mq_window_begin(fcinfo, sizeof(AutoRow), "auto_alarm", &win);
	AutoRow    *r;
	Datum		values[4];
	bool		nulls[4];

	if (!win.ready)
	{
		double		alpha = mq_alarm_const_arg(&win, 1, "alpha", false),
					min_cases = mq_alarm_const_arg(&win, 2, "min_cases", false),
					z;
		double	   *x = palloc(sizeof(double) * win.nrows);
		bool	   *miss = palloc(sizeof(bool) * win.nrows);
		QpModel		m;
		int64		last_alarm = -AUTO_QUIET - 1;

		z = AutoArgs(alpha, min_cases, "");
		mq_alarm_read_counts(&win, x, miss, "day");

		AutoAlloc(&m);
		for (int64 i = 0; i < win.nrows; i++)
		{
			bool		isnull;

			CHECK_FOR_INTERRUPTS();
			rows[i].isnull = true;
			if (!mq_warg_bool(&win, 3, i, &isnull) || isnull)
				continue;		/* history only */
			AutoScore(x, miss, i, z, min_cases, &m, &last_alarm, &rows[i]);
		}
		mq_qp_free(&m);
		pfree(x);
		pfree(miss);
		mq_window_ready(&win);
	}

	r = &rows[win.cur];
	if (r->isnull)
		PG_RETURN_NULL();
	mq_result_nulls(nulls, 4);
	mq_result_f8(values, nulls, 0, r->expected);
	mq_result_f8(values, nulls, 1, r->threshold);
	values[2] = BoolGetDatum(r->alarm);
	values[3] = BoolGetDatum(r->raised);
	nulls[2] = nulls[3] = false;
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/*
 * auto_alarm_run(days date[], cases float8[], first_day date, last_day date,
 *                series_start date, alpha float8, min_cases float8)
 *   -> SETOF (day date, observed, expected, threshold, raised boolean)
 *
 * auto_alarm over a daily series given sparsely (series.h): the series runs
 * from series_start (NULL: the earliest of days) to last_day, days without
 * cases count 0.  Without building the gap-filled rows, it returns the alarm
 * days from first_day on, each with raised: the same rows as
 *   auto_alarm(cases, alpha, min_cases, score => day >= first_day − 7)
 *     OVER (ORDER BY day)
 * over the gap-filled series, filtered to day >= first_day AND alarm.  Only
 * days where an alarm is possible are scored (cases > min_cases − 1: the
 * threshold is never below it); a day not scored is a quiet day, as it is
 * for the window function.  What alarm_history and alarm_list('auto') run
 * per unit and category.  NULL days, cases, first_day or last_day: no rows.
 */
PG_FUNCTION_INFO_V1(auto_alarm_run);
Datum
auto_alarm_run(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		origin;
	int64		ndays,
				first;
	double		z,
				alpha,
				min_cases;
	double	   *x;
	bool	   *miss;
	QpModel		m;
	int64		last_alarm = -AUTO_QUIET - 1;

	for (int i = 5; i <= 6; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("auto_alarm_run: argument %s must not be NULL", i == 5 ? "alpha" : "min_cases"),
					 errhint("Leave it out to use its default.")));
	alpha = PG_GETARG_FLOAT8(5);
	min_cases = PG_GETARG_FLOAT8(6);
	z = AutoArgs(alpha, min_cases, "auto_alarm_run: ");
	InitMaterializedSRF(fcinfo, 0);
	x = mq_sparse_series_args(fcinfo, 0, "auto_alarm_run", true, &origin, &ndays, &first);
	if (x == NULL)
		return (Datum) 0;
	miss = palloc0(sizeof(bool) * ndays);
	AutoAlloc(&m);
	for (int64 s = Max(0, first - AUTO_QUIET); s < ndays; s++)
	{
		AutoRow		r;

		CHECK_FOR_INTERRUPTS();
		if (!(x[s] > min_cases - 1.0))
			continue;			/* cannot alarm: a quiet day */
		AutoScore(x, miss, s, z, min_cases, &m, &last_alarm, &r);
		if (!r.isnull && r.alarm && s >= first)
		{
			Datum		values[5];
			bool		nulls[5];

			mq_result_nulls(nulls, 5);
			values[0] = DateADTGetDatum((DateADT) (origin + s));
			nulls[0] = false;
			mq_result_f8(values, nulls, 1, x[s]);
			mq_result_f8(values, nulls, 2, r.expected);
			mq_result_f8(values, nulls, 3, r.threshold);
			values[4] = BoolGetDatum(r.raised);
			nulls[4] = false;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	mq_qp_free(&m);
	pfree(x);
	pfree(miss);
	return (Datum) 0;
}
