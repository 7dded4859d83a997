#!/usr/bin/env bash
# make docs: regenerate docs/reference.md from the COMMENT ONs.  Builds
# minqing, installs it into a throwaway cluster (as make test does), and
# writes the catalog's functions, types and tables (test/lib/reference.sh).
# With MQ_EXISTING_PGHOST set it uses that cluster instead (minqing must be
# installed there).  test/shell/reference.sh checks the result in make test.
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
. "$MQ_ROOT/test/lib/reference.sh"

mq_ensure_packages || exit $?
WORK=${MQ_WORK:-/tmp/minqing-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)-docs}
mkdir -p "$WORK"; chmod 755 "$WORK"
trap 'mq_stop_cluster' EXIT
trap 'exit 130' INT TERM
if [ -z "${MQ_EXISTING_PGHOST:-}" ]; then
	mq_build_install "$WORK" || exit 1
	MQ_PORT=${MQ_PORT:-55433} mq_start_cluster "$WORK" || exit 1
else
	mq_start_cluster "$WORK" || exit 1
fi
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS minqing_docs" -c "CREATE DATABASE minqing_docs" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d minqing_docs -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" || exit 1
mq_reference minqing_docs >"$MQ_ROOT/docs/reference.md.tmp" || exit 1
mv "$MQ_ROOT/docs/reference.md.tmp" "$MQ_ROOT/docs/reference.md"
psql -X -q -d postgres -c "DROP DATABASE minqing_docs" >/dev/null 2>&1
mq_log "wrote docs/reference.md ($(grep -c '^| `' "$MQ_ROOT/docs/reference.md") objects)"
