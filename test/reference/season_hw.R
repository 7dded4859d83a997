# Reference values for minqing.holt_winters / holt_winters_fit (sql/season.sql):
# R stats::HoltWinters(ts(y, frequency = period), alpha, beta, gamma) and
# predict(fit, h, prediction.interval = TRUE, level).  The series are those of
# season_series.py, written one value per line to /tmp/series_<name>.txt by
#   /usr/bin/python3 -c "from season_series import series; ..." (see sql/season.sql)
# Run: Rscript season_hw.R
fmt <- function(v) paste0("'{", paste(sprintf("%.17g", v), collapse = ","), "}'::float8[]")
cases <- list(
  list("daily", 7, 0.3, 0.1, 0.2, 10, 0.95),
  list("daily", 7, 0.8, 0, 0.5, 3, 0.8),
  list("monthly", 12, 0.5, 0.2, 0.7, 14, 0.95),
  list("weekly", 52, 0.1, 0.05, 0.3, 5, 0.9),
  list("odd", 5, 1, 0.3, 0, 6, 0.95))
rows <- c()
for (cs in cases) {
  y <- scan(paste0("/tmp/series_", cs[[1]], ".txt"), quiet = TRUE)
  fit <- HoltWinters(ts(y, frequency = cs[[2]]), alpha = cs[[3]], beta = cs[[4]], gamma = cs[[5]])
  p <- predict(fit, cs[[6]], prediction.interval = TRUE, level = cs[[7]])
  rows <- c(rows, sprintf("('%s', %d, %s, %s, %s, %d, %s, %s, %s, %s, %.17g, %.17g, %.17g)",
    cs[[1]], cs[[2]], cs[[3]], cs[[4]], cs[[5]], cs[[6]], cs[[7]],
    fmt(p[, "fit"]), fmt(p[, "lwr"]), fmt(p[, "upr"]), fit$SSE, fit$coefficients[1], fit$coefficients[2]))
}
cat("INSERT INTO hw_ref VALUES\n", paste(rows, collapse = ",\n"), ";\n", sep = "")
# fitted parameters (optim L-BFGS-B from 0.3/0.1/0.1): minqing must reach an SSE no higher
rows <- c()
for (nm in c("daily", "monthly", "odd")) {
  per <- c(daily = 7, monthly = 12, odd = 5)[[nm]]
  y <- scan(paste0("/tmp/series_", nm, ".txt"), quiet = TRUE)
  fit <- HoltWinters(ts(y, frequency = per))
  rows <- c(rows, sprintf("('%s', %d, %.17g, %.17g, %.17g, %.17g)", nm, per, fit$alpha, fit$beta, fit$gamma, fit$SSE))
}
cat("INSERT INTO hw_fit_ref VALUES\n", paste(rows, collapse = ",\n"), ";\n", sep = "")
