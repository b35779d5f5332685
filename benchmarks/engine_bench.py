"""Export-screening benchmark: bilateral vs zen-engine vs OpenFisca, same inputs, one run.

Run:  pip install -e '.[bench]' && python benchmarks/engine_bench.py

Every engine answers the same question for the HS path: may goods with this HS code be
exported to this destination on this day (``outcome``) and is a permit required. The
zen-engine decision table and the OpenFisca formula are *generated from* the bilateral law
bundle (one ``determine_export`` call per destination x legal epoch x class of HS facts),
so the three encode the same logic; the agreement counts check it on the benchmark rows.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata as md
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from bilateral.engine.batch import screen_exports
from bilateral.engine.checks import EARLIEST, check_export
from bilateral.engine.export import Goods, determine_export
from bilateral.engine.law import Law, default_law
from bilateral.goods import hs
from bilateral.law.model import Outcome

DESTINATIONS = ("BY", "KP", "MM", "DE", "US", "FR", "CN", "RU")
FIRST_DAY = dt.date(1998, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
EPOCH = dt.date(1970, 1, 1)
OUTCOMES = [o.value for o in Outcome]
NO_CATEGORY = "none"

TARGET_P99_US = 200.0
TARGET_BATCH_ROWS_S = 1_000_000.0
TARGET_RATIO = 20.0


def day_number(d: dt.date) -> int:
    return (d - EPOCH).days


def from_day(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


# --------------------------------------------------------------------------- machine


def machine_info() -> list[str]:
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
    for name in ("bilateral", "numpy", "pyarrow", "zen-engine", "openfisca-core"):
        try:
            versions.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"command : {' '.join([os.path.basename(sys.executable), *sys.argv])}",
        f"cpu     : {cpu}",
        f"cores   : {cores} usable (os.cpu_count()={os.cpu_count()})",
        f"python  : {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"packages: {', '.join(versions)}",
    ]


# --------------------------------------------------------------------------- inputs


def common_codes() -> list[str]:
    """6-digit HS codes present in HS2012, HS2017 and HS2022 alike."""
    eds = hs.editions()
    return sorted(c for c in eds[0].codes if len(c) == 6 and all(c in e.codes for e in eds[1:]))


@dataclass
class Inputs:
    dest: np.ndarray  # index into DESTINATIONS
    day: np.ndarray  # days since 1970-01-01
    code: np.ndarray  # index into codes
    codes: list[str]

    def table(self, rows: slice | None = None) -> pa.Table:
        sl = rows or slice(None)
        dest_dict = pa.array(DESTINATIONS, pa.string())
        code_dict = pa.array(self.codes, pa.string())
        return pa.table(
            {
                "destination": dest_dict.take(pa.array(self.dest[sl])),
                "date": pa.array(self.day[sl].astype(np.int32)).cast(pa.date32()),
                "hs": code_dict.take(pa.array(self.code[sl])),
            }
        )


def make_inputs(n: int, seed: int) -> Inputs:
    rng = np.random.default_rng(seed)
    codes = common_codes()
    return Inputs(
        dest=rng.integers(0, len(DESTINATIONS), n),
        day=rng.integers(day_number(FIRST_DAY), day_number(LAST_DAY) + 1, n),
        code=rng.integers(0, len(codes), n),
        codes=codes,
    )


# --------------------------------------------------------------------------- goods facts


def export_lists(law: Law) -> list[str]:
    """The HS-coded schedules that export prohibitions refer to."""
    found = set()
    for rule in law.rules("export_prohibition", "*"):
        goods = getattr(rule.effect, "goods", None)
        if goods is not None and goods.goods_list:
            found.add(goods.goods_list)
    return sorted(found)


@dataclass
class Facts:
    """What a rules engine without HS knowledge must be told about each code."""

    lists: list[str]
    category: list[str]  # per code: humanitarian category or NO_CATEGORY
    listed: np.ndarray  # [code, list] bool
    category_names: list[str]  # distinct categories, index used by OpenFisca
    category_idx: np.ndarray  # per code


def goods_facts(law: Law, codes: list[str]) -> Facts:
    lists = export_lists(law)
    category = []
    listed = np.zeros((len(codes), len(lists)), dtype=np.bool_)
    for i, code in enumerate(codes):
        found = law.category_of(code)
        category.append(found.value if found is not None else NO_CATEGORY)
        for j, lid in enumerate(lists):
            listed[i, j] = law.list_match(lid, code).listed
    names = sorted(set(category))
    idx = np.array([names.index(c) for c in category], dtype=np.int64)
    return Facts(lists, category, listed, names, idx)


# --------------------------------------------------------------------------- decision table


@dataclass(frozen=True)
class TableRow:
    dest: str
    day_from: int | None  # inclusive; None = open
    day_to: int | None  # exclusive; None = open
    category: str
    listed: tuple[bool, ...]
    outcome: str
    permit: bool


def decision_table(law: Law, codes: list[str], facts: Facts) -> list[TableRow]:
    """One determine_export per destination x epoch x goods class, epochs merged when equal."""
    bounds = sorted(
        {day_number(d) for d in law.change_dates} | {day_number(e.in_force) for e in hs.editions()}
    )
    classes: dict[tuple[str, tuple[bool, ...]], str] = {}
    for i, code in enumerate(codes):
        classes.setdefault((facts.category[i], tuple(bool(x) for x in facts.listed[i])), code)
    rows: list[TableRow] = []
    for dest in DESTINATIONS:
        for (category, listed), code in classes.items():
            current: list[Any] | None = None
            for epoch in range(len(bounds) + 1):
                lo = bounds[epoch - 1] if epoch else None
                hi = bounds[epoch] if epoch < len(bounds) else None
                on = max(from_day(lo) if lo is not None else EARLIEST, EARLIEST)
                answer = determine_export(law, dest, on, Goods(hs=hs.validate(code, on)))
                key = (answer.outcome.value, answer.permit_required)
                if current is not None and (current[3], current[4]) == key:
                    current[2] = hi
                    continue
                if current is not None:
                    rows.append(
                        TableRow(
                            dest, current[1], current[2], category, listed, current[3], current[4]
                        )
                    )
                current = [None, lo, hi, *key]
            assert current is not None
            rows.append(
                TableRow(dest, current[1], current[2], category, listed, current[3], current[4])
            )
    return rows


# --------------------------------------------------------------------------- timing helpers


def percentiles(samples_ns: list[int]) -> tuple[float, float]:
    arr = np.asarray(samples_ns, dtype=np.float64) / 1000.0
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99))


def time_calls(fn: Callable[[int], object], n: int, warmup: int) -> tuple[float, float]:
    for i in range(warmup):
        fn(i)
    samples = [0] * n
    clock = time.perf_counter_ns
    gc.collect()
    for i in range(n):
        t0 = clock()
        fn(i)
        samples[i] = clock() - t0
    return percentiles(samples)


# --------------------------------------------------------------------------- zen-engine


def zen_decision(rows: list[TableRow], lists: list[str]) -> dict[str, Any]:
    inputs = [
        {"id": "in_dest", "name": "destination", "field": "destination"},
        {"id": "in_day", "name": "day", "field": "day"},
        {"id": "in_cat", "name": "category", "field": "category"},
        *({"id": f"in_l{j}", "name": lid, "field": f"listed_{j}"} for j, lid in enumerate(lists)),
    ]
    outputs = [
        {"id": "out_outcome", "name": "outcome", "field": "outcome"},
        {"id": "out_permit", "name": "permit_required", "field": "permit_required"},
    ]
    rules = []
    for k, row in enumerate(rows):
        if row.day_from is None and row.day_to is None:
            day = ""
        elif row.day_from is None:
            day = f"< {row.day_to}"
        elif row.day_to is None:
            day = f">= {row.day_from}"
        else:
            day = f"[{row.day_from}..{row.day_to})"
        rule = {
            "_id": f"r{k}",
            "in_dest": json.dumps(row.dest),
            "in_day": day,
            "in_cat": json.dumps(row.category),
            "out_outcome": json.dumps(row.outcome),
            "out_permit": "true" if row.permit else "false",
        }
        for j, flag in enumerate(row.listed):
            rule[f"in_l{j}"] = "true" if flag else "false"
        rules.append(rule)
    pos = {"x": 0, "y": 0}
    return {
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "Request", "position": pos},
            {
                "id": "table",
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
            {"id": "response", "type": "outputNode", "name": "Response", "position": pos},
        ],
        "edges": [
            {"id": "e1", "sourceId": "request", "targetId": "table", "type": "edge"},
            {"id": "e2", "sourceId": "table", "targetId": "response", "type": "edge"},
        ],
    }


def zen_contexts(inp: Inputs, facts: Facts, rows: np.ndarray) -> list[dict[str, Any]]:
    out = []
    for i in rows.tolist():
        c = int(inp.code[i])
        ctx: dict[str, Any] = {
            "destination": DESTINATIONS[inp.dest[i]],
            "day": int(inp.day[i]),
            "category": facts.category[c],
        }
        for j in range(len(facts.lists)):
            ctx[f"listed_{j}"] = bool(facts.listed[c, j])
        out.append(ctx)
    return out


# --------------------------------------------------------------------------- OpenFisca


def openfisca_system(rows: list[TableRow], facts: Facts) -> Any:
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    shipment = build_entity(
        key="shipment", plural="shipments", label="An export shipment", is_person=True
    )
    system = TaxBenefitSystem([shipment])
    period_unit = DateUnit.YEAR  # ETERNITY formulas fail in 46.0.1 (year -1)

    def variable(name: str, value_type: type, formula: Callable[..., Any] | None = None) -> None:
        attrs: dict[str, Any] = {
            "value_type": value_type,
            "entity": shipment,
            "definition_period": period_unit,
            "label": name,
        }
        if formula is not None:
            attrs["formula"] = formula
        system.add_variable(type(name, (Variable,), attrs))

    variable("destination", int)  # index into DESTINATIONS
    variable("day", int)  # days since 1970-01-01
    variable("category", int)  # index into facts.category_names
    for j in range(len(facts.lists)):
        variable(f"listed_{j}", bool)

    n_lists = len(facts.lists)
    table = [
        (
            DESTINATIONS.index(r.dest),
            r.day_from,
            r.day_to,
            facts.category_names.index(r.category),
            r.listed,
            OUTCOMES.index(r.outcome),
            r.permit,
        )
        for r in rows
    ]

    def conditions(s: Any, period: Any) -> list[np.ndarray]:
        dest = s("destination", period)
        day = s("day", period)
        cat = s("category", period)
        listed = [s(f"listed_{j}", period) for j in range(n_lists)]
        conds = []
        for d, lo, hi, c, flags, _o, _p in table:
            cond = (dest == d) & (cat == c)
            if lo is not None:
                cond &= day >= lo
            if hi is not None:
                cond &= day < hi
            for j, flag in enumerate(flags):
                cond &= listed[j] if flag else ~listed[j]
            conds.append(cond)
        return conds

    def export_outcome(s: Any, period: Any) -> np.ndarray:
        return np.select(conditions(s, period), [t[5] for t in table], default=-1)

    def permit_required(s: Any, period: Any) -> np.ndarray:
        return np.select(conditions(s, period), [t[6] for t in table], default=False)

    variable("export_outcome", int, export_outcome)
    variable("permit_required", bool, permit_required)
    return system, SimulationBuilder


def openfisca_run(
    system: Any, builder: type, inp: Inputs, facts: Facts, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    sim = builder().build_default_simulation(system, count=len(rows))
    period = "2024"  # the period is a formality: the date is an input
    code = inp.code[rows]
    sim.set_input("destination", period, inp.dest[rows])
    sim.set_input("day", period, inp.day[rows])
    sim.set_input("category", period, facts.category_idx[code])
    for j in range(len(facts.lists)):
        sim.set_input(f"listed_{j}", period, facts.listed[code, j])
    return sim.calculate("export_outcome", period), sim.calculate("permit_required", period)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="batch rows (bilateral)")
    parser.add_argument("--single", type=int, default=20_000, help="single calls (bilateral)")
    parser.add_argument("--zen-single", type=int, default=5_000)
    parser.add_argument("--zen-seconds", type=float, default=60.0, help="zen batch time budget")
    parser.add_argument("--of-rows", type=int, default=1_000_000, help="OpenFisca batch rows")
    parser.add_argument("--of-single", type=int, default=500)
    parser.add_argument("--check", type=int, default=2_000, help="agreement sample size")
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args()
    started = time.perf_counter()

    print("== machine")
    for line in machine_info():
        print(line)

    law = default_law()
    inp = make_inputs(args.rows, args.seed)
    t0 = time.perf_counter()
    facts = goods_facts(law, inp.codes)
    facts_time = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed + 1)
    t0 = time.perf_counter()
    rows = decision_table(law, inp.codes, facts)
    print(
        f"\n== inputs: {args.rows:,} rows (destinations {','.join(DESTINATIONS)}, dates "
        f"{FIRST_DAY}..{LAST_DAY}, {len(inp.codes):,} HS codes valid in HS2012/2017/2022, "
        f"seed {args.seed})"
    )
    print(
        f"decision table generated from the law bundle: {len(rows)} rows "
        f"({len(law.change_dates)} change dates, {len({(r.category, r.listed) for r in rows})} "
        f"goods classes, schedules {', '.join(facts.lists)}) in "
        f"{time.perf_counter() - t0:.2f} s"
    )

    results: dict[str, Any] = {}

    # ---- bilateral single
    sample = rng.integers(0, args.rows, args.single)
    dests = [DESTINATIONS[d] for d in inp.dest[sample]]
    days = [from_day(d) for d in inp.day[sample]]
    code_text = [inp.codes[c] for c in inp.code[sample]]
    goods = [Goods(hs=hs.validate(c, d)) for c, d in zip(code_text, days, strict=True)]
    n_single = args.single
    results["bl_core"] = time_calls(
        lambda i: determine_export(law, dests[i], days[i], goods[i]), n_single, 2_000
    )
    results["bl_check"] = time_calls(
        lambda i: check_export(to=dests[i], on=days[i], hs=code_text[i], law=law), n_single, 2_000
    )

    # ---- bilateral batch
    table = inp.table()
    times = []
    screened = None
    for _ in range(3):  # median of 3, as every batch figure in compare_bench.py
        gc.collect()
        t0 = time.perf_counter()
        screened = screen_exports(law, table)
        times.append(time.perf_counter() - t0)
    assert screened is not None
    results["bl_batch"] = args.rows / sorted(times)[1]
    bl_outcome = np.asarray(
        screened["outcome"].combine_chunks().indices.to_numpy(zero_copy_only=False), dtype=np.int64
    )
    bl_permit = screened["permit_required"].to_numpy()
    n_errors = screened["error"].null_count
    assert n_errors == args.rows, f"{args.rows - n_errors} rows had errors"

    # Reference answers of the single path on the agreement sample.
    check_rows = rng.integers(0, args.rows, args.check)
    ref = []
    for i in check_rows.tolist():
        on = from_day(inp.day[i])
        a = determine_export(
            law, DESTINATIONS[inp.dest[i]], on, Goods(hs=hs.validate(inp.codes[inp.code[i]], on))
        )
        ref.append((a.outcome.value, a.permit_required))
    bl_agree = sum(
        (OUTCOMES[bl_outcome[i]], bool(bl_permit[i])) == r
        for i, r in zip(check_rows.tolist(), ref, strict=True)
    )

    # ---- zen-engine
    import zen

    content = json.dumps(zen_decision(rows, facts.lists))
    # The loader hands back a pre-parsed ZenDecisionContent (the fast way; a loader that
    # returns the JSON text makes zen parse the 170-row graph on every evaluation).
    parsed = zen.ZenDecisionContent(content)
    engine = zen.ZenEngine({"loader": lambda key: parsed})
    ctx_single = zen_contexts(inp, facts, sample[: args.zen_single])
    results["zen_single"] = time_calls(
        lambda i: engine.evaluate("export", ctx_single[i]), len(ctx_single), 500
    )
    text_engine = zen.ZenEngine({"loader": lambda key: content})
    n_text = min(500, len(ctx_single))
    results["zen_text_single"] = time_calls(
        lambda i: text_engine.evaluate("export", ctx_single[i]), n_text, 50
    )
    decision = engine.create_decision(content)
    results["zen_decision_single"] = time_calls(
        lambda i: decision.evaluate(ctx_single[i]), len(ctx_single), 500
    )
    ctx_check = zen_contexts(inp, facts, check_rows)
    zen_ans = [
        (r["result"].get("outcome"), r["result"].get("permit_required"))
        for r in (engine.evaluate("export", c) for c in ctx_check)
    ]
    zen_agree = sum(a == b for a, b in zip(zen_ans, ref, strict=True))

    has_batch = hasattr(engine, "evaluate_batch")
    chunk = 50_000
    zen_rows = 0
    zen_time = 0.0
    zen_batch_agree = 0
    if has_batch:
        while zen_rows < args.rows and (zen_rows < chunk or zen_time < args.zen_seconds):
            idx = np.arange(zen_rows, min(zen_rows + chunk, args.rows))
            requests = [{"key": "export", "context": c} for c in zen_contexts(inp, facts, idx)]
            gc.collect()
            t0 = time.perf_counter()
            out = engine.evaluate_batch(requests)
            zen_time += time.perf_counter() - t0
            for i, res in zip(idx.tolist(), out, strict=True):
                r = res["data"]["result"] if res.get("success") else {}
                zen_batch_agree += r.get("outcome") == OUTCOMES[bl_outcome[i]] and r.get(
                    "permit_required"
                ) == bool(bl_permit[i])
            zen_rows += len(idx)
            # Stop early if the next chunk would blow the budget.
            if zen_time / zen_rows * (zen_rows + chunk) > args.zen_seconds and zen_rows >= chunk:
                break
        results["zen_batch"] = zen_rows / zen_time

    # ---- OpenFisca
    of_error = None
    try:
        system, builder = openfisca_system(rows, facts)
        of_n = args.of_rows
        idx = np.arange(of_n)
        gc.collect()
        t0 = time.perf_counter()
        of_out, of_perm = openfisca_run(system, builder, inp, facts, idx)
        results["of_batch"] = of_n / (time.perf_counter() - t0)
        results["of_n"] = of_n
        results["of_batch_agree"] = int(
            np.sum((of_out == bl_outcome[:of_n]) & (of_perm == bl_permit[:of_n]))
        )
        of_chk, of_chk_perm = openfisca_run(system, builder, inp, facts, check_rows)
        results["of_agree"] = sum(
            (OUTCOMES[o] if o >= 0 else None, bool(p)) == r
            for o, p, r in zip(of_chk.tolist(), of_chk_perm.tolist(), ref, strict=True)
        )
        one = sample[: args.of_single]
        results["of_single"] = time_calls(
            lambda i: openfisca_run(system, builder, inp, facts, one[i : i + 1]), len(one), 20
        )
    except Exception as error:  # report, keep the rest of the benchmark
        of_error = f"{type(error).__name__}: {error}"

    # ---- report
    def ok(flag: bool) -> str:
        return "PASS" if flag else "FAIL"

    def lat(key: str) -> str:
        p50, p99 = results[key]
        return f"p50 {p50:9.1f} µs  p99 {p99:9.1f} µs"

    print("\n== results (same rows, same seed)")
    width = 60

    def line(label: str, figure: str, target: str = "") -> None:
        print(f"{label:<{width}} {figure:<36} {target}")

    line("measure", "figure", "target")
    print("-" * (width + 56))
    p99 = results["bl_core"][1]
    line(
        f"bilateral determine_export (pre-validated Goods), n={n_single:,}",
        lat("bl_core"),
        f"p99<{TARGET_P99_US:.0f}µs {ok(p99 < TARGET_P99_US)}",
    )
    p99c = results["bl_check"][1]
    line(
        f"bilateral check_export (parse+validate+JSON), n={n_single:,}",
        lat("bl_check"),
        f"p99<{TARGET_P99_US:.0f}µs {ok(p99c < TARGET_P99_US)}",
    )
    bl_batch = results["bl_batch"]
    line(
        f"bilateral screen_exports, {args.rows:,} rows, median of 3",
        f"{bl_batch:14,.0f} rows/s ({args.rows / bl_batch:.3f} s)",
        f"≥1,000,000 rows/s {ok(bl_batch >= TARGET_BATCH_ROWS_S)}",
    )
    line(
        f"zen ZenEngine.evaluate(key, ctx), parsed loader, n={len(ctx_single):,}", lat("zen_single")
    )
    line(
        f"zen ZenEngine.evaluate, loader returning JSON text, n={n_text:,}", lat("zen_text_single")
    )
    line(f"zen ZenDecision.evaluate(ctx), n={len(ctx_single):,}", lat("zen_decision_single"))
    if has_batch:
        zen_batch = results["zen_batch"]
        line(
            f"zen evaluate_batch, {zen_rows:,} rows (chunks of {chunk:,})",
            f"{zen_batch:14,.0f} rows/s ({zen_time:.1f} s)",
        )
        ratio = bl_batch / zen_batch
        line(
            "ratio bilateral batch ÷ zen batch",
            f"{ratio:14,.1f} ×",
            f"≥20× {ok(ratio >= TARGET_RATIO)}",
        )
    else:
        print("zen evaluate_batch: not available in this zen-engine version")
    if of_error is None:
        of_batch, of_n = results["of_batch"], results["of_n"]
        line(
            f"OpenFisca calculate, {of_n:,} shipments",
            f"{of_batch:14,.0f} rows/s ({of_n / of_batch:.2f} s)",
        )
        line(
            f"OpenFisca incl. HS facts precompute (goods_facts, {facts_time:.2f} s)",
            f"{of_n / (of_n / of_batch + facts_time):14,.0f} rows/s",
        )
        line(f"OpenFisca one-shipment simulation, n={args.of_single:,}", lat("of_single"))
        line("ratio bilateral batch ÷ OpenFisca batch", f"{bl_batch / of_batch:14,.1f} ×")
    else:
        print(f"OpenFisca: FAILED — {of_error}")

    print("\n== agreement with bilateral determine_export (outcome and permit_required)")
    print(f"bilateral screen_exports : {bl_agree:,}/{args.check:,} sampled rows")
    print(f"zen evaluate             : {zen_agree:,}/{args.check:,} sampled rows")
    if has_batch:
        print(f"zen evaluate_batch       : {zen_batch_agree:,}/{zen_rows:,} rows vs screen_exports")
    if of_error is None:
        print(
            f"OpenFisca                : {results['of_agree']:,}/{args.check:,} sampled rows; "
            f"{results['of_batch_agree']:,}/{results['of_n']:,} batch rows vs screen_exports"
        )
    print(
        "\nnotes: zen and OpenFisca timings exclude building their inputs (HS facts per row "
        "precomputed in Python, contexts/arrays built outside the timer); bilateral's batch "
        "timing includes its own HS lookups. Latencies are per call with "
        "time.perf_counter_ns after warm-up."
    )
    print(f"total wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
