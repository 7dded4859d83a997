/*
 * class_cases.c — recurring places (类案): the spatial step of
 * minqing.class_cases() (SPEC §9).
 *
 *   place_scan(geom, radius, background_radius) OVER (PARTITION BY category_code)
 *     → (place, center, members, nearby, background, p)
 *
 * Rows are incidents (duplicates already merged by st_dbscan).  For each
 * incident i: X_i incidents within `radius` (itself included), N_i within
 * `background_radius`; the local background expects
 *   λ_i = max((N_i − X_i) · r² / (R² − r²),  n · π r² / A)
 * other incidents within r (the ring around the place scaled to the place's
 * disc, never below the partition's average density over A = max(bounding
 * box, π R²)), and p_i = P(Poisson(λ_i) ≥ X_i − 1) is the chance of that many
 * others under the background.
 *
 * Places are then chosen greedily, strongest first: the unassigned incident
 * with the smallest p (ties: more neighbours, then the earlier row) becomes a
 * place centre and takes every unassigned incident within r.  Each incident
 * belongs to exactly one place, a place is at most 2r across (no chaining
 * through dense areas, unlike single linkage), and places are numbered 0, 1,
 * … in the order they were chosen.  The result row of an incident gives its
 * place, whether it is the centre, the place's member count and, for the
 * place, nearby = N of the centre, background = λ of the centre and
 * p = P(Poisson(λ) ≥ members − 1).
 *
 * ST_ClusterDBSCAN shape, neighbour search from neighbors.c; lon/lat
 * projected to local meters.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "geom.h"
#include "guc.h"
#include "neighbors.h"
#include "result.h"
#include "stats.h"
#include "window.h"

PG_FUNCTION_INFO_V1(place_scan);

typedef struct PsRow
{
	int32		place;			/* -1: NULL row (set before computing) */
	bool		center;
	int32		members;
	int32		nearby;
	double		background;
	double		p;
} PsRow;

/* a candidate centre while sorting */
typedef struct PsCand
{
	double		p;
	int32		x;				/* neighbours within r */
	int32		i;
} PsCand;

static int
CompareCand(const void *a, const void *b)
{
	const PsCand *ca = (const PsCand *) a;
	const PsCand *cb = (const PsCand *) b;

	if (ca->p != cb->p)
		return ca->p < cb->p ? -1 : 1;
	if (ca->x != cb->x)
		return ca->x > cb->x ? -1 : 1;
	return (ca->i > cb->i) - (ca->i < cb->i);
}

/* P(Poisson(lambda) >= k) */
static double
PoissonUpper(double k, double lambda)
{
	if (k <= 0)
		return 1.0;
	if (lambda <= 0)
		return 0.0;
	return mq_inc_gamma_p(k, lambda);
}

/*
 * Copy each place's statistics from its centre's row (out[row[i]] of the
 * point i with place[i]) to the rows of its other members.
 */
static void
PsSpreadPlaces(PsRow *out, const int32 *row, const int32 *place, int n, int32 nplaces)
{
	int32	   *center_of = palloc(mul_size(Max(nplaces, 1), sizeof(int32)));

	for (int i = 0; i < n; i++)
		if (out[row[i]].center)
			center_of[place[i]] = row[i];
	for (int i = 0; i < n; i++)
	{
		PsRow	   *c = &out[center_of[place[i]]];
		PsRow	   *o = &out[row[i]];

		if (o->center)
			continue;
		o->place = place[i];
		o->members = c->members;
		o->nearby = c->nearby;
		o->background = c->background;
		o->p = c->p;
	}
}

/* read the partition, project, count, scan; fills out[row] */
static void
PsCompute(MqWindow *w, PsRow *out)
{
	int64		nrows = w->nrows;
	double	   *x = palloc(mul_size(Max(nrows, 1), sizeof(double)));
	double	   *y = palloc(mul_size(Max(nrows, 1), sizeof(double)));
	int32	   *row = palloc(mul_size(Max(nrows, 1), sizeof(int32)));
	MqWinConst	c_r = MQ_WIN_CONST_INIT,
				c_big = MQ_WIN_CONST_INIT;
	int32		srid = 0;
	bool		have_srid = false;
	double		r = 0,
				R = 0;
	int			n = 0;

	for (int64 k = 0; k < nrows; k++)
	{
		bool		isnull[3];
		MqPoint		pt;
		double		rr = mq_warg_float8(w, 1, k, &isnull[1]),
					RR = mq_warg_float8(w, 2, k, &isnull[2]);
		bool		usable;

		CHECK_FOR_INTERRUPTS();
		if (!isnull[1] && !isnull[2])
		{
			mq_check_positive_finite(rr, "place_scan", "radius", MQ_HINT_LENGTH);
			mq_check_positive_finite(RR, "place_scan", "background_radius", MQ_HINT_LENGTH);
			if (!(RR > rr))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("place_scan: background_radius must be larger than radius"),
						 errdetail("Got radius %g and background_radius %g.", rr, RR),
						 errhint("The background ring lies between the two, e.g. 100 and 300 meters.")));
			mq_window_constant(w, &c_r, "radius", rr, k);
			mq_window_constant(w, &c_big, "background_radius", RR, k);
			r = rr;
			R = RR;
		}
		usable = mq_warg_point(w, 0, k, &pt, &isnull[0]);
		if (!usable || isnull[1] || isnull[2])
			continue;
		mq_srid_check(pt.srid, &srid, &have_srid, "place_scan");
		x[n] = pt.x;
		y[n] = pt.y;
		row[n] = (int32) k;
		n++;
	}
	if (n == 0)
		return;
	if (mq_srid_is_geographic(srid))
		mq_to_local_meters(x, y, n, MQ_CENTRE_MEAN, 0, 0, srid, NULL, "place_scan");

	{
		MqNeighborIndex *near = mq_nb_build(x, y, n, r);
		MqNeighborIndex *far = mq_nb_build(x, y, n, R);
		int32	   *cnt_r = palloc(mul_size(n, sizeof(int32)));
		int32	   *cnt_R = palloc(mul_size(n, sizeof(int32)));
		double	   *lambda = palloc(mul_size(n, sizeof(double)));
		int32	   *place = palloc(mul_size(n, sizeof(int32)));
		PsCand	   *cand = palloc(mul_size(n, sizeof(PsCand)));
		int32	   *buf = NULL;
		int			cap = 0;
		double		minx = x[0],
					maxx = x[0],
					miny = y[0],
					maxy = y[0],
					area,
					floor_lambda;
		int32		nplaces = 0;
		int64		work = 0;

		for (int i = 1; i < n; i++)
		{
			minx = Min(minx, x[i]);
			maxx = Max(maxx, x[i]);
			miny = Min(miny, y[i]);
			maxy = Max(maxy, y[i]);
		}
		area = Max((maxx - minx) * (maxy - miny), M_PI * R * R);
		floor_lambda = (double) n * M_PI * r * r / area;

		for (int i = 0; i < n; i++)
		{
			cnt_r[i] = mq_nb_within(near, x[i], y[i], &buf, &cap);
			cnt_R[i] = mq_nb_within(far, x[i], y[i], &buf, &cap);
			lambda[i] = Max((double) (cnt_R[i] - cnt_r[i]) * r * r / (R * R - r * r), floor_lambda);
			cand[i].p = PoissonUpper(cnt_r[i] - 1, lambda[i]);
			cand[i].x = cnt_r[i];
			cand[i].i = i;
			place[i] = -1;
			work += cnt_R[i] + 1;
			if (work > (1 << 20))
			{
				work = 0;
				CHECK_FOR_INTERRUPTS();
			}
		}
		mq_nb_free(far);
		qsort(cand, n, sizeof(PsCand), CompareCand);

		for (int c = 0; c < n; c++)
		{
			int			i = cand[c].i;
			int			k,
						members = 0;

			if (place[i] >= 0)
				continue;
			if ((c & 0x3FF) == 0)
				CHECK_FOR_INTERRUPTS();
			k = mq_nb_within(near, x[i], y[i], &buf, &cap);
			for (int j = 0; j < k; j++)
				if (place[buf[j]] < 0)
				{
					place[buf[j]] = nplaces;
					members++;
				}
			/* the centre's row carries the place's statistics for now */
			out[row[i]].center = true;
			out[row[i]].members = members;
			out[row[i]].nearby = cnt_R[i];
			out[row[i]].background = lambda[i];
			out[row[i]].p = PoissonUpper(members - 1, lambda[i]);
			out[row[i]].place = nplaces;
			nplaces++;
		}
		mq_nb_free(near);
		PsSpreadPlaces(out, row, place, n, nplaces);
	}
}

/*
 * place_scan(geom, radius, background_radius) OVER (PARTITION BY …): the
 * recurring place of each incident (see the header comment).
 */
Datum
place_scan(PG_FUNCTION_ARGS)
{
	MqWindow	w;
	PsRow	   *rows;
	PsRow	   *r;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	int64		nrows = WinGetPartitionRowCount(PG_WINDOW_OBJECT());

	if (nrows > mq_cluster_max_points)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("place_scan: partition of %lld rows is above minqing.cluster_max_points = %d",
						(long long) nrows, mq_cluster_max_points),
				 errhint("Split the input with PARTITION BY, or raise minqing.cluster_max_points.")));
	rows = mq_window_begin(fcinfo, sizeof(PsRow), "place_scan", &w);
	if (!w.ready)
	{
		MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "minqing place_scan",
												   ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(work);

		for (int64 i = 0; i < w.nrows; i++)
			rows[i].place = -1;
		PsCompute(&w, rows);
		MemoryContextSwitchTo(old);
		MemoryContextDelete(work);
		mq_window_ready(&w);
	}
	r = &rows[w.cur];
	if (r->place < 0)
		PG_RETURN_NULL();
	values[0] = Int32GetDatum(r->place);
	values[1] = BoolGetDatum(r->center);
	values[2] = Int32GetDatum(r->members);
	values[3] = Int32GetDatum(r->nearby);
	values[4] = Float8GetDatum(r->background);
	values[5] = Float8GetDatum(r->p);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}
