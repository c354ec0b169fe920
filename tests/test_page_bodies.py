"""The body of a page without a site rule or a usable JSON-LD body: trafilatura's default
paragraphs within the first and last that its precision mode keeps, on the page less the blocks
our names call junk, or on the page as it is when that pre-pass leaves no story."""

from __future__ import annotations

import datetime as dt

from wirewatch.config import SourceConfig
from wirewatch.sources.extract import page_article

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
PAGE = SourceConfig(name="wire", kind="page")
PARAGRAPHS = tuple(
    f"Paragraph {n} of the harbour story: the pilots ended their walkout after the port authority agreed "
    "to hire more pilots and to cap night shifts, the association said on Friday."
    for n in range(1, 5)
)
STORY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def _article(body: str):
    html = f"<html><head><title>Harbour pilots end walkout</title></head><body>{body}</body></html>"
    return page_article(html.encode(), url="https://news.example/a/1", source=PAGE, fetched_at=NOW)


def test_teasers_after_the_story_are_not_body() -> None:
    teasers = (
        "<div class='x'><h3>More from the region</h3><p>Ferry operators warn of delays as the bridge closes for "
        "repairs over the weekend, officials said.</p><p>City council approves new tram line after a two year "
        "debate among residents.</p></div>"
    )
    article = _article(f"<h1>Harbour pilots end walkout</h1><div class='main'><article>{STORY}</article>{teasers}</div>")
    assert article.item.paragraphs == PARAGRAPHS
    assert article.provenance["body"] == "page:trafilatura"


def test_a_story_inside_a_block_named_like_junk_is_still_found() -> None:
    # Blogger puts the whole post inside <div class="widget Blog">.
    article = _article(
        "<div class='widget Blog' id='Blog1'><h1>Harbour pilots end walkout</h1>"
        f"<div class='post'>{STORY}</div></div>"
    )
    assert article.item.paragraphs == PARAGRAPHS
    assert article.provenance["body"] == "page:trafilatura"


def test_a_link_line_inside_the_story_stays() -> None:
    # trafilatura's precision mode drops it, its default mode keeps it: inside the paragraphs that
    # precision mode keeps, the default mode's are the story.
    inside = "<p><a href='https://events.example/42'>See the event page for the full programme</a></p>"
    article = _article(
        f"<h1>Harbour pilots end walkout</h1><article><p>{PARAGRAPHS[0]}</p>{inside}"
        f"{''.join(f'<p>{p}</p>' for p in PARAGRAPHS[1:])}</article>"
    )
    assert article.item.paragraphs == (PARAGRAPHS[0], "See the event page for the full programme", *PARAGRAPHS[1:])
