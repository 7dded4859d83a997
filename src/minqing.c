/*
 * minqing.c — module entry point: magic block and settings.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

double		mq_kpi_weights[3] = {0.1, 0.5, 0.4};
int			mq_max_cells = 50000000;
int			mq_kde_exact_points = 4194304;
int			mq_cluster_max_points = 5000000;
char	   *mq_pseudonym_key = NULL;
static char *mq_kpi_weights_string = NULL;

/*
 * minqing.kpi_weights: three non-negative finite numbers separated by commas
 * or blanks, not all zero.  Parsed once by the check hook.
 */
static bool
CheckKpiWeights(char **newval, void **extra, GucSource source)
{
	double		w[3];
	int			n = 0;
	char	   *p = *newval;
	double	   *result;

	while (*p)
	{
		char	   *end;
		double		v;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		v = strtod(p, &end);
		if (end == p || n >= 3 || !isfinite(v) || v < 0)
		{
			GUC_check_errmsg("minqing.kpi_weights must be three non-negative numbers");
			GUC_check_errdetail("Got \"%s\".", *newval);
			GUC_check_errhint("Write response, resolution and satisfaction weights, e.g. '0.1,0.5,0.4'.");
			return false;
		}
		w[n++] = v;
		p = end;
	}
	if (n != 3 || w[0] + w[1] + w[2] <= 0)
	{
		GUC_check_errmsg("minqing.kpi_weights must be three non-negative numbers, not all zero");
		GUC_check_errdetail("Got \"%s\".", *newval);
		GUC_check_errhint("Write response, resolution and satisfaction weights, e.g. '0.1,0.5,0.4'.");
		return false;
	}
	result = (double *) malloc(sizeof(w));	/* GUC machinery free()s it */
	if (!result)
		return false;
	memcpy(result, w, sizeof(w));
	*extra = result;
	return true;
}

static void
AssignKpiWeights(const char *newval, void *extra)
{
	if (extra)
		memcpy(mq_kpi_weights, extra, sizeof(mq_kpi_weights));
}

void
mq_check_cells(double ncells, const char *what)
{
	if (!(ncells <= (double) mq_max_cells))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s would need %.0f cells, above minqing.max_cells = %d",
						what, ncells, mq_max_cells),
				 errhint("Use a larger cell size or a smaller extent, or raise minqing.max_cells.")));
}

/*
 * minqing.pseudonym_key may come from postgresql.conf, ALTER SYSTEM or a
 * superuser's SET, but never from a place every role can read: values given
 * to ALTER DATABASE / ALTER ROLE ... SET and CREATE / ALTER FUNCTION ... SET
 * are stored in pg_db_role_setting and pg_proc, which are world-readable.
 * Those are checked with source PGC_S_TEST and applied at login with the
 * database / user sources, so a non-empty key from them is refused.
 */
static bool
CheckPseudonymKey(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || **newval == '\0')
		return true;
	if (source == PGC_S_TEST || source == PGC_S_DATABASE ||
		source == PGC_S_USER || source == PGC_S_DATABASE_USER)
	{
		GUC_check_errmsg("minqing.pseudonym_key must not be stored with ALTER DATABASE, ALTER ROLE or a function's SET clause");
		GUC_check_errdetail("Those settings are stored in world-readable catalogs (pg_db_role_setting, pg_proc).");
		GUC_check_errhint("Set it in postgresql.conf or with ALTER SYSTEM, and add minqing to shared_preload_libraries or session_preload_libraries.");
		return false;
	}
	return true;
}

void
_PG_init(void)
{
	DefineCustomStringVariable("minqing.kpi_weights",
							   "Weights of response, resolution and satisfaction rates in kpi().score.",
							   "Three non-negative numbers; they are normalised to sum to 1.",
							   &mq_kpi_weights_string,
							   "0.1,0.5,0.4",
							   PGC_USERSET, 0,
							   CheckKpiWeights, AssignKpiWeights, NULL);
	DefineCustomIntVariable("minqing.max_cells",
							"Largest number of grid cells a minqing function may allocate.",
							"Requests above it are refused before any memory is allocated.",
							&mq_max_cells,
							50000000, 1, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("minqing.kde_exact_points",
							"Points kde() keeps per partial state and sums exactly.",
							"Above it kde() bins points onto a lattice of bandwidth / 20 (within about 1% of the exact sum).",
							&mq_kde_exact_points,
							4194304, 0, 16777216,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("minqing.cluster_max_points",
							"Largest number of points st_dbscan() clusters in one partition and knox() keeps in one group.",
							"Requests above it are refused before the memory is allocated (about 150 bytes per point for st_dbscan, 24 for knox).",
							&mq_cluster_max_points,
							5000000, 1, 7000000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("minqing.pseudonym_key",
							   "Secret HMAC key used by minqing.pseudonymize(text).",
							   "Superuser-only; other roles can neither SHOW nor read it.",
							   &mq_pseudonym_key,
							   "",
							   PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   CheckPseudonymKey, NULL, NULL);
	MarkGUCPrefixReserved("minqing");
}
