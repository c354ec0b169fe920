"""Measuring one step: wall and CPU seconds and the peak resident memory during it, of this
process and of the processes it starts (the import's workers).

Peak memory is read from the kernel (VmHWM), reset before each step through
/proc/self/clear_refs, so that each row of a scenario reports its own peak; tracemalloc would
slow a large run down several times. Where the reset is not allowed, the figure is the peak since
the process started (each scenario runs in a process of its own, so it is still per scenario).
Descendant processes are sampled from /proc every 0.2 s: the peak is the larger of this
process's own and the whole tree's at a sample (proportional set sizes, so that pages a forked
worker shares are counted once), and their CPU time is added as last seen.
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import resource
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path


class Skip(Exception):
    """A scenario cannot run here yet (an API it measures is missing); the message says why."""


@dataclass(slots=True)
class Span:
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class _Descendants(threading.Thread):
    """Samples the processes below this one: the largest total resident memory of the whole
    tree at one moment, and each descendant's CPU seconds as last seen."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.peak_mb = 0.0
        self.cpu_s: dict[int, float] = {}
        self.sample()  # processes already there (a forkserver): their CPU counts from now on
        self.before = dict(self.cpu_s)

    def cpu_seconds(self) -> float:
        return sum(seconds - self.before.get(pid, 0.0) for pid, seconds in self.cpu_s.items())

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.sample()

    def sample(self) -> None:
        if not os.path.isdir("/proc"):
            return  # not Linux: this process's own figures only
        stats = process_stats()
        tree = process_tree(os.getpid(), stats)
        below = tree - {os.getpid()}
        if below:  # proportional shares: forked workers share their parent's pages
            self.peak_mb = max(self.peak_mb, sum(_pss_mb(pid) for pid in tree))
        for pid in below:
            self.cpu_s[pid] = stats[pid][1] / _TICKS


def process_stats() -> dict[int, tuple[int, int, int]]:
    """Every process's ``(ppid, own CPU ticks, CPU ticks of its children that ended)`` from /proc."""
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                # after the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15), in clock ticks
                stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14]))
    return stats


def process_tree(root: int, stats: dict[int, tuple[int, int, int]]) -> set[int]:
    """``root`` and every live process below it."""
    tree, frontier = set(), {root}
    while frontier:
        tree |= frontier
        frontier = {pid for pid, (ppid, *_) in stats.items() if ppid in frontier} - tree
    return tree


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds spent so far by ``root`` and the processes below it, live or ended (0 once
    ``root`` itself has ended)."""
    stats = process_stats()
    if root not in stats:
        return 0.0
    return sum(stats[pid][1] + stats[pid][2] for pid in process_tree(root, stats)) / _TICKS


def _pss_mb(pid: int) -> float:
    """A process's proportional set size: its resident pages, shared ones divided among sharers."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    return 0.0


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def measured() -> Iterator[Span]:
    """Measure the block. What the harness holds before it (corpora, manifests) is frozen out of
    the garbage collector's scans, so that the block pays for its own objects only."""
    span = Span()
    gc.collect()
    gc.freeze()
    _reset_peak()
    descendants = _Descendants()
    descendants.start()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield span
    finally:
        span.wall_s = time.perf_counter() - wall
        descendants.stop.set()
        span.cpu_s = time.process_time() - cpu + descendants.cpu_seconds()
        span.peak_rss_mb = max(peak_rss_mb(), descendants.peak_mb)
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class Target:
    """A goal on one figure of a row: ``figure`` is "rate", "wall_s", "peak_rss_mb" or "ratio"."""

    label: str  # as the issue states it: ">= 20,000 docs/s"
    figure: str
    at_least: float | None = None
    at_most: float | None = None

    def met_by(self, row: Row) -> bool | None:
        value = getattr(row, self.figure)
        if value is None:
            return None
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)


@dataclass(slots=True)
class Row:
    scenario: str  # codec | import | archive | poll | topics | size
    name: str  # what was measured: "parse", "wirewatch import", "naive loop (baseline)", ...
    items: int  # how many units the rate counts
    rate: float  # the figure, in ``unit``
    unit: str  # "docs/s", "items/s", "ms/batch", "x raw text", ...
    span: Span
    mb_per_s: float | None = None
    baseline_of: str | None = None  # set on baseline rows: the row name it is compared with
    ratio: float | None = None  # on subject rows: how many times better than the baseline
    targets: list[Target] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict:
        data = {name: getattr(self, name) for name in
                ("scenario", "name", "items", "rate", "unit", "mb_per_s", "baseline_of", "ratio", "note")}
        data.update(asdict(self.span))
        data["targets"] = [{"label": t.label, "figure": t.figure, "met": self.met(t)} for t in self.targets]
        return data

    def met(self, target: Target) -> bool | None:
        return target.met_by(self)

    @property
    def wall_s(self) -> float:
        return self.span.wall_s

    @property
    def peak_rss_mb(self) -> float:
        return self.span.peak_rss_mb


def throughput(scenario: str, name: str, count: int, span: Span, unit: str, *, size_bytes: int | None = None,
               **extra) -> Row:
    """A row whose figure is ``count`` per second of wall time."""
    wall = max(span.wall_s, 1e-9)
    mb_per_s = size_bytes / wall / 1e6 if size_bytes is not None else None
    return Row(scenario, name, count, count / wall, unit, span, mb_per_s=mb_per_s, **extra)


def compare(subject: Row, baseline: Row, *, lower_is_better: bool = False) -> None:
    """Mark ``baseline`` as the baseline of ``subject`` and set the subject's ratio."""
    baseline.baseline_of = subject.name
    if lower_is_better:
        subject.ratio = baseline.rate / subject.rate if subject.rate else None
    else:
        subject.ratio = subject.rate / baseline.rate if baseline.rate else None


def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        memory_gb = round(int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024, 1)
    import duckdb

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load_average_at_start": os.getloadavg()[0],  # other work on the machine skews figures
    }
