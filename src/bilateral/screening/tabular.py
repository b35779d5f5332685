"""What the file-screening paths share: the input and output checks, the file as a DuckDB
relation, the line a data row starts on, and the party columns found by name.

Parties in bulk (DuckDB and Spark) and declaration lines read their files the same way, so
an input that one path refuses the others refuse with the same words.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

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


def relation(con: duckdb.DuckDBPyConnection, source: Path) -> duckdb.DuckDBPyRelation:
    suffix = source.suffix.lower()
    try:
        if suffix == ".parquet":
            return con.read_parquet(str(source))
        if suffix in (".csv", ".txt", ".gz"):
            return con.read_csv(str(source), header=True, all_varchar=True)
    except duckdb.Error as error:
        raise BadInput("input", f"{source.name}: {str(error).splitlines()[0]}") from None
    raise BadInput("input", f"{source.name}: unsupported file type (use .csv, .parquet, .jsonl)")


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
