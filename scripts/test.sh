#!/usr/bin/env bash
# Installs what the tests need (Debian's Chromium, PostgreSQL, Redis, nginx and coturn included), starts
# PostgreSQL and Redis (persistence off) if they are not running, then runs ruff, mypy and the whole
# test suite: once on SQLite, and the directory tests again on PostgreSQL.
# Usage: bash scripts/test.sh [extra pytest arguments]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

apt_need chromium postgresql janus redis-server nginx coturn
python_env "[test]"

# PostgreSQL: start the cluster if it is down, and make a role for the tests if there is none.
PG_URL="${STAYHERE_TEST_POSTGRES_URL:-}"
if [ -z "$PG_URL" ]; then
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
fi

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
REDIS_URL="${STAYHERE_TEST_REDIS_URL:-}"
if [ -z "$REDIS_URL" ]; then
  redis_port=6379
  redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 || start_redis "$redis_port"
  if redis_persists "$redis_port"; then
    echo "The Redis on port 6379 writes to disk (save/appendonly); the tests use their own on port 6380."
    redis_port=6380
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 || start_redis "$redis_port"
  fi
  REDIS_URL="redis://127.0.0.1:$redis_port/15"
fi
export STAYHERE_TEST_REDIS_URL="$REDIS_URL"

export PYTHONDONTWRITEBYTECODE=1
echo "== ruff"; "$VENV/bin/ruff" check stayhere tests bench
"$VENV/bin/ruff" format --check stayhere tests bench
echo "== mypy"; "$VENV/bin/mypy" stayhere
echo "== import contracts"; "$VENV/bin/lint-imports" --no-cache
echo "== tests on SQLite"; "$VENV/bin/pytest" -q -p no:cacheprovider "$@"
echo "== directory and demo tests on PostgreSQL"
STAYHERE_DATABASE_URL="$PG_URL" "$VENV/bin/pytest" -q -p no:cacheprovider tests/directory tests/demo -m "not browser" "$@"
