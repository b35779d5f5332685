"""The Harmonized System nomenclature (HS2012, HS2017, HS2022) shipped with the package.

An HS code is given with 2 to 10 digits, dots and spaces allowed ("8703.23", "0402 10").
Digits beyond six are national (Canada's 8-digit tariff items, 10-digit statistical
suffixes) and are not checked against the nomenclature; the first six are, against the
edition in force on the date of the question.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bilateral.errors import BadInput

_DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True, slots=True)
class Edition:
    name: str
    in_force: dt.date
    codes: dict[str, str]  # code (2, 4 or 6 digits) -> description
    sections: dict[str, str]  # chapter -> section (Roman numeral)


# The WCO editions' entry into force; earlier editions are not bundled.
_EDITIONS: tuple[tuple[str, dt.date], ...] = (
    ("HS2012", dt.date(2012, 1, 1)),
    ("HS2017", dt.date(2017, 1, 1)),
    ("HS2022", dt.date(2022, 1, 1)),
)


_LOADED: list[tuple[Edition, ...]] = []


def editions() -> tuple[Edition, ...]:
    """The bundled editions, read once per process (or handed over by the law cache)."""
    if not _LOADED:
        _LOADED.append(_read_editions())
    return _LOADED[0]


def use_editions(loaded: tuple[Edition, ...]) -> None:
    """Adopt editions read earlier from the same tables (the compiled-law cache keys on them)."""
    if not _LOADED:
        _LOADED.append(loaded)


def _read_editions() -> tuple[Edition, ...]:
    loaded = []
    for name, in_force in _EDITIONS:
        text = resources.files("bilateral.goods").joinpath(f"data/{name.lower()}.csv")
        codes: dict[str, str] = {}
        sections: dict[str, str] = {}
        with text.open(encoding="utf-8") as handle:
            reader = csv.reader(handle)  # plain rows: DictReader costs a dict per row
            header = next(reader)
            code, level, section, description = (
                header.index(c) for c in ("code", "level", "section", "description")
            )
            for row in reader:
                codes[row[code]] = row[description]
                if row[level] == "2":
                    sections[row[code]] = row[section]
        loaded.append(Edition(name, in_force, codes, sections))
    return tuple(loaded)


@cache
def section_names() -> dict[str, str]:
    text = resources.files("bilateral.goods").joinpath("data/sections.csv")
    with text.open(encoding="utf-8-sig") as handle:
        return {row["section"]: row["name"] for row in csv.DictReader(handle)}


def edition_on(on: dt.date) -> Edition | None:
    """The bundled edition in force on a date, or None before HS2012."""
    current = None
    for edition in editions():
        if edition.in_force <= on:
            current = edition
    return current


def normalise(code: str) -> str:
    """Digits only; a BadInput if the text is not an HS code's shape."""
    digits = code.replace(".", "").replace(" ", "").strip()
    if not _DIGITS.match(digits) or len(digits) not in (2, 4, 6, 8, 10):
        raise BadInput(
            "hs",
            f"malformed HS code {code!r} (2, 4, 6, 8 or 10 digits, dots allowed)",
            "engine.hs_malformed",
            {"value": code},
        )
    return digits


@dataclass(frozen=True, slots=True)
class HsCode:
    digits: str
    edition: str  # the edition it was checked against ("any" before HS2012)
    description: str
    section: str

    @property
    def dotted(self) -> str:
        d = self.digits
        if len(d) <= 4:
            return d
        return d[:4] + "." + ".".join(d[i : i + 2] for i in range(4, len(d), 2))


def validate(code: str, on: dt.date) -> HsCode:
    """Check an HS code against the nomenclature in force on ``on``.

    Before HS2012 (not bundled) the code must exist in at least one bundled edition.
    """
    digits = normalise(code)
    national = digits[:6]
    edition = edition_on(on)
    candidates = (edition,) if edition else editions()
    for ed in candidates:
        if national in ed.codes:
            return HsCode(
                digits,
                ed.name if edition else "any",
                ed.codes[national],
                ed.sections.get(digits[:2], ""),
            )
    if edition is None:
        raise BadInput(
            "hs",
            f"HS code {code!r} is not in HS2012, HS2017 or HS2022",
            "engine.hs_unknown",
            {"value": code},
        )
    if digits[:2] not in edition.codes:
        raise BadInput(
            "hs",
            f"HS chapter {digits[:2]} does not exist",
            "engine.hs_chapter",
            {"chapter": digits[:2]},
        )
    where = "heading" if len(national) == 4 else "subheading"
    raise BadInput(
        "hs",
        f"HS {where} {national} is not in {edition.name}, the HS edition in force on that date",
        "engine.hs_heading" if where == "heading" else "engine.hs_subheading",
        {"code": national, "edition": edition.name},
    )
