"""The control-byte envelope that ANPA-1312 and IPTC 7901 share: SOH, a header, STX, the text,
ETX, a trailer, EOT; the text decoded as UTF-8 else Windows-1252 (Latin-1 plus the quotes
agencies send), lines joined into paragraphs by their indent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wirewatch.formats.record import FormatError

SOH, STX, ETX, EOT = "\x01", "\x02", "\x03", "\x04"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_COLUMNS = re.compile(r" {2,}")


@dataclass(frozen=True, slots=True)
class Envelope:
    header: list[str]  # the lines between SOH and STX, control bytes kept
    text: list[str]  # the lines between STX and ETX, control bytes removed
    trailer: str | None  # after ETX: "AP-WF-02-20-16 0337GMT"


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def open_envelope(data: bytes, kind: str) -> Envelope:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    start = text.find(SOH)
    if start < 0:
        raise FormatError(f"{kind}: no SOH control byte")
    body_start = text.find(STX, start)
    if body_start < 0:
        raise FormatError(f"{kind}: no STX control byte before the text")
    end = text.find(ETX, body_start)
    body = text[body_start + 1 : end if end >= 0 else len(text)]
    trailer = None
    if end >= 0:
        trailer = _CONTROLS.sub("", text[end + 1 :].split(EOT, 1)[0]).strip().rstrip("<").strip() or None
    lines = [_CONTROLS.sub("", line).rstrip() for line in body.lstrip(STX).split("\n")]
    return Envelope(text[start + 1 : body_start].split("\n"), lines, trailer)


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
