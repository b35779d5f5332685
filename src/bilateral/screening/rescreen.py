"""Re-screening: keep only the rows whose outcome changed since an earlier output.

Rows are matched by line (the same input file) and compared on their outcome: the set of
(list entry, status) hits, the goods outcome and the error. Unchanged rows are dropped from
the new output, changed rows kept with a ``change`` column saying what the earlier outcome
was; the count is returned.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bilateral.errors import BadInput


def _read(path: Path) -> pa.Table:
    con = duckdb.connect()
    if path.suffix.lower() == ".parquet":
        return con.read_parquet(str(path)).to_arrow_table()
    return con.read_csv(str(path), header=True, all_varchar=True).to_arrow_table()


def _outcome(row: dict[str, Any]) -> str:
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
    goods = [str(row.get(k) or "") for k in ("outcome", "treatment", "prohibited", "permit_check")]
    ordered = sorted([str(part) for part in key] for key in keys)
    return json.dumps([ordered, goods, str(row.get("error") or "")])


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
    if not previous.is_file():
        raise BadInput("previous", f"no such file: {previous}")
    before = {str(r["line"]): _outcome(r) for r in _read(previous).to_pylist()}
    table = _read(current)
    kept: list[dict[str, Any]] = []
    for row in table.to_pylist():
        old = before.get(str(row["line"]))
        new = _outcome(row)
        if old != new:
            change = "new row" if old is None else f"was: {describe(old)}"
            kept.append({**{k: (None if v is None else str(v)) for k, v in row.items()},
                         "change": change})  # fmt: skip
    schema = pa.schema([(name, pa.string()) for name in [*table.column_names, "change"]])
    out = pa.Table.from_pylist(kept, schema)
    temporary = current.with_name(current.name + ".tmp")
    if current.suffix.lower() == ".parquet":
        pq.write_table(out, temporary)
    else:
        pacsv.write_csv(out, temporary)
    os.replace(temporary, current)
    return len(kept)
