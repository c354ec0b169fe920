"""Local inputs: folders of wire-format files (`dir` sources), saved feeds and saved article
pages (`wirewatch import`), read one by one or, for big imports, by worker processes that also
run the topic matcher, so that both cores work while the store writes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wirewatch import codec, extract, topics
from wirewatch.config import SourceConfig, TopicConfig
from wirewatch.model import Article, PollResult, SourceState, TopicMatch

WIRE_SUFFIXES = (".txt",)
FEED_SUFFIXES = (".xml", ".rss", ".atom")
PAGE_SUFFIXES = (".html", ".htm")
IMPORT_SUFFIXES = WIRE_SUFFIXES + FEED_SUFFIXES + PAGE_SUFFIXES
MAX_INPUT_BYTES = 15 * 1024 * 1024  # a saved feed or page larger than this is not one
# What `wirewatch import` and `topics check` read files as: local input is trusted.
IMPORT_SOURCE = SourceConfig(name="import", kind="dir", allow_private=True)
CHUNK_FILES = 200  # files per worker task: large enough to amortise pickling, small for memory
PARALLEL_MIN_FILES = 2 * CHUNK_FILES  # below this, starting worker processes costs more than it saves


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to import: given files as they are, folders recursively (known suffixes only,
    hidden files and README files skipped), in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in IMPORT_SUFFIXES
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                    and child.stem.upper() != "README"
                ):
                    yield child
        else:
            yield path


def read_file(path: Path, source: SourceConfig, *, now: dt.datetime, guid_base: Path | None = None) -> PollResult:
    """One local file as a PollResult: a wire-format text, a saved feed or a saved article page.
    Problems come back in ``rejected`` (one line naming the file) rather than raising."""
    state = SourceState(name=source.name, kind=source.kind, url=str(path), last_poll=now, last_status="ok")
    result = PollResult(state=state)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise codec.CodecError(f"too large: {size:,} bytes (limit {MAX_INPUT_BYTES:,})")
        data = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix in FEED_SUFFIXES:
            found = extract.feed_articles(data, source=source, headers=None, fetched_at=now)
            result.articles.extend(found.articles)
            result.warnings.extend(f"{path}: {w}" for w in found.warnings)
            result.rejected.extend(f"{path}: {r}" for r in found.rejected)
        elif suffix in PAGE_SUFFIXES:
            result.articles.append(extract.page_article(data, url=None, source=source, headers=None, fetched_at=now))
        else:
            text = codec.decode_document(data)
            item = codec.parse(text, fetched=now)
            guid = str(path.relative_to(guid_base)) if guid_base and path.is_relative_to(guid_base) else str(path.resolve())
            result.articles.append(
                Article(
                    item=item,
                    source=source.name,
                    guid=guid,
                    fetched_at=now,
                    lang=source.lang or codec.item_lang(item),
                    provenance={"item": "file"},
                )
            )
    except (OSError, codec.CodecError, extract.ExtractError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        state.last_status, state.last_error = "error", f"{path}: {reason}"
    return result


def read_dir_source(source: SourceConfig, previous: SourceState | None, *, now: dt.datetime) -> PollResult:
    """Poll a `dir` source: every wire-format file in the folder (the store drops the ones it
    already holds, so re-reading costs no duplicates)."""
    folder = source.path
    state = SourceState(name=source.name, kind="dir", url=str(folder), last_poll=now)
    if previous is not None:
        state.consecutive_failures = previous.consecutive_failures
        state.items_seen = previous.items_seen
    if folder is None or not folder.is_dir():
        state.last_status, state.last_error = "error", f"{source.name}: folder not found: {folder}"
        state.consecutive_failures += 1
        return PollResult(state=state)
    combined = PollResult(state=state)
    for path in iter_input_files([folder]):
        one = read_file(path, source, now=now, guid_base=folder)
        combined.articles.extend(one.articles)
        combined.warnings.extend(one.warnings)
        combined.rejected.extend(one.rejected)
    state.last_status, state.last_error, state.consecutive_failures = "ok", None, 0
    state.items_seen += len(combined.articles)
    return combined


@dataclass
class ReadBatch:
    """Files read together: their poll results and, when read by workers, every article's
    topic matches computed there (keyed by position: poll index, article index)."""

    files: int  # how many files this batch covers
    polls: list[PollResult]
    matches: dict[tuple[int, int], list[TopicMatch]] | None = None

    def match_lookup(self) -> dict[int, list[TopicMatch]] | None:
        """Matches keyed by ``id(article)`` of this process's article objects."""
        if self.matches is None:
            return None
        return {
            id(article): self.matches[(p, a)]
            for p, poll in enumerate(self.polls)
            for a, article in enumerate(poll.articles)
        }


def default_workers() -> int:
    """One worker per core beyond the one the store writes on."""
    return max(0, (os.cpu_count() or 1) - 1)


def read_files(
    files: Sequence[Path],
    source: SourceConfig,
    *,
    now: dt.datetime,
    topic_configs: Sequence[TopicConfig] = (),
    workers: int | None = None,
    batch_files: int = 1000,
) -> Iterator[ReadBatch]:
    """Read ``files`` in batches of about ``batch_files``, in order. With ``workers`` (default:
    one per spare core) and enough files, worker processes parse and match topics ahead of the
    caller, at most two tasks per worker in flight so memory stays bounded."""
    workers = default_workers() if workers is None else workers
    if workers < 1 or len(files) < PARALLEL_MIN_FILES:
        for start in range(0, len(files), batch_files):
            chunk = files[start : start + batch_files]
            yield ReadBatch(len(chunk), [read_file(path, source, now=now) for path in chunk])
        return
    chunks = [list(map(str, files[i : i + CHUNK_FILES])) for i in range(0, len(files), CHUNK_FILES)]
    # spawn, not fork: the parent holds DuckDB and HTTP threads that a fork would copy mid-flight
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(list(topic_configs),)) as pool:
        pending: deque[Future[ReadBatch]] = deque()
        queued = iter(chunks)
        for chunk in queued:
            pending.append(pool.submit(_read_chunk, chunk, source, now))
            if len(pending) >= 2 * workers:
                break
        gathered: list[ReadBatch] = []
        while pending:
            gathered.append(pending.popleft().result())
            next_chunk = next(queued, None)
            if next_chunk is not None:
                pending.append(pool.submit(_read_chunk, next_chunk, source, now))
            if sum(b.files for b in gathered) >= batch_files or not pending:
                yield _merge(gathered)
                gathered = []


def _merge(batches: list[ReadBatch]) -> ReadBatch:
    polls: list[PollResult] = []
    matches: dict[tuple[int, int], list[TopicMatch]] = {}
    for batch in batches:
        offset = len(polls)
        polls.extend(batch.polls)
        matches.update({(p + offset, a): m for (p, a), m in (batch.matches or {}).items()})
    return ReadBatch(sum(b.files for b in batches), polls, matches)


_worker_matcher: topics.Matcher | None = None


def _start_worker(topic_configs: list[TopicConfig]) -> None:
    global _worker_matcher
    enabled = [t for t in topic_configs if t.enabled]
    _worker_matcher = topics.compile_topics(enabled) if enabled else None


def _read_chunk(paths: list[str], source: SourceConfig, now: dt.datetime) -> ReadBatch:
    polls = [read_file(Path(path), source, now=now) for path in paths]
    matches: dict[tuple[int, int], list[TopicMatch]] = {}
    for p, poll in enumerate(polls):
        for a, article in enumerate(poll.articles):
            found = _worker_matcher.match(article.item, lang=article.lang) if _worker_matcher else []
            matches[(p, a)] = list(found)
    return ReadBatch(len(paths), polls, matches)
