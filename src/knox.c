/*
 * knox.c — the Knox test for space-time interaction as an aggregate
 * (SPEC §9):
 *
 *   knox(geom, t, eps, eps_time) → (n, pairs, close_space, close_time,
 *                                   observed, expected, ratio, p)
 *
 * Over the n(n−1)/2 pairs of points: close_space counts the pairs within eps
 * (planar distance; meters for lon/lat), close_time those with |Δt| <=
 * eps_time, observed (X) those close in both; expected E = close_space ×
 * close_time / pairs, as R surveillance::knox; ratio = X / E and
 * p = P(Poisson(E) >= X).  (surveillance reports P(Poisson(E) > X); the
 * SPEC counts X itself, which is the usual one-sided test.)
 *
 * How a pairwise statistic combines.  The three counts are sums over pairs,
 * and a pair may have one point in each partial state, so partial counts do
 * not add.  The state therefore keeps the points themselves — 24 bytes each
 * (x, y as float8, t as int64 microseconds, little-endian) after a header
 * with eps, eps_time and the SRID — and the combine function concatenates
 * two states.  The final function counts the pairs once over all points:
 *   close_time  two pointers over the sorted times, O(n log n);
 *   close_space the planar grid of neighbors.c, O(n + close pairs);
 *   observed    the space-time grid (time-sorted buckets), O(n + close pairs).
 * No pair is ever enumerated unless it is close, so sparse data is never
 * quadratic.  The state is bounded: at most minqing.cluster_max_points
 * points (default 5,000,000: 120 MB); a larger input is refused with the
 * limit in the message.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "class_cases.h"
#include "geom.h"
#include "guc.h"
#include "neighbors.h"
#include "result.h"
#include "state.h"
#include "stats.h"

PG_FUNCTION_INFO_V1(knox_trans);
PG_FUNCTION_INFO_V1(knox_combine);
PG_FUNCTION_INFO_V1(knox_final);

/*
 * Payload layout (little-endian):
 *   0  f8   eps        } per-call constants (state.h: mq_state_constants,
 *   8  f8   eps_time   }   header flag MQ_STATE_F_CONSTANTS); microseconds
 *  16  i32  srid
 *  20  i32  flags: bit 0 = srid set (the first non-empty point seen)
 *  24  i64  n points
 *  32  …    n × (f8 x, f8 y, i64 t)
 */
#define KX_EPS		0
#define KX_ET		8
#define KX_SRID		16
#define KX_FLAGS	20
#define KX_N		24
#define KX_HDR		32
#define KX_POINT	24
#define KX_F_SRID	0x01

/* Hard ceiling of the state's point count (the setting is at most this). */
#define KNOX_MAX_POINTS		7000000

static void
KxRefuse(int64 n)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("knox: more than minqing.cluster_max_points = %d points in one group", mq_cluster_max_points),
			 errdetail("The state keeps every point (24 bytes each) so that partial states combine exactly; got %lld.",
					   (long long) n),
			 errhint("Group by category or period, or raise minqing.cluster_max_points (at most %d).", KNOX_MAX_POINTS)));
}

/* the state's records (state.h) */
static const MqRecords KxPoints = {MQ_KIND_KNOX, KX_HDR, KX_POINT, KX_N, KNOX_MAX_POINTS, "knox", "points"};

/* validate a knox state: kind, sizes, n consistent with the bytes used */
static bytea *
KxCheck(Datum d)
{
	return mq_records_check(d, &KxPoints);
}

/*
 * knox_trans(state, geom, t, eps, eps_time): append the point.  Rows with a
 * NULL argument or POINT EMPTY are skipped; eps and eps_time must be
 * constant.
 */
Datum
knox_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *p;
	MqPoint		pt;
	double		eps;
	int64		et,
				n;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	eps = PG_GETARG_FLOAT8(3);
	mq_check_positive_finite(eps, "knox", "eps", MQ_HINT_LENGTH);
	et = mq_interval_usecs(PG_GETARG_INTERVAL_P(4), "knox", "eps_time");
	if (TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(2)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("knox: t must be a finite timestamp"),
				 errhint("Filter out infinite timestamps or turn them into NULL.")));

	s = mq_state_for_update(fcinfo, 0, MQ_KIND_KNOX, KX_HDR + 64 * KX_POINT, KX_HDR, "knox");
	if (!PG_ARGISNULL(0))
		s = KxCheck(PointerGetDatum(s));
	{
		MqStateConst c[] = {{"eps", MQ_CONST_F8, KX_EPS, eps},
		{"eps_time", MQ_CONST_F8, KX_ET, (double) et}};

		mq_state_constants(s, c, 2, "knox");
	}
	if (mq_point_read(PG_GETARG_DATUM(1), &pt, "knox") == MQ_POINT_EMPTY)
		PG_RETURN_BYTEA_P(s);
	p = MQ_STATE_PAYLOAD(s);
	mq_state_srid_add(p, KX_SRID, KX_FLAGS, KX_F_SRID, pt.srid, "knox");
	n = mq_get_i64(p + KX_N);
	if (n >= mq_cluster_max_points)
		KxRefuse(n + 1);
	p = mq_records_add(&s, &KxPoints);
	mq_put_f8(p, pt.x);
	mq_put_f8(p + 8, pt.y);
	mq_put_i64(p + 16, PG_GETARG_TIMESTAMPTZ(2));
	PG_RETURN_BYTEA_P(s);
}

/* Before knox_combine appends b's points to a's: constants, SRID, the limit. */
static void
KxMerge(bytea *a, const bytea *b)
{
	MqStateConst c[] = {{"eps", MQ_CONST_F8, KX_EPS, 0}, {"eps_time", MQ_CONST_F8, KX_ET, 0}};
	char	   *pa = MQ_STATE_PAYLOAD(a);
	const char *pb = MQ_STATE_PAYLOAD(b);
	int64		total = mq_get_i64(pa + KX_N) + mq_get_i64(pb + KX_N);

	mq_state_combine_constants(a, b, c, 2, "knox");
	mq_state_srid_combine(pa, pb, KX_SRID, KX_FLAGS, KX_F_SRID, "knox");
	if (total > mq_cluster_max_points)
		KxRefuse(total);
}

/* knox_combine(a, b): a's points followed by b's; the constants must agree. */
Datum
knox_combine(PG_FUNCTION_ARGS)
{
	return mq_records_combine(fcinfo, &KxPoints, KxMerge);
}

static int
CompareInt64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* pairs with |Δt| <= et: two pointers over the sorted times */
static double
KxCloseTime(const int64 *t, int n, int64 et)
{
	int64	   *s = palloc(mul_size(Max(n, 1), sizeof(int64)));
	double		pairs = 0;
	int			lo = 0;

	memcpy(s, t, (Size) n * sizeof(int64));
	qsort(s, n, sizeof(int64), CompareInt64);
	CHECK_FOR_INTERRUPTS();
	for (int i = 0; i < n; i++)
	{
		while (s[i] - s[lo] > et)
			lo++;
		pairs += i - lo;
	}
	pfree(s);
	return pairs;
}

/* pairs counted by a neighbour query per point: (Σ|N(i)| − n) / 2 */
static double
KxClosePairs(const double *x, const double *y, const int64 *t, int n, double eps, int64 et, bool timed)
{
	int32	   *buf = NULL;
	int			cap = 0;
	double		sum = 0;
	int64		work = 0;

	if (timed)
	{
		MqSTNeighborIndex *ix = mq_stnb_build(x, y, t, n, eps, et);
		const int32 *order = mq_stnb_order(ix);

		for (int q = 0; q < n; q++)
		{
			int			i = order[q];
			int			k = mq_stnb_within(ix, x[i], y[i], t[i], &buf, &cap);

			sum += k - 1;
			if ((work += k + 1) > (1 << 20))
			{
				work = 0;
				CHECK_FOR_INTERRUPTS();
			}
		}
		mq_stnb_free(ix);
	}
	else
	{
		MqNeighborIndex *ix = mq_nb_build(x, y, n, eps);
		const int32 *order = mq_nb_order(ix);

		for (int q = 0; q < n; q++)
		{
			int			i = order[q];
			int			k = mq_nb_within(ix, x[i], y[i], &buf, &cap);

			sum += k - 1;
			if ((work += k + 1) > (1 << 20))
			{
				work = 0;
				CHECK_FOR_INTERRUPTS();
			}
		}
		mq_nb_free(ix);
	}
	if (buf)
		pfree(buf);
	return sum / 2.0;
}

/*
 * knox_final(state): the composite.  Fewer than 2 points (empty input
 * included): n, zero counts and NULL expected, ratio, p.  E = 0 (no pair
 * close in space or none in time): ratio NULL, p = 1.
 */
Datum
knox_final(PG_FUNCTION_ARGS)
{
	Datum		values[8];
	bool		nulls[8] = {false, false, false, false, false, false, false, false};
	int64		n = 0;

	if (!PG_ARGISNULL(0))
	{
		bytea	   *s = KxCheck(PG_GETARG_DATUM(0));
		char	   *p = MQ_STATE_PAYLOAD(s);

		n = mq_get_i64(p + KX_N);
		if (n >= 2)
		{
			double	   *x = palloc(mul_size(n, sizeof(double)));
			double	   *y = palloc(mul_size(n, sizeof(double)));
			int64	   *t = palloc(mul_size(n, sizeof(int64)));
			double		eps = mq_get_f8(p + KX_EPS);
			int64		et = (int64) mq_get_f8(p + KX_ET);
			double		pairs = (double) n * (double) (n - 1) / 2.0,
						cs,
						ct,
						obs,
						ex;

			for (int64 i = 0; i < n; i++)
			{
				x[i] = mq_get_f8(p + KX_HDR + i * KX_POINT);
				y[i] = mq_get_f8(p + KX_HDR + i * KX_POINT + 8);
				t[i] = mq_get_i64(p + KX_HDR + i * KX_POINT + 16);
			}
			if (mq_srid_is_geographic(mq_get_i32(p + KX_SRID)))
				mq_to_local_meters(x, y, n, MQ_CENTRE_MEAN, 0, 0, mq_get_i32(p + KX_SRID), NULL, "knox");
			ct = KxCloseTime(t, (int) n, et);
			cs = KxClosePairs(x, y, t, (int) n, eps, et, false);
			obs = KxClosePairs(x, y, t, (int) n, eps, et, true);
			ex = cs * ct / pairs;
			values[1] = Float8GetDatum(pairs);
			values[2] = Float8GetDatum(cs);
			values[3] = Float8GetDatum(ct);
			values[4] = Float8GetDatum(obs);
			values[5] = Float8GetDatum(ex);
			values[6] = Float8GetDatum(ex > 0 ? obs / ex : 0);
			nulls[6] = !(ex > 0);
			/* P(Poisson(E) >= X) = P(Gamma(X, 1) <= E); 1 when X = 0 */
			values[7] = Float8GetDatum(obs < 1 ? 1.0 : mq_inc_gamma_p(obs, ex));
		}
	}
	values[0] = Int64GetDatum(n);
	if (n < 2)
	{
		/* no pairs: the counts are 0, the statistics NULL */
		for (int i = 1; i < 5; i++)
			values[i] = Float8GetDatum(0);
		for (int i = 5; i < 8; i++)
			nulls[i] = true;
	}
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}
