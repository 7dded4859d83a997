#!/usr/bin/python3
"""Reference values of minqing.term_burst (test/pgtap/text.sql): Kleinberg's
two-state batched burst model (KDD 2002, section 4) written with numpy.
Batches t = 1..n with d_t documents, r_t relevant; p0 = sum r / sum d,
p1 = min(s p0, 0.9999); cost -(r ln p + (d - r) ln(1 - p)); entering state 1
costs gamma ln n; Viterbi from state 0, ties prefer state 0; burst weight =
sum over the burst of cost0 - cost1.
Run: /usr/bin/python3 test/reference/text_burst.py  (prints SQL VALUES rows)
"""
import numpy as np


def cost(r, d, p):
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(r > 0, r * np.log(p), 0.0)
        b = np.where(d - r > 0, (d - r) * np.log(1.0 - p), 0.0)
    return -(a + b)


def burst(d, r, s=2.0, gamma=1.0):
    d = np.asarray(d, float)
    r = np.asarray(r, float)
    n = len(d)
    p0 = r.sum() / d.sum()
    p1 = min(s * p0, 0.9999)
    tau = gamma * np.log(n)
    s0, s1 = cost(r, d, p0), cost(r, d, p1)
    c = np.zeros((n, 2))
    back = np.zeros((n, 2), int)
    prev = np.array([0.0, np.inf])
    for t in range(n):
        up = prev[0] + tau
        back[t, 0] = 1 if prev[1] < prev[0] else 0
        back[t, 1] = 1 if prev[1] < up else 0
        c[t, 0] = prev[back[t, 0]] + s0[t]
        c[t, 1] = (prev[1] if back[t, 1] else up) + s1[t]
        prev = c[t]
    q = np.zeros(n, int)
    q[-1] = 1 if c[-1, 1] < c[-1, 0] else 0
    for t in range(n - 1, 0, -1):
        q[t - 1] = back[t, q[t]]
    w = np.zeros(n)
    t = 0
    while t < n:
        if q[t]:
            e = t
            while e < n and q[e]:
                e += 1
            w[t:e] = (s0[t:e] - s1[t:e]).sum()
            t = e
        else:
            t += 1
    return q, w


rng = np.random.default_rng(2002)
series = []
# 1: a planted burst on days 20..27 of 60
d = rng.integers(80, 120, 60)
p = np.where((np.arange(60) >= 20) & (np.arange(60) < 28), 0.15, 0.03)
series.append((1, d, rng.binomial(d, p), 2.0, 1.0))
# 2: two bursts of different strength, s = 3, gamma = 0.5
d = rng.integers(30, 60, 80)
p = np.full(80, 0.02)
p[10:15] = 0.2
p[50:60] = 0.08
series.append((2, d, rng.binomial(d, p), 3.0, 0.5))
# 3: no burst (constant rate)
d = rng.integers(50, 70, 40)
series.append((3, d, rng.binomial(d, 0.05), 2.0, 1.0))
for sid, d, r, s, g in series:
    q, w = burst(d, r, s, g)
    for t in range(len(d)):
        print("(%d, %d, %d, %d, %g, %g, %s, %.12g)," % (sid, t + 1, d[t], r[t], s, g, "true" if q[t] else "false", w[t]))
