"""Python values as the columns DuckDB reads (registered Arrow tables) and back: naive UTC
times, object columns, datetime64 columns. The archive's modules share these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from wirewatch.model import AlertRoute


def naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A datetime as naive UTC, the form TIMESTAMP columns hold (naive input is taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A naive UTC time as read from a TIMESTAMP column, made aware."""
    return None if value is None else value.replace(tzinfo=dt.timezone.utc)


def arrow_table(columns: Mapping[str, Sequence[Any] | np.ndarray]) -> pa.Table:
    """Columns as an Arrow table, which DuckDB scans as it is. DuckDB 1.5 analyses a NumPy object
    column value by value in Python, with a failed ``import pandas`` for each value when pandas is
    absent; Arrow builds the column in C++ (bench: the import rows)."""
    return pa.table({name: _arrow_array(values) for name, values in columns.items()})


def _arrow_array(values: Sequence[Any] | np.ndarray) -> pa.Array:
    try:
        return pa.array(values, from_pandas=True)  # None and NaT are NULL, as DuckDB reads NumPy
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # a value Arrow has no type for (a UUID in a query result): its text, as DuckDB prints it
        return pa.array([None if value is None else str(value) for value in values], pa.string())


def objects(values: Sequence[Any]) -> np.ndarray:
    """An object column of scalars (str, bytes, date or None), one cell per value."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


_EPOCH = dt.datetime(1970, 1, 1)

_EPOCH_UTC = _EPOCH.replace(tzinfo=dt.timezone.utc)

_MICROSECOND = dt.timedelta(microseconds=1)

_NOT_A_TIME = np.iinfo(np.int64).min  # NaT's bit pattern


def time_column(values: Sequence[dt.datetime | None]) -> np.ndarray:
    """A datetime64[us] column of UTC times (NaT for None; naive input is taken as UTC), built
    from whole microseconds since the epoch: numpy reading datetime objects itself is slower, and
    converting aware ones to naive UTC first slower again (bench: the import rows)."""
    micros = [_NOT_A_TIME if v is None else (v - (_EPOCH if v.tzinfo is None else _EPOCH_UTC)) // _MICROSECOND
              for v in values]  # fmt: skip
    return np.array(micros, dtype=np.int64).view("datetime64[us]")


def route_columns(routes: Mapping[str, AlertRoute]) -> dict[str, np.ndarray]:
    """The channels of topics' alert routes, one row per topic and channel."""
    flat = [(topic, key, shown, r.realert_on_update) for topic, r in routes.items() for key, shown in r.channels]
    return {
        "topic": objects([f[0] for f in flat]),
        "channel_key": objects([f[1] for f in flat]),
        "channel": objects([f[2] for f in flat]),
        "realert": np.array([f[3] for f in flat], dtype=bool),
    }

