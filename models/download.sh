#!/bin/sh
# Downloads a GGUF model with the chatserver CLI (progress, resume, SHA-256 check, atomic rename).
#
#   models/download.sh                   the default model, into models/model.gguf
#   models/download.sh qwen2.5-0.5b      a catalogue model, into models/<its file name>
#   models/download.sh URL --out FILE    any GGUF file; --sha256 HEX checks it against a known checksum
#
# Runs from the repository root, so relative paths are relative to it. Builds the CLI first when its jar is
# missing (needs JDK 25). Everything after the script name goes to 'model pull'; see --help.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/chatserver-cli/target/chatserver-cli.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ -z "$version" ] || [ "${version%%.*}" -lt 25 ] 2>/dev/null; then
    echo "chatserver needs Java 25 or newer, but '$java' is Java ${version:-unknown}: set JAVA_HOME to a JDK 25" >&2
    exit 2
fi

cd "$root"
if [ ! -f "$jar" ]; then
    echo "Building the chatserver CLI first (once; needs JDK 25)..." >&2
    ./mvnw -B -q -pl chatserver-cli -am package -DskipTests
fi
exec "$java" -jar "$jar" model pull "$@"
