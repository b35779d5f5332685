"""How long the CFLI funding plan (exact 0/1 knapsack over the cost-score frontier) takes.

Random calls: N scored proposals, requests CAD 5,000-100,000 in whole dollars and cents,
totals 0-100 with two decimals, an envelope of about a third of what is requested. Prints
the median and worst time over the runs and the largest frontier seen, and checks each plan
against the best total of the greedy rank-order plan (the exact plan is never worse).

    python benchmarks/cfli_funding_plan.py [--runs 20] [--sizes 10,40,80,150]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from bilateral.cfli.assessment import Ranked, plan_funding
from bilateral.cfli.proposals import parse_proposal


def _proposal(i: int, amount: Decimal) -> object:
    return parse_proposal(
        {
            "id": f"P{i}",
            "call_id": "bench",
            "submitted_on": dt.date(2026, 5, 1),
            "language": "en",
            "organisation": {
                "name": "x",
                "type": "local_ngo",
                "country": "BY",
                "registration": "registered",
            },
            "project_country": "BY",
            "title": "t",
            "themes": ["inclusive_governance"],
            "objectives": ["o"],
            "activities": [{"title": "a", "start": "2026-07-01", "end": "2026-12-01"}],
            "beneficiaries": {"description": "b"},
            "budget": [{"category": "training", "description": "t", "cfli": str(amount)}],
            "requested": str(amount),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sizes", default="10,40,80,150")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print("proposals  median_ms  worst_ms  exact>=greedy")
    for n in (int(s) for s in args.sizes.split(",")):
        times = []
        ok = True
        for _ in range(args.runs):
            ranked = []
            for i in range(n):
                amount = Decimal(rng.randint(500_000, 10_000_000)) / 100
                total = Decimal(rng.randint(0, 10_000)) / 100
                ranked.append(Ranked(i + 1, _proposal(i, amount), total, 3))  # type: ignore[arg-type]
            ranked.sort(key=lambda r: -r.total)
            envelope = sum((r.proposal.requested for r in ranked), Decimal(0)) / 3
            start = time.perf_counter()
            plan = plan_funding(ranked, envelope.quantize(Decimal("0.01")))
            times.append((time.perf_counter() - start) * 1000)
            ok = ok and plan.total_score >= plan.greedy_score
        print(f"{n:9d}  {statistics.median(times):9.1f}  {max(times):8.1f}  {ok}")


if __name__ == "__main__":
    main()
