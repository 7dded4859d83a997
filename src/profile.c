/*
 * profile.c — caller profiles (SPEC §9, the typology of seed 004): an
 * aggregate over one pseudonymous caller's orders,
 *
 *   caller_profile(created_at, category_code, geom, satisfied)
 *     → (orders, active_months, first_at, last_at, span_days, categories,
 *        category_entropy, top_category_share, repeat_share,
 *        dissatisfied_share, night_share, distinct_places, caller_type)
 *
 * Features (docs/class_cases.md):
 *   active_months       distinct calendar months with an order (session TimeZone)
 *   category_entropy    Shannon entropy of the category mix, in bits
 *   top_category_share  share of the most frequent category
 *   repeat_share        share of orders that repeat an order of the same
 *                       category in the previous 30 days (repeat_flag's rule)
 *   dissatisfied_share  share of satisfied = false among orders with a
 *                       non-NULL satisfied (NULL when none)
 *   night_share         share of orders at local hours 22:00-05:59
 *   distinct_places     groups of the caller's points linked within 100 m
 *                       (orders without a point are not counted)
 * caller_type is filled by the SQL final function from the rules table
 * minqing.caller_type_rule; this file computes the features.
 *
 * The state keeps one 40-byte record per order (time, 64-bit category hash,
 * x, y, flags), little-endian after a header with the SRID: the repeat and
 * place features are pairwise, so partial states are concatenated and the
 * features computed once at the end, as knox() does.  One caller's orders
 * are few; more than PROFILE_MAX_ORDERS in one group is refused.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "geom.h"
#include "mqhash.h"
#include "neighbors.h"
#include "result.h"
#include "state.h"

PG_FUNCTION_INFO_V1(caller_profile_trans);
PG_FUNCTION_INFO_V1(caller_profile_combine);
PG_FUNCTION_INFO_V1(caller_profile_features);

/*
 * Payload (little-endian):
 *   0  i32  srid
 *   4  i32  flags: bit 0 = srid set
 *   8  i64  n records
 *  16  …    n × (i64 t, i64 category hash, f8 x, f8 y, i32 flags, i32 zero)
 */
#define PF_SRID		0
#define PF_FLAGS	4
#define PF_N		8
#define PF_HDR		16
#define PF_REC		40
#define PF_F_SRID	0x01
/* record flags */
#define PF_R_GEOM	0x01
#define PF_R_SATKNOWN 0x02
#define PF_R_SATISFIED 0x04

#define PROFILE_MAX_ORDERS	1000000
#define PROFILE_WITHIN		((int64) 30 * USECS_PER_DAY)
#define PROFILE_PLACE_M		100.0

/* the state's records (state.h) */
static const MqRecords PfOrders = {MQ_KIND_CALLER_PROFILE, PF_HDR, PF_REC, PF_N, PROFILE_MAX_ORDERS,
"caller_profile", "orders"};

static bytea *
PfCheck(Datum d)
{
	return mq_records_check(d, &PfOrders);
}

static void
PfRefuse(int64 n)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("caller_profile: more than %d orders for one caller", PROFILE_MAX_ORDERS),
			 errdetail("Got %lld.", (long long) n),
			 errhint("Group by caller_id: the aggregate profiles one caller.")));
}

/*
 * caller_profile_trans(state, created_at, category_code, geom, satisfied):
 * rows with a NULL time or category are skipped; a NULL or empty geometry
 * and a NULL satisfied are kept as unknown.
 */
Datum
caller_profile_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *p,
			   *rec;
	int64		n;
	int32		rflags = 0;
	double		x = 0,
				y = 0;
	text	   *cat;
	uint64		h;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(1)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("caller_profile: created_at must be a finite timestamp"),
				 errhint("Filter out infinite timestamps or turn them into NULL.")));
	s = mq_state_for_update(fcinfo, 0, MQ_KIND_CALLER_PROFILE, PF_HDR + 8 * PF_REC, PF_HDR, "caller_profile");
	if (!PG_ARGISNULL(0))
		s = PfCheck(PointerGetDatum(s));
	p = MQ_STATE_PAYLOAD(s);
	if (!PG_ARGISNULL(3))
	{
		MqPoint		pt;

		if (mq_point_read(PG_GETARG_DATUM(3), &pt, "caller_profile") == MQ_POINT_OK)
		{
			mq_state_srid_add(p, PF_SRID, PF_FLAGS, PF_F_SRID, pt.srid, "caller_profile");
			x = pt.x;
			y = pt.y;
			rflags |= PF_R_GEOM;
		}
	}
	if (!PG_ARGISNULL(4))
		rflags |= PF_R_SATKNOWN | (PG_GETARG_BOOL(4) ? PF_R_SATISFIED : 0);
	cat = PG_GETARG_TEXT_PP(2);
	h = mq_fnv1a(VARDATA_ANY(cat), VARSIZE_ANY_EXHDR(cat));

	n = mq_get_i64(p + PF_N);
	if (n >= PROFILE_MAX_ORDERS)
		PfRefuse(n + 1);
	rec = mq_records_add(&s, &PfOrders);
	mq_put_i64(rec, PG_GETARG_TIMESTAMPTZ(1));
	mq_put_i64(rec + 8, (int64) h);
	mq_put_f8(rec + 16, x);
	mq_put_f8(rec + 24, y);
	mq_put_i32(rec + 32, rflags);
	mq_put_i32(rec + 36, 0);
	PG_RETURN_BYTEA_P(s);
}

/* Before caller_profile_combine appends b's orders to a's: SRID, the limit. */
static void
PfMerge(bytea *a, const bytea *b)
{
	char	   *pa = MQ_STATE_PAYLOAD(a);
	const char *pb = MQ_STATE_PAYLOAD(b);
	int64		total = mq_get_i64(pa + PF_N) + mq_get_i64(pb + PF_N);

	mq_state_srid_combine(pa, pb, PF_SRID, PF_FLAGS, PF_F_SRID, "caller_profile");
	if (total > PROFILE_MAX_ORDERS)
		PfRefuse(total);
}

/* caller_profile_combine(a, b): a's records followed by b's */
Datum
caller_profile_combine(PG_FUNCTION_ARGS)
{
	return mq_records_combine(fcinfo, &PfOrders, PfMerge);
}

typedef struct PfRec
{
	int64		t;
	uint64		cat;
	double		x,
				y;
	int32		flags;
} PfRec;

static int
CompareCatTime(const void *a, const void *b)
{
	const PfRec *ra = (const PfRec *) a;
	const PfRec *rb = (const PfRec *) b;

	if (ra->cat != rb->cat)
		return ra->cat < rb->cat ? -1 : 1;
	return (ra->t > rb->t) - (ra->t < rb->t);
}

static int
CompareInt(const void *a, const void *b)
{
	int			x = *(const int *) a,
				y = *(const int *) b;

	return (x > y) - (x < y);
}

static int32
UfFind(int32 *parent, int32 i)
{
	while (parent[i] != i)
	{
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/* groups of points linked within PROFILE_PLACE_M meters (or CRS units) */
static int
DistinctPlaces(PfRec *r, int n, int32 srid)
{
	double	   *x = palloc(mul_size(Max(n, 1), sizeof(double)));
	double	   *y = palloc(mul_size(Max(n, 1), sizeof(double)));
	int32	   *parent = palloc(mul_size(Max(n, 1), sizeof(int32)));
	int32	   *buf = NULL;
	int			cap = 0,
				m = 0,
				groups = 0;
	MqNeighborIndex *ix;

	for (int i = 0; i < n; i++)
		if (r[i].flags & PF_R_GEOM)
		{
			x[m] = r[i].x;
			y[m] = r[i].y;
			parent[m] = m;
			m++;
		}
	if (m == 0)
		return 0;
	if (mq_srid_is_geographic(srid))
		mq_to_local_meters(x, y, m, MQ_CENTRE_MEAN, 0, 0, srid, NULL, "caller_profile");
	ix = mq_nb_build(x, y, m, PROFILE_PLACE_M);
	for (int i = 0; i < m; i++)
	{
		int			k = mq_nb_within(ix, x[i], y[i], &buf, &cap);

		CHECK_FOR_INTERRUPTS();
		for (int j = 0; j < k; j++)
		{
			int32		a = UfFind(parent, i),
						b = UfFind(parent, buf[j]);

			if (a != b)
				parent[Max(a, b)] = Min(a, b);
		}
	}
	mq_nb_free(ix);
	for (int i = 0; i < m; i++)
		if (UfFind(parent, i) == i)
			groups++;
	return groups;
}

/*
 * caller_profile_features(state): the composite without caller_type (the
 * SQL final function caller_profile_final adds it from the rules table).
 * NULL state (no usable order): NULL.
 */
Datum
caller_profile_features(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *p;
	int64		n;
	PfRec	   *r;
	Datum		values[13];
	bool		nulls[13] = {0};
	int			ncat = 0,
				top = 0,
				run = 0,
				repeats = 0,
				satknown = 0,
				dissatisfied = 0,
				night = 0,
				months = 0;
	int		   *month;
	double		entropy = 0;
	int64		tmin,
				tmax;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = PfCheck(PG_GETARG_DATUM(0));
	p = MQ_STATE_PAYLOAD(s);
	n = mq_get_i64(p + PF_N);
	if (n == 0)
		PG_RETURN_NULL();
	r = palloc(mul_size(n, sizeof(PfRec)));
	month = palloc(mul_size(n, sizeof(int)));
	for (int64 i = 0; i < n; i++)
	{
		const char *rec = p + PF_HDR + i * PF_REC;

		r[i].t = mq_get_i64(rec);
		r[i].cat = (uint64) mq_get_i64(rec + 8);
		r[i].x = mq_get_f8(rec + 16);
		r[i].y = mq_get_f8(rec + 24);
		r[i].flags = mq_get_i32(rec + 32);
	}
	qsort(r, n, sizeof(PfRec), CompareCatTime);
	tmin = tmax = r[0].t;
	for (int64 i = 0; i < n; i++)
	{
		struct pg_tm tm;
		fsec_t		fsec;
		int			tz;

		tmin = Min(tmin, r[i].t);
		tmax = Max(tmax, r[i].t);
		/* category runs: entropy, top share; repeats within the run */
		if (i == 0 || r[i].cat != r[i - 1].cat)
		{
			if (run > 0)
			{
				entropy -= (double) run / n * log2((double) run / n);
				top = Max(top, run);
			}
			run = 0;
			ncat++;
		}
		else
		{
			int64		j = i - 1;

			while (j >= 0 && r[j].cat == r[i].cat && r[j].t == r[i].t)
				j--;
			if (j >= 0 && r[j].cat == r[i].cat && r[j].t > r[i].t - PROFILE_WITHIN)
				repeats++;
		}
		run++;
		if (r[i].flags & PF_R_SATKNOWN)
		{
			satknown++;
			if (!(r[i].flags & PF_R_SATISFIED))
				dissatisfied++;
		}
		if (timestamp2tm(r[i].t, &tz, &tm, &fsec, NULL, NULL) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("caller_profile: timestamp out of range")));
		if (tm.tm_hour >= 22 || tm.tm_hour < 6)
			night++;
		month[i] = tm.tm_year * 12 + tm.tm_mon;
	}
	entropy -= (double) run / n * log2((double) run / n);
	top = Max(top, run);
	qsort(month, n, sizeof(int), CompareInt);
	for (int64 i = 0; i < n; i++)
		if (i == 0 || month[i] != month[i - 1])
			months++;

	values[0] = Int64GetDatum(n);
	values[1] = Int32GetDatum(months);
	values[2] = TimestampTzGetDatum(tmin);
	values[3] = TimestampTzGetDatum(tmax);
	values[4] = Float8GetDatum((double) (tmax - tmin) / USECS_PER_DAY);
	values[5] = Int32GetDatum(ncat);
	values[6] = Float8GetDatum(entropy < 1e-12 ? 0.0 : entropy);
	values[7] = Float8GetDatum((double) top / n);
	values[8] = Float8GetDatum((double) repeats / n);
	values[9] = Float8GetDatum(satknown > 0 ? (double) dissatisfied / satknown : 0);
	nulls[9] = satknown == 0;
	values[10] = Float8GetDatum((double) night / n);
	values[11] = Int32GetDatum(DistinctPlaces(r, (int) n, mq_get_i32(p + PF_SRID)));
	nulls[12] = true;			/* caller_type: from the rules, in SQL */
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}
