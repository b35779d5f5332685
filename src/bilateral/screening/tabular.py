"""What the file-screening paths share: the input and output checks, the file as a DuckDB
relation, the line a data row starts on, and the party columns found by name.

Parties in bulk (DuckDB and Spark) and declaration lines read their files the same way, so
an input that one path refuses the others refuse with the same words.
"""

from __future__ import annotations

import csv
import gzip
import itertools
from pathlib import Path

import duckdb
import numpy as np

from bilateral.errors import BadInput

NAME_COLUMNS = ("name", "party", "party_name")


def check_paths(source: Path, target: Path) -> None:
    """Refuse a missing input or an output that is neither CSV nor Parquet, before any work."""
    if not source.is_file():
        raise BadInput("input", f"no such file: {source}")
    if target.suffix.lower() not in (".csv", ".parquet"):
        raise BadInput("output", f"{target.name}: use a .csv or .parquet output")


def first_line(source: Path) -> int:
    """The line number of the first data row: a CSV's header is line 1, Parquet has none."""
    return 1 if source.suffix.lower() == ".parquet" else 2


_REJECTS = itertools.count()


def relation(con: duckdb.DuckDBPyConnection, source: Path) -> duckdb.DuckDBPyRelation:
    """The file as text columns. A CSV is read with the columns of its header line, and a
    row that does not fit them (too many or too few fields, an unterminated quote) is set
    aside, not fatal: ``rejected_lines`` gives its line and reason after a scan."""
    suffix = source.suffix.lower()
    try:
        if suffix == ".parquet":
            return con.read_parquet(str(source))
        if suffix in (".csv", ".txt", ".gz"):
            return _csv(con, source)
    except duckdb.Error as error:
        raise BadInput("input", f"{source.name}: {str(error).splitlines()[0]}") from None
    raise BadInput("input", f"{source.name}: unsupported file type (use .csv, .parquet, .jsonl)")


def _csv(con: duckdb.DuckDBPyConnection, source: Path) -> duckdb.DuckDBPyRelation:
    opener = gzip.open if source.suffix.lower() == ".gz" else open
    try:
        with opener(source, "rt", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BadInput("input", f"{source.name}: cannot read the header line ({error})") from None
    if not header or not any(name.strip() for name in header):
        raise BadInput("input", f"{source.name}: empty file (the first line names the columns)")
    names = [name.strip() for name in header]
    seen = set()
    for name in names:
        if name.lower() in seen:
            raise BadInput("input", f"{source.name}: column {name!r} appears twice in the header")
        seen.add(name.lower())
    table = f"bilateral_rejects_{next(_REJECTS)}"
    columns = "{" + ", ".join(f"'{_quote(n)}': 'VARCHAR'" for n in names) + "}"
    rel = con.sql(
        f"select * from read_csv('{_quote(str(source))}', header = true, auto_detect = false, "
        f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
        f"store_rejects = true, rejects_table = '{table}', "
        f"rejects_scan = '{table}_scan')"
    )
    _REJECT_TABLES[id(con), str(source)] = table
    return rel


_REJECT_TABLES: dict[tuple[int, str], str] = {}


def _quote(text: str) -> str:
    return text.replace("'", "''")


_REASONS = {
    "TOO MANY COLUMNS": "more fields than the header has columns",
    "MISSING COLUMNS": "fewer fields than the header has columns",
    "UNQUOTED VALUE": "a quote that is not closed",
    "INVALID ENCODING": "not UTF-8 text",
    "INVALID UNICODE": "not UTF-8 text",
}


def rejected_lines(con: duckdb.DuckDBPyConnection, source: Path) -> list[tuple[int, str]]:
    """(line, reason) of each CSV row set aside by the last scan of ``relation(con,
    source)``, in line order; none for Parquet."""
    table = _REJECT_TABLES.get((id(con), str(source)))
    if table is None:
        return []
    try:
        found = con.execute(
            f"select line, min(error_type) from {table} group by line order by line"
        ).fetchall()
    except duckdb.Error:  # no scan has run, or nothing was set aside
        return []
    return [
        (int(line), "row: " + _REASONS.get(str(kind), str(kind).lower())) for line, kind in found
    ]


def line_numbers(start: int, count: int, first: int, rejected: list[int]) -> np.ndarray:
    """The file lines of ``count`` accepted rows from the ``start``-th (0-based), around
    the ``rejected`` lines (sorted): accepted row k is on line first + k + the number of
    rejected lines before it."""
    k = np.arange(start, start + count, dtype=np.int64)
    rejects = np.asarray(rejected, dtype=np.int64)
    inserted = rejects - first - np.arange(len(rejects), dtype=np.int64)  # accepted before
    return first + k + np.searchsorted(inserted, k, side="right")


def _column(columns: list[str], *names: str) -> str | None:
    lowered = {c.lower(): c for c in columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def party_columns(columns: list[str], where: str = "") -> dict[str, str | None]:
    """The file's column for each party field (any case; the first alias found), ``None``
    where absent. No name column is bad input, prefixed with ``where`` (the file's name)."""
    cols = {
        "name": _column(columns, *NAME_COLUMNS),
        "date": _column(columns, "date", "on", "as_of"),
        "birth_date": _column(columns, "birth_date", "dob", "date_of_birth"),
        "country": _column(columns, "country", "nationality"),
        "identifier": _column(columns, "identifier", "id_number", "passport"),
        "kind": _column(columns, "kind", "schema", "type"),
        "row_id": _column(columns, "row_id", "id"),
    }
    if cols["name"] is None:
        prefix = f"{where}: " if where else ""
        raise BadInput("input", f"{prefix}no name column (one of {', '.join(NAME_COLUMNS)})")
    return cols
