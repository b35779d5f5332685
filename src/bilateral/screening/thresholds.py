"""Alert thresholds per use, and why they differ.

A payment is screened at the point of no return and a missed hit is a SEMA s. 3 dealing, so
it alerts lowest; a customs declaration carries more context (goods, destination) that the
analyst weighs anyway; onboarding screens once, with time to ask, and alerts on the widest
net. The payment threshold is the one the benchmark in ``benchmarks/screening_bench.py``
reports (F1 on nomenklatura's name bench).
"""

from __future__ import annotations

THRESHOLDS: dict[str, float] = {
    "payment": 0.80,
    "declaration": 0.80,
    "onboarding": 0.72,
}
DEFAULT_USE = "payment"
