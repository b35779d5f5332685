"""Blocking: find the few listed names worth scoring against a query.

Every listed name (name, aliases, weak aliases) is indexed under the phonetic key of each
of its parts and, for cross-script queries, under the parts' consonant skeletons. A query
looks up its own keys; a listed name is a candidate when it shares keys with two parts of
the query (or the query or the name has a single part), and at most ``MAX_CANDIDATES``
(those sharing most parts, then closest in length) are scored; keys shared by more
than ``MAX_POSTINGS`` names (a common prefix) admit nobody but still count. The scorer
never sees the rest of the list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bilateral.screening.model import Entry, Snapshot
from bilateral.screening.normalise import (
    Name,
    parse_name,
    skeleton,
    sound_skeleton,
    warm_transliteration,
)

MAX_CANDIDATES = 48
# A key shared by more listed names than this says little (a three-letter prefix of a
# common name): it neither ranks nor admits candidates.
MAX_POSTINGS = 400
# Candidates of a query of several parts when names sharing one part are admitted too.
ONE_PART_CANDIDATES = 400


@dataclass(frozen=True, slots=True)
class IndexedName:
    entry: int  # position in ScreeningIndex.entries
    text: str
    kind: str  # name | alias | weak alias
    parsed: Name


def token_keys(token: str, key: str) -> set[str]:
    """Keys of one name part: its phonetic key, the first three letters of that key (for
    a slip late in a long name: Merkur / Merkel), and its consonant skeleton (for names
    written without vowels)."""
    keys: set[str] = set()
    if len(key) >= 2 or token.isdigit():
        keys.add("k:" + key)
    if len(key) >= 5:
        keys.add("p:" + key[:4])
    if len(token) >= 2:
        bones = skeleton(token)
        if len(bones) >= 2:
            keys.add("s:" + bones)
    return keys


def sound_keys(bones: str, prefix: str) -> set[str]:
    """Keys of a sound skeleton (``normalise.sound_skeleton``): itself and, for four
    classes or more, each form with one class left out, so that skeletons one class apart
    (ウラジーミル rtmr / Vladimir prtmr) share a key."""
    if len(bones) < 2:
        return set()
    keys = {prefix + bones}
    if len(bones) >= 4:
        keys.update(prefix + bones[:i] + bones[i + 1 :] for i in range(len(bones)))
    return keys


def blocking_keys(name: Name) -> set[str]:
    """A listed name's keys. Transcriptions are keyed apart, so that only a query in a
    transcribing script finds names by the sounds of their Latin parts ("t:"), and only
    a query in another script finds transcribed names by theirs ("u:")."""
    keys: set[str] = set()
    for token, key in zip(name.tokens, name.keys, strict=True):
        keys |= token_keys(token, key)
        if not name.sounds and not token.isdigit():
            keys |= sound_keys(sound_skeleton(token), "t:")
    for bones in name.sounds:
        keys |= sound_keys(bones, "u:")
    if len(name.compact) >= 6:
        keys.add("c:" + name.compact[:6])
    return keys


class ScreeningIndex:
    """The active lists, indexed for screening. Build once, query many times."""

    def __init__(self, snapshots: list[Snapshot]) -> None:
        self.snapshots = snapshots
        warm_transliteration()  # the queries' scripts too, not only the lists'
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
                    keys = blocking_keys(parsed)
                    for alternate in parsed.alternates:
                        keys |= blocking_keys(alternate)
                    for key in keys:
                        postings[key].append(name_id)
        self.postings = {k: tuple(dict.fromkeys(v)) for k, v in postings.items()}
        # Names of one part, admitted on one shared key.
        self.single = [len(n.parsed.tokens) < 2 for n in self.names]
        self._sets: dict[str, frozenset[int]] = {}
        self._holders: dict[str, int] = {}

    def holders(self, key: str) -> int:
        """How many listed entries have a name part of this phonetic key (the rarity that
        scores a query matching one part of a longer name, ``matching.part_score``)."""
        found = self._holders.get(key)
        if found is None:
            names = self.postings.get("k:" + key, ())
            found = self._holders[key] = len({self.names[n].entry for n in names})
        return found

    def _members(self, key: str) -> frozenset[int]:
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = frozenset(self.postings[key])
        return found

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(s.version for s in self.snapshots)

    def candidates(
        self, query: Name, limit: int = MAX_CANDIDATES, one_part: bool = False
    ) -> list[int]:
        """``one_part``: also admit names sharing a single part with a query of several
        (the Ivanovs for "Ivan Ivanov"), up to ``ONE_PART_CANDIDATES``; for a low threshold,
        where a surname-only match can reach it."""
        if one_part:
            limit = max(limit, ONE_PART_CANDIDATES)
        found = self._candidates(query, limit, one_part)
        for alternate in query.alternates:
            more = self._candidates(alternate, limit, one_part)
            found = list(dict.fromkeys([*found, *more]))
        return found

    def _candidates(self, query: Name, limit: int, one_part: bool = False) -> list[int]:
        """Indexed names sharing keys with enough parts of the query, those sharing the
        most parts first (ties: in index order, so the answer never depends on a hash).

        A listed name of two parts or more must share keys with two parts of the query (one
        shared surname is not a match, so it is not scored), unless the query has only one
        part long enough to key (an initial and a surname, a single word). Set operations
        in C rather than a loop over every posting: a common key lists hundreds of names."""
        postings = self.postings
        admitted: set[int] = set()  # names a key not too common admits
        shared: list[set[int]] = []  # per query part: the names sharing a key with it
        exact: list[set[int]] = []  # per query part: the names with a part of its very key
        keyed = 0
        parts: list[set[str]] = []
        for token, key in zip(query.tokens, query.keys, strict=True):
            if len(key) >= 2:
                keyed += 1
            keys = token_keys(token, key)
            if not query.sounds and not token.isdigit():
                keys |= sound_keys(sound_skeleton(token), "u:")
            parts.append(keys)
        parts.extend(sound_keys(bones, "t:") for bones in query.sounds)
        for keys in parts:
            part: set[int] = set()
            very: set[int] = set()
            for k in keys:
                found = postings.get(k)
                if not found:
                    continue
                if len(found) > MAX_POSTINGS:
                    # A common key ("russia", "bank") admits no name by itself, but still
                    # counts as a shared part for a name that a rarer key admitted.
                    part |= self._members(k)
                    continue
                members = self._members(k)
                admitted |= members
                part |= members
                if k[0] == "k":
                    very |= members
            shared.append(part)
            exact.append(very)
        # The joined form ("SiemensAG", "Abdullah") admits names only for a query of one
        # keyed part: for longer queries a shared first six letters is not a second part.
        compact = "c:" + query.compact[:6]
        joined: frozenset[int] = frozenset()
        if keyed < 2 and len(query.compact) >= 6 and compact in postings:
            joined = self._members(compact)
            admitted |= joined
        if keyed >= 2 and not one_part:
            single = self.single
            twice: set[int] = set()
            seen: set[int] = set()
            for part in shared:
                part = part & admitted
                twice |= part & seen
                seen |= part
            chosen = twice | {n for n in admitted if single[n]}
        else:
            chosen = admitted
        if len(chosen) <= limit:
            return sorted(chosen)
        size = len(query.tokens)
        names = self.names

        def rank(n: int) -> tuple[int, int, int, int]:
            # most parts shared, then most parts of the very key ("Vladimir Vladimirovich
            # VLADIMIROV" before the other Vladimir Vladimiroviches), then the closest size
            count = sum(1 for part in shared if n in part) + (n in joined)
            very = sum(1 for part in exact if n in part)
            return (-count, -very, abs(len(names[n].parsed.tokens) - size), n)

        return sorted(chosen, key=rank)[:limit]
