"""Range checks of the fetch limits issue 16 added: [http] run_deadline and sources[].max_items."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.config import ConfigError, load_config

FEED = '[[sources]]\nname = "wire"\nkind = "feed"\nurl = "https://example.org/rss"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wirewatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FEED), env={})
    assert (config.http.run_deadline, config.sources[0].max_items) == (600.0, 1000)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[http]\nrun_deadline = nan\n", "wirewatch.toml: http.run_deadline: expected a finite number, got nan"),
        ("[http]\nrun_deadline = inf\n", "wirewatch.toml: http.run_deadline: expected a finite number, got inf"),
        ("[http]\nrun_deadline = 0\n", "wirewatch.toml: http.run_deadline: must be from 1 to 86,400, got 0"),
        ("[http]\nrun_deadline = 86401\n", "wirewatch.toml: http.run_deadline: must be from 1 to 86,400, got 86,401"),
        ("max_items = 0\n", "wirewatch.toml: sources[0].max_items: must be from 1 to 1e+07, got 0"),
        ("max_items = 1.5\n", "wirewatch.toml: sources[0].max_items: expected integer, got 1.5"),
    ],
)
def test_out_of_range_values_are_one_line_errors(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, FEED + text if text.startswith("max") else text + FEED), env={})
    assert str(caught.value) == error
