"""US Treasury OFAC lists in the legacy CSV format: the SDN list and the Consolidated
(non-SDN) list.

A folder holds ``sdn.csv`` + ``alt.csv`` (+ ``sdn_comments.csv``, the overflow of long
remarks) for the SDN list, or ``cons_prim.csv`` + ``cons_alt.csv`` (+ ``cons_comments.csv``)
for the consolidated list; no header; ``-0-`` is empty; cp1252. Birth dates, nationalities,
identifiers and weak aliases (``a.k.a. 'X'`` in single quotes, OFAC's "weak aka") are read
from the remarks. The legacy format carries no listing date.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from bilateral.screening.lists._text import birth_date, country_code
from bilateral.screening.model import Entry, Snapshot

MODULE = "bilateral.screening.lists.ofac"
URL = "https://sanctionssearch.ofac.treas.gov/"
_SCHEMA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
_DOB = re.compile(r"^(?:alt\. )?DOB (?:circa )?(.+)$")
_NATIONALITY = re.compile(r"^(?:alt\. )?(?:nationality|citizen) (.+)$")
_WEAK = re.compile(r"a\.k\.a\. '([^']+)'")
_ID = re.compile(
    r"^(?:alt\. )?(?:Passport|National ID No\.|Tax ID No\.|Registration ID|Cedula No\.|"
    r"IMO|MMSI|Identification Number|C\.U\.R\.P\.|R\.F\.C\.|D\.N\.I\.|NIT #|SWIFT/BIC|"
    r"Aircraft Manufacturer's Serial Number \(MSN\)) (\S+)"
)
_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _rows(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    with path.open(encoding="cp1252", newline="") as handle:
        return [[_clean(v) for v in row] for row in csv.reader(handle) if len(row) >= 2]


def _births(remarks: str) -> list[str]:
    out: list[str] = []
    for part in remarks.split(";"):
        if match := _DOB.match(part.strip()):
            text = match.group(1).strip()
            if " to " in text:  # "1960 to 1962"
                start, _, end = text.partition(" to ")
                a, b = birth_date(start), birth_date(end)
                if a and b and a.isdigit() and b.isdigit() and 0 <= int(b) - int(a) <= 20:
                    out.extend(str(y) for y in range(int(a), int(b) + 1))
                continue
            if born := birth_date(text):
                out.append(born)
    return out


def read_ofac(path: Path, source_date: dt.date | None = None) -> Snapshot:
    folder = path if path.is_dir() else path.parent
    if (folder / "sdn.csv").exists():
        prefix, list_id, title = "", "us-ofac-sdn", "OFAC Specially Designated Nationals List"
        main, alt, comments = "sdn.csv", "alt.csv", "sdn_comments.csv"
    elif (folder / "cons_prim.csv").exists():
        prefix, list_id, title = "cons_", "us-ofac-consolidated", "OFAC Consolidated (non-SDN) List"
        main, alt, comments = "cons_prim.csv", "cons_alt.csv", "cons_comments.csv"
    else:
        raise ValueError(f"{folder}: neither sdn.csv nor cons_prim.csv (OFAC legacy CSV)")
    del prefix
    if source_date is None and (found := _DATED_NAME.search(folder.name)):
        source_date = dt.date.fromisoformat(found.group(1))
    aliases: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(folder / alt):
        if len(row) >= 4 and row[3]:
            aliases.setdefault(row[0], []).append((row[2].lower(), row[3]))
    overflow = {row[0]: row[1] for row in _rows(folder / comments)}
    entries: list[Entry] = []
    for row in _rows(folder / main):
        if len(row) < 12 or not row[0].isdigit():
            continue
        number, name, kind, programme = row[0], row[1], row[2].lower(), row[3]
        remarks = row[11] + overflow.get(number, "")
        parts = [p.strip() for p in remarks.split(";")]
        nationalities = [
            code
            for p in parts
            if (m := _NATIONALITY.match(p)) and (code := country_code(m.group(1))) is not None
        ]
        identifiers = [m.group(1).rstrip(".,") for p in parts if (m := _ID.match(p))]
        strong = tuple(a for kind_, a in aliases.get(number, []) if kind_ in ("aka", "fka", "nka"))
        entries.append(
            Entry(
                id=f"{list_id}/{number}",
                schema=_SCHEMA.get(kind, "LegalEntity"),
                name=name,
                aliases=strong,
                weak_aliases=tuple(_WEAK.findall(remarks)),
                birth_dates=tuple(dict.fromkeys(_births(remarks))),
                nationalities=tuple(dict.fromkeys(nationalities)),
                identifiers=tuple(dict.fromkeys(identifiers)),
                programme=programme,
                reference=f"{title}, entry {number} [{programme}]",
                url=URL,
            )
        )
    return Snapshot(
        list_id=list_id,
        title=title,
        source=f"{folder.name}/{main}",
        source_date=source_date,
        importer=MODULE,
        entries=tuple(entries),
        notes=(
            "The legacy CSV gives no listing dates: screening cannot say when an entry was listed.",
        ),
    )
