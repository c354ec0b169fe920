"""The transmission envelope that ANPA-1312 and IPTC 7901 share: SYN SYN, SOH, a header, STX,
the text, ETX, a trailer, EOT. A file may hold several such messages (the takes of a story), and
a copy that passed through a system that drops control bytes has none of them: the header is
then the line(s) up to the one the format's header pattern matches, the text what follows. The
bytes are decoded as UTF-8 else Windows-1252 (Latin-1 plus the quotes agencies send), lines
joined into paragraphs by their indent."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

SOH, STX, ETX, EOT = "\x01", "\x02", "\x03", "\x04"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_COLUMNS = re.compile(r" {2,}")
HEADER_LINES = 8  # without control bytes, the header line is looked for this far down


@dataclass(frozen=True, slots=True)
class Envelope:
    header: list[str]  # the header lines (before STX), control bytes removed
    text: list[str]  # the lines of the text (STX to ETX), control bytes removed
    trailer: str | None  # after ETX: "AP-WF-02-20-16 0337GMT"


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def without_controls(line: str) -> str:
    return _CONTROLS.sub("", line.replace("\t", "    "))


def open_envelopes(data: bytes, is_header: Callable[[str], bool]) -> list[Envelope]:
    """Every message in ``data``: each SOH starts one; without SOH the whole text is one. Where
    there is no STX the header ends at the first of the first lines that ``is_header`` accepts
    (it gets the line without control bytes)."""
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split(SOH)[1:] if SOH in text else [text]
    return [_envelope(part, is_header) for part in parts if without_controls(part).strip()]


def _envelope(part: str, is_header: Callable[[str], bool]) -> Envelope:
    part = part.split(EOT, 1)[0]
    if STX in part:
        head, body = part.split(STX, 1)
        header = head.split("\n")
    else:
        lines = part.split("\n")
        cut = next((n + 1 for n, line in enumerate(lines[:HEADER_LINES]) if is_header(without_controls(line).strip())), 0)
        header, body = lines[:cut], "\n".join(lines[cut:])
    trailer = None
    if ETX in body:
        body, after = body.split(ETX, 1)
        trailer = without_controls(after).strip().rstrip("<").strip() or None
    lines = [_CONTROLS.sub("", line).rstrip() for line in body.split("\n")]
    return Envelope([without_controls(line).rstrip() for line in header], lines, trailer)


def indented_paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs of wire text: an indented or blank-preceded line starts one, other lines
    continue it; agate lines (columns set apart by runs of spaces) stay one row each, cells
    joined by " | "."""
    found: list[list[str]] = []
    starts = True
    for line in lines:
        if not line.strip():
            starts = True
            continue
        if len(_COLUMNS.split(line.strip())) >= 3:  # two gaps at least: one is a typist's double space
            found.append([" | ".join(_COLUMNS.split(line.strip()))])
            starts = True
            continue
        if starts or line[:1].isspace():
            found.append([line.strip()])
        else:
            found[-1].append(line.strip())
        starts = False
    return [" ".join(p) for p in found]


def strip_marker(line: str) -> str:
    """A line without the end marks agencies put on headline and byline lines ("<", "=", "+")."""
    return line.strip().lstrip("^").rstrip("<=+ ").strip()
