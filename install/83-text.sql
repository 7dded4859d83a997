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

CREATE FUNCTION minqing.zh_userdict_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'zh_userdict_changed'
	LANGUAGE C;
COMMENT ON FUNCTION minqing.zh_userdict_changed() IS
	'trigger of minqing.zh_userdict: makes every backend reload the user words';
CREATE TRIGGER zh_userdict_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON minqing.zh_userdict
	FOR EACH STATEMENT EXECUTE FUNCTION minqing.zh_userdict_changed();

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
	AS 'MODULE_PATHNAME', 'term_counts_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
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
