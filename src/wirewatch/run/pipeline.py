"""The ingest pipeline as plain functions: read or poll sources, store a batch (dedupe, stories,
topic matches, pending alerts, source state: one transaction), deliver due alerts, summarise.

`wirewatch import`, `wirewatch run` (through the Prefect flow) and the flows all call these, so a
scheduled poll and a local import run the same code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from wirewatch import alerts
from wirewatch.ingest import batches
from wirewatch.sources import fetch
from wirewatch.run import health
from wirewatch.ingest import batch as ingest
from wirewatch.run import subscriptions
from wirewatch.topics import matcher as topics
from wirewatch.sources import websub
from wirewatch.sources.cadence import NotDue
from wirewatch.run.health import format_duration
from wirewatch.ingest.batches import BATCH_SIZE, PreparedBatch, article_matcher, batches_of, prepare_batch
from wirewatch.sources.inputs import IMPORT_SOURCE, iter_input_files, keep_since, read_files_job
from wirewatch.config import Config, SourceConfig
from wirewatch.errors import is_interrupt
from wirewatch.ingest.batch import ingest_batch
from wirewatch.sources.poll import poll
from wirewatch.model import AlertRoute, Article, BatchResult, DeliveryResult, PollResult, SourceState, StorySummary, TopicMatch
from wirewatch.archive.store import Store

# Alerts of topics with no channel configured go to the run summary on the console: they are
# recorded like any other, so each story still shows once per topic.
CONSOLE_CHANNEL = ("console", "console")
# Lines of one kind (flagged articles, alerts, rejections) a summary shows before "... and N more":
# a 40,000-file import must not print a line per item. The Prefect artifact keeps the full list.
SCREENFUL = 20


utc_now = alerts.utc_now


@dataclass
class Flagged:
    topic: str
    headline: str
    article_id: str
    story_id: str
    url: str | None
    dateline: str  # "CHEBARKUL, 2011-09-27, TASS"
    terms: tuple[str, ...]
    alert: str = ""  # what came of it: ALERTED, ALREADY_ALERTED, or "" (the topic does not alert)


ALERTED = "alerted"
ALREADY_ALERTED = "no alert: its story already alerted for this topic"


@dataclass
class RunSummary:
    """What one run did, for the console, the Prefect artifacts and the exit status."""

    run_id: str
    sources: list[SourceState] = field(default_factory=list)
    per_source: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> status counts
    new: int = 0
    duplicate: int = 0
    revised: int = 0
    rejected: list[str] = field(default_factory=list)  # one line per item that could not be used
    unreadable: list[str] = field(default_factory=list)  # one line per input that failed as a whole
    skipped: list[str] = field(default_factory=list)  # one line per local file in no known format
    warnings: list[str] = field(default_factory=list)
    flagged: list[Flagged] = field(default_factory=list)
    alerts_created: int = 0
    alert_ids: list[str] = field(default_factory=list)  # the alerts this run created
    console_alerts: list[Flagged] = field(default_factory=list)
    delivered: int = 0
    delivery_failures: list[str] = field(default_factory=list)
    retagged: list[str] = field(default_factory=list)  # topics re-evaluated (new or changed rule)
    not_due: list[NotDue] = field(default_factory=list)  # sources left for a later run (poll_every)
    health: list[health.HealthEvent] = field(default_factory=list)  # health alerts this run raised
    unhealthy: list[str] = field(default_factory=list)  # sources alerted as failing and not recovered

    @property
    def failed_sources(self) -> list[SourceState]:
        return [s for s in self.sources if s.last_status == "error"]


@dataclass(frozen=True)
class RunTopics:
    """The compiled topics of one run and where their alerts go."""

    match: Callable[[Article], Sequence[TopicMatch]] | None
    routes: dict[str, AlertRoute]
    urls: dict[str, str]  # channel key -> secret URL, memory only


def prepare_topics(config: Config, env: Mapping[str, str] | None = None) -> RunTopics:
    """Compile the enabled topics once per run and resolve their alert channels."""
    env = os.environ if env is None else env
    enabled = config.enabled_topics
    if not enabled:
        return RunTopics(None, {}, {})
    origin = config.path.name if config.path else "embedded defaults"
    routes, urls = alerts.routes_for(enabled, config.alerts, env, origin)
    routes = {
        name: route if route.channels else AlertRoute((CONSOLE_CHANNEL,), route.realert_on_update)
        for name, route in routes.items()
    }
    return RunTopics(article_matcher(enabled), routes, urls)


# ---------------------------------------------------------------------------------------------
# Storing, delivering, summarising


def store_polls(
    store: Store,
    run_id: str,
    polls: Sequence[PollResult],
    config: Config,
    compiled: RunTopics,
    *,
    now: dt.datetime,
    summary: RunSummary,
    batch_size: int = BATCH_SIZE,
    keep_states: bool = True,
    prepared: Sequence[PreparedBatch] | None = None,
) -> None:
    """Store the polls' articles in batches; each batch is one transaction with its source states
    (the states ride with the last batch, so validators are saved only once items are).
    ``prepared``: the articles' batches (``batches_of``) already prepared, e.g. by a worker."""
    articles = [a for poll in polls for a in poll.articles]
    states = [poll.state for poll in polls] if keep_states else []
    source_of = {id(a): poll.state.name for poll in polls for a in poll.articles}
    for poll in polls:
        if keep_states:
            summary.sources.append(poll.state)
        elif poll.state.last_status == "error" and poll.state.last_error:
            summary.unreadable.append(poll.state.last_error)
        source_counts(summary, poll.state.name)["rejected"] += len(poll.rejected)
        summary.rejected.extend(poll.rejected)
        summary.warnings.extend(poll.warnings)
        summary.skipped.extend(poll.skipped)
    store_batches = prepared if prepared is not None else batches_of(articles, batch_size)
    for number, batch in enumerate(store_batches):
        last = number == len(store_batches) - 1
        if not isinstance(batch, PreparedBatch):  # here, so the summary shows the articles as stored (capped)
            batch = prepare_batch(batch)
        result = ingest_batch(
            store,
            run_id,
            batch,
            now=now,
            polls=states if last else (),
            match=compiled.match,
            routes=compiled.routes,
            story_window_days=config.story_window_days,
        )
        _count(summary, batch.articles, result, source_of)


def with_push_cadence(store: Store, config: Config, *, now: dt.datetime) -> Config:
    """``config`` with the feeds a hub pushes (an active WebSub subscription) polled only at
    ``websub.safety_poll_every``, to catch a lost notification; unchanged without ``[websub]``."""
    if config.websub is None:
        return config
    pushed = subscriptions.pushed_sources(store, now=now)
    return replace(config, sources=websub.with_safety_cadence(config.sources, pushed, config.websub.safety_poll_every))


def source_counts(summary: RunSummary, name: str) -> dict[str, int]:
    return summary.per_source.setdefault(name, {"new": 0, "duplicate": 0, "revised": 0, "rejected": 0})


def _count(summary: RunSummary, batch: Sequence[Article], result: BatchResult, source_of: Mapping[int, str]) -> None:
    for article, outcome in zip(batch, result.outcomes):
        source_counts(summary, source_of.get(id(article), article.source))[outcome.status] += 1
        if outcome.status == "new":
            summary.new += 1
        elif outcome.status == "duplicate":
            summary.duplicate += 1
        elif outcome.status == "revised":
            summary.revised += 1
        elif outcome.status == "rejected":
            summary.rejected.append(f"{article.source}: {article.guid or article.url}: {outcome.reason}")
    # a duplicate's outcome names the article it copies: only stored versions explain a match
    by_id = {o.article_id: (a, o) for a, o in zip(batch, result.outcomes) if o.status in ("new", "revised")}
    for article_id, match in result.matches:
        article, outcome = by_id[article_id]
        summary.flagged.append(flagged_entry(article, outcome.article_id, outcome.story_id, match))
    summary.alerts_created += len(result.alert_ids)
    summary.alert_ids += result.alert_ids


def dateline_label(place: str | None, date: object, agency: str | None) -> str:
    """"CHEBARKUL, 2011-09-27, TASS", leaving out what is unknown."""
    return ", ".join(str(p) for p in (place, date, agency) if p)


def flagged_entry(article: Article, article_id: str, story_id: str, match: TopicMatch) -> Flagged:
    dateline = article.item.dateline
    return Flagged(
        topic=match.topic,
        headline=article.item.headline,
        article_id=article_id,
        story_id=story_id,
        url=article.url,
        dateline="" if dateline is None else dateline_label(dateline.place, dateline.date or dateline.date_text, dateline.agency),
        terms=match.terms,
    )


def deliver_alerts(
    store: Store,
    config: Config,
    compiled: RunTopics,
    *,
    now: dt.datetime,
    summary: RunSummary,
    waiting_too: bool = False,
    clock: Callable[[], dt.datetime] = utc_now,
) -> None:
    """Send every due alert of a configured channel; console alerts are shown in the summary.
    ``waiting_too``: also the pending alerts still waiting out their retry backoff. ``clock``
    stamps each alert's delivery (``sent_at``); ``now`` is the run's time, for retry backoff."""
    due_by = dt.datetime.max.replace(tzinfo=dt.timezone.utc) if waiting_too else now
    # one writer at a time selects, sends and records: another never sends what this one sends
    with store.delivery_turn():
        due = store.due_alerts(now=due_by, max_attempts=config.alerts.max_attempts)
        console = [a for a in due if a.channel_key == CONSOLE_CHANNEL[0]]
        # alerts of a channel no longer configured go too: they fail, and end as failed
        remote = [a for a in due if a.channel_key != CONSOLE_CHANNEL[0]]
        sent = alerts.deliver(remote, compiled.urls, digest_threshold=config.alerts.digest_threshold, clock=clock) if remote else []
        shown_at = clock() if console else None  # the run's summary shows them
        results: list[DeliveryResult] = [DeliveryResult(a.alert_id, True, sent_at=shown_at) for a in console] + sent
        if results:
            store.record_deliveries(
                results, now=now, max_attempts=config.alerts.max_attempts, backoff_seconds=config.alerts.retry_backoff_seconds
            )
    for alert in console:
        summary.console_alerts.append(
            Flagged(
                topic=alert.topic,
                headline=alert.headline,
                article_id=alert.article_id,
                story_id=alert.story_id,
                url=alert.url,
                dateline=dateline_label(alert.dateline_place, alert.dateline_date, alert.agency),
                terms=alert.terms,
            )
        )
    summary.delivered += sum(r.ok for r in sent)
    summary.delivery_failures += [f"alert {r.alert_id}: {r.error}" for r in sent if not r.ok]


def raise_health_alerts(
    store: Store, config: Config, compiled: RunTopics, *, now: dt.datetime, summary: RunSummary,
    env: Mapping[str, str] | None = None,
) -> None:  # fmt: skip
    """Alert the channels once when a polled source's failure streak reaches
    ``alerts.alert_after_failures``, and once when it recovers; keep what was raised, and note in
    the summary the sources still failing. The channels: ``[alerts] channels``, else every
    topic's; without any, the summary's lines are the alert."""
    env = os.environ if env is None else env
    open_failures = {name: health.OpenFailure(*row) for name, row in store.open_health_failures().items()}
    events = health.health_events(summary.sources, open_failures, config.alerts.alert_after_failures)
    urls, problems = health_channels(config, compiled, env)
    summary.delivery_failures += problems
    rows = []
    for event in events:
        message = health.health_message(event, now=now)
        sent = [alerts.send_message(message, url, ref=f"health-{event.source}") for url in urls]
        summary.delivery_failures += [f"health alert for {event.source}: {r.error}" for r in sent if not r.ok]
        rows.append((event.source, event.kind, event.failures, event.error, len(sent), sum(not r.ok for r in sent)))
    if rows:
        store.record_health_alerts(rows, run_id=summary.run_id, now=now)
    summary.health = events
    still = set(open_failures) | {e.source for e in events if e.kind == health.FAILING}
    configured = {s.name for s in config.sources if s.enabled}  # a source removed or disabled fails no run
    summary.unhealthy = sorted((still & configured) - {e.source for e in events if e.kind == health.RECOVERED})


def health_channels(config: Config, compiled: RunTopics, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """The channel URLs health alerts go to, and a line per configured channel that cannot be used."""
    if not config.alerts.channels:
        return list(dict.fromkeys(compiled.urls.values())), []
    urls, problems = [], []
    for raw in config.alerts.channels:
        try:
            urls.append(alerts.expand_channel(raw, env))
        except alerts.ChannelError as error:
            problems.append(f"health alerts: {error}")
    return list(dict.fromkeys(urls)), problems


def note_alert_outcomes(store: Store, summary: RunSummary) -> None:
    """Say of each flagged article whether it alerted, or why not: its story had already alerted
    for the topic (earlier, or through another article of this run)."""
    if not summary.flagged:
        return
    created = set(summary.alert_ids)
    alerted_by, alerted_stories = set(), set()
    for alert_id, topic, story_id, article_id in store.story_topic_alerts(sorted({f.story_id for f in summary.flagged})):
        alerted_stories.add((topic, story_id))
        if alert_id in created:
            alerted_by.add((topic, story_id, article_id))
    for f in summary.flagged:
        if (f.topic, f.story_id, f.article_id) in alerted_by:
            f.alert = ALERTED
        elif (f.topic, f.story_id) in alerted_stories:
            f.alert = ALREADY_ALERTED


def error_count(summary: RunSummary) -> int:
    """What a run records as its errors: failed sources, unreadable inputs, rejected items."""
    return len(summary.failed_sources) + len(summary.unreadable) + len(summary.rejected)


def summary_lines(summary: RunSummary) -> list[str]:
    """The run summary as plain lines (console and Prefect logs). Every list stops at a
    screenful, then says how many more there are."""
    lines = [f"topic {name}: rule new or changed, stored articles re-evaluated (no alerts)" for name in summary.retagged]
    lines += source_lines(summary)
    if summary.not_due:
        count, soonest = len(summary.not_due), min(n.due_in for n in summary.not_due)
        lines.append(f"not due: {count} source{'s' if count > 1 else ''} (poll_every), the next in {format_duration(soonest)}")
    lines += [health.health_line(event) for event in summary.health]
    if summary.unhealthy:
        lines.append(f"health: failing, alerted and not recovered: {', '.join(summary.unhealthy[:SCREENFUL])}"
                     + (f" ... and {len(summary.unhealthy) - SCREENFUL} more" if len(summary.unhealthy) > SCREENFUL else ""))  # fmt: skip
    lines += counted("unreadable", summary.unreadable)
    lines += skipped_lines(summary.skipped)
    lines.append(
        f"items: {summary.new} new, {summary.duplicate} duplicate, {summary.revised} revised, "
        f"{len(summary.rejected)} rejected"
    )
    lines += counted("rejected", summary.rejected)
    lines += counted("warning", summary.warnings)
    for f in summary.flagged[:SCREENFUL]:
        lines.append(f"flagged [{f.topic}] {f.headline}{in_brackets(f.dateline)} terms: {', '.join(f.terms)}{'; ' + f.alert if f.alert else ''}")
    lines += more_line("flagged", summary.flagged)
    lines.append(alerts_line(summary))
    lines += counted("alert failed", summary.delivery_failures, "wirewatch alerts list --status pending")
    lines += [f"alert [{a.topic}] {a.headline}{in_brackets(a.dateline)} story {a.story_id}" for a in summary.console_alerts[:SCREENFUL]]
    lines += more_line("alert", summary.console_alerts, "wirewatch alerts list")
    return lines


def source_line(summary: RunSummary, state: SourceState) -> str:
    if state.last_status == "error":
        return f"source {state.name}: FAILED: {state.last_error}"
    counts = summary.per_source.get(state.name, {})
    return (f"source {state.name}: {state.last_status}, {counts.get('new', 0)} new, "
            f"{counts.get('duplicate', 0)} duplicate, {counts.get('revised', 0)} revised")  # fmt: skip


def is_quiet(summary: RunSummary, state: SourceState) -> bool:
    """A source this run neither failed nor got anything from (nothing new, revised or rejected,
    not failing): most of a large run's sources, each a 304."""
    counts = summary.per_source.get(state.name, {})
    return (state.last_status != "error" and state.name not in summary.unhealthy
            and not any(counts.get(k, 0) for k in ("new", "revised", "rejected")))  # fmt: skip


def listed_sources(summary: RunSummary) -> tuple[list[SourceState], dict[str, list[SourceState]]]:
    """The sources a summary names one by one, and the rest by status. Every source when they
    fit a screenful; past it, only those that failed or brought something (``is_quiet``), so that
    a run over thousands of feeds reports a few lines and rows, not one per feed."""
    if len(summary.sources) <= SCREENFUL:
        return list(summary.sources), {}
    listed, quiet = [], {}
    for state in summary.sources:
        if is_quiet(summary, state):
            quiet.setdefault(state.last_status or "", []).append(state)
        else:
            listed.append(state)
    return listed, dict(sorted(quiet.items()))


def source_lines(summary: RunSummary) -> list[str]:
    """The listed sources' lines (a screenful, then counted), then one count of the quiet rest."""
    listed, quiet = listed_sources(summary)
    lines = counted("source", [source_line(summary, state) for state in listed], "wirewatch status", prefixed=False)
    if quiet:
        by_status = ", ".join(f"{status} {len(states):,}" for status, states in quiet.items())
        lines.append(f"sources with nothing new: {sum(map(len, quiet.values())):,} ({by_status})")
    return lines


def counted(label: str, entries: Sequence[str], command: str | None = None, *, prefixed: bool = True) -> list[str]:
    """The first screenful of ``entries`` (each as "label: entry" when ``prefixed``), then
    "label: ... and N more" (with the command that lists them all, if there is one)."""
    shown = [f"{label}: {entry}" if prefixed else entry for entry in entries[:SCREENFUL]]
    hidden = len(entries) - SCREENFUL
    if hidden > 0:
        shown.append(f"{label}: ... and {hidden:,} more" + (f" ({command})" if command else ""))
    return shown


def skipped_lines(skipped: Sequence[str]) -> list[str]:
    """The count of files skipped as in no known format, then the first screenful of them."""
    if not skipped:
        return []
    return [f"skipped: {len(skipped):,} file{'s' if len(skipped) != 1 else ''} in no known format"] + counted("skipped", skipped)


def in_brackets(dateline: str) -> str:
    """" (CHEBARKUL, 2011-09-27, TASS)" after a headline, nothing when there is no dateline."""
    return f" ({dateline})" if dateline else ""


def more_line(label: str, entries: Sequence[Flagged], command: str | None = None) -> list[str]:
    """The line that stands for the entries past the first screenful, per topic, with the command
    that lists them all (default: ``wirewatch stories --topic``)."""
    hidden = entries[SCREENFUL:]
    if not hidden:
        return []
    if command:
        return [f"{label}: ... and {len(hidden):,} more ({command})"]
    per_topic: dict[str, int] = {}
    for entry in hidden:
        per_topic[entry.topic] = per_topic.get(entry.topic, 0) + 1
    if len(per_topic) == 1:
        return [f"{label}: ... and {len(hidden):,} more (wirewatch stories --topic {hidden[0].topic})"]
    counts = ", ".join(f"{topic} {count:,}" for topic, count in per_topic.items())
    return [f"{label}: ... and {len(hidden):,} more: {counts} (wirewatch stories --topic NAME)"]


def alerts_line(summary: RunSummary) -> str:
    """New: alerts this run created (one per story, topic and channel). Sent: delivered now, to
    channels or, for topics without one, to this console (`alerts list` shows those as sent)."""
    console = len(summary.console_alerts)
    sent = summary.delivered + console
    to_console = f" ({console} to this console, below: topics without a channel)" if console else ""
    already = sum(f.alert == ALREADY_ALERTED for f in summary.flagged)
    not_again = f"; {already} flagged without a new alert (story already alerted)" if already else ""
    return f"alerts: {summary.alerts_created} new, {sent} sent{to_console}, {len(summary.delivery_failures)} failed{not_again}"


class PeriodicProgress:
    """An import's progress as plain lines (for a pipe, a file or a Prefect log): one when
    ``interval`` seconds have passed since the last, and one at the end; each with the count, the
    rate and the time left at that rate."""

    def __init__(self, emit: Callable[[str], None], label: str, *, interval: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.emit, self.label, self.interval, self.clock = emit, label, interval, clock
        self.started = self.last = clock()

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done < total and now - self.last < self.interval:
            return
        self.last = now
        rate = done / (now - self.started) if now > self.started else 0.0
        left = f", {format_duration((total - done) / rate)} left" if rate and done < total else ""
        self.emit(f"{self.label}: {done:,} of {total:,} inputs read ({rate:,.0f}/s{left})")


class PollProgress:
    """A run's polling as plain lines (stderr of `wirewatch run`, the Prefect log of a served
    run) while it lasts: every ``interval`` seconds, from a thread of its own, the sources
    polled so far and the fetches per host (a summary-only feed's article pages keep a run busy
    for minutes with no source finished); and a last line at the end if it said anything before.
    ``polled`` is thread-safe: pass it as ``poll_each``'s ``on_polled``."""

    def __init__(self, emit: Callable[[str], None], sources: int, fetcher: fetch.Fetcher | None, *,
                 interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.emit, self.sources, self.fetcher, self.interval, self.clock = emit, sources, fetcher, interval, clock
        self.done = 0
        self.spoke = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="poll-progress", daemon=True)

    def polled(self, result: PollResult) -> None:
        with self._lock:
            self.done += 1

    def __enter__(self) -> PollProgress:
        self.started = self.clock()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.spoke:
            self.emit(self.line(done=True))

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            self.spoke = True
            self.emit(self.line())

    def line(self, *, done: bool = False) -> str:
        """"poll: 2 of 6 sources polled, 143 fetched (news.example 120, wire.example 23), 1m40s"."""
        with self._lock:
            polled = self.done
        fetched = self.fetcher.fetched() if self.fetcher is not None else {}
        hosts = sorted(fetched.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{host} {count:,}" for host, count in hosts[:SCREENFUL])
        if len(hosts) > SCREENFUL:
            shown += f" ... and {len(hosts) - SCREENFUL} more hosts"
        per_host = f" ({shown})" if shown else ""
        took = format_duration(self.clock() - self.started)
        return (f"poll: {polled:,} of {self.sources:,} sources polled, {sum(fetched.values()):,} fetched{per_host},"
                f" {took}{' (done)' if done else ''}")  # fmt: skip


def import_paths(
    store: Store,
    config: Config,
    paths: Sequence[str | Path],
    *,
    urls: Sequence[str] = (),
    since: dt.date | None = None,
    kind: str = "import",
    alert: bool = True,
    now: dt.datetime | None = None,
    env: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    alert_history: bool = False,
    workers: int | None = None,
    batch_files: int | None = None,
) -> RunSummary:
    """`wirewatch import` and the backfill flow: read local inputs (then fetch article ``urls``)
    and run them through the same pipeline as a poll (dedupe, stories, topics, alerts), batch by
    batch, delivering the alerts it created. ``since``: keep only items dated on or after it.
    ``alert``: false stores matches without creating alerts (history). ``alert_history``: a new
    or changed topic also alerts on the stored stories it now matches. ``workers``: processes
    that read, key and match batches while this one writes (default: one per core when there is
    more than one batch of files; 0: all in this process). ``batch_files``: files read per job
    (default: as many as the articles of one store transaction, ``batches.batch_size``)."""
    now = now or utc_now()
    compiled = prepare_topics(config, env)
    if not alert:
        compiled = replace(compiled, routes={})
    walked: list[str] = []  # the folder walk's lines (files skipped), shown with the run's warnings
    files = list(iter_input_files((Path(p) for p in paths), walked.append))
    with run_lifecycle(store, config, compiled, kind=kind, now=now, alert_history=alert_history) as summary:
        summary.warnings.extend(walked)
        _import_files(store, config, compiled, files, urls, since=since, now=now, summary=summary, progress=progress,
                      workers=workers, batch_files=batch_files)  # fmt: skip
    return summary


@contextlib.contextmanager
def run_lifecycle(
    store: Store, config: Config, compiled: RunTopics, *, kind: str, now: dt.datetime, alert_history: bool = False
) -> Iterator[RunSummary]:
    """One run, the same for a poll, an import and a backfill: begin the run, re-evaluate new or
    changed topics, then (the block stores the batches into the summary given) deliver the due
    alerts, say which flagged articles alerted, and finish the run with its error count."""
    stop_dead_runs(store, now=now)
    run_id = store.begin_run(kind, now=now)
    try:
        summary = RunSummary(run_id=run_id)
        summary.retagged = retag_changed_topics(
            store, config, now=now, alert_history=compiled if alert_history else None, run_id=run_id, summary=summary
        )
        yield summary
        deliver_alerts(store, config, compiled, now=now, summary=summary)
        note_alert_outcomes(store, summary)
    except BaseException as error:
        # Ctrl-C or SIGTERM (KeyboardInterrupt, SystemExit) or a failure: the run ends here, and
        # says so, rather than stay "running" (the batches stored before are kept)
        with contextlib.suppress(Exception):
            store.stop_runs([run_id], now=utc_now(), status="interrupted" if is_interrupt(error) else "failed")
        raise
    store.finish_run(run_id, now=utc_now(), errors=error_count(summary))


def stop_dead_runs(store: Store, *, now: dt.datetime) -> None:
    """Runs of this machine whose process is gone (kill -9, a crash, a power cut) are interrupted."""
    dead = [run_id for run_id, pid in store.running_runs() if not process_alive(pid)]
    if dead:
        store.stop_runs(dead, now=now, status="interrupted")


def process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _import_files(
    store: Store,
    config: Config,
    compiled: RunTopics,
    files: Sequence[Path],
    urls: Sequence[str],
    *,
    since: dt.date | None,
    now: dt.datetime,
    summary: RunSummary,
    progress: Callable[[int, int], None] | None,
    workers: int | None,
    batch_files: int | None,
) -> None:
    """The files in batches (read, keyed and matched in worker processes when ``workers``), then
    the article URLs, stored into the run of ``summary``."""
    run_id, total = summary.run_id, len(files) + len(urls)
    done = 0
    enabled = config.enabled_topics
    if workers is None:
        workers = import_workers(len(files))
    size = batches.batch_size(workers, lake=store.lake is not None)
    batch_files = batch_files or size
    jobs = [files[start : start + batch_files] for start in range(0, len(files), batch_files)]
    read = partial(read_files_job, now=now, since=since)
    with store.single_threaded() if workers else contextlib.nullcontext():
        for batch, prepared in batches.prepared_batches(jobs, read, enabled, workers=workers, size=size):
            # imported files are not configured sources: no poll state is kept for them
            store_polls(store, run_id, batch.polls, config, compiled, now=now, summary=summary, batch_size=size,
                        keep_states=False, prepared=prepared)  # fmt: skip
            done += batch.files
            if progress:
                progress(done, total)
    if urls:
        pages = fetch_pages(urls, config, now=now)
        if since is not None:
            keep_since(pages, since)
        store_polls(store, run_id, pages, config, compiled, now=now, summary=summary, keep_states=False)
        if progress:
            progress(total, total)


def fetch_pages(urls: Sequence[str], config: Config, *, now: dt.datetime) -> list[PollResult]:
    """Each article URL fetched and extracted as one PollResult (of the import source)."""
    page_source = SourceConfig(name=IMPORT_SOURCE.name, kind="page", url=urls[0], allow_private=config.allow_private)
    with fetch.Fetcher(config.http) as fetcher:
        return [poll(replace(page_source, url=url), None, fetcher=fetcher, now=now) for url in urls]


def import_workers(files: int) -> int:
    """The default number of worker processes for an import of ``files`` files (by their number
    of one-process batches, ``BATCH_SIZE`` each). Also into a large archive: with batches staged
    as Arrow tables the writer no longer bounds the import there (bench: lake_import
    --archive-size)."""
    return batches.default_workers(-(-files // BATCH_SIZE))


def retag(store: Store, config: Config, *, names: Sequence[str] | None, days: int, now: dt.datetime) -> int:
    """Re-evaluate the window's stored articles for the named topics (default: every enabled
    topic); their matches are replaced and no alert is created."""
    chosen = [t for t in config.enabled_topics if not names or t.name in names]
    if not chosen:
        return 0
    return ingest.retag(
        store,
        [t.name for t in chosen],
        article_matcher(chosen),
        since=now - dt.timedelta(days=days),
        now=now,
        rule_versions={t.name: topics.rule_version(t.query) for t in chosen},
    )


def retag_changed_topics(
    store: Store,
    config: Config,
    *,
    now: dt.datetime,
    alert_history: RunTopics | None = None,
    run_id: str | None = None,
    summary: RunSummary | None = None,
) -> list[str]:
    """Topics that are new or whose query changed since their matches were stored are
    re-evaluated over the story window before a batch is stored. They do not alert (a new rule
    must not flood the channels with old stories) unless ``alert_history`` gives the compiled
    topics whose routes to alert through. Returns the topics re-evaluated."""
    stored = store.topic_rule_versions()
    stale = [t.name for t in config.enabled_topics if stored.get(t.name) != topics.rule_version(t.query)]
    if not stale:
        return []
    matches = retag(store, config, names=stale, days=config.story_window_days, now=now)
    if not matches and not any(name in stored for name in stale):
        return []  # new topics over an archive with nothing for them (a first run): nothing to say
    if alert_history is not None:
        routes = {name: route for name, route in alert_history.routes.items() if name in stale}
        since = now - dt.timedelta(days=config.story_window_days)
        created = store.alert_history(routes, since=since, now=now, run_id=run_id)
        if summary is not None:
            summary.alerts_created += len(created)
    return stale


def send_daily_digests(
    store: Store, config: Config, *, hours: int, now: dt.datetime, env: Mapping[str, str] | None = None
) -> list[DeliveryResult]:
    """Send each topic's summary of the stories first seen in the last ``hours`` to its channels;
    topics with no match in that time send nothing. One result per message (errors redacted)."""
    compiled = prepare_topics(config, env)
    by_topic: dict[str, list[StorySummary]] = {}
    for topic, story in store.daily_digest(since=now - dt.timedelta(hours=hours)):
        by_topic.setdefault(topic, []).append(story)
    results = []
    for topic, stories in by_topic.items():
        route = compiled.routes.get(topic)
        if route is None:
            continue
        message = alerts.format_daily_digest(topic, stories, day=now.date())
        for key, _redacted in route.channels:
            if key in compiled.urls:
                results.append(alerts.send_message(message, compiled.urls[key], ref=f"digest-{topic}"))
    return results
