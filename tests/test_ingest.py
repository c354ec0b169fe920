"""The ingest stage's own steps, without a database: what each article of a batch became."""

from __future__ import annotations

from store_fixtures import article

from wirewatch import dedupe
from wirewatch.ingest import copies_of_others, outcomes_of
from wirewatch.model import Outcome, StoryLink


def test_outcomes_keep_batch_order_with_rejections_in_place():
    decisions = [dedupe.Decision("new", "a1", story_id="s1", first_row=0), dedupe.Decision("duplicate", "a1", story_id="s1")]
    links = {0: StoryLink("s1", "copy", 0.95, "a0")}
    outcomes = outcomes_of(["too short", None, None], [1, 2], decisions, links)
    assert outcomes == [
        Outcome("rejected", reason="too short"),
        Outcome("new", "a1", "s1", 0, relation="copy", similarity=0.95),
        Outcome("duplicate", "a1", "s1", 0),
    ]


def test_a_copy_of_another_article_is_kept_but_the_same_item_again_is_not():
    first, again, reprint = article(1, guid="g1"), article(1, guid="g1"), article(1, guid="g2", source="AP")
    keys = dedupe.batch_keys([first, again, reprint]).keys
    decisions = dedupe.plan_batch(keys, [])
    copies = copies_of_others([first, again, reprint], keys, decisions)
    assert [(a.guid, d.article_id) for a, _, d in copies] == [("g2", keys[0].article_id)]
