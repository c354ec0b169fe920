"""How the CLI shows topic matches and backtests: highlighted terminal text (rich), the same hits
between « » off a terminal, JSON lines, and the backtest report as plain text.

The matcher (``wirewatch.topics.matcher``) never imports rich; only the commands that print come here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from wirewatch.topics.backtest import BacktestReport
from wirewatch.model import Hit, TopicMatch, WireItem
from wirewatch.query import FIELDS
from wirewatch.topics.matcher import field_texts

__all__ = ["HIT_STYLE", "format_backtest", "highlight", "marked_hits", "match_to_json"]

HIT_STYLE = "bold reverse"


def highlight(item: WireItem, match: TopicMatch, *, style: str = HIT_STYLE) -> Text:
    """For the terminal: the match's topic, score and terms, then the headline, subtitle, the
    dateline fields that were hit and the body paragraphs that hold hits, hits highlighted."""
    out = Text()
    out.append(f"{match.topic}", style="bold")
    out.append(f"  score {match.score:g}  terms: {', '.join(match.terms)}\n")
    texts = field_texts(item)
    for index, name in enumerate(FIELDS):
        # quote hits carry body offsets (topics._in_body): shown where they stand in the body
        field_hits = [h for h in match.hits if h.field == name or (name == "body" and h.field == "quote")]
        if name == "body":
            out.append_text(_highlight_body(texts[index], field_hits, style))
        elif name in ("headline", "subtitle") or field_hits:
            if not texts[index]:
                continue
            label = "" if name in ("headline", "subtitle") else f"{name}: "
            line = Text(label + texts[index], style="bold" if name == "headline" else "")
            for hit in field_hits:
                line.stylize(style, len(label) + hit.start, len(label) + hit.end)
            out.append_text(line)
            out.append("\n")
    return out


def _highlight_body(body: str, hits: Sequence[Hit], style: str) -> Text:
    out = Text()
    at, skipped = 0, False
    for paragraph in body.split("\n\n"):
        end = at + len(paragraph)
        inside = [h for h in hits if h.start < end and h.end > at]
        if inside:
            line = Text(("…\n" if skipped else "") + paragraph)
            shift = 2 if skipped else 0
            for hit in inside:
                line.stylize(style, shift + max(hit.start, at) - at, shift + min(hit.end, end) - at)
            out.append_text(line)
            out.append("\n")
            skipped = False
        else:
            skipped = True
        at = end + 2
    if skipped and hits:
        out.append("…\n")
    return out


def marked_hits(shown: Text) -> Text:
    """Off a terminal styles vanish: put the hits between « » as the snippets do."""
    plain = shown.plain
    marked, at = [], 0
    for span in sorted((s for s in shown.spans if s.style == HIT_STYLE), key=lambda s: s.start):
        if span.start < at:
            continue  # overlapping hits: the first one's marks hold both
        marked += [plain[at : span.start], "«", plain[span.start : span.end], "»"]
        at = span.end
    return Text("".join([*marked, plain[at:]]))


def match_to_json(match: TopicMatch) -> dict[str, Any]:
    """The match as one JSON object (``topics check --json``)."""
    return {
        "topic": match.topic,
        "score": match.score,
        "terms": list(match.terms),
        "hits": [{"term": h.term, "field": h.field, "start": h.start, "end": h.end} for h in match.hits],
        "snippet": match.snippet,
        "rule_version": match.rule_version,
    }


def format_backtest(report: BacktestReport) -> str:
    """The report as plain text: a table of topics, then sample headlines per story."""
    since = f" since {report.since:%Y-%m-%d %H:%M} UTC" if report.since else ""
    width = max([len("topic"), *(len(t.topic) for t in report.topics)])
    lines = [
        f"Backtest over {report.scanned:,} articles{since}",
        f"{'topic':<{width}}  {'matches':>7}  {'stories':>7}  {'alerts':>6}",
    ]
    for topic in report.topics:
        lines.append(f"{topic.topic:<{width}}  {topic.matches:>7,}  {topic.stories:>7,}  {topic.alerts:>6,}")
    for topic in report.topics:
        if topic.samples:
            lines.append("")
            lines.append(f"{topic.topic}: sample stories")
        for sample in topic.samples:
            count = f"{sample.articles} article{'s' if sample.articles != 1 else ''}"
            lines.append(f"  story {sample.story_id} ({count}, alert: {sample.alert_article_id})")
            if sample.terms:
                lines.append(f"    terms: {', '.join(sample.terms)}")
            lines.extend(f"    {headline}" for headline in sample.headlines)
            if sample.quote:
                lines.append(f"    said: {sample.quote}")
    return "\n".join(lines)
