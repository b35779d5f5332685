"""Screening on Spark gives the one-machine engine's answers, row for row."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bilateral.engine.batch import screen_exports
from bilateral.engine.law import default_law

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
    source.write_text(
        "destination,date,hs\nBY,2014-03-01,0402\nBY,2018-01-01,8703\n", encoding="utf-8"
    )
    target = tmp_path / "out.parquet"
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
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = sorted(pq.read_table(target).to_pylist(), key=lambda r: r["date"])
    assert [r["outcome"] for r in rows] == ["generally_approved", "not_required"]
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
