"""Database tables of the permit office (SQLAlchemy 2, typed ORM).

Quantities are stored as integer thousandths (``*_milli``) and values as integer cents
(``*_cents``) so that balances are exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = (
    "applicant",
    "officer",
    "auditor",
    "admin",
    "programme_officer",
    "committee_member",
    "grant_applicant",
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(String(40))
    # Raised whenever the user's credentials change or the account is deactivated: a web
    # session carries the value it was signed in with and is refused once they differ.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    organisation: Mapped[Organisation | None] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(40))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[User] = relationship()


class Application(Base):
    """An export permit application (kind ``new``) or an amendment request (``amendment``)."""

    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="new")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    amends_permit_id: Mapped[int | None] = mapped_column(ForeignKey("permits.id"))
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    exporter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consignees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    destination: Mapped[str] = mapped_column(String(2), default="")
    end_use: Mapped[str] = mapped_column(Text, default="")
    end_user: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    proposed_export_date: Mapped[dt.date | None] = mapped_column(Date)
    declarations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    amendment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consultation_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    service_standard_days: Mapped[int | None] = mapped_column(Integer)
    law_version: Mapped[str | None] = mapped_column(String(100))
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    lines: Mapped[list[ApplicationLine]] = relationship(
        order_by="ApplicationLine.line_no", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        order_by="Document.id", cascade="all, delete-orphan"
    )
    organisation: Mapped[Organisation] = relationship()


class ApplicationLine(Base):
    __tablename__ = "application_lines"
    __table_args__ = (UniqueConstraint("application_id", "line_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(2))
    ecl_item: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(60))
    hs_code: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(Text)
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(20))
    unit_value_cents: Mapped[int] = mapped_column(BigInteger)
    total_value_cents: Mapped[int] = mapped_column(BigInteger)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40), default="supporting")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[str] = mapped_column(String(40))


class Decision(Base):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    law_version: Mapped[str | None] = mapped_column(String(100))
    officer: Mapped[User] = relationship()


class Permit(Base):
    __tablename__ = "permits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    # plain column (not a foreign key) so that permits and applications do not form a cycle
    application_id: Mapped[int] = mapped_column(Integer, unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    destination: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20), default="active")
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    law_version: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    lines: Mapped[list[PermitLine]] = relationship(
        order_by="PermitLine.line_no", cascade="all, delete-orphan"
    )


class PermitLine(Base):
    __tablename__ = "permit_lines"
    __table_args__ = (UniqueConstraint("permit_id", "line_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permits.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    hs_code: Mapped[str] = mapped_column(String(12))
    ecl_item: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20))
    authorised_quantity_milli: Mapped[int] = mapped_column(BigInteger)
    authorised_value_cents: Mapped[int] = mapped_column(BigInteger)
    used_quantity_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    used_value_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("permit_id", "idempotency_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permits.id"), index=True)
    permit_line_id: Mapped[int] = mapped_column(ForeignKey("permit_lines.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    value_cents: Mapped[int] = mapped_column(BigInteger)
    shipped_on: Mapped[dt.date] = mapped_column(Date)
    export_declaration_ref: Mapped[str] = mapped_column(String(60))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[str] = mapped_column(String(40))


class AuditEntry(Base):
    """Append-only; ``hash = sha256(prev_hash + canonical_json(entry))``."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    law_version: Mapped[str | None] = mapped_column(String(100))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """One row: the last entry's id and hash. Locked to serialise appends; detects truncation."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class WebSession(Base):
    """A signed-in web session, server side: the cookie carries a random id whose SHA-256
    is here; signing out revokes the row, so a copied cookie stops working at once."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
