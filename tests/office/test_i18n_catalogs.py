"""Translations live in gettext catalogs (Babel) that translators edit; every message
exists in English and French with the same placeholders; branches that still add keys to
the old Python dict are folded in with one command."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_web import csrf

from bilateral.platform import catalogs, i18n
from conftest import Office

SRC = Path(__file__).parents[2] / "src/bilateral"
TEMPLATES = [SRC / "platform/templates", SRC / "office/templates"]


def test_every_message_in_both_languages_with_the_same_placeholders() -> None:
    entries = catalogs.load()
    assert len(entries) > 300
    assert catalogs.problems(entries) == []
    assert catalogs.main(["check"]) == 0
    # what t() answers comes from the catalogs, through gettext
    assert i18n.t("err.forbidden", "fr") == entries["err.forbidden"][1]
    assert i18n.t("err.forbidden", "en") == entries["err.forbidden"][0]


def test_every_catalog_domain_in_both_languages() -> None:
    """One domain per application plus the platform's; each is checked, and no key is in
    two domains."""
    domains = {d.name: d for d in catalogs.discover()}
    assert {"platform", "office"} <= set(domains)
    for d in domains.values():
        assert catalogs.load(d), d.name
        assert catalogs.problems(catalogs.load(d)) == [], d.name
    assert catalogs.duplicates(domains.values()) == []
    # every domain of an installed application is what t() reads
    assert {"platform", "office"} <= {d.name for d in i18n.DOMAINS}


def test_a_missing_french_translation_is_named() -> None:
    assert catalogs.problems({"x.y": ("Hello {name}", "")}) == ["x.y: missing French"]
    assert catalogs.problems({"x.y": ("Hello {name}", "Bonjour")}) == [
        "x.y: placeholders differ between English and French"
    ]


def test_fold_adds_keys_from_an_old_style_dict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``catalogs fold FILE`` takes new keys from a branch's ``CATALOG`` dict."""
    locale = tmp_path / "platform" / "locale"
    shutil.copytree(catalogs.LOCALE_DIR, locale)
    dom = catalogs.Domain(catalogs.PLATFORM, locale)
    old = tmp_path / "i18n_branch.py"
    old.write_text(
        "CATALOG: dict[str, tuple[str, str]] = {\n"
        '    "err.forbidden": ("Your role may not do this.", "x"),\n'
        '    "err.locked": ("Too many attempts; wait {minutes} minutes.",\n'
        '                   "Trop de tentatives; attendez {minutes} minutes."),\n'
        "}\n"
        'CATALOG.update({"nav.logout_all": ("Sign out everywhere", "Se déconnecter partout")})\n',
        encoding="utf-8",
    )
    added = catalogs.fold([old], dom=dom)
    assert sorted(added) == ["err.locked", "nav.logout_all"]  # existing keys kept
    got = catalogs.load(dom)
    assert got["err.locked"][1] == "Trop de tentatives; attendez {minutes} minutes."
    assert got["err.forbidden"][1] == "Votre rôle ne permet pas cette action."
    assert 'msgctxt "err.locked"' in (locale / "fr/LC_MESSAGES/platform.po").read_text()


def test_templates_use_only_known_keys() -> None:
    used = set()
    for f in (f for d in TEMPLATES for f in d.glob("*.html")):
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', f.read_text()))
    assert not {k for k in used if not k.endswith(".") and k not in i18n.CATALOG}


def test_the_language_is_kept_across_sign_in(sqlite_office: Office) -> None:
    o, c = sqlite_office, sqlite_office.client
    o.user("alice", "applicant", "Maple Foods Ltd")
    c.cookies.clear()
    # a French reader, signed out, follows a link to a page that needs signing in
    r = c.get("/applications/new?lang=fr", follow_redirects=False)
    assert r.status_code == 303 and "lang=fr" in r.headers["location"]
    c.cookies.clear()  # no cookie: the language travels in the links and the form
    page = c.get(r.headers["location"])
    assert '<html lang="fr">' in page.text and 'name="lang" value="fr"' in page.text
    r = c.post(
        "/login",
        data={
            "username": "alice",
            "password": "correct horse battery",
            "csrf": csrf(page.text),
            "next": "/applications/new",
            "lang": "fr",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = c.get(r.headers["location"])
    assert '<html lang="fr">' in after.text and "Nouvelle demande" in after.text
