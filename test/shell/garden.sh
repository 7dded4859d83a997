#!/usr/bin/env bash
# The garden: every function, aggregate and window function of schema minqing
# (listed from pg_proc at test time, so functions added later are covered
# automatically) called with NULLs, empty input, one row, identical points,
# NaN, ±Infinity, zero and negative sizes, mixed SRIDs, unexpected geometry
# types and huge requests (test/garden/garden.sql builds the calls).  Each
# call must return a result or a clean ERROR whose SQLSTATE is not of class
# XX (internal error); the backend must not crash and the server must stay
# up.  One TAP line per function; the failing calls are printed under it.
#   GARDEN_ONLY=regex   restrict to functions whose signature matches
#   GARDEN_TIMEOUT=3s   statement_timeout of each call (a timeout is reported
#                       as a note, not a failure: cancellation is clean)
set -u
MQ_ROOT=${MQ_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
W=${MQ_WORK:-/tmp}/garden; rm -rf "$W"; mkdir -p "$W"
DB=mq_garden
timeout=${GARDEN_TIMEOUT:-3s}
. "$MQ_ROOT/test/lib/tap.sh"

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" -f "$MQ_ROOT/test/garden/garden.sql" >"$W/setup.log" 2>&1 \
	|| { not_ok "garden setup" "$(cat "$W/setup.log")"; tap_done; exit 1; }

# the call list: fn <US> label <US> query
q -F $'\x1f' -c "SELECT fn, label, q FROM garden.calls() WHERE fn ~ '${GARDEN_ONLY:-.}'" >"$W/calls" || exit 1
total=$(wc -l <"$W/calls")
mapfile -t FN < <(cut -d $'\x1f' -f1 "$W/calls")
mapfile -t LB < <(cut -d $'\x1f' -f2 "$W/calls")
mapfile -t QS < <(cut -d $'\x1f' -f3 "$W/calls")

# run calls start..total-1 in one session; prints "idx<US>result" lines
run_from() {
	local start=$1 i
	{
		echo "SET statement_timeout = '$timeout';"
		echo "SET client_min_messages = error;"
		for ((i = start; i < total; i++)); do
			printf "SELECT %d, garden.try(\$garden\$%s\$garden\$);\n" "$i" "${QS[$i]}"
		done
	} | psql -X -q -At -F $'\x1f' -d "$DB" 2>>"$W/psql.err"
}

: >"$W/results"
start=0; crashes=()
t0=$(date +%s)
while [ "$start" -lt "$total" ]; do
	run_from "$start" >>"$W/results"
	last=$(tail -n 1 "$W/results" | cut -d $'\x1f' -f1)
	[ -z "$last" ] && last=$((start - 1))
	if [ "$last" -ge $((total - 1)) ]; then break; fi
	# the session died after call $last: the next call crashed the backend
	bad=$((last + 1)); crashes+=("$bad")
	printf '%s\x1fCRASH\n' "$bad" >>"$W/results"
	for _ in $(seq 1 60); do psql -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
	start=$((bad + 1))
done
secs=$(( $(date +%s) - t0 ))

# one TAP line per function
declare -A calls okc errc badc notes
while IFS=$'\x1f' read -r idx res; do
	f=${FN[$idx]}
	calls[$f]=$(( ${calls[$f]:-0} + 1 ))
	case "$res" in
	ok) okc[$f]=$(( ${okc[$f]:-0} + 1 )) ;;
	"error XX"*|CRASH)
		badc[$f]=$(( ${badc[$f]:-0} + 1 ))
		notes[$f]+="#   ${LB[$idx]}: $res"$'\n'"#     ${QS[$idx]:0:300}"$'\n' ;;
	"error 57014"*)
		errc[$f]=$(( ${errc[$f]:-0} + 1 ))
		notes[$f]+="#   note: ${LB[$idx]} hit statement_timeout ($timeout): cancelled cleanly, but not refused up front"$'\n' ;;
	error*) errc[$f]=$(( ${errc[$f]:-0} + 1 )) ;;
	esac
done <"$W/results"

while IFS= read -r f; do
	if [ "${badc[$f]:-0}" -gt 0 ] || [ "${calls[$f]:-0}" -eq 0 ]; then
		not_ok "$f: ${calls[$f]:-0} calls, ${badc[$f]:-0} internal errors or crashes"
	else
		ok 0 "$f: ${calls[$f]} calls, ${okc[$f]:-0} results, ${errc[$f]:-0} clean errors"
	fi
	[ -n "${notes[$f]:-}" ] && printf '%s' "${notes[$f]}"
done < <(printf '%s\n' "${FN[@]}" | sort -u)

if psql -X -q -At -d "$DB" -c "SELECT 1" >/dev/null 2>&1 && [ ${#crashes[@]} -eq 0 ]; then
	ok 0 "server up after $total calls in ${secs}s, no backend crash"
else
	not_ok "backend crashes at calls: ${crashes[*]:-none}; server up: $(psql -X -q -At -d postgres -c 'SELECT 1' 2>&1)"
fi
# summary of the SQLSTATEs seen (for the README and the lead)
echo "# sqlstates: $(cut -d $'\x1f' -f2 "$W/results" | awk '{print ($1 == "ok") ? "ok" : $2}' | sort | uniq -c | sort -rn | awk '{printf "%s x%s, ", $2, $1}')"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
tap_done
