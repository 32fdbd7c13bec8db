#!/usr/bin/env bash
# Runs the benchmarks and writes bench/results/<date>/: results.json (JMH), results.md, PNG charts.
#   bench/run.sh [--quick|--full] [--out DIR] [--models DIR] [--note TEXT]
# --quick (default) takes under ten minutes on two cores; --full measures everything (much longer).
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: bench/run.sh [--quick|--full] [--out DIR] [--models DIR] [--note TEXT]"
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick|--full) shift ;;
    --out|--models|--note) [ $# -ge 2 ] || { echo "$1 needs a value; $usage" >&2; exit 2; }; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "unknown argument $1; $usage" >&2; exit 2 ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"

java_cmd="java"
if [ -n "${JAVA_HOME:-}" ]; then java_cmd="$JAVA_HOME/bin/java"; fi
java_version=$("$java_cmd" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' || true)
if [ "${java_version:-0}" -lt 25 ] 2>/dev/null; then
  echo "bench/run.sh needs JDK 25 or later (found '${java_version:-none}'); set JAVA_HOME" >&2
  exit 2
fi

# Build when the jar is missing or older than any source.
jar=bench/target/bench.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml bench/pom.xml chatserver-core/pom.xml bench/src/main chatserver-core/src/main \
                   -newer "$jar" -type f -print -quit)" ]; then
  echo "building the bench module..."
  ./mvnw -B -q -pl bench -am package -DskipTests
fi

# Idle connections need descriptors: raise the soft open-file limit to the hard one (forked JVMs inherit it).
soft=$(ulimit -n)
hard=$(ulimit -Hn)
if [ "$soft" != "$hard" ]; then
  ulimit -n "$hard" 2>/dev/null && echo "raised the open-file limit from $soft to $hard" \
    || echo "could not raise the open-file limit ($soft); idle connection counts will be capped"
fi
echo "open-file limit (ulimit -n): $(ulimit -n), hard limit $(ulimit -Hn)"

exec "$java_cmd" --enable-preview --enable-native-access=ALL-UNNAMED \
  -cp "$jar" dev.chatserver.bench.BenchMain "$@"
