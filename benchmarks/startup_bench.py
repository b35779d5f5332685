"""How long one CLI answer takes, from the shell's point of view: process start to exit.

Run:  python benchmarks/startup_bench.py [--runs 15]

Scenarios, each a fresh process per run (the figure a person at a terminal sees):
- floor: ``python -c pass`` and ``python -c "import pydantic"`` (what any answer pays);
- warm: the compiled-law cache holds this law version (every run after the first);
- cold: an empty cache directory per run, so the law is parsed, checked and cached;
- no cache: ``BILATERAL_LAW_CACHE=off``, the law parsed and checked at every start.
Byte-code is compiled once (as ``pip install`` does) under a private PYTHONPYCACHEPREFIX.
Each is the median (and p90, min) of N runs, N printed; "cpu" is the child's user+system
time, which other load on the machine disturbs less than the wall clock does. The floors
and the warm questions run in rounds, one of each per round, so that a slow spell of a
shared machine lands on all of them alike rather than on whichever ran then.
Results go to benchmarks/results/startup.txt.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from _common import Report, machine_info, median, percentile

QUESTIONS = {
    "check export --hs": ["check", "export", "--to", "BY", "--on", "2014-12-01", "--hs", "0402.10"],
    "check export --json": [
        *("check", "export", "--to", "Belarus", "--on", "2014-12-01"),
        *("--category", "medicines", "--json"),
    ],
    "check party": ["check", "party", "Lukashenko Alexander", "--on", "2024-01-01"],
    "check import": ["check", "import", "--from", "BY", "--on", "2023-01-01", "--hs", "8703.23"],
}
TARGET_MS = 150.0


def command() -> list[str]:
    found = shutil.which("bilateral")
    return [found] if found else [sys.executable, "-m", "bilateral.faces.cli"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000


def measure(
    argv: list[str], runs: int, env: dict[str, str], cold: bool = False
) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        if cold:
            with tempfile.TemporaryDirectory(prefix="bilateral-cold-") as folder:
                wall, cpu = run_once(argv, {**env, "XDG_CACHE_HOME": folder})
        else:
            wall, cpu = run_once(argv, env)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus


def line(label: str, walls: list[float], cpus: list[float], target: bool = False) -> str:
    verdict = ""
    if target:
        verdict = "PASS" if median(walls) < TARGET_MS else "FAIL"
        verdict = f"  median<{TARGET_MS:.0f}ms {verdict}"
    return (
        f"{label:<44} n={len(walls):<3} median {median(walls):6.0f} ms  p90 "
        f"{percentile(walls, 90):6.0f}  min {min(walls):6.0f}  cpu {median(cpus):5.0f} ms{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    report = Report("startup")
    report("== machine")
    for text in machine_info(("bilateral", "pydantic", "pyyaml")):
        report(text)
    base = command()
    report(f"\n== `{' '.join(os.path.basename(p) for p in base)} ...`, each run a new process")
    with (
        tempfile.TemporaryDirectory(prefix="bilateral-warm-") as warm_home,
        tempfile.TemporaryDirectory(prefix="bilateral-pyc-") as pycache,
    ):
        # Byte-code as an installed package has it (pip compiles .pyc files at install):
        # written once under a private prefix, even where PYTHONDONTWRITEBYTECODE is set.
        env = {**os.environ, "XDG_CACHE_HOME": warm_home, "PYTHONPYCACHEPREFIX": pycache}
        env.pop("BILATERAL_LAW_CACHE", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        run_once([*base, *QUESTIONS["check export --hs"]], env)  # fill the cache once
        rounds: dict[str, list[str]] = {
            "floor: python -c pass": [sys.executable, "-c", "pass"],
            "floor: python -c 'import pydantic'": [sys.executable, "-c", "import pydantic"],
        }
        rounds.update({f"warm  {name}": [*base, *q] for name, q in QUESTIONS.items()})
        got: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in rounds}
        for _ in range(args.runs):
            for label, argv in rounds.items():
                wall, cpu = run_once(argv, env)
                got[label][0].append(wall)
                got[label][1].append(cpu)
        for label, (walls, cpus) in got.items():
            report(line(label, walls, cpus, target=label.startswith("warm")))
        for name in ("check export --hs",):
            walls, cpus = measure([*base, *QUESTIONS[name]], args.runs, env, cold=True)
            report(line(f"cold  {name} (empty cache)", walls, cpus))
            off = {**env, "BILATERAL_LAW_CACHE": "off"}
            walls, cpus = measure([*base, *QUESTIONS[name]], args.runs, off)
            report(line(f"no cache {name}", walls, cpus))
    report(
        "\nwarm: the compiled law for this law_version is in the cache (every start after the"
        " first);\ncold: a new, empty cache directory per run (parse, check and write the law);"
        "\nno cache: BILATERAL_LAW_CACHE=off (parse and check the law at every start)."
    )
    report.save()


if __name__ == "__main__":
    main()
