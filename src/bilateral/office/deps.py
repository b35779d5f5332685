"""Request-scoped dependencies shared by the API and the web pages."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import weakref
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from bilateral.office.settings import Settings

READ_METHODS = ("GET", "HEAD", "OPTIONS")


# trivial dependencies are ``async`` so that FastAPI does not hop to a worker thread for them


async def settings_dep(request: Request) -> Settings:
    return settings(request)


async def today_dep(request: Request) -> dt.date:
    return today(request)


def settings(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


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
        await request.form()
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
