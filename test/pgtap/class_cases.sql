-- pgTAP: st_dbscan against sklearn, knox against R surveillance, repeat_flag
-- against pandas on the generated city, repeat_kpi, limits (SPEC §9).
BEGIN;
SELECT plan(36);

-- st_dbscan reference: test/reference/class_cases_dbscan.py (Debian python3,
-- sklearn 1.2 DBSCAN(eps=1, metric='precomputed') on D* = max(d/120 m,
-- |dt|/2 days), min_samples 3 and 8), run once, output pasted here.  240
-- points in meters and seconds; no pair within 1% of either threshold, no
-- border point between two clusters; clusters renumbered by first point.
CREATE TABLE sd_ref (id int, x float8, y float8, ts int, l3 int, l8 int);
INSERT INTO sd_ref VALUES
	(1, 1956.11, 827.07, 364083, 0, 0),
	(2, 1833.83, 774.59, 487062, 0, 0),
	(3, 1843.69, 790.33, 603451, 0, 0),
	(4, 1824.68, 712.31, 515116, 0, 0),
	(5, 1852.74, 771.18, 561728, 0, 0),
	(6, 1946.16, 798.40, 590979, 0, 0),
	(7, 1888.38, 822.29, 541145, 0, 0),
	(8, 1938.98, 827.50, 551414, 0, 0),
	(9, 1918.42, 792.17, 487406, 0, 0),
	(10, 1969.27, 679.40, 414193, 0, 0),
	(11, 1914.51, 779.20, 397227, 0, 0),
	(12, 1874.47, 885.07, 372832, 0, 0),
	(13, 1879.00, 788.43, 615139, 0, 0),
	(14, 3101.62, 4341.84, 2459778, 1, 1),
	(15, 3000.10, 4434.64, 2516067, 1, 1),
	(16, 3168.35, 4449.45, 2356678, 1, 1),
	(17, 3145.28, 4422.82, 2392025, 1, 1),
	(18, 3083.75, 4380.54, 2385596, 1, 1),
	(19, 3068.08, 4434.15, 2568729, 1, 1),
	(20, 3118.51, 4478.04, 2391513, 1, 1),
	(21, 2980.74, 4497.85, 2504551, 1, 1),
	(22, 3103.97, 4367.69, 2497518, 1, 1),
	(23, 3103.28, 4426.27, 2593644, 1, 1),
	(24, 3089.55, 4398.12, 2470752, 1, 1),
	(25, 3120.36, 4471.53, 2466452, 1, 1),
	(26, 3106.96, 4458.79, 2490110, 1, 1),
	(27, 3050.29, 4439.89, 2494988, 1, 1),
	(28, 3134.43, 4438.35, 2428172, 1, 1),
	(29, 3090.37, 4492.41, 2586679, 1, 1),
	(30, 3057.93, 4438.13, 2538841, 1, 1),
	(31, 3064.34, 4381.12, 2408932, 1, 1),
	(32, 4062.77, 4044.68, 3932352, 2, 2),
	(33, 4121.89, 3998.86, 4115791, 2, 2),
	(34, 3993.81, 4051.22, 3897204, 2, 2),
	(35, 4043.53, 3966.25, 3919451, 2, 2),
	(36, 3965.73, 3994.33, 4111263, 2, 2),
	(37, 4115.70, 4003.26, 4018220, 2, 2),
	(38, 4115.06, 3957.32, 3908387, 2, 2),
	(39, 4063.31, 3990.42, 3916242, 2, 2),
	(40, 4159.81, 3953.92, 4059984, 2, 2),
	(41, 4041.61, 4069.51, 4024396, 2, 2),
	(42, 4158.14, 3961.73, 4102153, 2, 2),
	(43, 4108.40, 3923.07, 3948331, 2, 2),
	(44, 2197.49, 1900.98, 1762054, 3, 3),
	(45, 2108.47, 2064.94, 1756071, 3, 3),
	(46, 2132.34, 1910.63, 1775918, 3, 3),
	(47, 2149.32, 1985.68, 1791139, 3, 3),
	(48, 2055.89, 1940.55, 1860970, 3, 3),
	(49, 2091.75, 1970.81, 1699320, 3, 3),
	(50, 2133.79, 1951.88, 1830124, 3, 3),
	(51, 2067.79, 1962.32, 1809041, 3, 3),
	(52, 2141.52, 1913.52, 1795353, 3, 3),
	(53, 2222.02, 1878.89, 1822756, 3, 3),
	(54, 2090.70, 1928.30, 1849435, 3, 3),
	(55, 2126.64, 1999.47, 1698890, 3, 3),
	(56, 2148.90, 1950.00, 1615723, 3, 3),
	(57, 2017.29, 1936.55, 1704811, 3, 3),
	(58, 2028.72, 2002.30, 1777197, 3, 3),
	(59, 2201.61, 1961.24, 1740720, 3, 3),
	(60, 2161.30, 1950.59, 1670682, 3, 3),
	(61, 2140.30, 1962.76, 1712794, 3, 3),
	(62, 1176.59, 2898.11, 4333496, 4, 4),
	(63, 1119.06, 2879.57, 4321415, 4, 4),
	(64, 1271.52, 2875.17, 4312154, 4, 4),
	(65, 1200.04, 2849.85, 4244336, 4, 4),
	(66, 1194.22, 2884.27, 4441615, 4, 4),
	(67, 1267.45, 2921.87, 4440643, 4, 4),
	(68, 1261.02, 2828.99, 4463972, 4, 4),
	(69, 1120.25, 2874.20, 4444110, 4, 4),
	(70, 1193.92, 2818.52, 4295688, 4, 4),
	(71, 1163.05, 2780.34, 4395481, 4, 4),
	(72, 1200.33, 2896.05, 4301255, 4, 4),
	(73, 1221.22, 2867.59, 4282011, 4, 4),
	(74, 1199.53, 2909.99, 4353114, 4, 4),
	(75, 1186.16, 2800.58, 4392090, 4, 4),
	(76, 1267.56, 2856.18, 4477805, 4, 4),
	(77, 1140.21, 2924.30, 4349330, 4, 4),
	(78, 1200.19, 2841.70, 4420057, 4, 4),
	(79, 1241.99, 2890.29, 4479787, 4, 4),
	(80, 620.25, 3829.84, 605573, 5, 5),
	(81, 560.15, 3959.13, 541582, 5, 5),
	(82, 551.73, 3995.67, 539980, 5, 5),
	(83, 600.89, 3936.62, 647208, 5, 5),
	(84, 654.77, 3883.15, 598850, 5, 5),
	(85, 687.24, 3917.35, 731510, 5, 5),
	(86, 609.50, 3946.15, 552494, 5, 5),
	(87, 665.67, 3962.05, 575399, 5, 5),
	(88, 593.27, 3951.35, 592092, 5, 5),
	(89, 646.50, 3918.84, 567978, 5, 5),
	(90, 605.23, 3962.31, 499964, 5, 5),
	(91, 644.69, 3955.01, 539752, 5, 5),
	(92, 574.86, 3848.18, 751812, 5, 5),
	(93, 622.36, 3932.00, 752667, 5, 5),
	(94, 661.82, 3834.89, 609950, 5, 5),
	(95, 599.68, 3924.00, 517419, 5, 5),
	(96, 631.11, 3908.22, 516376, 5, 5),
	(97, 3148.68, 4833.79, 451547, 6, NULL),
	(98, 3094.54, 4770.70, 372286, 6, NULL),
	(99, 3152.73, 4773.61, 322306, 6, NULL),
	(100, 3064.00, 4753.59, 391886, 6, NULL),
	(101, 3054.69, 4779.45, 349333, 6, NULL),
	(102, 3119.12, 4808.95, 476427, 6, NULL),
	(103, 3133.36, 4753.81, 448306, 6, NULL),
	(104, 139.16, 70.72, 1679882, 7, 6),
	(105, 73.96, 122.72, 1672261, 7, 6),
	(106, 213.09, 108.85, 1738277, 7, 6),
	(107, 104.10, 151.66, 1834778, 7, 6),
	(108, 95.85, 106.75, 1680455, 7, 6),
	(109, 111.11, 129.81, 1742969, 7, 6),
	(110, 137.67, 216.89, 1899212, 7, 6),
	(111, 111.14, 242.30, 1748879, 7, 6),
	(112, 148.00, 116.64, 1744568, 7, 6),
	(113, 138.07, 90.63, 1816092, 7, 6),
	(114, 126.83, 150.58, 1795153, 7, 6),
	(115, 102.39, 162.65, 1773422, 7, 6),
	(116, 88.05, 126.36, 1767468, 7, 6),
	(117, 108.60, 205.62, 1797958, 7, 6),
	(118, 245.19, 151.42, 1866569, 7, 6),
	(119, 66.60, 125.96, 1888373, 7, 6),
	(120, 127.28, 9.40, 1660223, 7, 6),
	(121, 181.89, 205.63, 1664661, 7, 6),
	(122, 138.46, 130.41, 1893406, 7, 6),
	(123, 2142.39, 952.87, 3407386, 8, 7),
	(124, 2042.07, 959.79, 3397863, 8, 7),
	(125, 2124.72, 986.84, 3531392, 8, 7),
	(126, 2109.00, 921.87, 3480564, 8, 7),
	(127, 2145.77, 1024.85, 3419138, 8, 7),
	(128, 2144.96, 969.56, 3406386, 8, 7),
	(129, 2042.91, 930.31, 3551647, 8, 7),
	(130, 2142.03, 871.92, 3429677, 8, 7),
	(131, 2220.13, 853.56, 3457842, 8, 7),
	(132, 2026.25, 942.38, 3559883, 8, 7),
	(133, 2088.32, 921.40, 3471944, 8, 7),
	(134, 2120.92, 892.28, 3587747, 8, 7),
	(135, 2104.50, 921.62, 3529532, 8, 7),
	(136, 135.51, 2323.74, 4094030, 9, 8),
	(137, 70.39, 2227.15, 3915605, 9, 8),
	(138, 109.61, 2305.72, 4086403, 9, 8),
	(139, 155.00, 2349.95, 3883894, 9, 8),
	(140, 95.29, 2194.83, 4134707, 9, 8),
	(141, 89.19, 2232.42, 3875396, 9, 8),
	(142, 73.62, 2310.06, 3965617, 9, 8),
	(143, 203.07, 2301.22, 3957494, 9, 8),
	(144, 20.52, 2327.58, 4041596, 9, 8),
	(145, 107.16, 2333.70, 3964778, 9, 8),
	(146, 119.76, 2292.00, 4064973, 9, 8),
	(147, 119.76, 2239.82, 3959198, 9, 8),
	(148, 92.95, 2190.01, 3988772, 9, 8),
	(149, 168.95, 2203.83, 4075713, 9, 8),
	(150, 126.16, 2291.16, 3953543, 9, 8),
	(151, 214.51, 2221.23, 3963754, 9, 8),
	(152, 160.99, 2204.86, 4009883, 9, 8),
	(153, 87.68, 2324.61, 4067189, 9, 8),
	(154, 121.41, 2280.06, 4118068, 9, 8),
	(155, 1655.98, 2258.77, 3486708, 10, 9),
	(156, 1699.88, 2273.90, 3595480, 10, 9),
	(157, 1692.33, 2231.28, 3686524, 10, 9),
	(158, 1683.84, 2170.02, 3501789, 10, 9),
	(159, 1795.51, 2204.26, 3614130, 10, 9),
	(160, 1668.78, 2183.02, 3527575, 10, 9),
	(161, 1676.13, 2305.48, 3777360, 10, 9),
	(162, 1730.82, 2237.61, 3626956, 10, 9),
	(163, 1671.07, 2229.40, 3566804, 10, 9),
	(164, 1684.69, 2264.61, 3613776, 10, 9),
	(165, 1610.05, 2157.39, 3567379, 10, 9),
	(166, 1706.67, 2211.34, 3649464, 10, 9),
	(167, 4311.26, 2145.06, 451782, 11, 10),
	(168, 4244.96, 2181.91, 499984, 11, 10),
	(169, 4330.70, 2116.66, 597411, 11, 10),
	(170, 4317.47, 2075.24, 592325, 11, 10),
	(171, 4324.79, 2147.65, 589531, 11, 10),
	(172, 4365.82, 2102.09, 550796, 11, 10),
	(173, 4268.08, 2069.11, 531216, 11, 10),
	(174, 4290.87, 2050.79, 448984, 11, 10),
	(175, 4349.68, 2183.17, 574219, 11, 10),
	(176, 4402.75, 2054.63, 596541, 11, 10),
	(177, 4343.90, 2134.47, 440096, 11, 10),
	(178, 4290.72, 2123.10, 630251, 11, 10),
	(179, 4353.83, 2101.32, 469234, 11, 10),
	(180, 4403.02, 2161.38, 485389, 11, 10),
	(181, 4319.27, 2113.20, 549312, 11, 10),
	(182, 4283.22, 2101.07, 647068, 11, 10),
	(183, 4372.62, 2032.84, 463374, 11, 10),
	(184, 4266.92, 2109.97, 386543, 11, 10),
	(185, 4278.48, 2133.97, 594678, 11, 10),
	(186, 2494.69, 2454.35, 249252, 12, 11),
	(187, 2472.33, 2498.09, 221250, 12, 11),
	(188, 2531.22, 2482.13, 257356, 12, 11),
	(189, 2483.65, 2443.41, 186674, 12, 11),
	(190, 2538.58, 2519.58, 236588, 12, 11),
	(191, 2519.35, 2509.00, 236581, 12, 11),
	(192, 2518.96, 2494.90, 300498, 12, 11),
	(193, 2566.52, 2486.72, 211812, 12, 11),
	(194, 2535.72, 2554.17, 1728166, 13, 12),
	(195, 2524.66, 2523.47, 1756810, 13, 12),
	(196, 2557.16, 2491.66, 1729475, 13, 12),
	(197, 2442.49, 2496.91, 1733382, 13, 12),
	(198, 2523.38, 2525.94, 1773990, 13, 12),
	(199, 2486.08, 2519.30, 1763624, 13, 12),
	(200, 2499.44, 2449.52, 1803999, 13, 12),
	(201, 2528.48, 2492.91, 1781844, 13, 12),
	(202, 2511.10, 2462.08, 3957225, 14, 13),
	(203, 2514.24, 2546.33, 3954664, 14, 13),
	(204, 2502.03, 2522.52, 3911656, 14, 13),
	(205, 2462.54, 2495.71, 3964145, 14, 13),
	(206, 2451.72, 2496.71, 3968233, 14, 13),
	(207, 2486.11, 2509.76, 3964514, 14, 13),
	(208, 2540.79, 2493.41, 3973428, 14, 13),
	(209, 2443.72, 2496.47, 3966951, 14, 13),
	(210, 4764.52, 3193.11, 2168826, NULL, NULL),
	(211, 2824.90, 3556.35, 3831513, NULL, NULL),
	(212, 4849.22, 3085.59, 3344030, NULL, NULL),
	(213, 2745.39, 4720.38, 3696186, NULL, NULL),
	(214, 4122.88, 3737.32, 467840, NULL, NULL),
	(215, 4370.14, 191.48, 1014638, NULL, NULL),
	(216, 2694.96, 695.43, 57409, NULL, NULL),
	(217, 2666.29, 3853.73, 869422, NULL, NULL),
	(218, 4939.20, 1454.13, 2385048, NULL, NULL),
	(219, 4284.60, 1382.70, 2074360, NULL, NULL),
	(220, 1476.10, 3075.05, 2404734, NULL, NULL),
	(221, 4629.73, 3192.75, 2969871, NULL, NULL),
	(222, 741.54, 4046.06, 5161502, NULL, NULL),
	(223, 4032.76, 3993.92, 3303461, NULL, NULL),
	(224, 242.26, 3577.40, 2572995, NULL, NULL),
	(225, 1514.00, 3594.43, 887010, NULL, NULL),
	(226, 1283.21, 2318.76, 1562383, NULL, NULL),
	(227, 2170.21, 1448.63, 918638, NULL, NULL),
	(228, 708.10, 1277.27, 3500273, NULL, NULL),
	(229, 572.00, 849.00, 3729278, NULL, NULL),
	(230, 4537.83, 3445.44, 756764, NULL, NULL),
	(231, 2081.18, 318.77, 1139974, NULL, NULL),
	(232, 852.77, 4270.07, 2216668, NULL, NULL),
	(233, 4724.00, 955.13, 2004704, NULL, NULL),
	(234, 454.85, 4233.37, 4316128, NULL, NULL),
	(235, 4007.96, 4186.82, 2692224, NULL, NULL),
	(236, 3515.45, 2777.60, 1375187, NULL, NULL),
	(237, 4279.14, 2042.30, 3531368, NULL, NULL),
	(238, 1347.86, 4990.15, 3871922, NULL, NULL),
	(239, 2635.45, 4254.24, 504643, NULL, NULL),
	(240, 749.53, 1387.08, 2832475, NULL, NULL);
-- (sklearn: minpoints 3: 15 clusters, 31 noise; minpoints 8: 14 clusters, 38 noise)
SELECT is((SELECT count(*) FROM (SELECT l3, minqing.st_dbscan(ST_Point(x, y), to_timestamp(ts), 120, '2 days', 3)
                                     OVER (ORDER BY id) AS c FROM sd_ref) s
           WHERE c IS NOT DISTINCT FROM l3), 240::bigint, 'st_dbscan minpoints 3 equals sklearn DBSCAN on D*');
SELECT is((SELECT count(*) FROM (SELECT l8, minqing.st_dbscan(ST_Point(x, y), to_timestamp(ts), 120, '2 days', 8)
                                     OVER (ORDER BY id) AS c FROM sd_ref) s
           WHERE c IS NOT DISTINCT FROM l8), 240::bigint, 'st_dbscan minpoints 8 equals sklearn DBSCAN on D*');
-- the same points in lon/lat (minqing's own inverse projection around
-- Beijing): eps is in meters, the answer is the same
SELECT is((SELECT count(*) FROM (SELECT l3, minqing.st_dbscan(minqing.tm_unproject(ST_Point(x - 2500, y - 2500), 116.4, 39.9),
                                     to_timestamp(ts), 120, '2 days', 3) OVER (ORDER BY id) AS c FROM sd_ref) s
           WHERE c IS NOT DISTINCT FROM l3), 240::bigint, 'st_dbscan on lon/lat input measures eps in meters');
-- a different partition order renumbers the clusters but keeps them
SELECT is((SELECT count(DISTINCT (a, b)) FROM (
             SELECT minqing.st_dbscan(ST_Point(x, y), to_timestamp(ts), 120, '2 days', 3) OVER (ORDER BY id) AS a,
                    minqing.st_dbscan(ST_Point(x, y), to_timestamp(ts), 120, '2 days', 3) OVER (ORDER BY ts DESC, id) AS b
             FROM sd_ref) s WHERE a IS NOT NULL),
          (SELECT count(DISTINCT l3) FROM sd_ref), 'st_dbscan clusters do not depend on the partition order');
-- a large sparse partition: 200,000 fixture orders in one partition and by
-- category; every core point's cluster holds at least minpoints points
SELECT ok((SELECT bool_and(n >= 3) FROM (
             SELECT c, count(*) AS n FROM (SELECT category_code,
                 minqing.st_dbscan(geom, created_at, 300, '3 days', 3) OVER (PARTITION BY category_code) AS c
                 FROM tap.orders) s WHERE c IS NOT NULL GROUP BY category_code, c) t),
          'st_dbscan per category on 200,000 orders: every cluster has at least minpoints points');
SET LOCAL minqing.cluster_max_points = 100;
SELECT throws_ok($$SELECT minqing.st_dbscan(ST_Point(x, y), to_timestamp(ts), 120, '2 days', 3) OVER () FROM sd_ref$$,
                 '54000', 'st_dbscan: partition of 240 rows is above minqing.cluster_max_points = 100',
                 'st_dbscan refuses a partition above minqing.cluster_max_points before clustering');
SELECT throws_ok($$SELECT minqing.knox(ST_Point(x, y), to_timestamp(ts), 120, '2 days') FROM sd_ref$$,
                 '54000', 'knox: more than minqing.cluster_max_points = 100 points in one group',
                 'knox refuses more points than minqing.cluster_max_points');
RESET minqing.cluster_max_points;

-- knox reference: test/reference/class_cases_knox.R (R 4.2.2, surveillance
-- 1.20.3 knox(dist(t), dist(xy), eps.t = 7 days, eps.s = 300,
-- simulate.p.value = FALSE)): 150 points, no pair within 5 cm / 60 s of a
-- threshold.  close_space 371, close_time 1655, X = 60,
-- E = 54.944519015660; P(Poisson(E) >= X) = 0.264809513075 (ppois(X - 1, E,
-- lower.tail = FALSE); surveillance's own P(> X) is 0.223771503672).
CREATE TABLE kx_ref (id int, x float8, y float8, ts int);
INSERT INTO kx_ref VALUES
	(1, 1214.14, 2745.64, 4366676),
	(2, 1212.81, 1599.98, 2487289),
	(3, 2814.62, 1778.53, 210929),
	(4, 609.78, 2448.26, 940238),
	(5, 2114.12, 123.92, 2961661),
	(6, 2435.44, 2922.83, 874216),
	(7, 45.37, 887.78, 1435981),
	(8, 1848.91, 331.06, 533263),
	(9, 2424.83, 2559.02, 799531),
	(10, 2090.28, 373.83, 1108670),
	(11, 2711.89, 278.50, 2220131),
	(12, 451.76, 2725.26, 2359366),
	(13, 1561.84, 1233.20, 7724959),
	(14, 2826.25, 818.47, 1573904),
	(15, 1146.60, 2131.57, 7110201),
	(16, 1690.13, 244.15, 1367970),
	(17, 343.90, 2343.94, 1649625),
	(18, 544.03, 2729.49, 3166389),
	(19, 386.10, 1053.79, 7612787),
	(20, 572.52, 2584.99, 7770252),
	(21, 70.30, 2018.64, 3691954),
	(22, 2238.03, 214.99, 3660113),
	(23, 2549.52, 43.23, 3994731),
	(24, 1297.43, 443.53, 5480998),
	(25, 2798.81, 1698.93, 5010740),
	(26, 2106.02, 538.10, 1990598),
	(27, 1331.89, 1610.97, 4489054),
	(28, 2762.45, 2438.66, 3684340),
	(29, 2494.06, 1463.02, 2906193),
	(30, 528.98, 1929.79, 3437773),
	(31, 2367.32, 2217.87, 2301829),
	(32, 2070.64, 201.99, 2772399),
	(33, 286.07, 452.52, 3403826),
	(34, 18.05, 1930.16, 4532081),
	(35, 2882.08, 1030.49, 457782),
	(36, 521.73, 386.86, 5697496),
	(37, 532.86, 323.11, 3888812),
	(38, 2012.42, 2282.13, 4846666),
	(39, 2623.13, 1085.66, 6345133),
	(40, 481.64, 869.91, 1676659),
	(41, 1164.07, 511.51, 5147793),
	(42, 1649.12, 1723.16, 7669451),
	(43, 1075.34, 298.36, 3709811),
	(44, 2265.70, 1893.52, 1626052),
	(45, 2721.02, 2331.99, 2416143),
	(46, 1906.62, 1683.16, 6633288),
	(47, 676.62, 2226.23, 4019600),
	(48, 2298.53, 1921.64, 1134237),
	(49, 1727.05, 2796.17, 671772),
	(50, 2825.38, 1044.61, 4297799),
	(51, 2131.07, 1135.84, 7393722),
	(52, 1827.72, 31.05, 1837601),
	(53, 182.09, 1588.58, 4464140),
	(54, 1369.57, 1617.21, 6358855),
	(55, 2882.96, 1588.69, 4610230),
	(56, 667.92, 1786.99, 4448667),
	(57, 104.99, 1791.86, 1491999),
	(58, 8.11, 2557.38, 6772014),
	(59, 2003.99, 2837.94, 4293225),
	(60, 490.57, 1779.35, 2155363),
	(61, 2974.14, 1780.28, 2342352),
	(62, 1990.50, 730.15, 5115929),
	(63, 1230.35, 652.23, 7618956),
	(64, 384.10, 2391.84, 4724673),
	(65, 834.82, 922.06, 58336),
	(66, 2235.98, 877.85, 6182028),
	(67, 1414.02, 1715.89, 7399323),
	(68, 2388.85, 2834.94, 2815589),
	(69, 2967.82, 196.61, 4846693),
	(70, 2690.73, 1154.02, 5559499),
	(71, 1513.07, 877.68, 4526389),
	(72, 2159.15, 1688.02, 5960959),
	(73, 2252.02, 2096.14, 5356565),
	(74, 115.79, 263.14, 7646092),
	(75, 2429.24, 2021.08, 7741567),
	(76, 1609.34, 677.58, 6802712),
	(77, 2993.79, 1835.90, 2062191),
	(78, 1544.34, 2680.24, 4392499),
	(79, 568.57, 2450.37, 3590666),
	(80, 2914.24, 483.86, 684934),
	(81, 601.63, 2007.31, 1954655),
	(82, 356.21, 2731.00, 5440559),
	(83, 32.68, 831.30, 6878819),
	(84, 2098.04, 546.78, 5524793),
	(85, 1545.13, 2186.96, 4279967),
	(86, 2966.20, 2089.85, 2813273),
	(87, 1430.02, 2577.04, 2827190),
	(88, 134.20, 939.84, 4278744),
	(89, 317.15, 2377.15, 1228778),
	(90, 509.01, 1153.35, 5506341),
	(91, 892.42, 512.94, 4865278),
	(92, 559.24, 1310.69, 1258770),
	(93, 1869.40, 2600.58, 4078963),
	(94, 988.42, 2896.84, 2710254),
	(95, 1792.82, 1669.97, 4372983),
	(96, 2198.28, 1232.29, 1431788),
	(97, 934.87, 2495.22, 6213422),
	(98, 725.13, 1870.55, 3018287),
	(99, 1220.12, 1375.66, 682086),
	(100, 395.44, 1578.67, 7002908),
	(101, 833.52, 977.68, 5113576),
	(102, 2900.97, 771.24, 3030840),
	(103, 243.26, 1872.71, 699390),
	(104, 2179.82, 70.38, 1392633),
	(105, 1089.77, 2781.33, 2004273),
	(106, 13.12, 2106.33, 1171046),
	(107, 693.87, 2933.24, 5695528),
	(108, 996.92, 1705.58, 3421089),
	(109, 1924.18, 50.06, 4003574),
	(110, 561.47, 296.33, 5900350),
	(111, 1381.61, 1142.76, 6593898),
	(112, 1451.87, 2809.78, 7242658),
	(113, 769.67, 2105.24, 6701460),
	(114, 2655.42, 1562.46, 6761421),
	(115, 162.72, 2778.00, 4196072),
	(116, 1215.29, 506.50, 1439243),
	(117, 195.72, 1640.73, 3328572),
	(118, 2983.10, 2074.70, 3539965),
	(119, 800.77, 104.91, 5262794),
	(120, 621.91, 691.81, 7123289),
	(121, 347.33, 1861.82, 2211107),
	(122, 312.32, 1847.66, 2185425),
	(123, 259.11, 1982.09, 2256733),
	(124, 949.55, 255.02, 4759283),
	(125, 929.18, 376.58, 4663283),
	(126, 993.93, 337.92, 4731325),
	(127, 1955.80, 347.44, 6937835),
	(128, 1969.44, 370.01, 6928622),
	(129, 1981.48, 355.14, 6895718),
	(130, 845.40, 2886.06, 494139),
	(131, 745.96, 2854.79, 357635),
	(132, 825.29, 2788.00, 557662),
	(133, 768.42, 1885.90, 2318395),
	(134, 926.61, 1842.82, 2442628),
	(135, 902.12, 1926.86, 2273763),
	(136, 1518.82, 1560.31, 730302),
	(137, 1632.88, 1539.92, 864522),
	(138, 1535.51, 1587.72, 720535),
	(139, 984.10, 1522.62, 6953401),
	(140, 933.21, 1568.79, 6893898),
	(141, 944.34, 1608.62, 6935322),
	(142, 2163.52, 570.58, 4492138),
	(143, 2088.34, 500.07, 4391036),
	(144, 1996.08, 694.60, 4449267),
	(145, 2093.08, 1939.02, 7683677),
	(146, 2003.74, 2065.66, 7562772),
	(147, 2140.69, 1898.88, 7694318),
	(148, 665.72, 2349.52, 2162348),
	(149, 743.38, 2383.64, 2140287),
	(150, 655.13, 2467.42, 2064721);
SELECT is((SELECT (n, pairs, close_space, close_time, observed)::text FROM
             (SELECT (minqing.knox(ST_Point(x, y), to_timestamp(ts), 300, '7 days')).* FROM kx_ref) k),
          '(150,11175,371,1655,60)', 'knox counts equal R surveillance');
SELECT ok((SELECT abs(expected - 54.944519015660) < 1e-9 AND abs(p - 0.264809513075) < 1e-9
                  AND abs(ratio - 60 / 54.944519015660) < 1e-9
           FROM (SELECT (minqing.knox(ST_Point(x, y), to_timestamp(ts), 300, '7 days')).* FROM kx_ref) k),
          'knox expected and p equal R surveillance (p = P(Poisson(E) >= X))');
SELECT is((SELECT (n, pairs, close_space, close_time, observed)::text FROM
             (SELECT (minqing.knox(minqing.tm_unproject(ST_Point(x - 1500, y - 1500), 116.4, 39.9),
                                   to_timestamp(ts), 300, '7 days')).* FROM kx_ref) k),
          '(150,11175,371,1655,60)', 'knox on lon/lat input measures eps in meters');
-- parallel plan with a Partial Aggregate equals the serial answer
SELECT ok(partial_aggregate AND parallel = serial, 'knox: Partial Aggregate under forced parallelism, same answer as serial')
FROM tap.parallel_check($$SELECT category_code, (k).n, (k).close_space, (k).close_time, (k).observed,
                                 round((k).p::numeric, 9) AS p
                          FROM (SELECT category_code, minqing.knox(geom, created_at, 200, '2 days') AS k
                                FROM tap.orders GROUP BY category_code) s$$);
-- combining partial states (in either order) gives the single pass: the
-- pairs across the halves are counted
CREATE AGGREGATE pg_temp.knox_state(geometry, timestamptz, float8, interval) (SFUNC = minqing.knox_trans, STYPE = bytea);
CREATE TEMP TABLE kx_half AS
SELECT id % 2 AS half, pg_temp.knox_state(ST_Point(x, y), to_timestamp(ts), 300, '7 days') AS s FROM kx_ref GROUP BY 1;
SELECT is(minqing.knox_final(minqing.knox_combine((SELECT s FROM kx_half WHERE half = 0), (SELECT s FROM kx_half WHERE half = 1)))::text,
          (SELECT minqing.knox(ST_Point(x, y), to_timestamp(ts), 300, '7 days')::text FROM kx_ref),
          'knox: final(combine(half 0, half 1)) equals the single pass');
SELECT is(minqing.knox_final(minqing.knox_combine((SELECT s FROM kx_half WHERE half = 1), (SELECT s FROM kx_half WHERE half = 0)))::text,
          (SELECT minqing.knox(ST_Point(x, y), to_timestamp(ts), 300, '7 days')::text FROM kx_ref),
          'knox: combine order does not matter');
SELECT throws_ok($$SELECT minqing.knox_combine((SELECT s FROM kx_half WHERE half = 0),
                                              (SELECT pg_temp.knox_state(ST_Point(x, y), to_timestamp(ts), 301, '7 days') FROM kx_ref))$$,
                 '22023', 'knox: argument eps must be the same on every row of the group',
                 'knox: combining states with different eps is an error');
SELECT throws_ok($$SELECT minqing.knox_final(substring((SELECT s FROM kx_half WHERE half = 0) FROM 1 FOR 100))$$,
                 '22P03', NULL, 'knox: a truncated state is refused');

-- repeat_flag reference: test/reference/class_cases_repeat.py (Debian
-- python3-pandas) on minqing.generate_city('tap_city', 20000, 42), run once:
--   orders 20000 repeats 73 followed 73; fcr 19890/19927;
--   false_resolution 27/14920; gap_sum 706.852882;
--   md5 of "id:is_repeat:followed:gap" by id = 099219aefefc983242ff8ceea95e1c75
SELECT lives_ok($$SELECT minqing.generate_city('tap_city', 20000, 42)$$, 'generate the city for repeat_flag');
CREATE TEMP TABLE rp_city AS
SELECT id, resolved, caller_id,
       minqing.repeat_flag(caller_id, category_code, created_at) OVER (PARTITION BY caller_id ORDER BY created_at) AS r
FROM tap_city.work_order;
SELECT is((SELECT md5(string_agg(id || ':' || CASE WHEN (r).is_repeat THEN 't' ELSE 'f' END || ':' ||
                                 CASE WHEN (r).followed THEN 't' ELSE 'f' END || ':' ||
                                 COALESCE(to_char((r).prior_gap_days, 'FM999999990.000000'), ''), ',' ORDER BY id))
           FROM rp_city),
          '099219aefefc983242ff8ceea95e1c75', 'repeat_flag equals the pandas reference on the generated city (every row)');
SELECT is((SELECT (count(*) FILTER (WHERE (r).is_repeat), count(*) FILTER (WHERE (r).followed),
                   round(sum((r).prior_gap_days)::numeric, 6))::text FROM rp_city),
          '(73,73,706.852882)', 'repeat_flag: counts and gap sum equal pandas');
-- repeat_kpi over the whole period: the city row equals the pandas counts
SELECT is((SELECT (order_count, repeat_orders, first_contacts, round((fcr * first_contacts)::numeric),
                   resolved_orders, false_resolutions)::text
           FROM minqing.repeat_kpi('tap_city.work_order', '2023-12-01', '2026-02-01') WHERE group_by = 'all'),
          '(20000,73,19927,19890,14920,27)', 'repeat_kpi: city-wide repeat, FCR and false-resolution counts equal pandas');
-- per unit and department: the rates are minqing.rate's Wilson intervals
SELECT ok((SELECT bool_and(abs(k.fcr - (r).p) < 1e-12 AND abs(k.fcr_lo - (r).lo) < 1e-12 AND abs(k.fcr_hi - (r).hi) < 1e-12)
           FROM minqing.repeat_kpi('tap_city.work_order', '2023-12-01', '2026-02-01') k
           JOIN (SELECT o.department, minqing.rate(NOT (c.r).followed) FILTER (WHERE NOT (c.r).is_repeat) AS r
                 FROM rp_city c JOIN tap_city.work_order o USING (id) GROUP BY o.department) d
             ON k.group_by = 'department' AND k.group_code = d.department),
          'repeat_kpi: FCR by department is minqing.rate over non-repeat orders');
SELECT is((SELECT sum(order_count) FROM minqing.repeat_kpi('tap_city.work_order', '2023-12-01', '2026-02-01')
           WHERE group_by = 'unit'), 20000::numeric, 'repeat_kpi: units partition the orders');
-- a period: orders before it still make the first orders in it repeats
SELECT ok((SELECT repeat_orders > 0 FROM minqing.repeat_kpi('tap_city.work_order', '2025-01-01', '2025-07-01')
           WHERE group_by = 'all')
          AND (SELECT repeat_orders FROM minqing.repeat_kpi('tap_city.work_order', '2025-01-01', '2025-07-01')
               WHERE group_by = 'all')
            = (SELECT count(*) FROM rp_city JOIN tap_city.work_order o USING (id)
               WHERE (r).is_repeat AND o.created_at >= '2025-01-01' AND o.created_at < '2025-07-01'),
          'repeat_kpi: a period sees repeats of orders before it');
SELECT throws_ok($$SELECT * FROM minqing.repeat_kpi('tap_city.work_order', '2025-01-01', '2024-01-01')$$,
                 '22023', 'period_start must be before period_end', 'repeat_kpi: an empty period is an error');

-- the generator's planted repeat chains: every order after the first is a
-- repeat, every order but the last is followed
SELECT is((SELECT count(*) FILTER (WHERE (c.r).is_repeat <> (c.k > 1) OR (c.r).followed <> (c.k < c.len))
           FROM (SELECT (p.details->>'orders')::int AS len, r.r,
                        row_number() OVER (PARTITION BY r.caller_id ORDER BY o.created_at) AS k
                 FROM tap_city.planted p
                 JOIN rp_city r ON r.caller_id = p.details->>'caller_id'
                 JOIN tap_city.work_order o ON o.id = r.id
                 WHERE p.kind = 'repeat_chain') c),
          0::bigint, 'repeat_flag finds every planted repeat chain exactly');
SELECT is((SELECT sum((details->>'orders')::int) FROM tap_city.planted WHERE kind = 'repeat_chain'),
          (SELECT count(*) FROM rp_city r JOIN tap_city.planted p ON p.details->>'caller_id' = r.caller_id
           WHERE p.kind = 'repeat_chain')::bigint, 'every planted chain order is in the city');

-- class_cases on the generated city (the period of the city, defaults:
-- eps 100 m, 3 days; places of 100 m against the ring out to 300 m)
CREATE TEMP TABLE cc AS
SELECT * FROM minqing.class_cases('tap_city.work_order', '2024-01-01 00:00+08', '2026-01-01 00:00+08');
SELECT is((SELECT count(*) FROM tap_city.planted p WHERE p.kind = 'class_case'
           AND EXISTS (SELECT 1 FROM cc WHERE cc.rank <= 10 AND cc.chronic AND cc.category_code = p.category_code
                       AND ST_DWithin(cc.geom::geography, p.geom::geography, 100))),
          6::bigint, 'class_cases: every planted class case is chronic and in the top 10');
SELECT is((SELECT count(*) FROM tap_city.planted p JOIN cc ON cc.category_code = p.category_code
           AND ST_DWithin(cc.geom::geography, p.geom::geography, 150)
           WHERE p.kind = 'duplicate_event' AND cc.chronic),
          0::bigint, 'class_cases: no duplicate-only event is chronic');
SELECT ok((SELECT bool_and(cc.incidents BETWEEN (p.details->>'incidents')::int - 1 AND (p.details->>'incidents')::int + 1
                           AND cc.orders >= (p.details->>'orders')::int - 1)
           FROM tap_city.planted p JOIN cc ON cc.category_code = p.category_code AND cc.chronic
             AND ST_DWithin(cc.geom::geography, p.geom::geography, 100)
           WHERE p.kind = 'class_case'),
          'class_cases: duplicates merged: a planted place''s incidents are its planted incidents (±1 chance order)');
SELECT ok((SELECT bool_and(q >= p) AND bool_and(prev IS NULL OR prev <= (NOT chronic, q, p)) FROM
             (SELECT cc.*, lag((NOT chronic, q, p)) OVER (ORDER BY rank) AS prev FROM cc) s),
          'class_cases: strongest first (chronic, then q, then p), q >= p');
SELECT ok((SELECT bool_and(NOT chronic) FROM cc WHERE callers < 2),
          'class_cases: a place reported by one caller is a repeat caller, not a chronic class case');
-- a stricter rules table: only 4 incidents within 30 days count
CREATE TEMP TABLE strict_rules (name text, incidents int, within_days int);
INSERT INTO strict_rules VALUES ('4/30', 4, 30);
SELECT ok((SELECT count(*) FILTER (WHERE chronic) FROM minqing.class_cases('tap_city.work_order', '2024-01-01 00:00+08',
             '2026-01-01 00:00+08', rules => 'strict_rules'))
          < (SELECT count(*) FILTER (WHERE chronic) FROM cc), 'class_cases: the rules table decides which recurrence counts');

-- caller profiles: every planted caller gets its planted type
SET LOCAL TimeZone = 'Asia/Shanghai';
CREATE TEMP TABLE prof AS
SELECT caller_id, minqing.caller_profile(created_at, category_code, geom, satisfied) AS pr,
       mode() WITHIN GROUP (ORDER BY minqing.admin_ancestor(unit_code, 3)) AS district
FROM tap_city.work_order GROUP BY caller_id;
SELECT is((SELECT count(*) FROM tap_city.planted p JOIN prof ON prof.caller_id = p.details->>'caller_id'
           WHERE p.kind = 'caller_type' AND (prof.pr).caller_type = p.details->>'caller_type'),
          16::bigint, 'caller_profile: every planted caller of the four types gets its type');
SELECT ok((SELECT bool_and((pr).caller_type = 'self_interest') FROM prof
           JOIN tap_city.planted p ON p.details->>'caller_id' = prof.caller_id WHERE p.kind = 'repeat_chain'),
          'caller_profile: repeat-chain callers are self-interest sensitive');
SELECT ok(partial_aggregate AND parallel = serial, 'caller_profile: Partial Aggregate under forced parallelism, same answer as serial')
FROM tap.parallel_check($$SELECT department, (p).orders, (p).active_months, (p).categories,
                                 round((p).category_entropy::numeric, 9), round((p).repeat_share::numeric, 9),
                                 round((p).night_share::numeric, 9), (p).distinct_places
                          FROM (SELECT department, minqing.caller_profile(created_at, category_code, geom, satisfied) AS p
                                FROM tap_city.work_order GROUP BY department) s$$);
-- unit shares through suppress(): cells under k callers are NULL
SELECT ok((SELECT bool_and(CASE WHEN n.n < 10 THEN s.type_callers IS NULL ELSE s.type_callers = n.n END)
                  AND count(*) = (SELECT count(DISTINCT (district, (pr).caller_type)) FROM prof)
           FROM minqing.caller_type_shares('tap_city.work_order', '2023-01-01', '2027-01-01', 3) s
           JOIN (SELECT district, COALESCE((pr).caller_type, 'unclassified') AS t, count(*) AS n
                 FROM prof GROUP BY 1, 2) n ON n.district = s.unit_code AND n.t = s.caller_type),
          'caller_type_shares: counts per district equal the profiles, suppressed below k = 10');
SELECT is((SELECT round(sum(share)::numeric, 9) FROM minqing.caller_type_shares('tap_city.work_order', '2023-01-01', '2027-01-01', 2, 1)),
          1::numeric, 'caller_type_shares: shares of the city sum to 1 without suppression');

SELECT * FROM finish();
ROLLBACK;
