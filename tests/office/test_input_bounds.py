"""No 500 from input, on SQLite and PostgreSQL (issue 8): NUL and other control characters,
numbers and dates out of range, text longer than its column. Every case answers 422 naming
the field as the user knows it, and changes nothing.

The text cases are generated: every text field of an application (walked from a complete
one) gets a NUL byte, and every query parameter of the list and audit endpoints too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from test_web import csrf, login

from conftest import Office, good_application


def _text_paths(v: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(v, dict):
        for k, x in v.items():
            yield from _text_paths(x, (*path, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _text_paths(x, (*path, i))
    elif isinstance(v, str):
        yield path


def _with(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    import copy

    b = copy.deepcopy(body)
    target: Any = b
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    return b


def _count(o: Office, h: dict[str, str]) -> int:
    return len(o.client.get("/api/applications", headers=h).json())


def test_nul_in_any_text_field_is_refused_naming_the_field(office: Office) -> None:
    o, c = office, office.client
    a = o.user("alice", "applicant", "Maple Foods")
    body = good_application()
    paths = list(_text_paths(body))
    assert len(paths) >= 15  # every text field of the application
    for path in paths:
        r = c.post("/api/applications", json=_with(body, path, "Minsk\x00Trading"), headers=a)
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        loc = r.json()["detail"][0]["loc"]
        assert [str(x) for x in loc[1:]] == [str(x) for x in path], (path, loc)
    # other control characters too (tab, line feed and carriage return are text)
    for ch in ("\x01", "\x1b", "\x7f", "\x85"):
        r = c.post("/api/applications", json=_with(body, ("end_use",), f"a{ch}b"), headers=a)
        assert r.status_code == 422, repr(ch)
    r = c.post("/api/applications", json=_with(body, ("end_use",), "line 1\r\n\tline 2"), headers=a)
    assert r.status_code == 201
    assert _count(o, a) == 1


def test_nul_in_query_parameters_is_refused_naming_the_parameter(office: Office) -> None:
    o, c = office, office.client
    a = o.user("alice", "applicant", "Maple Foods")
    aud = o.user("audrey", "auditor")
    for path, param, h in (
        ("/api/applications", "status", a),
        ("/api/audit", "entity_id", aud),
        ("/api/check/export", "to", {}),
        ("/check/export", "hs", {}),
    ):
        r = c.get(path, params={param: "x\x00y"}, headers=h)
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        assert r.json()["field"] == param


def test_nul_in_web_forms_and_sign_in_is_refused(office: Office) -> None:
    o, c = office, office.client
    o.user("alice", "applicant", "Maple Foods")
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": "ali\x00ce", "password": "x", "csrf": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 422
    login(o, "alice")
    page = c.get("/applications/new")
    r = c.post(
        "/applications/new",
        data={"csrf": csrf(page.text), "end_use": "food\x00", "destination": "BY"},
        follow_redirects=False,
    )
    assert r.status_code == 422 and "end_use" in r.text


def test_numbers_and_dates_out_of_range(office: Office) -> None:
    o, c = office, office.client
    a = o.user("alice", "applicant", "Maple Foods")
    off = o.user("oscar", "officer")
    line = good_application()["lines"][0]
    cases = [
        # quantity × unit value above 10^13 CAD (it overflowed the integer column)
        ({**line, "quantity": "999999999999", "unit_value": "9999999999999"}, "total_value"),
        ({**line, "quantity": "1e13"}, "quantity"),
        ({**line, "unit_value": "1e14"}, "unit_value"),
        ({**line, "ecl_item": "2-1.a." + "x" * 40}, "ecl_item"),  # 41-60 chars: column is 40
    ]
    for bad, field in cases:
        r = c.post("/api/applications", json=good_application(lines=[bad]), headers=a)
        assert r.status_code == 422, (field, r.status_code, r.text[:300])
        assert field in r.text, (field, r.text[:300])
    r = c.post(
        "/api/applications", json=good_application(proposed_export_date="9999-12-31"), headers=a
    )
    assert r.status_code == 422 and "proposed_export_date" in r.text
    # a decision valid from year 9999 with no end (the default end overflowed the date)
    app_id = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    assert c.post(f"/api/applications/{app_id}/submit", headers=a).status_code == 200
    for body in (
        {"outcome": "approve", "reasons": "ok", "valid_from": "9999-01-01"},
        {"outcome": "approve", "reasons": "ok", "valid_to": "9999-12-31"},
        {"outcome": "approve", "reasons": "ok", "valid_from": "1066-10-14"},
    ):
        r = c.post(f"/api/applications/{app_id}/decision", json=body, headers=off)
        assert r.status_code == 422, r.text[:300]
        assert r.json()["detail"][0]["loc"][-1] in ("valid_from", "valid_to")
    r = c.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=off,
    )
    pid = r.json()["permit_id"]
    ship = {
        "line_no": 1,
        "quantity": "1",
        "value": "1",
        "shipped_on": "9999-01-01",
        "export_declaration_ref": "X",
    }
    r = c.post(f"/api/permits/{pid}/shipments", json=ship, headers={**a, "Idempotency-Key": "k"})
    assert r.status_code == 422 and "shipped_on" in r.text


def test_openapi_states_the_bounds(office: Office) -> None:
    spec = office.client.get("/openapi.json").json()
    line = spec["components"]["schemas"]["LineIn"]["properties"]
    qty = next(x for x in line["quantity"]["anyOf"] if x.get("type") == "number")
    assert qty["maximum"] == 1e12 and qty["exclusiveMinimum"] == 0
    ecl = next(x for x in line["ecl_item"]["anyOf"] if x.get("type") == "string")
    assert ecl["maxLength"] == 40
