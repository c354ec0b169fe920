"""Realistic wire items from a fixed seed, with a controlled mix of duplicates and topic mentions.

Item ``i`` of the stream is a pure function of ``(seed, i)``: any slice of the stream can be
generated on its own (the 1M archive is items ``[0, 1M)``, the import that follows it items
``[1M, 1.1M)``), and a derived item (duplicate, reprint, revision, syndicated copy) regenerates
the unique story it derives from, which lies at most ``REFERENCE_WINDOW`` items earlier.

Kinds, as the store should see them:
- ``unique``: a new story;
- ``duplicate``: the exact text of an earlier article, under another guid and URL (dropped);
- ``reprint``: an outlet reprinting an earlier article with 1 to 10% of its words edited;
- ``revision``: the same guid as an earlier article with a changed body (a correction);
- ``syndicated``: the same story written up by another agency (grouped into one story).
Independently, ``Mix.topic_mention`` of the stories mention a tracked topic (see ``bench_topics``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wirewatch.wire import codec
from wirewatch.config import TopicConfig
from wirewatch.model import Article, WireItem

SEED = 20_110_927
GENERATOR_VERSION = 1  # bump when the output changes, so cached corpora and stores are rebuilt
BASE_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
ITEM_INTERVAL = dt.timedelta(seconds=30)  # ~2,900 items a day: 1M items span about a year
REFERENCE_WINDOW = 400  # a derived item follows its story within ~3 hours
MANIFEST = "manifest.jsonl"


@dataclass(frozen=True, slots=True)
class Mix:
    """Fractions of the stream; ``unique`` is what is left."""

    duplicate: float = 0.06
    reprint: float = 0.08
    revision: float = 0.04
    syndicated: float = 0.10
    topic_mention: float = 0.15  # of stories, whatever their kind
    russian: float = 0.04  # of TASS stories, written in Russian
    # paragraphs after the lead, drawn uniformly: 15-25 makes items sized like the seed (6 KB)
    paragraphs: tuple[int, int] = (15, 25)

    def kind(self, draw: float) -> str:
        edge = 0.0
        for name in ("duplicate", "reprint", "revision", "syndicated"):
            edge += getattr(self, name)
            if draw < edge:
                return name
        return "unique"


@dataclass(frozen=True, slots=True)
class GeneratedItem:
    index: int
    kind: str
    story: int  # index of the unique item this one derives from (itself when unique)
    topic: int | None  # index of the bench topic the story mentions (see bench_topics)
    article: Article
    text: str  # the wire-format document

    @property
    def file_name(self) -> str:
        digest = hashlib.blake2b(self.text.encode(), digest_size=8).hexdigest()
        return f"{self.index:07d}_{digest}.txt"


# ---- vocabulary -------------------------------------------------------------------------------
# Common news words, most frequent first; drawn with Zipf weights so that text has the skew of
# real prose (function words everywhere, content words rarer).
_WORDS = """
the of to and in a that said on for is with was by as it at from he has have be will are an
its not but they were this which had been would their also more who after we about than other
there over new one two government minister president country officials people year week
percent last told statement state military security talks agreement law economic foreign
national defense support plans under against between could should may before during since
including where when while into them all some most such these those our against because
ministry region forces international meeting countries according spokesman spokeswoman
public policy committee council agency report reports reported announced added noted
expected decision issue issues relations cooperation development investment market markets
prices growth trade energy oil gas power project projects system systems program service
services company companies group groups industry industrial budget billion million tax
central bank banks financial interest rates inflation demand supply production exports
imports sanctions parliament election elections vote party leader leaders opposition court
case cases police investigation attack attacks troops border region regional local city
capital province district authorities emergency situation crisis conflict peace war
negotiations proposal proposals response concerns measures steps efforts position positions
sides partners allies western eastern northern southern european asian american russian
chinese korean japanese german french british ukrainian deputy head chief director chairman
source sources data figures results first second third three four five several many
further possible important necessary current previous recent early late next month months
days day time times part parts number level levels area areas rights members member
president's ministry's meeting's earlier later today yesterday tuesday wednesday thursday
friday monday saturday sunday morning evening officials' residents workers experts analysts
observers according however meanwhile therefore still already only again even very well
long high low large small major key main final full strong weak clear open closed held hold
make made take taken give given continue continued remain remained increase increased reduce
reduced raise raised call called plan planned expect warned urged agreed signed rejected
confirmed denied discussed launched began ended visited met says say
""".split()

_RU_WORDS = """
и в на не что с по к из за о для от это как его но он также года заявил министр президент
правительство страны россии сообщил время более после может будет были было при все они
глава заместитель сотрудничество переговоры вопрос вопросы решение соглашение развитие
экономики рынок цены рост торговли энергетики нефти газа проект проекты система безопасности
обороны войска граница регион области города власти ситуация кризис мир стороны партнеры
предложения меры усилия позиция встреча совет комитет агентство данные процентов миллиардов
""".split()

_FIRST_NAMES = """Anatoly Dmitry Alexei Sergei Maria Elena Olga Igor Viktor Natalia John Mary
Robert Linda James Susan Michael Karen David Laura Kim Lee Park Choi Wang Li Zhang Chen Liu Yang
Hans Petra Jean Claire Marco Giulia Ahmed Fatima Carlos Ana""".split()
_SYLLABLES = """ka ro va li mo ne ta shi ar ben dor el fan gri hol ir jus kel lor man nor os pet rin sol tur ul
vek zan""".split()
_SURNAME_ENDINGS = ("ov", "ev", "in", "son", "er", "ski", "ez", "a", "i", "o", "man", "ley")
_ORG_SUFFIXES = ("Energy", "Shipping", "Holdings", "Group", "Airlines", "Motors", "Telecom", "Bank",
                 "Mining", "Pharma", "Logistics", "Capital", "Steel", "Systems", "Foods", "Rail")
_TITLES = ("Deputy Defense Minister", "Foreign Minister", "Economy Minister", "spokesperson",
           "chief executive", "Deputy Prime Minister", "central bank governor", "senior official",
           "analyst", "lawmaker", "governor", "ambassador")
_RU_PEOPLE = ("Антонов", "Рогозин", "Лавров", "Песков", "Захарова", "Шойгу", "Новак", "Силуанов")
_RU_SAY = ("заявил", "сообщил", "отметил")
_SPEAKERS = ("he", "she", "the minister")
_SENTENCES_PER_PARAGRAPH = (1, 2, 2, 2, 3, 3, 4)
_SAY = ("said", "told reporters", "said on Tuesday", "said in a statement", "noted", "stressed")
_PHRASES = """missile defense|grain exports|interest rates|oil prices|ceasefire talks|nuclear plant
|cyber attack|supply chain|trade deal|gas pipeline|data breach|wildfire season|drone strike
|peace talks|chip exports|rare earths|arms control|refugee crisis|debt restructuring|space launch
|election fraud|heat wave|port blockade|currency swap|bond yields|troop withdrawal|prisoner swap
|export ban|power outage|flood damage|vaccine rollout|antitrust probe|satellite imagery|border crossing
|fishing quota|steel tariffs|wage talks|budget deficit|capital controls|air defense""".replace("\n", "").split("|")


def _name_pool(rng: random.Random, count: int, syllables: tuple[int, int]) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(*syllables)))
        names[word.capitalize() + rng.choice(_SURNAME_ENDINGS)] = None
    return list(names)


def _acronyms(rng: random.Random, count: int) -> list[str]:
    letters = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels: never an English word in capitals
    found: dict[str, None] = {}
    while len(found) < count:
        found["".join(rng.choice(letters) for _ in range(rng.randint(3, 4)))] = None
    return list(found)


_pool_rng = random.Random(7)
SURNAMES = _name_pool(_pool_rng, 3000, (2, 3))
# Tracked entities: one per bench topic, each a two-word company name.
ENTITIES = [f"{name} {_pool_rng.choice(_ORG_SUFFIXES)}" for name in _name_pool(_pool_rng, 1200, (2, 2))]
ENTITIES = [e for e in ENTITIES if e.split()[0] not in SURNAMES][:1000]
_ALL_ACRONYMS = _acronyms(_pool_rng, 1040)
ACRONYMS = _ALL_ACRONYMS[:1000]  # one per topic
_COMMON_ACRONYMS = _ALL_ACRONYMS[1000:]  # in ordinary text, tracked by no topic
_CUM_WEIGHTS = list(itertools.accumulate(1.0 / (rank + 8.0) for rank in range(len(_WORDS))))


def _zipf(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    weights = 1.0 / (np.arange(len(words)) + 8.0)
    return np.array(words, dtype=object), weights / weights.sum()


_VOCABULARY, _P = _zipf(_WORDS)
_RU_VOCABULARY, _RU_P = _zipf(_RU_WORDS)
_TOPIC_CUM_WEIGHTS = list(itertools.accumulate(1.0 / (rank + 1.0) for rank in range(len(ENTITIES))))


# ---- agencies and their dateline styles -------------------------------------------------------
_MONTH_AP = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
_MONTH_AFP = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")
_MONTH_FULL = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
_MONTH_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
             "октября", "ноября", "декабря")


@dataclass(frozen=True, slots=True)
class Agency:
    source: str
    places: tuple[str, ...]
    sections: tuple[str, ...]
    subtitle_rate: float

    def dateline(self, place: str, day: dt.date, rng: random.Random) -> str:
        m, d, y = day.month - 1, day.day, day.year
        match self.source:
            case "TASS":
                if "/" in place or rng.random() < 0.85:
                    return f"{place}, {_MONTH_FULL[m]} {d}. /TASS/."
                return f"{place}, {_MONTH_FULL[m]} {d} (Itar-Tass) ——"
            case "Reuters":
                return f"{place} (Reuters) -" if rng.random() < 0.6 else f"{place}, {_MONTH_FULL[m]} {d} (Reuters) -"
            case "AP":
                return f"{place} (AP) —"
            case "Yonhap":
                return f"{place}, {_MONTH_AP[m]} {d} (Yonhap) --"
            case "Xinhua":
                return f"{place}, {_MONTH_AP[m]} {d} (Xinhua) --"
            case "AFP":
                return f"{place}, {_MONTH_AFP[m]} {d}, {y} (AFP) -"
        raise ValueError(f"no dateline style for {self.source}")


AGENCIES = (
    Agency("TASS", ("MOSCOW", "ST. PETERSBURG", "VLADIVOSTOK", "KALININGRAD", "IGORA /Leningrad Region/",
                    "CHEBARKUL, Chelyabinsk region", "MINSK", "NOVOSIBIRSK"),
           ("Politics", "World", "Economy", "Military & Defense", "Society & Culture", "Science & Space",
            "All news"), 0.8),
    Agency("Reuters", ("WASHINGTON", "LONDON", "BRUSSELS", "TOKYO", "NEW YORK", "FRANKFURT", "SINGAPORE"),
           ("World News", "Business", "Markets", "Technology"), 0.2),
    Agency("AP", ("WASHINGTON", "NEW YORK", "ATLANTA", "CHICAGO", "LOS ANGELES", "UNITED NATIONS"),
           ("Politics", "World News", "U.S. News", "Business"), 0.3),
    Agency("Yonhap", ("SEOUL", "BUSAN", "INCHEON", "SEJONG"), ("North Korea", "National", "Economy"), 0.4),
    Agency("Xinhua", ("BEIJING", "SHANGHAI", "SHENZHEN", "HONG KONG"), ("China", "World", "Business"), 0.3),
    Agency("AFP", ("PARIS", "STOCKHOLM", "GENEVA", "BRUSSELS", "NAIROBI", "BEIRUT"),
           ("World", "Europe", "Economy"), 0.2),
)
_AGENCY_CUM_WEIGHTS = list(itertools.accumulate((0.34, 0.2, 0.16, 0.1, 0.1, 0.1)))
# Outlets that reprint agency copy under their own name, keeping the agency's dateline.
REPRINTERS = ("Baltic Courier", "Pacific Ledger", "Danube Post", "Harbour Times")


# ---- text ---------------------------------------------------------------------------------------
class _Writer:
    """Sentences, paragraphs and headlines from one story's seeds: words come from a numpy draw
    (one vectorised Zipf draw per story is 20x faster than drawing word by word), everything
    else from the Python RNG."""

    _BATCH = 1024

    def __init__(self, rng: random.Random, russian: bool) -> None:
        self.rng = rng
        self.russian = russian
        self.vocabulary, self.probabilities = (_RU_VOCABULARY, _RU_P) if russian else (_VOCABULARY, _P)
        self.draw = np.random.default_rng(rng.getrandbits(64))
        self.words: list[str] = []
        self.position = 0

    def take(self, count: int) -> list[str]:
        if self.position + count > len(self.words):
            picks = self.draw.choice(len(self.vocabulary), size=self._BATCH, p=self.probabilities)
            self.words = self.words[self.position :] + self.vocabulary[picks].tolist()
            self.position = 0
        self.position += count
        return self.words[self.position - count : self.position]

    # ``pick`` and ``r() * n`` stand in for random.choice and randint: this loop makes every
    # word of a 1M-article archive, and they are several times cheaper.
    def pick(self, options: Sequence[str]) -> str:
        return options[int(self.rng.random() * len(options))]

    def person(self) -> str:
        if self.russian:
            return self.pick(_RU_PEOPLE)
        return f"{self.pick(_FIRST_NAMES)} {self.pick(SURNAMES)}"

    def clause(self, low: int, high: int) -> list[str]:
        r = self.rng.random
        words = self.take(low + int(r() * (high - low + 1)))
        for _ in range(int(r() * 3)):  # proper nouns and figures, as in real copy
            spot = int(r() * len(words))
            roll = r()
            if roll < 0.5:
                words[spot] = self.pick(SURNAMES)
            elif roll < 0.8:
                words[spot] = str(2 + int(r() * 979))
            else:
                words[spot] = self.pick(_COMMON_ACRONYMS)
        return words

    def sentence(self) -> str:
        text = " ".join(self.clause(8, 30))
        text = text[0].upper() + text[1:]
        roll = self.rng.random()
        if self.russian:
            return f"{text}, {self.pick(_RU_SAY)} {self.person()}." if roll < 0.3 else text + "."
        if roll < 0.2:
            return f"“{text},” {self.pick(_SPEAKERS)} {self.pick(_SAY)}."
        if roll < 0.35:
            return f"{text}, {self.pick(_TITLES)} {self.person()} {self.pick(_SAY)}."
        if roll < 0.4:
            return f"{text} ({self.pick(SURNAMES)})."
        return text + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.pick(_SENTENCES_PER_PARAGRAPH)))

    def headline(self) -> str:
        text = " ".join(self.clause(5, 11))
        return text[0].upper() + text[1:]


def _mention(rng: random.Random, topic: int) -> str:
    """A sentence that satisfies bench topic ``topic``'s query (see ``bench_topics``)."""
    entity, phrase, acronym = ENTITIES[topic], _PHRASES[topic % len(_PHRASES)], ACRONYMS[topic]
    return rng.choice((
        f"{entity} said the {phrase} would weigh on its plans, {acronym} officials added.",
        f"The {phrase} was discussed with {entity} and the {acronym}, sources said.",
        f"According to {acronym}, {entity} has been involved in the {phrase} since March.",
    ))


@dataclass(frozen=True, slots=True)
class _Story:
    agency: Agency
    place: str
    section: str
    headline: str
    subtitle: str | None
    lead: str  # first paragraph without the dateline
    paragraphs: tuple[str, ...]  # the rest
    topic: int | None
    russian: bool


# Items sized like real wire copy: the 29 full-text items in ../shared/corpus (20 tass.com
# articles, 9 agency article pages) have bodies of 0.7-6.0 KB, median 1.6 KB, mean 2.2 KB;
# 3-11 paragraphs after the lead make files of 2.2 KB on average (median 2.1 KB).
WIRE_SIZED = Mix(paragraphs=(3, 11))


def _rng(seed: int, index: int) -> random.Random:
    return random.Random(seed * 1_000_003 + index)


def _story(seed: int, index: int, mix: Mix) -> _Story:
    rng = _rng(seed, index)
    rng.random()  # the kind draw (see _kind)
    agency = AGENCIES[bisect.bisect(_AGENCY_CUM_WEIGHTS, rng.random() * _AGENCY_CUM_WEIGHTS[-1])]
    russian = agency.source == "TASS" and rng.random() < mix.russian
    writer = _Writer(rng, russian)
    paragraphs = [writer.paragraph() for _ in range(rng.randint(*mix.paragraphs))]
    topic = None
    if rng.random() < mix.topic_mention and not russian:
        topic = bisect.bisect(_TOPIC_CUM_WEIGHTS, rng.random() * _TOPIC_CUM_WEIGHTS[-1])
        spot = rng.randrange(min(6, len(paragraphs)))
        paragraphs[spot] = f"{paragraphs[spot]} {_mention(rng, topic)}"
    place = rng.choice(agency.places)
    if russian:
        place = "МОСКВА"
    return _Story(
        agency=agency,
        place=place,
        section="Политика" if russian else rng.choice(agency.sections),
        headline=writer.headline(),
        subtitle=writer.headline() if rng.random() < agency.subtitle_rate else None,
        lead=paragraphs[0],
        paragraphs=tuple(paragraphs[1:]),
        topic=topic,
        russian=russian,
    )


def _kind(seed: int, index: int, mix: Mix) -> str:
    return mix.kind(_rng(seed, index).random())


def _edit_words(text: str, fraction: float, rng: random.Random) -> str:
    """Replace, drop or insert about ``fraction`` of the words, as an editor would."""
    words = text.split(" ")
    for _ in range(max(1, round(len(words) * fraction))):
        spot = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.6:
            words[spot] = rng.choices(_WORDS, cum_weights=_CUM_WEIGHTS)[0]
        elif roll < 0.8 and len(words) > 3:
            del words[spot]
        else:
            words.insert(spot, rng.choices(_WORDS, cum_weights=_CUM_WEIGHTS)[0])
    return " ".join(words)


def _edit_story(story: _Story, fraction: float, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    return _edit_words(story.lead, fraction, rng), tuple(_edit_words(p, fraction, rng) for p in story.paragraphs)


def published_at(index: int) -> dt.datetime:
    return BASE_TIME + index * ITEM_INTERVAL


def _dateline_text(story: _Story, agency: Agency, day: dt.date, rng: random.Random) -> str:
    if story.russian:
        return f"МОСКВА, {day.day} {_MONTH_RU[day.month - 1]}. /ТАСС/."
    place = story.place if agency is story.agency else rng.choice(agency.places)
    return agency.dateline(place, day, rng)


def generate_item(index: int, *, seed: int = SEED, mix: Mix = Mix()) -> GeneratedItem:
    rng = _rng(seed, index)
    kind = mix.kind(rng.random())
    story_index = index
    if kind != "unique":
        story_index = index - rng.randint(1, REFERENCE_WINDOW)
        while story_index >= 0 and _kind(seed, story_index, mix) != "unique":
            story_index -= 1
        if story_index < 0:
            kind, story_index = "unique", index
    story = _story(seed, story_index, mix)
    original_time = published_at(story_index)
    published = published_at(index)
    agency, source = story.agency, story.agency.source
    guid = f"{source.lower()}-{story_index}"
    url_key = story_index
    headline, subtitle, lead, paragraphs = story.headline, story.subtitle, story.lead, story.paragraphs
    day = original_time.date()
    match kind:
        case "unique":
            pass
        case "duplicate":  # the same text again, under another guid (another feed, a re-post)
            guid, url_key = f"{guid}-copy{index}", index
        case "reprint":
            source = rng.choice(REPRINTERS)
            guid, url_key = f"{source.split()[0].lower()}-{index}", index
            lead, paragraphs = _edit_story(story, rng.uniform(0.01, 0.10), rng)
        case "revision":  # same guid and URL, a correction and an added paragraph
            lead, paragraphs = _edit_story(story, rng.uniform(0.005, 0.02), rng)
            paragraphs = (*paragraphs, _Writer(rng, story.russian).paragraph())
        case "syndicated":  # another agency's write-up of the same story
            others = [a for a in AGENCIES if a is not agency]
            agency = rng.choice(others)
            source = agency.source
            guid, url_key = f"{source.lower()}-{index}", index
            headline = _edit_words(headline, 0.3, rng)
            subtitle = None if rng.random() > agency.subtitle_rate else subtitle
            lead, paragraphs = _edit_story(story, rng.uniform(0.03, 0.12), rng)
            if len(paragraphs) > 12:
                paragraphs = paragraphs[: -rng.randint(1, 3)]
            day = published.date()
    dateline_rng = _rng(seed, story_index) if kind != "syndicated" else rng
    dateline = _dateline_text(story, agency, day, dateline_rng)
    if kind in ("unique", "duplicate", "revision"):
        published = original_time if kind != "revision" else published
    item = codec.make_item(
        section=story.section if agency is story.agency else rng.choice(agency.sections),
        headline=headline,
        subtitle=subtitle,
        paragraphs=(f"{dateline} {lead}", *paragraphs),
        published=published,
    )
    host = source.lower().replace(" ", "")
    article = Article(
        item=item,
        source=source,
        url=f"https://{host}.example/news/{url_key}",
        guid=guid,
        published_at=published,
        fetched_at=published + dt.timedelta(minutes=3),
        lang="ru" if story.russian else "en",
        provenance={"item": "file"},
    )
    return GeneratedItem(index, kind, story_index, story.topic, article, codec.render(item))


def generate(start: int, count: int, *, seed: int = SEED, mix: Mix = Mix()) -> Iterator[GeneratedItem]:
    for index in range(start, start + count):
        yield generate_item(index, seed=seed, mix=mix)


def near_duplicates(
    start: int, count: int, *, seed: int = SEED, mix: Mix = Mix(), fraction: float = 0.05
) -> Iterator[Article]:
    """Reprints (``fraction`` of words edited) of the ``count`` unique stories before ``start``,
    stamped just after ``start``: a batch whose every item must be found by the near-duplicate
    check."""
    index = start - 1
    made = 0
    while made < count and index >= 0:
        if _kind(seed, index, mix) == "unique":
            original = generate_item(index, seed=seed, mix=mix).article
            rng = _rng(seed ^ 0x5EED, index)
            item = original.item
            edited = tuple(_edit_words(p, fraction, rng) for p in item.paragraphs)
            yield Article(
                item=WireItem(item.section, item.headline, item.subtitle, item.dateline, edited),
                source=rng.choice(REPRINTERS),
                url=f"https://reprint.example/{start}/{index}",
                guid=f"reprint-{start}-{index}",
                published_at=published_at(start),
                fetched_at=published_at(start),
                lang=original.lang,
                provenance=original.provenance,
            )
            made += 1
        index -= 1


# ---- topics -------------------------------------------------------------------------------------
def bench_topics(count: int) -> list[TopicConfig]:
    """``count`` tracked topics; topic ``i`` is about ``ENTITIES[i]`` and is satisfied by the
    mentions the generator writes for it, in the query forms real users write."""
    topics = []
    for i in range(count):
        entity, phrase, acronym = ENTITIES[i], _PHRASES[i % len(_PHRASES)], ACRONYMS[i]
        other = _PHRASES[(i + 7) % len(_PHRASES)]
        stem = entity.split()[0][:-2]
        query = (
            f'"{entity}"',
            f'"{entity}" AND ("{phrase}" OR "{other}")',
            f'"{entity}" NEAR/12 "{phrase}"',
            f'(={acronym} OR "{entity}") AND NOT "{other}"',
            f'{stem}* AND "{phrase}"',
        )[i % 5]
        topics.append(TopicConfig(name=f"topic-{i:04d}", query=query, description=f"{entity} and the {phrase}"))
    return topics


# ---- files --------------------------------------------------------------------------------------
def write_corpus(items: Iterable[GeneratedItem], directory: Path) -> int:
    """Write each item as a wire-format file plus one manifest line (source, guid, url, times,
    kind), the metadata a folder of files does not carry. Returns the bytes of text written."""
    directory.mkdir(parents=True, exist_ok=True)
    total = 0
    with open(directory / MANIFEST, "w", encoding="utf-8") as manifest:
        for generated in items:
            data = generated.text.encode()
            (directory / generated.file_name).write_bytes(data)
            total += len(data)
            article = generated.article
            manifest.write(json.dumps({
                "file": generated.file_name,
                "index": generated.index,
                "kind": generated.kind,
                "story": generated.story,
                "topic": generated.topic,
                "source": article.source,
                "guid": article.guid,
                "url": article.url,
                "published_at": article.published_at.isoformat() if article.published_at else None,
                "fetched_at": article.fetched_at.isoformat() if article.fetched_at else None,
                "lang": article.lang,
                "bytes": len(data),
            }, ensure_ascii=False) + "\n")
    return total


def corpus_entries(directory: Path) -> list[dict]:
    with open(directory / MANIFEST, encoding="utf-8") as manifest:
        return [json.loads(line) for line in manifest]


def read_article(directory: Path, entry: dict) -> Article:
    """The import path of one file: read it, parse it with the codec, wrap it with its manifest
    metadata."""
    published = dt.datetime.fromisoformat(entry["published_at"]) if entry["published_at"] else None
    fetched = dt.datetime.fromisoformat(entry["fetched_at"]) if entry["fetched_at"] else None
    text = (directory / entry["file"]).read_text(encoding="utf-8")
    return Article(
        item=codec.parse(text, published=published, fetched=fetched),
        source=entry["source"],
        url=entry["url"],
        guid=entry["guid"],
        published_at=published,
        fetched_at=fetched,
        lang=entry["lang"],
        provenance={"item": "file"},
    )
