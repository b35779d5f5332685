"""Every refusal of the CFLI domain in the reader's language: each code has its English and
French sentence in the ``cfli`` catalog, every raise site in the domain uses a code (a new
raise without one fails here), none shows the "valeur refusée" fallback, and the journeys
a French reader can take through the API and the pages end in French sentences naming the
field as they know it."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from app_kit import OFFICER_SETS, Cfli, draft
from test_cfli_web import PROPOSAL_FORM, login, post, text_of

import bilateral.server  # noqa: F401  (installs CFLI: roles, catalog domain)
from bilateral.cfli import refusals
from bilateral.cfli.web import i18n, pages
from bilateral.cfli.web import services as sv
from bilateral.platform import i18n as platform

CALL = "cfli-belarus-2026-27"
DOMAIN = Path(refusals.__file__).parent
# raise sites only the operator reaches, in English by design: the command line (a
# proposal file) and the server's start-up (the key file, BILATERAL_CFLI_KEYS)
CLI_ONLY = {
    ("cli.py", "*"),
    ("proposals.py", "load_proposal"),
    ("crypto.py", "_check_key"),
    ("crypto.py", "_read_file"),
    ("crypto.py", "load_keys"),
    ("refusals.py", "*"),
}


def fields_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def plain(s: str) -> str:
    return s.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")


def test_every_code_has_its_sentence_in_english_and_french() -> None:
    i18n.install()
    for code, english in refusals.REFUSALS.items():
        key = refusals.KEY + code
        assert key in platform.CATALOG, key
        en, fr = i18n.t(key, "en"), i18n.t(key, "fr")
        assert en == english, code  # the CLI's sentence and the page's are the same
        assert fr != en and fields_of(fr) == fields_of(en), code


def _code_patterns(node: ast.expr) -> list[str]:
    """The code argument of ``refuse``/``invalid`` as regexes (f-strings: any part; a
    conditional: both branches)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [re.escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        return [
            "".join(
                re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+"
                for v in node.values
            )
        ]
    if isinstance(node, ast.IfExp):
        body, orelse = _code_patterns(node.body), _code_patterns(node.orelse)
        return body + orelse if body and orelse else []
    return []


def _sites() -> list[tuple[str, str, ast.Call]]:
    out = []
    for path in sorted(DOMAIN.glob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    out.append((path.name, fn.name, node))
    return out


def test_every_domain_raise_site_has_a_code_in_the_catalog() -> None:
    uses = 0
    for file, fn, call in _sites():
        name = call.func.id  # type: ignore[attr-defined]
        if name == "BadInput":
            assert (file, "*") in CLI_ONLY or (file, fn) in CLI_ONLY, (
                f"{file}:{call.lineno} ({fn}): BadInput without a code; use refusals.refuse"
            )
        elif name in ("refuse", "invalid") and file != "refusals.py":
            arg = call.args[1] if name == "refuse" else call.args[0]
            patterns = _code_patterns(arg)
            assert patterns, f"{file}:{call.lineno}: the code is not a literal"
            for pattern in patterns:
                known = [c for c in refusals.REFUSALS if re.fullmatch(pattern, c)]
                assert known, f"{file}:{call.lineno}: code {pattern} not in REFUSALS"
            uses += 1
        elif name == "ValueError" and file not in ("i18n.py", "cli.py"):
            pytest.fail(f"{file}:{call.lineno}: a validator's ValueError has no code")
    assert uses > 60


def _sample(code: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "amount": Decimal("10.00"),
        "total": Decimal("23000.01"),
        "limit": Decimal("23000"),
        "lines": Decimal("23000"),
        "requested": Decimal("25000"),
        "deadline": dt.date(2027, 7, 1),
        "start": dt.date(2026, 4, 1),
        "end": dt.date(2027, 3, 31),
        "day": dt.date(2028, 4, 1),
        "expected": ["relevance", "impact"],
        "missing": ["impact"],
        "unknown": [],
    }
    return {n: values.get(n, "X") for n in fields_of(refusals.REFUSALS[code])}


@pytest.mark.parametrize("code", sorted(refusals.REFUSALS))
def test_no_domain_refusal_shows_the_fallback(code: str) -> None:
    params = _sample(code)
    e = sv.bad(refusals.refuse("amount", code, **params))
    fr = pages.problem_text(e, "fr")
    en = pages.problem_text(e, "en")
    assert "valeur refusée" not in fr
    assert fr.startswith("Montant (CAD) : ") and en.startswith("Amount (CAD): ")
    said = refusals.shown(params, "fr")
    assert fr == "Montant (CAD) : " + i18n.t(refusals.KEY + code, "fr").format(**said)


def test_amounts_and_dates_are_written_per_language() -> None:
    e = sv.bad(
        refusals.refuse(
            "amount",
            "payment_above_agreement",
            amount=Decimal("4600.01"),
            total=Decimal("23000.01"),
            limit=Decimal("23000"),
        )
    )
    assert plain(pages.problem_text(e, "fr")) == (
        "Montant (CAD) : un paiement de 4 600,01 CAD porterait les versements à 23 000,01 CAD, "
        "au-delà des 23 000,00 CAD de l'accord"
    )
    assert plain(pages.problem_text(e, "en")) == (
        "Amount (CAD): a payment of CAD 4,600.01 would take payments to CAD 23,000.01, "
        "above the agreement's CAD 23,000.00"
    )
    e = sv.bad(
        refusals.refuse(
            "completion_deadline",
            "completion_outside_year",
            deadline=dt.date(2027, 7, 1),
            label="2026-27",
            start=dt.date(2026, 4, 1),
            end=dt.date(2027, 3, 31),
        )
    )
    assert "du 1er juillet 2027 est hors de l'exercice 2026-27 (du 1er avril 2026 au 31 mars " in (
        plain(pages.problem_text(e, "fr"))
    )


def _people(o: Cfli) -> dict[str, dict[str, str]]:
    fr = {"Accept-Language": "fr-CA,fr;q=0.9"}
    return {
        name: {**o.user(name, role, *extra), **fr}
        for name, role, *extra in (
            ("olga", "programme_officer", None, "warsaw"),
            ("mira", "committee_member"),
            ("ana", "grant_applicant", "Circle"),
        )
    }


def _refused(r: Any, field: str, message: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "cfli_invalid" and body["field"] == field, body
    assert plain(body["message"]) == message, body["message"]


def test_the_journeys_of_a_french_reader_through_the_api(sqlite_cfli: Cfli) -> None:
    """Accept-Language: fr (no ?lang=): each refusal a French sentence with the field."""
    o, c = sqlite_cfli, sqlite_cfli.client
    h = _people(o)
    c.post("/api/cfli/calls/sync", headers=h["olga"])
    body = {"changes": OFFICER_SETS, "change_note": "set by the mission"}
    assert c.post(f"/api/cfli/calls/{CALL}/versions", json=body, headers=h["olga"]).is_success
    # an officer's incoherent parameters, said in French with the parameter's label
    bad = {**OFFICER_SETS, "minimum_contribution": {"cad": "200000"}}
    r = c.post(
        f"/api/cfli/calls/{CALL}/versions",
        json={"changes": bad, "change_note": "x"},
        headers=h["olga"],
    )
    assert r.status_code == 422 and r.json()["field"] == "minimum_contribution"
    assert "la contribution minimale dépasse la contribution maximale" in r.json()["message"]
    assert c.post(f"/api/cfli/calls/{CALL}/versions/2/publish", headers=h["olga"]).is_success
    c.post(f"/api/cfli/calls/{CALL}/committee", json={"username": "mira"}, headers=h["olga"])
    # end before start: the activity's end, named as on the form
    late = [{"title": "Workshops", "start": "2026-10-31", "end": "2026-07-01"}]
    p = c.post(
        f"/api/cfli/calls/{CALL}/proposals", json=draft(activities=late), headers=h["ana"]
    ).json()
    r = c.post(f"/api/cfli/proposals/{p['reference']}/submit", headers=h["ana"])
    _refused(r, "activities.0.end", "Activité 1 — Fin : la fin précède le début")
    # the budget that does not add up: amounts written the French way
    p = c.post(
        f"/api/cfli/calls/{CALL}/proposals", json=draft(requested="25000"), headers=h["ana"]
    ).json()
    r = c.post(f"/api/cfli/proposals/{p['reference']}/submit", headers=h["ana"])
    _refused(
        r,
        "requested",
        "Contribution demandée (CAD) : les lignes du budget (FCIL) totalisent 23 000,00 CAD, "
        "et non les 25 000,00 CAD demandés",
    )
    p = c.post(f"/api/cfli/calls/{CALL}/proposals", json=draft(), headers=h["ana"]).json()
    ref = p["reference"]
    assert c.post(f"/api/cfli/proposals/{ref}/submit", headers=h["ana"]).is_success
    c.post(f"/api/cfli/proposals/{ref}/conflict", json={"conflicted": False}, headers=h["mira"])
    marks = {"relevance": "11", "feasibility": "7", "impact": "9"}
    r = c.post(f"/api/cfli/proposals/{ref}/score", json={"marks": marks}, headers=h["mira"])
    _refused(r, "marks.relevance", "Note pour Pertinence : une note va de 0 à 10")
    marks["relevance"] = "8"
    assert c.post(
        f"/api/cfli/proposals/{ref}/score", json={"marks": marks}, headers=h["mira"]
    ).is_success
    r = c.post(f"/api/cfli/proposals/{ref}/score", json={"marks": marks}, headers=h["mira"])
    _refused(r, "score", f"Grille de notation : mira a déjà noté {ref}")
    assert c.post(f"/api/cfli/calls/{CALL}/plan", json={}, headers=h["olga"]).is_success
    c.post(f"/api/cfli/proposals/{ref}/decision", json={"decision": "approve"}, headers=h["olga"])
    assert c.post(f"/api/cfli/proposals/{ref}/agreement", headers=h["olga"]).is_success
    # before the signature: no report, no payment
    r = c.post(
        f"/api/cfli/proposals/{ref}/reports",
        json={"kind": "narrative", "text": "Done."},
        headers=h["ana"],
    )
    _refused(r, "report", "Rapports finaux : aucun rapport avant la signature de l'accord")
    pay = {"kind": "advance", "amount": "100", "paid_on": "2026-05-15", "reference": "PO-1"}
    r = c.post(f"/api/cfli/proposals/{ref}/payments", json=pay, headers=h["olga"])
    _refused(
        r, "agreement", "Accord de contribution : aucun paiement avant la signature de l'accord"
    )
    sign = {"signed_on": "2026-05-15"}
    assert c.post(
        f"/api/cfli/proposals/{ref}/agreement/sign", json=sign, headers=h["olga"]
    ).is_success
    r = c.post(
        f"/api/cfli/proposals/{ref}/payments",
        json={**pay, "paid_on": "2026-05-14"},
        headers=h["olga"],
    )
    _refused(r, "on", "Date : un paiement ne peut précéder la signature")
    r = c.post(
        f"/api/cfli/proposals/{ref}/payments",
        json={**pay, "amount": "18400.01"},
        headers=h["olga"],
    )
    _refused(
        r,
        "amount",
        "Montant (CAD) : les avances atteindraient 18 400,01 CAD, au-delà de l'avance prévue "
        "de 18 400,00 CAD",
    )
    # ?lang=en still wins over the header
    r = c.post(
        f"/api/cfli/proposals/{ref}/payments?lang=en",
        json={**pay, "paid_on": "2026-05-14"},
        headers=h["olga"],
    )
    assert r.json()["message"] == "Date: a payment cannot precede the signature"


def test_the_pages_say_a_domain_refusal_in_french(sqlite_cfli: Cfli) -> None:
    """On the pages (?lang=fr): a mark out of range and the activity's end before its
    start, each one line naming the field, never "valeur refusée"."""
    o = sqlite_cfli
    h = _people(o)
    c = o.client
    c.post("/api/cfli/calls/sync", headers=h["olga"])
    body = {"changes": OFFICER_SETS, "change_note": "set by the mission"}
    c.post(f"/api/cfli/calls/{CALL}/versions", json=body, headers=h["olga"])
    c.post(f"/api/cfli/calls/{CALL}/versions/2/publish", headers=h["olga"])
    c.post(f"/api/cfli/calls/{CALL}/committee", json={"username": "mira"}, headers=h["olga"])
    login(o, "ana", "fr")
    apply_url = f"/cfli/calls/{CALL}/apply?lang=fr"
    r = post(o, apply_url, f"/cfli/calls/{CALL}/apply", {"title": "Half"}, "fr")
    ref = re.search(r"CFLI-\d{6}", str(r.url)).group(0)  # type: ignore[union-attr]
    edit = f"/cfli/proposals/{ref}/edit?lang=fr"
    late = {**PROPOSAL_FORM, "activity_0_end": "2026-06-01", "action": "submit"}
    r = post(o, edit, f"/cfli/proposals/{ref}/edit", late, "fr")
    shown = plain(text_of(r.text))
    assert r.status_code == 422 and "Activité 1 — Fin : la fin précède le début" in shown
    assert "valeur refusée" not in shown
    r = post(o, edit, f"/cfli/proposals/{ref}/edit", {**PROPOSAL_FORM, "action": "submit"}, "fr")
    assert r.status_code == 200
    login(o, "mira", "fr")
    prop = f"/cfli/proposals/{ref}?lang=fr"
    post(o, prop, f"/cfli/proposals/{ref}/declare", {"conflict": "no"}, "fr")
    marks = {"mark_relevance": "12", "mark_feasibility": "7", "mark_impact": "9"}
    r = post(o, prop, f"/cfli/proposals/{ref}/score", marks, "fr")
    shown = plain(text_of(r.text))
    assert r.status_code == 422 and "Note pour Pertinence : une note va de 0 à 10" in shown
    assert "valeur refusée" not in shown
