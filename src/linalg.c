/*
 * linalg.c — Householder QR least squares (see linalg.h).  Plain C with
 * palloc'd scratch; k is small (a few dozen regressors at most), n is the
 * number of observations.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "linalg.h"

/*
 * Solve min ‖y − Xβ‖ by reducing A = X to R with Householder reflections
 * H_j = I − v vᵀ/(vᵀv/2) applied to A and to a copy of y (so Qᵀy is never
 * formed as a matrix), then back-substituting Rβ = (Qᵀy)[0:k].
 */
bool
mq_lstsq(const double *X, const double *y, int n, int k,
		 double *beta, double *resid, double *xtx_inv)
{
	double	   *A,
			   *qy,
			   *v;
	double		maxnorm = 0.0;
	bool		ok = true;

	if (n < k || k < 1)
		return false;
	A = palloc(sizeof(double) * (Size) n * k);
	qy = palloc(sizeof(double) * n);
	v = palloc(sizeof(double) * n);
	memcpy(A, X, sizeof(double) * (Size) n * k);
	memcpy(qy, y, sizeof(double) * n);

	for (int j = 0; j < k; j++)
	{
		double		norm = 0.0;

		for (int i = 0; i < n; i++)
			norm += X[i + (Size) j * n] * X[i + (Size) j * n];
		maxnorm = Max(maxnorm, sqrt(norm));
	}

	for (int j = 0; j < k; j++)
	{
		double		alpha = 0.0,
					vnorm2,
					scale = 0.0;

		CHECK_FOR_INTERRUPTS();
		/* scale to avoid overflow in the norm */
		for (int i = j; i < n; i++)
			scale = Max(scale, fabs(A[i + (Size) j * n]));
		if (scale == 0.0)
		{
			ok = false;
			break;
		}
		for (int i = j; i < n; i++)
		{
			double		a = A[i + (Size) j * n] / scale;

			alpha += a * a;
		}
		alpha = sqrt(alpha) * scale;
		if (A[j + (Size) j * n] > 0)
			alpha = -alpha;		/* reflect away from the sign: no cancellation */
		for (int i = j; i < n; i++)
			v[i] = A[i + (Size) j * n];
		v[j] -= alpha;
		vnorm2 = 0.0;
		for (int i = j; i < n; i++)
			vnorm2 += v[i] * v[i];
		if (vnorm2 == 0.0)
			continue;
		/* apply H to the remaining columns and to qy */
		for (int c = j; c < k; c++)
		{
			double		dot = 0.0;

			for (int i = j; i < n; i++)
				dot += v[i] * A[i + (Size) c * n];
			dot = 2.0 * dot / vnorm2;
			for (int i = j; i < n; i++)
				A[i + (Size) c * n] -= dot * v[i];
		}
		{
			double		dot = 0.0;

			for (int i = j; i < n; i++)
				dot += v[i] * qy[i];
			dot = 2.0 * dot / vnorm2;
			for (int i = j; i < n; i++)
				qy[i] -= dot * v[i];
		}
	}

	for (int j = 0; ok && j < k; j++)
		if (!(fabs(A[j + (Size) j * n]) > 1e-10 * maxnorm))
			ok = false;

	if (ok)
	{
		/* back substitution R β = (Qᵀy)[0:k] */
		for (int j = k - 1; j >= 0; j--)
		{
			double		s = qy[j];

			for (int c = j + 1; c < k; c++)
				s -= A[j + (Size) c * n] * beta[c];
			beta[j] = s / A[j + (Size) j * n];
		}
		if (resid)
		{
			for (int i = 0; i < n; i++)
			{
				double		fit = 0.0;

				for (int j = 0; j < k; j++)
					fit += X[i + (Size) j * n] * beta[j];
				resid[i] = y[i] - fit;
			}
		}
		if (xtx_inv)
		{
			/* Rinv (upper triangular, k×k), then (XᵀX)⁻¹ = Rinv Rinvᵀ */
			double	   *Ri = palloc0(sizeof(double) * k * k);

			for (int c = 0; c < k; c++)
			{
				Ri[c + c * k] = 1.0 / A[c + (Size) c * n];
				for (int r = c - 1; r >= 0; r--)
				{
					double		s = 0.0;

					for (int m = r + 1; m <= c; m++)
						s += A[r + (Size) m * n] * Ri[m + c * k];
					Ri[r + c * k] = -s / A[r + (Size) r * n];
				}
			}
			for (int r = 0; r < k; r++)
				for (int c = 0; c < k; c++)
				{
					double		s = 0.0;

					for (int m = Max(r, c); m < k; m++)
						s += Ri[r + m * k] * Ri[c + m * k];
					xtx_inv[r + c * k] = s;
				}
			pfree(Ri);
		}
	}
	pfree(A);
	pfree(qy);
	pfree(v);
	return ok;
}
