#!/usr/bin/env bash
# The long fuzzing run: the bounded campaign of FuzzCampaignTest with many more requests.
#   bench/fuzz.sh [requests] [seed]      (defaults: 100000, the test's own seed)
# Prints the campaign's summary (requests, answers by status class, requests by mutation family, slowest
# answer, rate); the failures, if any, are listed by the test's failure message.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-100000}"
seed_arg=()
if [[ $# -ge 2 ]]; then
  seed_arg=("-Dazimuth.fuzz.seed=$2")
fi
log="$(mktemp -t azimuth-fuzz.XXXXXX.log)"
start=$(date +%s)
status=0
mvn -q -B test -Dtest=FuzzCampaignTest -Dsurefire.failIfNoSpecifiedTests=false \
  "-Dazimuth.fuzz.requests=$requests" "${seed_arg[@]}" >"$log" 2>&1 || status=$?
end=$(date +%s)
grep '^FUZZ' "$log" || true
echo "fuzz: $requests requests requested, wall time $((end - start)) s, maven exit status $status (log: $log)"
if [[ $status -ne 0 ]]; then
  grep -E '^#[0-9]+ |^    ' "$log" | head -60 || true
fi
exit "$status"
