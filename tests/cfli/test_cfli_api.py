"""The CFLI JSON API: the whole cycle with bearer tokens, messages in English and French,
4xx naming the field, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from app_kit import OFFICER_SETS, Cfli, draft

CALL = "cfli-belarus-2026-27"


def people(o: Cfli) -> dict[str, dict[str, str]]:
    return {
        "olga": o.user("olga", "programme_officer", mission="warsaw"),
        "mira": o.user("mira", "committee_member"),
        "marc": o.user("marc", "committee_member"),
        "ana": o.user("ana", "grant_applicant", "Circle"),
    }


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_whole_cycle_through_the_api(cfli: Cfli, lang: str) -> None:
    o, c = cfli, cfli.client
    h = people(o)
    q = f"?lang={lang}"
    ok(c.post(f"/api/cfli/calls/sync{q}", headers=h["olga"]))
    body = {"changes": OFFICER_SETS, "change_note": "set by the mission"}
    v = ok(c.post(f"/api/cfli/calls/{CALL}/versions{q}", json=body, headers=h["olga"]), 201)
    assert v["version"] == 2 and v["status"] == "draft"
    assert ok(c.get(f"/api/cfli/calls{q}")) == []  # v1 in the call file is a draft
    ok(c.post(f"/api/cfli/calls/{CALL}/versions/2/publish{q}", headers=h["olga"]))
    calls = ok(c.get(f"/api/cfli/calls{q}"))
    assert [x["version"] for x in calls] == [2]
    for m in ("mira", "marc"):
        ok(
            c.post(f"/api/cfli/calls/{CALL}/committee", json={"username": m}, headers=h["olga"]),
            204,
        )
    p = ok(c.post(f"/api/cfli/calls/{CALL}/proposals{q}", json=draft(), headers=h["ana"]), 201)
    ref = p["reference"]
    p = ok(c.post(f"/api/cfli/proposals/{ref}/submit{q}", headers=h["ana"]))
    assert p["status"] == "eligible"
    assert p["data"]["organisation"]["name"] == "Independent Media Circle"
    reasons = p["determination"]["reasons"]
    assert all("cfli-belarus-2026-27 v2" in r["citation"] for r in reasons)
    assert ok(c.get(f"/api/cfli/proposals/{ref}/replay", headers=h["olga"]))["same"] is True
    ok(
        c.post(f"/api/cfli/proposals/{ref}/conflict", json={"conflicted": True}, headers=h["marc"]),
        204,
    )
    marks = {"relevance": "8", "feasibility": "7", "impact": "9"}
    r = c.post(f"/api/cfli/proposals/{ref}/score{q}", json={"marks": marks}, headers=h["marc"])
    assert r.status_code == 403 and r.json()["field"] == "conflict"
    assert ("conflict of interest" if lang == "en" else "conflit d'intérêts") in r.json()["message"]
    ok(
        c.post(
            f"/api/cfli/proposals/{ref}/conflict", json={"conflicted": False}, headers=h["mira"]
        ),
        204,
    )
    r = c.post(
        f"/api/cfli/proposals/{ref}/score{q}",
        json={"marks": {"relevance": "11", "feasibility": "7", "impact": "9"}},
        headers=h["mira"],
    )
    assert r.status_code == 422 and r.json()["field"] == "marks.relevance"
    ok(c.post(f"/api/cfli/proposals/{ref}/score", json={"marks": marks}, headers=h["mira"]), 204)
    rank = ok(c.get(f"/api/cfli/calls/{CALL}/ranking", headers=h["olga"]))
    assert rank == [{"rank": 1, "reference": ref, "total": "79.00", "sheets": 1}]
    plan = ok(c.post(f"/api/cfli/calls/{CALL}/plan{q}", json={}, headers=h["olga"]), 201)
    assert plan["funded"] == [ref] and plan["committed"] == "23000.00"
    ok(
        c.post(
            f"/api/cfli/proposals/{ref}/decision", json={"decision": "approve"}, headers=h["olga"]
        )
    )
    letter = ok(c.get(f"/api/cfli/proposals/{ref}/letter", headers=h["ana"]))
    assert "Independent Media Circle" in letter["en"] and "approuvée" in letter["fr"]
    ag = ok(c.post(f"/api/cfli/proposals/{ref}/agreement", headers=h["olga"]), 201)
    assert [i["amount"] for i in ag["installments"]] == ["18400.00", "4600.00"]
    pdf = c.get(f"/api/cfli/proposals/{ref}/agreement.pdf", headers=h["ana"])
    assert pdf.content.startswith(b"%PDF")
    ok(
        c.post(
            f"/api/cfli/proposals/{ref}/agreement/sign",
            json={"signed_on": "2026-05-15"},
            headers=h["olga"],
        )
    )
    pay = {"kind": "advance", "amount": "18400.00", "paid_on": "2026-05-16", "reference": "PO-1"}
    ag = ok(c.post(f"/api/cfli/proposals/{ref}/payments", json=pay, headers=h["olga"]), 201)
    assert ag["paid"] == "18400.00"
    o.clock.day = dt.date(2027, 2, 20)
    ok(
        c.post(
            f"/api/cfli/proposals/{ref}/reports",
            json={"kind": "narrative", "text": "Done."},
            headers=h["ana"],
        ),
        201,
    )
    fin = {"kind": "financial", "actuals": {"1": "12000", "2": "8000", "3": "2000"}}
    ag = ok(c.post(f"/api/cfli/proposals/{ref}/reports", json=fin, headers=h["ana"]), 201)
    assert ag["variance"][1] == {
        "line": 2,
        "budget": "8500.50",
        "actual": "8000.00",
        "difference": "-500.50",
    }
    ok(c.post(f"/api/cfli/proposals/{ref}/reports/accept", headers=h["olga"]))
    final = {"kind": "final", "amount": "4600.01", "paid_on": "2027-02-21", "reference": "PO-2"}
    r = c.post(f"/api/cfli/proposals/{ref}/payments{q}", json=final, headers=h["olga"])
    assert r.status_code == 422 and r.json()["error"] == "cfli_overpaid"
    assert r.json()["field"] == "amount"
    ok(
        c.post(
            f"/api/cfli/proposals/{ref}/payments",
            json={**final, "amount": "4600.00"},
            headers=h["olga"],
        ),
        201,
    )
    ag = ok(c.post(f"/api/cfli/proposals/{ref}/close", headers=h["olga"]))
    assert ag["status"] == "closed" and ag["closure"]["to_return"] == "1000.00"


def test_bad_input_is_a_4xx_naming_the_field(sqlite_cfli: Cfli) -> None:
    o, c = sqlite_cfli, sqlite_cfli.client
    h = people(o)
    ok(c.post("/api/cfli/calls/sync", headers=h["olga"]))
    body = {"changes": {"maximum_contribution": {"cad": "-5"}}, "change_note": "x"}
    r = c.post(f"/api/cfli/calls/{CALL}/versions", json=body, headers=h["olga"])
    assert r.status_code == 422 and r.json()["field"] == "maximum_contribution"
    r = c.post(
        f"/api/cfli/calls/{CALL}/versions",
        json={"changes": {"title": 1}, "change_note": "x"},
        headers=h["olga"],
    )
    assert r.status_code == 422 and r.json()["field"] == "title"
    r = c.post(
        f"/api/cfli/calls/{CALL}/proposals",
        json={"budget": [{"category": "x", "description": "d", "cfli": 1.5}]},
        headers=h["ana"],
    )
    assert r.status_code == 422  # amounts are strings, never floats
    r = c.get("/api/cfli/proposals/CFLI-999999", headers=h["ana"])
    assert r.status_code == 404
    r = c.get("/api/cfli/proposals/..%2f..", headers=h["ana"])
    assert r.status_code in (404, 422)


def test_the_operations_are_in_the_openapi_document(sqlite_cfli: Cfli) -> None:
    doc = sqlite_cfli.client.get("/openapi.json").json()
    ops = {
        (m.upper(), p)
        for p, item in doc["paths"].items()
        for m in item
        if p.startswith("/api/cfli")
    }
    assert ("POST", "/api/cfli/proposals/{ref}/payments") in ops
    assert len(ops) >= 25
    assert "PaymentIn" in doc["components"]["schemas"]
