"""Party look-ups: by index against a scan of every listed name, and a file of names.

Run:  python benchmarks/party_bench.py [--calls 5000] [--names 1000] [--runs 5]

- in process: ``determine_party`` per call (index) and the same matching done by scanning
  every listed name and alias (the earlier algorithm), p50/p99 over the same names;
- at a terminal: ``bilateral check party --file names.csv`` with N names (one process),
  median of R runs, beside one ``bilateral check party NAME`` process (median of R),
  times N: what checking the file one name per process would cost.
Results go to benchmarks/results/party.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Report, machine_info, median, percentile
from bilateral.engine.law import default_law
from bilateral.engine.names import matches, name_keys
from bilateral.engine.party import determine_party, party_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--names", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    report = Report("party")
    report("== machine")
    for text in machine_info(("bilateral",)):
        report(text)
    law = default_law()
    day = dt.date(2025, 6, 1)
    plists = list(law.bundle.person_lists.values())
    listed = [p.name for pl in plists for p in pl.persons]
    names = [listed[i % len(listed)] if i % 3 == 0 else f"Trader Number {i}" for i in range(400)]
    names += ["Aliaksandr Lukashenka", "Alexander Lukashenko", "Ivan Ivanov", "Belaruskali"]
    n_rows = sum(len(party_index(pl).rows) for pl in plists)
    report(f"\n== {len(listed)} listed persons, {n_rows} listed names and aliases; day {day}")

    def scan(name: str) -> int:
        query = name_keys(name)
        return sum(
            matches(query, keys) is not None for pl in plists for _, _, keys in party_index(pl).rows
        )

    def per_call(fn: object) -> list[float]:
        samples = []
        for i in range(args.calls):
            name = names[i % len(names)]
            started = time.perf_counter_ns()
            fn(name)  # type: ignore[operator]
            samples.append((time.perf_counter_ns() - started) / 1000)
        return samples

    for fn in (lambda n: determine_party(law, n, day), scan):  # warm-up
        for name in names:
            fn(name)
    indexed = per_call(lambda n: determine_party(law, n, day))
    scanned = per_call(scan)
    report(
        f"{'determine_party (index), n=' + format(args.calls, ','):<46} p50 "
        f"{median(indexed):8.1f} µs  p99 {percentile(indexed, 99):8.1f} µs"
    )
    report(
        f"{'matching by scan of every name, n=' + format(args.calls, ','):<46} p50 "
        f"{median(scanned):8.1f} µs  p99 {percentile(scanned, 99):8.1f} µs  (matching only)"
    )

    command = [sys.executable, "-m", "bilateral.faces.cli", "check", "party", "--on", str(day)]
    with tempfile.TemporaryDirectory(prefix="bilateral-party-") as folder:
        # byte-code compiled once, as an installed package has it (see startup_bench.py)
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(folder) / "pyc")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        path = Path(folder) / "names.csv"
        many = [names[i % len(names)] for i in range(args.names)]
        path.write_text("name\n" + "\n".join(f'"{n}"' for n in many) + "\n", encoding="utf-8")
        subprocess.run([*command, "--file", str(path)], env=env, check=True, capture_output=True)
        files, singles = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run(
                [*command, "--file", str(path)], env=env, check=True, capture_output=True
            )
            files.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run([*command, many[0]], env=env, check=True, capture_output=True)
            singles.append(time.perf_counter() - started)
    report(
        f"{'check party --file, ' + format(args.names, ',') + ' names, one process':<46} "
        f"median {median(files):6.2f} s  (n={args.runs})"
    )
    report(
        f"{'check party NAME, one process':<46} median {median(singles):6.2f} s  (n={args.runs}); "
        f"× {args.names:,} names = {median(singles) * args.names:,.0f} s"
    )
    report.save()


if __name__ == "__main__":
    main()
