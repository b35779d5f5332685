"""Export screening on Apache Spark, for files that outgrow one machine.

The driver ships the compiled law (the checked bundle, with the HS tables and country
table it was checked against) to the executors once, as a Spark broadcast; each executor
process unpickles it once and keeps one ``Screener`` for it, so facts learnt from one
Arrow batch serve every later batch and task in that process. Each task runs the same
vectorised engine as `bilateral batch` on its Arrow record batches (``mapInArrow``), so a
cluster gives the same answers as one machine, row for row, with the same
``law_version``, whatever law files the executors have installed.

The broadcast also carries the facts the driver's warm screener has learnt for the
default law (``warm_screener``), so an executor starts where ``bilateral batch`` left off
rather than asking the single path again what every earlier run already knew. Each Arrow
batch is prepared as the one-machine path prepares it (``bilateral.engine.rows``:
destinations encoded, HS codes cut to six digits, dates parsed by arithmetic), and keys
are looked up once per distinct six digits.

Where the executors can write the output folder themselves (Spark in local mode, a
folder on this machine: ``write_parquet``), each task also writes its own Parquet part
with pyarrow, as `bilateral batch` writes its file, and hands the JVM back only a file
name and a count. The answers then never go through the JVM: turning Arrow batches back
into Spark rows and Spark's Parquet writer cost more than twice the screening itself
(the caveats alone are some 200 bytes a row). Parts are written under ``_temporary`` and
renamed into place by the driver once every task has succeeded, as Spark's own writer
does. Elsewhere (a cluster, or a date column Spark would write with another Parquet
type) the JVM writes the answers of ``screen_exports_spark``.
"""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from bilateral import countries
from bilateral.engine import batch as engine
from bilateral.engine.law import Law, default_law
from bilateral.engine.rows import prepare
from bilateral.errors import BadInput
from bilateral.faces.batch_cli import PARQUET_WRITER
from bilateral.goods import hs

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, DataFrameReader, SparkSession

# Rows per Arrow batch handed to Python (Spark's default, 10,000, makes the fixed cost of
# a batch dominate).
ARROW_BATCH_ROWS = 262_144

# Parquet output as `bilateral batch` writes it (see batch_cli.PARQUET_WRITER): no column
# statistics (the rows keep the input's order, so none would let a reader skip a row
# group) and no dictionary for the HS codes (nearly one distinct text per row).
PARQUET_OPTIONS = {
    "parquet.column.statistics.enabled": "false",
    "parquet.size.statistics.enabled": "false",
    "parquet.enable.dictionary#hs": "false",
}

# The same Parquet, written by pyarrow in the executors (``write_parquet``): the engine's
# dictionary columns are written as they are, without Arrow's own schema in the footer,
# so readers see plain text columns, as in the folders Spark's writer leaves.
PYARROW_PARQUET: dict[str, Any] = {**PARQUET_WRITER, "store_schema": False}

_SCREENERS: dict[bytes, engine.Screener] = {}  # per executor process: one per broadcast
_SCREENERS_LOCK = threading.Lock()


def compiled_law(law: Law, facts: dict[str, object] | None = None) -> bytes:
    """The law as the driver has it, for a broadcast: bundle, HS editions, country table,
    and what a screener of it has learnt already (``engine.warm_state``), if anything."""
    return pickle.dumps(
        (law.law_version, law.bundle, hs.editions(), countries._table(), facts),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _screener_from(shipped: bytes) -> engine.Screener:
    key = hashlib.sha256(shipped).digest()
    with _SCREENERS_LOCK:
        found = _SCREENERS.get(key)
        if found is None:
            _version, bundle, editions, table, facts = pickle.loads(shipped)  # our broadcast
            hs.use_editions(editions)
            countries.use_table(table)
            law = Law(bundle)
            found = engine.revived(facts, law) if facts is not None else engine.Screener(law)
            if len(_SCREENERS) >= 4:  # a long-lived executor that has seen other laws
                _SCREENERS.clear()
            _SCREENERS[key] = found
        return found


def _driver_facts(law: Law, given: bool) -> dict[str, object] | None:
    """The driver's warm screener's facts, when they are the shipped law's."""
    if given and law is not default_law():
        return None  # the warm screener is the default law's
    warm = engine.warm_screener()
    if warm is None or warm.law_version != law.law_version:
        return None
    return engine.warm_state(warm)


def _screener_of(broadcast: Any) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def screen_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        screen = _screener_from(broadcast.value)  # unpickled once per executor process
        for batch in batches:
            prepared = prepare(pa.Table.from_batches([batch]))
            plain = engine.screen_file_batch(screen, prepared, plain=True)
            yield from plain.to_batches()

    return screen_batches


def _shipped(rows: DataFrame, law: Law | None) -> tuple[DataFrame, Any]:
    """The rows' three columns, and the law broadcast to the executors."""
    selected = _selected(rows)
    given = law is not None
    law = law or default_law()
    facts = _driver_facts(law, given)
    return selected, rows.sparkSession.sparkContext.broadcast(compiled_law(law, facts))


def _selected(rows: DataFrame) -> DataFrame:
    missing = {"destination", "date", "hs"} - set(rows.columns)
    if missing:
        raise BadInput("input", f"missing column(s) {', '.join(sorted(missing))}")
    return rows.select("destination", "date", "hs")


def screen_exports_spark(rows: DataFrame, law: Law | None = None) -> DataFrame:
    """Add the engine's answer columns to a Spark DataFrame of destination, date, hs."""
    selected, shipped = _shipped(rows, law)
    date_type = dict(selected.dtypes)["date"]
    schema = (
        f"destination string, date {date_type}, hs string, outcome string, "
        "permit_required boolean, rules string, caveats array<string>, error string, "
        "law_version string"
    )
    return selected.mapInArrow(_screener_of(shipped), schema)


def _part_writer(
    broadcast: Any, folder: str
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def write_part(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow.parquet as pq
        from pyspark import TaskContext

        task = TaskContext.get()
        assert task is not None  # we run in a Spark task
        part = f"part-{task.partitionId():05d}.parquet"
        # One file per attempt: a retried task never writes into its failed attempt's file.
        temporary = os.path.join(folder, "_temporary", f"{part}.{task.taskAttemptId()}")
        screen = _screener_from(broadcast.value)
        writer = None
        rows = 0
        try:
            for batch in batches:
                prepared = prepare(pa.Table.from_batches([batch]))
                screened = engine.screen_file_batch(screen, prepared)
                if writer is None:
                    writer = pq.ParquetWriter(temporary, screened.schema, **PYARROW_PARQUET)
                writer.write_table(screened)
                rows += screened.num_rows
        finally:
            if writer is not None:
                writer.close()
        if writer is not None:  # an empty partition writes no part (as Spark's writer)
            yield pa.RecordBatch.from_pydict(
                {"part": [part], "file": [temporary], "rows": [rows]}, _WRITTEN
            )

    return write_part


_WRITTEN = pa.schema([("part", pa.string()), ("file", pa.string()), ("rows", pa.int64())])


def _workers_can_write(spark: SparkSession, selected: DataFrame, output_path: str) -> bool:
    """Whether the executors see ``output_path`` as the driver does and pyarrow writes the
    rows' columns with the Parquet types Spark's writer would (text; dates)."""
    local = (spark.sparkContext.master or "").startswith("local")
    on_disk = "://" not in output_path or output_path.startswith("file:")
    types = dict(selected.dtypes)
    plain = types["destination"] == types["hs"] == "string" and types["date"] in {"string", "date"}
    return local and on_disk and plain


def write_parquet(rows: DataFrame, output_path: str, law: Law | None = None) -> int:
    """Screen ``rows`` into a new Parquet folder (as ``screen_exports_spark`` then Spark's
    writer would); the number of rows written. See the module for who writes it."""
    spark = rows.sparkSession
    if not _workers_can_write(spark, _selected(rows), output_path):
        screened = screen_exports_spark(rows, law)
        screened.write.mode("errorifexists").options(**PARQUET_OPTIONS).parquet(output_path)
        return _rows_written(spark, output_path)
    folder = os.path.abspath(output_path.removeprefix("file:"))
    if os.path.exists(folder):
        raise BadInput("output", f"{output_path} already exists; Spark writes a new folder")
    selected, shipped = _shipped(rows, law)
    os.makedirs(os.path.join(folder, "_temporary"))
    try:
        schema = "part string, file string, rows bigint"
        written = selected.mapInArrow(_part_writer(shipped, folder), schema).collect()
        if not written:  # no rows at all: Spark's writer leaves one part with the schema
            shutil.rmtree(folder)
            screen_exports_spark(rows, law).write.options(**PARQUET_OPTIONS).parquet(folder)
            return 0
        for row in written:  # every task has succeeded: its parts go into place
            os.replace(row.file, os.path.join(folder, row.part))
        shutil.rmtree(os.path.join(folder, "_temporary"))
        Path(folder, "_SUCCESS").touch()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return sum(int(row.rows) for row in written)


def session(master: str | None = None) -> SparkSession:
    from pyspark.sql import SparkSession

    master = master or os.environ.get("BILATERAL_SPARK_MASTER", "local[*]")
    builder = (
        SparkSession.builder.master(master)
        .appName("bilateral-batch")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH_ROWS))
    )
    if master.startswith("local"):
        # The Python workers run this interpreter (the one bilateral is installed in), not
        # whichever `python3` comes first on the PATH, unless the user names another
        # (PySpark reads the variable when the context starts, not the spark.pyspark.python
        # setting).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        # One machine: a shuffle (a count, a sort) needs no more partitions than cores.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
        builder = builder.config("spark.sql.shuffle.partitions", str(max(cores, 1)))
    return builder.getOrCreate()


def read_csv(reader: DataFrameReader, path: str) -> DataFrame:
    """A CSV with a header, every column as text (as `bilateral batch` reads it).

    For one file the header is read here and given to Spark as the schema, so Spark runs
    no job of its own to find the columns; a folder, or a header Spark would rename
    (empty or repeated names), is left to Spark.
    """
    if os.path.isfile(path):
        from pyspark.sql.types import StringType, StructField, StructType

        with open(path, encoding="utf-8-sig", newline="") as handle:
            names = next(csv.reader(handle), [])
        if names and all(names) and len(set(names)) == len(names):
            schema = StructType([StructField(name, StringType()) for name in names])
            return reader.option("header", True).schema(schema).csv(path)
    return reader.option("header", True).csv(path)


def _rows_written(spark: SparkSession, output_path: str) -> int:
    """Rows in the Parquet folder just written: from its files' footers where the folder
    is on this machine (no Spark job), else counted by Spark."""
    parts = sorted(Path(output_path).glob("part-*.parquet")) if os.path.isdir(output_path) else []
    if not parts:
        return int(spark.read.parquet(output_path).count())
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(part).metadata.num_rows for part in parts)


def run_spark_batch(input_path: str, output_path: str) -> int:
    """Screen a CSV or Parquet file (or folder) into a Parquet folder with Spark."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise BadInput(
            "engine", "Spark is not installed (pip install 'bilateral[spark]')"
        ) from None
    if os.path.exists(output_path):
        raise BadInput("output", f"{output_path} already exists; Spark writes a new folder")
    started = time.perf_counter()
    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        reader = spark.read
        if input_path.lower().endswith(".parquet"):
            rows = reader.parquet(input_path)
        else:
            rows = read_csv(reader, input_path)
        total = write_parquet(rows, output_path)
    finally:
        spark.stop()
    elapsed = time.perf_counter() - started
    print(f"screened {total} rows on Spark in {elapsed:.1f}s; wrote {output_path}", file=sys.stderr)
    return 0
