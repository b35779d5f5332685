"""The law on the day that matters: no permit for goods banned on the day it is issued,
no shipment of goods banned on the day they ship, no assessment under a past law.

SOR/2020-214 s. 3.7 (luxury goods to Belarus; laptops, HS 8471.30) applies from
2022-08-24: the 23rd and the 24th are both sides of the boundary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bilateral.platform import db
from conftest import Office, RecordingChecks, good_application, make_settings

LAPTOPS = {
    "origin": "CA",
    "hs_code": "8471.30",
    "description": "Laptop computers",
    "quantity": "10",
    "unit": "units",
    "unit_value": "1250.00",
}


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[Office, Clock]]:
    clock = Clock(dt.date(2022, 8, 1))
    settings = dataclasses.replace(make_settings(tmp_path), today=clock)
    engine = db.make_engine(settings)
    db.upgrade(settings, engine=engine)
    yield Office(settings, RecordingChecks(), engine), clock
    engine.dispose()


def _submit(o: Office, a: dict[str, str], **over: Any) -> dict[str, Any]:
    body = good_application(lines=[LAPTOPS], **over)
    app_id = o.client.post("/api/applications", json=body, headers=a).json()["id"]
    r = o.client.post(f"/api/applications/{app_id}/submit", headers=a)
    return {**r.json(), "http": r.status_code, "id": app_id}


def test_a_past_export_date_is_refused_not_assessed_under_the_old_law(
    clocked: tuple[Office, Clock],
) -> None:
    o, clock = clocked
    clock.day = dt.date(2026, 3, 2)
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    r = _submit(o, a, proposed_export_date="2014-12-01")
    assert r["http"] == 422 and r["field"] == "proposed_export_date"
    assert "2014-12-01" in r["message"] and "past" in r["message"]
    r = _submit(o, a, proposed_export_date="2026-03-02")  # today: accepted
    assert r["http"] == 200 and r["status"] == "submitted"


def test_assessed_on_the_export_date_and_on_today(clocked: tuple[Office, Clock]) -> None:
    o, _clock = clocked
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    r = _submit(o, a, proposed_export_date="2022-08-24")
    assert r["http"] == 200
    assess = r["assessment"]
    assert assess["on"] == "2022-08-24"
    assert assess["lines"][0]["answer"]["outcome"] == "prohibited"
    assert assess["today"]["on"] == "2022-08-01"
    assert assess["today"]["lines"][0]["answer"]["outcome"] == "not_required"


def test_no_permit_for_goods_banned_on_the_day_of_issue(clocked: tuple[Office, Clock]) -> None:
    o, clock = clocked
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    off = o.user("oscar", "officer")
    app = _submit(o, a, proposed_export_date="2022-08-10")
    assert app["assessment"]["lines"][0]["answer"]["outcome"] == "not_required"
    approve = {"outcome": "approve", "reasons": "Meets policy"}
    clock.day = dt.date(2022, 8, 24)  # the ban applies from today
    r = o.client.post(f"/api/applications/{app['id']}/decision", json=approve, headers=off)
    assert r.status_code == 409, r.text
    err = r.json()
    assert err["error"] == "law_blocks_line" and err["field"] == "lines[0]"
    assert "SOR/2020-214 s. 3.7" in err["message"] and "2022-08-24" in err["message"]
    # nothing was decided; the officer's replay under today's law shows the ban
    got = o.client.get(f"/api/applications/{app['id']}", headers=off).json()
    assert got["status"] == "submitted" and got["permit"] is None
    r = o.client.post(f"/api/applications/{app['id']}/reassess", headers=off)
    assert r.status_code == 200
    assert r.json()["assessment"]["lines"][0]["answer"]["outcome"] == "prohibited"
    r = o.client.post(f"/api/applications/{app['id']}/decision", json=approve, headers=off)
    assert r.status_code == 409
    # the day before the ban the same approval issues the permit
    clock.day = dt.date(2022, 8, 23)
    app2 = _submit(o, a, proposed_export_date="2022-08-23")
    r = o.client.post(f"/api/applications/{app2['id']}/decision", json=approve, headers=off)
    assert r.status_code == 200 and r.json()["permit"]
    # a validity that starts on the first day of the ban is refused too
    app3 = _submit(o, a, proposed_export_date="2022-08-23")
    late = approve | {"valid_from": "2022-08-24"}
    r = o.client.post(f"/api/applications/{app3['id']}/decision", json=late, headers=off)
    assert r.status_code == 409 and "2022-08-24" in r.json()["message"]


def test_a_ban_after_issue_flags_the_permit_and_refuses_shipments_on_that_line(
    clocked: tuple[Office, Clock],
) -> None:
    o, clock = clocked
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    off = o.user("oscar", "officer")
    app = _submit(o, a, proposed_export_date="2022-08-10")
    r = o.client.post(
        f"/api/applications/{app['id']}/decision",
        json={"outcome": "approve", "reasons": "Meets policy"},
        headers=off,
    )
    permit_id = r.json()["permit_id"]
    clock.day = dt.date(2022, 9, 1)

    def ship(day: str, key: str) -> Any:
        body = {
            "line_no": 1,
            "quantity": "1",
            "value": "1250.00",
            "shipped_on": day,
            "export_declaration_ref": "CBSA-" + key,
        }
        return o.client.post(
            f"/api/permits/{permit_id}/shipments",
            json=body,
            headers=a | {"Idempotency-Key": key},
        )

    r = ship("2022-08-23", "k1")  # the last day before the ban: recorded
    assert r.status_code == 201, r.text
    r = ship("2022-08-24", "k2")  # the first day of the ban: refused with the citation
    assert r.status_code == 409
    assert r.json()["error"] == "line_now_prohibited"
    assert "SOR/2020-214 s. 3.7" in r.json()["message"]
    # the officer sees the permit flagged, on the permit page and in the queue
    from test_web import login

    o.user("olga", "officer", password="correct horse battery")
    login(o, "olga")
    page = o.client.get(f"/permits/{permit_id}?lang=fr").text
    assert 'id="law-flag"' in page and "/fra/reglements/DORS-2020-214" in page
    assert "Le droit a changé depuis la délivrance de cette licence" in page
    queue = o.client.get("/queue?lang=en").text
    assert "Permits flagged by a change in the law" in queue


def test_the_officer_reads_why_in_french_on_the_decision_page(
    clocked: tuple[Office, Clock],
) -> None:
    import html

    from test_web import csrf, login

    o, clock = clocked
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    o.user("oscar", "officer")
    app = _submit(o, a, proposed_export_date="2022-08-10")
    clock.day = dt.date(2022, 8, 24)
    login(o, "oscar")
    page = o.client.get(f"/applications/{app['id']}?lang=fr").text
    r = o.client.post(
        f"/applications/{app['id']}/decision",
        data={"csrf": csrf(page), "outcome": "approve", "reasons": "Conforme"},
    )
    text = html.unescape(r.text)
    assert "Aucune licence ne peut être délivrée" in text
    assert "24 août 2022" in text and "DORS/2020-214, art. 3.7" in text
    assert "Ligne 1" in text and "lines[0]" not in text
    # what the officer typed is still there after the refusal
    assert "Conforme</textarea>" in text
    assert 'id="f-approve" name="outcome" value="approve" required checked' in text


def _law_banning_milk_powder(tmp_path: Path) -> Any:
    """The law data with HS 0402.10 added to SOR/2020-214 Schedule 4, Part 1: a new
    ``law_version`` that bans milk powder to Belarus (a change of law after issue)."""
    import shutil
    from importlib import resources

    from bilateral.engine.law import Law, default_law
    from bilateral.law.loader import load

    folder = tmp_path / "law"
    shutil.copytree(Path(str(resources.files("bilateral.law") / "data")), folder)
    lst = folder / "lists" / "sor-2020-214-schedule-4-part-1.yaml"
    text = lst.read_text(encoding="utf-8")
    lst.write_text(
        text.replace(
            "items:\n",
            "items:\n- item: '0'\n  hs: '040210'\n  description: Milk powder (test)\n",
            1,
        ),
        encoding="utf-8",
    )
    later = Law(load(folder))
    assert later.law_version != default_law().law_version
    return later


def test_a_new_law_version_that_bans_a_line_flags_the_permit_and_stops_its_shipments(
    sqlite_office: Office, tmp_path: Path
) -> None:
    from test_web import login

    o = sqlite_office
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    off = o.user("oscar", "officer")
    milk = {k: v for k, v in good_application()["lines"][0].items() if k != "category"}
    body = good_application(lines=[milk])
    app_id = o.client.post("/api/applications", json=body, headers=a).json()["id"]
    assert o.client.post(f"/api/applications/{app_id}/submit", headers=a).status_code == 200
    r = o.client.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=off,
    )
    permit_id = r.json()["permit_id"]
    ship = {
        "line_no": 1,
        "quantity": "1",
        "value": "4.50",
        "shipped_on": "2026-03-02",
        "export_declaration_ref": "CBSA-1",
    }
    o.checks.law = _law_banning_milk_powder(tmp_path)  # the law changes after issue
    r = o.client.post(
        f"/api/permits/{permit_id}/shipments", json=ship, headers=a | {"Idempotency-Key": "k1"}
    )
    assert r.status_code == 409 and r.json()["error"] == "line_now_prohibited"
    assert "SOR/2020-214" in r.json()["message"]
    login(o, "oscar")
    assert 'id="law-flag"' in o.client.get(f"/permits/{permit_id}?lang=en").text
    assert "Permits flagged by a change in the law" in o.client.get("/queue?lang=en").text
    o.checks.law = None  # the law as issued: the same shipment is recorded
    r = o.client.post(
        f"/api/permits/{permit_id}/shipments", json=ship, headers=a | {"Idempotency-Key": "k1"}
    )
    assert r.status_code == 201, r.text
    assert 'id="law-flag"' not in o.client.get(f"/permits/{permit_id}?lang=en").text


@pytest.mark.parametrize(
    ("export_on", "outcome"), [("2022-08-23", None), ("2022-08-24", "prohibited")]
)
def test_laptops_described_also_as_food_are_still_assessed_by_their_hs_code(
    clocked: tuple[Office, Clock], export_on: str, outcome: str | None
) -> None:
    """A goods category says nothing of SOR/2020-214 s. 3.7's HS-coded Schedule 4: a line
    with both is asked both ways and the most restrictive answer stands (on the 24th the
    ban, on the 23rd no ban either way)."""
    o, clock = clocked
    clock.day = dt.date(2022, 8, 23)
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    body = good_application(lines=[LAPTOPS | {"category": "food"}], proposed_export_date=export_on)
    app_id = o.client.post("/api/applications", json=body, headers=a).json()["id"]
    r = o.client.post(f"/api/applications/{app_id}/submit", headers=a)
    assert r.status_code == 200, r.text
    line = r.json()["assessment"]["lines"][0]
    if outcome:
        assert line["answer"]["outcome"] == "prohibited"
        assert line["question"] == {"to": "BY", "on": "2022-08-24", "hs": "847130"}
    else:
        assert line["answer"]["outcome"] != "prohibited"
