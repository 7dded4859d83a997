-- Policy effects and resilience (SPEC §4).  Reference values: statsmodels
-- 0.13.5 / scipy 1.10.1, computed once by test/reference/policy_ref.py and
-- policy_dist.py (Debian python3-statsmodels / python3-scipy); the data below
-- are generated with the same integer formulas as in that script.
SET extra_float_digits = 0;

-- Bernal, Cummins & Gasparrini 2017 (IJE) Sicily acute coronary events,
-- 2002-01 .. 2006-11, smoking ban from month 37; month i is day 2002-01-01 + i − 1
-- and y = aces / stdpop · 1e5 (see policy_ref.py).
CREATE TABLE pol_sicily AS
SELECT date '2002-01-01' + (i::int - 1) AS day, aces / stdpop * 1e5 AS y
FROM unnest(
	ARRAY[728, 659, 791, 734, 757, 726, 760, 740, 720, 814, 795, 858, 887, 766, 851, 769, 781, 756, 766, 752,
	      765, 831, 879, 928, 914, 808, 937, 840, 916, 828, 845, 818, 860, 839, 887, 886, 831, 796, 833, 820,
	      877, 758, 767, 738, 781, 843, 850, 908, 1021, 859, 976, 888, 962, 838, 810, 876, 843, 936, 912]::float8[],
	ARRAY[379875.3, 376495.5, 377040.8, 377116.4, 377383.4, 374113.1, 379513.3, 376295.5, 374653.2, 378485.6,
	      375955.5, 378349.7, 376762.4, 379032.3, 379360.4, 376162, 377972.4, 381830.7, 379888.6, 380872.2,
	      380966.9, 381240.4, 382104.9, 381802.7, 381656.3, 383680, 383504.2, 386462.9, 383783.1, 380836.8,
	      383483, 380906.2, 382926.8, 384052.4, 384449.6, 383428.4, 388153.2, 388373.2, 386470.1, 386033.2,
	      383686.4, 385509.3, 385901.9, 386516.6, 388436.5, 383255.2, 390148.7, 385874.9, 391613.6, 391750.4,
	      394005.6, 391364.9, 391664.6, 389022.3, 391878.5, 388575.3, 392989, 390018.8, 390712.3]::float8[])
	WITH ORDINALITY AS u(aces, stdpop, i);

-- statsmodels OLS, cov_type='HAC', maxlags=3, use_correction=False
SELECT 'x1' AS tag, r.n, r.hac_lags,
	abs(r.pre_level - 195.14458913166277) < 1e-9 AS pre_level,
	abs(r.pre_trend - 1.0358486353126972) < 1e-11 AS pre_trend,
	abs(r.level_change - (-24.71714314354564)) < 1e-9 AS level_change,
	abs(r.level_change_se - 7.208007840003005) < 1e-9 AS level_se,
	abs(r.level_change_p / 0.0006055357566179894 - 1) < 1e-7 AS level_p,
	abs(r.trend_change - 0.1272204428912871) < 1e-11 AS trend_change,
	abs(r.trend_change_se - 0.42561061768863534) < 1e-11 AS trend_se,
	abs(r.trend_change_p - 0.765006613639) < 1e-9 AS trend_p
FROM (SELECT (minqing.its(day, y, date '2002-02-06')).* FROM pol_sicily) r;

-- with month-of-year dummies (seasonal_period 12)
SELECT 'x2' AS tag, r.n, r.hac_lags,
	abs(r.pre_level - 212.4691078147969) < 1e-9 AS pre_level,
	abs(r.pre_trend - 1.1034469380166163) < 1e-11 AS pre_trend,
	abs(r.level_change - (-29.111178975638737)) < 1e-9 AS level_change,
	abs(r.level_change_se - 3.4670859433449435) < 1e-9 AS level_se,
	abs(r.level_change_p / 4.602188675330679e-17 - 1) < 1e-6 AS level_p,
	abs(r.trend_change - 0.40177498210846574) < 1e-11 AS trend_change,
	abs(r.trend_change_se - 0.296540643632741) < 1e-11 AS trend_se,
	abs(r.trend_change_p - 0.17545794740123477) < 1e-9 AS trend_p
FROM (SELECT (minqing.its(day, y, date '2002-02-06', 12)).* FROM pol_sicily) r;

-- Daily series d = 0..149 from 2024-01-01, days 40 and 97 absent (not
-- observations), day 10 given as two half rows (duplicate days are summed),
-- rows fed in a scrambled order; policy 2024-03-15 (d = 74).
CREATE TABLE pol_daily AS
SELECT date '2024-01-01' + d AS day,
	(50 + 0.1 * d + (d % 7) * 3 + CASE WHEN d >= 74 THEN -8 + 0.05 * (d - 74) ELSE 0 END
	 + ((d * 7919) % 101) / 10.0)::float8 / CASE WHEN d = 10 THEN 2 ELSE 1 END AS y
FROM generate_series(0, 149) d, generate_series(1, 2) rep
WHERE d NOT IN (40, 97) AND (rep = 1 OR d = 10);

SELECT 'x3' AS tag, r.n, r.hac_lags,
	abs(r.pre_level - 63.10749148860515) < 1e-9 AS pre_level,
	abs(r.pre_trend - 0.11572834322879358) < 1e-11 AS pre_trend,
	abs(r.level_change - (-8.137737077181814)) < 1e-9 AS level_change,
	abs(r.level_change_se - 1.5257911955306873) < 1e-9 AS level_se,
	abs(r.level_change_p / 9.636200957299815e-08 - 1) < 1e-7 AS level_p,
	abs(r.trend_change - 0.025526030391100477) < 1e-11 AS trend_change,
	abs(r.trend_change_se - 0.037631758780034684) < 1e-11 AS trend_se,
	abs(r.trend_change_p - 0.4975746189194652) < 1e-9 AS trend_p
FROM (SELECT (minqing.its(day, y, date '2024-03-15' ORDER BY md5(day::text))).* FROM pol_daily) r;

SELECT 'x4' AS tag, r.n, r.hac_lags,
	abs(r.pre_level - 54.922808734172015) < 1e-9 AS pre_level,
	abs(r.pre_trend - 0.11017121565035866) < 1e-11 AS pre_trend,
	abs(r.level_change - (-8.50172239504001)) < 1e-9 AS level_change,
	abs(r.level_change_se - 0.4955205081463659) < 1e-9 AS level_se,
	abs(r.level_change_p / 5.556947194072011e-66 - 1) < 1e-6 AS level_p,
	abs(r.trend_change - 0.04035956575843318) < 1e-11 AS trend_change,
	abs(r.trend_change_se - 0.011079113701196602) < 1e-11 AS trend_se,
	abs(r.trend_change_p / 0.0002696344275889638 - 1) < 1e-7 AS trend_p
FROM (SELECT (minqing.its(day, y, date '2024-03-15', 7 ORDER BY day DESC)).* FROM pol_daily) r;

-- before_after: cases(d) = 20 + (7919d mod 13) + 5·[d ≥ 74], d = 0..119, day 5
-- has no rows (a zero day), each day split over (7919d mod 3) + 1 rows.
-- Reference: statsmodels Poisson GLM of the zero-filled daily counts on post.
CREATE TABLE pol_counts AS
SELECT date '2024-01-01' + d AS day,
	(20 + (d * 7919) % 13 + CASE WHEN d >= 74 THEN 5 ELSE 0 END)::float8 / ((d * 7919) % 3 + 1) AS cases
FROM generate_series(0, 119) d, generate_series(1, 3) rep
WHERE d <> 5 AND rep <= (d * 7919) % 3 + 1;

SELECT 'x5' AS tag, r.pre_periods, r.post_periods,
	abs(r.pre_mean - 25.486486486486488) < 1e-12 AS pre_mean,
	abs(r.post_mean - 30.91304347826087) < 1e-12 AS post_mean,
	abs(r.rate_ratio - 1.2129189911936886) < 1e-12 AS rate_ratio,
	abs(r.rr_lo - 1.1322363005226277) < 1e-9 AS rr_lo,
	abs(r.rr_hi - 1.2993510970450588) < 1e-9 AS rr_hi,
	abs(r.p / 3.8806728893412505e-08 - 1) < 1e-6 AS p
FROM (SELECT (minqing.before_after(day, cases, date '2024-03-15' ORDER BY md5(cases::text || day))).* FROM pol_counts) r;

-- did: 16 clusters, 8 treated, unbalanced (formula in policy_ref.py).
-- Reference: statsmodels OLS cov_type='cluster' (its default correction is CR1,
-- G/(G−1)·(N−1)/(N−K), checked in the script) with use_t (t, G − 1 df).
CREATE TABLE pol_did AS
SELECT ((7919 * g + 104729 * i) % 997) / 100.0::float8 + (g % 5) * 0.7
	+ CASE WHEN i > 8 + g % 3 THEN 1.5 ELSE 0 END
	+ CASE WHEN g <= 8 AND i > 8 + g % 3 THEN 2.0 ELSE 0 END AS y,
	g <= 8 AS treated, i > 8 + g % 3 AS post, 'c' || g AS cluster
FROM generate_series(1, 16) g, generate_series(1, 20) i
WHERE (31 * g + 17 * i) % 11 <> 0;

SELECT 'x6' AS tag, r.n, r.clusters,
	abs(r.att - 0.14190811965813857) < 1e-12 AS att,
	abs(r.se - 1.5020942889937716) < 1e-12 AS se,
	abs(r.p - 0.9259834795769665) < 1e-10 AS p,
	abs(r.ci_lo - (-3.0597300700048904)) < 1e-9 AS ci_lo,
	abs(r.ci_hi - 3.3435463093211673) < 1e-9 AS ci_hi
FROM (SELECT (minqing.did(y, treated, post, cluster)).* FROM pol_did) r;

-- event_study: 20 clusters, periods −3..3, reference −1 (formula in policy_ref.py);
-- reference: statsmodels OLS on treated, period dummies and their interactions,
-- cov_type='cluster', use_t.
CREATE TABLE pol_es AS
SELECT ((7919 * g + 104729 * (k + 10) + 31337 * i) % 997) / 100.0::float8 + (g % 4) * 0.5 + 0.3 * k
	+ CASE WHEN g <= 10 AND k >= 0 THEN 1 + 0.5 * k ELSE 0 END AS y,
	g <= 10 AS treated, k AS period, 'c' || g AS cluster
FROM generate_series(1, 20) g, generate_series(-3, 3) k, generate_series(1, 4) i
WHERE (7 * g + 3 * i + 5 * (k + 3)) % 9 <> 0;

SELECT 'x7' AS tag, e.period, e.is_reference, e.n_treated, e.n_control,
	abs(e.estimate - ref.est) < 1e-12 AS estimate,
	abs(e.se - ref.se) < 1e-12 AS se,
	abs(e.p - ref.p) < 1e-10 AS p,
	abs(e.ci_lo - ref.lo) < 1e-9 AND abs(e.ci_hi - ref.hi) < 1e-9 AS ci
FROM (SELECT (unnest(minqing.event_study(y, treated, period, cluster))).* FROM pol_es) e
LEFT JOIN (VALUES
	(-3, -0.5067320261437598, 0.6777537213691593, 0.463816801769669, -1.925286867934126, 0.9118228156466064),
	(-2, -0.6758590102707263, 0.6331086895843036, 0.2991119513320009, -2.0009707266255674, 0.6492527060841151),
	(0, 0.770212418300679, 0.5194229733930186, 0.1545192610136199, -0.3169523594231721, 1.85737719602453),
	(1, 1.445077497665769, 0.660235315514617, 0.04130815983450988, 0.06318910072384654, 2.8269658946076914),
	(2, 2.0212917833800477, 0.7068900515207516, 0.010033342617115573, 0.5417539017252182, 3.5008296650348774),
	(3, 2.2146568627451266, 0.8254853541780045, 0.014723450956451294, 0.4868961598888386, 3.9424175656014144))
	AS ref(period, est, se, p, lo, hi) ON ref.period = e.period
ORDER BY e.period;

-- the reference period row, and an explicit reference period (0)
SELECT 'x8' AS tag, (e).period, (e).estimate, (e).se IS NULL AS se_null, (e).is_reference
FROM (SELECT unnest(minqing.event_study(y, treated, period, cluster)) AS e FROM pol_es) s
WHERE (e).is_reference;
SELECT 'x9' AS tag, e.period, round(e.estimate::numeric, 10) AS estimate
FROM unnest((SELECT minqing.event_study(y, treated, period, cluster, 0) FROM pol_es)) e
WHERE e.period IN (-1, 0, 1) ORDER BY 2;

-- clusters mixing treated and control rows ('k' || g mod 5, 5 clusters);
-- reference: the same statsmodels fits with these groups (policy_ref.py §8)
SELECT 'x9b' AS tag, r.clusters,
	abs(r.se - 0.48319904744972) < 1e-12 AS se,
	abs(r.p - 0.7836068512541281) < 1e-10 AS p,
	abs(r.ci_lo - (-1.1996675104698753)) < 1e-9 AND abs(r.ci_hi - 1.4834837497861526) < 1e-9 AS ci
FROM (SELECT (minqing.did(y, treated, post, 'k' || substr(cluster, 2)::int % 5)).* FROM pol_did) r;
SELECT 'x9c' AS tag, e.period, abs(e.se - ref.se) < 1e-12 AS se, abs(e.p - ref.p) < 1e-10 AS p
FROM (SELECT (unnest(minqing.event_study(y, treated, period, 'k' || substr(cluster, 2)::int % 5))).* FROM pol_es) e
JOIN (VALUES (-3, 0.24484209364787662, 0.10727536803773827), (-2, 0.627575451010669, 0.3421267356561158),
	(0, 0.2619870486899329, 0.04239388781075719), (1, 0.40045637737097944, 0.022585163520303302),
	(2, 0.3892791571760375, 0.006550249349337858), (3, 0.24343916120329773, 0.0008096351514649933))
	AS ref(period, se, p) ON ref.period = e.period
ORDER BY e.period;

-- content_shift: pre/post counts per category (policy_ref.py);
-- reference: scipy chi2_contingency(correction=False), jensenshannon(base=2)².
CREATE TABLE pol_cat AS
SELECT c AS category, post
FROM unnest(ARRAY['a', 'b', 'c', 'd', 'e', 'f', 'g'],
            ARRAY[120, 80, 45, 30, 0, 15, 10], ARRAY[100, 95, 20, 44, 12, 15, 1]) AS u(c, npre, npost),
	LATERAL (SELECT false AS post FROM generate_series(1, npre)
	         UNION ALL SELECT true FROM generate_series(1, npost)) x;

SELECT 'x10' AS tag, r.categories, r.df,
	abs(r.jsd - 0.049718462240672674) < 1e-14 AS jsd,
	abs(r.chi2 - 34.460562928454905) < 1e-11 AS chi2,
	abs(r.p / 5.480818164193219e-06 - 1) < 1e-9 AS p
FROM (SELECT (minqing.content_shift(category, post)).* FROM pol_cat) r;

-- resilience: baseline d < 60 from 2024-06-01, storm 2024-07-31 .. 2024-08-02,
-- day 2024-08-03 without rows (counts as 0); reference: an independent
-- pandas implementation of the SPEC formulas in policy_ref.py.
CREATE TABLE pol_storm AS
SELECT date '2024-06-01' + d AS day,
	(90 + (7919 * d) % 21 + CASE WHEN d BETWEEN 60 AND 69
		THEN (ARRAY[0, 210, 160, 90, 60, 40, 25, 15, 8, 4])[d - 59] ELSE 0 END)::float8 AS cases
FROM generate_series(0, 99) d WHERE d <> 63;

SELECT 'x11' AS tag, r.baseline, r.peak, r.peak_day, r.days_to_peak, r.recovery_day, r.days_to_recover,
	r.excess_cases, abs(r.peak_ratio - 3.181133968891119) < 1e-12 AS peak_ratio,
	abs(r.resilience_index - 28.908426209611775) < 1e-10 AS resilience_index
FROM (SELECT (minqing.resilience(day, cases, date '2024-07-31', date '2024-08-02')).* FROM pol_storm) r;

-- exact tails vs scipy (policy_dist.py); quantiles vs mpmath (scipy's t.ppf is
-- only good to ~1e-11 relative)
SELECT 'x12' AS tag,
	abs(minqing.t_p2(2.0, 5) / 0.10193947882985828 - 1) < 1e-12 AS t1,
	abs(minqing.t_p2(0.1, 1) / 0.9365489651388929 - 1) < 1e-12 AS t2,
	abs(minqing.t_p2(-3.5, 2.5) / 0.052345546960320316 - 1) < 1e-12 AS t3,
	abs(minqing.t_p2(10.0, 30) / 4.5752514082296097e-11 - 1) < 1e-10 AS t4,
	abs(minqing.t_p2(1.96, 1000) / 0.05027318495574871 - 1) < 1e-10 AS t5,
	abs(minqing.t_p2(40.0, 3) / 3.438068078915854e-05 - 1) < 1e-12 AS t6,
	minqing.t_p2(0, 7) AS t7;
SELECT 'x13' AS tag,
	abs(minqing.t_quantile(0.975, 1) / 12.706204736174693 - 1) < 1e-13 AS q1,
	abs(minqing.t_quantile(0.975, 9) / 2.262157162798205 - 1) < 1e-13 AS q2,
	abs(minqing.t_quantile(0.975, 29) / 2.0452296421327039 - 1) < 1e-13 AS q3,
	abs(minqing.t_quantile(0.995, 3.5) / 5.085702223091257 - 1) < 1e-13 AS q4,
	abs(minqing.t_quantile(0.025, 4) / -2.7764451051977996 - 1) < 1e-12 AS q5,
	abs(minqing.t_quantile(0.9999, 2) / 70.700071074968172 - 1) < 1e-12 AS q6;
SELECT 'x14' AS tag,
	abs(minqing.chi2_sf(3.84, 1) / 0.05004352124870519 - 1) < 1e-12 AS c1,
	abs(minqing.chi2_sf(100, 50) / 3.454931382984871e-05 - 1) < 1e-12 AS c2,
	abs(minqing.chi2_sf(0.5, 3) / 0.9188914116546758 - 1) < 1e-12 AS c3,
	abs(minqing.chi2_sf(12.0, 4) / 0.01735126523666451 - 1) < 1e-12 AS c4,
	abs(minqing.chi2_sf(250.0, 9) / 9.976151469298895e-49 - 1) < 1e-11 AS c5,
	abs(minqing.chi2_sf(0.001, 1) / 0.9747728793699604 - 1) < 1e-12 AS c6,
	abs(minqing.chi2_sf(30.0, 30) / 0.4656537089440098 - 1) < 1e-12 AS c7;

-- empty input: NULL fields, counts 0
SELECT 'x15' AS tag, (minqing.before_after(day, cases, date '2024-03-15')).* FROM pol_counts WHERE false;
SELECT 'x16' AS tag, (minqing.its(day, y, date '2024-03-15')).* FROM pol_daily WHERE false;
SELECT 'x17' AS tag, (minqing.did(y, treated, post, cluster)).* FROM pol_did WHERE false;
SELECT 'x18' AS tag, minqing.event_study(y, treated, period, cluster) IS NULL AS is_null FROM pol_es WHERE false;
SELECT 'x19' AS tag, (minqing.content_shift(category, post)).* FROM pol_cat WHERE false;
SELECT 'x20' AS tag, (minqing.resilience(day, cases, date '2024-07-31', date '2024-08-02')).* FROM pol_storm WHERE false;

-- NULL rows are skipped (same answers as without them)
SELECT 'x21' AS tag,
	(SELECT minqing.did(y, treated, post, cluster)::text FROM pol_did)
	= (SELECT minqing.did(y, treated, post, cluster)::text FROM
	   (SELECT * FROM pol_did UNION ALL VALUES (NULL, true, true, 'c1'), (1, NULL, true, 'c1'),
	    (1, true, NULL, 'c1'), (1, true, true, NULL)) s) AS did,
	(SELECT minqing.its(day, y, date '2024-03-15')::text FROM pol_daily)
	= (SELECT minqing.its(day, y, date '2024-03-15')::text FROM
	   (SELECT * FROM pol_daily UNION ALL VALUES (NULL, 1.0), (date '2024-01-02', NULL)) s) AS its,
	(SELECT minqing.content_shift(category, post)::text FROM pol_cat)
	= (SELECT minqing.content_shift(category, post)::text FROM
	   (SELECT * FROM pol_cat UNION ALL VALUES (NULL, true), ('a', NULL)) s) AS content_shift,
	(SELECT minqing.resilience(day, cases, date '2024-07-31', date '2024-08-02')::text FROM pol_storm)
	= (SELECT minqing.resilience(day, cases, date '2024-07-31', d)::text FROM
	   (SELECT *, date '2024-08-02' AS d FROM pol_storm UNION ALL VALUES (NULL, 5.0, date '2024-08-02'),
	    (date '2024-06-02', NULL, date '2024-08-02'), (date '2024-06-02', 5.0, NULL)) s) AS resilience;

-- a single policy date per call; rows disagreeing are an error
SELECT 'x22' AS tag, (minqing.before_after(day, cases, date '2024-03-15' + (day = date '2024-02-01')::int)).*
FROM pol_counts;
SELECT 'x23' AS tag, (minqing.its(day, y, date '2024-03-15', CASE WHEN day < '2024-02-01' THEN 7 ELSE 14 END)).*
FROM pol_daily;

-- bad input
SELECT 'x24' AS tag, (minqing.before_after(day, cases, date '2025-01-01')).* FROM pol_counts;     -- policy after the data
SELECT 'x25' AS tag, (minqing.before_after(day, cases, date '2024-01-01')).* FROM pol_counts;     -- no day before it
SELECT 'x26' AS tag, (minqing.before_after(day, -1, date '2024-03-15')).* FROM pol_counts;        -- negative count
SELECT 'x27' AS tag, (minqing.before_after(day, 'NaN', date '2024-03-15')).* FROM pol_counts;     -- NaN
SELECT 'x28' AS tag, (minqing.before_after(day, cases, 'infinity')).* FROM pol_counts;            -- infinite date
SELECT 'x29' AS tag, (minqing.before_after(day, 0, date '2024-03-15')).* FROM pol_counts;         -- zero baseline: NULL ratio
SELECT 'x30' AS tag, (minqing.its(day, y, date '2023-01-01')).* FROM pol_daily;                   -- all rows after
SELECT 'x31' AS tag, (minqing.its(day, y, date '2024-01-03')).* FROM pol_daily WHERE day < '2024-01-05';  -- 4 days, 4 parameters
SELECT 'x32' AS tag, (minqing.its(day, y, date '2024-03-15', 0)).* FROM pol_daily;                -- bad period
SELECT 'x33' AS tag, (minqing.its(day, y, date '2024-03-15', 100)).* FROM pol_daily;              -- more parameters than days
SELECT 'x34' AS tag, (minqing.did(y, treated, post, cluster)).* FROM pol_did WHERE NOT treated;   -- a group missing
SELECT 'x35' AS tag, (minqing.did(y, treated, post, 'one')).* FROM pol_did;                       -- a single cluster
SELECT 'x36' AS tag, (minqing.did('Infinity', treated, post, cluster)).* FROM pol_did;
SELECT 'x37' AS tag, minqing.event_study(y, treated, period, cluster, 7) FROM pol_es;             -- no reference period
SELECT 'x38' AS tag, (minqing.content_shift(category, false)).* FROM pol_cat;                     -- all rows before
SELECT 'x39' AS tag, (minqing.content_shift('same', post)).* FROM pol_cat;                        -- one category: df 0
SELECT 'x40' AS tag, (minqing.resilience(day, cases, date '2024-06-02', date '2024-08-02')).* FROM pol_storm;  -- 1 baseline day
SELECT 'x41' AS tag, (minqing.resilience(day, cases, date '2024-09-30', date '2024-10-01')).* FROM pol_storm;  -- after the data
SELECT 'x42' AS tag, (minqing.resilience(day, cases, date '2024-08-02', date '2024-07-31')).* FROM pol_storm;  -- end before start
SELECT 'x43' AS tag, (minqing.resilience(day, CASE WHEN day < '2024-07-31' THEN 0 ELSE cases END,
	date '2024-07-31', date '2024-08-02')).* FROM pol_storm;                                     -- zero baseline
SELECT 'x44' AS tag, (minqing.resilience(day, CASE WHEN day > '2024-08-02' THEN 300 ELSE cases END,
	date '2024-07-31', date '2024-08-02')).* FROM pol_storm;                                     -- never recovers
SELECT 'x45' AS tag, minqing.t_p2(1, 0);
SELECT 'x46' AS tag, minqing.t_quantile(1.5, 3);
SELECT 'x47' AS tag, minqing.chi2_sf('NaN', 3);
SELECT 'x48' AS tag, minqing.did_final('\x0000'::bytea);                                          -- forged state
-- forged states: a header that claims more entries than bytes, a full hash table
SELECT 'x49' AS tag, minqing.its_trans('\x011500001800000000000000000000000100000000000000ffffff7f0000000000000000'::bytea,
	date '2024-01-01', 1, date '2024-01-02');
SELECT 'x50' AS tag, minqing.did_trans('\x011600006000000000000000020000000000000000000000000000000100000000000000000000000000000000000000010000000100000000000000000000000000000002000000000000000000000000000000000000000100000001000000000000000000000000000000'::bytea,
	1, true, true, 'b');

DROP TABLE pol_sicily, pol_daily, pol_counts, pol_did, pol_es, pol_cat, pol_storm;
