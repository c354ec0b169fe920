"""The ``wirewatch`` command line: a thin shell over the library.

Every failure a user can cause ends in one line on stderr naming the file, source or field, and a
non-zero exit status; never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from wirewatch import codec

app = typer.Typer(
    name="wirewatch",
    help="Monitor news wires: fetch, parse datelines, deduplicate into stories, flag topics, alert.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail_line(where: str, reason: str) -> None:
    typer.echo(f"{where}: error: {reason}", err=True)


def read_document(path: Path) -> str:
    """A wire-format file's text, or CodecError with the reason (size checked before reading)."""
    size = path.stat().st_size
    if size > codec.MAX_DOCUMENT_BYTES:
        raise codec.CodecError(f"too large: {size:,} bytes (limit {codec.MAX_DOCUMENT_BYTES:,})")
    return codec.decode_document(path.read_bytes())


@app.command("parse")
def parse_command(files: list[Path] = typer.Argument(..., help="Wire-format text files.")) -> None:
    """Print each file as one JSON object per line (JSON Lines)."""
    failed = False
    for path in files:
        try:
            item = codec.parse(read_document(path))
        except (OSError, codec.CodecError) as error:
            fail_line(str(path), getattr(error, "strerror", None) or str(error))
            failed = True
            continue
        typer.echo(codec.dumps_item(item))
    raise typer.Exit(2 if failed else 0)


@app.command("render")
def render_command() -> None:
    """Read JSON objects (one per line, as `wirewatch parse` prints) on stdin; write wire text.

    Several documents are separated by a line holding only a form feed."""
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
            sys.stdout.write("\f\n")
        sys.stdout.write(codec.render(item) + "\n")
        first = False
    raise typer.Exit(2 if failed else 0)


def main() -> None:
    app()
