"""Issue 28: the quote extractor over small invented items, one construct each, and its bounds
against hostile text."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from wirewatch.wire.codec import make_item
from wirewatch.model import Quote, WireItem
from wirewatch.quotes import MAX_QUOTES, extract_quotes

PUBLISHED = dt.datetime(2025, 3, 14, 9, 0, tzinfo=dt.timezone.utc)  # a Friday


def quotes_of(*paragraphs: str, published: dt.datetime | None = PUBLISHED) -> list[Quote]:
    item = make_item(section="World", headline="Test", subtitle=None, paragraphs=list(paragraphs), published=published)
    found = extract_quotes(item, published=published)
    for q in found:  # every span is where its text stands
        assert item.body[q.start : q.end] == q.text
    return found


def said(found: list[Quote]) -> list[tuple[str, str, str | None]]:
    return [(q.kind, q.text, q.speaker) for q in found]


def test_curly_quote_with_he_said_resolved_to_the_named_person():
    found = quotes_of(
        "OSLO, March 14. /TASS/. Talks on the fishing quota have stalled, Fisheries Minister Ingrid Nordvik said on Thursday.",
        "“We have made no progress since January,” she said.",
    )
    assert said(found) == [
        ("indirect", "Talks on the fishing quota have stalled", "Ingrid Nordvik"),
        ("direct", "We have made no progress since January", "Ingrid Nordvik"),
    ]
    assert (found[0].speaker_title, found[0].cue, found[0].said_at, found[0].said_at_source) == (
        "Fisheries Minister", "said", dt.date(2025, 3, 13), "on Thursday")  # fmt: skip
    assert (found[1].said_at, found[1].cue) == (None, "said")


@pytest.mark.parametrize(("opening", "closing"), [('"', '"'), ("«", "»"), ("‘", "’")])
def test_straight_guillemet_and_single_marks(opening: str, closing: str):
    found = quotes_of(f"{opening}The harbour will reopen next week,{closing} port director Lars Berg told reporters.")
    assert said(found) == [("direct", "The harbour will reopen next week", "Lars Berg")]
    assert found[0].cue == "told"


def test_a_quote_split_by_its_attribution_is_two_quotes_of_one_speaker():
    found = quotes_of("“The bridge is safe,” said Mayor Elena Ruiz. “It was inspected in May and again last week.”")
    assert said(found) == [
        ("direct", "The bridge is safe", "Elena Ruiz"),
        ("direct", "It was inspected in May and again last week.", "Elena Ruiz"),
    ]
    assert found[0].speaker_title == "Mayor"


def test_a_quote_over_several_paragraphs():
    found = quotes_of(
        "Central bank governor Tomas Weber spoke at length.",
        "“Inflation is falling faster than we expected. Wages are catching up.",
        "“We will not cut rates before the summer,” he said.",
    )
    assert [(q.kind, q.paragraph, q.speaker) for q in found] == [("direct", 1, "Tomas Weber")]
    assert found[0].text.startswith("Inflation is falling") and found[0].text.endswith("before the summer")


def test_a_role_resolves_to_the_person_with_that_title_and_an_unknown_one_stays_null():
    found = quotes_of(
        "Deputy Foreign Minister Pavel Orlov met the delegation, and energy expert Mira Holm joined later.",
        "The sanctions will not last, the deputy minister observed. Prices will rise, the expert noted.",
        "“Nobody wins a trade war,” the ambassador said.",
    )
    assert said(found) == [
        ("indirect", "The sanctions will not last", "Pavel Orlov"),
        ("indirect", "Prices will rise", "Mira Holm"),
        ("direct", "Nobody wins a trade war", None),  # no ambassador in the item: not guessed
    ]


def test_a_pronoun_with_nobody_before_it_is_null():
    assert said(quotes_of("“We are ready to talk about everything,” he said.")) == [
        ("direct", "We are ready to talk about everything", None)]  # fmt: skip


def test_an_organisation_speaks_and_it_and_the_ministry_refer_back_to_it():
    found = quotes_of(
        "The Norwegian Health Ministry said in a statement that the vaccine supply is sufficient.",
        "“No region will be left short,” the ministry added. “Deliveries resume on Monday,” it said.",
    )
    assert said(found) == [
        ("indirect", "the vaccine supply is sufficient", "Norwegian Health Ministry"),
        ("direct", "No region will be left short", "Norwegian Health Ministry"),
        ("direct", "Deliveries resume on Monday", "Norwegian Health Ministry"),
    ]
    assert all(q.speaker_is_org for q in found)


def test_according_to_and_said_that():
    found = quotes_of(
        "According to Interior Minister Jonas Alm, the border will stay open.",
        "Alm said that the police would be reinforced in the north.",
    )
    assert said(found) == [
        ("indirect", "the border will stay open", "Jonas Alm"),
        ("indirect", "the police would be reinforced in the north", "Jonas Alm"),
    ]
    assert [q.cue for q in found] == ["according to", "said"]


def test_when_said_from_the_text_date_and_relative_words():
    found = quotes_of(
        "LIMA, March 14. /TASS/. Economy Minister Rosa Vidal said two weeks ago the deficit would shrink.",
        "She told reporters on March 3 that growth would reach 3%.",
    )
    assert [(q.said_at, q.said_at_source, q.said_at_basis) for q in found] == [
        (dt.date(2025, 2, 28), "two weeks ago", "relative"),
        (dt.date(2025, 3, 3), "on March 3", "published"),
    ]


def test_short_quoted_phrases_without_a_cue_are_not_speech():
    assert quotes_of("The so-called “shadow fleet” was sighted near the “red zone” again.") == []


def test_russian_dash_speech_and_cues():
    found = quotes_of(
        "МОСКВА, 14 марта. /ТАСС/. Министр Иван Петров заявил, что переговоры продолжатся.",
        "— Мы готовы к диалогу, — сказал Петров.",
        "«Решение будет принято в апреле», — отметил он.",
    )
    assert [(q.kind, q.speaker) for q in found] == [
        ("indirect", "Иван Петров"), ("direct", "Иван Петров"), ("direct", "Иван Петров")]  # fmt: skip
    assert [q.text for q in found[1:]] == ["Мы готовы к диалогу", "Решение будет принято в апреле"]


def test_the_seed_speakers_with_titles_and_he_said_resolved():
    from pathlib import Path

    from wirewatch.wire.codec import parse

    seed = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
    found = extract_quotes(parse(seed.read_text(encoding="utf-8")))
    speakers = [q.speaker for q in found]
    # nine statements each, most of them "he said" after the name was given once
    assert speakers == ["Anatoly Antonov"] * 9 + ["Alexei Arbatov"] * 9 + ["Dmitry Rogozin"] * 9
    assert [q.kind for q in found].count("direct") == 18
    titles = {q.speaker: q.speaker_title for q in found}
    assert titles == {
        "Anatoly Antonov": "Deputy Defense Minister",
        "Alexei Arbatov": "Russian military strategy expert",
        "Dmitry Rogozin": "Russian Permanent Representative to NATO, Presidential Envoy for Missile Defense "
                          "Interaction with the Alliance",
    }  # fmt: skip
    dated = {(q.speaker, q.said_at, q.said_at_source) for q in found if q.said_at}
    assert dated == {
        ("Anatoly Antonov", dt.date(2011, 9, 27), "on Tuesday"),
        ("Alexei Arbatov", dt.date(2011, 9, 20), "on September 20"),
        ("Dmitry Rogozin", dt.date(2011, 9, 13), "two weeks before"),
        ("Dmitry Rogozin", dt.date(2011, 9, 16), "on September 16"),
    }


@pytest.mark.parametrize("text", [
    "\"" * 1_000_000,
    "“" * 1_000_000,
    "“a” " * 250_000,
    "«" * 500_000 + "»" * 500_000,
    "He said “" + "word " * 200_000,
    "a, he said, " * 80_000,
    "‘" * 1_000_000,
])  # fmt: skip
def test_a_hostile_megabyte_paragraph_is_bounded(text: str):
    item = WireItem("World", "Test", paragraphs=(text,))
    found = extract_quotes(item)
    assert len(found) <= MAX_QUOTES
    for q in found:
        assert item.body[q.start : q.end] == q.text


@pytest.mark.slow
def test_extraction_time_grows_linearly_with_hostile_text():
    """Ten times the text takes at most about ten times as long (not a hundred)."""

    def seconds(n: int) -> float:
        item = WireItem("World", "Test", paragraphs=(("“a,” he said. " * n),))
        started = time.perf_counter()
        extract_quotes(item)
        return time.perf_counter() - started

    small, large = min(seconds(5_000) for _ in range(3)), min(seconds(50_000) for _ in range(3))
    assert large < small * 25


# ---------------------------------------------------------------------------------------------
# Topic rules scoped to speech


def seed_item() -> WireItem:
    from pathlib import Path

    from wirewatch.wire.codec import parse

    return parse((Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt").read_text(encoding="utf-8"))


def topic_hits(query: str, item: WireItem) -> list[tuple[str, str]]:
    from wirewatch.config import TopicConfig
    from wirewatch.topics.matcher import compile_topics

    found = compile_topics([TopicConfig(name="t", query=query)]).match(item)
    return [(h.field, item.body[h.start : h.end] if h.field == "quote" else h.term) for m in found for h in m.hits]


def test_speaker_and_quote_scopes_combine_with_the_other_operators():
    item = seed_item()
    assert topic_hits("speaker:Rogozin", item) == [("speaker", "Rogozin")]
    assert topic_hits("speaker:Obama", item) == []  # named in a quote, never a speaker
    assert topic_hits("quote:Obama", item) == [("quote", "Obama")]
    # the three quotes where the interceptor base in Poland comes up
    assert topic_hits('speaker:Rogozin quote:(interceptor NEAR/3 Poland)', item) == [
        ("speaker", "Rogozin"), *[("quote", "interceptor"), ("quote", "Poland")] * 3]  # fmt: skip
    assert topic_hits("speaker:Rogozin NOT quote:Poland", item) == []
    assert topic_hits('speaker:"military strategy expert" quote:destructive', item) == [
        ("speaker", "military strategy expert"), ("quote", "destructive")]  # fmt: skip


def test_unscoped_terms_do_not_count_the_quotes_twice():
    from wirewatch.config import TopicConfig
    from wirewatch.topics.matcher import compile_topics

    item = seed_item()
    plain = compile_topics([TopicConfig(name="t", query="Obama")]).match(item)
    with_speech = compile_topics([TopicConfig(name="t", query="Obama"), TopicConfig(name="s", query="speaker:Rogozin")])
    assert [(m.hits, m.score) for m in with_speech.match(item) if m.topic == "t"] == [(plain[0].hits, plain[0].score)]


def test_a_speech_topic_explains_itself_with_the_quote():
    from wirewatch.config import TopicConfig
    from wirewatch.topics.matcher import compile_topics

    match = compile_topics([TopicConfig(name="t", query="speaker:Arbatov quote:destructive")]).match(seed_item())[0]
    assert match.snippet == "The U.S. course is absolutely «destructive»"
