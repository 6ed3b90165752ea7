#!/usr/bin/env bash
# Prometheus' own parser and linter on a scrape of the built jar: starts it through bin/azimuth, sends it a few
# requests (a resource group, a disk whose long-running operation is polled, a 404, a fault rule's 503), scrapes
# GET /_azimuth/metrics and has `promtool check metrics` (Debian's prometheus package, installed with apt-get when
# missing) parse it; then checks that the series the README lists are there. Any difference fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool > /dev/null || ! command -v curl > /dev/null; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends prometheus curl
fi

WORK=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "metrics: FAILED: $*" >&2; [ -f "$WORK/azimuth.log" ] && tail -40 "$WORK/azimuth.log" >&2; exit 1; }

HTTP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
bin/azimuth --http-port "$HTTP" --https-port -1 --data-dir "$WORK/data" --operation-delay 100ms \
    > "$WORK/azimuth.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$HTTP/_azimuth/health" > /dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || fail "the emulator did not start"
  sleep 0.1
done
B="http://127.0.0.1:$HTTP"
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
