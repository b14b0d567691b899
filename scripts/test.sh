#!/usr/bin/env bash
# The whole test suite, from a fresh clone or a working tree: installs what is
# missing (Debian packages, npm dependencies), builds, runs every tap test, and
# ends with one plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

# chromium: the UI tests drive Debian's Chromium (test/ui/)
bash scripts/install-deps.sh chromium || exit 1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || exit 1
fi
npm run --silent build || exit 1
npm run --silent typecheck || exit 1

mkdir -p .tap
log=.tap/last-run.tap
# tap's own output goes to the console and to a log that tap-summary reads
npx tap --reporter=tap "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
node scripts/tap-summary.mjs "$log" || status=1
exit "$status"
