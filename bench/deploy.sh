#!/usr/bin/env bash
# The deployment benchmark: the tools' own templates (packer 1.6.6's, 4 resources; az vm create's, 5) deployed with
# no operation delay, from the PUT until the deployment's status reads Succeeded, against the same resources PUT
# one by one by the client in the same run (bench/src/DeployBench.java).
#
#   bench/deploy.sh           the full run (under a minute)
#   bench/deploy.sh --smoke   two runs a side, seconds (.ci/run runs it; reports to bench/target/results only)
#
# Settings: BENCH_DATA_DIR (default $TMPDIR or /tmp), BENCH_DEPLOY_RUNS, BENCH_DEPLOY_WARMUP. The full run rewrites
# the deployment section of docs/PERFORMANCE.md and writes bench/results/deploy-<date>-<time>.{md,json}. Exits
# non-zero when the benchmark breaks (a deployment fails), not when a target is missed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

smoke=0
for arg in "$@"; do
    case $arg in
        --smoke) smoke=1 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "[deploybench] unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
done

. bench/compile.sh
bench_compile deploybench DeployBench

data_root=${BENCH_DATA_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$data_root"
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain -- pom.xml src 2>/dev/null) ]]; then
    revision="$revision+modified"
fi
command="bench/deploy.sh"
[[ $smoke == 1 ]] && command="bench/deploy.sh --smoke"

export BENCH_SMOKE=$smoke BENCH_JAR=$jar BENCH_DATA_DIR=$data_root BENCH_REVISION=$revision \
    BENCH_COMMAND=$command
exec java -cp "$jar:$classes" DeployBench
