"""``uv run python -m bench.time_to_alert [--serve [--push]] [--minutes 10] [--idle-minutes 3] [--items 300] [--feeds 500]``

Time to alert on this machine: the bench's feed server (bench/feedserver.py, its own process)
serves ``--feeds`` loopback feeds; wire items are published into random feeds at random times
over ``--minutes``; the ingest flow runs every 60 s against a local Prefect server that this
script starts, each run a process of its own: scheduled by ``wirewatch serve`` (``--serve``,
pointed at that server) or started by the bench itself (as a worker or serve would), polling the
sources that are due (``poll_every = 60``), and delivers one alert per item to a loopback JSON
webhook. Reported: publication to webhook receipt (p50 / p95 / max), the runs (started late
because the one before still ran, as ``concurrency_limit = 1`` holds a run back; cancelled;
failed; seconds each), how late each feed's poll came against its due time (its previous poll
plus ``poll_every``, from the feed server's request times), and the CPU the monitor spent (the Prefect server and the flow
runs, from /proc): per hour over the whole measurement and at idle (``--idle-minutes`` of runs
before the first item, every poll a 304).

``--push`` (with ``--serve``): a loopback WebSub hub (bench/websubhub.py, in this process) is
advertised by every second feed; serve's push ingest subscribes to them (``[websub]``), and each
publication into such a feed is announced to the hub (a publisher's ping), which fetches the feed
and pushes it to serve's callback. The clock starts once every such feed is subscribed; latencies
are reported for the pushed and the polled feeds apart.

Everything listens on loopback. Every loop is bounded: the runs by the clock and a count of
ticks, each run by RUN_TIMEOUT (then it is killed and counted as cancelled), server start-up by
START_TIMEOUT. The result goes to ``bench/results/time_to_alert.json`` and as Markdown beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import httpx

from bench import feedserver, websubhub
from bench.measure import machine, tree_cpu_seconds

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
INTERVAL = 60.0  # the ingest deployment's interval, and every source's poll_every
RUN_TIMEOUT = 240.0  # a run still going after this is killed and counted as cancelled
START_TIMEOUT = 180.0  # the Prefect server must answer its health check within this
LATE_SECONDS = 5.0  # a run that starts this much after its scheduled time counts as late
TAIL_TICKS = 3  # runs after the last publication, for its alert to arrive
HOSTS = 10  # loopback addresses the feeds are spread over, as in the poll benchmark
PER_FEED = 5  # items each feed lists
# The flow run, as a worker would start it: a fresh process that runs the ingest flow once.
RUN_FLOW = "import sys; from flows.ingest import ingest; ingest(config_path=sys.argv[1])"
ARTICLE_INDEX = re.compile(r"/articles/(\d+)\.html")
PUSH_EVERY = 2  # --push: every second feed advertises the hub


@dataclass
class Run:
    tick: int
    started: float
    ended: float | None = None
    returncode: int | None = None
    cancelled: bool = False


@dataclass
class Result:
    feeds: int
    items_published: int = 0
    alerts_received: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, publication to webhook receipt
    runs: list[Run] = field(default_factory=list)
    late_runs: list[float] = field(default_factory=list)  # seconds each run started after its tick: the previous still ran
    ticks: list[tuple[float, float, float]] = field(default_factory=list)  # (time, flow runs' CPU s, server's) at each tick
    idle_ticks: int = 0  # the first this many ticks published nothing
    flow_run_states: dict[str, int] = field(default_factory=dict)  # as the Prefect server reports them
    db: dict[str, float] = field(default_factory=dict)  # the alert_latency view's figures
    outside_cpu_s: float = 0.0  # the simulated world: feed server, publisher, webhook
    pushed_latencies: list[float] = field(default_factory=list)  # of items in feeds a hub pushes (--push)
    polled_latencies: list[float] = field(default_factory=list)
    poll_lateness: list[float] = field(default_factory=list)  # seconds past poll_every, each polled feed's poll
    subscribed_after_s: float | None = None  # serve's start to every pushed feed subscribed


class Webhook:
    """A JSON webhook on 127.0.0.1 that notes when each alert arrived, by the item its link names."""

    def __init__(self) -> None:
        self.received: dict[int, float] = {}  # article index -> first arrival (time.time())
        self.messages = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hook.messages += 1
                for index in ARTICLE_INDEX.findall(json.loads(body or b"{}").get("message", "")):
                    hook.received.setdefault(int(index), arrived)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def prefect_server(home: Path, log: Path) -> Iterator[tuple[subprocess.Popen, dict[str, str]]]:
    """A Prefect server on 127.0.0.1 with its state under ``home``; yields it and the
    environment that points flow runs at it. Stopped (this process only) on exit."""
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING"}  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    prefect = shutil.which("prefect", path=str(Path(sys.executable).parent)) or "prefect"
    with open(log, "ab") as out:
        process = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{api}/health", timeout=5).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Prefect server did not start (see {log})")
            time.sleep(1)
        yield process, {**env, "PREFECT_API_URL": api}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def write_config(path: Path, db: Path, feed_urls: list[str], hook: str, *, topics: bool, websub_port: int | None = None) -> None:
    sources = "".join(
        f'[[sources]]\nname = "feed-{n:03d}"\nkind = "feed"\nurl = "{url}"\nallow_private = true\nmax_age_days = 36500\n'
        for n, url in enumerate(feed_urls)
    )
    # one topic that every generated item matches: each item alerts (its own story), once
    topic = '[[topics]]\nname = "everything"\nquery = "the OR в"\n' if topics else ""
    websub = (f'[websub]\ncallback_url = "http://127.0.0.1:{websub_port}/websub"\nlisten = "127.0.0.1:{websub_port}"\n'
              if websub_port else "")  # fmt: skip
    path.write_text(
        f'db = "{db}"\npoll_every = {INTERVAL:g}\n'
        f'[alerts]\nchannels = ["{hook}"]\ndigest_threshold = 100000\n'
        # loopback hosts stand for many sites: no politeness delay between a host's feeds
        "[http]\nper_host_delay = 0.0\n" + websub + topic + sources,
        encoding="utf-8",
    )


def children_cpu_seconds() -> float:
    """CPU of this process's children that have ended (the flow runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(config: Path, env: dict[str, str], log: Path) -> int:
    with open(log, "ab") as out:
        return subprocess.run([sys.executable, "-c", RUN_FLOW, str(config)], cwd=REPO, env=env, stdout=out,
                              stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT * 2).returncode  # fmt: skip


def publish(server: feedserver.RunningServer, feeds: int, items: int, seconds: float, start: float,
            published: dict[int, float], rng: random.Random, hub: websubhub.Hub | None = None) -> None:  # fmt: skip
    """Publish ``items`` items into random feeds at random moments of ``seconds`` from ``start``;
    a feed that advertises ``hub`` has the hub told (as a publisher pings it)."""
    for moment in sorted(rng.uniform(0, seconds) for _ in range(items)):
        time.sleep(max(0.0, start + moment - time.time()))
        feed = rng.randrange(feeds)
        answer = server.publish(feed)
        published[answer["index"]] = dt.datetime.fromisoformat(answer["published"]).timestamp()
        if hub is not None and is_pushed(feed):
            httpx.post(hub.url, data={"hub.mode": "publish", "hub.url": server.feed_urls[feed]}, timeout=30)


def is_pushed(feed: int) -> bool:
    return feed % PUSH_EVERY == 0


def measure(args: argparse.Namespace, work: Path) -> Result:
    result = Result(feeds=args.feeds)
    rng = random.Random(args.seed)
    webhook = Webhook()
    config, db, log = work / "wirewatch.toml", work / "archive.duckdb", work / "runs.log"
    published: dict[int, float] = {}
    outside_before = time.process_time()
    hub = websubhub.Hub() if args.push else None
    websub_port = free_port() if args.push else None
    with feedserver.running(args.feeds, hosts=HOSTS, per_feed=PER_FEED, ahead=0, unique=True,
                            hub=hub.url if hub else None, hub_every=PUSH_EVERY) as site, \
            prefect_server(work / "prefect", work / "server.log") as (server, env):  # fmt: skip
        # Before the clock starts: the first poll stores what the feeds already list (no topic,
        # so no alerts), the second adds the topic (stored articles re-evaluated, never alerted).
        for topics in (False, True):
            write_config(config, db, site.feed_urls, webhook.url, topics=topics, websub_port=websub_port)
            if run_once(config, env, log) != 0:
                raise RuntimeError(f"a warm-up run failed (see {log})")
        print(f"warmed up: {args.feeds} feeds, {args.feeds * PER_FEED} items stored", flush=True)
        result.idle_ticks = round(args.idle_minutes * 60 / INTERVAL)
        last_tick = result.idle_ticks + round(args.minutes * 60 / INTERVAL) + TAIL_TICKS

        def start_publishing(start: float) -> threading.Thread:
            publisher = threading.Thread(target=publish, daemon=True, args=(
                site, args.feeds, args.items, args.minutes * 60, start + result.idle_ticks * INTERVAL, published, rng,
                hub))  # fmt: skip
            publisher.start()
            return publisher

        def all_received(publisher: threading.Thread) -> bool:
            return not publisher.is_alive() and bool(published) and set(published) <= set(webhook.received)

        if args.serve:
            pushed_feeds = sum(map(is_pushed, range(args.feeds))) if hub else 0
            start = served_runs(result, config, env, work, server, last_tick, start_publishing, all_received,
                                hub, pushed_feeds)  # fmt: skip
        else:
            start = driven_runs(result, config, env, log, server, last_tick, start_publishing, all_received)
        result.flow_run_states = flow_run_states(env["PREFECT_API_URL"])
        result.poll_lateness = poll_lateness(site.polls(), start, lambda feed: hub is not None and is_pushed(feed))
        result.outside_cpu_s = time.process_time() - outside_before + tree_cpu_seconds(site.process.pid)
    webhook.close()
    if hub is not None:
        hub.close()
        result.pushed_latencies = sorted(webhook.received[i] - published[i] for i in published
                                         if i in webhook.received and is_pushed(i % args.feeds))  # fmt: skip
        result.polled_latencies = sorted(webhook.received[i] - published[i] for i in published
                                         if i in webhook.received and not is_pushed(i % args.feeds))  # fmt: skip
    result.items_published = len(published)
    result.alerts_received = sum(index in webhook.received for index in published)
    result.latencies = sorted(webhook.received[i] - published[i] for i in published if i in webhook.received)
    result.db = view_figures(db, set(published), start)
    return result


def driven_runs(result: Result, config: Path, env: dict[str, str], log: Path, server: subprocess.Popen, last_tick: int,
                start_publishing, all_received) -> float:  # fmt: skip
    """The bench starts the ingest flow every INTERVAL seconds, each run a process of its own, a
    run held back while the one before still runs. Returns when the clock started."""
    monitor_base = children_cpu_seconds()

    def monitor_cpu() -> tuple[float, float]:
        return children_cpu_seconds() - monitor_base, tree_cpu_seconds(server.pid)

    start = time.time()
    publisher = start_publishing(start)
    current: tuple[Run, subprocess.Popen] | None = None
    out = open(log, "ab")
    try:
        for tick in range(last_tick + 1):
            due = start + tick * INTERVAL
            time.sleep(max(0.0, due - time.time()))
            if current is not None and current[1].poll() is None:
                # concurrency_limit = 1 holds this run back until the previous one ends (Prefect
                # enqueues it; it does not overlap); one past RUN_TIMEOUT is cancelled
                with contextlib.suppress(subprocess.TimeoutExpired):
                    current[1].wait(timeout=max(0.0, current[0].started + RUN_TIMEOUT - time.time()))
                if current[1].poll() is None:
                    current[1].kill()
                    current[1].wait()
                    current[0].cancelled = True
                result.late_runs.append(time.time() - due)
            if current is not None:
                current[0].ended = current[0].ended or time.time()
                current[0].returncode = current[1].returncode
            result.ticks.append((time.time(), *monitor_cpu()))
            if tick == last_tick or all_received(publisher):
                break
            run = Run(tick, time.time())
            process = subprocess.Popen([sys.executable, "-c", RUN_FLOW, str(config)], cwd=REPO, env=env,
                                       stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
            threading.Thread(target=_note_end, args=(run, process), daemon=True).start()
            result.runs.append(run)
            current = (run, process)
        if current is not None and current[1].poll() is None:
            current[1].wait(timeout=RUN_TIMEOUT)
            current[0].returncode = current[1].returncode
    finally:
        out.close()
    return start


def served_runs(result: Result, config: Path, env: dict[str, str], work: Path, server: subprocess.Popen, last_tick: int,
                start_publishing, all_received, hub: websubhub.Hub | None = None, pushed_feeds: int = 0) -> float:  # fmt: skip
    """``wirewatch serve`` schedules the ingest every minute against the bench's Prefect server
    (PREFECT_API_URL is set, so it starts none) and runs each as a process of its own; the bench
    samples the CPU every INTERVAL seconds and reads the runs back from the server. Returns when
    the clock started (serve announced its deployments)."""
    wirewatch = shutil.which("wirewatch", path=str(Path(sys.executable).parent)) or "wirewatch"
    out_path = work / "serve.log"
    with open(out_path, "ab") as out:
        process = subprocess.Popen([wirewatch, "serve", "--config", str(config)], cwd=work, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    start = time.time()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "serving (" not in out_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"wirewatch serve did not start (see {out_path})")
            time.sleep(1)
        if hub is not None:  # the clock starts once every pushed feed is subscribed
            if not hub.wait_for(lambda: len(hub.subscriptions) >= pushed_feeds, timeout=START_TIMEOUT):
                raise RuntimeError(f"{len(hub.subscriptions)} of {pushed_feeds} feeds subscribed (see {out_path})")
            result.subscribed_after_s = time.time() - start
        start = time.time()
        publisher = start_publishing(start)
        for tick in range(last_tick + 1):
            time.sleep(max(0.0, start + tick * INTERVAL - time.time()))
            result.ticks.append((time.time(), tree_cpu_seconds(process.pid), tree_cpu_seconds(server.pid)))
            if all_received(publisher):
                break
    finally:
        stopped = time.time()
        process.send_signal(signal.SIGINT)  # Ctrl-C: serve stops its runs and pauses its deployments
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    try:
        result.runs, result.late_runs = served_flow_runs(env["PREFECT_API_URL"], start, stopped)
    except (httpx.HTTPError, KeyError, ValueError) as error:  # the latencies still stand
        print(f"could not read the served runs back: {error}", file=sys.stderr)
    return start


def served_flow_runs(api: str, since: float, stopped: float) -> tuple[list[Run], list[float]]:
    """The ingest/served runs that started after ``since``, as the server has them, and how late
    each started against its schedule. A run stopped by the bench's own Ctrl-C is not counted."""
    deployment = httpx.get(f"{api}/deployments/name/ingest/served", timeout=30).json()["id"]
    found = httpx.post(f"{api}/flow_runs/filter", json={"limit": 200, "deployments": {"id": {"any_": [deployment]}}},
                       timeout=30).json()  # fmt: skip

    def moment(text: str | None) -> float | None:
        return dt.datetime.fromisoformat(text).timestamp() if text else None

    runs, late = [], []
    for number, flow_run in enumerate(sorted(found, key=lambda r: r["expected_start_time"])):
        started, ended = moment(flow_run["start_time"]), moment(flow_run["end_time"])
        if started is None or started < since or (flow_run["state_type"] == "CANCELLED" and (ended or stopped) >= stopped):
            continue
        state = flow_run["state_type"]
        runs.append(Run(number, started, ended, 0 if state == "COMPLETED" else None if state == "RUNNING" else 1,
                        cancelled=state == "CANCELLED"))  # fmt: skip
        late.append(started - moment(flow_run["expected_start_time"]))
    return runs, late


def _note_end(run: Run, process: subprocess.Popen) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=RUN_TIMEOUT * 2)
        run.ended = time.time()


def flow_run_states(api: str) -> dict[str, int]:
    states: dict[str, int] = {}
    with contextlib.suppress(httpx.HTTPError):
        for run in httpx.post(f"{api}/flow_runs/filter", json={"limit": 200}, timeout=30).json():
            states[run["state_type"]] = states.get(run["state_type"], 0) + 1
    return states


def view_figures(db: Path, indices: set[int], since: float) -> dict[str, float]:
    """The same latencies as the archive's alert_latency view has them, for the published items,
    and the measured runs' own seconds (the runs view: from the run's start to its end)."""
    with duckdb.connect(str(db), read_only=True) as conn:
        run_seconds = sorted(r[0] for r in conn.execute(
            "SELECT seconds FROM runs WHERE kind = 'ingest' AND started_at >= $since AND seconds IS NOT NULL",
            {"since": dt.datetime.fromtimestamp(since, dt.UTC).replace(tzinfo=None)}).fetchall())  # fmt: skip
        rows = conn.execute(
            "SELECT regexp_extract(a.url, '/articles/(\\d+)\\.html', 1), l.seconds_from_published, l.seconds_from_fetched "
            "FROM alert_latency l JOIN articles a USING (article_id) WHERE l.delivered_at IS NOT NULL"
        ).fetchall()
    ours = [(p, f) for index, p, f in rows if index and int(index) in indices]
    figures = {"runs_view_seconds_p50": statistics.median(run_seconds)} if run_seconds else {}
    if not ours:
        return figures
    from_published, from_fetched = sorted(p for p, _ in ours), sorted(f for _, f in ours)
    return {**figures, "alerts": len(ours), "p50_from_published": statistics.median(from_published),
            "p95_from_published": percentile(from_published, 0.95), "p50_from_fetched": statistics.median(from_fetched),
            "max_from_fetched": from_fetched[-1]}  # fmt: skip


def poll_lateness(polls: dict[int, list[float]], since: float, pushed) -> list[float]:
    """How late each poll came against its due time (the feed's previous poll plus INTERVAL, its
    ``poll_every``), sorted; 0 for one on time or early. Only polls whose previous poll was also
    after ``since`` count: the first served poll follows the warm-up, not the schedule. Pushed
    feeds are polled at the safety cadence and left out."""
    late = []
    for feed, times in polls.items():
        if pushed(feed):
            continue
        late += [max(0.0, now - before - INTERVAL) for before, now in zip(times, times[1:]) if before >= since]
    return sorted(late)


def percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def summary(result: Result, args: argparse.Namespace) -> dict:
    lat = result.latencies
    ticks = result.ticks
    idle = ticks[: result.idle_ticks + 1]
    ended = [r for r in result.runs if r.ended is not None]
    durations = sorted(r.ended - r.started for r in ended)
    def share(first: tuple, last: tuple, part: slice = slice(1, 3)) -> float:
        return (sum(last[part]) - sum(first[part])) / (last[0] - first[0])

    whole_wall = ticks[-1][0] - ticks[0][0] if len(ticks) > 1 else 0.0
    whole_cpu = share(ticks[0], ticks[-1]) * whole_wall if whole_wall else 0.0
    idle_share = share(idle[0], idle[-1]) if len(idle) > 1 else None
    idle_server = share(idle[0], idle[-1], slice(2, 3)) if len(idle) > 1 else None
    return {
        "command": " ".join(["uv run python -m bench.time_to_alert", *sys.argv[1:]]),
        "scheduler": "wirewatch serve" if args.serve else "the bench",
        "finished": dt.datetime.now(dt.UTC).isoformat(),
        "machine": machine(),
        "load_average": os.getloadavg(),
        "feeds": result.feeds, "minutes": args.minutes, "idle_minutes": args.idle_minutes,
        "items_published": result.items_published, "alerts_received": result.alerts_received,
        "p50_s": statistics.median(lat) if lat else None, "p95_s": percentile(lat, 0.95) if lat else None,
        "max_s": lat[-1] if lat else None, "min_s": lat[0] if lat else None,
        "runs": len(result.runs), "late_runs": sum(late > LATE_SECONDS for late in result.late_runs),
        "late_seconds_max": max(result.late_runs, default=0.0),
        "poll_lateness": {"polls": len(result.poll_lateness),
                          "p50_s": statistics.median(result.poll_lateness) if result.poll_lateness else None,
                          "p95_s": percentile(result.poll_lateness, 0.95) if result.poll_lateness else None,
                          "max_s": result.poll_lateness[-1] if result.poll_lateness else None},
        "cancelled_runs": sum(r.cancelled for r in result.runs),
        "failed_runs": sum(r.returncode not in (0, None) and not r.cancelled for r in result.runs),
        "run_seconds_p50": statistics.median(durations) if durations else None,
        "run_seconds_max": durations[-1] if durations else None,
        "flow_run_states": result.flow_run_states,
        "monitor_cpu_s_per_hour": whole_cpu / whole_wall * 3600 if whole_wall else None,
        "monitor_cpu_share_of_a_core": whole_cpu / whole_wall if whole_wall else None,
        "monitor_cpu_share_at_idle": idle_share,
        "server_cpu_share_at_idle": idle_server,
        "flow_runs_cpu_s": ticks[-1][1] - ticks[0][1] if ticks else None,
        "server_cpu_s": ticks[-1][2] - ticks[0][2] if ticks else None,
        "outside_cpu_s": result.outside_cpu_s,
        "alert_latency_view": result.db,
        **({"pushed": latency_figures(result.pushed_latencies), "polled": latency_figures(result.polled_latencies),
            "subscribed_after_s": result.subscribed_after_s} if args.push else {}),
    }  # fmt: skip


def latency_figures(ordered: list[float]) -> dict[str, float | int | None]:
    return {"alerts": len(ordered), "p50_s": statistics.median(ordered) if ordered else None,
            "p95_s": percentile(ordered, 0.95) if ordered else None, "max_s": ordered[-1] if ordered else None}  # fmt: skip


def markdown(s: dict) -> str:
    def figure(value: float | None, digits: int = 1) -> str:
        return "n/a" if value is None else f"{value:,.{digits}f}"

    return (
        f"Measured {s['finished'][:16]} UTC with `{s['command']}` (load average {s['load_average'][0]:.1f} at the end).\n\n"
        "| feeds | items (alerted) | p50 / p95 / max publication to webhook | runs (started late, cancelled, failed) | "
        "run seconds p50 / max | monitor CPU per hour | at idle |\n|---|---|---|---|---|---|---|\n"
        f"| {s['feeds']} | {s['items_published']} ({s['alerts_received']}) | {figure(s['p50_s'])} / {figure(s['p95_s'])} / "
        f"{figure(s['max_s'])} s | {s['runs']} ({s['late_runs']}, {s['cancelled_runs']}, {s['failed_runs']}) | "
        f"{figure(s['run_seconds_p50'])} / {figure(s['run_seconds_max'])} | "
        f"{figure(s['monitor_cpu_s_per_hour'], 0)} CPU s ({figure(100 * (s['monitor_cpu_share_of_a_core'] or 0), 0)}% of a core) | "
        f"{figure(100 * s['monitor_cpu_share_at_idle'], 0) if s['monitor_cpu_share_at_idle'] is not None else 'n/a'}% of a core |\n"
    ) + "".join(
        f"\n{kind}: {s[kind]['alerts']} alerts, p50 / p95 / max {figure(s[kind]['p50_s'])} / {figure(s[kind]['p95_s'])} / "
        f"{figure(s[kind]['max_s'])} s" for kind in ("pushed", "polled") if kind in s
    ) + ("\n" if "pushed" in s else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.time_to_alert", description=__doc__.splitlines()[2])
    parser.add_argument("--minutes", type=float, default=10.0, help="publishing window (default 10)")
    parser.add_argument("--idle-minutes", type=float, default=3.0, help="runs before the first item, for CPU at idle")
    parser.add_argument("--items", type=int, default=300, help="items published over the window")
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--serve", action="store_true",
                        help="let `wirewatch serve` schedule the runs (default: the bench starts one every 60 s)")
    parser.add_argument("--push", action="store_true",
                        help="with --serve: a loopback WebSub hub pushes every second feed (serve's [websub] push ingest)")
    parser.add_argument("--json", type=Path, default=RESULTS / "time_to_alert.json")
    args = parser.parse_args(argv)
    if args.push and not args.serve:
        parser.error("--push needs --serve (push ingest runs in `wirewatch serve`)")
    if not 0 < args.minutes <= 120 or not 0 <= args.idle_minutes <= 60 or not 0 < args.items <= 100_000:
        parser.error("--minutes 0-120, --idle-minutes 0-60, --items 1-100,000")
    with tempfile.TemporaryDirectory(prefix="time-to-alert-") as work:
        result = measure(args, Path(work))
        figures = summary(result, args)
        log = "".join(Path(work, name).read_text(errors="replace") for name in ("runs.log", "serve.log")
                      if Path(work, name).exists())  # fmt: skip
    figures["run_log_tail"] = log[-3000:]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**figures, "runs_detail": [asdict(r) for r in result.runs]}, indent=2))
    args.json.with_suffix(".md").write_text(markdown(figures))
    print(markdown(figures))
    print(json.dumps({k: v for k, v in figures.items() if k != "run_log_tail"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
