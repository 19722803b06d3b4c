#!/usr/bin/env bash
# Runs every check and test: formatting, lints, the Rust tests (against a real Chromium and the
# local HTTPS fixture server), the Python tests (API, CLI, store, Dask, notebooks) and the stubs.
set -euo pipefail
cd "$(dirname "$0")/.."
CONSENTLENS_EXTRAS=test bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate

echo "== cargo fmt --check" >&2
cargo fmt --all --check
echo "== cargo clippy" >&2
cargo clippy --all-targets -- -D warnings
cargo clippy --features python --lib -- -D warnings
echo "== cargo test" >&2
# The library, its unit tests and the integration tests. Benchmarks are compiled by clippy above
# but not run here: they are measurements (see BENCHMARKS.md), not tests.
cargo test --lib --bins --tests
echo "== ruff" >&2
ruff check python tests/python
ruff format --check python tests/python
echo "== stubtest" >&2
python -m mypy.stubtest consentlens._native
echo "== pytest (Python tests and the notebooks)" >&2
# Exit status 5 means pytest collected no test at all: that is a failure here, not a pass.
set +e
python -m pytest -q -p no:cacheprovider tests/python --nbmake notebooks
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
