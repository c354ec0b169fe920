"""The alternatives each scenario is compared with, measured in the same run on the same items:

- ``naive_import``: the loop anyone writes first: parse a file, one SELECT and one INSERT per item
  against DuckDB, a Python set for the run's dedupe;
- ``LshBaseline``: datasketch ``MinHashLSH`` for the near-duplicate step;
- ``RegexTopics``: one compiled regular expression per topic for matching.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import duckdb
import numpy as np

from bench.generate import read_article
from wirewatch.wire import codec
from wirewatch.config import TopicConfig
from wirewatch.model import WireItem

if TYPE_CHECKING:
    from datasketch import LeanMinHash

_NAIVE_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    content_hash VARCHAR PRIMARY KEY,
    source VARCHAR, guid VARCHAR, url VARCHAR, published_at TIMESTAMPTZ,
    section VARCHAR, headline VARCHAR, subtitle VARCHAR,
    dateline VARCHAR, body VARCHAR USING COMPRESSION zstd
)
"""


def naive_import(directory: Path, entries: Iterable[dict], db_path: Path) -> int:
    """Import files one by one; returns the number of rows inserted."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute(_NAIVE_SCHEMA)
        seen: set[str] = set()
        inserted = 0
        for entry in entries:
            article = read_article(directory, entry)
            item = article.item
            content_hash = hashlib.sha256(codec.render(item).encode()).hexdigest()
            if content_hash in seen:
                continue
            seen.add(content_hash)
            if con.execute("SELECT 1 FROM articles WHERE content_hash = ?", [content_hash]).fetchone():
                continue
            con.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [content_hash, article.source, article.guid, article.url, article.published_at, item.section,
                 item.headline, item.subtitle, item.dateline.raw if item.dateline else None, item.body],
            )
            inserted += 1
        return inserted
    finally:
        con.close()


_TOKEN = re.compile(r"\w+")


def _datasketch() -> ModuleType:
    """datasketch, imported on first use: it imports scipy (~2 s), which every worker process of
    an import scenario would pay too, since each imports the bench's main module."""
    import datasketch

    return datasketch


class LshBaseline:
    """Near-duplicate check with datasketch: MinHash of word 3-gram shingles, LSH for candidates."""

    def __init__(self, *, threshold: float = 0.5, num_perm: int = 128) -> None:
        self.num_perm = num_perm
        self.lsh = _datasketch().MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.scheme = _datasketch().MinHash(num_perm=num_perm).scheme  # filler signatures must be of the same kind

    def signature(self, item: WireItem) -> LeanMinHash:
        tokens = _TOKEN.findall(f"{item.headline}\n{item.body}".lower())
        shingles = {" ".join(tokens[i : i + 3]).encode() for i in range(max(len(tokens) - 2, 1))}
        minhash = _datasketch().MinHash(num_perm=self.num_perm)
        minhash.update_batch(list(shingles))
        return _datasketch().LeanMinHash(minhash)

    def insert(self, keyed_items: Iterable[tuple[str, WireItem]]) -> None:
        with self.lsh.insertion_session() as session:
            for key, item in keyed_items:
                session.insert(key, self.signature(item))

    def fill(self, count: int, *, seed: int = 1) -> None:
        """Add ``count`` unrelated documents' signatures without making their text: random hash
        values collide with nothing, like distinct stories; they give the index its size."""
        rng = np.random.default_rng(seed)
        lean = _datasketch().LeanMinHash
        with self.lsh.insertion_session(buffer_size=100_000) as session:
            for start in range(0, count, 10_000):
                block = rng.integers(0, 2**32 - 1, size=(min(10_000, count - start), self.num_perm), dtype=np.uint32)
                for offset, values in enumerate(block):
                    session.insert(f"fill-{start + offset}", lean(seed=1, hashvalues=values, scheme=self.scheme))

    def check_batch(self, keyed_items: Sequence[tuple[str, WireItem]]) -> int:
        """What the store's near-duplicate step does for one batch: sign, look up, add.
        Returns how many items found a candidate."""
        found = 0
        for key, item in keyed_items:
            signature = self.signature(item)
            if self.lsh.query(signature):
                found += 1
            self.lsh.insert(key, signature)
        return found


_OPERATORS = re.compile(r"\b(?:AND|OR|NOT)\b|NEAR/\d+|[()]|\b[a-z]+:")
_PHRASE = re.compile(r'"([^"]+)"')


def query_terms(query: str) -> list[str]:
    """The terms and phrases of a topic query; operators, field scopes and the ``=`` and ``~``
    marks dropped (a wildcard ``*`` is kept)."""
    phrases = _PHRASE.findall(query)
    words = _OPERATORS.sub(" ", _PHRASE.sub(" ", query)).split()
    return [term.lstrip("=").rstrip("~") for term in phrases + words if term.strip("=~")]


def _term_pattern(term: str) -> str:
    if term.endswith("*"):
        return re.escape(term[:-1]) + r"\w*"
    return re.escape(term)


def _topic_pattern(query: str) -> re.Pattern[str]:
    alternatives = "|".join(_term_pattern(term) for term in query_terms(query))
    return re.compile(r"\b(?:" + alternatives + r")\b", re.IGNORECASE)


class RegexTopics:
    """One compiled regular expression per topic: any of its terms, case-insensitive. It ignores
    the query's logic (AND, NOT, NEAR), so it does less than a real matcher."""

    def __init__(self, topics: Sequence[TopicConfig]) -> None:
        self.patterns = [(topic.name, _topic_pattern(topic.query)) for topic in topics]

    def match(self, item: WireItem) -> list[str]:
        text = f"{item.headline}\n{item.subtitle or ''}\n{item.body}"
        return [name for name, pattern in self.patterns if pattern.search(text)]
