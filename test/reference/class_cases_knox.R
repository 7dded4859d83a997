# Reference for minqing.knox (test/pgtap/class_cases.sql).
#   Rscript test/reference/class_cases_knox.R
# R 4.2.2, surveillance 1.20.3 (Debian r-cran-surveillance).  A fixture of
# 150 points (meters, seconds): 120 uniform over 3 km x 3 km and 90 days,
# plus 10 triples close in space and time; set.seed(1202).  eps = 300 m,
# eps_time = 7 days; no pair within 5 cm or 60 s of either threshold.
# Prints the VALUES rows and surveillance::knox's statistic X, null value E
# and its Poisson p (P(X' > X), lower.tail = FALSE); the SPEC's p is
# P(Poisson(E) >= X) = ppois(X - 1, E, lower.tail = FALSE), printed too.
suppressMessages(library(surveillance))
set.seed(1202)
n0 <- 120
x <- runif(n0, 0, 3000); y <- runif(n0, 0, 3000); t <- runif(n0, 0, 90 * 86400)
for (k in 1:10) {
  cx <- runif(1, 0, 3000); cy <- runif(1, 0, 3000); ct <- runif(1, 0, 90 * 86400)
  x <- c(x, cx + rnorm(3, 0, 60)); y <- c(y, cy + rnorm(3, 0, 60)); t <- c(t, ct + runif(3, 0, 3 * 86400))
}
x <- round(x, 2); y <- round(y, 2); t <- round(t)
ds <- dist(cbind(x, y)); dt <- dist(t)
stopifnot(all(abs(ds - 300) > 0.05), all(abs(dt - 7 * 86400) > 60))
k <- knox(dt = dt, ds = ds, eps.t = 7 * 86400, eps.s = 300, simulate.p.value = FALSE)
X <- unname(k$statistic); E <- unname(k$null.value)
cat("-- close_space", sum(ds <= 300), "close_time", sum(dt <= 7 * 86400), "\n")
cat(sprintf("-- X = %d, E = %.12f, p(>X) = %.12g, p(>=X) = %.12g\n", X, E,
            ppois(X, E, lower.tail = FALSE), ppois(X - 1, E, lower.tail = FALSE)))
cat("INSERT INTO kx_ref VALUES\n")
cat(paste(sprintf("\t(%d, %.2f, %.2f, %d)", seq_along(x), x, y, t), collapse = ",\n"), ";\n", sep = "")
