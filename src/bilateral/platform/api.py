"""The shared JSON API (``/api``): Bearer-token authentication (``bearer_actor``), role
checks (``_roles``), the caller (``/api/me``), users, API tokens, passwords and the audit
log. Applications add their own routers and use ``Who`` for the caller."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Body, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from bilateral.platform import accounts, audit, deps, present, roles
from bilateral.platform.accounts import Actor, OfficeError
from bilateral.platform.models import AuditEntry, User
from bilateral.platform.schemas import (
    AuditOut,
    AuditVerifyOut,
    ErrorOut,
    PasswordIn,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserCreated,
    UserIn,
    UserOut,
)

DB = Annotated[Session, Depends(deps.db)]
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10**9)]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 415, 429, 503)
}


def bearer_token(request: Request) -> str:
    """The API token of the request's ``Authorization: Bearer`` header (none: 401)."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OfficeError(401, "unauthenticated")
    return token.strip()


def bearer_actor(request: Request, s: DB) -> Actor:
    actor = accounts.actor_for_token(s, bearer_token(request))
    if actor is None:
        raise OfficeError(401, "unauthenticated")
    return actor


Who = Annotated[Actor, Depends(bearer_actor)]


def _roles(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise OfficeError(403, "forbidden")


router = APIRouter(prefix="/api", responses=ERRORS)


# ------------------------------------------------------------------ users


@router.get("/me", response_model=UserOut, tags=["users"])
def me(actor: Who, s: DB) -> UserOut:
    u = s.get(User, actor.id)
    assert u is not None
    return present.user(s, u)


@router.post("/users", response_model=UserCreated, status_code=201, tags=["users"])
def create_user(data: UserIn, actor: Who, s: DB) -> UserCreated:
    _roles(actor, "admin")
    u, token, pw = accounts.create_user(
        s, data.username, data.role, data.organisation, data.password, actor=actor.username
    )
    out = UserCreated(**present.user(s, u).model_dump(), token=token, password=pw)
    s.commit()
    return out


@router.get("/users", response_model=list[UserOut], tags=["users"])
def list_users(actor: Who, s: DB) -> list[UserOut]:
    _roles(actor, "admin", "auditor")
    return [present.user(s, u) for u in s.execute(select(User).order_by(User.id)).scalars()]


@router.post("/users/{user_id}/deactivate", response_model=UserOut, tags=["users"])
def deactivate_user(user_id: Id, actor: Who, s: DB) -> UserOut:
    """Deactivate an account (admin): its API tokens are revoked, its sessions end, now."""
    out = present.user(s, accounts.set_user_active(s, actor, user_id, False))
    s.commit()
    return out


@router.post("/users/{user_id}/reactivate", response_model=UserOut, tags=["users"])
def reactivate_user(user_id: Id, actor: Who, s: DB) -> UserOut:
    """Reactivate an account (admin); it needs a new API token (old ones stay revoked)."""
    out = present.user(s, accounts.set_user_active(s, actor, user_id, True))
    s.commit()
    return out


@router.get("/users/{user_id}/tokens", response_model=list[TokenOut], tags=["users"])
def list_tokens(user_id: Id, actor: Who, s: DB) -> list[TokenOut]:
    """A user's API tokens without their secret (admin, auditor, or the user)."""
    return [present.token(t) for t in accounts.tokens_of(s, actor, user_id)]


@router.post(
    "/users/{user_id}/tokens", response_model=TokenCreated, status_code=201, tags=["users"]
)
async def issue_token(
    request: Request,
    user_id: Id,
    actor: Who,
    s: DB,
    data: Annotated[TokenIn | None, Body()] = None,
) -> TokenCreated:
    """Issue a new API token: an admin for anyone, or a user for themselves with their
    current password (so that a stolen token cannot mint more); shown once. Failed
    passwords are throttled like sign-ins (429 with Retry-After)."""
    if actor.role != "admin":
        if actor.id != user_id:
            raise OfficeError(403, "forbidden")
        if data is None or not data.password:
            raise OfficeError(422, "password_required", "password")
        if not await deps.verify_own_password(request, actor.id, actor.username, data.password):
            raise OfficeError(422, "wrong_password", "password")

    def work() -> TokenCreated:
        row, token = accounts.new_user_token(s, actor, user_id)
        out = TokenCreated(**present.token(row).model_dump(), token=token)
        s.commit()
        return out

    return await anyio.to_thread.run_sync(work)


@router.delete("/tokens/{token_id}", response_model=TokenOut, tags=["users"])
def revoke_token(token_id: Id, actor: Who, s: DB) -> TokenOut:
    """Revoke an API token (admin: any; others: their own). Effective at once."""
    out = present.token(accounts.revoke_token(s, actor, token_id))
    s.commit()
    return out


@router.post("/me/password", response_model=UserOut, tags=["users"])
def change_password(request: Request, data: PasswordIn, actor: Who, s: DB) -> UserOut:
    """Change one's own password (the current one is required; failures are throttled
    like sign-ins: 429 with Retry-After)."""
    deps.check_throttle(request, actor.username)
    try:
        u = accounts.change_password(s, actor, data.old_password, data.new_password)
    except OfficeError as e:
        if e.code == "wrong_password":
            deps.throttle(request).failure(actor.username, deps.client_address(request))
        raise
    out = present.user(s, u)
    s.commit()
    return out


# ------------------------------------------------------------------ audit


@router.get("/audit", response_model=list[AuditOut], tags=["audit"])
def read_audit(
    actor: Who,
    s: DB,
    after_id: Offset = 0,
    limit: Limit = 100,
    entity_id: Annotated[str | None, Query(max_length=40)] = None,
) -> list[AuditOut]:
    _roles(actor, *roles.audit_readers())
    q = select(AuditEntry).where(AuditEntry.id > after_id)
    if entity_id:
        q = q.where(AuditEntry.entity_id == entity_id)
    rows = s.execute(q.order_by(AuditEntry.id).limit(limit)).scalars()
    return [present.audit_entry(e) for e in rows]


@router.get("/audit/verify", response_model=AuditVerifyOut, tags=["audit"])
def verify_audit(actor: Who, s: DB) -> AuditVerifyOut:
    _roles(actor, *roles.audit_readers())
    v = audit.verify(s)
    balances = audit.reconcile(s)
    return AuditVerifyOut(
        ok=v.ok and not balances,
        entries=v.entries,
        first_bad_id=v.first_bad_id,
        problem=v.problem,
        balance_problems=balances,
    )
