/*
 * index.c — numeric helpers of the public-sentiment index (SPEC §6):
 *   index_phi(z)                        the standard normal cdf Φ(z), used
 *                                       to map z-scores onto 0..100
 *   index_draw(seed, key, rep, part)    a deterministic standard normal
 *                                       draw for the rank simulation
 * The orchestration (components, shrinkage, normalisation, simulation)
 * lives in install/60-index.sql; these are the two pieces SQL lacks.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "mqhash.h"
#include "stats.h"

/*
 * index_phi(z): Φ(z), the standard normal distribution function.  NaN is
 * refused; ±Infinity give 1 and 0.
 */
PG_FUNCTION_INFO_V1(index_phi);
Datum
index_phi(PG_FUNCTION_ARGS)
{
	float8		z = PG_GETARG_FLOAT8(0);

	if (isnan(z))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("z must not be NaN"),
				 errhint("Pass a finite z-score or ±Infinity.")));
	PG_RETURN_FLOAT8(mq_norm_cdf(z));
}

/*
 * index_draw(seed, key, rep, part): a standard normal number that depends
 * only on its four arguments.  The key (a unit code), the replicate and the
 * component are hashed with the seed through SplitMix64; the top 53 bits
 * give a uniform u in (0, 1) and Φ⁻¹(u) the normal draw.  Being a pure
 * function of its arguments, the simulation gives the same answer whatever
 * plan, parallel workers or row order PostgreSQL picks.
 */
PG_FUNCTION_INFO_V1(index_draw);
Datum
index_draw(PG_FUNCTION_ARGS)
{
	int64		seed = PG_GETARG_INT64(0);
	text	   *key = PG_GETARG_TEXT_PP(1);
	int32		rep = PG_GETARG_INT32(2);
	int32		part = PG_GETARG_INT32(3);
	uint64		h;
	double		u;

	h = mq_fnv1a(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
	h = mq_splitmix64(h ^ mq_splitmix64((uint64) seed));
	h = mq_splitmix64(h ^ ((uint64) (uint32) rep << 32 | (uint64) (uint32) part));
	u = ((double) (h >> 11) + 0.5) / 9007199254740992.0;	/* 2^53 */
	PG_RETURN_FLOAT8(mq_norm_quantile(u));
}

/*
 * index_z(est, center, scale, component): the one standardisation of the
 * index — ±(est − center)/scale, negated for components 1 (complaints) and
 * 5 (repeat calls) where fewer is better, winsorised to [−3, 3]; 0 when the
 * scale is NULL (all units equal: the component says nothing).  NULL when
 * est, center or component is NULL.  In C because the rank simulation calls
 * it units × 200 × 5 times.
 */
PG_FUNCTION_INFO_V1(index_z);
Datum
index_z(PG_FUNCTION_ARGS)
{
	double		z;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(2))
		PG_RETURN_FLOAT8(0.0);
	z = (PG_GETARG_FLOAT8(0) - PG_GETARG_FLOAT8(1)) / PG_GETARG_FLOAT8(2);
	if (PG_GETARG_INT32(3) == 1 || PG_GETARG_INT32(3) == 5)
		z = -z;
	if (isnan(z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(z > 3.0 ? 3.0 : (z < -3.0 ? -3.0 : z));
}
