"""Alert messages and their delivery through apprise.

The pure part formats a due outbox row (``PendingAlert``) into a title, a plain-text body and a
Markdown body, with article text escaped so a headline cannot inject mentions, links or markup.
The I/O part sends those messages, one apprise object per channel, and reports one
``DeliveryResult`` per alert. Channel URLs carry secrets: they live in memory only, keyed by
``channel_key``; everything shown, logged or stored uses ``redact``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote

from wirewatch.config import AlertsConfig, TopicConfig
from wirewatch.errors import ChannelError, ConfigError
from wirewatch.model import AlertRoute, DeliveryResult, PendingAlert, StorySummary

log = logging.getLogger(__name__)

MASK = "****"
QUOTE_MAX = 300  # characters of the strongest quote an alert carries


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    text: str  # plain text, for e-mail and channels without Markdown
    markdown: str  # CommonMark, for channels that render it


# ---------------------------------------------------------------------------------------------
# Channel URLs: expansion, keys, redaction


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_channel(raw: str, env: Mapping[str, str]) -> str:
    """Substitute ``${NAME}`` from ``env``. A missing or empty variable is an error naming it."""

    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        found = env.get(name)
        if not found:
            raise ChannelError(f"channel uses ${{{name}}}, which is not set in the environment")
        return found

    return _ENV_REF.sub(value, raw).strip()


def channel_key(url: str) -> str:
    """Stable 16-hex-digit key of an expanded channel URL; the outbox dedupes on it."""
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:16]


# Schemes whose netloc is a mail server and whose path lists recipients: nothing secret there.
_EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
# Schemes whose netloc is a real host and user a login; their path may still hold a token.
_HOST_SCHEMES = frozenset(
    {
        "json", "jsons", "xml", "xmls", "form", "forms", "ntfy", "ntfys", "gotify", "gotifys",
        "apprise", "apprises", "mmost", "mmosts", "matrix", "matrixs", "rocket", "rockets",
        "nctalk", "nctalks", "ncloud", "nclouds", "http", "https",
    }
)  # fmt: skip
# Query parameters that configure delivery rather than authenticate it.
_PLAIN_PARAMS = frozenset(
    {
        "from", "to", "cc", "bcc", "reply", "smtp", "mode", "name", "format", "overflow",
        "method", "verify", "retry", "wait", "tz", "priority", "lang", "emojis", "store",
    }
)  # fmt: skip
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.DOTALL)


def _looks_like_host(host: str) -> bool:
    return "." in host or host.lower() == "localhost" or host.startswith("[")


def _split_channel(url: str) -> tuple[str, list[tuple[str, bool]]] | None:
    """The URL as (scheme, pieces): each piece is a run of text and whether it is secret.
    ``redact`` masks the secret pieces; ``_secrets`` lists them to scrub third-party logs."""
    m = _SCHEME.match(url.strip())
    if not m:
        return None
    scheme, rest = m.group(1).lower(), m.group(2)
    rest, _, query = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    email, known_host = scheme in _EMAIL_SCHEMES, scheme in _HOST_SCHEMES | _EMAIL_SCHEMES

    pieces: list[tuple[str, bool]] = []
    userinfo, at, hostport = netloc.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        pieces.append((user, not known_host))
        if colon:
            pieces += [(":", False), (password, True)]
        pieces.append(("@", False))
    host, colon, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "")
    if colon and not port.isdigit():  # "bottoken:secret" is a token, not host:port
        host, colon, port = hostport, "", ""
    pieces.append((host, not _looks_like_host(host)))
    if colon:
        pieces.append((":" + port, False))
    if slash:
        for i, segment in enumerate(path.split("/")):
            pieces.append(("/" if i else slash, False))
            pieces.append((segment, bool(segment) and not email))
    if query:
        for i, pair in enumerate(query.split("&")):
            key, eq, val = pair.partition("=")
            pieces.append((("&" if i else "?") + key + eq, False))
            pieces.append((val, bool(val) and key.lower() not in _PLAIN_PARAMS))
    return scheme, pieces


def redact(url: str) -> str:
    """A display form of a channel URL safe for logs, errors and the database: scheme, mail or
    web host, port, login and recipients kept; passwords, tokens and secret path segments and
    query values masked."""
    split = _split_channel(url)
    if split is None:
        return MASK
    scheme, pieces = split
    return scheme + "://" + "".join(MASK if secret else text for text, secret in pieces)


def _secrets(url: str) -> list[str]:
    """Every secret piece of a channel URL in the spellings a library might log it in."""
    split = _split_channel(url)
    found = {url.strip()}
    if split is not None:
        found |= {text for text, secret in split[1] if secret and text}
    spellings = {spelling for s in found for spelling in _spellings(unquote(s))} | found
    return sorted(spellings, key=len, reverse=True)  # longest first: a token inside the URL


# What each HTTP library leaves unencoded differs: nothing, "/" (urllib), requests' requote set.
_SAFE_SETS = ("", "/", "!#$&'()*+,/:;=?@[]~")


def _spellings(secret: str) -> set[str]:
    """``secret`` raw, percent-encoded (path and form style, upper and lower hex) as a library
    might print it."""
    encoded = {quote(secret, safe=safe) for safe in _SAFE_SETS} | {quote_plus(secret, safe=safe) for safe in _SAFE_SETS}
    lower = {re.sub(r"%[0-9A-F]{2}", lambda hex_pair: hex_pair.group().lower(), s) for s in encoded}
    return {secret} | encoded | lower


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, MASK)
        else:  # a short secret only where it stands alone, or every word would be cut up
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)
    return text


# ---------------------------------------------------------------------------------------------
# Routes: which channels each topic alerts


def routes_for(
    topics: Sequence[TopicConfig], alerts_config: AlertsConfig, env: Mapping[str, str], origin: str = ""
) -> tuple[dict[str, AlertRoute], dict[str, str]]:
    """Each enabled topic's route (its own channels, else the [alerts] default) and the
    channel key -> expanded URL map that delivery needs; that map stays in memory. A URL apprise
    does not know is a ChannelError naming ``origin`` (the config file), the channel's position
    and its redacted form, before anything is fetched or stored."""
    routes: dict[str, AlertRoute] = {}
    urls: dict[str, str] = {}
    for topic in topics:
        if not topic.enabled:
            continue
        raws = alerts_config.channels if topic.channels is None else topic.channels
        channels: dict[str, str] = {}
        for n, raw in enumerate(raws):
            where = f"{origin}: " * bool(origin) + f"topic {topic.name!r}: channels[{n}]"
            try:
                url = expand_channel(raw, env)
            except ChannelError as e:
                raise ChannelError(f"{where}: {e}") from None
            if not url:
                raise ChannelError(f"{where}: empty channel URL")
            unusable = _Channel(url).error
            if unusable:
                raise ChannelError(f"{where}: {unusable}")
            key = channel_key(url)
            channels[key] = redact(url)
            urls[key] = url
        routes[topic.name] = AlertRoute(
            channels=tuple(channels.items()), realert_on_update=topic.realert_on_update
        )
    return routes, urls


# ---------------------------------------------------------------------------------------------
# Escaping article text


_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")  # bidi controls too
# "@channel", "@here", "<@U123>": an @ that does not follow a word character (e-mail addresses
# do). A word joiner after it keeps the text readable and stops every chat app's mention parser.
_MENTION = re.compile(r"(?<!\w)@(?=\S)")
WORD_JOINER = "\u2060"
# CommonMark inline syntax: emphasis, code, links, autolinks/HTML, entities, strikethrough.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")
# Block syntax that only counts at the start of a line (where a field's text may land).
_MD_LINE_START = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()


def escape_text(text: str) -> str:
    """Article text for a plain-text body or a title: one line, mentions disarmed."""
    return _MENTION.sub("@" + WORD_JOINER, _one_line(text))


def escape_markdown(text: str) -> str:
    """Article text for a Markdown body: as ``escape_text`` and every Markdown construct
    backslash-escaped, so ``[x](http://evil)`` or ``<script>`` stay literal text."""
    escaped = _MD_INLINE.sub(r"\\\1", escape_text(text))
    return _MD_LINE_START.sub(
        lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], escaped, count=1
    )


_HIT = re.compile(r"«([^«»]+)»")


def _snippet_markdown(snippet: str) -> str:
    """The snippet escaped, its «hit» markers turned into bold."""
    return _HIT.sub(r"**\1**", escape_markdown(snippet))


def _markdown_link(label: str, url: str | None) -> str | None:
    """A link to an article, only for http(s) URLs; angle brackets let it hold parentheses."""
    if not url or not re.match(r"^https?://", url, re.IGNORECASE):
        return None
    safe = re.sub(r"[\s<>]", lambda m: quote(m.group(0)), url.strip())
    return f"[{label}](<{safe}>)"


# ---------------------------------------------------------------------------------------------
# Formatting


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def _dateline(place: str | None, date: dt.date | None, agency: str | None) -> str:
    parts = [p for p in (place, date.isoformat() if date else None, agency) if p]
    return " · ".join(parts)


def _story_size(alert: PendingAlert) -> str:
    others = alert.story_sources - 1
    if others <= 0:
        return f"First outlet to report this story ({_plural(alert.story_articles, 'article')})."
    named = alert.story_outlets
    return (
        f"Also reported by {_plural(others, 'other outlet')}{': ' + _names(named) if named else ''} "
        f"({_plural(alert.story_articles, 'article')} in the story)."
    )


def _names(outlets: Sequence[str], shown: int = 5) -> str:
    """"AP, Reuters" or "AP, Reuters, ... and 4 more"."""
    more = len(outlets) - shown
    return ", ".join(outlets[:shown]) + (f" and {more} more" if more > 0 else "")


def _fields(alert: PendingAlert) -> tuple[str, str, str]:
    """Dateline, matched terms and source, as raw text before escaping."""
    dateline = _dateline(alert.dateline_place, alert.dateline_date, alert.agency)
    return dateline, ", ".join(alert.terms), alert.source


def urgency_label(urgency: int | None) -> str:
    """"FLASH " for wire urgency 1, "URGENT " for 2 and 3 (AP's bulletin and urgent), else ""."""
    if urgency == 1:
        return "FLASH "
    return "URGENT " if urgency in (2, 3) else ""


def format_message(alert: PendingAlert) -> Message:
    """One alert: topic, headline, dateline, matched terms, the snippet with hits marked, the
    link, the story's size and the alert_id (delivery is at-least-once)."""
    dateline, terms, source = _fields(alert)
    title = escape_text(f"[wirewatch] {urgency_label(alert.urgency)}{alert.topic}: {alert.headline}")[:250]

    text_lines = [
        f"Topic: {escape_text(alert.topic)}",
        f"Headline: {escape_text(alert.headline)}",
        f"Dateline: {escape_text(dateline) or '(none)'} (source: {escape_text(source)})",
        f"Matched: {escape_text(terms)}",
        f"Snippet: {escape_text(alert.snippet)}",
        *([f"Quote: {escape_text(_said(alert))}"] if alert.quote else []),
        f"Link: {escape_text(alert.url or '(none)')}",
        _story_size(alert),
        f"alert_id: {alert.alert_id} (at-least-once delivery: a repeat carries the same id)",
    ]
    link = _markdown_link("Read the article", alert.url)
    md_blocks = [
        f"**Topic:** {escape_markdown(alert.topic)}",
        f"**{escape_markdown(alert.headline)}**",
        f"{escape_markdown(dateline) or '(no dateline)'} (source: {escape_markdown(source)})",
        f"**Matched:** {escape_markdown(terms)}",
        f"> {_snippet_markdown(alert.snippet)}",
        *([f"> {escape_markdown(_said(alert))}"] if alert.quote else []),
        *([link] if link else []),
        _story_size(alert),
        f"alert\\_id: `{alert.alert_id}`",
    ]
    return Message(title=title, text="\n".join(text_lines), markdown="\n\n".join(md_blocks))


def _said(alert: PendingAlert) -> str:
    """The strongest quote as a line: “words” — Speaker, title (the words cut to QUOTE_MAX)."""
    words = alert.quote or ""
    if len(words) > QUOTE_MAX:
        words = words[: QUOTE_MAX - 1].rstrip() + "…"
    who = ", ".join(filter(None, (alert.quote_speaker, alert.quote_title))) or "speaker not named"
    return f"“{words}” — {who}"


def format_withdrawn(alert: PendingAlert) -> Message:
    """A "WITHDRAWN" notice: the agency killed or cancelled the article an earlier alert (whose
    id it carries) was about."""
    title = escape_text(f"[wirewatch] WITHDRAWN: {alert.topic}: {alert.headline}")[:250]
    notice = "WITHDRAWN: the agency has withdrawn this article; do not use it."
    text_lines = [
        notice,
        f"Topic: {escape_text(alert.topic)}",
        f"Headline: {escape_text(alert.headline)}",
        f"Alerted for: {escape_text(alert.snippet)}",
        f"Withdraws alert_id: {alert.withdraws}",
        f"alert_id: {alert.alert_id} (at-least-once delivery: a repeat carries the same id)",
    ]
    md_blocks = [
        f"**{notice}**",
        f"**Topic:** {escape_markdown(alert.topic)}",
        f"~~{escape_markdown(alert.headline)}~~",
        f"> {_snippet_markdown(alert.snippet)}",
        f"Withdraws alert\\_id: `{alert.withdraws}`",
        f"alert\\_id: `{alert.alert_id}`",
    ]
    return Message(title=title, text="\n".join(text_lines), markdown="\n\n".join(md_blocks))


def _count_by(values: Sequence[str]) -> str:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return ", ".join(f"{v} ({n})" for v, n in counts.items())


def format_digest(alerts: Sequence[PendingAlert], *, max_chars: int | None = None) -> Message:
    """One message listing many alerts for one channel, instead of a storm of them: by topic,
    the strongest match first. ``max_chars``: the channel's body limit; the alerts past it are
    counted in a last line (every one stays in the archive's alerts)."""
    topics = _count_by([a.topic for a in alerts])
    title = escape_text(f"[wirewatch] {_plural(len(alerts), 'alert')}: {topics}")[:250]
    ordered = sorted(alerts, key=lambda a: (a.topic, -a.score, a.headline, a.alert_id))
    text_items, md_items = [], []
    for n, a in enumerate(ordered, 1):
        dateline, terms, _ = _fields(a)
        text_items.append(
            f"{n}. [{escape_text(a.topic)}] {escape_text(a.headline)}\n"
            f"   {escape_text(dateline) or '(no dateline)'}; matched: {escape_text(terms)}; "
            f"{_plural(a.story_sources, 'outlet')}\n"
            f"   {escape_text(a.url or '(no link)')}\n"
            f"   alert_id: {a.alert_id}"
        )
        link = _markdown_link("link", a.url)
        md_items.append(
            f"{n}. **{escape_markdown(a.headline)}**  \n"
            f"   {escape_markdown(a.topic)} · {escape_markdown(dateline) or '(no dateline)'} · "
            f"matched: {escape_markdown(terms)} · {_plural(a.story_sources, 'outlet')}"
            f"{' · ' + link if link else ''} · `{a.alert_id}`"
        )
    header = f"{_plural(len(alerts), 'alert')} due at once, sent as one digest."
    shown = len(ordered) if max_chars is None else _fitting(header, text_items, md_items, max_chars)
    more = []
    if shown < len(ordered):
        hidden = _count_by([a.topic for a in ordered[shown:]])
        more = [f"... and {len(ordered) - shown:,} more: {hidden} (all {len(ordered):,} are in the archive: wirewatch alerts list)"]
    return Message(
        title=title,
        text="\n".join([header, "", *text_items[:shown], *more]),
        markdown="\n\n".join([escape_markdown(header), "\n".join(md_items[:shown] + [escape_markdown(m) for m in more])]),
    )


_MORE_LINE_CHARS = 100  # room kept for the "... and N more" line


def _fitting(header: str, text_items: Sequence[str], md_items: Sequence[str], max_chars: int) -> int:
    """How many digest items fit in ``max_chars``, in the plain and in the Markdown body alike
    (at least one: a channel that cannot take one alert refuses the digest in its own words)."""
    room = max_chars - _MORE_LINE_CHARS - len(header) * 2 - 2
    text_used = md_used = 0
    for n, (text, md) in enumerate(zip(text_items, md_items)):
        text_used += len(text) + 1
        md_used += len(md) + 1
        if max(text_used, md_used) > room and n > 0:
            return n
    return len(text_items)


def format_daily_digest(
    topic: str, rows: Sequence[StorySummary], *, day: dt.date | None = None, top: int = 10
) -> Message:
    """A topic's daily summary: how many matches in how many stories, and the top headlines
    (most sources first)."""
    matches = sum(r.articles for r in rows)
    when = f" {day.isoformat()}" if day else ""
    summary = f"{_plural(matches, 'match', 'matches')} in {_plural(len(rows), 'story', 'stories')}"
    title = escape_text(f"[wirewatch] {topic} daily digest{when}: {summary}")[:250]
    ranked = sorted(rows, key=lambda r: (-r.sources, -r.articles, r.headline))[:top]
    text_items, md_items = [], []
    for n, r in enumerate(ranked, 1):
        dateline = _dateline(r.dateline_place, r.dateline_date, r.agency)
        size = f"{_plural(r.sources, 'outlet')}{' (' + _names(r.outlets) + ')' if r.outlets else ''}, {_plural(r.articles, 'article')}"
        if r.speakers:
            size += f"; who spoke: {_names(r.speakers)}"
        text_items.append(
            f"{n}. {escape_text(r.headline)} ({escape_text(dateline) or 'no dateline'}; {size})"
            + (f"\n   {escape_text(r.url)}" if r.url else "")
        )
        link = _markdown_link("link", r.url)
        md_items.append(
            f"{n}. **{escape_markdown(r.headline)}** · {escape_markdown(dateline) or 'no dateline'}"
            f" · {size}{' · ' + link if link else ''}"
        )
    header = f"Topic {topic}{when}: {summary}."
    if not rows:
        text_items = md_items = ["No matches."]
    return Message(
        title=title,
        text="\n".join([escape_text(header), "", *text_items]),
        markdown="\n\n".join([escape_markdown(header), "\n".join(md_items)]),
    )


# ---------------------------------------------------------------------------------------------
# Delivery (I/O)

# Loggers that can see a channel URL while apprise sends: apprise logs URLs and payloads at
# debug level, requests/urllib3 log request lines with the path and query.
_THIRD_PARTY_LOGGERS = ("apprise", "requests", "urllib3")
# Their loggers are process-wide: one delivery at a time may swap their handlers.
_LOGGERS_LOCK = threading.Lock()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _contained_logs(secrets: Sequence[str]) -> Iterator[list[str]]:
    """Hold apprise's (and its HTTP stack's) log records back while it handles a secret URL;
    afterwards re-log them under this module with the secrets masked. Yields, once the block
    ends, the masked warning-or-worse lines plus apprise's exception detail, for error text."""
    collect = _Collect()
    saved = []
    _LOGGERS_LOCK.acquire()
    for name in _THIRD_PARTY_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.handlers[:], logger.propagate, logger.level))
        logger.handlers[:] = [collect]
        logger.propagate = False
    apprise_logger = logging.getLogger("apprise")
    # Debug detail ("Socket Exception: ...") makes the error useful; it is masked below.
    apprise_logger.setLevel(logging.DEBUG)
    problems: list[str] = []
    try:
        yield problems
    finally:
        for logger, handlers, propagate, level in saved:
            logger.handlers[:] = handlers
            logger.propagate = propagate
            logger.setLevel(level)
        _LOGGERS_LOCK.release()
        for record in collect.records:
            try:
                line = _one_line(_scrub(record.getMessage(), secrets))
            except Exception:  # a malformed third-party record must not break delivery
                line = f"unformattable log record from {record.name}"
            if record.levelno >= logging.WARNING or line.startswith("Socket Exception"):
                problems.append(line)
            if log.isEnabledFor(record.levelno):
                log.log(record.levelno, "%s: %s", record.name, line)


def _wants_markdown(plugin: object) -> bool:
    """Whether a channel renders Markdown; honours a ``?format=`` in its URL."""
    from apprise import NotifyFormat

    resolve = getattr(plugin, "resolve_format", None)
    if resolve is not None:  # apprise >= 2: plugins declare several formats
        return bool(resolve(NotifyFormat.MARKDOWN) == NotifyFormat.MARKDOWN)
    return bool(getattr(plugin, "notify_format", None) == NotifyFormat.MARKDOWN)


def _problem(problems: Sequence[str], fallback: str) -> str:
    return "; ".join(dict.fromkeys(problems)) or fallback


class _Channel:
    """One apprise object for one channel URL, used for every message sent to it in a run."""

    def __init__(self, url: str) -> None:
        import apprise

        self.redacted = redact(url)
        self._secrets = _secrets(url)
        asset = apprise.AppriseAsset(app_id="wirewatch", app_desc="wirewatch alerts")
        self._apprise = apprise.Apprise(asset=asset)
        self.error: str | None = None
        self.body_maxlen: int | None = None
        with _contained_logs(self._secrets) as problems:
            try:
                added = self._apprise.add(url)
            except Exception as e:  # apprise raises on some malformed URLs
                added = False
                problems.append(type(e).__name__)
        if not added:
            why = _problem(problems, "apprise does not support it")
            self.error = f"{self.redacted}: not a usable apprise URL ({why})"
            return
        self._markdown = _wants_markdown(self._apprise[0])
        self.body_maxlen = self._room(self._apprise[0])

    @staticmethod
    def _room(plugin: object) -> int | None:
        """The characters a message body may have on this service (apprise knows each one's);
        where the service has no title, apprise puts the title in the body."""
        body = getattr(plugin, "body_maxlen", None)
        if not body or body <= 0:
            return None
        return body - (252 if getattr(plugin, "title_maxlen", 1) == 0 else 0)

    def send(self, message: Message) -> str | None:
        """Send one message; None on success, else a one-line error with secrets masked."""
        if self.error:
            return self.error
        from apprise import NotifyFormat

        body, body_format = (
            (message.markdown, NotifyFormat.MARKDOWN)
            if self._markdown
            else (message.text, NotifyFormat.TEXT)
        )
        with _contained_logs(self._secrets) as problems:
            try:
                ok = bool(
                    self._apprise.notify(body=body, title=message.title, body_format=body_format)
                )
            except Exception as e:  # never let a plugin's exception end the run
                ok = False
                problems.append(_one_line(_scrub(f"{type(e).__name__}: {e}", self._secrets)))
        if ok:
            return None
        return f"{self.redacted}: {_problem(problems, 'delivery failed')}"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def deliver(
    due: Sequence[PendingAlert], urls: Mapping[str, str], *, digest_threshold: int = 5,
    clock: Callable[[], dt.datetime] = utc_now,
) -> list[DeliveryResult]:  # fmt: skip
    """Send due alerts, grouped by channel. More than ``digest_threshold`` alerts for one
    channel go as one digest. A failed message fails every alert it carried. Each sent alert's
    result says when (``clock``) its channel accepted the message."""
    by_channel: dict[str, list[PendingAlert]] = {}
    for alert in due:
        by_channel.setdefault(alert.channel_key, []).append(alert)

    results: dict[str, DeliveryResult] = {}
    for key, alerts in by_channel.items():
        url = urls.get(key)
        if url is None:
            error = f"{alerts[0].channel}: channel no longer configured"
            results.update({a.alert_id: DeliveryResult(a.alert_id, False, error) for a in alerts})
            continue
        channel = _Channel(url)
        notices = [a for a in alerts if a.withdraws]  # each its own message, never in a digest
        alerts = [a for a in alerts if not a.withdraws]
        batches = (
            [(format_digest(alerts, max_chars=channel.body_maxlen), alerts)]
            if len(alerts) > digest_threshold
            else [(format_message(a), [a]) for a in alerts]
        )
        batches += [(format_withdrawn(a), [a]) for a in notices]
        for message, carried in batches:
            error = channel.send(message)
            sent_at = clock() if error is None else None
            for a in carried:
                results[a.alert_id] = DeliveryResult(a.alert_id, error is None, error, sent_at)
    return [results[a.alert_id] for a in due]


def send_message(message: Message, url: str, *, ref: str = "") -> DeliveryResult:
    """Send one ready-made message (a daily digest, a test) to one channel URL."""
    error = _Channel(url).send(message)
    return DeliveryResult(alert_id=ref, ok=error is None, error=error)


TEST_ALERT_ID = "test"


def sample_alert(url: str) -> PendingAlert:
    """A realistic alert for ``wirewatch alerts test CHANNEL``."""
    return PendingAlert(
        alert_id=TEST_ALERT_ID,
        topic="wirewatch test",
        story_id="test",
        article_id="test",
        channel_key=channel_key(url),
        channel=redact(url),
        attempts=0,
        headline="Test alert: this channel receives wirewatch alerts",
        url=None,
        source="wirewatch",
        dateline_place="MOSCOW",
        dateline_date=dt.date.today(),
        agency="TASS",
        terms=("missile defense",),
        snippet="There is no progress at the Russia-U.S. «missile defense» negotiations.",
        story_sources=3,
        story_articles=4,
    )


def send_test(url: str) -> DeliveryResult:
    """Send a sample alert to one expanded channel URL."""
    return send_message(format_message(sample_alert(url)), url, ref=TEST_ALERT_ID)
