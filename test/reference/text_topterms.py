#!/usr/bin/python3
"""Reference values of minqing.top_terms (test/pgtap/text.sql): Dunning's G²
of the 2x2 table [[a, b], [A - a, B - b]] from
scipy.stats.chi2_contingency(..., lambda_="log-likelihood", correction=False),
its p-value, and log_ratio = log2((a / A) / (max(b, 0.5) / B)).
Run: /usr/bin/python3 test/reference/text_topterms.py
"""
import math
from scipy.stats import chi2_contingency

target = {"飞线充电": 40, "楼道充电": 25, "电动车": 30, "物业": 20, "噪音": 5, "积水": 1, "投诉": 60}
reference = {"飞线充电": 10, "楼道充电": 2, "电动车": 80, "物业": 200, "噪音": 150, "积水": 90, "投诉": 900,
             "停电": 40}
A = sum(target.values())
B = sum(reference.values())
rows = []
for t, a in target.items():
    b = reference.get(t, 0)
    if a / A <= b / B:
        continue
    g2, p, dof, _ = chi2_contingency([[a, b], [A - a, B - b]], lambda_="log-likelihood", correction=False)
    rows.append((g2, t, a, b, p, math.log2((a / A) / (max(b, 0.5) / B))))
rows.sort(key=lambda r: (-r[0], r[1]))
for g2, t, a, b, p, lr in rows:
    print("('%s', %d, %d, %.12g, %.12g, %.12g)," % (t, a, b, g2, p, lr))
