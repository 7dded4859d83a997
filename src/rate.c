/*
 * rate.c — rates with honest uncertainty (SPEC §2):
 *   rate(flag [, confidence])  n, k, p = k/n and the Wilson score interval
 *   kpi(responded, resolved, satisfied)  the three hotline rates and a score
 * Both are per-row aggregates over fixed-size portable states (state.h),
 * updated in place, combinable across parallel workers and Citus nodes.
 * Their payloads, the counting of one order and the result rows are shared
 * with the rollup states rate_state and kpi_state (rollup.c): rate.h.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"

#include "guc.h"
#include "rate.h"
#include "result.h"
#include "state.h"
#include "stats.h"

static void
CheckConfidence(double c)
{
	if (!(c > 0.0 && c < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rate: confidence must be between 0 and 1 (exclusive)"),
				 errdetail("Got %g.", c),
				 errhint("Use e.g. 0.95 for a 95%% interval.")));
}

/*
 * rate_trans(state, flag [, confidence]): count one non-NULL flag.  The
 * confidence is a per-call constant copied into the state; rows that
 * disagree about it are an error rather than a silently mixed interval.
 */
static Datum
RateTransCommon(FunctionCallInfo fcinfo, bool has_conf)
{
	bytea	   *s;
	char	   *pl;
	double		conf = 0.0;

	if (has_conf)
	{
		if (PG_ARGISNULL(2))
			goto skip;
		conf = PG_GETARG_FLOAT8(2);
		CheckConfidence(conf);
	}
	if (PG_ARGISNULL(1))
		goto skip;

	s = mq_state_for_update(fcinfo, 0, MQ_KIND_RATE, MQ_RATE_SIZE, MQ_RATE_SIZE, "rate");
	if (mq_state_used(s) < MQ_RATE_SIZE)
		elog(ERROR, "rate state too short");
	pl = MQ_STATE_PAYLOAD(s);
	if (has_conf)
	{
		MqStateConst c = {"confidence", MQ_CONST_F8, MQ_RATE_CONF, conf};

		mq_state_constants(s, &c, 1, "rate");
	}
	mq_add_i64(pl + MQ_RATE_N, 1);
	if (PG_GETARG_BOOL(1))
		mq_add_i64(pl + MQ_RATE_K, 1);
	PG_RETURN_BYTEA_P(s);

skip:
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

PG_FUNCTION_INFO_V1(rate_trans);
Datum
rate_trans(PG_FUNCTION_ARGS)
{
	return RateTransCommon(fcinfo, false);
}

PG_FUNCTION_INFO_V1(rate_trans_conf);
Datum
rate_trans_conf(PG_FUNCTION_ARGS)
{
	return RateTransCommon(fcinfo, true);
}

/* rate_combine(a, b): add counts; confidences (when set) must agree. */
PG_FUNCTION_INFO_V1(rate_combine);
Datum
rate_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_RATE, MQ_RATE_SIZE, "rate", &done);
	bytea	   *b;
	char	   *pa,
			   *pb;
	MqStateConst c = {"confidence", MQ_CONST_F8, MQ_RATE_CONF, 0};

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(a);
	}
	b = mq_state_check(PG_GETARG_DATUM(1), MQ_KIND_RATE, MQ_RATE_SIZE, "rate");
	pa = MQ_STATE_PAYLOAD(a);
	pb = MQ_STATE_PAYLOAD(b);
	mq_state_combine_constants(a, b, &c, 1, "rate");
	mq_add_i64(pa + MQ_RATE_N, mq_get_i64(pb + MQ_RATE_N));
	mq_add_i64(pa + MQ_RATE_K, mq_get_i64(pb + MQ_RATE_K));
	PG_RETURN_BYTEA_P(a);
}

/* rate_final(state) -> (n, k, p, lo, hi); empty input gives n = k = 0. */
PG_FUNCTION_INFO_V1(rate_final);
Datum
rate_final(PG_FUNCTION_ARGS)
{
	bytea	   *s = NULL;

	if (!PG_ARGISNULL(0))
	{
		char	   *pl;
		int64		n,
					k;

		s = mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_RATE, MQ_RATE_SIZE, "rate");
		pl = MQ_STATE_PAYLOAD(s);
		n = mq_get_i64(pl + MQ_RATE_N);
		k = mq_get_i64(pl + MQ_RATE_K);
		if (n < 0 || k < 0 || k > n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid rate state: k = %lld of n = %lld", (long long) k, (long long) n)));
		if (mq_state_has_constants(s))
			CheckConfidence(mq_get_f8(pl + MQ_RATE_CONF));
	}
	PG_RETURN_DATUM(mq_rate_result(fcinfo, s));
}

/*
 * kpi_trans(state, responded, resolved, satisfied): every row is one order;
 * each flag counts toward its rate only when it is not NULL.
 */
PG_FUNCTION_INFO_V1(kpi_trans);
Datum
kpi_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s = mq_state_for_update(fcinfo, 0, MQ_KIND_KPI, MQ_KPI_COUNTS, MQ_KPI_COUNTS, "kpi");
	char	   *pl;

	if (mq_state_used(s) < MQ_KPI_COUNTS)
		elog(ERROR, "kpi state too short");
	pl = MQ_STATE_PAYLOAD(s);
	mq_kpi_count(fcinfo, pl);
	PG_RETURN_BYTEA_P(s);
}

PG_FUNCTION_INFO_V1(kpi_combine);
Datum
kpi_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_KPI, MQ_KPI_COUNTS, "kpi", &done);
	bytea	   *b;

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(a);
	}
	b = mq_state_check(PG_GETARG_DATUM(1), MQ_KIND_KPI, MQ_KPI_COUNTS, "kpi");
	for (int off = 0; off < MQ_KPI_COUNTS; off += 8)
		mq_add_i64(MQ_STATE_PAYLOAD(a) + off, mq_get_i64(MQ_STATE_PAYLOAD(b) + off));
	PG_RETURN_BYTEA_P(a);
}

/*
 * kpi_final(state) -> (orders, response_rate, resolution_rate,
 * satisfaction_rate, score).  score = 100 × Σ wᵢ·rateᵢ / Σ wᵢ over the rates
 * that are defined (weights from minqing.kpi_weights); NULL when none is.
 * Stable: it reads a setting.
 */
PG_FUNCTION_INFO_V1(kpi_final);
Datum
kpi_final(PG_FUNCTION_ARGS)
{
	char	   *pl = NULL;

	if (!PG_ARGISNULL(0))
	{
		bytea	   *s = mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_KPI, MQ_KPI_COUNTS, "kpi");

		pl = MQ_STATE_PAYLOAD(s);
		for (int i = 0; i < 3; i++)
		{
			int64		n = mq_get_i64(pl + MQ_KPI_N(i));
			int64		k = mq_get_i64(pl + MQ_KPI_K(i));

			if (n < 0 || k < 0 || k > n)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid kpi state: k = %lld of n = %lld", (long long) k, (long long) n)));
		}
	}
	PG_RETURN_DATUM(mq_kpi_result(fcinfo, pl, mq_kpi_weights));
}

/* ---------------------------------------------------------------------------
 * Shared with the rollup states (rollup.c): rate.h
 * ------------------------------------------------------------------------- */
void
mq_kpi_count(FunctionCallInfo fcinfo, char *pl)
{
	mq_add_i64(pl + MQ_KPI_ORDERS, 1);
	for (int i = 0; i < 3; i++)
	{
		if (PG_ARGISNULL(i + 1))
			continue;
		mq_add_i64(pl + MQ_KPI_N(i), 1);
		if (PG_GETARG_BOOL(i + 1))
			mq_add_i64(pl + MQ_KPI_K(i), 1);
	}
}

Datum
mq_rate_result(FunctionCallInfo fcinfo, bytea *s)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, true, true, true};
	int64		n = 0,
				k = 0;
	double		conf = 0.95;

	if (s != NULL)
	{
		char	   *pl = MQ_STATE_PAYLOAD(s);

		n = mq_get_i64(pl + MQ_RATE_N);
		k = mq_get_i64(pl + MQ_RATE_K);
		if (mq_state_has_constants(s))
			conf = mq_get_f8(pl + MQ_RATE_CONF);
	}
	values[0] = Int64GetDatum(n);
	values[1] = Int64GetDatum(k);
	if (n > 0)
	{
		double		lo,
					hi;

		mq_wilson((double) k, (double) n, conf, &lo, &hi);
		values[2] = Float8GetDatum((double) k / (double) n);
		values[3] = Float8GetDatum(lo);
		values[4] = Float8GetDatum(hi);
		nulls[2] = nulls[3] = nulls[4] = false;
	}
	return mq_result_tuple(fcinfo, values, nulls);
}

Datum
mq_kpi_result(FunctionCallInfo fcinfo, const char *pl, const double *w)
{
	Datum		values[5];
	bool		nulls[5] = {false, true, true, true, true};
	double		wsum = 0.0,
				ssum = 0.0;

	values[0] = Int64GetDatum(0);
	if (pl != NULL)
	{
		values[0] = Int64GetDatum(mq_get_i64(pl + MQ_KPI_ORDERS));
		for (int i = 0; i < 3; i++)
		{
			int64		n = mq_get_i64(pl + MQ_KPI_N(i));
			int64		k = mq_get_i64(pl + MQ_KPI_K(i));
			double		r;

			if (n == 0)
				continue;
			r = (double) k / (double) n;
			values[i + 1] = Float8GetDatum(r);
			nulls[i + 1] = false;
			wsum += w[i];
			ssum += w[i] * r;
		}
		if (wsum > 0)
		{
			values[4] = Float8GetDatum(100.0 * ssum / wsum);
			nulls[4] = false;
		}
	}
	return mq_result_tuple(fcinfo, values, nulls);
}
