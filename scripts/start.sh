#!/usr/bin/env bash
# `npm start`: Ferry's local mode on this machine (`ferry local`: a simulated
# Mesos cluster with 3 agents, a scheduler, the API and UI at
# http://127.0.0.1:8080, and the example kv app). Installs npm dependencies and
# builds on first use, then runs in the foreground until Ctrl-C. Extra
# arguments go to `ferry local` (npm start -- --help).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -f dist/src/cli/main.js ] || [ -n "$(find src proto -newer dist/src/cli/main.js -print -quit)" ]; then
  npm run --silent build
fi
exec node bin/ferry.js local --work-dir "${FERRY_WORK_DIR:-$PWD/.ferry/local}" "$@"
