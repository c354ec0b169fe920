"""Quote extraction scored against a hand-annotated development set.

Sets (read in place, never copied into the repository):

- ``seed``: the seed item (``../shared/seeds/*.txt``);
- ``tass``: the 20 tass.com items of ``../shared/corpus/wire_text`` (their first ``content``
  paragraph repeats the lead and is the subtitle; the body starts at the dateline).

The annotation is ``$WIREWATCH_DEVSETS/quotes/<set>.json`` (default ``/work/devsets``): per item
(by file name or TASS link) the quotes with their ``text`` as it stands in the body, ``kind``
(direct | indirect) and ``speaker`` (the person or organisation, full name; null when the text
does not say). What counts as a direct quote: words in quote marks or after a speech dash that
reproduce what someone said or wrote, four words or more, or fewer with a speech cue beside them;
not titles, names or scare quotes. Indirect: a clause reported with a speech cue (said, told,
noted, according to, ...).

Scores per set and kind: a predicted quote matches an annotated one of the same kind when their
character spans overlap by at least half of the longer one (each used once). Precision and
recall over spans; speaker accuracy is the share of matched quotes whose speaker is the
annotated one (names compared without case; null equals null).

Run: uv run python bench/eval_quotes.py [--devsets PATH] [--corpus PATH] [--dump SET] [-v]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from wirewatch.wire import codec
from wirewatch.model import WireItem
from wirewatch.quotes import extract_quotes

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
if not DEFAULT_SHARED.exists():
    DEFAULT_SHARED = Path("/work/shared")
DEFAULT_DEVSETS = Path(os.environ.get("WIREWATCH_DEVSETS", "/work/devsets"))
SETS = ("seed", "tass")
OVERLAP = 0.5


def seed_items(shared: Path) -> dict[str, tuple[WireItem, dt.datetime | None]]:
    return {
        path.name: (codec.parse(path.read_text(encoding="utf-8")), None)
        for path in sorted((shared / "seeds").glob("*.txt"))
    }


def tass_items(shared: Path) -> dict[str, tuple[WireItem, dt.datetime | None]]:
    path = shared / "corpus" / "wire_text" / "tass_politics_2024-12-26.json"
    items = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        published = dt.datetime.fromisoformat(entry["date"]).replace(tzinfo=dt.timezone.utc)
        item = codec.make_item(section="Politics", headline=entry["title"], subtitle=entry.get("description"),
                               paragraphs=entry["content"][1:], published=published)  # fmt: skip
        items[entry["link"]] = (item, published)
    return items


def load_set(name: str, shared: Path) -> dict[str, tuple[WireItem, dt.datetime | None]]:
    return seed_items(shared) if name == "seed" else tass_items(shared)


def span_of(body: str, text: str, after: int) -> tuple[int, int] | None:
    at = body.find(text, after)
    if at == -1:
        at = body.find(text)
    return (at, at + len(text)) if at != -1 else None


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(shared, 0) / max(a[1] - a[0], b[1] - b[0], 1)


def same_speaker(a: str | None, b: str | None) -> bool:
    return (a or "").casefold() == (b or "").casefold()


def score(name: str, items: dict, annotation: dict, verbose: bool) -> dict[str, dict[str, float]]:
    counts = {kind: {"gold": 0, "predicted": 0, "matched": 0, "speaker": 0} for kind in ("direct", "indirect")}
    for key, (item, published) in items.items():
        body = item.body
        gold = []
        cursor = 0
        for entry in annotation.get(key, {}).get("quotes", []):
            span = span_of(body, entry["text"], cursor)
            if span is None:
                sys.exit(f"{name}: {key}: annotated text not in the body: {entry['text'][:60]!r}")
            cursor = span[0]
            gold.append((entry["kind"], span, entry.get("speaker"), entry["text"]))
        predicted = extract_quotes(item, published=published)
        used: set[int] = set()
        for q in predicted:
            counts[q.kind]["predicted"] += 1
            best = None
            for n, (kind, span, speaker, _) in enumerate(gold):
                if n in used or kind != q.kind:
                    continue
                if overlap((q.start, q.end), span) >= OVERLAP:
                    best = n
                    break
            if best is None:
                if verbose:
                    print(f"  FP {q.kind} [{q.speaker}] {q.text[:90]!r}  ({key[-40:]})")
                continue
            used.add(best)
            counts[q.kind]["matched"] += 1
            if same_speaker(q.speaker, gold[best][2]):
                counts[q.kind]["speaker"] += 1
            elif verbose:
                print(f"  SPK {q.kind} got {q.speaker!r} want {gold[best][2]!r}: {q.text[:60]!r}")
        for n, (kind, span, speaker, text) in enumerate(gold):
            counts[kind]["gold"] += 1
            if n not in used and verbose:
                print(f"  FN {kind} [{speaker}] {text[:90]!r}  ({key[-40:]})")
    report = {}
    for kind, c in counts.items():
        report[kind] = {
            "gold": c["gold"],
            "predicted": c["predicted"],
            "precision": round(c["matched"] / c["predicted"], 3) if c["predicted"] else 1.0,
            "recall": round(c["matched"] / c["gold"], 3) if c["gold"] else 1.0,
            "speaker": round(c["speaker"] / c["matched"], 3) if c["matched"] else 1.0,
        }
    return report


def dump(items: dict) -> dict:
    """The extractor's output in the annotation's shape: a start for annotating by hand."""
    out = {}
    for key, (item, published) in items.items():
        out[key] = {"quotes": [{"kind": q.kind, "text": q.text, "speaker": q.speaker} for q in
                               extract_quotes(item, published=published)]}  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devsets", type=Path, default=DEFAULT_DEVSETS)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--dump", choices=SETS, help="print the extractor's output for a set as annotation JSON")
    parser.add_argument("--json", type=Path, help="write the scores here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses, false quotes, wrong speakers")
    args = parser.parse_args(argv)
    if args.dump:
        print(json.dumps(dump(load_set(args.dump, args.shared)), ensure_ascii=False, indent=1))
        return 0
    results = {}
    for name in SETS:
        path = args.devsets / "quotes" / f"{name}.json"
        if not path.exists():
            print(f"{name}: skipped, no annotation at {path}")
            continue
        if args.verbose:
            print(f"== {name}")
        results[name] = score(name, load_set(name, args.shared), json.loads(path.read_text(encoding="utf-8")),
                              args.verbose)  # fmt: skip
    print(f"{'set':6} {'kind':9} {'gold':>5} {'found':>6} {'P':>6} {'R':>6} {'speaker':>8}")
    for name, report in results.items():
        for kind, r in report.items():
            print(f"{name:6} {kind:9} {r['gold']:5} {r['predicted']:6} {r['precision']:6.3f} {r['recall']:6.3f} "
                  f"{r['speaker']:8.3f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"date": dt.date.today().isoformat(), "sets": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
