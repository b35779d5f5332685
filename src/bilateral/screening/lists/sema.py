"""Schedule 1 (listed persons) of a Special Economic Measures regulation, from Justice XML.

Any regulation shaped like SOR/2020-214 (Belarus) or SOR/2014-58 (Russia) reads without
new code: Schedule 1 is a run of part headings ("PART 1 Individuals — …") each followed by
a list of items "Name (born on …) (also known as A, B and C)". Each item carries its
``lims:inforce-start-date``: the date the listing took effect. The point-in-time data of
Justice Laws begins on 2016-03-18, so an item dated then may be older; such items are
marked ``listed_from_exact=False`` and a screening answer before that date says "possibly
listed" rather than "not listed". An item amended since (its ``lims:id`` differs from
its ``lims:fid``: a birth date added, a spelling corrected) carries the amendment's date,
so it is marked inexact too. A repealed item ("[Repealed, SOR/2022-84, s. 1]") keeps
no name: it is counted in the snapshot's notes with the date of its repeal.

Rerun (writes the package's shipped lists):
    python -m bilateral.screening.lists.sema --source /path/to/laws-lois-xml
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from bilateral.screening.lists._text import birth_date
from bilateral.screening.model import Entry, Snapshot

LIMS = "{http://justice.gc.ca/lims}"
IN_FORCE = LIMS + "inforce-start-date"
# The first date of the Justice Laws point-in-time data: an item dated then was in force
# then, and possibly before.
POINT_IN_TIME_START = dt.date(2016, 3, 18)
LIMS_NOTE = (
    "Listing dates are the in-force dates of the items in the Justice Laws point-in-time "
    "XML; an item amended since its listing (lims:id differs from lims:fid) or dated "
    "2016-03-18 (where that data begins) may have been listed earlier: screening before "
    "that date answers 'possibly listed'."
)
MODULE = "bilateral.screening.lists.sema"
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "lists"
# The regulations whose Schedule 1 ships with the package, by file name.
SHIPPED = {
    "SOR-2020-214.xml": ("ca-sema-belarus", "BELARUS"),
    "SOR-2014-58.xml": ("ca-sema-russia", "RUSSIA"),
}

_ALSO_KNOWN = re.compile(r"^(?:also known as|also spelled|also referred to as) (.+)$", re.I)
_BORN = re.compile(r"^born (?:on |in |circa )?(.+?)(?:,? in .*)?$", re.I)


def _text(element: ET.Element | None) -> str:
    """Text without footnote markers and historical notes."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in ("FootnoteRef", "Footnote", "HistoricalNote"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _trailing(text: str) -> tuple[str, str] | None:
    """(rest, inside) of a text ending with a balanced "(…)"."""
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            return text[:index].rstrip(), text[index + 1 : -1].strip()
    return None


def _split_aliases(text: str) -> list[str]:
    pieces = [p.strip() for p in re.split(r", |; ", text)]
    head, _, tail = pieces[-1].partition(" and ")
    pieces[-1:] = [head, tail] if tail else [head]
    return [p for p in pieces if p]


def parse_item(text: str, entity: bool) -> tuple[str, list[str], list[str]]:
    """(name, aliases, birth dates) of one Schedule 1 item."""
    name = text
    aliases: list[str] = []
    births: list[str] = []
    while (found := _trailing(name)) is not None:
        rest, inside = found
        if match := _ALSO_KNOWN.match(inside):
            aliases = _split_aliases(match.group(1)) + aliases
        elif match := _BORN.match(inside):
            for piece in re.split(r" or |, or ", match.group(1)):
                if (born := birth_date(piece)) is not None:
                    births.append(born)
        elif entity and inside not in ("Belarus", "Russia"):
            aliases = [inside, *aliases]  # a translation or acronym of the entity's name
        else:
            break
        name = rest
    return name, aliases, births


def _schedule_1(root: ET.Element) -> ET.Element:
    for schedule in root.iter("Schedule"):
        if _text(schedule.find("ScheduleFormHeading/Label")) == "SCHEDULE 1":
            return schedule
    raise ValueError("no SCHEDULE 1 in this regulation")


def _registration(root: ET.Element) -> dt.date | None:
    date = root.find("Identification/RegistrationDate/Date")
    if date is None:
        return None
    try:
        return dt.date(*(int(_text(date.find(t))) for t in ("YYYY", "MM", "DD")))
    except ValueError:
        return None


def read_regulation(path: Path, list_id: str | None = None, programme: str = "") -> Snapshot:
    """Schedule 1 of one regulation XML file as a snapshot."""
    root = ET.parse(path).getroot()
    instrument = _text(root.find("Identification/InstrumentNumber"))
    title = _text(root.find("Identification/LongTitle"))
    consolidated = root.find("Identification/ConsolidationDate/Date")
    source_date = (
        dt.date(*(int(_text(consolidated.find(t))) for t in ("YYYY", "MM", "DD")))
        if consolidated is not None
        else None
    )
    registered = _registration(root)
    slug = instrument.replace("/", "-")
    url = f"https://laws-lois.justice.gc.ca/eng/regulations/{slug}/"
    entries: list[Entry] = []
    notes: list[str] = []
    part = heading = ""
    for child in _schedule_1(root):
        if child.tag == "Heading":
            part = _text(child.find("Label")).removeprefix("PART ").strip()
            heading = _text(child.find("TitleText"))
            continue
        if child.tag != "List":
            continue
        entity = heading.startswith("Entities")
        for item in child.findall("Item"):
            label = _text(item.find("Label"))
            text = _text(item.find("Text"))
            date = dt.date.fromisoformat(item.get(IN_FORCE, "1900-01-01"))
            if text.startswith("[Repealed"):
                notes.append(
                    f"Part {part}, item {label} repealed, in force {date.isoformat()} "
                    f"{text.strip('[]').removeprefix('Repealed, ')}: the name is not in the "
                    "consolidation"
                )
                continue
            name, aliases, births = parse_item(text, entity)
            # An item whose lims:id differs from its lims:fid is an amended version (a
            # birth date added, a name corrected): its date is that of the amendment, and
            # the listing may be older. Only an unamended item dated after the start of
            # the point-in-time data dates the listing itself.
            amended = item.get(LIMS + "id") != item.get(LIMS + "fid")
            exact = not amended and (
                date != POINT_IN_TIME_START
                or (registered is not None and registered >= POINT_IN_TIME_START)
            )
            entries.append(
                Entry(
                    id=f"{slug.lower()}/1/{part}/{label}",
                    schema="Organization" if entity else "Person",
                    name=name,
                    aliases=tuple(aliases),
                    birth_dates=tuple(births),
                    programme=programme or title,
                    listed_from=date,
                    listed_from_exact=exact,
                    reference=f"{instrument}, Schedule 1, Part {part}, item {label}",
                    url=url,
                )
            )
    return Snapshot(
        list_id=list_id or f"ca-{slug.lower()}-schedule-1",
        title=f"{title} ({instrument}), Schedule 1",
        source=f"{path.name} (Justice Laws XML, consolidated to {source_date})",
        source_date=source_date,
        importer=MODULE,
        entries=tuple(entries),
        notes=(LIMS_NOTE, *notes),
    )


def write_shipped(source: Path, out_dir: Path = DATA_DIR) -> list[str]:
    """Regenerate the package's Schedule 1 lists; report what changed."""
    from bilateral.screening.model import delta
    from bilateral.screening.store import load_snapshot_file

    report = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for file_name, (list_id, programme) in SHIPPED.items():
        snapshot = read_regulation(source / file_name, list_id, programme)
        target = out_dir / f"{list_id}.json"
        before = load_snapshot_file(target) if target.exists() else None
        change = delta(before, snapshot)
        text = json.dumps(snapshot.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
        target.write_text(text + "\n", encoding="utf-8", newline="\n")
        report.append(f"{snapshot.version}: {len(snapshot.entries)} entries; {change.summary()}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import Schedule 1 of SEMA regulations.")
    parser.add_argument("--source", type=Path, required=True, help="laws-lois-xml folder")
    args = parser.parse_args(argv)
    for line in write_shipped(args.source):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
