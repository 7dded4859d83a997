# Reference values for minqing.index_estimates (test/pgtap/index.sql).
# Run once: Rscript test/reference/index_eb.R   (R spdep 1.2)
# Component 1 (complaints per resident): Marshall's global EB = spdep::EBest(family = "poisson").
# Components 2..5 (rates): Martuzzi & Elliott = spdep::EBest(family = "binomial").
suppressMessages(library(spdep))
pop <- c(5000, 12000, 800, 3000, 20000, 150, 7000, 9500)
cnt <- c(120, 210, 40, 45, 520, 1, 260, 190)           # tier-weighted orders
n   <- c(100, 180, 30, 40, 400, 3, 200, 150)            # satisfied_n
k   <- c(80, 150, 18, 36, 300, 3, 120, 135)             # satisfied_k
options(digits = 15)
p <- EBest(cnt, pop, family = "poisson")
print(attr(p, "parameters"))
cat("poisson estmm:", sprintf("%.12f", p$estmm), "\n")
b <- EBest(k, n, family = "binomial")
print(attr(b, "parameters"))
cat("binomial estmm:", sprintf("%.12f", b$estmm), "\n")
