/*
 * density.h — kernel density (SPEC §3), shared by
 *   density.c            kde state: transitions and combine
 *   density_final.c      kde_final, phase by phase
 *   density_lattice.c    the state's lattice mode: tiles, batch binning
 *   density_grid.c       the density_grid type, grid_cells, grid_info
 *   density_bandwidth.c  kde_bandwidth
 *
 * How kde works.  Up to minqing.kde_exact_points points a state keeps the
 * points (8 bytes each: offsets in quanta of <= bandwidth / 65536 from the
 * state's origin, plus a float8 weight when weighted).  Beyond that it
 * switches (once) to a lattice: every point is spread over the 3 x 3 nodes
 * around it with quadratic (3-point Lagrange) weights, which interpolate the
 * kernel to third order where linear binning only reaches second order, so
 * a lattice step of bandwidth / 20 keeps every cell holding >= 5% of the
 * maximum within about 1% of the exact sum (a single point is the worst
 * case).  The nodes live in dense 32 x 32 tiles, found through a small hash
 * of tile numbers, all inside the bytea state.  Points arriving in lattice
 * mode are appended as pending points (like kept points) and binned in
 * batches (at most KDE_BATCH_POINTS, 1M, or kde_exact_points), sorted by
 * row of tiles with a counting sort and binned row by row straight into the
 * tiles (a row of tiles stays cached; tile addresses come from a small
 * table over the batch's tile box, not a directory probe a point).
 * Binning each point as it comes would look up and touch a random tile per
 * row, the way a scan of spatially shuffled rows delivers them.
 *
 * The final function turns whatever it has into a dense lattice in the
 * output's metric coordinates and convolves it with a precomputed kernel
 * stencil, row by row, at the cell centres; when the state still holds
 * points it sums the kernel exactly instead if that is cheaper (few points
 * or a wide cell).  Projected input: lattice step g = cell / k (k the
 * smallest integer with g <= bandwidth / 20; the lattice is shifted by half
 * a step when k is odd) so that every cell centre is a node.  Geographic
 * input: the scan cannot know the data's centre, so the state's lattice is
 * in degrees (step bandwidth / 20 in meters of latitude, the same in
 * degrees of longitude; with the second binning in meters the worst case
 * is 1.14%, test/reference/density_binning.py); the final function centres a local transverse
 * Mercator on the mean rounded to 0.001 degree, projects points through a
 * mesh of that projection (nodes: their tile's four corners through the
 * mesh, bilinear inside the tile) and bins them onto the metric lattice.
 */
#ifndef MINQING_DENSITY_H
#define MINQING_DENSITY_H

#include "postgres.h"

#include <math.h>

#include "state.h"

/* ---------------------------------------------------------------------
 * kde state payload (little-endian, after the 16-byte state header)
 * ------------------------------------------------------------------- */
#define KDE_CELL	0			/* f8 cell size (CRS units or meters) */
#define KDE_BW		8			/* f8 bandwidth (CRS units or meters) */
#define KDE_STEP	16			/* f8 state lattice step (CRS units or degrees) */
#define KDE_SRID	24			/* i32 */
#define KDE_FLAGS	28			/* i32 KDE_F_* */
#define KDE_N		32			/* i64 points seen */
#define KDE_W		40			/* f8 total weight */
#define KDE_SX		48			/* f8 sum of x (longitude) */
#define KDE_SY		56			/* f8 sum of y (latitude) */
#define KDE_BITS	64			/* i32 log2 of the tile directory size */
#define KDE_NUSED	68			/* i32 points kept, or tiles */
#define KDE_K		72			/* i32 lattice steps per cell (projected) */
#define KDE_NPEND	76			/* i32 lattice mode: points pending after the tiles */
#define KDE_OX		80			/* f8 origin of kept points, in quanta (x) */
#define KDE_OY		88			/* f8 ... (y) */
#define KDE_Q		96			/* f8 quantum of kept points' coordinates */
#define KDE_HDR		104			/* points, or directory and tiles, follow */

#define KDE_F_INIT		0x01
#define KDE_F_GEO		0x02
#define KDE_F_WEIGHTED	0x04
#define KDE_F_LATTICE	0x08

/* kept points are quantized to bandwidth / 2^16 (degrees: its equivalent) */
#define KDE_QUANTA_PER_BW 65536.0
/* lattice steps per bandwidth: metric lattice, geographic (degree) lattice */
#define KDE_STEPS_PER_BW 20.0
#define KDE_GEO_STEPS_PER_BW 20.0
/* meters per degree of latitude, rounded down (sizes the degree lattice) */
#define METERS_PER_DEGREE 111320.0
/* lattice indices stay well inside int32 */
#define KDE_MAX_INDEX	1073741824.0

/* tiles of the state lattice: KDE_TILE x KDE_TILE float8 nodes */
#define KDE_TILE_SHIFT	5
#define KDE_TILE		(1 << KDE_TILE_SHIFT)
#define KDE_TILE_BYTES	((Size) KDE_TILE * KDE_TILE * 8)
/* directory slot: tile x i32 (xor INT32_MIN; 0 = empty), tile y i32, tile number i32, 0 */
#define KDE_SLOT		16
#define KDE_MIN_BITS	4
#define KDE_MAX_BITS	24

/* a kept point: dx i32, dy i32 (quanta from the origin), w f8 if weighted */
#define KdePtSize(flags) (((flags) & KDE_F_WEIGHTED) ? 16 : 8)

/* copy one point record (a fixed-size copy the compiler inlines, not a memcpy call) */
static inline void
KdePtCopy(char *dst, const char *src, Size sz)
{
	if (sz == 8)
		memcpy(dst, src, 8);
	else
		memcpy(dst, src, 16);
}

/* point k of a points-mode payload `pl` (header included) */
static inline void
KdePtRead(const char *pl, int32 flags, Size k, double *x, double *y, double *w)
{
	const char *p = pl + KDE_HDR + k * KdePtSize(flags);
	double		q = mq_get_f8(pl + KDE_Q);

	*x = (mq_get_f8(pl + KDE_OX) + mq_get_i32(p)) * q;
	*y = (mq_get_f8(pl + KDE_OY) + mq_get_i32(p + 4)) * q;
	*w = (flags & KDE_F_WEIGHTED) ? mq_get_f8(p + 8) : 1.0;
}

/* lattice mode: bytes of the tile directory and the tiles */
static inline Size
KdeLatticeBytes(const char *pl)
{
	return ((Size) KDE_SLOT << mq_get_i32(pl + KDE_BITS)) +
		(Size) mq_get_i32(pl + KDE_NUSED) * KDE_TILE_BYTES;
}

/* lattice mode: pending point k (they follow the tiles) */
static inline void
KdePendRead(const char *pl, int32 flags, Size k, double *x, double *y, double *w)
{
	const char *p = pl + KDE_HDR + KdeLatticeBytes(pl) + k * KdePtSize(flags);
	double		q = mq_get_f8(pl + KDE_Q);

	*x = (mq_get_f8(pl + KDE_OX) + mq_get_i32(p)) * q;
	*y = (mq_get_f8(pl + KDE_OY) + mq_get_i32(p + 4)) * q;
	*w = (flags & KDE_F_WEIGHTED) ? mq_get_f8(p + 8) : 1.0;
}

/*
 * Quadratic (3-point Lagrange) binning weights of a coordinate u in lattice
 * steps: nearest node n = rint(u), t = u - n in [-1/2, 1/2]; weights of
 * nodes n - 1, n, n + 1.  They sum to 1 and reproduce t and t^2, so the
 * binned kernel is the kernel interpolated quadratically.
 */
static inline double
KdeLagrange(double u, double wt[3])
{
	double		n = rint(u),
				t = u - n;

	wt[0] = 0.5 * t * (t - 1.0);
	wt[1] = 1.0 - t * t;
	wt[2] = 0.5 * t * (t + 1.0);
	return n;
}

/* floor(a / b) for b > 0 */
static inline int64
FloorDiv(int64 a, int64 b)
{
	int64		q = a / b;

	if ((a % b != 0) && (a < 0))
		q--;
	return q;
}

/* add w to the float8 node at p */
static inline void
KdeNodeAdd(char *p, double w)
{
	mq_put_f8(p, mq_get_f8(p) + w);
}

/*
 * Lattice mode bins its pending points in batches of at most this many
 * (and kde_exact_points): enough to fill each tile with hundreds of points,
 * few enough that the batch and its sorted copy (8 MB each) stay cached
 * allocations instead of fresh pages every time.
 */
#define KDE_BATCH_POINTS (1 << 20)

/* the state (density.c) */
extern int32 mq_kde_lattice_k(double cell, double bw);
extern bytea *mq_kde_check(Datum d);
extern bytea *mq_kde_state_arg(Datum d);

/* the state's lattice mode (density_lattice.c) */
extern bytea *mq_kde_flushed(bytea *s);
extern bytea *mq_kde_flush(bytea *s);
extern bytea *mq_kde_to_lattice(bytea *s);
extern bytea *mq_kde_tile_room(bytea *s, int32 more);
extern char *mq_kde_tile_get(bytea **sp, int32 tx, int32 ty);
extern bytea *mq_kde_lattice_add(bytea *s, double x, double y, double w);
/* the nodes of the tile in directory slot `slot` and its tile coordinates; NULL for an empty slot */
extern const char *mq_kde_tile(const char *pl, int32 slot, int32 *tx, int32 *ty);

/* ---------------------------------------------------------------------
 * density_grid layout (little-endian, portable):
 *   0  varlena header       4  version u8   5 flags u8 (1 geo, 2 weighted)
 *   8  srid i32            12  ncells i32
 *   16 cell_size f8        24  bandwidth f8
 *   32 lon_0 f8            40  lat_0 f8   (projection centre when geo)
 *   48 points i64          56  weight f8
 *   64 cells: (i i32, j i32, value f8) sorted by j, then i
 * ------------------------------------------------------------------- */
#define DG_VERSION	1
#define DG_HDR		64
#define DG_F_GEO	0x01
#define DG_F_WEIGHTED 0x02

typedef struct DensityGrid
{
	int			flags;
	int32		srid;
	int32		ncells;
	double		cell_size;
	double		bandwidth;
	double		lon0;
	double		lat0;
	int64		points;
	double		weight;
	const char *cells;			/* ncells * 16 bytes */
} DensityGrid;

/*
 * a density_grid value with room for dg->ncells cells (header filled in);
 * fname names the SQL function in the error beyond the 1 GB limit
 */
extern bytea *mq_density_grid_alloc(const DensityGrid *dg, const char *fname);

#endif
