"""XML and HTML as the wire formats carry them: parsed without network access, DTDs or entity
expansion; declarations that lie about the encoding corrected; body markup (NITF ``<block>``,
G2 ``<inlineXML>``, escaped HTML) turned into clean paragraphs, tables one row a line with the
cells joined by ``" | "``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from lxml import etree, html

from wirewatch.wire.codec import normalize_text
from wirewatch.sources.formats.envelope import indented_paragraphs
from wirewatch.sources.formats.record import FormatError

_DECLARED = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9_.:-]+)([\"'])", re.I)
_SINGLE_BYTE = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii", "iso-8859-15",
                "iso8859-15", "latin-9", "latin9"}  # fmt: skip
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "hl2", "caption"}
_CONTAINERS = {"div", "section", "article", "body", "block", "body.content", "ul", "ol", "dl", "html", "inlinexml", "inlinedata", "datacontent"}
_SKIPPED = {"script", "style", "media", "img", "figure", "object", "note", "head", "title", "header", "footer", "nav", "aside", "hedline", "body.head", "body.end"}
_ESCAPED_TAG = re.compile(r"<\s*/?\s*(?:p|br|div|h[1-6]|table|li|b|i|strong|em|a)\b", re.I)
_SPACES = re.compile(r"\s+")
_STRUCTURE = _BLOCKS | _CONTAINERS | {"table"}


def parse_xml(data: bytes) -> etree._Element:
    """The root element of ``data``; FormatError when it is not well-formed XML."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False, remove_comments=True
    )
    try:
        root = etree.fromstring(_true_encoding(data), parser)
    except etree.XMLSyntaxError as error:
        raise FormatError(f"not well-formed XML: {error}") from None
    if root is None:
        raise FormatError("empty XML document")
    return root


def _true_encoding(data: bytes) -> bytes:
    """``data`` with a single-byte encoding declaration replaced by UTF-8 when the bytes are in
    fact valid UTF-8 with characters beyond ASCII (a declaration that lies): read as declared,
    every accented letter would come out as two."""
    declared = _DECLARED.match(data)
    if not declared or declared.group(2).decode("ascii").lower() not in _SINGLE_BYTE or data.isascii():
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return _DECLARED.sub(rb"\1UTF-8\3", data, count=1)


def local(element: etree._Element) -> str:
    """The element's name without its namespace ("" for comments and processing instructions)."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else [c for c in element if local(c) == name]


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    found = children(element, name)
    return found[0] if found else None


def descendants(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if element is not None:
        yield from (e for e in element.iter() if local(e) == name)


def first(element: etree._Element | None, name: str) -> etree._Element | None:
    return next(descendants(element, name), None)


def text_of(element: etree._Element | None) -> str | None:
    """The element's text, whitespace collapsed; None when there is none."""
    if element is None:
        return None
    text = clean(" ".join(element.itertext()))
    return text or None


def clean(text: str) -> str:
    return _SPACES.sub(" ", normalize_text(text)).strip()


def attr(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    value = element.get(name)
    return value.strip() if value and value.strip() else None


def lang_of(element: etree._Element | None) -> str | None:
    return attr(element, "{http://www.w3.org/XML/1998/namespace}lang")


def paragraphs(element: etree._Element | None) -> list[str]:
    """The body paragraphs under ``element``: one per block element, tables one per row; text
    that is itself escaped HTML is parsed as HTML first."""
    if element is None:
        return []
    if len(element) == 0:  # plain text, or HTML escaped into text
        return html_paragraphs(element.text or "")
    return list(_blocks(element))


def html_paragraphs(markup: str) -> list[str]:
    """Paragraphs of an HTML fragment (escaped HTML inside an item, JSON ``body_html``)."""
    if not markup.strip():
        return []
    if not _ESCAPED_TAG.search(markup):
        return [p for p in (clean(t) for t in re.split(r"\n\s*\n|\n(?=\t)", markup)) if p]  # a tab starts a paragraph too
    wrapper = html.fragment_fromstring(markup, create_parent="div")
    return list(_blocks(wrapper))


def _blocks(element: etree._Element) -> Iterator[str]:
    name = local(element).lower()  # agencies' own markup writes <P>, <UL>, <LI> too
    if not name or name in _SKIPPED:
        return
    if name == "table":
        yield from _table_rows(element)
        return
    if name in _BLOCKS or not any(local(d).lower() in _STRUCTURE for d in element.iterdescendants()):
        raw = "".join(_inline_text(element))
        lines = wire_lines(raw)
        if lines is not None:
            yield from (p for p in (clean(t) for t in indented_paragraphs(lines)) if p)
            return
        text = clean(" ".join(_inline_text(element)))
        if text:
            yield text
        return
    if element.text and clean(element.text):
        yield clean(element.text)
    for sub in element:
        yield from _blocks(sub)
        if sub.tail and clean(sub.tail):
            yield clean(sub.tail)


_INDENTED = re.compile(r"^[ \t]{2,}\S")


def wire_lines(raw: str) -> list[str] | None:
    """The lines of a block that carries wire text as it was typed (Reuters puts a whole story
    in one ``<p>``: paragraphs start with an indent, their other lines do not), or None for
    ordinary markup. Text indented all alike is the markup's own indentation, not that."""
    lines = raw.replace("\r\n", "\n").split("\n")
    rest = [line for line in lines[1:] if line.strip()]
    indented = sum(1 for line in rest if _INDENTED.match(line))
    return lines if indented >= 2 and indented < len(rest) else None


def _inline_text(element: etree._Element) -> Iterable[str]:
    """The text of an element, a line break written as a space."""
    if element.text:
        yield element.text
    for sub in element:
        if local(sub) and local(sub) not in _SKIPPED:  # an entity left unexpanded has no name
            yield from _inline_text(sub)
        if sub.tail:
            yield sub.tail


def _table_rows(table: etree._Element) -> Iterator[str]:
    for row in descendants(table, "tr"):
        cells = [clean(" ".join(cell.itertext())) for cell in row if local(cell) in ("td", "th")]
        if any(cells):
            yield " | ".join(cells)


_BYLINE_PARAGRAPH = re.compile(r"^By\s+[A-Z][\w.'’-]*(?:,?\s+(?:[A-Z][\w.'’-]*|and|de|van|von|der|da|del|y))+$")
MAX_BYLINE_WORDS = 8


def without_byline(found: list[str], byline: str | None) -> list[str]:
    """Drop a leading paragraph that only repeats the byline ("By Marwan Makdisi"), or that is
    a byline of its own: "By" and at most a few capitalised names."""
    def is_byline(text: str) -> bool:
        if byline and text.casefold().removeprefix("by ").strip() == byline.casefold().removeprefix("by ").strip():
            return True
        return len(text.split()) <= MAX_BYLINE_WORDS and _BYLINE_PARAGRAPH.match(text) is not None

    while found and is_byline(found[0]):
        found = found[1:]
    return found
