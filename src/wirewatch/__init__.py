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
    formats/    other wire formats (NewsML, NITF, ANPA, IPTC 7901, JSON) into Articles
Sources and extraction
    extract/    feeds and article pages into Articles (HTML, metadata, site rules as data)
    inputs      local files and folders: wire texts, saved feeds and pages
    fetch       HTTP transport: the polite fetcher (host gates, SSRF guard, robots, deadlines)
    sources     polling a source: one poll for feed, page and dir; the failed-poll record
    cadence     which sources are due at a run, and each one's interval (backing off when quiet)
Dedupe
    dedupe      keys, exact duplicates and revisions, MinHash/LSH story links
Topics
    topics      the matcher: compile_topics, hits, scores and snippets (no rich)
    backtest    what topics would have flagged and alerted over stored articles
    batches     batches checked, keyed and matched, here or in worker processes
Store
    store       the DuckDB archive: migrations, lock, primitives over sql/; no domain logic
    lake        DuckLake attach (SQLite or PostgreSQL catalog) from the extension wheels; not yet the archive
    ingest      one batch into the archive in one transaction: plan, link, match, alert
Alerts
    alerts      channels, messages and digests, delivery
Run
    pipeline    a run: begin, retag, store batches, deliver, finish; summaries
    cli         the wirewatch command
    presentation  matches highlighted (rich) or marked « », JSON lines, backtest reports
(flows/ outside the package: the Prefect flows, thin tasks over pipeline; a wheel carries them as
wirewatch/flows, see cli.flows_module.)
"""

__version__ = "0.1.0"
