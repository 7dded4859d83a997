#!/usr/bin/env bash
# Complaint text outside a UTF8 database: the segmenter, the text search
# configuration, term_counts and sentiment_score refuse with a clear error
# (SQLSTATE 0A000) instead of misreading bytes; and user words reach other
# sessions (relcache invalidation from the zh_userdict trigger).
set -u
. "$MQ_ROOT/test/lib/tap.sh"
err() { psql -X -q -At -d "$1" -c "\\set VERBOSITY sqlstate" -c "$2" 2>&1 | tail -1 | sed 's/^ERROR: *//'; }
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS mq_text_ascii" -c "DROP DATABASE IF EXISTS mq_text_utf8" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
psql -X -q -d postgres -c "SET client_min_messages = warning" \
	-c "CREATE DATABASE mq_text_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" \
	-c "CREATE DATABASE mq_text_utf8" >/dev/null || exit 1
psql -X -q -d mq_text_ascii -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null || exit 1
psql -X -q -d mq_text_utf8 -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null || exit 1

check "zh_segment in a SQL_ASCII database: feature not supported" "$(err mq_text_ascii "SELECT minqing.zh_segment('abc')")" "0A000"
check "to_tsvector('minqing.chinese') in a SQL_ASCII database" "$(err mq_text_ascii "SELECT to_tsvector('minqing.chinese', 'abc')")" "0A000"
check "term_counts in a SQL_ASCII database" "$(err mq_text_ascii "SELECT minqing.term_counts('abc')")" "0A000"
check "sentiment_score in a SQL_ASCII database" "$(err mq_text_ascii "SELECT minqing.sentiment_score('abc')")" "0A000"
check "text_similarity in a SQL_ASCII database" "$(err mq_text_ascii "SELECT minqing.text_similarity('abc', 'abd')")" "0A000"
check "the message names the encoding" \
	"$(psql -X -q -At -d mq_text_ascii -c "SELECT minqing.zh_segment('abc')" 2>&1 | head -1)" \
	"ERROR:  Chinese segmentation requires a UTF8 database"

# a session that has loaded the dictionary sees a word another session adds
coproc S { psql -X -q -At -d mq_text_utf8 2>&1; }
echo "SELECT array_to_string(minqing.zh_segment('明清市翠湖苑'), '|');" >&"${S[1]}"
read -r -t 60 before <&"${S[0]}"
psql -X -q -d mq_text_utf8 -c "INSERT INTO minqing.zh_userdict (word) VALUES ('翠湖苑')" >/dev/null
echo "SELECT array_to_string(minqing.zh_segment('明清市翠湖苑'), '|');" >&"${S[1]}"
read -r -t 60 after <&"${S[0]}"
psql -X -q -d mq_text_utf8 -c "DELETE FROM minqing.zh_userdict WHERE word = '翠湖苑'" >/dev/null
echo "SELECT array_to_string(minqing.zh_segment('明清市翠湖苑'), '|');" >&"${S[1]}"
read -r -t 60 again <&"${S[0]}"
echo "\\q" >&"${S[1]}"
[ -n "${S_PID:-}" ] && wait "$S_PID" 2>/dev/null  # the coprocess may already have exited (bash then unsets S_PID)
check "before: 翠湖苑 is not a word" "$before" "明清|市|翠|湖|苑"
check "another session's INSERT into zh_userdict is seen at once" "$after" "明清|市|翠湖苑"
check "and its DELETE too" "$again" "明清|市|翠|湖|苑"
tap_done
