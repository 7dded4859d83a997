-- pgTAP: complaint text (SPEC §10, docs/text.md).
BEGIN;
SELECT plan(14);

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

SELECT * FROM finish();
ROLLBACK;
