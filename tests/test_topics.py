"""Topic matching: every operator on real text, normalisation quirks, explanations, the shipped
topics (a positive and a negative example each), backtests and configuration checks."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirewatch.wire import codec
from wirewatch.topics.backtest import BacktestReport, StorySample, TopicBacktest, backtest
from wirewatch.config import ConfigError, TopicConfig, check_topics
from wirewatch.model import Article, Dateline, Hit, TopicMatch, WireItem
from wirewatch.cli.presentation import format_backtest, highlight, match_to_json
from wirewatch.query import QueryError, parse_query
from wirewatch.topics.matcher import compile_topics, normalize_words, rule_version

REPO = Path(__file__).parents[1]
SEED = REPO / "seeds" / "000_1b8f5677dfb19321.txt"


def make_item(
    headline: str,
    *paragraphs: str,
    subtitle: str | None = None,
    place: str | None = None,
    agency: str | None = None,
    section: str = "World",
) -> WireItem:
    dateline = Dateline(raw=f"{place} ({agency}) -", place=place, agency=agency) if place or agency else None
    return WireItem(section, headline, subtitle, dateline, tuple(paragraphs))


def run(query: str, item: WireItem, *, lang: str | None = "en", **topic: object) -> list[TopicMatch]:
    return compile_topics([TopicConfig("t", query, **topic)]).match(item, lang=lang)


def spans(query: str, item: WireItem, **kwargs: object) -> list[tuple[str, str, str]]:
    """(term, field, matched text) of every hit, or [] when the query does not match."""
    texts = {
        "headline": item.headline,
        "subtitle": item.subtitle or "",
        "body": item.body,
        "place": item.dateline.place if item.dateline else "",
        "agency": item.dateline.agency if item.dateline else "",
        "section": item.section,
    }
    return [(h.term, h.field, texts[h.field][h.start : h.end]) for m in run(query, item, **kwargs) for h in m.hits]


def body(*paragraphs: str) -> WireItem:
    return make_item("Headline", *paragraphs)


@pytest.fixture(scope="module")
def shipped() -> list[TopicConfig]:
    tables = tomllib.loads((REPO / "topics.toml").read_text(encoding="utf-8"))["topics"]
    return [TopicConfig(**table) for table in tables]


@pytest.fixture(scope="module")
def defaults(shipped):
    return compile_topics(shipped)


# --- the seed ------------------------------------------------------------------------------------


def test_seed_is_flagged_missile_defense_in_headline_and_body(defaults) -> None:
    item = codec.parse(SEED.read_text(encoding="utf-8"))
    matches = defaults.match(item, lang="en")
    assert [m.topic for m in matches] == ["missile-defense"]
    match = matches[0]
    assert match.hits[0] == Hit("missile defense", "headline", 25, 40)
    assert item.headline[25:40] == "missile defense"
    body_hits = [h for h in match.hits if h.field == "body"]
    assert body_hits[0] == Hit("missile defense", "body", 40, 55)
    assert {item.body[h.start : h.end] for h in body_hits if h.term == "missile defense"} == {
        "missile defense",
        "Missile Defense",
    }
    assert ("interceptor*", "interceptor") in {(h.term, item.body[h.start : h.end]) for h in body_hits}
    assert ("BMD", "BMD") in {(h.term, item.body[h.start : h.end]) for h in body_hits}
    assert match.snippet == "No progress at Russia-US «missile defense» negotiations"
    assert match.rule_version == rule_version(defaults_query(defaults, "missile-defense"))
    assert match.score == 33.5


def defaults_query(matcher, name: str) -> str:
    tables = tomllib.loads((REPO / "topics.toml").read_text(encoding="utf-8"))["topics"]
    return next(t["query"] for t in tables if t["name"] == name)


# --- operators -----------------------------------------------------------------------------------


def test_or_reports_only_the_terms_that_occur() -> None:
    assert spans("ABM OR THAAD", body("A THAAD battery arrived.")) == [("THAAD", "body", "THAAD")]


def test_and_needs_both() -> None:
    assert spans("missile AND treaty", body("The missile treaty lapsed.")) == [
        ("missile", "body", "missile"),
        ("treaty", "body", "treaty"),
    ]
    assert spans("missile AND treaty", body("The missile flew.")) == []


def test_juxtaposition_is_and_not_a_phrase() -> None:
    assert spans("defense missile", body("The missile defense talks.")) == [
        ("missile", "body", "missile"),
        ("defense", "body", "defense"),
    ]
    assert spans('"defense missile"', body("The missile defense talks.")) == []


def test_document_not_excludes_the_article() -> None:
    assert spans("missile NOT test", body("A missile test.")) == []
    assert spans("missile NOT test", body("A missile flew.")) == [("missile", "body", "missile")]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("A Patriot battery was moved.", True),  # 1 word apart
        ("A Patriot air defense battery was moved.", True),  # 3 apart: the limit
        ("A Patriot air and missile defense battery was moved.", False),  # 5 apart
        ("The battery of the Patriot system.", True),  # either order, 3 apart
        ("Patriot. Battery.", True),  # punctuation does not count as words
    ],
)
def test_near_window(text: str, found: bool) -> None:
    assert bool(spans("Patriot NEAR/3 battery", body(text))) is found


def test_near_never_spans_two_fields_or_counts_field_text() -> None:
    item = make_item("Patriot", "battery moved", subtitle="air defense")
    assert spans("Patriot NEAR/5 battery", item) == []


def test_near_measures_phrases_from_their_edges() -> None:
    item = body("Talks on missile defense in Europe stalled.")
    assert spans('"missile defense" NEAR/2 Europe', item) == [
        ("missile defense", "body", "missile defense"),
        ("Europe", "body", "Europe"),
    ]
    assert spans("Talks NEAR/2 Europe", item) == []


def test_near_keeps_only_occurrences_that_are_near() -> None:
    item = body("Aegis is a brand. Far away, many words later, the Aegis destroyer sailed.")
    assert spans("Aegis NEAR/2 destroyer*", item) == [("Aegis", "body", "Aegis"), ("destroyer*", "body", "destroyer")]
    (match,) = run("Aegis NEAR/2 destroyer*", item)
    assert match.hits[0].start == item.body.index("Aegis destroyer")


def test_near_chains_from_the_left_and_takes_or_groups() -> None:
    item = body("The Aegis Ashore radar site in Romania.")
    assert len(spans("(Aegis NEAR/1 ashore) NEAR/4 Romania", item)) == 3  # from "Ashore": 4 words
    assert spans("(Aegis NEAR/1 ashore) NEAR/3 Romania", item) == []
    assert spans("Aegis NEAR/3 (ship* OR radar*)", item) == [("Aegis", "body", "Aegis"), ("radar*", "body", "radar")]


def test_scoped_not_near_versus_document_not() -> None:
    capital = body("Aegis Capital raised a fund.")
    both = body("Aegis Capital raised a fund. The navy's Aegis destroyers then sailed to Capitol Hill.")
    assert spans("Aegis NOT NEAR/3 Capital", capital) == []
    (match,) = run("Aegis NOT NEAR/3 Capital", both)
    assert [both.body[h.start : h.end] for h in match.hits] == ["Aegis"]
    assert match.hits[0].start == both.body.index("Aegis destroyers")
    assert spans("Aegis NOT Capital", both) == []  # a document-wide NOT drops the whole article
    assert spans("Aegis NOT Capital", body("Aegis destroyers sailed.")) == [("Aegis", "body", "Aegis")]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("headline:ABM", ["headline"]),
        ("subtitle:ABM", []),
        ("body:ABM", ["body"]),
        ("place:Moscow", ["place"]),
        ("agency:TASS", ["agency"]),
        ("section:politics", ["section"]),
        ("headline:(Moscow OR TASS)", []),
        ("ABM", ["headline", "body"]),
        ("TASS", ["agency"]),
    ],
)
def test_field_scopes(query: str, found: list[str]) -> None:
    item = make_item(
        "ABM treaty anniversary", "The ABM treaty was signed.", place="MOSCOW", agency="TASS", section="Politics"
    )
    assert [field for _, field, _ in spans(query, item)] == found


# --- terms and normalisation ---------------------------------------------------------------------


def test_wildcard_matches_word_starts_only() -> None:
    item = body("Interceptors intercepted it; nonintercept and intercept too.")
    assert [t for _, _, t in spans("intercept*", item)] == ["Interceptors", "intercepted", "intercept"]


def test_wildcard_at_the_end_of_a_phrase() -> None:
    assert [t for _, _, t in spans('"missile intercept*"', body("A missile interceptor base."))] == [
        "missile interceptor"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "the missile defense plan",
        "the missile-defense plan",
        "the “missile defense” plan",
        "the Missile\nDefense plan",
        "the missile — defense plan",
        "the missile  defense plan",
    ],
)
def test_phrases_ignore_what_separates_words(text: str) -> None:
    assert len(spans('"missile defense"', body(text))) == 1


@pytest.mark.parametrize(
    ("text", "covered"),
    [
        ("an anti-missile shield", "anti-missile"),
        ("an anti missile shield", "anti missile"),
        ("an antimissile shield", "antimissile"),
        ("an ANTI–MISSILE shield", "ANTI–MISSILE"),
    ],
)
def test_hyphen_in_a_term_matches_hyphen_space_or_nothing(text: str, covered: str) -> None:
    assert spans("anti-missile", body(text)) == [("anti-missile", "body", covered)]


def test_unhyphenated_term_matches_only_the_closed_form() -> None:
    assert spans("antimissile", body("an anti-missile shield")) == []


def test_exact_case_acronyms() -> None:
    assert spans("=ABM", body("The ABM treaty.")) == [("ABM", "body", "ABM")]
    assert spans("=ABM", body("The abm treaty and the Abm one.")) == []
    assert spans("ABM", body("The abm treaty.")) == [("ABM", "body", "abm")]


def test_exact_case_cyrillic_acronym_is_not_the_word_about() -> None:
    assert spans("=ПРО", body("Москва против ПРО США.")) == [("ПРО", "body", "ПРО")]
    assert spans("=ПРО", body("Он рассказал про переговоры и Про них.")) == []


def test_exact_case_phrase() -> None:
    assert spans('="New START"', body("The New START treaty.")) == [("New START", "body", "New START")]
    assert spans('="New START"', body("A new start for the team.")) == []


def test_words_inside_urls_never_match() -> None:
    item = body("See https://example.org/ABM/treaty or www.abm.example and HTTP://ABM.EXAMPLE/x; the abm page.")
    assert spans("=ABM", item) == []
    start = item.body.index("abm page")
    assert [(h.start, h.end) for m in run("abm", item) for h in m.hits] == [(start, start + 3)]


def test_yo_is_read_as_ye() -> None:
    assert spans("Королёв", body("Город Королев.")) == [("Королёв", "body", "Королев")]
    assert spans("Королев", body("Город Королёв.")) == [("Королев", "body", "Королёв")]


def test_invisible_characters_are_ignored_and_offsets_stay_in_the_original() -> None:
    item = body("The mis\u00adsile defense\u2060 talks; the\u200bABM\u200b treaty.")
    assert spans('"missile defense" OR =ABM', item) == [
        ("missile defense", "body", "mis\u00adsile defense"),
        ("ABM", "body", "ABM"),
    ]


def test_offsets_count_characters_beyond_the_bmp_once() -> None:
    item = make_item("🚀🚀 ABM test", "𝔘nicode ABM")
    assert spans("=ABM", item) == [("ABM", "headline", "ABM"), ("ABM", "body", "ABM")]


def test_exact_case_wildcard() -> None:
    assert [t for _, _, t in spans("=NAT*", body("NATO and NATIONAL, not nato or National."))] == ["NATO", "NATIONAL"]


def test_lone_surrogates_and_empty_items_do_not_break_matching() -> None:
    assert spans("=ABM", body("Broken \udc80 ABM text")) == [("ABM", "body", "ABM")]
    assert run("ABM", make_item("", section="")) == []
    assert compile_topics([]).match(body("ABM")) == []


def test_every_kind_of_query_is_evaluated_when_its_terms_occur() -> None:
    item = make_item("ABM talks", "The treaty was signed in Geneva.")
    assert [
        m.topic
        for m in compile_topics(
            [
                TopicConfig("double-negation", "NOT NOT ABM"),
                TopicConfig("short-prefix-and-phrase", 'tre* AND "signed in Geneva"'),
                TopicConfig("scoped-not", "headline:ABM NOT body:missile"),
                TopicConfig("scoped-not-fails", "headline:ABM NOT body:treaty"),
                TopicConfig("near-or-not", "(ABM NEAR/1 talks) OR (Geneva NOT NEAR/2 signed)"),
            ]
        ).match(item)
    ] == ["double-negation", "short-prefix-and-phrase", "scoped-not", "near-or-not"]


_WORDS = ["missile", "Defense", "ABM", "ПРО", "про", "ёж", "x1"]
_GLUE = [" ", "-", "—", ", ", "\n\n", "\u00ad", "\u200b", " 🚀 ", "«", "’s "]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GLUE)), min_size=1, max_size=25),
    st.sampled_from(_WORDS),
)
def test_hits_always_point_at_the_term_in_the_original_text(pieces, word) -> None:
    text = "".join(w + g for w, g in pieces)
    item = body(text)
    for match in run(f"={word}", item):
        for hit in match.hits:
            assert normalize_words(item.body[hit.start : hit.end], exact_case=True) == normalize_words(
                word, exact_case=True
            )
    expected = sum(normalize_words(text, exact_case=True).count(w) for w in normalize_words(word, exact_case=True))
    assert sum(len(m.hits) for m in run(f"={word}", item)) == expected


def test_english_stemming() -> None:
    item = body("He defended it, is defending it and defends it; the defense and defenders differ.")
    assert [t for _, _, t in spans("defend~", item)] == ["defended", "defending", "defends", "defenders"]
    assert [t for _, _, t in spans('"arms reduction"~', body("New arms reductions."))] == ["arms reductions"]
    assert [t for _, _, t in spans("hope~", body("Hoping, hopes, hopeful, hop."))] == [
        "Hoping",
        "hopes",
        "hopeful",
    ]  # Snowball: hopeful -> hope; "hop" stays hop


def test_russian_stemming() -> None:
    item = body("Развертывание противоракетной обороны и противоракетную оборону обсудили.")
    assert [t for _, _, t in spans('"противоракетная оборона"~', item)] == [
        "противоракетной обороны",
        "противоракетную оборону",
    ]
    assert spans('"противоракетная оборона"', item) == []


def test_normalize_words() -> None:
    assert normalize_words("Anti-missile «shield», ЁЛКА’s") == ["anti", "missile", "shield", "елка", "s"]
    assert normalize_words("Anti-missile ЁЛКА", exact_case=True) == ["Anti", "missile", "ЕЛКА"]


# --- topics, languages, scores -------------------------------------------------------------------


def test_language_of_a_topic() -> None:
    russian = body("Москва против ПРО США.")
    matcher = compile_topics(
        [
            TopicConfig("en", "=ПРО", lang="en"),
            TopicConfig("ru", "=ПРО", lang="ru"),
            TopicConfig("any", "=ПРО"),
            TopicConfig("ru-RU", "=ПРО", lang="ru-RU"),
        ]
    )
    assert [m.topic for m in matcher.match(russian, lang="ru")] == ["ru", "any", "ru-RU"]
    assert [m.topic for m in matcher.match(russian, lang="en")] == ["en", "any"]
    assert [m.topic for m in matcher.match(russian, lang=None)] == ["ru", "any", "ru-RU"]  # the script decides
    english = body("Moscow objects to the U.S. ABM shield (ПРО).")
    assert [m.topic for m in matcher.match(english, lang=None)] == ["en", "any"]


def test_disabled_topics_are_not_compiled() -> None:
    matcher = compile_topics([TopicConfig("off", "ABM", enabled=False), TopicConfig("on", "ABM")])
    assert matcher.topics == ("on",)
    assert [m.topic for m in matcher.match(body("ABM"))] == ["on"]


def test_topics_share_terms_and_keep_configuration_order() -> None:
    matcher = compile_topics(
        [
            TopicConfig("b", '"missile defense"'),
            TopicConfig("a", "missile NOT defense"),
            TopicConfig("c", "missile* NEAR/1 defense"),
        ]
    )
    assert [m.topic for m in matcher.match(body("The missile defense plan."))] == ["b", "c"]
    assert [m.topic for m in matcher.match(body("The missile flew."))] == ["a"]


def test_score_weights_fields_and_counts_overlaps_once() -> None:
    item = make_item("ABM talks", "ABM in the lead.", "ABM later. ABM again.", subtitle="ABM subtitle", place="ABM")
    (match,) = run("ABM", item)
    assert match.score == 3 + 2 + 1.5 + 1 + 1 + 1
    (overlap,) = run('"ballistic missile defense" OR "missile defense"', body("Lead.", "A ballistic missile defense."))
    assert (len(overlap.hits), overlap.score) == (2, 1.0)


def test_min_score() -> None:
    assert run("ABM", body("ABM in the lead."), min_score=2) == []
    assert [m.score for m in run("ABM", make_item("ABM", "ABM in the lead."), min_score=2)] == [4.5]


def test_snippet_is_the_sentence_of_the_strongest_hit() -> None:
    item = body(
        "Intro. The U.S. missile defense plan and the ABM treaty were discussed. Then lunch.",
        "Later, missile defense again.",
    )
    (match,) = run('"missile defense" OR =ABM', item)
    assert match.snippet == "The U.S. «missile defense» plan and the «ABM» treaty were discussed."


def test_long_sentences_are_clipped_around_the_hit() -> None:
    words = " ".join(f"word{i}" for i in range(120))
    (match,) = run("ABM", body(f"{words} ABM {words}."))
    assert match.snippet.startswith("…") and match.snippet.endswith("…")
    assert "«ABM»" in match.snippet
    assert len(match.snippet) <= 300 + 2 + 2


def test_match_to_json() -> None:
    (match,) = run("=ABM OR treaty~", make_item("ABM treaties", "No."))
    assert match_to_json(match) == {
        "topic": "t",
        "score": 6.0,
        "terms": ["ABM", "treaty~"],
        "hits": [
            {"term": "ABM", "field": "headline", "start": 0, "end": 3},
            {"term": "treaty~", "field": "headline", "start": 4, "end": 12},
        ],
        "snippet": "«ABM» «treaties»",
        "rule_version": rule_version("=ABM OR treaty~"),
    }
    assert json.loads(json.dumps(match_to_json(match))) == match_to_json(match)


def test_highlight_marks_hits_in_headline_and_body() -> None:
    item = make_item("ABM talks", "Nothing here.", "The ABM treaty.", subtitle="Moscow view")
    (match,) = run("ABM", item)
    text = highlight(item, match)
    assert text.plain == "t  score 4  terms: ABM\nABM talks\nMoscow view\n…\nThe ABM treaty.\n"
    marked = sorted(text.plain[s.start : s.end] for s in text.spans if s.style == "bold reverse")
    assert marked == ["ABM", "ABM"]


# --- the shipped topics ---------------------------------------------------------------------------

# topic, whether it fires, headline | first paragraph
EXAMPLES = [
    ("missile-defense", True, "Poland hosts U.S. anti-missile shield | Aegis Ashore site opens."),
    ("missile-defense", True, "Россия обеспокоена развертыванием ПРО США | Речь о противоракетной обороне."),
    ("missile-defense", False, "Aegis Capital hires a patriot | Новости про погоду. The abm.example site."),
    ("nuclear-arms-control", True, "US and Russia extend New START | The treaty limits warheads."),
    ("nuclear-arms-control", True, "Talks on the INF Treaty collapse | Both sides blame each other."),
    ("nuclear-arms-control", False, "Club makes a new start | The START button and arms of the chair."),
    ("hypersonic-weapons", True, "Russia tests Avangard glide vehicle | The system flew at Mach 20."),
    ("hypersonic-weapons", True, "Россия испытала гиперзвуковую ракету | Пуск прошел успешно."),
    ("hypersonic-weapons", False, "Avangard Omsk beat SKA 3-2 | Scientists measured hypersonic airflow in a tunnel."),
    ("nato-enlargement", True, "Finland completes NATO accession | Helsinki is now a member."),
    ("nato-enlargement", True, "Sweden's bid to join NATO advances | Turkey ratified it."),
    ("nato-enlargement", False, "NATO joint exercises begin | Troops from ten members take part in joint drills."),
]


@pytest.mark.parametrize(("topic", "expected", "text"), EXAMPLES, ids=[f"{t}-{e}" for t, e, _ in EXAMPLES])
def test_shipped_topic_examples(defaults, topic: str, expected: bool, text: str) -> None:
    item = make_item(*text.split(" | "))
    assert (topic in [m.topic for m in defaults.match(item, lang=codec.item_lang(item))]) is expected


def test_shipped_topics_are_valid_and_bilingual(shipped) -> None:
    check_topics(shipped, "topics.toml")
    assert [(t.name, t.lang, t.enabled, t.min_score) for t in shipped] == [
        ("missile-defense", None, True, 0),
        ("nuclear-arms-control", None, True, 0),
        ("hypersonic-weapons", None, True, 0),
        ("nato-enlargement", None, True, 0),
    ]


# --- configuration checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        (
            [TopicConfig("missile-defense", '(ABM OR "anti missile"')],
            'topics.toml: topic "missile-defense": query col 23: expected ")"',
        ),
        ([TopicConfig("a", "ABM"), TopicConfig("a", "BMD")], 'topics.toml: topic "a": duplicate name'),
        ([TopicConfig(" ", "ABM")], "topics.toml: topic #1: name: required"),
        ([TopicConfig("a", "ABM", min_score=-1)], 'topics.toml: topic "a": min_score: must be 0 or more, got -1'),
        (
            [TopicConfig("a", "ABM", lang="English")],
            'topics.toml: topic "a": lang: expected a language code such as "en" or "ru", got \'English\'',
        ),
    ],
)
def test_check_topics_messages(topics: list[TopicConfig], message: str) -> None:
    with pytest.raises(ConfigError) as caught:  # the commands print ConfigErrors as one line
        check_topics(topics, "topics.toml")
    assert str(caught.value) == message


def test_every_letter_or_digit_a_query_accepts_is_a_word_to_the_matcher() -> None:
    # config checks topics with the parser alone: a term it accepts must compile
    letters = [chr(code) for code in range(0x10000) if chr(code).isalnum()]
    chunks = [letters[start : start + 1500] for start in range(0, len(letters), 1500)]
    assert [len(parse_query(" OR ".join(chunk)).terms) for chunk in chunks] == [len(chunk) for chunk in chunks]
    assert len(normalize_words(" ".join(letters))) == len(letters)
    assert len(normalize_words(" ".join(letters), exact_case=True)) == len(letters)


def test_compile_names_the_topic_of_a_bad_query() -> None:
    with pytest.raises(QueryError) as caught:
        compile_topics([TopicConfig("ok", "ABM"), TopicConfig("bad", "ABM AND")])
    assert str(caught.value) == 'topic "bad": query col 8: expected a term, a phrase or "("'


# --- backtests ------------------------------------------------------------------------------------


def article(headline: str, day: int, *paragraphs: str) -> Article:
    return Article(
        make_item(headline, *paragraphs), source="test", published_at=dt.datetime(2024, 12, day, 12, tzinfo=dt.UTC)
    )


ARCHIVE = [
    ("a1", "s1", article("ABM treaty talks resume", 3)),
    ("a2", "s1", article("ABM treaty talks resume in Geneva", 4)),
    ("a3", "s1", article("ABM treaty talks resume", 5)),
    ("a4", "s2", article("Patriot battery deployed", 6)),
    ("a5", "s3", article("Grain exports rise", 7)),
    ("a6", "s4", article("ABM mention in an old story", 1)),
]


def test_backtest_of_a_saved_matcher() -> None:
    matcher = compile_topics([TopicConfig("md", "=ABM OR (Patriot NEAR/3 batter*)"), TopicConfig("grain", "grain")])
    report = backtest(matcher, ARCHIVE, since=dt.date(2024, 12, 2))
    assert report == BacktestReport(
        scanned=5,
        since=dt.datetime(2024, 12, 2, tzinfo=dt.UTC),
        topics=(
            TopicBacktest(
                "md",
                matches=4,
                stories=2,
                alerts=2,
                samples=(
                    StorySample("s1", 3, "a1", ("ABM treaty talks resume", "ABM treaty talks resume in Geneva"), ("ABM",)),
                    StorySample("s2", 1, "a4", ("Patriot battery deployed",), ("Patriot", "batter*")),
                ),
            ),
            TopicBacktest(
                "grain", matches=1, stories=1, alerts=1, samples=(StorySample("s3", 1, "a5", ("Grain exports rise",), ("grain",)),)
            ),
        ),
    )
    assert format_backtest(report) == "\n".join(
        [
            "Backtest over 5 articles since 2024-12-02 00:00 UTC",
            "topic  matches  stories  alerts",
            "md           4        2       2",
            "grain        1        1       1",
            "",
            "md: sample stories",
            "  story s1 (3 articles, alert: a1)",
            "    terms: ABM",
            "    ABM treaty talks resume",
            "    ABM treaty talks resume in Geneva",
            "  story s2 (1 article, alert: a4)",
            "    terms: Patriot, batter*",
            "    Patriot battery deployed",
            "",
            "grain: sample stories",
            "  story s3 (1 article, alert: a5)",
            "    terms: grain",
            "    Grain exports rise",
        ]
    )


def test_backtest_of_an_unsaved_query_over_everything() -> None:
    report = backtest("=ABM", reversed(ARCHIVE), samples=1)
    assert (report.scanned, report.since) == (6, None)
    (topic,) = report.topics
    assert (topic.topic, topic.matches, topic.stories, topic.alerts) == ("query", 4, 2, 2)
    assert topic.samples == (
        StorySample("s1", 3, "a1", ("ABM treaty talks resume", "ABM treaty talks resume in Geneva"), ("ABM",)),
    )


# --- real-world material --------------------------------------------------------------------------


def _feed_items(path: Path) -> list[WireItem]:
    import feedparser

    items = []
    for entry in feedparser.parse(str(path)).entries:
        text = html.unescape(re.sub(r"<[^>]+>", " ", entry.get("description", "")))
        items.append(make_item(entry.get("title", ""), text))
    return items


@pytest.mark.corpus
def test_real_reuters_items_with_invisible_characters(defaults, corpus: Path) -> None:
    path = corpus / "feeds" / "reuters_generated_2026.xml"
    flagged = {}
    for item in _feed_items(path):
        for match in defaults.match(item, lang="en"):
            flagged.setdefault(match.topic, []).append((item, match))
    patriot = [m for _, m in flagged["missile-defense"] if "Patriot" in m.terms]
    assert patriot and all("«Patriot»" in m.snippet for m in patriot)
    bodies = " ".join(i.body for i, _ in flagged["missile-defense"])
    assert "Patriot anti-missile systems" in re.sub("[\u200b\u200c\u2060]", "", bodies)
    for item in _feed_items(path):
        if "Patriots for Europe" in item.body and "missile" not in item.body.lower():
            assert "missile-defense" not in [m.topic for m in defaults.match(item, lang="en")]


@pytest.mark.corpus
def test_real_tass_items(defaults, corpus: Path) -> None:
    path = corpus / "wire_text" / "tass_politics_2024-12-26.json"
    flagged = {}
    for record in json.loads(path.read_text(encoding="utf-8")):
        item = make_item(record["title"], *record["content"], subtitle=record.get("description"))
        flagged[record["title"]] = [m.topic for m in defaults.match(item, lang="en")]
    assert "nato-enlargement" in flagged["Putin says Biden in 2021 proposed to postpone Ukraine's admission to NATO"]
    assert "hypersonic-weapons" in flagged["Oreshnik missile systems still few, but they are enough — Putin"]
    assert flagged["Russia’s economic growth will be almost 4% in 2024, Putin says"] == []
