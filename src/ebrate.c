/*
 * ebrate.c — Empirical Bayes smoothed rates (SPEC §2), window functions in
 * the PostGIS ST_ClusterDBSCAN style: on the partition's first call every
 * row is read once, all answers are computed into partition-local memory,
 * and each call returns its row's answer.
 *
 *   eb_rate(events, population)   global Marshall (1991) estimator,
 *                                 as R spdep's EBest (family "poisson")
 *   eb_rate_local(events, population, geom, distance)
 *                                 local Marshall estimator over the rows
 *                                 within `distance` (the row itself
 *                                 included), as spdep's EBlocal(geoda =
 *                                 TRUE) with dnearneigh(0, distance)
 *
 * A row with NULL events, NULL or non-positive population (or, for the local
 * form, a NULL or empty geometry) gets NULL and takes no part in the sums.
 * Negative events and non-finite inputs are errors.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "windowapi.h"

#include "geom.h"
#include "stats.h"

/*
 * Partition-local memory: one block sized by the row count (allocated and
 * zeroed by WinGetPartitionLocalMemory on the partition's first call).
 */
typedef struct EbPartition
{
	bool		computed;
	int64		nrows;
	double		result[FLEXIBLE_ARRAY_MEMBER];	/* NaN marks a NULL result */
} EbPartition;

static EbPartition *
GetPartition(WindowObject winobj)
{
	int64		n = WinGetPartitionRowCount(winobj);
	Size		sz = add_size(offsetof(EbPartition, result), mul_size(sizeof(double), (Size) n));

	return (EbPartition *) WinGetPartitionLocalMemory(winobj, sz);
}

static double
GetEbArg(WindowObject winobj, int argno, int64 row, bool *isnull)
{
	Datum		d = WinGetFuncArgInPartition(winobj, argno, row, WINDOW_SEEK_HEAD,
											 false, isnull, NULL);

	return *isnull ? 0.0 : DatumGetFloat8(d);
}

/* Reads events / population of a row; false when the row does not count. */
static bool
ReadEventsPopulation(WindowObject winobj, int64 row, double *o, double *p)
{
	bool		on,
				pn;

	*o = GetEbArg(winobj, 0, row, &on);
	*p = GetEbArg(winobj, 1, row, &pn);
	if (!on)
		mq_check_finite(*o, "events");
	if (!pn)
		mq_check_finite(*p, "population");
	if (!on && *o < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("events must not be negative"),
				 errdetail("Got %g.", *o),
				 errhint("Pass counts of events (0 or more).")));
	return !on && !pn && *p > 0;
}

/*
 * Marshall's estimate for one row: EB = m + a / (a + m / P) · (r − m),
 * with a clamped at 0; when a = 0 the estimate is the prior mean m (this
 * also covers m = 0, where the formula is 0/0).
 */
static inline double
MarshallEstimate(double m, double a, double r, double p)
{
	if (a <= 0)
		return m;
	return m + a / (a + m / p) * (r - m);
}

/*
 * eb_rate(events, population) OVER (...): b = ΣO/ΣP,
 * s² = ΣPᵢ(rᵢ − b)²/ΣP, a = s² − b/(ΣP/n) (0 if negative),
 * EBᵢ = b + a/(a + b/Pᵢ)·(rᵢ − b), over the rows that count.
 */
/*
 * eb_rate(events, population) OVER (...): b = ΣO/ΣP,
 * s² = ΣPᵢ(rᵢ − b)²/ΣP, a = s² − b/(ΣP/n) (0 if negative),
 * EBᵢ = b + a/(a + b/Pᵢ)·(rᵢ − b), over the n rows that count.
 */
PG_FUNCTION_INFO_V1(eb_rate);
Datum
eb_rate(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	EbPartition *part = GetPartition(winobj);
	int64		row = WinGetCurrentPosition(winobj);

	if (!part->computed)
	{
		int64		n = WinGetPartitionRowCount(winobj);
		double	   *o = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
		double	   *p = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
		bool	   *ok = palloc_extended(sizeof(bool) * Max(n, 1), MCXT_ALLOC_HUGE);
		double		so = 0,
					sp = 0,
					s2 = 0,
					b,
					a;
		int64		cnt = 0;

		part->nrows = n;
		for (int64 k = 0; k < n; k++)
		{
			CHECK_FOR_INTERRUPTS();
			ok[k] = ReadEventsPopulation(winobj, k, &o[k], &p[k]);
			if (ok[k])
			{
				so += o[k];
				sp += p[k];
				cnt++;
			}
		}
		if (cnt > 0)
		{
			b = so / sp;
			for (int64 k = 0; k < n; k++)
				if (ok[k])
				{
					double		r = o[k] / p[k];

					s2 += p[k] * (r - b) * (r - b);
				}
			s2 /= sp;
			a = s2 - b / (sp / cnt);
			if (a < 0)
				a = 0;
			for (int64 k = 0; k < n; k++)
				part->result[k] = ok[k] ? MarshallEstimate(b, a, o[k] / p[k], p[k]) : NAN;
		}
		else
			for (int64 k = 0; k < n; k++)
				part->result[k] = NAN;
		pfree(o);
		pfree(p);
		pfree(ok);
		part->computed = true;
	}
	if (row < 0 || row >= part->nrows || isnan(part->result[row]))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(part->result[row]);
}

/* ---- eb_rate_local: neighbours within a distance via grid buckets ---- */
typedef struct EbPoint
{
	double		x;
	double		y;
	double		o;
	double		p;
	int64		cx;				/* bucket (cell of side `distance`) */
	int64		cy;
	int64		row;
} EbPoint;

static int
CompareBucket(const void *a, const void *b)
{
	const EbPoint *pa = (const EbPoint *) a;
	const EbPoint *pb = (const EbPoint *) b;

	if (pa->cx != pb->cx)
		return pa->cx < pb->cx ? -1 : 1;
	if (pa->cy != pb->cy)
		return pa->cy < pb->cy ? -1 : 1;
	return 0;
}

/* first index in sorted pts[0..n) whose bucket is >= (cx, cy) */
static int64
LowerBound(const EbPoint *pts, int64 n, int64 cx, int64 cy)
{
	int64		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (pts[mid].cx < cx || (pts[mid].cx == cx && pts[mid].cy < cy))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * eb_rate_local(events, population, geom, distance) OVER (...): for each
 * row i, over the set S of counted rows within `distance` (i included):
 *   m = ΣO/ΣP, n̄ = ΣP/|S|, C = ΣPⱼ(rⱼ − m)², a = C/ΣP − m/n̄ (0 if
 *   negative), EBᵢ = m + a/(a + m/Pᵢ)·(rᵢ − m)
 * (Marshall 1991, GeoDa), which is spdep's EBlocal(geoda = TRUE); spdep's
 * default instead weighs each neighbour j with its own local mean m_j.
 * distance must be the same positive number on every row; geographic input
 * is measured in meters on a transverse Mercator centred on the data.
 */
PG_FUNCTION_INFO_V1(eb_rate_local);
Datum
eb_rate_local(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	EbPartition *part = GetPartition(winobj);
	int64		row = WinGetCurrentPosition(winobj);

	if (!part->computed)
	{
		int64		n = WinGetPartitionRowCount(winobj);
		EbPoint    *pts = palloc_extended(sizeof(EbPoint) * Max(n, 1), MCXT_ALLOC_HUGE);
		int64		np = 0;
		double		dist = 0;
		bool		have_dist = false,
					have_srid = false,
					geo = false;
		int32		srid = 0;
		int64	   *nb;
		int64		nbcap = 64;

		part->nrows = n;
		for (int64 k = 0; k < n; k++)
		{
			double		o,
						p,
						d;
			bool		gnull,
						dnull;
			Datum		g;
			MqPoint		pt;

			CHECK_FOR_INTERRUPTS();
			part->result[k] = NAN;
			if (!ReadEventsPopulation(winobj, k, &o, &p))
				continue;
			d = GetEbArg(winobj, 3, k, &dnull);
			if (dnull)
				continue;
			if (isnan(d) || isinf(d) || !(d > 0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("distance of eb_rate_local() must be a positive finite number"),
						 errdetail("Got %g.", d),
						 errhint("Pass a distance in CRS units (meters for geographic input).")));
			if (have_dist && d != dist)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("distance must be the same for every row of eb_rate_local()"),
						 errdetail("Got %g after %g.", d, dist),
						 errhint("Pass a constant distance.")));
			dist = d;
			have_dist = true;
			g = WinGetFuncArgInPartition(winobj, 2, k, WINDOW_SEEK_HEAD, false, &gnull, NULL);
			if (gnull || mq_point_read(g, &pt, "eb_rate_local") == MQ_POINT_EMPTY)
				continue;
			if (!have_srid)
				geo = mq_srid_is_geographic(pt.srid);
			mq_srid_check(pt.srid, &srid, &have_srid, "eb_rate_local");
			pts[np].x = pt.x;
			pts[np].y = pt.y;
			pts[np].o = o;
			pts[np].p = p;
			pts[np].row = k;
			np++;
		}

		if (np > 0 && geo)
		{
			double		mx = 0,
						my = 0;
			MqTM		tm;

			for (int64 k = 0; k < np; k++)
			{
				mx += pts[k].x;
				my += pts[k].y;
			}
			mq_tm_init(&tm, mx / np, my / np);
			for (int64 k = 0; k < np; k++)
				mq_tm_forward(&tm, pts[k].x, pts[k].y, &pts[k].x, &pts[k].y);
		}
		for (int64 k = 0; k < np; k++)
		{
			double		cx = floor(pts[k].x / dist),
						cy = floor(pts[k].y / dist);

			if (!(fabs(cx) < 4e18 && fabs(cy) < 4e18))
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("distance of eb_rate_local() is too small for these coordinates"),
						 errdetail("Got %g.", dist)));
			pts[k].cx = (int64) cx;
			pts[k].cy = (int64) cy;
		}
		if (np > 1)
			qsort(pts, np, sizeof(EbPoint), CompareBucket);

		nb = palloc(sizeof(int64) * nbcap);
		for (int64 k = 0; k < np; k++)
		{
			const EbPoint *pk = &pts[k];
			int64		nnb = 0;
			double		so = 0,
						sp = 0,
						m,
						c = 0,
						a;

			CHECK_FOR_INTERRUPTS();
			for (int64 bx = pk->cx - 1; bx <= pk->cx + 1; bx++)
				for (int64 by = pk->cy - 1; by <= pk->cy + 1; by++)
				{
					for (int64 q = LowerBound(pts, np, bx, by);
						 q < np && pts[q].cx == bx && pts[q].cy == by; q++)
					{
						double		dx = pts[q].x - pk->x,
									dy = pts[q].y - pk->y;

						if (dx * dx + dy * dy > dist * dist && q != k)
							continue;
						if (nnb == nbcap)
						{
							nbcap *= 2;
							nb = repalloc_huge(nb, sizeof(int64) * nbcap);
						}
						nb[nnb++] = q;
						so += pts[q].o;
						sp += pts[q].p;
					}
				}
			m = so / sp;
			for (int64 t = 0; t < nnb; t++)
			{
				const EbPoint *pq = &pts[nb[t]];
				double		r = pq->o / pq->p - m;

				c += pq->p * r * r;
			}
			a = c / sp - m / (sp / nnb);
			if (a < 0)
				a = 0;
			part->result[pk->row] = MarshallEstimate(m, a, pk->o / pk->p, pk->p);
		}
		pfree(nb);
		pfree(pts);
		part->computed = true;
	}
	if (row < 0 || row >= part->nrows || isnan(part->result[row]))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(part->result[row]);
}
