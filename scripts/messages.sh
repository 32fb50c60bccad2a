#!/usr/bin/env bash
# The translations (stayhere/locale/<language>/LC_MESSAGES/{django,djangojs}.po and their compiled .mo), with
# Debian's gettext (msgfmt, xgettext, msgmerge):
#   bash scripts/messages.sh           after changing a marked string: gathers every string into the .po files
#                                      (makemessages), then compiles them (compilemessages). Translate what is new
#                                      (the empty msgstr and the "fuzzy" ones) and run it again.
#   bash scripts/messages.sh --check   what the test command runs: fails when a string is not translated (or only
#                                      guessed: fuzzy) in a language, a catalog does not compile, or a committed
#                                      .mo is not the compiled .po. It works on a copy and changes nothing here.
# The .mo files are committed, so a fresh install shows every language without gettext.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

LANGS=(es)
PY="${PYTHON:-$VENV/bin/python}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

django() {  # django DIR COMMAND...: a management command on the stayhere package found in DIR
  (cd "$1/stayhere" && PYTHONPATH="$1" DJANGO_SETTINGS_MODULE=stayhere.settings STAYHERE_DATA_DIR="$WORK/data" \
    STAYHERE_DEBUG=0 "$PY" -m django "${@:2}")
}
gather() {  # gather DIR: every marked string of DIR's stayhere into its .po files
  local options=(--no-location --no-obsolete --no-wrap)
  mkdir -p "$1/stayhere/locale"
  for language in "${LANGS[@]}"; do
    django "$1" makemessages -l "$language" "${options[@]}" >/dev/null
    django "$1" makemessages -l "$language" -d djangojs "${options[@]}" >/dev/null
  done
}

if [ "${1:-}" != "--check" ]; then
  gather "$ROOT"
  django "$ROOT" compilemessages >/dev/null
  echo "Updated and compiled: $(ls stayhere/locale/*/LC_MESSAGES/*.po | tr '\n' ' ')"
  status=0
  for po in stayhere/locale/*/LC_MESSAGES/*.po; do
    left="$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)"
    fuzzy="$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)"
    # msgattrib prints the header entry too when it prints anything
    [ "$left" -gt 0 ] && { echo "$po: $((left - 1)) strings to translate"; status=1; }
    [ "$fuzzy" -gt 0 ] && { echo "$po: $((fuzzy - 1)) fuzzy strings to check"; status=1; }
  done
  exit "$status"
fi

mkdir -p "$WORK/copy"
cp -r stayhere "$WORK/copy/"
find "$WORK/copy" -name __pycache__ -prune -exec rm -rf {} +
gather "$WORK/copy"
status=0
for language in "${LANGS[@]}"; do
  for domain in django djangojs; do
    po="stayhere/locale/$language/LC_MESSAGES/$domain.po"
    fresh="$WORK/copy/$po"
    if [ ! -f "$po" ]; then echo "$po is missing: run bash scripts/messages.sh"; status=1; continue; fi
    untranslated="$(msgattrib --untranslated --no-obsolete "$fresh" | grep '^msgid ' | grep -v '^msgid ""$' || true)"
    fuzzy="$(msgattrib --only-fuzzy --no-obsolete "$fresh" | grep '^msgid ' | grep -v '^msgid ""$' || true)"
    if [ -n "$untranslated" ]; then
      echo "$po: not translated (run bash scripts/messages.sh, then translate these):"; echo "$untranslated" | head -n 20
      status=1
    fi
    if [ -n "$fuzzy" ]; then
      echo "$po: fuzzy, a guess to check (then remove the fuzzy flag):"; echo "$fuzzy" | head -n 20
      status=1
    fi
    # The committed catalog must hold what the code marks now, and no entry the code no longer has.
    if ! diff -q <(msgcat --no-location --sort-output "$po" | grep -v '^"POT-Creation-Date') \
        <(msgcat --no-location --sort-output "$fresh" | grep -v '^"POT-Creation-Date') >/dev/null; then
      echo "$po is not up to date with the marked strings: run bash scripts/messages.sh and commit the result"
      status=1
    fi
    if ! msgfmt --check-format --check-header -o "$WORK/$language-$domain.mo" "$po"; then
      echo "$po does not compile (msgfmt says why above)"; status=1; continue
    fi
    if ! cmp -s "$WORK/$language-$domain.mo" "${po%.po}.mo"; then
      echo "${po%.po}.mo is not the compiled $po: run bash scripts/messages.sh and commit the .mo"
      status=1
    fi
  done
done
[ "$status" = 0 ] && echo "Translations: complete in ${LANGS[*]}, and they compile"
exit "$status"
