#!/bin/sh
# Puts the chat page's browser libraries into the jar's resources, as the Maven build's process-resources step.
#
#   install-libs.sh BUILD_DIR PAGE_DIR
#
# Installs the exact versions of package-lock.json from the npm registry (npm ci, into BUILD_DIR/page-libs, so
# that no node_modules appears in the source tree), then copies each library's ready-made browser build and its
# licence into PAGE_DIR/lib. A second build with an unchanged lock file installs nothing. Nothing here is loaded
# from anywhere at run time: the page serves these copies itself.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
work="$1/page-libs"
lib="$2/lib"

if ! command -v npm >/dev/null 2>&1; then
    echo "ERROR: the chat page's libraries are installed with npm, which is not on the PATH: install Node.js 20+ with npm (Debian: apt-get install npm)" >&2
    exit 1
fi

mkdir -p "$work" "$lib"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    if ! (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
        echo "ERROR: npm ci of the chat page's libraries failed (no registry reachable?); npm said: $(grep -m 1 -i 'err' "$work/npm.log" || tail -n 1 "$work/npm.log")" >&2
        rm -f "$work/package-lock.json"
        exit 1
    fi
fi

modules="$work/node_modules"
cp "$modules/marked/lib/marked.umd.js" "$lib/marked.js"
cp "$modules/marked/LICENSE" "$lib/marked.LICENSE"
cp "$modules/dompurify/dist/purify.min.js" "$lib/purify.js"
cp "$modules/dompurify/LICENSE" "$lib/purify.LICENSE"
