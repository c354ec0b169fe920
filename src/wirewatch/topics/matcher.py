"""Topic matching: compile all topics into one matcher, match wire items, explain each match.

The query language (terms, phrases, ``=`` exact case, ``*`` wildcard, ``~`` stemming, field scopes,
``NEAR/n``, ``NOT NEAR/n``, ``AND``/``OR``/``NOT`` and their precedence) is documented in
``wirewatch.query``; ``parse_query`` and ``QueryError`` are re-exported here. Backtests over the
archive are in ``wirewatch.topics.backtest``, the terminal and text renderings in ``wirewatch.cli.presentation``.

How matching works: every field of an item (headline, subtitle, body, place, agency, section) is
normalised at once into one string of lower-case words separated by single spaces (numpy maps each
character through a table; no per-word Python loop). One Aho-Corasick automaton (pyahocorasick)
holds a key for every term of every topic, written with spaces around it (" missile defense "), so
it reports whole-word occurrences only. Only topics with a non-negated term among those
occurrences are evaluated; stems, wildcards and exact-case terms are confirmed word by word there.

Scores: each hit counts the weight of where it stands (headline 3, subtitle 2, first body paragraph
1.5, rest of the body and the dateline fields 1); overlapping hits count once. The snippet is the
sentence around the strongest hit, every hit in it marked «like this».
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import ahocorasick
import numpy as np
import Stemmer

from wirewatch import quotes
from wirewatch.wire import codec
from wirewatch.config import TopicConfig
from wirewatch.model import Article, Hit, Quote, TopicMatch, WireItem
from wirewatch.query import FIELDS, SPEECH_FIELDS, And, Near, Node, Not, Or, QueryError, Term, Urgency, iter_terms, parse_query

__all__ = [
    "FIELD_WEIGHTS",
    "Matcher",
    "QueryError",
    "compile_topics",
    "field_texts",
    "normalize_words",
    "parse_query",
    "rule_version",
]

# Bump when matching semantics change, so that rule versions change and stored matches are redone.
MATCHER_VERSION = "1"
FIELD_WEIGHTS = {
    "headline": 3.0,
    "subtitle": 2.0,
    "lead": 1.5,
    "body": 1.0,
    "place": 1.0,
    "agency": 1.0,
    "section": 1.0,
    "speaker": 0.5,  # below a quote: an explanation shows what was said rather than who said it
    "quote": 1.0,
}
_FIRST_SPEECH_FIELD = FIELDS.index(SPEECH_FIELDS[0])
_QUOTE_FIELD = FIELDS.index("quote")
_QUOTE_JOIN = " \n\n "  # between two quotes in the quote field: a sentence break for snippets
SNIPPET_MAX = 300  # characters of the snippet sentence kept around the strongest hit

# --- Normalisation -----------------------------------------------------------------------------

_SPACE = 0x20
_FIELD_BREAK = 0x00  # stands between fields so that no phrase or NEAR spans two of them
_FIELD_JOIN = " \x00 "
_DROP = 0xFFFF  # table value: remove the character (it is invisible inside a word)
_DROPPED = "\u00ad\u200c\u200d\u2060\ufeff"  # soft hyphen, ZW(N)J, word joiner, BOM; U+200B is a space
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.IGNORECASE)
URL_WORDS = (" http ", " https ", " ftp ", " www ")  # how a URL starts once normalised
_HYPHENS = re.compile(r"[-\u2010-\u2015\u2212\u2043\ufe63\uff0d]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@functools.cache
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Per UTF-16 code unit: its folded form and its exact-case form. Letters, digits and combining
    marks are word characters; everything else becomes a space."""
    folded = np.full(0x10000, _SPACE, np.uint16)
    cased = np.full(0x10000, _SPACE, np.uint16)
    for code in range(0x10000):
        char = chr(code)
        if char.isalnum() or unicodedata.category(char) in ("Mn", "Mc"):
            cased[code] = code
            folded[code] = ord(char.lower()[0])  # İ lowers to two characters; keep the length
    # ё is written as е more often than not
    folded[ord("ё")] = folded[ord("Ё")] = cased[ord("ё")] = ord("е")
    cased[ord("Ё")] = ord("Е")
    for table in (folded, cased):
        for char in _DROPPED:
            table[ord(char)] = _DROP
        table[_FIELD_BREAK] = _FIELD_BREAK
    return folded, cased


class _Normalized:
    """``text`` as space-separated words (``norm``: folded; ``cased()``: exact case), each run of
    separators one space, plus the way back from a position in ``norm`` to one in ``text``.
    ``mask_urls``: blank out URLs first (callers ask when ``norm`` shows a URL word, see
    URL_WORDS: a regex pass over every text would cost more than the rest of normalisation)."""

    def __init__(self, text: str, *, mask_urls: bool = False) -> None:
        folded, self._cased_table = _tables()
        raw = text.encode("utf-16-le", "surrogatepass")
        if len(raw) == 2 * len(text):
            self._codes = np.frombuffer(raw, np.uint16)
        else:  # characters beyond the BMP: one unit each (as separators) so positions stay aligned
            self._codes = np.minimum(
                np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32), 0xFFFF
            ).astype(np.uint16)
        self._urls = [m.span() for m in _URL.finditer(text)] if mask_urls else []
        # Single-character tests: far cheaper than a regex or a numpy pass over every text.
        self._visible = np.flatnonzero(folded.take(self._codes) != _DROP) if any(c in text for c in _DROPPED) else None
        mapped = self._map(folded)
        spaces = mapped == _SPACE
        self._keep = np.empty(len(mapped), bool)
        self._keep[0] = True
        np.logical_not(spaces[1:] & spaces[:-1], out=self._keep[1:])
        self.norm: str = mapped[self._keep].tobytes().decode("utf-16-le")
        self._cased: str | None = None
        self._origins: np.ndarray | None = None

    def _map(self, table: np.ndarray) -> np.ndarray:
        mapped = table.take(self._codes)
        for start, end in self._urls:
            mapped[start:end] = _SPACE
        return mapped if self._visible is None else mapped[self._visible]

    def cased(self) -> str:
        if self._cased is None:
            self._cased = self._map(self._cased_table)[self._keep].tobytes().decode("utf-16-le")
        return self._cased

    def origin(self, position: int) -> int:
        """The index in the original text of the character at ``position`` in ``norm``."""
        if self._origins is None:
            kept = np.flatnonzero(self._keep)
            self._origins = kept if self._visible is None else self._visible[kept]
        return int(self._origins[position])


def normalize_words(text: str, *, exact_case: bool = False) -> list[str]:
    """The words the matcher sees in ``text``: ``"Anti-missile «shield»"`` -> ``["anti", "missile",
    "shield"]``."""
    normalized = _Normalized(f" {text} ")
    return (normalized.cased() if exact_case else normalized.norm).split()


# --- Compiling terms ---------------------------------------------------------------------------

_EXACT, _PREFIX, _STEM = 0, 1, 2


@functools.cache
def _stemmer(language: str) -> Any:
    return Stemmer.Stemmer(language)


def _stem(word: str) -> str:
    return _stemmer("russian" if _CYRILLIC.search(word) else "english").stemWord(word)


@dataclass(frozen=True, slots=True)
class _Variant:
    """One way a term can be written in the text (``anti-missile``: "anti missile" or "antimissile")."""

    words: tuple[str, ...]  # folded, or exact case for ``=`` terms; stems for ``~`` words
    modes: tuple[int, ...]  # per word: _EXACT, _PREFIX or _STEM
    case: bool
    key: str  # the automaton key: " " + the literal start of the variant (+ " " if it is all of it)
    check: int  # what a key hit still needs: _WHOLE_KEY, _WORD_END or _CONFIRM


# How a key hit becomes an occurrence: the key was the whole variant (it ends at the space after
# the last word); the key was the variant up to a wildcard (the word runs on to the next space);
# or the words must be confirmed one by one (stems, exact case).
_WHOLE_KEY, _WORD_END, _CONFIRM = 0, 1, 2


def _term_variants(term: Term) -> tuple[_Variant, ...]:
    """The variants of a term: a hyphen may be written as a hyphen, a space or nothing."""
    pieces: list[list[list[str]]] = []  # per space-separated chunk: its hyphen-separated pieces' words
    for chunk in term.text.split():
        pieces.append([normalize_words(p, exact_case=term.case) for p in _HYPHENS.split(chunk)])
    spellings: list[list[str]] = [[]]
    for chunk in pieces:
        for i, words in enumerate(p for p in chunk if p):
            glued = [s[:-1] + [s[-1] + words[0]] + words[1:] for s in spellings if s] if i else []
            spellings = [s + words for s in spellings] + glued
            if len(spellings) > 16:  # a term with many hyphens: keep the spelled-out forms
                spellings = spellings[:16]
    spellings = [s for s in spellings if s]
    if not spellings:  # parse_query refuses such terms; should the two ever disagree, say so
        raise QueryError(term.column, "a term with letters or digits")
    return tuple(_variant(term, words) for words in spellings)


def _variant(term: Term, words: list[str]) -> _Variant:
    modes = [_STEM if term.stem else _EXACT] * len(words)
    if term.prefix:
        modes[-1] = _PREFIX
    literal: list[str] = []
    for word, mode in zip(words, modes):
        folded = normalize_words(word)[0] if term.case else word
        if mode == _EXACT:
            literal.append(folded)
            continue
        if mode == _PREFIX:
            literal.append(folded)
        else:  # a probe every inflection shares: the stem may end differently (hoping -> hope)
            probe = _common_prefix(_stem(folded), folded)
            literal.append(probe[:-1] if len(probe) > 3 else probe)
        break
    else:
        literal.append("")  # all words literal: the key ends with a space, so only whole words hit
    stems = tuple(_stem(w) if m == _STEM else w for w, m in zip(words, modes))
    check = _CONFIRM if term.case or term.stem else _WORD_END if term.prefix else _WHOLE_KEY
    return _Variant(stems, tuple(modes), term.case, " " + " ".join(literal), check)


def _common_prefix(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return a[:size]


def _confirm(variant: _Variant, text: _Normalized, start: int) -> int:
    """The end (exclusive) of the variant's words from ``start``, or -1 if they are not there."""
    norm = text.cased() if variant.case else text.norm
    end = start - 1
    for word, mode in zip(variant.words, variant.modes):
        start = end + 1
        end = norm.find(" ", start)
        token = norm[start:end]
        if mode == _EXACT:
            ok = token == word
        elif mode == _PREFIX:
            ok = token.startswith(word)
        else:
            ok = _stem(token) == word
        if not ok:
            return -1
    return end


# --- The compiled matcher ----------------------------------------------------------------------

# Evaluation plans are tuples (cheaper to walk than dataclasses in the per-article loop):
# ("term", term_id, field_index | -1, key_ids), ("and", children), ("or", children),
# ("not", child), ("near", left, right, distance, negated), ("urgency", Urgency node)
_Plan = tuple
# An occurrence: (start, end, hits) in ``norm`` positions; hits: ((label, start, end), ...)
_Occurrence = tuple


@dataclass(frozen=True, slots=True)
class _Topic:
    name: str
    plan: _Plan
    min_score: float
    lang: str | None
    rule_version: str


class Matcher:
    """All enabled topics, compiled once per run (see the module docstring for how it works)."""

    def __init__(self, topics: Sequence[TopicConfig]) -> None:
        self._topics: list[_Topic] = []
        self._terms: dict[tuple[str, bool, bool, bool], int] = {}
        self._term_labels: list[str] = []
        self._term_keys: list[tuple[tuple[int, _Variant], ...]] = []
        self._keys: dict[str, int] = {key: key_id for key_id, key in enumerate(URL_WORDS)}
        self._key_topics: list[set[int]] = [set() for _ in URL_WORDS]
        self._key_text: list[str] = list(URL_WORDS)
        self.speech = False  # a topic looks at speakers or quotes: matching extracts them
        for topic in topics:
            if topic.enabled:
                self._add_topic(topic)
        self._automaton = ahocorasick.Automaton()
        for key, key_id in self._keys.items():
            self._automaton.add_word(key, key_id)
        self._automaton.make_automaton()
        self._key_topic_sets = [frozenset(s) for s in self._key_topics]

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(t.name for t in self._topics)

    def _add_topic(self, topic: TopicConfig) -> None:
        index = len(self._topics)
        try:
            root = parse_query(topic.query).root
        except QueryError as error:
            raise error.within(f'topic "{topic.name}"') from None
        plan = self._plan(root)
        self.speech = self.speech or any(t.field in SPEECH_FIELDS for t in iter_terms(root))
        # The topic is evaluated only for articles where one of these keys occurs.
        for key_id in self._triggers(root) or self._positive_keys(root, positive=True):
            self._key_topics[key_id].add(index)
        lang = _primary_lang(topic.lang)
        self._topics.append(_Topic(topic.name, plan, topic.min_score, lang, rule_version(topic.query)))

    def _plan(self, node: Node) -> _Plan:
        if isinstance(node, Term):
            term_id = self._term(node)
            key_ids = tuple(key_id for key_id, _ in self._term_keys[term_id])
            return ("term", term_id, FIELDS.index(node.field) if node.field else -1, key_ids)
        if isinstance(node, Urgency):
            return ("urgency", node)
        if isinstance(node, (And, Or)):
            return ("and" if isinstance(node, And) else "or", tuple(map(self._plan, node.items)))
        if isinstance(node, Not):
            return ("not", self._plan(node.item))
        return ("near", self._plan(node.left), self._plan(node.right), node.distance, node.negated)

    def _triggers(self, node: Node) -> frozenset[int] | None:
        """Keys of which one must occur for node to be true, as few and as rare as can be told
        (None: no such set, e.g. under NOT). For AND and NEAR one side's keys suffice; the side
        whose shortest key is longest is taken, since short keys hit often."""
        if isinstance(node, Term):
            return frozenset(key_id for key_id, _ in self._term_keys[self._term(node)])
        if isinstance(node, Or):
            sides = [self._triggers(i) for i in node.items]
            return None if None in sides else frozenset().union(*sides)
        if isinstance(node, (Not, Urgency)):
            return None
        sides = [self._triggers(i) for i in (node.items if isinstance(node, And) else (node.left, node.right))]
        if isinstance(node, Near) and node.negated:
            sides = sides[:1]
        known = [side for side in sides if side]
        return max(known, key=lambda keys: (min(len(self._key_text[k]) for k in keys), -len(keys))) if known else None

    def _positive_keys(self, node: Node, *, positive: bool) -> set[int]:
        """The keys of all terms that can only help the query be true (not under an odd number of
        NOTs): the query is false in an article where none occurs (parse_query ensures it)."""
        if isinstance(node, Term):
            return {key_id for key_id, _ in self._term_keys[self._term(node)]} if positive else set()
        if isinstance(node, Urgency):
            return set()
        if isinstance(node, Not):
            return self._positive_keys(node.item, positive=not positive)
        if isinstance(node, Near):
            right = self._positive_keys(node.right, positive=positive != node.negated)
            return self._positive_keys(node.left, positive=positive) | right
        return set().union(*(self._positive_keys(i, positive=positive) for i in node.items))

    def _term(self, term: Term) -> int:
        identity = (term.text, term.case, term.prefix, term.stem)
        if identity in self._terms:
            return self._terms[identity]
        term_id = len(self._term_labels)
        self._terms[identity] = term_id
        self._term_labels.append(term.label)
        keys = []
        for variant in _term_variants(term):
            if variant.key not in self._keys:
                self._keys[variant.key] = len(self._key_topics)
                self._key_topics.append(set())
                self._key_text.append(variant.key)
            keys.append((self._keys[variant.key], variant))
        self._term_keys.append(tuple(keys))
        return term_id

    def match_article(self, article: Article) -> list[TopicMatch]:
        """match() with what the article knows: its language and its wire urgency."""
        return self.match(article.item, lang=article.lang, urgency=article.wire.urgency if article.wire else None)

    def match(self, item: WireItem, *, lang: str | None = None, urgency: int | None = None) -> list[TopicMatch]:
        """The topics that item matches, in configuration order. ``lang`` (e.g. Article.lang) keeps
        topics of another language from firing ("en-GB" counts as "en"); without it, the script
        decides (see _fits). Topics without a lang apply to every item. ``urgency`` is what
        ``urgency:`` terms compare (None: they are false)."""
        speech = quotes.extract_quotes(item) if self.speech else ()
        texts = field_texts(item, speech)
        source = " " + _FIELD_JOIN.join(texts) + " "  # spaces: every key starts with one
        text = _Normalized(source)
        hits = list(self._automaton.iter(text.norm))
        if not hits:
            return []
        found = set(map(itemgetter(1), hits))
        if not found.isdisjoint(range(len(URL_WORDS))):  # a URL: its words must not count
            text = _Normalized(source, mask_urls=True)
            hits = list(self._automaton.iter(text.norm))
            found = set(map(itemgetter(1), hits))
        candidates = set().union(*map(self._key_topic_sets.__getitem__, found))
        matches = []
        if not candidates:
            return matches
        article = _ArticleState(self, text, hits, found, urgency)
        item_lang = _primary_lang(lang)
        for index in sorted(candidates):
            topic = self._topics[index]
            if topic.lang and not _fits(topic.lang, item_lang, item):
                continue
            occurrences = article.evaluate(topic.plan)
            if occurrences:
                match = _topic_match(topic, occurrences, text, texts, speech)
                if match.score >= topic.min_score:
                    matches.append(match)
        return matches


class _ArticleState:
    """One article during matching: which keys hit, where, and the term occurrences so far."""

    def __init__(
        self, matcher: Matcher, text: _Normalized, hits: list[tuple[int, int]], found: set[int], urgency: int | None
    ) -> None:
        self.matcher = matcher
        self.urgency = urgency
        self.text = text
        self.hits = hits
        self.found = found
        self.by_key: dict[int, list[int]] | None = None
        self.occurrences: dict[int, list[_Occurrence]] = {}
        self.field_breaks = _breaks(text.norm)

    def field_of(self, position: int) -> int:
        return bisect.bisect_right(self.field_breaks, position)

    def term(self, term_id: int) -> list[_Occurrence]:
        occurrences = self.occurrences.get(term_id)
        if occurrences is not None:
            return occurrences
        if self.by_key is None:
            self.by_key = {}
            for end, key_id in self.hits:
                self.by_key.setdefault(key_id, []).append(end)
        label = self.matcher._term_labels[term_id]
        norm = self.text.norm
        occurrences = []
        keys = self.matcher._term_keys[term_id]
        for key_id, variant in keys:
            back = len(variant.key) - 2  # from the key's last character to its first word's start
            for end in self.by_key.get(key_id, ()):
                start = end - back
                if variant.check == _WHOLE_KEY:
                    stop = end
                elif variant.check == _WORD_END:
                    stop = norm.find(" ", end)
                else:
                    stop = _confirm(variant, self.text, start)
                if stop >= 0:
                    occurrences.append((start, stop, ((label, start, stop),)))
        if len(keys) > 1:
            occurrences.sort(key=itemgetter(0))
        self.occurrences[term_id] = occurrences
        return occurrences

    def evaluate(self, plan: _Plan) -> list[_Occurrence] | None:
        """The occurrences that make plan true (possibly none, for NOT), or None if it is false."""
        kind = plan[0]
        if kind == "term":
            if self.found.isdisjoint(plan[3]):  # the common case: no key of the term hit at all
                return None
            occurrences = self.term(plan[1])
            if plan[2] >= 0:
                occurrences = [o for o in occurrences if self.field_of(o[0]) == plan[2]]
            elif self.matcher.speech:  # unscoped: the fields of the item itself, not its quotes again
                occurrences = [o for o in occurrences if self.field_of(o[0]) < _FIRST_SPEECH_FIELD]
            return occurrences or None
        if kind == "and":
            together: list[_Occurrence] = []
            for child in plan[1]:
                part = self.evaluate(child)
                if part is None:
                    return None
                together += part
            return together
        if kind == "or":
            parts = [p for p in map(self.evaluate, plan[1]) if p is not None]
            return [o for p in parts for o in p] if parts else None
        if kind == "not":
            return [] if self.evaluate(plan[1]) is None else None
        if kind == "urgency":  # start -1: evidence that names no place in the text
            return [(-1, -1, ((f"{plan[1]} (urgency {self.urgency})", -1, -1),))] if plan[1].holds(self.urgency) else None
        left = self.evaluate(plan[1])
        if left is None:
            return None
        right = self.evaluate(plan[2]) or []
        return self.near(left, right, plan[3], negated=plan[4]) or None

    def near(
        self, left: list[_Occurrence], right: list[_Occurrence], distance: int, *, negated: bool
    ) -> list[_Occurrence]:
        right = sorted(right, key=itemgetter(0))
        starts = [o[0] for o in right]
        result = []
        for occurrence in left:
            i = bisect.bisect_left(starts, occurrence[0])
            partners = []
            for step, first, stop in ((-1, i - 1, -1), (1, i, len(right))):
                for j in range(first, stop, step):
                    other = right[j]
                    before, after = (other, occurrence) if step < 0 else (occurrence, other)
                    if self.words_apart(before, after) > distance:
                        break  # occurrences further out are further apart
                    partners.append(other)
            if negated:
                if not partners:
                    result.append(occurrence)
            elif partners:
                spans = [occurrence, *partners]
                hits = tuple(h for o in spans for h in o[2])
                result.append((min(o[0] for o in spans), max(o[1] for o in spans), hits))
        return result

    def words_apart(self, before: _Occurrence, after: _Occurrence) -> float:
        """Neighbouring words are 1 apart; overlapping occurrences 0; other fields: infinitely far."""
        if self.field_of(before[0]) != self.field_of(after[0]):
            return float("inf")
        if after[0] < before[1]:
            return 0
        return self.text.norm.count(" ", before[1], after[0])


def _breaks(norm: str) -> list[int]:
    breaks, at = [], norm.find("\x00")
    while at >= 0:
        breaks.append(at)
        at = norm.find("\x00", at + 1)
    return breaks


def field_texts(item: WireItem, speech: Sequence[Quote] = ()) -> tuple[str, ...]:
    """The item's fields in FIELDS order; absent ones are empty. The speech fields are made of
    ``speech`` (the item's quotes): its speakers with their titles and organisations, and the
    quotes' words."""
    dateline = item.dateline
    speakers: dict[str, str] = {}  # speaker -> the fullest description the item gives
    for q in speech:
        if q.speaker:
            described = ", ".join(filter(None, (q.speaker, q.speaker_title, q.speaker_org)))
            speakers[q.speaker] = max(speakers.get(q.speaker, ""), described, key=len)
    return (
        item.headline,
        item.subtitle or "",
        item.body,
        (dateline.place or "") if dateline else "",
        (dateline.agency or "") if dateline else "",
        item.section,
        _QUOTE_JOIN.join(speakers.values()),
        _QUOTE_JOIN.join(q.text for q in speech),
    )


def _in_body(hits: Sequence[Hit], speech: Sequence[Quote]) -> tuple[Hit, ...]:
    """Quote hits with body offsets (the quote field is the quotes' words joined): where the words
    stand in the article, so that views and highlights find them."""
    starts, at = [], 0
    for q in speech:
        starts.append(at)
        at += len(q.text) + len(_QUOTE_JOIN)
    moved = []
    for hit in hits:
        if hit.field == "quote" and speech:
            n = bisect.bisect_right(starts, hit.start) - 1
            shift = speech[n].start - starts[n]
            hit = Hit(hit.term, hit.field, hit.start + shift, hit.end + shift)
        moved.append(hit)
    return tuple(moved)


def _primary_lang(lang: str | None) -> str | None:
    return lang.strip().lower().replace("_", "-").split("-")[0] or None if lang else None


_CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn"})


def _fits(topic_lang: str, item_lang: str | None, item: WireItem) -> bool:
    """Whether a topic of topic_lang applies. Without the item's language, its script decides:
    Cyrillic text takes topics in Cyrillic languages, other text all the others."""
    if item_lang:
        return topic_lang == item_lang
    return (topic_lang in _CYRILLIC_LANGS) == codec.mostly_cyrillic(" ".join((item.headline, *item.paragraphs[:3])))


# --- Explanations: hits, score, snippet --------------------------------------------------------

_SENTENCE_BREAK = re.compile(r"""[.!?…]+["”’»)\]]*\s+(?=["“‘«(\[]?[A-ZА-ЯЁ0-9])|\n+""")


def _topic_match(
    topic: _Topic, found: list[_Occurrence], text: _Normalized, texts: Sequence[str], speech: Sequence[Quote] = ()
) -> TopicMatch:
    starts = [1]  # where each field starts in the source text that match() normalised
    for field_text in texts[:-1]:
        starts.append(starts[-1] + len(field_text) + len(_FIELD_JOIN))
    hits, conditions = set(), set()
    for occurrence in found:
        for label, start, end in occurrence[2]:
            if start < 0:
                conditions.add(Hit(label, "urgency", 0, 0))
                continue
            origin = text.origin(start)
            index = bisect.bisect_right(starts, origin) - 1
            offset = starts[index]
            hits.add(Hit(label, FIELDS[index], origin - offset, text.origin(end - 1) + 1 - offset))
    ordered = tuple(sorted(hits, key=lambda h: (FIELDS.index(h.field), h.start, h.end, h.term)))
    lead_end = len(texts[2].split("\n\n", 1)[0])
    score = sum(_weight(field, start, lead_end) for field, start, _ in _merged(ordered))
    snippet = _snippet(ordered, texts, lead_end)
    ordered = _in_body(ordered, speech)
    return TopicMatch(topic.name, round(score, 2), ordered + tuple(sorted(conditions)), snippet, topic.rule_version)


def _weight(field: str, start: int, lead_end: int) -> float:
    return FIELD_WEIGHTS["lead" if field == "body" and start < lead_end else field]


def _merged(hits: Sequence[Hit]) -> list[tuple[str, int, int]]:
    """Hits as regions of text: overlapping hits of one field (e.g. "missile defense" inside
    "ballistic missile defense") become one region. Expects hits ordered by field and start."""
    regions: list[tuple[str, int, int]] = []
    for hit in hits:
        if regions and regions[-1][0] == hit.field and hit.start < regions[-1][2]:
            field, start, end = regions[-1]
            regions[-1] = (field, start, max(end, hit.end))
        else:
            regions.append((hit.field, hit.start, hit.end))
    return regions


def _snippet(hits: Sequence[Hit], texts: Sequence[str], lead_end: int) -> str:
    """The sentence around the strongest hit (highest field weight, then earliest), hits marked."""
    best = max(hits, key=lambda h: (_weight(h.field, h.start, lead_end), -FIELDS.index(h.field), -h.start))
    field_text = texts[FIELDS.index(best.field)]
    window_start = max(0, best.start - SNIPPET_MAX)
    start, end = window_start, min(len(field_text), best.end + SNIPPET_MAX)
    for boundary in _SENTENCE_BREAK.finditer(field_text, window_start, end):
        if boundary.end() <= best.start:
            start = boundary.end()
        elif boundary.start() >= best.end:
            end = boundary.start() + (1 if field_text[boundary.start()] in ".!?…" else 0)
            break
    sentence_start, sentence_end = start, end
    start, end = _clip(start, end, best)
    marked = _merged([h for h in hits if h.field == best.field and start <= h.start and h.end <= end])
    pieces, at = [], start
    for _, hit_start, hit_end in marked:
        pieces += [field_text[at:hit_start], "«", field_text[hit_start:hit_end], "»"]
        at = hit_end
    pieces.append(field_text[at:end])
    snippet = " ".join("".join(pieces).split())
    return ("…" if start > sentence_start else "") + snippet + ("…" if end < sentence_end else "")


def _clip(start: int, end: int, best: Hit) -> tuple[int, int]:
    """Keep a long sentence to SNIPPET_MAX characters centred on the hit."""
    if end - start <= SNIPPET_MAX:
        return start, end
    start = max(start, best.start - SNIPPET_MAX // 2)
    return start, min(end, start + SNIPPET_MAX)


# --- Compiling and versioning topics ----------------------------------------------------------


def compile_topics(topics: Sequence[TopicConfig]) -> Matcher:
    """Compile the enabled topics into one matcher (once per run). Raises QueryError naming the
    topic for a bad query."""
    return Matcher(topics)


def rule_version(query_text: str) -> str:
    """A short stable hash of the query: of its canonical form when it parses, so that spacing and
    redundant parentheses do not count as a change."""
    try:
        canonical = str(parse_query(query_text))
    except QueryError:
        canonical = query_text.strip()
    return hashlib.sha256(f"{MATCHER_VERSION}\n{canonical}".encode()).hexdigest()[:12]

