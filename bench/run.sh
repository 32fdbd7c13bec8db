#!/usr/bin/env bash
# Runs the benchmarks and writes bench/results/<date>/: results.json (JMH), results.md, PNG charts.
#   bench/run.sh [--quick|--full] [--out DIR] [--models DIR] [--note TEXT] [--model FILE.gguf]... [--throughput-only]
# --quick (default) and --full choose the plan (bench/README.md has both and how long they take).
# --model adds a GGUF file (e.g. a real model) to the throughput and long-prompt models; --only-model NAME keeps only
# the named synthetic models of the plan (repeatable; --model files always stay); --throughput-only skips the idle
# benchmark; --ttft-only runs only the long-prompt (time to first token) measurement, --no-ttft leaves it out;
# --threads N sets the decode threads of every implementation; --append keeps the measurements already in the
# output folder and --skip-model NAME does not measure that model again (its earlier trials stay in the report);
# --report-only writes the report from the measurements already in the output folder.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: bench/run.sh [--quick|--full] [--out DIR] [--models DIR] [--note TEXT] [--model FILE.gguf]... [--only-model NAME]... [--throughput-only] [--ttft-only] [--no-ttft] [--threads N] [--append] [--skip-model NAME]... [--report-only]"
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick|--full|--throughput-only|--ttft-only|--no-ttft|--append|--report-only) shift ;;
    --threads) [ $# -ge 2 ] || { echo "$1 needs a value; $usage" >&2; exit 2; }; shift 2 ;;
    --out|--models|--note|--model|--skip-model|--only-model) [ $# -ge 2 ] || { echo "$1 needs a value; $usage" >&2; exit 2; }; shift 2 ;;
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

# The node-llama-cpp peer: its npm packages, from the lockfile, with the prebuilt linux-x64 binaries as a plain
# dependency. --omit=optional leaves out the other platforms' and the CUDA/Vulkan builds; --ignore-scripts skips
# node-llama-cpp's postinstall, so nothing is downloaded or compiled. Without Node.js the peer is left out.
# Some npm versions (11.x) refuse `npm ci` with this lockfile, which npm itself writes without the entries of the
# other platforms' optional packages ("Missing: ... from lock file"); `npm install` with the same flags then
# installs the same locked versions.
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -d bench/node/node_modules/node-llama-cpp ]; then
    echo "installing the node-llama-cpp peer (npm ci)..."
    (cd bench/node && { npm ci --omit=optional --ignore-scripts --no-audit --no-fund \
        || { echo "npm ci refused the lockfile; trying npm install with the same flags"; \
             npm install --omit=optional --ignore-scripts --no-audit --no-fund; }; }) \
      || echo "installing node-llama-cpp failed; it will not be measured"
  fi
else
  echo "node/npm not found; node-llama-cpp will not be measured"
fi

# Idle connections need descriptors: raise the soft open-file limit to the hard one (forked JVMs inherit it).
soft=$(ulimit -n)
hard=$(ulimit -Hn)
if [ "$soft" != "$hard" ]; then
  ulimit -n "$hard" 2>/dev/null && echo "raised the open-file limit from $soft to $hard" \
    || echo "could not raise the open-file limit ($soft); idle connection counts will be capped"
fi
echo "open-file limit (ulimit -n): $(ulimit -n), hard limit $(ulimit -Hn)"

exec "$java_cmd" --enable-native-access=ALL-UNNAMED \
  -cp "$jar" dev.chatserver.bench.BenchMain "$@"
