"""Calls for proposals load as dated, versioned, cited data; a bad call is refused with the
file, the line and the reason; what the sources do not give is left for the officer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfli_kit import CALL_ID, bundled_call_data, officer_version, write_call

from bilateral.cfli.calls import (
    RECIPIENT_LABELS,
    THEME_LABELS,
    Basis,
    CallDataError,
    RecipientType,
    Theme,
    bundled,
    load_calls,
)
from bilateral.errors import BadInput
from bilateral.law.model import Confidence


def test_the_belarus_call_is_managed_by_the_embassy_in_warsaw_and_serves_belarus():
    call = bundled().get(CALL_ID)
    v = call.latest
    assert v.mission.value is not None and "Warsaw" in v.mission.value.en
    assert v.mission.value.fr.endswith("(Varsovie)")
    assert v.countries_served.value == ("BY",)
    assert v.mission.source == "S24" and v.mission.confidence is Confidence.VERIFIED
    assert v.status == "draft"


def test_every_parameter_of_the_shipped_call_is_cited_or_left_for_the_officer():
    v = bundled().get(CALL_ID).latest
    for name, param in v.parameters().items():
        if param.basis is Basis.CITED:
            assert param.source in bundled().get(CALL_ID).sources, name
            assert param.confidence is not None, name
        elif param.basis is Basis.NOT_FOUND:
            assert param.value in (None, ()), name
            assert param.note, name
        else:
            assert param.basis is Basis.OFFICER and param.note, name


def test_ineligible_costs_and_reporting_rules_are_not_found_and_empty_never_invented():
    v = bundled().get(CALL_ID).latest
    assert v.ineligible_costs.basis is Basis.NOT_FOUND and v.ineligible_costs.value == ()
    assert v.reporting.basis is Basis.NOT_FOUND and v.reporting.value is None
    assert v.ineligible_costs.note is not None and "luxury items" in v.ineligible_costs.note
    assert set(v.unset()) >= {"ineligible_costs", "reporting", "payment_terms", "criteria"}


def test_the_cited_values_are_those_of_the_research_note():
    v = bundled().get(CALL_ID).latest
    assert v.overhead_cap_percent.value == Decimal(15)
    assert v.completion_deadline.value == dt.date(2027, 2, 28)
    assert v.typical_contribution.value is not None
    assert (v.typical_contribution.value.low, v.typical_contribution.value.high) == (
        Decimal("20000.00"),
        Decimal("25000.00"),
    )
    assert v.priorities.value == (
        Theme.GENDER_EQUALITY,
        Theme.INCLUSIVE_GOVERNANCE,
        Theme.HUMAN_DIGNITY,
    )
    assert v.registration_risk_accepted.value is True
    assert v.registration_risk_accepted.confidence is Confidence.INFERRED


def test_the_fiscal_year_runs_from_1_april_to_31_march():
    fy = bundled().get(CALL_ID).latest.fiscal_year.value
    assert fy is not None
    assert (fy.start, fy.end) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))


def test_priorities_and_recipient_types_have_english_and_french_labels():
    assert set(THEME_LABELS) == set(Theme)
    assert set(RECIPIENT_LABELS) == set(RecipientType)
    assert THEME_LABELS[Theme.GENDER_EQUALITY].fr.startswith("Égalité des genres")
    assert "œuvrant" in RECIPIENT_LABELS[RecipientType.CANADIAN_NGO].fr


def test_a_version_is_named_by_its_content_hash_which_ignores_yaml_layout(tmp_path: Path):
    call = bundled().get(CALL_ID)
    data = bundled_call_data()
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
    again = load_calls(tmp_path).get(CALL_ID)
    assert again.hashes == call.hashes
    assert call.hashes[1].startswith("sha256:")


def test_a_changed_parameter_is_a_new_version_with_a_new_hash(tmp_path: Path):
    v1 = officer_version()
    v2 = officer_version(maximum_contribution={"cad": 80000})
    v2.update(version=2, published="2026-12-15", change_note="maximum lowered")
    write_call(tmp_path, [v1, v2])
    call = load_calls(tmp_path).get(CALL_ID)
    assert call.latest.version == 2
    assert call.hashes[1] != call.hashes[2]
    assert call.by_hash(call.hashes[1]) == call.version(1)
    with pytest.raises(BadInput, match="no version 3"):
        call.version(3)


def test_an_unknown_call_is_named_in_one_line():
    with pytest.raises(BadInput, match="no call 'cfli-mars'"):
        bundled().get("cfli-mars")


def _broken(tmp_path: Path, **changes: Any) -> CallDataError:
    version = officer_version()
    version.update(changes)
    write_call(tmp_path, [version])
    with pytest.raises(CallDataError) as caught:
        load_calls(tmp_path)
    return caught.value


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_an_overhead_cap_above_100_percent_is_refused_at_its_line(tmp_path: Path):
    error = _broken(
        tmp_path,
        overhead_cap_percent={
            "value": 150,
            "basis": "cited",
            "source": "S26",
            "confidence": "secondary",
        },
    )
    assert "overhead_cap_percent" in error.reason
    assert error.file == f"{CALL_ID}.yaml"


def test_a_not_found_parameter_that_carries_a_value_is_refused(tmp_path: Path):
    error = _broken(tmp_path, envelope={"value": {"cad": 5}, "basis": "not_found", "note": "x"})
    assert "envelope" in error.reason and "must be empty" in error.reason
    assert error.line == _line_of(tmp_path / f"{CALL_ID}.yaml", "envelope:")


def test_a_cited_parameter_without_a_confidence_is_refused(tmp_path: Path):
    error = _broken(tmp_path, languages={"value": ["en"], "basis": "cited", "source": "S26"})
    assert "languages" in error.reason and "confidence" in error.reason


def test_a_secondary_or_inferred_parameter_without_a_note_is_refused(tmp_path: Path):
    error = _broken(
        tmp_path,
        languages={"value": ["en"], "basis": "cited", "source": "S26", "confidence": "inferred"},
    )
    assert error.reason == (
        "versions.0.languages: a parameter of inferred confidence needs a note saying why"
    )


def test_a_source_not_listed_in_the_file_is_refused(tmp_path: Path):
    error = _broken(
        tmp_path,
        languages={"value": ["en"], "basis": "cited", "source": "S99", "confidence": "verified"},
    )
    assert "source S99" in error.reason
    assert error.line == _line_of(tmp_path / f"{CALL_ID}.yaml", "source: S99")


def test_a_completion_deadline_outside_the_fiscal_year_is_refused(tmp_path: Path):
    error = _broken(
        tmp_path,
        completion_deadline={"value": "2027-04-30", "basis": "officer", "note": "x"},
    )
    assert "outside fiscal year 2026-27" in error.reason


def test_an_impossible_date_is_refused_at_its_line(tmp_path: Path):
    path = write_call(tmp_path, [officer_version()])
    path.write_text(path.read_text().replace("2026-05-30", "2026-02-30"))
    with pytest.raises(CallDataError) as caught:
        load_calls(tmp_path)
    assert caught.value.line == _line_of(path, "2026-02-30")
    assert "application_deadline" in caught.value.reason and "date" in caught.value.reason


def test_an_unknown_country_is_refused(tmp_path: Path):
    error = _broken(tmp_path, countries_served={"value": ["XX"], "basis": "officer", "note": "x"})
    assert "unknown country 'XX'" in error.reason


def test_versions_are_numbered_in_order_and_never_dated_backwards(tmp_path: Path):
    v1, v2 = officer_version(), officer_version()
    v2.update(version=2, published="2026-01-01")
    write_call(tmp_path, [v1, v2])
    with pytest.raises(CallDataError, match="before version 1"):
        load_calls(tmp_path)
    v2.update(version=3, published="2026-12-01")
    write_call(tmp_path, [v1, v2])
    with pytest.raises(CallDataError, match="version 3 follows 1"):
        load_calls(tmp_path)
