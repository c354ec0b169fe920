"""A small WebSub hub on 127.0.0.1, written for the tests and the time-to-alert bench (about a
hundred lines, stdlib HTTP server and httpx; no hub package from PyPI was tried).

It does what a hub does by the W3C Recommendation, loopback only: ``hub.mode=subscribe`` /
``unsubscribe`` answered 202, then the intent verified by a GET on the callback (the challenge
must come back), a subscription kept with its secret and lease (``lease_seconds`` forces the
granted lease, for renewal tests); ``hub.mode=publish`` with ``hub.url`` (or ``hub.topic``)
fetches the topic and distributes it to its subscribers, signed (``X-Hub-Signature``, HMAC of the
body with the subscriber's secret), with ``Link`` headers naming the hub and the topic.
``distribute`` pushes a body of the caller's choosing (with a wrong signature, on request).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx


@dataclass
class HubSubscription:
    topic: str
    callback: str
    secret: str | None
    lease_seconds: int
    verified_at: float  # time.time()

    @property
    def expires_at(self) -> float:
        return self.verified_at + self.lease_seconds


@dataclass(frozen=True)
class Verification:
    mode: str
    topic: str
    callback: str
    confirmed: bool
    at: float


class Hub:
    def __init__(self, *, lease_seconds: int | None = None, method: str = "sha256") -> None:
        self.lease_seconds, self.method = lease_seconds, method
        self.subscriptions: dict[tuple[str, str], HubSubscription] = {}
        self.verifications: list[Verification] = []
        self.requests: list[dict[str, str]] = []  # every subscription request as received
        self.deliveries: list[tuple[str, int]] = []  # (callback, status) of each push
        self.lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status = hub.receive(form)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.client = httpx.Client(timeout=10)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()

    def receive(self, form: dict[str, str]) -> int:
        mode, topic = form.get("hub.mode"), form.get("hub.topic") or form.get("hub.url")
        if mode in ("subscribe", "unsubscribe") and topic and form.get("hub.callback"):
            with self.lock:
                self.requests.append(form)
            threading.Thread(target=self.verify, args=(mode, topic, form), daemon=True).start()
            return 202
        if mode == "publish" and topic:
            threading.Thread(target=self.publish, args=(topic,), daemon=True).start()
            return 202
        return 400

    def verify(self, mode: str, topic: str, form: dict[str, str]) -> None:
        callback, challenge = form["hub.callback"], secrets.token_urlsafe(16)
        lease = self.lease_seconds or int(form.get("hub.lease_seconds") or 3600)
        query = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge}
        if mode == "subscribe":
            query["hub.lease_seconds"] = str(lease)
        try:
            answer = self.client.get(f"{callback}?{urlencode(query)}")
            confirmed = answer.status_code // 100 == 2 and answer.text == challenge
        except httpx.HTTPError:
            confirmed = False
        with self.lock:
            self.verifications.append(Verification(mode, topic, callback, confirmed, time.time()))
            if confirmed and mode == "subscribe":
                self.subscriptions[(topic, callback)] = HubSubscription(topic, callback, form.get("hub.secret"), lease, time.time())
            elif confirmed:
                self.subscriptions.pop((topic, callback), None)

    def subscribers(self, topic: str) -> list[HubSubscription]:
        now = time.time()
        with self.lock:
            return [s for s in self.subscriptions.values() if s.topic == topic and s.expires_at > now]

    def publish(self, topic: str) -> list[int]:
        """Fetch the topic and distribute it (the content type as the publisher served it)."""
        response = self.client.get(topic)
        return self.distribute(topic, response.content, response.headers.get("content-type", "application/xml"))

    def distribute(self, topic: str, body: bytes, content_type: str = "application/atom+xml", *,
                   wrong_secret: bool = False, unsigned: bool = False, callback: str | None = None) -> list[int]:  # fmt: skip
        """Push ``body`` to the topic's subscribers (or to ``callback``, subscribed or not): the
        status each answered."""
        targets = self.subscribers(topic) if callback is None else [HubSubscription(topic, callback, "x", 60, time.time())]
        statuses = []
        for sub in targets:
            headers = {"Content-Type": content_type, "Link": f'<{self.url}>; rel="hub", <{topic}>; rel="self"'}
            if sub.secret and not unsigned:
                key = ("not " + sub.secret) if wrong_secret else sub.secret
                digest = hmac.new(key.encode(), body, getattr(hashlib, self.method)).hexdigest()
                headers["X-Hub-Signature"] = f"{self.method}={digest}"
            try:
                status = self.client.post(sub.callback, content=body, headers=headers).status_code
            except httpx.HTTPError:
                status = 0
            with self.lock:
                self.deliveries.append((sub.callback, status))
            statuses.append(status)
        return statuses

    def wait_for(self, predicate, timeout: float = 30.0) -> bool:
        """Poll ``predicate()`` (over this hub's state) until true or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate():
                    return True
            time.sleep(0.05)
        return False


@contextlib.contextmanager
def running(**options) -> Iterator[Hub]:
    hub = Hub(**options)
    try:
        yield hub
    finally:
        hub.close()


def callback_token(callback: str) -> str:
    return urlsplit(callback).path.rstrip("/").rpartition("/")[2]
