"""Blocking: find the few listed names worth scoring against a query.

Every listed name (name, aliases, weak aliases) is indexed under the phonetic key of each
of its parts and, for cross-script queries, under the parts' consonant skeletons. A query
looks up its own keys, ranks the listed names by the rarity of the keys they share (a
shared "ivanov" says less than a shared "lukashenko"), and scores only the best
``MAX_CANDIDATES``. The scorer never sees the rest of the list.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from bilateral.screening.model import Entry, Snapshot
from bilateral.screening.normalise import Name, parse_name, skeleton

MAX_CANDIDATES = 48


@dataclass(frozen=True, slots=True)
class IndexedName:
    entry: int  # position in ScreeningIndex.entries
    text: str
    kind: str  # name | alias | weak alias
    parsed: Name


def blocking_keys(name: Name) -> set[str]:
    keys: set[str] = set()
    for token, key in zip(name.tokens, name.keys, strict=True):
        if len(key) >= 2 or token.isdigit():
            keys.add("k:" + key)
        if len(token) >= 2:
            bones = skeleton(token)
            if len(bones) >= 2:
                keys.add("s:" + bones)
    if len(name.compact) >= 6:
        keys.add("c:" + name.compact[:6])
    return keys


class ScreeningIndex:
    """The active lists, indexed for screening. Build once, query many times."""

    def __init__(self, snapshots: list[Snapshot]) -> None:
        self.snapshots = snapshots
        self.entries: list[tuple[Entry, Snapshot]] = []
        self.names: list[IndexedName] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for snapshot in snapshots:
            for entry in snapshot.entries:
                position = len(self.entries)
                self.entries.append((entry, snapshot))
                for text, kind in entry.names():
                    parsed = parse_name(text, not entry.is_person)
                    if not parsed.tokens:
                        continue
                    name_id = len(self.names)
                    self.names.append(IndexedName(position, text, kind, parsed))
                    for key in blocking_keys(parsed):
                        postings[key].append(name_id)
        self.postings = {k: tuple(dict.fromkeys(v)) for k, v in postings.items()}
        total = max(len(self.names), 1)
        self.idf = {k: math.log(1 + total / len(v)) for k, v in self.postings.items()}

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(s.version for s in self.snapshots)

    def candidates(self, query: Name, limit: int = MAX_CANDIDATES) -> list[int]:
        """Indexed names sharing keys with the query, rarest shared keys first."""
        weight: dict[int, float] = defaultdict(float)
        for key in blocking_keys(query):
            found = self.postings.get(key)
            if not found:
                continue
            idf = self.idf[key]
            for name_id in found:
                weight[name_id] += idf
        if len(weight) <= limit:
            return list(weight)
        return sorted(weight, key=lambda n: (-weight[n], n))[:limit]
