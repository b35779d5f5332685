"""Country pages, measured: composing a profile, importing a statistics file, querying it,
drawing a chart, and a web page end to end (in-process ASGI client).

    python benchmarks/country_pages.py [--repeat 50]

Results are written to benchmarks/country_pages.md (the figures quoted in the report).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bilateral.engine.law import default_law
from bilateral.profile import views
from bilateral.relations.loader import default_relations
from bilateral.stats import charts
from bilateral.stats.store import StatsStore

ROOT = Path(__file__).resolve().parents[1]
OTS = ROOT / "tests" / "data" / "trade-flows"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    start = time.perf_counter()
    default_law()
    default_relations()
    load_ms = (time.perf_counter() - start) * 1000
    rows: list[tuple[str, float, float]] = []
    for on, lang in (("2014-12-01", "en"), ("2023-01-01", "fr")):
        med, p95 = timed(
            lambda on=on, lang=lang: views.profile(country="BY", on=on, lang=lang), args.repeat
        )
        rows.append((f"profile BY {on} {lang} (compose, no store)", med, p95))
    med, p95 = timed(lambda: views.timeline(country="BY"), args.repeat)
    rows.append(("timeline BY (rules + events)", med, p95))
    with tempfile.TemporaryDirectory() as tmp:
        imports = []
        for i in range(max(3, args.repeat // 10)):
            with StatsStore(Path(tmp) / f"s{i}.duckdb") as store:
                start = time.perf_counter()
                store.import_file(OTS / "yrpc_y_2004_r_chl_p_arg_c_all.csv")
                imports.append((time.perf_counter() - start) * 1000)
        rows.append(
            (
                "stats import OTS 2004 file (1,416 lines, 2,832 rows)",
                statistics.median(imports),
                max(imports),
            )
        )
        with StatsStore(Path(tmp) / "s0.duckdb") as store:
            store.import_file(OTS / "yrpc_y_2002_r_chl_p_arg_c_all.csv")
            med, p95 = timed(
                lambda: store.query(reporter="CL", partner="AR", by="section"), args.repeat
            )
            rows.append(("stats query by section (2 years)", med, p95))
            sections = store.query(reporter="CL", partner="AR", by="section")["rows"]
            med, p95 = timed(
                lambda: charts.by_section(sections, 2004, "USD", "en"), max(5, args.repeat // 5)
            )
            rows.append(("chart by section (SVG, matplotlib)", med, p95))
            totals = store.query(reporter="CL", partner="AR")["rows"]
            med, p95 = timed(lambda: charts.by_year(totals, "USD", "en"), max(5, args.repeat // 5))
            rows.append(("chart by year (SVG, matplotlib)", med, p95))
    lines = [
        "# Country pages: measured",
        "",
        f"`python benchmarks/country_pages.py --repeat {args.repeat}`, 2 shared cores.",
        f"Loading the law and the relations data once: {load_ms:,.0f} ms.",
        "",
        "| operation | median ms | p95 ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {med:,.1f} | {p95:,.1f} |" for name, med, p95 in rows]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "country_pages.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
