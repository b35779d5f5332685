"""Web sessions end when the user's credentials change or the account is deactivated.

Two browser-less clients stand for two browsers signed in as the same user. Also: the
``users.session_epoch`` migration upgrades a database at the previous head (``0001``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from test_web import csrf

from bilateral import server as cli
from bilateral.platform import db
from bilateral.platform.models import Base
from conftest import PG_URL, Office, make_settings

PW = "correct horse battery"


def _browser(o: Office, name: str, password: str = PW) -> TestClient:
    """A fresh client (its own cookie jar) signed in on the web as ``name``."""
    c = TestClient(o.app)
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": name, "password": password, "csrf": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert c.get("/account").status_code == 200
    return c


def _signed_out(c: TestClient) -> None:
    """Pages redirect to the sign-in page; forms are refused the same way (401)."""
    r = c.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login"), r.text
    page = c.get("/login")
    r = c.post("/users/1/tokens", data={"csrf": csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = c.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def _audit(o: Office, admin: dict[str, str], action: str) -> list[dict[str, Any]]:
    entries = o.client.get("/api/audit?limit=500", headers=admin).json()
    return [e for e in entries if e["action"] == action]


def _change_on_web(c: TestClient, old: str, new: str) -> None:
    page = c.get("/account")
    r = c.post(
        "/account/password",
        data={
            "csrf": csrf(page.text),
            "old_password": old,
            "new_password": new,
            "confirm_password": new,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/account"


def test_web_password_change_ends_other_sessions_keeps_this_one(office: Office) -> None:
    o = office
    admin = o.user("adam", "admin")
    o.user("alice", "applicant", "Maple Foods")
    laptop, phone = _browser(o, "alice"), _browser(o, "alice")
    before = laptop.cookies.get("bilateral_session")
    # a refused change (wrong old password) ends nothing
    page = laptop.get("/account")
    laptop.post(
        "/account/password",
        data={
            "csrf": csrf(page.text),
            "old_password": "not the password",
            "new_password": "fresh password 1",
            "confirm_password": "fresh password 1",
        },
    )
    assert phone.get("/account").status_code == 200
    _change_on_web(laptop, PW, "fresh password 1")
    # this session's cookie is re-issued and it stays signed in, forms included
    assert laptop.cookies.get("bilateral_session") != before
    page = laptop.get("/account")
    assert page.status_code == 200 and "alice" in page.text
    r = laptop.post("/users/2/tokens", data={"csrf": csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    # the other one is signed out on its very next request, and stays out
    _signed_out(phone)
    _signed_out(phone)
    # replaying the old cookie does not help either
    stale = TestClient(o.app)
    stale.cookies.set("bilateral_session", before or "")
    _signed_out(stale)
    # signing in again with the new password works there
    phone = _browser(o, "alice", "fresh password 1")
    assert laptop.get("/account").status_code == 200  # and does not end the first one
    pw = _audit(o, admin, "user.password")
    assert len(pw) == 1 and pw[0]["after"]["web_sessions_ended"] is True
    assert o.client.get("/api/audit/verify", headers=admin).json()["ok"]


def test_api_password_change_ends_every_web_session(office: Office) -> None:
    o = office
    o.user("adam", "admin")
    alice = o.user("alice", "applicant", "Maple Foods")
    laptop, phone = _browser(o, "alice"), _browser(o, "alice")
    bob = _browser(o, "adam")  # someone else's session is untouched
    body = {"old_password": PW, "new_password": "a brand new one"}
    assert o.client.post("/api/me/password", headers=alice, json=body).status_code == 200
    _signed_out(laptop)
    _signed_out(phone)
    assert bob.get("/account").status_code == 200
    assert o.client.get("/api/me", headers=alice).status_code == 200  # tokens are separate
    _browser(o, "alice", "a brand new one")


def test_deactivation_ends_sessions_for_good(office: Office) -> None:
    o = office
    admin = o.user("adam", "admin")
    o.user("alice", "applicant", "Maple Foods")
    users = o.client.get("/api/users", headers=admin).json()
    aid = next(u["id"] for u in users if u["username"] == "alice")
    laptop, phone = _browser(o, "alice"), _browser(o, "alice")
    # deactivated from the admin's web page
    web_admin = _browser(o, "adam")
    page = web_admin.get("/users")
    r = web_admin.post(
        f"/users/{aid}/deactivate",
        data={"csrf": csrf(page.text), "confirm": "1"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and web_admin.get("/users").status_code == 200
    _signed_out(laptop)
    # reactivation does not bring an old session back: the user signs in again
    assert o.client.post(f"/api/users/{aid}/reactivate", headers=admin).status_code == 200
    _signed_out(phone)
    again = _browser(o, "alice")
    # and through the API as well
    assert o.client.post(f"/api/users/{aid}/deactivate", headers=admin).status_code == 200
    _signed_out(again)
    entries = _audit(o, admin, "user.deactivate")
    assert len(entries) == 2 and all(e["after"]["web_sessions_ended"] for e in entries)


def _upgrade_from_previous_head(url: str, engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Schema at ``0001`` with a user in it, then ``bilateral db upgrade`` to head."""
    settings = make_settings(Path("."), url)
    db.upgrade(settings, "0001", engine=engine)
    assert db.current_revision(engine) == "0001"
    with engine.begin() as c:
        assert "session_epoch" not in {x["name"] for x in inspect(c).get_columns("users")}
        c.execute(
            text(
                "INSERT INTO users (username, role, password_hash, active, created_at) "
                "VALUES ('old', 'admin', NULL, :t, '2026-01-01T00:00:00Z')"
            ),
            {"t": True},
        )
    monkeypatch.setenv("BILATERAL_DATABASE_URL", url)
    assert cli.main(["db", "upgrade"]) == 0
    assert db.current_revision(engine) == "0004_cfli"  # the platform's, the office's, CFLI's
    with engine.connect() as c:
        cols = {x["name"]: x for x in inspect(c).get_columns("users")}
        assert "session_epoch" in cols and not cols["session_epoch"]["nullable"]
        epoch = c.execute(text("SELECT session_epoch FROM users WHERE username = 'old'"))
        assert epoch.scalar_one() == 0
        # the migrated schema is what the models describe
        assert compare_metadata(MigrationContext.configure(c), Base.metadata) == []


def test_migration_upgrades_sqlite_at_previous_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path / "data"))
    engine = db.make_engine(make_settings(tmp_path, url))
    try:
        _upgrade_from_previous_head(url, engine, monkeypatch)
    finally:
        engine.dispose()
    assert "revision 0004_cfli" in capsys.readouterr().out


def test_migration_upgrades_postgresql_at_previous_head(
    pg_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = f"{pg_schema}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path / "data"))
    try:
        _upgrade_from_previous_head(url, engine, monkeypatch)
    finally:
        engine.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
