-- pgTAP: complaint text (SPEC §10, docs/text.md).
BEGIN;
SELECT plan(55);

-- 1-4. zh_segment equals jieba.lcut(s, HMM=False) of Debian python3-jieba
-- 0.42.1 on 2,400 hand-written and generated sentences: token lengths computed
-- by test/reference/text_segment.py (column 2: default dictionary, column 3:
-- with the shipped user words and the test words below, empty when identical).
CREATE TEMP TABLE seg_ref (doc text, lens text, ulens text);
\copy seg_ref FROM '../reference/text_segment_corpus.tsv'
CREATE FUNCTION pg_temp.seglens(doc text) RETURNS text LANGUAGE sql AS
	$$ SELECT string_agg(char_length(t)::text, ',' ORDER BY o) FROM unnest(minqing.zh_segment(doc)) WITH ORDINALITY u(t, o) $$;
SELECT cmp_ok((SELECT count(*) FROM seg_ref), '>=', 2000::bigint, 'the reference corpus has at least 2,000 sentences');
SAVEPOINT nouser;
DELETE FROM minqing.zh_userdict;
SELECT is((SELECT count(*) FROM seg_ref WHERE pg_temp.seglens(doc) IS DISTINCT FROM lens), 0::bigint,
	'default dictionary: every sentence segments exactly as jieba.lcut(s, HMM=False)');
ROLLBACK TO SAVEPOINT nouser;
-- test words: keep in sync with TEST_WORDS of test/reference/text_segment.py
INSERT INTO minqing.zh_userdict (word, freq) VALUES ('明清市', NULL), ('翠湖苑', 5), ('中华人民共和国', 0),
	('和平路街道', NULL), ('Wi', 1000), ('楼道里', NULL), ('太危险', 3000);
SELECT is((SELECT count(*) FROM seg_ref WHERE pg_temp.seglens(doc) IS DISTINCT FROM coalesce(nullif(ulens, ''), lens)), 0::bigint,
	'user words: every sentence segments as jieba after add_word of the same words (dictionary total kept)');
SELECT is((SELECT count(*) FROM seg_ref WHERE array_to_string(minqing.zh_segment(doc), '') <> doc), 0::bigint,
	'the tokens concatenate to the document');
ROLLBACK TO SAVEPOINT nouser;

-- 5-8. hand-checked examples (jieba 0.42.1, HMM=False)
SELECT is(minqing.zh_segment('我来到北京清华大学'), ARRAY['我', '来到', '北京', '清华大学'], 'jieba README example');
SELECT is(minqing.zh_segment('iPhone12 飞线充电!!'), ARRAY['iPhone12', ' ', '飞线充电', '!', '!'],
	'Latin letters and digits glued, space and punctuation single tokens, shipped user word');
SELECT is(minqing.zh_segment(E'a\r\nb\r'), ARRAY['a', E'\r\n', 'b', E'\r'], 'CR LF is one token');
SELECT is(minqing.zh_segment(''), '{}'::text[], 'empty document: empty array');

-- 9-10. NULL, and a 1 MB document
SELECT is(minqing.zh_segment(NULL), NULL, 'NULL document: NULL');
SELECT is((SELECT array_to_string(minqing.zh_segment(d), '') = d
	AND cardinality(minqing.zh_segment(d)) = 37450 * cardinality(minqing.zh_segment('电动车楼道充电！'))
	FROM (SELECT repeat('电动车楼道充电！', 37450) AS d) s), true,
	'a 1 MB document segments as its repeated sentence does');

-- 11. oversized document refused with the limit in the message
SELECT throws_ok($$SELECT minqing.zh_segment(repeat('a', 4 * 1024 * 1024 + 1))$$, '54000',
	'document too long for segmentation', 'a document over 4 MB is refused');

-- 12-13. the dictionary of this backend
SELECT is((SELECT (words, total) FROM minqing.zh_dictionary_info()), (349045::bigint, 60101967::bigint),
	'dictionary: 349,045 distinct words of dict.txt, total frequency 60,101,967 (jieba''s dt.total)');
SELECT cmp_ok((SELECT user_words FROM minqing.zh_dictionary_info()), '>=',
	(SELECT count(*) FROM minqing.zh_userdict WHERE builtin), 'shipped user words are loaded');

-- 14. a user word added in another transaction is seen (invalidation)
INSERT INTO minqing.zh_userdict (word, freq) VALUES ('飞线楼道', 100000);
SELECT is(minqing.zh_segment('飞线楼道'), ARRAY['飞线楼道'], 'a new user word takes effect at once');

-- 15-21. text search: minqing.chinese, a GIN index, @@ through the index
SELECT is(to_tsvector('minqing.chinese', '我要投诉：小区楼道里有人飞线充电，太危险了！WiFi 信号差')::text,
	$$'wifi':12 '信号':13 '危险':10 '小区':4 '差':14 '投诉':3 '有人':7 '楼道':5 '里':6 '飞线充电':8$$,
	'to_tsvector: jieba words, lower-cased, no spaces, punctuation or stop words (我, 要, 太, 了)');
SELECT is(plainto_tsquery('minqing.chinese', '楼道飞线充电')::text, $$'楼道' & '飞线充电'$$, 'plainto_tsquery segments the query');
-- a plain table (parallel workers cannot read temporary tables), dropped by the ROLLBACK
CREATE TABLE public.text_docs AS SELECT row_number() OVER () AS id, doc FROM seg_ref, generate_series(1, 4);
INSERT INTO text_docs SELECT 100000 + i, '第' || i || '号楼楼道里有人飞线充电' FROM generate_series(1, 50) i;
CREATE INDEX docs_fts ON text_docs USING gin (to_tsvector('minqing.chinese', doc));
ANALYZE text_docs;
SET LOCAL enable_seqscan = off;
SELECT matches(tap.explain($$SELECT id FROM text_docs WHERE to_tsvector('minqing.chinese', doc) @@ to_tsquery('minqing.chinese', '飞线充电')$$),
	'Bitmap Index Scan on docs_fts', '@@ uses the GIN index');
SELECT is((SELECT count(*) FROM text_docs WHERE to_tsvector('minqing.chinese', doc) @@ to_tsquery('minqing.chinese', '飞线充电')),
	(SELECT count(*) FROM text_docs WHERE '飞线充电' = ANY (minqing.zh_segment(doc))),
	'@@ through the index finds exactly the documents whose segmentation has the word');
SELECT is((SELECT count(*) FROM text_docs WHERE to_tsvector('minqing.chinese', doc) @@ to_tsquery('minqing.chinese', '楼道 & 飞线充电')),
	(SELECT count(*) FROM text_docs WHERE minqing.zh_segment(doc) @> ARRAY['楼道', '飞线充电']),
	'an AND query through the index');
RESET enable_seqscan;
SELECT is((SELECT count(*) FROM text_docs WHERE to_tsvector('minqing.chinese', doc) @@ to_tsquery('minqing.chinese', '的')), 0::bigint,
	'stop words are not indexed');
SELECT is(ts_headline('minqing.chinese', '小区楼道里有人飞线充电，太危险了', to_tsquery('minqing.chinese', '飞线充电')),
	'小区楼道里有人<b>飞线充电</b>，太危险了', 'ts_headline works with the parser');

-- 22-30. term_counts / termvec
SELECT is((SELECT minqing.term_counts(d)::text FROM (VALUES ('飞线充电 飞线充电 楼道的'), ('积水 停电 积水 WiFi'), (NULL)) v(d)),
	'{"wifi": 1, "停电": 1, "楼道": 1, "积水": 2, "飞线充电": 2}', 'term_counts: lexemes of minqing.chinese, NULL documents skipped');
SELECT ok((SELECT minqing.term_counts(d) FROM (VALUES (NULL::text)) v(d) WHERE false) IS NULL, 'term_counts of no rows is NULL');
SELECT is((SELECT count(*) FROM (
		SELECT term, count FROM minqing.terms((SELECT minqing.term_counts(doc) FROM text_docs))
		EXCEPT ALL
		SELECT lexeme, sum(cardinality(positions)) FROM text_docs, unnest(to_tsvector('minqing.chinese', doc)) GROUP BY lexeme) x)
	+ (SELECT count(*) FROM (
		SELECT lexeme, sum(cardinality(positions)) FROM text_docs, unnest(to_tsvector('minqing.chinese', doc)) GROUP BY lexeme
		EXCEPT ALL
		SELECT term, count FROM minqing.terms((SELECT minqing.term_counts(doc) FROM text_docs))) y), 0::bigint,
	'term_counts over 9,650 documents equals the lexeme counts of to_tsvector');
SELECT is(p.partial_aggregate AND p.parallel = p.serial, true, 'term_counts: parallel plan with partial aggregation equals serial')
FROM tap.parallel_check($$SELECT t.term, t.count FROM minqing.terms((SELECT minqing.term_counts(doc) FROM text_docs)) t$$) p;
SELECT is((SELECT minqing.term_counts(doc)::text::minqing.termvec::text FROM text_docs), (SELECT minqing.term_counts(doc)::text FROM text_docs),
	'termvec text round trip');
SELECT is(minqing.term_counts_finalfn(minqing.term_counts_combinefn(
		(SELECT minqing.term_counts(doc) FROM text_docs WHERE id % 2 = 0)::text::minqing.termvec,
		(SELECT minqing.term_counts(doc) FROM text_docs WHERE id % 2 = 1)::text::minqing.termvec))::text,
	(SELECT minqing.term_counts(doc)::text FROM text_docs), 'combine of text-shipped halves equals the single pass');
SELECT is('{"b": 1, "a\"x": 2, "b": 3}'::minqing.termvec::text, '{"a\"x": 2, "b": 4}', 'termvec input merges repeated terms and sorts');
SELECT throws_ok($$SELECT '{"a": 0}'::minqing.termvec$$, '22P02', NULL, 'termvec: a zero count is refused');
SELECT throws_ok($$SELECT '{"a": 1'::minqing.termvec$$, '22P02', NULL, 'termvec: truncated input is refused');

-- 31-35. top_terms: Dunning G² equals scipy.stats.chi2_contingency(lambda_="log-likelihood",
-- correction=False) (test/reference/text_topterms.py)
CREATE TEMP TABLE tt AS SELECT * FROM minqing.top_terms(
	'{"飞线充电": 40, "楼道充电": 25, "电动车": 30, "物业": 20, "噪音": 5, "积水": 1, "投诉": 60}',
	'{"飞线充电": 10, "楼道充电": 2, "电动车": 80, "物业": 200, "噪音": 150, "积水": 90, "投诉": 900, "停电": 40}', 10);
SELECT is((SELECT array_agg(term) FROM tt), ARRAY['飞线充电', '楼道充电', '电动车'], 'top_terms: the over-used terms, strongest first');
SELECT ok((SELECT bool_and(abs(tt.g2 - r.g2) < 1e-8 * r.g2 AND abs(tt.p - r.p) <= 1e-8 * r.p AND abs(tt.log_ratio - r.lr) < 1e-9
                           AND tt.target_count = r.a AND tt.reference_count = r.b)
           FROM tt JOIN (VALUES ('飞线充电', 40, 10, 137.341488704, 1.01533016412e-31, 5.02371606897),
                                ('楼道充电', 25, 2, 99.9808535366, 1.53877449377e-23, 6.66757225875),
                                ('电动车', 30, 80, 24.5697823203, 7.16667991795e-07, 1.60867856969)) r(term, a, b, g2, p, lr)
             USING (term)), 'top_terms: g2, p and log_ratio equal scipy''s');
SELECT is((SELECT count(*) FROM minqing.top_terms('{}', '{"a": 1}')), 0::bigint, 'top_terms of an empty target: no rows');
SELECT is((SELECT log_ratio FROM minqing.top_terms('{"a": 2}', '{"b": 4}', 1)), 3.0::float8, 'log_ratio with a zero reference count uses 0.5: log2((2/2) / (0.5/4))');
SELECT throws_ok($$SELECT * FROM minqing.top_terms('{"a": 2}', '{"b": 4}', 0)$$, '22023', 'k must be positive', 'top_terms: k must be positive');

-- 36-37. text_similarity equals a Python set computation on 409 pairs
-- (test/reference/text_similarity.py: NFKC, drop P*/Z*/Cc/Cf, bigram Jaccard)
CREATE TEMP TABLE simref (a text, b text, v float8);
\copy simref FROM '../reference/text_similarity_pairs.tsv'
SELECT is((SELECT count(*) FROM simref WHERE minqing.text_similarity(a, b) IS DISTINCT FROM v), 0::bigint,
	'text_similarity equals the Python reference on every pair');
SELECT is(minqing.text_similarity('ＡＢＣ，', 'abc'), 0::float8, 'NFKC folds full-width forms (ABC vs abc differ in case)');

-- 38-41. sentiment_score (minqing.zh_lexicon; values by hand from the shipped weights)
SELECT is((SELECT (s.score, s.positive, s.negative) FROM minqing.sentiment_score('我对处理结果非常满意，感谢工作人员及时回复！') s),
	(5.5::float8, 3, 0), 'praise: 非常(2)·满意(1.5) + 感谢(1.5) + 及时(1)');
SELECT is((SELECT (s.score, s.positive, s.negative) FROM minqing.sentiment_score('处理得不及时，很不满意') s),
	(-3.25::float8, 0, 2), 'negation flips, degree multiplies: -及时(1) - 很(1.5)·满意(1.5)');
SELECT is((SELECT (s.score, s.positive, s.negative) FROM minqing.sentiment_score('楼道没人管，太危险了') s),
	(-4.2::float8, 0, 2), 'multi-token entries and degree: 没人管(1.5) + 太(1.8)·危险(1.5)');
SAVEPOINT lex;
INSERT INTO minqing.zh_lexicon (word, kind, weight) VALUES ('飞线充电', 'negative', 3);
SELECT is((SELECT score FROM minqing.sentiment_score('有人飞线充电')), -3::float8, 'a user lexicon word takes effect at once');
ROLLBACK TO SAVEPOINT lex;

-- 42-46. term_burst equals a numpy Kleinberg (test/reference/text_burst.py)
CREATE TEMP TABLE bref (sid int, day int, d float8, r float8, s float8, g float8, bursting boolean, weight float8);
INSERT INTO bref VALUES
(1, 1, 113, 4, 2, 1, false, 0),
(1, 2, 115, 3, 2, 1, false, 0),
(1, 3, 85, 1, 2, 1, false, 0),
(1, 4, 118, 3, 2, 1, false, 0),
(1, 5, 116, 5, 2, 1, false, 0),
(1, 6, 106, 3, 2, 1, false, 0),
(1, 7, 92, 1, 2, 1, false, 0),
(1, 8, 86, 2, 2, 1, false, 0),
(1, 9, 104, 2, 2, 1, false, 0),
(1, 10, 107, 3, 2, 1, false, 0),
(1, 11, 84, 3, 2, 1, false, 0),
(1, 12, 86, 1, 2, 1, false, 0),
(1, 13, 89, 4, 2, 1, false, 0),
(1, 14, 93, 2, 2, 1, false, 0),
(1, 15, 100, 3, 2, 1, false, 0),
(1, 16, 86, 1, 2, 1, false, 0),
(1, 17, 115, 2, 2, 1, false, 0),
(1, 18, 115, 2, 2, 1, false, 0),
(1, 19, 103, 1, 2, 1, false, 0),
(1, 20, 94, 2, 2, 1, false, 0),
(1, 21, 115, 22, 2, 1, true, 56.6171596908),
(1, 22, 117, 20, 2, 1, true, 56.6171596908),
(1, 23, 100, 14, 2, 1, true, 56.6171596908),
(1, 24, 81, 8, 2, 1, true, 56.6171596908),
(1, 25, 100, 15, 2, 1, true, 56.6171596908),
(1, 26, 84, 14, 2, 1, true, 56.6171596908),
(1, 27, 89, 17, 2, 1, true, 56.6171596908),
(1, 28, 96, 20, 2, 1, true, 56.6171596908),
(1, 29, 118, 6, 2, 1, false, 0),
(1, 30, 113, 3, 2, 1, false, 0),
(1, 31, 117, 4, 2, 1, false, 0),
(1, 32, 84, 7, 2, 1, false, 0),
(1, 33, 94, 4, 2, 1, false, 0),
(1, 34, 98, 4, 2, 1, false, 0),
(1, 35, 99, 0, 2, 1, false, 0),
(1, 36, 104, 4, 2, 1, false, 0),
(1, 37, 98, 3, 2, 1, false, 0),
(1, 38, 85, 3, 2, 1, false, 0),
(1, 39, 85, 3, 2, 1, false, 0),
(1, 40, 83, 4, 2, 1, false, 0),
(1, 41, 96, 3, 2, 1, false, 0),
(1, 42, 87, 2, 2, 1, false, 0),
(1, 43, 116, 3, 2, 1, false, 0),
(1, 44, 113, 8, 2, 1, false, 0),
(1, 45, 87, 1, 2, 1, false, 0),
(1, 46, 118, 4, 2, 1, false, 0),
(1, 47, 117, 4, 2, 1, false, 0),
(1, 48, 85, 1, 2, 1, false, 0),
(1, 49, 87, 2, 2, 1, false, 0),
(1, 50, 116, 3, 2, 1, false, 0),
(1, 51, 88, 1, 2, 1, false, 0),
(1, 52, 89, 2, 2, 1, false, 0),
(1, 53, 83, 4, 2, 1, false, 0),
(1, 54, 110, 2, 2, 1, false, 0),
(1, 55, 80, 1, 2, 1, false, 0),
(1, 56, 102, 4, 2, 1, false, 0),
(1, 57, 89, 3, 2, 1, false, 0),
(1, 58, 102, 4, 2, 1, false, 0),
(1, 59, 81, 2, 2, 1, false, 0),
(1, 60, 101, 5, 2, 1, false, 0),
(2, 1, 48, 1, 3, 0.5, false, 0),
(2, 2, 53, 0, 3, 0.5, false, 0),
(2, 3, 56, 2, 3, 0.5, false, 0),
(2, 4, 59, 3, 3, 0.5, false, 0),
(2, 5, 51, 0, 3, 0.5, false, 0),
(2, 6, 32, 1, 3, 0.5, false, 0),
(2, 7, 50, 3, 3, 0.5, false, 0),
(2, 8, 36, 0, 3, 0.5, false, 0),
(2, 9, 51, 0, 3, 0.5, false, 0),
(2, 10, 50, 0, 3, 0.5, false, 0),
(2, 11, 50, 10, 3, 0.5, true, 25.8155081778),
(2, 12, 30, 6, 3, 0.5, true, 25.8155081778),
(2, 13, 53, 9, 3, 0.5, true, 25.8155081778),
(2, 14, 45, 5, 3, 0.5, true, 25.8155081778),
(2, 15, 35, 7, 3, 0.5, true, 25.8155081778),
(2, 16, 38, 2, 3, 0.5, false, 0),
(2, 17, 52, 0, 3, 0.5, false, 0),
(2, 18, 36, 2, 3, 0.5, false, 0),
(2, 19, 47, 2, 3, 0.5, false, 0),
(2, 20, 40, 0, 3, 0.5, false, 0),
(2, 21, 38, 1, 3, 0.5, false, 0),
(2, 22, 52, 2, 3, 0.5, false, 0),
(2, 23, 33, 3, 3, 0.5, false, 0),
(2, 24, 32, 1, 3, 0.5, false, 0),
(2, 25, 48, 0, 3, 0.5, false, 0),
(2, 26, 36, 0, 3, 0.5, false, 0),
(2, 27, 41, 2, 3, 0.5, false, 0),
(2, 28, 51, 0, 3, 0.5, false, 0),
(2, 29, 47, 1, 3, 0.5, false, 0),
(2, 30, 58, 3, 3, 0.5, false, 0),
(2, 31, 51, 2, 3, 0.5, false, 0),
(2, 32, 55, 0, 3, 0.5, false, 0),
(2, 33, 35, 0, 3, 0.5, false, 0),
(2, 34, 55, 0, 3, 0.5, false, 0),
(2, 35, 57, 0, 3, 0.5, false, 0),
(2, 36, 54, 0, 3, 0.5, false, 0),
(2, 37, 56, 1, 3, 0.5, false, 0),
(2, 38, 51, 1, 3, 0.5, false, 0),
(2, 39, 35, 1, 3, 0.5, false, 0),
(2, 40, 38, 0, 3, 0.5, false, 0),
(2, 41, 33, 0, 3, 0.5, false, 0),
(2, 42, 42, 1, 3, 0.5, false, 0),
(2, 43, 34, 1, 3, 0.5, false, 0),
(2, 44, 41, 0, 3, 0.5, false, 0),
(2, 45, 30, 1, 3, 0.5, false, 0),
(2, 46, 44, 2, 3, 0.5, false, 0),
(2, 47, 31, 0, 3, 0.5, false, 0),
(2, 48, 53, 1, 3, 0.5, false, 0),
(2, 49, 39, 1, 3, 0.5, false, 0),
(2, 50, 46, 1, 3, 0.5, false, 0),
(2, 51, 55, 4, 3, 0.5, true, 9.14014695911),
(2, 52, 51, 5, 3, 0.5, true, 9.14014695911),
(2, 53, 42, 4, 3, 0.5, true, 9.14014695911),
(2, 54, 38, 3, 3, 0.5, true, 9.14014695911),
(2, 55, 35, 3, 3, 0.5, true, 9.14014695911),
(2, 56, 30, 4, 3, 0.5, true, 9.14014695911),
(2, 57, 51, 3, 3, 0.5, true, 9.14014695911),
(2, 58, 53, 3, 3, 0.5, true, 9.14014695911),
(2, 59, 54, 6, 3, 0.5, true, 9.14014695911),
(2, 60, 58, 6, 3, 0.5, true, 9.14014695911),
(2, 61, 57, 4, 3, 0.5, false, 0),
(2, 62, 58, 1, 3, 0.5, false, 0),
(2, 63, 31, 1, 3, 0.5, false, 0),
(2, 64, 41, 2, 3, 0.5, false, 0),
(2, 65, 57, 1, 3, 0.5, false, 0),
(2, 66, 32, 0, 3, 0.5, false, 0),
(2, 67, 38, 0, 3, 0.5, false, 0),
(2, 68, 50, 0, 3, 0.5, false, 0),
(2, 69, 56, 1, 3, 0.5, false, 0),
(2, 70, 36, 0, 3, 0.5, false, 0),
(2, 71, 52, 1, 3, 0.5, false, 0),
(2, 72, 52, 1, 3, 0.5, false, 0),
(2, 73, 55, 3, 3, 0.5, false, 0),
(2, 74, 30, 1, 3, 0.5, false, 0),
(2, 75, 46, 3, 3, 0.5, false, 0),
(2, 76, 45, 0, 3, 0.5, false, 0),
(2, 77, 46, 1, 3, 0.5, false, 0),
(2, 78, 59, 0, 3, 0.5, false, 0),
(2, 79, 44, 0, 3, 0.5, false, 0),
(2, 80, 50, 1, 3, 0.5, false, 0),
(3, 1, 59, 2, 2, 1, false, 0),
(3, 2, 66, 0, 2, 1, false, 0),
(3, 3, 55, 2, 2, 1, false, 0),
(3, 4, 64, 4, 2, 1, false, 0),
(3, 5, 57, 2, 2, 1, false, 0),
(3, 6, 56, 2, 2, 1, false, 0),
(3, 7, 56, 2, 2, 1, false, 0),
(3, 8, 62, 4, 2, 1, false, 0),
(3, 9, 61, 4, 2, 1, false, 0),
(3, 10, 55, 4, 2, 1, false, 0),
(3, 11, 64, 3, 2, 1, false, 0),
(3, 12, 54, 1, 2, 1, false, 0),
(3, 13, 60, 3, 2, 1, false, 0),
(3, 14, 64, 3, 2, 1, false, 0),
(3, 15, 55, 4, 2, 1, false, 0),
(3, 16, 62, 5, 2, 1, false, 0),
(3, 17, 61, 2, 2, 1, false, 0),
(3, 18, 68, 7, 2, 1, false, 0),
(3, 19, 53, 4, 2, 1, false, 0),
(3, 20, 52, 2, 2, 1, false, 0),
(3, 21, 53, 2, 2, 1, false, 0),
(3, 22, 68, 3, 2, 1, false, 0),
(3, 23, 62, 3, 2, 1, false, 0),
(3, 24, 51, 7, 2, 1, false, 0),
(3, 25, 61, 2, 2, 1, false, 0),
(3, 26, 51, 3, 2, 1, false, 0),
(3, 27, 51, 4, 2, 1, false, 0),
(3, 28, 50, 3, 2, 1, false, 0),
(3, 29, 67, 3, 2, 1, false, 0),
(3, 30, 69, 2, 2, 1, false, 0),
(3, 31, 63, 0, 2, 1, false, 0),
(3, 32, 65, 5, 2, 1, false, 0),
(3, 33, 62, 2, 2, 1, false, 0),
(3, 34, 51, 1, 2, 1, false, 0),
(3, 35, 51, 4, 2, 1, false, 0),
(3, 36, 50, 3, 2, 1, false, 0),
(3, 37, 64, 5, 2, 1, false, 0),
(3, 38, 66, 5, 2, 1, false, 0),
(3, 39, 50, 3, 2, 1, false, 0),
(3, 40, 69, 3, 2, 1, false, 0);
SELECT is((SELECT count(*) FROM (SELECT b.*, minqing.term_burst(d, r, s, g) OVER (PARTITION BY sid ORDER BY day) AS m FROM bref b) x
           WHERE (m).bursting IS DISTINCT FROM bursting OR abs((m).weight - weight) > 1e-9 * greatest(1, weight)), 0::bigint,
	'term_burst: states and burst weights equal the numpy reference on 3 series (2 with bursts, 1 without)');
SELECT is((SELECT count(*) FILTER (WHERE (m).bursting) FROM (SELECT minqing.term_burst(d, r, s, g) OVER (PARTITION BY sid ORDER BY day) AS m FROM bref) x),
	23::bigint, 'term_burst: the 23 burst days of the reference');
SELECT is((SELECT array_agg(m IS NULL ORDER BY day) FROM (SELECT day, minqing.term_burst(d, r) OVER (ORDER BY day) AS m
	FROM (VALUES (1, 10, 1), (2, NULL, 1), (3, 10, 1)) v(day, d, r)) x), ARRAY[false, true, false], 'term_burst: a NULL row gets NULL');
SELECT throws_ok($$SELECT minqing.term_burst(10, 11) OVER () FROM (VALUES (1)) v$$, '22023', 'hits must be between 0 and docs', 'term_burst: hits > docs');
SELECT throws_ok($$SELECT minqing.term_burst(10, 1, 1) OVER () FROM (VALUES (1)) v$$, '22023', 's must be greater than 1', 'term_burst: s <= 1');

-- 47-51. generated text (src/generate_text.c): every order has content, the planted
-- surge and storm leave their words, and top_terms finds them
SELECT minqing.generate_city('text_city', 20000, 42) IS NOT NULL AS generated \gset
SELECT is((SELECT count(*) FROM text_city.work_order WHERE content IS NULL OR content = ''), 0::bigint,
	'generate_city fills content for every order');
SELECT is((SELECT array_agg(details ->> 'words' ORDER BY kind) FROM text_city.planted WHERE kind IN ('surge', 'storm')),
	ARRAY['["积水", "停电"]', '["飞线充电", "楼道充电"]'], 'planted records the words of the surge and the storm');
CREATE TEMP TABLE surge_tt AS
WITH s AS (SELECT minqing.admin_ancestor(unit_codes[1], 4) AS street, start_date, end_date FROM text_city.planted WHERE kind = 'surge'),
t AS (SELECT minqing.term_counts(w.content) tv FROM text_city.work_order w, s WHERE minqing.admin_ancestor(w.unit_code, 4) = s.street
      AND (w.created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN s.start_date AND s.end_date),
r AS (SELECT minqing.term_counts(w.content) tv FROM text_city.work_order w, s WHERE minqing.admin_ancestor(w.unit_code, 4) = s.street
      AND (w.created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN s.start_date - 56 AND s.start_date - 1),
c AS (SELECT minqing.term_counts(w.content) tv FROM text_city.work_order w)
SELECT 'weeks' AS ref, x.* FROM t, r, minqing.top_terms(t.tv, r.tv, 5) x
UNION ALL SELECT 'city', x.* FROM t, c, minqing.top_terms(t.tv, c.tv, 5) x;
SELECT ok((SELECT array_agg(term) FROM surge_tt WHERE ref = 'weeks') @> ARRAY['飞线充电', '楼道充电'],
	'top_terms: the surge street during the surge vs its previous 8 weeks has 飞线充电 and 楼道充电 in the top 5');
SELECT ok((SELECT array_agg(term) FROM surge_tt WHERE ref = 'city') @> ARRAY['飞线充电', '楼道充电'],
	'top_terms: the surge street during the surge vs the whole city has 飞线充电 and 楼道充电 in the top 5');
SELECT ok((SELECT array_agg(x.term) FROM
	(SELECT minqing.term_counts(w.content) tv FROM text_city.work_order w, text_city.planted p WHERE p.kind = 'storm'
	 AND (w.created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN p.start_date AND p.end_date + 2) t,
	(SELECT minqing.term_counts(w.content) tv FROM text_city.work_order w, text_city.planted p WHERE p.kind = 'storm'
	 AND (w.created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN p.start_date - 56 AND p.start_date - 1) r,
	minqing.top_terms(t.tv, r.tv, 5) x) @> ARRAY['积水', '停电'],
	'top_terms: the storm days vs the 8 weeks before have 积水 and 停电 in the top 5');

-- 52-53. the near-duplicate recipe of docs/text.md: pg_trgm candidates through a GIN index,
-- exact re-rank with text_similarity, finds every copy of a complaint
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE public.text_near AS
SELECT row_number() OVER (ORDER BY s.doc, c) AS id, s.doc
FROM (SELECT doc FROM seg_ref ORDER BY doc LIMIT 300) s, generate_series(1, 3) c;
CREATE INDEX text_near_trgm ON text_near USING gin (doc gin_trgm_ops);
ANALYZE text_near;
SET LOCAL pg_trgm.similarity_threshold = 0.3;
SET LOCAL enable_seqscan = off;
SELECT matches(tap.explain($$SELECT a.id, b.id FROM text_near a JOIN text_near b ON b.id > a.id AND b.doc % a.doc
	WHERE minqing.text_similarity(a.doc, b.doc) >= 0.6$$), 'text_near_trgm', 'the candidate join uses the trigram index');
SELECT is((SELECT count(*) FROM text_near a JOIN text_near b ON b.id > a.id AND b.doc % a.doc
           WHERE minqing.text_similarity(a.doc, b.doc) >= 0.6 AND a.doc = b.doc),
          (SELECT count(*) * 3 FROM (SELECT DISTINCT doc FROM text_near WHERE cardinality(show_trgm(doc)) > 0) d),
	'every copy of every complaint that has trigrams is found (3 pairs per complaint)');
RESET enable_seqscan;

-- 54-55. admin-unit names as user words
SAVEPOINT units;
SELECT is(minqing.zh_userdict_add_units('text_city.admin_unit'), (SELECT count(*) FROM text_city.admin_unit), 'zh_userdict_add_units adds the name of every unit of the generated city (3,248 with the grids)');
SELECT is(minqing.zh_segment('新华路街道新华路一社区有人飞线充电'), ARRAY['新华路街道', '新华路一社区', '有人', '飞线充电'],
	'unit names are then single words');
ROLLBACK TO SAVEPOINT units;

SELECT * FROM finish();
ROLLBACK;
