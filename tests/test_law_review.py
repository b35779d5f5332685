"""The second review of the law (issue 6), items 4 to 8: General Export Permit No. 41's
Schedule and exclusions, SOR/2022-209's hour of coming into force, the GPT/LDCT sunset and
the Customs Tariff's start, SEMA (Belarus) nuances, and the words people type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bilateral.engine.checks import check_export
from bilateral.engine.law import Law
from bilateral.law.loader import load

GEP_41 = "GEP-41"


def rules(answer: dict[str, Any]) -> list[str]:
    return [reason["rule"] for reason in answer["reasons"]]


def caveats(answer: dict[str, Any]) -> str:
    return "\n".join(answer["caveats"])


# --- 4. GEP No. 41, SOR/2015-200 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "offered"),
    [("2019-05-16", True), ("2019-05-17", False), ("2021-03-01", False)],
)
def test_gep_41_s3_2_b_schedule_row_13_1_excludes_item_1_5_a_3_from_2019_05_17(
    on: str, offered: bool
) -> None:
    answer = check_export(to="DE", on=on, ecl="1-5.A.3")
    assert (GEP_41 in answer["general_permits"]) is offered


def test_gep_41_s3_2_b_row_13_excludes_item_1_5_a_2_from_the_start() -> None:
    answer = check_export(to="DE", on="2015-07-22", ecl="1-5.A.2.a")
    assert GEP_41 not in answer["general_permits"]
    assert "row 13" in caveats(answer)


def test_gep_41_s3_2_b_qualified_row_is_not_offered_in_silence() -> None:
    answer = check_export(to="DE", on="2021-03-01", ecl="1-1.A.2.a")
    assert GEP_41 not in answer["general_permits"]
    assert "composite structures" in caveats(answer)


def test_gep_41_s3_2_b_row_amended_later_withholds_the_permit_before() -> None:
    """Row 36's text is in force from 2026-05-27; the earlier text is not in the data."""
    answer = check_export(to="DE", on="2021-03-01", ecl="1-8.A.1.c.1")
    assert GEP_41 not in answer["general_permits"]
    assert "earlier text" in caveats(answer)


def test_gep_41_s3_2_e_rockets_and_uavs_are_a_caveat_where_offered() -> None:
    answer = check_export(to="DE", on="2021-03-01", ecl="1-3.A.1")
    assert answer["general_permits"] == [GEP_41]
    assert "300 km" in caveats(answer)


@pytest.mark.parametrize(("on", "offered"), [("2015-07-21", False), ("2015-07-22", True)])
def test_gep_41_in_force_on_registration(on: str, offered: bool) -> None:
    answer = check_export(to="DE", on=on, ecl="1-3.A.1")
    assert (GEP_41 in answer["general_permits"]) is offered


def test_gep_41_s3_1_c_not_for_a_country_under_sema_measures(law_copy: Path) -> None:
    """Turkey is an eligible destination; put under SEMA measures, GEP-41 no longer applies.
    The engine reads the sanctions rules in force, not a fixed list of countries."""
    assert check_export(to="TR", on="2021-03-01", ecl="1-3.A.1")["general_permits"] == [GEP_41]
    (law_copy / "instruments" / "test-sema-turkey.yaml").write_text(
        """instrument: SOR/2099-1
title: {en: Test SEMA regulations, fr: Règlement d'essai}
url: https://example.org/sor-2099-1
kind: regulation
enabling_authority: Special Economic Measures Act
rules:
  - id: test.sema.turkey
    instrument: SOR/2099-1
    provision: s. 3
    url: https://example.org/sor-2099-1
    valid_from: 2021-01-01
    label: {en: Test ban, fr: Interdiction d'essai}
    summary: {en: A test asset freeze., fr: Un gel d'avoirs d'essai.}
    confidence: verified
    effect: {kind: financial_prohibition, country: TR, activity: debt}
""",
        encoding="utf-8",
    )
    law = Law(load(law_copy))
    before = check_export(to="TR", on="2020-12-31", ecl="1-3.A.1", law=law)
    during = check_export(to="TR", on="2021-03-01", ecl="1-3.A.1", law=law)
    assert before["general_permits"] == [GEP_41]
    assert during["general_permits"] == []


def test_gep_41_s3_1_b_not_for_a_country_on_the_area_control_list() -> None:
    """No Area Control List country is an eligible destination today; the rule is still
    checked: the DPRK gets no general permit."""
    assert check_export(to="KP", on="2021-03-01", ecl="1-3.A.1")["general_permits"] == []


# --- 5. SOR/2022-209 s. 8: the hours of coming into force ----------------------------------


def test_sor_2022_209_s8_2_starts_at_midnight_on_2022_10_08_and_order_2022_1_ends_2022_10_07() -> (
    None
):
    from bilateral.engine.checks import check_import

    last_day = check_import(origin="RU", on="2022-10-07", hs="2844.43.00")
    first_day = check_import(origin="RU", on="2022-10-08", hs="2844.43.00")
    assert last_day["treatment"] == "GT" and first_day["treatment"] == "MFN"
    [old] = [r for r in last_day["reasons"] if r["rule"] == "mfn.withdrawal.2022-1"]
    assert (old["valid_to"], old["ends_at"]) == ("2022-10-07", "23:59:59")
    [new] = [
        r for r in first_day["reasons"] if r["rule"] == "mfn.withdrawal.2022-2.exemption-2844-43"
    ]
    assert (new["valid_from"], new["starts_at"]) == ("2022-10-08", "00:00:00")


# --- 6. Customs Tariff ss. 36 and 40 (sunset) and s. 214 (coming into force) --------------


@pytest.mark.parametrize(
    ("on", "treatment", "available"),
    [
        ("2034-12-30", "LDCT", ["LDCT", "GPT", "MFN", "GT"]),
        ("2034-12-31", "MFN", ["MFN", "GT"]),
        ("2035-01-01", "MFN", ["MFN", "GT"]),
    ],
)
def test_customs_tariff_ss_36_and_40_gpt_and_ldct_cease_on_2034_12_31(
    on: str, treatment: str, available: list[str]
) -> None:
    from bilateral.engine.checks import check_import

    answer = check_import(origin="MM", on=on, hs="6109.10")
    assert answer["treatment"] == treatment
    assert answer["treatments_available"] == available
    if on >= "2034-12-31":
        assert {"gpt.expiry.s36", "ldct.expiry.s40"} <= set(rules(answer))
        assert not any("GPT withdrawal" in c for c in answer["caveats"])


@pytest.mark.parametrize(("on", "former"), [("1997-12-31", True), ("1998-01-01", False)])
def test_customs_tariff_s_214_no_1997_act_section_cited_before_1998(on: str, former: bool) -> None:
    from bilateral.engine.checks import check_import

    answer = check_import(origin="BY", on=on, hs="6109.10")
    assert any("former Customs Tariff" in c for c in answer["caveats"]) is former
    cited = [r for r in answer["reasons"] if r["instrument"] == "S.C. 1997, c. 36"]
    assert (cited == []) is former
