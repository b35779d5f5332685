"""Country pages in Chromium, without JavaScript: Belarus on 2014-12-01 in English, a
footnote followed, the date moved to 2018 with the form, the language toggled (date kept),
the timeline filtered, and the Open Trade Statistics sample's charts, in French.

Runs ``python -m bilateral.server serve`` with a statistics store holding the OTS sample.
Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import ARGS, CHROMIUM, SHOTS

from bilateral.stats.store import StatsStore
from serving import free_port, serving

DATA = Path(__file__).parents[1] / "data" / "trade-flows"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("BILATERAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"BILATERAL_REQUIRE_BROWSER=1 but {CHROMIUM} is absent")
        pytest.skip(f"browser test skipped: {CHROMIUM} is absent (apt-get install -y chromium)")
    pytest.importorskip("playwright", reason="browser test skipped: playwright not installed")
    tmp = tmp_path_factory.mktemp("countries")
    stats = tmp / "stats.duckdb"
    with StatsStore(stats) as store:
        for name in ("yrpc_y_2002_r_chl_p_arg_c_all.csv", "yrpc_y_2004_r_chl_p_arg_c_all.csv"):
            store.import_file(DATA / name)
    port = free_port()
    env = {
        **os.environ,
        "BILATERAL_DATABASE_PATH": str(tmp / "office.sqlite3"),
        "BILATERAL_DATABASE_URL": "",
        "BILATERAL_DATA_DIR": str(tmp / "data"),
        "BILATERAL_STATS_DB": str(stats),
    }
    with serving(env, tmp, port) as base:
        yield base


def test_belarus_page_in_english_and_french_without_javascript(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(
                java_script_enabled=False, viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()

            def shot(name: str) -> None:
                page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

            page.goto(server + "/countries/BY?on=2014-12-01")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("#profile-title")).to_have_text("Canada–Belarus relations")
            relations = page.locator("#section-relations")
            expect(relations).to_contain_text(
                "issued twelve statements on the election and its aftermath"
            )
            expect(page.locator("#section-measures")).to_contain_text(
                "Area Control List since December 14, 2006"
            )
            expect(page.locator("#section-trade")).to_contain_text(
                "chemical products ($23.4 million)"
            )
            expect(page.locator("#date-modified")).to_contain_text("2014-12-01")
            shot("10-country-by-2014-en")

            # every sentence's footnote leads to its source
            page.locator("#section-relations sup a").first.click()
            expect(page).to_have_url(f"{server}/countries/BY?on=2014-12-01#fn-1")
            expect(page.locator("#fn-1 a")).to_have_attribute(
                "href",
                "https://www.international.gc.ca/controls-controles/systems-systemes/excol-ceed/notices-avis/148.aspx?lang=eng",
            )

            # move the date with the form (keyboard only): the page follows the law
            page.locator("#f-on").fill("2018-01-01")
            with page.expect_navigation():
                page.locator("#f-on").press("Enter")
            expect(page.locator(".lead")).to_contain_text("As of January 1, 2018")
            expect(page.locator("#section-measures")).not_to_contain_text("Area Control List")
            expect(page.locator("#section-ended")).to_contain_text(
                "Belarus on the Area Control List: "
                "in force from December 14, 2006 until June 19, 2017."
            )

            # the language toggle keeps the date
            page.click("#lang-switch")
            expect(page).to_have_url(f"{server}/pays/BY?on=2018-01-01")
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            expect(page.locator("#profile-title")).to_have_text("Relations Canada–Bélarus")
            expect(page.locator(".lead")).to_contain_text("Au 1er janvier 2018")
            shot("11-country-by-2018-fr")

            # the timeline, filtered to elections with the check boxes and no script
            page.goto(server + "/pays/BY/chronologie")
            for kind in (
                "statement",
                "accreditation",
                "mission",
                "programme",
                "listing",
                "measure",
            ):
                page.uncheck(f"#k-{kind}")
            with page.expect_navigation():
                page.locator("#f-to").press("Enter")
            rows = page.locator("#timeline tbody tr")
            expect(rows).to_have_count(4)
            expect(rows.first).to_contain_text("19 mars 2006")
            shot("12-timeline-fr")

            # the Open Trade Statistics sample: charts and the tables beneath them
            page.goto(server + "/pays/AR/commerce?reporter=CL")
            expect(page.locator("figure.chart svg")).to_have_count(2)
            expect(page.locator("#table-by-year")).to_contain_text("191,1 millions $ US")
            expect(page.locator("#table-by-section caption")).to_contain_text("2004")
            shot("13-trade-ots-fr")
            page.goto(server + "/countries/Narnia?on=2014-12-01")
            expect(page.locator("#error")).to_contain_text("country: unknown country 'Narnia'")
        finally:
            browser.close()
