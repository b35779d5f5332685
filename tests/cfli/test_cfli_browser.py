"""The CFLI cycle end to end in Chromium, as its users meet it, in English and French: a
programme officer loads the call and publishes a version with the parameters the sources
leave empty; the public sees the open call; an applicant drafts (one refusal corrected) and
submits; a conflicted committee member is refused, another scores; the officer plans,
approves, draws up and signs the agreement and pays the advance; the applicant reports;
the officer accepts, is refused an overpayment, pays the rest and closes. Every page state
is checked with axe-core (serious or critical violations fail) and for raw message keys.

Runs ``bilateral serve`` (the platform with the permit office and CFLI) on a free loopback
port with a temporary SQLite file.
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
SHOTS = ROOT / "artifacts" / "screenshots" / "cfli"
AXE = Path(os.environ.get("BILATERAL_AXE", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "correct horse battery"
RAW_KEY = re.compile(r"\b(cfli|err|nav|role|gc)\.[a-z_]{3,}\b")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser test skipped: {CHROMIUM} is absent")
    pytest.importorskip("playwright", reason="browser test skipped: playwright not installed")
    tmp = tmp_path_factory.mktemp("cfli-e2e")
    env = {
        **os.environ,
        "BILATERAL_DATABASE_PATH": str(tmp / "cfli.sqlite3"),
        "BILATERAL_DATABASE_URL": "",
        "BILATERAL_DATA_DIR": str(tmp / "data"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("BILATERAL_CFLI_KEYS", None)  # the key file is made in the data dir
    cli = [
        sys.executable,
        "-c",
        "import sys; from bilateral.faces.cli import main; sys.exit(main())",
    ]
    for name, role, org in (
        ("olga", "programme_officer", None),
        ("mira", "committee_member", None),
        ("marc", "committee_member", None),
        ("ana", "grant_applicant", "Circle"),
    ):
        extra = ["--org", org] if org else []
        create = [sys.executable, "-m", "bilateral.server", "users", "create", name]
        subprocess.run(
            [*create, "--role", role, *extra, "--password-stdin"],
            input=PASSWORD + "\n",
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    subprocess.run(
        [*cli, "cfli", "db", "staff", "olga", "--mission", "warsaw"], env=env, check=True
    )
    with serving(env, tmp, free_port(), ready="/cfli") as base:
        yield base


class Journey:
    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.n = 0

    def check(self, name: str) -> None:
        page = self.page
        if AXE.exists():
            page.add_script_tag(path=str(AXE))
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
        text = str(page.evaluate("() => document.body.textContent"))
        assert not RAW_KEY.findall(text), f"{name}: raw keys {RAW_KEY.findall(text)}"
        self.n += 1
        page.screenshot(path=str(SHOTS / f"{self.n:02d}-{name}.png"), full_page=True)

    def login(self, name: str, lang: str) -> None:
        page = self.page
        page.context.clear_cookies()
        page.goto(f"{self.base}/login?lang={lang}&next=/cfli")
        page.fill("#f-username", name)
        page.fill("#f-password", PASSWORD)
        with page.expect_navigation():
            page.click("form[action='/login'] button[type=submit]")

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def submit(self, form: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"{form} button[type=submit]")


def test_cfli_cycle_in_the_browser(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    deadline = (today + dt.timedelta(days=30)).isoformat()
    call = "cfli-belarus-2026-27"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            ctx = browser.new_context(bypass_csp=True)
            page = ctx.new_page()
            j = Journey(page, server)
            # the programme officer, in English
            j.login("olga", "en")
            j.go("/cfli/officer?lang=en")
            j.check("officer-empty")
            j.submit("form[action='/cfli/officer/sync']")
            j.go(f"/cfli/officer/calls/{call}?lang=en")
            j.check("officer-call")
            for field, value in (
                ("minimum_contribution", "5000"),
                ("maximum_contribution", "100000"),
                ("envelope", "50000"),
                ("application_deadline", deadline),
                ("advance_percent", "80"),
                ("narrative_days", "30"),
                ("financial_days", "30"),
                ("change_note", "Set by the mission"),
            ):
                page.fill(f"#f-{field}", value)
            page.select_option("#f-registration_required", "no")
            page.check("#f-cost-hospitality")
            page.fill(
                "#f-criteria",
                "relevance; Relevance; Pertinence; 40\n"
                "feasibility; Feasibility; Faisabilité; 35\n"
                "impact; Local impact; Impact local; 25",
            )
            j.submit(f"form[action='/cfli/officer/calls/{call}/versions']")
            j.submit(f"form[action='/cfli/officer/calls/{call}/versions/2/publish']")
            for member in ("mira", "marc"):
                page.fill("#f-username", member)
                j.submit(f"form[action='/cfli/officer/calls/{call}/committee']")
            expect(page.locator("main")).to_contain_text("marc")
            j.check("officer-published")
            # the public, in French, without signing in
            page.context.clear_cookies()
            j.go("/cfli?lang=fr")
            expect(page.locator("h1")).to_have_text("Fonds canadien d'initiatives locales")
            j.check("public-fr")
            j.go(f"/cfli/calls/{call}?lang=fr")
            expect(page.locator("main")).to_contain_text("100 000,00")
            j.check("call-fr")
            # the applicant, in French: one refusal, kept and corrected, then submitted
            j.login("ana", "fr")
            j.go(f"/cfli/calls/{call}/apply?lang=fr")
            j.check("form-fr")
            start = max(today, dt.date(2026, 4, 1))
            end = min(start + dt.timedelta(days=60), dt.date(2027, 2, 28))
            values = {
                "org_name": "Independent Media Circle",
                "contact_name": "Ala Example",
                "title": "Access to independent news",
                "objectives": "Train 40 correspondents",
                "beneficiaries": "Rural readers",
                "gender_analysis": "Half the places for women",
                "activity_0_title": "Workshops",
                "activity_0_start": start.isoformat(),
                "activity_0_end": end.isoformat(),
                "budget_0_description": "Trainers",
                "budget_0_cfli": "20000,001",
                "budget_1_description": "Accounting",
                "budget_1_cfli": "3000",
                "requested": "23000",
            }
            for field, value in values.items():
                page.fill(f"#f-{field}", value)
            for field, value in (
                ("org_type", "local_ngo"),
                ("org_country", "BY"),
                ("registration", "not_registered_at_risk"),
                ("language", "fr"),
                ("project_country", "BY"),
                ("budget_0_category", "training"),
                ("budget_1_category", "administration"),
            ):
                page.select_option(f"#f-{field}", value)
            page.check("#f-theme-inclusive_governance")
            j.submit("form[action$='/apply']")
            expect(page.locator("#error")).to_contain_text("Ligne budgétaire 1 — Montant du FCIL")
            expect(page.locator("#f-org_name")).to_have_value("Independent Media Circle")
            j.check("form-refused-fr")
            page.fill("#f-budget_0_cfli", "20000")
            j.submit("form[action$='/apply']")
            expect(page.locator("main")).to_contain_text("Ébauche enregistrée")
            with page.expect_navigation():
                page.click("button[name=action][value=submit]")
            expect(page.locator("#outcome")).to_have_text("Admissible")
            ref = re.search(r"CFLI-\d{6}", page.url).group(0)  # type: ignore[union-attr]
            j.check("eligible-fr")
            prop = f"/cfli/proposals/{ref}"
            # a conflicted member (English) cannot score; another (French) scores
            j.login("marc", "en")
            j.go(prop + "?lang=en")
            page.check("#f-conflict-yes")
            j.submit(f"form[action='{prop}/declare']")
            expect(page.locator("#conflicted")).to_be_visible()
            expect(page.locator(f"form[action='{prop}/score']")).to_have_count(0)
            j.check("conflicted-en")
            j.login("mira", "fr")
            j.go(prop + "?lang=fr")
            page.check("#f-conflict-no")
            j.submit(f"form[action='{prop}/declare']")
            for cid, mark in (("relevance", "8"), ("feasibility", "7"), ("impact", "9")):
                page.fill(f"#f-mark_{cid}", mark)
            j.check("score-fr")
            j.submit(f"form[action='{prop}/score']")
            expect(page.locator("#scored")).to_be_visible()
            # the officer, in French: plan, approval, agreement, advance
            j.login("olga", "fr")
            j.go(f"/cfli/officer/calls/{call}?lang=fr")
            j.submit(f"form[action='/cfli/officer/calls/{call}/plan']")
            expect(page.locator("#plan-funded")).to_contain_text(ref)
            j.check("plan-fr")
            j.go(prop + "?lang=fr")
            page.check("#f-approve")
            j.submit(f"form[action='{prop}/decide']")
            expect(page.locator("#status")).to_have_text("Approuvée")
            j.submit(f"form[action='{prop}/agreement']")
            j.submit(f"form[action='{prop}/agreement/sign']")
            page.fill("#f-amount", "18400")
            page.fill("#f-reference", "PO-1")
            j.submit(f"form[action='{prop}/payments']")
            expect(page.locator("#paid")).to_contain_text("18 400,00")
            j.check("advance-fr")
            # the applicant, in English: reports
            j.login("ana", "en")
            j.go(prop + "?lang=en")
            page.fill("#f-text", "40 correspondents trained.")
            j.submit("form:has(input[name=kind][value=narrative])")
            page.fill("#f-actual_1", "19000")
            page.fill("#f-actual_2", "3000")
            j.submit("form:has(input[name=kind][value=financial])")
            expect(page.locator("main")).to_contain_text("40 correspondents trained.")
            j.check("reports-en")
            # the officer, in English: accept, overpayment refused, final payment, close
            j.login("olga", "en")
            j.go(prop + "?lang=en")
            j.submit(f"form[action='{prop}/reports/accept']")
            page.fill("#f-amount", "4600.01")
            page.fill("#f-reference", "PO-2")
            j.submit(f"form[action='{prop}/payments']")
            expect(page.locator("#error")).to_contain_text("above the agreement")
            expect(page.locator("#f-amount")).to_have_value("4600.01")
            j.check("overpaid-en")
            page.fill("#f-amount", "4600")
            j.submit(f"form[action='{prop}/payments']")
            j.submit(f"form[action='{prop}/close']")
            expect(page.locator("#closure")).to_contain_text("to be returned CAD")
            expect(page.locator("#agreement-status")).to_have_text("Closed")
            j.check("closed-en")
        finally:
            browser.close()
