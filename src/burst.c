/*
 * burst.c — minqing.term_burst(docs, hits, s, gamma) OVER (PARTITION BY term
 * ORDER BY day) (SPEC §10): Kleinberg's two-state batched burst model
 * (KDD 2002, §4), in the ST_ClusterDBSCAN window shape.
 *
 * Every row with non-NULL docs and hits is one batch t = 1..n with d_t
 * documents of which r_t mention the term.  p0 = Σr / Σd, p1 = min(s·p0,
 * 0.9999).  The cost of state i at batch t is
 *   σ_i(t) = −(r_t ln p_i + (d_t − r_t) ln(1 − p_i))
 * (the binomial coefficient is the same for both states and left out),
 * moving up from state 0 to state 1 costs γ ln n, moving down is free, and
 * the sequence starts in state 0.  The optimal state sequence (Viterbi; ties
 * prefer state 0) gives `bursting`; `weight` is the weight of the burst the
 * row belongs to, Σ over the burst's batches of σ_0(t) − σ_1(t), and 0 for
 * rows outside bursts.  Rows with a NULL docs or hits get NULL.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/float.h"

#include "result.h"
#include "stats.h"
#include "window.h"

PG_FUNCTION_INFO_V1(term_burst);

#define BURST_P1_MAX	0.9999

/* one row of the partition: its answer */
typedef struct BurstRow
{
	bool		isnull;
	bool		bursting;
	double		weight;
} BurstRow;

/* −(r ln p + (d − r) ln(1 − p)), with 0 · ln 0 = 0 */
static inline double
BurstCost(double r, double d, double p)
{
	double		c = 0.0;

	if (r > 0)
		c -= r * log(p);
	if (d - r > 0)
		c -= (d - r) * log(1.0 - p);
	return c;
}

/*
 * The optimal state sequence of the m batches (d, r) by Viterbi, into q
 * (0 / 1); ties prefer state 0.
 */
static void
BurstViterbi(const double *d, const double *r, int64 m, double p0, double p1, double tau, int8 *q)
{
	int8	   *from0 = palloc_extended(sizeof(int8) * m, MCXT_ALLOC_HUGE);	/* predecessor of state 0 */
	int8	   *from1 = palloc_extended(sizeof(int8) * m, MCXT_ALLOC_HUGE);	/* predecessor of state 1 */
	double		prev0 = 0.0,
				prev1 = get_float8_infinity();
	int64		t;

	for (t = 0; t < m; t++)
	{
		double		up = prev0 + tau;
		double		c0,
					c1;

		if ((t & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		from0[t] = prev1 < prev0 ? 1 : 0;
		from1[t] = prev1 < up ? 1 : 0;
		c0 = (from0[t] ? prev1 : prev0) + BurstCost(r[t], d[t], p0);
		c1 = (from1[t] ? prev1 : up) + BurstCost(r[t], d[t], p1);
		prev0 = c0;
		prev1 = c1;
	}
	q[m - 1] = prev1 < prev0 ? 1 : 0;
	for (t = m - 1; t > 0; t--)
		q[t - 1] = q[t] ? from1[t] : from0[t];
	pfree(from0);
	pfree(from1);
}

/* read the partition, run the model, fill every row's answer */
static void
BurstCompute(MqWindow *w, BurstRow *rows)
{
	int64		n = w->nrows;
	double	   *d = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	double	   *r = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	int64	   *rowof = palloc_extended(sizeof(int64) * n, MCXT_ALLOC_HUGE);
	MqWinConst	sc = MQ_WIN_CONST_INIT,
				gc = MQ_WIN_CONST_INIT;
	double		sd = 0,
				sr = 0;
	int64		m = 0,
				k,
				t;

	for (k = 0; k < n; k++)
	{
		bool		dn,
					hn,
					sn,
					gn;
		double		dk = mq_warg_float8(w, 0, k, &dn),
					hk = mq_warg_float8(w, 1, k, &hn),
					sk = mq_warg_float8(w, 2, k, &sn),
					gk = mq_warg_float8(w, 3, k, &gn);

		CHECK_FOR_INTERRUPTS();
		rows[k].isnull = true;
		if (sn || gn)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("term_burst parameters s and gamma must not be NULL"),
					 errhint("Omit them to use the defaults s = 2, gamma = 1.")));
		if (!sc.have)
		{
			mq_check_finite(sk, "term_burst", "s");
			mq_check_finite(gk, "term_burst", "gamma");
			if (sk <= 1.0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("s must be greater than 1"),
						 errdetail("Got %g.", sk),
						 errhint("s is the ratio of the burst rate to the base rate; Kleinberg uses 2.")));
			if (gk < 0.0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("gamma must not be negative"),
						 errdetail("Got %g.", gk),
						 errhint("gamma scales the cost of entering a burst; Kleinberg uses 1.")));
		}
		mq_window_constant(w, &sc, "s", sk, k);
		mq_window_constant(w, &gc, "gamma", gk, k);
		if (dn || hn)
			continue;
		mq_check_finite(dk, "term_burst", "docs");
		mq_check_finite(hk, "term_burst", "hits");
		if (dk < 0 || hk < 0 || hk > dk)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("hits must be between 0 and docs"),
					 errdetail("Got docs = %g, hits = %g.", dk, hk),
					 errhint("docs counts the documents of a day, hits those that mention the term.")));
		rows[k].isnull = false;
		d[m] = dk;
		r[m] = hk;
		rowof[m] = k;
		sd += dk;
		sr += hk;
		m++;
	}
	if (m > 0 && sr > 0 && sd > 0)
	{
		int8	   *q = palloc_extended(sizeof(int8) * m, MCXT_ALLOC_HUGE);
		double		p0 = sr / sd,
					p1 = Min(sc.value * p0, BURST_P1_MAX);

		BurstViterbi(d, r, m, p0, p1, gc.value * log((double) m), q);
		for (t = 0; t < m;)
		{
			int64		e = t;
			double		wsum = 0.0;

			if (!q[t])
			{
				t++;
				continue;
			}
			while (e < m && q[e])
			{
				wsum += BurstCost(r[e], d[e], p0) - BurstCost(r[e], d[e], p1);
				e++;
			}
			for (; t < e; t++)
			{
				rows[rowof[t]].bursting = true;
				rows[rowof[t]].weight = wsum;
			}
		}
		pfree(q);
	}
	pfree(d);
	pfree(r);
	pfree(rowof);
}

Datum
term_burst(PG_FUNCTION_ARGS)
{
	MqWindow	w;
	BurstRow   *rows = mq_window_begin(fcinfo, sizeof(BurstRow), "term_burst", &w);
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (!w.ready)
	{
		BurstCompute(&w, rows);
		mq_window_ready(&w);
	}
	if (rows[w.cur].isnull)
		PG_RETURN_NULL();
	values[0] = BoolGetDatum(rows[w.cur].bursting);
	values[1] = Float8GetDatum(rows[w.cur].weight);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}
