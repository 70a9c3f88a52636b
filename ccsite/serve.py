"""`ccsite serve`: build, serve, watch, rebuild, and reload the editor's browser.

The editor's loop: save a file, look at the page. A watchdog observer sees the save (and
the odd ways editors save: temporary file then rename, several events per save, delete and
recreate), waits until the folder has been quiet for a moment, rebuilds, and tells open
pages to reload over server-sent events. A content mistake never stops the server: the
last good build stays, the terminal prints the mistakes, and the pages they concern show
them until they are fixed.

The members area is served as it will be published: in `server` mode behind HTTP basic
authentication against the members' credentials (so the protection itself is previewed),
in `encrypt` mode inside the public site.
"""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import html
import http.server
import ipaddress
import mimetypes
import os
import posixpath
import socket
import stat
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from .csp import MEDIA_POLICY, RELOAD_FOLDER
from .errors import ContentError, ContentErrors
from .render import MEMBERS_HELP

mimetypes.add_type("text/calendar", ".ics")  # not in every system's list; a static host has it
QUIET_PERIOD = 0.08  # seconds without file events before a rebuild starts
RELOAD_SCRIPT = b"""(function () {
  var source = new EventSource(new URL("events", document.currentScript.src));
  var seen = null;
  source.addEventListener("build", function (event) {
    if (seen !== null && event.data !== seen) { location.reload(); }
    seen = event.data;
  });
})();
"""


@dataclass
class BuildState:
    """What the server shows: the last good build, and the mistakes of the latest one."""

    version: int = 0
    errors: list[ContentError] = field(default_factory=list)
    base_path: str = "/"
    page_sources: dict[str, str] = field(default_factory=dict)
    protection: str = "server"
    changed: threading.Condition = field(default_factory=threading.Condition)


class PreviewServer:
    """Builds with `build_once`, serves `output`, rebuilds on changes under `watched`."""

    def __init__(self, build_once: Callable, output: Path, watched: list[Path],
                 members_store, host: str, port: int, quiet: bool = False,
                 editor=None, members_paths: tuple[str, ...] = (),
                 only: dict[Path, tuple[str, ...]] | None = None):
        self.build_once = build_once
        # how the mistakes name members-only files (the members content folder, the
        # members output): what such a mistake says is never shown on a public page
        self.members_paths = members_paths
        self.output = output
        self.watched = sorted({p.resolve() for p in watched if p.is_dir()})
        # folders to watch once they are made (a site's first templates/ override)
        self.awaited = {p.resolve() for p in watched if not p.exists() and p.parent.is_dir()}
        # of a folder watched, the only files builds read: the secrets folder's (which may
        # be the site's own folder, with whatever else is put there)
        self.only = {folder.resolve(): names for folder, names in (only or {}).items()}
        self.store = members_store
        self.quiet = quiet
        self.state = BuildState()
        self._pending = threading.Event()
        self._building = threading.Event()  # a rebuild (or its catch-up) is running
        # files the watcher saw change since the last build that walked the content
        # folder: a page-only rebuild reads just these (see load.KnownFiles)
        self._changed_files: set[str] = set()
        self._changed_lock = threading.Lock()
        self._stopping = threading.Event()
        # digests of credentials already checked, and the member list they were checked
        # against (see _authorised); replaced whole, as requests are answered in threads
        self._verified: tuple[tuple | None, set[str]] = (None, set())
        self.last_seconds = 0.0
        self.editor = editor  # /admin/: the web editor (editor/admin.py), or None
        self.httpd = _Server((host, port), self._handler())
        self.httpd.daemon_threads = True

    # -- building ----------------------------------------------------------------------

    def rebuild(self, defer: bool = False) -> bool:
        """Build and tell open pages; with `defer`, pages first (see pipeline.build).
        Returns whether the build succeeded."""
        started = time.perf_counter()
        changed = self._changed_since_walk() if defer else self._take_changed()
        try:
            result = self.build_once(defer, changed if defer else None)
        except Exception as exc:  # a content mistake, or anything else: serving goes on
            if not defer:
                self._put_back(changed)
            errors = _mistakes_of(exc, self.output)
            self._say_errors(errors)
        else:
            errors = []
            self.state.base_path = result.base_path
            self.state.page_sources = result.page_sources
            self.state.protection = result.protection
            self.last_seconds = time.perf_counter() - started
            if not self.quiet:
                print(f"Rebuilt in {self.last_seconds:.2f} s.", flush=True)
        self._tell_pages(errors)
        return not errors

    def catch_up(self, told: Iterable[ContentError] = ()) -> None:
        """Renew what a deferred rebuild left as it was: feeds, data, the search index.
        Its mistakes are told like any build's: it audits what the page-only rebuild did
        not (the search index, made from the pages), and a leak found there must show.
        `told`: those the terminal was just told (by the page-only rebuild it follows),
        not printed again."""
        changed = self._take_changed()
        try:
            self.build_once(False, None)
        except Exception as exc:  # (as in `rebuild`)
            self._put_back(changed)  # it may have stopped before it walked the folder
            errors = _mistakes_of(exc, self.output)
            self._say_errors(errors, told)
            self._tell_pages(errors)

    def _tell_pages(self, errors: list[ContentError]) -> None:
        """Open pages reload, or show the mistakes (see `answer`)."""
        with self.state.changed:
            self.state.errors = errors
            self.state.version += 1
            self.state.changed.notify_all()

    # A page-only rebuild reads the files changed since the last full build (which walks
    # the content folder: a change the watcher missed is never lost). A full build that
    # succeeds has seen every change made before it started; one that fails may have
    # stopped before its walk, so what it took is put back.

    def _changed_since_walk(self) -> set[str]:
        with self._changed_lock:
            return set(self._changed_files)

    def _take_changed(self) -> set[str]:
        with self._changed_lock:
            taken, self._changed_files = self._changed_files, set()
            return taken

    def _put_back(self, taken: set[str]) -> None:
        with self._changed_lock:
            self._changed_files |= taken

    def _say_errors(self, errors: list[ContentError], told: Iterable[ContentError] = ()
                    ) -> None:
        told = set(told)
        for error in errors:
            if error not in told:
                print(error, file=sys.stderr)
        serving = "still serving the last good build" if (self.output / "public").is_dir() \
            else "no page can be shown until the content builds"
        print(f"{len(errors)} {'mistake' if len(errors) == 1 else 'mistakes'}: {serving}; "
              "fix and save to try again.", file=sys.stderr, flush=True)

    def _rebuild_loop(self) -> None:
        while not self._stopping.is_set():
            if not self._pending.wait(timeout=0.5):
                continue
            self._building.set()  # (before `_pending` is cleared: see _once_made)
            try:
                while self._pending.is_set():  # wait until the editor has finished saving
                    self._pending.clear()
                    time.sleep(QUIET_PERIOD)
                if self._stopping.is_set():
                    break
                built = self.rebuild(defer=True)
                if (built or self._only_leaks_told()) and not self._pending.is_set():
                    self.catch_up(told=() if built else self.state.errors)
            finally:
                self._building.clear()
                with self.state.changed:
                    self.state.changed.notify_all()

    def _only_leaks_told(self) -> bool:
        """Did the pages-first rebuild fail only for leaks? Then the catch-up build runs
        all the same: the leak's passage may be in the feeds and data too, which only it
        makes and audits, and the editor is told every file it is in at once (content
        mistakes stop it where they stopped the pages: it would tell no more)."""
        errors = self.state.errors
        return bool(errors) and all(e.field == "leak" for e in errors)

    def read_by_builds(self, folder: Path, path: str) -> bool:
        """Is the file at `path`, in the watched `folder`, one a build may read?"""
        names = self.only.get(folder)
        return names is None or \
            (os.path.dirname(path) == str(folder) and os.path.basename(path) in names)

    def changed(self, path: str) -> None:
        """A file event from the watcher."""
        if ".ccsite-cache" in path:
            return
        with self._changed_lock:
            self._changed_files.add(path)
        self._pending.set()

    # -- running -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        watcher = _Watcher(self)
        watcher.start()
        worker = threading.Thread(target=self._rebuild_loop, daemon=True)
        worker.start()
        print(f"Serving at {self.url}{self.state.base_path.lstrip('/')} (press Ctrl-C to "
              "stop). Watching "
              f"{', '.join(str(p) for p in self.watched)} for changes.", flush=True)
        if self.editor is not None:
            print(self.editor.announce(self.url, self.httpd.server_address[0]), flush=True)
        if not loopback(self.httpd.server_address[0]):
            print("The members area (/members/) answers this computer only: the preview has "
                  "no HTTPS, and a passphrase typed on another would cross the network as "
                  "it is.", flush=True)
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            print("\nStopped.", flush=True)
        finally:
            self._stopping.set()
            with self.state.changed:
                self.state.changed.notify_all()
            watcher.stop()
            self.httpd.server_close()

    # -- answering ---------------------------------------------------------------------

    def _handler(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.answer(self, head=False)

            def do_HEAD(self):
                server.answer(self, head=True)

            def do_POST(self):  # only the web editor's API takes one
                server.answer(self, head=False)

            def log_message(self, format, *args):
                pass

        return Handler

    def _sign_in_help(self) -> tuple[str, bytes]:
        """What a failed sign-in shows: the site's sign-in help page, as the deploy
        configs serve it for 401."""
        page = self._file("public", MEMBERS_HELP.strip("/") + "/index.html")
        if page is not None and page.is_file():
            return "text/html; charset=utf-8", page.read_bytes()
        return ("text/plain; charset=utf-8",
                b"Members only: sign in with your login and passphrase.\n")

    def answer(self, request, head: bool) -> None:
        path = urlsplit(request.path).path
        if self.editor is not None and self.editor.handles(path):
            return self.editor.answer(request, head)
        if request.command == "POST":
            request.close_connection = True
            return self._send(request, 405, "text/plain; charset=utf-8", b"", head)
        own = self.state.base_path + RELOAD_FOLDER
        if path == own + "events":
            return self._events(request)
        if path == own + "reload.js":
            return self._send(request, 200, "text/javascript; charset=utf-8", RELOAD_SCRIPT,
                              head)
        site_path = self._site_path(path)
        if site_path is None and path == "/":  # a site served under a base path: its home
            return self._send(request, 302, "text/plain", b"", head,
                              {"Location": self.state.base_path})
        if site_path is None:
            return self._not_found(request, head)
        if site_path == "/members":  # typed without its slash: the area, as the servers do
            return self._send(request, 301, "text/plain", b"", head, {"Location": path + "/"})
        root, rel = self._root_for(site_path)
        if root == "members":
            if not _from_this_computer(request):  # never asked: see NOT_FROM_HERE
                return self._send(request, 403, "text/plain; charset=utf-8",
                                  NOT_FROM_HERE, head)
            if not self._authorised(request):
                return self._send(request, 401, *self._sign_in_help(), head,
                                  {"WWW-Authenticate": 'Basic realm="Members", '
                                   'charset="UTF-8"'})
        target = self._file(root, rel)
        if target is not None and target.is_dir():
            return self._send(request, 301, "text/plain", b"", head,
                              {"Location": path + "/"})
        errors = self._errors_for(site_path)
        if errors and (target is None or target.suffix == ".html"):
            return self._send(request, 500, "text/html; charset=utf-8",
                              self._error_page(self._told_on(root, errors)), head)
        body = None if target is None else self._bytes_of(root, rel, target)
        if body is None and root == "public":  # made by the rebuild to come?
            def made() -> bytes | None:
                nonlocal target
                target = self._file(root, rel)
                return None if target is None else self._bytes_of(root, rel, target)
            body = self._once_made(made)
        if body is None:
            return self._not_found(request, head)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = self._with_reload(self._with_notice(body, self._told_on(
                root, self.state.errors)))
            kind += "; charset=utf-8"
        extra = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if root == "members":
            extra.update({"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})
        if _added_by_editors(rel):  # as the deploy configs send them (members/deploy.py)
            extra["Content-Security-Policy"] = MEDIA_POLICY
        return self._send(request, 200, kind, body, head, extra)

    REBUILD_WAIT = 15.0  # seconds a request for a file not there waits for a rebuild

    def _once_made(self, found: Callable[[], bytes | None]) -> bytes | None:
        """`found()` once a rebuild to come or running has made it, or None when none is
        or it did not. A picture uploaded in the web editor is in the content folder at
        once, and in the preview once the rebuild it starts has copied it; the editor
        asked for it at once, and showed it broken until the item was published (an
        editor's review). Looked for again as each build ends, so the catch-up build
        after the page-only one is not waited for when that made it."""
        deadline = time.monotonic() + self.REBUILD_WAIT
        while (self._pending.is_set() or self._building.is_set()) and \
                time.monotonic() < deadline and not self._stopping.is_set():
            with self.state.changed:
                seen = self.state.version
                self.state.changed.wait(timeout=0.25)
                told = self.state.version != seen
            if told or not (self._pending.is_set() or self._building.is_set()):
                body = found()
                if body is not None:
                    return body
        return None

    def _site_path(self, path: str) -> str | None:
        """The request's path inside the site, or None if it tries to leave it."""
        decoded = unquote(path)
        if "\x00" in decoded or "\\" in decoded:
            return None
        parts = decoded.split("/")
        if any(part in ("..", ".") for part in parts):
            return None
        normal = posixpath.normpath(decoded) + ("/" if decoded.endswith("/") else "")
        base = self.state.base_path
        if base != "/":  # only what the published site has: a page's address that leaves
            if not (normal + "/").startswith(base):  # out the base path worked here, and
                return None                         # not once published
            normal = "/" + normal[len(base):]
        return normal if normal.startswith("/") else None

    def _root_for(self, site_path: str) -> tuple[str, str]:
        if site_path.startswith("/members/") and self.state.protection == "server":
            return "members", site_path[len("/members/"):]
        return "public", site_path.lstrip("/")

    def _file(self, root: str, rel: str) -> Path | None:
        base = (self.output / root).resolve()
        for attempt in range(3):  # a rebuild may be swapping the folder in right now
            candidate = (base / rel) if rel else base
            if rel.endswith("/") or not rel:
                candidate = candidate / "index.html"
            try:
                candidate.resolve().relative_to(base)
            except ValueError:
                return None
            if candidate.exists():
                return candidate
            if (self.output / root).exists():
                return None
            time.sleep(0.05)
        return None

    def _bytes_of(self, root: str, rel: str, target: Path) -> bytes | None:
        """The file's bytes, or None when it is gone: a rebuild may swap its folder in, or
        remove the page (its document deleted), in the moment since it was found. Found
        again then, once; a request is never left without an answer."""
        for _ in range(2):
            try:
                return target.read_bytes()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                target = self._file(root, rel)
                if target is None:
                    return None
        return None

    def _errors_for(self, site_path: str) -> list[ContentError]:
        """The mistakes this page shows instead of itself: those in its own source, a leak
        found in it as it was made (told at its output file), and those in files that are
        no page's source (site.yaml, templates, a new file), which may affect any page.
        The others show on it as a notice, over the page as last built."""
        errors = self.state.errors
        if not errors:
            return []
        sources = set(self.state.page_sources.values())
        own = self.state.page_sources.get(site_path)

        def shown_instead(e: ContentError) -> bool:
            if e.field == "leak":  # (a public media file's too: no page is made from it)
                return e.path == own or self._published_as(e.path) == site_path
            return e.path == own or e.path not in sources
        return [e for e in errors if shown_instead(e)]

    def _published_as(self, path: str) -> str | None:
        """The site path of a public output file a mistake names (a leak found in it)."""
        public = f"{self.output / 'public'}/"
        if not path.startswith(public):
            return None
        rel = path[len(public):]
        return "/" + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)

    def _told_on(self, root: str, errors: list[ContentError]) -> list[ContentError]:
        """The mistakes as a page of `root` tells them: whole to a signed-in member (the
        members area, server mode), and elsewhere without what a mistake in members
        content says (a directory entry's phone number, the members passage a leak
        quotes), nor which members file it is in (a post's file is named after its
        title): the preview may be reached by others (`--host`), and its public pages
        show what the public site would. Told so, the mistakes of one folder are one."""
        if root == "members":
            return errors
        told = []
        for e in errors:
            folder = next((p for p in self.members_paths if e.path.startswith(p)), None)
            if folder is not None:
                e = ContentError(folder, 0, "", MEMBERS_MISTAKE)
            elif e.field == "leak":
                e = ContentError(e.path, e.line, e.field,
                                 LEAK_MISTAKE.format(self._leak_source(e)))
            told.append(e)
        return list(dict.fromkeys(told))

    def _leak_source(self, leak: ContentError) -> str:
        """Where a public page's leak is to be fixed, as the page tells it: the file the
        page is made from, or (a list, a menu) the file whose text it shows."""
        source = self.state.page_sources.get(self._published_as(leak.path) or "")
        if source:
            return f" (made from {source})"
        return f" (from {leak.fix_in}, which this page shows)" if leak.fix_in else ""

    def _authorised(self, request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            login, _, passphrase = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        digest = hashlib.sha256(header.encode()).hexdigest()
        store = self._store_signature()
        against, verified = self._verified
        if store != against:  # a member added or removed since: check every login again
            verified = set()
            self._verified = (store, verified)
        if digest in verified:
            return True
        import bcrypt

        for member in self.store.load():
            if member.login == login and bcrypt.checkpw(passphrase.encode(),
                                                        member.bcrypt_hash.encode()):
                verified.add(digest)  # to the set of the list it was found in
                return True
        return False

    def _store_signature(self) -> tuple | None:
        """The member list as it is now on disk (saving it replaces the file: a new inode
        and times), so a login checked against an older list is checked again: a member
        removed while the server runs is refused at their next request."""
        try:
            found = os.stat(self.store.path)
        except OSError:
            return None
        return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)

    def _events(self, request) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/event-stream")
        request.send_header("Cache-Control", "no-store")
        request.send_header("Connection", "close")
        request.end_headers()
        request.close_connection = True
        seen = -1
        try:
            while not self._stopping.is_set():
                with self.state.changed:
                    if self.state.version == seen:
                        self.state.changed.wait(timeout=15)
                    version = self.state.version
                if version != seen:
                    request.wfile.write(f"event: build\ndata: {version}\n\n".encode())
                    seen = version
                else:
                    request.wfile.write(b": still here\n\n")
                request.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _with_reload(self, body: bytes) -> bytes:
        tag = f'<script src="{self.state.base_path}{RELOAD_FOLDER}reload.js"></script>'.encode()
        at = body.rfind(b"</body>")
        return body[:at] + tag + body[at:] if at >= 0 else body + tag

    def _with_notice(self, body: bytes, errors: list[ContentError]) -> bytes:
        """A page served while the last build failed for mistakes in other files: it is
        as the last good build made it, so it says so, and names them (an edit made to
        it meanwhile does not show until they are fixed)."""
        if not errors:
            return body
        start = body.find(b"<body")
        at = body.find(b">", start) + 1 if start >= 0 else 0
        many = len(errors) > 1
        notice = f"""<div class="error-summary" role="status">
<p>This preview is not up to date: {f'{len(errors)} mistakes stop' if many else 'a mistake stops'}
the site being built again, so this page is as it was last built. Fix
{'them' if many else 'it'} and save, and the page reloads by itself.</p>
<ul class="plain-list">
{_mistake_items(errors)}
</ul></div>
"""
        return body[:at] + notice.encode("utf-8") + body[at:]

    def _error_page(self, errors: list[ContentError]) -> bytes:
        items = _mistake_items(errors)
        return self._with_reload(f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mistakes to fix - ccsite preview</title>
<link rel="stylesheet" href="{self.state.base_path}assets/style.css"></head>
<body><div class="width-container"><main id="main" class="main">
<h1>There {'is a mistake' if len(errors) == 1 else f'are {len(errors)} mistakes'} to fix</h1>
<p class="lead">The page cannot be shown until {'it is' if len(errors) == 1 else 'they are'}
fixed. Each line gives the file, the line number and the field. Save the file and this page
reloads by itself.</p>
<div class="error-summary"><ul class="plain-list">
{items}
</ul></div>
</main></div></body></html>
""".encode("utf-8"))

    def _not_found(self, request, head: bool) -> None:
        page = self.output / "public" / "404.html"
        body = self._with_reload(page.read_bytes()) if page.exists() else b"Not found\n"
        self._send(request, 404, "text/html; charset=utf-8", body, head)

    def _send(self, request, status: int, kind: str, body: bytes, head: bool,
              headers: dict[str, str] | None = None) -> None:
        send(request, status, kind, body, head, headers)


def _added_by_editors(rel: str) -> bool:
    """Is this a file editors added (media/, members' media/), sent sandboxed, as every
    deploy config sends it: opened as a page, an uploaded file is a unique origin, no
    script of it runs with the site's (or the editor's) rights. PDFs excepted, as there
    (browsers will not show one sandboxed: see members/deploy.py)."""
    return rel.startswith("media/") and not rel.lower().endswith(".pdf")


def _mistakes_of(failure: Exception, output: Path) -> list[ContentError]:
    """What a failed rebuild tells: its content mistakes, or what stopped it otherwise
    (a full disk, an output folder that cannot be written). The server goes on either
    way: the next save builds again (a build that fails so after good ones is made again
    from nothing first: see pipeline._build_in_memory)."""
    if isinstance(failure, ContentErrors):
        return failure.errors
    return [ContentError(str(output), 1, "build", f"the build stopped: {failure} "
                         f"({type(failure).__name__}); save a file to try again, or stop "
                         "ccsite serve and start it again")]


def _mistake_items(errors: list[ContentError]) -> str:
    """The mistakes as a list's items, as the error page and a page's notice show them."""
    return "\n".join(f"<li><code>{html.escape(str(e) if e.line else e.path)}</code>"
                     f"{'' if e.line else ': ' + html.escape(e.message)}</li>" for e in errors)


MEMBERS_MISTAKE = ("a mistake in members-only content; what it says is not shown on "
                   "public pages: read it on a members page once signed in, or in the "
                   "window where ccsite serve runs")


class _Watcher:
    """Watches the folders a build reads for the preview server (`watched`), recursively,
    and each folder's parent, for a folder that is made (`awaited`: a site's first
    templates/ override) or made again (a secrets folder deleted, and a member added):
    it is watched from then on. Each event the server is told of (`changed`) is of a
    file a build may read (`read_by_builds`)."""

    def __init__(self, server: PreviewServer):
        from watchdog.observers import Observer

        self.server = server
        self.observer = Observer()
        self.watches: dict[Path, object] = {}  # each folder watched -> its watch
        self.linked: set[tuple[int, int]] = set()  # each linked folder watched (see
        # _watch_linked), by its device and inode

    def start(self) -> None:
        from watchdog.events import FileSystemEventHandler

        server, watcher = self.server, self

        class Appears(FileSystemEventHandler):
            def on_any_event(self, event):
                gone = Path(str(event.src_path))
                if event.event_type == "moved" and gone in watcher.watches:  # renamed away:
                    watcher._gone(gone)  # (its own watch follows it, and tells nothing)
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    folder = Path(str(path)) if path else None
                    if folder in server.awaited:
                        watcher.once_there(folder)

        for folder in server.watched:
            self._watch(folder)
        for parent in {folder.parent for folder in (*server.watched, *server.awaited)}:
            self.observer.schedule(Appears(), str(parent), recursive=False)
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)

    def once_there(self, folder: Path) -> None:
        """Watch the folder if it is there (and tell the server it changed), else once it
        is made."""
        if folder in self.watches:
            return
        if folder.is_dir():
            self.server.awaited.discard(folder)
            self._watch(folder)
            self.server.changed(str(folder))
        else:
            self.server.awaited.add(folder)

    def _watch(self, folder: Path) -> None:
        self.watches[folder] = self.observer.schedule(self._changes(folder), str(folder),
                                                      recursive=True)
        self._watch_links(folder, folder, folder)

    def _changes(self, folder: Path, linked: tuple[Path, Path] | None = None):
        """What tells the server of changes in the watched `folder`; `linked`: (a folder
        linked into it, the link's place), whose changes are told at the link's place, as
        a build reads them (watchdog does not follow links)."""
        from watchdog.events import FileSystemEventHandler

        server, watcher = self.server, self

        class Changes(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type in ("opened", "closed_no_write"):
                    return
                found = [str(p) for p in (event.src_path, getattr(event, "dest_path", ""))
                         if p]  # (a move: gone from one place, new in another)
                paths = [_seen_at(path, linked) for path in found]
                if any(server.read_by_builds(folder, path) for path in paths):
                    for path in paths:
                        server.changed(path)
                if linked is None and Path(found[0]) == folder and \
                        event.event_type in ("deleted", "moved"):  # the folder itself gone
                    watcher._gone(folder)
                if event.event_type in ("created", "moved"):  # a link made: followed
                    watcher._watch_linked(folder, found[-1], Path(paths[-1]))

        return Changes()

    def _watch_links(self, folder: Path, where: Path, shown: Path) -> None:
        """Watch each folder linked into `where` (in the watched `folder`, at `shown` as
        a build reads it), as the up-to-date check follows them (uptodate._files)."""
        for root, names, _ in os.walk(where):  # (a link is listed, not walked)
            for name in names:
                path = os.path.join(root, name)
                if os.path.islink(path):
                    self._watch_linked(folder, path, shown / os.path.relpath(path, where))

    def _watch_linked(self, folder: Path, path: str, shown: Path) -> None:
        """Watch the folder the link at `path` leads to, once (links may lead in a loop)."""
        try:
            if not os.path.islink(path):
                return
            real = Path(os.path.realpath(path))
            found = real.stat()
        except OSError:
            return  # (a broken link: a build reads nothing there either)
        if not stat.S_ISDIR(found.st_mode) or (found.st_dev, found.st_ino) in self.linked:
            return
        self.linked.add((found.st_dev, found.st_ino))
        self.observer.schedule(self._changes(folder, (real, shown)), str(real),
                               recursive=True)
        self._watch_links(folder, real, shown)

    def _gone(self, folder: Path) -> None:
        """A folder watched was deleted (or moved away): its watch goes with it, the site
        is built without it, and it is watched again once it is made again (it may be
        already)."""
        watch = self.watches.pop(folder, None)
        if watch is not None:
            with contextlib.suppress(KeyError):  # (ended by the observer already)
                self.observer.unschedule(watch)
            self.server.changed(str(folder))
        self.once_there(folder)


def _seen_at(path: str, linked: tuple[Path, Path] | None) -> str:
    """`path`, in a linked folder (`linked`: its own place, the link's), as a build sees
    it: through the link."""
    if linked is None:
        return path
    real, shown = linked
    return str(shown / os.path.relpath(path, real)) if path != str(real) else str(shown)


LEAK_MISTAKE = ("text from the members area is in this public file{}, so it is not "
                "published: change that text (in the web editor, the item's fields or "
                "its Text), saying it in your own words or leaving it out. Which members "
                "passage it is is not shown on public pages: read it on a members page "
                "once signed in, or in the window where ccsite serve runs")


def now_or(fixed: dt.datetime | None) -> dt.datetime:
    return fixed or dt.datetime.now(dt.timezone.utc)


# -- a plain static server, for serving a finished build (tests, quick looks) ------------

class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    def list_directory(self, path):  # a static host shows no folder listings
        self.send_error(404)
        return None

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format, *args):
        pass


def send(request, status: int, kind: str, body: bytes, head: bool,
         headers: dict[str, str] | None = None) -> None:
    """One whole answer; a browser that has gone away meanwhile is no mistake."""
    try:
        request.send_response(status)
        request.send_header("Content-Type", kind)
        request.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        if not head:
            request.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass


class _Server(http.server.ThreadingHTTPServer):
    """socketserver's listen queue is 5 connections: a page with its stylesheet, scripts,
    images and the reload stream, opened in a few tabs while a rebuild holds the machine,
    has connections refused. The kernel's usual limit is taken instead. An IPv6 address
    (--host ::1, or :: for every address) is listened on as one."""

    request_queue_size = 128

    def __init__(self, address, handler):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)


def make_server(root: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """Serve the finished build in `root` as a static host would."""
    import functools

    handler = functools.partial(_StaticHandler, directory=str(root))
    return _Server((host, port), handler)


# What the members area answers a request from another computer (a preview started with
# --host 0.0.0.0 to show colleagues): the preview has no HTTPS, so a passphrase asked for
# there would cross the network in clear, and it is a member's real one (the site's
# member list). No sign-in is offered (a 401 would make the browser ask for it).
NOT_FROM_HERE = (b"The members area of this preview answers only the computer it runs on: "
                 b"the preview has no HTTPS, and a passphrase typed here would cross the "
                 b"network as it is typed. Open it on that computer "
                 b"(http://127.0.0.1/...), or on the published site.\n")


def loopback(address: str) -> bool:
    """Is `address` (an IP address, maybe with a zone) this computer's own? (a server
    listening there is reached from this computer only)"""
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def _from_this_computer(request) -> bool:
    """Did the request come from this computer (a loopback address, also mapped into
    IPv6: ::ffff:127.0.0.1)?"""
    address = request.client_address[0]
    if address.lower().startswith("::ffff:"):
        address = address[len("::ffff:"):]
    return loopback(address)
