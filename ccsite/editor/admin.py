"""The editor's pages at /admin/ on `ccsite serve`, and the guards of its API.

/admin/ is Decap CMS (the pinned bundle in static/decap/) with ccsite's own small script,
/admin/config.yml its configuration made from the content model (decap.py, local mode),
and /admin/api/v1 Decap's proxy backend (proxy.py), which can write files. So the API
answers only a request that is all of:

- made to this computer: the server listens on a loopback address (with `--host
  0.0.0.0` the whole of /admin/ is off: 404), and the request's Host is 127.0.0.1,
  localhost or [::1] with the server's port (a web page whose name is made to point at
  127.0.0.1, "DNS rebinding", sends its own name);
- from the editor's own page: the Origin (and Sec-Fetch-Site, where the browser sends
  it) says same origin, so another site open in the browser cannot post to it;
- carrying the token of this content folder's editor, which only the served admin page
  knows (ccsite-admin.js sends it in the X-Ccsite-Token header). It is kept in the
  cache folder, readable by its owner only, so a page left open while the server was
  restarted (a crash, a closed terminal, a reboot) still saves what was typed in it.

The admin page has its own Content-Security-Policy, loosened from the site's only as far
as Decap needs (see ADMIN_CSP).
"""
from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import re
import secrets
import socket
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from .. import load
from ..config import read_site_config
from ..errors import ErrorList
from . import decap

if TYPE_CHECKING:
    from .proxy import Proxy

STATIC = Path(__file__).parent / "static"
BUNDLE = STATIC / "decap" / "decap-cms.js"
TOKEN_HEADER = "X-Ccsite-Token"
MAX_REQUEST = 64 * 1024 * 1024  # an upload of a few tens of MB, as base64 in JSON
ROOT = "/admin/"
API = ROOT + decap.API_PATH.removeprefix("admin/")

# What Decap 3 needs beyond the site's own policy (members/deploy.py), found by running it
# in Chromium under a strict policy and reading the violations (tests/test_editor_browser.py
# fails on any console error):
# - script-src 'unsafe-eval': Decap checks its configuration with Ajv, which compiles each
#   JSON schema into a function (new Function); without it the editor does not start;
# - style-src 'unsafe-inline': its components are styled by Emotion, which writes <style>
#   elements at run time;
# - img-src blob: data:, connect-src blob:: an uploaded file is held as an object URL,
#   shown from it and read back from it (fetch) when the entry is saved;
# - frame-src/child-src 'self' blob:: the preview pane is an iframe of the page.
# No inline script, and nothing from elsewhere: every file comes from this server.
ADMIN_CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; "
             "connect-src 'self' blob:; frame-src 'self' blob:; child-src 'self' blob:; "
             "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
             "form-action 'self'; frame-ancestors 'none'")
ADMIN_HEADERS = {"Content-Security-Policy": ADMIN_CSP, "X-Content-Type-Options": "nosniff",
                 "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
                 "X-Robots-Tag": "noindex", "Cache-Control": "no-store"}


# The Git hosts' own addresses the published editor talks to (their API, and the
# avatars Decap shows), by backend, when site.yaml's `editor:` names no api_root.
GIT_HOSTS = {"github": ("https://api.github.com", "https://avatars.githubusercontent.com"),
             "gitlab": ("https://gitlab.com", "https://secure.gravatar.com"),
             "gitea": ()}


def published_policy(editor) -> str:
    """ADMIN_CSP for the published editor: its Git host (the API, the sign-in server and
    the avatars) added to what the page may fetch and show, nothing else."""
    hosts = list(GIT_HOSTS.get(editor.backend, ()))
    hosts += [_origin(url) for url in (editor.api_root, editor.base_url) if url]
    extra = " ".join(dict.fromkeys(hosts))
    if not extra:
        return ADMIN_CSP
    return (ADMIN_CSP.replace("connect-src 'self' blob:", f"connect-src 'self' blob: {extra}")
            .replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {extra}"))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def admin_page(title: str, token: str | None = None, policy: str | None = None) -> bytes:
    """The editor's page: Decap and ccsite's script, and in local mode this run's token.

    Published, the page carries its `policy` itself, for hosts that cannot send headers
    (a <meta> policy cannot hold frame-ancestors: the deploy configurations send it)."""
    secret = f'<meta name="ccsite-token" content="{html.escape(token)}">\n' if token else ""
    secret += f'<meta name="ccsite-collections" content="{" ".join(decap.COLLECTIONS)}">\n'
    # (the preview pane's template is registered for each: see ccsite-admin.js)
    if policy:
        in_page = "; ".join(part for part in policy.split("; ")
                            if not part.startswith("frame-ancestors"))
        secret += f'<meta http-equiv="Content-Security-Policy" content="{in_page}">\n'

    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
{secret}<title>Content editor - {html.escape(title)}</title>
<link rel="icon" href="data:,">
<link href="config.yml" type="text/yaml" rel="cms-config-url">
</head>
<body>
<script src="ccsite-admin.js"></script>
<script src="decap-cms.js"></script>
</body>
</html>
""".encode("utf-8")


def static_files() -> dict[str, Path]:
    """The files /admin/ serves as they are (besides its page and configuration)."""
    return {"decap-cms.js": BUNDLE, "ccsite-admin.js": STATIC / "ccsite-admin.js",
            "LICENSE": STATIC / "decap" / "LICENSE",
            "THIRD-PARTY-NOTICES.txt": STATIC / "decap" / "THIRD-PARTY-NOTICES.txt"}


def _send(*args, **kwargs) -> None:
    """serve.send: imported when the preview server answers, as a build that publishes
    /admin/ needs none of the server (its modules took 40 ms of every build to import)."""
    from ..serve import send

    return send(*args, **kwargs)


class AdminSite:
    """/admin/ on the preview server of one content folder."""

    def __init__(self, source: Path, shown_as: str, proxy: Proxy, cache: Path | None = None):
        self.source = source
        self.shown_as = shown_as
        self.proxy = proxy
        self.token = editor_token(cache)

    @staticmethod
    def handles(path: str) -> bool:
        return path == ROOT.rstrip("/") or path.startswith(ROOT)

    # -- guards

    @staticmethod
    def on_this_computer(address: str) -> bool:
        """Is a server listening on `address` reached from this computer only?"""
        from ..serve import loopback

        return loopback(address)

    def announce(self, url: str, address: str) -> str:
        """What `ccsite serve` says of the editor when it starts."""
        if self.on_this_computer(address):
            return f"Edit the content in your browser at {url}admin/"
        return "The web editor (/admin/) is off: this server can be reached from other " \
               "computers (--host), and the editor can change files."

    @classmethod
    def loopback_host(cls, request) -> str | None:
        """The Host the request was sent to, if it is this computer at the server's port:
        by name (localhost) or address (the usual ones, and the one the server listens
        on: `--host 127.0.0.2` is this computer too), never another name (see above)."""
        address, port = request.server.server_address[:2]
        host = (request.headers.get("Host") or "").strip().lower()
        allowed = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
        if cls.on_this_computer(address):
            allowed.add(f"[{address}]:{port}" if ":" in address else f"{address}:{port}")
        return host if host in allowed else None

    def refusal(self, request, host: str) -> str | None:
        """Why an API request is refused (None: it may be answered)."""
        origin = request.headers.get("Origin")
        if origin != f"http://{host}":
            return "the editor's API answers only the editor's own page (Origin)"
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site != "same-origin":
            return "the editor's API answers only the editor's own page (Sec-Fetch-Site)"
        if not hmac.compare_digest(request.headers.get(TOKEN_HEADER, "").encode(),
                                   self.token.encode()):
            return "the editor's API needs the token of this content folder's editor: " \
                   "reload the editor's page"
        if (request.headers.get("Content-Type") or "").split(";")[0].strip() != \
                "application/json":
            return "the editor's API takes JSON"
        return None

    # -- answering

    def answer(self, request, head: bool) -> None:
        path = request.path.split("?", 1)[0].split("#", 1)[0]
        if request.command == "POST":  # its body may go unread: no second request after it
            request.close_connection = True
        refuse = _json if request.command == "POST" else \
            (lambda request, status, answer: _send(request, status, "text/plain; charset="
                                                   "utf-8", answer["error"].encode(), head))
        if not self.on_this_computer(request.server.server_address[0]):
            return refuse(request, 404, {"error": "Not found\n"})
        host = self.loopback_host(request)
        if host is None:
            return refuse(request, 403, {"error": "The editor answers only at 127.0.0.1 or "
                                                  "localhost.\n"})
        if peer_user(request.client_address, request.server.server_address) not in \
                (None, os.getuid()):
            return refuse(request, 403, {"error": "The editor answers only the user who "
                                                  "started ccsite serve.\n"})
        if request.command == "POST":
            if path != API:
                return _send(request, 405, "text/plain; charset=utf-8", b"", head)
            return self._api(request, host)
        if path == ROOT.rstrip("/"):
            return _send(request, 301, "text/plain", b"", head, {"Location": ROOT})
        name = path[len(ROOT):] or "index.html"
        if name == "index.html":
            return _send(request, 200, "text/html; charset=utf-8",
                         admin_page(self._title(), self.token), head, ADMIN_HEADERS)
        if name == "config.yml":
            return self._config(request, host, head)
        target = static_files().get(name)
        if target is None:
            return _send(request, 404, "text/plain; charset=utf-8", b"Not found\n", head)
        return self._static(request, target, head)

    def _api(self, request, host: str) -> None:
        why = self.refusal(request, host)
        if why is not None:
            return _json(request, 403, {"error": why})
        try:
            length = int(request.headers.get("Content-Length") or "-1")
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST:
            return _json(request, 413, {"error": "the request is too large (or has no "
                                                 "Content-Length)"})
        try:
            body = json.loads(request.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _json(request, 400, {"error": "the request is not JSON"})
        from .proxy import ProxyError

        try:
            return _json(request, 200, self.proxy.answer(body))
        except ProxyError as exc:
            return _json(request, exc.status, exc.answer())
        except Exception as exc:  # noqa: BLE001 - a fault of ours, told to the editor in
            traceback.print_exc()  # words, not as a dropped connection ("Failed to fetch")
            return _json(request, 500, {"error": "Not saved: the editor's server failed "
                                                 f"({type(exc).__name__}: {exc}). Nothing "
                                                 "was changed. Copy what you typed, and "
                                                 "tell whoever looks after the site what "
                                                 "you were doing; the window where ccsite "
                                                 "serve runs says more."})

    def _config(self, request, host: str, head: bool) -> None:
        errors = ErrorList()
        config = self._site_config(errors)
        if config is None:
            text = "\n".join(str(e) for e in errors.errors) or "site.yaml cannot be read"
            return _send(request, 500, "text/plain; charset=utf-8",
                         f"The editor needs site.yaml to be right first:\n{text}\n".encode(),
                         False)
        made = decap.dump(decap.config(config, "", "local", base_url=f"http://{host}/"))
        return _send(request, 200, "text/yaml; charset=utf-8", made.encode("utf-8"), head,
                     {"Cache-Control": "no-store"})

    def _site_config(self, errors: ErrorList):
        site = self.source / "site.yaml"
        try:
            data = site.read_bytes()
        except OSError as exc:
            errors.add(load.shown_path(self.shown_as, "site.yaml"), 1, "file",
                       f"cannot be read: {exc}")
            return None
        document = load.document_from_bytes(data, "site.yaml", self.shown_as, errors)
        return read_site_config(document, errors) if document is not None else None

    def _title(self) -> str:
        config = self._site_config(ErrorList())
        return config.title if config is not None else "ccsite"

    def _static(self, request, target: Path, head: bool) -> None:
        data = target.read_bytes()
        tag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        headers = {"ETag": tag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if request.headers.get("If-None-Match") == tag:
            return _send(request, 304, "text/plain", b"", True, headers)
        kind = "text/javascript; charset=utf-8" if target.suffix == ".js" else \
            "text/plain; charset=utf-8"
        return _send(request, 200, kind, data, head, headers)


def _json(request, status: int, value: Any) -> None:
    _send(request, status, "application/json; charset=utf-8",
          json.dumps(value).encode("utf-8"), False, {"Cache-Control": "no-store"})


def make_admin(source: Path, shown_as: str, options: Callable, cache: Path,
               published: Callable[[], set[str] | None] = lambda: None) -> AdminSite:
    """The editor for `ccsite serve` of the content folder `source`; `published()`: the
    files of the preview's last good build (see SaveChecker)."""
    from .proxy import Proxy
    from .saving import SaveChecker

    return AdminSite(source, shown_as, Proxy(source, SaveChecker(source, shown_as, options,
                                                                 cache, published)), cache)


TOKEN_FILE = "editor-token"  # in the cache folder beside content/


def editor_token(cache: Path | None) -> str:
    """The token of the editor of the content folder whose cache folder is `cache`: the
    one kept there, or a new one, kept (readable by its owner only, see cachefolder.py);
    a new one for every run where none can be kept."""
    from .. import cachefolder

    if cache is not None:
        kept = cachefolder.read_bytes(cache / TOKEN_FILE)
        if kept is not None and _TOKEN.fullmatch(kept):
            return kept.decode("ascii")
    token = secrets.token_urlsafe(32)
    if cache is not None:
        cachefolder.write_bytes(cache / TOKEN_FILE, token.encode("ascii"))
    return token


_TOKEN = re.compile(rb"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) gives


def peer_user(client: tuple, server: tuple,
              tables: tuple[str, ...] = ("/proc/net/tcp", "/proc/net/tcp6")) -> int | None:
    """The user id of the process at the other end of a connection to this computer, as
    the kernel tells it (Linux: /proc/net/tcp, tcp6); None where it cannot be told (not
    Linux, or a table that does not list the server's own end either), and -1 where the
    server's end is listed and the other's is not (the editor then answers no one). Any
    user of the computer can reach 127.0.0.1: on a shared computer another could take
    the editor's token from its page and read or change the content, members files
    too, which the preview's members pages ask a passphrase for (a red team's review).
    A browser is its user's own process. A connection made over IPv6 to IPv4's address
    (::ffff:127.0.0.1) is listed in tcp6 in that form (a review: it was let through)."""
    wanted = {(local, remote) for local in _proc_addresses(client)
              for remote in _proc_addresses(server)}
    if not wanted:
        return None
    served = False  # the server's own end of the connection is listed: the table is whole
    for table in tables:
        try:
            with open(table, encoding="ascii") as rows:
                next(rows, None)  # (its header)
                for row in rows:
                    cells = row.split()
                    if len(cells) > 7 and (cells[1], cells[2]) in wanted:
                        return int(cells[7])
                    served = served or (len(cells) > 2 and (cells[2], cells[1]) in wanted)
        except (OSError, ValueError):
            continue
    return -1 if served else None


def _proc_addresses(address: tuple) -> list[str]:
    """An (ip, port) as /proc/net/tcp or tcp6 may show it: the address's 32-bit words in
    the machine's order, in hex, then the port ('0100007F:1F90'); an IPv4 address also
    as IPv6 shows it (::ffff:127.0.0.1), and one of those also as IPv4."""
    try:
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        packed = socket.inet_pton(family, address[0])
        port = f"{int(address[1]):04X}"
    except (OSError, ValueError, IndexError, TypeError):
        return []
    mapped = b"\0" * 10 + b"\xff\xff"
    forms = [packed]
    if len(packed) == 4:
        forms.append(mapped + packed)
    elif packed.startswith(mapped):
        forms.append(packed[12:])
    return [_words_in_hex(form) + ":" + port for form in forms]


def _words_in_hex(packed: bytes) -> str:
    return "".join(int.from_bytes(packed[at:at + 4], "little" if _LITTLE else "big")
                   .to_bytes(4, "big").hex().upper() for at in range(0, len(packed), 4))


_LITTLE = sys.byteorder == "little"
