#!/usr/bin/env bash
# Two lanes, each running the static checks and then the tests (extra arguments go to pytest):
#   bash scripts/test.sh [pytest arguments]
#     the full lane: installs what the tests need (Debian's Chromium, PostgreSQL, Redis, Janus, nginx, coturn, gettext),
#     starts PostgreSQL and Redis (persistence off) if they are not running, then runs the whole suite on SQLite
#     and the directory and demo tests again on PostgreSQL. CI runs this.
#   bash scripts/test.sh --fast [pytest arguments]
#     the fast lane, for a contributor's day: no Debian packages installed; every test that needs no browser,
#     Janus, nginx or PostgreSQL and is not marked slow (the markers of tests/needs.py), in about eight minutes on 2 cores.
#     It uses a Redis that keeps nothing on disk when redis-server is installed; the tests that need one skip
#     when it is not.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

FAST=0
if [ "${1:-}" = "--fast" ]; then
  FAST=1
  shift
fi

# The checks that read the code without running it: both lanes run them first.
static_checks() {
  echo "== ruff"; "$VENV/bin/ruff" check stayhere tests bench
  "$VENV/bin/ruff" format --check stayhere tests bench
  echo "== mypy"; "$VENV/bin/mypy" stayhere
  echo "== import contracts"; "$VENV/bin/lint-imports" --no-cache
  if [ "$FAST" = 1 ] && ! command -v node >/dev/null; then
    echo "== JavaScript: no node here, so ESLint and node --test are left to the full lane (it installs nodejs)"
  else
    echo "== JavaScript: ESLint, node --test"; bash "$ROOT/scripts/js_checks.sh"
  fi
  if [ "$FAST" = 1 ] && ! command -v msgfmt >/dev/null; then
    echo "== translations: no msgfmt here (Debian's gettext), so the catalogs are left to the full lane (it installs gettext)"
  else
    echo "== translations: every marked string translated, every catalog compiles"; bash "$ROOT/scripts/messages.sh" --check
  fi
}

# PostgreSQL: start the cluster if it is down, and make a role for the tests if there is none.
postgres_for_tests() {
  PG_URL="${STAYHERE_TEST_POSTGRES_URL:-}"
  [ -n "$PG_URL" ] && return 0
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "Starting PostgreSQL"
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  PG_URL="postgresql://stayhere_test:stayhere_test@127.0.0.1:5432/stayhere"
  if ! psql "postgresql://stayhere_test:stayhere_test@127.0.0.1:5432/postgres" -qtAc 'select 1' >/dev/null 2>&1; then
    echo "Creating the PostgreSQL role stayhere_test (may create databases, nothing else)"
    as_root su postgres -s /bin/sh -c "psql -qc \"CREATE ROLE stayhere_test LOGIN CREATEDB PASSWORD 'stayhere_test'\"" \
      || as_root su postgres -s /bin/sh -c "psql -qc \"ALTER ROLE stayhere_test LOGIN CREATEDB PASSWORD 'stayhere_test'\""
  fi
}

# Redis: the tests need one with persistence off (no RDB snapshots, no AOF), as room state must never
# reach a disk. Use the one on port 6379 if it keeps nothing on disk; start one there if none answers;
# if the one there does persist (Debian's service does by default), start a private one on port 6380
# rather than change its settings. The tests use database 15.
redis_persists() {  # redis_persists PORT: true if that Redis would write snapshots or an AOF
  [ -n "$(redis-cli -h 127.0.0.1 -p "$1" config get save | sed -n 2p)" ] \
    || [ "$(redis-cli -h 127.0.0.1 -p "$1" config get appendonly | sed -n 2p)" != "no" ]
}
start_redis() {  # start_redis PORT: a Redis on loopback that keeps nothing on disk
  local dir="${TMPDIR:-/tmp}/stayhere-test-redis-$1"
  echo "Starting Redis on port $1 (persistence off)"
  mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$1" --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log"
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "Redis did not start on port $1; see $dir/redis.log" >&2
  exit 1
}
redis_for_tests() {
  local url="${STAYHERE_TEST_REDIS_URL:-}"
  if [ -z "$url" ]; then
    local redis_port=6379
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 || start_redis "$redis_port"
    if redis_persists "$redis_port"; then
      echo "The Redis on port 6379 writes to disk (save/appendonly); the tests use their own on port 6380."
      redis_port=6380
      redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 || start_redis "$redis_port"
    fi
    url="redis://127.0.0.1:$redis_port/15"
  fi
  export STAYHERE_TEST_REDIS_URL="$url"
}

if [ "$FAST" = 1 ]; then
  python_env "[test]"
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    redis_for_tests
  else
    echo "No redis-server here: the tests that need Redis skip (the full lane installs it)."
  fi
  export PYTHONDONTWRITEBYTECODE=1
  static_checks
  echo "== tests that need no browser, Janus, nginx or PostgreSQL and are not slow, on SQLite"
  "$VENV/bin/pytest" -q -p no:cacheprovider -m "not (browser or janus or nginx or phone or postgres or slow)" "$@"
  exit 0
fi

apt_need chromium postgresql janus redis-server nginx coturn gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core kamailio kamailio-utils-modules kamailio-extra-modules rtpengine-daemon baresip espeak-ng
python_env "[test]"
postgres_for_tests
redis_for_tests

export PYTHONDONTWRITEBYTECODE=1
static_checks
echo "== tests on SQLite"; "$VENV/bin/pytest" -q -p no:cacheprovider "$@"
echo "== directory, demo, journal and printing tests on PostgreSQL"
STAYHERE_DATABASE_URL="$PG_URL" "$VENV/bin/pytest" -q -p no:cacheprovider tests/directory tests/demo tests/journal tests/printing -m "not browser" "$@"
