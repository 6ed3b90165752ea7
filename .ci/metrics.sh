#!/usr/bin/env bash
# Prometheus' own parser and linter on a scrape of the built jar: starts it through bin/azimuth, sends it a few
# requests (a resource group, a disk whose long-running operation is polled, a 404, a fault rule's 503), scrapes
# GET /_azimuth/metrics and has `promtool check metrics` (Debian's prometheus package, installed with apt-get when
# missing) parse it; then checks that the series the README lists are there. Any difference fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=metrics
. .ci/emulator.sh
if ! command -v promtool > /dev/null || ! command -v curl > /dev/null; then
  apt_install prometheus curl
fi
start_emulator --operation-delay 100ms
SUB=6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f
H=(-H "Authorization: Bearer any" -H "Content-Type: application/json")
curl -sf "${H[@]}" -X PUT "$B/subscriptions/$SUB/resourcegroups/metrics?api-version=2025-04-01" \
    -d '{"location":"westus"}' > /dev/null || fail "resource group"
disk="$B/subscriptions/$SUB/resourceGroups/metrics/providers/Microsoft.Compute/disks/d1?api-version=2024-03-02"
status=$(curl -s -o /dev/null -w '%{http_code}' "${H[@]}" -X PUT "$disk" \
    -d '{"location":"westus","properties":{"creationData":{"createOption":"Empty"},"diskSizeGB":1}}')
[ "$status" = 202 ] || fail "disk PUT answered $status"
for _ in $(seq 1 100); do
  state=$(curl -sf "${H[@]}" "$disk" | python3 -c 'import json,sys; print(json.load(sys.stdin)["properties"]["provisioningState"])')
  [ "$state" = Succeeded ] && break
  sleep 0.05
done
[ "$state" = Succeeded ] || fail "the disk stayed $state"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${H[@]}" "$B/subscriptions/$SUB/resourcegroups/absent?api-version=2025-04-01")" = 404 ] \
    || fail "404"
curl -sf -X POST "$B/_azimuth/faults" -d '{"match":{"method":"GET","name":"metrics"},"effect":{"status":503},"times":1}' \
    > /dev/null || fail "fault rule"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${H[@]}" "$B/subscriptions/$SUB/resourcegroups/metrics?api-version=2025-04-01")" = 503 ] \
    || fail "the fault rule's 503"

curl -sf -D "$WORK/headers" "$B/_azimuth/metrics" > "$WORK/scrape.txt" || fail "scrape"
grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/headers" || fail "content type: $(grep -i content-type "$WORK/headers")"
# promtool parses the exposition format and lints it (names, units, help); its findings fail the check
promtool check metrics < "$WORK/scrape.txt" > "$WORK/promtool.txt" 2>&1 || { cat "$WORK/promtool.txt" >&2; fail "promtool"; }
for series in 'azimuth_http_requests_seconds_bucket{' 'azimuth_http_requests_seconds_count{' \
    'status="503"' 'status="404"' 'azimuth_operations_total{kind="Microsoft.Compute/disks/provision",outcome="Succeeded"}' \
    'azimuth_store_commit_seconds_count' 'azimuth_store_batch_size_count' 'azimuth_resource_cache_hits_total' \
    'azimuth_resource_cache_misses_total' 'azimuth_blobs_stored_bytes' 'jvm_memory_used_bytes{'; do
  grep -qF "$series" "$WORK/scrape.txt" || fail "no $series in the scrape"
done
echo "metrics: promtool parsed $(grep -vc '^#' "$WORK/scrape.txt") samples, $(grep -c '^# TYPE' "$WORK/scrape.txt") families; ok"
