"""Reference values for minqing.kde and minqing.kde_bandwidth
(sql/density.sql, test/pgtap/density.sql).  Run once:
    /usr/bin/python3 test/reference/density_kde.py
Brute force: the quartic kernel summed exactly over every point at every
cell centre ((i + 0.5) s, (j + 0.5) s); numpy for the spatial Silverman rule
0.9 * min(SD, sqrt(1/ln 2) * Dm) * n^-0.2 (ArcGIS Kernel Density default).
"""
import math
import numpy as np

# dataset A: 60 weighted points in a projected CRS
k = np.arange(1, 61)
x = ((k * 37) % 101) * 4.5
y = ((k * 61) % 97) * 3.7 + (k % 7) * 11
w = 1.0 + (k % 4)
s, h = 20.0, 90.0


def kde(x, y, w, s, h):
    cells = {}
    for px, py, pw in zip(x, y, w):
        for i in range(math.floor((px - h) / s) - 1, math.ceil((px + h) / s) + 1):
            for j in range(math.floor((py - h) / s) - 1, math.ceil((py + h) / s) + 1):
                d2 = ((i + 0.5) * s - px) ** 2 + ((j + 0.5) * s - py) ** 2
                if d2 < h * h:
                    cells[(i, j)] = cells.get((i, j), 0.0) + pw * 3 / (math.pi * h * h) * (1 - d2 / (h * h)) ** 2
    return cells


for label, ww in (("unweighted", np.ones_like(w)), ("weighted", w)):
    c = kde(x, y, ww, s, h)
    top = max(c.items(), key=lambda kv: kv[1])
    print(f"-- dataset A {label}: cells {len(c)}, integral {sum(c.values()) * s * s!r}, "
          f"max cell {top[0]} = {top[1]!r}")
    for cell in [(5, 5), (10, 10), (15, 7), (0, 12), (22, 3)]:
        print(f"--   {cell}: {c.get(cell, 0.0)!r}")

# the hand-checkable example: one point at a cell centre
print("-- one point: 3/(pi h^2) with h = 30:", 3 / (math.pi * 900))


def bandwidth(x, y):
    n = len(x)
    mx, my = x.mean(), y.mean()
    d = np.sqrt((x - mx) ** 2 + (y - my) ** 2)
    sd = math.sqrt(((x - mx) ** 2 + (y - my) ** 2).sum() / n)
    dm = float(np.median(d))
    return 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * n ** -0.2


print("-- kde_bandwidth dataset A (60 points):", repr(bandwidth(x, y)))
# dataset C: 1000 points with an outlying cluster (median < SD)
k = np.arange(1, 1001)
cx = np.where(k % 10 == 0, 5000.0, 0.0) + ((k * 7919) % 1000) * 0.35
cy = np.where(k % 10 == 0, 3000.0, 0.0) + ((k * 104729) % 997) * 0.41
print("-- kde_bandwidth dataset C (1000 points):", repr(bandwidth(cx, cy)))
# dataset D: 4 points (even n: median is the mean of the middle two)
dx = np.array([0.0, 10.0, 0.0, 30.0])
dy = np.array([0.0, 0.0, 20.0, 40.0])
print("-- kde_bandwidth dataset D (4 points):", repr(bandwidth(dx, dy)))
