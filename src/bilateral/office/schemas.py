"""Pydantic models for everything that crosses the API."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from bilateral.office import countries

Role = Literal[
    "applicant",
    "officer",
    "auditor",
    "admin",
    "programme_officer",
    "committee_member",
    "grant_applicant",
]


def _country(v: str) -> str:
    # a code (BY, BLR) or a name in English or French (Belarus, Bélarus); never a guess
    code = countries.resolve(v)
    if code is None:
        raise ValueError("must be a country: an ISO code such as BY or a name such as Belarus")
    return code


def _hs(v: str) -> str:
    digits = v.replace(".", "").replace(" ", "")
    if not re.fullmatch(r"\d{4,10}", digits):
        raise ValueError("must be an HS code of 4 to 10 digits, e.g. 8703 or 0402.10")
    return digits


def _quantity(v: Decimal) -> Decimal:
    if not v.is_finite() or v <= 0 or v > Decimal("1e12"):
        raise ValueError("must be a positive number below 10^12")
    if v != v.quantize(Decimal("0.001")):
        raise ValueError("at most 3 decimal places")
    return v


def _money(v: Decimal) -> Decimal:
    if not v.is_finite() or v < 0 or v > Decimal("1e13"):
        raise ValueError("must be an amount between 0 and 10^13 CAD")
    if v != v.quantize(Decimal("0.01")):
        raise ValueError("at most 2 decimal places (cents)")
    return v


Country = Annotated[str, AfterValidator(_country)]
HSCode = Annotated[str, AfterValidator(_hs)]
# the bounds are Field constraints too, so that the OpenAPI says what the server accepts
Quantity = Annotated[Decimal, Field(gt=0, le=Decimal("1e12")), AfterValidator(_quantity)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e13")), AfterValidator(_money)]
# largest line total (quantity × unit value) the office stores: 10^13 CAD
MAX_TOTAL = Decimal("1e13")
# dates the office records (export dates, validity, shipments): the years 2000 to 2099
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
OfficeDate = Annotated[
    dt.date,
    Field(ge=FIRST_DAY, le=LAST_DAY, description="a date from 2000-01-01 to 2099-12-31"),
]
# C0 and C1 control characters other than tab, line feed and carriage return (NUL among
# them) are refused everywhere: PostgreSQL cannot store NUL and none belongs in a permit
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control(v: str) -> bool:
    return _CONTROL.search(v) is not None


def _check_text(v: Any) -> Any:
    if isinstance(v, str):
        if has_control(v):
            raise ValueError("control characters (such as NUL) are not allowed")
    elif isinstance(v, list | tuple):
        for x in v:
            _check_text(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            _check_text(k)
            _check_text(x)
    return v


Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Text2000 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]


TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
DATE_PATTERN = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"


def _say_text_rules(schema: dict[str, Any]) -> None:
    """Write the control-character rule (and the years of an office date) into the JSON
    schema of every text field, so that the OpenAPI says what the server accepts."""
    for prop in (schema.get("properties") or {}).values():
        for s in [prop, *prop.get("anyOf", [])]:
            items = s.get("items") if s.get("type") == "array" else None
            for x in [s] + ([items] if isinstance(items, dict) else []):
                if x.get("type") != "string" or "pattern" in x:
                    continue
                if x.get("format") == "date":
                    said = str(prop.get("description", "")) + str(x.get("description", ""))
                    if "a date from 2000" in said:
                        x["pattern"] = DATE_PATTERN
                elif "format" not in x:
                    x["pattern"] = TEXT_PATTERN


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_say_text_rules)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, v: Any) -> Any:
        """422 naming the field for NUL and other control characters in any text."""
        return _check_text(v)


class Party(Strict):
    name: Text200 = ""
    address: Text2000 = ""
    contact: Text200 = ""


class Consignee(Party):
    country: Country


class LineIn(Strict):
    origin: Country
    hs_code: HSCode
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ]
    quantity: Quantity
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    unit_value: Money
    total_value: Money | None = Field(
        default=None, description="CAD; computed as quantity × unit value when omitted"
    )
    ecl_item: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = (
        Field(default=None, description="Export Control List item, if any")
    )
    category: Short | None = Field(default=None, description="goods category known to the engine")


class Declarations(Strict):
    information_true: bool = False
    aware_of_obligations: bool = False


class ApplicationIn(Strict):
    """A draft may be incomplete; completeness is checked at submission (s.3(2))."""

    applicant: Party = Party()
    exporter: Party = Party()
    consignees: list[Consignee] = Field(default_factory=list, max_length=20)
    destination: Country | None = Field(default=None, description="country of final destination")
    end_use: Text2000 = ""
    end_user: Party = Party()
    proposed_export_date: OfficeDate | None = None
    lines: list[LineIn] = Field(default_factory=list, max_length=100)
    declarations: Declarations = Declarations()


class LineOut(BaseModel):
    line_no: int
    origin: str
    hs_code: str
    ecl_item: str | None
    category: str | None
    description: str
    quantity: Decimal
    unit: str
    unit_value: Decimal
    total_value: Decimal


class DocumentOut(BaseModel):
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    kind: str
    uploaded_at: str


class DecisionOut(BaseModel):
    outcome: str
    officer: str
    reasons: str
    citations: list[Any]
    decided_on: dt.date
    law_version: str | None


class ApplicationOut(BaseModel):
    id: int
    reference: str
    kind: str
    status: str
    organisation: str
    applicant: dict[str, Any]
    exporter: dict[str, Any]
    consignees: list[dict[str, Any]]
    destination: str
    end_use: str
    end_user: dict[str, Any]
    proposed_export_date: dt.date | None
    declarations: dict[str, Any]
    amendment: dict[str, Any]
    amends_permit: str | None
    copied_from: int | None
    lines: list[LineOut]
    documents: list[DocumentOut]
    consultation_needed: bool
    submitted_on: dt.date | None
    due_on: dt.date | None
    service_standard_days: int | None
    overdue: bool
    law_version: str | None
    assessment: dict[str, Any] | None
    decision: DecisionOut | None
    permit: str | None
    permit_id: int | None


class PermitLineAuth(Strict):
    line_no: int = Field(ge=1, le=1000)
    quantity: Quantity
    value: Money


class DecisionIn(Strict):
    outcome: Literal["approve", "deny"]
    reasons: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    citations: list[Annotated[str, StringConstraints(max_length=500)]] = Field(
        default_factory=list, max_length=50
    )
    valid_from: OfficeDate | None = None
    valid_to: OfficeDate | None = None
    conditions: list[Annotated[str, StringConstraints(max_length=1000)]] = Field(
        default_factory=list, max_length=20
    )
    lines: list[PermitLineAuth] | None = Field(
        default=None, description="authorised quantity and value per line (default: as applied)"
    )


class ConsultationIn(Strict):
    needed: bool


class PermitLineOut(BaseModel):
    line_no: int
    hs_code: str
    ecl_item: str | None
    description: str
    unit: str
    authorised_quantity: Decimal
    authorised_value: Decimal
    used_quantity: Decimal
    used_value: Decimal
    remaining_quantity: Decimal
    remaining_value: Decimal


class PermitOut(BaseModel):
    id: int
    number: str
    application_id: int
    organisation: str
    destination: str
    status: str
    effective_status: str
    issued_on: dt.date
    valid_from: dt.date
    valid_to: dt.date
    conditions: list[str]
    law_version: str | None
    version: int
    lines: list[PermitLineOut]


class PermitActionIn(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class AmendmentIn(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    new_valid_to: OfficeDate | None = None
    lines: list[PermitLineAuth] = Field(default_factory=list, max_length=100)


class ShipmentIn(Strict):
    line_no: int = Field(ge=1, le=1000)
    quantity: Quantity
    value: Money
    shipped_on: OfficeDate
    export_declaration_ref: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)
    ]
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        default=None, description="or the Idempotency-Key header"
    )


class ShipmentOut(BaseModel):
    id: int
    permit: str
    line_no: int
    quantity: Decimal
    value: Decimal
    shipped_on: dt.date
    export_declaration_ref: str
    idempotency_key: str
    recorded_by: str
    recorded_at: str
    replayed: bool = False


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any
    law_version: str | None
    prev_hash: str
    hash: str


class AuditVerifyOut(BaseModel):
    ok: bool
    entries: int
    first_bad_id: int | None
    problem: str | None
    balance_problems: list[str] = Field(
        default_factory=list,
        description="permit lines and shipments that disagree with the audit chain's events",
    )


class UserIn(Strict):
    username: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[\w.@+-]+$"
        ),
    ]
    role: Role
    organisation: Text200 | None = None
    password: Annotated[str, StringConstraints(min_length=15, max_length=200)] | None = None


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    organisation: str | None
    active: bool


class UserCreated(UserOut):
    token: str
    password: str | None


class UtilisationShipment(BaseModel):
    id: int
    shipped_on: dt.date
    export_declaration_ref: str
    quantity: Decimal
    value: Decimal
    used_quantity_after: Decimal = Field(description="line's cumulative use after this one")
    used_value_after: Decimal
    remaining_quantity_after: Decimal
    remaining_value_after: Decimal
    recorded_at: str


class UtilisationLine(BaseModel):
    line_no: int
    hs_code: str
    ecl_item: str | None
    description: str
    unit: str
    authorised_quantity: Decimal
    used_quantity: Decimal
    remaining_quantity: Decimal
    authorised_value: Decimal
    used_value: Decimal
    remaining_value: Decimal
    used_quantity_percent: Decimal = Field(description="used / authorised quantity, 0.1 %")
    shipments: list[UtilisationShipment]


class UtilisationOut(BaseModel):
    permit: str
    permit_id: int
    organisation: str
    destination: str
    status: str
    effective_status: str
    issued_on: dt.date
    valid_from: dt.date
    valid_to: dt.date
    as_of: dt.date
    authorised_value: Decimal
    used_value: Decimal
    remaining_value: Decimal
    shipments: int
    lines: list[UtilisationLine]


class TokenOut(BaseModel):
    id: int
    user_id: int
    created_at: str
    revoked: bool


class TokenCreated(TokenOut):
    token: str = Field(description="the API token itself: shown once, stored only as SHA-256")


class TokenIn(Strict):
    password: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="your current password (not needed by an admin)"
    )


class PasswordIn(Strict):
    old_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: Annotated[str, StringConstraints(min_length=15, max_length=200)]


class QueueItem(BaseModel):
    id: int
    reference: str
    kind: str
    organisation: str
    destination: str
    submitted_on: dt.date | None
    due_on: dt.date | None
    service_standard_days: int | None
    business_days_left: int | None
    overdue: bool
    consultation_needed: bool


class ErrorOut(BaseModel):
    error: str
    field: str | None
    message: str
