"""Local inputs: wire-format files, saved feeds and saved article pages, one by one or by folder
(`wirewatch import`, `topics check`, and the files of a `dir` source, which ``sources.poll`` reads)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from wirewatch.wire import codec
from wirewatch.sources import extract
from wirewatch.sources import formats
from wirewatch.sources.formats.articles import wire_articles
from wirewatch.config import SourceConfig
from wirewatch.model import Article, PollResult, SourceState

WIRE_SUFFIXES = (".txt",)
FEED_SUFFIXES = (".xml", ".rss", ".atom")
PAGE_SUFFIXES = (".html", ".htm")
# agency wire formats, recognised by content (these suffixes only let a folder walk find them)
WIRE_FORMAT_SUFFIXES = (".json", ".nitf", ".tst", ".anpa", ".ipt", ".g2", ".newsml")
IMPORT_SUFFIXES = WIRE_SUFFIXES + FEED_SUFFIXES + PAGE_SUFFIXES + WIRE_FORMAT_SUFFIXES
NOT_A_KNOWN_FORMAT = "not a known format (wire text, RSS/Atom, HTML page, NewsML, NITF, ANPA, IPTC 7901, agency JSON)"
MAX_INPUT_BYTES = 15 * 1024 * 1024  # a saved feed or page larger than this is not one
# What `wirewatch import` and `topics check` read files as: local input is trusted.
IMPORT_SOURCE = SourceConfig(name="import", kind="dir", allow_private=True)
logger = logging.getLogger(__name__)


def iter_input_files(paths: Iterable[Path], warn: Callable[[str], None] = logger.warning) -> Iterator[Path]:
    """The files to import: given files as they are, folders recursively (hidden files and
    folders and README files skipped), in a stable order. In a folder a file with a known suffix
    is taken; any other file (no extension, as agencies name files by their item URI, or an
    unknown one) is taken when its content is in an agency wire format. The others are counted
    in one ``warn`` line per folder: binary files (pictures, audio sent beside the items) and
    files in no format we read. A symbolic link in a folder that leads outside it is skipped
    with a ``warn``: a folder import reads that folder only (symbolic links to folders are not
    followed at all)."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        root = path.resolve()
        skipped = {"binary": 0, "unrecognised": 0}
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            base = Path(folder)  # joining a name to it parses only the name
            for name in sorted(names):
                stem, dot, suffix = name.rpartition(".")
                if name.startswith(".") or (stem if dot else name).upper() == "README":
                    continue
                if _leads_outside(base / name, root):
                    warn(f"{base / name}: skipped: a symbolic link to outside {path}")
                    continue
                if dot and f".{suffix.lower()}" in IMPORT_SUFFIXES:
                    yield base / name
                    continue
                sniffed = sniff(base / name)
                if sniffed == "wire":
                    yield base / name
                elif sniffed in skipped:
                    skipped[sniffed] += 1
        if any(skipped.values()):
            warn(f"{path}: skipped {sum(skipped.values())} files: {skipped['binary']} binary, "
                 f"{skipped['unrecognised']} in no format wirewatch reads")  # fmt: skip


SNIFF_BYTES = 256 * 1024  # enough for a picture's metadata segments (EXIF, XMP) before its IIM
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x01\x02\x03\x04\x16\x1f\x13\x11\x12\x14")  # wire envelopes' control bytes


def sniff(path: Path) -> str | None:
    """"wire" (an agency wire format), "binary", "unrecognised", or None when it cannot be read
    (the reader then names the reason)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
            if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and size <= MAX_INPUT_BYTES:
                head += file.read()  # JSON is told from its keys: the whole document
    except OSError:
        return None
    if formats.detect_format(head) is not None:
        return "wire"  # a picture with an IIM caption is a picture item
    return "binary" if is_binary(head[:SNIFF_BYTES]) else "unrecognised"


def is_binary(head: bytes) -> bool:
    """NUL bytes, or more than a few control bytes that no text or wire envelope has."""
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in _TEXT_CONTROLS)
    return controls > max(8, len(head) // 100)


def _leads_outside(path: Path, root: Path) -> bool:
    return path.is_symlink() and not path.resolve().is_relative_to(root)


def read_file(path: Path, source: SourceConfig, *, now: dt.datetime, guid_base: Path | None = None) -> PollResult:
    """One local file as a PollResult: a wire-format text, a saved feed or a saved article page.
    Never raises: a file that cannot be read at all comes back with ``state.last_status ==
    "error"`` and a one-line ``last_error`` naming it; unusable items of a feed in ``rejected``."""
    state = SourceState(name=source.name, kind=source.kind, url=str(path), last_poll=now, last_status="ok")
    result = PollResult(state=state)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise codec.CodecError(f"too large: {size:,} bytes (limit {MAX_INPUT_BYTES:,})")
        data = path.read_bytes()
        suffix = path.suffix.lower()
        wire_items = formats.read_items(data)
        if wire_items is not None:
            result.articles.extend(_wire_articles(wire_items, path, source, now=now, guid_base=guid_base))
            result.rejected.extend(f"{path}: {item}" for item in wire_items if isinstance(item, formats.FormatError))
        elif suffix in FEED_SUFFIXES:
            found = extract.feed_articles(data, source=source, headers=None, fetched_at=now)
            result.articles.extend(found.articles)
            result.warnings.extend(f"{path}: {w}" for w in found.warnings)
            result.rejected.extend(f"{path}: {r}" for r in found.rejected)
        elif suffix in PAGE_SUFFIXES:
            result.articles.append(extract.page_article(data, url=None, source=source, headers=None, fetched_at=now))
        else:
            try:
                item = codec.parse(codec.decode_document(data), fetched=written_at(path, now))
            except codec.CodecError:
                if suffix in WIRE_SUFFIXES:
                    raise
                # a .json that is no agency item, a file named on the command line: not ours
                result.skipped.append(f"{path}: {NOT_A_KNOWN_FORMAT}")
                return result
            guid = _file_guid(path, guid_base)
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
    except (OSError, codec.CodecError, extract.ExtractError, formats.FormatError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        state.last_status, state.last_error = "error", f"{path}: {reason}"
    return result


def written_at(path: Path, now: dt.datetime) -> dt.datetime:
    """When a local file was last written (not after ``now``): the evidence for a dateline's
    year that a re-import months later gives alike, where the time of the import would move
    the year of "September 27" to the import's year."""
    try:
        return min(now, dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc))
    except OSError:
        return now


def _file_guid(path: Path, guid_base: Path | None) -> str:
    return str(path.relative_to(guid_base)) if guid_base and path.is_relative_to(guid_base) else os.path.abspath(path)


def _wire_articles(
    items: list[formats.ParsedItem | formats.FormatError],
    path: Path,
    source: SourceConfig,
    *,
    now: dt.datetime,
    guid_base: Path | None,
) -> list[Article]:
    """The readable items of one wire-format file; the file stands in for the id of an item
    without one."""
    return wire_articles(items, source=source.name, fetched_at=now, lang=source.lang,
                         fallback_guid=_file_guid(path, guid_base))  # fmt: skip


@dataclass
class ReadBatch:
    files: int  # how many files this batch covers
    polls: list[PollResult]


def read_files_job(
    files: Sequence[Path], *, now: dt.datetime, since: dt.date | None = None
) -> tuple[ReadBatch, list[Article]]:
    """``files`` as one ReadBatch and its articles (a job of ``batches.prepared_batches``),
    keeping only items dated on or after ``since``."""
    batch = ReadBatch(len(files), [read_file(path, IMPORT_SOURCE, now=now) for path in files])
    if since is not None:
        keep_since(batch.polls, since)
    return batch, [a for poll in batch.polls for a in poll.articles]


def keep_since(polls: Sequence[PollResult], since: dt.date) -> None:
    """Drop the polls' items dated before ``since`` (undated items stay)."""
    for poll in polls:
        poll.articles = [a for a in poll.articles if (day := article_date(a)) is None or day >= since]


def article_date(article: Article) -> dt.date | None:
    """The day an article is from: published, else its dateline's date."""
    if article.published_at is not None:
        return article.published_at.date()
    dateline = article.item.dateline
    return dateline.date if dateline else None
