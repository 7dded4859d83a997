#!/usr/bin/python3
"""Reference for minqing.repeat_flag on the generated city (pgTAP class_cases).

    psql -XAt -c "\\copy (SELECT id, caller_id, category_code,
        (extract(epoch FROM created_at) * 1000000)::bigint, resolved
        FROM city.work_order) TO STDOUT CSV" | /usr/bin/python3 test/reference/class_cases_repeat.py

city = minqing.generate_city('city', 20000, 42).  Debian python3-pandas.
For each order, with the caller's orders of the same category (NULL callers
are never repeats — the caller-aware repeat_flag):
  is_repeat       an earlier one at t' in (t - 30 days, t), strictly earlier
  followed        a later one at t' in (t, t + 30 days]
  prior_gap_days  (t - latest earlier t') / 86400 s when is_repeat
Prints counts, first-contact resolution (share of non-repeat orders not
followed), false resolutions (resolved orders that are followed) and the md5
of "id:is_repeat:followed:gap" (gap rounded to 6 decimals, 't'/'f' flags)
over all orders by id, joined with ','.
"""
import hashlib
import sys

import numpy as np
import pandas as pd

W = 30 * 86400 * 1000000
df = pd.read_csv(sys.stdin, header=None, names=["id", "caller", "cat", "t", "resolved"],
                 dtype={"caller": object, "cat": object})
df["is_repeat"] = False
df["followed"] = False
df["gap"] = np.nan
known = df[df.caller.notna() & df.cat.notna()].sort_values(["caller", "cat", "t", "id"])
for _, g in known.groupby(["caller", "cat"], sort=False):
    if len(g) < 2:
        continue
    ts = g.t.to_numpy()
    # latest strictly earlier / earliest strictly later time in the group
    lo = np.searchsorted(ts, ts, side="left")   # first index with t' >= t
    hi = np.searchsorted(ts, ts, side="right")  # first index with t' > t
    prev = np.where(lo > 0, ts[np.maximum(lo - 1, 0)], np.iinfo(np.int64).min)
    nxt = np.where(hi < len(ts), ts[np.minimum(hi, len(ts) - 1)], np.iinfo(np.int64).max)
    rep = (lo > 0) & (prev > ts - W)
    fol = (hi < len(ts)) & (nxt <= ts + W)
    df.loc[g.index, "is_repeat"] = rep
    df.loc[g.index, "followed"] = fol
    df.loc[g.index, "gap"] = np.where(rep, (ts - prev) / 86400e6, np.nan)

df = df.sort_values("id")
first = df[~df.is_repeat]
res = df[df.resolved == "t"]
print("orders", len(df), "repeats", int(df.is_repeat.sum()), "followed", int(df.followed.sum()))
print("fcr %d/%d" % (int((~first.followed).sum()), len(first)))
print("false_resolution %d/%d" % (int(res.followed.sum()), len(res)))
print("gap_sum %.6f" % df.gap.sum())
s = ",".join("%d:%s:%s:%s" % (i, "t" if r else "f", "t" if f else "f", "" if np.isnan(g) else "%.6f" % g)
             for i, r, f, g in zip(df.id, df.is_repeat, df.followed, df.gap))
print("md5", hashlib.md5(s.encode()).hexdigest())
