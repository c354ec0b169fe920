"""The benchmark harness runs end to end in its quick mode (figures are not judged here: speed is
measured by `uv run python -m bench`, not by tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The six scenarios of the benchmarks issue, as the harness names them.
REPORTED = ("codec", "import", "archive", "poll", "topics", "size")


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
