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
 *   generate_city_units()                       the 489 admin units (here)
 *   generate_city_orders(orders, seed, first, count)  a chunk of orders
 *                                               (generate_orders.c)
 *   generate_city_planted(orders)               the ground truth
 *                                               (generate_planted.c)
 * The model they share, and how to add a phenomenon of another feature
 * without changing existing rows, is described in generate.h.
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

#include "generate.h"
#include "result.h"

PG_FUNCTION_INFO_V1(generate_city_units);

/* ------------------------------------------------------------------------
 * Fixed geography
 * ------------------------------------------------------------------------ */

const double gen_xcols[5] = {116.20, 116.32, 116.40, 116.48, 116.60};
const double gen_yrows[3] = {39.80, 39.95, 40.10};

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

/* the Chinese part of community c's name, as generate_city_units() names it */
void
GenCommunityNameZh(int c, char *buf, int len)
{
	int			s = c / 9;

	if (c == GEN_SMALL_COMM)
		snprintf(buf, len, "翠湖苑社区");
	else
		snprintf(buf, len, "%s%s%s社区", gen_street_zh[s % 16], gen_suffix_zh[s / 16], gen_ordinal_zh[c % 9]);
}

/* planted units (the indexes are in generate.h) */
const int	gen_bad_streets[3] = {8, 27, 40};
const int	gen_surge_members[3] = {0, 1, 3};

/* ------------------------------------------------------------------------
 * Categories: codes of minqing.category builtin leaves
 * ------------------------------------------------------------------------ */
const char *const gen_departments[GEN_NDEPT] = {
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

/* GEN_NCAT (generate.h) is their number: change both together */
const GenCategory gen_categories[GEN_NCAT] = {
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

/* ------------------------------------------------------------------------
 * Hotspots: extra orders uniform in a disk around a community's center
 * ------------------------------------------------------------------------ */
const GenHotspot gen_hotspots[GEN_NHOT] = {
	{"night_market", 9 * 9 + 4, 120, -80, 400, 0.015, 0, GEN_NDAYS - 1,
	{"noise", "street_vending", "food_safety"}, {0.40, 0.35, 0.25}},
	{"construction_site", 26 * 9 + 2, -150, 100, 300, 0.010, 91, 334,	/* 2024-04-01 .. 2024-11-30 */
	{"noise", "air_pollution", "illegal_construction"}, {0.50, 0.30, 0.20}},
	{"old_compound", 33 * 9 + 6, 60, 60, 250, 0.012, 0, GEN_NDAYS - 1,
	{"property_management", "housing_repair", "water_supply"}, {0.50, 0.30, 0.20}},
	{"transit_hub", 38 * 9 + 4, 0, 0, 500, 0.010, 0, GEN_NDAYS - 1,
	{"traffic_order", "public_transit", "parking"}, {0.40, 0.30, 0.30}}
};

/* weekday factors, Monday first (2024-01-01 is a Monday) */
static const double gen_weekday[7] = {1.10, 1.05, 1.03, 1.00, 0.97, 0.72, 0.68};

/* hour-of-day profile (local time) */
static const double gen_hours[24] = {
	0.30, 0.15, 0.10, 0.08, 0.08, 0.15, 0.40, 1.00, 1.80, 2.20, 2.20, 2.00,
	1.50, 1.70, 2.00, 2.00, 1.90, 1.70, 1.30, 1.20, 1.10, 0.90, 0.70, 0.50
};

const char *const gen_channels[GEN_NCHANNEL] = {"phone", "app", "wechat", "web"};
const double gen_channel_cdf[GEN_NCHANNEL] = {0.68, 0.82, 0.94, 1.0};

/* a fixed (seed-independent) pseudo-random number in [0, 1) for geography */
double
FixedUnif(uint64 a, uint64 b)
{
	return mq_unit_double(SplitMix(SplitMix(a * 7919 + 17) ^ b));
}

/* meters per degree of latitude and of longitude at a latitude */
void
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

/* the same without the storm (a calm city) */
static double
CalmDayCategoryWeight(int d, int c)
{
	const GenCategory *cat = &gen_categories[c];

	if (cat->storm > 0)
		return DayCategoryWeight(d, c) / (1.0 + cat->storm * StormProfile(d));
	return DayCategoryWeight(d, c);
}

/* a hotspot that is there on some days only: an event */
bool
GenHotspotIsEvent(int h)
{
	return gen_hotspots[h].day_from > 0 || gen_hotspots[h].day_to < GEN_NDAYS - 1;
}

int
CategoryIndex(const char *code)
{
	for (int c = 0; c < GEN_NCAT; c++)
		if (strcmp(gen_categories[c].code, code) == 0)
			return c;
	elog(ERROR, "generate_city: unknown category %s", code);
	return -1;
}

/* index of the community containing (x, y), -1 outside the city */
int
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

/* ------------------------------------------------------------------------
 * The city model: BuildCity() runs these steps in order
 * ------------------------------------------------------------------------ */

/* streets and communities: rectangles, populations, demand weights */
static void
BuildUnits(GenCity *city)
{
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
}

/* sampling tables: unit, day x category and hour cumulative weights */
static void
BuildSamplingTables(GenCity *city)
{
	double		acc;

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
			cacc += city->calm ? CalmDayCategoryWeight(d, c) : DayCategoryWeight(d, c);
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
}

/* hotspot centers and categories; surge centers */
static void
BuildCenters(GenCity *city)
{
	const GenStreet *st = &city->streets[GEN_SURGE_STREET];
	double		cx,
				cy,
				mlat,
				mlon;

	for (int h = 0; h < GEN_NHOT; h++)
	{
		const GenHotspot *hs = &gen_hotspots[h];
		const GenUnit *u = &city->comms[hs->comm];

		MetersPerDegree((u->y0 + u->y1) / 2, &mlat, &mlon);
		city->hot_x[h] = (u->x0 + u->x1) / 2 + hs->dx_m / mlon;
		city->hot_y[h] = (u->y0 + u->y1) / 2 + hs->dy_m / mlat;
		for (int k = 0; k < 3; k++)
			city->hot_cat[h][k] = CategoryIndex(hs->cats[k]);
	}

	/* surge centers: 250 m into each member from the corner they share */
	cx = st->x0 + (st->x1 - st->x0) / 3.0;
	cy = st->y0 + (st->y1 - st->y0) / 3.0;
	MetersPerDegree(cy, &mlat, &mlon);
	for (int k = 0; k < 3; k++)
	{
		const GenUnit *u = &city->comms[GEN_SURGE_STREET * 9 + gen_surge_members[k]];

		city->surge_x[k] = cx + ((u->x0 < cx) ? -250.0 : 250.0) / mlon;
		city->surge_y[k] = cy + ((u->y0 < cy) ? -250.0 : 250.0) / mlat;
	}
}

/*
 * The component plan: how many slots go to the small community, the surge
 * (per community and day) and each hotspot; the rest is base demand.
 */
static void
PlanComponents(GenCity *city)
{
	int64		orders = city->orders;
	int64		pos = 0;
	int64		rest;

	city->n_small = Min(8, orders / 100);
	city->surge_scale = (int) Max(1, (orders + 500000) / 1000000);
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
	city->n_surge = city->calm ? 0 : Min(pos, (orders - city->n_small) / 10);
	rest = orders - city->n_small - city->n_surge;
	for (int h = 0; h < GEN_NHOT; h++)
	{
		city->n_hot[h] = (city->calm && GenHotspotIsEvent(h)) ? 0 :
			(int64) floor(orders * gen_hotspots[h].fraction);
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
}

/* row -> slot permutation: slot = (a * row) mod orders, gcd(a, orders) = 1 */
static void
BuildPermutation(GenCity *city)
{
	int64		orders = city->orders;
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

/*
 * Build the whole model for a city of `orders` orders: units, sampling
 * tables and the component plan.
 */
GenCity *
BuildCity(int64 orders, bool calm)
{
	GenCity    *city = palloc0(sizeof(GenCity));

	city->orders = orders;
	city->calm = calm;
	BuildUnits(city);
	BuildSamplingTables(city);
	BuildCenters(city);
	PlanComponents(city);
	BuildPermutation(city);
	city->grid_plant_comm = gen_grid_plant_comm(city);
	return city;
}

/* the range check of an `orders` argument (generate_city_orders, _planted) */
void
CheckOrdersArg(int64 orders)
{
	if (orders <= 0 || orders > GEN_MAX_ORDERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("orders must be between 1 and %d", GEN_MAX_ORDERS),
				 errdetail("Got " INT64_FORMAT ".", orders)));
}

/* ------------------------------------------------------------------------
 * generate_city_units() → the 489 admin units with bounding rectangles
 * ------------------------------------------------------------------------ */
typedef struct GenUnitsState
{
	GenCity    *city;
	int			next;
	int			grid_comm;		/* grids: the community being split, and */
	int			grid_next;		/* its next grid serial */
}			GenUnitsState;

/* the admin_unit row of grid `serial` of community c (generate_grid.c) */
static void
GridUnitRow(const GenCity *city, int c, int serial, Datum *values, bool *nulls)
{
	const GenUnit *u = &city->comms[c];
	char		code[16],
				name[160];
	double		x0,
				y0,
				x1,
				y1;

	snprintf(code, sizeof(code), "%s%03d", u->code, serial);
	GenCommunityNameZh(c, name, sizeof(name) - 40);
	snprintf(name + strlen(name), 40, "第%d网格 Grid %d", serial, serial);
	gen_grid_bbox(city, c, serial, &x0, &y0, &x1, &y1);
	values[0] = CStringGetTextDatum(code);
	values[1] = CStringGetTextDatum(name);
	values[2] = Int32GetDatum(6);
	values[3] = CStringGetTextDatum(u->code);
	values[4] = Float8GetDatum(gen_grid_population(city, c, serial));
	values[5] = Float8GetDatum(x0);
	values[6] = Float8GetDatum(y0);
	values[7] = Float8GetDatum(x1);
	values[8] = Float8GetDatum(y1);
	for (int k = 0; k < 9; k++)
		nulls[k] = false;
}

/*
 * generate_city_units: one row per unit (city, districts, streets,
 * communities, then every community's grids) with the rectangle it covers;
 * the SQL side builds polygons.
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

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		funcctx->tuple_desc = mq_result_desc(fcinfo);
		st = palloc0(sizeof(GenUnitsState));
		st->city = BuildCity(1000000, false);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = funcctx->user_fctx;
	i = st->next++;
	if (i >= 1 + GEN_NDIST + GEN_NSTREET + GEN_NCOMM)
	{
		/* then the grids (level 6) of every community, in community order */
		int			gx,
					gy;

		if (st->grid_comm >= GEN_NCOMM)
			SRF_RETURN_DONE(funcctx);
		gen_grid_layout(st->city, st->grid_comm, &gx, &gy);
		if (st->grid_next == 0)
			st->grid_next = 1;
		GridUnitRow(st->city, st->grid_comm, st->grid_next, values, nulls);
		if (++st->grid_next > gx * gy)
		{
			st->grid_comm++;
			st->grid_next = 1;
		}
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}

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
