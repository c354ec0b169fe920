"""Agency wire formats, read from the project's own fixtures (tests/fixtures/wire_formats) in the
shapes of real agency files: detection by content, one behaviour per test."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from wirewatch.sources import inputs
from wirewatch.sources.formats import FormatError, detect_format, read_items
from wirewatch.sources.formats.markup import parse_xml
from receivers import webhook_receiver  # noqa: F401  (pytest fixture)
from test_pipeline import make_config

FIXTURES = Path(__file__).parent / "fixtures" / "wire_formats"
NOW = dt.datetime(2026, 3, 9, tzinfo=dt.timezone.utc)


def read(name: str):
    result = inputs.read_file(FIXTURES / name, inputs.IMPORT_SOURCE, now=NOW)
    assert result.state.last_error is None
    return result.articles


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("g2_herons_v1.xml", "newsml-g2"),
        ("newsml12_two_items.xml", "newsml-1.2"),
        ("nitf_declared_latin1.xml", "nitf"),
        ("anpa_latin1.tst", "anpa-1312"),
        ("iptc7901_cp1252.txt", "iptc-7901"),
        ("ap_media_api.json", "json"),
        ("reuters_connect.json", "json"),
    ],
)
def test_each_format_is_recognised_by_content(name, expected):
    assert detect_format((FIXTURES / name).read_bytes()) == expected


def test_rss_and_plain_wire_text_are_not_taken_for_agency_formats():
    assert detect_format(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>') is None
    assert detect_format(b"All news\n\nHeadline\n\nMOSCOW, May 1. /TASS/. Text.") is None
    assert detect_format(b'{"title": "not an item"}') is None


def test_a_file_name_does_not_decide_the_format(tmp_path):
    renamed = tmp_path / "feed.xml"
    renamed.write_bytes((FIXTURES / "anpa_latin1.tst").read_bytes())
    [article] = inputs.read_file(renamed, inputs.IMPORT_SOURCE, now=NOW).articles
    assert (article.wire.format, article.item.headline) == ("anpa-1312", "Dam at Lake Mira holds after storm")


def test_a_g2_message_yields_each_item_with_its_kind_and_no_empty_package():
    articles = read("g2_two_items.xml")
    assert [(a.guid, a.provenance.get("kind", "text")) for a in articles] == [
        ("urn:newsml:example.com:20260303:ferry", "text"), ("urn:newsml:example.com:20260303:photo", "picture"),
        ("urn:newsml:example.com:20260303:bridge", "text")]  # fmt: skip


def test_a_newsml_12_file_yields_each_news_item():
    articles = read("newsml12_two_items.xml")
    assert [a.item.headline for a in articles] == ["Lake Mira ice breaks early", "Le lac Mira dégèle tôt"]
    assert [a.lang for a in articles] == ["en", "fr"]


def test_g2_metadata_is_kept():
    [article] = read("g2_herons_v1.xml")
    wire = article.wire
    assert (article.guid, wire.version, wire.pub_status, wire.urgency, wire.priority) == (
        "tag_example.com_2026_herons", 1, "usable", 4, 3)  # fmt: skip
    assert (wire.slugline, wire.byline, wire.ednote) == ("LAKE-HERONS", "By Ada Quill", "Fixture written for wirewatch tests.")
    assert wire.subjects == ("subj:06000000 environment",)


def test_g2_dateline_is_parsed_and_the_byline_paragraph_dropped():
    [article] = read("g2_herons_v1.xml")
    dateline = article.item.dateline
    assert (dateline.place, dateline.agency, dateline.date) == ("LAKETOWN", "Examplewire", dt.date(2026, 3, 2))
    assert article.item.paragraphs[0].startswith("Grey herons nesting")


def test_a_table_in_the_body_reads_one_row_a_paragraph():
    [article] = read("g2_herons_v1.xml")
    assert article.item.paragraphs[-2:] == ("Year | Pairs", "2025 | 41")


def test_a_higher_version_is_a_correction_with_its_take_key_off_the_headline():
    [article] = read("g2_herons_v2.xml")
    assert (article.wire.version, article.wire.correction, article.wire.take_key) == (2, True, "CORRECTED")
    assert article.item.headline == "Heron numbers at Lake Mira triple in a year"


def test_a_canceled_item_is_a_kill():
    [article] = read("g2_herons_kill.xml")
    assert (article.wire.pub_status, article.wire.kill) == ("canceled", True)


def test_a_withheld_item_is_withheld_and_not_a_kill():
    [article] = read("g2_otters_withheld.xml")
    assert (article.wire.pub_status, article.wire.kill) == ("withheld", False)


def test_escaped_html_in_inline_data_becomes_paragraphs():
    ferry = read("g2_two_items.xml")[0]
    assert ferry.item.paragraphs == ("Die Gemeinde kauft eine neue Fähre.", "Sie fährt ab Mai.")
    assert (ferry.item.dateline.place, ferry.lang) == ("Seestadt", "de")


def test_a_declaration_that_lies_about_latin_1_is_read_as_utf_8():
    [article] = read("nitf_declared_latin1.xml")
    assert article.item.headline == "Zoë Brandt wins the Mira regatta"


def test_nitf_metadata_byline_title_and_correction():
    [article] = read("nitf_declared_latin1.xml")
    wire = article.wire
    assert (article.guid, wire.urgency, wire.slugline, wire.correction) == ("EX-2026-0305-77", 3, "mira-regatta", True)
    assert wire.byline == "By JO PARK, Example Sports Writer"
    assert article.item.subtitle == "A first for the club"
    assert article.item.paragraphs[1:] == ("1. | Zoë Brandt | 41:02", "2. | Li Wei | 41:30", "<Brandt> said she was “happy”.")


def test_entities_are_never_expanded():
    root = parse_xml(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "EXPANDED">]><r>a &x; b</r>')
    assert "EXPANDED" not in "".join(root.itertext())
    [ice, _] = read("newsml12_two_items.xml")
    assert "boom" not in ice.item.body


def test_an_external_entity_is_not_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    root = parse_xml(f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode())
    assert "TOP SECRET" not in "".join(root.itertext())


def test_anpa_latin_1_with_control_bytes_and_crlf():
    [article] = read("anpa_latin1.tst")
    assert article.item.paragraphs[0] == "The dam at Lake Mira held through Thursday's storm, the mayor said, and the café by the shore stayed open."
    assert (article.item.dateline.place, article.item.dateline.agency) == ("LAKETOWN", "AP")
    assert not any(ch < " " for p in article.item.paragraphs for ch in p)


def test_anpa_keyword_line_gives_slug_take_version_and_urgency():
    [article] = read("anpa_latin1.tst")
    wire = article.wire
    assert (wire.slugline, wire.take_key, wire.version, wire.urgency) == ("BC-Mira-Dam", "2ndLd-Writethru", 3, 2)
    assert (wire.byline, wire.ednote) == ("By PAT ROWE, Example Press Writer", "Updates with mayor's comment.")
    assert article.guid == "BC-Mira-Dam 03-06"


def test_anpa_agate_lines_stay_one_row_each():
    [article] = read("anpa_latin1.tst")
    assert article.item.paragraphs[-2:] == ("Station | Level | Change", "North | 4.1 | -0.2")


def test_anpa_kill_notice_is_a_kill_of_the_same_slug():
    [kill] = read("anpa_kill.tst")
    [story] = read("anpa_latin1.tst")
    assert (kill.wire.kill, kill.guid) == (True, story.guid)


def test_iptc_7901_headline_ends_at_the_equals_mark_and_the_desk_signature_is_dropped():
    [article] = read("iptc7901_cp1252.txt")
    assert article.item.headline == "Damm am Mirasee hält dem Sturm stand"
    assert article.item.paragraphs == (
        "Der Damm am Mirasee hat dem Sturm am Donnerstag standgehalten, sagte die Bürgermeisterin.", "Der Pegel sank am Abend.")  # fmt: skip
    assert (article.wire.urgency, article.wire.slugline, article.item.dateline.agency) == (2, "Mirasee-Damm", "dpa")


def test_ap_media_api_json():
    [article] = read("ap_media_api.json")
    assert (article.guid, article.wire.format, article.wire.urgency, article.wire.byline) == (
        "a1b2c3d4e5f60718293a4b5c6d7e8f90", "json-ap", 2, "By SAM ORT")  # fmt: skip
    assert article.item.paragraphs == ("Swimmers returned to Lake Mira on Saturday.", "The water reached 18 degrees.")


def test_reuters_connect_json_versioned_guid():
    [article] = read("reuters_connect.json")
    assert (article.guid, article.wire.version, article.wire.take_key) == ("tag:example.com,2026:newsml_L1N2MIRA", 3, "UPDATE 2")
    assert article.item.headline == "Lake Mira fish stocks recover"


def test_broken_xml_is_one_line_naming_the_file(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b'<?xml version="1.0"?><newsMessage><itemSet><newsItem guid="x">')
    result = inputs.read_file(broken, inputs.IMPORT_SOURCE, now=NOW)
    assert result.articles == []
    assert result.state.last_error.startswith(f"{broken}: not well-formed XML")
    assert "\n" not in result.state.last_error


def test_an_item_without_a_headline_is_a_format_error_in_its_place():
    [problem] = read_items(b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g"><itemMeta/></newsItem>')
    assert isinstance(problem, FormatError) and str(problem) == "NewsML-G2 item g without a headline"


def test_a_file_in_a_format_that_cannot_be_read_at_all_raises_one_line():
    with pytest.raises(FormatError, match="^IPTC 7901 item without a headline$"):
        read_items(b"\x01dpa0001 3 pol 10 Keyword\r\n")


# ---------------------------------------------------------------------------------------------
# Through `wirewatch import`, into a real DuckDB archive, alerts to a loopback webhook


def herons_config(tmp_path: Path, channel: str | None = None) -> Path:
    config = make_config(tmp_path, [channel] if channel else [])
    with config.open("a", encoding="utf-8") as toml:
        toml.write('[[topics]]\nname = "herons"\nquery = \'heron OR herons OR otters OR bridge\'\n')
    return config


def import_files(config: Path, *names: str):
    from typer.testing import CliRunner

    from wirewatch.cli.commands import app

    result = CliRunner().invoke(app, ["import", "--config", str(config), *(str(FIXTURES / n) for n in names)])
    assert result.exit_code == 0, result.output
    return result


def archive_rows(tmp_path: Path, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(tmp_path / "archive.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_import_stores_the_wire_metadata_in_articles(tmp_path):
    import_files(herons_config(tmp_path), "g2_herons_v1.xml")
    assert archive_rows(tmp_path, "SELECT format, guid, version, pub_status, urgency, priority, slugline, byline, "
                                  "take_key, signals, subjects, ednote, correction, withdrawn_at, lang FROM articles") == [
        ("newsml-g2", "tag_example.com_2026_herons", 1, "usable", 4, 3, "LAKE-HERONS", "By Ada Quill", None, [],
         ["subj:06000000 environment"], "Fixture written for wirewatch tests.", False, None, "en"),
    ]  # fmt: skip


def test_import_of_a_multi_item_file_stores_each_item(tmp_path):
    import_files(herons_config(tmp_path), "g2_two_items.xml", "newsml12_two_items.xml")
    assert archive_rows(tmp_path, "SELECT format, headline FROM articles ORDER BY headline") == [
        ("newsml-g2", "Bridge over Lake Mira closes"),
        ("newsml-g2", "Ferry photo"),
        ("newsml-1.2", "Lake Mira ice breaks early"),
        ("newsml-1.2", "Le lac Mira dégèle tôt"),
        ("newsml-g2", "Neue Fähre für den Mirasee"),
    ]


def test_a_higher_version_becomes_revision_2_with_its_correction(tmp_path):
    config = herons_config(tmp_path)
    import_files(config, "g2_herons_v1.xml")
    result = import_files(config, "g2_herons_v2.xml")
    assert "0 new, 0 duplicate, 1 revised" in result.stdout
    assert archive_rows(tmp_path, "SELECT revision, version, correction, take_key, headline FROM articles") == [
        (2, 2, True, "CORRECTED", "Heron numbers at Lake Mira triple in a year")
    ]
    assert archive_rows(tmp_path, "SELECT revision, version, is_current FROM article_rows ORDER BY revision") == [
        (1, 1, False), (2, 2, True)
    ]


def test_every_format_imports_through_the_cli(tmp_path):
    import_files(herons_config(tmp_path), "nitf_declared_latin1.xml", "anpa_latin1.tst",
                 "iptc7901_cp1252.txt", "ap_media_api.json", "reuters_connect.json")  # fmt: skip
    assert archive_rows(tmp_path, "SELECT format, urgency, dateline_place FROM articles ORDER BY format") == [
        ("anpa-1312", 2, "LAKETOWN"), ("iptc-7901", 2, "Seestadt"), ("json-ap", 2, "LAKETOWN"),
        ("json-reuters", 3, "LAKETOWN"), ("nitf", 3, "LAKETOWN"),
    ]  # fmt: skip


def test_a_withheld_item_is_stored_and_matched_but_not_alerted(tmp_path, webhook_receiver):
    import_files(herons_config(tmp_path, webhook_receiver.url("/hook")), "g2_otters_withheld.xml")
    assert archive_rows(tmp_path, "SELECT pub_status FROM articles") == [("withheld",)]
    assert archive_rows(tmp_path, "SELECT count(*) FROM topic_matches") == [(1,)]
    assert archive_rows(tmp_path, "SELECT count(*) FROM alerts") == [(0,)]
    assert webhook_receiver.payloads == []


def test_a_kill_withdraws_the_article_and_sends_one_withdrawn_notice_with_the_alert_id(tmp_path, webhook_receiver):
    config = herons_config(tmp_path, webhook_receiver.url("/hook"))
    import_files(config, "g2_herons_v1.xml")
    [(alert_id,)] = archive_rows(tmp_path, "SELECT alert_id FROM alerts WHERE status = 'sent'")
    import_files(config, "g2_herons_kill.xml")
    import_files(config, "g2_herons_kill.xml")  # the same kill again sends nothing more
    assert len(webhook_receiver.payloads) == 2
    notice = webhook_receiver.payloads[1]
    assert notice["title"].startswith("[wirewatch] WITHDRAWN: herons:")
    assert f"Withdraws alert\\_id: `{alert_id}`" in notice["message"]
    rows = archive_rows(tmp_path, "SELECT pub_status, withdrawn_at IS NOT NULL FROM articles")
    assert rows == [("canceled", True)]
    assert archive_rows(tmp_path, "SELECT count(*), count(withdrawn_at) FROM article_rows") == [(2, 2)]


def test_an_anpa_kill_notice_withdraws_the_story_of_the_same_slug(tmp_path, webhook_receiver):
    config = herons_config(tmp_path, webhook_receiver.url("/hook"))
    import_files(config, "anpa_latin1.tst", "anpa_kill.tst")
    assert archive_rows(tmp_path, "SELECT slugline, withdrawn_at IS NOT NULL, revision FROM articles") == [("BC-Mira-Dam", True, 2)]


def test_a_bad_item_is_one_rejected_line_and_the_other_items_go_on(tmp_path):
    data = (FIXTURES / "g2_two_items.xml").read_text(encoding="utf-8")
    path = tmp_path / "one_bad.xml"
    bad = data.replace("<headline>Bridge over Lake Mira closes</headline>", "")
    bad = bad[: bad.index("<contentSet><inlineXML")] + bad[bad.index("</contentSet>", bad.index("<contentSet><inlineXML")) + 13 :]
    path.write_text(bad, encoding="utf-8")  # neither a headline nor a text
    result = inputs.read_file(path, inputs.IMPORT_SOURCE, now=NOW)
    assert [a.item.headline for a in result.articles] == ["Neue Fähre für den Mirasee", "Ferry photo"]
    assert result.rejected == [f"{path}: NewsML-G2 item urn:newsml:example.com:20260303:bridge without a headline"]


def test_every_real_corpus_item_reads_with_a_headline_and_a_body(corpus):
    folder = corpus / "wire_formats"
    for path in sorted(folder.iterdir()):
        result = inputs.read_file(path, inputs.IMPORT_SOURCE, now=NOW)
        assert (result.state.last_error, result.rejected) == (None, []), path.name
        assert [bool(a.item.headline and a.item.paragraphs and a.wire) for a in result.articles] == [True], path.name


def test_a_flash_item_is_alerted_as_flash(tmp_path, webhook_receiver):
    import_files(herons_config(tmp_path, webhook_receiver.url("/hook")), "g2_two_items.xml")
    assert [p["title"] for p in webhook_receiver.payloads] == ["[wirewatch] FLASH herons: Bridge over Lake Mira closes"]


def test_urgency_labels():
    from wirewatch.alerts import urgency_label

    assert [urgency_label(u) for u in (1, 2, 3, 4, None)] == ["FLASH ", "URGENT ", "URGENT ", "", ""]


def test_anpa_header_line_of_spaces_is_read_in_linear_time(tmp_path):
    # The keyword pattern backtracks over runs of spaces (cubic): a hostile header line of
    # 20,000 spaces took minutes before keyword lines were length-capped.
    data = (FIXTURES / "anpa_latin1.tst").read_bytes()
    first_line_end = data.index(b"\n") + 1
    hostile = data[:first_line_end] + b"b a BC-x" + b" " * 20_000 + b"x\r\n" + data[first_line_end:]
    (tmp_path / "hostile.tst").write_bytes(hostile)
    started = time.perf_counter()
    [article] = inputs.read_file(tmp_path / "hostile.tst", inputs.IMPORT_SOURCE, now=NOW).articles
    assert time.perf_counter() - started < 2.0
    assert article.wire.slugline == "BC-Mira-Dam"


def urgent_config(tmp_path: Path, query: str) -> Path:
    config = make_config(tmp_path, [])
    with config.open("a", encoding="utf-8") as toml:
        toml.write(f'[[topics]]\nname = "urgent-mira"\nquery = \'{query}\'\n')
    return config


def test_topics_check_explains_an_urgency_comparison(tmp_path):
    import json

    from typer.testing import CliRunner

    from wirewatch.cli.commands import app

    config = urgent_config(tmp_path, "(Mira OR Mirasee) urgency:<=2")
    result = CliRunner().invoke(app, ["topics", "check", "--json", "--config", str(config), str(FIXTURES / "g2_two_items.xml")])
    assert result.exit_code == 0, result.output
    [match] = [json.loads(line) for line in result.stdout.splitlines()]
    assert match["terms"] == ["Mira", "urgency:<=2 (urgency 1)"]
    assert match["hits"][-1] == {"term": "urgency:<=2 (urgency 1)", "field": "urgency", "start": 0, "end": 0}
    assert match["snippet"] == "Bridge over Lake «Mira» closes"


def test_an_import_flags_only_the_urgent_item(tmp_path):
    # urgencies: the bridge 1, the ice 2, the French ice item 4, the ferry 5
    import_files(urgent_config(tmp_path, "(Mira OR Mirasee) urgency:<2"), "g2_two_items.xml", "newsml12_two_items.xml")
    assert archive_rows(tmp_path, "SELECT a.headline, a.urgency FROM topic_matches m JOIN articles a USING (article_id) "
                                  "WHERE m.topic = 'urgent-mira'") == [("Bridge over Lake Mira closes", 1)]  # fmt: skip


def poll_drop_folder(db: Path, folder: Path, *, ahead: float) -> list[str]:
    """One poll of a `dir` source through the pipeline into the archive, the clock ``ahead``
    seconds in the future (so that files written just now can count as complete)."""
    from wirewatch.run import pipeline
    from wirewatch.sources import poll as sources
    from wirewatch.config import Config, SourceConfig
    from wirewatch.archive.store import open_store

    source = SourceConfig(name="drop", kind="dir", path=folder)
    config = Config(path=None, db=db, sources=(source,))
    now = pipeline.utc_now()
    with open_store(db) as store:
        previous = store.source_states().get("drop")
        poll = sources.poll(source, previous, now=now, clock=lambda: time.time() + ahead)
        summary = pipeline.RunSummary(run_id=store.begin_run("poll", now=now))
        pipeline.store_polls(store, summary.run_id, [poll], config, pipeline.prepare_topics(config, {}), now=now, summary=summary)
    return sorted(a.item.headline for a in poll.articles)


def test_a_drop_folder_reads_each_complete_file_once_and_again_when_it_changes(tmp_path):
    import os

    folder = tmp_path / "drop"
    folder.mkdir()
    db = tmp_path / "archive.duckdb"
    herons, pair = folder / "herons.xml", folder / "pair.xml"
    herons.write_bytes((FIXTURES / "g2_herons_v1.xml").read_bytes())
    os.utime(herons, (time.time() - 60, time.time() - 60))  # delivered a minute ago
    pair.write_bytes((FIXTURES / "g2_two_items.xml").read_bytes())  # still being written
    assert poll_drop_folder(db, folder, ahead=0) == ["Heron numbers at Lake Mira double in a year"]
    # a while later the pair is complete; herons.xml, unchanged, is not read again
    assert poll_drop_folder(db, folder, ahead=10) == ["Bridge over Lake Mira closes", "Ferry photo", "Neue Fähre für den Mirasee"]
    assert poll_drop_folder(db, folder, ahead=20) == []
    herons.write_bytes((FIXTURES / "g2_herons_v2.xml").read_bytes())  # a new version, same file,
    os.utime(herons, (time.time() + 22, time.time() + 22))  # written at 22 s on the polls' clock
    assert poll_drop_folder(db, folder, ahead=30) == ["Heron numbers at Lake Mira triple in a year"]
    assert archive_rows(tmp_path, "SELECT headline, revision FROM articles ORDER BY headline") == [
        ("Bridge over Lake Mira closes", 1), ("Ferry photo", 1), ("Heron numbers at Lake Mira triple in a year", 2),
        ("Neue Fähre für den Mirasee", 1),
    ]  # fmt: skip


def test_feed_and_page_sources_whose_responses_are_wire_items_read_them_by_content(httpserver):
    from wirewatch.config import HttpConfig, SourceConfig
    from wirewatch.sources.fetch import Fetcher
    from wirewatch.sources.poll import poll

    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/wire").respond_with_data((FIXTURES / "g2_two_items.xml").read_bytes(),
                                                         content_type="application/octet-stream")  # fmt: skip
    httpserver.expect_request("/story").respond_with_data((FIXTURES / "nitf_declared_latin1.xml").read_bytes(),
                                                          content_type="text/html")  # fmt: skip
    options = {"full_text": "never", "max_age_days": None, "allow_private": True}
    sources = (SourceConfig(name="g2", kind="feed", url=httpserver.url_for("/wire"), **options),  # type: ignore[arg-type]
               SourceConfig(name="nitf", kind="page", url=httpserver.url_for("/story"), **options))  # type: ignore[arg-type]
    with Fetcher(HttpConfig(per_host_delay=0.0, retries=0)) as fetcher:
        polls = [poll(source, None, fetcher=fetcher, now=NOW) for source in sources]
    assert [(p.state.last_status, p.state.last_error) for p in polls] == [("ok", None), ("ok", None)]
    assert [[(a.wire.format, a.item.headline) for a in p.articles] for p in polls] == [
        [("newsml-g2", "Neue Fähre für den Mirasee"), ("newsml-g2", "Ferry photo"), ("newsml-g2", "Bridge over Lake Mira closes")],
        [("nitf", read("nitf_declared_latin1.xml")[0].item.headline)],
    ]
