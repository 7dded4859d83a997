/*
 * guc.h — minqing's settings (all registered in minqing.c's _PG_init).
 *
 *   minqing.kpi_weights    '0.1,0.5,0.4'  response, resolution, satisfaction
 *                                         weights of kpi().score (USERSET)
 *   minqing.max_cells      50000000       largest grid/cube any function may
 *                                         allocate (USERSET)
 *   minqing.kde_exact_points 4194304     points kde() keeps per state and sums
 *                                         (or bins, if cheaper); above it, a lattice (USERSET)
 *   minqing.cluster_max_points 5000000   points st_dbscan() clusters per partition
 *                                         and knox() keeps per group (USERSET)
 *   minqing.pseudonym_key  ''             HMAC key of pseudonymize(text);
 *                                         superuser-only, hidden from others
 */
#ifndef MINQING_GUC_H
#define MINQING_GUC_H

extern double mq_kpi_weights[3];
extern int	mq_max_cells;
extern int	mq_kde_exact_points;
extern int	mq_cluster_max_points;
extern char *mq_pseudonym_key;

/* ereport unless ncells <= minqing.max_cells; `what` names the request */
extern void mq_check_cells(double ncells, const char *what);

#endif
