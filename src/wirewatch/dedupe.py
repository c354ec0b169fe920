"""Dedupe as pure functions: identity keys, exact-duplicate and revision planning, MinHash/LSH
story linking.

Nothing here touches the database: ``store`` looks up what the archive already holds, hands it
to ``plan_batch`` and ``link_stories``, and writes what they decide.

- URL: lower-case scheme and host, no default port, no fragment, no tracking parameters.
- Content: case-folded, invisible characters removed, quotes and dashes unified, whitespace
  collapsed, a leading dateline stripped; its hash finds copies under another URL or GUID.
- Stories: MinHash (128 values) over word 3-shingles, LSH with 25 bands of 5 rows; candidates are
  verified by estimated Jaccard: >= 0.9 a copy, 0.5 to 0.9 an update of the same story.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from wirewatch.wire.dateline import split_dateline
from wirewatch.model import Article, KnownArticle, StoryLink, WireItem, pickled_as_call

SIGNATURE_SIZE = 128
BANDS = 25
ROWS_PER_BAND = 5
COPY_SIMILARITY = 0.9
SAME_STORY_SIMILARITY = 0.5
# Fewer shingles than this (a one-line flash) say too little to link stories on.
MIN_SHINGLES = 8
# Bodies shorter than this many words are often boilerplate ("Read more."): their content hash
# includes the headline so that two different items with the same stub are not taken for copies.
MIN_HASHED_WORDS = 8
# Articles keyed together: enough to spread numpy's per-call cost, few enough that the buffers
# of a slice (some 6 KB of text per article, and 8 bytes per word several times over) fit in L2.
KEY_SLICE = 128

# ---------------------------------------------------------------------------------------------
# Stable hashes: ids must be the same in every process, so no built-in hash().


def hash64(*parts: str) -> int:
    """A stable unsigned 64-bit hash of the parts (blake2b, parts separated by U+001F)."""
    data = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def hex64(*parts: str) -> str:
    """``hash64`` as 16 hex digits: the form of article, story and content ids."""
    return f"{hash64(*parts):016x}"


def signed64(hex_id: str) -> int:
    """A 16-hex-digit id as a signed 64-bit integer (DuckDB BIGINT), for compact join keys."""
    value = int(hex_id, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


# ---------------------------------------------------------------------------------------------
# URLs

# Parameters that say who sent the reader, never which article it is.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "cmpid", "ocid", "smid",
        "ito", "rss", "taid",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PLAIN_URL = re.compile(r"https?://[a-z0-9.-]+(/[^?#%\s]*)?")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def normalize_url(url: str | None) -> str | None:
    """The URL as an identity key: lower-case scheme and host, no default port, no fragment, no
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ...), the other parameters sorted.
    Text that is not an absolute URL comes back stripped; empty input gives None."""
    if url is None or not url.strip():
        return None
    text = url.strip()
    plain = _PLAIN_URL.fullmatch(text)
    if plain:  # already normal (most feed links): skip the parse
        return text if plain.group(1) else text + "/"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # "http://host:port/" with a bad port: keep it as written
        return text
    if not parts.scheme or not parts.hostname:
        return text
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{userinfo}@{host}"
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(params), doseq=True)
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


# ---------------------------------------------------------------------------------------------
# Content

_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
_QUOTES = "\u00b4\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2039\u203a\u300c\u300d"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# Every character str.isspace() accepts beyond ASCII.
_SPACES = "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
# What each special character becomes: 0 drop it, 1 "..." (it is 3 bytes long, like "…"), else
# the ASCII byte that replaces its first byte (its other bytes are dropped).
_ACTIONS = np.full(0x10000, -1, dtype=np.int16)
_ACTIONS[[ord(ch) for ch in _INVISIBLE]] = 0
_ACTIONS[[ord(ch) for ch in _QUOTES]] = ord('"')  # single and double alike: outlets swap them
_ACTIONS[[ord(ch) for ch in _DASHES]] = ord("-")
_ACTIONS[[ord(ch) for ch in _SPACES]] = ord(" ")
_ACTIONS[ord("\u2026")] = 1
_SPACE = np.uint8(32)
_DASH = np.uint8(ord("-"))
_DOUBLE_QUOTE = np.uint8(ord('"'))


def normalize_content(text: str) -> str:
    """Text reduced to what makes it the same content: case-folded, invisible characters
    removed, quotes (single and double) and dashes unified, runs of dashes and of whitespace
    or control characters collapsed to one."""
    return normalize_contents([text])[0]


def normalize_contents(texts: Sequence[str]) -> list[str]:
    """``normalize_content`` of each text, all computed at once as a batch's are."""
    collapsed = _collapse(texts)
    return [collapsed.text_bytes(i).decode("utf-8", "surrogatepass") for i in range(len(texts))]


def body_without_dateline(item: WireItem) -> str:
    """The item's body; when no dateline was split off, one opening the body is stripped here,
    so an extraction that missed it still hashes like one that found it."""
    if item.dateline is None and item.paragraphs:
        dateline, rest = split_dateline(item.paragraphs[0])
        if dateline is not None:
            return "\n\n".join((rest, *item.paragraphs[1:]))
    return item.body


@dataclass(frozen=True, slots=True)
class _Collapsed:
    """Several normalised texts in one byte buffer: text i is ``data[starts[i]:ends[i]]``,
    each followed by one space, then 32 bytes of padding (for unaligned 8-byte reads)."""

    data: np.ndarray  # uint8
    starts: np.ndarray
    ends: np.ndarray
    size: int  # bytes of text and spaces, without the padding

    def text_bytes(self, i: int) -> bytes:
        return self.data[self.starts[i] : self.ends[i]].tobytes()

    def word_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """``(positions, per_text)``: where each word ends (every word is followed by exactly
        one space, and nothing else is a space) and how many words each text has."""
        ends = np.flatnonzero(self.data[: self.size] == _SPACE)
        return ends, np.diff(np.searchsorted(ends, self.ends, side="right"), prepend=0)

    def subset(self, rows: Sequence[int]) -> _Collapsed:
        """The texts of ``rows`` only, in that order."""
        if list(rows) == list(range(len(self.starts))):
            return self
        parts = [self.text_bytes(i) for i in rows]
        sizes = np.array([len(p) + 1 if p else 0 for p in parts], dtype=np.int64)  # + the final space
        joined = b"".join(p + b" " for p in parts if p)
        data = np.zeros(len(joined) + 32, dtype=np.uint8)
        data[: len(joined)] = np.frombuffer(joined, dtype=np.uint8)
        ends = np.cumsum(sizes)
        starts = ends - sizes
        return _Collapsed(data, starts, np.maximum(ends - 1, starts), len(joined))


def _collapse(texts: Sequence[str]) -> _Collapsed:
    """``normalize_content`` for a whole batch, over the UTF-8 bytes of all texts at once in
    numpy, with no Python loop per character or word (str.translate, a regex pass or even
    str.casefold cost several times more on long bodies)."""
    encoded = [t.encode("utf-8", "surrogatepass").lower() for t in texts]  # ASCII letters only
    joined = b" ".join(encoded) + b" "  # each text ends with a space
    raw = np.frombuffer(bytearray(joined), dtype=np.uint8)
    sizes = [len(e) + 1 for e in encoded]
    points = _code_points(raw)
    unfolded = _needs_casefold(points, sizes)
    if unfolded:  # texts with non-ASCII letters: fold those the Unicode way
        for i in unfolded:
            encoded[i] = texts[i].casefold().encode("utf-8", "surrogatepass")
        joined = b" ".join(encoded) + b" "
        raw = np.frombuffer(bytearray(joined), dtype=np.uint8)
        sizes = [len(e) + 1 for e in encoded]
        points = _code_points(raw)
    if b"'" in joined or b"`" in joined:  # ASCII bytes only: the code points stay as they are
        raw[(raw == 39) | (raw == 96)] = _DOUBLE_QUOTE
    dropped = _replace_specials(raw, points)
    if dropped is not None:  # invisible characters or multi-byte leftovers to drop
        sizes = _sizes_after_dropping(sizes, dropped)
        raw = np.delete(raw, dropped)
    space = raw <= _SPACE  # whitespace and control characters
    # Keep a byte unless it is a space after a space (the start counts as after a space) or a
    # dash after a dash.
    keep = ~space
    keep[1:] |= ~space[:-1]
    if b"-" in joined or dropped is not None:
        dash = raw == _DASH
        keep[1:] &= ~(dash[1:] & dash[:-1])
    kept = np.count_nonzero(keep)
    data = np.zeros(kept + 32, dtype=np.uint8)
    data[:kept] = np.maximum(raw[keep], _SPACE)  # "\n", "\t", ... become " "
    counts = _sizes_after_dropping(sizes, np.flatnonzero(~keep))
    ends = np.cumsum(counts)
    starts = ends - counts
    return _Collapsed(data, starts, np.maximum(ends - 1, starts), kept)  # ends: without the final space


def _sizes_after_dropping(sizes: Sequence[int] | np.ndarray, dropped: np.ndarray) -> np.ndarray:
    """The sizes of texts laid end to end once the bytes at positions ``dropped`` are removed
    (the few dropped bytes are counted per text: no Python loop over the batch, and no running
    total over every byte, which costs more than the rest of the normalisation)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    owners = np.searchsorted(np.cumsum(sizes), dropped, side="right")
    return sizes - np.bincount(owners, minlength=len(sizes))


def _code_points(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(positions, code points)`` of the multi-byte characters of UTF-8 bytes; characters
    beyond U+FFFF get -1."""
    leads = np.flatnonzero(raw >= 0xC2)  # first bytes of multi-byte characters
    b0 = raw[leads].astype(np.int32)
    b1 = raw[leads + 1].astype(np.int32)  # a valid sequence never runs past the final space
    b2 = raw[np.minimum(leads + 2, len(raw) - 1)].astype(np.int32)
    three = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F)
    code = np.where(b0 < 0xE0, ((b0 & 0x1F) << 6) | (b1 & 0x3F), three)
    return leads, np.where(b0 < 0xF0, code, -1)


@cache
def _folding() -> np.ndarray:
    """Which BMP characters str.casefold changes (computed once, on first need)."""
    return np.array([chr(c).casefold() != chr(c) for c in range(0x10000)], dtype=bool)


def _needs_casefold(points: tuple[np.ndarray, np.ndarray], sizes: list[int]) -> list[int]:
    """The texts holding a character that casefold changes beyond ASCII (Cyrillic capitals,
    ß, ...) or beyond the BMP, given the ``_code_points`` of their bytes."""
    leads, code = points
    if not len(leads):
        return []
    folds = np.where(code < 0, True, _folding()[code & 0xFFFF])
    if not folds.any():
        return []
    owners = np.searchsorted(np.cumsum(sizes), leads[folds], side="right")
    return np.unique(owners).tolist()


def _replace_specials(raw: np.ndarray, points: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    """Replace special characters (see ``_ACTIONS``) in the UTF-8 bytes, in place, given their
    ``_code_points``; returns the sorted positions of the bytes to drop, or None when none is to
    be dropped."""
    leads, code = points
    if not len(leads):
        return None
    action = np.where(code < 0, -1, _ACTIONS[code & 0xFFFF])
    found = action >= 0
    if not found.any():
        return None
    leads, action = leads[found], action[found]
    three = raw[leads] >= 0xE0  # before the lead bytes are overwritten below
    dots = action == 1
    raw[leads] = np.where(dots, ord("."), action).astype(np.uint8)
    raw[leads[dots] + 1] = raw[leads[dots] + 2] = ord(".")
    dropped = np.concatenate((leads[action == 0], leads[~dots] + 1, leads[three & ~dots] + 2))
    dropped.sort()
    return dropped


@pickled_as_call
@dataclass(frozen=True, slots=True)
class ItemKeys:
    """What identifies one incoming item: where it came from and what it says."""

    article_id: str  # from source + guid, else source + normalised URL, else content
    url_norm: str | None
    content_hash: str  # normalised body (with the headline when the body is a stub)
    text_hash: str  # headline, subtitle and body: a change here is a revision
    source: str  # a URL identifies an article within its source only


@dataclass(frozen=True, slots=True)
class BatchKeys:
    """Keys of a batch of articles, in batch order, and their normalised bodies."""

    keys: list[ItemKeys]
    # the normalised bodies, one buffer per slice of KEY_SLICE articles; None once every
    # signature is computed
    bodies: tuple[_Collapsed, ...] | None
    computed: tuple[np.ndarray, np.ndarray] | None = None  # (signatures, usable) of every row
    # the keys as the store's BIGINT join columns: article_key, url_key (None without a URL),
    # content_key; hashed here, where a worker process can do it
    join_keys: dict[str, np.ndarray] = field(default_factory=dict)

    def signatures(self, rows: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """MinHash signatures of the bodies of ``rows`` (default: all), computed only for those
        (a batch of duplicates needs none): ``(signatures, usable)``, ``(n, 128)`` uint32 and
        bool arrays for the whole batch, zero and False outside ``rows`` and for texts too
        short to link stories on."""
        n = len(self.keys)
        rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
        signatures = np.zeros((n, SIGNATURE_SIZE), dtype=np.uint32)
        usable = np.zeros(n, dtype=bool)
        if len(rows) and self.computed is not None:
            signatures[rows], usable[rows] = self.computed[0][rows], self.computed[1][rows]
        elif len(rows) and self.bodies is not None:
            first = 0
            for bodies in self.bodies:
                end = first + len(bodies.starts)
                inside = rows[(rows >= first) & (rows < end)]
                if len(inside):
                    found = _signatures(_words(bodies.subset(inside - first)), len(inside))
                    signatures[inside], usable[inside] = found
                first = end
        return signatures, usable


def batch_keys(articles: Sequence[Article], *, signatures: bool = False) -> BatchKeys:
    """Identity keys and content hashes of every article (see ``ItemKeys``); ``signatures``:
    every MinHash signature too, with the bodies dropped (what a worker process hands back: a
    tenth of their size). Worked out KEY_SLICE articles at a time: the numpy passes' buffers
    then stay in a core's own cache, which made a batch a fifth faster than in one piece (and
    more so while other processes share the machine's memory bandwidth)."""
    # at least one slice, so that an empty batch still has its (empty) key columns
    parts = [_slice_keys(articles[start : start + KEY_SLICE], signatures)
             for start in range(0, max(len(articles), 1), KEY_SLICE)]  # fmt: skip
    keys = [k for part in parts for k in part.keys]
    join_keys = {name: np.concatenate([part.join_keys[name] for part in parts]) for name in parts[0].join_keys}
    if signatures:
        computed = tuple(np.concatenate([part.computed[i] for part in parts]) for i in (0, 1))
        return BatchKeys(keys, None, computed, join_keys)
    return BatchKeys(keys, tuple(b for part in parts for b in part.bodies), join_keys=join_keys)


def _slice_keys(articles: Sequence[Article], signatures: bool) -> BatchKeys:
    bodies = _collapse([body_without_dateline(a.item) for a in articles])
    headlines = _collapse([a.item.headline for a in articles])
    subtitles = _collapse([a.item.subtitle or "" for a in articles])
    _, word_counts = bodies.word_ends()
    keys = []
    for i, article in enumerate(articles):
        digest = hashlib.blake2b(bodies.text_bytes(i), digest_size=16).hexdigest()
        headline = headlines.text_bytes(i).hex()
        if word_counts[i] >= MIN_HASHED_WORDS:
            content_hash = hex64("body", digest)
        else:
            content_hash = hex64("stub", headline, digest)
        url_norm = normalize_url(article.url)
        guid = article.guid.strip() if article.guid else None
        if guid:
            article_id = hex64("guid", article.source, guid)
        elif url_norm:
            article_id = hex64("url", article.source, url_norm)
        else:
            article_id = hex64("content", article.source, content_hash)
        text_hash = hex64("text", headline, subtitles.text_bytes(i).hex(), digest)
        keys.append(ItemKeys(article_id, url_norm, content_hash, text_hash, article.source))
    url_keys = np.empty(len(keys), dtype=object)
    url_keys[:] = [url_key(k.url_norm) for k in keys]
    join_keys = {
        "article_key": np.array([signed64(k.article_id) for k in keys], dtype=np.int64),
        "url_key": url_keys,
        "content_key": np.array([signed64(k.content_hash) for k in keys], dtype=np.int64),
    }
    if signatures:  # now, while this slice's bodies are in the cache
        return BatchKeys(keys, None, _signatures(_words(bodies), len(keys)), join_keys)
    return BatchKeys(keys, (bodies,), join_keys=join_keys)


def url_key(url_norm: str | None) -> int | None:
    """The normalised URL as a BIGINT join key."""
    return signed64(hex64("url", url_norm)) if url_norm else None


def story_id_for(article_id: str) -> str:
    """The id of the story an article starts."""
    return hex64("story", article_id)


# ---------------------------------------------------------------------------------------------
# Exact duplicates and revisions


@dataclass(slots=True)
class Decision:
    """What to do with one item of a batch."""

    status: str  # new | duplicate | revised | rejected
    article_id: str | None = None
    revision: int = 0
    story_id: str | None = None  # None until ``link_stories`` assigns one to a new article
    first_row: int | None = None  # the batch row where a new article first appeared
    reason: str | None = None  # why it was rejected


@dataclass(slots=True)
class _Entry:
    article_id: str
    story_id: str | None
    revision: int
    text_hashes: set[str] = field(default_factory=set)
    first_row: int | None = None


def plan_batch(keys: Sequence[ItemKeys | None], known: Sequence[KnownArticle]) -> list[Decision]:
    """Decide, in batch order, what each item is: an article seen before (same source and GUID,
    or same source and normalised URL) with a text seen before is a duplicate, with a new text a
    revision; an item whose content hash the archive or the batch already holds is a duplicate;
    anything else is new. Only a source revises its own articles: another source's item at the
    same URL is a copy (same content) or a new article, never a revision. A ``None`` key is a
    rejected item (the caller fills in the reason)."""
    by_id: dict[str, _Entry] = {}
    by_url: dict[tuple[str, str], _Entry] = {}
    by_content: dict[str, _Entry] = {}
    for article in known:
        entry = _Entry(article.article_id, article.story_id, article.revision, set(article.text_hashes))
        by_id[article.article_id] = entry
        if article.url_norm:
            by_url.setdefault((article.source, article.url_norm), entry)
        for content_hash in article.content_hashes:
            by_content.setdefault(content_hash, entry)
    decisions: list[Decision] = []
    for row, key in enumerate(keys):
        if key is None:
            decisions.append(Decision("rejected"))
            continue
        entry = by_id.get(key.article_id) or (by_url.get((key.source, key.url_norm)) if key.url_norm else None)
        if entry is not None:
            if key.text_hash in entry.text_hashes:
                decisions.append(Decision("duplicate", entry.article_id, entry.revision, entry.story_id, entry.first_row))
                continue
            entry.revision += 1
            entry.text_hashes.add(key.text_hash)
            by_id.setdefault(key.article_id, entry)
            by_content.setdefault(key.content_hash, entry)
            decisions.append(Decision("revised", entry.article_id, entry.revision, entry.story_id, entry.first_row))
            continue
        entry = by_content.get(key.content_hash)
        if entry is not None:
            decisions.append(Decision("duplicate", entry.article_id, entry.revision, entry.story_id, entry.first_row))
            continue
        entry = _Entry(key.article_id, None, 1, {key.text_hash}, row)
        by_id[key.article_id] = entry
        if key.url_norm:
            by_url.setdefault((key.source, key.url_norm), entry)
        by_content[key.content_hash] = entry
        decisions.append(Decision("new", entry.article_id, 1, None, row))
    return decisions


# ---------------------------------------------------------------------------------------------
# MinHash signatures and LSH band keys
#
# One-permutation MinHash (Li, Owen & Zhang 2012) with optimal densification (Shrivastava
# 2017): each shingle is hashed once, its top 7 bits pick one of 128 bins and the bin keeps the
# smallest value; empty bins borrow from a bin chosen by a fixed random probe sequence. Equal
# bins estimate Jaccard like 128 independent hash functions do, at 1/128 of the work: 128
# functions would cost as much as all the rest of the dedupe.

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_RNG = np.random.default_rng(20110927)  # fixed: band keys must match across runs and versions
_WORD_WEIGHTS = _RNG.integers(0, 2**63, 3, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_SHINGLE_WEIGHTS = _RNG.integers(0, 2**63, 3, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_PROBE_ROUNDS = 64
_PROBES = _RNG.integers(0, SIGNATURE_SIZE, (_PROBE_ROUNDS, SIGNATURE_SIZE))
_BAND_SEEDS = _RNG.integers(0, 2**63, BANDS, dtype=np.uint64)
_HEAD_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [2**64 - 1], dtype=np.uint64)  # first n bytes
_EMPTY = np.uint32(0xFFFFFFFF)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place: spreads every input bit over the whole word."""
    values ^= values >> np.uint64(30)
    values *= _MIX1
    values ^= values >> np.uint64(27)
    values *= _MIX2
    values ^= values >> np.uint64(31)
    return values


@dataclass(frozen=True, slots=True)
class _Words:
    hashes: np.ndarray  # uint64, one per word, in text order
    owner: np.ndarray  # index of the text each word belongs to


def _words(collapsed: _Collapsed) -> _Words:
    """A stable 64-bit hash of every word from its length, first 8 and last 8 bytes (the whole
    word up to 16 bytes), read as unaligned 8-byte windows of the buffer: no Python string per
    word. Longer words differing only in the middle share a hash, which MinHash shrugs off."""
    ends, per_text = collapsed.word_ends()
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
    windows = np.ndarray(shape=(collapsed.size + 24,), dtype="<u8", buffer=collapsed.data.data, strides=(1,))
    lengths = ends - starts
    hashes = lengths.astype(np.uint64) * _WORD_WEIGHTS[2]
    hashes += (windows[starts] & _HEAD_MASKS[np.minimum(lengths, 8)]) * _WORD_WEIGHTS[0]
    hashes += np.where(lengths > 8, windows[ends - 8], np.uint64(0)) * _WORD_WEIGHTS[1]
    owner = np.repeat(np.arange(len(collapsed.ends)), per_text)
    return _Words(_mix64(hashes), owner)


def _signatures(words: _Words, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One-permutation MinHash of each text's word 3-shingles: ``(signatures, usable)``, a
    ``(n, 128)`` uint32 array and which texts had at least ``MIN_SHINGLES`` shingles (the
    other rows are zero)."""
    w, owner = words.hashes, words.owner
    inside = owner[:-2] == owner[2:]  # the shingle's three words belong to one text
    shingles = w[:-2] * _SHINGLE_WEIGHTS[0] + w[1:-1] * _SHINGLE_WEIGHTS[1] + w[2:] * _SHINGLE_WEIGHTS[2]
    shingles = _mix64(shingles[inside])
    shingle_owner = owner[:-2][inside]
    usable = np.bincount(shingle_owner, minlength=n) >= MIN_SHINGLES
    cell = shingle_owner * SIGNATURE_SIZE + (shingles >> np.uint64(57)).astype(np.int64)
    found = np.full(n * SIGNATURE_SIZE, _EMPTY, dtype=np.uint32)
    np.minimum.at(found, cell, (shingles & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    found = found.reshape(n, SIGNATURE_SIZE)
    filled = (np.bincount(cell, minlength=n * SIGNATURE_SIZE) > 0).reshape(n, SIGNATURE_SIZE)
    signatures = np.where(filled, found, np.uint32(0))
    _densify(signatures, found, filled, usable)
    signatures[~usable] = 0
    return signatures, usable


def _densify(signatures: np.ndarray, found: np.ndarray, filled: np.ndarray, usable: np.ndarray) -> None:
    """Fill each empty bin from the first filled bin of its fixed probe sequence (the same
    sequence for every text, so equal sets still give equal signatures); bins still empty after
    the probes take the next filled bin to the right."""
    rows = np.flatnonzero(usable & ~filled.all(axis=1))
    if len(rows) == 0:
        return
    empty, filled, found = ~filled[rows], filled[rows], found[rows]
    dense = signatures[rows]
    for probe in _PROBES:
        take = empty & filled[:, probe]
        dense[take] = found[:, probe][take]
        empty &= ~take
        if not empty.any():
            break
    for row, column in zip(*np.nonzero(empty)):
        order = np.roll(np.arange(SIGNATURE_SIZE), -int(column))
        dense[row, column] = found[row, order[filled[row, order]][0]]
    signatures[rows] = dense


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """LSH keys, ``(n, 25)`` int32: a hash of each band of 5 signature values, with the band
    number mixed in so that one key column serves all bands. 32 bits halve the index scan; the
    few chance collisions (0.6% of probes against 25M stored keys) fail verification."""
    bands = signatures[:, : BANDS * ROWS_PER_BAND].reshape(len(signatures), BANDS, ROWS_PER_BAND).astype(np.uint64)
    keys = np.broadcast_to(_BAND_SEEDS, (len(signatures), BANDS)).copy()
    for r in range(ROWS_PER_BAND):
        keys ^= bands[:, :, r]
        keys = _mix64(keys)
    return (keys >> np.uint64(32)).astype(np.uint32).view(np.int32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal values."""
    return float(np.count_nonzero(a == b)) / SIGNATURE_SIZE


def relation(score: float) -> str | None:
    """What an earlier article at this similarity is to a new one: ``copy``, ``update`` (of the
    same story) or None (another story)."""
    if score >= COPY_SIMILARITY:
        return "copy"
    if score >= SAME_STORY_SIMILARITY:
        return "update"
    return None


# ---------------------------------------------------------------------------------------------
# Stories


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored article that shares an LSH band with batch row ``row``."""

    row: int
    article_id: str
    story_id: str
    signature: np.ndarray


def batch_pairs(keys: np.ndarray, usable: np.ndarray) -> list[tuple[int, int]]:
    """(earlier, later) pairs of batch rows that share a band key."""
    rows = np.repeat(np.arange(len(keys)), keys.shape[1])
    flat = keys.reshape(-1)
    keep = np.repeat(usable, keys.shape[1])
    rows, flat = rows[keep], flat[keep]
    order = np.lexsort((rows, flat))
    rows, flat = rows[order], flat[order]
    same = flat[1:] == flat[:-1]
    if not same.any():
        return []
    pairs: set[tuple[int, int]] = set()
    start = 0
    boundaries = np.flatnonzero(~same) + 1
    for end in (*boundaries.tolist(), len(flat)):
        if end - start > 1:
            group = sorted(set(rows[start:end].tolist()))
            pairs.update((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
        start = end
    return sorted(pairs)


def link_stories(
    article_ids: Sequence[str],
    signatures: np.ndarray,
    usable: np.ndarray,
    keys: np.ndarray,
    event_seconds: np.ndarray,
    candidates: Sequence[Candidate],
    *,
    window_seconds: float,
) -> list[StoryLink]:
    """The story of each new article, in batch order: that of the most similar earlier article
    (stored candidates, and earlier rows of this batch within the window) when the estimated
    Jaccard is at least 0.5, else a story of its own."""
    earlier: dict[int, list[tuple[str, str | None, np.ndarray | int]]] = {}
    for c in candidates:
        earlier.setdefault(c.row, []).append((c.article_id, c.story_id, c.signature))
    for a, b in batch_pairs(keys, usable):
        if abs(float(event_seconds[a]) - float(event_seconds[b])) <= window_seconds:
            earlier.setdefault(b, []).append((article_ids[a], None, a))  # story known once a is linked
    links: list[StoryLink] = []
    for row, article_id in enumerate(article_ids):
        best: tuple[float, str, str] | None = None
        for other_id, story_id, signature in earlier.get(row, ()):
            if isinstance(signature, int):  # an earlier row of this batch
                story_id, signature = links[signature].story_id, signatures[signature]
            score = similarity(signatures[row], signature)
            if best is None or (score, other_id) > (best[0], best[1]):
                best = (score, other_id, story_id)
        kind = relation(best[0]) if best else None
        if best is None or kind is None:
            links.append(StoryLink(story_id_for(article_id), "first"))
        else:
            links.append(StoryLink(best[2], kind, best[0], best[1]))
    return links
