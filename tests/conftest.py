"""Shared fixtures. Prefect's test harness is session-scoped and imported lazily: importing
prefect.testing costs seconds, and only the flow tests need it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).parents[1]
SEED = REPO / "seeds" / "000_1b8f5677dfb19321.txt"
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real-world corpus not found at {CORPUS}")
    return CORPUS
