"""Datelines: recognise the opening ``PLACE, Region, Month D (Agency) —`` of a wire story, split it
into its parts and resolve the date it names, including the year it usually leaves out.

Styles handled (one regular expression each for the agency marker; the part before it is parsed
the same way for all):

- parenthesised agency and a separator: ``CHEBARKUL, Chelyabinsk region, September 27 (Itar-Tass) ——``,
  ``WASHINGTON (Reuters) -``, ``April 13 (Reuters) -``, ``ATLANTA (AP) _``,
  ``STOCKHOLM, Aug 29, 2014 (AFP) -``, ``SEOUL, Aug. 20 (Yonhap) --``
- TASS slashes: ``MOSCOW, February 7. /TASS/.``, ``IGORA /Leningrad Region/, December 26. /TASS/.``,
  ``MURMANSK. February 7. /TASS/.``, ``МОСКВА, 28 ноября. /ТАСС/.``
- a bare agency name: ``SAITAMA, Japan, Dec. 9 Kyodo -``
- EFE's ``.-`` and day-first dates in Spanish, Portuguese, French, Italian and German:
  ``Nueva Delhi, 21 ene (EFE).-``, ``Lisboa, 3 de março (Lusa) -``, ``Berlin, 21. Jan. (dpa) -``
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import Any

from wirewatch.model import Dateline

# Canonical agency names, keyed by the case-folded form as written.
AGENCIES: dict[str, str] = {
    "tass": "TASS",
    "itar-tass": "TASS",
    "itar tass": "TASS",
    "тасс": "TASS",
    "итар-тасс": "TASS",
    "reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "yonhap": "Yonhap",
    "xinhua": "Xinhua",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "dpa": "dpa",
    "upi": "UPI",
    "efe": "EFE",
    "lusa": "Lusa",
    "ansa": "ANSA",
    "bloomberg": "Bloomberg",
    "interfax": "Interfax",
    "интерфакс": "Interfax",
    "ria novosti": "RIA Novosti",
    "риа новости": "RIA Novosti",
    "sputnik": "Sputnik",
    "pti": "PTI",
    "ians": "IANS",
    "ani": "ANI",
    "anadolu": "Anadolu",
    "aa": "Anadolu",
    "ukrinform": "Ukrinform",
    "belta": "BelTA",
    "cna": "CNA",
    "kuna": "KUNA",
    "wam": "WAM",
    "irna": "IRNA",
    "kcna": "KCNA",
    "cnn": "CNN",
    "bbc": "BBC",
}

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name[1:], start=1):
    MONTHS[_name.lower()] = _number
    MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9
RUSSIAN_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("января", "январь"),
            ("февраля", "февраль"),
            ("марта", "март"),
            ("апреля", "апрель"),
            ("мая", "май"),
            ("июня", "июнь"),
            ("июля", "июль"),
            ("августа", "август"),
            ("сентября", "сентябрь"),
            ("октября", "октябрь"),
            ("ноября", "ноябрь"),
            ("декабря", "декабрь"),
        ),
        start=1,
    )
    for name in names
}

# Day-first month names and abbreviations of other languages ("21 ene", "3 de março", "21. Jan.").
# Where two languages share a spelling they agree on the month.
_OTHER_MONTH_NAMES = {  # language: full names, then abbreviations, January to December
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    " ene feb mar abr may jun jul ago sep oct nov dic",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro"
    " jan fev mar abr mai jun jul ago set out nov dez",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    " janv févr mars avr mai juin juil août sept oct nov déc",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
    " gen feb mar apr mag giu lug ago set ott nov dic",
    "de": "januar februar märz april mai juni juli august september oktober november dezember"
    " jan feb mär apr mai jun jul aug sep okt nov dez",
}
OTHER_MONTHS: dict[str, int] = {
    name: index % 12 + 1 for names in _OTHER_MONTH_NAMES.values() for index, name in enumerate(names.split())
}

# Months as a trie of literals ("Sep", "Sept", "September" share one branch): the regex engine
# tries a dozen branches at a position instead of two dozen.
_EN_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_RU_MONTH = "(?:" + "|".join(sorted(RUSSIAN_MONTHS, key=len, reverse=True)) + ")"
# Tried only after a day number and a space: English and Russian leads never reach it.
_OTHER_MONTH = "(?:" + "|".join(sorted(set(OTHER_MONTHS) - set(MONTHS), key=len, reverse=True)) + r")\.?"
# The date at the end of the part before the agency: "September 27", "Aug 29, 2014", "28 ноября",
# "27 September 2011". Matched from the start with a greedy ".*" so that the engine tries the
# date from the end backwards and stops at the first (last-starting) one: a search tried it at
# every position, most of them in the place and region.
_DATE = re.compile(
    r"(?:.*[\s,.])?"
    rf"(?P<date>(?P<mon1>{_EN_MONTH})\s+(?P<day1>\d{{1,2}})(?:,?\s+(?P<year1>\d{{4}}))?"
    rf"|(?P<day2>\d{{1,2}})\.?\s+(?:de\s+)?(?P<mon2>{_EN_MONTH}|{_RU_MONTH}|{_OTHER_MONTH})"
    r"(?:\s+(?:de\s+)?(?P<year2>\d{4})(?:\s*г\.?)?)?)"
    r"[\s.,]*$",
    re.IGNORECASE | re.DOTALL,
)

_SEPARATOR = r"(?P<sep>——|—|–|--|\.-|-|_|:)"  # ".-": EFE
_AGENCY_MARKERS = (
    # (Reuters) -   (Itar-Tass) ——
    re.compile(r"\((?P<agency>[^()\n]{2,40})\)\s*" + _SEPARATOR + r"(?=\s|$)"),
    # /TASS/.   /ТАСС/.
    re.compile(r"/(?P<agency>[^/\n]{2,20})/(?P<sep>\.|,|\s*—|\s*-)?(?=\s|$)"),
    # Kyodo -   (bare names only for agencies known to write them so)
    re.compile(r"\s(?P<agency>Kyodo|Xinhua|AFP|AP|Reuters)\s+" + _SEPARATOR + r"(?=\s|$)"),
)
# Text each marker needs in the head (one of them): a substring test skips a regex pass.
_MARKER_GATES = (("(",), ("/",), ("Kyodo", "Xinhua", "AFP", "AP", "Reuters"))
# A place is written in capitals: "CHEBARKUL", "ABOARD THE PAPAL FLIGHT", "МОСКВА", "ST. PETERSBURG".
_PLACE = re.compile(r"^[^\W\d_a-zа-яё][^\sa-zа-яё]*(?:[\s\-'’.&][^\sa-zа-яё]+)*$")
# dpa and some others write the place in title case ("Frankfurt/Main (dpa) -"); accepted only
# before a known agency, one to three capitalised words.
_TITLE_PLACE = re.compile(r"^[^\W\d_a-zа-яё][\w'’.\-]*(?:[\s/][^\W\d_a-zа-яё][\w'’.\-]*){0,2}$")
# Regions written inside the place: "IGORA /Leningrad Region/", "CARRIER (Severomorsk)".
_INLINE_REGION = re.compile(r"^(?P<place>.+?)\s*(?:/(?P<slash>[^/]+)/|\((?P<paren>[^()]+)\))$")
_MAX_DATELINE = 160

WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
_RU_WEEKDAYS = {
    "понедельник": 0,
    "вторник": 1,
    "среду": 2,
    "среда": 2,
    "четверг": 3,
    "пятницу": 4,
    "пятница": 4,
    "субботу": 5,
    "суббота": 5,
    "воскресенье": 6,
}
# Weekdays are capitalised in English and lower case after в/во in Russian. Two patterns that
# open with a literal let the regex engine skip ahead (a leading \b or lookbehind makes it try
# every position: three times slower on every lead); the word boundary before is checked by hand.
_EN_WEEKDAY = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_RU_WEEKDAY = re.compile(r"[Вв]о?\s+(понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b")


@lru_cache(maxsize=1024)  # a few agencies write nearly every dateline
def canonical_agency(raw: str) -> str:
    """The agency's canonical name ("Itar-Tass" -> "TASS"), or the name as written."""
    key = raw.strip().strip("/").strip().casefold()
    return AGENCIES.get(key, raw.strip().strip("/").strip())


def _caches() -> dict[str, Any]:
    return {"datelines": _dateline_parts, "date_texts": parse_date_text, "agencies": canonical_agency}


def clear_caches() -> None:
    """Forget the datelines, date texts and agency names seen so far (for measurements of
    parsing text whose datelines are all new)."""
    for cached in _caches().values():
        cached.cache_clear()


def cache_hits() -> dict[str, int]:
    """Per cache, how many lookups it answered since the last ``clear_caches``: "datelines"
    counts datelines parsed once and reused by a later paragraph that opens the same way."""
    return {name: cached.cache_info().hits for name, cached in _caches().items()}


def split_dateline(
    paragraph: str,
    *,
    published: dt.datetime | None = None,
    fetched: dt.datetime | None = None,
    context: str = "",
) -> tuple[Dateline | None, str]:
    """Split a leading dateline off ``paragraph``: ``(dateline, rest)``, or ``(None, paragraph)``.

    ``context`` is the rest of the document's text, searched for years when neither the dateline
    nor ``published`` gives the year but the paragraph names a weekday ("said on Tuesday").
    """
    head = paragraph[: _MAX_DATELINE + 8]
    for style, (marker, gates) in enumerate(zip(_AGENCY_MARKERS, _MARKER_GATES)):
        if not any(map(head.__contains__, gates)):
            continue
        for found in marker.finditer(head):
            end = found.end()
            if end > _MAX_DATELINE:
                break
            parts = _dateline_parts(head[: found.start()], found.group("agency"), found.group("sep"), style)
            if parts is None:
                continue
            rest = paragraph[end + 1 :] if paragraph[end : end + 1].isspace() else paragraph[end:]
            place, region, date_text, agency, agency_raw, separator = parts
            date, source = resolve_date(date_text, published=published, fetched=fetched, lead=rest, evidence=context)
            dateline = Dateline(paragraph[:end], place, region, date_text, date, source, agency, agency_raw, separator)
            return dateline, rest
    return None, paragraph


# An agency writes the same few datelines all day ("MOSCOW, November 28. /TASS/."): a real
# Reuters feed of 500 items has 205 distinct ones, 20 TASS items 7.
@lru_cache(maxsize=4096)
def _dateline_parts(
    before: str, agency: str, sep: str | None, style: int
) -> tuple[str | None, str | None, str | None, str, str, str | None] | None:
    """Parse the part before the agency marker (of ``_AGENCY_MARKERS[style]``, which found
    ``agency`` and ``sep``) into the dateline's place, region, date text, agency (canonical and
    as written) and separator, or None when that part does not look like a dateline (so "The (new)
    rule - ..." is not taken for one)."""
    agency_raw = agency.strip()
    # co-credited agencies ("tca/dpa", "AP/Reuters") count as known when one of them is
    known = agency_raw.casefold() in AGENCIES or any(part.strip() in AGENCIES for part in agency_raw.casefold().split("/")[1:])
    prefix = before.rstrip()
    date_text = None
    date_match = _DATE.match(prefix)
    if date_match:
        date_text = date_match.group("date")
        prefix = prefix[: date_match.start("date")]
    location = prefix.strip().rstrip(",.").strip()
    place = region = None
    if location:
        parts = [p.strip() for p in location.split(",")]
        if len(parts) == 1 and ". " in location:  # "MURMANSK. February 7."
            parts = [p.strip() for p in location.split(". ")]
        inline = _INLINE_REGION.match(parts[0]) if parts[0][-1:] in "/)" else None
        if inline:
            place = inline.group("place").strip()
            region = ", ".join(
                [inline.group("slash") or inline.group("paren")] + [p for p in parts[1:] if p]
            )
        else:
            place = parts[0]
            region = ", ".join(p for p in parts[1:] if p) or None
        if not (_PLACE.match(place) or (known and _TITLE_PLACE.match(place))):
            return None
        if region and (len(region) > 60 or any(map(str.isdigit, region))):
            return None
    elif not date_text:
        return None  # an agency alone is not a dateline
    if not known and ((not place and not date_text) or len(agency_raw.split()) > 3):
        return None  # an unknown agency needs a place or a date before it: "Jan 3 (OPTA) -"
    if style == 1 and not known:
        return None  # "/something/" is a dateline only for agencies that write it so
    separator = (sep or "").strip() or None
    return place, region, date_text, canonical_agency(agency_raw), agency_raw, separator


@lru_cache(maxsize=4096)  # the same few hundred date texts recur in every batch
def parse_date_text(date_text: str) -> tuple[int, int, int | None] | None:
    """``"Aug. 20"`` -> ``(8, 20, None)``; ``"28 ноября"`` -> ``(11, 28, None)``."""
    found = _DATE.match(date_text)
    if not found:
        return None
    month_word = (found.group("mon1") or found.group("mon2")).rstrip(".").lower()
    month = MONTHS.get(month_word) or RUSSIAN_MONTHS.get(month_word) or OTHER_MONTHS.get(month_word)
    day = int(found.group("day1") or found.group("day2"))
    year_text = found.group("year1") or found.group("year2")
    if month is None or not 1 <= day <= 31:
        return None
    return month, day, int(year_text) if year_text else None


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February in a common year, 31 April
        return None


def resolve_date(
    date_text: str | None,
    *,
    published: dt.datetime | None = None,
    fetched: dt.datetime | None = None,
    lead: str = "",
    evidence: str = "",
) -> tuple[dt.date | None, str | None]:
    """The calendar date a dateline names and the evidence used for its year, in order of trust:
    ``dateline`` (it has a year), ``published`` (the latest such date not over a day after the
    item's timestamp),
    ``weekday`` (a weekday named in the ``lead``, in a year the ``evidence`` text mentions), ``fetched``
    (the latest such date not after the fetch). ``(None, None)`` when nothing decides."""
    if not date_text:
        return None, None
    parts = parse_date_text(date_text)
    if parts is None:
        return None, None
    month, day, year = parts
    if year is not None:
        return _date_or_none(year, month, day), "dateline"
    if published is not None:
        anchor = published.date()
        # never more than a day after publication (time zones): "December 26" in an item
        # published on December 7 is last year's, not one 19 days ahead
        limit = anchor + dt.timedelta(days=1)
        candidates = [
            d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _date_or_none(y, month, day)) and d <= limit
        ]
        if candidates:
            return max(candidates), "published"
    weekday_date = _date_from_weekday(month, day, lead, evidence, fetched)
    if weekday_date is not None:
        return weekday_date, "weekday"
    if fetched is not None:
        limit = fetched.date() + dt.timedelta(days=1)  # time zones: the wire may be a day ahead
        for y in (limit.year, limit.year - 1, limit.year - 2, limit.year - 3, limit.year - 4):
            d = _date_or_none(y, month, day)
            if d is not None and d <= limit:
                return d, "fetched"
    return None, None


def years_mentioned(text: str) -> set[int]:
    """Four-digit years from 1950 to 2099 in the text, not parts of longer numbers."""
    # Single-character finds skip ahead at memchr speed; a two-character needle ("19", "20")
    # or a regex costs several times more on a long text (most of all on non-Latin-1 text).
    years = set()
    find = text.find
    for first, second in (("1", "9"), ("2", "0")):
        at = find(first)
        while at != -1:
            if text[at + 1 : at + 2] == second:
                digits = text[at : at + 4]
                if (
                    len(digits) == 4
                    and digits.isdigit()
                    and not (at and text[at - 1].isdigit())
                    and not text[at + 4 : at + 5].isdigit()
                    and 1950 <= int(digits) <= 2099
                ):
                    years.add(int(digits))
            at = find(first, at + 1)
    return years


def weekday_named(text: str) -> int | None:
    """The first weekday ``text`` names as a word (0 is Monday), in English or Russian."""
    first: tuple[int, int] | None = None
    # Gates: "day" ends every English name, and a Russian one follows "в" or "во".
    for pattern, gate, names in ((_EN_WEEKDAY, "day", None), (_RU_WEEKDAY, "в", _RU_WEEKDAYS)):
        if gate not in text and (names is None or "В" not in text):
            continue
        for found in pattern.finditer(text):
            at = found.start()
            if at and (text[at - 1].isalnum() or text[at - 1] == "_"):
                continue  # inside a word
            day = WEEKDAYS[found.group().lower()] if names is None else names[found.group(1)]
            if first is None or at < first[0]:
                first = (at, day)
            break
    return first[1] if first else None


_NO_FETCH_LIMIT = dt.date(2100, 12, 31)


def _date_from_weekday(month: int, day: int, lead: str, text: str, fetched: dt.datetime | None) -> dt.date | None:
    weekday = weekday_named(lead)
    if weekday is None:
        return None
    limit = fetched.date() + dt.timedelta(days=1) if fetched else _NO_FETCH_LIMIT
    fitting = [date for year in years_mentioned(text) if (date := _weekday_date(year, month, day, weekday, limit))]
    if fitting:
        return max(fitting)
    if fetched is None:
        return None  # a weekday alone fits every few years: not evidence enough
    for year in range(limit.year, 1949, -1):
        if date := _weekday_date(year, month, day, weekday, limit):
            return date
    return None


def _weekday_date(year: int, month: int, day: int, weekday: int, limit: dt.date) -> dt.date | None:
    """The date in ``year`` if it falls on ``weekday`` and not after ``limit``."""
    date = _date_or_none(year, month, day)
    return date if date is not None and date.weekday() == weekday and date <= limit else None
