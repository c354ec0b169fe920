"""Shared fixtures. Prefect's test harness is session-scoped and imported lazily: importing
prefect.testing costs seconds, and only the flow tests need it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).parents[1]
SEED = REPO / "seeds" / "000_1b8f5677dfb19321.txt"
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real-world corpus not found at {CORPUS}")
    return CORPUS


# ---------------------------------------------------------------------------------------------
# A real PostgreSQL server on loopback, one for the whole test run (initdb ~2 s, start ~0.4 s)


def _postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl are: $WIREWATCH_PG_BINDIR, PATH, or Debian's versioned folders."""
    import shutil

    if os.environ.get("WIREWATCH_PG_BINDIR"):
        return Path(os.environ["WIREWATCH_PG_BINDIR"])
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    port: int
    createdb: list[str]  # the createdb command line, up to the database name

    def new_database(self, name: str) -> str:
        """A new, empty database's URL."""
        import subprocess

        subprocess.run([*self.createdb, name], check=True, capture_output=True)
        return f"postgresql://wirewatch@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on 127.0.0.1 (user ``wirewatch``, trusted). PostgreSQL
    refuses to run as root, so under root the server runs as the ``postgres`` user (else
    ``nobody``) in a folder it owns. Skips when PostgreSQL is absent, unless
    WIREWATCH_REQUIRE_POSTGRES is set (.ci/run sets it): then the absence fails the tests."""
    import pwd
    import shutil
    import subprocess
    import tempfile

    bindir = _postgres_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        if os.environ.get("WIREWATCH_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) not found, and WIREWATCH_REQUIRE_POSTGRES is set")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql or set WIREWATCH_PG_BINDIR")
    root = Path(tempfile.mkdtemp(prefix="wirewatch-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = next(name for name in ("postgres", "nobody") if _has_user(pwd, name))
        shutil.chown(root, user)
        run_as = ["runuser", "-u", user, "--"]
    data, socket_dir, port = root / "data", root / "socket", _free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "--no-sync", "-D", str(data), "-U", "wirewatch",
                    "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)  # fmt: skip
    subprocess.run([*run_as, "mkdir", str(socket_dir)], check=True)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {socket_dir} -c fsync=off -c max_connections=100"
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                    "-o", options, "-w", "-t", "60", "start"], check=True, capture_output=True)  # fmt: skip
    try:
        createdb = [*run_as, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "wirewatch"]
        yield PostgresServer(port, createdb)
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_catalog(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> str:
    """The URL of a database of its own for one test, on the session's server."""
    return postgres_server.new_database("t_" + re.sub(r"\W", "_", request.node.name).lower()[:50])


def _has_user(pwd, name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The archive's two backends: a test that takes ``backend`` runs over a DuckDB file and over an
# embedded lake (the default archive), as duckdb's own tests run over each pandas flavour.
# ``@pytest.mark.backends("file")`` keeps a test about one backend's own behaviour to that one.

BACKENDS = ("file", "lake")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        metafunc.parametrize("backend", marker.args if marker else BACKENDS)


@pytest.fixture(scope="session")
def lake_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty embedded lake with the archive's schema, made once per session: migrating a new
    lake costs seconds, copying one a fraction of that (``store_fixtures.copy_lake``)."""
    from wirewatch.archive.store import open_store
    from wirewatch.model import LakeLocation

    root = tmp_path_factory.mktemp("lake-template") / "lake"
    open_store(LakeLocation(str(root / "catalog.sqlite"), str(root / "files"))).close()
    return root
