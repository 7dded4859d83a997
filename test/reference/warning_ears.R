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
# Edge case (x5 in sql/warning.sql): a constant baseline (sd = 0).
# C2 upperbound 3 3 3 3 with alarm 0 0 1 0 on rows 10..13; C3 NaN / NA on
# rows 12..13 (0/0 in the C2 statistic), which minqing returns as NULL.
x <- c(rep(3, 11), 5, 3)
s <- sts(observed = matrix(x, ncol = 1))
for (m in c("C2", "C3")) {
  r <- earsC(s, control = list(method = m))
  print(cbind(upperbound = r@upperbound[, 1], alarm = r@alarm[, 1]))
}
