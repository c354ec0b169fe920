"""The ingest stage's own steps, without a database: what each article of a batch became."""

from __future__ import annotations

import datetime as dt

from store_fixtures import article, keyword_matcher, paragraphs

from wirewatch import dedupe
from wirewatch.ingest.batches import prepare_batch
from wirewatch.ingest.batch import copies_of_others, final_matches, link_new, outcomes_of, plan_batch, triage
from wirewatch.model import AlertRoute, KnownArticle, Outcome, StoryLink, WireMeta


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


# ---------------------------------------------------------------------------------------------
# The plan of a batch: every write decided from what was read, no database


def plan_of(articles, known=(), first_versions=None, candidates=(), match=None, **options):
    prepared = prepare_batch(articles)
    triaged = triage(prepared, list(known), now=NOW)
    links = link_new(triaged, candidates, 14)
    return plan_batch(triaged, links, first_versions or {}, final_matches(triaged, match), run_id="run1", now=NOW,
                      routes=options.pop("routes", {}), story_window_days=14, **options)  # fmt: skip


NOW = dt.datetime(2024, 12, 27, 9, 0)


def test_a_plan_writes_new_articles_and_counts_the_same_item_again_copies_and_rejections():
    first, again, reprint = article(1, guid="g1"), article(1, guid="g1"), article(1, guid="g2", source="AP")
    empty = article(2, headline=" ", body=())
    plan = plan_of([first, again, reprint, empty])
    keys = dedupe.batch_keys([first]).keys
    assert plan.versions.status == ["new"]
    assert plan.versions.article_id == [keys[0].article_id]
    story_id = plan.versions.story_id[0]
    assert plan.versions.links == [StoryLink(story_id, "first")]  # it starts its own story
    assert [o.story_id for o in plan.outcomes] == [story_id, story_id, story_id, None]
    assert [o.status for o in plan.outcomes] == ["new", "duplicate", "duplicate", "rejected"]
    assert plan.outcomes[3].reason == "empty item: no headline and no body"
    assert plan.counts == {"new": 1, "duplicate": 2, "revised": 0, "rejected": 1, "fetched": 4, "flagged": 0}
    assert plan.copied_guids == [("AP", "g2", keys[0].article_id)]
    assert plan.copy_decisions == [("AP", "g2", reprint.url, "https://ap.example/news/1", keys[0].article_id)]
    assert (plan.matches, plan.routes, plan.withdrawn, plan.revising) == (None, {}, [], False)
    assert plan.cutoff == dt.datetime(2024, 12, 12, 9, 0)  # the earliest article's time less the window
    assert plan.band_rows == [0] and plan.band_keys.shape == (1, dedupe.BANDS)


def test_a_plan_revises_a_stored_article_and_keeps_how_it_joined_its_story():
    revised = article(1, guid="g1", body=("A corrected text of the story, long enough to be a revision.",))
    keys = dedupe.batch_keys([revised]).keys[0]
    stored = KnownArticle(keys.article_id, keys.url_norm, "story0", 0, ("old-hash",), ("old-text",), "TASS")
    first_link, first_seen = StoryLink("story0", "update", 0.7, "a0"), dt.datetime(2024, 12, 20)
    plan = plan_of([revised], known=[stored], first_versions={keys.article_id: (first_link, first_seen)})
    assert (plan.versions.status, plan.versions.revision, plan.versions.story_id) == (["revised"], [1], ["story0"])
    assert (plan.versions.links, plan.versions.first_seen, plan.revising) == ([first_link], [first_seen], True)
    assert plan.outcomes == [Outcome("revised", keys.article_id, "story0", 1)]


def test_a_plan_joins_a_new_article_to_the_story_of_a_stored_candidate():
    reprint = article(7, guid="r7", source="AP")
    prepared = prepare_batch([reprint])
    signatures, _ = prepared.keys.signatures([0])
    candidate = (0, "stored1", "storyA", signatures[0].tobytes())  # the same text, stored earlier
    plan = plan_of([reprint], candidates=[candidate])
    assert plan.versions.links == [StoryLink("storyA", "copy", 1.0, "stored1")]
    assert plan.versions.story_id == ["storyA"]
    assert (plan.outcomes[0].relation, plan.outcomes[0].similarity) == ("copy", 1.0)


def test_a_plan_matches_the_final_version_once_and_routes_its_alerts():
    first = article(3, guid="g3", body=paragraphs(3) + ("mention of zebra",))
    later = article(3, guid="g3", body=paragraphs(3) + ("another mention of zebra",))
    seen = []

    def match(a):
        seen.append(a.item.body)
        return keyword_matcher("animals", "zebra")(a)

    route = AlertRoute(channels=(("mailto://x", "mailto://x"),))
    plan = plan_of([first, later], match=match, routes={"animals": route})
    article_id = dedupe.batch_keys([first]).keys[0].article_id
    assert seen == [later.item.body]
    assert [(a, m.topic) for a, m in plan.matches] == [(article_id, "animals")]
    assert plan.routes == {"animals": route}
    assert plan.counts["flagged"] == 1
    assert plan.versions.status == ["new", "revised"] and plan.versions.is_final == [False, True]


def test_a_plan_withdraws_the_articles_a_kill_notice_names():
    notice = article(4, guid="g4")
    notice.wire = WireMeta(format="nitf", kill=True)
    plan = plan_of([notice])
    article_id = dedupe.batch_keys([notice]).keys[0].article_id
    assert (plan.withdrawn, plan.withdrawn_keys) == ([article_id], [dedupe.signed64(article_id)])
