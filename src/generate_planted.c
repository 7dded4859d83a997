/*
 * generate_planted.c — minqing.generate_city_planted(orders) (SPEC §1): the
 * ground truth planted in a synthetic city, one step per phenomenon, in a
 * fixed order (id).  Columns: id, kind, label, unit_codes, category_code,
 * start_date, end_date, effect, geom_wkt (NULL: the union of unit_codes),
 * radius_m, details (JSON text).
 *
 * Phenomena of other features add a step at the marked place of
 * generate_city_planted() (see generate.h) and emit with PlantedEmit().
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/tuplestore.h"

#include "generate.h"

PG_FUNCTION_INFO_V1(generate_city_planted);

#define PLANTED_COLS 11

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

/*
 * Emit the next planted row; its details are p->details.  cat and wkt may be
 * NULL (no category; geometry = the union of the units); radius <= 0 is NULL.
 */
void
PlantedEmit(GenPlanted *p, const char *kind, const char *label,
			const char *const *codes, int ncodes, const char *cat,
			int day_from, int day_to, double effect,
			const char *wkt, double radius)
{
	Datum		v[PLANTED_COLS];
	bool		n[PLANTED_COLS] = {0};

	v[0] = Int32GetDatum(++p->id);
	v[1] = CStringGetTextDatum(kind);
	v[2] = CStringGetTextDatum(label);
	v[3] = CodeArray(codes, ncodes);
	if (cat != NULL)
		v[4] = CStringGetTextDatum(cat);
	else
		n[4] = true;
	v[5] = DateADTGetDatum(GEN_DAY0 + day_from);
	v[6] = DateADTGetDatum(GEN_DAY0 + day_to);
	v[7] = Float8GetDatum(effect);
	if (wkt != NULL)
		v[8] = CStringGetTextDatum(wkt);
	else
		n[8] = true;
	v[9] = Float8GetDatum(radius);
	n[9] = (radius <= 0);
	v[10] = CStringGetTextDatum(p->details.data);
	tuplestore_putvalues(p->rsinfo->setResult, p->tupdesc, v, n);
}

/* the hotspots: a disk each */
static void
PlantHotspots(const GenCity *city, GenPlanted *p)
{
	StringInfo	s = &p->details;

	for (int h = 0; h < GEN_NHOT; h++)
	{
		const GenHotspot *hs = &gen_hotspots[h];
		const char *codes[1];
		char		wkt[80];

		if (city->calm && GenHotspotIsEvent(h))
			continue;			/* a calm city has no time-limited hotspot */
		codes[0] = city->comms[LocateCommunity(city->hot_x[h], city->hot_y[h])].code;
		resetStringInfo(s);
		appendStringInfo(s, "{\"orders\": " INT64_FORMAT ", \"shape\": \"uniform in the disk\", "
						 "\"categories\": {\"%s\": %.2f, \"%s\": %.2f, \"%s\": %.2f}, "
						 "\"days\": \"all days of the window, weighted like base demand\"}",
						 city->n_hot[h], hs->cats[0], hs->catw[0], hs->cats[1], hs->catw[1],
						 hs->cats[2], hs->catw[2]);
		snprintf(wkt, sizeof(wkt), "POINT(%.9f %.9f)", city->hot_x[h], city->hot_y[h]);
		PlantedEmit(p, "hotspot", hs->label, codes, 1, hs->cats[0], hs->day_from, hs->day_to,
					(double) city->n_hot[h], wkt, hs->radius);
	}
}

/* the e-bike charging surge in three communities of one street */
static void
PlantSurge(const GenCity *city, GenPlanted *p)
{
	StringInfo	s = &p->details;
	const char *codes[3];
	char		wkt[200];

	for (int m = 0; m < 3; m++)
		codes[m] = city->comms[GEN_SURGE_STREET * 9 + gen_surge_members[m]].code;
	resetStringInfo(s);
	appendStringInfo(s, "{\"orders\": " INT64_FORMAT ", \"radius_m\": %.0f, "
					 "\"daily_extra_per_unit\": [", city->n_surge, GEN_SURGE_RADIUS);
	for (int k = 0; k < GEN_SURGE_DAYS; k++)
	{
		int64		per = Min(1 + k / 2, 8) * city->surge_scale;
		int64		cum = city->surge[k * 3].cum;

		/* what the cap on surge rows left of this day (first member) */
		appendStringInfo(s, "%s" INT64_FORMAT, k ? ", " : "",
						 Max(0, Min(cum, city->n_surge) - (cum - per)));
	}
	appendStringInfo(s, "], \"note\": \"points uniform in a disk of radius_m around each unit's surge center (geom)\", "
					 "\"words\": [\"飞线充电\", \"楼道充电\"]}");
	snprintf(wkt, sizeof(wkt), "MULTIPOINT(%.9f %.9f, %.9f %.9f, %.9f %.9f)",
			 city->surge_x[0], city->surge_y[0], city->surge_x[1], city->surge_y[1],
			 city->surge_x[2], city->surge_y[2]);
	PlantedEmit(p, "surge", "ebike_charging_surge", codes, 3, "ebike_charging",
				GEN_SURGE_DAY, GEN_SURGE_DAY + GEN_SURGE_DAYS - 1, (double) city->n_surge, wkt,
				GEN_SURGE_RADIUS);
}

/* the policy: treated and control communities */
static void
PlantPolicy(const GenCity *city, GenPlanted *p)
{
	StringInfo	s = &p->details;
	const char *codes[64],
			   *ctl[64];
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
	resetStringInfo(s);
	appendStringInfo(s, "{\"multiplier\": %.2f, \"meaning\": \"expected parking orders in treated units are multiplied by effect from start_date on; control units share the same trend and seasons\", \"treated_streets\": ",
					 GEN_POLICY_EFFECT);
	JsonCodes(s, tstreets, 6);
	appendStringInfoString(s, ", \"control_streets\": ");
	JsonCodes(s, cstreets, 6);
	appendStringInfoString(s, ", \"control_unit_codes\": ");
	JsonCodes(s, ctl, nc);
	appendStringInfoChar(s, '}');
	PlantedEmit(p, "policy", "smart_parking", codes, nt, "parking", GEN_POLICY_DAY, GEN_NDAYS - 1,
				GEN_POLICY_EFFECT, NULL, 0.0);
	resetStringInfo(s);
	appendStringInfo(s, "{\"meaning\": \"control units of the smart_parking policy (no change)\", \"streets\": ");
	JsonCodes(s, cstreets, 6);
	appendStringInfoChar(s, '}');
	PlantedEmit(p, "policy_control", "smart_parking", ctl, nc, "parking", GEN_POLICY_DAY, GEN_NDAYS - 1,
				1.0, NULL, 0.0);
}

/* the storm, city-wide */
static void
PlantStorm(const GenCity *city, GenPlanted *p)
{
	StringInfo	s = &p->details;
	const char *codes[1] = {"990100000000"};
	bool		first = true;

	resetStringInfo(s);
	appendStringInfo(s, "{\"peak_date\": \"2025-07-21\", \"rain_ends\": \"2025-07-22\", "
					 "\"profile\": \"multiplier 1 + m*g(t), g = 0.7, 1, then 0.8*exp(-(t-2)/3) for t = days since start_date\", "
					 "\"peak_multipliers\": {");
	for (int c = 0; c < GEN_NCAT; c++)
		if (gen_categories[c].storm > 0)
		{
			appendStringInfo(s, "%s\"%s\": %.1f", first ? "" : ", ",
							 gen_categories[c].code, 1.0 + gen_categories[c].storm);
			first = false;
		}
	appendStringInfo(s, "}, \"response_rate_drop\": 0.15, \"response_drop_days\": 6, "
					 "\"recovery_days\": 14, \"words\": [\"积水\", \"停电\"]}");
	PlantedEmit(p, "storm", "rainstorm_2025_07", codes, 1, "drainage", GEN_STORM_DAY, GEN_STORM_END,
				8.0, NULL, 0.0);
}

/* the bad streets */
static void
PlantBadStreets(const GenCity *city, GenPlanted *p)
{
	for (int b = 0; b < 3; b++)
	{
		const char *codes[1];
		char		label[32];

		codes[0] = city->streets[gen_bad_streets[b]].code;
		snprintf(label, sizeof(label), "bad_street_%d", b + 1);
		resetStringInfo(&p->details);
		appendStringInfoString(&p->details, "{\"response_prob_shift\": -0.15, \"resolution_prob_shift\": -0.25, "
							   "\"satisfaction_prob_shift_if_resolved\": -0.20, "
							   "\"satisfaction_prob_shift_if_unresolved\": -0.10, \"hours_open_factor\": 2.5}");
		PlantedEmit(p, "bad_street", label, codes, 1, NULL, 0, GEN_NDAYS - 1, -0.25, NULL, 0.0);
	}
}

/* the small community */
static void
PlantSmallCommunity(const GenCity *city, GenPlanted *p)
{
	const char *codes[1];

	codes[0] = city->comms[GEN_SMALL_COMM].code;
	resetStringInfo(&p->details);
	appendStringInfo(&p->details, "{\"population\": %.0f, \"orders\": " INT64_FORMAT ", \"response_rate\": 1, "
					 "\"resolution_rate\": 1, \"satisfaction_rate\": 1, "
					 "\"meaning\": \"few orders with perfect outcomes: a ranking must shrink it, not top it\"}",
					 GEN_SMALL_POP, city->n_small);
	PlantedEmit(p, "small_community", "cuihu_garden", codes, 1, NULL, 0, GEN_NDAYS - 1,
				(double) city->n_small, NULL, 0.0);
}

/*
 * generate_city_planted: one row per planted truth, in a fixed order (id).
 */
Datum
generate_city_planted(PG_FUNCTION_ARGS)
{
	GenPlanted	p = {0};
	GenCity    *city;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("orders must not be NULL")));
	CheckOrdersArg(PG_GETARG_INT64(0));
	InitMaterializedSRF(fcinfo, 0);
	p.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	p.tupdesc = p.rsinfo->setDesc;
	initStringInfo(&p.details);
	/* generate_city_planted(orders, events boolean): false is a calm city */
	city = BuildCity(PG_GETARG_INT64(0), PG_NARGS() > 1 && !PG_ARGISNULL(1) && !PG_GETARG_BOOL(1));

	PlantHotspots(city, &p);
	if (!city->calm)
	{
		PlantSurge(city, &p);
		PlantPolicy(city, &p);
		PlantStorm(city, &p);
	}
	PlantBadStreets(city, &p);
	PlantSmallCommunity(city, &p);

	/*
	 * Truths of other features go here, one call each, appended (ids of the
	 * rows above must not move):  gen_<feature>_planted(city, &p);
	 */
	gen_grid_planted(city, &p);
	return (Datum) 0;
}
