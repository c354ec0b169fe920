"""The package's layout: each module imports only modules of its own or an earlier stage, in the
order of the data flow written in ``wirewatch/__init__.py`` (so there are no import cycles)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import wirewatch

PACKAGE = Path(wirewatch.__file__).resolve().parent
REPO = PACKAGE.parents[1]
# The stages in data-flow order; a module may import its own stage's modules and earlier ones.
STAGES = (
    ("errors", "model", "limits", "query"),  # shared types, exceptions, size limits, the query language
    ("config",),
    ("dateline", "codec", "formats"),  # wire format
    ("extract", "inputs", "fetch"),  # sources and extraction: reading, the HTTP transport
    ("sources", "cadence", "websub"),  # polling a source of any kind, when to poll it, WebSub decisions
    ("dedupe",),
    ("quotes",),  # who said what: direct and reported speech, speakers
    ("topics", "backtest"),
    ("batches",),  # keyed and matched batches, maybe in worker processes
    # the archive, a lake (DuckLake) or a DuckDB file: its parts by concern, put together in store
    ("sqlfiles", "lake", "columns", "backend", "archive_schema", "batch_writes", "outbox", "archive_admin",
     "archive_reader", "store", "subscriptions"),
    ("ingest",),
    ("alerts",),
    ("health", "pipeline", "cli", "presentation", "push", "web"),  # the run, its health, the command, push ingest in serve, the web view
)
STAGE_OF = {name: n for n, names in enumerate(STAGES) for name in names}


def imports_of(path: Path) -> set[str]:
    """The top-level wirewatch modules that ``path`` imports anywhere (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("wirewatch"):
            parts = node.module.split(".")
            found |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names if a.name != "__version__"}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("wirewatch.")}
    return found


def module_imports() -> dict[str, set[str]]:
    """Each top-level module or subpackage of wirewatch and what it imports of the others."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts == ("__init__",):
            continue
        graph.setdefault(parts[0], set()).update(imports_of(path) - {parts[0]})
    return graph


def test_every_module_has_a_stage():
    assert sorted(set(module_imports()) - set(STAGE_OF)) == []


def test_no_module_imports_a_later_stage():
    backward = sorted(
        (module, imported)
        for module, imported_names in module_imports().items()
        for imported in imported_names
        if STAGE_OF[imported] > STAGE_OF[module]
    )
    assert backward == []


ARCHIVE = set(STAGES[STAGE_OF["store"]])


def test_the_store_imports_no_domain_stage():
    graph = module_imports()
    assert {name: graph[name] - ARCHIVE - {"errors", "model"} for name in ARCHIVE} == {name: set() for name in ARCHIVE}


def test_only_the_backend_knows_the_lake_module():
    # the seam: a DuckDB file or a lake is the backend's business, no other part asks which
    graph = module_imports()
    assert sorted(name for name in ARCHIVE if "lake" in graph[name]) == ["backend"]


def test_the_fetcher_is_transport_only():
    assert module_imports()["fetch"] == {"config", "errors"}


def test_imports_of_reads_function_level_imports(tmp_path: Path):
    source = tmp_path / "m.py"
    source.write_text("from wirewatch import dedupe\ndef f():\n    from wirewatch.store import Store\n    import wirewatch.topics\n")
    assert imports_of(source) == {"dedupe", "store", "topics"}


def test_no_import_cycles():
    graph = module_imports()
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(graph.get(module, ())):
            if imported in path:
                cycles.append(path[path.index(imported):] + [imported])
            else:
                visit(imported, path + [imported])

    for module in sorted(graph):
        visit(module, [module])
    assert cycles == []


def test_the_matcher_loads_without_rich():
    # rich is the command's business: workers and flows import the matcher, never the terminal
    code = "import sys, wirewatch.topics, wirewatch.backtest; print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_an_installed_wheel_runs_the_flows_it_carries_inside_the_package(tmp_path: Path):
    # pyproject.toml's wheel layout: wirewatch/, its sql/ and flows/ as wirewatch/flows, and no
    # top-level flows. -S: no site-packages .pth, so the checkout's folders are not on the path.
    site = tmp_path / "site"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(PACKAGE, site / "wirewatch", ignore=skip)
    for folder in ("sql", "flows"):
        shutil.copytree(REPO / folder, site / "wirewatch" / folder, ignore=skip)
    code = (
        "import importlib.util; from wirewatch.cli import flows_module; serve = flows_module('serve');"
        "print(serve.__name__, serve.ingest.fn.__module__, importlib.util.find_spec('flows'))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(site), sysconfig.get_paths()["purelib"]))}
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "wirewatch.flows.serve wirewatch.flows.ingest None\n"), done.stderr


def test_a_checkout_runs_the_flows_from_the_repository_folder():
    from wirewatch.cli import flows_module

    assert Path(flows_module("ingest").__file__) == REPO / "flows" / "ingest.py"
