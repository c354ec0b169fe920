"""Keeping the archive lean: the daily compaction of the lake (small files merged, snapshots past
the retention expired, unused files deleted). Writers keep committing while it runs; readers are
never held."""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger

from wirewatch import pipeline
from wirewatch.config import load_config
from wirewatch.store import open_store

KEEP_DAYS = 7.0  # snapshots (--as-of) kept; the CLI's `wirewatch compact --keep-days` default too


@flow(name="compact", log_prints=True)
def compact(keep_days: float = KEEP_DAYS, config_path: str | None = None, db: str | None = None) -> tuple[int, int]:
    """Compact the configured lake, keeping ``keep_days`` of snapshots; returns the number of
    Parquet files before and after."""
    config = load_config(config_path, db=db)
    with open_store(config.db) as store:
        before, _ = store.lake_files()
        store.compact(retention=dt.timedelta(days=keep_days), now=pipeline.utc_now())
        after, _ = store.lake_files()
    get_run_logger().info("compact: %d data files -> %d", before, after)
    return before, after
