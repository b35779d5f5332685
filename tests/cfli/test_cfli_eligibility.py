"""Eligibility determinations: each reason cites the call, its version and the parameter;
both sides of every boundary; French readers read French; the same inputs replay to the
same answer; a parameter the officer has not set is never read as "no limit"."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from cfli_kit import CALL_ID, organisation, proposal_data

from bilateral.cfli.calls import Call, bundled
from bilateral.cfli.eligibility import Outcome, Status, determine_eligibility, replay
from bilateral.cfli.proposals import Proposal, parse_proposal
from bilateral.errors import BadInput

MakeCall = Callable[..., Call]


def proposal(**changes: Any) -> Proposal:
    return parse_proposal(proposal_data(**changes))


def reason(determination: Any, check: str) -> Any:
    (found,) = [r for r in determination.reasons if r.check == check]
    return found


def plain(text: str) -> str:
    """Babel puts no-break spaces between amounts and currency codes; compare as read."""
    return text.replace("\u00a0", " ")


def with_budget(cfli_admin: str, cfli_other: str) -> dict[str, Any]:
    total = Decimal(cfli_admin) + Decimal(cfli_other)
    return {
        "budget": [
            {"category": "administration", "description": "admin", "cfli": cfli_admin},
            {"category": "training", "description": "training", "cfli": cfli_other},
        ],
        "requested": str(total),
    }


def test_a_complete_proposal_to_an_open_call_is_eligible_with_every_check_cited(
    officer_call: Call,
):
    d = determine_eligibility(proposal(), officer_call)
    assert d.outcome is Outcome.ELIGIBLE
    assert all(r.status is Status.PASS for r in d.reasons)
    assert {r.check for r in d.reasons} >= {
        "country",
        "recipient_type",
        "themes",
        "application_deadline",
        "completion_deadline",
        "maximum_contribution",
        "overhead",
        "registration",
        "gender_analysis",
        "ineligible_costs",
    }
    for r in d.reasons:
        assert r.call.call_id == CALL_ID and r.call.version == 1
        assert r.call.hash == officer_call.hashes[1]
        assert f"(call {CALL_ID} v1; {r.parameter}" in r.text("en")


def test_against_the_shipped_draft_the_answer_is_needs_review_never_eligible():
    d = determine_eligibility(proposal(), bundled().get(CALL_ID))
    assert d.outcome is Outcome.NEEDS_REVIEW
    review = {r.parameter for r in d.to_review()}
    assert review >= {
        "status",
        "application_deadline",
        "maximum_contribution",
        "minimum_contribution",
        "ineligible_costs",
        "registration_required",
    }
    text = reason(d, "maximum_contribution").text("en")
    assert "maximum contribution is not set in this call: the programme officer must set it" in text


def test_the_overhead_cap_is_cited_to_its_source_with_its_confidence():
    d = determine_eligibility(proposal(), bundled().get(CALL_ID))
    assert (
        reason(d, "overhead")
        .text("en")
        .endswith(f"(call {CALL_ID} v1; overhead_cap_percent; S26, secondary)")
    )


@pytest.mark.parametrize(
    ("end", "status"), [("2027-02-28", Status.PASS), ("2027-03-01", Status.FAIL)]
)
def test_activities_must_end_by_the_completion_deadline_of_28_february(
    officer_call: Call, end: str, status: Status
):
    acts = [{"title": "Workshops", "start": "2026-07-01", "end": end}]
    d = determine_eligibility(proposal(activities=acts), officer_call)
    assert reason(d, "completion_deadline").status is status
    if status is Status.FAIL:
        assert d.outcome is Outcome.INELIGIBLE
        assert reason(d, "completion_deadline").message.en == (
            "activities end March 1, 2027, after the completion deadline February 28, 2027"
        )


@pytest.mark.parametrize(
    ("submitted", "status"), [("2026-05-30", Status.PASS), ("2026-05-31", Status.FAIL)]
)
def test_a_proposal_submitted_after_the_application_deadline_is_not_eligible(
    officer_call: Call, submitted: str, status: Status
):
    d = determine_eligibility(proposal(submitted_on=submitted), officer_call)
    assert reason(d, "application_deadline").status is status


@pytest.mark.parametrize(
    ("admin", "other", "status"),
    [
        ("1500.00", "8500.00", Status.PASS),  # exactly 15 %
        ("1500.01", "8499.99", Status.FAIL),  # 15.0001 %: shown rounded, compared exactly
        ("2200.00", "7800.00", Status.FAIL),  # 22 %
    ],
)
def test_overhead_above_the_cap_makes_a_proposal_ineligible(
    officer_call: Call, admin: str, other: str, status: Status
):
    d = determine_eligibility(proposal(**with_budget(admin, other)), officer_call)
    assert reason(d, "overhead").status is status


def test_the_overhead_reason_reads_like_the_programme_officer_would_write_it(
    officer_call: Call,
):
    d = determine_eligibility(proposal(**with_budget("2200.00", "7800.00")), officer_call)
    r = reason(d, "overhead")
    assert plain(r.message.en) == "overhead 22% exceeds the 15% cap (CAD 2,200.00 of CAD 10,000.00)"
    assert r.message.fr == (
        "les frais administratifs (22\u00a0%) dépassent le plafond de 15\u00a0% "
        "(2\u00a0200,00\u00a0CAD sur 10\u00a0000,00\u00a0CAD)"
    )


@pytest.mark.parametrize(
    ("requested", "status"),
    [("100000.00", Status.PASS), ("100000.01", Status.FAIL), ("120000", Status.FAIL)],
)
def test_a_request_above_the_maximum_is_not_eligible(
    officer_call: Call, requested: str, status: Status
):
    budget = [{"category": "training", "description": "t", "cfli": requested}]
    d = determine_eligibility(proposal(budget=budget, requested=requested), officer_call)
    assert reason(d, "maximum_contribution").status is status
    if requested == "120000":
        assert plain(reason(d, "maximum_contribution").message.en) == (
            "requested CAD 120,000.00 exceeds the maximum CAD 100,000.00"
        )


def test_a_request_below_the_minimum_is_not_eligible(officer_call: Call):
    budget = [{"category": "training", "description": "t", "cfli": "4999.99"}]
    d = determine_eligibility(proposal(budget=budget, requested="4999.99"), officer_call)
    assert reason(d, "minimum_contribution").status is Status.FAIL


def test_a_recipient_type_the_call_does_not_list_is_not_eligible(make_call: MakeCall):
    call = make_call(recipient_types=["local_ngo"])
    org = organisation(type="local_government")
    d = determine_eligibility(proposal(organisation=org), call)
    assert d.outcome is Outcome.INELIGIBLE
    assert reason(d, "recipient_type").message.en.endswith("is not eligible for this call")


def test_a_proposal_with_no_priority_theme_of_the_call_is_not_eligible(officer_call: Call):
    d = determine_eligibility(proposal(themes=["peace_security"]), officer_call)
    r = reason(d, "themes")
    assert r.status is Status.FAIL
    assert r.message.en.startswith("no priority theme of the call")


def test_a_project_in_a_country_the_call_does_not_serve_is_not_eligible(officer_call: Call):
    d = determine_eligibility(proposal(project_country="UA"), officer_call)
    assert reason(d, "country").message.en == (
        "the project takes place in Ukraine; the call serves Belarus"
    )


def test_an_unregistered_group_at_risk_is_eligible_where_the_call_accepts_that_answer(
    officer_call: Call,
):
    d = determine_eligibility(proposal(), officer_call)
    r = reason(d, "registration")
    assert r.status is Status.PASS and r.sensitive
    assert "would put it or its staff at risk" in r.message.en


def test_the_at_risk_answer_is_refused_where_the_call_does_not_accept_it(make_call: MakeCall):
    call = make_call(registration_risk_accepted=False)
    d = determine_eligibility(proposal(), call)
    assert reason(d, "registration").status is Status.FAIL


def test_an_unregistered_group_without_the_risk_answer_fails_where_registration_is_required(
    make_call: MakeCall,
):
    org = organisation(registration="not_registered")
    assert (
        reason(
            determine_eligibility(proposal(organisation=org), make_call()), "registration"
        ).status
        is Status.FAIL
    )
    not_required = make_call(registration_required=False)
    assert (
        reason(
            determine_eligibility(proposal(organisation=org), not_required), "registration"
        ).status
        is Status.PASS
    )


def test_a_missing_gender_based_analysis_makes_a_proposal_ineligible(officer_call: Call):
    d = determine_eligibility(proposal(gender_analysis="  "), officer_call)
    assert reason(d, "gender_analysis").status is Status.FAIL


def test_a_budget_line_in_a_category_the_officer_made_ineligible_fails(officer_call: Call):
    budget = [
        {"category": "hospitality", "description": "receptions", "cfli": "1000"},
        {"category": "training", "description": "t", "cfli": "9000"},
    ]
    d = determine_eligibility(proposal(budget=budget, requested="10000"), officer_call)
    assert reason(d, "ineligible_costs").message.en == (
        "budget lines in ineligible categories: Hospitality (no alcohol)"
    )


def test_activities_starting_before_the_fiscal_year_need_review(officer_call: Call):
    acts = [{"title": "Prep", "start": "2026-03-31", "end": "2026-06-30"}]
    d = determine_eligibility(proposal(activities=acts), officer_call)
    assert reason(d, "fiscal_year").status is Status.REVIEW
    assert d.outcome is Outcome.NEEDS_REVIEW
    acts[0]["start"] = "2026-04-01"
    d = determine_eligibility(proposal(activities=acts), officer_call)
    assert reason(d, "fiscal_year").status is Status.PASS


def test_french_readers_read_french_reasons_with_french_dates_and_amounts(officer_call: Call):
    acts = [{"title": "Ateliers", "start": "2026-07-01", "end": "2027-03-15"}]
    d = determine_eligibility(proposal(activities=acts), officer_call)
    text = reason(d, "completion_deadline").text("fr")
    assert text == (
        "les activités se terminent le 15 mars 2027, après la date d'achèvement du "
        f"28 février 2027 (appel {CALL_ID} v1; completion_deadline; S26, secondaire)"
    )
    rendered = d.render("fr")
    assert rendered.startswith("Admissibilité : Non admissible")


def test_the_same_inputs_give_the_same_answer_to_the_byte_and_replay(officer_call: Call):
    p = proposal()
    first = determine_eligibility(p, officer_call)
    second = determine_eligibility(proposal(), officer_call)
    assert first.model_dump_json() == second.model_dump_json()

    class Book:
        def get(self, call_id: str) -> Call:
            return officer_call

    stored = first.model_dump(mode="json")
    assert replay(stored, p, Book()) == first  # type: ignore[arg-type]


def test_a_determination_cannot_be_replayed_against_a_changed_call(
    officer_call: Call, make_call: MakeCall
):
    stored = determine_eligibility(proposal(), officer_call).model_dump(mode="json")
    changed = make_call(maximum_contribution={"cad": 50000})

    class Book:
        def get(self, call_id: str) -> Call:
            return changed

    with pytest.raises(BadInput, match="its content changed"):
        replay(stored, proposal(), Book())  # type: ignore[arg-type]

    class Same:
        def get(self, call_id: str) -> Call:
            return officer_call

    with pytest.raises(BadInput, match="not the one that was checked"):
        replay(stored, proposal(title="Other"), Same())  # type: ignore[arg-type]


def test_a_proposal_for_another_call_is_refused_in_one_line(officer_call: Call):
    with pytest.raises(BadInput, match="is for call cfli-other, not cfli-belarus-2026-27"):
        determine_eligibility(proposal(call_id="cfli-other"), officer_call)


def test_every_registration_reason_is_sensitive_even_when_the_parameter_is_unset():
    d = determine_eligibility(proposal(), bundled().get(CALL_ID))
    assert reason(d, "registration").sensitive
    assert reason(d.redacted(), "registration").message.fr == "[masqué]"


def test_redacted_determinations_hide_the_registration_answer(officer_call: Call):
    d = determine_eligibility(proposal(), officer_call).redacted()
    r = reason(d, "registration")
    assert r.message.en == "[redacted]"
    assert "risk" not in d.model_dump_json().replace("registration_risk_accepted", "")


def test_a_proposal_in_a_language_the_call_does_not_accept_is_not_eligible(officer_call: Call):
    d = determine_eligibility(proposal(language="ru"), officer_call)
    r = reason(d, "language")
    assert r.status is Status.FAIL
    assert r.message.en == "written in Russian; the call accepts English and French"
    assert r.message.fr == "rédigée en russe; l'appel accepte : anglais et français"


def test_an_unknown_language_code_is_refused_in_one_line():
    with pytest.raises(BadInput, match="language: unknown language code 'xx'"):
        proposal(language="xx")
