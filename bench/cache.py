"""Time reading and saving the build memory (the cache every command-line build reads
first and saves last), on a synthetic site of N documents (bench/generate.py).

    python bench/cache.py 3000 /tmp/bench-cache-3000
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402

from ccsite import incremental  # noqa: E402
from ccsite.pipeline import CACHE_FOLDER, MEMORY_FILE  # noqa: E402


def main(documents: int, folder: Path, runs: int = 7) -> None:
    content = generate(documents, folder)
    subprocess.run([sys.executable, "-m", "ccsite", "build", "--source", str(content),
                    "--output", str(folder / "_site"), "--now", "2026-11-25T12:00:00Z",
                    "--quiet"], check=True, cwd=HERE.parent)
    kept = folder / CACHE_FOLDER / MEMORY_FILE
    saved = folder / "saved" / MEMORY_FILE
    reads, saves, again = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        memory = incremental.BuildMemory.read(kept)
        reads.append(time.perf_counter() - started)
        assert memory.pages, "the memory was not read"
        started = time.perf_counter()
        memory.save(saved)  # into another folder: every part is written
        saves.append(time.perf_counter() - started)
        started = time.perf_counter()
        memory.save(saved)  # there again, nothing changed: only the table of contents
        again.append(time.perf_counter() - started)
    size = sum(path.stat().st_size for path in kept.parent.glob("build-memory*.cbor"))
    print(f"{documents} documents, {len(memory.pages)} pages, memory files "
          f"{size / 1e6:.1f} MB: read {statistics.median(reads) * 1000:.0f} ms, "
          f"save {statistics.median(saves) * 1000:.0f} ms whole, "
          f"{statistics.median(again) * 1000:.0f} ms unchanged (median of {runs})")


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
