"""One construct of each wire-format specification per test, read from fixtures the project wrote
itself (tests/fixtures/wire_formats/spec): NewsML-G2 packages, non-text items, renditions and
metadata; NewsML 1.2 component trees, media items and remote content; NITF head and body.head;
ANPA-1312 takes, control bytes and Kyodo's layout; IPTC 7901 and dpa's plain-text layouts; files
recognised by content in a folder walk."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest

from wirewatch.sources import inputs
from wirewatch.config import SourceConfig
from wirewatch.sources.formats import detect_format
from wirewatch.model import Article

SPEC = Path(__file__).parent / "fixtures" / "wire_formats" / "spec"
NOW = dt.datetime(2026, 3, 9, tzinfo=dt.timezone.utc)


def read(name: str) -> list[Article]:
    result = inputs.read_file(SPEC / name, inputs.IMPORT_SOURCE, now=NOW)
    assert (result.state.last_error, result.rejected) == (None, [])
    return result.articles


def summary(article: Article) -> tuple:
    wire, dateline = article.wire, article.item.dateline
    return (article.item.headline, article.item.paragraphs, dateline.place if dateline else None, article.lang,
            wire.version, wire.pub_status, wire.urgency, article.provenance.get("kind", "text"))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# NewsML-G2


def test_g2_package_is_read_as_the_items_it_lists_with_their_descriptions():
    assert [(a.guid, summary(a)) for a in read("g2_package_refs.xml")] == [
        ("urn:newsml:example.com:20260305:mira-text", ("Lake Mira reopens to boats",
         ("Boats may use Lake Mira again from Friday, the harbour office said.",), None, "en", 3, "usable", None, "text")),
        ("urn:newsml:example.com:20260305:mira-photo", ("Boats at the Lake Mira jetty",
         ("Sailing boats wait at the jetty of Lake Mira.",), None, "en", None, "usable", None, "picture")),
    ]  # fmt: skip


def test_g2_picture_is_stored_with_its_caption_as_body_and_its_located_place():
    [article] = read("g2_picture_caption.xml")
    assert summary(article) == ("Heron on the Lake Mira shore", ("A grey heron stands on the frozen shore of Lake Mira on March 4.",),
                                "Laketown", "en", 1, "usable", 5, "picture")  # fmt: skip


@pytest.mark.parametrize(("qcode", "kind"), [("ninat:audio", "audio"), ("ninat:video", "video"), ("ninat:graphic", "graphic"),
                                             ("icls:picture", "picture"), ("ninat:composite", "text")])  # fmt: skip
def test_g2_item_class_gives_the_kind(tmp_path, qcode, kind):
    path = tmp_path / "item.xml"
    path.write_text((SPEC / "g2_picture_caption.xml").read_text(encoding="utf-8").replace("ninat:picture", qcode), encoding="utf-8")
    [article] = inputs.read_file(path, inputs.IMPORT_SOURCE, now=NOW).articles
    assert article.provenance.get("kind", "text") == kind


def test_g2_text_rendition_is_the_xhtml_one_and_metadata_is_kept():
    [article] = read("g2_renditions.xml")
    assert summary(article) == ("Schleusen am Mirasee schliessen",
                                ("Die Schleusen am Mirasee werden ab Montag für zwei Wochen geschlossen.", "Die Fähre fährt weiter."),
                                "Laketown", "de", 4, "withheld", 2, "text")  # fmt: skip
    assert (article.item.subtitle, article.wire.slugline, article.wire.byline) == (
        "Reparatur dauert zwei Wochen", "MIRA-LOCKS", "Von Ada Quill")  # fmt: skip
    assert article.published_at == dt.datetime(2026, 3, 5, 8, tzinfo=dt.timezone.utc)


def test_g2_story_typed_in_one_block_starts_at_its_dateline():
    [article] = read("tag_example.com,2026_newsml_MIRA7_2")
    assert (article.item.headline, article.wire.take_key, article.guid, article.wire.version) == (
        "Lake Mira ferry fares rise", "UPDATE 1", "tag:example.com,2026:newsml_MIRA7", 2)  # fmt: skip
    assert article.item.paragraphs == ("Ferry fares on Lake Mira will rise by a tenth, the operator said on Thursday.",
                                       "The new fares apply from April.")  # fmt: skip
    assert (article.item.dateline.place, article.item.dateline.agency) == ("LAKETOWN", "Examplewire")


# ---------------------------------------------------------------------------------------------
# NewsML 1.2


def test_newsml12_component_tree_gives_lead_then_body_without_title_or_picture_caption():
    [article] = read("newsml12_components.xml")
    assert summary(article) == ("Lake Mira dam passes inspection",
                                ("The Lake Mira dam is safe, inspectors said on Thursday.", "Engineers found no cracks in the dam.",
                                 "The next inspection is due in a year."), "Laketown", "en", 2, "usable", 3, "text")  # fmt: skip
    assert (article.guid, article.wire.priority, article.wire.slugline, article.wire.subjects) == (
        "urn:newsml:example.com:20260305:mira-dam", 3, "MIRA-DAM", ("environment",))  # fmt: skip


def test_newsml12_video_item_has_its_caption_as_body():
    [article] = read("newsml12_video_caption.xml")
    assert summary(article) == ("La glace du lac Mira fond", ("La glace fond sur le lac Mira, mercredi.",), None, "fr", 1, "usable",
                                None, "video")  # fmt: skip


def test_newsml12_remote_text_is_imported_without_a_body_and_its_status_kept():
    [article] = read("newsml12_remote_text.xml")
    assert summary(article) == ("Lake Mira regatta called off", (), None, "en", 1, "canceled", None, "text")


# ---------------------------------------------------------------------------------------------
# NITF


def test_nitf_head_and_body_head_fields():
    [article] = read("nitf_full.xml")
    assert summary(article) == ("Isen på Miravatnet går", ("Isen på Miravatnet gikk onsdag, den tidligste islossingen på 40 år.",
                                "Fergen starter neste uke."), "Innsjøby", "nb", 3, "usable", 4, "text")  # fmt: skip
    assert (article.guid, article.item.subtitle, article.wire.byline, article.wire.slugline, article.wire.ednote) == (
        "ex-2026-0305-ice", "Tidligste islossing på 40 år", "Av Ada Quill, Examplewire", "mira-is", "Rettet stavefeil.")  # fmt: skip
    assert article.published_at == dt.datetime(2026, 3, 5, 12, tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------------------------------------
# ANPA-1312, IPTC 7901 and the plain-text layouts

FLOOD = ("Flood warning for Lake Mira shore", ("Lake Mira rose above its banks on Thursday.", "Roads along the shore were closed."),
         "LAKETOWN", "en", 2, "usable", 3, "text")  # fmt: skip


def test_anpa_takes_of_one_story_are_joined_and_the_header_read():
    [article] = read("anpa_takes.tst")
    assert summary(article) == (*FLOOD[:1], (*FLOOD[1], "The river level is expected to fall by Saturday."), *FLOOD[2:])
    wire = article.wire
    assert (article.guid, wire.slugline, wire.take_key, wire.byline, wire.ednote, wire.subjects) == (
        "BC-Mira-Flood 03-05", "BC-Mira-Flood", "1stLd-Writethru", "By PAT ROWE, Example Press Writer", "Updates with river level.",
        ("a",))  # fmt: skip


def test_anpa_without_its_control_bytes_is_recognised_and_read_the_same():
    data = (SPEC / "anpa_no_controls.tst").read_bytes()
    assert not any(byte in data for byte in b"\x01\x02\x03\x04\x16\x1f")
    assert detect_format(data) == "anpa-1312"
    assert [summary(a) for a in read("anpa_no_controls.tst")] == [FLOOD]


def test_kyodo_layout_unmarked_headline_and_end_mark():
    [article] = read("kyodo_style.tst")
    assert summary(article) == ("Lantern festival returns to Lake Mira", ("Lanterns will float on Lake Mira again this summer, organisers said Friday.",
                                "The festival was cancelled last year."), "LAKETOWN", "en", 1, "usable", 3, "text")  # fmt: skip
    assert article.item.dateline.agency == "Kyodo"


def test_dpa_four_line_head_block_notebook_and_sign_off():
    [article] = read("dpa_four_line_head.txt")
    assert summary(article) == ("Ferry on Lake Mira gets new engine", ("The ferry on Lake Mira got a new engine, its operator said on Thursday.",
                                "It will run from May."), "Seestadt", "en", 2, "usable", 3, "text")  # fmt: skip
    assert (article.wire.slugline, article.wire.take_key, article.wire.byline) == ("Mira/lake/ferry", "REFILE 1ST LEAD", "By dpa correspondents")


def test_dpa_plain_text_two_line_head_without_control_bytes_and_its_copyright_trailer():
    assert detect_format((SPEC / "dpa_plain_two_line.txt").read_bytes()) == "iptc-7901"
    [article] = read("dpa_plain_two_line.txt")
    assert summary(article) == ("Storm expected over Lake Mira on Friday", ("A storm is expected over Lake Mira on Friday, forecasters said.",),
                                "Seestadt", "en", 1, "usable", 4, "text")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Recognised by content in a folder


def drop_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    for name in ("tag_example.com,2026_newsml_MIRA7_2", "dpa_plain_two_line.txt", "not_a_wire_file", "kyodo_style.tst"):
        shutil.copy(SPEC / name, folder / name)
    shutil.copy(SPEC / "anpa_takes.tst", folder / "urn_example_flood")  # ANPA under a name without extension
    (folder / "heron.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    (folder / "clip").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)))
    return folder


def test_a_folder_walk_takes_wire_files_by_content_and_counts_the_others_in_one_line(tmp_path):
    folder = drop_folder(tmp_path)
    warnings: list[str] = []
    found = [p.name for p in inputs.iter_input_files([folder], warnings.append)]
    assert found == ["dpa_plain_two_line.txt", "kyodo_style.tst", "tag_example.com,2026_newsml_MIRA7_2", "urn_example_flood"]
    assert warnings == [f"{folder}: skipped 3 files: 2 binary, 1 in no format wirewatch reads"]


def test_a_dir_source_reads_files_without_extension_and_reports_the_skipped_ones(tmp_path):
    from wirewatch.sources.poll import poll

    folder = drop_folder(tmp_path)
    source = SourceConfig(name="drop", kind="dir", path=folder)  # type: ignore[arg-type]
    result = poll(source, None, now=NOW, clock=lambda: time.time() + 3600)
    assert sorted(a.item.headline for a in result.articles) == [
        "Flood warning for Lake Mira shore", "Lake Mira ferry fares rise", "Lantern festival returns to Lake Mira",
        "Storm expected over Lake Mira on Friday"]  # fmt: skip
    assert result.warnings == [f"{folder}: skipped 3 files: 2 binary, 1 in no format wirewatch reads"]
    assert result.rejected == []


def test_import_of_a_drop_folder_stores_every_item_with_its_kind_and_counts_the_skipped_files(tmp_path):
    import duckdb
    from typer.testing import CliRunner

    from test_pipeline import make_config
    from wirewatch.cli.commands import app

    folder = drop_folder(tmp_path)
    shutil.copy(SPEC / "g2_picture_caption.xml", folder / "heron_photo")
    result = CliRunner().invoke(app, ["import", "--config", str(make_config(tmp_path, [])), str(folder)])
    assert result.exit_code == 0, result.output
    assert f"warning: {folder}: skipped 3 files: 2 binary, 1 in no format wirewatch reads" in result.output
    with duckdb.connect(str(tmp_path / "archive.duckdb"), read_only=True) as conn:
        rows = conn.execute("SELECT format, headline, provenance->>'kind' FROM articles ORDER BY headline").fetchall()
    assert rows == [
        ("anpa-1312", "Flood warning for Lake Mira shore", None), ("newsml-g2", "Heron on the Lake Mira shore", "picture"),
        ("newsml-g2", "Lake Mira ferry fares rise", None), ("anpa-1312", "Lantern festival returns to Lake Mira", None),
        ("iptc-7901", "Storm expected over Lake Mira on Friday", None),
    ]  # fmt: skip


def test_anpa_head_lines_sharing_a_line_a_cut_slug_an_ednote_in_parentheses_and_unmarked_list_lines():
    [article] = read("anpa_headline_list.tst")
    assert (article.item.headline, article.item.subtitle, article.item.paragraphs, article.wire.ednote) == (
        "AP Lake Mira headlines at 9 a.m.", None, ("Ferry fares rise by a tenth", "Dam passes inspection"), "Moves hourly.")  # fmt: skip


def test_co_credited_agencies_make_a_dateline_when_one_of_them_is_known():
    from wirewatch.wire.dateline import split_dateline

    dateline, rest = split_dateline("San Diego (tca/dpa) - History says this.")
    assert (dateline.place, dateline.agency_raw, rest) == ("San Diego", "tca/dpa", "History says this.")
    assert split_dateline("The (new/old) rule - is fine")[0] is None


def test_g2_summary_is_the_subtitle_and_own_markup_gives_paragraphs_without_headline_or_end_mark():
    [article] = read("g2_summary_own_markup.xml")
    assert (article.item.headline, article.item.subtitle, article.item.paragraphs, article.lang) == (
        "Svanarna tillbaka vid Mirasjön", "Svanarna har kommit tillbaka tidigt i år.",
        ("Tjugo svanar landade på Mirasjön på måndagen.", "Förra året kom de i april."), "sv")  # fmt: skip


def test_newsml12_dateline_field_with_a_region_code_names_the_place():
    [article] = read("newsml12_dateline_field.xml")
    assert summary(article) == ("Un taureau au bord du lac Mira", ("Un taureau s'est promené au bord du lac Mira lundi.",), "Miraville",
                                "fr", 1, "usable", 4, "text")  # fmt: skip
    assert article.item.dateline.raw == "Miraville GR"


def test_a_short_note_before_the_dateline_paragraph_is_not_the_story():
    [article] = read("nitf_note_before_dateline.xml")
    assert (article.item.paragraphs, article.item.dateline.place, article.lang) == (
        ("De veerpont over de Miraplas vaart weer, meldde de gemeente maandag.", "De pont lag een week stil."), "MERESTAD", "nl")  # fmt: skip


def test_newsml12_translations_give_the_first_language_only_and_a_copyright_trailer_is_not_text():
    [article] = read("newsml12_translations.xml")
    assert summary(article) == ("Miraplas bevroren", ("De Miraplas is bevroren.",), "Merestad", "nl", 3, "usable", None, "text")


def test_ap_media_api_picture_has_its_caption_as_body_and_its_kind():
    [article] = read("ap_media_picture.json")
    assert (article.guid, summary(article)) == ("ex-heron-photo-1", ("Heron at Lake Mira", ("A grey heron stands on the shore of Lake Mira, March 4.",),
                                                None, "en", 2, "usable", None, "picture"))  # fmt: skip


def test_a_jpeg_with_an_iptc_iim_record_is_a_picture_item_with_its_caption(tmp_path):
    [article] = read("heron_iim.jpg")
    assert summary(article) == ("Heron on frozen Lake Mira", ("A grey heron stands on the frozen shore of Lake Mira on March 4, 2026.",),
                                "Laketown", "en", None, "usable", 5, "picture")  # fmt: skip
    assert (article.wire.format, article.wire.byline, article.wire.subjects, article.published_at) == (
        "iptc-iim", "Ada Quill", ("heron", "winter"), dt.datetime(2026, 3, 4, tzinfo=dt.timezone.utc))  # fmt: skip
    folder = drop_folder(tmp_path)
    shutil.copy(SPEC / "heron_iim.jpg", folder / "heron_iim.jpg")
    warnings: list[str] = []
    assert "heron_iim.jpg" in [p.name for p in inputs.iter_input_files([folder], warnings.append)]
    assert warnings == [f"{folder}: skipped 3 files: 2 binary, 1 in no format wirewatch reads"]  # the JPEG without IIM is still binary


def test_nitf_location_opening_the_text_before_a_dash_is_the_dateline_and_head_urgency_is_read():
    [article] = read("nitf_place_dash.xml")
    assert summary(article) == ("Lake Mira ferry runs aground", ("The Lake Mira ferry ran aground on Friday with 40 passengers aboard.",
                                "No one was hurt."), "LAKETOWN", "en", None, "usable", 2, "text")  # fmt: skip
    assert article.item.dateline.raw == "LAKETOWN -"


@pytest.mark.slow
def test_the_development_set_imports_every_item():
    from bench.eval_formats import DEFAULT_DEVSETS, DEVSET_FIELDS, devset_expected, score

    folder = DEFAULT_DEVSETS / "wire_formats"
    if not (folder / ".manifest.json").is_file():
        pytest.skip(f"development set not found at {folder} (WIREWATCH_DEVSETS)")
    counts = score(folder, devset_expected(folder), DEVSET_FIELDS, verbose=False, report=lambda line: None)
    assert (counts["walked"], counts["imported"]) == (counts["files"], counts["items"])


@pytest.mark.parametrize("declared", ["ISO-8859-15", "ISO-8859-1"])
def test_a_latin_declaration_on_utf8_bytes_is_read_as_utf8_and_true_latin_9_stays_latin_9(declared):
    from wirewatch.sources.formats import read_items

    document = f'<?xml version="1.0" encoding="{declared}"?><NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>{{}}</HeadLine>' \
               "</NewsLines></NewsComponent></NewsItem></NewsML>"  # fmt: skip
    assert read_items(document.format("Le lac gelé").encode("utf-8"))[0].headline == "Le lac gelé"
    if declared == "ISO-8859-15":
        assert read_items(document.format("Le lac gelé, 5 €").encode("iso-8859-15"))[0].headline == "Le lac gelé, 5 €"
