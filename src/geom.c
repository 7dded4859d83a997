/*
 * geom.c — PostGIS point (de)serialization; see geom.h.
 */
#include "postgres.h"

#include <math.h>

#include "executor/spi.h"
#include "utils/builtins.h"

#include "geom.h"

/* flag bits of the GSERIALIZED flag byte (formats 1 and 2 agree on these) */
#define GS_FLAG_Z			0x01
#define GS_FLAG_M			0x02
#define GS_FLAG_BBOX		0x04
#define GS_FLAG_GEODETIC	0x08
#define GS2_FLAG_EXTENDED	0x10
#define GS2_FLAG_VERSION	0x40

#define GS_POINTTYPE		1

static const char *const mq_geomtype_names[] = {
	"unknown", "point", "linestring", "polygon", "multipoint",
	"multilinestring", "multipolygon", "geometrycollection"
};

MqPointStatus
mq_point_read(Datum geom, MqPoint *pt, const char *fname)
{
	struct varlena *g = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(geom));
	const uint8 *p = (const uint8 *) VARDATA_ANY(g);
	Size		len = VARSIZE_ANY_EXHDR(g);
	uint8		flags;
	int32		srid;
	int			ndims;
	Size		off;
	uint32		type,
				npoints;

	if (len < 4 + 8)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: geometry value is too short (%zu bytes)", fname, len)));
	srid = ((int32) p[0] << 16) | ((int32) p[1] << 8) | (int32) p[2];
	srid = (int32) ((uint32) srid << 11) >> 11; /* sign-extend 21 bits */
	flags = p[3];
	ndims = 2 + ((flags & GS_FLAG_Z) ? 1 : 0) + ((flags & GS_FLAG_M) ? 1 : 0);
	off = 4;
	if ((flags & GS2_FLAG_VERSION) && (flags & GS2_FLAG_EXTENDED))
		off += 8;
	if (flags & GS_FLAG_BBOX)
		off += sizeof(float) * 2 * ((flags & GS_FLAG_GEODETIC) ? 3 : ndims);
	if (off + 8 > len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: malformed geometry value", fname)));
	memcpy(&type, p + off, 4);
	memcpy(&npoints, p + off + 4, 4);
	if (type != GS_POINTTYPE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s expects point geometries, got a %s", fname,
						type < lengthof(mq_geomtype_names) ? mq_geomtype_names[type] : "curve or surface"),
				 errhint("Pass ST_Centroid(geom) or ST_PointOnSurface(geom) for areas and lines.")));
	pt->srid = srid;
	if (npoints == 0)
		return MQ_POINT_EMPTY;
	if (off + 8 + sizeof(double) * ndims > len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: malformed point value", fname)));
	memcpy(&pt->x, p + off + 8, sizeof(double));
	memcpy(&pt->y, p + off + 8 + sizeof(double), sizeof(double));
	if (!isfinite(pt->x) || !isfinite(pt->y))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: point coordinates must be finite", fname),
				 errdetail("Got POINT(%g %g).", pt->x, pt->y),
				 errhint("Filter out points with NaN or infinite coordinates.")));
	return MQ_POINT_OK;
}

Datum
mq_point_make(double x, double y, int32 srid)
{
	Size		size = VARHDRSZ + 4 + 8 + 2 * sizeof(double);
	uint8	   *v = (uint8 *) palloc0(size);
	uint8	   *p = v + VARHDRSZ;
	uint32		type = GS_POINTTYPE,
				npoints = 1;
	uint32		s = (uint32) srid & 0x1FFFFF;

	SET_VARSIZE(v, size);
	p[0] = (s >> 16) & 0x1F;
	p[1] = (s >> 8) & 0xFF;
	p[2] = s & 0xFF;
	p[3] = GS2_FLAG_VERSION;
	memcpy(p + 4, &type, 4);
	memcpy(p + 8, &npoints, 4);
	memcpy(p + 12, &x, sizeof(double));
	memcpy(p + 20, &y, sizeof(double));
	return PointerGetDatum(v);
}

void
mq_srid_check(int32 srid, int32 *first, bool *have_first, const char *fname)
{
	if (!*have_first)
	{
		*first = srid;
		*have_first = true;
	}
	else if (srid != *first)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: mixed SRIDs %d and %d in one call", fname, *first, srid),
				 errhint("Transform every geometry to one SRID first, e.g. with ST_Transform(geom, 4326).")));
}

/*
 * Geographic (degree) SRIDs: the common ones are known; anything else is
 * looked up once in spatial_ref_sys (+proj=longlat) and cached per backend.
 */
bool
mq_srid_is_geographic(int32 srid)
{
	static int32 cache_srid[32];
	static bool cache_geo[32];
	static int	ncache = 0;
	bool		geo = false;

	switch (srid)
	{
		case 4326:				/* WGS 84 */
		case 4490:				/* CGCS2000 */
		case 4269:				/* NAD83 */
		case 4258:				/* ETRS89 */
		case 4167:
		case 4283:
		case 4612:
		case 6318:
			return true;
		case 0:
		case 3857:
		case 900913:
			return false;
	}
	for (int i = 0; i < ncache; i++)
		if (cache_srid[i] == srid)
			return cache_geo[i];

	if (SPI_connect() == SPI_OK_CONNECT)
	{
		char		sql[160];

		snprintf(sql, sizeof(sql),
				 "SELECT proj4text LIKE '%%+proj=longlat%%' FROM spatial_ref_sys WHERE srid = %d",
				 srid);
		if (SPI_execute(sql, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			geo = !isnull && DatumGetBool(d);
		}
		SPI_finish();
	}
	if (ncache < (int) lengthof(cache_srid))
	{
		cache_srid[ncache] = srid;
		cache_geo[ncache] = geo;
		ncache++;
	}
	return geo;
}
