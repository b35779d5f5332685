"""One fiscal year of the Belarus CFLI, from the call to the purge, through every module:
the officer sets what the sources do not give (a version 2), proposals are determined,
the committee scores, the plan fits the envelope, agreements are paid and closed, the
portfolio is reported and the applicants' data is purged after the retention period."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from cfli_kit import (
    CALL_ID,
    bundled_call_data,
    officer_version,
    organisation,
    proposal_data,
    write_call,
)

from bilateral.cfli.agreements import AgreementFile, FinancialReport, Kind, NarrativeReport, draw_up
from bilateral.cfli.assessment import approval_letter, decline_letter, open_assessment
from bilateral.cfli.calls import load_calls
from bilateral.cfli.crypto import load_keys, purge, redact, seal
from bilateral.cfli.eligibility import Outcome, determine_eligibility, replay
from bilateral.cfli.portfolio import row_of, summarise, to_csv
from bilateral.cfli.proposals import Proposal, parse_proposal


def proposal(pid: str, requested: str, admin: str = "0", **changes: Any) -> Proposal:
    budget = [
        {
            "category": "training",
            "description": "t",
            "cfli": str(Decimal(requested) - Decimal(admin)),
        }
    ]
    if admin != "0":
        budget.append({"category": "administration", "description": "a", "cfli": admin})
    return parse_proposal(proposal_data(id=pid, budget=budget, requested=requested, **changes))


def test_a_fiscal_year_of_the_belarus_cfli_from_call_to_purge(tmp_path: Path):
    # the shipped draft, then the officer's version 2 with the NOT FOUND parameters set
    draft = bundled_call_data()["versions"][0]
    v2 = officer_version(envelope={"cad": 50000})
    v2.update(version=2, published="2027-01-10", change_note="parameters set by the officer")
    write_call(tmp_path / "calls", [draft, v2])
    call = load_calls(tmp_path / "calls").get(CALL_ID)
    assert call.version(1).unset() and not call.version(2).unset()

    a = proposal("A", "25000", admin="2500")
    b = proposal("B", "20000", admin="4400")  # 22 % overhead
    c = proposal("C", "24000", organisation=organisation(type="local_academic"))
    d = proposal(
        "D", "20000", activities=[{"title": "x", "start": "2026-03-01", "end": "2026-09-30"}]
    )
    proposals = [a, b, c, d]
    determinations = [determine_eligibility(p, call) for p in proposals]
    assert [x.outcome for x in determinations] == [
        Outcome.ELIGIBLE,
        Outcome.INELIGIBLE,
        Outcome.ELIGIBLE,
        Outcome.NEEDS_REVIEW,
    ]
    stored = [json.loads(x.model_dump_json()) for x in determinations]
    assert replay(stored[0], a, load_calls(tmp_path / "calls")) == determinations[0]

    committee = open_assessment(
        call, determinations, proposals, ["alice", "bob", "chen"], cleared=["D"]
    )
    committee.declare("alice", "A", conflicted=True)
    for member in ("bob", "chen"):
        for pid, mark in (("A", 9), ("C", 8), ("D", 7)):
            committee.declare(member, pid, conflicted=False)
            committee.score(member, pid, {"relevance": mark, "feasibility": mark, "impact": mark})
    plan = committee.funding_plan()
    # 50,000: A + C = 49,000 (score 170) beats A + D = 45,000 (score 160)
    assert [r.proposal.id for r in plan.funded] == ["A", "C"]

    on = dt.date(2027, 1, 20)
    assert "25\u00a0000,00\u00a0CAD" in approval_letter(a, committee, on).fr
    assert "ranked 3 of 3" in decline_letter(d, on, call.latest, assessment=committee).en
    assert "overhead 22%" in decline_letter(b, on, call.latest, determination=determinations[1]).en

    files = {}
    for r in plan.funded:
        file = AgreementFile(draw_up(r.proposal, call, plan, on, f"CA-{r.proposal.id}"))
        file.sign(on)
        file.pay(on, Kind.ADVANCE, file.agreement.installments[0].amount, "EFT")
        files[r.proposal.id] = file
    done = files["A"]
    done.report_narrative(NarrativeReport(submitted_on=dt.date(2027, 2, 27), text="done"))
    done.report_financial(
        FinancialReport(
            submitted_on=dt.date(2027, 2, 27), actuals={1: Decimal("22500"), 2: Decimal("2500")}
        )
    )
    done.accept_final_reports(dt.date(2027, 3, 1))
    done.pay(dt.date(2027, 3, 2), Kind.FINAL, done.agreement.installments[1].amount, "EFT")
    closure = done.close(dt.date(2027, 3, 15))
    assert closure.paid == closure.spent == Decimal("25000.00") and closure.to_return == 0

    rows = [row_of(p, call, file=files.get(p.id)) for p in proposals]
    csv_text = to_csv(summarise(rows, "fiscal_year"))
    assert csv_text.splitlines()[1] == (
        "fiscal_year,2026-27,2026-27,4,2,89000.00,49000.00,44200.00"
    )

    keys = load_keys(tmp_path / "data", environ={})
    records = [seal(p, keys) for p in proposals]
    records[0]["closed_on"] = "2027-03-15"
    assert "Independent Media Circle" not in json.dumps([redact(r) for r in records])
    _, report = purge(records, dt.date(2029, 3, 16), retention_days=730, dry_run=True)
    assert report.purged == ("A",)
