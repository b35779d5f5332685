"""Small parsing helpers shared by the importers: dates and countries as sources print them."""

from __future__ import annotations

import datetime as dt
import re

from bilateral import countries
from bilateral.errors import BadInput

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_DMY = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")  # 12 Jan 1955
_MDY = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{1,2}), (\d{4})$")  # January 31, 1953
_MY = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{4})$")  # Jan 1955
_Y = re.compile(r"^(?:circa |c\. )?(\d{4})$")
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def birth_date(text: str) -> str | None:
    """An ISO date, year-month or year from the ways lists print a birth date."""
    text = " ".join(text.strip().rstrip(".").split())
    if _ISO.match(text):
        # A day or month that does not exist (1953-13-31, 1953-02-31) is no date: taken as
        # one it would contradict, and rule out, the listed person born that year.
        parts = [int(part) for part in [*text.split("-"), "1", "1"][:3]]
        return text if _iso(*parts) else None
    if m := _DMY.match(text):
        month = _MONTHS.get(m.group(2).lower()[:3])
        if month:
            return _iso(int(m.group(3)), month, int(m.group(1)))
    if m := _MDY.match(text):
        month = _MONTHS.get(m.group(1).lower()[:3])
        if month:
            return _iso(int(m.group(3)), month, int(m.group(2)))
    if m := _MY.match(text):
        month = _MONTHS.get(m.group(1).lower()[:3])
        if month:
            return f"{m.group(2)}-{month:02d}"
    if m := _Y.match(text):
        return m.group(1)
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def country_code(text: str) -> str | None:
    """ISO alpha-2 of a country name or code, None when it is not one we know."""
    text = text.strip()
    if not text:
        return None
    try:
        return countries.resolve(text).code
    except BadInput:
        head = text.split("/")[0].split("(")[0].strip()  # "Burma / Birmanie"
        if head != text:
            return country_code(head)
        return None
