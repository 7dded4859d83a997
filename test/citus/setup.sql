-- make test-citus, step 1 (run on the coordinator by test/citus/run.sh):
-- join the workers, install minqing, generate a city and distribute it.
--   city.*    the distributed city: work_order hash-distributed on id,
--             admin_unit and planted as reference tables
--   single.*  the same rows in plain local tables on the coordinator: the
--             single-node answers
SET client_min_messages = warning;

-- the coordinator knows itself and its two workers
SELECT citus_set_coordinator_host('127.0.0.1', :port0);
SELECT citus_add_node('127.0.0.1', :port1);
SELECT citus_add_node('127.0.0.1', :port2);

-- Citus propagates CREATE EXTENSION (postgis by CASCADE, then minqing) to the
-- workers; the same build is installed on every node
CREATE EXTENSION minqing CASCADE;

SELECT minqing.generate_city('city', :orders, 42);

-- single-node copies, taken before distributing
CREATE SCHEMA single;
CREATE TABLE single.work_order AS SELECT * FROM city.work_order;
CREATE TABLE single.admin_unit AS SELECT * FROM city.admin_unit;
CREATE TABLE single.planted AS SELECT * FROM city.planted;
ALTER TABLE single.work_order ADD PRIMARY KEY (id);
ALTER TABLE single.admin_unit ADD PRIMARY KEY (code);
ANALYZE single.work_order, single.admin_unit, single.planted;

-- the recipe of docs/scaling.md: orders hash-distributed on id (even shards,
-- every aggregate runs as worker_partial_agg on the shards), the small tables
-- everywhere
SET citus.shard_count = 8;
SELECT create_reference_table('city.admin_unit');
SELECT create_reference_table('city.planted');
SELECT create_distributed_table('city.work_order', 'id');
