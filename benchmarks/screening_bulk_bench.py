"""Bulk screening speed: parties and declaration lines against the shipped Belarus and
Russia Schedule 1 lists, on this machine's cores.

    PYTHONPATH=src python benchmarks/screening_bulk_bench.py --parties 1000000 \
        --declarations 10000000 --out benchmarks/results/screening_bulk.txt

The generated parties are realistic in shape, not in frequency: given names and surnames
of Slavic, English, German, Arabic and Chinese origin combined at random (so most rows are
distinct, as in a real customer file), one row in ten a company ("<word> <word> LLC"), and
one row in two hundred a listed name in another spelling (patronymic dropped, order
reversed, Belarusian or Cyrillic form). Declaration lines: dates 2019-2025, nine
destinations, 600 HS subheadings of HS2017, one line in ten an import, and party names on
one line in five (the realistic share: a broker screens the consignee of each new
shipment, not of every line of a repeated one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from bilateral.screening.bulk import Options, screen_parties
from bilateral.screening.declarations import screen_declarations
from bilateral.screening.screen import default_index
from bilateral.screening.store import shipped
from bilateral.screening.thresholds import THRESHOLDS

GIVEN = [
    "Ivan",
    "Sergei",
    "Aleksandr",
    "Dmitry",
    "Olga",
    "Natalia",
    "Yelena",
    "Viktor",
    "Andrei",
    "Mikhail",
    "Pavel",
    "Yuri",
    "Alyaksandr",
    "Uladzimir",
    "Siarhei",
    "Volha",
    "John",
    "Mary",
    "James",
    "Robert",
    "Linda",
    "Michael",
    "Sarah",
    "David",
    "Emma",
    "Thomas",
    "Hans",
    "Klaus",
    "Ingrid",
    "Jurgen",
    "Petra",
    "Mohammed",
    "Ahmed",
    "Fatima",
    "Ali",
    "Omar",
    "Leila",
    "Hassan",
    "Wei",
    "Li",
    "Ming",
    "Jing",
    "Hao",
    "Yan",
    "Chen",
    "Pierre",
    "Marie",
    "Jean",
    "Luc",
    "Sophie",
    "Carlos",
    "Maria",
    "Jose",
    "Ana",
]
SURNAMES = [
    "Ivanov",
    "Petrov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Sokolov",
    "Lebedev",
    "Kozlov",
    "Novikov",
    "Morozov",
    "Volkov",
    "Solovyov",
    "Vasiliev",
    "Zaitsev",
    "Pavlov",
    "Semenov",
    "Golubev",
    "Vinogradov",
    "Bogdanov",
    "Vorobyov",
    "Kavaliou",
    "Novik",
    "Zhuk",
    "Karpovich",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Mueller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Haddad",
    "Khalil",
    "Nasser",
    "Saleh",
    "Mansour",
    "Rahman",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Dubois",
    "Martin",
    "Bernard",
    "Moreau",
    "Garcia",
    "Rodriguez",
    "Lopez",
    "Gonzalez",
    "Perez",
    "Sanchez",
    "Tremblay",
    "Gagnon",
    "Roy",
    "Cote",
    "Bouchard",
    "Gauthier",
]
WORDS = [
    "Maple",
    "Northern",
    "Global",
    "Atlas",
    "Polar",
    "Prairie",
    "Summit",
    "Harbor",
    "Cedar",
    "Aurora",
    "Baltic",
    "Vector",
    "Granite",
    "Pioneer",
    "Coastal",
    "Union",
    "Central",
    "Eastern",
    "Western",
    "Frontier",
    "Delta",
    "Orion",
    "Nova",
]
TRADES = [
    "Trading",
    "Logistics",
    "Foods",
    "Machinery",
    "Chemicals",
    "Metals",
    "Textiles",
    "Energy",
    "Systems",
]
FORMS = ["LLC", "Ltd", "Inc", "GmbH", "JSC", "OOO", "S.A."]
COUNTRIES = ["BY", "RU", "US", "DE", "CN", "KZ", "FR", "GB", "AM"]


def variant(name: str, rng: random.Random) -> str:
    parts = name.replace(",", "").split()
    choice = rng.randrange(4)
    if choice == 0 and len(parts) == 3:
        return f"{parts[0]} {parts[2]}"  # no patronymic
    if choice == 1:
        return " ".join(reversed(parts)).upper()
    if choice == 2:
        return name.replace("Aleksandr", "Alyaksandr").replace("enko", "enka")
    return name


def party_names(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    listed = [e.name for s in shipped() for e in s.entries]
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.005:
            out.append(variant(rng.choice(listed), rng))
        elif roll < 0.105:
            out.append(f"{rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(FORMS)}")
        else:
            middle = f" {rng.choice(GIVEN)}" if rng.random() < 0.3 else ""
            out.append(f"{rng.choice(GIVEN)}{middle} {rng.choice(SURNAMES)}")
    return out


def write_parties(path: Path, n: int) -> None:
    names = party_names(n)
    table = pa.table(
        {
            "id": pa.array([str(i) for i in range(n)]),
            "name": pa.array(names),
            "date": pa.array(["2024-06-30"] * n),
        }
    )
    pq.write_table(table, path)


def write_declarations(path: Path, n: int, hs_codes: list[str]) -> None:
    parties = party_names(50_000, seed=2)
    con = duckdb.connect()
    con.register("hs", pa.table({"i": list(range(len(hs_codes))), "code": hs_codes}))
    con.register("party", pa.table({"j": list(range(len(parties))), "name": parties}))
    con.register("ctry", pa.table({"k": list(range(len(COUNTRIES))), "c": COUNTRIES}))
    con.execute(
        f"""copy (
          select (date '2019-01-01' + cast(floor(random() * 2400) as integer))::varchar as date,
                 case when random() < 0.1 then 'import' else 'export' end as direction,
                 ctry.c as destination, ctry.c as origin, hs.code as hs,
                 case when random() < 0.2 then p1.name end as consignee,
                 case when random() < 0.2 then p2.name end as exporter,
                 ''::varchar as permit, ''::varchar as quantity
          from range({n}) t(x)
          join hs on hs.i = (x * 7919) % {len(hs_codes)}
          join ctry on ctry.k = (x * 31) % {len(COUNTRIES)}
          join party p1 on p1.j = (x * 104729) % {len(parties)}
          join party p2 on p2.j = (x * 15485863) % {len(parties)}
        ) to '{path}' (format parquet)"""
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--declarations", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    index = default_index(shipped())
    lines = [
        f"command: {' '.join([Path(sys.executable).name, *sys.argv])}",
        f"date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"machine: {platform.machine()} {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, workers {args.workers}",
        f"lists: {', '.join(index.versions)} ({len(index.entries)} entries, "
        f"{len(index.names)} names)",
    ]
    threshold = THRESHOLDS["payment"]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.parties:
            source = work / "parties.parquet"
            write_parties(source, args.parties)
            start = time.perf_counter()
            report = screen_parties(
                source, work / "out.parquet", index, Options(None, threshold, args.workers)
            )
            took = time.perf_counter() - start
            lines.append(
                f"screen parties: {report.rows:,} rows in {took:.1f} s "
                f"({report.rows / took:,.0f} rows/s), {report.hits:,} rows with a hit"
            )
        if args.declarations:
            hs_codes = [
                line.split(",")[0]
                for line in (
                    Path(__file__).resolve().parent.parent / "src/bilateral/goods/data/hs2017.csv"
                )
                .read_text()
                .splitlines()
                if line[:6].isdigit() and len(line.split(",")[0]) == 6
            ][::8][:600]
            source = work / "declarations.parquet"
            write_declarations(source, args.declarations, hs_codes)
            start = time.perf_counter()
            result = screen_declarations(source, work / "dout.parquet", index, threshold)
            took = time.perf_counter() - start
            lines.append(
                f"screen declarations: {result.rows:,} rows in {took:.1f} s "
                f"({result.rows / took:,.0f} rows/s), {result.hits:,} rows with a party hit, "
                f"{result.errors:,} not screened"
            )
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
