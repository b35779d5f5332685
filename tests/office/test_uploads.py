"""Uploads: type and size limits, content-hash storage; refused requests change nothing."""

from __future__ import annotations

import hashlib

from conftest import Office, good_application

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _draft(o: Office) -> tuple[int, dict[str, str]]:
    a = o.user("alice", "applicant", "Maple Foods")
    return o.client.post("/api/applications", json=good_application(), headers=a).json()["id"], a


def test_accepts_and_stores_by_hash(sqlite_office: Office) -> None:
    o = sqlite_office
    app_id, a = _draft(o)
    for name, data, _ in [
        ("end-use.pdf", PDF, "application/pdf"),
        ("p.png", PNG, "image/png"),
        ("note.txt", "Déclaration".encode(), "text/plain"),
        ("dup.pdf", PDF, "application/pdf"),
    ]:
        r = o.client.post(
            f"/api/applications/{app_id}/documents",
            headers=a,
            files={"file": (name, data, "application/octet-stream")},
            data={"kind": "end_use_certificate"},
        )
        assert r.status_code == 201, r.text
    docs = r.json()["documents"]
    assert [d["media_type"] for d in docs] == [
        "application/pdf",
        "image/png",
        "text/plain",
        "application/pdf",
    ]
    digest = hashlib.sha256(PDF).hexdigest()
    assert docs[0]["sha256"] == digest and docs[3]["sha256"] == digest
    stored = o.settings.documents_dir / digest[:2] / digest
    assert stored.read_bytes() == PDF
    r = o.client.get(f"/api/applications/{app_id}/documents/{docs[0]['id']}", headers=a)
    assert r.status_code == 200 and r.content == PDF


def test_refuses_bad_type_and_size(sqlite_office: Office) -> None:
    o = sqlite_office
    app_id, a = _draft(o)
    before = o.client.get("/api/audit/verify", headers=o.user("aud", "auditor")).json()["entries"]
    r = o.client.post(
        f"/api/applications/{app_id}/documents",
        headers=a,
        files={"file": ("x.exe", b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf")},
    )
    assert r.status_code == 415 and r.json()["field"] == "file"
    r = o.client.post(
        f"/api/applications/{app_id}/documents",
        headers=a,
        files={"file": ("big.txt", b"a" * (10 * 1024 * 1024 + 1), "text/plain")},
    )
    assert r.status_code == 413
    r = o.client.post(
        f"/api/applications/{app_id}/documents",
        headers=a,
        files={"file": ("huge.txt", b"a" * (11 * 1024 * 1024), "text/plain")},
    )
    assert r.status_code == 413
    r = o.client.post(
        f"/api/applications/{app_id}/documents",
        headers=a,
        files={"file": ("empty.txt", b"", "text/plain")},
    )
    assert r.status_code == 422
    r = o.client.post(f"/api/applications/{app_id}/documents", headers=a, data={"kind": "x"})
    assert r.status_code == 422
    assert o.client.get(f"/api/applications/{app_id}", headers=a).json()["documents"] == []
    assert not o.settings.documents_dir.exists() or not any(o.settings.documents_dir.rglob("*"))
    after = o.client.get(
        "/api/audit/verify", headers={"Authorization": "Bearer " + o.tokens["aud"]}
    ).json()["entries"]
    assert after == before


def test_malformed_bodies_refused_cleanly(sqlite_office: Office) -> None:
    o = sqlite_office
    a = o.user("alice", "applicant", "Maple Foods")
    c = o.client
    for body in (b"{", b"[]", b'{"lines": "x"}', b'{"unknown": 1}', b"\xff\xfe"):
        r = c.post(
            "/api/applications", content=body, headers={**a, "content-type": "application/json"}
        )
        assert r.status_code == 422, (body, r.status_code, r.text)
    r = c.post(
        "/api/applications",
        content=b"x" * (11 * 1024 * 1024),
        headers={**a, "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert c.get("/api/applications", headers=a).json() == []
