/*
 * density_bandwidth.c — kde_bandwidth(geom) (SPEC §3), ArcGIS's default
 * search radius for kernel density.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "density.h"
#include "geom.h"
#include "state.h"

#define KBW_SRID	0
#define KBW_FLAGS	4
#define KBW_N		8
#define KBW_HDR		16

static bytea *
KbwCheck(Datum d)
{
	bytea	   *s = mq_state_check(d, MQ_KIND_KDE_BANDWIDTH, KBW_HDR, "kde_bandwidth");
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int64		n = mq_get_i64(pl + KBW_N);

	if (n < 0 || (Size) mq_state_used(s) != KBW_HDR + (Size) n * 16 ||
		!(mq_get_i32(pl + KBW_FLAGS) & KDE_F_INIT))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kde_bandwidth state"),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	return s;
}

/* kde_bandwidth_trans(state, geom): keep one point (NULL / EMPTY skipped) */
PG_FUNCTION_INFO_V1(kde_bandwidth_trans);
Datum
kde_bandwidth_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *pl;
	MqPoint		pt;
	uint32		used;

	if (PG_ARGISNULL(1) ||
		mq_point_read(PG_GETARG_DATUM(1), &pt, "kde_bandwidth") == MQ_POINT_EMPTY)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
	{
		s = mq_state_for_update(fcinfo, 0, MQ_KIND_KDE_BANDWIDTH, KBW_HDR + 64 * 16, KBW_HDR, "kde_bandwidth");
		pl = MQ_STATE_PAYLOAD(s);
		mq_put_i32(pl + KBW_SRID, pt.srid);
		mq_put_i32(pl + KBW_FLAGS, KDE_F_INIT | (mq_srid_is_geographic(pt.srid) ? KDE_F_GEO : 0));
	}
	else
	{
		s = mq_state_for_update(fcinfo, 0, MQ_KIND_KDE_BANDWIDTH, 0, 0, "kde_bandwidth");
		pl = MQ_STATE_PAYLOAD(s);
		if (mq_state_used(s) < KBW_HDR)
			KbwCheck(PointerGetDatum(s));
		if (mq_get_i32(pl + KBW_SRID) != pt.srid)
		{
			int32		first = mq_get_i32(pl + KBW_SRID);
			bool		have = true;

			mq_srid_check(pt.srid, &first, &have, "kde_bandwidth");
		}
	}
	used = mq_state_used(s);
	if (used + 16 > MQ_STATE_CAPACITY(s))
	{
		s = mq_state_reserve(s, (Size) used + 16, "kde_bandwidth");
		pl = MQ_STATE_PAYLOAD(s);
	}
	mq_put_f8(pl + used, pt.x);
	mq_put_f8(pl + used + 8, pt.y);
	mq_state_set_used(s, used + 16);
	mq_put_i64(pl + KBW_N, mq_get_i64(pl + KBW_N) + 1);
	PG_RETURN_BYTEA_P(s);
}

/* kde_bandwidth_combine(a, b): append b's points to a (same SRID) */
PG_FUNCTION_INFO_V1(kde_bandwidth_combine);
Datum
kde_bandwidth_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_KDE_BANDWIDTH, KBW_HDR, "kde_bandwidth", &done);
	bytea	   *b;
	char	   *pa,
			   *pb;
	uint32		ua,
				ub;

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		KbwCheck(PointerGetDatum(a));
		PG_RETURN_BYTEA_P(a);
	}
	a = KbwCheck(PointerGetDatum(a));
	b = KbwCheck(PG_GETARG_DATUM(1));
	pb = MQ_STATE_PAYLOAD(b);
	pa = MQ_STATE_PAYLOAD(a);
	if (mq_get_i32(pa + KBW_SRID) != mq_get_i32(pb + KBW_SRID))
	{
		int32		first = mq_get_i32(pa + KBW_SRID);
		bool		have = true;

		mq_srid_check(mq_get_i32(pb + KBW_SRID), &first, &have, "kde_bandwidth");
	}
	ua = mq_state_used(a);
	ub = mq_state_used(b);
	a = mq_state_reserve(a, (Size) ua + ub - KBW_HDR, "kde_bandwidth");
	pa = MQ_STATE_PAYLOAD(a);
	memcpy(pa + ua, pb + KBW_HDR, ub - KBW_HDR);
	mq_state_set_used(a, ua + ub - KBW_HDR);
	mq_put_i64(pa + KBW_N, mq_get_i64(pa + KBW_N) + mq_get_i64(pb + KBW_N));
	PG_RETURN_BYTEA_P(a);
}

/* k-th smallest of v[0..n-1] (0-based); reorders v (Hoare quickselect) */
static double
SelectKth(double *v, int64 n, int64 k)
{
	int64		lo = 0,
				hi = n - 1;

	while (lo < hi)
	{
		double		pivot = v[lo + (hi - lo) / 2];
		int64		i = lo,
					j = hi;

		CHECK_FOR_INTERRUPTS();
		while (i <= j)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
			{
				double		t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/*
 * kde_bandwidth_final(state): NULL for empty input and when the rule gives
 * 0 (all points identical, or more than half of them on the mean centre).
 * Geographic input is projected to a transverse Mercator centred on the
 * mean, so the answer is in meters.
 */
PG_FUNCTION_INFO_V1(kde_bandwidth_final);
Datum
kde_bandwidth_final(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *pl;
	int64		n;
	double	   *x,
			   *y,
			   *d;
	double		mx = 0,
				my = 0,
				ss = 0,
				sd,
				dm,
				h;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = KbwCheck(PG_GETARG_DATUM(0));
	pl = MQ_STATE_PAYLOAD(s);
	n = mq_get_i64(pl + KBW_N);
	if (n == 0)
		PG_RETURN_NULL();
	x = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	y = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	d = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	for (int64 k = 0; k < n; k++)
	{
		x[k] = mq_get_f8(pl + KBW_HDR + 16 * k);
		y[k] = mq_get_f8(pl + KBW_HDR + 16 * k + 8);
		mx += x[k];
		my += y[k];
	}
	mx /= n;
	my /= n;
	if (mq_get_i32(pl + KBW_FLAGS) & KDE_F_GEO)
	{
		/* centred on the mean just computed */
		mq_to_local_meters(x, y, n, MQ_CENTRE_MEAN, 0, 0, mq_get_i32(pl + KBW_SRID), NULL,
						   "kde_bandwidth");
		mx = my = 0;
		for (int64 k = 0; k < n; k++)
		{
			mx += x[k];
			my += y[k];
		}
		mx /= n;
		my /= n;
	}
	for (int64 k = 0; k < n; k++)
	{
		double		dx = x[k] - mx,
					dy = y[k] - my;

		ss += dx * dx + dy * dy;
		d[k] = sqrt(dx * dx + dy * dy);
	}
	sd = sqrt(ss / n);
	if (n % 2 == 1)
		dm = SelectKth(d, n, n / 2);
	else
	{
		double		hi = SelectKth(d, n, n / 2);
		double		lo = d[0];

		/* after selection d[0 .. n/2-1] are <= hi: the largest of them */
		for (int64 k = 1; k < n / 2; k++)
			lo = Max(lo, d[k]);
		dm = (lo + hi) / 2;
	}
	h = 0.9 * Min(sd, sqrt(1.0 / log(2.0)) * dm) * pow((double) n, -0.2);
	if (!(h > 0))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(h);
}
