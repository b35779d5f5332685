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

A CSV file on this machine under local Spark is not parsed by the JVM at all: the tasks
read byte ranges of it with pyarrow (``csv_layout``, ``write_csv_parquet``), since Spark's
CSV parser and the Arrow hand-over to Python had become most of its cost per row
(benchmarks/results/spark-stages.txt). A folder, a compressed file or a cluster is read
by Spark's reader, told the file's dialect as `bilateral batch` reads it (``read_csv``).
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyarrow as pa

from bilateral import countries
from bilateral.engine import batch as engine
from bilateral.engine.law import Law, default_law
from bilateral.engine.rows import prepare
from bilateral.errors import BadInput
from bilateral.faces.batch_cli import COLUMNS, PARQUET_WRITER
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


def _write_part(
    broadcast: Any, folder: str, tables: Iterator[pa.Table]
) -> tuple[str, str, int] | None:
    """Screen this task's tables into its own Parquet part under ``_temporary``: the part's
    name, its file and its rows; None for no rows (no part, as Spark's writer)."""
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
        for table in tables:
            screened = engine.screen_file_batch(screen, prepare(table))
            if writer is None:
                writer = pq.ParquetWriter(temporary, screened.schema, **PYARROW_PARQUET)
            writer.write_table(screened)
            rows += screened.num_rows
    finally:
        if writer is not None:
            writer.close()
    return None if writer is None else (part, temporary, rows)


def _part_writer(
    broadcast: Any, folder: str
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def write_part(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        tables = (pa.Table.from_batches([batch]) for batch in batches)
        written = _write_part(broadcast, folder, tables)
        if written is not None:
            part, temporary, rows = written
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


# --- a CSV on this machine, read by the Python workers themselves -------------------------
#
# Spark's CSV reader parses every row in the JVM and hands the three columns to Python as
# Arrow: the two cost more than the screening (benchmarks/results/spark-stages.txt). Where
# the workers can open the file themselves (local Spark, one plain CSV on this machine),
# the driver cuts the file into byte ranges of whole lines, as Spark cuts a file into
# splits, and each task parses its range with pyarrow's CSV reader, screens and writes its
# part: no row passes through the JVM. The file is read as `bilateral batch` reads it
# (RFC 4180: a quote inside a quoted field doubled; every column text; an empty field
# null), one row per line, as Spark's own reader reads it unless told otherwise.

CSV_BLOCK_BYTES = 8 << 20  # parsed at a time by a task: some 250,000 rows of three columns


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """One CSV file as the workers read it: its header's names and the byte ranges of
    whole lines (after the header) that the tasks parse, in file order."""

    path: str
    name: str  # as the user gave it, for messages
    names: tuple[str, ...]
    splits: tuple[tuple[int, int], ...]


def csv_layout(spark: SparkSession, path: str) -> CsvLayout | None:
    """The file's layout, or None where Spark's own reader is used: Spark not local, not
    one plain file on this machine, or no data line."""
    local = (spark.sparkContext.master or "").startswith("local")
    if not local or not os.path.isfile(path) or path.lower().endswith((".gz", ".parquet")):
        return None
    from bilateral.screening.tabular import header_naming

    names = tuple(header_naming(Path(path), COLUMNS))  # as `bilateral batch` reads it
    with open(path, "rb") as handle:
        start, size = len(handle.readline()), os.fstat(handle.fileno()).st_size
        if start >= size:
            return None  # no data line: Spark's writer leaves the empty part
        # As Spark sizes a file's splits: no more than spark.sql.files.maxPartitionBytes,
        # and small enough that every core has one.
        conf = spark.conf
        most = _bytes(conf.get("spark.sql.files.maxPartitionBytes", "128m") or "128m")
        opening = _bytes(conf.get("spark.sql.files.openCostInBytes", "4m") or "4m")
        cores = max(spark.sparkContext.defaultParallelism, 1)
        step = min(most, max(opening, (size - start + opening) // cores + 1))
        splits = []
        while start < size:
            end = _line_end(handle, min(start + step, size), size)
            splits.append((start, end))
            start = end
    return CsvLayout(path, os.path.basename(path), names, tuple(splits))


def _line_end(handle: BinaryIO, at: int, size: int) -> int:
    """The end of the line in which byte ``at - 1`` falls (just after its LF)."""
    if at >= size:
        return size
    handle.seek(at - 1)
    while chunk := handle.read(1 << 16):
        found = chunk.find(b"\n")
        if found >= 0:
            return at + found
        at += len(chunk)
    return size


def _bytes(text: str) -> int:
    """A Spark size setting ("128m", "4194304b", "134217728") in bytes."""
    units = {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    text = text.strip().lower().removesuffix("b") or "0"
    if text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


class _Unfit(Exception):
    """A line of the CSV that is not one row of the header's columns."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset, self.reason = offset, reason  # the line's first byte in the file


def _csv_tables(layout: CsvLayout, start: int, end: int) -> Iterator[pa.Table]:
    """The rows of the lines in bytes start..end, as tables of destination, date, hs;
    ``_Unfit`` for the first line that is not one row of the header's columns."""
    import pyarrow.csv as pacsv

    read = pacsv.ReadOptions(
        column_names=list(layout.names), use_threads=False, block_size=CSV_BLOCK_BYTES + 4096
    )
    unfit: list[Any] = []

    def refuse(row: Any) -> str:
        unfit.append(row)
        return "skip"

    parse = pacsv.ParseOptions(newlines_in_values=False, invalid_row_handler=refuse)
    convert = pacsv.ConvertOptions(
        include_columns=list(COLUMNS),
        column_types=dict.fromkeys(layout.names, pa.string()),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=False,  # checked once for every column, below
    )
    with open(layout.path, "rb") as handle:
        handle.seek(start)
        at, carried = start, b""
        while at < end or carried:
            block = carried + handle.read(min(CSV_BLOCK_BYTES, end - at))
            at += len(block) - len(carried)
            cut = len(block) if at >= end else block.rfind(b"\n") + 1
            if cut == 0:  # a line longer than a block: read on
                carried = block
                continue
            lines, carried = block[:cut], block[cut:]
            offset = at - len(block)  # the first byte of ``lines`` in the file
            if not lines.isascii():  # every column UTF-8 text, as DuckDB checks it
                try:
                    lines.decode("utf-8")
                except UnicodeDecodeError as bad:
                    line = lines.rfind(b"\n", 0, bad.start) + 1
                    raise _Unfit(offset + line, "not UTF-8 text") from None
            table = pacsv.read_csv(pa.py_buffer(lines), read, parse, convert)
            # One row per line with text: else a quoted value runs over its line's end (a
            # task's range of lines could then cut a row in two).
            if unfit or table.num_rows != _records(lines):
                raise _first_unfit(lines, offset, len(layout.names))
            yield table


def _records(lines: bytes) -> int:
    """The lines with text in ``lines`` (ended by LF, CRLF or CR; the last maybe not)."""
    count = lines.count(b"\n") + lines.count(b"\r") - lines.count(b"\r\n")
    count += not lines.endswith((b"\n", b"\r"))
    if any(blank in lines for blank in (b"\n\n", b"\n\r", b"\r\r")) or lines[:1] in (
        b"\n",
        b"\r",
    ):
        count -= sum(not line for line in lines.splitlines())  # empty lines: no row
    return count


_OVER_THE_LINE = (
    "a quote not closed on its line (Spark reads a row per line: a value that runs over "
    "lines is read by --engine duckdb)"
)


def _first_unfit(lines: bytes, offset: int, columns: int) -> _Unfit:
    """The first line of ``lines`` that is not one row of ``columns`` fields."""
    for line in lines.splitlines(keepends=True):
        text = line.rstrip(b"\r\n")
        if text:
            if text.count(b'"') % 2:
                return _Unfit(offset, _OVER_THE_LINE)
            fields = len(next(csv.reader([text.decode("utf-8", "replace")])))
            if fields != columns:
                more = fields > columns
                return _Unfit(
                    offset, f"{'more' if more else 'fewer'} fields than the header has columns"
                )
        offset += len(line)
    return _Unfit(offset, _OVER_THE_LINE)


def _csv_part_writer(
    broadcast: Any, folder: str, layout: CsvLayout
) -> Callable[[int, Iterable[tuple[int, int]]], Iterable[tuple[str, str, int, int]]]:
    def write_part(
        _index: int, splits: Iterable[tuple[int, int]]
    ) -> Iterator[tuple[str, str, int, int]]:
        for start, end in splits:
            try:
                written = _write_part(broadcast, folder, _csv_tables(layout, start, end))
            except _Unfit as unfit:  # said by the driver, with its line
                yield ("", unfit.reason, -1, unfit.offset)
                return
            if written is not None:
                yield (*written, 0)

    return write_part


def _line_of(path: str, offset: int) -> int:
    """The line number (1 for the header) of the line starting at byte ``offset``."""
    lines = 1
    with open(path, "rb") as handle:
        while offset > 0 and (chunk := handle.read(min(1 << 22, offset))):
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


def write_csv_parquet(
    spark: SparkSession, layout: CsvLayout, output_path: str, law: Law | None = None
) -> int:
    """Screen the CSV file of ``layout`` into a new Parquet folder, each task parsing its
    byte range and writing its part (see above); the number of rows written."""
    folder = os.path.abspath(output_path.removeprefix("file:"))
    if os.path.exists(folder):
        raise BadInput("output", f"{output_path} already exists; Spark writes a new folder")
    given = law is not None
    law = law or default_law()
    shipped = spark.sparkContext.broadcast(compiled_law(law, _driver_facts(law, given)))
    os.makedirs(os.path.join(folder, "_temporary"))
    try:
        splits = spark.sparkContext.parallelize(layout.splits, len(layout.splits))
        written = splits.mapPartitionsWithIndex(_csv_part_writer(shipped, folder, layout))
        results = written.collect()
        refused = [row for row in results if row[2] < 0]
        if refused:
            _, reason, _, offset = min(refused, key=lambda row: row[3])
            line = _line_of(layout.path, offset)
            raise BadInput("input", f"{layout.name}: line {line}: {reason}; nothing was written")
        if not results:  # blank lines only: Spark's writer leaves one part with the schema
            shutil.rmtree(folder)
            empty = spark.createDataFrame([], ", ".join(f"{c} string" for c in COLUMNS))
            screen_exports_spark(empty, law).write.options(**PARQUET_OPTIONS).parquet(folder)
            return 0
        for part, temporary, _rows, _ in results:  # every task has succeeded
            os.replace(temporary, os.path.join(folder, part))
        shutil.rmtree(os.path.join(folder, "_temporary"))
        Path(folder, "_SUCCESS").touch()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return sum(row[2] for row in results)


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
    """A CSV with a header, every column as text, a quote inside a quoted field doubled
    (RFC 4180, as `bilateral batch` reads it; Spark's own default is a backslash).

    For one file the header is read here (``tabular.header_naming``: names in any case,
    refused as `bilateral batch` refuses them) and given to Spark as the schema, so Spark
    runs no job of its own to find the columns; a folder is left to Spark.
    """
    reader = reader.option("header", True).option("quote", '"').option("escape", '"')
    if os.path.isfile(path):
        from pyspark.sql.types import StringType, StructField, StructType

        from bilateral.screening.tabular import header_naming

        names = header_naming(Path(path), COLUMNS)
        schema = StructType([StructField(name, StringType()) for name in names])
        return reader.schema(schema).csv(path)
    return reader.csv(path)


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
        layout = csv_layout(spark, input_path)
        if layout is not None:
            total = write_csv_parquet(spark, layout, output_path)
        elif input_path.lower().endswith(".parquet"):
            total = write_parquet(spark.read.parquet(input_path), output_path)
        else:
            total = write_parquet(read_csv(spark.read, input_path), output_path)
    finally:
        spark.stop()
    elapsed = time.perf_counter() - started
    print(f"screened {total} rows on Spark in {elapsed:.1f}s; wrote {output_path}", file=sys.stderr)
    return 0
