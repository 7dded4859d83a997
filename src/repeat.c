/*
 * repeat.c — repeat calls (重复来电) as a window function (SPEC §9).
 *
 *   repeat_flag(category_code, t, within) OVER (PARTITION BY caller_id ORDER BY t)
 *     → (is_repeat, followed, prior_gap_days)
 *
 * Within one caller's partition, an order is a repeat when the caller had an
 * order of the same category at a strictly earlier time in (t − within, t);
 * it is followed when the caller has a later order of the same category in
 * (t, t + within]; prior_gap_days is the gap in days to the latest earlier
 * order of the category when the order is a repeat (NULL otherwise).  Orders
 * at the same instant are neither repeats nor followers of each other.
 *
 * First-contact resolution of a group is the share of its non-repeat orders
 * that are not followed; a "false resolution" is an order marked resolved
 * that is followed by a repeat (install/53-class_cases.sql, repeat_kpi()).
 *
 * The caller-aware overload repeat_flag(caller_id, category_code, t, within)
 * makes rows with a NULL caller id non-repeats (false, false, NULL): under
 * PARTITION BY caller_id all anonymous orders share one partition and would
 * otherwise count as one caller.
 *
 * ST_ClusterDBSCAN shape: the partition is read once on its first call,
 * sorted by (category, time) and scanned once; O(n log n), cancellable.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/timestamp.h"

#include "class_cases.h"
#include "mqhash.h"
#include "result.h"
#include "window.h"

PG_FUNCTION_INFO_V1(repeat_flag);
PG_FUNCTION_INFO_V1(repeat_flag_caller);

#define RP_NULL			0x01	/* the row's result is NULL */
#define RP_REPEAT		0x02
#define RP_FOLLOWED		0x04
#define RP_NO_CALLER	0x08	/* NULL caller id: (false, false, NULL) */

typedef struct RpRow
{
	uint8		flags;
	float8		gap_days;
} RpRow;

/* one usable row while sorting: category hash and text, time, position */
typedef struct RpKey
{
	uint64		hash;
	text	   *category;
	int64		t;
	int32		row;
} RpKey;


static int
CompareKeys(const void *a, const void *b)
{
	const RpKey *ka = (const RpKey *) a;
	const RpKey *kb = (const RpKey *) b;
	int			c;

	if (ka->hash != kb->hash)
		return ka->hash < kb->hash ? -1 : 1;
	c = VARSIZE_ANY_EXHDR(ka->category) == VARSIZE_ANY_EXHDR(kb->category)
		? memcmp(VARDATA_ANY(ka->category), VARDATA_ANY(kb->category), VARSIZE_ANY_EXHDR(ka->category))
		: (VARSIZE_ANY_EXHDR(ka->category) < VARSIZE_ANY_EXHDR(kb->category) ? -1 : 1);
	if (c != 0)
		return c;
	if (ka->t != kb->t)
		return ka->t < kb->t ? -1 : 1;
	return (ka->row > kb->row) - (ka->row < kb->row);
}

static bool
SameCategory(const RpKey *a, const RpKey *b)
{
	return a->hash == b->hash &&
		VARSIZE_ANY_EXHDR(a->category) == VARSIZE_ANY_EXHDR(b->category) &&
		memcmp(VARDATA_ANY(a->category), VARDATA_ANY(b->category), VARSIZE_ANY_EXHDR(a->category)) == 0;
}

/*
 * Read the partition (argument offset `off`: 1 for the caller-aware form),
 * then flag every usable row from its neighbours in (category, time) order.
 */
static void
RpCompute(MqWindow *w, int off, RpRow *out)
{
	int64		nrows = w->nrows;
	RpKey	   *keys = palloc(mul_size(Max(nrows, 1), sizeof(RpKey)));
	MqWinConst	c_within = MQ_WIN_CONST_INIT;
	int			n = 0;
	int64		within = 0;

	for (int64 r = 0; r < nrows; r++)
	{
		bool		isnull[4] = {false, false, false, false};
		Datum		wd,
					td,
					cd;
		text	   *cat;

		if ((r & 0x3FF) == 0)
			CHECK_FOR_INTERRUPTS();
		wd = mq_warg_datum(w, off + 2, r, &isnull[off + 2]);
		if (!isnull[off + 2])
		{
			within = mq_interval_usecs(DatumGetIntervalP(wd), "repeat_flag", "within");
			mq_window_constant(w, &c_within, "within", (double) within / USECS_PER_DAY, r);	/* days */
		}
		/* a copy: the window's slot is reused for the next row */
		cd = mq_warg_datum(w, off, r, &isnull[off]);
		cat = isnull[off] ? NULL : (text *) PG_DETOAST_DATUM_COPY(cd);
		td = mq_warg_datum(w, off + 1, r, &isnull[off + 1]);
		if (isnull[off] || isnull[off + 1] || isnull[off + 2])
			continue;
		if (off == 1)
		{
			(void) mq_warg_datum(w, 0, r, &isnull[0]);
			if (isnull[0])
			{
				out[r].flags = RP_NO_CALLER;
				continue;
			}
		}
		if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(td)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("repeat_flag: t must be a finite timestamp"),
					 errhint("Filter out infinite timestamps or turn them into NULL.")));
		keys[n].category = cat;
		keys[n].hash = mq_fnv1a(VARDATA_ANY(cat), VARSIZE_ANY_EXHDR(cat));
		keys[n].t = DatumGetTimestampTz(td);
		keys[n].row = (int32) r;
		out[r].flags = 0;
		n++;
	}
	CHECK_FOR_INTERRUPTS();
	qsort(keys, n, sizeof(RpKey), CompareKeys);
	CHECK_FOR_INTERRUPTS();

	for (int i = 0; i < n; i++)
	{
		RpRow	   *o = &out[keys[i].row];
		int			j;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		/* latest strictly earlier order of the category */
		for (j = i - 1; j >= 0 && SameCategory(&keys[j], &keys[i]) && keys[j].t == keys[i].t; j--)
			;
		if (j >= 0 && SameCategory(&keys[j], &keys[i]) && keys[j].t > keys[i].t - within)
		{
			o->flags |= RP_REPEAT;
			o->gap_days = (double) (keys[i].t - keys[j].t) / (double) USECS_PER_DAY;
		}
		/* earliest strictly later order of the category */
		for (j = i + 1; j < n && SameCategory(&keys[j], &keys[i]) && keys[j].t == keys[i].t; j++)
			;
		if (j < n && SameCategory(&keys[j], &keys[i]) && keys[j].t <= keys[i].t + within)
			o->flags |= RP_FOLLOWED;
	}
}

/* The shared body of both forms: this row's precomputed flags. */
static RpRow *
RpPartitionRow(FunctionCallInfo fcinfo, int off)
{
	MqWindow	w;
	RpRow	   *rows = mq_window_begin(fcinfo, sizeof(RpRow), "repeat_flag", &w);

	if (!w.ready)
	{
		for (int64 i = 0; i < w.nrows; i++)
			rows[i].flags = RP_NULL;
		RpCompute(&w, off, rows);
		mq_window_ready(&w);
	}
	return &rows[w.cur];
}

/* (is_repeat, followed, prior_gap_days) of a row, or NULL */
static Datum
RpResult(FunctionCallInfo fcinfo, RpRow *r)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (r->flags & RP_NULL)
		PG_RETURN_NULL();
	values[0] = BoolGetDatum((r->flags & RP_REPEAT) != 0);
	values[1] = BoolGetDatum((r->flags & RP_FOLLOWED) != 0);
	values[2] = Float8GetDatum(r->gap_days);
	nulls[2] = (r->flags & RP_REPEAT) == 0;
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/* repeat_flag(category_code, t, within) OVER (PARTITION BY caller_id ORDER BY t) */
Datum
repeat_flag(PG_FUNCTION_ARGS)
{
	return RpResult(fcinfo, RpPartitionRow(fcinfo, 0));
}

/* repeat_flag(caller_id, category_code, t, within): NULL callers are no repeats */
Datum
repeat_flag_caller(PG_FUNCTION_ARGS)
{
	return RpResult(fcinfo, RpPartitionRow(fcinfo, 1));
}
