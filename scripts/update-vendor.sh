#!/bin/sh
# Rebuild the vendored libraries from npm: the elliptic-curve library the members area
# opens with, and Leaflet, the map families open on /centres/ and each centre's page.
#
# The browser turns a member's passphrase into a P-256 private key and needs its public key
# and an ECDH shared secret from that raw scalar; WebCrypto cannot import a bare scalar, so
# the sign-in page ships @noble/curves (audited, no dependencies beyond @noble/hashes, no
# eval, no WebAssembly). It is installed from npm at the exact versions below into a
# temporary folder, bundled with esbuild into one readable (not minified) IIFE that sets
# `window.ccsiteNoble`, and copied with both licences into templates/assets/vendor/. The
# versions, npm's integrity hashes and the sha256 of every shipped file are recorded in
# scripts/vendor.lock.json (tests/test_members.py checks the shipped files against it).
#
# Leaflet is shipped as npm publishes it (dist/: leaflet.js, leaflet.css and the marker and
# layer images its CSS names), under templates/assets/vendor/leaflet/ with its licence.
# The pages never load it until a visitor presses "Show map" (templates/assets/map.js).
#
# Usage: scripts/update-vendor.sh [CURVES_VERSION [LEAFLET_VERSION]]
#        (from anywhere; needs node and npm)
set -eu

CURVES_VERSION=${1:-2.4.0}
LEAFLET_VERSION=${2:-1.9.4}
ESBUILD_VERSION=0.28.2
REPO=$(cd "$(dirname "$0")/.." && pwd)
VENDOR="$REPO/templates/assets/vendor"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
# --ignore-scripts: nothing from npm runs here; esbuild finds its binary without them
npm install --ignore-scripts --no-audit --no-fund --save-exact \
    "@noble/curves@$CURVES_VERSION" "leaflet@$LEAFLET_VERSION" "esbuild@$ESBUILD_VERSION" \
    >/dev/null
HASHES_VERSION=$(node -p 'require("./node_modules/@noble/hashes/package.json").version')

cat > entry.js <<'JS'
export { p256 } from "@noble/curves/nist.js";
export { mapHashToField } from "@noble/curves/abstract/modular.js";
JS
BANNER="/* @noble/curves $CURVES_VERSION and @noble/hashes $HASHES_VERSION (MIT licence, (c) Paul Miller:
   see noble-curves.LICENSE.txt and noble-hashes.LICENSE.txt), bundled unminified by esbuild
   $ESBUILD_VERSION with scripts/update-vendor.sh. Do not edit: run that script. */"
./node_modules/.bin/esbuild entry.js --bundle --format=iife --global-name=ccsiteNoble \
    --target=es2020 --charset=utf8 --legal-comments=inline --banner:js="$BANNER" \
    --outfile=noble-curves.js --log-level=warning

mkdir -p "$VENDOR"
cp noble-curves.js "$VENDOR/noble-curves.js"
cp node_modules/@noble/curves/LICENSE "$VENDOR/noble-curves.LICENSE.txt"
cp node_modules/@noble/hashes/LICENSE "$VENDOR/noble-hashes.LICENSE.txt"
rm -rf "$VENDOR/leaflet"
mkdir -p "$VENDOR/leaflet/images"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$VENDOR/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$VENDOR/leaflet/images/"
cp node_modules/leaflet/LICENSE "$VENDOR/leaflet/LICENSE.txt"

python3 - "$REPO" "$WORK/package-lock.json" "$ESBUILD_VERSION" <<'PY'
import hashlib, json, sys
from pathlib import Path

repo, lock, esbuild = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()), sys.argv[3]
packages = {name: lock["packages"][f"node_modules/{name}"]
            for name in ("@noble/curves", "@noble/hashes", "leaflet")}
record = {
    "why": {"@noble/curves": "the members sign-in page derives a P-256 key from the "
                             "passphrase (templates/assets/members.js)",
            "leaflet": "the map of the centres, loaded when a visitor presses 'Show map' "
                       "(templates/assets/map.js)",
            "update": "rebuild everything here with scripts/update-vendor.sh"},
    "packages": {name: {"version": p["version"], "integrity": p["integrity"]}
                 for name, p in packages.items()},
    "bundler": f"esbuild {esbuild}",
    "files": {path.relative_to(repo).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
              for path in sorted((repo / "templates/assets/vendor").rglob("*"))
              if path.is_file()},
}
(repo / "scripts/vendor.lock.json").write_text(json.dumps(record, indent=2) + "\n")
PY
echo "vendored @noble/curves $CURVES_VERSION (@noble/hashes $HASHES_VERSION) and leaflet" \
     "$LEAFLET_VERSION into $VENDOR"
