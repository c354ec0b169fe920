"""The SQL of ``sql/`` (migrations, views, named queries, the lake's statements), loaded by name.

One loader for the store and the lake: statements are split at semicolons that end a line, and a
statement's ``$name`` parameters are found so that each gets only the parameters it uses.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

# sql/ sits at the repository root; a built wheel carries a copy inside the package.
_PACKAGE = Path(__file__).resolve().parents[1]
SQL_DIR = _PACKAGE / "sql" if (_PACKAGE / "sql").is_dir() else _PACKAGE.parents[1] / "sql"
PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STATEMENT_END = re.compile(r";[ \t]*(?:\n|$)")


@cache
def sql_statements(name: str) -> tuple[str, ...]:
    """The statements of ``sql/<name>.sql`` (split at semicolons that end a line)."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return tuple(s.strip() for s in _STATEMENT_END.split(text) if _has_code(s))


def parameters_of(statement: str) -> list[str]:
    """The ``$name`` parameters ``statement`` uses, each once, in order (comment lines, which
    may mention them, left out)."""
    code = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
    return list(dict.fromkeys(PARAMETER.findall(code)))


def _has_code(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())
