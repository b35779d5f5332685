"""Fixtures for the permit office: SQLite always; PostgreSQL when reachable (fresh schema)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from bilateral.platform import accounts, db
from bilateral.platform.settings import Settings
from bilateral.server import create_app

TODAY = dt.date(2026, 3, 2)  # a Monday
PG_URL = os.environ.get(
    "BILATERAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_reachable() -> str | None:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as e:  # pragma: no cover - depends on the machine
        return f"PostgreSQL not reachable at {PG_URL}: {type(e).__name__}"


class RecordingChecks:
    """The real engine (``bilateral.engine.checks``), recording each question it is asked.

    ``law`` may be set to another loaded bundle to stand for a later state of the law.
    """

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.law: Any = None

    def _ask(self, name: str, kw: dict[str, Any]) -> dict[str, Any]:
        from bilateral.engine import checks

        self.calls.append(kw)
        extra = {"law": self.law} if self.law is not None else {}
        answer: dict[str, Any] = getattr(checks, name)(**kw, **extra)
        return answer

    def check_export(self, **kw: Any) -> dict[str, Any]:
        return self._ask("check_export", kw)

    def check_import(self, **kw: Any) -> dict[str, Any]:
        return self._ask("check_import", kw)

    def law_version(self, **kw: Any) -> str:
        from bilateral.engine import checks

        extra = {"law": self.law} if self.law is not None else {}
        return checks.law_version(**kw, **extra)

    def check_contact(self, **kw: Any) -> dict[str, Any]:
        return self._ask("check_contact", kw)

    def measures(self, **kw: Any) -> dict[str, Any]:
        return self._ask("measures", kw)

    def timeline(self, **kw: Any) -> dict[str, Any]:
        return self._ask("timeline", kw)


def citations(answer: dict[str, Any]) -> list[str]:
    """The citations an officer's decision carries by default for an engine answer."""
    return [f"{r['instrument']} {r['provision']} <{r['url']}>" for r in answer["reasons"]]


def make_settings(tmp: Path, url: str | None = None) -> Settings:
    return Settings(
        database_url=url or f"sqlite:///{tmp / 'office.sqlite3'}",
        data_dir=tmp / "data",
        session_key="test-session-key",
        today=lambda: TODAY,
    )


class Office:
    """An app + client + helpers to create users with tokens."""

    def __init__(self, settings: Settings, checks: Any, engine: Any = None) -> None:
        self.settings = settings
        self.checks = checks
        self.app = create_app(settings, checks=checks, engine=engine)
        self.client = TestClient(self.app)
        self.sessions = self.app.state.sessions
        self.tokens: dict[str, str] = {}

    def user(
        self, name: str, role: str, org: str | None = None, password: str | None = None
    ) -> dict[str, str]:
        with db.write_session(self.sessions) as s:
            _u, token, _pw = accounts.create_user(
                s, name, role, org, password or "correct horse battery"
            )
        self.tokens[name] = token
        return {"Authorization": f"Bearer {token}"}


def _schema_engine(schema: str) -> Any:
    return create_engine(
        PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_size=20, max_overflow=60
    )


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    why = _pg_reachable()
    if why:
        if os.environ.get("BILATERAL_REQUIRE_PG") == "1":
            pytest.fail(f"BILATERAL_REQUIRE_PG=1 but {why}")
        pytest.skip(f"PostgreSQL tests skipped: {why} (set BILATERAL_TEST_PG_URL)")
    schema = "office_test_" + uuid.uuid4().hex[:10]
    eng = create_engine(PG_URL)
    with eng.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with eng.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    if request.param == "sqlite":
        settings = make_settings(tmp_path)
        engine = db.make_engine(settings)
        db.upgrade(settings, engine=engine)
        yield Office(settings, RecordingChecks(), engine)
        engine.dispose()
        return
    yield from _pg_office(request, tmp_path)


def _pg_office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    base: str = request.getfixturevalue("pg_schema")
    schema = f"{base}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    settings = make_settings(tmp_path, PG_URL)
    engine = _schema_engine(schema)
    db.upgrade(settings, engine=engine)
    yield Office(settings, RecordingChecks(), engine)
    engine.dispose()
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    """PostgreSQL only (skipped with a message when unreachable)."""
    yield from _pg_office(request, tmp_path)


@pytest.fixture
def sqlite_office(tmp_path: Path) -> Iterator[Office]:
    settings = make_settings(tmp_path)
    engine = db.make_engine(settings)
    db.upgrade(settings, engine=engine)
    yield Office(settings, RecordingChecks(), engine)
    engine.dispose()


def good_application(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "applicant": {
            "name": "Maple Foods Ltd",
            "address": "1 Main St, Ottawa ON",
            "contact": "a@maple.example",
        },
        "exporter": {
            "name": "Maple Foods Ltd",
            "address": "1 Main St, Ottawa ON",
            "contact": "a@maple.example",
        },
        "consignees": [
            {
                "name": "Minsk Trading",
                "address": "2 Nezavisimosti Ave, Minsk",
                "contact": "+375 17 000",
                "country": "BY",
            }
        ],
        "destination": "BY",
        "end_use": "Retail sale of food",
        "end_user": {
            "name": "Minsk Trading",
            "address": "2 Nezavisimosti Ave, Minsk",
            "contact": "",
        },
        "lines": [
            {
                "origin": "CA",
                "hs_code": "0402.10",
                "category": "food",
                "description": "Milk powder",
                "quantity": "1000",
                "unit": "kg",
                "unit_value": "4.50",
            }
        ],
        "declarations": {"information_true": True, "aware_of_obligations": True},
    }
    body.update(over)
    return body


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgresql: needs PostgreSQL (skipped with a message if unreachable)"
    )
    config.addinivalue_line("markers", "browser: drives /usr/bin/chromium with Playwright")
    config.addinivalue_line("markers", "engine: needs the real determination engine")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        cs = getattr(item, "callspec", None)
        if cs is not None and cs.params.get("office") == "postgresql":
            item.add_marker(pytest.mark.postgresql)
