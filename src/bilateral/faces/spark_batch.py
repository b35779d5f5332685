"""Export screening on Apache Spark, for files that outgrow one machine.

The driver ships the compiled law (the checked bundle, with the HS tables and country
table it was checked against) to the executors once, as a Spark broadcast; each executor
process unpickles it once and keeps one ``Screener`` for it, so facts learnt from one
Arrow batch serve every later batch and task in that process. Each task runs the same
vectorised engine as `bilateral batch` on its Arrow record batches (``mapInArrow``), so a
cluster gives the same answers as one machine, row for row, with the same
``law_version``, whatever law files the executors have installed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from bilateral import countries
from bilateral.engine.batch import screen_batch, screener
from bilateral.engine.law import Law, default_law
from bilateral.errors import BadInput
from bilateral.goods import hs

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Rows per Arrow batch handed to Python (Spark's default, 10,000, makes the fixed cost of
# a batch dominate).
ARROW_BATCH_ROWS = 262_144

_LAWS: dict[bytes, Law] = {}  # per executor process: the law of each broadcast
_LAWS_LOCK = threading.Lock()


def compiled_law(law: Law) -> bytes:
    """The law as the driver has it, for a broadcast: bundle, HS editions, country table."""
    return pickle.dumps(
        (law.law_version, law.bundle, hs.editions(), countries._table()),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _law_from(shipped: bytes) -> Law:
    key = hashlib.sha256(shipped).digest()
    with _LAWS_LOCK:
        found = _LAWS.get(key)
        if found is None:
            _version, bundle, editions, table = pickle.loads(shipped)  # our own broadcast
            hs.use_editions(editions)
            countries.use_table(table)
            found = _LAWS[key] = Law(bundle)
        return found


def _screener_of(broadcast: Any) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def screen_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        law = _law_from(broadcast.value)  # unpickled once per executor process
        screener(law)  # one Screener per law and process: facts kept across tasks
        for batch in batches:
            plain = screen_batch(law, pa.Table.from_batches([batch]), plain=True)
            yield from plain.to_batches()

    return screen_batches


def screen_exports_spark(rows: DataFrame, law: Law | None = None) -> DataFrame:
    """Add the engine's answer columns to a Spark DataFrame of destination, date, hs."""
    missing = {"destination", "date", "hs"} - set(rows.columns)
    if missing:
        raise BadInput("input", f"missing column(s) {', '.join(sorted(missing))}")
    law = law or default_law()
    shipped = rows.sparkSession.sparkContext.broadcast(compiled_law(law))
    selected = rows.select("destination", "date", "hs")
    date_type = dict(selected.dtypes)["date"]
    schema = (
        f"destination string, date {date_type}, hs string, outcome string, "
        "permit_required boolean, rules string, caveats array<string>, error string, "
        "law_version string"
    )
    return selected.mapInArrow(_screener_of(shipped), schema)


def session(master: str | None = None) -> SparkSession:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master or os.environ.get("BILATERAL_SPARK_MASTER", "local[*]"))
        .appName("bilateral-batch")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH_ROWS))
        .getOrCreate()
    )


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
            rows = reader.option("header", True).csv(input_path)
        screened = screen_exports_spark(rows)
        screened.write.mode("errorifexists").parquet(output_path)
        total = spark.read.parquet(output_path).count()
    finally:
        spark.stop()
    elapsed = time.perf_counter() - started
    print(f"screened {total} rows on Spark in {elapsed:.1f}s; wrote {output_path}", file=sys.stderr)
    return 0
