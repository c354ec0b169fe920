"""Score the wire-format readers on real agency files, each set on its own.

Sets:
- ``corpus``: the nine items in ../shared/corpus/wire_formats, expected values below (nine fields:
  headline, agency (the dateline's), GUID, version, pub status, urgency, dateline place, the
  start of the first paragraph, language; ap-nitf.xml and tass_belga.xml give no version:
  None);
- ``devset``: /work/devsets/wire_formats (or $WIREWATCH_DEVSETS/wire_formats), public ingest
  fixtures with a ``.manifest.json`` (hidden: a folder import skips it) of values written by hand from each file (headline, first
  paragraph, dateline place, language, version, pub status, urgency, kind).

Every file is found as a folder import finds it (inputs.iter_input_files, by content whatever
its name) and read as `wirewatch import` reads it (inputs.read_file). For each set: files
found by the folder walk, items expected, items imported, fields right / fields checked. A field
whose file gives no value is expected as None. Prints one line per field that is wrong (all with
-v).

Run: uv run python bench/eval_formats.py [--corpus PATH] [--devsets PATH] [-v]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from wirewatch.sources import inputs
from wirewatch.model import Article

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT / "shared" / "corpus"
DEFAULT_DEVSETS = Path(os.environ.get("WIREWATCH_DEVSETS", ROOT / "devsets"))
NOW = dt.datetime(2026, 4, 20, tzinfo=dt.timezone.utc)
CORPUS_FIELDS = ("headline", "agency", "guid", "version", "pub_status", "urgency", "place", "first", "lang")
DEVSET_FIELDS = ("headline", "first", "place", "lang", "version", "pub_status", "urgency", "kind")

# file -> expected (headline, agency, guid, version, pub_status, urgency, place, first words, lang)
EXPECTED: dict[str, tuple] = {
    "afp_belga.xml": ("France: deux ex-policiers aux frontières devant la justice pour trafic de cocaïne", "AFP",
                      "urn:newsml:afp.com:20190121T104233Z:TX-PAR-RHO61", 1, "usable", 4, "Paris", "Le procès de deux", "fr"),
    "afp_ntb.xml": ("Burkina Faso bans imports from North Korea", "AFP", "urn:newsml:afp.com:20171220T134757Z:TX-PAR-NBK16",
                    1, "usable", 4, "Ouagadougou", "Burkina Faso is banning", "en"),
    "ap-nitf.xml": ("Can trading pollution like stocks help fight climate change?", "AP", None, None, "usable", None,
                    "NEW YORK", "The gas produced by", "en"),
    "ap_anpa-1.tst": ("Deng has 30 points, short-handed Heat beat Hawks 115-111", "AP", "BC-BKN--Heat-Hawks 02-20", 2, "usable", 5, "ATLANTA",
                      "Luol Deng scored 30", "en"),
    "dpa.xml": ("Eintracht in London: Hintereggers Tränen und Attacke auf Reporter", "dpa",
                "urn:newsml:dpa.com:20090101:221011-930-4303", 1, "usable", 4, "London", "2019 gab es bittere", "de"),
    "efe_belga.xml": ("Leones matan a un joven que se coló en un zoológico de la India", "EFE",
                      "urn:newsml:texto.efeservicios.com:20190121T103600+0000:25413502", 1, "usable", 5, "Nueva Delhi",
                      "Una pareja de leones", "es"),
    "kyodo.txt": ("Soccer: Urawa Reds claim 7th Emperor's Cup by beating Vegalta Sendai", "Kyodo", "BC-Soccer-Emperor's-Cup 09-12", 1, "usable", 3,
                  "SAITAMA", "Urawa Reds claimed their", "en"),
    "reuters_newsml_g2_KBN0FL0NN_v5.xml": ("Confident Assad launches new term in stronger position", "Reuters",
                                           "tag_reuters.com_2014_newsml_KBN0FL0NN", 5, "usable", 4, "DAMASCUS",
                                           "Bashar al-Assad was sworn", "en"),
    "tass_belga.xml": ("Kremlin has 'negative reaction' to upcoming EU sanctions", "TASS", "16AAC34CE1C503AE4325838900396A95",
                       None, "usable", 2, "MOSCOW", "The Kremlin does not", "en"),
}  # fmt: skip


def observed(article: Article) -> dict[str, object]:
    item, wire, dateline = article.item, article.wire, article.item.dateline
    guid = article.guid if article.guid and not article.guid.startswith("/") else None  # the file stands in: no id
    return {
        "headline": item.headline or None,  # an empty headline is none
        "agency": dateline.agency if dateline else None,
        "guid": guid,
        "version": wire.version if wire else None,
        "pub_status": wire.pub_status if wire else None,
        "urgency": wire.urgency if wire else None,
        "place": dateline.place if dateline else None,
        "first": item.paragraphs[0] if item.paragraphs else None,
        "lang": article.lang,
        "kind": article.provenance.get("kind", "text"),
    }


def right(field: str, want: object, have: object) -> bool:
    """The first paragraph is checked by its opening words, other fields whole."""
    if field == "first" and want is not None:
        return isinstance(have, str) and " ".join(have.split()).startswith(str(want))
    return want == have


def score(folder: Path, expected: list[tuple[str, dict[str, object]]], fields: tuple[str, ...], verbose: bool,
          report: Callable[[str], None] = print) -> dict[str, int]:  # fmt: skip
    """Read every file the folder walk finds and compare the expected items, in file order."""
    walked = {path.name for path in inputs.iter_input_files([folder], lambda line: None)}
    articles: dict[str, list[Article]] = {}
    for name in sorted({name for name, _ in expected}):
        if name in walked:
            articles[name] = inputs.read_file(folder / name, inputs.IMPORT_SOURCE, now=NOW).articles
    seen: dict[str, int] = {}
    counts = {"files": len({n for n, _ in expected}), "walked": len(walked & {n for n, _ in expected}), "items": len(expected),
              "imported": 0, "right": 0, "checked": 0}  # fmt: skip
    for name, want in expected:
        n = seen[name] = seen.get(name, -1) + 1
        found = articles.get(name, [])
        have = observed(found[n]) if n < len(found) else {}
        counts["imported"] += bool(have)
        for field in fields:
            ok = bool(have) and right(field, want.get(field), have.get(field))
            counts["checked"] += 1
            counts["right"] += ok
            if not ok or verbose:
                got = have.get(field) if have else "(not imported)"
                report(f"{'ok  ' if ok else 'WRONG'} {name}#{n + 1} {field}: expected {want.get(field)!r}, got {str(got)[:90]!r}")
    return counts


def corpus_expected() -> list[tuple[str, dict[str, object]]]:
    return [(name, dict(zip(CORPUS_FIELDS, values))) for name, values in EXPECTED.items()]


def devset_expected(folder: Path) -> list[tuple[str, dict[str, object]]]:
    manifest = json.loads((folder / ".manifest.json").read_text(encoding="utf-8"))
    return [(entry["file"], entry) for entry in manifest["items"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--devsets", type=Path, default=DEFAULT_DEVSETS)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    sets = [("corpus", args.corpus / "wire_formats", corpus_expected, CORPUS_FIELDS),
            ("devset", args.devsets / "wire_formats", devset_expected, DEVSET_FIELDS)]  # fmt: skip
    measured = 0
    for label, folder, expected, fields in sets:
        if not folder.is_dir():
            print(f"{label}: not found: {folder}", file=sys.stderr)
            continue
        measured += 1
        c = score(folder, expected(folder) if expected is devset_expected else expected(), fields, args.verbose)
        print(f"{label} ({folder}): files found by the folder walk {c['walked']}/{c['files']}, "
              f"items imported {c['imported']}/{c['items']}, fields right {c['right']}/{c['checked']} "
              f"({c['right'] / c['checked']:.1%})")  # fmt: skip
    return 0 if measured else 2


if __name__ == "__main__":
    sys.exit(main())
