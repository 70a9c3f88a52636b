"""Write a synthetic, valid content folder of N documents in the content model's shape.

Mostly news and good-practice posts (that is how a real programme grows over the years),
with centres, agencies, opportunities and lessons in realistic proportions. The text is
varied enough that Markdown, search and the leak audit do real work. Deterministic: the
same N gives the same folder.

    python bench/generate.py 10000 /tmp/bench-10000
"""
from __future__ import annotations

import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRICTS = ["Broxbourne", "Dacorum", "East Hertfordshire", "Hertsmere", "North Hertfordshire",
             "St Albans", "Stevenage", "Three Rivers", "Watford", "Welwyn Hatfield"]
SECTORS = ["private", "voluntary", "independent", "school", "statutory"]
SERVICES = ["early-education", "family-support", "health", "parenting", "employment", "send"]
WORDS = ("family centre parents children health visitors outreach nursery play session "
         "volunteers funding partnership community school district programme support "
         "training employment advice breastfeeding speech language toddlers babies carers "
         "fathers grandparents evening weekend library bus park clinic midwife").split()


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(3, 6)))


def body(rng: random.Random, links: list[str]) -> str:
    parts = []
    for heading in range(rng.randint(1, 3)):
        parts.append(f"## {sentence(rng, 4)[:-1]}\n\n{paragraph(rng)}\n\n{paragraph(rng)}")
    if links:
        parts.append(f"See also [{sentence(rng, 3)[:-1]}]({rng.choice(links)}).")
    parts.append("- " + "\n- ".join(sentence(rng, 5) for _ in range(3)))
    return "\n\n".join(parts) + "\n"


def generate(n: int, target: Path) -> Path:
    rng = random.Random(n)
    content = target / "content"
    if target.exists():
        shutil.rmtree(target)
    content.mkdir(parents=True)
    # the sample's settings, less its milestones' links to the sample's own opportunities
    (content / "site.yaml").write_text(re.sub(
        r", opportunity: [a-z0-9-]+\}", "}", (ROOT / "content" / "site.yaml").read_text()))
    shutil.copytree(ROOT / "content" / "media", content / "media")
    for folder in ("centres", "agencies", "opportunities", "lessons", "news", "pages",
                   "members/good-practice", "members/pages"):
        (content / folder).mkdir(parents=True)
    centres = max(12, n // 30)
    agencies = max(8, n // 150)
    opportunities = max(5, n // 100)
    lessons = max(4, n // 500)
    posts = n // 3
    news = n - centres - agencies - opportunities - lessons - posts - 2
    for a in range(agencies):
        (content / f"agencies/agency-{a}.yaml").write_text(
            f"name: Agency number {a}\nsector: {SECTORS[a % 5]}\n"
            f"website: https://example.org/agency-{a}/\ncontact:\n  name: Contact {a}\n"
            f"  role: Manager\n  email: agency{a}@example.org\nabout: {sentence(rng)}\n")
    for c in range(centres):
        district = DISTRICTS[c % len(DISTRICTS)]
        services = sorted(rng.sample(SERVICES, rng.randint(2, 5)))
        (content / f"centres/centre-{c}.md").write_text(
            f"---\nname: Centre number {c}\nlead_agency: agency-{c % agencies}\n"
            f"district: {district}\nphase: {1 + c % 3}\nstatus: open\n"
            f"opening_date: {2006 + c % 4}-0{1 + c % 9}-15\naddress:\n"
            f"  street: {c} High Street\n  town: {district}\n  postcode: AL{1 + c % 9} "
            f"{c % 10}AB\nlocation: {{lat: {51.6 + (c % 50) / 100}, lon: {-0.5 + (c % 60) / 100}}}\n"
            f"services: [{', '.join(services)}]\nopening_hours:\n"
            f"  - {{days: [mon, tue, wed, thu, fri], opens: \"09:00\", closes: \"17:00\"}}\n"
            f"phone: \"01632 9{c % 100000:05d}\"\nemail: centre{c}@example.org\n"
            f"summary: {sentence(rng, 10)}\n---\n{body(rng, [])}")
    for o in range(opportunities):
        status = ["active", "complete", "planning", "cancelled"][o % 4]
        deadline = "" if status == "planning" else \
            f"deadline: {2026 + o % 2}-0{1 + o % 9}-20T12:00:00Z\n"
        (content / f"opportunities/opportunity-{o}.md").write_text(
            f"---\ntitle: Opportunity number {o}\nreference: BENCH-{o}\n"
            f"kind: {['expression-of-interest', 'tender', 'grant'][o % 3]}\nstatus: {status}\n"
            f"published: 2025-0{1 + o % 9}-01\n{deadline}eligible_sectors: [voluntary, school]\n"
            f"centres: [centre-{o % centres}]\nenquiries:\n  name: Commissioning team\n"
            f"  email: commissioning@example.org\nsummary: {sentence(rng, 10)}\n---\n"
            f"{body(rng, [f'/centres/centre-{o % centres}/'])}")
    for l in range(lessons):
        (content / f"lessons/lesson-{l}.md").write_text(
            f"---\ntitle: Lesson number {l}\nsummary: {sentence(rng, 10)}\norder: {l}\n---\n"
            f"{body(rng, [])}")
    for i in range(news):
        year, month, day = 2006 + i % 20, 1 + i % 12, 1 + i % 28
        (content / f"news/news-{i}.md").write_text(
            f"---\ntitle: News item {i}, {sentence(rng, 5)[:-1].lower()}\n"
            f"date: {year}-{month:02d}-{day:02d}\nsummary: {sentence(rng, 12)}\n"
            f"tags: [{', '.join(rng.sample(WORDS, 2))}]\n---\n"
            f"{body(rng, [f'/centres/centre-{i % centres}/'])}")
    for p in range(posts):
        (content / f"members/good-practice/post-{p}.md").write_text(
            f"---\ntitle: Good practice {p}, {sentence(rng, 5)[:-1].lower()} members only\n"
            f"author: Manager {p % 97}\nagency: agency-{p % agencies}\n"
            f"date: 20{10 + p % 16}-0{1 + p % 9}-10\nsummary: Members summary {p} "
            f"{sentence(rng, 8)}\ntags: [{rng.choice(WORDS)}]\n---\n"
            f"Members-only passage number {p} about what worked. {body(rng, [])}")
    (content / "pages/about.md").write_text("---\ntitle: About\nnav_order: 1\nsummary: "
                                            "About the programme.\n---\n" + body(rng, []))
    (content / "members/pages/handbook.md").write_text("---\ntitle: Handbook\n---\n"
                                                       + body(rng, []))
    (content / "members/directory.yaml").write_text(
        "- name: Bench Person\n  role: Manager\n  agency: agency-0\n"
        "  email: bench.person@example.org\n  topics: [benchmarks]\n")
    return content


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    where = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/ccsite-bench-{size}")
    print(generate(size, where))
