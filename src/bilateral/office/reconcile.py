"""The permit office's audit reconciler: permit lines and shipments against the chain."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bilateral.office.models import Permit, PermitLine, Shipment
from bilateral.platform.models import AuditEntry


def reconcile(s: Session) -> list[str]:
    """Balances and shipments against the chain: every permit line's authorised and used
    quantity and value recomputed from the recorded ``permit.issue``, ``permit.amend`` and
    ``shipment.record`` events, and every shipment row matched with its event. Returns one
    line per disagreement (empty: all agree)."""
    authorised: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
    used: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
    shipped: dict[int, tuple[str, int, Decimal, Decimal]] = {}
    q = select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.after).where(
        AuditEntry.action.in_(("permit.issue", "permit.amend", "shipment.record"))
    )
    for action, number, after_json in s.execute(q.order_by(AuditEntry.id)):
        after = json.loads(after_json)
        if action in ("permit.issue", "permit.amend"):
            for ln in after.get("lines", []):
                key = (number, int(ln["line_no"]))
                authorised[key] = (
                    Decimal(ln["authorised_quantity"]),
                    Decimal(ln["authorised_value"]),
                )
                used.setdefault(key, (Decimal(0), Decimal(0)))
        else:
            key = (number, int(after["line_no"]))
            uq, uv = used.get(key, (Decimal(0), Decimal(0)))
            qty, val = Decimal(after["quantity"]), Decimal(after["value"])
            used[key] = (uq + qty, uv + val)
            shipped[int(after["shipment"])] = (number, key[1], qty, val)
    problems: list[str] = []
    rows = s.execute(
        select(Permit.number, PermitLine).join(PermitLine, PermitLine.permit_id == Permit.id)
    ).all()
    seen: set[tuple[str, int]] = set()
    milli, cent = Decimal("0.001"), Decimal("0.01")
    for number, ln in rows:
        key = (number, ln.line_no)
        seen.add(key)
        table = {
            "authorised quantity": ln.authorised_quantity_milli * milli,
            "authorised value": ln.authorised_value_cents * cent,
            "used quantity": ln.used_quantity_milli * milli,
            "used value": ln.used_value_cents * cent,
        }
        if key not in authorised:
            problems.append(f"permit {number} line {ln.line_no}: no permit.issue in the chain")
            continue
        chain = {
            "authorised quantity": authorised[key][0].quantize(milli),
            "authorised value": authorised[key][1].quantize(cent),
            "used quantity": used[key][0].quantize(milli),
            "used value": used[key][1].quantize(cent),
        }
        for what, value in table.items():
            if value != chain[what]:
                problems.append(
                    f"permit {number} line {ln.line_no}: {what} {value} in the table, "
                    f"{chain[what]} from the audit chain"
                )
    for key in sorted(set(authorised) - seen):
        problems.append(f"permit {key[0]} line {key[1]}: in the audit chain, not in the table")
    ships = s.execute(
        select(Shipment, Permit.number).join(Permit, Permit.id == Shipment.permit_id)
    ).all()
    for sh, number in ships:
        ev = shipped.pop(sh.id, None)
        row = (number, sh.line_no, sh.quantity_milli * milli, sh.value_cents * cent)
        if ev is None:
            problems.append(f"shipment {sh.id} (permit {number}): no shipment.record in the chain")
            continue
        ev = (ev[0], ev[1], ev[2].quantize(milli), ev[3].quantize(cent))
        if ev != row:
            problems.append(
                f"shipment {sh.id} (permit {number}): table says line {row[1]}, quantity "
                f"{row[2]}, value {row[3]}; the audit chain line {ev[1]}, quantity {ev[2]}, "
                f"value {ev[3]} (differs)"
            )
    for sid, ev in sorted(shipped.items()):
        problems.append(f"shipment {sid} (permit {ev[0]}): in the audit chain, not in the table")
    return problems
