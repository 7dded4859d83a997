----------------------------------------------------------------------------
-- Complaints against other urban layers (SPEC §12, 城感通): exact Poisson
-- rates with an exposure, location quotients, area excess of zones
-- (buffers), Benjamini–Hochberg q, co-location quotients (src/layers.c)
----------------------------------------------------------------------------
CREATE TYPE minqing.poisson_rate_result AS (events float8, exposure float8, rate float8, lo float8, hi float8);
COMMENT ON TYPE minqing.poisson_rate_result IS
	'poisson_rate(): events, exposure, rate = events/exposure and its exact (Garwood) interval';
CREATE FUNCTION minqing.poisson_rate(events float8, exposure float8, confidence float8 DEFAULT 0.95)
	RETURNS minqing.poisson_rate_result
	AS 'MODULE_PATHNAME', 'poisson_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.poisson_rate(float8, float8, float8) IS
	'a Poisson rate (complaints per km of road, per km², per sensor-month …) with the exact Garwood interval = R poisson.test(events, exposure, conf.level = confidence)$conf.int';

CREATE TYPE minqing.location_quotient_result AS (lq float8, lo float8, hi float8, p float8);
COMMENT ON TYPE minqing.location_quotient_result IS
	'location_quotient(): LQ, its log-scale interval and the two-sided p of LQ = 1 (NULL interval and p when events = 0)';
CREATE FUNCTION minqing.location_quotient(events float8, total float8, ref_events float8, ref_total float8,
		confidence float8 DEFAULT 0.95)
	RETURNS minqing.location_quotient_result
	AS 'MODULE_PATHNAME', 'location_quotient' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.location_quotient(float8, float8, float8, float8, float8) IS
	'location quotient (events/total)/(ref_events/ref_total): how over-represented a category is in a unit compared with a reference (the city); interval exp(ln LQ ± z·se), se² = 1/events − 1/total + 1/ref_events − 1/ref_total (Moineddin et al. 2003)';

CREATE TYPE minqing.area_excess_result AS (observed float8, expected float8, ratio float8, lo float8, hi float8, p float8);
COMMENT ON TYPE minqing.area_excess_result IS
	'area_excess(): observed count in a zone, the count its area share predicts, their ratio with an exact interval, and the one-sided Poisson p of an excess';
CREATE FUNCTION minqing.area_excess(observed float8, area float8, ref_events float8, ref_area float8,
		confidence float8 DEFAULT 0.95)
	RETURNS minqing.area_excess_result
	AS 'MODULE_PATHNAME', 'area_excess' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.area_excess(float8, float8, float8, float8, float8) IS
	'buffer / zone excess test: observed complaints in a zone of the given area against ref_events · area / ref_area; ratio with Garwood interval, p = P(Poisson(expected) >= observed) (R poisson.test alternative greater); adjust many zones with p_adjust_bh';

CREATE FUNCTION minqing.p_adjust_bh(p float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'p_adjust_bh' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.p_adjust_bh(float8) IS
	'window: Benjamini–Hochberg adjusted p (q) over the partition''s non-NULL p-values = R p.adjust(p, "BH")';

CREATE TYPE minqing.colocation_result AS (clq float8, local_clq float8, p float8);
COMMENT ON TYPE minqing.colocation_result IS
	'colocation(): the partition''s co-location quotient A→B, the row''s own quotient (A rows), and the random-relabelling p of co-location';
CREATE FUNCTION minqing.colocation(geom geometry, is_a boolean, is_b boolean, permutations int DEFAULT 999,
		seed int DEFAULT 1)
	RETURNS minqing.colocation_result
	AS 'MODULE_PATHNAME', 'colocation' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.colocation(geometry, boolean, boolean, int, int) IS
	'window: co-location quotient CLQ A→B (Leslie & Kronenfeld 2011) of the partition''s points: share of A points whose nearest neighbour is B (ties share) over B''s share of the other points; local_clq per A point; p = (1 + #{relabelled CLQ >= CLQ})/(permutations + 1), seeded; meters for lon/lat';
