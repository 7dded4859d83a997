#!/usr/bin/env bash
# make map: the generated city on a MapLibre GL JS map.  Builds minqing,
# starts a throwaway cluster (as make demo does), generates a city, installs
# the pinned npm packages (map/package-lock.json: maplibre-gl, pg) and runs
# the tile server (map/server.js) on http://127.0.0.1:$MAP_PORT/ until Ctrl-C.
#   bash map/run.sh                     serve (MAP_PORT, default 57110; MQ_MAP_ORDERS, default 50000)
#   bash map/run.sh --check [PNG]       instead: the headless Chromium test (map/check.sh; a 20,000-order
#                                       city unless MQ_MAP_ORDERS says otherwise), then stop
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
WORK=${MQ_WORK:-/tmp/minqing-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}-map
export MAP_PORT=${MAP_PORT:-57110}
mode=serve png=
[ "${1:-}" = --check ] && { mode=check; png=${2:-}; }
ORDERS=${MQ_MAP_ORDERS:-$([ "$mode" = check ] && echo 20000 || echo 50000)}
die() { echo "minqing map: $*" >&2; exit 1; }
if [ -f "$WORK/cluster/data/postmaster.pid" ] && ps -p "$(head -1 "$WORK/cluster/data/postmaster.pid")" >/dev/null 2>&1; then
	die "a cluster is already running in $WORK/cluster; stop it or set MQ_WORK to another directory"
fi
mq_ensure_packages || exit $?
# Node from Debian (or whatever node/npm is on PATH)
command -v node >/dev/null || mq_ensure_packages nodejs || exit $?
command -v npm >/dev/null || mq_ensure_packages npm || exit $?
mkdir -p "$WORK" && chmod 755 "$WORK" || die "cannot create $WORK"
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; mq_stop_cluster; }
trap cleanup EXIT
trap 'exit 130' INT TERM
bash "$MQ_ROOT/map/npm.sh" || die "npm ci failed"
mq_build_install "$WORK" || die "the build failed"
mq_start_cluster "$WORK" || die "could not start a cluster in $WORK"
PATH=$MQ_BIN:$PATH
export PGDATABASE=minqing_map
psql -X -q -d postgres -c "CREATE DATABASE minqing_map" || die "cannot create database minqing_map"
psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" \
	-c "SELECT minqing.generate_city('city', $ORDERS, 42)" >/dev/null || die "generating the city failed"
[ "$mode" = check ] && export MAP_CHECK_DIR=$WORK/check && mkdir -p "$MAP_CHECK_DIR"
node "$MQ_ROOT/map/server.js" &
server=$!
for _ in $(seq 60); do
	node -e "require('http').get('http://127.0.0.1:$MAP_PORT/info.json', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))" && break
	kill -0 "$server" 2>/dev/null || die "the tile server exited"
	sleep 0.5
done
if [ "$mode" = check ]; then
	bash "$MQ_ROOT/map/check.sh" "http://127.0.0.1:$MAP_PORT/" "$MAP_CHECK_DIR" $png
	exit $?
fi
mq_log "the map: http://127.0.0.1:$MAP_PORT/ (Ctrl-C stops the server and the cluster)"
wait "$server"
