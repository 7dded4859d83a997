# Reference values for minqing.emerging_hotspot()'s Mann–Kendall trend test:
# R's cor.test(z, seq_along(z), method = "kendall", exact = FALSE,
# continuity = TRUE) (R 4.2.2), which is the Mann–Kendall test with the ties
# variance correction and the continuity correction.  Run once:
#   Rscript test/reference/warning_mannkendall.R
# The numbers (statistic = Mann–Kendall Z, p) are embedded in sql/warning.sql (tag h1).
series <- list(
  new          = c(0, 0.5, 1, 0.2, 0, 1, 0.3, 0.1, 0.2, 2.5),
  consecutive  = c(0, 0.5, 1, 0.2, 0, 1, 0.3, 0.1, 2, 2.5),
  intensifying = c(1.7, 1.8, 1.9, 2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6),
  persistent   = c(2, 2.5, 2, 2.5, 2, 2.5, 2, 2.5, 2, 2.5),
  diminishing  = c(3, 2.9, 2.8, 2.7, 2.6, 2.5, 2.4, 2.3, 2.2, 2.1),
  sporadic     = c(2, 0, 2, 0, 2, 0, 0, 0, 0, 2),
  oscillating  = c(-2, 0, 2, 0, 2, 0, 0, 0, 0, 2),
  historical   = c(2, 2, 2, 2, 2, 2, 2, 2, 2, 0))
for (nm in names(series)) {
  z <- series[[nm]]
  r <- suppressWarnings(cor.test(z, seq_along(z), method = "kendall", exact = FALSE, continuity = TRUE))
  cat(sprintf("('%s', %.12f, %.12f),\n", nm, r$statistic, r$p.value))
}
