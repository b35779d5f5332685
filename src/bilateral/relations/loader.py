"""Load and check the relations data: events and published figures, or a LawDataError
naming file, line and reason (the same discipline as the law: law/loader.py).

Refused: an event without a citation (url), an impossible date, an unknown country, a
duplicate id, a listing whose date has no one listed in the official schedule.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bilateral import countries
from bilateral.errors import LawDataError
from bilateral.law.loader import _line_of, _parse, _read_yaml
from bilateral.law.model import Bilingual, PersonList
from bilateral.relations.model import (
    Event,
    EventFile,
    EventKind,
    FigureFile,
    ListingHistory,
    PublishedFigure,
)

Source = Path | Traversable
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Relations:
    version: str
    events: tuple[Event, ...]
    figures: tuple[PublishedFigure, ...]
    event_file: dict[str, str]

    def events_of(self, code: str) -> list[Event]:
        return [e for e in self.events if e.country == code]

    def figures_of(self, code: str) -> list[PublishedFigure]:
        return [f for f in self.figures if f.country == code]


def _files(root: Source, sub: str) -> list[tuple[str, str]]:
    folder = root.joinpath(sub)
    if not folder.is_dir():
        return []
    found = sorted((e.name, e) for e in folder.iterdir() if e.name.endswith(".yaml"))
    return [(f"{sub}/{name}", entry.read_text(encoding="utf-8")) for name, entry in found]


def _country(name: str, text: str, code: str, loc: tuple[int | str, ...]) -> str:
    if code not in countries.known_codes():
        raise LawDataError(name, _line_of(text, loc), f"unknown country {code!r}")
    return code


def _event(name: str, text: str, index: int, raw: dict[str, Any], country: str) -> Event:
    loc: tuple[int | str, ...] = ("events", index)
    ident = raw.get("id", f"#{index + 1}")
    if not raw.get("url"):
        raise LawDataError(name, _line_of(text, loc), f"event {ident} has no citation (url)")
    data = {"country": country, **raw}
    _country(name, text, str(data["country"]), (*loc, "country"))
    try:
        return Event.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        msg = str(first["msg"]).removeprefix("Value error, ")
        line = _line_of(text, (*loc, *first["loc"]))
        raise LawDataError(name, line, f"event {ident}: {where}: {msg}") from None


def _listing_events(
    name: str, text: str, history: ListingHistory, people: dict[str, PersonList]
) -> list[Event]:
    plist = people.get(history.list)
    if plist is None:
        raise LawDataError(
            name, _line_of(text, ("listings",)), f"unknown person list {history.list}"
        )
    tally: Counter[tuple[Any, bool]] = Counter((p.listed_on, p.entity) for p in plist.persons)
    events = []
    for i, amendment in enumerate(history.amendments):
        day = amendment.listed_on
        persons, entities = tally[(day, False)], tally[(day, True)]
        if not persons + entities:
            line = _line_of(text, ("listings", 0, "amendments", i))
            raise LawDataError(name, line, f"no one in {history.list} is listed on {day}")
        by = amendment.instrument
        instrument_en, instrument_fr = plist.instrument, plist.instrument.replace("SOR/", "DORS/")
        annexe = plist.provision.replace("Schedule", "annexe")
        en_by = f" by {by}" if by else " (amending instrument not found)"
        fr_by = (
            f" par le {by.replace('SOR/', 'DORS/')}" if by else " (texte modificatif introuvable)"
        )
        en_parts = [f"{persons} individuals"] if persons else []
        fr_parts = [f"{persons} personnes physiques"] if persons else []
        if entities:
            en_parts.append(f"{entities} entities")
            fr_parts.append(f"{entities} entités")
        events.append(
            Event(
                id=f"listing.{history.list}.{day.isoformat()}",
                country=history.country,
                date=day,  # type: ignore[arg-type]
                kind=EventKind.LISTING,
                label=Bilingual(
                    en=f"{' and '.join(en_parts)} listed in {plist.provision} of {instrument_en}",
                    fr=f"{' et '.join(fr_parts)} inscrites à l'{annexe} du {instrument_fr}",
                ),
                text=Bilingual(
                    en=f"{' and '.join(en_parts)} were added to {plist.provision} of the "
                    f"{history.regulations.en} ({plist.instrument}){en_by}; dealings with them "
                    "are prohibited.",
                    fr=f"{' et '.join(fr_parts)} ont été ajoutées à l'"
                    f"{annexe} du {history.regulations.fr} "
                    f"({instrument_fr}){fr_by}; toute opération avec elles est interdite.",
                ),
                url=amendment.url,
                source=amendment.source,
                confidence=amendment.confidence,
                note=amendment.note,
                count=persons + entities,
                instrument=by,
                entities=entities,
                schedule=Bilingual(
                    en=f"{plist.provision} of the {history.regulations.en}",
                    fr=f"l'{annexe} du {history.regulations.fr}",
                ),
            )
        )
    return events


def _validate(model: type[M], name: str, text: str, data: Any) -> M:
    """``model`` from parsed ``data`` (with inherited fields filled in), errors at their line."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise LawDataError(name, _line_of(text, first["loc"]), f"{where}: {msg}") from None


def _hash(parts: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for name, text in sorted(parts):
        digest.update(f"{name}\0{text}\0".encode())
    return "sha256:" + digest.hexdigest()[:16]


def load(root: Source | None = None, people: dict[str, PersonList] | None = None) -> Relations:
    """Load the bundled relations data (or a folder laid out like it) and check it."""
    base: Source = root if root is not None else resources.files("bilateral.relations") / "data"
    if people is None:
        from bilateral.engine.law import default_law

        people = default_law().bundle.person_lists
    event_files = _files(base, "events")
    figure_files = _files(base, "figures")
    events: list[Event] = []
    event_file: dict[str, str] = {}
    for name, text in event_files:
        data = _read_yaml(name, text) or {}
        if not isinstance(data, dict):
            raise LawDataError(name, 1, "expected a mapping with country and events")
        country = _country(name, text, str(data.get("country", "")), ("country",))
        shell = _parse(EventFile, name, text)
        found = [_event(name, text, i, raw, country) for i, raw in enumerate(shell.events)]
        for history in shell.listings:
            found.extend(_listing_events(name, text, history, people))
        for event in found:
            if event.id in event_file:
                line = _line_of(text, ("events",))
                raise LawDataError(
                    name, line, f"event id {event.id} also in {event_file[event.id]}"
                )
            event_file[event.id] = name
        events.extend(found)
    figures: list[PublishedFigure] = []
    for name, text in figure_files:
        data = _read_yaml(name, text) or {}
        country = _country(name, text, str(data.get("country", "")), ("country",))
        for i, raw in enumerate(data.get("figures") or []):
            if isinstance(raw, dict) and not raw.get("url"):
                raise LawDataError(
                    name, _line_of(text, ("figures", i)), "figure has no citation (url)"
                )
            if isinstance(raw, dict):
                raw.setdefault("country", country)
        figure_file = _validate(FigureFile, name, text, data)
        figures.extend(figure_file.figures)
    events.sort(key=lambda e: (e.date.first, e.id))
    figures.sort(key=lambda f: (f.country, f.year, f.flow.value, f.id))
    return Relations(
        version=_hash(event_files + figure_files),
        events=tuple(events),
        figures=tuple(figures),
        event_file=event_file,
    )


@cache
def default_relations() -> Relations:
    return load()
