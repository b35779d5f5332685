"""The vectorised export path: millions of (destination, date, HS code) rows at once.

The law changes on a few hundred days, the rows name a few hundred destinations and a few
thousand HS codes, so most rows ask a question already asked. The batch path therefore
(1) dictionary-encodes destinations and HS codes (Arrow), (2) maps each date to the legal
epoch it falls in (NumPy searchsorted over the days on which any rule starts or ends),
(3) reduces each HS code to the class of facts the law can see in it (humanitarian
category, membership of each HS-coded schedule, validity in each HS edition), and
(4) asks the single path once per distinct (destination, epoch, class) present, then
gathers the answers back to the rows. Every answer is the single path's own answer, so the
two paths agree by construction; the tests check it on random rows anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bilateral import countries
from bilateral.engine.checks import EARLIEST, LATEST
from bilateral.engine.export import Goods, determine_export
from bilateral.engine.law import Law
from bilateral.errors import BadInput
from bilateral.goods import hs
from bilateral.law.model import Outcome

_EPOCH = dt.date(1970, 1, 1)
_OUTCOMES = [o.value for o in Outcome]
_NO_EDITION = -1


def _day(d: dt.date) -> int:
    return (d - _EPOCH).days


def _from_day(n: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(n))


@dataclass(frozen=True)
class _HsFacts:
    """What the law can see in each distinct HS code of a batch."""

    classes: npt.NDArray[np.int64]  # class id per distinct code
    representatives: list[str]  # one code per class
    valid: npt.NDArray[np.bool_]  # [code, edition slot] (slot 0: before HS2012)
    errors: dict[tuple[int, int], str]


def _hs_facts(law: Law, codes: list[str]) -> _HsFacts:
    editions = hs.editions()
    slots = [dt.date(1990, 1, 1), *[e.in_force for e in editions]]
    export_lists = sorted(
        {
            r.effect.goods.goods_list  # type: ignore[union-attr]
            for r in law.rules("export_prohibition", "*")
            if getattr(r.effect, "goods", None) is not None and r.effect.goods.goods_list  # type: ignore[union-attr]
        }
    )
    class_ids: dict[tuple[object, ...], int] = {}
    representatives: list[str] = []
    classes = np.zeros(len(codes), dtype=np.int64)
    valid = np.zeros((len(codes), len(slots)), dtype=np.bool_)
    errors: dict[tuple[int, int], str] = {}
    for i, code in enumerate(codes):
        for slot, day in enumerate(slots):
            try:
                hs.validate(code, day)
                valid[i, slot] = True
            except BadInput as error:
                errors[(i, slot)] = str(error)
        try:
            digits = hs.normalise(code)
        except BadInput:
            digits = ""
        key: tuple[object, ...] = (
            tuple(valid[i].tolist()),
            law.category_of(digits) if digits else None,
            # Only whether a code is listed (or partly) changes the outcome, not which item.
            *(_listed(law, lid, digits) for lid in export_lists),
        )
        if key not in class_ids:
            class_ids[key] = len(representatives)
            representatives.append(code)
        classes[i] = class_ids[key]
    return _HsFacts(classes, representatives, valid, errors)


def _listed(law: Law, list_id: str, digits: str) -> tuple[bool, bool]:
    if not digits:
        return (False, False)
    match = law.list_match(list_id, digits)
    return (match.listed, match.partial)


def screen_exports(law: Law, rows: pa.Table) -> pa.Table:
    """Add ``outcome``, ``permit_required``, ``rules`` and ``error`` columns to the rows.

    ``rows`` has columns ``destination`` (string), ``date`` (date32 or ISO string) and
    ``hs`` (string). A row that cannot be asked (unknown country, malformed date or HS
    code) gets an ``error`` naming the problem and null answers; the others are untouched.
    """
    n = rows.num_rows
    for column in ("destination", "date", "hs"):
        if column not in rows.column_names:
            raise BadInput("input", f"missing column {column!r} (need destination, date, hs)")

    dest = pc.dictionary_encode(
        pc.fill_null(rows["destination"].cast(pa.string()), "")
    ).combine_chunks()
    dest_idx = dest.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    dest_values = dest.dictionary.to_pylist()
    codes = np.full(len(dest_values), -1, dtype=np.int64)
    country_codes: list[str] = []
    dest_errors: dict[int, str] = {}
    for i, text in enumerate(dest_values):
        try:
            code = countries.resolve(text, "destination").code
        except BadInput as error:
            dest_errors[i] = str(error)
            continue
        if code not in country_codes:
            country_codes.append(code)
        codes[i] = country_codes.index(code)
    row_country = codes[dest_idx]

    days, date_bad = _days(rows["date"])

    hs_col = pc.dictionary_encode(pc.fill_null(rows["hs"].cast(pa.string()), "")).combine_chunks()
    hs_idx = hs_col.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    facts = _hs_facts(law, hs_col.dictionary.to_pylist())
    row_class = facts.classes[hs_idx]

    edition_days = np.array([_day(e.in_force) for e in hs.editions()], dtype=np.int64)
    row_slot = np.searchsorted(edition_days, days, side="right")
    hs_bad = ~facts.valid[hs_idx, row_slot]

    change_days = np.array(
        sorted({_day(d) for d in law.export_change_dates} | set(edition_days.tolist())),
        dtype=np.int64,
    )
    row_epoch = np.searchsorted(change_days, days, side="right")

    bad = (row_country < 0) | date_bad | hs_bad
    n_epochs = len(change_days) + 1
    n_classes = max(len(facts.representatives), 1)
    combo = (np.where(bad, 0, row_country) * n_epochs + row_epoch) * n_classes + row_class
    present = np.flatnonzero(np.bincount(combo[~bad], minlength=1))

    outcome_of = np.zeros(len(present), dtype=np.int8)
    permit_of = np.zeros(len(present), dtype=np.bool_)
    rules_of: list[str] = []
    for j, key in enumerate(present.tolist()):
        cls = key % n_classes
        epoch = (key // n_classes) % n_epochs
        country = country_codes[key // (n_classes * n_epochs)]
        start = EARLIEST if epoch == 0 else _from_day(change_days[epoch - 1])
        on = max(start, EARLIEST)
        checked = hs.validate(facts.representatives[cls], on)
        answer = determine_export(law, country, on, Goods(hs=checked))
        outcome_of[j] = _OUTCOMES.index(answer.outcome.value)
        permit_of[j] = answer.permit_required
        rules_of.append(";".join(r.rule.id for r in answer.trace.reasons))

    position = np.searchsorted(present, np.where(bad, present[0] if len(present) else 0, combo))
    if len(present) == 0:
        position = np.zeros(n, dtype=np.int64)
        outcome_of = np.zeros(1, dtype=np.int8)
        permit_of = np.zeros(1, dtype=np.bool_)
        rules_of = [""]

    errors = _row_errors(
        bad,
        row_country,
        dest_idx,
        dest_errors,
        date_bad,
        hs_bad,
        hs_idx,
        row_slot,
        facts,
        rows["date"],
    )
    outcome = pa.DictionaryArray.from_arrays(
        pa.array(outcome_of[position], mask=bad), pa.array(_OUTCOMES)
    )
    permit = pa.array(permit_of[position], mask=bad)
    rules = pa.DictionaryArray.from_arrays(
        pa.array(position.astype(np.int32), mask=bad), pa.array(rules_of)
    )
    return (
        rows.append_column("outcome", outcome)
        .append_column("permit_required", permit)
        .append_column("rules", rules)
        .append_column("error", errors)
    )


def screen_batch(law: Law, rows: pa.Table, *, plain: bool = False) -> pa.Table:
    """``screen_exports`` plus the ``law_version`` column every output file carries.

    ``plain`` decodes dictionary columns to strings, for writers and engines (CSV, Spark)
    that take no dictionary types.
    """
    table = screen_exports(law, rows)
    version = pa.array([law.law_version] * table.num_rows, pa.string()).dictionary_encode()
    table = table.append_column("law_version", version)
    if not plain:
        return table
    return table.cast(
        pa.schema(
            [
                pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type)
                for f in table.schema
            ]
        )
    )


def _days(column: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = pc.utf8_trim_whitespace(column)
        parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2014-02-30 over to March; a day that does not print back is bad.
        reprinted = pc.strftime(parsed, format="%Y-%m-%d")
        column = pc.if_else(pc.equal(reprinted, text), parsed, None).cast(pa.date32())
    elif pa.types.is_timestamp(column.type):
        column = column.cast(pa.date32())
    elif not pa.types.is_date32(column.type):
        raise BadInput("date", f"date column has type {column.type}; need dates or ISO strings")
    values = column.combine_chunks()
    days = pc.fill_null(values.cast(pa.int32()), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    null = values.is_null().to_numpy(zero_copy_only=False)
    out_of_range = (days < _day(EARLIEST)) | (days > _day(LATEST))
    return days, null | out_of_range


def _row_errors(
    bad: npt.NDArray[np.bool_],
    row_country: npt.NDArray[np.int64],
    dest_idx: npt.NDArray[np.int64],
    dest_errors: dict[int, str],
    date_bad: npt.NDArray[np.bool_],
    hs_bad: npt.NDArray[np.bool_],
    hs_idx: npt.NDArray[np.int64],
    row_slot: npt.NDArray[np.int64],
    facts: _HsFacts,
    dates: pa.ChunkedArray,
) -> pa.Array:
    if not bad.any():
        return pa.nulls(len(bad), pa.string())
    messages: list[str | None] = [None] * len(bad)
    date_values = dates.to_pylist() if date_bad.any() else []
    for i in np.flatnonzero(bad).tolist():
        if row_country[i] < 0:
            messages[i] = dest_errors[int(dest_idx[i])]
        elif date_bad[i]:
            messages[i] = (
                f"date: malformed or out-of-range date {date_values[i]!r} "
                f"(YYYY-MM-DD, {EARLIEST} to {LATEST})"
            )
        else:
            messages[i] = facts.errors.get(
                (int(hs_idx[i]), int(row_slot[i])), "hs: invalid HS code"
            )
    return pa.array(messages, pa.string()).dictionary_encode()
