"""Import the persons the UN Security Council or one of its committees has designated under
a sanctions regime, from the UN Security Council Consolidated List (XML), as a
``PersonList`` of the Canadian regulations that give the designations effect.

The Regulations Implementing the United Nations Resolutions on the DPRK (SOR/2006-287)
define a designated person (s. 1) as one designated by the Security Council or its
Committee under Resolution 1718, and s. 2 prohibits dealings with them: the designations
themselves are the UN's, recorded in its Consolidated List with a reference number (KPi.001
for individuals, KPe.001 for entities), the date of designation (LISTED_ON) and aliases.
Each person counts from their LISTED_ON date (exact). An entity's name ending in its
acronym ("FOREIGN TRADE BANK (FTB)") gives two aliases, the name without it and the
acronym; the name stays as the list writes it. Aliases the UN marks "Low" quality
are left out (the UN says they are not enough to identify anyone; screening keeps them as
weak aliases). A person delisted before the list was generated is not in it: the list's
``coverage`` caveat says so on every party answer.

Rerun: python -m bilateral.importers.un_designations --source /path/to/sanctions/un
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bilateral.importers._common import dump_yaml, require_source, sha256, squash, write_text
from bilateral.importers.sema_regulations import OUT_DIR
from bilateral.law.model import Bilingual, ListedPerson, PersonList
from bilateral.law.validation import dump

MODULE = "bilateral.importers.un_designations"
# The copy in the research folder (sanctions/PROVENANCE.txt): moov-io/watchman's test data.
SOURCE_FILE = "UN_consolidated_2026-02-27.xml"
UPSTREAM = "moov-io/watchman@612b2174:test/testdata/UN_consolidated.xml"
UPSTREAM_COMMIT = "612b2174"
URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"
_REFERENCE = re.compile(r"^(?P<prefix>[A-Z]{2}[ie])\.(?P<number>\d+)$")
# An entity's name ending in its acronym, "FOREIGN TRADE BANK (FTB)": the name without it
# and the acronym are other names for the entity (as in the SEMA schedules' "(…)").
_ACRONYM = re.compile(r"^(?P<name>.+\S)\s+\((?P<acronym>[A-Z]{2,6})\)$")


@dataclass(frozen=True)
class RegimeSpec:
    """One UN sanctions regime (UN_LIST_TYPE) and the Canadian regulations it serves."""

    list_type: str  # "DPRK"
    list_id: str  # "un-dprk-1718"
    instrument: str  # "SOR/2006-287"
    provision: str  # how the answer cites the list
    committee: Bilingual  # who designates, as the coverage caveat says it


DPRK = RegimeSpec(
    list_type="DPRK",
    list_id="un-dprk-1718",
    instrument="SOR/2006-287",
    provision="UN Security Council Consolidated List (DPRK)",
    committee=Bilingual(
        en="the UN Security Council and its 1718 Committee (SOR/2006-287, s. 1, designated person)",
        fr="le Conseil de sécurité des Nations Unies et son Comité 1718 (DORS/2006-287, art. 1, "
        "personne désignée)",
    ),
)
REGIMES = (DPRK,)


def _text(record: ET.Element, tag: str) -> str:
    return squash(record.findtext(tag) or "")


def _alias(text: str) -> str:
    """An alias without the quotes the list puts around some ("KOMID")."""
    return text.strip().strip('"“”').strip()


def _born(record: ET.Element) -> str | None:
    """The birth dates the list gives, as it gives them (1944-10-13, 1938, 1960 to 1965)."""
    found: list[str] = []
    for born in record.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        for tag in ("DATE", "YEAR"):
            if value := _text(born, tag)[:10]:
                found.append(value)
        start, end = _text(born, "FROM_YEAR"), _text(born, "TO_YEAR")
        if start and end:
            found.append(f"{start} to {end}")
    return " or ".join(dict.fromkeys(found)) or None


def _person(record: ET.Element, entity: bool) -> ListedPerson:
    tag = "ENTITY" if entity else "INDIVIDUAL"
    parts = [_text(record, f) for f in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    reference = _text(record, "REFERENCE_NUMBER")
    listed = _text(record, "LISTED_ON")
    if not name or not _REFERENCE.match(reference) or not listed:
        raise ValueError(f"record {_text(record, 'DATAID')}: no name, reference or LISTED_ON")
    aliases: list[str] = []
    if entity and (short := _ACRONYM.match(name)):
        aliases += [short["name"], short["acronym"]]
    for alias in record.findall(f"{tag}_ALIAS"):
        text = _alias(_text(alias, "ALIAS_NAME"))
        if text and text != name and _text(alias, "QUALITY").lower() != "low":
            aliases.append(text)
    original = _text(record, "NAME_ORIGINAL_SCRIPT")
    if original:
        aliases.append(original)
    return ListedPerson(
        part="",
        item=reference,
        name=name,
        aliases=tuple(dict.fromkeys(aliases)),
        born=None if entity else _born(record),
        entity=entity,
        listed_on=dt.date.fromisoformat(listed[:10]),
    )


def _order(person: ListedPerson) -> tuple[bool, int]:
    found = _REFERENCE.match(person.item)
    assert found is not None
    return person.entity, int(found["number"])


def generated_on(root: ET.Element) -> dt.date:
    stamp = root.get("dateGenerated", "")
    if not stamp:
        raise ValueError("the list has no dateGenerated")
    return dt.date.fromisoformat(stamp[:10])


def read_regime(root: ET.Element, spec: RegimeSpec) -> list[ListedPerson]:
    """The persons of one regime, individuals then entities, by reference number."""
    persons = [
        _person(record, tag == "ENTITY")
        for tag in ("INDIVIDUAL", "ENTITY")
        for record in root.iter(tag)
        if _text(record, "UN_LIST_TYPE") == spec.list_type
    ]
    return sorted(persons, key=_order)


def coverage(spec: RegimeSpec, generated: dt.date) -> Bilingual:
    day = generated.isoformat()
    return Bilingual(
        en=f"Designations by {spec.committee.en} are read from the UN Security Council "
        f"Consolidated List generated on {day}: persons delisted before that day are not in "
        "the data, nor persons designated after it.",
        fr=f"Les désignations par {spec.committee.fr} proviennent de la Liste récapitulative "
        f"du Conseil de sécurité des Nations Unies produite le {day} : les personnes radiées "
        "avant cette date n'y figurent pas, ni celles désignées après.",
    )


def person_list(root: ET.Element, spec: RegimeSpec, persons: list[ListedPerson]) -> PersonList:
    generated = generated_on(root)
    return PersonList(
        id=spec.list_id,
        instrument=spec.instrument,
        provision=spec.provision,
        url=URL,
        source=f"{UPSTREAM} (UN Security Council Consolidated List generated on "
        f"{generated.isoformat()})",
        parts={},
        persons=tuple(persons),
        coverage=coverage(spec, generated),
    )


def check_source(source: Path) -> None:
    """The research copy records where it came from; refuse a copy from elsewhere."""
    provenance = source.parent / "PROVENANCE.txt"
    if provenance.is_file():
        text = provenance.read_text(encoding="utf-8")
        if SOURCE_FILE not in text or UPSTREAM_COMMIT not in text:
            raise SystemExit(f"{provenance} does not name {SOURCE_FILE} at {UPSTREAM_COMMIT}")


def run(source: Path, out_dir: Path, regimes: Sequence[RegimeSpec] = REGIMES) -> list[str]:
    """Write the list of each regime; return the report lines."""
    check_source(source)
    path = source / SOURCE_FILE
    root = ET.parse(path).getroot()
    report: list[str] = []
    for spec in regimes:
        persons = read_regime(root, spec)
        listing = person_list(root, spec, persons)
        entities = sum(p.entity for p in persons)
        counts = f"{len(persons) - entities} individuals, {entities} entities"
        lines = [
            f"Generated by {MODULE} from {listing.source} (sha256 {sha256(path)}); do not "
            "edit by hand;",
            f"rerun: python -m {MODULE} --source /path/to/sanctions/un",
            f"{spec.instrument}: persons designated under the UN {spec.list_type} regime, "
            f"{counts}; aliases of Low quality left out.",
        ]
        write_text(out_dir / f"{listing.id}.yaml", dump_yaml(lines, dump(listing)))
        report.append(f"{spec.list_id}: {counts} ({spec.list_type}, {listing.source})")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import UN Security Council designations.")
    parser.add_argument("--source", help=f"folder holding {SOURCE_FILE} (sanctions/un)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    source = require_source(args.source, "sanctions", "un")
    for line in run(source, args.out):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
