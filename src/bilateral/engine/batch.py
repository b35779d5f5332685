"""The vectorised export path: millions of (destination, date, HS code) rows at once.

The law changes on a few dozen days, the rows name at most 249 countries and the law can
tell apart only a few dozen classes of HS codes, so nearly every row asks a question
already asked. A ``Screener`` therefore works on distinct values, never on rows, in Python:

1. destinations are dictionary-encoded (Arrow) and each distinct spelling ("BY", "BLR",
   "Bélarus") is resolved once, then remembered;
2. HS codes are stripped of dots and spaces and cut to six digits in Arrow, row by row
   (``bilateral.engine.rows``: there are nearly as many distinct texts as rows, but only a
   few thousand distinct first six digits); each code's key is what the law can see in
   it (six digits, or all of them under a 6-digit subheading where the law lists longer
   codes), and that key's facts (validity in each HS edition, humanitarian category,
   membership of each HS-coded schedule) are worked out once and reduced to a goods class;
3. dates are dictionary-encoded and each distinct text parsed once; they map to the
   legal epoch they fall in (NumPy ``searchsorted`` over the days on
   which a rule or an HS edition starts or ends);
4. the single path (``determine_export``) is asked once per (country, epoch, class), and
   the answers are gathered back to the rows with NumPy.

The facts and answers are kept from batch to batch (bounded: see ``Screener``), so the
cost per row does not depend on how the file is split or how its codes are spelt, and
from run to run (``warm_screener``): a run whose rows hold nothing new loads no law. Every
answer is the single path's own answer, so the two paths agree by construction; the tests
check it on random rows anyway.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bilateral import countries
from bilateral.engine.rows import NO_DAY, Prepared, arrow, prepare
from bilateral.engine.rows import days as read_days
from bilateral.errors import BadInput
from bilateral.goods import hs

if TYPE_CHECKING:
    from bilateral.engine.export import ExportDetermination
    from bilateral.engine.law import Law

# The single path (the engine, the law's models, pydantic) is imported where it is used: a
# screener kept from an earlier run (see ``warm_screener``) answers rows it has seen
# before without it, and loads the law only when it meets something new.

_EPOCH = dt.date(1970, 1, 1)
_BEFORE_HS2012 = dt.date(1990, 1, 1)  # any day before the first bundled edition
_FAST_HS = r"^(?:[0-9]{2}){1,5}$"  # already digits only, 2 to 10 of them
# Effect kinds that bear only on the countries a rule names (or on every country when it
# names none). A rule of any other kind may bear on every destination.
_TARGETED = frozenset(
    {
        "area_control_list",
        "licensing_policy",
        "ecl_permit_suspension",
        "export_prohibition",
        "import_prohibition",
        "known_gap",
        "engagement_policy",
        "diplomatic_event",
        "dealings_prohibition",
        "financial_prohibition",
        "tariff_entitlement",
    }
)


# The single path writes the question's day and HS code into some caveats ("the schedule as
# it read on 2022-06-01", "HS 7113.19 is read as ..."). The batch asks once per epoch and
# goods class, so it asks with a day and a code that print as these marks, and puts each
# row's own day and code in their place: every row gets exactly the single path's text.
_CODE_MARK = "\x00hs\x00"
_DAY_MARK = "\x00on\x00"


class _MarkedDay(dt.date):
    """A day that is the epoch's first day in every comparison and prints as a mark.

    Days computed from it are plain days (they are not the question's day). No engine
    cache may key on the day: the batch/single agreement tests would see a mark leak.
    """

    def __str__(self) -> str:
        return _DAY_MARK

    def __format__(self, spec: str) -> str:
        return _DAY_MARK if not spec else super().__format__(spec)

    def isoformat(self) -> str:
        return _DAY_MARK

    def _plain(self) -> dt.date:
        return dt.date(self.year, self.month, self.day)

    # typeshed says date arithmetic keeps the subclass; here it deliberately does not.
    def __add__(self, other: dt.timedelta) -> dt.date:  # type: ignore[override]
        return self._plain() + other

    __radd__ = __add__  # type: ignore[assignment]

    def __sub__(self, other: Any) -> Any:
        return self._plain() - other


@dataclass(frozen=True, slots=True)
class _MarkedCode(hs.HsCode):
    """An HS code whose digits the engine reads and whose dotted form prints as a mark."""

    @property
    def dotted(self) -> str:
        return _CODE_MARK


def _day(d: dt.date) -> int:
    return (d - _EPOCH).days


def _from_day(n: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(n))


def _law_codes(law: Law) -> set[str]:
    """Every HS code the law data names (schedules, category readings, exceptions)."""
    found = {item.hs for gl in law.bundle.goods_lists.values() for item in gl.items}
    for interp in law.bundle.interpretations:
        for mapping in interp.mappings:
            found.update(mapping.hs)
    for rule in law.bundle.rules.values():
        goods = getattr(rule.effect, "goods", None)
        for name in ("except_hs", "covers_hs", "maybe_hs"):
            found.update(getattr(goods, name, ()) or ())
        for reading in getattr(rule.effect, "readings", ()):  # HS codes read as ECL items
            found.update(reading.hs)
    return {code.replace(".", "").replace(" ", "") for code in found}


def _named_codes(value: object, known: frozenset[str]) -> set[str]:
    """Country codes anywhere in a rule's effect (its fields, nested, in any position)."""
    if isinstance(value, str):
        return {value} if value in known else set()
    if is_dataclass(value):  # a law object: its fields
        value = [getattr(value, f.name) for f in fields(value)]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple | set | frozenset):
        found: set[str] = set()
        for item in value:
            found |= _named_codes(item, known)
        return found
    return set()


def country_groups(law: Law) -> dict[str, str]:
    """Each country's stand-in: the first country named by exactly the same rules.

    The engine tells destinations apart only through rules that name them (a listing, a
    policy, a permit's destinations, a scope's exceptions), so countries named by the same
    rules (most of the world: by none) get the same answer to every export question, and
    the batch asks it once per group. A code that only looks like a country (a tariff
    treatment "GT") only splits a group further, which costs time, never correctness.
    """
    known = countries.known_codes()
    named: dict[str, set[str]] = {}
    for rule in law.bundle.rules.values():
        for code in _named_codes(rule.effect, known):
            named.setdefault(code, set()).add(rule.id)
    first: dict[frozenset[str], str] = {}
    return {code: first.setdefault(frozenset(named.get(code, ())), code) for code in sorted(known)}


def _epochs(
    law: Law, group_of: dict[str, str], groups: list[str], edition_days: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[list[int]]]:
    """The days on which anything changes; per group, the days on which its answers may.

    Returns the global change days, a map (group, global epoch) -> group epoch, and each
    group's own change days. A rule of a targeted kind that names countries changes only
    their groups' answers; any other rule, and every HS edition, changes everyone's.
    """
    from bilateral.engine.law import list_days

    known = countries.known_codes()
    everyone: set[int] = set(edition_days.tolist())
    per_group: dict[str, set[int]] = {g: set() for g in groups}
    for rule in law.bundle.rules.values():
        days = set()
        if rule.valid_from:
            days.add(_day(rule.valid_from))
        if rule.valid_to:
            days.add(_day(rule.valid_to) + 1)
        days.update(_day(d) for d in list_days(law.bundle, rule))  # rows dated one by one
        named = _named_codes(rule.effect, known)
        if rule.effect.kind in _TARGETED and named:
            for code in named:
                per_group[group_of[code]] |= days
        else:
            everyone |= days
    change_days = np.array(sorted(everyone.union(*per_group.values())), dtype=np.int64)
    starts = np.concatenate([[np.iinfo(np.int64).min], change_days])  # first day of epochs
    group_days = [sorted(everyone | per_group[g]) for g in groups]
    epoch_map = np.stack(
        [np.searchsorted(np.array(d, dtype=np.int64), starts, side="right") for d in group_days]
    ).astype(np.int64)
    return change_days, epoch_map, group_days


@dataclass
class _Classes:
    """Goods classes: HS codes the law cannot tell apart share one."""

    ids: dict[tuple[object, ...], int] = field(default_factory=dict)
    representative: list[str] = field(default_factory=list)


class Screener:
    """Screens batches of rows against one law, remembering what it has worked out.

    Memory is bounded: the per-spelling caches (destinations, HS keys) are dropped and
    rebuilt when they exceed ``max_cached`` entries; the goods classes and answers are
    bounded by the law itself (countries x epochs x classes).
    """

    def __init__(self, law: Law, max_cached: int = 500_000) -> None:
        from bilateral.engine.checks import EARLIEST, LATEST
        from bilateral.law.model import EclHsReading, ExportProhibition, Outcome

        self._law: Law | None = law
        self.law_version = law.law_version
        self._outcomes = [o.value for o in Outcome]
        self._earliest, self._latest = EARLIEST, LATEST
        self.max_cached = max_cached
        self._lock = threading.Lock()
        editions = hs.editions()
        self._edition_days = np.array([_day(e.in_force) for e in editions], dtype=np.int64)
        self._slot_days = [_BEFORE_HS2012, *[e.in_force for e in editions]]
        self._group_of = country_groups(law)
        groups = sorted(set(self._group_of.values()))
        self._group_index = {code: i for i, code in enumerate(groups)}
        self._groups = groups
        self._change_days, self._epoch_map, self._group_days = _epochs(
            law, self._group_of, groups, self._edition_days
        )
        self._n_epochs = self._epoch_map.shape[1]
        bans = [
            r.effect.goods
            for r in law.rules("export_prohibition", "*")
            if isinstance(r.effect, ExportProhibition)
        ]
        self._lists = sorted({g.goods_list for g in bans if g.goods_list})
        # HS codes named in a ban's words (arms: chapter 93; maybe: 84 to 90; exceptions):
        # a code's membership of each decides the answer as much as a schedule's does.
        self._worded = sorted({(g.covers_hs, g.maybe_hs, g.except_hs) for g in bans})
        # HS codes read as ECL items (arms, tanks, warships): the items read decide the answer.
        # Kept as plain tuples (code prefix, items), so a kept screener loads no law model.
        self._readings = [
            tuple(
                (code.replace(".", ""), reading.items)
                for reading in r.effect.readings
                for code in reading.hs
            )
            for r in law.rules("ecl_hs_reading", "*")
            if isinstance(r.effect, EclHsReading)
        ]
        # Rules reading a schedule: where they looked at a listed code, the caveats name
        # the schedule's items, which differ between codes of one class (see _answers).
        self._list_rules = frozenset(
            r.id
            for r in law.rules("export_prohibition", "*")
            if isinstance(r.effect, ExportProhibition) and r.effect.goods.goods_list
        )
        codes = _law_codes(law)
        # 6-digit subheadings under which the law names longer codes: there the key keeps
        # every digit given; elsewhere six digits decide everything the law can see.
        self._deep = pa.array(sorted({c[:6] for c in codes if len(c) > 6}), pa.string())
        # destinations: spelling -> index of the country's group (see country_groups)
        self._dest: dict[str, int] = {}
        self._dest_errors: dict[str, str] = {}
        # HS keys
        self._key_id: dict[str, int] = {}
        self._key_class: list[int] = []
        self._key_valid: list[tuple[bool, ...]] = []
        self._keys_array = pa.array([], pa.string())
        self._key_class_np = np.zeros(0, dtype=np.int64)
        self._key_valid_np = np.zeros((0, len(self._slot_days)), dtype=np.bool_)
        self._classes = _Classes()
        # answers: (group, group epoch, class) -> answer id, -1 not yet asked
        self._n_group_epochs = max(len(d) for d in self._group_days) + 1
        self._answer_at = np.full((len(groups), self._n_group_epochs, 16), -1, np.int32)
        self._outcome: list[int] = []
        self._permit: list[bool] = []
        self._rules: list[str] = []
        # caveats: answer id -> caveat set id; whether the set holds for the class (False:
        # it names schedule items, so it is worked out per HS key, see _key_caveats)
        self._caveat_of: list[int] = []
        self._per_key: list[bool] = []
        self._caveat_sets: list[tuple[str, ...]] = []
        self._caveat_set_id: dict[tuple[str, ...], int] = {}
        self._key_caveat: dict[tuple[int, int, str], int] = {}
        self._marks_of: list[tuple[bool, bool]] = []  # derived from _caveat_sets
        self._marks_np = np.zeros((0, 2), dtype=np.bool_)
        self._templates = _Templates()  # derived from _caveat_sets
        self._saved_at = self.learnt

    @property
    def law(self) -> Law:
        """The law; a screener restored by ``warm_screener`` loads it when first needed."""
        if self._law is None:
            from bilateral.engine.law import default_law

            self._law = default_law()  # also hands the HS and country tables to their modules
        return self._law

    # -- kept between runs ----------------------------------------------------------

    @property
    def learnt(self) -> tuple[int, int, int]:
        return (len(self._dest), len(self._key_id), len(self._outcome))

    # -- destinations ---------------------------------------------------------------

    def _destination_slots(self, values: list[str]) -> npt.NDArray[np.int64]:
        if len(self._dest) > self.max_cached:
            self._dest.clear()
            self._dest_errors.clear()
        out = np.empty(len(values), dtype=np.int64)
        for i, text in enumerate(values):
            slot = self._dest.get(text)
            if slot is None:
                self.law  # noqa: B018 -- a restored screener's law brings the country table
                try:
                    code = countries.resolve(text, "destination").code
                except BadInput as error:
                    self._dest_errors[text] = str(error)
                    slot = -1
                else:
                    slot = self._group_index[self._group_of[code]]
                self._dest[text] = slot
            out[i] = slot
        return out

    # -- HS codes -------------------------------------------------------------------

    def _row_keys(self, rows: pa.Table) -> tuple[npt.NDArray[np.int64], pa.Array]:
        """Key id per row (-1: malformed HS code), and the HS texts as given."""
        prepared = prepare(rows)
        return self._keys(prepared), prepared.hs

    def _key_ids(self, keys: pa.Array) -> npt.NDArray[np.int64]:
        """Key id per distinct key (all plain digits), learning the keys not seen before."""
        ids = self._lookup_keys(keys)
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            for k in dict.fromkeys(keys.take(arrow(missing)).to_pylist()):
                self._add_key(k)
            self._rebuild_keys()
            ids = self._lookup_keys(keys)
        return ids

    def _keys(self, rows: Prepared) -> npt.NDArray[np.int64]:
        """Key id per row (-1: malformed HS code).

        A plain code's key is its first six digits (a few thousand of them), or all its
        digits under a subheading where the law names longer codes; either is looked up
        once per distinct key, never once per distinct text.
        """
        six_at = _indices(rows.six)
        six = rows.six.dictionary
        deep_six = np.asarray(
            pc.is_in(six, value_set=self._deep).to_numpy(zero_copy_only=False), dtype=np.bool_
        )
        ids = np.full(rows.num_rows, -1, dtype=np.int64)
        deep = rows.plain & deep_six[six_at]
        short = rows.plain & ~deep
        if short.any():
            used = np.flatnonzero(np.bincount(six_at[short], minlength=len(six)))
            six_id = np.full(len(six), -1, dtype=np.int64)
            six_id[used] = self._key_ids(six.take(arrow(used)))
            ids[short] = six_id[six_at[short]]
        where = np.flatnonzero(deep)
        if len(where):
            full: pa.DictionaryArray = pc.dictionary_encode(rows.stripped.take(arrow(where)))
            ids[where] = self._key_ids(full.dictionary)[_indices(full)]
        # Text that is not plain digits/dots/spaces (tabs, other whitespace): the single
        # path's own normaliser decides, so both paths accept exactly the same codes.
        slow = np.flatnonzero(~rows.plain)
        if len(slow):
            texts: pa.DictionaryArray = pc.dictionary_encode(rows.hs.take(arrow(slow)))
            text_id = np.full(len(texts.dictionary), -1, dtype=np.int64)
            added = False
            deep_set = self._deep_set()
            for i, text in enumerate(texts.dictionary.to_pylist()):
                try:
                    digits = hs.normalise(text)
                except BadInput:
                    continue
                k = digits if digits[:6] in deep_set else digits[:6]
                if k not in self._key_id:
                    self._add_key(k)
                    added = True
                text_id[i] = self._key_id[k]
            if added:
                self._rebuild_keys()
            ids[slow] = text_id[_indices(texts)]
        return ids

    def _deep_set(self) -> frozenset[str]:
        return frozenset(self._deep.to_pylist())

    def _lookup_keys(self, key: pa.Array) -> npt.NDArray[np.int64]:
        found = pc.index_in(key, value_set=self._keys_array)
        return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)

    def _add_key(self, digits: str) -> None:
        # hs.validate's own test, without building the answer or the error: the six
        # national digits (or the 2/4-digit code) exist in the edition in force (before
        # HS2012: in some bundled edition).
        law = self.law  # first: a restored screener's law brings the HS tables
        national = digits[:6]
        editions = hs.editions()
        valid = [any(national in ed.codes for ed in editions)]
        valid += [national in ed.codes for ed in editions]
        fact: tuple[object, ...] = (
            tuple(valid),
            _category(law, digits),
            # Whether a code is listed (or partly), and from which days its rows apply,
            # change the outcome; which items list it changes only caveats (see _answers).
            *(self._listed(lid, digits) for lid in self._lists),
            *(
                tuple(any(digits.startswith(c) for c in codes) for codes in worded)
                for worded in self._worded
            ),
            *(_read_items(readings, digits) for readings in self._readings),
        )
        classes = self._classes
        if fact not in classes.ids:
            classes.ids[fact] = len(classes.representative)
            classes.representative.append(digits)
        self._key_id[digits] = len(self._key_class)
        self._key_class.append(classes.ids[fact])
        self._key_valid.append(tuple(valid))

    def _listed(self, list_id: str, digits: str) -> tuple[bool, bool, tuple[dt.date, ...]]:
        match = self.law.list_match(list_id, digits)
        table_from = self.law.bundle.goods_lists[list_id].in_force_from
        rows_from = {
            row.in_force_from or table_from or dt.date.min
            for row in self.law.list_items(list_id, digits)
        }
        return (match.listed, match.partial, tuple(sorted(rows_from)))

    def _rebuild_keys(self) -> None:
        self._keys_array = pa.array(list(self._key_id), pa.string())
        self._key_class_np = np.array(self._key_class, dtype=np.int64)
        self._key_valid_np = np.array(self._key_valid, dtype=np.bool_).reshape(
            len(self._key_valid), len(self._slot_days)
        )

    def _trim_keys(self) -> None:
        if len(self._key_caveat) > self.max_cached:
            self._key_caveat.clear()
        if len(self._key_id) > self.max_cached:  # classes and answers stay valid
            self._key_id.clear()
            self._key_class.clear()
            self._key_valid.clear()
            self._rebuild_keys()

    # -- answers --------------------------------------------------------------------

    def _answers(
        self,
        group: npt.NDArray[np.int64],
        epoch: npt.NDArray[np.int64],
        cls: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int64]:
        return self._answers_by_group_epoch(group, self._epoch_map[group, epoch], cls)

    def _answers_by_group_epoch(
        self,
        group: npt.NDArray[np.int64],
        group_epoch: npt.NDArray[np.int64],
        cls: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int64]:
        """Answer id per (group, group epoch, class), asking the single path once for each
        combination not seen before."""
        n_classes = len(self._classes.representative)
        width = self._answer_at.shape[2]
        if n_classes > width:
            grown = np.full(
                (len(self._groups), self._n_group_epochs, max(n_classes, 2 * width)), -1, np.int32
            )
            grown[:, :, :width] = self._answer_at
            self._answer_at = grown
            width = grown.shape[2]
        flat = (group * self._n_group_epochs + group_epoch) * width + cls
        table = self._answer_at.reshape(-1)
        found: npt.NDArray[np.int64] = table[flat].astype(np.int64)
        unknown = found < 0
        if unknown.any():
            for key in sorted(set(flat[unknown].tolist())):
                k = key % width
                e = (key // width) % self._n_group_epochs
                g = key // (width * self._n_group_epochs)
                table[key] = self._ask(g, e, k)
            found = table[flat].astype(np.int64)
        return found

    def _first_day(self, group: int, epoch: int) -> dt.date:
        days = self._group_days[group]
        start = self._earliest if epoch == 0 else _from_day(days[epoch - 1])
        return max(start, self._earliest)

    def _determine(self, group: int, epoch: int, digits: str) -> ExportDetermination:
        """The single path's answer on the epoch's first day, day and code marked."""
        from bilateral.engine.export import Goods, determine_export

        law = self.law  # first: a restored screener's law brings the HS tables
        on = self._first_day(group, epoch)
        checked = hs.validate(digits, on)
        code = _MarkedCode(checked.digits, checked.edition, checked.description, checked.section)
        day = _MarkedDay(on.year, on.month, on.day)
        return determine_export(law, self._groups[group], day, Goods(hs=code))

    def _caveat_set(self, answer: ExportDetermination) -> int:
        """The id of the answer's caveats (English, as the single path gives them)."""
        found = tuple(en for en, _fr in answer.trace.caveats)
        known = self._caveat_set_id.get(found)
        if known is None:
            known = self._caveat_set_id[found] = len(self._caveat_sets)
            self._caveat_sets.append(found)
        return known

    def _ask(self, group: int, epoch: int, cls: int) -> int:
        answer = self._determine(group, epoch, self._classes.representative[cls])
        self._outcome.append(self._outcomes.index(answer.outcome.value))
        self._permit.append(answer.permit_required)
        self._rules.append(";".join(r.rule.id for r in answer.trace.reasons))
        self._caveat_of.append(self._caveat_set(answer))
        self._per_key.append(
            any(
                c.rule_id in self._list_rules
                and c.why not in ("not in force on this date", "HS code not listed")
                for c in answer.trace.consulted
            )
        )
        return len(self._outcome) - 1

    def _key_caveats(self, group: int, epoch: int, digits: str) -> int:
        """The caveat set of one HS key where the class's set names schedule items."""
        at = (group, epoch, digits)
        found = self._key_caveat.get(at)
        if found is None:
            answer = self._determine(group, epoch, digits)
            found = self._key_caveat[at] = self._caveat_set(answer)
        return found

    def _marks(self) -> npt.NDArray[np.bool_]:
        """Per caveat set (and a last row for "no set"): holds the code mark, the day mark."""
        known = self._marks_of
        for texts in self._caveat_sets[len(known) :]:
            known.append((any(_CODE_MARK in t for t in texts), any(_DAY_MARK in t for t in texts)))
        if self._marks_np.shape[0] != len(known) + 1:
            self._marks_np = np.array([*known, (False, False)], dtype=np.bool_).reshape(-1, 2)
        return self._marks_np

    def _caveats(
        self,
        stripped: pa.Array,
        bad: npt.NDArray[np.bool_],
        answer: npt.NDArray[np.int64],
        group: npt.NDArray[np.int64],
        epoch: npt.NDArray[np.int64],
        key: npt.NDArray[np.int64],
        days: npt.NDArray[np.int64],
    ) -> pa.Array:
        """Each row's caveats (English), exactly the single path's, as list<string>."""
        n = len(bad)
        ok = ~bad
        chosen = np.full(n, -1, dtype=np.int64)
        if ok.any():
            chosen[ok] = np.asarray(self._caveat_of, dtype=np.int64)[answer[ok]]
            per_key = ok & np.asarray(self._per_key, dtype=np.bool_)[np.where(ok, answer, 0)]
            where = np.flatnonzero(per_key)
            if len(where):
                group_epoch = self._epoch_map[group[where], epoch[where]]
                width = len(self._key_class) + 1
                combo = (group[where] * self._n_group_epochs + group_epoch) * width + key[where]
                distinct, back = np.unique(combo, return_inverse=True)
                sets = np.empty(len(distinct), dtype=np.int64)
                for i, value in enumerate(distinct.tolist()):
                    k = value % width
                    g, e = divmod(value // width, self._n_group_epochs)
                    sets[i] = self._key_caveats(g, e, self._keys_array[k].as_py())
                chosen[where] = sets[back.reshape(-1)]
        # The marks: each row's own code and day where a set's text holds them. Rows of
        # unmarked sets keep the set's id; marked rows get one rendered set per distinct
        # (set, code, day) among them, numbered after the known sets.
        marks = self._marks()
        need_code = marks[chosen, 0]  # chosen == -1 reads the trailing (False, False)
        need_day = marks[chosen, 1]
        final = chosen.copy()
        n_sets = len(self._caveat_sets)
        templates = self._templates
        templates.learn(self._caveat_sets)
        codes = pa.array([], pa.string())
        marked = np.flatnonzero(need_code | need_day)
        set_of = code_of = day_of = np.zeros(0, dtype=np.int64)
        day_base = 0
        if len(marked):
            code_at = np.zeros(len(marked), dtype=np.int64)
            with_code = need_code[marked]
            if with_code.any():
                # each distinct code text once, then each distinct dotted code once
                texts = pc.dictionary_encode(stripped.take(arrow(marked[with_code])))
                dotted = pc.dictionary_encode(_dotted(texts.dictionary))
                codes = dotted.dictionary
                code_at[with_code] = _indices(dotted)[_indices(texts)] + 1
            day_base = int(days[marked].min())
            day_at = np.where(need_day[marked], days[marked] - day_base + 1, 0)
            n_days = int(day_at.max()) + 1
            combo = (chosen[marked] * (len(codes) + 1) + code_at) * n_days + day_at
            distinct, back = np.unique(combo, return_inverse=True)
            rest, day_of = np.divmod(distinct, n_days)
            set_of, code_of = np.divmod(rest, len(codes) + 1)
            final[marked] = n_sets + back.reshape(-1)
        # Only the sets these rows use go into the column, each distinct text once.
        answered = final >= 0
        total = n_sets + len(set_of)
        used = np.flatnonzero(np.bincount(final[answered], minlength=total))
        renumber = np.zeros(total, dtype=np.int64)
        renumber[used] = np.arange(len(used))
        base = used[used < n_sets]  # every rendered set is used (a marked row asked it)
        lengths, values = templates.render(
            np.concatenate([base, set_of]),
            np.concatenate([np.zeros(len(base), dtype=np.int64), code_of]),
            codes,
            np.concatenate([np.zeros(len(base), dtype=np.int64), day_of]),
            day_base,
        )
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        sets = pa.ListArray.from_arrays(arrow(starts), values)
        row_set = renumber[np.where(answered, final, 0)]
        taken: pa.Array = sets.take(arrow(row_set, bad))
        return taken

    # -- one batch ------------------------------------------------------------------

    def screen(self, rows: pa.Table | Prepared) -> pa.Table:
        """Add ``outcome``, ``permit_required``, ``rules``, ``caveats`` and ``error`` columns.

        ``caveats`` is each row's list of the single path's caveats (English): an answer
        with caveats is not a clean one, whatever its ``outcome``.

        ``rows`` has columns ``destination`` (string), ``date`` (date32 or ISO string) and
        ``hs`` (string). A row that cannot be asked (unknown country, malformed date or HS
        code) gets an ``error`` naming the problem and null answers. ``rows`` may come
        already prepared (``bilateral.engine.rows.prepare``, which needs no lock).
        """
        prepared = rows if isinstance(rows, Prepared) else prepare(rows)
        with self._lock:  # the caches are shared; one batch at a time
            return self._screen(prepared)

    def _screen(self, prepared: Prepared) -> pa.Table:
        rows = prepared.rows
        n = rows.num_rows
        dest = prepared.destination
        dest_values = dest.dictionary.to_pylist()
        row_country = self._destination_slots(dest_values)[_indices(dest)]

        days, date_bad = _in_range(prepared.days, self._earliest, self._latest)

        self._trim_keys()
        row_key = self._keys(prepared)
        malformed = row_key < 0
        key = np.where(malformed, 0, row_key)
        row_slot = np.searchsorted(self._edition_days, days, side="right")
        if len(self._key_class_np):
            row_class = self._key_class_np[key]
            invalid = malformed | ~self._key_valid_np[key, row_slot]
        else:  # no code in this batch could be read
            row_class = np.zeros(n, dtype=np.int64)
            invalid = np.ones(n, dtype=np.bool_)
        row_epoch = np.searchsorted(self._change_days, days, side="right")

        bad = (row_country < 0) | date_bad | invalid
        if bad.all():
            answer = np.zeros(n, dtype=np.int64)
        else:
            ok = ~bad
            answer = np.zeros(n, dtype=np.int64)
            answer[ok] = self._answers(row_country[ok], row_epoch[ok], row_class[ok])
        if not self._outcome:  # nothing answered yet: keep the dictionaries non-empty
            outcome_of, permit_of, rules_of = [0], [False], [""]
        else:
            outcome_of, permit_of, rules_of = self._outcome, self._permit, self._rules
        outcome = pa.DictionaryArray.from_arrays(
            arrow(np.asarray(outcome_of, dtype=np.int8)[answer], bad), pa.array(self._outcomes)
        )
        permit = arrow(np.asarray(permit_of, dtype=np.bool_)[answer], bad)
        rules = pa.DictionaryArray.from_arrays(
            arrow(answer.astype(np.int32), bad), pa.array(rules_of, pa.string())
        )
        caveats = self._caveats(prepared.stripped, bad, answer, row_country, row_epoch, key, days)
        errors = self._errors(bad, row_country, dest, date_bad, malformed, row_slot, rows)
        return (
            rows.append_column("outcome", outcome)
            .append_column("permit_required", permit)
            .append_column("rules", rules)
            .append_column("caveats", caveats)
            .append_column("error", errors)
        )

    def _errors(
        self,
        bad: npt.NDArray[np.bool_],
        row_country: npt.NDArray[np.int64],
        dest: pa.DictionaryArray,
        date_bad: npt.NDArray[np.bool_],
        malformed: npt.NDArray[np.bool_],
        row_slot: npt.NDArray[np.int64],
        rows: pa.Table,
    ) -> pa.Array:
        if not bad.any():  # same type as below: every batch of a file has one schema
            return pa.DictionaryArray.from_arrays(
                pa.nulls(len(bad), pa.int32()), pa.array([], pa.string())
            )
        messages: list[str | None] = [None] * len(bad)
        where = np.flatnonzero(bad)
        dest_idx = _indices(dest)
        picked = arrow(where)
        date_values = rows["date"].take(picked).to_pylist()
        hs_values = rows["hs"].take(picked).to_pylist()
        memo: dict[tuple[str, int], str] = {}
        for i, date_value, code in zip(where.tolist(), date_values, hs_values, strict=True):
            if row_country[i] < 0:
                text = dest.dictionary[int(dest_idx[i])].as_py()
                known = self._dest_errors.get(text)
                if known is None:
                    self.law  # noqa: B018 -- a restored screener's law brings the country table
                    known = _country_error(text)
                messages[i] = known
            elif date_bad[i]:
                what = (
                    "no date given"
                    if date_value is None
                    else f"malformed or out-of-range date {date_value!r}"
                )
                messages[i] = f"date: {what} (YYYY-MM-DD, {self._earliest} to {self._latest})"
            else:
                at = ("" if code is None else str(code), 0 if malformed[i] else int(row_slot[i]))
                if at not in memo:
                    if not malformed[i]:  # the message names the edition: the HS tables
                        self.law  # noqa: B018 -- come with a restored screener's law
                    memo[at] = _hs_error(at[0], self._slot_days[at[1]])
                messages[i] = memo[at]
        encoded: pa.DictionaryArray = pa.array(messages, pa.string()).dictionary_encode()
        return encoded


class _Templates:
    """The caveat texts as templates: literal pieces between code and day marks.

    ``render`` writes many (caveat set, code, day) combinations at once: each distinct
    (text, code, day) once, a marked text's pieces taken from one pool of strings
    (literals, codes, days) and joined in Arrow, giving exactly
    ``text.replace(_CODE_MARK, code).replace(_DAY_MARK, day)``.
    """

    _SPLIT = re.compile(f"({re.escape(_CODE_MARK)}|{re.escape(_DAY_MARK)})")
    _LITERAL, _CODE, _DAY, _EMPTY = 0, 1, 2, 3

    def __init__(self) -> None:
        self.sets = 0  # caveat sets learnt
        self.set_start: list[int] = []  # per set: where its texts start in `text_ids`
        self.set_length: list[int] = []
        self.text_ids: list[int] = []
        self.text_id: dict[str, int] = {}
        self.pieces: list[list[tuple[int, int]]] = []  # per text: (kind, literal id)
        self.literals: list[str] = [""]
        self.literal_id: dict[str, int] = {"": 0}
        self._arrays: tuple[Any, ...] | None = None

    def learn(self, caveat_sets: list[tuple[str, ...]]) -> None:
        for texts in caveat_sets[self.sets :]:
            self.set_start.append(len(self.text_ids))
            self.set_length.append(len(texts))
            for text in texts:
                if text not in self.text_id:
                    self.text_id[text] = len(self.pieces)
                    self.pieces.append(self._split(text))
                self.text_ids.append(self.text_id[text])
            self._arrays = None
        self.sets = len(caveat_sets)

    def _split(self, text: str) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for i, part in enumerate(self._SPLIT.split(text)):
            if i % 2:
                out.append((self._CODE if part == _CODE_MARK else self._DAY, 0))
            else:
                if part not in self.literal_id:
                    self.literal_id[part] = len(self.literals)
                    self.literals.append(part)
                out.append((self._LITERAL, self.literal_id[part]))
        return out

    def _tables(self) -> tuple[Any, ...]:
        if self._arrays is None:
            width = max((len(p) for p in self.pieces), default=1)
            kind = np.full((len(self.pieces), width), self._EMPTY, dtype=np.int64)
            literal = np.zeros((len(self.pieces), width), dtype=np.int64)
            for t, parts in enumerate(self.pieces):
                for j, (k, lit) in enumerate(parts):
                    kind[t, j] = k
                    literal[t, j] = lit
            marked = np.stack([(kind == self._CODE).any(axis=1), (kind == self._DAY).any(axis=1)])
            self._arrays = (
                np.asarray(self.set_start, dtype=np.int64),
                np.asarray(self.set_length, dtype=np.int64),
                np.asarray(self.text_ids, dtype=np.int64),
                kind,
                literal,
                pa.array(self.literals, pa.string()),
                marked.T.reshape(len(self.pieces), 2),
            )
        return self._arrays

    def render(
        self,
        set_of: npt.NDArray[np.int64],
        code_of: npt.NDArray[np.int64],
        codes: pa.Array,
        day_of: npt.NDArray[np.int64],
        day_base: int,
    ) -> tuple[npt.NDArray[np.int64], pa.DictionaryArray]:
        """Texts of each (set, code, day): the sets' lengths and their texts in order, as
        a dictionary array whose dictionary holds each distinct text once.

        ``code_of`` and ``day_of`` are 1-based (0: no code, no day); ``codes`` holds
        distinct dotted codes and day ``d`` is ``day_base + d - 1`` (days since 1970).
        """
        set_start, set_length, text_ids, _, literal, literals, marked = self._tables()
        lengths = set_length[set_of]
        total = int(lengths.sum())
        first = np.repeat(np.cumsum(lengths) - lengths, lengths)
        combo = np.repeat(np.arange(len(set_of)), lengths)
        text = text_ids[set_start[set_of][combo] + np.arange(total, dtype=np.int64) - first]
        # A text's rendering depends on its template and on the code and day it holds.
        uses_code = marked[text, 0]
        uses_day = marked[text, 1]
        code = np.where(uses_code, code_of[combo], 0)
        day = np.where(uses_day, day_of[combo], 0)
        n_codes, n_days = len(codes) + 1, int(day_of.max()) + 1 if len(day_of) else 1
        key = (text * n_codes + code) * n_days + day
        distinct, back = np.unique(key, return_inverse=True)
        rest, d_day = np.divmod(distinct, n_days)
        d_text, d_code = np.divmod(rest, n_codes)
        plain = ~(marked[d_text, 0] | marked[d_text, 1])
        dictionary = pa.concat_arrays(
            [
                literals.take(arrow(literal[d_text[plain], 0])),
                self._fill(d_text[~plain], d_code[~plain], codes, d_day[~plain], day_base),
            ]
        )
        # dictionary order: plain texts first, then rendered ones
        order = np.concatenate([np.flatnonzero(plain), np.flatnonzero(~plain)])
        position = np.empty(len(distinct), dtype=np.int32)
        position[order] = np.arange(len(distinct), dtype=np.int32)
        indices = arrow(position[back.reshape(-1)])
        return lengths, pa.DictionaryArray.from_arrays(indices, dictionary)

    def _fill(
        self,
        text: npt.NDArray[np.int64],
        code_of: npt.NDArray[np.int64],
        codes: pa.Array,
        day_of: npt.NDArray[np.int64],
        day_base: int,
    ) -> pa.Array:
        """Each marked template with its code and day in (Arrow: pieces taken and joined)."""
        _, _, _, kind, literal, literals, _ = self._tables()
        if not len(text):
            return pa.array([], pa.string())
        n_days = int(day_of.max()) if len(day_of) else 0
        days = arrow(
            (np.arange(n_days, dtype=np.int64) + day_base).astype(np.int32), kind=pa.date32()
        ).cast(pa.string())
        pool = pa.concat_arrays([literals, codes.cast(pa.string()), days])
        code_base, day_pool = len(literals) - 1, len(literals) + len(codes) - 1
        pieces = []
        for j in range(kind.shape[1]):
            k = kind[text, j]
            at = np.where(k == self._LITERAL, literal[text, j], 0)
            at = np.where((k == self._CODE) & (code_of > 0), code_base + code_of, at)
            at = np.where((k == self._DAY) & (day_of > 0), day_pool + day_of, at)
            pieces.append(pool.take(arrow(at)))
        if len(pieces) == 1:
            return pieces[0]
        joined: pa.Array = pc.binary_join_element_wise(*pieces, "")
        return joined


def _read_items(
    readings: tuple[tuple[str, tuple[str, ...]], ...], digits: str
) -> tuple[str, ...] | None:
    """The ECL items an HS code is read as, as ``EclHsReading.reading`` gives them: its
    longest listed prefix's, else those of the listed codes it is broader than."""
    found = [(len(code), items) for code, items in readings if digits.startswith(code)]
    if found:
        return max(found)[1]
    wider = {i for code, items in readings if code.startswith(digits) and code != digits
             for i in items}  # fmt: skip
    return tuple(sorted(wider)) if wider else None


def _dotted(raw: pa.Array) -> pa.Array:
    """``HsCode.dotted`` of each HS code text (all valid), computed in Arrow."""
    stripped = pc.replace_substring(pc.replace_substring(raw, ".", ""), " ", "")
    fast = pc.fill_null(pc.match_substring_regex(stripped, _FAST_HS), False)
    fast_np = np.asarray(fast.to_numpy(zero_copy_only=False), dtype=np.bool_)
    digits = stripped
    if not fast_np.all():  # other whitespace: the single path's own normaliser
        values = stripped.to_pylist()
        for i in np.flatnonzero(~fast_np).tolist():
            values[i] = hs.normalise(raw[i].as_py())
        digits = pa.array(values, pa.string())
    parts = [pc.utf8_slice_codeunits(digits, 0, 4)]
    for start in (4, 6, 8):
        part = pc.utf8_slice_codeunits(digits, start, start + 2)
        parts.append(pc.if_else(pc.equal(pc.utf8_length(part), 0), None, part))
    return pc.binary_join_element_wise(*parts, ".", null_handling="skip")


def _category(law: Law, digits: str) -> str | None:
    """The humanitarian category's value (a plain string: kept facts unpickle without the
    law's models)."""
    found = law.category_of(digits)
    return None if found is None else str(found.value)


def _country_error(text: str) -> str:
    try:
        countries.resolve(text, "destination")
    except BadInput as error:
        return str(error)
    return "destination: unknown country"


def _hs_error(text: str, day: dt.date) -> str:
    try:
        hs.validate(text, day)
    except BadInput as error:
        return str(error)
    return "hs: invalid HS code"


def _indices(encoded: pa.DictionaryArray) -> npt.NDArray[np.int64]:
    return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)


# What a screener has learnt is a function of the law and of this code, so it is kept in
# the user's cache (as the compiled law is) and the next run starts with it.
# The kept screener's format: a change to what a Screener keeps bumps it (2: caveats;
# classes by schedule row dates and worded HS codes; 3: plain categories).
_STATE_VERSION = "3"

# The whole screener (what it has learnt and what it derived from the law) is also kept for
# the default law under the compiled law's own key (a hash of the law's files, of the code
# that reads them and of this code), so that ``bilateral batch`` starts without loading the
# law (nor importing pydantic and the engine) when the rows hold nothing new.
_WARM = "batch-screener"
_DERIVED = frozenset(
    {"_law", "_lock", "_saved_at", "_templates", "_marks_of", "_marks_np"}
    | {"_keys_array", "_key_class_np", "_key_valid_np"}  # rebuilt from what is kept
)


def _warm_key() -> str | None:
    from bilateral.law import compiled

    if compiled.cache_dir() is None:
        return None
    code = compiled.code_hash("engine/*.py", "law/*.py", "goods/hs.py", "countries.py")
    return f"{_STATE_VERSION}:{compiled.cache_key()}:{code}"


def warm_screener() -> Screener | None:
    """The default law's screener as an earlier run left it, or None (no cache, another
    law or code since). Its law is loaded only when a row asks something new."""
    from bilateral.law.compiled import load_value

    key = _warm_key()
    state = load_value(_WARM, key) if key is not None else None
    if not isinstance(state, dict):
        return None
    return revived(state)


def warm_state(screen: Screener) -> dict[str, object]:
    """What ``screen`` has learnt and derived from its law, for ``revived`` (elsewhere: a
    Spark executor starts with the driver's facts rather than learning them again)."""
    with screen._lock:
        return {k: v for k, v in screen.__dict__.items() if k not in _DERIVED}


def revived(state: dict[str, object], law: Law | None = None) -> Screener:
    """A screener from ``warm_state``; without ``law`` it loads the default law when a
    row first asks something new."""
    screen = Screener.__new__(Screener)
    screen.__dict__.update(state)
    screen._law = law
    screen._lock = threading.Lock()
    screen._templates = _Templates()
    screen._marks_of = []
    screen._marks_np = np.zeros((0, 2), dtype=np.bool_)
    screen._rebuild_keys()
    screen._saved_at = screen.learnt
    return screen


def keep_warm(screen: Screener) -> None:
    """Keep ``screen`` (a screener of the default law) for the next run's ``warm_screener``."""
    from bilateral.law.compiled import store_value

    key = _warm_key()
    if key is None or screen.learnt == screen._saved_at:
        return
    state = warm_state(screen)
    screen._saved_at = screen.learnt
    store_value(_WARM, key, state)


_SCREENERS: dict[int, Screener] = {}
_SCREENERS_LOCK = threading.Lock()


def screener(law: Law) -> Screener:
    """The process's screener for a law (facts are shared by every batch it screens)."""
    with _SCREENERS_LOCK:
        found = _SCREENERS.get(id(law))
        if found is None or found.law is not law:
            if len(_SCREENERS) > 4:
                _SCREENERS.clear()
            found = _SCREENERS[id(law)] = Screener(law)
        return found


def screen_exports(law: Law, rows: pa.Table | Prepared) -> pa.Table:
    """Add ``outcome``, ``permit_required``, ``rules``, ``caveats`` and ``error`` columns.

    ``rows`` has columns ``destination`` (string), ``date`` (date32 or ISO string) and
    ``hs`` (string). A row that cannot be asked (unknown country, malformed date or HS
    code) gets an ``error`` naming the problem and null answers; the others are untouched.
    """
    return screener(law).screen(rows)


def screen_batch(law: Law, rows: pa.Table | Prepared, *, plain: bool = False) -> pa.Table:
    """``screen_exports`` plus the ``law_version`` column every output file carries.

    ``plain`` decodes dictionary columns to strings, for writers and engines (CSV, Spark)
    that take no dictionary types.
    """
    return screen_file_batch(screener(law), rows, plain=plain)


def screen_file_batch(
    screen: Screener, rows: pa.Table | Prepared, *, plain: bool = False
) -> pa.Table:
    """``screen_batch`` with a given screener (a warm one: see ``warm_screener``)."""
    table = screen.screen(rows)
    version = pa.DictionaryArray.from_arrays(
        arrow(np.zeros(table.num_rows, dtype=np.int32)), pa.array([screen.law_version])
    )
    table = table.append_column("law_version", version)
    if not plain:
        return table
    return table.cast(pa.schema([pa.field(f.name, _plain_type(f.type)) for f in table.schema]))


def _plain_type(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(kind):
        return pa.string()
    if pa.types.is_list(kind) and pa.types.is_dictionary(kind.value_type):
        return pa.list_(pa.string())
    return kind


def _in_range(
    days: npt.NDArray[np.int64], earliest: dt.date, latest: dt.date
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """The days (0 where none) and whether each is missing or outside earliest..latest."""
    missing = days == NO_DAY
    days = np.where(missing, 0, days)
    out_of_range = (days < _day(earliest)) | (days > _day(latest))
    return days, missing | out_of_range


def _days(column: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    from bilateral.engine.checks import EARLIEST, LATEST

    return _in_range(read_days(column), EARLIEST, LATEST)
