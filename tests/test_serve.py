"""`wirewatch serve` and `wirewatch run` as a user runs them: real subprocesses, the Prefect server
serve starts for itself, a webhook on loopback. Slow (each start of a Prefect server takes tens of
seconds on a busy machine), so few tests, each checking a whole story."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import httpx
import pytest
import yaml
from receivers import webhook_receiver  # noqa: F401  (fixture)

REPO = Path(__file__).parents[1]
SEED = REPO / "seeds" / "000_1b8f5677dfb19321.txt"
WIREWATCH = Path(sys.executable).parent / "wirewatch"
START_TIMEOUT = 300.0  # a Prefect server's first start (migrations) on a loaded 2-core box


def write_config(root: Path, channel: str | None = None) -> Path:
    """A dir source holding the seed (it mentions missile defense) and a topic alerting on it."""
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_bytes(SEED.read_bytes())
    os.utime(seeds / SEED.name, (time.time() - 60, time.time() - 60))  # complete: the dir source reads it
    channels = f"channels = [\"{channel}\"]\n" if channel else ""
    config = root / "wirewatch.toml"
    config.write_text(
        'db = "data/archive.duckdb"\n[[sources]]\nname = "seeds"\nkind = "dir"\npath = "seeds"\n'
        f"[[topics]]\nname = \"missile-defense\"\nquery = '\"missile defense\"'\n{channels}",
        encoding="utf-8",
    )
    return config


def user_environment(root: Path) -> dict[str, str]:
    """A user's shell: no PREFECT_API_URL, a HOME of the test's own (to see ~/.prefect untouched)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "WIREWATCH_CONFIG"}
    (root / "home").mkdir(exist_ok=True)
    return {**env, "HOME": str(root / "home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def process_table() -> dict[tuple[int, int], int]:
    """Every live process from /proc: (pid, start time) -> parent pid. The start time tells a
    process from a later one that reused its pid."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()  # after "pid (comm)"
        except OSError:
            continue  # exited meanwhile
        table[(int(stat.parent.name), int(fields[19]))] = int(fields[1])
    return table


def descendants(pid: int) -> set[tuple[int, int]]:
    table = process_table()
    found, parents = set(), {pid}
    while True:
        children = {key for key, parent in table.items() if parent in parents and key not in found}
        if not children:
            return found
        found |= children
        parents = {p for p, _ in children}


def still_running(processes: set[tuple[int, int]]) -> set[tuple[int, int]]:
    return processes & set(process_table())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """`wirewatch serve` in a session of its own, as a terminal runs it (Ctrl-C reaches the group)."""

    def __init__(self, root: Path, *args: str) -> None:
        self.out, self.err = root / f"serve{id(self)}.out", root / f"serve{id(self)}.err"
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.process = subprocess.Popen(
                [str(WIREWATCH), "serve", "--config", str(root / "wirewatch.toml"), "--port", str(free_port()), *args],
                cwd=root, env=user_environment(root), stdout=out, stderr=err, start_new_session=True,
            )  # fmt: skip

    def wait_for_api_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = re.search(r"export PREFECT_API_URL=(\S+)", self.out.read_text(encoding="utf-8"))
            if found and "a run now:" in self.out.read_text(encoding="utf-8"):
                return found.group(1)
            assert self.process.poll() is None, self.err.read_text(encoding="utf-8")
            time.sleep(0.5)
        raise AssertionError(f"serve printed no API URL: {self.err.read_text(encoding='utf-8')}")

    def interrupt(self) -> set[tuple[int, int]]:
        """Ctrl-C to the terminal's process group; returns every process serve had started."""
        started = descendants(self.process.pid)
        assert started, "serve started no server"
        os.killpg(self.process.pid, signal.SIGINT)
        assert self.process.wait(90) == 0, self.err.read_text(encoding="utf-8")
        return started

    def kill(self) -> None:
        if self.process.poll() is None:
            for pid, _ in descendants(self.process.pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()


@contextmanager
def client_of(api_url: str):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        yield client


def deploy_from_prefect_yaml(client) -> None:
    """What `prefect deploy --prefect-file deployments/prefect.yaml` creates for `ingest`: a
    work-pool deployment named ingest/ingest with the file's entrypoint, parameters, schedule."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate, WorkPoolCreate
    from prefect.client.schemas.schedules import IntervalSchedule

    spec = next(d for d in yaml.safe_load((REPO / "deployments/prefect.yaml").read_text())["deployments"] if d["name"] == "ingest")
    client.create_work_pool(WorkPoolCreate(name="wirewatch", type="process"), overwrite=True)
    client.create_deployment(
        flow_id=client.create_flow_from_name("ingest"),
        name=spec["name"],
        entrypoint=spec["entrypoint"],
        path=str(REPO),
        parameters=spec["parameters"],
        work_pool_name="wirewatch",
        schedules=[DeploymentScheduleCreate(schedule=IntervalSchedule(interval=spec["schedules"][0]["interval"]))],
        concurrency_limit=spec["concurrency_limit"],
    )


def worker_deployment(client) -> tuple:
    d = client.read_deployment_by_name("ingest/ingest")
    return (d.paused, d.entrypoint, d.parameters, d.work_pool_name, d.path, [s.active for s in d.schedules])


def ingest_runs(client) -> list:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    served = client.read_deployment_by_name("ingest/served")
    return client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[served.id])))


@pytest.mark.slow  # serve, a Prefect server
def test_serve_runs_scheduled_ingests_on_its_own_server_beside_worker_deployments_and_stops_clean(tmp_path, webhook_receiver):
    config = write_config(tmp_path, webhook_receiver.url("/alert"))
    served = Served(tmp_path, "--ingest-interval", "15")
    try:
        api_url = served.wait_for_api_url()
        assert api_url.startswith("http://127.0.0.1:") and api_url.endswith("/api")
        with client_of(api_url) as client:
            deploy_from_prefect_yaml(client)
            made = worker_deployment(client)
            assert made[0] is False
            deadline = time.monotonic() + START_TIMEOUT
            while not any(r.state and r.state.is_completed() for r in ingest_runs(client)):
                assert time.monotonic() < deadline, [(r.name, r.state) for r in ingest_runs(client)]
                time.sleep(1)
            runs = ingest_runs(client)
            # never overlapping, never cancelled: later runs wait for the concurrency slot
            assert not [r.state.name for r in runs if r.state.type.value in ("CANCELLED", "CRASHED", "FAILED")]
            finished = sorted((r.start_time, r.end_time) for r in runs if r.state.is_completed())
            assert all(end <= later for (_, end), (later, _) in zip(finished, finished[1:]))
            assert worker_deployment(client) == made
        web = re.search(r"^wirewatch web: (http://127\.0\.0\.1:\d+)$", served.out.read_text(encoding="utf-8"), re.MULTILINE)
        assert web, served.out.read_text(encoding="utf-8")  # the web view beside the Prefect server
        stories = httpx.get(f"{web.group(1)}/stories?format=json", timeout=30).json()
        assert [s["first_headline"] for s in stories] == ["No progress at Russia-US missile defense negotiations"]
        started = served.interrupt()
    finally:
        served.kill()
    assert still_running(started) == set()
    err = served.err.read_text(encoding="utf-8")
    assert "starting the Prefect server" in err and "Traceback" not in err
    assert "Starting temporary server" not in err  # no flow run started a server of its own
    assert [p["title"] for p in webhook_receiver.payloads if "missile-defense" in p["title"]][:1]
    assert "No progress at Russia-US missile defense negotiations" in webhook_receiver.payloads[0]["message"]
    with duckdb.connect(str(tmp_path / "data/archive.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT source, count(*) FROM articles GROUP BY ALL").fetchall() == [("seeds", 1)]
    assert (tmp_path / "data/prefect/prefect.db").is_file()
    assert [p for p in (tmp_path / "home").rglob("*") if p.is_file()] == []  # (importing prefect makes an empty ~/.prefect)

    # Started again on the same state: the worker's deployment was neither paused nor rewritten.
    again = Served(tmp_path, "--ingest-interval", "3600")
    try:
        with client_of(again.wait_for_api_url()) as client:
            assert worker_deployment(client) == made
            assert client.read_deployment_by_name("ingest/served").paused is False
        assert still_running(again.interrupt()) == set()
    finally:
        again.kill()


@pytest.mark.slow  # serve, a Prefect server
def test_run_says_it_starts_a_temporary_server_and_prints_its_summary_once(tmp_path):
    config = write_config(tmp_path)
    done = subprocess.run(
        [str(WIREWATCH), "run", "--config", str(config)],
        cwd=tmp_path, env=user_environment(tmp_path), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("starting a temporary Prefect server ...")
    lines = done.stdout.splitlines()
    assert lines[:2] == ["source seeds: ok, 1 new, 0 duplicate, 0 revised", "items: 1 new, 0 duplicate, 0 revised, 0 rejected"]
    assert lines[2].startswith("flagged [missile-defense] No progress at Russia-US missile defense negotiations")
    assert lines[3].startswith("alerts: 1 new, 1 sent (1 to this console") and lines[4].startswith("alert [missile-defense] No progress")
    assert [(done.stdout + done.stderr).count(line) for line in lines] == [1] * len(lines) == [1] * 5  # once: not also as log lines


def test_every_prefect_yaml_flow_is_served_under_a_name_of_its_own():
    import importlib

    from flows.serve import deployments

    spec = yaml.safe_load((REPO / "deployments/prefect.yaml").read_text())["deployments"]
    worker = set()
    for d in spec:
        module, function = d["entrypoint"].split(":")
        flow = getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), function)
        worker.add(f"{flow.name}/{d['name']}")
    served = {d.flow_name: d for d in deployments({"config_path": None, "db": "/archive/w.duckdb"}, 60)}
    assert {f"{name}/served" for name in served} == {f"{name.split('/')[0]}/served" for name in worker}
    assert worker.isdisjoint(f"{d.flow_name}/{d.name}" for d in served.values())
    assert served["ingest"].concurrency_limit == 1 and served["ingest"].schedules[0].schedule.interval.total_seconds() == 60
    assert all(d.parameters["db"] == "/archive/w.duckdb" for d in served.values())
