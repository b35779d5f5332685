"""Portfolio reports by fiscal year, country, theme and recipient type, and their CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from cfli_kit import organisation, proposal_data

from bilateral.cfli.agreements import AgreementFile, Kind, draw_up
from bilateral.cfli.assessment import Ranked, plan_funding
from bilateral.cfli.calls import Call
from bilateral.cfli.portfolio import Row, row_of, summarise, to_csv
from bilateral.cfli.proposals import Proposal, parse_proposal
from bilateral.errors import BadInput


def proposal(pid: str, requested: str, **changes: Any) -> Proposal:
    budget = [{"category": "training", "description": "t", "cfli": requested}]
    return parse_proposal(proposal_data(id=pid, budget=budget, requested=requested, **changes))


@pytest.fixture
def rows(officer_call: Call, make_call: Callable[..., Call]) -> list[Row]:
    next_year = make_call(fiscal_year={"label": "2027-28"}, completion_deadline="2028-02-28")
    a = proposal("A", "20000", themes=["gender_equality", "inclusive_governance"])
    b = proposal("B", "30000", organisation=organisation(type="local_academic"))
    c = proposal("C", "10000", project_country="UA", themes=["human_dignity"])
    plan = plan_funding([Ranked(1, a, Decimal(90), 1)], Decimal("100000"))
    file = AgreementFile(draw_up(a, officer_call, plan, dt.date(2026, 6, 1), "CA-1"))
    file.sign(dt.date(2026, 6, 2))
    file.pay(dt.date(2026, 6, 3), Kind.ADVANCE, "16000", "EFT-1")
    return [
        row_of(a, officer_call, file=file),
        row_of(b, officer_call),
        row_of(c, next_year, approved=Decimal("10000")),
    ]


def test_by_fiscal_year_counts_and_amounts_requested_approved_and_paid(rows: list[Row]):
    groups = summarise(rows, "fiscal_year")
    assert [
        (g.key, g.proposals, g.approved_count, g.requested, g.approved, g.paid) for g in groups
    ] == [
        ("2026-27", 2, 1, Decimal("50000.00"), Decimal("20000.00"), Decimal("16000.00")),
        ("2027-28", 1, 1, Decimal("10000.00"), Decimal("10000.00"), Decimal("0.00")),
    ]


def test_by_country_and_recipient_type_partition_the_portfolio(rows: list[Row]):
    by_country = summarise(rows, "country")
    assert [(g.key, g.label("fr"), g.proposals) for g in by_country] == [
        ("BY", "Bélarus", 2),
        ("UA", "Ukraine", 1),
    ]
    by_type = summarise(rows, "recipient_type")
    assert sum(g.requested for g in by_type) == Decimal("60000.00")
    assert {g.key: g.proposals for g in by_type} == {"local_academic": 1, "local_ngo": 2}


def test_a_proposal_with_two_themes_counts_under_each(rows: list[Row]):
    themes = {g.key: g.proposals for g in summarise(rows, "theme")}
    # A and B (the example's) name gender equality and inclusive governance, C human dignity
    assert themes == {"gender_equality": 2, "human_dignity": 1, "inclusive_governance": 2}


def test_the_csv_has_plain_amounts_and_labels_in_the_readers_language(rows: list[Row]):
    text = to_csv(summarise(rows, "theme"), lang="fr")
    table = list(csv.DictReader(io.StringIO(text)))
    assert table[0]["label"].startswith("Égalité des genres")
    assert table[0]["requested_cad"] == "50000.00"
    assert table[0]["paid_cad"] == "16000.00"
    assert "Independent Media Circle" not in text


def test_an_unknown_dimension_is_refused(rows: list[Row]):
    with pytest.raises(BadInput, match="one of fiscal_year, country, theme, recipient_type"):
        summarise(rows, "mission")  # type: ignore[arg-type]
