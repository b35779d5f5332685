"""`bilateral screen parties|declarations --engine spark`: the same rows, on Apache Spark.

Spark numbers the rows in file order (``zipWithIndex``), each task screens its Arrow
record batches with the same ``ChunkScreener`` as the DuckDB path (``mapInArrow``), the
screening index built once per executor process from the same lists, and the output is a
Parquet folder with the same columns. Declaration lines likewise: each Arrow batch is
screened by the one-machine path's ``declarations.screen_rows`` in an in-memory DuckDB, so
the goods, party and permit answers are the same functions'. Tested on local Spark against
the DuckDB output, row for row.

A Spark run does not resume: its output is written into ``OUTPUT.spark/`` and renamed into
place when done, and a run that finds such a folder left by a killed run removes it and
says so in one line before it starts over. With ``--previous`` the rows whose outcome did
not change are dropped on Spark (``changed_rows_spark``), by the same per-row functions as
the DuckDB path (``rescreen.outcome``, ``rescreen.change``), so both keep the same rows.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from bilateral.errors import BadInput
from bilateral.screening.bulk import OUTPUT_SCHEMA, ChunkScreener, Options
from bilateral.screening.tabular import (
    check_not_input,
    clear_errors,
    first_line,
    party_columns,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_SCREENER: ChunkScreener | None = None


def _batches(options: Options, cols: dict[str, str | None], unread: dict[int, str]) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        global _SCREENER
        if _SCREENER is None or _SCREENER.options != options:
            from bilateral.screening.screen import default_index

            _SCREENER = ChunkScreener(default_index(), options)
        for batch in batches:
            table, bad = _set_aside(pa.Table.from_batches([batch]), unread)
            yield from _SCREENER((0, table, cols)).to_batches()
            if bad:
                rows = [{"line": line, "error": unread[line]} for line in bad]
                yield from pa.Table.from_pylist(rows, OUTPUT_SCHEMA).to_batches()

    return run


def _set_aside(table: pa.Table, unread: dict[int, str]) -> tuple[pa.Table, list[int]]:
    """The rows of ``table`` not on an ``unread`` line (Spark reads a line that is not
    UTF-8 as a row of replacement characters; DuckDB sets it aside), and those lines."""
    if not unread:
        return table, []
    lines = table.column("__line").to_pylist()
    bad = [line for line in lines if line in unread]
    if not bad:
        return table, []
    keep = pa.array([line not in unread for line in lines], pa.bool_())
    return table.filter(keep), bad


def _numbering(first: int, skipped: list[int]) -> Callable[[int], int]:
    """The file line of the k-th row Spark reads (0-based): past the ``skipped`` lines
    (sorted: blank lines, which Spark skips too), as ``tabular.line_numbers`` counts."""
    from bisect import bisect_right

    inserted = [line - first - j for j, line in enumerate(skipped)]
    return lambda k: first + k + bisect_right(inserted, k)


def _spark_schema() -> str:
    kinds = {pa.int64(): "bigint", pa.int32(): "int", pa.float64(): "double", pa.string(): "string"}
    return ", ".join(f"{f.name} {kinds[f.type]}" for f in OUTPUT_SCHEMA)


def screen_parties_spark(
    rows: DataFrame,
    options: Options,
    first_line: int,
    skipped: list[int] | None = None,
    unread: dict[int, str] | None = None,
) -> DataFrame:
    """``skipped``: the blank lines of the file (rows are numbered past them); ``unread``:
    the lines DuckDB sets aside as not UTF-8, with the reason, answered as bad rows."""
    columns = rows.columns
    cols = party_columns(columns)
    line = _numbering(first_line, skipped or [])
    numbered = (
        rows.rdd.zipWithIndex()
        .map(lambda pair: (*pair[0], line(pair[1])))
        .toDF([*columns, "__line"])
    )
    return numbered.mapInArrow(_batches(options, cols, unread or {}), _spark_schema())


def read_rows(spark: SparkSession, source: Path) -> DataFrame:
    """A parties or declarations file as Spark reads it the way DuckDB does: Parquet as is;
    a CSV by its header line, every column text, a quote inside a quoted field doubled
    (RFC 4180, as spreadsheets write it; Spark's own default is a backslash)."""
    if source.suffix.lower() == ".parquet":
        return spark.read.parquet(str(source))
    return (
        spark.read.option("header", True)
        .option("quote", '"')
        .option("escape", '"')
        .option("inferSchema", False)
        .csv(str(source))
    )


NOT_UTF8 = "row: not UTF-8 text"


def refuse_unreadable_rows(source: Path) -> tuple[list[int], dict[int, str]]:
    """Spark reads a CSV row that does not fit the header its own way (fields padded or
    cut), where the one-machine path reports it by line: such a file is refused here, with
    the first such line, rather than screened to other rows. Checked by DuckDB before Spark
    starts (one pass over the file). Returns the blank lines (rows are numbered past them)
    and the lines that are not UTF-8 text with their reason: Spark reads each as a row,
    which is answered as the bad row DuckDB reports instead of screened."""
    if source.suffix.lower() == ".parquet" or not source.is_file():
        return [], {}
    import duckdb

    from bilateral.screening.tabular import blank_lines, count_rows, relation

    con = duckdb.connect()
    _, found = count_rows(con, relation(con, source), source)
    unread = {line: reason for line, reason in found if reason == NOT_UTF8}
    rejected = [(line, reason) for line, reason in found if reason != NOT_UTF8]
    if rejected:
        line, reason = rejected[0]
        raise BadInput(
            "input",
            f"{source.name}: {len(rejected)} row(s) do not fit the header (line {line}, "
            f"{reason.removeprefix('row: ')}); use --engine duckdb, which reports them by "
            "line and screens the rest",
        )
    return blank_lines(source), unread


def _staging(target: Path, notice: Callable[[str], None]) -> Path:
    """The folder a Spark run writes into before its output is renamed into place; one
    left by a killed run is removed, and ``notice`` told so: Spark runs start over."""
    if target.exists():
        raise BadInput("output", f"{target} already exists; Spark writes a new folder")
    staging = target.with_name(target.name + ".spark")
    if staging.exists():
        notice(
            f"starting over: Spark runs do not resume; removed {staging.name}, "
            "left by an interrupted run"
        )
        shutil.rmtree(staging)
    return staging


def _outcomes(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    from bilateral.screening.rescreen import _text, outcome

    for batch in batches:
        rows = batch.to_pylist()
        yield pa.record_batch(
            [pa.array([_text(r["line"]) for r in rows], pa.string()),
             pa.array([outcome(r) for r in rows], pa.string())],
            names=["__key", "__was"],
        )  # fmt: skip


def _changes(columns: list[str]) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from bilateral.screening.rescreen import change, outcome

        for batch in batches:
            was = batch.column(batch.schema.get_field_index("__was")).to_pylist()
            current = pa.Table.from_batches([batch]).select(columns)
            changes = [
                change(old, outcome(row)) for old, row in zip(was, current.to_pylist(), strict=True)
            ]
            keep = pa.array([c is not None for c in changes], pa.bool_())
            kept = current.filter(keep).append_column(
                "change", pa.array([c for c in changes if c is not None], pa.string())
            )
            yield from kept.to_batches()

    return run


def changed_rows_spark(spark: SparkSession, previous: Path, current: DataFrame) -> DataFrame:
    """The rows of ``current`` whose outcome is not the one the same line had in
    ``previous`` (either engine's output: CSV, Parquet file or folder), with ``change``."""
    if previous.is_dir() or previous.suffix.lower() == ".parquet":
        earlier = spark.read.parquet(str(previous))
    else:
        # A CSV this command wrote doubles a quote inside a quoted field (RFC 4180).
        earlier = spark.read.option("header", True).option("escape", '"').csv(str(previous))
    if "line" not in earlier.columns:
        raise BadInput("previous", f"{previous.name}: no line column (give an earlier output)")
    from pyspark.sql.types import StringType, StructField, StructType

    columns = list(current.columns)
    # A new schema: ``StructType.add`` would change the frame's own.
    schema = StructType([*current.schema.fields, StructField("change", StringType())])
    keyed = earlier.mapInArrow(_outcomes, "__key string, __was string")
    joined = current.join(keyed, current["line"].cast("string") == keyed["__key"], "left")
    return joined.mapInArrow(_changes(columns), schema).orderBy("line")


def _publish(spark: SparkSession, staging: Path, target: Path, previous: Path | None) -> int | None:
    """Rename the screened rows (``staging/all``) into place, or with ``previous`` only the
    rows whose outcome changed; the number of those, or ``None``."""
    screened = staging / "all"
    count = None
    if previous is not None:
        changed = staging / "changed"
        frame = changed_rows_spark(spark, previous, spark.read.parquet(str(screened)))
        frame.write.mode("errorifexists").parquet(str(changed))
        count = spark.read.parquet(str(changed)).count()
        screened = changed
    os.replace(screened, target)
    shutil.rmtree(staging)
    return count


def run_spark_parties(
    source: Path,
    target: Path,
    options: Options,
    previous: Path | None = None,
    notice: Callable[[str], None] = print,
) -> tuple[int, int, int, Path | None, int | None]:
    """Screen a parties file on Spark into a Parquet folder, with the bad rows' report
    (line, name, reason) and the coverage caveats beside it as the one-machine path writes
    them. Returns (rows, errors, rows with a possible match, the error report or None, the
    rows whose outcome changed since ``previous`` or None); with ``previous`` the folder
    holds only those."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise BadInput(
            "engine", "Spark is not installed (pip install 'bilateral[spark]')"
        ) from None
    if not source.is_file():
        raise BadInput("input", f"no such file: {source}")
    check_not_input(source, target)
    staging = _staging(target, notice)
    skipped, unread = refuse_unreadable_rows(source)
    from bilateral.faces.spark_batch import session

    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        rows = read_rows(spark, source)
        screened = screen_parties_spark(rows, options, first_line(source), skipped, unread)
        screened.write.mode("errorifexists").parquet(str(staging / "all"))
        written = spark.read.parquet(str(staging / "all"))
        total = written.count()
        hits = written.filter("hits > 0").count()
        bad = written.filter("error is not null").select("line", "name", "error")
        errors = bad.count()
        error_file = None
        clear_errors(target)
        if errors:  # written as the one-machine path writes it (Arrow's CSV writer)
            import pyarrow.csv as pacsv

            error_file = target.with_name(target.stem + ".errors.csv")
            fields = [OUTPUT_SCHEMA.field(name) for name in ("line", "name", "error")]
            found = [r.asDict() for r in bad.orderBy("line").toLocalIterator()]
            pacsv.write_csv(pa.Table.from_pylist(found, pa.schema(fields)), error_file)
        texts = [row[0] for row in written.select("date").distinct().collect()]
        changed = _publish(spark, staging, target, previous)
    finally:
        spark.stop()
    _write_caveats(texts, target)
    return total, errors, hits, error_file, changed


def _write_caveats(texts: list[str | None], target: Path) -> None:
    """The coverage caveats on the rows' dates, beside the output folder and printed, as
    the DuckDB path gives them (``caveats.py``)."""
    import datetime as dt

    from bilateral.screening.caveats import coverage_caveats
    from bilateral.screening.screen import default_index

    dates = set()
    for text in texts:
        try:
            dates.add(dt.date.fromisoformat(text or ""))
        except ValueError:
            continue  # a bad row's date: reported with the row
    caveats = coverage_caveats(dates, default_index().snapshots)
    path = target.with_name(target.stem + ".caveats.txt")
    path.write_text("".join(f"{c}\n" for c in caveats), encoding="utf-8")
    print(f"caveats (also in {path}):")
    for caveat in caveats:
        print(f"  ! {caveat}")


# --- declaration lines --------------------------------------------------------------------

# (index, permit book, answers kept from batch to batch) per executor process
_DECLARATIONS: tuple[Any, Any, Any, float] | None = None


def _declaration_batches(
    columns: list[str], threshold: float, office_db: str | None, unread: dict[int, str]
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        global _DECLARATIONS
        import duckdb

        from bilateral.screening.declarations import (
            OUTPUT_SCHEMA,
            Memo,
            _PermitBook,
            screen_rows,
        )

        if (
            _DECLARATIONS is None
            or _DECLARATIONS[1].url != office_db
            or _DECLARATIONS[3] != threshold
        ):
            from bilateral.screening.screen import default_index

            _DECLARATIONS = (default_index(), _PermitBook(office_db), Memo(), threshold)
        index, permits, memo, _ = _DECLARATIONS
        for batch in batches:
            rows, bad = _set_aside(pa.Table.from_batches([batch]), unread)
            con = duckdb.connect()
            con.register("src", rows)
            # One process per Spark task: Spark is the parallelism, not a pool of our own.
            select = screen_rows(
                con, columns, '"__line"', index, threshold, permits, workers=1, memo=memo
            )
            table: pa.Table = con.sql(select).to_arrow_table()
            yield from table.cast(OUTPUT_SCHEMA).to_batches()
            con.close()
            if bad:
                unreadable = [
                    {"line": line, "party_hits": 0, "party_matches": "[]", "error": unread[line]}
                    for line in bad
                ]
                yield from pa.Table.from_pylist(unreadable, OUTPUT_SCHEMA).to_batches()

    return run


def _declaration_schema() -> str:
    from bilateral.screening.declarations import OUTPUT_SCHEMA

    kinds = {
        pa.int64(): "bigint",
        pa.float64(): "double",
        pa.string(): "string",
        pa.bool_(): "boolean",
        pa.list_(pa.string()): "array<string>",
    }
    return ", ".join(f"{f.name} {kinds[f.type]}" for f in OUTPUT_SCHEMA)


def screen_declarations_spark(
    rows: DataFrame,
    threshold: float,
    first_line: int,
    office_db: str | None = None,
    skipped: list[int] | None = None,
    unread: dict[int, str] | None = None,
) -> DataFrame:
    """The declaration lines of ``rows`` screened in Arrow batches, each by the one-machine
    path's ``screen_rows``; lines numbered in file order, past the ``skipped`` (blank)
    lines; the ``unread`` lines (not UTF-8) answered as bad rows, as ``_batches`` does."""
    columns = rows.columns
    line = _numbering(first_line, skipped or [])
    numbered = (
        rows.rdd.zipWithIndex()
        .map(lambda pair: (*pair[0], line(pair[1])))
        .toDF(rows.schema.add("__line", "long"))
    )
    return numbered.mapInArrow(
        _declaration_batches(columns, threshold, office_db, unread or {}), _declaration_schema()
    )


def run_spark_declarations(
    source: Path,
    target: Path,
    threshold: float,
    office_db: str | None = None,
    previous: Path | None = None,
    notice: Callable[[str], None] = print,
) -> tuple[int, int, int, Path | None, int | None]:
    """Screen a declarations file on Spark into a Parquet folder; the bad rows' report
    (line, reason) beside it as the one-machine path writes it. Returns (rows, errors,
    rows with a party hit, the error report or None, the rows whose outcome changed since
    ``previous`` or None); with ``previous`` the folder holds only those."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise BadInput(
            "engine", "Spark is not installed (pip install 'bilateral[spark]')"
        ) from None
    from bilateral.screening.declarations import _PermitBook, check_columns, errors_path

    if not source.is_file():
        raise BadInput("input", f"no such file: {source}")
    check_not_input(source, target)
    staging = _staging(target, notice)
    _PermitBook(office_db)  # an unreadable office database: refused before Spark starts
    skipped, unread = refuse_unreadable_rows(source)
    from bilateral.faces.spark_batch import session

    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        rows = read_rows(spark, source)
        check_columns(rows.columns, source.name)
        screened = screen_declarations_spark(
            rows, threshold, first_line(source), office_db, skipped, unread
        )
        screened.write.mode("errorifexists").parquet(str(staging / "all"))
        written = spark.read.parquet(str(staging / "all"))
        total = written.count()
        hits = written.filter("party_hits > 0").count()
        bad = written.filter("error is not null").select("line", "error").orderBy("line")
        errors = bad.count()
        error_file = None
        clear_errors(target)
        if errors:
            import csv

            error_file = errors_path(target)
            with error_file.open("w", encoding="utf-8", newline="") as handle:
                out = csv.writer(handle)
                out.writerow(["line", "error"])
                out.writerows((r["line"], r["error"]) for r in bad.toLocalIterator())
        changed = _publish(spark, staging, target, previous)
    finally:
        spark.stop()
    return total, errors, hits, error_file, changed
