"""wirewatch: monitor news wires for tracked topics.

The modules, in the order an article meets them (each imports only its own stage and earlier
ones; ``tests/test_layout.py`` checks it):

Shared
    errors      every exception, its hierarchy drawn at the top
    model       the plain dataclasses the stages hand each other
    limits      the caps on an article's text, applied before the store
    query       the topic query language: parse, with errors naming the column
    config      wirewatch.toml and topics.toml, read and checked (topic queries through query)
Wire format
    dateline    the structured dateline: place, date, agency
    codec       the seed's text format: parse and render a WireItem
    formats/    other wire formats (NewsML, NITF, ANPA, IPTC 7901, JSON, IIM in pictures) into Articles
Sources and extraction
    extract/    feeds and article pages into Articles (HTML, metadata, site rules as data)
    inputs      local files and folders: wire texts, saved feeds and pages
    fetch       HTTP transport: the polite fetcher (host gates, SSRF guard, robots, deadlines)
    sources     polling a source: one poll for feed, page and dir, poll_each for several at once; the failed-poll record
    cadence     which sources are due at a run, and each one's interval (backing off when quiet)
    websub      WebSub as decisions: hub discovery, signatures, what each subscription needs next
Dedupe
    dedupe      keys, exact duplicates and revisions, MinHash/LSH story links
Speech
    quotes      who said what: direct and reported speech, speakers resolved within the item, when said
Topics
    topics      the matcher: compile_topics, hits, scores and snippets (no rich)
    backtest    what topics would have flagged and alerted over stored articles
    batches     batches checked, keyed and matched, here or in worker processes
Store
    sqlfiles    the SQL of sql/, loaded by name (one loader for store and lake)
    lake        DuckLake attach (SQLite or PostgreSQL catalog) from the extension wheels, merge
                lock, reader confinement, compaction
    columns     Python values as registered Arrow columns and back (naive UTC times)
    backend     a DuckDB file or a lake behind one seam: statements, merge lock, attach, lock holder
    archive_schema  the connection, sql/ statements by name, migrations and views, transactions
    batch_writes    a planned batch written, runs, sources, topic rule versions, retags
    outbox      pending alerts, deliveries, listings, the digest
    archive_admin   compaction, a DuckDB file moved into a lake, Parquet export
    archive_reader  `wirewatch sql` (one statement), named queries, stored articles
    store       the archive, a lake or a DuckDB file: the parts above put together; no domain logic
    subscriptions  WebSub subscriptions and refused-request counts in the archive
    ingest      one batch into the archive in one transaction: read, plan (pure), write; retag
Alerts
    alerts      channels, messages and digests, delivery
Run
    health      one serve per archive (the serve lock), a source's failure streak as alerts of its
                own (failing, recovered), what `wirewatch status` shows
    pipeline    a run: begin, retag, store batches, deliver, finish; summaries
    cli         the wirewatch command
    presentation  matches highlighted (rich) or marked « », JSON lines, backtest reports
    push        serve's WebSub endpoint, subscription manager and push writer (through pipeline)
    web         the read-only web view: topics over time, stories, evidence, alerts, sources (templates/)
(flows/ outside the package: the Prefect flows, thin tasks over pipeline; a wheel carries them as
wirewatch/flows, see cli.flows_module.)
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path as _Path
from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:
    import duckdb

__version__ = "0.1.0"


def connect(
    config: _Path | str | None = None, *, db: _Path | str | None = None, as_of: _dt.datetime | str | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the archive, read-only, with the views (``articles``, ``stories``,
    ``topic_matches``, ``alerts``, ...) defined: for notebooks and scripts.

    ``config`` and ``db`` as for the ``wirewatch`` command (default: ./wirewatch.toml, its
    archive). On a lake (the default) the connection blocks nothing and may stay open for hours:
    each query sees the latest commit, or the archive as it was at ``as_of`` (a datetime, or ISO
    8601 text; UTC unless it says otherwise). On a DuckDB file it holds the file, and writers
    wait until it is closed."""
    from wirewatch.config import load_config
    from wirewatch.store import open_reader

    if isinstance(as_of, str):
        as_of = _dt.datetime.fromisoformat(as_of)
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=_dt.timezone.utc)
    return open_reader(load_config(config, db=db).db, as_of=as_of)
