"""A proposal's budget adds up in exact cents, its overhead is computed as a share of the CFLI
contribution, and a bad proposal is refused naming the field, never the applicant's data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from cfli_kit import EXAMPLE, organisation, proposal_data

from bilateral.cfli.proposals import RegistrationStatus, load_proposal, parse_proposal
from bilateral.errors import BadInput


def test_the_example_proposal_loads_with_its_budget_totals_in_exact_cents():
    p = load_proposal(EXAMPLE)
    t = p.totals
    assert t.cfli == Decimal("23000.00") == p.requested
    assert t.other_sources == Decimal("1000.00")
    assert t.in_kind == Decimal("500.00")
    assert t.total == Decimal("24500.00")
    assert t.overhead == Decimal("2499.50")
    assert t.overhead_percent == Decimal("10.87")  # 2,499.50 / 23,000 = 10.867 %


def test_the_activities_span_from_the_first_start_to_the_last_end():
    p = load_proposal(EXAMPLE)
    assert (str(p.activities_start), str(p.activities_end)) == ("2026-07-01", "2027-01-31")


def test_a_request_that_is_not_the_sum_of_the_cfli_lines_is_refused():
    with pytest.raises(BadInput) as caught:
        parse_proposal(proposal_data(requested=25000))
    assert caught.value.field == "requested"
    shown = str(caught.value).replace("\xa0", " ")
    assert "add up to CAD 23,000.00, not the CAD 25,000.00 requested" in shown


def test_amounts_with_fractions_of_a_cent_are_refused():
    data = proposal_data()
    data["budget"][0]["cfli"] = "12000.005"
    with pytest.raises(BadInput, match=r"budget\.0\.cfli: .*two decimal places"):
        parse_proposal(data)


def test_json_amounts_are_read_as_decimals_never_floats(tmp_path: Path):
    data = proposal_data()
    data["budget"] = [
        {"category": "training", "description": "a", "cfli": 0.1},
        {"category": "training", "description": "b", "cfli": 0.2},
    ]
    data["requested"] = 0.3  # 0.1 + 0.2 != 0.3 in floating point
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data, default=str))
    assert load_proposal(path).requested == Decimal("0.30")


def test_a_negative_amount_is_refused():
    data = proposal_data()
    data["budget"][0]["other_sources"] = -5
    with pytest.raises(BadInput, match="zero or more"):
        parse_proposal(data)


def test_an_activity_that_ends_before_it_starts_is_refused():
    data = proposal_data()
    data["activities"][0] = {"title": "x", "start": "2026-08-01", "end": "2026-07-01"}
    with pytest.raises(BadInput, match=r"^activities\.0\.end: before start$"):
        parse_proposal(data)


def test_the_at_risk_answer_on_registration_is_understood():
    p = load_proposal(EXAMPLE)
    assert p.organisation.registration is RegistrationStatus.AT_RISK


def test_sensitive_fields_never_show_in_print_or_json():
    p = load_proposal(EXAMPLE)
    shown = repr(p) + str(p) + p.model_dump_json()
    for secret in ("Independent Media Circle", "Ala Example", "ala@example.org", "prosecution"):
        assert secret not in shown
    assert p.organisation.name.get_secret_value() == "Independent Media Circle"


def test_an_error_names_the_field_but_never_echoes_the_applicants_data():
    bad = organisation(contacts=[{"name": "Ala Example", "email": ["ala@example.org"]}])
    with pytest.raises(BadInput) as caught:
        parse_proposal(proposal_data(organisation=bad))
    message = str(caught.value)
    assert message.startswith("organisation.contacts.0.email")
    assert "ala@example.org" not in message and "Ala Example" not in message


def test_the_fingerprint_ignores_nothing_but_sensitive_fields():
    a = parse_proposal(proposal_data())
    renamed = parse_proposal(proposal_data(organisation=organisation(name="Other name")))
    retitled = parse_proposal(proposal_data(title="Another project"))
    assert a.fingerprint() == renamed.fingerprint()
    assert a.fingerprint() != retitled.fingerprint()


def test_unreadable_files_are_one_line_errors(tmp_path: Path):
    (tmp_path / "p.json").write_text("{not json")
    with pytest.raises(BadInput, match=r"p\.json: not JSON \(line 1\)"):
        load_proposal(tmp_path / "p.json")
    (tmp_path / "p.txt").write_text("x")
    with pytest.raises(BadInput, match=r"expected a \.json, \.yaml or \.yml file"):
        load_proposal(tmp_path / "p.txt")
    with pytest.raises(BadInput, match="cannot read"):
        load_proposal(tmp_path / "missing.yaml")


def test_an_impossible_date_or_a_file_that_is_not_a_mapping_is_one_line(tmp_path: Path):
    (tmp_path / "p.yaml").write_text("id: P\nsubmitted_on: 2026-02-30\n")
    with pytest.raises(BadInput, match=r"p\.yaml: a date in the file does not exist"):
        load_proposal(tmp_path / "p.yaml")
    (tmp_path / "q.yaml").write_text("- a\n- b\n")
    with pytest.raises(BadInput, match="expected a mapping of fields"):
        load_proposal(tmp_path / "q.yaml")
