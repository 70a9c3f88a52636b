"""The public search index, made by Pagefind from the written pages.

Pagefind (the static-site field's reference: a Rust indexer shipped on PyPI as
`pagefind[bin]`, searched in the browser with WebAssembly) indexes only what a page marks
with `data-pagefind-body`, filtered by the `section` each route gives. It runs on the
finished public folder before that folder is swapped in, so a failure leaves the last good
site in place; the leak audit then reads the (compressed) index it made.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

SUBDIR = "pagefind"
# Pagefind's ready-made interfaces: we use our own small one (assets/search.js)
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")


class SearchIndexError(Exception):
    pass


# `python -m pagefind`, made to die with the build (Linux): a build that is killed must not
# leave Pagefind writing into the folder the next build tidies away.
_LAUNCH = """
import ctypes, runpy, signal
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, kept across exec
except (OSError, AttributeError):
    pass
runpy.run_module("pagefind", run_name="__main__")
"""


def build_search_index(public_root: Path) -> list[Path]:
    """Index `public_root` into `public_root/pagefind/`; returns the files it wrote."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _LAUNCH, "--site", str(public_root),
             "--output-subdir", SUBDIR, "--silent"],
            capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"Pagefind could not run: {exc}") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexError("Pagefind could not build the search index: "
                               + (message[-1] if message else f"exit {done.returncode}"))
    folder = public_root / SUBDIR
    for name in UNUSED:
        (folder / name).unlink(missing_ok=True)
    make_deterministic(folder)
    return sorted(p for p in folder.rglob("*") if p.is_file())


# -- byte-identical indexes --------------------------------------------------------------
#
# Pagefind writes each filter's values in hash-map order, which changes from run to run,
# and names files after their content; so the filter files, the metadata file naming them
# and pagefind-entry.json naming that would differ between two builds of the same site.
# We sort the filter values (the files are gzip-compressed CBOR behind a "pagefind_dcd"
# signature) and rename the chain after the new content. Pagefind's browser code reads
# files by the names in the metadata and checks no hashes, so the index works the same.

SIGNATURE = b"pagefind_dcd"


def _read(path: Path):
    import cbor2

    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"unexpected Pagefind file format: {path.name}")
    return cbor2.loads(data[len(SIGNATURE):])


def _write(folder: Path, prefix: str, language: str, suffix: str, value, digits: int) -> str:
    """Write `value` as a Pagefind file named after its content; returns the new hash."""
    import cbor2

    data = SIGNATURE + cbor2.dumps(value)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{prefix}{name}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return name


def make_deterministic(folder: Path) -> None:
    entry_path = folder / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = folder / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = meta[3]  # [[filter name, file hash], ...]
        renamed = []
        for filter_name, old_hash in sorted(filters):
            old_path = folder / "filter" / f"{old_hash}.pf_filter"
            name, values = _read(old_path)
            old_path.unlink()
            new_hash = _write(folder / "filter", "", language, ".pf_filter",
                              [name, sorted(values, key=lambda v: v[0])], 7)
            renamed.append([filter_name, new_hash])
        meta[3] = renamed
        meta_path.unlink()
        info["hash"] = _write(folder, "pagefind.", language, ".pf_meta", meta, 13)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")
