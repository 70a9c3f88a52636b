"""/admin/ in the published site, when site.yaml has an `editor:` section.

The same editor as `ccsite serve`'s, saving to the Git host instead of the content folder
(decap.py's published mode): its page with its own Content-Security-Policy, the
configuration made from the content model, and the pinned Decap bundle. Without
`editor:`, nothing of it is published. What reaches the repository is checked by the CI
build (the workflows in .github/ and .gitlab-ci.yml): only local editing is checked at
save.
"""
from __future__ import annotations

from pathlib import Path

from ..buildinfo import content_in_repository
from . import admin, decap

ROOT = "admin/"


def admin_files(site_config, source: Path) -> dict[str, bytes | Path]:
    """Output path -> bytes or a file to copy, for the published /admin/ ({} without an
    `editor:` section)."""
    if site_config.editor is None:
        return {}
    configuration = decap.config(site_config, content_in_repository(source), "published")
    files: dict[str, bytes | Path] = {ROOT + name: path
                                      for name, path in admin.static_files().items()}
    files[ROOT + "index.html"] = admin.admin_page(
        site_config.title, policy=admin.published_policy(site_config.editor))
    files[ROOT + "config.yml"] = decap.dump(configuration).encode("utf-8")
    return files
