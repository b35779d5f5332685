"""Shared presenters: accounts, tokens and audit entries as the API and pages show them,
and the audit log as CSV."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy.orm import Session

from bilateral.platform.models import ApiToken, AuditEntry, Organisation, User
from bilateral.platform.schemas import AuditOut, TokenOut, UserOut


def org_name(s: Session, org_id: int | None) -> str:
    if org_id is None:
        return ""
    org = s.get(Organisation, org_id)
    return org.name if org else ""


def audit_entry(e: AuditEntry) -> AuditOut:
    return AuditOut(
        id=e.id,
        at=e.at,
        actor=e.actor,
        action=e.action,
        entity=e.entity,
        entity_id=e.entity_id,
        before=json.loads(e.before),
        after=json.loads(e.after),
        law_version=e.law_version,
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


def user(s: Session, u: User) -> UserOut:
    return UserOut(
        id=u.id,
        username=u.username,
        role=u.role,
        organisation=org_name(s, u.organisation_id) or None,
        active=u.active,
    )


def token(t: ApiToken) -> TokenOut:
    return TokenOut(id=t.id, user_id=t.user_id, created_at=t.created_at, revoked=t.revoked)


def csv_cell(v: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if v is None else str(v)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


AUDIT_COLUMNS = (
    "id",
    "at_utc",
    "actor",
    "action",
    "entity",
    "entity_id",
    "entity_name",
    "before",
    "after",
    "law_version",
    "hash",
)


def audit_csv(rows: list[dict[str, object]]) -> str:
    """The audit entries shown (same filters) as CSV, formula-safe cells."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(AUDIT_COLUMNS)
    for r in rows:
        w.writerow([csv_cell(r.get(c, "")) for c in AUDIT_COLUMNS])
    return buf.getvalue()
