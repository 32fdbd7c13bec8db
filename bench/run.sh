#!/usr/bin/env bash
# Runs the benchmarks and writes bench/results/<date>/: results.json (JMH), results.md, PNG charts.
#   bench/run.sh [--quick|--full] [--out DIR] [--models DIR]
# --quick (default) takes under ten minutes on two cores; --full measures everything (much longer).
set -euo pipefail
cd "$(dirname "$0")/.."

java_cmd="java"
if [ -n "${JAVA_HOME:-}" ]; then java_cmd="$JAVA_HOME/bin/java"; fi

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
