"""A proposal to a CFLI call: the organisation, the project, its activities and its budget.

Money is exact (``Decimal``, CAD, cents); JSON is read with its numbers as decimals, never as
floats. The fields that could endanger an applicant (names of people, contact details, the
organisation's name, registration number and risk explanation) are ``SecretStr``: printed,
logged or dumped to JSON they show ``**********``; only ``crypto.seal`` reads them, to
encrypt them. Error messages name the field, never the value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from bilateral import countries
from bilateral.cfli.calls import CENT, CostCategory, LanguageCode, Money, RecipientType, Theme
from bilateral.cfli.refusals import from_validation, invalid, refuse
from bilateral.errors import BadInput


class RegistrationStatus(StrEnum):
    """The organisation's answer on local legal registration (application form, S66)."""

    REGISTERED = "registered"
    NOT_REGISTERED = "not_registered"
    # "No, it puts the organization and/or personnel at risk"
    AT_RISK = "not_registered_at_risk"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Contact(_Model):
    name: SecretStr
    role: str | None = None
    email: SecretStr | None = None
    phone: SecretStr | None = None


class Organisation(_Model):
    name: SecretStr
    type: RecipientType
    country: str = Field(description="ISO 3166 alpha-2 of where the organisation is based")
    registration: RegistrationStatus
    registration_number: SecretStr | None = None
    risk_explanation: SecretStr | None = None
    contacts: tuple[Contact, ...] = ()

    @model_validator(mode="after")
    def _known_country(self) -> Organisation:
        if self.country not in countries.known_codes():
            raise invalid("not_iso_country", "country")
        return self


class Activity(_Model):
    title: str = Field(min_length=1)
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Activity:
        if self.end < self.start:
            raise invalid("end_before_start", "end")
        return self


class Beneficiaries(_Model):
    description: str = Field(min_length=1)
    count: int | None = Field(default=None, ge=0)


class BudgetLine(_Model):
    category: CostCategory
    description: str = Field(min_length=1)
    cfli: Money
    other_sources: Money = Decimal("0.00")
    in_kind: Money = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return self.cfli + self.other_sources + self.in_kind


@dataclass(frozen=True)
class BudgetTotals:
    """What the budget adds up to. Overhead is the CFLI share of administration lines, as a
    percentage of the CFLI contribution (the cap in calls is a share of the contribution)."""

    cfli: Decimal
    other_sources: Decimal
    in_kind: Decimal
    total: Decimal
    overhead: Decimal
    overhead_percent: Decimal  # two decimal places, rounded half-up


class Proposal(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    call_id: str
    submitted_on: dt.date
    language: LanguageCode
    organisation: Organisation
    project_country: str
    title: str = Field(min_length=1, max_length=300)
    themes: tuple[Theme, ...] = Field(min_length=1)
    objectives: tuple[str, ...] = Field(min_length=1)
    activities: tuple[Activity, ...] = Field(min_length=1)
    beneficiaries: Beneficiaries
    gender_analysis: str = ""
    risks: tuple[str, ...] = ()
    budget: tuple[BudgetLine, ...] = Field(min_length=1)
    requested: Money

    @model_validator(mode="after")
    def _totals_agree(self) -> Proposal:
        if self.project_country not in countries.known_codes():
            raise invalid("not_iso_country", "project_country")
        lines = sum((line.cfli for line in self.budget), Decimal("0.00"))
        if lines != self.requested:
            raise invalid("budget_total", "requested", lines=lines, requested=self.requested)
        if self.requested <= 0:
            raise invalid("requested_positive", "requested")
        return self

    @property
    def totals(self) -> BudgetTotals:
        cfli = sum((line.cfli for line in self.budget), Decimal("0.00"))
        other = sum((line.other_sources for line in self.budget), Decimal("0.00"))
        in_kind = sum((line.in_kind for line in self.budget), Decimal("0.00"))
        overhead = sum(
            (line.cfli for line in self.budget if line.category is CostCategory.ADMINISTRATION),
            Decimal("0.00"),
        )
        percent = (overhead * 100 / cfli).quantize(CENT) if cfli else Decimal("0.00")
        return BudgetTotals(cfli, other, in_kind, cfli + other + in_kind, overhead, percent)

    @property
    def activities_start(self) -> dt.date:
        return min(a.start for a in self.activities)

    @property
    def activities_end(self) -> dt.date:
        return max(a.end for a in self.activities)

    def fingerprint(self) -> str:
        """Content hash of what the proposal says, without its sensitive fields (which dump
        as asterisks) and without the registration answer: replay evidence that names no one."""
        data = self.model_dump(mode="json")
        data["organisation"].pop("registration", None)
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def parse_proposal(data: Any) -> Proposal:
    """A proposal from parsed JSON/YAML, or BadInput naming the field (never its value)."""
    try:
        return Proposal.model_validate(data)
    except ValidationError as error:
        raise from_validation(error, "proposal") from None


def read_problem(error: Exception) -> str:
    """Why a file could not be read, as a sentence (not a Python class name)."""
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "it is a directory, not a file"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    return "the file cannot be read"


def load_proposal(path: str | Path) -> Proposal:
    """Read a proposal file (``.json``, ``.yaml`` or ``.yml``)."""
    file = Path(path)
    if file.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise refuse("proposal", "proposal_suffix", file=file.name)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput("proposal", f"cannot read {file}: {read_problem(error)}") from None
    suffix = file.suffix.lower()
    try:
        data = json.loads(text, parse_float=Decimal) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise refuse("proposal", "proposal_not_json", file=file.name, line=error.lineno) from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        raise refuse("proposal", "proposal_not_yaml", file=file.name, line=line) from None
    except ValueError:  # an impossible date in YAML
        raise refuse("proposal", "proposal_bad_date", file=file.name) from None
    if not isinstance(data, dict):
        raise refuse("proposal", "proposal_not_mapping", file=file.name)
    return parse_proposal(data)
