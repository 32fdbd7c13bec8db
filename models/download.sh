#!/bin/sh
# Downloads a GGUF model with the chatserver CLI (progress, resume, SHA-256 check, atomic rename).
#
#   models/download.sh                   the default model, into models/model.gguf
#   models/download.sh qwen2.5-0.5b      a catalogue model, into models/<its file name>
#   models/download.sh URL --out FILE    any GGUF file; --sha256 HEX checks it against a known checksum
#
# Runs from the repository root, so relative paths are relative to it. Builds the CLI first when its jar is
# missing (needs JDK 25). Everything after the script name goes to 'model pull'; see --help.
#
# The JDK is found as the jar's launcher finds it: the one in JAVA_HOME when it is 25 or newer, else the 'java' on
# the PATH when it is, else a JDK 25+ installed beside that 'java' (a sibling directory whose 'release' file says
# JAVA_VERSION="25..." or later).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/chatserver-cli/target/chatserver-cli.jar"

# Prints the feature version of the JDK whose home is $1 (from its release file), or nothing.
feature_of() {
    [ -f "$1/release" ] && [ -x "$1/bin/java" ] || return 0
    sed -n 's/^JAVA_VERSION="\{0,1\}\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$1/release" | head -n 1
}

# Is $1 the home of a JDK 25 or newer?
recent() {
    v=$(feature_of "$1")
    [ -n "$v" ] && [ "$v" -ge 25 ]
}

jdk=
if [ -n "${JAVA_HOME:-}" ] && recent "$JAVA_HOME"; then
    jdk=$JAVA_HOME
elif command -v java >/dev/null 2>&1; then
    home=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
    if [ -n "$home" ] && recent "$home"; then
        jdk=$home
    elif [ -n "$home" ]; then
        for sibling in "$(dirname "$home")"/*; do
            if recent "$sibling"; then jdk=$sibling; break; fi
        done
    fi
fi
if [ -z "$jdk" ]; then
    echo "chatserver needs a JDK 25 or newer and found none (JAVA_HOME, the 'java' on the PATH, or beside it): install one and set JAVA_HOME to it" >&2
    exit 2
fi

cd "$root"
if [ ! -f "$jar" ]; then
    echo "Building the chatserver CLI first (once; needs JDK 25)..." >&2
    JAVA_HOME=$jdk ./mvnw -B -q -pl chatserver-cli -am package -DskipTests
fi
exec "$jdk/bin/java" -jar "$jar" model pull "$@"
