"""Import the Harmonized System nomenclature (HS2012, HS2017, HS2022) into the package.

Reads the research copy of ``datasets/harmonized-system`` (HS2017, HS2022, sections) and of
the Open Trade Statistics reference tables (HS2012), and writes one CSV per edition to
``bilateral/goods/data`` with the columns ``code,level,parent,section,description``.

Rerun: python -m bilateral.importers.hs_nomenclature --source /path/to/shared/data/hs
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilateral.importers._common import PACKAGE_DIR, require_source, sha256, write_text

OUT_DIR = PACKAGE_DIR / "goods" / "data"
HEADER = ("code", "level", "parent", "section", "description")
# fmt: off
ROMAN = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI",
    "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI",
)
# fmt: on
# UN Comtrade's residual "commodities not specified according to kind": not HS.
RESIDUAL_CHAPTER = "99"
OTS_CHAPTER_PREFIX = "Alias for all codes in the group "

HS_REPO = "datasets/harmonized-system"
HS_HEAD = "905e5a0fa29f5700d62cb3cc1265f21bc8a92329"
HS2017_COMMIT = "a72bef25b2749cd04a824b8b46b71c89e566b4bb"
OTS_REPO = "ropensci/tradestatistics"
OTS_HEAD = "4c0b85989f0085f4eb4c16eaefab6214b7854b6b"


@dataclass(frozen=True, order=True)
class Code:
    """One row of an edition: a chapter, heading or subheading."""

    code: str
    level: int
    parent: str
    section: str
    description: str


# --- reading ---------------------------------------------------------------------------


def read_comtrade_csv(path: Path) -> list[Code]:
    """An edition from datasets/harmonized-system, without the residual chapter 99/TOTAL."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes: list[Code] = []
    for row in rows:
        code, level = row["hscode"], row["level"]
        # Skip the blank trailing row, the TOTAL row and chapter 99 (section "TOTAL").
        if not code.isdigit() or row["section"] == "TOTAL" or code.startswith(RESIDUAL_CHAPTER):
            continue
        if level not in ("2", "4", "6") or len(code) != int(level):
            raise ValueError(f"{path.name}: unexpected row {row}")
        parent = "" if level == "2" else row["parent"]
        codes.append(Code(code, int(level), parent, row["section"], row["description"].strip()))
    return codes


def _load_json(path: Path) -> list[dict[str, str]]:
    data: Any = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path.name}: expected a JSON list")
    return data


def read_ots_hs2012(folder: Path, chapter_sections: dict[str, str]) -> list[Code]:
    """HS2012 from the OTS tables.

    OTS files its chapter rows under section "99" (an alias bucket), so a chapter's section
    is taken from its six-digit children and must agree with ``chapter_sections`` (HS2017):
    the chapter-to-section layout did not change between the two editions.
    """
    commodities = _load_json(folder / "ots_commodities.json")
    headings = _load_json(folder / "ots_commodities_short.json")
    sub = [c for c in commodities if len(c["commodity_code"]) == 6]
    sub = [c for c in sub if not c["commodity_code"].startswith(RESIDUAL_CHAPTER)]
    sections = _sections_from_children(sub)
    chapters = [c for c in commodities if len(c["commodity_code"]) == 2]
    chapters = [c for c in chapters if c["commodity_code"] != RESIDUAL_CHAPTER]
    _check_sections(sections, chapter_sections, {c["commodity_code"] for c in chapters})
    codes = [_ots_chapter(c, sections) for c in chapters]
    for h in headings:
        code = h["commodity_code"]
        if not code.startswith(RESIDUAL_CHAPTER):
            codes.append(Code(code, 4, code[:2], sections[code[:2]], _text(h)))
    codes += [Code(c["commodity_code"], 6, c["commodity_code_short"], "", _text(c)) for c in sub]
    return [_with_section(c, sections) for c in codes]


def _text(row: dict[str, str]) -> str:
    return row["commodity_fullname_english"].strip()


def _ots_chapter(row: dict[str, str], sections: dict[str, str]) -> Code:
    code = row["commodity_code"]
    description = _text(row).removeprefix(OTS_CHAPTER_PREFIX)
    return Code(code, 2, "", sections[code], description)


def _with_section(code: Code, sections: dict[str, str]) -> Code:
    return Code(code.code, code.level, code.parent, sections[code.code[:2]], code.description)


def _sections_from_children(sub: Iterable[dict[str, str]]) -> dict[str, str]:
    """Chapter -> Roman section from OTS's numeric section codes of the six-digit rows."""
    found: dict[str, set[str]] = {}
    for row in sub:
        found.setdefault(row["commodity_code"][:2], set()).add(row["section_code"])
    mapping: dict[str, str] = {}
    for chapter, numbers in found.items():
        if len(numbers) != 1:
            raise ValueError(f"HS2012 chapter {chapter} spans OTS sections {sorted(numbers)}")
        mapping[chapter] = ROMAN[int(numbers.pop()) - 1]
    return mapping


def _check_sections(got: dict[str, str], reference: dict[str, str], chapters: set[str]) -> None:
    if set(got) != chapters or set(got) != set(reference):
        raise ValueError("HS2012 chapters differ from HS2017 chapters")
    wrong = {ch: (got[ch], reference[ch]) for ch in got if got[ch] != reference[ch]}
    if wrong:
        raise ValueError(f"HS2012 chapter sections disagree with HS2017: {wrong}")


def read_sections(path: Path) -> list[tuple[str, str]]:
    """The 21 sections; the source has a BOM and writes Section I in lower case."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [(r["section"].strip(), r["name"].strip()) for r in csv.DictReader(handle)]
    fixed = [(sec, name[:1].upper() + name[1:]) for sec, name in rows]
    if tuple(sec for sec, _ in fixed) != ROMAN:
        raise ValueError(f"sections.csv: expected sections I..XXI, got {[s for s, _ in fixed]}")
    return fixed


# --- checking and writing --------------------------------------------------------------


def check_edition(name: str, codes: Sequence[Code]) -> None:
    """Every parent exists, sits one level up and shares the child's section."""
    by_code = {c.code: c for c in codes}
    if len(by_code) != len(codes):
        raise ValueError(f"{name}: duplicate codes")
    for c in codes:
        if c.section not in ROMAN:
            raise ValueError(f"{name}: {c.code} has section {c.section!r}")
        if c.level == 2:
            continue
        parent = by_code.get(c.parent)
        if parent is None or parent.level != c.level - 2 or not c.code.startswith(c.parent):
            raise ValueError(f"{name}: {c.code} has bad parent {c.parent!r}")
        if parent.section != c.section:
            raise ValueError(f"{name}: {c.code} section differs from its parent's")


def render_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def render_edition(codes: Iterable[Code]) -> str:
    # Sorting the digit strings puts each chapter before its headings and subheadings.
    ordered = sorted(codes)
    return render_csv(
        HEADER, [(c.code, c.level, c.parent, c.section, c.description) for c in ordered]
    )


def counts(codes: Iterable[Code]) -> dict[int, int]:
    result = {2: 0, 4: 0, 6: 0}
    for c in codes:
        result[c.level] += 1
    return result


def render_provenance(source: Path, editions: dict[str, list[Code]]) -> str:
    files = [
        "hs2022_harmonized-system.csv",
        "hs2017_harmonized-system.csv",
        "sections.csv",
        "hs2012-ots/ots_commodities.json",
        "hs2012-ots/ots_commodities_short.json",
    ]
    lines = [
        "# Provenance of the HS nomenclature files",
        "",
        "Generated by `bilateral.importers.hs_nomenclature`; do not edit by hand. Rerun:",
        "`python -m bilateral.importers.hs_nomenclature --source /path/to/shared/data/hs`.",
        "",
        "## Sources",
        "",
        f"- `hs2022.csv`: GitHub `{HS_REPO}` commit `{HS_HEAD}` (2024-10-25),",
        "  `data/harmonized-system.csv`. Licence ODC-PDDL-1.0. Upstream: UN Comtrade",
        "  classification API (HS2022 = H6).",
        f"- `hs2017.csv`: GitHub `{HS_REPO}` commit `{HS2017_COMMIT}` (2020-02-17,",
        '  "Complete 2017 edition"), `data/harmonized-system.csv`. Licence ODC-PDDL-1.0.',
        f"- `sections.csv`: GitHub `{HS_REPO}` commit `{HS_HEAD}`, `data/sections.csv`.",
        f"- `hs2012.csv`: GitHub `{OTS_REPO}` commit `{OTS_HEAD}` (2024-08-23), `data-raw/`",
        "  `ots_commodities.json` and `ots_commodities_short.json` (Open Trade Statistics",
        "  reference tables, derived from UN Comtrade). Licence Apache-2.0.",
        "",
        "Descriptions are Comtrade's short texts, not the WCO legal texts.",
        "",
        "Input files as read (SHA-256):",
        "",
    ]
    lines += [f"- `{name}` `{sha256(source / name)}`" for name in files]
    lines += [
        "",
        "## Changes made",
        "",
        "- Kept only chapters (2 digits), headings (4) and subheadings (6); codes are digits.",
        "- Dropped Comtrade's residual chapter 99 (9999, 999999) and the `TOTAL` rows.",
        "- Chapters get an empty `parent` (the source says `TOTAL`).",
        "- HS2017: stripped the UTF-8 BOM and the blank last row.",
        "- HS2012: OTS files chapter rows under section `99`; each chapter's section is taken",
        "  from its six-digit rows (numeric OTS section -> Roman numeral) and checked equal",
        "  to the HS2017 chapter->section mapping. The `Alias for all codes in the group `",
        "  prefix of OTS chapter descriptions is removed. Headings take their section from",
        "  their chapter.",
        "- `sections.csv`: stripped the BOM, capitalised Section I's name, added the final",
        "  newline.",
        "- Rows sorted by code; UTF-8, LF line ends.",
        "",
        "## Counts (chapters / headings / subheadings)",
        "",
    ]
    for name, codes in editions.items():
        n = counts(codes)
        lines.append(f"- `{name}.csv`: {n[2]} / {n[4]} / {n[6]}")
    return "\n".join(lines) + "\n"


def run(source: Path, out_dir: Path) -> dict[str, list[Code]]:
    hs2022 = read_comtrade_csv(source / "hs2022_harmonized-system.csv")
    hs2017 = read_comtrade_csv(source / "hs2017_harmonized-system.csv")
    chapter_sections = {c.code: c.section for c in hs2017 if c.level == 2}
    hs2012 = read_ots_hs2012(source / "hs2012-ots", chapter_sections)
    editions = {"hs2012": hs2012, "hs2017": hs2017, "hs2022": hs2022}
    for name, codes in editions.items():
        check_edition(name, codes)
        write_text(out_dir / f"{name}.csv", render_edition(codes))
    sections = read_sections(source / "sections.csv")
    write_text(out_dir / "sections.csv", render_csv(("section", "name"), sections))
    write_text(out_dir / "PROVENANCE.md", render_provenance(source, editions))
    return editions


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", help="folder holding the HS files (shared/data/hs)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    source = require_source(args.source, "hs")
    editions = run(source, args.out)
    for name, codes in editions.items():
        n = counts(codes)
        print(f"{name}: {n[2]} chapters, {n[4]} headings, {n[6]} subheadings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
