#!/usr/bin/env bash
# Creates .venv with a Python that Rasa 3.6 supports (3.8-3.10) and installs the pinned
# dependencies. Idempotent: a second run checks and returns in a second or two.
#
# Python, in order of preference: an existing python3.10 / 3.9 / 3.8 (PATH, /usr/bin,
# /usr/local/bin, pyenv); otherwise Debian bullseye's python3.9 from the mirror already
# configured for bookworm (Debian 12 has no 3.8-3.10 of its own).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

python_ok() {  # $1: interpreter; accepts 3.8-3.10 with a working distutils
  "$1" - <<'PY' >/dev/null 2>&1
import sys
assert (3, 8) <= sys.version_info[:2] <= (3, 10)
import distutils.version, ssl, sqlite3  # noqa: F401  (TensorFlow and Rasa import these)
PY
}

find_python() {
  local v c
  for v in 3.10 3.9 3.8; do
    for c in "$(command -v "python$v" 2>/dev/null || true)" "/usr/bin/python$v" "/usr/local/bin/python$v" \
             "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v"*/bin/"python$v"; do
      [ -n "$c" ] && [ -x "$c" ] && python_ok "$c" && { echo "$c"; return 0; }
    done
  done
  return 1
}

install_python_from_bullseye() {
  [ "$(id -u)" = 0 ] || { log "need root to apt-get install python3.9 (or install Python 3.8-3.10 yourself)"; exit 1; }
  local mirror
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  log "installing python3.9 from Debian bullseye ($mirror)"
  cat > /etc/apt/sources.list.d/bullseye-python.sources <<SRC
Types: deb
URIs: $mirror
Suites: bullseye
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  # Only what we ask for comes from bullseye; bookworm stays the default everywhere else.
  cat > /etc/apt/preferences.d/bullseye-python.pref <<'PREF'
Package: *
Pin: release n=bullseye
Pin-Priority: 100
PREF
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bullseye python3.9 python3.9-dev >/dev/null
  if ! /usr/bin/python3.9 -c 'import distutils.version' 2>/dev/null; then
    # bullseye's python3.9 stdlib has no distutils; python3-distutils 3.9.2-1 supplies it.
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq python3-distutils=3.9.2-1 && dpkg -x python3-distutils_*.deb x)
    cp -r "$tmp"/x/usr/lib/python3.9/distutils/* /usr/lib/python3.9/distutils/ 2>/dev/null \
      || { mkdir -p /usr/lib/python3.9/distutils && cp -r "$tmp"/x/usr/lib/python3.9/distutils/* /usr/lib/python3.9/distutils/; }
    rm -rf "$tmp"
  fi
}

ensure_uv() {
  command -v uv >/dev/null 2>&1 && { command -v uv; return; }
  [ -x .venv-tools/bin/uv ] && { echo "$PWD/.venv-tools/bin/uv"; return; }
  log "installing uv"
  if python3 -m pip install --quiet uv >/dev/null 2>&1 || python3 -m pip install --quiet --break-system-packages uv >/dev/null 2>&1; then
    command -v uv >/dev/null 2>&1 && { command -v uv; return; }
    python3 -m uv --version >/dev/null 2>&1 && { echo "python3 -m uv"; return; }
  fi
  "$1" -m venv .venv-tools && .venv-tools/bin/pip install --quiet uv && echo "$PWD/.venv-tools/bin/uv"
}

PY=$(find_python || true)
if [ -z "$PY" ]; then
  install_python_from_bullseye
  PY=$(find_python) || { log "no usable Python 3.8-3.10 after install"; exit 1; }
fi

# Debian's Chromium for the widget's browser tests (Playwright drives it; it downloads no browser),
# and a Chinese font so its screenshots show text.
if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian's chromium and a Chinese font for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  else
    log "warning: /usr/bin/chromium missing and not root: browser tests will fail (apt-get install chromium)"
  fi
fi

# PostgreSQL, Redis and nginx from Debian for the restart and scale-out tests (started by the tests
# themselves on loopback ports; the system services are not used); envsubst (gettext-base) and
# openssl render deploy/nginx.conf and make a throwaway certificate for its TLS test.
if [ ! -x /usr/lib/postgresql/15/bin/initdb ] || [ ! -x /usr/bin/redis-server ] || [ ! -x /usr/sbin/nginx ] \
   || [ ! -x /usr/bin/envsubst ] || [ ! -x /usr/bin/openssl ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian's postgresql, redis-server, nginx, gettext-base and openssl for the deployment tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server nginx-light \
      gettext-base openssl >/dev/null
  else
    log "warning: postgresql/redis-server/nginx/envsubst/openssl missing and not root: deployment tests will be skipped"
  fi
fi

stamp=.venv/.installed
want="$("$PY" -c 'import sys; print(sys.version.split()[0])') $(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log ".venv is up to date ($want)"
  exit 0
fi

UV=$(ensure_uv "$PY")
log "Python: $PY; uv: $UV"
if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python; then
  rm -rf .venv
  $UV venv -q -p "$PY" .venv
fi
$UV pip install -q -p .venv/bin/python -r requirements.txt
$UV pip install -q -p .venv/bin/python --no-deps -e .
echo "$want" > "$stamp"
log "installed into .venv"
