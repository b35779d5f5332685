"""The UN Security Council Consolidated List (XML, ``CONSOLIDATED_LIST``).

The package ships the list's DPRK entries (the persons designated under Resolution 1718,
whom SOR/2006-287 s. 2 prohibits dealing with), under the list's own id: importing the
whole list (``bilateral screen lists import un FILE``) replaces them.

Rerun (writes the package's shipped DPRK entries):
    python -m bilateral.screening.lists.un --source /path/to/UN_consolidated.xml
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from bilateral.screening.lists._text import birth_date, country_code
from bilateral.screening.model import Entry, Snapshot

MODULE = "bilateral.screening.lists.un"
URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "lists"
# The regimes whose entries ship with the package (UN_LIST_TYPE).
SHIPPED = "DPRK"
SHIPPED_NOTE = (
    "Only the list's {regime} entries ship with the package; import the whole list with "
    "'bilateral screen lists import un FILE' to screen against all of it. Persons delisted "
    "before {day} are not in it."
)


# The list's name, with which each entry's reference begins ("…, KPi.001").
UN_LIST = "UN Security Council Consolidated List"


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


def read_un(path: Path, regime: str | None = None) -> Snapshot:
    """The whole list, or only the entries of one regime (UN_LIST_TYPE, e.g. "DPRK")."""
    root = ET.parse(path).getroot()
    generated = root.get("dateGenerated", "")[:10]
    entries: list[Entry] = []
    for kind, tag in (("Person", "INDIVIDUAL"), ("Organization", "ENTITY")):
        for record in root.iter(tag):
            if regime is not None and _t(record, "UN_LIST_TYPE") != regime:
                continue
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
                    reference=f"{UN_LIST}, {reference}",
                    url=URL,
                )
            )
    title = UN_LIST
    notes: tuple[str, ...] = ()
    if regime is not None:
        title += f" ({regime} entries)"
        notes = (SHIPPED_NOTE.format(regime=regime, day=generated or "its date"),)
    return Snapshot(
        list_id="un-sc-consolidated",
        title=title,
        source=path.name,
        source_date=dt.date.fromisoformat(generated) if generated else None,
        importer=MODULE,
        entries=tuple(entries),
        notes=notes,
    )


def write_shipped(source: Path, out_dir: Path = DATA_DIR) -> str:
    """Regenerate the package's UN entries (its DPRK entries); report what changed."""
    from bilateral.screening.model import delta
    from bilateral.screening.store import load_snapshot_file

    snapshot = read_un(source, SHIPPED)
    target = out_dir / f"{snapshot.list_id}.json"
    before = load_snapshot_file(target) if target.exists() else None
    change = delta(before, snapshot)
    text = json.dumps(snapshot.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text + "\n", encoding="utf-8", newline="\n")
    return f"{snapshot.version}: {len(snapshot.entries)} entries; {change.summary()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ship the UN list's DPRK entries.")
    parser.add_argument("--source", type=Path, required=True, help="UN_consolidated.xml")
    args = parser.parse_args(argv)
    print(write_shipped(args.source))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
