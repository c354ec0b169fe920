"""NITF 3.x (AP, EFE, PA; also the body of many NewsML items): ``<head>`` (``title``,
``docdata`` with ``doc-id``, ``urgency``, ``date.issue``, ``du-key``, ``ed-msg``), ``<body.head>``
(``hedline`` hl1/hl2, ``byline``, ``dateline`` with its ``location``, ``abstract``),
``<body.content>`` blocks and ``<body.end>`` (``tagline``, not text)."""

from __future__ import annotations

from lxml import etree

from wirewatch.sources.formats import editorial
from wirewatch.sources.formats.markup import attr, clean, child, children, descendants, first, lang_of, paragraphs, parse_xml, text_of, without_byline
from wirewatch.sources.formats.record import FormatError, ParsedItem
from wirewatch.model import WireMeta


def read(data: bytes) -> list[ParsedItem]:
    return [item_of(parse_xml(data))]


def body_paragraphs(nitf: etree._Element) -> list[str]:
    """The paragraphs of ``<body.content>`` (its blocks, when it has any)."""
    content = first(child(nitf, "body"), "body.content")
    return [p for block in descendants(content, "block") for p in paragraphs(block)] or paragraphs(content)


def item_of(nitf: etree._Element, *, defaults: dict | None = None) -> ParsedItem:
    """One NITF document as an item; ``defaults`` (from an enclosing NewsML 1.2 item) fill
    what the NITF leaves out."""
    given = defaults or {}
    head, body = child(nitf, "head"), child(nitf, "body")
    docdata = first(head, "docdata")
    body_head = first(body, "body.head")
    hedline = first(body_head, "hedline")
    headline = text_of(child(hedline, "hl1")) or text_of(first(head, "title")) or given.get("headline")
    subtitle = text_of(child(hedline, "hl2"))
    abstract = paragraphs(first(body_head, "abstract"))
    byline = byline_of(first(body_head, "byline")) or given.get("byline")
    found = without_byline(body_paragraphs(nitf), byline) or abstract
    if not headline and not found:
        raise FormatError("NITF item without a headline (hl1 or title)")
    dateline_element = first(body_head, "dateline")
    dateline = _dateline(dateline_element) or given.get("dateline")
    place = text_of(first(dateline_element, "city")) or text_of(first(dateline_element, "location")) or given.get("place")
    ednote = attr(first(docdata, "ed-msg"), "info") or given.get("ednote")
    headline, take = editorial.headline_take(headline or "")
    status = attr(docdata, "management-status") or given.get("pub_status")
    correction = first(docdata, "correction")
    meta = WireMeta(
        format=given.get("format", "nitf"),
        version=editorial.number(attr(first(docdata, "du-key"), "version")) or given.get("version"),
        pub_status=editorial.pub_status(status),
        urgency=editorial.number(attr(first(head, "urgency"), "ed-urg")) or given.get("urgency"),  # in docdata, or (CP) in head
        priority=given.get("priority"),
        slugline=attr(first(docdata, "du-key"), "key") or given.get("slugline"),
        byline=byline,
        take_key=take or given.get("take_key"),
        signals=given.get("signals", ()),
        subjects=tuple(_subjects(docdata)) or given.get("subjects", ()),
        ednote=ednote,
        correction=correction is not None or editorial.is_correction(take, ednote) or given.get("correction", False),
        kill=editorial.pub_status(status) == "canceled" or editorial.is_kill(take, ednote) or given.get("kill", False),
    )
    if not subtitle and abstract and found is not abstract:
        subtitle = " ".join(abstract)
    return ParsedItem(
        headline=headline,
        paragraphs=tuple(found),
        meta=meta,
        guid=given.get("guid") or attr(first(docdata, "doc-id"), "id-string"),  # the envelope's id names the item
        subtitle=subtitle if subtitle and subtitle != headline else None,
        section=given.get("section"),
        lang=lang_of(nitf) or attr(nitf, "baselang") or lang_of(head) or lang_of(body) or given.get("lang"),
        published_at=editorial.timestamp(attr(first(docdata, "date.issue"), "norm")) or given.get("published_at"),
        dateline=dateline,
        place=place,
        kind=given.get("kind", "text"),
    )


def _dateline(element: etree._Element | None) -> str | None:
    """The dateline's text without its ``story.date`` ("NEW YORK" of "NEW YORK, Feb. 2")."""
    if element is None:
        return None
    location = first(element, "location")
    text = text_of(location) if location is not None else clean((element.text or "").strip().rstrip(",") or "")
    return text or None


def _subjects(docdata: etree._Element | None) -> list[str]:
    found = []
    for element in descendants(docdata, "tobject.subject"):
        code, name = attr(element, "tobject.subject.refnum"), attr(element, "tobject.subject.type")
        found.append(" ".join(p for p in (code, name) if p))
    for keyword in children(first(docdata, "key-list"), "keyword"):
        if attr(keyword, "key"):
            found.append(attr(keyword, "key") or "")
    return [f for f in found if f]


def byline_of(element: etree._Element | None) -> str | None:
    """"By BERNARD CONDON, AP Business Writer": the title (``<byttl>``) set off by a comma."""
    if element is None:
        return None
    parts = [clean(element.text or "")] + [clean(" ".join(sub.itertext())) + " " + clean(sub.tail or "") for sub in element]
    return ", ".join(p.strip() for p in parts if p.strip()) or None
