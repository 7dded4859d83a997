/*
 * generate.h — the model of the synthetic city behind minqing.generate_city
 * (SPEC §1), shared by the generator's files:
 *
 *   generate.c          the fixed tables, the city model (BuildCity) and
 *                       generate_city_units()
 *   generate_orders.c   generate_city_orders(): one row through named steps
 *   generate_planted.c  generate_city_planted(): the ground truth
 *   generate_text.c     the complaint text of an order (column content)
 *
 * Adding a phenomenon (a feature that must be found in the generated data)
 * -------------------------------------------------------------------------
 * Put the code in its own file, src/generate_<feature>.c, and keep every row
 * other features rely on byte-identical (expected/generate.out):
 *
 *  1. Random numbers: draw only from a stream of your own,
 *         GenRng rng;  RngInit(&rng, seed, (uint64) o->row, GEN_STREAM_<FEATURE>);
 *     with a constant registered in the list below.  The base row draws from
 *     GEN_STREAM_ORDER; a step that used that stream would shift every later
 *     draw of the row.  Fixed (seed-independent) geography uses FixedUnif()
 *     with a first argument of its own.
 *  2. Per-order steps: a function  void gen_<feature>_order(const GenCity *,
 *     uint64 seed, GenOrder *o)  declared at the end of this file and called
 *     in GenOrderBuild() (generate_orders.c) at the marked place, after the
 *     base steps.  It may read every field and set the fields it owns (add
 *     them to GenOrder); OrderTuple() turns GenOrder into the SQL row.
 *     Another SRF can rebuild row i's base fields with GenOrderBuild().
 *  3. Ground truth: a function  void gen_<feature>_planted(const GenCity *,
 *     GenPlanted *)  called at the marked place of generate_city_planted()
 *     (generate_planted.c), emitting its rows with PlantedEmit().
 *  4. Tables of its own (not new columns of work_order): created by the
 *     PL/pgSQL minqing.generate_city (install/20-generate.sql) at the marked
 *     place, from a C SRF of the feature.
 */
#ifndef MINQING_GENERATE_H
#define MINQING_GENERATE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "funcapi.h"
#include "lib/stringinfo.h"

#include "mqhash.h"

/* ------------------------------------------------------------------------
 * Random streams of a row: RngInit(&rng, seed, row, GEN_STREAM_...).
 * Register one constant per feature here; never reuse one.
 * ------------------------------------------------------------------------ */
#define GEN_STREAM_ORDER	UINT64CONST(1)	/* the base row (generate_orders.c) */
#define GEN_STREAM_TEXT		UINT64CONST(16)	/* complaint text (generate_text.c) */
#define GEN_STREAM_GRID		UINT64CONST(17)	/* the planted grid problem (generate_grid.c) */

/* ------------------------------------------------------------------------
 * Fixed geography
 * ------------------------------------------------------------------------ */
#define GEN_MAX_ORDERS		100000000
#define GEN_NDAYS			731			/* 2024-01-01 .. 2025-12-31 */
#define GEN_DAY0			8766		/* 2024-01-01 as a DateADT (days since 2000-01-01) */
#define GEN_NDIST			8
#define GEN_NSTREET			(GEN_NDIST * 6)
#define GEN_NCOMM			(GEN_NSTREET * 9)
#define GEN_SRID			4326

/* planted units (indexes into the street / community arrays) and dates */
#define GEN_SMALL_COMM		409			/* street 45, community 5 */
#define GEN_SMALL_POP		600.0
#define GEN_SURGE_STREET	20
#define GEN_SURGE_DAY		616			/* 2025-09-08, a Monday */
#define GEN_SURGE_DAYS		28
#define GEN_SURGE_RADIUS	150.0
#define GEN_POLICY_DAY		456			/* 2025-04-01 */
#define GEN_POLICY_EFFECT	0.70
#define GEN_POLICY_TREATED_DISTRICT 2
#define GEN_POLICY_CONTROL_DISTRICT 5
#define GEN_STORM_DAY		566			/* 2025-07-20 */
#define GEN_STORM_END		568			/* rain ends 2025-07-22 */

extern const double gen_xcols[5];
extern const double gen_yrows[3];
extern const int gen_bad_streets[3];
extern const int gen_surge_members[3];	/* communities of the surge street */

/* ------------------------------------------------------------------------
 * Categories (codes of minqing.category builtin leaves), departments,
 * hotspots, channels: the tables are in generate.c
 * ------------------------------------------------------------------------ */
typedef struct GenCategory
{
	const char *code;
	double		share;			/* per mille of base demand, before seasons */
	double		amp;			/* seasonal amplitude (cosine) */
	int			peak;			/* day of year of the seasonal peak */
	double		difficulty;		/* shift of the resolution probability */
	double		storm;			/* peak multiplier - 1 during the storm */
	int			dept;			/* index into gen_departments */
} GenCategory;

#define GEN_NCAT			37
#define GEN_NDEPT			18
#define GEN_DEPT_STREET_OFFICE 17
#define GEN_NCHANNEL		4

extern const GenCategory gen_categories[GEN_NCAT];
extern const char *const gen_departments[GEN_NDEPT];
extern const char *const gen_channels[GEN_NCHANNEL];
extern const double gen_channel_cdf[GEN_NCHANNEL];

/* Hotspots: extra orders uniform in a disk around a community's center */
typedef struct GenHotspot
{
	const char *label;
	int			comm;			/* community whose center (plus offset) is the center */
	double		dx_m,
				dy_m;			/* offset of the center from it, meters */
	double		radius;			/* meters */
	double		fraction;		/* share of all orders */
	int			day_from,
				day_to;			/* active days (inclusive) */
	const char *cats[3];
	double		catw[3];
} GenHotspot;

#define GEN_NHOT			4
extern const GenHotspot gen_hotspots[GEN_NHOT];

/* ------------------------------------------------------------------------
 * The city model, built once per call by BuildCity(orders)
 * ------------------------------------------------------------------------ */
typedef struct GenUnit
{
	char		code[13];
	int			district;
	int			street;
	double		x0,
				y0,
				x1,
				y1;
	double		pop;
	double		weight;
	bool		treated;		/* policy */
	bool		control;
} GenUnit;

typedef struct GenStreet
{
	char		code[13];
	double		x0,
				y0,
				x1,
				y1;
	double		quality;		/* -1 .. 1 */
	bool		bad;
} GenStreet;

typedef struct GenSurgeSlot
{
	int			comm;
	int			day;
	int64		cum;			/* slots up to and including this one */
} GenSurgeSlot;

typedef struct GenCity
{
	int64		orders;
	GenStreet	streets[GEN_NSTREET];
	GenUnit		comms[GEN_NCOMM];
	double		unit_cdf[GEN_NCOMM];
	double		day_cdf[GEN_NDAYS];
	double		cat_cdf[GEN_NDAYS][GEN_NCAT];
	double		hour_cdf[24];
	int			parking;
	int			grid_plant_comm;	/* the community of the planted grid problem */
	/* component plan, in slots */
	int64		n_small;
	int64		n_surge;
	int64		n_hot[GEN_NHOT];
	int64		start_surge,
				start_hot[GEN_NHOT],
				start_base;
	uint64		perm_a;
	int			surge_scale;
	GenSurgeSlot surge[GEN_SURGE_DAYS * 3];
	int			nsurge_slots;
	double		hot_x[GEN_NHOT],
				hot_y[GEN_NHOT];
	double		surge_x[3],
				surge_y[3];
	int			hot_cat[GEN_NHOT][3];
	bool		calm;			/* generate_city(…, events => false) */
} GenCity;

/*
 * calm = true builds the same city without its planted events: no e-bike
 * surge, no storm (nor its response drop), no parking policy effect and no
 * time-limited hotspot (the 2024 construction site).  The static truths
 * (hotspots of all days, bad streets, the small community) stay.  The rows
 * differ from the default city's (the component plan changes); calm = false
 * is the default city, unchanged.
 */
extern GenCity *BuildCity(int64 orders, bool calm);
extern bool GenHotspotIsEvent(int h);
extern void CheckOrdersArg(int64 orders);

/* ------------------------------------------------------------------------
 * Random numbers: counter-based, so row i is the same in any chunking
 * ------------------------------------------------------------------------ */

/* splitmix64 of z (mqhash.h's one copy) */
#define SplitMix(z) mq_splitmix64(z)

/* counter-based stream of one row: value k = mix(key + k * golden) */
typedef struct GenRng
{
	uint64		key;
	uint64		ctr;
} GenRng;

static inline void
RngInit(GenRng *r, uint64 seed, uint64 row, uint64 stream)
{
	r->key = SplitMix(SplitMix(SplitMix(seed) ^ row) + stream);
	r->ctr = 0;
}

static inline uint64
RngNext(GenRng *r)
{
	r->ctr++;
	return SplitMix(r->key + r->ctr * MQ_GOLDEN64);
}

/* uniform in [0, 1) with 53 random bits */
static inline double
RngUnif(GenRng *r)
{
	return mq_unit_double(RngNext(r));
}

/* smallest index with cdf[i] > u (cdf nondecreasing, cdf[n-1] = total) */
static inline int
CdfSearch(const double *cdf, int n, double u)
{
	int			lo = 0,
				hi = n - 1;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static inline double
Clamp01(double p)
{
	return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

/* geography helpers (generate.c) */
extern double FixedUnif(uint64 a, uint64 b);
extern void MetersPerDegree(double lat, double *mlat, double *mlon);
extern int	CategoryIndex(const char *code);
extern int	LocateCommunity(double x, double y);

/* ------------------------------------------------------------------------
 * One order, as the steps of generate_orders.c build it
 * ------------------------------------------------------------------------ */
typedef struct GenOrder
{
	int64		row;			/* 0-based row number; id = row + 1 */
	int64		slot;			/* the row's slot in the component plan */
	bool		small;			/* a row of the small community */
	int			day;			/* 0 .. GEN_NDAYS - 1 */
	int			cat;			/* index into gen_categories */
	int			comm;			/* index into GenCity.comms */
	double		x,
				y;				/* SRID 4326 */
	TimestampTz created;
	bool		responded,
				resolved,
				surveyed,
				satisfied;
	double		hours_open;
	uint64		caller;
	int			dept;			/* index into gen_departments */
	int			channel;		/* index into gen_channels */
	char		content[1024];	/* complaint text (generate_text.c) */
	int			grid;			/* grid serial 1.. within comm (generate_grid.c) */
} GenOrder;

extern void GenOrderBuild(const GenCity *city, uint64 seed, int64 row, GenOrder *o);

/* ------------------------------------------------------------------------
 * Ground truth rows (generate_planted.c)
 * ------------------------------------------------------------------------ */
typedef struct GenPlanted
{
	ReturnSetInfo *rsinfo;
	TupleDesc	tupdesc;
	int			id;				/* last id emitted */
	StringInfoData details;		/* JSON text of the next row: reset, fill, emit */
} GenPlanted;

extern void PlantedEmit(GenPlanted *p, const char *kind, const char *label,
						const char *const *codes, int ncodes, const char *cat,
						int day_from, int day_to, double effect,
						const char *wkt, double radius);

/* ------------------------------------------------------------------------
 * Steps of other features (src/generate_<feature>.c): declare them here
 * ------------------------------------------------------------------------ */

/* complaint text (generate_text.c) */
extern void gen_text_order(const GenCity *city, uint64 seed, GenOrder *o);
extern void GenCommunityNameZh(int comm, char *buf, int len);

/* grids, level 6 (generate_grid.c) */
#define GEN_MAX_GRIDS	9		/* grids of a community at most */
extern int	gen_grid_plant_comm(const GenCity *city);
extern void gen_grid_layout(const GenCity *city, int comm, int *gx, int *gy);
extern void gen_grid_bbox(const GenCity *city, int comm, int serial,
						  double *x0, double *y0, double *x1, double *y1);
extern double gen_grid_population(const GenCity *city, int comm, int serial);
extern void gen_grid_order(const GenCity *city, uint64 seed, GenOrder *o);
extern void gen_grid_planted(const GenCity *city, GenPlanted *p);

#endif							/* MINQING_GENERATE_H */
