"""The package's layout: each module imports only modules of its own or an earlier stage, in the
order of the data flow written in ``wirewatch/__init__.py`` (so there are no import cycles)."""

from __future__ import annotations

import ast
from pathlib import Path

import wirewatch

PACKAGE = Path(wirewatch.__file__).resolve().parent
# The stages in data-flow order; a module may import its own stage's modules and earlier ones.
STAGES = (
    ("errors", "model", "limits"),  # shared types, exceptions and size limits
    ("config",),
    ("dateline", "codec", "formats"),  # wire format
    ("extract", "inputs", "fetch", "cadence"),  # sources and extraction, and when to poll them
    ("dedupe",),
    ("query", "topics"),
    ("batches",),  # keyed and matched batches, maybe in worker processes
    ("store", "lake"),  # the archive: a DuckDB file today, the DuckLake attach beside it
    ("ingest",),
    ("alerts",),
    ("pipeline", "cli"),  # the run
)
STAGE_OF = {name: n for n, names in enumerate(STAGES) for name in names}
# Known and still to undo: load_config checks the topics' queries (a function-level import).
ALLOWED_BACKWARD = {("config", "topics")}


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
        if STAGE_OF[imported] > STAGE_OF[module] and (module, imported) not in ALLOWED_BACKWARD
    )
    assert backward == []


def test_the_store_imports_no_domain_stage():
    assert module_imports()["store"] == {"errors", "model"}


def test_imports_of_reads_function_level_imports(tmp_path: Path):
    source = tmp_path / "m.py"
    source.write_text("from wirewatch import dedupe\ndef f():\n    from wirewatch.store import Store\n    import wirewatch.topics\n")
    assert imports_of(source) == {"dedupe", "store", "topics"}


def test_no_import_cycles():
    graph = {m: {i for i in names if (m, i) not in ALLOWED_BACKWARD} for m, names in module_imports().items()}
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
