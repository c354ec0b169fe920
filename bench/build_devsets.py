"""Development sets for page extraction, built from the test material that ships inside PyPI
sdists, written outside the repository (default /work/devsets, or WIREWATCH_DEVSETS).

Every expectation comes from the package's own tests, never from wirewatch's output:

- pages_body/newspaper4k: newspaper4k's tests/data/html pages with the article text its tests
  expect (tests/data/txt) and the publication date (tests/data/metadata ``publish_date``).
- pages_date/htmldate_tests: every ``find_date(<literal html>, ...) == "<day>"`` assertion of
  htmldate's tests/unit_tests.py, with the call's own arguments (url, original_date, ...), less
  those that ask for the last-modified day (``original_date=False``).
- pages_date/trafilatura_tests: the literal (html, date) pairs of trafilatura's
  tests/metadata_tests.py date test.
- pages_date/newspaper4k: the newspaper4k pages that have a ``publish_date``.

Pages that ../shared/corpus/html already holds are left out, so no page counts twice.

Get the sdists first: pip download --no-deps --no-binary :all: trafilatura htmldate newspaper4k -d /tmp/sd
Run: uv run python bench/build_devsets.py --sdists /tmp/sd [--out /work/devsets]
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# ../shared/corpus beside the checkout (two levels up from a worktree under wt/)
CORPUS_HTML = next(
    (p / "shared" / "corpus" / "html" for p in REPO.parents if (p / "shared" / "corpus").is_dir()),
    REPO.parent / "shared" / "corpus" / "html",
)
DEFAULT_OUT = Path(os.environ.get("WIREWATCH_DEVSETS", "/work/devsets"))
_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")


def unpack(sdists: Path, name: str, into: Path) -> Path:
    archive = max(sdists.glob(f"{name}-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / archive.name.removesuffix(".tar.gz")


def local_day(value: str) -> str:
    """The calendar day as the page writes it (its own zone), like the tests' expectations."""
    return dt.datetime.fromisoformat(value.replace(" ", "T", 1)).date().isoformat()


def corpus_files() -> set[str]:
    return {p.name.split("__", 1)[-1] for p in CORPUS_HTML.glob("*.htm*")} if CORPUS_HTML.is_dir() else set()


def newspaper4k(root: Path, out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    data, seen = root / "tests" / "data", corpus_files()
    bodies, dates = [], []
    (out / "pages_body" / "newspaper4k").mkdir(parents=True, exist_ok=True)
    for page in sorted((data / "html").glob("*.html")):
        if page.name in seen:
            continue
        meta_file, text_file = data / "metadata" / f"{page.stem}.json", data / "txt" / f"{page.stem}.txt"
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        text = text_file.read_text(encoding="utf-8").strip() if text_file.is_file() else ""
        if not text and not meta.get("publish_date"):
            continue
        shutil.copy(page, out / "pages_body" / "newspaper4k" / page.name)
        entry = {"file": f"newspaper4k/{page.name}", "url": meta.get("url") or meta.get("canonical_link")}
        if text:
            bodies.append({**entry, "body": text})
        if meta.get("publish_date"):
            day = local_day(meta["publish_date"])
            dates.append({**entry, "file": f"../pages_body/newspaper4k/{page.name}", "day": day})
    return bodies, dates


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def htmldate_tests(root: Path) -> list[dict[str, Any]]:
    """Each ``find_date(html, **kwargs) == "YYYY-MM-DD"`` of htmldate's unit tests."""
    tree = ast.parse((root / "tests" / "unit_tests.py").read_text(encoding="utf-8"))
    cases, seen = [], set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.Eq) and isinstance(node.left, ast.Call)):
            continue
        call = node.left
        if not (isinstance(call.func, ast.Name) and call.func.id == "find_date" and call.args):
            continue
        html, expected = _literal(call.args[0]), _literal(node.comparators[0])
        kwargs = {k.arg: _literal(k.value) for k in call.keywords if k.arg}
        if not isinstance(html, str) or "<" not in html or not isinstance(expected, str) or not _DAY.match(expected):
            continue
        if kwargs.get("outputformat") not in (None, "%Y-%m-%d") or any(v is None for v in kwargs.values()):
            continue
        if kwargs.get("original_date") is False:
            continue  # that test asks for the last-modified day, not the publication day
        key = (html, json.dumps(kwargs, sort_keys=True))
        if key not in seen:
            seen.add(key)
            cases.append({"html": html, "url": kwargs.pop("url", None), "htmldate_kwargs": kwargs, "day": expected})
    return cases


def trafilatura_tests(root: Path) -> list[dict[str, Any]]:
    """The (html, date, extensive) triples of trafilatura's metadata date test."""
    tree = ast.parse((root / "tests" / "metadata_tests.py").read_text(encoding="utf-8"))
    cases = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            for item in node.value.elts:
                value = _literal(item)
                if (
                    isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str) and "<html" in value[0]
                    and isinstance(value[1], str) and _DAY.match(value[1]) and isinstance(value[2], bool)
                ):
                    kwargs = {"extensive_search": value[2]}
                    cases.append({"html": value[0], "url": None, "htmldate_kwargs": kwargs, "day": value[1]})
    return cases


def write_inline(cases: list[dict[str, Any]], folder: Path, prefix: str) -> list[dict[str, Any]]:
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for number, case in enumerate(cases, start=1):
        name = f"{prefix}/{number:03d}.html"
        (folder.parent / name).write_text(case.pop("html"), encoding="utf-8")
        entries.append({"file": name, **case})
    return entries


def main_with(sdists: Path, out: Path) -> dict[str, int]:
    """Build both sets from the sdists in ``sdists`` into ``out``; the number of pages of each."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        bodies, n4k_dates = newspaper4k(unpack(sdists, "newspaper4k", work), out)
        htmldate_root, trafilatura_root = unpack(sdists, "htmldate", work), unpack(sdists, "trafilatura", work)
        folder = out / "pages_date"
        dated = {
            "htmldate_tests": write_inline(htmldate_tests(htmldate_root), folder / "htmldate_tests", "htmldate_tests"),
            "trafilatura_tests": write_inline(
                trafilatura_tests(trafilatura_root), folder / "trafilatura_tests", "trafilatura_tests"
            ),
            "newspaper4k": n4k_dates,
        }
    (out / "pages_body" / "manifest.json").write_text(
        json.dumps({"newspaper4k": bodies}, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    (folder / "manifest.json").write_text(json.dumps(dated, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"pages_body: newspaper4k {len(bodies)}; pages_date: " + ", ".join(f"{k} {len(v)}" for k, v in dated.items()))
    return {"pages_body": len(bodies), "pages_date": sum(map(len, dated.values()))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdists", type=Path, default=Path("/tmp/sd"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    main_with(args.sdists, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
