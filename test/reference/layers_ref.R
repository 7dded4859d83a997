# Reference values for poisson_rate, area_excess, p_adjust_bh and
# location_quotient (sql/layers.sql): R 4.2 stats::poisson.test, p.adjust, and
# the Moineddin et al. (2003) interval written out in R.  Run: Rscript layers_ref.R
f <- function(v) sprintf("%.17g", v)
# poisson.test(x, T)$conf.int is the rate interval (events / T)
for (x in c(0, 1, 7, 123)) { ci <- poisson.test(x, 2.5, conf.level = 0.9)$conf.int; cat(sprintf("conf 0.9 (%g, %s, %s),\n", x, f(ci[1]), f(ci[2]))) }
for (x in c(0, 1, 7, 123)) { ci <- poisson.test(x, 2.5)$conf.int; cat(sprintf("conf 0.95 (%g, %s, %s),\n", x, f(ci[1]), f(ci[2]))) }
pt <- poisson.test(12, 2, alternative = "greater"); ci <- poisson.test(12, 2)$conf.int
# expected = 400 * 0.5 / 100 = 2: the ratio interval is poisson.test(12, 2)$conf.int
cat("area_excess(12, 0.5, 400, 100): p", f(pt$p.value), "ratio ci", f(ci[1]), f(ci[2]), "\n")
cat("p.adjust BH:", f(p.adjust(c(0.01, 0.04, 0.03, 0.2, 0.001, 0.5), "BH")), "\n")
lq <- (30 / 200) / (400 / 10000); se <- sqrt(1 / 30 - 1 / 200 + 1 / 400 - 1 / 10000)
cat("LQ:", f(c(lq, exp(log(lq) + c(-1, 1) * qnorm(0.975) * se), 2 * pnorm(-abs(log(lq) / se)))), "\n")
