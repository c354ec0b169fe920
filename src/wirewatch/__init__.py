"""wirewatch: monitor news wires for tracked topics.

The stages, in the order an article meets them: a package per stage (a shared module, or a
stage of one module, stands alone). Each imports only its own stage and earlier ones;
``tests/test_layout.py`` checks it.

Shared: errors, model, limits, query, config
    errors      every exception, its hierarchy drawn at the top
    model       the plain dataclasses the stages hand each other
    limits      the caps on an article's text, applied before the store
    query       the topic query language: parse, with errors naming the column
    config      wirewatch.toml and topics.toml, read and checked (topic queries through query)
wire/           the seed's wire format
    dateline    the structured dateline: place, date, agency
    codec       parse and render a WireItem
sources/        reading: every kind of input, and polling it
    formats/    agency formats (NewsML-G2, NewsML 1.2, NITF, ANPA, IPTC 7901, JSON, IIM in pictures)
    extract/    feeds and article pages (HTML, metadata, site rules as data)
    inputs      local files and folders, recognised by content
    fetch       HTTP transport: the polite fetcher (host gates, SSRF guard, robots, deadlines)
    poll        polling a source: one poll for feed, page and dir, poll_each for several at once
    cadence     which sources are due at a run, and each one's interval (backing off when quiet)
    websub      WebSub as decisions: hub discovery, signatures, what each subscription needs next
dedupe          keys, exact duplicates and revisions, MinHash/LSH story links
quotes          who said what: direct and reported speech, speakers resolved within the item, when said
topics/         the matcher (compile_topics, hits, scores, snippets; no rich) and backtests
archive/        the store: a DuckDB file or a lake, behind one seam; no domain logic
    sqlfiles    the SQL of sql/, loaded by name
    lake        DuckLake attach (SQLite or PostgreSQL catalog) from the extension wheels, merge
                lock, reader confinement, compaction in pieces
    columns     Python values as registered Arrow columns and back (naive UTC times)
    backend     a DuckDB file or a lake behind one seam: statements, merge lock, attach, lock holder
    schema      the connection, sql/ statements by name, migrations and views, transactions
    batch_writes    a planned batch written, runs, sources, topic rule versions, retags, quotes
    outbox      pending alerts, deliveries, listings, the digest
    admin       compaction, a DuckDB file moved into a lake, Parquet export
    reader      `wirewatch sql` (one statement), named queries, stored articles
    store       the parts above put together as Store; open_store, open_reader
ingest/         batches into the archive
    batches     batches checked, keyed, matched and quoted, here or in worker processes
    batch       one batch in one transaction: read, plan (pure), write; retag and requote
alerts          channels, messages and digests, delivery
run/            a run and what runs beside it
    pipeline    a run: begin, retag, store batches, deliver, finish; summaries
    health      one serve per archive (the serve lock), failing sources as alerts, `status`
    subscriptions  WebSub subscriptions and refused-request counts in the archive
    push        serve's WebSub endpoint, subscription manager and push writer (through pipeline)
web             the read-only web view: topics over time, stories, evidence, alerts, sources (templates/)
cli/            the wirewatch command (commands) and how it shows matches (presentation)
(flows/ outside the package: the Prefect flows, thin tasks over run.pipeline; a wheel carries
them as wirewatch/flows, see cli.commands.flows_module.)
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
    from wirewatch.archive.store import open_reader

    if isinstance(as_of, str):
        as_of = _dt.datetime.fromisoformat(as_of)
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=_dt.timezone.utc)
    return open_reader(load_config(config, db=db).db, as_of=as_of)
