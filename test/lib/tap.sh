# TAP helpers of the shell tests (test/shell/*.sh), sourced:
#   . "$MQ_ROOT/test/lib/tap.sh"
#   check DESCRIPTION GOT WANT   ok when GOT equals WANT; else "not ok" and both as diagnostics
#   ok STATUS DESCRIPTION        ok when STATUS is 0 (e.g. `cmd; ok $? "desc"`)
#   not_ok DESCRIPTION [DETAIL]  a failed assertion with an optional diagnostic
#   skip DESCRIPTION REASON      an assertion not run ("ok N - ... # SKIP reason")
#   q [PSQL ARGS ...]            psql -X -q -At -v ON_ERROR_STOP=1 on database $DB
#   qdb DATABASE [PSQL ARGS ...] the same on another database
#   tap_done                     print the plan "1..N"; status 1 when anything failed
# test/run.sh counts the "ok" / "not ok" lines against the plan: a script that
# dies before tap_done counts as failed.
n=0
fails=0

# one diagnostic line per line of text, "#   " in front, at most 2000 bytes
tap_diag() { printf '%s\n' "${1:0:2000}" | sed 's/^/#   /'; }

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	[ -n "${2:-}" ] && tap_diag "$2"
	fails=$((fails + 1))
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		tap_diag "got:  $2"
		tap_diag "want: $3"
		fails=$((fails + 1))
	fi
}

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "${DB:?DB is not set}" "$@"; }
qdb() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

tap_done() {
	echo "1..$n"
	[ "$fails" -eq 0 ]
}
