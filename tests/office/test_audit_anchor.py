"""Evidence an auditor can trust (issue 8): someone with write access to the database can
rewrite the whole hash chain, or delete its tail and roll the head back, and the chain
alone still verifies. Signed checkpoints kept outside the database catch both; balances
and shipment rows edited directly are caught by reconciling them with the chain."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from bilateral.platform import audit
from conftest import TODAY, Office, good_application


def _history(o: Office) -> int:
    """An application approved into a permit with two shipments; returns the permit id."""
    a = o.user("alice", "applicant", "Maple Foods")
    off = o.user("oscar", "officer")
    c = o.client
    app_id = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    c.post(f"/api/applications/{app_id}/submit", headers=a)
    pid: int = c.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=off,
    ).json()["permit_id"]
    for k in ("s1", "s2"):
        r = c.post(
            f"/api/permits/{pid}/shipments",
            json={
                "line_no": 1,
                "quantity": "100",
                "value": "450.00",
                "shipped_on": TODAY.isoformat(),
                "export_declaration_ref": f"CAED-{k}",
            },
            headers={**a, "Idempotency-Key": k},
        )
        assert r.status_code == 201, r.text
    return pid


def _key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _checkpoint(o: Office, key: Ed25519PrivateKey, path: Path) -> dict[str, Any]:
    with o.sessions() as s:
        c = audit.write_checkpoint(s, key, path)
    assert c is not None
    return c


def _check(o: Office, key: Ed25519PrivateKey, path: Path) -> tuple[bool, list[str]]:
    """(the chain alone verifies, what the checkpoints say)"""
    with o.sessions() as s:
        chain_ok = audit.verify(s).ok
        return chain_ok, audit.verify_checkpoints(s, key.public_key(), audit.read_checkpoints(path))


def _rewrite_from(o: Office, first: int) -> None:
    """Edit entry ``first`` and recompute every hash after it and the head: a full rewrite."""
    with o.sessions() as s:
        rows = s.query(audit.AuditEntry).order_by(audit.AuditEntry.id).all()
        prev = audit.GENESIS
        for e in rows:
            if e.id == first:
                e.actor = "mallory"
            if e.id >= first:
                e.prev_hash = prev
                e.hash = audit.entry_hash(prev, e)
            prev = e.hash
        head = s.get(audit.AuditHead, 1)
        assert head is not None
        head.last_hash = prev
        s.commit()


def test_untouched_log_verifies_with_its_checkpoints(office: Office, tmp_path: Path) -> None:
    _history(office)
    key, path = _key(), tmp_path / "cp.jsonl"
    _checkpoint(office, key, path)
    with office.sessions() as s:
        assert audit.reconcile(s) == []
    assert _check(office, key, path) == (True, [])
    # nothing new: no new checkpoint; new entries: the next one links to the first
    with office.sessions() as s:
        assert audit.write_checkpoint(s, key, path) is None
    office.user("nadia", "auditor")
    second = _checkpoint(office, key, path)
    assert second["seq"] == 2 and second["prev"] == audit.read_checkpoints(path)[0]["sig"]
    assert _check(office, key, path) == (True, [])


def test_deleted_tail_with_rolled_back_head_is_caught(office: Office, tmp_path: Path) -> None:
    _history(office)
    key, path = _key(), tmp_path / "cp.jsonl"
    cp = _checkpoint(office, key, path)
    n = cp["last_id"]
    with office.sessions() as s:
        prev = s.get(audit.AuditEntry, n - 2)
        assert prev is not None
        s.execute(text("DELETE FROM audit_log WHERE id > :k"), {"k": n - 2})
        s.execute(
            text("UPDATE audit_head SET last_id = :k, last_hash = :h WHERE id = 1"),
            {"k": n - 2, "h": prev.hash},
        )
        s.commit()
    chain_ok, problems = _check(office, key, path)
    assert chain_ok  # the chain alone cannot tell
    assert problems and f"entry {n} is missing" in problems[0]


def test_full_rewrite_of_the_chain_is_caught(office: Office, tmp_path: Path) -> None:
    _history(office)
    key, path = _key(), tmp_path / "cp.jsonl"
    _checkpoint(office, key, path)
    _rewrite_from(office, 2)
    chain_ok, problems = _check(office, key, path)
    assert chain_ok
    assert problems and "rewritten" in problems[0]


def test_forged_or_removed_checkpoints_are_caught(office: Office, tmp_path: Path) -> None:
    _history(office)
    key, path = _key(), tmp_path / "cp.jsonl"
    _checkpoint(office, key, path)
    office.user("nadia", "auditor")
    _checkpoint(office, key, path)
    lines = path.read_text().splitlines()
    # a checkpoint signed with another key
    path.write_text(lines[0] + "\n")
    with office.sessions() as s:
        audit.write_checkpoint(s, _key(), path)
    assert "signature" in _check(office, key, path)[1][0]
    # the first checkpoint removed
    path.write_text(lines[1] + "\n")
    assert "out of sequence" in _check(office, key, path)[1][0]


def test_direct_edits_to_balances_and_shipments_are_reported(office: Office) -> None:
    pid = _history(office)
    with office.sessions() as s:
        s.execute(
            text("UPDATE permit_lines SET used_quantity_milli = 0 WHERE permit_id = :p"),
            {"p": pid},
        )
        s.execute(
            text("UPDATE shipments SET value_cents = 1 WHERE id = (SELECT MIN(id) FROM shipments)")
        )
        s.commit()
        problems = audit.reconcile(s)
        assert audit.verify(s).ok  # the chain itself was not touched
    assert any(
        "used quantity 0.000 in the table, 200.000 from the audit chain" in p for p in problems
    ), problems
    assert any(p.startswith("shipment ") and "differs" in p for p in problems), problems
    aud = office.user("audrey", "auditor")
    r = office.client.get("/api/audit/verify", headers=aud).json()
    assert r["ok"] is False and r["balance_problems"] == problems
    with office.sessions() as s:
        s.execute(text("DELETE FROM shipments WHERE id = (SELECT MAX(id) FROM shipments)"))
        s.commit()
        assert any("not in the table" in p for p in audit.reconcile(s))


def test_cli_audit_verify_with_checkpoints(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BILATERAL_DATABASE_PATH": str(tmp_path / "o.sqlite3"),
        "BILATERAL_DATABASE_URL": "",
        "BILATERAL_DATA_DIR": str(tmp_path / "data"),
    }
    run = [sys.executable, "-m", "bilateral.server"]
    keys = subprocess.run(
        [*run, "audit", "keygen"], env=env, capture_output=True, text=True, check=True
    ).stdout
    pairs = dict(x.split("=", 1) for x in keys.splitlines() if "=" in x and not x.startswith("#"))
    assert len(base64.b64decode(pairs[audit.KEY_ENV])) == 32
    env.update(pairs)
    for name in ("oscar", "nadia", "olive"):
        subprocess.run(
            [*run, "users", "create", name, "--role", "officer"],
            env=env,
            check=True,
            capture_output=True,
        )
    r = subprocess.run([*run, "audit", "checkpoint"], env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "entry 3 signed" in r.stdout, r.stdout + r.stderr
    # an auditor verifies with the public key only
    auditor = {k: v for k, v in env.items() if k != audit.KEY_ENV}
    r = subprocess.run(
        [*run, "audit", "verify", "--checkpoints"], env=auditor, capture_output=True, text=True
    )
    assert r.returncode == 0 and "checkpoints OK: 1 signed" in r.stdout, r.stdout + r.stderr
    exported = tmp_path / "export.json"
    subprocess.run([*run, "audit", "export", "--out", str(exported)], env=env, check=True)
    doc = json.loads(exported.read_text())
    assert doc["public_key"] == pairs[audit.PUBLIC_KEY_ENV] and len(doc["checkpoints"]) == 1
    # delete the tail and roll the head back: plain verify passes, --checkpoints does not
    con = sqlite3.connect(tmp_path / "o.sqlite3")
    h2 = con.execute("SELECT hash FROM audit_log WHERE id = 2").fetchone()[0]
    con.execute("DELETE FROM audit_log WHERE id = 3")
    con.execute("UPDATE audit_head SET last_id = 2, last_hash = ? WHERE id = 1", (h2,))
    con.commit()
    con.close()
    r = subprocess.run([*run, "audit", "verify"], env=auditor, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    for args in (["--checkpoints"], ["--checkpoints", str(exported)]):
        r = subprocess.run(
            [*run, "audit", "verify", *args], env=auditor, capture_output=True, text=True
        )
        assert r.returncode == 1 and "checkpoints BROKEN" in r.stdout, r.stdout
        assert "entry 3 is missing" in r.stdout
