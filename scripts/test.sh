#!/usr/bin/env bash
# Installs what the tests need (Debian's Chromium and PostgreSQL included), starts PostgreSQL if it
# is not running, then runs ruff, mypy and the whole test suite: once on SQLite, and the directory
# tests again on PostgreSQL. Usage: bash scripts/test.sh [extra pytest arguments]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

apt_need chromium postgresql janus
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

export PYTHONDONTWRITEBYTECODE=1
echo "== ruff"; "$VENV/bin/ruff" check stayhere tests bench
"$VENV/bin/ruff" format --check stayhere tests bench
echo "== mypy"; "$VENV/bin/mypy" stayhere
echo "== tests on SQLite"; "$VENV/bin/pytest" -q -p no:cacheprovider "$@"
echo "== directory tests on PostgreSQL"
STAYHERE_DATABASE_URL="$PG_URL" "$VENV/bin/pytest" -q -p no:cacheprovider tests/directory -m "not browser" "$@"
