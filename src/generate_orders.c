/*
 * generate_orders.c — minqing.generate_city_orders(orders, seed, first, count)
 * (SPEC §1): the work orders of the synthetic city, one row at a time.
 *
 * Row i is built by GenOrderBuild() in named steps, all drawing from the
 * row's own stream RngInit(seed, i, GEN_STREAM_ORDER) in this order:
 *
 *   OrderPlace     which component the row's slot belongs to (the small
 *                  community, the e-bike surge, a hotspot or base demand),
 *                  and from it day, category, community and point
 *   OrderTime      hour of the day and the creation time
 *   OrderOutcomes  responded / resolved / surveyed / satisfied
 *   OrderHoursOpen hours until closed
 *   OrderCaller    the caller id (12% repeat callers)
 *   OrderRouting   department and channel
 *
 * Steps of other features follow at the marked place in GenOrderBuild(), each
 * with a stream of its own (generate.h), so these draws never move.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "generate.h"
#include "geom.h"
#include "result.h"

PG_FUNCTION_INFO_V1(generate_city_orders);

/* ------------------------------------------------------------------------
 * Sampling helpers
 * ------------------------------------------------------------------------ */

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

/* a category from the base category distribution of a day */
static int
SampleCategory(GenRng *rng, const GenCity *city, int day)
{
	return CdfSearch(city->cat_cdf[day], GEN_NCAT, city->cat_cdf[day][GEN_NCAT - 1] * RngUnif(rng));
}

/* ------------------------------------------------------------------------
 * Step 1: place the row (component, day, category, community, point)
 * ------------------------------------------------------------------------ */

/* the small community: few orders, every outcome perfect (OrderOutcomes) */
static void
PlaceSmall(const GenCity *city, GenRng *rng, GenOrder *o)
{
	o->small = true;
	o->comm = GEN_SMALL_COMM;
	o->day = SampleDay(rng, city, 0, GEN_NDAYS - 1);
	o->cat = SampleCategory(rng, city, o->day);
	PointInUnit(rng, &city->comms[o->comm], &o->x, &o->y);
}

/* the e-bike charging surge: fixed counts per community and day */
static void
PlaceSurge(const GenCity *city, GenRng *rng, GenOrder *o)
{
	int64		r = o->slot - city->start_surge;
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
	o->comm = city->surge[lo].comm;
	o->day = city->surge[lo].day;
	o->cat = CategoryIndex("ebike_charging");
	for (m = 0; m < 3; m++)
		if (GEN_SURGE_STREET * 9 + gen_surge_members[m] == o->comm)
			break;
	PointInDisk(rng, city->surge_x[m], city->surge_y[m], GEN_SURGE_RADIUS, &o->x, &o->y);
}

/* a hotspot: a disk around its center, its own days and categories */
static void
PlaceHotspot(const GenCity *city, GenRng *rng, GenOrder *o)
{
	int			h = 0;
	double		u;

	while (h < GEN_NHOT - 1 && o->slot >= city->start_hot[h + 1])
		h++;
	o->day = SampleDay(rng, city, gen_hotspots[h].day_from, gen_hotspots[h].day_to);
	u = RngUnif(rng);
	o->cat = city->hot_cat[h][u < gen_hotspots[h].catw[0] ? 0 :
							  (u < gen_hotspots[h].catw[0] + gen_hotspots[h].catw[1] ? 1 : 2)];
	PointInDisk(rng, city->hot_x[h], city->hot_y[h], gen_hotspots[h].radius, &o->x, &o->y);
	o->comm = LocateCommunity(o->x, o->y);
	if (o->comm < 0)
		elog(ERROR, "generate_city: hotspot point outside the city");
}

/* base demand, with the policy's reduction by rejection */
static void
PlaceBase(const GenCity *city, GenRng *rng, GenOrder *o)
{
	for (int tries = 0;; tries++)
	{
		o->day = CdfSearch(city->day_cdf, GEN_NDAYS, city->day_cdf[GEN_NDAYS - 1] * RngUnif(rng));
		o->cat = SampleCategory(rng, city, o->day);
		o->comm = CdfSearch(city->unit_cdf, GEN_NCOMM, city->unit_cdf[GEN_NCOMM - 1] * RngUnif(rng));
		if (city->calm ||
			!(o->cat == city->parking && o->day >= GEN_POLICY_DAY && city->comms[o->comm].treated))
			break;
		if (RngUnif(rng) < GEN_POLICY_EFFECT || tries > 1000)
			break;
	}
	PointInUnit(rng, &city->comms[o->comm], &o->x, &o->y);
}

static void
OrderPlace(const GenCity *city, GenRng *rng, GenOrder *o)
{
	if (o->slot < city->n_small)
		PlaceSmall(city, rng, o);
	else if (o->slot < city->start_surge + city->n_surge)
		PlaceSurge(city, rng, o);
	else if (o->slot < city->start_base)
		PlaceHotspot(city, rng, o);
	else
		PlaceBase(city, rng, o);
}

/* ------------------------------------------------------------------------
 * Steps 2..6: time, outcomes, hours open, caller, routing
 * ------------------------------------------------------------------------ */

/* time of day */
static void
OrderTime(const GenCity *city, GenRng *rng, GenOrder *o)
{
	int			hour = CdfSearch(city->hour_cdf, 24, city->hour_cdf[23] * RngUnif(rng));

	o->created = ((TimestampTz) (GEN_DAY0 + o->day) * SECS_PER_DAY +
				  (hour - 8) * SECS_PER_HOUR + (int64) (RngUnif(rng) * SECS_PER_HOUR)) * USECS_PER_SEC;
}

/* outcomes: street quality, category difficulty, slow improvement */
static void
OrderOutcomes(const GenCity *city, GenRng *rng, GenOrder *o)
{
	const GenStreet *street = &city->streets[city->comms[o->comm].street];
	double		tfrac = o->day / (double) (GEN_NDAYS - 1);
	double		p;

	p = 0.95 + 0.03 * street->quality - (street->bad ? 0.15 : 0.0);
	if (!city->calm &&
		gen_categories[o->cat].storm > 0 && o->day >= GEN_STORM_DAY && o->day < GEN_STORM_DAY + 6)
		p -= 0.15;				/* overwhelmed during the storm */
	o->responded = RngUnif(rng) < Clamp01(p);
	p = o->responded ?
		0.80 + 0.07 * street->quality + gen_categories[o->cat].difficulty + 0.03 * tfrac -
		(street->bad ? 0.25 : 0.0) :
		0.30 - (street->bad ? 0.10 : 0.0);
	o->resolved = RngUnif(rng) < Clamp01(p);
	o->surveyed = RngUnif(rng) < 0.75;
	p = o->resolved ?
		0.90 + 0.04 * street->quality + 0.02 * tfrac - (street->bad ? 0.20 : 0.0) :
		0.30 - (street->bad ? 0.10 : 0.0);
	o->satisfied = RngUnif(rng) < Clamp01(p);
	if (o->small)
		o->responded = o->resolved = o->surveyed = o->satisfied = true;
}

/* hours until closed: log-normal, median 20 h (resolved) or 60 h */
static void
OrderHoursOpen(const GenCity *city, GenRng *rng, GenOrder *o)
{
	const GenStreet *street = &city->streets[city->comms[o->comm].street];
	double		z = (RngUnif(rng) + RngUnif(rng) + RngUnif(rng) + RngUnif(rng) - 2.0) * 1.7320508075688772;

	o->hours_open = exp(log(o->resolved ? 20.0 : 60.0) + (street->bad ? log(2.5) : 0.0) + 0.8 * z);
}

/* caller: 12% repeat callers from a pool of 15 per community */
static void
OrderCaller(uint64 seed, GenRng *rng, GenOrder *o)
{
	if (RngUnif(rng) < 0.12)
		o->caller = SplitMix(SplitMix(seed ^ UINT64CONST(0x5245504541540000)) + (uint64) o->comm * 16 +
							 (uint64) (RngUnif(rng) * 15));
	else
		o->caller = SplitMix(SplitMix(seed ^ UINT64CONST(0x43414c4c45520000)) + (uint64) o->row);
}

/* department (15% go to the street office) and channel */
static void
OrderRouting(GenRng *rng, GenOrder *o)
{
	double		u;

	o->dept = gen_categories[o->cat].dept;
	if (RngUnif(rng) < 0.15)
		o->dept = GEN_DEPT_STREET_OFFICE;
	u = RngUnif(rng);
	o->channel = 0;
	while (o->channel < GEN_NCHANNEL - 1 && u >= gen_channel_cdf[o->channel])
		o->channel++;
}

/*
 * Build row `row` (0-based) of the city: depends only on (city->orders,
 * seed, row).
 */
void
GenOrderBuild(const GenCity *city, uint64 seed, int64 row, GenOrder *o)
{
	GenRng		rng;

	memset(o, 0, sizeof(GenOrder));
	o->row = row;
	o->slot = (int64) (((uint64) row * city->perm_a) % (uint64) city->orders);
	RngInit(&rng, seed, (uint64) row, GEN_STREAM_ORDER);

	OrderPlace(city, &rng, o);
	OrderTime(city, &rng, o);
	OrderOutcomes(city, &rng, o);
	OrderHoursOpen(city, &rng, o);
	OrderCaller(seed, &rng, o);
	OrderRouting(&rng, o);
	gen_grid_order(city, seed, o);	/* before the text: it may change the category */
	gen_text_order(city, seed, o);

	/*
	 * Steps of other features go here, one call each:
	 *     gen_<feature>_order(city, seed, o);
	 * in src/generate_<feature>.c, drawing only from its own stream
	 * (GEN_STREAM_<FEATURE>, generate.h), never from `rng` above.
	 */
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
	Datum		dept_text[GEN_NDEPT];
	Datum		channel_text[GEN_NCHANNEL];
	Datum		unit_text[GEN_NCOMM][GEN_MAX_GRIDS];	/* grid codes */
} GenOrdersState;

/* the state of one call: the city and the text datums of its codes */
static GenOrdersState *
OrdersStart(FunctionCallInfo fcinfo)
{
	GenOrdersState *st;
	int64		orders,
				first,
				count;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("generate_city_orders arguments must not be NULL")));
	orders = PG_GETARG_INT64(0);
	first = PG_GETARG_INT64(2);
	count = PG_GETARG_INT64(3);
	CheckOrdersArg(orders);
	if (first < 0 || count < 0 || first > orders || count > orders - first)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rows " INT64_FORMAT " .. " INT64_FORMAT " are outside a city of " INT64_FORMAT " orders",
						first, first + count - 1, orders),
				 errhint("Ask for first >= 0 and first + count <= orders.")));

	st = palloc0(sizeof(GenOrdersState));
	/* generate_city_orders(…, events boolean): false is a calm city */
	st->city = BuildCity(orders, PG_NARGS() > 4 && !PG_ARGISNULL(4) && !PG_GETARG_BOOL(4));
	st->seed = (uint64) (uint32) PG_GETARG_INT32(1);
	st->next = first;
	st->end = first + count;
	for (int c = 0; c < GEN_NCAT; c++)
		st->cat_text[c] = CStringGetTextDatum(gen_categories[c].code);
	for (int k = 0; k < GEN_NDEPT; k++)
		st->dept_text[k] = CStringGetTextDatum(gen_departments[k]);
	for (int k = 0; k < GEN_NCHANNEL; k++)
		st->channel_text[k] = CStringGetTextDatum(gen_channels[k]);
	for (int k = 0; k < GEN_NCOMM; k++)
	{
		int			gx,
					gy;

		gen_grid_layout(st->city, k, &gx, &gy);
		for (int g = 1; g <= gx * gy; g++)
		{
			char		code[16];

			snprintf(code, sizeof(code), "%s%03d", st->city->comms[k].code, g);
			st->unit_text[k][g - 1] = CStringGetTextDatum(code);
		}
	}
	return st;
}

/* the SQL row of an order */
static HeapTuple
OrderTuple(const GenOrdersState *st, TupleDesc tupdesc, const GenOrder *o)
{
	Datum		values[13];
	bool		nulls[13] = {0};
	char		caller_buf[20];
	TimestampTz closed = o->created + (int64) (o->hours_open * SECS_PER_HOUR) * USECS_PER_SEC;
	TimestampTz horizon = ((TimestampTz) (GEN_DAY0 + GEN_NDAYS) * SECS_PER_DAY - 8 * SECS_PER_HOUR) * USECS_PER_SEC;

	snprintf(caller_buf, sizeof(caller_buf), "%016" INT64_MODIFIER "x", o->caller);
	values[0] = Int64GetDatum(o->row + 1);
	values[1] = TimestampTzGetDatum(o->created);
	values[2] = st->cat_text[o->cat];
	values[3] = st->unit_text[o->comm][o->grid - 1];
	values[4] = mq_point_make(o->x, o->y, GEN_SRID);
	values[5] = BoolGetDatum(o->responded);
	values[6] = BoolGetDatum(o->resolved);
	values[7] = BoolGetDatum(o->satisfied);
	nulls[7] = !o->surveyed;
	values[8] = TimestampTzGetDatum(closed);
	nulls[8] = closed >= horizon;	/* still open when the data were extracted */
	values[9] = CStringGetTextDatum(caller_buf);
	values[10] = st->dept_text[o->dept];
	values[11] = st->channel_text[o->channel];
	values[12] = CStringGetTextDatum(o->content);
	return heap_form_tuple(tupdesc, values, nulls);
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
	GenOrder	o;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		st = OrdersStart(fcinfo);
		funcctx->tuple_desc = mq_result_desc(fcinfo);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = funcctx->user_fctx;
	if (st->next >= st->end)
		SRF_RETURN_DONE(funcctx);
	CHECK_FOR_INTERRUPTS();
	GenOrderBuild(st->city, st->seed, st->next++, &o);
	SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(OrderTuple(st, funcctx->tuple_desc, &o)));
}
