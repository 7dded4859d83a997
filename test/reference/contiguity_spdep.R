# Reference values for the contiguity forms and moran() (sql/contiguity.sql):
# R 4.2, spdep 1.2-7, sf.  The fixture is the contig_units table of
# sql/contiguity.sql, written as CSV (id, value, WKT) by
#   psql -f <the fixture part of sql/contiguity.sql> \
#        -c "\copy (SELECT id, value, ST_AsText(geom) FROM contig_units ORDER BY id) TO 'fix.csv' CSV HEADER"
# Run: Rscript contiguity_spdep.R fix.csv   (prints the SQL VALUES embedded in the test)
suppressMessages({library(spdep); library(sf)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
g <- st_as_sfc(d$st_astext)
x <- d$value
f <- function(v) ifelse(is.na(v), "NULL", sprintf("%.17g", v))
for (q in c(TRUE, FALSE)) {
  kind <- if (q) "queen" else "rook"
  nb <- poly2nb(g, queen = q)
  lw <- nb2listw(nb, style = "W", zero.policy = TRUE)
  mt <- moran.test(x, lw, randomisation = TRUE, zero.policy = TRUE)
  cat(sprintf("-- moran %s: I E Var z p\n('%s', %s, %s, %s, %s, %s),\n", kind, kind, f(mt$estimate[1]),
      f(mt$estimate[2]), f(mt$estimate[3]), f(mt$statistic), f(mt$p.value)))
  G <- as.numeric(localG(x, nb2listw(include.self(nb), style = "B"), zero.policy = TRUE))
  lm <- localmoran(x, lw, zero.policy = TRUE)
  isl <- card(nb) == 0
  G[isl] <- NA            # minqing: NULL for a unit without neighbours
  rows <- sprintf("('%s', %d, %s, %s, %s, %s)", kind, d$id, f(G), f(ifelse(isl, NA, lm[, 1])),
                  f(ifelse(isl, NA, lm[, 4])), f(ifelse(isl, NA, lm[, 5])))
  cat(paste(rows, collapse = ",\n"), ",\n", sep = "")
}
# distance-band moran() on the units' centroids (sf st_centroid, planar), dnearneigh(0, d)
cc <- st_coordinates(st_centroid(g))
for (dd in c(150, 250)) {
  nb <- dnearneigh(cc, 0, dd)
  mt <- moran.test(x, nb2listw(nb, style = "W", zero.policy = TRUE), randomisation = TRUE, zero.policy = TRUE)
  cat(sprintf("-- moran distance %g\n(%g, %s, %s, %s, %s, %s),\n", dd, dd, f(mt$estimate[1]), f(mt$estimate[2]),
      f(mt$estimate[3]), f(mt$statistic), f(mt$p.value)))
}
