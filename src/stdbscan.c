/*
 * stdbscan.c — space-time DBSCAN window function (SPEC §9).
 *
 *   st_dbscan(geom, t, eps, eps_time, minpoints) OVER (PARTITION BY … ORDER BY …)
 *
 * DBSCAN (Ester et al. 1996) whose neighbourhood is "planar distance <= eps
 * and |Δt| <= eps_time" (Birant & Kut 2007): DBSCAN on
 * D* = max(d / eps, |Δt| / eps_time) with radius 1.  A point is core when
 * its neighbourhood, the point itself included, holds at least minpoints
 * points; core points within reach of each other form one cluster exactly as
 * in DBSCAN; a border point (not core, but a neighbour of a core point) joins
 * the cluster of its nearest core neighbour in D* (ties: the earlier row),
 * a deterministic form of ST_ClusterDBSCAN's "one of the clusters it
 * touches"; everything else is noise (NULL).  Cluster ids are 0, 1, … in
 * the partition order of each cluster's first row, as ST_ClusterDBSCAN.
 *
 * The shape is PostGIS's ST_ClusterDBSCAN: on the partition's first call
 * every row is read once, the clustering is computed into the partition's
 * local memory, and each call returns one precomputed id.  Neighbours come
 * from the space-time grid of neighbors.c (grid of side eps, each bucket
 * sorted by time), so sparse data costs O(n log n) and O(n) memory: the
 * neighbourhoods are queried again in each of the three passes (core
 * counts, core-core unions, border assignment) instead of being stored.
 *
 * Geographic input (lon/lat SRIDs) is projected to local meters first, so
 * eps is in meters there and in CRS units otherwise.  Intervals count a
 * month as 30 days (PostgreSQL's own interval comparison does the same).
 */
#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "class_cases.h"
#include "geom.h"
#include "guc.h"
#include "neighbors.h"
#include "stats.h"
#include "window.h"

PG_FUNCTION_INFO_V1(st_dbscan);

/* per-row result in the partition's memory (window.h) */
typedef struct SdRow
{
	bool		isnull;			/* noise, or a NULL row */
	int32		cluster;
} SdRow;

/* the usable rows of a partition, in partition order */
typedef struct SdInput
{
	int			n;
	int32	   *row;			/* partition position of each usable row */
	double	   *x;
	double	   *y;
	int64	   *t;				/* microseconds */
	double		eps;
	int64		eps_time;		/* microseconds, > 0 */
	int32		minpoints;
} SdInput;

/* bytes per usable row kept while clustering (input, union-find, labels) */
#define SD_ROW_BYTES	(sizeof(int32) * 4 + sizeof(double) * 2 + sizeof(int64) + sizeof(SdRow))

/* Neighbour visits between interrupt checks (dense data has long lists). */
#define SD_WORK_CHECK	(1 << 20)

/*
 * Interval to microseconds (class_cases.h).
 */
int64
mq_interval_usecs(const Interval *iv, const char *fname, const char *argname)
{
	double		us = (double) iv->time +
		((double) iv->day + (double) iv->month * DAYS_PER_MONTH) * (double) USECS_PER_DAY;

	if (!(us > 0) || us > 1e17)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a positive, finite interval", fname, argname),
				 errdetail("Got %s.", DatumGetCString(DirectFunctionCall1(interval_out,
																		  IntervalPGetDatum(iv)))),
				 errhint("Pass a time window such as '3 days'.")));
	return (int64) us;
}

/*
 * Read every row once: per-partition constants checked on every row with
 * non-NULL constants, rows with a NULL geometry or time (or POINT EMPTY)
 * skipped, SRIDs checked, lon/lat projected to local meters.
 */
static void
SdReadPartition(MqWindow *w, SdInput *in)
{
	MemoryContext rowctx = AllocSetContextCreate(CurrentMemoryContext, "minqing st_dbscan row",
												 ALLOCSET_SMALL_SIZES);
	MqWinConst	c_eps = MQ_WIN_CONST_INIT,
				c_et = MQ_WIN_CONST_INIT,
				c_mp = MQ_WIN_CONST_INIT;
	int32		srid = 0;
	bool		have_srid = false;
	int64		nrows = w->nrows;
	int			n = 0;

	in->row = palloc(mul_size(Max(nrows, 1), sizeof(int32)));
	in->x = palloc(mul_size(Max(nrows, 1), sizeof(double)));
	in->y = palloc(mul_size(Max(nrows, 1), sizeof(double)));
	in->t = palloc(mul_size(Max(nrows, 1), sizeof(int64)));
	in->eps = 0;
	in->eps_time = 0;
	in->minpoints = 0;

	for (int64 r = 0; r < nrows; r++)
	{
		bool		nulls[5];
		Datum		tdat,
					etdat;
		double		eps;
		int32		minpts;
		MqPoint		pt;
		bool		usable;
		MemoryContext oldctx;

		CHECK_FOR_INTERRUPTS();
		oldctx = MemoryContextSwitchTo(rowctx);
		eps = mq_warg_float8(w, 2, r, &nulls[2]);
		etdat = mq_warg_datum(w, 3, r, &nulls[3]);
		minpts = mq_warg_int32(w, 4, r, &nulls[4]);
		if (!nulls[2] && !nulls[3] && !nulls[4])
		{
			int64		et = mq_interval_usecs(DatumGetIntervalP(etdat), "st_dbscan", "eps_time");

			mq_check_positive_finite(eps, "st_dbscan", "eps", MQ_HINT_LENGTH);
			if (minpts < 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("st_dbscan: minpoints must be at least 1"),
						 errdetail("Got %d.", minpts),
						 errhint("minpoints counts the point itself: 1 makes every point a cluster, 2 joins pairs.")));
			mq_window_constant(w, &c_eps, "eps", eps, r);
			mq_window_constant(w, &c_et, "eps_time", (double) et / USECS_PER_DAY, r);	/* days */
			mq_window_constant(w, &c_mp, "minpoints", minpts, r);
			in->eps = eps;
			in->eps_time = et;
			in->minpoints = minpts;
		}
		usable = mq_warg_point(w, 0, r, &pt, &nulls[0]);
		tdat = mq_warg_datum(w, 1, r, &nulls[1]);
		if (!usable || nulls[1] || nulls[2] || nulls[3] || nulls[4])
		{
			MemoryContextSwitchTo(oldctx);
			MemoryContextReset(rowctx);
			continue;
		}
		mq_srid_check(pt.srid, &srid, &have_srid, "st_dbscan");
		if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(tdat)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("st_dbscan: t must be a finite timestamp"),
					 errdetail("Got %s on row %lld of the partition.",
							   DatumGetTimestampTz(tdat) < 0 ? "-infinity" : "infinity", (long long) r + 1),
					 errhint("Filter out infinite timestamps or turn them into NULL.")));
		in->x[n] = pt.x;
		in->y[n] = pt.y;
		in->t[n] = DatumGetTimestampTz(tdat);
		in->row[n] = (int32) r;
		n++;
		MemoryContextSwitchTo(oldctx);
		MemoryContextReset(rowctx);
	}
	MemoryContextDelete(rowctx);
	in->n = n;

	/* lon/lat: project to meters around the partition's mean position */
	if (n > 0 && mq_srid_is_geographic(srid))
		mq_to_local_meters(in->x, in->y, n, MQ_CENTRE_MEAN, 0, 0, srid, NULL, "st_dbscan");
}

/* union-find with path halving; the root is the smallest index of the set */
static inline int32
SdFind(int32 *parent, int32 i)
{
	while (parent[i] != i)
	{
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static inline void
SdUnion(int32 *parent, int32 a, int32 b)
{
	a = SdFind(parent, a);
	b = SdFind(parent, b);
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

/* count neighbour visits; check for interrupts every SD_WORK_CHECK of them */
static inline void
SdWork(int64 *work, int k)
{
	*work += k + 1;
	if (*work >= SD_WORK_CHECK)
	{
		*work = 0;
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * The three DBSCAN passes over the usable rows; writes each row's cluster
 * id (or -1) into out[row].
 */
static void
SdCluster(const SdInput *in, SdRow *out)
{
	int			n = in->n;
	MqSTNeighborIndex *ix;
	const int32 *order;
	int32	   *count = palloc(mul_size(Max(n, 1), sizeof(int32)));
	int32	   *parent = palloc(mul_size(Max(n, 1), sizeof(int32)));
	int32	   *label = palloc(mul_size(Max(n, 1), sizeof(int32)));
	int32	   *buf = NULL;
	int			cap = 0;
	int64		work = 0;
	int32		next_id = 0;
	double		et = (double) in->eps_time;

	if (n == 0)
		return;
	ix = mq_stnb_build(in->x, in->y, in->t, n, in->eps, in->eps_time);
	order = mq_stnb_order(ix);

	/* 1. neighbourhood sizes, the point itself included */
	for (int q = 0; q < n; q++)
	{
		int			i = order[q];

		count[i] = mq_stnb_within(ix, in->x[i], in->y[i], in->t[i], &buf, &cap);
		parent[i] = i;
		SdWork(&work, count[i]);
	}

	/* 2. core points reachable from each other form one cluster */
	for (int q = 0; q < n; q++)
	{
		int			i = order[q];
		int			k;

		if (count[i] < in->minpoints)
			continue;
		k = mq_stnb_within(ix, in->x[i], in->y[i], in->t[i], &buf, &cap);
		for (int j = 0; j < k; j++)
			if (buf[j] > i && count[buf[j]] >= in->minpoints)
				SdUnion(parent, i, buf[j]);
		SdWork(&work, k);
	}

	/* 3. a border point takes its nearest core neighbour's cluster */
	for (int q = 0; q < n; q++)
	{
		int			i = order[q];
		int			k,
					best = -1;
		double		bestd = 0;

		if (count[i] >= in->minpoints)
		{
			label[i] = SdFind(parent, i);
			continue;
		}
		label[i] = -1;
		k = mq_stnb_within(ix, in->x[i], in->y[i], in->t[i], &buf, &cap);
		for (int j = 0; j < k; j++)
		{
			int			c = buf[j];
			double		ds,
						dt,
						dstar;

			if (count[c] < in->minpoints)
				continue;
			ds = sqrt((in->x[c] - in->x[i]) * (in->x[c] - in->x[i]) +
					  (in->y[c] - in->y[i]) * (in->y[c] - in->y[i])) / in->eps;
			dt = fabs((double) in->t[c] - (double) in->t[i]) / et;
			dstar = Max(ds, dt);
			if (best < 0 || dstar < bestd || (dstar == bestd && c < best))
			{
				best = c;
				bestd = dstar;
			}
		}
		if (best >= 0)
			label[i] = SdFind(parent, best);
		SdWork(&work, k);
	}
	mq_stnb_free(ix);

	/*
	 * 4. number the clusters 0, 1, … by their first row in partition order
	 * (the usable rows are in partition order; parent[] is reused as the
	 * root → id map)
	 */
	for (int i = 0; i < n; i++)
		parent[i] = -1;
	for (int i = 0; i < n; i++)
	{
		int32		root = label[i];

		if (root < 0)
			continue;
		if (parent[root] < 0)
			parent[root] = next_id++;
		out[in->row[i]].isnull = false;
		out[in->row[i]].cluster = parent[root];
	}
	if (buf)
		pfree(buf);
	pfree(count);
	pfree(parent);
	pfree(label);
}

/*
 * st_dbscan(geom, t, eps, eps_time, minpoints) OVER (...): the row's
 * space-time DBSCAN cluster id, NULL for noise and for rows with a NULL
 * argument.
 */
Datum
st_dbscan(PG_FUNCTION_ARGS)
{
	MqWindow	w;
	SdRow	   *rows;
	int64		nrows = WinGetPartitionRowCount(PG_WINDOW_OBJECT());

	/* refuse up front, before any per-partition memory is allocated */
	if (nrows > mq_cluster_max_points)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("st_dbscan: partition of %lld rows is above minqing.cluster_max_points = %d",
						(long long) nrows, mq_cluster_max_points),
				 errdetail("Clustering it would need about %.0f MB.",
						   (double) nrows * (SD_ROW_BYTES + (double) mq_stnb_bytes(1000000) / 1e6) / 1048576.0),
				 errhint("Split the input with PARTITION BY, e.g. by category or month, or raise minqing.cluster_max_points.")));
	rows = mq_window_begin(fcinfo, sizeof(SdRow), "st_dbscan", &w);
	if (!w.ready)
	{
		MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "minqing st_dbscan",
												   ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(work);
		SdInput		in;

		for (int64 i = 0; i < w.nrows; i++)
			rows[i].isnull = true;
		SdReadPartition(&w, &in);
		SdCluster(&in, rows);
		MemoryContextSwitchTo(old);
		MemoryContextDelete(work);
		mq_window_ready(&w);
	}
	if (rows[w.cur].isnull)
		PG_RETURN_NULL();
	PG_RETURN_INT32(rows[w.cur].cluster);
}
