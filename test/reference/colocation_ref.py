"""Reference for minqing.colocation (sql/layers.sql): the co-location quotient of
Leslie & Kronenfeld (2011) by brute force (every pair's distance, ties at the
nearest distance share the count).  Input: the clq_pts fixture of sql/layers.sql
written by  \\copy (SELECT id, ST_X(geom), ST_Y(geom), is_a, is_b FROM clq_pts ORDER BY id) TO 'clq.csv' CSV HEADER
Run: /usr/bin/python3 colocation_ref.py clq.csv"""
import csv, math, sys

rows = list(csv.DictReader(open(sys.argv[1])))
P = [(float(r['st_x']), float(r['st_y']), r['is_a'] == 't', r['is_b'] == 't') for r in rows]
N = len(P)


def clq(ai, bi):
    num = den = 0.0
    local = []
    nb = sum(1 for p in P if p[bi])
    for i, p in enumerate(P):
        if not p[ai]:
            continue
        d = [(math.hypot(q[0] - p[0], q[1] - p[1]), j) for j, q in enumerate(P) if j != i]
        m = min(x for x, _ in d)
        tie = [j for x, j in d if x == m]
        f = sum(1 for j in tie if P[j][bi]) / len(tie)
        share = (nb - (1 if p[bi] else 0)) / (N - 1)
        num += f
        den += share
        local.append(f / share)
    return num / den, sum(local) / len(local)


for name, a, b in (('A->B', 2, 3), ('B->A', 3, 2), ('A->A', 2, 2)):
    c, l = clq(a, b)
    print(f"{name}: clq {c!r} mean local {l!r}")
