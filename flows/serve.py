"""`wirewatch serve`: every deployment served from one process, for a single box, against a
Prefect server of its own (started here, state beside the archive) unless PREFECT_API_URL names one.

The served deployments are named ``<flow>/served``: the work-pool deployments of
deployments/prefect.yaml are ``<flow>/<flow>``, so the two never overwrite each other, and the
runner's pause on shutdown (it pauses the deployments it applied, by id) never touches a worker's.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

# Relative: this folder is the top-level flows/ in a checkout and wirewatch.flows in a wheel.
from .ingest import backfill, digest, ingest, retag
from .maintenance import compact

SERVED = "served"  # the served deployments' name, beside each flow's name
INGEST_INTERVAL_SECONDS = 60
DEFAULT_PORT = 4200  # Prefect's own default, so the UI address is the familiar one when free
SERVER_START_TIMEOUT_SECONDS = 180.0  # migrations on first start take long on a busy 2-core box
SERVER_STOP_TIMEOUT_SECONDS = 20.0


def deployments(parameters: dict[str, object], ingest_interval: float = INGEST_INTERVAL_SECONDS) -> list:
    """The served deployments, one line each. ``parameters`` (config_path, db) go to every flow."""
    from prefect.schedules import Interval

    return [
        # The schedule's runs poll the sources that are due; a run asked for by hand (`prefect
        # deployment run ingest/served`, the UI's Run button) takes the deployment's parameters,
        # which poll every source.
        ingest.to_deployment(
            name=SERVED, schedule=Interval(ingest_interval, parameters={**parameters, "every_source": False}),
            concurrency_limit=1, parameters={**parameters, "every_source": True},
        ),
        digest.to_deployment(name=SERVED, cron="0 7 * * *", parameters={"hours": 24, **parameters}),
        backfill.to_deployment(name=SERVED, parameters={"paths": ["seeds"], **parameters}),
        retag.to_deployment(name=SERVED, parameters={"days": 14, **parameters}),
        compact.to_deployment(name=SERVED, cron="30 3 * * *", parameters=parameters),
    ]


def serve_all(
    parameters: dict[str, object],
    ingest_interval: float = INGEST_INTERVAL_SECONDS,
    announce: Callable[[list], None] = lambda served: None,
) -> None:
    """Serve the deployments until Ctrl-C or SIGTERM (what prefect.serve does, with Ctrl-C
    taken as SIGTERM: the runner then stops its flow runs and pauses its own deployments
    without an asyncio traceback)."""
    from prefect.runner import Runner

    runner = Runner(pause_on_shutdown=True)
    served = deployments(parameters, ingest_interval)
    for deployment in served:
        runner.add_deployment(deployment)
    discard_queued_runs(served)
    announce(served)
    previous = signal.signal(signal.SIGINT, named_shutdown(runner))
    try:
        with push_ingest(parameters):
            asyncio.run(runner.start())
    finally:
        signal.signal(signal.SIGINT, previous)
        with contextlib.suppress(Exception):  # the server may be gone: nothing left to tidy
            discard_queued_runs(served)
        drain_prefect_logs()


@contextlib.contextmanager
def push_ingest(parameters: dict[str, object]) -> Iterator[None]:
    """With ``[websub]`` configured: the WebSub callback endpoint, subscription manager and push
    writer (wirewatch.run.push) run beside the runner, their lines on stderr; without it, nothing."""
    import logging

    from wirewatch.run import push
    from wirewatch.config import load_config

    config = load_config(parameters["config_path"], db=parameters["db"])
    if config.websub is None:
        yield
        return
    logger = logging.getLogger(push.log.name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # Prefect's handlers on the root logger would print each line again
    with push.running(parameters["config_path"], parameters["db"]):
        print(f"websub: callback endpoint on {config.websub.listen}, hubs told {config.websub.callback_url}/...",
              file=sys.stderr, flush=True)  # fmt: skip
        yield

class _PrefectSigtermLine:
    """A logging filter that drops the runner's "SIGTERM received" line (it says so whatever the signal)."""

    def filter(self, record) -> bool:
        return not str(record.msg).startswith("SIGTERM received")


def named_shutdown(runner) -> Callable[[int, object], None]:
    """The runner's graceful shutdown for another signal than SIGTERM (Ctrl-C's SIGINT), its log
    line naming the signal that came."""

    def shut_down(signum: int, frame: object) -> None:
        runner._logger.info("%s received, initiating graceful shutdown...", signal.Signals(signum).name)
        quiet = _PrefectSigtermLine()
        runner._logger.addFilter(quiet)
        try:
            runner.handle_sigterm(signum, frame)
        finally:
            runner._logger.removeFilter(quiet)

    return shut_down


def discard_queued_runs(served: list) -> None:
    """Delete the served deployments' scheduled runs left waiting for the concurrency slot
    (AwaitingConcurrencySlot). Pausing deletes the other scheduled runs but not these, so without
    this a restart would run a backlog of stale ingests one after another."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateName,
    )

    with get_client(sync_client=True) as client:
        ids = [client.read_deployment_by_name(f"{d.flow_name}/{d.name}").id for d in served]
        waiting = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=ids)),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["AwaitingConcurrencySlot"]))
            ),
        )
        for run in waiting:
            if run.auto_scheduled:  # a run someone asked for still runs
                client.delete_flow_run(run.id)


def drain_prefect_logs() -> None:
    """Send the runner's last log lines while the server still answers (else Prefect prints
    'Error logging to API' after it stopped)."""
    from prefect.logging.handlers import APILogWorker

    with contextlib.suppress(Exception):
        APILogWorker.drain_all(timeout=5)


def schedule_text(deployment) -> str:
    """How a served deployment runs, in a few words: 'every 600 s', 'cron 0 7 * * *', 'on demand'."""
    if not deployment.schedules:
        return "on demand"
    schedule = deployment.schedules[0].schedule
    if getattr(schedule, "interval", None):
        return f"every {schedule.interval.total_seconds():g} s"
    return f"cron {schedule.cron} {schedule.timezone or 'UTC'}"


# ---------------------------------------------------------------------------------------------
# The local Prefect server


@dataclass
class LocalServer:
    """A Prefect server (API and UI) run by wirewatch as a child process on 127.0.0.1."""

    home: Path
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.ui_url}/api"


class ServerError(RuntimeError):
    """The local Prefect server did not start; the message names its log."""


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: a closed port's TIME_WAIT is free
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_port(requested: int | None, default: int = DEFAULT_PORT, option: str = "--port") -> int:
    """``requested`` if given (it must be free), else ``default`` (Prefect's 4200) when free, else
    any free port."""
    if requested:
        if not port_is_free(requested):
            raise ServerError(f"port {requested} on 127.0.0.1 is in use; choose another with {option}")
        return requested
    if port_is_free(default):
        return default
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def die_with_parent() -> None:
    """In the child before exec: on Linux, SIGTERM when wirewatch dies, even by kill -9, so the
    server never outlives it. The server has a session of its own (a terminal's Ctrl-C reaches
    wirewatch only, which stops the runner, pausing its deployments, before the server)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def server_environment(home: Path) -> dict[str, str]:
    """The environment of the server and of every flow run: Prefect's state under ``home``
    (not ~/.prefect), analytics off."""
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
        # leases on disk: with the default (memory) a restart forgets who holds the ingest's
        # concurrency slot, and every later run waits for a slot nobody will release
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect.server.concurrency.lease_storage.filesystem",
    }


@contextlib.contextmanager
def local_server(home: Path, port: int | None = None) -> Iterator[LocalServer]:
    """Start `prefect server start` on 127.0.0.1 with its state (SQLite database, UI build) in
    ``home``, wait until it answers /api/health, yield it, and stop it on the way out."""
    home.mkdir(parents=True, exist_ok=True)
    chosen = choose_port(port)
    log = home / "server.log"
    env = {**os.environ, **server_environment(home)}
    env.pop("PREFECT_API_URL", None)
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(chosen),
             "--log-level", "WARNING"],  # fmt: skip
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
        )
    server = LocalServer(home=home, port=chosen, process=process, log=log)
    try:
        wait_until_healthy(server)
        yield server
    finally:
        stop(process)


def wait_until_healthy(server: LocalServer, timeout: float = SERVER_START_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise ServerError(f"the Prefect server exited with status {server.process.returncode}; see {server.log}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{server.api_url}/health").status_code == 200:
                    return
            time.sleep(0.25)
    raise ServerError(f"the Prefect server did not answer within {timeout:g} s; see {server.log}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the server (uvicorn shuts down cleanly), SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(SERVER_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def using_server(server: LocalServer) -> Iterator[None]:
    """This process and every flow run it starts talk to ``server`` (the runner's children get
    os.environ): none starts a temporary server of its own."""
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings

    saved = {k: os.environ.get(k) for k in ("PREFECT_API_URL", *server_environment(server.home))}
    os.environ.update({"PREFECT_API_URL": server.api_url, **server_environment(server.home)})
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url, PREFECT_HOME: server.home}):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def configured_api_url() -> str | None:
    """The Prefect server the user chose (PREFECT_API_URL, from the environment or a profile)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None
