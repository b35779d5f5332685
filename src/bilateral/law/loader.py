"""Load and check the law bundle: every file, every rule, or a LawDataError naming file:line.

Checks beyond the models' own: unique rule ids, one instrument per file, known countries,
well-formed HS codes that exist in the nomenclature, references that resolve (goods lists,
person lists, exception_to), and no two contradictory rules over overlapping dates unless
one is declared an exception to the other (base rule + exception, as in Catala).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from bilateral import countries
from bilateral.errors import BadInput, LawDataError
from bilateral.goods import hs
from bilateral.law.model import (
    AreaControlListing,
    CategoryInterpretation,
    DealingsProhibition,
    EclGroupScope,
    EclItemList,
    EclPermitSuspension,
    EngagementPolicy,
    ExportProhibition,
    GeneralExportPermit,
    GoodsList,
    ImportProhibition,
    Instrument,
    LicensingPolicy,
    PersonList,
    Rule,
    TariffEntitlement,
    TariffRate,
)

Source = Path | Traversable
M = TypeVar("M")


@dataclass(frozen=True)
class LawBundle:
    """Everything the engine knows, checked, with the content hash that names it."""

    law_version: str
    instruments: tuple[Instrument, ...]
    rules: dict[str, Rule]
    rule_file: dict[str, str]
    goods_lists: dict[str, GoodsList]
    person_lists: dict[str, PersonList]
    interpretations: tuple[CategoryInterpretation, ...]
    exceptions_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ecl_lists: dict[str, EclItemList] = field(default_factory=dict)

    def rules_of(self, kind: type[object]) -> Iterator[Rule]:
        for rule in self.rules.values():
            if isinstance(rule.effect, kind):
                yield rule


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location."""
    import yaml

    try:
        node: Any = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == key]
            if not match:
                break
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
        else:
            continue  # union tags such as "AreaControlListing" have no YAML node
        line = node.start_mark.line + 1
    return line


def _read_yaml(name: str, text: str) -> Any:
    """Parsed YAML, or a LawDataError at the offending line (syntax or impossible date)."""
    import yaml  # here, not at the top: a start from the compiled-law cache reads no YAML

    # libyaml's loader parses the law about ten times faster than the pure-Python one. It
    # builds the same values (both use SafeConstructor); on any error the pure-Python loader
    # runs again, so error messages and lines are exactly those it has always given.
    fast: Any = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)  # CSafeLoader: a safe loader
        except (yaml.YAMLError, ValueError):
            pass  # report it as the pure-Python loader does, below
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise LawDataError(name, mark.line + 1 if mark else None, str(error.problem)) from None
    except ValueError as error:  # PyYAML builds dates itself: 2010-02-30 raises here
        line, value = _bad_timestamp(text)
        raise LawDataError(name, line, f"impossible date {value!r}: {error}") from None


def _bad_timestamp(text: str) -> tuple[int | None, str]:
    """The first YAML timestamp scalar that is not a real date."""
    import yaml

    stack: list[Any] = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            if node.tag.endswith(":timestamp"):
                try:
                    dt.date.fromisoformat(node.value[:10])
                except ValueError:
                    return node.start_mark.line + 1, node.value
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None, ""


def _parse(model: type[M], name: str, text: str, data: Any = None) -> M:
    if data is None:
        data = _read_yaml(name, text)
    # pydantic, only now: a start that reads the compiled law never validates anything.
    from bilateral.law.validation import ValidationError, validate

    try:
        return validate(model, data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"]
        if first["type"] == "unexpected_keyword_argument":  # a dataclass's word for it
            message = "Extra inputs are not permitted"
        reason = f"{where}: {message}" if where else message
        raise LawDataError(name, _line_of(text, first["loc"]), reason) from None


def _files(root: Source, sub: str) -> list[tuple[str, str]]:
    folder = root.joinpath(sub)
    if not folder.is_dir():
        return []
    found = sorted(
        (entry.name, entry) for entry in folder.iterdir() if entry.name.endswith(".yaml")
    )
    return [(f"{sub}/{name}", entry.read_text(encoding="utf-8")) for name, entry in found]


def _content_hash(parts: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for name, text in sorted(parts):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(text.encode())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def _countries_of(rule: Rule) -> list[str]:
    effect = rule.effect
    found: list[str] = []
    for attr in ("country",):
        value = getattr(effect, attr, None)
        if isinstance(value, str):
            found.append(value)
    for attr in ("countries", "destinations", "except_countries"):
        value = getattr(effect, attr, ())
        if isinstance(value, tuple):
            found.extend(value)
    return found


def _conflict_keys(rule: Rule) -> list[tuple[str, ...]]:
    """Rules sharing a key must not disagree on overlapping dates."""
    e = rule.effect
    if isinstance(e, AreaControlListing):
        return [("acl", e.country)]
    if isinstance(e, LicensingPolicy):
        return [("licensing", e.country)]
    if isinstance(e, EclGroupScope):
        return [("ecl-scope", e.group)]
    if isinstance(e, EclPermitSuspension):
        return [("ecl-suspension", e.country)]
    if isinstance(e, GeneralExportPermit):
        return [("gep", e.permit)]
    if isinstance(e, ExportProhibition | ImportProhibition):
        return []  # prohibitions add up; two of them never contradict each other
    if isinstance(e, TariffEntitlement):
        return [("tariff", c, e.treatment.value) for c in e.countries]
    if isinstance(e, TariffRate):
        return [("tariff-rate", e.treatment.value)]
    if isinstance(e, EngagementPolicy):
        return [("engagement", e.country)]
    return []


def _overlap(a: Rule, b: Rule) -> bool:
    a_from = a.valid_from or dt.date.min
    b_from = b.valid_from or dt.date.min
    a_to = a.valid_to or dt.date.max
    b_to = b.valid_to or dt.date.max
    return a_from <= b_to and b_from <= a_to


def _check_hs(name: str, text: str, code: str) -> None:
    try:
        digits = hs.normalise(code)
    except BadInput as error:
        raise LawDataError(name, _find_line(text, code), str(error)) from None
    national = digits[:6]
    if not any(national in ed.codes for ed in hs.editions()):
        raise LawDataError(name, _find_line(text, code), f"HS code {code} is in no bundled edition")


def _find_line(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def load(root: Source | None = None) -> LawBundle:
    """Load the bundled law (or the folder ``root`` laid out like it) and check it."""
    base: Source = root if root is not None else resources.files("bilateral.law").joinpath("data")
    instrument_files = _files(base, "instruments")
    list_files = _files(base, "lists")
    interpretation_files = _files(base, "interpretations")
    if not instrument_files:
        raise LawDataError(str(base), None, "no instrument files found")

    goods_lists: dict[str, GoodsList] = {}
    person_lists: dict[str, PersonList] = {}
    ecl_lists: dict[str, EclItemList] = {}
    for name, text in list_files:
        data = _read_yaml(name, text) or {}
        if isinstance(data, dict) and "persons" in data:
            plist = _parse(PersonList, name, text, data)
            person_lists[plist.id] = plist
        elif isinstance(data, dict) and "ecl_items" in data:
            elist = _parse(EclItemList, name, text)
            ecl_lists[elist.id] = elist
        else:
            glist = _parse(GoodsList, name, text, data or None)
            for item in glist.items:
                _check_hs(name, text, item.hs)
            goods_lists[glist.id] = glist

    interpretations = []
    for name, text in interpretation_files:
        interp = _parse(CategoryInterpretation, name, text)
        for mapping in interp.mappings:
            for code in mapping.hs:
                _check_hs(name, text, code)
        interpretations.append(interp)

    known = countries.known_codes()
    instruments: list[Instrument] = []
    rules: dict[str, Rule] = {}
    rule_file: dict[str, str] = {}
    texts = dict(instrument_files)
    for name, text in instrument_files:
        instrument = _parse(Instrument, name, text)
        instruments.append(instrument)
        for rule in instrument.rules:
            line = _find_line(text, f"id: {rule.id}")
            if rule.id in rules:
                raise LawDataError(name, line, f"rule id {rule.id} also in {rule_file[rule.id]}")
            if rule.instrument != instrument.instrument:
                raise LawDataError(
                    name,
                    line,
                    f"rule {rule.id} cites {rule.instrument}; this file is {instrument.instrument}"
                    " (one file per instrument)",
                )
            for code in _countries_of(rule):
                if code not in known:
                    raise LawDataError(name, line, f"rule {rule.id}: unknown country {code!r}")
            e = rule.effect
            listed = getattr(getattr(e, "goods", None), "goods_list", None)
            if isinstance(e, ExportProhibition | ImportProhibition) and listed not in (
                None,
                *goods_lists,
            ):
                raise LawDataError(name, line, f"unknown goods list {e.goods.goods_list}")
            if isinstance(e, DealingsProhibition) and e.listing not in person_lists:
                raise LawDataError(name, line, f"unknown person list {e.listing}")
            if isinstance(e, GeneralExportPermit) and e.excluded_items not in (None, *ecl_lists):
                raise LawDataError(name, line, f"unknown ECL item list {e.excluded_items}")
            for code in getattr(getattr(e, "goods", None), "covers_hs", ()):
                _check_hs(name, text, code)
            for code in getattr(getattr(e, "goods", None), "except_hs", ()):
                _check_hs(name, text, code)
            if isinstance(e, TariffEntitlement):
                for tariff_item in e.tariff_items:
                    if len(hs.normalise(tariff_item)) != 8:
                        raise LawDataError(name, line, f"tariff item {tariff_item} is not 8 digits")
            rules[rule.id] = rule
            rule_file[rule.id] = name

    exceptions_of: dict[str, list[str]] = {}
    for rule in rules.values():
        for base_id in rule.exception_to:
            if base_id not in rules:
                name = rule_file[rule.id]
                raise LawDataError(
                    name,
                    _find_line(texts[name], f"id: {rule.id}"),
                    f"rule {rule.id} is an exception to unknown rule {base_id}",
                )
            exceptions_of.setdefault(base_id, []).append(rule.id)

    _check_conflicts(rules, rule_file, texts)

    parts = instrument_files + list_files + interpretation_files
    parts += _hs_files()
    return LawBundle(
        law_version=_content_hash(parts),
        instruments=tuple(instruments),
        rules=rules,
        rule_file=rule_file,
        goods_lists=goods_lists,
        person_lists=person_lists,
        interpretations=tuple(interpretations),
        exceptions_of={k: tuple(v) for k, v in exceptions_of.items()},
        ecl_lists=ecl_lists,
    )


def _hs_files() -> list[tuple[str, str]]:
    folder = resources.files("bilateral.goods").joinpath("data")
    return [
        (f"goods/{e.name}", e.read_text(encoding="utf-8"))
        for e in sorted(folder.iterdir(), key=lambda e: e.name)
        if e.name.endswith(".csv")
    ]


def _related(a: Rule, b: Rule) -> bool:
    return a.id in b.exception_to or b.id in a.exception_to


def _check_conflicts(
    rules: dict[str, Rule], rule_file: dict[str, str], texts: dict[str, str]
) -> None:
    by_key: dict[tuple[str, ...], list[Rule]] = {}
    for rule in rules.values():
        for key in _conflict_keys(rule):
            by_key.setdefault(key, []).append(rule)
    for key, group in by_key.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if not _overlap(a, b) or _related(a, b):
                    continue
                if _same_effect(a, b, key):
                    continue
                name = rule_file[b.id]
                raise LawDataError(
                    name,
                    _find_line(texts[name], f"id: {b.id}"),
                    f"rule {b.id} contradicts {a.id} ({rule_file[a.id]}) over overlapping dates;"
                    " declare one an exception_to the other",
                )


def _same_effect(a: Rule, b: Rule, key: tuple[str, ...]) -> bool:
    ea, eb = a.effect, b.effect
    if isinstance(ea, TariffEntitlement) and isinstance(eb, TariffEntitlement):
        return ea.entitled == eb.entitled and ea.tariff_items == eb.tariff_items
    if isinstance(ea, AreaControlListing):
        return False  # the same country listed twice over the same days is a slip
    return ea == eb
