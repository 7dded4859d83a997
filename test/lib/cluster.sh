# Shared shell functions for make test / make demo / make bench.
# Sourced, not executed.  Everything runs a *throwaway* PostgreSQL cluster:
#  * a private copy of the PostgreSQL installation under $MQ_WORK/pgroot, into
#    which the extension is installed (make install DESTDIR=...), so the
#    system installation and any running cluster are never touched;
#  * initdb/postgres run as the `postgres` OS user (they refuse root) in a temp
#    dir it owns, listening only on a private Unix socket (no TCP port).
# Set MQ_EXISTING_PGHOST/MQ_EXISTING_PGPORT to use an existing cluster instead
# (the extension must already be installed there).

MQ_PGVER=${MQ_PGVER:-15}
MQ_ROOT=${MQ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MQ_PACKAGES="build-essential postgresql-$MQ_PGVER postgresql-server-dev-$MQ_PGVER postgresql-$MQ_PGVER-postgis-3 postgresql-$MQ_PGVER-pgtap postgresql-$MQ_PGVER-cron"
# test/shell/demo_report.sh renders the demo report with headless Chromium (CJK glyphs from Droid Sans
# Fallback) and counts the colours of the PNG with python3 (standard library only)
MQ_PACKAGES="$MQ_PACKAGES chromium fonts-droid-fallback python3"

mq_log() { printf '[minqing %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# test/shell/fuzz.sh runs sqlsmith for a bounded time
MQ_PACKAGES="$MQ_PACKAGES sqlsmith"
# the Chinese segmenter installs dict.txt of python3-jieba (Makefile JIEBA_DICT)
MQ_PACKAGES="$MQ_PACKAGES python3-jieba"

# Install what is missing (as root), or print the exact apt-get line and stop.
mq_ensure_packages() {
	local missing="" p
	for p in $MQ_PACKAGES $*; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" = 0 ]; then
		mq_log "installing missing packages:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2 || true
		apt-get install -y -qq --no-install-recommends $missing >&2 || { mq_log "apt-get failed"; return 1; }
	else
		echo "minqing: missing packages. Run as root:" >&2
		echo "  apt-get install -y$missing" >&2
		return 2
	fi
}

MQ_PG_CONFIG=/usr/lib/postgresql/$MQ_PGVER/bin/pg_config
# Compiler flags of test, demo, bench and CI builds, on top of the Makefile's
# warnings (a plain `make` does not fail on warnings).
MQ_CFLAGS=${MQ_CFLAGS:--Werror}

# Build, and install into a private copy of the PostgreSQL tree.
mq_build_install() {
	local work=$1
	local pgroot=$work/pgroot
	local libdir=/usr/lib/postgresql/$MQ_PGVER sharedir=/usr/share/postgresql/$MQ_PGVER
	if [ ! -x "$pgroot$libdir/bin/postgres" ] || [ "$libdir/bin/postgres" -nt "$pgroot$libdir/bin/postgres" ]; then
		rm -rf "$pgroot"
		mkdir -p "$pgroot$(dirname $libdir)" "$pgroot$(dirname $sharedir)"
		cp -a "$libdir" "$pgroot$(dirname $libdir)/"
		cp -a "$sharedir" "$pgroot$(dirname $sharedir)/"
	fi
	mq_log "building minqing"
	make -C "$MQ_ROOT" -s PG_CONFIG=$MQ_PG_CONFIG COPT="$MQ_CFLAGS" >&2 || return 1
	make -C "$MQ_ROOT" -s PG_CONFIG=$MQ_PG_CONFIG COPT="$MQ_CFLAGS" install DESTDIR="$pgroot" >/dev/null || return 1
	MQ_BIN=$pgroot$libdir/bin
	export MQ_BIN
}

# Start a throwaway cluster: sets PGHOST, PGPORT, PGUSER and MQ_DATA.
mq_start_cluster() {
	local work=$1
	if [ -n "${MQ_EXISTING_PGHOST:-}" ]; then
		export PGHOST=$MQ_EXISTING_PGHOST PGPORT=${MQ_EXISTING_PGPORT:-5432} PGUSER=${MQ_EXISTING_PGUSER:-postgres}
		mq_log "using existing cluster at $PGHOST:$PGPORT"
		return 0
	fi
	MQ_DATA=$work/cluster
	rm -rf "$MQ_DATA"; mkdir -p "$MQ_DATA/sock"
	chown -R postgres: "$work" 2>/dev/null || true
	local as=""
	[ "$(id -u)" = 0 ] && as="runuser -u postgres --"
	$as "$MQ_BIN/initdb" -D "$MQ_DATA/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$MQ_DATA/initdb.log" 2>&1 || { cat "$MQ_DATA/initdb.log" >&2; return 1; }
	cat "$MQ_ROOT/test/cluster.conf" >>"$MQ_DATA/data/postgresql.conf"
	export PGHOST=$MQ_DATA/sock PGPORT=${MQ_PORT:-55432} PGUSER=postgres
	# The server must not inherit our open descriptors (fd 3 and up): a
	# postmaster started under `flock LOCK make test` would otherwise keep
	# the merge lock for as long as it lives.
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		exec $as "$MQ_BIN/pg_ctl" -D "$MQ_DATA/data" -l "$MQ_DATA/server.log" -w -t 60 \
			-o "-k $PGHOST -p $PGPORT -c listen_addresses=''" start >/dev/null
	) || { cat "$MQ_DATA/server.log" >&2; return 1; }
	MQ_CLUSTER_STARTED=1
	mq_log "throwaway cluster up (socket $PGHOST, data $MQ_DATA/data)"
}

# Start (initdb only the first time) a cluster that is KEPT between runs, in
# directory $1 (make bench keeps its generated cities there).  Same settings
# and socket rules as mq_start_cluster; mq_stop_cluster stops it.
mq_start_kept_cluster() {
	local dir=$1 as=""
	[ "$(id -u)" = 0 ] && as="runuser -u postgres --"
	MQ_DATA=$dir
	mkdir -p "$MQ_DATA/sock"
	chown postgres: "$MQ_DATA" "$MQ_DATA/sock" 2>/dev/null || true
	if [ ! -f "$MQ_DATA/data/PG_VERSION" ]; then
		rm -rf "$MQ_DATA/data"
		$as "$MQ_BIN/initdb" -D "$MQ_DATA/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$MQ_DATA/initdb.log" 2>&1 || { cat "$MQ_DATA/initdb.log" >&2; return 1; }
		cat "$MQ_ROOT/test/cluster.conf" >>"$MQ_DATA/data/postgresql.conf"
	fi
	touch "$MQ_DATA/server.log"; chown postgres: "$MQ_DATA/server.log" 2>/dev/null || true
	export PGHOST=$MQ_DATA/sock PGPORT=${MQ_PORT:-55432} PGUSER=postgres
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		exec $as "$MQ_BIN/pg_ctl" -D "$MQ_DATA/data" -l "$MQ_DATA/server.log" -w -t 300 \
			-o "-k $PGHOST -p $PGPORT -c listen_addresses=''" start >/dev/null
	) || { tail -20 "$MQ_DATA/server.log" >&2; return 1; }
	MQ_CLUSTER_STARTED=1
	mq_log "kept cluster up (socket $PGHOST, data $MQ_DATA/data)"
}

mq_stop_cluster() {
	[ -n "${MQ_CLUSTER_STARTED:-}" ] || return 0
	local as=""
	[ "$(id -u)" = 0 ] && as="runuser -u postgres --"
	# a kept cluster is stopped cleanly (no crash recovery of a 20M-row city next time)
	$as "$MQ_BIN/pg_ctl" -D "$MQ_DATA/data" -m "${MQ_STOP_MODE:-immediate}" -w stop >/dev/null 2>&1 || true
	MQ_CLUSTER_STARTED=
}
