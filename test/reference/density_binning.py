"""Worst-case error of kde()'s binned paths (src/density.h), for choosing the
lattice step.  Run: /usr/bin/python3 test/reference/density_binning.py

One point at a random offset is spread over the 3 x 3 lattice nodes around
it with quadratic (3-point Lagrange) weights; the binned kernel at each cell
centre is compared with the exact quartic kernel on every cell holding >= 5%
of the maximum (SPEC §3).  The lattice step is g = s / k with k the smallest
integer giving g <= h / G, shifted by g/2 when k is odd (cell centres are
nodes), as in density.c.  A single point is the worst case: with many points
the errors of different offsets average out.

Output (1000 offsets per ratio, seed 2; percent):
  G = 16: s/h 0.05 .. 1.0 -> up to 1.99% (at s = h, g = h/16): too close to 2%
  G = 18: up to 0.93%
  G = 20 (minqing): up to 0.86%, and 0.25% at the benchmark's s = h/8 (g = h/24)
For s > h the contract degenerates for a single point (the maximum itself can
be a cell at the kernel's edge), as it does for the exact sum's neighbours.

Geographic input bins twice: onto the state's degree lattice (step h / G1 in
meters of latitude, the same in degrees of longitude, so cos(latitude) times
that in meters; worst case cos = 1), then each of its nodes onto the metric
lattice above (G = 20), at a random offset between the two lattices.  Output
of worst_two_stage (1000 offsets per ratio s/h in 0.05, 0.0625, 0.125, 0.2,
0.3, 0.5, 1.0; seed 5; percent):
  G1 = 24: up to 0.92%
  G1 = 20 (minqing): up to 1.14% (at s = h), 0.58% at s = h/8
"""
import math
import numpy as np


def kernel(d2, h):
    u = 1 - d2 / (h * h)
    return np.where(u > 0, u * u, 0.0)


def lagrange(t):
    return np.array([0.5 * t * (t - 1), 1 - t * t, 0.5 * t * (t + 1)])


def worst(G, s_over_h, trials=1000, seed=2):
    h = 1.0
    s = s_over_h * h
    k = math.ceil(G * s / h)
    g = s / k
    o = 0.5 * g if k % 2 else 0.0
    rng = np.random.default_rng(seed)
    out = 0.0
    for _ in range(trials):
        px, py = rng.uniform(0, s, 2)
        ii = np.arange(-int(h / s) - 3, int(h / s) + 4)
        cx = (ii + 0.5) * s
        X, Y = np.meshgrid(cx, cx)
        exact = kernel((X - px) ** 2 + (Y - py) ** 2, h)
        u, v = (px - o) / g, (py - o) / g
        na, nb = round(u), round(v)
        wx, wy = lagrange(u - na), lagrange(v - nb)
        binned = np.zeros_like(exact)
        for r in range(3):
            for c in range(3):
                nx, ny = (na - 1 + c) * g + o, (nb - 1 + r) * g + o
                binned += wx[c] * wy[r] * kernel((X - nx) ** 2 + (Y - ny) ** 2, h)
        m = exact >= 0.05 * exact.max()
        out = max(out, np.max(np.abs(binned[m] - exact[m]) / exact[m]))
    return out


def worst_two_stage(G1, s_over_h, coslat=1.0, trials=1000, seed=5):
    h = 1.0
    s = s_over_h * h
    k = math.ceil(20 * s / h)
    g = s / k
    o = 0.5 * g if k % 2 else 0.0
    g1y = h / G1
    g1x = g1y * coslat
    rng = np.random.default_rng(seed)
    out = 0.0
    ii = np.arange(-int(h / s) - 3, int(h / s) + 4)
    cx = (ii + 0.5) * s
    X, Y = np.meshgrid(cx, cx)
    for _ in range(trials):
        px, py = rng.uniform(0, s, 2)
        ax, ay = rng.uniform(0, 1, 2)   # offset of the degree lattice, in its steps
        exact = kernel((X - px) ** 2 + (Y - py) ** 2, h)
        u, v = px / g1x - ax, py / g1y - ay
        na, nb = round(u), round(v)
        wx, wy = lagrange(u - na), lagrange(v - nb)
        mass = {}
        for r in range(3):
            for c in range(3):
                x1, y1 = (na - 1 + c + ax) * g1x, (nb - 1 + r + ay) * g1y
                u2, v2 = (x1 - o) / g, (y1 - o) / g
                ma, mb = round(u2), round(v2)
                w2x, w2y = lagrange(u2 - ma), lagrange(v2 - mb)
                for r2 in range(3):
                    for c2 in range(3):
                        key = (ma - 1 + c2, mb - 1 + r2)
                        mass[key] = mass.get(key, 0.0) + wx[c] * wy[r] * w2x[c2] * w2y[r2]
        binned = np.zeros_like(exact)
        for (a, b), w in mass.items():
            binned += w * kernel((X - (a * g + o)) ** 2 + (Y - (b * g + o)) ** 2, h)
        m = exact >= 0.05 * exact.max()
        out = max(out, np.max(np.abs(binned[m] - exact[m]) / exact[m]))
    return out


if __name__ == "__main__":
    ratios = (0.05, 0.0625, 0.07, 0.125, 0.2, 0.3, 0.5, 0.95, 1.0)
    for G in (16, 18, 20):
        print(G, [round(worst(G, r) * 100, 3) for r in ratios])
    ratios2 = (0.05, 0.0625, 0.125, 0.2, 0.3, 0.5, 1.0)
    for G1 in (24, 20):
        print("two-stage", G1, [round(worst_two_stage(G1, r) * 100, 3) for r in ratios2])
