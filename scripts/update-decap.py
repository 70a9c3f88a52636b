#!/usr/bin/env python3
"""Update the Decap CMS bundle that ccsite ships for its web editor (/admin/).

    python3 scripts/update-decap.py 3.16.3

fetches `decap-cms@VERSION` from npm (`npm pack` into a temporary folder: nothing is
installed, no package script runs), copies its single-file bundle and the licences into
ccsite/editor/static/decap/, and records the version and each file's sha256 in
ccsite/editor/static/decap/manifest.json, which a test checks the shipped files against.
Review the diff of the manifest, run the editor's browser tests, commit.

The bundle is copied byte for byte (its last line names a source map that is not shipped:
browsers ask for it only while their developer tools are open). Its lazily loaded chunks
(CodeMirror modes for the `code` widget, the WebP encoder of the image optimiser) are not
shipped either: ccsite's configuration uses neither, and the browser tests fail if the
admin page asks for any file ccsite does not serve.

The npm package has no LICENSE file (its package.json says MIT), so the MIT licence is
written from the repository's wording; the third-party notices bundled with it (the
`decap-cms.js.LICENSE.txt` webpack writes) are copied as they are.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "decap-cms"
TARGET = Path(__file__).resolve().parent.parent / "ccsite" / "editor" / "static" / "decap"
FILES = {  # file in the package -> file shipped
    "package/dist/decap-cms.js": "decap-cms.js",
    "package/dist/decap-cms.js.LICENSE.txt": "THIRD-PARTY-NOTICES.txt",
}
MIT = """\
Copyright (c) 2016 Netlify <decap@p-m.si>

MIT License

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", help="the exact release, e.g. 3.16.3 (no ranges)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d+\.\d+\.\d+", args.version):
        parser.error("give an exact stable release such as 3.16.3")
    with tempfile.TemporaryDirectory(prefix="decap-") as scratch:
        packed = _pack(args.version, Path(scratch))
        with tarfile.open(Path(scratch) / packed["filename"]) as archive:
            meta = json.load(archive.extractfile("package/package.json"))
            if meta.get("name") != PACKAGE or meta.get("version") != args.version:
                sys.exit(f"npm gave {meta.get('name')}@{meta.get('version')}, "
                         f"not {PACKAGE}@{args.version}")
            if meta.get("license") != "MIT":
                sys.exit(f"the licence is now {meta.get('license')!r}: read it before "
                         "shipping this release")
            TARGET.mkdir(parents=True, exist_ok=True)
            for inside, shipped in FILES.items():
                with archive.extractfile(inside) as source, \
                        open(TARGET / shipped, "wb") as target:
                    shutil.copyfileobj(source, target)
    (TARGET / "LICENSE").write_text(MIT, encoding="utf-8")
    manifest = {
        "package": PACKAGE,
        "version": args.version,
        "npm_integrity": packed.get("integrity", ""),
        "files": {name: _describe(TARGET / name)
                  for name in sorted([*FILES.values(), "LICENSE"])},
    }
    (TARGET / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                          encoding="utf-8")
    size = manifest["files"]["decap-cms.js"]["bytes"]
    print(f"{PACKAGE} {args.version}: decap-cms.js {size / 1e6:.1f} MB, written to {TARGET}")
    return 0


def _pack(version: str, folder: Path) -> dict:
    """`npm pack` the release into `folder` (a download only: nothing runs)."""
    done = subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--json",
                           "--ignore-scripts", "--pack-destination", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"npm pack failed:\n{done.stderr}")
    return json.loads(done.stdout)[0]


def _describe(path: Path) -> dict:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


if __name__ == "__main__":
    sys.exit(main())
