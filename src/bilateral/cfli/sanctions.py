"""Sanctions screening of the names a proposal holds, on the date of the determination.

Two readers, both public doors of other packages: the law engine (``engine.checks.
check_party``: exact and partial matches of the name keys against the Schedule 1 lists the
law data holds, each listed person only from the in-force date of their item) and the fuzzy
screening package (``screening.screen``: scored spelling variants and transliterations,
with the listing status on the date). A listed entry found by both is one match; the
screening score is kept. Name matches listed only after the date (or delisted before it)
are returned apart: they are not hits on that date, but the officer should know before an
agreement is signed or a payment made later.

Nothing here logs or raises with the names screened: they are sensitive (see
``proposals.py``); a match names the listed person as the list writes it and the proposal
field that matched ("contact 1"), never the typed name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from bilateral.cfli.refusals import refuse
from bilateral.engine.checks import check_party, parse_date
from bilateral.engine.party import item_citation
from bilateral.errors import BadInput, LawDataError
from bilateral.screening.model import Snapshot
from bilateral.screening.screen import (
    UN_LIST,
    Query,
    Screening,
    default_index,
    reference_fr,
    screen,
)
from bilateral.screening.store import SHIPPED_DIR, active, data_dir
from bilateral.screening.thresholds import DEFAULT_USE, THRESHOLDS

# A proposal is screened once, with time to ask (like onboarding), and a missed hit would be
# a payment to a listed person: the widest net the screening package offers.
USE = "onboarding"

_REFERENCE = re.compile(r"^(SOR/\d{4}-\d+), Schedule (\S+)(?:, Part (\S+))?, item (\S+)$")
# A UN Security Council reference number (KPe.001) at the end of a citation: the law's
# list and the screening list cite the same designation differently.
_UN_REFERENCE = re.compile(r"\b([A-Z]{2}[ie]\.\d+)$")
_TITLE = re.compile(r"\((SOR/\d{4}-\d+)\), Schedule (\S+)$")


def french_instrument(instrument: str) -> str:
    """``SOR/2020-214`` → ``DORS/2020-214``."""
    return instrument.replace("SOR/", "DORS/")


def url(instrument: str, lang: str) -> str:
    """The Justice Laws page of a regulation, in the reader's language."""
    number = instrument.removeprefix("SOR/")
    if lang == "fr":
        return f"https://laws-lois.justice.gc.ca/fra/reglements/DORS-{number}/"
    return f"https://laws-lois.justice.gc.ca/eng/regulations/SOR-{number}/"


@dataclass(frozen=True, slots=True)
class Listing:
    """Where a Canadian regulation lists a person: instrument, schedule, part and item."""

    instrument: str  # SOR/2020-214
    schedule: str  # 1, or the list a regulation refers to (UN … Consolidated List (DPRK))
    part: str  # "" for a schedule without parts
    item: str  # an item number, or the list's reference number (KPe.001)

    def text(self, lang: str) -> str:
        number = self.schedule[:1].isdigit()
        provision = f"Schedule {self.schedule}" if number else self.schedule
        return item_citation(self.instrument, provision, self.part, self.item, lang)


@dataclass(frozen=True, slots=True)
class Match:
    """A listed entry whose name matches one name of the proposal."""

    position: int  # 0: the organisation; n: contact n (1-based, as the officer counts)
    listed_name: str
    listing: Listing | None  # None: a list that is not a Canadian regulation's schedule
    reference: str  # the citation as the source writes it
    status: str  # listed | possibly listed | date unknown | not yet listed | delisted
    listed_from: dt.date | None
    listed_to: dt.date | None
    how: str  # exact | partial | fuzzy
    score: float | None  # the screening score, when the screening package found it
    url: str

    def cited(self, lang: str) -> str:
        return self.listing.text(lang) if self.listing else self.reference

    @property
    def instrument(self) -> str | None:
        return self.listing.instrument if self.listing else None


@dataclass(frozen=True, slots=True)
class ListRead:
    """One list read by the screening: its title and the date of its source."""

    title: str
    source_date: dt.date | None
    version: str

    def text(self, lang: str) -> str:
        found = _TITLE.search(self.title)
        if found:
            inst, schedule = found.groups()
            name = (
                f"{french_instrument(inst)}, annexe {schedule}"
                if lang == "fr"
                else f"{inst}, Schedule {schedule}"
            )
        elif lang == "fr" and self.title.startswith(UN_LIST):
            name = reference_fr(self.title).replace("(DPRK entries)", "(inscriptions de la RPDC)")
        else:
            name = self.title
        return name


@dataclass(frozen=True, slots=True)
class Screened:
    on: dt.date
    hits: tuple[Match, ...]
    later: tuple[Match, ...]  # name matches not listed on the date (listed later, delisted)
    lists: tuple[ListRead, ...]
    law_version: str
    threshold: float

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(x.version for x in self.lists)


def _listing(reference: str) -> Listing | None:
    found = _REFERENCE.match(reference.strip())
    if found is None:
        return None
    instrument, schedule, part, item = found.groups()
    return Listing(instrument, schedule, part or "", item)


def _key(match: Match) -> tuple[int, str]:
    found = _UN_REFERENCE.search(match.cited("en"))
    return (match.position, found[1] if found else match.cited("en"))


_SNAPSHOTS: dict[tuple[tuple[str, int], ...], list[Snapshot]] = {}


def _snapshots() -> list[Snapshot]:
    """The active screening lists, read again only when a list file changed (reading and
    parsing them is the slow part of screening; a session makes many determinations)."""
    files = sorted(SHIPPED_DIR.glob("*.json"))
    imported = data_dir() / "lists"
    if imported.is_dir():
        files += sorted(imported.rglob("*.json"))
    signature = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    if signature not in _SNAPSHOTS:
        _SNAPSHOTS.clear()
        _SNAPSHOTS[signature] = list(active())
    return _SNAPSHOTS[signature]


def screen_names(names: list[tuple[int, str, str]], on: dt.date) -> Screened:
    """Screen ``(position, name, kind)`` on ``on``; kind is ``person`` or ``any``.

    Raises ``LawDataError`` when the law data or a list does not load (the caller must not
    read that as "no match")."""
    on = parse_date(on, "on")  # the dates the law data can answer for, or BadInput
    snapshots = _snapshots()
    index = default_index(snapshots)
    threshold = THRESHOLDS.get(USE, THRESHOLDS[DEFAULT_USE])
    hits: dict[tuple[int, str], Match] = {}
    later: dict[tuple[int, str], Match] = {}
    law_version = ""
    for position, name, kind in names:
        try:
            answer = check_party(name=name, on=on)
        except BadInput as error:  # the name's length: say which field, never the name
            if error.field != "name":
                raise
            field = (
                "organisation.name"
                if position == 0
                else f"organisation.contacts.{position - 1}.name"
            )
            raise refuse(field, "name_length") from None
        law_version = str(answer["law_version"])
        for m in answer["matches"]:
            listing = Listing(
                m["instrument"], str(m["schedule"]).removeprefix("Schedule "), m["part"], m["item"]
            )
            match = Match(
                position=position,
                listed_name=m["name"],
                listing=listing,
                reference=listing.text("en"),
                status=str(m.get("status", "listed")),
                listed_from=dt.date.fromisoformat(m["listed_on"]),
                listed_to=None,
                how=m["match"],
                score=None,
                url=m["url"],
            )
            hits.setdefault(_key(match), match)
        result: Screening = screen(index, Query(name=name, on=on, kind=kind), threshold)
        for hit_list, target in ((result.hits, hits), (result.not_on_date, later)):
            for h in hit_list:
                e = h.entry
                found = Match(
                    position=position,
                    listed_name=e.name,
                    listing=_listing(e.reference),
                    reference=e.reference or e.id,
                    status=h.status,
                    listed_from=e.listed_from,
                    listed_to=e.listed_to,
                    how="exact" if h.score >= 1.0 else "fuzzy",
                    score=h.score,
                    url=e.url,
                )
                key = _key(found)
                if key in hits:  # the engine found it too: keep its kind, add the score
                    known = hits[key]
                    if known.score is None:
                        hits[key] = replace(known, score=h.score)
                    continue
                target.setdefault(key, found)
    if not law_version:
        raise LawDataError("law data", None, "no law version: the law engine did not answer")

    def order(m: Match) -> tuple[int, float, str]:
        return (m.position, -(m.score if m.score is not None else 1.0), m.cited("en"))

    lists = tuple(ListRead(s.title, s.source_date, s.version) for s in snapshots)
    return Screened(
        on=on,
        hits=tuple(sorted(hits.values(), key=order)),
        later=tuple(sorted((m for k, m in later.items() if k not in hits), key=order)),
        lists=lists,
        law_version=law_version,
        threshold=threshold,
    )
