#!/usr/bin/env bash
# Installs what consentlens needs on a fresh Debian/Ubuntu machine: Chromium (and the EasyPrivacy
# list Debian ships with uBlock Origin) through apt when missing, then the Python package, built
# from this checkout with maturin, into ./.venv. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || [ -n "${CONSENTLENS_CHROME:-}" ] || need_apt+=(chromium)
[ -e /usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist/easyprivacy.txt ] \
  || need_apt+=(webext-ublock-origin-chromium)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
# A fresh Debian has python3 without venv and pip (ensurepip comes with python3-venv).
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${need_apt[*]} with apt" >&2
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -q
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
  else
    echo "setup: please install ${need_apt[*]} (Debian/Ubuntu: apt-get install -y ${need_apt[*]})" >&2
    exit 1
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q "maturin>=1.7,<2.0"
# Builds the native module into the venv, with the dependencies of the chosen extras.
# shellcheck disable=SC2086
maturin develop -q --extras "${CONSENTLENS_EXTRAS:-pandas}" ${MATURIN_FLAGS:-}
