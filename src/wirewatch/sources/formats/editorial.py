"""Editorial signals shared by the formats: publication status, corrections and kills written
into headlines or take keys, urgency numbers and agency timestamps."""

from __future__ import annotations

import datetime as dt
import re

_STATUSES = {"usable": "usable", "withheld": "withheld", "embargoed": "withheld", "canceled": "canceled",
             "cancelled": "canceled", "deleted": "canceled", "killed": "canceled"}  # fmt: skip
# Reuters and AFP headline prefixes: "REFILE-", "CORRECTED-UPDATE 2-", "UPDATE 1-", "RPT-"
_HEADLINE_TAKE = re.compile(
    r"^((?:(?:REFILE|CORRECTED|CORRECTION|UPDATE \d+|RPT|WRAPUP \d+|INSTANT VIEW \d*|FACTBOX|EXCLUSIVE|URGENT|FLASH|KILL|WITHDRAWN)\s?[-:]\s?)+)"
)
_CORRECTION = re.compile(r"\b(?:CORRECTED|CORRECTION|CORRECTS|REFILE|Correct(?:ion|s)?|Korrektur|BERICHTIGUNG|Rectificaci[oó]n)\b")
# upper case only, and only in take keys, slug lines and editor's notes: "Police kill 3" is news
_KILL = re.compile(r"\b(?:KILL|KILLED|ELIMINATE|WITHDRAWN|WITHDRAWAL|STORNO|ANULADA|ANULAR)\b")
_TIMESTAMP = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2})?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def pub_status(raw: str | None) -> str:
    """``usable``, ``withheld`` or ``canceled`` from "stat:usable", "Usable", "canceled" ..."""
    if not raw:
        return "usable"
    key = raw.rsplit(":", 1)[-1].strip().lower()
    return _STATUSES.get(key, "usable")


def headline_take(headline: str) -> tuple[str, str | None]:
    """The headline without its take prefix, and the prefix ("REFILE-UPDATE 2") or None."""
    found = _HEADLINE_TAKE.match(headline)
    if not found:
        return headline, None
    take = found.group(1).strip().rstrip("-:").strip()
    rest = headline[found.end() :].strip()
    return (rest or headline), take


def is_correction(*texts: str | None) -> bool:
    return any(t and _CORRECTION.search(t) for t in texts)


def is_kill(*texts: str | None) -> bool:
    return any(t and _KILL.search(t) for t in texts)


MAX_NUMBER = 2**31 - 1  # the archive's INTEGER columns; Reuters versions run to ten digits


def number(raw: object) -> int | None:
    """An urgency, priority or version as an integer, or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 <= raw <= MAX_NUMBER else None
    if isinstance(raw, str):
        digits = raw.rsplit(":", 1)[-1].strip()
        return int(digits) if digits.isdigit() and len(digits) <= 10 and int(digits) <= MAX_NUMBER else None
    return None


def timestamp(raw: str | None) -> dt.datetime | None:
    """An agency timestamp (ISO 8601, basic "20190121T104233+0000" or naive) in UTC."""
    if not raw:
        return None
    found = _TIMESTAMP.match(raw.strip())
    if not found:
        return None
    year, month, day, hour, minute, second, zone = found.groups()
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        value -= sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value.replace(tzinfo=dt.timezone.utc)
