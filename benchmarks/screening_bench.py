"""Name-matching quality and speed, ours beside nomenklatura's on the same pairs.

Run (nomenklatura lives in its own virtualenv because it pins duckdb < 2):

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -e '.[bench-names]'
    PYTHONPATH=src .venv-bench/bin/python benchmarks/screening_bench.py \
        --data /work/shared/data/name-matching --out benchmarks/results/screening.txt

Pairs: nomenklatura's name bench (826 labelled pairs), its entity checks (YAML), the
cross-script pairs of Watchman, and every spelling of one name in nomenklatura's
putin_names fixture against the listed form. Reported per matcher: precision, recall and F1
at the matcher's threshold, alerts per 1,000 clean names (false alerts on the pairs labelled
"no match", scaled), missed cross-script pairs, and time per comparison.

Time per comparison is the median of ``--repeat`` passes over the set (5 by default, the
number printed), every matcher alike: before each pass our caches are emptied (so each
pass parses every name, as a first comparison does; nomenklatura parses its entities on
every call), garbage is collected, and the collector is off during the pass, as ``timeit``
does, so that a collection of earlier garbage does not land in one matcher's timing.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bilateral.screening.matching import MATCHER_VERSION, compare
from bilateral.screening.thresholds import THRESHOLDS

PERSONISH = {"Person"}


@dataclass(frozen=True)
class Pair:
    source: str
    schema: str
    query: str
    candidate: str
    match: bool


def load_pairs(data: Path) -> dict[str, list[Pair]]:
    sets: dict[str, list[Pair]] = {}
    with (data / "nomenklatura_name_bench_cases.csv").open(encoding="utf-8") as handle:
        sets["name bench"] = [
            Pair("name bench", r["schema"], r["name1"], r["name2"], r["is_match"] == "true")
            for r in csv.DictReader(handle)
        ]
    checks = yaml.safe_load((data / "nomenklatura_entity_bench_checks.yml").read_text("utf-8"))
    entity: list[Pair] = []
    for check in checks["checks"]:
        q, c = check["query"].get("name"), check["candidate"].get("name")
        if isinstance(q, list):
            q = q[0]
        if isinstance(c, list):
            c = c[0]
        if q and c:
            entity.append(Pair("entity checks", check["schema"], q, c, bool(check["match"])))
    sets["entity checks"] = entity
    cross: list[Pair] = []
    for line in (data / "watchman_cross_script_pairs.csv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, expected, _min_score, _ = next(csv.reader([line]))
        cross.append(Pair("cross-script", "Person", query, expected, True))
    sets["cross-script"] = cross
    putin = data / "yente-fixtures" / "putin_names_nomenklatura.txt"
    if putin.exists():
        sets["putin spellings"] = [
            Pair("putin spellings", "Person", line.strip(), "Vladimir Putin", True)
            for line in putin.read_text("utf-8").splitlines()
            if line.strip()
        ]
    return sets


Scorer = Callable[[Pair], float]


def ours(pair: Pair) -> float:
    return compare(pair.query, pair.candidate, person=pair.schema in PERSONISH).score


def forget() -> None:
    """Empty our caches, so that the timing includes parsing every name, as the first
    comparison of a name does (nomenklatura parses its entities on every call)."""
    from bilateral.screening import matching, normalise

    normalise._kakasi()  # load pykakasi's dictionary once, like an import
    normalise._hanja_syllables()  # and pyhanja's
    normalise.warm_transliteration()  # and anyascii's tables, as building the index does
    normalise.japanese_reading.cache_clear()
    normalise.korean_readings.cache_clear()
    normalise.parse_name.cache_clear()
    normalise.phonetic.cache_clear()
    normalise.skeleton.cache_clear()
    matching._SIMILARITY.clear()


def _scripts(text: str) -> frozenset[str]:
    """The scripts of a name's letters, by their Unicode names (LATIN, CYRILLIC, HANGUL …)."""
    import unicodedata

    return frozenset(unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha())


def _nomenklatura_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"; nomenklatura {version('nomenklatura')}"
    except PackageNotFoundError:
        return ""


def nomenklatura_scorers() -> dict[str, tuple[Scorer, float]]:
    """nomenklatura's logic-v2 and name-based matchers, if installed (the 'bench-names' extra)."""
    try:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig
    except ImportError as error:  # pragma: no cover - reported in the output
        print(f"nomenklatura not importable ({error}); our figures only", file=sys.stderr)
        return {}
    config = ScoringConfig.defaults()
    counter = iter(range(10**9))

    def entity(schema: str, name: str) -> Any:
        proxy = model.make_entity(schema)
        proxy.id = f"e{next(counter)}"
        proxy.add("name", name)
        return proxy

    out: dict[str, tuple[Scorer, float]] = {}
    for name in ("logic-v2", "name-based"):
        algorithm = get_algorithm(name)
        if algorithm is None:
            continue

        def scorer(pair: Pair, algorithm: Any = algorithm) -> float:
            schema = pair.schema if pair.schema in model.schemata else "LegalEntity"
            query = entity(schema, pair.query)
            candidate = entity(schema, pair.candidate)
            return float(algorithm.compare(query, candidate, config).score)

        out[name] = (scorer, 0.7)  # yente's default match threshold
    return out


@dataclass
class Figures:
    precision: float
    recall: float
    f1: float
    alerts_per_1000: float
    missed: list[Pair]
    false_alerts: list[Pair]
    seconds_per_pair: float


# Names in every script the sets use, none of them in the sets: each matcher compares these
# once before it is timed, so that no matcher's lazy loading (our transliteration tables,
# nomenklatura's transliterators and name data) is timed and every matcher is warmed alike.
WARM_UP = (
    ("Иван Петрович Сидоров", "Ivan Petrovich Sidorov", "Person"),
    ("Аляксандр Міхалевіч", "Aliaksandr Mikhalevich", "Person"),
    ("김철수", "Kim Chul-soo", "Person"),
    ("山田太郎", "Yamada Taro", "Person"),
    ("ヤマダ・タロウ", "Yamada Taro", "Person"),
    ("王小明", "Wang Xiaoming", "Person"),
    ("محمد علي حسن", "Mohammed Ali Hassan", "Person"),
    ("Γιώργος Παπαδόπουλος", "Giorgos Papadopoulos", "Person"),
    ("דוד כהן", "David Cohen", "Person"),
    ("გიორგი ბერიძე", "Giorgi Beridze", "Person"),
    ("Արամ Պետրոսյան", "Aram Petrosyan", "Person"),
    ("สมชาย ใจดี", "Somchai Jaidee", "Person"),
    ("မောင်မောင်", "Maung Maung", "Person"),
    ("राम शर्मा", "Ram Sharma", "Person"),
    ("ООО Ромашка", "Romashka LLC", "Company"),
)


def _timed_pass(pairs: list[Pair], scorer: Scorer) -> tuple[list[float], float]:
    forget()
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()  # CPU time: the machine is shared, wall time is noise
        scores = [scorer(p) for p in pairs]
        return scores, time.process_time() - start
    finally:
        gc.enable()


def evaluate(pairs: list[Pair], scorer: Scorer, threshold: float, repeat: int = 5) -> Figures:
    for query, candidate, schema in WARM_UP:  # imports and tables outside the timing
        scorer(Pair("warm-up", schema, query, candidate, True))
    scores, first = _timed_pass(pairs, scorer)
    times = [first]
    for _ in range(repeat - 1):
        again, seconds = _timed_pass(pairs, scorer)
        assert again == scores, "a matcher gave another score on a second pass"
        times.append(seconds)
    elapsed = statistics.median(times)
    tp = sum(1 for p, s in zip(pairs, scores, strict=True) if p.match and s >= threshold)
    fp = [p for p, s in zip(pairs, scores, strict=True) if not p.match and s >= threshold]
    fn = [p for p, s in zip(pairs, scores, strict=True) if p.match and s < threshold]
    negatives = sum(1 for p in pairs if not p.match)
    precision = tp / (tp + len(fp)) if tp + len(fp) else 1.0
    recall = tp / (tp + len(fn)) if tp + len(fn) else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    alerts = 1000 * len(fp) / negatives if negatives else 0.0
    return Figures(precision, recall, f1, alerts, fn, fp, elapsed / len(pairs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/name-matching"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--only-ours", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed passes per set and matcher (median)"
    )
    args = parser.parse_args(argv)
    sets = load_pairs(args.data)
    matchers: dict[str, tuple[Scorer, float]] = {
        f"bilateral ({MATCHER_VERSION})": (ours, THRESHOLDS["payment"])
    }
    if not args.only_ours:
        matchers.update(nomenklatura_scorers())
    lines = [
        f"command: {' '.join([Path(sys.executable).name, *sys.argv])}",
        f"date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"machine: {platform.machine()} {platform.processor() or ''} {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        f"{_nomenklatura_version()}",
        "",
        f"{'pairs':<21} {'matcher':<34} {'thr':>4} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'alerts/1k':>9} {'missed':>6} {'µs/pair':>9}  (CPU time, first comparison; "
        f"median of {args.repeat} passes, GC off in each)",
    ]
    results: dict[tuple[str, str], Figures] = {}
    for set_name, pairs in sets.items():
        for matcher, (scorer, threshold) in matchers.items():
            figures = evaluate(pairs, scorer, threshold, args.repeat)
            results[(set_name, matcher)] = figures
            lines.append(
                f"{set_name + f' ({len(pairs)})':<21} {matcher:<34} {threshold:>4.2f} "
                f"{figures.precision:>6.3f} {figures.recall:>6.3f} {figures.f1:>6.3f} "
                f"{figures.alerts_per_1000:>9.1f} {len(figures.missed):>6} "
                f"{figures.seconds_per_pair * 1e6:>9.1f}"
            )
            if args.show_errors and matcher.startswith("bilateral"):
                for p in figures.missed:
                    print(f"  MISSED {p.schema}: {p.query!r} ~ {p.candidate!r}", file=sys.stderr)
                for p in figures.false_alerts:
                    print(f"  FALSE  {p.schema}: {p.query!r} ~ {p.candidate!r}", file=sys.stderr)
    mine = next(iter(matchers))
    bench = results[("name bench", mine)]
    lines += ["", f"goals ({mine}):"]
    lines.append(f"  F1 on the name bench >= 0.90: {bench.f1:.3f}")
    missed = results[("cross-script", mine)].missed
    lines.append(
        f"  no missed cross-script true pair: {len(missed)} missed"
        + (f" ({'; '.join(p.query + ' ~ ' + p.candidate for p in missed)})" if missed else "")
    )
    # Every other pair labelled a match whose two names are written in different scripts.
    others = {
        (p.query, p.candidate): p
        for set_name, pairs in sets.items()
        if set_name != "cross-script"
        for p in pairs
        if p.match and _scripts(p.query) != _scripts(p.candidate)
    }
    scorer, threshold = matchers[mine]
    lost = [p for p in others.values() if scorer(p) < threshold]
    lines.append(
        f"  cross-script true pairs in the other sets: {len(others)}, {len(lost)} missed"
        + "".join(f"\n    {p.query} ~ {p.candidate}" for p in lost)
    )
    if ("name bench", "logic-v2") in results:
        other = results[("name bench", "logic-v2")]
        ratio = other.seconds_per_pair / bench.seconds_per_pair
        lines.append(
            f"  >= 10x logic-v2's speed per comparison: {ratio:.1f}x "
            f"({bench.seconds_per_pair * 1e6:.1f} vs {other.seconds_per_pair * 1e6:.1f} µs)"
        )
        lines.append(f"  logic-v2 F1 on the name bench at 0.70: {other.f1:.3f}")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
