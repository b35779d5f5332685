"""Screen one party: scored, explained, dated hits against the active lists.

The name score (``matching.py``) is adjusted by what else is known of the party: a birth
date that agrees raises it; one that contradicts every listed birth date is a hard "no"
(the same name, another person); a nationality that agrees raises it slightly, one that
differs lowers it (lists record nationalities incompletely, so never to zero); an
identifier (passport, registration number) that agrees makes the hit near-certain.

Dates: an entry is a hit on a date when it is listed on that date, when the source cannot
say when it was listed (the OFAC CSV, the Canadian consolidated list), or when the source's
data begins after the listing may have happened ("possibly listed"); an entry listed only
later, or delisted before, is reported apart as not listed on that date, with its dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bilateral.screening.index import ScreeningIndex
from bilateral.screening.matching import (
    MATCHER_VERSION,
    PART_OTHERS_DIFFER,
    PART_TOP,
    part_score,
    score_names,
)
from bilateral.screening.model import Entry, Snapshot
from bilateral.screening.normalise import parse_name

HIT_STATUSES = frozenset({"listed", "possibly listed", "date unknown"})
WEAK_ALIAS_FACTOR = 0.9
_ID_CLEAN = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    on: dt.date
    birth_date: str | None = None  # "1954-08-30" or "1954"
    countries: tuple[str, ...] = ()  # ISO alpha-2
    identifiers: tuple[str, ...] = ()
    kind: str = "any"  # person | organization | any


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    snapshot: Snapshot
    matched_name: str
    name_kind: str
    score: float
    status: str
    features: dict[str, float] = field(default_factory=dict)
    explanation: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "id": e.id,
            "name": e.name,
            "matched_name": self.matched_name,
            "matched_as": self.name_kind,
            "score": self.score,
            "status": self.status,
            "schema": e.schema,
            "list": self.snapshot.list_id,
            "list_version": self.snapshot.version,
            "reference": e.reference,
            "programme": e.programme,
            "listed_from": e.listed_from.isoformat() if e.listed_from else None,
            "listed_from_exact": e.listed_from_exact,
            "listed_to": e.listed_to.isoformat() if e.listed_to else None,
            "birth_dates": list(e.birth_dates),
            "nationalities": list(e.nationalities),
            "url": e.url,
            "features": self.features,
            "explanation": list(self.explanation),
        }


@dataclass(frozen=True, slots=True)
class Screening:
    query: Query
    threshold: float
    hits: tuple[Hit, ...]
    not_on_date: tuple[Hit, ...]  # good name matches, not listed on the date asked
    excluded: tuple[Hit, ...]  # good name matches ruled out by a contradicting birth date
    list_versions: tuple[str, ...]
    matcher_version: str = MATCHER_VERSION


def _dob_compatible(given: str, listed: str) -> bool:
    """Same date at the precision both know: "1954" agrees with "1954-08-30"."""
    size = min(len(given), len(listed))
    return given[:size] == listed[:size]


def _qualify(
    query: Query, entry: Entry, score: float, lang: str = "en"
) -> tuple[float, dict[str, float], list[str]]:
    fr = lang == "fr"
    features: dict[str, float] = {}
    notes: list[str] = []
    if query.birth_date and entry.birth_dates and entry.is_person:
        if any(_dob_compatible(query.birth_date, b) for b in entry.birth_dates):
            exact = any(len(b) == 10 == len(query.birth_date) for b in entry.birth_dates)
            bonus = 0.08 if exact else 0.03
            score = min(1.0, score + bonus)
            features["birth_date_agrees"] = bonus
            notes.append(
                f"date de naissance {query.birth_date} conforme à la liste"
                if fr
                else f"birth date {query.birth_date} agrees with the list"
            )
        else:
            features["birth_date_contradicts"] = 1.0
            dates = ", ".join(entry.birth_dates)
            notes.append(
                f"la date de naissance {query.birth_date} contredit celle de la liste "
                f"({dates}) : une autre personne"
                if fr
                else f"birth date {query.birth_date} contradicts the listed {dates}: another person"
            )
            return 0.0, features, notes
    elif query.birth_date and entry.is_person:
        notes.append(
            f"date de naissance {query.birth_date} non comparée : la liste n'en donne pas"
            if fr
            else f"birth date {query.birth_date} not compared: the list gives none"
        )
    if query.countries and not entry.nationalities:
        notes.append(
            f"pays {', '.join(query.countries)} non comparé : la liste ne donne pas de nationalité"
            if fr
            else f"country {', '.join(query.countries)} not compared: the list gives no nationality"
        )
    if query.countries and entry.nationalities:
        if set(query.countries) & set(entry.nationalities):
            score = min(1.0, score + 0.03)
            features["nationality_agrees"] = 0.03
            notes.append(
                f"nationalité {', '.join(entry.nationalities)} conforme"
                if fr
                else f"nationality {', '.join(entry.nationalities)} agrees"
            )
        else:
            score = max(0.0, score - 0.08)
            features["nationality_differs"] = -0.08
            notes.append(
                f"le pays {', '.join(query.countries)} diffère de celui de la liste "
                f"({', '.join(entry.nationalities)})"
                if fr
                else f"country {', '.join(query.countries)} differs from the listed "
                f"{', '.join(entry.nationalities)}"
            )
    if query.identifiers and entry.identifiers:
        given = {_ID_CLEAN.sub("", i.upper()) for i in query.identifiers}
        listed = {_ID_CLEAN.sub("", i.upper()) for i in entry.identifiers}
        if given & listed - {""}:
            score = max(score, 0.99)
            features["identifier_agrees"] = 1.0
            notes.append(
                "un identifiant concorde avec la liste"
                if fr
                else "an identifier agrees with the list"
            )
    return round(score, 4), features, notes


UN_LIST = "UN Security Council Consolidated List"
_UN_LIST_FR = "Liste récapitulative du Conseil de sécurité des Nations Unies"


def reference_fr(reference: str) -> str:
    """A Justice Laws citation in French ("SOR/2020-214, Schedule 1, Part 1, item 8" →
    "DORS/2020-214, annexe 1, partie 1, article 8"), the UN list by its French name; other
    sources' references as given."""
    if reference.startswith(UN_LIST):
        return _UN_LIST_FR + reference.removeprefix(UN_LIST)
    if not reference.startswith("SOR/"):
        return reference
    return (
        reference.replace("SOR/", "DORS/", 1)
        .replace(", Schedule ", ", annexe ")
        .replace(", Part ", ", partie ")
        .replace(", item ", ", article ")
    )


def _status_note(entry: Entry, status: str, on: dt.date, lang: str = "en") -> str:
    since = entry.listed_from.isoformat() if entry.listed_from else ""
    until = entry.listed_to.isoformat() if entry.listed_to else ""
    day = on.isoformat()
    ref = reference_fr(entry.reference) if lang == "fr" else entry.reference
    if lang == "fr":
        if status == "listed" and not entry.listed_from_exact:
            return (
                f"inscrit : l'article dans sa forme actuelle est en vigueur depuis le {since}; "
                f"l'inscription peut être antérieure ({ref})"
            )
        return {
            "listed": f"inscrit depuis le {since} ({ref})",
            "possibly listed": (
                f"l'article dans sa forme actuelle est en vigueur depuis le {since} (une "
                "modification, ou le début des données à jour de la source); l'inscription "
                f"peut être antérieure : peut-être inscrit le {day} ({ref})"
            ),
            "date unknown": f"la source ne donne pas la date d'inscription ({ref})",
            "not yet listed": f"inscrit seulement à compter du {since}, après le {day} ({ref})",
        }.get(status, f"radié le {until} ({ref})")
    if status == "listed" and not entry.listed_from_exact:
        return (
            f"listed: the item as it now reads is in force since {since}; the listing may be "
            f"older ({ref})"
        )
    return {
        "listed": f"listed since {since} ({ref})",
        "possibly listed": (
            f"the item as it now reads is in force from {since} (an amendment, or the start "
            f"of the source's point-in-time data); the listing may be older, so it may have "
            f"been listed on {day} ({ref})"
        ),
        "date unknown": f"the source gives no listing date ({ref})",
        "not yet listed": f"listed only from {since}, after {day} ({ref})",
    }.get(status, f"delisted on {until} ({ref})")


_HOW_FR = {
    "same": "identique",
    "transliteration": "translittération",
    "typo": "faute de frappe",
    "initial": "initiale",
    "consonants": "consonnes",
    "phonetic transcription": "transcription phonétique",
    "surname only": "nom de famille seul",
    "one word of the name only": "un seul mot du nom",
}
_KIND_FR = {"name": "le nom", "alias": "l'alias", "weak alias": "l'alias faible"}


def _name_note(
    name_score: float, kind: str, text: str, aligned: tuple[tuple[str, str, str], ...], lang: str
) -> str:
    if lang == "fr":
        parts = ", ".join(
            f"{a}~{b} ({'; '.join(_HOW_FR.get(h, h) for h in how.split('; '))})"
            for a, b, how in aligned
        )
        score = f"{name_score:.2f}".replace(".", ",")
        return f"nom {score} contre {_KIND_FR.get(kind, kind)} {text!r} : {parts}"
    parts = ", ".join(f"{a}~{b} ({how})" for a, b, how in aligned)
    return f"name {name_score:.2f} against the {kind} {text!r}: {parts}"


def _part_note(features: dict[str, float], lang: str) -> str | None:
    """Why a match on one part of the name scores what it does."""
    if "part_only" not in features:
        return None
    count = int(features.get("part_holders", 1))
    if lang == "fr":
        return (
            f"correspondance partielle : une seule partie du nom inscrit concorde; "
            f"{count} inscription(s) des listes ont cette partie, d'où la note (plus elle est "
            "rare, plus la note est haute) : à confirmer par l'analyste avec le nom complet"
        )
    return (
        f"partial match: only one part of the listed name agrees; {count} listed "
        f"entr{'y has' if count == 1 else 'ies have'} that part, which sets the score (the "
        "rarer, the higher): for the analyst to confirm with the full name"
    )


NameMatch = tuple[int, float, str, str, dict[str, float], tuple[tuple[str, str, str], ...]]


def match_names(
    index: ScreeningIndex, name: str, kind: str, threshold: float
) -> tuple[NameMatch, ...]:
    """(entry position, name score, matched text, name kind, features, alignment) of every
    entry whose best name scores at least ``threshold``: the part of screening that does not
    depend on the date or qualifiers, so bulk screening computes it once per distinct name."""
    as_company = parse_name(name, True)
    as_person = parse_name(name, False)
    best: dict[int, NameMatch] = {}
    # A query of several parts sharing only a surname with a listed name scores at most
    # PART_TOP * PART_OTHERS_DIFFER: look for such names only when that can alert.
    one_part = len(as_company.tokens) > 1 and threshold <= PART_TOP * PART_OTHERS_DIFFER
    for name_id in index.candidates(as_company, one_part=one_part):
        indexed = index.names[name_id]
        entry, _ = index.entries[indexed.entry]
        if kind == "person" and not entry.is_person:
            continue
        if kind == "organization" and entry.is_person:
            continue
        parsed_query = as_person if entry.is_person else as_company
        result = score_names(parsed_query, indexed.parsed, entry.is_person)
        if len(parsed_query.tokens) == 1 or one_part:
            partial = part_score(parsed_query, indexed.parsed, entry.is_person, index.holders)
            if partial.score > result.score:
                result = partial
        score = result.score * (WEAK_ALIAS_FACTOR if indexed.kind == "weak alias" else 1.0)
        current = best.get(indexed.entry)
        if current is None or score > current[1]:
            best[indexed.entry] = (
                indexed.entry,
                round(score, 4),
                indexed.text,
                indexed.kind,
                result.features,
                result.aligned,
            )
    return tuple(m for m in best.values() if m[1] >= threshold)


def screen(
    index: ScreeningIndex,
    query: Query,
    threshold: float,
    matches: tuple[NameMatch, ...] | None = None,
    lang: str = "en",
) -> Screening:
    """Every listed entry whose best name scores at least ``threshold`` against the query,
    explained in English or French (``lang``)."""
    if matches is None:
        matches = match_names(index, query.name, query.kind, threshold)
    hits: list[Hit] = []
    later: list[Hit] = []
    excluded: list[Hit] = []
    for position, name_score, text, kind, name_features, aligned in matches:
        entry, snapshot = index.entries[position]
        score, features, notes = _qualify(query, entry, name_score, lang)
        status = entry.status_on(query.on)
        part = _part_note(name_features, lang)
        explanation = [
            _name_note(name_score, kind, text, aligned, lang),
            *([part] if part else []),
            *notes,
            _status_note(entry, status, query.on, lang),
        ]
        hit = Hit(
            entry,
            snapshot,
            text,
            kind,
            score,
            status,
            {"name": name_score, **name_features, **features},
            tuple(explanation),
        )
        if "birth_date_contradicts" in features:
            excluded.append(hit)
        elif score < threshold:
            continue
        elif status in HIT_STATUSES:
            hits.append(hit)
        else:
            later.append(hit)

    def order(h: Hit) -> tuple[float, str]:
        return (-h.score, h.entry.id)

    return Screening(
        query,
        threshold,
        tuple(sorted(hits, key=order)),
        tuple(sorted(later, key=order)),
        tuple(sorted(excluded, key=order)),
        index.versions,
    )


_INDEX: dict[tuple[str, ...], ScreeningIndex] = {}


def default_index(snapshots: list[Snapshot] | None = None) -> ScreeningIndex:
    """The index of the active lists (shipped and imported), built once per process."""
    from bilateral.screening.store import active

    chosen = snapshots if snapshots is not None else active()
    key = tuple(s.version for s in chosen)
    if key not in _INDEX:
        _INDEX[key] = ScreeningIndex(chosen)
    return _INDEX[key]
