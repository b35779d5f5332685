"""Request-scoped dependencies shared by the API and the web pages."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import weakref
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.to_thread
from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bilateral.platform.accounts import OfficeError
from bilateral.platform.models import User
from bilateral.platform.schemas import has_control
from bilateral.platform.security import LoginThrottle, verify_password
from bilateral.platform.settings import Settings

READ_METHODS = ("GET", "HEAD", "OPTIONS")


# trivial dependencies are ``async`` so that FastAPI does not hop to a worker thread for them


async def settings_dep(request: Request) -> Settings:
    return settings(request)


async def today_dep(request: Request) -> dt.date:
    return today(request)


def settings(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


def api_lang(request: Request, asked: str | None = None) -> str:
    """The language of an API answer or public page: ``?lang=`` (or ``asked``, its value
    already read) if it names a language, else French for an ``Accept-Language`` that
    starts with fr, else English."""
    if asked is None:
        asked = request.query_params.get("lang")
    if asked in ("en", "fr"):
        return str(asked)
    return "fr" if request.headers.get("accept-language", "").lower().startswith("fr") else "en"


def today(request: Request) -> dt.date:
    return settings(request).today()


def checks(request: Request) -> Any:
    return request.app.state.checks


# One write gate per event loop (one per server process). Keyed by loop because the test
# client may run requests on more than one loop.
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _gate() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = asyncio.Lock()
    return gate


@contextlib.asynccontextmanager
async def write_gate(request: Request) -> AsyncIterator[None]:
    """SQLite: one write request of this process at a time, queued on the event loop.

    SQLite has a single writer. Without this gate, a request holding the write lock could
    wait for a worker thread while every worker thread waited (``busy_timeout``) for that
    lock: a lock-order inversion that ended in "database is locked" or a hung server.
    Waiting here holds no thread and no connection, and the queue is FIFO (fair). On
    PostgreSQL (row locks, many writers) the gate is open.
    """
    if not settings(request).is_sqlite:
        yield
        return
    async with _gate():
        yield


async def read_body(request: Request) -> None:
    """Read the whole request body before the write gate, so that a slow client holds
    nothing while it sends (the form or body is cached on the request)."""
    kind = request.headers.get("content-type", "")
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        for name, value in form.multi_items():
            # NUL and other control characters in any text field: 422 naming the field
            if isinstance(value, str) and has_control(value):
                raise OfficeError(422, "control_chars", name)
    else:
        await request.body()


async def db(request: Request) -> AsyncIterator[Session]:
    """One session and one transaction per request; writes open it as a write transaction.

    ``async`` so that it runs on the event loop: it does no I/O itself (the transaction
    begins at the first statement) and its clean-up (a rollback of anything not committed)
    needs no worker thread, so a failed request releases the SQLite write lock at once.
    Write requests pass the write gate after their body is read. Endpoints commit
    explicitly at the end; anything not committed is rolled back.
    """
    if request.method in READ_METHODS:
        factory: sessionmaker[Session] = request.app.state.sessions
        with factory() as s:
            try:
                yield s
            finally:
                s.rollback()
        return
    await read_body(request)
    writes: sessionmaker[Session] = request.app.state.write_sessions
    async with write_gate(request):
        with writes() as s:
            try:
                yield s
            finally:
                s.rollback()


# Argon2 verifications run on their own limiter of one thread: however many sign-in
# attempts arrive, they queue on the event loop and never occupy the worker threads that
# every other request needs (Argon2id uses ~64 MiB and tens of ms of CPU per check).
_ARGON2: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def argon2_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    lim = _ARGON2.get(loop)
    if lim is None:
        lim = _ARGON2[loop] = anyio.CapacityLimiter(1)
    return lim


def throttle(request: Request) -> LoginThrottle:
    t: LoginThrottle = request.app.state.login_throttle
    return t


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def check_throttle(request: Request, username: str) -> None:
    """429 with Retry-After when this account or this address must wait."""
    wait = throttle(request).retry_after(username, client_address(request))
    if wait > 0:
        raise OfficeError(429, "throttled", "password", seconds=wait)


async def verify_login(request: Request, username: str, password: str) -> tuple[int, int] | None:
    """``(user id, session epoch)`` when the name and password are right and the account
    active, else None. The user is read in a short read transaction; the Argon2 check
    runs after it, on the Argon2 limiter, outside any transaction and the write gate."""
    factory: sessionmaker[Session] = request.app.state.sessions

    def work() -> tuple[int, int] | None:
        with factory() as s:
            row = s.execute(
                select(User.id, User.password_hash, User.active, User.session_epoch).where(
                    User.username == username
                )
            ).one_or_none()
            s.rollback()
        ok = verify_password(row.password_hash if row else None, password)
        if row is None or not ok or not row.active:
            return None
        return int(row.id), int(row.session_epoch)

    return await anyio.to_thread.run_sync(work, limiter=argon2_limiter())


async def verify_own_password(request: Request, user_id: int, username: str, password: str) -> bool:
    """Whether ``password`` is the user's; throttled per account and address like a
    sign-in (429 with Retry-After), checked on the Argon2 limiter."""
    check_throttle(request, username)
    factory: sessionmaker[Session] = request.app.state.sessions

    def work() -> bool:
        with factory() as s:
            h = s.execute(select(User.password_hash).where(User.id == user_id)).scalar_one()
            s.rollback()
        return verify_password(h, password)

    ok = await anyio.to_thread.run_sync(work, limiter=argon2_limiter())
    t, addr = throttle(request), client_address(request)
    if ok:
        t.success(username, addr)
    else:
        t.failure(username, addr)
    return ok
