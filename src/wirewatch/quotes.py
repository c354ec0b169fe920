"""Who said what: direct and reported speech in a wire item, with its speaker and, where the text
says, when it was said.

Pure functions over a ``WireItem`` (no model, no network). The rules follow wire style:

- direct quotes between “curly”, "straight", «guillemet» or ‘single’ marks, a quote running over
  several paragraphs (a paragraph that opens a quote without closing it, followed by one that
  opens again), a quote split by its attribution (“A,” he said. “B.”), Russian dash-led speech;
- reported speech: ``..., X said.``, ``X said (that) ...``, ``According to X, ...`` and their
  Russian forms (``заявил``, ``по словам``);
- the speaker as written (title, name, organisation), a pronoun or a role ("he", "the deputy
  minister") resolved to the person it refers to in the article, or None when nothing decides.

Everything is linear in the text: each paragraph is scanned once for quote marks, the
attribution is looked for in windows of bounded size, and an article yields at most
``MAX_QUOTES`` quotes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from wirewatch.wire import dateline
from wirewatch.model import Quote, WireItem

MAX_QUOTES = 200  # per article: a hostile text of quote marks yields no more
MIN_QUOTE_WORDS = 4  # a shorter quoted phrase counts only with a speech cue beside it
_WINDOW = 240  # characters around a quote searched for its attribution
_MAX_SENTENCE = 2000  # characters of a sentence searched for reported speech


# -- vocabulary ---------------------------------------------------------------------------------

_CUES_EN = (
    "said", "says", "told", "noted", "stressed", "observed", "added", "warned", "declared", "stated",
    "emphasized", "emphasised", "pointed out", "explained", "remarked", "recalled", "continued",
    "concluded", "argued", "announced", "insisted", "underlined", "underscored", "asserted",
    "reported", "wrote", "replied", "claimed", "commented", "confirmed", "admitted", "urged",
    "acknowledged", "revealed", "suggested", "cautioned", "expressed confidence", "expressed hope",
    "expressed concern", "expressed readiness", "responded", "answered",
)  # fmt: skip
_CUES_RU = (
    "заявил", "заявила", "заявили", "сообщил", "сообщила", "сообщили", "отметил", "отметила",
    "отметили", "подчеркнул", "подчеркнула", "подчеркнули", "сказал", "сказала", "сказали",
    "добавил", "добавила", "пояснил", "пояснила", "констатировал", "указал", "указала",
)  # fmt: skip
_CUE_WORDS = frozenset(w for cue in _CUES_EN + _CUES_RU for w in cue.split())


def _trie_pattern(words: Sequence[str]) -> str:
    """An alternation of ``words`` as a prefix tree ("s(?:a(?:id|ys)|tated|...)"): the regex engine
    then tries one branch per character instead of every word at every position. Each word matches
    the same text as in a plain alternation when a word boundary follows (no word is another's
    prefix at a boundary)."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict) -> str:
        children = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not children:
            return ""
        body = children[0] if len(children) == 1 else "(?:" + "|".join(children) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(tree)


_CUE = _trie_pattern(_CUES_EN + _CUES_RU)
_AUX = r"(?:(?:has|had|have|was|were)\s+)?"
# The speech verb and what may stand between it and the end of the attribution
# Case-sensitive: the wire writes cues in lower case, and IGNORECASE makes the alternation an order
# of magnitude slower
_CUE_RE = re.compile(rf"(?<![\w-]){_AUX}(?P<cue>{_CUE})\b")  # not "so-called"
_BEFORE_CUE = re.compile(rf"(?<![\w-]){_AUX}(?P<cue>{_CUE}|called|described\s+as|dubbed)\b")
_PRONOUNS = {"he": "person", "she": "person", "it": "org", "they": None, "он": "person", "она": "person"}
_ORG_HEADS = {
    "ministry", "ministries", "commission", "committee", "council", "office", "service", "agency",
    "department", "government", "embassy", "kremlin", "pentagon", "union", "organization", "organisation",
    "bank", "company", "corporation", "party", "statement", "court", "parliament", "administration",
    "headquarters", "group", "fund", "army", "navy", "police", "duma", "senate", "cabinet", "mission",
    "newspaper", "daily", "magazine", "broadcaster", "channel", "website", "portal", "institute", "university",
    "министерство", "мид", "минобороны", "кремль", "правительство", "ведомство",
}  # fmt: skip
# Words a role noun may stand for in a title ("the head of state" -> a president)
_ROLE_TITLES = {
    "leader": ("president", "leader", "premier", "prime", "chancellor", "head"),
    "head of state": ("president", "king", "emir", "monarch"),
    "diplomat": ("ambassador", "envoy", "diplomat", "foreign", "representative", "consul", "spokes"),
    "top diplomat": ("foreign", "secretary of state"),
    "lawmaker": ("duma", "deputy", "senator", "mp", "congressman", "congresswoman", "lawmaker", "parliament"),
    "legislator": ("duma", "deputy", "senator", "mp", "congressman", "lawmaker"),
    "official": ("minister", "secretary", "official", "spokes", "director", "head", "chief", "deputy"),
    "spokeswoman": ("spokeswoman", "spokesperson", "press secretary", "spokesman"),
    "spokesman": ("spokesman", "spokesperson", "press secretary"),
    "premier": ("prime minister", "premier"),
    "envoy": ("envoy", "ambassador", "representative"),
    "analyst": ("analyst", "expert"),
}  # fmt: skip
_TITLE_WORDS = {
    "president", "minister", "ambassador", "envoy", "expert", "spokesman", "spokeswoman", "spokesperson",
    "secretary", "chief", "director", "head", "chairman", "chairwoman", "chair", "deputy", "speaker",
    "representative", "aide", "governor", "mayor", "senator", "lawmaker", "analyst", "commander",
    "general", "premier", "leader", "official", "adviser", "advisor", "chancellor", "king", "queen",
    "prince", "spokeswoman", "diplomat", "professor", "researcher", "economist", "prosecutor", "judge",
    "lieutenant", "colonel", "admiral", "marshal", "ombudsman", "commissioner", "president-elect",
    "mr.", "mrs.", "ms.", "dr.", "gen.", "sen.", "rep.", "gov.", "prof.", "col.", "lt.", "adm.",
    "министр", "президент", "премьер", "посол", "глава", "председатель", "представитель", "заместитель",
    "пресс-секретарь", "директор", "эксперт", "депутат", "спикер", "губернатор", "мэр", "советник",
    "помощник", "генсек", "генеральный", "замминистра", "сенатор", "официальный",
    "ceo", "cfo", "coo", "founder", "co-founder", "executive", "strategist", "manager", "partner", "owner",
}  # fmt: skip
_LEADING_NOISE = {
    "the", "a", "an", "earlier", "meanwhile", "later", "but", "and", "however", "also", "then", "so",
    "yet", "still", "on", "in", "at", "last", "this", "that", "while", "when", "as", "after", "before",
}  # fmt: skip
_TRAILING_WHEN = re.compile(r"\s+(?:on|last|this)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
                            r"|week|month|[A-Z][a-z]+\s+\d{1,2})$")
_APPOSITION = re.compile(r",\s*\d{1,3}\s*(?=,|$)|,\s*(?:who|which)\b.*$")
_OPENING_ADVERBS = ("but", "and", "however", "also", "yet", "while", "meanwhile", "later", "earlier", "then", "still")
_ADVERBS = {"also", "then", "further", "again", "later", "previously", "earlier", "repeatedly", "once", "recently", "has", "had"}
_FUNCTION = {"of", "to", "for", "on", "with", "the", "and", "in", "at", "de", "von", "van", "al", "bin"}
_NOT_NAMES = {
    "russian", "american", "european", "us", "u.s.", "eu", "un", "nato", "tass", "itar-tass", "reuters",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
}  # fmt: skip

# -- quote marks ----------------------------------------------------------------------------------

_MARKS = re.compile(r"[\"“”«»„‘’]")
_PAIRS = {"“": "”", "«": "»", "„": "“", "‘": "’", '"': '"'}
_DASH_SPEECH = re.compile(r"^[—–]\s+")
_RU_DASH_ATTRIBUTION = re.compile(r"[,.!?…]\s+[—–]\s+")
_MASK = "\x01"  # stands for each character inside a quote where reported speech is looked for
_SENTENCE_END = re.compile(r"""(?<=[.!?…])["”’»)\]]*\s+(?=["“‘«(\[—–]?[A-ZА-ЯЁ0-9\x01])""")
_INITIAL_BEFORE = re.compile(r"(?:^|[\s.])[A-Z]\.[\"”’»)]*$")  # "George W. Bush"
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Gen.", "Lt.", "Col.", "Sen.", "Rep.", "Gov.", "Prof.", "No.")


@dataclass(slots=True)
class _Span:
    """A quoted stretch: inner offsets into the body, its paragraph and its marks' outer offsets."""

    start: int
    end: int
    paragraph: int
    outer_start: int
    outer_end: int
    closed: bool


def _marked_spans(paragraphs: Sequence[str], offsets: Sequence[int]) -> list[_Span]:
    """Quoted stretches of each paragraph, in one pass over its marks. An opening mark that is not
    closed by the paragraph's end continues into the next paragraph if that one opens with a
    mark (the wire's way of quoting several paragraphs), else runs to the paragraph's end."""
    spans: list[_Span] = []
    carried: _Span | None = None
    for number, text in enumerate(paragraphs):
        base = offsets[number]
        opener: str | None = None
        opened_at = 0
        first_mark = True
        for found in _MARKS.finditer(text):
            mark, at = found.group(), found.start()
            if len(spans) > MAX_QUOTES * 4:
                break
            if opener is None:
                if mark == "’" or mark == "»" or mark == "”":
                    continue  # an apostrophe, or a closer with nothing open
                if mark == "‘" and at and text[at - 1].isalnum():
                    continue
                if mark == '"' and at and text[at - 1].isalnum():
                    continue  # a closing straight quote with nothing open (or inches)
                if carried is not None and first_mark and at <= 1:
                    opener, opened_at = mark, at  # the continuation of the previous paragraph's quote
                else:
                    if carried is not None:
                        spans.append(carried)
                        carried = None
                    opener, opened_at = mark, at
                first_mark = False
                continue
            closer = _PAIRS.get(opener)
            if mark != closer:
                continue  # a nested quote of another kind: part of this one
            if mark == "’" and at + 1 < len(text) and text[at + 1].isalpha():
                continue  # an apostrophe inside the quote (Russia’s)
            if mark == '"' and at + 1 < len(text) and text[at + 1].isalnum() and not text[at - 1 : at].isspace():
                continue
            if carried is not None:
                carried.end = base + at
                carried.outer_end = base + at + 1
                carried.closed = True
                spans.append(carried)
                carried = None
            else:
                spans.append(_Span(base + opened_at + 1, base + at, number, base + opened_at, base + at + 1, True))
            opener = None
            first_mark = False
        if carried is not None:  # this paragraph did not open again: the carried quote ended before it
            spans.append(carried)
            carried = None
        if opener is not None:
            if opener == "‘":
                continue  # an unclosed single mark is an apostrophe more often than a quote
            carried = _Span(base + opened_at + 1, base + len(text), number, base + opened_at, base + len(text), False)
            nxt = paragraphs[number + 1] if number + 1 < len(paragraphs) else ""
            if not nxt[:1] or nxt[:1] not in _PAIRS:
                spans.append(carried)
                carried = None
    if carried is not None:
        spans.append(carried)
    return spans


# -- sentences and names ---------------------------------------------------------------------------


def _sentences(text: str, base: int) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, as body offsets."""
    spans = []
    start = 0
    for found in _SENTENCE_END.finditer(text):
        before = text[max(0, found.start() - 5) : found.start()]
        stem = before.rstrip("\"”’»)")  # the initial's pattern only when an upper-case letter and "." end it
        initial = len(stem) > 1 and stem[-1] == "." and "A" <= stem[-2] <= "Z" and _INITIAL_BEFORE.search(before)
        if before.endswith(_ABBREVIATIONS) or initial:
            continue  # "Mr. Smith", "George W. Bush"
        spans.append((base + start, base + found.start()))
        start = found.end()
    if start < len(text):
        spans.append((base + start, base + len(text)))
    return spans


def _is_capitalized(word: str) -> bool:
    return bool(word) and (word[0].isupper() or (len(word) > 1 and word[0] in "'’" and word[1].isupper()))


@dataclass(slots=True)
class _Person:
    name: str  # as first written in full
    surname: str
    title: str | None
    org: str | None
    at: int  # where last mentioned or quoted


@dataclass(slots=True)
class _Who:
    speaker: str | None
    title: str | None = None
    org: str | None = None
    is_org: bool = False


def _phrase_words(phrase: str) -> list[str]:
    """The words of a phrase, commas kept inside it (a title as written: "Representative to NATO,
    Presidential Envoy ...")."""
    words = [w for w in phrase.split() if w.strip(",")]
    if words:
        words[0], words[-1] = words[0].lstrip(","), words[-1].rstrip(",")
    return words


def _split_name(words: list[str]) -> tuple[list[str], list[str]]:
    """The trailing person name (one to three capitalized words) and the title before it."""
    name: list[str] = []
    for word in reversed(words):
        clean = word.strip(",")
        if clean.endswith(("’s", "'s")):
            break  # "ONHYM's Amina Benkhadra": the organisation, not the name
        if (
            _is_capitalized(clean)
            and clean.lower() not in _TITLE_WORDS
            and clean.lower() not in _NOT_NAMES
            and not clean.lower().rstrip("s") in _ORG_HEADS
            and len(name) < 4
        ) or (name and len(clean) == 2 and clean[1] == "." and "A" <= clean[0] <= "Z"):
            name.insert(0, clean)
        else:
            break
    # "with the Alliance Dmitry Rogozin": a word after "the" or a preposition belongs to the title
    while len(name) > 2 and len(words) > len(name) and words[len(words) - len(name) - 1].lower() in _FUNCTION:
        name = name[1:]
    title = words[: len(words) - len(name)]
    return name, title


def _clean_title(words: list[str]) -> str | None:
    while words and (words[0].lower() in _LEADING_NOISE or words[0].lower() in _FUNCTION):
        words = words[1:]
    while words and words[-1].lower().strip(",") in _FUNCTION:
        words = words[:-1]
    text = " ".join(words).strip(" ,")
    return text or None


_TITLE_ORG = re.compile(r"\b(?:to|of|at)\s+((?:the\s+)?[A-Z][\w’'-]*(?:\s+(?:of\s+|for\s+|and\s+|the\s+)?[A-Z][\w’'-]*)*)")
_WHO_HEADS = re.compile(r",\s+who\s+(?:heads|leads|chairs|runs|directs)\s+(?:the\s+)?(?P<org>[A-Z][^,;]*[^,;.\s])")
_APPOSED_TITLE = re.compile(r",\s+(?:the\s+)?(?P<title>[^,.;]{2,80}?)\s*(?=,|\.|$)")
_LEADING_THE = re.compile(r"^(?:the\s+)", re.IGNORECASE)
_LEADING_ARTICLE = re.compile(r"^(?:the|a)\s+", re.IGNORECASE)
_LEADING_DASH = re.compile(r"^(?:[—–]\s*)")
_STOP_SPACE = re.compile(r"[.!?;]\s")
_END_SPACE = re.compile(r"[.!?]\s")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+")
_NOT_IN_LEADING_WHO = re.compile(r"[;:!?]|\.\s")
_DATED_OPENING = re.compile(r"^((?:On|Last|Earlier)\s+[^,]{3,30}),\s+")  # "On December 23, X said"


def _title_org(title: str | None) -> str | None:
    """The organisation a title names: "Permanent Representative to NATO" -> "NATO"."""
    if not title:
        return None
    found = _TITLE_ORG.search(title)
    return found.group(1) if found else None


class _Context:
    """What the article has said so far about who is who: persons with their titles, organisations
    and the last one of each spoken of (antecedents for "he", "the minister", "it")."""

    def __init__(self) -> None:
        self.persons: dict[str, _Person] = {}  # by surname, lower case
        self.last_person: _Person | None = None
        self.orgs: list[tuple[str, int]] = []
        self.last_org: str | None = None
        self.list_speaker: _Who | None = None  # "Below are Putin’s key statements": whose the quotes below are

    def person(self, name_words: list[str], title: str | None, org: str | None, at: int, *, salient: bool = True) -> _Person:
        surname = name_words[-1].lower()
        known = self.persons.get(surname)
        if known is None:
            known = _Person(" ".join(name_words), name_words[-1], title, org or _title_org(title), at)
            self.persons[surname] = known
        else:
            if len(name_words) > len(known.name.split()):
                known.name = " ".join(name_words)
            if title and not known.title:
                known.title = title
            if (org or _title_org(title)) and not known.org:
                known.org = org or _title_org(title)
            known.at = at if salient else known.at
        if salient:
            self.last_person = known
        return known

    def describe(self, who: _Who, rest: str) -> _Who:
        """A title or organisation given after the name: "said Natalia Eismont, spokeswoman of
        the Belarusian leader", "said Arbatov, who heads the International Security Center"."""
        if who.speaker is None or who.is_org or not rest.startswith(","):
            return who
        known = self.persons.get(who.speaker.split()[-1].lower())
        if known is None:
            return who
        heads = _WHO_HEADS.match(rest)
        if heads and not known.org:
            known.org = heads.group("org")
        title = _APPOSED_TITLE.match(rest)
        if title and not known.title and any(w.lower() in _TITLE_WORDS for w in title.group("title").split()):
            known.title = title.group("title")
            known.org = known.org or _title_org(known.title)
        return _Who(known.name, known.title, known.org)

    def org(self, name: str, at: int) -> str:
        self.orgs.append((name, at))
        self.last_org = name
        return name

    def misspelt(self, surname: str) -> _Person | None:
        """A known person whose surname differs from ``surname`` by one letter (wire typos:
        "Koronolli" for "Koronelli"), when exactly one does."""
        if len(surname) < 6:
            return None
        close = [p for key, p in self.persons.items() if len(key) == len(surname)
                 and sum(a != b for a, b in zip(key, surname.lower())) == 1]  # fmt: skip
        return close[0] if len(close) == 1 else None

    def role(self, words: list[str]) -> _Person | None:
        """The person a role phrase ("the deputy minister", "the Russian leader") refers to: the
        latest one whose title has the role's words (or what the role stands for)."""
        role_words = [w.lower() for w in words if w.lower() not in ("the", "russian", "us", "u.s.", "american")]
        if not role_words:
            return None
        phrase = " ".join(role_words)
        wanted = _ROLE_TITLES.get(phrase) or _ROLE_TITLES.get(role_words[-1])
        candidates = sorted(self.persons.values(), key=lambda p: p.at, reverse=True)
        for person in candidates:
            title = (person.title or "").lower()
            if not title:
                continue
            if all(w in title for w in role_words) or (wanted and any(w in title for w in wanted)):
                return person
        return None


def _who(phrase: str, context: _Context, at: int, *, resolve: bool = True) -> _Who | None:
    """The speaker a noun phrase names; None when the phrase is not one (too long, a clause)."""
    # each pattern needs a literal that most phrases lack: tested for first, much faster
    if "," in phrase:
        phrase = _APPOSITION.sub("", phrase)  # "Vinay Mahoti, 30, who hails from ...": the name
    if "on" in phrase or "last" in phrase or "this" in phrase:
        phrase = _TRAILING_WHEN.sub("", phrase)  # "the office on Wednesday"
    words = _phrase_words(phrase)
    if not words or len(words) > 24:
        return None
    while words and words[0].strip(",").lower() in _OPENING_ADVERBS:
        words = words[1:]
    while len(words) > 1 and words[-1].lower() in _ADVERBS:
        words = words[:-1]
    if not words or any(_MASK in w or w[:1] in "\"“”«»" for w in words):
        return None  # a quote's text, not a speaker
    if len(words) > 3 and words[0].lower() in ("a", "the") and words[1].lower() in ("statement", "joint") or \
            (words[0].lower() == "statement" and len(words) > 2):  # fmt: skip
        by = next((i for i, w in enumerate(words) if w.lower() == "by"), None)
        if by is not None:
            words = words[by + 1 :]
    if "and" in words[1:-1]:
        first = words[: words.index("and")]
        if first and first[-1].lower().rstrip("s") in _ORG_HEADS:  # "the European Commission and EU ... Kallas"
            words = first
    if "," in phrase and len(words) > 3:
        clause, _, tail = " ".join(words).rpartition(", ")
        if any(w[:1].islower() and w.lower() not in _FUNCTION for w in clause.split()):
            words = tail.split()  # "Commenting on ..., the ambassador"
    if not words or (words[0].endswith("ing") and _is_capitalized(words[0])):
        return None  # "Speaking in an interview ...": a clause, not a speaker
    if len(words) > 1 and words[0].endswith(("’s", "'s")) and not _is_capitalized(words[-1]):
        words = ["the", *words[1:]]  # "Russia’s top diplomat": a role
    lowered = [w.lower() for w in words]
    if len(words) == 1 and lowered[0] in _PRONOUNS:
        kind = _PRONOUNS[lowered[0]]
        if kind == "person" and context.last_person is not None:
            p = context.last_person
            return _Who(p.name, p.title, p.org)
        if kind == "org" and context.last_org is not None:
            return _Who(context.last_org, is_org=True)
        return _Who(None)
    if lowered[0] in ("him", "her"):
        return _who(lowered[0].replace("him", "he").replace("her", "she"), context, at)
    head = lowered[-1].strip(".,")
    if lowered[0] == "the" and (not _is_capitalized(words[-1]) or lowered[-1] in _TITLE_WORDS):
        # a role: "the deputy minister", "the expert", "the ministry", "the statement"
        if head in _ORG_HEADS or head.rstrip("s") in _ORG_HEADS:
            if head in ("statement",) or head.endswith("s"):
                return _Who(context.last_org, is_org=True) if context.last_org else _Who(None)
            for name, _ in reversed(context.orgs):
                if head in name.lower():
                    return _Who(name, is_org=True)
            return _Who(context.last_org, is_org=True) if context.last_org else _Who(None)  # "the agency"
        if head.endswith("s") and head not in ("head", "boss"):
            return _Who(context.last_org, is_org=True) if context.last_org else _Who(None)  # "the diplomats"
        person = context.role(words[1:])
        if person is not None:
            person.at = at
            context.last_person = person
            return _Who(person.name, person.title, person.org)
        return _Who(None)
    named_org = lowered[0] == "the" and len(words) > 1 and _is_capitalized(words[1]) and \
        any(w.strip(",").lower() in _ORG_HEADS for w in words)  # "the Organization for ... and Development"  # fmt: skip
    if named_org or (any(w.strip(",").lower().rstrip("s") in _ORG_HEADS for w in words[-3:])
                     and not _is_person_tail(words)):  # fmt: skip
        name = " ".join(w for w in words if w.lower() not in ("the",)).strip(" ,")
        name = _LEADING_THE.sub("", name)
        return _Who(context.org(_org_name(name), at), is_org=True)
    if not any(_is_capitalized(w) for w in words):
        return None  # a lower-case phrase: not a speaker named here
    name, title_words = _split_name(words)
    if not name:
        return None
    if any(not (_is_capitalized(w) or w.lower() in _FUNCTION or w.lower() in _TITLE_WORDS or w[0] in "(/")
           for w in title_words[-3:]) and not _title_ends_in_role(title_words):  # fmt: skip
        # "Russia is ready, Kiev announced": a clause, not a title; keep only the name
        title_words = []
    title = _clean_title(title_words)
    if len(name) == 1 and not title:
        known = context.persons.get(name[0].lower()) or context.misspelt(name[0])
        if known is not None:
            known.at = at
            context.last_person = known
            return _Who(known.name, known.title, known.org)
        if name[0].lower() in _NOT_NAMES or not _looks_like_surname(name[0]):
            return _Who(context.org(name[0], at), is_org=True)
    person = context.person(name, title, None, at)
    return _Who(person.name, person.title, person.org)


_SPEAKER_WORDS = _FUNCTION | _TITLE_WORDS | _ADVERBS | _LEADING_NOISE | set(_PRONOUNS) | set(_ROLE_TITLES) | {
    "expert", "ministry", "minister", "agency", "statement", "office", "spokesperson", "police", "officials",
    "sources", "source", "analysts", "diplomats", "company", "government", "head", "state", "top", "deputy",
    "foreign", "prime", "press", "service", "russian", "military", "strategy", "told", "who",
}  # fmt: skip


def _plausible_speaker(phrase: str) -> bool:
    """A cheap first look: a speaker phrase (after its last comma) has at most three lower-case
    words beyond function words, titles and roles; a clause has more."""
    tail = phrase.rpartition(", ")[2]
    plain = 0
    for word in tail.split():
        if word[:1].islower() and word.strip(",.").lower() not in _SPEAKER_WORDS:
            plain += 1
            if plain > 3:
                return False
    return True


def _is_person_tail(words: list[str]) -> bool:
    return len(words) >= 2 and _is_capitalized(words[-1]) and _is_capitalized(words[-2]) and \
        words[-1].lower() not in _ORG_HEADS and words[-2].lower().rstrip("s") not in _ORG_HEADS  # fmt: skip


def _title_ends_in_role(words: list[str]) -> bool:
    return bool(words) and words[-1].lower().strip(",") in _TITLE_WORDS


def _looks_like_surname(word: str) -> bool:
    """A lone capitalized word not seen as a person before: a surname unless it names a place or
    government the wire lets speak ("Kiev", "Moscow", "Washington")."""
    return word not in ("Kiev", "Kyiv", "Moscow", "Washington", "Beijing", "London", "Paris", "Berlin", "Brussels",
                        "Tokyo", "Ankara", "Warsaw", "Tehran", "Minsk", "Baku", "Yerevan", "Tbilisi")  # fmt: skip


_MEDIA = re.compile(r"(?<=[\w.])\s+(?:newspaper|daily|magazine|broadcaster|channel|website|portal)$")


def _org_name(name: str) -> str:
    name = _MEDIA.sub("", name.strip(" ,"))  # "Postimees newspaper": Postimees
    for prefix in ("a joint statement by ", "a statement by ", "statement by "):
        if name.lower().startswith(prefix):
            name = name[len(prefix) :]
    return _LEADING_ARTICLE.sub("", name)


# -- attributions ------------------------------------------------------------------------------------

_WHO_WORDS = r"[^\s,.;:!?\"“”«»]+"
_AFTER_CUE_WHO = re.compile(
    rf"^[\s,.!?…]*(?:[—–]\s*)?(?P<cue>{_CUE})\s+(?P<who>(?:{_WHO_WORDS}\s+){{0,14}}?{_WHO_WORDS})"
    r"(?P<rest>(?:,|\.|$|\s+(?:on|in|at|during|when|after|before|who|to)\b)[^\"“”«»]{0,200})",
)
_COMMA = re.compile(r",\s+(?:[—–]\s*)?")
_CLAUSE_BREAK = re.compile(r"[.!?]\s+|,\s+|\b(?:and|but)\s+")


def _attribution_before(before: str) -> tuple[str, str, str] | None:
    """(who, cue, rest) of an attribution that leads into a quote: "Kurenkov stated: ",
    "He noted that ", "Lavrov stressed the need to "."""
    found = None
    for found in _BEFORE_CUE.finditer(before, max(0, len(before) - 160)):
        pass
    if found is None:
        return None
    rest = before[found.end() :]
    if len(rest.split()) > 12 or any(mark in rest for mark in "\"“”«»") or _STOP_SPACE.search(rest):
        return None
    head = before[: found.start()]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(head)]
    sentence_breaks = [m.end() for m in _SENTENCE_BREAK.finditer(head)]
    start = sentence_breaks[-1] if sentence_breaks else 0
    for at in [start, *(b for b in breaks if b > start)]:
        if len(head[at:].split()) <= 15:
            start = at
            break
    else:
        return None
    who = head[start:].strip()
    return (who, found.group("cue"), rest) if who else None
_WEEKDAY_NAMES = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_ADVERBIAL = (
    rf"(?:\s+(?:on\s+(?:{dateline._EN_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|{_WEEKDAY_NAMES})"
    r"|(?:a|one|two|three|four|five|six|\d+)\s+(?:days?|weeks?|months?)\s+(?:ago|before|earlier)"
    r"|yesterday|today|last\s+(?:week|month)|earlier\s+(?:this|last)\s+(?:week|month)"
    r"|in\s+(?:a|an|his|her|its)\s+(?:statement|interview|address|speech)"
    r"|at\s+a\s+(?:press\s+conference|briefing|meeting)|,?\s*citing\s+[^,]{1,60},))*"
)
_LEADING_TAIL = re.compile(
    r"(?P<obj>(?<=told)\s+(?:reporters|journalists|the\s+media|the\s+press|[A-Z][\w-]*(?:-Tass)?|TASS|him|her|them|us))?"
    rf"(?P<adv>{_ADVERBIAL})(?:,\s*|\s+)(?:that,?\s+)?(?P<clause>\S.*)$"
)


def _leading_attribution(sentence: str, cue: re.Match[str]) -> tuple[str, str, re.Match[str]] | None:
    """(who, cue, tail) of "X said (that) <clause>" with X opening the sentence (``cue``: its
    first speech verb)."""
    if sentence.count(" ", 0, cue.start()) > 25:
        return None
    who = sentence[: cue.start()].strip()
    if not who or not _plausible_speaker(who) or _NOT_IN_LEADING_WHO.search(who):
        return None
    tail = _LEADING_TAIL.match(sentence, cue.end())
    return (who, cue.group("cue"), tail) if tail else None
# A sentence that announces a list of someone's statements (TASS "IN BRIEF", "Key quotes from ...")
_STATEMENT_LIST = re.compile(
    r"\b(?P<name>[A-Z][a-z-]{1,30})[’']s\s+(?:key|main|principal|most\s+important)\s+(?:statements|remarks|quotes|comments|theses)"
    r"|\b(?:key|main)\s+(?:quotes|statements|remarks)\s+(?:from|by)\s+(?P<by>[A-Z][\w-]{1,30}(?:\s+[A-Z][\w-]{1,30})?)"
)
_ACCORDING = re.compile(
    r"\b(?P<cue>[Aa]ccording\s+to|[Пп]о\s+словам)\s+(?P<who>[^,.;:\"“”«»]{1,160}?)(?:\s*,\s*|\s*\.?\s*$)"
)




def _mentions_according(text: str) -> bool:
    """Whether ``_ACCORDING`` can match: its literal words, found much faster than by the pattern."""
    return "ccording" in text or "словам" in text


_LEAD_IN = re.compile(r"[\s,.!?…]*(?:[—–]\s*)?")
_NOT_IN_WHO = re.compile(r"[,.;:!?\"“”«»]")
_REST = re.compile(r"[^.!?\"“”«»]{0,200}")


def _attribution_after(text: str) -> tuple[str, str, str, bool] | None:
    """(who, cue, rest, inverted) of an attribution that follows a quote or closes a sentence:
    ", he said on Tuesday", ", Putin noted, talking ...", ", said Arbatov, who heads ...". The
    first cue within reach is found with one search (a lazy pattern over the speaker's words was
    several times slower)."""
    lead = _LEAD_IN.match(text).end()
    if _END_SPACE.search(text, 0, lead):
        return None
    cue = _CUE_RE.search(text, lead, lead + 220)
    if cue is not None and cue.start() > lead:
        who = text[lead : cue.start()].strip()
        if who and len(who.split()) <= 15 and not _NOT_IN_WHO.search(who):
            return who, cue.group("cue"), _REST.match(text, cue.end()).group(), False
    found = _AFTER_CUE_WHO.match(text)
    if found is not None:
        return found.group("who"), found.group("cue"), found.group("rest"), True
    return None


# -- when --------------------------------------------------------------------------------------------

_ON_DATE = re.compile(
    rf"\b(?:on|от)\s+(?P<date>{dateline._EN_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{dateline._EN_MONTH}|{dateline._RU_MONTH})(?:\s+\d{{4}})?)\b",
    re.IGNORECASE,
)
_ON_WEEKDAY = re.compile(r"\bon\s+(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_AGO = re.compile(
    r"\b(?P<n>a|one|two|three|four|five|six|seven|\d+)\s+(?P<unit>days?|weeks?|months?)\s+(?P<dir>ago|before|earlier)\b",
    re.IGNORECASE,
)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_RELATIVE_DAYS = {word: (delta, re.compile(rf"\b{word}\b", re.IGNORECASE)) for word, delta in (("yesterday", -1), ("today", 0))}


def said_when(text: str, anchor: dt.date | None, published: dt.datetime | None) -> tuple[dt.date | None, str | None, str | None]:
    """(date, evidence, basis) of a statement from its attribution's words, relative to the
    item's date (``anchor``, its dateline's else its publication's)."""
    found = _ON_DATE.search(text)
    if found:
        date, basis = dateline.resolve_date(
            found.group("date"), published=published or (dt.datetime.combine(anchor, dt.time()) if anchor else None)
        )
        if date is not None and basis == "published" and published is None:
            basis = "dateline"
        return date, found.group(), basis
    found = _ON_WEEKDAY.search(text)
    if found and anchor is not None:
        weekday = dateline.WEEKDAYS[found.group("day").lower()]
        return anchor - dt.timedelta(days=(anchor.weekday() - weekday) % 7), found.group(), "weekday"
    found = _AGO.search(text)
    if found and anchor is not None:
        count = found.group("n").lower()
        n = int(count) if count.isdigit() else _NUMBERS.get(count, 1)
        unit = found.group("unit").lower().rstrip("s")
        days = {"day": 1, "week": 7, "month": 30}[unit] * n
        return anchor - dt.timedelta(days=days), found.group(), "relative"
    for word, (delta, pattern) in _RELATIVE_DAYS.items():
        if anchor is not None and pattern.search(text):
            return anchor + dt.timedelta(days=delta), word, "relative"
    return None, None, None


# -- the extractor -----------------------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def extract_quotes(item: WireItem, *, published: dt.datetime | None = None) -> list[Quote]:
    """The direct and reported speech of a wire item, in text order, with speakers resolved
    within the item; offsets into ``item.body``."""
    paragraphs = item.paragraphs
    offsets: list[int] = []
    at = 0
    for text in paragraphs:
        offsets.append(at)
        at += len(text) + 2
    body = item.body
    anchor = item.dateline.date if item.dateline and item.dateline.date else (published.date() if published else None)
    context = _Context()
    spans = _marked_spans(paragraphs, offsets)
    quotes: list[Quote] = []
    by_paragraph: dict[int, list[_Span]] = {}
    for span in spans:
        by_paragraph.setdefault(span.paragraph, []).append(span)
    previous_speaker: _Who | None = None
    for number, text in enumerate(paragraphs):
        if len(quotes) >= MAX_QUOTES:
            break
        base = offsets[number]
        marked = [s for s in by_paragraph.get(number, ()) if s.end > s.start]
        dash = _dash_speech(text, base, number, context, anchor, published) if not marked else None
        if dash is not None:
            quotes.append(dash)
            continue
        events: list[tuple[int, str, object]] = []  # position, kind, payload: names seen and quotes, in order
        for span in marked:
            events.append((span.outer_start, "quote", span))
        masked = _masked(text, base, marked)
        for sentence_start, sentence_end in _sentences(masked, base):
            events.append((sentence_start, "sentence", (sentence_start, sentence_end)))
        events.sort(key=lambda e: (e[0], e[1] != "sentence"))
        paragraph_speaker: _Who | None = None
        for position, kind, payload in events:
            if len(quotes) >= MAX_QUOTES:
                break
            if kind == "sentence":
                s_start, s_end = payload  # type: ignore[misc]
                found = _reported(body, masked, base, s_start, s_end, context, anchor, published, number)
                if found is not None:
                    quotes.append(found[0])
                    paragraph_speaker = found[1]
                continue
            span: _Span = payload  # type: ignore[assignment]
            quote = _direct(body, span, context, anchor, published, paragraph_speaker, previous_speaker)
            if quote is None:
                continue
            quotes.append(quote[0])
            if quote[1] is not None and quote[1].speaker is not None:
                paragraph_speaker = quote[1]
        if paragraph_speaker is not None:
            previous_speaker = paragraph_speaker
        elif not marked:
            previous_speaker = None
    quotes.sort(key=lambda q: q.start)
    return _speakers_from_next(quotes, body)


def _speakers_from_next(quotes: list[Quote], body: str) -> list[Quote]:
    """“A.” “B,” he said: a direct quote without a speaker that runs straight into the next one
    (only marks, punctuation and spaces between) shares its speaker."""
    for n in range(len(quotes) - 2, -1, -1):
        q, nxt = quotes[n], quotes[n + 1]
        if q.kind == nxt.kind == "direct" and q.speaker is None and nxt.speaker is not None \
                and q.paragraph == nxt.paragraph and not body[q.end : nxt.start].strip(" ,.!?\"“”«»‘’"):  # fmt: skip
            quotes[n] = dataclasses.replace(q, speaker=nxt.speaker, speaker_title=nxt.speaker_title,
                                            speaker_org=nxt.speaker_org, speaker_is_org=nxt.speaker_is_org)  # fmt: skip
    return quotes


def _masked(text: str, base: int, marked: Sequence[_Span]) -> str:
    """The paragraph with its quotes' inner text replaced by spaces (same length): reported speech
    and names are looked for outside quotes only."""
    if not marked:
        return text
    parts = []
    at = 0
    for span in marked:
        start, end = max(span.start - base, at), min(span.end - base, len(text))
        if start < at:
            continue
        parts.append(text[at:start])
        parts.append(_MASK * (end - start))
        at = max(end, start)
    parts.append(text[at:])
    return "".join(parts)


def _direct(
    body: str,
    span: _Span,
    context: _Context,
    anchor: dt.date | None,
    published: dt.datetime | None,
    paragraph_speaker: _Who | None,
    previous_speaker: _Who | None,
) -> tuple[Quote, _Who | None] | None:
    inner = body[span.start : span.end]
    text = inner.strip().rstrip(",").rstrip()
    if not text:
        return None
    start = span.start + (len(inner) - len(inner.lstrip()))
    end = start + len(text)
    after = body[span.outer_end : span.outer_end + _WINDOW].split("\n\n", 1)[0]
    paragraph_break = body.rfind("\n\n", 0, span.outer_start)
    paragraph_start = paragraph_break + 2 if paragraph_break >= 0 else 0
    before = body[max(paragraph_start, span.outer_start - _WINDOW) : span.outer_start]
    who: _Who | None = None
    cue: str | None = None
    rest = ""
    # wire style puts a comma (or ! ? …) before an attribution that follows the quote: “A,” he said
    closes = inner.rstrip()[-1:] in (",", "!", "?", "…") or after.lstrip(" ")[:1] in (",", "—", "–")
    found_after = _attribution_after(after) if closes else None
    if found_after is not None:
        phrase, cue, rest, _ = found_after
        who = _who(_trim_who(phrase), context, span.outer_end)
        if who is None:
            cue = None
        else:
            who = context.describe(who, rest)
    if who is None:
        found = _attribution_before(before)
        if found is not None:
            w = _who(_trim_who(found[0]), context, span.outer_start)
            if w is not None:
                who, cue, rest = w, found[1], found[2]
        else:
            according = None
            for according in _ACCORDING.finditer(before) if _mentions_according(before) else ():
                pass
            if according is not None and according.end() >= len(before) - 60:
                w = _who(according.group("who"), context, span.outer_start)
                if w is not None:
                    who, cue = w, according.group("cue")
    if who is None and _words(text) < MIN_QUOTE_WORDS:
        return None  # a quoted term or name, not speech
    if who is None:
        breaks = [m.end() for m in _SENTENCE_END.finditer(before)]
        opening = before[breaks[-1] if breaks else 0 :].split(None, 1)
        if opening and opening[0] in ("He", "She"):  # "He does not think that the U.S. “may be …”"
            who = _who(opening[0].lower(), context, span.outer_start)
    if who is None:
        opens_paragraph = span.outer_start == paragraph_start
        who = paragraph_speaker or (previous_speaker if opens_paragraph else None) or context.list_speaker
    if who is not None and who.speaker is not None and not who.is_org:
        known = context.persons.get(who.speaker.split()[-1].lower())
        if known is not None:
            context.last_person = known
    said_at, evidence, basis = said_when(rest, anchor, published) if rest else (None, None, None)
    quote = Quote(
        "direct", text, span.paragraph, start, end, cue.lower() if cue else None,
        who.speaker if who else None, who.title if who else None, who.org if who else None,
        said_at, evidence, basis, bool(who and who.is_org and who.speaker),
    )  # fmt: skip
    return quote, who


def _trim_who(phrase: str) -> str:
    phrase = phrase.strip(" ,")
    return _LEADING_DASH.sub("", phrase) if phrase[:1] in ("—", "–") else phrase


def _reported(
    body: str,
    masked: str,
    base: int,
    s_start: int,
    s_end: int,
    context: _Context,
    anchor: dt.date | None,
    published: dt.datetime | None,
    paragraph: int,
) -> tuple[Quote, _Who | None] | None:
    """Reported speech in a sentence (outside quotes), and the names it mentions for later
    pronouns."""
    sentence = masked[s_start - base : s_end - base]
    if len(sentence) > _MAX_SENTENCE:
        return None
    found = _reported_speech(body, sentence, base, s_start, context, anchor, published, paragraph)
    if found is None:
        _note_subject(sentence, context, s_start)
        listed = _STATEMENT_LIST.search(sentence) if ("key " in sentence or "main " in sentence) else None
        if listed is not None:
            context.list_speaker = _who(listed.group("name") or listed.group("by"), context, s_start)
    return found


def _reported_speech(
    body: str,
    sentence: str,
    base: int,
    s_start: int,
    context: _Context,
    anchor: dt.date | None,
    published: dt.datetime | None,
    paragraph: int,
) -> tuple[Quote, _Who | None] | None:
    according = _ACCORDING.search(sentence) if _mentions_according(sentence) else None
    cues = list(_CUE_RE.finditer(sentence))
    if according is None and not cues:
        return None  # most sentences: no speech verb at all
    quoted = sentence.count(_MASK)
    # "According to X, <clause>"
    if according is not None and according.start() < 3:
        who = _who(according.group("who"), context, s_start)
        clause_start = according.end()
        return _indirect(body, sentence, base, s_start, clause_start, len(sentence), "according to",
                         who, paragraph, anchor, published, quoted)  # fmt: skip
    # "<clause>, X said [on Tuesday]." / "<clause>, said X, who ..."
    # only the last cue can close the sentence, and only commas shortly before it open its attribution
    last_cue = cues[-1] if cues else None
    closing = last_cue is not None and sentence.count(" ", last_cue.end()) <= 18
    commas = _COMMA.finditer(sentence, max(0, last_cue.start() - 200), last_cue.start()) if closing else ()
    for found in commas:
        tail = sentence[found.end() :]
        attribution = _attribution_after(" " + tail)
        if attribution is None:
            continue
        phrase, cue, rest, _ = attribution
        if not _plausible_speaker(phrase) or not _is_tail_attribution(sentence[: found.start()], phrase, rest):
            continue
        who = _who(_trim_who(phrase), context, s_start + found.start())
        if who is None:
            continue
        who = context.describe(who, rest)
        result = _indirect(body, sentence, base, s_start, 0, found.start(), cue, who, paragraph, anchor,
                           published, quoted, rest)  # fmt: skip
        if result is not None:
            return result
    if according is not None:  # "<clause>, according to X, ..."
        who = _who(according.group("who"), context, s_start)
        return _indirect(body, sentence, base, s_start, 0, according.start(), "according to", who,
                         paragraph, anchor, published, quoted)  # fmt: skip
    # "X said (that) <clause>" with X opening the sentence
    leading = _leading_attribution(sentence, cues[0]) if cues else None
    if leading is not None and not leading[0].lower().startswith(("if ", "when ", "as ")):
        phrase, cue_word, found = leading
        dated = _DATED_OPENING.match(phrase)  # "On December 23, X said"
        if dated:
            phrase = phrase[dated.end() :]
        who = _who(phrase, context, s_start)
        if who is not None:
            cue = cue_word + (found.group("obj") or "")
            rest = (found.group("obj") or "") + found.group("adv") + (" " + dated.group(1) if dated else "")
            return _indirect(body, sentence, base, s_start, found.start("clause"), len(sentence), cue, who,
                             paragraph, anchor, published, quoted, rest)  # fmt: skip
    return None


def _is_tail_attribution(clause: str, phrase: str, rest: str) -> bool:
    """``<clause>, <phrase> <cue> <rest>`` reports speech: the clause has a lower-case word that is
    not a function word (a title such as "Representative to NATO" has none), and the attribution
    closes the sentence, with at most a short adverbial or a relative clause after the cue."""
    if _words(phrase) > 24 or _words(clause) < 3:
        return False
    if not any(w[:1].islower() and w not in _FUNCTION for w in clause.split()):
        return False
    rest = rest.strip()
    if not rest or rest.startswith((",", "who", "which")):
        return True
    return _words(rest) <= 16 and " that " not in f" {rest} "


def _note_subject(sentence: str, context: _Context, at: int) -> None:
    """A sentence that opens with a titled person ("Earlier this month Russian military strategy
    expert Alexei Arbatov has called ...") makes that person the antecedent of a later "he"."""
    words = sentence.split()
    if not words:
        return
    salient = words[0].lower() not in _PRONOUNS
    for i in range(len(words) - 1):
        following = words[i + 1]  # tested first: most words are not followed by a capitalized one
        if not (following[0].isupper() or (following[0] in "'’" and following[1:2].isupper())):
            continue
        word = words[i]
        if word.lower().strip(",") in _TITLE_WORDS:
            name: list[str] = []
            for nxt in words[i + 1 : i + 5]:
                clean = nxt.strip(",.;:")
                if _is_capitalized(clean) and clean.lower() not in _TITLE_WORDS and clean.lower() not in _NOT_NAMES:
                    name.append(clean.removesuffix("’s").removesuffix("'s"))
                    if clean != nxt:
                        break
                else:
                    break
            if len(name) >= 2:
                title_words: list[str] = [word]
                modifiers = 0  # "military strategy expert": lower-case words just before the role
                for before in reversed(words[:i]):
                    if before.endswith(","):
                        break
                    if _is_capitalized(before) or before.lower() in _TITLE_WORDS:
                        modifiers = 3
                    elif (modifiers < 2 and word[:1].islower() and before.isalpha() and before not in _CUE_WORDS
                          and before.lower() not in _LEADING_NOISE and before.lower() not in _FUNCTION):  # fmt: skip
                        modifiers += 1
                    else:
                        break
                    title_words.insert(0, before)
                context.person(name, _clean_title(title_words), None, at, salient=salient and i < 16)
                salient = False


def _indirect(
    body: str,
    sentence: str,
    base: int,
    s_start: int,
    clause_start: int,
    clause_end: int,
    cue: str,
    who: _Who | None,
    paragraph: int,
    anchor: dt.date | None,
    published: dt.datetime | None,
    quoted: int,
    rest: str = "",
) -> tuple[Quote, _Who | None] | None:
    clause = sentence[clause_start:clause_end]
    stripped = clause.strip().rstrip(".,;:").rstrip()
    if not stripped[:1].isalnum() and stripped[:1] not in _PAIRS:
        return None  # a clause cut at the wrong place: ", but ..."
    if _words(stripped) < 3:
        return None
    if stripped.count(_MASK) > len(stripped) / 2 or stripped.startswith((_MASK, '"', "“", "«")):
        return None  # mostly a direct quote: stored as that
    lead = len(clause) - len(clause.lstrip())
    start = s_start + clause_start + lead
    end = start + len(stripped)
    said_at, evidence, basis = said_when(rest, anchor, published) if rest else (None, None, None)
    quote = Quote(
        "indirect", body[start:end], paragraph, start, end, cue.lower(), who.speaker if who else None,
        who.title if who else None, who.org if who else None, said_at, evidence, basis,
        bool(who and who.is_org and who.speaker),
    )  # fmt: skip
    return quote, who if who and who.speaker else None


def _dash_speech(
    text: str, base: int, paragraph: int, context: _Context, anchor: dt.date | None, published: dt.datetime | None
) -> Quote | None:
    """Russian dash-led speech: "— Мы готовы, — сказал Лавров." """
    lead = _DASH_SPEECH.match(text)
    if lead is None:
        return None
    speech_end = len(text)
    who: _Who | None = None
    cue = None
    found = _RU_DASH_ATTRIBUTION.search(text, lead.end())
    if found is not None:
        attribution = _attribution_after(text[found.end() - 1 :])
        if attribution is not None:
            who = _who(_trim_who(attribution[0]), context, base + found.end())
            cue = attribution[1]
            speech_end = found.start() + (1 if text[found.start()] in "!?…" else 0)
    speech = text[lead.end() : speech_end].rstrip(" ,")
    if not speech:
        return None
    start = base + lead.end()
    return Quote("direct", speech, paragraph, start, start + len(speech), cue.lower() if cue else None,
                 who.speaker if who else None, who.title if who else None, who.org if who else None,
                 speaker_is_org=bool(who and who.is_org and who.speaker))  # fmt: skip
