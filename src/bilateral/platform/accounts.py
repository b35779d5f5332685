"""Accounts shared by every application: the refusal type (``OfficeError``), the acting
user (``Actor``), users, organisations, API tokens, passwords and web sessions.

Moved from ``bilateral.office.services`` with the same names and signatures.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from bilateral.platform import audit, roles
from bilateral.platform.models import ApiToken, Organisation, User, WebSession
from bilateral.platform.security import (
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


def _require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise OfficeError(403, "forbidden")


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
    known = roles.get(role)
    if known is None:
        raise OfficeError(422, "bad_role", "role", roles=", ".join(roles.names()))
    if known.needs_organisation and not organisation:
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


_U, _T = cast(Table, User.__table__), cast(Table, ApiToken.__table__)
# built once (building it per request cost as much as running it)
# The actor of an API token (its digest bound as ``digest``); an application may extend it
# to read, in the same statement, what its request needs (see office.services).
ACTOR_OF_TOKEN = (
    select(_U.c.id, _U.c.username, _U.c.role, _U.c.organisation_id)
    .join(_T, _T.c.user_id == _U.c.id)
    .where(_T.c.token_sha256 == bindparam("digest"), ~_T.c.revoked, _U.c.active)
)


def actor_for_token(s: Session, token: str) -> Actor | None:
    """The actor of an API token: one indexed lookup per request, no cache.

    Not cached, so that revoking a token or deactivating an account takes effect at once
    in every worker process (the lookup costs about 0.3 ms; see docs/office.md).
    """
    row = s.connection().execute(ACTOR_OF_TOKEN, {"digest": token_digest(token)}).one_or_none()
    return None if row is None else actor_of_row(row)


def actor_of_row(row: Any) -> Actor:
    """The actor of a row read with ``ACTOR_OF_TOKEN`` (or a statement extending it)."""
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
