"""The whole flow through the JSON API, on SQLite and PostgreSQL, with the real engine."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from bilateral.engine.checks import check_export
from bilateral.engine.law import Law, default_law
from bilateral.law.loader import load
from conftest import TODAY, Office, citations, good_application

LAW_VERSION = default_law().law_version
# What the engine says of the sample application's line (milk powder to Belarus, today).
# The good application's line gives HS 0402.10 and the category "food": the category's
# answer asks for the HS code (SOR/2020-214's HS-coded schedules), so the HS answer stands.
FOOD_TO_BELARUS = check_export(to="BY", on=TODAY, hs="040210")


def _setup(o: Office) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    a = o.user("alice", "applicant", "Maple Foods")
    off = o.user("oscar", "officer")
    aud = o.user("audrey", "auditor")
    return a, off, aud


def _approved_permit(
    o: Office, a: dict[str, str], off: dict[str, str], **dec: Any
) -> dict[str, Any]:
    c = o.client
    r = c.post("/api/applications", json=good_application(), headers=a)
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    r = c.post(f"/api/applications/{app_id}/submit", headers=a)
    assert r.status_code == 200, r.text
    body = {"outcome": "approve", "reasons": "Consistent with policy", **dec}
    r = c.post(f"/api/applications/{app_id}/decision", json=body, headers=off)
    assert r.status_code == 200, r.text
    pid = r.json()["permit_id"]
    r = c.get(f"/api/permits/{pid}", headers=a)
    assert r.status_code == 200
    return dict(r.json())


def test_full_flow(office: Office) -> None:
    o, c = office, office.client
    a, off, aud = _setup(o)
    r = c.post("/api/applications", json=good_application(), headers=a)
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["status"] == "draft" and app["reference"].startswith("APP-")
    assert app["lines"][0]["total_value"] == "4500.00"
    # copy-from-previous
    r = c.post(f"/api/applications/{app['id']}/copy", headers=a)
    assert r.status_code == 201 and r.json()["copied_from"] == app["id"]
    assert r.json()["lines"][0]["hs_code"] == "040210"
    # submit: engine pre-assesses, answer stored with its law_version
    r = c.post(f"/api/applications/{app['id']}/submit", headers=a)
    assert r.status_code == 200, r.text
    sub = r.json()
    assert sub["status"] == "submitted"
    assert sub["law_version"] == LAW_VERSION
    answer = sub["assessment"]["lines"][0]["answer"]
    assert answer["outcome"] == FOOD_TO_BELARUS["outcome"] == "not_required"
    assert answer["reasons"] == FOOD_TO_BELARUS["reasons"]
    assert sub["assessment"]["lines"][0]["question"] == {
        "to": "BY",
        "on": TODAY.isoformat(),
        "hs": "040210",
    }
    assert sub["submitted_on"] == "2026-03-02" and sub["due_on"] == "2026-03-16"
    assert sub["service_standard_days"] == 10
    # cannot edit after submission
    r = c.put(f"/api/applications/{app['id']}", json=good_application(), headers=a)
    assert r.status_code == 409 and r.json()["field"] == "status"
    # queue
    r = c.get("/api/queue", headers=off)
    assert [q["reference"] for q in r.json()] == [app["reference"]]
    # consultation -> 40 business days
    r = c.post(f"/api/applications/{app['id']}/consultation", json={"needed": True}, headers=off)
    assert r.json()["due_on"] == "2026-04-28" and r.json()["service_standard_days"] == 40
    # decision
    r = c.post(
        f"/api/applications/{app['id']}/decision",
        json={
            "outcome": "approve",
            "reasons": "ok",
            "conditions": ["No re-export"],
            "lines": [{"line_no": 1, "quantity": "800", "value": "3600.00"}],
        },
        headers=off,
    )
    assert r.status_code == 200, r.text
    dec = r.json()
    assert dec["status"] == "approved" and dec["decision"]["officer"] == "oscar"
    assert dec["decision"]["citations"] == citations(FOOD_TO_BELARUS)
    pid = dec["permit_id"]
    r = c.get(f"/api/permits/{pid}", headers=a)
    p = r.json()
    assert p["number"].startswith("EP-2026-BY-") and p["status"] == "active"
    assert p["lines"][0]["authorised_quantity"] == "800.000"
    assert p["valid_to"] == "2027-03-02" and p["conditions"] == ["No re-export"]
    # deciding twice is refused
    r = c.post(
        f"/api/applications/{app['id']}/decision",
        json={"outcome": "deny", "reasons": "x"},
        headers=off,
    )
    assert r.status_code == 409
    # shipment + idempotent retry
    ship = {
        "line_no": 1,
        "quantity": "300",
        "value": "1350",
        "shipped_on": "2026-03-02",
        "export_declaration_ref": "CAED-1",
    }
    r1 = c.post(f"/api/permits/{pid}/shipments", json=ship, headers={**a, "Idempotency-Key": "k1"})
    r2 = c.post(f"/api/permits/{pid}/shipments", json=ship, headers={**a, "Idempotency-Key": "k1"})
    assert r1.status_code == 201 and r2.status_code == 200, (r1.text, r2.text)
    assert r1.json()["id"] == r2.json()["id"] and r2.json()["replayed"] is True
    r = c.post(
        f"/api/permits/{pid}/shipments",
        json={**ship, "quantity": "1"},
        headers={**a, "Idempotency-Key": "k1"},
    )
    assert r.status_code == 409 and r.json()["field"] == "idempotency_key"
    r = c.get(f"/api/permits/{pid}", headers=a).json()
    assert r["lines"][0]["remaining_quantity"] == "500.000"
    assert r["lines"][0]["remaining_value"] == "2250.00"
    # overdraw refused, nothing changes
    r = c.post(
        f"/api/permits/{pid}/shipments",
        json={**ship, "quantity": "501", "value": "1"},
        headers={**a, "Idempotency-Key": "k2"},
    )
    assert (
        r.status_code == 409
        and r.json()["field"] == "quantity"
        and "500.000" in r.json()["message"]
    )
    r = c.post(
        f"/api/permits/{pid}/shipments",
        json={**ship, "quantity": "1", "value": "2250.01"},
        headers={**a, "Idempotency-Key": "k3"},
    )
    assert r.status_code == 409 and r.json()["field"] == "value"
    r = c.post(
        f"/api/permits/{pid}/shipments",
        json={**ship, "shipped_on": "2026-03-01"},
        headers={**a, "Idempotency-Key": "k4"},
    )
    assert r.status_code == 422 and r.json()["field"] == "shipped_on"
    assert len(c.get(f"/api/permits/{pid}/shipments", headers=aud).json()) == 1
    # suspend -> no use; reinstate; amendment; cancel -> no amendment
    assert (
        c.post(f"/api/permits/{pid}/suspend", json={"reason": "inquiry"}, headers=off).json()[
            "status"
        ]
        == "suspended"
    )
    r = c.post(
        f"/api/permits/{pid}/shipments",
        json={**ship, "quantity": "1", "value": "1"},
        headers={**a, "Idempotency-Key": "k5"},
    )
    assert r.status_code == 409 and r.json()["error"] == "permit_not_usable"
    assert (
        c.post(f"/api/permits/{pid}/suspend", json={"reason": "x"}, headers=off).status_code == 409
    )
    assert (
        c.post(f"/api/permits/{pid}/reinstate", json={"reason": "ok"}, headers=off).json()["status"]
        == "active"
    )
    r = c.post(
        f"/api/permits/{pid}/amendments",
        json={
            "reason": "more",
            "new_valid_to": "2027-06-30",
            "lines": [{"line_no": 1, "quantity": "1000", "value": "4500"}],
        },
        headers=a,
    )
    assert r.status_code == 201, r.text
    amd = r.json()
    assert (
        amd["kind"] == "amendment"
        and amd["due_on"] == "2026-03-05"
        and amd["amends_permit"] == p["number"]
    )
    r = c.post(
        f"/api/applications/{amd['id']}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=off,
    )
    assert r.status_code == 200, r.text
    p2 = c.get(f"/api/permits/{pid}", headers=a).json()
    assert p2["valid_to"] == "2027-06-30" and p2["lines"][0]["remaining_quantity"] == "700.000"
    assert p2["version"] > p["version"]
    assert (
        c.post(f"/api/permits/{pid}/expire", json={"reason": "x"}, headers=off).status_code == 409
    )
    assert (
        c.post(f"/api/permits/{pid}/cancel", json={"reason": "end"}, headers=off).json()["status"]
        == "cancelled"
    )
    r = c.post(
        f"/api/permits/{pid}/amendments",
        json={"reason": "x", "new_valid_to": "2027-07-01"},
        headers=a,
    )
    assert r.status_code == 409 and r.json()["error"] == "permit_not_amendable"
    assert (
        c.post(f"/api/permits/{pid}/reinstate", json={"reason": "x"}, headers=off).status_code
        == 409
    )
    # audit
    r = c.get("/api/audit/verify", headers=aud).json()
    assert r["ok"] is True and r["entries"] > 10
    actions = [e["action"] for e in c.get("/api/audit?limit=500", headers=aud).json()]
    for act in (
        "application.submit",
        "application.approved",
        "permit.issue",
        "shipment.record",
        "permit.suspend",
        "permit.amend",
        "permit.cancel",
    ):
        assert act in actions
    submit_entry = next(
        e
        for e in c.get("/api/audit?limit=500", headers=aud).json()
        if e["action"] == "application.submit"
    )
    assert (
        submit_entry["law_version"] == LAW_VERSION and submit_entry["before"]["status"] == "draft"
    )


def test_validation_names_fields(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    a = o.user("alice", "applicant", "Maple Foods")
    bad = good_application(destination="XX")
    r = c.post("/api/applications", json=bad, headers=a)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "destination"
    bad = good_application()
    bad["lines"][0]["hs_code"] = "abc"
    r = c.post("/api/applications", json=bad, headers=a)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-2:] == ["0", "hs_code"]
    bad = good_application()
    bad["lines"][0]["total_value"] = "1.00"
    r = c.post("/api/applications", json=bad, headers=a)
    assert r.status_code == 422 and r.json()["field"] == "lines[0].total_value"
    # an incomplete draft saves, but does not submit
    r = c.post("/api/applications", json={"destination": "BY"}, headers=a)
    assert r.status_code == 201
    r = c.post(f"/api/applications/{r.json()['id']}/submit", headers=a)
    assert r.status_code == 422 and r.json()["field"] == "applicant.name"
    assert "end_use" in r.json()["message"]
    # engine BadInput names the line's field; nothing half-written
    body = good_application()
    body["lines"][0].pop("category")
    body["lines"][0]["hs_code"] = "9999"
    app_id = c.post("/api/applications", json=body, headers=a).json()["id"]
    n_audit = len(c.get("/api/audit?limit=500", headers=o.user("aud", "auditor")).json())
    r = c.post(f"/api/applications/{app_id}/submit", headers=a)
    assert r.status_code == 422 and r.json()["field"] == "lines[0].hs_code", r.text
    assert c.get(f"/api/applications/{app_id}", headers=a).json()["status"] == "draft"
    assert (
        len(
            c.get(
                "/api/audit?limit=500", headers={"Authorization": "Bearer " + o.tokens["aud"]}
            ).json()
        )
        == n_audit
    )


def test_multi_destination_gets_40_days(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    a = o.user("alice", "applicant", "Maple Foods")
    body = good_application()
    body["consignees"].append(
        {"name": "Riga SIA", "address": "Riga", "contact": "x", "country": "LV"}
    )
    app_id = c.post("/api/applications", json=body, headers=a).json()["id"]
    r = c.post(f"/api/applications/{app_id}/submit", headers=a).json()
    assert r["service_standard_days"] == 40


def test_queue_orders_by_due_date_and_flags_overdue(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    a = o.user("alice", "applicant", "Maple Foods")
    off = o.user("oscar", "officer")
    ids = []
    for _ in range(2):
        i = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
        c.post(f"/api/applications/{i}/submit", headers=a)
        ids.append(i)
    c.post(f"/api/applications/{ids[0]}/consultation", json={"needed": True}, headers=off)
    q = c.get("/api/queue", headers=off).json()
    assert [x["id"] for x in q] == [ids[1], ids[0]]
    assert q[0]["business_days_left"] == 10 and not q[0]["overdue"]
    o.app.state.settings = o.settings.__class__(
        **{**o.settings.__dict__, "today": lambda: dt.date(2026, 3, 17)}
    )
    q = c.get("/api/queue", headers=off).json()
    assert q[0]["overdue"] is True and q[0]["business_days_left"] == -1


def test_applicants_see_only_their_organisation(office: Office) -> None:
    o, c = office, office.client
    a = o.user("alice", "applicant", "Maple Foods")
    b = o.user("bob", "applicant", "Birch Tools")
    off = o.user("oscar", "officer")
    p = _approved_permit(o, a, off)
    app_id = p["application_id"]
    assert c.get(f"/api/applications/{app_id}", headers=b).status_code == 404
    assert c.get(f"/api/permits/{p['id']}", headers=b).status_code == 404
    assert c.get("/api/applications", headers=b).json() == []
    assert c.get("/api/permits", headers=b).json() == []
    r = c.post(
        f"/api/permits/{p['id']}/shipments",
        headers={**b, "Idempotency-Key": "x"},
        json={
            "line_no": 1,
            "quantity": "1",
            "value": "1",
            "shipped_on": "2026-03-02",
            "export_declaration_ref": "x",
        },
    )
    assert r.status_code == 404
    assert c.post(f"/api/applications/{app_id}/copy", headers=b).status_code == 404
    assert len(c.get("/api/applications", headers=a).json()) == 1


def test_expire_transition_after_validity(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    a = o.user("alice", "applicant", "Maple Foods")
    off = o.user("oscar", "officer")
    p = _approved_permit(o, a, off, valid_to="2026-03-10")
    later = dt.date(2026, 3, 11)
    o.app.state.settings = o.settings.__class__(**{**o.settings.__dict__, "today": lambda: later})
    got = c.get(f"/api/permits/{p['id']}", headers=a).json()
    assert got["status"] == "active" and got["effective_status"] == "expired"
    r = c.post(
        f"/api/permits/{p['id']}/shipments",
        headers={**a, "Idempotency-Key": "x"},
        json={
            "line_no": 1,
            "quantity": "1",
            "value": "1",
            "shipped_on": "2026-03-09",
            "export_declaration_ref": "x",
        },
    )
    assert r.status_code == 409 and r.json()["error"] == "permit_not_usable"
    r = c.post(
        f"/api/permits/{p['id']}/amendments",
        json={"reason": "x", "new_valid_to": "2026-12-31"},
        headers=a,
    )
    assert r.status_code == 409
    assert (
        c.post(
            f"/api/permits/{p['id']}/expire", json={"reason": "validity ended"}, headers=off
        ).json()["status"]
        == "expired"
    )
    assert (
        c.post(f"/api/permits/{p['id']}/reinstate", json={"reason": "x"}, headers=off).status_code
        == 409
    )


def test_checks_endpoints_pass_engine_answer_through(sqlite_office: Office) -> None:
    c = sqlite_office.client
    r = c.get("/api/check/export", params={"to": "BY", "on": "2014-03-01", "category": "food"})
    assert r.status_code == 200 and r.json()["law_version"] == LAW_VERSION
    assert r.json()["outcome"] == "generally_approved"  # Notice 148, humanitarian goods
    assert sqlite_office.checks.calls[-1]["category"] == "food"
    r = c.get("/api/check/export", params={"to": "BY", "hs": "9999"})
    assert r.status_code == 422 and r.json()["field"] == "hs"
    assert c.get("/api/check/import", params={"origin": "BY", "hs": "0402"}).status_code == 200
    assert (
        c.get("/api/check/contact", params={"with": "BY", "topic": "trade"}).json()["allowed"]
        is True
    )
    assert c.get("/api/countries/BY/measures").status_code == 200
    assert c.get("/api/countries/BY/timeline").status_code == 200
    assert c.get("/api/check/export", params={"to": "BY", "on": "not-a-date"}).status_code == 422


def test_replay_detects_changed_law(sqlite_office: Office, tmp_path: Path) -> None:
    o, c = sqlite_office, sqlite_office.client
    a = o.user("alice", "applicant", "Maple Foods")
    i = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    c.post(f"/api/applications/{i}/submit", headers=a)
    r = c.get(f"/api/applications/{i}/assessment?replay=true", headers=a).json()
    assert r["replay"]["identical"] and r["replay"]["same_law_version"]
    # A later state of the law: Belarus put back on the Area Control List, open-ended.
    o.checks.law = _law_with_belarus_on_the_acl(tmp_path)
    r = c.get(f"/api/applications/{i}/assessment?replay=true", headers=a).json()
    assert not r["replay"]["identical"] and not r["replay"]["same_law_version"]
    assert r["law_version"] == LAW_VERSION  # the stored assessment is unchanged
    assert r["assessment"]["lines"][0]["answer"]["outcome"] == "not_required"


def _law_with_belarus_on_the_acl(tmp_path: Path) -> Law:
    folder = tmp_path / "law"
    shutil.copytree(Path(str(resources.files("bilateral.law") / "data")), folder)
    acl = folder / "instruments" / "sor-81-543.yaml"
    text = acl.read_text(encoding="utf-8")
    head, rest = text.split("  - id: acl.belarus", 1)
    acl.write_text(
        head + "  - id: acl.belarus" + rest.replace("    valid_to: 2017-06-19\n", "", 1),
        encoding="utf-8",
    )
    later = Law(load(folder))
    assert later.law_version != LAW_VERSION
    return later


def test_a_refused_request_says_what_and_where_in_the_readers_language(
    sqlite_office: Office,
) -> None:
    """A request the schema refuses gets the documented error shape: the field as the request
    spells it and one line in the language asked (?lang= or Accept-Language), FastAPI's
    detail list beside it."""
    o, c = sqlite_office, sqlite_office.client
    a = o.user("alice", "applicant", "Maple Foods")
    bad = good_application()
    bad["lines"][0]["hs_code"] = "abc"
    r = c.post("/api/applications", json=bad, headers=a)
    body = r.json()
    assert r.status_code == 422 and body["error"] == "invalid"
    assert body["field"] == "lines[0].hs_code" and body["message"].startswith("lines[0].hs_code: ")
    assert body["detail"][0]["loc"][-2:] == ["0", "hs_code"]
    fr = c.post("/api/applications", json=bad, headers={**a, "Accept-Language": "fr-CA,fr;q=0.9"})
    said = fr.json()["message"]
    assert fr.status_code == 422 and said.startswith("lines[0].hs_code : "), said
    assert said != body["message"].replace(": ", " : ", 1), "the French line is not French"
    again = c.post("/api/applications?lang=en", json=bad, headers={**a, "Accept-Language": "fr"})
    assert again.json()["message"] == body["message"]
