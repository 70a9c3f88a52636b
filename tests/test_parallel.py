"""Large builds render pages in worker processes (render.py, workers.py): what they make,
what they record for the next build and what the audits find must be exactly what
rendering in the build's own process gives."""
from __future__ import annotations

import multiprocessing

import pytest

from ccsite import incremental, render, workers
from ccsite.errors import ContentErrors
from ccsite.pipeline import build
from ccsite.validate import BuildOptions
from test_incremental import NOW, assert_same_as_full_build, tree

ITEMS = 240  # news items: with their list pages, above render.PARALLEL_FROM


@pytest.fixture
def large_site(site):
    for number in range(ITEMS):
        site.write(f"news/item-{number:03d}.md",
                   f"---\ntitle: Item {number}\ndate: 2010-01-{number % 28 + 1:02d}\n"
                   f"summary: Item {number}.\n---\nSee [the centre](/centres/oxhey/).\n")
    return site


@pytest.fixture
def forks(monkeypatch):
    """Render in worker processes whenever there is enough work (even inside pytest,
    which may run threads), and count the times it did."""
    calls = []
    real = render.start_in_processes

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(render, "worth_forking", lambda items, minimum: 2 if items >= minimum
                        else 0)
    monkeypatch.setattr(render, "start_in_processes", counting)
    return calls


def test_pages_rendered_by_workers_equal_pages_rendered_here(large_site, forks, monkeypatch):
    parallel = large_site.root / "parallel"
    build(large_site.content, parallel, BuildOptions(now=NOW),
          memory=incremental.BuildMemory())
    assert forks, "the workers were not used"
    monkeypatch.setattr(render, "worth_forking", lambda items, minimum: 0)
    here = large_site.root / "here"
    build(large_site.content, here, BuildOptions(now=NOW), memory=incremental.BuildMemory())
    for root in ("public", "members"):
        assert tree(parallel / root) == tree(here / root), root


def test_rebuild_after_a_parallel_build_is_exact(large_site, forks):
    """The records workers send back let the next build reuse and re-render exactly."""
    memory = incremental.BuildMemory()
    build(large_site.content, large_site.output, BuildOptions(now=NOW), memory=memory)
    assert forks
    large_site.edit("agencies/oxhey-trust.yaml", "Oxhey Community Trust", "Oxhey Trust")
    large_site.edit("news/item-007.md", "title: Item 7", "title: Item seven")
    result = build(large_site.content, large_site.output, BuildOptions(now=NOW),
                   memory=memory)
    assert 0 < result.changed < ITEMS
    assert_same_as_full_build(large_site)


def failed_build_with_news_template(site, template: str):
    """The first mistake of a build whose news pages use `template`; nothing published."""
    (site.root / "templates").mkdir()
    (site.root / "templates" / "news-item.html").write_text(template)
    with pytest.raises(ContentErrors) as raised:
        build(site.content, site.output, BuildOptions(now=NOW))
    assert not (site.output / "public").exists()
    return raised.value.errors[0]


def test_leak_in_a_page_rendered_by_a_worker_fails_the_build(large_site, forks):
    error = failed_build_with_news_template(
        large_site, "<!doctype html><title>{{ item.title }}</title>"
                    "<p>Latest from members: Running a dads' group</p>")
    assert forks
    assert "members-only title" in error.message


def test_template_mistake_met_in_a_worker_is_told_with_nothing_written(large_site, forks):
    """A mistake that only one page meets (not the first, which is rendered here to
    compile the templates) happens in a worker; the build still tells it plainly."""
    error = failed_build_with_news_template(
        large_site, '{% extends "base.html" %}{% block main %}{{ item.title }}'
                    '{% if item.title == "Item 150" %}{{ item.no_such_field }}{% endif %}'
                    '{% endblock %}')
    assert forks
    assert error.field == "template" and "no_such_field" in error.message


def test_a_fault_in_taking_in_workers_pages_is_not_passed_over(large_site, forks,
                                                               monkeypatch):
    """Only what a worker raised (a template mistake) makes the build render its pages
    here to tell it; a fault of the build's own in taking in their results is raised as
    it is, not hidden by a quiet, slow render of every page in one process."""
    def broken(*args, **kwargs):
        raise AttributeError("taking in a page broke")
    monkeypatch.setattr(incremental.Reuse, "adopt", broken)
    with pytest.raises(AttributeError, match="taking in a page broke"):
        build(large_site.content, large_site.output, BuildOptions(now=NOW),
              memory=incremental.BuildMemory())
    assert forks


def test_failure_while_members_pages_render_elsewhere_leaves_no_workers(large_site, forks,
                                                                        monkeypatch):
    """The members pages render in workers while this process makes the leak audit; if
    that fails, the workers are stopped and the failure is what is told."""
    from ccsite import stages

    monkeypatch.setattr(render, "PARALLEL_FROM", 2)  # the members pages in workers too

    def broken(*args, **kwargs):
        raise RuntimeError("the leak audit broke")
    monkeypatch.setattr(stages, "_leak_audit", broken)
    with pytest.raises(RuntimeError, match="the leak audit broke"):
        build(large_site.content, large_site.output, BuildOptions(now=NOW))
    assert forks
    assert multiprocessing.active_children() == []
    assert not (large_site.output / "public").exists()


def test_pages_rendered_by_workers_wait_on_disk_not_in_memory(large_site, forks, monkeypatch):
    """Each worker puts its pages in the build's stage as it renders them, and the build
    moves them into place: a large site's pages are never all held in memory at once.
    The stage goes when the build ends, and one a killed build left goes with the next."""
    from ccsite import write

    given = {}
    real = write.write_root

    def watching(output, name, files, *args, **kwargs):
        given[name] = dict(files)
        return real(output, name, files, *args, **kwargs)
    monkeypatch.setattr(write, "write_root", watching)
    large_site.output.mkdir()
    (large_site.output / f"{write.STAGE_PREFIX}1").mkdir()  # a killed build's
    build(large_site.content, large_site.output, BuildOptions(now=NOW),
          memory=incremental.BuildMemory())
    assert forks
    page = given["public"]["news/item-150/index.html"]
    assert isinstance(page, write.StagedFile)
    assert page.digest == write.signature(
        (large_site.output / "public/news/item-150/index.html").read_bytes())
    assert isinstance(given["members"]["index.html"], write.StagedFile)
    index = given["members"]["search-index.json"]  # (made here, not by a worker)
    assert isinstance(index, write.StagedFile)
    assert index.digest == write.signature(
        (large_site.output / "members/search-index.json").read_bytes())
    assert not list(large_site.output.glob(f"{write.STAGE_PREFIX}*"))


def test_each_workers_pages_are_taken_in_as_they_come(large_site, forks, monkeypatch):
    """The build takes each worker's share of pages (their records, what the audits
    found) as it comes back, and lets go of the copy sent: held until the last share
    had come, they were 80 MB more at the build's busiest moment at 50,000 documents."""
    memory = incremental.BuildMemory()
    real = render.start_in_processes
    taken_before: list[bool] = []  # at each share: were the last share's pages taken in?

    def watched(*args, **kwargs):
        pending = real(*args, **kwargs)

        def result(take=list):
            def watching(results):
                def shares():
                    last = None
                    for share in results:
                        if last is not None:
                            taken_before.append(all(path in memory.pages
                                                    for path, *_ in last))
                        yield share
                        last = share
                return take(shares())
            return pending.result(watching)
        return workers.Pending(result, pending.cancel)
    monkeypatch.setattr(render, "start_in_processes", watched)
    build(large_site.content, large_site.output, BuildOptions(now=NOW), memory=memory)
    assert len(taken_before) > 2 and all(taken_before)


def test_a_failed_build_leaves_no_stage(large_site, forks):
    from ccsite import write

    failed_build_with_news_template(
        large_site, "<!doctype html><title>{{ item.title }}</title>"
                    "<p>Latest from members: Running a dads' group</p>")
    assert not list(large_site.output.glob(f"{write.STAGE_PREFIX}*"))


def test_what_workers_send_back_is_held_once_per_value(large_site, forks):
    """Every page's record and links come back from a worker as copies of their own;
    the build keeps one copy of each change token and address (hundreds of thousands of
    them on a large site, of a few thousand values)."""
    memory = incremental.BuildMemory()
    build(large_site.content, large_site.output, BuildOptions(now=NOW), memory=memory)
    assert forks
    tokens = [token for path, record in memory.pages.items() for token in record.reads
              if not path.startswith("members/")]  # (rendered apart from the public ones)
    assert len(tokens) > 2 * len(set(tokens))  # many pages read the same values
    assert len({id(token) for token in tokens}) == len(set(tokens))
