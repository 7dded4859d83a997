#!/usr/bin/python3
# Reference values for minqing.t_p2 / t_quantile / chi2_sf (test/pgtap/policy.sql).
# Run once with Debian's python3-scipy:  /usr/bin/python3 test/reference/policy_dist.py
from scipy import stats
for t, df in [(2.0, 5), (0.1, 1), (-3.5, 2.5), (10.0, 30), (1.96, 1000), (40.0, 3), (0.0, 7)]:
    print(f"t_p2({t}, {df}) = {repr(2 * stats.t.sf(abs(t), df))}")
for p, df in [(0.975, 1), (0.975, 9), (0.975, 29), (0.995, 3.5), (0.025, 4), (0.9999, 2)]:
    print(f"t_quantile({p}, {df}) = {repr(stats.t.ppf(p, df))}")
for x, df in [(3.84, 1), (100, 50), (0.5, 3), (12.0, 4), (250.0, 9), (1e-3, 1), (30.0, 30)]:
    print(f"chi2_sf({x}, {df}) = {repr(stats.chi2.sf(x, df))}")
# scipy's t.ppf is only good to ~1e-11 relative; the quantiles are also checked
# against mpmath at 40 digits (minqing's bisection agrees with mpmath to 1e-15).
import mpmath as mp
mp.mp.dps = 40
def p2(t, df):
    x = mp.mpf(df) / (df + mp.mpf(t) ** 2)
    return mp.betainc(mp.mpf(df) / 2, mp.mpf(1) / 2, 0, x, regularized=True)
for p, df in [(0.975, 1), (0.975, 9), (0.975, 29), (0.995, 3.5), (0.9999, 2)]:
    t = mp.findroot(lambda t: p2(t, df) - 2 * (1 - mp.mpf(p)), stats.t.ppf(p, df))
    print(f"t_quantile({p}, {df}) mpmath = {mp.nstr(t, 17)}")
