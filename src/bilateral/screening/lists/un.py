"""The UN Security Council Consolidated List (XML, ``CONSOLIDATED_LIST``)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from bilateral.screening.lists._text import birth_date, country_code
from bilateral.screening.model import Entry, Snapshot

MODULE = "bilateral.screening.lists.un"
URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"


def _t(element: ET.Element, tag: str) -> str:
    return " ".join((element.findtext(tag) or "").split())


def _aliases(record: ET.Element, tag: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(strong, weak): the UN marks alias quality "Good" or "Low"."""
    strong: list[str] = []
    weak: list[str] = []
    for alias in record.findall(tag):
        name = _t(alias, "ALIAS_NAME")
        if name:
            (weak if _t(alias, "QUALITY").lower() == "low" else strong).append(name)
    return tuple(strong), tuple(weak)


def _births(record: ET.Element) -> tuple[str, ...]:
    out: list[str] = []
    for born in record.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        for tag in ("DATE", "YEAR"):
            if value := birth_date(_t(born, tag)[:10]):
                out.append(value)
        start, end = _t(born, "FROM_YEAR"), _t(born, "TO_YEAR")
        if start.isdigit() and end.isdigit() and 0 <= int(end) - int(start) <= 20:
            out.extend(str(y) for y in range(int(start), int(end) + 1))
    return tuple(dict.fromkeys(out))


def read_un(path: Path) -> Snapshot:
    root = ET.parse(path).getroot()
    generated = root.get("dateGenerated", "")[:10]
    entries: list[Entry] = []
    for kind, tag in (("Person", "INDIVIDUAL"), ("Organization", "ENTITY")):
        for record in root.iter(tag):
            parts = [
                _t(record, f) for f in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
            ]
            name = " ".join(p for p in parts if p)
            if not name:
                continue
            strong, weak = _aliases(record, f"{tag}_ALIAS")
            original = _t(record, "NAME_ORIGINAL_SCRIPT")
            if original:
                strong = (*strong, original)
            nationalities = tuple(
                code
                for v in record.findall("NATIONALITY/VALUE")
                if (code := country_code(" ".join((v.text or "").split()))) is not None
            )
            identifiers = tuple(
                _t(d, "NUMBER") for d in record.findall(f"{tag}_DOCUMENT") if _t(d, "NUMBER")
            )
            listed = _t(record, "LISTED_ON")
            reference = _t(record, "REFERENCE_NUMBER")
            entries.append(
                Entry(
                    id=f"un/{reference or _t(record, 'DATAID')}",
                    schema=kind,
                    name=name,
                    aliases=strong,
                    weak_aliases=weak,
                    birth_dates=_births(record) if kind == "Person" else (),
                    nationalities=tuple(dict.fromkeys(nationalities)),
                    identifiers=identifiers,
                    programme=_t(record, "UN_LIST_TYPE"),
                    listed_from=dt.date.fromisoformat(listed[:10]) if listed else None,
                    reference=f"UN Security Council Consolidated List, {reference}",
                    url=URL,
                )
            )
    return Snapshot(
        list_id="un-sc-consolidated",
        title="UN Security Council Consolidated List",
        source=path.name,
        source_date=dt.date.fromisoformat(generated) if generated else None,
        importer=MODULE,
        entries=tuple(entries),
    )
