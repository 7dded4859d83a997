/*
 * generate.c — the synthetic city behind minqing.generate_city (SPEC §1).
 *
 * A fictitious city, 明清市 Mingqing (admin prefix 9901), is laid out as
 * nested rectangles: 8 districts (4 columns x 2 rows, the middle columns the
 * dense urban core), each cut into 6 streets (2 x 3) and each street into 9
 * communities (3 x 3): 1 + 8 + 48 + 432 units that tile the city exactly.
 * The geography, the populations and the planted truths are the same for
 * every seed; the seed only drives the orders.
 *
 * Orders are generated row by row from a counter-based random generator
 * (splitmix64 of seed, row number and a per-row counter), so row i is the
 * same on any machine, in any chunking and in any order of generation.  Row
 * i is mapped by a fixed permutation to a "slot", and slots are dealt to the
 * components in fixed numbers: the small community, the e-bike surge, four
 * hotspots and the base demand.  Base demand is sampled from the joint
 * intensity  day weight x category share x season(category, day) x
 * storm(category, day) x unit weight x policy(unit, category, day), the last
 * factor by rejection, so the total is exactly `orders`.
 *
 * Three C functions feed the PL/pgSQL function generate_city:
 *   generate_city_units()                       the 489 admin units
 *   generate_city_orders(orders, seed, first, count)  a chunk of orders
 *   generate_city_planted(orders)               the ground truth
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "geom.h"

PG_FUNCTION_INFO_V1(generate_city_units);
PG_FUNCTION_INFO_V1(generate_city_orders);
PG_FUNCTION_INFO_V1(generate_city_planted);

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

static const double gen_xcols[5] = {116.20, 116.32, 116.40, 116.48, 116.60};
static const double gen_yrows[3] = {39.80, 39.95, 40.10};

static const char *const gen_district_names[GEN_NDIST] = {
	"西山区 Xishan", "鼓楼区 Gulou", "文昌区 Wenchang", "东湖区 Donghu",
	"北苑区 Beiyuan", "中山区 Zhongshan", "钟楼区 Zhonglou", "滨江区 Binjiang"
};
static const char *const gen_street_zh[16] = {
	"和平", "光明", "建设", "人民", "新华", "解放", "朝阳", "胜利",
	"幸福", "团结", "长安", "青年", "龙泉", "金桥", "花园", "春晖"
};
static const char *const gen_street_py[16] = {
	"Heping", "Guangming", "Jianshe", "Renmin", "Xinhua", "Jiefang", "Chaoyang", "Shengli",
	"Xingfu", "Tuanjie", "Chang'an", "Qingnian", "Longquan", "Jinqiao", "Huayuan", "Chunhui"
};
static const char *const gen_suffix_zh[3] = {"", "路", "桥"};
static const char *const gen_suffix_py[3] = {"", " Lu", " Qiao"};
static const char *const gen_ordinal_zh[9] = {"一", "二", "三", "四", "五", "六", "七", "八", "九"};

/* planted units (indexes into the street / community arrays) */
static const int gen_bad_streets[3] = {8, 27, 40};
#define GEN_SMALL_COMM		409			/* street 45, community 5 */
#define GEN_SMALL_POP		600.0
#define GEN_SURGE_STREET	20
static const int gen_surge_members[3] = {0, 1, 3};	/* communities of that street */
#define GEN_SURGE_DAY		616			/* 2025-09-08, a Monday */
#define GEN_SURGE_DAYS		28
#define GEN_SURGE_RADIUS	150.0
#define GEN_POLICY_DAY		456			/* 2025-04-01 */
#define GEN_POLICY_EFFECT	0.70
#define GEN_POLICY_TREATED_DISTRICT 2
#define GEN_POLICY_CONTROL_DISTRICT 5
#define GEN_STORM_DAY		566			/* 2025-07-20 */
#define GEN_STORM_END		568			/* rain ends 2025-07-22 */

/* ------------------------------------------------------------------------
 * Categories: codes of minqing.category builtin leaves
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

static const char *const gen_departments[] = {
	"水务局 Water Authority",				/* 0 */
	"供电公司 Power Company",				/* 1 */
	"燃气集团 Gas Group",					/* 2 */
	"热力集团 Heating Group",				/* 3 */
	"城市管理委员会 Urban Management",		/* 4 */
	"生态环境局 Ecology and Environment",	/* 5 */
	"市场监管局 Market Regulation",			/* 6 */
	"公安局 Public Security",				/* 7 */
	"住房和城乡建设委员会 Housing",			/* 8 */
	"交通委员会 Transport",					/* 9 */
	"教育委员会 Education",					/* 10 */
	"人力资源和社会保障局 Human Resources",	/* 11 */
	"卫生健康委员会 Health",				/* 12 */
	"民政局 Civil Affairs",					/* 13 */
	"文化和旅游局 Culture and Tourism",		/* 14 */
	"园林绿化局 Landscaping",				/* 15 */
	"政务服务局 Government Services",		/* 16 */
	"街道办事处 Street Office"				/* 17 */
};
#define GEN_DEPT_STREET_OFFICE 17

static const GenCategory gen_categories[] = {
	/* tier 1 */
	{"water_supply", 60, 0.20, 200, 0.05, 2.0, 0},
	{"power_supply", 45, 0.35, 200, 0.08, 3.0, 1},
	{"gas_supply", 25, 0.30, 15, 0.00, 0.0, 2},
	{"heating", 60, 0.00, 0, 0.05, 0.0, 3},	/* heating season, see DayCategoryWeight */
	{"drainage", 35, 0.50, 200, 0.00, 7.0, 0},
	{"garbage", 55, 0.15, 210, 0.05, 0.0, 4},
	/* tier 2 */
	{"food_safety", 30, 0.20, 210, 0.00, 0.0, 6},
	{"medical_service", 20, 0.15, 20, -0.05, 0.0, 12},
	{"public_order", 25, 0.10, 200, 0.00, 0.0, 7},
	{"fire_safety", 12, 0.20, 20, 0.00, 0.0, 7},
	{"ebike_charging", 15, 0.30, 210, -0.05, 0.0, 7},
	{"property_management", 80, 0.00, 0, -0.10, 0.0, 8},
	{"housing_repair", 35, 0.15, 200, -0.05, 1.5, 8},
	{"traffic_order", 30, 0.00, 0, 0.00, 0.0, 9},
	{"parking", 40, 0.00, 0, -0.10, 0.0, 9},
	{"public_transit", 20, 0.10, 245, 0.00, 0.0, 9},
	{"road_maintenance", 30, 0.20, 70, 0.00, 2.0, 9},
	{"illegal_construction", 25, 0.20, 120, -0.25, 0.0, 4},
	{"street_vending", 20, 0.30, 200, -0.08, 0.0, 4},
	{"social_insurance", 25, 0.00, 0, 0.00, 0.0, 11},
	/* tier 3 */
	{"school_enrollment", 15, 0.90, 200, -0.10, 0.0, 10},
	{"education_fees", 10, 0.40, 245, -0.10, 0.0, 10},
	{"job_seeking", 12, 0.30, 50, 0.00, 0.0, 11},
	{"wage_arrears", 25, 0.60, 20, -0.15, 0.0, 11},
	{"air_pollution", 15, 0.40, 15, -0.10, 0.0, 5},
	{"water_pollution", 8, 0.30, 200, -0.05, 0.0, 5},
	{"noise", 60, 0.45, 195, -0.12, 0.0, 5},
	{"consumer_rights", 45, 0.10, 320, 0.00, 0.0, 6},
	{"real_estate", 15, 0.10, 100, -0.20, 0.0, 8},
	{"elderly_care", 12, 0.00, 0, 0.00, 0.0, 13},
	{"government_service", 20, 0.00, 0, 0.05, 0.0, 16},
	/* tier 4 */
	{"greening", 25, 0.50, 165, 0.00, 2.0, 15},
	{"culture_events", 8, 0.20, 40, 0.00, 0.0, 14},
	{"leisure", 8, 0.30, 190, 0.00, 0.0, 14},
	{"fitness", 10, 0.30, 180, 0.00, 0.0, 14},
	{"tourism", 6, 0.40, 215, 0.00, 0.0, 14},
	{"pets", 15, 0.20, 150, -0.05, 0.0, 4}
};
#define GEN_NCAT ((int) lengthof(gen_categories))

/* ------------------------------------------------------------------------
 * Hotspots: extra orders uniform in a disk around a community's center
 * ------------------------------------------------------------------------ */
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

static const GenHotspot gen_hotspots[] = {
	{"night_market", 9 * 9 + 4, 120, -80, 400, 0.015, 0, GEN_NDAYS - 1,
	{"noise", "street_vending", "food_safety"}, {0.40, 0.35, 0.25}},
	{"construction_site", 26 * 9 + 2, -150, 100, 300, 0.010, 91, 334,	/* 2024-04-01 .. 2024-11-30 */
	{"noise", "air_pollution", "illegal_construction"}, {0.50, 0.30, 0.20}},
	{"old_compound", 33 * 9 + 6, 60, 60, 250, 0.012, 0, GEN_NDAYS - 1,
	{"property_management", "housing_repair", "water_supply"}, {0.50, 0.30, 0.20}},
	{"transit_hub", 38 * 9 + 4, 0, 0, 500, 0.010, 0, GEN_NDAYS - 1,
	{"traffic_order", "public_transit", "parking"}, {0.40, 0.30, 0.30}}
};
#define GEN_NHOT ((int) lengthof(gen_hotspots))

/* weekday factors, Monday first (2024-01-01 is a Monday) */
static const double gen_weekday[7] = {1.10, 1.05, 1.03, 1.00, 0.97, 0.72, 0.68};

/* hour-of-day profile (local time) */
static const double gen_hours[24] = {
	0.30, 0.15, 0.10, 0.08, 0.08, 0.15, 0.40, 1.00, 1.80, 2.20, 2.20, 2.00,
	1.50, 1.70, 2.00, 2.00, 1.90, 1.70, 1.30, 1.20, 1.10, 0.90, 0.70, 0.50
};

static const char *const gen_channels[4] = {"phone", "app", "wechat", "web"};
static const double gen_channel_cdf[4] = {0.68, 0.82, 0.94, 1.0};

/* ------------------------------------------------------------------------
 * The city model, built once per call
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
} GenCity;

/* splitmix64 finalizer */
static inline uint64
SplitMix(uint64 z)
{
	z += UINT64CONST(0x9E3779B97F4A7C15);
	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

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
	return SplitMix(r->key + r->ctr * UINT64CONST(0x9E3779B97F4A7C15));
}

/* uniform in [0, 1) with 53 random bits */
static inline double
RngUnif(GenRng *r)
{
	return (double) (RngNext(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* a fixed (seed-independent) pseudo-random number in [0, 1) for geography */
static double
FixedUnif(uint64 a, uint64 b)
{
	return (double) (SplitMix(SplitMix(a * 7919 + 17) ^ b) >> 11) * (1.0 / 9007199254740992.0);
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

/* meters per degree of latitude and of longitude at a latitude */
static void
MetersPerDegree(double lat, double *mlat, double *mlon)
{
	double		phi = lat * M_PI / 180.0;

	*mlat = 111132.92 - 559.82 * cos(2 * phi) + 1.175 * cos(4 * phi);
	*mlon = 111412.84 * cos(phi) - 93.5 * cos(3 * phi);
}

/* day of year (0-based) and weekday (0 = Monday) of a day index */
static inline int
DayOfYear(int d)
{
	return d < 366 ? d : d - 366;
}

/* holidays: Spring Festival weeks and National Day weeks */
static bool
IsHoliday(int d)
{
	return (d >= 40 && d <= 47) ||		/* 2024-02-10 .. 02-17 */
		(d >= 274 && d <= 280) ||		/* 2024-10-01 .. 10-07 */
		(d >= 393 && d <= 400) ||		/* 2025-01-28 .. 02-04 */
		(d >= 639 && d <= 646);			/* 2025-10-01 .. 10-08 */
}

/* storm profile g(t): 0 before, peak 1 on the day after the rain began */
static double
StormProfile(int d)
{
	int			t = d - GEN_STORM_DAY;

	if (t < 0)
		return 0.0;
	if (t == 0)
		return 0.7;
	if (t == 1)
		return 1.0;
	return 0.8 * exp(-(double) (t - 2) / 3.0);
}

/* heating: season Nov 15 .. Mar 15, strongest in its first three weeks */
static double
HeatingFactor(int doy)
{
	if (doy >= 318 && doy < 339)
		return 4.5;
	if (doy >= 318 || doy < 74)
		return 3.0;
	return 0.25;
}

/* intensity of base demand of category c on day d, before the unit */
static double
DayCategoryWeight(int d, int c)
{
	const GenCategory *cat = &gen_categories[c];
	int			doy = DayOfYear(d);
	double		w = cat->share;

	if (strcmp(cat->code, "heating") == 0)
		w *= HeatingFactor(doy);
	else if (cat->amp != 0)
		w *= 1.0 + cat->amp * cos(2.0 * M_PI * (doy - cat->peak) / 365.25);
	if (cat->storm > 0)
		w *= 1.0 + cat->storm * StormProfile(d);
	return w;
}

static int
CategoryIndex(const char *code)
{
	for (int c = 0; c < GEN_NCAT; c++)
		if (strcmp(gen_categories[c].code, code) == 0)
			return c;
	elog(ERROR, "generate_city: unknown category %s", code);
	return -1;
}

/* index of the community containing (x, y), -1 outside the city */
static int
LocateCommunity(double x, double y)
{
	int			dc = -1,
				dr = -1;
	double		sx,
				sy;
	int			sc,
				sr,
				cc,
				cr;

	for (int i = 0; i < 4; i++)
		if (x >= gen_xcols[i] && x < gen_xcols[i + 1])
			dc = i;
	for (int i = 0; i < 2; i++)
		if (y >= gen_yrows[i] && y < gen_yrows[i + 1])
			dr = i;
	if (dc < 0 || dr < 0)
		return -1;
	sx = (x - gen_xcols[dc]) / (gen_xcols[dc + 1] - gen_xcols[dc]) * 6.0;	/* 2 streets x 3 communities */
	sy = (y - gen_yrows[dr]) / (gen_yrows[dr + 1] - gen_yrows[dr]) * 9.0;	/* 3 streets x 3 communities */
	cc = Min((int) sx, 5);
	cr = Min((int) sy, 8);
	sc = cc / 3;
	sr = cr / 3;
	return ((dr * 4 + dc) * 6 + sr * 2 + sc) * 9 + (cr % 3) * 3 + (cc % 3);
}

/*
 * Build the whole model for a city of `orders` orders: units, sampling
 * tables and the component plan.
 */
static GenCity *
BuildCity(int64 orders)
{
	GenCity    *city = palloc0(sizeof(GenCity));
	double		acc;
	int64		pos;
	int64		rest;

	city->orders = orders;

	/* streets and communities */
	for (int d = 0; d < GEN_NDIST; d++)
	{
		int			dc = d % 4,
					dr = d / 4;
		double		dx0 = gen_xcols[dc],
					dx1 = gen_xcols[dc + 1];
		double		dy0 = gen_yrows[dr],
					dy1 = gen_yrows[dr + 1];
		bool		core = (dc == 1 || dc == 2);

		for (int s = 0; s < 6; s++)
		{
			int			gs = d * 6 + s;
			GenStreet  *st = &city->streets[gs];
			int			sc = s % 2,
						sr = s / 2;

			snprintf(st->code, sizeof(st->code), "9901%02d%03d000", d + 1, s + 1);
			st->x0 = dx0 + (dx1 - dx0) * sc / 2.0;
			st->x1 = dx0 + (dx1 - dx0) * (sc + 1) / 2.0;
			st->y0 = dy0 + (dy1 - dy0) * sr / 3.0;
			st->y1 = dy0 + (dy1 - dy0) * (sr + 1) / 3.0;
			st->quality = 2.0 * FixedUnif(2, gs) - 1.0;
			st->bad = false;
			for (int b = 0; b < 3; b++)
				if (gen_bad_streets[b] == gs)
					st->bad = true;

			for (int m = 0; m < 9; m++)
			{
				int			gc = gs * 9 + m;
				GenUnit    *u = &city->comms[gc];
				int			mc = m % 3,
							mr = m / 3;
				double		area_km2,
							mlat,
							mlon;

				snprintf(u->code, sizeof(u->code), "9901%02d%03d%03d", d + 1, s + 1, m + 1);
				u->district = d;
				u->street = gs;
				u->x0 = st->x0 + (st->x1 - st->x0) * mc / 3.0;
				u->x1 = st->x0 + (st->x1 - st->x0) * (mc + 1) / 3.0;
				u->y0 = st->y0 + (st->y1 - st->y0) * mr / 3.0;
				u->y1 = st->y0 + (st->y1 - st->y0) * (mr + 1) / 3.0;
				MetersPerDegree((u->y0 + u->y1) / 2, &mlat, &mlon);
				area_km2 = (u->x1 - u->x0) * mlon * (u->y1 - u->y0) * mlat / 1e6;
				/* people per km2: core 8000, outer 2500, times 0.5 .. 1.5 */
				u->pop = round(area_km2 * (core ? 8000.0 : 2500.0) * (0.5 + FixedUnif(3, gc)));
				/* calls per resident: the outer districts' older infrastructure */
				u->weight = u->pop * (core ? 1.0 : 1.2);
				if (gc == GEN_SMALL_COMM)
				{
					u->pop = GEN_SMALL_POP;
					u->weight = 0;
				}
				u->treated = (d == GEN_POLICY_TREATED_DISTRICT);
				u->control = (d == GEN_POLICY_CONTROL_DISTRICT);
			}
		}
	}
	acc = 0;
	for (int i = 0; i < GEN_NCOMM; i++)
	{
		acc += city->comms[i].weight;
		city->unit_cdf[i] = acc;
	}

	/* day x category intensities */
	acc = 0;
	for (int d = 0; d < GEN_NDAYS; d++)
	{
		double		day = gen_weekday[d % 7] * (1.0 + 0.08 * d / 365.0) *
			(IsHoliday(d) ? 0.65 : 1.0);
		double		cacc = 0;

		for (int c = 0; c < GEN_NCAT; c++)
		{
			cacc += DayCategoryWeight(d, c);
			city->cat_cdf[d][c] = cacc;
		}
		acc += day * cacc;
		city->day_cdf[d] = acc;
	}
	acc = 0;
	for (int h = 0; h < 24; h++)
	{
		acc += gen_hours[h];
		city->hour_cdf[h] = acc;
	}
	city->parking = CategoryIndex("parking");

	/* hotspot centers and categories */
	for (int h = 0; h < GEN_NHOT; h++)
	{
		const GenHotspot *hs = &gen_hotspots[h];
		const GenUnit *u = &city->comms[hs->comm];
		double		mlat,
					mlon;

		MetersPerDegree((u->y0 + u->y1) / 2, &mlat, &mlon);
		city->hot_x[h] = (u->x0 + u->x1) / 2 + hs->dx_m / mlon;
		city->hot_y[h] = (u->y0 + u->y1) / 2 + hs->dy_m / mlat;
		for (int k = 0; k < 3; k++)
			city->hot_cat[h][k] = CategoryIndex(hs->cats[k]);
	}

	/* surge centers: 250 m into each member from the corner they share */
	{
		const GenStreet *st = &city->streets[GEN_SURGE_STREET];
		double		cx = st->x0 + (st->x1 - st->x0) / 3.0;
		double		cy = st->y0 + (st->y1 - st->y0) / 3.0;
		double		mlat,
					mlon;

		MetersPerDegree(cy, &mlat, &mlon);
		for (int k = 0; k < 3; k++)
		{
			const GenUnit *u = &city->comms[GEN_SURGE_STREET * 9 + gen_surge_members[k]];

			city->surge_x[k] = cx + ((u->x0 < cx) ? -250.0 : 250.0) / mlon;
			city->surge_y[k] = cy + ((u->y0 < cy) ? -250.0 : 250.0) / mlat;
		}
	}

	/* component plan */
	city->n_small = Min(8, orders / 100);
	city->surge_scale = (int) Max(1, (orders + 500000) / 1000000);
	pos = 0;
	for (int k = 0; k < GEN_SURGE_DAYS; k++)
	{
		int			per = Min(1 + k / 2, 8) * city->surge_scale;

		for (int m = 0; m < 3; m++)
		{
			GenSurgeSlot *sl = &city->surge[city->nsurge_slots++];

			sl->comm = GEN_SURGE_STREET * 9 + gen_surge_members[m];
			sl->day = GEN_SURGE_DAY + k;
			pos += per;
			sl->cum = pos;
		}
	}
	city->n_surge = Min(pos, (orders - city->n_small) / 10);
	rest = orders - city->n_small - city->n_surge;
	for (int h = 0; h < GEN_NHOT; h++)
	{
		city->n_hot[h] = (int64) floor(orders * gen_hotspots[h].fraction);
		if (city->n_hot[h] > rest / 10)
			city->n_hot[h] = rest / 10;
		rest -= city->n_hot[h];
	}
	city->start_surge = city->n_small;
	pos = city->start_surge + city->n_surge;
	for (int h = 0; h < GEN_NHOT; h++)
	{
		city->start_hot[h] = pos;
		pos += city->n_hot[h];
	}
	city->start_base = pos;

	/* row -> slot permutation: slot = (a * row) mod orders, gcd(a, orders) = 1 */
	{
		uint64		a = ((uint64) (orders * 0.6180339887498949)) | 1;

		for (;;)
		{
			uint64		x = a,
						y = (uint64) orders;

			while (y)
			{
				uint64		t = x % y;

				x = y;
				y = t;
			}
			if (x == 1)
				break;
			a++;
		}
		city->perm_a = a % (uint64) orders;
		if (orders == 1)
			city->perm_a = 0;
	}
	return city;
}

/* ------------------------------------------------------------------------
 * generate_city_units() → the 489 admin units with bounding rectangles
 * ------------------------------------------------------------------------ */
typedef struct GenUnitsState
{
	GenCity    *city;
	int			next;
} GenUnitsState;

/*
 * generate_city_units: one row per unit (city, districts, streets,
 * communities) with the rectangle it covers; the SQL side builds polygons.
 */
Datum
generate_city_units(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	GenUnitsState *st;
	int			i;
	Datum		values[9];
	bool		nulls[9] = {0};
	char		name[160];
	double		pop = 0;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	tupdesc;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "generate_city_units: return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		st = palloc0(sizeof(GenUnitsState));
		st->city = BuildCity(1000000);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = funcctx->user_fctx;
	i = st->next++;
	if (i >= 1 + GEN_NDIST + GEN_NSTREET + GEN_NCOMM)
		SRF_RETURN_DONE(funcctx);

	if (i == 0)
	{
		for (int c = 0; c < GEN_NCOMM; c++)
			pop += st->city->comms[c].pop;
		values[0] = CStringGetTextDatum("990100000000");
		values[1] = CStringGetTextDatum("明清市 Mingqing");
		values[2] = Int32GetDatum(2);
		nulls[3] = true;
		values[5] = Float8GetDatum(gen_xcols[0]);
		values[6] = Float8GetDatum(gen_yrows[0]);
		values[7] = Float8GetDatum(gen_xcols[4]);
		values[8] = Float8GetDatum(gen_yrows[2]);
	}
	else if (i <= GEN_NDIST)
	{
		int			d = i - 1;
		char		code[13];

		for (int c = d * 54; c < (d + 1) * 54; c++)
			pop += st->city->comms[c].pop;
		snprintf(code, sizeof(code), "9901%02d000000", d + 1);
		values[0] = CStringGetTextDatum(code);
		values[1] = CStringGetTextDatum(gen_district_names[d]);
		values[2] = Int32GetDatum(3);
		values[3] = CStringGetTextDatum("990100000000");
		values[5] = Float8GetDatum(gen_xcols[d % 4]);
		values[6] = Float8GetDatum(gen_yrows[d / 4]);
		values[7] = Float8GetDatum(gen_xcols[d % 4 + 1]);
		values[8] = Float8GetDatum(gen_yrows[d / 4 + 1]);
	}
	else if (i <= GEN_NDIST + GEN_NSTREET)
	{
		int			s = i - 1 - GEN_NDIST;
		const GenStreet *gs = &st->city->streets[s];
		char		parent[13];

		for (int c = s * 9; c < (s + 1) * 9; c++)
			pop += st->city->comms[c].pop;
		snprintf(parent, sizeof(parent), "9901%02d000000", s / 6 + 1);
		snprintf(name, sizeof(name), "%s%s街道 %s%s",
				 gen_street_zh[s % 16], gen_suffix_zh[s / 16],
				 gen_street_py[s % 16], gen_suffix_py[s / 16]);
		values[0] = CStringGetTextDatum(gs->code);
		values[1] = CStringGetTextDatum(name);
		values[2] = Int32GetDatum(4);
		values[3] = CStringGetTextDatum(parent);
		values[5] = Float8GetDatum(gs->x0);
		values[6] = Float8GetDatum(gs->y0);
		values[7] = Float8GetDatum(gs->x1);
		values[8] = Float8GetDatum(gs->y1);
	}
	else
	{
		int			c = i - 1 - GEN_NDIST - GEN_NSTREET;
		const GenUnit *u = &st->city->comms[c];
		int			s = u->street;

		pop = u->pop;
		if (c == GEN_SMALL_COMM)
			snprintf(name, sizeof(name), "翠湖苑社区 Cuihu Garden");
		else
			snprintf(name, sizeof(name), "%s%s%s社区 %s%s %d",
					 gen_street_zh[s % 16], gen_suffix_zh[s / 16], gen_ordinal_zh[c % 9],
					 gen_street_py[s % 16], gen_suffix_py[s / 16], c % 9 + 1);
		values[0] = CStringGetTextDatum(u->code);
		values[1] = CStringGetTextDatum(name);
		values[2] = Int32GetDatum(5);
		values[3] = CStringGetTextDatum(st->city->streets[s].code);
		values[5] = Float8GetDatum(u->x0);
		values[6] = Float8GetDatum(u->y0);
		values[7] = Float8GetDatum(u->x1);
		values[8] = Float8GetDatum(u->y1);
	}
	values[4] = Float8GetDatum(pop);
	SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
}

/* ------------------------------------------------------------------------
 * generate_city_orders(orders, seed, first, count)
 * ------------------------------------------------------------------------ */
typedef struct GenOrdersState
{
	GenCity    *city;
	uint64		seed;
	int64		next;
	int64		end;
	Datum		cat_text[GEN_NCAT];
	Datum		dept_text[lengthof(gen_departments)];
	Datum		channel_text[4];
	Datum		unit_text[GEN_NCOMM];
} GenOrdersState;

/* a point uniform in a disk of radius r meters around (cx, cy) */
static void
PointInDisk(GenRng *rng, double cx, double cy, double r, double *x, double *y)
{
	double		mlat,
				mlon,
				u,
				v;

	do
	{
		u = 2.0 * RngUnif(rng) - 1.0;
		v = 2.0 * RngUnif(rng) - 1.0;
	} while (u * u + v * v > 1.0);
	MetersPerDegree(cy, &mlat, &mlon);
	*x = cx + 0.995 * r * u / mlon;
	*y = cy + 0.995 * r * v / mlat;
}

/* a point uniform inside a community, kept 1e-9 degrees off its edges */
static void
PointInUnit(GenRng *rng, const GenUnit *u, double *x, double *y)
{
	*x = u->x0 + 1e-9 + (u->x1 - u->x0 - 2e-9) * RngUnif(rng);
	*y = u->y0 + 1e-9 + (u->y1 - u->y0 - 2e-9) * RngUnif(rng);
}

/* a day from the base day distribution restricted to [from, to] */
static int
SampleDay(GenRng *rng, const GenCity *city, int from, int to)
{
	double		lo = from > 0 ? city->day_cdf[from - 1] : 0.0;
	double		hi = city->day_cdf[to];

	return CdfSearch(city->day_cdf, GEN_NDAYS, lo + (hi - lo) * RngUnif(rng));
}

static inline double
Clamp01(double p)
{
	return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

/*
 * generate_city_orders: orders first .. first + count - 1 of a city of
 * `orders` orders.  Row i depends only on (orders, seed, i).
 */
Datum
generate_city_orders(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	GenOrdersState *st;
	GenCity    *city;
	GenRng		rng;
	int64		row,
				slot;
	int			day,
				cat,
				comm,
				hour;
	double		x,
				y,
				p;
	bool		responded,
				resolved,
				surveyed,
				satisfied = false,
				small = false;
	TimestampTz created;
	double		hours_open;
	Datum		values[12];
	bool		nulls[12] = {0};
	uint64		caller;
	char		caller_buf[20];
	int			dept;
	const GenStreet *street;
	double		tfrac;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	tupdesc;
		int64		orders,
					first,
					count;

		funcctx = SRF_FIRSTCALL_INIT();
		if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("generate_city_orders arguments must not be NULL")));
		orders = PG_GETARG_INT64(0);
		first = PG_GETARG_INT64(2);
		count = PG_GETARG_INT64(3);
		if (orders <= 0 || orders > GEN_MAX_ORDERS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("orders must be between 1 and %d", GEN_MAX_ORDERS),
					 errdetail("Got " INT64_FORMAT ".", orders)));
		if (first < 0 || count < 0 || first > orders || count > orders - first)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rows " INT64_FORMAT " .. " INT64_FORMAT " are outside a city of " INT64_FORMAT " orders",
							first, first + count - 1, orders),
					 errhint("Ask for first >= 0 and first + count <= orders.")));

		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "generate_city_orders: return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		st = palloc0(sizeof(GenOrdersState));
		st->city = BuildCity(orders);
		st->seed = (uint64) (uint32) PG_GETARG_INT32(1);
		st->next = first;
		st->end = first + count;
		for (int c = 0; c < GEN_NCAT; c++)
			st->cat_text[c] = CStringGetTextDatum(gen_categories[c].code);
		for (int k = 0; k < (int) lengthof(gen_departments); k++)
			st->dept_text[k] = CStringGetTextDatum(gen_departments[k]);
		for (int k = 0; k < 4; k++)
			st->channel_text[k] = CStringGetTextDatum(gen_channels[k]);
		for (int k = 0; k < GEN_NCOMM; k++)
			st->unit_text[k] = CStringGetTextDatum(st->city->comms[k].code);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = funcctx->user_fctx;
	city = st->city;
	if (st->next >= st->end)
		SRF_RETURN_DONE(funcctx);
	row = st->next++;
	CHECK_FOR_INTERRUPTS();

	slot = (int64) (((uint64) row * city->perm_a) % (uint64) city->orders);
	RngInit(&rng, st->seed, (uint64) row, 1);

	if (slot < city->n_small)
	{
		/* the small community: few orders, every outcome perfect */
		small = true;
		comm = GEN_SMALL_COMM;
		day = SampleDay(&rng, city, 0, GEN_NDAYS - 1);
		cat = CdfSearch(city->cat_cdf[day], GEN_NCAT, city->cat_cdf[day][GEN_NCAT - 1] * RngUnif(&rng));
		PointInUnit(&rng, &city->comms[comm], &x, &y);
	}
	else if (slot < city->start_surge + city->n_surge)
	{
		/* the e-bike charging surge: fixed counts per community and day */
		int64		r = slot - city->start_surge;
		int			lo = 0,
					hi = city->nsurge_slots - 1,
					m;

		while (lo < hi)
		{
			int			mid = (lo + hi) / 2;

			if (city->surge[mid].cum > r)
				hi = mid;
			else
				lo = mid + 1;
		}
		comm = city->surge[lo].comm;
		day = city->surge[lo].day;
		cat = CategoryIndex("ebike_charging");
		for (m = 0; m < 3; m++)
			if (GEN_SURGE_STREET * 9 + gen_surge_members[m] == comm)
				break;
		PointInDisk(&rng, city->surge_x[m], city->surge_y[m], GEN_SURGE_RADIUS, &x, &y);
	}
	else if (slot < city->start_base)
	{
		/* a hotspot */
		int			h = 0;
		double		u;

		while (h < GEN_NHOT - 1 && slot >= city->start_hot[h + 1])
			h++;
		day = SampleDay(&rng, city, gen_hotspots[h].day_from, gen_hotspots[h].day_to);
		u = RngUnif(&rng);
		cat = city->hot_cat[h][u < gen_hotspots[h].catw[0] ? 0 :
							   (u < gen_hotspots[h].catw[0] + gen_hotspots[h].catw[1] ? 1 : 2)];
		PointInDisk(&rng, city->hot_x[h], city->hot_y[h], gen_hotspots[h].radius, &x, &y);
		comm = LocateCommunity(x, y);
		if (comm < 0)
			elog(ERROR, "generate_city: hotspot point outside the city");
	}
	else
	{
		/* base demand, with the policy's reduction by rejection */
		for (int tries = 0;; tries++)
		{
			day = CdfSearch(city->day_cdf, GEN_NDAYS, city->day_cdf[GEN_NDAYS - 1] * RngUnif(&rng));
			cat = CdfSearch(city->cat_cdf[day], GEN_NCAT, city->cat_cdf[day][GEN_NCAT - 1] * RngUnif(&rng));
			comm = CdfSearch(city->unit_cdf, GEN_NCOMM, city->unit_cdf[GEN_NCOMM - 1] * RngUnif(&rng));
			if (!(cat == city->parking && day >= GEN_POLICY_DAY && city->comms[comm].treated))
				break;
			if (RngUnif(&rng) < GEN_POLICY_EFFECT || tries > 1000)
				break;
		}
		PointInUnit(&rng, &city->comms[comm], &x, &y);
	}

	/* time of day */
	hour = CdfSearch(city->hour_cdf, 24, city->hour_cdf[23] * RngUnif(&rng));
	created = ((TimestampTz) (GEN_DAY0 + day) * SECS_PER_DAY +
			   (hour - 8) * SECS_PER_HOUR + (int64) (RngUnif(&rng) * SECS_PER_HOUR)) * USECS_PER_SEC;

	/* outcomes: street quality, category difficulty, slow improvement */
	street = &city->streets[city->comms[comm].street];
	tfrac = day / (double) (GEN_NDAYS - 1);
	p = 0.95 + 0.03 * street->quality - (street->bad ? 0.15 : 0.0);
	if (gen_categories[cat].storm > 0 && day >= GEN_STORM_DAY && day < GEN_STORM_DAY + 6)
		p -= 0.15;				/* overwhelmed during the storm */
	responded = RngUnif(&rng) < Clamp01(p);
	p = responded ?
		0.80 + 0.07 * street->quality + gen_categories[cat].difficulty + 0.03 * tfrac -
		(street->bad ? 0.25 : 0.0) :
		0.30 - (street->bad ? 0.10 : 0.0);
	resolved = RngUnif(&rng) < Clamp01(p);
	surveyed = RngUnif(&rng) < 0.75;
	p = resolved ?
		0.90 + 0.04 * street->quality + 0.02 * tfrac - (street->bad ? 0.20 : 0.0) :
		0.30 - (street->bad ? 0.10 : 0.0);
	satisfied = RngUnif(&rng) < Clamp01(p);
	if (small)
		responded = resolved = surveyed = satisfied = true;

	/* hours until closed: log-normal, median 20 h (resolved) or 60 h */
	{
		double		z = (RngUnif(&rng) + RngUnif(&rng) + RngUnif(&rng) + RngUnif(&rng) - 2.0) * 1.7320508075688772;

		hours_open = exp(log(resolved ? 20.0 : 60.0) + (street->bad ? log(2.5) : 0.0) + 0.8 * z);
	}

	/* caller: 12% repeat callers from a pool of 15 per community */
	if (RngUnif(&rng) < 0.12)
		caller = SplitMix(SplitMix(st->seed ^ UINT64CONST(0x5245504541540000)) + (uint64) comm * 16 +
						  (uint64) (RngUnif(&rng) * 15));
	else
		caller = SplitMix(SplitMix(st->seed ^ UINT64CONST(0x43414c4c45520000)) + (uint64) row);
	snprintf(caller_buf, sizeof(caller_buf), "%016" INT64_MODIFIER "x", (uint64) caller);

	dept = gen_categories[cat].dept;
	if (RngUnif(&rng) < 0.15)
		dept = GEN_DEPT_STREET_OFFICE;

	values[0] = Int64GetDatum(row + 1);
	values[1] = TimestampTzGetDatum(created);
	values[2] = st->cat_text[cat];
	values[3] = st->unit_text[comm];
	values[4] = mq_point_make(x, y, GEN_SRID);
	values[5] = BoolGetDatum(responded);
	values[6] = BoolGetDatum(resolved);
	values[7] = BoolGetDatum(satisfied);
	nulls[7] = !surveyed;
	{
		TimestampTz closed = created + (int64) (hours_open * SECS_PER_HOUR) * USECS_PER_SEC;
		TimestampTz horizon = ((TimestampTz) (GEN_DAY0 + GEN_NDAYS) * SECS_PER_DAY - 8 * SECS_PER_HOUR) * USECS_PER_SEC;

		values[8] = TimestampTzGetDatum(closed);
		nulls[8] = closed >= horizon;	/* still open when the data were extracted */
	}
	{
		double		u = RngUnif(&rng);
		int			ch = 0;

		while (ch < 3 && u >= gen_channel_cdf[ch])
			ch++;
		values[11] = st->channel_text[ch];
	}
	values[9] = CStringGetTextDatum(caller_buf);
	values[10] = st->dept_text[dept];

	SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
}

/* ------------------------------------------------------------------------
 * generate_city_planted(orders): the ground truth
 * ------------------------------------------------------------------------ */

/* a text[] of unit codes */
static Datum
CodeArray(const char *const *codes, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(codes[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* append a JSON array of unit codes */
static void
JsonCodes(StringInfo s, const char *const *codes, int n)
{
	appendStringInfoChar(s, '[');
	for (int i = 0; i < n; i++)
		appendStringInfo(s, "%s\"%s\"", i ? ", " : "", codes[i]);
	appendStringInfoChar(s, ']');
}

#define PLANTED_COLS 11

/*
 * generate_city_planted: one row per planted truth, in a fixed order (id).
 * Columns: id, kind, label, unit_codes, category_code, start_date,
 * end_date, effect, geom_wkt (NULL: the union of unit_codes), radius_m,
 * details (JSON text).
 */
Datum
generate_city_planted(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		orders;
	GenCity    *city;
	TupleDesc	tupdesc;
	int			id = 0;
	const char *codes[64];
	StringInfoData s;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("orders must not be NULL")));
	orders = PG_GETARG_INT64(0);
	if (orders <= 0 || orders > GEN_MAX_ORDERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("orders must be between 1 and %d", GEN_MAX_ORDERS),
				 errdetail("Got " INT64_FORMAT ".", orders)));
	InitMaterializedSRF(fcinfo, 0);
	tupdesc = rsinfo->setDesc;
	city = BuildCity(orders);
	initStringInfo(&s);

#define EMIT(kind_, label_, codes_, ncodes_, cat_, from_, to_, effect_, wkt_, radius_) \
	do { \
		Datum		v[PLANTED_COLS]; \
		bool		n[PLANTED_COLS] = {0}; \
		v[0] = Int32GetDatum(++id); \
		v[1] = CStringGetTextDatum(kind_); \
		v[2] = CStringGetTextDatum(label_); \
		v[3] = CodeArray(codes_, ncodes_); \
		if ((cat_) != NULL) v[4] = CStringGetTextDatum(cat_); else n[4] = true; \
		v[5] = DateADTGetDatum(GEN_DAY0 + (from_)); \
		v[6] = DateADTGetDatum(GEN_DAY0 + (to_)); \
		v[7] = Float8GetDatum(effect_); \
		if ((wkt_) != NULL) v[8] = CStringGetTextDatum(wkt_); else n[8] = true; \
		v[9] = Float8GetDatum(radius_); n[9] = ((radius_) <= 0); \
		v[10] = CStringGetTextDatum(s.data); \
		tuplestore_putvalues(rsinfo->setResult, tupdesc, v, n); \
	} while (0)

	/* hotspots */
	for (int h = 0; h < GEN_NHOT; h++)
	{
		const GenHotspot *hs = &gen_hotspots[h];
		char		wkt[80];

		codes[0] = city->comms[LocateCommunity(city->hot_x[h], city->hot_y[h])].code;
		resetStringInfo(&s);
		appendStringInfo(&s, "{\"orders\": " INT64_FORMAT ", \"shape\": \"uniform in the disk\", "
						 "\"categories\": {\"%s\": %.2f, \"%s\": %.2f, \"%s\": %.2f}, "
						 "\"days\": \"all days of the window, weighted like base demand\"}",
						 city->n_hot[h], hs->cats[0], hs->catw[0], hs->cats[1], hs->catw[1],
						 hs->cats[2], hs->catw[2]);
		snprintf(wkt, sizeof(wkt), "POINT(%.9f %.9f)", city->hot_x[h], city->hot_y[h]);
		EMIT("hotspot", hs->label, codes, 1, hs->cats[0], hs->day_from, hs->day_to,
			 (double) city->n_hot[h], wkt, hs->radius);
	}

	/* the surge */
	{
		char		wkt[200];
		for (int m = 0; m < 3; m++)
			codes[m] = city->comms[GEN_SURGE_STREET * 9 + gen_surge_members[m]].code;
		resetStringInfo(&s);
		appendStringInfo(&s, "{\"orders\": " INT64_FORMAT ", \"radius_m\": %.0f, "
						 "\"daily_extra_per_unit\": [", city->n_surge, GEN_SURGE_RADIUS);
		for (int k = 0; k < GEN_SURGE_DAYS; k++)
		{
			int64		per = Min(1 + k / 2, 8) * city->surge_scale;
			int64		cum = city->surge[k * 3].cum;

			/* what the cap on surge rows left of this day (first member) */
			appendStringInfo(&s, "%s" INT64_FORMAT, k ? ", " : "",
							 Max(0, Min(cum, city->n_surge) - (cum - per)));
		}
		appendStringInfo(&s, "], \"note\": \"points uniform in a disk of radius_m around each unit's surge center (geom)\"}");
		snprintf(wkt, sizeof(wkt), "MULTIPOINT(%.9f %.9f, %.9f %.9f, %.9f %.9f)",
				 city->surge_x[0], city->surge_y[0], city->surge_x[1], city->surge_y[1],
				 city->surge_x[2], city->surge_y[2]);
		EMIT("surge", "ebike_charging_surge", codes, 3, "ebike_charging",
			 GEN_SURGE_DAY, GEN_SURGE_DAY + GEN_SURGE_DAYS - 1, (double) city->n_surge, wkt,
			 GEN_SURGE_RADIUS);
	}

	/* the policy: treated and control communities */
	{
		const char *ctl[64];
		const char *tstreets[6],
				   *cstreets[6];
		int			nt = 0,
					nc = 0;

		for (int c = 0; c < GEN_NCOMM; c++)
		{
			if (city->comms[c].treated)
				codes[nt++] = city->comms[c].code;
			if (city->comms[c].control)
				ctl[nc++] = city->comms[c].code;
		}
		for (int k = 0; k < 6; k++)
		{
			tstreets[k] = city->streets[GEN_POLICY_TREATED_DISTRICT * 6 + k].code;
			cstreets[k] = city->streets[GEN_POLICY_CONTROL_DISTRICT * 6 + k].code;
		}
		resetStringInfo(&s);
		appendStringInfo(&s, "{\"multiplier\": %.2f, \"meaning\": \"expected parking orders in treated units are multiplied by effect from start_date on; control units share the same trend and seasons\", \"treated_streets\": ",
						 GEN_POLICY_EFFECT);
		JsonCodes(&s, tstreets, 6);
		appendStringInfoString(&s, ", \"control_streets\": ");
		JsonCodes(&s, cstreets, 6);
		appendStringInfoString(&s, ", \"control_unit_codes\": ");
		JsonCodes(&s, ctl, nc);
		appendStringInfoChar(&s, '}');
		EMIT("policy", "smart_parking", codes, nt, "parking", GEN_POLICY_DAY, GEN_NDAYS - 1,
			 GEN_POLICY_EFFECT, NULL, 0.0);
		resetStringInfo(&s);
		appendStringInfo(&s, "{\"meaning\": \"control units of the smart_parking policy (no change)\", \"streets\": ");
		JsonCodes(&s, cstreets, 6);
		appendStringInfoChar(&s, '}');
		EMIT("policy_control", "smart_parking", ctl, nc, "parking", GEN_POLICY_DAY, GEN_NDAYS - 1,
			 1.0, NULL, 0.0);
	}

	/* the storm */
	{
		bool		first = true;

		codes[0] = "990100000000";
		resetStringInfo(&s);
		appendStringInfo(&s, "{\"peak_date\": \"2025-07-21\", \"rain_ends\": \"2025-07-22\", "
						 "\"profile\": \"multiplier 1 + m*g(t), g = 0.7, 1, then 0.8*exp(-(t-2)/3) for t = days since start_date\", "
						 "\"peak_multipliers\": {");
		for (int c = 0; c < GEN_NCAT; c++)
			if (gen_categories[c].storm > 0)
			{
				appendStringInfo(&s, "%s\"%s\": %.1f", first ? "" : ", ",
								 gen_categories[c].code, 1.0 + gen_categories[c].storm);
				first = false;
			}
		appendStringInfo(&s, "}, \"response_rate_drop\": 0.15, \"response_drop_days\": 6, "
						 "\"recovery_days\": 14}");
		EMIT("storm", "rainstorm_2025_07", codes, 1, "drainage", GEN_STORM_DAY, GEN_STORM_END,
			 8.0, NULL, 0.0);
	}

	/* bad streets */
	for (int b = 0; b < 3; b++)
	{
		char		label[32];

		codes[0] = city->streets[gen_bad_streets[b]].code;
		snprintf(label, sizeof(label), "bad_street_%d", b + 1);
		resetStringInfo(&s);
		appendStringInfoString(&s, "{\"response_prob_shift\": -0.15, \"resolution_prob_shift\": -0.25, "
							   "\"satisfaction_prob_shift_if_resolved\": -0.20, "
							   "\"satisfaction_prob_shift_if_unresolved\": -0.10, \"hours_open_factor\": 2.5}");
		EMIT("bad_street", label, codes, 1, NULL, 0, GEN_NDAYS - 1, -0.25, NULL, 0.0);
	}

	/* the small community */
	codes[0] = city->comms[GEN_SMALL_COMM].code;
	resetStringInfo(&s);
	appendStringInfo(&s, "{\"population\": %.0f, \"orders\": " INT64_FORMAT ", \"response_rate\": 1, "
					 "\"resolution_rate\": 1, \"satisfaction_rate\": 1, "
					 "\"meaning\": \"few orders with perfect outcomes: a ranking must shrink it, not top it\"}",
					 GEN_SMALL_POP, city->n_small);
	EMIT("small_community", "cuihu_garden", codes, 1, NULL, 0, GEN_NDAYS - 1,
		 (double) city->n_small, NULL, 0.0);

#undef EMIT
	return (Datum) 0;
}
