/*
 * stscan.c — Kulldorff's space-time permutation scan statistic (SPEC §5):
 *
 *   stscan(geom, day, cases, max_radius, max_days [, replications [, seed
 *          [, prospective]]]) -> minqing.stscan_cluster[]
 *
 * Data: cases c_{l,t} per location l (an exact point) and day t; days run
 * from the first to the last day in the input, missing location-days are 0.
 * A cylinder is a zone — the locations within `radius` of a centre location,
 * radius = the distance to its farthest member (ties at the same distance
 * enter together), radius <= max_radius — times a run of 1..max_days
 * consecutive days.  With C the total, N_Z the zone's total over all days
 * and N_W all locations' total over the cylinder's days:
 *
 *   μ = N_Z · N_W / C
 *   LLR = c ln(c/μ) + (C-c) ln((C-c)/(C-μ))  when c > μ, else 0.
 *
 * Clusters: for every centre its best cylinder (largest LLR); those sorted by
 * LLR and kept greedily when they share no location-day with a kept one
 * (at most STSCAN_MAX_CLUSTERS).  p = (1 + #{replications whose largest LLR
 * >= the cluster's}) / (R + 1), where a replication permutes the days among
 * the individual cases (location totals and day totals are kept, so every
 * μ is the same in every replication) with a seeded PRNG (pg_prng).
 *
 * Speed: per location cumulative sums over days make a window count two
 * loads; a centre's zones grow member by member (sorted neighbour list), so
 * one replication costs Σ_i K_i · M · D additions.  In a replication a
 * cylinder is only scored when a cheap necessary condition holds:
 *   LLR <= d²/(2μ) + d²/(C-μ),  d = c - μ > 0
 * (r ln r - r + 1 <= (r-1)²/2 for r >= 1 and <= (1-r)² for 0 <= r <= 1)
 * against the larger of the smallest reported LLR and the replication's
 * running maximum, and a replication stops as soon as it beats the largest
 * reported LLR (it then counts for every cluster).  The observed pass
 * screens the same way against each centre's best so far.
 *
 * State (state.h, MQ_KIND_STSCAN): the per-call constants, then records
 * (x, y, cases, day) compacted — sorted and summed per (x, y, day) — every
 * time the state would have to grow, and in the final function.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "geom.h"
#include "guc.h"
#include "neighbors.h"
#include "result.h"
#include "state.h"
#include "stats.h"

#define STSCAN_NAME "stscan"
#define STSCAN_MAX_CLUSTERS 10
#define STSCAN_MAX_REPLICATIONS 1000000
#define SCREEN_BLOCK 64

/* payload header */
#define SS_UNUSED	0			/* int32 zero (the header flag says the constants are set) */
#define SS_SRID		4			/* int32, set with the constants */
#define SS_MAXDAYS	8			/* int32 */
#define SS_REPS		12			/* int32 */
#define SS_SEED		16			/* int32 */
#define SS_PROSP	20			/* int32: 0 retrospective, 1 prospective */
#define SS_RADIUS	24			/* float8 */
#define SS_SORTED	32			/* int32: records known sorted and unique */
#define SS_RESERVED 36			/* int32 zero */
#define SS_HDR		40
/* record: x float8 | y float8 | cases float8 | day int32 | zero int32 */
#define SS_REC		32

typedef struct SsRec
{
	double		x;
	double		y;
	double		cases;
	int32		day;
} SsRec;

static inline void
RecGet(const char *p, SsRec *r)
{
	r->x = mq_get_f8(p);
	r->y = mq_get_f8(p + 8);
	r->cases = mq_get_f8(p + 16);
	r->day = mq_get_i32(p + 24);
}

static inline void
RecPut(char *p, const SsRec *r)
{
	mq_put_f8(p, r->x);
	mq_put_f8(p + 8, r->y);
	mq_put_f8(p + 16, r->cases);
	mq_put_i32(p + 24, r->day);
	mq_put_i32(p + 28, 0);
}

static int
RecCmp(const void *a, const void *b)
{
	const SsRec *ra = a;
	const SsRec *rb = b;

	if (ra->x != rb->x)
		return ra->x < rb->x ? -1 : 1;
	if (ra->y != rb->y)
		return ra->y < rb->y ? -1 : 1;
	if (ra->day != rb->day)
		return ra->day < rb->day ? -1 : 1;
	return 0;
}

/*
 * Decode the records of a state, sorted by (x, y, day) with duplicates
 * summed.  Returns the number of records; *out is palloc'd.
 */
static int64
StateRecords(bytea *s, SsRec **out)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int64		n = (mq_state_used(s) - SS_HDR) / SS_REC;
	SsRec	   *r = palloc(sizeof(SsRec) * Max(n, 1));
	int64		m = 0;

	for (int64 i = 0; i < n; i++)
		RecGet(pl + SS_HDR + i * SS_REC, &r[i]);
	if (n > 1)
		qsort(r, n, sizeof(SsRec), RecCmp);
	for (int64 i = 0; i < n; i++)
	{
		if (m > 0 && RecCmp(&r[m - 1], &r[i]) == 0)
			r[m - 1].cases += r[i].cases;
		else
			r[m++] = r[i];
	}
	*out = r;
	return m;
}

/* Rewrite the state's records compacted (sorted, one per location-day). */
static void
StateCompact(bytea *s)
{
	SsRec	   *r;
	int64		m = StateRecords(s, &r);
	char	   *pl = MQ_STATE_PAYLOAD(s);

	for (int64 i = 0; i < m; i++)
		RecPut(pl + SS_HDR + i * SS_REC, &r[i]);
	mq_state_set_used(s, (uint32) (SS_HDR + m * SS_REC));
	mq_put_i32(pl + SS_SORTED, 1);
	pfree(r);
}

/* Make room for `extra` more payload bytes: compact first, then grow. */
static bytea *
StateRoom(bytea *s, Size extra)
{
	Size		used = mq_state_used(s);

	if (used + extra <= MQ_STATE_CAPACITY(s))
		return s;
	if (used > SS_HDR + 64 * SS_REC)
	{
		StateCompact(s);
		used = mq_state_used(s);
		/* keep a quarter free so compaction does not run on every row */
		if (used + extra <= MQ_STATE_CAPACITY(s) * 3 / 4)
			return s;
	}
	return mq_state_reserve(s, Max(used + extra, used * 2), STSCAN_NAME);
}

static void
CheckParams(double radius, int32 maxdays, int32 reps)
{
	mq_check_positive_finite(radius, STSCAN_NAME, "max_radius", MQ_HINT_LENGTH);
	if (maxdays <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: max_days must be positive", STSCAN_NAME),
				 errdetail("Got %d.", maxdays),
				 errhint("Use the longest run of days a cluster may span, e.g. 7.")));
	if (reps <= 0 || reps > STSCAN_MAX_REPLICATIONS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: replications must be between 1 and %d", STSCAN_NAME, STSCAN_MAX_REPLICATIONS),
				 errdetail("Got %d.", reps),
				 errhint("Use 999 (p-values to 0.001) or 9999.")));
}

/* The per-call constants as state.h's kit describes them (values for this row). */
static void
SsConstants(MqStateConst *c, double radius, int32 maxdays, int32 reps, int32 seed, int32 prosp)
{
	c[0] = (MqStateConst) {"max_radius", MQ_CONST_F8, SS_RADIUS, radius};
	c[1] = (MqStateConst) {"max_days", MQ_CONST_I32, SS_MAXDAYS, maxdays};
	c[2] = (MqStateConst) {"replications", MQ_CONST_I32, SS_REPS, reps};
	c[3] = (MqStateConst) {"seed", MQ_CONST_I32, SS_SEED, seed};
	c[4] = (MqStateConst) {"prospective", MQ_CONST_I32, SS_PROSP, prosp};
}

/*
 * stscan_trans(state, geom, day, cases, max_radius, max_days
 *              [, replications [, seed [, prospective]]])
 * Appends one (x, y, cases, day) record; a NULL in any argument, or POINT
 * EMPTY, skips the row.  Cases must be non-negative whole numbers (the
 * permutation moves individual cases).
 */
PG_FUNCTION_INFO_V1(stscan_trans);
Datum
stscan_trans(PG_FUNCTION_ARGS)
{
	int			nargs = PG_NARGS();
	bytea	   *s;
	char	   *pl;
	MqPoint		pt;
	DateADT		day;
	double		cases,
				radius;
	int32		maxdays,
				reps = 999,
				seed = 1,
				prosp = 0;
	SsRec		rec;
	Size		used;
	MqStateConst c[5];

	for (int i = 1; i < nargs; i++)
		if (PG_ARGISNULL(i))
			goto skip;
	radius = PG_GETARG_FLOAT8(4);
	maxdays = PG_GETARG_INT32(5);
	if (nargs > 6)
		reps = PG_GETARG_INT32(6);
	if (nargs > 7)
		seed = PG_GETARG_INT32(7);
	if (nargs > 8)
		prosp = PG_GETARG_BOOL(8) ? 1 : 0;
	CheckParams(radius, maxdays, reps);

	if (mq_point_read(PG_GETARG_DATUM(1), &pt, STSCAN_NAME) == MQ_POINT_EMPTY)
		goto skip;
	day = PG_GETARG_DATEADT(2);
	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: day must be a finite date", STSCAN_NAME),
				 errhint("Remove rows dated infinity or -infinity.")));
	cases = PG_GETARG_FLOAT8(3);
	mq_check_finite(cases, STSCAN_NAME, "cases");
	if (cases < 0 || cases != floor(cases) || cases > 1e9)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cases must be a non-negative whole number", STSCAN_NAME),
				 errdetail("Got %g.", cases),
				 errhint("The permutation scan moves individual cases; pass counts.")));

	s = mq_state_for_update(fcinfo, 0, MQ_KIND_STSCAN, SS_HDR + 64 * SS_REC, SS_HDR, STSCAN_NAME);
	if (mq_state_used(s) < SS_HDR)
		elog(ERROR, "stscan state too short");
	pl = MQ_STATE_PAYLOAD(s);
	if (!mq_state_has_constants(s))
		mq_put_i32(pl + SS_SRID, pt.srid);
	else
	{
		int32		first = mq_get_i32(pl + SS_SRID);
		bool		have = true;

		mq_srid_check(pt.srid, &first, &have, STSCAN_NAME);
	}
	SsConstants(c, radius, maxdays, reps, seed, prosp);
	mq_state_constants(s, c, 5, STSCAN_NAME);

	s = StateRoom(s, SS_REC);
	pl = MQ_STATE_PAYLOAD(s);
	used = mq_state_used(s);
	rec.x = pt.x;
	rec.y = pt.y;
	rec.cases = cases;
	rec.day = day;
	RecPut(pl + used, &rec);
	mq_state_set_used(s, (uint32) (used + SS_REC));
	mq_put_i32(pl + SS_SORTED, 0);
	PG_RETURN_BYTEA_P(s);

skip:
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* stscan_combine(a, b): constants must agree; b's records are appended. */
PG_FUNCTION_INFO_V1(stscan_combine);
Datum
stscan_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_STSCAN, SS_HDR, STSCAN_NAME, &done);
	bytea	   *b;
	char	   *pa,
			   *pb;
	Size		ua,
				ub;
	MqStateConst c[5];

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(a);
	}
	b = mq_state_check(PG_GETARG_DATUM(1), MQ_KIND_STSCAN, SS_HDR, STSCAN_NAME);
	pa = MQ_STATE_PAYLOAD(a);
	pb = MQ_STATE_PAYLOAD(b);
	if (!mq_state_has_constants(b))
		PG_RETURN_BYTEA_P(a);
	if (!mq_state_has_constants(a))
		mq_put_i32(pa + SS_SRID, mq_get_i32(pb + SS_SRID));
	else
	{
		int32		first = mq_get_i32(pa + SS_SRID);
		bool		have = true;

		mq_srid_check(mq_get_i32(pb + SS_SRID), &first, &have, STSCAN_NAME);
	}
	SsConstants(c, 0, 0, 0, 0, 0);
	mq_state_combine_constants(a, b, c, 5, STSCAN_NAME);
	ub = mq_state_used(b) - SS_HDR;
	if ((ub % SS_REC) != 0 || ((mq_state_used(a) - SS_HDR) % SS_REC) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid stscan state: payload is not a whole number of records"),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	a = StateRoom(a, ub);
	pa = MQ_STATE_PAYLOAD(a);
	ua = mq_state_used(a);
	memcpy(pa + ua, MQ_STATE_PAYLOAD(b) + SS_HDR, ub);
	mq_state_set_used(a, (uint32) (ua + ub));
	mq_put_i32(pa + SS_SORTED, 0);
	PG_RETURN_BYTEA_P(a);
}

/* ------------------------------------------------------------------------
 * The scan
 * ------------------------------------------------------------------------ */

typedef struct SsScan
{
	int			L;				/* locations */
	int			D;				/* days */
	int			M;				/* longest window */
	bool		prospective;
	double		C;				/* total cases */
	double	   *NL;				/* [L] location totals */
	double	   *ntm;			/* [M+1][D+1]: (window total)/C, window (t-m, t] */
	int64	   *nb_start;		/* [L+1] CSR neighbour lists */
	int32	   *nb_idx;			/* neighbour location, sorted by distance */
	double	   *nb_dist;
	bool	   *nb_last;		/* true where a distance group ends */
	double	   *S;				/* [L][D+1] cumulative counts, S[l][0] = 0 */
	double	   *cz;				/* [D+1] scratch: the zone's cumulative counts */
} SsScan;

typedef struct Cyl
{
	double		llr;
	double		c;
	double		mu;
	int			center;
	int			kend;			/* last neighbour index (inclusive) */
	int			t;				/* window (t-m, t] in cumulative indexing */
	int			m;
} Cyl;

static inline double
Llr(double c, double mu, double C)
{
	double		r;

	if (!(c > mu) || mu <= 0)
		return 0.0;
	r = c * log(c / mu);
	if (C - c > 0)
		r += (C - c) * log((C - c) / (C - mu));
	return r;
}

/*
 * Scan every cylinder of centre i with the counts in sc->S.
 * observed: record in *best the centre's best cylinder (any LLR > 0).
 * Otherwise a replication: *runmax is raised to the largest LLR above
 * `lfloor`; returns true (stop) as soon as *runmax >= stop_at.
 *
 * The zone's cumulative day counts Z grow member by member (D additions);
 * a window (t-m, t] then costs Z[t] - Z[t-m].  The screen loop is branch
 * free so the compiler vectorises it (AVX2 clone where the CPU has it).
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("avx2", "default"), optimize("O3")))
#endif
static bool
ScanCenter(SsScan *sc, int i, bool observed, Cyl *best,
		   double lfloor, double stop_at, double *runmax)
{
	int			D1 = sc->D + 1;
	int64		k0 = sc->nb_start[i],
				k1 = sc->nb_start[i + 1];
	double		nz = 0;
	double		C = sc->C;
	double	   *restrict Z = sc->cz;
	int			tlo = sc->prospective ? sc->D - sc->M : 1;

	memset(Z, 0, sizeof(double) * D1);
	for (int64 k = k0; k < k1; k++)
	{
		const double *restrict Sl = sc->S + (Size) sc->nb_idx[k] * D1;

		nz += sc->NL[sc->nb_idx[k]];
		for (int t = tlo; t < D1; t++)
			Z[t] += Sl[t];
		if (!sc->nb_last[k] || nz <= 0)
			continue;

		/* evaluate the zone of members k0..k */
		for (int m = 1; m <= sc->M; m++)
		{
			const double *restrict ntm = sc->ntm + (Size) m * D1;
			int			t0 = sc->prospective ? sc->D : m,
						t1 = sc->D;
			double		thr = observed ? best->llr : Max(lfloor, *runmax);
			double		thr2 = 2.0 * thr * (1.0 - 1e-9);

			for (int b0 = t0; b0 <= t1; b0 += SCREEN_BLOCK)
			{
				int64		any = 0;
				int			b1 = Min(b0 + SCREEN_BLOCK - 1, t1);

				/*
				 * Screen (branch free, vectorised): a cylinder can reach thr
				 * only if d² (C + μ) >= 2 thr μ (C - μ), from
				 * LLR <= d²/(2μ) + d²/(C-μ), d = c - μ > 0.
				 */
				if (b1 - b0 + 1 == SCREEN_BLOCK)
				{
					for (int q = 0; q < SCREEN_BLOCK; q++)
					{
						int			t = b0 + q;
						double		mu = nz * ntm[t];
						double		d = (Z[t] - Z[t - m]) - mu;

						any |= (int64) ((d > 0) & (d * d * (C + mu) >= thr2 * mu * (C - mu)));
					}
					if (!any)
						continue;
				}
				for (int t = b0; t <= b1; t++)
				{
					double		mu = nz * ntm[t];
					double		c = Z[t] - Z[t - m];
					double		d = c - mu;
					double		llr;

					if (!(d > 0) || d * d * (C + mu) < thr2 * mu * (C - mu))
						continue;
					llr = Llr(c, mu, C);
					if (observed)
					{
						if (llr > best->llr)
						{
							best->llr = llr;
							best->c = c;
							best->mu = mu;
							best->center = i;
							best->kend = (int) (k - k0);
							best->t = t;
							best->m = m;
							thr2 = 2.0 * llr * (1.0 - 1e-9);
						}
					}
					else if (llr > *runmax)
					{
						*runmax = llr;
						if (llr >= stop_at)
							return true;
						thr2 = 2.0 * Max(lfloor, llr) * (1.0 - 1e-9);
					}
				}
			}
		}
	}
	return false;
}

/* uniform integer in [0, n) from 64 random bits (Lemire's multiply-shift) */
static inline int64
RandBelow(pg_prng_state *prng, int64 n)
{
#ifdef HAVE_INT128
	return (int64) (((uint128) pg_prng_uint64(prng) * (uint64) n) >> 64);
#else
	return (int64) (pg_prng_double(prng) * (double) n);
#endif
}

/*
 * A uniformly random permutation of a[0..n-1] (Rao–Sandelius): every element
 * goes to one of 256 random buckets, each bucket is Fisher–Yates shuffled
 * (it fits in cache), the buckets are concatenated.  Exact, and about five
 * times faster than one Fisher–Yates pass over an array larger than the
 * cache.  Returns the shuffled array: `a` or `tmp`.
 */
static int32 *
ShuffleCases(int32 *a, int32 *tmp, uint8 *bk, int64 n, pg_prng_state *prng)
{
	int64		cnt[256],
				off[256];
	int32	   *out = tmp;

	if (n < 65536)
	{
		for (int64 j = n - 1; j > 0; j--)
		{
			int64		q = RandBelow(prng, j + 1);
			int32		x = a[j];

			a[j] = a[q];
			a[q] = x;
		}
		return a;
	}
	memset(cnt, 0, sizeof(cnt));
	for (int64 j = 0; j < n; j += 8)
	{
		uint64		r = pg_prng_uint64(prng);

		for (int q = 0; q < 8 && j + q < n; q++)
		{
			bk[j + q] = (uint8) (r & 0xff);
			r >>= 8;
		}
	}
	for (int64 j = 0; j < n; j++)
		cnt[bk[j]]++;
	off[0] = 0;
	for (int b = 1; b < 256; b++)
		off[b] = off[b - 1] + cnt[b - 1];
	for (int64 j = 0; j < n; j++)
		out[off[bk[j]]++] = a[j];
	for (int b = 0; b < 256; b++)
	{
		int32	   *seg = out + off[b] - cnt[b];

		for (int64 j = cnt[b] - 1; j > 0; j--)
		{
			int64		q = RandBelow(prng, j + 1);
			int32		x = seg[j];

			seg[j] = seg[q];
			seg[q] = x;
		}
	}
	return out;
}

/* Fill sc->S (cumulative per location) from a location-day count matrix. */
static void
Cumulate(SsScan *sc, const int32 *x)
{
	int			D = sc->D;

	for (int l = 0; l < sc->L; l++)
	{
		double	   *Sl = sc->S + (Size) l * (D + 1);
		const int32 *xl = x + (Size) l * D;
		double		acc = 0;

		Sl[0] = 0;
		for (int t = 0; t < D; t++)
		{
			acc += xl[t];
			Sl[t + 1] = acc;
		}
	}
}

static int
CylCmp(const void *a, const void *b)
{
	const Cyl  *ca = a;
	const Cyl  *cb = b;

	if (ca->llr != cb->llr)
		return ca->llr > cb->llr ? -1 : 1;
	return ca->center - cb->center;
}

typedef struct Nb
{
	double		d;
	int			l;
} Nb;

static int
NbCmp(const void *a, const void *b)
{
	const Nb   *na = a;
	const Nb   *nb = b;

	if (na->d != nb->d)
		return na->d < nb->d ? -1 : 1;
	return na->l - nb->l;
}

/*
 * Neighbour lists within `radius` (neighbors.c's grid), each sorted by
 * distance; two passes (count, fill) so the total is refused up front when
 * it exceeds minqing.max_cells.
 */
static void
BuildNeighbours(SsScan *sc, const double *px, const double *py, double radius)
{
	int			L = sc->L;
	Nb		   *buf = palloc(sizeof(Nb) * L);
	MqNeighborIndex *ix = mq_nb_build(px, py, L, radius);
	int32	   *found = NULL;
	int			cap = 0;

	sc->nb_start = palloc(sizeof(int64) * (L + 1));

	for (int pass = 0; pass < 2; pass++)
	{
		int64		total = 0;

		for (int i = 0; i < L; i++)
		{
			int			n = mq_nb_within(ix, px[i], py[i], &found, &cap);

			CHECK_FOR_INTERRUPTS();
			if (pass == 0)
			{
				sc->nb_start[i] = total;
				total += n;
				continue;
			}
			for (int q = 0; q < n; q++)
			{
				int			j = found[q];
				double		ddx = px[j] - px[i],
							ddy = py[j] - py[i];

				buf[q].d = sqrt(ddx * ddx + ddy * ddy);
				buf[q].l = j;
			}
			qsort(buf, n, sizeof(Nb), NbCmp);
			for (int q = 0; q < n; q++)
			{
				int64		k = sc->nb_start[i] + q;

				sc->nb_idx[k] = buf[q].l;
				sc->nb_dist[k] = buf[q].d;
				sc->nb_last[k] = (q == n - 1) || (buf[q + 1].d > buf[q].d);
			}
		}
		if (pass == 0)
		{
			sc->nb_start[L] = total;
			mq_check_cells((double) total, "stscan() neighbour pairs within max_radius");
			sc->nb_idx = palloc(sizeof(int32) * Max(total, 1));
			sc->nb_dist = palloc(sizeof(double) * Max(total, 1));
			sc->nb_last = palloc(sizeof(bool) * Max(total, 1));
		}
	}
	mq_nb_free(ix);
	if (found)
		pfree(found);
	pfree(buf);
}

/* true when cylinders a and b share a location-day */
static bool
Overlap(const SsScan *sc, const Cyl *a, const bool *amember, const Cyl *b)
{
	int			as = a->t - a->m,
				bs = b->t - b->m;

	/* windows (as, a->t] and (bs, b->t] */
	if (a->t <= bs || b->t <= as)
		return false;
	for (int64 k = sc->nb_start[b->center]; k <= sc->nb_start[b->center] + b->kend; k++)
		if (amember[sc->nb_idx[k]])
			return true;
	return false;
}

/*
 * What stscan_final reads from its state before the scan: the per-call
 * constants, the locations and days, and the cases one by one (a
 * replication permutes their days).
 */
typedef struct SsInput
{
	int32		srid,
				reps,
				seed;
	double		radius;
	int32		dmin;			/* the first day */
	int64		C;				/* total cases */
	int32	   *locof;			/* [nrec] location of each record */
	double	   *lx,				/* [L] location coordinates as given */
			   *ly;
	int32	   *x;				/* [L][D] observed, then replicated counts */
	int32	   *case_loc,		/* [C] location and day of each case */
			   *case_day;
} SsInput;

/* The clusters kept, their members and their replication counts. */
typedef struct SsClusters
{
	int			nkept;
	Cyl			kept[STSCAN_MAX_CLUSTERS];
	bool	   *kmember[STSCAN_MAX_CLUSTERS];	/* [L] */
	int64		exceed[STSCAN_MAX_CLUSTERS];	/* replications with LLR >= it */
} SsClusters;

/*
 * Locations (records are sorted by x, y, day), days and the total of cases;
 * the cases must be whole numbers and the sizes within the limits.
 */
static void
SsLocations(SsInput *in, SsScan *sc, const SsRec *rec, int64 nrec, int32 maxdays)
{
	int32		dmin = PG_INT32_MAX,
				dmax = PG_INT32_MIN;
	int64		C = 0;

	in->locof = palloc(sizeof(int32) * Max(nrec, 1));
	in->lx = palloc(sizeof(double) * Max(nrec, 1));
	in->ly = palloc(sizeof(double) * Max(nrec, 1));
	for (int64 i = 0; i < nrec; i++)
	{
		if (i == 0 || rec[i].x != rec[i - 1].x || rec[i].y != rec[i - 1].y)
		{
			in->lx[sc->L] = rec[i].x;
			in->ly[sc->L] = rec[i].y;
			sc->L++;
		}
		in->locof[i] = sc->L - 1;
		dmin = Min(dmin, rec[i].day);
		dmax = Max(dmax, rec[i].day);
		if (rec[i].cases < 0 || rec[i].cases != floor(rec[i].cases))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid stscan state: cases %g", rec[i].cases)));
		C += (int64) rec[i].cases;
	}
	sc->D = dmax - dmin + 1;
	sc->M = Min(maxdays, sc->D);
	mq_check_cells((double) sc->L * (sc->D + 1), "stscan() locations × days");
	mq_check_cells((double) C, "stscan() total cases (each is permuted)");
	if (C > PG_INT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: at most %d cases in total are supported", STSCAN_NAME, PG_INT32_MAX / 2),
				 errdetail("Got %lld.", (long long) C)));
	in->dmin = dmin;
	in->C = C;
}

/*
 * Observed location-day counts, the list of cases, the location totals
 * and every window's total over all locations (divided by C).
 */
static void
SsCounts(SsInput *in, SsScan *sc, const SsRec *rec, int64 nrec)
{
	int64		j = 0;
	double	   *cum;

	sc->C = (double) in->C;
	in->x = palloc0(sizeof(int32) * (Size) sc->L * sc->D);
	in->case_loc = palloc(sizeof(int32) * in->C);
	in->case_day = palloc(sizeof(int32) * in->C);
	sc->NL = palloc0(sizeof(double) * sc->L);
	for (int64 i = 0; i < nrec; i++)
	{
		int			t = rec[i].day - in->dmin;
		int64		n = (int64) rec[i].cases;

		in->x[(Size) in->locof[i] * sc->D + t] += (int32) n;
		sc->NL[in->locof[i]] += n;
		for (int64 q = 0; q < n; q++)
		{
			in->case_loc[j] = in->locof[i];
			in->case_day[j] = t;
			j++;
		}
	}
	sc->ntm = palloc0(sizeof(double) * (Size) (sc->M + 1) * (sc->D + 1));
	cum = palloc0(sizeof(double) * (sc->D + 1));
	for (int l = 0; l < sc->L; l++)
		for (int t = 0; t < sc->D; t++)
			cum[t + 1] += in->x[(Size) l * sc->D + t];
	for (int t = 1; t <= sc->D; t++)
		cum[t] += cum[t - 1];
	for (int m = 1; m <= sc->M; m++)
		for (int t = m; t <= sc->D; t++)
			sc->ntm[(Size) m * (sc->D + 1) + t] = (cum[t] - cum[t - m]) / sc->C;
}

/*
 * The observed pass: the best cylinder of every centre, sorted by LLR, kept
 * greedily when it shares no location-day with a kept one.
 */
static void
SsKeepClusters(SsScan *sc, const int32 *x, SsClusters *cl)
{
	Cyl		   *best = palloc0(sizeof(Cyl) * sc->L);

	Cumulate(sc, x);
	for (int i = 0; i < sc->L; i++)
	{
		CHECK_FOR_INTERRUPTS();
		best[i].llr = 0;
		best[i].center = i;
		ScanCenter(sc, i, true, &best[i], 0, 0, NULL);
	}
	qsort(best, sc->L, sizeof(Cyl), CylCmp);
	for (int i = 0; i < sc->L && cl->nkept < STSCAN_MAX_CLUSTERS; i++)
	{
		bool		ok = true;

		if (!(best[i].llr > 0))
			break;
		for (int q = 0; q < cl->nkept && ok; q++)
			if (Overlap(sc, &cl->kept[q], cl->kmember[q], &best[i]))
				ok = false;
		if (!ok)
			continue;
		cl->kept[cl->nkept] = best[i];
		cl->kmember[cl->nkept] = palloc0(sizeof(bool) * sc->L);
		for (int64 k = sc->nb_start[best[i].center];
			 k <= sc->nb_start[best[i].center] + best[i].kend; k++)
			cl->kmember[cl->nkept][sc->nb_idx[k]] = true;
		cl->exceed[cl->nkept] = 0;
		cl->nkept++;
	}
}

/*
 * The replications: permute the days among the cases (seeded), rescan, and
 * count for every kept cluster the replications whose largest LLR reaches
 * its own.
 */
static void
SsReplicate(SsScan *sc, SsInput *in, SsClusters *cl)
{
	double		lmin = cl->kept[cl->nkept - 1].llr,
				lmax = cl->kept[0].llr;
	int32	   *case_tmp = palloc(sizeof(int32) * in->C);
	uint8	   *case_bk = palloc(in->C);
	pg_prng_state prng;

	pg_prng_seed(&prng, (uint64) (int64) in->seed);
	for (int r = 0; r < in->reps; r++)
	{
		double		runmax = 0;
		int32	   *shuffled;

		CHECK_FOR_INTERRUPTS();
		shuffled = ShuffleCases(in->case_day, case_tmp, case_bk, in->C, &prng);
		if (shuffled == case_tmp)
		{
			case_tmp = in->case_day;
			in->case_day = shuffled;
		}
		memset(in->x, 0, sizeof(int32) * (Size) sc->L * sc->D);
		for (int64 j = 0; j < in->C; j++)
			in->x[(Size) in->case_loc[j] * sc->D + in->case_day[j]]++;
		Cumulate(sc, in->x);
		for (int i = 0; i < sc->L; i++)
		{
			CHECK_FOR_INTERRUPTS();
			if (ScanCenter(sc, i, false, NULL, lmin, lmax, &runmax))
				break;
		}
		for (int q = 0; q < cl->nkept; q++)
			if (runmax >= cl->kept[q].llr)
				cl->exceed[q]++;
	}
}

/* One minqing.stscan_cluster per kept cluster, in LLR order. */
static void
SsAddClusters(MqCompositeArray *result, const SsScan *sc, const SsInput *in,
			  const SsClusters *cl)
{
	for (int q = 0; q < cl->nkept; q++)
	{
		const Cyl  *c = &cl->kept[q];
		Datum		v[10];
		bool		n[10] = {false};
		int64		kfirst = sc->nb_start[c->center];

		v[0] = Int32GetDatum(q + 1);
		v[1] = mq_point_make(in->lx[c->center], in->ly[c->center], in->srid);
		v[2] = Float8GetDatum(sc->nb_dist[kfirst + c->kend]);
		v[3] = DateADTGetDatum(in->dmin + (c->t - c->m));
		v[4] = DateADTGetDatum(in->dmin + c->t - 1);
		v[5] = Float8GetDatum(c->c);
		v[6] = Float8GetDatum(c->mu);
		v[7] = Float8GetDatum(c->llr);
		v[8] = Float8GetDatum((1.0 + cl->exceed[q]) / (in->reps + 1.0));
		v[9] = Int32GetDatum(c->kend + 1);
		mq_carray_add(result, v, n);
	}
}

/*
 * stscan_final(state) -> minqing.stscan_cluster[]: NULL for empty input,
 * an empty array when no cylinder has more cases than expected.  Scratch
 * work lives in a memory context deleted at the end.
 */
PG_FUNCTION_INFO_V1(stscan_final);
Datum
stscan_final(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *pl;
	SsRec	   *rec;
	int64		nrec;
	SsScan		sc;
	SsInput		in;
	SsClusters	cl;
	double	   *px,
			   *py;
	MqCompositeArray result;
	MemoryContext scratch,
				old;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_STSCAN, SS_HDR, STSCAN_NAME);
	pl = MQ_STATE_PAYLOAD(s);
	if (!mq_state_has_constants(s) || mq_state_used(s) == SS_HDR)
		PG_RETURN_NULL();
	if (((mq_state_used(s) - SS_HDR) % SS_REC) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid stscan state: payload is not a whole number of records"),
				 errhint("Pass only states produced by minqing's own transition functions.")));

	mq_carray_init(&result, fcinfo);

	memset(&in, 0, sizeof(in));
	in.srid = mq_get_i32(pl + SS_SRID);
	in.reps = mq_get_i32(pl + SS_REPS);
	in.seed = mq_get_i32(pl + SS_SEED);
	in.radius = mq_get_f8(pl + SS_RADIUS);
	CheckParams(in.radius, mq_get_i32(pl + SS_MAXDAYS), in.reps);

	scratch = AllocSetContextCreate(CurrentMemoryContext, "stscan scratch", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(scratch);

	nrec = StateRecords(s, &rec);
	memset(&sc, 0, sizeof(sc));
	memset(&cl, 0, sizeof(cl));
	sc.prospective = mq_get_i32(pl + SS_PROSP) != 0;
	SsLocations(&in, &sc, rec, nrec, mq_get_i32(pl + SS_MAXDAYS));

	/* projected coordinates: meters for geographic SRIDs */
	px = palloc(sizeof(double) * sc.L);
	py = palloc(sizeof(double) * sc.L);
	memcpy(px, in.lx, sizeof(double) * sc.L);
	memcpy(py, in.ly, sizeof(double) * sc.L);
	if (mq_srid_is_geographic(in.srid))
		mq_to_local_meters(px, py, sc.L, MQ_CENTRE_MIDRANGE, 0, 0, in.srid, NULL, STSCAN_NAME);

	if (in.C > 0)
	{
		SsCounts(&in, &sc, rec, nrec);
		BuildNeighbours(&sc, px, py, in.radius);
		sc.S = palloc(sizeof(double) * (Size) sc.L * (sc.D + 1));
		sc.cz = palloc(sizeof(double) * (sc.D + 1));
		SsKeepClusters(&sc, in.x, &cl);
		if (cl.nkept > 0)
			SsReplicate(&sc, &in, &cl);
	}

	MemoryContextSwitchTo(old);
	SsAddClusters(&result, &sc, &in, &cl);
	MemoryContextDelete(scratch);
	PG_RETURN_ARRAYTYPE_P(mq_carray_result(&result));
}
