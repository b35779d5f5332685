"""`bilateral batch`: screen a CSV or Parquet file of export rows with DuckDB and Arrow.

DuckDB reads the file (in parallel) and the reader's thread prepares each Arrow batch
(``bilateral.engine.rows``: no law needed); the engine's ``Screener`` answers it from facts
it keeps across batches and runs; pyarrow writes the output. The three run as a pipeline
(reader, screener, writer threads with small queues between them), so both cores work
and memory stays bounded whatever the file's length. The output
is written to a temporary file and renamed into place only when every batch has
succeeded, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from bilateral.errors import BadInput

if TYPE_CHECKING:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from bilateral.engine.rows import Prepared

# The engine, the law and the writers are imported once DuckDB has started reading (see
# _run): their imports and the law's loading then overlap the first batches' scan.

CAVEAT_SEPARATOR = " | "  # between a row's caveats in CSV output (Parquet: a list)
# Rows per screened batch (the last one may be shorter), and per Parquet row group: small
# enough that the pipeline fills and drains quickly (its first batch is read and prepared
# before the screener starts, its last screened and written after the reader ends).
BATCH_ROWS = 131_072
_QUEUE = 2  # batches waiting between two stages: bounds memory
# Parquet output: no column statistics (the rows keep the input's order, so no row group's
# min and max would let a reader skip it, and working them out costs a third of the
# writing) and no dictionary for the HS codes (nearly one distinct text per row: the
# writer would build a dictionary only to give it up).
PARQUET_WRITER: dict[str, Any] = {
    "write_statistics": False,
    "use_dictionary": [
        "destination",
        "date",
        "outcome",
        "rules",
        "caveats.list.element",
        "error",
        "law_version",
    ],
}
_DONE = object()
# The input's columns, read by name (in any case; other columns are ignored).
COLUMNS = ("destination", "date", "hs")


def _relation(con: duckdb.DuckDBPyConnection, source: Path) -> duckdb.DuckDBPyRelation:
    suffix = source.suffix.lower()
    if suffix == ".parquet":
        return con.read_parquet(str(source))
    if suffix in (".csv", ".txt", ".gz"):
        # By the header's names, everything as text (the engine reports a malformed value
        # per row, never guesses), and a line that is not a row of those columns refused
        # with its number (``_read``): DuckDB is told the file's shape, not left to guess.
        from bilateral.screening import tabular

        return tabular.csv_text(con, source, tabular.header_naming(source, COLUMNS))
    raise BadInput("input", f"{source.name}: unsupported file type (use .csv or .parquet)")


def batches(relation: duckdb.DuckDBPyRelation, rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """The relation's destination, date and hs columns in tables of ``rows`` rows.

    DuckDB hands out Arrow batches of its own size whatever is asked; they are cut and
    joined here so that every table but the last has exactly ``rows`` rows. DuckDB only
    reads: normalising codes and dates per distinct value in the engine costs less than
    per row in SQL (measured: benchmarks/results/compare-realistic.txt).
    """
    reader = relation.select('"destination", "date", "hs"').to_arrow_reader(rows)
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in reader:
        while batch.num_rows:
            take = min(rows - held, batch.num_rows)
            pending.append(batch.slice(0, take))
            held += take
            batch = batch.slice(take)
            if held == rows:
                yield pa.Table.from_batches(pending)
                pending, held = [], 0
    if held:
        yield pa.Table.from_batches(pending)


def _read(relation: duckdb.DuckDBPyRelation, rows: int, source: Path) -> Iterator[pa.Table]:
    """``batches``, a failure to read the input (a malformed line far into a CSV: DuckDB
    finds it only when it gets there) said in one line, with the line, as a bad input."""
    try:
        yield from batches(relation, rows)
    except (duckdb.Error, pa.ArrowException, OSError) as error:
        from bilateral.screening.tabular import csv_error

        raise csv_error(source, error) from None


def _unreadable(source: Path, error: BaseException) -> BadInput:
    from bilateral.screening.tabular import csv_error

    return csv_error(source, error)


def _prepare(table: pa.Table) -> Prepared:
    from bilateral.engine.rows import prepare

    return prepare(table)


def _stage(
    source: Iterator[Any],
    work: Callable[[Any], Any] | None,
    out: queue.Queue[Any],
    stop: threading.Event,
) -> Callable[[], None]:
    def put(item: Any) -> bool:
        while not stop.is_set():  # a consumer that has failed stops taking: give up then
            try:
                out.put(item, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def run() -> None:
        try:
            for item in source:
                if not put(work(item) if work else item):
                    return
            put(_DONE)
        except BaseException as error:  # handed to the consumer, which re-raises it
            put(error)

    return run


def _drain(inbox: queue.Queue[Any], stop: threading.Event | None = None) -> Iterator[Any]:
    while True:
        try:
            item = inbox.get(timeout=0.05)
        except queue.Empty:
            if stop is not None and stop.is_set():
                return  # the run has failed elsewhere: nothing more is wanted
            continue
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def run_batch(input_path: str, output_path: str, *, batch_rows: int = BATCH_ROWS) -> int:
    source, target = Path(input_path), Path(output_path)
    if not source.is_file():
        raise BadInput("input", f"no such file: {source}")
    if target.suffix.lower() not in (".csv", ".parquet"):
        raise BadInput("output", f"{target.name}: use a .csv or .parquet output")
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # stderr gets one line, not a bar
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        return _run(con, source, target, batch_rows, started, stop, threads)
    finally:
        stop.set()  # a stage still running (the run failed) puts nothing more and ends
        for thread in threads:
            thread.join()
        con.close()


def _run(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    target: Path,
    batch_rows: int,
    started: float,
    stop: threading.Event,
    threads: list[threading.Thread],
) -> int:
    try:
        relation = _relation(con, source)
    except duckdb.Error as error:
        raise _unreadable(source, error) from None
    missing = set(COLUMNS) - set(relation.columns)
    if missing:
        raise BadInput("input", f"{source.name}: missing column(s) {', '.join(sorted(missing))}")
    # DuckDB starts reading (without the GIL) while the engine is imported and the law and
    # its screener are loaded: on two cores the two overlap.
    # The reader also prepares each batch (bilateral.engine.rows: Arrow and NumPy, no law,
    # no lock), so the screener's thread is left only the work that needs its facts.
    read: queue.Queue[Any] = queue.Queue(_QUEUE)
    threads.append(
        threading.Thread(
            target=_stage(_read(relation, batch_rows, source), _prepare, read, stop),
            daemon=True,
        )
    )
    threads[-1].start()
    import pyarrow.compute as pc

    from bilateral.engine import batch as engine

    plain = target.suffix.lower() == ".csv"
    # The screener an earlier run kept (same law, same code): it answers what it has seen
    # without loading the law. Else the law is loaded and a screener built from it.
    screen = engine.warm_screener()
    if screen is None:
        from bilateral.engine.law import default_law

        screen = engine.screener(default_law())

    def answer(table: Prepared) -> pa.Table:
        screened: pa.Table = engine.screen_file_batch(screen, table, plain=plain)
        if plain:  # CSV has no lists: the caveats joined by " | " (empty: none)
            at = screened.schema.get_field_index("caveats")
            joined = pc.binary_join(screened["caveats"], CAVEAT_SEPARATOR)
            screened = screened.set_column(at, "caveats", joined)
        return screened

    done: queue.Queue[Any] = queue.Queue(_QUEUE)
    threads.append(
        threading.Thread(target=_stage(_drain(read, stop), answer, done, stop), daemon=True)
    )
    threads[-1].start()
    # The writer's module is imported while the first batch is screened.
    if plain:
        import pyarrow.csv as pacsv
    else:
        import pyarrow.parquet as pq
    handle, temporary = tempfile.mkstemp(dir=target.parent or Path("."), suffix=target.suffix)
    os.close(handle)
    total = answered = 0
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    try:
        for screened in _drain(done):
            if writer is None:
                writer = (
                    pacsv.CSVWriter(temporary, screened.schema)
                    if plain
                    else pq.ParquetWriter(temporary, screened.schema, **PARQUET_WRITER)
                )
            writer.write_table(screened)
            total += screened.num_rows
            answered += screened["error"].null_count
        if writer is not None:
            writer.close()
            writer = None
        os.replace(temporary, target)
        engine.keep_warm(screen)
    except duckdb.Error as error:
        _discard(writer, temporary)
        raise _unreadable(source, error) from None
    except BaseException:
        _discard(writer, temporary)
        raise
    elapsed = time.perf_counter() - started
    bad = total - answered
    print(
        f"screened {total} rows in {elapsed:.2f}s ({total / max(elapsed, 1e-9):,.0f} rows/s); "
        f"{bad} rows with errors; law {screen.law_version}; wrote {target}",
        file=sys.stderr,
    )
    return 0


def _discard(writer: pq.ParquetWriter | pacsv.CSVWriter | None, temporary: str) -> None:
    if writer is not None:
        with contextlib.suppress(Exception):  # the run has failed already; the file goes
            writer.close()
    Path(temporary).unlink(missing_ok=True)
