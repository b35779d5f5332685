"""Write export rows as people write them, for the batch benchmarks (seedable).

Run:  python benchmarks/make_rows.py /tmp/rows.csv --rows 1000000 [--seed 7] [--worst]

Realistic rows (the default):
- destination: any of the 249 ISO 3166 countries, a few trading partners much more often
  than the rest (Zipf-like weights), written 75% as alpha-2 codes, 10% alpha-3, 15% as
  English or French names in varied case ("Belarus", "BÉLARUS", "Corée du Nord");
- date: uniform over 1997-01-01..2026-12-31, as YYYY-MM-DD text;
- hs: a 6-digit subheading of the HS edition in force on the row's date (any bundled
  edition before 2012), extended to 6 (40%), 8 (35%) or 10 (25%) digits with national
  digits; 15% written with dots ("8703.23", "8703.23.10", "8703.23.10.00").
``--worst``: every row has its own HS code text (a distinct 10-digit code per row), the
case in which per-distinct-code work cannot be shared between rows.
``--benchmark-like``: the engine benchmark's historical inputs (8 destinations as alpha-2,
4,991 six-digit codes, dates 1998-2025), for comparison with earlier figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bilateral import countries
from bilateral.goods import hs

EPOCH = dt.date(1970, 1, 1)
FIRST, LAST = dt.date(1997, 1, 1), dt.date(2026, 12, 31)
PARTNERS = ("US", "CN", "GB", "JP", "MX", "DE", "KR", "FR", "IN", "NL", "BY", "RU", "KP", "MM")
BENCH_DESTINATIONS = ("BY", "KP", "MM", "DE", "US", "FR", "CN", "RU")


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _spellings(rng: np.random.Generator) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Country codes, the ways each is written, and a weight per country."""
    by_code = countries._table()[0]
    codes = sorted(by_code)
    ways: list[list[str]] = []
    for code in codes:
        c = by_code[code]
        names = [c.name_en, c.name_fr, c.name_en.upper(), c.name_fr.lower()]
        ways.append([c.code, c.alpha3, *names])
    weights = 1.0 / np.arange(1, len(codes) + 1) ** 0.9
    order = [codes.index(p) for p in PARTNERS] + [
        i for i, c in enumerate(codes) if c not in PARTNERS
    ]
    w = np.empty(len(codes))
    w[order] = weights
    return codes, ways, w / w.sum()


def destinations(n: int, rng: np.random.Generator) -> pa.Array:
    codes, ways, weights = _spellings(rng)
    country = rng.choice(len(codes), size=n, p=weights)
    form = rng.choice(6, size=n, p=[0.75, 0.10, 0.06, 0.05, 0.02, 0.02])
    table = [w for per in ways for w in per]
    return pa.array(table, pa.string()).take(pa.array(country * 6 + form))


def dates(n: int, rng: np.random.Generator) -> tuple[np.ndarray, pa.Array]:
    days = rng.integers(_day(FIRST), _day(LAST) + 1, size=n)
    text = pc.strftime(pa.array(days.astype(np.int32)).cast(pa.date32()), format="%Y-%m-%d")
    return days, text


def hs_codes(days: np.ndarray, rng: np.random.Generator, worst: bool = False) -> pa.Array:
    n = len(days)
    eds = hs.editions()
    union = sorted({c for e in eds for c in e.codes if len(c) == 6})
    per_edition = [sorted(c for c in e.codes if len(c) == 6) for e in eds]
    pools = [union, *per_edition]  # slot 0: before HS2012, any bundled edition
    slot = np.searchsorted(np.array([_day(e.in_force) for e in eds]), days, side="right")
    six = np.empty(n, dtype=object)
    for s, pool in enumerate(pools):
        where = np.flatnonzero(slot == s)
        six[where] = np.array(pool, dtype=object)[rng.integers(0, len(pool), len(where))]
    if worst:
        # 10 digits, national digits drawn until the whole text is new: one code per row.
        seen: set[str] = set()
        text = []
        for s6, s_ in zip(six, slot.tolist(), strict=True):
            code = s6 + f"{rng.integers(0, 10_000):04d}"
            while code in seen:
                s6 = pools[s_][rng.integers(0, len(pools[s_]))]
                code = s6 + f"{rng.integers(0, 10_000):04d}"
            seen.add(code)
            text.append(code)
        dotted = rng.random(n) < 0.15
        return pa.array([_dots(c) if d else c for c, d in zip(text, dotted, strict=True)])
    length = rng.choice([6, 8, 10], size=n, p=[0.40, 0.35, 0.25])
    extra = rng.integers(0, 10_000, size=n)
    dotted = rng.random(n) < 0.15
    out = []
    for s, k, e, d in zip(six, length.tolist(), extra.tolist(), dotted.tolist(), strict=True):
        code = s + f"{e:04d}"[: k - 6]
        out.append(_dots(code) if d else code)
    return pa.array(out, pa.string())


def _dots(code: str) -> str:
    return code[:4] + "." + ".".join(code[i : i + 2] for i in range(4, len(code), 2))


def benchmark_like(n: int, rng: np.random.Generator) -> pa.Table:
    eds = hs.editions()
    common = sorted(c for c in eds[0].codes if len(c) == 6 and all(c in e.codes for e in eds[1:]))
    days = rng.integers(_day(dt.date(1998, 1, 1)), _day(dt.date(2025, 12, 31)) + 1, n)
    return pa.table(
        {
            "destination": pa.array(BENCH_DESTINATIONS).take(
                pa.array(rng.integers(0, len(BENCH_DESTINATIONS), n))
            ),
            "date": pc.strftime(
                pa.array(days.astype(np.int32)).cast(pa.date32()), format="%Y-%m-%d"
            ),
            "hs": pa.array(common).take(pa.array(rng.integers(0, len(common), n))),
        }
    )


def make(n: int, seed: int, worst: bool = False, like_benchmark: bool = False) -> pa.Table:
    rng = np.random.default_rng(seed)
    if like_benchmark:
        return benchmark_like(n, rng)
    dest = destinations(n, rng)
    days, text = dates(n, rng)
    return pa.table({"destination": dest, "date": text, "hs": hs_codes(days, rng, worst)})


def write(table: pa.Table, path: Path) -> None:
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help=".csv or .parquet")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worst", action="store_true", help="one distinct HS code per row")
    parser.add_argument("--benchmark-like", action="store_true")
    args = parser.parse_args()
    chunk = 1_000_000
    writer = None
    for start in range(0, args.rows, chunk):
        table = make(
            min(chunk, args.rows - start), args.seed + start, args.worst, args.benchmark_like
        )
        if args.output.suffix == ".parquet":
            writer = writer or pq.ParquetWriter(args.output, table.schema)
            writer.write_table(table)
        else:
            writer = writer or pacsv.CSVWriter(
                args.output, table.schema, write_options=pacsv.WriteOptions(quoting_style="needed")
            )
            writer.write_table(table)
    if writer is not None:
        writer.close()


if __name__ == "__main__":
    main()
