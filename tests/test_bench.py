"""The benchmark harness runs end to end in its quick mode (figures are not judged here: speed is
measured by `uv run python -m bench`, not by tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The six scenarios of the benchmarks issue, as the harness names them.
REPORTED = ("codec", "import", "archive", "poll", "topics", "size", "quotes")


@pytest.mark.slow  # a benchmark
def test_quick_run_reports_every_scenario_with_positive_figures(tmp_path: Path) -> None:
    result_path = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(result_path), "--cache", str(tmp_path / "cache")],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result_path.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(result_path.read_text())

    assert result["mode"] == "quick"
    assert sorted(result["scenarios"]) == sorted(REPORTED)
    for name, scenario in result["scenarios"].items():
        assert scenario["status"] == "ok", f"{name}: {scenario.get('reason')}\n{scenario.get('stderr', '')}"
        assert scenario["rows"], name
        for row in scenario["rows"]:
            label = f"{name} / {row['name']}"
            assert row["items"] > 0, label
            assert row["rate"] > 0, label
            if name != "size":  # a file size, not a timed step
                assert row["wall_s"] > 0 and row["cpu_s"] > 0 and row["peak_rss_mb"] > 0, label
    assert result_path.with_suffix(".md").read_text().startswith("Measured ")
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_published_item_tops_its_feed_dated_when_it_was_published() -> None:
    import email.utils

    from bench.feedserver import UNIQUE_STORIES, FeedSite

    site = FeedSite(3, hosts=["127.0.0.2:8000"], per_feed=2, mix=UNIQUE_STORIES)
    untouched, before = site.feed_document(0), site.feed_document(1)
    index, published = site.publish(1)
    body, etag, last_modified = site.feed_document(1)
    assert index == 1 + 3 * 2  # feed 1's third item: stream items 1, 4, then 7
    assert (etag != before[1], last_modified) == (True, email.utils.format_datetime(published, usegmt=True))
    assert body.decode().count("<entry>") == 2 and f"<published>{published.isoformat()}</published>" in body.decode()
    assert site.feed_document(0) == untouched
    assert published.isoformat() in site.page(index).decode()  # the article page says the same
