#!/usr/bin/env bash
# Run by the realtime module's build (generate-resources): installs the client's build tools when its lock
# file changed (npm ci; the first run needs the npm registry), builds dist/ when a source is newer than it,
# and copies the browser bundle to $1 (the demo page serves it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [[ ! -f dist/duet-realtime.min.js || -n "$(find src scripts package.json tsconfig.json -newer dist/duet-realtime.min.js -print -quit)" ]]; then
  node scripts/build.mjs
fi
if [[ $# -gt 0 ]]; then
  mkdir -p "$1"
  cp dist/duet-realtime.min.js "$1/"
fi
