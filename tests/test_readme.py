"""Issue 19, point 7: what the README states about the archive and the Prefect steps is true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_cli_stories import archive, archive_setting, runner  # noqa: F401  (pytest fixtures)

from wirewatch.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def documented_relations() -> set[str]:
    described = re.search(r"`story_relation` \((?P<values>[^)]*)\)", README)
    assert described, "the README describes story_relation"
    return set(re.findall(r"`(\w+)`:", described.group("values")))


@pytest.mark.backends("file")  # what the README says, read once
def test_story_relation_values_in_the_readme_are_the_stored_ones(archive):  # noqa: F811
    result = runner.invoke(app, ["sql", "--config", str(archive), "--format", "csv",
                                 "SELECT DISTINCT story_relation FROM articles ORDER BY 1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    stored = set(result.stdout.split()[1:])
    assert documented_relations() == {"first", "copy", "update"}
    assert stored <= documented_relations() and {"first", "copy"} <= stored


def test_every_prefect_server_start_step_turns_analytics_off_first():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    starting = [block for block in blocks if "prefect server start" in block]
    assert starting
    for block in starting:
        before = block[: block.index("prefect server start")]
        assert "PREFECT_SERVER_ANALYTICS_ENABLED=false" in before, block
