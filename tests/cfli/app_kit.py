"""The CFLI application in the platform app beside the permit office (``bilateral.server``),
on SQLite and PostgreSQL with the real migrations (fixtures in conftest.py)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from bilateral.cfli.web import services as sv
from bilateral.platform import db
from bilateral.platform.accounts import Actor, create_user
from bilateral.platform.models import User
from bilateral.platform.settings import Settings
from bilateral.server import create_app

TODAY = dt.date(2026, 5, 15)
PG_URL = os.environ.get(
    "BILATERAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "correct horse battery"


def _pg_reachable() -> str | None:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as e:  # pragma: no cover - depends on the machine
        return f"PostgreSQL not reachable at {PG_URL}: {type(e).__name__}"


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


class Cfli:
    """The platform app with CFLI installed, a client, and helpers."""

    def __init__(self, settings: Settings, engine: Any, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.app = create_app(settings, engine=engine)
        self.client = TestClient(self.app)
        self.sessions = self.app.state.sessions
        self.keys = self.app.state.cfli_keys
        self.engine = engine
        self.tokens: dict[str, str] = {}

    def user(
        self, name: str, role: str, org: str | None = None, mission: str | None = None
    ) -> dict[str, str]:
        with db.write_session(self.sessions) as s:
            u, token, _pw = create_user(s, name, role, org, PASSWORD)
            if mission:
                sv.add_staff(s, u, mission)
        self.tokens[name] = token
        return {"Authorization": f"Bearer {token}"}

    def actor(self, name: str) -> Actor:
        with self.sessions() as s:
            return Actor.of(s.execute(select(User).where(User.username == name)).scalar_one())

    def sync(self) -> None:
        with db.write_session(self.sessions) as s:
            sv.sync_calls(s)


OFFICER_SETS: dict[str, Any] = {
    "minimum_contribution": {"cad": "5000"},
    "maximum_contribution": {"cad": "100000"},
    "application_deadline": "2026-05-30",
    "registration_required": False,
    "envelope": {"cad": "50000"},
    "ineligible_costs": ["hospitality"],
    "reporting": {"final_narrative_days": 30, "final_financial_days": 30},
    "payment_terms": {"advance_percent": "80"},
    "criteria": [
        {"id": "relevance", "label": {"en": "Relevance", "fr": "Pertinence"}, "weight": "40"},
        {"id": "feasibility", "label": {"en": "Feasibility", "fr": "Faisabilité"}, "weight": "35"},
        {"id": "impact", "label": {"en": "Local impact", "fr": "Impact local"}, "weight": "25"},
    ],
}


def make_settings(tmp: Path, url: str | None = None, clock: Clock | None = None) -> Settings:
    return Settings(
        database_url=url or f"sqlite:///{tmp / 'cfli.sqlite3'}",
        data_dir=tmp / "data",
        session_key="test-session-key",
        today=clock or Clock(TODAY),
    )


@pytest.fixture(scope="session")
def cfli_pg_schema() -> Iterator[str]:
    why = _pg_reachable()
    if why:
        if os.environ.get("BILATERAL_REQUIRE_PG") == "1":
            pytest.fail(f"BILATERAL_REQUIRE_PG=1 but {why}")
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    schema = "cfli_test_" + uuid.uuid4().hex[:10]
    eng = create_engine(PG_URL)
    with eng.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with eng.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


def _sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cfli]:
    clock = Clock(TODAY)
    settings = make_settings(tmp_path, clock=clock)
    engine = db.make_engine(settings)
    db.upgrade(settings, engine=engine)
    yield Cfli(settings, engine, clock)
    engine.dispose()


def _pg(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cfli]:
    base: str = request.getfixturevalue("cfli_pg_schema")
    schema = f"{base}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    clock = Clock(TODAY)
    settings = make_settings(tmp_path, PG_URL, clock)
    engine = create_engine(
        PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_size=20, max_overflow=20
    )
    db.upgrade(settings, engine=engine)
    yield Cfli(settings, engine, clock)
    engine.dispose()
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def cfli(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cfli]:
    monkeypatch.setenv("BILATERAL_CFLI_KEYS", Fernet.generate_key().decode())
    if request.param == "sqlite":
        yield from _sqlite(tmp_path, monkeypatch)
    else:
        yield from _pg(request, tmp_path)


@pytest.fixture
def sqlite_cfli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cfli]:
    monkeypatch.setenv("BILATERAL_CFLI_KEYS", Fernet.generate_key().decode())
    yield from _sqlite(tmp_path, monkeypatch)


@pytest.fixture
def pg_cfli(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cfli]:
    monkeypatch.setenv("BILATERAL_CFLI_KEYS", Fernet.generate_key().decode())
    yield from _pg(request, tmp_path)


def draft(**changes: Any) -> dict[str, Any]:
    """A complete proposal draft (invented organisation and people)."""
    data: dict[str, Any] = {
        "language": "en",
        "organisation": {
            "name": "Independent Media Circle",
            "type": "local_ngo",
            "country": "BY",
            "registration": "not_registered_at_risk",
            "risk_explanation": "Registration would expose the members to prosecution.",
            "contacts": [
                {"name": "Ala Example", "role": "coordinator", "email": "ala@example.org"}
            ],
        },
        "project_country": "BY",
        "title": "Access to independent news for rural readers",
        "themes": ["inclusive_governance", "gender_equality"],
        "objectives": ["Train 40 rural correspondents, half of them women, in fact-checking."],
        "activities": [
            {"title": "Training workshops", "start": "2026-07-01", "end": "2026-10-31"},
            {"title": "Regional newsletters", "start": "2026-09-01", "end": "2027-01-31"},
        ],
        "beneficiaries": {"description": "Rural readers in three regions", "count": 40},
        "gender_analysis": "Half the places are reserved for women.",
        "risks": ["Participants' safety; sessions held online with pseudonyms."],
        "budget": [
            {
                "category": "training",
                "description": "Trainers",
                "cfli": "12000",
                "other_sources": "1000",
            },
            {
                "category": "communications",
                "description": "Newsletter",
                "cfli": "8500.50",
                "in_kind": "500",
            },
            {"category": "administration", "description": "Accounting", "cfli": "2499.50"},
        ],
        "requested": "23000",
    }
    data.update(changes)
    return data
