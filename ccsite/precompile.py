"""Templates compiled ahead, by a process of their own, while the build goes on.

Before a page is rendered, its templates are compiled: Jinja parses each one and turns it
into Python code. That costs a cold build 0.27 s for the theme's 34 templates and a
routine build 0.07 s for the five an edit uses (1,000 documents), in the build's own
process, while the machine's other core mostly waits: loading and validating the content
run on one. So once the site settings are read, the build forks a helper that compiles
every template, each followed by those it uses (base.html, macros.html), and sends each
one's code back through a pipe as Jinja's own bytecode cache holds it (`marshal`). When
the build needs a template it takes what has come (render.CompiledTemplates) and
compiles the rest itself, as it did without a helper.

Nothing is kept between builds, nor on disk: the code comes from a process of this very
build, never from a file (see cachefolder.py). What the helper compiled is the build's
own compile: the same templates (a file changed meanwhile has another digest and is
compiled again), the same environment (render.make_environment) and the same base
address (what filters of constants work out when compiled: see CompiledTemplates).
"""
from __future__ import annotations

import marshal
import os
import signal
import struct
from pathlib import Path

import jinja2

from . import incremental, render
from .model import SiteConfig
from .workers import may_fork

_SIZE = struct.Struct("<Q")  # each template's code is sent as its size, then the bytes
PIPE_BYTES = 1 << 20  # the theme's compiled code is 0.55 MB: sent without waiting


class Ahead:
    """The helper as the build sees it: `take` puts what it has sent so far into a map of
    compiled templates (see render.CompiledTemplates), `stop` ends it."""

    def __init__(self, pid: int, reader: int):
        self.pid, self.reader = pid, reader
        self.owner = os.getpid()  # processes forked from the build inherit this: only
        self.received = bytearray()  # the build reads the pipe, or each would get part

    def take(self, kept: dict) -> None:
        """Put the templates the helper has sent (and not yet taken) into `kept`; one the
        build compiled itself meanwhile stays as it is."""
        if os.getpid() != self.owner or self.reader < 0:
            return
        try:
            while piece := os.read(self.reader, PIPE_BYTES):
                self.received += piece
            self._close()  # all sent: the helper has ended
        except BlockingIOError:  # all that has come so far
            pass
        except OSError:
            self._close()
        while len(self.received) >= _SIZE.size:
            size = _SIZE.unpack_from(self.received)[0]
            end = _SIZE.size + size
            if len(self.received) < end:
                break
            sent = marshal.loads(self.received[_SIZE.size:end])
            del self.received[:end]
            if len(sent) == 3:  # a template's code: (key, digest of its text, code)
                kept.setdefault(sent[0], sent[1:])
            else:  # a template's text, and the templates it names
                incremental.remember_names(*sent)

    def stop(self) -> None:
        """End the helper (done or not) and reap it."""
        if os.getpid() != self.owner:
            return
        self._close()
        if self.pid < 0:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.pid = -1

    def _close(self) -> None:
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1


NOT_STARTED = Ahead(-1, -1)  # a build with no helper: the build compiles all itself


def start(templates: Path | None, config: SiteConfig) -> Ahead:
    """Fork the helper, unless forking is not safe (a process running other threads, like
    the preview server's, could pass a lock one of them holds to the child: workers.py)."""
    if not may_fork():
        return NOT_STARTED
    parent = os.getpid()
    try:
        reader, writer = os.pipe()
    except OSError:
        return NOT_STARTED
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
        return NOT_STARTED
    if pid == 0:  # the helper: whatever happens, it ends here
        status = 1
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            os.close(reader)
            _die_with(parent)
            _send_all(templates, config, writer)
            status = 0
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(writer)
    os.set_blocking(reader, False)
    return Ahead(pid, reader)


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


def _send_all(templates: Path | None, config: SiteConfig, writer: int) -> None:
    """Compile every template, each followed by those it uses (every page needs
    base.html soon), and send each one's code, with its text and the templates that
    names (incremental.named_in: had from the compile's parse, which the build would
    otherwise make again to know what a page read)."""
    import fcntl

    try:  # a pipe large enough for all the code: the helper never waits for the build
        fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):
        pass
    kept: dict = {}
    env = render.make_environment(templates, config, compiled=kept)
    named: set[str] = set()
    for name in env.list_templates():
        if name.startswith("assets/"):
            continue  # the theme's files, not templates
        try:
            env.get_template(name)
        except Exception:  # a mistake: the build compiles it itself, and tells it
            continue
        for each in {name, *env.referenced(name)} - named:
            named.add(each)
            try:
                source = env.loader.get_source(env, each)[0]
            except jinja2.TemplateError:  # not found, or a mistake: told where it is used
                continue
            _send(writer, (source, incremental.named_in(source)))
        for key, (checksum, code) in kept.items():
            _send(writer, (key, checksum, code))
        kept.clear()


def _send(writer: int, value: tuple) -> None:
    data = marshal.dumps(value)
    view = memoryview(_SIZE.pack(len(data)) + data)
    while view:
        view = view[os.write(writer, view):]
