/*
 * linalg.h — small dense least squares for the regression aggregates.
 * Matrices are column-major (element (i, j) of an n×k matrix at [i + j·n]).
 */
#ifndef MINQING_LINALG_H
#define MINQING_LINALG_H

#include <stdbool.h>

/*
 * Ordinary least squares by Householder QR.  X is n×k (n ≥ k), y has n
 * entries; neither is modified.  On success returns true and fills
 * beta (k), resid (n, y − Xβ, may be NULL) and xtx_inv (k×k, (XᵀX)⁻¹ =
 * R⁻¹R⁻ᵀ, may be NULL).  Returns false when X is rank deficient: a diagonal
 * element of R is at most 1e-10 times the largest column norm.
 * Callers centre their regressors first so that R is well conditioned.
 */
extern bool mq_lstsq(const double *X, const double *y, int n, int k,
					 double *beta, double *resid, double *xtx_inv);

#endif
