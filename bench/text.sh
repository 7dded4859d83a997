#!/usr/bin/env bash
# bench/text.sh — complaint-text throughput on the generated city: the
# segmenter (zh_segment), to_tsvector('minqing.chinese'), term_counts and
# sentiment_score next to a length(content) scan and count(*), serial (one
# core), plus the dictionary load time and size of a fresh backend, and jieba
# itself (Debian python3-jieba, HMM=False) on the same text for scale.
#   bash bench/text.sh                       100k orders
#   MQ_BENCH_ORDERS=1000000 bash bench/text.sh
# Runs niced in a throwaway cluster (test/lib/cluster.sh); prints a markdown
# table (median of 3 runs after a warm-up).
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
N=${MQ_BENCH_ORDERS:-100000}
WORK=${MQ_WORK:-/tmp/minqing-bench-text-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}
export MQ_PORT=${MQ_PORT:-55497}
mkdir -p "$WORK"; chmod 755 "$WORK"
trap 'mq_stop_cluster' EXIT
trap 'exit 130' INT TERM
mq_build_install "$WORK" || exit 1
mq_start_cluster "$WORK" || exit 1
PSQL="nice psql -X -q -At -v ON_ERROR_STOP=1 -d postgres"
$PSQL -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null 2>&1
$PSQL -c "SELECT minqing.generate_city('b', $N, 42)" >/dev/null
$PSQL -c "VACUUM ANALYZE b.work_order" >/dev/null

# CPU time of the backend (user + system, from /proc) for one statement, in ms:
# the median of 3 runs after a warm-up.  CPU time, not wall time, because the
# machine is shared (load average in the header); the ratios are what count.
TICK=$(getconf CLK_TCK)
ms() {
	{ echo "SET max_parallel_workers_per_gather = 0;"; echo "SELECT pg_backend_pid() AS pid \\gset"; echo "\\setenv MQPID :pid"; echo '\o /dev/null'; echo "$1;"
	  for k in 1 2 3; do echo "\\! awk '{print \"cpu\", \$14 + \$15}' /proc/\$MQPID/stat"; echo "$1;"; done
	  echo "\\! awk '{print \"cpu\", \$14 + \$15}' /proc/\$MQPID/stat"; } |
		$PSQL 2>/dev/null | awk -v tick="$TICK" '$1 == "cpu" { if (n++) print ($2 - prev) * 1000 / tick; prev = $2 }' | sort -g | sed -n 2p
}
r() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.1f", a / b }'; }
mbs() { awk -v b="$1" -v t="$2" 'BEGIN { if (t == "" || t == 0) print "–"; else printf "%.2f", b / 1048576 / (t / 1000) }'; }
ops() { awk -v n="$1" -v t="$2" 'BEGIN { if (t == "" || t == 0) print "–"; else printf "%.0f", n / (t / 1000) }'; }

bytes=$($PSQL -c "SELECT sum(octet_length(content)) FROM b.work_order")
chars=$($PSQL -c "SELECT round(avg(length(content))) FROM b.work_order")
info=$($PSQL -c "SELECT load_ms, bytes, words, nodes FROM minqing.zh_dictionary_info()")
count=$(ms "SELECT count(*) FROM b.work_order")
len=$(ms "SELECT sum(length(content)) FROM b.work_order")
seg=$(ms "SELECT sum(cardinality(minqing.zh_segment(content))) FROM b.work_order")
tsv=$(ms "SELECT sum(length(to_tsvector('minqing.chinese', content))) FROM b.work_order")
tc=$(ms "SELECT minqing.term_counts(content) IS NULL FROM b.work_order")
sent=$(ms "SELECT sum((minqing.sentiment_score(content)).score) FROM b.work_order")

jieba=""
if /usr/bin/python3 -c "import jieba" 2>/dev/null; then
	$PSQL -c "\\copy (SELECT content FROM b.work_order ORDER BY id) TO '$WORK/content.txt'" >/dev/null
	jieba=$(nice /usr/bin/python3 - "$WORK/content.txt" <<'PY'
import sys, time, jieba
jieba.setLogLevel(60)
jieba.initialize()
docs = open(sys.argv[1], encoding="utf-8").read().split("\n")
t = time.process_time()
for d in docs:
    jieba.lcut(d, HMM=False)
print("%.1f" % ((time.process_time() - t) * 1000))
PY
)
fi

echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $N generated orders, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MB of content (avg $chars characters), serial (1 core)."
echo "Dictionary of a fresh backend: load_ms | bytes | words | nodes = $info."
echo
echo "| query | CPU ms | ×count(*) | ×length scan | MB/s | orders/s |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| count(*) | $count | 1.0 | – | – | $(ops "$N" "$count") |"
echo "| sum(length(content)) | $len | $(r "$len" "$count") | 1.0 | $(mbs "$bytes" "$len") | $(ops "$N" "$len") |"
echo "| zh_segment(content) | $seg | $(r "$seg" "$count") | $(r "$seg" "$len") | $(mbs "$bytes" "$seg") | $(ops "$N" "$seg") |"
echo "| to_tsvector('minqing.chinese', content) | $tsv | $(r "$tsv" "$count") | $(r "$tsv" "$len") | $(mbs "$bytes" "$tsv") | $(ops "$N" "$tsv") |"
echo "| term_counts(content) | $tc | $(r "$tc" "$count") | $(r "$tc" "$len") | $(mbs "$bytes" "$tc") | $(ops "$N" "$tc") |"
echo "| sentiment_score(content) | $sent | $(r "$sent" "$count") | $(r "$sent" "$len") | $(mbs "$bytes" "$sent") | $(ops "$N" "$sent") |"
[ -n "$jieba" ] && echo "| jieba.lcut(HMM=False), Python 3.11, CPU time (outside the database) | $jieba | – | $(r "$jieba" "$len") | $(mbs "$bytes" "$jieba") | $(ops "$N" "$jieba") |"
