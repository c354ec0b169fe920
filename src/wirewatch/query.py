"""The topic query language: reference, tokenizer and recursive-descent parser.

A topic's ``query`` says which words must occur, where, and how close together. Text is compared
word by word after normalisation, so punctuation and spacing never matter.

Terms
    ``missile``              a word, in any case: missile, Missile, MISSILE.
    ``"missile defense"``    a phrase: the words in this order, next to each other; what stands
                             between them (spaces, hyphens, quotes, line breaks) does not matter.
    ``anti-missile``         a hyphen in a term matches a hyphen, a space or nothing: this finds
                             anti-missile, anti missile and antimissile. (Write the hyphen: the
                             unhyphenated ``antimissile`` finds only antimissile.)
    ``intercept*``           trailing wildcard: words starting with "intercept" (at least three
                             letters before the ``*``). In a phrase it applies to the last word:
                             ``"missile intercept*"`` or ``"missile intercept"*``.
    ``defend~``              stemming (Snowball, via PyStemmer): any word with the same stem as
                             "defend": defends, defended, defending. Russian words (Cyrillic) use the
                             Russian stemmer, all others the English one. On a phrase, ``~`` stems
                             every word: ``"противоракетная оборона"~``.
    ``=ABM``                 case-sensitive, for acronyms: ABM but not abm or Abm. ``=ПРО`` finds
                             the acronym ПРО and not the word про ("about"). ``="New START"`` keeps
                             the case of a whole phrase. ``=`` cannot be combined with ``~``.

Normalisation: letters are compared in lower case (except ``=`` terms), ё is read as е, every run of
characters that are neither letters nor digits separates words (so typographic and straight quotes,
dashes and hyphens are all alike), invisible characters (soft hyphens, word joiners) are ignored,
and words inside URLs are never matched (``abm`` in ``https://abm.example/`` is not ABM).

Fields
    By default a term matches in any field. ``headline:``, ``subtitle:``, ``body:``, ``place:``
    (the dateline's place), ``agency:`` (the dateline's agency) and ``section:`` restrict it:
    ``headline:missile``, ``headline:"missile defense"``, ``headline:(ABM OR BMD)``.
    A scope on a group applies to every term inside it; an inner scope wins over an outer one.
    Speech: ``speaker:`` looks in the names, titles and organisations of the item's speakers
    (``speaker:Rogozin``), ``quote:`` in the words they are quoted with, direct or reported
    (``quote:("missile defense" NEAR/5 Poland)``); unscoped terms never look there (the quotes are
    part of the body already). Both are per article: ``speaker:Rogozin quote:Poland`` asks that
    Rogozin spoke and that some quote mentions Poland (``wirewatch quotes`` pairs them per quote).
    ``urgency:<=2`` compares the item's wire urgency (1 is a flash; agency formats only): ``<``,
    ``<=``, ``=``, ``>=``, ``>``, and ``urgency:1`` for ``=``. An article without an urgency never
    satisfies it. It narrows what terms find (``missile urgency:<=2``) and cannot match alone.

Operators, from the tightest binding to the loosest
    1. ``a NEAR/n b``        both occur in the same field, at most n words apart in either order
                             (neighbouring words are 1 apart: ``Patriot air defense battery`` has
                             "battery" 3 words from "Patriot"). ``a NOT NEAR/n b`` keeps only the
                             occurrences of ``a`` that have no ``b`` within n words: ``Aegis NOT
                             NEAR/3 Capital`` finds Aegis anywhere except in "Aegis Capital". Both
                             sides of NEAR must be terms, phrases, OR-groups of them or other NEARs
                             (positions have no meaning for AND or NOT). Chains group from the
                             left: ``a NEAR/2 b NEAR/5 c`` is ``(a NEAR/2 b) NEAR/5 c``, measured
                             from the span covering a and b.
    2. ``NOT a``             a does not occur anywhere in the article (``NOT NOT a`` is a).
    3. ``a AND b``           both occur. Writing terms side by side means AND: ``missile defense``
                             (no quotes) is ``missile AND defense``, not a phrase.
    4. ``a OR b``            either occurs.
    Parentheses group as usual. So ``a OR b c`` is ``a OR (b AND c)``, ``NOT a b`` is
    ``(NOT a) AND b``, ``a b NOT c`` is ``a AND b AND (NOT c)`` and ``NOT a NEAR/3 b`` is
    ``NOT (a NEAR/3 b)``. A query must be able to match through something other than NOT:
    ``NOT crypto`` alone is an error.

Matches: every hit is reported with its field and character offsets. The score adds up the weight
of each hit's place (headline 3, subtitle 2, first body paragraph 1.5, anywhere else 1; hits that
overlap, like "missile defense" inside "ballistic missile defense", count once); a topic's
``min_score`` drops weaker matches. The snippet is the sentence around the strongest hit, with the
hits in it marked «like this».

Operator words are upper case: ``AND``, ``OR``, ``NOT``, ``NEAR/5``. Quote them to search for the
word itself: ``"and"``. Errors name the column (1-based) and what was expected there, e.g.
``query col 23: expected ")"``.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from dataclasses import dataclass, replace
from typing import ClassVar

from wirewatch.errors import QueryError

FIELDS = ("headline", "subtitle", "body", "place", "agency", "section", "speaker", "quote")
SPEECH_FIELDS = ("speaker", "quote")  # what wirewatch.quotes finds: only scoped terms look there
MIN_PREFIX_LETTERS = 3
MAX_NEAR = 100
# Bounds that keep parsing and matching far from Python's recursion limit whatever a query holds:
# real topic rules are a few hundred characters and a handful of levels deep.
MAX_QUERY_CHARS = 10_000
MAX_DEPTH = 40  # nested parentheses, NOTs, field scopes and NEAR chains, counted together
_BARE_END = set(' \t\r\n()"')
_FIELD_PREFIX = re.compile(r"([A-Za-z]+):")
_URGENCY = re.compile(r"urgency:(<=|>=|<|>|=)?([1-9])", re.IGNORECASE)
_NEAR_COUNT = re.compile(r"[0-9]+")
# A letter or digit that the matcher reads as part of a word: its character tables cover the Basic
# Multilingual Plane, so a letter beyond it (e.g. mathematical bold) separates words like a space.
_WORD_CHAR = re.compile(r"[^\W_\U00010000-\U0010ffff]")


# --- The syntax tree. Every node knows its column so that checks after parsing can point at it.


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as written, without quotes and modifiers: "missile defense", "ABM", "intercept"
    phrase: bool = False  # written in quotes
    case: bool = False  # =
    prefix: bool = False  # *
    stem: bool = False  # ~
    field: str | None = None
    column: int = dataclasses.field(default=0, compare=False)  # 1-based; 0: unknown

    @property
    def label(self) -> str:
        """How hits name this term: the text with its wildcard or stem mark."""
        return self.text + ("*" if self.prefix else "") + ("~" if self.stem else "")

    def __str__(self) -> str:
        body = f'"{self.text}"' if self.phrase else self.text
        mark = "*" if self.prefix else "~" if self.stem else ""
        scope = f"{self.field}:" if self.field else ""
        return f"{scope}{'=' if self.case else ''}{body}{mark}"


@dataclass(frozen=True, slots=True)
class _Group:
    items: tuple[Node, ...]
    column: int = dataclasses.field(default=0, compare=False)  # 1-based; 0: unknown
    operator: ClassVar[str] = ""

    def __str__(self) -> str:
        return "(" + f" {self.operator} ".join(map(str, self.items)) + ")"


class And(_Group):
    __slots__ = ()
    operator = "AND"


class Or(_Group):
    __slots__ = ()
    operator = "OR"


@dataclass(frozen=True, slots=True)
class Not:
    item: Node
    column: int = dataclasses.field(default=0, compare=False)  # 1-based; 0: unknown

    def __str__(self) -> str:
        return f"(NOT {self.item})"


@dataclass(frozen=True, slots=True)
class Near:
    left: Node
    right: Node
    distance: int
    negated: bool = False  # a NOT NEAR/n b: occurrences of a without b nearby
    column: int = dataclasses.field(default=0, compare=False)  # 1-based; 0: unknown

    def __str__(self) -> str:
        op = "NOT NEAR" if self.negated else "NEAR"
        return f"({self.left} {op}/{self.distance} {self.right})"


@dataclass(frozen=True, slots=True)
class Urgency:
    """``urgency:<=2``: a comparison of the item's wire urgency, not a word to find."""

    operator: str  # < <= = >= >
    value: int
    column: int = dataclasses.field(default=0, compare=False)  # 1-based; 0: unknown

    def __str__(self) -> str:
        return f"urgency:{'' if self.operator == '=' else self.operator}{self.value}"

    def holds(self, urgency: int | None) -> bool:
        return urgency is not None and _COMPARE[self.operator](urgency, self.value)


_COMPARE = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">=": operator.ge, ">": operator.gt}

Node = Term | And | Or | Not | Near | Urgency


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: ``str(query)`` is its canonical form (fully parenthesised)."""

    text: str
    root: Node

    def __str__(self) -> str:
        return str(self.root)

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(iter_terms(self.root))


def iter_terms(node: Node):
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Urgency):
        return
    elif isinstance(node, (And, Or)):
        for item in node.items:
            yield from iter_terms(item)
    elif isinstance(node, Not):
        yield from iter_terms(node.item)
    else:
        yield from iter_terms(node.left)
        yield from iter_terms(node.right)


# --- Tokens


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ( ) AND OR NOT NEAR FIELD URGENCY = WORD PHRASE END
    column: int
    text: str = ""
    number: int = 0  # NEAR distance
    prefix: bool = False
    stem: bool = False


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        col = i + 1
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, col))
            i += 1
        elif ch == "=":
            tokens.append(_Token("=", col))
            i += 1
        elif ch == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QueryError(n + 1, "'\"' to close the phrase opened at col " + str(col))
            inner = text[i + 1 : close].strip()
            i = close + 1
            suffix = text[i] if i < n and text[i] in "*~" else ""
            i += len(suffix)
            if inner.endswith("*") and not suffix:
                inner, suffix = inner[:-1].rstrip(), "*"
            tokens.append(_word_token("PHRASE", inner, suffix, col))
        else:
            end = i
            while end < n and text[end] not in _BARE_END:
                end += 1
            tokens.extend(_bare_tokens(text[i:end], col))
            i = end
    tokens.append(_Token("END", n + 1))
    return tokens


def _bare_tokens(word: str, col: int) -> list[_Token]:
    """One unquoted run: an operator, field scopes and "=" marks (and what follows them), or a term.
    A loop, not recursion: ``headline:headline:...`` or ``====a`` may be as long as the query."""
    tokens: list[_Token] = []
    while True:
        if word in ("AND", "OR", "NOT"):
            return tokens + [_Token(word, col)]
        if word == "NEAR" or word.startswith("NEAR/"):
            digits = word[5:]
            if not _NEAR_COUNT.fullmatch(digits):
                raise QueryError(col + 4, '"/" and a word count after NEAR, e.g. NEAR/5')
            distance = int(digits)
            if not 1 <= distance <= MAX_NEAR:
                raise QueryError(col + 5, f"a word count from 1 to {MAX_NEAR} after NEAR/")
            return tokens + [_Token("NEAR", col, number=distance)]
        urgency = _URGENCY.fullmatch(word)
        if urgency:
            return tokens + [_Token("URGENCY", col, text=urgency.group(1) or "=", number=int(urgency.group(2)))]
        if word.lower().startswith("urgency:"):
            raise QueryError(col + 8, "a comparison and an urgency from 1 to 9 after urgency:, e.g. urgency:<=2")
        scope = _FIELD_PREFIX.match(word)
        if scope:
            name = scope.group(1)
            if name.lower() not in FIELDS:
                raise QueryError(col, "a field name before ':' (" + ", ".join(FIELDS) + ")")
            tokens.append(_Token("FIELD", col, text=name.lower()))
            word, col = word[scope.end() :], col + scope.end()
        elif word.startswith("="):
            tokens.append(_Token("=", col))
            word, col = word[1:], col + 1
        else:
            suffix = word[-1] if word[-1] in "*~" else ""
            return tokens + [_word_token("WORD", word[: len(word) - len(suffix)], suffix, col)]
        if not word:
            return tokens


def _word_token(kind: str, text: str, suffix: str, col: int) -> _Token:
    if not _WORD_CHAR.search(text):
        return _Token(
            "BAD", col, text="a word inside the quotes" if kind == "PHRASE" else "a term with letters or digits"
        )
    for mark in "*~":
        if mark in text:
            return _Token("BAD", col, text=f"'{mark}' only at the end of a term")
    if suffix == "*":
        last = re.split(r"[\W_]+", text.strip())[-1] if text.strip() else ""
        if len(last) < MIN_PREFIX_LETTERS:
            return _Token("BAD", col, text=f"at least {MIN_PREFIX_LETTERS} letters before '*'")
    return _Token(kind, col, text=" ".join(text.split()), prefix=suffix == "*", stem=suffix == "~")


# --- Parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0  # nesting levels open around the current token

    def nested(self, column: int) -> None:
        """Enter one more level, refusing the one past MAX_DEPTH before the recursion goes on."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(column, f"at most {MAX_DEPTH} levels of nesting (parentheses, NOT, fields, NEAR)")

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.token.kind != "END":  # only a ")" that closes nothing stops the loops early
            raise QueryError(self.token.column, 'the end of the query (this ")" closes nothing)')
        return node

    def or_expr(self) -> Node:
        column = self.token.column
        items = [self.and_expr()]
        while self.token.kind == "OR":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items), column)

    def and_expr(self) -> Node:
        column = self.token.column
        items = [self.not_expr()]
        while self.token.kind not in ("OR", ")", "END"):
            if self.token.kind == "AND":
                self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items), column)

    def not_expr(self) -> Node:
        if self.token.kind == "NOT":
            column = self.take().column
            self.nested(column)
            item = self.not_expr()
            self.depth -= 1
            # NOT NOT a is a: keeping it as a keeps a's hits for the explanation
            return item.item if isinstance(item, Not) else Not(item, column)
        return self.near_expr()

    def near_expr(self) -> Node:
        node = self.primary(None)
        opened = self.depth  # each NEAR in a chain nests the chain so far one level deeper
        while True:
            negated = self.token.kind == "NOT" and self.tokens[self.pos + 1].kind == "NEAR"
            if not (negated or self.token.kind == "NEAR"):
                self.depth = opened
                return node
            column = self.take().column
            self.nested(column)
            if negated:
                self.take()
            distance = self.tokens[self.pos - 1].number
            right = self.primary(None)
            for side in (node, right):
                _require_positional(side)
            node = Near(node, right, distance, negated, column)

    def primary(self, scope: str | None) -> Node:
        token = self.take()
        if token.kind == "FIELD":
            self.nested(token.column)
            node = self.primary(token.text)
            self.depth -= 1
            return node
        if token.kind == "(":
            self.nested(token.column)
            node = self.or_expr()
            if self.token.kind != ")":
                raise QueryError(self.token.column, '")"')
            self.take()
            self.depth -= 1
            if not isinstance(node, Term):  # errors about the group point at its "("
                node = replace(node, column=token.column)
            return _scoped(node, scope) if scope else node
        if token.kind == "URGENCY":
            return Urgency(token.text, token.number, token.column)
        case = token.kind == "="
        column = token.column
        if case:
            token = self.take()
        if token.kind == "BAD":
            raise QueryError(token.column, token.text)
        if token.kind not in ("WORD", "PHRASE"):
            raise QueryError(token.column, 'a term or phrase after "="' if case else 'a term, a phrase or "("')
        if case and token.stem:
            raise QueryError(token.column, 'either "=" (exact case) or "~" (stemming), not both')
        return Term(token.text, token.kind == "PHRASE", case, token.prefix, token.stem, scope, column)


def _scoped(node: Node, scope: str) -> Node:
    """Give every term under node the field scope, unless it has its own (inner wins)."""
    if isinstance(node, Urgency):
        return node
    if isinstance(node, Term):
        return (
            node if node.field else Term(node.text, node.phrase, node.case, node.prefix, node.stem, scope, node.column)
        )
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_scoped(i, scope) for i in node.items), node.column)
    if isinstance(node, Not):
        return Not(_scoped(node.item, scope), node.column)
    return Near(_scoped(node.left, scope), _scoped(node.right, scope), node.distance, node.negated, node.column)


def _require_positional(node: Node) -> None:
    """NEAR compares word positions: its sides must be things that have positions."""
    if isinstance(node, Term):
        return
    if isinstance(node, Or):
        for item in node.items:
            _require_positional(item)
        return
    if isinstance(node, Near):
        return
    raise QueryError(node.column, "terms, phrases, OR-groups or NEAR on each side of NEAR (not AND or NOT)")


def _matches_without_terms(node: Node) -> bool:
    """Whether node would be true in an article where no term occurs at all."""
    if isinstance(node, (Term, Near)):
        return False
    if isinstance(node, Urgency):
        return True  # a filter on what terms find: alone it would be evaluated for no article
    if isinstance(node, Not):
        return not _matches_without_terms(node.item)
    if isinstance(node, And):
        return all(_matches_without_terms(i) for i in node.items)
    return any(_matches_without_terms(i) for i in node.items)


def _first_not(node: Node) -> Node:
    if isinstance(node, (Not, Urgency)):
        return node
    for child in node.items if isinstance(node, (And, Or)) else ():
        if _matches_without_terms(child):
            return _first_not(child)
    return node


_WITHOUT_TERMS = {
    False: "a term that is not under NOT (NOT alone matches every article)",
    True: "a term beside urgency: (it narrows what terms find)",
}


_LOWER_OPERATOR = re.compile(r"(and|or|not|near/[0-9]+)", re.IGNORECASE)


def operator_words_in_lower_case(text: str) -> list[str]:
    """A warning for each operator written in lower (or mixed) case, which the query searches as
    a word: ``Iran or Tehran`` looks for three words. ``"or"`` in quotes searches the word
    without a warning. A query that does not parse has none (its error says enough)."""
    try:
        tokens = _tokenize(text)
    except QueryError:
        return []
    warnings = []
    for token in tokens:
        if token.kind == "WORD" and not token.prefix and not token.stem and _LOWER_OPERATOR.fullmatch(token.text):
            operator = token.text.upper()
            warnings.append(
                f'query col {token.column}: "{token.text}" is searched as a word; write {operator} for the operator, '
                f'or "{token.text}" in quotes for the word'
            )
    return warnings


def parse_query(text: str) -> Query:
    """Parse a query (see the module docstring) or raise QueryError naming the column."""
    try:
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(MAX_QUERY_CHARS + 1, f"the end of the query (at most {MAX_QUERY_CHARS:,} characters)")
        root = _Parser(text).parse()
        if _matches_without_terms(root):
            # Such a query would flag almost every article; it is nearly always a mistake.
            raise QueryError(
                _first_not(root).column or 1, _WITHOUT_TERMS[isinstance(_first_not(root), Urgency)]
            )
    except QueryError as error:
        raise QueryError(error.column, error.expected, text=text) from None
    return Query(text, root)
