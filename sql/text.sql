-- Complaint text (SPEC §10): segmentation, search, hot words, similarity,
-- sentiment, bursts.  Reference values: test/pgtap/text.sql.
SELECT 't1' AS t, minqing.zh_segment('12345热线：小区楼道里有人飞线充电，WiFi也断了！');
SELECT 't2' AS t, minqing.zh_segment(E'电動車 ＡＢＣ１２３\r\n😀 100%');
SELECT 't3' AS t, minqing.zh_segment(''), minqing.zh_segment(NULL);
SELECT 't4' AS t, to_tsvector('minqing.chinese', '暴雨后小区门口积水严重，车辆无法通行，晚上还停电了。');
SELECT 't5' AS t, to_tsvector('minqing.chinese', '暴雨后小区门口积水严重') @@ plainto_tsquery('minqing.chinese', '小区积水') AS hit;
SELECT 't6' AS t, minqing.term_counts(d) FROM (VALUES ('楼道飞线充电，太危险'), ('楼道充电也危险'), (NULL)) v(d);
SELECT 't7' AS t, term, target_count, reference_count, round(g2::numeric, 4) AS g2, round(log_ratio::numeric, 4) AS log_ratio
FROM minqing.top_terms('{"飞线充电": 40, "投诉": 60}', '{"飞线充电": 10, "投诉": 900}');
SELECT 't8' AS t, minqing.text_similarity('小区楼道里有人飞线充电！', '小区楼道里 有人飞线充电'),
       round(minqing.text_similarity('小区楼道里有人飞线充电', '楼道里飞线充电太危险')::numeric, 4);
SELECT 't9' AS t, d, (minqing.sentiment_score(d)).* FROM (VALUES ('非常满意，感谢！'), ('物业推诿扯皮，太不作为了')) v(d);
SELECT 't10' AS t, day, (minqing.term_burst(100, h) OVER (ORDER BY day)).*
FROM (SELECT day, CASE WHEN day BETWEEN 5 AND 7 THEN 20 ELSE 3 END AS h FROM generate_series(1, 10) day) s;
-- errors
SELECT 't11' AS t, minqing.zh_segment(repeat('a', 4 * 1024 * 1024 + 1));
SELECT 't12' AS t, '{"a": -1}'::minqing.termvec;
SELECT 't13' AS t, * FROM minqing.top_terms('{"a": 1}', '{"a": 1}', 0);
SELECT 't14' AS t, minqing.term_burst(1, 2) OVER ();
SELECT 't15' AS t, minqing.term_burst(2, 1, 'NaN') OVER ();
