/*
 * density_lattice.c — the kde() state's lattice mode (SPEC §3): the tile
 * directory inside the bytea state, and binning points onto the tiles in
 * batches (sorted by row of tiles first).  density.c holds the transition and
 * combine functions that call it; density.h explains the method.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "density.h"
#include "guc.h"
#include "state.h"

/* ---------------------------------------------------------------------
 * Lattice mode: the tile directory
 * ------------------------------------------------------------------- */
static inline uint32
TileHash(int32 tx, int32 ty, int bits)
{
	uint64		k = ((uint64) (uint32) tx << 32) | (uint64) (uint32) ty;

	return (uint32) ((k * UINT64CONST(0x9E3779B97F4A7C15)) >> (64 - bits));
}

static inline char *
TileNodes(char *pl, int32 t)
{
	return pl + KDE_HDR + ((Size) KDE_SLOT << mq_get_i32(pl + KDE_BITS)) + (Size) t * KDE_TILE_BYTES;
}

/* the tile (tx, ty), or -1; *slot receives the slot it is (or would be) in */
static inline int32
TileFind(const char *pl, int32 tx, int32 ty, uint32 *slot)
{
	int			bits = mq_get_i32(pl + KDE_BITS);
	uint32		mask = ((uint32) 1 << bits) - 1;
	uint32		h = TileHash(tx, ty, bits);
	int32		kx = (int32) ((uint32) tx ^ 0x80000000u);

	for (;;)
	{
		const char *p = pl + KDE_HDR + (Size) h * KDE_SLOT;
		int32		sx = mq_get_i32(p);

		if (sx == 0)
		{
			*slot = h;
			return -1;
		}
		if (sx == kx && mq_get_i32(p + 4) == ty)
		{
			*slot = h;
			return mq_get_i32(p + 8);
		}
		h = (h + 1) & mask;
	}
}

static inline void
SlotPut(char *pl, uint32 slot, int32 tx, int32 ty, int32 t)
{
	char	   *p = pl + KDE_HDR + (Size) slot * KDE_SLOT;

	mq_put_i32(p, (int32) ((uint32) tx ^ 0x80000000u));
	mq_put_i32(p + 4, ty);
	mq_put_i32(p + 8, t);
	mq_put_i32(p + 12, 0);
}

/*
 * Make room for `more` new tiles: a directory of at most half load and
 * capacity for the tiles (doubling, by mq_state_reserve; never repalloc).
 * Growing the directory moves the tiles up and rehashes.
 */
bytea *
mq_kde_tile_room(bytea *s, int32 more)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int			bits = mq_get_i32(pl + KDE_BITS);
	int32		ntiles = mq_get_i32(pl + KDE_NUSED);
	int			newbits = bits;
	Size		olddir = (Size) KDE_SLOT << bits,
				newdir;

	while ((int64) (ntiles + more) * 2 > ((int64) 1 << newbits))
		newbits++;
	if (newbits > KDE_MAX_BITS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kde: binning lattice exceeds %d tiles of %d x %d nodes", ntiles, KDE_TILE, KDE_TILE),
				 errhint("Use a larger bandwidth, or aggregate points from a smaller extent.")));
	mq_check_cells((double) (ntiles + more) * KDE_TILE * KDE_TILE, "kde()'s binning lattice");
	newdir = (Size) KDE_SLOT << newbits;
	s = mq_state_reserve(s, KDE_HDR + newdir + (Size) (ntiles + more) * KDE_TILE_BYTES, "kde");
	pl = MQ_STATE_PAYLOAD(s);
	if (newbits != bits)
	{
		char	   *old = palloc(olddir);

		memcpy(old, pl + KDE_HDR, olddir);
		memmove(pl + KDE_HDR + newdir, pl + KDE_HDR + olddir, (Size) ntiles * KDE_TILE_BYTES);
		memset(pl + KDE_HDR, 0, newdir);
		mq_put_i32(pl + KDE_BITS, newbits);
		for (Size k = 0; k < ((Size) 1 << bits); k++)
		{
			const char *p = old + k * KDE_SLOT;
			int32		sx = mq_get_i32(p),
						tx,
						ty;
			uint32		slot;

			if (sx == 0)
				continue;
			tx = (int32) ((uint32) sx ^ 0x80000000u);
			ty = mq_get_i32(p + 4);
			(void) TileFind(pl, tx, ty, &slot);
			SlotPut(pl, slot, tx, ty, mq_get_i32(p + 8));
		}
		pfree(old);
		mq_state_set_used(s, (uint32) (KDE_HDR + newdir + (Size) ntiles * KDE_TILE_BYTES));
	}
	return s;
}

/* The nodes of tile (tx, ty), created (zeroed) if new. */
char *
mq_kde_tile_get(bytea **sp, int32 tx, int32 ty)
{
	char	   *pl = MQ_STATE_PAYLOAD(*sp);
	uint32		slot;
	int32		t = TileFind(pl, tx, ty, &slot);
	int32		ntiles;
	Size		used;

	if (t >= 0)
		return TileNodes(pl, t);
	if (mq_get_i32(pl + KDE_NPEND) != 0)
		elog(ERROR, "kde: a tile was added while points are pending");
	ntiles = mq_get_i32(pl + KDE_NUSED);
	used = KDE_HDR + ((Size) KDE_SLOT << mq_get_i32(pl + KDE_BITS)) + (Size) ntiles * KDE_TILE_BYTES;
	if ((int64) (ntiles + 1) * 2 > ((int64) 1 << mq_get_i32(pl + KDE_BITS)) ||
		used + KDE_TILE_BYTES > MQ_STATE_CAPACITY(*sp))
	{
		*sp = mq_kde_tile_room(*sp, 1);
		pl = MQ_STATE_PAYLOAD(*sp);
		(void) TileFind(pl, tx, ty, &slot);
		used = KDE_HDR + ((Size) KDE_SLOT << mq_get_i32(pl + KDE_BITS)) + (Size) ntiles * KDE_TILE_BYTES;
	}
	SlotPut(pl, slot, tx, ty, ntiles);
	mq_put_i32(pl + KDE_NUSED, ntiles + 1);
	memset(pl + used, 0, KDE_TILE_BYTES);
	mq_state_set_used(*sp, (uint32) (used + KDE_TILE_BYTES));
	return pl + used;
}

const char *
mq_kde_tile(const char *pl, int32 slot, int32 *tx, int32 *ty)
{
	const char *p = pl + KDE_HDR + (Size) slot * KDE_SLOT;
	int32		sx = mq_get_i32(p);

	if (sx == 0)
		return NULL;
	*tx = (int32) ((uint32) sx ^ 0x80000000u);
	*ty = mq_get_i32(p + 4);
	return TileNodes((char *) pl, mq_get_i32(p + 8));
}

static inline int32
LatticeIndex(double v)
{
	if (!(fabs(v) < KDE_MAX_INDEX))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kde: coordinate too far from the origin for this cell size and bandwidth"),
				 errdetail("It lies %.0f lattice steps away, the limit is %.0f.", v, KDE_MAX_INDEX),
				 errhint("Use a larger bandwidth or a projected CRS whose origin is near the data.")));
	return (int32) v;
}


/* lattice coordinates (in steps) of a point */
static inline void
LatticeUV(const char *pl, double x, double y, double *u, double *v)
{
	double		step = mq_get_f8(pl + KDE_STEP);
	double		o = (!(mq_get_i32(pl + KDE_FLAGS) & KDE_F_GEO) && (mq_get_i32(pl + KDE_K) & 1)) ? 0.5 : 0.0;

	*u = x / step - o;
	*v = y / step - o;
}

/*
 * Spread weight w at lattice coordinates (u, v) over the 3 x 3 nodes around
 * it.  `nodes` may give the tile of the nearest node when the caller has it.
 */
static bytea *
LatticeAdd(bytea *s, double u, double v, double w)
{
	double		wx[3],
				wy[3];
	int32		a = LatticeIndex(KdeLagrange(u, wx)),
				b = LatticeIndex(KdeLagrange(v, wy));
	int32		la = a & (KDE_TILE - 1),
				lb = b & (KDE_TILE - 1);

	if (la >= 1 && la <= KDE_TILE - 2 && lb >= 1 && lb <= KDE_TILE - 2)
	{
		/* all nine nodes in one tile */
		char	   *p = mq_kde_tile_get(&s, a >> KDE_TILE_SHIFT, b >> KDE_TILE_SHIFT) +
			((Size) (lb - 1) * KDE_TILE + (la - 1)) * 8;

		for (int r = 0; r < 3; r++, p += KDE_TILE * 8)
		{
			double		wr = w * wy[r];

			KdeNodeAdd(p, wr * wx[0]);
			KdeNodeAdd(p + 8, wr * wx[1]);
			KdeNodeAdd(p + 16, wr * wx[2]);
		}
		return s;
	}
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++)
		{
			int32		na = a - 1 + c,
						nb = b - 1 + r;
			char	   *p = mq_kde_tile_get(&s, na >> KDE_TILE_SHIFT, nb >> KDE_TILE_SHIFT);

			KdeNodeAdd(p + ((Size) (nb & (KDE_TILE - 1)) * KDE_TILE + (na & (KDE_TILE - 1))) * 8,
					w * wy[r] * wx[c]);
		}
	return s;
}

/*
 * Copy n point records (after payload header `hdr`, which gives their
 * origin and the lattice) to `dst`, sorted by the row of tiles their
 * nearest node is in: a counting sort, so that binning them afterwards
 * touches one row of tiles at a time while it is in the cache instead of a
 * random tile per point (rows arrive in the table's order, spatially
 * random).
 */
static void
SortByTileRow(const char *hdr, const char *recs, int32 n, char *dst)
{
	int32		flags = mq_get_i32(hdr + KDE_FLAGS);
	Size		sz = KdePtSize(flags);
	double		q = mq_get_f8(hdr + KDE_Q),
				oy = mq_get_f8(hdr + KDE_OY),
				step = mq_get_f8(hdr + KDE_STEP),
				o = (!(flags & KDE_F_GEO) && (mq_get_i32(hdr + KDE_K) & 1)) ? 0.5 : 0.0;
	double		rmin = DBL_MAX,
				rmax = -DBL_MAX;
	int32	   *start;
	int32		nrows;

#define TileRowOf(p) floor(rint((oy + mq_get_i32((p) + 4)) * q / step - o) / KDE_TILE)
	for (int32 k = 0; k < n; k++)
	{
		double		r = TileRowOf(recs + k * sz);

		rmin = Min(rmin, r);
		rmax = Max(rmax, r);
	}
	if (n == 0 || !(rmax - rmin < 65536))
	{
		/* no points, or too spread out to bother */
		memcpy(dst, recs, sz * n);
		return;
	}
	nrows = (int32) (rmax - rmin) + 1;
	start = palloc0_array(int32, nrows + 1);
	for (int32 k = 0; k < n; k++)
		start[(int32) (TileRowOf(recs + k * sz) - rmin) + 1]++;
	for (int32 t = 0; t < nrows; t++)
		start[t + 1] += start[t];
	for (int32 k = 0; k < n; k++)
	{
		const char *p = recs + k * sz;

		KdePtCopy(dst + (Size) start[(int32) (TileRowOf(p) - rmin)]++ * sz, p, sz);
	}
#undef TileRowOf
	pfree(start);
}

/* Bin n points (a payload header, then their records) into the tiles. */
static bytea *
LatticeBinPoints(bytea *s, const char *pts, int32 n)
{
	int32		flags = mq_get_i32(pts + KDE_FLAGS);

	for (int32 k = 0; k < n; k++)
	{
		double		x,
					y,
					w,
					u,
					v;

		if ((k & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		KdePtRead(pts, flags, k, &x, &y, &w);
		if (w == 0)
			continue;
		LatticeUV(MQ_STATE_PAYLOAD(s), x, y, &u, &v);
		s = LatticeAdd(s, u, v, w);
	}
	return s;
}

/*
 * Binning a batch of point records onto the state's tiles.  Rows arrive in
 * the table's order, spatially random: binning each point as it comes
 * would look up a random tile per point (a directory probe) and miss the
 * cache on each of its three node rows.  So a batch is first sorted by the
 * row of tiles of each point's nearest node (a counting sort: one bucket a
 * row of tiles, few enough that every bucket's write position stays
 * cached), then binned row by row straight into the tiles: a row of tiles
 * and the edges of its neighbours stay in L2 while its points are binned,
 * and the tiles' addresses come from a small table over the batch's tile
 * box, filled on first use, instead of a directory probe a point.
 */
/* the tile-address table: at most this many tiles in the batch's box (and its ring) */
#define BATCH_MAX_TILES (1 << 20)

typedef struct KdeBatch
{
	int32		n;				/* records */
	Size		sz;				/* bytes a record */
	int32		flags;
	double		ox;				/* origin of the records, in quanta */
	double		oy;
	double		r;				/* quantum / lattice step */
	double		o;				/* lattice offset, in steps */
	int64		ta0;			/* tile box: [ta0, ta0 + ntx) x [tb0, tb0 + nty) */
	int64		tb0;
	int64		ntx;
	int64		nty;
	int32	   *start;			/* nty + 1 offsets into the sorted records */
} KdeBatch;

/* lattice coordinates of a record */
static inline void
BatchUV(const KdeBatch *bt, const char *p, double *u, double *v)
{
	*u = (bt->ox + mq_get_i32(p)) * bt->r - bt->o;
	*v = (bt->oy + mq_get_i32(p + 4)) * bt->r - bt->o;
}

/* the row of tiles of a record's nearest node, numbered from the box's first */
static inline int64
BatchRow(const KdeBatch *bt, const char *p)
{
	return ((int64) rint((bt->oy + mq_get_i32(p + 4)) * bt->r - bt->o) >> KDE_TILE_SHIFT) - bt->tb0;
}

/*
 * The lattice parameters of n records (after payload header `hdr`, which
 * gives their origin and the lattice) and the box of their nearest nodes'
 * tiles; false when there are none.
 */
static bool
BatchBox(KdeBatch *bt, const char *hdr, const char *recs, int32 n)
{
	int32		flags = mq_get_i32(hdr + KDE_FLAGS);
	double		q = mq_get_f8(hdr + KDE_Q),
				step = mq_get_f8(hdr + KDE_STEP);
	int32		xmin = PG_INT32_MAX,
				xmax = PG_INT32_MIN,
				ymin = PG_INT32_MAX,
				ymax = PG_INT32_MIN;

	bt->n = n;
	bt->flags = flags;
	bt->sz = KdePtSize(flags);
	bt->ox = mq_get_f8(hdr + KDE_OX);
	bt->oy = mq_get_f8(hdr + KDE_OY);
	bt->r = q / step;
	bt->o = (!(flags & KDE_F_GEO) && (mq_get_i32(hdr + KDE_K) & 1)) ? 0.5 : 0.0;
	bt->start = NULL;
	if (n <= 0)
		return false;
	for (int32 k = 0; k < n; k++)
	{
		const char *p = recs + (Size) k * bt->sz;
		int32		dx = mq_get_i32(p),
					dy = mq_get_i32(p + 4);

		xmin = Min(xmin, dx);
		xmax = Max(xmax, dx);
		ymin = Min(ymin, dy);
		ymax = Max(ymax, dy);
	}
	/* every node index stays in range (the corners bound them all) */
	bt->ta0 = (int64) LatticeIndex(rint((bt->ox + xmin) * bt->r - bt->o)) >> KDE_TILE_SHIFT;
	bt->tb0 = (int64) LatticeIndex(rint((bt->oy + ymin) * bt->r - bt->o)) >> KDE_TILE_SHIFT;
	bt->ntx = ((int64) LatticeIndex(rint((bt->ox + xmax) * bt->r - bt->o)) >> KDE_TILE_SHIFT) - bt->ta0 + 1;
	bt->nty = ((int64) LatticeIndex(rint((bt->oy + ymax) * bt->r - bt->o)) >> KDE_TILE_SHIFT) - bt->tb0 + 1;
	return true;
}

/*
 * Sort n records (after payload header `hdr`, which gives their origin and
 * the lattice) into `dst` by row of tiles; false (dst untouched) when their
 * tiles' bounding box is too large for the address table.
 */
static bool
BatchSort(KdeBatch *bt, const char *hdr, const char *recs, int32 n, char *dst)
{
	int64		nt;
	int32	   *start,
			   *rows;

	if (!BatchBox(bt, hdr, recs, n))
		return false;
	nt = (bt->ntx + 2) * (bt->nty + 2);
	if (nt > BATCH_MAX_TILES || nt > 4 * (int64) n + 64)
		return false;
	/* each record's row once (the scatter pass reads it back) */
	rows = palloc_extended(sizeof(int32) * n, MCXT_ALLOC_HUGE);
	start = palloc0_array(int32, bt->nty + 1);
	for (int32 k = 0; k < n; k++)
	{
		rows[k] = (int32) BatchRow(bt, recs + (Size) k * bt->sz);
		start[rows[k] + 1]++;
	}
	for (int64 t = 0; t < bt->nty; t++)
		start[t + 1] += start[t];
	if (bt->sz == 8)
		for (int32 k = 0; k < n; k++)
			memcpy(dst + (Size) start[rows[k]]++ * 8, recs + (Size) k * 8, 8);
	else
		for (int32 k = 0; k < n; k++)
			memcpy(dst + (Size) start[rows[k]]++ * 16, recs + (Size) k * 16, 16);
	pfree(rows);
	/* start[t] is now the end of row t: shift back to the starts */
	for (int64 t = bt->nty; t > 0; t--)
		start[t] = start[t - 1];
	start[0] = 0;
	bt->start = start;
	return true;
}

/*
 * The nodes of tile (tx, ty), through the batch's address table (box and
 * ring).  Creating a tile can move the state or its tiles: then every
 * address in the table is forgotten.
 */
static inline char *
BatchTile(bytea **sp, const KdeBatch *bt, char **table, int64 tx, int64 ty)
{
	char	  **slot = &table[(ty - bt->tb0 + 1) * (bt->ntx + 2) + (tx - bt->ta0 + 1)];

	if (*slot == NULL)
	{
		bytea	   *before = *sp;
		int32		bits = mq_get_i32(MQ_STATE_PAYLOAD(*sp) + KDE_BITS);
		char	   *nodes = mq_kde_tile_get(sp, (int32) tx, (int32) ty);

		if (*sp != before || mq_get_i32(MQ_STATE_PAYLOAD(*sp) + KDE_BITS) != bits)
			memset(table, 0, sizeof(char *) * (bt->ntx + 2) * (bt->nty + 2));
		*slot = nodes;
	}
	return *slot;
}

/* Bin the records sorted by BatchSort into the tiles, row of tiles by row. */
static bytea *
BatchBin(bytea *s, const KdeBatch *bt, const char *recs)
{
	bool		weighted = (bt->flags & KDE_F_WEIGHTED) != 0;
	char	  **table = palloc0_array(char *, (bt->ntx + 2) * (bt->nty + 2));

	for (int64 t = 0; t < bt->nty; t++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int32 k = bt->start[t]; k < bt->start[t + 1]; k++)
		{
			const char *p = recs + (Size) k * bt->sz;
			double		w = weighted ? mq_get_f8(p + 8) : 1.0,
						u,
						v,
						fa,
						fb,
						wx[3],
						wy[3],
						tu,
						tv;
			int64		a,
						b;
			int			la,
						lb;

			if (w == 0)
				continue;
			BatchUV(bt, p, &u, &v);
			fa = rint(u);
			fb = rint(v);
			a = (int64) fa;
			b = (int64) fb;
			tu = u - fa;
			tv = v - fb;
			wx[0] = 0.5 * tu * (tu - 1.0);
			wx[1] = 1.0 - tu * tu;
			wx[2] = 0.5 * tu * (tu + 1.0);
			wy[0] = w * 0.5 * tv * (tv - 1.0);
			wy[1] = w * (1.0 - tv * tv);
			wy[2] = w * 0.5 * tv * (tv + 1.0);
			la = (int) (a & (KDE_TILE - 1));
			lb = (int) (b & (KDE_TILE - 1));
			if ((unsigned) (la - 1) < KDE_TILE - 2 && (unsigned) (lb - 1) < KDE_TILE - 2)
			{
				/* all nine nodes in the nearest node's tile */
				char	   *n = BatchTile(&s, bt, table, a >> KDE_TILE_SHIFT, b >> KDE_TILE_SHIFT) +
					((Size) (lb - 1) * KDE_TILE + (la - 1)) * 8;

				for (int r = 0; r < 3; r++, n += KDE_TILE * 8)
				{
					KdeNodeAdd(n, wy[r] * wx[0]);
					KdeNodeAdd(n + 8, wy[r] * wx[1]);
					KdeNodeAdd(n + 16, wy[r] * wx[2]);
				}
				continue;
			}
			for (int r = 0; r < 3; r++)
				for (int c = 0; c < 3; c++)
				{
					int64		na = a - 1 + c,
								nb = b - 1 + r;
					char	   *n = BatchTile(&s, bt, table, na >> KDE_TILE_SHIFT, nb >> KDE_TILE_SHIFT);

					KdeNodeAdd(n + ((Size) (nb & (KDE_TILE - 1)) * KDE_TILE + (na & (KDE_TILE - 1))) * 8,
							   wy[r] * wx[c]);
				}
		}
	}
	pfree(table);
	return s;
}

/*
 * Copy n records (after payload header `hdr`, which gives their origin and
 * the lattice) into a new buffer, header first, sorted by tile when their
 * extent allows (bt->start set), otherwise by row of tiles.
 */
static char *
KdeSortRecords(KdeBatch *bt, const char *hdr, const char *recs, int32 n)
{
	Size		sz = KdePtSize(mq_get_i32(hdr + KDE_FLAGS));
	char	   *sorted = palloc_extended(KDE_HDR + sz * Max(n, 0), MCXT_ALLOC_HUGE);

	memcpy(sorted, hdr, KDE_HDR);
	if (!BatchSort(bt, hdr, recs, n, sorted + KDE_HDR))
		SortByTileRow(hdr, recs, n, sorted + KDE_HDR);
	return sorted;
}

/* Bin (and free) the records KdeSortRecords sorted into s's tiles. */
static bytea *
KdeBinSorted(bytea *s, KdeBatch *bt, char *sorted)
{
	if (bt->start)
	{
		s = BatchBin(s, bt, sorted + KDE_HDR);
		pfree(bt->start);
	}
	else
		s = LatticeBinPoints(s, sorted, bt->n);
	pfree(sorted);
	return s;
}

/* Lattice mode: bin the pending points into the tiles. */
bytea *
mq_kde_flush(bytea *s)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int32		flags = mq_get_i32(pl + KDE_FLAGS);
	int32		npend = mq_get_i32(pl + KDE_NPEND);
	Size		lat = KdeLatticeBytes(pl),
				bytes = (Size) npend * KdePtSize(flags);
	KdeBatch	bt;
	char	   *sorted;

	if (npend == 0)
		return s;
	/* the points, sorted, out of the state; then the state without them */
	sorted = KdeSortRecords(&bt, pl, pl + KDE_HDR + lat, npend);
	memset(pl + KDE_HDR + lat, 0, bytes);
	mq_put_i32(pl + KDE_NPEND, 0);
	mq_state_set_used(s, (uint32) (KDE_HDR + lat));
	return KdeBinSorted(s, &bt, sorted);
}

/*
 * A lattice-mode state with its pending points binned (a copy when there
 * are any: the final function must not change its input).  The final
 * function bins every point through the state's lattice, whichever points
 * happened to be pending in whichever worker, so the answer does not depend
 * on how rows were split (geographic input: two binning stages for all).
 */
bytea *
mq_kde_flushed(bytea *s)
{
	bytea	   *copy;

	if (mq_get_i32(MQ_STATE_PAYLOAD(s) + KDE_NPEND) == 0)
		return s;
	/* what is used only (flushing frees the pending points' room for new tiles) */
	copy = palloc_extended(MQ_STATE_HDRSZ + mq_state_used(s), MCXT_ALLOC_HUGE);
	memcpy(copy, s, MQ_STATE_HDRSZ + mq_state_used(s));
	SET_VARSIZE(copy, MQ_STATE_HDRSZ + mq_state_used(s));
	return mq_kde_flush(copy);
}

/*
 * Switch a points-mode state to lattice mode, binning the kept points.  The
 * directory and the tiles of the points' bounding box are reserved at once
 * (one allocation instead of a doubling per few tiles).
 */
bytea *
mq_kde_to_lattice(bytea *s)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);
	int32		npts = mq_get_i32(pl + KDE_NUSED);
	int32		flags = mq_get_i32(pl + KDE_FLAGS);
	Size		sz = KdePtSize(flags);
	char		hdr[KDE_HDR];
	const char *recs = pl + KDE_HDR;
	double		guess = 1;
	int			bits = KDE_MIN_BITS;
	KdeBatch	bt;

	memcpy(hdr, pl, KDE_HDR);
	mq_put_i32(hdr + KDE_FLAGS, flags | KDE_F_LATTICE);
	/* tiles of the bounding box, within reason (sparse data: fewer) */
	if (BatchBox(&bt, hdr, recs, npts))
		guess = (double) (bt.ntx + 2) * (double) (bt.nty + 2);
	guess = Min(guess, 4.0 * npts + 16);
	guess = Min(guess, (double) (MaxAllocSize / 4 / KDE_TILE_BYTES));
	guess = Max(1.0, Min(guess, (double) mq_max_cells / (KDE_TILE * KDE_TILE) / 2));
	while (((double) ((int64) 1 << bits)) < 2 * guess && bits < KDE_MAX_BITS - 1)
		bits++;

	/*
	 * A new block sized for the directory, the guessed tiles and a batch of
	 * pending points (the kept points stay in the old block, which nodeAgg
	 * frees: copying them along and doubling the block would touch twice
	 * the memory).
	 */
	{
		Size		need = KDE_HDR + ((Size) KDE_SLOT << bits) + (Size) guess * KDE_TILE_BYTES +
			(Size) Min(mq_kde_exact_points, KDE_BATCH_POINTS) * sz;
		bytea	   *n = mq_state_new(MQ_KIND_KDE, Min(need, MaxAllocSize - MQ_STATE_HDRSZ), KDE_HDR);
		Size		size = VARSIZE(n);

		memcpy(n, s, MQ_STATE_HDRSZ + KDE_HDR);
		SET_VARSIZE(n, size);
		s = n;
	}
	pl = MQ_STATE_PAYLOAD(s);
	mq_put_i32(pl + KDE_BITS, bits);
	mq_put_i32(pl + KDE_NUSED, 0);
	mq_put_i32(pl + KDE_NPEND, 0);
	mq_put_i32(pl + KDE_FLAGS, flags | KDE_F_LATTICE);
	mq_state_set_used(s, (uint32) (KDE_HDR + ((Size) KDE_SLOT << bits)));
	s = mq_kde_tile_room(s, (int32) guess);

	/*
	 * The kept points in batches, like pending points: a sorted copy of a
	 * batch at a time (reused memory) instead of all of them (fresh pages).
	 */
	for (int32 off = 0; off < npts; off += KDE_BATCH_POINTS)
	{
		int32		cnt = Min(KDE_BATCH_POINTS, npts - off);
		char	   *sorted = KdeSortRecords(&bt, hdr, recs + (Size) off * sz, cnt);

		s = KdeBinSorted(s, &bt, sorted);
	}
	return s;
}

/* Bin one point at (x, y) (CRS units or degrees) into the tiles now. */
bytea *
mq_kde_lattice_add(bytea *s, double x, double y, double w)
{
	double		u,
				v;

	LatticeUV(MQ_STATE_PAYLOAD(s), x, y, &u, &v);
	return LatticeAdd(s, u, v, w);
}
