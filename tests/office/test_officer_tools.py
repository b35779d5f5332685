"""What officers, auditors and admins expect: a queue they can search, filter, sort and
page through with each application's outcome; only the permit actions a permit's state
allows, each confirmed; a printable permit; an audit log with filters, names, time zones
and CSV; admin password reset, confirmed."""

from __future__ import annotations

import csv
import html
import io
import re

from test_web import csrf, login

from conftest import Office, good_application


def _submitted(o: Office, a: dict[str, str], n: int, **over: object) -> list[int]:
    ids = []
    for _ in range(n):
        i = o.client.post("/api/applications", json=good_application(**over), headers=a).json()[
            "id"
        ]
        assert o.client.post(f"/api/applications/{i}/submit", headers=a).status_code == 200
        ids.append(i)
    return ids


def test_queue_search_filters_sort_pages_and_outcome(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    b = o.user("bob", "applicant", "Birch Exports")
    o.user("oscar", "officer")
    off = {"Authorization": f"Bearer {o.tokens['oscar']}"}
    maple = _submitted(o, a, 27)
    birch = _submitted(o, b, 1)
    c.post(f"/api/applications/{birch[0]}/consultation", json={"needed": True}, headers=off)
    login(o, "oscar")
    page = c.get("/queue?lang=en").text
    assert "28 application(s)" in page and "Page 1 of 2" in page
    assert page.count('href="/applications/') == 25
    assert "Not required" in page  # the engine outcome in the row
    page2 = c.get("/queue?lang=en&page=2").text
    assert page2.count('href="/applications/') == 3
    found = c.get("/queue?lang=en&q=birch").text
    assert "1 application(s)" in found and f"/applications/{birch[0]}" in found
    cons = c.get("/queue?lang=en&consultation=1").text
    assert "1 application(s)" in cons
    by_ref = c.get("/queue?lang=en&sort=reference").text
    refs = re.findall(r'href="/applications/(\d+)"', by_ref)
    assert refs[0] == str(maple[0])
    none = c.get("/queue?lang=en&destination=RU").text
    assert "0 application(s)" in none


def _permit(o: Office) -> int:
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    off = o.user("oscar", "officer")
    (app_id,) = _submitted(o, a, 1)
    r = o.client.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=off,
    )
    return int(r.json()["permit_id"])


def test_only_valid_permit_actions_each_confirmed(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    pid = _permit(o)
    login(o, "oscar")
    page = c.get(f"/permits/{pid}?lang=en").text
    assert 'id="action-suspend"' in page and 'id="action-cancel"' in page
    assert 'id="action-reinstate"' not in page and 'id="action-expire"' not in page
    # the first post asks for confirmation and changes nothing
    r = c.post(
        f"/permits/{pid}/action",
        data={"csrf": csrf(page), "action": "suspend", "reason": "inspection"},
    )
    assert "Please confirm" in r.text and "Suspend permit EP-" in html.unescape(r.text)
    assert c.get(f"/api/permits/{pid}", headers=_bearer(o, "oscar")).json()["status"] == "active"
    r = c.post(
        f"/permits/{pid}/action",
        data={"csrf": csrf(page), "action": "suspend", "reason": "inspection", "confirm": "1"},
    )
    assert c.get(f"/api/permits/{pid}", headers=_bearer(o, "oscar")).json()["status"] == (
        "suspended"
    )
    page = c.get(f"/permits/{pid}?lang=en").text
    assert 'id="action-reinstate"' in page and 'id="action-suspend"' not in page


def _bearer(o: Office, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {o.tokens[name]}"}


def test_printable_permit_pdf_in_french(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    pid = _permit(o)
    login(o, "alice")
    r = c.get(f"/permits/{pid}/permit.pdf?lang=fr")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    page = c.get(f"/permits/{pid}").text
    assert "/permit.pdf" in page


def test_audit_filters_names_time_zone_and_csv(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    _permit(o)
    o.user("audrey", "auditor")
    login(o, "audrey")
    page = html.unescape(c.get("/audit?lang=en&entity=user").text)
    assert "User alice" in page and "User 1" not in page  # names, not ids
    assert re.search(r"\d{2}:\d{2}:\d{2} (EST|EDT|GMT-5|GMT-4)", page), page[-3000:]
    only = c.get("/audit?lang=en&action=permit.").text
    assert "Permit issued" in only and "Account created" not in only
    r = c.get("/audit.csv?entity=user")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {x["entity"] for x in rows} == {"user"}
    assert "alice" in {x["entity_name"] for x in rows}


def test_admin_resets_a_password_after_confirming(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    o.user("root", "admin")
    o.user("alice", "applicant", "Maple Foods Ltd")
    login(o, "root")
    page = c.get("/users?lang=en").text
    aid = re.search(r'id="user-(\d+)"><td>alice', page).group(1)  # type: ignore[union-attr]
    r = c.post(f"/users/{aid}/password-reset", data={"csrf": csrf(page)})
    assert "Reset the password of alice?" in r.text
    r = c.post(f"/users/{aid}/password-reset", data={"csrf": csrf(page), "confirm": "1"})
    m = re.search(r'id="reset-password">.*?<code>([^<]+)</code>', r.text, re.S)
    assert m, r.text[-2000:]
    login(o, "alice", m.group(1))  # the new password works
