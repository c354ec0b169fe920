"""IPTC NewsML 1.2 (AFP, Belga, EFE, TASS, NTB, Kyodo ...): a ``NewsML`` document with a
``NewsEnvelope`` and ``NewsItem``s. Each item has ``Identification`` (``NewsIdentifier``:
``PublicIdentifier``, ``RevisionId``), ``NewsManagement`` (``Status``, ``Urgency``,
``FirstCreated``) and a tree of ``NewsComponent``s, each with an optional ``Role``
(``FormalName`` Main, Original, Title, Lead, Body, Caption, Picture, Audio, Video ...),
``NewsLines`` (``HeadLine``, ``SubHeadLine``, ``ByLine``, ``DateLine``),
``DescriptiveMetadata`` (``Language``, ``Location``, ``SubjectCode``), a ``TopicSet``, and
``ContentItem``s whose ``MediaType`` / ``MimeType`` / ``Format`` say what they are and whose
text is in ``DataContent`` (plain text, XHTML or NITF) or, for a remote item, only referenced
(``Href``).

The text of an item is that of its text content items outside any picture, graphic, audio or
video component (a Lead before the Body, a Title left out); an item with none is a non-text item
whose body is its caption (a Caption component, else the text inside its media component)."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from wirewatch.sources.formats import editorial, nitf
from wirewatch.sources.formats.markup import attr, child, children, descendants, first, lang_of, local, paragraphs, parse_xml, text_of, without_byline
from wirewatch.sources.formats.record import FormatError, ParsedItem, each
from wirewatch.model import WireMeta

MEDIA_KINDS = {"photo": "picture", "picture": "picture", "image": "picture", "graphic": "graphic", "graphics": "graphic",
               "audio": "audio", "sound": "audio", "video": "video", "movie": "video"}  # fmt: skip
_FORMAT_KINDS = {"jpeg": "picture", "jpg": "picture", "png": "picture", "gif": "picture", "tiff": "picture", "mp3": "audio",
                 "wav": "audio", "aac": "audio", "mp4": "video", "mpeg": "video", "mov": "video", "flv": "video"}  # fmt: skip
_NOT_BODY = {"title", "headline", "caption", "keywords"}
_LEAD = {"lead", "abstract", "summary", "intro"}


def read(data: bytes) -> list[ParsedItem | FormatError]:
    root = parse_xml(data)
    priority = editorial.number(attr(first(child(root, "NewsEnvelope"), "Priority"), "FormalName"))
    items = [item for item in descendants(root, "NewsItem") if not any(local(a) == "NewsItem" for a in item.iterancestors())]
    if not items:
        raise FormatError("NewsML 1.2 document without a news item")
    return each(items, lambda item: _item(item, priority))


def _formal(element: etree._Element | None) -> str | None:
    return attr(element, "FormalName") or text_of(element)


def _content_kind(content: etree._Element) -> str | None:
    """text, picture, graphic, audio, video, or None when the content item does not say."""
    media = (_formal(child(content, "MediaType")) or "").lower()
    if media:
        return "text" if media == "text" else MEDIA_KINDS.get(media)
    mime = (_formal(child(content, "MimeType")) or "").lower()
    if mime:
        major = mime.split("/", 1)[0]
        return "text" if major in ("text", "application") else MEDIA_KINDS.get("picture" if major == "image" else major)
    form = (_formal(child(content, "Format")) or "").lower()
    if form in _FORMAT_KINDS:
        return _FORMAT_KINDS[form]
    return "text" if child(content, "DataContent") is not None else None


def _contents(component: etree._Element | None, roles: tuple[str, ...] = ()) -> Iterator[tuple[etree._Element, tuple[str, ...]]]:
    """Every ContentItem under ``component`` with the roles of the components around it. Of
    components in several languages (the same text translated) only the first language's."""
    if component is None:
        return
    role = (attr(child(component, "Role"), "FormalName") or "").lower()
    here = roles + ((role,) if role else ())
    first_lang = None
    for sub in component:
        name = local(sub)
        if name == "ContentItem":
            yield sub, here
        elif name == "NewsComponent":
            lang = lang_of(sub)
            first_lang = first_lang or lang
            if not lang or lang == first_lang:
                yield from _contents(sub, here)


def _item(item: etree._Element, priority: int | None) -> ParsedItem:
    identifier = first(item, "NewsIdentifier")
    public = text_of(child(identifier, "PublicIdentifier"))
    version = editorial.number(text_of(first(identifier, "RevisionId")))
    guid = public.rsplit(":", 1)[0] if public and version is not None and public.endswith(f":{version}") else public
    guid = guid or text_of(first(item, "guid")) or text_of(child(identifier, "NewsItemId")) or attr(first(item, "NewsComponent"), "Duid")
    management = first(item, "NewsManagement")
    top = child(item, "NewsComponent")
    headline = next((t for t in (text_of(h) for h in descendants(item, "HeadLine")) if t), None)
    slugline = text_of(first(item, "SlugLine"))
    byline = text_of(first(item, "ByLine"))
    dateline = text_of(first(item, "DateLine"))
    status = _formal(first(management, "Status"))
    ednote = text_of(first(item, "Instruction")) or attr(first(item, "Instruction"), "FormalName")
    lang = _language(item)
    item_type = (attr(first(management, "NewsItemType"), "FormalName") or "").lower()
    defaults = {
        "format": "newsml-1.2", "guid": guid, "version": version, "pub_status": status,
        "urgency": editorial.number(_formal(first(management, "Urgency"))), "priority": priority,
        "slugline": slugline, "byline": byline, "ednote": ednote, "lang": lang, "headline": headline,
        "dateline": dateline if dateline and any(c.isalpha() for c in dateline) else None,
        "place": _place(item),
        "subjects": tuple(_subjects(item)),
        "published_at": editorial.timestamp(text_of(first(management, "FirstCreated")) or text_of(first(management, "ThisRevisionCreated"))),
        "correction": editorial.is_correction(editorial.headline_take(headline or "")[1], ednote),
    }  # fmt: skip
    texts, captions, media = _parts(top)
    embedded = next((first(c, "nitf") for c, _ in texts if first(c, "nitf") is not None), None)
    if embedded is not None:
        return nitf.item_of(embedded, defaults=defaults)
    kind = "text"
    body = [p for content, _ in texts for p in paragraphs(child(content, "DataContent"))]
    if not texts:
        kind = media[0] if media else next((k for word, k in MEDIA_KINDS.items() if word in item_type), "text")
        body = [p for content in captions for p in paragraphs(child(content, "DataContent"))]
    headline = headline or next((text_of(child(c, "DataContent")) for c, roles in _contents(top) if roles and roles[-1] == "title"), None)
    found = without_byline(body, byline)
    if not headline and not found:
        raise FormatError(f"NewsML 1.2 item {guid or ''} without a headline".replace("  ", " "))
    headline, take = editorial.headline_take(headline or "")
    meta = WireMeta(
        format="newsml-1.2", version=version, pub_status=editorial.pub_status(status), urgency=defaults["urgency"],
        priority=priority, slugline=slugline, byline=byline, take_key=take, subjects=defaults["subjects"], ednote=ednote,
        correction=defaults["correction"] or editorial.is_correction(take),
        kill=editorial.pub_status(status) == "canceled" or editorial.is_kill(take, ednote),
    )  # fmt: skip
    return ParsedItem(headline, tuple(found), meta, guid=guid, subtitle=text_of(first(item, "SubHeadLine")), lang=lang,
                      published_at=defaults["published_at"], dateline=defaults["dateline"], place=defaults["place"], kind=kind)  # fmt: skip


def _parts(top: etree._Element | None) -> tuple[list[tuple[etree._Element, tuple[str, ...]]], list[etree._Element], list[str]]:
    """The text content items of the item's text (leads first), the captions (a Caption
    component, else the text inside a media component) and the kinds of its media."""
    texts, leads, captions, inside_media, media = [], [], [], [], []
    for content, roles in _contents(top):
        kind = _content_kind(content)
        in_media = next((MEDIA_KINDS[r] for r in roles if r in MEDIA_KINDS), None)
        has_text = child(content, "DataContent") is not None and (text_of(child(content, "DataContent")) or first(content, "nitf") is not None)
        if kind not in (None, "text"):
            media.append(kind)
            continue
        if in_media and not media:
            media.append(in_media)
        if not has_text:
            continue
        role = roles[-1] if roles else ""
        if role == "caption":
            captions.append(content)
        elif role in _NOT_BODY:
            continue
        elif in_media:
            inside_media.append(content)
        else:
            (leads if role in _LEAD else texts).append((content, roles))
    return leads + texts, captions or inside_media, media


def _language(item: etree._Element) -> str | None:
    declared = next((attr(e, "FormalName") for e in descendants(item, "Language") if attr(e, "FormalName")), None)
    return lang_of(item) or declared or next((lang_of(c) for c in descendants(item, "NewsComponent") if lang_of(c)), None)


def _place(item: etree._Element) -> str | None:
    """The City of the first Location that names one (or a City property of the descriptive
    metadata itself, as ANA-MPE writes it)."""
    holders = [*descendants(item, "Location"), *descendants(item, "DescriptiveMetadata")]
    for holder in holders:
        for prop in children(holder, "Property"):
            if (attr(prop, "FormalName") or "").lower() == "city" and attr(prop, "Value"):
                return attr(prop, "Value")
    return None


def _subjects(item: etree._Element) -> list[str]:
    found = []
    for code in descendants(item, "SubjectCode"):
        for subject in code:
            value = attr(subject, "FormalName")
            if value:
                found.append(value)
    for topic in descendants(item, "Topic"):
        value = attr(first(topic, "FormalName"), "FormalName") or text_of(first(topic, "Description")) or text_of(child(topic, "FormalName"))
        if value:
            found.append(value)
    return found
