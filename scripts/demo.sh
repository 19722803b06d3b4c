#!/usr/bin/env bash
# Installs consentlens (and Chromium when missing) and runs it on the built-in demo web.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate
exec consentlens demo "$@"
