"""Reference values for minqing.stl and minqing.seasonal_profile (sql/season.sql):
statsmodels 0.13.5 (Debian bookworm python3-statsmodels) STL(y, period=period,
seasonal=seasonal, robust=robust).fit(), its defaults otherwise.
Run: cd test/reference && /usr/bin/python3 season_stl.py  (prints the INSERTs
pasted into sql/season.sql)."""
import numpy as np
from statsmodels.tsa.seasonal import STL
from season_series import series, sql_array

S = series()
print("INSERT INTO season_series VALUES")
print(",\n".join(f"('{k}', {sql_array(v)})" for k, v in S.items()) + ";")
cases = [('daily', 7, 7, False), ('daily', 7, 11, True), ('monthly', 12, 7, False),
         ('monthly', 12, 7, True), ('weekly', 52, 7, False), ('odd', 5, 3, True)]
rows, prof = [], []
for name, period, seasonal, robust in cases:
    r = STL(S[name], period=period, seasonal=seasonal, robust=robust).fit()
    rows.append(f"('{name}', {period}, {seasonal}, {str(robust).lower()},\n  {sql_array(r.trend)},\n  {sql_array(r.seasonal)})")
    if not robust:
        ph = np.array([r.seasonal[p::period].mean() for p in range(period)])
        strength = max(0.0, 1 - np.var(r.resid) / np.var(r.seasonal + r.resid))
        prof.append(f"('{name}', {period}, {seasonal}, {strength!r}, {ph.max() - ph.min()!r}, "
                    f"{int(ph.argmax()) + 1}, {int(ph.argmin()) + 1})")
print("INSERT INTO stl_ref VALUES\n" + ",\n".join(rows) + ";")
print("INSERT INTO profile_ref VALUES\n" + ",\n".join(prof) + ";")
