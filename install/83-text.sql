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
