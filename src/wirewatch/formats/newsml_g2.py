"""NewsML-G2 (Reuters, dpa, AFP, ANSA ...): a ``newsMessage`` whose ``itemSet`` holds
``newsItem``s (``packageItem``s are not articles), or a bare ``newsItem``."""

from __future__ import annotations

from lxml import etree

from wirewatch.formats import editorial
from wirewatch.formats.markup import attr, child, children, descendants, html_paragraphs, lang_of, local, paragraphs, parse_xml, text_of, without_byline
from wirewatch.formats.record import FormatError, ParsedItem, each
from wirewatch.model import WireMeta

_CORRECTION_SIGNALS = {"sig:correction", "edstat:c", "sig:update-correction"}
_KILL_SIGNALS = {"edstat:d", "sig:kill", "sig:withdrawn"}


def read(data: bytes) -> list[ParsedItem | FormatError]:
    root = parse_xml(data)
    priority = editorial.number(text_of(next(descendants(child(root, "header"), "priority"), None)))
    items = [root] if local(root) == "newsItem" else list(descendants(root, "newsItem"))
    texts = [item for item in items if _is_text(item)]
    if not texts:
        raise FormatError("NewsML-G2 document without a text news item")
    return each(texts, lambda item: _item(item, priority))


def _is_text(item: etree._Element) -> bool:
    item_class = attr(next(descendants(child(item, "itemMeta"), "itemClass"), None), "qcode") or "ninat:text"
    return item_class.rsplit(":", 1)[-1].lower() in ("text", "composite")


def _item(item: etree._Element, priority: int | None) -> ParsedItem:
    meta, content = child(item, "itemMeta"), child(item, "contentMeta")
    guid = attr(item, "guid")
    headline = text_of(child(content, "headline")) or text_of(child(meta, "title"))
    if not headline:
        raise FormatError(f"NewsML-G2 item {guid or ''} without a headline".replace("  ", " "))
    headline, take = editorial.headline_take(headline)
    signals = tuple(attr(s, "qcode") or attr(s, "literal") or "" for s in children(meta, "signal"))
    lowered = {s.lower() for s in signals}
    status = editorial.pub_status(attr(child(meta, "pubStatus"), "qcode"))
    byline = text_of(child(content, "by"))
    ednote = text_of(child(meta, "edNote"))
    found = without_byline(_body(item), byline)
    dateline = text_of(child(content, "dateline"))
    if dateline and not dateline[0].isdigit() and found and not found[0].startswith(dateline.split("(")[0].strip()):
        found[0] = f"{dateline} {found[0]}"
    wire = WireMeta(
        format="newsml-g2",
        version=editorial.number(attr(item, "version")),
        pub_status=status,
        urgency=editorial.number(text_of(child(content, "urgency"))),
        priority=priority,
        slugline=text_of(child(content, "slugline")),
        byline=byline,
        take_key=take,
        signals=signals,
        subjects=tuple(_subjects(content)),
        ednote=ednote,
        correction=bool(lowered & _CORRECTION_SIGNALS) or editorial.is_correction(take),
        kill=status == "canceled" or bool(lowered & _KILL_SIGNALS) or editorial.is_kill(take),
    )
    language = attr(child(content, "language"), "tag") or lang_of(item)
    return ParsedItem(
        headline=headline,
        paragraphs=tuple(found),
        meta=wire,
        guid=guid,
        subtitle=text_of(child(content, "subheadline")),
        lang=language,
        published_at=editorial.timestamp(text_of(child(meta, "firstCreated")) or text_of(child(meta, "versionCreated"))),
    )


def _body(item: etree._Element) -> list[str]:
    """Paragraphs of the first text content: ``inlineXML`` (XHTML or NITF) or ``inlineData``
    (plain text or escaped HTML)."""
    for content in children(child(item, "contentSet"), "inlineXML"):
        body = next(descendants(content, "body.content"), None) or next(descendants(content, "body"), None)
        found = paragraphs(body if body is not None else content)
        if found:
            return found
    for content in children(child(item, "contentSet"), "inlineData"):
        found = html_paragraphs(content.text or "")
        if found:
            return found
    return []


def _subjects(content: etree._Element | None) -> list[str]:
    found = []
    for subject in children(content, "subject"):
        code = attr(subject, "qcode") or attr(subject, "literal")
        name = text_of(child(subject, "name"))
        found.append(f"{code} {name}" if code and name else code or name or "")
    return [f for f in found if f]
