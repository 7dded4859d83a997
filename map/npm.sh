#!/usr/bin/env bash
# Install the pinned npm packages of the map (map/package-lock.json) into
# map/node_modules, unless they are there already.
set -euo pipefail
cd "$(dirname "$0")"
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] &&
	[ -f node_modules/maplibre-gl/dist/maplibre-gl.mjs ] && [ -d node_modules/pg ]; then
	exit 0
fi
npm ci --no-audit --no-fund --loglevel=error >&2
