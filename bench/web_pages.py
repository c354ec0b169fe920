"""``uv run python -m bench.web_pages [--archive-size N] [--requests R]``

The web view (``wirewatch web``) over the bench's large archive: a lake of N generated articles
(default 1,000,000; built and cached as bench.lake_import --archive-size builds it), served by the
command in a process of its own on loopback:

- the app's idle memory (RSS of the process once it answers, before any page) and after the run;
- for each page (topics, stories, stories of one topic, a story, alerts, sources): the first
  request (cold) and p50 / p95 of R more, one at a time over HTTP.

The target for the topics and stories pages is a p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.lake_concurrency import _percentile
from bench.lake_import import RESULTS, archived_copies, lake_in
from bench.scenarios import Dirs

TARGET_MS = 300.0
START_TIMEOUT_SECONDS = 300.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_web(config: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", "from wirewatch.cli import main; main()", "web", "--config", str(config), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"wirewatch web exited: {process.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("wirewatch web did not listen in time")


def timed(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive-size", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    dirs = Dirs(cache=RESULTS / "cache", work=Path(tempfile.mkdtemp(prefix="wirewatch-web-pages-")))
    dirs.cache.mkdir(parents=True, exist_ok=True)
    _, lake_folder = archived_copies(dirs, args.archive_size)
    lake = lake_in(lake_folder)
    config = dirs.work / "wirewatch.toml"
    config.write_text(f'catalog = "{lake.catalog}"\ndata_path = "{lake.data_path}"\n', encoding="utf-8")
    port = free_port()
    process = start_web(config, port)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, object] = {"archive_size": args.archive_size, "requests": args.requests,
                                  "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}  # fmt: skip
    try:
        time.sleep(1.0)
        results["idle_rss_mb"] = round(rss_mb(process.pid), 1)
        with httpx.Client(timeout=120) as client:
            topics = client.get(f"{base}/topics?format=json").json()
            busiest = max(topics, key=lambda t: t["articles"])["topic"]
            story = client.get(f"{base}/stories?topic={busiest}&per_page=1&format=json").json()[0]["story_id"]
            pages = {
                "topics": "/topics",
                "topics (hourly, 2 days)": "/topics?bucket=hour",
                "stories": "/stories",
                f"stories of {busiest}": f"/stories?topic={busiest}",
                "stories, headline search": "/stories?q=minister",
                "story": f"/story/{story}",
                "alerts": "/alerts",
                "sources": "/sources",
            }
            for name, path in pages.items():
                cold = timed(client, base + path)
                times = [timed(client, base + path) for _ in range(args.requests)]
                row = {"cold_ms": round(cold * 1000), "p50_ms": round(_percentile(times, 0.5) * 1000),
                       "p95_ms": round(_percentile(times, 0.95) * 1000)}  # fmt: skip
                results[name] = row
                print(f"{name:28} cold {row['cold_ms']:6} ms  p50 {row['p50_ms']:5} ms  p95 {row['p95_ms']:5} ms", flush=True)
        results["after_rss_mb"] = round(rss_mb(process.pid), 1)
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(dirs.work, ignore_errors=True)
    print(f"idle RSS {results['idle_rss_mb']} MB, after the run {results['after_rss_mb']} MB;"
          f" archive {args.archive_size:,} articles; target p95 < {TARGET_MS:g} ms for topics and stories")
    with (RESULTS / "web_pages.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
