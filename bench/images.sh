#!/usr/bin/env bash
# Image PUT/GET throughput and latency on the embedded (on-disk SQLite) store, with a bare Vert.x baseline.
# Settings (environment): BENCH_CONCURRENCY ("8 32"), BENCH_JIT_WARMUP (18 s), BENCH_WARMUP (2 s),
# BENCH_DURATION (5 s), BENCH_GET_IMAGES (500), BENCH_FSYNC_PROBES (200), BENCH_DATA_DIR (a new temporary
# directory), BENCH_RESULTS (bench/results), BENCH_JVM_OPTS, BENCH_AZIMUTH_JVM_OPTS. See bench/README.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

jar=target/azimuth.jar
if [[ ! -f $jar || -n $(find pom.xml src -newer "$jar" -print -quit) ]]; then
    echo "[bench] building $jar" >&2
    mvn -B -q package -DskipTests
fi

classes=bench/target/classes
if [[ ! -f $classes/ImageBench.class || bench/src/ImageBench.java -nt $classes/ImageBench.class \
        || $jar -nt $classes/ImageBench.class ]]; then
    rm -rf "$classes"
    mkdir -p "$classes"
    javac --release 17 -cp "$jar" -d "$classes" bench/src/ImageBench.java
fi

own_data=
if [[ -z ${BENCH_DATA_DIR:-} ]]; then
    BENCH_DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/azimuth-bench.XXXXXX")
    own_data=$BENCH_DATA_DIR
fi
mkdir -p "$BENCH_DATA_DIR"
if [[ -n $(ls -A "$BENCH_DATA_DIR") ]]; then
    echo "[bench] $BENCH_DATA_DIR is not empty; give an empty (or missing) BENCH_DATA_DIR" >&2
    exit 2
fi
cleanup() {
    if [[ -n $own_data ]]; then
        rm -rf "$own_data"
    fi
}
trap cleanup EXIT

fs=$(df -PT "$BENCH_DATA_DIR" | awk 'NR == 2 { print $2 }')
if [[ $fs == tmpfs || $fs == ramfs ]]; then
    echo "[bench] warning: $BENCH_DATA_DIR is on $fs, where fsync costs nothing; PUT figures will not be those of a disk" >&2
fi
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain -- pom.xml src 2>/dev/null) ]]; then
    revision="$revision+modified"
fi

export BENCH_DATA_DIR BENCH_JAR=$jar BENCH_FS=$fs BENCH_REVISION=$revision
export BENCH_CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
java -cp "$jar:$classes" ImageBench run
