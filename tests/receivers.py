"""Real alert receivers on 127.0.0.1 for tests: an SMTP server (aiosmtpd) and a JSON webhook
(stdlib HTTP server). Import explicitly: ``from receivers import smtp_receiver, webhook_receiver``
brings in the fixtures; the classes work without pytest too.

Mind apprise's e-mail throttle: a second message to the same mailto:// channel in one
``alerts.deliver`` call waits 5.5 s, so end-to-end tests should expect one e-mail per channel.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER = "wirewatch"
SMTP_PASSWORD = "smtp-s3cret-pa55"  # tests assert it never shows in logs or errors
MAIL_FROM = "wirewatch@example.org"
MAIL_TO = "desk@example.org"


def _free_port() -> int:
    # aiosmtpd's Controller probes the port it was given, so it cannot take port 0.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpReceiver:
    """A plain (no TLS) SMTP server with AUTH LOGIN/PLAIN, keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[str, str]] = []
        self.port = _free_port()
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,  # loopback test server without certificates
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((login, password))
            return AuthResult(success=(login, password) == (SMTP_USER, SMTP_PASSWORD))
        return AuthResult(success=False)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def url(self, *, password: str = SMTP_PASSWORD, extra: str = "") -> str:
        """The apprise URL for this server: plain SMTP (mode=insecure) with a login."""
        return (
            f"mailto://{SMTP_USER}:{password}@127.0.0.1:{self.port}"
            f"?smtp=127.0.0.1&mode=insecure&from={MAIL_FROM}&to={MAIL_TO}{extra}"
        )

    def start(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@dataclass
class WebhookRequest:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    payload: dict


@dataclass
class WebhookReceiver:
    """An HTTP server that records JSON POSTs. ``statuses`` queues the replies (e.g. 500 then
    200); when empty it answers ``default_status``."""

    default_status: int = 200
    statuses: deque[int] = field(default_factory=deque)
    requests: list[WebhookRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urlsplit(self.path)
                receiver.requests.append(
                    WebhookRequest(
                        path=parts.path,
                        query=parse_qs(parts.query),
                        headers=dict(self.headers.items()),
                        payload=json.loads(body or b"{}"),
                    )
                )
                status = receiver.statuses.popleft() if receiver.statuses else receiver.default_status
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                # The request line holds the secret path; our tests check that *wirewatch*
                # never prints it, so the receiver must not either.
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str = "/hook", *, scheme: str = "json", query: str = "") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}{'?' + query if query else ''}"

    @property
    def payloads(self) -> list[dict]:
        return [r.payload for r in self.requests]

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
