#!/bin/sh
# Copies the browser libraries eventsvc serves itself (never from a CDN) from node_modules into
# eventsvc/static/vendor, with a header naming the package, its version and its licence. The
# copies are committed: run this after changing a version in package.json (`npm install` first).
#   jsQR (Apache-2.0): the QR decoder of the check-in page's scanner where the browser has no
#   BarcodeDetector (static/scan.js).
set -eu
cd "$(dirname "$0")/.."
out=eventsvc/static/vendor
mkdir -p "$out"

vendor() {  # package, file inside the package, name in static/vendor, licence
    version=$(node -p "require('./node_modules/$1/package.json').version")
    {
        printf '/*! %s %s — %s licence (the full text: %s.LICENSE.txt).\n' "$1" "$version" "$4" "$3"
        printf ' * Copied from node_modules/%s/%s by scripts/vendor_js.sh; do not edit. */\n' "$1" "$2"
        cat "node_modules/$1/$2"
    } > "$out/$3.js"
    cp "node_modules/$1/LICENSE" "$out/$3.LICENSE.txt"
    echo "$out/$3.js: $1 $version"
}

vendor jsqr dist/jsQR.js jsQR Apache-2.0
