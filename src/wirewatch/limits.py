"""Text limits every article meets before it is stored, whatever read it (feed, page, file, wire
format): a hostile source cannot make a headline of megabytes, or one that displays as something
it is not. Pure: an article in, an article out."""

from __future__ import annotations

import dataclasses
import re

from wirewatch.model import Article

HEADLINE_MAX = 1_000  # characters
SUBTITLE_MAX = 2_000
DATELINE_MAX = 500
BODY_MAX = 1_000_000  # characters of body text, paragraphs together
# Bidirectional embedding, override and isolate controls: they reorder how a headline displays.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_bidi(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def capped(article: Article) -> Article:
    """``article`` with bidi controls removed from headline and subtitle and every text field cut
    to its maximum; the cut fields are listed in ``provenance["truncated"]``."""
    item = article.item
    cut: list[str] = []

    def limit(name: str, text: str, most: int) -> str:
        if len(text) <= most:
            return text
        cut.append(name)
        return text[:most]

    headline = limit("headline", strip_bidi(item.headline), HEADLINE_MAX)
    subtitle = None if item.subtitle is None else limit("subtitle", strip_bidi(item.subtitle), SUBTITLE_MAX)
    dateline = item.dateline
    if dateline is not None and len(dateline.raw) > DATELINE_MAX:
        dateline = dataclasses.replace(dateline, raw=limit("dateline", dateline.raw, DATELINE_MAX))
    paragraphs = _body_within(item.paragraphs, cut)
    changed = (headline, subtitle, dateline, paragraphs) != (item.headline, item.subtitle, item.dateline, item.paragraphs)
    if not changed:
        return article
    provenance = dict(article.provenance)
    if cut:
        provenance["truncated"] = ",".join(cut)
    new_item = dataclasses.replace(item, headline=headline, subtitle=subtitle, dateline=dateline, paragraphs=paragraphs)
    return dataclasses.replace(article, item=new_item, provenance=provenance)


def _body_within(paragraphs: tuple[str, ...], cut: list[str]) -> tuple[str, ...]:
    if sum(map(len, paragraphs)) <= BODY_MAX:
        return paragraphs
    cut.append("body")
    kept: list[str] = []
    left = BODY_MAX
    for paragraph in paragraphs:
        if left <= 0:
            break
        kept.append(paragraph[:left])
        left -= len(paragraph)
    return tuple(kept)
