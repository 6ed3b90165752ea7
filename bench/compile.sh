# Sourced by the benchmark scripts (bench/run.sh, bench/disks.sh, bench/deploy.sh), from the repository's root:
# bench_compile TAG CLASS builds the jar when pom.xml or src/main is newer than it (unless BENCH_JAR names one), and
# compiles every benchmark source but SdkBench.java (which needs the SDK on its class path; bench/run.sh compiles it)
# into bench/target/classes when CLASS's class file is older than a source or the jar. Sets jar and classes.
bench_compile() {
    local tag=$1 main=$2
    jar=${BENCH_JAR:-target/azimuth.jar}
    if [[ -n ${BENCH_JAR:-} ]]; then
        [[ -f $jar ]] || { echo "[$tag] BENCH_JAR=$jar does not exist" >&2; exit 2; }
    elif [[ ! -f $jar || -n $(find pom.xml src/main -newer "$jar" -print -quit) ]]; then
        echo "[$tag] building $jar" >&2
        mvn -B -q package -DskipTests
    fi
    classes=bench/target/classes
    mkdir -p "$classes"
    local sources=() f
    for f in bench/src/*.java; do
        [[ $f == bench/src/SdkBench.java ]] || sources+=("$f")
    done
    if [[ ! -f $classes/$main.class || -n $(find "${sources[@]}" "$jar" -newer "$classes/$main.class" -print -quit) ]]; then
        javac --release 17 -nowarn -cp "$jar" -d "$classes" "${sources[@]}"
    fi
}
