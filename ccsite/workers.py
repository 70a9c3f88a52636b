"""Work spread over the machine's cores, for the two costly pure-Python steps of a build
(Markdown and Jinja): threads would take turns on the interpreter, so processes do it.

Workers are forked, so they start with everything the build has made so far (the site,
compiled templates) without copying it through a pipe; only each item's result comes back.
Forking a process that runs other threads (the preview server's) could copy a lock held
by one of them, so a process with threads does its work itself.

A `Helper` is one process forked to work beside the build (compiling its templates,
reading its restored output) and to send what it finds through a pipe.
"""
from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

MAX_WORKERS = 8
PIPE_BYTES = 1 << 20  # read at once from a helper's pipe, and the size a helper may ask of
# it: the theme's compiled code (0.55 MB: precompile.py) is then sent without waiting


def worth_forking(items: int, minimum: int) -> int:
    """How many worker processes to use for `items` pieces of work (0: do it here)."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if items < minimum or workers < 2 or not may_fork():
        return 0
    return workers


def may_fork() -> bool:
    """Is forking this process safe (see the module's note)?"""
    return hasattr(os, "fork") and threading.active_count() == 1


def map_in_processes(function: Callable, items: Iterable, workers: int, chunksize: int = 1,
                     initializer: Callable | None = None, initargs: tuple = ()) -> list:
    """`list(map(function, items))` in forked processes. Raises what the pool raises
    (OSError, RuntimeError... where processes cannot start): the caller then works here."""
    return start_in_processes(function, items, workers, chunksize, initializer,
                              initargs).result()


@dataclass
class Pending:
    """Work going on elsewhere, as concurrent.futures says it: `result()` waits for it
    (raising what it raised), `cancel()` gives it up. Either ends it; call one."""

    result: Callable[[], Any]
    cancel: Callable[[], None] = lambda: None


def start_in_processes(function: Callable, items: Iterable, workers: int, chunksize: int = 1,
                       initializer: Callable | None = None, initargs: tuple = ()) -> Pending:
    """`map_in_processes`, started: the workers are forked and given the work at once,
    and the list is had from `result()`. In between, this process is free for work of
    its own. `result(take)` gives the results to `take` as they come, in order, instead
    (and returns what it returns): each is let go of once taken, where the list holds
    every one until the last has come (the pages of a large site: tens of megabytes)."""
    import multiprocessing  # here: a build with little to do starts no process
    from concurrent.futures import ProcessPoolExecutor

    # Ctrl-C is the build's alone (see `_start_worker`): held back while the workers are
    # forked, so that none is started with it pending
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pool = None
    try:
        try:
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(
                "fork"), initializer=_start_worker, initargs=(held, initializer, initargs))
            # all the work is handed over here (and, with fork, every worker started)
            results = pool.map(function, items, chunksize=chunksize)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held is raised here
    except BaseException:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        raise

    def result(take: Callable[[Iterator], Any] = list) -> Any:
        try:
            return take(results)
        finally:
            pool.shutdown(cancel_futures=True)

    return Pending(result, lambda: pool.shutdown(cancel_futures=True))


def _start_worker(mask: set, initializer: Callable | None, initargs: tuple) -> None:
    """A worker ignores Ctrl-C (which the terminal sends to every process of the build):
    one it reached would die in the middle of its work, and the pool would wait for that
    work for ever, keeping the build, and the output folder's lock, from ending. The
    build, told of it, shuts the pool down: what no worker has started is dropped, and
    each worker ends once its current share is done (a second or two on a large site).
    Stopping workers where they are would be quicker, but one stopped while sending its
    result leaves the pool waiting for the rest of it for ever (found by a helper's
    review: 4 times in 40 Ctrl-Cs while members pages rendered)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    if initializer is not None:
        initializer(*initargs)


class Helper:
    """A process forked by `fork_helper`, as the build sees it: the pipe it writes to
    (`reader`, -1 once closed) and its process id (-1 once reaped)."""

    def __init__(self, pid: int, reader: int):
        self.pid, self.reader = pid, reader
        self.owner = os.getpid()  # processes forked from the build inherit this: only
        # the build reads the pipe (or each would get part) and ends the helper

    def read_all(self) -> bytes | None:
        """Wait for the helper to end: all it wrote, or None when it failed (or is not
        this process's)."""
        if os.getpid() != self.owner or self.reader < 0:
            return None
        chunks: list[bytes] | None = []
        try:
            os.set_blocking(self.reader, True)
            while piece := os.read(self.reader, PIPE_BYTES):
                chunks.append(piece)
        except OSError:
            chunks = None
        self.close()
        ended_well = self._reap() == 0
        return b"".join(chunks) if chunks is not None and ended_well else None

    def stop(self) -> None:
        """End the helper, done or not, and reap it."""
        if os.getpid() != self.owner:
            return
        self.close()
        if self.pid > 0:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()

    def close(self) -> None:
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1

    def _reap(self) -> int | None:
        """Wait for the helper's end: its exit status (None: not known)."""
        if self.pid < 0:
            return None
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            status = None
        self.pid = -1
        return None if status is None else os.waitstatus_to_exitcode(status)


def fork_helper(work: Callable[[int], None]) -> tuple[int, int] | None:
    """Fork a helper that runs `work(writer)`, writing what it finds to the pipe, and
    then ends, whatever happens: (its process id, the pipe's reading end), or None when
    it cannot be forked. Whether forking is safe here is the caller's to ask first
    (`may_fork`)."""
    parent = os.getpid()
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    # Ctrl-C held back while forking: caught in the helper before its `try`, it would
    # carry the helper back into the build's own code (its clean-up, the lock's release);
    # in its `try`, it ends the helper
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # the helper: whatever happens, it ends here
        status = 1
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            os.close(reader)
            _die_with(parent)
            work(writer)
            status = 0
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(writer)
    return pid, reader


def _die_with(parent: int) -> None:
    """Have the kernel end the helper if the build is killed (Linux; elsewhere it ends
    when it is done, or when the build's end of the pipe is gone): it holds what the
    build held when it forked, the output folder's lock among it."""
    import ctypes

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: no such call
        pass
    if os.getppid() != parent:  # the build was killed before the call above
        os._exit(1)


def write_all(writer: int, data: bytes) -> None:
    """Write all of `data` to a pipe (a write may take only part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(writer, view):]
