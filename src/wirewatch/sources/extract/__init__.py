"""Fetched bytes -> Articles: feeds through feedparser, article pages through JSON-LD, site rules,
trafilatura (body) and htmldate (date).

Pure functions: bytes and headers in, Articles out; nothing here touches the network. Every field
of an Article records where it came from in ``Article.provenance`` ("feed", "feed:summary",
"page:jsonld", "page:rules", "page:generic", "page:trafilatura", "page:htmldate", "page:url",
"config"), so bad extractions can be found with SQL.

Modules by concern, as trafilatura splits its own: ``html`` (charset, bounded parse, cleaning,
paragraphs), ``metadata`` (JSON-LD, meta, dates), ``rules`` (site rules, data in
``site_rules.toml``), ``feeds``, ``pages``, ``articles`` (building Articles with provenance).
"""

from wirewatch.sources.extract.articles import raw_paragraphs, with_page_text
from wirewatch.sources.extract.errors import ExtractError, NoArticleError
from wirewatch.sources.extract.feeds import FeedExtract, feed_articles
from wirewatch.sources.extract.html import (
    PAGE_CHAR_LIMIT,
    declared_charset,
    decode_markup,
    drop_junk,
    element_paragraphs,
    header_charset,
    markup_paragraphs,
    plain_text,
)
from wirewatch.sources.extract.metadata import date_from_url, parse_datetime
from wirewatch.sources.extract.pages import page_article
from wirewatch.sources.extract.rules import SITE_RULES, SiteRule, load_site_rules, site_rule_for

__all__ = [
    "PAGE_CHAR_LIMIT",
    "SITE_RULES",
    "ExtractError",
    "FeedExtract",
    "NoArticleError",
    "SiteRule",
    "date_from_url",
    "declared_charset",
    "decode_markup",
    "drop_junk",
    "element_paragraphs",
    "feed_articles",
    "header_charset",
    "load_site_rules",
    "markup_paragraphs",
    "page_article",
    "parse_datetime",
    "plain_text",
    "raw_paragraphs",
    "site_rule_for",
    "with_page_text",
]
