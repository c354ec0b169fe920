"""The wire-format codec: the seed, every dateline style, year resolution, round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirewatch.wire import codec
from wirewatch.wire.dateline import (
    cache_hits,
    clear_caches,
    parse_date_text,
    resolve_date,
    split_dateline,
    weekday_named,
    years_mentioned,
)
from wirewatch.model import WireItem

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"


def test_seed_parses_to_its_parts_and_renders_back_byte_for_byte():
    text = SEED.read_text(encoding="utf-8")
    item = codec.parse(text)
    assert item.section == "All news"
    assert item.headline == "No progress at Russia-US missile defense negotiations"
    assert item.subtitle == (
        "Russia is ready for compromises but they must be reasonable - Deputy Defense Minister Anatoly Antonov"
    )
    assert item.dateline is not None
    assert item.dateline.raw == "CHEBARKUL, Chelyabinsk region, September 27 (Itar-Tass) ——"
    assert item.dateline.place == "CHEBARKUL"
    assert item.dateline.region == "Chelyabinsk region"
    assert item.dateline.date_text == "September 27"
    assert item.dateline.agency == "TASS"
    assert item.dateline.agency_raw == "Itar-Tass"
    assert item.dateline.separator == "——"
    assert item.dateline.date == dt.date(2011, 9, 27)
    assert item.dateline.date_source == "weekday"
    assert len(item.paragraphs) == 21
    assert item.paragraphs[0].startswith("There is no progress at the Russia-U.S. missile defense")
    assert codec.render(item).encode("utf-8") == SEED.read_bytes()


# (paragraph, raw, place, region, date_text, agency, agency_raw, separator)
DATELINES = [
    ("CHEBARKUL, Chelyabinsk region, September 27 (Itar-Tass) —— There", "CHEBARKUL, Chelyabinsk region, September 27 (Itar-Tass) ——", "CHEBARKUL", "Chelyabinsk region", "September 27", "TASS", "Itar-Tass", "——"),
    ("MOSCOW, February 7. /TASS/. Russia", "MOSCOW, February 7. /TASS/.", "MOSCOW", None, "February 7", "TASS", "TASS", "."),
    ("IGORA /Leningrad Region/, December 26. /TASS/. Russia", "IGORA /Leningrad Region/, December 26. /TASS/.", "IGORA", "Leningrad Region", "December 26", "TASS", "TASS", "."),
    ("MURMANSK. February 7. /TASS/. The", "MURMANSK. February 7. /TASS/.", "MURMANSK", None, "February 7", "TASS", "TASS", "."),
    ("MOSCOW, February 7, /TASS/. The", "MOSCOW, February 7, /TASS/.", "MOSCOW", None, "February 7", "TASS", "TASS", "."),
    ("МОСКВА, 28 ноября. /ТАСС/. Президент", "МОСКВА, 28 ноября. /ТАСС/.", "МОСКВА", None, "28 ноября", "TASS", "ТАСС", "."),
    ("WASHINGTON (Reuters) - The", "WASHINGTON (Reuters) -", "WASHINGTON", None, None, "Reuters", "Reuters", "-"),
    ("NOIDA, India, April 13 (Reuters) - Police", "NOIDA, India, April 13 (Reuters) -", "NOIDA", "India", "April 13", "Reuters", "Reuters", "-"),
    ("April 13 (Reuters) - Rosneft", "April 13 (Reuters) -", None, None, "April 13", "Reuters", "Reuters", "-"),
    ("ABOARD THE PAPAL FLIGHT, April 15 (Reuters) - Pope", "ABOARD THE PAPAL FLIGHT, April 15 (Reuters) -", "ABOARD THE PAPAL FLIGHT", None, "April 15", "Reuters", "Reuters", "-"),
    ("WASHINGTON (AP) — The", "WASHINGTON (AP) —", "WASHINGTON", None, None, "AP", "AP", "—"),
    ("ATLANTA (AP) _ A", "ATLANTA (AP) _", "ATLANTA", None, None, "AP", "AP", "_"),
    ("STOCKHOLM, Aug 29, 2014 (AFP) - Sweden", "STOCKHOLM, Aug 29, 2014 (AFP) -", "STOCKHOLM", None, "Aug 29, 2014", "AFP", "AFP", "-"),
    ("SEOUL, Aug. 20 (Yonhap) -- North", "SEOUL, Aug. 20 (Yonhap) --", "SEOUL", None, "Aug. 20", "Yonhap", "Yonhap", "--"),
    ("SAITAMA, Japan, Dec. 9 Kyodo - A", "SAITAMA, Japan, Dec. 9 Kyodo -", "SAITAMA", "Japan", "Dec. 9", "Kyodo", "Kyodo", "-"),
    ("BEIJING, Nov. 28 (Xinhua) -- China", "BEIJING, Nov. 28 (Xinhua) --", "BEIJING", None, "Nov. 28", "Xinhua", "Xinhua", "--"),
    ("Frankfurt/Main (dpa) - Die", "Frankfurt/Main (dpa) -", "Frankfurt/Main", None, None, "dpa", "dpa", "-"),
    ("Nueva Delhi, 21 ene (EFE).- El", "Nueva Delhi, 21 ene (EFE).-", "Nueva Delhi", None, "21 ene", "EFE", "EFE", ".-"),
    ("Lisboa, 3 de março (Lusa) - O", "Lisboa, 3 de março (Lusa) -", "Lisboa", None, "3 de março", "Lusa", "Lusa", "-"),
    ("PARIS, 5 févr. (AFP) - Le", "PARIS, 5 févr. (AFP) -", "PARIS", None, "5 févr.", "AFP", "AFP", "-"),
    ("ROMA, 12 gennaio (ANSA) - Il", "ROMA, 12 gennaio (ANSA) -", "ROMA", None, "12 gennaio", "ANSA", "ANSA", "-"),
    ("Berlin, 21. Jan. (dpa) - Die", "Berlin, 21. Jan. (dpa) -", "Berlin", None, "21. Jan.", "dpa", "dpa", "-"),
    ("ADMIRAL KUZNETSOV AIRCRAFT CARRIER (Severomorsk), February 9. /TASS/. The", "ADMIRAL KUZNETSOV AIRCRAFT CARRIER (Severomorsk), February 9. /TASS/.", "ADMIRAL KUZNETSOV AIRCRAFT CARRIER", "Severomorsk", "February 9", "TASS", "TASS", "."),
]


@pytest.mark.parametrize(
    ("date_text", "expected"),
    [("21 ene", (1, 21, None)), ("3 de março de 2026", (3, 3, 2026)), ("5 févr.", (2, 5, None)),
     ("12 gennaio", (1, 12, None)), ("21. Jan.", (1, 21, None)), ("9 dic", (12, 9, None)), ("1 out", (10, 1, None)),
     ("7 Dez.", (12, 7, None)), ("4 août", (8, 4, None))],
)
def test_day_first_months_of_other_languages(date_text, expected):
    assert parse_date_text(date_text) == expected


@pytest.mark.parametrize(
    "paragraph,raw,place,region,date_text,agency,agency_raw,separator",
    DATELINES,
    ids=[d[1] for d in DATELINES],
)
def test_dateline_styles(paragraph, raw, place, region, date_text, agency, agency_raw, separator):
    dateline, rest = split_dateline(paragraph)
    assert dateline is not None
    assert (dateline.raw, dateline.place, dateline.region, dateline.date_text) == (raw, place, region, date_text)
    assert (dateline.agency, dateline.agency_raw, dateline.separator) == (agency, agency_raw, separator)
    assert rest == paragraph[len(raw) + 1 :]


@pytest.mark.parametrize(
    "paragraph",
    [
        "The (new) rule - is bad for everyone.",
        "NATO (North Atlantic Treaty Organization) - allies met on Tuesday.",
        "Officials said the /etc/ path - was wrong.",
        "(Reuters) - an agency alone is not a dateline",
        "“No breakthroughs have been made,” he said.",
    ],
)
def test_sentences_that_are_not_datelines(paragraph):
    assert split_dateline(paragraph) == (None, paragraph)


def test_year_from_the_dateline_itself():
    assert resolve_date("Aug 29, 2014", published=dt.datetime(2020, 1, 1)) == (dt.date(2014, 8, 29), "dateline")


def test_year_from_published_timestamp_picks_the_nearest_date():
    # A story dated December 31 published on January 1 belongs to the previous year.
    assert resolve_date("December 31", published=dt.datetime(2025, 1, 1, 3)) == (dt.date(2024, 12, 31), "published")
    assert resolve_date("February 7", published=dt.datetime(2025, 2, 8)) == (dt.date(2025, 2, 7), "published")
    assert resolve_date("28 ноября", published=dt.datetime(2026, 11, 28)) == (dt.date(2026, 11, 28), "published")


def test_year_from_weekday_and_years_mentioned():
    # Tuesday 27 September fits 1994, 2005, 2011, 2016, 2022; the text mentions 2011.
    date = resolve_date("September 27", lead="he said on Tuesday.", evidence="since March 2011")
    assert date == (dt.date(2011, 9, 27), "weekday")


@pytest.mark.parametrize(
    "text,weekday",
    [
        ("He said on Tuesday that", 1),
        ("Talks resume on Monday and end on Friday", 0),
        ("Переговоры пройдут во вторник", 1),
        ("В пятницу министр заявил, что в среду", 4),
        ("On Sunday, в понедельник", 6),  # the first named, whichever language
        ("в среду, said on Thursday", 2),
        ("Mondays are quiet", None),  # not a weekday word
        ("XMonday and SomeTuesday", None),  # inside a longer word
        ("весреду", None),
        ("", None),
    ],
)
def test_weekday_named(text, weekday):
    assert weekday_named(text) == weekday


def test_years_mentioned_are_not_parts_of_longer_numbers():
    text = "In 2011, 1949 and 21999 and 20115 and the 2020s and 1995. 2099-2100"
    assert years_mentioned(text) == {2011, 2020, 1995, 2099}


def test_year_from_russian_weekday():
    # Friday 28 November: 2025 (also 2014, 2008); the text mentions 2025.
    date = resolve_date("28 ноября", lead="заявил в пятницу президент.", evidence="в 2025 году")
    assert date == (dt.date(2025, 11, 28), "weekday")


def test_weekday_without_years_uses_the_latest_fitting_year_before_fetch():
    date = resolve_date("September 27", lead="said on Tuesday", fetched=dt.datetime(2026, 11, 28))
    assert date == (dt.date(2022, 9, 27), "weekday")


def test_year_from_fetch_time_is_the_latest_date_not_after_it():
    assert resolve_date("December 26", fetched=dt.datetime(2026, 11, 28)) == (dt.date(2025, 12, 26), "fetched")
    assert resolve_date("November 28", fetched=dt.datetime(2026, 11, 28)) == (dt.date(2026, 11, 28), "fetched")


def test_no_evidence_leaves_the_date_unresolved():
    assert resolve_date("September 27") == (None, None)
    assert resolve_date("September 27", lead="said on Tuesday") == (None, None)
    assert resolve_date(None, published=dt.datetime(2025, 1, 1)) == (None, None)


def test_impossible_date_is_not_invented():
    assert resolve_date("February 30", published=dt.datetime(2025, 1, 1)) == (None, None)


def test_normalisation_strips_invisibles_crlf_and_trailing_spaces_but_keeps_typography():
    text = "All news\r\n\r\nHead\u200bline  \r\n\r\nMOSCOW, May 5. /TASS/. “Quote” — dash\u2060.\ufeff\r\n"
    assert codec.normalize_text(text) == "All news\n\nHeadline\n\nMOSCOW, May 5. /TASS/. “Quote” — dash."
    assert codec.normalize_text("e\u0301") == "\u00e9"  # NFC


def test_document_without_subtitle():
    item = codec.parse("Politics\n\nHeadline\n\nWASHINGTON (Reuters) - First.\n\nSecond.")
    assert item.subtitle is None
    assert item.paragraphs == ("First.", "Second.")
    assert codec.render(item) == "Politics\n\nHeadline\n\nWASHINGTON (Reuters) - First.\n\nSecond."


def test_document_without_dateline_marks_its_subtitle():
    item = WireItem("World", "Headline", "The lead.", None, ("Body one.", "Body two."))
    text = codec.render(item)
    assert text == "World\n\nHeadline\n\n> The lead.\n\nBody one.\n\nBody two."
    assert codec.parse(text) == item
    plain = codec.parse("World\n\nHeadline\n\nBody one.\n\nBody two.")
    assert plain.subtitle is None and plain.paragraphs == ("Body one.", "Body two.")


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "empty document"),
        ("   \n\n \u200b ", "empty document"),
        ("Only a section line", "no headline"),
        ("bin\x00ary\n\nx", "binary data"),
        ("A very long first block that is certainly not a section line because it goes on and on and on.\n\nH", "no section line"),
    ],
)
def test_bad_documents_raise_a_one_line_reason(text, reason):
    with pytest.raises(codec.CodecError) as error:
        codec.parse(text)
    assert reason in str(error.value)
    assert "\n" not in str(error.value)


def test_decode_rejects_invalid_utf8_and_binary():
    with pytest.raises(codec.CodecError, match="invalid UTF-8 at byte 3"):
        codec.decode_document(b"abc\xff\xfe")
    with pytest.raises(codec.CodecError, match="binary file"):
        codec.decode_document(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert codec.decode_document("\ufeffAll news".encode()) == "All news"


def test_make_item_splits_dateline_and_drops_a_subtitle_that_repeats_the_body():
    item = codec.make_item(
        section="World",
        headline=" Head\u200bline ",
        subtitle="SEOUL, Aug. 20 (Yonhap) -- North Korea",
        paragraphs=["SEOUL, Aug. 20 (Yonhap) -- North Korea fired.", "", "More."],
        published=dt.datetime(2025, 8, 20, 9, 0, tzinfo=dt.timezone.utc),
    )
    assert item.headline == "Headline"
    assert item.subtitle is None
    assert item.dateline is not None and item.dateline.date == dt.date(2025, 8, 20)
    assert item.dateline.date_source == "published"
    assert item.paragraphs == ("North Korea fired.", "More.")


def test_json_round_trip_and_field_errors():
    item = codec.parse(SEED.read_text(encoding="utf-8"))
    assert codec.item_from_json(codec.item_to_json(item)) == item
    assert codec.item_to_json(item)["lang"] == "en"
    with pytest.raises(codec.CodecError, match="^headline: expected a non-empty string$"):
        codec.item_from_json({"section": "x", "headline": ""})
    with pytest.raises(codec.CodecError, match="^dateline.date: not an ISO date"):
        codec.item_from_json({"section": "x", "headline": "h", "dateline": {"raw": "X (AP) -", "date": "soon"}})


def test_russian_document_language():
    item = codec.parse(
        "Политика\n\nПереговоры продолжатся\n\nМОСКВА, 28 ноября. /ТАСС/. Переговоры с Соединенными Штатами "
        "продолжатся на следующей неделе, сообщил журналистам пресс-секретарь президента."
    )
    assert codec.item_to_json(item)["lang"] == "ru"
    # a headline and a few words are too little to tell a language by: unknown, not a guess
    short = codec.parse("Политика\n\nЗаголовок\n\nМОСКВА, 28 ноября. /ТАСС/. Текст новости.")
    assert codec.item_to_json(short)["lang"] is None


# Property-based round trips. Body words are lower-case so that no generated paragraph
# looks like a dateline or a subtitle mark.
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzабвгдежз’“”—-.,;", min_size=1, max_size=10)
_line = st.lists(_word, min_size=1, max_size=12).map(" ".join).filter(lambda s: s == s.strip())
_DATELINE_TEXTS = [d[1] for d in DATELINES]


@st.composite
def wire_items(draw):
    dateline_text = draw(st.none() | st.sampled_from(_DATELINE_TEXTS))
    paragraphs = tuple(draw(st.lists(_line, min_size=1, max_size=5)))
    dateline = None
    if dateline_text:
        published = draw(st.none() | st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1)))
        dateline, _ = split_dateline(f"{dateline_text} x", published=published)
    return WireItem(
        section=draw(st.sampled_from(["All news", "Politics", "Military & Defense"])),
        headline=draw(_line),
        subtitle=draw(st.none() | _line),
        dateline=dateline,
        paragraphs=paragraphs,
    )


@settings(max_examples=200, deadline=None)
@given(wire_items())
def test_parse_of_render_is_the_item(item):
    # The resolved date depends on evidence outside the text; compare it apart.
    parsed = codec.parse(codec.render(item))
    if item.dateline is None:
        assert parsed == item
    else:
        assert parsed.dateline is not None
        assert (parsed.dateline.raw, parsed.dateline.place, parsed.dateline.agency) == (
            item.dateline.raw,
            item.dateline.place,
            item.dateline.agency,
        )
        assert parsed.paragraphs == item.paragraphs and parsed.subtitle == item.subtitle


@settings(max_examples=200, deadline=None)
@given(wire_items())
def test_render_of_parse_is_the_normalised_text(item):
    text = codec.render(item)
    assert codec.render(codec.parse(text)) == codec.normalize_text(text)


def test_a_repeated_dateline_is_parsed_once_but_each_item_resolves_its_own_date():
    clear_caches()
    paragraph = "MOSCOW, December 30. /TASS/. The talks ended on Tuesday, the ministry said."
    first, rest = split_dateline(paragraph, fetched=dt.datetime(2025, 1, 5))
    again, _ = split_dateline(paragraph, fetched=dt.datetime(2025, 1, 5))
    later, _ = split_dateline(paragraph, fetched=dt.datetime(2026, 1, 5))
    assert first == again and rest == "The talks ended on Tuesday, the ministry said."
    assert (first.place, first.date_text, first.agency, first.date) == ("MOSCOW", "December 30", "TASS", dt.date(2014, 12, 30))
    assert (later.place, later.date) == ("MOSCOW", dt.date(2025, 12, 30))  # same parts, its own year
    assert cache_hits()["datelines"] == 2
    clear_caches()
    assert split_dateline(paragraph, fetched=dt.datetime(2025, 1, 5)) == (first, rest)


def test_weekday_year_never_lands_after_the_fetch():
    # Tuesday 30 December: 2025 fits, but the item was fetched on 5 January 2025, so 2014.
    date = resolve_date("December 30", lead="said on Tuesday", fetched=dt.datetime(2025, 1, 5))
    assert date == (dt.date(2014, 12, 30), "weekday")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t\u00a0\u2003\u200b\u00ad\re\u0301\u00e9")), max_size=40))
def test_blocks_are_those_of_the_normalised_text(text):
    # parse splits blocks without building the normalised text; it must find the same ones
    document = "All news\n\nHeadline\n\n" + text
    expected = [b for b in (piece.strip() for piece in codec.normalize_text(document).split("\n\n")) if b]
    assert codec.parse(document).paragraphs == tuple(expected[2:])


def test_nul_after_the_sniffed_head_is_kept_as_text():
    text = "All news\n\nHeadline\n\n" + "x" * codec.BINARY_SNIFF_CHARS + "\x00tail"
    assert codec.parse(text).paragraphs == ("x" * codec.BINARY_SNIFF_CHARS + "\x00tail",)
