"""Is this person or entity listed (sanctioned) on this day?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bilateral.engine.determination import Trace
from bilateral.engine.law import Law
from bilateral.engine.names import matches, name_keys
from bilateral.law.model import DealingsProhibition, KnownGap, ListedPerson, PersonList


@dataclass(frozen=True, slots=True)
class PartyMatch:
    person: ListedPerson
    plist: PersonList
    kind: str  # exact | partial
    matched_name: str


@dataclass(frozen=True, slots=True)
class PartyDetermination:
    name: str
    on: dt.date
    listed: bool
    matches: tuple[PartyMatch, ...]
    trace: Trace


_KEYS: dict[int, tuple[tuple[ListedPerson, str, tuple[str, ...]], ...]] = {}


def _keys(plist: PersonList) -> tuple[tuple[ListedPerson, str, tuple[str, ...]], ...]:
    """Name keys of every listed name and alias, computed once per list."""
    cached = _KEYS.get(id(plist))
    if cached is not None:
        return cached
    rows = []
    for person in plist.persons:
        for variant in (person.name, *person.aliases):
            rows.append((person, variant, name_keys(variant)))
    _KEYS[id(plist)] = tuple(rows)
    return _KEYS[id(plist)]


def determine_party(law: Law, name: str, on: dt.date) -> PartyDetermination:
    trace = Trace()
    query = name_keys(name)
    found: list[PartyMatch] = []
    for rule in law.rules("dealings_prohibition", "*"):
        if not rule.in_force(on):
            trace.skipped(rule, "not in force on this date")
            continue
        effect = rule.effect
        assert isinstance(effect, DealingsProhibition)
        plist = law.bundle.person_lists[effect.listing]
        seen: set[tuple[str, str]] = set()
        hits = 0
        for person, variant, keys in _keys(plist):
            kind = matches(query, keys)
            if kind is None or (person.part, person.item) in seen:
                continue
            if person.listed_on > on:
                trace.caveat(
                    f"{person.name} is listed from {person.listed_on} ({plist.provision}, "
                    f"Part {person.part}, item {person.item}), after this date; that is the "
                    "in-force date of the item's current text, and an earlier text of the "
                    "item may have listed them before.",
                    f"{person.name} est inscrit à compter du {person.listed_on} "
                    f"({plist.provision}, partie {person.part}, article {person.item}), "
                    "après cette date; c'est la date d'entrée en vigueur du texte actuel de "
                    "l'article, et un texte antérieur a pu l'inscrire plus tôt.",
                )
                continue
            seen.add((person.part, person.item))
            found.append(PartyMatch(person, plist, kind, variant))
            hits += 1
        if hits:
            trace.applied(rule, f"{hits} listed person(s) match the name")
        else:
            trace.skipped(rule, "no listed person matches the name")
        trace.caveat(
            f"{plist.provision} of {plist.instrument} is read from the consolidation "
            f"({plist.source}); persons delisted before it are not in the data.",
            f"La liste ({plist.provision}, {plist.instrument}) provient de la codification "
            f"({plist.source}); les personnes radiées avant celle-ci n'y figurent pas.",
        )
    for gap in law.rules("known_gap", "*"):
        effect = gap.effect
        if gap.in_force(on) and isinstance(effect, KnownGap) and effect.bears_on("party"):
            trace.caveat(gap.summary.en, gap.summary.fr)
            trace.skipped(gap, "known gap in the law data, shown as a caveat")
    return PartyDetermination(name, on, bool(found), tuple(found), trace)
