#!/usr/bin/env bash
# The disk-bytes benchmark: what a copy of a disk costs in Azimuth (VM capture, image from disk, snapshot by copy,
# gallery image version of the image) against `cp --sparse=always` of the same VHD file, as the disk grows from 1 to
# 64 GiB with 1 GiB of data in it; and a streamed 2 GiB VHD upload against `dd` into the same file system. Both
# sides of each ratio in the same run.
#
#   bench/disks.sh           the full run (a few minutes; needs about 8 GiB free under BENCH_DATA_DIR)
#   bench/disks.sh --smoke   tiny sizes, seconds (.ci/run runs it; reports to bench/target/results only)
#
# Settings: BENCH_DATA_DIR (default $TMPDIR or /tmp), BENCH_DISK_SIZES_MIB, BENCH_DISK_DATA_MIB, BENCH_UPLOAD_MIB,
# BENCH_DISK_RUNS, BENCH_DISK_WARMUP. The full run rewrites the disk section of docs/PERFORMANCE.md and writes
# bench/results/disks-<date>-<time>.{md,json}. Exits non-zero when the benchmark breaks, not when a target is missed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

smoke=0
for arg in "$@"; do
    case $arg in
        --smoke) smoke=1 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "[diskbench] unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
done

. bench/compile.sh
bench_compile diskbench DiskBench

data_root=${BENCH_DATA_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$data_root"
fs=$(df -PT "$data_root" | awk 'NR == 2 { print $2 }')
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain -- pom.xml src 2>/dev/null) ]]; then
    revision="$revision+modified"
fi
command="bench/disks.sh"
[[ $smoke == 1 ]] && command="bench/disks.sh --smoke"

export BENCH_SMOKE=$smoke BENCH_JAR=$jar BENCH_DATA_DIR=$data_root BENCH_FS=$fs BENCH_REVISION=$revision \
    BENCH_COMMAND=$command
exec java -cp "$jar:$classes" DiskBench
