-- make bench cases for rate() (see bench/run.sh for the format)
-- bench: rate(satisfied)
-- minqing: SELECT minqing.rate(satisfied) FROM :tbl
-- dba: SELECT count(satisfied) AS n, count(*) FILTER (WHERE satisfied) AS k, (count(*) FILTER (WHERE satisfied))::float8 / nullif(count(satisfied), 0) AS p FROM :tbl

-- bench: rate(satisfied) by community
-- minqing: SELECT unit_code, minqing.rate(satisfied) FROM :tbl GROUP BY unit_code
-- dba: SELECT unit_code, count(satisfied) AS n, count(*) FILTER (WHERE satisfied) AS k, (count(*) FILTER (WHERE satisfied))::float8 / nullif(count(satisfied), 0) AS p FROM :tbl GROUP BY unit_code
