"""Append-only, hash-chained audit log.

Each entry's ``hash`` is ``sha256(prev_hash + canonical_json(entry))`` where the canonical
JSON holds id, time, actor, action, entity, entity id, before, after and law_version. The
``audit_head`` row holds the last id and hash; appends lock it (``FOR UPDATE`` on
PostgreSQL; SQLite writers are already serialised by ``BEGIN IMMEDIATE``), so the chain has
no forks, and truncating the tail is detected too.

Someone with write access to the database could still rewrite the whole chain, or delete
the tail and roll the head back. So the head is also anchored outside the database: signed
checkpoints (Ed25519, key from ``BILATERAL_AUDIT_SIGNING_KEY``) appended to a file, checked
by ``bilateral audit verify --checkpoints``; and ``reconcile`` asks every installed
application to check its tables against the chain's events (the permit office recomputes
every permit line's balances and the shipment rows).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Table, insert, select, text, update
from sqlalchemy.orm import Session

from bilateral.platform.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, e: AuditEntry) -> str:
    body = {
        "id": e.id,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "before": json.loads(e.before),
        "after": json.loads(e.after),
        "law_version": e.law_version,
    }
    return hashlib.sha256((prev_hash + canonical(body)).encode()).hexdigest()


def record(
    s: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: Any = None,
    after: Any = None,
    law_version: str | None = None,
    head: tuple[int, str] | None = None,
) -> tuple[int, str]:
    """Append one entry in the caller's transaction (committed or rolled back with it).

    Returns (id, hash). Two short statements on PostgreSQL (three on SQLite) while the
    head row is locked. ``head``: the (id, previous hash) the caller has already taken in
    this transaction with ``UPDATE audit_head SET last_id = last_id + 1 ... RETURNING
    last_id, last_hash`` (in the statement that did the work recorded); then one statement.
    """
    if head is None:
        # Take the next id and the previous hash, locking the head row until commit.
        h = cast(Table, AuditHead.__table__)
        last_id, last_hash = (
            s.connection()
            .execute(
                update(h)
                .where(h.c.id == 1)
                .values(last_id=h.c.last_id + 1)
                .returning(h.c.last_id, h.c.last_hash)
            )
            .one()
        )
        head = (last_id, last_hash)
    row = entry(
        head,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        law_version=law_version,
    )
    append(s, [row])
    return row["id"], row["hash"]


def entry(
    head: tuple[int, str],
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: Any = None,
    after: Any = None,
    law_version: str | None = None,
) -> dict[str, Any]:
    """The row of the entry that takes ``head`` (its id, and the hash of the entry before
    it), with its own hash; written by ``append``."""
    last_id, last_hash = head
    e = AuditEntry(
        id=last_id,
        at=now_iso(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=canonical(before),
        after=canonical(after),
        law_version=law_version,
        prev_hash=last_hash,
    )
    return {
        "id": e.id,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "before": e.before,
        "after": e.after,
        "law_version": e.law_version,
        "prev_hash": e.prev_hash,
        "hash": entry_hash(last_hash, e),
    }


_COLUMNS = (
    *("id", "at", "actor", "action", "entity", "entity_id", "before", "after"),
    *("law_version", "prev_hash", "hash"),
)


def append(s: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write entries made by ``entry``, each following the one before (the first the head's
    hash, in the caller's transaction that holds the head), and move the head's hash to
    the last: one statement on PostgreSQL, whatever their number."""
    if not rows:
        return
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        values = ", ".join(
            "(" + ", ".join(f":{c}_{i}" for c in _COLUMNS) + ")" for i in range(len(rows))
        )
        params = {f"{c}_{i}": row[c] for i, row in enumerate(rows) for c in _COLUMNS}
        conn.execute(
            text(
                f"WITH entry AS (INSERT INTO audit_log ({', '.join(_COLUMNS)}) VALUES {values}) "
                "UPDATE audit_head SET last_hash = :last_hash WHERE id = 1"
            ),
            {**params, "last_hash": rows[-1]["hash"]},
        )
    else:
        conn.execute(insert(cast(Table, AuditEntry.__table__)), list(rows))
        h = cast(Table, AuditHead.__table__)
        conn.execute(update(h).where(h.c.id == 1).values(last_hash=rows[-1]["hash"]))


@dataclass
class Verification:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    problem: str | None = None

    def line(self) -> str:
        if self.ok:
            return f"audit log OK: {self.entries} entries, chain intact"
        return f"audit log BROKEN at entry {self.first_bad_id}: {self.problem}"


def verify(s: Session, batch: int = 1000) -> Verification:
    """Recompute the chain; report the first entry that does not verify."""
    prev_hash, expected_id, n, last = GENESIS, 1, 0, 0
    while True:
        rows = (
            s.execute(
                select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.id != expected_id:
                return Verification(False, n, expected_id, f"entry {expected_id} is missing")
            if e.prev_hash != prev_hash:
                return Verification(False, n, e.id, "prev_hash does not match previous entry")
            try:
                h = entry_hash(prev_hash, e)
            except ValueError:
                return Verification(False, n, e.id, "entry body is not valid JSON")
            if h != e.hash:
                return Verification(False, n, e.id, "content does not match its hash (edited)")
            prev_hash, expected_id, n, last = e.hash, expected_id + 1, n + 1, e.id
    head = s.get(AuditHead, 1)
    if head is None:
        return Verification(False, n, None, "audit head row is missing")
    if head.last_id != n or head.last_hash != prev_hash:
        return Verification(
            False, n, n + 1, f"head says {head.last_id} entries; chain has {n} (tail deleted)"
        )
    return Verification(True, n)


# ------------------------------------------------------------------ reconciliation


def reconcile(s: Session) -> list[str]:
    """Every installed application's tables against the chain's events (the permit office
    recomputes its permit lines' balances and shipments); one line per disagreement."""
    from bilateral.platform import application

    return application.audit_problems(s)


# ------------------------------------------------------------------ signed checkpoints

KEY_ENV = "BILATERAL_AUDIT_SIGNING_KEY"
PUBLIC_KEY_ENV = "BILATERAL_AUDIT_PUBLIC_KEY"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def new_signing_key() -> tuple[str, str]:
    """A new Ed25519 key pair: (private seed, public key), each base64 of 32 bytes."""
    key = Ed25519PrivateKey.generate()
    return _b64(key.private_bytes_raw()), _b64(key.public_key().public_bytes_raw())


def signing_key(env: Mapping[str, str]) -> Ed25519PrivateKey | None:
    raw = env.get(KEY_ENV, "").strip()
    if not raw:
        return None
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw, validate=True))
    except (ValueError, binascii.Error):
        raise ValueError(f"{KEY_ENV}: not a base64 Ed25519 private key (32 bytes)") from None


def public_key(env: Mapping[str, str]) -> Ed25519PublicKey | None:
    """The key checkpoints are verified with: ``BILATERAL_AUDIT_PUBLIC_KEY`` (an auditor
    needs only this), else the public half of the signing key."""
    raw = env.get(PUBLIC_KEY_ENV, "").strip()
    if raw:
        try:
            return Ed25519PublicKey.from_public_bytes(base64.b64decode(raw, validate=True))
        except (ValueError, binascii.Error):
            raise ValueError(f"{PUBLIC_KEY_ENV}: not a base64 Ed25519 public key") from None
    key = signing_key(env)
    return key.public_key() if key else None


def public_key_b64(pub: Ed25519PublicKey) -> str:
    return _b64(pub.public_bytes_raw())


def load_checkpoints(path: Path) -> list[dict[str, Any]]:
    """Checkpoints from the JSON-lines file, or from ``bilateral audit export`` output."""
    if path.exists() and path.read_text().lstrip().startswith("{\n"):
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and "checkpoints" in doc:
            cps: list[dict[str, Any]] = doc["checkpoints"]
            return cps
    return read_checkpoints(path)


def _checkpoint_body(c: Mapping[str, Any]) -> bytes:
    fields = ("seq", "at", "last_id", "last_hash", "prev")
    return canonical({k: c[k] for k in fields}).encode()


def read_checkpoints(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"invalid_line": n})
    return out


def write_checkpoint(s: Session, key: Ed25519PrivateKey, path: Path) -> dict[str, Any] | None:
    """Sign the current head (last id and hash) and append it to ``path`` (opened
    ``O_APPEND``, fsynced). Each checkpoint names the previous one's signature, so lines
    cannot be dropped or reordered unnoticed. None when the head has not moved."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # several server processes may checkpoint
        return _append_checkpoint(s, key, path, fd)
    finally:
        os.close(fd)


def _append_checkpoint(
    s: Session, key: Ed25519PrivateKey, path: Path, fd: int
) -> dict[str, Any] | None:
    head = s.get(AuditHead, 1)
    if head is None:
        return None
    previous = read_checkpoints(path)
    last = previous[-1] if previous else None
    if last and last.get("last_id") == head.last_id and last.get("last_hash") == head.last_hash:
        return None
    c: dict[str, Any] = {
        "seq": (int(last["seq"]) + 1) if last and "seq" in last else 1,
        "at": now_iso(),
        "last_id": head.last_id,
        "last_hash": head.last_hash,
        "prev": last.get("sig", "") if last else "",
    }
    c["sig"] = _b64(key.sign(_checkpoint_body(c)))
    os.write(fd, (json.dumps(c, sort_keys=True) + "\n").encode())
    os.fsync(fd)
    return c


def verify_checkpoints(
    s: Session, pub: Ed25519PublicKey, checkpoints: list[dict[str, Any]]
) -> list[str]:
    """Each checkpoint signed by ``pub``, in sequence, linked to the previous one, and the
    audit table still holding the entry it signed, with the same hash. Detects truncation
    (the entry is gone), rollback of the head and a full rewrite (the hash differs)."""
    problems: list[str] = []
    prev_sig, prev_id = "", 0
    for n, c in enumerate(checkpoints, start=1):
        if "invalid_line" in c:
            problems.append(f"checkpoint line {c['invalid_line']}: not JSON")
            continue
        try:
            pub.verify(base64.b64decode(c["sig"]), _checkpoint_body(c))
        except (InvalidSignature, KeyError, ValueError, binascii.Error):
            problems.append(f"checkpoint {n}: signature does not verify with the public key")
            continue
        if c["seq"] != n or c["prev"] != prev_sig:
            problems.append(f"checkpoint {n}: out of sequence (a checkpoint removed)")
        if c["last_id"] < prev_id:
            problems.append(f"checkpoint {n}: head went backwards")
        prev_sig, prev_id = c["sig"], c["last_id"]
        if c["last_id"] == 0:
            continue
        e = s.get(AuditEntry, c["last_id"])
        if e is None:
            problems.append(
                f"checkpoint {n} (signed {c['at']}): audit entry {c['last_id']} is missing "
                "(truncated or rolled back)"
            )
        elif e.hash != c["last_hash"]:
            problems.append(
                f"checkpoint {n} (signed {c['at']}): audit entry {c['last_id']} has another "
                "hash than was signed (rewritten)"
            )
    if checkpoints and not problems:
        head = s.get(AuditHead, 1)
        if head is None or head.last_id < prev_id:
            problems.append(f"audit head is behind the last checkpoint ({prev_id})")
    return problems
