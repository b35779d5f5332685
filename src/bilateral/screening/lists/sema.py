"""A schedule of listed persons of a Special Economic Measures regulation, from Justice XML.

Any regulation shaped like SOR/2020-214 (Belarus) or SOR/2014-58 (Russia) reads without
new code: Schedule 1 is a run of part headings ("PART 1 Individuals — …") each followed by
a list of items "Name (born on …) (also known as A, B and C)"; Russia's Schedules 2 and 3
(entities whose new debt or equity is restricted) are one list under the schedule's own
title. Each item carries its ``lims:inforce-start-date``: the date the listing took
effect. The schedule's earliest version in the point-in-time data of Justice Laws may be
later than the regulations (Russia's Schedule 1 from 2016-03-18, Schedule 2 from
2014-09-16), so an item dated then may be older; such items are marked
``listed_from_exact=False`` and a screening answer before that date says "possibly
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
# The note of a schedule whose earliest version in that data is another day.
SCHEDULE_NOTE = (
    "Listing dates of {instrument} {schedule} are the in-force dates of its items in the "
    "Justice Laws point-in-time XML; the schedule as it now reads is in force from "
    "{version}, so an item dated then, or amended since (lims:id differs from lims:fid), "
    "may have been listed earlier: screening before that date answers 'possibly listed'."
)
MODULE = "bilateral.screening.lists.sema"
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "lists"
# The schedules of listed persons that ship with the package: (regulation file, schedule,
# list id, programme).
SHIPPED = (
    ("SOR-2020-214.xml", "SCHEDULE 1", "ca-sema-belarus", "BELARUS"),
    ("SOR-2014-58.xml", "SCHEDULE 1", "ca-sema-russia", "RUSSIA"),
    ("SOR-2014-58.xml", "SCHEDULE 2", "ca-sema-russia-schedule-2", "RUSSIA"),
    ("SOR-2014-58.xml", "SCHEDULE 3", "ca-sema-russia-schedule-3", "RUSSIA"),
)

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


def _schedule(root: ET.Element, label: str = "SCHEDULE 1") -> ET.Element:
    for schedule in root.iter("Schedule"):
        if _text(schedule.find("ScheduleFormHeading/Label")) == label:
            return schedule
    raise ValueError(f"no {label} in this regulation")


def _registration(root: ET.Element) -> dt.date | None:
    date = root.find("Identification/RegistrationDate/Date")
    if date is None:
        return None
    try:
        return dt.date(*(int(_text(date.find(t))) for t in ("YYYY", "MM", "DD")))
    except ValueError:
        return None


def read_regulation(
    path: Path, list_id: str | None = None, programme: str = "", label: str = "SCHEDULE 1"
) -> Snapshot:
    """A schedule of listed persons (Schedule 1 unless ``label`` says another) of one
    regulation XML file as a snapshot."""
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
    found = _schedule(root, label)
    number = label.removeprefix("SCHEDULE ")
    schedule = f"Schedule {number}"
    # The schedule's earliest version in the point-in-time data, where later than the
    # regulations: an item dated then may have been listed earlier.
    version = dt.date.fromisoformat(found.get(IN_FORCE, "1900-01-01"))
    text_from = version if registered is not None and version > registered else None
    entries: list[Entry] = []
    notes: list[str] = []
    part: str | None = None  # None: no part heading (yet); "": a schedule without parts
    heading = ""
    for child in found:
        if child.tag == "Heading":
            part = _text(child.find("Label")).removeprefix("PART ").strip()
            heading = _text(child.find("TitleText"))
            continue
        if child.tag != "List":
            continue
        if part is None:  # one list under the schedule's own title ("Entities")
            part, heading = "", _text(found.find("ScheduleFormHeading/TitleText"))
        entity = heading.startswith("Entities")
        where = f"Part {part}, " if part else ""
        for item in child.findall("Item"):
            label = _text(item.find("Label"))
            text = _text(item.find("Text"))
            date = dt.date.fromisoformat(item.get(IN_FORCE, "1900-01-01"))
            if text.startswith("[Repealed"):
                notes.append(
                    f"{where}item {label} repealed, in force {date.isoformat()} "
                    f"{text.strip('[]').removeprefix('Repealed, ')}: the name is not in the "
                    "consolidation"
                )
                continue
            name, aliases, births = parse_item(text, entity)
            # An item whose lims:id differs from its lims:fid is an amended version (a
            # birth date added, a name corrected): its date is that of the amendment, and
            # the listing may be older. Only an unamended item dated after the schedule's
            # earliest version in the point-in-time data dates the listing itself.
            amended = item.get(LIMS + "id") != item.get(LIMS + "fid")
            exact = not amended and date != text_from
            entries.append(
                Entry(
                    id=f"{slug.lower()}/{number}/{part}/{label}"
                    if part
                    else f"{slug.lower()}/{number}/{label}",
                    schema="Organization" if entity else "Person",
                    name=name,
                    aliases=tuple(aliases),
                    birth_dates=tuple(births),
                    programme=programme or title,
                    listed_from=date,
                    listed_from_exact=exact,
                    reference=f"{instrument}, {schedule}, {where}item {label}",
                    url=url,
                )
            )
    note = LIMS_NOTE
    if text_from is not None and text_from != POINT_IN_TIME_START:
        note = SCHEDULE_NOTE.format(
            instrument=instrument, schedule=schedule, version=text_from.isoformat()
        )
    return Snapshot(
        list_id=list_id or f"ca-{slug.lower()}-schedule-{number}",
        title=f"{title} ({instrument}), {schedule}",
        source=f"{path.name} (Justice Laws XML, consolidated to {source_date})",
        source_date=source_date,
        importer=MODULE,
        entries=tuple(entries),
        notes=(note, *notes),
    )


def write_shipped(source: Path, out_dir: Path = DATA_DIR) -> list[str]:
    """Regenerate the package's lists of listed persons; report what changed."""
    from bilateral.screening.model import delta
    from bilateral.screening.store import load_snapshot_file

    report = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for file_name, label, list_id, programme in SHIPPED:
        snapshot = read_regulation(source / file_name, list_id, programme, label)
        target = out_dir / f"{list_id}.json"
        before = load_snapshot_file(target) if target.exists() else None
        change = delta(before, snapshot)
        text = json.dumps(snapshot.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
        target.write_text(text + "\n", encoding="utf-8", newline="\n")
        report.append(f"{snapshot.version}: {len(snapshot.entries)} entries; {change.summary()}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import the listed persons of SEMA regulations.")
    parser.add_argument("--source", type=Path, required=True, help="laws-lois-xml folder")
    args = parser.parse_args(argv)
    for line in write_shipped(args.source):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
