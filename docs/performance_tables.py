"""Writes the benchmark tables of docs/performance.md from the results kept in bench/published/.

A published result is a ``python -m bench --json bench/published/NAME.json`` run, kept with the
date, command and versions it was measured with. Each table sits between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` in docs/performance.md; run
``uv run python docs/performance_tables.py`` after publishing a result (tests/test_docs.py fails
while a table differs from its result)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.__main__ import markdown  # noqa: E402  (the bench's own rendering of a result)

PUBLISHED = REPO / "bench" / "published"
PAGE = REPO / "docs" / "performance.md"


def block(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- bench:{re.escape(name)} -->\n).*?(<!-- /bench:{re.escape(name)} -->)", re.S)


def published() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(PUBLISHED.glob("*.json"))}


def rendered(page: str) -> str:
    """``page`` with every marked table rewritten from its published result."""
    for name, result in published().items():
        pattern = block(name)
        if not pattern.search(page):
            raise SystemExit(f"{PAGE.name}: no <!-- bench:{name} --> block for bench/published/{name}.json")
        page = pattern.sub(lambda m, r=result: m.group(1) + markdown(r) + m.group(2), page)
    return page


if __name__ == "__main__":
    PAGE.write_text(rendered(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote {PAGE}\n")
