"""What the batch's exactness costs: `Screener.screen` rows/s on engine_bench's inputs.

Run:  python benchmarks/batch_caveats_bench.py [--rows 1000000]

1,000,000 rows with a fixed seed (destinations BY, KP, MM, DE, US, FR, CN, RU; days
1998-01-01..2025-12-31; 6-digit HS codes in every bundled edition), screened by a new
``Screener`` (cold: it works out every class and answer) and again by the same one (warm:
facts kept, as across the batches of a file); best of 3 for warm. Run it on two checkouts
(PYTHONPATH) to compare; results in benchmarks/results/batch_caveats.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pyarrow as pa

from bilateral.engine.batch import Screener
from bilateral.engine.law import default_law
from bilateral.goods import hs


def rows(n: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    codes = sorted(set.intersection(*(set(ed.codes) for ed in hs.editions())))
    codes = [c for c in codes if len(c) == 6]
    first, last = dt.date(1998, 1, 1).toordinal(), dt.date(2025, 12, 31).toordinal()
    days = rng.integers(first, last + 1, n)
    epoch = dt.date(1970, 1, 1).toordinal()
    return pa.table(
        {
            "destination": pa.array(
                np.array(["BY", "KP", "MM", "DE", "US", "FR", "CN", "RU"])[rng.integers(0, 8, n)]
            ),
            "date": pa.array((days - epoch).astype(np.int32), pa.int32()).cast(pa.date32()),
            "hs": pa.array(np.array(codes)[rng.integers(0, len(codes), n)]),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    law = default_law()
    table = rows(args.rows)
    started = time.perf_counter()
    screen = Screener(law)
    out = screen.screen(table)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(3):
        started = time.perf_counter()
        screen.screen(table)
        warm.append(time.perf_counter() - started)
    best = min(warm)
    print(f"columns: {', '.join(out.column_names)}")
    print(f"cold (new Screener): {args.rows / cold:>12,.0f} rows/s ({cold:.2f} s)")
    print(f"warm (best of 3):    {args.rows / best:>12,.0f} rows/s ({best:.2f} s)")


if __name__ == "__main__":
    main()
