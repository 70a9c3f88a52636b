"""Work spread over the machine's cores, for the two costly pure-Python steps of a build
(Markdown and Jinja): threads would take turns on the interpreter, so processes do it.

Workers are forked, so they start with everything the build has made so far (the site,
compiled templates) without copying it through a pipe; only each item's result comes back.
Forking a process that runs other threads (the preview server's) could copy a lock held
by one of them, so a process with threads does its work itself.
"""
from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable

MAX_WORKERS = 8


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
    its own."""
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

    def result() -> list:
        try:
            return list(results)
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

