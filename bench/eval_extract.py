"""Article extraction scored side by side: wirewatch against trafilatura and htmldate alone.

Evaluation set: the article pages of ../shared/corpus/html with their manifest (read in place,
never copied), plus the failure-pattern pages of tests/fixtures/pages (failure_patterns.json).

- body: precision and recall over the sets of 4-token shingles of the body, per page, averaged
  over the pages with a reference body; F1 of the averaged precision and recall (the metric of
  the article-extraction benchmark). A page with no body scores 0 precision and 0 recall.
  wirewatch's body is the dateline and paragraphs (headline and subtitle are fields of their own);
  trafilatura's is ``trafilatura.extract`` with default settings.
- date: share of the pages with a reference day whose publication day (UTC) is right; wirewatch's
  date counts also when the body failed (NoArticleError keeps it); htmldate is
  ``find_date(extensive_search=True)``.
- time: wall time per page of each system (wirewatch runs its own trafilatura and htmldate),
  after one warm-up page each.

Run: uv run python bench/eval_extract.py [--corpus PATH] [-v]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import htmldate
import htmldate.extractors
import trafilatura

from wirewatch import extract
from wirewatch.config import SourceConfig
from wirewatch.extract import metadata

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
FIXTURES = REPO / "tests" / "fixtures" / "pages"
NOW = dt.datetime(2026, 4, 20, tzinfo=dt.timezone.utc)  # after every page of the set
SHINGLE = 4
SYSTEMS = ("wirewatch", "trafilatura/htmldate")


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    html: bytes
    url: str | None
    body: str | None  # reference body text, when the set has one
    day: str | None  # reference publication day, ISO


@dataclass(slots=True)
class Tally:
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    dates: list[bool] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    no_body: int = 0

    def f1(self) -> float:
        p, r = statistics.fmean(self.precision), statistics.fmean(self.recall)
        return 2 * p * r / (p + r) if p + r else 0.0


def shingles(text: str) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.casefold())
    return {tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))} if tokens else set()


def precision_recall(reference: str, got: str) -> tuple[float, float]:
    want, have = shingles(reference), shingles(got)
    if not have or not want:
        return (1.0, 1.0) if have == want else (0.0, 0.0)
    common = len(want & have)
    return common / len(have), common / len(want)


def corpus_pages(corpus: Path) -> list[Page]:
    manifest = json.loads((corpus / "html" / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for entry in manifest:
        expected = entry.get("expected", {})
        metadata = expected.get("metadata") or {}
        day = expected.get("publication_date") or metadata.get("publish_date")
        parsed = extract.parse_datetime(day) if day else None
        url = entry.get("url", "")
        pages.append(
            Page(
                name=entry["file"],
                html=(corpus / "html" / entry["file"]).read_bytes(),
                url=url if url.startswith("http") else None,
                body=expected.get("articleBody") or metadata.get("text") or expected.get("text"),
                day=parsed.date().isoformat() if parsed else (day[:10] if day else None),
            )
        )
    return pages


def fixture_pages() -> list[Page]:
    listed = json.loads((FIXTURES / "failure_patterns.json").read_text(encoding="utf-8"))["pages"]
    return [
        Page(e["file"], (FIXTURES / e["file"]).read_bytes(), e["url"], e["body"] or None, e["date"]) for e in listed
    ]


def run_wirewatch(page: Page) -> tuple[str, str | None]:
    source = SourceConfig(name="eval", kind="page")
    try:
        article = extract.page_article(page.html, url=page.url, source=source, fetched_at=NOW)
    except extract.NoArticleError as error:
        published = error.published_at
        return "", published.date().isoformat() if isinstance(published, dt.datetime) else None
    except extract.ExtractError:
        return "", None
    body = "\n\n".join(extract.raw_paragraphs(article.item))  # the dateline back in front
    return body, article.published_at.date().isoformat() if article.published_at else None


def run_libraries(page: Page) -> tuple[str, str | None]:
    text, _ = extract.decode_markup(page.html)
    body = trafilatura.extract(text, url=page.url) or ""
    # htmldate as shipped: with its own all-locale date parser, not wirewatch's wire-language one.
    htmldate.extractors.get_external_parser = metadata.HTMLDATE_OWN_PARSER
    try:
        day = htmldate.find_date(text, url=page.url, extensive_search=True)
    finally:
        htmldate.extractors.get_external_parser = metadata.wire_date_parser
    return body, day


def score(pages: list[Page], verbose: bool) -> dict[str, Tally]:
    tallies = {name: Tally() for name in SYSTEMS}
    runners = dict(zip(SYSTEMS, (run_wirewatch, run_libraries), strict=True))
    for run in runners.values():  # first calls load the libraries' lazy tables: not a page's cost
        run(pages[0])
    for page in pages:
        line = [f"{page.name[:44]:44}"]
        for name, run in runners.items():
            started = time.perf_counter()
            body, day = run(page)
            tally = tallies[name]
            tally.seconds.append(time.perf_counter() - started)
            line.append(f"{1000 * tally.seconds[-1]:.0f} ms")
            if page.body is not None:
                p, r = precision_recall(page.body, body)
                tally.precision.append(p)
                tally.recall.append(r)
                tally.no_body += not body
                line.append(f"{name[:9]} P{p:.2f} R{r:.2f}")
            if page.day is not None:
                tally.dates.append(day == page.day)
                line.append(f"{day or '-'}{'' if day == page.day else ' (want ' + page.day + ')'}")
        if verbose:
            print("  ".join(line))
    return tallies


def table(tallies: dict[str, Tally], pages: list[Page]) -> str:
    bodies = sum(p.body is not None for p in pages)
    days = sum(p.day is not None for p in pages)
    rows = [
        f"| on {len(pages)} pages ({bodies} with a reference body, {days} with a reference date) | body F1 | precision "
        "| recall | pages with no body | date accuracy | ms per page (mean / max) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, t in tallies.items():
        rows.append(
            f"| {name} | {t.f1():.3f} | {statistics.fmean(t.precision):.3f} | {statistics.fmean(t.recall):.3f} "
            f"| {t.no_body} | {statistics.fmean(t.dates):.3f} ({sum(t.dates)}/{len(t.dates)}) "
            f"| {1000 * statistics.fmean(t.seconds):.0f} / {1000 * max(t.seconds):.0f} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per page")
    args = parser.parse_args()
    pages = fixture_pages()
    if (args.corpus / "html" / "manifest.json").is_file():
        pages = corpus_pages(args.corpus) + pages
    else:
        print(f"corpus not found at {args.corpus}: failure-pattern pages only", file=sys.stderr)
    print(table(score(pages, args.verbose), pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
