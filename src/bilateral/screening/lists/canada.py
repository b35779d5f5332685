"""Canada's Consolidated Canadian Autonomous Sanctions List (SEMA and JVCFOA), XML.

Global Affairs Canada publishes it as ``sema-lmes.xml``: one ``<record>`` per listed person
with Country (the regulation's country), LastName/GivenName or Entity, Aliases, DateOfBirth,
Schedule and Item. It carries no listing date: entries have ``listed_from=None`` and a
screening answer says the date is unknown rather than "not listed".
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from bilateral.screening.lists._text import birth_date
from bilateral.screening.model import Entry, Snapshot

MODULE = "bilateral.screening.lists.canada"
_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _field(record: ET.Element, tag: str) -> str:
    return " ".join((record.findtext(tag) or "").split())


def read_consolidated(path: Path, source_date: dt.date | None = None) -> Snapshot:
    root = ET.parse(path).getroot()
    if source_date is None and (found := _DATED_NAME.search(path.name)):
        source_date = dt.date.fromisoformat(found.group(1))
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for record in root.iter("record"):
        regime = _field(record, "Country")
        regime_en = regime.split(" / ")[0].strip()
        entity = _field(record, "Entity")
        given, last = _field(record, "GivenName"), _field(record, "LastName")
        name = entity or " ".join(p for p in (given, last) if p)
        if not name:
            continue
        aliases = tuple(a.strip() for a in _field(record, "Aliases").split(", ") if a.strip())
        born = birth_date(_field(record, "DateOfBirth"))
        schedule, item = _field(record, "Schedule"), _field(record, "Item")
        key = f"{regime_en.lower()}/{schedule or '-'}/{item or name}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        entries.append(
            Entry(
                id=f"ca-consolidated/{key}",
                schema="Organization" if entity else "Person",
                name=name,
                aliases=aliases,
                birth_dates=(born,) if born else (),
                programme=regime_en,
                reference=f"Consolidated Canadian Autonomous Sanctions List: {regime_en}"
                + (f", Schedule {schedule}" if schedule else "")
                + (f", item {item}" if item else ""),
                url="https://www.international.gc.ca/world-monde/international_relations-relations_internationales/sanctions/consolidated-consolide.aspx",
            )
        )
    return Snapshot(
        list_id="ca-consolidated",
        title="Consolidated Canadian Autonomous Sanctions List",
        source=path.name,
        source_date=source_date,
        importer=MODULE,
        entries=tuple(entries),
        notes=("The list gives no listing dates: screening cannot say when an entry was listed.",),
    )
