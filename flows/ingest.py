"""The scheduled monitoring job: poll sources concurrently, store one batch, deliver alerts, report.

One task per batch of sources and one writer task per run, never one task per article (each task
run costs Prefect milliseconds of client and server time).
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from prefect.futures import wait
from prefect.states import Failed, State

from wirewatch.sources import cadence
from wirewatch.sources import fetch
from wirewatch.run import pipeline
from wirewatch.config import Config, SourceConfig, load_config
from wirewatch.model import PollResult, SourceState
from wirewatch.run.pipeline import RunSummary
from wirewatch.sources.poll import failed_poll, poll_each
from wirewatch.archive.store import open_store

LOCK_TIMEOUT_SECONDS = 120.0
SUMMARY_RECORD = "wirewatch_summary"  # marks the summary's log records: `wirewatch run` prints its own
# Sources per poll task: a task run costs the Prefect server and client alike whatever it does,
# so a run of hundreds of sources makes a handful of tasks, not one each; past POLL_TASKS tasks
# they grow instead. Prefect runs a flow's tasks all at once (its thread pool is unbounded), and
# POLL_TASKS x POLL_THREADS polls in flight fill the Fetcher's connection pool, not more.
SOURCES_PER_TASK = 100
POLL_TASKS = 8
# Polls in flight per task: enough to keep the per-host gates busy across a few hosts, few
# enough that a handful of tasks stays within the Fetcher's connection pool.
POLL_THREADS = 8
KNOWN_GUID_DAYS = 30  # feeds list days of items, rarely weeks
PROGRESS_SECONDS = 10.0  # a long run's polling progress, in its log, this often
FAILING_SOURCES = "Failing sources"  # the state name of an ingest run while a source is failing


@task(name="poll-sources", cache_policy=NO_CACHE)
def poll_sources(
    sources: list[SourceConfig], states: dict[str, SourceState], fetcher: fetch.Fetcher,
    known: dict[str, set[str]], now: dt.datetime, progress: pipeline.PollProgress | None = None,
) -> list[PollResult]:  # fmt: skip
    """Poll a batch of sources concurrently. No Prefect retries: a transient failure is retried by
    the Fetcher within the run (``http.retries``), then recorded, and the source is polled again
    at its usual pace, where a Prefect retry would hold back the whole run's alerts."""
    return poll_each(sources, states, fetcher=fetcher, now=now, known_guids=known, threads=POLL_THREADS,
                     on_polled=progress.polled if progress else None)  # fmt: skip


def poll_all(
    config: Config, states: dict[str, SourceState], known: dict[str, set[str]], now: dt.datetime,
    *, every_source: bool = False,
) -> tuple[list[PollResult], list[cadence.NotDue]]:  # fmt: skip
    """Poll the sources that are due (``every_source``: every enabled source) in tasks of up to
    SOURCES_PER_TASK; the sources of a task that raised are recorded as failed. Returns the
    polls, each with the interval to its next poll, and the sources left for a later run."""
    sources, not_due = cadence.due_sources(config.sources, states, now, every_source=every_source)
    size = max(SOURCES_PER_TASK, -(-len(sources) // POLL_TASKS))
    batches = [sources[i : i + size] for i in range(0, len(sources), size)]
    with fetch.Fetcher(config.http) as fetcher:  # one client: per-host limits hold across sources
        with pipeline.PollProgress(get_run_logger().info, len(sources), fetcher, interval=PROGRESS_SECONDS) as progress:
            futures = [
                poll_sources.submit(  # each task gets its own sources' part: Prefect walks every parameter
                    batch,
                    {s.name: states[s.name] for s in batch if s.name in states},
                    fetcher,
                    {s.name: known[s.name] for s in batch if s.name in known},
                    now,
                    progress,
                )
                for batch in batches
            ]
            wait(futures)
    polls = []
    for batch, future in zip(batches, futures, strict=True):
        try:
            results = future.result()
        except Exception as error:  # a bug in the task, not a source's failure: record it, go on
            results = [failed_poll(s, states.get(s.name), str(error), now=now) for s in batch]
        polls += [
            cadence.paced(p, s, states.get(s.name), known.get(s.name, set())) for s, p in zip(batch, results, strict=True)
        ]
    return polls, not_due


@task(name="store-batch", cache_policy=NO_CACHE)
def store_and_deliver(
    config: Config, polls: list[PollResult], now: dt.datetime, alert_history: bool = False,
    not_due: list[cadence.NotDue] | None = None,
) -> RunSummary:  # fmt: skip
    """The one writer: dedupe, revisions, stories, topic matches, pending alerts and source state
    in one transaction per batch, then delivery of the alerts it created."""
    compiled = pipeline.prepare_topics(config)
    with open_store(config.db, lock_timeout=LOCK_TIMEOUT_SECONDS) as store:
        with pipeline.run_lifecycle(store, config, compiled, kind="ingest", now=now, alert_history=alert_history) as summary:
            summary.not_due = list(not_due or ())
            pipeline.store_polls(store, summary.run_id, polls, config, compiled, now=now, summary=summary)
            pipeline.raise_health_alerts(store, config, compiled, now=now, summary=summary)
    return summary


def flagged_table(summary: RunSummary) -> list[dict[str, str]]:
    """Every flagged article of the run, for its artifact (the summary lines stop at a screenful)."""
    return [
        {"topic": f.topic, "headline": f.headline, "dateline": f.dateline, "link": f.url or "", "story": f.story_id,
         "alert": f.alert}  # fmt: skip
        for f in summary.flagged
    ] or [{"topic": "", "headline": "(nothing flagged)", "dateline": "", "link": "", "story": "", "alert": ""}]


def sources_table(summary: RunSummary) -> list[dict[str, str | int]]:
    """A row per source the summary lists (``pipeline.listed_sources``), then one per status
    counting the quiet rest: thousands of rows every minute cost the Prefect server more than
    the polls that make them."""
    listed, quiet = pipeline.listed_sources(summary)

    def counts(states: list[SourceState]) -> dict[str, int]:
        return {k: sum(summary.per_source.get(s.name, {}).get(k, 0) for s in states)
                for k in ("new", "duplicate", "revised", "rejected")}  # fmt: skip

    rows: list[dict[str, str | int]] = [
        {"source": s.name, "status": s.last_status or "", "failed polls in a row": s.consecutive_failures,
         "health": "FAILING (alerted)" if s.name in summary.unhealthy else "", **counts([s]), "error": s.last_error or ""}
        for s in listed
    ]  # fmt: skip
    rows += [{"source": f"({len(states):,} sources with nothing new)", "status": status, "failed polls in a row": 0,
              "health": "", **counts(states), "error": ""} for status, states in quiet.items()]  # fmt: skip
    return rows


def report(summary: RunSummary, *, events: bool = True) -> None:
    """The summary in the run's log, Prefect artifacts (flagged articles, per-source table) and,
    unless ``events`` is off (for history that must not alert), one event per flagged article."""
    logger = get_run_logger()
    for line in pipeline.summary_lines(summary):
        logger.info(line, extra={SUMMARY_RECORD: True})
    create_table_artifact(
        key="flagged-articles",
        table=flagged_table(summary),
        description="Articles newly flagged by a tracked topic in this run (all of them: the log shows the first few)",
    )
    create_table_artifact(
        key="sources",
        table=sources_table(summary),
        description="Per-source results of this run: the sources that failed or brought something, then the rest counted",
    )
    for f in summary.flagged if events else ():
        emit_event(
            event="wirewatch.topic.matched",
            resource={
                "prefect.resource.id": f"wirewatch.article.{f.article_id}",
                "wirewatch.topic": f.topic,
                "wirewatch.story": f.story_id,
                "wirewatch.article": f.article_id,
            },
            payload={"headline": f.headline, "dateline": f.dateline, "terms": list(f.terms), "url": f.url},
        )


@flow(name="ingest", log_prints=True)
def ingest(
    config_path: str | None = None, db: str | None = None, alert_history: bool = False, every_source: bool = False
) -> RunSummary | State:
    """Poll the sources that are due (each per its ``poll_every``), store what is new, flag
    topics, deliver alerts. ``alert_history``: a new or changed topic rule also alerts on the
    stored stories it matches. ``every_source``: poll every enabled source, due or not.

    While a source is failing past ``alerts.alert_after_failures`` the run ends Failed, named
    FAILING_SOURCES (everything it stored stays), so that a dashboard counts it; its result is
    still the summary (``state.result(raise_on_failure=False)``)."""
    config = load_config(config_path, db=db)
    pipeline.prepare_topics(config)  # a bad query or channel fails the run before any fetch
    for warning in config.warnings:
        get_run_logger().warning(warning)
    now = pipeline.utc_now()
    with open_store(config.db, lock_timeout=LOCK_TIMEOUT_SECONDS) as store:
        states = store.source_states()
        known = store.known_guids(since=now - dt.timedelta(days=KNOWN_GUID_DAYS))
        config = pipeline.with_push_cadence(store, config, now=now)
    polls, not_due = poll_all(config, states, known, now, every_source=every_source)
    summary = store_and_deliver(config, polls, now, alert_history=alert_history, not_due=not_due)
    report(summary)
    if summary.unhealthy:
        failing = ", ".join(summary.unhealthy)
        return Failed(name=FAILING_SOURCES, message=f"sources failing (alerted): {failing}", data=summary)
    return summary


@flow(name="backfill", log_prints=True)
def backfill(
    paths: list[str],
    since: str | None = None,
    alert: bool = False,
    config_path: str | None = None,
    db: str | None = None,
) -> RunSummary:
    """Ingest local files or folders (wire text, saved feeds, saved pages) and article URLs,
    keeping items published on or after ``since`` (YYYY-MM-DD). History does not alert unless
    ``alert`` is true; its matches are stored either way."""
    logger = get_run_logger()
    config = load_config(config_path, db=db)
    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    with open_store(config.db, lock_timeout=LOCK_TIMEOUT_SECONDS) as store:
        # Batch by batch, like `wirewatch import`, but in this process: a flow run may be a
        # subprocess of a Prefect worker, where starting worker processes of our own is not safe.
        summary = pipeline.import_paths(
            store,
            config,
            [p for p in paths if p not in urls],
            urls=urls,
            since=dt.date.fromisoformat(since) if since else None,
            kind="backfill",
            alert=alert,
            workers=0,
            progress=pipeline.PeriodicProgress(logger.info, "backfill"),
        )
    report(summary, events=alert)
    return summary


@flow(name="retag", log_prints=True)
def retag(topics: list[str] | None = None, days: int = 14, config_path: str | None = None, db: str | None = None) -> int:
    """Re-evaluate stored articles of the last ``days`` against the current topics (all, or the
    named ones), replacing their matches. Never alerts."""
    config = load_config(config_path, db=db)
    with open_store(config.db, lock_timeout=LOCK_TIMEOUT_SECONDS) as store:
        changed = pipeline.retag(store, config, names=topics, days=days, now=pipeline.utc_now())
    get_run_logger().info("retag: %d matches stored after re-evaluation", changed)
    return changed


@flow(name="digest", log_prints=True)
def digest(hours: int = 24, config_path: str | None = None, db: str | None = None) -> int:
    """Send each topic's summary of the last ``hours`` (matches, stories, top headlines) to its
    channels. Returns the number of messages sent."""
    config = load_config(config_path, db=db)
    with open_store(config.db, lock_timeout=LOCK_TIMEOUT_SECONDS) as store:
        results = pipeline.send_daily_digests(store, config, hours=hours, now=pipeline.utc_now())
    logger = get_run_logger()
    for failed in (r for r in results if not r.ok):
        logger.warning("digest %s: %s", failed.alert_id, failed.error)
    sent = sum(r.ok for r in results)
    logger.info("digest: %d messages sent, %d failed", sent, len(results) - sent)
    return sent
