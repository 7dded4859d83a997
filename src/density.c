/*
 * density.c — kernel density grids (SPEC §3):
 *   kde(geom, cell_size, bandwidth [, weight])  aggregate -> density_grid
 *   grid_cells(density_grid)                    one row per non-zero cell
 *   kde_bandwidth(geom)                         ArcGIS default search radius
 *   density_grid                                the result type (text I/O)
 *
 * How kde works.  Up to minqing.kde_exact_points points (default 2^20) a
 * state simply keeps the points (24 bytes each, appended) and the final
 * function sums the quartic kernel exactly at every cell centre within the
 * bandwidth of each point: per point that is ~(2h/s)^2 multiply-adds, less
 * than hashing four lattice nodes.  Beyond that, the state switches (once)
 * to a fine lattice: each point's weight is spread over the four
 * surrounding lattice nodes (linear binning, as KernSmooth's bkde2D does),
 * kept in a sparse open-addressing hash inside the bytea state, and the
 * final function convolves the node weights with the kernel.  Partial
 * states from parallel or Citus workers merge point by point or node by
 * node.  The lattice step g = s / (2m), m = ceil(20 s / h), so g <= h / 40
 * and every cell centre (i + 0.5) s is a lattice node: node-to-centre
 * offsets are whole lattice steps and the kernel comes from a small table.
 * Linear binning at g = h/40 is within 0.8% of the exact kernel sum on
 * every cell holding >= 5% of the maximum (worst case: a single point).
 *
 * Geographic input (longitude/latitude SRIDs): the scan cannot know the
 * data's centre, so it keeps lon/lat (or bins onto a micro-lattice in
 * degrees, step g/3 in meters, finer in longitude away from the equator)
 * and sums the coordinates.  The final function centres a local transverse
 * Mercator (WGS84, k = 1, src/geom.h) on the mean rounded to 0.001 degree,
 * projects the points (micro nodes) through a 0.01-degree mesh of that
 * projection (bilinear, centimetre error), and proceeds in meters; the grid
 * lives in that projection (its PROJ string is in the text form, in
 * grid_info() and the README), and grid_cells() maps cells back.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "geom.h"
#include "guc.h"
#include "result.h"
#include "state.h"
#include "stats.h"

/* ---------------------------------------------------------------------
 * kde state payload (little-endian, after the 16-byte state header)
 * ------------------------------------------------------------------- */
#define KDE_CELL	0			/* f8 cell size (CRS units or meters) */
#define KDE_BW		8			/* f8 bandwidth (CRS units or meters) */
#define KDE_STEP	16			/* f8 binning lattice step (CRS units or degrees) */
#define KDE_SRID	24			/* i32 */
#define KDE_FLAGS	28			/* i32 KDE_F_* */
#define KDE_N		32			/* i64 points binned */
#define KDE_W		40			/* f8 total weight */
#define KDE_SX		48			/* f8 sum of x (longitude) */
#define KDE_SY		56			/* f8 sum of y (latitude) */
#define KDE_BITS	64			/* i32 log2 of the hash capacity */
#define KDE_NUSED	68			/* i32 occupied slots */
#define KDE_M		72			/* i32 cell subdivision m (g = s / 2m) */
#define KDE_OX		80			/* f8 origin of kept points, in quanta (x) */
#define KDE_OY		88			/* f8 ... (y) */
#define KDE_Q		96			/* f8 quantum of kept points' coordinates */
#define KDE_HDR		104			/* points or slots follow */

/* kept points are quantized to bandwidth / 2^16 (degrees: its equivalent) */
#define KDE_QUANTA_PER_BW 65536.0

#define KDE_F_INIT		0x01
#define KDE_F_GEO		0x02
#define KDE_F_WEIGHTED	0x04

#define SLOT_SIZE		16
#define KDE_MIN_BITS	6
#define KDE_MAX_BITS	30
/* lattice indices stay well inside int32; INT32_MIN marks an empty slot */
#define KDE_MAX_INDEX	1073741824.0

/* meters per degree of latitude, rounded down (sizes the micro-lattice) */
#define METERS_PER_DEGREE 111320.0
/* geographic micro-lattice: this many steps per metric lattice step */
#define GEO_REFINE		3.0

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

/* ---------------------------------------------------------------------
 * Sparse node hash: slots of (i ^ INT32_MIN, j, w), empty when the first
 * word is 0.  Used inside the bytea state and, in the final function of
 * geographic grids, in a palloc'd buffer.
 * ------------------------------------------------------------------- */
static inline uint32
SlotHash(int32 i, int32 j, int bits)
{
	uint64		k = ((uint64) (uint32) i << 32) | (uint64) (uint32) j;

	return (uint32) ((k * UINT64CONST(0x9E3779B97F4A7C15)) >> (64 - bits));
}

/* Add w at node (i, j); returns 1 when a new slot was taken. */
static inline int
SlotAdd(char *slots, int bits, int32 i, int32 j, double w)
{
	uint32		mask = ((uint32) 1 << bits) - 1;
	uint32		h = SlotHash(i, j, bits);
	int32		ki = (int32) ((uint32) i ^ 0x80000000u);

	for (;;)
	{
		char	   *p = slots + (Size) h * SLOT_SIZE;
		int32		si = mq_get_i32(p);

		if (si == 0)
		{
			mq_put_i32(p, ki);
			mq_put_i32(p + 4, j);
			mq_put_f8(p + 8, w);
			return 1;
		}
		if (si == ki && mq_get_i32(p + 4) == j)
		{
			mq_put_f8(p + 8, mq_get_f8(p + 8) + w);
			return 0;
		}
		h = (h + 1) & mask;
	}
}

static inline bool
SlotRead(const char *p, int32 *i, int32 *j, double *w)
{
	int32		si = mq_get_i32(p);

	if (si == 0)
		return false;
	*i = (int32) ((uint32) si ^ 0x80000000u);
	*j = mq_get_i32(p + 4);
	*w = mq_get_f8(p + 8);
	return true;
}

/* A growable node hash in ordinary memory (final function scratch). */
typedef struct NodeHash
{
	char	   *slots;
	int			bits;
	uint32		nused;
} NodeHash;

static void
NodeHashInit(NodeHash *nh, int bits)
{
	nh->bits = bits;
	nh->nused = 0;
	nh->slots = palloc_extended((Size) SLOT_SIZE << bits, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static void
NodeHashAdd(NodeHash *nh, int32 i, int32 j, double w)
{
	if ((uint64) (nh->nused + 1) * 2 > ((uint64) 1 << nh->bits))
	{
		NodeHash	bigger;
		Size		n = (Size) 1 << nh->bits;

		if (nh->bits >= KDE_MAX_BITS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("kde() binning lattice exceeds %u nodes", nh->nused),
					 errhint("Use a larger cell size or bandwidth.")));
		mq_check_cells((double) nh->nused * 2, "kde()'s binning lattice");
		NodeHashInit(&bigger, nh->bits + 1);
		for (Size k = 0; k < n; k++)
		{
			int32		a,
						b;
			double		v;

			if (SlotRead(nh->slots + k * SLOT_SIZE, &a, &b, &v))
				bigger.nused += SlotAdd(bigger.slots, bigger.bits, a, b, v);
		}
		pfree(nh->slots);
		*nh = bigger;
	}
	nh->nused += SlotAdd(nh->slots, nh->bits, i, j, w);
}

/* ---------------------------------------------------------------------
 * Argument checks and lattice geometry
 * ------------------------------------------------------------------- */
/* m such that the lattice step s / (2m) is at most h / 40 */
static int32
LatticeM(double s, double h)
{
	double		m = ceil(20.0 * s / h);

	if (m < 1)
		m = 1;
	if (m > 1e6)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cell_size of kde() is more than 50000 times the bandwidth"),
				 errdetail("cell_size %g, bandwidth %g.", s, h),
				 errhint("Cells far larger than the kernel sample it at a few points only; use a cell size near bandwidth / 5.")));
	return (int32) m;
}

/* kernel radius in lattice steps and the node -> centre table size */
static void
KernelFootprint(double s, double h, int32 m, int32 *R)
{
	double		g = s / (2.0 * m);
	double		r = floor(h / g);
	double		foot = (2.0 * floor(h / s) + 2.0) * (2.0 * floor(h / s) + 2.0);

	/* one point alone would need this many cells */
	mq_check_cells(foot, "the kernel footprint of kde()");
	if (r > 1e6)
		mq_check_cells((2 * r + 1) * (2 * r + 1), "the kernel table of kde()");
	*R = (int32) r;
}

static inline int32
LatticeIndex(double v, const char *fname)
{
	if (!(fabs(v) < KDE_MAX_INDEX))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: coordinate too far from the origin for this cell size and bandwidth", fname),
				 errdetail("It lies %.0f lattice steps away, the limit is %.0f.", v, KDE_MAX_INDEX),
				 errhint("Use a larger bandwidth or a projected CRS whose origin is near the data.")));
	return (int32) v;
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

/* ---------------------------------------------------------------------
 * kde state.  Two modes:
 *  - points (the default until minqing.kde_exact_points points): the
 *    payload after KDE_HDR holds KDE_NUSED points, each as two int32
 *    offsets, in quanta of <= bandwidth / 65536 (KdeQuantum), from the state's origin
 *    (KDE_OX, KDE_OY, in quanta), plus a float8 weight when weighted: 8 or
 *    16 bytes a point.  The quantum moves the kernel by at most 2e-5 of its
 *    peak, far inside kde's accuracy; it halves the memory a scan touches
 *    and, being global, makes the answer independent of how rows were
 *    split between workers.  A point 32768 bandwidths or more from the
 *    origin switches the state to the lattice.  The final function sums
 *    the kernel exactly over the (quantized) points.
 *  - lattice (KDE_F_LATTICE): the payload holds the node hash, 2^KDE_BITS
 *    slots, KDE_NUSED occupied.  A state switches once, never back.
 * ------------------------------------------------------------------- */
#define KDE_F_LATTICE	0x08
/*
 * The quantum of kept coordinates: a power-of-two fraction of the cell size
 * (so cell centres and corners are exact) no larger than bandwidth / 65536;
 * for geographic input a power-of-two fraction of a degree no larger than
 * that many meters.
 */
static double
KdeQuantum(double cell, double bw, bool geo)
{
	if (geo)
		return ldexp(1.0, -(int) ceil(log2(KDE_QUANTA_PER_BW * METERS_PER_DEGREE / bw)));
	return ldexp(cell, -Max(1, (int) ceil(log2(KDE_QUANTA_PER_BW * cell / bw))));
}

/* a kept point: dx i32, dy i32 (quanta from the origin), w f8 if weighted */
#define KdePtSize(flags) (((flags) & KDE_F_WEIGHTED) ? 16 : 8)

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

/*
 * Quantize (x, y) against the origin of payload `pl`: false when an offset
 * does not fit an int32 (the caller then switches to the lattice).
 */
static inline bool
KdePtQuantize(const char *pl, double x, double y, int32 *dx, int32 *dy)
{
	double		q = mq_get_f8(pl + KDE_Q);
	double		ox = rint(x / q) - mq_get_f8(pl + KDE_OX);
	double		oy = rint(y / q) - mq_get_f8(pl + KDE_OY);

	if (!(fabs(ox) <= PG_INT32_MAX && fabs(oy) <= PG_INT32_MAX))
		return false;
	*dx = (int32) ox;
	*dy = (int32) oy;
	return true;
}

/* write point k (room already reserved) */
static inline void
KdePtWrite(char *pl, int32 flags, Size k, int32 dx, int32 dy, double w)
{
	char	   *p = pl + KDE_HDR + k * KdePtSize(flags);

	mq_put_i32(p, dx);
	mq_put_i32(p + 4, dy);
	if (flags & KDE_F_WEIGHTED)
		mq_put_f8(p + 8, w);
}

static inline int
KdeBits(const char *pl)
{
	return mq_get_i32(pl + KDE_BITS);
}

/*
 * Make room for `more` new nodes (load factor <= 1/2): rehash into a state
 * of twice the capacity, built by mq_state_reserve (never repalloc).
 */
static bytea *
KdeEnsureRoom(bytea *s, uint32 more)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int			bits = KdeBits(pl);
	uint32		nused = (uint32) mq_get_i32(pl + KDE_NUSED);
	int			newbits = bits;
	Size		oldn = (Size) 1 << bits;
	Size		needed;
	char	   *old;

	while ((uint64) (nused + more) * 2 > ((uint64) 1 << newbits))
		newbits++;
	if (newbits == bits)
		return s;
	if (newbits > KDE_MAX_BITS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kde() binning lattice exceeds %u nodes", nused),
				 errhint("Use a larger cell size or bandwidth, or aggregate fewer points.")));
	mq_check_cells((double) ((uint64) 1 << (newbits - 1)), "kde()'s binning lattice");

	needed = KDE_HDR + ((Size) SLOT_SIZE << newbits);
	old = palloc_extended(oldn * SLOT_SIZE, MCXT_ALLOC_HUGE);
	memcpy(old, pl + KDE_HDR, oldn * SLOT_SIZE);
	s = mq_state_reserve(s, needed, "kde");
	pl = MQ_STATE_PAYLOAD(s);
	memset(pl + KDE_HDR, 0, (Size) SLOT_SIZE << newbits);
	mq_put_i32(pl + KDE_BITS, newbits);
	mq_state_set_used(s, (uint32) needed);
	nused = 0;
	for (Size k = 0; k < oldn; k++)
	{
		int32		a,
					b;
		double		w;

		if (SlotRead(old + k * SLOT_SIZE, &a, &b, &w))
			nused += SlotAdd(pl + KDE_HDR, newbits, a, b, w);
	}
	mq_put_i32(pl + KDE_NUSED, (int32) nused);
	pfree(old);
	return s;
}

/* Lattice mode: spread one point over its four lattice nodes. */
static bytea *
KdeBinPoint(bytea *s, double x, double y, double w)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	double		step = mq_get_f8(pl + KDE_STEP);
	double		tx = x / step,
				ty = y / step,
				fx = floor(tx),
				fy = floor(ty);
	int32		ia = LatticeIndex(fx, "kde"),
				ib = LatticeIndex(fy, "kde");
	char	   *slots;
	int			bits,
				added = 0;

	tx -= fx;
	ty -= fy;
	if ((uint64) (mq_get_i32(pl + KDE_NUSED) + 4) * 2 > ((uint64) 1 << KdeBits(pl)))
	{
		s = KdeEnsureRoom(s, 4);
		pl = MQ_STATE_PAYLOAD(s);
	}
	slots = pl + KDE_HDR;
	bits = KdeBits(pl);
	added += SlotAdd(slots, bits, ia, ib, w * (1 - tx) * (1 - ty));
	if (tx > 0)
		added += SlotAdd(slots, bits, ia + 1, ib, w * tx * (1 - ty));
	if (ty > 0)
		added += SlotAdd(slots, bits, ia, ib + 1, w * (1 - tx) * ty);
	if (tx > 0 && ty > 0)
		added += SlotAdd(slots, bits, ia + 1, ib + 1, w * tx * ty);
	mq_put_i32(pl + KDE_NUSED, mq_get_i32(pl + KDE_NUSED) + added);
	return s;
}

/* Switch a points-mode state to lattice mode (bins the kept points). */
static bytea *
KdeToLattice(bytea *s)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int32		npts = mq_get_i32(pl + KDE_NUSED);
	int32		flags = mq_get_i32(pl + KDE_FLAGS);
	Size		bytes = KDE_HDR + (Size) npts * KdePtSize(flags);
	char	   *pts = palloc_extended(bytes, MCXT_ALLOC_HUGE);
	int			bits = KDE_MIN_BITS;

	memcpy(pts, pl, bytes);
	while (((uint64) 1 << bits) < (uint64) npts * 4 && bits < KDE_MAX_BITS)
		bits++;
	s = mq_state_reserve(s, KDE_HDR + ((Size) SLOT_SIZE << bits), "kde");
	pl = MQ_STATE_PAYLOAD(s);
	memset(pl + KDE_HDR, 0, (Size) SLOT_SIZE << bits);
	mq_state_set_used(s, (uint32) (KDE_HDR + ((Size) SLOT_SIZE << bits)));
	mq_put_i32(pl + KDE_BITS, bits);
	mq_put_i32(pl + KDE_NUSED, 0);
	mq_put_i32(pl + KDE_FLAGS, mq_get_i32(pl + KDE_FLAGS) | KDE_F_LATTICE);
	for (int32 k = 0; k < npts; k++)
	{
		double		x,
					y,
					w;

		if ((k & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		KdePtRead(pts, flags, k, &x, &y, &w);
		s = KdeBinPoint(s, x, y, w);
	}
	pfree(pts);
	return s;
}

/*
 * Add one point in whichever mode the state is (switching to the lattice
 * when full or when the point is too far from the origin).
 */
static bytea *
KdeAddPoint(bytea *s, double x, double y, double w)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int32		flags = mq_get_i32(pl + KDE_FLAGS);
	int32		nused = mq_get_i32(pl + KDE_NUSED);
	uint32		used,
				sz = KdePtSize(flags);
	int32		dx,
				dy;
	double		q = mq_get_f8(pl + KDE_Q);

	/* every point lands on the global quantum grid, whatever the mode */
	x = rint(x / q) * q;
	y = rint(y / q) * q;
	if (!(flags & KDE_F_LATTICE))
	{
		if (nused == 0)
		{
			mq_put_f8(pl + KDE_OX, rint(x / mq_get_f8(pl + KDE_Q)));
			mq_put_f8(pl + KDE_OY, rint(y / mq_get_f8(pl + KDE_Q)));
		}
		if (nused < mq_kde_exact_points && KdePtQuantize(pl, x, y, &dx, &dy))
		{
			used = mq_state_used(s);
			if ((Size) used + sz > MQ_STATE_CAPACITY(s))
			{
				s = mq_state_reserve(s, (Size) used + sz, "kde");
				pl = MQ_STATE_PAYLOAD(s);
			}
			KdePtWrite(pl, flags, nused, dx, dy, w);
			mq_state_set_used(s, used + sz);
			mq_put_i32(pl + KDE_NUSED, nused + 1);
			return s;
		}
		s = KdeToLattice(s);
	}
	return KdeBinPoint(s, x, y, w);
}

/* kde's per-call constants (state.h's kit), with this row's values. */
static MqStateConst *
KdeConstants(MqStateConst *c, double cell, double bw)
{
	c[0] = (MqStateConst) {"cell_size", MQ_CONST_F8, KDE_CELL, cell};
	c[1] = (MqStateConst) {"bandwidth", MQ_CONST_F8, KDE_BW, bw};
	return c;
}

/* Validate a kde state's fixed part and payload size. */
static bytea *
KdeCheck(Datum d)
{
	bytea	   *s = mq_state_check(d, MQ_KIND_KDE, KDE_HDR, "kde");
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int			bits = KdeBits(pl);
	int32		flags = mq_get_i32(pl + KDE_FLAGS);
	int32		nused = mq_get_i32(pl + KDE_NUSED);
	bool		bad;

	if (flags & KDE_F_LATTICE)
		bad = bits < KDE_MIN_BITS || bits > KDE_MAX_BITS ||
			(Size) mq_state_used(s) != KDE_HDR + ((Size) SLOT_SIZE << bits) ||
			nused < 0 || (uint64) nused > ((uint64) 1 << bits);
	else
		bad = nused < 0 ||
			(Size) mq_state_used(s) != KDE_HDR + (Size) nused * KdePtSize(flags);
	if (bad || !(flags & KDE_F_INIT) || !mq_state_has_constants(s) ||
		mq_get_i32(pl + KDE_M) < 1 || mq_get_i64(pl + KDE_N) < 0 ||
		!(mq_get_f8(pl + KDE_CELL) > 0) || !(mq_get_f8(pl + KDE_BW) > 0) ||
		!(mq_get_f8(pl + KDE_STEP) > 0) || !(mq_get_f8(pl + KDE_Q) > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kde state"),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	return s;
}

/*
 * kde_trans(state, geom, cell_size, bandwidth [, weight]): keep (or bin)
 * one point.  NULL geometry, cell size, bandwidth or weight and POINT EMPTY
 * skip the row.  The first row fixes cell size, bandwidth, SRID and the
 * lattice; later rows must agree.
 */
static Datum
KdeTransCommon(FunctionCallInfo fcinfo, bool weighted)
{
	bytea	   *s;
	char	   *pl;
	MqPoint		pt;
	double		cell,
				bw,
				w = 1.0;
	MqStateConst c[2];

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		(weighted && PG_ARGISNULL(4)))
		goto skip;
	cell = PG_GETARG_FLOAT8(2);
	bw = PG_GETARG_FLOAT8(3);
	if (weighted)
	{
		w = PG_GETARG_FLOAT8(4);
		if (isnan(w) || isinf(w) || w < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight of kde() must be a finite non-negative number"),
					 errdetail("Got %g.", w),
					 errhint("Filter out rows with negative, NaN or infinite weights.")));
	}
	if (mq_point_read(PG_GETARG_DATUM(1), &pt, "kde") == MQ_POINT_EMPTY)
		goto skip;

	if (PG_ARGISNULL(0))
	{
		int32		m,
					R;
		bool		geo;
		double		step;

		mq_check_positive_finite(cell, "kde", "cell_size", MQ_HINT_LENGTH);
		mq_check_positive_finite(bw, "kde", "bandwidth", MQ_HINT_LENGTH);
		m = LatticeM(cell, bw);
		KernelFootprint(cell, bw, m, &R);
		geo = mq_srid_is_geographic(pt.srid);
		step = cell / (2.0 * m);
		if (geo)
		{
			step = step / (METERS_PER_DEGREE * GEO_REFINE);
			if (180.0 / step >= KDE_MAX_INDEX)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("bandwidth of kde() is too small for geographic input"),
						 errdetail("Got %g meters.", bw),
						 errhint("Use a bandwidth of at least 10 meters, or project the data first.")));
		}
		s = mq_state_for_update(fcinfo, 0, MQ_KIND_KDE, KDE_HDR + 32 * 16, KDE_HDR, "kde");
		pl = MQ_STATE_PAYLOAD(s);
		mq_state_constants(s, KdeConstants(c, cell, bw), 2, "kde");
		mq_put_f8(pl + KDE_STEP, step);
		mq_put_f8(pl + KDE_Q, KdeQuantum(cell, bw, geo));
		mq_put_i32(pl + KDE_SRID, pt.srid);
		mq_put_i32(pl + KDE_FLAGS, KDE_F_INIT | (geo ? KDE_F_GEO : 0) |
				   (weighted ? KDE_F_WEIGHTED : 0));
		mq_put_i32(pl + KDE_M, m);
	}
	else
	{
		s = mq_state_for_update(fcinfo, 0, MQ_KIND_KDE, 0, 0, "kde");
		pl = MQ_STATE_PAYLOAD(s);
		if (mq_state_used(s) < KDE_HDR)
			KdeCheck(PointerGetDatum(s));
		mq_state_constants(s, KdeConstants(c, cell, bw), 2, "kde");
		if (mq_get_i32(pl + KDE_SRID) != pt.srid)
		{
			int32		first = mq_get_i32(pl + KDE_SRID);
			bool		have = true;

			mq_srid_check(pt.srid, &first, &have, "kde");
		}
	}

	if (mq_get_i32(pl + KDE_FLAGS) & KDE_F_GEO)
	{
		mq_put_f8(pl + KDE_SX, mq_get_f8(pl + KDE_SX) + pt.x);
		mq_put_f8(pl + KDE_SY, mq_get_f8(pl + KDE_SY) + pt.y);
	}
	mq_put_i64(pl + KDE_N, mq_get_i64(pl + KDE_N) + 1);
	mq_put_f8(pl + KDE_W, mq_get_f8(pl + KDE_W) + w);
	s = KdeAddPoint(s, pt.x, pt.y, w);
	PG_RETURN_BYTEA_P(s);

skip:
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

PG_FUNCTION_INFO_V1(kde_trans);
Datum
kde_trans(PG_FUNCTION_ARGS)
{
	return KdeTransCommon(fcinfo, false);
}

PG_FUNCTION_INFO_V1(kde_trans_weighted);
Datum
kde_trans_weighted(PG_FUNCTION_ARGS)
{
	return KdeTransCommon(fcinfo, true);
}

/*
 * kde_combine(a, b): merge b's points or lattice nodes into a.  The
 * per-call constants (cell size, bandwidth, SRID, weighting) must agree.
 */
PG_FUNCTION_INFO_V1(kde_combine);
Datum
kde_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_KDE, KDE_HDR, "kde", &done);
	bytea	   *b;
	char	   *pa,
			   *pb;
	int32		fa,
				fb,
				nb;
	int64		na;
	double		wa,
				sxa,
				sya;
	MqStateConst c[2];

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		KdeCheck(PointerGetDatum(a));
		PG_RETURN_BYTEA_P(a);
	}
	a = KdeCheck(PointerGetDatum(a));
	b = KdeCheck(PG_GETARG_DATUM(1));
	pa = MQ_STATE_PAYLOAD(a);
	pb = MQ_STATE_PAYLOAD(b);
	fa = mq_get_i32(pa + KDE_FLAGS);
	fb = mq_get_i32(pb + KDE_FLAGS);
	mq_state_combine_constants(a, b, KdeConstants(c, 0, 0), 2, "kde");
	if (mq_get_i32(pa + KDE_SRID) != mq_get_i32(pb + KDE_SRID))
	{
		int32		first = mq_get_i32(pa + KDE_SRID);
		bool		have = true;

		mq_srid_check(mq_get_i32(pb + KDE_SRID), &first, &have, "kde");
	}
	/* equal constants give equal lattices: anything else is a forged state */
	if (mq_get_f8(pa + KDE_STEP) != mq_get_f8(pb + KDE_STEP) ||
		mq_get_i32(pa + KDE_M) != mq_get_i32(pb + KDE_M) ||
		((fa ^ fb) & KDE_F_WEIGHTED))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kde state: partial states of different lattices"),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	na = mq_get_i64(pa + KDE_N) + mq_get_i64(pb + KDE_N);
	wa = mq_get_f8(pa + KDE_W) + mq_get_f8(pb + KDE_W);
	sxa = mq_get_f8(pa + KDE_SX) + mq_get_f8(pb + KDE_SX);
	sya = mq_get_f8(pa + KDE_SY) + mq_get_f8(pb + KDE_SY);
	nb = mq_get_i32(pb + KDE_NUSED);

	if (fb & KDE_F_LATTICE)
	{
		Size		slots = (Size) 1 << KdeBits(pb);
		uint32		nused;

		if (!(fa & KDE_F_LATTICE))
			a = KdeToLattice(a);
		a = KdeEnsureRoom(a, (uint32) nb);
		pa = MQ_STATE_PAYLOAD(a);
		nused = (uint32) mq_get_i32(pa + KDE_NUSED);
		for (Size k = 0; k < slots; k++)
		{
			int32		i,
						j;
			double		w;

			if (SlotRead(pb + KDE_HDR + k * SLOT_SIZE, &i, &j, &w))
				nused += SlotAdd(pa + KDE_HDR, KdeBits(pa), i, j, w);
		}
		mq_put_i32(pa + KDE_NUSED, (int32) nused);
	}
	else
	{
		/* b keeps points: append them (re-based) or bin them */
		bool		fits = !(fa & KDE_F_LATTICE) &&
			(int64) mq_get_i32(pa + KDE_NUSED) + nb <= mq_kde_exact_points;
		int32		na0 = mq_get_i32(pa + KDE_NUSED);

		if (fits && na0 == 0)
		{
			mq_put_f8(pa + KDE_OX, mq_get_f8(pb + KDE_OX));
			mq_put_f8(pa + KDE_OY, mq_get_f8(pb + KDE_OY));
		}
		for (int32 k = 0; fits && k < nb; k++)
		{
			double		x,
						y,
						w;
			int32		dx,
						dy;

			KdePtRead(pb, fb, k, &x, &y, &w);
			fits = KdePtQuantize(pa, x, y, &dx, &dy);
		}
		if (fits)
		{
			uint32		used = mq_state_used(a);
			Size		bytes = (Size) nb * KdePtSize(fb);

			a = mq_state_reserve(a, (Size) used + bytes, "kde");
			pa = MQ_STATE_PAYLOAD(a);
			for (int32 k = 0; k < nb; k++)
			{
				double		x,
							y,
							w;
				int32		dx = 0,
							dy = 0;

				KdePtRead(pb, fb, k, &x, &y, &w);
				(void) KdePtQuantize(pa, x, y, &dx, &dy);
				KdePtWrite(pa, fa, na0 + k, dx, dy, w);
			}
			mq_state_set_used(a, (uint32) (used + bytes));
			mq_put_i32(pa + KDE_NUSED, na0 + nb);
		}
		else
		{
			if (!(fa & KDE_F_LATTICE))
				a = KdeToLattice(a);
			for (int32 k = 0; k < nb; k++)
			{
				double		x,
							y,
							w;

				if ((k & 4095) == 0)
					CHECK_FOR_INTERRUPTS();
				KdePtRead(pb, fb, k, &x, &y, &w);
				a = KdeBinPoint(a, x, y, w);
			}
		}
	}
	pa = MQ_STATE_PAYLOAD(a);
	mq_put_i64(pa + KDE_N, na);
	mq_put_f8(pa + KDE_W, wa);
	mq_put_f8(pa + KDE_SX, sxa);
	mq_put_f8(pa + KDE_SY, sya);
	PG_RETURN_BYTEA_P(a);
}

/* Round to 0.001 degree: partial sums in any order give the same centre. */
static double
RoundCentre(double v)
{
	return round(v * 1000.0) / 1000.0;
}

/*
 * The local projection of geographic kde input (geom.c's one rule set): the
 * data's extent is range-checked, the centre is the rounded mean above.
 */
static void
KdeProjection(MqTM *tm, double lon0, double lat0, double lomin, double lomax,
			  double lamin, double lamax, int32 srid)
{
	double		ex[2] = {lomin, lomax},
				ey[2] = {lamin, lamax};

	mq_local_projection(ex, ey, 2, MQ_CENTRE_GIVEN, lon0, lat0, srid, tm, "kde");
}

/*
 * A lon/lat mesh of projected coordinates over the data's extent, so the
 * final function projects millions of points by bilinear interpolation
 * instead of evaluating the transverse Mercator series for each.  The mesh
 * step (0.01 degree, coarser for extents over 5 degrees) keeps the
 * interpolation error at centimetres.
 */
typedef struct GeoMesh
{
	double		lon_min;
	double		lat_min;
	double		step;
	int			nlon;			/* mesh cells */
	int			nlat;
	double	   *x;				/* (nlon + 1) * (nlat + 1) */
	double	   *y;
} GeoMesh;

static void
GeoMeshInit(GeoMesh *gm, const MqTM *tm, double lon_min, double lon_max,
			double lat_min, double lat_max)
{
	double		ext = Max(lon_max - lon_min, lat_max - lat_min);

	gm->step = Max(0.01, ext / 500.0);
	gm->lon_min = lon_min;
	gm->lat_min = lat_min;
	gm->nlon = Max(1, (int) ceil((lon_max - lon_min) / gm->step));
	gm->nlat = Max(1, (int) ceil((lat_max - lat_min) / gm->step));
	gm->x = palloc(sizeof(double) * (gm->nlon + 1) * (gm->nlat + 1));
	gm->y = palloc(sizeof(double) * (gm->nlon + 1) * (gm->nlat + 1));
	for (int b = 0; b <= gm->nlat; b++)
		for (int a = 0; a <= gm->nlon; a++)
			mq_tm_forward(tm, lon_min + a * gm->step, lat_min + b * gm->step,
						  &gm->x[b * (gm->nlon + 1) + a], &gm->y[b * (gm->nlon + 1) + a]);
}

static inline void
GeoMeshForward(const GeoMesh *gm, double lon, double lat, double *x, double *y)
{
	double		u = (lon - gm->lon_min) / gm->step,
				v = (lat - gm->lat_min) / gm->step;
	int			a = (int) floor(u),
				b = (int) floor(v);
	int			w = gm->nlon + 1;
	const double *x0,
			   *y0;

	a = Min(Max(a, 0), gm->nlon - 1);
	b = Min(Max(b, 0), gm->nlat - 1);
	u -= a;
	v -= b;
	x0 = gm->x + b * w + a;
	y0 = gm->y + b * w + a;
	*x = (1 - v) * ((1 - u) * x0[0] + u * x0[1]) + v * ((1 - u) * x0[w] + u * x0[w + 1]);
	*y = (1 - v) * ((1 - u) * y0[0] + u * y0[1]) + v * ((1 - u) * y0[w] + u * y0[w + 1]);
}

/* floor and ceil of a double known to fit an int64 (no libm call) */
static inline int64
FastFloor(double v)
{
	int64		i = (int64) v;

	return i - (v < (double) i);
}

static inline int64
FastCeil(double v)
{
	int64		i = (int64) v;

	return i + (v > (double) i);
}

/* ceil(a / b) for b > 0 */
static inline int64
CeilDiv(int64 a, int64 b)
{
	return -FloorDiv(-a, b);
}

/*
 * kde_final(state) -> density_grid.  Points mode: the exact kernel sum at
 * every cell centre within the bandwidth of a point.  Lattice mode: the
 * node weights convolved with the kernel table.  The output covers the
 * bounding box of all reachable cells; it is refused up front when that
 * box exceeds minqing.max_cells.
 */
PG_FUNCTION_INFO_V1(kde_final);
Datum
kde_final(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *pl;
	double		cell,
				bw,
				g,
				c,
				h2,
				lon0 = 0,
				lat0 = 0;
	int32		m,
				R,
				flags,
				srid,
				nused;
	bool		lattice,
				geo;
	int64		n;
	/* points mode */
	const char *pts;
	GeoMesh		gm;
	/* lattice mode */
	const char *slots = NULL;
	int			bits = 0;
	Size		nslots = 0;
	int64		imin = 0,
				imax = -1,
				jmin = 0,
				jmax = -1,
				nx = 0,
				ny = 0,
				ncells = 0;
	double	   *out = NULL;
	bytea	   *res;
	char	   *rp;
	MemoryContext scratch,
				old;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = KdeCheck(PG_GETARG_DATUM(0));
	pl = MQ_STATE_PAYLOAD(s);
	cell = mq_get_f8(pl + KDE_CELL);
	bw = mq_get_f8(pl + KDE_BW);
	m = mq_get_i32(pl + KDE_M);
	flags = mq_get_i32(pl + KDE_FLAGS);
	srid = mq_get_i32(pl + KDE_SRID);
	nused = mq_get_i32(pl + KDE_NUSED);
	n = mq_get_i64(pl + KDE_N);
	lattice = (flags & KDE_F_LATTICE) != 0;
	geo = (flags & KDE_F_GEO) != 0;
	g = cell / (2.0 * m);
	c = 3.0 / (M_PI * bw * bw);
	h2 = bw * bw;
	KernelFootprint(cell, bw, m, &R);
	pts = pl;
	memset(&gm, 0, sizeof(gm));

	scratch = AllocSetContextCreate(CurrentMemoryContext, "kde final", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(scratch);

	if (!lattice)
	{
		/* points, projected to meters (through the mesh) when geographic */
		if (geo && nused > 0)
		{
			double		lomin = DBL_MAX,
						lomax = -DBL_MAX,
						lamin = DBL_MAX,
						lamax = -DBL_MAX;
			MqTM		tm;

			for (int32 k = 0; k < nused; k++)
			{
				double		x,
							y,
							w;

				KdePtRead(pts, flags, k, &x, &y, &w);
				lomin = Min(lomin, x);
				lomax = Max(lomax, x);
				lamin = Min(lamin, y);
				lamax = Max(lamax, y);
			}
			lon0 = RoundCentre(mq_get_f8(pl + KDE_SX) / n);
			lat0 = RoundCentre(mq_get_f8(pl + KDE_SY) / n);
			KdeProjection(&tm, lon0, lat0, lomin, lomax, lamin, lamax, mq_get_i32(pl + KDE_SRID));
			GeoMeshInit(&gm, &tm, lomin, lomax, lamin, lamax);
		}
		if (nused > 0)
		{
			double		xmin = DBL_MAX,
						xmax = -DBL_MAX,
						ymin = DBL_MAX,
						ymax = -DBL_MAX;

			if (geo)
			{
				/* interpolated points stay inside the projected mesh's hull */
				for (int k = 0; k < (gm.nlon + 1) * (gm.nlat + 1); k++)
				{
					xmin = Min(xmin, gm.x[k]);
					xmax = Max(xmax, gm.x[k]);
					ymin = Min(ymin, gm.y[k]);
					ymax = Max(ymax, gm.y[k]);
				}
			}
			else
				for (int32 k = 0; k < nused; k++)
				{
					double		x,
								y,
								w;

					KdePtRead(pts, flags, k, &x, &y, &w);
					xmin = Min(xmin, x);
					xmax = Max(xmax, x);
					ymin = Min(ymin, y);
					ymax = Max(ymax, y);
				}
			/* cells whose centre (i + 0.5) s is within h of a point */
			if (!(fabs(xmin / cell) < 1e15 && fabs(xmax / cell) < 1e15 &&
				  fabs(ymin / cell) < 1e15 && fabs(ymax / cell) < 1e15))
				mq_check_cells(1e30, "the kde() grid");
			imin = (int64) floor((xmin - bw) / cell - 0.5);
			imax = (int64) ceil((xmax + bw) / cell - 0.5);
			jmin = (int64) floor((ymin - bw) / cell - 0.5);
			jmax = (int64) ceil((ymax + bw) / cell - 0.5);
		}
	}
	else
	{
		int64		amin = PG_INT64_MAX,
					amax = PG_INT64_MIN,
					bmin = PG_INT64_MAX,
					bmax = PG_INT64_MIN;

		slots = pl + KDE_HDR;
		bits = KdeBits(pl);
		nslots = (Size) 1 << bits;
		if (geo)
		{
			/* project the degree micro-lattice and re-bin it in meters */
			double		step = mq_get_f8(pl + KDE_STEP);
			double		lomin = DBL_MAX,
						lomax = -DBL_MAX,
						lamin = DBL_MAX,
						lamax = -DBL_MAX;
			MqTM		tm;
			NodeHash	nh;
			int			gbits = KDE_MIN_BITS;

			for (Size k = 0; k < nslots; k++)
			{
				int32		a,
							b;
				double		w;

				if (!SlotRead(slots + k * SLOT_SIZE, &a, &b, &w))
					continue;
				lomin = Min(lomin, a * step);
				lomax = Max(lomax, a * step);
				lamin = Min(lamin, b * step);
				lamax = Max(lamax, b * step);
			}
			lon0 = RoundCentre(mq_get_f8(pl + KDE_SX) / Max(n, 1));
			lat0 = RoundCentre(mq_get_f8(pl + KDE_SY) / Max(n, 1));
			if (lomin <= lomax)
			{
				KdeProjection(&tm, lon0, lat0, lomin, lomax, lamin, lamax, mq_get_i32(pl + KDE_SRID));
				GeoMeshInit(&gm, &tm, lomin, lomax, lamin, lamax);
			}
			else
				mq_tm_init(&tm, lon0, lat0);
			while (((uint64) 1 << gbits) < (uint64) nused * 2 && gbits < KDE_MAX_BITS)
				gbits++;
			NodeHashInit(&nh, gbits);
			for (Size k = 0; k < nslots; k++)
			{
				int32		a,
							b,
							ia,
							ib;
				double		w,
							x,
							y,
							fx,
							fy;

				if (!SlotRead(slots + k * SLOT_SIZE, &a, &b, &w))
					continue;
				if ((k & 1023) == 0)
					CHECK_FOR_INTERRUPTS();
				GeoMeshForward(&gm, a * step, b * step, &x, &y);
				x /= g;
				y /= g;
				fx = floor(x);
				fy = floor(y);
				ia = LatticeIndex(fx, "kde");
				ib = LatticeIndex(fy, "kde");
				x -= fx;
				y -= fy;
				NodeHashAdd(&nh, ia, ib, w * (1 - x) * (1 - y));
				if (x > 0)
					NodeHashAdd(&nh, ia + 1, ib, w * x * (1 - y));
				if (y > 0)
					NodeHashAdd(&nh, ia, ib + 1, w * (1 - x) * y);
				if (x > 0 && y > 0)
					NodeHashAdd(&nh, ia + 1, ib + 1, w * x * y);
			}
			slots = nh.slots;
			bits = nh.bits;
			nslots = (Size) 1 << bits;
		}
		for (Size k = 0; k < nslots; k++)
		{
			int32		a,
						b;
			double		w;

			if (!SlotRead(slots + k * SLOT_SIZE, &a, &b, &w))
				continue;
			amin = Min(amin, a);
			amax = Max(amax, a);
			bmin = Min(bmin, b);
			bmax = Max(bmax, b);
		}
		if (amin <= amax)
		{
			imin = CeilDiv(amin - m - R, 2 * (int64) m);
			imax = FloorDiv(amax - m + R, 2 * (int64) m);
			jmin = CeilDiv(bmin - m - R, 2 * (int64) m);
			jmax = FloorDiv(bmax - m + R, 2 * (int64) m);
		}
	}

	if (imax >= imin && jmax >= jmin)
	{
		nx = imax - imin + 1;
		ny = jmax - jmin + 1;
		mq_check_cells((double) nx * (double) ny, "the kde() grid");
		if (imin < PG_INT32_MIN || imax > PG_INT32_MAX ||
			jmin < PG_INT32_MIN || jmax > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("kde() grid cell numbers exceed the int range"),
					 errhint("Use a larger cell size.")));
		out = palloc_extended(sizeof(double) * nx * ny, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	}

	if (out && !lattice)
	{
		/* exact: Σ w c (1 − d²/h²)² over cell centres with d < h */
		double		ch4 = c / (h2 * h2);
		double		inv = 1.0 / cell;
		int64		maxw = (int64) (2 * bw / cell) + 3;
		double	   *dx2 = palloc(sizeof(double) * maxw);

		for (int32 k = 0; k < nused; k++)
		{
			double		x,
						y,
						w,
						dx0;
			int64		i0,
						i1,
						j0,
						j1;

			if ((k & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
			KdePtRead(pts, flags, k, &x, &y, &w);
			if (w == 0)
				continue;
			if (geo)
				GeoMeshForward(&gm, x, y, &x, &y);
			w *= ch4;
			i0 = Max(FastCeil((x - bw) * inv - 0.5), imin);
			i1 = Min(FastFloor((x + bw) * inv - 0.5), imax);
			j0 = Max(FastCeil((y - bw) * inv - 0.5), jmin);
			j1 = Min(FastFloor((y + bw) * inv - 0.5), jmax);
			if (i1 < i0)
				continue;
			i1 = Min(i1, i0 + maxw - 1);
			/* squared column distances, once per point */
			dx0 = (i0 + 0.5) * cell - x;
			for (int64 i = 0; i <= i1 - i0; i++)
			{
				double		d = dx0 + (double) i * cell;

				dx2[i] = d * d;
			}
			for (int64 j = j0; j <= j1; j++)
			{
				double		dy = (j + 0.5) * cell - y;
				double		rest = h2 - dy * dy;
				double	   *orow;

				/* one point can cover millions of cells: check per row */
				CHECK_FOR_INTERRUPTS();
				if (rest <= 0)
					continue;
				orow = out + (j - jmin) * nx + (i0 - imin);
				for (int64 i = 0; i <= i1 - i0; i++)
				{
					double		u = rest - dx2[i];

					u = u > 0 ? u : 0;
					orow[i] += w * (u * u);
				}
			}
		}
	}
	else if (out)
	{
		/* lattice: kernel table over whole-lattice offsets */
		int32		tw = 2 * R + 1;
		double	   *kt;

		mq_check_cells((double) tw * tw, "the kernel table of kde()");
		kt = palloc_extended(sizeof(double) * tw * tw, MCXT_ALLOC_HUGE);

		for (int32 dy = -R; dy <= R; dy++)
			for (int32 dx = -R; dx <= R; dx++)
			{
				double		d2 = ((double) dx * dx + (double) dy * dy) * g * g;
				double		u = 1.0 - d2 / h2;

				kt[(dy + R) * tw + (dx + R)] = u > 0 ? c * u * u : 0.0;
			}
		for (Size k = 0; k < nslots; k++)
		{
			int32		a,
						b;
			double		w;
			int64		i0,
						i1,
						j0,
						j1;

			if (!SlotRead(slots + k * SLOT_SIZE, &a, &b, &w))
				continue;
			if ((k & 255) == 0)
				CHECK_FOR_INTERRUPTS();
			if (w == 0)
				continue;
			i0 = CeilDiv((int64) a - m - R, 2 * (int64) m);
			i1 = FloorDiv((int64) a - m + R, 2 * (int64) m);
			j0 = CeilDiv((int64) b - m - R, 2 * (int64) m);
			j1 = FloorDiv((int64) b - m + R, 2 * (int64) m);
			for (int64 j = j0; j <= j1; j++)
			{
				int32		dy = (int32) (2 * (int64) m * j + m - b);
				const double *krow = kt + (Size) (dy + R) * tw + R;
				double	   *orow = out + (j - jmin) * nx - imin;

				CHECK_FOR_INTERRUPTS();	/* a wide kernel: check per row */
				for (int64 i = i0; i <= i1; i++)
					orow[i] += w * krow[(int32) (2 * (int64) m * i + m - a)];
			}
		}
	}
	for (int64 q = 0; q < nx * ny; q++)
		if (out[q] > 0)
			ncells++;

	/* the result: header plus the non-zero cells, row by row */
	MemoryContextSwitchTo(old);
	if ((double) ncells * 16 + DG_HDR > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kde() grid of %lld non-zero cells exceeds the 1 GB limit", (long long) ncells),
				 errhint("Use a larger cell size.")));
	res = (bytea *) palloc0(DG_HDR + ncells * 16);
	SET_VARSIZE(res, DG_HDR + ncells * 16);
	rp = (char *) res;
	rp[4] = DG_VERSION;
	rp[5] = (char) ((geo ? DG_F_GEO : 0) | ((flags & KDE_F_WEIGHTED) ? DG_F_WEIGHTED : 0));
	mq_put_i32(rp + 8, srid);
	mq_put_i32(rp + 12, (int32) ncells);
	mq_put_f8(rp + 16, cell);
	mq_put_f8(rp + 24, bw);
	mq_put_f8(rp + 32, lon0);
	mq_put_f8(rp + 40, lat0);
	mq_put_i64(rp + 48, n);
	mq_put_f8(rp + 56, mq_get_f8(pl + KDE_W));
	rp += DG_HDR;
	for (int64 j = 0; j < ny; j++)
		for (int64 i = 0; i < nx; i++)
		{
			double		v = out[j * nx + i];

			if (v > 0)
			{
				mq_put_i32(rp, (int32) (i + imin));
				mq_put_i32(rp + 4, (int32) (j + jmin));
				mq_put_f8(rp + 8, v);
				rp += 16;
			}
		}
	MemoryContextDelete(scratch);
	PG_RETURN_POINTER(res);
}

/* ---------------------------------------------------------------------
 * density_grid type: validation, text and binary I/O
 * ------------------------------------------------------------------- */
static void
GridRead(const char *p, Size size, DensityGrid *dg)
{
	if (size < DG_HDR || ((const uint8 *) p)[4] != DG_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid density_grid value"),
				 errdetail("%zu bytes, format version %d, expected %d.", size,
						   size >= 5 ? ((const uint8 *) p)[4] : -1, DG_VERSION)));
	dg->flags = ((const uint8 *) p)[5];
	dg->srid = mq_get_i32(p + 8);
	dg->ncells = mq_get_i32(p + 12);
	dg->cell_size = mq_get_f8(p + 16);
	dg->bandwidth = mq_get_f8(p + 24);
	dg->lon0 = mq_get_f8(p + 32);
	dg->lat0 = mq_get_f8(p + 40);
	dg->points = mq_get_i64(p + 48);
	dg->weight = mq_get_f8(p + 56);
	dg->cells = p + DG_HDR;
	if (dg->ncells < 0 || (Size) DG_HDR + (Size) dg->ncells * 16 != size ||
		!(dg->cell_size > 0) || isinf(dg->cell_size) ||
		!(dg->bandwidth > 0) || isinf(dg->bandwidth) ||
		!(fabs(dg->lon0) <= 180) || !(fabs(dg->lat0) <= 90))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid density_grid value"),
				 errdetail("Inconsistent header: %d cells in %zu bytes.", dg->ncells, size)));
}

/* the PROJ string of a geographic grid's local transverse Mercator */
static void
AppendTmString(StringInfo buf, const DensityGrid *dg)
{
	MqTM		tm;

	mq_tm_init(&tm, dg->lon0, dg->lat0);
	appendStringInfoString(buf, mq_tm_proj_string(&tm));
}

PG_FUNCTION_INFO_V1(density_grid_out);
Datum
density_grid_out(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	DensityGrid dg;
	StringInfoData buf;

	GridRead((const char *) b, VARSIZE(b), &dg);
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"srid\": %d, \"cell_size\": %.17g, \"bandwidth\": %.17g, ",
					 DG_VERSION, dg.srid, dg.cell_size, dg.bandwidth);
	if (dg.flags & DG_F_GEO)
	{
		appendStringInfo(&buf, "\"units\": \"m\", \"lon_0\": %.17g, \"lat_0\": %.17g, \"projection\": \"",
						 dg.lon0, dg.lat0);
		AppendTmString(&buf, &dg);
		appendStringInfoString(&buf, "\", ");
	}
	else
		appendStringInfoString(&buf, "\"units\": \"crs\", \"projection\": null, ");
	appendStringInfo(&buf, "\"weighted\": %s, \"points\": " INT64_FORMAT ", \"weight\": %.17g, \"cells\": [",
					 (dg.flags & DG_F_WEIGHTED) ? "true" : "false", dg.points, dg.weight);
	for (int32 k = 0; k < dg.ncells; k++)
	{
		const char *c = dg.cells + (Size) k * 16;

		appendStringInfo(&buf, "%s[%d, %d, %.17g]", k ? ", " : "",
						 mq_get_i32(c), mq_get_i32(c + 4), mq_get_f8(c + 8));
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_CSTRING(buf.data);
}

/* ---- a small parser for the text form written above ---- */
typedef struct GridParser
{
	const char *p;
	const char *input;
} GridParser;

static void pg_attribute_noreturn()
GridSyntax(GridParser *gp, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type minqing.density_grid: %s", what),
			 errdetail("At character %d of \"%.60s\".", (int) (gp->p - gp->input) + 1, gp->input),
			 errhint("Use the text form density_grid's output produces (a JSON object).")));
}

static void
GpSpace(GridParser *gp)
{
	while (*gp->p == ' ' || *gp->p == '\t' || *gp->p == '\n' || *gp->p == '\r')
		gp->p++;
}

static bool
GpChar(GridParser *gp, char ch)
{
	GpSpace(gp);
	if (*gp->p == ch)
	{
		gp->p++;
		return true;
	}
	return false;
}

static void
GpExpect(GridParser *gp, char ch)
{
	char		msg[32];

	if (!GpChar(gp, ch))
	{
		snprintf(msg, sizeof(msg), "expected \"%c\"", ch);
		GridSyntax(gp, msg);
	}
}

static double
GpNumber(GridParser *gp)
{
	char	   *end;
	double		v;

	GpSpace(gp);
	errno = 0;
	v = strtod(gp->p, &end);
	if (end == gp->p || errno == ERANGE || isnan(v) || isinf(v))
		GridSyntax(gp, "expected a finite number");
	gp->p = end;
	return v;
}

/* a JSON string without escapes; returns a palloc'd copy */
static char *
GpString(GridParser *gp)
{
	const char *start;

	GpExpect(gp, '"');
	start = gp->p;
	while (*gp->p && *gp->p != '"')
	{
		if (*gp->p == '\\')
			GridSyntax(gp, "escapes are not supported");
		gp->p++;
	}
	if (*gp->p != '"')
		GridSyntax(gp, "unterminated string");
	gp->p++;
	return pnstrdup(start, gp->p - start - 1);
}

static bool
GpWord(GridParser *gp, const char *w)
{
	GpSpace(gp);
	if (strncmp(gp->p, w, strlen(w)) == 0)
	{
		gp->p += strlen(w);
		return true;
	}
	return false;
}

static int32
GpInt(GridParser *gp)
{
	double		v = GpNumber(gp);

	if (v != floor(v) || v < PG_INT32_MIN || v > PG_INT32_MAX)
		GridSyntax(gp, "expected an integer");
	return (int32) v;
}

PG_FUNCTION_INFO_V1(density_grid_in);
Datum
density_grid_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	GridParser	gp = {str, str};
	DensityGrid dg;
	StringInfoData cells;
	bool		have_version = false,
				have_cells = false;
	bytea	   *res;
	char	   *rp;

	memset(&dg, 0, sizeof(dg));
	initStringInfo(&cells);
	GpExpect(&gp, '{');
	if (!GpChar(&gp, '}'))
	{
		do
		{
			char	   *key = GpString(&gp);

			GpExpect(&gp, ':');
			if (strcmp(key, "version") == 0)
			{
				if (GpInt(&gp) != DG_VERSION)
					GridSyntax(&gp, "unsupported version");
				have_version = true;
			}
			else if (strcmp(key, "srid") == 0)
				dg.srid = GpInt(&gp);
			else if (strcmp(key, "cell_size") == 0)
				dg.cell_size = GpNumber(&gp);
			else if (strcmp(key, "bandwidth") == 0)
				dg.bandwidth = GpNumber(&gp);
			else if (strcmp(key, "lon_0") == 0)
			{
				dg.lon0 = GpNumber(&gp);
				dg.flags |= DG_F_GEO;
			}
			else if (strcmp(key, "lat_0") == 0)
			{
				dg.lat0 = GpNumber(&gp);
				dg.flags |= DG_F_GEO;
			}
			else if (strcmp(key, "points") == 0)
			{
				double		v = GpNumber(&gp);

				if (v < 0 || v != floor(v) || v > 9e18)
					GridSyntax(&gp, "points must be a non-negative integer");
				dg.points = (int64) v;
			}
			else if (strcmp(key, "weight") == 0)
				dg.weight = GpNumber(&gp);
			else if (strcmp(key, "weighted") == 0)
			{
				if (GpWord(&gp, "true"))
					dg.flags |= DG_F_WEIGHTED;
				else if (!GpWord(&gp, "false"))
					GridSyntax(&gp, "expected true or false");
			}
			else if (strcmp(key, "units") == 0 || strcmp(key, "projection") == 0)
			{
				/* derived from lon_0 / lat_0; accepted and ignored */
				if (!GpWord(&gp, "null"))
					(void) GpString(&gp);
			}
			else if (strcmp(key, "cells") == 0)
			{
				GpExpect(&gp, '[');
				if (!GpChar(&gp, ']'))
				{
					do
					{
						char		c[16];
						double		v;

						GpExpect(&gp, '[');
						mq_put_i32(c, GpInt(&gp));
						GpExpect(&gp, ',');
						mq_put_i32(c + 4, GpInt(&gp));
						GpExpect(&gp, ',');
						v = GpNumber(&gp);
						if (!(v > 0))
							GridSyntax(&gp, "cell values must be positive");
						mq_put_f8(c + 8, v);
						GpExpect(&gp, ']');
						appendBinaryStringInfo(&cells, c, 16);
						dg.ncells++;
						if (dg.ncells % 1024 == 0)
							CHECK_FOR_INTERRUPTS();
					} while (GpChar(&gp, ','));
					GpExpect(&gp, ']');
				}
				have_cells = true;
			}
			else
				GridSyntax(&gp, "unknown key");
		} while (GpChar(&gp, ','));
		GpExpect(&gp, '}');
	}
	GpSpace(&gp);
	if (*gp.p != '\0')
		GridSyntax(&gp, "trailing characters");
	if (!have_version || !have_cells || !(dg.cell_size > 0) || !(dg.bandwidth > 0))
		GridSyntax(&gp, "version, cell_size, bandwidth and cells are required");

	res = (bytea *) palloc0(DG_HDR + cells.len);
	SET_VARSIZE(res, DG_HDR + cells.len);
	rp = (char *) res;
	rp[4] = DG_VERSION;
	rp[5] = (char) dg.flags;
	mq_put_i32(rp + 8, dg.srid);
	mq_put_i32(rp + 12, dg.ncells);
	mq_put_f8(rp + 16, dg.cell_size);
	mq_put_f8(rp + 24, dg.bandwidth);
	mq_put_f8(rp + 32, dg.lon0);
	mq_put_f8(rp + 40, dg.lat0);
	mq_put_i64(rp + 48, dg.points);
	mq_put_f8(rp + 56, dg.weight);
	memcpy(rp + DG_HDR, cells.data, cells.len);
	GridRead(rp, VARSIZE(res), &dg);	/* validate */
	PG_RETURN_POINTER(res);
}

PG_FUNCTION_INFO_V1(density_grid_send);
Datum
density_grid_send(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA(b), VARSIZE(b) - VARHDRSZ);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(density_grid_recv);
Datum
density_grid_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	bytea	   *res;
	DensityGrid dg;

	if (len < DG_HDR - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid density_grid value"),
				 errdetail("%d bytes is shorter than the header.", len)));
	res = (bytea *) palloc(VARHDRSZ + len);
	SET_VARSIZE(res, VARHDRSZ + len);
	pq_copymsgbytes(buf, VARDATA(res), len);
	GridRead((const char *) res, VARSIZE(res), &dg);
	PG_RETURN_POINTER(res);
}

/* ---------------------------------------------------------------------
 * grid_cells: cells as (i, j, value, EWKB polygon); the SQL wrapper turns
 * the EWKB into a geometry.  Geographic grids: the four corners of each
 * metric cell are taken back to longitude/latitude by the inverse of the
 * grid's transverse Mercator.
 * ------------------------------------------------------------------- */
#define EWKB_POLY_SIZE (1 + 4 + 4 + 4 + 4 + 5 * 16)

static bytea *
CellEwkb(const DensityGrid *dg, const MqTM *tm, int32 i, int32 j)
{
	bytea	   *w = (bytea *) palloc(VARHDRSZ + EWKB_POLY_SIZE);
	char	   *p = VARDATA(w);
	double		xs[5],
				ys[5];
	double		s = dg->cell_size;
	uint32		u;

	SET_VARSIZE(w, VARHDRSZ + EWKB_POLY_SIZE);
	xs[0] = xs[3] = xs[4] = i * s;
	xs[1] = xs[2] = (i + 1.0) * s;
	ys[0] = ys[1] = ys[4] = j * s;
	ys[2] = ys[3] = (j + 1.0) * s;
	/* counter-clockwise: (x0,y0) (x1,y0) (x1,y1) (x0,y1) */
	if (tm)
		for (int k = 0; k < 4; k++)
			mq_tm_inverse(tm, xs[k], ys[k], &xs[k], &ys[k]);
	if (tm)
	{
		xs[4] = xs[0];
		ys[4] = ys[0];
	}
	p[0] = 1;					/* little-endian WKB */
	u = 3 | 0x20000000;			/* polygon with SRID */
	mq_put_i32(p + 1, (int32) u);
	mq_put_i32(p + 5, dg->srid);
	mq_put_i32(p + 9, 1);
	mq_put_i32(p + 13, 5);
	for (int k = 0; k < 5; k++)
	{
		mq_put_f8(p + 17 + 16 * k, xs[k]);
		mq_put_f8(p + 25 + 16 * k, ys[k]);
	}
	return w;
}

typedef struct GridCellsCtx
{
	DensityGrid dg;
	bool		geo;
	MqTM		tm;
} GridCellsCtx;

PG_FUNCTION_INFO_V1(grid_cells_ewkb);
Datum
grid_cells_ewkb(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	GridCellsCtx *ctx;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcxt;
		bytea	   *b;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		funcctx->tuple_desc = mq_result_desc(fcinfo);
		b = PG_GETARG_BYTEA_P_COPY(0);
		ctx = (GridCellsCtx *) palloc0(sizeof(GridCellsCtx));
		GridRead((const char *) b, VARSIZE(b), &ctx->dg);
		ctx->geo = (ctx->dg.flags & DG_F_GEO) != 0;
		if (ctx->geo)
			mq_tm_init(&ctx->tm, ctx->dg.lon0, ctx->dg.lat0);
		funcctx->user_fctx = ctx;
		funcctx->max_calls = ctx->dg.ncells;
		MemoryContextSwitchTo(oldcxt);
	}
	funcctx = SRF_PERCALL_SETUP();
	ctx = (GridCellsCtx *) funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		const char *c = ctx->dg.cells + (Size) funcctx->call_cntr * 16;
		int32		i = mq_get_i32(c),
					j = mq_get_i32(c + 4);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(i);
		values[1] = Int32GetDatum(j);
		values[2] = Float8GetDatum(mq_get_f8(c + 8));
		values[3] = PointerGetDatum(CellEwkb(&ctx->dg, ctx->geo ? &ctx->tm : NULL, i, j));
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

/*
 * grid_info(grid): the header of a density_grid as a composite, so callers
 * need not parse the text form.
 */
PG_FUNCTION_INFO_V1(grid_info);
Datum
grid_info(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	DensityGrid dg;
	Datum		values[10];
	bool		nulls[10] = {false};
	double		vmax = 0,
				vsum = 0;

	GridRead((const char *) b, VARSIZE(b), &dg);
	for (int32 k = 0; k < dg.ncells; k++)
	{
		double		v = mq_get_f8(dg.cells + (Size) k * 16 + 8);

		vmax = Max(vmax, v);
		vsum += v;
	}
	values[0] = Int32GetDatum(dg.srid);
	values[1] = Float8GetDatum(dg.cell_size);
	values[2] = Float8GetDatum(dg.bandwidth);
	if (dg.flags & DG_F_GEO)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		AppendTmString(&buf, &dg);
		values[3] = CStringGetTextDatum(buf.data);
	}
	else
		nulls[3] = true;
	values[4] = Int64GetDatum(dg.points);
	values[5] = Float8GetDatum(dg.weight);
	values[6] = Int32GetDatum(dg.ncells);
	values[7] = Float8GetDatum(vmax);
	values[8] = Float8GetDatum(vsum * dg.cell_size * dg.cell_size);
	values[9] = BoolGetDatum((dg.flags & DG_F_WEIGHTED) != 0);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}

/* ---------------------------------------------------------------------
 * kde_bandwidth: ArcGIS's default search radius (spatial Silverman rule)
 *   0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n^-0.2
 * SD = standard distance, Dm = median distance to the mean centre.  A
 * median needs every point, so the state keeps the points (16 bytes each,
 * appended, growing geometrically); the memory is bounded by the input.
 * Payload: srid i32 | flags i32 | n i64 | n * (x f8, y f8)
 * ------------------------------------------------------------------- */
#define KBW_SRID	0
#define KBW_FLAGS	4
#define KBW_N		8
#define KBW_HDR		16

static bytea *
KbwCheck(Datum d)
{
	bytea	   *s = mq_state_check(d, MQ_KIND_KDE_BANDWIDTH, KBW_HDR, "kde_bandwidth");
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int64		n = mq_get_i64(pl + KBW_N);

	if (n < 0 || (Size) mq_state_used(s) != KBW_HDR + (Size) n * 16 ||
		!(mq_get_i32(pl + KBW_FLAGS) & KDE_F_INIT))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kde_bandwidth state"),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	return s;
}

/* kde_bandwidth_trans(state, geom): keep one point (NULL / EMPTY skipped) */
PG_FUNCTION_INFO_V1(kde_bandwidth_trans);
Datum
kde_bandwidth_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *pl;
	MqPoint		pt;
	uint32		used;

	if (PG_ARGISNULL(1) ||
		mq_point_read(PG_GETARG_DATUM(1), &pt, "kde_bandwidth") == MQ_POINT_EMPTY)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
	{
		s = mq_state_for_update(fcinfo, 0, MQ_KIND_KDE_BANDWIDTH, KBW_HDR + 64 * 16, KBW_HDR, "kde_bandwidth");
		pl = MQ_STATE_PAYLOAD(s);
		mq_put_i32(pl + KBW_SRID, pt.srid);
		mq_put_i32(pl + KBW_FLAGS, KDE_F_INIT | (mq_srid_is_geographic(pt.srid) ? KDE_F_GEO : 0));
	}
	else
	{
		s = mq_state_for_update(fcinfo, 0, MQ_KIND_KDE_BANDWIDTH, 0, 0, "kde_bandwidth");
		pl = MQ_STATE_PAYLOAD(s);
		if (mq_state_used(s) < KBW_HDR)
			KbwCheck(PointerGetDatum(s));
		if (mq_get_i32(pl + KBW_SRID) != pt.srid)
		{
			int32		first = mq_get_i32(pl + KBW_SRID);
			bool		have = true;

			mq_srid_check(pt.srid, &first, &have, "kde_bandwidth");
		}
	}
	used = mq_state_used(s);
	if (used + 16 > MQ_STATE_CAPACITY(s))
	{
		s = mq_state_reserve(s, (Size) used + 16, "kde_bandwidth");
		pl = MQ_STATE_PAYLOAD(s);
	}
	mq_put_f8(pl + used, pt.x);
	mq_put_f8(pl + used + 8, pt.y);
	mq_state_set_used(s, used + 16);
	mq_put_i64(pl + KBW_N, mq_get_i64(pl + KBW_N) + 1);
	PG_RETURN_BYTEA_P(s);
}

/* kde_bandwidth_combine(a, b): append b's points to a (same SRID) */
PG_FUNCTION_INFO_V1(kde_bandwidth_combine);
Datum
kde_bandwidth_combine(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, MQ_KIND_KDE_BANDWIDTH, KBW_HDR, "kde_bandwidth", &done);
	bytea	   *b;
	char	   *pa,
			   *pb;
	uint32		ua,
				ub;

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		KbwCheck(PointerGetDatum(a));
		PG_RETURN_BYTEA_P(a);
	}
	a = KbwCheck(PointerGetDatum(a));
	b = KbwCheck(PG_GETARG_DATUM(1));
	pb = MQ_STATE_PAYLOAD(b);
	pa = MQ_STATE_PAYLOAD(a);
	if (mq_get_i32(pa + KBW_SRID) != mq_get_i32(pb + KBW_SRID))
	{
		int32		first = mq_get_i32(pa + KBW_SRID);
		bool		have = true;

		mq_srid_check(mq_get_i32(pb + KBW_SRID), &first, &have, "kde_bandwidth");
	}
	ua = mq_state_used(a);
	ub = mq_state_used(b);
	a = mq_state_reserve(a, (Size) ua + ub - KBW_HDR, "kde_bandwidth");
	pa = MQ_STATE_PAYLOAD(a);
	memcpy(pa + ua, pb + KBW_HDR, ub - KBW_HDR);
	mq_state_set_used(a, ua + ub - KBW_HDR);
	mq_put_i64(pa + KBW_N, mq_get_i64(pa + KBW_N) + mq_get_i64(pb + KBW_N));
	PG_RETURN_BYTEA_P(a);
}

/* k-th smallest of v[0..n-1] (0-based); reorders v (Hoare quickselect) */
static double
SelectKth(double *v, int64 n, int64 k)
{
	int64		lo = 0,
				hi = n - 1;

	while (lo < hi)
	{
		double		pivot = v[lo + (hi - lo) / 2];
		int64		i = lo,
					j = hi;

		CHECK_FOR_INTERRUPTS();
		while (i <= j)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
			{
				double		t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/*
 * kde_bandwidth_final(state): NULL for empty input and when the rule gives
 * 0 (all points identical, or more than half of them on the mean centre).
 * Geographic input is projected to a transverse Mercator centred on the
 * mean, so the answer is in meters.
 */
PG_FUNCTION_INFO_V1(kde_bandwidth_final);
Datum
kde_bandwidth_final(PG_FUNCTION_ARGS)
{
	bytea	   *s;
	char	   *pl;
	int64		n;
	double	   *x,
			   *y,
			   *d;
	double		mx = 0,
				my = 0,
				ss = 0,
				sd,
				dm,
				h;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = KbwCheck(PG_GETARG_DATUM(0));
	pl = MQ_STATE_PAYLOAD(s);
	n = mq_get_i64(pl + KBW_N);
	if (n == 0)
		PG_RETURN_NULL();
	x = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	y = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	d = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	for (int64 k = 0; k < n; k++)
	{
		x[k] = mq_get_f8(pl + KBW_HDR + 16 * k);
		y[k] = mq_get_f8(pl + KBW_HDR + 16 * k + 8);
		mx += x[k];
		my += y[k];
	}
	mx /= n;
	my /= n;
	if (mq_get_i32(pl + KBW_FLAGS) & KDE_F_GEO)
	{
		/* centred on the mean just computed */
		mq_to_local_meters(x, y, n, MQ_CENTRE_MEAN, 0, 0, mq_get_i32(pl + KBW_SRID), NULL,
						   "kde_bandwidth");
		mx = my = 0;
		for (int64 k = 0; k < n; k++)
		{
			mx += x[k];
			my += y[k];
		}
		mx /= n;
		my /= n;
	}
	for (int64 k = 0; k < n; k++)
	{
		double		dx = x[k] - mx,
					dy = y[k] - my;

		ss += dx * dx + dy * dy;
		d[k] = sqrt(dx * dx + dy * dy);
	}
	sd = sqrt(ss / n);
	if (n % 2 == 1)
		dm = SelectKth(d, n, n / 2);
	else
	{
		double		hi = SelectKth(d, n, n / 2);
		double		lo = d[0];

		/* after selection d[0 .. n/2-1] are <= hi: the largest of them */
		for (int64 k = 1; k < n / 2; k++)
			lo = Max(lo, d[k]);
		dm = (lo + hi) / 2;
	}
	h = 0.9 * Min(sd, sqrt(1.0 / log(2.0)) * dm) * pow((double) n, -0.2);
	if (!(h > 0))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(h);
}
