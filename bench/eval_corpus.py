"""Evaluate fetching and extraction on the real material in ../shared/corpus.

The corpus is served from a loopback HTTP server (with ETag validators, so a second poll of each
feed must come back 304) and polled with wirewatch.sources.poll, exactly as live sources are:

- feeds/: every feed must parse into articles; the 0-byte one must fail with a clear reason.
- html/: each page is fetched and extracted, then scored against manifest.json: publication date
  (UTC) right, expected snippets present, unwanted snippets absent, and for pages with a full
  expected body a word-level F1 of at least 0.9. Each page is served at the path of its original
  URL and extracted with that URL as its address, as it would be when fetched from the publisher.
  Two pages have no usable expectation in the manifest; the script checks them against a few
  snippets of its own (marked "own").

Run: uv run python bench/eval_corpus.py [--corpus PATH] [-v]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import http.server
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from wirewatch.wire import codec
from wirewatch.sources import extract
from wirewatch.sources import fetch
from wirewatch.sources import poll as sources
from wirewatch.config import HttpConfig, SourceConfig
from wirewatch.model import Article

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
F1_PASS = 0.9
NOW = dt.datetime(2026, 4, 20, tzinfo=dt.timezone.utc)  # after every item in the corpus
# Pages whose manifest entry has nothing to score; snippets read off the pages themselves.
OWN_CHECKS: dict[str, dict[str, Any]] = {
    "newspaper4k__ap_meta_refresh.html": {
        "headline": "Father of Orlando gunman known for rambling political videos",
        "with": ["KABUL, Afghanistan (AP)", "Seddique Mir Mateen maintained a high profile"],
        "without": ["AP Radio News", "Winter Games"],
    },
    "readability__yahoo-2_source.html": {
        "headline": "Russia: Space ship malfunctions, breaks up over Siberia",
        "with": ["MOSCOW (AP) — An unmanned Russian cargo spaceship", "contributed to this report"],
        "without": ["In this photo dated Tuesday"],
    },
}


# ---------------------------------------------------------------------------------------------
# A loopback server for a fixed set of documents, with ETag validators.


class _Handler(http.server.BaseHTTPRequestHandler):
    documents: dict[str, tuple[bytes, str]] = {}

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        found = self.documents.get(self.path)
        if found is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, content_type = found
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


def serve(documents: dict[str, tuple[bytes, str]]) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Handler", (_Handler,), {"documents": documents})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def served_path(entry: dict[str, Any]) -> str:
    """The path a page is served at: its original URL's path and query when it has one."""
    url = entry.get("url", "")
    if url.startswith(("http://", "https://")):
        parts = urlsplit(url)
        return quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~") + (f"?{parts.query}" if parts.query else "")
    return "/html/" + entry["file"]


# ---------------------------------------------------------------------------------------------
# Scoring.


def words(text: str) -> collections.Counter[str]:
    return collections.Counter(re.findall(r"\w+", text.casefold()))


def f1(expected: str, got: str) -> float:
    want, have = words(expected), words(got)
    common = sum((want & have).values())
    if not common:
        return 0.0
    precision, recall = common / sum(have.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def body_text(article: Article) -> str:
    """The body as scored: the dateline back in front of the first paragraph."""
    return "\n\n".join(extract.raw_paragraphs(article.item))


def squash(text: str) -> str:
    return " ".join(codec.normalize_text(text).split())


@dataclass
class PageScore:
    file: str
    site: str
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(self.checks.values())


def score_page(entry: dict[str, Any], article: Article | None, error: str | None) -> PageScore:
    score = PageScore(entry["file"], entry.get("agency_or_site", ""))
    expected = dict(entry.get("expected", {}))
    own = OWN_CHECKS.get(entry["file"], {})
    if article is None:
        score.checks["extracted"] = False
        score.notes.append(f"error: {error}")
        return score
    text = squash(f"{article.item.headline}\n{article.item.subtitle or ''}\n{body_text(article)}")
    published = article.published_at.date().isoformat() if article.published_at else None
    wanted_date = expected.get("publication_date") or (expected.get("metadata") or {}).get("publish_date")
    if wanted_date:
        wanted_day = extract.parse_datetime(wanted_date)
        wanted_iso = wanted_day.date().isoformat() if wanted_day else wanted_date[:10]
        score.checks["date"] = published == wanted_iso
        score.notes.append(f"date {published} (want {wanted_iso})")
    for snippet in [*expected.get("with", []), *own.get("with", [])]:
        score.checks[f"has {snippet[:30]!r}"] = squash(snippet) in text
    for snippet in [*expected.get("without", []), *own.get("without", [])]:
        score.checks[f"lacks {snippet[:30]!r}"] = squash(snippet) not in text
    reference = expected.get("articleBody") or (expected.get("metadata") or {}).get("text")
    if reference:
        value = f1(reference, body_text(article))
        score.checks["body F1"] = value >= F1_PASS
        score.notes.append(f"F1 {value:.3f}")
    headline = own.get("headline") or (expected.get("metadata") or {}).get("title")
    if headline:
        score.checks["headline"] = squash(article.item.headline) == squash(headline)
    score.notes.append("provenance " + ",".join(f"{k}={v}" for k, v in sorted(article.provenance.items())))
    return score


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("-v", "--verbose", action="store_true", help="show every check")
    args = parser.parse_args()
    corpus: Path = args.corpus
    if not (corpus / "feeds").is_dir() or not (corpus / "html" / "manifest.json").is_file():
        print(f"corpus not found at {corpus} (expected feeds/ and html/manifest.json)", file=sys.stderr)
        return 2

    manifest = json.loads((corpus / "html" / "manifest.json").read_text(encoding="utf-8"))
    documents: dict[str, tuple[bytes, str]] = {}
    feed_files = sorted((corpus / "feeds").glob("*.xml"))
    for path in feed_files:
        documents["/feeds/" + path.name] = (path.read_bytes(), "application/rss+xml")
    for entry in manifest:
        documents[served_path(entry)] = ((corpus / "html" / entry["file"]).read_bytes(), "text/html")
    server, base = serve(documents)
    http_config = HttpConfig(per_host_delay=0.0, retries=0, total_timeout=30.0)
    try:
        with fetch.Fetcher(http_config) as fetcher:
            started = time.perf_counter()
            feeds_ok, items = evaluate_feeds(fetcher, base, feed_files, args.verbose)
            feeds_time = time.perf_counter() - started
            started = time.perf_counter()
            pages_ok, pages_total = evaluate_pages(fetcher, base, manifest, args.verbose)
            pages_time = time.perf_counter() - started
    finally:
        server.shutdown()
    print()
    print(
        f"feeds: {feeds_ok}/{len(feed_files)} as expected, {items} items in {feeds_time:.1f} s "
        f"(two polls each, the second 304); pages: {pages_ok}/{pages_total} pass, "
        f"{1000 * pages_time / pages_total:.0f} ms per page fetched and extracted"
    )
    return 0 if feeds_ok == len(feed_files) and pages_ok >= 18 else 1


def evaluate_feeds(fetcher: fetch.Fetcher, base: str, feed_files: list[Path], verbose: bool) -> tuple[int, int]:
    print(f"{'feed':28} {'result':8} {'items':>5} {'rej':>4} {'datelines':>9}  second poll")
    ok = items = 0
    for path in feed_files:
        source = SourceConfig(
            name=path.stem, kind="feed", url=f"{base}/feeds/{path.name}", full_text="never", max_age_days=None
        )
        first = sources.poll(source, None, fetcher=fetcher, now=NOW)
        second = sources.poll(source, first.state, fetcher=fetcher, now=NOW)
        datelines = sum(1 for a in first.articles if a.item.dateline is not None)
        empty = path.stat().st_size == 0
        if empty:
            good = first.state.last_status == "error" and first.state.last_error == f"{path.stem}: empty body (0 bytes)"
        else:
            good = (
                first.state.last_status == "ok" and bool(first.articles) and second.state.last_status == "not_modified"
            )
        ok += good
        items += len(first.articles)
        status = first.state.last_status if not first.state.last_error else first.state.last_error
        print(
            f"{path.name:28} {'ok' if good else 'FAIL':8} {len(first.articles):5} {len(first.rejected):4} "
            f"{datelines:9}  {second.state.last_status}{'' if good else '  ' + str(status)}"
        )
        if verbose:
            for line in [*first.warnings, *first.rejected]:
                print("    " + line)
    return ok, items


def evaluate_pages(fetcher: fetch.Fetcher, base: str, manifest: list[dict[str, Any]], verbose: bool) -> tuple[int, int]:
    print()
    source = SourceConfig(name="eval", kind="page")
    passed = 0
    dates = [0, 0]
    for entry in manifest:
        article, error = None, None
        try:
            response = fetcher.get(base + served_path(entry), accept=fetch.HTML_ACCEPT, robots=True)
            address = entry["url"] if entry.get("url", "").startswith("http") else response.url
            article = extract.page_article(
                response.content, url=address, source=source, headers=response.headers, fetched_at=NOW
            )
        except (fetch.FetchError, extract.ExtractError) as failure:
            error = str(failure)
        score = score_page(entry, article, error)
        passed += score.passed
        if "date" in score.checks:
            dates[0] += score.checks["date"]
            dates[1] += 1
        failed = [name for name, good in score.checks.items() if not good]
        print(f"{'PASS' if score.passed else 'FAIL'}  {score.file[:52]:52}  {score.site[:28]:28}  {'; '.join(failed)}")
        if verbose or not score.passed:
            for note in score.notes:
                print("      " + note)
    print(f"publication dates right: {dates[0]}/{dates[1]}")
    return passed, len(manifest)


if __name__ == "__main__":
    sys.exit(main())
