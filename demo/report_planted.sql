-- placeholder adapter (dev)
INSERT INTO truth
SELECT CASE WHEN kind LIKE 'policy%' THEN 'policy' ELSE kind END, unit_code, start_date, end_date, geom,
       CASE kind WHEN 'policy_treated' THEN 'treated' WHEN 'policy_control' THEN 'control' ELSE note END
FROM :"schema".planted;
