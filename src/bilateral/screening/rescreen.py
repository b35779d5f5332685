"""Re-screening: keep only the rows whose outcome changed since an earlier output.

Rows are matched by line (the same input file) and compared on their outcome: the set of
(list entry, status) hits, the goods outcome and the error. Unchanged rows are dropped from
the new output, changed rows kept with a ``change`` column saying what the earlier outcome
was; the count is returned. The DuckDB path does it here on the written file; the Spark
path (``spark.changed_rows_spark``) with the same ``outcome`` and ``change`` per row, so
both engines keep the same rows with the same words. The earlier output may be either
engine's (a CSV or Parquet file, or Spark's Parquet folder).
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bilateral.errors import BadInput


def check_previous(previous: Path, output: Path, source: Path | None = None) -> None:
    """Refuse, before any screening, an earlier output that is not there, that is the
    output about to be written (it would be compared with itself and lost), or that the
    run log says was screened from another input than ``source`` (its lines are other
    rows: comparing them would drop rows that changed)."""
    if not previous.exists():
        raise BadInput("previous", f"no such file: {previous}")
    if previous.resolve() == output.resolve():
        raise BadInput("previous", "the earlier output must not be the --output being written")
    if "line" not in _columns(previous):
        raise BadInput("previous", f"{previous.name}: no line column (give an earlier output)")
    if source is None or not source.is_file():
        return
    from bilateral.screening.bulk import _hash_file
    from bilateral.screening.log import run_of_output

    run = run_of_output(previous)
    if run is not None and run[1] != _hash_file(source):
        raise BadInput(
            "previous",
            f"{previous.name} was screened from another input ({Path(run[0]).name}, "
            f"{run[1][:19]}), not this {source.name}: give an earlier output of the same file",
        )


def _columns(path: Path) -> list[str]:
    """The column names of an output (its header or Parquet schema), read without its rows."""
    try:
        if path.is_dir() or path.suffix.lower() == ".parquet":
            return list(pq.ParquetDataset(path).schema.names)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowException) as error:
        raise BadInput("previous", f"{path.name}: {str(error).splitlines()[0]}") from None


def _read(path: Path) -> pa.Table:
    """An output as a table: a CSV as text columns, Parquet (a file, or the folder
    ``--engine spark`` writes) with its own types."""
    if path.is_dir() or path.suffix.lower() == ".parquet":
        try:
            return pq.read_table(path)
        except (OSError, pa.ArrowException) as error:
            raise BadInput("previous", f"{path.name}: {str(error).splitlines()[0]}") from None
    con = duckdb.connect()
    return con.read_csv(str(path), header=True, all_varchar=True).to_arrow_table()


def _text(value: Any) -> str:
    """A field as text, the same whether read from CSV or Parquet: a missing value is
    empty, a boolean ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def outcome(row: dict[str, Any]) -> str:
    """What re-screening compares of a row: its hits (list entry and status, per party
    role for declarations), its goods answer and its error."""
    hits = row.get("matches") or row.get("party_matches") or "[]"
    try:
        parsed = json.loads(hits)
    except (TypeError, ValueError):
        parsed = []
    keys: list[Any] = []
    for item in parsed:
        if "role" in item:  # declarations: per party role
            keys.append((item["role"], item["id"], item["status"]))
        else:
            keys.append((item["id"], item["status"]))
    goods = [_text(row.get(k)).lower() if k == "prohibited" else _text(row.get(k))
             for k in ("outcome", "treatment", "prohibited", "permit_check")]  # fmt: skip
    ordered = sorted([str(part) for part in key] for key in keys)
    return json.dumps([ordered, goods, _text(row.get("error"))])


def change(old: str | None, new: str) -> str | None:
    """The ``change`` column of a row whose outcome was ``old`` and is ``new``; ``None``
    when nothing changed (the row is left out)."""
    if old == new:
        return None
    return "new row" if old is None else f"was: {describe(old)}"


def describe(outcome: str) -> str:
    """An outcome (``_outcome``) as an analyst reads it: "consignee sor-2020-214/1/2/15
    (listed); outcome prohibited", "no hits", "error: …"."""
    keys, goods, error = json.loads(outcome)
    hits = ", ".join(f"{' '.join(key[:-1])} ({key[-1]})" for key in keys)
    parts = [hits or "no hits"]
    outcome_, treatment, prohibited, permit = goods
    if outcome_:
        parts.append(f"outcome {outcome_}")
    if treatment:
        parts.append(f"treatment {treatment}")
    if prohibited.lower() == "true" and not outcome_:
        parts.append("import prohibited")
    if permit:
        parts.append(permit)
    if error:
        parts.append(f"error: {error}")
    return "; ".join(parts)


def changed_rows(previous: Path, current: Path) -> int:
    """Keep in ``current`` (a file this command wrote) only the rows whose outcome is not
    the one the same line had in ``previous``, each with its ``change``; the count kept.
    Parquet keeps its column types and metadata; a CSV stays text."""
    check_previous(previous, current)
    earlier = _read(previous)
    if "line" not in earlier.column_names:
        raise BadInput("previous", f"{previous.name}: no line column (give an earlier output)")
    before = {
        _text(line): outcome(row)
        for line, row in zip(earlier["line"].to_pylist(), earlier.to_pylist(), strict=True)
    }
    table = _read(current)
    _same_rows(previous, earlier, current, table)
    changes = [change(before.get(_text(row["line"])), outcome(row)) for row in table.to_pylist()]
    keep = pa.array([c is not None for c in changes], pa.bool_())
    out = table.filter(keep).append_column(
        "change", pa.array([c for c in changes if c is not None], pa.string())
    )
    temporary = current.with_name(current.name + ".tmp")
    if current.suffix.lower() == ".parquet":
        pq.write_table(out, temporary)
    else:
        pacsv.write_csv(out, temporary)
    os.replace(temporary, current)
    return int(out.num_rows)


# What says which input row a line of an output is: the same on the same line of two
# outputs of one file (parties: its id and name; declaration lines: date, direction, goods).
_ROW_KEYS = (("row_id", "name"), ("date", "direction", "hs", "ecl"))


def _same_rows(previous: Path, earlier: pa.Table, current: Path, table: pa.Table) -> None:
    """Refuse an earlier output whose rows are not the current input's, line for line (an
    output of another file the run log does not know): ``current`` is removed, so no
    output is left that looks filtered by it."""
    keys = next((k for k in _ROW_KEYS if set(k) <= set(earlier.column_names)), None)
    if keys is None or not set(keys) <= set(table.column_names):
        return
    now = {
        _text(line): tuple(_text(row[k]) for k in keys)
        for line, row in zip(table["line"].to_pylist(), table.to_pylist(), strict=True)
    }
    for line, row in zip(earlier["line"].to_pylist(), earlier.to_pylist(), strict=True):
        was = tuple(_text(row[k]) for k in keys)
        found = now.get(_text(line))
        if (found is None and any(was)) or (found is not None and found != was):
            current.unlink(missing_ok=True)
            raise BadInput(
                "previous",
                f"{previous.name} is not an output of this input: line {_text(line)} was "
                f"{', '.join(v for v in was if v) or 'empty'} there; give an earlier output of "
                "the same file (nothing was written)",
            )
