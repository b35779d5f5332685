"""The permit office on the shared platform: roles are registered by applications, and a
second application plugs in through its descriptor (roles, navigation, country facts)
without the office knowing it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session
from test_web import csrf, login

from bilateral import server
from bilateral.platform import accounts, application, db, roles
from bilateral.platform.application import Application
from bilateral.platform.models import User
from conftest import Office

PROBE_ROLE = roles.Role("probe_officer", "probe officer", "agent de sonde", "probe")


def _facts(s: Session, code: str, lang: str, on: dt.date) -> list[str]:
    if code != "BY":
        return []
    n = s.query(User).count()  # any query: the contributor gets the request's session
    return [f"Probe: {n} accounts" if lang == "en" else f"Sonde : {n} comptes"]


def _nav(user: User | None, lang: str) -> list[tuple[str, str]]:
    return [("/probe", "Probe" if lang == "en" else "Sonde")] if user is not None else []


@pytest.fixture
def probe() -> Iterator[Application]:
    """A second application installed for one test, then removed."""
    app = Application(name="probe", roles=(PROBE_ROLE,), country_facts=(_facts,), navigation=_nav)
    installed, registered = dict(application._INSTALLED), dict(roles._REGISTRY)
    application.install(app)
    yield app
    application._INSTALLED.clear()
    application._INSTALLED.update(installed)
    roles._REGISTRY.clear()
    roles._REGISTRY.update(registered)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_office_registers_its_roles_next_to_the_platforms() -> None:
    office = {"applicant", "officer"}
    cfli = {"programme_officer", "committee_member", "grant_applicant"}
    assert set(roles.names()) == {"admin", "auditor"} | office | cfli
    assert {r for r in roles.names() if roles.get(r).owner == "office"} == office  # type: ignore[union-attr]
    assert roles.get("applicant").needs_organisation  # type: ignore[union-attr]
    assert set(roles.audit_readers()) == {"admin", "auditor", "officer"}


def test_an_unregistered_role_is_refused_naming_the_field(
    sqlite_office: Office, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    o, c = sqlite_office, sqlite_office.client
    admin = o.user("adam", "admin")
    r = c.post("/api/users", headers=admin, json={"username": "pat", "role": "probe_officer"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "role"
    known = (
        "admin, auditor, applicant, officer, programme_officer, committee_member, grant_applicant"
    )
    assert f"must be one of the roles: {known}" in r.text
    with db.write_session(o.sessions) as s, pytest.raises(accounts.OfficeError) as e:
        accounts.create_user(s, "pat", "probe_officer")
    assert (e.value.status, e.value.code, e.value.field) == (422, "bad_role", "role")
    # the CLI: one line naming the field, in English, exit 2
    monkeypatch.setenv("BILATERAL_DATABASE_URL", o.settings.database_url)
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(o.settings.data_dir))
    assert server.main(["users", "create", "pat", "--role", "wizard"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"role: Unknown role; the roles are: {known}."


def test_a_registered_role_is_accepted_everywhere(sqlite_office: Office, probe: Any) -> None:
    o, c = sqlite_office, sqlite_office.client
    admin = o.user("adam", "admin")
    r = c.post("/api/users", headers=admin, json={"username": "pat", "role": "probe_officer"})
    assert r.status_code == 201 and r.json()["role"] == "probe_officer"
    # the users page offers it, labelled in the reader's language
    login(o, "adam")
    page = c.get("/users?lang=fr").text
    assert '<option value="probe_officer">agent de sonde</option>' in page
    form = {"csrf": csrf(page), "username": "quinn", "role": "probe_officer"}
    r = c.post("/users", data=form)
    assert r.status_code == 200 and "quinn" in r.text
    # the OpenAPI lists the registered roles
    schema = c.get("/openapi.json").json()["components"]["schemas"]["UserIn"]
    assert "probe_officer" in str(schema["properties"]["role"])


def test_country_facts_and_navigation_come_from_the_installed_applications(
    sqlite_office: Office, probe: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("BILATERAL_STATS_DB", str(tmp_path / "none.duckdb"))
    o, c = sqlite_office, sqlite_office.client
    o.user("alice", "applicant", "Maple Foods")
    en = text(c.get("/countries/BY?on=2014-12-01").text)
    assert "Programmes Probe: 1 accounts" in en
    fr = text(c.get("/pays/BY?on=2014-12-01").text)
    assert "Programmes Sonde : 1 comptes" in fr
    # another country: the contributor has nothing to say, and the section is absent
    assert "Programmes" not in text(c.get("/countries/RU?on=2014-12-01").text)
    # the probe's link joins the navigation of a signed-in user, after the office's
    login(o, "alice")
    home = c.get("/").text
    nav = re.findall(r'<li><a href="(/[^"]*)">', home)
    assert nav.index("/dashboard") < nav.index("/probe") < nav.index("/account")


def test_without_other_applications_the_country_page_has_no_programmes(
    sqlite_office: Office, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("BILATERAL_STATS_DB", str(tmp_path / "none.duckdb"))
    assert "Programmes" not in text(sqlite_office.client.get("/countries/BY?on=2014-12-01").text)


def test_an_applications_migrations_join_the_one_alembic_history(tmp_path: Any) -> None:
    """A revision in an application's own versions directory, chained after 0003_security,
    is applied by the same ``db.upgrade`` (as CFLI's 0004 will be)."""
    from sqlalchemy import inspect

    from conftest import make_settings

    versions = tmp_path / "probe_versions"
    versions.mkdir()
    (versions / "0004_probe.py").write_text(
        '"""probe table"""\n'
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        'revision = "0004_probe"\n'
        'down_revision = "0003_security"\n'
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        '    op.create_table("probe_items", sa.Column("id", sa.Integer, primary_key=True))\n\n\n'
        "def downgrade() -> None:\n"
        '    op.drop_table("probe_items")\n',
        encoding="utf-8",
    )
    settings = make_settings(tmp_path)
    installed = dict(application._INSTALLED)
    try:
        # the permit office alone (CFLI's 0004_cfli would be a second head beside the probe)
        for name in [n for n in application._INSTALLED if n != "office"]:
            del application._INSTALLED[name]
        application.install(Application(name="probe", migrations=versions))
        engine = db.make_engine(settings)
        db.upgrade(settings, engine=engine)
        assert db.current_revision(engine) == "0004_probe"
        tables = set(inspect(engine).get_table_names())
        assert {"probe_items", "users", "permits", "audit_log"} <= tables
        engine.dispose()
    finally:
        application._INSTALLED.clear()
        application._INSTALLED.update(installed)
    # without the probe, the one history ends at CFLI's revision (installed beside the office)
    (tmp_path / "other").mkdir()
    other = make_settings(tmp_path / "other")
    engine = db.make_engine(other)
    db.upgrade(other, engine=engine)
    assert db.current_revision(engine) == "0004_cfli"
    engine.dispose()
