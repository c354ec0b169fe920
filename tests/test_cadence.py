"""Per-source cadence (issue 17): the poll_every settings, which sources a run polls, and how a
quiet source backs off. Pure functions; the flow's use of them is in test_flows.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from wirewatch.sources import cadence
from wirewatch.config import ConfigError, SourceConfig, load_config
from wirewatch.model import Article, PollResult, SourceState, WireItem

NOW = dt.datetime(2026, 5, 5, 12, 0, tzinfo=dt.timezone.utc)
FEED = '[[sources]]\nname = "wire"\nkind = "feed"\nurl = "https://example.org/rss"\n'
DIR = '[[sources]]\nname = "drop"\nkind = "dir"\npath = "drop"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wirewatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def source(name: str = "wire", **options: object) -> SourceConfig:
    return SourceConfig(name=name, kind="feed", url="https://example.org/rss", **options)


def polled(seconds_ago: float, *, interval: float | None = None, status: str = "ok", name: str = "wire") -> SourceState:
    return SourceState(name, "feed", last_poll=NOW - dt.timedelta(seconds=seconds_ago), last_status=status,
                       poll_interval=interval)  # fmt: skip


def poll(state: SourceState, *guids: str | None) -> PollResult:
    return PollResult(state=state, articles=[Article(WireItem("", f"item {g}"), "wire", guid=g) for g in guids])


# -- configuration --------------------------------------------------------------------------------


def test_every_source_is_polled_every_60_s_by_default_feeds_and_folders_alike(tmp_path):
    config = load_config(write(tmp_path, FEED + DIR), env={})
    assert [(s.poll_every, s.poll_every_max) for s in config.sources] == [(60.0, None), (60.0, None)]


def test_the_top_level_poll_every_is_the_default_and_a_source_overrides_it(tmp_path):
    text = "poll_every = 300\npoll_every_max = 1800\n" + FEED + DIR + "poll_every = 30\n"
    config = load_config(write(tmp_path, text), env={})
    assert (config.poll_every, config.poll_every_max) == (300.0, 1800.0)
    assert [(s.name, s.poll_every, s.poll_every_max) for s in config.sources] == [("wire", 300.0, 1800.0), ("drop", 30.0, 1800.0)]


def test_a_default_bound_below_a_sources_own_interval_means_no_back_off(tmp_path):
    config = load_config(write(tmp_path, "poll_every_max = 120\n" + FEED + "poll_every = 3600\n"), env={})
    assert (config.sources[0].poll_every, config.sources[0].poll_every_max) == (3600.0, None)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (FEED + "poll_every = 5\n", "wirewatch.toml: sources[0].poll_every: must be from 10 to 604,800, got 5"),
        (FEED + "poll_every = \"5m\"\n", "wirewatch.toml: sources[0].poll_every: expected number, got '5m'"),
        (FEED + "poll_every = nan\n", "wirewatch.toml: sources[0].poll_every: expected a finite number, got nan"),
        ("poll_every = 0\n" + FEED, "wirewatch.toml: poll_every: must be from 10 to 604,800, got 0"),
        ("poll_every_max = 1e9\n" + FEED, "wirewatch.toml: poll_every_max: must be from 10 to 604,800, got 1e+09"),
        (FEED + "poll_every = 120\npoll_every_max = 60\n",
         "wirewatch.toml: sources[0].poll_every_max: must be at least poll_every (120), got 60"),
        ("poll_every = 120\npoll_every_max = 60\n" + FEED,
         "wirewatch.toml: poll_every_max: must be at least poll_every (120), got 60"),
    ],
)  # fmt: skip
def test_cadence_settings_out_of_range_are_one_line_errors(tmp_path, text, error):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env={})
    assert str(caught.value) == error


# -- which sources are due --------------------------------------------------------------------------


def test_a_source_never_polled_is_due():
    assert cadence.due_sources([source()], {}, NOW) == ([source()], [])


def test_a_60_s_cadence_is_due_on_every_run_of_a_60_s_schedule_even_when_a_run_starts_early():
    # runs start a few seconds off their schedule: 52 s after the last is the next run, not a skip
    for seconds_ago in (52.0, 60.0, 75.0):
        assert cadence.due_sources([source()], {"wire": polled(seconds_ago)}, NOW) == ([source()], [])
    due, waiting = cadence.due_sources([source()], {"wire": polled(40.0)}, NOW)
    assert (due, waiting) == ([], [cadence.NotDue("wire", 5.0)])  # 60 - 15 s early - 40 s


def test_the_early_margin_is_a_quarter_of_the_interval_and_at_most_30_s():
    five_minutes = source(poll_every=300.0)
    assert cadence.due_in(five_minutes, polled(240.0), NOW) == 30.0  # due from 270 s: the 300 s run polls it
    assert cadence.due_in(five_minutes, polled(270.0), NOW) == 0.0


def test_not_due_and_disabled_sources_are_left_out_and_every_source_polls_all_enabled():
    sources = [source("a"), source("b", poll_every=600.0), source("c", enabled=False)]
    states = {"a": polled(60.0, name="a"), "b": polled(60.0, name="b")}
    due, waiting = cadence.due_sources(sources, states, NOW)
    assert ([s.name for s in due], waiting) == (["a"], [cadence.NotDue("b", 510.0)])
    due, waiting = cadence.due_sources(sources, states, NOW, every_source=True)
    assert ([s.name for s in due], waiting) == (["a", "b"], [])


def test_the_paced_interval_counts_within_the_configured_bounds():
    backing_off = source(poll_every=60.0, poll_every_max=600.0)
    assert cadence.interval(backing_off, polled(0.0, interval=240.0)) == 240.0
    assert cadence.interval(backing_off, polled(0.0, interval=7200.0)) == 600.0  # the bound lowered since
    assert cadence.interval(source(), polled(0.0, interval=240.0)) == 60.0  # back-off switched off since
    assert cadence.interval(source(poll_every=120.0), polled(0.0, interval=60.0)) == 120.0


# -- pacing after a poll ----------------------------------------------------------------------------


def test_without_poll_every_max_every_poll_leaves_poll_every():
    quiet = cadence.paced(poll(polled(0.0, status="not_modified")), source(), polled(60.0), set())
    assert (quiet.state.poll_interval, quiet.state.last_new_at) == (60.0, None)


def test_quiet_polls_double_the_interval_up_to_the_bound_and_a_new_item_resets_it():
    src = source(poll_every=60.0, poll_every_max=300.0)
    previous, intervals = None, []
    for status, guids in [("not_modified", ()), ("not_modified", ()), ("ok", ("seen",)), ("not_modified", ()),
                          ("not_modified", ()), ("ok", ("fresh",)), ("not_modified", ())]:  # fmt: skip
        state = dataclasses.replace(polled(0.0, status=status), last_poll=NOW + dt.timedelta(minutes=len(intervals)))
        previous = cadence.paced(poll(state, *guids), src, previous, {"seen"}).state
        intervals.append(previous.poll_interval)
    assert intervals == [120.0, 240.0, 300.0, 300.0, 300.0, 60.0, 120.0]
    assert previous.last_new_at == NOW + dt.timedelta(minutes=5)  # the poll that brought "fresh"


def test_an_item_without_a_guid_counts_as_new_and_a_failure_keeps_the_interval():
    src = source(poll_every=60.0, poll_every_max=600.0)
    assert cadence.paced(poll(polled(0.0), None), src, polled(60.0, interval=480.0), set()).state.poll_interval == 60.0
    failed = cadence.paced(poll(polled(0.0, status="error")), src, polled(60.0, interval=480.0), set()).state
    assert (failed.poll_interval, failed.last_new_at) == (480.0, None)
