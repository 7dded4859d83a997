#!/usr/bin/python3
"""Reference for minqing.st_dbscan (test/pgtap/class_cases.sql).

Run with Debian's python (/usr/bin/python3, python3-sklearn 1.2, numpy):
    /usr/bin/python3 test/reference/class_cases_dbscan.py
It draws a deterministic fixture (numpy seed 20261202): 240 points in meters
(UTM 50N offsets are added in SQL) over 60 days: dense space-time clusters,
clusters that share a place but not a time, and background noise.  D* =
max(d / eps, |dt| / eps_time) with eps = 120 m, eps_time = 2 days; pairs with
D* within 1% of 1 are nudged away so that no tie sits at exactly eps and the
geographic (lon/lat) run, which measures in a local projection, agrees.
sklearn.cluster.DBSCAN(eps=1, min_samples=minpoints (3 and 8), metric='precomputed')
labels the points; clusters are renumbered 0, 1, ... by their first point
(minqing's numbering).  Border points whose core neighbours lie in two
clusters would make the answer order-dependent: the script asserts there
are none.  It prints the VALUES rows pasted into the test.
"""
import numpy as np
from sklearn.cluster import DBSCAN

EPS, EPS_T = 120.0, 2 * 86400.0
rng = np.random.default_rng(20261202)


def draw():
    pts = []
    # 12 space-time clusters: a centre, a start time, 6..20 points
    for c in range(12):
        cx, cy = rng.uniform(0, 5000, 2)
        t0 = rng.uniform(0, 55 * 86400)
        k = int(rng.integers(6, 21))
        for _ in range(k):
            pts.append((cx + rng.normal(0, 45), cy + rng.normal(0, 45), t0 + rng.uniform(0, 3 * 86400)))
    # a place visited three times, weeks apart: three clusters, one place
    for t0 in (2 * 86400, 20 * 86400, 45 * 86400):
        for _ in range(8):
            pts.append((2500 + rng.normal(0, 30), 2500 + rng.normal(0, 30), t0 + rng.uniform(0, 86400)))
    # noise
    while len(pts) < 240:
        pts.append((rng.uniform(0, 5000), rng.uniform(0, 5000), rng.uniform(0, 60 * 86400)))
    return np.array(pts)


def dstar(p):
    d = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1]) / EPS
    dt = np.abs(p[:, None, 2] - p[None, :, 2]) / EPS_T
    return d, dt


p = draw()
# round to centimetres and seconds, then nudge near-ties away (deterministic)
p[:, 0:2] = np.round(p[:, 0:2], 2)
p[:, 2] = np.round(p[:, 2])
for _ in range(50):
    d, dt = dstar(p)
    bad = np.argwhere(np.triu((np.abs(d - 1) < 0.01) | (np.abs(dt - 1) < 0.01), 1))
    if len(bad) == 0:
        break
    for i, j in bad:
        if abs(d[i, j] - 1) < 0.01:
            p[j, 0] = round(p[j, 0] + 3.0, 2)
        if abs(dt[i, j] - 1) < 0.01:
            p[j, 2] += 3 * 3600
else:
    raise SystemExit("could not remove near-ties")
d, dt = dstar(p)
D = np.maximum(d, dt)

for minpts in (3, 8):
    lab = DBSCAN(eps=1.0, min_samples=minpts, metric='precomputed').fit(D)
    core = np.zeros(len(p), bool)
    core[lab.core_sample_indices_] = True
    for i in np.where(~core)[0]:
        cl = {lab.labels_[j] for j in np.where((D[i] <= 1) & core)[0]}
        assert len(cl) <= 1, "ambiguous border point %d" % i
    ren, out = {}, []
    for l in lab.labels_:
        if l < 0:
            out.append(None)
        else:
            ren.setdefault(l, len(ren))
            out.append(ren[l])
    print("-- minpoints", minpts, ":", len(ren), "clusters,", sum(o is None for o in out), "noise")
    if minpts == 3:
        l3 = out
    else:
        l8 = out

print("INSERT INTO sd_ref VALUES")
rows = []
for i, (x, y, t) in enumerate(p):
    f = lambda v: 'NULL' if v is None else str(v)
    rows.append("\t(%d, %.2f, %.2f, %d, %s, %s)" % (i + 1, x, y, int(t), f(l3[i]), f(l8[i])))
print(",\n".join(rows) + ";")
