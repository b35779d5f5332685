"""Where Spark pays: `bilateral batch` on DuckDB and on local Spark, 1M to 30M rows.

Run:  python benchmarks/spark_bench.py [--sizes 1000000 10000000 30000000] [--runs 1]
      [--dir /tmp/bilateral-spark-bench] [--out results/spark.txt]

For each size, realistic rows are written once by make_rows.py (CSV, seed 7) and both
engines screen the same file end to end, each a new process (`bilateral batch rows.csv
--output out.parquet [--engine spark]`, Spark on local[*]): median of N runs, N printed.
Per-row cost is time / rows; the marginal cost is the extra time per extra row between
two sizes (start-up, the law and the JVM excluded). Peak memory is the batch process's
maximum resident set (GNU time); for Spark that is the Python driver, not the JVM.
Results go to benchmarks/results/spark.txt (or --out).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import Report, machine_info, median


def run(command: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (KB) of one process."""
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    done = subprocess.run([*timer, *command], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    last = done.stderr.strip().splitlines()[-1] if timer else "0"
    return seconds, int(last) if last.isdigit() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 30_000_000])
    parser.add_argument(
        "--spark-sizes",
        type=int,
        nargs="*",
        default=None,
        help="sizes Spark is run at (default: all of --sizes)",
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bilateral-spark-bench"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--out", type=Path, default=None, help="results file (default benchmarks/results/spark.txt)"
    )
    args = parser.parse_args()
    report = Report("spark", args.out)
    report("== machine")
    for text in machine_info(("bilateral", "duckdb", "pyarrow", "pyspark")):
        report(text)
    args.dir.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    batch = [sys.executable, "-m", "bilateral.faces.cli", "batch"]
    report(f"\n== realistic rows (make_rows.py --seed {args.seed}); median of {args.runs} run(s)")
    report(
        f"{'rows':>12} {'engine':<8} {'seconds':>9} {'rows/s':>12} {'µs/row':>8} {'peak RSS':>10}"
    )
    results: dict[tuple[str, int], float] = {}
    for size in args.sizes:
        source = args.dir / f"rows-{size}.csv"
        if not source.exists():
            subprocess.run(
                [
                    sys.executable,
                    str(here / "make_rows.py"),
                    str(source),
                    "--rows",
                    str(size),
                    "--seed",
                    str(args.seed),
                ],
                check=True,
            )
        for engine in ("duckdb", "spark"):
            if engine == "spark" and args.spark_sizes is not None and size not in args.spark_sizes:
                report(f"{size:>12,} {engine:<8} {'not run':>9}")
                continue
            times, peaks = [], []
            for _ in range(args.runs):
                target = args.dir / f"out-{engine}-{size}.parquet"
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink(missing_ok=True)
                seconds, peak = run(
                    [*batch, str(source), "--output", str(target), "--engine", engine]
                )
                times.append(seconds)
                peaks.append(peak)
            t = median(times)
            results[(engine, size)] = t
            report(
                f"{size:>12,} {engine:<8} {t:>9.2f} {size / t:>12,.0f} {t / size * 1e6:>8.2f} "
                f"{max(peaks) / 1024:>8.0f} MB"
            )
    report("\n== marginal cost per extra row (between consecutive sizes run)")
    marginal: dict[tuple[str, int, int], float] = {}
    for engine in ("duckdb", "spark"):
        sizes = [n for n in args.sizes if (engine, n) in results]
        for a, b in itertools.pairwise(sizes):
            extra = (results[(engine, b)] - results[(engine, a)]) / (b - a)
            marginal[(engine, a, b)] = extra
            report(f"{engine:<8} {a:>12,} → {b:>12,}: {extra * 1e6:6.2f} µs/row")
    for (engine, a, b), extra in marginal.items():
        if engine == "spark" and ("duckdb", a, b) in marginal:
            ratio = extra / marginal[("duckdb", a, b)]
            report(f"ratio Spark ÷ DuckDB marginal cost {a:,} → {b:,}: {ratio:5.2f} ×")
    report.save()
    if os.environ.get("BILATERAL_BENCH_KEEP") != "1":
        for path in args.dir.glob("out-*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


if __name__ == "__main__":
    main()
