"""`wirewatch parse` and `wirewatch render`: JSON Lines out, one error line per bad file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from wirewatch.cli.commands import app

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
runner = CliRunner()


def test_parse_prints_one_json_object_per_file():
    result = runner.invoke(app, ["parse", str(SEED), str(SEED)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    data = json.loads(lines[0])
    assert data["headline"] == "No progress at Russia-US missile defense negotiations"
    assert data["dateline"] == {
        "raw": "CHEBARKUL, Chelyabinsk region, September 27 (Itar-Tass) ——",
        "place": "CHEBARKUL",
        "region": "Chelyabinsk region",
        "date_text": "September 27",
        "date": "2011-09-27",
        "date_source": "weekday",
        "agency": "TASS",
        "agency_raw": "Itar-Tass",
        "separator": "——",
    }
    assert len(data["paragraphs"]) == 21 and data["lang"] == "en"


def test_bad_files_get_one_line_each_and_the_rest_are_still_processed(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "latin1.txt").write_bytes("All news\n\nCaf\xe9".encode("latin-1"))
    (tmp_path / "nohead.txt").write_text("All news\n", encoding="utf-8")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse 100 MB file: the size check refuses it unread
        handle.truncate(100 * 1024 * 1024)
    names = ["empty.txt", "binary.bin", "latin1.txt", "nohead.txt", "huge.txt", "missing.txt"]
    result = runner.invoke(app, ["parse", *(str(tmp_path / n) for n in names), str(SEED)])
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 1  # the seed, after all the failures
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'empty.txt'}: error: empty document",
        f"{tmp_path / 'binary.bin'}: error: binary file (NUL bytes), not a wire document",
        f"{tmp_path / 'latin1.txt'}: error: invalid UTF-8 at byte 13",
        f"{tmp_path / 'nohead.txt'}: error: no headline: expected a section line, a blank line, then the headline",
        f"{tmp_path / 'huge.txt'}: error: too large: 104,857,600 bytes (limit 5,242,880)",
        f"{tmp_path / 'missing.txt'}: error: No such file or directory",
    ]
    assert "Traceback" not in result.output


def test_render_reads_parse_output_and_writes_the_seed_back():
    parsed = runner.invoke(app, ["parse", str(SEED)])
    rendered = runner.invoke(app, ["render"], input=parsed.stdout)
    assert rendered.exit_code == 0
    assert rendered.stdout_bytes == SEED.read_bytes()


def test_render_reports_bad_json_by_line():
    result = runner.invoke(app, ["render"], input='{"section": "x"\n{"section": "x", "headline": "h"}\n')
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["stdin line 1: error: invalid JSON: Expecting ',' delimiter at column 16"]
    assert result.stdout == "x\n\nh"


def test_parse_then_render_gives_every_seed_back_byte_for_byte():
    import subprocess
    import sys

    wirewatch = str(Path(sys.executable).parent / "wirewatch")
    for seed in sorted(SEED.parent.glob("*.txt")):
        parsed = subprocess.run([wirewatch, "parse", str(seed)], capture_output=True, check=True)
        rendered = subprocess.run([wirewatch, "render"], input=parsed.stdout, capture_output=True)
        assert rendered.returncode == 0, rendered.stderr
        assert rendered.stdout == seed.read_bytes(), seed.name


def test_render_separates_documents_with_a_form_feed_line():
    parsed = runner.invoke(app, ["parse", str(SEED), str(SEED)])
    rendered = runner.invoke(app, ["render"], input=parsed.stdout)
    assert rendered.stdout_bytes == SEED.read_bytes() + b"\n\f\n" + SEED.read_bytes()


def test_parse_sends_saved_feeds_and_pages_to_import(tmp_path):
    feed, page = tmp_path / "feed.xml", tmp_path / "page.HTML"
    feed.write_text("<rss/>", encoding="utf-8")
    page.write_text("<html/>", encoding="utf-8")
    result = runner.invoke(app, ["parse", str(feed), str(page)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{feed}: error: a saved feed, not wire text: use `wirewatch import {feed}`",
        f"{page}: error: a saved page, not wire text: use `wirewatch import {page}`",
    ]
