"""Stage 5, write: put a finished site in place all at once, or not at all.

Each output root (`public/`, later `members/`) is written into a temporary folder beside
it and swapped in by renames only when every file is written, so a failed or interrupted
build leaves the last good site untouched and pages whose source was deleted disappear.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

TEMP_PREFIX = ".ccsite-tmp-"
OLD_PREFIX = ".ccsite-old-"


class OutputFiles(dict):
    """Output path (relative, with '/') -> bytes to write, or a Path to copy from."""

    def add_text(self, path: str, text: str) -> None:
        self[path] = text.encode("utf-8")


def write_root(output: Path, name: str, files: OutputFiles,
               finish: Callable[[Path], None] | None = None) -> Path:
    """Write `files` as `output/name/`, replacing what was there in one swap.

    `finish` runs on the written folder before the swap (to add a search index, say); if
    it raises, the folder is dropped and the published one stays as it was.
    """
    output.mkdir(parents=True, exist_ok=True)
    recover_interrupted(output, name)
    temp = output / f"{TEMP_PREFIX}{name}-{os.getpid()}"
    if temp.exists():
        shutil.rmtree(temp)
    for rel in sorted(files):
        target = temp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        content = files[rel]
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content)
    if finish is not None:
        try:
            finish(temp)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    final = output / name
    old = output / f"{OLD_PREFIX}{name}-{os.getpid()}"
    if final.exists():
        final.rename(old)
    temp.rename(final)
    if old.exists():
        shutil.rmtree(old)
    return final


def recover_interrupted(output: Path, name: str) -> None:
    """Undo what an interrupted build left: restore a moved-away site, drop temp folders."""
    final = output / name
    for leftover in sorted(output.glob(f"{OLD_PREFIX}{name}-*")):
        if not final.exists():
            leftover.rename(final)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output.glob(f"{TEMP_PREFIX}{name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
