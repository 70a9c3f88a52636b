"""Run ccsite and kill it (SIGKILL, as a power cut or the OOM killer would) just before
its Nth step that renames or removes something in the output folder's published roots
(`public/`, `members/`, `deploy/`, and the folders beside them it swaps), so a test can
stop a build at every step of its swap in turn, not at a moment it hopes to hit.

    python tests/killpoints.py N OUTPUT ccsite-arguments...

Steps are counted through the os functions every rename and removal goes through
(shutil.rmtree and pathlib included) and ccsite.write.exchange (the atomic swap). A run
that reaches its end unkilled exits as ccsite does and prints the number of steps.
"""
from __future__ import annotations

import os
import signal
import sys

ROOTS = {"public", "members", "deploy"}


def main() -> int:
    kill_at, output, argv = int(sys.argv[1]), os.path.realpath(sys.argv[2]), sys.argv[3:]
    count = 0

    def published(path, dir_fd) -> bool:
        path = os.fsdecode(path)
        if dir_fd is not None:
            path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
        rel = os.path.relpath(os.path.realpath(os.path.abspath(path)), output)
        parts = rel.split(os.sep)
        return not rel.startswith("..") and (parts[0] in ROOTS or len(parts) == 1)

    def step(*paths: tuple) -> None:
        """One rename or removal, of these (path, dir_fd) pairs."""
        nonlocal count
        if any(published(path, dir_fd) for path, dir_fd in paths):
            count += 1
            if count == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    def one_path(function):
        def wrapped(path, *args, dir_fd=None, **kwargs):
            step((path, dir_fd))
            return function(path, *args, dir_fd=dir_fd, **kwargs)
        return wrapped

    def two_paths(function):
        def wrapped(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
            step((src, src_dir_fd), (dst, dst_dir_fd))
            return function(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
        return wrapped

    for name in ("unlink", "remove", "rmdir"):
        setattr(os, name, one_path(getattr(os, name)))
    for name in ("rename", "replace"):
        setattr(os, name, two_paths(getattr(os, name)))

    from ccsite import write
    from ccsite.cli import main as ccsite

    exchange = write.exchange

    def counted_exchange(a, b):
        step((a, None), (b, None))
        return exchange(a, b)

    write.exchange = counted_exchange
    status = ccsite(argv)
    print(f"steps: {count}")
    return status


if __name__ == "__main__":
    sys.exit(main())
