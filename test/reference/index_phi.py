# Reference values of minqing.index_phi (test/pgtap/index.sql): scipy.stats.norm.cdf.
# Run once: /usr/bin/python3 test/reference/index_phi.py
from scipy.stats import norm
for z in (-6.0, -2.0, -0.5, 0.0, 1.0, 3.0):
    print(z, repr(float(norm.cdf(z))))
