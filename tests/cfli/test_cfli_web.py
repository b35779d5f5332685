"""The CFLI pages in English and French: the whole cycle through the HTTP client as the
programme officer, the applicant and the committee members see it."""

from __future__ import annotations

import datetime as dt
import html as html_mod
import re
from typing import Any

import pytest
from app_kit import PASSWORD, Cfli

CALL = "cfli-belarus-2026-27"


def csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no csrf field"
    return m.group(1)


def login(o: Cfli, name: str, lang: str) -> None:
    o.client.cookies.clear()
    page = o.client.get(f"/login?lang={lang}")
    r = o.client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf": csrf(page.text), "next": "/cfli"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def post(o: Cfli, page_url: str, url: str, data: dict[str, Any], lang: str) -> Any:
    page = o.client.get(page_url)
    assert page.status_code == 200, page.text
    return o.client.post(
        f"{url}?lang={lang}",
        data={**data, "csrf": csrf(page.text), "lang": lang},
        follow_redirects=True,
    )


def text_of(html: str) -> str:
    return html_mod.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


PROPOSAL_FORM = {
    "org_name": "Independent Media Circle",
    "org_type": "local_ngo",
    "org_country": "BY",
    "registration": "not_registered_at_risk",
    "risk_explanation": "Registration would expose the members to prosecution.",
    "contact_name": "Ala Example",
    "contact_email": "ala@example.org",
    "language": "en",
    "title": "Access to independent news for rural readers",
    "project_country": "BY",
    "themes": ["inclusive_governance", "gender_equality"],
    "objectives": "Train 40 rural correspondents",
    "beneficiaries": "Rural readers in three regions",
    "beneficiaries_count": "40",
    "gender_analysis": "Half the places are reserved for women.",
    "risks": "Participants' safety",
    "activity_0_title": "Training workshops",
    "activity_0_start": "2026-07-01",
    "activity_0_end": "2026-10-31",
    "activity_1_title": "Regional newsletters",
    "activity_1_start": "2026-09-01",
    "activity_1_end": "2027-01-31",
    "budget_0_category": "training",
    "budget_0_description": "Trainers",
    "budget_0_cfli": "12000",
    "budget_0_other_sources": "1000",
    "budget_1_category": "communications",
    "budget_1_description": "Newsletter",
    "budget_1_cfli": "8500.50",
    "budget_2_category": "administration",
    "budget_2_description": "Accounting",
    "budget_2_cfli": "2499.50",
    "requested": "23000",
}

WORDS = {
    "en": {
        "open": "Open calls for proposals",
        "eligible": "Eligibility: Eligible",
        "conflicted": "you declared a conflict of interest on this proposal and cannot score it",
        "approved": "Approved",
        "overpaid": "Amount (CAD): this payment would take payments above the agreement",
        "closed": "File closed: paid CAD 23,000.00, spent CAD 22,000.00, "
        "to be returned CAD 1,000.00.",
        "required": "Organisation's name: Enter this: it is required.",
        "amount": "Budget line 1 — CFLI amount: an amount in Canadian dollars",
    },
    "fr": {
        "open": "Appels de propositions ouverts",
        "eligible": "Admissibilité : Admissible",
        "conflicted": "vous avez déclaré un conflit d'intérêts pour cette proposition et ne "
        "pouvez pas la noter",
        "approved": "Approuvée",
        "overpaid": "Montant (CAD) : ce paiement porterait les versements au-delà de l'accord",
        "closed": "Dossier clos : versé 23 000,00 CAD, dépensé 22 000,00 CAD, "
        "à rembourser 1 000,00 CAD.",
        "required": "Nom de l'organisation : Remplissez ce champ : il est obligatoire.",
        "amount": "Ligne budgétaire 1 — Montant du FCIL : un montant en dollars canadiens",
    },
}


def plain(s: str) -> str:
    return s.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_whole_cycle_in_the_browser_pages(cfli: Cfli, lang: str) -> None:
    o, c, w = cfli, cfli.client, WORDS[lang]
    o.user("olga", "programme_officer", mission="warsaw")
    o.user("mira", "committee_member")
    o.user("marc", "committee_member")
    o.user("ana", "grant_applicant", "Circle")
    # the officer loads the call files, sets what the sources leave empty, publishes
    login(o, "olga", lang)
    r = post(o, "/cfli/officer", "/cfli/officer/sync", {}, lang)
    assert CALL in r.text
    call_page = f"/cfli/officer/calls/{CALL}?lang={lang}"
    form = {
        "minimum_contribution": "5000",
        "maximum_contribution": "100000",
        "envelope": "50000",
        "application_deadline": "2026-05-30",
        "registration_required": "no",
        "ineligible_costs": ["hospitality"],
        "advance_percent": "80",
        "narrative_days": "30",
        "financial_days": "30",
        "criteria": "relevance; Relevance; Pertinence; 40\n"
        "feasibility; Feasibility; Faisabilité; 35\n"
        "impact; Local impact; Impact local; 25",
        "change_note": "",
    }
    r = post(o, call_page, f"/cfli/officer/calls/{CALL}/versions", form, lang)
    assert r.status_code == 422 and 'value="100000"' in r.text  # kept, field named
    assert ("What changes and why" if lang == "en" else "Ce qui change et pourquoi") in r.text
    form["change_note"] = "Set by the mission"
    r = post(o, call_page, f"/cfli/officer/calls/{CALL}/versions", form, lang)
    assert r.status_code == 200, text_of(r.text)
    r = post(o, call_page, f"/cfli/officer/calls/{CALL}/versions/2/publish", {}, lang)
    assert r.status_code == 200
    for member in ("mira", "marc"):
        post(o, call_page, f"/cfli/officer/calls/{CALL}/committee", {"username": member}, lang)
    # the public sees the open call without signing in
    c.cookies.clear()
    home = c.get(f"/cfli?lang={lang}")
    assert w["open"] in home.text and f"/cfli/calls/{CALL}" in home.text
    call = c.get(f"/cfli/calls/{CALL}?lang={lang}")
    assert call.status_code == 200
    assert plain("CAD 100,000.00" if lang == "en" else "100 000,00 CAD") in plain(call.text)
    assert plain("15%" if lang == "en" else "15 %") in plain(call.text)  # Babel, per language
    assert ("May 30, 2026" if lang == "en" else "30 mai 2026") in plain(call.text)
    # the applicant: an incomplete draft, kept with the refusal, then the whole form
    login(o, "ana", lang)
    apply_url = f"/cfli/calls/{CALL}/apply?lang={lang}"
    bad = {**PROPOSAL_FORM, "budget_0_cfli": "12000.001"}
    r = post(o, apply_url, f"/cfli/calls/{CALL}/apply", bad, lang)
    assert r.status_code == 422
    assert plain(w["amount"]) in plain(text_of(r.text))
    assert 'value="12000.001"' in r.text and 'value="Independent Media Circle"' in r.text
    r = post(o, apply_url, f"/cfli/calls/{CALL}/apply", {"title": "Half"}, lang)
    assert r.status_code == 200
    ref = re.search(r"CFLI-\d{6}", str(r.url)).group(0)  # type: ignore[union-attr]
    edit = f"/cfli/proposals/{ref}/edit?lang={lang}"
    nameless = {**PROPOSAL_FORM, "org_name": "", "action": "submit"}
    r = post(o, edit, f"/cfli/proposals/{ref}/edit", nameless, lang)
    alert = [html_mod.unescape(x) for x in re.findall(r"role=\"alert\"[^>]*>([^<]*)", r.text)]
    assert r.status_code == 422 and plain(w["required"]) in plain(str(alert)), alert
    r = post(o, edit, f"/cfli/proposals/{ref}/edit", {**PROPOSAL_FORM, "action": "submit"}, lang)
    assert r.status_code == 200, text_of(r.text)
    assert w["eligible"] in plain(text_of(r.text)), text_of(r.text)
    assert "cfli-belarus-2026-27 v2" in r.text
    # committee: a conflicted member is refused; the other scores
    prop = f"/cfli/proposals/{ref}?lang={lang}"
    login(o, "marc", lang)
    post(o, prop, f"/cfli/proposals/{ref}/declare", {"conflict": "yes"}, lang)
    r = post(
        o,
        prop,
        f"/cfli/proposals/{ref}/score",
        {"mark_relevance": "9", "mark_feasibility": "9", "mark_impact": "9"},
        lang,
    )
    assert r.status_code == 403 and w["conflicted"] in text_of(r.text).replace("’", "'")
    login(o, "mira", lang)
    post(o, prop, f"/cfli/proposals/{ref}/declare", {"conflict": "no"}, lang)
    r = post(
        o,
        prop,
        f"/cfli/proposals/{ref}/score",
        {"mark_relevance": "8", "mark_feasibility": "7", "mark_impact": "9"},
        lang,
    )
    assert r.status_code == 200 and 'id="scored"' in r.text
    # officer: plan, approval with the bilingual letter, agreement, advance
    login(o, "olga", lang)
    r = post(o, call_page, f"/cfli/officer/calls/{CALL}/plan", {}, lang)
    assert ref in r.text and 'id="plan-funded"' in r.text
    r = post(o, prop, f"/cfli/proposals/{ref}/decide", {"decision": "approve"}, lang)
    assert w["approved"] in r.text and "approuvée" in r.text and "approved" in r.text
    r = post(o, prop, f"/cfli/proposals/{ref}/agreement", {}, lang)
    assert r.status_code == 200, text_of(r.text)
    pdf = c.get(f"/cfli/proposals/{ref}/agreement.pdf?lang={lang}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = c.get(f"/cfli/proposals/{ref}/agreement?lang={lang}")
    assert "Independent Media Circle" in html.text
    r = post(o, prop, f"/cfli/proposals/{ref}/agreement/sign", {"signed_on": "2026-05-15"}, lang)
    pay = {"kind": "advance", "amount": "18400.01", "paid_on": "2026-05-15", "reference": "PO-1"}
    r = post(o, prop, f"/cfli/proposals/{ref}/payments", pay, lang)
    assert r.status_code == 422 and 'value="18400.01"' in r.text
    r = post(o, prop, f"/cfli/proposals/{ref}/payments", {**pay, "amount": "18400"}, lang)
    assert r.status_code == 200
    # applicant: reports
    o.clock.day = dt.date(2027, 2, 20)
    login(o, "ana", lang)
    post(
        o,
        prop,
        f"/cfli/proposals/{ref}/reports",
        {"kind": "narrative", "text": "40 trained."},
        lang,
    )
    actuals = {"kind": "financial", "actual_1": "12000", "actual_2": "8000", "actual_3": "2000"}
    r = post(o, prop, f"/cfli/proposals/{ref}/reports", actuals, lang)
    assert r.status_code == 200 and "40 trained." in r.text
    # officer: accept, final payment (over the agreement refused), close
    login(o, "olga", lang)
    post(o, prop, f"/cfli/proposals/{ref}/reports/accept", {}, lang)
    final = {"kind": "final", "amount": "4600.01", "paid_on": "2027-02-20", "reference": "PO-2"}
    r = post(o, prop, f"/cfli/proposals/{ref}/payments", final, lang)
    assert r.status_code == 422 and plain(w["overpaid"]) in plain(text_of(r.text))
    r = post(o, prop, f"/cfli/proposals/{ref}/payments", {**final, "amount": "4600"}, lang)
    assert r.status_code == 200
    r = post(o, prop, f"/cfli/proposals/{ref}/close", {}, lang)
    assert plain(w["closed"]) in plain(text_of(r.text)), text_of(r.text)
    # the portfolio: counts and amounts, no name, in the reader's language
    page = c.get(f"/cfli/officer/portfolio?by=theme&lang={lang}")
    assert page.status_code == 200 and "Independent Media Circle" not in page.text
    theme = "Inclusive governance" if lang == "en" else "Gouvernance inclusive"
    assert theme in page.text
    assert plain("CAD 23,000.00" if lang == "en" else "23 000,00 CAD") in plain(page.text)
    csv = c.get(f"/cfli/officer/portfolio.csv?by=fiscal_year&lang={lang}")
    assert csv.text.splitlines()[1] == (
        "fiscal_year,2026-27,2026-27,1,1,23000.00,23000.00,23000.00"
    )
    # nothing sensitive reached the audit page
    assert (
        "Independent Media Circle"
        not in c.get("/api/audit", headers={"Authorization": f"Bearer {o.tokens['olga']}"}).text
    )
    # the Belarus country page (the permit office's page, fed by the platform's country
    # facts) shows the programme's line for the fiscal year of the page's date, in the
    # reader's language; the year before shows none
    page = "/countries/BY" if lang == "en" else "/pays/BY"
    shown = plain(text_of(c.get(f"{page}?on=2026-06-01&lang={lang}").text))
    line = "CFLI: 1 project, CAD 23,000.00 in FY 2026-27"
    if lang == "fr":
        line = "FCIL : 1 projet, 23 000,00 CAD en 2026-27"
    assert plain(line) in shown, shown[-600:]
    earlier = plain(text_of(c.get(f"{page}?on=2025-06-01&lang={lang}").text))
    assert "CFLI:" not in earlier and "FCIL :" not in earlier


def test_a_field_too_long_is_refused_naming_it(sqlite_cfli: Cfli) -> None:
    o = sqlite_cfli
    o.user("olga", "programme_officer", mission="warsaw")
    o.user("ana", "grant_applicant", "Circle")
    o.sync()
    login(o, "olga", "en")
    page = f"/cfli/officer/calls/{CALL}?lang=en"
    r = post(o, page, f"/cfli/officer/calls/{CALL}/versions", {"change_note": "x" * 5001}, "en")
    assert r.status_code == 422
    assert "What changes and why: at most 5000 characters" in text_of(r.text)


def test_each_role_lands_on_its_own_page_after_sign_in(sqlite_cfli: Cfli) -> None:
    """Signed in without asking for a page: a CFLI role lands on its CFLI page, not on the
    permit office's dashboard (which refuses it); a page asked for is still honoured."""
    o = sqlite_cfli
    o.user("olga", "programme_officer", mission="warsaw")
    o.user("mira", "committee_member")
    o.user("ana", "grant_applicant", "Circle")
    o.user("alice", "applicant", "Maple Foods")
    for name, landing in (
        ("olga", "/cfli/officer"),
        ("mira", "/cfli/committee"),
        ("ana", "/cfli/proposals"),
        ("alice", "/dashboard"),
    ):
        o.client.cookies.clear()
        page = o.client.get("/login?lang=fr")
        r = o.client.post(
            "/login",
            data={"username": name, "password": PASSWORD, "csrf": csrf(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == landing, (name, r.headers)
        assert o.client.get(landing).status_code == 200, name
    o.client.cookies.clear()
    page = o.client.get("/login")
    r = o.client.post(
        "/login",
        data={"username": "olga", "password": PASSWORD, "csrf": csrf(page.text), "next": "/cfli"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/cfli"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cfli_pages_say_whose_programme_it_is_in_the_footer(sqlite_cfli: Cfli, lang: str) -> None:
    """An applicant reads in the footer who runs the programme and who sees a proposal, in
    the page's language; the permit office's note (export permits) is not on CFLI pages,
    and the office's own pages keep theirs."""
    o = sqlite_cfli
    o.user("ana", "grant_applicant", "Circle")
    o.sync()
    login(o, "ana", lang)
    shown = text_of(o.client.get(f"/cfli/proposals?lang={lang}").text)
    if lang == "en":
        assert "Canada Fund for Local Initiatives (CFLI), run by Canada's missions abroad" in shown
        assert "Export permits under the Export and Import Permits Act" not in shown
    else:
        assert "Fonds canadien d'initiatives locales (FCIL), géré par les missions" in shown
        assert "Licences d'exportation en vertu de la Loi" not in shown
    office = text_of(o.client.get(f"/login?lang={lang}").text)
    assert ("Export permits under" if lang == "en" else "Licences d'exportation en vertu") in office
