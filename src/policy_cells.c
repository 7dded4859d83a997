/*
 * policy_cells.c — the estimators of policy effects that group cells of
 * units or categories (SPEC §4):
 *   did(y, treated, post, cluster)                  2×2 DiD, CR1 cluster-robust, t(G−1)
 *   event_study(y, treated, period, cluster [, reference_period])
 *                                                   saturated multi-period DiD, one row per period
 *   content_shift(category, post)                   Jensen–Shannon (bits) and Pearson chi-square
 * The one-series estimators are in policy_series.c.
 *
 * Cell-table state (a portable state of state.h): an open-addressing hash table
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

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "mqhash.h"
#include "result.h"
#include "state.h"
#include "stats.h"

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
					 errmsg("%s: state would exceed %d cells", aggname, CT_MAXSLOTS / 2),
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
	mq_check_finite(y, "did", "y");
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
					 errmsg("did: no rows for the %s group", cellname[c]),
					 errdetail("Rows: control before %.0f, control after %.0f, treated before %.0f, treated after %.0f.",
							   N[0], N[1], N[2], N[3]),
					 errhint("Difference-in-differences needs treated and control units observed both before and after the policy.")));
	if (G < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("did: at least two clusters are needed"),
				 errdetail("All %.0f rows are in one cluster.", ntot),
				 errhint("Cluster by the unit the policy was assigned to (street, district), not by a constant.")));
	if (ntot <= 4)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("did: more than 4 rows are needed"),
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
	mq_check_finite(y, "event_study", "y");
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
 * What event_study_final computes, step by step: the distinct periods, the
 * rows and sums of each (group, period), the parts of the cluster-robust
 * variance.
 */
typedef struct EsTable
{
	int			np;				/* distinct periods */
	int32	   *periods;		/* sorted */
	int			iref;			/* index of the reference period */
	double	   *NT,				/* rows of the treated group, per period */
			   *NC,				/* rows of the control group */
			   *ST,				/* Σy of the treated group */
			   *SC,				/* Σy of the control group */
			   *V;				/* Σ_{g has k} (score_k² − r_g²), per period */
	double		ntot,			/* rows */
				G,				/* clusters */
				K,				/* parameters: non-empty (group, period) cells */
				Vbase;			/* Σ_g r_g² */
} EsTable;

/* The sorted distinct periods of the cells. */
static void
EsPeriods(EsTable *es, const Cell *cells, int ncells)
{
	int			np = 0;

	es->periods = palloc(sizeof(int32) * ncells);
	for (int i = 0; i < ncells; i++)
		es->periods[i] = cells[i].period;
	qsort(es->periods, ncells, sizeof(int32), Int32Cmp);
	for (int i = 0; i < ncells; i++)
		if (np == 0 || es->periods[i] != es->periods[np - 1])
			es->periods[np++] = es->periods[i];
	es->np = np;
}

/* Rows and Σy of each (group, period); rows, clusters and parameters. */
static void
EsGroupSums(EsTable *es, const Cell *cells, int ncells)
{
	int			np = es->np;

	es->NT = palloc0(sizeof(double) * np);
	es->NC = palloc0(sizeof(double) * np);
	es->ST = palloc0(sizeof(double) * np);
	es->SC = palloc0(sizeof(double) * np);
	es->V = palloc0(sizeof(double) * np);
	es->ntot = es->G = es->K = es->Vbase = 0.0;
	for (int i = 0; i < ncells; i++)
	{
		int			pi = PeriodIndex(es->periods, np, cells[i].period);

		if (cells[i].treated)
		{
			es->NT[pi] += cells[i].n;
			es->ST[pi] += cells[i].sum;
		}
		else
		{
			es->NC[pi] += cells[i].n;
			es->SC[pi] += cells[i].sum;
		}
		es->ntot += cells[i].n;
		if (i == 0 || !SameKey(&cells[i], &cells[i - 1]))
			es->G += 1.0;
	}
	for (int p = 0; p < np; p++)
		es->K += (es->NT[p] > 0) + (es->NC[p] > 0);
}

/*
 * Find the reference period; refuse a design that cannot be estimated (no
 * treated or no control rows in the reference period, one cluster, no more
 * rows than parameters).
 */
static void
EsCheckDesign(EsTable *es, int32 ref)
{
	int			iref = -1;

	for (int p = 0; p < es->np; p++)
		if (es->periods[p] == ref)
			iref = p;
	if (iref < 0 || es->NT[iref] == 0 || es->NC[iref] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("event_study: treated and control rows are needed in the reference period %d", ref),
				 errdetail("Rows in period %d: treated %.0f, control %.0f.", ref,
						   iref < 0 ? 0.0 : es->NT[iref], iref < 0 ? 0.0 : es->NC[iref]),
				 errhint("Number periods relative to the policy (−1 = the last period before it), or pass reference_period.")));
	if (es->G < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("event_study: at least two clusters are needed"),
				 errdetail("All %.0f rows are in one cluster.", es->ntot),
				 errhint("Cluster by the unit the policy was assigned to (street, district), not by a constant.")));
	if (es->ntot <= es->K)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("event_study: more rows than its %.0f parameters are needed", es->K),
				 errdetail("Got %.0f rows.", es->ntot),
				 errhint("Add more observations or use fewer periods.")));
	es->iref = iref;
}

/*
 * Cluster scores.  For cluster g, w_T[p] = (S_gTp − n_gTp ȳ_Tp)/N_Tp and
 * likewise w_C; score_k = w_T[k] − w_C[k] − w_T[ref] + w_C[ref].  Periods
 * a cluster lacks have w = 0, so their score is the reference part r_g
 * alone: V_k = Σ_g r_g² + Σ_{g has k} (score_k² − r_g²).  Cells are sorted
 * by cluster (CellLoad), so a cluster is a run of cells.
 */
static void
EsClusterVariance(EsTable *es, const Cell *cells, int ncells)
{
	int			np = es->np,
				iref = es->iref,
				start = 0,
				cid = 0;
	int		   *mark = palloc0(sizeof(int) * np);
	double	   *wT = palloc0(sizeof(double) * np),
			   *wC = palloc0(sizeof(double) * np);

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
			int			pi = PeriodIndex(es->periods, np, cells[i].period);

			if (cells[i].treated)
				wT[pi] = (cells[i].sum - cells[i].n * (es->ST[pi] / es->NT[pi])) / es->NT[pi];
			else
				wC[pi] = (cells[i].sum - cells[i].n * (es->SC[pi] / es->NC[pi])) / es->NC[pi];
		}
		r = -wT[iref] + wC[iref];
		es->Vbase += r * r;
		/* each period once per cluster (a cluster may hold both groups) */
		for (int i = start; i < end; i++)
		{
			int			pi = PeriodIndex(es->periods, np, cells[i].period);
			double		sc;

			if (pi == iref || mark[pi] == cid)
				continue;
			mark[pi] = cid;
			sc = wT[pi] - wC[pi] + r;
			es->V[pi] += sc * sc - r * r;
		}
		for (int i = start; i < end; i++)
		{
			int			pi = PeriodIndex(es->periods, np, cells[i].period);

			wT[pi] = wC[pi] = 0.0;
		}
		start = end;
	}
}

/*
 * One event_study_row per period, in period order: estimate, CR1 se with
 * G/(G−1)·(N−1)/(N−K), p and 95% CI from t(G−1).
 */
static ArrayType *
EsRows(FunctionCallInfo fcinfo, const EsTable *es)
{
	const double *NT = es->NT,
			   *NC = es->NC,
			   *ST = es->ST,
			   *SC = es->SC;
	int			iref = es->iref;
	double		G = es->G,
				factor = G / (G - 1.0) * (es->ntot - 1.0) / (es->ntot - es->K),
				q = TCrit95(G - 1.0);
	MqCompositeArray rows;

	mq_carray_init(&rows, fcinfo);
	for (int p = 0; p < es->np; p++)
	{
		Datum		values[9];
		bool		nulls[9];

		mq_result_nulls(nulls, 9);
		values[0] = Int32GetDatum(es->periods[p]);
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
			double		se = sqrt(Max(0.0, (es->V[p] + es->Vbase) * factor));

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
	return mq_carray_result(&rows);
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
	int			ncells;
	Cell	   *cells;
	bytea	   *s;
	int32		ref;
	EsTable		es;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_EVENT_STUDY, CT_HDR, "event_study");
	ref = mq_get_i32(MQ_STATE_PAYLOAD(s) + CT_REF);
	cells = CellLoad(s, "event_study", &ncells);
	if (ncells == 0)
		PG_RETURN_NULL();
	EsPeriods(&es, cells, ncells);
	EsGroupSums(&es, cells, ncells);
	EsCheckDesign(&es, ref);
	EsClusterVariance(&es, cells, ncells);
	PG_RETURN_ARRAYTYPE_P(EsRows(fcinfo, &es));
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
				 errmsg("content_shift: rows both before and after the policy are needed"),
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

