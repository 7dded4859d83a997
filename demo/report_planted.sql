-- demo/report_planted.sql — included by report.sql when :schema.planted exists:
-- the ground truth of minqing.generate_city (see the README, "planted"), one
-- row per unit, as (kind, unit_code, day_start, day_end, geom, note, category).
-- policy_control rows become kind 'policy' with note 'control'.
INSERT INTO truth (kind, unit_code, day_start, day_end, geom, note, category)
SELECT CASE WHEN p.kind = 'policy_control' THEN 'policy' ELSE p.kind END, u.code, p.start_date, p.end_date, p.geom,
       CASE p.kind WHEN 'policy' THEN 'treated' WHEN 'policy_control' THEN 'control' ELSE p.label END, p.category_code
FROM :"schema".planted p
LEFT JOIN LATERAL unnest(p.unit_codes) u(code) ON true;
