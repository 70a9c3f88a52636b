"""The Content-Security-Policy every page is served with: one definition, sent as headers
by the deploy configurations (`server` mode, members/deploy.py), and written into every
page as `<meta>` elements (templates/base.html), which is all a host that cannot send
headers has (GitHub Pages and the like, where `encrypt` mode is used); the preview shows
the pages under the same policy as the published site.

Scripts run only from the folders the build itself fills: the theme's `/assets/` and the
search index's `/pagefind/`; never from `/media/`, whose files editors add (media.py
refuses active files there; this is the second wall). CSP cannot scope 'self' to a path,
and a path needs a host, which differs between the published site, a staging copy and
the preview on this computer. So the policy is two policies, and a browser enforces both:
the first keeps every resource to the page's own origin ('self'), the second names the
script folders on any host and port (`*:*/assets/`); only a script that is both this
origin's and in one of those folders runs. (A path in a source expression is not checked
after a redirect, by the CSP standard: the site's server has no redirect out of those
folders.)

Some directives work only as a header: `frame-ancestors` (who may frame the page),
`sandbox`, and reporting. A `<meta>` policy leaves them out, so on a host without
headers (encrypt mode on GitHub Pages) another site can still frame the pages
(clickjacking), and media files are not sandboxed: media.py is then the only wall. The
README says so (The members area: Scripts and the Content-Security-Policy).
"""
from __future__ import annotations

import html

from markupsafe import Markup

RELOAD_FOLDER = "__ccsite/"  # where `ccsite serve` serves its own files (serve.py), under
# the site's base path: here, as every page's policy names it, and a build must not import
# the server to know it. (At the host's root, a site served under a base path on a shared
# host allowed scripts from a folder the host's other site owns: a theme customiser's
# review.)

SCRIPT_FOLDERS = ("assets/", "pagefind/")  # under the site's base path
MEDIA_POLICY = "sandbox"  # for /media/ files: opened as a page, they are a unique origin
# Pagefind (site search) compiles WebAssembly, which CSP counts as script
_WASM = "'wasm-unsafe-eval'"
_HEADER_ONLY = ("frame-ancestors",)  # ignored (with a console warning) in a <meta>


def policies(base_path: str = "/", *, meta: bool = False,
             images: tuple[str, ...] = ()) -> tuple[str, str]:
    """The two policies (see the module's note). `meta`: for a `<meta>` element, without
    the header-only directives, and with `ccsite serve`'s reload script allowed too (the
    preview serves the built pages as they are; the path holds nothing when published,
    and no content file can make one there). `images`: other origins pictures may come
    from, for images only: the map's tile provider (site.yaml `map:`), whose pictures
    the map loads once a visitor asks for it."""
    own = ("default-src 'self'", f"script-src 'self' {_WASM}", "style-src 'self'",
           " ".join(("img-src 'self' data: blob:", *images)), "object-src 'none'",
           "base-uri 'self'",
           "form-action 'self'", "frame-ancestors 'none'")
    if meta:
        own = tuple(d for d in own if d.split(" ", 1)[0] not in _HEADER_ONLY)
    folders = [f"*:*{base_path}{folder}" for folder in SCRIPT_FOLDERS]
    if meta:  # the preview's own script: /__ccsite/reload.js
        folders.append(f"*:*{base_path}{RELOAD_FOLDER}")
    return "; ".join(own), f"script-src {' '.join(folders)} {_WASM}"


def header(base_path: str = "/", images: tuple[str, ...] = ()) -> str:
    """The policies as one Content-Security-Policy header value (a comma joins
    policies that are each enforced)."""
    return ", ".join(policies(base_path, images=images))


def meta_elements(base_path: str = "/", images: tuple[str, ...] = ()) -> Markup:
    """The policies as `<meta http-equiv>` elements, for the top of every page's head
    (a policy applies only to what comes after it)."""
    return Markup("\n  ".join(
        f'<meta http-equiv="Content-Security-Policy" content="{_attribute(policy)}">'
        for policy in policies(base_path, meta=True, images=tuple(images))))


def _attribute(text: str) -> str:
    """`text` for a double-quoted attribute, its single quotes kept as they are."""
    return html.escape(text, quote=False).replace('"', "&quot;")
