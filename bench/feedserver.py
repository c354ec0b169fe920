"""A loopback news site for the poll benchmark: RSS and Atom feeds of generated items plus their
article pages, honouring conditional GET (ETag / If-None-Match, Last-Modified / If-Modified-Since).

It runs in its own process (``python -m bench.feedserver``) so that serving does not share the
poller's interpreter lock, and listens on several loopback addresses (127.0.0.2, 127.0.0.3, ...)
so that the fetcher's per-host limits apply as they would across real sites.

Feed ``f`` lists the ``per_feed`` newest of its items: stream items ``start + f + feeds * k``.
Even feeds are RSS 2.0, odd feeds Atom; feeds ``f % 4 in (0, 3)`` carry the full text, the
others a summary only, so that the fetcher also fetches article pages.
With ``--hub URL`` every ``--hub-every``-th feed (0, N, 2N, ...) advertises that WebSub hub
(``<link rel="hub">``, for RSS as ``atom:link``).
Control: ``GET /_advance?n=5`` adds n new items to every feed; ``GET /_publish?feed=7`` adds one
to feed 7, published now (its feed date and page say so), and answers its index and time;
``GET /_stats`` returns request counts by status (``?reset=1`` clears them); ``GET /_polls``
the times (Unix seconds) each feed was requested, by feed number.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import email.utils
import hashlib
import html
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import httpx

from bench.generate import SEED, GeneratedItem, Mix, generate_item
from wirewatch.model import WireItem


def body_paragraphs(item: WireItem) -> list[str]:
    """The body as a page shows it: the dateline back at the start of the first paragraph."""
    paragraphs = list(item.paragraphs)
    if item.dateline is not None and paragraphs:
        paragraphs[0] = f"{item.dateline.raw} {paragraphs[0]}"
    return paragraphs


UNIQUE_STORIES = Mix(duplicate=0.0, reprint=0.0, revision=0.0, syndicated=0.0)


class FeedSite:
    """The site's content and its conditional-GET validators; no sockets."""

    def __init__(self, feeds: int, *, hosts: list[str], per_feed: int = 10, start: int = 0, seed: int = SEED,
                 mix: Mix = Mix(), hub: str | None = None, hub_every: int = 2):  # fmt: skip
        self.feeds, self.hosts, self.per_feed, self.start, self.seed, self.mix = feeds, hosts, per_feed, start, seed, mix
        self.hub, self.hub_every = hub, hub_every
        self.heads = [per_feed] * feeds
        self.live: dict[int, dt.datetime] = {}  # items published by /_publish: when
        self._items: dict[int, GeneratedItem] = {}
        self._documents: dict[tuple[int, int], tuple[bytes, str, str]] = {}
        self._lock = threading.Lock()

    def host_of(self, feed: int) -> str:
        return self.hosts[feed % len(self.hosts)]

    def feed_url(self, feed: int) -> str:
        return f"http://{self.host_of(feed)}/feeds/{feed}.xml"

    def hub_of(self, feed: int) -> str | None:
        """The WebSub hub ``feed`` advertises, if any."""
        return self.hub if self.hub and feed % self.hub_every == 0 else None

    def hub_links(self, feed: int, prefix: str = "") -> str:
        hub = self.hub_of(feed)
        return f'<{prefix}link rel="hub" href="{escape(hub)}"/>' if hub else ""

    def item(self, index: int) -> GeneratedItem:
        found = self._items.get(index)
        if found is None:
            found = self._items[index] = generate_item(index, seed=self.seed, mix=self.mix)
        return found

    def published_at(self, generated: GeneratedItem) -> dt.datetime:
        return self.live.get(generated.index, generated.article.published_at)

    def advance(self, count: int) -> None:
        with self._lock:
            self.heads = [head + count for head in self.heads]

    def publish(self, feed: int) -> tuple[int, dt.datetime]:
        """One new item at the top of ``feed``, published now: its index and time."""
        with self._lock:
            index = self.start + feed + self.feeds * self.heads[feed]
            self.live[index] = dt.datetime.now(dt.timezone.utc)
            self.heads[feed] += 1
        return index, self.live[index]

    def warm(self, ahead: int = 0) -> None:
        """Generate and render now what the polls will ask for (now and after ``advance(ahead)``),
        so that the server's own work does not count against the poller."""
        for feed in range(self.feeds):
            for head in {self.heads[feed], self.heads[feed] + ahead}:
                self._render_feed(feed, head)
                for index in self._indices(feed, head):
                    self.page(index)

    def _indices(self, feed: int, head: int) -> list[int]:
        ks = range(head - 1, max(head - self.per_feed, 0) - 1, -1)  # newest first
        return [self.start + feed + self.feeds * k for k in ks]

    def feed_document(self, feed: int) -> tuple[bytes, str, str]:
        """(body, etag, last_modified) of the feed as it is now."""
        with self._lock:
            head = self.heads[feed]
        return self._render_feed(feed, head)

    def _render_feed(self, feed: int, head: int) -> tuple[bytes, str, str]:
        cached = self._documents.get((feed, head))
        if cached is None:
            items = [self.item(index) for index in self._indices(feed, head)]
            newest = max(self.published_at(generated) for generated in items)
            render = _rss if feed % 2 == 0 else _atom
            body = render(self, feed, items, full_text=feed % 4 in (0, 3)).encode()
            etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
            cached = self._documents[(feed, head)] = (body, etag, email.utils.format_datetime(newest, usegmt=True))
        return cached

    def article_url(self, feed: int, index: int) -> str:
        return f"http://{self.host_of(feed)}/articles/{index}.html"

    def page(self, index: int) -> bytes:
        cached = self._documents.get((-1, index))
        if cached is None:
            generated = self.item(index)
            cached = self._documents[(-1, index)] = (_page(generated, self.published_at(generated)).encode(), "", "")
        return cached[0]


def _paragraphs_html(item: WireItem) -> str:
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in body_paragraphs(item))


@dataclass(frozen=True, slots=True)
class _Entry:
    """One feed entry's parts, XML-escaped."""

    title: str
    link: str
    guid: str
    published: dt.datetime
    section: str
    summary: str
    content: str | None  # the full text as escaped HTML; None in a summary-only feed


def _entries(site: FeedSite, feed: int, items: list[GeneratedItem], *, full_text: bool) -> Iterator[_Entry]:
    for generated in items:
        article, item = generated.article, generated.article.item
        yield _Entry(
            title=escape(item.headline),
            link=escape(site.article_url(feed, generated.index)),
            guid=escape(article.guid or ""),
            published=site.published_at(generated),
            section=escape(item.section),
            summary=escape(body_paragraphs(item)[0] if item.paragraphs else ""),
            content=escape(_paragraphs_html(item)) if full_text else None,
        )


def _rss_item(e: _Entry) -> str:
    content = f"<content:encoded>{e.content}</content:encoded>" if e.content else ""
    return (f'<item><title>{e.title}</title><link>{e.link}</link><guid isPermaLink="false">{e.guid}</guid>'
            f"<pubDate>{email.utils.format_datetime(e.published)}</pubDate><category>{e.section}</category>"
            f"<description>{e.summary}</description>{content}</item>")


def _atom_entry(e: _Entry) -> str:
    content = f'<content type="html">{e.content}</content>' if e.content else ""
    stamp = e.published.isoformat()
    return (f'<entry><title>{e.title}</title><link rel="alternate" href="{e.link}"/><id>urn:bench:{e.guid}</id>'
            f'<published>{stamp}</published><updated>{stamp}</updated><category term="{e.section}"/>'
            f"<summary>{e.summary}</summary>{content}</entry>")


def _rss(site: FeedSite, feed: int, items: list[GeneratedItem], *, full_text: bool) -> str:
    entries = "".join(map(_rss_item, _entries(site, feed, items, full_text=full_text)))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>Bench feed {feed}</title><link>http://{site.host_of(feed)}/</link>{site.hub_links(feed, 'atom:')}"
        f"<description>Generated wire items</description>{entries}</channel></rss>"
    )


def _atom(site: FeedSite, feed: int, items: list[GeneratedItem], *, full_text: bool) -> str:
    entries = "".join(map(_atom_entry, _entries(site, feed, items, full_text=full_text)))
    updated = max(site.published_at(generated) for generated in items).isoformat()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Bench feed {feed}</title><id>urn:bench:feed:{feed}</id><updated>{updated}</updated>"
        f'<link rel="self" href="{site.feed_url(feed)}"/>{site.hub_links(feed)}{entries}</feed>'
    )


def _page(generated: GeneratedItem, published: dt.datetime) -> str:
    article, item = generated.article, generated.article.item
    paragraphs = body_paragraphs(item)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.headline,
        "description": item.subtitle or (paragraphs[0] if paragraphs else ""),
        "datePublished": published.isoformat(),
        "articleSection": item.section,
        "articleBody": "\n\n".join(paragraphs),
        "publisher": {"@type": "Organization", "name": article.source},
    }
    subtitle = f'<p class="subtitle">{html.escape(item.subtitle)}</p>' if item.subtitle else ""
    return (
        f'<!doctype html><html lang="{article.lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(item.headline)} | {html.escape(article.source)}</title>"
        f'<meta property="og:title" content="{html.escape(item.headline)}">'
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script></head>'
        '<body><header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>'
        f'<main><article><p class="section">{html.escape(item.section)}</p>'
        f"<h1>{html.escape(item.headline)}</h1>{subtitle}"
        f'<div class="article-body">{_paragraphs_html(item)}</div></article></main>'
        "<footer>© Bench Wire. All rights reserved.</footer></body></html>"
    )


def _not_modified(headers, etag: str, last_modified: str) -> bool:
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:  # it takes precedence over If-Modified-Since (RFC 9110 13.2.2)
        return etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match.strip() == "*"
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since >= email.utils.parsedate_to_datetime(last_modified)
    return False


def make_handler(site: FeedSite, stats: collections.Counter,
                 polls: dict[int, list[float]]) -> type[BaseHTTPRequestHandler]:  # fmt: skip
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
        # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
        # client's delayed ACK, adding ~40 ms to every response on loopback.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != HTTPStatus.NOT_MODIFIED:
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != HTTPStatus.NOT_MODIFIED:
                self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            query = parse_qs(url.query)
            if url.path == "/robots.txt":
                return self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            if url.path == "/_advance":
                site.advance(int(query.get("n", ["5"])[0]))
                return self.send(200, b"ok", "text/plain")
            if url.path == "/_publish":
                try:
                    feed = int(query.get("feed", ["-1"])[0])
                except ValueError:
                    feed = -1
                if not 0 <= feed < site.feeds:
                    return self.send(404, b"no such feed", "text/plain")
                index, published = site.publish(feed)
                answer = {"index": index, "published": published.isoformat(), "url": site.article_url(feed, index)}
                return self.send(200, json.dumps(answer).encode(), "application/json")
            if url.path == "/_stats":
                body = json.dumps(dict(stats)).encode()
                if query.get("reset"):
                    stats.clear()
                return self.send(200, body, "application/json")
            if url.path == "/_polls":
                return self.send(200, json.dumps(dict(polls)).encode(), "application/json")
            try:
                number = int(parts[1].split(".")[0]) if len(parts) == 2 else -1
            except ValueError:
                number = -1
            if parts[0] == "feeds" and 0 <= number < site.feeds:
                polls.setdefault(number, []).append(time.time())
                body, etag, last_modified = site.feed_document(number)
                validators = {"ETag": etag, "Last-Modified": last_modified}
                if _not_modified(self.headers, etag, last_modified):
                    stats["feed 304"] += 1
                    return self.send(304, b"", "", validators)
                stats["feed 200"] += 1
                kind = "application/rss+xml" if number % 2 == 0 else "application/atom+xml"
                return self.send(200, body, f"{kind}; charset=utf-8", validators)
            if parts[0] == "articles" and number >= 0:
                stats["page"] += 1
                return self.send(200, site.page(number), "text/html; charset=utf-8")
            return self.send(404, b"not found", "text/plain")

    return Handler


def serve(feeds: int, host_count: int, *, per_feed: int, start: int, ahead: int, unique: bool = False,
          hub: str | None = None, hub_every: int = 2) -> None:  # fmt: skip
    """Listen on 127.0.0.2 .. 127.0.0.(1 + host_count), print one JSON line with the addresses,
    then serve until killed."""
    servers: list[ThreadingHTTPServer] = []
    port = 0
    site = FeedSite(feeds, hosts=[], per_feed=per_feed, start=start, mix=UNIQUE_STORIES if unique else Mix(), hub=hub,
                    hub_every=hub_every)  # fmt: skip
    stats: collections.Counter = collections.Counter()
    handler = make_handler(site, stats, {})
    for number in range(host_count):
        address = f"127.0.0.{2 + number}"
        try:
            server = ThreadingHTTPServer((address, port), handler)
        except OSError:  # the first address's port is taken here: let the OS choose
            server = ThreadingHTTPServer((address, 0), handler)
        server.daemon_threads = True
        port = server.server_address[1]
        servers.append(server)
    site.hosts = [f"{s.server_address[0]}:{s.server_address[1]}" for s in servers]
    site.warm(ahead)
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"hosts": site.hosts, "feeds": [site.feed_url(f) for f in range(feeds)]}), flush=True)
    servers[0].serve_forever()


@dataclass(frozen=True, slots=True)
class RunningServer:
    process: subprocess.Popen
    hosts: list[str]
    feed_urls: list[str]

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"http://{self.hosts[0]}{path}", timeout=30)

    def advance(self, count: int) -> None:
        self.get(f"/_advance?n={count}").raise_for_status()

    def stats(self, *, reset: bool = False) -> dict[str, int]:
        return self.get("/_stats?reset=1" if reset else "/_stats").json()

    def polls(self) -> dict[int, list[float]]:
        """When each feed was requested (Unix seconds, in order), by feed number."""
        return {int(feed): times for feed, times in self.get("/_polls").json().items()}

    def publish(self, feed: int) -> dict:
        """One new item in ``feed`` now: ``{"index", "published" (ISO time), "url"}``."""
        response = self.get(f"/_publish?feed={feed}")
        response.raise_for_status()
        return response.json()


@contextlib.contextmanager
def running(
    feeds: int, *, hosts: int = 8, per_feed: int = 10, start: int = 0, ahead: int = 5, unique: bool = False,
    hub: str | None = None, hub_every: int = 2,
) -> Iterator[RunningServer]:
    """Start the site in a child process; stop it (that process only) on exit."""
    command = [sys.executable, "-m", "bench.feedserver", "--feeds", str(feeds), "--hosts", str(hosts),
               "--per-feed", str(per_feed), "--start", str(start), "--ahead", str(ahead)]
    command += ["--unique"] if unique else []
    command += ["--hub", hub, "--hub-every", str(hub_every)] if hub else []
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            raise RuntimeError(f"feed server exited with code {process.wait()} before listening")
        ready = json.loads(line)
        yield RunningServer(process, ready["hosts"], ready["feeds"])
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.feedserver", description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--per-feed", type=int, default=10)
    parser.add_argument("--start", type=int, default=0, help="first stream item index")
    parser.add_argument("--ahead", type=int, default=5, help="also pre-render feeds this many items ahead")
    parser.add_argument("--unique", action="store_true", help="every item a story of its own (no copies or reprints)")
    parser.add_argument("--hub", help="a WebSub hub URL some feeds advertise")
    parser.add_argument("--hub-every", type=int, default=2, help="every N-th feed advertises --hub (default 2: half)")
    args = parser.parse_args(argv)
    serve(args.feeds, args.hosts, per_feed=args.per_feed, start=args.start, ahead=args.ahead, unique=args.unique,
          hub=args.hub, hub_every=args.hub_every)  # fmt: skip


if __name__ == "__main__":
    main()
