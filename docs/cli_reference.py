"""Writes docs/cli.md from the commands' own --help, so the reference cannot drift from the code.

Run ``uv run python docs/cli_reference.py`` after changing a command; tests/test_docs.py fails
while the file differs from what this writes."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from wirewatch.cli.commands import app

OUTPUT = Path(__file__).with_name("cli.md")
WIDTH = 100


def plain_help(command, path: list[str], parent) -> str:
    """Click's plain help text at a fixed width, not Typer's rich panels, so the file is stable.
    (Typer vendors Click: a command's ``context_class`` is that Click's Context.)"""
    context = command.context_class(
        command, info_name=path[-1], parent=parent, terminal_width=WIDTH, max_content_width=WIDTH
    )
    formatter = context.make_formatter()
    command.rich_markup_mode = None  # Typer then falls back to click's formatter
    command.format_help(context, formatter)
    return formatter.getvalue().rstrip()


def sections(command, path: list[str], parent=None) -> list[str]:
    """One Markdown section per command, subcommands after their group, in the order --help lists them."""
    context = command.context_class(command, info_name=path[-1], parent=parent)
    title = "#" * min(len(path) + 1, 4) + " `" + " ".join(path) + "`"
    found = [f"{title}\n\n```text\n{plain_help(command, path, parent)}\n```\n"]
    if hasattr(command, "list_commands"):
        for name in command.list_commands(context):
            found += sections(command.get_command(context, name), [*path, name], context)
    return found


def reference() -> str:
    header = (
        "# Command reference\n\n"
        "Generated from each command's `--help` by `docs/cli_reference.py`; "
        "[Commands](commands.md) gives the overview.\n\n"
    )
    return header + "\n".join(sections(typer.main.get_command(app), ["wirewatch"]))


if __name__ == "__main__":
    OUTPUT.write_text(reference(), encoding="utf-8")
    sys.stdout.write(f"wrote {OUTPUT}\n")
