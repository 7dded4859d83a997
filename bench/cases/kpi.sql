-- make bench cases for kpi() (see bench/run.sh for the format)
-- bench: kpi(responded, resolved, satisfied)
-- minqing: SELECT minqing.kpi(responded, resolved, satisfied) FROM :tbl
-- dba: SELECT count(*) AS orders, (count(*) FILTER (WHERE responded))::float8 / nullif(count(responded), 0) AS response_rate, (count(*) FILTER (WHERE resolved))::float8 / nullif(count(resolved), 0) AS resolution_rate, (count(*) FILTER (WHERE satisfied))::float8 / nullif(count(satisfied), 0) AS satisfaction_rate FROM :tbl

-- bench: kpi by community
-- minqing: SELECT unit_code, minqing.kpi(responded, resolved, satisfied) FROM :tbl GROUP BY unit_code
-- dba: SELECT unit_code, count(*) AS orders, (count(*) FILTER (WHERE responded))::float8 / nullif(count(responded), 0) AS response_rate, (count(*) FILTER (WHERE resolved))::float8 / nullif(count(resolved), 0) AS resolution_rate, (count(*) FILTER (WHERE satisfied))::float8 / nullif(count(satisfied), 0) AS satisfaction_rate FROM :tbl GROUP BY unit_code
