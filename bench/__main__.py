"""``uv run python -m bench [--quick] [--only NAME] [--json PATH] [--profile]``

Runs each scenario in a child process of its own (so that peak memory is per scenario), prints a
table, writes the JSON result (default ``bench/results/latest.json``) and the same table as
Markdown beside it (``latest.md``); a result kept in ``bench/published/`` becomes a table of
docs/performance.md (docs/performance_tables.py).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import io
import json
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.measure import Skip, machine
from bench.scenarios import FULL, QUICK, REPORTED, RUNNER_OF, SCENARIOS, Dirs

RESULTS = Path(__file__).resolve().parent / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="wirewatch benchmarks")
    parser.add_argument("--quick", action="store_true", help="scaled-down smoke run (about a minute)")
    parser.add_argument("--only", action="append", choices=REPORTED, metavar="NAME",
                        help=f"run only this scenario (repeatable): {', '.join(REPORTED)}")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json", help="where to write the result")
    parser.add_argument("--cache", type=Path, default=RESULTS / "cache",
                        help="generated corpora and the archive store, reused between runs")
    parser.add_argument("--archive-size", type=int, metavar="N",
                        help="articles in the archive store of the 'archive' scenario (default 1,000,000; quick 2,000)")
    parser.add_argument("--profile", action="store_true",
                        help="profile each scenario (cProfile); top functions in profile-NAME.txt beside the JSON")
    parser.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    return parser


def run_child(args: argparse.Namespace) -> int:
    """In the child process: run one scenario, write its rows (or why it was skipped) to --out."""
    scale = QUICK if args.quick else FULL
    if args.archive_size:
        scale = dataclasses.replace(scale, archive_size=args.archive_size)
    dirs = Dirs(cache=args.cache, work=args.work)
    dirs.cache.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile() if args.profile else None
    try:
        if profiler:
            profiler.enable()
        rows = SCENARIOS[args.child](scale, dirs)
        outcome = {"status": "ok", "rows": [row.to_json() for row in rows]}
    except Skip as skipped:
        outcome = {"status": "skipped", "reason": str(skipped), "rows": []}
    finally:
        if profiler:
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.with_name(f"profile-{args.child}.txt").write_text(text.getvalue())
    args.out.write_text(json.dumps(outcome))
    return 0


def _runners(only: list[str] | None) -> list[str]:
    wanted = only or list(REPORTED)
    return list(dict.fromkeys(RUNNER_OF.get(name, name) for name in wanted))


def run_all(args: argparse.Namespace, console: Console) -> dict:
    started = dt.datetime.now(dt.UTC)
    command = " ".join(["uv run python -m bench", *sys.argv[1:]])
    result = {"command": command, "mode": "quick" if args.quick else "full", "started": started.isoformat(),
              "machine": machine(), "scenarios": {}}
    args.cache.mkdir(parents=True, exist_ok=True)
    for runner in _runners(args.only):
        with tempfile.TemporaryDirectory(dir=args.cache.parent, prefix="work-") as work:
            out = Path(work) / "rows.json"
            child = [sys.executable, "-m", "bench", "--child", runner, "--out", str(out), "--work", work,
                     "--cache", str(args.cache), "--json", str(args.json)]
            child += ["--quick"] if args.quick else []
            child += ["--profile"] if args.profile else []
            child += ["--archive-size", str(args.archive_size)] if args.archive_size else []
            clock = time.perf_counter()
            with console.status(f"running {runner} ..."):
                done = subprocess.run(child, capture_output=True, text=True)
            if done.returncode == 0 and out.exists():
                outcome = json.loads(out.read_text())
            else:
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                outcome = {"status": "error", "reason": f"exit {done.returncode}: {last}", "rows": [],
                           "stderr": done.stderr[-4000:]}
            console.print(f"{runner}: {outcome['status']} in {time.perf_counter() - clock:.0f} s"
                          + (f" ({outcome['reason']})" if outcome.get("reason") else ""))
        names = [name for name in REPORTED if RUNNER_OF.get(name, name) == runner]
        for name in names:
            rows = [row for row in outcome["rows"] if row["scenario"] == name]
            result["scenarios"][name] = {**{k: v for k, v in outcome.items() if k != "rows"}, "rows": rows}
    result["finished"] = dt.datetime.now(dt.UTC).isoformat()
    return result


def _figure(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value >= 1 else f"{value:.3g}"


def _targets(row: dict) -> str:
    return "; ".join(("met " if t["met"] else "MISSED " if t["met"] is False else "") + t["label"]
                     for t in row["targets"])


COLUMNS = ("scenario", "measurement", "figure", "MB/s", "vs baseline", "wall s", "CPU s", "peak MB", "target")


def table_rows(result: dict) -> list[tuple[str, ...]]:
    lines = []
    for name, scenario in result["scenarios"].items():
        if scenario["status"] != "ok":
            lines.append((name, f"{scenario['status']}: {scenario.get('reason', '')}", *[""] * 7))
        for row in scenario["rows"]:
            ratio = f"{row['ratio']:,.1f}x" if row.get("ratio") else ("baseline" if row.get("baseline_of") else "")
            lines.append((
                name, row["name"], f"{_figure(row['rate'])} {row['unit']}", _figure(row.get("mb_per_s")), ratio,
                _figure(row["wall_s"]), _figure(row["cpu_s"]),
                _figure(row["peak_rss_mb"]) if row["peak_rss_mb"] else "",
                _targets(row),
            ))
    return lines


def markdown(result: dict) -> str:
    m = result["machine"]
    head = (f"Measured {result['finished'][:10]} with `{result['command']}` on {m['cpu']}, {m['cores']} cores, "
            f"{m['memory_gb']} GB RAM, Python {m['python']}, DuckDB {m['duckdb']}, load average "
            f"{m['load_average_at_start']:.1f} at the start.\n\n")
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in table_rows(result)]
    notes = [f"- {row['scenario']} / {row['name']}: {row['note']}" for s in result["scenarios"].values()
             for row in s["rows"] if row.get("note")]
    return head + "\n".join(lines) + "\n\nNotes:\n" + "\n".join(notes) + "\n"


def show(result: dict, console: Console) -> None:
    table = Table(title=f"wirewatch benchmarks ({result['mode']})")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column not in ("scenario", "measurement", "target") else "left")
    for line in table_rows(result):
        style = "red" if "MISSED" in line[-1] else None
        table.add_row(*line, style=style)
    console.print(table)
    for scenario in result["scenarios"].values():
        for row in scenario["rows"]:
            if row.get("note"):
                console.print(f"[dim]{row['scenario']} / {row['name']}: {row['note']}[/dim]")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child:
        return run_child(args)
    console = Console() if sys.stdout.isatty() else Console(width=220)  # a log keeps whole rows
    result = run_all(args, console)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    args.json.with_suffix(".md").write_text(markdown(result))
    show(result, console)
    console.print(f"written: {args.json} and {args.json.with_suffix('.md')}")
    failed = [name for name, s in result["scenarios"].items() if s["status"] == "error"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
