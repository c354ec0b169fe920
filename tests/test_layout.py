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
# The stage packages (and the shared modules) in data-flow order: a module may import modules of
# its own stage and of earlier ones.
STAGES = (
    ("errors", "model", "limits", "query"),  # shared types, exceptions, size limits, the query language
    ("config",),
    ("wire",),  # the seed's wire format: dateline and codec
    ("sources",),  # reading: agency formats, feeds and pages, local files, the HTTP transport, polling
    ("dedupe",),
    ("quotes",),  # who said what: direct and reported speech, speakers
    ("topics",),  # the matcher and backtests
    ("archive",),  # the store: a lake (DuckLake) or a DuckDB file
    ("ingest",),  # batches keyed and matched (maybe in worker processes), then written
    ("alerts",),
    ("run",),  # a run (begin, store batches, deliver, finish), its health, push ingest in serve
    ("web",),  # the read-only web view
    ("cli",),  # the command, and how it shows what it found
)
STAGE_OF = {name: n for n, names in enumerate(STAGES) for name in names}


def modules_imported_by(path: Path) -> set[str]:
    """The wirewatch modules (dotted, below wirewatch) that ``path`` imports anywhere, functions included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("wirewatch"):
            base = node.module.split(".")[1:]
            names = [a.name for a in node.names if a.name != "__version__"]
            if not base:
                found |= set(names)
                continue
            # `from wirewatch.sources import fetch` imports the module sources.fetch, not the package
            submodules = {name for name in names if PACKAGE.joinpath(*base, name + ".py").exists()}
            found |= {".".join((*base, name)) for name in submodules}
            if set(names) - submodules:
                found.add(".".join(base))
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".", 1)[1] for a in node.names if a.name.startswith("wirewatch.")}
    return found


def imports_of(path: Path) -> set[str]:
    """The top-level wirewatch stages (packages or shared modules) that ``path`` imports."""
    return {name.split(".")[0] for name in modules_imported_by(path)}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_imports() -> dict[str, set[str]]:
    """Each top-level stage of wirewatch and what it imports of the others."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if name:
            stage = name.split(".")[0]
            graph.setdefault(stage, set()).update(imports_of(path) - {stage})
    return graph


def module_graph() -> dict[str, set[str]]:
    """Each module (dotted) and the modules it imports."""
    graph = {module_name(path): modules_imported_by(path) for path in PACKAGE.rglob("*.py") if module_name(path)}
    return {name: imported - {name} for name, imported in graph.items()}


def test_every_package_has_a_stage():
    assert sorted(set(stage_imports()) - set(STAGE_OF)) == []


def test_no_stage_imports_a_later_stage():
    backward = sorted(
        (stage, imported)
        for stage, imported_names in stage_imports().items()
        for imported in imported_names
        if STAGE_OF[imported] > STAGE_OF[stage]
    )
    assert backward == []


def test_the_archive_imports_no_domain_stage():
    assert stage_imports()["archive"] == {"errors", "model"}


def test_only_the_backend_knows_the_lake_module():
    # the seam: a DuckDB file or a lake is the backend's business, no other part asks which
    graph = module_graph()
    in_archive = {name: imported for name, imported in graph.items() if name.startswith("archive.")}
    assert sorted(name for name, imported in in_archive.items() if "archive.lake" in imported) == ["archive.backend"]


def test_the_fetcher_is_transport_only():
    assert module_graph()["sources.fetch"] == {"config", "errors"}


def test_imports_of_reads_function_level_imports(tmp_path: Path):
    source = tmp_path / "m.py"
    source.write_text("from wirewatch import dedupe\ndef f():\n    from wirewatch.archive.store import Store\n    import wirewatch.topics.matcher\n")
    assert imports_of(source) == {"dedupe", "archive", "topics"}


def test_no_import_cycles_between_modules():
    graph = module_graph()
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(graph.get(module, ())):
            if imported in path:
                cycles.append(path[path.index(imported):] + [imported])
            elif imported in graph:
                visit(imported, path + [imported])

    for module in sorted(graph):
        visit(module, [module])
    assert cycles == []


def test_the_matcher_loads_without_rich():
    # rich is the command's business: workers and flows import the matcher, never the terminal
    code = "import sys, wirewatch.topics.matcher, wirewatch.topics.backtest; print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))"
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
        "import importlib.util; from wirewatch.cli.commands import flows_module; serve = flows_module('serve');"
        "print(serve.__name__, serve.ingest.fn.__module__, importlib.util.find_spec('flows'))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(site), sysconfig.get_paths()["purelib"]))}
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "wirewatch.flows.serve wirewatch.flows.ingest None\n"), done.stderr


def test_a_checkout_runs_the_flows_from_the_repository_folder():
    from wirewatch.cli.commands import flows_module

    assert Path(flows_module("ingest").__file__) == REPO / "flows" / "ingest.py"
