#!/usr/bin/env bash
# Time from process start to accepting connections of `java -jar chatserver-cli/target/chatserver-cli.jar server`:
# 10 starts on the story model (bench/StartTime.java), median, minimum, maximum and the load average.
#   bench/start-time.sh [--runs N] [--jar FILE] [--model FILE] [--java FILE] [--jvm-option OPTION]... [--phases]
#                       [-- server options]
# --phases also prints when each phase of the start ended (the jar's start trace).
set -euo pipefail
cd "$(dirname "$0")/.."
java_cmd="java"
if [ -n "${JAVA_HOME:-}" ]; then java_cmd="$JAVA_HOME/bin/java"; fi
exec "$java_cmd" bench/StartTime.java --java "$java_cmd" "$@"
