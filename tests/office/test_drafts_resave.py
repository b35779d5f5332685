"""A draft is the applicant's work: it can be saved, edited and saved again, with any
number of goods lines, through the web form and the API, on SQLite and PostgreSQL.

Before this, re-saving a draft that had lines answered HTTP 500 (UNIQUE constraint on
application_lines(application_id, line_no)), so a web application could hold two lines.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_web import csrf, login

from conftest import Office, good_application


def _line(n: int, **over: Any) -> dict[str, Any]:
    ln = {
        "origin": "CA",
        "hs_code": "0402.10",
        "category": "food",
        "description": f"Milk powder lot {n}",
        "quantity": str(100 + n),
        "unit": "kg",
        "unit_value": "4.50",
    }
    ln.update(over)
    return ln


def _form(body: dict[str, Any], token: str) -> dict[str, str]:
    """The web form's fields for an application body (what a browser would send)."""
    f: dict[str, str] = {"csrf": token}
    for party in ("applicant", "exporter", "end_user"):
        for k, v in body[party].items():
            f[f"{party}.{k}"] = v
    for i, c in enumerate(body["consignees"]):
        for k, v in c.items():
            f[f"consignees-{i}-{k}"] = v
    for i, ln in enumerate(body["lines"]):
        for k, v in ln.items():
            f[f"lines-{i}-{k}"] = str(v)
    f["destination"] = body["destination"]
    f["end_use"] = body["end_use"]
    f["declarations.information_true"] = "on"
    f["declarations.aware_of_obligations"] = "on"
    return f


@pytest.mark.parametrize("n", [1, 2, 10])
def test_draft_with_n_lines_resaved_edited_and_copied_through_the_api(
    office: Office, n: int
) -> None:
    c = office.client
    a = office.user("alice", "applicant", "Maple Foods Ltd")
    body = good_application(lines=[_line(i) for i in range(1, n + 1)])
    r = c.post("/api/applications", json=body, headers=a)
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    for round_ in range(2):  # saved again unchanged, then with every line edited
        if round_:
            body["lines"] = [_line(i, description=f"Edited {i}") for i in range(1, n + 1)]
        r = c.put(f"/api/applications/{app_id}", json=body, headers=a)
        assert r.status_code == 200, r.text
    got = c.get(f"/api/applications/{app_id}", headers=a).json()
    assert [ln["description"] for ln in got["lines"]] == [f"Edited {i}" for i in range(1, n + 1)]
    # one line fewer, then one more: numbers stay 1..k
    body["lines"] = [*body["lines"][:-1], _line(99), _line(100)]
    r = c.put(f"/api/applications/{app_id}", json=body, headers=a)
    assert r.status_code == 200, r.text
    assert [ln["line_no"] for ln in r.json()["lines"]] == list(range(1, n + 2))
    # the copy is a draft that can be edited and saved twice too
    r = c.post(f"/api/applications/{app_id}/copy", headers=a)
    assert r.status_code == 201, r.text
    copy_id = r.json()["id"]
    for _ in range(2):
        r = c.put(f"/api/applications/{copy_id}", json=body, headers=a)
        assert r.status_code == 200, r.text
    assert len(r.json()["lines"]) == n + 1


@pytest.mark.parametrize("n", [1, 2, 10])
def test_draft_with_n_lines_resaved_through_the_web_form(office: Office, n: int) -> None:
    c = office.client
    office.user("alice", "applicant", "Maple Foods Ltd")
    login(office, "alice")
    token = csrf(c.get("/applications/new").text)
    body = good_application(lines=[_line(i) for i in range(1, n + 1)])
    r = c.post("/applications/new", data=_form(body, token), follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"].split("#")[0]
    for k in range(2):
        body["lines"] = [_line(i, description=f"Round {k} line {i}") for i in range(1, n + 1)]
        r = c.post(url, data=_form(body, token), follow_redirects=False)
        assert r.status_code == 303, r.text
    page = c.get(url).text
    for i in range(1, n + 1):
        assert f"Round 1 line {i}" in page
    app_id = int(url.rsplit("/", 1)[1])
    r = c.post(f"/applications/{app_id}/copy", data={"csrf": token}, follow_redirects=False)
    copy_url = r.headers["location"]
    assert copy_url != url
    body["lines"][0]["description"] = "Copy edited"
    for _ in range(2):
        r = c.post(copy_url, data=_form(body, token), follow_redirects=False)
        assert r.status_code == 303, r.text
    assert "Copy edited" in c.get(copy_url).text


def test_country_is_chosen_by_name_and_an_unknown_one_is_refused(sqlite_office: Office) -> None:
    """Typing "Belarus" saved BE (Belgium) through a two-letter box; now it is BY, the
    French name works too, and a name that is no country is refused, not guessed."""
    c = sqlite_office.client
    a = sqlite_office.user("alice", "applicant", "Maple Foods Ltd")
    body = good_application(destination="Belarus", lines=[_line(1, origin="Canada")])
    body["consignees"][0]["country"] = "Bélarus"
    r = c.post("/api/applications", json=body, headers=a)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["destination"] == "BY" and got["consignees"][0]["country"] == "BY"
    assert got["lines"][0]["origin"] == "CA"
    r = c.post("/api/applications", json=good_application(destination="Belarussia"), headers=a)
    assert r.status_code == 422
    assert "destination" in r.text
    # the web form offers a list of names; the saved choice is selected again
    login(sqlite_office, "alice")
    page = c.get(f"/applications/{got['id']}?lang=fr").text
    assert '<option value="BY" selected>Bélarus</option>' in page
    assert 'maxlength="2"' not in page


def test_refused_form_keeps_what_the_user_typed(sqlite_office: Office) -> None:
    c = sqlite_office.client
    sqlite_office.user("alice", "applicant", "Maple Foods Ltd")
    login(sqlite_office, "alice")
    token = csrf(c.get("/applications/new").text)
    body = good_application(lines=[_line(1), _line(2, quantity="abc")])
    body["end_use"] = "Typed end use survives"
    r = c.post("/applications/new", data=_form(body, token))
    assert r.status_code == 422
    assert "Typed end use survives" in r.text and 'value="abc"' in r.text
    assert "Milk powder lot 1" in r.text


def test_codes_entered_are_described(sqlite_office: Office) -> None:
    """HS/ECL lookup: the saved draft shows what the code entered stands for."""
    c = sqlite_office.client
    a = sqlite_office.user("alice", "applicant", "Maple Foods Ltd")
    body = good_application(lines=[_line(1, hs_code="8471.30", ecl_item="2-1", category="")])
    body["lines"][0].pop("category")
    app_id = c.post("/api/applications", json=body, headers=a).json()["id"]
    login(sqlite_office, "alice")
    page = c.get(f"/applications/{app_id}?lang=fr").text
    assert 'id="hs-desc-0"' in page and "Automatic data processing machines" in page
    assert "Groupe 2 de la Liste des marchandises d&#39;exportation contrôlée : munitions" in page
