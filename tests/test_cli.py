"""The command line over a real archive: sql, topics check/backtest, alerts list/retry/test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from store_fixtures import lake_setting
from receivers import webhook_receiver  # noqa: F401  (pytest fixture)
from typer.testing import CliRunner

from wirewatch.cli.commands import app

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
runner = CliRunner()


@pytest.fixture
def archive(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A config whose archive holds the seed and one unrelated article: in a DuckDB file, or in
    a lake (the default archive), behaving alike."""
    if backend == "file":
        return archive_at(tmp_path, 'db = "a.duckdb"')
    config = archive_at(tmp_path, lake_setting(request, tmp_path))
    assert (tmp_path / "lake" / "catalog.sqlite").is_file() and not list(tmp_path.glob("*.duckdb"))
    return config


def archive_at(tmp_path: Path, where: str) -> Path:
    """The config of ``archive``, its archive named by the line ``where`` (db or catalog)."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        where + '\n[[topics]]\nname = "missile-defense"\nquery = \'"missile defense" OR =ABM\'\n'
        '[[topics]]\nname = "grain"\nquery = "harvest"\n',
        encoding="utf-8",
    )
    other = tmp_path / "other.txt"
    other.write_text("Economy\n\nRecord grain harvest\n\nKRASNODAR, July 5. /TASS/. The grain harvest hit a record.", encoding="utf-8")
    result = runner.invoke(app, ["import", "--config", str(config), str(SEED), str(other)])
    assert result.exit_code == 0, result.output
    return config


def test_sql_prints_a_table_csv_and_json(archive):
    query = "SELECT dateline_place, agency FROM articles ORDER BY 1"
    table = runner.invoke(app, ["sql", "--config", str(archive), query])
    assert table.exit_code == 0 and "CHEBARKUL" in table.stdout and "KRASNODAR" in table.stdout
    csv_out = runner.invoke(app, ["sql", "--config", str(archive), "--format", "csv", query])
    assert csv_out.stdout.splitlines() == ["dateline_place,agency", "CHEBARKUL,TASS", "KRASNODAR,TASS"]
    json_out = runner.invoke(app, ["sql", "--config", str(archive), "-f", "json", query])
    assert json.loads(json_out.stdout) == [
        {"dateline_place": "CHEBARKUL", "agency": "TASS"},
        {"dateline_place": "KRASNODAR", "agency": "TASS"},
    ]


def test_sql_is_read_only_and_errors_are_one_line(archive, tmp_path):
    write = runner.invoke(app, ["sql", "--config", str(archive), "DELETE FROM article_rows"])
    assert write.exit_code == 2
    assert write.stderr.startswith("error: ") and len(write.stderr.strip().splitlines()) == 1
    bad = runner.invoke(app, ["sql", "--config", str(archive), "SELEC 1"])
    assert bad.exit_code == 2 and "syntax error" in bad.stderr.lower()
    missing = runner.invoke(app, ["sql", "--db", str(tmp_path / "none.duckdb"), "SELECT 1"])
    assert missing.exit_code == 2
    assert missing.stderr == f"error: {tmp_path / 'none.duckdb'}: no database yet (run `wirewatch run` or `wirewatch import` first)\n"
    counted = runner.invoke(app, ["sql", "--config", str(archive), "-f", "csv", "SELECT count(*) AS n FROM articles"])
    assert counted.stdout.splitlines() == ["n", "2"]


def test_topics_check_highlights_and_json(archive, tmp_path):
    shown = runner.invoke(app, ["topics", "check", "--config", str(archive), str(SEED)])
    assert shown.exit_code == 0
    assert "missile-defense" in shown.stdout and "No progress at Russia-US «missile defense» negotiations" in shown.stdout
    as_json = runner.invoke(app, ["topics", "check", "--json", "--config", str(archive), str(SEED)])
    matches = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [m["topic"] for m in matches] == ["missile-defense"]
    assert {"headline", "body"} <= {h["field"] for h in matches[0]["hits"]}
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"")
    failed = runner.invoke(app, ["topics", "check", "--config", str(archive), str(broken)])
    assert failed.exit_code == 2 and failed.stderr == f"{broken}: error: empty document\n"


def test_topics_backtest_saved_and_unsaved_rules(archive):
    saved = runner.invoke(app, ["topics", "backtest", "missile-defense", "--config", str(archive)])
    assert saved.exit_code == 0, saved.output
    assert "Backtest over 2 articles" in saved.stdout
    assert "No progress at Russia-US missile defense negotiations" in saved.stdout
    unsaved = runner.invoke(app, ["topics", "backtest", "--query", "harvest OR grain", "--config", str(archive)])
    assert "Record grain harvest" in unsaved.stdout and "No progress" not in unsaved.stdout
    bad = runner.invoke(app, ["topics", "backtest", "--query", "(harvest", "--config", str(archive)])
    assert bad.exit_code == 2 and bad.stderr.startswith('error: --query: topic "query": query col 9: expected ")"')
    future = runner.invoke(app, ["topics", "backtest", "--since", "2999-01-01", "--config", str(archive)])
    assert "Backtest over 0 articles" in future.stdout


def test_alerts_list_retry_and_test(archive, webhook_receiver):
    listed = runner.invoke(app, ["alerts", "list", "--config", str(archive), "-f", "json"])
    rows = json.loads(listed.stdout)
    assert sorted((r["topic"], r["channel"], r["status"]) for r in rows) == [
        ("grain", "console", "sent"),
        ("missile-defense", "console", "sent"),
    ]
    none_failed = runner.invoke(app, ["alerts", "list", "--status", "failed", "--config", str(archive), "-f", "csv"])
    assert none_failed.stdout.splitlines() == [
        "alert_id,topic,story_id,article_id,headline,channel,status,attempts,created_at,sent_at,next_attempt_at,error"
    ]
    retried = runner.invoke(app, ["alerts", "retry", "--config", str(archive)])
    assert retried.stdout.startswith("0 failed alerts reset")
    sample = runner.invoke(app, ["alerts", "test", webhook_receiver.url("/t")])
    assert sample.exit_code == 0 and sample.stdout.startswith("sent a sample alert to json://127.0.0.1:")
    assert len(webhook_receiver.payloads) == 1
    unset = runner.invoke(app, ["alerts", "test", "${WIREWATCH_NOT_SET_ANYWHERE}"])
    assert unset.exit_code == 2 and "WIREWATCH_NOT_SET_ANYWHERE" in unset.stderr
    webhook_receiver.default_status = 500
    down = runner.invoke(app, ["alerts", "test", webhook_receiver.url("/t")])
    assert down.exit_code == 1 and down.stderr.startswith("error: json://127.0.0.1:")


@pytest.mark.parametrize(
    "error",
    # Ctrl-C as Python and as DuckDB report it (during a statement; while it reads Python objects)
    [KeyboardInterrupt(), RuntimeError("Query interrupted"), "duckdb.Error", "duckdb.InterruptException"],
)
def test_ctrl_c_is_one_line_and_exit_130(error, capsys):
    import duckdb
    import typer

    from wirewatch.cli.commands import user_errors

    if error == "duckdb.Error":
        error = duckdb.Error("KeyboardInterrupt: ")
    elif error == "duckdb.InterruptException":
        error = duckdb.InterruptException("INTERRUPT Error: Interrupted!")
    with pytest.raises(typer.Exit) as stopped:
        with user_errors():
            raise error
    assert stopped.value.exit_code == 130
    assert capsys.readouterr().err == (
        "interrupted: the batches stored before it are kept; the same command goes on from there\n"
    )


def test_other_runtime_errors_are_not_taken_for_an_interrupt():
    from wirewatch.cli.commands import user_errors

    with pytest.raises(RuntimeError, match="something else"):
        with user_errors():
            raise RuntimeError("something else")


# A DuckDB file's reader only (its messages name the file); test_lake_archive.py checks the
# lake reader's confinement.
@pytest.mark.backends("file")
@pytest.mark.parametrize(
    "statement,touched",
    [
        ("COPY (SELECT * FROM articles) TO '{out}/copy.csv'", "copy.csv"),
        ("EXPORT DATABASE '{out}/export'", "export"),
        ("SELECT content FROM read_text('/etc/passwd')", None),
        ("SELECT file FROM glob('/root/*')", None),
        ("SELECT * FROM read_csv('/etc/passwd')", None),
        ("ATTACH '{out}/other.duckdb' AS other", "other.duckdb"),
        ("INSTALL httpfs", None),
        ("LOAD httpfs", None),
    ],
)
def test_sql_cannot_touch_the_filesystem(archive, tmp_path, statement, touched):
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, ["sql", "--config", str(archive), statement.format(out=out)])
    assert result.exit_code == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {tmp_path / 'a.duckdb'}: Permission Error: ") and "disabled" in line
    assert list(out.iterdir()) == []


@pytest.mark.backends("file")  # as above
def test_sql_cannot_unlock_its_configuration(archive):
    result = runner.invoke(app, ["sql", "--config", str(archive), "SET enable_external_access = true"])
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {archive.parent / 'a.duckdb'}: Invalid Input Error: Cannot change configuration option"
        ' "enable_external_access" - the configuration has been locked\n',
    )


def test_sql_still_reads_views_and_macros(archive):
    query = "SELECT wire_text(section, headline, subtitle, dateline_raw, body) = wire_text AS same, alert_id('t', 's', 'c', 'a', 1) AS id FROM articles"
    result = runner.invoke(app, ["sql", "--config", str(archive), "-f", "csv", query])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["same,id", "True,b7baa7ee396ae58d", "True,b7baa7ee396ae58d"]


@pytest.mark.parametrize("output_format", ["csv", "json", "parquet"])
def test_sql_output_is_written_by_wirewatch(archive, tmp_path, output_format):
    import duckdb

    target = tmp_path / f"places.{output_format}"
    query = "SELECT dateline_place, agency FROM articles ORDER BY 1"
    result = runner.invoke(app, ["sql", "--config", str(archive), "--format", output_format, "--output", str(target), query])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    reader = {"csv": "read_csv", "json": "read_json", "parquet": "read_parquet"}[output_format]
    with duckdb.connect() as connection:
        rows = connection.execute(f"SELECT dateline_place, agency FROM {reader}('{target}')").fetchall()
    assert rows == [("CHEBARKUL", "TASS"), ("KRASNODAR", "TASS")]


def test_sql_output_into_a_missing_folder_is_one_line(archive, tmp_path):
    target = tmp_path / "no" / "such" / "x.csv"
    result = runner.invoke(app, ["sql", "--config", str(archive), "-o", str(target), "SELECT 1"])
    assert (result.exit_code, result.stderr) == (2, f"error: {target}: cannot write: No such file or directory\n")
    parquet = runner.invoke(app, ["sql", "--config", str(archive), "-f", "parquet", "SELECT 1"])
    assert parquet.exit_code == 2 and parquet.stderr == "error: --format: expected one of table, csv, json, jsonl, got 'parquet'\n"
# ---------------------------------------------------------------------------------------------
# Conventional formats


def test_sql_json_is_one_array_and_jsonl_one_object_per_line(archive):
    query = "SELECT dateline_place FROM articles ORDER BY 1"
    as_json = runner.invoke(app, ["sql", "--config", str(archive), "--format", "json", query])
    assert json.loads(as_json.stdout) == [{"dateline_place": "CHEBARKUL"}, {"dateline_place": "KRASNODAR"}]
    empty = runner.invoke(app, ["sql", "--config", str(archive), "-f", "json", "SELECT 1 AS n WHERE false"])
    assert json.loads(empty.stdout) == []
    as_jsonl = runner.invoke(app, ["sql", "--config", str(archive), "-f", "jsonl", query])
    assert as_jsonl.stdout == '{"dateline_place": "CHEBARKUL"}\n{"dateline_place": "KRASNODAR"}\n'


def test_sql_table_cuts_long_cells_to_one_line(archive):
    table = runner.invoke(app, ["sql", "--config", str(archive), "SELECT dateline_place, body FROM articles ORDER BY 1"])
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert len(lines) == 6  # off a terminal, one line per row: rule, header, rule, 2 rows, rule
    seed_row = next(line for line in lines if "CHEBARKUL" in line)
    assert seed_row.endswith("There is no progress at the Russia-U.S. missile defense neg… │")
    assert "[missile defense]" in runner.invoke(
        app, ["sql", "--config", str(archive), "SELECT '[missile defense]' AS bracketed"]
    ).stdout  # data is not rich markup


def test_sql_refuses_several_statements_in_one_line(archive):
    several = runner.invoke(app, ["sql", "--config", str(archive), "SELECT 1; SELECT 2"])
    assert several.exit_code == 2
    assert several.stderr == "error: 2 statements given; `wirewatch sql` runs only one statement: send them one at a time\n"
    trailing = runner.invoke(app, ["sql", "--config", str(archive), "-f", "csv", "SELECT 1 AS n;"])
    assert trailing.exit_code == 0 and trailing.stdout.splitlines() == ["n", "1"]


def test_sql_misspelled_view_lists_the_views(archive):
    wrong = runner.invoke(app, ["sql", "--config", str(archive), "SELECT * FROM storys"])
    assert wrong.exit_code == 2 and len(wrong.stderr.splitlines()) == 1
    assert "Table with name storys does not exist" in wrong.stderr
    assert wrong.stderr.rstrip().endswith(
        "; the views are: alert_latency, alerts, article_revisions, articles, copy_decisions, quotes, runs, sources, speakers,"
        " stories, topic_matches, topic_quotes"
    )


def test_help_shows_flags_without_a_type_and_version_prints():
    helped = runner.invoke(app, ["run", "--help"])
    assert "--strict" in helped.stdout and "<bool>" not in helped.stdout
    assert "<bool>" not in runner.invoke(app, ["topics", "check", "--help"]).stdout
    from wirewatch import __version__

    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout == f"wirewatch {__version__}\n"


def test_topics_check_marks_hits_off_a_terminal_and_lists_each_term_once(archive, tmp_path):
    config = tmp_path / "two.toml"
    config.write_text('db = "a.duckdb"\n[[topics]]\nname = "md"\nquery = \'"missile defense" OR Antonov\'\n', encoding="utf-8")
    shown = runner.invoke(app, ["topics", "check", "--config", str(config), str(SEED)])
    assert shown.exit_code == 0
    assert "md  score" in shown.stdout and shown.stdout.count("terms: Antonov, missile defense\n") == 1
    assert "No progress at Russia-US «missile defense» negotiations" in shown.stdout
    assert "Minister «Anatoly Antonov»" not in shown.stdout and "«Antonov»" in shown.stdout


def test_topics_backtest_since_uses_the_articles_own_date_and_shows_terms(archive):
    # Both were imported today; the seed's dateline says 27 September 2011.
    after_seed = runner.invoke(app, ["topics", "backtest", "--since", "2011-09-28", "--config", str(archive)])
    assert after_seed.exit_code == 0, after_seed.output
    assert "Backtest over 1 articles since 2011-09-28 00:00 UTC" in after_seed.stdout
    assert "No progress" not in after_seed.stdout and "Record grain harvest" in after_seed.stdout
    on_the_day = runner.invoke(app, ["topics", "backtest", "missile-defense", "--since", "2011-09-27", "--config", str(archive)])
    assert "Backtest over 2 articles" in on_the_day.stdout
    assert "    No progress at Russia-US missile defense negotiations\n" in on_the_day.stdout
    assert "    terms: missile defense\n" in on_the_day.stdout
