#!/usr/bin/env bash
# Installs stayhere in .venv and serves it with demo meetings on the embedded default (SQLite).
# Usage: bash scripts/demo.sh [--host H] [--port P]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Janus carries the rooms' audio; without it the rooms still run, in text. Pango and the DejaVu fonts lay out the
# printed schedules (/print/, WeasyPrint).
apt_need janus libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
python_env ""
export STAYHERE_DATA_DIR="${STAYHERE_DATA_DIR:-$ROOT/data}"
exec "$VENV/bin/stayhere" demo "$@"
