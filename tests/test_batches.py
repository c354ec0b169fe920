"""Batches prepared in worker processes store exactly what the same import stores when one process
does everything: same articles, stories, revisions, matches and summary."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
from pathlib import Path

import pytest

from wirewatch.run import pipeline
from wirewatch.ingest.batches import (
    BATCH_SIZE,
    LAKE_BATCH_SIZE,
    PREPARED_BATCH_SIZE,
    batch_size,
    batches_of,
    default_workers,
    prepared_batches,
)
from wirewatch.config import load_config
from wirewatch.archive.store import open_store

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.timezone.utc)
WORDS = (
    "grain harvest port talks minister said region weather exports wheat ship deal price market "
    "agreement council railway bridge budget election parliament court energy pipeline gas oil"
).split()
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>story-7</guid><title>Port reopens after storm</title><description>{first}</description></item>
<item><guid>story-7</guid><title>Port reopens after storm</title><description>{second}</description></item>
</channel></rss>"""


def wire_text(index: int, rng: random.Random, *, topic: bool) -> str:
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(40)) + "." for _ in range(5)]
    if topic:
        paragraphs[2] += " Officials discussed missile defense in Europe."
    return "\n\n".join([
        "Politics",
        f"Headline number {index} on {rng.choice(WORDS)}",
        f"MOSCOW, March {index % 28 + 1}. /TASS/. {paragraphs[0]}",
        *paragraphs[1:],
    ])


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    rng = random.Random(7)
    seed = SEED.read_text(encoding="utf-8")
    (folder / "a_seed.txt").write_text(seed, encoding="utf-8")
    (folder / "b_copy.txt").write_text(seed, encoding="utf-8")  # same content, another file
    (folder / "c_reprint.txt").write_text(seed.replace("rapid", "swift", 1).replace("Alas", "Sadly", 1), encoding="utf-8")
    for index in range(40):
        (folder / f"d_{index:02}.txt").write_text(wire_text(index, rng, topic=index % 5 == 0), encoding="utf-8")
    body = " ".join(rng.choice(WORDS) for _ in range(60))
    (folder / "e_feed.xml").write_text(FEED.format(first=body, second=body + " Updated."), encoding="utf-8")
    (folder / "f_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return folder


def archive(db: Path, corpus: Path, workers: int) -> tuple[pipeline.RunSummary, dict[str, list[tuple]]]:
    config = load_config(db=db)
    with open_store(db) as store:
        summary = pipeline.import_paths(store, config, [corpus], now=NOW, workers=workers, batch_files=7)
        tables = {
            "articles": store.query(
                "SELECT article_id, story_id, revision, content_hash, headline, story_relation, similarity "
                "FROM articles ORDER BY article_id"
            )[1],
            "revisions": store.query("SELECT article_id, revision FROM article_revisions ORDER BY ALL")[1],
            "matches": store.query("SELECT article_id, topic, score, snippet FROM topic_matches ORDER BY ALL")[1],
            "alerts": store.query("SELECT topic, story_id FROM alerts ORDER BY ALL")[1],
        }
    return summary, tables


def test_workers_store_exactly_what_one_process_stores(tmp_path: Path, corpus: Path) -> None:
    alone, alone_tables = archive(tmp_path / "alone.duckdb", corpus, workers=0)
    shared, shared_tables = archive(tmp_path / "workers.duckdb", corpus, workers=2)

    assert shared_tables == alone_tables
    counts = (alone.new, alone.duplicate, alone.revised, len(alone.flagged), alone.unreadable)
    assert (shared.new, shared.duplicate, shared.revised, len(shared.flagged), shared.unreadable) == counts
    # 45 articles read: the copy is a duplicate, the feed's second item a revision, the rest new
    assert counts[:3] == (43, 1, 1)
    assert len(alone_tables["revisions"]) == 1
    assert counts[3] == 10  # the seed, its reprint and 8 generated articles mention missile defense
    assert counts[4] == [f"{corpus / 'f_binary.txt'}: binary file (NUL bytes), not a wire document"]
    seed_story = sorted(row[5] for row in alone_tables["articles"] if row[4].startswith("No progress at Russia-US"))
    assert seed_story == ["copy", "first"]  # the reprint joined the seed's story


def test_store_batches_and_default_workers() -> None:
    assert [len(b) for b in batches_of(list(range(2500)))] == [1000, 1000, 500]
    assert batches_of([]) == [[]]  # one empty batch still carries the source states
    assert default_workers(1) == 0  # one job: starting a worker costs more than it saves
    assert default_workers(3) == (os.cpu_count() or 1)
    # an import's default: workers once there is more than one batch of files, whatever the archive
    assert pipeline.import_workers(BATCH_SIZE) == 0
    assert pipeline.import_workers(2 * BATCH_SIZE + 1) == default_workers(3)
    # a lake's statements cost more each, so its transactions are larger, with workers or without
    assert (batch_size(0), batch_size(2)) == (BATCH_SIZE, PREPARED_BATCH_SIZE)
    assert batch_size(0, lake=True) == batch_size(2, lake=True) == LAKE_BATCH_SIZE > PREPARED_BATCH_SIZE


def _dies_in_workers(job: int) -> tuple[int, list]:
    if multiprocessing.parent_process() is not None:
        os._exit(3)  # a worker dying, as when the kernel kills it for memory
    return job, []


def test_when_workers_die_the_batches_are_read_here_in_order(caplog: pytest.LogCaptureFixture) -> None:
    assert list(prepared_batches([1, 2, 3, 4, 5], _dies_in_workers, [], workers=2)) == [
        (1, None), (2, None), (3, None), (4, None), (5, None)
    ]
    assert "worker processes failed" in caplog.text
