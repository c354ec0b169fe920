"""Invented wire articles for the store and dedupe tests, and the import that the kill -9 test
runs in a subprocess (``python tests/store_fixtures.py DB BATCHES SIZE [HANG_AT]``).

Texts are drawn from a fixed vocabulary with a seeded RNG: two seeds give unrelated stories
(estimated Jaccard ~0), ``edit_words`` makes the scattered edits of a reprint.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wirewatch.archive.columns import aware
from wirewatch.model import Article, Dateline, Hit, LakeLocation, TopicMatch, WireItem

BASE_TIME = dt.datetime(2024, 12, 26, 9, 0, tzinfo=dt.timezone.utc)
_SYLLABLES = "ka ro va li mo ne ta shi ar ben dor el fan gri hol ir jus kel lor man nor os pet rin sol tur ul vek zan".split()
_rng = random.Random(4242)
VOCABULARY = sorted({"".join(_rng.choice(_SYLLABLES) for _ in range(_rng.randint(1, 3))) for _ in range(3000)})


def paragraphs(seed: int, words: int = 240, per_paragraph: int = 40) -> tuple[str, ...]:
    """A body of ``words`` words in paragraphs, the same for the same seed."""
    rng = random.Random(seed)
    drawn = [rng.choice(VOCABULARY) for _ in range(words)]
    chunks = [drawn[i : i + per_paragraph] for i in range(0, words, per_paragraph)]
    return tuple(" ".join(chunk).capitalize() + "." for chunk in chunks)


def edit_words(body: Sequence[str], fraction: float, seed: int) -> tuple[str, ...]:
    """Replace about ``fraction`` of the words, scattered over the text (a reprint's edits)."""
    rng = random.Random(seed)
    words = [p.split(" ") for p in body]
    spots = [(i, j) for i, p in enumerate(words) for j in range(len(p))]
    for i, j in rng.sample(spots, max(1, round(len(spots) * fraction))):
        words[i][j] = rng.choice(VOCABULARY) + "x"
    return tuple(" ".join(p) for p in words)


def tass_dateline(day: int = 26) -> Dateline:
    return Dateline(
        raw=f"MOSCOW, December {day}. /TASS/.",
        place="MOSCOW",
        date_text=f"December {day}",
        date=dt.date(2024, 12, day),
        date_source="dateline",
        agency="TASS",
        agency_raw="TASS",
        separator=".",
    )


def article(
    seed: int,
    *,
    source: str = "TASS",
    guid: str | None = None,
    url: str | None = None,
    body: Sequence[str] | None = None,
    headline: str | None = None,
    subtitle: str | None = None,
    dateline: Dateline | None = None,
    minutes: int = 0,
) -> Article:
    """An article of story ``seed``; guid and URL default to ones derived from source and seed."""
    published = BASE_TIME + dt.timedelta(minutes=minutes)
    slug = source.lower().replace(" ", "")
    return Article(
        item=WireItem(
            section="Politics",
            headline=headline or f"Story {seed} headline",
            subtitle=subtitle,
            dateline=dateline,
            paragraphs=tuple(body) if body is not None else paragraphs(seed),
        ),
        source=source,
        url=url if url is not None else f"https://{slug}.example/news/{seed}",
        guid=guid if guid is not None else f"{slug}-{seed}",
        published_at=published,
        fetched_at=published + dt.timedelta(minutes=2),
        lang="en",
        provenance={"item": "file"},
    )


def keyword_matcher(topic: str, term: str, rule_version: str = "v1"):
    """A stand-in for the topic matcher: matches ``topic`` when ``term`` is in the body."""

    def match(a: Article) -> list[TopicMatch]:
        body = a.item.body
        start = body.find(term)
        if start < 0:
            return []
        hit = Hit(term=term, field="body", start=start, end=start + len(term))
        return [TopicMatch(topic, 1.0, (hit,), f"…«{term}»…", rule_version)]

    return match


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One outbox row, as the outbox tests read it."""

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


def alert_rows(store, status: str | None = None) -> list[AlertRow]:
    """The outbox's rows, newest first; only those with ``status`` when given (times aware UTC)."""
    columns, rows = store.query(
        "SELECT alert_id, topic, story_id, article_id, channel, status, attempts, created_at, sent_at, error,"
        " next_attempt_at, terms FROM alerts WHERE $status IS NULL OR status = $status"
        " ORDER BY created_at DESC, alert_id",
        {"status": status},
    )
    records = [dict(zip(columns, row)) for row in rows]
    return [AlertRow(**{**r, **{k: aware(r[k]) for k in ("created_at", "sent_at", "next_attempt_at")},
                        "terms": tuple(r["terms"])}) for r in records]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Archives: a lake copied from the session's template (conftest.lake_template)


def copy_lake(template: Path, folder: Path) -> LakeLocation:
    """The template lake copied to ``folder`` (its catalog and files/), pointed at its own files."""
    shutil.copytree(template, folder)
    catalog, files = folder / "catalog.sqlite", folder / "files"
    with contextlib.closing(sqlite3.connect(catalog)) as connection, connection:
        connection.execute("UPDATE ducklake_metadata SET value = ? WHERE key = 'data_path'", (f"{files}/",))
    return LakeLocation(str(catalog), str(files))


def lake_setting(request, folder: Path) -> str:
    """The config line naming a lake in ``folder/lake``, copied from the session's template: for
    a test's ``archive_setting`` when its backend is the lake."""
    copy_lake(request.getfixturevalue("lake_template"), folder / "lake")
    return 'catalog = "lake/catalog.sqlite"'


# ---------------------------------------------------------------------------------------------
# The import the kill -9 test interrupts


def import_batches(db: Path | LakeLocation, batches: int, size: int, hang_at: int | None) -> None:
    from wirewatch.ingest.batch import ingest_batch
    from wirewatch.archive.store import open_store

    def match(a: Article) -> list[TopicMatch]:
        if hang_at is not None and a.guid == f"tass-{hang_at * size}":
            # Inside the transaction of batch hang_at, after its rows were written: wait to be killed.
            print("inside", flush=True)
            time.sleep(3600)
        return []

    now = BASE_TIME + dt.timedelta(days=1)
    with open_store(db) as store:
        run_id = store.begin_run("import", now=now)
        for b in range(batches):
            batch = [article(b * size + i, minutes=b) for i in range(size)]
            ingest_batch(store, run_id, batch, now=now, match=match)
            print(f"batch {b}", flush=True)
        store.finish_run(run_id, now=now, errors=0)


if __name__ == "__main__":
    from wirewatch.config import archive_location

    # A .duckdb file, or a lake's SQLite catalog (its files beside it), as --db names them.
    db_path, n_batches, batch_size = archive_location(sys.argv[1], Path()), int(sys.argv[2]), int(sys.argv[3])
    import_batches(db_path, n_batches, batch_size, int(sys.argv[4]) if len(sys.argv) > 4 else None)
