"""The ``wirewatch`` command line: a thin shell over the library.

Every failure a user can cause ends in one line on stderr naming the file, source or field, and a
non-zero exit status; never a traceback.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, NoReturn, Optional

import typer

from wirewatch.wire import codec
from wirewatch.config import SNAPSHOT_RETENTION_DAYS, Config, archive_argument, load_config, state_folder
from wirewatch.errors import CodecError, ConfigError, QueryError, first_line, is_interrupt

if TYPE_CHECKING:
    import logging

    from wirewatch.run import health
    from wirewatch.run.health import ServeLock
    from wirewatch.archive.store import Store

app = typer.Typer(
    name="wirewatch",
    help="Monitor news wires: fetch, parse datelines, deduplicate into stories, flag topics, alert.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: flags without a "<bool>" type column
)


def show_version(value: bool) -> None:
    if value:
        from wirewatch import __version__

        typer.echo(f"wirewatch {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=show_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Monitor news wires: fetch, parse datelines, deduplicate into stories, flag topics, alert."""


def flows_module(name: str) -> ModuleType:
    """The Prefect flows' module ``name``: ``wirewatch.flows`` as a wheel installs it, else the
    checkout's ``flows/`` folder (pyproject.toml says why the two places)."""
    try:
        return importlib.import_module(f"wirewatch.flows.{name}")
    except ModuleNotFoundError as error:
        if error.name not in ("wirewatch.flows", f"wirewatch.flows.{name}"):
            raise  # the flows are there, something they import is not
    return importlib.import_module(f"flows.{name}")


def fail_line(where: str, reason: str) -> None:
    typer.echo(f"{where}: error: {reason}", err=True)


def read_document(path: Path) -> bytes:
    """A wire-format file's bytes, or CodecError with the reason (size checked before reading)."""
    size = path.stat().st_size
    if size > codec.MAX_DOCUMENT_BYTES:
        raise codec.CodecError(f"too large: {size:,} bytes (limit {codec.MAX_DOCUMENT_BYTES:,})")
    return path.read_bytes()


# Saved feeds and pages go through `import`, which knows how to extract them.
NOT_WIRE_TEXT = {".xml": "a saved feed", ".rss": "a saved feed", ".atom": "a saved feed", ".html": "a saved page", ".htm": "a saved page"}


@app.command("parse")
def parse_command(files: list[Path] = typer.Argument(..., help="Wire-format text files.")) -> None:
    """Print each file as one JSON object per line (JSON Lines)."""
    failed = False
    for path in files:
        try:
            data = read_document(path)
            other = agency_format(data) or NOT_WIRE_TEXT.get(path.suffix.lower())
            if other:
                fail_line(str(path), f"{other}, not wire text: use `wirewatch import {path}`")
                failed = True
                continue
            item = codec.parse(codec.decode_document(data))
        except (OSError, codec.CodecError) as error:
            fail_line(str(path), getattr(error, "strerror", None) or str(error))
            failed = True
            continue
        typer.echo(codec.dumps_item(item))
    raise typer.Exit(2 if failed else 0)


AGENCY_FORMAT_NAMES = {"newsml-g2": "NewsML-G2", "newsml-1.2": "NewsML 1.2", "nitf": "NITF", "anpa-1312": "ANPA-1312",
                       "iptc-7901": "IPTC 7901", "json": "JSON (an AP or Reuters API item)"}  # fmt: skip


def agency_format(data: bytes) -> str | None:
    """The agency wire format (NITF, ANPA-1312, ...) a file is in, if any: `parse` reads the
    seed's wire text only, `import` reads those too."""
    from wirewatch.sources.formats import detect_format

    found = AGENCY_FORMAT_NAMES.get(detect_format(data) or "")
    return f"{found}, an agency wire format" if found else None


@app.command("render")
def render_command() -> None:
    """Read JSON objects (one per line, as `wirewatch parse` prints) on stdin; write wire text.

    Writes exactly the text each document holds (no final newline, like the seed); several
    documents are separated by a line holding only a form feed."""
    failed = False
    first = True
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = codec.item_from_json(json.loads(line.strip()))
        except json.JSONDecodeError as error:
            fail_line(f"stdin line {number}", f"invalid JSON: {error.msg} at column {error.colno}")
            failed = True
            continue
        except codec.CodecError as error:
            fail_line(f"stdin line {number}", str(error))
            failed = True
            continue
        if not first:
            sys.stdout.write("\n\f\n")
        sys.stdout.write(codec.render(item))
        first = False
    raise typer.Exit(2 if failed else 0)


# ---------------------------------------------------------------------------------------------
# Shared options and error handling

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
ConfigOption = typer.Option(None, "--config", "-c", help="Config file (default: $WIREWATCH_CONFIG or ./wirewatch.toml).")
# parser=str: a postgresql:// URL would lose a slash as a Path.
DbOption = typer.Option(None, "--db", parser=str, help="The archive: a .duckdb file, a lake's catalog (.sqlite file or postgresql:// URL) (default: $WIREWATCH_DB or the config's catalog/db).")
FormatOption = typer.Option("table", "--format", "-f", help="table | csv | json (an array) | jsonl (an object per line)")
WEB_PORT = 8420  # beside Prefect's 4200; `serve` takes any free port when it is taken
WebPortOption = typer.Option(None, "--web-port", help=f"Port of the web view `serve` starts beside the server (default {WEB_PORT} when free, else any free port).")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one line and exit status 2."""
    import duckdb

    from wirewatch.errors import StoreError

    try:
        yield
    except (ConfigError, QueryError, StoreError, CodecError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except duckdb.IOException as error:
        # A damaged or truncated archive failing on a later read (DuckDB names the file). Each
        # batch is a transaction, so what was stored before stays.
        typer.echo(f"error: {first_line(error)}; what was stored before is kept", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        interrupted()
    except Exception as error:
        if not is_interrupt(error):
            raise
        interrupted()


def interrupted() -> NoReturn:
    """Ctrl-C: each batch is one transaction, so what was stored stays and nothing is half done."""
    typer.echo("interrupted: the batches stored before it are kept; the same command goes on from there", err=True)
    raise typer.Exit(130) from None


def config_from(config_path: Optional[Path], db: Optional[Path]) -> Config:
    """The config, its warnings (likely slips that still load) on stderr, one line each."""
    config = load_config(config_path, db=db)
    for warning in config.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return config


def require_database(config: Config) -> None:
    """Readers never create the archive: say so instead of opening an empty one."""
    from wirewatch.archive.store import require_archive

    require_archive(config.db)


@contextmanager
def reading_archive(config_path: Optional[Path], db: Optional[Path], as_of: Optional[str] = None) -> Iterator["Store"]:
    """The archive opened read-only (as it was at ``as_of``, a lake), with user errors reported
    in one line."""
    from wirewatch.archive.store import open_store

    with user_errors():
        config = load_config(config_path, db=db)  # readers say nothing of topics' warnings
        when = parse_as_of(as_of)
        require_database(config)
        if isinstance(config.db, Path):  # a lake is never held by a writer
            say_who_is_writing(config.db)
        with open_store(config.db, read_only=True, as_of=when) as store:
            yield store


def parse_as_of(as_of: Optional[str]) -> Optional[dt.datetime]:
    """--as-of as an aware time (ISO 8601; without an offset it is UTC), or ConfigError naming it."""
    if not as_of:
        return None
    try:
        when = dt.datetime.fromisoformat(as_of.strip())
    except ValueError:
        raise ConfigError(f"--as-of: not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][+HH:MM]): {as_of!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def say_who_is_writing(db: Path) -> None:
    """A reader that has to wait for a writer says so at once, naming the writer's command."""
    from wirewatch.archive.store import writer_holding

    writer = writer_holding(db)
    if writer:
        typer.echo(f"waiting for {writer} to finish writing {db} ...", err=True)


FORMATS = ("table", "csv", "json", "jsonl")


def check_choice(option: str, value: Optional[str], choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        typer.echo(f"error: {option}: expected one of {', '.join(choices)}, got {value!r}", err=True)
        raise typer.Exit(2)


def echo_lines(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


# ---------------------------------------------------------------------------------------------
# The job


def quiet_prefect_defaults() -> None:
    """Defaults for Prefect that the user can still override: analytics off (offline machines log a
    telemetry error on every run otherwise) and a patient start for the temporary local server
    (its 20 s default is too short on a busy 2-core machine)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


@app.command("run")
def run_command(
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any source failed."),
    alert_history: bool = typer.Option(False, "--alert-history", help="A new or changed topic also alerts on stored stories it now matches."),
    every_source: bool = typer.Option(False, "--all", help="Poll every enabled source, also those not due yet (poll_every)."),
) -> None:
    """Run the ingest flow once over the sources that are due and print a summary."""
    from wirewatch.run import pipeline
    from wirewatch.errors import StoreError

    quiet_prefect_defaults()
    with user_errors():
        # fail fast, before Prefect starts; the config's warnings are in the flow's log
        pipeline.prepare_topics(load_config(config_path, db=db))
        ingest = flows_module("ingest").ingest
        summary_printed_once()
        if not flows_module("serve").configured_api_url():
            typer.echo("starting a temporary Prefect server ... (set PREFECT_API_URL to use a running one)", err=True)

        try:
            state = ingest(
                config_path=str(config_path) if config_path else None,
                db=str(db) if db else None,
                alert_history=alert_history,
                every_source=every_source,
                return_state=True,
            )
            # a run that ends Failed because a source is failing still carries its summary
            summary = state.result(raise_on_failure=False)
            if isinstance(summary, BaseException):
                raise summary
        except (ConfigError, QueryError, StoreError):
            raise
        except Exception as error:  # Prefect or its server failed: say so in one line
            typer.echo(f"error: the ingest flow failed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}", err=True)
            raise typer.Exit(2) from None
    echo_lines(pipeline.summary_lines(summary))
    raise typer.Exit(1 if strict and summary.failed_sources else 0)


def summary_printed_once() -> None:
    """The run's summary goes to the flow's log (the Prefect UI) and, here, to stdout once: the
    console's copy of those log records is dropped."""
    import logging

    for handler in logging.getLogger().handlers:
        if not_a_summary_record not in handler.filters:
            handler.addFilter(not_a_summary_record)


def not_a_summary_record(record: "logging.LogRecord") -> bool:
    SUMMARY_RECORD = flows_module("ingest").SUMMARY_RECORD

    return not getattr(record, SUMMARY_RECORD, False)


@app.command("import")
def import_command(
    paths: list[Path] = typer.Argument(..., help="Wire-format .txt files, saved RSS/Atom .xml feeds, saved .html pages, folders."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    alert_history: bool = typer.Option(False, "--alert-history", help="A new or changed topic also alerts on stored stories it now matches."),
    workers: Optional[int] = typer.Option(None, "--workers", min=0, help="Processes that read, key and match batches while this one writes (default: one per core when there are over 1,000 files; 0: none)."),
) -> None:
    """Ingest local files through the same pipeline as a scheduled poll, without any server."""
    from wirewatch.run import pipeline
    from wirewatch.archive.store import open_store

    with user_errors():
        config = config_from(config_path, db)
        with open_store(config.db) as store, import_progress() as progress:
            summary = pipeline.import_paths(
                store, config, paths, alert_history=alert_history, workers=workers, progress=progress
            )
    echo_lines(pipeline.summary_lines(summary))
    raise typer.Exit(2 if summary.unreadable else 0)


@contextmanager
def import_progress() -> Iterator[Callable[[int, int], None]]:
    """On a terminal, a progress bar on stderr (count, rate, time left); otherwise plain lines on
    stderr now and then, so that a log shows the import moving."""
    if not sys.stderr.isatty():
        from wirewatch.run.pipeline import PeriodicProgress

        yield PeriodicProgress(lambda line: typer.echo(line, err=True), "import")
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    rate = TextColumn("{task.fields[rate]}")
    with Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(), rate, TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:  # fmt: skip
        task = bar.add_task("reading", total=None, rate="")

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            speed = bar.tasks[0].speed
            bar.update(task, rate=f"{speed:,.0f} inputs/s" if speed else "")

        yield advance


@app.command("sql")
def sql_command(
    query: str = typer.Argument(..., help="A read-only SQL query over the public views."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    output_format: Optional[str] = typer.Option(None, "--format", "-f", help="table | csv | json (an array) | jsonl (with --output also parquet; default: table, or csv into a file)"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the result to this file instead of printing it."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Query the archive as it was at this time (a lake; ISO 8601, UTC unless an offset is given)."),
) -> None:
    """Run a read-only query and print a table, CSV or JSON, or write CSV, JSON or Parquet to a file.

    The query reads the archive only: files, extensions and ATTACH are refused (use --output to
    export)."""
    check_choice("--format", output_format, EXPORT_FORMATS if output else FORMATS)
    from wirewatch.archive.reader import check_single_statement

    with user_errors():
        check_single_statement(query)
    with reading_archive(config_path, db, as_of) as store:
        with views_named_on_a_missing_table():
            columns, rows = store.query(query)
    if output is None:
        print_rows(columns, rows, output_format or "table")
        return
    with user_errors():
        write_rows(columns, rows, output_format or "csv", output)


@app.command("migrate")
def migrate_command(
    source: Path = typer.Argument(..., help="The DuckDB-file archive to move (it is left unchanged)."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
) -> None:
    """Move a DuckDB-file archive into the configured lake, every row, counted per table.

    The lake must be empty; running the same migration again changes nothing."""
    from wirewatch.run import pipeline
    from wirewatch.archive.store import open_store

    with user_errors():
        config = config_from(config_path, db)
        with open_store(config.db) as store:
            counts, copied = store.migrate_from(source, now=pipeline.utc_now())
    total = sum(counts.values())
    typer.echo(f"{'moved' if copied else 'already moved (nothing done)'}: {source} into {config.db}, {total:,} rows")
    echo_lines([f"  {table}: {rows:,}" for table, rows in sorted(counts.items())])


@app.command("compact")
def compact_command(
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    keep_days: float = typer.Option(SNAPSHOT_RETENTION_DAYS, "--keep-days", min=0.0, help="Keep this many days of snapshots for --as-of; older ones expire."),
    memory_limit: Optional[str] = typer.Option(None, "--memory-limit", help="DuckDB's memory limit for the compaction (default 512MB; at least 200MB: it works in pieces within it at any archive size)."),
) -> None:
    """Merge the lake's small files, expire old snapshots and delete unused files.

    Writers keep committing meanwhile (each waits for the merge lock a moment); readers are never
    held. A compaction that fails leaves no file behind."""
    from wirewatch.run import pipeline
    from wirewatch.archive.store import open_store

    with user_errors():
        config = config_from(config_path, db)
        require_database(config)
        with open_store(config.db) as store:
            before, after = store.compact(retention=dt.timedelta(days=keep_days), now=pipeline.utc_now(),
                                          **({"memory_limit": memory_limit} if memory_limit else {}))  # fmt: skip
    typer.echo(f"compacted {config.db}: {before[0]:,} data files ({before[1]:,} bytes) -> {after[0]:,} ({after[1]:,} bytes)")


EXPORT_FORMATS = ("csv", "json", "parquet")


def write_rows(columns: list[str], rows: list[tuple], output_format: str, path: Path) -> None:
    """``wirewatch sql --output``: the result written by wirewatch, not by the query."""
    from wirewatch.errors import StoreError
    from wirewatch.archive.store import write_parquet

    if output_format == "parquet":
        write_parquet(columns, rows, path)
        return
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            print_rows(columns, rows, output_format, handle)
    except OSError as error:
        raise StoreError(f"{path}: cannot write: {error.strerror}") from None


@contextmanager
def views_named_on_a_missing_table() -> Iterator[None]:
    """A misspelled view: add the names of the public views to DuckDB's reason."""
    from wirewatch.errors import StoreError

    try:
        yield
    except StoreError as error:
        if "does not exist" not in str(error) or "Table with name" not in str(error):
            raise
        raise StoreError(f"{error}; the views are: {', '.join(public_views())}") from None


def public_views() -> list[str]:
    """The SQL surface: one view per file in sql/views (helpers start with an underscore)."""
    from wirewatch.archive.store import SQL_DIR

    return sorted(f.stem for f in (SQL_DIR / "views").glob("*.sql") if not f.name.startswith("_"))


# Long cells (article bodies) are cut so that a table row stays a few lines high.
MAX_CELL_CHARS = 60


def print_rows(columns: list[str], rows: list[tuple], output_format: str, out=None) -> None:
    out = out or sys.stdout
    if output_format == "csv":
        writer = csv.writer(out, lineterminator="\n")  # csv's default \r\n would end up in $(... | tail -1)
        writer.writerow(columns)
        writer.writerows(rows)
    elif output_format == "json":
        out.write(json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, default=str, indent=2) + "\n")
    elif output_format == "jsonl":
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str) + "\n")
    else:
        print_table(columns, rows)


def print_table(columns: list[str], rows: list[tuple]) -> None:
    """A rich table whose cells are one line each, cut at MAX_CELL_CHARS with an ellipsis. On a
    terminal rich wraps what is still too wide inside its column (headers kept whole); into a
    pipe or a file the table keeps its natural width, one line per row."""
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Column, Table
    from rich.text import Text

    table = Table(*(Column(name, min_width=len(name)) for name in columns))
    for row in rows:
        table.add_row(*(Text(table_cell(v)) for v in row))  # Text: brackets in data are not markup
    console = Console()
    if not console.is_terminal:
        natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
        console = Console(width=max(console.width, natural))
    console.print(table)


def table_cell(value: object) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat(sep=" ", timespec="seconds")
    elif isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


@app.command("serve")
def serve_command(
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    port: Optional[int] = typer.Option(None, "--port", help="Port of the Prefect server wirewatch starts (default 4200 when free, else any free port)."),
    ingest_interval: float = typer.Option(60, "--ingest-interval", hidden=True, min=1, help="Seconds between scheduled ingest runs (tests)."),
    web_port: Optional[int] = WebPortOption,
    no_web: bool = typer.Option(False, "--no-web", help="Do not start the web view."),
) -> None:
    """Serve every deployment (ingest every minute, digest daily at 07:00 UTC, backfill and
    retag on demand) from this one process: a scheduler for a single box. Without PREFECT_API_URL
    it starts a Prefect server of its own (API and UI on 127.0.0.1, state beside the archive)."""
    import signal

    quiet_prefect_defaults()
    signal.signal(signal.SIGTERM, interrupt_on_sigterm)  # until the runner takes SIGTERM over
    with user_errors():
        config = config_from(config_path, db)
    parameters = {"config_path": str(config.path.resolve()) if config.path else None, "db": archive_argument(config.db)}
    serve = flows_module("serve")

    with one_serve(config) as lock:
        try:
            with serving_server(config, port, lock.record), (
                contextlib.nullcontext() if no_web else serving_web(config, web_port)
            ):
                serve.serve_all(parameters, ingest_interval, announce=announce_deployments)
        except (KeyboardInterrupt, SystemExit):  # Ctrl-C or SIGTERM while starting, or a second one
            pass
        except serve.ServerError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
        except Exception as error:  # Prefect or its server failed: say so in one line
            typer.echo(f"error: serving the deployments failed: {type(error).__name__}: {first_line(error)}", err=True)
            raise typer.Exit(2) from None
    typer.echo("stopped: the served deployments are paused until the next `wirewatch serve`", err=True)


def interrupt_on_sigterm(signum: int, frame: object) -> NoReturn:
    """SIGTERM as Ctrl-C: unwind, stopping what was started so far."""
    raise KeyboardInterrupt


@contextmanager
def one_serve(config: Config) -> Iterator["ServeLock"]:
    """The archive's serve lock, held while this serve runs; a second serve of the same archive
    ends here in one line naming the first (its pid and UI address), before it touches Prefect,
    so it never pauses the first one's deployments."""
    from wirewatch.errors import ServeRunning
    from wirewatch.run.health import serving

    try:
        with serving(state_folder(config.db), str(config.db)) as lock:
            yield lock
    except ServeRunning as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@contextmanager
def serving_server(config: Config, port: Optional[int], announce_ui: Callable[[str], None]) -> Iterator[None]:
    """The Prefect server to serve against: PREFECT_API_URL's if set, else one of our own with its
    state beside the archive (data/lake/prefect/ by default), stopped on the way out.
    ``announce_ui`` gets the UI address (for the serve lock, so that others can name it)."""
    serve = flows_module("serve")
    existing = serve.configured_api_url()
    if existing:
        typer.echo(f"using the Prefect server at {existing} (PREFECT_API_URL)", err=True)
        announce_ui(existing.removesuffix("/api"))
        yield
        return
    home = state_folder(config.db) / "prefect"
    typer.echo(f"starting the Prefect server (state in {home}) ...", err=True)
    with serve.local_server(home, port) as server, serve.using_server(server):
        announce_ui(server.ui_url)
        typer.echo(f"Prefect UI: {server.ui_url}")
        typer.echo(f"to use it from another shell: export PREFECT_API_URL={server.api_url}")
        try:
            yield
        finally:
            typer.echo("stopping the Prefect server ...", err=True)


def announce_deployments(served: list) -> None:
    schedule_text = flows_module("serve").schedule_text
    typer.echo("serving (Ctrl-C stops them and the server):")
    for deployment in served:
        typer.echo(f"  {deployment.flow_name}/{deployment.name}: {schedule_text(deployment)}")
    typer.echo(f"a run now: prefect deployment run {served[0].flow_name}/{served[0].name}")


# ---------------------------------------------------------------------------------------------
# Stories


def named_query(store: "Store", name: str, params: dict[str, object]) -> tuple[list[str], list[tuple]]:
    """Run the read-only query sql/queries/NAME.sql with ``params``."""
    return store.named_query(name, params)


def parse_since(since: Optional[str]) -> Optional[dt.datetime]:
    """--since YYYY-MM-DD as midnight UTC, or ConfigError naming the option."""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), dt.timezone.utc) if since else None
    except ValueError:
        raise ConfigError(f"--since: not a date (YYYY-MM-DD): {since!r}") from None


@app.command("stories")
def stories_command(
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="Only stories this topic flagged."),
    since: Optional[str] = typer.Option(None, "--since", help="Only stories seen on or after this date (YYYY-MM-DD)."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="At most this many stories."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    output_format: str = FormatOption,
) -> None:
    """List stories, flagged ones first: headline, outlets that carried it, size, first and last
    seen, topics."""
    check_choice("--format", output_format, FORMATS)
    with user_errors():
        cutoff = parse_since(since)
    with reading_archive(config_path, db) as store:
        columns, rows = named_query(store, "story_list", {"topic": topic, "since": cutoff, "limit": limit})
    print_rows(columns, rows, output_format)


@app.command("story")
def story_command(
    story_id: str = typer.Argument(..., help="A story_id (from `wirewatch stories`)."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
) -> None:
    """Every article of a story (outlet, source, agency, dateline, relation first/copy/update,
    similarity), then the exact copies counted but not stored, with the article each copied and
    the rule (guid, url or content hash)."""
    from wirewatch.errors import StoreError

    with reading_archive(config_path, db) as store:
        columns, articles = named_query(store, "story_articles", {"story_id": story_id})
        if not articles:
            raise StoreError(f"no story {story_id!r} (see `wirewatch stories`)")
        copy_columns, copies = named_query(store, "story_copies", {"story_id": story_id})
        quote_columns, quoted = named_query(store, "story_quotes", {"story_id": story_id})
    typer.echo(f"story {story_id}: {len(articles)} stored article{'s' if len(articles) != 1 else ''}")
    print_table(columns, articles)
    typer.echo(f"exact copies counted, not stored: {len(copies)}")
    if copies:
        print_table(copy_columns, copies)
    typer.echo(f"who said what: {len(quoted)} statement{'s' if len(quoted) != 1 else ''}")
    if quoted:
        print_table(quote_columns, quoted)


# ---------------------------------------------------------------------------------------------
# Topics

topics_app = typer.Typer(help="Check topic rules against files and backtest them over the archive.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(topics_app, name="topics")


@topics_app.command("check")
def topics_check(
    files: list[Path] = typer.Argument(..., help="Files to check (wire text, saved feeds or pages)."),
    config_path: Optional[Path] = ConfigOption,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per match."),
) -> None:
    """Show which topics each file matches, with the matched terms highlighted."""
    from rich.console import Console

    from wirewatch.sources import inputs
    from wirewatch.run import pipeline
    from wirewatch.topics import matcher as topics
    from wirewatch.cli.presentation import highlight, marked_hits, match_to_json

    console = Console()
    failed = False
    with user_errors():
        config = config_from(config_path, None)
        matcher = topics.compile_topics(config.enabled_topics)
        now = pipeline.utc_now()
        for path in files:
            poll = inputs.read_file(path, inputs.IMPORT_SOURCE, now=now)
            if poll.state.last_status == "error":
                fail_line(str(path), (poll.state.last_error or "").removeprefix(f"{path}: "))
                failed = True
            for line in poll.skipped:
                typer.echo(f"skipped: {line}", err=True)
            for article in poll.articles:
                matches = matcher.match_article(article)
                if as_json:
                    for match in matches:
                        typer.echo(json.dumps({"file": str(path), **match_to_json(match)}, ensure_ascii=False))
                    continue
                console.print(f"[bold]{path}[/bold]: {article.item.headline}", soft_wrap=not console.is_terminal, markup=True)
                if not matches:
                    console.print("  no topic matched")
                for match in matches:
                    shown = highlight(article.item, match)
                    if console.is_terminal:
                        console.print(shown)
                    else:  # plain lines, unwrapped, for a pipe or a file
                        console.print(marked_hits(shown), soft_wrap=True)
    raise typer.Exit(2 if failed else 0)


@topics_app.command("backtest")
def topics_backtest(
    name: Optional[str] = typer.Argument(None, help="A configured topic (default: all)."),
    query: Optional[str] = typer.Option(None, "--query", "-q", help="An unsaved query to try instead."),
    since: Optional[str] = typer.Option(None, "--since", help="Only articles dated (dateline, else published, else fetched) on or after this date (YYYY-MM-DD)."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
) -> None:
    """What would this rule have flagged and alerted over the archive?"""
    from wirewatch.topics.backtest import backtest
    from wirewatch.config import TopicConfig, check_topics, query_warnings
    from wirewatch.cli.presentation import format_backtest
    from wirewatch.topics.matcher import compile_topics

    with user_errors():
        config = config_from(config_path, db)
        if query:
            chosen = [TopicConfig(name=name or "query", query=query)]
            check_topics(chosen, "--query")
            for warning in query_warnings(chosen[0], "--query"):
                typer.echo(f"warning: {warning}", err=True)
        else:
            chosen = [t for t in config.enabled_topics if name is None or t.name == name]
            if not chosen:
                raise ConfigError(f"no enabled topic named {name!r}")
        cutoff = parse_since(since)
    with reading_archive(config_path, db) as store:
        # every article: --since compares the article's own date, which the archive does not index
        rows = ((s.article_id, s.story_id, s.article) for s in store.articles_since(EPOCH))
        report = backtest(compile_topics(chosen), rows, since=cutoff)
    typer.echo(format_backtest(report))


# ---------------------------------------------------------------------------------------------
# Alerts

alerts_app = typer.Typer(help="The alert outbox: list, retry, test a channel.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("list")
def alerts_list(
    status: Optional[str] = typer.Option(None, "--status", help="pending | sent | failed"),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    output_format: str = FormatOption,
) -> None:
    """List alerts (channels shown redacted)."""
    check_choice("--status", status, ("pending", "sent", "failed"))
    check_choice("--format", output_format, FORMATS)
    with reading_archive(config_path, db) as store:
        columns, rows = store.alert_listing(status=status)
    print_rows(columns, rows, output_format)


@alerts_app.command("retry")
def alerts_retry(config_path: Optional[Path] = ConfigOption, db: Optional[Path] = DbOption) -> None:
    """Put failed alerts back in the outbox and deliver every pending alert now, also those
    waiting out their retry backoff."""
    from wirewatch.run import pipeline
    from wirewatch.archive.store import open_store

    with user_errors():
        config = config_from(config_path, db)
        compiled = pipeline.prepare_topics(config)
        with open_store(config.db) as store:
            reset = store.retry_failed_alerts()
            summary = pipeline.RunSummary(run_id="")
            pipeline.deliver_alerts(store, config, compiled, now=pipeline.utc_now(), summary=summary, waiting_too=True)
    typer.echo(f"{reset} failed alerts reset; {summary.delivered + len(summary.console_alerts)} sent, {len(summary.delivery_failures)} failed")
    echo_lines([f"alert failed: {line}" for line in summary.delivery_failures])


@alerts_app.command("test")
def alerts_test(channel: str = typer.Argument(..., help="An apprise URL, or ${ENV_VAR} holding one.")) -> None:
    """Send a sample alert to a channel."""
    from wirewatch import alerts

    try:
        url = alerts.expand_channel(channel, os.environ)
    except alerts.ChannelError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    result = alerts.send_test(url)
    if result.ok:
        typer.echo(f"sent a sample alert to {alerts.redact(url)}")
    else:
        typer.echo(f"error: {result.error}", err=True)
        raise typer.Exit(1)


@app.command("websub")
def websub_command(
    config_path: Optional[Path] = ConfigOption, db: Optional[Path] = DbOption, output_format: str = FormatOption
) -> None:
    """WebSub push subscriptions (one per feed whose hub was looked for, as `serve` keeps them;
    secrets not shown) and the callback requests refused, by reason."""
    from wirewatch.run import subscriptions

    check_choice("--format", output_format, FORMATS)
    with reading_archive(config_path, db) as store:
        found, refused = subscriptions.load(store), subscriptions.refusals(store)
    columns = ["source", "state", "hub", "topic", "expires_at", "pushes", "last_error"]
    print_rows(columns, [(s.source, s.state, s.hub, s.topic, s.expires_at, s.pushes, s.last_error) for s in found.values()],
               output_format)  # fmt: skip
    typer.echo("refused: " + (", ".join(f"{reason} {count:,}" for reason, count in refused.items()) or "none"), err=True)

# ---------------------------------------------------------------------------------------------
# Status


@app.command("status")
def status_command(
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    output_format: str = FormatOption,
) -> None:
    """Is the monitor alive: serve running or not, the last ingest, the last alert, failing
    sources, and each source's lag (time since its last new item). Exits 1 when something needs
    attention (no serve running, or a source failing), so a probe can run it."""
    from wirewatch.run import health

    check_choice("--format", output_format, FORMATS)
    with user_errors():
        config = config_from(config_path, db)
    with reading_archive(config_path, db) as store:
        status = read_status(store, state_folder(config.db))
    now = dt.datetime.now(dt.timezone.utc)
    columns, rows = health.source_rows(status, now=now)
    if output_format in ("json", "jsonl"):
        typer.echo(json.dumps(status_json(status), ensure_ascii=False, default=str))
    else:
        echo_lines(health.status_lines(status, now=now))
        if rows:
            print_rows(columns, rows, output_format)
    raise typer.Exit(1 if status.needs_attention else 0)


def read_status(store: "Store", folder: Path) -> "health.Status":
    from wirewatch.run import health

    def first(name: str) -> Optional[tuple]:
        rows = named_query(store, name, {})[1]
        return tuple(utc(v) for v in rows[0]) if rows else None

    sources = [health.SourceStatus(*(utc(v) for v in row)) for row in named_query(store, "status_sources", {})[1]]
    return health.Status(
        serve=health.serve_holder(folder),
        last_ingest=first("status_last_ingest"),
        last_alert=first("status_last_alert"),
        last_health_alert=first("status_last_health_alert"),
        sources=sources,
        unhealthy=sorted(store.open_health_failures()),
    )


def utc(value: object) -> object:
    """A naive time from the archive (UTC) as an aware one; anything else as it is."""
    return value.replace(tzinfo=dt.timezone.utc) if isinstance(value, dt.datetime) and value.tzinfo is None else value


def status_json(status: "health.Status") -> dict[str, object]:
    import dataclasses

    return {
        "serve": dataclasses.asdict(status.serve) if status.serve else None,
        "last_ingest": status.last_ingest,
        "last_alert": status.last_alert,
        "last_health_alert": status.last_health_alert,
        "failing_sources": [s.name for s in status.sources if s.failures],
        "alerted_failing": status.unhealthy,
        "sources": [dataclasses.asdict(s) for s in status.sources],
        "needs_attention": status.needs_attention,
    }

# ---------------------------------------------------------------------------------------------
# The web view

def web_app(config: Config, host: str, remote: bool, require: bool = True):
    """The web view's app over ``config``'s archive, checked for ``host`` (ConfigError when a
    non-loopback host lacks --remote or the token). ``require``: the archive must exist (`serve`
    starts before its first ingest made it; its pages say so until then)."""
    from wirewatch import web

    token = os.environ.get(web.TOKEN_VARIABLE) or None
    web.check_binding(host, token, remote=remote)
    if require:
        require_database(config)
    allowed = web.LOOPBACK_HOSTS if host in web.LOOPBACK_HOSTS else None
    settings = web.Settings(config.db, tuple(t.name for t in config.enabled_topics), token=token, allowed_hosts=allowed)
    return web.create_app(settings)


@app.command("web")
def web_command(
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    port: int = typer.Option(WEB_PORT, "--port", min=1, max=65535, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless --remote)."),
    remote: bool = typer.Option(False, "--remote", help="Allow a non-loopback --host; every request then needs $WIREWATCH_WEB_TOKEN."),
) -> None:
    """Serve a read-only web view of the archive (topics over time, stories, evidence, alerts,
    sources) until Ctrl-C. It reads as `wirewatch sql` does: on a lake it never holds up imports."""
    from wirewatch import web

    with user_errors():
        config = config_from(config_path, db)
        application = web_app(config, host, remote)
    if not flows_module("serve").port_is_free(port) and host in web.LOOPBACK_HOSTS:
        typer.echo(f"error: --port {port}: in use on {host}; choose another", err=True)
        raise typer.Exit(2)
    typer.echo(f"wirewatch web: {web.address(host, port)} (Ctrl-C stops it)")
    web.serve_forever(application, host, port)


@contextmanager
def serving_web(config: Config, port: Optional[int]) -> Iterator[None]:
    """`serve`'s web view on 127.0.0.1, beside the Prefect server, stopped on the way out."""
    from wirewatch import web

    serve = flows_module("serve")
    chosen = serve.choose_port(port, default=WEB_PORT, option="--web-port")
    with web.running(web_app(config, "127.0.0.1", remote=False, require=False), "127.0.0.1", chosen) as address:
        typer.echo(f"wirewatch web: {address}")
        yield

# ---------------------------------------------------------------------------------------------
# DuckDB's own CLI


@app.command("duckdb-init")
def duckdb_init_command(config_path: Optional[Path] = ConfigOption, db: Optional[Path] = DbOption) -> None:
    """Print the SQL that opens the archive read-only in DuckDB's own CLI, offline: it loads the
    extension files that wirewatch's wheels ship (no INSTALL, no download). Use it as
    `wirewatch duckdb-init > archive.sql; duckdb -init archive.sql`."""
    from wirewatch.archive import lake

    with user_errors():
        config = load_config(config_path, db=db)
        require_database(config)
        typer.echo(duckdb_init_sql(config.db, [lake.extension_file(name) for name in ("ducklake", "sqlite_scanner", "postgres_scanner")]))


def duckdb_init_sql(archive: "Path | object", extensions: list[Path]) -> str:
    """The statements of `wirewatch duckdb-init` for ``archive`` (a DuckDB file or a LakeLocation)."""
    from urllib.parse import urlsplit, urlunsplit

    from wirewatch.archive import lake

    def quoted(text: object) -> str:
        return "'" + str(text).replace("'", "''") + "'"

    if isinstance(archive, Path):
        return f"ATTACH {quoted(archive.resolve())} AS archive (READ_ONLY);\nUSE archive;"
    lines = [f"LOAD {quoted(path)};" for path in extensions if "postgres" not in path.name or archive.shared]
    catalog = archive.catalog
    if archive.shared:
        parts = urlsplit(catalog)
        if parts.password:  # never printed: libpq reads it from PGPASSWORD
            lines.append("-- the catalog's password: set PGPASSWORD in the environment before starting duckdb")
            catalog = urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", "@")))
    else:
        catalog = str(Path(catalog).resolve())
    lines += [
        f"ATTACH {quoted('ducklake:' + lake.metadata_path(catalog))} AS lake (READ_ONLY);",
        "USE lake;",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Quotes and speakers


@app.command("quotes")
def quotes_command(
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="Only quotes that hold this topic's hits."),
    speaker: Optional[str] = typer.Option(None, "--speaker", "-s", help="Only this speaker's quotes (any part of the name)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only quotes said (else dated) on or after this date (YYYY-MM-DD)."),
    limit: int = typer.Option(100, "--limit", "-n", min=1, help="At most this many quotes."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    output_format: str = FormatOption,
) -> None:
    """Who said what: direct and reported speech with its speaker, newest first."""
    check_choice("--format", output_format, FORMATS)
    with user_errors():
        cutoff = parse_since(since)
    with reading_archive(config_path, db) as store:
        columns, rows = named_query(store, "quote_list", {
            "topic": topic, "speaker": speaker, "since": cutoff.date() if cutoff else None, "limit": limit,
        })  # fmt: skip
    print_rows(columns, rows, output_format)


@app.command("speakers")
def speakers_command(
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="Only those who spoke on this topic."),
    limit: int = typer.Option(100, "--limit", "-n", min=1, help="At most this many speakers."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
    output_format: str = FormatOption,
) -> None:
    """Everyone quoted, one row per person or organisation across articles and stories."""
    check_choice("--format", output_format, FORMATS)
    with reading_archive(config_path, db) as store:
        columns, rows = named_query(store, "speaker_list", {"topic": topic, "limit": limit})
    print_rows(columns, rows, output_format)


@app.command("requote")
def requote_command(
    days: Optional[int] = typer.Option(None, "--days", min=1, help="Only articles of the last N days (default: all)."),
    config_path: Optional[Path] = ConfigOption,
    db: Optional[Path] = DbOption,
) -> None:
    """Extract the quotes of stored articles again (an archive from before quotes, or after the
    extractor changed), without importing anything."""
    from wirewatch.ingest import batch as ingest
    from wirewatch.run import pipeline
    from wirewatch.ingest.batches import article_quotes
    from wirewatch.archive.store import open_store

    with user_errors():
        config = config_from(config_path, db)
        require_database(config)
        now = pipeline.utc_now()
        with open_store(config.db) as store:
            stored = ingest.requote(store, article_quotes, since=now - dt.timedelta(days=days) if days else EPOCH, now=now)
    typer.echo(f"requote: {stored} quotes stored")


def main() -> None:
    app()
