"""Calls for proposals as dated, versioned, cited data (``cfli/data/calls/*.yaml``).

A call file holds one call and its versions. Each version is a full snapshot of the call's
parameters, dated (``published``) and named by a content hash, so a determination made
against it can be replayed and a later change is a new version, never an edit in place.

Every parameter says where its value comes from (``basis``):

- ``cited``: a source of the research note (e.g. ``S26``) with a confidence tag;
- ``officer``: set by the programme officer for this call (a decision, not a fact);
- ``not_found``: the sources do not give it; the value is empty and the programme officer
  must set it before anything relies on it. Nothing downstream treats it as "no limit".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bilateral import countries
from bilateral.cfli import i18n
from bilateral.cfli.refusals import invalid, refuse
from bilateral.errors import LawDataError
from bilateral.law.loader import _read_yaml
from bilateral.law.model import Bilingual, Confidence

Source = Path | Traversable
T = TypeVar("T")

CENT = Decimal("0.01")


class CallDataError(LawDataError):
    """A call file does not load: names file, line and reason."""


class Theme(StrEnum):
    """Thematic priorities named by CFLI calls (research note §5, S26, S64, S65)."""

    GENDER_EQUALITY = "gender_equality"
    INCLUSIVE_GOVERNANCE = "inclusive_governance"
    GROWTH_FOR_EVERYONE = "growth_for_everyone"
    ENVIRONMENT_CLIMATE = "environment_climate"
    PEACE_SECURITY = "peace_security"
    HUMAN_DIGNITY = "human_dignity"
    ADVANCING_DEMOCRACY = "advancing_democracy"  # 2013 priorities (S65)
    SECURITY_STABILITY = "security_stability"  # 2013 priorities (S65)


THEME_LABELS: dict[Theme, Bilingual] = {
    Theme.GENDER_EQUALITY: Bilingual(
        en="Gender equality and the empowerment of women and girls",
        fr="Égalité des genres et renforcement du pouvoir des femmes et des filles",
    ),
    Theme.INCLUSIVE_GOVERNANCE: Bilingual(
        en="Inclusive governance (diversity, democracy, human rights, rule of law)",
        fr="Gouvernance inclusive (diversité, démocratie, droits de la personne, "
        "primauté du droit)",
    ),
    Theme.GROWTH_FOR_EVERYONE: Bilingual(
        en="Growth that works for everyone", fr="Croissance au service de tous"
    ),
    Theme.ENVIRONMENT_CLIMATE: Bilingual(
        en="Environment and climate action", fr="Environnement et action pour le climat"
    ),
    Theme.PEACE_SECURITY: Bilingual(en="Peace and security", fr="Paix et sécurité"),
    Theme.HUMAN_DIGNITY: Bilingual(
        en="Human dignity (health, education, nutrition)",
        fr="Dignité humaine (santé, éducation, nutrition)",
    ),
    Theme.ADVANCING_DEMOCRACY: Bilingual(en="Advancing democracy", fr="Promotion de la démocratie"),
    Theme.SECURITY_STABILITY: Bilingual(en="Security and stability", fr="Sécurité et stabilité"),
}


class RecipientType(StrEnum):
    """Eligible recipients as CFLI calls list them (research note §5, S26)."""

    LOCAL_NGO = "local_ngo"
    LOCAL_ACADEMIC = "local_academic"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    LOCAL_GOVERNMENT = "local_government"
    CANADIAN_NGO = "canadian_ngo"


RECIPIENT_LABELS: dict[RecipientType, Bilingual] = {
    RecipientType.LOCAL_NGO: Bilingual(
        en="Local NGOs, community and not-for-profit organizations",
        fr="ONG locales, organismes communautaires et organismes sans but lucratif",
    ),
    RecipientType.LOCAL_ACADEMIC: Bilingual(
        en="Local academic institutions", fr="Établissements d'enseignement locaux"
    ),
    RecipientType.INTERNATIONAL_ORGANISATION: Bilingual(
        en="International, intergovernmental, multilateral and regional organizations "
        "working on local development",
        fr="Organisations internationales, intergouvernementales, multilatérales et "
        "régionales œuvrant au développement local",
    ),
    RecipientType.LOCAL_GOVERNMENT: Bilingual(
        en="Municipal, regional or national government bodies of the recipient country "
        "working on local projects",
        fr="Administrations municipales, régionales ou nationales du pays bénéficiaire "
        "menant des projets locaux",
    ),
    RecipientType.CANADIAN_NGO: Bilingual(
        en="Canadian NGOs and not-for-profits working on local development",
        fr="ONG et organismes sans but lucratif canadiens œuvrant au développement local",
    ),
}


class CostCategory(StrEnum):
    """Budget line categories. ``administration`` is the overhead the call caps."""

    ADMINISTRATION = "administration"
    PERSONNEL = "personnel"
    INFRASTRUCTURE = "infrastructure"
    EQUIPMENT = "equipment"
    HOSPITALITY = "hospitality"
    TRAINING = "training"
    ADVOCACY = "advocacy"
    RESEARCH = "research"
    EVENTS = "events"
    PROFESSIONAL_FEES = "professional_fees"
    DOMESTIC_TRAVEL = "domestic_travel"
    COMMUNICATIONS = "communications"
    OTHER = "other"


COST_LABELS: dict[CostCategory, Bilingual] = {
    CostCategory.ADMINISTRATION: Bilingual(
        en="Administrative and overhead costs", fr="Frais administratifs et généraux"
    ),
    CostCategory.PERSONNEL: Bilingual(en="Personnel", fr="Personnel"),
    CostCategory.INFRASTRUCTURE: Bilingual(en="Infrastructure", fr="Infrastructure"),
    CostCategory.EQUIPMENT: Bilingual(en="Equipment", fr="Équipement"),
    CostCategory.HOSPITALITY: Bilingual(en="Hospitality (no alcohol)", fr="Accueil (sans alcool)"),
    CostCategory.TRAINING: Bilingual(en="Training", fr="Formation"),
    CostCategory.ADVOCACY: Bilingual(en="Advocacy", fr="Plaidoyer"),
    CostCategory.RESEARCH: Bilingual(en="Research", fr="Recherche"),
    CostCategory.EVENTS: Bilingual(en="Events", fr="Événements"),
    CostCategory.PROFESSIONAL_FEES: Bilingual(
        en="Legal, accounting and medical costs", fr="Frais juridiques, comptables et médicaux"
    ),
    CostCategory.DOMESTIC_TRAVEL: Bilingual(
        en="Domestic travel (economy fares)", fr="Déplacements intérieurs (classe économique)"
    ),
    CostCategory.COMMUNICATIONS: Bilingual(en="Communications", fr="Communications"),
    CostCategory.OTHER: Bilingual(en="Other", fr="Autre"),
}


class Basis(StrEnum):
    CITED = "cited"
    OFFICER = "officer"
    NOT_FOUND = "not_found"


class Param(BaseModel, Generic[T]):
    """One call parameter and where its value comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: T | None = None
    basis: Basis
    source: str | None = None  # a source id of the research note, e.g. "S26"
    confidence: Confidence | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _basis_is_kept(self) -> Param[T]:
        if self.basis is Basis.CITED and (self.source is None or self.confidence is None):
            raise invalid("param_cited")
        if (
            self.basis is Basis.CITED
            and self.confidence is not Confidence.VERIFIED
            and not self.note
        ):
            raise invalid("param_confidence_note", confidence=str(self.confidence))
        if self.basis is Basis.OFFICER and not self.note:
            raise invalid("param_officer_note")
        if self.basis is Basis.NOT_FOUND:
            if self.value not in (None, [], ()):
                raise invalid("param_not_found_empty")
            if not self.note:
                raise invalid("param_not_found_note")
        elif self.value is None:
            raise invalid("param_value", basis=self.basis.value)
        return self

    @property
    def is_set(self) -> bool:
        return self.basis is not Basis.NOT_FOUND


def to_money(value: Any) -> Any:
    """CAD amounts are exact decimals with at most two places; floats are read by their text."""
    if isinstance(value, bool):
        raise invalid("amount_not_bool")
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, int | str):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite() or value < 0:
            raise invalid("amount_not_negative")
        if value != value.quantize(CENT):
            raise invalid("amount_cents")
        return value.quantize(CENT)
    return value


Money = Annotated[Decimal, BeforeValidator(to_money)]


def _language_code(code: str) -> str:
    try:
        return i18n.language_code(code)
    except ValueError:
        raise invalid("unknown_language", language=code) from None


LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$"), AfterValidator(_language_code)]
"""An ISO 639 language code that Babel knows."""
"""An amount in CAD: exact, two decimal places, never a float."""


class Amount(BaseModel):
    """A money parameter in CAD."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    cad: Money


class AmountRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low: Money
    high: Money

    @model_validator(mode="after")
    def _ordered(self) -> AmountRange:
        if self.low > self.high:
            raise invalid("low_above_high")
        return self


class Criterion(BaseModel):
    """An assessment criterion with its weight (share of the total score)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Bilingual
    weight: Decimal = Field(gt=0)


class PaymentTerms(BaseModel):
    """Advance on signature, the rest on the accepted final report (percent of the award)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    advance_percent: Decimal = Field(ge=0, le=100)

    @property
    def final_percent(self) -> Decimal:
        return Decimal(100) - self.advance_percent


class ReportingRules(BaseModel):
    """Reports the recipient owes, in days after the activities end."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    final_narrative_days: int = Field(ge=0, le=365)
    final_financial_days: int = Field(ge=0, le=365)


class FiscalYear(BaseModel):
    """The Government of Canada fiscal year, 1 April to 31 March (label ``2026-27``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str = Field(pattern=r"^\d{4}-\d{2}$")

    @model_validator(mode="after")
    def _consecutive(self) -> FiscalYear:
        first, second = self.label.split("-")
        if (int(first) + 1) % 100 != int(second):
            raise invalid("fiscal_year_years", label=self.label)
        return self

    @property
    def start(self) -> dt.date:
        return dt.date(int(self.label[:4]), 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(int(self.label[:4]) + 1, 3, 31)


class SourceRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    url: str | None = None


class CallVersion(BaseModel):
    """One dated snapshot of a call's parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = Field(ge=1)
    published: dt.date
    status: Literal["draft", "published", "closed"]
    change_note: str
    title: Bilingual
    mission: Param[Bilingual]
    countries_served: Param[tuple[str, ...]]
    fiscal_year: Param[FiscalYear]
    priorities: Param[tuple[Theme, ...]]
    recipient_types: Param[tuple[RecipientType, ...]]
    minimum_contribution: Param[Amount]
    typical_contribution: Param[AmountRange]
    maximum_contribution: Param[Amount]
    overhead_cap_percent: Param[Decimal]
    application_deadline: Param[dt.date]
    completion_deadline: Param[dt.date]
    languages: Param[tuple[LanguageCode, ...]]
    registration_required: Param[bool]
    registration_risk_accepted: Param[bool]
    gender_analysis_required: Param[bool]
    envelope: Param[Amount]
    ineligible_costs: Param[tuple[CostCategory, ...]]
    reporting: Param[ReportingRules]
    payment_terms: Param[PaymentTerms]
    criteria: Param[tuple[Criterion, ...]]

    @field_validator("countries_served")
    @classmethod
    def _known_countries(cls, param: Param[tuple[str, ...]]) -> Param[tuple[str, ...]]:
        for code in param.value or ():
            if code not in countries.known_codes():
                raise invalid("unknown_country", country=code)
        return param

    @model_validator(mode="after")
    def _coherent(self) -> CallVersion:
        fy = self.fiscal_year.value
        done = self.completion_deadline.value
        if fy is not None and done is not None and not fy.start <= done <= fy.end:
            raise invalid(
                "completion_outside_year",
                "completion_deadline",
                deadline=done,
                label=fy.label,
                start=fy.start,
                end=fy.end,
            )
        low, high = self.minimum_contribution.value, self.maximum_contribution.value
        if low is not None and high is not None and low.cad > high.cad:
            raise invalid("minimum_above_maximum", "minimum_contribution")
        cap = self.overhead_cap_percent.value
        if cap is not None and not Decimal(0) <= cap <= Decimal(100):
            raise invalid("overhead_cap_range", "overhead_cap_percent")
        ids = [c.id for c in self.criteria.value or ()]
        if len(ids) != len(set(ids)):
            raise invalid("criteria_unique", "criteria")
        return self

    def parameters(self) -> dict[str, Param[Any]]:
        """The cited parameters by name, in file order."""
        return {name: value for name, value in self.__dict__.items() if isinstance(value, Param)}

    def unset(self) -> list[str]:
        """Parameters the programme officer must still set."""
        return [name for name, param in self.parameters().items() if not param.is_set]


def version_hash(call_id: str, version: CallVersion) -> str:
    """Content hash of a version's parameters (canonical JSON; YAML layout does not count)."""
    canonical = json.dumps(
        {"call": call_id, **version.model_dump(mode="json")},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


class CallFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    sources: dict[str, SourceRef]
    versions: tuple[CallVersion, ...] = Field(min_length=1)


class Call:
    """A call and its versions, each with the hash that names it."""

    def __init__(self, data: CallFile, file: str) -> None:
        self.id = data.id
        self.file = file
        self.sources = data.sources
        self.versions = data.versions
        self.hashes = {v.version: version_hash(data.id, v) for v in data.versions}

    @property
    def latest(self) -> CallVersion:
        return self.versions[-1]

    def version(self, number: int | None = None) -> CallVersion:
        if number is None:
            return self.latest
        for v in self.versions:
            if v.version == number:
                return v
        known = ", ".join(str(v.version) for v in self.versions)
        raise refuse("version", "no_version", call=self.id, version=number, known=known)

    def by_hash(self, digest: str) -> CallVersion | None:
        for number, known in self.hashes.items():
            if known == digest:
                return self.version(number)
        return None

    def ref(self, number: int | None = None) -> CallRef:
        v = self.version(number)
        return CallRef(call_id=self.id, version=v.version, hash=self.hashes[v.version])


class CallRef(BaseModel):
    """What a determination cites: call id, version and its content hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    call_id: str
    version: int
    hash: str


def _parse(name: str, text: str) -> CallFile:
    try:
        data = _read_yaml(name, text)
    except LawDataError as error:
        raise CallDataError(error.file, error.line, error.reason) from None
    try:
        return CallFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(part for part in first["loc"] if not _is_generic_tag(part))
        where = ".".join(str(part) for part in loc)
        message = str(first["msg"]).removeprefix("Value error, ")
        reason = f"{where}: {message}" if where else message
        raise CallDataError(name, _line_of(text, loc), reason) from None


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML key (or list item) at a location, for error messages."""
    try:
        node: Any = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line: int | None = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == key]
            if not match:
                break
            line = match[0][0].start_mark.line + 1
            node = match[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _is_generic_tag(part: int | str) -> bool:
    # pydantic names union and generic branches in error locations ("tuple[str, ...]")
    return isinstance(part, str) and ("[" in part or part in {"function-after"})


def _check_versions(name: str, text: str, data: CallFile) -> None:
    previous: CallVersion | None = None
    for index, v in enumerate(data.versions):
        line = _line_of(text, ("versions", index))
        if previous is not None:
            if v.version != previous.version + 1:
                raise CallDataError(
                    name,
                    line,
                    f"version {v.version} follows {previous.version}; number them 1, 2, 3…",
                )
            if v.published < previous.published:
                raise CallDataError(
                    name,
                    line,
                    f"version {v.version} published {v.published}, before version "
                    f"{previous.version} ({previous.published})",
                )
        elif v.version != 1:
            raise CallDataError(name, line, "the first version is version 1")
        for pname, param in v.parameters().items():
            if param.source is not None and param.source not in data.sources:
                raise CallDataError(
                    name,
                    _line_of(text, ("versions", index, pname, "source")),
                    f"versions.{index}.{pname}: source {param.source} is not in this file's"
                    " sources",
                )
        previous = v


class CallBook:
    """Every call, checked."""

    def __init__(self, calls: dict[str, Call]) -> None:
        self.calls = calls

    def get(self, call_id: str) -> Call:
        if call_id not in self.calls:
            known = ", ".join(sorted(self.calls)) or "none"
            raise refuse("call", "no_call", call=call_id, known=known)
        return self.calls[call_id]

    def __iter__(self) -> Any:
        return iter(self.calls.values())


def load_calls(root: Source | None = None) -> CallBook:
    """Load the bundled calls (or the folder ``root`` holding ``*.yaml`` call files)."""
    base: Source = (
        root if root is not None else resources.files("bilateral.cfli").joinpath("data", "calls")
    )
    files = sorted((entry.name, entry) for entry in base.iterdir() if entry.name.endswith(".yaml"))
    if not files:
        raise CallDataError(str(base), None, "no call files found")
    calls: dict[str, Call] = {}
    for name, entry in files:
        text = entry.read_text(encoding="utf-8")
        data = _parse(name, text)
        if data.id in calls:
            raise CallDataError(
                name, _line_of(text, ("id",)), f"call id {data.id} also in {calls[data.id].file}"
            )
        _check_versions(name, text, data)
        calls[data.id] = Call(data, name)
    return CallBook(calls)


@cache
def bundled() -> CallBook:
    return load_calls()
