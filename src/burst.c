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

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "stats.h"

PG_FUNCTION_INFO_V1(term_burst);

#define BURST_P1_MAX	0.9999

typedef struct BurstPartition
{
	bool		computed;
	int64		nrows;
	/* per row: -1 NULL result, 0 / 1 state; weight of its burst */
	int8	   *state;
	double	   *weight;
} BurstPartition;

static double
BurstArg(WindowObject winobj, int argno, int64 row, bool *isnull)
{
	Datum		d = WinGetFuncArgInPartition(winobj, argno, row, WINDOW_SEEK_HEAD, false, isnull, NULL);

	return *isnull ? 0.0 : DatumGetFloat8(d);
}

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

static void
BurstCompute(WindowObject winobj, BurstPartition *part)
{
	int64		n = WinGetPartitionRowCount(winobj);
	double	   *d = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
	double	   *r = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
	int64	   *rowof = palloc_extended(sizeof(int64) * Max(n, 1), MCXT_ALLOC_HUGE);
	double		s = 0,
				gamma = 0,
				sd = 0,
				sr = 0,
				p0,
				p1,
				tau;
	int64		m = 0,
				k,
				t;
	bool		have_params = false;
	MemoryContext pcxt = GetMemoryChunkContext(part);

	part->nrows = n;
	part->state = MemoryContextAllocHuge(pcxt, sizeof(int8) * Max(n, 1));
	part->weight = MemoryContextAllocHuge(pcxt, sizeof(double) * Max(n, 1));
	for (k = 0; k < n; k++)
	{
		bool		dn,
					hn,
					sn,
					gn;
		double		dk = BurstArg(winobj, 0, k, &dn),
					hk = BurstArg(winobj, 1, k, &hn),
					sk = BurstArg(winobj, 2, k, &sn),
					gk = BurstArg(winobj, 3, k, &gn);

		CHECK_FOR_INTERRUPTS();
		part->state[k] = -1;
		part->weight[k] = 0.0;
		if (sn || gn)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("term_burst parameters s and gamma must not be NULL"),
					 errhint("Omit them to use the defaults s = 2, gamma = 1.")));
		if (!have_params)
		{
			mq_check_finite(sk, "s");
			mq_check_finite(gk, "gamma");
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
			s = sk;
			gamma = gk;
			have_params = true;
		}
		else if (sk != s || gk != gamma)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("term_burst parameters must be the same on every row of a partition"),
					 errhint("Pass constants for s and gamma.")));
		if (dn || hn)
			continue;
		mq_check_finite(dk, "docs");
		mq_check_finite(hk, "hits");
		if (dk < 0 || hk < 0 || hk > dk)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("hits must be between 0 and docs"),
					 errdetail("Got docs = %g, hits = %g.", dk, hk),
					 errhint("docs counts the documents of a day, hits those that mention the term.")));
		d[m] = dk;
		r[m] = hk;
		rowof[m] = k;
		sd += dk;
		sr += hk;
		m++;
	}
	if (m > 0 && sr > 0 && sd > 0)
	{
		double	   *c0 = palloc_extended(sizeof(double) * m, MCXT_ALLOC_HUGE);
		double	   *c1 = palloc_extended(sizeof(double) * m, MCXT_ALLOC_HUGE);
		int8	   *from0 = palloc_extended(sizeof(int8) * m, MCXT_ALLOC_HUGE);	/* predecessor of state 0 */
		int8	   *from1 = palloc_extended(sizeof(int8) * m, MCXT_ALLOC_HUGE);	/* predecessor of state 1 */
		int8	   *q = palloc_extended(sizeof(int8) * m, MCXT_ALLOC_HUGE);
		double		prev0 = 0.0,
					prev1 = get_float8_infinity();

		p0 = sr / sd;
		p1 = Min(s * p0, BURST_P1_MAX);
		tau = gamma * log((double) m);
		for (t = 0; t < m; t++)
		{
			double		up = prev0 + tau;

			CHECK_FOR_INTERRUPTS();
			from0[t] = prev1 < prev0 ? 1 : 0;
			from1[t] = prev1 < up ? 1 : 0;
			c0[t] = (from0[t] ? prev1 : prev0) + BurstCost(r[t], d[t], p0);
			c1[t] = (from1[t] ? prev1 : up) + BurstCost(r[t], d[t], p1);
			prev0 = c0[t];
			prev1 = c1[t];
		}
		q[m - 1] = c1[m - 1] < c0[m - 1] ? 1 : 0;
		for (t = m - 1; t > 0; t--)
			q[t - 1] = q[t] ? from1[t] : from0[t];
		for (t = 0; t < m;)
		{
			int64		e = t;
			double		w = 0.0;

			if (!q[t])
			{
				part->state[rowof[t]] = 0;
				t++;
				continue;
			}
			while (e < m && q[e])
			{
				w += BurstCost(r[e], d[e], p0) - BurstCost(r[e], d[e], p1);
				e++;
			}
			for (; t < e; t++)
			{
				part->state[rowof[t]] = 1;
				part->weight[rowof[t]] = w;
			}
		}
		pfree(c0);
		pfree(c1);
		pfree(from0);
		pfree(from1);
		pfree(q);
	}
	else
		for (t = 0; t < m; t++)
			part->state[rowof[t]] = 0;
	pfree(d);
	pfree(r);
	pfree(rowof);
	part->computed = true;
}

Datum
term_burst(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	BurstPartition *part = (BurstPartition *) WinGetPartitionLocalMemory(winobj, sizeof(BurstPartition));
	int64		row = WinGetCurrentPosition(winobj);
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (!part->computed)
		BurstCompute(winobj, part);
	if (row < 0 || row >= part->nrows || part->state[row] < 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = BoolGetDatum(part->state[row] == 1);
	values[1] = Float8GetDatum(part->weight[row]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
