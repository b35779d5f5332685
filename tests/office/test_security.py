"""The permit office against an attacker: sessions, sign-in throttling, passwords, one-time
secrets, headers and links (issue 8). Each case failed on the code before issue 8."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_web import csrf

from bilateral.platform import security
from bilateral.platform.security import Backoff, LoginThrottle, password_problem
from conftest import Office, good_application

PW = "correct horse battery"


def _sign_in(c: TestClient, name: str, password: str = PW) -> int:
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": name, "password": password, "csrf": csrf(page.text)},
        follow_redirects=False,
    )
    return r.status_code


def _cookie_payload(c: TestClient) -> str:
    """The session cookie's signed (not encrypted) JSON, as anyone holding it can read it."""
    raw = c.cookies.get("bilateral_session") or ""
    data = raw.split(".")[0]
    return base64.b64decode(data + "=" * (-len(data) % 4)).decode(errors="replace")


# ------------------------------------------------------------------ sessions


def test_a_copied_cookie_is_useless_after_sign_out(sqlite_office: Office) -> None:
    o = sqlite_office
    o.user("alice", "applicant", "Maple Foods")
    c = TestClient(o.app)
    assert _sign_in(c, "alice") == 303
    assert c.get("/dashboard", follow_redirects=False).status_code == 200
    stolen = dict(c.cookies)
    page = c.get("/dashboard")
    r = c.post("/logout", data={"csrf": csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    thief = TestClient(o.app)
    thief.cookies.update(stolen)
    r = thief.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_new_account_secrets_are_shown_once_and_never_put_in_the_cookie(
    sqlite_office: Office,
) -> None:
    o = sqlite_office
    o.user("adam", "admin")
    c = TestClient(o.app)
    assert _sign_in(c, "adam") == 303
    page = c.get("/users")
    r = c.post(
        "/users",
        data={"csrf": csrf(page.text), "username": "nadia", "role": "auditor"},
        follow_redirects=False,
    )
    assert r.status_code == 200 and "bpo_" in r.text
    assert r.headers["cache-control"] == "no-store"
    assert "bpo_" not in _cookie_payload(c) and "nadia" not in _cookie_payload(c)
    assert "bpo_" not in c.get("/users").text


def test_secure_cookie_over_https_by_default(sqlite_office: Office) -> None:
    o = sqlite_office
    o.user("alice", "applicant", "Maple Foods")
    for base, secure in (("https://office.example", True), ("http://testserver", False)):
        c = TestClient(o.app, base_url=base)
        page = c.get("/login")
        r = c.post(
            "/login",
            data={"username": "alice", "password": PW, "csrf": csrf(page.text)},
            follow_redirects=False,
        )
        cookie = r.headers["set-cookie"].lower()
        assert ("; secure" in cookie) is secure, cookie


def test_cross_origin_form_post_is_refused(sqlite_office: Office) -> None:
    o = sqlite_office
    o.user("alice", "applicant", "Maple Foods")
    c = TestClient(o.app)
    assert _sign_in(c, "alice") == 303
    page = c.get("/dashboard")
    r = c.post(
        "/logout",
        data={"csrf": csrf(page.text)},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert c.get("/dashboard", follow_redirects=False).status_code == 200  # still signed in
    r = c.post(
        "/logout",
        data={"csrf": csrf(page.text)},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert r.status_code == 303


# ------------------------------------------------------------------ throttling


def test_backoff_doubles_after_the_free_failures_and_ends_on_success() -> None:
    now = [1000.0]
    b = Backoff(free=3, base=1.0, cap=8.0, clock=lambda: now[0])
    for _ in range(3):
        assert b.retry_after("k") == 0
        b.failure("k")
    assert b.retry_after("k") == 1.0
    waits = []
    for _ in range(5):
        b.failure("k")
        waits.append(b.retry_after("k"))
    assert waits == [2.0, 4.0, 8.0, 8.0, 8.0]  # doubling, capped
    now[0] += 8.0
    assert b.retry_after("k") == 0
    b.success("k")
    b.failure("k")
    assert b.retry_after("k") == 0  # counting starts again
    assert b.retry_after("other") == 0


def test_address_throttle_is_separate_from_account_throttle() -> None:
    now = [0.0]
    t = LoginThrottle(clock=lambda: now[0])
    for i in range(20):
        t.failure(f"user{i}", "10.0.0.9")  # password spraying: one try per account
    assert t.retry_after("someone-else", "10.0.0.9") >= 1
    assert t.retry_after("someone-else", "10.0.0.10") == 0


def test_brute_force_sign_in_is_answered_429_with_retry_after(sqlite_office: Office) -> None:
    o = sqlite_office
    o.user("alice", "applicant", "Maple Foods")
    c = TestClient(o.app)
    codes = [_sign_in(c, "alice", "wrong password number " + str(i)) for i in range(5)]
    assert codes == [401] * 5
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"username": "alice", "password": PW, "csrf": csrf(page.text)},
        follow_redirects=False,
    )
    # even the right password waits: the account is throttled, without an Argon2 check
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "Too many failed attempts" in r.text
    # another account from another address is not slowed
    o.user("bob", "applicant", "Other Ltd")
    other = TestClient(o.app, client=("10.1.2.3", 5000))
    assert _sign_in(other, "bob") == 303


def test_api_password_checks_are_throttled_too(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    alice = o.user("alice", "applicant", "Maple Foods")
    me = c.get("/api/me", headers=alice).json()["id"]
    for _ in range(5):
        r = c.post(f"/api/users/{me}/tokens", headers=alice, json={"password": "not it"})
        assert r.status_code == 422
    r = c.post(f"/api/users/{me}/tokens", headers=alice, json={"password": PW})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    body = {"old_password": PW, "new_password": "a much better passphrase"}
    r = c.post("/api/me/password", headers=alice, json=body)
    assert r.status_code == 429 and r.json()["error"] == "throttled"


def test_a_stolen_token_cannot_mint_tokens(office: Office) -> None:
    o, c = office, office.client
    alice = o.user("alice", "applicant", "Maple Foods")
    me = c.get("/api/me", headers=alice).json()["id"]
    r = c.post(f"/api/users/{me}/tokens", headers=alice)
    assert r.status_code == 422 and r.json()["error"] == "password_required"
    assert len(c.get(f"/api/users/{me}/tokens", headers=alice).json()) == 1


# ------------------------------------------------------------------ passwords and names


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "password_length"),  # 10 < 15 (NIST SP 800-63B-4)
        ("1qaz2wsx3edc4rfv", "password_common"),  # in the breached-password list
        ("aaaaaaaaaaaaaaaaaaaa", "password_common"),  # repetition
        ("alice-in-wonderland-99", "password_context"),  # contains the user name
        ("my bilateral password", "password_context"),  # the service's name
        ("pass\x00word with nul inside", "control_chars"),
        ("correct horse battery", None),  # no composition rules
        ("ça, c'est une phrase de passe", None),  # any Unicode
    ],
)
def test_password_policy(password: str, problem: str | None) -> None:
    assert password_problem(password, "alice") == problem


def test_new_accounts_follow_the_password_policy(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    admin = o.user("adam", "admin")
    body = {"username": "nadia", "role": "auditor", "password": "1qaz2wsx3edc4rfv"}
    r = c.post("/api/users", headers=admin, json=body)
    assert r.status_code == 422 and r.json()["error"] == "password_common"
    r = c.post("/api/users", headers=admin, json={**body, "password": "twelve chars"})
    assert r.status_code == 422  # schema: at least 15 characters


def test_cli_refuses_bad_user_names_and_weak_passwords(tmp_path: Path) -> None:
    env = {
        "BILATERAL_DATABASE_PATH": str(tmp_path / "o.sqlite3"),
        "BILATERAL_DATA_DIR": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(sys.path),
    }
    run = [sys.executable, "-m", "bilateral.server", "users", "create"]
    for name, pw, field in (
        ("bad name", PW, "username"),
        ("x\u202eevil", PW, "username"),
        ("nadia", "password123", "password"),
    ):
        r = subprocess.run(
            [*run, name, "--role", "auditor", "--password-stdin"],
            input=pw + "\n",
            env=env,
            capture_output=True,
            text=True,
        )
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith(field + ":"), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ headers and links


def test_pages_carry_security_headers(sqlite_office: Office) -> None:
    c = sqlite_office.client
    for path in ("/", "/login", "/check/export", "/nope"):
        r = c.get(path)
        h = r.headers
        assert h["x-frame-options"] == "DENY", path
        assert h["x-content-type-options"] == "nosniff", path
        assert h["referrer-policy"] == "same-origin", path
        csp = h["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert "<script" not in r.text, path
    r = c.get("/api/check/export", params={"to": "BY", "hs": "8703"})
    assert r.headers["x-content-type-options"] == "nosniff"


def test_language_link_on_a_double_slash_path_stays_on_this_site(sqlite_office: Office) -> None:
    r = sqlite_office.client.get("http://testserver//evil.example/x")
    assert r.status_code == 404
    assert 'href="//evil.example' not in r.text
    assert 'href="/evil.example/x?lang=fr"' in r.text


def test_catalog_has_both_languages_for_new_keys() -> None:
    from bilateral.platform.i18n import CATALOG

    for key in ("err.throttled", "err.own_organisation", "err.password_common", "err.busy"):
        en, fr = CATALOG[key]
        assert en and fr and en != fr
    assert json.dumps(security.PASSWORD_MIN) == "15"


# ------------------------------------------------------------------ PostgreSQL connections


def test_workers_never_need_more_connections_than_postgresql_allows(
    pg_office: Office, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three workers used to open up to 120 connections against PostgreSQL's 100."""
    from bilateral import server as cli
    from bilateral.platform import db

    o = pg_office
    st = o.settings
    assert db.connections_per_process(st) == 14  # 6 threads: 8 pooled + 6 overflow
    assert db.connection_problem(o.app.state.engine, st, 3) is None
    problem = db.connection_problem(o.app.state.engine, st, 8)
    assert problem and "--workers 8: up to 112 database connections" in problem
    engine = db.make_engine(st)
    assert engine.pool.size() + engine.pool._max_overflow <= 14  # type: ignore[attr-defined]
    engine.dispose()
    schema = o.app.state.engine.dialect.default_schema_name
    monkeypatch.setenv(
        "BILATERAL_DATABASE_URL", f"{st.database_url}?options=-csearch_path%3D{schema}"
    )
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(st.data_dir))
    assert cli.main(["serve", "--workers", "8"]) == 2
    assert "up to 112 database connections" in capsys.readouterr().err


# ------------------------------------------------------------------ XSS and CSRF

PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "</textarea><b>x"]


def test_payloads_in_an_application_render_escaped(office: Office) -> None:
    o, c = office, office.client
    a = o.user("alice", "applicant", "Maple Foods")
    o.user("oscar", "officer")
    body = good_application(end_use=PAYLOADS[0])
    body["consignees"][0]["name"] = PAYLOADS[1]
    body["lines"][0]["description"] = PAYLOADS[2]
    app_id = c.post("/api/applications", json=body, headers=a).json()["id"]
    c.post(f"/api/applications/{app_id}/submit", headers=a)
    for who in ("alice", "oscar"):
        web = TestClient(o.app)
        assert _sign_in(web, who) == 303
        for path in (f"/applications/{app_id}", f"/applications/{app_id}?view=1", "/dashboard"):
            html = web.get(path).text
            for p in PAYLOADS:
                assert p not in html, (who, path, p)
        html = web.get(f"/applications/{app_id}?view=1").text
        assert "&lt;script&gt;" in html


def test_form_posts_without_the_sessions_csrf_token_are_refused(sqlite_office: Office) -> None:
    o = sqlite_office
    o.user("alice", "applicant", "Maple Foods")
    c = TestClient(o.app)
    assert _sign_in(c, "alice") == 303
    for data in ({}, {"csrf": "forged-token"}):
        r = c.post("/applications/new", data={**data, "end_use": "x"}, follow_redirects=False)
        assert r.status_code == 403, r.status_code
    other = TestClient(o.app)
    token_of_other = csrf(other.get("/login").text)
    r = c.post("/logout", data={"csrf": token_of_other}, follow_redirects=False)
    assert r.status_code == 403  # a token from another session does not do
    assert c.get("/dashboard", follow_redirects=False).status_code == 200
