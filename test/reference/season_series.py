"""Test series for stl / holt_winters / seasonal_profile (test/reference/season_*.{py,R}).
Deterministic: numpy RandomState(2026).  Printed as SQL float8[] literals by the
reference scripts; the values are embedded in sql/season.sql."""
import numpy as np

def series():
    rs = np.random.RandomState(2026)
    out = {}
    # daily counts with a weekly cycle and a slow trend (12 weeks)
    t = np.arange(84)
    out['daily'] = (20 + 0.05 * t + np.array([6, 4, 3, 3, 2, -8, -10])[t % 7] + rs.poisson(3, 84)).astype(float)
    # monthly complaints with a winter peak (heating) over 4 years, an outlier
    t = np.arange(48)
    m = 40 + 0.4 * t + 25 * np.cos(2 * np.pi * (t - 11) / 12) + rs.normal(0, 3, 48)
    m[30] += 60
    out['monthly'] = np.round(m, 1)
    # zero-heavy weekly counts, period 52, 3 years
    t = np.arange(156)
    lam = 0.6 + 0.5 * np.sin(2 * np.pi * t / 52)
    out['weekly'] = rs.poisson(lam).astype(float)
    # short odd period with a jump, 5 cycles of 5
    t = np.arange(25)
    out['odd'] = (10 + np.array([3, -1, 0, -2, 0])[t % 5] + (t >= 13) * 7 + rs.normal(0, 0.5, 25)).round(2)
    return out

def sql_array(a):
    return "'{" + ",".join(repr(float(x)) for x in a) + "}'::float8[]"
