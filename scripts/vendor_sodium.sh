#!/usr/bin/env bash
# Copies libsodium.js (npm libsodium-wrappers-sumo, pinned in package.json and package-lock.json) into
# stayhere/static/stayhere/vendor/, so the journal page loads it from our own origin and never from a CDN.
# The copies are committed: a deployment needs no npm. Run again after changing the pinned version, and commit
# what changes. The only edit to the built files is the wrapper's one import, from the bare name
# "libsodium-sumo" to the file beside it (a browser resolves only paths).
# Usage: bash scripts/vendor_sodium.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

[ -d node_modules/libsodium-wrappers-sumo ] || npm ci --silent --no-audit --no-fund
out=stayhere/static/stayhere/vendor
mkdir -p "$out"
cp node_modules/libsodium-sumo/dist/modules-sumo-esm/libsodium-sumo.mjs "$out/libsodium-sumo.js"
sed 's#from"libsodium-sumo"#from"./libsodium-sumo.js"#' \
  node_modules/libsodium-wrappers-sumo/dist/modules-sumo-esm/libsodium-wrappers.mjs >"$out/libsodium-wrappers-sumo.js"
grep -q 'from"./libsodium-sumo.js"' "$out/libsodium-wrappers-sumo.js" || { echo "The wrapper's import was not found: check the new build by hand." >&2; exit 1; }
cp node_modules/libsodium-sumo/LICENSE "$out/LICENSE.libsodium"
version="$(node -p 'require("./node_modules/libsodium-wrappers-sumo/package.json").version')"
printf 'libsodium.js %s (npm libsodium-wrappers-sumo and libsodium-sumo), ISC licence: LICENSE.libsodium.\nCopied by scripts/vendor_sodium.sh; do not edit by hand.\n' "$version" >"$out/README"
echo "Vendored libsodium.js $version into $out"
