"""Pure dedupe: URL and content normalisation, keys, batch planning, MinHash/LSH story links."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_fixtures import article, edit_words, paragraphs, tass_dateline

from wirewatch import dedupe
from wirewatch.model import KnownArticle, StoryLink, WireItem

# ---------------------------------------------------------------------------------------------
# URLs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tass.com/politics/1894093", "https://tass.com/politics/1894093"),
        ("HTTPS://TASS.COM/politics/1894093", "https://tass.com/politics/1894093"),
        ("https://tass.com/politics/1894093#comments", "https://tass.com/politics/1894093"),
        ("https://tass.com/politics/1894093?utm_source=rss&utm_medium=feed", "https://tass.com/politics/1894093"),
        ("https://tass.com/a?UTM_Campaign=x&id=7", "https://tass.com/a?id=7"),
        ("https://tass.com/a?fbclid=IwAR0abc", "https://tass.com/a"),
        ("https://tass.com/a?gclid=Cj0KCQ&page=2", "https://tass.com/a?page=2"),
        ("https://tass.com/a?page=2&id=7", "https://tass.com/a?id=7&page=2"),  # order does not matter
        ("https://tass.com:443/a", "https://tass.com/a"),
        ("http://tass.com:80/a", "http://tass.com/a"),
        ("http://tass.com:8080/a", "http://tass.com:8080/a"),
        ("https://tass.com", "https://tass.com/"),
        ("https://tass.com/Politics/Case", "https://tass.com/Politics/Case"),  # paths are case-sensitive
        ("  https://tass.com/a  ", "https://tass.com/a"),
        ("tass-1894093", "tass-1894093"),  # not a URL: kept as written
        ("", None),
        (None, None),
    ],
)
def test_normalize_url(url, expected):
    assert dedupe.normalize_url(url) == expected


# ---------------------------------------------------------------------------------------------
# Content


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia  is\tready\n\nfor talks", "russia is ready for talks"),
        ("Zero\u200bwidth\u200c and\u2060 joiners\ufeff", "zerowidth and joiners"),  # Reuters' invisible characters
        ("soft\u00adhyphen", "softhyphen"),
        ("“Quoted” and ‘single’ and «guillemets»", '"quoted" and "single" and "guillemets"'),
        ("It's `ok'", 'it"s "ok"'),
        ("Minister – deputy — chief ‒ aide", "minister - deputy - chief - aide"),
        ("red line -- here", "red line - here"),
        ("non\u00a0breaking\u2009thin\u3000space", "non breaking thin space"),
        ("wait…", "wait..."),
        ("ctrl\x00chars\x07here", "ctrl chars here"),
        ("МОСКВА, 28 НОЯБРЯ", "москва, 28 ноября"),
        ("STRASSE Straße", "strasse strasse"),
        ("   ", ""),
        ("", ""),
    ],
)
def test_normalize_content(text, expected):
    assert dedupe.normalize_content(text) == expected


_REFERENCE_TABLE = {
    **{ch: "" for ch in "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"},
    **{ch: '"' for ch in "'`\u00b4\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2039\u203a\u300c\u300d"},
    **{ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
    **{chr(c): " " for c in [*range(0x00, 0x09), *range(0x0E, 0x1C)]},
    "\u2026": "...",
}


def _reference_normalize(text: str) -> str:
    """The definition, written the slow obvious way."""
    folded = text.casefold().translate(str.maketrans(_REFERENCE_TABLE))
    return re.sub("-{2,}", "-", " ".join(folded.split()))


_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ '`-\n\t\x00") + ["\u200b", "\u2019", "\u201c", "\u2014", "\u00a0", "\u2026", "ж", "Ж", "ß", "é", "\u2009", "😀"]
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=5))
def test_batch_normalisation_equals_the_definition_text_by_text(texts):
    assert dedupe.normalize_contents(texts) == [_reference_normalize(t) for t in texts]


def _item(paragraphs_: tuple[str, ...], **fields) -> WireItem:
    return WireItem(section="Politics", headline=fields.get("headline", "Talks"), subtitle=fields.get("subtitle"),
                    dateline=fields.get("dateline"), paragraphs=paragraphs_)  # fmt: skip


def _keys(*items: WireItem, source: str = "TASS", guid: str | None = None, url: str | None = None):
    articles = [article(0, source=source, guid=guid, url=url) for _ in items]
    for a, item in zip(articles, items):
        a.item = item
    return dedupe.batch_keys(articles).keys


def test_content_hash_ignores_invisible_characters_quotes_dashes_case_and_spacing():
    body = paragraphs(1)
    plain = _keys(_item(("He said “no” — twice.", *body)))[0]
    dressed = tuple(p.replace(" ", "\u200b  \n", 5).upper() for p in body)
    same = _keys(_item(("he said \"no\" -- TWICE.", *dressed)))[0]
    other = _keys(_item(("He said “yes” — twice.", *body)))[0]
    assert same.content_hash == plain.content_hash
    assert other.content_hash != plain.content_hash


def test_content_hash_ignores_a_dateline_whether_split_off_or_not():
    body = paragraphs(2)
    split = _item(body, dateline=tass_dateline())
    unsplit = _item((f"MOSCOW, December 26. /TASS/. {body[0]}", *body[1:]))
    assert _keys(split)[0].content_hash == _keys(unsplit)[0].content_hash


def test_stub_bodies_hash_with_their_headline():
    stub = ("Read more.",)
    a, b = _keys(_item(stub, headline="Putin arrives in Minsk"), _item(stub, headline="Rain in Seoul"))
    assert a.content_hash != b.content_hash


def test_text_hash_changes_with_the_headline_but_content_hash_does_not():
    body = paragraphs(3)
    a, b = _keys(_item(body, headline="First take"), _item(body, headline="Corrected take"))
    assert a.content_hash == b.content_hash
    assert a.text_hash != b.text_hash


def test_article_ids_come_from_guid_else_url_else_content_and_are_stable():
    body = paragraphs(4)
    (by_guid,) = _keys(_item(body), guid="tass-1", url="https://tass.com/1")
    (by_url,) = _keys(_item(body), guid="", url="https://TASS.com/1?utm_source=x")
    (same_url,) = _keys(_item(body), guid="", url="https://tass.com/1")
    assert by_guid.article_id == dedupe.hex64("guid", "TASS", "tass-1")
    assert by_url.article_id == same_url.article_id == dedupe.hex64("url", "TASS", "https://tass.com/1")
    assert re.fullmatch("[0-9a-f]{16}", by_guid.article_id)
    assert dedupe.signed64("ffffffffffffffff") == -1
    assert dedupe.signed64("7fffffffffffffff") == 2**63 - 1


def test_keys_of_one_article_do_not_depend_on_the_rest_of_the_batch():
    items = [_item(paragraphs(s)) for s in (5, 6, 7)]
    alone = _keys(items[1])[0]
    together = _keys(*items)[1]
    assert alone == together
    alone = dedupe.batch_keys([article(6)]).signatures()[0][0]
    together = dedupe.batch_keys([article(5), article(6), article(7)])
    assert np.array_equal(alone, together.signatures()[0][1])
    assert np.array_equal(alone, together.signatures([1])[0][1])  # computed for row 1 only
    assert not together.signatures([1])[0][[0, 2]].any()


def test_a_batch_of_several_slices_keys_and_signs_every_article_as_alone():
    articles = [article(seed) for seed in range(dedupe.KEY_SLICE * 2 + 5)]
    lazy = dedupe.batch_keys(articles)
    eager = dedupe.batch_keys(articles, signatures=True)
    assert len(lazy.bodies) == 3
    rows = [0, dedupe.KEY_SLICE - 1, dedupe.KEY_SLICE, len(articles) - 1]
    for row in rows:
        alone = dedupe.batch_keys([articles[row]])
        assert lazy.keys[row] == eager.keys[row] == alone.keys[0]
        assert lazy.join_keys["article_key"][row] == alone.join_keys["article_key"][0]
        assert np.array_equal(eager.signatures()[0][row], alone.signatures()[0][0])
        assert np.array_equal(lazy.signatures(rows)[0][row], alone.signatures()[0][0])
    assert np.array_equal(lazy.signatures()[0], eager.signatures()[0])
    assert not lazy.signatures(rows)[0][[1, dedupe.KEY_SLICE + 1]].any()  # computed for rows only


# ---------------------------------------------------------------------------------------------
# Planning a batch


def _k(article_id: str, url: str | None, content: str, text: str, source: str = "wire") -> dedupe.ItemKeys:
    return dedupe.ItemKeys(article_id, url, content, text, source)


def _statuses(decisions):
    return [(d.status, d.article_id, d.revision) for d in decisions]


def test_plan_new_duplicate_and_revision_against_the_archive():
    known = [KnownArticle("a1", "https://x/1", "s1", 1, ("c1",), ("t1",), "wire")]
    keys = [
        _k("a1", "https://x/1", "c1", "t1"),  # same guid, same text: duplicate
        _k("a9", "https://x/1", "c1", "t1", "other"),  # other source, same URL and content: duplicate
        _k("a8", None, "c1", "t1b"),  # same content hash only: duplicate
        _k("a1", "https://x/1", "c2", "t2"),  # same guid, new text: revision 2
        _k("a1", "https://x/1", "c1", "t1"),  # the old text again: duplicate, not a flip back
        _k("a2", "https://x/2", "c3", "t3"),  # new
        None,  # rejected
    ]
    decisions = dedupe.plan_batch(keys, known)
    assert _statuses(decisions) == [
        ("duplicate", "a1", 1),
        ("duplicate", "a1", 1),
        ("duplicate", "a1", 1),
        ("revised", "a1", 2),
        ("duplicate", "a1", 2),
        ("new", "a2", 1),
        ("rejected", None, 0),
    ]
    assert [d.story_id for d in decisions[:5]] == ["s1"] * 5
    assert decisions[5].story_id is None and decisions[5].first_row == 5


def test_only_its_own_source_revises_an_article_by_url():
    known = [KnownArticle("a1", "https://x/1", "s1", 1, ("c1",), ("t1",), "wire")]
    keys = [
        _k("f1", "https://x/1", "c9", "t9", "fake"),  # another source's text at the URL: new
        _k("f2", "https://x/1", "c8", "t8", "fake"),  # the same source again at that URL: its own f1, revised
        _k("w2", "https://x/1", "c2", "t2", "wire"),  # the source itself, new guid, same URL: revision
    ]
    assert _statuses(dedupe.plan_batch(keys, known)) == [("new", "f1", 1), ("revised", "f1", 2), ("revised", "a1", 2)]


def test_plan_within_one_batch_chains_new_revision_and_duplicates():
    keys = [
        _k("a1", "https://x/1", "c1", "t1"),
        _k("a2", None, "c1", "t1"),  # copy of row 0's text under another id
        _k("a1", "https://x/1", "c2", "t2"),  # correction of row 0
        _k("a1", "https://x/1", "c3", "t3"),  # and another
    ]
    decisions = dedupe.plan_batch(keys, [])
    assert _statuses(decisions) == [("new", "a1", 1), ("duplicate", "a1", 1), ("revised", "a1", 2), ("revised", "a1", 3)]
    assert {d.first_row for d in decisions} == {0}


# ---------------------------------------------------------------------------------------------
# MinHash and LSH


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _signature_of(body: tuple[str, ...]):
    signatures, usable = dedupe.batch_keys([article(0, body=body)]).signatures()
    return signatures[0], usable[0]


@pytest.mark.parametrize("words", [60, 250, 1200])
def test_estimated_jaccard_is_close_to_the_real_one(words):
    errors = []
    for seed in range(12):
        body = paragraphs(seed, words=words)
        edited = edit_words(body, 0.02 * (seed % 6), seed)
        a, b = _signature_of(body), _signature_of(edited)
        exact_a = _shingles(dedupe.normalize_content(" ".join(body)).split())
        exact_b = _shingles(dedupe.normalize_content(" ".join(edited)).split())
        exact = len(exact_a & exact_b) / len(exact_a | exact_b)
        errors.append(abs(dedupe.similarity(a[0], b[0]) - exact))
    assert max(errors) < 0.16  # 128 values: std ~0.04 at J = 0.5
    assert sum(errors) / len(errors) < 0.06


def test_a_five_percent_edited_reprint_shares_a_band_and_an_unrelated_text_does_not():
    for seed in range(20):
        body = paragraphs(seed)
        reprint = edit_words(body, 0.05, seed + 1000)
        shared_paragraph = (body[2], *paragraphs(seed + 5000)[:5])  # another story quoting one paragraph
        signatures, _ = dedupe.batch_keys([article(1, body=b) for b in (body, reprint, shared_paragraph)]).signatures()
        bands = dedupe.band_keys(signatures)
        assert set(bands[0]) & set(bands[1]), seed
        assert dedupe.relation(dedupe.similarity(signatures[0], signatures[1])) == "update"
        assert dedupe.relation(dedupe.similarity(signatures[0], signatures[2])) is None


def test_texts_too_short_to_link_get_no_signature():
    signatures, usable = dedupe.batch_keys([article(1, body=("Putin arrives in Minsk.",)), article(2, body=())]).signatures()
    assert usable.tolist() == [False, False]
    assert not signatures.any()


def test_link_stories_within_a_batch_and_against_stored_candidates():
    bodies = [paragraphs(10), edit_words(paragraphs(10), 0.04, 1), paragraphs(11), paragraphs(10)]
    signatures, usable = dedupe.batch_keys([article(i, body=b) for i, b in enumerate(bodies)]).signatures()
    ids = ["a0", "a1", "a2", "a3"]
    stored = [dedupe.Candidate(2, "old", "s-old", signatures[0])]  # row 2 is far from it
    day = 86400.0
    links = dedupe.link_stories(
        ids, signatures, usable, dedupe.band_keys(signatures),
        np.array([0.0, 3600.0, 0.0, 30 * day]), stored, window_seconds=14 * day,
    )  # fmt: skip
    assert links[0] == StoryLink(dedupe.story_id_for("a0"), "first")
    assert (links[1].story_id, links[1].relation, links[1].similar_to) == (links[0].story_id, "update", "a0")
    assert links[2].relation == "first"  # its only candidate is not similar
    assert links[3].relation == "first"  # a copy of row 0, but 30 days later: outside the window


EXPECTED_BANDS = [1024059515, -1687796418, -1098670050]


def test_signatures_are_fixed_across_versions():
    # Band keys live in the database: a change here would silently split every stored story.
    signature, usable = _signature_of(("Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu.",))
    assert usable
    assert dedupe.band_keys(signature[None, :])[0, :3].tolist() == EXPECTED_BANDS



def test_random_unrelated_texts_are_never_linked():
    rng = random.Random(3)
    bodies = [paragraphs(rng.randrange(10**9)) for _ in range(200)]
    signatures, usable = dedupe.batch_keys([article(i, body=b) for i, b in enumerate(bodies)]).signatures()
    assert dedupe.batch_pairs(dedupe.band_keys(signatures), usable) == []
