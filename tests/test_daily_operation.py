"""Daily operation without surprises (issue 31, points 5-15) through the real CLI on real
archives: operator words written in lower case, private addresses, source defaults, fetches
queued behind a host, unknown files in an imported folder, languages, digest sizes, dates
ahead of publication, CSV lines, interrupted runs, datelines left out."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from receivers import webhook_receiver  # noqa: F401  (pytest fixture)
from store_fixtures import paragraphs
from typer.testing import CliRunner
from werkzeug import Request, Response

from wirewatch.cli.commands import app
from wirewatch.config import HttpConfig
from wirewatch.sources.fetch import Fetcher

runner = CliRunner()


def slow_page(server: HTTPServer, seconds: float) -> str:
    def slow(request: Request) -> Response:
        time.sleep(seconds)
        return Response("page", content_type="text/plain")

    server.expect_request("/page").respond_with_handler(slow)
    return server.url_for("/page")


def fetch_at_once(config: HttpConfig, url: str, count: int) -> list[object]:
    """``count`` fetches of ``url`` started a moment apart: each one's content or error line."""
    results: list[object] = []
    with Fetcher(config, check_url=lambda url: None) as fetcher:

        def fetch() -> None:
            try:
                results.append(fetcher.get(url).content)
            except Exception as error:  # noqa: BLE001  (the test reports what failed)
                results.append(str(error))

        threads = [threading.Thread(target=fetch) for _ in range(count)]
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        for thread in threads:
            thread.join()
    return results


def test_time_queued_behind_the_host_gate_is_not_the_page_timing_out(httpserver: HTTPServer) -> None:
    # one request at a time to the host, each 0.6 s: the third waits 1.2 s for its turn, more
    # than the 1 s a fetch may take once it is sent
    config = HttpConfig(total_timeout=1.0, retries=0, per_host_concurrency=1, per_host_delay=0.0, run_deadline=30.0)
    assert fetch_at_once(config, slow_page(httpserver, 0.6), 3) == [b"page"] * 3


def test_a_fetch_queued_past_the_run_deadline_says_it_was_never_requested(httpserver: HTTPServer) -> None:
    config = HttpConfig(total_timeout=5.0, retries=0, per_host_concurrency=1, per_host_delay=0.0, run_deadline=1.0)
    assert sorted(map(str, fetch_at_once(config, slow_page(httpserver, 1.5), 2))) == [
        "timed out after the run deadline (run_deadline = 1 s)",
        "timed out after the run deadline (run_deadline = 1 s) (queued for a turn at the host, never requested)",
    ]


# ---------------------------------------------------------------------------------------------
# Through the CLI, on a real archive (the default lake)

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"


def lake_config(root: Path, query: str = '"missile defense"') -> Path:
    config = root / "wirewatch.toml"
    config.write_text(
        f'catalog = "lake/catalog.sqlite"\n[[topics]]\nname = "talks"\nquery = \'{query}\'\n', encoding="utf-8"
    )
    return config


def test_lower_case_operator_words_warn_at_config_load_topics_check_and_backtest(tmp_path: Path) -> None:
    config = lake_config(tmp_path, "missile or Tehran")
    warning = (
        'warning: wirewatch.toml: topic "talks": query col 9: "or" is searched as a word; '
        'write OR for the operator, or "or" in quotes for the word\n'
    )
    imported = runner.invoke(app, ["import", "--config", str(config), str(SEED)])
    assert imported.exit_code == 0, imported.output
    assert imported.stderr.startswith(warning)
    checked = runner.invoke(app, ["topics", "check", "--config", str(config), str(SEED)])
    assert checked.exit_code == 0 and checked.stderr == warning
    assert "no topic matched" in checked.stdout  # "missile AND or AND Tehran": the word "or" is required
    backtest = runner.invoke(app, ["topics", "backtest", "--config", str(config)])
    assert backtest.exit_code == 0 and backtest.stderr == warning
    tried = runner.invoke(app, ["topics", "backtest", "--config", str(config), "--query", "missile near/5 defense"])
    assert tried.exit_code == 0
    assert tried.stderr == warning + (
        'warning: --query: topic "query": query col 9: "near/5" is searched as a word; '
        'write NEAR/5 for the operator, or "near/5" in quotes for the word\n'
    )
    quiet = runner.invoke(app, ["topics", "check", "--config", str(lake_config(tmp_path, 'missile OR "or"')), str(SEED)])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_an_unknown_file_in_an_imported_folder_is_counted_and_skipped(tmp_path: Path) -> None:
    config = lake_config(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(SEED.read_bytes())
    (folder / "package.json").write_text('{"name": "not a wire item", "version": "1.0.0"}', encoding="utf-8")
    (folder / "data.nitf").write_bytes(b"\x00\x01binary")
    done = runner.invoke(app, ["import", "--config", str(config), str(folder)])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    hint = "not a known format (wire text, RSS/Atom, HTML page, NewsML, NITF, ANPA, IPTC 7901, agency JSON)"
    assert lines[:3] == [
        "skipped: 2 files in no known format",
        f"skipped: {folder / 'data.nitf'}: {hint}",
        f"skipped: {folder / 'package.json'}: {hint}",
    ]
    assert lines[3] == "items: 1 new, 0 duplicate, 0 revised, 0 rejected"
    # a .txt is wire text: one that is not stays an error
    (folder / "bad.txt").write_text("no headline here", encoding="utf-8")
    again = runner.invoke(app, ["import", "--config", str(config), str(folder / "bad.txt")])
    assert again.exit_code == 2 and again.stdout.startswith(f"unreadable: {folder / 'bad.txt'}: ")


def test_csv_lines_end_in_a_newline_and_summaries_leave_out_a_missing_dateline(tmp_path: Path) -> None:
    config = lake_config(tmp_path, "harvest")
    undated = tmp_path / "undated.txt"
    undated.write_text("Economy\n\nRecord harvest\n\nThe grain harvest hit a record this year.", encoding="utf-8")
    done = runner.invoke(app, ["import", "--config", str(config), str(undated)])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[1] == "flagged [talks] Record harvest terms: harvest; alerted"
    assert lines[3].startswith("alert [talks] Record harvest story ") and "()" not in done.stdout
    csv_out = runner.invoke(app, ["sql", "--config", str(config), "--format", "csv", "SELECT headline, 1 AS n FROM articles"])
    assert csv_out.stdout == "headline,n\nRecord harvest,1\n"
    exported = tmp_path / "out.csv"
    runner.invoke(app, ["sql", "--config", str(config), "-o", str(exported), "SELECT headline FROM articles"])
    assert exported.read_bytes() == b"headline\nRecord harvest\n"


def test_parse_points_agency_format_files_to_import(tmp_path: Path) -> None:
    nitf = tmp_path / "story.xml"
    nitf.write_text('<?xml version="1.0"?><nitf><head><title>T</title></head><body></body></nitf>', encoding="utf-8")
    anpa = tmp_path / "story.anpa"
    anpa.write_bytes(b"\x01\x16a0123 r i BC-Soccer-Result 0123\x02 Soccer result\r\n\x03")
    done = runner.invoke(app, ["parse", str(nitf), str(anpa), str(SEED)])
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        f"{nitf}: error: NITF, an agency wire format, not wire text: use `wirewatch import {nitf}`",
        f"{anpa}: error: ANPA-1312, an agency wire format, not wire text: use `wirewatch import {anpa}`",
    ]
    assert len(done.stdout.splitlines()) == 1  # the seed, parsed


def test_a_digest_fits_its_channel_ordered_by_topic_and_score_with_the_rest_counted(tmp_path: Path, webhook_receiver) -> None:
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'catalog = "lake/catalog.sqlite"\n[alerts]\nchannels = ["{webhook_receiver.url("/digest")}"]\n'
        '[[topics]]\nname = "zeta-grain"\nquery = "grain"\n[[topics]]\nname = "alpha-harvest"\nquery = "harvest"\n',
        encoding="utf-8",
    )
    folder = tmp_path / "in"
    folder.mkdir()
    count = 400
    for i in range(count):
        # every fifth names the harvest in its headline: a higher score than in the body
        headline = f"Harvest report {i}" if i % 5 == 0 else f"Report {i} on the grain harvest"
        body = "\n\n".join(paragraphs(i, words=60, per_paragraph=30))
        (folder / f"{i:03}.txt").write_text(f"Economy\n\n{headline}\n\nThe grain harvest. {body}", encoding="utf-8")
    done = runner.invoke(app, ["import", "--config", str(config), "--workers", "0", str(folder)])
    assert done.exit_code == 0, done.output
    [digest] = [p for p in webhook_receiver.payloads if p["title"].startswith("[wirewatch] 800 alerts")]
    body = digest["message"]
    assert len(body) <= 32768  # apprise's body_maxlen for json://
    lines = body.splitlines()
    headlines = re.findall(r"^[0-9]+\. \*\*(.+)\*\*  $", body, re.M)  # json:// takes Markdown
    topics_in_order = re.findall(r"^   ([a-z-]+) · ", body, re.M)
    shown = len(headlines)
    assert 0 < shown == len(topics_in_order) < 2 * count
    assert topics_in_order == sorted(topics_in_order)  # alpha-harvest first
    assert all(h.startswith("Harvest report ") for h in headlines[: count // 5])  # a headline hit scores highest
    assert not any(h.startswith("Harvest report ") for h in headlines[count // 5 :])
    alpha_hidden = count - topics_in_order.count("alpha-harvest")
    assert body.splitlines()[-1] == (
        f"... and {2 * count - shown:,} more: alpha-harvest ({alpha_hidden}), zeta-grain ({count}) "
        f"(all {2 * count:,} are in the archive: wirewatch alerts list)"
    )
    listed = runner.invoke(app, ["sql", "--config", str(config), "-f", "csv", "SELECT count(*) FROM alerts WHERE status = 'sent'"])
    assert listed.stdout == f"count_star()\n{2 * count}\n"


def test_the_language_is_detected_for_any_language_and_unknown_when_there_is_too_little_text(tmp_path: Path) -> None:
    config = lake_config(tmp_path)
    texts = {
        "it": ("Bilancio approvato", "ROMA, 5 luglio. Il governo italiano ha approvato la legge di bilancio per il prossimo anno, "
               "ha detto il ministro dell'economia ai giornalisti dopo la riunione del consiglio dei ministri."),
        "de": ("Neue Maßnahmen", "BERLIN, 5. Juli. Die Bundesregierung hat heute neue Maßnahmen gegen die steigenden Preise "
               "beschlossen, teilte ein Sprecher des Finanzministeriums nach der Kabinettssitzung mit."),
        "pt": ("Novas medidas", "BRASÍLIA, 5 de julho. O governo brasileiro anunciou nesta sexta-feira novas medidas económicas "
               "para conter a inflação, segundo o ministro da Fazenda em entrevista coletiva."),
        "zh": ("外交部发言人", "北京，7月5日。中国外交部发言人今天在例行记者会上表示，双方将在下周继续举行谈判，并就共同关心的问题交换意见。"),
        "ru": ("Переговоры продолжатся", "МОСКВА, 5 июля. /ТАСС/. Переговоры с Соединенными Штатами продолжатся на следующей "
               "неделе, сообщил журналистам пресс-секретарь президента."),
        "short": ("Brevi", "Ciao."),
    }
    for name, (headline, body) in texts.items():
        (tmp_path / f"{name}.txt").write_text(f"World\n\n{headline}\n\n{body}", encoding="utf-8")
    done = runner.invoke(app, ["import", "--config", str(config), *(str(tmp_path / f"{n}.txt") for n in texts)])
    assert done.exit_code == 0, done.output
    found = runner.invoke(app, ["sql", "--config", str(config), "-f", "csv", "SELECT headline, lang FROM articles ORDER BY headline"])
    rows = dict(line.split(",") for line in found.stdout.splitlines()[1:])
    assert rows == {headline: ("" if name == "short" else name) for name, (headline, _) in texts.items()}


def test_a_dateline_is_never_dated_after_its_publication_and_archived_text_keeps_its_year(tmp_path: Path) -> None:
    import os

    config = lake_config(tmp_path)
    feed = tmp_path / "saved.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><link>https://wire.example</link>'
        "<description>d</description><item><title>Year-end talks</title><link>https://wire.example/1</link>"
        "<guid>w-1</guid><pubDate>Mon, 07 Dec 2026 10:00:00 GMT</pubDate><description>MOSCOW, December 26 "
        "(Reuters) - Talks ended on the last working day of the year, officials said on Monday, adding that "
        "the next round would begin in the spring.</description></item></channel></rss>",
        encoding="utf-8",
    )
    archived = tmp_path / "archived.txt"
    archived.write_text(
        "Politics\n\nNo progress at talks\n\nCHEBARKUL, September 27 (Itar-Tass) -- There was no progress "
        "at the talks, a deputy minister said on Tuesday.",
        encoding="utf-8",
    )
    written = dt.datetime(2011, 10, 1, tzinfo=dt.timezone.utc).timestamp()
    os.utime(archived, (written, written))
    query = "SELECT headline, dateline_date, dateline_date_source FROM articles ORDER BY headline"
    for attempt in ("first", "again"):
        archive = tmp_path / attempt
        archive.mkdir()
        db = ["--db", str(archive / "catalog.sqlite")]
        done = runner.invoke(app, ["import", "--config", str(config), *db, str(feed), str(archived)])
        assert done.exit_code == 0, done.output
        found = runner.invoke(app, ["sql", "--config", str(config), *db, "-f", "csv", query])
        assert found.stdout.splitlines()[1:] == [
            "No progress at talks,2011-09-27,weekday",  # the year the file was written in, not the import's
            "Year-end talks,2025-12-26,published",  # not 2026-12-26, 19 days after it was published
        ]


def test_duckdb_cli_opens_the_archive_offline_with_the_printed_init_script(tmp_path: Path) -> None:
    import subprocess
    import sys

    duckdb_cli = Path(sys.executable).with_name("duckdb")  # the duckdb-cli dev dependency
    config = lake_config(tmp_path)
    assert runner.invoke(app, ["import", "--config", str(config), str(SEED)]).exit_code == 0
    printed = runner.invoke(app, ["duckdb-init", "--config", str(config)])
    assert printed.exit_code == 0, printed.output
    script = tmp_path / "archive.sql"
    script.write_text(printed.stdout, encoding="utf-8")
    assert "INSTALL" not in printed.stdout and printed.stdout.count("LOAD '") == 2
    home = tmp_path / "home"  # no extension installed before: ~/.duckdb is empty
    home.mkdir()
    done = subprocess.run(
        [str(duckdb_cli), "-init", str(script), "-csv", "-c", "SELECT headline, n_outlets FROM stories"],
        capture_output=True, text=True, timeout=120, env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["headline,n_outlets", "No progress at Russia-US missile defense negotiations,1"]
    assert list(home.rglob("*.duckdb_extension")) == []
    file_config = tmp_path / "file.toml"
    file_config.write_text('db = "a.duckdb"\n', encoding="utf-8")
    assert runner.invoke(app, ["import", "--config", str(file_config), str(SEED)]).exit_code == 0
    plain = runner.invoke(app, ["duckdb-init", "--config", str(file_config)])
    assert plain.stdout == f"ATTACH '{tmp_path / 'a.duckdb'}' AS archive (READ_ONLY);\nUSE archive;\n"
