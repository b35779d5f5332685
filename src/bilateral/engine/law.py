"""The loaded law, indexed for the questions the engine asks of it.

Indexes are built once per bundle so that a single determination is a handful of dict
look-ups and interval checks (the issue's target is p99 under 200 microseconds).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from bilateral.law.compiled import load_cached
from bilateral.law.loader import LawBundle
from bilateral.law.model import (
    GoodsList,
    GoodsListItem,
    HumanitarianCategory,
    KnownGap,
    Rule,
)


@dataclass(frozen=True, slots=True)
class ListMatch:
    """How an HS code stands to an HS-coded goods list."""

    listed: bool  # the code falls under a listed code
    partial: bool  # the code is broader than some listed codes (part of it is listed)
    items: tuple[str, ...]


class Law:
    def __init__(self, bundle: LawBundle) -> None:
        self.bundle = bundle
        self.law_version = bundle.law_version
        by_kind: dict[tuple[str, str | None], list[Rule]] = defaultdict(list)
        for rule in bundle.rules.values():
            effect = rule.effect
            country = getattr(effect, "country", None)
            if hasattr(effect, "countries"):
                for c in effect.countries:
                    by_kind[(effect.kind, c)].append(rule)
            else:
                by_kind[(effect.kind, country)].append(rule)
            by_kind[(effect.kind, "*")].append(rule)
        self._by_kind = {k: tuple(sorted(v, key=_start)) for k, v in by_kind.items()}
        self._lists = {lid: _prefix_index(gl) for lid, gl in bundle.goods_lists.items()}
        self._narrower = {lid: _narrower_index(gl) for lid, gl in bundle.goods_lists.items()}
        self._rows = {lid: _row_index(gl) for lid, gl in bundle.goods_lists.items()}
        categories: dict[str, HumanitarianCategory] = {}
        for interp in bundle.interpretations:
            for mapping in interp.mappings:
                for code in mapping.hs:
                    categories[code] = mapping.category
        self._categories = categories
        self.category_interpretation = bundle.interpretations[0] if bundle.interpretations else None
        self.change_dates = _change_dates(bundle)
        self.export_change_dates = _change_dates(bundle, _EXPORT_KINDS)
        kinds = {i.instrument: i.kind for i in bundle.instruments}
        authority = {i.instrument: i.enabling_authority or "" for i in bundle.instruments}
        self._sanctions = tuple(
            r
            for r in bundle.rules.values()
            if r.effect.kind in _SANCTION_KINDS
            and any(act in authority[r.instrument] for act in _SANCTIONS_ACTS)
        )
        self.instrument_kind = {rid: kinds[r.instrument] for rid, r in bundle.rules.items()}

    def rules(self, kind: str, country: str | None = "*") -> tuple[Rule, ...]:
        """Rules of one effect kind for a country (or all of them with "*")."""
        return self._by_kind.get((kind, country), ())

    def in_force(self, kind: str, country: str | None, on: dt.date) -> list[Rule]:
        return [r for r in self.rules(kind, country) if r.in_force(on)]

    def list_match(self, list_id: str, digits: str) -> ListMatch:
        codes = self._lists[list_id]
        items: list[str] = []
        for length in (2, 4, 6, 8, 10):
            if length > len(digits):
                break
            items.extend(codes.get(digits[:length], ()))
        if items:
            return ListMatch(True, False, tuple(items))
        broader = self._narrower[list_id].get(digits, ())
        return ListMatch(False, bool(broader), broader[:5])

    def sanctions_in_force(self, country: str, on: dt.date) -> list[Rule]:
        """Measures under SEMA s. 4 or United Nations Act s. 2 for the country on this day."""
        return [
            r
            for r in self._sanctions
            if getattr(r.effect, "country", None) == country and r.in_force(on)
        ]

    def known_gaps(self, country: str | None, question: str, on: dt.date) -> list[Rule]:
        """Gaps the data declares for this country (and for every country) on this day."""
        return [
            rule
            for rule in self.rules("known_gap", country) + self.rules("known_gap", None)
            if rule.in_force(on)
            and isinstance(rule.effect, KnownGap)
            and rule.effect.bears_on(question)
        ]

    def list_items(self, list_id: str, digits: str) -> tuple[GoodsListItem, ...]:
        """The rows of a goods list whose code is a prefix of (or equal to) ``digits``."""
        rows = self._rows[list_id]
        found: list[GoodsListItem] = []
        for length in (2, 4, 6, 8, 10):
            if length > len(digits):
                break
            found.extend(rows.get(digits[:length], ()))
        return tuple(found)

    def category_of(self, digits: str) -> HumanitarianCategory | None:
        """The humanitarian category an HS code is read as (longest mapped prefix)."""
        for length in (6, 4, 2):
            if len(digits) >= length and digits[:length] in self._categories:
                return self._categories[digits[:length]]
        return None


def _start(rule: Rule) -> dt.date:
    return rule.valid_from or dt.date.min


def _prefix_index(goods: GoodsList) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = defaultdict(list)
    for item in goods.items:
        index[item.hs].append(item.item)
    return {code: tuple(items) for code, items in index.items()}


def _row_index(goods: GoodsList) -> dict[str, tuple[GoodsListItem, ...]]:
    index: dict[str, list[GoodsListItem]] = defaultdict(list)
    for item in goods.items:
        index[item.hs].append(item)
    return {code: tuple(items) for code, items in index.items()}


def _narrower_index(goods: GoodsList) -> dict[str, tuple[str, ...]]:
    """For each proper prefix of a listed code, the items listed under it."""
    index: dict[str, list[str]] = defaultdict(list)
    for item in goods.items:
        for length in range(2, len(item.hs), 2):
            index[item.hs[:length]].append(item.item)
    return {code: tuple(dict.fromkeys(items)) for code, items in index.items()}


_SANCTION_KINDS = frozenset(
    {
        "export_prohibition",
        "import_prohibition",
        "dealings_prohibition",
        "financial_prohibition",
        "known_gap",
    }
)
_SANCTIONS_ACTS = ("Special Economic Measures Act", "United Nations Act")

# The effect kinds an export determination reads.
_EXPORT_KINDS = frozenset(
    {
        "area_control_list",
        "licensing_policy",
        "ecl_group_scope",
        "ecl_hs_reading",
        "ecl_permit_suspension",
        "general_export_permit",
        "export_prohibition",
        "known_gap",
    }
)


def list_days(bundle: LawBundle, rule: Rule) -> set[dt.date]:
    """Every day on which a row of a list the rule reads starts or stops applying.

    A schedule's rows carry their own in-force dates (the table's date, a row's later
    text, a row's repeal; a GEP No. 41 Schedule row's date), so the rule's answer for
    the same goods changes on those days as well as on the rule's own.
    """
    days: set[dt.date] = set()
    goods = getattr(rule.effect, "goods", None)
    list_id = getattr(goods, "goods_list", None)
    if list_id is not None and list_id in bundle.goods_lists:
        glist = bundle.goods_lists[list_id]
        if glist.in_force_from:
            days.add(glist.in_force_from)
        days.update(i.in_force_from for i in glist.items if i.in_force_from)
        days.update(r.repealed_on for r in glist.repealed)  # applied until that day
    ecl_id = getattr(rule.effect, "excluded_items", None)
    if ecl_id is not None and ecl_id in bundle.ecl_lists:
        days.update(row.in_force_from for row in bundle.ecl_lists[ecl_id].ecl_items)
    return days


def _change_dates(bundle: LawBundle, kinds: frozenset[str] | None = None) -> tuple[dt.date, ...]:
    """Every day on which some rule (of the given kinds), or a dated row of a list such a
    rule reads, starts or stops applying."""
    days: set[dt.date] = set()
    for rule in bundle.rules.values():
        if kinds is not None and rule.effect.kind not in kinds:
            continue
        if rule.valid_from:
            days.add(rule.valid_from)
        if rule.valid_to:
            days.add(rule.valid_to + dt.timedelta(days=1))
        # where an inferred boundary's caveat starts and stops (Rule.uncertain_from/_to)
        if rule.uncertain_from:
            days.add(rule.uncertain_from)
        if rule.uncertain_to:
            days.add(rule.uncertain_to + dt.timedelta(days=1))
        days |= list_days(bundle, rule)
    if kinds is None:
        for plist in bundle.person_lists.values():
            days.update(p.listed_on for p in plist.persons)
    return tuple(sorted(days))


@cache
def default_law() -> Law:
    """The law bundled with the package, loaded and checked once per process.

    The checked bundle comes from the compiled-law cache when the data and code it was
    built from are unchanged (``bilateral.law.compiled``), so a command starts fast.
    The indexed ``Law`` itself is cached the same way (with the HS editions and country
    table it was built with), under the compiled-law key plus a hash of this module: a
    cached start unpickles it instead of unpickling the bundle and re-indexing it.
    """
    from bilateral import countries
    from bilateral.goods import hs
    from bilateral.law import compiled

    global _DEFAULT_KEY
    key = None
    if compiled.cache_dir() is not None:
        key = f"{compiled.cache_key()}:{compiled.code_hash('engine/law.py')}"
        found = compiled.load_value("engine-law", key)
        if isinstance(found, tuple) and len(found) == 3 and isinstance(found[0], Law):
            hs.use_editions(found[1])
            countries.use_table(found[2])
            _DEFAULT_KEY = key
            return found[0]
    law = Law(load_cached())
    if key is not None:
        compiled.store_value("engine-law", key, (law, hs.editions(), countries._table()))
    _DEFAULT_KEY = key
    return law


_DEFAULT_KEY: str | None = None


def default_law_key(law: Law) -> str | None:
    """The cache key ``law`` was loaded under when it is the default law (values derived
    from it can be cached under this key plus their own code's hash), else None."""
    if _DEFAULT_KEY is None or default_law.cache_info().currsize == 0:
        return None
    return _DEFAULT_KEY if law is default_law() else None
