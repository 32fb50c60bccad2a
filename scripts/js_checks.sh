#!/usr/bin/env bash
# The browser code's checks: ESLint over stayhere/static (and tests/js), then node's own test runner over
# tests/js (the room page's pure reducer, room_model.js). Installs Debian's nodejs and npm if there is no node,
# and the pinned dev-only tools of package-lock.json into node_modules when they are missing or the lockfile
# changed (axe-core among them, which the browser tests hand to their pages: tests/browser/axe.py). Nothing from npm is
# ever served: the pages load only stayhere/static. Exits non-zero on any failure.
# Usage: bash scripts/js_checks.sh      (scripts/test.sh runs it too)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

if ! command -v node >/dev/null 2>&1; then
  apt_need nodejs npm
elif ! command -v npm >/dev/null 2>&1; then
  apt_need npm
fi

# node_modules is installed exactly from the lockfile, and again only when the lockfile changes.
stamp="node_modules/.stayhere-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing the JavaScript checks' tools (npm ci, from package-lock.json)"
  npm ci --silent --no-audit --no-fund
  echo "$want" >"$stamp"
fi

status=0
echo "ESLint: stayhere/static, tests/js"
npx --no eslint stayhere/static tests/js eslint.config.js || status=1
echo "node --test: tests/js"
node --test --test-reporter=spec tests/js/*.test.mjs || status=1
exit "$status"
