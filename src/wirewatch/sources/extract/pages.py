"""Article pages -> Articles. Layers, each field from the first that supplies it: JSON-LD, the
site rules of the wire agencies, the page's <meta>, then trafilatura (its default paragraphs
within the bounds of its precision mode) for the body. The day of publication is htmldate's whenever it finds one; the page's own statements lend
it their time of day (see ``_put_date``). Provenance names the layer: "page:jsonld",
"page:rules", "page:generic" (meta tags, <h1>, <title>), "page:trafilatura", "page:htmldate",
"page:url"."""

from __future__ import annotations

import codecs
import copy
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from lxml.html import HtmlElement
from trafilatura import bare_extraction

from wirewatch.config import SourceConfig
from wirewatch.sources.extract.articles import Draft, build_article, chars, is_lead_of, story_paragraphs
from wirewatch.sources.extract.errors import ExtractError, NoArticleError
from wirewatch.sources.extract.html import PAGE_CHAR_LIMIT, ParsedPage, decode_markup, drop_junk_elements, markup_paragraphs, parse_page, plain_text
from wirewatch.sources.extract.metadata import (
    canonical_url,
    generic_headline,
    htmldate_date,
    jsonld_article,
    jsonld_text,
    meta_date,
    meta_values,
    parse_datetime,
    url_date,
)
from wirewatch.sources.extract.rules import MIN_BODY_CHARS, from_rule, rule_body, rule_date, site_rule_for
from wirewatch.model import Article

# A JSON-LD articleBody shorter than this share of the page's own story text is a teaser or was
# cut off by the publisher's CMS: the page's text is the story.
_JSONLD_BODY_SHARE = 0.8
_MIN_ARTICLE_CHARS = 80


def page_article(
    html: bytes,
    *,
    url: str | None,
    source: SourceConfig,
    headers: Mapping[str, str] | None = None,
    fetched_at: dt.datetime,
) -> Article:
    """The article on an HTML page. The publisher's address (og:url, canonical link) is the
    Article's url and guid when the page names one. Raises ExtractError with a one-line reason
    when the page carries no article (NoArticleError, which keeps the date and headline found)."""
    try:
        return _page_article(html, url=url, source=source, headers=headers, fetched_at=fetched_at)
    except ExtractError:
        raise
    except (ValueError, TypeError, LookupError, RecursionError, OverflowError) as error:
        # Markup no layer foresaw: the caller gets a reason, never a traceback.
        raise ExtractError(f"page could not be read: {type(error).__name__}: {error}"[:300]) from None


def _page_article(
    html: bytes, *, url: str | None, source: SourceConfig, headers: Mapping[str, str] | None, fetched_at: dt.datetime
) -> Article:
    if not html.strip():
        raise ExtractError(f"empty body ({len(html)} bytes)")
    if b"\x00" in html[:4096] and not html.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExtractError("not HTML: binary data")
    text, _ = decode_markup(html, headers)
    page = parse_page(text)
    if page is None:
        raise ExtractError("not HTML: no document could be parsed")
    soup = page.soup
    page_url = canonical_url(soup, url)
    draft = Draft()
    node = jsonld_article(soup)
    jsonld_body = _from_jsonld(node, draft) if node is not None else []
    rule = site_rule_for(page_url) or site_rule_for(url)
    ruled = rule_body(soup, rule) if rule is not None else []
    if rule is not None:
        from_rule(soup, rule, draft)
    generic = _trafilatura_body(page.tree, page_url or url)
    metas = meta_values(soup)
    stated = (
        ("page:jsonld", _jsonld_date(node, fetched_at) if node is not None else None),
        ("page:rules", rule_date(soup, rule, fetched_at=fetched_at) if rule is not None else None),
        ("page:generic", meta_date(soup, metas, fetched_at)),
    )
    _put_date(draft, text[:PAGE_CHAR_LIMIT], stated, urls=(page_url, url), fetched_at=fetched_at)
    draft.put("section", plain_text(metas.get("article:section", "")), "page:generic")
    page_chars = max(chars(ruled), chars(generic))
    if jsonld_body and chars(jsonld_body) >= _JSONLD_BODY_SHARE * page_chars:
        draft.put("body", jsonld_body, "page:jsonld")
    draft.put("body", ruled, "page:rules")
    draft.put("headline", generic_headline(soup, metas), "page:generic")
    if "body" not in draft.provenance:
        draft.put("body", _with_visible_lead(generic, draft, page.tree), "page:trafilatura")
    if chars(draft.body) < _MIN_ARTICLE_CHARS:
        raise NoArticleError(_no_article_reason(soup, url, page), headline=draft.headline, published_at=draft.published_at)
    if draft.subtitle and is_lead_of(draft.subtitle, draft.body):
        draft.subtitle = None
        draft.provenance.pop("subtitle", None)
    return build_article(draft, source=source, url=page_url, url_origin="page", guid=page_url, fetched_at=fetched_at)


def _jsonld_date(node: Mapping[str, Any], fetched_at: dt.datetime) -> dt.datetime | None:
    return parse_datetime(node.get("datePublished") or node.get("dateCreated"), not_after=fetched_at)


def _from_jsonld(node: Mapping[str, Any], draft: Draft) -> list[str]:
    """Headline, section and description from the page's NewsArticle (or kin); returns its
    articleBody as paragraphs for the caller to weigh against the page's own text."""
    origin = "page:jsonld"
    draft.put("headline", jsonld_text(node.get("headline") or node.get("name")), origin)
    draft.put("section", jsonld_text(node.get("articleSection")), origin)
    draft.put("subtitle", jsonld_text(node.get("description")), origin)
    body = node.get("articleBody")
    if not isinstance(body, str) or len(body) < MIN_BODY_CHARS:
        return []
    paragraphs = markup_paragraphs(body)
    # A long body flattened onto one line has lost its paragraphs: let the page supply them.
    return paragraphs if len(paragraphs) > 1 or len(body) < 1000 else []


def _trafilatura_body(tree: HtmlElement, url: str | None) -> list[str]:
    """Story paragraphs by trafilatura's generic extraction (see ``_bounded_by_precision``), on
    the page less the blocks our names call junk; when that pre-pass leaves no story (a blog's
    whole post sits in a "widget"), on the page as it is."""
    cleaned = _bounded_by_precision(tree, drop_junk=True, url=url)
    if chars(cleaned) >= MIN_BODY_CHARS:
        return cleaned
    plain = _bounded_by_precision(tree, drop_junk=False, url=url)
    return plain if chars(plain) > chars(cleaned) else cleaned


def _bounded_by_precision(tree: HtmlElement, *, drop_junk: bool, url: str | None) -> list[str]:
    """trafilatura's default paragraphs from the first to the last that its precision mode keeps.
    Precision mode cuts what surrounds the story (paywall notices, comments, teasers) better than
    the default, but it also drops paragraphs inside the story (a line that is one link, a
    heading with an anchor); between its first and last paragraph, the default's are the story."""
    precise = _trafilatura_paragraphs(tree, drop_junk=drop_junk, url=url, favor_precision=True)
    full = _trafilatura_paragraphs(tree, drop_junk=drop_junk, url=url, favor_precision=False)
    kept = set(precise)
    inside = [number for number, paragraph in enumerate(full) if paragraph in kept]
    return full[inside[0] : inside[-1] + 1] if inside else precise


def _trafilatura_paragraphs(tree: HtmlElement, *, drop_junk: bool, url: str | None, favor_precision: bool) -> list[str]:
    scratch = copy.deepcopy(tree)  # trafilatura prunes the tree it is given; htmldate reads it after
    if drop_junk:
        drop_junk_elements(scratch)
    try:
        document: Any = bare_extraction(
            scratch, url=url, include_comments=False, include_tables=True, favor_precision=favor_precision
        )
    except Exception:  # noqa: BLE001 (a third-party heuristic on hostile input: its failure is "no body")
        return []
    text = getattr(document, "text", None) or ""
    return story_paragraphs([p for p in (" ".join(line.split()) for line in text.split("\n")) if p])


def _with_visible_lead(paragraphs: list[str], draft: Draft, tree: HtmlElement) -> list[str]:
    """Generic paragraphs less a repeat of the headline, and with the page's lead block in front
    when the extractor left it out: a description the page shows as a block of its own right
    before the container of the story (a "summary" beside the "text") is its first paragraph; a
    deck under the headline is not."""
    body = [p for p in paragraphs if p != draft.headline]
    lead = draft.subtitle
    if body and lead and not is_lead_of(lead, body) and _lead_block_before(tree, lead, body[0]):
        return [lead, *body]
    return body


def _lead_block_before(tree: HtmlElement, lead: str, first: str) -> bool:
    """Whether an element's whole text is ``lead`` and its next sibling holds ``first``."""
    wanted, start = " ".join(lead.split()), " ".join(lead.split())[:40]
    for element in tree.iter("div", "p", "h2", "section"):
        own = " ".join((element.text or "").split())
        if own and own.startswith(start) and " ".join(element.text_content().split()) == wanted:
            following = element.getnext()
            return following is not None and first[:60] in " ".join(following.text_content().split())
    return False


def _put_date(
    draft: Draft,
    markup: str,
    stated: tuple[tuple[str, dt.datetime | None], ...],
    *,
    urls: tuple[str | None, ...],
    fetched_at: dt.datetime,
) -> None:
    """The publication day is htmldate's (original date, extensive search) whenever it finds one:
    where the page's own statements (JSON-LD, site rule, <meta>, in that order) disagree with it,
    htmldate was right more often on the development sets, so they only lend their time of day
    to the same day. Without htmldate's day the first statement, else the URL's date, is taken;
    whatever becomes of the body, so a page without a story still dates itself."""
    day = htmldate_date(markup, next((u for u in urls if u), None), fetched_at)
    found = [(origin, when) for origin, when in stated if when is not None]
    if day is not None:
        found = [(origin, when) for origin, when in found if when.date() == day.date()] or [("page:htmldate", day)]
    for origin, when in found[:1]:
        draft.put("published_at", when, origin)
    draft.put("published_at", url_date(urls), "page:url")


def _no_article_reason(soup: BeautifulSoup, url: str | None, page: ParsedPage) -> str:
    refresh = soup.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.IGNORECASE)})
    target = re.search(r"url\s*=\s*['\"]?([^'\";]+)", str(refresh.get("content", ""))) if refresh else None
    if target:
        return f"no article text: the page redirects to {urljoin(url or '', target.group(1).strip())}"
    if page.truncated:
        return "no article text found in the first part of an oversized page"
    return "no article text found on the page"
