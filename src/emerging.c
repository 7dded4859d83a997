/*
 * emerging.c — emerging hot spot categories of one location of a
 * space-time cube (ArcGIS Emerging Hot Spot Analysis), from its Gi* z-scores
 * per time step (computed with minqing.gi_star per step) and a Mann–Kendall
 * trend test on that z series:
 *
 *   emerging_hotspot(z float8[] [, confidence float8 = 0.90])
 *     -> (category, steps, hot_steps, cold_steps, trend_tau, trend_z, trend_p)
 *
 * A step is a significant hot (cold) spot when z > 0 (z < 0) and the
 * two-sided normal p <= 1 - confidence; NULL steps count as steps that are
 * neither.  The trend is significant when the Mann–Kendall p <= 1 - confidence.
 * The rules, checked in this order (n = steps, H / K hot / cold steps):
 *
 *   last step hot:
 *     H = 1                                   new hot spot
 *     H >= 0.9 n, trend up / down / none      intensifying / diminishing /
 *                                             persistent hot spot
 *     the hot steps are one run of >= 2 ending at the last step
 *                                             consecutive hot spot
 *     K > 0                                   oscillating hot spot
 *     otherwise                               sporadic hot spot
 *   last step cold: the same with hot and cold exchanged (trend down is
 *     intensifying for a cold spot)
 *   last step neither:
 *     H >= 0.9 n                              historical hot spot
 *     K >= 0.9 n                              historical cold spot
 *     otherwise                               no pattern
 *
 * Mann–Kendall: S = Σ_{i<j} sign(z_j - z_i) over the non-NULL steps in order,
 * Var S = (m(m-1)(2m+5) - Σ_ties t(t-1)(2t+5)) / 18, Z = (S - sign S)/√Var S,
 * p two-sided normal, tau = S / (m(m-1)/2) — R's cor.test(z, seq_along(z),
 * method = "kendall", exact = FALSE, continuity = TRUE).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "result.h"
#include "stats.h"

static int
DoubleCmp(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * Mann–Kendall on x[0..m-1]; *tau, *z, *p set (NaN when undefined: fewer
 * than 2 values or zero variance).
 */
static void
MannKendall(const double *x, int m, double *tau, double *z, double *p)
{
	double		s = 0,
				var,
				ties = 0;
	double	   *sorted;

	*tau = *z = *p = NAN;
	if (m < 2)
		return;
	for (int i = 0; i < m; i++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int j = i + 1; j < m; j++)
			s += (x[j] > x[i]) - (x[j] < x[i]);
	}
	sorted = palloc(sizeof(double) * m);
	memcpy(sorted, x, sizeof(double) * m);
	qsort(sorted, m, sizeof(double), DoubleCmp);
	for (int i = 0; i < m;)
	{
		int			j = i;

		while (j < m && sorted[j] == sorted[i])
			j++;
		if (j - i > 1)
		{
			double		t = j - i;

			ties += t * (t - 1) * (2 * t + 5);
		}
		i = j;
	}
	pfree(sorted);
	*tau = s / (m * (m - 1) / 2.0);
	var = ((double) m * (m - 1) * (2.0 * m + 5) - ties) / 18.0;
	if (var <= 0)
		return;
	*z = (s - (s > 0 ? 1 : (s < 0 ? -1 : 0))) / sqrt(var);
	*p = mq_norm_p2(*z);
}

/* The category for the side that is significant on the last step. */
static const char *
Category(int n, int same, int other, bool run_at_end, double trend_z, double trend_p,
		 double alpha, bool hot)
{
	bool		up = !isnan(trend_p) && trend_p <= alpha && trend_z > 0;
	bool		down = !isnan(trend_p) && trend_p <= alpha && trend_z < 0;

	if (same == 1)
		return hot ? "new hot spot" : "new cold spot";
	if (same >= 0.9 * n)
	{
		if (hot ? up : down)
			return hot ? "intensifying hot spot" : "intensifying cold spot";
		if (hot ? down : up)
			return hot ? "diminishing hot spot" : "diminishing cold spot";
		return hot ? "persistent hot spot" : "persistent cold spot";
	}
	if (run_at_end)
		return hot ? "consecutive hot spot" : "consecutive cold spot";
	if (other > 0)
		return hot ? "oscillating hot spot" : "oscillating cold spot";
	return hot ? "sporadic hot spot" : "sporadic cold spot";
}

/*
 * emerging_hotspot(z float8[] [, confidence float8]) -> composite.
 * STRICT: a NULL array or confidence gives NULL.
 */
PG_FUNCTION_INFO_V1(emerging_hotspot);
Datum
emerging_hotspot(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	double		confidence = PG_NARGS() > 1 ? PG_GETARG_FLOAT8(1) : 0.90;
	double		alpha;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int		   *sig;
	double	   *vals;
	int			m = 0,
				H = 0,
				K = 0,
				run;
	double		tau,
				tz,
				tp;
	const char *cat;
	Datum		values[7];
	bool		rnulls[7] = {false};

	if (!(confidence > 0 && confidence < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("emerging_hotspot: confidence must be between 0 and 1 (exclusive)"),
				 errdetail("Got %g.", confidence),
				 errhint("ArcGIS uses 0.90.")));
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("emerging_hotspot: z must be a one-dimensional array"),
				 errhint("Pass array_agg(z ORDER BY step).")));
	alpha = 1.0 - confidence;
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("emerging_hotspot: z must have at least one time step"),
				 errhint("Pass one Gi* z-score per time step.")));
	sig = palloc(sizeof(int) * n);
	vals = palloc(sizeof(double) * n);
	for (int i = 0; i < n; i++)
	{
		double		z;

		sig[i] = 0;
		if (nulls[i])
			continue;
		z = DatumGetFloat8(elems[i]);
		mq_check_finite(z, "emerging_hotspot", "z");
		vals[m++] = z;
		/* significance as gi_star's users read it: the two-sided normal p */
		if (mq_norm_p2(z) <= alpha)
			sig[i] = z > 0 ? 1 : -1;
		H += sig[i] > 0;
		K += sig[i] < 0;
	}
	MannKendall(vals, m, &tau, &tz, &tp);

	if (sig[n - 1] != 0)
	{
		int			s = sig[n - 1];

		/* length of the run of s ending at the last step */
		run = 0;
		for (int i = n - 1; i >= 0 && sig[i] == s; i--)
			run++;
		cat = Category(n, s > 0 ? H : K, s > 0 ? K : H,
					   run >= 2 && run == (s > 0 ? H : K), tz, tp, alpha, s > 0);
	}
	else if (H >= 0.9 * n)
		cat = "historical hot spot";
	else if (K >= 0.9 * n)
		cat = "historical cold spot";
	else
		cat = "no pattern";

	values[0] = CStringGetTextDatum(cat);
	values[1] = Int32GetDatum(n);
	values[2] = Int32GetDatum(H);
	values[3] = Int32GetDatum(K);
	mq_result_f8(values, rnulls, 4, tau);
	mq_result_f8(values, rnulls, 5, tz);
	mq_result_f8(values, rnulls, 6, tp);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, rnulls));
}
