/*
 * rate.h — what rate() and kpi() (rate.c) share with their rollup states
 * rate_state and kpi_state (rollup.c): the payload layouts, the counting of
 * one order and the result rows.
 *
 * Payloads (little-endian, after the header of state.h):
 *   rate  n int64 | k int64 | confidence float8 (a per-call constant, set
 *         when the header flag MQ_STATE_F_CONSTANTS is; otherwise 0.95)
 *   kpi   orders int64 | (n, k) int64 for responded, resolved, satisfied;
 *         kpi_state appends the three weights (float8) it was built with
 */
#ifndef MINQING_RATE_H
#define MINQING_RATE_H

#include "postgres.h"

#include "fmgr.h"

#include "state.h"

#define MQ_RATE_N		0
#define MQ_RATE_K		8
#define MQ_RATE_CONF	16
#define MQ_RATE_SIZE	24

#define MQ_KPI_ORDERS	0
#define MQ_KPI_N(i)		(8 + 16 * (i))
#define MQ_KPI_K(i)		(16 + 16 * (i))
#define MQ_KPI_COUNTS	56		/* the size of the counts above */

/* add v to the int64 at p (a portable state's payload) */
static inline void
mq_add_i64(char *p, int64 v)
{
	mq_put_i64(p, mq_get_i64(p) + v);
}

/*
 * Count one order into kpi counts at pl: the order, and each of the flags
 * in arguments 1..3 of fcinfo that is not NULL toward its rate.
 */
extern void mq_kpi_count(FunctionCallInfo fcinfo, char *pl);

/*
 * The row (n, k, p, lo, hi) of rate() from a validated rate payload s (NULL:
 * no rows): the Wilson interval at its confidence, 0.95 when it has none.
 */
extern Datum mq_rate_result(FunctionCallInfo fcinfo, bytea *s);

/*
 * The row (orders, response_rate, resolution_rate, satisfaction_rate, score)
 * of kpi() from validated counts at pl (NULL: no orders), the score with
 * weights w[3]: 100 × Σ wᵢ·rateᵢ / Σ wᵢ over the defined rates.
 */
extern Datum mq_kpi_result(FunctionCallInfo fcinfo, const char *pl, const double *w);

#endif							/* MINQING_RATE_H */
