"""Polling a source: one ``poll`` for every kind (feed, page, dir), into a PollResult.

A feed or page is fetched through the run's ``fetch.Fetcher`` (the transport: politeness, SSRF
guard, robots.txt, deadlines) and read as an agency wire-format document when it is one (by
content), else extracted (``wirewatch.sources.extract``). A dir source reads the complete files of its
drop folder (``wirewatch.sources.inputs``). ``poll`` never raises: a failure comes back as
``state.last_status == "error"`` with a one-line ``last_error`` that names the source, and
``retryable`` when a later attempt may cure it. ``poll_each`` polls several sources at once
through one Fetcher. ``failed_poll`` records a source whose poll did not complete at all (its
Prefect task raised), in the same shape.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from wirewatch.sources import extract
from wirewatch.sources import formats
from wirewatch.sources import inputs
from wirewatch.config import SourceConfig
from wirewatch.errors import FetchError
from wirewatch.sources.fetch import FEED_ACCEPT, HTML_ACCEPT, Fetcher, Response, is_transient, short_url
from wirewatch.sources.formats.articles import wire_articles
from wirewatch.model import Article, PollResult, SourceState

# A drop-folder file counts as complete once it has not been modified for this long: writers
# (FTP/SFTP servers, copies) keep touching a file until it is whole.
SETTLE_SECONDS = 5.0
# An extraction error quoting the body's first characters: response bytes never reach an error.
_QUOTED_BODY = re.compile(r" \(starts with .*\)$")


def poll(
    source: SourceConfig,
    previous: SourceState | None,
    *,
    fetcher: Fetcher | None = None,
    now: dt.datetime,
    known_guids: Collection[str] = (),
    clock: Callable[[], float] = time.time,
) -> PollResult:
    """Poll one source of any kind once. Never raises. ``fetcher`` is required for feed and page
    sources; ``clock`` (the clock file times are set by) only serves dir sources.

    Feeds and pages: sends the previous ETag / Last-Modified (when the URL is unchanged); a 304
    returns no articles and ``last_status == "not_modified"``. On the first poll (no previous
    state, or nothing seen yet) feed items older than ``max_age_days`` are dropped; on later
    polls, items older than ``max_age_days`` before the previous poll, so items skipped at the
    first poll do not arrive at the second. Summary-only entries get their page fetched per
    ``full_text`` (through robots.txt, and through the SSRF guard unless ``allow_private``),
    except entries whose guid is in ``known_guids`` (already stored): those are left out, so a
    feed update does not re-fetch every page it lists.

    Dir sources: the wire-format files of the folder that are complete (not modified for
    SETTLE_SECONDS by ``clock``) and modified since the previous poll's mark. The mark is kept in
    the state's ``last_modified`` (a dir source has no other use for it): each file is read once,
    and again only when it is modified."""
    if source.kind == "dir":
        return _poll_dir(source, previous, now=now, clock=clock)
    state = _carried_state(source, previous, now)
    try:
        if fetcher is None:
            raise ValueError(f"a {source.kind} source is polled through a Fetcher")
        if source.kind == "feed":
            return _poll_feed(fetcher, source, previous, state, now=now, known_guids=known_guids)
        if source.kind == "page":
            return _poll_page(fetcher, source, state, now=now)
        raise FetchError(f"kind {source.kind!r} cannot be polled")
    except (FetchError, extract.ExtractError, formats.FormatError) as error:
        message = _QUOTED_BODY.sub("", str(error))
        return PollResult(state=_failed(state, f"{source.name}: {message}"), retryable=is_transient(error))
    except Exception as error:  # a bug must cost one source, not the run; keep it visible
        return PollResult(state=_failed(state, f"{source.name}: internal error: {type(error).__name__}: {error}"))


def poll_each(
    sources: Sequence[SourceConfig],
    previous: Mapping[str, SourceState],
    *,
    fetcher: Fetcher | None,
    now: dt.datetime,
    known_guids: Mapping[str, Collection[str]],
    threads: int,
    on_polled: Callable[[PollResult], None] | None = None,
) -> list[PollResult]:
    """``poll`` each source (its previous state and known GUIDs looked up by name), at most
    ``threads`` at a time, all through the one ``fetcher`` so its per-host limits hold across
    sources. Never raises; the results are in the order of ``sources``. ``on_polled`` is told
    of each poll as it ends (from the polling thread), for progress."""

    def poll_one(source: SourceConfig) -> PollResult:
        result = poll(source, previous.get(source.name), fetcher=fetcher, now=now, known_guids=known_guids.get(source.name, ()))
        if on_polled is not None:
            on_polled(result)
        return result

    if len(sources) <= 1 or threads <= 1:
        return [poll_one(s) for s in sources]
    with ThreadPoolExecutor(max_workers=min(threads, len(sources)), thread_name_prefix="poll") as pool:
        return list(pool.map(poll_one, sources))


def failed_poll(source: SourceConfig, previous: SourceState | None, error: str, *, now: dt.datetime) -> PollResult:
    """The PollResult of a source that failed outright (its task raised): the
    previous state carried on, one more consecutive failure, ``error`` named by the source."""
    message = error if error.startswith(f"{source.name}:") else f"{source.name}: {error}"
    return PollResult(state=_failed(_carried_state(source, previous, now), message))


def _carried_state(source: SourceConfig, previous: SourceState | None, now: dt.datetime) -> SourceState:
    url = source.url or (str(source.path) if source.path else None)
    same_url = previous is not None and previous.url == url
    return SourceState(
        name=source.name,
        kind=source.kind,
        url=url,
        etag=previous.etag if same_url and previous else None,
        last_modified=previous.last_modified if same_url and previous else None,
        last_poll=now,
        last_status="ok",
        consecutive_failures=previous.consecutive_failures if previous else 0,
        items_seen=previous.items_seen if previous else 0,
    )


def _failed(state: SourceState, message: str) -> SourceState:
    return replace(
        state,
        last_status="error",
        last_error=" ".join(message.split()),
        consecutive_failures=state.consecutive_failures + 1,
    )


def _succeeded(state: SourceState, response: Response, seen: int) -> SourceState:
    not_modified = response.status == 304
    return replace(
        state,
        # A 304 may omit the validators; a 200 replaces them (absent ones are cleared).
        etag=response.headers.get("etag", state.etag if not_modified else None),
        last_modified=response.headers.get("last-modified", state.last_modified if not_modified else None),
        last_status="not_modified" if not_modified else "ok",
        last_error=None,
        consecutive_failures=0,
        items_seen=state.items_seen + seen,
    )


def _poll_feed(
    fetcher: Fetcher,
    source: SourceConfig,
    previous: SourceState | None,
    state: SourceState,
    *,
    now: dt.datetime,
    known_guids: Collection[str],
) -> PollResult:
    if not source.url:
        raise FetchError("no url")
    response = fetcher.get(
        source.url, etag=state.etag, last_modified=state.last_modified, accept=FEED_ACCEPT, guard=not source.allow_private
    )
    if response.status == 304:
        return PollResult(state=_succeeded(state, response, 0))
    return _feed_result(fetcher, source, previous, state, response, now=now, known_guids=known_guids)


def pushed(
    source: SourceConfig,
    previous: SourceState | None,
    response: Response,
    *,
    fetcher: Fetcher,
    now: dt.datetime,
    known_guids: Collection[str] = (),
) -> PollResult:
    """A feed document pushed for ``source`` (a WebSub notification's body and headers, as
    ``response``) read as a poll of it would read it: the same extraction, age and item limits,
    full-text pages (through ``fetcher``). Never raises, as ``poll``."""
    state = _carried_state(source, previous, now)
    try:
        return _feed_result(fetcher, source, previous, state, response, now=now, known_guids=known_guids)
    except (FetchError, extract.ExtractError, formats.FormatError) as error:
        return PollResult(state=_failed(state, f"{source.name}: pushed: {_QUOTED_BODY.sub('', str(error))}"))
    except Exception as error:  # a bug must cost one notification, not the endpoint
        return PollResult(state=_failed(state, f"{source.name}: pushed: internal error: {type(error).__name__}: {error}"))


def _feed_result(
    fetcher: Fetcher,
    source: SourceConfig,
    previous: SourceState | None,
    state: SourceState,
    response: Response,
    *,
    now: dt.datetime,
    known_guids: Collection[str],
) -> PollResult:
    """A feed (or wire-format) document's articles, as a poll of ``source`` keeps them."""
    if (wire := _wire_poll(source, state, response, now=now)) is not None:
        return wire
    found = extract.feed_articles(
        response.content,
        source=source,
        headers=response.headers,
        fetched_at=now,
        url=response.url,
        headline_only=source.full_text != "never",  # the page may supply the text
    )
    result = PollResult(
        state=state,
        warnings=[f"{source.name}: {w}" for w in found.warnings],
        rejected=[f"{source.name}: {r}" for r in found.rejected],
    )
    articles = found.articles
    if source.max_age_days is not None:
        first_poll = previous is None or previous.items_seen == 0
        horizon = now if first_poll or previous is None or previous.last_poll is None else previous.last_poll
        cutoff = horizon - dt.timedelta(days=source.max_age_days)
        fresh = [a for a in articles if a.published_at is None or a.published_at >= cutoff]
        skipped = len(articles) - len(fresh)
        if skipped:
            result.warnings.append(
                f"{source.name}: skipped {skipped} item{'s' if skipped > 1 else ''} published before "
                f"{cutoff:%Y-%m-%d %H:%M} UTC (max_age_days = {source.max_age_days:g}{', first poll' if first_poll else ''})"
            )
        articles = fresh
    articles = _newest(articles, source, result.warnings)
    for article in articles:
        if _wants_page(article, source):
            if article.guid in known_guids:
                continue
            article = _with_full_text(fetcher, source, article, now=now, warnings=result.warnings)
        if article.item.paragraphs or article.item.dateline:
            result.articles.append(article)
        else:
            result.rejected.append(f"{source.name}: {article.guid}: no text (neither in the feed nor on its page)")
    result.state = _succeeded(state, response, len(result.articles))
    return result


def _wire_poll(source: SourceConfig, state: SourceState, response: Response, *, now: dt.datetime) -> PollResult | None:
    """A response that is an agency wire-format document (by content, as for files): its items;
    None for anything else (a feed, a page)."""
    items = formats.read_items(response.content)
    if items is None:
        return None
    articles = wire_articles(items, source=source.name, fetched_at=now, lang=source.lang, fallback_guid=response.url)
    rejected = [f"{source.name}: {item}" for item in items if isinstance(item, formats.FormatError)]
    return PollResult(state=_succeeded(state, response, len(articles)), articles=articles, rejected=rejected)


def _newest(articles: list[Article], source: SourceConfig, warnings: list[str]) -> list[Article]:
    """At most ``max_items`` articles, the newest (undated ones after the dated, earlier in the
    feed first), in feed order: a feed of any length costs one poll a bounded store step."""
    if len(articles) <= source.max_items:
        return articles
    oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    ranked = sorted(
        range(len(articles)),
        key=lambda i: (articles[i].published_at is not None, articles[i].published_at or oldest, -i),
        reverse=True,
    )
    kept = sorted(ranked[: source.max_items])
    warnings.append(
        f"{source.name}: skipped {len(articles) - len(kept):,} of {len(articles):,} items, "
        f"keeping the newest {source.max_items:,} (max_items)"
    )
    return [articles[i] for i in kept]


def _wants_page(article: Article, source: SourceConfig) -> bool:
    if not article.url or source.full_text == "never":
        return False
    return source.full_text == "always" or article.provenance.get("body") == "feed:summary"


def _with_full_text(
    fetcher: Fetcher, source: SourceConfig, article: Article, *, now: dt.datetime, warnings: list[str]
) -> Article:
    assert article.url is not None
    try:
        page = fetcher.get(article.url, accept=HTML_ACCEPT, guard=not source.allow_private, robots=True)
        if page.status == 304 or not page.content:
            raise FetchError("empty page")
        found = extract.page_article(page.content, url=page.url, source=source, headers=page.headers, fetched_at=now)
    except (FetchError, extract.ExtractError) as error:
        warnings.append(f"{source.name}: {short_url(article.url)}: kept the feed summary: {error}")
        return article
    return extract.with_page_text(article, found, source=source, fetched_at=now)


def _poll_page(fetcher: Fetcher, source: SourceConfig, state: SourceState, *, now: dt.datetime) -> PollResult:
    if not source.url:
        raise FetchError("no url")
    response = fetcher.get(
        source.url,
        etag=state.etag,
        last_modified=state.last_modified,
        accept=HTML_ACCEPT,
        robots=True,
        guard=not source.allow_private,
    )
    if response.status == 304:
        return PollResult(state=_succeeded(state, response, 0))
    if (wire := _wire_poll(source, state, response, now=now)) is not None:
        return wire
    article = extract.page_article(
        response.content, url=response.url, source=source, headers=response.headers, fetched_at=now
    )
    return PollResult(state=_succeeded(state, response, 1), articles=[article])


def _poll_dir(
    source: SourceConfig, previous: SourceState | None, *, now: dt.datetime, clock: Callable[[], float]
) -> PollResult:
    folder = source.path
    state = SourceState(name=source.name, kind="dir", url=str(folder), last_poll=now)
    if previous is not None:
        state.consecutive_failures = previous.consecutive_failures
        state.items_seen = previous.items_seen
        state.last_modified = previous.last_modified
    if folder is None or not folder.is_dir():
        return PollResult(state=_failed(state, f"{source.name}: folder not found: {folder}"))
    read_after = _read_mark(state.last_modified)
    complete_before = clock() - SETTLE_SECONDS
    combined = PollResult(state=state)
    for path in inputs.iter_input_files([folder], combined.warnings.append):
        if not read_after < _modified_at(path, complete_before) <= complete_before:
            continue
        one = inputs.read_file(path, source, now=now, guid_base=folder)
        if one.state.last_status == "error" and one.state.last_error:
            combined.rejected.append(one.state.last_error)  # one bad file must not go unnoticed
        combined.articles.extend(one.articles)
        combined.warnings.extend(one.warnings)
        combined.rejected.extend(one.rejected)
        combined.skipped.extend(one.skipped)
    state.last_status, state.last_error, state.consecutive_failures = "ok", None, 0
    state.last_modified = dt.datetime.fromtimestamp(max(read_after, complete_before), dt.timezone.utc).isoformat()
    state.items_seen += len(combined.articles)
    return combined


def _read_mark(text: str | None) -> float:
    """The time up to which a dir source's files were read (-inf: none yet)."""
    try:
        return dt.datetime.fromisoformat(text).timestamp() if text else float("-inf")
    except ValueError:
        return float("-inf")


def _modified_at(path: Path, unknown: float) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # read_file names the reason
        return unknown
