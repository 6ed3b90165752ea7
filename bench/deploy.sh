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

jar=${BENCH_JAR:-target/azimuth.jar}
if [[ -n ${BENCH_JAR:-} ]]; then
    [[ -f $jar ]] || { echo "[deploybench] BENCH_JAR=$jar does not exist" >&2; exit 2; }
elif [[ ! -f $jar || -n $(find pom.xml src/main -newer "$jar" -print -quit) ]]; then
    echo "[deploybench] building $jar" >&2
    mvn -B -q package -DskipTests
fi
classes=bench/target/classes
mkdir -p "$classes"
# every benchmark source but SdkBench.java, which needs the SDK on its class path (bench/run.sh compiles it)
sources=()
for f in bench/src/*.java; do
    [[ $f == bench/src/SdkBench.java ]] || sources+=("$f")
done
if [[ ! -f $classes/DeployBench.class || -n $(find "${sources[@]}" "$jar" -newer "$classes/DeployBench.class" -print -quit) ]]; then
    javac --release 17 -nowarn -cp "$jar" -d "$classes" "${sources[@]}"
fi

data_root=${BENCH_DATA_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$data_root"
fs=$(df -PT "$data_root" | awk 'NR == 2 { print $2 }')
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain -- pom.xml src 2>/dev/null) ]]; then
    revision="$revision+modified"
fi
command="bench/deploy.sh"
[[ $smoke == 1 ]] && command="bench/deploy.sh --smoke"

export BENCH_SMOKE=$smoke BENCH_JAR=$jar BENCH_DATA_DIR=$data_root BENCH_FS=$fs BENCH_REVISION=$revision \
    BENCH_COMMAND=$command
exec java -cp "$jar:$classes" DeployBench
