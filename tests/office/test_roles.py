"""Every API endpoint × every role (and anonymous): 401/403 exactly where they must be."""

from __future__ import annotations

from typing import Any

from conftest import Office, good_application

ALL = {"applicant", "officer", "auditor", "admin"}
READERS = {"applicant", "officer", "auditor"}
# CFLI's roles (tests/cfli/test_cfli_roles.py checks CFLI's own endpoints): here they must be
# refused everything of the permit office and may use only their own account
CFLI = {"programme_officer", "committee_member", "grant_applicant"}
EVERYONE = ALL | CFLI

# (method, path) -> roles allowed; None = public (no auth)
MATRIX: dict[tuple[str, str], set[str] | None] = {
    ("GET", "/api/check/export"): None,
    ("GET", "/api/check/import"): None,
    ("GET", "/api/check/contact"): None,
    ("GET", "/api/countries/{country}/measures"): None,
    ("GET", "/api/countries/{country}/timeline"): None,
    ("GET", "/api/countries/{country}/profile"): None,
    ("GET", "/api/countries/{country}/diff"): None,
    ("GET", "/api/countries/{country}/stats"): None,
    ("GET", "/api/me"): EVERYONE,
    ("POST", "/api/users"): {"admin"},
    ("GET", "/api/users"): {"admin", "auditor"},
    # the target is another user ("victor"): only an admin may act on someone else
    ("POST", "/api/users/{user_id}/deactivate"): {"admin"},
    ("POST", "/api/users/{user_id}/reactivate"): {"admin"},
    ("GET", "/api/users/{user_id}/tokens"): {"admin", "auditor"},
    ("POST", "/api/users/{user_id}/tokens"): {"admin"},
    # anyone may revoke their own token; someone else's answers 404 (admins: any token)
    ("DELETE", "/api/tokens/{token_id}"): EVERYONE,
    ("POST", "/api/me/password"): EVERYONE,
    ("GET", "/api/applications"): READERS,
    ("POST", "/api/applications"): {"applicant"},
    ("GET", "/api/applications/{app_id}"): READERS,
    ("PUT", "/api/applications/{app_id}"): {"applicant"},
    ("POST", "/api/applications/{app_id}/copy"): {"applicant"},
    ("POST", "/api/applications/{app_id}/documents"): {"applicant"},
    ("GET", "/api/applications/{app_id}/documents/{doc_id}"): READERS,
    ("POST", "/api/applications/{app_id}/submit"): {"applicant"},
    ("GET", "/api/applications/{app_id}/assessment"): READERS,
    ("POST", "/api/applications/{app_id}/consultation"): {"officer"},
    ("POST", "/api/applications/{app_id}/decision"): {"officer"},
    ("POST", "/api/applications/{app_id}/reassess"): {"officer"},
    ("GET", "/api/queue"): {"officer", "auditor"},
    ("GET", "/api/permits"): READERS,
    ("GET", "/api/permits/{permit_id}"): READERS,
    ("POST", "/api/permits/{permit_id}/amendments"): {"applicant"},
    ("POST", "/api/permits/{permit_id}/suspend"): {"officer"},
    ("POST", "/api/permits/{permit_id}/reinstate"): {"officer"},
    ("POST", "/api/permits/{permit_id}/cancel"): {"officer"},
    ("POST", "/api/permits/{permit_id}/expire"): {"officer"},
    ("POST", "/api/permits/{permit_id}/shipments"): {"applicant"},
    ("GET", "/api/permits/{permit_id}/shipments"): READERS,
    ("GET", "/api/permits/{permit_id}/utilisation"): READERS,
    ("GET", "/api/permits/{permit_id}/utilisation.csv"): READERS,
    ("GET", "/api/audit"): {"auditor", "officer", "admin"},
    ("GET", "/api/audit/verify"): {"auditor", "officer", "admin"},
}


def _bodies(path: str) -> dict[str, Any]:
    if path.endswith("/decision"):
        return {"json": {"outcome": "approve", "reasons": "ok"}}
    if path.endswith("/consultation"):
        return {"json": {"needed": True}}
    if path.endswith(("/suspend", "/reinstate", "/cancel", "/expire")):
        return {"json": {"reason": "r"}}
    if path.endswith("/amendments"):
        return {"json": {"reason": "r", "new_valid_to": "2026-12-31"}}
    if path.endswith("/shipments"):
        return {
            "json": {
                "line_no": 1,
                "quantity": "1",
                "value": "1",
                "shipped_on": "2026-03-02",
                "export_declaration_ref": "X",
                "idempotency_key": "m",
            }
        }
    if path.endswith("/documents"):
        return {"files": {"file": ("a.txt", b"hello", "text/plain")}}
    if path == "/api/me/password":
        return {
            "json": {"old_password": "correct horse battery", "new_password": "a new passphrase"}
        }
    if path == "/api/users":
        return {"json": {"username": "newbie", "role": "auditor"}}
    if path in ("/api/applications", "/api/applications/{app_id}"):
        return {"json": good_application()}
    return {}


def test_matrix_covers_every_api_route(sqlite_office: Office) -> None:
    routes = {
        (m.upper(), path)
        for path, ops in sqlite_office.app.openapi()["paths"].items()
        if path.startswith("/api") and not path.startswith("/api/cfli/")
        for m in ops
    }
    assert routes == set(MATRIX), routes ^ set(MATRIX)


def test_role_matrix(office: Office) -> None:
    o, c = office, office.client
    heads = {
        "applicant": o.user("alice", "applicant", "Maple Foods"),
        "officer": o.user("oscar", "officer"),
        "auditor": o.user("audrey", "auditor"),
        "admin": o.user("adam", "admin"),
        "programme_officer": o.user("petra", "programme_officer"),
        "committee_member": o.user("cora", "committee_member"),
        "grant_applicant": o.user("gina", "grant_applicant", "Civil Circle"),
    }
    a = heads["applicant"]
    # objects that every endpoint can address: a submitted application with a permit,
    # a draft with a document
    app_id = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    c.post(f"/api/applications/{app_id}/submit", headers=a)
    pid = c.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=heads["officer"],
    ).json()["permit_id"]
    draft = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    doc = c.post(
        f"/api/applications/{draft}/documents",
        headers=a,
        files={"file": ("a.txt", b"hello", "text/plain")},
    ).json()["documents"][0]["id"]
    o.user("victor", "applicant", "Other Org")
    victim = next(
        u["id"]
        for u in c.get("/api/users", headers=heads["admin"]).json()
        if u["username"] == "victor"
    )
    victim_token = c.get(f"/api/users/{victim}/tokens", headers=heads["admin"]).json()[0]["id"]
    ids = {
        "app_id": draft,
        "permit_id": pid,
        "doc_id": doc,
        "country": "BY",
        "user_id": victim,
        "token_id": victim_token,
    }
    params = {
        "/api/check/export": {"to": "BY"},
        "/api/check/import": {"origin": "BY", "hs": "0402"},
        "/api/check/contact": {"with": "BY", "topic": "trade"},
    }
    failures = []
    for (method, path), allowed in sorted(MATRIX.items()):
        url = path.format(**ids)
        for who in ["anonymous", *sorted(EVERYONE)]:
            headers = {} if who == "anonymous" else heads[who]
            r = c.request(method, url, headers=headers, params=params.get(path), **_bodies(path))
            if allowed is None:
                ok = r.status_code not in (401, 403)
            elif who == "anonymous":
                ok = r.status_code == 401 and r.headers.get("www-authenticate") == "Bearer"
            elif who in allowed:
                ok = r.status_code not in (401, 403) and r.status_code < 500
            else:
                ok = r.status_code == 403
            if not ok:
                failures.append(f"{method} {path} as {who}: {r.status_code} {r.text[:120]}")
    assert not failures, "\n".join(failures)
    # auditors changed nothing but their own password: every other entry is someone else's
    entries = c.get("/api/audit?limit=500", headers=heads["auditor"]).json()
    assert all(e["actor"] != "audrey" for e in entries if e["action"] != "user.password")


def test_bad_tokens(sqlite_office: Office) -> None:
    c = sqlite_office.client
    for h in (
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
    ):
        assert c.get("/api/me", headers=h).status_code == 401


# Separation of duties: an officer of the applicant's organisation is an officer for the
# role matrix but may not decide, amend or change the status of their organisation's
# applications and permits (403 own_organisation); an independent officer may.
OWN_ORG_REFUSED = [
    ("POST", "/api/applications/{app_id}/consultation", {"needed": True}),
    ("POST", "/api/applications/{app_id}/decision", {"outcome": "approve", "reasons": "ok"}),
    ("POST", "/api/applications/{amd_id}/decision", {"outcome": "approve", "reasons": "ok"}),
    ("POST", "/api/permits/{permit_id}/suspend", {"reason": "r"}),
    ("POST", "/api/permits/{permit_id}/reinstate", {"reason": "r"}),
    ("POST", "/api/permits/{permit_id}/cancel", {"reason": "r"}),
    ("POST", "/api/permits/{permit_id}/expire", {"reason": "r"}),
]


def test_officer_may_not_decide_or_transition_for_their_own_organisation(office: Office) -> None:
    o, c = office, office.client
    a = o.user("alice", "applicant", "Maple Foods")
    inside = o.user("olga", "officer", "Maple Foods")  # an officer employed by the applicant
    outside = o.user("oscar", "officer")
    app_id = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    assert c.post(f"/api/applications/{app_id}/submit", headers=a).status_code == 200
    pending = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    c.post(f"/api/applications/{pending}/submit", headers=a)
    pid = c.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=outside,
    ).json()["permit_id"]
    amd = c.post(
        f"/api/permits/{pid}/amendments",
        json={"reason": "more time", "new_valid_to": "2027-06-30"},
        headers=a,
    )
    assert amd.status_code == 201, amd.text
    ids = {"app_id": pending, "amd_id": amd.json()["id"], "permit_id": pid}
    before = len(c.get("/api/audit?limit=500", headers=outside).json())
    for method, path, body in OWN_ORG_REFUSED:
        r = c.request(method, path.format(**ids), json=body, headers=inside)
        assert r.status_code == 403, (path, r.status_code, r.text)
        assert r.json()["error"] == "own_organisation", r.text
    # nothing was changed or logged by the refused officer
    assert len(c.get("/api/audit?limit=500", headers=outside).json()) == before
    assert c.get(f"/api/permits/{pid}", headers=a).json()["status"] == "active"
    # the independent officer may do what the other one may not
    r = c.post(f"/api/permits/{pid}/suspend", json={"reason": "r"}, headers=outside)
    assert r.status_code == 200, r.text
    r = c.post(
        f"/api/applications/{pending}/decision",
        json={"outcome": "deny", "reasons": "no"},
        headers=outside,
    )
    assert r.status_code == 200, r.text
