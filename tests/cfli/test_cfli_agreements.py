"""Contribution agreements: drawn from an approved proposal; the advance and final payment
add up to the award to the cent; no payment above the agreement; reports, variance per
budget line, closure; HTML and PDF in the reader's language."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from cfli_kit import CALL_ID, officer_version, proposal_data, shared_officer_call, write_call
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from bilateral.cfli.agreements import (
    AgreementFile,
    FinancialReport,
    Kind,
    NarrativeReport,
    draw_up,
    render_html,
    render_pdf,
)
from bilateral.cfli.assessment import FundingPlan, Ranked, open_assessment, plan_funding
from bilateral.cfli.calls import Call, bundled, load_calls
from bilateral.cfli.eligibility import determine_eligibility
from bilateral.cfli.proposals import Proposal, parse_proposal
from bilateral.errors import BadInput

ON = dt.date(2026, 6, 15)


def approved(call: Call, **changes: Any) -> tuple[Proposal, FundingPlan]:
    p = parse_proposal(proposal_data(**changes))
    return p, plan_funding([Ranked(1, p, Decimal(90), 3)], Decimal("100000.00"))


def signed(call: Call) -> AgreementFile:
    p, plan = approved(call)
    file = AgreementFile(draw_up(p, call, plan, ON, "CA-2026-01"))
    file.sign(ON + dt.timedelta(days=5))
    return file


def test_the_agreement_follows_the_approved_proposal_and_the_call_terms(officer_call: Call):
    p, plan = approved(officer_call)
    a = draw_up(p, officer_call, plan, ON, "CA-2026-01")
    assert a.amount == Decimal("23000.00")
    assert [(i.kind, i.amount) for i in a.installments] == [
        (Kind.ADVANCE, Decimal("18400.00")),  # 80 % on signature
        (Kind.FINAL, Decimal("4600.00")),  # the rest on the accepted final reports
    ]
    assert (a.start, a.end) == (dt.date(2026, 7, 1), dt.date(2027, 1, 31))
    assert [r.due for r in a.reports_due] == [dt.date(2027, 3, 2)] * 2  # 30 days after the end
    assert [m.title for m in a.milestones] == ["Training workshops", "Regional newsletters"]
    assert a.call.hash == officer_call.hashes[1]


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2))
def test_the_instalments_always_add_up_to_the_award_to_the_cent(amount: Decimal) -> None:
    call = shared_officer_call()
    budget = [{"category": "training", "description": "t", "cfli": str(amount)}]
    p, plan = approved(call, budget=budget, requested=str(amount))
    a = draw_up(p, call, plan, ON, "X")
    assert sum(i.amount for i in a.installments) == amount
    assert all(i.amount == i.amount.quantize(Decimal("0.01")) for i in a.installments)


def test_no_agreement_for_a_proposal_outside_the_funding_plan(officer_call: Call):
    p, _ = approved(officer_call)
    empty = plan_funding([], Decimal("100000"))
    with pytest.raises(BadInput, match="not in the funding plan"):
        draw_up(p, officer_call, empty, ON, "X")


def test_no_agreement_while_the_officer_has_not_set_the_payment_terms():
    call = bundled().get(CALL_ID)
    p, plan = approved(call)
    with pytest.raises(BadInput, match="payment_terms is not set"):
        draw_up(p, call, plan, ON, "X")


def test_payments_never_exceed_the_agreement_and_the_final_waits_for_the_reports(
    officer_call: Call,
):
    p, plan = approved(officer_call)
    file = AgreementFile(draw_up(p, officer_call, plan, ON, "CA-1"))
    with pytest.raises(BadInput, match="before the agreement is signed"):
        file.pay(ON, Kind.ADVANCE, "100", "EFT-0")
    file.sign(ON)
    file.pay(ON, Kind.ADVANCE, "18400.00", "EFT-1")
    with pytest.raises(BadInput, match="above the advance instalment"):
        file.pay(ON, Kind.ADVANCE, "0.01", "EFT-2")
    with pytest.raises(BadInput, match="on acceptance of the final reports"):
        file.pay(ON, Kind.FINAL, "4600.00", "EFT-2")
    file.report_narrative(NarrativeReport(submitted_on=dt.date(2027, 2, 20), text="done"))
    file.report_financial(
        FinancialReport(
            submitted_on=dt.date(2027, 2, 20),
            actuals={1: Decimal("11800.00"), 2: Decimal("8500.50"), 3: Decimal("2499.50")},
        )
    )
    file.accept_final_reports(dt.date(2027, 3, 1))
    file.pay(dt.date(2027, 3, 5), Kind.FINAL, "4599.99", "EFT-3")
    with pytest.raises(BadInput) as caught:
        file.pay(dt.date(2027, 3, 5), Kind.FINAL, "0.02", "EFT-4")
    assert str(caught.value).replace("\u00a0", " ") == (
        "amount: a payment of CAD 0.02 would take payments to CAD 23,000.01, above the "
        "agreement's CAD 23,000.00"
    )
    file.pay(dt.date(2027, 3, 5), Kind.FINAL, "0.01", "EFT-4")  # exactly the agreement
    assert file.paid == Decimal("23000.00")
    assert len(file.payments) == 3  # the refused payments left nothing behind


def test_amounts_in_fractions_of_a_cent_or_negative_are_refused(officer_call: Call):
    file = signed(officer_call)
    with pytest.raises(BadInput, match="two decimal places"):
        file.pay(ON + dt.timedelta(days=5), Kind.ADVANCE, "10.001", "x")
    with pytest.raises(BadInput, match="zero or more"):
        file.pay(ON + dt.timedelta(days=5), Kind.ADVANCE, "-1", "x")


def test_variance_is_shown_per_budget_line(officer_call: Call):
    file = signed(officer_call)
    file.report_financial(
        FinancialReport(
            submitted_on=dt.date(2027, 2, 20), actuals={1: Decimal("13200"), 2: Decimal("8000")}
        )
    )
    rows = [(v.line.number, v.actual, v.difference, v.percent) for v in file.variance()]
    assert rows == [
        (1, Decimal("13200.00"), Decimal("1200.00"), Decimal("10.00")),
        (2, Decimal("8000.00"), Decimal("-500.50"), Decimal("-5.89")),
        (3, Decimal("0.00"), Decimal("-2499.50"), Decimal("-100.00")),
    ]
    with pytest.raises(BadInput, match=r"actuals\.9: no such budget line"):
        file.report_financial(
            FinancialReport(submitted_on=dt.date(2027, 2, 20), actuals={9: Decimal(1)})
        )


def test_closure_states_what_was_paid_spent_and_is_to_be_returned(officer_call: Call):
    file = signed(officer_call)
    day = ON + dt.timedelta(days=5)
    file.pay(day, Kind.ADVANCE, "18400", "EFT-1")
    with pytest.raises(BadInput, match="after its final reports are accepted"):
        file.close(day)
    with pytest.raises(BadInput, match="missing final report: narrative, financial"):
        file.accept_final_reports(day)
    file.report_narrative(NarrativeReport(submitted_on=day, text="done"))
    file.report_financial(FinancialReport(submitted_on=day, actuals={1: Decimal("15000")}))
    file.accept_final_reports(day)
    closure = file.close(dt.date(2027, 4, 1))
    assert (closure.paid, closure.spent, closure.unpaid, closure.to_return) == (
        Decimal("18400.00"),
        Decimal("15000.00"),
        Decimal("4600.00"),
        Decimal("3400.00"),
    )
    with pytest.raises(BadInput, match="is closed"):
        file.pay(dt.date(2027, 4, 2), Kind.FINAL, "1", "late")


def test_reports_not_received_by_their_due_date_are_overdue(officer_call: Call):
    file = signed(officer_call)
    assert file.overdue(dt.date(2027, 3, 2)) == []
    assert [r.kind for r in file.overdue(dt.date(2027, 3, 3))] == ["narrative", "financial"]


def test_the_html_agreement_is_in_the_readers_language_and_escapes_what_it_shows(
    officer_call: Call,
):
    p, plan = approved(officer_call, title="<script>alert(1)</script> Newsletters")
    a = draw_up(p, officer_call, plan, ON, "CA-2026-01")
    html = render_html(a, "fr")
    assert '<html lang="fr-CA">' in html
    assert "Accord de contribution CA-2026-01" in html
    assert "18\u00a0400,00\u00a0CAD" in html and "80\u00a0%" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "1er juillet 2026 au 31 janvier 2027" in html
    english = render_html(a, "en")
    assert "Payment schedule" in english and "CAD\u00a018,400.00" in english


@pytest.mark.parametrize("with_font", [True, False])
def test_the_pdf_agreement_carries_the_same_text(officer_call: Call, with_font: bool):
    p, plan = approved(officer_call)
    a = draw_up(p, officer_call, plan, ON, "CA-2026-01")
    pdf = render_pdf(a, "fr", **({} if with_font else {"font_dir": None}))
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    assert "Accord de contribution CA-2026-01" in text
    assert "18 400,00 CAD" in text
    assert "Rapport financier final" in text
    assert "Independent Media Circle" in text


def test_the_agreement_follows_the_call_version_the_committee_assessed(tmp_path):
    v1 = officer_version()
    v2 = officer_version(payment_terms={"advance_percent": 50})
    v2.update(version=2, published="2026-12-01", change_note="advance lowered")
    write_call(tmp_path, [v1, v2])
    call = load_calls(tmp_path).get(CALL_ID)
    p = parse_proposal(proposal_data())
    assessment = open_assessment(
        call, [determine_eligibility(p, call, 1)], [p], ["alice"], version=1
    )
    assessment.declare("alice", p.id, conflicted=False)
    assessment.score("alice", p.id, {"relevance": 9, "feasibility": 9, "impact": 9})
    a = draw_up(p, call, assessment.funding_plan(), ON, "CA-1")
    assert a.call.version == 1
    assert a.installments[0].percent == Decimal(80)
    # a plan made outside an assessment takes the latest version
    outside = plan_funding([Ranked(1, p, Decimal(1), 1)], Decimal(10**5))
    assert draw_up(p, call, outside, ON, "X").installments[0].percent == Decimal(50)
