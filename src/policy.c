/*
 * policy.c — policy effects and resilience (SPEC §4):
 *   before_after(day, cases, policy_date)          log rate ratio
 *   its(day, y, policy_date [, seasonal_period])    segmented regression, Newey–West
 *   did(y, treated, post, cluster)                  2×2 DiD, CR1 cluster-robust, t(G−1)
 *   event_study(y, treated, period, cluster [, reference_period])
 *                                                   saturated multi-period DiD, one row per period
 *   content_shift(category, post)                   Jensen–Shannon (bits) and Pearson chi-square
 *   resilience(day, cases, event_start, event_end)  storm response and resilience_index
 *
 * Two portable state shapes (state.h) serve them all:
 *
 * Day series (before_after, its, resilience): per-day sums.  A row whose day
 * is the last entry's or is found (binary search) in the sorted, merged
 * prefix is added in place; a new day is appended, and the array is sorted
 * and merged (duplicate days summed) whenever it has grown to twice its
 * sorted prefix, so memory stays O(distinct days) and a row costs
 * O(log days).  Payload:
 *     0 int32 reserved (zero)   4 int32 c1 (policy_date / event_start)
 *       (c1, c2: per-call constants, set when the header says so: state.h)
 *     8 int32 c2 (seasonal_period / event_end)  12 int32 entries  16 int32 sorted prefix
 *    24 entries of 16 bytes: int32 day (DateADT), int32 zero, float8 sum
 *
 * Cell table (did, event_study, content_shift): an open-addressing hash table
 * of (key text, treated, period) → (rows, Σy), where the key (cluster or
 * category) is stored as two independent portable 64-bit hashes (a collision
 * needs ~2^64 distinct keys to become likely).  Payload:
 *     0 int32 slots (power of two, load ≤ 1/2)  4 int32 used slots
 *     8 int32 reference period (event_study's per-call constant)   12 int32 reserved
 *    16 slots of 40 bytes: uint64 h1, uint64 h2, int32 period,
 *       int32 flags (bit 0 occupied, bit 1 treated), int64 rows, float8 Σy
 * The regression of DiD and of the event study is saturated in its cells, so
 * cell means are the OLS fit and per-(cluster, cell) sums are sufficient for
 * the cluster-robust sandwich: the score of cluster g for a contrast
 * θ = Σ_c a_c ȳ_c is Σ_c a_c (S_gc − n_gc ȳ_c) / N_c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "guc.h"
#include "linalg.h"
#include "mqhash.h"
#include "result.h"
#include "state.h"
#include "stats.h"

/* ---------------------------------------------------------------------------
 * Shared helpers
 * ------------------------------------------------------------------------- */

/* A finite date from argument argno; infinities are refused. */
static int32
FiniteDateArg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	DateADT		d = PG_GETARG_DATEADT(argno);

	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite date", argname),
				 errhint("Filter out rows with infinite dates.")));
	return (int32) d;
}

/* ISO text of a date for messages, whatever DateStyle says */
static const char *
DateStr(int32 d)
{
	int			y,
				m,
				dd;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	if (y <= 0)
		return psprintf("%04d-%02d-%02d BC", 1 - y, m, dd);
	return psprintf("%04d-%02d-%02d", y, m, dd);
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
				 errmsg("%s state holds too many days", aggname)));
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
								  DateStr(dv[0].day), DateStr(dv[n - 1].day)));
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
	day = FiniteDateArg(fcinfo, 1, "day");
	value = PG_GETARG_FLOAT8(2);
	mq_check_finite(value, valname);
	if (nonneg && value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", valname),
				 errdetail("Got %g on %s.", value, DateStr(day)),
				 errhint("%s() works on counts of cases per day.", aggname)));
	c1 = FiniteDateArg(fcinfo, 3, n1);
	if (nconst > 1)
	{
		if (c2_is_date)
		{
			c2 = FiniteDateArg(fcinfo, 4, n2);
			if (c2 < c1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s must not be before %s", n2, n1),
						 errdetail("Got %s before %s.", DateStr(c2), DateStr(c1)),
						 errhint("Pass the first and the last day of the event.")));
		}
		else
		{
			c2 = PG_GETARG_INT32(4);
			if (c2 < 1 || c2 > 366)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s must be between 1 and 366", n2),
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
				 errmsg("policy_date %s is outside the data", DateStr(policy)),
				 errdetail("The data run from %s to %s; before_after() needs at least one day before the policy and the policy day or one after it.",
						   DateStr(dv[0].day), DateStr(dv[n - 1].day)),
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
				 errmsg("policy_date %s is outside the data", DateStr(policy)),
				 errdetail("All %d days (%s to %s) are on one side of it.", n,
						   DateStr(dv[0].day), DateStr(dv[n - 1].day)),
				 errhint("its() needs days before and on or after the policy date.")));
	if (npre < 2 || n - npre < 2 || n <= k)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("its() needs more days than its %d parameters", k),
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
				 errmsg("its() design is singular"),
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
				 errmsg("event_start %s is after the last day of data %s",
						DateStr(start), DateStr(dv[n - 1].day)),
				 errhint("Include the days of the event and after it.")));
	if ((double) start - first < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("resilience() needs at least two days before event_start"),
				 errdetail("The data start on %s, event_start is %s.", DateStr(first), DateStr(start)),
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

/* ---------------------------------------------------------------------------
 * Cell-table state
 * ------------------------------------------------------------------------- */
#define CT_NSLOTS	0
#define CT_NUSED	4
#define CT_REF		8
#define CT_HDR		16
#define CT_SLOTSZ	40
#define CT_SLOT(pl, i)	((pl) + CT_HDR + (Size) (i) * CT_SLOTSZ)
#define CT_MAXSLOTS	(1 << 26)

typedef struct Cell
{
	uint64		h1;
	uint64		h2;
	int32		period;
	bool		treated;
	int64		n;
	double		sum;
} Cell;

/*
 * Two independent 64-bit hashes of a text key, computed byte by byte so they
 * are the same on every machine (states travel between nodes): FNV-1a and a
 * multiply-rotate hash seeded by the length, each finished by a 64-bit mixer.
 */
static void
KeyHash(text *t, uint64 *h1, uint64 *h2)
{
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(t);
	Size		len = VARSIZE_ANY_EXHDR(t);
	uint64		b = MQ_GOLDEN64 ^ (uint64) len;

	for (Size i = 0; i < len; i++)
	{
		b = (b ^ p[i]) * UINT64CONST(0xff51afd7ed558ccd);
		b = (b << 29) | (b >> 35);
	}
	*h1 = mq_mix64(mq_fnv1a(p, len));
	*h2 = mq_mix64(b ^ UINT64CONST(0xc2b2ae3d27d4eb4f));
}

static inline uint64
SlotHash(uint64 h1, int32 period, bool treated)
{
	return mq_mix64(h1 ^ ((uint64) (uint32) period * MQ_GOLDEN64) ^ (treated ? 1 : 0));
}

/* Insert or accumulate into an existing table that has room. */
static void
CellPut(char *pl, const Cell *c)
{
	uint32		nslots = (uint32) mq_get_i32(pl + CT_NSLOTS);
	uint32		mask = nslots - 1;
	uint32		i = (uint32) SlotHash(c->h1, c->period, c->treated) & mask;

	for (uint32 probes = 0;; probes++)
	{
		char	   *slot = CT_SLOT(pl, i);
		int32		fl = mq_get_i32(slot + 20);

		if (probes >= nslots)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid cell-table state: no free slot among %u", nslots),
					 errhint("Pass only states produced by minqing's own transition functions.")));
		if (!(fl & 1))
		{
			mq_put_i64(slot, (int64) c->h1);
			mq_put_i64(slot + 8, (int64) c->h2);
			mq_put_i32(slot + 16, c->period);
			mq_put_i32(slot + 20, 1 | (c->treated ? 2 : 0));
			mq_put_i64(slot + 24, c->n);
			mq_put_f8(slot + 32, c->sum);
			mq_put_i32(pl + CT_NUSED, mq_get_i32(pl + CT_NUSED) + 1);
			return;
		}
		if ((uint64) mq_get_i64(slot) == c->h1 && (uint64) mq_get_i64(slot + 8) == c->h2 &&
			mq_get_i32(slot + 16) == c->period && ((fl & 2) != 0) == c->treated)
		{
			mq_put_i64(slot + 24, mq_get_i64(slot + 24) + c->n);
			mq_put_f8(slot + 32, mq_get_f8(slot + 32) + c->sum);
			return;
		}
		i = (i + 1) & mask;
	}
}

/* Decode one slot into a Cell. */
static void
CellRead(const char *slot, Cell *c)
{
	int32		fl = mq_get_i32(slot + 20);

	c->h1 = (uint64) mq_get_i64(slot);
	c->h2 = (uint64) mq_get_i64(slot + 8);
	c->period = mq_get_i32(slot + 16);
	c->treated = (fl & 2) != 0;
	c->n = mq_get_i64(slot + 24);
	c->sum = mq_get_f8(slot + 32);
}

/* Validate a table's header against its size; returns the slot count. */
static int32
CellCheck(bytea *s, const char *aggname)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int32		nslots = mq_get_i32(pl + CT_NSLOTS);
	int32		nused = mq_get_i32(pl + CT_NUSED);

	if (nslots < 0 || nslots > CT_MAXSLOTS || (nslots & (nslots - 1)) != 0 ||
		nused < 0 || nused > nslots / 2 ||
		(Size) CT_HDR + (Size) nslots * CT_SLOTSZ > mq_state_used(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s state: %d slots, %d used, %u bytes", aggname,
						nslots, nused, mq_state_used(s)),
				 errhint("The state is truncated or corrupted.")));
	{
		int32		occupied = 0;

		for (int32 i = 0; i < nslots; i++)
			occupied += (mq_get_i32(CT_SLOT(pl, i) + 20) & 1);
		if (occupied != nused)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid %s state: %d occupied slots, header says %d", aggname,
							occupied, nused),
					 errhint("The state is truncated or corrupted.")));
	}
	return nslots;
}

/*
 * Add a cell to the table, doubling (and rehashing) it first when it would
 * become more than half full.  Returns the maybe-grown state.
 */
static bytea *
CellAdd(bytea *s, const Cell *c, const char *aggname)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int32		nslots = mq_get_i32(pl + CT_NSLOTS);
	int32		nused = mq_get_i32(pl + CT_NUSED);

	if (nslots < 0 || nslots > CT_MAXSLOTS || (nslots & (nslots - 1)) != 0 ||
		nused < 0 || nused > nslots / 2 ||
		(Size) CT_HDR + (Size) nslots * CT_SLOTSZ > mq_state_used(s))
		CellCheck(s, aggname);	/* reports the error */
	if (nslots == 0 || (nused + 1) > nslots / 2)
	{
		int32		newslots = nslots == 0 ? 64 : nslots * 2;
		char	   *old = NULL;

		if (newslots > CT_MAXSLOTS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s state would exceed %d cells", aggname, CT_MAXSLOTS / 2),
					 errhint("Use fewer clusters, categories or periods.")));
		if (nslots > 0)
		{
			old = palloc((Size) nslots * CT_SLOTSZ);
			memcpy(old, CT_SLOT(pl, 0), (Size) nslots * CT_SLOTSZ);
		}
		s = mq_state_reserve(s, CT_HDR + (Size) newslots * CT_SLOTSZ, aggname);
		pl = MQ_STATE_PAYLOAD(s);
		memset(CT_SLOT(pl, 0), 0, (Size) newslots * CT_SLOTSZ);
		mq_put_i32(pl + CT_NSLOTS, newslots);
		mq_put_i32(pl + CT_NUSED, 0);
		mq_state_set_used(s, CT_HDR + (Size) newslots * CT_SLOTSZ);
		for (int32 i = 0; i < nslots; i++)
		{
			char	   *slot = old + (Size) i * CT_SLOTSZ;
			Cell		oc;

			if (!(mq_get_i32(slot + 20) & 1))
				continue;
			CellRead(slot, &oc);
			CellPut(pl, &oc);
		}
		if (old)
			pfree(old);
	}
	CellPut(pl, c);
	return s;
}

/* Combine two cell tables: references must agree, cells added. */
static Datum
CellCombine(FunctionCallInfo fcinfo, MqStateKind kind, const char *aggname)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, kind, CT_HDR, aggname, &done);
	bytea	   *b;
	char	   *pb;
	int32		nb;
	MqStateConst ref = {"reference_period", MQ_CONST_I32, CT_REF, 0};

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(a);
	}
	b = mq_state_check(PG_GETARG_DATUM(1), kind, CT_HDR, aggname);
	CellCheck(a, aggname);
	nb = CellCheck(b, aggname);
	pb = MQ_STATE_PAYLOAD(b);
	mq_state_combine_constants(a, b, &ref, 1, aggname);
	for (int32 i = 0; i < nb; i++)
	{
		char	   *slot = CT_SLOT(pb, i);
		Cell		c;

		CHECK_FOR_INTERRUPTS();
		if (!(mq_get_i32(slot + 20) & 1))
			continue;
		CellRead(slot, &c);
		a = CellAdd(a, &c, aggname);
	}
	PG_RETURN_BYTEA_P(a);
}

/* qsort order of cells: key, then group, then period (a cluster is a run) */
static int
CellCmp(const void *x, const void *y)
{
	const Cell *a = (const Cell *) x;
	const Cell *b = (const Cell *) y;

	if (a->h1 != b->h1)
		return a->h1 < b->h1 ? -1 : 1;
	if (a->h2 != b->h2)
		return a->h2 < b->h2 ? -1 : 1;
	if (a->treated != b->treated)
		return a->treated ? 1 : -1;
	return (a->period > b->period) - (a->period < b->period);
}

/* All cells of a table, sorted by key (so each cluster is a run). */
static Cell *
CellLoad(bytea *s, const char *aggname, int *ncells)
{
	int32		nslots = CellCheck(s, aggname);
	char	   *pl = MQ_STATE_PAYLOAD(s);
	Cell	   *cells = palloc(sizeof(Cell) * Max(1, mq_get_i32(pl + CT_NUSED)));
	int			m = 0;

	for (int32 i = 0; i < nslots; i++)
	{
		char	   *slot = CT_SLOT(pl, i);

		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!(mq_get_i32(slot + 20) & 1))
			continue;
		if (m >= mq_get_i32(pl + CT_NUSED))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid %s state: more occupied slots than counted", aggname)));
		CellRead(slot, &cells[m]);
		if (cells[m].n <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid %s state: a cell with %lld rows", aggname, (long long) cells[m].n)));
		m++;
	}
	qsort(cells, m, sizeof(Cell), CellCmp);
	*ncells = m;
	return cells;
}

/* Do two cells belong to the same cluster / category? */
static inline bool
SameKey(const Cell *a, const Cell *b)
{
	return a->h1 == b->h1 && a->h2 == b->h2;
}

/* ---------------------------------------------------------------------------
 * did
 * ------------------------------------------------------------------------- */
/*
 * did_trans(state, y, treated, post, cluster): add y to the cell
 * (cluster, treated, post).
 */
PG_FUNCTION_INFO_V1(did_trans);
Datum
did_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	Cell		c;
	double		y;

	for (int i = 1; i <= 4; i++)
		if (PG_ARGISNULL(i))
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		}
	y = PG_GETARG_FLOAT8(1);
	mq_check_finite(y, "y");
	KeyHash(PG_GETARG_TEXT_PP(4), &c.h1, &c.h2);
	c.treated = PG_GETARG_BOOL(2);
	c.period = PG_GETARG_BOOL(3) ? 1 : 0;
	c.n = 1;
	c.sum = y;
	s = mq_state_for_update(fcinfo, 0, MQ_KIND_DID, CT_HDR + 64 * CT_SLOTSZ, CT_HDR, "did");
	if (mq_state_used(s) < CT_HDR)
		elog(ERROR, "did state too short");
	s = CellAdd(s, &c, "did");
	PG_RETURN_BYTEA_P(s);
}

/* Combine functions of the cell-table aggregates: add the cells. */
PG_FUNCTION_INFO_V1(did_combine);
Datum
did_combine(PG_FUNCTION_ARGS)
{
	return CellCombine(fcinfo, MQ_KIND_DID, "did");
}

/* Student t critical value for a two-sided 95% interval */
static double
TCrit95(double df)
{
	return mq_t_quantile(0.975, df);
}

/*
 * did_final -> (n, clusters, att, se, p, ci_lo, ci_hi).  The four cell
 * means are the OLS fit of y on 1, treated, post, treated·post;
 * att = (ȳ_T,post − ȳ_T,pre) − (ȳ_C,post − ȳ_C,pre); CR1 sandwich with
 * G/(G−1)·(N−1)/(N−4); p and CI from t with G−1 degrees of freedom.
 */
PG_FUNCTION_INFO_V1(did_final);
Datum
did_final(PG_FUNCTION_ARGS)
{
	Datum		values[7];
	bool		nulls[7];
	int			ncells;
	Cell	   *cells;
	double		N[4] = {0, 0, 0, 0},
				Sy[4] = {0, 0, 0, 0},
				m[4];
	static const double a[4] = {1.0, -1.0, -1.0, 1.0};	/* (C,pre) (C,post) (T,pre) (T,post) */
	static const char *const cellname[4] = {"control before", "control after",
	"treated before", "treated after"};
	double		ntot = 0.0,
				G = 0.0,
				att = 0.0,
				V = 0.0,
				score = 0.0;

	mq_result_nulls(nulls, 7);
	values[0] = Int64GetDatum(0);
	values[1] = Int64GetDatum(0);
	nulls[0] = nulls[1] = false;
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
	cells = CellLoad(mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_DID, CT_HDR, "did"), "did", &ncells);
	for (int i = 0; i < ncells; i++)
	{
		int			ci = (cells[i].treated ? 2 : 0) + cells[i].period;

		if (cells[i].period < 0 || cells[i].period > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid did state: period %d", cells[i].period)));
		N[ci] += cells[i].n;
		Sy[ci] += cells[i].sum;
		ntot += cells[i].n;
		if (i == 0 || !SameKey(&cells[i], &cells[i - 1]))
			G += 1.0;
	}
	values[0] = Int64GetDatum((int64) ntot);
	values[1] = Int64GetDatum((int64) G);
	if (ncells == 0)
		PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
	for (int c = 0; c < 4; c++)
		if (N[c] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("did() has no rows for the %s group", cellname[c]),
					 errdetail("Rows: control before %.0f, control after %.0f, treated before %.0f, treated after %.0f.",
							   N[0], N[1], N[2], N[3]),
					 errhint("Difference-in-differences needs treated and control units observed both before and after the policy.")));
	if (G < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("did() needs at least two clusters"),
				 errdetail("All %.0f rows are in one cluster.", ntot),
				 errhint("Cluster by the unit the policy was assigned to (street, district), not by a constant.")));
	if (ntot <= 4)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("did() needs more than 4 rows"),
				 errdetail("Got %.0f rows for 4 parameters.", ntot),
				 errhint("Add more observations.")));
	for (int c = 0; c < 4; c++)
	{
		m[c] = Sy[c] / N[c];
		att += a[c] * m[c];
	}
	for (int i = 0; i < ncells; i++)
	{
		int			ci = (cells[i].treated ? 2 : 0) + cells[i].period;

		if (i > 0 && !SameKey(&cells[i], &cells[i - 1]))
		{
			V += score * score;
			score = 0.0;
		}
		score += a[ci] * (cells[i].sum - cells[i].n * m[ci]) / N[ci];
	}
	V += score * score;
	V *= G / (G - 1.0) * (ntot - 1.0) / (ntot - 4.0);
	{
		double		se = sqrt(V);
		double		q = TCrit95(G - 1.0);

		mq_result_f8(values, nulls, 2, att);
		mq_result_f8(values, nulls, 3, se);
		if (se > 0)
		{
			mq_result_f8(values, nulls, 4, mq_t_p2(att / se, G - 1.0));
			mq_result_f8(values, nulls, 5, att - q * se);
			mq_result_f8(values, nulls, 6, att + q * se);
		}
	}
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/* ---------------------------------------------------------------------------
 * event_study
 * ------------------------------------------------------------------------- */
/*
 * event_study_trans(state, y, treated, period, cluster [, reference_period]):
 * accumulate one row into its (cluster, group, period) cell; the reference
 * period (default −1) is a per-call constant kept in the state.
 */
static Datum
EventStudyTrans(FunctionCallInfo fcinfo, bool has_ref)
{
	bytea	   *s;
	Cell		c;
	double		y;
	int32		ref = -1;

	for (int i = 1; i <= (has_ref ? 5 : 4); i++)
		if (PG_ARGISNULL(i))
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		}
	y = PG_GETARG_FLOAT8(1);
	mq_check_finite(y, "y");
	if (has_ref)
		ref = PG_GETARG_INT32(5);
	KeyHash(PG_GETARG_TEXT_PP(4), &c.h1, &c.h2);
	c.treated = PG_GETARG_BOOL(2);
	c.period = PG_GETARG_INT32(3);
	c.n = 1;
	c.sum = y;
	s = mq_state_for_update(fcinfo, 0, MQ_KIND_EVENT_STUDY, CT_HDR + 64 * CT_SLOTSZ, CT_HDR, "event_study");
	if (mq_state_used(s) < CT_HDR)
		elog(ERROR, "event_study state too short");
	{
		MqStateConst c = {"reference_period", MQ_CONST_I32, CT_REF, ref};

		mq_state_constants(s, &c, 1, "event_study");
	}
	s = CellAdd(s, &c, "event_study");
	PG_RETURN_BYTEA_P(s);
}

PG_FUNCTION_INFO_V1(event_study_trans);
Datum
event_study_trans(PG_FUNCTION_ARGS)
{
	return EventStudyTrans(fcinfo, false);
}

PG_FUNCTION_INFO_V1(event_study_trans_ref);
Datum
event_study_trans_ref(PG_FUNCTION_ARGS)
{
	return EventStudyTrans(fcinfo, true);
}

PG_FUNCTION_INFO_V1(event_study_combine);
Datum
event_study_combine(PG_FUNCTION_ARGS)
{
	return CellCombine(fcinfo, MQ_KIND_EVENT_STUDY, "event_study");
}

/* qsort order of int32 */
static int
Int32Cmp(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/* Index of period p in the sorted distinct periods (binary search). */
static int
PeriodIndex(const int32 *periods, int np, int32 p)
{
	int			lo = 0,
				hi = np - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (periods[mid] == p)
			return mid;
		if (periods[mid] < p)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	elog(ERROR, "event_study: period %d not found", p);
	return -1;
}

/*
 * event_study_final -> minqing.event_study_row[] ordered by period: for each
 * relative period k, estimate θ_k = (ȳ_T,k − ȳ_T,ref) − (ȳ_C,k − ȳ_C,ref),
 * the coefficient of treated × [period = k] in the saturated regression of y
 * on treated, period dummies and their interactions (reference period
 * omitted); CR1 cluster-robust se with K = the number of non-empty
 * (group, period) cells; p and 95% CI from t(G−1).  The reference period's
 * row has estimate 0 and NULL se; a period observed in only one group has
 * NULL estimate.
 */
PG_FUNCTION_INFO_V1(event_study_final);
Datum
event_study_final(PG_FUNCTION_ARGS)
{
	int			ncells,
				np = 0,
				iref;
	Cell	   *cells;
	int32		ref;
	int32	   *periods;
	double	   *NT,
			   *NC,
			   *ST,
			   *SC,
			   *V,
			   *wT,
			   *wC;
	double		ntot = 0.0,
				G = 0.0,
				K = 0.0,
				Vbase = 0.0,
				factor,
				q;
	bytea	   *s;
	MqCompositeArray rows;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_EVENT_STUDY, CT_HDR, "event_study");
	ref = mq_get_i32(MQ_STATE_PAYLOAD(s) + CT_REF);
	cells = CellLoad(s, "event_study", &ncells);
	if (ncells == 0)
		PG_RETURN_NULL();

	/* distinct periods */
	periods = palloc(sizeof(int32) * ncells);
	for (int i = 0; i < ncells; i++)
		periods[i] = cells[i].period;
	qsort(periods, ncells, sizeof(int32), Int32Cmp);
	for (int i = 0; i < ncells; i++)
		if (np == 0 || periods[i] != periods[np - 1])
			periods[np++] = periods[i];

	NT = palloc0(sizeof(double) * np);
	NC = palloc0(sizeof(double) * np);
	ST = palloc0(sizeof(double) * np);
	SC = palloc0(sizeof(double) * np);
	V = palloc0(sizeof(double) * np);
	wT = palloc0(sizeof(double) * np);
	wC = palloc0(sizeof(double) * np);
	for (int i = 0; i < ncells; i++)
	{
		int			pi = PeriodIndex(periods, np, cells[i].period);

		if (cells[i].treated)
		{
			NT[pi] += cells[i].n;
			ST[pi] += cells[i].sum;
		}
		else
		{
			NC[pi] += cells[i].n;
			SC[pi] += cells[i].sum;
		}
		ntot += cells[i].n;
		if (i == 0 || !SameKey(&cells[i], &cells[i - 1]))
			G += 1.0;
	}
	for (int p = 0; p < np; p++)
		K += (NT[p] > 0) + (NC[p] > 0);

	iref = -1;
	for (int p = 0; p < np; p++)
		if (periods[p] == ref)
			iref = p;
	if (iref < 0 || NT[iref] == 0 || NC[iref] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("event_study() needs treated and control rows in the reference period %d", ref),
				 errdetail("Rows in period %d: treated %.0f, control %.0f.", ref,
						   iref < 0 ? 0.0 : NT[iref], iref < 0 ? 0.0 : NC[iref]),
				 errhint("Number periods relative to the policy (−1 = the last period before it), or pass reference_period.")));
	if (G < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("event_study() needs at least two clusters"),
				 errdetail("All %.0f rows are in one cluster.", ntot),
				 errhint("Cluster by the unit the policy was assigned to (street, district), not by a constant.")));
	if (ntot <= K)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("event_study() needs more rows than its %.0f parameters", K),
				 errdetail("Got %.0f rows.", ntot),
				 errhint("Add more observations or use fewer periods.")));

	/*
	 * Cluster scores.  For cluster g, w_T[p] = (S_gTp − n_gTp ȳ_Tp)/N_Tp and
	 * likewise w_C; score_k = w_T[k] − w_C[k] − w_T[ref] + w_C[ref].  Periods
	 * a cluster lacks have w = 0, so their score is the reference part r_g
	 * alone: V_k = Σ_g r_g² + Σ_{g has k} (score_k² − r_g²).
	 */
	{
		int			start = 0,
					cid = 0;
		int		   *mark = palloc0(sizeof(int) * np);

		while (start < ncells)
		{
			int			end = start;
			double		r;

			CHECK_FOR_INTERRUPTS();
			cid++;
			while (end < ncells && SameKey(&cells[end], &cells[start]))
				end++;
			for (int i = start; i < end; i++)
			{
				int			pi = PeriodIndex(periods, np, cells[i].period);

				if (cells[i].treated)
					wT[pi] = (cells[i].sum - cells[i].n * (ST[pi] / NT[pi])) / NT[pi];
				else
					wC[pi] = (cells[i].sum - cells[i].n * (SC[pi] / NC[pi])) / NC[pi];
			}
			r = -wT[iref] + wC[iref];
			Vbase += r * r;
			/* each period once per cluster (a cluster may hold both groups) */
			for (int i = start; i < end; i++)
			{
				int			pi = PeriodIndex(periods, np, cells[i].period);
				double		sc;

				if (pi == iref || mark[pi] == cid)
					continue;
				mark[pi] = cid;
				sc = wT[pi] - wC[pi] + r;
				V[pi] += sc * sc - r * r;
			}
			for (int i = start; i < end; i++)
			{
				int			pi = PeriodIndex(periods, np, cells[i].period);

				wT[pi] = wC[pi] = 0.0;
			}
			start = end;
		}
	}

	factor = G / (G - 1.0) * (ntot - 1.0) / (ntot - K);
	q = TCrit95(G - 1.0);

	mq_carray_init(&rows, fcinfo);
	for (int p = 0; p < np; p++)
	{
		Datum		values[9];
		bool		nulls[9];

		mq_result_nulls(nulls, 9);
		values[0] = Int32GetDatum(periods[p]);
		nulls[0] = false;
		if (p == iref)
		{
			values[1] = Float8GetDatum(0.0);
			nulls[1] = false;
		}
		else if (NT[p] > 0 && NC[p] > 0)
		{
			double		est = (ST[p] / NT[p] - ST[iref] / NT[iref]) -
				(SC[p] / NC[p] - SC[iref] / NC[iref]);
			double		se = sqrt(Max(0.0, (V[p] + Vbase) * factor));

			mq_result_f8(values, nulls, 1, est);
			mq_result_f8(values, nulls, 2, se);
			if (se > 0)
			{
				mq_result_f8(values, nulls, 3, mq_t_p2(est / se, G - 1.0));
				mq_result_f8(values, nulls, 4, est - q * se);
				mq_result_f8(values, nulls, 5, est + q * se);
			}
		}
		values[6] = Int64GetDatum((int64) NT[p]);
		values[7] = Int64GetDatum((int64) NC[p]);
		values[8] = BoolGetDatum(p == iref);
		nulls[6] = nulls[7] = nulls[8] = false;
		mq_carray_add(&rows, values, nulls);
	}
	PG_RETURN_ARRAYTYPE_P(mq_carray_result(&rows));
}

/* ---------------------------------------------------------------------------
 * content_shift
 * ------------------------------------------------------------------------- */
/* content_shift_trans(state, category, post): count one row in (category, post). */
PG_FUNCTION_INFO_V1(content_shift_trans);
Datum
content_shift_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	Cell		c;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	KeyHash(PG_GETARG_TEXT_PP(1), &c.h1, &c.h2);
	c.treated = false;
	c.period = PG_GETARG_BOOL(2) ? 1 : 0;
	c.n = 1;
	c.sum = 0.0;
	s = mq_state_for_update(fcinfo, 0, MQ_KIND_CONTENT_SHIFT, CT_HDR + 64 * CT_SLOTSZ, CT_HDR, "content_shift");
	if (mq_state_used(s) < CT_HDR)
		elog(ERROR, "content_shift state too short");
	s = CellAdd(s, &c, "content_shift");
	PG_RETURN_BYTEA_P(s);
}

PG_FUNCTION_INFO_V1(content_shift_combine);
Datum
content_shift_combine(PG_FUNCTION_ARGS)
{
	return CellCombine(fcinfo, MQ_KIND_CONTENT_SHIFT, "content_shift");
}

/*
 * content_shift_final -> (categories, jsd, chi2, df, p).  With p_i, q_i the
 * pre and post shares and m = (p + q)/2:
 * jsd = ½ Σ p_i log2(p_i/m_i) + ½ Σ q_i log2(q_i/m_i) (bits, 0..1);
 * chi2 = Σ (O − E)²/E over the 2×k table, E = row total · column total / N;
 * df = k − 1; p = P(χ²_df ≥ chi2) (1 when df = 0).
 */
PG_FUNCTION_INFO_V1(content_shift_final);
Datum
content_shift_final(PG_FUNCTION_ARGS)
{
	Datum		values[5];
	bool		nulls[5];
	int			ncells,
				k = 0;
	Cell	   *cells;
	double	   *pre,
			   *post;
	double		Npre = 0.0,
				Npost = 0.0,
				N,
				jsd = 0.0,
				chi2 = 0.0;

	mq_result_nulls(nulls, 5);
	values[0] = Int32GetDatum(0);
	nulls[0] = false;
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
	cells = CellLoad(mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_CONTENT_SHIFT, CT_HDR, "content_shift"),
					 "content_shift", &ncells);
	pre = palloc0(sizeof(double) * Max(ncells, 1));
	post = palloc0(sizeof(double) * Max(ncells, 1));
	for (int i = 0; i < ncells; i++)
	{
		if (i == 0 || !SameKey(&cells[i], &cells[i - 1]))
			k++;
		if (cells[i].period == 1)
		{
			post[k - 1] += cells[i].n;
			Npost += cells[i].n;
		}
		else
		{
			pre[k - 1] += cells[i].n;
			Npre += cells[i].n;
		}
	}
	values[0] = Int32GetDatum(k);
	if (k == 0)
		PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
	if (Npre == 0 || Npost == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("content_shift() needs rows both before and after the policy"),
				 errdetail("Got %.0f rows before and %.0f after.", Npre, Npost),
				 errhint("post must be false for some rows and true for others.")));
	N = Npre + Npost;
	for (int i = 0; i < k; i++)
	{
		double		p = pre[i] / Npre,
					q = post[i] / Npost,
					m = 0.5 * (p + q),
					col = pre[i] + post[i],
					epre = col * Npre / N,
					epost = col * Npost / N;

		if (p > 0)
			jsd += 0.5 * p * log2(p / m);
		if (q > 0)
			jsd += 0.5 * q * log2(q / m);
		chi2 += (pre[i] - epre) * (pre[i] - epre) / epre +
			(post[i] - epost) * (post[i] - epost) / epost;
	}
	mq_result_f8(values, nulls, 1, Max(0.0, Min(1.0, jsd)));
	mq_result_f8(values, nulls, 2, chi2);
	values[3] = Int32GetDatum(k - 1);
	nulls[3] = false;
	mq_result_f8(values, nulls, 4, k > 1 ? mq_chi2_sf(chi2, k - 1) : 1.0);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/* ---------------------------------------------------------------------------
 * Distribution helpers exposed to SQL (tested against scipy)
 * ------------------------------------------------------------------------- */
/* SQL wrappers of the exact tails in stats.c, for users and for the tests. */
PG_FUNCTION_INFO_V1(t_p2);
Datum
t_p2(PG_FUNCTION_ARGS)
{
	double		t = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (isnan(t) || !(df > 0) || isinf(df))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t_p2 needs a number t and positive finite df"),
				 errdetail("Got t = %g, df = %g.", t, df),
				 errhint("df is the degrees of freedom, e.g. clusters − 1.")));
	PG_RETURN_FLOAT8(mq_t_p2(t, df));
}

PG_FUNCTION_INFO_V1(t_quantile);
Datum
t_quantile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (!(p > 0 && p < 1) || !(df > 0) || isinf(df))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t_quantile needs 0 < p < 1 and positive finite df"),
				 errdetail("Got p = %g, df = %g.", p, df),
				 errhint("Use p = 0.975 for the critical value of a two-sided 95%% interval.")));
	PG_RETURN_FLOAT8(mq_t_quantile(p, df));
}

PG_FUNCTION_INFO_V1(chi2_sf);
Datum
chi2_sf(PG_FUNCTION_ARGS)
{
	double		x = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (isnan(x) || !(df > 0) || isinf(df))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("chi2_sf needs a number x and positive finite df"),
				 errdetail("Got x = %g, df = %g.", x, df),
				 errhint("df is the degrees of freedom, e.g. categories − 1.")));
	PG_RETURN_FLOAT8(mq_chi2_sf(x, df));
}
