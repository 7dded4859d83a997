"""Reference for minqing.season_forecast's seasonal-naive branch (sql/season.sql s12):
the first 18 months of the 'monthly' series (season_series.py), 4 months ahead,
confidence 0.9: mu = y[same month a year earlier] * r, r = clamp((a+1)/(b+1), 0.5, 2)
with a, b the last 3 months and the same 3 months a year earlier; interval
mu -/+ z sqrt(phi mu) (lower bound clipped at 0), phi = max(1, mean over the last
n-12 months of (y_t - r y_{t-12})^2 / (r y_{t-12} + 1)), z = scipy.stats.norm.ppf(0.95).
Run: /usr/bin/python3 season_forecast.py"""
import numpy as np
from scipy.stats import norm
from season_series import series

y = series()['monthly'][:18]
n, f = len(y), 12
a, b = y[n - 3:].sum(), y[n - 3 - f:n - f].sum()
r = min(2.0, max(0.5, (a + 1) / (b + 1)))
phi = max(1.0, np.mean([(y[i] - r * y[i - f]) ** 2 / (r * y[i - f] + 1) for i in range(f, n)]))
z = norm.ppf(0.95)
for k in range(1, 5):
    mu = y[n - f + (k - 1) % f] * r
    h = z * np.sqrt(phi * mu)
    print(f"({k}, {mu!r}, {max(0.0, mu - h)!r}, {mu + h!r}),")
