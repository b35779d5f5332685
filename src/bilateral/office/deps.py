"""Request-scoped dependencies shared by the API and the web pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from bilateral.office.db import begin_write
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


def db(request: Request) -> Iterator[Session]:
    """One session and one transaction per request; writes open it as a write transaction.

    Endpoints commit explicitly at the end; anything not committed is rolled back.
    """
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as s:
        if request.method not in READ_METHODS:
            begin_write(s)
        try:
            yield s
        finally:
            s.rollback()
