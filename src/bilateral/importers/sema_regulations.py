"""Import the schedules of Special Economic Measures regulations (Belarus SOR/2020-214,
Russia SOR/2014-58, and any regulation of the same shape: add a ``RegulationSpec``).

Reads the official consolidated XML from Justice Canada (``lims`` schema) and writes into
``bilateral/law/data/lists``: each schedule of listed persons (Schedule 1, and Russia's
Schedules 2 and 3, which have no parts) as a ``PersonList`` and each
HS-coded goods schedule as a ``GoodsList``, dated by the lims:inforce-start-date of its
table and of any row that carries its own. A schedule whose rows carry no HS code is
reported and skipped: the package must not guess codes the law does not state. Rows that
now read "[Repealed, ...]" are kept as dated repeals so the engine can say they existed.

Rerun: python -m bilateral.importers.sema_regulations --source /path/to/laws-lois-xml
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bilateral.importers._common import PACKAGE_DIR, dump_yaml, require_source, squash, write_text
from bilateral.law.model import (
    Bilingual,
    GoodsList,
    GoodsListItem,
    ListedPerson,
    PersonList,
    RepealedItem,
)
from bilateral.law.validation import dump

OUT_DIR = PACKAGE_DIR / "law" / "data" / "lists"
REPO = "justicecanada/laws-lois-xml"
COMMIT = "d6853c4af2ae0b7ab8c205a0e95ee734b9945c31"
LIMS = "{http://justice.gc.ca/lims}"
IN_FORCE = LIMS + "inforce-start-date"
MODULE = "bilateral.importers.sema_regulations"

# Trailing parentheticals of entity names that qualify the name rather than give another
# name for the entity ("Alfa-Bank ZAO (Belarus)"): they stay part of the listed name.
NAME_QUALIFIERS = frozenset({"Belarus", "Russia"})

_ALSO_KNOWN = re.compile(r"^also known as (.+)$")
_BORN = re.compile(r"^born (?:on |in )?(.+)$")


@dataclass(frozen=True)
class GoodsSpec:
    """One goods schedule (or part) to import, and the provision it serves."""

    list_id: str
    schedule: str  # "SCHEDULE 4"
    part: str | None  # "PART 1", or None for an undivided schedule
    serves: str  # the section that prohibits dealing in these goods


@dataclass(frozen=True)
class RegulationSpec:
    """One SEMA regulation: where its XML is, and which schedules to import."""

    instrument: str  # "SOR/2020-214"
    goods: tuple[GoodsSpec, ...]
    dated_sections: tuple[str, ...] = ()
    dated_schedules: tuple[str, ...] = ()
    # The schedules of listed persons, each written as "<slug>-schedule-<n>.yaml".
    persons: tuple[str, ...] = ("SCHEDULE 1",)

    @property
    def slug(self) -> str:
        return self.instrument.lower().replace("/", "-")  # sor-2020-214

    @property
    def source_file(self) -> str:
        return self.instrument.replace("/", "-") + ".xml"

    @property
    def upstream_path(self) -> str:
        return f"eng/regulations/{self.source_file}"

    @property
    def url(self) -> str:
        return f"https://laws-lois.justice.gc.ca/eng/regulations/{self.source_file[:-4]}/"


def _spec(slug: str, schedule: str, part: str | None, serves: str) -> GoodsSpec:
    number = schedule.removeprefix("SCHEDULE ")
    suffix = f"-part-{part.removeprefix('PART ')}" if part else ""
    return GoodsSpec(f"{slug}-schedule-{number}{suffix}", schedule, part, serves)


BELARUS = RegulationSpec(
    "SOR/2020-214",
    tuple(
        _spec("sor-2020-214", *row)
        for row in (
            ("SCHEDULE 2", "PART 1", "s. 3.4"),
            ("SCHEDULE 2", "PART 2", "s. 3.5"),
            ("SCHEDULE 4", "PART 1", "s. 3.7(1)"),
            ("SCHEDULE 4", "PART 2", "s. 3.7(3)"),
            ("SCHEDULE 5", None, "s. 3.8(1)"),
        )
    ),
    dated_sections=("3.4", "3.5", "3.6", "3.7", "3.8"),
    dated_schedules=("SCHEDULE 2", "SCHEDULE 4", "SCHEDULE 5"),
)
RUSSIA = RegulationSpec(
    "SOR/2014-58",
    tuple(
        _spec("sor-2014-58", *row)
        for row in (
            ("SCHEDULE 4", None, "s. 3.03(1)"),
            ("SCHEDULE 5", None, "s. 3.05(1)"),
            ("SCHEDULE 5.01", None, "s. 3.051(1)"),
            ("SCHEDULE 5.02", None, "s. 3.052(1)"),
            ("SCHEDULE 6", "PART 1", "s. 3.08(1)"),
            ("SCHEDULE 6", "PART 2", "s. 3.08(3)"),
            ("SCHEDULE 7", None, "s. 3.09(1)"),
            ("SCHEDULE 9", None, "s. 3.11(1)"),
            ("SCHEDULE 11", "PART 1", "s. 3.14(1)"),
            ("SCHEDULE 11", "PART 2", "s. 3.14(1)"),
            ("SCHEDULE 12", "PART 1", "s. 3.15(1)"),
            ("SCHEDULE 12", "PART 2", "s. 3.15(2)"),
            ("SCHEDULE 13", "PART 1", "s. 3.16(1)"),
            ("SCHEDULE 13", "PART 2", "s. 3.16(1)"),
        )
    ),
    dated_sections=(
        "2.1",
        "3.01",
        "3.02",
        "3.03",
        "3.05",
        "3.051",
        "3.052",
        "3.06",
        "3.08",
        "3.09",
        "3.11",
        "3.13",
    ),
    dated_schedules=(
        "SCHEDULE 2",
        "SCHEDULE 3",
        "SCHEDULE 4",
        "SCHEDULE 5",
        "SCHEDULE 6",
        "SCHEDULE 7",
        "SCHEDULE 9",
    ),
    # Schedules 2 and 3: entities whose new debt (and, for Schedule 2, new equity) is
    # restricted by ss. 3.01 and 3.02; one list of items each, without parts.
    persons=("SCHEDULE 1", "SCHEDULE 2", "SCHEDULE 3"),
)
REGULATIONS = (BELARUS, RUSSIA)
# Kept for readers of the Belarus import: its goods schedules.
GOODS = BELARUS.goods
# Printed codes that are no HS subheading in any edition, with the codes they stand for.
# Schedule 5 item 27 prints "8429.10" for "Bulldozers and angledozers": HS has no 8429.10;
# that text is the one-dash subheading 8429.1, split into 8429.11 (track laying) and 8429.19
# (other) in HS2012, HS2017 and HS2022. The item is written once per real subheading, and the
# YAML header records the correction so a reviewer sees it.
CORRECTIONS: dict[tuple[str, str, str, str], tuple[str, ...]] = {
    ("SOR/2020-214", "SCHEDULE 5", "27", "8429.10"): ("842911", "842919"),
}


# --- XML helpers -----------------------------------------------------------------------


def text_of(element: ET.Element | None) -> str:
    """Text of an element without footnote markers (a superscript "a" is not content)."""
    if element is None:
        return ""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag not in ("FootnoteRef", "Footnote", "HistoricalNote"):
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return squash("".join(parts))


def in_force_or(element: ET.Element, default: dt.date) -> dt.date:
    value = element.get(IN_FORCE)
    return dt.date.fromisoformat(value) if value else default


def in_force(element: ET.Element) -> dt.date:
    value = element.get(IN_FORCE)
    if value is None:
        raise ValueError(f"<{element.tag}> has no lims:inforce-start-date")
    return dt.date.fromisoformat(value)


def xml_date(element: ET.Element | None) -> dt.date:
    """A <Date><YYYY/><MM/><DD/></Date> child as a date."""
    date = element.find("Date") if element is not None else None
    if date is None:
        raise ValueError("missing <Date>")
    return dt.date(*(int(text_of(date.find(tag))) for tag in ("YYYY", "MM", "DD")))


def schedules(root: ET.Element) -> dict[str, ET.Element]:
    """Schedules by their label ("SCHEDULE 1"); unlabelled ones (related provisions) dropped."""
    found: dict[str, ET.Element] = {}
    for schedule in root.iter("Schedule"):
        label = text_of(schedule.find("ScheduleFormHeading/Label"))
        if label:
            found[label] = schedule
    return found


def source_line(root: ET.Element, spec: RegulationSpec = BELARUS) -> str:
    consolidated = xml_date(root.find("Identification/ConsolidationDate"))
    return f"{REPO}@{COMMIT}:{spec.upstream_path} (consolidated to {consolidated.isoformat()})"


def header(source: str, title: str) -> list[str]:
    return [
        f"Generated by {MODULE} from {source}; do not edit by hand;",
        f"rerun: python -m {MODULE} --source /path/to/laws-lois-xml",
        title,
    ]


# --- schedules of listed persons -------------------------------------------------------


def split_aliases(text: str) -> list[str]:
    """Split "A, B and C": commas first, then the first " and " of the last piece.

    Only the last piece is split on " and ", and only once, because names themselves contain
    "and" ("Main Directorate for Combating Organized Crime and Corruption").
    """
    pieces = [p.strip() for p in text.split(", ")]
    head, _, tail = pieces[-1].partition(" and ")
    pieces[-1:] = [head, tail] if tail else [head]
    return [p for p in pieces if p]


def _trailing_parenthetical(text: str) -> tuple[str, str] | None:
    """(rest, inside) for a text ending in a balanced "(...)", else None."""
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            return text[:index].rstrip(), text[index + 1 : -1].strip()
    raise ValueError(f"unbalanced parentheses: {text!r}")


def parse_listing(text: str, entity: bool) -> tuple[str, list[str], str | None]:
    """Name, aliases and birth text of one item, peeling parentheticals from the end.

    Items read "Name (born on ...) (also known as A, B and C)". Entities may also carry a
    translation or acronym in brackets ("Minski Avtomobilnyi Zavod MAZ (Minsk Automobile
    Plant)"): that is another name for the entity and becomes an alias.
    """
    name, born = text, None
    aliases: list[str] = []
    while (found := _trailing_parenthetical(name)) is not None:
        rest, inside = found
        if match := _ALSO_KNOWN.match(inside):
            aliases = split_aliases(match.group(1)) + aliases
        elif (match := _BORN.match(inside)) and born is None:
            born = match.group(1)
        elif entity and inside not in NAME_QUALIFIERS:
            aliases = [inside, *aliases]
        else:
            break
        name = rest
    return name, aliases, born


@dataclass
class PersonsResult:
    persons: list[ListedPerson]
    parts: dict[str, str]
    repealed: int


def read_persons(schedule: ET.Element, registered: dt.date | None = None) -> PersonsResult:
    """Walk a schedule of listed persons: each part heading is followed by the list of its
    items (Schedule 1), or the schedule is one list under its own title ("Entities",
    SOR/2014-58 Schedules 2 and 3), whose items have the part "".

    ``registered`` is the regulations' registration (coming into force) date. When the
    schedule's own in-force date is later, the XML holds no earlier version of it, so an
    item dated then was listed then or before: its date is marked inexact."""
    result = PersonsResult([], {}, 0)
    version = in_force_or(schedule, registered) if registered else None
    text_from = version if version and registered and version > registered else None
    part: str | None = None  # None: no part heading (yet)
    title = ""
    for child in schedule:
        if child.tag == "Heading":
            if part == "":
                raise ValueError("part heading after a list without one")
            part = text_of(child.find("Label")).removeprefix("PART ").strip()
            title = text_of(child.find("TitleText"))
            result.parts[part] = title
        elif child.tag == "List":
            if part is None:  # a schedule without parts: its own title says who it lists
                part = ""
                title = text_of(schedule.find("ScheduleFormHeading/TitleText"))
            entity = title.startswith("Entities")
            for item in child.findall("Item"):
                person = _read_person(item, part, entity, text_from)
                if person is None:
                    result.repealed += 1
                else:
                    result.persons.append(person)
    return result


def _read_person(
    item: ET.Element, part: str, entity: bool, text_from: dt.date | None = None
) -> ListedPerson | None:
    text = text_of(item.find("Text"))
    if text.startswith("[Repealed"):
        return None
    name, aliases, born = parse_listing(text, entity)
    dated = in_force(item)
    # An amended item (lims:id differs from lims:fid) carries its amendment's date.
    amended = item.get(LIMS + "id") != item.get(LIMS + "fid")
    return ListedPerson(
        part=part,
        item=text_of(item.find("Label")),
        name=name,
        aliases=tuple(aliases),
        born=born,
        entity=entity,
        listed_on=dated,
        listed_on_exact=not (amended or dated == text_from),
    )


def person_list(
    root: ET.Element,
    result: PersonsResult,
    spec: RegulationSpec = BELARUS,
    schedule: str = "SCHEDULE 1",
) -> PersonList:
    number = schedule.removeprefix("SCHEDULE ")
    return PersonList(
        id=f"{spec.slug}-schedule-{number}",
        instrument=spec.instrument,
        provision=f"Schedule {number}",
        url=spec.url,
        source=source_line(root, spec),
        parts=result.parts,
        persons=tuple(result.persons),
    )


# --- goods schedules -------------------------------------------------------------------


def normalise_hs(raw: str) -> str:
    """Digits of an HS code or tariff item, restoring a lost leading zero.

    HS codes have an even number of digits (2, 4, 6, 8, 10); Schedule 4 Part 2 writes the
    headings 0301..0306 as "301".."306", so an odd count means the leading zero was dropped.
    """
    digits = re.sub(r"\D", "", raw)
    if not digits:
        raise ValueError(f"no HS code in {raw!r}")
    return "0" + digits if len(digits) % 2 else digits


@dataclass(frozen=True)
class GoodsPart:
    """A located goods schedule part: its title and the table holding its rows, if any."""

    title: str
    table: ET.Element | None  # None: the part is a plain list (no HS column)
    in_force: dt.date


def locate_part(schedule: ET.Element, part: str | None) -> GoodsPart:
    """Find the part's table (Schedules 4, 5) or its plain list (Schedule 2)."""
    for group in schedule.findall("TableGroup"):
        caption = text_of(group.find("Caption")) or None
        if caption == part:
            table = group.find("table")
            if table is None:
                raise ValueError(f"{part}: table group without a table")
            return GoodsPart(text_of(table.find("title")), table, in_force(group))
    heading_part = ""
    title = ""
    for child in schedule:
        if child.tag == "Heading":
            heading_part = text_of(child.find("Label"))
            title = text_of(child.find("TitleText"))
        elif child.tag == "List" and heading_part == part:
            return GoodsPart(title, None, in_force(child))
    raise ValueError(f"part {part!r} not found")


@dataclass
class GoodsRows:
    items: list[GoodsListItem]
    empty: int  # spacer rows skipped
    corrected: list[str]  # human-readable notes of CORRECTIONS applied
    repealed: list[RepealedItem] = field(default_factory=list)
    subsets: list[str] = field(default_factory=list)  # items given as "Subset of ..."


_REPEALED = re.compile(r"^\[Repealed, (.+)\]$")
_SUBSET = re.compile(r"^Subset of (.+)$")


def split_codes(printed: str) -> list[str]:
    """ "730511, 730512 and 730519" as three codes (each normalised)."""
    pieces = [p for chunk in printed.split(",") for p in chunk.split(" and ")]
    return [normalise_hs(piece) for piece in pieces if piece.strip()]


def read_goods(
    table: ET.Element, schedule: str, table_date: dt.date, instrument: str = "SOR/2020-214"
) -> GoodsRows:
    """Rows "item | goods | HS code"; empty spacer rows are counted and skipped."""
    _check_columns(table)
    rows = GoodsRows([], 0, [])
    for row in table.iterfind("tgroup/tbody/row"):
        cells = [text_of(entry) for entry in row.findall("entry")]
        if not any(cells):
            rows.empty += 1
            continue
        dated = in_force_or(row, table_date)
        repeal = _REPEALED.match(cells[1]) if len(cells) >= 2 else None
        if repeal and cells[0]:
            rows.repealed.append(RepealedItem(item=cells[0], repealed_on=dated, by=repeal[1]))
            continue
        if len(cells) != 3 or not re.fullmatch(r"\d+(\.\d+)?", cells[0]) or not cells[2]:
            raise ValueError(f"unexpected goods row {cells}")
        label, description, printed = cells
        condition = None
        subset = _SUBSET.match(printed)
        if subset:
            printed = subset[1]
            rows.subsets.append(label)
            condition = Bilingual(
                en=f"the schedule lists only a subset of HS {printed}: {description}",
                fr=f"l'annexe ne vise qu'une partie du SH {printed} : {description}",
            )
        key = (instrument, schedule, label, printed)
        codes = CORRECTIONS.get(key, tuple(split_codes(printed)))
        if key in CORRECTIONS:
            rows.corrected.append(f"item {label}: printed {printed}, written as {', '.join(codes)}")
        own = dated if dated != table_date else None
        rows.items += [
            GoodsListItem(
                item=label, hs=c, description=description, in_force_from=own, condition=condition
            )
            for c in codes
        ]
    return rows


def _check_columns(table: ET.Element) -> None:
    head = [
        [text_of(e) for e in row.findall("entry")] for row in table.iterfind("tgroup/thead/row")
    ]
    last = head[-1] if head else []
    if len(last) != 3 or last[0] != "Item" or not last[2].startswith("Harmonized Commodity"):
        raise ValueError(f"unexpected goods table header {head}")


def goods_list(
    root: ET.Element,
    spec: GoodsSpec,
    rows: GoodsRows | list[GoodsListItem],
    regulation: RegulationSpec = BELARUS,
    table_date: dt.date | None = None,
) -> GoodsList:
    part = f", Part {spec.part.removeprefix('PART ')}" if spec.part else ""
    items = rows.items if isinstance(rows, GoodsRows) else rows
    repealed = rows.repealed if isinstance(rows, GoodsRows) else []
    return GoodsList(
        id=spec.list_id,
        instrument=regulation.instrument,
        provision=f"Schedule {spec.schedule.removeprefix('SCHEDULE ')}{part}",
        url=regulation.url,
        source=source_line(root, regulation),
        in_force_from=table_date,
        repealed=tuple(repealed),
        items=tuple(items),
    )


# --- dates for the rule writers --------------------------------------------------------


def dated_provisions(root: ET.Element, regulation: RegulationSpec = BELARUS) -> list[str]:
    """In-force dates of the goods sections and schedules, and their "takes effect" text."""
    lines: list[str] = []
    body = root.find("Body")
    sections = (
        {text_of(s.find("Label")): s for s in body.iter("Section")} if body is not None else {}
    )
    for label in regulation.dated_sections:
        section = sections[label]
        lines.append(f"s. {label}: in force {in_force(section).isoformat()}")
        for sub in section.findall("Subsection"):
            sub_text = text_of(sub.find("Text"))
            if "take effect" in sub_text or "takes effect" in sub_text:
                lines.append(f"  s. {label}{text_of(sub.find('Label'))}: {sub_text}")
    found = schedules(root)
    lines += [
        f"{name.title()}: in force {in_force(found[name]).isoformat()}"
        for name in regulation.dated_schedules
    ]
    return lines


# --- running ---------------------------------------------------------------------------


def check_source_commit(source: Path) -> None:
    """The research copy records its upstream commit; refuse a copy from another commit."""
    provenance = source / "PROVENANCE.txt"
    if provenance.is_file() and COMMIT not in provenance.read_text(encoding="utf-8"):
        raise SystemExit(f"{provenance} does not name commit {COMMIT}; update COMMIT first")


def run(
    source: Path, out_dir: Path, regulations: Sequence[RegulationSpec] = REGULATIONS
) -> list[str]:
    """Write the lists of each regulation; return the report lines."""
    check_source_commit(source)
    report: list[str] = []
    for regulation in regulations:
        root = ET.parse(source / regulation.source_file).getroot()
        where = source_line(root, regulation)
        found = schedules(root)
        report.append(f"{regulation.instrument}:")
        for name in regulation.persons:
            report += _write_persons(root, found[name], where, out_dir, regulation, name)
        for spec in regulation.goods:
            report.append(
                _write_goods(root, found[spec.schedule], spec, where, out_dir, regulation)
            )
        report += dated_provisions(root, regulation)
    return report


def _write_persons(
    root: ET.Element,
    schedule: ET.Element,
    where: str,
    out_dir: Path,
    regulation: RegulationSpec = BELARUS,
    name: str = "SCHEDULE 1",
) -> list[str]:
    registered = xml_date(root.find("Identification/RegistrationDate"))
    result = read_persons(schedule, registered)
    listing = person_list(root, result, regulation, name)
    count = len(listing.persons)
    persons = f"{count} person{'' if count == 1 else 's'}"
    title = f"{regulation.instrument} {listing.provision} (listed persons), {persons}."
    data = dump(listing)
    write_text(out_dir / f"{listing.id}.yaml", dump_yaml(header(where, title), data))
    per_part = Counter(p.part for p in listing.persons)
    lines = [f"{listing.provision}: {persons}, {result.repealed} repealed items skipped"]
    lines += [f"  Part {part} ({listing.parts[part]}): {per_part[part]}" for part in listing.parts]
    return lines


def _write_goods(
    root: ET.Element,
    schedule: ET.Element,
    spec: GoodsSpec,
    where: str,
    out_dir: Path,
    regulation: RegulationSpec = BELARUS,
) -> str:
    part = locate_part(schedule, spec.part)
    name = f"{spec.schedule.title()}{', ' + spec.part.title() if spec.part else ''}"
    if part.table is None:
        return f"{name} ({part.title}, {spec.serves}): SKIPPED, rows carry no HS code"
    rows = read_goods(part.table, spec.schedule, part.in_force, regulation.instrument)
    listing = goods_list(root, spec, rows, regulation, part.in_force)
    lines = header(where, f"{name}: {part.title} (serves {spec.serves}); HS codes are given")
    lines.append("by the regulations for reference only (table footnote a).")
    lines += [f"Correction: {note} (see CORRECTIONS in the importer)." for note in rows.corrected]
    data = dump(listing)
    write_text(out_dir / f"{listing.id}.yaml", dump_yaml(lines, data))
    notes = [f"{rows.empty} empty row(s) skipped"] if rows.empty else []
    notes += rows.corrected
    if rows.repealed:
        notes.append(f"{len(rows.repealed)} repealed row(s) kept as dated repeals")
    if rows.subsets:
        notes.append(f"items {', '.join(rows.subsets)} list a subset of their code")
    extra = f" ({'; '.join(notes)})" if notes else ""
    return f"{name} ({part.title}, {spec.serves}): {len(rows.items)} rows{extra}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import SEMA regulation schedules.")
    parser.add_argument("--source", help="folder holding the regulations' XML (laws-lois-xml)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    source = require_source(args.source, "laws-lois-xml")
    for line in run(source, args.out):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
