"""Score the wire-format readers on the nine real agency items in ../shared/corpus/wire_formats.

Each item is read as `wirewatch import` reads it (inputs.read_file) and nine fields are compared
with values read off the files by hand: headline, agency (the dateline's), GUID, version, pub
status, urgency, dateline place, the start of the first paragraph and language. A field whose
file gives no value is expected as None; an ANPA item's GUID is its keyword slug and date (the
format has no id, and writethrus share the slug). Prints one line per field that is wrong and the share
right.

Run: uv run python bench/eval_formats.py [--corpus PATH] [-v]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from wirewatch import inputs
from wirewatch.model import Article

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
NOW = dt.datetime(2026, 4, 20, tzinfo=dt.timezone.utc)
FIELDS = ("headline", "agency", "guid", "version", "pub_status", "urgency", "place", "first", "lang")

# file -> expected (headline, agency, guid, version, pub_status, urgency, place, first words, lang)
EXPECTED: dict[str, tuple] = {
    "afp_belga.xml": ("France: deux ex-policiers aux frontières devant la justice pour trafic de cocaïne", "AFP",
                      "urn:newsml:afp.com:20190121T104233Z:TX-PAR-RHO61", 1, "usable", 4, "Paris", "Le procès de deux", "fr"),
    "afp_ntb.xml": ("Burkina Faso bans imports from North Korea", "AFP", "urn:newsml:afp.com:20171220T134757Z:TX-PAR-NBK16",
                    1, "usable", 4, "Ouagadougou", "Burkina Faso is banning", "en"),
    "ap-nitf.xml": ("Can trading pollution like stocks help fight climate change?", "AP", None, 1, "usable", None,
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
                       1, "usable", 2, "MOSCOW", "The Kremlin does not", "en"),
}  # fmt: skip


def observed(article: Article) -> tuple:
    item, wire, dateline = article.item, article.wire, article.item.dateline
    first = " ".join(item.paragraphs[0].split()[:4]) if item.paragraphs else None
    guid = article.guid if article.guid and not article.guid.startswith("/") else None  # the file stands in: no id
    return (
        item.headline,
        dateline.agency if dateline else None,
        guid,
        wire.version if wire else None,
        wire.pub_status if wire else None,
        wire.urgency if wire else None,
        dateline.place if dateline else None,
        first,
        article.lang,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    folder = args.corpus / "wire_formats"
    if not folder.is_dir():
        print(f"corpus not found: {folder}", file=sys.stderr)
        return 2
    right = total = 0
    for name, expected in EXPECTED.items():
        result = inputs.read_file(folder / name, inputs.IMPORT_SOURCE, now=NOW)
        got = observed(result.articles[0]) if result.articles else (None,) * len(FIELDS)
        for field, want, have in zip(FIELDS, expected, got):
            total += 1
            ok = want == have if field != "first" else (have or "").startswith(want)
            right += ok
            if not ok or args.verbose:
                print(f"{'ok  ' if ok else 'WRONG'} {name} {field}: expected {want!r}, got {have!r}")
    print(f"fields right: {right}/{total} ({right / total:.1%}) on {len(EXPECTED)} items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
