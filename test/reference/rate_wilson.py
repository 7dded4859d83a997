#!/usr/bin/python3
"""Reference Wilson score intervals for test/pgtap/rate.sql.

Computed once with statsmodels (Debian python3-statsmodels):
    statsmodels.stats.proportion.proportion_confint(k, n, alpha=1-confidence, method='wilson')
Run:  /usr/bin/python3 test/reference/rate_wilson.py
and paste the VALUES rows into the test.
"""
import statsmodels
from statsmodels.stats.proportion import proportion_confint

cases = [(0, 1, .95), (1, 1, .95), (0, 10, .95), (3, 10, .95), (10, 10, .95), (7, 23, .90),
         (512, 1000, .95), (512, 1000, .99), (1, 100000, .95), (99999, 100000, .95),
         (45, 60, .80), (2, 3, .999), (123456, 654321, .95), (5, 5000, .50)]
print("-- statsmodels", statsmodels.__version__)
for k, n, c in cases:
    lo, hi = proportion_confint(k, n, alpha=1 - c, method="wilson")
    print(f"({k}, {n}, {c}, {lo!r}, {hi!r}),")
