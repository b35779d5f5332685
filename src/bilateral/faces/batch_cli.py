"""`bilateral batch`: screen a CSV or Parquet file of export rows with DuckDB and Arrow.

Rows stream through in record batches, so a file larger than memory is screened in
bounded memory; the output is written to a temporary file and renamed into place only
when every batch has succeeded, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bilateral.engine.batch import screen_batch
from bilateral.engine.law import default_law
from bilateral.errors import BadInput

BATCH_ROWS = 1_000_000


def _relation(con: duckdb.DuckDBPyConnection, source: Path) -> duckdb.DuckDBPyRelation:
    suffix = source.suffix.lower()
    if suffix == ".parquet":
        return con.read_parquet(str(source))
    if suffix in (".csv", ".txt", ".gz"):
        # Everything as text: the engine reports a malformed value per row, never guesses.
        return con.read_csv(str(source), header=True, all_varchar=True)
    raise BadInput("input", f"{source.name}: unsupported file type (use .csv or .parquet)")


def run_batch(input_path: str, output_path: str) -> int:
    source, target = Path(input_path), Path(output_path)
    if not source.is_file():
        raise BadInput("input", f"no such file: {source}")
    if target.suffix.lower() not in (".csv", ".parquet"):
        raise BadInput("output", f"{target.name}: use a .csv or .parquet output")
    law = default_law()
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        relation = _relation(con, source)
    except duckdb.Error as error:
        raise BadInput("input", f"{source.name}: {str(error).splitlines()[0]}") from None
    missing = {"destination", "date", "hs"} - set(relation.columns)
    if missing:
        raise BadInput("input", f"{source.name}: missing column(s) {', '.join(sorted(missing))}")
    reader = relation.select("destination, date, hs").fetch_record_batch(BATCH_ROWS)
    handle, temporary = tempfile.mkstemp(dir=target.parent or Path("."), suffix=target.suffix)
    os.close(handle)
    total = answered = 0
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    try:
        for batch in reader:
            screened = screen_batch(
                law, pa.Table.from_batches([batch]), plain=target.suffix.lower() == ".csv"
            )
            if writer is None:
                writer = (
                    pq.ParquetWriter(temporary, screened.schema)
                    if target.suffix.lower() == ".parquet"
                    else pacsv.CSVWriter(temporary, screened.schema)
                )
            writer.write_table(screened)
            total += screened.num_rows
            answered += screened["error"].null_count
        if writer is not None:
            writer.close()
            writer = None
        os.replace(temporary, target)
    except BaseException:
        if writer is not None:
            writer.close()
        Path(temporary).unlink(missing_ok=True)
        raise
    elapsed = time.perf_counter() - started
    bad = total - answered
    print(
        f"screened {total} rows in {elapsed:.2f}s ({total / max(elapsed, 1e-9):,.0f} rows/s); "
        f"{bad} rows with errors; law {law.law_version}; wrote {target}",
        file=sys.stderr,
    )
    return 0
