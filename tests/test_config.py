"""wirewatch.toml loading: defaults, relative paths, topics.toml beside it, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.config import ConfigError, load_config
from wirewatch.model import LakeLocation

REPO = Path(__file__).parents[1]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_sources_and_topics():
    config = load_config(REPO / "wirewatch.toml", env={})
    assert [s.name for s in config.sources] == ["seeds", "tass", "yonhap", "xinhua"]
    assert config.sources[0].path == REPO / "seeds"
    assert config.sources[1].url == "https://tass.com/rss/v2.xml"
    assert config.db == LakeLocation(str(REPO / "data/lake/catalog.sqlite"), str(REPO / "data/lake/files"))
    assert "missile-defense" in [t.name for t in config.topics]


def test_embedded_defaults_when_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(env={})
    assert config.path is None
    assert [(s.name, s.kind) for s in config.sources] == [("seeds", "dir")]
    assert config.db == LakeLocation(str(tmp_path / "data/lake/catalog.sqlite"), str(tmp_path / "data/lake/files"))


def test_environment_overrides_config_and_db(tmp_path):
    cfg = write(tmp_path / "custom.toml", 'db = "x.duckdb"\n')
    config = load_config(env={"WIREWATCH_CONFIG": str(cfg), "WIREWATCH_DB": str(tmp_path / "env.duckdb")})
    assert config.path == cfg
    assert config.db == tmp_path / "env.duckdb"
    assert load_config(cfg, env={}).db == tmp_path / "x.duckdb"


def test_topics_toml_beside_the_config_is_read(tmp_path):
    cfg = write(tmp_path / "wirewatch.toml", '[[topics]]\nname = "a"\nquery = "alpha"\n')
    write(tmp_path / "topics.toml", '[[topics]]\nname = "b"\nquery = "beta"\nchannels = ["json://x"]\n')
    config = load_config(cfg, env={})
    assert [(t.name, t.query, t.channels) for t in config.topics] == [("a", "alpha", None), ("b", "beta", ("json://x",))]


@pytest.mark.parametrize(
    "text,message",
    [
        ('[[sources]]\nname = "a"\nkind = "dir"\npath = "."\n[[sources]]\nname = "b"\nkind = "feed"\nurl = "https://x/f"\n[[sources]]\nname = "c"\nkind = "feed"\nurl = "ftp://x"\n',
         "wirewatch.toml: sources[2].url: not a URL (expected http:// or https://): 'ftp://x'"),
        ('[[sources]]\nname = "a"\nkind = "rss"\nurl = "https://x"\n', "wirewatch.toml: sources[0].kind: expected one of feed, page, dir, got 'rss'"),
        ('[[sources]]\nname = "a"\nkind = "feed"\n', 'wirewatch.toml: sources[0].url: required for kind = "feed"'),
        ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://x"\nfull_text = "yes"\n', "wirewatch.toml: sources[0].full_text: expected one of auto, always, never, got 'yes'"),
        ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://x"\nmax_age_days = "2"\n', "wirewatch.toml: sources[0].max_age_days: expected number, got '2'"),
        ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://x"\nurll = "https://y"\n', "wirewatch.toml: sources[0].urll: unknown setting"),
        ('[alerts]\ndigest_threshold = "5"\n', "wirewatch.toml: alerts.digest_threshold: expected integer, got '5'"),
        ('[[topics]]\nname = "t"\nquery = ""\n', 'wirewatch.toml: topic "t": query: required'),
        ('[[sources]]\nname = "a"\nkind = "dir"\npath = "."\n[[sources]]\nname = "a"\nkind = "dir"\npath = "."\n', "wirewatch.toml: sources: duplicate name 'a'"),
        ("db = [", "wirewatch.toml: not valid TOML"),
    ],
)
def test_bad_config_gives_one_line_naming_file_and_field(tmp_path, text, message):
    cfg = write(tmp_path / "wirewatch.toml", text)
    with pytest.raises(ConfigError) as error:
        load_config(cfg, env={})
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope.toml: no such file"):
        load_config(tmp_path / "nope.toml", env={})


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        (
            'name = "missile-defense"\nquery = \'(ABM OR "missile defense"\'',
            'topics.toml: topic "missile-defense": query col 26: expected ")"',
        ),
        # letters beyond the Basic Multilingual Plane separate words to the matcher, like spaces
        (
            'name = "bold"\nquery = "ABM OR \U0001d400\U0001d401\U0001d40c"',
            'topics.toml: topic "bold": query col 8: expected a term with letters or digits',
        ),
    ],
)
def test_a_bad_topic_query_names_the_file_topic_and_column(tmp_path, topic, message):
    cfg = write(tmp_path / "wirewatch.toml", 'db = "x.duckdb"\n')
    write(tmp_path / "topics.toml", f"[[topics]]\n{topic}\n")
    with pytest.raises(ConfigError) as error:
        load_config(cfg, env={})
    assert str(error.value) == message


@pytest.mark.parametrize(
    "text,message",
    [
        ("[alerts]\nmax_attempts = 0\n", "wirewatch.toml: alerts.max_attempts: must be from 1 to 100, got 0"),
        ("[alerts]\ndigest_threshold = 0\n", "wirewatch.toml: alerts.digest_threshold: must be from 1 to 100,000, got 0"),
        ("story_window_days = 0\n", "wirewatch.toml: story_window_days: must be from 1 to 3,650, got 0"),
        ("story_window_days = 100000000\n", "wirewatch.toml: story_window_days: must be from 1 to 3,650, got 1e+08"),
        ("[http]\nmax_retry_after = inf\n", "wirewatch.toml: http.max_retry_after: expected a finite number, got inf"),
        ("[http]\ntotal_timeout = nan\n", "wirewatch.toml: http.total_timeout: expected a finite number, got nan"),
        ("[http]\nconnect_timeout = -inf\n", "wirewatch.toml: http.connect_timeout: expected a finite number, got -inf"),
        ("[http]\nmax_redirects = -1\n", "wirewatch.toml: http.max_redirects: must be from 0 to 30, got -1"),
        ("[http]\nretries = 9223372036854775807\n", "wirewatch.toml: http.retries: must be from 0 to 10, got 9.22337e+18"),
        ("[http]\ntotal_timeout = 0\n", "wirewatch.toml: http.total_timeout: must be from 0.1 to 3,600, got 0"),
        ("[http]\nmax_bytes = -5\n", "wirewatch.toml: http.max_bytes: must be from 1,024 to 1.07374e+09, got -5"),
        ("[http]\nper_host_concurrency = 0\n", "wirewatch.toml: http.per_host_concurrency: must be from 1 to 64, got 0"),
        ("[http]\nper_host_delay = -1.5\n", "wirewatch.toml: http.per_host_delay: must be from 0 to 3,600, got -1.5"),
        ("[alerts]\nretry_backoff_seconds = 1e300\n", "wirewatch.toml: alerts.retry_backoff_seconds: must be from 0 to 604,800, got 1e+300"),
        ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://x"\nmax_age_days = 0\n', "wirewatch.toml: sources[0].max_age_days: must be from 0.001 to 36,500, got 0"),
        ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://x"\nmax_age_days = nan\n', "wirewatch.toml: sources[0].max_age_days: expected a finite number, got nan"),
        ('[[topics]]\nname = "t"\nquery = "a"\nmin_score = inf\n', "wirewatch.toml: topics[0].min_score: expected a finite number, got inf"),
        ('[[topics]]\nname = "t"\nquery = "a"\nmin_score = -1\n', "wirewatch.toml: topics[0].min_score: must be from 0 to 1e+06, got -1"),
        ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "http://[::1/feed"\n', "wirewatch.toml: sources[0].url: not a URL (expected http:// or https://): 'http://[::1/feed'"),
        ('[[sources]]\nname = "a"\nkind = "page"\nurl = "http://[zz]/"\n', "wirewatch.toml: sources[0].url: not a URL (expected http:// or https://): 'http://[zz]/'"),
        ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "http://x:99999/"\n', "wirewatch.toml: sources[0].url: not a URL (expected http:// or https://): 'http://x:99999/'"),
    ],
)
def test_settings_out_of_range(tmp_path, text, message):
    cfg = write(tmp_path / "wirewatch.toml", text)
    with pytest.raises(ConfigError) as error:
        load_config(cfg, env={})
    assert str(error.value) == message


@pytest.mark.parametrize(
    "text,message",
    [
        ("[http]\nmax_retry_after = inf\n", "error: wirewatch.toml: http.max_retry_after: expected a finite number, got inf"),
        ("story_window_days = 100000000\n", "error: wirewatch.toml: story_window_days: must be from 1 to 3,650, got 1e+08"),
        ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "http://[::1/feed"\n', "error: wirewatch.toml: sources[0].url: not a URL (expected http:// or https://): 'http://[::1/feed'"),
    ],
)
def test_out_of_range_settings_end_the_cli_in_one_line(tmp_path, text, message):
    from typer.testing import CliRunner

    from wirewatch.cli.commands import app

    cfg = write(tmp_path / "wirewatch.toml", text)
    for command in (["import", "--config", str(cfg), str(tmp_path)], ["topics", "backtest", "--config", str(cfg)]):
        result = CliRunner().invoke(app, command)
        assert (result.exit_code, result.stderr.splitlines(), result.stdout) == (2, [message], "")


def test_a_catalog_names_a_lake_and_data_path_its_files(tmp_path):
    cfg = write(tmp_path / "w.toml", 'catalog = "lake/c.sqlite"\n')
    assert load_config(cfg, env={}).db == LakeLocation(str(tmp_path / "lake/c.sqlite"), str(tmp_path / "lake/files"))
    cfg = write(tmp_path / "w.toml", 'catalog = "postgresql://u@h/lake"\ndata_path = "/shared/lake"\n')
    assert load_config(cfg, env={}).db == LakeLocation("postgresql://u@h/lake", "/shared/lake")
    # --db names either: a .duckdb file, or a lake's catalog (a postgresql:// URL takes the file's data_path)
    assert load_config(cfg, env={}, db="x.duckdb").db == Path("x.duckdb")
    assert load_config(cfg, env={}, db="postgresql://v@w/z").db == LakeLocation("postgresql://v@w/z", "/shared/lake")
    assert load_config(cfg, env={}, db=str(tmp_path / "l/c.sqlite")).db == LakeLocation(
        str(tmp_path / "l/c.sqlite"), str(tmp_path / "l/files")
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ('db = "a.duckdb"\ncatalog = "c.sqlite"\n', "w.toml: db and catalog both name the archive; keep one (catalog for a lake)"),
        ('catalog = "postgresql://u@h/db"\n',
         "w.toml: data_path: a postgresql catalog (catalog) needs data_path, the Parquet folder its writers share"),
        ('data_path = "files"\n', "w.toml: data_path: set catalog too (the lake whose Parquet folder this is)"),
        ('catalog = 3\n', "w.toml: catalog: expected string, got 3"),
        ('catalog = ""\n', "w.toml: catalog: empty; name a .duckdb file, a lake catalog file or a postgresql:// URL"),
    ],
)
def test_archive_settings_errors_are_one_line_naming_the_field(tmp_path, text, message):
    cfg = write(tmp_path / "w.toml", text)
    with pytest.raises(ConfigError) as error:
        load_config(cfg, env={})
    assert str(error.value) == message
