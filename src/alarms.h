/*
 * alarms.h — what the two files of the alarms capability share: alarms.c
 * (the quasi-Poisson GLM of R's glm(), farrington()) and alarms_auto.c
 * (auto_alarm(), auto_alarm_run()).
 */
#ifndef MINQING_ALARMS_H
#define MINQING_ALARMS_H

#include "postgres.h"

#include <float.h>
#include <math.h>

#include "window.h"

/*
 * A quasi-Poisson GLM with log link and at most QP_MAXK coefficients, the
 * first one the intercept: what farringtonFlexible and auto_alarm read from
 * R's glm().  X is row-major (row i at X[i·k]); column 0 is all ones.  Each
 * IRLS step solves the weighted least squares on columns centred at their
 * weighted means (normal equations, Cholesky): well conditioned even for a
 * time column in the hundreds, and equal to R's QR solution to rounding.
 */
#define QP_MAXK 9

typedef struct QpModel
{
	int			n;				/* observations */
	int			k;				/* coefficients, intercept included */
	int			ldx;			/* row stride of X */
	double	   *X;
	double	   *y;
	double	   *prior;			/* prior weights */
	double	   *eta;
	double	   *mu;
	double	   *z;				/* working response, then scratch */
	double	   *w;				/* working weights of the last step */
	/*
	 * Optional grouping (auto_alarm): observation i has the design row of
	 * cell[i], cx[cell · ldx]; each step then solves the least squares on
	 * ncell cells (summed weights, weighted mean responses), which is the
	 * same solution for a fraction of the work.  cell == NULL: no grouping.
	 */
	int		   *cell;
	int			ncell;
	double	   *cx;
	double	   *cw;				/* scratch, ncell entries each */
	double	   *cz;
	double	   *ceta;
	double		beta[QP_MAXK];	/* [0] = η at the centre, [j] slopes */
	double		xbar[QP_MAXK];	/* weighted column means of the last step */
	double		sw;				/* Σ working weights */
	double		cinv[QP_MAXK * QP_MAXK];	/* centred (XᵀWX)⁻¹, (k−1)×(k−1) */
	double		chol[QP_MAXK * QP_MAXK];	/* Cholesky factor of the last step */
	double		dispersion;		/* summary.glm()$dispersion */
	double		dispersion_prior;	/* the same with the prior weights */
	bool		converged;
} QpModel;

/* poisson/quasipoisson linkinv and mu.eta for the log link */
static inline double
QpLinkInv(double eta)
{
	double		m = exp(eta);

	return m > DBL_EPSILON ? m : DBL_EPSILON;
}

/* linear predictor at the design row x (k entries, x[0] = 1) */
static inline double
QpEta(const QpModel *m, const double *x)
{
	double		eta = m->beta[0];

	for (int j = 1; j < m->k; j++)
		eta += m->beta[j] * (x[j] - m->xbar[j]);
	return eta;
}

/* x0ᵀ (XᵀWX)⁻¹ x0 for the design row x */
extern double mq_qp_leverage(const QpModel *m, const double *x);

/*
 * algo.farrington.fitGLM.flexible: fit, then refit once with Anscombe
 * weights; fallback: drop to the intercept-only model when the first fit
 * does not converge.  False: no usable model.
 */
extern bool mq_qp_fit_reweighted(QpModel *m, bool fallback);

/* upper bound of algo.farrington.threshold.farrington, "2/3" transform */
extern double mq_far_upper(double mu0, double se, double phi, double z);

/* Allocate a model for up to n observations and k coefficients; cells (auto_alarm); free. */
extern void mq_qp_alloc(QpModel *m, int n, int k);
extern void mq_qp_alloc_cells(QpModel *m, int n, int ncell);
extern void mq_qp_free(QpModel *m);

/* Counts of a window partition (NULL: missing) and a per-partition constant argument. */
extern void mq_alarm_read_counts(MqWindow *w, double *x, bool *miss, const char *unit);
extern double mq_alarm_const_arg(MqWindow *w, int argno, const char *name, bool isint);

#endif							/* MINQING_ALARMS_H */
