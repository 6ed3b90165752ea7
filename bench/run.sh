#!/usr/bin/env bash
# The performance suite in one command: builds what is stale, runs start-up, memory, throughput/latency against a
# baseline Vert.x server, cost growth up to 100,000 images and the Azure SDK's wall time, and reports them
# (docs/PERFORMANCE.md and bench/results/perf-<date>.json/.md). A few minutes on two cores.
#
#   bench/run.sh           the full run
#   bench/run.sh --smoke   everything, tiny (well under a minute; reports to bench/target/results only)
#
# Settings are BENCH_* environment variables; see bench/README.md. Exits non-zero when the benchmark breaks
# (a request fails, a server does not start), never because a performance target is missed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

smoke=0
for arg in "$@"; do
    case $arg in
        --smoke) smoke=1 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "[bench] unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
done

. bench/compile.sh
bench_compile bench PerfBench

# The SDK timing runs on the project's test class path (the Azure SDK artifacts are test-scoped in pom.xml).
sdk_classpath=
if [[ ${BENCH_SDK_RUNS:-1} != 0 ]]; then
    cp_file=bench/target/test-classpath.txt
    if [[ ! -s $cp_file || pom.xml -nt $cp_file ]]; then
        mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
    fi
    sdk_classes=bench/target/sdk-classes
    mkdir -p "$sdk_classes"
    if [[ ! -f $sdk_classes/SdkBench.class || bench/src/SdkBench.java -nt $sdk_classes/SdkBench.class \
            || $cp_file -nt $sdk_classes/SdkBench.class ]]; then
        javac --release 17 -nowarn -cp "$(cat "$cp_file")" -d "$sdk_classes" bench/src/SdkBench.java
    fi
    sdk_classpath="$sdk_classes:$(cat "$cp_file")"
fi

data_root=${BENCH_DATA_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$data_root"
fs=$(df -PT "$data_root" | awk 'NR == 2 { print $2 }')
if [[ $fs == tmpfs || $fs == ramfs ]]; then
    echo "[bench] warning: $data_root is on $fs, where fsync costs nothing; PUT figures will not be those of a disk" >&2
fi
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain -- pom.xml src 2>/dev/null) ]]; then
    revision="$revision+modified"
fi
if [[ -n ${BENCH_JAR:-} ]]; then
    revision="${BENCH_JAR_REVISION:-unknown} ($jar)"
fi
command="bench/run.sh"
if [[ $smoke == 1 ]]; then
    command="bench/run.sh --smoke"
fi
if [[ -n ${BENCH_JAR:-} ]]; then
    command="BENCH_JAR=$jar $command"
fi

# A class-data sharing archive of what start-up and the first requests load, written by the jar's own training
# run (docs/PERFORMANCE.md), measured as a second way to start. BENCH_CDS_ARCHIVE= (empty) leaves it out.
if [[ -n ${BENCH_JAR:-} ]]; then
    cds_archive=${BENCH_CDS_ARCHIVE:-} # another build: only an archive given explicitly
else
    cds_archive=${BENCH_CDS_ARCHIVE-${jar%.jar}.jsa}
fi
if [[ -n $cds_archive && ( ! -f $cds_archive || $jar -nt $cds_archive ) ]]; then
    echo "[bench] writing the class-data sharing archive $cds_archive" >&2
    rm -f "$cds_archive"
    if ! java -XX:ArchiveClassesAtExit="$cds_archive" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" --training-run \
            > bench/target/cds-training.log 2>&1; then
        echo "[bench] the training run failed; see bench/target/cds-training.log" >&2
        exit 1
    fi
fi

# The JVM and AOT cache bin/azimuth would start (the newest JDK 25+ and the cache mvn package made for it), measured
# as two more ways to start; only for the jar this checkout built, when there is such a JDK.
jdk25_java="" aot_cache=""
if [[ -z ${BENCH_JAR:-} ]]; then
    launch=$(env -u JAVA_HOME AZIMUTH_LAUNCHER=print bin/azimuth)
    if [[ $launch != *-XX:AOTCache=* && $launch != *-XX:SharedArchiveFile=* ]]; then
        echo "[bench] making the start-up caches bin/azimuth uses (bin/build-caches)" >&2
        bin/build-caches "$jar" >&2 || true
        launch=$(env -u JAVA_HOME AZIMUTH_LAUNCHER=print bin/azimuth)
    fi
    first=${launch%% *}
    release="$(dirname "$(dirname "$first")")/release"
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" 2>/dev/null)
    if [[ -n $major && $major -ge 25 ]]; then
        jdk25_java=$first
        if [[ $launch =~ -XX:AOTCache=([^ ]+) ]]; then
            aot_cache=${BASH_REMATCH[1]}
        fi
    fi
fi

export BENCH_JDK25_JAVA=$jdk25_java BENCH_AOT_CACHE=$aot_cache
export BENCH_CDS_ARCHIVE=$cds_archive BENCH_SMOKE=$smoke BENCH_JAR=$jar BENCH_CLASSES=$classes BENCH_SDK_CLASSPATH=$sdk_classpath \
    BENCH_DATA_DIR=$data_root BENCH_FS=$fs BENCH_REVISION=$revision BENCH_COMMAND=$command \
    BENCH_CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
exec java -cp "$jar:$classes" PerfBench
