/*
 * density_final.c — kde_final(state) -> density_grid (SPEC §3), in phases:
 *
 *   KdeFinalInit      the state's constants and the output lattice geometry
 *   KdeFinalExtent    the extent of the input in output (metric) coordinates;
 *                     geographic input: the projection centre and the mesh
 *   KdeChooseExact    points mode: exact kernel sum or binning, by cost
 *   KdeExactSum       the kernel summed exactly at every cell centre
 *   KdeBinLattice     points or state nodes onto a dense metric lattice
 *   KdeConvolve       lattice x kernel stencil at every cell centre
 *   KdeWriteGrid      the non-zero cells into a density_grid
 *
 * The grid covers the bounding box of all reachable cells; it is refused up
 * front when that box, the lattice or the stencil exceeds minqing.max_cells.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "density.h"
#include "geom.h"
#include "guc.h"
#include "state.h"

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
	double		istep;			/* 1 / step */
	int			nlon;			/* mesh cells */
	int			nlat;
	double	   *x;				/* (nlon + 1) * (nlat + 1) */
	double	   *y;
} GeoMesh;

/* the final function's working set */
typedef struct KdeFinal
{
	/* the state */
	const char *pl;
	double		cell;
	double		bw;
	int32		flags;
	int32		srid;
	int32		nused;			/* points or tiles */
	int64		n;
	bool		lattice;
	bool		geo;
	/* output lattice: step g = cell / k, node a at a g + o */
	int32		k;
	double		g;
	double		o;
	double		ig;				/* 1 / g */
	double		R2;				/* (bandwidth / g)^2 */
	int32		Rr;				/* largest integer with Rr^2 < R2 */
	/* geographic input */
	double		lon0;
	double		lat0;
	GeoMesh		gm;
	/* extent of the input in output coordinates; empty when xmin > xmax */
	double		xmin;
	double		xmax;
	double		ymin;
	double		ymax;
	/* the extent in the input's own coordinates (degrees when geo) */
	double		raw[4];
	/* nodes that may hold weight: [D0, D1] x [D2, D3] */
	int64		D[4];
	/* the dense lattice: nodes [A0, A0 + W) x [B0, B0 + H) */
	int64		A0;
	int64		B0;
	int64		W;
	int64		H;
	double	   *V;
	/* cells [imin, imin + nx) x [jmin, jmin + ny) */
	int64		imin;
	int64		jmin;
	int64		nx;
	int64		ny;
	double	   *out;
} KdeFinal;

/* Round to 0.001 degree: partial sums in any order give the same centre. */
static double
RoundCentre(double v)
{
	return round(v * 1000.0) / 1000.0;
}

static void
GeoMeshInit(GeoMesh *gm, const MqTM *tm, double lon_min, double lon_max,
			double lat_min, double lat_max)
{
	double		ext = Max(lon_max - lon_min, lat_max - lat_min);

	gm->step = Max(0.01, ext / 500.0);
	gm->istep = 1.0 / gm->step;
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
	double		u = (lon - gm->lon_min) * gm->istep,
				v = (lat - gm->lat_min) * gm->istep;
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

static void
Extend(KdeFinal *f, double x, double y)
{
	f->xmin = Min(f->xmin, x);
	f->xmax = Max(f->xmax, x);
	f->ymin = Min(f->ymin, y);
	f->ymax = Max(f->ymax, y);
}

/* Does a tile's node (la, lb) hold weight? */
static inline double
TileNode(const char *nodes, int la, int lb)
{
	return mq_get_f8(nodes + ((Size) lb * KDE_TILE + la) * 8);
}

/* ---------------------------------------------------------------------
 * Phase 1: constants
 * ------------------------------------------------------------------- */
static void
KdeFinalInit(KdeFinal *f, bytea *s)
{
	memset(f, 0, sizeof(*f));
	f->pl = MQ_STATE_PAYLOAD(s);
	f->cell = mq_get_f8(f->pl + KDE_CELL);
	f->bw = mq_get_f8(f->pl + KDE_BW);
	f->flags = mq_get_i32(f->pl + KDE_FLAGS);
	f->srid = mq_get_i32(f->pl + KDE_SRID);
	f->nused = mq_get_i32(f->pl + KDE_NUSED);
	f->n = mq_get_i64(f->pl + KDE_N);
	f->lattice = (f->flags & KDE_F_LATTICE) != 0;
	f->geo = (f->flags & KDE_F_GEO) != 0;
	f->k = mq_kde_lattice_k(f->cell, f->bw);
	if (!f->geo && mq_get_i32(f->pl + KDE_K) != f->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kde state"),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	f->g = f->cell / f->k;
	f->o = (f->k & 1) ? 0.5 * f->g : 0.0;
	f->ig = 1.0 / f->g;
	f->R2 = (f->bw / f->g) * (f->bw / f->g);
	f->Rr = (int32) floor(f->bw / f->g);
	while (f->Rr > 0 && (double) f->Rr * f->Rr >= f->R2)
		f->Rr--;
	f->xmin = f->ymin = DBL_MAX;
	f->xmax = f->ymax = -DBL_MAX;
}

/* ---------------------------------------------------------------------
 * Phase 2: extent (and, for geographic input, projection and mesh)
 * ------------------------------------------------------------------- */

/* lon/lat (or CRS) bounding box of the non-zero input, into f->[xy]m* */
static void
KdeRawExtent(KdeFinal *f)
{
	if (!f->lattice)
	{
		for (int32 k = 0; k < f->nused; k++)
		{
			double		x,
						y,
						w;

			KdePtRead(f->pl, f->flags, k, &x, &y, &w);
			Extend(f, x, y);
		}
		return;
	}
	for (int32 k = 0; k < mq_get_i32(f->pl + KDE_NPEND); k++)
	{
		double		x,
					y,
					w;

		KdePendRead(f->pl, f->flags, k, &x, &y, &w);
		Extend(f, x, y);
	}
	for (int32 slot = 0; slot < ((int32) 1 << mq_get_i32(f->pl + KDE_BITS)); slot++)
	{
		int32		tx,
					ty;
		const char *nodes = mq_kde_tile(f->pl, slot, &tx, &ty);
		double		step = mq_get_f8(f->pl + KDE_STEP),
					o = f->geo ? 0.0 : f->o;

		if (nodes == NULL)
			continue;
		for (int lb = 0; lb < KDE_TILE; lb++)
			for (int la = 0; la < KDE_TILE; la++)
				if (TileNode(nodes, la, lb) != 0)
					Extend(f, ((double) tx * KDE_TILE + la) * step + o,
						   ((double) ty * KDE_TILE + lb) * step + o);
	}
}

static void
KdeFinalExtent(KdeFinal *f)
{
	KdeRawExtent(f);
	f->raw[0] = f->xmin;
	f->raw[1] = f->xmax;
	f->raw[2] = f->ymin;
	f->raw[3] = f->ymax;
	if (f->xmin > f->xmax || !f->geo)
		return;
	{
		MqTM		tm;
		double		lomin = f->xmin,
					lomax = f->xmax,
					lamin = f->ymin,
					lamax = f->ymax;

		double		ex[2] = {lomin, lomax},
					ey[2] = {lamin, lamax};

		f->lon0 = RoundCentre(mq_get_f8(f->pl + KDE_SX) / Max(f->n, 1));
		f->lat0 = RoundCentre(mq_get_f8(f->pl + KDE_SY) / Max(f->n, 1));
		/* geom.c's one rule set: the extent is range-checked, the centre given */
		mq_local_projection(ex, ey, 2, MQ_CENTRE_GIVEN, f->lon0, f->lat0, f->srid, &tm, "kde");
		GeoMeshInit(&f->gm, &tm, lomin, lomax, lamin, lamax);
		/* interpolated points stay inside the projected mesh's hull */
		f->xmin = f->ymin = DBL_MAX;
		f->xmax = f->ymax = -DBL_MAX;
		for (int k = 0; k < (f->gm.nlon + 1) * (f->gm.nlat + 1); k++)
			Extend(f, f->gm.x[k], f->gm.y[k]);
	}
}

/* Refuse a grid or cell numbers out of range; allocate the output. */
static void
KdeGridAlloc(KdeFinal *f, int64 imax, int64 jmax)
{
	f->nx = imax - f->imin + 1;
	f->ny = jmax - f->jmin + 1;
	mq_check_cells((double) f->nx * (double) f->ny, "the kde() grid");
	if (f->imin < PG_INT32_MIN || imax > PG_INT32_MAX ||
		f->jmin < PG_INT32_MIN || jmax > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kde: grid cell numbers exceed the int range"),
				 errhint("Use a larger cell size.")));
	f->out = palloc_extended(sizeof(double) * f->nx * f->ny, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static void
KdeCheckFinite(const KdeFinal *f, double unit)
{
	if (!(fabs(f->xmin / unit) < 1e15 && fabs(f->xmax / unit) < 1e15 &&
		  fabs(f->ymin / unit) < 1e15 && fabs(f->ymax / unit) < 1e15))
		mq_check_cells(1e30, "the kde() grid");
}

/* exact sum: the cells whose centre (i + 0.5) s lies within h of the extent */
static void
KdeCellRangeExact(KdeFinal *f)
{
	KdeCheckFinite(f, f->cell);
	f->imin = (int64) floor((f->xmin - f->bw) / f->cell - 0.5);
	f->jmin = (int64) floor((f->ymin - f->bw) / f->cell - 0.5);
	KdeGridAlloc(f, (int64) ceil((f->xmax + f->bw) / f->cell - 0.5),
				 (int64) ceil((f->ymax + f->bw) / f->cell - 0.5));
}

/*
 * binned: the lattice nodes that can hold weight (points spread one node
 * beyond their nearest; the state's own nodes exactly), and the cells whose
 * centre node k i + k/2 lies within Rr nodes of them
 */
static void
KdeCellRangeBinned(KdeFinal *f)
{
	int64		half = f->k >> 1,
				spread = (f->lattice && !f->geo && mq_get_i32(f->pl + KDE_NPEND) == 0) ? 0 : 1;

	KdeCheckFinite(f, f->g);
	f->D[0] = (int64) rint((f->xmin - f->o) / f->g) - spread;
	f->D[1] = (int64) rint((f->xmax - f->o) / f->g) + spread;
	f->D[2] = (int64) rint((f->ymin - f->o) / f->g) - spread;
	f->D[3] = (int64) rint((f->ymax - f->o) / f->g) + spread;
	f->imin = -FloorDiv(-(f->D[0] - f->Rr - half), f->k);
	f->jmin = -FloorDiv(-(f->D[2] - f->Rr - half), f->k);
	KdeGridAlloc(f, FloorDiv(f->D[1] + f->Rr - half, f->k), FloorDiv(f->D[3] + f->Rr - half, f->k));
}

/* ---------------------------------------------------------------------
 * Phase 3: exact sum or binning?  Both keep the accuracy contract; pick
 * the cheaper (in rough multiply-adds).  Points mode only.
 * ------------------------------------------------------------------- */
static bool
KdeChooseExact(const KdeFinal *f)
{
	double		span = 2.0 * f->bw / f->cell + 1.0;
	double		exact = (double) f->nused * (span * span * 0.8 * 4.0 + span * 4.0);
	double		nxl = (f->xmax - f->xmin) / f->g + 4.0 * f->Rr + 6.0,
				nyl = (f->ymax - f->ymin) / f->g + 4.0 * f->Rr + 6.0;
	double		cells = ((f->xmax - f->xmin + 2 * f->bw) / f->cell + 2) *
		((f->ymax - f->ymin + 2 * f->bw) / f->cell + 2);
	double		binned = (double) f->nused * 40.0 + nxl * nyl + cells * M_PI * f->R2;

	if (f->lattice)
		return false;
	/* a lattice the settings refuse is no option */
	if (nxl * nyl > (double) mq_max_cells ||
		(2.0 * f->Rr + 1) * (2.0 * f->Rr + 1) > (double) mq_max_cells)
		return true;
	return exact <= binned;
}

/* ---------------------------------------------------------------------
 * Phase 4a: the exact sum, Σ w c (1 − d²/h²)² over cell centres with d < h
 * ------------------------------------------------------------------- */
static void
KdeExactSum(KdeFinal *f)
{
	double		bw = f->bw,
				cell = f->cell,
				h2 = bw * bw;
	double		ch4 = 3.0 / (M_PI * h2) / (h2 * h2);
	double		inv = 1.0 / cell;
	int64		imax = f->imin + f->nx - 1,
				jmax = f->jmin + f->ny - 1;
	int64		maxw = (int64) (2 * bw / cell) + 3;
	double	   *dx2 = palloc(sizeof(double) * maxw);

	for (int32 k = 0; k < f->nused; k++)
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
		KdePtRead(f->pl, f->flags, k, &x, &y, &w);
		if (w == 0)
			continue;
		if (f->geo)
			GeoMeshForward(&f->gm, x, y, &x, &y);
		w *= ch4;
		i0 = Max(FastCeil((x - bw) * inv - 0.5), f->imin);
		i1 = Min(FastFloor((x + bw) * inv - 0.5), imax);
		j0 = Max(FastCeil((y - bw) * inv - 0.5), f->jmin);
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
			orow = f->out + (j - f->jmin) * f->nx + (i0 - f->imin);
			for (int64 i = 0; i <= i1 - i0; i++)
			{
				double		u = rest - dx2[i];

				u = u > 0 ? u : 0;
				orow[i] += w * (u * u);
			}
		}
	}
}

/* ---------------------------------------------------------------------
 * Phase 4b: the dense metric lattice
 * ------------------------------------------------------------------- */

/* allocate V over the extent plus the kernel's reach on every side */
static void
KdeLatticeAlloc(KdeFinal *f)
{
	int64		pad = 2 * (int64) f->Rr + 2;

	f->A0 = f->D[0] - pad;
	f->B0 = f->D[2] - pad;
	f->W = f->D[1] + pad - f->A0 + 1;
	f->H = f->D[3] + pad - f->B0 + 1;
	mq_check_cells((double) f->W * (double) f->H, "kde()'s binning lattice");
	f->V = palloc_extended(sizeof(double) * f->W * f->H, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

/* spread weight w at metric (x, y) over the 3 x 3 nodes around it */
static inline void
KdeLatticeAdd(KdeFinal *f, double x, double y, double w)
{
	double		wx[3],
				wy[3];
	int64		a = (int64) KdeLagrange((x - f->o) * f->ig, wx) - 1 - f->A0,
				b = (int64) KdeLagrange((y - f->o) * f->ig, wy) - 1 - f->B0;
	double	   *p;

	a = Min(Max(a, 0), f->W - 3);	/* rounding at the hull's edge */
	b = Min(Max(b, 0), f->H - 3);
	p = f->V + b * f->W + a;
	for (int r = 0; r < 3; r++, p += f->W)
	{
		double		wr = w * wy[r];

		p[0] += wr * wx[0];
		p[1] += wr * wx[1];
		p[2] += wr * wx[2];
	}
}

/*
 * Bin the kept or pending points in bands of 16 lattice rows: a counting
 * sort of the 8- or 16-byte point records by band first (rows arrive in the
 * table's order, spatially random; binning them as they come would miss the
 * cache on each of a point's three node rows).  The band of a geographic
 * point is taken from its latitude, close enough for locality.
 */
static void
KdeBinPoints(KdeFinal *f, int32 n)
{
	int32		flags = f->flags;
	Size		sz = KdePtSize(flags);
	const char *recs = f->pl + KDE_HDR + (f->lattice ? KdeLatticeBytes(f->pl) : 0);
	int32		nband = (int32) Min((f->H >> 4) + 1, 65536);
	double		y0 = f->raw[2],
				scale = nband / Max(f->raw[3] - f->raw[2], 1e-300),
				q = mq_get_f8(f->pl + KDE_Q),
				ox = mq_get_f8(f->pl + KDE_OX),
				oy = mq_get_f8(f->pl + KDE_OY);
	int32	   *start;
	uint16	   *band;
	char	   *sorted;

	if (n <= 0)
		return;
	sorted = palloc_extended(sz * n, MCXT_ALLOC_HUGE);
	start = palloc0_array(int32, nband + 1);
	/* each point's band once (the scatter pass reads it back) */
	band = palloc_extended(sizeof(uint16) * n, MCXT_ALLOC_HUGE);
	for (int32 k = 0; k < n; k++)
	{
		band[k] = (uint16) Min(Max((int32) (((oy + mq_get_i32(recs + k * sz + 4)) * q - y0) * scale), 0), nband - 1);
		start[band[k] + 1]++;
	}
	for (int32 t = 0; t < nband; t++)
		start[t + 1] += start[t];
	for (int32 k = 0; k < n; k++)
		KdePtCopy(sorted + (Size) start[band[k]]++ * sz, recs + k * sz, sz);
	pfree(band);
	for (int32 k = 0; k < n; k++)
	{
		const char *p = sorted + (Size) k * sz;
		double		x = (ox + mq_get_i32(p)) * q,
					y = (oy + mq_get_i32(p + 4)) * q,
					w = (flags & KDE_F_WEIGHTED) ? mq_get_f8(p + 8) : 1.0;

		if ((k & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		if (w == 0)
			continue;
		if (f->geo)
			GeoMeshForward(&f->gm, x, y, &x, &y);
		KdeLatticeAdd(f, x, y, w);
	}
	pfree(sorted);
	pfree(start);
}

/*
 * Geographic input: a tile of the state's degree lattice onto the metric
 * lattice.  Its nodes are mapped by bilinear interpolation between the
 * projected corners of the tile (two additions a node instead of a mesh
 * lookup): across a tile, a few hundredths of a degree at most, the
 * transverse Mercator departs from bilinear by millimetres.  Wider tiles
 * (bandwidths of several km) go through the mesh node by node.
 */
static void
KdeBinGeoTile(KdeFinal *f, const char *nodes, int32 tx, int32 ty, double step)
{
	double		lon0 = (double) tx * KDE_TILE * step,
				lat0 = (double) ty * KDE_TILE * step,
				span = KDE_TILE * step;
	double		x00,
				y00,
				x10,
				y10,
				x01,
				y01,
				x11,
				y11;

	if (span > 2 * f->gm.step)
	{
		for (int lb = 0; lb < KDE_TILE; lb++)
			for (int la = 0; la < KDE_TILE; la++)
			{
				double		w = TileNode(nodes, la, lb),
							x,
							y;

				if (w == 0)
					continue;
				GeoMeshForward(&f->gm, lon0 + la * step, lat0 + lb * step, &x, &y);
				KdeLatticeAdd(f, x, y, w);
			}
		return;
	}
	GeoMeshForward(&f->gm, lon0, lat0, &x00, &y00);
	GeoMeshForward(&f->gm, lon0 + span, lat0, &x10, &y10);
	GeoMeshForward(&f->gm, lon0, lat0 + span, &x01, &y01);
	GeoMeshForward(&f->gm, lon0 + span, lat0 + span, &x11, &y11);
	for (int lb = 0; lb < KDE_TILE; lb++)
	{
		double		fb = (double) lb / KDE_TILE;
		/* the row's first node and the step to the next, in meters */
		double		xr = x00 + fb * (x01 - x00),
					yr = y00 + fb * (y01 - y00),
					dx = (x10 + fb * (x11 - x10) - xr) / KDE_TILE,
					dy = (y10 + fb * (y11 - y10) - yr) / KDE_TILE;

		for (int la = 0; la < KDE_TILE; la++)
		{
			double		w = TileNode(nodes, la, lb);

			if (w != 0)
				KdeLatticeAdd(f, xr + la * dx, yr + la * dy, w);
		}
	}
}

static void
KdeBinLattice(KdeFinal *f)
{
	KdeLatticeAlloc(f);
	if (!f->lattice)
	{
		KdeBinPoints(f, f->nused);
		return;
	}
	KdeBinPoints(f, mq_get_i32(f->pl + KDE_NPEND));
	for (int32 slot = 0; slot < ((int32) 1 << mq_get_i32(f->pl + KDE_BITS)); slot++)
	{
		int32		tx,
					ty;
		const char *nodes = mq_kde_tile(f->pl, slot, &tx, &ty);
		double		step = mq_get_f8(f->pl + KDE_STEP);

		if (nodes == NULL)
			continue;
		CHECK_FOR_INTERRUPTS();
		if (f->geo)
		{
			KdeBinGeoTile(f, nodes, tx, ty, step);
			continue;
		}
		/* the state's lattice is the output lattice (V covers the non-zero nodes only) */
		for (int lb = 0; lb < KDE_TILE; lb++)
		{
			int64		b = (int64) ty * KDE_TILE + lb;

			for (int la = 0; la < KDE_TILE; la++)
			{
				double		w = TileNode(nodes, la, lb);

				if (w != 0)
					f->V[(b - f->B0) * f->W + ((int64) tx * KDE_TILE + la - f->A0)] += w;
			}
		}
	}
}

/* ---------------------------------------------------------------------
 * Phase 5: convolution with the kernel stencil at the cell centres
 * ------------------------------------------------------------------- */

/*
 * Σ v[t] T[t] in four partial sums (a fixed order, so the result does not
 * depend on anything but the lattice); two-double vectors where the
 * compiler has them (SSE2 / NEON).
 */
#if defined(__GNUC__) || defined(__clang__)
typedef double v2df __attribute__((vector_size(16)));

static inline double
Dot(const double *v, const double *T, int n)
{
	v2df		s0 = {0, 0},
				s1 = {0, 0};
	const double *end4 = v + (n & ~3),
			   *end = v + n;
	double		r;

	for (; v < end4; v += 4, T += 4)
	{
		v2df		a0,
					a1,
					b0,
					b1;

		memcpy(&a0, v, 16);
		memcpy(&a1, v + 2, 16);
		memcpy(&b0, T, 16);
		memcpy(&b1, T + 2, 16);
		s0 += a0 * b0;
		s1 += a1 * b1;
	}
	r = (s0[0] + s1[0]) + (s0[1] + s1[1]);
	for (; v < end; v++, T++)
		r += *v * *T;
	return r;
}
#else
static inline double
Dot(const double *v, const double *T, int n)
{
	double		s0 = 0,
				s1 = 0,
				s2 = 0,
				s3 = 0,
				r;
	int			t = 0;

	for (; t + 4 <= n; t += 4)
	{
		s0 += v[t] * T[t];
		s1 += v[t + 2] * T[t + 2];
		s2 += v[t + 1] * T[t + 1];
		s3 += v[t + 3] * T[t + 3];
	}
	r = (s0 + s1) + (s2 + s3);
	for (; t < n; t++)
		r += v[t] * T[t];
	return r;
}
#endif

static void
KdeConvolve(KdeFinal *f)
{
	int32		Rr = f->Rr,
				tw = 2 * Rr + 1,
				half = f->k >> 1;
	double		c = 3.0 / (M_PI * f->bw * f->bw);
	double	   *taps;
	int32	   *len;
	bool	   *rownz;
	double	   *both;

	mq_check_cells((double) tw * tw, "the kernel table of kde()");
	taps = palloc_extended(sizeof(double) * tw * tw, MCXT_ALLOC_HUGE);
	len = palloc(sizeof(int32) * tw);
	/* row dy: nodes dx = -len .. len with dx² + dy² < R² */
	for (int32 dy = -Rr; dy <= Rr; dy++)
	{
		double		rest = f->R2 - (double) dy * dy;
		int32		L = (int32) floor(sqrt(Max(rest, 0)));

		while (L >= 0 && (double) L * L >= rest)
			L--;
		len[dy + Rr] = L;
		for (int32 dx = -L; dx <= L; dx++)
		{
			double		u = 1.0 - ((double) dx * dx + (double) dy * dy) / f->R2;

			taps[(dy + Rr) * tw + (dx + L)] = c * u * u;
		}
	}
	/* rows of the lattice without weight are skipped */
	rownz = palloc0(sizeof(bool) * f->H);
	for (int64 b = 0; b < f->H; b++)
		for (int64 a = 0; a < f->W && !rownz[b]; a++)
			rownz[b] = f->V[b * f->W + a] != 0;

	/*
	 * Rows dy and -dy share their taps: add the two lattice rows first and
	 * take one dot product per cell (half the multiplications).
	 */
	both = palloc_extended(sizeof(double) * f->W, MCXT_ALLOC_HUGE);
	for (int64 j = 0; j < f->ny; j++)
	{
		int64		cj = f->k * (f->jmin + j) + half - f->B0;
		double	   *orow = f->out + j * f->nx;

		CHECK_FOR_INTERRUPTS();
		for (int32 dy = 0; dy <= Rr; dy++)
		{
			int64		b1 = cj + dy,
						b2 = cj - dy;
			bool		has1 = b1 >= 0 && b1 < f->H && rownz[b1],
						has2 = dy > 0 && b2 >= 0 && b2 < f->H && rownz[b2];
			int32		L = len[dy + Rr];
			const double *T = taps + (dy + Rr) * tw;
			const double *vrow;

			if (L < 0 || !(has1 || has2))
				continue;
			if (has1 && has2)
			{
				const double *r1 = f->V + b1 * f->W,
						   *r2 = f->V + b2 * f->W;

				for (int64 a = 0; a < f->W; a++)
					both[a] = r1[a] + r2[a];
				vrow = both;
			}
			else
				vrow = f->V + (has1 ? b1 : b2) * f->W;
			vrow += f->k * f->imin + half - L - f->A0;
			for (int64 i = 0; i < f->nx; i++)
				orow[i] += Dot(vrow + f->k * i, T, 2 * L + 1);
		}
	}
}

/* ---------------------------------------------------------------------
 * Phase 6: the result, header plus the non-zero cells row by row
 * ------------------------------------------------------------------- */
static bytea *
KdeWriteGrid(const KdeFinal *f)
{
	DensityGrid dg;
	int64		ncells = 0;
	bytea	   *res;
	char	   *rp;

	for (int64 q = 0; q < f->nx * f->ny; q++)
	{
		if ((q & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (f->out[q] > 0)
			ncells++;
	}
	if ((double) ncells * 16 + DG_HDR > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kde: grid of %lld non-zero cells exceeds the 1 GB limit", (long long) ncells),
				 errhint("Use a larger cell size.")));
	memset(&dg, 0, sizeof(dg));
	dg.flags = (f->geo ? DG_F_GEO : 0) | ((f->flags & KDE_F_WEIGHTED) ? DG_F_WEIGHTED : 0);
	dg.srid = f->srid;
	dg.ncells = (int32) ncells;
	dg.cell_size = f->cell;
	dg.bandwidth = f->bw;
	dg.lon0 = f->lon0;
	dg.lat0 = f->lat0;
	dg.points = f->n;
	dg.weight = mq_get_f8(f->pl + KDE_W);
	res = mq_density_grid_alloc(&dg, "kde");
	rp = (char *) res + DG_HDR;
	for (int64 j = 0; j < f->ny; j++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int64 i = 0; i < f->nx; i++)
		{
			double		v = f->out[j * f->nx + i];

			if (v > 0)
			{
				mq_put_i32(rp, (int32) (i + f->imin));
				mq_put_i32(rp + 4, (int32) (j + f->jmin));
				mq_put_f8(rp + 8, v);
				rp += 16;
			}
		}
	}
	return res;
}

/*
 * kde_final(state) -> density_grid: the exact kernel sum, or the lattice
 * convolved with the kernel stencil (see density.h).
 */
PG_FUNCTION_INFO_V1(kde_final);
Datum
kde_final(PG_FUNCTION_ARGS)
{
	KdeFinal	f;
	bytea	   *s,
			   *res;
	MemoryContext scratch,
				old;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = mq_kde_state_arg(PG_GETARG_DATUM(0));
	scratch = AllocSetContextCreate(CurrentMemoryContext, "kde final", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(scratch);
	if (mq_get_i32(MQ_STATE_PAYLOAD(s) + KDE_FLAGS) & KDE_F_LATTICE)
		s = mq_kde_flushed(s);

	KdeFinalInit(&f, s);
	KdeFinalExtent(&f);
	if (f.xmin <= f.xmax)
	{
		if (KdeChooseExact(&f))
		{
			KdeCellRangeExact(&f);
			KdeExactSum(&f);
		}
		else
		{
			KdeCellRangeBinned(&f);
			KdeBinLattice(&f);
			KdeConvolve(&f);
		}
	}
	MemoryContextSwitchTo(old);
	res = KdeWriteGrid(&f);
	MemoryContextDelete(scratch);
	PG_RETURN_POINTER(res);
}
