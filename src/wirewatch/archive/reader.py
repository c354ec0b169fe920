"""Reading the archive: ad-hoc statements (``wirewatch sql``, one at a time), the named queries
of ``sql/queries`` the command lists with, and stored articles rebuilt for backtests and retags."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from wirewatch.archive.schema import ArchiveBase
from wirewatch.archive.columns import aware, naive_utc
from wirewatch.errors import StoreError, first_line
from wirewatch.model import Article, Dateline, WireItem

_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class StoredArticle:
    article_id: str
    story_id: str
    revision: int
    article: Article


class ArchiveReader(ArchiveBase):
    """Queries and stored articles."""

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> tuple[list[str], list[tuple]]:
        """Run one statement (``wirewatch sql``; open the store read-only for that) and return
        ``(column names, rows)``. Errors raise StoreError with DuckDB's one-line reason."""
        try:
            result = self._conn.execute(sql, params) if params is not None else self._conn.execute(sql)
            columns = [d[0] for d in result.description] if result.description else []
            return columns, result.fetchall() if result.description else []
        except duckdb.Error as error:
            raise StoreError(f"{self.path}: {first_line(error)}") from None

    def named_query(self, name: str, params: Mapping[str, Any]) -> tuple[list[str], list[tuple]]:
        """Run the read-only query ``sql/queries/NAME.sql`` with ``params``: ``(column names, rows)``."""
        try:
            result = self._run(f"queries/{name}", params)
            return [d[0] for d in result.description], result.fetchall()
        except duckdb.Error as error:
            raise StoreError(f"{self.path}: {first_line(error)}") from None

    def articles_since(self, since: dt.datetime) -> Iterator[StoredArticle]:
        """Stored articles (current versions) published (else fetched, else first seen) since
        ``since``, oldest first, rebuilt as Articles for backtests and retags."""
        for page in self._article_pages(naive_utc(since)):
            yield from page

    def article_pages(self, since: dt.datetime) -> Iterator[list[StoredArticle]]:
        """``articles_since`` a page at a time."""
        return self._article_pages(naive_utc(since))

    def _article_pages(self, since: dt.datetime | None) -> Iterator[list[StoredArticle]]:
        after: tuple[dt.datetime, str] | None = None
        while True:
            params = {"since": since, "after_at": after[0] if after else None, "after_id": after[1] if after else None}
            rows = self._records("queries/articles_since", {**params, "limit": _PAGE_SIZE})
            if not rows:
                return
            yield [_stored_article(r) for r in rows]
            after = (rows[-1]["event_at"], rows[-1]["article_id"])


def check_single_statement(query: str) -> None:
    """`wirewatch sql` runs one statement: say so rather than run only some of several."""
    try:
        count = len(duckdb.extract_statements(query))
    except duckdb.Error:
        return  # a syntax error: the query itself reports it with DuckDB's reason
    if count > 1:
        raise StoreError(f"{count} statements given; `wirewatch sql` runs only one statement: send them one at a time")


def _stored_article(r: Mapping[str, Any]) -> StoredArticle:
    """An ``articles_since`` row (by column name) rebuilt as an Article."""
    dateline = Dateline(
        r["dateline_raw"], r["dateline_place"], r["dateline_region"], r["dateline_date_text"], r["dateline_date"],
        r["dateline_date_source"], r["agency"], r["agency_raw"], r["dateline_separator"],
    ) if r["dateline_raw"] else None  # fmt: skip
    body = r["body"]
    article = Article(
        item=WireItem(r["section"] or "", r["headline"] or "", r["subtitle"], dateline,
                      tuple(body.split("\n\n")) if body else ()),  # fmt: skip
        source=r["source"],
        url=r["url"],
        guid=r["guid"],
        published_at=aware(r["published_at"]),
        fetched_at=aware(r["fetched_at"]),
        lang=r["lang"],
        provenance=json.loads(r["provenance"]) if r["provenance"] else {},
        agency=None if dateline else r["agency"],
    )
    return StoredArticle(r["article_id"], r["story_id"], r["revision"], article)

