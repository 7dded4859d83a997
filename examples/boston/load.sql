-- examples/boston/load.sql — Boston 311 requests of 2015 mapped onto minqing's
-- canonical work-order columns, with neighbourhoods and census tracts as
-- admin units.  Run by examples/boston/load.sh, which first copies the raw
-- files into :schema.raw, .geojson, .pop_neigh and .pop_tract.
-- Choices (documented in the README, section "A real city: Boston 311"):
--  * rows on the city's default geocode 42.3594,-71.0587 (City Hall, 14% of
--    rows) are "location unknown": geom NULL and unit_code NULL;
--  * unit codes are synthesized 12-digit codes: 25 (Massachusetts) 02 (Boston)
--    NN (neighbourhood, alphabetical 01..23, level 3) TTT (census tract in that
--    neighbourhood ordered by GEOID, level 4) 000;
--  * population: 2010 census (YEAR = 2010) male + female, per neighbourhood and
--    per 2020 tract; the city is their sum;
--  * responded = ontime_status ('ONTIME' true, 'OVERDUE' false, blank NULL):
--    Boston 311 has no first-response time, the SLA status is the closest;
--    resolved = case_status = 'Closed'; satisfied NULL (no survey exists);
--  * category_code: Boston's 'reason' mapped to minqing's taxonomy (table
--    boston.reason_map below), the rest 'government_service';
--  * created_at / closed_at: local Boston time (America/New_York).
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
SET search_path = :"schema", public;

CREATE TABLE neighbourhood AS
SELECT f -> 'properties' ->> 'GEOID' AS name,
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON((f -> 'geometry')::text), 4326))::geometry(MultiPolygon, 4326) AS geom
FROM geojson, jsonb_array_elements(doc::jsonb -> 'features') f WHERE geojson.name = 'neighbourhoods';
CREATE TABLE tract AS
SELECT f -> 'properties' ->> 'geoid20' AS geoid,
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON((f -> 'geometry')::text), 4326))::geometry(MultiPolygon, 4326) AS geom
FROM geojson, jsonb_array_elements(doc::jsonb -> 'features') f WHERE geojson.name = 'tracts';

-- synthesized codes: neighbourhoods alphabetically, tracts by GEOID within
-- the neighbourhood that holds a point on their surface
CREATE TABLE neighbourhood_code AS
SELECT name, format('2502%s000000', lpad(row_number() OVER (ORDER BY name)::text, 2, '0')) AS code
FROM neighbourhood;
CREATE TABLE tract_code AS
SELECT t.geoid, nc.name AS neighbourhood,
       format('%s%s000', left(nc.code, 6), lpad(row_number() OVER (PARTITION BY nc.code ORDER BY t.geoid)::text, 3, '0')) AS code
FROM tract t
CROSS JOIN LATERAL (SELECT n.name FROM neighbourhood n
                    ORDER BY ST_Area(ST_Intersection(n.geom, t.geom)) DESC LIMIT 1) n
JOIN neighbourhood_code nc ON nc.name = n.name;

CREATE TABLE admin_unit (LIKE minqing.admin_unit INCLUDING ALL);
INSERT INTO admin_unit (code, name, level, parent_code, population, geom)
SELECT nc.code, n.name, 3, '250200000000', p.male::float8 + coalesce(p.female::float8, 0), n.geom
FROM neighbourhood n JOIN neighbourhood_code nc USING (name)
LEFT JOIN pop_neigh p ON p.name = n.name AND p.year = '2010';
INSERT INTO admin_unit (code, name, level, parent_code, population, geom)
SELECT tc.code, 'Tract ' || t.geoid || ' (' || tc.neighbourhood || ')', 4, left(tc.code, 6) || '000000',
       nullif(coalesce(p.male::float8, 0) + coalesce(p.female::float8, 0), 0), t.geom
FROM tract t JOIN tract_code tc USING (geoid)
LEFT JOIN pop_tract p ON p.geoid = t.geoid AND p.year = '2010';
INSERT INTO admin_unit (code, name, level, parent_code, population, geom)
SELECT '250200000000', 'Boston', 2, '250000000000', sum(population), ST_Multi(ST_Union(geom))
FROM admin_unit WHERE level = 3;

-- Boston's 'reason' onto minqing's taxonomy
CREATE TABLE reason_map (reason text PRIMARY KEY, category_code text);
INSERT INTO reason_map VALUES
	('Highway Maintenance', 'road_maintenance'), ('Signs & Signals', 'traffic_order'),
	('Building', 'illegal_construction'), ('Street Lights', 'road_maintenance'), ('Street Cleaning', 'garbage'),
	('Housing', 'housing_repair'), ('Recycling', 'garbage'), ('Sanitation', 'garbage'), ('Trees', 'greening'),
	('Graffiti', 'public_order'), ('Park Maintenance & Safety', 'greening'), ('Environmental Services', 'garbage'),
	('Animal Issues', 'pets'), ('Enforcement & Abandoned Vehicles', 'parking'), ('Health', 'food_safety'),
	('Operations', 'traffic_order'), ('Needle Program', 'public_order'), ('Traffic Management & Engineering', 'traffic_order'),
	('Fire Department', 'fire_safety'), ('Abandoned Bicycle', 'parking'), ('Catchbasin', 'drainage'),
	('Code Enforcement', 'illegal_construction'), ('MBTA', 'public_transit'), ('Fire Hydrant', 'water_supply'),
	('Water Issues', 'water_supply'), ('Pothole', 'road_maintenance'), ('Generic Noise Disturbance', 'noise'),
	('Noise Disturbance', 'noise'), ('Air Pollution Control', 'air_pollution'), ('Parking Complaints', 'parking'),
	('Office of The Parking Clerk', 'parking'), ('Valet', 'parking'), ('Boston Bikes', 'traffic_order'),
	('Consumer Affairs Issues', 'consumer_rights'), ('Weights and Measures', 'consumer_rights'), ('Billing', 'water_supply'),
	('Cemetery', 'greening'), ('Bridge Maintenance', 'road_maintenance'), ('Massport', 'public_transit');

\echo [boston] mapping to the canonical columns
CREATE TABLE work_order (
	id bigint PRIMARY KEY, created_at timestamptz NOT NULL, category_code text, unit_code text,
	geom geometry(Point, 4326), responded boolean, resolved boolean, satisfied boolean, closed_at timestamptz,
	caller_id text, department text, channel text,
	-- Boston's own fields, kept for reference
	type text, reason text, neighborhood_311 text, closure_reason text);
INSERT INTO work_order
SELECT r.case_enquiry_id::bigint,
       r.open_dt::timestamp AT TIME ZONE 'America/New_York',
       coalesce(m.category_code, 'government_service'),
       NULL,
       CASE WHEN r.latitude::float8 = 42.3594 AND r.longitude::float8 = -71.0587 THEN NULL
            ELSE ST_SetSRID(ST_MakePoint(r.longitude::float8, r.latitude::float8), 4326) END,
       CASE r.ontime_status WHEN 'ONTIME' THEN true WHEN 'OVERDUE' THEN false END,
       r.case_status = 'Closed',
       NULL,
       nullif(r.closed_dt, '')::timestamp AT TIME ZONE 'America/New_York',
       NULL, r.department, r.source, r.type, r.reason, nullif(r.neighborhood, ''), nullif(r.closure_reason_60, '')
FROM raw r LEFT JOIN reason_map m ON m.reason = r.reason;
CREATE INDEX ON work_order USING gist (geom);
UPDATE work_order w SET unit_code = a.code
FROM admin_unit a WHERE a.level = 4 AND w.geom IS NOT NULL AND ST_Intersects(a.geom, w.geom);
CREATE INDEX ON work_order (unit_code);
CREATE INDEX ON work_order (created_at);
ANALYZE work_order;
ANALYZE admin_unit;
DROP TABLE raw, geojson;

SELECT format('[boston] %s orders (%s with a location, %s on the City Hall default point, %s outside the tracts); %s neighbourhoods, %s tracts',
              count(*), count(geom), count(*) FILTER (WHERE geom IS NULL), count(*) FILTER (WHERE geom IS NOT NULL AND unit_code IS NULL),
              (SELECT count(*) FROM admin_unit WHERE level = 3), (SELECT count(*) FROM admin_unit WHERE level = 4))
FROM work_order \gset
\echo :format
