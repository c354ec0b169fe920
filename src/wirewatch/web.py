"""The read-only web view (``wirewatch web``): topics over time, stories, a story's evidence,
the alert outbox and the sources, as HTML pages with server-drawn SVG charts and a CSV or JSON
download of what each page shows.

Every number comes from one query of ``sql/queries/web_*.sql`` over the archive opened as a
reader (a lake reader blocks no writer), the same query whether a page shows it or downloads it.
Python here only checks the request, cuts the page's text around matched spans and places the
chart's bars. Jinja2 escapes everything a page shows (headlines are hostile), and a
Content-Security-Policy without scripts backs that up. Off loopback a token is required.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from wirewatch.errors import ConfigError, StoreError, first_line
from wirewatch.model import LakeLocation
from wirewatch.archive.sqlfiles import parameters_of, sql_statements
from wirewatch.archive.store import open_store

__all__ = ["BadRequest", "LOOPBACK_HOSTS", "TOKEN_VARIABLE", "create_app", "check_binding", "running"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
TOKEN_VARIABLE = "WIREWATCH_WEB_TOKEN"
TOKEN_COOKIE = "wirewatch_token"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 1000  # deep pages are for downloads filtered down, not for scrolling
MAX_DAYS = 366
MAX_HOUR_DAYS = 14  # an hourly chart of at most this many days stays readable
MAX_TEXT = 200
MAX_STORY_ARTICLES = 500
MAX_QUOTES = 500
PAGE_SECONDS = 30.0  # a page's queries are stopped past this (one page reads at a time)
DEFAULT_DAYS = {"day": 30, "hour": 2}
STORIES_DAYS = 30  # the stories page's default window, ending on the day of the latest article
STORY_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


class BadRequest(ValueError):
    """A query parameter the view does not take: one line naming it, answered with 400."""


class PageTimeout(StoreError):
    """A page's queries ran past their time (answered with 503; DuckDB stopped them)."""


# ---------------------------------------------------------------------------------------------
# The archive, as a reader


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    rows: list[tuple]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


class Archive:
    """The archive for the pages. A lake stays open (its reader blocks nothing; each query sees
    the latest commit) and one query runs at a time on it, since a DuckDB connection is not for
    several threads. A DuckDB file is opened per page and closed after it, so that a writer
    waits only while a page is read."""

    def __init__(self, where: Path | str | LakeLocation, page_seconds: float = PAGE_SECONDS):
        self.where = where
        self.page_seconds = page_seconds
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None

    @contextmanager
    def session(self) -> Iterator[Callable[[str, Mapping[str, Any]], Table]]:
        with self._lock:
            if isinstance(self.where, LakeLocation):
                if self._connection is None:
                    self._connection = open_store(self.where, read_only=True).connection
                connection = self._connection
                with self._bounded(connection) as run:
                    run("web_snapshot_begin", {})
                    try:
                        yield run
                    finally:
                        with suppress(StoreError):  # an interrupted transaction is over already
                            _run(connection, "web_snapshot_end", {})
                return
            store = open_store(self.where, read_only=True)
            try:
                with self._bounded(store.connection) as run:
                    yield run
            finally:
                store.close()

    @contextmanager
    def _bounded(self, connection: duckdb.DuckDBPyConnection) -> Iterator[Callable[[str, Mapping[str, Any]], Table]]:
        """Queries on ``connection`` that DuckDB interrupts once the page has run page_seconds."""
        timer = threading.Timer(self.page_seconds, connection.interrupt)
        timer.daemon = True

        def run(name: str, params: Mapping[str, Any]) -> Table:
            try:
                if timer.finished.is_set():
                    raise duckdb.InterruptException("Interrupted")
                return _run(connection, name, params, raw=True)
            except duckdb.InterruptException:
                raise PageTimeout(f"the page took longer than {self.page_seconds:g} s to read; narrow it (a shorter window, a filter)") from None
            except duckdb.Error as error:
                raise StoreError(f"{name}: {first_line(error)}") from None

        timer.start()
        try:
            yield run
        finally:
            timer.cancel()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _run(connection: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], *, raw: bool = False) -> Table:
    """The last statement's result of sql/queries/NAME.sql, each statement given the parameters it
    uses (DuckDB's errors as StoreError unless ``raw``)."""
    result = None
    try:
        for statement in sql_statements(f"queries/{name}"):
            used = {p: params[p] for p in parameters_of(statement)}
            result = connection.execute(statement, used)
        if result is None or result.description is None:
            return Table([], [])
        return Table([d[0] for d in result.description], result.fetchall())
    except duckdb.Error as error:
        if raw:
            raise
        raise StoreError(f"{name}: {first_line(error)}") from None


# ---------------------------------------------------------------------------------------------
# Query parameters


@dataclass(frozen=True, slots=True)
class Param:
    kind: str  # int | date | text | choice
    default: Any = None
    low: int = 1
    high: int = MAX_PAGE
    choices: tuple[str, ...] = ()


COMMON = {"format": Param("choice", "html", choices=("html", "csv", "json"))}
PAGING = {"page": Param("int", 1, 1, MAX_PAGE), "per_page": Param("int", PAGE_SIZE, 1, MAX_PAGE_SIZE)}


def parse_params(given: Mapping[str, str], spec: Mapping[str, Param]) -> dict[str, Any]:
    """The request's parameters checked against ``spec`` (every parameter once, known, within its
    bounds) with defaults filled in; BadRequest naming the first one that is not."""
    spec = {**COMMON, **spec}
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise BadRequest(f"{unknown[0]}: not a parameter of this page (it takes {', '.join(sorted(spec))})")
    values = {}
    for name, param in spec.items():
        text = given.get(name, "")
        values[name] = param.default if text == "" else _parsed(name, text, param)
    return values


def _parsed(name: str, text: str, param: Param) -> Any:
    if len(text) > MAX_TEXT:
        raise BadRequest(f"{name}: longer than {MAX_TEXT} characters")
    if param.kind == "int":
        if not text.isascii() or not text.isdigit() or not param.low <= int(text) <= param.high:
            raise BadRequest(f"{name}: expected a whole number from {param.low} to {param.high}, got {text!r}")
        return int(text)
    if param.kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise BadRequest(f"{name}: expected a date (YYYY-MM-DD), got {text!r}") from None
    if param.kind == "choice":
        if text not in param.choices:
            raise BadRequest(f"{name}: expected one of {', '.join(param.choices)}, got {text!r}")
        return text
    if any(ord(c) < 32 for c in text):
        raise BadRequest(f"{name}: control characters are not allowed")
    return text


def midnight(day: dt.date | None) -> dt.datetime | None:
    """A date as the naive UTC midnight the archive's times compare with."""
    return dt.datetime.combine(day, dt.time()) if day else None


def paging(values: Mapping[str, Any]) -> dict[str, int]:
    """LIMIT one more than shown, so a page knows whether a next one exists."""
    return {"limit": values["per_page"] + 1, "offset": (values["page"] - 1) * values["per_page"]}


# ---------------------------------------------------------------------------------------------
# What the pages show, from the queries' rows


@dataclass(frozen=True, slots=True)
class Bar:
    bucket: dt.datetime
    articles: int
    stories: int
    x: float
    article_height: float
    story_height: float


@dataclass(slots=True)
class Chart:
    """A trend chart's geometry (SVG user units): a bar per bucket for articles, a narrower one
    inside it for stories, both scaled to the topic's busiest bucket."""

    bars: list[Bar]
    width: int
    height: int
    bar_width: float
    peak: int
    first: dt.datetime | None = None
    last: dt.datetime | None = None


CHART_WIDTH, CHART_HEIGHT = 600, 120


def trend_chart(series: Sequence[Mapping[str, Any]], width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> Chart:
    peak = max((row["articles"] for row in series), default=0)
    step = width / max(len(series), 1)
    scale = (height - 2) / peak if peak else 0
    bars = [
        Bar(row["bucket"], row["articles"], row["stories"], round(i * step, 2),
            round(row["articles"] * scale, 2), round(row["stories"] * scale, 2))
        for i, row in enumerate(series)
    ]  # fmt: skip
    return Chart(bars, width, height, round(max(step - 1, 0.5), 2), peak,
                 series[0]["bucket"] if series else None, series[-1]["bucket"] if series else None)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    term: str | None = None  # the query term this piece matched, None for plain text


@dataclass(slots=True)
class Evidence:
    """One article's matched text: its fields and body paragraphs that hold hits, cut into plain
    and matched pieces at the stored spans (the spans the alert's evidence was made from)."""

    topics: list[dict[str, Any]]
    fields: list[tuple[str, list[Segment]]] = field(default_factory=list)
    paragraphs: list[list[Segment]] = field(default_factory=list)


FIELD_COLUMNS = {"headline": "headline", "subtitle": "subtitle", "place": "dateline_place", "agency": "agency", "section": "section"}


def segments(text: str, spans: Sequence[tuple[int, int, str]]) -> list[Segment]:
    """``text`` cut at ``spans`` (start, end, term; overlapping spans merged, the first term named)."""
    pieces, at = [], 0
    for start, end, term in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if end <= start:
            continue
        if start > at:
            pieces.append(Segment(text[at:start]))
        pieces.append(Segment(text[start:end], term))
        at = end
    if at < len(text):
        pieces.append(Segment(text[at:]))
    return pieces


def evidence(article: Mapping[str, Any], matches: Sequence[Mapping[str, Any]]) -> Evidence | None:
    """The article's matched fields and paragraphs, or None when no topic matched it."""
    if not matches:
        return None
    spans = [s for m in matches for s in m["spans"] if s["field"] != "urgency"]
    shown = Evidence([{"topic": m["topic"], "score": m["score"], "terms": m["terms"]} for m in matches])
    for name, column in FIELD_COLUMNS.items():
        hits = [(s["start"], s["end"], s["term"]) for s in spans if s["field"] == name]
        if hits and article.get(column):
            shown.fields.append((name, segments(str(article[column]), hits)))
    body, at = article.get("body") or "", 0
    hits = [(s["start"], s["end"], s["term"]) for s in spans if s["field"] == "body"]
    for paragraph in body.split("\n\n"):
        end = at + len(paragraph)
        inside = [(max(s, at) - at, min(e, end) - at, t) for s, e, t in hits if s < end and e > at]
        if inside:
            shown.paragraphs.append(segments(paragraph, inside))
        at = end + 2
    return shown


# ---------------------------------------------------------------------------------------------
# Downloads


def download(table: Table, output_format: str, name: str) -> Response:
    """The rows as ``wirewatch sql -f csv`` or ``-f json`` prints them."""
    if output_format == "json":
        body = json.dumps(table.records(), ensure_ascii=False, default=str, indent=2) + "\n"
        return Response(body, media_type="application/json", headers=_attachment(f"{name}.json"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment(f"{name}.csv"))


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def trend_rows(summary: Table) -> Table:
    """The topics query's trend lists as rows: topic, bucket, articles, stories."""
    records = summary.records()
    return Table(["topic", "bucket", "articles", "stories"],
                 [(r["topic"], b["bucket"], b["articles"], b["stories"]) for r in records for b in r["trend"]])  # fmt: skip


def shown_rows(table: Table, per_page: int) -> tuple[Table, bool]:
    """The page's rows (the query fetched one more) and whether a next page exists."""
    return Table(table.columns, table.rows[:per_page]), len(table.rows) > per_page


# ---------------------------------------------------------------------------------------------
# The app


@dataclass(frozen=True, slots=True)
class Settings:
    where: Path | str | LakeLocation
    topics: tuple[str, ...] = ()  # the configured topics, listed even before they match
    token: str | None = None
    page_seconds: float = PAGE_SECONDS
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS  # None: any Host header (the token guards)
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def create_app(settings: Settings) -> Starlette:
    """The web view over ``settings.where``; requests need ``settings.token`` when one is set."""
    archive = Archive(settings.where, settings.page_seconds)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"], default=True))
    env.filters["when"] = _when
    env.globals["link"] = _link

    def page(request: Request, template: str, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(request=request, path=request.url.path, **context)
        return HTMLResponse(html)

    def endpoint(handler: Callable[..., Response]) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            try:
                with archive.session() as run:
                    return handler(request, run)
            except BadRequest as error:
                return PlainTextResponse(f"bad request: {error}\n", status_code=400)
            except PageTimeout as error:
                return PlainTextResponse(f"{error}\n", status_code=503)
            except (StoreError, ConfigError) as error:
                return PlainTextResponse(f"the archive cannot be read: {error}\n", status_code=503)
        return handle

    def latest_day(run) -> dt.date:
        """The day of the archive's latest article (today for an empty one): windows end there."""
        latest = run("web_latest_event", {"now": settings.clock()}).rows[0][0]
        return (latest or settings.clock()).date()

    def topics_page(request: Request, run) -> Response:
        values = parse_params(request.query_params, {
            "bucket": Param("choice", "day", choices=("day", "hour")), "days": Param("int", None, 1, MAX_DAYS),
            "end": Param("date"), "table": Param("choice", "topics", choices=("topics", "trend")),
        })  # fmt: skip
        days = values["days"] or DEFAULT_DAYS[values["bucket"]]
        if values["bucket"] == "hour" and days > MAX_HOUR_DAYS:
            raise BadRequest(f"days: at most {MAX_HOUR_DAYS} with bucket=hour, got {days}")
        end = midnight((values["end"] or latest_day(run)) + dt.timedelta(days=1))
        start = end - dt.timedelta(days=days)
        params = {"start": start, "end": end, "unit": values["bucket"], "configured": list(settings.topics)}
        summary = run("web_topics", params)
        if values["format"] != "html":
            return download(summary if values["table"] == "topics" else trend_rows(summary), values["format"], values["table"])
        shown = [{**row, "chart": trend_chart(row["trend"])} for row in summary.records()]
        return page(request, "topics.html", topics=shown, values=values, days=days, start=start, end=end)

    def stories_page(request: Request, run) -> Response:
        values = parse_params(request.query_params, {
            "topic": Param("text"), "outlet": Param("text"), "q": Param("text"),
            "since": Param("date"), "until": Param("date"), **PAGING,
        })  # fmt: skip
        since = values["since"] or latest_day(run) - dt.timedelta(days=STORIES_DAYS - 1)
        until = midnight(values["until"] + dt.timedelta(days=1)) if values["until"] else None
        table = run("web_stories", {
            "topic": values["topic"], "outlet": values["outlet"], "q": values["q"],
            "since": midnight(since), "until": until, **paging(values),
        })  # fmt: skip
        table, more = shown_rows(table, values["per_page"])
        if values["format"] != "html":
            return download(table, values["format"], "stories")
        return page(request, "stories.html", stories=table.records(), values=values, since=since, more=more)

    def story_page(request: Request, run) -> Response:
        story_id = request.path_params["story_id"]
        if not STORY_ID.fullmatch(story_id):
            raise BadRequest("story: not a story id")
        values = parse_params(request.query_params, {"table": Param("choice", "articles", choices=("articles", "matches", "revisions", "quotes"))})
        has_quotes = bool(run("web_view_exists", {"name": "quotes"}).rows[0][0])
        if values["table"] == "quotes" and not has_quotes:
            raise BadRequest("table: this archive has no quotes view")
        params = {"story_id": story_id, "limit": MAX_STORY_ARTICLES}
        articles = run("web_story_articles", params)
        if not articles.rows:
            return PlainTextResponse(f"no story {story_id!r}\n", status_code=404)
        listed = articles.records()
        if len(listed) < MAX_STORY_ARTICLES:
            article_ids = [a["article_id"] for a in listed]
        else:
            article_ids = [row[0] for row in run("web_story_article_ids", params).rows]
        matches = run("web_story_matches", {"article_ids": article_ids})
        revisions = run("web_story_revisions", {"article_ids": article_ids})
        quotes = run("web_story_quotes", {"story_id": story_id, "limit": MAX_QUOTES}) if has_quotes else None
        if values["format"] != "html":
            chosen = {"articles": articles, "matches": matches, "revisions": revisions, "quotes": quotes}[values["table"]]
            return download(chosen, values["format"], f"story-{story_id}-{values['table']}")
        by_article: dict[str, list[dict[str, Any]]] = {}
        for match in matches.records():
            by_article.setdefault(match["article_id"], []).append(match)
        changes: dict[str, list[dict[str, Any]]] = {}
        for revision in revisions.records():
            changes.setdefault(revision["article_id"], []).append(revision)
        shown = [
            {**a, "evidence": evidence(a, by_article.get(a["article_id"], [])), "revisions": changes.get(a["article_id"], [])}
            for a in listed
        ]
        return page(request, "story.html", story_id=story_id, articles=shown,
                    quotes=quotes.records() if quotes is not None else None)  # fmt: skip

    def alerts_page(request: Request, run) -> Response:
        values = parse_params(request.query_params, {
            "status": Param("choice", choices=("pending", "sent", "failed")), "topic": Param("text"), **PAGING,
        })  # fmt: skip
        table = run("web_alerts", {"status": values["status"], "topic": values["topic"], **paging(values)})
        table, more = shown_rows(table, values["per_page"])
        if values["format"] != "html":
            return download(table, values["format"], "alerts")
        return page(request, "alerts.html", alerts=table.records(), values=values, more=more)

    def sources_page(request: Request, run) -> Response:
        values = parse_params(request.query_params, dict(PAGING))
        table, more = shown_rows(run("web_sources", paging(values)), values["per_page"])
        if values["format"] != "html":
            return download(table, values["format"], "sources")
        return page(request, "sources.html", sources=table.records(), values=values, more=more)

    def home(request: Request) -> Response:
        return RedirectResponse("/topics", status_code=302)

    routes = [
        Route("/", home),
        Route("/topics", endpoint(topics_page)),
        Route("/stories", endpoint(stories_page)),
        Route("/story/{story_id}", endpoint(story_page)),
        Route("/alerts", endpoint(alerts_page)),
        Route("/sources", endpoint(sources_page)),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if settings.allowed_hosts is not None:  # a page elsewhere cannot reach loopback by DNS rebinding
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)))
    if settings.token:
        middleware.append(Middleware(TokenGate, token=settings.token))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.archive = archive
    return app


def _when(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return "" if value is None else str(value)


def _link(path: str, values: Mapping[str, Any], **changes: Any) -> str:
    """A permalink: ``path`` with the page's parameters (defaults left out) and ``changes``."""
    merged = {**values, **changes}
    shown = {k: str(v) for k, v in merged.items() if v not in (None, "") and not (k == "format" and v == "html")
             and not (k == "page" and v == 1) and not (k == "per_page" and v == PAGE_SIZE)}  # fmt: skip
    return path + ("?" + urlencode(shown) if shown else "")


class SecurityHeaders:
    """No script may run in a page (there is none) and no other site may frame or sniff one."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-store"),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class TokenGate:
    """Every request carries the token: ``Authorization: Bearer TOKEN``, or the cookie a first
    visit to any page with ``?token=TOKEN`` sets (the address bar then loses the token)."""

    def __init__(self, app, token: str):
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        headers = Headers(scope=scope)
        bearer = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if self._valid(bearer) or self._valid(request.cookies.get(TOKEN_COOKIE, "")):
            return await self.app(scope, receive, send)
        given = request.query_params.get("token", "")
        if self._valid(given):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + ("?" + urlencode(rest) if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
            return await response(scope, receive, send)
        refused = PlainTextResponse(f"unauthorized: this view needs its token ({TOKEN_VARIABLE})\n", status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        await refused(scope, receive, send)

    def _valid(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token)


# ---------------------------------------------------------------------------------------------
# Serving


def check_binding(host: str, token: str | None, *, remote: bool) -> None:
    """Loopback by default; another address only with ``remote`` (--remote) and a token, since
    the archive may be sensitive. ConfigError naming what is missing."""
    if host in LOOPBACK_HOSTS:
        return
    if not remote:
        raise ConfigError(f"--host {host}: not a loopback address; binding it needs --remote (and {TOKEN_VARIABLE})")
    if not token:
        raise ConfigError(f"--host {host} --remote: set {TOKEN_VARIABLE} to the token every request must carry")


@contextmanager
def running(app: Starlette, host: str, port: int) -> Iterator[str]:
    """Serve ``app`` on ``host:port`` from a thread of this process (beside `wirewatch serve`'s
    runner); yields its address and stops it on the way out."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="wirewatch-web", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise ConfigError(f"--web-port {port}: the web view could not listen on {host}:{port}")
        thread.join(0.05)
    try:
        yield address(host, port)
    finally:
        server.should_exit = True
        thread.join(10)
        app.state.archive.close()


def address(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve_forever(app: Starlette, host: str, port: int) -> None:
    """`wirewatch web`: serve until Ctrl-C or SIGTERM."""
    import uvicorn

    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="off")
    finally:
        app.state.archive.close()
