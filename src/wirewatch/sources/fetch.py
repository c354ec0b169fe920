"""HTTP for wirewatch: polite, conditional, bounded fetching (the transport under source polls).

One ``Fetcher`` per run holds one httpx.Client, a gate per host (at most ``per_host_concurrency``
requests in flight, ``per_host_delay`` seconds between request starts, a server's Retry-After
applied to every later request to that host) and a robots.txt cache. ``Fetcher.get`` raises
FetchError with a one-line reason; ``wirewatch.sources.poll`` turns that into a source's failed poll.

``total_timeout`` bounds a whole ``get`` (connecting, headers, body, redirects, retries and their
sleeps) from its first turn at the host: every socket operation waits at most until that
deadline, so a server that dribbles a byte a second cannot stretch it. Time queued behind the
host's gate before that turn is not the page's fault and does not count; ``run_deadline`` bounds
it, and every fetch of one Fetcher (one run).

The SSRF guard checks the source's URL, every article link and every redirect hop (unless the
source sets ``allow_private``): it resolves the host and refuses non-public addresses, IPv6 forms
embedding one included, before connecting. A DNS answer that changes between that check and the
connection (DNS rebinding) is not caught. The guard, the host gates and robots.txt sit above the
httpx transport, so they hold for any transport given to the Fetcher (tests give it
``httpx.MockTransport``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http
import ipaddress
import random
import socket
import threading
import time
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from wirewatch import __version__
from wirewatch.config import HttpConfig
from wirewatch.errors import FetchError

DEFAULT_USER_AGENT = f"wirewatch/{__version__} (news-wire monitor; python-httpx/{httpx.__version__})"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_POOL_LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=16)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB, ignore the rest
# Cloud metadata services; link-local already covers 169.254.169.254 but these deserve a name.
_METADATA = frozenset(map(ipaddress.ip_address, ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")))
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# The setting that admits such an address, named where the guard refuses one.
ALLOW_PRIVATE_HINT = " (to allow it: allow_private = true in the source, or at the top of the config for every source)"


class _Retryable(FetchError):
    """A transport failure worth another attempt (timeouts, refused or reset connections)."""


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int  # 2xx, or 304 for a conditional GET that found nothing new
    headers: Mapping[str, str]  # lower-case names
    content: bytes  # decoded from gzip/deflate; empty for 304


# ---------------------------------------------------------------------------------------------
# Address checks.


def check_public_url(url: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The public addresses a link's host is or resolves to. Refuses (FetchError) a link that is
    not http(s), or whose host is or resolves to any loopback, private, link-local, metadata or
    otherwise non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"blocked link {short_url(url)}: scheme {parts.scheme or '(none)'!r} is not http(s)")
    host = parts.hostname
    if not host:
        raise FetchError(f"blocked link {short_url(url)}: no host")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, ValueError) as error:
            why = f"[Errno {error.errno}] {error.strerror}" if isinstance(error, socket.gaierror) else str(error)
            raise FetchError(f"cannot resolve {host}: {why}") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    addresses = [a.ipv4_mapped if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped else a for a in addresses]
    for address in addresses:
        reason = _non_public(address)
        if reason:
            raise FetchError(f"blocked link to {host}: {address} is a {reason} address{ALLOW_PRIVATE_HINT}")
        for embedded in _embedded_ipv4(address):
            reason = _non_public(embedded)
            if reason:
                raise FetchError(f"blocked link to {host}: {address} embeds {embedded}, a {reason} address{ALLOW_PRIVATE_HINT}")
    return list(dict.fromkeys(addresses))


def _embedded_ipv4(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries and a gateway may route to: IPv4-mapped and
    -compatible, 6to4 (2002::/16), Teredo (server and client) and NAT64 (64:ff9b::/96)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in _IPV4_COMPATIBLE or any(address in network for network in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in found if a is not None]


def _non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    for reason, hit in (
        ("cloud metadata", address in _METADATA),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    ):
        if hit:
            return reason
    return None


def short_url(url: str, limit: int = 120) -> str:
    """A URL cut to ``limit`` characters, for one-line messages."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Deadlines: each thread's current fetch has one, and every wait checks it.


@dataclass(frozen=True, slots=True)
class _Deadline:
    end: float  # time.monotonic()
    reason: str  # why the fetch stops there, as the end of "timed out after ..."

    def left(self) -> float:
        """Seconds before the deadline; raises the timeout once it has passed."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise _DeadlinePassed(f"timed out after {self.reason}")
        return left


class _DeadlinePassed(FetchError):
    """The fetch's total_timeout (or the run's deadline) passed; raised by every wait."""


@dataclass(slots=True)
class _Clock:
    """The limits of one ``get``: the run's deadline from the start, ``total_timeout`` from the
    first request's turn at its host, so that time queued behind the per-host gate (other
    fetches to that host, per_host_delay) counts against the run's deadline only."""

    run: _Deadline
    total: float
    total_reason: str
    fetch: _Deadline | None = None  # set at the first turn

    def start(self) -> None:
        if self.fetch is None:
            self.fetch = _Deadline(time.monotonic() + self.total, self.total_reason)

    def deadline(self) -> _Deadline:
        return self.run if self.fetch is None or self.run.end <= self.fetch.end else self.fetch


_current = threading.local()


def _deadline() -> _Deadline | None:
    clock = getattr(_current, "clock", None)
    return clock.deadline() if clock is not None else None


def _start_clock() -> None:
    clock = getattr(_current, "clock", None)
    if clock is not None:
        clock.start()


def _bounded(timeout: float | None) -> float | None:
    """A socket timeout shortened to what is left of the calling thread's deadline."""
    deadline = _deadline()
    if deadline is None:
        return timeout
    try:
        left = deadline.left()
    except _DeadlinePassed:
        raise httpcore.ReadTimeout("deadline passed") from None
    return left if timeout is None else min(timeout, left)


def _sleep(seconds: float) -> None:
    """Sleep, unless the deadline comes first: then fail at once rather than wake up too late."""
    deadline = _deadline()
    if deadline is not None and seconds >= deadline.left():
        raise _DeadlinePassed(f"timed out after {deadline.reason} (a {seconds:.0f} s wait would pass it)")
    time.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits at most until the thread's deadline, so a
    peer sending one byte at a time cannot extend a request past it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: object, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))  # type: ignore[arg-type]

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options: object = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _bounded(timeout), local_address, socket_options))  # type: ignore[arg-type]

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: object = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))  # type: ignore[arg-type]

    def sleep(self, seconds: float) -> None:
        _sleep(seconds)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport with its sockets bounded by the calling thread's deadline."""

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        pool = self._pool
        pool._network_backend = _DeadlineBackend(pool._network_backend)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# Per-host politeness.


class _HostGate:
    """At most ``concurrency`` requests in flight to one host and ``delay`` seconds between the
    starts of two requests; a Retry-After pushes the next start back for every caller."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._lock = threading.Lock()
        self._next_start = 0.0
        self.delay = delay
        self.closed_until = 0.0  # the host asked for a pause longer than we wait
        self.closed_reason = ""

    @contextmanager
    def turn(self) -> Iterator[None]:
        deadline = _deadline()
        if not self._slots.acquire(timeout=deadline.left() if deadline else None):
            clock = getattr(_current, "clock", None)
            sent = clock is not None and clock.fetch is not None  # a retry: the first request went out
            raise _DeadlinePassed(
                f"timed out after {deadline.reason if deadline else ''} (queued for a turn at the host"
                f"{'' if sent else ', never requested'})"
            )
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self.delay
            if start > now:
                _sleep(start - now)
            _start_clock()
            yield
        finally:
            self._slots.release()

    def defer(self, seconds: float) -> None:
        with self._lock:
            self._next_start = max(self._next_start, time.monotonic() + seconds)


@dataclass(slots=True)
class _RobotsEntry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    rules: urllib.robotparser.RobotFileParser | None = None
    note: str = ""  # why everything is disallowed, when robots.txt could not be read


# ---------------------------------------------------------------------------------------------
# The fetcher.


class Fetcher:
    """Thread-safe HTTP fetching with conditional GET, retries, caps and per-host politeness.
    ``total_timeout`` bounds each ``get`` as a whole (redirects, retries and waits included);
    ``run_deadline`` bounds all of them, counted from the Fetcher's creation. Use one per run,
    as a context manager (or call ``close``). ``check_url`` is the SSRF guard (a callable that
    raises FetchError for a URL it refuses), injectable so tests can admit their loopback server.
    ``transport`` is the httpx transport requests go through (as in httpx's own tests, an
    ``httpx.MockTransport`` reaches branches no loopback server can); the default bounds every
    socket wait by the deadline. Any transport only ever sees URLs the guard, the host gate and
    robots.txt have let through: each redirect hop is checked before it is handed on."""

    def __init__(
        self,
        http: HttpConfig | None = None,
        *,
        check_url: Callable[[str], object] = check_public_url,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = http or HttpConfig()
        self.user_agent = self.http.user_agent or DEFAULT_USER_AGENT
        self.check_url = check_url
        self._run_end = time.monotonic() + self.http.run_deadline
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,  # followed by hand: each hop is checked (scheme, guard, loop)
            timeout=httpx.Timeout(self.http.total_timeout, connect=self.http.connect_timeout),
            transport=transport if transport is not None else _DeadlineTransport(_POOL_LIMITS),
        )
        self._lock = threading.Lock()
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, _RobotsEntry] = {}
        self._fetched: dict[str, int] = {}  # host -> gets finished (answered or failed), for progress

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        guard: bool = False,
        robots: bool = False,
        retries: int | None = None,
    ) -> Response:
        """GET ``url``, following at most ``max_redirects`` redirects by hand. ``guard`` applies the
        SSRF check to the URL and every redirect target; ``robots`` checks robots.txt first (when
        the config respects it). Raises FetchError with a one-line reason."""
        try:
            with self._deadline_scope():
                return self._get(url, etag=etag, last_modified=last_modified, accept=accept, guard=guard, robots=robots, retries=retries)
        finally:
            host = urlsplit(url).netloc
            with self._lock:
                self._fetched[host] = self._fetched.get(host, 0) + 1

    def fetched(self) -> dict[str, int]:
        """How many gets have finished so far per host (``host[:port]``), answered or failed."""
        with self._lock:
            return dict(self._fetched)

    @contextmanager
    def _deadline_scope(self) -> Iterator[None]:
        """This thread's clock for one ``get`` (see _Clock): the run's deadline, and total_timeout
        from the first turn at the host; a get inside another (robots.txt for a page) runs on the
        enclosing get's clock, within the page's time."""
        if getattr(_current, "clock", None) is not None:
            yield
            return
        if self._run_end <= time.monotonic():
            raise FetchError(f"not fetched: the run deadline (run_deadline = {self.http.run_deadline:g} s) has passed")
        _current.clock = _Clock(
            _Deadline(self._run_end, f"the run deadline (run_deadline = {self.http.run_deadline:g} s)"),
            self.http.total_timeout,
            f"{self.http.total_timeout:g} s (total_timeout)",
        )
        try:
            yield
        finally:
            _current.clock = None

    def _get(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        accept: str | None,
        guard: bool,
        robots: bool,
        retries: int | None,
    ) -> Response:
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen: set[str] = set()
        for _ in range(self.http.max_redirects + 1):
            self._check_url(url, guard=guard, robots=robots)
            seen.add(url)
            status, reason, response_headers, content = self._request(url, headers, retries)
            location = response_headers.get("location")
            if status not in _REDIRECTS or not location:
                if 300 <= status < 400 and status != 304:
                    raise FetchError(f"HTTP {status} {reason} without a usable Location", status=status)
                return Response(url=url, status=status, headers=response_headers, content=content)
            target = urljoin(url, location.strip())
            if target in seen:
                raise FetchError(f"redirect loop at {short_url(target)}", status=status)
            url = target
        raise FetchError(f"too many redirects (more than {self.http.max_redirects})")

    def _check_url(self, url: str, *, guard: bool, robots: bool) -> None:
        scheme = urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise FetchError(f"not an http(s) URL: {short_url(url)}")
        if guard:
            self.check_url(url)
        gate = self._gate(url)
        if gate.closed_until > time.monotonic():
            raise FetchError(gate.closed_reason)
        if robots and self.http.respect_robots:
            self._check_robots(url, guard=guard)

    def _gate(self, url: str) -> _HostGate:
        parts = urlsplit(url)
        key = f"{(parts.hostname or '').lower()}:{parts.port or ''}"
        with self._lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = self._gates[key] = _HostGate(self.http.per_host_concurrency, self.http.per_host_delay)
            return gate

    def _request(
        self, url: str, headers: Mapping[str, str], retries: int | None
    ) -> tuple[int, str, dict[str, str], bytes]:
        """One URL, no redirects, with retries: transport errors and 5xx back off exponentially
        with jitter; 429 and 503 wait for Retry-After (bounded); other 4xx fail at once."""
        gate = self._gate(url)
        limit = self.http.retries if retries is None else retries
        attempt = 0
        while True:
            try:
                with gate.turn():
                    status, reason, response_headers, content = self._once(url, headers)
            except _Retryable as error:
                if attempt >= limit:  # still transient: a later run (or the orchestrator) may retry
                    raise _Retryable(f"{error}{_attempts(attempt)}") from None
                _sleep(self._backoff(attempt))
                attempt += 1
                continue
            if status < 400 or (400 <= status < 500 and status != 429):
                if status >= 400:
                    raise FetchError(f"HTTP {status} {reason}", status=status)
                return status, reason, response_headers, content
            wait = _retry_after(response_headers.get("retry-after")) if status in (429, 503) else None
            if wait is not None and wait > self.http.max_retry_after:
                gate.closed_until = time.monotonic() + wait
                gate.closed_reason = f"HTTP {status} {reason}: the host asked us to wait {wait:.0f} s (Retry-After)"
                raise FetchError(
                    f"HTTP {status} {reason}: Retry-After {wait:.0f} s is over the {self.http.max_retry_after:.0f} s limit",
                    status=status,
                )
            if attempt >= limit:
                raise FetchError(f"HTTP {status} {reason}{_attempts(attempt)}", status=status)
            if wait is not None:
                gate.defer(wait)  # every request to this host waits, not only this one
            else:
                _sleep(self._backoff(attempt))
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return min(self.http.max_retry_after, self.http.backoff_base * 2**attempt * random.uniform(0.5, 1.5))

    def _once(self, url: str, headers: Mapping[str, str]) -> tuple[int, str, dict[str, str], bytes]:
        deadline = _deadline()
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                # The standard phrase: servers send anything there ("INTERNAL SERVER ERROR", "",
                # or bytes of an internal service), and an error never quotes the response.
                reason = _phrase(response.status_code) or "(non-standard status)"
                if not 200 <= response.status_code < 300:
                    return response.status_code, reason, response_headers, b""
                content = self._read_body(response, response_headers)
                return response.status_code, reason, response_headers, content
        except httpx.TimeoutException as error:
            if deadline is not None and deadline.end <= time.monotonic():
                raise _DeadlinePassed(f"timed out after {deadline.reason}") from None
            if isinstance(error, httpx.ConnectTimeout):
                raise _Retryable(f"connect timeout after {self.http.connect_timeout:g} s") from None
            raise _Retryable(f"read timeout after {self.http.total_timeout:g} s") from None
        except httpx.ConnectError as error:
            if _caused_by(error, socket.gaierror):  # no DNS answer: retrying only delays the report
                raise FetchError(f"cannot resolve {urlsplit(url).hostname}: {_reason(error)}") from None
            raise _Retryable(f"cannot connect: {_reason(error)}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise _Retryable(f"connection failed: {_reason(error)}") from None
        except httpx.HTTPError as error:
            raise FetchError(f"{type(error).__name__}: {_reason(error)}") from None

    def _read_body(self, response: httpx.Response, headers: Mapping[str, str]) -> bytes:
        """The body, decoded from gzip/deflate, refused as soon as it passes ``max_bytes`` (the
        decoded size counts, so a compression bomb stops at the cap) or the total timeout."""
        cap = self.http.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"body over the {_size(cap)} cap (Content-Length {int(declared):,} bytes)")
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
        elif encoding not in ("", "identity"):
            raise FetchError(f"unsupported Content-Encoding: {encoding}")
        else:
            decoder = None
        body = bytearray()
        try:
            deadline = _deadline()
            for chunk in response.iter_raw():
                if deadline is not None:
                    deadline.left()  # raises once passed: decoding counts too
                if decoder is not None:
                    chunk = decoder.decompress(chunk, cap + 1 - len(body))
                    if decoder.unconsumed_tail:
                        chunk += b"\0"  # more output pending: certainly over the cap
                body += chunk
                if len(body) > cap:
                    raise FetchError(f"body over the {_size(cap)} cap")
            if decoder is not None:
                body += decoder.flush()
        except zlib.error as error:
            raise FetchError(f"bad {encoding} body: {error}") from None
        if len(body) > cap:
            raise FetchError(f"body over the {_size(cap)} cap")
        return bytes(body)

    # robots.txt -----------------------------------------------------------------------------

    def _check_robots(self, url: str, *, guard: bool) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            entry = self._robots.setdefault(origin, _RobotsEntry())
        with entry.lock:  # one fetch per origin, however many threads ask
            if entry.rules is None:
                entry.rules, entry.note = self._load_robots(origin, guard=guard)
                delay = entry.rules.crawl_delay(self.user_agent)
                if delay:
                    gate = self._gate(url)
                    gate.delay = max(gate.delay, min(float(delay), self.http.max_retry_after))
        if not entry.rules.can_fetch(self.user_agent, url):
            raise FetchError(f"disallowed by robots.txt{entry.note}: {short_url(parts.path or '/')}")

    def _load_robots(self, origin: str, *, guard: bool) -> tuple[urllib.robotparser.RobotFileParser, str]:
        """RFC 9309: a 4xx means no rules; an unreachable robots.txt (5xx, network) disallows all."""
        rules = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        note = ""
        try:
            response = self.get(origin + "/robots.txt", accept="text/plain", guard=guard, retries=0)
            rules.parse(response.content[:_ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").splitlines())
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                rules.allow_all = True
            else:
                rules.disallow_all = True
                note = f" (unreachable: {error})"
        rules.modified()  # robotparser refuses everything until it believes it has read the file
        return rules, note


def _attempts(retries_done: int) -> str:
    return f" (after {retries_done + 1} attempts)" if retries_done else ""


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, kind):
        cause = cause.__cause__ or cause.__context__
    return cause is not None


def _reason(error: BaseException) -> str:
    """The innermost, shortest description of a transport error ("[Errno 111] Connection refused")."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:g} MiB" if count >= 1024 * 1024 else f"{count:,} bytes"


def is_transient(error: BaseException) -> bool:
    """A failure a later attempt may cure (a timeout, a refused connection, 429 or a 5xx), as
    opposed to one it will not (a 404, a DNS name that does not exist, a page that is no feed)."""
    if isinstance(error, _Retryable):
        return True
    status = getattr(error, "status", None)
    return status is not None and (status == 429 or status >= 500)
