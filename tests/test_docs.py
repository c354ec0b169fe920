"""The README and docs/ say what is true: they build without warnings, the command reference is the
commands' own --help, every command and view that exists is documented, and what they state about the archive and the Prefect steps holds."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from test_cli_stories import archive, archive_setting, runner  # noqa: F401  (pytest fixtures)

from wirewatch.cli.commands import app

REPO = Path(__file__).parents[1]
DOCS = REPO / "docs"
README = (REPO / "README.md").read_text(encoding="utf-8")


def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def every_doc() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCS.glob("*.md")))


def cli_reference_module():
    spec = importlib.util.spec_from_file_location("cli_reference", DOCS / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def command_paths(command=None, path=("wirewatch",)) -> list[str]:
    """Every command and subcommand, as typed: 'wirewatch topics check'."""
    command = command or typer.main.get_command(app)
    context = command.context_class(command, info_name=path[-1])
    found = []
    for name in getattr(command, "list_commands", lambda _: [])(context):
        sub = command.get_command(context, name)
        found += command_paths(sub, (*path, name)) if hasattr(sub, "list_commands") else [" ".join((*path, name))]
    return found


def test_the_readme_is_a_front_door_of_a_few_screens():
    assert len(README.encode("utf-8")) < 12 * 1024
    assert "uv run wirewatch run" in README and "uv run pytest" in README


def test_every_link_from_the_readme_into_docs_exists():
    linked = re.findall(r"\]\((docs/[^)#]+)", README)
    assert linked
    assert [target for target in linked if not (REPO / target).is_file()] == []


def test_the_docs_build_without_a_warning():
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(REPO / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr


def test_every_docs_page_is_in_the_navigation():
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert [page.name for page in sorted(DOCS.glob("*.md")) if page.name not in nav] == []


def test_the_command_reference_is_the_commands_own_help():
    expected = cli_reference_module().reference()
    assert doc("cli.md") == expected, "docs/cli.md is stale: run uv run python docs/cli_reference.py"


def test_every_command_is_in_the_commands_overview():
    overview = doc("commands.md")
    missing = [path for path in command_paths() if f"`{path}" not in overview]
    assert missing == []


def test_every_view_is_described_in_the_sql_surface():
    described = doc("sql.md")
    views = [path.stem for path in sorted((REPO / "sql" / "views").glob("*.sql")) if not path.stem.startswith("_")]
    assert views
    assert [view for view in views if f"| `{view}` |" not in described] == []


def documented_relations() -> set[str]:
    described = re.search(r"`story_relation` \((?P<values>[^)]*)\)", doc("sql.md"))
    assert described, "docs/sql.md describes story_relation"
    return set(re.findall(r"`(\w+)`:", described.group("values")))


@pytest.mark.backends("file")  # what the docs say, read once
def test_story_relation_values_in_the_docs_are_the_stored_ones(archive):  # noqa: F811
    result = runner.invoke(app, ["sql", "--config", str(archive), "--format", "csv",
                                 "SELECT DISTINCT story_relation FROM articles ORDER BY 1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    stored = set(result.stdout.split()[1:])
    assert documented_relations() == {"first", "copy", "update"}
    assert stored <= documented_relations() and {"first", "copy"} <= stored


def test_every_prefect_server_start_step_turns_analytics_off_first():
    blocks = re.findall(r"```sh\n(.*?)```", README + every_doc(), re.S)
    starting = [block for block in blocks if "prefect server start" in block]
    assert starting
    for block in starting:
        before = block[: block.index("prefect server start")]
        assert "PREFECT_SERVER_ANALYTICS_ENABLED=false" in before, block


def test_the_performance_tables_are_the_published_bench_results():
    spec = importlib.util.spec_from_file_location("performance_tables", DOCS / "performance_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = doc("performance.md")
    assert module.published(), "bench/published holds at least one result"
    assert module.rendered(page) == page, "docs/performance.md is stale: run uv run python docs/performance_tables.py"
