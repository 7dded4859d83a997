/*
 * generate_grid.c — the grid level (网格, SPEC §13) of the synthetic city.
 *
 * Every community (a rectangle) is split into gx × gy grids, gx and gy 2 or 3
 * by fixed geography (4, 6 or 9 grids), numbered 001.. row by row from the
 * south-west; its population is split by fixed weights.  An order's unit_code
 * is the grid containing its point: the community's code and the grid serial.
 *
 * Planted (its own stream, GEN_STREAM_GRID): a KTV bar in grid 005 (the
 * centre of nine) of community 990108002002 keeps residents awake for the
 * whole two years: each order of the community turns, with probability
 * GRID_PLANT_SHARE = 1.3%, into a noise complaint placed inside that grid.
 * The community's order count is unchanged; in the default 1M-order city its
 * noise share rises from about 6.1% to 7.4% (location quotient about 1.2,
 * not significant among 432 communities after Benjamini–Hochberg) while the
 * grid's noise share nearly triples (clearly significant among about 2,760
 * grids).  The share is fixed, so smaller cities show the grid less clearly.
 */
#include "postgres.h"

#include <math.h>

#include "generate.h"

#define GEN_FIXED_GRID_X	40		/* FixedUnif streams of the grid layout */
#define GEN_FIXED_GRID_Y	41
#define GEN_FIXED_GRID_POP	42

#define GRID_PLANT_COMM_CODE	"990108002002"
#define GRID_PLANT_SERIAL		5		/* the centre grid of nine */
#define GRID_PLANT_DAY0			0		/* chronic: the whole two years */
#define GRID_PLANT_DAY1			(GEN_NDAYS - 1)
#define GRID_PLANT_SHARE		0.013

/* index of the planted community, found by its code */
int
gen_grid_plant_comm(const GenCity *city)
{
	for (int c = 0; c < GEN_NCOMM; c++)
		if (strcmp(city->comms[c].code, GRID_PLANT_COMM_CODE) == 0)
			return c;
	elog(ERROR, "generate_city: planted grid community %s not found", GRID_PLANT_COMM_CODE);
	return -1;
}

/* gx × gy grids of community `comm` (the planted community has nine) */
void
gen_grid_layout(const GenCity *city, int comm, int *gx, int *gy)
{
	*gx = FixedUnif(GEN_FIXED_GRID_X, (uint64) comm) < 0.5 ? 2 : 3;
	*gy = FixedUnif(GEN_FIXED_GRID_Y, (uint64) comm) < 0.5 ? 2 : 3;
	if (strcmp(city->comms[comm].code, GRID_PLANT_COMM_CODE) == 0)
		*gx = *gy = 3;
}

/* the rectangle of grid `serial` (1-based) of community u */
void
gen_grid_bbox(const GenCity *city, int comm, int serial, double *x0, double *y0, double *x1, double *y1)
{
	const GenUnit *u = &city->comms[comm];
	int			gx,
				gy,
				ix,
				iy;
	double		w,
				h;

	gen_grid_layout(city, comm, &gx, &gy);
	ix = (serial - 1) % gx;
	iy = (serial - 1) / gx;
	w = (u->x1 - u->x0) / gx;
	h = (u->y1 - u->y0) / gy;
	*x0 = u->x0 + ix * w;
	*x1 = (ix == gx - 1) ? u->x1 : u->x0 + (ix + 1) * w;
	*y0 = u->y0 + iy * h;
	*y1 = (iy == gy - 1) ? u->y1 : u->y0 + (iy + 1) * h;
}

/* population of grid `serial`: the community's split by fixed weights, in whole people */
double
gen_grid_population(const GenCity *city, int comm, int serial)
{
	const GenUnit *u = &city->comms[comm];
	int			gx,
				gy,
				n;
	double		wsum = 0,
				before = 0;

	gen_grid_layout(city, comm, &gx, &gy);
	n = gx * gy;
	for (int k = 1; k <= n; k++)
		wsum += 0.5 + FixedUnif(GEN_FIXED_GRID_POP, (uint64) comm * 16 + k);
	for (int k = 1; k < serial; k++)
		before += 0.5 + FixedUnif(GEN_FIXED_GRID_POP, (uint64) comm * 16 + k);
	/* cumulative rounding: the grids add up to the community exactly */
	return round(u->pop * (before + 0.5 + FixedUnif(GEN_FIXED_GRID_POP, (uint64) comm * 16 + serial)) / wsum)
		- round(u->pop * before / wsum);
}

/* the grid of community `comm` containing (x, y) (clamped to the rectangle) */
static int
GridOf(const GenCity *city, int comm, double x, double y)
{
	const GenUnit *u = &city->comms[comm];
	int			gx,
				gy,
				ix,
				iy;

	gen_grid_layout(city, comm, &gx, &gy);
	ix = (int) floor((x - u->x0) / (u->x1 - u->x0) * gx);
	iy = (int) floor((y - u->y0) / (u->y1 - u->y0) * gy);
	ix = Max(0, Min(gx - 1, ix));
	iy = Max(0, Min(gy - 1, iy));
	return iy * gx + ix + 1;
}

void
gen_grid_order(const GenCity *city, uint64 seed, GenOrder *o)
{
	if (o->comm == city->grid_plant_comm &&
		o->day >= GRID_PLANT_DAY0 && o->day <= GRID_PLANT_DAY1)
	{
		GenRng		rng;

		RngInit(&rng, seed, (uint64) o->row, GEN_STREAM_GRID);
		if (RngUnif(&rng) < GRID_PLANT_SHARE)
		{
			double		x0,
						y0,
						x1,
						y1;

			gen_grid_bbox(city, o->comm, GRID_PLANT_SERIAL, &x0, &y0, &x1, &y1);
			o->cat = CategoryIndex("noise");
			o->dept = gen_categories[o->cat].dept;
			o->x = x0 + (x1 - x0) * (0.05 + 0.9 * RngUnif(&rng));
			o->y = y0 + (y1 - y0) * (0.05 + 0.9 * RngUnif(&rng));
		}
	}
	o->grid = GridOf(city, o->comm, o->x, o->y);
}

void
gen_grid_planted(const GenCity *city, GenPlanted *p)
{
	const GenUnit *u = &city->comms[city->grid_plant_comm];
	char		grid[16];
	const char *codes[1];

	snprintf(grid, sizeof(grid), "%s%03d", u->code, GRID_PLANT_SERIAL);
	codes[0] = grid;
	resetStringInfo(&p->details);
	appendStringInfo(&p->details,
					 "{\"community\": \"%s\", \"grid\": \"%s\", \"share\": %.2f, "
					 "\"meaning\": \"a KTV bar in one grid: each order of the community in the window becomes, with this probability, a noise complaint inside the grid; the community total is unchanged, so the problem is diluted at level 5 and plain at level 6\"}",
					 u->code, grid, GRID_PLANT_SHARE);
	PlantedEmit(p, "grid_problem", "ktv_noise", codes, 1, "noise",
				GRID_PLANT_DAY0, GRID_PLANT_DAY1, GRID_PLANT_SHARE, NULL, 0.0);
}
