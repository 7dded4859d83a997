----------------------------------------------------------------------------
-- Policy effects and resilience (SPEC §4): before_after, its, did,
-- event_study, content_shift, resilience.  States are portable bytea
-- (src/state.h); transition functions are not STRICT: they skip rows with a
-- NULL in any argument themselves.
----------------------------------------------------------------------------

-- before_after ---------------------------------------------------------------
CREATE TYPE minqing.before_after_result AS (
	pre_periods int, post_periods int, pre_mean float8, post_mean float8,
	rate_ratio float8, rr_lo float8, rr_hi float8, p float8);
COMMENT ON TYPE minqing.before_after_result IS
	'before_after(): calendar days before / from the policy, mean cases per day, rate ratio post/pre with 95% CI and two-sided p (log scale)';

CREATE FUNCTION minqing.before_after_trans(state bytea, day date, cases float8, policy_date date) RETURNS bytea
	AS 'MODULE_PATHNAME', 'before_after_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.before_after_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'before_after_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.before_after_final(state bytea) RETURNS minqing.before_after_result
	AS 'MODULE_PATHNAME', 'before_after_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.before_after_trans(bytea, date, float8, date) IS 'transition function of before_after(): per-day sums';
COMMENT ON FUNCTION minqing.before_after_combine(bytea, bytea) IS 'combine function of before_after()';
COMMENT ON FUNCTION minqing.before_after_final(bytea) IS 'final function of before_after(): log rate ratio';

CREATE AGGREGATE minqing.before_after(day date, cases float8, policy_date date) (
	SFUNC = minqing.before_after_trans, STYPE = bytea,
	COMBINEFUNC = minqing.before_after_combine, FINALFUNC = minqing.before_after_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.before_after(date, float8, date) IS
	'daily cases before vs from policy_date (missing days = 0, duplicate days summed): rate ratio, 95% CI from se = sqrt(1/Σpre + 1/Σpost), p';

-- its ------------------------------------------------------------------------
CREATE TYPE minqing.its_result AS (
	n int, pre_level float8, pre_trend float8,
	level_change float8, level_change_se float8, level_change_p float8,
	trend_change float8, trend_change_se float8, trend_change_p float8,
	hac_lags int);
COMMENT ON TYPE minqing.its_result IS
	'its(): segmented regression y ~ 1 + t + post + t_since [+ seasons], Newey–West (Bartlett) standard errors, per-day units';

CREATE FUNCTION minqing.its_trans(state bytea, day date, y float8, policy_date date) RETURNS bytea
	AS 'MODULE_PATHNAME', 'its_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.its_trans(state bytea, day date, y float8, policy_date date, seasonal_period int) RETURNS bytea
	AS 'MODULE_PATHNAME', 'its_trans_seasonal' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.its_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'its_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.its_final(state bytea) RETURNS minqing.its_result
	AS 'MODULE_PATHNAME', 'its_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.its_trans(bytea, date, float8, date) IS 'transition function of its(): per-day sums';
COMMENT ON FUNCTION minqing.its_trans(bytea, date, float8, date, int) IS 'transition function of its() with a seasonal period';
COMMENT ON FUNCTION minqing.its_combine(bytea, bytea) IS 'combine function of its()';
COMMENT ON FUNCTION minqing.its_final(bytea) IS 'final function of its(): QR least squares and Newey–West sandwich';

CREATE AGGREGATE minqing.its(day date, y float8, policy_date date) (
	SFUNC = minqing.its_trans, STYPE = bytea,
	COMBINEFUNC = minqing.its_combine, FINALFUNC = minqing.its_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.its(date, float8, date) IS
	'interrupted time series: OLS of y on 1, t, post, t_since with Newey–West HAC errors (L = floor(4(n/100)^(2/9)))';

CREATE AGGREGATE minqing.its(day date, y float8, policy_date date, seasonal_period int) (
	SFUNC = minqing.its_trans, STYPE = bytea,
	COMBINEFUNC = minqing.its_combine, FINALFUNC = minqing.its_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.its(date, float8, date, int) IS
	'interrupted time series with dummies for (t mod seasonal_period) = 1..P−1 and Newey–West HAC errors';

-- did ------------------------------------------------------------------------
CREATE TYPE minqing.did_result AS (
	n bigint, clusters bigint, att float8, se float8, p float8, ci_lo float8, ci_hi float8);
COMMENT ON TYPE minqing.did_result IS
	'did(): rows, clusters, the treated×post coefficient with CR1 cluster-robust se, p and 95% CI from t(clusters − 1)';

CREATE FUNCTION minqing.did_trans(state bytea, y float8, treated boolean, post boolean, cluster text) RETURNS bytea
	AS 'MODULE_PATHNAME', 'did_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.did_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'did_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.did_final(state bytea) RETURNS minqing.did_result
	AS 'MODULE_PATHNAME', 'did_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.did_trans(bytea, float8, boolean, boolean, text) IS 'transition function of did(): per-(cluster, group, period) sums';
COMMENT ON FUNCTION minqing.did_combine(bytea, bytea) IS 'combine function of did()';
COMMENT ON FUNCTION minqing.did_final(bytea) IS 'final function of did(): cell means and CR1 sandwich';

CREATE AGGREGATE minqing.did(y float8, treated boolean, post boolean, cluster text) (
	SFUNC = minqing.did_trans, STYPE = bytea,
	COMBINEFUNC = minqing.did_combine, FINALFUNC = minqing.did_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.did(float8, boolean, boolean, text) IS
	'difference-in-differences: OLS of y on 1, treated, post, treated·post; CR1 cluster-robust se; t(G−1) p and 95% CI';

-- event_study ----------------------------------------------------------------
CREATE TYPE minqing.event_study_row AS (
	period int, estimate float8, se float8, p float8, ci_lo float8, ci_hi float8,
	n_treated bigint, n_control bigint, is_reference boolean);
COMMENT ON TYPE minqing.event_study_row IS
	'one period of event_study(): effect relative to the reference period with CR1 se, p and 95% CI from t(clusters − 1)';

CREATE FUNCTION minqing.event_study_trans(state bytea, y float8, treated boolean, period int, cluster text) RETURNS bytea
	AS 'MODULE_PATHNAME', 'event_study_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.event_study_trans(state bytea, y float8, treated boolean, period int, cluster text, reference_period int) RETURNS bytea
	AS 'MODULE_PATHNAME', 'event_study_trans_ref' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.event_study_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'event_study_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.event_study_final(state bytea) RETURNS minqing.event_study_row[]
	AS 'MODULE_PATHNAME', 'event_study_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.event_study_trans(bytea, float8, boolean, int, text) IS 'transition function of event_study()';
COMMENT ON FUNCTION minqing.event_study_trans(bytea, float8, boolean, int, text, int) IS 'transition function of event_study() with a reference period';
COMMENT ON FUNCTION minqing.event_study_combine(bytea, bytea) IS 'combine function of event_study()';
COMMENT ON FUNCTION minqing.event_study_final(bytea) IS 'final function of event_study(): one row per period';

CREATE AGGREGATE minqing.event_study(y float8, treated boolean, period int, cluster text) (
	SFUNC = minqing.event_study_trans, STYPE = bytea,
	COMBINEFUNC = minqing.event_study_combine, FINALFUNC = minqing.event_study_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.event_study(float8, boolean, int, text) IS
	'multi-period DiD: per period (relative to the policy; reference −1) the treated−control change since the reference period, CR1 se; SELECT (unnest(minqing.event_study(...))).*';

CREATE AGGREGATE minqing.event_study(y float8, treated boolean, period int, cluster text, reference_period int) (
	SFUNC = minqing.event_study_trans, STYPE = bytea,
	COMBINEFUNC = minqing.event_study_combine, FINALFUNC = minqing.event_study_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.event_study(float8, boolean, int, text, int) IS
	'multi-period DiD with an explicit reference period; SELECT (unnest(minqing.event_study(...))).*';

-- content_shift --------------------------------------------------------------
CREATE TYPE minqing.content_shift_result AS (
	categories int, jsd float8, chi2 float8, df int, p float8);
COMMENT ON TYPE minqing.content_shift_result IS
	'content_shift(): categories seen, Jensen–Shannon divergence (bits, 0..1) of pre vs post shares, Pearson chi-square, df, p';

CREATE FUNCTION minqing.content_shift_trans(state bytea, category text, post boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'content_shift_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.content_shift_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'content_shift_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.content_shift_final(state bytea) RETURNS minqing.content_shift_result
	AS 'MODULE_PATHNAME', 'content_shift_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.content_shift_trans(bytea, text, boolean) IS 'transition function of content_shift(): counts per category and period';
COMMENT ON FUNCTION minqing.content_shift_combine(bytea, bytea) IS 'combine function of content_shift()';
COMMENT ON FUNCTION minqing.content_shift_final(bytea) IS 'final function of content_shift()';

CREATE AGGREGATE minqing.content_shift(category text, post boolean) (
	SFUNC = minqing.content_shift_trans, STYPE = bytea,
	COMBINEFUNC = minqing.content_shift_combine, FINALFUNC = minqing.content_shift_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.content_shift(text, boolean) IS
	'how the category mix changed: Jensen–Shannon divergence (base 2) and Pearson chi-square test of homogeneity (no continuity correction)';

-- resilience -----------------------------------------------------------------
CREATE TYPE minqing.resilience_result AS (
	baseline float8, peak float8, peak_day date, peak_ratio float8, days_to_peak int,
	recovery_day date, days_to_recover int, excess_cases float8, resilience_index float8);
COMMENT ON TYPE minqing.resilience_result IS
	'resilience(): baseline, peak, recovery and excess of a daily series around an event; resilience_index = 100/((1 + excess/(7·baseline))·(1 + days_to_recover/7))';

CREATE FUNCTION minqing.resilience_trans(state bytea, day date, cases float8, event_start date, event_end date) RETURNS bytea
	AS 'MODULE_PATHNAME', 'resilience_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.resilience_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'resilience_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- stable because it reads setting minqing.max_cells
CREATE FUNCTION minqing.resilience_final(state bytea) RETURNS minqing.resilience_result
	AS 'MODULE_PATHNAME', 'resilience_final' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.resilience_trans(bytea, date, float8, date, date) IS 'transition function of resilience(): per-day sums';
COMMENT ON FUNCTION minqing.resilience_combine(bytea, bytea) IS 'combine function of resilience()';
COMMENT ON FUNCTION minqing.resilience_final(bytea) IS 'final function of resilience()';

CREATE AGGREGATE minqing.resilience(day date, cases float8, event_start date, event_end date) (
	SFUNC = minqing.resilience_trans, STYPE = bytea,
	COMBINEFUNC = minqing.resilience_combine, FINALFUNC = minqing.resilience_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.resilience(date, float8, date, date) IS
	'storm response of daily cases (missing days = 0): baseline, peak, recovery day, excess cases and resilience_index 0..100';

-- distribution helpers -------------------------------------------------------
CREATE FUNCTION minqing.t_p2(t float8, df float8) RETURNS float8
	AS 'MODULE_PATHNAME', 't_p2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.t_p2(float8, float8) IS
	'two-sided Student t p-value P(|T| >= |t|) with df degrees of freedom (exact, incomplete beta)';
CREATE FUNCTION minqing.t_quantile(p float8, df float8) RETURNS float8
	AS 'MODULE_PATHNAME', 't_quantile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.t_quantile(float8, float8) IS
	'Student t quantile: t with P(T <= t) = p';
CREATE FUNCTION minqing.chi2_sf(x float8, df float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'chi2_sf' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.chi2_sf(float8, float8) IS
	'chi-square upper tail P(X2 >= x) with df degrees of freedom (exact, incomplete gamma)';
