"""Screening lists as dated, versioned data: entries, snapshots and the delta between two.

An entry keeps what a screening answer needs to be checked by an analyst: every name (the
listed name, strong aliases, weak aliases such as nicknames), birth dates, nationalities,
identifiers, the programme, the listing interval, and the citation of the item. A snapshot
is one import of one list: its source, the date of the source, and the content hash of its
entries, so two imports of the same source are recognisably the same version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

PERSON = "Person"
SCHEMAS = frozenset({"Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane"})


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    schema: str
    name: str
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()  # ISO: "1954-08-30", "1954-08" or "1954"
    nationalities: tuple[str, ...] = ()  # ISO 3166 alpha-2, upper case
    identifiers: tuple[str, ...] = ()
    programme: str = ""
    listed_from: dt.date | None = None  # None: the source does not say
    listed_to: dt.date | None = None  # first day no longer listed; None: still listed
    # False when listed_from is only the first date the source can show (the Justice Laws
    # point-in-time data begins in 2016: an item dated then may be older).
    listed_from_exact: bool = True
    reference: str = ""  # the citation of the item: "SOR/2020-214, Sch. 1, Part 1, item 8"
    url: str = ""

    @property
    def is_person(self) -> bool:
        return self.schema == PERSON

    def names(self) -> tuple[tuple[str, str], ...]:
        """(name, kind) for every name, kind "name", "alias" or "weak alias"."""
        out = [(self.name, "name")]
        out += [(a, "alias") for a in self.aliases if a != self.name]
        out += [(a, "weak alias") for a in self.weak_aliases]
        return tuple(out)

    def status_on(self, on: dt.date) -> str:
        """'listed', 'not yet listed', 'delisted', 'possibly listed' or 'date unknown'."""
        if self.listed_to is not None and on >= self.listed_to:
            return "delisted"
        if self.listed_from is None:
            return "date unknown"
        if on >= self.listed_from:
            return "listed"
        return "not yet listed" if self.listed_from_exact else "possibly listed"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("listed_from", "listed_to"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        values = dict(data)
        for key in ("listed_from", "listed_to"):
            if values.get(key):
                values[key] = dt.date.fromisoformat(values[key])
        for key in ("aliases", "weak_aliases", "birth_dates", "nationalities", "identifiers"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One import of one list."""

    list_id: str  # "ca-sema-belarus", "us-ofac-sdn", "un-sc-consolidated"
    title: str
    source: str  # where it came from: file name, URL, commit
    source_date: dt.date | None
    importer: str
    entries: tuple[Entry, ...]
    notes: tuple[str, ...] = ()  # what the source does not say (repealed items, …)
    content_hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash(self.entries))

    @property
    def version(self) -> str:
        when = self.source_date.isoformat() if self.source_date else "undated"
        return f"{self.list_id}@{when}:{self.content_hash[:12]}"

    def to_json(self) -> dict[str, Any]:
        return {
            "list_id": self.list_id,
            "title": self.title,
            "source": self.source,
            "source_date": self.source_date.isoformat() if self.source_date else None,
            "importer": self.importer,
            "content_hash": self.content_hash,
            "notes": list(self.notes),
            "entries": [e.to_json() for e in self.entries],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        snapshot = cls(
            list_id=data["list_id"],
            title=data["title"],
            source=data["source"],
            source_date=(
                dt.date.fromisoformat(data["source_date"]) if data.get("source_date") else None
            ),
            importer=data["importer"],
            entries=tuple(Entry.from_json(e) for e in data["entries"]),
            notes=tuple(data.get("notes") or ()),
        )
        if data.get("content_hash") and data["content_hash"] != snapshot.content_hash:
            raise ValueError(f"{snapshot.list_id}: content hash does not match its entries")
        return snapshot

    def with_entries(self, entries: tuple[Entry, ...]) -> Snapshot:
        return replace(self, entries=entries, content_hash="")


def content_hash(entries: tuple[Entry, ...]) -> str:
    """sha256 of the entries in a canonical form (sorted by id, keys sorted)."""
    canonical = json.dumps(
        [e.to_json() for e in sorted(entries, key=lambda e: e.id)],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Delta:
    """What changed between two snapshots of one list."""

    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    changed: tuple[tuple[Entry, Entry], ...]  # (before, after)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"


def delta(before: Snapshot | None, after: Snapshot) -> Delta:
    old = {e.id: e for e in before.entries} if before else {}
    new = {e.id: e for e in after.entries}
    return Delta(
        added=tuple(new[i] for i in sorted(new.keys() - old.keys())),
        removed=tuple(old[i] for i in sorted(old.keys() - new.keys())),
        changed=tuple(
            (old[i], new[i]) for i in sorted(old.keys() & new.keys()) if old[i] != new[i]
        ),
    )
