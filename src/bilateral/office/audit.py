"""Append-only, hash-chained audit log.

Each entry's ``hash`` is ``sha256(prev_hash + canonical_json(entry))`` where the canonical
JSON holds id, time, actor, action, entity, entity id, before, after and law_version. The
``audit_head`` row holds the last id and hash; appends lock it (``FOR UPDATE`` on
PostgreSQL; SQLite writers are already serialised by ``BEGIN IMMEDIATE``), so the chain has
no forks, and truncating the tail is detected too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select, text, update
from sqlalchemy.orm import Session

from bilateral.office.models import AuditEntry, AuditHead

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
) -> tuple[int, str]:
    """Append one entry in the caller's transaction (committed or rolled back with it).

    Returns (id, hash). Two short statements on PostgreSQL (three on SQLite) while the
    head row is locked.
    """
    conn = s.connection()
    h = cast(Table, AuditHead.__table__)
    # Take the next id and the previous hash, locking the head row until commit.
    last_id, last_hash = conn.execute(
        update(h)
        .where(h.c.id == 1)
        .values(last_id=h.c.last_id + 1)
        .returning(h.c.last_id, h.c.last_hash)
    ).one()
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
    digest = entry_hash(last_hash, e)
    row = {
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
        "hash": digest,
    }
    if conn.dialect.name == "postgresql":
        cols = ", ".join(row)
        conn.execute(
            text(
                f"WITH entry AS (INSERT INTO audit_log ({cols}) "
                f"VALUES ({', '.join(':' + c for c in row)})) "
                "UPDATE audit_head SET last_hash = :hash WHERE id = 1"
            ),
            row,
        )
    else:
        conn.execute(insert(cast(Table, AuditEntry.__table__)).values(**row))
        conn.execute(update(h).where(h.c.id == 1).values(last_hash=digest))
    return e.id, digest


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
