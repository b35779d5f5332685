"""Pydantic models of the shared API (accounts, tokens, audit) and the text rules every
application's schemas use (``Strict``: no control characters, bounded text)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from bilateral.platform import roles


def _registered_role(v: str) -> str:
    if not roles.is_role(v):
        raise ValueError("must be one of the roles: " + ", ".join(roles.names()))
    return v


def _role_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = list(roles.names())  # the roles registered when the schema is built


# any role registered by the platform or an installed application (``roles.register``)
Role = Annotated[str, AfterValidator(_registered_role), Field(json_schema_extra=_role_enum)]

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
        description=(
            "records of the applications (the permit office: permit lines and shipments) "
            "that disagree with the audit chain's events"
        ),
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


class ErrorOut(BaseModel):
    error: str
    field: str | None
    message: str
