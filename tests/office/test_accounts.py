"""Account lifecycle: deactivate/reactivate, token issue and revocation, password change.

Every change takes effect on the very next request (tokens are not cached) and is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_web import csrf, login

from bilateral import server
from bilateral.platform.models import User
from conftest import Office


def _id(o: Office, admin: dict[str, str], name: str) -> int:
    users = o.client.get("/api/users", headers=admin).json()
    return int(next(u["id"] for u in users if u["username"] == name))


def _actions(o: Office, h: dict[str, str]) -> list[str]:
    return [e["action"] for e in o.client.get("/api/audit?limit=500", headers=h).json()]


def test_deactivate_revokes_at_once_and_reactivate_needs_new_token(office: Office) -> None:
    o, c = office, office.client
    admin = o.user("adam", "admin")
    alice = o.user("alice", "applicant", "Maple Foods")
    aid = _id(o, admin, "alice")
    assert c.get("/api/me", headers=alice).status_code == 200  # now known to this process
    r = c.post(f"/api/users/{aid}/deactivate", headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    assert c.get("/api/me", headers=alice).status_code == 401  # the very next request
    assert c.post(f"/api/users/{aid}/deactivate", headers=admin).status_code == 409
    toks = c.get(f"/api/users/{aid}/tokens", headers=admin).json()
    assert toks and all(t["revoked"] for t in toks)
    assert c.post(f"/api/users/{aid}/tokens", headers=admin).status_code == 409  # inactive
    r = c.post(f"/api/users/{aid}/reactivate", headers=admin)
    assert r.status_code == 200 and r.json()["active"] is True
    assert c.get("/api/me", headers=alice).status_code == 401  # old tokens stay revoked
    r = c.post(f"/api/users/{aid}/tokens", headers=admin)
    assert r.status_code == 201
    new = r.json()["token"]
    assert c.get("/api/me", headers={"Authorization": f"Bearer {new}"}).json()["username"] == (
        "alice"
    )
    # the secret is shown once: listings never carry it
    assert all("token" not in t for t in c.get(f"/api/users/{aid}/tokens", headers=admin).json())
    # an admin cannot lock themselves out
    assert c.post(f"/api/users/{_id(o, admin, 'adam')}/deactivate", headers=admin).json()[
        "error"
    ] == ("self_deactivate")
    acts = _actions(o, admin)
    for a in ("user.deactivate", "user.reactivate", "token.issue"):
        assert a in acts
    assert c.get("/api/audit/verify", headers=admin).json()["ok"]


def test_self_service_token_and_revocation(office: Office) -> None:
    o, c = office, office.client
    admin = o.user("adam", "admin")
    alice = o.user("alice", "applicant", "Maple Foods")
    o.user("bob", "applicant", "Other Ltd")
    bob = {"Authorization": f"Bearer {o.tokens['bob']}"}
    aid, bid = _id(o, admin, "alice"), _id(o, admin, "bob")
    # a user may issue themselves a token with their password (a stolen token alone
    # cannot mint more), not someone else
    r = c.post(f"/api/users/{aid}/tokens", headers=alice)
    assert r.status_code == 422 and r.json()["field"] == "password"
    r = c.post(f"/api/users/{aid}/tokens", headers=alice, json={"password": "wrong guess here"})
    assert r.status_code == 422 and r.json()["error"] == "wrong_password"
    r = c.post(
        f"/api/users/{aid}/tokens", headers=alice, json={"password": "correct horse battery"}
    )
    assert r.status_code == 201 and r.json()["token"].startswith("bpo_")
    second = {"Authorization": f"Bearer {r.json()['token']}"}
    assert c.post(f"/api/users/{bid}/tokens", headers=alice).status_code == 403
    assert c.get(f"/api/users/{bid}/tokens", headers=alice).status_code == 403
    mine = c.get(f"/api/users/{aid}/tokens", headers=alice).json()
    assert len(mine) == 2
    first_id = mine[0]["id"]
    # someone else's token is not found; one's own is revoked, effective at once
    assert c.delete(f"/api/tokens/{first_id}", headers=bob).status_code == 404
    assert c.get("/api/me", headers=alice).status_code == 200
    r = c.delete(f"/api/tokens/{first_id}", headers=second)
    assert r.status_code == 200 and r.json()["revoked"] is True
    assert c.get("/api/me", headers=alice).status_code == 401
    assert c.delete(f"/api/tokens/{first_id}", headers=admin).status_code == 409
    # an admin revokes any token
    bob_tok = c.get(f"/api/users/{bid}/tokens", headers=admin).json()[0]["id"]
    assert c.delete(f"/api/tokens/{bob_tok}", headers=admin).status_code == 200
    assert c.get("/api/me", headers=bob).status_code == 401
    assert _actions(o, admin).count("token.revoke") == 2


def test_password_change(office: Office) -> None:
    o, c = office, office.client
    admin = o.user("adam", "admin")
    alice = o.user("alice", "applicant", "Maple Foods")
    wrong = {"old_password": "not it at all", "new_password": "a brand new one"}
    r = c.post("/api/me/password", headers=alice, json=wrong)
    assert r.status_code == 422 and r.json()["field"] == "old_password"
    same = {"old_password": "correct horse battery", "new_password": "correct horse battery"}
    assert c.post("/api/me/password", headers=alice, json=same).status_code == 422
    short = {"old_password": "correct horse battery", "new_password": "short"}
    assert c.post("/api/me/password", headers=alice, json=short).status_code == 422
    ok = {"old_password": "correct horse battery", "new_password": "a brand new one"}
    assert c.post("/api/me/password", headers=alice, json=ok).status_code == 200
    with o.sessions() as s:
        h = s.execute(select(User.password_hash).where(User.username == "alice")).scalar_one()
    assert h.startswith("$argon2id$")
    entries = c.get("/api/audit?limit=500", headers=admin).json()
    pw = [e for e in entries if e["action"] == "user.password"]
    assert len(pw) == 1 and "argon2" not in str(pw[0])  # no hash in the log
    # sign-in: the old password no longer works, the new one does
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": "alice", "password": "correct horse battery", "csrf": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 401
    login(o, "alice", "a brand new one")


def test_web_admin_and_my_account(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    admin = o.user("adam", "admin")
    o.user("alice", "applicant", "Maple Foods")
    aid = _id(o, admin, "alice")
    # alice is signed in on the web
    login(o, "alice")
    alice_cookies = dict(c.cookies)
    page = c.get("/account")
    assert page.status_code == 200 and 'action="/account/password"' in page.text
    # issuing oneself a token needs one's password; the token is shown once, in the
    # answer itself (not stored in the cookie, not cached)
    r = c.post(f"/users/{aid}/tokens", data={"csrf": csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and "bpo_" not in c.get("/account").text
    r = c.post(
        f"/users/{aid}/tokens",
        data={"csrf": csrf(page.text), "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert 'id="issued-token"' in r.text and "bpo_" in r.text
    assert "bpo_" not in str(r.cookies) and "bpo_" not in r.headers.get("set-cookie", "")
    page = c.get("/account")
    assert "bpo_" not in page.text  # shown once
    r = c.post(
        "/account/password",
        data={
            "csrf": csrf(page.text),
            "old_password": "correct horse battery",
            "new_password": "fresh password 1",
            "confirm_password": "fresh password 2",
        },
    )
    assert "differ" in r.text  # mismatch flashed, nothing changed
    r = c.post(
        "/account/password",
        data={
            "csrf": csrf(page.text),
            "old_password": "correct horse battery",
            "new_password": "fresh password 1",
            "confirm_password": "fresh password 1",
        },
    )
    assert r.status_code == 200
    # the admin deactivates alice from the users page
    login(o, "adam")
    users = c.get("/users?lang=fr")
    assert "Désactiver" in users.text
    c.get("/users?lang=en")
    r = c.post(
        f"/users/{aid}/deactivate",
        data={"csrf": csrf(users.text), "confirm": "1"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Deactivated" in c.get("/users").text
    # alice's web session ends at once
    c.cookies.clear()
    c.cookies.update(alice_cookies)
    r = c.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # non-admins cannot use the admin forms
    o.user("oscar", "officer")
    login(o, "oscar")
    page = c.get("/account")
    r = c.post(f"/users/{aid}/reactivate", data={"csrf": csrf(page.text)})
    assert r.status_code == 403


def test_cli_users_list_deactivate_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[Any]
) -> None:
    monkeypatch.setenv("BILATERAL_DATABASE_PATH", str(tmp_path / "cli.sqlite3"))
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BILATERAL_DATABASE_URL", raising=False)
    assert server.main(["users", "create", "alice", "--role", "applicant", "--org", "Maple"]) == 0
    capsys.readouterr()
    assert server.main(["users", "token", "alice"]) == 0
    out = capsys.readouterr().out
    assert "shown once" in out and "bpo_" in out
    assert server.main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "alice" in out and "active" in out and "Maple" in out
    assert server.main(["users", "deactivate", "alice"]) == 0
    assert server.main(["users", "list"]) == 0
    rows = [ln.split() for ln in capsys.readouterr().out.splitlines()]
    line = " ".join(next(r for r in rows if r[1:2] == ["alice"] and r[0].isdigit())) + " "
    assert "deactivated" in line and " 0 " in line  # no live token left
    assert server.main(["users", "token", "alice"]) == 2  # inactive: no token
    assert server.main(["users", "deactivate", "nobody"]) == 2
    assert "nobody" in capsys.readouterr().err
    assert server.main(["users", "reactivate", "alice"]) == 0
    assert server.main(["users", "token", "alice"]) == 0
    assert server.main(["audit", "verify"]) == 0
