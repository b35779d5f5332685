"""Drawdown under concurrency: 50 clients at once never overdraw; retries record once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bilateral.office import services
from bilateral.office.schemas import ShipmentIn
from bilateral.platform import accounts, db
from bilateral.platform.models import User
from conftest import TODAY, Office, good_application


def _permit(
    o: Office, quantity: str = "1000", unit_value: str = "1.00"
) -> tuple[int, accounts.Actor]:
    a = o.user("alice", "applicant", "Maple Foods")
    off = o.user("oscar", "officer")
    body = good_application()
    body["lines"][0].update(quantity=quantity, unit_value=unit_value)
    app_id = o.client.post("/api/applications", json=body, headers=a).json()["id"]
    o.client.post(f"/api/applications/{app_id}/submit", headers=a)
    pid = o.client.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=off,
    ).json()["permit_id"]
    with o.sessions() as s:
        u = s.execute(select(User).where(User.username == "alice")).scalar_one()
        return pid, accounts.Actor.of(u)


def _draw(
    o: Office,
    actor: accounts.Actor,
    pid: int,
    barrier: threading.Barrier,
    key: str,
    qty: str,
    value: str,
) -> str:
    data = ShipmentIn(
        line_no=1,
        quantity=Decimal(qty),
        value=Decimal(value),
        shipped_on=TODAY,
        export_declaration_ref=f"CAED-{key}",
    )
    barrier.wait()
    for attempt in range(2):
        try:
            with db.write_session(o.sessions) as s:
                new = services.record_shipment(s, actor, pid, data, key, TODAY).new
            return "new" if new else "replay"
        except accounts.OfficeError as e:
            return e.code
        except IntegrityError:
            # a concurrent request with the same key won: retry once, as the API does
            if attempt:
                raise
    raise AssertionError("unreachable")


def _run(o: Office, jobs: list[tuple[str, str, str]], pid: int, actor: accounts.Actor) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(len(jobs)) as ex:
        futs = [ex.submit(_draw, o, actor, pid, barrier, k, q, v) for k, q, v in jobs]
        return [f.result(timeout=120) for f in futs]


def _balance(o: Office, pid: int) -> dict[str, Any]:
    r = o.client.get(
        f"/api/permits/{pid}", headers={"Authorization": "Bearer " + o.tokens["alice"]}
    )
    return dict(r.json()["lines"][0])


@pytest.mark.postgresql
def test_50_clients_never_overdraw_postgresql(pg_office: Office) -> None:
    assert pg_office.settings.is_postgresql
    _fifty(pg_office)


def test_50_clients_never_overdraw_sqlite(sqlite_office: Office) -> None:
    _fifty(sqlite_office)


def _fifty(o: Office) -> None:
    pid, actor = _permit(o, quantity="1000", unit_value="1.00")
    # 50 clients each draw 30 units: only 33 fit into 1000
    results = _run(o, [(f"k{i}", "30", "30") for i in range(50)], pid, actor)
    assert results.count("new") == 33, results
    assert results.count("exceeds_quantity") == 17
    bal = _balance(o, pid)
    assert bal["used_quantity"] == "990.000" and bal["remaining_quantity"] == "10.000"
    shipments = o.client.get(
        f"/api/permits/{pid}/shipments", headers={"Authorization": "Bearer " + o.tokens["alice"]}
    ).json()
    assert len(shipments) == 33
    assert sum(Decimal(s["quantity"]) for s in shipments) == Decimal("990")
    # 50 concurrent retries of one request record one shipment
    results = _run(o, [("same", "5", "5")] * 50, pid, actor)
    assert results.count("new") == 1 and results.count("replay") == 49, results
    assert _balance(o, pid)["used_quantity"] == "995.000"
    with o.sessions() as s:
        from bilateral.platform import audit

        assert audit.verify(s).ok


@pytest.mark.postgresql
def test_concurrent_posts_over_several_permits_never_overdraw_and_share_commits(
    pg_office: Office,
) -> None:
    """Through the API on PostgreSQL: 55 clients at once over four permits of two
    exporters. Each line gives exactly what fits and refuses the rest, a retried key
    records once, another exporter's permit stays hidden and the audit chain verifies,
    whether or not the drawdowns met in one commit (timing decides that)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    o = pg_office
    alice = o.user("alice", "applicant", "Maple Foods")
    bob = o.user("bob", "applicant", "Birch Exports")
    oscar = o.user("oscar", "officer")

    def permit(who: dict[str, str], quantity: str) -> int:
        body = good_application()
        body["lines"][0].update(quantity=quantity, unit_value="1.00")
        app_id = o.client.post("/api/applications", json=body, headers=who).json()["id"]
        o.client.post(f"/api/applications/{app_id}/submit", headers=who)
        r = o.client.post(
            f"/api/applications/{app_id}/decision",
            json={"outcome": "approve", "reasons": "ok"},
            headers=oscar,
        )
        return int(r.json()["permit_id"])

    owners = [alice, alice, bob]
    full = [permit(who, "100") for who in owners]  # 15 posts of 10 each: 10 fit
    ample = permit(bob, "1000")  # 10 retries of one key
    jobs: list[tuple[dict[str, str], int, str, str]] = [
        (owners[k], pid, f"p{pid}-{i}", "10") for k, pid in enumerate(full) for i in range(15)
    ]
    jobs += [(bob, ample, "again", "7")] * 10
    jobs.append((bob, full[0], "nosy", "1"))  # alice's permit: not bob's to see
    barrier = threading.Barrier(len(jobs))

    with TestClient(o.app) as client:  # one event loop: the requests meet in one process

        def post(job: tuple[dict[str, str], int, str, str]) -> tuple[int, int, dict[str, Any]]:
            who, pid, key, qty = job
            ship = {
                "line_no": 1,
                "quantity": qty,
                "value": qty,
                "shipped_on": TODAY.isoformat(),
                "export_declaration_ref": f"CAED-{key}",
            }
            barrier.wait()
            r = client.post(
                f"/api/permits/{pid}/shipments",
                json=ship,
                headers=who | {"Idempotency-Key": key},
            )
            return pid, r.status_code, r.json()

        with ThreadPoolExecutor(len(jobs)) as ex:
            results = list(ex.map(post, jobs, timeout=300))

    for pid in full:
        mine = [(st, body) for p, st, body in results if p == pid and body.get("error") is None]
        refused = [body["error"] for p, st, body in results if p == pid and st == 409]
        assert [st for st, _ in mine] == [201] * 10, results
        assert refused == ["exceeds_quantity"] * 5, results
        assert _balance_of(o, pid, owners[full.index(pid)])["used_quantity"] == "100.000"
    again = [(st, body) for p, st, body in results if p == ample]
    assert sorted(st for st, _ in again) == [200] * 9 + [201], again
    assert len({body["id"] for _, body in again}) == 1
    assert [body["replayed"] for st, body in again if st == 201] == [False]
    assert _balance_of(o, ample, bob)["used_quantity"] == "7.000"
    nosy = [st for p, st, body in results if p == full[0] and st == 404]
    assert nosy == [404]
    verify = o.client.get("/api/audit/verify", headers=oscar).json()
    assert verify["ok"] is True, verify
    with o.sessions() as s:
        rows, transactions = s.execute(
            text("SELECT count(*), count(DISTINCT xmin::text) FROM shipments")
        ).one()
    assert rows == 31
    # Whether drawdowns met in one commit depends on timing (a loaded machine may serve
    # them one by one); correctness above does not. Record it, do not require it.
    assert 1 <= transactions <= rows


def _balance_of(o: Office, pid: int, who: dict[str, str]) -> dict[str, Any]:
    return dict(o.client.get(f"/api/permits/{pid}", headers=who).json()["lines"][0])


def test_a_shipment_is_refused_to_bad_tokens_other_organisations_and_missing_keys(
    office: Office,
) -> None:
    """The drawdown reads the token's holder and the permit in one statement (PostgreSQL):
    each refusal is still the one the user would get from the separate checks."""
    pid, _alice = _permit(office)
    c = office.client
    alice = {"Authorization": f"Bearer {office.tokens['alice']}"}
    bob = office.user("bob", "applicant", "Other Exports Inc")
    officer = {"Authorization": f"Bearer {office.tokens['oscar']}"}
    ship = {
        "line_no": 1,
        "quantity": "1",
        "value": "1.00",
        "shipped_on": TODAY.isoformat(),
        "export_declaration_ref": "CAED-1",
    }
    path = f"/api/permits/{pid}/shipments"

    def post(headers: dict[str, str], key: str | None = "k1", to: str = path) -> Any:
        extra = {"Idempotency-Key": key} if key else {}
        return c.post(to, json=ship, headers=headers | extra)

    assert post({"Authorization": "Bearer nope"}).status_code == 401
    assert post({}).status_code == 401
    assert post(officer).status_code == 403
    assert post(bob).json()["error"] == "not_found"  # another organisation's permit
    assert post(alice, to=f"/api/permits/{pid + 999}/shipments").status_code == 404
    assert post(alice, key=None).json()["field"] == "idempotency_key"
    first = post(alice)
    assert first.status_code == 201, first.text
    assert first.json()["recorded_by"] == "alice"
    assert post(alice).status_code == 200  # the retry: the first shipment, replayed
    assert post(bob).status_code == 404  # a key another organisation used stays unseen
    # the token revoked: refused at once, nothing recorded
    me = c.get("/api/me", headers=alice).json()
    tokens = c.get(f"/api/users/{me['id']}/tokens", headers=office.user("ada", "admin")).json()
    for t in tokens:
        assert c.delete(f"/api/tokens/{t['id']}", headers=alice).status_code in (200, 204)
    assert post(alice, key="k2").status_code == 401
    used = c.get(f"/api/permits/{pid}", headers=officer).json()["lines"][0]
    assert Decimal(used["used_quantity"]) == Decimal("1")
