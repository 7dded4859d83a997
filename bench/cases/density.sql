-- make bench cases for kde() and kde_bandwidth() (see bench/run.sh for the format).
-- The "dba" query is the cheapest density map a DBA writes by hand: a count per
-- 0.001-degree bin (a histogram, no kernel); bench/density.sh adds the
-- ST_SquareGrid + join version and an SQL kernel sum.
-- bench: kde(geom, 100 m, 500 m)
-- minqing: SELECT (minqing.grid_info(minqing.kde(geom, 100, 500))).cells FROM :tbl
-- dba: SELECT count(*) FROM (SELECT floor(ST_X(geom) / 0.001), floor(ST_Y(geom) / 0.001), count(*) FROM :tbl GROUP BY 1, 2) s

-- bench: kde(geom, 100 m, 800 m)
-- minqing: SELECT (minqing.grid_info(minqing.kde(geom, 100, 800))).cells FROM :tbl
-- dba: SELECT count(*) FROM (SELECT floor(ST_X(geom) / 0.001), floor(ST_Y(geom) / 0.001), count(*) FROM :tbl GROUP BY 1, 2) s

-- bench: kde(geom, 250 m, 1000 m) by category
-- minqing: SELECT category_code, (minqing.grid_info(minqing.kde(geom, 250, 1000))).cells FROM :tbl GROUP BY category_code
-- dba: SELECT category_code, count(*) FROM (SELECT category_code, floor(ST_X(geom) / 0.0025), floor(ST_Y(geom) / 0.0025), count(*) FROM :tbl GROUP BY 1, 2, 3) s GROUP BY 1

-- bench: kde_bandwidth(geom)
-- max_size: 2000000
-- minqing: SELECT minqing.kde_bandwidth(geom) FROM :tbl
