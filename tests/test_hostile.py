"""Hostile content: whatever an editor pastes, no script runs in a visitor's browser, and
every page works under a strict Content-Security-Policy (no inline scripts or styles)."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import visible_text

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = '<script>alert(1)</script>"><img src=/media/pack.pdf onerror=alert(2)>'


def built_html(site) -> dict[str, str]:
    public = site.output / "public"
    return {p.relative_to(public).as_posix(): p.read_text()
            for p in public.rglob("*.html") if "pagefind" not in p.parts}


def test_fields_are_escaped_everywhere(site):
    site.edit("news/centres-open.md", "title: Centres open", f"title: '{PAYLOAD}'")
    site.edit("centres/oxhey.md", "summary: A centre for families in South Oxhey.",
              f"summary: '{PAYLOAD}'")
    site.edit("agencies/oxhey-trust.yaml", "about: A community trust.", f"about: '{PAYLOAD}'")
    result = site.build()
    assert result.status == 0, result.err
    for path, html in built_html(site).items():
        assert "<script>alert" not in html, path
        assert not re.search(r"<img[^>]+onerror", html), path  # as text, never as a tag
    assert PAYLOAD in visible_text(site.page("/news/centres-open/"))  # shown, as text


def test_markdown_cannot_carry_script_handlers_or_dangerous_links(site):
    site.edit("news/centres-open.md", "See [Oxhey]", """
<script>alert(1)</script>
<iframe src="https://example.org/"></iframe>
<object data="x.swf"></object>
<style>body { display: none }</style>
<p onclick="alert(2)" style="color: red">styled</p>
[a](javascript:alert(3)) [b](data:text/html;base64,PHNjcmlwdD4=) [c](vbscript:x)
<a href="JaVaScRiPt:alert(4)">d</a>
<img src="/media/pack.pdf" onerror="alert(5)" alt="pack">
See [Oxhey]""")
    assert site.build().status == 0
    html = site.page("/news/centres-open/")
    body = html.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    for banned in ("<script", "<iframe", "<object", "<style", "onclick", "onerror",
                   "style=", "javascript:", "vbscript:", "data:text/html"):
        assert banned not in body.lower(), banned
    assert '<img src="/media/pack.pdf" alt="pack">' in body


def test_fields_that_are_links_accept_only_web_addresses(site):
    site.edit("centres/oxhey.md", "summary:", "website: javascript:alert(1)\nsummary:")
    site.edit("agencies/oxhey-trust.yaml", "https://example.org/", "data:text/html,hi")
    result = site.build()
    assert result.status == 1
    assert "centres/oxhey.md:16: website: 'javascript:alert(1)' is not a web address" \
        in result.err
    assert "agencies/oxhey-trust.yaml:3: website: 'data:text/html,hi' is not a web address" \
        in result.err


def test_structured_data_cannot_close_its_script_element(site):
    site.edit("news/centres-open.md", "title: Centres open",
              "title: 'Open </script><script>alert(1)</script>'")
    assert site.build().status == 0
    html = site.page("/news/centres-open/")
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "\\u003c/script\\u003e" in block


def test_every_page_works_under_a_strict_content_security_policy(sample_build):
    """No inline script (JSON-LD is data, not script), no inline style, no handlers."""
    for root in ("public", "members"):
        for page in (sample_build / root).rglob("*.html"):
            html = page.read_text()
            for tag in re.findall(r"<script\b[^>]*>", html):
                assert 'src="' in tag or 'type="application/ld+json"' in tag, (page, tag)
            assert "<style" not in html, page
            assert not re.search(r"\sstyle=", html), page
            assert not re.search(r"\son[a-z]+=", html), page


def test_templates_mark_only_sanitised_html_as_safe():
    for template in (ROOT / "templates").rglob("*.html"):
        for use in re.findall(r"\{\{[^}]*\|\s*safe[^}]*\}\}", template.read_text()):
            assert re.search(r"\.(html|about_html)\s*\|\s*safe", use), (template, use)
