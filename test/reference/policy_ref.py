#!/usr/bin/python3
# Reference values for the policy tests (sql/policy.sql, test/pgtap/policy.sql).
# Run once with Debian's python3-statsmodels / python3-scipy:
#     /usr/bin/python3 test/reference/policy_ref.py
# The data are generated here with the same integer formulas the SQL tests use,
# so both sides see bit-identical inputs.
import datetime as dt
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.spatial.distance import jensenshannon

np.set_printoptions(precision=17)
R = repr


def nw_lags(n):
    return int(np.floor(4 * (n / 100) ** (2 / 9)))


def its_ref(label, t, y, tpol, period=None):
    t = np.asarray(t, float)
    post = (t >= tpol).astype(float)
    tsince = np.where(post == 1, t - tpol, 0.0)
    cols = [np.ones_like(t), t, post, tsince]
    if period:
        for j in range(1, period):
            cols.append((np.mod(t, period) == j).astype(float))
    X = np.column_stack(cols)
    L = nw_lags(len(y))
    r = sm.OLS(np.asarray(y, float), X).fit(cov_type='HAC', cov_kwds={'maxlags': L, 'use_correction': False})
    print(f"-- {label}: n={len(y)} L={L}")
    print(f"   pre_level={R(r.params[0])} pre_trend={R(r.params[1])}")
    print(f"   level_change={R(r.params[2])} se={R(r.bse[2])} p={R(r.pvalues[2])}")
    print(f"   trend_change={R(r.params[3])} se={R(r.bse[3])} p={R(r.pvalues[3])}")


# 1. Bernal, Cummins & Gasparrini 2017 (IJE), Sicily acute coronary events
#    2002-01..2006-11, smoking ban from 2005-01 (time 37).  Data: the paper's
#    supplementary sicily.csv.  minqing.its works on days, so month i is mapped
#    to day 2002-01-01 + (i − 1): t = i − 1, the policy at t = 36, and
#    seasonal_period 12 gives month-of-year dummies.  y = aces / stdpop · 1e5.
aces = [728, 659, 791, 734, 757, 726, 760, 740, 720, 814, 795, 858, 887, 766, 851, 769, 781, 756, 766, 752,
        765, 831, 879, 928, 914, 808, 937, 840, 916, 828, 845, 818, 860, 839, 887, 886, 831, 796, 833, 820,
        877, 758, 767, 738, 781, 843, 850, 908, 1021, 859, 976, 888, 962, 838, 810, 876, 843, 936, 912]
stdpop = [379875.3, 376495.5, 377040.8, 377116.4, 377383.4, 374113.1, 379513.3, 376295.5, 374653.2, 378485.6,
          375955.5, 378349.7, 376762.4, 379032.3, 379360.4, 376162, 377972.4, 381830.7, 379888.6, 380872.2,
          380966.9, 381240.4, 382104.9, 381802.7, 381656.3, 383680, 383504.2, 386462.9, 383783.1, 380836.8,
          383483, 380906.2, 382926.8, 384052.4, 384449.6, 383428.4, 388153.2, 388373.2, 386470.1, 386033.2,
          383686.4, 385509.3, 385901.9, 386516.6, 388436.5, 383255.2, 390148.7, 385874.9, 391613.6, 391750.4,
          394005.6, 391364.9, 391664.6, 389022.3, 391878.5, 388575.3, 392989, 390018.8, 390712.3]
rate = [a / p * 1e5 for a, p in zip(aces, stdpop)]
its_ref("sicily", range(59), rate, 36)
its_ref("sicily seasonal 12", range(59), rate, 36, 12)
# The paper's own model (Poisson, offset log(stdpop), time + smokban) for orientation:
glm = sm.GLM(np.array(aces, float), sm.add_constant(np.column_stack([np.arange(1, 60), np.arange(59) >= 36]).astype(float)),
             family=sm.families.Poisson(), offset=np.log(stdpop)).fit()
print(f"   (paper's Poisson model, for orientation only: smoking-ban RR {np.exp(glm.params[2]):.4f})")

# 2. Daily ITS: d = 0..149 from 2024-01-01, days 40 and 97 missing (not
#    observations), day 10 given as two half rows (summed), policy 2024-03-15 (d 74).
days = [d for d in range(150) if d not in (40, 97)]
y = [50 + 0.1 * d + (d % 7) * 3 + ((-8 + 0.05 * (d - 74)) if d >= 74 else 0) + ((d * 7919) % 101) / 10.0 for d in days]
its_ref("daily", days, y, 74)
its_ref("daily seasonal 7", days, y, 74, 7)

# 3. before_after: cases(d) = 20 + (d·7919 mod 13) + 5·[d ≥ 74], d = 0..119,
#    day 5 without rows (counts as 0), policy day 74.  Reference: Poisson GLM of
#    the zero-filled daily counts on post — exp(coef) is the rate ratio and its
#    Wald se is sqrt(1/Σpre + 1/Σpost).
cases = np.array([0 if d == 5 else 20 + (d * 7919) % 13 + (5 if d >= 74 else 0) for d in range(120)], float)
post = (np.arange(120) >= 74).astype(float)
g = sm.GLM(cases, sm.add_constant(post), family=sm.families.Poisson()).fit()
ci = np.exp(g.conf_int()[1])
print(f"-- before_after: pre_mean={R(cases[:74].mean())} post_mean={R(cases[74:].mean())}")
print(f"   rate_ratio={R(np.exp(g.params[1]))} lo={R(ci[0])} hi={R(ci[1])} p={R(g.pvalues[1])}")

# 4. did: clusters g = 1..16 ('c' || g), treated g ≤ 8, rows i = 1..20,
#    post = i > 8 + g mod 3, rows with (31g + 17i) mod 11 = 0 dropped;
#    y = ((7919g + 104729i) mod 997)/100 + 0.7(g mod 5) + 1.5 post + 2 treated·post.
rows = []
for gg in range(1, 17):
    for i in range(1, 21):
        if (31 * gg + 17 * i) % 11 == 0:
            continue
        tr = gg <= 8
        po = i > 8 + gg % 3
        yy = ((7919 * gg + 104729 * i) % 997) / 100.0 + (gg % 5) * 0.7 + (1.5 if po else 0) + (2.0 if tr and po else 0)
        rows.append((yy, float(tr), float(po), gg))
a = np.array(rows)
X = np.column_stack([np.ones(len(a)), a[:, 1], a[:, 2], a[:, 1] * a[:, 2]])
r = sm.OLS(a[:, 0], X).fit(cov_type='cluster', cov_kwds={'groups': a[:, 3].astype(int)}, use_t=True)
G = 16; N = len(a); K = 4
ci = r.conf_int()[3]
print(f"-- did: n={N} clusters={G} att={R(r.params[3])} se={R(r.bse[3])} p={R(r.pvalues[3])} ci=({R(ci[0])}, {R(ci[1])})")
# statsmodels' cluster correction is CR1 = G/(G−1)·(N−1)/(N−K), t with G−1 df:
r0 = sm.OLS(a[:, 0], X).fit(cov_type='cluster', cov_kwds={'groups': a[:, 3].astype(int), 'use_correction': False}, use_t=True)
print(f"   check CR1 factor: {R(r.bse[3]**2 / r0.bse[3]**2)} vs {R(G/(G-1)*(N-1)/(N-K))}; t df {R(r.df_resid_inference) if hasattr(r,'df_resid_inference') else '?'}")
tt = r.params[3] / r.bse[3]
print(f"   p from t(G-1) = {R(2*stats.t.sf(abs(tt), G-1))}")

# 5. event_study: clusters g = 1..20, treated g ≤ 10, period k = −3..3,
#    replicates i = 1..4, rows with (7g + 3i + 5(k+3)) mod 9 = 0 dropped;
#    y = ((7919g + 104729(k+10) + 31337i) mod 997)/100 + 0.5(g mod 4) + 0.3k
#        + treated·[k ≥ 0]·(1 + 0.5k).  Reference period −1.
rows = []
for gg in range(1, 21):
    for k in range(-3, 4):
        for i in range(1, 5):
            if (7 * gg + 3 * i + 5 * (k + 3)) % 9 == 0:
                continue
            tr = gg <= 10
            yy = ((7919 * gg + 104729 * (k + 10) + 31337 * i) % 997) / 100.0 + (gg % 4) * 0.5 + 0.3 * k + ((1 + 0.5 * k) if (tr and k >= 0) else 0)
            rows.append((yy, float(tr), k, gg))
a = np.array(rows)
periods = [k for k in range(-3, 4) if k != -1]
cols = [np.ones(len(a)), a[:, 1]]
for k in periods:
    cols.append((a[:, 2] == k).astype(float))
for k in periods:
    cols.append(a[:, 1] * (a[:, 2] == k))
X = np.column_stack(cols)
r = sm.OLS(a[:, 0], X).fit(cov_type='cluster', cov_kwds={'groups': a[:, 3].astype(int)}, use_t=True)
print(f"-- event_study: n={len(a)} clusters=20 K={X.shape[1]}")
for j, k in enumerate(periods):
    c = 2 + len(periods) + j
    ci = r.conf_int()[c]
    print(f"   period {k}: est={R(r.params[c])} se={R(r.bse[c])} p={R(r.pvalues[c])} ci=({R(ci[0])}, {R(ci[1])})")

# 6. content_shift: categories a..g; pre and post counts below.
pre = [120, 80, 45, 30, 0, 15, 10]
pst = [100, 95, 20, 44, 12, 15, 1]
chi2, p, dof, _ = stats.chi2_contingency(np.array([pre, pst]), correction=False)
js = jensenshannon(np.array(pre) / sum(pre), np.array(pst) / sum(pst), base=2) ** 2
print(f"-- content_shift: categories=7 jsd={R(js)} chi2={R(chi2)} df={dof} p={R(p)}")

# 7. resilience: d = 0..99 from 2024-06-01; baseline d < 60:
#    cases = 90 + (7919d mod 21); storm 2024-07-31 (d 60) .. 2024-08-02 (d 62):
#    extra = [0, 210, 160, 90, 60, 40, 25, 15, 8, 4] for d = 60..69, day 63 (2024-08-03) without rows (0).
extra = [0, 210, 160, 90, 60, 40, 25, 15, 8, 4]
x = np.array([(90 + (7919 * d) % 21 + (extra[d - 60] if 60 <= d < 70 else 0)) if d != 63 else 0 for d in range(100)], float)
s = pd.Series(x)
base = x[:60].mean(); sd = x[:60].std(ddof=1)
ipk = 60 + int(np.argmax(x[60:]))
roll = s.rolling(7, min_periods=1).mean()
irec = next(i for i in range(ipk + 1, 100) if roll[i] <= base + sd)
excess = (x[60:irec + 1] - base).sum()
idx = 100 / ((1 + max(excess, 0) / (7 * base)) * (1 + (irec - ipk) / 7))
d0 = dt.date(2024, 6, 1)
print(f"-- resilience: baseline={R(base)} sd={R(sd)} peak={R(x[ipk])} peak_day={d0 + dt.timedelta(ipk)} "
      f"peak_ratio={R(x[ipk]/base)} days_to_peak={ipk-60} recovery_day={d0 + dt.timedelta(irec)} "
      f"days_to_recover={irec-ipk} excess={R(excess)} index={R(idx)}")

# 8. clusters that mix treated and control rows: the same did and event-study
#    data, clustered by 'k' || (g mod 5) (5 clusters).
rows = []
for gg in range(1, 17):
    for i in range(1, 21):
        if (31 * gg + 17 * i) % 11 == 0:
            continue
        tr = gg <= 8
        po = i > 8 + gg % 3
        yy = ((7919 * gg + 104729 * i) % 997) / 100.0 + (gg % 5) * 0.7 + (1.5 if po else 0) + (2.0 if tr and po else 0)
        rows.append((yy, float(tr), float(po), gg % 5))
a = np.array(rows)
X = np.column_stack([np.ones(len(a)), a[:, 1], a[:, 2], a[:, 1] * a[:, 2]])
r = sm.OLS(a[:, 0], X).fit(cov_type='cluster', cov_kwds={'groups': a[:, 3].astype(int)}, use_t=True)
ci = r.conf_int()[3]
print(f"-- did, 5 mixed clusters: att={R(r.params[3])} se={R(r.bse[3])} p={R(r.pvalues[3])} ci=({R(ci[0])}, {R(ci[1])})")
rows = []
for gg in range(1, 21):
    for k in range(-3, 4):
        for i in range(1, 5):
            if (7 * gg + 3 * i + 5 * (k + 3)) % 9 == 0:
                continue
            tr = gg <= 10
            yy = ((7919 * gg + 104729 * (k + 10) + 31337 * i) % 997) / 100.0 + (gg % 4) * 0.5 + 0.3 * k + ((1 + 0.5 * k) if (tr and k >= 0) else 0)
            rows.append((yy, float(tr), k, gg % 5))
a = np.array(rows)
cols = [np.ones(len(a)), a[:, 1]] + [(a[:, 2] == k).astype(float) for k in periods] + [a[:, 1] * (a[:, 2] == k) for k in periods]
r = sm.OLS(a[:, 0], np.column_stack(cols)).fit(cov_type='cluster', cov_kwds={'groups': a[:, 3].astype(int)}, use_t=True)
print("-- event_study, 5 mixed clusters:")
for j, k in enumerate(periods):
    c = 2 + len(periods) + j
    print(f"   period {k}: est={R(r.params[c])} se={R(r.bse[c])} p={R(r.pvalues[c])}")
