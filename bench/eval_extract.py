"""Article extraction scored side by side: wirewatch against trafilatura and htmldate alone,
in the same run, with each evaluation set reported on its own (never one pooled number).

Sets:
- corpus: the article pages of ../shared/corpus/html with their manifest (read in place, never
  copied); pages with reference snippets ("with" / "without") are scored by snippet pass rate.
- fixtures: the failure-pattern pages of tests/fixtures/pages (failure_patterns.json).
- devsets (WIREWATCH_DEVSETS, default /work/devsets; built by bench/build_devsets.py from the
  test expectations inside PyPI sdists): every group of pages_body/manifest.json and
  pages_date/manifest.json.

- body: precision and recall over the sets of 4-token shingles of the body, per page, averaged
  over the pages with a reference body; F1 of the averaged precision and recall (the metric of
  the article-extraction benchmark). A page with no body scores 0 precision and 0 recall.
  wirewatch's body is the dateline and paragraphs (headline and subtitle are fields of their own);
  trafilatura's is ``trafilatura.extract`` with default settings.
- snippets: share of the pages whose body holds every "with" snippet and no "without" one.
- date: share of the pages with a reference day whose publication day is right (the day the page
  states, in its own zone); wirewatch's date counts also when the body failed (NoArticleError
  keeps it); htmldate is ``find_date(extensive_search=True)`` plus the arguments of the test the
  page comes from, when it comes from htmldate's tests.
- time: wall time per page of each system (wirewatch runs its own trafilatura and htmldate),
  after one warm-up page each.

Run: uv run python bench/eval_extract.py [--corpus PATH] [--devsets PATH] [-v]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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

from wirewatch.sources import extract
from wirewatch.config import SourceConfig
from wirewatch.sources.extract import metadata

REPO = Path(__file__).resolve().parents[1]
# ../shared/corpus beside the checkout (two levels up from a worktree under wt/)
DEFAULT_CORPUS = next(
    (p / "shared" / "corpus" for p in REPO.parents if (p / "shared" / "corpus").is_dir()),
    REPO.parent / "shared" / "corpus",
)
DEFAULT_DEVSETS = Path(os.environ.get("WIREWATCH_DEVSETS", "/work/devsets"))
FIXTURES = REPO / "tests" / "fixtures" / "pages"
NOW = dt.datetime(2026, 4, 20, tzinfo=dt.timezone.utc)  # after every page of the sets
SHINGLE = 4
SYSTEMS = ("wirewatch", "trafilatura/htmldate")


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    html: bytes
    url: str | None
    body: str | None = None  # reference body text, when the set has one
    day: str | None = None  # reference publication day, ISO
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()
    htmldate_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def has_snippets(self) -> bool:
        return bool(self.with_snippets or self.without_snippets)


@dataclass(slots=True)
class Tally:
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    snippets: list[bool] = field(default_factory=list)
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


def _squeezed(text: str) -> str:
    return " ".join(text.split()).casefold()


def snippets_pass(page: Page, body: str) -> bool:
    got = _squeezed(body)
    return all(_squeezed(s) in got for s in page.with_snippets) and not any(
        _squeezed(s) in got for s in page.without_snippets
    )


def _day(value: str | None) -> str | None:
    """The day a reference date names, as written (its own zone)."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace(" ", "T", 1).replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return value[:10]


def corpus_pages(corpus: Path) -> list[Page]:
    manifest = json.loads((corpus / "html" / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for entry in manifest:
        expected = entry.get("expected", {})
        meta = expected.get("metadata") or {}
        url = entry.get("url", "")
        pages.append(
            Page(
                name=entry["file"],
                html=(corpus / "html" / entry["file"]).read_bytes(),
                url=url if url.startswith("http") else None,
                body=expected.get("articleBody") or meta.get("text") or expected.get("text"),
                day=_day(expected.get("publication_date") or meta.get("publish_date")),
                with_snippets=tuple(expected.get("with") or ()),
                without_snippets=tuple(expected.get("without") or ()),
            )
        )
    return pages


def fixture_pages() -> list[Page]:
    listed = json.loads((FIXTURES / "failure_patterns.json").read_text(encoding="utf-8"))["pages"]
    return [
        Page(e["file"], (FIXTURES / e["file"]).read_bytes(), e["url"], e["body"] or None, e["date"]) for e in listed
    ]


def devset_pages(devsets: Path) -> dict[str, list[Page]]:
    """Each group of the body and date devsets, by "pages_body/GROUP" or "pages_date/GROUP"."""
    sets: dict[str, list[Page]] = {}
    for kind in ("pages_body", "pages_date"):
        manifest = devsets / kind / "manifest.json"
        if not manifest.is_file():
            continue
        for group, entries in json.loads(manifest.read_text(encoding="utf-8")).items():
            sets[f"{kind}/{group}"] = [
                Page(
                    name=e["file"],
                    html=(devsets / kind / e["file"]).read_bytes(),
                    url=e.get("url"),
                    body=e.get("body") if kind == "pages_body" else None,
                    day=e.get("day") if kind == "pages_date" else None,
                    with_snippets=tuple(e.get("with") or ()),
                    without_snippets=tuple(e.get("without") or ()),
                    htmldate_kwargs=e.get("htmldate_kwargs") or {},
                )
                for e in entries
            ]
    return sets


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
        day = htmldate.find_date(text, url=page.url, **{"extensive_search": True, **page.htmldate_kwargs})
    except Exception:  # noqa: BLE001 (the library failing on a page is its answer for that page)
        day = None
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
            if page.has_snippets:
                tally.snippets.append(snippets_pass(page, body))
                line.append(f"{name[:9]} snippets {'ok' if tally.snippets[-1] else 'FAIL'}")
            if page.day is not None:
                tally.dates.append(day == page.day)
                line.append(f"{day or '-'}{'' if day == page.day else ' (want ' + page.day + ')'}")
        if verbose:
            print("  ".join(line))
    return tallies


def _share(values: list[bool]) -> str:
    return f"{statistics.fmean(values):.3f} ({sum(values)}/{len(values)})" if values else "-"


def table(title: str, tallies: dict[str, Tally], pages: list[Page]) -> str:
    bodies = sum(p.body is not None for p in pages)
    days = sum(p.day is not None for p in pages)
    snippets = sum(p.has_snippets for p in pages)
    rows = [
        f"{title}: {len(pages)} pages ({bodies} with a reference body, {snippets} with snippets, "
        f"{days} with a reference date)",
        "",
        "| system | body F1 | precision | recall | pages with no body | snippet pass | date accuracy "
        "| ms per page (mean / max) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, t in tallies.items():
        body = (
            f"{t.f1():.3f} | {statistics.fmean(t.precision):.3f} | {statistics.fmean(t.recall):.3f} | {t.no_body}"
            if t.precision
            else "- | - | - | -"
        )
        rows.append(
            f"| {name} | {body} | {_share(t.snippets)} | {_share(t.dates)} "
            f"| {1000 * statistics.fmean(t.seconds):.0f} / {1000 * max(t.seconds):.0f} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--devsets", type=Path, default=DEFAULT_DEVSETS)
    parser.add_argument("--only", help="run only the sets whose name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per page")
    args = parser.parse_args()
    sets: dict[str, list[Page]] = {}
    if (args.corpus / "html" / "manifest.json").is_file():
        sets["corpus"] = corpus_pages(args.corpus)
    else:
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
    sets["fixtures"] = fixture_pages()
    devsets = devset_pages(args.devsets)
    if not devsets:
        print(f"no devsets at {args.devsets} (bench/build_devsets.py builds them)", file=sys.stderr)
    sets.update(devsets)
    print(f"measured {dt.date.today().isoformat()}\n")
    for name, pages in sets.items():
        if pages and (args.only is None or args.only in name):
            print(table(name, score(pages, args.verbose), pages) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
