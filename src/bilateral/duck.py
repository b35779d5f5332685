"""Small helpers for DuckDB results shared by the batch, screening and statistics code."""

from __future__ import annotations

from typing import Any


def first_row(result: Any) -> Any:
    """The first row of a DuckDB result, or None, with the result read to its end.

    DuckDB 2 keeps a result open until a fetch returns no more rows (``fetchone`` does
    not), and the connection then refuses other work ("unfinished result from execute")."""
    rows = result.fetchall()
    return rows[0] if rows else None
