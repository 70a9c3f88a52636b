"""The public search index, made by Pagefind from the written pages.

Pagefind (the static-site field's reference: a Rust indexer shipped on PyPI as
`pagefind[bin]`, searched in the browser with WebAssembly) indexes only what a page marks
with `data-pagefind-body`, filtered by the `section` each route gives. It runs on the
finished public folder before that folder is swapped in, so a failure leaves the last good
site in place; the leak audit then reads the (compressed) index it made.
"""
from __future__ import annotations

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


def build_search_index(public_root: Path) -> list[Path]:
    """Index `public_root` into `public_root/pagefind/`; returns the files it wrote."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(public_root),
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
    return sorted(p for p in folder.rglob("*") if p.is_file())
