# Reference values for minqing.eb_rate and minqing.eb_rate_local
# (test/pgtap/density.sql).  Run once:  Rscript test/reference/density_eb.R
# R spdep (Debian r-cran-spdep): EBest (global Marshall, family "poisson")
# and EBlocal (local Marshall) with dnearneigh(0, 65) neighbours
# (include.self is applied inside EBlocal).  minqing follows Marshall (1991)
# and GeoDa: C_i = sum_j P_j (r_j - m_i)^2 over i's neighbourhood, which is
# EBlocal(geoda = TRUE); spdep's default (geoda = FALSE) uses each
# neighbour's own local mean m_j instead.  Both are printed.
suppressPackageStartupMessages(library(spdep))
k <- 1:30
events <- (k * 7) %% 13
population <- 100 + ((k * 37) %% 200) * 5
x <- ((k * 17) %% 31) * 10
y <- ((k * 23) %% 29) * 10
g <- EBest(events, population)
nb <- dnearneigh(cbind(x, y), 0, 65)
l <- EBlocal(events, population, nb, geoda = TRUE)
l0 <- EBlocal(events, population, nb)
options(digits = 17)
cat("-- global: a =", format(attr(g, "parameters")$a, digits = 17),
    " b =", format(attr(g, "parameters")$b, digits = 17), "\n")
cat("-- neighbours per point:", paste(card(nb), collapse = " "), "\n")
cat("-- k, EBest, EBlocal(geoda = TRUE), EBlocal(geoda = FALSE)\n")
cat(sprintf("(%d, %.17g, %.17g), -- %.17g\n", k, g$estmm, l$est, l0$est), sep = "")
