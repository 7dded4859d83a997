/*
 * generate_class.c — the class-case and repeat-call phenomena of the
 * synthetic city (SPEC §9), planted for minqing.class_cases(),
 * repeat_flag() and caller_profile() to find:
 *
 *   class_case       6 chronic places: one category recurring at one spot
 *                    (within 25 m) every few weeks over many months, each
 *                    incident reported by 1-3 callers within hours
 *   duplicate_event  4 single events reported by 6-10 callers within five
 *                    hours (duplicates of one incident: never chronic)
 *   repeat_chain     8 callers who call 3-5 times about one problem, 5-25
 *                    days apart (every order after the first is a repeat)
 *   caller_type      4 callers of each of the four types of seed 004:
 *                    civic (公益热心), wait_and_see (暂时观望),
 *                    self_interest (私利敏感), venting (情感发泄)
 *
 * The plan (places, days, hours, categories, caller ids) depends only on
 * the city size, like the other planted truths (generate_city_planted takes
 * no seed), and is drawn with FixedUnif(GEN_FIXED_CLASS, k).  It is planted
 * only in cities of at least GEN_CLASS_MIN_ORDERS orders, and not in the
 * calm city (generate_city(…, events => false)): incidents are events.  The plan's rows
 * replace base-demand rows chosen by a permutation of their slots (the
 * small community, the surge and the hotspots are never touched): base slot
 * b becomes plan row (b · A) mod N_base when that is below the plan's size.
 * Per-row jitter (position within the spot, minutes) comes from the row's
 * own stream GEN_STREAM_CLASS.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "generate.h"

#define GEN_FIXED_CLASS		UINT64CONST(0xC1A55CA5E)
#define GEN_CLASS_MIN_ORDERS 20000
#define GEN_CLASS_MAX_ROWS	512

/* one planted order */
typedef struct ClassRow
{
	int			day;
	int			minute;			/* local minute of the day (UTC+8) */
	int			cat;
	double		x,
				y;				/* centre of the spot */
	double		jitter_m;		/* uniform in a disk of this radius */
	uint64		caller;			/* 0: keep the row's caller */
	int8		resolved;		/* -1 keep, 0, 1 */
	int8		satisfied;
} ClassRow;

/* the chronic places: category, community, offset (m), first day, gap (days), incidents */
typedef struct ClassPlace
{
	const char *label;
	const char *cat;
	int			comm;
	double		dx,
				dy;
	int			first;
	int			gap;
	int			incidents;
} ClassPlace;

static const ClassPlace class_places[] = {
	{"broken_road_again", "road_maintenance", 20, 60, -40, 20, 45, 14},
	{"leaking_main", "water_supply", 70, -80, 30, 60, 50, 12},
	{"blocked_drain", "drainage", 175, 40, 90, 100, 45, 12},
	{"overflowing_bins", "garbage", 230, -30, -70, 10, 40, 16},
	{"prepaid_card_shop", "consumer_rights", 340, 70, 20, 250, 35, 10},
	{"leaking_roof", "housing_repair", 400, -50, 50, 150, 40, 12},
};

#define NPLACES ((int) lengthof(class_places))

/* single events with many duplicate reports */
typedef struct ClassEvent
{
	const char *label;
	const char *cat;
	int			comm;
	int			day;
	int			reports;
} ClassEvent;

static const ClassEvent class_events[] = {
	{"water_main_burst", "water_supply", 45, 300, 8},
	{"fallen_tree", "greening", 130, 200, 6},
	{"gas_smell", "gas_supply", 250, 420, 7},
	{"power_outage_block", "power_supply", 380, 520, 10},
};

#define NEVENTS ((int) lengthof(class_events))
#define NCHAINS 8
#define NTYPES 4
#define PER_TYPE 4

static const char *const class_type_codes[NTYPES] = {"civic", "wait_and_see", "self_interest", "venting"};
static const char *const chain_cats[NCHAINS] = {"noise", "property_management", "heating", "housing_repair",
"pets", "water_supply", "garbage", "public_order"};
static const char *const civic_cats[6] = {"road_maintenance", "greening", "garbage", "drainage",
"public_order", "traffic_order"};
static const char *const vent_cats[5] = {"noise", "public_order", "government_service", "consumer_rights",
"medical_service"};

/* the whole plan plus what the planted table reports */
typedef struct ClassPlan
{
	int64		orders;
	int			n;
	ClassRow	rows[GEN_CLASS_MAX_ROWS];
	int			place_start[NPLACES + 1];	/* rows of place k: [start[k], start[k+1]) */
	int			place_days[NPLACES][32];	/* incident days */
	int			event_start[NEVENTS + 1];
	int			chain_start[NCHAINS + 1];
	int			type_start[NTYPES * PER_TYPE + 1];
} ClassPlan;

static ClassPlan class_plan;
static bool class_plan_ready = false;

static double
Fu(uint64 k)
{
	return FixedUnif(GEN_FIXED_CLASS, k);
}

/* centre of a community plus an offset in meters */
static void
CommPoint(const GenCity *city, int comm, double dx, double dy, double *x, double *y)
{
	const GenUnit *u = &city->comms[comm];
	double		mlat,
				mlon;

	MetersPerDegree((u->y0 + u->y1) / 2, &mlat, &mlon);
	*x = (u->x0 + u->x1) / 2 + dx / mlon;
	*y = (u->y0 + u->y1) / 2 + dy / mlat;
}

static uint64
ClassCaller(int kind, int k)
{
	return SplitMix(GEN_FIXED_CLASS * 31 + (uint64) kind * 1000 + (uint64) k);
}

static ClassRow *
AddRow(ClassPlan *pl, int day, int minute, const char *cat, double x, double y, double jitter,
	   uint64 caller, int resolved, int satisfied)
{
	ClassRow   *r;

	if (pl->n >= GEN_CLASS_MAX_ROWS)
		elog(ERROR, "generate_city: class-case plan overflow");
	r = &pl->rows[pl->n++];
	r->day = Min(Max(day, 0), GEN_NDAYS - 1);
	r->minute = ((minute % 1440) + 1440) % 1440;
	r->cat = CategoryIndex(cat);
	r->x = x;
	r->y = y;
	r->jitter_m = jitter;
	r->caller = caller;
	r->resolved = (int8) resolved;
	r->satisfied = (int8) satisfied;
	return r;
}

/* the plan of a city of `orders` orders (seed-independent) */
static const ClassPlan *
BuildClassPlan(const GenCity *city)
{
	ClassPlan  *pl = &class_plan;
	uint64		k = 0;

	if (class_plan_ready && pl->orders == city->orders)
		return pl;
	memset(pl, 0, sizeof(ClassPlan));
	pl->orders = city->orders;
	if (city->orders < GEN_CLASS_MIN_ORDERS)
	{
		class_plan_ready = true;
		return pl;
	}

	/* chronic places */
	for (int p = 0; p < NPLACES; p++)
	{
		const ClassPlace *cp = &class_places[p];
		double		x,
					y;

		CommPoint(city, cp->comm, cp->dx, cp->dy, &x, &y);
		pl->place_start[p] = pl->n;
		for (int i = 0; i < cp->incidents; i++)
		{
			int			day = cp->first + i * cp->gap + (int) (Fu(k++) * cp->gap / 3);
			int			reports = 1 + (int) (Fu(k++) * 3);
			int			minute = 7 * 60 + (int) (Fu(k++) * 12 * 60);

			pl->place_days[p][i] = day;
			for (int m = 0; m < reports; m++)
				AddRow(pl, day, minute + m * 90 + (int) (Fu(k++) * 60), cp->cat, x, y, 25.0, 0, -1, -1);
		}
	}
	pl->place_start[NPLACES] = pl->n;

	/* duplicate-only events */
	for (int e = 0; e < NEVENTS; e++)
	{
		const ClassEvent *ce = &class_events[e];
		double		x,
					y;
		int			minute = 8 * 60 + (int) (Fu(k++) * 10 * 60);

		CommPoint(city, ce->comm, -20, 35, &x, &y);
		pl->event_start[e] = pl->n;
		for (int m = 0; m < ce->reports; m++)
			AddRow(pl, ce->day, minute + (int) (Fu(k++) * 300), ce->cat, x, y, 30.0, 0, -1, -1);
	}
	pl->event_start[NEVENTS] = pl->n;

	/* repeat chains: one caller, one problem, 3..5 orders 5..25 days apart */
	for (int c = 0; c < NCHAINS; c++)
	{
		double		x,
					y;
		int			len = 3 + (int) (Fu(k++) * 3);
		int			day = 30 + (int) (Fu(k++) * 600);

		CommPoint(city, 5 + c * 53, 0, -60, &x, &y);
		pl->chain_start[c] = pl->n;
		for (int i = 0; i < len; i++)
		{
			AddRow(pl, day, 9 * 60 + (int) (Fu(k++) * 9 * 60), chain_cats[c], x, y, 10.0,
				   ClassCaller(1, c), i == len - 1 ? 1 : 0, i == len - 1 ? 1 : 0);
			day += 5 + (int) (Fu(k++) * 21);
		}
	}
	pl->chain_start[NCHAINS] = pl->n;

	/* callers of each type */
	for (int t = 0; t < NTYPES; t++)
		for (int j = 0; j < PER_TYPE; j++)
		{
			int			idx = t * PER_TYPE + j;
			uint64		caller = ClassCaller(2 + t, j);
			int			home = 11 + idx * 26;
			double		hx,
						hy;
			int			day = 20 + (int) (Fu(k++) * 200);

			CommPoint(city, home, 30, 30, &hx, &hy);
			pl->type_start[idx] = pl->n;
			switch (t)
			{
				case 0:			/* civic: 6 public problems all over the city, months apart, daytime */
					for (int i = 0; i < 6; i++)
					{
						double		x,
									y;

						CommPoint(city, (home + 67 * (i + 1)) % GEN_NCOMM, 0, 0, &x, &y);
						AddRow(pl, day, 9 * 60 + (int) (Fu(k++) * 7 * 60), civic_cats[(i + j) % 6], x, y, 20.0,
							   caller, 1, 1);
						day += 60 + (int) (Fu(k++) * 30);
					}
					break;
				case 1:			/* wait and see: twice, half a year apart, daytime, content */
					for (int i = 0; i < 2; i++)
					{
						AddRow(pl, day, 10 * 60 + (int) (Fu(k++) * 5 * 60), chain_cats[(j + 2) % NCHAINS], hx, hy,
							   10.0, caller, 1, 1);
						day += 150 + (int) (Fu(k++) * 60);
					}
					break;
				case 2:			/* self-interest: one private problem at home, again and again */
					for (int i = 0; i < 5; i++)
					{
						AddRow(pl, day, 9 * 60 + (int) (Fu(k++) * 9 * 60), "property_management", hx, hy, 10.0,
							   caller, 0, 0);
						day += 6 + (int) (Fu(k++) * 9);
					}
					break;
				case 3:			/* venting: late at night, about anything, never satisfied */
					for (int i = 0; i < 5; i++)
					{
						AddRow(pl, day, 23 * 60 + (int) (Fu(k++) * 4 * 60), vent_cats[(i + j) % 5], hx, hy, 10.0,
							   caller, -1, 0);
						day += 20 + (int) (Fu(k++) * 25);
					}
					break;
			}
		}
	pl->type_start[NTYPES * PER_TYPE] = pl->n;
	class_plan_ready = true;
	return pl;
}

/* smallest multiplier >= 1000003 coprime to m (a permutation of 0..m-1) */
static uint64
Coprime(uint64 m)
{
	uint64		a = 1000003;

	for (;; a += 2)
	{
		uint64		x = a,
					y = m;

		while (y)
		{
			uint64		t = x % y;

			x = y;
			y = t;
		}
		if (x == 1)
			return a;
	}
}

/*
 * gen_class_order: replace a base-demand row by its plan row, if it has
 * one.  The row keeps its outcomes, hours open and channel unless the plan
 * fixes them (the caller types).
 */
void
gen_class_order(const GenCity *city, uint64 seed, GenOrder *o)
{
	const ClassPlan *pl;
	uint64		nbase,
				b,
				slot;
	const ClassRow *r;
	GenRng		rng;
	double		mlat,
				mlon,
				u,
				v;

	if (city->calm || city->orders < GEN_CLASS_MIN_ORDERS || o->slot < city->start_base)
		return;					/* a calm city has no planted events */
	pl = BuildClassPlan(city);
	nbase = (uint64) (city->orders - city->start_base);
	b = (uint64) (o->slot - city->start_base);
	slot = (b * Coprime(nbase)) % nbase;	/* < 1e8 · 1e6: no overflow */
	if (slot >= (uint64) pl->n)
		return;
	r = &pl->rows[slot];

	RngInit(&rng, seed, (uint64) o->row, GEN_STREAM_CLASS);
	do
	{
		u = 2.0 * RngUnif(&rng) - 1.0;
		v = 2.0 * RngUnif(&rng) - 1.0;
	} while (u * u + v * v > 1.0);
	MetersPerDegree(r->y, &mlat, &mlon);
	o->x = r->x + r->jitter_m * u / mlon;
	o->y = r->y + r->jitter_m * v / mlat;
	o->comm = LocateCommunity(o->x, o->y);
	if (o->comm < 0)
		elog(ERROR, "generate_city: class-case point outside the city");
	o->day = r->day;
	o->cat = r->cat;
	o->created = ((TimestampTz) (GEN_DAY0 + r->day) * SECS_PER_DAY +
				  (int64) (r->minute - 8 * 60) * SECS_PER_MINUTE +
				  (int64) (RngUnif(&rng) * SECS_PER_MINUTE)) * USECS_PER_SEC;
	o->dept = gen_categories[r->cat].dept;
	if (r->caller != 0)
		o->caller = r->caller;
	if (r->resolved >= 0)
	{
		o->resolved = r->resolved != 0;
		if (o->resolved)
			o->responded = true;
	}
	if (r->satisfied >= 0)
	{
		o->satisfied = r->satisfied != 0;
		o->surveyed = true;
	}
}

/* JSON list of ints */
static void
JsonInts(StringInfo s, const int *v, int n)
{
	appendStringInfoChar(s, '[');
	for (int i = 0; i < n; i++)
		appendStringInfo(s, "%s%d", i ? ", " : "", v[i]);
	appendStringInfoChar(s, ']');
}

/* gen_class_planted: one planted row per place, event, chain and typed caller */
void
gen_class_planted(const GenCity *city, GenPlanted *p)
{
	const ClassPlan *pl;
	StringInfo	s = &p->details;
	char		wkt[96];

	if (city->calm)
		return;
	pl = BuildClassPlan(city);
	if (pl->n == 0)
		return;
	for (int k = 0; k < NPLACES; k++)
	{
		const ClassPlace *cp = &class_places[k];
		const ClassRow *r0 = &pl->rows[pl->place_start[k]];
		const char *codes[1] = {city->comms[LocateCommunity(r0->x, r0->y)].code};

		snprintf(wkt, sizeof(wkt), "POINT(%.7f %.7f)", r0->x, r0->y);
		resetStringInfo(s);
		appendStringInfo(s, "{\"incidents\": %d, \"orders\": %d, \"meaning\": \"one %s problem recurring at one spot (within 25 m), each incident reported 1-3 times within hours\", \"incident_days\": ",
						 cp->incidents, pl->place_start[k + 1] - pl->place_start[k], cp->cat);
		JsonInts(s, pl->place_days[k], cp->incidents);
		appendStringInfoChar(s, '}');
		PlantedEmit(p, "class_case", cp->label, codes, 1, cp->cat, pl->place_days[k][0],
					pl->place_days[k][cp->incidents - 1], cp->incidents, wkt, 25.0);
	}
	for (int e = 0; e < NEVENTS; e++)
	{
		const ClassEvent *ce = &class_events[e];
		const ClassRow *r0 = &pl->rows[pl->event_start[e]];
		const char *codes[1] = {city->comms[LocateCommunity(r0->x, r0->y)].code};

		snprintf(wkt, sizeof(wkt), "POINT(%.7f %.7f)", r0->x, r0->y);
		resetStringInfo(s);
		appendStringInfo(s, "{\"orders\": %d, \"meaning\": \"one event reported by %d callers within five hours: one incident, never a class case\"}",
						 ce->reports, ce->reports);
		PlantedEmit(p, "duplicate_event", ce->label, codes, 1, ce->cat, ce->day, ce->day, ce->reports, wkt, 30.0);
	}
	for (int c = 0; c < NCHAINS; c++)
	{
		const ClassRow *r0 = &pl->rows[pl->chain_start[c]];
		int			len = pl->chain_start[c + 1] - pl->chain_start[c];
		const char *codes[1] = {city->comms[LocateCommunity(r0->x, r0->y)].code};
		char		label[32];
		int			days[8];

		for (int i = 0; i < len; i++)
			days[i] = pl->rows[pl->chain_start[c] + i].day;
		snprintf(label, sizeof(label), "repeat_chain_%d", c + 1);
		resetStringInfo(s);
		appendStringInfo(s, "{\"caller_id\": \"%016" INT64_MODIFIER "x\", \"orders\": %d, \"repeats\": %d, \"meaning\": \"the same caller about the same problem, 5-25 days apart: every order after the first is a repeat; only the last is resolved\", \"days\": ",
						 r0->caller, len, len - 1);
		JsonInts(s, days, len);
		appendStringInfoChar(s, '}');
		PlantedEmit(p, "repeat_chain", label, codes, 1, gen_categories[r0->cat].code, days[0], days[len - 1],
					len - 1, NULL, 0);
	}
	for (int t = 0; t < NTYPES; t++)
		for (int j = 0; j < PER_TYPE; j++)
		{
			int			idx = t * PER_TYPE + j;
			const ClassRow *r0 = &pl->rows[pl->type_start[idx]];
			const ClassRow *rl = &pl->rows[pl->type_start[idx + 1] - 1];
			const char *codes[1] = {city->comms[LocateCommunity(r0->x, r0->y)].code};
			char		label[32];

			snprintf(label, sizeof(label), "%s_%d", class_type_codes[t], j + 1);
			resetStringInfo(s);
			appendStringInfo(s, "{\"caller_id\": \"%016" INT64_MODIFIER "x\", \"caller_type\": \"%s\", \"orders\": %d}",
							 r0->caller, class_type_codes[t], pl->type_start[idx + 1] - pl->type_start[idx]);
			PlantedEmit(p, "caller_type", label, codes, 1, NULL, r0->day, rl->day,
						pl->type_start[idx + 1] - pl->type_start[idx], NULL, 0);
		}
}
