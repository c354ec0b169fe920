"""Keeping the archive lean: the daily compaction of the lake (small files merged, snapshots past
the retention expired, unused files deleted). Writers keep committing while it runs; readers are
never held."""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger

from wirewatch.run import pipeline
from wirewatch.config import SNAPSHOT_RETENTION_DAYS, load_config
from wirewatch.archive.lake import COMPACT_MEMORY_LIMIT
from wirewatch.model import LakeLocation
from wirewatch.archive.store import open_store


@flow(name="compact", log_prints=True)
def compact(
    keep_days: float = SNAPSHOT_RETENTION_DAYS, config_path: str | None = None, db: str | None = None,
    memory_limit: str = COMPACT_MEMORY_LIMIT,
) -> tuple[int, int]:  # fmt: skip
    """Compact the configured lake, keeping ``keep_days`` of snapshots, in pieces within
    ``memory_limit`` (the same code as `wirewatch compact`); returns the number of Parquet files
    before and after."""
    config = load_config(config_path, db=db)
    if not isinstance(config.db, LakeLocation):  # a DuckDB file compacts itself at checkpoints
        get_run_logger().info("compact: %s is a DuckDB file, not a lake: nothing to do", config.db)
        return 0, 0
    with open_store(config.db) as store:
        (before, _), (after, _) = store.compact(retention=dt.timedelta(days=keep_days), now=pipeline.utc_now(), memory_limit=memory_limit)
    get_run_logger().info("compact: %d data files -> %d", before, after)
    return before, after
