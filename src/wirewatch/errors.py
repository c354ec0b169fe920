"""Every exception wirewatch raises on purpose. Each is worded as one line that names the file,
source, field or database it is about: the commands print it as that line, never a traceback.

The hierarchy::

    WirewatchError
    ├── InputError (a ValueError): input that cannot be used
    │   ├── ConfigError: a configuration file, option or environment value
    │   │   └── ChannelError: an alert channel URL (the message never holds its secret)
    │   ├── QueryError: a topic query that does not parse (``column``, ``expected``)
    │   ├── CodecError: text that is not a wire document in the seed's format
    │   ├── FormatError: a file or item in a wire format that cannot be read
    │   └── ExtractError: no usable feed or article in a page or feed
    │       └── NoArticleError: a page that parsed but holds no story
    ├── FetchError: a request that failed (``status`` when there was one)
    ├── ServeRunning: another `wirewatch serve` serves the archive (names its pid, UI address)
    └── StoreError: an archive problem, naming the database file or lake catalog
        ├── StoreLocked: another process holds the database file
        └── LakeError: a lake that cannot be attached (catalog, extension wheel)

This module imports nothing of wirewatch, so every stage can import it.
"""

from __future__ import annotations


class WirewatchError(Exception):
    """The base of every exception below."""


class InputError(WirewatchError, ValueError):
    """Input that cannot be used, worded as one line that names where it came from."""


class ConfigError(InputError):
    """A configuration problem, worded as one line that names the file and the field."""


class ChannelError(ConfigError):
    """A channel that cannot be used, worded as one line that never contains a secret."""


class QueryError(InputError):
    """A query that does not parse. ``column`` is 1-based; ``expected`` says what should stand
    there. ``str()`` is one line, prefixed by ``context`` when a caller adds one; the commands
    report it as one line like a configuration error."""

    def __init__(self, column: int, expected: str, *, context: str = "", text: str = "") -> None:
        self.column = column
        self.expected = expected
        self.context = context
        self.text = text  # the query, to also name line and column in a query of several lines
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.context}: " if self.context else ""
        before = self.text[: self.column - 1]
        line = before.count("\n") + 1
        in_line = f" (line {line}, col {self.column - 1 - before.rfind(chr(10))})" if "\n" in self.text.strip() else ""
        return f"{where}query col {self.column}{in_line}: expected {self.expected}"

    def within(self, context: str) -> QueryError:
        """The same error, prefixed: ``topics.toml: topic "x": query col 3: expected ...``."""
        return QueryError(self.column, self.expected, context=context, text=self.text)


class CodecError(InputError):
    """The text is not a wire document; the message says why, in one line."""


class FormatError(InputError):
    """A file or item in a wire format that cannot be read: one line saying why."""


class ExtractError(InputError):
    """No usable feed or article in the input; the message is one line saying why."""


class NoArticleError(ExtractError):
    """A page that parsed but holds no story. What was found still rides along: the date of a
    page survives the failure of its body."""

    def __init__(self, reason: str, *, headline: str = "", published_at: object = None) -> None:
        super().__init__(reason)
        self.headline = headline
        self.published_at = published_at


class FetchError(WirewatchError):
    """A request that failed, as one line without the source name (``HTTP 404 Not Found``).
    ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ServeRunning(WirewatchError):
    """Another `wirewatch serve` holds the archive's serve lock; the message names it."""


class StoreError(WirewatchError):
    """A store problem, worded as one line that names the database file."""


class StoreLocked(StoreError):
    """Another process holds the database file."""


class LakeError(StoreError):
    """A lake problem, worded as one line that names the catalog or the missing part."""


def first_line(error: BaseException) -> str:
    """An error's message as one line (a library's message may span several), else its type."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def is_interrupt(error: BaseException) -> bool:
    """Ctrl-C or SIGTERM: KeyboardInterrupt, SystemExit, or Ctrl-C as DuckDB reports it from
    inside a statement: RuntimeError("Query interrupted"), or duckdb.Error("KeyboardInterrupt:
    ...") while it reads Python objects."""
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        return True
    message = str(error)
    return (
        type(error).__name__ == "InterruptException"
        or message == "Query interrupted"
        or message.startswith("KeyboardInterrupt")
    )
