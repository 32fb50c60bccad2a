# Shared steps of scripts/demo.sh and scripts/test.sh: Debian packages, the virtual environment.
# Sourced, not run. Works as root or as a user with sudo, on Debian 12 or newer.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${STAYHERE_VENV:-$ROOT/.venv}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_need PACKAGE...: installs the Debian packages that are missing, and only those.
apt_need() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# python_env EXTRA: a virtual environment with stayhere installed (EXTRA: "" or "[test]").
python_env() {
  local extra="${1:-}"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "stayhere needs Python 3.11 or newer; this python3 is $(python3 --version)." >&2
    exit 1
  }
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    apt_need python3-venv
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  # Installed already from this very pyproject.toml (the install is editable: the code itself is read from
  # here): nothing to do. Any change to pyproject.toml (a dependency, an entry point) installs again.
  local stamp="$VENV/.stayhere-installed-${extra//[^a-z]/}" wanted
  wanted="$ROOT$extra $(sha256sum "$ROOT/pyproject.toml" | cut -d ' ' -f 1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT$extra"
  echo "$wanted" > "$stamp"
}
