"""Fetched bytes -> Articles: feeds through feedparser, article pages through JSON-LD, then site
rules, then a generic text-density fallback.

Pure functions: bytes and headers in, Articles out; nothing here touches the network. Every field
of an Article records where it came from in ``Article.provenance`` ("feed", "feed:summary",
"page:jsonld", "page:rules", "page:generic", "config"), so bad extractions can be found with SQL.
"""

from __future__ import annotations

import codecs
import copy
import dataclasses
import datetime as dt
import email.utils
import hashlib
import html as htmllib
import io
import json
import re
import xml.sax
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from bs4 import BeautifulSoup, NavigableString, Tag
from feedparser.datetimes import _parse_date as _feedparser_date

from wirewatch import codec
from wirewatch.config import SourceConfig
from wirewatch.dateline import split_dateline
from wirewatch.model import Article, WireItem


class ExtractError(ValueError):
    """No usable feed or article in the input; the message is one line saying why."""


@dataclass(slots=True)
class FeedExtract:
    """What one feed document yielded.

    ``articles`` in feed order; ``warnings`` about the feed as a whole (e.g. it was not well-formed
    but still had entries); ``rejected`` has one line per entry that could not become an article.
    An Article whose ``provenance["body"] == "feed:summary"`` carries only the feed's summary: the
    caller may fetch its page for the full text (see ``with_page_text``)."""

    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    title: str | None = None  # the feed's own title


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
    content_type = _header(headers, "content-type") or ""
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


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
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
_SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed svg canvas video audio source picture img "
    "button input select textarea form figcaption nav aside".split()
)
# Blocks that are not the story: share widgets, "read also" boxes, related links, ads, tracking
# (FeedBurner's feedflare). Whole words of class and id, so "shared-content" is no share widget.
_JUNK = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|read-?also|readalso|also-?read|read-?more|more-?news|"
    r"recommended|newsletter|subscribe|subscription|promo|advert|advertisement|ads?|banner|cookies?|"
    r"comments?|breadcrumbs?|tags|toolbar|popup|sidebar|footer|menu|widget|outbrain|taboola|"
    r"feedflare|gallery|caption|print|rating|poll|sponsored|trending|most-?read|popular)(?=$|[\s_-])",
    re.IGNORECASE,
)
# ...unless the same names say the block is the story itself ("article-body share-enabled").
_STORY = re.compile(r"(?:^|[\s_-])(?:article|story|body|content|main|text)(?=$|[\s_-])", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def _clean_text(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _is_junk(tag: Tag) -> bool:
    if tag.name in ("html", "body"):  # pages put state classes there ("modal-open", "has-sidebar")
        return False
    names = " ".join([*(tag.get("class") or []), str(tag.get("id") or "")]) if tag.attrs else ""
    return bool(_JUNK.search(names)) and not _STORY.search(names)


def drop_junk(root: Tag) -> None:
    """Remove scripts, navigation, share widgets, "read also" boxes and the like from ``root``."""
    for tag in root.find_all(True):
        if not tag.decomposed and (tag.name in _SKIP_TAGS or _is_junk(tag)):
            tag.decompose()


def element_paragraphs(root: Tag) -> list[str]:
    """The text of ``root`` as paragraphs: block elements and double ``<br>`` break paragraphs,
    whitespace is collapsed. Iterative, so pathological nesting cannot exhaust the stack."""
    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _clean_text("".join(buffer))
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
        elif not isinstance(node, Tag) or node.name in _SKIP_TAGS:
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
        soup = BeautifulSoup(markup, "lxml")
        root = soup.body or soup
        drop_junk(root)
        return element_paragraphs(root)
    text = htmllib.unescape(re.sub(r"<[^<>]{0,500}>", "", markup))
    blocks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.split("\n")
    return [p for p in map(_clean_text, blocks) if p]


def plain_text(markup: str) -> str:
    """One line of text from a title-like field: tags stripped, entities decoded."""
    if "<" in markup:
        markup = BeautifulSoup(markup, "lxml").get_text(" ")
    return _clean_text(htmllib.unescape(markup))


# ---------------------------------------------------------------------------------------------
# Dates.

_EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.timezone.utc)
_URL_DATE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12][0-9]|3[01])(?![0-9])")
_ISO_WITH_SPACE = re.compile(r"^\d{4}-\d\d-\d\d \d")


def parse_datetime(value: Any, *, not_after: dt.datetime | None = None) -> dt.datetime | None:
    """A publication time in UTC from the many shapes pages write it in, or None. A time without a
    zone is taken as UTC; times before 1990 or more than a day after ``not_after`` are refused."""
    if not isinstance(value, str) or not value.strip() or value.strip().isdigit():
        return None  # bare numbers are ids or epochs, not dates we can trust
    text = value.strip()
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if _ISO_WITH_SPACE.match(text) else text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            found = _feedparser_date(text)  # feedparser knows dozens of real-world date formats
            parsed = dt.datetime(*found[:6]) if found else None
    if parsed is None:
        return None
    parsed = parsed.replace(tzinfo=dt.timezone.utc) if parsed.tzinfo is None else parsed.astimezone(dt.timezone.utc)
    if parsed < _EARLIEST or (not_after is not None and parsed > not_after + dt.timedelta(days=1)):
        return None
    return parsed


def date_from_url(url: str | None) -> dt.datetime | None:
    """The date in an article URL such as ``/2020/07/28/`` or ``/2020-02/19/c_1125597921.htm``.
    The last date in the path wins, so an archive.org capture stamp before the real URL is skipped."""
    matches = list(_URL_DATE.finditer(urlsplit(url).path if url else ""))
    if not matches:
        return None
    found = matches[-1]
    try:
        return dt.datetime(int(found.group(1)), int(found.group(2)), int(found.group(3)), tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _struct_to_datetime(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime(*value[:6], tzinfo=dt.timezone.utc) if value else None
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Building Articles: one place for feeds and pages.

_ARTICLE_FIELDS = ("headline", "subtitle", "section", "published_at")


@dataclass(slots=True)
class _Draft:
    """Extracted parts before they become a WireItem. Provenance keys are Article field names:
    headline, subtitle, body, section, published_at (plus dateline, agency, url when built)."""

    headline: str = ""
    subtitle: str | None = None
    body: list[str] = field(default_factory=list)  # paragraphs, dateline still in the first
    section: str | None = None
    published_at: dt.datetime | None = None
    provenance: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: Any, origin: str) -> None:
        """Set a field once: the first origin to supply a value wins (callers go in trust order)."""
        if value is None or value == "" or value == [] or name in self.provenance:
            return
        setattr(self, name, value)
        self.provenance[name] = origin

    def carry(self, article: Article) -> None:
        """Offer an existing article's fields (not its body) with their recorded origins."""
        values = {
            "headline": article.item.headline,
            "subtitle": article.item.subtitle,
            "section": article.item.section,
            "published_at": article.published_at,
        }
        for name in _ARTICLE_FIELDS:
            origin = article.provenance.get(name)
            if origin and origin != "config":  # config defaults are re-applied at build time
                self.put(name, values[name], origin)


def _build_article(
    draft: _Draft,
    *,
    source: SourceConfig,
    url: str | None,
    url_origin: str,
    guid: str | None,
    fetched_at: dt.datetime,
) -> Article:
    if not draft.headline:
        raise ExtractError("no headline")
    provenance = dict(draft.provenance)
    section = draft.section
    if not section and source.section:
        section, provenance["section"] = source.section, "config"
    item = codec.make_item(
        section=section or "",
        headline=draft.headline,
        subtitle=draft.subtitle,
        paragraphs=draft.body,
        published=draft.published_at,
        fetched=fetched_at,
    )
    if not item.headline:
        raise ExtractError("no headline")
    if item.subtitle is None:
        provenance.pop("subtitle", None)
    if not item.paragraphs and item.dateline is None and provenance.get("body") != "feed:summary":
        raise ExtractError("no article text")
    if item.dateline is not None:
        provenance["dateline"] = provenance["body"]
        if item.dateline.agency is None and source.agency:
            item = dataclasses.replace(item, dateline=dataclasses.replace(item.dateline, agency=source.agency))
            provenance["agency"] = "config"
    if url:
        provenance["url"] = url_origin
    return Article(
        item=item,
        source=source.name,
        url=url,
        guid=guid,
        published_at=draft.published_at,
        fetched_at=fetched_at,
        lang=source.lang or codec.item_lang(item),
        provenance=provenance,
    )


def _raw_paragraphs(item: WireItem) -> list[str]:
    """The item's paragraphs with the dateline put back in front of the first one."""
    paragraphs = list(item.paragraphs)
    if item.dateline is not None:
        first = paragraphs.pop(0) if paragraphs else ""
        paragraphs.insert(0, f"{item.dateline.raw} {first}".strip())
    return paragraphs


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def _is_lead_of(summary: str, paragraphs: Sequence[str]) -> bool:
    """Whether a summary is only the start of the body (so no subtitle): its opening words, less
    a truncation mark, occur near the start of the first two paragraphs."""
    folded = _fold(re.sub(r"(\.\.\.|…|\[…\]|\[\.\.\.\])\s*$", "", summary))[:120]
    return not folded or folded in _fold(" ".join(paragraphs[:2]))[: len(folded) + 200]


def _chars(paragraphs: Sequence[str]) -> int:
    return sum(map(len, paragraphs))


# ---------------------------------------------------------------------------------------------
# Feeds.

_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body)", re.IGNORECASE | re.DOTALL
)
_FEED_LINK = re.compile(r"""<link[^>]+type=["']application/(?:rss|atom)\+xml["'][^>]*>""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""")


def feed_articles(
    data: bytes,
    *,
    source: SourceConfig,
    headers: Mapping[str, str] | None = None,
    fetched_at: dt.datetime,
    url: str | None = None,
    headline_only: bool = False,
) -> FeedExtract:
    """Parse an RSS/Atom document into Articles, one per usable entry, in feed order.

    Raises ExtractError when the document is not a feed at all: ``empty body (0 bytes)``,
    ``not a feed: got HTML``, ``XML error at line 12: ...``. A feed that is not well-formed but
    still yields entries keeps them and says so in ``warnings``. ``url`` (the feed's own address)
    resolves relative links. Entries with a headline but no text are rejected unless
    ``headline_only``: then they come back without paragraphs, for the caller to fetch the page."""
    if not data.strip():
        raise ExtractError(f"empty body ({len(data)} bytes)")
    text, _ = decode_markup(data, headers)
    # Hand feedparser UTF-8 whose declaration agrees, so it does not second-guess our decoding;
    # and a stream, because feedparser.parse(bytes) opens the bytes as a file name if it can.
    utf8 = _XML_DECLARATION.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    # No base URL for feedparser: it would resolve relative <guid>s too, making ids depend on
    # where the feed was read from; links are resolved below instead.
    parsed = feedparser.parse(io.BytesIO(utf8), response_headers={"content-type": "application/xml; charset=utf-8"})
    result = FeedExtract(title=plain_text(parsed.feed.get("title", "")) or None)
    problem = _describe_bozo(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    if not parsed.entries:
        if _HTML_START.match(text[:4096]):
            raise ExtractError(_not_a_feed_reason(text, url))
        if not text.lstrip().startswith("<"):  # JSON, plain text, an error message...
            raise ExtractError(f"not a feed: not XML (starts with {text.lstrip()[:24]!r})")
        if problem:
            raise ExtractError(problem)
        if not parsed.get("version"):
            raise ExtractError("not a feed: no RSS or Atom root element")
        return result  # a well-formed feed with no items: nothing new, not an error
    if problem:
        result.warnings.append(f"feed is not well-formed ({problem}); kept {len(parsed.entries)} entries")
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            result.articles.append(
                _entry_article(entry, source=source, base=url, fetched_at=fetched_at, headline_only=headline_only)
            )
        except ExtractError as error:
            label = entry.get("id") or entry.get("link") or plain_text(entry.get("title", ""))[:60]
            result.rejected.append(f"entry {number}{f' ({label})' if label else ''}: {error}")
    return result


def _not_a_feed_reason(text: str, url: str | None) -> str:
    link = _FEED_LINK.search(text[:200_000])
    href = re.search(r"""href=["']([^"']+)["']""", link.group(0)) if link else None
    if href:
        return f"not a feed: got HTML (the page names a feed: {urljoin(url or '', htmllib.unescape(href.group(1)))})"
    return "not a feed: got HTML"


def _describe_bozo(error: BaseException | None) -> str:
    if isinstance(error, xml.sax.SAXParseException):
        return f"XML error at line {error.getLineNumber()}: {error.getMessage()}"
    return (_clean_text(str(error)) or type(error).__name__) if error is not None else "not well-formed"


def _entry_article(
    entry: Mapping[str, Any], *, source: SourceConfig, base: str | None, fetched_at: dt.datetime, headline_only: bool
) -> Article:
    draft = _Draft()
    draft.put("headline", plain_text(entry.get("title", "")), "feed")
    content = "\n".join(c.get("value", "") for c in entry.get("content", []) if c.get("value"))
    summary = markup_paragraphs(entry.get("summary") or "")
    full = markup_paragraphs(content) if content else []
    if full and _chars(full) >= _chars(summary):  # Atom copies content into summary
        draft.put("body", full, "feed")
        if summary and not _is_lead_of(" ".join(summary), full):
            draft.put("subtitle", " ".join(summary), "feed")
    else:  # only a summary, or nothing: the page may have more
        draft.provenance["body"] = "feed:summary"
        draft.body = summary or full
    terms = (plain_text(t.get("term") or t.get("label") or "") for t in entry.get("tags", []))
    draft.put("section", next((t for t in terms if t), None), "feed")
    published = _struct_to_datetime(entry.get("published_parsed")) or _struct_to_datetime(entry.get("updated_parsed"))
    draft.put("published_at", published, "feed")
    # The publisher's own link beats a tracking redirect (FeedBurner's origLink, then the link).
    url = urljoin(base or "", (entry.get("feedburner_origlink") or entry.get("link") or "").strip()) or None
    guid = (entry.get("id") or "").strip() or url
    if guid is None and draft.headline:
        # Neither id nor link: a stable stand-in from what identifies the item to a reader.
        stamp = published.isoformat() if published else ""
        guid = "sha1:" + hashlib.sha1(f"{source.name}\n{draft.headline}\n{stamp}".encode()).hexdigest()
    if draft.headline and not draft.body and not (headline_only and url):
        raise ExtractError("no text (neither content nor summary)")
    return _build_article(draft, source=source, url=url, url_origin="feed", guid=guid, fetched_at=fetched_at)


# ---------------------------------------------------------------------------------------------
# Article pages.


@dataclass(frozen=True, slots=True)
class SiteRule:
    """CSS selectors for one wire site; within each comma list the first selector with text wins."""

    hosts: tuple[str, ...]  # a rule for "tass.com" also serves "www.tass.com"
    headline: str
    body: str  # selects the elements holding the story's paragraphs
    lead: str | None = None
    date: str | None = None  # elements with a datetime / data-timestamp / content attribute
    drop: str = ""  # blocks (and everything inside them) that are never story text


SITE_RULES: tuple[SiteRule, ...] = (
    SiteRule(
        hosts=("tass.com", "tass.ru"),
        headline="h1.news-header__title, h1[class*=title], h1",
        lead="div.news-header__lead, div[class*=lead], h3[class*=lead]",
        body="div.text-block, div.text-content, article [class*=text-block], article [class*=Content]",
        date="[class*=news-header__date] [datetime], time[datetime]",
        drop="[class*=read-also], [class*=ReadAlso], [class*=tags], [class*=Tags], .b-links, .text-include, "
        "[class*=related], [class*=Related]",
    ),
    SiteRule(
        hosts=("reuters.com",),
        headline="h1[data-testid=Heading], h1[class*=headline], h1",
        body=(
            "div[data-testid^=paragraph-], div.StandardArticleBody_body, div.ArticleBodyWrapper, "
            "div[class*=article-body__content], article"
        ),
        date="time[datetime]",
        drop="[class*=RelatedCoverage], [class*=related-coverage], [class*=Slideshow], [class*=PrimaryAsset], "
        "[class*=Image_container], [class*=trustBadge], [class*=TrustBadge], [class*=trust-badge], [class*=ReadMore], "
        "[data-testid=promo-box], [class*=Teaser], [class*=toolbar], h1, [class*=ArticleHeader], [class*=ArticleSubHeader]",
    ),
    SiteRule(
        hosts=("apnews.com", "ap.org"),
        headline="h1.Page-headline, h1[class*=headline], div.CardHeadline h1, h1",
        body="div.RichTextStoryBody, div.Article, div[data-key=article], div.ap-story block, article",
        date="bsp-timestamp[data-timestamp], [data-key=timestamp][data-source], time[datetime]",
        drop="[class*=Enhancement], [class*=ad-placeholder], [class*=related], [class*=Related], "
        "[class*=embed], .ap-story-hidden, h1",
    ),
    SiteRule(
        hosts=("en.yna.co.kr",),
        headline="h1.tit, h1",
        body="article.story-news, div.story-news",
        date=".update-time[data-published-time]",
        drop=".txt-copyright, .adrs, .article-ad, .related-zone, .tag-zone, .writer-zone, .img-con, .comp-box",
    ),
    SiteRule(
        hosts=("english.news.cn", "news.cn", "xinhuanet.com"),
        headline=".conTop h1, .h-title, h1, .Btitle",
        body="#detailContent, #detail, #p-detail, #content",
        date=".header-time, .h-time, #pubtime",
        drop=".share, .editor, .fenxiang, .zan-wap, #articleEdit, .bottom-tools, .p-tags",
    ),
)


def site_rule_for(url: str | None) -> SiteRule | None:
    host = (urlsplit(url).hostname or "") if url else ""
    return next((r for r in SITE_RULES if any(host == h or host.endswith("." + h) for h in r.hosts)), None)


_ARTICLE_TYPES = re.compile(r"(?:Article|BlogPosting|Report)$")
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "published_time_telegram",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
    "analyticsattributes.articledate",
    "datecreated",
)
_MIN_BODY_CHARS = 200  # less than this is a teaser or a stray block, not a story


def page_article(
    html: bytes,
    *,
    url: str | None,
    source: SourceConfig,
    headers: Mapping[str, str] | None = None,
    fetched_at: dt.datetime,
) -> Article:
    """The article on an HTML page. Each field comes from JSON-LD (NewsArticle and kin) first, then
    the site rules of the wire sites we monitor, then generic extraction (og:/article: meta, the
    densest block of paragraphs). The publisher's address (og:url, canonical link) is the Article's
    url and guid when the page names one. Raises ExtractError with a one-line reason when the page
    carries no article."""
    if not html.strip():
        raise ExtractError(f"empty body ({len(html)} bytes)")
    if b"\x00" in html[:4096] and not html.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExtractError("not HTML: binary data")
    text, _ = decode_markup(html, headers)
    soup = BeautifulSoup(text, "lxml")
    page_url = _canonical_url(soup, url)
    draft = _Draft()
    _from_jsonld(soup, draft, fetched_at=fetched_at)
    rule = site_rule_for(page_url) or site_rule_for(url)
    if rule is not None:
        _from_rule(soup, rule, draft, fetched_at=fetched_at)
    _from_generic(soup, draft, urls=(page_url, url), fetched_at=fetched_at)
    if _chars(draft.body) < 80:
        raise ExtractError(_no_article_reason(soup, url))
    if draft.subtitle and _is_lead_of(draft.subtitle, draft.body):
        draft.subtitle = None
        draft.provenance.pop("subtitle", None)
    return _build_article(draft, source=source, url=page_url, url_origin="page", guid=page_url, fetched_at=fetched_at)


def _no_article_reason(soup: BeautifulSoup, url: str | None) -> str:
    refresh = soup.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.IGNORECASE)})
    target = re.search(r"url\s*=\s*['\"]?([^'\";]+)", str(refresh.get("content", ""))) if refresh else None
    if target:
        return f"no article text: the page redirects to {urljoin(url or '', target.group(1).strip())}"
    return "no article text found on the page"


def _canonical_url(soup: BeautifulSoup, url: str | None) -> str | None:
    """The publisher's address for the page (og:url, then <link rel=canonical>) when it is an
    absolute http(s) URL, else the address the page was fetched from."""
    og = soup.find("meta", attrs={"property": "og:url"})
    link = soup.find("link", rel="canonical")
    for candidate in (og.get("content") if og else None, link.get("href") if link else None):
        absolute = urljoin(url or "", str(candidate or "").strip())
        parts = urlsplit(absolute)
        if candidate and parts.scheme in ("http", "https") and parts.hostname:
            return absolute
    return url


def _jsonld_objects(soup: BeautifulSoup) -> Iterator[dict[str, Any]]:
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.IGNORECASE)):
        try:
            data = json.loads(script.string or "", strict=False)
        except (json.JSONDecodeError, RecursionError):
            continue  # broken JSON-LD is common (Reuters, 2020): the other layers take over
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                yield node
                stack.extend(node[key] for key in ("@graph", "mainEntity") if isinstance(node.get(key), (dict, list)))


def _jsonld_article(soup: BeautifulSoup) -> dict[str, Any] | None:
    for node in _jsonld_objects(soup):
        kinds = node.get("@type")
        if any(
            isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in (kinds if isinstance(kinds, list) else [kinds])
        ):
            return node
    return None


def _jsonld_text(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    return plain_text(value) if isinstance(value, str) else ""


def _from_jsonld(soup: BeautifulSoup, draft: _Draft, *, fetched_at: dt.datetime) -> None:
    node = _jsonld_article(soup)
    if node is None:
        return
    origin = "page:jsonld"
    draft.put("headline", _jsonld_text(node.get("headline") or node.get("name")), origin)
    published = parse_datetime(node.get("datePublished") or node.get("dateCreated"), not_after=fetched_at)
    draft.put("published_at", published, origin)
    draft.put("section", _jsonld_text(node.get("articleSection")), origin)
    body = node.get("articleBody")
    if isinstance(body, str) and len(body) >= _MIN_BODY_CHARS:
        paragraphs = markup_paragraphs(body)
        # A long body flattened onto one line has lost its paragraphs: let the page supply them.
        if len(paragraphs) > 1 or len(body) < 1000:
            draft.put("body", paragraphs, origin)
    draft.put("subtitle", _jsonld_text(node.get("description")), origin)


def _from_rule(soup: BeautifulSoup, rule: SiteRule, draft: _Draft, *, fetched_at: dt.datetime) -> None:
    origin = "page:rules"
    draft.put("headline", _first_text(soup, rule.headline), origin)
    if rule.lead:
        draft.put("subtitle", _first_text(soup, rule.lead), origin)
    if rule.date:
        draft.put("published_at", _rule_date(soup, rule.date, fetched_at), origin)
    if "body" in draft.provenance:
        return
    dropped = {id(tag) for tag in soup.select(rule.drop)} if rule.drop else set()
    for selector in _selectors(rule.body):
        found = [
            tag
            for tag in _outermost(soup.select(selector))
            if id(tag) not in dropped and not any(id(parent) in dropped for parent in tag.parents)
        ]
        if found:
            paragraphs = _pruned_paragraphs(found, dropped)
            if _chars(paragraphs) >= _MIN_BODY_CHARS:
                draft.put("body", paragraphs, origin)
                return


def _rule_date(soup: BeautifulSoup, selectors: str, fetched_at: dt.datetime) -> dt.datetime | None:
    for tag in soup.select(selectors):
        value = str(
            tag.get("datetime")
            or tag.get("data-timestamp")
            or tag.get("data-published-time")
            or tag.get("content")
            or ""
        )
        if value.isdigit() and len(value) >= 10:  # epoch seconds; AP writes milliseconds
            return dt.datetime.fromtimestamp(int(value[:10]), dt.timezone.utc)
        found = parse_datetime(value or _clean_text(tag.get_text(" ")), not_after=fetched_at)
        if found is not None:
            return found
    return None


def _selectors(selectors: str) -> list[str]:
    return [s.strip() for s in selectors.split(",") if s.strip()]


def _first_text(soup: BeautifulSoup, selectors: str) -> str:
    for selector in _selectors(selectors):
        for tag in soup.select(selector):
            text = _clean_text(tag.get_text(" "))
            if text:
                return text
    return ""


def _outermost(elements: list[Tag]) -> list[Tag]:
    """Drop elements nested inside another selected element (their text is already included)."""
    chosen = set(map(id, elements))
    return [e for e in elements if not any(id(parent) in chosen for parent in e.parents)]


# Short calls to action inside story text ("Like this story? Share it with a friend!").
_BOILERPLATE = re.compile(
    r"^(?:like this story|share (?:this|it)|follow (?:us|rt|tass)|read (?:also|more)\b|also read\b|"
    r"subscribe\b|sign up\b|click here\b|читайте также|подписывайтесь)",
    re.IGNORECASE,
)


def _story_paragraphs(paragraphs: list[str]) -> list[str]:
    """Drop calls to action, and scraps (gallery labels, lone bylines) before and after the story."""
    kept = [p for p in paragraphs if not (len(p) < 120 and _BOILERPLATE.match(p))]

    def prose(paragraph: str) -> bool:
        return (
            len(paragraph) >= 40 or paragraph.endswith((".", '"', "”", "»", ")")) or bool(split_dateline(paragraph)[0])
        )

    start = next((i for i, p in enumerate(kept) if prose(p)), 0)
    end = len(kept)
    while end > start + 1 and len(kept[end - 1]) < 12 and not prose(kept[end - 1]):
        end -= 1
    return kept[start:end]


def _pruned_paragraphs(elements: Iterable[Tag], dropped: Collection[int] = ()) -> list[str]:
    """Story paragraphs of copies of ``elements`` without junk blocks and ``dropped`` ones.
    Copies, because the same soup still serves the later extraction layers."""
    paragraphs: list[str] = []
    for element in elements:
        scratch = copy.copy(element)
        originals = [element, *element.find_all(True)]
        copies = [scratch, *scratch.find_all(True)]
        for original, duplicate in zip(originals, copies, strict=True):
            if id(original) in dropped and not duplicate.decomposed:
                duplicate.decompose()
        drop_junk(scratch)
        paragraphs.extend(element_paragraphs(scratch) if scratch.name not in _SKIP_TAGS else [])
    return _story_paragraphs(paragraphs)


def _meta_values(soup: BeautifulSoup) -> dict[str, str]:
    """First content of each <meta> by its property, name or itemprop (lower-cased)."""
    values: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        if key and tag.get("content") and key not in values:
            values[key] = str(tag.get("content")).strip()
    return values


def _from_generic(soup: BeautifulSoup, draft: _Draft, *, urls: Sequence[str | None], fetched_at: dt.datetime) -> None:
    origin = "page:generic"
    metas = _meta_values(soup)
    if "published_at" not in draft.provenance:
        draft.put("published_at", _generic_date(soup, metas, urls, fetched_at), origin)
    draft.put("section", plain_text(metas.get("article:section", "")), origin)
    root = _densest_block(soup)
    draft.put("headline", _generic_headline(soup, metas), origin)
    if root is not None and "body" not in draft.provenance:
        draft.put("body", _pruned_paragraphs([root]), origin)


# "Headline - Site", "Headline | Site", "Headline_Site", "标题-新华网": the longest part is the headline.
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*[|_]\s*|-(?=[\u3000-\u9fff]{2,8}$)")


def _generic_headline(soup: BeautifulSoup, metas: Mapping[str, str]) -> str:
    # <h1>, then microdata and hNews markup (old AP pages), then og:title, then <title>.
    for tag in [*soup.find_all("h1"), *soup.select("[itemprop=headline], .entry-title")]:
        text = _clean_text(tag.get_text(" ") or str(tag.get("content") or ""))
        if len(text) >= 10:
            return text
    og = plain_text(metas.get("og:title") or metas.get("twitter:title") or "")
    if og:
        return og
    title = soup.find("title")
    parts = _TITLE_SEPARATOR.split(_clean_text(title.get_text(" ")) if title else "")
    return max(parts, key=len).strip()


def _generic_date(
    soup: BeautifulSoup, metas: Mapping[str, str], urls: Sequence[str | None], fetched_at: dt.datetime
) -> dt.datetime | None:
    candidates: list[Any] = [metas.get(key) for key in _DATE_META]
    candidates += [t.get("datetime") or t.get("content") for t in soup.find_all(attrs={"itemprop": "datePublished"})]
    candidates += [t.get("datetime") for t in soup.find_all("time")]
    for value in candidates:
        found = parse_datetime(value, not_after=fetched_at)
        if found is not None:
            return found
    return next((d for d in map(date_from_url, urls) if d is not None), None)


# Not "aside": some publishers (rnz.de) put the whole story inside one.
_OUTSIDE_STORY = frozenset({"nav", "footer", "noscript", "template", "figcaption"})


def _densest_block(soup: BeautifulSoup) -> Tag | None:
    """The element whose own paragraphs hold the most prose that is not link text."""
    scores: dict[int, tuple[Tag, float]] = {}
    for paragraph in (soup.body or soup).find_all(["p", "pre"]):
        parent = paragraph.parent
        if not isinstance(parent, Tag) or any(a.name in _OUTSIDE_STORY or _is_junk(a) for a in paragraph.parents):
            continue
        text = _clean_text(paragraph.get_text(" "))
        links = sum(len(_clean_text(a.get_text(" "))) for a in paragraph.find_all("a"))
        weight = len(text) - 2 * links if len(text) >= 25 else 0
        if weight > 0:
            scores[id(parent)] = (parent, scores.get(id(parent), (parent, 0.0))[1] + weight)
    if not scores:
        return None
    best, best_score = max(scores.values(), key=lambda pair: pair[1])
    # A story split over sibling containers (lead block, text block): take their common parent
    # when the siblings carry a real share of the text.
    parent = best.parent
    siblings = sum(score for tag, score in scores.values() if tag is not best and tag.parent is parent)
    if isinstance(parent, Tag) and parent.name not in ("body", "html") and siblings >= 0.3 * best_score:
        return parent
    return best


# ---------------------------------------------------------------------------------------------
# Full text for summary-only feed entries.


def with_page_text(feed_article: Article, page: Article, *, source: SourceConfig, fetched_at: dt.datetime) -> Article:
    """A feed entry completed with the text of its page. Headline, section, published time, url
    and guid stay the feed's where it had them; the body (and dateline) come from the page; the
    feed's summary becomes the subtitle when it is more than the start of the page's body. When
    the page has no more text than the feed, the feed article is returned unchanged."""
    page_body, feed_body = _raw_paragraphs(page.item), _raw_paragraphs(feed_article.item)
    if _chars(page_body) <= _chars(feed_body):
        return feed_article
    draft = _Draft()
    draft.carry(feed_article)
    draft.put("body", page_body, page.provenance["body"])
    summary = " ".join(feed_body)
    if feed_article.provenance.get("body") == "feed:summary" and not _is_lead_of(summary, page_body):
        draft.put("subtitle", summary, "feed:summary")
    draft.carry(page)
    return _build_article(
        draft,
        source=source,
        url=feed_article.url,
        url_origin=feed_article.provenance.get("url", "feed"),
        guid=feed_article.guid,
        fetched_at=fetched_at,
    )
