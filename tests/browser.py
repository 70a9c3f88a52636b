"""Real headless Chromium (Debian's, driven by Playwright) against sites served over real
HTTP by ccsite's own preview server. Tests using these are marked `browser`."""
from __future__ import annotations

import mimetypes
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from ccsite.serve import make_server

# Python reads file types from /etc/mime.types (Debian's media-types package), and its own
# list lacks calendars: without that file .ics would be served as application/octet-stream.
mimetypes.add_type("text/calendar", ".ics")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return os.path.exists(CHROMIUM)


needs_browser = pytest.mark.skipif(
    not browser_available() and not os.environ.get("CI"),
    reason="needs Debian's chromium and playwright (CI installs both)")


@contextmanager
def served(root: Path):
    """Serve a built root at http://127.0.0.1:<port>/ for the length of the block."""
    server = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
