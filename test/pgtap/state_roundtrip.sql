-- Citus readiness (issue 8): aggregate states survive the text round trip
-- Citus uses to ship partial aggregates (output function on the worker, input
-- function on the coordinator), and combining round-tripped partial states of
-- disjoint halves gives the single-pass answer.  The transition, combine and
-- final functions are called directly: through state-only aggregates (no
-- final function, as Citus' worker_partial_agg does) and by hand.
BEGIN;
SELECT plan(24);

-- state-only aggregates: what a worker computes and ships
CREATE AGGREGATE pg_temp.rate_state(boolean) (SFUNC = minqing.rate_trans, STYPE = bytea);
CREATE AGGREGATE pg_temp.rate_state(boolean, float8) (SFUNC = minqing.rate_trans, STYPE = bytea);
CREATE AGGREGATE pg_temp.kpi_state(boolean, boolean, boolean) (SFUNC = minqing.kpi_trans, STYPE = bytea);

-- partial states of two disjoint halves of the fixture, shipped as text
CREATE TEMP TABLE part AS
SELECT half,
       pg_temp.rate_state(satisfied) AS rate_s,
       pg_temp.rate_state(responded, 0.9) AS rate90_s,
       pg_temp.kpi_state(responded, resolved, satisfied) AS kpi_s
FROM (SELECT id <= 100000 AS half, * FROM tap.orders) o GROUP BY half;
CREATE TEMP TABLE wire AS
SELECT half, rate_s::text AS rate_t, rate90_s::text AS rate90_t, kpi_s::text AS kpi_t FROM part;

-- 1. output then input gives an equal state (hex, and the escape format too)
SELECT is((SELECT count(*) FROM part p JOIN wire w USING (half)
           WHERE w.rate_t::bytea = p.rate_s AND w.rate90_t::bytea = p.rate90_s AND w.kpi_t::bytea = p.kpi_s),
          2::bigint, 'hex text round trip gives equal rate, rate(confidence) and kpi states');
SELECT ok((SELECT bool_and(left(rate_t, 2) = '\x' AND left(kpi_t, 2) = '\x') FROM wire), 'states travel as hex text');
SET LOCAL bytea_output = 'escape';
SELECT is((SELECT count(*) FROM part WHERE rate_s::text::bytea = rate_s AND kpi_s::text::bytea = kpi_s
                                       AND rate90_s::text::bytea = rate90_s),
          2::bigint, 'escape-format text round trip gives equal states');
RESET bytea_output;
SELECT is((SELECT byteain(byteaout(kpi_s)) FROM part WHERE half), (SELECT kpi_s FROM part WHERE half),
          'byteain(byteaout(state)) is the identity');

-- 2. combining round-tripped partial states equals the single pass
SELECT is(minqing.rate_final(minqing.rate_combine(
              (SELECT rate_t::bytea FROM wire WHERE half), (SELECT rate_t::bytea FROM wire WHERE NOT half))),
          (SELECT minqing.rate(satisfied) FROM tap.orders),
          'rate: final(combine(text halves)) = rate() over all rows');
SELECT is(minqing.rate_final(minqing.rate_combine(
              (SELECT rate_t::bytea FROM wire WHERE NOT half), (SELECT rate_t::bytea FROM wire WHERE half))),
          (SELECT minqing.rate(satisfied) FROM tap.orders),
          'rate: combine order does not matter');
SELECT is(minqing.rate_final(minqing.rate_combine(
              (SELECT rate90_t::bytea FROM wire WHERE half), (SELECT rate90_t::bytea FROM wire WHERE NOT half))),
          (SELECT minqing.rate(responded, 0.9) FROM tap.orders),
          'rate(flag, 0.9): the confidence travels in the state');
SELECT is(minqing.kpi_final(minqing.kpi_combine(
              (SELECT kpi_t::bytea FROM wire WHERE half), (SELECT kpi_t::bytea FROM wire WHERE NOT half))),
          (SELECT minqing.kpi(responded, resolved, satisfied) FROM tap.orders),
          'kpi: final(combine(text halves)) = kpi() over all rows');
SELECT is(minqing.kpi_final(minqing.kpi_combine(
              (SELECT kpi_t::bytea FROM wire WHERE NOT half), (SELECT kpi_t::bytea FROM wire WHERE half))),
          (SELECT minqing.kpi(responded, resolved, satisfied) FROM tap.orders),
          'kpi: combine order does not matter');
SET LOCAL minqing.kpi_weights = '1,1,1';
SELECT is(minqing.kpi_final(minqing.kpi_combine(
              (SELECT kpi_t::bytea FROM wire WHERE half), (SELECT kpi_t::bytea FROM wire WHERE NOT half))),
          (SELECT minqing.kpi(responded, resolved, satisfied) FROM tap.orders),
          'kpi: weights are applied at the final step (coordinator setting)');
RESET minqing.kpi_weights;

-- many small partial states (like many shards), each through text, folded by combine
CREATE AGGREGATE pg_temp.rate_merge(bytea) (SFUNC = minqing.rate_combine, STYPE = bytea, FINALFUNC = minqing.rate_final);
CREATE AGGREGATE pg_temp.kpi_merge(bytea) (SFUNC = minqing.kpi_combine, STYPE = bytea, FINALFUNC = minqing.kpi_final);
SELECT is((SELECT pg_temp.rate_merge(s::text::bytea) FROM
             (SELECT pg_temp.rate_state(satisfied) AS s FROM tap.orders GROUP BY id % 32) p),
          (SELECT minqing.rate(satisfied) FROM tap.orders), 'rate: 32 shards through text = single pass');
SELECT is((SELECT pg_temp.kpi_merge(s::text::bytea) FROM
             (SELECT pg_temp.kpi_state(responded, resolved, satisfied) AS s FROM tap.orders GROUP BY id % 32) p),
          (SELECT minqing.kpi(responded, resolved, satisfied) FROM tap.orders), 'kpi: 32 shards through text = single pass');

-- 3. by hand: transition calls outside an aggregate, NULL rows, NULL states
SELECT is(minqing.rate_final(minqing.rate_trans(minqing.rate_trans(minqing.rate_trans(NULL, true), false), NULL)::text::bytea),
          ROW(2::bigint, 1::bigint, 0.5::float8,
              (SELECT (minqing.rate(x)).lo FROM unnest(ARRAY[true, false]) x),
              (SELECT (minqing.rate(x)).hi FROM unnest(ARRAY[true, false]) x))::minqing.rate_result,
          'rate: hand-made state (true, false, NULL) round-trips to n = 2, k = 1');
SELECT is(minqing.kpi_final(minqing.kpi_trans(minqing.kpi_trans(NULL, true, true, NULL), true, false, false)::text::bytea),
          (SELECT minqing.kpi(a, b, c) FROM (VALUES (true, true, NULL::boolean), (true, false, false)) v(a, b, c)),
          'kpi: hand-made state round-trips');
SELECT is(minqing.rate_combine(NULL, (SELECT rate_t::bytea FROM wire WHERE half)),
          (SELECT rate_s FROM part WHERE half), 'rate_combine(NULL, s) = s');
SELECT is(minqing.kpi_combine((SELECT kpi_t::bytea FROM wire WHERE half), NULL),
          (SELECT kpi_s FROM part WHERE half), 'kpi_combine(s, NULL) = s');
SELECT ok(minqing.rate_combine(NULL, NULL) IS NULL, 'rate_combine(NULL, NULL) is NULL');
-- an empty shard ships NULL: the result is the other shard's
SELECT is((SELECT pg_temp.rate_state(satisfied) FROM tap.orders WHERE false), NULL, 'empty shard: NULL state');
SELECT is(minqing.rate_final(minqing.rate_combine(NULL::text::bytea, (SELECT rate_t::bytea FROM wire WHERE half))),
          (SELECT minqing.rate(satisfied) FROM tap.orders WHERE id <= 100000), 'empty shard + shard = shard');

-- 4. a damaged state from the wire is an error, never a crash
SELECT throws_ok($$SELECT minqing.rate_final(('\x09' || substr((SELECT rate_t FROM wire WHERE half), 5))::bytea)$$,
                 '22P03', NULL, 'wrong format version is refused');
SELECT throws_ok($$SELECT minqing.kpi_final((SELECT rate_t::bytea FROM wire WHERE half))$$,
                 '22P03', NULL, 'a rate state handed to kpi is refused');

-- 5. the rollup state types (SPEC §8): 32 shards shipped as text, merged = single pass
SELECT is((SELECT minqing.rate(s::text::minqing.rate_state) FROM
             (SELECT minqing.rate_state(satisfied) AS s FROM tap.orders GROUP BY id % 32) p),
          (SELECT minqing.rate(satisfied) FROM tap.orders), 'rate_state: 32 shards through text = single pass');
SELECT is((SELECT minqing.kpi(s::text::minqing.kpi_state) FROM
             (SELECT minqing.kpi_state(responded, resolved, satisfied) AS s FROM tap.orders GROUP BY id % 32) p),
          (SELECT minqing.kpi(responded, resolved, satisfied) FROM tap.orders), 'kpi_state: 32 shards through text = single pass');
SELECT is((SELECT array_agg(x ORDER BY x.category_code)::text FROM minqing.index_state_counts(
              (SELECT minqing.index_state(s::text::minqing.index_state) FROM
                 (SELECT minqing.index_state(category_code, responded, resolved, satisfied, 'c' || (id % 997)) AS s
                  FROM tap.orders GROUP BY id % 32) p)) x),
          (SELECT array_agg(x ORDER BY x.category_code)::text FROM minqing.index_state_counts(
              (SELECT minqing.index_state(category_code, responded, resolved, satisfied, 'c' || (id % 997))
               FROM tap.orders)) x),
          'index_state: 32 shards through text = single pass (repeats across shards included)');

SELECT * FROM finish();
ROLLBACK;
