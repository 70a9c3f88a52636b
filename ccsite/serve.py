"""Preview server: serves a built site over HTTP on this computer.

The standard library's file handler does the serving; we add only what a preview of a
static host needs: the site's own 404 page, and no directory listings.
"""
from __future__ import annotations

import functools
import http.server
from pathlib import Path


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
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

    def log_message(self, format, *args):  # keep the terminal for build messages
        pass


def make_server(root: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_SiteHandler, directory=str(root))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve_forever(root: Path, host: str, port: int) -> None:
    server = make_server(root, host, port)
    print(f"Serving {root} at http://{host}:{server.server_port}/ (press Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        server.server_close()
