"""HTML processing: bytes to text (charset), a bounded parse, junk removal and paragraphs.

Shared by feed content and article pages. Every walk here is iterative and visits each node a
bounded number of times, so hostile nesting costs linear time and no stack."""

from __future__ import annotations

import codecs
import html as htmllib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import lxml.html
from bs4 import BeautifulSoup, NavigableString, Tag
from lxml.html import HtmlElement
from trafilatura.utils import load_html

# ---------------------------------------------------------------------------------------------
# Charset: HTTP header, then the document's own declaration (XML or <meta>), then a BOM.

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_XML_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Labels that browsers decode with a superset (WHATWG Encoding Standard); the strict originals
# fail on the characters real pages labelled that way actually contain.
_SUPERSETS = {
    "iso-8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-9": "windows-1254",
    "tis-620": "cp874",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
}


def _codec_name(label: str | None) -> str | None:
    """A Python codec for a charset label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        return codecs.lookup(_SUPERSETS.get(label, label)).name
    except LookupError:
        return None


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    content_type = header(headers, "content-type") or ""
    found = _HEADER_CHARSET.search(content_type)
    return found.group(1) if found else None


def declared_charset(data: bytes) -> str | None:
    """The encoding the document declares about itself: ``<?xml encoding>`` or ``<meta charset>``."""
    head = data[:4096]
    found = _XML_DECL_ENCODING.match(head) or _META_CHARSET.search(data[:16384])
    return found.group(1).decode("ascii") if found else None


def decode_markup(data: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Bytes of a page or feed as text, and the codec used.

    Candidates in order of trust: the HTTP charset, the XML/meta declaration, the BOM, then UTF-8
    and Windows-1252. The first that decodes without error wins, except that a single-byte label
    on bytes that are valid non-ASCII UTF-8 is taken for the mislabel it nearly always is."""
    bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
    candidates = [_codec_name(header_charset(headers)), _codec_name(declared_charset(data)), bom, "utf-8", "cp1252"]
    utf8_text = _try_decode(data, "utf-8")
    for name in candidates:
        if name is None:
            continue
        text = utf8_text if name == "utf-8" else _try_decode(data, name)
        if text is None:
            continue
        # One character per byte means a single-byte charset; if the same bytes are also valid
        # multi-byte UTF-8, the label is wrong (legacy text is almost never valid UTF-8 by chance).
        if utf8_text is not None and len(text) == len(data) and len(utf8_text) < len(data):
            return utf8_text.removeprefix("\ufeff"), "utf-8"
        return text.removeprefix("\ufeff"), name
    return data.decode("cp1252", errors="replace"), "cp1252"  # unreachable: cp1252 maps nearly all


def _try_decode(data: bytes, name: str) -> str | None:
    try:
        return data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


# ---------------------------------------------------------------------------------------------
# HTML -> paragraphs, shared by feed content and article pages.

_BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote pre section article header footer main table tr "
    "td th dl dt dd figure address hr center block".split()
)
SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed svg canvas video audio source picture img "
    "button input select textarea form figcaption nav aside".split()
)
# Blocks that are not the story: share widgets, "read also" boxes, related links, ads, tracking
# (FeedBurner's feedflare). A class token or id is junk only as a whole ("ad", "ReadAlso") or as a
# junk word with a generic suffix ("share-buttons"): words inside longer names ("Page-ad-margins",
# "elementor-widget-container", "non-ad-column-l") say nothing about the block.
_JUNK_WORDS = (
    "share|sharing|social|related|read-?also|also-?read|read-?more|more-?news|recommended|newsletter|"
    "subscribe|subscription|promo|advert|advertisement|ads?|banner|cookies?|comments?|breadcrumbs?|tags|"
    "toolbar|popup|sidebar|footer|menu|widget|outbrain|taboola|feedflare|gallery|caption|print|rating|"
    "poll|sponsored|trending|most-?read|popular|consent|gdpr|(?:slideshow|carousel|lightbox)(?:[-_][a-z]+)*"
)
_JUNK_TOKEN = re.compile(
    rf"(?:{_JUNK_WORDS})(?:[-_]?(?:box|block|bar|buttons?|links?|list|wrapper|container|zone|area|module|"
    r"panel|slot|unit|tools|icons|items?|banner|consent|notice|overlay|modal))?",
    re.IGNORECASE,
)
# ...unless the same names say the block is the story itself ("article-body share-enabled").
_STORY = re.compile(r"(?:^|[\s_-])(?:article|story|body|content|main|text)(?=$|[\s_-])", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def is_junk_name(names: str) -> bool:
    """Whether class tokens and id (space-separated) name a block that is not the story."""
    tokens = names.split()
    return any(_JUNK_TOKEN.fullmatch(token) for token in tokens) and not _STORY.search(names)


def _is_junk(tag: Tag) -> bool:
    if tag.name in ("html", "body") or not tag.attrs:  # pages put state classes on <body>
        return False
    return is_junk_name(" ".join([*(tag.get("class") or []), str(tag.get("id") or "")]))


def drop_junk(root: Tag) -> None:
    """Remove scripts, navigation, share widgets, "read also" boxes and the like from ``root``.
    One walk that does not enter what it removes, so each node is visited once."""
    doomed: list[Tag] = []
    stack: list[Tag] = [root]
    while stack:
        for child in stack.pop().children:
            if isinstance(child, Tag):
                if child.name in SKIP_TAGS or _is_junk(child):
                    doomed.append(child)
                else:
                    stack.append(child)
    for tag in doomed:
        tag.extract()


def element_paragraphs(root: Tag) -> list[str]:
    """The text of ``root`` as paragraphs: block elements and double ``<br>`` break paragraphs,
    whitespace is collapsed. Iterative, so pathological nesting cannot exhaust the stack."""
    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = clean_text("".join(buffer))
        if text:
            paragraphs.append(text)
        buffer.clear()

    stack: list[Any] = [iter(root.children)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            if stack and stack[-1] == "end of block":
                stack.pop()
                flush()
        elif type(node) is NavigableString:  # subclasses are comments, CDATA, doctypes
            buffer.append(str(node))
        elif not isinstance(node, Tag) or node.name in SKIP_TAGS:
            continue
        elif node.name == "br":
            if buffer and buffer[-1] == "\n":
                flush()  # <br><br>: a paragraph break
            else:
                buffer.append("\n")
        else:
            if node.name in _BLOCK_TAGS:
                flush()
                stack.append("end of block")
            stack.append(iter(node.children))
    flush()
    return paragraphs


_HTML_BLOCK = re.compile(r"<(?:p|br|div|li|h\d|blockquote|table)\b", re.IGNORECASE)


def markup_paragraphs(markup: str) -> list[str]:
    """Paragraphs of a feed field or JSON-LD body that may be HTML, or plain text whose paragraphs
    are separated by blank lines (single newlines then only wrap lines)."""
    if _HTML_BLOCK.search(markup):
        tree = load_html(markup[:PAGE_CHAR_LIMIT])
        soup = _soup_of(tree) if tree is not None else BeautifulSoup("", "lxml")
        root = soup.body or soup
        drop_junk(root)
        return element_paragraphs(root)
    text = htmllib.unescape(re.sub(r"<[^<>]{0,500}>", "", markup))
    blocks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.split("\n")
    return [p for p in map(clean_text, blocks) if p]


def plain_text(markup: str) -> str:
    """One line of text from a title-like field: tags stripped, entities decoded."""
    if "<" in markup:
        markup = BeautifulSoup(markup, "lxml").get_text(" ")
    return clean_text(htmllib.unescape(markup))


# ---------------------------------------------------------------------------------------------
# Parsing a page, bounded.

# Pages beyond this are cut before parsing: story text sits near the top of real pages, and the
# parsers' cost grows with what they are given, so a huge page must not buy unbounded time.
PAGE_CHAR_LIMIT = 1_500_000
# Elements no extraction layer reads; JSON-LD scripts stay.
_UNREAD = "//script[not(contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json'))]|//style|//svg|//template"


@dataclass(slots=True)
class ParsedPage:
    """One page parsed once by lxml (whose parser caps nesting depth, so hostile markup stays
    linear), and a BeautifulSoup of the same tree for the CSS selectors of the site rules."""

    tree: HtmlElement
    soup: BeautifulSoup
    truncated: bool


def drop_junk_elements(tree: HtmlElement) -> None:
    """``drop_junk``'s class/id test on an lxml tree: blocks named as not the story go."""
    doomed = [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and element.tag not in ("html", "body")
        and element.getparent() is not None  # a fragment's root is the page itself
        and (
            element.tag in ("figcaption", "nav")
            or ((element.get("class") or element.get("id"))
            and is_junk_name(f"{element.get('class') or ''} {element.get('id') or ''}"))
        )
    ]
    for element in doomed:
        element.drop_tree()


def parse_page(text: str) -> ParsedPage | None:
    """The page's text parsed, or None when it holds no HTML document at all."""
    truncated = len(text) > PAGE_CHAR_LIMIT
    tree = load_html(text[:PAGE_CHAR_LIMIT])
    if tree is None:
        return None
    for element in tree.xpath(_UNREAD):
        element.drop_tree()
    return ParsedPage(tree=tree, soup=_soup_of(tree), truncated=truncated)


def _soup_of(tree: HtmlElement) -> BeautifulSoup:
    # Serialised from lxml's tree, so the soup inherits its bounded depth (BeautifulSoup's own
    # tree building follows any nesting, at a cost that grows faster than the input).
    return BeautifulSoup(lxml.html.tostring(tree, encoding="unicode"), "lxml")
