# Reference values for minqing.ears(): R package surveillance (Debian
# r-cran-surveillance 1.20.3), earsC() with its defaults except the method.
# Run once:  Rscript test/reference/warning_ears.R
# The numbers are embedded in sql/warning.sql and test/pgtap/warning.sql.
suppressMessages(library(surveillance))
x <- c(5, 7, 6, 4, 8, 6, 5, 7, 6, 9, 5, 6, 7, 4, 6, 8, 7, 5, 6, 7,
       9, 14, 19, 25, 11, 8, 6, 7, 5, 6, 3, 6, 12, 6, 5, 7, 22, 6, 7, 5)
s <- sts(observed = matrix(x, ncol = 1), start = c(2024, 1), frequency = 365)
for (m in c("C1", "C2", "C3")) {
  r <- earsC(s, control = list(method = m))
  n <- length(x); k <- nrow(r@observed)
  cat(sprintf("-- %s: %d results, first at row %d\n", m, k, n - k + 1))
  cat(sprintf("('%s', %d, %.12f, %s),\n", m, (n - k + 1):n, r@upperbound[, 1],
              ifelse(r@alarm[, 1], "true", "false")), sep = "")
}
