"""Backtests: what topics would have flagged and alerted over stored articles.

A backtest runs the same compiled matcher a run uses (``topics.compile_topics``) over rows read from
the archive, groups the matches by story and counts one alert per story and topic, as the alert
stage does. ``presentation.format_backtest`` writes the report for the terminal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from wirewatch.config import TopicConfig
from wirewatch.model import Article
from wirewatch.query import SPEECH_FIELDS
from wirewatch.topics.matcher import Matcher, compile_topics

__all__ = ["BacktestReport", "StorySample", "TopicBacktest", "article_date", "backtest"]


@dataclass(frozen=True, slots=True)
class StorySample:
    story_id: str
    articles: int  # matching articles in the story
    alert_article_id: str  # the earliest one: the article that would have alerted
    headlines: tuple[str, ...]  # distinct, earliest first, at most three
    terms: tuple[str, ...] = ()  # the terms that matched in the story's articles
    quote: str | None = None  # a topic on speech (speaker:, quote:): the alerting article's quote, hits marked


@dataclass(frozen=True, slots=True)
class TopicBacktest:
    topic: str
    matches: int  # matching articles
    stories: int  # distinct stories among them
    alerts: int  # after once-per-story suppression
    samples: tuple[StorySample, ...]  # the stories with the most matching articles first


@dataclass(frozen=True, slots=True)
class BacktestReport:
    scanned: int  # articles considered (after ``since``)
    since: dt.datetime | None
    topics: tuple[TopicBacktest, ...]


def backtest(
    matcher_or_query: Matcher | str,
    rows: Iterable[tuple[str, str, Article]],
    *,
    since: dt.datetime | dt.date | None = None,
    samples: int = 10,
) -> BacktestReport:
    """What the rule(s) would have flagged and alerted over ``rows`` (article_id, story_id, Article):
    a saved matcher, or a query text that is not saved (reported as topic "query"). ``since``
    skips articles dated before it: the article's own date (its dateline's), else its publication
    time, else its fetch time; articles with none of them are skipped when ``since`` is given."""
    matcher = (
        matcher_or_query
        if isinstance(matcher_or_query, Matcher)
        else compile_topics([TopicConfig("query", matcher_or_query)])
    )
    cutoff = _as_utc(since) if since is not None else None
    scanned = 0
    by_topic: dict[str, dict[str, list[tuple[dt.datetime, str, str, tuple[str, ...], str | None]]]] = {name: {} for name in matcher.topics}
    never = dt.datetime.max.replace(tzinfo=dt.UTC)
    for article_id, story_id, article in rows:
        when = article_date(article)
        if cutoff is not None and (when is None or when < cutoff):
            continue
        scanned += 1
        for match in matcher.match_article(article):
            stories = by_topic[match.topic]
            said = match.snippet if any(h.field in SPEECH_FIELDS for h in match.hits) else None
            stories.setdefault(story_id, []).append((when or never, article_id, article.item.headline, match.terms, said))
    return BacktestReport(scanned, cutoff, tuple(_topic_backtest(n, s, samples) for n, s in by_topic.items()))


def article_date(article: Article) -> dt.datetime | None:
    """When the article says it happened: its dateline's date, else publication, else fetch."""
    dateline_date = article.item.dateline.date if article.item.dateline else None
    when = dateline_date or article.published_at or article.fetched_at
    return _as_utc(when) if when else None


def _topic_backtest(topic: str, stories: dict[str, list[tuple[dt.datetime, str, str, tuple[str, ...], str | None]]], samples: int) -> TopicBacktest:
    ordered = sorted(stories.items(), key=lambda s: (-len(s[1]), min(s[1])))
    picked = []
    for story_id, articles in ordered[:samples]:
        articles.sort()
        headlines = tuple(dict.fromkeys(a[2] for a in articles))[:3]
        terms = tuple(sorted({term for a in articles for term in a[3]}))
        picked.append(StorySample(story_id, len(articles), articles[0][1], headlines, terms, articles[0][4]))
    matches = sum(len(a) for a in stories.values())
    return TopicBacktest(topic, matches, len(stories), len(stories), tuple(picked))


def _as_utc(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

