"""The build, stage by stage: load -> validate -> site graph -> render -> audit -> write.

Each stage adds to one `ErrorList`; the build stops at the end of the first stage that
found mistakes, reporting all of them, and writes nothing until every check passed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import audit, graph, load, render, validate, write
from .bodies import BodyRenderer
from .config import read_site_config
from .errors import ContentErrors, ErrorList


CACHE_FOLDER = ".ccsite-cache"  # beside content/, git-ignored, safe to delete


@dataclass
class BuildResult:
    public: Path
    pages: dict[str, int]  # section -> pages written
    files: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


def build(source: Path, output: Path, options: validate.BuildOptions,
          templates: Path | None = None, shown_as: str | None = None) -> BuildResult:
    """Build the site in `source` into `output/public/`; raise ContentErrors on mistakes."""
    started = time.perf_counter()
    errors = ErrorList()
    shown = shown_as if shown_as is not None else str(source)
    folder = load.load(source, shown, errors)
    config = read_site_config(folder.site, errors) if folder.site else None
    if config is None:
        errors.raise_if_any()
        raise ContentErrors([])  # unreachable: a missing config is always reported
    validated = validate.validate(folder, config, options, errors)
    cache = source.parent / CACHE_FOLDER
    bodies = BodyRenderer(config.base_path, cache / "markdown.json")
    site = graph.build_site(validated, options, errors, bodies)
    graph.build_members_site(validated, options, errors, bodies)
    errors.raise_if_any()
    bodies.save()

    site_templates = templates if templates is not None else source.parent / "templates"
    env = render.make_environment(site_templates, config, cache=cache)
    page_routes = render.routes(site)
    pages = _render(env, site, page_routes, site_templates, errors)
    files = write.OutputFiles()
    for path, html in pages.items():
        files.add_text(path, html)
    for asset in _assets(site_templates):
        files.setdefault(asset[0], asset[1])
    for media in folder.media:
        files[f"media/{media.rel}"] = media.source
    bodies = {e.source: (e.body, e.body_line) for e in
              [*site.centres, *site.opportunities, *site.lessons, *site.news, *site.pages]}
    audit.check_links(pages, set(files), page_routes, config.base_path, bodies, errors)
    errors.raise_if_any()

    public = write.write_root(output, "public", files)
    return BuildResult(public=public, pages=_count_sections(page_routes), files=len(files),
                       seconds=time.perf_counter() - started)


def _render(env, site, page_routes, site_templates: Path, errors: ErrorList) -> dict[str, str]:
    try:
        return render.render_routes(env, site, page_routes)
    except jinja2.TemplateSyntaxError as exc:
        errors.add(_template_path(exc.filename, site_templates), exc.lineno or 0, "template",
                   exc.message or "syntax error")
    except jinja2.TemplateNotFound as exc:
        errors.add(str(site_templates), 0, "template", f"'{exc.name}' was not found")
    except jinja2.TemplateError as exc:
        errors.add(str(site_templates), 0, "template", str(exc))
    errors.raise_if_any()
    return {}


def _template_path(filename: str | None, site_templates: Path) -> str:
    return filename or str(site_templates)


def _assets(site_templates: Path) -> list[tuple[str, Path]]:
    """Theme files under templates/assets/, the site's own first so they override."""
    found = []
    for root in (site_templates, render.default_templates()):
        assets = root / "assets"
        if assets.is_dir():
            found += [(f"assets/{p.relative_to(assets).as_posix()}", p)
                      for p in sorted(assets.rglob("*")) if p.is_file()]
    return found


def _count_sections(page_routes: list[render.Route]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for route in page_routes:
        section = route.url.strip("/").split("/")[0] or "home"
        if route.url.count("/") <= 2 and route.template == "page.html":
            section = "pages"
        counts[section] = counts.get(section, 0) + 1
    return counts
