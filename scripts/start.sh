#!/usr/bin/env bash
# `npm start`: local mode on this machine. Installs npm dependencies and builds
# on first use, then runs in the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -f dist/src/cli/main.js ] || [ -n "$(find src proto -newer dist/src/cli/main.js -print -quit)" ]; then
  npm run --silent build
fi
work_dir=${FERRY_WORK_DIR:-$PWD/.ferry/local}
exec node bin/ferry.js sim --agents 3 --port "${FERRY_SIM_PORT:-5050}" --work-dir "$work_dir" "$@"
