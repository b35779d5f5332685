"""The office's business rules: one function per act, each inside the caller's transaction.

Every state change appends an audit entry in the same transaction, so a refused request
(an ``OfficeError``) rolls back everything it touched. What the law presumes about a line
comes from the engine (``Checks``); the office stores the engine's answer verbatim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from sqlalchemy import Select, Table, insert, select, text, update
from sqlalchemy.orm import Session

from bilateral.errors import BadInput
from bilateral.office import audit, holidays
from bilateral.office.audit import canonical
from bilateral.office.models import (
    ROLES,
    ApiToken,
    Application,
    ApplicationLine,
    Decision,
    Document,
    Organisation,
    Permit,
    PermitLine,
    Shipment,
    User,
    WebSession,
)
from bilateral.office.schemas import (
    MAX_TOTAL,
    AmendmentIn,
    ApplicationIn,
    DecisionIn,
    ShipmentIn,
    has_control,
)
from bilateral.office.security import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    USERNAME_PATTERN,
    hash_password,
    new_password,
    new_token,
    password_problem,
    token_digest,
    verify_password,
)

_CONTROL_SUB = re.compile(r"[\x00-\x1f\x7f-\x9f]")
STANDARD_DAYS = 10
CONSULTATION_DAYS = 40
AMENDMENT_DAYS = 3
MILLI = Decimal("0.001")
CENT = Decimal("0.01")


class Checks(Protocol):
    """The engine's door (``bilateral.engine.checks``) as the office uses it."""

    def check_export(self, **kw: Any) -> dict[str, Any]: ...


class OfficeError(Exception):
    """A refused request: HTTP status, machine code, field (if any) and message parameters."""

    def __init__(
        self, http_status: int, code: str, field: str | None = None, /, **params: Any
    ) -> None:
        self.status = http_status
        self.code = code
        self.field = field
        self.params = params
        super().__init__(f"{field}: {code} {params}" if field else f"{code} {params}")


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    role: str
    organisation_id: int | None

    @classmethod
    def of(cls, u: User) -> Actor:
        return cls(u.id, u.username, u.role, u.organisation_id)


def now() -> str:
    return audit.now_iso()


def to_milli(q: Decimal) -> int:
    return int((q / MILLI).to_integral_value())


def to_cents(v: Decimal) -> int:
    return int((v / CENT).to_integral_value())


def milli(n: int) -> Decimal:
    return (Decimal(n) * MILLI).quantize(MILLI)


def cents(n: int) -> Decimal:
    return (Decimal(n) * CENT).quantize(CENT)


# ---------------------------------------------------------------- users and tokens


def get_or_create_org(s: Session, name: str) -> Organisation:
    org = s.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
    if org is None:
        org = Organisation(name=name)
        s.add(org)
        s.flush()
    return org


def create_user(
    s: Session,
    username: str,
    role: str,
    organisation: str | None = None,
    password: str | None = None,
    actor: str = "system",
) -> tuple[User, str, str | None]:
    """Create an account; returns (user, API token, generated password or None)."""
    if role not in ROLES:
        raise OfficeError(422, "bad_role", "role")
    if role in ("applicant", "grant_applicant") and not organisation:
        raise OfficeError(422, "org_required", "organisation")
    if s.execute(select(User.id).where(User.username == username)).first():
        raise OfficeError(409, "user_exists", "username", username=username)
    org = get_or_create_org(s, organisation) if organisation else None
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise OfficeError(422, "bad_username", "username")
    generated = None
    if password is None:
        password = generated = new_password()
    else:
        problem = password_problem(password, username)
        if problem:
            raise OfficeError(422, problem, "password", min=PASSWORD_MIN, max=PASSWORD_MAX)
    u = User(
        username=username,
        role=role,
        organisation_id=org.id if org else None,
        password_hash=hash_password(password),
        active=True,
        created_at=now(),
    )
    s.add(u)
    s.flush()
    token = issue_token(s, u)
    audit.record(
        s,
        actor=actor,
        action="user.create",
        entity="user",
        entity_id=u.id,
        after={"username": username, "role": role, "organisation": organisation},
    )
    return u, token, generated


def issue_token(s: Session, u: User) -> str:
    token = new_token()
    s.add(ApiToken(user_id=u.id, token_sha256=token_digest(token), created_at=now()))
    s.flush()
    return token


def actor_for_token(s: Session, token: str) -> Actor | None:
    """The actor of an API token: one indexed lookup per request, no cache.

    Not cached, so that revoking a token or deactivating an account takes effect at once
    in every worker process (the lookup costs about 0.3 ms; see docs/office.md).
    """
    u, t = cast(Table, User.__table__), cast(Table, ApiToken.__table__)
    row = s.execute(
        select(u.c.id, u.c.username, u.c.role, u.c.organisation_id)
        .join(t, t.c.user_id == u.c.id)
        .where(t.c.token_sha256 == token_digest(token), ~t.c.revoked, u.c.active)
    ).one_or_none()
    if row is None:
        return None
    return Actor(row.id, row.username, row.role, row.organisation_id)


def user_for_token(s: Session, token: str) -> User | None:
    user = s.execute(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_sha256 == token_digest(token), ~ApiToken.revoked, User.active)
    ).scalar_one_or_none()
    return user


CLI_ACTOR = Actor(0, "cli", "admin", None)  # an operator with shell access to the database


def get_user(s: Session, user_id: int, lock: bool = False) -> User:
    q = select(User).where(User.id == user_id)
    if lock:
        q = q.with_for_update()
    u = s.execute(q).scalar_one_or_none()
    if u is None:
        raise OfficeError(404, "not_found", "user_id")
    return u


def user_by_name(s: Session, username: str) -> User:
    u = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if u is None:
        raise OfficeError(404, "no_such_user", "username", username=username)
    return u


def _revoke_all(s: Session, user_id: int) -> list[int]:
    ids = list(
        s.execute(
            select(ApiToken.id).where(ApiToken.user_id == user_id, ~ApiToken.revoked)
        ).scalars()
    )
    if ids:
        s.execute(update(ApiToken).where(ApiToken.id.in_(ids)).values(revoked=True))
    return ids


def end_web_sessions(u: User) -> int:
    """End every web session of ``u`` on its next request; returns the new epoch.

    Call with the user row locked, on any change of credentials or deactivation: a
    session carries the epoch it was signed in (or last re-issued) with and is refused
    once the two differ. The session that made the change re-issues its cookie itself.
    """
    u.session_epoch = (u.session_epoch or 0) + 1
    return u.session_epoch


SESSION_HOURS = 8


def open_web_session(s: Session, u: User) -> str:
    """A new server-side web session for ``u``; returns its id (kept only in the cookie)."""
    sid = secrets.token_urlsafe(32)
    start = dt.datetime.now(dt.UTC)
    s.add(
        WebSession(
            sid_sha256=token_digest(sid),
            user_id=u.id,
            created_at=start.isoformat(timespec="seconds"),
            expires_at=(start + dt.timedelta(hours=SESSION_HOURS)).isoformat(timespec="seconds"),
            revoked=False,
        )
    )
    s.flush()
    return sid


def web_session_live(s: Session, user_id: int, sid: Any) -> bool:
    """Whether ``sid`` is a signed-in session of ``user_id``: not signed out, not expired."""
    if not isinstance(sid, str) or not sid:
        return False
    row = s.execute(
        select(WebSession.expires_at).where(
            WebSession.sid_sha256 == token_digest(sid),
            WebSession.user_id == user_id,
            ~WebSession.revoked,
        )
    ).one_or_none()
    now_ = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return row is not None and row.expires_at > now_


def close_web_session(s: Session, sid: Any) -> None:
    """Sign out: the server-side session is revoked; its cookie no longer signs anyone in."""
    if isinstance(sid, str) and sid:
        s.execute(
            update(WebSession)
            .where(WebSession.sid_sha256 == token_digest(sid))
            .values(revoked=True)
        )


def set_user_active(s: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (every API token is revoked too) or reactivate an account (admin).

    Takes effect at once: tokens are looked up on every request and web sessions check
    ``active`` and ``session_epoch`` on every page. Deactivation ends every web session
    for good (a reactivated account signs in again) and needs a new token.
    """
    _require(actor, "admin")
    u = get_user(s, user_id, lock=True)
    if not active and u.id == actor.id:
        raise OfficeError(409, "self_deactivate", "user_id")
    if u.active == active:
        raise OfficeError(409, "already_" + ("active" if active else "inactive"), "user_id")
    u.active = active
    revoked = [] if active else _revoke_all(s, u.id)
    if not active:
        end_web_sessions(u)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="user.reactivate" if active else "user.deactivate",
        entity="user",
        entity_id=u.id,
        before={"username": u.username, "active": not active},
        after={"username": u.username, "active": active, "tokens_revoked": revoked}
        | ({} if active else {"web_sessions_ended": True}),
    )
    return u


def new_user_token(s: Session, actor: Actor, user_id: int) -> tuple[ApiToken, str]:
    """Issue a new API token (admin for anyone, or anyone for themselves); shown once."""
    if actor.role != "admin" and actor.id != user_id:
        raise OfficeError(403, "forbidden")
    u = get_user(s, user_id)
    if not u.active:
        raise OfficeError(409, "user_inactive", "user_id", username=u.username)
    token = issue_token(s, u)
    row = s.execute(
        select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))
    ).scalar_one()
    audit.record(
        s,
        actor=actor.username,
        action="token.issue",
        entity="user",
        entity_id=u.id,
        after={"username": u.username, "token_id": row.id},
    )
    return row, token


def tokens_of(s: Session, actor: Actor, user_id: int) -> list[ApiToken]:
    """A user's tokens (never their secret): admin, auditor, or the user themselves."""
    if actor.role not in ("admin", "auditor") and actor.id != user_id:
        raise OfficeError(403, "forbidden")
    get_user(s, user_id)
    return list(
        s.execute(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        ).scalars()
    )


def revoke_token(s: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke an API token: an admin any token, anyone else only their own (else 404)."""
    tok = s.execute(
        select(ApiToken).where(ApiToken.id == token_id).with_for_update()
    ).scalar_one_or_none()
    if tok is None or (actor.role != "admin" and tok.user_id != actor.id):
        raise OfficeError(404, "not_found", "token_id")
    if tok.revoked:
        raise OfficeError(409, "token_revoked", "token_id")
    tok.revoked = True
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="token.revoke",
        entity="user",
        entity_id=tok.user_id,
        before={"token_id": tok.id, "revoked": False},
        after={"token_id": tok.id, "revoked": True},
    )
    return tok


def change_password(s: Session, actor: Actor, old: str, new: str) -> User:
    """Change one's own password: the old one is required; stored as Argon2id.

    Every web session of the user ends on its next request; the web form re-issues the
    cookie of the session that made the change (``u.session_epoch``).
    """
    u = get_user(s, actor.id, lock=True)
    if not verify_password(u.password_hash, old):
        raise OfficeError(422, "wrong_password", "old_password")
    problem = password_problem(new, u.username)
    if problem:
        raise OfficeError(422, problem, "new_password", min=PASSWORD_MIN, max=PASSWORD_MAX)
    if new == old:
        raise OfficeError(422, "password_same", "new_password")
    _set_password(s, actor, u, new, "user.password", "password_changed")
    return u


def reset_password(s: Session, actor: Actor, user_id: int) -> tuple[User, str]:
    """An admin sets a new generated password for someone who lost theirs (shown once).

    Every web session of the user ends; API tokens stay (revoke them separately).
    """
    _require(actor, "admin")
    u = get_user(s, user_id, lock=True)
    if not u.active:
        raise OfficeError(409, "user_inactive", "user_id", username=u.username)
    password = new_password()
    _set_password(s, actor, u, password, "user.password_reset", "password_reset")
    return u, password


def _set_password(s: Session, actor: Actor, u: User, password: str, action: str, what: str) -> None:
    """Store ``password`` as Argon2id and end every web session of ``u`` (API tokens stay);
    the audit row says ``what`` happened, never the password."""
    u.password_hash = hash_password(password)
    end_web_sessions(u)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action=action,
        entity="user",
        entity_id=u.id,
        after={"username": u.username, what: True, "web_sessions_ended": True},
    )


# ---------------------------------------------------------------- applications

_Owned = TypeVar("_Owned", Application, Permit)


def _visible(model: type[_Owned], actor: Actor) -> Select[_Owned]:
    """Least privilege on every query: applicants see their organisation's rows, officers
    and auditors all of them, anyone else none."""
    q = select(model)
    if actor.role == "applicant":
        q = q.where(model.organisation_id == actor.organisation_id)
    elif actor.role not in ("officer", "auditor"):
        raise OfficeError(403, "forbidden")
    return q


def visible_applications(actor: Actor) -> Select[Application]:
    return _visible(Application, actor)


def get_application(s: Session, actor: Actor, app_id: int, lock: bool = False) -> Application:
    q = visible_applications(actor).where(Application.id == app_id)
    if lock:
        q = q.with_for_update()
    app = s.execute(q).scalar_one_or_none()
    if app is None:
        raise OfficeError(404, "not_found", "application_id")
    return app


def _require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise OfficeError(403, "forbidden")


def _independent(s: Session, actor: Actor, organisation_id: int, application_id: int) -> None:
    """Separation of duties: an officer never decides, amends or changes the status of an
    application or permit of their own organisation, or one they created (403)."""
    if actor.organisation_id is not None and actor.organisation_id == organisation_id:
        raise OfficeError(403, "own_organisation", "organisation")
    created_by = s.execute(
        select(Application.created_by_id).where(Application.id == application_id)
    ).scalar_one_or_none()
    if created_by == actor.id:
        raise OfficeError(403, "own_organisation", "organisation")


def snapshot(app: Application) -> dict[str, Any]:
    return {
        "status": app.status,
        "version": app.version,
        "destination": app.destination,
        "lines": len(app.lines),
        "documents": [d.sha256 for d in app.documents],
        "due_on": app.due_on.isoformat() if app.due_on else None,
        "consultation_needed": app.consultation_needed,
    }


def _fill(app: Application, data: ApplicationIn) -> None:
    app.applicant = data.applicant.model_dump()
    app.exporter = data.exporter.model_dump()
    app.consignees = [c.model_dump() for c in data.consignees]
    app.destination = data.destination or ""
    app.end_use = data.end_use
    app.end_user = data.end_user.model_dump()
    app.proposed_export_date = data.proposed_export_date
    app.declarations = data.declarations.model_dump()
    # Re-saving a draft keeps the line rows and rewrites them in place: clearing the list
    # and appending new rows with the same numbers made SQLAlchemy INSERT the new rows
    # before DELETEing the old ones, which broke UNIQUE(application_id, line_no).
    rows: list[dict[str, Any]] = []
    for i, ln in enumerate(data.lines, start=1):
        total = ln.total_value
        computed = (ln.quantity * ln.unit_value).quantize(CENT)
        if computed > MAX_TOTAL:
            raise OfficeError(
                422, "total_too_large", f"lines[{i - 1}].total_value", limit=str(MAX_TOTAL)
            )
        if total is None:
            total = computed
        elif abs(total - computed) > CENT:
            raise OfficeError(
                422, "total_mismatch", f"lines[{i - 1}].total_value", computed=str(computed)
            )
        rows.append(
            {
                "line_no": i,
                "origin": ln.origin,
                "ecl_item": ln.ecl_item or None,
                "category": ln.category or None,
                "hs_code": ln.hs_code,
                "description": ln.description,
                "quantity_milli": to_milli(ln.quantity),
                "unit": ln.unit,
                "unit_value_cents": to_cents(ln.unit_value),
                "total_value_cents": to_cents(total),
            }
        )
    existing = {ln.line_no: ln for ln in app.lines}
    for row in rows:
        old = existing.pop(row["line_no"], None)
        if old is None:
            app.lines.append(ApplicationLine(**row))
        else:
            for k, val in row.items():
                setattr(old, k, val)
    for gone in existing.values():
        app.lines.remove(gone)


def _new_app(actor: Actor, kind: str = "new") -> Application:
    assert actor.organisation_id is not None
    stamp = now()
    return Application(
        reference="tmp-" + uuid.uuid4().hex[:20],
        kind=kind,
        status="draft",
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        applicant={},
        exporter={},
        consignees=[],
        destination="",
        end_use="",
        end_user={},
        declarations={},
        amendment={},
        consultation_needed=False,
        created_at=stamp,
        updated_at=stamp,
        version=1,
    )


def _name(s: Session, app: Application, prefix: str) -> None:
    s.flush()
    app.reference = f"{prefix}-{app.id:06d}"


def create_application(s: Session, actor: Actor, data: ApplicationIn) -> Application:
    _require(actor, "applicant")
    app = _new_app(actor)
    _fill(app, data)
    s.add(app)
    _name(s, app, "APP")
    audit.record(
        s,
        actor=actor.username,
        action="application.create",
        entity="application",
        entity_id=app.reference,
        after=snapshot(app),
    )
    return app


def update_application(s: Session, actor: Actor, app_id: int, data: ApplicationIn) -> Application:
    _require(actor, "applicant")
    app = get_application(s, actor, app_id, lock=True)
    if app.status != "draft":
        raise OfficeError(409, "not_draft", "status", status=app.status)
    before = snapshot(app)
    _fill(app, data)
    app.version += 1
    app.updated_at = now()
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="application.update",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=snapshot(app),
    )
    return app


def copy_application(s: Session, actor: Actor, app_id: int) -> Application:
    """Copy from a previous application: a new draft with the same content (no documents)."""
    _require(actor, "applicant")
    src = get_application(s, actor, app_id)
    if src.kind != "new":
        raise OfficeError(409, "cannot_copy_amendment", "application_id")
    app = _new_app(actor)
    for f in ("applicant", "exporter", "consignees", "destination", "end_use", "end_user"):
        setattr(app, f, getattr(src, f))
    app.proposed_export_date = None
    app.declarations = {}
    app.copied_from_id = src.id
    for ln in src.lines:
        app.lines.append(
            ApplicationLine(
                line_no=ln.line_no,
                origin=ln.origin,
                ecl_item=ln.ecl_item,
                category=ln.category,
                hs_code=ln.hs_code,
                description=ln.description,
                quantity_milli=ln.quantity_milli,
                unit=ln.unit,
                unit_value_cents=ln.unit_value_cents,
                total_value_cents=ln.total_value_cents,
            )
        )
    s.add(app)
    _name(s, app, "APP")
    audit.record(
        s,
        actor=actor.username,
        action="application.copy",
        entity="application",
        entity_id=app.reference,
        before={"copied_from": src.reference},
        after=snapshot(app),
    )
    return app


def add_document(
    s: Session,
    actor: Actor,
    app_id: int,
    *,
    filename: str,
    media_type: str,
    size: int,
    sha256: str,
    kind: str,
) -> Document:
    _require(actor, "applicant")
    app = get_application(s, actor, app_id, lock=True)
    if app.status != "draft":
        raise OfficeError(409, "not_draft", "status", status=app.status)
    if has_control(kind):
        raise OfficeError(422, "control_chars", "kind")
    doc = Document(
        application_id=app.id,
        # a file name is the client's: control characters become "_", at most 255
        filename=_CONTROL_SUB.sub("_", filename)[:255] or "document",
        media_type=media_type,
        size=size,
        sha256=sha256,
        kind=kind[:40],
        uploaded_by_id=actor.id,
        uploaded_at=now(),
    )
    s.add(doc)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="document.upload",
        entity="application",
        entity_id=app.reference,
        after={"document": doc.id, "sha256": sha256, "size": size, "media_type": media_type},
    )
    return doc


def missing_fields(app: Application) -> list[str]:
    """What Export Permits Regulations s.3(2) need that the draft lacks (field names)."""
    out: list[str] = []
    for party in ("applicant", "exporter"):
        for f in ("name", "address"):
            if not (getattr(app, party) or {}).get(f):
                out.append(f"{party}.{f}")
    if not app.consignees:
        out.append("consignees")
    for i, c in enumerate(app.consignees):
        for f in ("name", "address", "contact"):
            if not c.get(f):
                out.append(f"consignees[{i}].{f}")
    if not app.destination:
        out.append("destination")
    if not app.end_use:
        out.append("end_use")
    for f in ("name", "address"):
        if not (app.end_user or {}).get(f):
            out.append(f"end_user.{f}")
    if not app.lines:
        out.append("lines")
    for f in ("information_true", "aware_of_obligations"):
        if not (app.declarations or {}).get(f):
            out.append(f"declarations.{f}")
    return out


ENGINE_FIELD = {
    "to": "destination",
    "on": "proposed_export_date",
    "hs": "hs_code",
    "ecl": "ecl_item",
    "category": "category",
}


def questions_for(
    destination: str, on: dt.date, ln: ApplicationLine | PermitLine
) -> list[dict[str, Any]]:
    """The engine questions for one line, one per way the goods are described (ECL item,
    HS code, goods category): each can meet a different measure (a category says nothing
    of an HS-coded ban, an HS code nothing of the ECL), so every one given is asked."""
    base: dict[str, Any] = {"to": destination, "on": on.isoformat()}
    out: list[dict[str, Any]] = []
    if ln.ecl_item:
        out.append(base | {"ecl": ln.ecl_item})
    category = getattr(ln, "category", None)
    if category:
        out.append(base | {"category": category})
    if ln.hs_code:
        out.append(base | {"hs": ln.hs_code})
    return out or [base | {"hs": ln.hs_code}]


def question_for(destination: str, on: dt.date, ln: ApplicationLine | PermitLine) -> dict[str, Any]:
    """The first engine question for one line (see ``questions_for``)."""
    return questions_for(destination, on, ln)[0]


def ask_line(
    checks: Checks, questions: Sequence[dict[str, Any]], idx: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ask every question of a line and keep the most restrictive answer. Between answers
    equally restrictive, one that asks for a code the line already gives ("give --hs to
    check") yields to the one that used it; otherwise the first asked (ECL item, goods
    category, HS code) stands."""

    def rank(answer: dict[str, Any]) -> tuple[int, int]:
        asks = any("--hs" in str(c) for c in answer.get("caveats") or [])
        given = any("hs" in q for q in questions)
        return severity(answer.get("outcome")), 0 if (asks and given) else 1

    best: tuple[dict[str, Any], dict[str, Any]] | None = None
    for question in questions:
        try:
            answer = checks.check_export(**question, lang="en")
        except BadInput as e:
            field = ENGINE_FIELD.get(e.field, e.field)
            if idx is not None and field in ("hs_code", "ecl_item", "category"):
                field = f"lines[{idx}].{field}"
            raise OfficeError(422, "engine_bad_input", field, problem=e.problem) from e
        except NotImplementedError as e:
            raise OfficeError(503, "engine_unavailable") from e
        if best is None or rank(answer) > rank(best[1]):
            best = (question, answer)
    assert best is not None
    return best


def assess(
    checks: Checks, destination: str, on: dt.date, lines: Sequence[ApplicationLine | PermitLine]
) -> tuple[dict[str, Any], str | None]:
    """Ask the engine about every line; returns the stored assessment and its law_version."""
    out: list[dict[str, Any]] = []
    versions: list[str] = []
    for idx, ln in enumerate(lines):
        question, answer = ask_line(checks, questions_for(destination, on, ln), idx)
        lv = answer.get("law_version")
        if isinstance(lv, str) and lv not in versions:
            versions.append(lv)
        out.append({"line_no": ln.line_no, "question": question, "answer": answer})
    law_version = versions[0] if len(versions) == 1 else (",".join(versions) or None)
    return {"on": on.isoformat(), "lines": out, "law_version": law_version}, law_version


def replay(checks: Checks, assessment: dict[str, Any]) -> dict[str, Any]:
    """Ask the stored questions again; compare with the stored answers."""
    lines = []
    versions = set()
    for line in assessment.get("lines", []):
        try:
            answer = checks.check_export(**line["question"], lang="en")
        except BadInput as e:
            lines.append({"line_no": line["line_no"], "identical": False, "error": str(e)})
            continue
        except NotImplementedError as e:
            raise OfficeError(503, "engine_unavailable") from e
        versions.add(answer.get("law_version"))
        lines.append(
            {
                "line_no": line["line_no"],
                "identical": answer == line["answer"],
                "law_version": answer.get("law_version"),
                "answer": answer,
            }
        )
    stored = assessment.get("law_version")
    return {
        "law_version_now": ",".join(sorted(str(v) for v in versions)) or None,
        "same_law_version": versions == {stored},
        "identical": all(x["identical"] for x in lines),
        "lines": lines,
    }


# How far each outcome is from "go ahead" (the engine's outcomes, mildest first).
SEVERITY = (
    "not_required",
    "generally_approved",
    "normally_issued",
    "case_by_case",
    "generally_denied",
    "new_permits_suspended",
    "prohibited",
)
# Outcomes under which no permit may be issued (a ban, or new permits suspended).
NO_ISSUE = ("prohibited", "new_permits_suspended")


def severity(outcome: str | None) -> int:
    return SEVERITY.index(outcome) if outcome in SEVERITY else -1


def assess_for(
    checks: Checks, app: Application, today: dt.date
) -> tuple[dict[str, Any], str | None]:
    """Assess on the proposed export date and, when that is another day, on today too.

    The stored assessment is the one for the export date; ``today`` holds the answers under
    the law in force on the day of the assessment, so that nobody reads a future (or past)
    state of the law as today's. An export date already past (a reassessment after it) is
    assessed as today.
    """
    on = max(app.proposed_export_date or today, today)
    assessment, law_version = assess(checks, app.destination, on, app.lines)
    if on != today:
        now_, _ = assess(checks, app.destination, today, app.lines)
        assessment["today"] = now_
    return assessment, law_version


def _worst(assessment: dict[str, Any]) -> dict[int, str]:
    """The most restrictive outcome per line over every day an assessment covers."""
    out: dict[int, str] = {}
    parts = [assessment, *([assessment["today"]] if assessment.get("today") else [])]
    for part in parts:
        for line in part.get("lines", []):
            o = str(line.get("answer", {}).get("outcome", ""))
            n = int(line["line_no"])
            if severity(o) > severity(out.get(n)):
                out[n] = o
    return out


def law_blocks(
    checks: Checks,
    destination: str,
    days: Sequence[dt.date],
    lines: Sequence[ApplicationLine | PermitLine],
    assessed: dict[str, Any] | None,
    questions: dict[int, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Lines that the law in force on any of ``days`` bars from a permit.

    A line blocks when its outcome is a ban or suspends new permits, or is more
    restrictive than the assessment the applicant and officer saw (newly restricted).
    Each block carries the rule that decides it, with its citation.
    """
    before = _worst(assessed) if assessed else {}
    blocks: list[dict[str, Any]] = []
    seen: set[int] = set()
    for day in sorted(set(days)):
        for ln in lines:
            if ln.line_no in seen:
                continue
            stored = (questions or {}).get(ln.line_no)
            asked = [dict(q) for q in stored] if stored else questions_for(destination, day, ln)
            for q in asked:
                q["on"] = day.isoformat()
            line_no = ln.line_no
            try:
                _q, answer = ask_line(checks, asked)
            except OfficeError as e:
                if e.status == 422:  # a question the engine refuses blocks nothing here
                    continue
                raise
            outcome = str(answer.get("outcome"))
            was = before.get(line_no)
            if outcome in NO_ISSUE or (was is not None and severity(outcome) > severity(was)):
                seen.add(line_no)
                blocks.append(
                    {
                        "line_no": line_no,
                        "on": day.isoformat(),
                        "outcome": outcome,
                        "was": was,
                        "law_version": answer.get("law_version"),
                        "reasons": answer.get("reasons", []),
                    }
                )
    return sorted(blocks, key=lambda b: b["line_no"])


def citation_of(block: dict[str, Any]) -> str:
    """ "SOR/2020-214 s. 3.7(1) …" for the first reason of a block (or its outcome)."""
    for r in block.get("reasons") or []:
        c = " ".join(str(r.get(k) or "") for k in ("instrument", "provision")).strip()
        if c:
            return c
    return str(block.get("outcome"))


def _raise_blocks(blocks: list[dict[str, Any]]) -> None:
    if blocks:
        b = blocks[0]
        raise OfficeError(
            409,
            "law_blocks_line",
            f"lines[{b['line_no'] - 1}]",
            line_no=b["line_no"],
            on=b["on"],
            outcome=b["outcome"],
            citation=citation_of(b),
            blocks=blocks,
        )


def permit_questions(s: Session, p: Permit) -> dict[int, list[dict[str, Any]]]:
    """The engine questions of each permit line: the one asked when its application was
    assessed, and one per code the permit line holds (its ECL item, its HS code), so a
    measure that meets the goods by another description is not missed."""
    app = s.get(Application, p.application_id)
    stored: dict[int, dict[str, Any]] = {}
    for line in ((app.assessment if app else None) or {}).get("lines", []):
        stored[int(line["line_no"])] = dict(line["question"])
    out: dict[int, list[dict[str, Any]]] = {}
    for ln in p.lines:
        asked = [stored[ln.line_no]] if ln.line_no in stored else []
        for q in questions_for(p.destination, dt.date.today(), ln):
            q.pop("on", None)
            if q not in asked:
                asked.append(q)
        out[ln.line_no] = asked
    return out


def permit_law_flags(s: Session, checks: Checks, p: Permit, on: dt.date) -> list[dict[str, Any]]:
    """Lines of a permit that the law in force on ``on`` now bans (the permit is flagged).

    Law data changes with a new ``law_version``; a ban that starts after issue makes the
    permit unusable for that line (shipments are refused with the citation).
    """
    out = []
    for line_no, asked in permit_questions(s, p).items():
        try:
            _q, answer = ask_line(checks, [q | {"on": on.isoformat()} for q in asked])
        except OfficeError as e:
            if e.status == 422:
                continue
            raise
        if answer.get("outcome") == "prohibited":
            out.append(
                {
                    "line_no": line_no,
                    "on": on.isoformat(),
                    "outcome": "prohibited",
                    "law_version": answer.get("law_version"),
                    "reasons": answer.get("reasons", []),
                }
            )
    return out


def reassess(s: Session, actor: Actor, app_id: int, checks: Checks, today: dt.date) -> Application:
    """Replay a submitted application under the law in force today (officer's button).

    The new answers replace the stored assessment (the old one stays in the audit log),
    so the decision is taken on the law as it stands.
    """
    _require(actor, "officer")
    app = get_application(s, actor, app_id, lock=True)
    if app.status != "submitted":
        raise OfficeError(409, "not_submitted", "status", status=app.status)
    before = snapshot(app) | {"law_version": app.law_version}
    if app.kind == "amendment" and app.amends_permit_id:
        p = s.get(Permit, app.amends_permit_id)
        assert p is not None
        app.assessment, app.law_version = assess(checks, p.destination, today, p.lines)
    else:
        app.assessment, app.law_version = assess_for(checks, app, today)
    app.assessment["reassessed_on"] = today.isoformat()
    app.version += 1
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="application.reassess",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=snapshot(app) | {"law_version": app.law_version},
        law_version=app.law_version,
    )
    return app


def _standard_days(app: Application) -> int:
    if app.kind == "amendment":
        return AMENDMENT_DAYS
    multi = len({c.get("country") for c in app.consignees if c.get("country")}) > 1
    return CONSULTATION_DAYS if (app.consultation_needed or multi) else STANDARD_DAYS


def _set_due(app: Application) -> None:
    assert app.submitted_on is not None
    days = _standard_days(app)
    app.service_standard_days = days
    app.due_on = holidays.add_business_days(app.submitted_on, days)


def submit(s: Session, actor: Actor, app_id: int, checks: Checks, today: dt.date) -> Application:
    _require(actor, "applicant")
    app = get_application(s, actor, app_id, lock=True)
    if app.status != "draft":
        raise OfficeError(409, "not_draft", "status", status=app.status)
    missing = missing_fields(app)
    if missing:
        raise OfficeError(422, "incomplete", missing[0], missing=", ".join(missing))
    if app.proposed_export_date is not None and app.proposed_export_date < today:
        # an export date in the past would be assessed under a law no longer in force
        raise OfficeError(
            422, "date_past", "proposed_export_date", date=app.proposed_export_date.isoformat()
        )
    before = snapshot(app)
    app.assessment, app.law_version = assess_for(checks, app, today)
    app.status = "submitted"
    app.submitted_on = today
    _set_due(app)
    app.version += 1
    app.updated_at = now()
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="application.submit",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=snapshot(app),
        law_version=app.law_version,
    )
    return app


def set_consultation(s: Session, actor: Actor, app_id: int, needed: bool) -> Application:
    _require(actor, "officer")
    app = get_application(s, actor, app_id, lock=True)
    _independent(s, actor, app.organisation_id, app.id)
    if app.status != "submitted" or app.kind != "new":
        raise OfficeError(409, "not_submitted", "status", status=app.status)
    before = snapshot(app)
    app.consultation_needed = needed
    _set_due(app)
    app.version += 1
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="application.consultation",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=snapshot(app),
    )
    return app


def queue(s: Session, actor: Actor) -> list[Application]:
    _require(actor, "officer", "auditor")
    q = (
        select(Application)
        .where(Application.status == "submitted")
        .order_by(Application.due_on, Application.id)
    )
    return list(s.execute(q).scalars())


# ---------------------------------------------------------------- decisions and permits


def effective_status(p: Permit, today: dt.date) -> str:
    if p.status in ("active", "suspended") and today > p.valid_to:
        return "expired"
    return p.status


def permit_snapshot(p: Permit) -> dict[str, Any]:
    return {
        "number": p.number,
        "status": p.status,
        "valid_from": p.valid_from.isoformat(),
        "valid_to": p.valid_to.isoformat(),
        "version": p.version,
        "lines": [
            {
                "line_no": ln.line_no,
                "authorised_quantity": str(milli(ln.authorised_quantity_milli)),
                "authorised_value": str(cents(ln.authorised_value_cents)),
                "used_quantity": str(milli(ln.used_quantity_milli)),
                "used_value": str(cents(ln.used_value_cents)),
            }
            for ln in p.lines
        ],
    }


def _authorisations(
    data: Sequence[Any], valid_lines: dict[int, tuple[int, int]], what: str
) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for i, a in enumerate(data):
        if a.line_no not in valid_lines:
            raise OfficeError(422, "no_such_line", f"lines[{i}].line_no", line_no=a.line_no)
        out[a.line_no] = (to_milli(a.quantity), to_cents(a.value))
    return out


def decide(
    s: Session,
    actor: Actor,
    app_id: int,
    data: DecisionIn,
    today: dt.date,
    checks: Checks | None = None,
) -> Application:
    """Record the officer's decision; an approval issues (or amends) the permit.

    With ``checks`` (the web and the API pass it), an approval first asks the engine again
    under the law in force today and on the first day of validity: a line that is now
    banned, or more restricted than the assessment showed, blocks the permit (409, with the
    rule's citation) until the officer replays the assessment or refuses.
    """
    _require(actor, "officer")
    app = get_application(s, actor, app_id, lock=True)
    _independent(s, actor, app.organisation_id, app.id)
    if app.status != "submitted":
        raise OfficeError(409, "not_submitted", "status", status=app.status)
    if data.outcome == "approve" and checks is not None:
        if app.kind == "new":
            days = [today, data.valid_from or today]
            _raise_blocks(law_blocks(checks, app.destination, days, app.lines, app.assessment))
        elif app.amends_permit_id:
            amended = s.get(Permit, app.amends_permit_id)
            if amended is not None:
                qs = permit_questions(s, amended)
                _raise_blocks(
                    law_blocks(
                        checks, amended.destination, [today], amended.lines, None, questions=qs
                    )
                )
    before = snapshot(app)
    citations = list(data.citations)
    if not citations and app.assessment:
        for line in app.assessment.get("lines", []):
            for r in line.get("answer", {}).get("reasons", []) or []:
                c = " ".join(str(r.get(k) or "") for k in ("instrument", "provision")).strip()
                if r.get("url"):
                    c = f"{c} <{r['url']}>".strip()
                if c and c not in citations:
                    citations.append(c)
    permit: Permit | None = None
    if data.outcome == "approve":
        if app.kind == "new":
            permit = _issue(s, app, data, today)
        else:
            permit = _apply_amendment(s, actor, app, data, today)
    app.status = "approved" if data.outcome == "approve" else "denied"
    app.version += 1
    app.updated_at = now()
    s.add(
        Decision(
            application_id=app.id,
            officer_id=actor.id,
            outcome=data.outcome,
            reasons=data.reasons,
            citations=citations,
            decided_on=today,
            law_version=app.law_version,
        )
    )
    s.flush()
    after = snapshot(app) | {
        "decision": data.outcome,
        "reasons": data.reasons,
        "citations": citations,
    }
    if permit is not None:
        after["permit"] = permit.number
    audit.record(
        s,
        actor=actor.username,
        action=f"application.{app.status}",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=after,
        law_version=app.law_version,
    )
    return app


def _issue(s: Session, app: Application, data: DecisionIn, today: dt.date) -> Permit:
    valid_from = data.valid_from or today
    valid_to = data.valid_to or (valid_from + dt.timedelta(days=365))
    if valid_to < valid_from:
        raise OfficeError(422, "valid_to_before_from", "valid_to")
    if valid_to < today:
        raise OfficeError(422, "valid_to_past", "valid_to")
    applied = {ln.line_no: (ln.quantity_milli, ln.total_value_cents) for ln in app.lines}
    auth = _authorisations(data.lines or [], applied, "lines")
    for i, a in enumerate(data.lines or []):
        q, v = auth[a.line_no]
        if q > applied[a.line_no][0] or v > applied[a.line_no][1]:
            raise OfficeError(422, "exceeds_applied", f"lines[{i}]", line_no=a.line_no)
    p = Permit(
        number="tmp-" + uuid.uuid4().hex[:20],
        application_id=app.id,
        organisation_id=app.organisation_id,
        destination=app.destination,
        status="active",
        issued_on=today,
        valid_from=valid_from,
        valid_to=valid_to,
        conditions=list(data.conditions),
        law_version=app.law_version,
        version=1,
    )
    for ln in app.lines:
        q, v = auth.get(ln.line_no, applied[ln.line_no])
        p.lines.append(
            PermitLine(
                line_no=ln.line_no,
                hs_code=ln.hs_code,
                ecl_item=ln.ecl_item,
                description=ln.description,
                unit=ln.unit,
                authorised_quantity_milli=q,
                authorised_value_cents=v,
                used_quantity_milli=0,
                used_value_cents=0,
            )
        )
    s.add(p)
    s.flush()
    p.number = f"EP-{today.year}-{app.destination}-{p.id:06d}"
    s.flush()
    audit.record(
        s,
        actor="system",
        action="permit.issue",
        entity="permit",
        entity_id=p.number,
        after=permit_snapshot(p),
        law_version=p.law_version,
    )
    return p


def visible_permits(actor: Actor) -> Select[Permit]:
    return _visible(Permit, actor)


def get_permit(s: Session, actor: Actor, permit_id: int, lock: bool = False) -> Permit:
    q = visible_permits(actor).where(Permit.id == permit_id)
    if lock:
        q = q.with_for_update()
    p = s.execute(q).scalar_one_or_none()
    if p is None:
        raise OfficeError(404, "not_found", "permit_id")
    return p


def request_amendment(
    s: Session, actor: Actor, permit_id: int, data: AmendmentIn, checks: Checks, today: dt.date
) -> Application:
    """EIPA s.10 / Regulations s.7: an amendment is requested before the permit expires."""
    _require(actor, "applicant")
    p = get_permit(s, actor, permit_id, lock=True)
    status = effective_status(p, today)
    if status not in ("active", "suspended"):
        raise OfficeError(409, "permit_not_amendable", "permit_id", status=status)
    if data.new_valid_to is None and not data.lines:
        raise OfficeError(422, "amendment_empty", "new_valid_to")
    if data.new_valid_to is not None and data.new_valid_to < today:
        raise OfficeError(422, "valid_to_past", "new_valid_to")
    lines = {ln.line_no: (ln.used_quantity_milli, ln.used_value_cents) for ln in p.lines}
    _authorisations(data.lines, lines, "lines")
    app = _new_app(actor, kind="amendment")
    src = s.get(Application, p.application_id)
    if src is not None:
        for f in ("applicant", "exporter", "consignees", "end_use", "end_user"):
            setattr(app, f, getattr(src, f))
    app.destination = p.destination
    app.amends_permit_id = p.id
    app.amendment = {
        "reason": data.reason,
        "new_valid_to": data.new_valid_to.isoformat() if data.new_valid_to else None,
        "lines": [
            {"line_no": a.line_no, "quantity": str(a.quantity), "value": str(a.value)}
            for a in data.lines
        ],
        "permit_version": p.version,
    }
    app.assessment, app.law_version = assess(checks, p.destination, today, p.lines)
    app.status = "submitted"
    app.submitted_on = today
    _set_due(app)
    s.add(app)
    _name(s, app, "AMD")
    audit.record(
        s,
        actor=actor.username,
        action="amendment.request",
        entity="permit",
        entity_id=p.number,
        after={
            "application": app.reference,
            "amendment": app.amendment,
            "due_on": app.due_on.isoformat() if app.due_on else None,
        },
        law_version=app.law_version,
    )
    return app


def _apply_amendment(
    s: Session, actor: Actor, app: Application, data: DecisionIn, today: dt.date
) -> Permit:
    assert app.amends_permit_id is not None
    p = s.execute(
        select(Permit).where(Permit.id == app.amends_permit_id).with_for_update()
    ).scalar_one()
    status = effective_status(p, today)
    if status not in ("active", "suspended"):
        raise OfficeError(409, "permit_not_amendable", "permit_id", status=status)
    before = permit_snapshot(p)
    amd = app.amendment
    if amd.get("new_valid_to"):
        p.valid_to = dt.date.fromisoformat(amd["new_valid_to"])
    by_no = {ln.line_no: ln for ln in p.lines}
    for i, a in enumerate(amd.get("lines", [])):
        ln = by_no[int(a["line_no"])]
        q, v = to_milli(Decimal(a["quantity"])), to_cents(Decimal(a["value"]))
        if q < ln.used_quantity_milli or v < ln.used_value_cents:
            raise OfficeError(409, "below_used", f"lines[{i}]", line_no=ln.line_no)
        ln.authorised_quantity_milli, ln.authorised_value_cents = q, v
    if data.conditions:
        p.conditions = list(data.conditions)
    p.version += 1
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="permit.amend",
        entity="permit",
        entity_id=p.number,
        before=before,
        after=permit_snapshot(p),
        law_version=app.law_version,
    )
    return p


TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "suspend": (("active",), "suspended"),
    "reinstate": (("suspended",), "active"),
    "cancel": (("active", "suspended"), "cancelled"),
    "expire": (("active", "suspended"), "expired"),
}


def transition(
    s: Session, actor: Actor, permit_id: int, action: str, reason: str, today: dt.date
) -> Permit:
    """Suspend, reinstate, cancel or expire a permit (EIPA s.10); every transition checked."""
    _require(actor, "officer")
    if action not in TRANSITIONS:
        raise OfficeError(404, "not_found", "action")
    p = get_permit(s, actor, permit_id, lock=True)
    _independent(s, actor, p.organisation_id, p.application_id)
    allowed, target = TRANSITIONS[action]
    eff = effective_status(p, today)
    if action == "expire":
        if p.status not in allowed or today <= p.valid_to:
            raise OfficeError(409, "bad_transition", "status", status=eff, action=action)
    elif eff not in allowed:
        raise OfficeError(409, "bad_transition", "status", status=eff, action=action)
    before = permit_snapshot(p)
    p.status = target
    p.version += 1
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action=f"permit.{action}",
        entity="permit",
        entity_id=p.number,
        before=before,
        after=permit_snapshot(p) | {"reason": reason},
        law_version=p.law_version,
    )
    return p


def expire_due(s: Session, today: dt.date, actor: str = "system") -> list[str]:
    """Mark as expired every active or suspended permit whose validity has ended."""
    rows = s.execute(
        select(Permit)
        .where(Permit.status.in_(("active", "suspended")), Permit.valid_to < today)
        .with_for_update()
    ).scalars()
    done = []
    for p in rows:
        before = permit_snapshot(p)
        p.status = "expired"
        p.version += 1
        s.flush()
        audit.record(
            s,
            actor=actor,
            action="permit.expire",
            entity="permit",
            entity_id=p.number,
            before=before,
            after=permit_snapshot(p),
            law_version=p.law_version,
        )
        done.append(p.number)
    return done


# ---------------------------------------------------------------- shipments (drawdown)


def _request_hash(data: ShipmentIn, line_no: int) -> str:
    body = {
        "line_no": line_no,
        "quantity": str(data.quantity.quantize(MILLI)),
        "value": str(data.value.quantize(CENT)),
        "shipped_on": data.shipped_on.isoformat(),
        "export_declaration_ref": data.export_declaration_ref,
    }
    return hashlib.sha256(canonical(body).encode()).hexdigest()


class Drawdown(NamedTuple):
    shipment: Shipment
    new: bool  # False: a retry of an earlier request (same idempotency key and body)
    permit_number: str


def _refuse_banned_line(
    s: Session, actor: Actor, permit_id: int, data: ShipmentIn, checks: Checks
) -> None:
    p = get_permit(s, actor, permit_id)  # 404 unless visible to this actor
    asked = permit_questions(s, p).get(data.line_no)
    if not asked:
        return  # no such line: refused below with its own message
    try:
        _q, answer = ask_line(checks, [q | {"on": data.shipped_on.isoformat()} for q in asked])
    except OfficeError:
        return
    if answer.get("outcome") == "prohibited":
        block = {"reasons": answer.get("reasons", []), "outcome": "prohibited"}
        raise OfficeError(
            409,
            "line_now_prohibited",
            "line_no",
            line_no=data.line_no,
            on=data.shipped_on.isoformat(),
            citation=citation_of(block),
        )


def record_shipment(
    s: Session,
    actor: Actor,
    permit_id: int,
    data: ShipmentIn,
    key: str | None,
    today: dt.date,
    checks: Checks | None = None,
) -> Drawdown:
    """Draw a shipment down against a permit line; returns (shipment, newly_recorded).

    The permit row and the line row are locked (``FOR UPDATE`` on PostgreSQL; SQLite holds
    the single write lock since ``BEGIN IMMEDIATE``), then the idempotency key is looked
    up, then the balance is checked: concurrent drawers queue on the lock and each sees the
    balance the previous one left.
    """
    _require(actor, "applicant")
    key = key or data.idempotency_key
    if not key:
        raise OfficeError(422, "idempotency_key_required", "idempotency_key")
    digest = _request_hash(data, data.line_no)
    # SQLAlchemy Core on this hot path: few, short statements while the rows are locked.
    conn = s.connection()
    pt, lt, st = (cast(Table, m.__table__) for m in (Permit, PermitLine, Shipment))
    q = (
        select(
            pt.c.id,
            pt.c.number,
            pt.c.status,
            pt.c.valid_from,
            pt.c.valid_to,
            pt.c.law_version,
            lt.c.id.label("line_id"),
            lt.c.unit,
            lt.c.authorised_quantity_milli,
            lt.c.authorised_value_cents,
            lt.c.used_quantity_milli,
            lt.c.used_value_cents,
        )
        .join(lt, lt.c.permit_id == pt.c.id)
        .where(pt.c.id == permit_id, lt.c.line_no == data.line_no)
    )
    if actor.role == "applicant":
        q = q.where(pt.c.organisation_id == actor.organisation_id)
    # A retry finds its shipment before any lock is taken. Two concurrent requests with the
    # same new key both pass here; the unique constraint (permit_id, idempotency_key) then
    # refuses the second INSERT and the caller retries once, finding the first (see api.py).
    existing = conn.execute(
        select(st.c.id, st.c.permit_id, st.c.request_sha256).where(
            st.c.permit_id == permit_id, st.c.idempotency_key == key
        )
    ).one_or_none()
    if existing is not None:
        permit = get_permit(s, actor, existing.permit_id)  # 404 unless visible to this actor
        if existing.request_sha256 != digest:
            raise OfficeError(409, "idempotency_key_reused", "idempotency_key")
        old = s.get(Shipment, existing.id)
        assert old is not None
        return Drawdown(old, False, permit.number)
    if checks is not None:
        # The law may have changed since issue: a line banned on the shipping day is
        # refused. Asked before the row lock is taken (the answer depends only on the
        # request), so the serialised part of the drawdown does not grow.
        _refuse_banned_line(s, actor, permit_id, data, checks)
    # one statement locks the permit row and the line row (FOR UPDATE on PostgreSQL)
    row = conn.execute(q.with_for_update()).one_or_none()
    if row is None:
        get_permit(s, actor, permit_id)  # 404 when the permit is not visible
        raise OfficeError(422, "no_such_line", "line_no", line_no=data.line_no)
    valid_to: dt.date = row.valid_to
    status = row.status
    if status in ("active", "suspended") and today > valid_to:
        status = "expired"
    if status != "active":
        raise OfficeError(409, "permit_not_usable", "permit_id", status=status)
    if not (row.valid_from <= data.shipped_on <= valid_to):
        raise OfficeError(
            422,
            "outside_validity",
            "shipped_on",
            valid_from=row.valid_from.isoformat(),
            valid_to=valid_to.isoformat(),
        )
    if data.shipped_on > today:
        raise OfficeError(422, "future_shipment", "shipped_on")
    q_m, v_c = to_milli(data.quantity), to_cents(data.value)
    used_q, used_v = row.used_quantity_milli, row.used_value_cents
    if used_q + q_m > row.authorised_quantity_milli:
        raise OfficeError(
            409,
            "exceeds_quantity",
            "quantity",
            remaining=str(milli(row.authorised_quantity_milli - used_q)),
            unit=row.unit,
        )
    if used_v + v_c > row.authorised_value_cents:
        raise OfficeError(
            409, "exceeds_value", "value", remaining=str(cents(row.authorised_value_cents - used_v))
        )
    sh = Shipment(
        permit_id=row.id,
        permit_line_id=row.line_id,
        line_no=data.line_no,
        quantity_milli=q_m,
        value_cents=v_c,
        shipped_on=data.shipped_on,
        export_declaration_ref=data.export_declaration_ref,
        idempotency_key=key,
        request_sha256=digest,
        recorded_by_id=actor.id,
        recorded_at=now(),
    )
    values = {c.name: getattr(sh, c.name) for c in st.columns if c.name != "id"}
    drawn = {"used_q": used_q + q_m, "used_v": used_v + v_c, "line_id": row.line_id}
    if conn.dialect.name == "postgresql":
        # one round trip while the rows are locked: draw down and record together
        cols = ", ".join(values)
        sh.id = conn.execute(
            text(
                "WITH drawn AS (UPDATE permit_lines SET used_quantity_milli = :used_q, "
                "used_value_cents = :used_v WHERE id = :line_id RETURNING id) "
                f"INSERT INTO shipments ({cols}) "
                f"SELECT {', '.join(':' + c for c in values)} FROM drawn RETURNING id"
            ),
            {**values, **drawn},
        ).scalar_one()
    else:
        conn.execute(
            update(lt)
            .where(lt.c.id == row.line_id)
            .values(used_quantity_milli=drawn["used_q"], used_value_cents=drawn["used_v"])
        )
        sh.id = conn.execute(insert(st).values(**values).returning(st.c.id)).scalar_one()
    audit.record(
        s,
        actor=actor.username,
        action="shipment.record",
        entity="permit",
        entity_id=row.number,
        before={
            "line_no": data.line_no,
            "used_quantity": str(milli(used_q)),
            "used_value": str(cents(used_v)),
        },
        after={
            "line_no": data.line_no,
            "shipment": sh.id,
            "quantity": str(data.quantity),
            "value": str(data.value),
            "shipped_on": data.shipped_on.isoformat(),
            "export_declaration_ref": data.export_declaration_ref,
            "used_quantity": str(milli(used_q + q_m)),
            "used_value": str(cents(used_v + v_c)),
        },
        law_version=row.law_version,
    )
    return Drawdown(sh, True, row.number)


def shipments_of(s: Session, actor: Actor, permit_id: int) -> list[Shipment]:
    p = get_permit(s, actor, permit_id)
    return list(
        s.execute(
            select(Shipment).where(Shipment.permit_id == p.id).order_by(Shipment.id)
        ).scalars()
    )


Clock = Callable[[], dt.date]
