"""WebSub's decisions (wirewatch.sources.websub): discovery, signatures, the plan, intent verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from wirewatch.config import SourceConfig
from wirewatch.sources.websub import (
    Action,
    RateLimit,
    Subscription,
    accepts_pushes,
    discover,
    plan,
    renew_at,
    signature,
    signature_valid,
    verification,
    with_safety_cadence,
)

NOW = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.timezone.utc)
FEED = "https://wire.example/feed.xml"
HUB = "https://hub.example/"


def atom(links: str) -> bytes:
    return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{links}'
            '<entry><link rel="hub" href="https://not-the-feeds-hub.example/"/></entry></feed>').encode()  # fmt: skip


def test_discovery_from_link_headers_comes_first():
    found = discover(atom('<link rel="hub" href="https://body.example/"/>'),
                     ['<https://hub.example/>; rel="hub", </feed.xml?x=1>; rel="self"'], FEED)  # fmt: skip
    assert (found.hubs, found.topic) == (("https://hub.example/",), "https://wire.example/feed.xml?x=1")


def test_discovery_from_an_atom_feed_and_an_rss_channel():
    found = discover(atom(f'<link rel="self" href="{FEED}"/><link rel="hub" href="/hub"/>'), [], FEED)
    assert (found.hubs, found.topic) == (("https://wire.example/hub",), FEED)
    rss = (b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>'
           b'<atom:link rel="hub" href="https://pubsubhubbub.appspot.com/"/><item><title>x</title></item></channel></rss>')  # fmt: skip
    assert discover(rss, [""], FEED).hubs == ("https://pubsubhubbub.appspot.com/",)


@pytest.mark.parametrize("content", [b"", b"not xml at all", b"<html><body>no feed</body></html>",
                                     b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><feed>&e;</feed>'])  # fmt: skip
def test_discovery_of_a_feed_without_a_hub_finds_none(content):
    assert discover(content, [], FEED).hubs == ()


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_every_signature_method_of_the_recommendation_is_checked(method):
    body = b"<feed>pushed</feed>"
    expected = hmac.new(b"s3cret", body, getattr(hashlib, method)).hexdigest()
    assert signature(body, "s3cret", method) == f"{method}={expected}"
    assert signature_valid(f"{method}={expected}", "s3cret", body)
    assert signature_valid(f"{method.upper()}={expected.upper()}", "s3cret", body)
    assert not signature_valid(f"{method}={expected}", "other", body)
    assert not signature_valid(f"{method}={expected}", "s3cret", body + b" ")


@pytest.mark.parametrize("header", [None, "", "sha256", "md5=" + hashlib.md5(b"x").hexdigest(), "sha256=zz", "sha256=é"])
def test_a_missing_or_unusable_signature_is_not_valid(header):
    assert not signature_valid(header, "s3cret", b"x")


def feed(name: str = "wire", url: str = FEED, **options) -> SourceConfig:
    return SourceConfig(name=name, kind="feed", url=url, **options)


def active(name: str = "wire", lease: int = 3600, verified: dt.datetime = NOW, **options) -> Subscription:
    return Subscription(name, FEED, "active", topic=FEED, hub=HUB, token="tok", secret="sec", lease_seconds=lease,
                        verified_at=verified, expires_at=verified + dt.timedelta(seconds=lease), **options)  # fmt: skip


def test_plan_discovers_new_feeds_only():
    sources = [feed(), SourceConfig("page", "page", url=FEED), feed("off", enabled=False)]
    assert plan(sources, {}, NOW) == [Action("discover", "wire", None, sources[0])]


def test_plan_renews_a_lease_before_it_ends():
    sub = active(lease=3600)
    assert renew_at(sub) == NOW + dt.timedelta(seconds=3240)
    assert plan([feed()], {"wire": sub}, NOW + dt.timedelta(seconds=3239)) == []
    assert plan([feed()], {"wire": sub}, NOW + dt.timedelta(seconds=3240)) == [Action("renew", "wire", sub, feed())]
    short = active(lease=10)
    assert renew_at(short) == NOW + dt.timedelta(seconds=5)  # never later than half the lease


def test_plan_unsubscribes_removed_disabled_and_moved_feeds_and_forgets_what_holds_nothing():
    subs = {"gone": active("gone"), "off": active("off"), "moved": active("moved"),
            "nohub": Subscription("nohub", FEED, "nohub", checked_at=NOW)}  # fmt: skip
    sources = [feed("off", enabled=False), feed("moved", url="https://wire.example/other.xml")]
    assert sorted((a.kind, a.source) for a in plan(sources, subs, NOW)) == [
        ("forget", "nohub"), ("unsubscribe", "gone"), ("unsubscribe", "moved"), ("unsubscribe", "off")]
    waiting = {"gone": Subscription("gone", FEED, "unsubscribing", requested_at=NOW)}
    assert plan([], waiting, NOW + dt.timedelta(minutes=4)) == []
    assert [a.kind for a in plan([], waiting, NOW + dt.timedelta(minutes=5))] == ["forget"]


def test_plan_retries_an_unverified_request_backing_off_and_rediscovers_daily():
    asked = Subscription("wire", FEED, "requested", topic=FEED, hub=HUB, token="t", secret="s", requested_at=NOW, attempts=3)
    assert plan([feed()], {"wire": asked}, NOW + dt.timedelta(minutes=19)) == []
    assert [a.kind for a in plan([feed()], {"wire": asked}, NOW + dt.timedelta(minutes=20))] == ["subscribe"]
    unread = {"wire": Subscription("wire", FEED, "nohub", checked_at=NOW, attempts=2, last_error="wire: discovery: HTTP 503")}
    assert plan([feed()], unread, NOW + dt.timedelta(minutes=9)) == []
    assert [a.kind for a in plan([feed()], unread, NOW + dt.timedelta(minutes=10))] == ["discover"]
    none = {"wire": Subscription("wire", FEED, "nohub", checked_at=NOW)}
    assert plan([feed()], none, NOW + dt.timedelta(hours=23)) == []
    assert [a.kind for a in plan([feed()], none, NOW + dt.timedelta(hours=24))] == ["discover"]


def requested() -> Subscription:
    return Subscription("wire", FEED, "requested", topic=FEED, hub=HUB, token="t", secret="s", requested_at=NOW)


def test_verification_echoes_the_challenge_only_for_what_was_asked():
    query = {"hub.mode": "subscribe", "hub.topic": FEED, "hub.challenge": "c-123", "hub.lease_seconds": "600"}
    verdict = verification(query, requested(), now=NOW)
    assert (verdict.status, verdict.body, verdict.subscription.state) == (200, "c-123", "active")
    assert verdict.subscription.expires_at == NOW + dt.timedelta(seconds=600)
    assert verification({**query, "hub.topic": FEED + "?other"}, requested(), now=NOW).status == 404
    assert verification(query, None, now=NOW).status == 404
    assert verification({**query, "hub.mode": "unsubscribe"}, requested(), now=NOW).status == 404
    assert verification({k: v for k, v in query.items() if k != "hub.lease_seconds"}, requested(), now=NOW).status == 404
    assert verification({**query, "hub.challenge": "x" * 513}, requested(), now=NOW).status == 404


def test_unsubscription_and_denial_are_confirmed_for_our_own_requests():
    ending = Subscription("wire", FEED, "unsubscribing", topic=FEED, hub=HUB, token="t", secret="s", requested_at=NOW)
    query = {"hub.mode": "unsubscribe", "hub.topic": FEED, "hub.challenge": "bye"}
    assert (verification(query, ending, now=NOW).status, verification(query, ending, now=NOW).subscription) == (200, None)
    denied = verification({"hub.mode": "denied", "hub.topic": FEED, "hub.reason": "no  thanks"}, requested(), now=NOW)
    assert (denied.status, denied.subscription.state, denied.subscription.last_error) == (200, "denied", "no thanks")


def test_pushes_are_taken_only_within_a_verified_lease():
    assert accepts_pushes(active(), NOW)
    assert not accepts_pushes(active(), NOW + dt.timedelta(seconds=3600))
    assert not accepts_pushes(requested(), NOW)
    assert not accepts_pushes(None, NOW)


def test_pushed_feeds_are_polled_at_the_safety_cadence():
    sources = (feed("wire"), feed("other", url="https://other.example/feed.xml"))
    slowed = with_safety_cadence(sources, {"wire"}, 900.0)
    assert [(s.name, s.poll_every, s.poll_every_max) for s in slowed] == [("wire", 900.0, 900.0), ("other", 60.0, None)]


def test_the_rate_limit_allows_bursts_then_the_sustained_rate():
    clock = [0.0]
    limit = RateLimit(3, clock=lambda: clock[0])
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")
    clock[0] = 20.0  # one token back per 20 s at 3 a minute
    assert [limit.allow("a") for _ in range(2)] == [True, False]


def test_the_websub_table_is_checked_and_optional(tmp_path):
    from wirewatch.config import load_config
    from wirewatch.errors import ConfigError

    config = tmp_path / "wirewatch.toml"
    config.write_text('db = "a.duckdb"\n', encoding="utf-8")
    assert load_config(config).websub is None
    config.write_text('[websub]\ncallback_url = "https://monitor.example.org/websub/"\n', encoding="utf-8")
    websub = load_config(config).websub
    assert (websub.host, websub.port, websub.callback_path, websub.safety_poll_every) == ("127.0.0.1", 8765, "/websub", 900.0)
    for table, message in [
        ('listen = "1.2.3.4"', 'wirewatch.toml: websub.callback_url: required in a [websub] table'),
        ('callback_url = "ftp://x/"', "wirewatch.toml: websub.callback_url: not an http(s) URL without a query: 'ftp://x/'"),
        ('callback_url = "https://x/"\nlisten = "localhost"', 'wirewatch.toml: websub.listen: expected host:port such as "127.0.0.1:8765", got \'localhost\''),
        ('callback_url = "https://x/"\nqueue = 0', "wirewatch.toml: websub.queue: must be from 1 to 10,000, got 0"),
        ('callback_url = "https://x/"\nsecret = "x"', "wirewatch.toml: websub.secret: unknown setting"),
    ]:  # fmt: skip
        config.write_text(f"[websub]\n{table}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as raised:
            load_config(config)
        assert str(raised.value).startswith(message)
