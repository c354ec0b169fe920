"""Fetching and polling against real HTTP servers on 127.0.0.1 (pytest-httpserver, and the
standard library's threading server where concurrency matters), and through httpx.MockTransport
for what no loopback server can send (public addresses, connect timeouts, DNS failures): the
transport is httpx's seam under the fetcher, so the guard, host gates, robots.txt, caps and
deadlines all run as they do live. No internet."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import gzip
import http.server
import ipaddress
import re
import socket
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from wirewatch import __version__
from wirewatch.config import HttpConfig, SourceConfig
from wirewatch.sources.fetch import (
    ALLOW_PRIVATE_HINT,
    Fetcher,
    FetchError,
    _embedded_ipv4,
    check_public_url,
)
from wirewatch.model import SourceState
from wirewatch.sources.poll import poll

FIXTURES = Path(__file__).parent / "fixtures"
NOW = dt.datetime(2019, 2, 7, 12, 0, tzinfo=dt.timezone.utc)
FAST = HttpConfig(
    connect_timeout=1.0, total_timeout=2.0, retries=2, backoff_base=0.01, max_retry_after=5.0, per_host_delay=0.0
)
RSS = "application/rss+xml"


def fixture_bytes(kind: str, name: str, **replacements: str) -> bytes:
    data = (FIXTURES / kind / name).read_bytes()
    for key, value in replacements.items():
        data = data.replace(b"{" + key.encode() + b"}", value.encode())
    return data


def feed_source(server: HTTPServer, path: str = "/rss.xml", **options: object) -> SourceConfig:
    # The loopback test server is private: every source that polls it must allow that.
    settings: dict[str, object] = {"full_text": "never", "max_age_days": None, "allow_private": True, **options}
    return SourceConfig(name="wire", kind="feed", url=server.url_for(path), **settings)  # type: ignore[arg-type]


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as instance:
        yield instance


def requests_to(server: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in server.log if request.path == path]


# --- conditional GET ---------------------------------------------------------------------------


def test_200_then_304_sends_validators_and_stores_nothing(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    body = fixture_bytes("feeds", "full_content.xml")
    validators = {"ETag": '"v1"', "Last-Modified": "Thu, 07 Feb 2019 11:00:00 GMT"}
    httpserver.expect_ordered_request("/rss.xml").respond_with_data(body, content_type=RSS, headers=validators)
    httpserver.expect_ordered_request(
        "/rss.xml", headers={"If-None-Match": '"v1"', "If-Modified-Since": "Thu, 07 Feb 2019 11:00:00 GMT"}
    ).respond_with_data(b"", status=304, headers={"ETag": '"v1"'})
    source = feed_source(httpserver)

    first = poll(source, None, fetcher=fetcher, now=NOW)
    second = poll(source, first.state, fetcher=fetcher, now=NOW + dt.timedelta(minutes=5))

    assert [a.guid for a in first.articles] == ["wire-42"]
    assert (first.state.etag, first.state.last_modified, first.state.items_seen) == (
        '"v1"',
        "Thu, 07 Feb 2019 11:00:00 GMT",
        1,
    )
    assert second.articles == []
    assert (second.state.last_status, second.state.etag, second.state.items_seen) == ("not_modified", '"v1"', 1)
    assert requests_to(httpserver, "/rss.xml")[0].headers.get("User-Agent", "").startswith(f"wirewatch/{__version__} ")
    httpserver.check_assertions()


def test_validators_are_not_sent_to_a_changed_url(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/new.xml").respond_with_data(
        fixture_bytes("feeds", "full_content.xml"), content_type=RSS
    )
    previous = SourceState(name="wire", kind="feed", url=httpserver.url_for("/old.xml"), etag='"v1"', items_seen=3)
    result = poll(feed_source(httpserver, "/new.xml"), previous, fetcher=fetcher, now=NOW)
    assert result.state.last_status == "ok"
    assert "If-None-Match" not in requests_to(httpserver, "/new.xml")[0].headers


# --- retries and errors ------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_ordered_request("/rss.xml").respond_with_data(
        b"slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/rss.xml").respond_with_data(
        fixture_bytes("feeds", "full_content.xml"), content_type=RSS
    )
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, len(result.articles)) == ("ok", 1)
    assert len(requests_to(httpserver, "/rss.xml")) == 2


def test_retry_after_beyond_the_bound_fails_and_pauses_the_host(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(b"", status=429, headers={"Retry-After": "3600"})
    first = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    again = poll(feed_source(httpserver, "/other.xml"), None, fetcher=fetcher, now=NOW)
    assert first.state.last_error == "wire: HTTP 429 Too Many Requests: Retry-After 3600 s is over the 5 s limit"
    assert again.state.last_error == "wire: HTTP 429 Too Many Requests: the host asked us to wait 3600 s (Retry-After)"
    assert len(httpserver.log) == 1  # the second poll never reached the server


def test_500_then_success_is_retried(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_ordered_request("/rss.xml").respond_with_data(b"oops", status=500)
    httpserver.expect_ordered_request("/rss.xml").respond_with_data(
        fixture_bytes("feeds", "full_content.xml"), content_type=RSS
    )
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, result.state.last_error, len(result.articles)) == ("ok", None, 1)


def test_persistent_500_gives_up_after_the_retries(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(b"oops", status=500)
    previous = SourceState(name="wire", kind="feed", url=httpserver.url_for("/rss.xml"), consecutive_failures=2)
    result = poll(feed_source(httpserver), previous, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: HTTP 500 Internal Server Error (after 3 attempts)"
    assert (result.state.last_status, result.state.consecutive_failures) == ("error", 3)


def test_404_is_not_retried(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(b"gone", status=404)
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: HTTP 404 Not Found"
    assert len(httpserver.log) == 1


def test_response_slower_than_the_timeout(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(fixture_bytes("feeds", "full_content.xml"), content_type=RSS)

    httpserver.expect_request("/rss.xml").respond_with_handler(slow)
    with Fetcher(HttpConfig(total_timeout=0.3, retries=0, per_host_delay=0.0)) as impatient:
        result = poll(feed_source(httpserver), None, fetcher=impatient, now=NOW)
    assert result.state.last_error == "wire: timed out after 0.3 s (total_timeout)"


def test_connection_refused_is_a_clear_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = SourceConfig(name="tass", kind="feed", url=f"http://127.0.0.1:{port}/rss.xml", allow_private=True)
    with Fetcher(HttpConfig(retries=0, per_host_delay=0.0)) as fetcher:
        result = poll(source, None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "tass: cannot connect: [Errno 111] Connection refused"


def test_unresolvable_host_fails_at_once_without_retries(fetcher: Fetcher) -> None:
    result = poll(
        SourceConfig(name="wire", kind="feed", url="http://nothing.invalid/rss"), None, fetcher=fetcher, now=NOW
    )
    assert result.state.last_status == "error"
    assert result.state.last_error is not None
    assert re.fullmatch(r"wire: cannot resolve nothing\.invalid: \[Errno -?\d+\] [^()]+", result.state.last_error)


# --- caps, redirects, encodings ----------------------------------------------------------------


def test_body_over_the_cap_by_content_length(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(b"x" * 5000, content_type=RSS)
    with Fetcher(HttpConfig(max_bytes=1000, per_host_delay=0.0)) as small:
        result = poll(feed_source(httpserver), None, fetcher=small, now=NOW)
    assert result.state.last_error == "wire: body over the 1,000 bytes cap (Content-Length 5,000 bytes)"


def test_body_over_the_cap_while_streaming(httpserver: HTTPServer) -> None:
    def endless(request: Request) -> Response:
        return Response((b"<rss>" + b"y" * 1024 for _ in range(100)), content_type=RSS)  # chunked, no length

    httpserver.expect_request("/rss.xml").respond_with_handler(endless)
    with Fetcher(HttpConfig(max_bytes=10_000, per_host_delay=0.0)) as small:
        result = poll(feed_source(httpserver), None, fetcher=small, now=NOW)
    assert result.state.last_error == "wire: body over the 10,000 bytes cap"


def test_gzip_body_is_decoded(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    body = gzip.compress(fixture_bytes("feeds", "full_content.xml"))
    httpserver.expect_request("/rss.xml").respond_with_data(
        body, content_type=RSS, headers={"Content-Encoding": "gzip"}
    )
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    assert [a.item.headline for a in result.articles] == ["Kremlin comments on talks"]
    assert requests_to(httpserver, "/rss.xml")[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_gzip_bomb_stops_at_the_cap(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB in ~64 KB
    httpserver.expect_request("/rss.xml").respond_with_data(
        bomb, content_type=RSS, headers={"Content-Encoding": "gzip"}
    )
    tracemalloc.start()
    with Fetcher(HttpConfig(max_bytes=1024 * 1024, per_host_delay=0.0)) as small:
        result = poll(feed_source(httpserver), None, fetcher=small, now=NOW)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.state.last_error == "wire: body over the 1 MiB cap"
    assert peak < 16 * 1024 * 1024


def test_redirect_loop(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/a").respond_with_data(b"", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data(b"", status=301, headers={"Location": httpserver.url_for("/a")})
    result = poll(feed_source(httpserver, "/a"), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == f"wire: redirect loop at {httpserver.url_for('/a')}"


def test_too_many_redirects(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    for hop in range(7):
        httpserver.expect_request(f"/r{hop}").respond_with_data(b"", status=307, headers={"Location": f"/r{hop + 1}"})
    result = poll(feed_source(httpserver, "/r0"), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: too many redirects (more than 5)"
    assert len(httpserver.log) == 6


def test_redirect_to_a_file_url_is_refused(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(b"", status=302, headers={"Location": "file:///etc/passwd"})
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: not an http(s) URL: file:///etc/passwd"


def test_wrong_declared_charset(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    utf8 = fixture_bytes("feeds", "russian.xml").replace(b'encoding="windows-1251"', b'encoding="utf-8"')
    cp1251 = fixture_bytes("feeds", "russian.xml").decode("utf-8").encode("cp1251")
    # UTF-8 served as Latin-1; Windows-1251 (declared in the XML) served as UTF-8.
    httpserver.expect_request("/latin.xml").respond_with_data(
        utf8, content_type="application/rss+xml; charset=iso-8859-1"
    )
    httpserver.expect_request("/utf8.xml").respond_with_data(cp1251, content_type="text/xml; charset=utf-8")
    for path in ("/latin.xml", "/utf8.xml"):
        result = poll(feed_source(httpserver, path), None, fetcher=fetcher, now=NOW)
        assert [a.item.headline for a in result.articles] == ["Совбез обсудит вопросы ПРО"], path


# --- not a feed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"<!DOCTYPE html><html><body><p>Welcome</p></body></html>", "text/html", "wire: not a feed: got HTML"),
        (b"", RSS, "wire: empty body (0 bytes)"),
        (None, RSS, "wire: XML error at line 12: not well-formed (invalid token)"),
    ],
    ids=["html", "empty", "malformed"],
)
def test_not_a_feed(
    httpserver: HTTPServer, fetcher: Fetcher, body: bytes | None, content_type: str, error: str
) -> None:
    data = fixture_bytes("feeds", "malformed.xml") if body is None else body
    httpserver.expect_request("/rss.xml").respond_with_data(data, content_type=content_type)
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, result.state.last_error, result.articles) == ("error", error, [])


def test_entity_expansion_bomb_is_not_expanded(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(fixture_bytes("feeds", "entity_bomb.xml"), content_type=RSS)
    tracemalloc.start()
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [a.item.headline for a in result.articles] == ["Laughs &lol9;"]
    assert result.warnings == ["wire: feed is not well-formed (XML error at line 6: undefined entity); kept 1 entries"]
    assert peak < 16 * 1024 * 1024


def test_external_entity_is_not_read(httpserver: HTTPServer, fetcher: Fetcher, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = fixture_bytes("feeds", "external_entity.xml", secret_path=str(secret))
    httpserver.expect_request("/rss.xml").respond_with_data(body, content_type=RSS)
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    [article] = result.articles
    assert article.item.headline == "Leak &xxe; test"
    assert "TOP-SECRET" not in repr(article)


# --- full text, SSRF guard, robots.txt, age -----------------------------------------------------


def serve_tass(server: HTTPServer, robots: bytes | None = None) -> None:
    server.expect_request("/rss.xml").respond_with_data(
        fixture_bytes("feeds", "tass_summary.xml", base=server.url_for("").rstrip("/")), content_type=RSS
    )
    if robots is None:
        server.expect_request("/robots.txt").respond_with_data(b"", status=404)
    else:
        server.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    server.expect_request("/politics/1001").respond_with_data(
        fixture_bytes("pages", "tass_article.html"), content_type="text/html"
    )
    server.expect_request("/economy/1002").respond_with_data(b"", status=404)


def test_summary_only_feed_gets_full_text_and_old_items_are_skipped(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    serve_tass(httpserver)
    source = feed_source(httpserver, full_text="auto", allow_private=True, max_age_days=7.0)
    result = poll(source, None, fetcher=fetcher, now=NOW)

    [politics, economy] = result.articles
    assert politics.item.headline == "Russia’s Security Council to discuss missile defense on Monday"
    assert politics.item.dateline is not None and politics.item.dateline.raw == "MOSCOW, February 7. /TASS/."
    assert (politics.provenance["headline"], politics.provenance["body"]) == ("feed", "page:rules")
    assert economy.item.paragraphs == ("Icebreakers will escort cargo ships along the Northern Sea Route",)
    assert result.warnings == [
        "wire: skipped 1 item published before 2019-01-31 12:00 UTC (max_age_days = 7, first poll)",
        f"wire: {httpserver.url_for('/economy/1002')}: kept the feed summary: HTTP 404 Not Found",
    ]
    assert result.state.items_seen == 2
    assert len(requests_to(httpserver, "/society/900")) == 0


def test_items_skipped_at_the_first_poll_do_not_flood_in_at_the_second(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    serve_tass(httpserver)
    source = feed_source(httpserver, max_age_days=7.0)
    first = poll(source, None, fetcher=fetcher, now=NOW)
    second = poll(source, first.state, fetcher=fetcher, now=NOW + dt.timedelta(days=3))
    assert [a.guid for a in second.articles] == [a.guid for a in first.articles]  # the store drops these copies
    assert second.warnings == [
        "wire: skipped 1 item published before 2019-01-31 12:00 UTC (max_age_days = 7)"  # 7 days before poll 1
    ]
    assert second.state.items_seen == 4


def test_known_items_are_not_fetched_again(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    serve_tass(httpserver)
    source = feed_source(httpserver, full_text="auto", allow_private=True)
    known = {httpserver.url_for("/politics/1001"), httpserver.url_for("/economy/1002")}
    result = poll(source, None, fetcher=fetcher, now=NOW, known_guids=known)
    assert [a.guid for a in result.articles] == [httpserver.url_for("/society/900")]
    assert requests_to(httpserver, "/politics/1001") == []


def test_a_mirror_feeds_copies_are_not_fetched_again_on_the_next_poll(
    httpserver: HTTPServer, fetcher: Fetcher, tmp_path: Path
) -> None:
    from wirewatch.ingest.batch import ingest_batch
    from wirewatch.archive.store import open_store

    serve_tass(httpserver)  # the wire's feed and pages
    mirror_base = httpserver.url_for("/mirror")
    httpserver.expect_request("/mirror.xml").respond_with_data(
        fixture_bytes("feeds", "tass_summary.xml", base=mirror_base), content_type=RSS
    )
    httpserver.expect_request("/mirror/politics/1001").respond_with_data(
        fixture_bytes("pages", "tass_article.html"), content_type="text/html"
    )
    httpserver.expect_request("/mirror/economy/1002").respond_with_data(b"", status=404)
    options = {"full_text": "auto", "allow_private": True, "max_age_days": 7.0}
    sources = [feed_source(httpserver, **options), SourceConfig(
        name="mirror", kind="feed", url=httpserver.url_for("/mirror.xml"), **options)]  # type: ignore[arg-type]
    with open_store(tmp_path / "archive.duckdb") as store:
        run = store.begin_run("test", now=NOW)
        statuses = []
        for _ in range(2):  # the feeds change between polls (no validators): both are fetched again
            known = store.known_guids(since=NOW - dt.timedelta(days=2))
            for source in sources:
                result = poll(source, None, fetcher=fetcher, now=NOW, known_guids=known.get(source.name, ()))
                outcomes = ingest_batch(store, run, result.articles, now=NOW).outcomes
                statuses.append((source.name, [o.status for o in outcomes]))
    assert statuses == [("wire", ["new", "new"]), ("mirror", ["duplicate", "duplicate"]), ("wire", []), ("mirror", [])]
    assert len(requests_to(httpserver, "/mirror.xml")) == 2
    assert len(requests_to(httpserver, "/mirror/politics/1001")) == 1  # the copy's page: once
    assert len(requests_to(httpserver, "/politics/1001")) == 1


def admitting(*urls: str) -> Callable[[str], object]:
    """The SSRF guard, except that it lets the test's own loopback URLs through."""
    return lambda url: None if url in urls else check_public_url(url)


def test_article_links_to_loopback_are_blocked_without_allow_private(httpserver: HTTPServer) -> None:
    serve_tass(httpserver)
    source = feed_source(httpserver, full_text="auto", allow_private=False)
    with Fetcher(FAST, check_url=admitting(httpserver.url_for("/rss.xml"))) as fetcher:
        result = poll(source, None, fetcher=fetcher, now=NOW)
    assert len(result.articles) == 3
    assert result.warnings[0] == (
        f"wire: {httpserver.url_for('/politics/1001')}: kept the feed summary: "
        f"blocked link to {httpserver.host}: 127.0.0.1 is a loopback address" + ALLOW_PRIVATE_HINT
    )
    assert requests_to(httpserver, "/politics/1001") == []


def test_feed_item_linking_to_the_metadata_service(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(
        fixture_bytes("feeds", "metadata_link.xml"), content_type=RSS
    )
    source = feed_source(httpserver, full_text="always", allow_private=False)
    with Fetcher(FAST, check_url=admitting(httpserver.url_for("/rss.xml"))) as guarded, recording_connections() as connects:
        result = poll(source, None, fetcher=guarded, now=NOW)
    assert {host for host, _ in connects} == {"127.0.0.1"}
    [article] = result.articles
    assert article.item.paragraphs == ("A summary whose link points at the cloud metadata service",)
    assert result.warnings == [
        "wire: http://169.254.169.254/latest/meta-data/iam/security-credentials/: kept the feed summary: "
        "blocked link to 169.254.169.254: 169.254.169.254 is a cloud metadata address" + ALLOW_PRIVATE_HINT
    ]


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://127.0.0.1:8080/x", "blocked link to 127.0.0.1: 127.0.0.1 is a loopback address" + ALLOW_PRIVATE_HINT),
        ("http://localhost/x", "blocked link to localhost: 127.0.0.1 is a loopback address" + ALLOW_PRIVATE_HINT),
        ("http://10.1.2.3/", "blocked link to 10.1.2.3: 10.1.2.3 is a private address" + ALLOW_PRIVATE_HINT),
        (
            "http://[::ffff:169.254.169.254]/",
            "blocked link to ::ffff:169.254.169.254: 169.254.169.254 is a cloud metadata address" + ALLOW_PRIVATE_HINT,
        ),
        ("http://2852039166/latest/", "blocked link to 2852039166: 169.254.169.254 is a cloud metadata address" + ALLOW_PRIVATE_HINT),
        ("http://169.254.10.1/", "blocked link to 169.254.10.1: 169.254.10.1 is a link-local address" + ALLOW_PRIVATE_HINT),
        ("http://[fe80::1]/", "blocked link to fe80::1: fe80::1 is a link-local address" + ALLOW_PRIVATE_HINT),
        ("file:///etc/passwd", "blocked link file:///etc/passwd: scheme 'file' is not http(s)"),
        ("javascript:alert(1)", "blocked link javascript:alert(1): scheme 'javascript' is not http(s)"),
    ],
)
def test_ssrf_guard(url: str, error: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_public_url(url)
    assert str(caught.value) == error


def test_ssrf_guard_allows_public_addresses() -> None:
    assert check_public_url("https://93.184.216.34/article") == [ipaddress.ip_address("93.184.216.34")]
    assert check_public_url("http://[2606:4700::1111]/") == [ipaddress.ip_address("2606:4700::1111")]


def test_page_source_respects_robots_txt(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/politics/1001").respond_with_data(
        fixture_bytes("pages", "tass_article.html"), content_type="text/html"
    )
    blocked = SourceConfig(name="tass", kind="page", url=httpserver.url_for("/private/story"), allow_private=True)
    allowed = SourceConfig(name="tass", kind="page", url=httpserver.url_for("/politics/1001"), allow_private=True)
    results = [poll(source, None, fetcher=fetcher, now=NOW) for source in (blocked, allowed)]
    assert results[0].state.last_error == "tass: disallowed by robots.txt: /private/story"
    assert [a.url for a in results[1].articles] == ["https://tass.com/politics/1001"]
    assert len(requests_to(httpserver, "/robots.txt")) == 1  # cached per host


def test_unreachable_robots_txt_disallows_everything(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(b"", status=503)
    source = SourceConfig(name="tass", kind="page", url=httpserver.url_for("/a"), allow_private=True)
    result = poll(source, None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == ("tass: disallowed by robots.txt (unreachable: HTTP 503 Service Unavailable): /a")


# --- many sources ------------------------------------------------------------------------------


def test_one_failing_source_never_fails_the_others(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/good.xml").respond_with_data(
        fixture_bytes("feeds", "full_content.xml"), content_type=RSS
    )
    httpserver.expect_request("/html.xml").respond_with_data(
        b"<html><body>Hello</body></html>", content_type="text/html"
    )
    httpserver.expect_request("/gone.xml").respond_with_data(b"", status=410)
    sources = [
        SourceConfig(name="html", kind="feed", url=httpserver.url_for("/html.xml"), allow_private=True),
        SourceConfig(name="good", kind="feed", url=httpserver.url_for("/good.xml"), full_text="never", allow_private=True),
        SourceConfig(name="gone", kind="feed", url=httpserver.url_for("/gone.xml"), allow_private=True),
        SourceConfig(name="bad", kind="feed", url="gopher://example.org/feed"),
    ]
    results = [poll(source, None, fetcher=fetcher, now=NOW) for source in sources]
    assert [(r.state.name, r.state.last_status, r.state.last_error, len(r.articles)) for r in results] == [
        ("html", "error", "html: not a feed: got HTML", 0),
        ("good", "ok", None, 1),
        ("gone", "error", "gone: HTTP 410 Gone", 0),
        ("bad", "error", "bad: not an http(s) URL: gopher://example.org/feed", 0),
    ]


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    """Answers after 0.3 s, recording when each request started and the most in flight at once."""

    lock: threading.Lock
    in_flight: int
    peak: int
    starts: list[float]

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.peak = max(cls.peak, cls.in_flight)
            cls.starts.append(time.monotonic())
        time.sleep(0.3)
        with cls.lock:
            cls.in_flight -= 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_per_host_concurrency_and_delay() -> None:
    handler = type("Counting", (_CountingHandler,), {"lock": threading.Lock(), "in_flight": 0, "peak": 0, "starts": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = HttpConfig(per_host_concurrency=2, per_host_delay=0.1)
        with Fetcher(config) as fetcher:
            workers = [
                threading.Thread(target=fetcher.get, args=(f"http://127.0.0.1:{server.server_address[1]}/{n}",))
                for n in range(6)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
    finally:
        server.shutdown()
        server.server_close()
    starts = sorted(handler.starts)
    assert (len(starts), handler.peak) == (6, 2)
    # the delay between starts (0.1 s): without it they would come in pairs, ~0 s apart; the
    # server sees them with some jitter on a loaded machine, hence half the delay as the bound
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.05


def test_transient_failures_are_marked_retryable_for_the_orchestrator(httpserver: HTTPServer, fetcher: Fetcher):
    httpserver.expect_request("/down.xml").respond_with_data("busy", status=503)
    httpserver.expect_request("/gone.xml").respond_with_data("gone", status=404)
    down = poll(feed_source(httpserver, "/down.xml"), None, fetcher=fetcher, now=NOW)
    gone = poll(feed_source(httpserver, "/gone.xml"), None, fetcher=fetcher, now=NOW)
    assert (down.state.last_status, down.retryable) == ("error", True)
    assert (gone.state.last_status, gone.retryable) == ("error", False)
    assert gone.state.last_error == "wire: HTTP 404 Not Found"


# --- hostile servers: the total deadline, redirects to private addresses (issue 16) -----------

_recorders: list[list[tuple[str, int]]] = []


def _record_connect(event: str, args: tuple[object, ...]) -> None:
    if event == "socket.connect" and _recorders and isinstance(args[1], tuple):
        _recorders[-1].append(args[1][:2])  # type: ignore[arg-type]


sys.addaudithook(_record_connect)  # audit hooks stay for the process; it records only when asked


@contextlib.contextmanager
def recording_connections() -> Iterator[list[tuple[str, int]]]:
    """Every (host, port) a socket of this process tries to connect to meanwhile."""
    connects: list[tuple[str, int]] = []
    _recorders.append(connects)
    try:
        yield connects
    finally:
        _recorders.remove(connects)


@contextlib.contextmanager
def dribbling_server(head: bytes = b"HTTP/1.1 200 OK\r\n") -> Iterator[str]:
    """A raw socket server on loopback that sends ``head`` and then one header byte a second
    (for ten seconds, so that a fetch without a total deadline fails the test rather than hangs
    it); yields its URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                connection.sendall(head)
                for _ in range(10):
                    if stop.wait(1.0):
                        break
                    connection.sendall(b"X")
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/rss.xml"
    finally:
        stop.set()
        listener.close()


def test_a_server_dribbling_headers_cannot_outlast_the_total_timeout() -> None:
    config = HttpConfig(total_timeout=2.0, retries=2, backoff_base=0.01, per_host_delay=0.0)
    with dribbling_server() as url, Fetcher(config) as fetcher:
        source = SourceConfig(name="slow", kind="feed", url=url, allow_private=True)
        started = time.monotonic()
        result = poll(source, None, fetcher=fetcher, now=NOW)
        took = time.monotonic() - started
    assert result.state.last_error == "slow: timed out after 2 s (total_timeout)"
    assert result.retryable is False  # a dribbling server dribbles again: no retry in this run
    assert took < config.total_timeout + 1.0


def test_retry_after_waits_count_against_the_total_timeout(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(b"", status=503, headers={"Retry-After": "3"})
    config = HttpConfig(total_timeout=1.0, retries=3, max_retry_after=10.0, per_host_delay=0.0)
    with Fetcher(config) as fetcher:
        started = time.monotonic()
        result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
        took = time.monotonic() - started
    assert result.state.last_error == "wire: timed out after 1 s (total_timeout) (a 3 s wait would pass it)"
    assert took < config.total_timeout + 1.0
    assert len(requests_to(httpserver, "/rss.xml")) == 1


def test_the_run_deadline_bounds_every_fetch_of_the_run() -> None:
    config = HttpConfig(total_timeout=30.0, run_deadline=1.5, retries=0, per_host_delay=0.0)
    with dribbling_server() as url, Fetcher(config) as fetcher:
        sources = [SourceConfig(name=f"slow{i}", kind="feed", url=url, allow_private=True) for i in range(2)]
        started = time.monotonic()
        first = poll(sources[0], None, fetcher=fetcher, now=NOW)
        second = poll(sources[1], None, fetcher=fetcher, now=NOW)
        took = time.monotonic() - started
    assert first.state.last_error == "slow0: timed out after the run deadline (run_deadline = 1.5 s)"
    assert second.state.last_error == "slow1: not fetched: the run deadline (run_deadline = 1.5 s) has passed"
    assert took < config.run_deadline + 1.0


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("http://169.254.169.254/latest/meta-data/", "blocked link to 169.254.169.254: 169.254.169.254 is a cloud metadata address" + ALLOW_PRIVATE_HINT),
        ("http://[2002:7f00:1::]/", "blocked link to 2002:7f00:1::: 2002:7f00:1:: embeds 127.0.0.1, a loopback address" + ALLOW_PRIVATE_HINT),
        ("http://10.0.0.7/admin", "blocked link to 10.0.0.7: 10.0.0.7 is a private address" + ALLOW_PRIVATE_HINT),
    ],
)
def test_a_source_redirecting_to_a_private_address_is_refused_before_connecting(
    httpserver: HTTPServer, target: str, error: str
) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(b"", status=302, headers={"Location": target})
    source = feed_source(httpserver, allow_private=False)
    with Fetcher(FAST, check_url=admitting(source.url or "")) as fetcher, recording_connections() as connects:
        result = poll(source, None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == f"wire: {error}"
    assert connects == [("127.0.0.1", httpserver.port)]  # the feed itself, never the target


def test_a_source_on_a_private_address_is_refused_unless_it_allows_private(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(b"internal secret", content_type="text/plain")
    with recording_connections() as connects:
        result = poll(feed_source(httpserver, allow_private=False), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == f"wire: blocked link to {httpserver.host}: 127.0.0.1 is a loopback address" + ALLOW_PRIVATE_HINT
    assert connects == []
    assert requests_to(httpserver, "/rss.xml") == []


def test_errors_never_quote_the_response(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/text.xml").respond_with_data(b'{"AccessKeyId": "ASIA-secret"}', content_type="application/json")
    httpserver.expect_request("/odd.xml").respond_with_response(Response(b"", status="499 AccessKeyId ASIA-secret"))
    results = [poll(feed_source(httpserver, path), None, fetcher=fetcher, now=NOW) for path in ("/text.xml", "/odd.xml")]
    assert [r.state.last_error for r in results] == [
        "wire: not a feed: not XML",
        "wire: HTTP 499 (non-standard status)",
    ]


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://[2002:a9fe:a9fe::]/", "2002:a9fe:a9fe:: embeds 169.254.169.254, a cloud metadata address" + ALLOW_PRIVATE_HINT),
        ("http://[2002:c0a8:101::1]/", "2002:c0a8:101::1 embeds 192.168.1.1, a private address" + ALLOW_PRIVATE_HINT),
        ("http://[64:ff9b::a00:1]/", "64:ff9b::a00:1 is a reserved address" + ALLOW_PRIVATE_HINT),
        ("http://[::127.0.0.1]/", "::7f00:1 is a reserved address" + ALLOW_PRIVATE_HINT),
        ("http://[::ffff:10.0.0.1]/", "10.0.0.1 is a private address" + ALLOW_PRIVATE_HINT),
        ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", "2001:0:4136:e378:8000:63bf:f5ff:fffe is a private address" + ALLOW_PRIVATE_HINT),
    ],
)
def test_ssrf_guard_refuses_ipv6_forms_embedding_private_ipv4(url: str, error: str) -> None:
    host = urlsplit(url).hostname
    with pytest.raises(FetchError) as caught:
        check_public_url(url)
    assert str(caught.value) == f"blocked link to {host}: {error}"


def test_embedded_ipv4_is_read_from_every_form() -> None:
    six_to_four = ipaddress.ip_address("2002:7f00:1::")
    nat64 = ipaddress.ip_address("64:ff9b::a9fe:a9fe")
    assert _embedded_ipv4(six_to_four) == [ipaddress.ip_address("127.0.0.1")]
    assert _embedded_ipv4(nat64) == [ipaddress.ip_address("169.254.169.254")]
    assert check_public_url("http://[2002:5db8:d822::1]/") == [ipaddress.ip_address("2002:5db8:d822::1")]  # 93.184.216.34


# --- very large feeds (issue 16) -----------------------------------------------------------------


def generated_feed(count: int, *, undated: frozenset[int] = frozenset()) -> bytes:
    """An RSS feed of ``count`` items, item i published i hours after 2019-01-01 (in an order
    mixed up on purpose), the ones in ``undated`` without a date."""
    order = sorted(range(count), key=lambda i: (i * 7919) % count)
    items = []
    for i in order:
        when = email.utils.format_datetime(dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=i))
        date = "" if i in undated else f"<pubDate>{when}</pubDate>"
        items.append(
            f"<item><guid>item-{i}</guid><title>Headline number {i}</title>{date}"
            f"<description>Body of item {i} for the wire.</description></item>"
        )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{"".join(items)}</channel></rss>'.encode()


def test_a_feed_over_max_items_keeps_the_newest_thousand(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(generated_feed(1200), content_type=RSS)
    result = poll(feed_source(httpserver), None, fetcher=fetcher, now=NOW)
    assert sorted(int(a.guid.split("-")[1]) for a in result.articles) == list(range(200, 1200))
    assert "wire: skipped 200 of 1,200 items, keeping the newest 1,000 (max_items)" in result.warnings
    assert result.state.items_seen == 1000


def test_max_items_ranks_undated_items_after_dated_ones_in_feed_order(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(generated_feed(6, undated=frozenset({2, 4})), content_type=RSS)
    result = poll(feed_source(httpserver, max_items=5), None, fetcher=fetcher, now=NOW)
    # feed order is 0, 5, 4, 3, 2, 1; dated newest first: 5, 3, 1, 0; then undated 4 (earlier in the feed)
    assert [a.guid for a in result.articles] == ["item-0", "item-5", "item-4", "item-3", "item-1"]
    assert result.warnings == ["wire: skipped 1 of 6 items, keeping the newest 5 (max_items)"]


# --- an injected transport (httpx.MockTransport): branches no loopback server reaches -----------
#
# Public addresses are written as IP literals, so the real SSRF guard checks them without DNS.
# No socket is opened: the transport answers in-process.

PUBLIC_FEED = "http://93.184.216.34/rss.xml"
VALIDATED_AT = "Thu, 07 Feb 2019 11:00:00 GMT"
Answer = Callable[[httpx.Request], httpx.Response]


def respond(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
    """A response as a transport delivers it: a stream with its Content-Length (``content=``
    would be read at once, and the fetcher reads the raw stream itself)."""
    sized = {"Content-Length": str(len(body)), **(headers or {})}
    return lambda request: httpx.Response(status, headers=sized, stream=httpx.ByteStream(body))


def raising(error: type[httpx.TransportError], message: str, cause: BaseException | None = None) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error(message, request=request) from cause

    return answer


def in_order(*answers: Answer) -> Answer:
    """The n-th request gets the n-th answer; the last answer repeats."""
    given = iter(answers)
    current = [answers[0]]

    def answer(request: httpx.Request) -> httpx.Response:
        current[0] = next(given, current[0])
        return current[0](request)

    return answer


def by_path(routes: dict[str, Answer]) -> Answer:
    return lambda request: routes.get(request.url.path, respond(404))(request)


@contextlib.contextmanager
def mocked(answer: Answer, config: HttpConfig = FAST) -> Iterator[tuple[Fetcher, list[str]]]:
    """A Fetcher over an httpx.MockTransport, and the URLs the transport was given, in order."""
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return answer(request)

    with Fetcher(config, transport=httpx.MockTransport(record)) as fetcher:
        yield fetcher, seen


def mock_source(url: str = PUBLIC_FEED, **options: object) -> SourceConfig:
    settings: dict[str, object] = {"full_text": "never", "max_age_days": None, **options}
    return SourceConfig(name="wire", kind="feed", url=url, **settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("http://169.254.169.254/latest/meta-data/", "blocked link to 169.254.169.254: 169.254.169.254 is a cloud metadata address" + ALLOW_PRIVATE_HINT),
        ("http://localhost/admin", "blocked link to localhost: 127.0.0.1 is a loopback address" + ALLOW_PRIVATE_HINT),
        ("http://10.0.0.7/admin", "blocked link to 10.0.0.7: 10.0.0.7 is a private address" + ALLOW_PRIVATE_HINT),
    ],
)
def test_an_injected_transport_never_sees_a_redirect_hop_the_guard_refuses(target: str, error: str) -> None:
    moved = "http://93.184.216.35/moved.xml"
    answers = {"/rss.xml": respond(302, headers={"Location": moved}),
               "/moved.xml": respond(302, headers={"Location": target})}  # fmt: skip
    with mocked(by_path(answers)) as (fetcher, seen):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == f"wire: {error}"
    assert seen == [PUBLIC_FEED, moved]  # the public hops only, never the refused one


def test_a_private_source_url_never_reaches_an_injected_transport() -> None:
    with mocked(respond(200, b"internal secret")) as (fetcher, seen):
        result = poll(mock_source("http://10.0.0.7/rss.xml"), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: blocked link to 10.0.0.7: 10.0.0.7 is a private address" + ALLOW_PRIVATE_HINT
    assert seen == []


def test_a_304_without_validators_keeps_the_ones_sent() -> None:
    previous = SourceState(name="wire", kind="feed", url=PUBLIC_FEED, etag='"v1"', last_modified=VALIDATED_AT)
    sent: list[tuple[str | None, str | None]] = []

    def not_modified(request: httpx.Request) -> httpx.Response:
        sent.append((request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")))
        return respond(304)(request)

    with mocked(not_modified) as (fetcher, _):
        result = poll(mock_source(), previous, fetcher=fetcher, now=NOW)
    assert sent == [('"v1"', VALIDATED_AT)]
    assert (result.state.last_status, result.state.etag, result.state.last_modified, result.articles) == (
        "not_modified", '"v1"', VALIDATED_AT, [],
    )  # fmt: skip


def test_a_200_without_validators_clears_the_old_ones() -> None:
    previous = SourceState(name="wire", kind="feed", url=PUBLIC_FEED, etag='"v1"', last_modified=VALIDATED_AT)
    with mocked(respond(200, fixture_bytes("feeds", "full_content.xml"))) as (fetcher, _):
        result = poll(mock_source(), previous, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, result.state.etag, result.state.last_modified) == ("ok", None, None)


def test_a_page_source_answering_304_returns_no_article() -> None:
    page = "http://93.184.216.34/politics/1001"
    previous = SourceState(name="tass", kind="page", url=page, etag='"p1"', items_seen=1)
    with mocked(by_path({"/robots.txt": respond(404), "/politics/1001": respond(304)})) as (fetcher, seen):
        result = poll(SourceConfig(name="tass", kind="page", url=page), previous, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, result.state.etag, result.state.items_seen, result.articles) == (
        "not_modified", '"p1"', 1, [],
    )  # fmt: skip
    assert seen == ["http://93.184.216.34/robots.txt", page]


def test_a_retry_after_http_date_in_the_past_retries_at_once() -> None:
    # the backoff (30 s and more) would pass the 5 s total_timeout: only the date lets it retry
    config = HttpConfig(total_timeout=5.0, retries=1, backoff_base=30.0, max_retry_after=60.0, per_host_delay=0.0)
    busy = respond(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    with mocked(in_order(busy, respond(200, fixture_bytes("feeds", "full_content.xml"))), config) as (fetcher, seen):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, [a.guid for a in result.articles]) == ("ok", ["wire-42"])
    assert seen == [PUBLIC_FEED, PUBLIC_FEED]


def test_a_retry_after_pause_holds_for_that_host_only() -> None:
    other_host = "http://93.184.216.35/rss.xml"
    answers = {"93.184.216.34": respond(429, headers={"Retry-After": "3600"}),
               "93.184.216.35": respond(200, fixture_bytes("feeds", "full_content.xml"))}  # fmt: skip
    with mocked(lambda request: answers[request.url.host](request)) as (fetcher, seen):
        results = [poll(mock_source(url), None, fetcher=fetcher, now=NOW) for url in (PUBLIC_FEED, other_host, PUBLIC_FEED)]
    assert [(r.state.last_status, r.state.last_error) for r in results] == [
        ("error", "wire: HTTP 429 Too Many Requests: Retry-After 3600 s is over the 5 s limit"),
        ("ok", None),
        ("error", "wire: HTTP 429 Too Many Requests: the host asked us to wait 3600 s (Retry-After)"),
    ]
    assert seen == [PUBLIC_FEED, other_host]


class _RecordingStream(httpx.SyncByteStream):
    """A body that notes whether anyone read it."""

    def __init__(self) -> None:
        self.read = False

    def __iter__(self) -> Iterator[bytes]:
        self.read = True
        yield b"<rss>"


def test_a_claimed_huge_content_length_is_refused_without_reading_the_body() -> None:
    body = _RecordingStream()
    huge = lambda request: httpx.Response(200, headers={"Content-Length": str(10**12)}, stream=body)  # noqa: E731
    with mocked(huge) as (fetcher, _):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: body over the 15 MiB cap (Content-Length 1,000,000,000,000 bytes)"
    assert body.read is False


class _SlowStream(httpx.SyncByteStream):
    """A body that sends one chunk every 0.4 s, for 20 s."""

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(50):
            time.sleep(0.4)
            yield b" "


def test_the_total_timeout_holds_for_a_body_an_injected_transport_dribbles() -> None:
    config = HttpConfig(total_timeout=1.0, retries=0, per_host_delay=0.0)
    with mocked(lambda request: httpx.Response(200, stream=_SlowStream()), config) as (fetcher, _):
        started = time.monotonic()
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
        took = time.monotonic() - started
    assert result.state.last_error == "wire: timed out after 1 s (total_timeout)"
    assert took < config.total_timeout + 1.0


def test_a_deflate_body_is_decoded() -> None:
    body = zlib.compress(fixture_bytes("feeds", "full_content.xml"))
    with mocked(respond(200, body, {"Content-Encoding": "deflate"})) as (fetcher, _):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert [a.item.headline for a in result.articles] == ["Kremlin comments on talks"]


def test_a_corrupt_gzip_body_is_a_clear_error() -> None:
    with mocked(respond(200, b"not gzip at all", {"Content-Encoding": "gzip"})) as (fetcher, _):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: bad gzip body: Error -3 while decompressing data: incorrect header check"


def test_an_unsupported_content_encoding_is_refused() -> None:
    with mocked(respond(200, b"\x1b\x00", {"Content-Encoding": "br"})) as (fetcher, _):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: unsupported Content-Encoding: br"


def test_a_redirect_without_a_location_is_an_error() -> None:
    with mocked(respond(302)) as (fetcher, _):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "wire: HTTP 302 Found without a usable Location"


def test_a_connect_timeout_is_retried() -> None:
    answer = in_order(raising(httpx.ConnectTimeout, "timed out"), respond(200, fixture_bytes("feeds", "full_content.xml")))
    with mocked(answer) as (fetcher, seen):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, len(seen)) == ("ok", 2)


@pytest.mark.parametrize(
    ("failure", "error", "retryable", "attempts"),
    [
        (raising(httpx.ConnectTimeout, "timed out"), "connect timeout after 1 s (after 3 attempts)", True, 3),
        (raising(httpx.RemoteProtocolError, "Server disconnected without sending a response."),
         "connection failed: Server disconnected without sending a response. (after 3 attempts)", True, 3),
        (raising(httpx.ConnectError, "[Errno -2] Name or service not known", socket.gaierror(-2, "Name or service not known")),
         "cannot resolve wire.example: [Errno -2] Name or service not known", False, 1),
        (raising(httpx.LocalProtocolError, "Illegal header value b'\\n'"),
         "LocalProtocolError: Illegal header value b'\\n'", False, 1),
    ],
    ids=["connect-timeout", "dropped-connection", "dns-failure", "other-transport-error"],
)  # fmt: skip
def test_a_transport_failure_is_retried_only_when_a_later_attempt_may_cure_it(
    failure: Answer, error: str, retryable: bool, attempts: int
) -> None:
    source = mock_source("http://wire.example/rss.xml", allow_private=True)  # no guard, so no lookup of ours
    with mocked(failure) as (fetcher, seen):
        result = poll(source, None, fetcher=fetcher, now=NOW)
    assert (result.state.last_error, result.retryable, len(seen)) == (f"wire: {error}", retryable, attempts)


def test_a_bug_below_a_poll_costs_that_source_only() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("boom")

    with mocked(broken) as (fetcher, _):
        result = poll(mock_source(), None, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, result.state.last_error, result.retryable) == (
        "error", "wire: internal error: RuntimeError: boom", False,
    )  # fmt: skip


def test_robots_txt_answering_429_disallows_the_host() -> None:
    page = "http://93.184.216.34/a"
    with mocked(by_path({"/robots.txt": respond(429), "/a": respond(200, b"<html></html>")})) as (fetcher, seen):
        result = poll(SourceConfig(name="tass", kind="page", url=page), None, fetcher=fetcher, now=NOW)
    assert result.state.last_error == "tass: disallowed by robots.txt (unreachable: HTTP 429 Too Many Requests): /a"
    assert seen == ["http://93.184.216.34/robots.txt"]


def test_robots_txt_beyond_its_first_512_kib_is_ignored() -> None:
    page = "http://93.184.216.34/politics/1001"
    robots = b"User-agent: *\n#" + b"x" * (512 * 1024) + b"\nDisallow: /\n"
    answers = {"/robots.txt": respond(200, robots),
               "/politics/1001": respond(200, fixture_bytes("pages", "tass_article.html"))}  # fmt: skip
    with mocked(by_path(answers)) as (fetcher, seen):
        result = poll(SourceConfig(name="tass", kind="page", url=page), None, fetcher=fetcher, now=NOW)
    assert (result.state.last_status, len(result.articles)) == ("ok", 1)
    assert seen == ["http://93.184.216.34/robots.txt", page]


def test_an_empty_article_page_keeps_the_feed_summary() -> None:
    feed = fixture_bytes("feeds", "tass_summary.xml", base="http://93.184.216.34")
    answers = {"/rss.xml": respond(200, feed), "/robots.txt": respond(404), "/politics/1001": respond(200, b""),
               "/economy/1002": respond(200, b"")}  # fmt: skip
    with mocked(by_path(answers)) as (fetcher, _):
        result = poll(mock_source(full_text="auto", max_age_days=7.0), None, fetcher=fetcher, now=NOW)
    assert [a.item.paragraphs for a in result.articles] == [
        ("The meeting will be chaired by the Security Council secretary",),
        ("Icebreakers will escort cargo ships along the Northern Sea Route",),
    ]
    assert result.warnings == [
        "wire: skipped 1 item published before 2019-01-31 12:00 UTC (max_age_days = 7, first poll)",
        "wire: http://93.184.216.34/politics/1001: kept the feed summary: empty page",
        "wire: http://93.184.216.34/economy/1002: kept the feed summary: empty page",
    ]
