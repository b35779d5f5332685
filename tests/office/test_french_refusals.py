"""The public checks on the real engine refuse a question in the reader's language: the
JSON API with ``?lang=fr`` or ``Accept-Language: fr``, and the web form, which says what its
own hint would not (a date outside the law's range, an HS code of another edition)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from bilateral.platform import db
from conftest import Office, make_settings

pytestmark = pytest.mark.engine


@pytest.fixture
def real(tmp_path: Path) -> Iterator[Office]:
    from bilateral.engine import checks

    settings = dataclasses.replace(make_settings(tmp_path), today=lambda: dt.date(2014, 2, 27))
    engine = db.make_engine(settings)
    db.upgrade(settings, engine=engine)
    yield Office(settings, checks, engine)
    engine.dispose()


FRENCH = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}


@pytest.mark.parametrize("how", ["query", "header"])
def test_the_json_api_refuses_in_french(real: Office, how: str) -> None:
    c = real.client
    lang = {"lang": "fr"} if how == "query" else {}
    headers = FRENCH if how == "header" else {}

    def refused(path: str, **params: str) -> dict[str, str]:
        r = c.get(path, params=params | lang, headers=headers)
        assert r.status_code == 422
        body: dict[str, str] = r.json()
        return body

    body = refused("/api/check/export", to="XX", on="2014-12-01", hs="8471.30")
    assert body == {
        "error": "bad_input",
        "field": "to",
        "message": "to : pays inconnu « XX » (utilisez un code ISO ou un nom)",
    }
    body = refused("/api/check/export", to="BY", on="2014-12-01")
    assert body["field"] == "goods" and body["message"].startswith(
        "goods : indiquez exactement un des éléments suivants : code SH (hs)"
    )
    body = refused("/api/check/import", origin="BY", on="2023-01-01", hs="8703.23", mfn_rate="x")
    assert body["message"] == "mfn_rate : taux mal formé « x » (un pourcentage, p. ex. 6,5)"
    body = refused("/api/check/contact", **{"with": "BY", "topic": "golf", "on": "2014-12-01"})
    assert body["message"].startswith("topic : sujet inconnu « golf »")
    body = refused("/api/countries/XX/profile", on="2014-12-01")
    assert body["message"] == "country : pays inconnu « XX » (utilisez un code ISO ou un nom)"
    # a French answer, not only a French refusal, when the header alone asks for French
    r = c.get(
        "/api/check/export",
        params={"to": "BY", "on": "2014-12-01", "hs": "8471.30"} | lang,
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["destination"]["name"] == "Bélarus"


def test_the_json_api_refuses_in_english_by_default(real: Office) -> None:
    r = real.client.get("/api/check/export", params={"to": "XX", "on": "2014-12-01", "hs": "1"})
    assert r.status_code == 422
    assert r.json()["message"] == "to: unknown country 'XX' (use an ISO code or a name)"
    r = real.client.get(
        "/api/check/export",
        params={"to": "XX", "on": "2014-12-01", "hs": "1", "lang": "en"},
        headers=FRENCH,
    )
    assert r.json()["message"] == "to: unknown country 'XX' (use an ISO code or a name)"
    r = real.client.get(
        "/api/check/export", params={"to": "BY", "on": "2014-12-01", "hs": "8471.30"}
    )
    assert r.json()["destination"]["name"] == "Belarus"


def test_the_web_form_says_the_engines_problem_in_french(real: Office) -> None:
    c = real.client
    page = c.get("/check/export?to=BY&on=1800-06-01&hs=8471.30&lang=fr")
    text = html.unescape(page.text)
    assert page.status_code in (200, 422)
    assert (
        "Date\u00a0: La date du 1er juin 1800 est hors de la période couverte, du 3 juillet "
        "1981 au 31 décembre 2100." in text
    )
    page = c.get("/check/export?to=BY&on=2014-01-01&hs=440111&lang=fr")
    text = html.unescape(page.text)
    assert (
        "Code SH\u00a0: La sous-position 440111 ne figure pas dans le SH2012, l'édition du SH "
        "en vigueur à cette date." in text
    )
    assert "4 à 10 chiffres" not in text
    page = c.get("/check/export?to=BY&on=2014-01-01&hs=440111&lang=en")
    assert (
        "HS code: HS subheading 440111 is not in HS2012, the HS edition in force on that date."
        in html.unescape(page.text)
    )
    # the form's own hint where it says it as well: an unknown country
    page = c.get("/check/export?to=Atlantide&on=2014-12-01&hs=8471.30&lang=fr")
    assert "Choisissez un pays dans la liste" in html.unescape(page.text)


def test_the_french_country_page_has_a_french_menu(real: Office) -> None:
    """/pays/... is French by its path: the platform's menu and language selection too, even
    for a browser that asks for English."""
    c = real.client
    page = html.unescape(c.get("/pays/BY?on=2014-12-01", headers={"Accept-Language": "en"}).text)
    assert "Relations Canada–Bélarus" in page
    assert "Vérifier une exportation" in page and "Check an export" not in page
    page = html.unescape(c.get("/countries/BY?on=2014-12-01", headers=FRENCH).text)
    assert "Canada–Belarus relations" in page
    assert "Check an export" in page and "Vérifier une exportation" not in page


def test_the_french_timeline_and_diff_pages_cite_in_french(real: Office) -> None:
    c = real.client
    page = html.unescape(c.get("/pays/BY/diff?from=2014-12-01&to=2018-01-01").text)
    assert ">DORS/81-543</a>" in page and ">Avis aux exportateurs no 148</a>" in page
    assert ">Politique d'Affaires mondiales Canada sur les relations Canada-Bélarus</a>" in page
    assert "SOR/81-543" not in page and "GAC Canada-Belarus" not in page
    page = html.unescape(c.get("/pays/BY/chronologie").text)
    assert "(vérifié dans le texte officiel)" in page and "(verified)" not in page
    assert "Notice to Exporters No. 148</a>" not in page
    page = html.unescape(c.get("/countries/BY/diff?from=2014-12-01&to=2018-01-01").text)
    assert ">SOR/81-543</a>" in page and ">Notice to Exporters No. 148</a>" in page


def test_an_application_line_the_engine_refuses_is_said_in_french(real: Office) -> None:
    """A line whose HS code is not in the edition in force on the export date: the
    submission's refusal names the line's field and says the engine's problem in the
    reader's language (it was English inside the French sentence)."""
    from conftest import good_application

    a = real.user("alice", "applicant", "Maple Foods Ltd")
    body = good_application(proposed_export_date="2014-03-01")
    body["lines"][0]["hs_code"] = "4401.11"  # HS2017 onwards; HS2012 in force in 2014
    del body["lines"][0]["category"]
    app = real.client.post("/api/applications", json=body, headers=a)
    assert app.status_code == 201, app.text
    url = f"/api/applications/{app.json()['id']}/submit"
    r = real.client.post(url, headers=a | FRENCH)
    assert r.status_code == 422
    message = r.json()["message"]
    assert "L'évaluation a refusé ceci : la sous-position 440111 ne figure pas dans le SH2012" in (
        message
    )
    assert "HS subheading" not in message
    r = real.client.post(url, headers=a)
    assert (
        "The assessment refused this: HS subheading 440111 is not in HS2012"
        in (r.json()["message"])
    )
