/*
 * policy_series.c — the one-series estimators of policy effects (SPEC §4):
 *   before_after(day, cases, policy_date)          log rate ratio
 *   its(day, y, policy_date [, seasonal_period])    segmented regression, Newey–West
 *   resilience(day, cases, event_start, event_end)  storm response and resilience_index
 * The estimators that group cells of units or categories are in
 * policy_cells.c; the SQL wrappers of the distributions in policy.c.
 *
 * Day-series state (a portable state of state.h): per-day sums.  A row whose day
 * is the last entry's or is found (binary search) in the sorted, merged
 * prefix is added in place; a new day is appended, and the array is sorted
 * and merged (duplicate days summed) whenever it has grown to twice its
 * sorted prefix, so memory stays O(distinct days) and a row costs
 * O(log days).  Payload:
 *     0 int32 reserved (zero)   4 int32 c1 (policy_date / event_start)
 *       (c1, c2: per-call constants, set when the header says so: state.h)
 *     8 int32 c2 (seasonal_period / event_end)  12 int32 entries  16 int32 sorted prefix
 *    24 entries of 16 bytes: int32 day (DateADT), int32 zero, float8 sum
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "guc.h"
#include "linalg.h"
#include "result.h"
#include "state.h"
#include "stats.h"

/* ---------------------------------------------------------------------------
 * Date arguments
 * ------------------------------------------------------------------------- */

/* A finite date from argument argno of fname; infinities are refused. */
static int32
FiniteDateArg(FunctionCallInfo fcinfo, int argno, const char *fname, const char *argname)
{
	DateADT		d = PG_GETARG_DATEADT(argno);

	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite date", fname, argname),
				 errhint("Filter out rows with infinite dates.")));
	return (int32) d;
}

/* ---------------------------------------------------------------------------
 * Day-series state
 * ------------------------------------------------------------------------- */
#define DS_C1		4
#define DS_C2		8
#define DS_NENT		12
#define DS_NSORTED	16
#define DS_HDR		24
#define DS_ENTSZ	16
#define DS_ENT(pl, i)	((pl) + DS_HDR + (Size) (i) * DS_ENTSZ)

typedef struct DayValue
{
	int32		day;
	double		sum;
} DayValue;

/* qsort order of day values: by day */
static int
DayValueCmp(const void *a, const void *b)
{
	int32		x = ((const DayValue *) a)->day;
	int32		y = ((const DayValue *) b)->day;

	return (x > y) - (x < y);
}

/* Sort and merge n day values in place (duplicate days summed); new count. */
static int
MergeDays(DayValue *dv, int n)
{
	int			m = 0;

	if (n == 0)
		return 0;
	qsort(dv, n, sizeof(DayValue), DayValueCmp);
	for (int i = 1; i < n; i++)
	{
		if (dv[i].day == dv[m].day)
			dv[m].sum += dv[i].sum;
		else
			dv[++m] = dv[i];
	}
	return m + 1;
}

/* Decode the entries of a day-series state (unsorted allowed). */
static DayValue *
DaySeriesDecode(bytea *s, int *n)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int			nent = mq_get_i32(pl + DS_NENT);
	DayValue   *dv;

	if (nent < 0 || (Size) DS_HDR + (Size) nent * DS_ENTSZ > mq_state_used(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid day-series state: %d entries in %u bytes", nent, mq_state_used(s))));
	dv = palloc(sizeof(DayValue) * Max(nent, 1));
	for (int i = 0; i < nent; i++)
	{
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		dv[i].day = mq_get_i32(DS_ENT(pl, i));
		dv[i].sum = mq_get_f8(DS_ENT(pl, i) + 8);
	}
	*n = nent;
	return dv;
}

/* Rewrite the state's entries as the sorted, merged list. */
static void
DaySeriesCompact(bytea *s)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int			n;
	DayValue   *dv = DaySeriesDecode(s, &n);

	n = MergeDays(dv, n);
	for (int i = 0; i < n; i++)
	{
		mq_put_i32(DS_ENT(pl, i), dv[i].day);
		mq_put_i32(DS_ENT(pl, i) + 4, 0);
		mq_put_f8(DS_ENT(pl, i) + 8, dv[i].sum);
	}
	mq_put_i32(pl + DS_NENT, n);
	mq_put_i32(pl + DS_NSORTED, n);
	mq_state_set_used(s, DS_HDR + (Size) n * DS_ENTSZ);
	pfree(dv);
}

/*
 * The per-call constants (c1, c2) of a day-series state (state.h's kit):
 * recorded by the first row, checked on later rows; with `b`, combined.
 */
static void
DaySeriesConstants(bytea *s, const bytea *b, int32 c1, int32 c2, bool c2_is_date,
				   const char *aggname, const char *n1, const char *n2)
{
	MqStateConst c[2] = {{n1, MQ_CONST_DATE, DS_C1, c1}, {n2, c2_is_date ? MQ_CONST_DATE : MQ_CONST_I32, DS_C2, c2}};

	if (b != NULL)
		mq_state_combine_constants(s, b, c, n2 ? 2 : 1, aggname);
	else
		mq_state_constants(s, c, n2 ? 2 : 1, aggname);
}

/*
 * Add (day, value) to a day-series state, returning the (maybe grown) state.
 */
static bytea *
DaySeriesAdd(bytea *s, int32 day, double value, const char *aggname)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int			nent = mq_get_i32(pl + DS_NENT);
	int			nsorted = mq_get_i32(pl + DS_NSORTED);

	/* a state may come from anywhere: never index past its bytes */
	if (nent < 0 || nsorted < 0 || nsorted > nent ||
		(Size) DS_HDR + (Size) nent * DS_ENTSZ > mq_state_used(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s state: %d entries (%d sorted) in %u bytes", aggname,
						nent, nsorted, mq_state_used(s)),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	if (nent > 0)
	{
		char	   *last = DS_ENT(pl, nent - 1);
		int32		lastday = mq_get_i32(last);

		if (lastday == day)
		{
			mq_put_f8(last + 8, mq_get_f8(last + 8) + value);
			return s;
		}
		/* a day already in the sorted, merged prefix: add in place */
		if (nsorted > 0)
		{
			int			lo = 0,
						hi = nsorted - 1;

			while (lo <= hi)
			{
				int			mid = lo + (hi - lo) / 2;
				int32		md = mq_get_i32(DS_ENT(pl, mid));

				if (md == day)
				{
					char	   *e = DS_ENT(pl, mid);

					mq_put_f8(e + 8, mq_get_f8(e + 8) + value);
					return s;
				}
				if (md < day)
					lo = mid + 1;
				else
					hi = mid - 1;
			}
		}
		if (nsorted == nent && day < lastday)
			nsorted = nent;		/* the sorted prefix ends here */
		else if (nsorted == nent)
			nsorted = nent + 1;
	}
	else
		nsorted = 1;
	if (nent >= INT_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: state holds too many days", aggname)));
	s = mq_state_reserve(s, DS_HDR + (Size) (nent + 1) * DS_ENTSZ, aggname);
	pl = MQ_STATE_PAYLOAD(s);
	mq_put_i32(DS_ENT(pl, nent), day);
	mq_put_i32(DS_ENT(pl, nent) + 4, 0);
	mq_put_f8(DS_ENT(pl, nent) + 8, value);
	nent++;
	mq_put_i32(pl + DS_NENT, nent);
	mq_put_i32(pl + DS_NSORTED, nsorted);
	mq_state_set_used(s, DS_HDR + (Size) nent * DS_ENTSZ);
	if (nent >= 2 * nsorted + 64)
		DaySeriesCompact(s);
	return s;
}

/* Combine two day-series states: constants must agree, entries appended. */
static Datum
DaySeriesCombine(FunctionCallInfo fcinfo, MqStateKind kind, const char *aggname,
				 const char *n1, const char *n2)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, kind, DS_HDR, aggname, &done);
	bytea	   *b;
	char	   *pa,
			   *pb;
	int			na,
				nb;

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(a);
	}
	b = mq_state_check(PG_GETARG_DATUM(1), kind, DS_HDR, aggname);
	pb = MQ_STATE_PAYLOAD(b);
	DaySeriesConstants(a, b, 0, 0, kind == MQ_KIND_RESILIENCE, aggname, n1, n2);
	na = mq_get_i32(MQ_STATE_PAYLOAD(a) + DS_NENT);
	nb = mq_get_i32(pb + DS_NENT);
	if (na < 0 || nb < 0 || (Size) DS_HDR + (Size) nb * DS_ENTSZ > mq_state_used(b) ||
		(Size) DS_HDR + (Size) na * DS_ENTSZ > mq_state_used(a))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s state: entry count does not match its size", aggname)));
	a = mq_state_reserve(a, DS_HDR + (Size) (na + nb) * DS_ENTSZ, aggname);
	pa = MQ_STATE_PAYLOAD(a);
	memcpy(DS_ENT(pa, na), DS_ENT(pb, 0), (Size) nb * DS_ENTSZ);
	mq_put_i32(pa + DS_NENT, na + nb);
	mq_state_set_used(a, DS_HDR + (Size) (na + nb) * DS_ENTSZ);
	DaySeriesCompact(a);
	PG_RETURN_BYTEA_P(a);
}

/*
 * Load a day-series state for a final function: sorted, merged days.
 * Returns NULL for a NULL state (empty input).
 */
static DayValue *
DaySeriesLoad(FunctionCallInfo fcinfo, MqStateKind kind, const char *aggname,
			  int *n, int32 *c1, int32 *c2)
{
	bytea	   *s;
	DayValue   *dv;

	*n = 0;
	if (PG_ARGISNULL(0))
		return NULL;
	s = mq_state_check(PG_GETARG_DATUM(0), kind, DS_HDR, aggname);
	*c1 = mq_get_i32(MQ_STATE_PAYLOAD(s) + DS_C1);
	*c2 = mq_get_i32(MQ_STATE_PAYLOAD(s) + DS_C2);
	dv = DaySeriesDecode(s, n);
	*n = MergeDays(dv, *n);
	if (*n == 0)
		return NULL;
	return dv;
}

/* Dense calendar from the first to the last day; missing days are zero. */
static double *
DaySeriesDense(DayValue *dv, int n, int *ndays, const char *aggname)
{
	double		span = (double) dv[n - 1].day - (double) dv[0].day + 1.0;
	double	   *x;

	mq_check_cells(span, psprintf("%s() over the days from %s to %s", aggname,
								  mq_date_text(dv[0].day), mq_date_text(dv[n - 1].day)));
	*ndays = (int) span;
	x = palloc0(sizeof(double) * *ndays);
	for (int i = 0; i < n; i++)
		x[dv[i].day - dv[0].day] = dv[i].sum;
	return x;
}

/*
 * The transition common to the day-series aggregates.  Arguments: state,
 * day, value, c1 (date), optional c2 (int or date per `c2_is_date`).
 */
static Datum
DaySeriesTrans(FunctionCallInfo fcinfo, MqStateKind kind, const char *aggname,
			   const char *valname, bool nonneg, int nconst, bool c2_is_date,
			   const char *n1, const char *n2)
{
	bytea	   *s;
	int32		day,
				c1,
				c2 = 0;
	double		value;

	for (int i = 1; i <= 3 + (nconst - 1); i++)
		if (PG_ARGISNULL(i))
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		}
	day = FiniteDateArg(fcinfo, 1, aggname, "day");
	value = PG_GETARG_FLOAT8(2);
	mq_check_finite(value, aggname, valname);
	if (nonneg && value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must not be negative", aggname, valname),
				 errdetail("Got %g on %s.", value, mq_date_text(day)),
				 errhint("%s() works on counts of cases per day.", aggname)));
	c1 = FiniteDateArg(fcinfo, 3, aggname, n1);
	if (nconst > 1)
	{
		if (c2_is_date)
		{
			c2 = FiniteDateArg(fcinfo, 4, aggname, n2);
			if (c2 < c1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: %s must not be before %s", aggname, n2, n1),
						 errdetail("Got %s before %s.", mq_date_text(c2), mq_date_text(c1)),
						 errhint("Pass the first and the last day of the event.")));
		}
		else
		{
			c2 = PG_GETARG_INT32(4);
			if (c2 < 1 || c2 > 366)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: %s must be between 1 and 366", aggname, n2),
						 errdetail("Got %d.", c2),
						 errhint("Use 7 for a weekly cycle of daily data, 12 for months numbered as consecutive days.")));
		}
	}
	s = mq_state_for_update(fcinfo, 0, kind, DS_HDR + 64 * DS_ENTSZ, DS_HDR, aggname);
	if (mq_state_used(s) < DS_HDR)
		elog(ERROR, "%s state too short", aggname);
	DaySeriesConstants(s, NULL, c1, c2, c2_is_date, aggname, n1, nconst > 1 ? n2 : NULL);
	s = DaySeriesAdd(s, day, value, aggname);
	PG_RETURN_BYTEA_P(s);
}

/* ---------------------------------------------------------------------------
 * before_after
 * ------------------------------------------------------------------------- */
/* Transition and combine functions of the day-series aggregates. */
PG_FUNCTION_INFO_V1(before_after_trans);
Datum
before_after_trans(PG_FUNCTION_ARGS)
{
	return DaySeriesTrans(fcinfo, MQ_KIND_BEFORE_AFTER, "before_after", "cases",
						  true, 1, false, "policy_date", NULL);
}

PG_FUNCTION_INFO_V1(before_after_combine);
Datum
before_after_combine(PG_FUNCTION_ARGS)
{
	return DaySeriesCombine(fcinfo, MQ_KIND_BEFORE_AFTER, "before_after", "policy_date", NULL);
}

/*
 * before_after_final -> (pre_periods, post_periods, pre_mean, post_mean,
 * rate_ratio, rr_lo, rr_hi, p).  Calendar days from the first to the last
 * day with data, missing days counting as zero cases; the policy day is
 * post.  log RR ± 1.96·√(1/Σpre + 1/Σpost); p two-sided normal.
 */
PG_FUNCTION_INFO_V1(before_after_final);
Datum
before_after_final(PG_FUNCTION_ARGS)
{
	Datum		values[8];
	bool		nulls[8];
	int			n;
	int32		policy = 0,
				c2;
	DayValue   *dv = DaySeriesLoad(fcinfo, MQ_KIND_BEFORE_AFTER, "before_after", &n, &policy, &c2);
	double		spre = 0.0,
				spost = 0.0,
				npre,
				npost;

	mq_result_nulls(nulls, 8);
	values[0] = Int32GetDatum(0);
	values[1] = Int32GetDatum(0);
	nulls[0] = nulls[1] = false;
	if (dv == NULL)
		PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));

	if (policy <= dv[0].day || policy > dv[n - 1].day)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("before_after: policy_date %s is outside the data", mq_date_text(policy)),
				 errdetail("The data run from %s to %s; before_after() needs at least one day before the policy and the policy day or one after it.",
						   mq_date_text(dv[0].day), mq_date_text(dv[n - 1].day)),
				 errhint("Check policy_date, or include days on both sides of it.")));
	for (int i = 0; i < n; i++)
	{
		if (dv[i].day < policy)
			spre += dv[i].sum;
		else
			spost += dv[i].sum;
	}
	npre = (double) policy - dv[0].day;
	npost = (double) dv[n - 1].day - policy + 1.0;
	values[0] = Int32GetDatum((int32) npre);
	values[1] = Int32GetDatum((int32) npost);
	mq_result_f8(values, nulls, 2, spre / npre);
	mq_result_f8(values, nulls, 3, spost / npost);
	if (spre > 0.0)
	{
		double		rr = (spost / npost) / (spre / npre);

		mq_result_f8(values, nulls, 4, rr);
		if (spost > 0.0)
		{
			double		lrr = log(rr);
			double		se = sqrt(1.0 / spre + 1.0 / spost);
			double		z = mq_norm_quantile(0.975);

			mq_result_f8(values, nulls, 5, exp(lrr - z * se));
			mq_result_f8(values, nulls, 6, exp(lrr + z * se));
			mq_result_f8(values, nulls, 7, mq_norm_p2(lrr / se));
		}
	}
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/* ---------------------------------------------------------------------------
 * its
 * ------------------------------------------------------------------------- */
/* its(day, y, policy_date [, seasonal_period]): per-day sums of y. */
PG_FUNCTION_INFO_V1(its_trans);
Datum
its_trans(PG_FUNCTION_ARGS)
{
	return DaySeriesTrans(fcinfo, MQ_KIND_ITS, "its", "y", false, 1, false,
						  "policy_date", NULL);
}

PG_FUNCTION_INFO_V1(its_trans_seasonal);
Datum
its_trans_seasonal(PG_FUNCTION_ARGS)
{
	return DaySeriesTrans(fcinfo, MQ_KIND_ITS, "its", "y", false, 2, false,
						  "policy_date", "seasonal_period");
}

PG_FUNCTION_INFO_V1(its_combine);
Datum
its_combine(PG_FUNCTION_ARGS)
{
	return DaySeriesCombine(fcinfo, MQ_KIND_ITS, "its", "policy_date", "seasonal_period");
}

/* Newey–West lag rule of SPEC §4 (statsmodels' default) */
static int
NeweyWestLags(int n)
{
	return (int) floor(4.0 * pow((double) n / 100.0, 2.0 / 9.0));
}

/*
 * its_final -> (n, pre_level, pre_trend, level_change, level_change_se,
 * level_change_p, trend_change, trend_change_se, trend_change_p, hac_lags).
 * OLS of y on 1, t, post, t_since [, season dummies] with the regressors
 * centred, by Householder QR; sandwich (XᵀX)⁻¹ S (XᵀX)⁻¹ with
 * S = Σ_l w_l Σ_t (x_t e_t)(x_{t−l} e_{t−l})ᵀ + transpose, Bartlett
 * w_l = 1 − l/(L+1), observations in day order (days as given: a day
 * without a row is not an observation).
 */
PG_FUNCTION_INFO_V1(its_final);
Datum
its_final(PG_FUNCTION_ARGS)
{
	Datum		values[10];
	bool		nulls[10];
	int			n,
				k,
				P,
				L,
				npre = 0;
	int32		policy = 0,
				period = 0;
	DayValue   *dv = DaySeriesLoad(fcinfo, MQ_KIND_ITS, "its", &n, &policy, &period);
	double	   *X,
			   *y,
			   *mean,
			   *beta,
			   *resid,
			   *B,
			   *S,
			   *V,
			   *u;

	mq_result_nulls(nulls, 10);
	values[0] = Int32GetDatum(0);
	nulls[0] = false;
	if (dv == NULL)
		PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));

	P = period >= 2 ? period : 1;
	k = 4 + (P - 1);
	values[0] = Int32GetDatum(n);
	for (int i = 0; i < n; i++)
		if (dv[i].day < policy)
			npre++;
	if (npre == 0 || npre == n)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("its: policy_date %s is outside the data", mq_date_text(policy)),
				 errdetail("All %d days (%s to %s) are on one side of it.", n,
						   mq_date_text(dv[0].day), mq_date_text(dv[n - 1].day)),
				 errhint("its() needs days before and on or after the policy date.")));
	if (npre < 2 || n - npre < 2 || n <= k)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("its: too few days for its %d parameters", k),
				 errdetail("Got %d days, %d before the policy and %d from it on.", n, npre, n - npre),
				 errhint("Use a longer series (at least two days on each side), or a shorter seasonal_period.")));

	mq_check_cells((double) n * k, "its() design matrix (days × parameters)");
	X = palloc(sizeof(double) * (Size) n * k);
	y = palloc(sizeof(double) * n);
	mean = palloc0(sizeof(double) * k);
	beta = palloc(sizeof(double) * k);
	resid = palloc(sizeof(double) * n);
	B = palloc(sizeof(double) * k * k);
	S = palloc0(sizeof(double) * k * k);
	V = palloc0(sizeof(double) * k * k);
	u = palloc(sizeof(double) * (Size) n * k);

	for (int i = 0; i < n; i++)
	{
		int32		t = dv[i].day - dv[0].day;
		bool		post = dv[i].day >= policy;

		CHECK_FOR_INTERRUPTS();
		X[i] = 1.0;
		X[i + n] = t;
		X[i + 2 * n] = post ? 1.0 : 0.0;
		X[i + 3 * n] = post ? (double) (dv[i].day - policy) : 0.0;
		for (int j = 1; j < P; j++)
			X[i + (Size) (3 + j) * n] = (t % P == j) ? 1.0 : 0.0;
		y[i] = dv[i].sum;
	}
	/* centre every regressor but the intercept */
	for (int j = 1; j < k; j++)
	{
		for (int i = 0; i < n; i++)
			mean[j] += X[i + (Size) j * n];
		mean[j] /= n;
		for (int i = 0; i < n; i++)
			X[i + (Size) j * n] -= mean[j];
	}
	if (!mq_lstsq(X, y, n, k, beta, resid, B))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("its: the design is singular"),
				 errdetail("The %d days cannot separate the trend, the level change, the trend change and the seasons.", n),
				 errhint("Use more days on each side of the policy, or drop seasonal_period.")));

	/* Newey–West meat */
	L = NeweyWestLags(n);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < k; j++)
			u[i + (Size) j * n] = X[i + (Size) j * n] * resid[i];
	for (int l = 0; l <= L && l < n; l++)
	{
		double		w = 1.0 - (double) l / (L + 1.0);

		for (int a = 0; a < k; a++)
			for (int b = 0; b < k; b++)
			{
				double		g = 0.0;

				CHECK_FOR_INTERRUPTS();
				for (int t = l; t < n; t++)
					g += u[t + (Size) a * n] * u[t - l + (Size) b * n];
				if (l == 0)
					S[a + b * k] += g;
				else
				{
					S[a + b * k] += w * g;
					S[b + a * k] += w * g;
				}
			}
	}
	/* V = B S B */
	{
		double	   *T = palloc0(sizeof(double) * k * k);

		for (int a = 0; a < k; a++)
			for (int b = 0; b < k; b++)
				for (int m = 0; m < k; m++)
					T[a + b * k] += B[a + m * k] * S[m + b * k];
		for (int a = 0; a < k; a++)
			for (int b = 0; b < k; b++)
				for (int m = 0; m < k; m++)
					V[a + b * k] += T[a + m * k] * B[m + b * k];
	}

	{
		double		b0 = beta[0];
		double		se2 = sqrt(V[2 + 2 * k]);
		double		se3 = sqrt(V[3 + 3 * k]);

		for (int j = 1; j < k; j++)
			b0 -= beta[j] * mean[j];
		mq_result_f8(values, nulls, 1, b0);
		mq_result_f8(values, nulls, 2, beta[1]);
		mq_result_f8(values, nulls, 3, beta[2]);
		mq_result_f8(values, nulls, 4, se2);
		mq_result_f8(values, nulls, 5, mq_norm_p2(beta[2] / se2));
		mq_result_f8(values, nulls, 6, beta[3]);
		mq_result_f8(values, nulls, 7, se3);
		mq_result_f8(values, nulls, 8, mq_norm_p2(beta[3] / se3));
		values[9] = Int32GetDatum(L);
		nulls[9] = false;
	}
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/* ---------------------------------------------------------------------------
 * resilience
 * ------------------------------------------------------------------------- */
/* resilience(day, cases, event_start, event_end): per-day sums of cases. */
PG_FUNCTION_INFO_V1(resilience_trans);
Datum
resilience_trans(PG_FUNCTION_ARGS)
{
	return DaySeriesTrans(fcinfo, MQ_KIND_RESILIENCE, "resilience", "cases", true, 2, true,
						  "event_start", "event_end");
}

PG_FUNCTION_INFO_V1(resilience_combine);
Datum
resilience_combine(PG_FUNCTION_ARGS)
{
	return DaySeriesCombine(fcinfo, MQ_KIND_RESILIENCE, "resilience", "event_start", "event_end");
}

/*
 * resilience_final -> (baseline, peak, peak_day, peak_ratio, days_to_peak,
 * recovery_day, days_to_recover, excess_cases, resilience_index).
 * Calendar days from the first to the last day with data, missing days zero.
 *   resilience_index = 100 / ((1 + X) · (1 + W)),
 *   X = max(excess_cases, 0) / (7 · baseline)   excess in baseline-weeks
 *   W = days_to_recover / 7                     recovery time in weeks
 * When the series never recovers, recovery_day and days_to_recover are NULL,
 * excess_cases runs to the last day and W uses last day − peak_day + 1 (so
 * the index is an upper bound).  Zero baseline: peak_ratio and the index are
 * NULL.
 */
PG_FUNCTION_INFO_V1(resilience_final);
Datum
resilience_final(PG_FUNCTION_ARGS)
{
	Datum		values[9];
	bool		nulls[9];
	int			n,
				ndays,
				nbase,
				ipeak,
				irec = -1,
				istart;
	int32		start = 0,
				end = 0,
				first;
	DayValue   *dv = DaySeriesLoad(fcinfo, MQ_KIND_RESILIENCE, "resilience", &n, &start, &end);
	double	   *x;
	double		base = 0.0,
				ss = 0.0,
				sd,
				peak,
				excess = 0.0,
				days_rec;

	mq_result_nulls(nulls, 9);
	if (dv == NULL)
		PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
	first = dv[0].day;
	if (start > dv[n - 1].day)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("resilience: event_start %s is after the last day of data %s",
						mq_date_text(start), mq_date_text(dv[n - 1].day)),
				 errhint("Include the days of the event and after it.")));
	if ((double) start - first < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("resilience: at least two days before event_start are needed"),
				 errdetail("The data start on %s, event_start is %s.", mq_date_text(first), mq_date_text(start)),
				 errhint("Include a baseline period (a few weeks) before the event.")));
	x = DaySeriesDense(dv, n, &ndays, "resilience");
	nbase = start - first;
	istart = nbase;
	for (int i = 0; i < nbase; i++)
		base += x[i];
	base /= nbase;
	for (int i = 0; i < nbase; i++)
		ss += (x[i] - base) * (x[i] - base);
	sd = sqrt(ss / (nbase - 1));

	ipeak = istart;
	for (int i = istart; i < ndays; i++)
		if (x[i] > x[ipeak])
			ipeak = i;
	peak = x[ipeak];

	for (int i = ipeak + 1; i < ndays && irec < 0; i++)
	{
		double		m = 0.0;
		int			lo = Max(0, i - 6);

		CHECK_FOR_INTERRUPTS();
		for (int j = lo; j <= i; j++)
			m += x[j];
		m /= (i - lo + 1);
		if (m <= base + sd)
			irec = i;
	}
	for (int i = istart; i <= (irec >= 0 ? irec : ndays - 1); i++)
		excess += x[i] - base;

	mq_result_f8(values, nulls, 0, base);
	mq_result_f8(values, nulls, 1, peak);
	values[2] = DateADTGetDatum((DateADT) (first + ipeak));
	nulls[2] = false;
	if (base > 0)
		mq_result_f8(values, nulls, 3, peak / base);
	values[4] = Int32GetDatum(ipeak - istart);
	nulls[4] = false;
	if (irec >= 0)
	{
		values[5] = DateADTGetDatum((DateADT) (first + irec));
		values[6] = Int32GetDatum(irec - ipeak);
		nulls[5] = nulls[6] = false;
		days_rec = irec - ipeak;
	}
	else
		days_rec = ndays - ipeak;
	mq_result_f8(values, nulls, 7, excess);
	if (base > 0)
	{
		double		X = Max(excess, 0.0) / (7.0 * base);
		double		W = days_rec / 7.0;

		mq_result_f8(values, nulls, 8, 100.0 / ((1.0 + X) * (1.0 + W)));
	}
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}
