"""Where the Spark path's time goes: each stage added in turn, per row, on one CSV.

Run:  python benchmarks/spark_stages.py [--rows 3000000] [--dir /tmp/bilateral-spark-bench]
      [--runs 2] [--out results/spark-stages.txt]

One Spark session (local[2]) is warmed first (the JVM's compiler, the Python workers, the
law and the broadcast) on a file of a third of the rows; then the same file is read and
each stage is added in turn: the CSV parsed (JVM only, to Spark's no-op sink); the rows
sent to Python as Arrow and back unchanged; the rows screened (``screen_exports_spark``,
the answers sent back to the JVM); those answers written as Parquet by Spark's writer (as
on a cluster). The next line is what `bilateral batch --engine spark` does with rows
Spark has read (``write_parquet``: a folder, or a compressed file): the rows screened and
written as Parquet by the Python workers, only a count sent back. The last line is what
it does with one CSV file on this machine (``write_csv_parquet``): the workers also read
the file, in byte ranges, so no row goes through the JVM; it is compared with the first
two lines. For each,
the fastest of N runs: wall time per row, and CPU time per row of the JVM and of the
Python worker processes (from /proc, so figures taken while other work runs stay
meaningful). The difference between two lines is the cost of the stage added.
Results go to benchmarks/results/spark-stages.txt (or --out).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from _common import Report, machine_info

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_by_kind() -> tuple[float, float]:
    """CPU seconds so far of this process's descendants: the JVM, and the rest (Python)."""
    procs: dict[int, tuple[int, int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                head, tail = handle.read().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        procs[int(entry)] = (int(fields[1]), ticks, head.split("(", 1)[1])
    me = os.getpid()

    def mine(pid: int) -> bool:
        while pid > 1:
            if pid == me:
                return True
            pid = procs.get(pid, (0, 0, ""))[0]
        return False

    jvm = python = 0
    for pid, (_parent, ticks, name) in procs.items():
        if pid != me and mine(pid):
            if name == "java":
                jvm += ticks
            else:
                python += ticks
    return jvm / _TICK, python / _TICK


def _unchanged(batches: Iterator[Any]) -> Iterator[Any]:
    yield from batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bilateral-spark-bench"))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--out", type=Path, default=None, help="results file (default results/spark-stages.txt)"
    )
    args = parser.parse_args()
    from bilateral.faces import spark_batch as sb

    report = Report("spark-stages", args.out)
    report("== machine")
    for text in machine_info(("bilateral", "pyarrow", "pyspark")):
        report(text)
    args.dir.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    files = {}
    for rows in (args.rows // 3, args.rows):
        files[rows] = args.dir / f"rows-{rows}.csv"
        if not files[rows].exists():
            subprocess.run(
                [
                    *(sys.executable, str(here / "make_rows.py"), str(files[rows])),
                    *("--rows", str(rows), "--seed", str(args.seed)),
                ],
                check=True,
            )
    spark = sb.session("local[2]")
    spark.sparkContext.setLogLevel("ERROR")
    out = args.dir / "stages-out.parquet"
    columns = "destination string, date string, hs string"

    def read(path: Path) -> Any:
        return sb.read_csv(spark.read, str(path)).select("destination", "date", "hs")

    def noop(frame: Any) -> None:
        frame.write.format("noop").mode("overwrite").save()

    def parquet(frame: Any) -> None:
        frame.write.options(**sb.PARQUET_OPTIONS).parquet(str(out))

    def by_workers(path: Path) -> None:
        sb.write_parquet(read(path), str(out))

    def by_workers_from_csv(path: Path) -> None:
        layout = sb.csv_layout(spark, str(path))
        assert layout is not None
        sb.write_csv_parquet(spark, layout, str(out))

    stages: list[tuple[str, Callable[[Path], None]]] = [
        ("CSV parsed (JVM)", lambda p: noop(read(p))),
        ("+ Arrow to Python and back", lambda p: noop(read(p).mapInArrow(_unchanged, columns))),
        ("+ screened in Python", lambda p: noop(sb.screen_exports_spark(read(p)))),
        ("+ Parquet written (JVM)", lambda p: parquet(sb.screen_exports_spark(read(p)))),
        ("screened, written in Python", by_workers),
        ("read, screened, written in Python", by_workers_from_csv),
    ]
    for _name, stage in stages:  # warm: compiler, workers, law, broadcast
        shutil.rmtree(out, ignore_errors=True)
        stage(files[args.rows // 3])
    n = args.rows
    report(f"\n== {n:,} realistic rows (make_rows.py --seed {args.seed}); best of {args.runs}")
    report(f"{'stages':<34} {'wall µs/row':>12} {'JVM CPU µs/row':>15} {'Python CPU µs/row':>18}")
    for name, stage in stages:
        best: tuple[float, float, float] | None = None
        for _ in range(args.runs):
            shutil.rmtree(out, ignore_errors=True)
            jvm, python = cpu_by_kind()
            started = time.perf_counter()
            stage(files[n])
            wall = time.perf_counter() - started
            jvm2, python2 = cpu_by_kind()
            taken = (wall, jvm2 - jvm, python2 - python)
            best = taken if best is None or taken < best else best
        assert best is not None
        wall, jvm, python = (x / n * 1e6 for x in best)
        report(f"{name:<34} {wall:>12.2f} {jvm:>15.2f} {python:>18.2f}")
    shutil.rmtree(out, ignore_errors=True)
    spark.stop()
    report.save()


if __name__ == "__main__":
    main()
