"""Supporting documents: the platform's upload rules, bytes and names encrypted at rest,
reads audited, access as for the proposal, rotation and purge of the files."""

from __future__ import annotations

import datetime as dt

import pytest
from app_kit import TODAY, Cfli
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from test_cfli_retention import closed_file
from test_cfli_services import CALL, run, setup_call

from bilateral.cfli import crypto
from bilateral.cfli.web import services as sv
from bilateral.platform import db
from bilateral.platform.accounts import OfficeError
from bilateral.platform.models import AuditEntry

PDF = b"%PDF-1.4\n% Registration of the Independent Media Circle, members: Ala Example\n"


def test_documents_through_the_api(cfli: Cfli) -> None:
    o, c = cfli, cfli.client
    setup_call(o)
    h = {n: {"Authorization": f"Bearer {o.tokens[n]}"} for n in o.tokens}
    p = c.post(f"/api/cfli/calls/{CALL}/proposals", json={"title": "x"}, headers=h["ana"]).json()
    ref = p["reference"]
    url = f"/api/cfli/proposals/{ref}/documents"
    files = {"file": ("statutes-Independent-Media-Circle.pdf", PDF, "application/pdf")}
    r = c.post(url, files=files, headers=h["ana"])
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["media_type"] == "application/pdf" and doc["size"] == len(PDF)
    # the platform's rules: type from the content, not the name
    r = c.post(
        url, files={"file": ("x.pdf", b"\x00\x01binary", "application/pdf")}, headers=h["ana"]
    )
    assert r.status_code == 415 and r.json()["field"] == "file"
    r = c.post(url, files={"file": ("x.txt", b"", "text/plain")}, headers=h["ana"])
    assert r.status_code == 422
    # nothing readable at rest: neither the bytes nor the name
    folder = o.settings.data_dir / sv.DOCUMENTS
    stored = [f.read_bytes() for f in folder.iterdir()]
    assert len(stored) == 1 and b"Independent" not in stored[0] and b"%PDF" not in stored[0]
    with o.engine.connect() as conn:
        raw = repr(list(conn.execute(text("select * from cfli_documents"))))
    assert "Independent" not in raw and "statutes" not in raw
    # the owner reads it back; another applicant and a stranger officer cannot
    got = c.get(f"{url}/{doc['id']}", headers=h["ana"])
    assert got.status_code == 200 and got.content == PDF
    assert c.get(f"{url}/{doc['id']}", headers=h["bob"]).status_code == 404
    assert c.get(f"{url}/{doc['id']}", headers=h["otto"]).status_code == 404
    assert c.post(url, files=files, headers=h["bob"]).status_code == 404
    with o.sessions() as s:
        actions = [e.action for e in s.execute(select(AuditEntry)).scalars()]
    assert "cfli.document.add" in actions and "cfli.document.read" in actions


def test_documents_on_the_pages(sqlite_cfli: Cfli) -> None:
    from test_cfli_web import csrf, login

    o, c = sqlite_cfli, sqlite_cfli.client
    setup_call(o)
    ana = o.actor("ana")
    p = run(o, lambda s: sv.create_proposal(s, ana, CALL, {"title": "x"}, o.keys, TODAY))
    login(o, "ana", "fr")
    edit = c.get(f"/cfli/proposals/{p.reference}/edit?lang=fr")
    assert "Aucun document" in edit.text
    r = c.post(
        f"/cfli/proposals/{p.reference}/documents?lang=fr",
        data={"csrf": csrf(edit.text)},
        files={"file": ("notes.txt", b"\x00bad", "text/plain")},
    )
    assert r.status_code == 415 and "Document (PDF, PNG, JPEG ou texte" in r.text
    r = c.post(
        f"/cfli/proposals/{p.reference}/documents?lang=fr",
        data={"csrf": csrf(edit.text)},
        files={"file": ("notes.txt", "Plan d'activités".encode(), "text/plain")},
    )
    assert r.status_code == 200 and "notes.txt" in r.text
    link = f"/cfli/proposals/{p.reference}/documents/1"
    assert c.get(link).content == "Plan d'activités".encode()


def test_rotation_and_purge_cover_the_files(sqlite_cfli: Cfli) -> None:
    o = sqlite_cfli
    ref = closed_file(o)
    # a document added on a fresh draft of the same organisation is kept; on the closed
    # file, put one in directly (drafts only through the services)
    with db.write_session(o.sessions) as s:
        p = sv.proposal_row(s, ref)
        p.status = "draft"
    ana = o.actor("ana")
    run(o, lambda s: sv.add_document(s, ana, ref, "a.pdf", PDF, o.keys, o.settings.data_dir, 10**6))
    with db.write_session(o.sessions) as s:
        sv.proposal_row(s, ref).status = "closed"
    new = crypto.KeyRing((Fernet.generate_key(), *o.keys.keys), "test")
    with db.write_session(o.sessions) as s:
        assert sv.rotate_documents(s, new, o.settings.data_dir, dry_run=True) == 1
        assert sv.rotate_documents(s, new, o.settings.data_dir, dry_run=False) == 1
        assert sv.rotate_documents(s, new, o.settings.data_dir, dry_run=True) == 0
    day = TODAY + dt.timedelta(days=31)
    with db.write_session(o.sessions) as s:
        assert sv.purge(s, day, 30, dry_run=False, data_dir=o.settings.data_dir) == [ref]
    assert list((o.settings.data_dir / sv.DOCUMENTS).iterdir()) == []
    with pytest.raises(OfficeError):
        run(o, lambda s: sv.read_document(s, ana, ref, 1, new, o.settings.data_dir))
