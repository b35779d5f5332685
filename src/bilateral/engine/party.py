"""Is this person or entity listed (sanctioned) on this day?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bilateral.engine.bans import show_rule_caveats
from bilateral.engine.determination import Trace
from bilateral.engine.law import Law
from bilateral.engine.names import matches, name_keys, part_keys
from bilateral.law.citations import cite_fr, provision_fr
from bilateral.law.model import (
    Bilingual,
    DealingsProhibition,
    KnownGap,
    ListedPerson,
    PersonList,
    Rule,
)


@dataclass(frozen=True, slots=True)
class PartyMatch:
    person: ListedPerson
    plist: PersonList
    kind: str  # exact | partial
    matched_name: str
    # "listed", or "possibly listed": before listed_on where that date is only the date
    # the item's text is known from (ListedPerson.listed_on_exact is False)
    status: str = "listed"
    rule: str = ""  # the id of the dealings prohibition whose list matched
    # What that prohibition restricts where it is not a ban on every dealing (SOR/2014-58
    # Schedules 2 and 3: new debt or equity); None: every dealing with them is banned.
    restriction: Bilingual | None = None


@dataclass(frozen=True, slots=True)
class PartyDetermination:
    name: str
    on: dt.date
    listed: bool
    matches: tuple[PartyMatch, ...]
    trace: Trace

    @property
    def status(self) -> str:
        """'listed', 'possibly listed' (a listing date NOT FOUND in the data, or only a part
        of the listed name matched) or 'not listed'."""
        if any(m.status == "listed" for m in self.matches):
            return "listed"
        if self.matches:
            return "possibly listed"
        return "not listed"


Row = tuple[ListedPerson, str, tuple[str, ...]]  # person, name as listed, its name keys
# name keys of every row, exact keys -> rows, token key -> rows
_Stored = tuple[
    tuple[tuple[str, ...], ...], dict[tuple[str, ...], tuple[int, ...]], dict[str, tuple[int, ...]]
]


class PartyIndex:
    """Every listed name and alias of one list, indexed by its name keys.

    A name matches a listed name only if they share at least one token key (an exact
    match shares all of them, a partial one all of the query's or all but a patronymic),
    so the candidates of a query are the listed names that share a token with it: a few
    dictionary look-ups instead of a scan of the list. ``candidates`` gives them in list
    order, so answers come out exactly as a full scan would give them.
    """

    def __init__(self, plist: PersonList, stored: _Stored | None = None) -> None:
        """``stored``: this index's name keys, exact and token postings as ``stored()``
        gave them for the same list (from the cache): used when they fit the list."""
        self.plist = plist
        variants = [(p, v) for p in plist.persons for v in (p.name, *p.aliases)]
        if stored is not None and len(stored[0]) == len(variants):
            self.rows: tuple[Row, ...] = tuple(
                (p, v, keys) for (p, v), keys in zip(variants, stored[0], strict=True)
            )
            self._exact, self._postings = stored[1], stored[2]
            return
        self.rows = tuple((p, v, name_keys(v)) for p, v in variants)
        exact: dict[tuple[str, ...], list[int]] = {}
        postings: dict[str, list[int]] = {}
        for i, (_, _, keys) in enumerate(self.rows):
            exact.setdefault(keys, []).append(i)
            for token in set(keys):
                postings.setdefault(token, []).append(i)
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._postings = {k: tuple(v) for k, v in postings.items()}

    def stored(self) -> _Stored:
        """What a later process needs to rebuild this index without computing name keys."""
        return tuple(keys for _, _, keys in self.rows), self._exact, self._postings

    def exact(self, query: tuple[str, ...]) -> tuple[Row, ...]:
        """Listed names whose keys equal the query's (one dictionary look-up)."""
        return tuple(self.rows[i] for i in self._exact.get(query, ()))

    def part_of(self, query: tuple[str, ...], person: ListedPerson, variant: str) -> bool:
        """A one-word query naming a whole part of a longer listed name: the surname, or a
        word of an entity's name that at most three listed persons of the list have."""
        if len(query) != 1 or query[0] not in part_keys(variant, person.entity):
            return False
        if person.entity:
            holders = {self.rows[i][0].item for i in self._postings.get(query[0], ())}
            return len(holders) <= 3
        return True

    def candidates(self, query: tuple[str, ...]) -> tuple[Row, ...]:
        """Listed names sharing at least one token key with the query, in list order."""
        found: set[int] = set()
        for token in set(query):
            found.update(self._postings.get(token, ()))
        return tuple(self.rows[i] for i in sorted(found))


_INDEXES: dict[int, PartyIndex] = {}


def party_index(plist: PersonList, law: Law | None = None, listing: str = "") -> PartyIndex:
    """The index of a list, built once per list object.

    When ``plist`` is the default law's list ``listing``, the index is kept in the
    compiled-law cache under that law's key plus a hash of the code computing name keys,
    so a later process reads it instead of computing every listed name's keys again.
    """
    found = _INDEXES.get(id(plist))
    if found is not None and found.plist is plist:
        return found
    from bilateral.engine.law import default_law_key
    from bilateral.law import compiled

    key = None
    law_key = None if law is None else default_law_key(law)
    if law_key is not None and law is not None and law.bundle.person_lists.get(listing) is plist:
        code = compiled.code_hash("engine/party.py", "engine/names.py")
        key = f"{law_key}:{code}:{listing}"
    stored = None
    # one cache name per list: the cache keeps a few versions of each name, not of all
    name = f"party-index-{listing}"
    if key is not None:
        value = compiled.load_value(name, key)
        stored = value if isinstance(value, tuple) and len(value) == 3 else None
    found = _INDEXES[id(plist)] = PartyIndex(plist, stored)
    if key is not None and stored is None:
        compiled.store_value(name, key, found.stored())
    return found


def _keys(plist: PersonList) -> tuple[Row, ...]:
    """Name keys of every listed name and alias, computed once per list."""
    return party_index(plist).rows


def item_citation(
    instrument: str, provision: str, part: str, item: str, lang: str = "en", whole: bool = True
) -> str:
    """Where a list names a person, as a reader cites it: "SOR/2014-58, Schedule 1, Part 1,
    item 8"; "SOR/2014-58, Schedule 3, item 1" (a schedule without parts); "SOR/2006-287,
    UN Security Council Consolidated List (DPRK), KPe.001" (the list's own reference
    number). In French "DORS/2014-58, annexe 1, partie 1, article 8". ``whole`` False leaves
    the instrument out ("Schedule 1, Part 1, item 8")."""
    fr = lang == "fr"
    said = provision_fr(provision) if fr else provision
    if said.startswith(("Annexe", "Art. ", "Partie")):
        said = said[:1].lower() + said[1:]
    pieces = [said]
    if whole:
        pieces.insert(0, _fr(instrument) if fr else instrument)
    if part:
        pieces.append(f"partie {part}" if fr else f"Part {part}")
    numbered = item[:1].isdigit()  # a reference number (KPe.001) stands alone
    pieces.append((f"article {item}" if fr else f"item {item}") if numbered else item)
    return ", ".join(pieces)


def _best_variants(
    index: PartyIndex, query: tuple[str, ...]
) -> list[tuple[ListedPerson, str, str, bool]]:
    """(person, matched name, kind, only a part of it) of each listed person some name of
    whom matches, in list order, by their best name: one alias given exactly ("FTB") is an
    exact match even where the listed name ("FOREIGN TRADE BANK (FTB)") only holds it."""
    best: dict[tuple[str, str], tuple[int, tuple[ListedPerson, str, str, bool]]] = {}
    for person, variant, keys in index.candidates(query):
        kind = matches(query, keys)
        part = kind is None and index.part_of(query, person, variant)
        kind = "partial" if part else kind
        if kind is None:
            continue
        rank = 3 if part else {"exact": 0, "partial": 1}.get(kind, 2)  # initials: 2
        key = (person.part, person.item)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, (person, variant, kind, part))
    return [found for _, found in best.values()]


def _cite(plist: PersonList, person: ListedPerson, lang: str = "en", whole: bool = True) -> str:
    return item_citation(plist.instrument, plist.provision, person.part, person.item, lang, whole)


def determine_party(law: Law, name: str, on: dt.date) -> PartyDetermination:
    trace = Trace()
    query = name_keys(name)
    found: list[PartyMatch] = []
    # the lists consulted, those read from one consolidation together (by instrument and
    # source): one caveat says what they cannot show, after the rules' own caveats
    consolidations: dict[tuple[str, str], list[PersonList]] = {}
    for rule in law.rules("dealings_prohibition", "*"):
        if not rule.in_force(on):
            trace.skipped(rule, "not in force on this date")
            continue
        effect = rule.effect
        assert isinstance(effect, DealingsProhibition)
        plist = law.bundle.person_lists[effect.listing]
        seen: set[tuple[str, str]] = set()
        hits = 0
        index = party_index(plist, law, effect.listing)
        for person, variant, kind, part in _best_variants(index, query):
            if (person.part, person.item) in seen:
                continue
            status = "listed"
            if person.listed_on > on and not person.listed_on_exact:
                # The rule is in force, so the regulations were listing persons on this
                # day; the item's text is known only from listed_on, so its listing date
                # is unknown and a "no" would be a guess (SOR/2014-58 Sch. 1 before
                # 2016-03-18).
                status = "possibly listed"
                since = rule.valid_from or on
                trace.caveat(
                    f"{person.name} ({_cite(plist, person)}): the listing date is NOT FOUND in "
                    f"the data; the item's text is known from {person.listed_on}, and the "
                    f"Schedule listed persons from {since}: possibly listed on this date.",
                    f"{person.name} ({_cite(plist, person, 'fr')}) : la date d'inscription est "
                    f"INTROUVABLE dans les données; le texte de l'article est connu à compter "
                    f"du {person.listed_on}, et l'annexe inscrivait des personnes dès le "
                    f"{since} : peut-être inscrit à cette date.",
                )
            elif person.listed_on > on:
                trace.caveat(
                    f"{person.name} is listed from {person.listed_on} "
                    f"({_cite(plist, person, whole=False)}), after this date.",
                    f"{person.name} est inscrit à compter du {person.listed_on} "
                    f"({_cite(plist, person, 'fr')}), après cette date.",
                )
                continue
            seen.add((person.part, person.item))
            if part or kind == "initials" or effect.uncertain is not None:
                # only a part of the listed name matched, or the rule's text is not held
                status = "possibly listed"
            found.append(
                PartyMatch(person, plist, kind, variant, status, rule.id, effect.restriction)
            )
            if part:
                trace.caveat(
                    f"Possibly listed: {name!r} is only part of the listed name {variant!r} "
                    f"({_cite(plist, person, whole=False)}); check the "
                    "full name and other identifiers before dealing.",
                    f"Peut-être inscrit : « {name} » n'est qu'une partie du nom inscrit "
                    f"« {variant} » ({_cite(plist, person, 'fr')}); vérifiez le nom complet et "
                    "les autres identifiants avant toute transaction.",
                )
            if kind == "initials":
                trace.caveat(
                    f"Possibly listed: {name!r} gives initials where the listed name "
                    f"{variant!r} ({_cite(plist, person, whole=False)}) has given names; check "
                    "the full name and other identifiers before dealing.",
                    f"Peut-être inscrit : « {name} » donne des initiales là où le nom inscrit "
                    f"« {variant} » ({_cite(plist, person, 'fr')}) donne des prénoms; vérifiez "
                    "le nom complet et les autres identifiants avant toute transaction.",
                )
            hits += 1
        if hits:
            trace.applied(
                rule,
                f"{hits} listed or possibly listed person(s) match the name",
                f"{hits} personne(s) inscrite(s) ou peut-être inscrite(s) correspondent au nom",
            )
            show_rule_caveats(rule, trace, on)  # exceptions the engine cannot evaluate
            if effect.uncertain is not None:  # why its matches are only possibly listed
                trace.caveat(effect.uncertain.en, effect.uncertain.fr)
        else:
            trace.skipped(rule, "no listed person matches the name")
        said_by = plist.id if plist.coverage is not None else plist.instrument
        consolidations.setdefault((said_by, plist.source), []).append(plist)
    for lists in consolidations.values():
        coverage = lists[0].coverage
        if coverage is not None:  # the list says what it cannot show
            trace.caveat(coverage.en, coverage.fr)
        else:
            trace.caveat(*_consolidation_caveat(lists))
    _financial_caveats(law, on, trace)
    for gap in law.rules("known_gap", "*"):
        effect = gap.effect
        if gap.in_force(on) and isinstance(effect, KnownGap) and effect.bears_on("party"):
            trace.caveat(gap.summary.en, gap.summary.fr)
            trace.skipped(gap, "known gap in the law data, shown as a caveat")
    # `listed` is never a clean "no" where there is doubt: it is true for a possibly listed
    # person too (read `status` for which); a wrong "not listed" is the costly error.
    listed = bool(found)
    return PartyDetermination(name, on, listed, tuple(found), trace)


def _financial_caveats(law: Law, on: dt.date, trace: Trace) -> None:
    """Prohibitions that reach a party by who controls it or where it is (securities, debt,
    insurance, investment, financial services): one caveat per instrument, since a check by
    name cannot tell whether a party is one of them, and a "not listed" is no clearance."""
    by_instrument: dict[str, list[Rule]] = {}
    for rule in law.rules("financial_prohibition", "*"):
        if rule.in_force(on):
            by_instrument.setdefault(rule.instrument, []).append(rule)
    for instrument, rules in by_instrument.items():
        provisions = _joined([r.provision for r in rules], "and")
        labels = "; ".join(r.label.en for r in rules)
        labels_fr = "; ".join(r.label.fr for r in rules)
        trace.caveat(
            f"{instrument} {provisions} ({labels}) reach parties by who controls them or where "
            "they are, not by a list: a check by name does not tell whether this party is one "
            "of them.",
            f"{cite_fr(instrument, provisions)} ({labels_fr}) visent des parties selon qui "
            "les contrôle ou où elles se trouvent, non selon une liste : une vérification par "
            "le nom n'indique pas si cette partie en fait partie.",
        )
        for rule in rules:
            trace.skipped(rule, "reaches parties by control or place; shown as a caveat")


@dataclass(frozen=True, slots=True)
class DealingList:
    """A rule on dealings with listed persons and the list it reads, for faces that match
    names against lists of their own (bulk screening) and must cite the rule a hit is under."""

    rule: str
    instrument: str
    provision: str
    item_prefix: str  # what every item of the list begins with ("KP" for the UN DPRK list)
    restricted: bool  # some dealings only (new debt or equity), or a text not held
    valid_from: dt.date | None
    valid_to: dt.date | None


def dealing_lists(law: Law) -> list[DealingList]:
    found = []
    for rule in law.rules("dealings_prohibition", "*"):
        effect = rule.effect
        assert isinstance(effect, DealingsProhibition)
        plist = law.bundle.person_lists[effect.listing]
        items = [p.item for p in plist.persons]
        found.append(
            DealingList(
                rule.id,
                plist.instrument,
                plist.provision,
                _common_start(items),
                effect.restriction is not None or effect.uncertain is not None,
                rule.valid_from,
                rule.valid_to,
            )
        )
    return found


def _common_start(texts: list[str]) -> str:
    """The longest start all the texts share (the first and last in order share it)."""
    if not texts:
        return ""
    first, last = min(texts), max(texts)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def restrictions(law: Law, on: dt.date) -> dict[str, Bilingual]:
    """What the lists that restrict some dealings only (SOR/2014-58 Schedules 2 and 3)
    restrict on ``on``, by the citation their items begin with ("SOR/2014-58, Schedule 3"):
    for answers that name a list's item without the engine (screening hits)."""
    found: dict[str, Bilingual] = {}
    for rule in law.rules("dealings_prohibition", "*"):
        effect = rule.effect
        if isinstance(effect, DealingsProhibition) and effect.restriction and rule.in_force(on):
            plist = law.bundle.person_lists[effect.listing]
            found[f"{plist.instrument}, {plist.provision}"] = effect.restriction
    return found


def _consolidation_caveat(lists: list[PersonList]) -> tuple[str, str]:
    """The lists of one instrument read from one consolidation, said once: "Schedules 1, 2
    and 3 of SOR/2014-58 are read from the consolidation (…)", and in French."""
    first = lists[0]
    provisions = list(dict.fromkeys(p.provision for p in lists))
    source_fr = first.source.replace("(consolidated to ", "(codifié au ")
    if len(provisions) == 1:
        return (
            f"{first.provision} of {first.instrument} is read from the consolidation "
            f"({first.source}); persons delisted before it are not in the data.",
            f"La liste ({_fr(first.provision)}, {_fr(first.instrument)}) provient de la "
            f"codification ({source_fr}); les personnes radiées avant celle-ci n'y figurent pas.",
        )
    numbers = [p.removeprefix("Schedule ") for p in provisions]
    if all(p.startswith("Schedule ") for p in provisions):
        en, fr = "Schedules " + _joined(numbers, "and"), "annexes " + _joined(numbers, "et")
    else:
        en = _joined(provisions, "and")
        fr = _joined([_fr(p) for p in provisions], "et")
    return (
        f"{en} of {first.instrument} are read from the consolidation ({first.source}); "
        "persons delisted before it are not in the data.",
        f"Les listes ({fr}, {_fr(first.instrument)}) proviennent de la codification "
        f"({source_fr}); les personnes radiées avant celle-ci n'y figurent pas.",
    )


def _joined(words: list[str], conjunction: str) -> str:
    return ", ".join(words[:-1]) + f" {conjunction} {words[-1]}" if len(words) > 1 else words[0]


def _fr(citation: str) -> str:
    """A schedule or instrument as French readers cite it (Schedule 1 → annexe 1,
    SOR/2020-214 → DORS/2020-214)."""
    return citation.replace("Schedule", "annexe").replace("SOR/", "DORS/")
