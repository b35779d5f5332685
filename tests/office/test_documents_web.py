"""Supporting documents from the web application page: who may download, and how."""

from __future__ import annotations

import re

from test_web import login

from conftest import Office, good_application

PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 20 + b"%%EOF\n"


def test_documents_downloadable_from_the_application_page(office: Office) -> None:
    o, c = office, office.client
    a = o.user("alice", "applicant", "Maple Foods")
    o.user("oscar", "officer")
    o.user("audrey", "auditor")
    o.user("adam", "admin")
    o.user("olga", "applicant", "Other Exports")
    app_id = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    r = c.post(
        f"/api/applications/{app_id}/documents",
        headers=a,
        files={"file": ("end-use certificate.pdf", PDF, "application/octet-stream")},
    )
    assert r.status_code == 201, r.text
    doc = r.json()["documents"][0]
    assert doc["media_type"] == "application/pdf"
    url = f"/applications/{app_id}/documents/{doc['id']}"
    c.cookies.clear()
    anon = c.get(url, follow_redirects=False)
    assert anon.status_code == 303 and anon.headers["location"].startswith("/login")
    for who in ("alice", "oscar", "audrey"):
        login(o, who)
        page = c.get(f"/applications/{app_id}?view=1")
        assert f'href="{url}"' in page.text, who
        got = c.get(url)
        assert got.status_code == 200, who
        assert got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        cd = got.headers["content-disposition"]
        assert cd.startswith("attachment;") and "end-use" in cd, cd
        assert got.headers["x-content-type-options"] == "nosniff"
    # the draft's edit form links the documents too
    login(o, "alice")
    assert f'href="{url}"' in c.get(f"/applications/{app_id}").text
    # another organisation's applicant: not found (not even "forbidden")
    login(o, "olga")
    assert c.get(url).status_code == 404
    assert c.get(f"/applications/{app_id}/documents/999999").status_code == 404
    # admins have no access to applications
    login(o, "adam")
    assert c.get(url).status_code == 403
    # the API download carries the same headers
    r = c.get(f"/api{url}", headers=a)
    assert r.status_code == 200 and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("attachment;")
    other = {"Authorization": f"Bearer {o.tokens['olga']}"}
    assert c.get(f"/api{url}", headers=other).status_code == 404


def test_document_of_another_application_is_not_found(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    a = o.user("alice", "applicant", "Maple Foods")
    first = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    second = c.post("/api/applications", json=good_application(), headers=a).json()["id"]
    doc = c.post(
        f"/api/applications/{first}/documents",
        headers=a,
        files={"file": ("note.txt", "déclaration".encode(), "text/plain")},
    ).json()["documents"][0]["id"]
    login(o, "alice")
    assert c.get(f"/applications/{second}/documents/{doc}").status_code == 404
    r = c.get(f"/applications/{first}/documents/{doc}")
    assert r.status_code == 200 and re.match(r"text/plain", r.headers["content-type"])
