"""End to end in Chromium, the whole journey as users meet it, in English and French:
an applicant drafts three lines (saved three times, one refusal corrected), checks the
answers and submits; an officer decides in French; the applicant ships in French; an
auditor verifies the audit log; an admin resets a password. Every page state is checked
with axe-core (serious or critical violations fail), French pages must show no English
sentence from the engine and no raw message keys, and the layout must fit 390 px.

Runs ``python -m bilateral.server serve`` (what ``bilateral serve`` runs) on a free loopback
port with a temporary SQLite file. Uses the real engine when it answers, else the test
stand-in. Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from serving import free_port, serving

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("BILATERAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"BILATERAL_REQUIRE_BROWSER=1 but {CHROMIUM} is absent")
        pytest.skip(f"browser test skipped: {CHROMIUM} is absent (apt-get install -y chromium)")
    pytest.importorskip("playwright", reason="browser test skipped: playwright not installed")
    tmp = tmp_path_factory.mktemp("e2e")
    port = free_port()
    env = {
        **os.environ,
        "BILATERAL_DATABASE_PATH": str(tmp / "office.sqlite3"),
        "BILATERAL_DATABASE_URL": "",
        "BILATERAL_DATA_DIR": str(tmp / "data"),
    }
    run = [sys.executable, "-m", "bilateral.server"]
    for name, role, org in (
        ("alice", "applicant", "Maple Foods"),
        ("oscar", "officer", None),
        ("audrey", "auditor", None),
        ("root", "admin", None),
    ):
        extra = ["--org", org] if org else []
        subprocess.run(
            [*run, "users", "create", name, "--role", role, *extra, "--password-stdin"],
            input=PASSWORD + "\n",
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    with serving(env, tmp, port) as base:
        yield base


AXE = Path(os.environ.get("BILATERAL_AXE", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
RAW_KEY = re.compile(
    r"\b(err|form|app|permit|queue|status|outcome|answer|review|val|gc|nav|audit|users)"
    r"\.[a-z_]{3,}\b"
)


def _axe_path() -> Path:
    if not AXE.exists():
        if os.environ.get("BILATERAL_REQUIRE_AXE") == "1":
            pytest.fail(f"BILATERAL_REQUIRE_AXE=1 but {AXE} is absent (npm install)")
        pytest.skip(f"accessibility checks skipped: {AXE} is absent (run npm install)")
    return AXE


class Journey:
    """A browser page with the checks every state gets: axe-core, raw keys, language."""

    def __init__(self, page: object, base: str, axe: Path) -> None:
        self.page: Any = page
        self.base = base
        self.axe = axe
        self.states: list[str] = []

    def check(self, name: str) -> None:
        page = self.page
        page.add_script_tag(path=str(self.axe))
        result = page.evaluate(
            """async () => {
              const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
              return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: axe-core violations {json.dumps(bad, indent=1)}"
        lang = page.get_attribute("html", "lang")
        seen = self.reader_text()
        keys = RAW_KEY.findall(seen)
        assert not keys, f"{name}: raw message keys shown: {keys}"
        if lang == "fr":
            for phrase in ENGLISH_ENGINE:
                assert phrase not in seen, f"{name}: English engine text on a French page: {phrase}"
        page.screenshot(path=str(SHOTS / f"{len(self.states):02d}-{name}.png"), full_page=True)
        self.states.append(name)

    def narrow(self, *paths: str) -> None:
        """Each page at 390 px wide (a phone): nothing may scroll sideways."""
        page = self.page
        page.set_viewport_size({"width": 390, "height": 844})
        try:
            for path in paths:
                page.goto(self.base + path)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, f"{path}: {width}px wide at 390px"
        finally:
            page.set_viewport_size({"width": 1280, "height": 900})

    def reader_text(self) -> str:
        """The page's text without passages marked lang="en" on purpose and without the
        technical details (rule ids, JSON)."""
        return str(
            self.page.evaluate(
                """() => { const b = document.body.cloneNode(true);
                  b.querySelectorAll('[lang="en"], details.technical, script, style')
                    .forEach(e => e.remove());
                  return b.textContent; }"""
            )
        )


def _english_engine_phrases() -> list[str]:
    """What the engine says in English about the journey's goods: must not reach French
    readers (labels, summaries, caveats)."""
    from bilateral.engine import checks

    out: list[str] = []
    today = dt.date.today().isoformat()
    for kw in ({"category": "food"}, {"category": "clothing"}, {"hs": "8471.30"}):
        a = checks.check_export(to="BY", on=today, lang="en", **kw)
        out += [str(c) for c in a["caveats"]]
        for r in a["reasons"]:
            out += [str(r["label"]), str(r["text"])]
    return [x for x in out if len(x) > 15]


ENGLISH_ENGINE: list[str] = []


def test_whole_journey_in_both_languages(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    axe = _axe_path()
    ENGLISH_ENGINE[:] = _english_engine_phrases()
    SHOTS.mkdir(parents=True, exist_ok=True)
    ship_day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            # The pages' CSP forbids every script (they need none); axe-core is the test's own
            # instrument, injected past the CSP. That the CSP header is sent is tested in
            # test_security.py.
            page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
            j = Journey(page, server, axe)

            def login(name: str, lang: str, password: str = PASSWORD) -> None:
                page.context.clear_cookies()
                page.goto(f"{server}/login?lang={lang}")
                page.locator("#f-username").focus()  # keyboard only
                page.keyboard.type(name)
                page.keyboard.press("Tab")
                page.keyboard.type(password)
                with page.expect_navigation(url=re.compile(r"/(dashboard|queue|audit|users)$")):
                    page.keyboard.press("Enter")
                expect(page.locator("html")).to_have_attribute("lang", lang)

            # public answers: the verdict first, in French with French links
            page.goto(f"{server}/check/export?to=BY&hs=8471.30&lang=fr")
            expect(page.locator("#verdict")).to_contain_text(
                "Vous ne pouvez pas exporter ces marchandises vers le Bélarus"
            )
            expect(page.locator("a[href*='/fra/reglements/DORS-2020-214']")).to_have_count(1)
            j.check("public-check-fr")
            # the focus ring: 3 px, visible on keyboard focus
            page.keyboard.press("Tab")
            width = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
            assert width == "3px", width
            # 390 px wide: no sideways scrolling
            page.set_viewport_size({"width": 390, "height": 844})
            for path in ("/check/export?to=BY&hs=8471.30&lang=fr", "/login?lang=en"):
                page.goto(server + path)
                sw = page.evaluate("document.documentElement.scrollWidth")
                assert sw <= 390, f"{path}: {sw}px wide at 390px"
            page.set_viewport_size({"width": 1280, "height": 900})
            # the country profile (country pages), in French
            page.goto(server + "/country/BY?on=2014-03-01&lang=fr")
            expect(page.locator("#profile-title")).to_contain_text("Bélarus")

            # applicant, in English: three lines, three saves, one refusal corrected
            login("alice", "en")
            j.check("dashboard-en")
            page.click("#new-application")
            expect(page.locator("#f-applicant\\.name")).to_have_value("Maple Foods")
            page.fill("#f-applicant\\.address", "1 Main St, Ottawa ON")
            page.check("#f-exporter\\.same")
            page.fill("#f-consignees-0-name", "Minsk Trading")
            page.fill("#f-consignees-0-address", "2 Nezavisimosti Ave, Minsk")
            page.fill("#f-consignees-0-contact", "+375 17 000 0000")
            page.select_option("#f-consignees-0-country", label="Belarus")
            page.select_option("#f-destination", label="Belarus")
            page.fill("#f-proposed_export_date", ship_day)
            page.fill("#f-end_use", "Retail sale")
            page.fill("#f-end_user\\.name", "Minsk Trading")
            page.fill("#f-end_user\\.address", "2 Nezavisimosti Ave, Minsk")
            lines = [
                ("0402.10", "food", "Milk powder", "1,000", "kg", "4.50"),
                ("6109.10", "clothing", "Cotton T-shirts", "500", "units", "8.00"),
            ]
            for i, (hs, cat, desc, q, unit, uv) in enumerate(lines):
                page.select_option(f"#f-lines-{i}-origin", "CA")
                page.fill(f"#f-lines-{i}-hs_code", hs)
                page.select_option(f"#f-lines-{i}-category", cat)
                page.fill(f"#f-lines-{i}-description", desc)
                page.fill(f"#f-lines-{i}-quantity", q)
                page.select_option(f"#f-lines-{i}-unit", unit)
                page.fill(f"#f-lines-{i}-unit_value", uv)
            page.check("#f-declarations\\.information_true")
            page.check("#f-declarations\\.aware_of_obligations")
            j.check("draft-new-en")
            page.click("#save-draft")  # save 1
            expect(page.locator(".msg.ok")).to_contain_text("Draft saved")
            expect(page.locator("#f-exporter\\.name")).to_have_value("Maple Foods")
            expect(page.locator("#f-lines-0-quantity")).to_have_value("1,000")
            # a third line, typed wrong: refused, everything kept, every problem listed
            page.select_option("#f-lines-2-origin", "CA")
            page.fill("#f-lines-2-hs_code", "3004.90")
            page.select_option("#f-lines-2-category", "medicines")
            page.fill("#f-lines-2-description", "Paracetamol tablets")
            page.fill("#f-lines-2-quantity", "two hundred")
            page.select_option("#f-lines-2-unit", "units")
            page.fill("#f-lines-2-unit_value", "12.50")
            page.click("#save-draft")
            summary = page.locator("#error-summary")
            expect(summary).to_contain_text("Line 3 — Quantity: Enter a number")
            expect(page.locator("#f-lines-2-quantity")).to_have_attribute("aria-invalid", "true")
            expect(page.locator("#f-lines-2-description")).to_have_value("Paracetamol tablets")
            j.check("draft-refused-en")
            page.fill("#f-lines-2-quantity", "200")
            page.click("#save-draft")  # save 2
            expect(page.locator(".msg.ok")).to_contain_text("Draft saved")
            page.fill("#f-lines-0-description", "Skim milk powder")
            page.click("#continue")  # save 3, then check your answers
            expect(page.locator("h1")).to_contain_text("Check your answers")
            expect(page.locator("main")).to_contain_text("Skim milk powder")
            expect(page.locator("main")).to_contain_text("Paracetamol tablets")
            expect(page.locator(".verdict").first).to_contain_text(
                "No export permit is required to export these goods to Belarus"
            )
            j.check("review-en")
            app_path = page.url.split(server, 1)[1].rsplit("/", 1)[0]
            j.narrow(app_path, app_path + "/review", "/dashboard")
            page.goto(server + app_path + "/review")
            page.click("#submit-application")
            expect(page.locator("#confirmation")).to_contain_text("Application submitted")
            reference = page.locator("#reference").inner_text()
            j.check("submitted-en")

            # officer, in French: the queue, the summary, the decision
            login("oscar", "fr")
            expect(page.locator("main")).to_contain_text(reference)
            j.check("queue-fr")
            page.get_by_role("link", name=reference).click()
            expect(page.locator("#summary-h")).to_be_visible()
            expect(page.locator(".line-verdicts")).to_contain_text(
                "Aucune licence d'exportation n'est requise"
            )
            j.check("application-officer-fr")
            page.check("#f-approve")
            page.fill("#f-reasons", "Conforme à la politique.")
            page.click("#record-decision")
            expect(page.locator(".msg.ok")).to_be_visible()
            j.check("queue-after-decision-fr")
            j.narrow("/queue", app_path)

            # applicant, in French: the permit, a shipment typed the French way, an overdraw
            login("alice", "fr")
            page.get_by_role("link", name=re.compile(r"^EP-")).first.click()
            expect(page.locator("#remaining-1")).to_contain_text("1 000 kg")
            j.check("permit-fr")
            page.fill("#f-quantity", "250")
            page.fill("#f-value", "1 125,00")
            page.fill("#f-export_declaration_ref", "CAED-0001")
            page.click("#record-shipment")
            expect(page.locator("#remaining-1")).to_contain_text("750 kg")
            expect(page.locator("#remaining-1")).to_contain_text("3 375,00")
            page.fill("#f-quantity", "751")
            page.fill("#f-value", "1")
            page.fill("#f-export_declaration_ref", "CAED-0002")
            page.click("#record-shipment")
            expect(page.locator(".msg.error")).to_contain_text("il reste 750 kg")
            expect(page.locator("#f-quantity")).to_have_value("751")  # kept after refusal
            j.check("permit-refused-fr")
            permit_path = page.url.split(server, 1)[1]
            j.narrow(permit_path, app_path)

            # auditor, in French: the audit log, names and times, verified
            login("audrey", "fr")
            page.goto(f"{server}/audit")
            page.click("#verify")
            expect(page.locator("#verify-result")).to_contain_text("Chaîne intacte")
            expect(page.locator("table.audit")).to_contain_text("Licence délivrée")
            j.check("audit-fr")

            # admin, in English: a password reset, confirmed first
            login("root", "en")
            j.check("users-en")
            page.get_by_role("button", name="Reset password: alice").click()
            expect(page.locator("#confirm-question")).to_contain_text(
                "Reset the password of alice?"
            )
            j.check("confirm-en")
            page.click("#confirm")
            expect(page.locator("#reset-password")).to_contain_text("New password for alice")
            j.check("users-reset-en")
            j.narrow("/users", "/audit")
        finally:
            browser.close()
    assert len(j.states) >= 14
