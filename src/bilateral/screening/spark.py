"""`bilateral screen parties --engine spark`: the same rows, screened on Apache Spark.

Spark numbers the rows in file order (``zipWithIndex``), each task screens its Arrow
record batches with the same ``ChunkScreener`` as the DuckDB path (``mapInArrow``), the
screening index built once per executor process from the same lists, and the output is a
Parquet folder with the same columns. Tested on local Spark against the DuckDB output,
row for row.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def run_spark_parties(source: Path, target: Path, options: Options) -> int:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise BadInput(
            "engine", "Spark is not installed (pip install 'bilateral[spark]')"
        ) from None
    if target.exists():
        raise BadInput("output", f"{target} already exists; Spark writes a new folder")
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
