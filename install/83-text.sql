----------------------------------------------------------------------------
-- Complaint text (SPEC §10): jieba-compatible segmentation (src/segment.c),
-- docs/text.md.
----------------------------------------------------------------------------
CREATE FUNCTION minqing.zh_segment(doc text) RETURNS text[]
	AS 'MODULE_PATHNAME', 'zh_segment'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
-- stable because it reads the user words of minqing.zh_userdict
COMMENT ON FUNCTION minqing.zh_segment(text) IS
	'Chinese word segmentation: exactly jieba.lcut(doc, HMM=False) with jieba''s default dictionary plus the words of minqing.zh_userdict; every token, spaces and punctuation included';

-- User words.  A row adds a word as jieba's add_word(word, freq) does; a NULL
-- freq is jieba's suggest_freq(word) (just enough to cut the word out), 0
-- removes a dictionary word.  Rows are applied in word order (COLLATE "C").
CREATE TABLE minqing.zh_userdict (
	word     text PRIMARY KEY CHECK (word <> '' AND pg_catalog.octet_length(word) <= 1024),
	freq     int CHECK (freq >= 0),
	builtin  boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE minqing.zh_userdict IS
	'user words of the Chinese segmenter (jieba add_word semantics; NULL freq = suggest_freq); builtin rows ship with minqing';
SELECT pg_catalog.pg_extension_config_dump('minqing.zh_userdict', 'WHERE NOT builtin');

CREATE FUNCTION minqing.zh_config_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'zh_config_changed'
	LANGUAGE C;
COMMENT ON FUNCTION minqing.zh_config_changed() IS
	'statement trigger of minqing.zh_userdict and minqing.zh_lexicon: makes every backend reload them';
CREATE TRIGGER zh_userdict_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON minqing.zh_userdict
	FOR EACH STATEMENT EXECUTE FUNCTION minqing.zh_config_changed();

CREATE FUNCTION minqing.zh_dictionary_info(OUT words bigint, OUT nodes bigint, OUT bytes bigint,
		OUT total bigint, OUT load_ms float8, OUT user_words bigint) RETURNS record
	AS 'MODULE_PATHNAME', 'zh_dictionary_info'
	LANGUAGE C VOLATILE PARALLEL SAFE;
-- volatile because it reports this backend's load time and memory
COMMENT ON FUNCTION minqing.zh_dictionary_info() IS
	'the segmentation dictionary of this backend: words, trie nodes, bytes, frequency total, load time (ms), user words';

-- Shipped user words (builtin): category names and hotline vocabulary.
-- test/reference/text_segment.py reads this list between the BEGIN/END marks.
-- zh_userdict words BEGIN
INSERT INTO minqing.zh_userdict (word, builtin) SELECT w, true FROM pg_catalog.unnest(ARRAY[
	'公用事业', '生态环境', '住房保障', '交通出行', '公共安全', '卫生健康', '就业创业', '市场消费',
	'文体旅游', '城市管理', '社会保障', '政务服务', '垃圾清运', '食品安全', '医疗服务', '社会治安',
	'消防安全', '电动车充电', '物业管理', '房屋修缮', '交通秩序', '停车管理', '公交地铁', '道路维护',
	'违法建设', '占道经营', '社保医保', '入学招生', '教育收费', '就业服务', '大气污染', '水污染',
	'噪声扰民', '消费维权', '房产交易', '养老服务', '政务办事', '园林绿化', '文化活动', '休闲娱乐',
	'体育健身', '旅游服务', '宠物管理',
	'飞线充电', '楼道充电', '电动自行车', '充电桩', '噪音扰民', '不作为', '乱收费', '乱停车', '乱停乱放',
	'物业费', '停水', '积水', '井盖', '路灯不亮', '楼道', '小区', '工单', '回访', '接诉即办'
]) AS w;
-- zh_userdict words END

----------------------------------------------------------------------------
-- Text search: parser minqing.chinese (jieba tokens) and configuration
-- minqing.chinese (words and ASCII words, stop words removed), src/text.c.
----------------------------------------------------------------------------
CREATE FUNCTION minqing.zh_prsstart(internal, int4) RETURNS internal
	AS 'MODULE_PATHNAME', 'zh_prsstart' LANGUAGE C STRICT;
COMMENT ON FUNCTION minqing.zh_prsstart(internal, int4) IS 'text search parser minqing.chinese: start (segments the document)';
CREATE FUNCTION minqing.zh_prstoken(internal, internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'zh_prstoken' LANGUAGE C STRICT;
COMMENT ON FUNCTION minqing.zh_prstoken(internal, internal, internal) IS 'text search parser minqing.chinese: next token';
CREATE FUNCTION minqing.zh_prsend(internal) RETURNS void
	AS 'MODULE_PATHNAME', 'zh_prsend' LANGUAGE C STRICT;
COMMENT ON FUNCTION minqing.zh_prsend(internal) IS 'text search parser minqing.chinese: end';
CREATE FUNCTION minqing.zh_prslextype(internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'zh_prslextype' LANGUAGE C STRICT;
COMMENT ON FUNCTION minqing.zh_prslextype(internal) IS 'text search parser minqing.chinese: token types asciiword, word, blank';

CREATE TEXT SEARCH PARSER minqing.chinese (
	START = minqing.zh_prsstart, GETTOKEN = minqing.zh_prstoken, END = minqing.zh_prsend,
	HEADLINE = pg_catalog.prsd_headline, LEXTYPES = minqing.zh_prslextype);
COMMENT ON TEXT SEARCH PARSER minqing.chinese IS 'Chinese words as jieba.lcut(doc, HMM=False) cuts them (minqing.zh_segment)';
CREATE TEXT SEARCH DICTIONARY minqing.chinese_stop (TEMPLATE = pg_catalog.simple, STOPWORDS = minqing_chinese);
COMMENT ON TEXT SEARCH DICTIONARY minqing.chinese_stop IS 'lower-cases and removes the stop words of tsearch_data/minqing_chinese.stop';
CREATE TEXT SEARCH CONFIGURATION minqing.chinese (PARSER = minqing.chinese);
ALTER TEXT SEARCH CONFIGURATION minqing.chinese ADD MAPPING FOR word, asciiword WITH minqing.chinese_stop;
COMMENT ON TEXT SEARCH CONFIGURATION minqing.chinese IS 'Chinese complaint text: jieba words, lower-cased, stop words removed; spaces and punctuation ignored';

----------------------------------------------------------------------------
-- Hot words: term_counts → termvec, top_terms (Dunning G²), src/termvec.c
----------------------------------------------------------------------------
CREATE TYPE minqing.termvec;
CREATE FUNCTION minqing.termvec_in(cstring) RETURNS minqing.termvec
	AS 'MODULE_PATHNAME', 'termvec_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.termvec_in(cstring) IS 'input of termvec: {"term": count, ...}';
CREATE FUNCTION minqing.termvec_out(minqing.termvec) RETURNS cstring
	AS 'MODULE_PATHNAME', 'termvec_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.termvec_out(minqing.termvec) IS 'output of termvec: {"term": count, ...} sorted by term';
CREATE TYPE minqing.termvec (INPUT = minqing.termvec_in, OUTPUT = minqing.termvec_out,
	INTERNALLENGTH = VARIABLE, STORAGE = extended, ALIGNMENT = int4);
COMMENT ON TYPE minqing.termvec IS 'term → count vector of complaint text (portable, versioned; state of term_counts)';

CREATE FUNCTION minqing.term_counts_transfn(minqing.termvec, text) RETURNS minqing.termvec
	AS 'MODULE_PATHNAME', 'term_counts_transfn' LANGUAGE C STABLE PARALLEL SAFE;
-- stable because the segmentation reads the user words of minqing.zh_userdict
COMMENT ON FUNCTION minqing.term_counts_transfn(minqing.termvec, text) IS 'transition function of term_counts';
CREATE FUNCTION minqing.term_counts_combinefn(minqing.termvec, minqing.termvec) RETURNS minqing.termvec
	AS 'MODULE_PATHNAME', 'term_counts_combinefn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.term_counts_combinefn(minqing.termvec, minqing.termvec) IS 'combine function of term_counts';
CREATE FUNCTION minqing.term_counts_finalfn(minqing.termvec) RETURNS minqing.termvec
	AS 'MODULE_PATHNAME', 'term_counts_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.term_counts_finalfn(minqing.termvec) IS 'final function of term_counts (sorts and merges)';
CREATE AGGREGATE minqing.term_counts(doc text) (
	SFUNC = minqing.term_counts_transfn, STYPE = minqing.termvec,
	COMBINEFUNC = minqing.term_counts_combinefn,
	FINALFUNC = minqing.term_counts_finalfn, FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.term_counts(text) IS
	'term → count of the lexemes of to_tsvector(''minqing.chinese'', doc) over all rows (jieba words, lower-cased, no stop words)';

CREATE FUNCTION minqing.terms(tv minqing.termvec) RETURNS TABLE(term text, count bigint)
	AS 'MODULE_PATHNAME', 'termvec_terms' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION minqing.terms(minqing.termvec) IS 'the (term, count) pairs of a termvec, by term';

CREATE FUNCTION minqing.top_terms(target minqing.termvec, reference minqing.termvec, k int DEFAULT 20)
	RETURNS TABLE(term text, target_count bigint, reference_count bigint, g2 float8, p float8, log_ratio float8)
	AS 'MODULE_PATHNAME', 'top_terms' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION minqing.top_terms(minqing.termvec, minqing.termvec, int) IS
	'terms over-used in target compared with reference, strongest Dunning log-likelihood G² first; p from chi-square(1), log_ratio = log2 of the relative-frequency ratio (zero reference count as 0.5)';

----------------------------------------------------------------------------
-- Near-duplicates (src/text.c)
----------------------------------------------------------------------------
CREATE FUNCTION minqing.text_similarity(a text, b text) RETURNS float8
	AS 'MODULE_PATHNAME', 'text_similarity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.text_similarity(text, text) IS
	'Jaccard index of the character-bigram sets of a and b after NFKC and removing punctuation and spaces (a one-character text is its character); NULL when both are empty';

----------------------------------------------------------------------------
-- Sentiment: a lexicon for hotline language (src/sentiment.c, docs/text.md)
----------------------------------------------------------------------------
CREATE TABLE minqing.zh_lexicon (
	word     text PRIMARY KEY CHECK (word <> '' AND pg_catalog.octet_length(word) < 96),
	kind     text NOT NULL CHECK (kind IN ('positive', 'negative', 'negation', 'degree')),
	weight   float8 NOT NULL DEFAULT 1 CHECK (weight > 0 AND weight < 100),
	builtin  boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE minqing.zh_lexicon IS
	'sentiment lexicon of sentiment_score: positive / negative words with weights, negation words, degree words with multipliers; builtin rows ship with minqing';
SELECT pg_catalog.pg_extension_config_dump('minqing.zh_lexicon', 'WHERE NOT builtin');
CREATE TRIGGER zh_lexicon_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON minqing.zh_lexicon
	FOR EACH STATEMENT EXECUTE FUNCTION minqing.zh_config_changed();

INSERT INTO minqing.zh_lexicon (word, kind, weight, builtin) SELECT w, k, x, true FROM (VALUES
	-- complaints about the handling (strong)
	('投诉', 'negative', 1), ('拖延', 'negative', 1.5), ('推诿', 'negative', 2), ('不作为', 'negative', 2),
	('扯皮', 'negative', 2), ('敷衍', 'negative', 2), ('踢皮球', 'negative', 2), ('刁难', 'negative', 2),
	('不管不问', 'negative', 2), ('没人管', 'negative', 1.5), ('无人管', 'negative', 1.5), ('无人处理', 'negative', 1.5),
	('不满', 'negative', 1.5), ('不满意', 'negative', 1.5), ('失望', 'negative', 1.5), ('态度差', 'negative', 1.5),
	('冷漠', 'negative', 1.5), ('官僚', 'negative', 1.5), ('欺骗', 'negative', 2), ('拖欠', 'negative', 1.5),
	('乱收费', 'negative', 1.5), ('违规', 'negative', 1), ('违法', 'negative', 1),
	-- feelings of the caller
	('愤怒', 'negative', 2), ('气愤', 'negative', 2), ('生气', 'negative', 1.5), ('恼火', 'negative', 1.5),
	('无奈', 'negative', 1), ('着急', 'negative', 1), ('焦虑', 'negative', 1), ('担心', 'negative', 1),
	('害怕', 'negative', 1), ('受不了', 'negative', 1.5), ('忍无可忍', 'negative', 2.5), ('崩溃', 'negative', 2),
	('烦', 'negative', 1), ('闹心', 'negative', 1), ('寒心', 'negative', 2),
	-- conditions
	('扰民', 'negative', 1.5), ('噪音扰民', 'negative', 1.5), ('危险', 'negative', 1.5), ('安全隐患', 'negative', 1.5),
	('严重', 'negative', 1), ('恶劣', 'negative', 2), ('脏乱差', 'negative', 1.5), ('臭气熏天', 'negative', 1.5),
	('差', 'negative', 1), ('糟糕', 'negative', 1.5), ('困扰', 'negative', 1), ('影响', 'negative', 0.5),
	('故障', 'negative', 0.5), ('损坏', 'negative', 0.5),
	-- praise
	('感谢', 'positive', 1.5), ('谢谢', 'positive', 1), ('满意', 'positive', 1.5), ('及时', 'positive', 1),
	('点赞', 'positive', 1.5), ('表扬', 'positive', 1.5), ('称赞', 'positive', 1.5), ('感激', 'positive', 1.5),
	('认真', 'positive', 1), ('负责', 'positive', 1), ('热情', 'positive', 1), ('耐心', 'positive', 1),
	('高效', 'positive', 1), ('迅速', 'positive', 1), ('辛苦', 'positive', 1), ('专业', 'positive', 1),
	('周到', 'positive', 1), ('不错', 'positive', 1), ('好', 'positive', 1), ('放心', 'positive', 1),
	('解决', 'positive', 0.5), ('顺利', 'positive', 1), ('方便', 'positive', 1), ('干净', 'positive', 1),
	-- negation
	('不', 'negation', 1), ('没', 'negation', 1), ('没有', 'negation', 1), ('未', 'negation', 1),
	('无', 'negation', 1), ('非', 'negation', 1), ('别', 'negation', 1), ('并未', 'negation', 1),
	('从未', 'negation', 1), ('毫无', 'negation', 1), ('不是', 'negation', 1), ('尚未', 'negation', 1),
	('还没', 'negation', 1), ('一直没', 'negation', 1), ('不够', 'negation', 1),
	-- degree
	('非常', 'degree', 2), ('特别', 'degree', 2), ('十分', 'degree', 2), ('极其', 'degree', 2.5),
	('极', 'degree', 2), ('最', 'degree', 2), ('太', 'degree', 1.8), ('超', 'degree', 1.8),
	('很', 'degree', 1.5), ('真', 'degree', 1.5), ('真的', 'degree', 1.5), ('实在', 'degree', 1.6),
	('相当', 'degree', 1.6), ('更', 'degree', 1.5), ('越来越', 'degree', 1.5), ('比较', 'degree', 1.2),
	('较', 'degree', 1.2), ('有点', 'degree', 0.6), ('有些', 'degree', 0.6), ('稍微', 'degree', 0.5),
	('略', 'degree', 0.5)
) AS v(w, k, x);

CREATE FUNCTION minqing.sentiment_score(doc text, OUT score float8, OUT positive int, OUT negative int) RETURNS record
	AS 'MODULE_PATHNAME', 'sentiment_score' LANGUAGE C STABLE STRICT PARALLEL SAFE;
-- stable because it reads minqing.zh_lexicon and minqing.zh_userdict
COMMENT ON FUNCTION minqing.sentiment_score(text) IS
	'lexicon sentiment of a complaint (minqing.zh_lexicon): sum of signed word weights times degree words, flipped by negation words within a clause; counts of positive and negative contributions';

----------------------------------------------------------------------------
-- Emerging words: Kleinberg's two-state burst model (src/burst.c)
----------------------------------------------------------------------------
CREATE TYPE minqing.term_burst_result AS (bursting boolean, weight float8);
COMMENT ON TYPE minqing.term_burst_result IS
	'term_burst(): whether the row is in a burst state, and the weight of that burst (0 outside bursts)';
CREATE FUNCTION minqing.term_burst(docs float8, hits float8, s float8 DEFAULT 2, gamma float8 DEFAULT 1)
	RETURNS minqing.term_burst_result
	AS 'MODULE_PATHNAME', 'term_burst' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.term_burst(float8, float8, float8, float8) IS
	'window over (PARTITION BY term ORDER BY day): Kleinberg''s two-state batched burst model (KDD 2002 §4) of hits among docs per row; p1 = s·p0, entering a burst costs gamma·ln n';

CREATE FUNCTION minqing.zh_userdict_add_units(units regclass DEFAULT 'minqing.admin_unit') RETURNS bigint
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $zh_userdict_add_units$
DECLARE
	n bigint;
BEGIN
	-- the Chinese part of each name (up to the first space: "新华路街道 Xinhua Lu" -> 新华路街道)
	EXECUTE pg_catalog.format($q$
		INSERT INTO minqing.zh_userdict (word)
		SELECT DISTINCT w FROM (SELECT pg_catalog.split_part(pg_catalog.btrim(name::text), ' ', 1) AS w FROM %s) s
		WHERE w <> '' AND pg_catalog.octet_length(w) <= 1024
		ON CONFLICT (word) DO NOTHING$q$, units);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$zh_userdict_add_units$;
COMMENT ON FUNCTION minqing.zh_userdict_add_units(regclass) IS
	'adds the names of a table of admin units (its name column, Chinese part up to the first space) to minqing.zh_userdict; returns the number of new words';
