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
#include "neighbors.h"
#include "stats.h"
#include "window.h"

/* One row's answer in partition-local memory (zeroed: NULL). */
typedef struct EbRow
{
	bool		ok;
	double		eb;
} EbRow;

/* Reads events / population of a row; false when the row does not count. */
static bool
ReadEventsPopulation(MqWindow *w, int64 row, double *o, double *p)
{
	bool		on,
				pn;

	*o = mq_warg_float8(w, 0, row, &on);
	*p = mq_warg_float8(w, 1, row, &pn);
	if (!on)
		mq_check_finite(*o, w->fname, "events");
	if (!pn)
		mq_check_finite(*p, w->fname, "population");
	if (!on && *o < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: events must not be negative", w->fname),
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

/* Store a row's estimate (NaN stays NULL). */
static inline void
SetRow(EbRow *r, double eb)
{
	r->ok = !isnan(eb);
	r->eb = eb;
}

/*
 * eb_rate(events, population) OVER (...): b = ΣO/ΣP,
 * s² = ΣPᵢ(rᵢ − b)²/ΣP, a = s² − b/(ΣP/n) (0 if negative),
 * EBᵢ = b + a/(a + b/Pᵢ)·(rᵢ − b), over the n rows that count.
 */
PG_FUNCTION_INFO_V1(eb_rate);
Datum
eb_rate(PG_FUNCTION_ARGS)
{
	MqWindow	w;
	EbRow	   *rows = mq_window_begin(fcinfo, sizeof(EbRow), "eb_rate", &w);

	if (!w.ready)
	{
		int64		n = w.nrows;
		double	   *o = palloc(mul_size(Max(n, 1), sizeof(double)));
		double	   *p = palloc(mul_size(Max(n, 1), sizeof(double)));
		bool	   *ok = palloc(mul_size(Max(n, 1), sizeof(bool)));
		double		so = 0,
					sp = 0,
					s2 = 0,
					b,
					a;
		int64		cnt = 0;

		for (int64 k = 0; k < n; k++)
		{
			CHECK_FOR_INTERRUPTS();
			ok[k] = ReadEventsPopulation(&w, k, &o[k], &p[k]);
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
				if (ok[k])
					SetRow(&rows[k], MarshallEstimate(b, a, o[k] / p[k], p[k]));
		}
		pfree(o);
		pfree(p);
		pfree(ok);
		mq_window_ready(&w);
	}
	if (!rows[w.cur].ok)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rows[w.cur].eb);
}

/*
 * eb_rate_local(events, population, geom, distance) OVER (...): for each
 * row i, over the set S of counted rows within `distance` (i included):
 *   m = ΣO/ΣP, n̄ = ΣP/|S|, C = ΣPⱼ(rⱼ − m)², a = C/ΣP − m/n̄ (0 if
 *   negative), EBᵢ = m + a/(a + m/Pᵢ)·(rᵢ − m)
 * (Marshall 1991, GeoDa), which is spdep's EBlocal(geoda = TRUE); spdep's
 * default instead weighs each neighbour j with its own local mean m_j.
 * distance must be the same positive number on every row; geographic input
 * is measured in meters on a transverse Mercator centred on the data's mean
 * position.  Neighbours come from neighbors.c's grid index.
 */
PG_FUNCTION_INFO_V1(eb_rate_local);
Datum
eb_rate_local(PG_FUNCTION_ARGS)
{
	MqWindow	w;
	EbRow	   *rows = mq_window_begin(fcinfo, sizeof(EbRow), "eb_rate_local", &w);

	if (!w.ready)
	{
		int64		n = w.nrows;
		double	   *x = palloc(mul_size(Max(n, 1), sizeof(double)));
		double	   *y = palloc(mul_size(Max(n, 1), sizeof(double)));
		double	   *o = palloc(mul_size(Max(n, 1), sizeof(double)));
		double	   *p = palloc(mul_size(Max(n, 1), sizeof(double)));
		int64	   *row = palloc(mul_size(Max(n, 1), sizeof(int64)));
		int			np = 0;
		MqWinConst	dist = MQ_WIN_CONST_INIT;
		bool		have_srid = false,
					geo = false;
		int32		srid = 0;

		for (int64 k = 0; k < n; k++)
		{
			double		ok,
						pk,
						d;
			bool		isnull;
			MqPoint		pt;

			CHECK_FOR_INTERRUPTS();
			if (!ReadEventsPopulation(&w, k, &ok, &pk))
				continue;
			d = mq_warg_float8(&w, 3, k, &isnull);
			if (isnull)
				continue;
			mq_check_positive_finite(d, w.fname, "distance", MQ_HINT_LENGTH);
			mq_window_constant(&w, &dist, "distance", d, k);
			if (!mq_warg_point(&w, 2, k, &pt, &isnull))
				continue;
			if (!have_srid)
				geo = mq_srid_is_geographic(pt.srid);
			mq_srid_check(pt.srid, &srid, &have_srid, w.fname);
			x[np] = pt.x;
			y[np] = pt.y;
			o[np] = ok;
			p[np] = pk;
			row[np] = k;
			np++;
		}

		if (np > 0)
		{
			MqNeighborIndex *ix;
			const int32 *order;
			int32	   *nb = NULL;
			int			cap = 0;

			if (geo)
				mq_to_local_meters(x, y, np, MQ_CENTRE_MEAN, 0, 0, srid, NULL, w.fname);
			ix = mq_nb_build(x, y, np, dist.value);
			order = mq_nb_order(ix);
			for (int t = 0; t < np; t++)
			{
				int			k = order[t];
				int			nnb = mq_nb_within(ix, x[k], y[k], &nb, &cap);
				double		so = 0,
							sp = 0,
							m,
							c = 0,
							a;

				CHECK_FOR_INTERRUPTS();
				for (int q = 0; q < nnb; q++)
				{
					so += o[nb[q]];
					sp += p[nb[q]];
				}
				m = so / sp;
				for (int q = 0; q < nnb; q++)
				{
					double		r = o[nb[q]] / p[nb[q]] - m;

					c += p[nb[q]] * r * r;
				}
				a = c / sp - m / (sp / nnb);
				if (a < 0)
					a = 0;
				SetRow(&rows[row[k]], MarshallEstimate(m, a, o[k] / p[k], p[k]));
			}
			mq_nb_free(ix);
		}
		pfree(x);
		pfree(y);
		pfree(o);
		pfree(p);
		pfree(row);
		mq_window_ready(&w);
	}
	if (!rows[w.cur].ok)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rows[w.cur].eb);
}
