"""NewsML 1.2 (TASS, AFP, EFE): a ``NewsML`` envelope of ``NewsItem``s, each with its
identification, management (status, urgency), news lines and content items that hold NITF,
XHTML or plain text."""

from __future__ import annotations

from lxml import etree

from wirewatch.formats import editorial, nitf
from wirewatch.formats.markup import attr, child, descendants, first, lang_of, paragraphs, parse_xml, text_of, without_byline
from wirewatch.formats.record import FormatError, ParsedItem, each
from wirewatch.model import WireMeta

_TEXT_TYPES = ("text/", "application/xhtml", "application/xml")


def read(data: bytes) -> list[ParsedItem | FormatError]:
    root = parse_xml(data)
    priority = editorial.number(attr(first(child(root, "NewsEnvelope"), "Priority"), "FormalName"))
    items = [item for item in descendants(root, "NewsItem") if _is_news(item)]
    if not items:
        raise FormatError("NewsML 1.2 document without a news item")
    return each(items, lambda item: _item(item, priority))


def _is_news(item: etree._Element) -> bool:
    kind = attr(first(item, "NewsItemType"), "FormalName")
    return kind is None or kind.lower() in ("news", "alert")


def _formal(element: etree._Element | None) -> str | None:
    return attr(element, "FormalName") or text_of(element)


def _item(item: etree._Element, priority: int | None) -> ParsedItem:
    identifier = first(item, "NewsIdentifier")
    public = text_of(child(identifier, "PublicIdentifier"))
    revision = first(identifier, "RevisionId")
    version = editorial.number(text_of(revision)) or 1
    guid = public.rsplit(":", 1)[0] if public and public.endswith(f":{version}") else public
    guid = guid or text_of(first(item, "guid")) or text_of(child(identifier, "NewsItemId")) or attr(first(item, "NewsComponent"), "Duid")
    management = first(item, "NewsManagement")
    headline = text_of(first(item, "HeadLine"))
    slugline = text_of(first(item, "SlugLine"))
    byline = text_of(first(item, "ByLine"))
    dateline = text_of(first(item, "DateLine"))
    status = _formal(first(management, "Status"))
    ednote = text_of(first(item, "Instruction")) or attr(first(item, "Instruction"), "FormalName")
    lang = lang_of(item) or attr(first(item, "Language"), "FormalName") or next(
        (lang_of(c) for c in descendants(item, "NewsComponent") if lang_of(c)), None
    )
    defaults = {
        "format": "newsml-1.2", "guid": guid, "version": version, "pub_status": status,
        "urgency": editorial.number(_formal(first(management, "Urgency"))), "priority": priority,
        "slugline": slugline, "byline": byline, "ednote": ednote, "lang": lang, "headline": headline,
        "dateline": dateline if dateline and any(c.isalpha() for c in dateline) and ("(" in dateline or "/" in dateline) else None,
        "subjects": tuple(_subjects(item)),
        "published_at": editorial.timestamp(text_of(first(management, "FirstCreated")) or text_of(first(management, "ThisRevisionCreated"))),
        "correction": editorial.is_correction(editorial.headline_take(headline or "")[1], ednote),
    }  # fmt: skip
    embedded = first(item, "nitf")
    if embedded is not None:
        return nitf.item_of(embedded, defaults=defaults)
    if not headline:
        raise FormatError(f"NewsML 1.2 item {guid or ''} without a headline".replace("  ", " "))
    found = without_byline(_body(item), byline)
    if defaults["dateline"] and found and not found[0].startswith(defaults["dateline"].split(",")[0]):
        found[0] = f"{defaults['dateline']} {found[0]}"
    headline, take = editorial.headline_take(headline)
    meta = WireMeta(
        format="newsml-1.2", version=version, pub_status=editorial.pub_status(status), urgency=defaults["urgency"],
        priority=priority, slugline=slugline, byline=byline, take_key=take, subjects=defaults["subjects"], ednote=ednote,
        correction=defaults["correction"] or editorial.is_correction(take),
        kill=editorial.pub_status(status) == "canceled" or editorial.is_kill(take, ednote),
    )  # fmt: skip
    subtitle = text_of(first(item, "SubHeadLine"))
    return ParsedItem(headline, tuple(found), meta, guid=guid, subtitle=subtitle, lang=lang, published_at=defaults["published_at"])


def _body(item: etree._Element) -> list[str]:
    """The paragraphs of the item's text content items (the first that has any)."""
    for content in descendants(item, "ContentItem"):
        mime = (attr(first(content, "MimeType"), "FormalName") or "text/plain").lower()
        data = child(content, "DataContent")
        if data is not None and mime.startswith(_TEXT_TYPES):
            found = paragraphs(data)
            if found:
                return found
    return []


def _subjects(item: etree._Element) -> list[str]:
    found = []
    for code in descendants(item, "SubjectCode"):
        for subject in code:
            value = attr(subject, "FormalName")
            if value:
                found.append(value)
    return found
