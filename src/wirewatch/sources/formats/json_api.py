"""The agencies' JSON APIs: AP Media API items (``data.item`` with ``altids``, ``headline``,
``pubstatus``) and Reuters Connect items (``versionedGuid``, ``headLine``, ``bodyXhtml``)."""

from __future__ import annotations

import json
from typing import Any

from wirewatch.sources.formats import editorial
from wirewatch.sources.formats.detect import json_items
from wirewatch.sources.formats.markup import clean, html_paragraphs
from wirewatch.sources.formats.newsml_g2 import KINDS
from wirewatch.sources.formats.record import FormatError, ParsedItem, each
from wirewatch.model import WireMeta


def read(data: bytes) -> list[ParsedItem | FormatError]:
    try:
        document = json.loads(data)
    except ValueError as error:
        raise FormatError(f"not JSON: {error}") from None
    return each(json_items(document), lambda item: _item({k.lower(): v for k, v in item.items()}))


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("value") or value.get("text")
    return clean(value) or None if isinstance(value, str) else None


def _names(values: Any, *keys: str) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    found = []
    for value in values:
        if isinstance(value, dict):
            found.append(" ".join(str(value[k]) for k in keys if value.get(k)))
        elif isinstance(value, str):
            found.append(value)
    return tuple(f for f in found if f)


def _item(item: dict[str, Any]) -> ParsedItem:
    reuters = "versionedguid" in item or "bodyxhtml" in item
    altids = item.get("altids") if isinstance(item.get("altids"), dict) else {}
    guid = _text(altids.get("itemid")) or _text(item.get("guid")) or _text(item.get("uri")) or _text(item.get("itemid"))
    version = editorial.number(item.get("version"))
    versioned = _text(item.get("versionedguid"))
    if versioned and ":" in versioned:
        base, _, number = versioned.rpartition(":")
        guid, version = guid or base, version if version is not None else editorial.number(number)
    headline = _text(item.get("headline")) or _text(item.get("headline_extended"))
    if not headline:
        raise FormatError(f"JSON item {guid or ''} without a headline".replace("  ", " "))
    headline, take = editorial.headline_take(headline)
    bylines = item.get("bylines")
    byline = _text(item.get("byline")) or (", ".join(_names(bylines, "by")) if isinstance(bylines, list) else None) or None
    body = item.get("bodyxhtml") or item.get("body_html") or item.get("body") or item.get("main") or ""
    found = html_paragraphs(body) if isinstance(body, str) else []
    kind = KINDS.get((_text(item.get("type")) or "text").lower(), "text")  # AP: text, picture, video, audio, graphic
    described = _text(item.get("description_caption")) if kind != "text" else None
    described = described or _text(item.get("description_summary"))
    if not found and described:
        found = [described]  # a picture's caption, a text's summary
    dateline = _text(item.get("dateline"))
    if dateline and found and not found[0].startswith(dateline.split("(")[0].strip()):
        found[0] = f"{dateline} {found[0]}"
    ednote = _text(item.get("ednote"))
    signals = _names(item.get("signals"), "name") if isinstance(item.get("signals"), list) else ()
    status = editorial.pub_status(_text(item.get("pubstatus")) or _text(item.get("pubStatus".lower())))
    meta = WireMeta(
        format="json-reuters" if reuters else "json-ap",
        version=version,
        pub_status=status,
        urgency=editorial.number(item.get("urgency")),
        priority=editorial.number(item.get("priority")) or editorial.number(item.get("editorialpriority")),
        slugline=_text(item.get("slug")) or _text(item.get("slugline")),
        byline=byline,
        take_key=take,
        signals=signals,
        subjects=_names(item.get("subject") or item.get("subjects"), "code", "name"),
        ednote=ednote,
        correction="correction" in {s.lower() for s in signals} or editorial.is_correction(take, ednote),
        kill=status == "canceled" or "withdrawn" in {s.lower() for s in signals} or editorial.is_kill(take, ednote),
    )
    return ParsedItem(
        headline=headline,
        paragraphs=tuple(found),
        meta=meta,
        guid=guid,
        subtitle=_text(item.get("headline_extended")) if _text(item.get("headline")) else None,
        lang=_text(item.get("language")),
        published_at=editorial.timestamp(_text(item.get("firstcreated")) or _text(item.get("versioncreated"))),
        kind=kind,
    )
