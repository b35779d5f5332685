"""Country pages on the web and in the JSON API: English at /countries, French at /pays,
the toggle keeping the date, 4xx (never 5xx) on bad input, charts with their tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bilateral.stats.store import StatsStore
from conftest import Office

DATA = Path(__file__).parents[1] / "data" / "trade-flows"


def chart_count(html: str) -> int:
    """Trade charts drawn on a page (an SVG inside a chart figure; the header's flag is not one)."""
    figures = re.findall(r'<figure class="chart".*?</figure>', html, flags=re.S)
    return sum("<svg" in figure for figure in figures)


@pytest.fixture
def with_ots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "stats.duckdb"
    with StatsStore(path) as store:
        store.import_file(DATA / "yrpc_y_2002_r_chl_p_arg_c_all.csv")
        store.import_file(DATA / "yrpc_y_2004_r_chl_p_arg_c_all.csv")
    monkeypatch.setenv("BILATERAL_STATS_DB", str(path))
    yield path


@pytest.fixture(autouse=True)
def no_user_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILATERAL_STATS_DB", str(tmp_path / "none.duckdb"))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_belarus_page_on_2014_12_01_in_english_with_footnotes(sqlite_office: Office) -> None:
    r = sqlite_office.client.get("/countries/BY?on=2014-12-01")
    assert r.status_code == 200 and '<html lang="en">' in r.text
    page = text(r.text)
    assert "Canada–Belarus relations" in page and "As of December 1, 2014" in page
    assert "issued twelve statements on the election" in page
    assert "Belarus has been on the Area Control List since December 14, 2006" in page
    assert "In 2013, Canadian exports to Belarus totalled $1.7 million." in page
    assert 'href="#fn-1"' in r.text and 'id="fn-1"' in r.text
    assert "Special Economic Measures" not in page


def test_french_route_and_the_toggle_keeps_the_date(sqlite_office: Office) -> None:
    c = sqlite_office.client
    r = c.get("/pays/BY?on=2014-12-01")
    assert r.status_code == 200 and '<html lang="fr">' in r.text
    page = text(r.text)
    assert "Relations Canada–Bélarus" in page and "Au 1er décembre 2014" in page
    assert "a publié douze déclarations" in page and "1,7 million $" in page
    assert 'href="/countries/BY?on=2014-12-01"' in r.text and 'id="lang-switch"' in r.text
    english = c.get("/countries/BY?on=2014-12-01")
    assert 'href="/pays/BY?on=2014-12-01"' in english.text
    # ?lang=fr on the English route goes to the French route, date kept
    moved = c.get("/countries/BY?on=2018-01-01&lang=fr", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/pays/BY?on=2018-01-01"


def test_the_page_changes_with_the_law(sqlite_office: Office) -> None:
    c = sqlite_office.client
    page_2018 = text(c.get("/countries/BY?on=2018-01-01").text)
    assert "Belarus has been on the Area Control List" not in page_2018
    page_2023 = text(c.get("/pays/BY?on=2023-01-01").text)
    assert "n'ont plus droit au tarif de la nation la plus favorisée" in page_2023
    assert "Règlement sur les mesures économiques spéciales visant le Bélarus" in page_2023


def test_the_old_country_page_redirects_to_the_profile(sqlite_office: Office) -> None:
    r = sqlite_office.client.get("/country/BY?on=2014-03-01&lang=fr", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/pays/BY?on=2014-03-01"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/countries/BY?on=2014-13-01", "on: malformed date"),
        ("/pays/BY?on=hier", "on: date mal formée"),
        ("/countries/Narnia", "country: unknown country 'Narnia'"),
        ("/countries/BY/timeline?kind=rumour", "kind: unknown kind 'rumour'"),
        (
            "/countries/BY/diff?from=2018-01-01&to=2014-01-01",
            "to: 2014-01-01 is before from 2018-01-01",
        ),
        ("/countries/Narnia/trade", "country: unknown country 'Narnia'"),
    ],
)
def test_bad_input_on_the_web_is_a_422_page_naming_the_field(
    sqlite_office: Office, url: str, field: str
) -> None:
    r = sqlite_office.client.get(url)
    assert r.status_code == 422 and field in text(r.text)


@pytest.mark.parametrize(
    "url",
    [
        "/api/countries/BY/profile?on=2014-13-01",
        "/api/countries/Narnia/profile?on=2014-12-01",
        "/api/countries/BY/diff?from=2018-01-01&to=2014-01-01",
        "/api/countries/BY/timeline?kind=rumour",
        "/api/countries/BY/stats?by=colour",
        "/api/countries/BY/stats?flow=smuggling",
    ],
)
def test_bad_input_in_the_api_is_a_422(sqlite_office: Office, url: str) -> None:
    assert sqlite_office.client.get(url).status_code == 422


def test_api_profile_timeline_diff_and_stats(sqlite_office: Office) -> None:
    c = sqlite_office.client
    profile = c.get("/api/countries/BY/profile", params={"on": "2014-12-01", "lang": "fr"}).json()
    assert profile["as_of"] == "2014-12-01" and profile["title"] == "Relations Canada–Bélarus"
    timeline = c.get(
        "/api/countries/BY/timeline", params={"kind": "election", "from": "2010-01-01"}
    ).json()
    assert [e["date"] for e in timeline["events"]] == ["2010-12-19", "2012-09-23", "2020-08-09"]
    diff = c.get("/api/countries/BY/diff", params={"from": "2016-12-01", "to": "2017-07-01"}).json()
    assert {e["rule"] for e in diff["ended"]} >= {"acl.belarus", "policy.belarus.notice-148"}
    stats = c.get("/api/countries/BY/stats").json()
    assert stats["loaded"] is False and {f["year"] for f in stats["published"]} == {
        2013,
        2020,
        2021,
    }
    schema = c.get("/openapi.json").json()["paths"]
    for path in ("profile", "timeline", "diff", "stats"):
        assert f"/api/countries/{{country}}/{path}" in schema


def test_open_trade_statistics_sample_draws_its_charts_with_tables(
    sqlite_office: Office, with_ots: Path
) -> None:
    c = sqlite_office.client
    r = c.get("/countries/AR/trade?reporter=CL")
    assert r.status_code == 200
    assert chart_count(r.text) == 2 and "<title>Trade by year (USD millions)</title>" in r.text
    assert 'id="table-by-year"' in r.text and 'id="table-by-section"' in r.text
    page = text(r.text)
    assert "2002 exports US$191.1 million" in page and "Mineral products" in page
    fr = c.get("/pays/AR/commerce?reporter=CL")
    assert "<title>Commerce par année (millions de USD)</title>" in fr.text
    assert "191,1 millions $ US" in text(fr.text)
    svg = c.get("/countries/AR/charts/by-section.svg", params={"reporter": "CL", "year": 2004})
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<desc>" in svg.text and "V Mineral products" in svg.text


def test_without_a_series_the_trade_page_says_so(sqlite_office: Office) -> None:
    r = sqlite_office.client.get("/countries/BY/trade")
    assert r.status_code == 200 and 'id="not-loaded"' in r.text and chart_count(r.text) == 0
    assert sqlite_office.client.get("/countries/BY/charts/by-year.svg").status_code == 404


def test_profile_page_draws_canadas_series_beside_the_published_figures(
    sqlite_office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cimt = tmp_path / "cimt.csv"
    cimt.write_text(
        "Period,HS Code,Country,Trade Type,Value ($)\n"
        "2013,2815,Belarus,Imports,1500000\n2013,4407,Belarus,Imports,400000\n"
    )
    path = tmp_path / "canada.duckdb"
    with StatsStore(path) as store:
        store.import_file(cimt)
    monkeypatch.setenv("BILATERAL_STATS_DB", str(path))
    r = sqlite_office.client.get("/countries/BY?on=2014-12-01")
    page = text(r.text)
    assert r.status_code == 200 and chart_count(r.text) == 2
    assert "Computed from imported data (Statistics Canada" in page
    assert "approximately $34.6 million" in page  # the published figure, beside
    assert 'id="table-by-section"' in r.text and "Chemical products" in page
