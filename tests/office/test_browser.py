"""End to end in Chromium: an applicant drafts and submits, an officer approves, the applicant
sees the permit and its balance and records a shipment, in English and in French.

Runs ``python -m bilateral.office serve`` (what ``bilateral serve`` runs) on a free loopback
port with a temporary SQLite file. Uses the real engine when it answers, else the test
stand-in. Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("BILATERAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"BILATERAL_REQUIRE_BROWSER=1 but {CHROMIUM} is absent")
        pytest.skip(f"browser test skipped: {CHROMIUM} is absent (apt-get install -y chromium)")
    pytest.importorskip("playwright", reason="browser test skipped: playwright not installed")
    tmp = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {
        **os.environ,
        "BILATERAL_DATABASE_PATH": str(tmp / "office.sqlite3"),
        "BILATERAL_DATABASE_URL": "",
        "BILATERAL_DATA_DIR": str(tmp / "data"),
    }
    run = [sys.executable, "-m", "bilateral.office"]
    for name, role, org in (
        ("alice", "applicant", "Maple Foods"),
        ("oscar", "officer", None),
        ("audrey", "auditor", None),
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
    log = open(tmp / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [*run, "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((tmp / "server.log").read_text()) from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_apply_approve_use_in_both_languages(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def shot(name: str) -> None:
                page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

            def login(name: str) -> None:
                page.goto(server + "/login")
                # keyboard only: type, Tab, type, Enter
                page.locator("#f-username").focus()
                page.keyboard.type(name)
                page.keyboard.press("Tab")
                page.keyboard.type(PASSWORD)
                with page.expect_navigation(url=re.compile(r"/(dashboard|queue|audit|users)$")):
                    page.keyboard.press("Enter")

            page.goto(server + "/?lang=en")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            shot("01-home-en")
            page.goto(server + "/check/export?to=BY&on=2014-03-01&category=food")
            expect(page.locator("#answer-h")).to_be_visible()
            shot("02-check-export-en")
            page.goto(server + "/country/BY?on=2014-03-01&lang=fr")  # now the profile, in French
            expect(page.locator("#profile-title")).to_contain_text("Bélarus")
            shot("02b-country-fr")
            page.goto(server + "/?lang=en")  # back to English (the choice is remembered)

            # applicant drafts and submits
            login("alice")
            expect(page).to_have_url(re.compile(r"/dashboard$"))
            page.click("#new-application")
            page.get_by_label("Name").first.fill("Maple Foods Ltd")
            page.fill("#f-applicant\\.address", "1 Main St, Ottawa ON")
            page.fill("#f-exporter\\.name", "Maple Foods Ltd")
            page.fill("#f-exporter\\.address", "1 Main St, Ottawa ON")
            page.fill("#f-consignees-0-name", "Minsk Trading")
            page.fill("#f-consignees-0-address", "2 Nezavisimosti Ave, Minsk")
            page.fill("#f-consignees-0-contact", "+375 17 000 0000")
            page.fill("#f-consignees-0-country", "BY")
            page.fill("#f-proposed_export_date", "2014-03-01")
            page.fill("#f-end_use", "Retail sale of food")
            page.fill("#f-end_user\\.name", "Minsk Trading")
            page.fill("#f-end_user\\.address", "2 Nezavisimosti Ave, Minsk")
            page.fill("#f-lines-0-origin", "CA")
            page.fill("#f-lines-0-hs_code", "0402.10")
            page.fill("#f-lines-0-category", "food")
            page.fill("#f-lines-0-description", "Milk powder")
            page.fill("#f-lines-0-quantity", "1000")
            page.fill("#f-lines-0-unit", "kg")
            page.fill("#f-lines-0-unit_value", "4.50")
            page.check("#f-declarations\\.information_true")
            page.check("#f-declarations\\.aware_of_obligations")
            shot("03-draft-en")
            page.click("#save-draft")
            expect(page.locator(".msg.ok")).to_contain_text("Draft saved")
            page.set_input_files(
                "#f-file",
                files=[
                    {"name": "contract.txt", "mimeType": "text/plain", "buffer": b"Contract no. 42"}
                ],
            )
            page.get_by_role("button", name="Upload").click()
            expect(page.locator(".msg.ok")).to_contain_text("Document uploaded")
            page.click("#submit-application")
            expect(page.locator("#app-status")).to_have_text("submitted")
            expect(page.locator("#assess-h")).to_be_visible()
            shot("04-submitted-en")

            # officer approves from the queue
            login("oscar")
            expect(page).to_have_url(re.compile(r"/queue$"))
            shot("05-queue-en")
            page.get_by_role("link", name=re.compile(r"APP-")).first.click()
            page.check("#f-approve")
            page.fill("#f-reasons", "Food for retail sale; consistent with policy.")
            page.fill("#f-conditions", "No re-export without a new permit")
            shot("06-decision-en")
            page.click("#record-decision")
            expect(page.locator(".msg.ok")).to_be_visible()

            # applicant sees the permit and its balance, records a shipment, in French
            login("alice")
            page.goto(server + "/dashboard?lang=fr")
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            expect(page.locator("#permits-h")).to_have_text("Licences et soldes")
            expect(page.locator("table").last).to_contain_text("1000.000 / 1000.000 kg")
            shot("07-dashboard-fr")
            page.get_by_role("link", name=re.compile(r"^EP-")).first.click()
            page.fill("#f-quantity", "250")
            page.fill("#f-value", "1125")
            page.fill("#f-export_declaration_ref", "CAED-2026-0001")
            page.click("#record-shipment")
            expect(page.locator("#remaining-1")).to_contain_text("750.000 kg")
            expect(page.locator("#remaining-1")).to_contain_text("3375.00")
            shot("08-permit-fr")
            # an overdraw is refused with the reason, in French
            page.fill("#f-quantity", "751")
            page.fill("#f-value", "1")
            page.fill("#f-export_declaration_ref", "CAED-2026-0002")
            page.click("#record-shipment")
            expect(page.locator(".msg.error")).to_contain_text("Dépasse la quantité autorisée")
            expect(page.locator("#remaining-1")).to_contain_text("750.000 kg")
            # and in English again
            page.click("#lang-switch")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("h1")).to_contain_text("Export permit")
            shot("09-permit-en")

            # auditor verifies the chain
            login("audrey")
            page.goto(server + "/audit?lang=fr")
            page.click("#verify")
            expect(page.locator("#verify-result")).to_contain_text("Chaîne intacte")
            shot("10-audit-fr")
        finally:
            browser.close()
