/*
 * rollup.c — the rollup state types of rate() and kpi() (SPEC §8), the
 * hll / tdigest pattern: build a state per day and unit once, merge states
 * into the usual result as often as a dashboard asks.
 *
 *   rate_state(flag) → minqing.rate_state
 *   rate(rate_state [, confidence]) → rate_result
 *   kpi_state(responded, resolved, satisfied) → minqing.kpi_state
 *   kpi(kpi_state) → kpi_result
 *
 * Payloads (little-endian, after the header of state.h):
 *   rate_state  n int64 | k int64 | confidence float8 (a per-call constant
 *               of rate(rate_state, confidence), set when the header flag
 *               MQ_STATE_F_CONSTANTS is)
 *   kpi_state   orders int64 | (n, k) int64 × 3 | the three
 *               minqing.kpi_weights in force when the state was built
 * A kpi_state remembers its weights so that a score is never computed from
 * counts built for different weights: merging states of different weights
 * is an error, and kpi(kpi_state) scores with the weights of its states.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"

#include "guc.h"
#include "rate.h"
#include "result.h"
#include "state.h"
#include "stats.h"

/* the payloads of rate() and kpi() (rate.h); kpi_state appends its weights */
#define KS_W(i)		(MQ_KPI_COUNTS + 8 * (i))
#define KS_SIZE		(MQ_KPI_COUNTS + 24)

static void
InvalidCounts(const char *typname, int64 k, int64 n)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid %s: k = %lld of n = %lld", typname, (long long) k, (long long) n),
			 errhint("The state is corrupted; rebuild it from the orders.")));
}

static void
CheckCounts(const char *typname, int64 k, int64 n)
{
	if (n < 0 || k < 0 || k > n)
		InvalidCounts(typname, k, n);
}

/* ---------------------------------------------------------------- rate_state */

static bytea *
RateStateValidated(bytea *s)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	double		conf = mq_get_f8(pl + MQ_RATE_CONF);

	CheckCounts("rate_state", mq_get_i64(pl + MQ_RATE_K), mq_get_i64(pl + MQ_RATE_N));
	if (mq_state_has_constants(s) && !(conf > 0.0 && conf < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid rate_state: confidence %g", conf),
				 errhint("The state is corrupted; rebuild it from the orders.")));
	return s;
}

PG_FUNCTION_INFO_V1(rate_state_in);
Datum
rate_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(RateStateValidated(mq_state_from_cstring(PG_GETARG_CSTRING(0), MQ_KIND_RATE_ROLLUP,
															   MQ_RATE_SIZE, "rate_state")));
}

PG_FUNCTION_INFO_V1(rate_state_out);
Datum
rate_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(mq_state_to_cstring(mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_RATE_ROLLUP,
														 MQ_RATE_SIZE, "rate_state")));
}

PG_FUNCTION_INFO_V1(rate_state_recv);
Datum
rate_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(RateStateValidated(mq_state_from_binary((StringInfo) PG_GETARG_POINTER(0),
															  MQ_KIND_RATE_ROLLUP, MQ_RATE_SIZE, "rate_state")));
}

PG_FUNCTION_INFO_V1(rate_state_send);
Datum
rate_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(mq_state_to_binary(mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_RATE_ROLLUP,
														MQ_RATE_SIZE, "rate_state")));
}

/* rate_state_trans(state, flag): count one non-NULL flag. */
PG_FUNCTION_INFO_V1(rate_state_trans);
Datum
rate_state_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	s = mq_state_for_update(fcinfo, 0, MQ_KIND_RATE_ROLLUP, MQ_RATE_SIZE, MQ_RATE_SIZE, "rate_state");
	mq_add_i64(MQ_STATE_PAYLOAD(s) + MQ_RATE_N, 1);
	if (PG_GETARG_BOOL(1))
		mq_add_i64(MQ_STATE_PAYLOAD(s) + MQ_RATE_K, 1);
	PG_RETURN_BYTEA_P(s);
}

/* Add b's counts to a; confidences must agree where both are set. */
static void
RateMergeInto(bytea *a, bytea *b)
{
	char	   *pa = MQ_STATE_PAYLOAD(a),
			   *pb = MQ_STATE_PAYLOAD(b);
	MqStateConst c = {"confidence", MQ_CONST_F8, MQ_RATE_CONF, 0};

	mq_state_combine_constants(a, b, &c, 1, "rate");
	mq_add_i64(pa + MQ_RATE_N, mq_get_i64(pb + MQ_RATE_N));
	mq_add_i64(pa + MQ_RATE_K, mq_get_i64(pb + MQ_RATE_K));
	CheckCounts("rate_state", mq_get_i64(pa + MQ_RATE_K), mq_get_i64(pa + MQ_RATE_N));
}

/*
 * rate_state_combine(a, b): combine function of rate_state() and of
 * rate(rate_state), and transition function of rate(rate_state).
 */
PG_FUNCTION_INFO_V1(rate_state_combine);
Datum
rate_state_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_RATE_ROLLUP, MQ_RATE_SIZE, "rate_state", &done);

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(a);
	}
	RateMergeInto(a, mq_state_check(PG_GETARG_DATUM(1), MQ_KIND_RATE_ROLLUP, MQ_RATE_SIZE, "rate_state"));
	PG_RETURN_BYTEA_P(a);
}

/*
 * rate_state_merge_conf(state, other, confidence): transition function of
 * rate(rate_state, confidence); the confidence is a per-call constant kept
 * in the state.
 */
PG_FUNCTION_INFO_V1(rate_state_merge_conf);
Datum
rate_state_merge_conf(PG_FUNCTION_ARGS)
{
	bytea	   *a;
	double		conf;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	conf = PG_GETARG_FLOAT8(2);
	if (!(conf > 0.0 && conf < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence must be between 0 and 1 (exclusive)"),
				 errdetail("Got %g.", conf),
				 errhint("Use e.g. 0.95 for a 95%% interval.")));
	a = mq_state_for_update(fcinfo, 0, MQ_KIND_RATE_ROLLUP, MQ_RATE_SIZE, MQ_RATE_SIZE, "rate_state");
	{
		MqStateConst c = {"confidence", MQ_CONST_F8, MQ_RATE_CONF, conf};

		mq_state_constants(a, &c, 1, "rate");
	}
	RateMergeInto(a, mq_state_check(PG_GETARG_DATUM(1), MQ_KIND_RATE_ROLLUP, MQ_RATE_SIZE, "rate_state"));
	PG_RETURN_BYTEA_P(a);
}

/* rate_state_final(state) → (n, k, p, lo, hi), as rate_final. */
PG_FUNCTION_INFO_V1(rate_state_final);
Datum
rate_state_final(PG_FUNCTION_ARGS)
{
	bytea	   *s = NULL;

	if (!PG_ARGISNULL(0))
		s = RateStateValidated(mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_RATE_ROLLUP,
											  MQ_RATE_SIZE, "rate_state"));
	PG_RETURN_DATUM(mq_rate_result(fcinfo, s));
}

/* ----------------------------------------------------------------- kpi_state */

static bytea *
KpiStateValidated(bytea *s)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	double		wsum = 0.0;

	for (int i = 0; i < 3; i++)
	{
		double		w = mq_get_f8(pl + KS_W(i));

		CheckCounts("kpi_state", mq_get_i64(pl + MQ_KPI_K(i)), mq_get_i64(pl + MQ_KPI_N(i)));
		if (mq_get_i64(pl + MQ_KPI_N(i)) > mq_get_i64(pl + MQ_KPI_ORDERS))
			InvalidCounts("kpi_state", mq_get_i64(pl + MQ_KPI_N(i)), mq_get_i64(pl + MQ_KPI_ORDERS));
		if (!(w >= 0.0 && isfinite(w)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid kpi_state: weight %g", w),
					 errhint("The state is corrupted; rebuild it from the orders.")));
		wsum += w;
	}
	if (!(wsum > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kpi_state: all weights are zero"),
				 errhint("The state is corrupted; rebuild it from the orders.")));
	return s;
}

PG_FUNCTION_INFO_V1(kpi_state_in);
Datum
kpi_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(KpiStateValidated(mq_state_from_cstring(PG_GETARG_CSTRING(0), MQ_KIND_KPI_ROLLUP,
															  KS_SIZE, "kpi_state")));
}

PG_FUNCTION_INFO_V1(kpi_state_out);
Datum
kpi_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(mq_state_to_cstring(mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_KPI_ROLLUP,
														 KS_SIZE, "kpi_state")));
}

PG_FUNCTION_INFO_V1(kpi_state_recv);
Datum
kpi_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(KpiStateValidated(mq_state_from_binary((StringInfo) PG_GETARG_POINTER(0),
															 MQ_KIND_KPI_ROLLUP, KS_SIZE, "kpi_state")));
}

PG_FUNCTION_INFO_V1(kpi_state_send);
Datum
kpi_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(mq_state_to_binary(mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_KPI_ROLLUP,
														KS_SIZE, "kpi_state")));
}

/*
 * kpi_state_trans(state, responded, resolved, satisfied): one order.  The
 * first row records the minqing.kpi_weights in force.
 */
PG_FUNCTION_INFO_V1(kpi_state_trans);
Datum
kpi_state_trans(PG_FUNCTION_ARGS)
{
	bool		fresh = PG_ARGISNULL(0);
	bytea	   *s = mq_state_for_update(fcinfo, 0, MQ_KIND_KPI_ROLLUP, KS_SIZE, KS_SIZE, "kpi_state");
	char	   *pl = MQ_STATE_PAYLOAD(s);

	if (fresh)
		for (int i = 0; i < 3; i++)
			mq_put_f8(pl + KS_W(i), mq_kpi_weights[i]);
	mq_kpi_count(fcinfo, pl);
	PG_RETURN_BYTEA_P(s);
}

/*
 * kpi_state_combine(a, b): combine function of both aggregates and
 * transition function of kpi(kpi_state).  Refuses states built under
 * different weights, naming both.
 */
PG_FUNCTION_INFO_V1(kpi_state_combine);
Datum
kpi_state_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_KPI_ROLLUP, KS_SIZE, "kpi_state", &done);
	bytea	   *b;
	char	   *pa,
			   *pb;

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(a);
	}
	b = mq_state_check(PG_GETARG_DATUM(1), MQ_KIND_KPI_ROLLUP, KS_SIZE, "kpi_state");
	pa = MQ_STATE_PAYLOAD(a);
	pb = MQ_STATE_PAYLOAD(b);
	for (int i = 0; i < 3; i++)
		if (mq_get_f8(pa + KS_W(i)) != mq_get_f8(pb + KS_W(i)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot merge kpi_state values built under different minqing.kpi_weights"),
					 errdetail("One was built with weights %g,%g,%g, another with %g,%g,%g.",
							   mq_get_f8(pa + KS_W(0)), mq_get_f8(pa + KS_W(1)), mq_get_f8(pa + KS_W(2)),
							   mq_get_f8(pb + KS_W(0)), mq_get_f8(pb + KS_W(1)), mq_get_f8(pb + KS_W(2))),
					 errhint("Rebuild the older states under the current minqing.kpi_weights, or merge each weight setting separately.")));
	for (int off = 0; off < KS_W(0); off += 8)
		mq_add_i64(pa + off, mq_get_i64(pb + off));
	PG_RETURN_BYTEA_P(a);
}

/*
 * kpi_state_final(state) → (orders, response_rate, resolution_rate,
 * satisfaction_rate, score), the score with the state's weights.
 */
PG_FUNCTION_INFO_V1(kpi_state_final);
Datum
kpi_state_final(PG_FUNCTION_ARGS)
{
	char	   *pl = NULL;
	double		w[3] = {0, 0, 0};

	if (!PG_ARGISNULL(0))
	{
		bytea	   *s = KpiStateValidated(mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_KPI_ROLLUP,
														 KS_SIZE, "kpi_state"));

		pl = MQ_STATE_PAYLOAD(s);
		for (int i = 0; i < 3; i++)
			w[i] = mq_get_f8(pl + KS_W(i));
	}
	PG_RETURN_DATUM(mq_kpi_result(fcinfo, pl, w));
}
