"""WebSub (W3C Recommendation, 2018) as plain functions: hub discovery, signatures, and what to do
about each subscription. No sockets: ``wirewatch.run.push`` does the requests and serves the callback.

A feed that advertises a hub (a ``Link: <...>; rel="hub"`` header, else an Atom ``<link
rel="hub">`` at the top of the feed, as RSS carries it too) gets a subscription: a callback URL of
its own (``callback_url`` + ``/`` + a random token, so a notification names its subscription and
an unknown one is refused before its body is read), a secret of its own for the HMAC signature
(``X-Hub-Signature: sha256=...``), and a lease renewed before it ends. ``plan`` decides, for every
configured source and every stored subscription, what is due: discover, subscribe, renew,
unsubscribe, forget. ``verification`` answers a hub's intent verification (only for what we asked).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

from wirewatch.config import SourceConfig, WebSubConfig

ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
ATOM = "http://www.w3.org/2005/Atom"
MAX_LINK_HEADER = 8192  # characters of Link headers looked at: a hub and a self link fit many times over
MAX_CHALLENGE = 512  # a hub's challenge is a token, not a document
MAX_GRANTED_LEASE = 365 * 86400  # a hub granting more is taken as granting this
VERIFY_WAIT = dt.timedelta(minutes=5)  # a request the hub has not verified by then is asked again
REDISCOVER = dt.timedelta(days=1)  # a feed without a hub (or whose hub refused) is looked at again
RETRY_CAP = dt.timedelta(hours=6)  # the longest wait between attempts at a failing hub
RENEW_SHARE = 0.1  # a lease is renewed when this share of it is left (at least RENEW_MIN)
RENEW_MIN = dt.timedelta(seconds=30)

# ``<url>; rel="hub"; ...`` entries of a Link header; linear (no nested repetition).
_LINK = re.compile(r'<([^>]*)>([^<]*)')
_REL = re.compile(r';\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Discovery:
    hubs: tuple[str, ...]
    topic: str | None  # the feed's rel="self", else None (the feed URL is then the topic)


@dataclass(frozen=True, slots=True)
class Subscription:
    """One source's subscription as stored. ``state``: ``requested`` (asked, not yet verified),
    ``active`` (verified, lease running), ``unsubscribing`` (asked to end), ``denied`` (the hub
    refused), ``nohub`` (the feed advertises none; ``checked_at`` says when it was looked at)."""

    source: str
    feed_url: str  # the source's URL when subscribed: a changed URL ends the subscription
    state: str
    topic: str | None = None
    hub: str | None = None
    token: str | None = None  # the last part of the callback URL
    secret: str | None = None  # hub.secret, for the HMAC of every notification
    lease_seconds: int | None = None  # as the hub granted it
    requested_at: dt.datetime | None = None
    verified_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    checked_at: dt.datetime | None = None  # last discovery
    attempts: int = 0  # requests since the last verification (for the retry back-off)
    last_error: str | None = None
    pushes: int = 0  # notifications stored


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # discover | subscribe | renew | unsubscribe | forget
    source: str
    subscription: Subscription | None = None
    feed: SourceConfig | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to an intent verification, and the subscription as it is after it (None: forget
    it; ``subscription`` unchanged: nothing to store)."""

    status: int
    body: str
    subscription: Subscription | None


# ---------------------------------------------------------------------------------------------
# Discovery


def link_header_rels(values: Iterable[str], base: str) -> list[tuple[str, set[str]]]:
    """``(absolute URL, rels)`` of each entry of the ``Link`` header values (RFC 8288)."""
    text = ",".join(values)[:MAX_LINK_HEADER]
    found = []
    for url, params in _LINK.findall(text):
        rels = {r.lower() for match in _REL.finditer(params) for r in (match.group(1) or match.group(2)).split()}
        if rels:
            found.append((urljoin(base, url.strip()), rels))
    return found


def discover(content: bytes, link_headers: Sequence[str], url: str) -> Discovery:
    """The hubs and the topic a feed at ``url`` advertises: its ``Link`` headers when they name a
    hub, else the ``<link rel="hub">`` / ``rel="self"`` children of its Atom feed element or RSS
    channel. Relative links are taken from ``url``. Nothing found: no hubs."""
    links = link_header_rels(link_headers, url)
    hubs = tuple(dict.fromkeys(u for u, rels in links if "hub" in rels))
    if hubs:
        topic = next((u for u, rels in links if "self" in rels), None)
        return Discovery(hubs, topic)
    return _document_links(content, url)


def _document_links(content: bytes, url: str) -> Discovery:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError):
        return Discovery((), None)
    if root is None:
        return Discovery((), None)
    parent = root.find("channel") if root.tag == "rss" else root
    if parent is None:
        return Discovery((), None)
    hubs, topic = [], None
    for link in parent:
        if link.tag not in (f"{{{ATOM}}}link", "link") or not link.get("href"):
            continue
        rels = set((link.get("rel") or "").lower().split())
        href = urljoin(url, link.get("href").strip())
        if "hub" in rels:
            hubs.append(href)
        if "self" in rels and topic is None:
            topic = href
    return Discovery(tuple(dict.fromkeys(hubs)), topic)


# ---------------------------------------------------------------------------------------------
# Signatures


def signature(body: bytes, secret: str, method: str = "sha256") -> str:
    """The ``X-Hub-Signature`` value a hub sends for ``body``: ``method=hexdigest``."""
    return f"{method}={hmac.new(secret.encode(), body, ALGORITHMS[method]).hexdigest()}"


def signature_valid(header: str | None, secret: str, body: bytes) -> bool:
    """Whether ``header`` (``sha1|sha256|sha384|sha512=hex``) is the HMAC of ``body`` under
    ``secret``, compared in constant time. No header, or another method: not valid."""
    if not header:
        return False
    method, _, given = header.strip().partition("=")
    digest = ALGORITHMS.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode("ascii", "replace"))


def new_credentials() -> tuple[str, str]:
    """A fresh (token, secret): the token names the callback URL, the secret signs its pushes."""
    return secrets.token_urlsafe(18), secrets.token_urlsafe(32)


def callback_for(websub: WebSubConfig, token: str) -> str:
    return f"{websub.callback_url.rstrip('/')}/{token}"


# ---------------------------------------------------------------------------------------------
# Decisions


def renew_at(subscription: Subscription) -> dt.datetime | None:
    """When an active lease is renewed: RENEW_SHARE of it before it ends (at least RENEW_MIN, at
    most half the lease before)."""
    if subscription.expires_at is None or subscription.lease_seconds is None:
        return None
    lease = dt.timedelta(seconds=subscription.lease_seconds)
    margin = min(max(lease * RENEW_SHARE, RENEW_MIN), lease / 2)
    return subscription.expires_at - margin


def retry_wait(attempts: int) -> dt.timedelta:
    """The wait before asking a hub again after ``attempts`` unanswered requests."""
    return min(VERIFY_WAIT * 2 ** max(attempts - 1, 0), RETRY_CAP)


def rediscover_wait(sub: Subscription) -> dt.timedelta:
    """How long a feed without a usable hub waits to be looked at again: REDISCOVER when it was
    read and named none (or the hub refused), less after a failed fetch, backing off."""
    if sub.state == "nohub" and sub.last_error is not None and sub.attempts:
        return retry_wait(sub.attempts)
    return REDISCOVER


def plan(sources: Iterable[SourceConfig], subscriptions: Mapping[str, Subscription], now: dt.datetime) -> list[Action]:
    """What is due at ``now``: for each enabled feed source, discovery (never looked at, or no hub
    for REDISCOVER), a subscription (discovered or retried), a renewal (lease nearly over); for a
    subscription whose source is gone, disabled or has another URL now, an unsubscription (or
    forgetting it, when nothing is subscribed or the hub never confirmed the unsubscription)."""
    feeds = {s.name: s for s in sources if s.kind == "feed" and s.enabled and s.url}
    actions = []
    for name, sub in subscriptions.items():
        feed = feeds.get(name)
        if feed is not None and feed.url == sub.feed_url and sub.state != "unsubscribing":
            continue
        if sub.state in ("active", "requested"):
            actions.append(Action("unsubscribe", name, sub))
        elif sub.state != "unsubscribing" or _waited(sub.requested_at, now, VERIFY_WAIT):
            actions.append(Action("forget", name, sub))
    for name, feed in feeds.items():
        sub = subscriptions.get(name)
        if sub is not None and sub.feed_url != feed.url:
            continue  # ended above first; discovered again once forgotten
        if sub is None or (sub.state in ("nohub", "denied") and _waited(sub.checked_at, now, rediscover_wait(sub))):
            actions.append(Action("discover", name, sub, feed))
        elif sub.state == "requested" and _waited(sub.requested_at, now, retry_wait(sub.attempts)):
            actions.append(Action("subscribe", name, sub, feed))
        elif sub.state == "active" and (due := renew_at(sub)) is not None and now >= due:
            actions.append(Action("renew", name, sub, feed))
    return actions


def _waited(since: dt.datetime | None, now: dt.datetime, wait: dt.timedelta) -> bool:
    return since is None or now - since >= wait


def requested(sub: Subscription, *, now: dt.datetime) -> Subscription:
    """``sub`` once a (re)subscription is asked of its hub: waiting for the hub's verification.
    A renewal keeps the lease running (and its pushes accepted) meanwhile."""
    state = "active" if sub.state == "active" else "requested"
    return dataclasses.replace(sub, state=state, requested_at=now, attempts=sub.attempts + 1)


def verification(query: Mapping[str, str], sub: Subscription | None, *, now: dt.datetime) -> Verdict:
    """The answer to a hub's GET on a callback: the challenge echoed (200) when it confirms what
    we asked of this subscription's hub for its topic (subscribe while requested or renewing,
    unsubscribe while unsubscribing), 200 for a denial of a request we made, else 404."""
    mode, topic, challenge = query.get("hub.mode"), query.get("hub.topic"), query.get("hub.challenge", "")
    if sub is None or sub.state in ("nohub",) or topic != sub.topic:
        return Verdict(404, "unknown subscription", sub)
    if mode == "denied" and sub.state in ("requested", "active"):
        reason = " ".join(query.get("hub.reason", "").split())[:200] or None
        return Verdict(200, "", dataclasses.replace(sub, state="denied", checked_at=now, last_error=reason))
    if not challenge or len(challenge) > MAX_CHALLENGE:
        return Verdict(404, "no usable hub.challenge", sub)
    if mode == "subscribe" and sub.state in ("requested", "active"):
        try:
            lease = int(query.get("hub.lease_seconds", ""))
        except ValueError:
            return Verdict(404, "hub.lease_seconds: required", sub)
        lease = min(max(lease, 1), MAX_GRANTED_LEASE)
        active = dataclasses.replace(sub, state="active", lease_seconds=lease, verified_at=now,
                                     expires_at=now + dt.timedelta(seconds=lease), attempts=0, last_error=None)  # fmt: skip
        return Verdict(200, challenge, active)
    if mode == "unsubscribe" and sub.state == "unsubscribing":
        return Verdict(200, challenge, None)
    return Verdict(404, "not requested", sub)


def accepts_pushes(sub: Subscription | None, now: dt.datetime) -> bool:
    """Whether notifications for ``sub`` are taken: verified and its lease not over (a renewal in
    flight keeps it so)."""
    return sub is not None and sub.state == "active" and sub.expires_at is not None and now < sub.expires_at


def with_safety_cadence(sources: Sequence[SourceConfig], pushed: Iterable[str], every: float) -> tuple[SourceConfig, ...]:
    """The sources with those in ``pushed`` (an active subscription) polled at most every
    ``every`` seconds: a safety poll catches a lost notification."""
    names = set(pushed)
    return tuple(
        dataclasses.replace(s, poll_every=max(s.poll_every, every), poll_every_max=max(s.poll_every_max or 0.0, every))
        if s.name in names else s
        for s in sources
    )  # fmt: skip


class RateLimit:
    """A token bucket per key: ``per_minute`` sustained, bursts of up to that many. Thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self.rate, self.burst, self.clock, self.max_keys = per_minute / 60.0, float(per_minute), clock, max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if len(self._buckets) >= self.max_keys and key not in self._buckets:
                self._buckets.clear()  # keys are our own tokens; this only bounds memory
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            return True
