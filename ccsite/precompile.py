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

The code comes from a process of this very build. A process that builds again (the
preview server, a test run) has the theme compiled by its earlier builds
(incremental.COMPILED_IN_THIS_PROCESS), and so has a command-line build that read what
the last one kept, signed (templatecode.py): neither forks a helper. What the helper
compiled is the build's
own compile: the same templates (a file changed meanwhile has another digest and is
compiled again), the same environment (render.make_environment) and the same base
address (what filters of constants work out when compiled: see CompiledTemplates).
"""
from __future__ import annotations

import marshal
import os
import struct
from pathlib import Path

import jinja2

from . import incremental, render
from .model import SiteConfig
from .workers import PIPE_BYTES, Helper, fork_helper, may_fork, write_all

_SIZE = struct.Struct("<Q")  # each template's code is sent as its size, then the bytes


class Ahead(Helper):
    """The helper as the build sees it: `take` puts what it has sent so far into a map of
    compiled templates (see render.CompiledTemplates), `stop` ends it."""

    def __init__(self, pid: int, reader: int):
        super().__init__(pid, reader)
        self.received = bytearray()

    def take(self, kept: dict) -> None:
        """Put the templates the helper has sent (and not yet taken) into `kept`; one the
        build compiled itself meanwhile stays as it is."""
        if os.getpid() != self.owner or self.reader < 0:
            return
        try:
            while piece := os.read(self.reader, PIPE_BYTES):
                self.received += piece
            self.close()  # all sent: the helper has ended
        except BlockingIOError:  # all that has come so far
            pass
        except OSError:
            self.close()
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


NOT_STARTED = Ahead(-1, -1)  # a build with no helper: the build compiles all itself


def start(templates: Path | None, settings: SiteConfig | Path) -> Ahead:
    """Fork the helper, unless forking is not safe (a process running other threads, like
    the preview server's, could pass a lock one of them holds to the child: workers.py).

    `settings`: the site's, or its site.yaml for the helper to read itself, which lets a
    command-line build fork it before it reads its memory. Forked while the build is
    small, the helper shares none of the tens of megabytes the build reads next; forked
    after them, every page of them the build touched while the helper ran was copied
    first (the kernel's copy on write), which made validating 10,000 documents take
    0.15 s instead of 0.09. A site.yaml the helper reads otherwise than the build (edited
    meanwhile) costs nothing: what it compiled is kept under its base address (see
    render.CompiledTemplates), so only code compiled for the build's own is used."""
    if not may_fork() or incremental.COMPILED_IN_THIS_PROCESS:
        return NOT_STARTED  # (a process that built before has the theme compiled)
    forked = fork_helper(lambda writer: _send_all(templates, _settings(settings), writer))
    if forked is None:
        return NOT_STARTED
    ahead = Ahead(*forked)
    os.set_blocking(ahead.reader, False)
    return ahead


def _settings(settings: SiteConfig | Path) -> SiteConfig:
    """The site settings, read from site.yaml as the build reads them if need be (in the
    helper, which ends on a mistake: the build then compiles every template itself)."""
    from .config import read_site_config
    from .errors import ErrorList
    from .load import document_from_bytes

    if not isinstance(settings, Path):
        return settings
    errors = ErrorList()
    document = document_from_bytes(settings.read_bytes(), "site.yaml", "", errors)
    config = None if document is None else read_site_config(document, errors)
    if config is None or errors.errors:
        raise SystemExit(1)  # nothing sent
    return config


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
    write_all(writer, _SIZE.pack(len(data)) + data)
