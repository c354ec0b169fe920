"""Development sets for page extraction, built from the test material that ships inside PyPI
sdists, written outside the repository (default /work/devsets, or WIREWATCH_DEVSETS).

Every expectation comes from the package's own tests, never from wirewatch's output:

- pages_body/newspaper4k: newspaper4k's tests/data/html pages with the article text its tests
  expect (tests/data/txt) and the publication date (tests/data/metadata ``publish_date``).
- pages_body/trafilatura_realworld: the real pages of trafilatura's tests/cache with the snippets
  its tests/realworld_tests.py wants in the extracted text and not in it (trafilatura 1.0.0 is
  the newest sdist that ships both).
- pages_date/htmldate_tests: every ``find_date(<literal html>, ...) == "<day>"`` assertion of
  htmldate's tests/unit_tests.py, with the call's own arguments (url, original_date, ...), less
  those that ask for the last-modified day (``original_date=False``).
- pages_date/htmldate_cache: the same assertions on the real pages of its tests/cache (htmldate
  1.4.0 is the newest sdist that ships them).
- pages_date/trafilatura_tests: the literal (html, date) pairs of trafilatura's
  tests/metadata_tests.py date test.
- pages_date/newspaper4k: the newspaper4k pages that have a ``publish_date``.

Pages that ../shared/corpus/html already holds are left out, so no page counts twice.

Get the sdists first:
    pip download --no-deps --no-binary :all: trafilatura htmldate newspaper4k -d /tmp/sd
    pip download --no-deps --no-binary :all: trafilatura==1.0.0 htmldate==1.4.0 -d /tmp/sd
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


def _version(archive: Path) -> tuple[int, ...]:
    """"htmldate-1.11.0.tar.gz" -> (1, 11, 0), so 1.11 sorts after 1.4."""
    return tuple(int(n) for n in re.findall(r"\d+", archive.name.removesuffix(".tar.gz").rsplit("-", 1)[1]))


def unpack(sdists: Path, name: str, into: Path, *, holding: str = "") -> Path | None:
    """The newest sdist of ``name`` (with the file or folder ``holding``, when given), unpacked."""
    for archive in sorted(sdists.glob(f"{name}-*.tar.gz"), key=_version, reverse=True):
        with tarfile.open(archive) as tar:
            root = archive.name.removesuffix(".tar.gz")
            if holding and not any(m.startswith(f"{root}/{holding}") for m in tar.getnames()):
                continue
            tar.extractall(into / root, filter="data")
            return into / root / root
    return None


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


def _mock_pages(tree: ast.Module) -> dict[str, str]:
    """The test module's ``MOCK_PAGES = {url: file in tests/cache}``."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "MOCK_PAGES" for t in node.targets):
            pages = _literal(node.value)
            return pages if isinstance(pages, dict) else {}
    return {}


def _page_argument(node: ast.AST, root: Path, mock_pages: dict[str, str]) -> tuple[str | None, str | None]:
    """(literal html, None) or (None, cached file name) for the first argument of a test call."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "load_mock_page" and node.args:
        url = _literal(node.args[0])
        name = mock_pages.get(url) if isinstance(url, str) else None
        return None, name if name and (root / "tests" / "cache" / name).is_file() else None
    html = _literal(node)
    return (html, None) if isinstance(html, str) and "<" in html else (None, None)


def htmldate_tests(root: Path) -> list[dict[str, Any]]:
    """Each ``find_date(html or load_mock_page(url), **kwargs) == "YYYY-MM-DD"`` of htmldate's
    unit tests; a cached page is named by ``cache``."""
    tree = ast.parse((root / "tests" / "unit_tests.py").read_text(encoding="utf-8"))
    mock_pages = _mock_pages(tree)
    cases, seen = [], set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.Eq) and isinstance(node.left, ast.Call)):
            continue
        call = node.left
        if not (isinstance(call.func, ast.Name) and call.func.id == "find_date" and call.args):
            continue
        html, cached = _page_argument(call.args[0], root, mock_pages)
        expected = _literal(node.comparators[0])
        kwargs = {k.arg: _literal(k.value) for k in call.keywords if k.arg}
        if (html is None and cached is None) or not isinstance(expected, str) or not _DAY.match(expected):
            continue
        if kwargs.get("outputformat") not in (None, "%Y-%m-%d") or any(v is None for v in kwargs.values()):
            continue
        if kwargs.get("original_date") is False:
            continue  # that test asks for the last-modified day, not the publication day
        key = (html or cached, json.dumps(kwargs, sort_keys=True))
        if key not in seen:
            seen.add(key)
            source = {"html": html} if html is not None else {"cache": cached}
            cases.append({**source, "url": kwargs.pop("url", None), "htmldate_kwargs": kwargs, "day": expected})
    return cases


def _snippets(test: ast.AST) -> tuple[list[str], list[str]] | None:
    """("with", "without") of an ``assert 'a' in result and 'b' not in result ...``, or None."""
    terms = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    wanted: list[str] = []
    unwanted: list[str] = []
    for term in terms:
        if not (isinstance(term, ast.Compare) and len(term.ops) == 1 and getattr(term.comparators[0], "id", "") == "result"):
            return None
        snippet = _literal(term.left)
        if not isinstance(snippet, str) or not isinstance(term.ops[0], ast.In | ast.NotIn):
            return None
        (wanted if isinstance(term.ops[0], ast.In) else unwanted).append(snippet)
    return wanted, unwanted


def trafilatura_realworld(root: Path) -> list[dict[str, Any]]:
    """The pages of trafilatura's realworld tests (tests/cache) with the snippets each test wants
    in the extracted text and not in it (text output: blocks for XML output only are skipped)."""
    tree = ast.parse((root / "tests" / "realworld_tests.py").read_text(encoding="utf-8"))
    mock_pages = _mock_pages(tree)
    test = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "test_extract")
    pages: dict[str, dict[str, Any]] = {}
    current: str | None = None
    statements = list(test.body)
    while statements:
        node = statements.pop(0)
        if isinstance(node, ast.If):
            condition = ast.unparse(node.test)
            if condition in ("xmloutput is False", "not xmloutput"):
                statements[:0] = node.body
            continue
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "result":
            _, current = _page_argument(node.value, root, mock_pages) if isinstance(node.value, ast.Call) else (None, None)
            url = _literal(node.value.args[0]) if isinstance(node.value, ast.Call) and node.value.args else None
            if current is not None:
                pages.setdefault(current, {"cache": current, "url": url, "with": [], "without": []})
        elif isinstance(node, ast.Assert) and current is not None and (found := _snippets(node.test)):
            pages[current]["with"] += found[0]
            pages[current]["without"] += found[1]
    return [page for page in pages.values() if page["with"] or page["without"]]


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


def write_pages(cases: list[dict[str, Any]], folder: Path, prefix: str, root: Path) -> list[dict[str, Any]]:
    """The cases' pages into ``folder`` (literal snippets numbered, cached pages by their name)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for number, case in enumerate(cases, start=1):
        if "html" in case:
            name = f"{prefix}/{number:03d}.html"
            (folder.parent / name).write_text(case.pop("html"), encoding="utf-8")
        else:
            name = f"{prefix}/{case['cache']}"
            shutil.copy(root / "tests" / "cache" / case.pop("cache"), folder.parent / name)
        entries.append({"file": name, **case})
    return entries


def main_with(sdists: Path, out: Path) -> dict[str, int]:
    """Build both sets from the sdists in ``sdists`` into ``out``; the number of pages of each.
    Inline tests come from each package's newest sdist; cached real pages from the newest sdist
    that still ships its tests/cache."""
    seen = corpus_files()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        newspaper = unpack(sdists, "newspaper4k", work)
        bodies, n4k_dates = newspaper4k(newspaper, out) if newspaper else ([], [])
        body_sets: dict[str, list[dict[str, Any]]] = {"newspaper4k": bodies}
        dated: dict[str, list[dict[str, Any]]] = {}
        folder = out / "pages_date"
        if (root := unpack(sdists, "htmldate", work)) is not None:
            inline = [c for c in htmldate_tests(root) if "html" in c]
            dated["htmldate_tests"] = write_pages(inline, folder / "htmldate_tests", "htmldate_tests", root)
        if (root := unpack(sdists, "htmldate", work, holding="tests/cache/")) is not None:
            cached = [c for c in htmldate_tests(root) if "cache" in c and c["cache"] not in seen]
            dated["htmldate_cache"] = write_pages(cached, folder / "htmldate_cache", "htmldate_cache", root)
        if (root := unpack(sdists, "trafilatura", work)) is not None:
            found = trafilatura_tests(root)
            dated["trafilatura_tests"] = write_pages(found, folder / "trafilatura_tests", "trafilatura_tests", root)
        if (root := unpack(sdists, "trafilatura", work, holding="tests/realworld_tests.py")) is not None:
            pages = [p for p in trafilatura_realworld(root) if p["cache"] not in seen]
            body_sets["trafilatura_realworld"] = write_pages(
                pages, out / "pages_body" / "trafilatura_realworld", "trafilatura_realworld", root
            )
        dated["newspaper4k"] = n4k_dates
    (out / "pages_body" / "manifest.json").write_text(
        json.dumps(body_sets, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(dated, indent=1, ensure_ascii=False), encoding="utf-8")
    counts = {f"pages_body/{k}": len(v) for k, v in body_sets.items()} | {f"pages_date/{k}": len(v) for k, v in dated.items()}
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    return {"pages_body": sum(map(len, body_sets.values())), "pages_date": sum(map(len, dated.values()))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdists", type=Path, default=Path("/tmp/sd"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    main_with(args.sdists, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
