"""IPTC NewsML-G2 (Reuters, dpa, AFP, ANSA, STT ...): a ``newsMessage`` whose ``itemSet`` holds
``newsItem``s and ``packageItem``s, or a bare ``newsItem`` or ``packageItem``.

Every news item is read, whatever its class (``itemClass``: ninat:text, picture, graphic, audio,
video; Reuters' icls:): a non-text item's body is its caption (``description``). A package is
read as its items: those in the same message, else the ``itemRef``s it lists with their title
and description. Of the renditions in ``contentSet`` the text is taken from XHTML first, then
plain text, then NITF, then any other inline content; ``remoteContent`` holds no text. Where the
item leaves a field out it stays None, except ``pubStatus``, which the standard defaults to
usable."""

from __future__ import annotations

import re

from lxml import etree

from wirewatch.sources.formats import editorial, nitf
from wirewatch.sources.formats.markup import attr, child, children, descendants, first, html_paragraphs, lang_of, local, paragraphs, parse_xml, text_of, without_byline
from wirewatch.sources.formats.record import FormatError, ParsedItem, each
from wirewatch.model import WireMeta

_CORRECTION_SIGNALS = {"sig:correction", "edstat:c", "sig:update-correction"}
_KILL_SIGNALS = {"edstat:d", "sig:kill", "sig:withdrawn"}
KINDS = {"text": "text", "composite": "text", "picture": "picture", "photo": "picture", "image": "picture",
         "graphic": "graphic", "video": "video", "animation": "video", "audio": "audio"}  # fmt: skip
# a dateline field that is only a time stamp ("2018-01-03 20:13:08 GMT+00:00") names no place
_TIMESTAMP_ONLY = re.compile(r"^[\d\s:./T+-]*(?:GMT|UTC|Z)?[\d\s:.+-]*$", re.I)


def read(data: bytes) -> list[ParsedItem | FormatError]:
    root = parse_xml(data)
    header = next((c for c in root if local(c).lower() == "header"), None)
    priority = editorial.number(text_of(first(header, "priority")))
    root_lang = lang_of(root)
    if local(root) == "newsItem":
        news, packages = [root], []
    elif local(root) == "packageItem":
        news, packages = [], [root]
    else:
        news, packages = list(descendants(root, "newsItem")), list(descendants(root, "packageItem"))
    guids = {attr(item, "guid") for item in news}
    refs = [ref for package in packages for ref in descendants(package, "itemRef")
            if attr(ref, "residref") not in guids and (child(ref, "title") is not None or child(ref, "description") is not None)]  # fmt: skip
    if not news and not refs:
        raise FormatError("NewsML-G2 document without a news item")
    found = each(news, lambda item: _item(item, priority, root_lang))
    return found + each(refs, lambda ref: _referenced(ref, priority, root_lang))


def kind_of(item_class: str | None) -> str:
    """"ninat:picture" -> "picture"; an item without a class is text (as most feeds send)."""
    name = (item_class or "ninat:text").rsplit(":", 1)[-1].lower()
    return KINDS.get(name, "text")


def _item(item: etree._Element, priority: int | None, root_lang: str | None) -> ParsedItem:
    meta, content = child(item, "itemMeta"), child(item, "contentMeta")
    kind = kind_of(attr(child(meta, "itemClass"), "qcode"))
    guid = attr(item, "guid")
    body, embedded = _body(item)
    caption = _description(content, kind)
    headline = _headline(content) or text_of(child(meta, "title"))
    if embedded is not None and not headline:
        headline = text_of(first(embedded, "hl1")) or text_of(first(embedded, "title"))
    byline = text_of(child(content, "by")) or (nitf.byline_of(first(embedded, "byline")) if embedded is not None else None)
    found = without_byline(body, byline)
    if not found and caption:
        found = html_paragraphs(caption) or [caption]
    if not headline and kind != "text":
        headline = text_of(child(content, "slugline")) or (found[0] if found else None)
    if not headline and not found:
        raise FormatError(f"NewsML-G2 item {guid or ''} without a headline".replace("  ", " "))
    headline, take = editorial.headline_take(headline or "")  # a text without one keeps an empty headline
    signals = tuple(attr(s, "qcode") or attr(s, "literal") or "" for s in children(meta, "signal"))
    lowered = {s.lower() for s in signals}
    status = editorial.pub_status(attr(child(meta, "pubStatus"), "qcode"))
    ednote = text_of(child(meta, "edNote")) or text_of(child(meta, "ednote"))
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
    language = attr(child(content, "language"), "tag") or lang_of(item) or root_lang
    return ParsedItem(
        headline=headline,
        paragraphs=tuple(found),
        meta=wire,
        guid=guid,
        subtitle=text_of(child(content, "subheadline")) or _headline(content, ("subheadline", "sub", "hl2"))
        or (caption if kind == "text" and body else None),  # a text's summary is its standfirst
        lang=language,
        published_at=editorial.timestamp(text_of(child(meta, "firstCreated")) or text_of(child(meta, "versionCreated"))
                                         or text_of(child(content, "contentCreated"))),  # fmt: skip
        dateline=_dateline(content),
        place=_located(content),
        kind=kind,
    )


def _referenced(ref: etree._Element, priority: int | None, root_lang: str | None) -> ParsedItem:
    """An item a package lists but does not carry: its title, and its description as the body."""
    kind = kind_of(attr(child(ref, "itemClass"), "qcode"))
    description = text_of(child(ref, "description"))
    headline = text_of(child(ref, "title")) or description
    if not headline:
        raise FormatError(f"NewsML-G2 package item {attr(ref, 'residref') or ''} without a title".replace("  ", " "))
    headline, take = editorial.headline_take(headline)
    status = editorial.pub_status(attr(child(ref, "pubStatus"), "qcode"))
    wire = WireMeta(format="newsml-g2", version=editorial.number(attr(ref, "version")), pub_status=status,
                    priority=priority, take_key=take, kill=status == "canceled")  # fmt: skip
    return ParsedItem(headline=headline, paragraphs=(description,) if description else (), meta=wire,
                      guid=attr(ref, "residref"), lang=lang_of(ref) or root_lang, kind=kind)  # fmt: skip


def _headline(content: etree._Element | None, roles: tuple[str, ...] = ("main", "headline", "hl1")) -> str | None:
    """The main headline (one without a role or with a main role, else the first that has no
    sub-headline role), or with ``roles`` the sub-headline ("hld:subHeadline")."""
    headlines = children(content, "headline")
    role = lambda h: (attr(h, "role") or "main").rsplit(":", 1)[-1].lower()  # noqa: E731
    if roles[0] != "main":
        return next((t for t in (text_of(h) for h in headlines if role(h) in roles) if t), None)
    main = [h for h in headlines if role(h) in roles] + [h for h in headlines if not role(h).startswith(("sub", "hl2"))]
    return next((t for t in (text_of(h) for h in main) if t), None)


def _description(content: etree._Element | None, kind: str) -> str | None:
    """The caption of a picture, graphic, audio or video, the summary of a text."""
    described = {(attr(d, "role") or "").rsplit(":", 1)[-1].lower(): text_of(d) for d in children(content, "description")}
    order = ("caption", "summary", "") if kind != "text" else ("summary", "abstract", "")
    return next((described[r] for r in order if described.get(r)), None)


def _located(content: etree._Element | None) -> str | None:
    """The place the item was created: ``located``'s name (or literal)."""
    for located in children(content, "located"):
        name = text_of(child(located, "name")) or attr(located, "literal")
        if name:
            return name
    return None


def _dateline(content: etree._Element | None) -> str | None:
    text = text_of(child(content, "dateline"))
    return text if text and not _TIMESTAMP_ONLY.match(text) else None


def _rank(content: etree._Element) -> int:
    kind = (attr(content, "contenttype") or "").lower()
    if "html" in kind:
        return 0
    if kind.startswith("text/plain"):
        return 1
    if "nitf" in kind:
        return 2
    return 3


def _body(item: etree._Element) -> tuple[list[str], etree._Element | None]:
    """The paragraphs of the best text rendition, and the NITF document it came from (if so)."""
    renditions = [c for c in child(item, "contentSet") if local(c) in ("inlineXML", "inlineData")] if child(item, "contentSet") is not None else []
    for content in sorted(renditions, key=_rank):
        embedded = first(content, "nitf")
        if local(content) == "inlineData":
            found = html_paragraphs(content.text or "")
        elif embedded is not None:
            found = nitf.body_paragraphs(embedded)
        else:
            body = first(content, "body.content") if first(content, "body.content") is not None else first(content, "body")
            found = paragraphs(body if body is not None else content)
        if found:
            return found, embedded
    return [], next((first(c, "nitf") for c in renditions if first(c, "nitf") is not None), None)


def _subjects(content: etree._Element | None) -> list[str]:
    found = []
    for subject in children(content, "subject"):
        code = attr(subject, "qcode") or attr(subject, "literal")
        name = text_of(child(subject, "name"))
        found.append(f"{code} {name}" if code and name else code or name or "")
    return [f for f in found if f]
