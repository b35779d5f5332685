"""The audit log's hash chain detects edited, deleted and truncated entries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from bilateral.platform import audit
from conftest import Office, good_application


def _some_history(o: Office) -> None:
    a = o.user("alice", "applicant", "Maple Foods")
    for _ in range(3):
        i = o.client.post("/api/applications", json=good_application(), headers=a).json()["id"]
        o.client.post(f"/api/applications/{i}/submit", headers=a)


def _verify(o: Office) -> audit.Verification:
    with o.sessions() as s:
        return audit.verify(s)


def test_intact_chain(office: Office) -> None:
    _some_history(office)
    v = _verify(office)
    assert v.ok and v.entries == 7


def test_edited_entry_detected(office: Office) -> None:
    _some_history(office)
    with office.sessions() as s:
        s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 4"))
        s.commit()
    v = _verify(office)
    assert not v.ok and v.first_bad_id == 4 and "edited" in (v.problem or "")


def test_deleted_entry_detected(office: Office) -> None:
    _some_history(office)
    with office.sessions() as s:
        s.execute(text("DELETE FROM audit_log WHERE id = 3"))
        s.commit()
    v = _verify(office)
    assert not v.ok and v.first_bad_id == 3


def test_truncated_tail_detected(sqlite_office: Office) -> None:
    _some_history(sqlite_office)
    with sqlite_office.sessions() as s:
        s.execute(text("DELETE FROM audit_log WHERE id = 7"))
        s.commit()
    v = _verify(sqlite_office)
    assert not v.ok and v.first_bad_id == 7


def test_rehashed_entry_breaks_next_link(sqlite_office: Office) -> None:
    """Editing an entry and recomputing its own hash still breaks the next entry's link."""
    _some_history(sqlite_office)
    with sqlite_office.sessions() as s:
        e = s.get(audit.AuditEntry, 2)
        assert e is not None
        e.actor = "mallory"
        e.hash = audit.entry_hash(e.prev_hash, e)
        s.commit()
    v = _verify(sqlite_office)
    assert not v.ok and v.first_bad_id == 3


def test_cli_verify_reports_first_broken_entry(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BILATERAL_DATABASE_PATH": str(tmp_path / "o.sqlite3"),
        "BILATERAL_DATABASE_URL": "",
    }
    run = [sys.executable, "-m", "bilateral.server"]
    r = subprocess.run(
        [*run, "users", "create", "alice", "--role", "applicant", "--org", "M"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "API token (shown once): bpo_" in r.stdout
    subprocess.run(
        [*run, "users", "create", "oscar", "--role", "officer"],
        env=env,
        check=True,
        capture_output=True,
    )
    r = subprocess.run([*run, "audit", "verify"], env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "2 entries" in r.stdout
    import sqlite3

    con = sqlite3.connect(tmp_path / "o.sqlite3")
    con.execute('UPDATE audit_log SET after = \'{"role":"admin"}\' WHERE id = 1')
    con.commit()
    con.close()
    r = subprocess.run([*run, "audit", "verify"], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "BROKEN at entry 1" in r.stdout
    r = subprocess.run(
        [*run, "users", "create", "bob", "--role", "applicant"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "organisation" in r.stderr
