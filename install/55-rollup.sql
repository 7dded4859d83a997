----------------------------------------------------------------------------
-- Rollups (SPEC §8): state types you store per day and unit and merge into
-- the usual results — rate_state, kpi_state, index_state.  Each is a varlena
-- with text I/O ('\x' + hex of the portable bytes of src/state.h: version,
-- kind, little-endian payload), so pg_dump, COPY and Citus carry it.
-- Transition functions are not STRICT: they skip NULL rows themselves.
----------------------------------------------------------------------------

-- rate_state ---------------------------------------------------------------
CREATE TYPE minqing.rate_state;
CREATE FUNCTION minqing.rate_state_in(cstring) RETURNS minqing.rate_state
	AS 'MODULE_PATHNAME', 'rate_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.rate_state_out(minqing.rate_state) RETURNS cstring
	AS 'MODULE_PATHNAME', 'rate_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.rate_state_recv(internal) RETURNS minqing.rate_state
	AS 'MODULE_PATHNAME', 'rate_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.rate_state_send(minqing.rate_state) RETURNS bytea
	AS 'MODULE_PATHNAME', 'rate_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE minqing.rate_state (
	INPUT = minqing.rate_state_in, OUTPUT = minqing.rate_state_out,
	RECEIVE = minqing.rate_state_recv, SEND = minqing.rate_state_send,
	INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);
COMMENT ON TYPE minqing.rate_state IS
	'rollup state of rate(): n and k of a set of flags (24 bytes of payload); merge with rate(rate_state [, confidence])';
COMMENT ON FUNCTION minqing.rate_state_in(cstring) IS 'text input of rate_state (\x + hex; version and kind checked)';
COMMENT ON FUNCTION minqing.rate_state_out(minqing.rate_state) IS 'text output of rate_state (\x + hex)';
COMMENT ON FUNCTION minqing.rate_state_recv(internal) IS 'binary input of rate_state';
COMMENT ON FUNCTION minqing.rate_state_send(minqing.rate_state) IS 'binary output of rate_state';

CREATE FUNCTION minqing.rate_state_trans(state minqing.rate_state, flag boolean) RETURNS minqing.rate_state
	AS 'MODULE_PATHNAME', 'rate_state_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_state_combine(a minqing.rate_state, b minqing.rate_state) RETURNS minqing.rate_state
	AS 'MODULE_PATHNAME', 'rate_state_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_state_merge(state minqing.rate_state, other minqing.rate_state, confidence float8)
	RETURNS minqing.rate_state
	AS 'MODULE_PATHNAME', 'rate_state_merge_conf' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_state_final(state minqing.rate_state) RETURNS minqing.rate_result
	AS 'MODULE_PATHNAME', 'rate_state_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.rate_state_trans(minqing.rate_state, boolean) IS 'transition function of rate_state(boolean)';
COMMENT ON FUNCTION minqing.rate_state_combine(minqing.rate_state, minqing.rate_state) IS
	'combine function of rate_state() and rate(rate_state); transition function of rate(rate_state)';
COMMENT ON FUNCTION minqing.rate_state_merge(minqing.rate_state, minqing.rate_state, float8) IS
	'transition function of rate(rate_state, confidence)';
COMMENT ON FUNCTION minqing.rate_state_final(minqing.rate_state) IS 'final function of rate(rate_state): Wilson score interval';

CREATE AGGREGATE minqing.rate_state(flag boolean) (
	SFUNC = minqing.rate_state_trans, STYPE = minqing.rate_state,
	COMBINEFUNC = minqing.rate_state_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.rate_state(boolean) IS
	'rollup state of rate(flag): store it per day and unit, merge with rate(rate_state)';
CREATE AGGREGATE minqing.rate(state minqing.rate_state) (
	SFUNC = minqing.rate_state_combine, STYPE = minqing.rate_state,
	COMBINEFUNC = minqing.rate_state_combine, FINALFUNC = minqing.rate_state_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.rate(minqing.rate_state) IS
	'rate() of the merged rollup states: equals rate(flag) over their rows; 95% Wilson interval';
CREATE AGGREGATE minqing.rate(state minqing.rate_state, confidence float8) (
	SFUNC = minqing.rate_state_merge, STYPE = minqing.rate_state,
	COMBINEFUNC = minqing.rate_state_combine, FINALFUNC = minqing.rate_state_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.rate(minqing.rate_state, float8) IS
	'rate() of the merged rollup states with a Wilson interval at the given confidence';

-- kpi_state ----------------------------------------------------------------
CREATE TYPE minqing.kpi_state;
CREATE FUNCTION minqing.kpi_state_in(cstring) RETURNS minqing.kpi_state
	AS 'MODULE_PATHNAME', 'kpi_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.kpi_state_out(minqing.kpi_state) RETURNS cstring
	AS 'MODULE_PATHNAME', 'kpi_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.kpi_state_recv(internal) RETURNS minqing.kpi_state
	AS 'MODULE_PATHNAME', 'kpi_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.kpi_state_send(minqing.kpi_state) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE minqing.kpi_state (
	INPUT = minqing.kpi_state_in, OUTPUT = minqing.kpi_state_out,
	RECEIVE = minqing.kpi_state_recv, SEND = minqing.kpi_state_send,
	INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);
COMMENT ON TYPE minqing.kpi_state IS
	'rollup state of kpi(): orders, n and k of the three flags and the minqing.kpi_weights it was built under (80 bytes of payload); merge with kpi(kpi_state)';
COMMENT ON FUNCTION minqing.kpi_state_in(cstring) IS 'text input of kpi_state (\x + hex; version, kind and counts checked)';
COMMENT ON FUNCTION minqing.kpi_state_out(minqing.kpi_state) IS 'text output of kpi_state (\x + hex)';
COMMENT ON FUNCTION minqing.kpi_state_recv(internal) IS 'binary input of kpi_state';
COMMENT ON FUNCTION minqing.kpi_state_send(minqing.kpi_state) IS 'binary output of kpi_state';

-- stable because it reads setting minqing.kpi_weights (recorded in the state)
CREATE FUNCTION minqing.kpi_state_trans(state minqing.kpi_state, responded boolean, resolved boolean,
                                        satisfied boolean) RETURNS minqing.kpi_state
	AS 'MODULE_PATHNAME', 'kpi_state_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION minqing.kpi_state_combine(a minqing.kpi_state, b minqing.kpi_state) RETURNS minqing.kpi_state
	AS 'MODULE_PATHNAME', 'kpi_state_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.kpi_state_final(state minqing.kpi_state) RETURNS minqing.kpi_result
	AS 'MODULE_PATHNAME', 'kpi_state_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.kpi_state_trans(minqing.kpi_state, boolean, boolean, boolean) IS
	'transition function of kpi_state(); records minqing.kpi_weights';
COMMENT ON FUNCTION minqing.kpi_state_combine(minqing.kpi_state, minqing.kpi_state) IS
	'combine function of kpi_state() and kpi(kpi_state); transition function of kpi(kpi_state); refuses states of different weights';
COMMENT ON FUNCTION minqing.kpi_state_final(minqing.kpi_state) IS
	'final function of kpi(kpi_state): rates and the score with the weights the states were built under';

CREATE AGGREGATE minqing.kpi_state(responded boolean, resolved boolean, satisfied boolean) (
	SFUNC = minqing.kpi_state_trans, STYPE = minqing.kpi_state,
	COMBINEFUNC = minqing.kpi_state_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.kpi_state(boolean, boolean, boolean) IS
	'rollup state of kpi(): store it per day and unit, merge with kpi(kpi_state); remembers minqing.kpi_weights';
CREATE AGGREGATE minqing.kpi(state minqing.kpi_state) (
	SFUNC = minqing.kpi_state_combine, STYPE = minqing.kpi_state,
	COMBINEFUNC = minqing.kpi_state_combine, FINALFUNC = minqing.kpi_state_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.kpi(minqing.kpi_state) IS
	'kpi() of the merged rollup states: equals kpi(responded, resolved, satisfied) over their rows under the weights they were built with';

-- index_state --------------------------------------------------------------
CREATE TYPE minqing.index_state;
CREATE FUNCTION minqing.index_state_in(cstring) RETURNS minqing.index_state
	AS 'MODULE_PATHNAME', 'index_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.index_state_out(minqing.index_state) RETURNS cstring
	AS 'MODULE_PATHNAME', 'index_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.index_state_recv(internal) RETURNS minqing.index_state
	AS 'MODULE_PATHNAME', 'index_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.index_state_send(minqing.index_state) RETURNS bytea
	AS 'MODULE_PATHNAME', 'index_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE minqing.index_state (
	INPUT = minqing.index_state_in, OUTPUT = minqing.index_state_out,
	RECEIVE = minqing.index_state_recv, SEND = minqing.index_state_send,
	INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);
COMMENT ON TYPE minqing.index_state IS
	'rollup state of the sentiment index: per category orders, the three flags'' n and k, and the distinct (caller, category) pairs for exact repeat counting across merged states (about 12 + length(caller_id) bytes per pair)';
COMMENT ON FUNCTION minqing.index_state_in(cstring) IS 'text input of index_state (\x + hex; version, kind and every entry checked)';
COMMENT ON FUNCTION minqing.index_state_out(minqing.index_state) IS 'text output of index_state (\x + hex)';
COMMENT ON FUNCTION minqing.index_state_recv(internal) IS 'binary input of index_state';
COMMENT ON FUNCTION minqing.index_state_send(minqing.index_state) IS 'binary output of index_state';

CREATE FUNCTION minqing.index_state_trans(state minqing.index_state, category_code text, responded boolean,
                                          resolved boolean, satisfied boolean, caller_id text)
	RETURNS minqing.index_state
	AS 'MODULE_PATHNAME', 'index_state_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.index_state_combine(a minqing.index_state, b minqing.index_state) RETURNS minqing.index_state
	AS 'MODULE_PATHNAME', 'index_state_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.index_state_final(state minqing.index_state) RETURNS minqing.index_state
	AS 'MODULE_PATHNAME', 'index_state_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.index_state_trans(minqing.index_state, text, boolean, boolean, boolean, text) IS
	'transition function of index_state(category_code, responded, resolved, satisfied, caller_id)';
COMMENT ON FUNCTION minqing.index_state_combine(minqing.index_state, minqing.index_state) IS
	'combine function of both index_state aggregates and transition function of index_state(index_state): adds counters, unions (caller, category) pairs';
COMMENT ON FUNCTION minqing.index_state_final(minqing.index_state) IS
	'final function of the index_state aggregates: the compact stored form (no hash slots, no slack)';

CREATE AGGREGATE minqing.index_state(category_code text, responded boolean, resolved boolean, satisfied boolean,
                                     caller_id text) (
	SFUNC = minqing.index_state_trans, STYPE = minqing.index_state,
	COMBINEFUNC = minqing.index_state_combine, FINALFUNC = minqing.index_state_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.index_state(text, boolean, boolean, boolean, text) IS
	'every raw count sentiment_index and alarm_list need, per category, with exact repeat counting: store it per day and unit (docs/rollup.md)';
CREATE AGGREGATE minqing.index_state(state minqing.index_state) (
	SFUNC = minqing.index_state_combine, STYPE = minqing.index_state,
	COMBINEFUNC = minqing.index_state_combine, FINALFUNC = minqing.index_state_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.index_state(minqing.index_state) IS
	'merge index_state values exactly: a caller seen in two merged states counts once as distinct, so repeats across days are kept';

CREATE FUNCTION minqing.index_state_counts(state minqing.index_state)
	RETURNS TABLE (category_code text, orders bigint, caller_orders bigint, repeat_orders bigint,
	               responded_n bigint, responded_k bigint, resolved_n bigint, resolved_k bigint,
	               satisfied_n bigint, satisfied_k bigint)
	AS 'MODULE_PATHNAME', 'index_state_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 40;
COMMENT ON FUNCTION minqing.index_state_counts(minqing.index_state) IS
	'the counts in an index_state per category: orders, orders with a caller, repeat orders (a caller''s 2nd, 3rd … order in the category), n and k of responded, resolved, satisfied';
