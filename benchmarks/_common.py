"""What every benchmark in this folder shares: the machine description, one repeat policy
(median of N runs, N printed) and the results file it writes into benchmarks/results/."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import os
import platform
import statistics
import sys
from collections.abc import Iterable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine_info(
    packages: Iterable[str] = ("bilateral", "numpy", "pyarrow", "duckdb"),
) -> list[str]:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for name in packages:
        try:
            versions.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    try:
        load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "load average unknown"
    return [
        f"command : {' '.join([os.path.basename(sys.executable), *sys.argv])}",
        f"date    : {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"cpu     : {cpu}",
        f"cores   : {cores} usable (os.cpu_count()={os.cpu_count()}); {load} at start",
        f"python  : {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"packages: {', '.join(versions)}",
    ]


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class Report:
    """Lines printed as they come and written to benchmarks/results/<name>.txt at the end."""

    def __init__(self, name: str, path: Path | None = None) -> None:
        self.path = path.resolve() if path is not None else RESULTS / f"{name}.txt"
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        root = RESULTS.parent.parent
        shown = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        print(f"\nwritten to {shown}", flush=True)
        return self.path
