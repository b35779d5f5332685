"""CFLI tables (SQLAlchemy 2, on the platform's ``Base``; migration ``0004_cfli``).

Money is integer cents (``*_cents``), exact on SQLite and PostgreSQL. Sensitive values
(organisation name, contacts, registration and risk answers, letters, narrative reports,
full eligibility reasons) are stored only as Fernet tokens (``cfli.crypto``): a column named
``sealed`` or ``*_sealed`` holds ``{"enc": token}`` objects, never clear text.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bilateral.cfli.web.shared import Base


class CfliStaff(Base):
    """A programme officer and the mission whose calls they manage (Warsaw serves Belarus)."""

    __tablename__ = "cfli_staff"
    __table_args__ = (UniqueConstraint("user_id", "mission"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    mission: Mapped[str] = mapped_column(String(40))


class CfliCall(Base):
    __tablename__ = "cfli_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(80), unique=True)
    mission: Mapped[str] = mapped_column(String(40), index=True)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[str] = mapped_column(String(40))


class CfliCallVersion(Base):
    """One version of a call: the full parameter snapshot (``data``) and its content hash."""

    __tablename__ = "cfli_call_versions"
    __table_args__ = (UniqueConstraint("call_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("cfli_calls.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    hash: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(100))


class CfliCommittee(Base):
    __tablename__ = "cfli_committee"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("cfli_calls.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class CfliProposal(Base):
    """A proposal: ``record`` is the proposal data with its sensitive fields sealed."""

    __tablename__ = "cfli_proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("cfli_calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(300), default="")
    requested_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    cleared_by: Mapped[str | None] = mapped_column(String(100))
    decision_sealed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    purged_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)


class CfliDetermination(Base):
    """An eligibility determination: outcome and redacted reasons in clear (no sensitive
    reason text), the whole determination sealed (for replay and for the officer)."""

    __tablename__ = "cfli_determinations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfli_proposals.id"), index=True)
    call_ref: Mapped[str] = mapped_column(String(80))
    call_version: Mapped[int] = mapped_column(Integer)
    call_hash: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(20))
    redacted: Mapped[dict[str, Any]] = mapped_column(JSON)
    sealed: Mapped[dict[str, Any]] = mapped_column(JSON)
    made_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[str] = mapped_column(String(40))


class CfliDeclaration(Base):
    __tablename__ = "cfli_declarations"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfli_proposals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    conflicted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[str] = mapped_column(String(40))


class CfliScore(Base):
    __tablename__ = "cfli_scores"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfli_proposals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    marks: Mapped[dict[str, str]] = mapped_column(JSON)  # criterion -> exact decimal text
    created_at: Mapped[str] = mapped_column(String(40))


class CfliFundingPlan(Base):
    __tablename__ = "cfli_funding_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("cfli_calls.id"), index=True)
    call_version: Mapped[int] = mapped_column(Integer)
    call_hash: Mapped[str] = mapped_column(String(80))
    funded: Mapped[list[str]] = mapped_column(JSON)  # proposal references
    not_funded: Mapped[list[str]] = mapped_column(JSON)
    envelope_cents: Mapped[int] = mapped_column(BigInteger)
    committed_cents: Mapped[int] = mapped_column(BigInteger)
    explanation: Mapped[dict[str, str]] = mapped_column(JSON)  # {"en": …, "fr": …}
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(100))


class CfliAgreement(Base):
    """An agreement: the domain ``Agreement`` without its recipient (``terms``), the money
    in cents, and its state. Payments lock this row (``SELECT … FOR UPDATE``)."""

    __tablename__ = "cfli_agreements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfli_proposals.id"), unique=True)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(30))
    drawn_up_on: Mapped[dt.date] = mapped_column(Date)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    closure: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(40))


class CfliPayment(Base):
    __tablename__ = "cfli_payments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("cfli_agreements.id"), index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(String(40))


class CfliReport(Base):
    """A narrative report (text sealed) or a financial report (actual per line, cents)."""

    __tablename__ = "cfli_reports"
    __table_args__ = (UniqueConstraint("agreement_id", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("cfli_agreements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    text_sealed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actuals: Mapped[dict[str, str] | None] = mapped_column(JSON)  # line number -> decimal text
    created_at: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")


class CfliDocument(Base):
    """A supporting document: its bytes encrypted in a file of the data directory
    (``cfli-documents/<stored_as>``), its name sealed; type and size in clear."""

    __tablename__ = "cfli_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfli_proposals.id"), index=True)
    name_sealed: Mapped[dict[str, Any]] = mapped_column(JSON)
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    stored_as: Mapped[str] = mapped_column(String(40), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(String(40))


TABLES = [
    m.__tablename__
    for m in (
        CfliStaff,
        CfliCall,
        CfliCallVersion,
        CfliCommittee,
        CfliProposal,
        CfliDetermination,
        CfliDeclaration,
        CfliScore,
        CfliFundingPlan,
        CfliAgreement,
        CfliPayment,
        CfliReport,
        CfliDocument,
    )
]
