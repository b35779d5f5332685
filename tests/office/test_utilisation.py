"""Permit utilisation report: figures per line, shipments, CSV, and who may see it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from test_web import login

from conftest import Office, good_application

LINES = [
    {
        "origin": "CA",
        "hs_code": "0402.10",
        "category": "food",
        "description": "Milk powder",
        "quantity": "1000",
        "unit": "kg",
        "unit_value": "4.50",
    },
    {
        "origin": "CA",
        "hs_code": "0406.90",
        "category": "food",
        "description": '=HYPERLINK("x") cheese',
        "quantity": "200.5",
        "unit": "kg",
        "unit_value": "12.00",
    },
]


def _permit(o: Office) -> tuple[int, dict[str, dict[str, str]]]:
    c = o.client
    h = {
        "applicant": o.user("alice", "applicant", "Maple Foods"),
        "officer": o.user("oscar", "officer"),
        "auditor": o.user("audrey", "auditor"),
        "admin": o.user("adam", "admin"),
        "other": o.user("olga", "applicant", "Other Exports"),
    }
    a = h["applicant"]
    app_id = c.post("/api/applications", json=good_application(lines=LINES), headers=a).json()["id"]
    assert c.post(f"/api/applications/{app_id}/submit", headers=a).status_code == 200
    pid = c.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=h["officer"],
    ).json()["permit_id"]
    for key, line, q, v, ref in (
        ("k1", 1, "100", "450.00", "CBSA-0001"),
        ("k2", 1, "250.5", "1127.25", "CBSA-0002"),
        ("k3", 2, "0.5", "6.00", "+CBSA-0003"),
    ):
        body = {
            "line_no": line,
            "quantity": q,
            "value": v,
            "shipped_on": "2026-03-02",
            "export_declaration_ref": ref,
        }
        r = c.post(
            f"/api/permits/{pid}/shipments", json=body, headers={**a, "Idempotency-Key": key}
        )
        assert r.status_code == 201, r.text
    return int(pid), h


def test_utilisation_figures_and_visibility(office: Office) -> None:
    c = office.client
    pid, h = _permit(office)
    r = c.get(f"/api/permits/{pid}/utilisation", headers=h["applicant"])
    assert r.status_code == 200, r.text
    rep: dict[str, Any] = r.json()
    assert rep["permit"].startswith("EP-2026-BY-") and rep["as_of"] == "2026-03-02"
    assert rep["shipments"] == 3
    l1, l2 = rep["lines"]
    d = Decimal
    assert (d(l1["authorised_quantity"]), d(l1["used_quantity"]), d(l1["remaining_quantity"])) == (
        d("1000"),
        d("350.5"),
        d("649.5"),
    )
    assert (d(l1["authorised_value"]), d(l1["used_value"]), d(l1["remaining_value"])) == (
        d("4500.00"),
        d("1577.25"),
        d("2922.75"),
    )
    assert d(l1["used_quantity_percent"]) == d("35.1")  # 35.05 rounded half up
    assert [s["export_declaration_ref"] for s in l1["shipments"]] == ["CBSA-0001", "CBSA-0002"]
    assert [s["shipped_on"] for s in l1["shipments"]] == ["2026-03-02", "2026-03-02"]
    assert d(l1["shipments"][0]["remaining_quantity_after"]) == d("900")
    assert d(l1["shipments"][1]["remaining_value_after"]) == d("2922.75")
    assert d(l2["authorised_value"]) == d("2406.00") and d(l2["remaining_quantity"]) == d("200")
    assert len(l2["shipments"]) == 1
    assert d(rep["authorised_value"]) == d("6906.00")
    assert d(rep["used_value"]) == d("1583.25")
    assert d(rep["remaining_value"]) == d("5322.75")
    # the report agrees with the permit's balances
    permit = c.get(f"/api/permits/{pid}", headers=h["applicant"]).json()
    for pl, ul in zip(permit["lines"], rep["lines"], strict=True):
        assert d(pl["remaining_quantity"]) == d(ul["remaining_quantity"])
        assert d(pl["used_value"]) == d(ul["used_value"])
    # the same visibility as the permit
    for who, status in (
        ("officer", 200),
        ("auditor", 200),
        ("other", 404),
        ("admin", 403),
    ):
        for url in (f"/api/permits/{pid}/utilisation", f"/api/permits/{pid}/utilisation.csv"):
            assert c.get(url, headers=h[who]).status_code == status, (who, url)
    assert c.get(f"/api/permits/{pid}/utilisation").status_code == 401
    assert c.get("/api/permits/999999/utilisation", headers=h["officer"]).status_code == 404


def test_utilisation_csv(sqlite_office: Office) -> None:
    c = sqlite_office.client
    pid, h = _permit(sqlite_office)
    r = c.get(f"/api/permits/{pid}/utilisation?format=csv", headers=h["auditor"])
    r2 = c.get(f"/api/permits/{pid}/utilisation.csv", headers=h["auditor"])
    assert r.status_code == 200 and r.text == r2.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert c.get(
        f"/api/permits/{pid}/utilisation?format=xml", headers=h["auditor"]
    ).status_code == (422)
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["record"], x["line_no"]) for x in rows] == [
        ("line", "1"),
        ("shipment", "1"),
        ("shipment", "1"),
        ("line", "2"),
        ("shipment", "2"),
    ]
    assert rows[0]["remaining_quantity"] == "649.500" and rows[0]["used_value_cad"] == "1577.25"
    assert rows[2]["export_declaration_ref"] == "CBSA-0002"
    assert rows[2]["shipped_on"] == "2026-03-02" and rows[2]["quantity"] == "250.500"
    assert rows[2]["remaining_quantity"] == "649.500"
    # spreadsheet formulas are neutralised
    assert rows[3]["description"].startswith("'=") and rows[4]["export_declaration_ref"] == (
        "'+CBSA-0003"
    )


def test_utilisation_link_on_permit_page(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    pid, _h = _permit(o)
    login(o, "alice")
    page = c.get(f"/permits/{pid}?lang=fr")
    assert f'href="/permits/{pid}/utilisation.csv"' in page.text
    assert "Rapport d&#39;utilisation (CSV)" in page.text or "Rapport d'utilisation" in page.text
    assert "Utilisation report (CSV)" in c.get(f"/permits/{pid}?lang=en").text
    r = c.get(f"/permits/{pid}/utilisation.csv")
    assert r.status_code == 200 and r.text.startswith("permit,record,line_no")
    login(o, "olga")  # another organisation
    assert c.get(f"/permits/{pid}/utilisation.csv").status_code == 404
    login(o, "adam")
    assert c.get(f"/permits/{pid}/utilisation.csv").status_code == 403
