"""Push ingest for `wirewatch serve`: the WebSub callback endpoint, the subscription manager and the
one writer that stores what hubs push. The decisions are ``wirewatch.sources.websub``'s; this is the shell.

Three threads in the serve process, started by ``running``:

* the endpoint (Starlette on uvicorn, bound to ``websub.listen``): answers a hub's intent
  verification for what was asked, and takes a notification only for an active subscription,
  within its rate, size and the queue's bound, signed with its secret; everything else is refused
  and counted (``websub_refusals``). A notification taken is queued, answered 202 at once.
* the writer: takes the queue in batches and runs each batch through the pipeline a poll runs
  (``pipeline.run_lifecycle`` + ``store_polls``: dedupe, stories, topics, alerts and delivery),
  as a run of kind ``push``; it also stores the subscriptions' changes. The only thread here that
  opens the archive, and only for as long as a batch takes, so flow runs still get it.
* the manager: every ``tick`` seconds reads the configuration again and carries out
  ``websub.plan``: discovery, subscription, renewal, unsubscription of removed or disabled feeds.

A writer in this process rather than a flow run per notification: a flow run costs seconds of
process start and Prefect bookkeeping before it stores anything, and a flood of notifications
would become a flood of runs; here a push is stored within about a second of its arrival, many
pushes share one transaction, and the queue bounds what a flood can hold.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from wirewatch.sources import fetch
from wirewatch.run import pipeline
from wirewatch.sources import poll as sources
from wirewatch.run import subscriptions
from wirewatch.sources import websub
from wirewatch.config import Config, SourceConfig, load_config
from wirewatch.errors import ConfigError, FetchError, StoreError
from wirewatch.archive.store import open_store
from wirewatch.sources.websub import Subscription

log = logging.getLogger("wirewatch.run.push")

TICK_SECONDS = 15.0  # how often the manager looks at what is due
MANAGER_THREADS = 8  # discoveries and hub requests in flight at once
LOCK_TIMEOUT_SECONDS = 120.0  # as a flow run waits for the archive
KNOWN_GUID_DAYS = 30  # as the ingest flow
BODY_SECONDS = 30.0  # a notification's body must arrive within this (a slow sender holds a slot)
HUB_TIMEOUT_SECONDS = 20.0  # one subscription request to a hub, whole
RETRY_AFTER_SECONDS = "10"  # told to a hub whose notification met a full queue or its rate
REFUSALS_FLUSH_SECONDS = 30.0  # refused requests are added to the archive's counts this often
WRITE_RETRY_SECONDS = 5.0  # after a failed write, before the next try
MAX_CONNECTIONS = 64  # concurrent requests to the endpoint; beyond it uvicorn answers 503
MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class Push:
    source: str
    token: str
    body: bytes
    headers: dict[str, str]
    received_at: dt.datetime


class PushService:
    """The endpoint's, writer's and manager's shared state: the subscriptions in memory (by source
    and by callback token, under ``lock``), the job queue the writer empties, refusal counts.
    ``tick``: seconds between the manager's passes; ``clock``: now, as aware UTC."""

    def __init__(self, config_path: str | Path | None, db: str | Path | None = None, *, tick: float = TICK_SECONDS,
                 clock: Callable[[], dt.datetime] = pipeline.utc_now) -> None:  # fmt: skip
        self.config_path, self.db, self.tick, self.clock = config_path, db, tick, clock
        self.config = load_config(config_path, db=db)
        if self.config.websub is None:
            raise ConfigError("push ingest needs a [websub] table")
        self.websub = self.config.websub
        self.rate = websub.RateLimit(self.websub.pushes_per_minute)
        self.lock = threading.Lock()
        self.subs: dict[str, Subscription] = {}
        self.by_token: dict[str, str] = {}
        self.jobs: queue.Queue = queue.Queue()
        self.pending_pushes = 0
        self.refused: collections.Counter[str] = collections.Counter()
        self.stored_pushes = 0  # notifications stored since start (tests, logs)
        self.stopping = threading.Event()
        # sources that allowed private addresses since start: a removed one is still unsubscribed
        self.private: set[str] = set()
        with open_store(self.config.db, lock_timeout=LOCK_TIMEOUT_SECONDS) as store:
            for sub in subscriptions.load(store).values():
                self._remember(sub)

    # -- shared state ---------------------------------------------------------------------------

    def _remember(self, sub: Subscription) -> None:
        old = self.subs.get(sub.source)
        if old is not None and old.token and old.token != sub.token:
            self.by_token.pop(old.token, None)
        self.subs[sub.source] = sub
        if sub.token:
            self.by_token[sub.token] = sub.source

    def _forget(self, name: str) -> None:
        old = self.subs.pop(name, None)
        if old is not None and old.token:
            self.by_token.pop(old.token, None)

    def update(self, changed: list[Subscription], forget: list[str] = ()) -> None:
        """Change subscriptions in memory now (the endpoint sees them at once) and have the
        writer store them."""
        with self.lock:
            for sub in changed:
                self._remember(sub)
            for name in forget:
                self._forget(name)
        self.jobs.put(("state", list(changed), list(forget)))

    def refuse(self, reason: str) -> None:
        with self.lock:
            self.refused[reason] += 1

    def subscription_of(self, token: str) -> Subscription | None:
        with self.lock:
            name = self.by_token.get(token)
            return self.subs.get(name) if name else None

    def offer(self, push: Push) -> bool:
        """Queue a notification unless the queue is full."""
        with self.lock:
            if self.pending_pushes >= self.websub.queue:
                return False
            self.pending_pushes += 1
        self.jobs.put(("push", push))
        return True

    # -- the writer -----------------------------------------------------------------------------

    def writer(self) -> None:
        last_flush = time.monotonic()
        while not self.stopping.is_set() or not self.jobs.empty():
            try:
                jobs = [self.jobs.get(timeout=0.5)]
            except queue.Empty:
                jobs = []
            while True:
                try:
                    jobs.append(self.jobs.get_nowait())
                except queue.Empty:
                    break
            flush = time.monotonic() - last_flush >= REFUSALS_FLUSH_SECONDS or self.stopping.is_set()
            if not jobs and not (flush and self.refused):
                continue
            if flush:
                last_flush = time.monotonic()
            try:
                self.write(jobs, flush_refusals=flush)
            except Exception as error:  # the archive failed: say so, keep serving; a safety poll catches up
                log.error("push: storing %d job(s) failed: %s: %s", len(jobs), type(error).__name__, error)
                for job in jobs:  # subscription changes are tried again; a lost push is the safety poll's
                    if job[0] == "state" and not self.stopping.is_set():
                        self.jobs.put(job)
                self.stopping.wait(WRITE_RETRY_SECONDS)
            finally:
                pushes = sum(job[0] == "push" for job in jobs)
                with self.lock:
                    self.pending_pushes -= pushes

    def write(self, jobs: list[tuple], *, flush_refusals: bool = True) -> None:
        """Store one batch of jobs: subscription changes, refused counts, then the pushes."""
        changed: dict[str, Subscription] = {}
        forget: set[str] = set()
        for job in jobs:
            if job[0] == "state":
                for sub in job[1]:
                    changed[sub.source] = sub
                    forget.discard(sub.source)
                for name in job[2]:
                    forget.add(name)
                    changed.pop(name, None)
        pushes = [job[1] for job in jobs if job[0] == "push"]
        now = self.clock()
        counted: dict[str, int] = {}
        with open_store(self.config.db, lock_timeout=LOCK_TIMEOUT_SECONDS) as store:
            if pushes:
                counted = self._store_pushes(store, pushes, now)
                with self.lock:
                    for name, count in counted.items():
                        if name in self.subs and name not in forget:
                            changed[name] = self.subs[name] = replace(self.subs[name], pushes=self.subs[name].pushes + count)
            if changed or forget:
                subscriptions.save(store, list(changed.values()), forget=forget, now=now)
            if flush_refusals:
                with self.lock:
                    counts, self.refused = dict(self.refused), collections.Counter()
                subscriptions.add_refusals(store, counts, now=now)
        self.stored_pushes += sum(counted.values())  # once the archive is closed: readers see them

    def _store_pushes(self, store, pushes: list[Push], now: dt.datetime) -> dict[str, int]:
        config = self.config
        by_name = {s.name: s for s in config.sources}
        usable = [p for p in pushes if p.source in by_name]
        if not usable:
            return {}
        states = store.source_states()
        known = store.known_guids(since=now - dt.timedelta(days=KNOWN_GUID_DAYS))
        compiled = pipeline.prepare_topics(config)
        with fetch.Fetcher(config.http) as fetcher:
            polls = [
                sources.pushed(by_name[p.source], states.get(p.source),
                               fetch.Response(url=self._topic_of(p), status=200, headers=p.headers, content=p.body),
                               fetcher=fetcher, now=now, known_guids=known.get(p.source, ()))  # fmt: skip
                for p in usable
            ]
        with pipeline.run_lifecycle(store, config, compiled, kind="push", now=now) as summary:
            pipeline.store_polls(store, summary.run_id, polls, config, compiled, now=now, summary=summary, keep_states=False)
        failed = [p.state.last_error for p in polls if p.state.last_status == "error"]
        log.info("push: %d notification(s): %d new, %d duplicate, %d revised, %d alert(s)%s", len(usable), summary.new,
                 summary.duplicate, summary.revised, summary.alerts_created, f"; {'; '.join(failed)}" if failed else "")  # fmt: skip
        return collections.Counter(p.source for p in usable)

    def _topic_of(self, push: Push) -> str:
        sub = self.subs.get(push.source)
        return sub.feed_url if sub is not None else push.source

    # -- the manager ----------------------------------------------------------------------------

    def manager(self) -> None:
        while not self.stopping.is_set():
            try:
                self.manage_once()
            except Exception as error:  # a bug or an unreadable config costs one tick, not the service
                log.error("push: managing subscriptions failed: %s: %s", type(error).__name__, error)
            self.stopping.wait(self.tick)

    def manage_once(self) -> None:
        """Read the configuration again and carry out what ``websub.plan`` finds due."""
        try:
            self.config = load_config(self.config_path, db=self.db)
        except ConfigError as error:
            log.error("push: %s (keeping the configuration read before)", error)
        self.private |= {s.name for s in self.config.sources if s.allow_private}
        with self.lock:
            current = dict(self.subs)
        actions = websub.plan(self.config.sources, current, self.clock())
        if not actions:
            return
        # one Fetcher, so its per-host limits hold across discoveries; many actions at once (after
        # a start or a configuration change) overlap their requests to hubs and feeds
        with fetch.Fetcher(self.config.http) as fetcher, \
                ThreadPoolExecutor(MANAGER_THREADS, thread_name_prefix="websub-manage") as pool:  # fmt: skip
            for future in [pool.submit(self.carry_out, action, fetcher) for action in actions]:
                future.result()

    def carry_out(self, action: websub.Action, fetcher: fetch.Fetcher) -> None:
        if self.stopping.is_set():
            return
        if action.kind == "discover":
            self.discover(action.feed, action.subscription, fetcher)
        elif action.kind in ("subscribe", "renew"):
            self.request(action.subscription, action.feed, "subscribe")
        elif action.kind == "unsubscribe":
            self.request(action.subscription, None, "unsubscribe")
        elif action.kind == "forget":
            self.update([], [action.source])

    def discover(self, feed: SourceConfig, previous: Subscription | None, fetcher: fetch.Fetcher) -> None:
        now = self.clock()
        try:
            response = fetcher.get(feed.url, accept=fetch.FEED_ACCEPT, guard=not feed.allow_private)
            found = websub.discover(response.content, [response.headers.get("link", "")], response.url)
            error = None
        except FetchError as failure:
            found, error = websub.Discovery((), None), f"{feed.name}: discovery: {failure}"
        if not found.hubs:
            attempts = (previous.attempts + 1 if previous is not None else 1) if error else 0
            self.update([Subscription(feed.name, feed.url, "nohub", checked_at=now, attempts=attempts, last_error=error)])
            return
        token, secret = websub.new_credentials()
        sub = Subscription(feed.name, feed.url, "requested", topic=found.topic or feed.url, hub=found.hubs[0],
                           token=token, secret=secret, checked_at=now)  # fmt: skip
        self.request(sub, feed, "subscribe")

    def request(self, sub: Subscription, feed: SourceConfig | None, mode: str) -> None:
        """Ask the hub to (re)subscribe or unsubscribe. The subscription is changed in memory
        first: a hub may verify before it answers the request."""
        now = self.clock()
        asked = websub.requested(sub, now=now) if mode == "subscribe" else replace(sub, state="unsubscribing", requested_at=now)
        self.update([asked])
        form = {"hub.mode": mode, "hub.topic": sub.topic, "hub.callback": websub.callback_for(self.websub, sub.token)}
        if mode == "subscribe":
            form |= {"hub.lease_seconds": str(self.websub.lease_seconds), "hub.secret": sub.secret}
        allow_private = feed.allow_private if feed is not None else sub.source in self.private
        try:
            if not allow_private:
                fetch.check_public_url(sub.hub)
            with httpx.Client(timeout=HUB_TIMEOUT_SECONDS, follow_redirects=False,
                              headers={"User-Agent": self.config.http.user_agent or fetch.DEFAULT_USER_AGENT}) as client:  # fmt: skip
                answer = client.post(sub.hub, data=form)
            problem = None if 200 <= answer.status_code < 300 else f"hub answered {answer.status_code}"
        except (FetchError, httpx.HTTPError) as error:
            problem = f"hub request failed: {type(error).__name__}: {error}"
        if problem is not None:
            log.warning("push: %s: %s %s: %s", sub.source, mode, fetch.short_url(sub.hub), problem)
            with self.lock:
                latest = self.subs.get(sub.source, asked)
            self.update([replace(latest, last_error=problem)])

    # -- the endpoint ---------------------------------------------------------------------------

    def app(self):
        from starlette.applications import Starlette
        from starlette.routing import Route

        path = self.websub.callback_path
        return Starlette(routes=[Route(f"{path}/{{token}}", self.callback, methods=["GET", "POST"])])

    async def callback(self, request):
        from starlette.responses import PlainTextResponse

        def answer(status: int, text: str = "", headers: Mapping[str, str] | None = None) -> PlainTextResponse:
            return PlainTextResponse(text, status, headers={"X-Content-Type-Options": "nosniff", **(headers or {})})

        token = request.path_params["token"]
        sub = self.subscription_of(token)
        now = self.clock()
        if request.method == "GET":
            verdict = websub.verification(dict(request.query_params), sub, now=now)
            if sub is not None and verdict.subscription is None:
                self.update([], [sub.source])
            elif verdict.subscription is not None and verdict.subscription != sub:
                self.update([verdict.subscription])
            if verdict.status != 200:
                self.refuse("unverified")
            return answer(verdict.status, verdict.body)
        if not websub.accepts_pushes(sub, now):
            self.refuse("unknown_subscription")
            return answer(410, "no such subscription")  # a hub may end a subscription on 410 Gone
        if not self.rate.allow(token):
            self.refuse("rate_limited")
            return answer(429, "too many notifications", {"Retry-After": RETRY_AFTER_SECONDS})
        limit = self.websub.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > limit):
            self.refuse("too_large")
            return answer(413, "too large")
        body = bytearray()
        try:
            async with asyncio.timeout(BODY_SECONDS):
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > limit:
                        self.refuse("too_large")
                        return answer(413, "too large")
        except TimeoutError:
            self.refuse("slow_body")
            return answer(408, "body too slow")
        body = bytes(body)
        signed = request.headers.get("x-hub-signature")
        if not signed or not websub.signature_valid(signed, sub.secret, body):
            # WebSub: locally ignored, and acknowledged with a 2xx so that a forger learns nothing
            self.refuse("unsigned" if not signed else "bad_signature")
            return answer(202, "")
        named = [u for u, rels in websub.link_header_rels(request.headers.getlist("link"), sub.topic) if "self" in rels]
        if named and sub.topic not in named:
            self.refuse("wrong_topic")
            return answer(202, "")
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() in ("content-type", "link", "last-modified")}
        if not self.offer(Push(sub.source, token, body, headers, now)):
            self.refuse("queue_full")
            return answer(503, "busy", {"Retry-After": RETRY_AFTER_SECONDS})
        return answer(202, "")


def bind(host: str, port: int) -> socket.socket:
    """The endpoint's listening socket, bound now so a port in use is a one-line error at start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigError(f"websub.listen: cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(False)
    return sock


@contextlib.contextmanager
def running(config_path: str | Path | None, db: str | Path | None = None, *, tick: float = TICK_SECONDS,
            clock: Callable[[], dt.datetime] = pipeline.utc_now) -> Iterator[PushService]:  # fmt: skip
    """The endpoint, writer and manager threads, until the block ends (then the queue is stored)."""
    import uvicorn

    service = PushService(config_path, db, tick=tick, clock=clock)
    sock = bind(service.websub.host, service.websub.port)
    server = uvicorn.Server(uvicorn.Config(
        service.app(), log_level="warning", access_log=False, lifespan="off", limit_concurrency=MAX_CONNECTIONS,
        timeout_keep_alive=5, h11_max_incomplete_event_size=MAX_HEADER_BYTES, server_header=False,
    ))  # fmt: skip
    threads = [
        threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="websub-endpoint", daemon=True),
        threading.Thread(target=service.writer, name="websub-writer", daemon=True),
        threading.Thread(target=service.manager, name="websub-manager", daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        yield service
    finally:
        server.should_exit = True
        service.stopping.set()
        for thread in threads:
            thread.join(timeout=LOCK_TIMEOUT_SECONDS)
        sock.close()
