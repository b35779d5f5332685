"""`bilateral screen parties|declarations --engine spark`: the same rows, on Apache Spark.

Spark numbers the rows in file order (``zipWithIndex``), each task screens its Arrow
record batches with the same ``ChunkScreener`` as the DuckDB path (``mapInArrow``), the
screening index built once per executor process from the same lists, and the output is a
Parquet folder with the same columns. Declaration lines likewise: each Arrow batch is
screened by the one-machine path's ``declarations.screen_rows`` in an in-memory DuckDB, so
the goods, party and permit answers are the same functions'. Tested on local Spark against
the DuckDB output, row for row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from bilateral.errors import BadInput
from bilateral.screening.bulk import OUTPUT_SCHEMA, ChunkScreener, Options
from bilateral.screening.tabular import first_line, party_columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

_SCREENER: ChunkScreener | None = None


def _batches(options: Options, cols: dict[str, str | None]) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        global _SCREENER
        if _SCREENER is None or _SCREENER.options != options:
            from bilateral.screening.screen import default_index

            _SCREENER = ChunkScreener(default_index(), options)
        for batch in batches:
            table = pa.Table.from_batches([batch])
            yield from _SCREENER((0, table, cols)).to_batches()

    return run


def _spark_schema() -> str:
    kinds = {pa.int64(): "bigint", pa.int32(): "int", pa.float64(): "double", pa.string(): "string"}
    return ", ".join(f"{f.name} {kinds[f.type]}" for f in OUTPUT_SCHEMA)


def screen_parties_spark(rows: DataFrame, options: Options, first_line: int) -> DataFrame:
    columns = rows.columns
    cols = party_columns(columns)
    numbered = (
        rows.rdd.zipWithIndex()
        .map(lambda pair: (*pair[0], pair[1] + first_line))
        .toDF([*columns, "__line"])
    )
    return numbered.mapInArrow(_batches(options, cols), _spark_schema())


def refuse_unreadable_rows(source: Path) -> None:
    """Spark reads a CSV row that does not fit the header its own way (fields padded or
    cut), where the one-machine path reports it by line: such a file is refused here, with
    the first such line, rather than screened to other rows. Checked by DuckDB before Spark
    starts (one pass over the file)."""
    if source.suffix.lower() == ".parquet" or not source.is_file():
        return
    import duckdb

    from bilateral.screening.tabular import rejected_lines, relation

    con = duckdb.connect()
    relation(con, source).aggregate("count(*)").fetchall()
    rejected = rejected_lines(con, source)
    if rejected:
        line, reason = rejected[0]
        raise BadInput(
            "input",
            f"{source.name}: {len(rejected)} row(s) do not fit the header (line {line}, "
            f"{reason.removeprefix('row: ')}); use --engine duckdb, which reports them by "
            "line and screens the rest",
        )


def run_spark_parties(source: Path, target: Path, options: Options) -> int:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise BadInput(
            "engine", "Spark is not installed (pip install 'bilateral[spark]')"
        ) from None
    if target.exists():
        raise BadInput("output", f"{target} already exists; Spark writes a new folder")
    refuse_unreadable_rows(source)
    from bilateral.faces.spark_batch import session

    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        if source.suffix.lower() == ".parquet":
            rows = spark.read.parquet(str(source))
        else:
            rows = spark.read.option("header", True).csv(str(source))
        screened = screen_parties_spark(rows, options, first_line(source))
        screened.write.mode("errorifexists").parquet(str(target))
        written = spark.read.parquet(str(target))
        total = written.count()
        texts = [row[0] for row in written.select("date").distinct().collect()]
    finally:
        spark.stop()
    print(f"{total} row(s) screened on Spark; wrote {target}")
    _write_caveats(texts, target)
    return 0


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
    path = target.with_name(target.name + ".caveats.txt")
    path.write_text("".join(f"{c}\n" for c in caveats), encoding="utf-8")
    print(f"caveats (also in {path}):")
    for caveat in caveats:
        print(f"  ! {caveat}")


# --- declaration lines --------------------------------------------------------------------

_DECLARATIONS: tuple[Any, Any] | None = None  # (index, permit book) per executor process


def _declaration_batches(
    columns: list[str], threshold: float, office_db: str | None
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        global _DECLARATIONS
        import duckdb

        from bilateral.screening.declarations import OUTPUT_SCHEMA, _PermitBook, screen_rows

        if _DECLARATIONS is None or _DECLARATIONS[1].url != office_db:
            from bilateral.screening.screen import default_index

            _DECLARATIONS = (default_index(), _PermitBook(office_db))
        index, permits = _DECLARATIONS
        for batch in batches:
            con = duckdb.connect()
            con.register("src", pa.Table.from_batches([batch]))
            # One process per Spark task: Spark is the parallelism, not a pool of our own.
            select = screen_rows(con, columns, '"__line"', index, threshold, permits, workers=1)
            table: pa.Table = con.sql(select).to_arrow_table()
            yield from table.cast(OUTPUT_SCHEMA).to_batches()
            con.close()

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
    rows: DataFrame, threshold: float, first_line: int, office_db: str | None = None
) -> DataFrame:
    """The declaration lines of ``rows`` screened in Arrow batches, each by the one-machine
    path's ``screen_rows``; lines numbered in file order."""
    columns = rows.columns
    numbered = (
        rows.rdd.zipWithIndex()
        .map(lambda pair: (*pair[0], pair[1] + first_line))
        .toDF(rows.schema.add("__line", "long"))
    )
    return numbered.mapInArrow(
        _declaration_batches(columns, threshold, office_db), _declaration_schema()
    )


def run_spark_declarations(
    source: Path, target: Path, threshold: float, office_db: str | None = None
) -> tuple[int, int, int, Path | None]:
    """Screen a declarations file on Spark into a Parquet folder; the bad rows' report
    (line, reason) beside it as the one-machine path writes it. Returns (rows, errors,
    rows with a party hit, the error report or None)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise BadInput(
            "engine", "Spark is not installed (pip install 'bilateral[spark]')"
        ) from None
    from bilateral.screening.declarations import _PermitBook, check_columns, errors_path

    if not source.is_file():
        raise BadInput("input", f"no such file: {source}")
    if target.exists():
        raise BadInput("output", f"{target} already exists; Spark writes a new folder")
    _PermitBook(office_db)  # an unreadable office database: refused before Spark starts
    refuse_unreadable_rows(source)
    from bilateral.faces.spark_batch import session

    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        if source.suffix.lower() == ".parquet":
            rows = spark.read.parquet(str(source))
        else:
            rows = spark.read.option("header", True).csv(str(source))
        check_columns(rows.columns, source.name)
        screened = screen_declarations_spark(rows, threshold, first_line(source), office_db)
        screened.write.mode("errorifexists").parquet(str(target))
        written = spark.read.parquet(str(target))
        total = written.count()
        hits = written.filter("party_hits > 0").count()
        bad = written.filter("error is not null").select("line", "error").orderBy("line")
        errors = bad.count()
        error_file = None
        if errors:
            import csv

            error_file = errors_path(target)
            with error_file.open("w", encoding="utf-8", newline="") as handle:
                out = csv.writer(handle)
                out.writerow(["line", "error"])
                out.writerows((r["line"], r["error"]) for r in bad.toLocalIterator())
    finally:
        spark.stop()
    return total, errors, hits, error_file
