"""Batch export screening, side by side and measured alike: bilateral, zen-engine, OpenFisca,
and the floor (the same decisions as a plain NumPy lookup and as plain DuckDB SQL).

Run:  pip install -e '.[bench]' && python benchmarks/compare_bench.py [--input realistic]

Inputs come from benchmarks/make_rows.py (seeded): ``realistic`` (249 countries as codes
and names, HS codes of 6/8/10 digits, 15% dotted, text dates 1997-2026), ``worst`` (one
distinct HS code text per row) or ``benchmark-like`` (the old engine benchmark's rows).

Repeat policy, the same for every engine: each figure is the median of N timed runs
(N printed), after one untimed warm-up run; rows/s = rows / median seconds.

What each engine is given. bilateral reads the text columns as a file has them and does
everything itself (countries, HS normalisation and validation, dates, errors). zen-engine,
OpenFisca and the floor know nothing of countries, HS codes or dates, so they are given,
outside the timer, per row: the country's group, the day number and the goods class
(bilateral's own reading of the text, ``Screener``) and a decision table generated from
bilateral's answers (one row per group x run of equal answers over time x class). The
cost of that preparation is printed separately. Every engine's (outcome, permit_required)
is compared with bilateral's on every row it answered.

- zen-engine: a JDM decision table (hit policy first); ``ZenEngine.evaluate`` in a Python
  loop, and ``evaluate_batch``, both on the same rows.
- OpenFisca: a TaxBenefitSystem whose formula is a vectorised lookup in an answer array
  indexed by (group, epoch, class), as an OpenFisca user would write it; one simulation.
- floor, NumPy: the same lookup done directly (np.searchsorted + fancy indexing).
- floor, DuckDB SQL: the decision table joined to the rows (group, class, day range).
Results are written to benchmarks/results/compare-<input>.txt.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import make_rows
from _common import Report, machine_info
from bilateral.engine import batch
from bilateral.engine.law import default_law
from bilateral.law.model import Outcome

OUTCOMES = [o.value for o in Outcome]


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds of ``runs`` timed calls after one warm-up call; the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# --------------------------------------------------------------------------- encoding


class Encoded:
    """Per-row integers other engines are given: group, day, class; and the decisions."""

    def __init__(self, screen: batch.Screener, table: pa.Table) -> None:
        s = screen
        dest = table["destination"].to_pylist()
        self.group = np.array([s._dest[d] for d in dest], dtype=np.int64)
        days, bad = batch._days(table["date"])
        assert not bad.any(), "the benchmark rows are all well-formed"
        self.day = days
        keys, _ = s._row_keys(table)
        self.cls = s._key_class_np[keys]
        epoch = np.searchsorted(s._change_days, days, side="right")
        self.group_epoch = s._epoch_map[self.group, epoch]
        # The decision table covers every (group, group epoch, class) the rows meet (the
        # other combinations include codes not valid on those days: errors, not answers).
        n_groups, n_epochs = len(s._groups), s._n_group_epochs
        n_classes = len(s._classes.representative)
        combos = np.unique(np.stack([self.group, self.group_epoch, self.cls]), axis=1)
        g, e, k = combos
        self.answer = np.full((n_groups, n_epochs, n_classes), -1, dtype=np.int64)
        self.answer[g, e, k] = s._answers_by_group_epoch(g, e, k)
        self.outcome_of = np.array(s._outcome, dtype=np.int64)
        self.permit_of = np.array(s._permit, dtype=np.bool_)
        self.group_days = s._group_days
        self.n_groups, self.n_epochs, self.n_classes = n_groups, n_epochs, n_classes
        # day bounds per group epoch; epochs end where the group's next change day is
        self.bounds = np.full((n_groups, n_epochs + 1), np.iinfo(np.int64).max, dtype=np.int64)
        self.bounds[:, 0] = np.iinfo(np.int64).min
        for gi, d in enumerate(s._group_days):
            self.bounds[gi, 1 : len(d) + 1] = d

    def decision_rows(self) -> list[tuple[int, int | None, int | None, int, int, bool]]:
        """(group, day_from, day_to, class, outcome, permit), equal neighbours merged."""
        rows = []
        for g in range(self.n_groups):
            days = self.group_days[g]
            for k in range(self.n_classes):
                current: list[Any] | None = None
                for e in range(len(days) + 1):
                    a = self.answer[g, e, k]
                    if a < 0:  # not met by any row: a gap in the table
                        if current is not None:
                            rows.append((g, current[1], current[2], k, current[3], current[4]))
                        current = None
                        continue
                    key = (int(self.outcome_of[a]), bool(self.permit_of[a]))
                    lo = days[e - 1] if e else None
                    hi = days[e] if e < len(days) else None
                    if current is not None and (current[3], current[4]) == key:
                        current[2] = hi
                        continue
                    if current is not None:
                        rows.append((g, current[1], current[2], k, current[3], current[4]))
                    current = [None, lo, hi, *key]
                if current is not None:
                    rows.append((g, current[1], current[2], k, current[3], current[4]))
        return rows


# --------------------------------------------------------------------------- engines


def zen_content(rows: list[tuple[int, int | None, int | None, int, int, bool]]) -> str:
    inputs = [
        {"id": "g", "name": "group", "field": "group"},
        {"id": "d", "name": "day", "field": "day"},
        {"id": "c", "name": "class", "field": "cls"},
    ]
    outputs = [
        {"id": "o", "name": "outcome", "field": "outcome"},
        {"id": "p", "name": "permit_required", "field": "permit_required"},
    ]
    rules = []
    for n, (g, lo, hi, k, outcome, permit) in enumerate(rows):
        if lo is None and hi is None:
            day = ""
        elif lo is None:
            day = f"< {hi}"
        elif hi is None:
            day = f">= {lo}"
        else:
            day = f"[{lo}..{hi})"
        rules.append(
            {
                "_id": f"r{n}",
                "g": str(g),
                "d": day,
                "c": str(k),
                "o": json.dumps(OUTCOMES[outcome]),
                "p": "true" if permit else "false",
            }
        )
    pos = {"x": 0, "y": 0}
    graph = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": pos},
            {
                "id": "t",
                "type": "decisionTableNode",
                "name": "export",
                "position": pos,
                "content": {
                    "hitPolicy": "first",
                    "inputs": inputs,
                    "outputs": outputs,
                    "rules": rules,
                },
            },
            {"id": "out", "type": "outputNode", "name": "Response", "position": pos},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
            {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"},
        ],
    }
    return json.dumps(graph)


def openfisca_system(enc: Encoded) -> tuple[Any, Any]:
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    shipment = build_entity(key="shipment", plural="shipments", label="shipment", is_person=True)
    system = TaxBenefitSystem([shipment])

    def variable(name: str, value_type: type, formula: Callable[..., Any] | None = None) -> None:
        attrs: dict[str, Any] = {
            "value_type": value_type,
            "entity": shipment,
            "definition_period": DateUnit.YEAR,  # ETERNITY fails in 46.0.1 (year -1)
            "label": name,
        }
        if formula is not None:
            attrs["formula"] = formula
        system.add_variable(type(name, (Variable,), attrs))

    variable("group", int)
    variable("day", int)
    variable("goods_class", int)
    outcome_table = np.where(enc.answer >= 0, enc.outcome_of[np.maximum(enc.answer, 0)], -1)
    permit_table = enc.permit_of[np.maximum(enc.answer, 0)]
    bounds = enc.bounds

    def epoch(s: Any, period: Any) -> np.ndarray:
        group = s("group", period)
        day = s("day", period)
        # the epoch of each row within its group: count of the group's change days <= day
        return (bounds[group, 1:] <= day[:, None]).sum(axis=1)

    def export_outcome(s: Any, period: Any) -> np.ndarray:
        return outcome_table[s("group", period), epoch(s, period), s("goods_class", period)]

    def permit_required(s: Any, period: Any) -> np.ndarray:
        return permit_table[s("group", period), epoch(s, period), s("goods_class", period)]

    variable("export_outcome", int, export_outcome)
    variable("permit_required", bool, permit_required)
    return system, SimulationBuilder


def openfisca_run(system: Any, builder: Any, enc: Encoded) -> tuple[np.ndarray, np.ndarray]:
    sim = builder().build_default_simulation(system, count=len(enc.day))
    period = "2024"  # a formality: the date is an input
    sim.set_input("group", period, enc.group)
    sim.set_input("day", period, enc.day)
    sim.set_input("goods_class", period, enc.cls)
    return sim.calculate("export_outcome", period), sim.calculate("permit_required", period)


def numpy_floor(enc: Encoded, outcome_table: np.ndarray, permit_table: np.ndarray) -> Any:
    epoch = (enc.bounds[enc.group, 1:] <= enc.day[:, None]).sum(axis=1)
    return outcome_table[enc.group, epoch, enc.cls], permit_table[enc.group, epoch, enc.cls]


def duckdb_floor(enc: Encoded, rows: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    import duckdb

    con = duckdb.connect()
    lo = np.iinfo(np.int32).min
    hi = np.iinfo(np.int32).max
    decisions = pa.table(
        {
            "g": [r[0] for r in rows],
            "lo": [lo if r[1] is None else r[1] for r in rows],
            "hi": [hi if r[2] is None else r[2] for r in rows],
            "k": [r[3] for r in rows],
            "outcome": [r[4] for r in rows],
            "permit": [r[5] for r in rows],
        }
    )
    shipments = pa.table(
        {"i": np.arange(len(enc.day)), "g": enc.group, "day": enc.day, "k": enc.cls}
    )
    con.register("decisions", decisions)
    con.register("shipments", shipments)
    out = con.sql(
        "SELECT s.i, d.outcome, d.permit FROM shipments s JOIN decisions d "
        "ON s.g = d.g AND s.k = d.k AND s.day >= d.lo AND s.day < d.hi ORDER BY s.i"
    ).to_arrow_table()
    return out["outcome"].to_numpy(), out["permit"].to_numpy()


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--input", choices=["realistic", "worst", "benchmark-like"], default="realistic"
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (median)")
    parser.add_argument("--zen-rows", type=int, default=100_000, help="rows given to zen")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    report = Report(f"compare-{args.input}")
    report("== machine")
    for text in machine_info(
        ("bilateral", "numpy", "pyarrow", "duckdb", "zen-engine", "openfisca-core")
    ):
        report(text)

    law = default_law()
    table = make_rows.make(
        args.rows,
        args.seed,
        worst=args.input == "worst",
        like_benchmark=args.input == "benchmark-like",
    )
    n = table.num_rows
    distinct = pc.count_distinct(table["hs"]).as_py()
    report(
        f"\n== input: {args.input}, {n:,} rows (make_rows.py --seed {args.seed}); "
        f"{pc.count_distinct(table['destination']).as_py():,} destination spellings, "
        f"{distinct:,} distinct HS code texts"
    )
    report(f"repeat policy: median of {args.runs} timed runs after one warm-up, every engine")

    def line(label: str, seconds: float, rows: int, note: str = "") -> None:
        report(
            f"{label:<58} {rows / seconds:>13,.0f} rows/s  ({seconds:7.3f} s for {rows:,}) {note}"
        )

    # ---- bilateral in process: cold (a new Screener each run) and warm (facts kept)
    cold_s, _ = timed(lambda: batch.Screener(law).screen(table), args.runs)
    warm = batch.Screener(law)
    warm_s, screened = timed(lambda: warm.screen(table), args.runs)
    assert screened["error"].null_count == n, "the benchmark rows are all well-formed"
    bl_outcome = np.asarray(
        screened["outcome"].combine_chunks().indices.to_numpy(zero_copy_only=False), np.int64
    )
    bl_permit = np.asarray(screened["permit_required"].to_numpy(zero_copy_only=False), np.bool_)

    def agree(outcome: np.ndarray, permit: np.ndarray, rows: slice = slice(None)) -> str:
        same = int(np.sum((outcome == bl_outcome[rows]) & (permit == bl_permit[rows])))
        return f"agree {same:,}/{len(outcome):,}"

    report("\n== results")
    line("bilateral Screener.screen, cold (new screener each run)", cold_s, n)
    line("bilateral Screener.screen, warm (facts kept across batches)", warm_s, n)

    # ---- bilateral end to end, and DuckDB copying the same CSV, each a new process
    with tempfile.TemporaryDirectory(prefix="bilateral-bench-") as folder:
        csv_path = Path(folder) / "rows.csv"
        make_rows.write(table, csv_path)
        copy_sql = (
            f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, all_varchar=true)) "
            f"TO '{Path(folder) / 'copy.parquet'}' (FORMAT parquet)"
        )
        commands = {
            "bilateral batch rows.csv --output out.parquet": [
                sys.executable,
                "-m",
                "bilateral.faces.cli",
                "batch",
                str(csv_path),
                "--output",
                str(Path(folder) / "out.parquet"),
            ],
            "DuckDB COPY rows.csv TO parquet (python -c)": [
                sys.executable,
                "-c",
                f"import duckdb; duckdb.connect().sql({copy_sql!r})",
            ],
        }
        seconds: dict[str, float] = {}
        cpu_seconds: dict[str, float] = {}
        for label, command in commands.items():
            cpu: list[float] = []

            def process(command: list[str] = command, cpu: list[float] = cpu) -> None:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(command, check=True, capture_output=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

            seconds[label], _ = timed(process, args.runs)
            cpu_seconds[label] = statistics.median(cpu[1:])
            line(label, seconds[label], n, f"cpu {cpu_seconds[label]:.2f} s (median)")
        cli_s, copy_s = seconds.values()
        report(f"{'ratio bilateral batch ÷ DuckDB copy (wall time)':<58} {cli_s / copy_s:>13.2f} ×")
        # The machine is shared: CPU time (user + system, all threads) is disturbed less.
        cli_cpu, copy_cpu = cpu_seconds.values()
        report(
            f"{'ratio bilateral batch ÷ DuckDB copy (cpu time)':<58} {cli_cpu / copy_cpu:>13.2f} ×"
        )

    # ---- what the other engines are given
    started = time.perf_counter()
    enc = Encoded(warm, table)
    rows = enc.decision_rows()
    prep_s = time.perf_counter() - started
    report(
        f"\nprepared for the other engines in {prep_s:.2f} s (not timed below): group/day/class "
        f"per row; decision table of {len(rows):,} rows ({enc.n_groups} country groups, "
        f"{enc.n_classes} goods classes)"
    )
    outcome_table = np.where(enc.answer >= 0, enc.outcome_of[np.maximum(enc.answer, 0)], -1)
    permit_table = enc.permit_of[np.maximum(enc.answer, 0)]

    s, (o, p) = timed(lambda: numpy_floor(enc, outcome_table, permit_table), args.runs)
    line("floor: NumPy lookup on encoded rows", s, n, agree(o, p))
    s, (o, p) = timed(lambda: duckdb_floor(enc, rows), args.runs)
    line("floor: DuckDB SQL range join on encoded rows", s, n, agree(o, p))

    try:
        system, builder = openfisca_system(enc)
        s, (o, p) = timed(lambda: openfisca_run(system, builder, enc), args.runs)
        line("OpenFisca, vectorised lookup formula, one simulation", s, n, agree(o, p))
    except Exception as error:  # report and go on
        report(f"OpenFisca: failed — {type(error).__name__}: {error}")

    try:
        import zen

        content = zen_content(rows)
        parsed = zen.ZenDecisionContent(content)
        engine = zen.ZenEngine({"loader": lambda key: parsed})
        m = min(args.zen_rows, n)
        contexts = [
            {"group": int(g), "day": int(d), "cls": int(k)}
            for g, d, k in zip(enc.group[:m], enc.day[:m], enc.cls[:m], strict=True)
        ]

        def zen_loop() -> list[Any]:
            return [engine.evaluate("export", c)["result"] for c in contexts]

        requests = [{"key": "export", "context": c} for c in contexts]

        def zen_batch() -> list[Any]:
            return [
                r["data"]["result"] if r.get("success") else {}
                for r in engine.evaluate_batch(requests)
            ]

        def zen_arrays(results: list[Any]) -> tuple[np.ndarray, np.ndarray]:
            o = np.array(
                [OUTCOMES.index(r["outcome"]) if r.get("outcome") else -1 for r in results]
            )
            p = np.array([bool(r.get("permit_required")) for r in results])
            return o, p

        s, res = timed(zen_loop, args.runs)
        line(
            f"zen-engine evaluate in a loop ({len(rows):,}-row table)",
            s,
            m,
            agree(*zen_arrays(res), slice(0, m)),
        )
        s, res = timed(zen_batch, args.runs)
        line(
            f"zen-engine evaluate_batch ({len(rows):,}-row table)",
            s,
            m,
            agree(*zen_arrays(res), slice(0, m)),
        )
    except Exception as error:  # report and go on
        report(f"zen-engine: failed — {type(error).__name__}: {error}")

    report(
        "\nnotes: bilateral's figures include reading countries, HS codes and dates from text "
        "and checking them;\nthe other engines and the floor start from integers prepared "
        "outside the timer (see above), so they are favoured.\nzen-engine is given the first "
        f"{min(args.zen_rows, n):,} rows (its rows/s is over those)."
    )
    report.save()


if __name__ == "__main__":
    main()
