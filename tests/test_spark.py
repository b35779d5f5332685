"""Screening on Spark gives the one-machine engine's answers, row for row."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bilateral.engine.batch import screen_exports
from bilateral.engine.law import default_law
from bilateral.errors import BadInput

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (extra: spark)")
if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark on this machine", allow_module_level=True)

ROWS = [
    ("BY", "2006-12-13", "0402"),
    ("BY", "2006-12-14", "0402"),
    ("BY", "2006-12-14", "8703"),
    ("BY", "2016-05-07", "8703"),
    ("BY", "2017-06-20", "8703"),
    ("BY", "2022-08-24", "711319"),
    ("KP", "2015-01-01", "0402"),
    ("Bélarus", "2014-03-01", "3004"),
    ("Narnia", "2014-03-01", "01"),
    ("BY", "2014-02-30", "0402"),
    ("DE", "2020-01-01", "440111"),
]


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    from bilateral.faces.spark_batch import session

    spark = session("local[2]")
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


def test_spark_and_one_machine_screening_agree_row_for_row(spark) -> None:  # type: ignore[no-untyped-def]
    from bilateral.faces.spark_batch import screen_exports_spark

    frame = spark.createDataFrame(ROWS, "destination string, date string, hs string").repartition(3)
    on_spark = sorted(
        screen_exports_spark(frame).collect(), key=lambda r: (r.destination, r.date, r.hs)
    )
    table = pa.table({k: [r[i] for r in ROWS] for i, k in enumerate(("destination", "date", "hs"))})
    local = sorted(
        screen_exports(default_law(), table).to_pylist(),
        key=lambda r: (r["destination"], r["date"], r["hs"]),
    )
    assert len(on_spark) == len(local) == len(ROWS)
    for remote, here in zip(on_spark, local, strict=True):
        assert remote.outcome == here["outcome"]
        assert remote.permit_required == here["permit_required"]
        assert remote.error == here["error"]
        assert remote.rules == here["rules"]
        assert remote.caveats == here["caveats"]
        assert remote.law_version == default_law().law_version
    assert {r.outcome for r in on_spark} >= {
        "generally_approved",
        "generally_denied",
        "normally_issued",
        "not_required",
        "prohibited",
    }


def test_batch_command_on_spark_writes_a_parquet_folder(tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    # Columns in another order, one more, and a byte-order mark: read by name.
    source.write_text(
        "\ufeffhs,note,destination,date\n0402,a,BY,2014-03-01\n8703,b,BY,2018-01-01\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.parquet"
    # Run as `.venv/bin/bilateral` is run without activating the venv: the first `python3`
    # on the PATH is the system's (no pyarrow, no bilateral); the workers must not use it.
    env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_PYTHON", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/bin:/bin"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bilateral.faces.cli",
            "batch",
            str(source),
            "--output",
            str(target),
            "--engine",
            "spark",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "screened 2 rows on Spark in " in done.stderr
    rows = sorted(pq.read_table(target).to_pylist(), key=lambda r: r["date"])
    assert [r["outcome"] for r in rows] == ["generally_approved", "not_required"]
    assert [(r["destination"], r["date"], r["hs"]) for r in rows] == [
        ("BY", "2014-03-01", "0402"),
        ("BY", "2018-01-01", "8703"),
    ]
    # Written as `bilateral batch` writes Parquet: no statistics, no dictionary for hs.
    parts = sorted(target.glob("part-*.parquet"))
    assert parts
    for part in parts:
        meta = pq.ParquetFile(part).metadata
        for g in range(meta.num_row_groups):
            for c in range(meta.num_columns):
                column = meta.row_group(g).column(c)
                assert not column.is_stats_set, column.path_in_schema
                if column.path_in_schema == "hs":
                    assert not column.has_dictionary_page
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "bilateral.faces.cli",
            "batch",
            str(source),
            "--output",
            str(target),
            "--engine",
            "spark",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.parametrize("date_type", ["string", "date"])
def test_the_workers_write_the_parquet_sparks_writer_would(  # type: ignore[no-untyped-def]
    spark, tmp_path: Path, date_type: str
) -> None:
    from pyspark.sql import functions as F

    from bilateral.faces.spark_batch import PARQUET_OPTIONS, screen_exports_spark, write_parquet

    frame = spark.createDataFrame(ROWS * 50, "destination string, date string, hs string")
    frame = frame.withColumn("date", F.col("date").try_cast(date_type)).repartition(3)
    # As Spark's writer writes them (the path taken on a cluster)...
    jvm = tmp_path / "jvm"
    screen_exports_spark(frame).write.options(**PARQUET_OPTIONS).parquet(str(jvm))
    # ... and by the Python workers, each its own part (Spark on one machine).
    workers = tmp_path / "workers"
    assert write_parquet(frame, str(workers)) == len(ROWS) * 50
    assert sorted(p.name for p in workers.iterdir()) == [
        "_SUCCESS", "part-00000.parquet", "part-00001.parquet", "part-00002.parquet",
    ]  # fmt: skip
    expected = pq.read_table(jvm)
    written = pq.read_table(workers)
    assert written.schema == expected.schema and written.num_rows == expected.num_rows
    key = [(name, "ascending") for name in ("destination", "date", "hs")]
    assert written.sort_by(key).to_pylist() == expected.sort_by(key).to_pylist()
    assert spark.read.parquet(str(workers)).schema == spark.read.parquet(str(jvm)).schema
    # No rows: one part with the columns, as Spark's writer leaves.
    empty = tmp_path / "empty"
    assert write_parquet(frame.limit(0), str(empty)) == 0
    assert pq.read_table(empty).schema == expected.schema
    with pytest.raises(BadInput, match="already exists"):
        write_parquet(frame, str(workers))


def test_an_executor_starts_with_the_facts_the_driver_ships() -> None:
    from bilateral.engine import batch as engine
    from bilateral.faces.spark_batch import _screener_from, compiled_law

    law = default_law()
    table = pa.table({k: [r[i] for r in ROWS] for i, k in enumerate(("destination", "date", "hs"))})
    driver = engine.Screener(law)
    here = engine.screen_file_batch(driver, table, plain=True).to_pylist()
    executor = _screener_from(compiled_law(law, engine.warm_state(driver)))
    assert executor is not driver and executor.learnt == driver.learnt
    assert executor.learnt[2] > 0  # answers the driver had worked out
    assert engine.screen_file_batch(executor, table, plain=True).to_pylist() == here
    assert executor.learnt == driver.learnt  # nothing asked again
    cold = _screener_from(compiled_law(law))
    assert cold.learnt == (0, 0, 0)
    assert engine.screen_file_batch(cold, table, plain=True).to_pylist() == here


def test_spark_reads_codes_written_any_way_as_the_one_machine_engine_does(spark) -> None:  # type: ignore[no-untyped-def]
    from bilateral.faces.spark_batch import screen_exports_spark

    codes = ["81129221", "8112.92.21", "8112922100", "81129229", "7113.19", "0402 10 00"]
    codes += ["\t0402.10 ", "04x2", "0402.1", "3004.90.91.00", "440111"]
    days = ("2014-03-01", "2023-01-01")
    rows = [(d, day, h) for d in ("BY", "Belarus", "DE") for day in days for h in codes]
    frame = spark.createDataFrame(rows, "destination string, date string, hs string")
    key = lambda r: (r[0], r[1], r[2])  # noqa: E731
    on_spark = sorted(
        (
            (r.destination, r.date, r.hs, r.outcome, r.error)
            for r in screen_exports_spark(frame).collect()
        ),
        key=key,
    )
    table = pa.table({k: [r[i] for r in rows] for i, k in enumerate(("destination", "date", "hs"))})
    local = sorted(
        (
            (r["destination"], r["date"], r["hs"], r["outcome"], r["error"])
            for r in screen_exports(default_law(), table).to_pylist()
        ),
        key=key,
    )
    assert on_spark == local
    assert any(r[3] == "prohibited" for r in local) and any(r[4] for r in local)


# --- a CSV on this machine: read by the Python workers, as `bilateral batch` reads it ----


def _messy_csv(path: Path, rows: int) -> Path:
    """Rows as people write them: a byte-order mark, the columns in another order and one
    more, names quoted (commas, doubled quotes), empty fields, CRLF endings, blank lines."""
    spellings = ["BY", "Belarus", '"Korea, Democratic People\'s Republic of"', "RU", "", "DE"]
    codes = ["0402", "8703.23", '"8703.23.10"', "", "711319", "04x2", "3004.90.91.00"]
    days = ["2006-12-13", "2006-12-14", "2017-06-20", "2022-08-24", "", "2014-02-30"]
    lines = ["\ufeffhs,note,Destination,date"]
    for i in range(rows):
        note = '"said ""yes"", then no"' if i % 7 == 0 else f"n{i}"
        lines.append(f"{codes[i % 7]},{note},{spellings[i % 6]},{days[i % 11 % 6]}")
        if i % 97 == 0:
            lines.append("")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def _small_splits(spark, path: Path):  # type: ignore[no-untyped-def]
    from bilateral.faces.spark_batch import csv_layout

    spark.conf.set("spark.sql.files.maxPartitionBytes", "2k")
    spark.conf.set("spark.sql.files.openCostInBytes", "1k")
    try:
        return csv_layout(spark, str(path))
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
        spark.conf.unset("spark.sql.files.openCostInBytes")


def test_the_workers_read_a_csv_in_byte_ranges_as_bilateral_batch_reads_it(  # type: ignore[no-untyped-def]
    spark, tmp_path: Path
) -> None:
    from bilateral.faces.batch_cli import run_batch
    from bilateral.faces.spark_batch import write_csv_parquet

    source = _messy_csv(tmp_path / "rows.csv", 1_500)
    layout = _small_splits(spark, source)
    assert layout is not None and len(layout.splits) > 20
    data = source.read_bytes()
    # The ranges follow one another from the first data line to the end, each of whole
    # lines: no row is read twice, none lost, none cut.
    assert layout.splits[0][0] == data.index(b"\n") + 1
    assert layout.splits[-1][1] == len(data)
    for (_, end), (start, _) in zip(layout.splits, layout.splits[1:], strict=False):
        assert end == start and data[end - 1 : end] == b"\n"
    on_spark = tmp_path / "spark.parquet"
    assert write_csv_parquet(spark, layout, str(on_spark)) == 1_500
    duck = tmp_path / "duck.parquet"
    assert run_batch(str(source), str(duck)) == 0
    there, here = pq.read_table(on_spark).to_pylist(), pq.read_table(duck).to_pylist()
    assert there == here  # the same rows, in the file's order
    assert {r["destination"] for r in here} >= {None, "Korea, Democratic People's Republic of"}
    assert {r["outcome"] for r in here} >= {"generally_denied", "prohibited", "not_required"}
    assert any(r["error"] for r in here)
    assert (on_spark / "_SUCCESS").exists() and not (on_spark / "_temporary").exists()


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("BY,2014-03-01", "fewer fields than the header has columns"),
        ("BY,2014-03-01,0402,more", "more fields than the header has columns"),
        ("B\udcffY,2014-03-01,0402", "not UTF-8 text"),
        ('BY,"2014-03-01,0402', "a quote not closed on its line (Spark reads a row per line: "
         "a value that runs over lines is read by --engine duckdb)"),
    ],
)  # fmt: skip
def test_a_line_that_is_not_a_row_stops_the_workers_with_its_number_and_writes_nothing(  # type: ignore[no-untyped-def]
    spark, tmp_path: Path, line: str, said: str
) -> None:
    from bilateral.faces.spark_batch import write_csv_parquet

    good = [f"BY,2014-03-01,{4000 + i % 100}" for i in range(400)]
    # In a range after the first, and a second bad line after it: the first is said.
    lines = ["destination,date,hs", *good, line, *good, "BY,2014-03-01"]
    source = tmp_path / "rows.csv"
    source.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
    layout = _small_splits(spark, source)
    assert layout is not None and len(layout.splits) > 3
    target = tmp_path / "out.parquet"
    with pytest.raises(BadInput) as refused:
        write_csv_parquet(spark, layout, str(target))
    assert str(refused.value) == f"input: rows.csv: line 402: {said}; nothing was written"
    assert not target.exists()


def test_a_csv_of_blank_lines_leaves_the_columns_and_no_rows(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bilateral.faces.spark_batch import csv_layout, write_csv_parquet

    source = tmp_path / "rows.csv"
    source.write_text("destination,date,hs,note\r\n\r\n\r\n", encoding="utf-8")
    layout = csv_layout(spark, str(source))
    assert layout is not None
    target = tmp_path / "out.parquet"
    assert write_csv_parquet(spark, layout, str(target)) == 0
    written = pq.read_table(target)
    assert written.num_rows == 0
    assert written.column_names[:4] == ["destination", "date", "hs", "outcome"]


def test_batch_on_spark_refuses_a_short_line_as_on_duckdb(tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("destination,date,hs\nBY,2014-03-01,0402\nBY,2014-03-01\n", "utf-8")
    said = {}
    for engine in ("duckdb", "spark"):
        target = tmp_path / f"{engine}.parquet"
        command = [sys.executable, "-m", "bilateral.faces.cli", "batch", str(source)]
        done = subprocess.run([*command, "--output", str(target), "--engine", engine],
                              capture_output=True, text=True, check=False, timeout=300)  # fmt: skip
        assert done.returncode == 2 and not target.exists()
        said[engine] = done.stderr.strip().splitlines()[-1]
    assert said["spark"] == said["duckdb"]
    assert said["spark"] == (
        "bilateral: error: input: rows.csv: line 3: fewer fields than the header has columns; "
        "nothing was written"
    )


# --- declaration lines: Spark gives the one-machine path's rows --------------------------

DECLARATION_ROWS = [
    # date, direction, destination, origin, hs, ecl, exporter, consignee, permit, quantity
    ("2023-01-01", "export", "Belarus", "", "8703.23", "", "Maple Foods Ltd", "OAO Belaruskali",
     "", ""),
    ("2021-01-01", "export", "BY", "", "3004.90", "", "Maple Foods Ltd", "Belaruskaliy JSC",
     "EXP-1", "10"),
    ("2023-01-01", "import", "", "BY", "8703.23", "", "", "", "", ""),
    ("2023-13-01", "export", "BY", "", "3004.90", "", "", "", "", ""),  # not a date
    ("2022-03-07", "export", "BY", "", "0402", "", "", "OAO Belaruskali", "", ""),  # day before
    ("2022-03-08", "export", "BY", "", "0402", "", "", "OAO Belaruskali", "", ""),  # listed
    ("2021-01-01", "export", "Narnia", "", "0402", "", "", "", "", ""),  # unknown country
    ("2021-01-01", "sideways", "BY", "", "0402", "", "", "", "", ""),  # bad direction
    ("2021-01-01", "export", "BY", "", "", "", "", "", "", ""),  # no goods
    ("2020-10-01", "export", "Bélarus", "", "8703", "", "LUKASHENKA, Alyaksandr Hryhoryavich",
     "", "", ""),
    ("2014-03-01", "export", "RU", "", "", "2-5.1", "", "", "", ""),
    # a name with quotes, written as CSV writes it ("" inside a quoted field)
    ("2023-01-01", "export", "BY", "", "8703", "", 'Open Joint Stock Company "Belaruskali"',
     "", "", ""),
]  # fmt: skip
DECLARATION_HEADER = ("date,direction,destination,origin,hs,ecl,exporter,consignee,permit,"
                      "quantity")  # fmt: skip


def _declarations_csv(path: Path) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(DECLARATION_HEADER.split(","))
        writer.writerows(DECLARATION_ROWS)
    return path


def test_spark_screens_declarations_to_the_same_rows_as_duckdb(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bilateral.screening.declarations import screen_declarations
    from bilateral.screening.screen import default_index
    from bilateral.screening.spark import read_rows, screen_declarations_spark

    source = _declarations_csv(tmp_path / "d.csv")
    local = tmp_path / "local.parquet"
    report = screen_declarations(source, local, default_index(), 0.8)
    here = pq.read_table(local).to_pylist()
    # Batches of 3 rows: every batch answers its own questions, as Spark's tasks do.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "3")
    try:
        frame = read_rows(spark, source)
        remote = screen_declarations_spark(frame, 0.8, first_line=2).collect()
    finally:
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "262144")
    there = sorted((r.asDict() for r in remote), key=lambda r: r["line"])
    assert len(here) == len(there) == len(DECLARATION_ROWS) == report.rows
    for a, b in zip(here, there, strict=True):
        assert a == b
    by_line = {r["line"]: r for r in there}
    assert by_line[5]["error"] == "date: 2023-13-01 is not a date (YYYY-MM-DD)"
    assert by_line[8]["error"] == "country: unknown country Narnia"
    # Belaruskali: not yet listed on 2022-03-07, listed from 2022-03-08.
    assert by_line[6]["party_hits"] == 0 and by_line[7]["party_hits"] == 1


def test_screen_declarations_on_spark_reports_bad_rows_like_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path / "data"))  # the run log: private
    source = _declarations_csv(tmp_path / "d.csv")
    duck = tmp_path / "duck.parquet"
    on_spark = tmp_path / "spark.parquet"
    command = [sys.executable, "-m", "bilateral.faces.cli", "screen", "declarations", str(source)]
    done = subprocess.run([*command, "--output", str(duck)], capture_output=True, text=True,
                          check=False, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    done = subprocess.run([*command, "--output", str(on_spark), "--engine", "spark"],
                          capture_output=True, text=True, check=False, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "12 row(s) screened: 4 with a possible match, 4 not screened" in done.stdout
    assert (tmp_path / "spark.errors.csv").read_text() == (tmp_path / "duck.errors.csv").read_text()
    assert (tmp_path / "spark.errors.csv").read_text().splitlines() == [
        "line,error",
        "5,date: 2023-13-01 is not a date (YYYY-MM-DD)",
        "8,country: unknown country Narnia",
        "9,direction: sideways (use export or import)",
        "10,hs: give an HS code or an ECL item",
    ]
    spark_rows = sorted(pq.read_table(on_spark).to_pylist(), key=lambda r: r["line"])
    assert spark_rows == pq.read_table(duck).to_pylist()


def test_spark_refuses_a_csv_with_rows_that_do_not_fit_its_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bilateral.faces.cli import main

    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path / "data"))
    source = tmp_path / "d.csv"
    source.write_text(
        "date,direction,destination,hs\n2023-01-01,export,BY,0402\n2023-01-01,export,BY,04,x\n",
        encoding="utf-8",
    )
    for kind in ("declarations", "parties"):
        out = tmp_path / f"{kind}.parquet"
        code = main(["screen", kind, str(source), "--output", str(out), "--engine", "spark"])
        assert code == 2 and not out.exists()
        assert capsys.readouterr().err.strip() == (
            "bilateral: error: input: d.csv: 1 row(s) do not fit the header (line 3, more "
            "fields than the header has columns); use --engine duckdb, which reports them by "
            "line and screens the rest"
        )


# --- re-screening after a list update: Spark keeps the rows DuckDB keeps ------------------

PARTY_ROWS = (
    "row_id,name,date\n"
    "1,Maple Foods Ltd,2022-05-31\n"  # the day before the update's listing
    "2,Maple Foods Ltd,2022-06-01\n"  # listed that day
    "3,OAO Belaruskali,2022-03-08\n"
    "4,,2022-06-01\n"  # no name: reported, not screened
)


def _list_update(tmp_path: Path) -> None:
    """Import a list naming Maple Foods Ltd from 2022-06-01 (as an analyst would)."""
    import datetime as dt

    from bilateral.faces.cli import main
    from bilateral.screening.lists import ftm
    from bilateral.screening.model import Entry, Snapshot

    entry = Entry("t/1", "Organization", "Maple Foods Ltd", listed_from=dt.date(2022, 6, 1),
                  reference="Test 1")  # fmt: skip
    path = tmp_path / "update.ftm.jsonl"
    ftm.write_ftm(Snapshot("test", "T", "t", None, "t", (entry,)), path)
    assert main(["screen", "lists", "import", "ftm", str(path)]) == 0


@pytest.mark.parametrize(
    ("kind", "earlier", "line", "was"),
    [("parties", "before.csv", 3, "was: no hits"),
     ("declarations", "before.parquet", 2,
      "was: consignee sor-2020-214/1/2/15 (listed); outcome prohibited")],
)  # fmt: skip
def test_rescreening_on_spark_keeps_the_rows_duckdb_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, earlier: str, line: int, was: str
) -> None:
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path / "data"))  # lists and run log
    monkeypatch.setenv("BILATERAL_SPARK_MASTER", "local[2]")
    if kind == "parties":
        source = tmp_path / "p.csv"
        source.write_text(PARTY_ROWS, encoding="utf-8")
    else:
        source = _declarations_csv(tmp_path / "d.csv")

    def run(*args: str) -> str:
        command = [sys.executable, "-m", "bilateral.faces.cli", "screen", kind, str(source)]
        done = subprocess.run([*command, *args], capture_output=True, text=True, check=False,
                              timeout=900)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    before = tmp_path / earlier
    run("--output", str(before))  # the lists as shipped
    _list_update(tmp_path)
    duck = tmp_path / "duck.parquet"
    said = run("--output", str(duck), "--previous", str(before))
    assert f"1 row(s) changed outcome since {before}; written to {duck}" in said
    on_duck = said
    on_spark = tmp_path / "spark.parquet"
    # A killed Spark run leaves its folder; the next run removes it and says so.
    (tmp_path / "spark.parquet.spark" / "all").mkdir(parents=True)
    said = run("--output", str(on_spark), "--previous", str(before), "--engine", "spark")
    assert said.splitlines()[0] == (
        "starting over: Spark runs do not resume; removed spark.parquet.spark, left by an "
        "interrupted run"
    )
    assert f"1 row(s) changed outcome since {before}; written to {on_spark}" in said
    assert not (tmp_path / "spark.parquet.spark").exists()
    # The same summary (rows, possible matches, rows not screened, list versions) and the
    # same bad-rows report as on DuckDB; the run is in the decision log either way.

    def summary(text: str) -> list[str]:
        return [x for x in text.splitlines() if "row(s) screened:" in x or x.startswith("lists:")]

    assert summary(said) == summary(on_duck) and summary(said), said
    assert (tmp_path / "spark.errors.csv").read_text() == (tmp_path / "duck.errors.csv").read_text()
    assert "logged as run" in said and "logged as run" in on_duck
    here = pq.read_table(duck).to_pylist()
    there = sorted(pq.read_table(on_spark).to_pylist(), key=lambda r: r["line"])
    assert here == there
    # Only the row on the listing date changed; the row before it did not.
    assert [(r["line"], r["change"]) for r in there] == [(line, was)]
    assert pq.read_table(on_spark).column_names == pq.read_table(duck).column_names
    assert pq.read_table(duck).column_names[-1] == "change"


@pytest.mark.parametrize("kind", ["parties", "declarations"])
def test_spark_reports_a_row_that_is_not_utf8_and_counts_blank_lines_as_duckdb_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path / "data"))
    source = tmp_path / "in.csv"
    if kind == "parties":
        source.write_bytes(
            b"id,name,date\n1,A,2021-01-01\n\n\n2,B,2021-01-01\n"
            b"3,Lukashenk\xe9 Aleksandr,2021-01-01\n4,Aleksandr Lukashenko,2021-01-01\n"
            b"5,C,31/12/2021\n"
        )
        expected = ["line,name,error", '6,,"row: not UTF-8 text"',
                    "8,\"C\",\"date: '31/12/2021' is not a date (YYYY-MM-DD)\""]  # fmt: skip
    else:
        source.write_bytes(
            b"date,destination,hs,consignee\n2023-01-01,BY,0402,Maple\n\n"
            b"2023-01-01,BY,0402,Lukashenk\xe9\n31/12/2021,BY,0402,Maple\n"
        )
        expected = ["line,error", "4,row: not UTF-8 text",
                    "5,date: 31/12/2021 is not a date (YYYY-MM-DD)"]  # fmt: skip
    command = [sys.executable, "-m", "bilateral.faces.cli", "screen", kind, str(source)]
    for engine in ("duckdb", "spark"):
        done = subprocess.run(
            [*command, "--output", str(tmp_path / f"{engine}.parquet"), "--engine", engine],
            capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    errors = (tmp_path / "spark.errors.csv").read_text(encoding="utf-8")
    assert errors == (tmp_path / "duckdb.errors.csv").read_text(encoding="utf-8")
    assert errors.replace('"line","name","error"', "line,name,error").splitlines() == expected
    duck = pq.read_table(tmp_path / "duckdb.parquet").to_pylist()
    spark_rows = sorted(pq.read_table(tmp_path / "spark.parquet").to_pylist(),
                        key=lambda r: r["line"])  # fmt: skip
    assert spark_rows == duck
