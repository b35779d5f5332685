"""Every CFLI API operation and every CFLI page × every role (and anonymous): refused
(401/403, or 404 where the record is not theirs) exactly where it must be."""

from __future__ import annotations

import re
from typing import Any

from app_kit import OFFICER_SETS, PASSWORD, TODAY, Cfli, draft

from bilateral.cfli.web import services as sv
from bilateral.platform import db

CALL = "cfli-belarus-2026-27"
REF = "CFLI-000001"
PO, CM, GA = "programme_officer", "committee_member", "grant_applicant"
ALL = {"applicant", "officer", "auditor", "admin", PO, CM, GA}
# the users: one of each role, related to the call and the proposal where it matters, and
# one CFLI user of each kind NOT related (another mission, not assigned, another organisation)
USERS = {
    "applicant": ("u_applicant", "applicant", "Maple"),
    "officer": ("u_officer", "officer", None),
    "auditor": ("u_auditor", "auditor", None),
    "admin": ("u_admin", "admin", None),
    PO: ("u_po", PO, None),
    CM: ("u_cm", CM, None),
    GA: ("u_ga", GA, "Circle"),
    "other_po": ("u_po2", PO, None),
    "other_cm": ("u_cm2", CM, None),
    "other_ga": ("u_ga2", GA, "Other"),
}
RELATED = {PO: "other_po", CM: "other_cm", GA: "other_ga"}

SCORE = {"marks": {"relevance": "8", "feasibility": "7", "impact": "9"}}
# (method, path, body) -> roles allowed; None = public
API: dict[tuple[str, str], tuple[set[str] | None, Any]] = {
    ("GET", "/api/cfli/calls"): (None, None),
    ("GET", f"/api/cfli/calls/{CALL}"): (None, None),
    ("POST", "/api/cfli/calls/sync"): ({PO}, None),
    ("GET", "/api/cfli/officer/calls"): ({PO}, None),
    ("POST", f"/api/cfli/calls/{CALL}/versions"): (
        {PO},
        {"changes": {"envelope": {"cad": "60000"}}, "change_note": "more"},
    ),
    ("POST", f"/api/cfli/calls/{CALL}/versions/2/publish"): ({PO}, None),
    ("POST", f"/api/cfli/calls/{CALL}/committee"): ({PO}, {"username": "u_cm"}),
    ("GET", f"/api/cfli/calls/{CALL}/ranking"): ({PO}, None),
    ("POST", f"/api/cfli/calls/{CALL}/plan"): ({PO}, None),
    ("GET", "/api/cfli/proposals"): ({PO, CM, GA}, None),
    ("POST", f"/api/cfli/calls/{CALL}/proposals"): ({GA}, {"title": "x"}),
    ("GET", f"/api/cfli/proposals/{REF}"): ({PO, CM, GA}, None),
    ("PUT", f"/api/cfli/proposals/{REF}"): ({GA}, {"title": "x"}),
    ("POST", f"/api/cfli/proposals/{REF}/submit"): ({GA}, None),
    ("GET", f"/api/cfli/proposals/{REF}/replay"): ({PO}, None),
    ("POST", f"/api/cfli/proposals/{REF}/clear"): ({PO}, {"note": "reviewed"}),
    ("POST", f"/api/cfli/proposals/{REF}/conflict"): ({CM}, {"conflicted": False}),
    ("POST", f"/api/cfli/proposals/{REF}/score"): ({CM}, SCORE),
    ("POST", f"/api/cfli/proposals/{REF}/decision"): ({PO}, {"decision": "decline"}),
    ("GET", f"/api/cfli/proposals/{REF}/letter"): ({PO, GA}, None),
    ("POST", f"/api/cfli/proposals/{REF}/agreement"): ({PO}, None),
    ("GET", f"/api/cfli/proposals/{REF}/agreement"): ({PO, GA}, None),
    ("GET", f"/api/cfli/proposals/{REF}/agreement.pdf"): ({PO, GA}, None),
    ("POST", f"/api/cfli/proposals/{REF}/agreement/sign"): ({PO}, {"signed_on": "2026-05-15"}),
    ("POST", f"/api/cfli/proposals/{REF}/payments"): (
        {PO},
        {"kind": "advance", "amount": "1.00", "paid_on": "2026-05-15", "reference": "R"},
    ),
    ("POST", f"/api/cfli/proposals/{REF}/reports"): ({GA}, {"kind": "narrative", "text": "t"}),
    ("POST", f"/api/cfli/proposals/{REF}/reports/accept"): ({PO}, None),
    ("POST", f"/api/cfli/proposals/{REF}/close"): ({PO}, None),
    ("GET", "/api/cfli/portfolio"): ({PO}, None),
    ("POST", f"/api/cfli/proposals/{REF}/documents"): ({GA}, "FILE"),
    ("GET", f"/api/cfli/proposals/{REF}/documents/1"): ({PO, CM, GA}, None),
}
FILE = {"file": ("a.txt", b"plain text", "text/plain")}

PAGES: dict[tuple[str, str], set[str] | None] = {
    ("GET", "/cfli"): None,
    ("GET", f"/cfli/calls/{CALL}"): None,
    ("GET", "/cfli/proposals"): {GA},
    ("GET", f"/cfli/calls/{CALL}/apply"): {GA},
    ("POST", f"/cfli/calls/{CALL}/apply"): {GA},
    ("GET", f"/cfli/proposals/{REF}/edit"): {GA},
    ("POST", f"/cfli/proposals/{REF}/edit"): {GA},
    ("GET", f"/cfli/proposals/{REF}"): {PO, CM, GA},
    ("POST", f"/cfli/proposals/{REF}/submit"): {GA},
    ("POST", f"/cfli/proposals/{REF}/clear"): {PO},
    ("POST", f"/cfli/proposals/{REF}/declare"): {CM},
    ("POST", f"/cfli/proposals/{REF}/score"): {CM},
    ("POST", f"/cfli/proposals/{REF}/decide"): {PO},
    ("POST", f"/cfli/proposals/{REF}/agreement"): {PO},
    ("GET", f"/cfli/proposals/{REF}/agreement"): {PO, GA},
    ("GET", f"/cfli/proposals/{REF}/agreement.pdf"): {PO, GA},
    ("POST", f"/cfli/proposals/{REF}/agreement/sign"): {PO},
    ("POST", f"/cfli/proposals/{REF}/payments"): {PO},
    ("POST", f"/cfli/proposals/{REF}/reports"): {GA},
    ("POST", f"/cfli/proposals/{REF}/reports/accept"): {PO},
    ("POST", f"/cfli/proposals/{REF}/close"): {PO},
    ("GET", "/cfli/officer"): {PO},
    ("POST", "/cfli/officer/sync"): {PO},
    ("GET", f"/cfli/officer/calls/{CALL}"): {PO},
    ("POST", f"/cfli/officer/calls/{CALL}/versions"): {PO},
    ("POST", f"/cfli/officer/calls/{CALL}/versions/2/publish"): {PO},
    ("POST", f"/cfli/officer/calls/{CALL}/committee"): {PO},
    ("POST", f"/cfli/officer/calls/{CALL}/plan"): {PO},
    ("GET", "/cfli/committee"): {CM},
    ("GET", "/cfli/officer/portfolio"): {PO},
    ("GET", "/cfli/officer/portfolio.csv"): {PO},
    ("POST", f"/cfli/proposals/{REF}/documents"): {GA},
    ("GET", f"/cfli/proposals/{REF}/documents/1"): {PO, CM, GA},
}


def setup(o: Cfli) -> dict[str, dict[str, str]]:
    headers = {}
    for key, (name, role, org) in USERS.items():
        mission = "warsaw" if key == PO else "kyiv" if key == "other_po" else None
        headers[key] = o.user(name, role, org, mission)
    o.sync()
    po, ga = o.actor("u_po"), o.actor("u_ga")
    with db.write_session(o.sessions) as s:
        v = sv.new_version(s, po, CALL, OFFICER_SETS, "set", TODAY)
        sv.publish(s, po, CALL, v.version, TODAY)
        sv.assign_member(s, po, CALL, "u_cm")
        p = sv.create_proposal(s, ga, CALL, draft(), o.keys, TODAY)
        assert p.reference == REF
        sv.add_document(s, ga, REF, "a.txt", b"text", o.keys, o.settings.data_dir, 10**6)
    with db.write_session(o.sessions) as s:
        sv.submit(s, ga, REF, o.keys, TODAY)
    # far enough that the letter and the agreement exist
    cm = o.actor("u_cm")
    with db.write_session(o.sessions) as s:
        sv.declare(s, cm, REF, False, o.keys)
    with db.write_session(o.sessions) as s:
        sv.score(s, cm, REF, SCORE["marks"], o.keys)
        sv.make_plan(s, po, CALL, o.keys)
        sv.decide(s, po, REF, True, o.keys, TODAY)
        sv.draw_up(s, po, REF, o.keys, TODAY)
    return headers


def refused(status: int) -> bool:
    return status in (401, 403, 404)


def expected_refusal(allowed: set[str] | None, key: str, path: str) -> bool:
    if allowed is None:
        return False
    role = USERS[key][1]
    if role not in allowed:
        return True
    if key not in RELATED.values():
        return False
    # the right role, but not their mission, committee or organisation: refused on the
    # proposal, and on the call for another mission's officer; lists answer with nothing
    if REF in path:
        return True
    return key == "other_po" and CALL in path


def test_api_role_matrix(sqlite_cfli: Cfli) -> None:
    o, c = sqlite_cfli, sqlite_cfli.client
    headers = setup(o)
    problems = []
    for (method, path), (allowed, body) in API.items():
        kw: dict[str, Any] = {"files": FILE} if body == "FILE" else {"json": body}
        r = c.request(method, path, **kw)
        if allowed is not None and r.status_code != 401:
            problems.append(f"anonymous {method} {path}: {r.status_code}")
        if r.status_code >= 500:
            problems.append(f"anonymous {method} {path}: {r.status_code}")
        for key in USERS:
            r = c.request(method, path, headers=headers[key], **kw)
            must_refuse = expected_refusal(allowed, key, path)
            if r.status_code >= 500 or refused(r.status_code) != must_refuse:
                problems.append(f"{key} {method} {path}: {r.status_code} {r.text[:120]}")
    assert not problems, "\n".join(problems)
    for key in RELATED.values():
        r = c.get("/api/cfli/proposals", headers=headers[key])
        assert REF not in r.text, key
    assert c.get("/api/cfli/officer/calls", headers=headers["other_po"]).json() == []
    assert c.get("/api/cfli/portfolio", headers=headers["other_po"]).json() == []


def login(o: Cfli, name: str) -> str:
    o.client.cookies.clear()
    page = o.client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = o.client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf": token, "next": "/cfli"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = o.client.get("/cfli")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def test_page_role_matrix(sqlite_cfli: Cfli) -> None:
    o, c = sqlite_cfli, sqlite_cfli.client
    setup(o)
    problems = []
    c.cookies.clear()
    for (method, path), allowed in PAGES.items():
        r = c.request(
            method, path, data={"csrf": "x"} if method == "POST" else None, follow_redirects=False
        )
        want = {200} if allowed is None else {303, 403}  # sign in (GET) or CSRF refused (POST)
        if r.status_code not in want:
            problems.append(f"anonymous {method} {path}: {r.status_code}")
    for key, (name, _role, _org) in USERS.items():
        token = login(o, name)
        for (method, path), allowed in PAGES.items():
            data = {"csrf": token} if method == "POST" else None
            r = c.request(method, path, data=data, follow_redirects=False)
            must_refuse = expected_refusal(allowed, key, path)
            if r.status_code >= 500 or refused(r.status_code) != must_refuse:
                problems.append(f"{key} {method} {path}: {r.status_code}")
        # a form without the session's CSRF token is refused, whoever posts it
        r = c.post(f"/cfli/proposals/{REF}/submit", data={"csrf": "forged"}, follow_redirects=False)
        if r.status_code != 403:
            problems.append(f"{key} forged CSRF: {r.status_code}")
    assert not problems, "\n".join(problems)


def test_api_matrix_covers_every_cfli_operation(sqlite_cfli: Cfli) -> None:
    """A CFLI API operation added without its line in the matrix fails here."""
    spec = sqlite_cfli.app.openapi()["paths"]
    documented = {
        (m.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, ops in spec.items()
        if path.startswith("/api/cfli/")
        for m in ops
    }
    ids = {REF: "{}", CALL: "{}"}
    covered = set()
    for method, path in API:
        for concrete, placeholder in ids.items():
            path = path.replace(concrete, placeholder)
        covered.add((method, re.sub(r"/(versions|documents)/\d+", r"/\1/{}", path)))
    assert documented == covered, documented ^ covered
