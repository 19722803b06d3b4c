#!/bin/sh
# Reproduces the numbers in BENCHMARKS.md. Release builds (cargo bench); takes about an hour on
# a 2-core machine. Needs Debian's chromium, fonts-dejavu-core, webext-ublock-origin-chromium
# (EasyPrivacy), and Playwright for Python in .venv (`pip install playwright`; no browser
# download: the baseline uses /usr/bin/chromium).
#
#   bench/run.sh              everything
#   bench/run.sh kernels      criterion benches only
#   bench/run.sh throughput   sites/minute at 1, 2, 4 workers (consentlens, baseline, floor;
#                             SYSTEMS, WORKERS, SITES and OUT (file name) to change)
#   bench/run.sh memory       RSS after 100 and after 1,000 sites (MEMORY_SITES to change)
#   bench/run.sh profile      where the time of one evaluation goes
set -eu
cd "$(dirname "$0")/.."
what="${1:-all}"
out=bench/results
mkdir -p "$out"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$what" = all ] || [ "$what" = kernels ]; then
    cargo bench --bench matching
    cargo bench --bench kernels
fi
if [ "$what" = all ] || [ "$what" = throughput ]; then
    name="${OUT:-throughput}"
    cargo bench --bench end_to_end -- --sites "${SITES:-54}" --workers "${WORKERS:-1,2,4}" \
        --systems "${SYSTEMS:-floor,consentlens,baseline,baseline-fixed}" \
        --out "$out/$name.json" | tee "$out/$name.md"
fi
if [ "$what" = all ] || [ "$what" = memory ]; then
    cargo bench --bench end_to_end -- --workers none --memory-sites "${MEMORY_SITES:-100,1000}" \
        --memory-workers "${MEMORY_WORKERS:-2}" --out "$out/memory.json" | tee "$out/memory.md"
fi
if [ "$what" = all ] || [ "$what" = profile ]; then
    cargo bench --bench end_to_end -- --profile "${ROUNDS:-2}" | tee "$out/profile.md"
fi
