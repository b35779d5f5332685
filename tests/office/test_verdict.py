"""A verdict people can act on, in their language.

Every answer starts with one sentence that combines the measures; reasons follow with
their citations (French links on French pages) and their confidence; rule ids, the law
hash and JSON stay in "technical details"; no English sentence from the engine appears on
a French page.
"""

from __future__ import annotations

import argparse
import html
import re
from typing import Any

from test_web import login

from bilateral.engine import checks
from bilateral.faces import render, verdict
from conftest import Office, good_application

LAPTOPS_BY = {"to": "BY", "on": "2025-06-01", "hs": "8471.30"}


def _outside_english_and_details(page: str) -> str:
    """The page as a French reader reads it: without passages marked lang="en" (kept on
    purpose, e.g. a source only in English, the language switch) and without the
    technical details."""
    page = re.sub(r'<details class="technical">.*?</details>', "", page, flags=re.S)
    for _ in range(3):
        page = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', "", page, flags=re.S)
    return html.unescape(page)


def english_engine_strings(answer: dict[str, Any]) -> list[str]:
    """Sentences the engine says in English (labels, summaries, caveats)."""
    out = [str(c) for c in answer.get("caveats") or []]
    for r in answer.get("reasons") or []:
        out += [str(r.get("label") or ""), str(r.get("text") or "")]
    return [s for s in out if len(s) > 12]


def assert_no_engine_english(page: str, english: dict[str, Any]) -> None:
    visible = _outside_english_and_details(page)
    for s in english_engine_strings(english):
        assert s not in visible, f"English engine text on a French page: {s!r}"


def test_a_ban_is_said_first_and_plainly_in_both_languages(sqlite_office: Office) -> None:
    c = sqlite_office.client
    en = c.get("/check/export", params=LAPTOPS_BY | {"lang": "en"}).text
    assert (
        "You may not export these goods to Belarus on June 1, 2025: the Special Economic "
        "Measures (Belarus) Regulations ban them." in en
    )
    # no "Export permit required: No" above the ban any more
    assert "Export permit required" not in en
    fr = c.get("/check/export", params=LAPTOPS_BY | {"lang": "fr"}).text
    assert (
        "Vous ne pouvez pas exporter ces marchandises vers le Bélarus le 1er juin 2025 : le "
        "Règlement sur les mesures économiques spéciales visant le Bélarus les interdit." in fr
    )
    assert "https://laws-lois.justice.gc.ca/fra/reglements/DORS-2020-214/article-3.7.html" in fr
    assert "vérifié dans le texte officiel" in fr
    visible = _outside_english_and_details(fr)
    assert "sema.belarus.s3-7-luxury-export" not in visible and "sha256:" not in visible
    assert "--ecl" not in visible


def test_a_permit_requirement_says_how_permits_are_treated(sqlite_office: Office) -> None:
    c = sqlite_office.client
    q = {"to": "BY", "on": "2014-12-01", "category": "medicines"}
    en = c.get("/check/export", params=q | {"lang": "en"}).text
    assert (
        "An export permit is required to export these goods to Belarus on December 1, 2014; "
        "permits for these goods are generally approved." in en
    )
    fr = c.get("/check/export", params=q | {"lang": "fr"}).text
    assert "les licences pour ces marchandises sont généralement accordées" in fr
    assert "?lang=fra" in fr or "/fra/" in fr


def test_stored_assessment_is_shown_in_french_on_a_french_page(sqlite_office: Office) -> None:
    """The office stores the engine's English answer; a French reader sees it in French."""
    o = sqlite_office
    a = o.user("alice", "applicant", "Maple Foods Ltd")
    o.user("oscar", "officer")
    body = good_application(
        lines=[
            {
                "origin": "CA",
                "hs_code": "8471.30",
                "description": "Laptops",
                "quantity": "2",
                "unit": "units",
                "unit_value": "1000",
            }
        ]
    )
    app_id = o.client.post("/api/applications", json=body, headers=a).json()["id"]
    r = o.client.post(f"/api/applications/{app_id}/submit", headers=a)
    stored = r.json()["assessment"]["lines"][0]["answer"]
    assert stored["reasons"][0]["label"].startswith("Ban")  # stored as asked, in English
    login(o, "oscar")
    page = html.unescape(o.client.get(f"/applications/{app_id}?lang=fr").text)
    assert "Vous ne pouvez pas exporter ces marchandises vers le Bélarus" in page
    assert "Interdiction d'exporter des produits de luxe vers le Bélarus" in page
    assert_no_engine_english(page, stored)


def test_cli_human_output_starts_with_the_sentence() -> None:
    for lang, start in (
        ("en", "You may not export these goods to Belarus on June 1, 2025"),
        ("fr", "Vous ne pouvez pas exporter ces marchandises vers le Bélarus le 1er juin 2025"),
    ):
        answer = checks.check_export(**LAPTOPS_BY, lang=lang)
        args = argparse.Namespace(command="check", kind="export", lang=lang)
        out = render.render(args, answer)
        assert out.splitlines()[0].startswith(start)
        # a ban never sits under "permit required: no"
        assert "Export permit required: no" not in out and "requise: non" not in out


def test_french_links_and_articles() -> None:
    assert (
        verdict.url_for("https://laws-lois.justice.gc.ca/eng/acts/E-19/page-1.html#h-1", "fr")
        == "https://laws-lois.justice.gc.ca/fra/lois/E-19/page-1.html#h-1"
    )
    assert verdict.url_for("https://x.gc.ca/notices-avis/148.aspx?lang=eng", "fr").endswith(
        "?lang=fra"
    )
    assert verdict.url_for("https://x.gc.ca/a?lang=eng", "en").endswith("?lang=eng")
    phrases = {c: verdict.country_phrase({"code": c}, "fr") for c in ("BY", "RU", "IR", "US", "CU")}
    assert phrases == {
        "BY": "vers le Bélarus",
        "RU": "vers la Russie",
        "IR": "vers l'Iran",
        "US": "vers les États-Unis",
        "CU": "vers Cuba",
    }


def test_french_words_for_categories_and_topics(sqlite_office: Office) -> None:
    """French readers may type the French word: "médicaments", "droits de la personne"."""
    c = sqlite_office.client
    q = {"to": "BY", "on": "2014-12-01", "category": "Médicaments", "lang": "fr"}
    r = c.get("/check/export", params=q)
    assert r.status_code == 200 and "généralement accordées" in r.text
    r = c.get(
        "/check/contact",
        params={"with": "BY", "on": "2025-06-01", "topic": "droits de la personne", "lang": "fr"},
    )
    assert r.status_code == 200 and "droits de la personne" in html.unescape(r.text)


def test_dates_typed_the_french_way(sqlite_office: Office) -> None:
    c = sqlite_office.client
    for typed in ("1 juin 2025", "1er juin 2025", "01/06/2025"):
        r = c.get("/check/export", params={"to": "BY", "hs": "8471.30", "on": typed, "lang": "fr"})
        assert r.status_code == 200, typed
        assert "le 1er juin 2025" in html.unescape(r.text), typed
    r = c.get("/check/export", params={"to": "BY", "hs": "8471.30", "on": "31 février 2025"})
    assert r.status_code == 422
