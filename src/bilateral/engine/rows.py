"""Rows made ready for the batch screener: what needs neither the law nor its facts.

``prepare`` reads a table of (destination, date, hs) rows the way ``Screener`` needs them:
destinations dictionary-encoded, dates parsed to days, HS codes stripped of dots and
spaces and cut to their first six digits. It keeps no state and holds no lock, and its
work is Arrow's and NumPy's (which run without the GIL), so the batch command runs it in
the reader's thread while the screener answers the previous batch. It imports only Arrow
and NumPy: the reader starts on it before the engine and the law are loaded.

Nothing here decides an answer or an error: a text this fast path does not read (an HS
code with a tab in it, a date not written YYYY-MM-DD) is flagged and the screener reads it
with the single path's own functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bilateral.errors import BadInput

NO_DAY = np.iinfo(np.int64).min  # no date given, or not a real YYYY-MM-DD day
_ISO_SHAPE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Prepared:
    """One batch of rows, read as far as can be without the law."""

    rows: pa.Table
    destination: pa.DictionaryArray  # nulls as ""
    days: npt.NDArray[np.int64]  # days since 1970-01-01; NO_DAY: missing or not a day
    hs: pa.Array  # the text as given, nulls as ""
    stripped: pa.Array  # dots and spaces taken out
    plain: npt.NDArray[np.bool_]  # stripped is 2, 4, 6, 8 or 10 ASCII digits
    six: pa.DictionaryArray  # stripped's first six characters

    @property
    def num_rows(self) -> int:
        return len(self.days)


def prepare(rows: pa.Table) -> Prepared:
    """``rows`` (columns destination, date, hs) read for the screener; see the module."""
    for column in ("destination", "date", "hs"):
        if column not in rows.column_names:
            raise BadInput("input", f"missing column {column!r} (need destination, date, hs)")
    hs = _strings(rows["hs"])
    stripped = pc.replace_substring(pc.replace_substring(hs, ".", ""), " ", "")
    # The regex ^(?:[0-9]{2}){1,5}$ on the stripped text, without a regex per row.
    length = np.asarray(pc.binary_length(stripped).to_numpy(zero_copy_only=False), np.int64)
    decimal = pc.fill_null(pc.ascii_is_decimal(stripped), False)
    plain = (
        np.asarray(decimal.to_numpy(zero_copy_only=False), dtype=np.bool_)
        & (length >= 2)
        & (length <= 10)
        & (length % 2 == 0)
    )
    six: pa.DictionaryArray = pc.dictionary_encode(pc.utf8_slice_codeunits(stripped, 0, 6))
    destination: pa.DictionaryArray = pc.dictionary_encode(_strings(rows["destination"]))
    return Prepared(rows, destination, days(rows["date"]), hs, stripped, plain, six)


_TYPES = {
    np.dtype(np.int8): pa.int8(),
    np.dtype(np.int32): pa.int32(),
    np.dtype(np.int64): pa.int64(),
    np.dtype(np.bool_): pa.bool_(),
}


def arrow(
    values: npt.NDArray[Any], mask: npt.NDArray[np.bool_] | None = None, kind: pa.DataType = None
) -> pa.Array:
    """``pa.array(values, mask=mask)`` for a 1-D NumPy array of integers or booleans.

    Built from the array's buffer: ``pa.array`` on a NumPy array imports ``numpy.ma`` (a
    tenth of a second, on the first batch) to ask whether it is a masked array.
    """
    values = np.ascontiguousarray(values)
    if kind is None:
        kind = _TYPES[values.dtype]
    data = np.packbits(values, bitorder="little") if values.dtype == np.bool_ else values
    validity = None
    nulls = 0
    if mask is not None:
        nulls = int(np.count_nonzero(mask))
        if nulls:
            validity = pa.py_buffer(np.packbits(~mask, bitorder="little"))
    return pa.Array.from_buffers(kind, len(values), [validity, pa.py_buffer(data)], nulls)


def _strings(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    values = pc.fill_null(column.cast(pa.string()), "")
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values


def days(column: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of each date (NO_DAY: none given, or not a real day).

    Text counts when, its surrounding whitespace trimmed, it is exactly YYYY-MM-DD and a
    real day of the proleptic Gregorian calendar (as ``datetime.date.fromisoformat``).
    """
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        encoded = pc.dictionary_encode(values)  # a file has a few thousand distinct dates
        parsed = np.append(parse_days(encoded.dictionary), NO_DAY)
        index = pc.fill_null(encoded.indices, len(encoded.dictionary))
        found: npt.NDArray[np.int64] = parsed[index.to_numpy(zero_copy_only=False)]
        return found
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.date32())
    elif not pa.types.is_date32(column.type):
        raise BadInput("date", f"date column has type {column.type}; need dates or ISO strings")
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    number = pc.fill_null(values.cast(pa.int32()), 0).to_numpy(zero_copy_only=False)
    null = np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)
    return np.where(null, NO_DAY, number.astype(np.int64))


def parse_days(texts: pa.Array) -> npt.NDArray[np.int64]:
    """Each text's day (see ``days``), computed in Arrow and NumPy."""
    trimmed = pc.utf8_trim_whitespace(texts)
    shaped = pc.fill_null(pc.match_substring_regex(trimmed, _ISO_SHAPE), False)
    shape = np.asarray(shaped.to_numpy(zero_copy_only=False), dtype=np.bool_)
    # Every text of the right shape is 10 ASCII digits and dashes: read its numbers.
    digits = pc.if_else(shaped, trimmed, "1970-01-01")

    def number(start: int, stop: int) -> npt.NDArray[np.int64]:
        part = pc.utf8_slice_codeunits(digits, start, stop).cast(pa.int64())
        return np.asarray(part.to_numpy(zero_copy_only=False), dtype=np.int64)

    return _day_numbers(shape, number(0, 4), number(5, 7), number(8, 10))


def _day_numbers(
    shape: npt.NDArray[np.bool_],
    year: npt.NDArray[Any],
    month: npt.NDArray[Any],
    day: npt.NDArray[Any],
) -> npt.NDArray[np.int64]:
    """Days since 1970 of (year, month, day) where ``shape`` holds and the day is real."""
    year, month, day = (np.asarray(v, dtype=np.int64) for v in (year, month, day))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    good_month = (month >= 1) & (month <= 12)
    month_at = np.where(good_month, month, 1) - 1
    month_days = _MONTH_DAYS[month_at] + ((month_at == 1) & leap)
    real = shape & (year >= 1) & good_month & (day >= 1) & (day <= month_days)
    # The proleptic Gregorian day number (years counted from March, in 400-year eras).
    march = year - (month_at < 2)
    era = march // 400
    of_era = march - era * 400
    of_year = (153 * ((month_at + 10) % 12) + 2) // 5 + day - 1
    number = era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468
    return np.where(real, number, NO_DAY)
