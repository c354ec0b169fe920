"""The query language: grammar, precedence, modifiers and every error message."""

from __future__ import annotations

import pytest

from wirewatch.errors import ConfigError, InputError
from wirewatch.query import FIELDS, Near, QueryError, Term, parse_query
from wirewatch.topics.matcher import rule_version


def canonical(text: str) -> str:
    return str(parse_query(text))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # juxtaposition is AND; AND binds tighter than OR
        ("missile defense", "(missile AND defense)"),
        ("a OR b c", "(a OR (b AND c))"),
        ("a b OR c", "((a AND b) OR c)"),
        ("a AND b OR c AND d", "((a AND b) OR (c AND d))"),
        # NOT binds tighter than AND and applies to one operand
        ("NOT a b", "((NOT a) AND b)"),
        ("a b NOT c", "(a AND b AND (NOT c))"),
        ("a AND NOT b", "(a AND (NOT b))"),
        ("a NOT NOT b", "(a AND b)"),
        # NEAR binds tighter than NOT, AND and OR, and chains from the left
        ("a NEAR/3 b OR c", "((a NEAR/3 b) OR c)"),
        ("x NOT a NEAR/3 b", "(x AND (NOT (a NEAR/3 b)))"),
        ("a NEAR/2 b NEAR/5 c", "((a NEAR/2 b) NEAR/5 c)"),
        ("(a OR b) NEAR/3 c", "((a OR b) NEAR/3 c)"),
        ("Aegis NOT NEAR/3 Capital", "(Aegis NOT NEAR/3 Capital)"),
        ("a NOT NEAR/3 b NEAR/2 c", "((a NOT NEAR/3 b) NEAR/2 c)"),
        # parentheses override
        ("(a OR b) c", "((a OR b) AND c)"),
        ("((a))", "a"),
        # operators are upper case only; lower case words are terms
        ("war and peace", "(war AND and AND peace)"),
        ('"AND" OR "NEAR"', '("AND" OR "NEAR")'),
    ],
)
def test_precedence(query: str, expected: str) -> None:
    assert canonical(query) == expected


def test_term_modifiers() -> None:
    terms = parse_query(
        '=ABM intercept* defend~ "missile defense"~ ="New START" "missile intercept*" "anti missile"*'
    ).terms
    assert [(t.text, t.phrase, t.case, t.prefix, t.stem) for t in terms] == [
        ("ABM", False, True, False, False),
        ("intercept", False, False, True, False),
        ("defend", False, False, False, True),
        ("missile defense", True, False, False, True),
        ("New START", True, True, False, False),
        ("missile intercept", True, False, True, False),
        ("anti missile", True, False, True, False),
    ]
    assert [t.label for t in terms] == [
        "ABM",
        "intercept*",
        "defend~",
        "missile defense~",
        "New START",
        "missile intercept*",
        "anti missile*",
    ]


def test_phrase_spacing_is_normalised() -> None:
    assert parse_query('"  missile \n  defense "').terms[0].text == "missile defense"


def test_columns_of_terms() -> None:
    assert [t.column for t in parse_query('ABM OR  "missile shield" OR =BMD').terms] == [1, 9, 29]


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_scope(name: str) -> None:
    term = parse_query(f"{name}:ABM").terms[0]
    assert (term.text, term.field) == ("ABM", name)


def test_field_scopes_on_groups_phrases_and_modifiers() -> None:
    query = parse_query('headline:(ABM OR =BMD) body:"missile defense"~ Place:Moscow subtitle: intercept*')
    assert [(str(t), t.field) for t in query.terms] == [
        ("headline:ABM", "headline"),
        ("headline:=BMD", "headline"),
        ('body:"missile defense"~', "body"),
        ("place:Moscow", "place"),
        ("subtitle:intercept*", "subtitle"),
    ]


def test_inner_field_scope_wins() -> None:
    assert [t.field for t in parse_query("headline:(ABM OR body:BMD)").terms] == ["headline", "body"]


def test_colon_after_digits_is_part_of_a_term() -> None:
    assert parse_query("10:30").terms[0].text == "10:30"


def test_near_distance_and_negation() -> None:
    root = parse_query("Aegis NOT NEAR/3 Capital").root
    assert isinstance(root, Near)
    assert (root.distance, root.negated, root.left, root.right) == (3, True, Term("Aegis"), Term("Capital"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('(ABM OR "anti missile"', 'query col 23: expected ")"'),
        ("", 'query col 1: expected a term, a phrase or "("'),
        ("   ", 'query col 4: expected a term, a phrase or "("'),
        ("ABM AND", 'query col 8: expected a term, a phrase or "("'),
        ("ABM OR OR BMD", 'query col 8: expected a term, a phrase or "("'),
        ("AND ABM", 'query col 1: expected a term, a phrase or "("'),
        ("()", 'query col 2: expected a term, a phrase or "("'),
        ("ABM)", 'query col 4: expected the end of the query (this ")" closes nothing)'),
        ('"missile defense', "query col 17: expected '\"' to close the phrase opened at col 1"),
        ('ABM OR ""', "query col 8: expected a word inside the quotes"),
        ("ABM OR --", "query col 8: expected a term with letters or digits"),
        ("ABM OR \U0001d400\U0001d401\U0001d40c", "query col 8: expected a term with letters or digits"),  # math bold ABM
        ("ab*", "query col 1: expected at least 3 letters before '*'"),
        ('"missile in*"', "query col 1: expected at least 3 letters before '*'"),
        ("in*ter", "query col 1: expected '*' only at the end of a term"),
        ("defend~~", "query col 1: expected '~' only at the end of a term"),
        ("=ABM~", 'query col 2: expected either "=" (exact case) or "~" (stemming), not both'),
        ("ABM OR =", 'query col 9: expected a term or phrase after "="'),
        ("ABM OR = (BMD)", 'query col 10: expected a term or phrase after "="'),
        ("Aegis NEAR Capital", 'query col 11: expected "/" and a word count after NEAR, e.g. NEAR/5'),
        ("Aegis NEAR/ Capital", 'query col 11: expected "/" and a word count after NEAR, e.g. NEAR/5'),
        ("Aegis NEAR/x Capital", 'query col 11: expected "/" and a word count after NEAR, e.g. NEAR/5'),
        ("Aegis NEAR/0 Capital", "query col 12: expected a word count from 1 to 100 after NEAR/"),
        ("Aegis NEAR/101 Capital", "query col 12: expected a word count from 1 to 100 after NEAR/"),
        ("Aegis NEAR/3", 'query col 13: expected a term, a phrase or "("'),
        ("NEAR/3 Aegis", 'query col 1: expected a term, a phrase or "("'),
        (
            "Aegis NEAR/3 (ship AND port)",
            "query col 14: expected terms, phrases, OR-groups or NEAR on each side of NEAR (not AND or NOT)",
        ),
        (
            "(NOT Capital) NEAR/3 Aegis",
            "query col 1: expected terms, phrases, OR-groups or NEAR on each side of NEAR (not AND or NOT)",
        ),
        (
            "title:ABM",
            "query col 1: expected a field name before ':' (headline, subtitle, body, place, agency, section, speaker, quote)",
        ),
        ("NOT ABM", "query col 1: expected a term that is not under NOT (NOT alone matches every article)"),
        ("ABM OR NOT BMD", "query col 8: expected a term that is not under NOT (NOT alone matches every article)"),
        (
            "NOT (ABM NEAR/3 treaty)",
            "query col 1: expected a term that is not under NOT (NOT alone matches every article)",
        ),
    ],
)
def test_error_messages(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert str(caught.value) == message
    assert caught.value.column == int(message.split()[2].rstrip(":"))


def test_error_attributes_and_context() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query('(ABM OR "anti missile"')
    error = caught.value
    assert (error.column, error.expected) == (23, '")"')
    assert isinstance(error, InputError) and isinstance(error, ValueError) and not isinstance(error, ConfigError)
    assert str(error.within('topics.toml: topic "missile-defense"')) == (
        'topics.toml: topic "missile-defense": query col 23: expected ")"'
    )


def test_error_in_a_query_of_several_lines_names_the_line() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query('"missile defense"\nOR (ABM\nOR BMD\n')
    assert str(caught.value) == 'query col 34 (line 4, col 1): expected ")"'


def test_double_negation_cancels_out() -> None:
    assert canonical("NOT NOT ABM") == "ABM"
    assert canonical("NOT NOT NOT ABM BMD") == "((NOT ABM) AND BMD)"


def test_rule_version_is_stable_and_ignores_layout() -> None:
    version = rule_version('"missile defense" OR =ABM')
    assert len(version) == 12 and int(version, 16) >= 0
    assert rule_version('  "missile   defense"\nOR  (=ABM) ') == version
    assert rule_version('"missile defense" OR ABM') != version
    assert rule_version("(unbalanced") == rule_version("(unbalanced ")  # still hashable when broken


DEEP_QUERIES = [
    ("(" * 200 + "a" + ")" * 200, 41),
    ("NOT " * 199 + "x AND a", 1 + 4 * 40),
    ("a" + " NEAR/2 a" * 200, 3 + 9 * 40),
    ("headline:" * 1000 + "a", 1 + 9 * 40),
    ("(" * 20 + "a" + " NEAR/2 b" * 30 + ")" * 20, 23 + 9 * 20),
]


@pytest.mark.parametrize(("query", "column"), DEEP_QUERIES)
def test_nesting_beyond_the_limit_names_the_column(query: str, column: int) -> None:
    with pytest.raises(QueryError) as error:
        parse_query(query)
    assert str(error.value) == f"query col {column}: expected at most 40 levels of nesting (parentheses, NOT, fields, NEAR)"


def test_nesting_up_to_the_limit_parses() -> None:
    assert canonical("(" * 40 + "a" + ")" * 40) == "a"
    assert len(parse_query("a" + " NEAR/2 a" * 40).terms) == 41


def test_a_long_run_of_marks_is_an_error_not_a_recursion() -> None:
    with pytest.raises(QueryError, match=r'^query col 2: expected a term or phrase after "="$'):
        parse_query("=" * 5000 + "a")


def test_a_query_longer_than_the_limit_is_refused() -> None:
    assert len(parse_query(" OR ".join(["missile"] * 900)).terms) == 900  # 9,896 characters
    with pytest.raises(QueryError, match=r"^query col 10001: expected the end of the query \(at most 10,000 characters\)$"):
        parse_query("a " * 5001)


def test_a_deep_topic_query_names_file_topic_and_column_through_the_cli(tmp_path) -> None:
    from typer.testing import CliRunner

    from wirewatch.cli.commands import app

    config = tmp_path / "wirewatch.toml"
    config.write_text('db = "a.duckdb"\n', encoding="utf-8")
    (tmp_path / "topics.toml").write_text(f'[[topics]]\nname = "deep"\nquery = "{"(" * 200}a{")" * 200}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["topics", "backtest", "--config", str(config)])
    expected = 'error: topics.toml: topic "deep": query col 41: expected at most 40 levels of nesting (parentheses, NOT, fields, NEAR)'
    assert (result.exit_code, result.stderr.splitlines()) == (2, [expected])
    (tmp_path / "topics.toml").unlink()
    queried = CliRunner().invoke(app, ["topics", "backtest", "--config", str(config), "--query", "NOT " * 300 + "a"])
    expected = 'error: --query: topic "query": query col 161: expected at most 40 levels of nesting (parentheses, NOT, fields, NEAR)'
    assert (queried.exit_code, queried.stderr.splitlines()) == (2, [expected])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("flood urgency:<=2", "(flood AND urgency:<=2)"),
        ("flood urgency:1", "(flood AND urgency:1)"),
        ("flood urgency:=1", "(flood AND urgency:1)"),
        ("flood (urgency:<3 OR urgency:>=7)", "(flood AND (urgency:<3 OR urgency:>=7))"),
        ("flood NOT urgency:>4", "(flood AND (NOT urgency:>4))"),
        ("headline:(flood urgency:<=2)", "(headline:flood AND urgency:<=2)"),
    ],
)
def test_urgency_comparisons(query, expected):
    assert canonical(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("urgency:<=2", "query col 1: expected a term beside urgency: (it narrows what terms find)"),
        ("flood urgency:<<2", "query col 15: expected a comparison and an urgency from 1 to 9 after urgency:, e.g. urgency:<=2"),
        ("flood urgency:10", "query col 15: expected a comparison and an urgency from 1 to 9 after urgency:, e.g. urgency:<=2"),
        ("flood NEAR/3 urgency:1", "query col 14: expected terms, phrases, OR-groups or NEAR on each side of NEAR (not AND or NOT)"),
    ],
)
def test_urgency_errors(query, expected):
    with pytest.raises(QueryError) as error:
        parse_query(query)
    assert str(error.value) == expected
