/*
 * policy.c — policy effects and resilience (SPEC §4), in three files:
 *   policy_series.c  the one-series estimators on a day-series state:
 *                    before_after, its, resilience
 *   policy_cells.c   the estimators that group cells of units or categories,
 *                    on a cell-table state: did, event_study, content_shift
 *   policy.c         the SQL wrappers of the distributions they use
 *                    (t_p2, t_quantile, chi2_sf)
 * The two state shapes share nothing but the state kit (state.h), so the
 * two files need no common header.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "stats.h"

/* ---------------------------------------------------------------------------
 * Distribution helpers exposed to SQL (tested against scipy)
 * ------------------------------------------------------------------------- */
/* SQL wrappers of the exact tails in stats.c, for users and for the tests. */
PG_FUNCTION_INFO_V1(t_p2);
Datum
t_p2(PG_FUNCTION_ARGS)
{
	double		t = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (isnan(t) || !(df > 0) || isinf(df))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t_p2: t must be a number and df positive and finite"),
				 errdetail("Got t = %g, df = %g.", t, df),
				 errhint("df is the degrees of freedom, e.g. clusters − 1.")));
	PG_RETURN_FLOAT8(mq_t_p2(t, df));
}

PG_FUNCTION_INFO_V1(t_quantile);
Datum
t_quantile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (!(p > 0 && p < 1) || !(df > 0) || isinf(df))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t_quantile: p must be between 0 and 1 (exclusive) and df positive and finite"),
				 errdetail("Got p = %g, df = %g.", p, df),
				 errhint("Use p = 0.975 for the critical value of a two-sided 95%% interval.")));
	PG_RETURN_FLOAT8(mq_t_quantile(p, df));
}

PG_FUNCTION_INFO_V1(chi2_sf);
Datum
chi2_sf(PG_FUNCTION_ARGS)
{
	double		x = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (isnan(x) || !(df > 0) || isinf(df))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("chi2_sf: x must be a number and df positive and finite"),
				 errdetail("Got x = %g, df = %g.", x, df),
				 errhint("df is the degrees of freedom, e.g. categories − 1.")));
	PG_RETURN_FLOAT8(mq_chi2_sf(x, df));
}
