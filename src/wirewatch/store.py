"""The archive: one DuckDB file with migrations, a write lock, set-based batch ingest and the
queries the pipeline, the CLI and the alert sender need.

Every SQL statement lives in ``sql/`` (migrations, views, named queries); this module loads
them and calls them with parameters. Batch data goes in as registered numpy columns (no
row-by-row INSERTs): each ``ingest_batch`` is one transaction that dedupes with anti-joins,
writes articles, revisions, the story index, topic matches, pending alerts, source states and
run counts together, or nothing at all.

Only one process may hold the file for writing; any other open of it, even read-only, fails
while it is held. ``open_store`` waits up to ``lock_timeout`` seconds and then raises
``StoreLocked`` naming the holder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from contextlib import contextmanager, suppress
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from wirewatch import dedupe
from wirewatch.batches import PreparedBatch, prepare_batch
from wirewatch.alerts import StorySummary
from wirewatch.model import (
    AlertRoute,
    Article,
    Dateline,
    DeliveryResult,
    PendingAlert,
    SourceState,
    TopicMatch,
    WireItem,
)

# sql/ sits at the repository root; a built wheel carries a copy inside the package.
_PACKAGED_SQL = Path(__file__).resolve().parent / "sql"
SQL_DIR = _PACKAGED_SQL if _PACKAGED_SQL.is_dir() else Path(__file__).resolve().parents[2] / "sql"
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STATEMENT_END = re.compile(r";[ \t]*(?:\n|$)")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
_PAGE_SIZE = 1000
# A read-only open serves `wirewatch sql` and other readers: it may read the archive and nothing
# else. No files, no extensions, no ATTACH; locked so that a query cannot SET it back. DuckDB
# applies these at open, before the lock takes effect.
_READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}


class StoreError(Exception):
    """A store problem, worded as one line that names the database file."""


class StoreLocked(StoreError):
    """Another process holds the database file."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the store did with one article of a batch."""

    status: str  # new | duplicate | revised | rejected
    article_id: str | None = None  # for a duplicate: the article it duplicates
    story_id: str | None = None
    revision: int = 0
    reason: str | None = None  # why it was rejected
    relation: str | None = None  # new articles: first | copy | update (how it joined its story)
    similarity: float | None = None  # estimated Jaccard to the closest earlier article


@dataclass(slots=True)
class BatchResult:
    outcomes: list[Outcome]  # one per article, in batch order
    matches: list[tuple[str, TopicMatch]] = field(default_factory=list)  # (article_id, match)
    alert_ids: list[str] = field(default_factory=list)  # pending alerts created
    # seconds spent per step: keys (normalising and hashing), near_duplicates (MinHash, LSH
    # candidates, story links), match (topic matching), total (the whole call)
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    article_id: str
    story_id: str
    revision: int
    article: Article


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One outbox row, for listing (``wirewatch alerts``)."""

    alert_id: str
    topic: str
    story_id: str
    article_id: str
    channel: str  # redacted
    status: str
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    error: str | None
    next_attempt_at: dt.datetime | None
    terms: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# Opening


def open_store(path: Path, *, read_only: bool = False, lock_timeout: float = 30.0) -> Store:
    """Open (creating it and its folder if needed) the DuckDB file at ``path`` and apply pending
    migrations and views. While another process holds the file, retry for up to
    ``lock_timeout`` seconds, then raise ``StoreLocked``; other failures raise ``StoreError``."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"{path}: no such database")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{path}: cannot create folder {path.parent}: {error.strerror}") from None
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            connection = duckdb.connect(str(path), read_only=read_only, config=_READER_CONFIG if read_only else {})
            break
        except duckdb.Error as error:
            message = _first_line(error)
            if "lock" not in message.lower():
                raise StoreError(f"{path}: cannot open the database: {message}") from None
            if time.monotonic() >= deadline:
                raise StoreLocked(_locked_message(path, message, lock_timeout)) from None
            time.sleep(min(0.1, max(deadline - time.monotonic(), 0.0)))
    store = Store(connection, path, read_only=read_only)
    try:
        store._prepare_schema()
    except duckdb.Error as error:
        store.close()
        raise StoreError(f"{path}: cannot read the database ({_first_line(error)}); is it damaged or truncated?") from None
    except BaseException:
        store.close()
        raise
    return store


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _locked_message(path: Path, message: str, waited: float) -> str:
    holder = _LOCK_HOLDER.search(message)
    who = f"process {holder['pid']} ({command_line(int(holder['pid'])) or holder['program']})" if holder else "another process"
    return f"{path}: the database is in use by {who}; gave up after waiting {waited:g} s"


def writer_holding(path: Path) -> str | None:
    """Who holds ``path``'s write lock right now, as "wirewatch import (pid 123)", or None when
    the file can be opened for reading (or does not exist). One attempt, no wait: for saying at
    once what a reader is about to wait for."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as error:
        holder = _LOCK_HOLDER.search(_first_line(error))
        if holder is None:
            return None
        return f"{command_line(int(holder['pid'])) or holder['program']} (pid {holder['pid']})"
    return None


def command_line(pid: int, limit: int = 80) -> str | None:
    """The command a process runs, as its user typed it: "wirewatch import feeds/" rather than
    "python3.11" (the interpreter and the script's folder left out); None where unknown."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return None
    argv = [a for a in argv if a]
    if len(argv) > 1 and Path(argv[0]).name.startswith("python") and not argv[1].startswith("-"):
        argv = argv[1:]
    if not argv:
        return None
    shown = " ".join(" ".join([Path(argv[0]).name, *argv[1:]]).split())  # one line, whatever the arguments hold
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@cache
def _statements(name: str) -> tuple[str, ...]:
    """The statements of ``sql/<name>.sql`` (split at semicolons that end a line)."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return tuple(s.strip() for s in _STATEMENT_END.split(text) if _has_code(s))


def _has_code(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())


# ---------------------------------------------------------------------------------------------
# Converting between Python values and registered numpy columns


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A datetime as naive UTC, the form TIMESTAMP columns hold (naive input is taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.timezone.utc)


def _objects(values: Sequence[Any]) -> np.ndarray:
    """An object column of scalars (str, bytes, date or None), one cell per value."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)
_NOT_A_TIME = np.iinfo(np.int64).min  # NaT's bit pattern


def _times(values: Sequence[dt.datetime | None]) -> np.ndarray:
    """A datetime64[us] column of UTC times (NaT for None; naive input is taken as UTC), built
    from whole microseconds since the epoch: numpy takes twice as long to read datetime objects
    itself (2.4 us each), and converting aware ones to naive UTC first as long again."""
    micros = [_NOT_A_TIME if v is None else (v - (_EPOCH if v.tzinfo is None else _EPOCH_UTC)) // _MICROSECOND
              for v in values]  # fmt: skip
    return np.array(micros, dtype=np.int64).view("datetime64[us]")


# ---------------------------------------------------------------------------------------------
# The store


class Store:
    """An open archive. Use as a context manager, or call ``close()``."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool) -> None:
        self._conn = connection
        self.path = path
        self.read_only = read_only

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (DuckDB checkpoints it) and release the lock."""
        self._conn.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _run(self, name: str, params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Execute the named statement file; each statement gets the parameters it uses."""
        params = params or {}
        result = self._conn
        for statement in _statements(name):
            used = {p: params[p] for p in dict.fromkeys(_PARAMETER.findall(statement))}
            result = self._conn.execute(statement, used) if used else self._conn.execute(statement)
        return result

    def _input(self, name: str, columns: Mapping[str, np.ndarray]) -> None:
        """Make ``columns`` readable by the statements as the table ``name``."""
        self._conn.register(name, dict(columns))

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn, self.path)

    def _prepare_schema(self) -> None:
        if self.read_only:
            self._check_schema()
            return
        self._refuse_foreign()
        self._run("queries/settings")
        self._run("queries/schema_migrations")
        applied = {row[0] for row in self._run("queries/applied_migrations").fetchall()}
        now = _utc(dt.datetime.now(dt.timezone.utc))
        for version, file in _migrations():
            if version in applied:
                continue
            with self._transaction():
                self._run(f"migrations/{file.stem}")
                self._run("queries/record_migration", {"version": version, "name": file.stem, "now": now})
        with self._transaction():
            for view in sorted((SQL_DIR / "views").glob("*.sql")):
                self._run(f"views/{view.stem}")

    def _refuse_foreign(self) -> None:
        """Another application's database is left as it was: no wirewatch table is added to it."""
        others, is_archive = self._run("queries/foreign_objects").fetchone()
        if others and not is_archive:
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            raise StoreError(f"{self.path}: not a wirewatch archive (it holds {shown}); nothing was changed")

    def _check_schema(self) -> None:
        try:
            applied = {row[0] for row in self._run("queries/applied_migrations").fetchall()}
        except duckdb.CatalogException:
            raise StoreError(f"{self.path}: not a wirewatch database (no schema_migrations table)") from None
        missing = [file.stem for version, file in _migrations() if version not in applied]
        if missing:
            raise StoreError(
                f"{self.path}: needs migration {missing[0]}; open it once for writing (e.g. wirewatch import) first"
            )

    @contextmanager
    def single_threaded(self) -> Iterator[None]:
        """Run DuckDB on one thread for a while: when other processes keep the cores busy."""
        self._run("queries/single_thread")
        try:
            yield
        finally:
            self._run("queries/all_threads")

    # -- runs and sources ------------------------------------------------------------------------

    def begin_run(self, kind: str, *, now: dt.datetime) -> str:
        """Start a run (``ingest``, ``import``, ``backfill``) and return its id (16 hex digits)."""
        self._writable()
        run_id = secrets.token_hex(8)
        self._run("queries/begin_run", {"run_id": run_id, "kind": kind, "now": _utc(now)})
        return run_id

    def finish_run(self, run_id: str, *, now: dt.datetime, errors: int) -> None:
        """Record the end of a run and its errors (added to any counted before)."""
        self._writable()
        self._run("queries/finish_run", {"run_id": run_id, "now": _utc(now), "errors": errors})

    def source_states(self) -> dict[str, SourceState]:
        """Every polled source's state (validators for conditional GET, health), by name."""
        states = {}
        for row in self._run("queries/source_states").fetchall():
            name, kind, url, etag, last_modified, last_poll, status, error, failures, seen = row
            states[name] = SourceState(
                name, kind, url, etag, last_modified, _aware(last_poll), status, error, failures, seen
            )
        return states

    def article_count(self) -> int:
        """How many articles the archive holds."""
        return int(self._run("queries/article_count").fetchone()[0])

    def known_guids(self, *, since: dt.datetime) -> dict[str, set[str]]:
        """The GUIDs of each source's articles first stored since ``since``, and of its items
        dropped since then as copies of stored articles, by source name."""
        rows = self._run("queries/known_guids", {"since": _utc(since)}).fetchall()
        return {source: set(guids) for source, guids in rows}

    # -- ingest ------------------------------------------------------------------------------------

    def ingest_batch(
        self,
        run_id: str,
        batch: Sequence[Article] | PreparedBatch,
        *,
        now: dt.datetime,
        polls: Sequence[SourceState] = (),
        match: Callable[[Article], Sequence[TopicMatch]] | None = None,
        routes: Mapping[str, AlertRoute] | None = None,
        story_window_days: int = 14,
    ) -> BatchResult:
        """Store a batch in one transaction and say what became of each article.

        Exact duplicates (same source and GUID or URL with a text seen before,
        or the same content hash) are counted, not stored; a known article with a new text
        becomes its next revision (the old text goes to ``article_revisions``); new articles
        join the story of the most similar article of the window (MinHash/LSH, estimated
        Jaccard >= 0.5) or start their own. ``match`` is called once for the final version of
        each new or revised article; its matches are stored, and pending alerts created per
        ``routes`` (at most one per topic, story and channel; one more per new term when the
        route re-alerts on updates). ``polls`` are saved as the sources' states. Ingesting the
        same inputs again changes nothing but the run's duplicate count. A ``PreparedBatch``
        (see ``prepare_batch``) brings its keys, signatures and matches computed elsewhere."""
        self._writable()
        started = time.perf_counter()
        now = _utc(now)
        prepared = batch if isinstance(batch, PreparedBatch) else prepare_batch(batch)
        articles, reasons, keys = prepared.articles, prepared.reasons, prepared.keys
        rows = [i for i, reason in enumerate(reasons) if reason is None]  # accepted -> batch position
        accepted = [articles[i] for i in rows]
        if prepared.matches is not None:  # matched ahead, in a worker process
            matched_ahead = {id(a): m for a, m in zip(accepted, prepared.matches)}
            match = lambda article: matched_ahead[id(article)]  # noqa: E731
        timings = {"keys": time.perf_counter() - started}
        event_at = _times([a.published_at or a.fetched_at or now for a in accepted])
        with self._transaction():
            self._input("batch_keys_input", keys.join_keys)
            known, first_versions = self._known()
            decisions = dedupe.plan_batch(keys.keys, known)
            writes = [i for i, d in enumerate(decisions) if d.status in ("new", "revised")]
            step = time.perf_counter()
            signatures, usable = keys.signatures(writes)
            self._stage_bands(writes, signatures, usable, event_at)
            links = self._link_new(decisions, writes, signatures, usable, event_at, story_window_days)
            timings["near_duplicates"] = time.perf_counter() - step
            for d in decisions:
                if d.story_id is None and d.first_row is not None:
                    d.story_id = links[d.first_row].story_id
            final = {decisions[i].article_id: i for i in writes}  # the last version of each article
            story_links = [first_versions.get(decisions[i].article_id) or (links.get(decisions[i].first_row), None)
                           for i in writes]  # fmt: skip
            self._stage_versions(accepted, keys, signatures, usable, decisions, writes, set(final.values()),
                                 story_links, event_at)  # fmt: skip
            params = {"now": now, "run_id": run_id}
            revising = any(decisions[i].status == "revised" for i in writes)
            if revising:
                self._run("queries/ingest_replaced")
            self._run("queries/ingest_versions", params)
            if revising:
                self._run("queries/ingest_mark_replaced", params)
            self._run("queries/ingest_story_index")
            earliest = event_at[writes].min().item() if writes else now
            cutoff = min(now, earliest) - dt.timedelta(days=story_window_days)
            self._run("queries/ingest_prune", {"cutoff": cutoff})
            matched: list[tuple[str, TopicMatch]] = []
            alert_ids: list[str] = []
            if match is not None:
                step = time.perf_counter()
                matched = [(a_id, m) for a_id, i in final.items() for m in match(accepted[i])]
                timings["match"] = time.perf_counter() - step
                self._stage_matches(matched)
                self._run("queries/ingest_matches", params)
                if routes:
                    self._input("batch_routes_input", _route_columns(routes))
                    alert_ids = self._insert_alerts("queries/ingest_alerts", params)
            alert_ids += self._withdraw(accepted, keys.keys, params)
            if polls:
                self._input("batch_sources_input", _source_columns(polls))
                self._run("queries/ingest_sources", {"now": now})
            copies = _copies(accepted, keys.keys, decisions)
            if copies:
                self._input("batch_copies_input", copies)
                self._run("queries/ingest_copied_guids", {"now": now})
            self._record_copy_decisions(accepted, keys.keys, decisions, {**params, "cutoff": cutoff})
            outcomes = _outcomes(reasons, rows, decisions, links)
            counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("new", "duplicate", "revised", "rejected")}
            self._run("queries/ingest_counts", {
                **params, **counts, "fetched": len(articles), "flagged": len({a for a, _ in matched}),
                "alerts": len(alert_ids),
            })  # fmt: skip
        timings["total"] = time.perf_counter() - started
        return BatchResult(outcomes, matched, alert_ids, timings)

    def _record_copy_decisions(
        self,
        accepted: Sequence[Article],
        keys: Sequence[dedupe.ItemKeys],
        decisions: Sequence[dedupe.Decision],
        params: Mapping[str, Any],
    ) -> None:
        """Keep the batch's exact copies of other items, with their rule (``copy_decisions``),
        and prune those older than the story window (``params``: now, run_id, cutoff)."""
        copied = [(a, k, d) for a, k, d in zip(accepted, keys, decisions)
                  if d.status == "duplicate" and d.article_id != k.article_id]  # fmt: skip
        if copied:
            self._input("batch_copy_decisions_input", {
                "source": _objects([a.source for a, _, _ in copied]),
                "guid": _objects([a.guid for a, _, _ in copied]),
                "url": _objects([a.url for a, _, _ in copied]),
                "url_norm": _objects([k.url_norm for _, k, _ in copied]),
                "article_id": _objects([d.article_id for _, _, d in copied]),
            })  # fmt: skip
            self._run("queries/ingest_copy_decisions", params)
        self._run("queries/prune_copy_decisions", params)

    def _known(self) -> tuple[list[dedupe.KnownArticle], dict[str, tuple[dedupe.StoryLink, dt.datetime]]]:
        """Stored articles the batch's keys point at, and what a revision of each carries over
        from its first version: how it joined its story, and when it was first seen."""
        known, first_versions = [], {}
        for row in self._run("queries/ingest_known").fetchall():
            article_id, url_norm, story_id, revision, contents, texts, first_seen, relation, score, similar_to, source = row
            known.append(dedupe.KnownArticle(article_id, url_norm, story_id, revision, tuple(contents), tuple(texts), source))
            first_versions[article_id] = (dedupe.StoryLink(story_id, relation, score, similar_to), first_seen)
        return known, first_versions

    def _stage_bands(
        self, writes: list[int], signatures: np.ndarray, usable: np.ndarray, event_at: np.ndarray
    ) -> None:
        indexed = [i for i in writes if usable[i]]
        bands = dedupe.band_keys(signatures[indexed]) if indexed else np.empty((0, dedupe.BANDS), np.int32)
        self._input("batch_bands_input", {
            "row": np.repeat(np.array(indexed, dtype=np.int64), dedupe.BANDS),
            "band_key": bands.reshape(-1),
            "event_at": np.repeat(event_at[indexed], dedupe.BANDS),
        })  # fmt: skip

    def _link_new(
        self,
        decisions: list[dedupe.Decision],
        writes: list[int],
        signatures: np.ndarray,
        usable: np.ndarray,
        event_at: np.ndarray,
        window_days: int,
    ) -> dict[int, dedupe.StoryLink]:
        """Story links of the batch's new articles, by batch row."""
        new = [i for i in writes if decisions[i].status == "new"]
        if not new:
            return {}
        position = {row: n for n, row in enumerate(new)}
        candidates = [
            dedupe.Candidate(position[row], article_id, story_id, np.frombuffer(signature, dtype=np.uint32))
            for row, article_id, story_id, signature in self._run(
                "queries/ingest_candidates", {"window_days": window_days}
            ).fetchall()
            if row in position
        ]
        links = dedupe.link_stories(
            [decisions[i].article_id for i in new],
            signatures[new],
            usable[new],
            dedupe.band_keys(signatures[new]),
            event_at[new].astype(np.int64) / 1e6,  # seconds since the epoch
            candidates,
            window_seconds=window_days * 86400,
        )
        return dict(zip(new, links))

    def _stage_versions(
        self,
        accepted: list[Article],
        keys: dedupe.BatchKeys,
        signatures: np.ndarray,
        usable: np.ndarray,
        decisions: list[dedupe.Decision],
        writes: list[int],
        final_rows: set[int],
        story_links: list[tuple[dedupe.StoryLink | None, dt.datetime | None]],
        event_at: np.ndarray,
    ) -> None:
        """Stage the versions to write; ``story_links`` gives, per version, how its article
        joined its story and (for a stored article) when it was first seen."""
        items = [accepted[i].item for i in writes]
        datelines = [item.dateline for item in items]

        def dateline(name: str) -> np.ndarray:
            return _objects([getattr(d, name) if d else None for d in datelines])

        link_of = [link for link, _ in story_links]
        self._input("batch_versions_input", {
            "row": np.array(writes, dtype=np.int64),
            "status": _objects([decisions[i].status for i in writes]),
            "is_final": np.array([i in final_rows for i in writes], dtype=bool),
            "article_id": _objects([decisions[i].article_id for i in writes]),
            "article_key": np.array([dedupe.signed64(decisions[i].article_id) for i in writes], dtype=np.int64),
            "story_id": _objects([decisions[i].story_id for i in writes]),
            "revision": np.array([decisions[i].revision for i in writes], dtype=np.int64),
            "story_relation": _objects([link.relation if link else "first" for link in link_of]),
            "similarity": _objects([link.similarity if link else None for link in link_of]),
            "similar_to": _objects([link.similar_to if link else None for link in link_of]),
            "source": _objects([accepted[i].source for i in writes]),
            "url": _objects([accepted[i].url for i in writes]),
            "url_norm": _objects([keys.keys[i].url_norm for i in writes]),
            "guid": _objects([accepted[i].guid for i in writes]),
            "section": _objects([item.section for item in items]),
            "headline": _objects([item.headline for item in items]),
            "subtitle": _objects([item.subtitle for item in items]),
            "dateline_raw": dateline("raw"),
            "dateline_place": dateline("place"),
            "dateline_region": dateline("region"),
            "dateline_date_text": dateline("date_text"),
            "dateline_date": dateline("date"),
            "dateline_date_source": dateline("date_source"),
            "agency": dateline("agency"),
            "agency_raw": dateline("agency_raw"),
            "dateline_separator": dateline("separator"),
            "published_at": _times([accepted[i].published_at for i in writes]),
            "fetched_at": _times([accepted[i].fetched_at for i in writes]),
            "event_at": event_at[writes],
            "first_seen_at": _times([first_seen for _, first_seen in story_links]),
            "body": _objects([item.body for item in items]),
            "content_hash": _objects([keys.keys[i].content_hash for i in writes]),
            "text_hash": _objects([keys.keys[i].text_hash for i in writes]),
            "url_key": keys.join_keys["url_key"][writes],
            "content_key": keys.join_keys["content_key"][writes],
            "lang": _objects([accepted[i].lang for i in writes]),
            "provenance": _objects([json.dumps(accepted[i].provenance) if accepted[i].provenance else None for i in writes]),
            "signature": _objects([signatures[i].tobytes() if usable[i] else None for i in writes]),
            **_wire_columns([accepted[i] for i in writes]),
        })  # fmt: skip
        self._run("queries/ingest_stage")

    def _withdraw(self, accepted: Sequence[Article], keys: Sequence[dedupe.ItemKeys], params: Mapping[str, Any]) -> list[str]:
        """Mark the articles that the batch's kill and cancel notices name as withdrawn (every
        version; nothing is deleted) and queue one "WITHDRAWN" notice per alert sent about them;
        returns the notices' ids."""
        killed = sorted({k.article_id for a, k in zip(accepted, keys) if a.wire is not None and a.wire.kill})
        if not killed:
            return []
        self._input("batch_withdrawn_input", {
            "article_id": _objects(killed),
            "article_key": np.array([dedupe.signed64(a) for a in killed], dtype=np.int64),
        })  # fmt: skip
        return [row[0] for row in self._run("queries/ingest_withdrawn", params).fetchall()]

    def _stage_matches(self, matched: Sequence[tuple[str, TopicMatch]]) -> None:
        hits = [(n, h_no, h) for n, (_, m) in enumerate(matched) for h_no, h in enumerate(m.hits)]
        self._input("batch_matches_input", {
            "match_no": np.arange(len(matched), dtype=np.int64),
            "article_id": _objects([a for a, _ in matched]),
            "topic": _objects([m.topic for _, m in matched]),
            "score": np.array([m.score for _, m in matched], dtype=np.float64),
            "snippet": _objects([m.snippet for _, m in matched]),
            "rule_version": _objects([m.rule_version for _, m in matched]),
        })  # fmt: skip
        self._input("batch_hits_input", {
            "match_no": np.array([n for n, _, _ in hits], dtype=np.int64),
            "hit_no": np.array([h_no for _, h_no, _ in hits], dtype=np.int64),
            "term": _objects([h.term for _, _, h in hits]),
            "field": _objects([h.field for _, _, h in hits]),
            "start": np.array([h.start for _, _, h in hits], dtype=np.int64),
            "end": np.array([h.end for _, _, h in hits], dtype=np.int64),
        })  # fmt: skip
        self._run("queries/stage_matches")

    # -- the alert outbox ----------------------------------------------------------------------------

    def due_alerts(self, *, now: dt.datetime, max_attempts: int) -> list[PendingAlert]:
        """Pending alerts whose next attempt is due, oldest first, with their message's data."""
        rows = self._run("queries/due_alerts", {"now": _utc(now), "max_attempts": max_attempts}).fetchall()
        return [
            PendingAlert(
                alert_id=r[0], topic=r[1], story_id=r[2], article_id=r[3], channel_key=r[4], channel=r[5],
                attempts=r[6], headline=r[7] or "", url=r[8], source=r[9] or "", dateline_place=r[10],
                dateline_date=r[11], agency=r[12], terms=tuple(r[13] or ()), snippet=r[14] or "",
                story_sources=r[15], story_articles=r[16], withdraws=r[17], urgency=r[18],
                story_outlets=tuple(r[19]),
            )  # fmt: skip
            for r in rows
        ]

    def record_deliveries(
        self, results: Sequence[DeliveryResult], *, now: dt.datetime, max_attempts: int, backoff_seconds: float
    ) -> None:
        """Record delivery outcomes: sent, or retry after ``backoff_seconds * 2**(attempts-1)``,
        or failed for good once ``max_attempts`` attempts have failed."""
        self._writable()
        if not results:
            return
        with self._transaction():
            self._input("delivery_input", {
                "alert_id": _objects([r.alert_id for r in results]),
                "ok": np.array([r.ok for r in results], dtype=bool),
                "error": _objects([r.error for r in results]),
            })  # fmt: skip
            self._run("queries/record_deliveries", {
                "now": _utc(now), "max_attempts": max_attempts, "backoff_seconds": float(backoff_seconds),
            })  # fmt: skip

    def retry_failed_alerts(self) -> int:
        """Give every failed alert a fresh set of attempts; returns how many."""
        self._writable()
        return len(self._run("queries/retry_failed_alerts").fetchall())

    def alerts(self, status: str | None = None) -> list[AlertRow]:
        """Outbox rows, newest first; only those with ``status`` when given."""
        rows = self._run("queries/list_alerts", {"status": status}).fetchall()
        return [
            AlertRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _aware(r[7]), _aware(r[8]), r[9], _aware(r[10]), tuple(r[11]))
            for r in rows
        ]

    def alert_listing(self, status: str | None = None) -> tuple[list[str], list[tuple]]:
        """Outbox rows with their article's headline, newest first: ``(column names, rows)``."""
        result = self._run("queries/alert_listing", {"status": status})
        return [d[0] for d in result.description], result.fetchall()

    def story_topic_alerts(self, story_ids: Sequence[str]) -> list[tuple[str, str, str, str]]:
        """``(alert_id, topic, story_id, article_id)`` of every alert of the given stories."""
        return self._run("queries/story_topic_alerts", {"story_ids": list(story_ids)}).fetchall()

    def daily_digest(self, *, since: dt.datetime) -> list[tuple[str, StorySummary]]:
        """``(topic, story)`` for every story a topic matched since ``since``, by topic, best
        scored first: the earliest matching article's headline, link and dateline, the story's
        sources, its matching articles and the union of matched terms."""
        rows = self._run("queries/daily_digest", {"since": _utc(since)}).fetchall()
        return [
            (r[0], StorySummary(story_id=r[1], headline=r[2] or "", url=r[3], sources=r[4], articles=r[5],
                                dateline_place=r[6], dateline_date=r[7], agency=r[8], terms=tuple(r[9]),
                                outlets=tuple(r[11])))
            for r in rows
        ]  # fmt: skip

    # -- topics ------------------------------------------------------------------------------------

    def topic_rule_versions(self) -> dict[str, str]:
        """The rule version each topic's stored matches were made with."""
        return dict(self._run("queries/topic_rule_versions").fetchall())

    def record_topic_rules(self, versions: Mapping[str, str], *, now: dt.datetime) -> None:
        """Record topics' rule versions (e.g. for topics new to an empty archive)."""
        self._writable()
        with self._transaction():
            self._record_topic_rules(versions, now=_utc(now))

    def _record_topic_rules(self, versions: Mapping[str, str], *, now: dt.datetime | None) -> None:
        self._input("topic_rules_input", {
            "topic": _objects(list(versions)), "rule_version": _objects(list(versions.values())),
        })  # fmt: skip
        self._run("queries/record_topic_rules", {"now": now})

    def retag(
        self,
        topic_names: Sequence[str],
        match: Callable[[Article], Sequence[TopicMatch]],
        *,
        since: dt.datetime,
        now: dt.datetime,
        rule_versions: Mapping[str, str] | None = None,
    ) -> int:
        """Re-evaluate the stored articles of the window (``since`` onwards) for the named topics:
        their matches are replaced, no alert is created, and the topics' rule versions are
        recorded (``rule_versions``, else the versions the new matches carry). Returns the
        number of matches stored."""
        self._writable()
        names = set(topic_names)
        now, since = _utc(now), _utc(since)
        versions = dict(rule_versions or {})
        stored = 0
        with self._transaction():
            self._input("topic_rules_input", {"topic": _objects(sorted(names))})
            self._run("queries/retag_clear", {"since": since})
            for page in self._article_pages(since):
                matched = [(s.article_id, m) for s in page for m in match(s.article) if m.topic in names]
                for _, m in matched:
                    versions.setdefault(m.topic, m.rule_version)
                self._stage_matches(matched)
                self._run("queries/retag_matches", {"now": now})
                stored += len(matched)
            self._record_topic_rules({t: v for t, v in versions.items() if t in names}, now=now)
        return stored

    def alert_history(
        self, routes: Mapping[str, AlertRoute], *, since: dt.datetime, now: dt.datetime, run_id: str | None = None
    ) -> list[str]:
        """Create pending alerts from stored matches of the routed topics (articles since
        ``since``): one per topic, story and channel that has none yet. Returns their ids."""
        self._writable()
        with self._transaction():
            self._input("batch_routes_input", _route_columns(routes))
            params = {"since": _utc(since), "now": _utc(now), "run_id": run_id}
            return self._insert_alerts("queries/history_alerts", params)

    def _insert_alerts(self, due: str, params: Mapping[str, Any]) -> list[str]:
        """Stage the alerts that statement ``due`` finds due, insert them as pending, return their ids."""
        self._run(due, params)
        return [row[0] for row in self._run("queries/insert_due_alerts", params).fetchall()]

    def articles_since(self, since: dt.datetime) -> Iterator[StoredArticle]:
        """Stored articles (current versions) published (else fetched, else first seen) since
        ``since``, oldest first, rebuilt as Articles for backtests and retags."""
        for page in self._article_pages(_utc(since)):
            yield from page

    def _article_pages(self, since: dt.datetime | None) -> Iterator[list[StoredArticle]]:
        after: tuple[dt.datetime, str] | None = None
        while True:
            params = {"since": since, "after_at": after[0] if after else None, "after_id": after[1] if after else None}
            rows = self._run("queries/articles_since", {**params, "limit": _PAGE_SIZE}).fetchall()
            if not rows:
                return
            yield [_stored_article(r) for r in rows]
            after = (rows[-1][-1], rows[-1][0])

    # -- ad-hoc queries ------------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> tuple[list[str], list[tuple]]:
        """Run one statement (``wirewatch sql``; open the store read-only for that) and return
        ``(column names, rows)``. Errors raise StoreError with DuckDB's one-line reason."""
        try:
            result = self._conn.execute(sql, params) if params is not None else self._conn.execute(sql)
            columns = [d[0] for d in result.description] if result.description else []
            return columns, result.fetchall() if result.description else []
        except duckdb.Error as error:
            raise StoreError(f"{self.path}: {_first_line(error)}") from None


def write_parquet(columns: Sequence[str], rows: Sequence[tuple], path: Path) -> None:
    """Write a query's result to a Parquet file: wirewatch writes it (in a connection of its own
    that holds only the result), since the reader's connection may not touch the filesystem."""
    with duckdb.connect() as connection:
        connection.register("query_result", {name: _objects([row[i] for row in rows]) for i, name in enumerate(columns)})
        try:
            for statement in _statements("queries/export_parquet"):
                connection.execute(statement, {"path": str(path)})
        except duckdb.Error as error:
            raise StoreError(f"{path}: cannot write: {_first_line(error)}") from None


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path) -> None:
        self._conn = connection
        self._path = path

    def __enter__(self) -> None:
        self._conn.begin()

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            try:
                self._conn.commit()
            except duckdb.Error as error:  # a full disk: this batch is lost, every committed one kept
                with suppress(duckdb.Error):
                    self._conn.rollback()
                raise StoreError(f"{self._path}: cannot write: {_first_line(error)}") from None
        else:
            self._conn.rollback()


def _migrations() -> list[tuple[int, Path]]:
    found = []
    for file in sorted((SQL_DIR / "migrations").glob("*.sql")):
        number = file.name.split("_", 1)[0]
        if number.isdigit():
            found.append((int(number), file))
    return sorted(found)


def _outcomes(
    reasons: list[str | None],
    rows: list[int],
    decisions: list[dedupe.Decision],
    links: Mapping[int, dedupe.StoryLink],
) -> list[Outcome]:
    outcomes = [Outcome("rejected", reason=reason) for reason in reasons]
    for i, (row, d) in enumerate(zip(rows, decisions)):
        link = links.get(i) if d.status == "new" else None
        outcomes[row] = Outcome(
            d.status, d.article_id, d.story_id, d.revision,
            relation=link.relation if link else None, similarity=link.similarity if link else None,
        )  # fmt: skip
    return outcomes


def _copies(
    accepted: Sequence[Article], keys: Sequence[dedupe.ItemKeys], decisions: Sequence[dedupe.Decision]
) -> dict[str, np.ndarray]:
    """Items with a GUID dropped as copies of another article (not the same item again: its
    GUID is stored with it), as the columns of ``batch_copies_input``; empty when there are none."""
    rows = [
        (a.source, a.guid, d.article_id)
        for a, k, d in zip(accepted, keys, decisions)
        if d.status == "duplicate" and a.guid and d.article_id != k.article_id
    ]
    if not rows:
        return {}
    return {name: _objects([row[i] for row in rows]) for i, name in enumerate(("source", "guid", "article_id"))}


def _route_columns(routes: Mapping[str, AlertRoute]) -> dict[str, np.ndarray]:
    flat = [(topic, key, shown, r.realert_on_update) for topic, r in routes.items() for key, shown in r.channels]
    return {
        "topic": _objects([f[0] for f in flat]),
        "channel_key": _objects([f[1] for f in flat]),
        "channel": _objects([f[2] for f in flat]),
        "realert": np.array([f[3] for f in flat], dtype=bool),
    }


def _wire_columns(articles: Sequence[Article]) -> dict[str, np.ndarray]:
    """The wire-format metadata of versions to write (all NULL for articles from other inputs)."""
    wires = [a.wire for a in articles]

    def column(name: str) -> np.ndarray:
        return _objects([getattr(w, name) if w else None for w in wires])

    return {
        **{name: column(name) for name in ("format", "version", "pub_status", "urgency", "priority", "slugline",
                                           "byline", "take_key", "ednote", "correction")},
        "signals": _objects([json.dumps(list(w.signals)) if w else None for w in wires]),
        "subjects": _objects([json.dumps(list(w.subjects)) if w else None for w in wires]),
    }  # fmt: skip


def _source_columns(polls: Sequence[SourceState]) -> dict[str, np.ndarray]:
    latest = list({s.name: s for s in polls}.values())  # one row per source: the last state given
    return {
        "name": _objects([s.name for s in latest]),
        "kind": _objects([s.kind for s in latest]),
        "url": _objects([s.url for s in latest]),
        "etag": _objects([s.etag for s in latest]),
        "last_modified": _objects([s.last_modified for s in latest]),
        "last_poll": _times([s.last_poll for s in latest]),
        "last_status": _objects([s.last_status for s in latest]),
        "last_error": _objects([s.last_error for s in latest]),
        "consecutive_failures": np.array([s.consecutive_failures for s in latest], dtype=np.int64),
        "items_seen": np.array([s.items_seen for s in latest], dtype=np.int64),
    }


def _stored_article(row: tuple) -> StoredArticle:
    (article_id, story_id, revision, source, url, guid, section, headline, subtitle, raw, place, region,
     date_text, date, date_source, agency, agency_raw, separator, body, published, fetched, lang,
     provenance, _event_at) = row  # fmt: skip
    dateline = (
        Dateline(raw, place, region, date_text, date, date_source, agency, agency_raw, separator) if raw else None
    )
    paragraphs = tuple(body.split("\n\n")) if body else ()
    article = Article(
        item=WireItem(section or "", headline or "", subtitle, dateline, paragraphs),
        source=source,
        url=url,
        guid=guid,
        published_at=_aware(published),
        fetched_at=_aware(fetched),
        lang=lang or "en",
        provenance=json.loads(provenance) if provenance else {},
    )
    return StoredArticle(article_id, story_id, revision, article)
