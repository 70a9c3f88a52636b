"""Measure how long the encrypted members area takes to open in Chromium, by member count.

    python bench/unlock.py                    # 1 and 100 members, 5 openings each
    python bench/unlock.py --members 1,30,100 --runs 3

For each count it copies the sample site (content/) to a temporary folder in encrypt mode,
adds that many members (`ccsite members add`, so bcrypt and PBKDF2 for each: about half a
second a member), builds it, serves it over HTTP on 127.0.0.1 and, in headless Chromium
(Debian's, through Playwright), types the last member's passphrase and times the click to
the members navigation appearing (fetching keys.json and the bundle, deriving the key,
decrypting, showing the page): the median of the runs, each in a fresh browser context.
It also times one PBKDF2 (600,000 iterations) alone in the same browser: the design before
this one ran that once per member slot, so its cost was about members x that figure.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from ccsite.cli import main as ccsite  # noqa: E402
from ccsite.members import credentials  # noqa: E402
from ccsite.serve import make_server  # noqa: E402

NOW = "2026-11-25T12:00:00Z"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ONE_PBKDF2 = """async () => {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode("some words"),
                                             "PBKDF2", false, ["deriveBits"]);
  const start = performance.now();
  await crypto.subtle.deriveBits({name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(16),
                                  iterations: 600000}, base, 384);
  return performance.now() - start;
}"""


def encrypted_site(folder: Path, members: int) -> tuple[Path, str]:
    """The sample site built in encrypt mode with `members` members; the last passphrase."""
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("protection: server",
                                                       "protection: encrypt"))
    store = credentials.MemberStore(folder / ".ccsite-secrets")
    passphrase = ""
    for number in range(members):
        passphrase = store.add(f"Member {number:03d}", None)[1]
    if ccsite(["build", "--source", str(content), "--output", str(folder / "_site"),
               "--now", NOW, "--quiet"]) != 0:
        raise SystemExit("the sample site did not build")
    return folder / "_site" / "public", passphrase


def time_openings(browser, base: str, passphrase: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "/members/")
        page.get_by_label("Your passphrase").fill(passphrase)
        button = page.get_by_role("button", name="Open the members area")
        button.wait_for()
        start = time.perf_counter()
        button.click()
        page.get_by_role("navigation", name="Lead agency network").wait_for(timeout=120_000)
        times.append(time.perf_counter() - start)
        context.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="1,100", help="member counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="openings per count (median)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    counts = [int(n) for n in args.members.split(",")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        print(f"Chromium {browser.version}; median of {args.runs} openings each")
        for count in counts:
            with tempfile.TemporaryDirectory(prefix="ccsite-unlock-") as temp:
                started = time.perf_counter()
                public, passphrase = encrypted_site(Path(temp), count)
                made = time.perf_counter() - started
                server = make_server(public, "127.0.0.1", 0)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                try:
                    base = f"http://127.0.0.1:{server.server_port}"
                    times = time_openings(browser, base, passphrase, args.runs)
                    page = browser.new_page()
                    page.goto(base + "/members/")
                    pbkdf2 = statistics.median(page.evaluate(ONE_PBKDF2) for _ in range(3))
                    page.close()
                finally:
                    server.shutdown()
                    server.server_close()
            print(f"{count:4d} members: opens in {statistics.median(times) * 1000:6.0f} ms "
                  f"(runs {', '.join(f'{t * 1000:.0f}' for t in times)} ms); one PBKDF2 "
                  f"{pbkdf2:.0f} ms, so one per member would be ~{count * pbkdf2 / 1000:.1f} s; "
                  f"site made in {made:.0f} s")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
