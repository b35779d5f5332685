"""The second review of the law (issue 6): sanctions regulations that were missing, so that
answers over their periods were wrong in the permissive direction.

Each case names the provision it tests and checks both sides of its boundary dates.
"""

from __future__ import annotations

from typing import Any

import pytest

from bilateral.engine.checks import check_export, check_import, check_party


def rules(answer: dict[str, Any]) -> list[str]:
    return [reason["rule"] for reason in answer["reasons"]]


def caveats(answer: dict[str, Any]) -> str:
    return "\n".join(answer["caveats"])


# --- Russia, SOR/2014-58 -------------------------------------------------------------------


def test_russia_s3_05_schedule_5_item_3_petroleum_gas_import_prohibited() -> None:
    answer = check_import(origin="RU", on="2024-03-01", hs="2711.12")
    assert answer["prohibited"] is True
    assert "sema.russia.s3-05-petroleum-import" in rules(answer)
    # s. 3.05(2): contracts made before the coming into force are a caveat, not a guess.
    assert "contract" in caveats(answer)


def test_russia_s3_05_starts_on_2022_03_10() -> None:
    before = check_import(origin="RU", on="2022-03-09", hs="2711.12")
    first = check_import(origin="RU", on="2022-03-10", hs="2711.12")
    assert before["prohibited"] is False and first["prohibited"] is True


def test_russia_s3_08_1_schedule_6_fur_apparel_export_prohibited() -> None:
    answer = check_export(to="RU", on="2024-03-01", hs="4303.10")
    assert answer["outcome"] == "prohibited"
    assert "sema.russia.s3-08-luxury-export" in rules(answer)
    before = check_export(to="RU", on="2022-05-17", hs="4303.10")
    assert before["outcome"] != "prohibited"
    assert check_export(to="RU", on="2022-05-18", hs="4303.10")["outcome"] == "prohibited"


def test_russia_s3_08_2_personal_effects_excepted() -> None:
    answer = check_export(to="RU", on="2024-03-01", category="personal_effects")
    assert "sema.russia.s3-08-luxury-export" not in rules(answer)


def test_russia_s3_08_3_repealed_items_of_schedule_6_part_2_are_said_to_have_applied() -> None:
    """Items 26 to 35 were repealed on 2024-03-01 and their text is gone: before that day
    an import not matching the remaining rows is not a clean "allowed"."""
    answer = check_import(origin="RU", on="2023-06-01", hs="0101.21")
    assert "items 26, 27" in caveats(answer)
    after = check_import(origin="RU", on="2024-03-01", hs="0101.21")
    assert "items 26, 27" not in caveats(after)


def test_russia_schedule_7_rows_known_only_from_their_2025_text() -> None:
    """Schedule 7 was replaced on 2025-08-12: a row of the new text does not prove the
    goods were listed earlier, nor that they were not; the answer says so."""
    listed = check_export(to="RU", on="2025-08-12", hs="3925.10")
    assert listed["outcome"] == "prohibited"
    assert "sema.russia.s3-09-industrial-export" in rules(listed)
    earlier = check_export(to="RU", on="2024-01-15", hs="3925.10")
    assert "sema.russia.s3-09-industrial-export" not in rules(earlier)
    assert "in the text in force from 2025-08-12" in caveats(earlier)


def test_russia_s3_13_arms_embargo_decided_by_ecl_group_2() -> None:
    answer = check_export(to="RU", on="2024-03-01", ecl="2-2")
    assert answer["outcome"] == "prohibited"
    assert "sema.russia.s3-13-arms-export" in rules(answer)


def test_russia_s3_06_restricted_goods_are_a_caveat_from_2022_03_24() -> None:
    before = check_export(to="RU", on="2022-03-23", hs="0101.21")
    after = check_export(to="RU", on="2022-03-24", hs="0101.21")
    assert "Restricted Goods and Technologies List" not in caveats(before)
    assert "Restricted Goods and Technologies List" in caveats(after)


def test_russia_schedule_1_listed_person_found_by_check_party() -> None:
    answer = check_party(name="Vladimir Vladimirovich Putin", on="2024-03-01")
    assert answer["listed"] is True
    assert {m["instrument"] for m in answer["matches"]} == {"SOR/2014-58"}


def test_russia_every_answer_says_earlier_texts_are_not_held() -> None:
    answer = check_import(origin="Russia", on="2019-01-01", hs="0101.21")
    assert answer["prohibited"] is False
    assert "amended more than a hundred times" in caveats(answer)


def test_french_reader_gets_the_french_text_of_the_russia_regulations() -> None:
    answer = check_import(origin="RU", on="2024-03-01", hs="2711.12", lang="fr")
    [reason] = [r for r in answer["reasons"] if r["rule"] == "sema.russia.s3-05-petroleum-import"]
    assert (
        reason["url"]
        == "https://laws-lois.justice.gc.ca/fra/reglements/DORS-2014-58/article-3.05.html"
    )
    assert reason["url_en"].startswith("https://laws-lois.justice.gc.ca/eng/")


# --- Burma (Myanmar), SOR/2007-285 ---------------------------------------------------------


def test_burma_2007_s4_import_of_goods_exported_from_burma_prohibited() -> None:
    answer = check_import(origin="MM", on="2009-05-01", hs="4403.49")
    assert answer["prohibited"] is True
    [reason] = [r for r in answer["reasons"] if r["rule"] == "sema.burma.2007-s4-import-ban"]
    assert reason["confidence"] == "secondary"


@pytest.mark.parametrize(
    ("on", "prohibited"),
    [("2007-12-12", False), ("2007-12-13", True), ("2012-04-23", True), ("2012-04-24", False)],
)
def test_burma_2007_s4_import_ban_boundaries(on: str, prohibited: bool) -> None:
    assert check_import(origin="MM", on=on, hs="4403.49")["prohibited"] is prohibited


def test_burma_2007_s3_export_ban_until_the_2012_amendment() -> None:
    during = check_export(to="MM", on="2010-01-01", hs="0101.21")
    assert during["outcome"] == "prohibited"
    assert "sema.burma.2007-s3-export-ban" in rules(during)
    after = check_export(to="MM", on="2012-04-24", hs="0101.21")
    assert after["outcome"] != "prohibited"


def test_burma_s4a_arms_embargo_since_sor_2012_85() -> None:
    answer = check_export(to="MM", on="2019-03-01", ecl="2-2")
    assert answer["outcome"] == "prohibited"
    assert "sema.burma.s4a-arms-export" in rules(answer)


def test_burma_s4a_aviation_fuel_from_2023_01_27_is_a_caveat_on_heading_2710() -> None:
    before = check_export(to="MM", on="2023-01-26", hs="2710.19")
    after = check_export(to="MM", on="2023-01-27", hs="2710.19")
    assert "aviation fuel" not in caveats(before)
    assert "aviation fuel" in caveats(after)


def test_burma_s4b_arms_import_prohibited() -> None:
    answer = check_import(origin="MM", on="2020-01-01", hs="9301.10")
    assert answer["prohibited"] is True
    assert "sema.burma.s4b-arms-import" in rules(answer)


# --- DPRK, SOR/2006-287 (United Nations Act), before the SEMA ban of 2011 -----------------


@pytest.mark.parametrize(("on", "prohibited"), [("2006-11-08", False), ("2006-11-09", True)])
def test_dprk_un_regulations_arms_embargo_from_2006_11_09(on: str, prohibited: bool) -> None:
    answer = check_export(to="KP", on=on, hs="9301.10")
    assert (answer["outcome"] == "prohibited") is prohibited


def test_dprk_un_regulations_arms_before_the_ecl_scope_data_still_prohibited() -> None:
    answer = check_export(to="KP", on="2008-01-01", ecl="2-2")
    assert answer["outcome"] == "prohibited"
    assert "un.dprk.arms-export" in rules(answer)


def test_dprk_un_regulations_luxury_goods_never_answered_silently() -> None:
    answer = check_export(to="KP", on="2010-01-01", hs="7113.19")
    assert "luxury goods" in caveats(answer)
    assert "their text before 2016-10-21, and the texts of their asset freeze (s. 2)" in caveats(
        answer
    )
    # the embargo's text before 2020-06-01 is not held either: the gap runs to 2020-05-31
    later = check_export(to="KP", on="2020-05-31", hs="7113.19")
    assert "before 2020-06-01, are not in the law data" in caveats(later)
    assert "before 2020-06-01" not in caveats(check_export(to="KP", on="2020-06-01", hs="7113.19"))


def test_dprk_un_embargo_names_hs_chapters_from_2020_06_01() -> None:
    # SOR/2006-287 s. 8(1)(b), (g), (h): HS 86 to 89, 72 to 83, 84 and 85; (d) to (f): fuels
    for hs, rule in (
        ("8703.23", "un.dprk.s8-1-hs-named-export"),
        ("7208.10", "un.dprk.s8-1-hs-named-export"),
        ("8471.30", "un.dprk.s8-1-hs-named-export"),
        ("2710.12", "un.dprk.s8-1-fuel-export"),
        ("2709.00", "un.dprk.s8-1-fuel-export"),
    ):
        assert rule in rules(check_export(to="KP", on="2020-06-01", hs=hs)), hs
        assert rule not in rules(check_export(to="KP", on="2020-05-31", hs=hs)), hs
    assert not {"un.dprk.s8-1-hs-named-export", "un.dprk.s8-1-fuel-export"} & set(
        rules(check_export(to="KP", on="2021-01-01", hs="0101.21"))
    )
    # a category without an HS code: the HS-coded embargo is said, never passed over
    effects = caveats(check_export(to="KP", on="2021-01-01", category="personal_effects"))
    assert "s. 8(1)(b), (g) and (h) lists goods by HS code; give --hs to check." in effects


# --- countries with a known sanctions regime the data does not encode ----------------------


@pytest.mark.parametrize("country", ["IR", "SY", "VE", "NI", "ZW", "SS", "UA"])
def test_known_sanctions_regime_without_data_gets_a_caveat(country: str) -> None:
    export = check_export(to=country, on="2024-01-01", hs="0101.21")
    imported = check_import(origin=country, on="2024-01-01", hs="0101.21")
    assert "not encode" in caveats(export) or "does not encode" in caveats(export)
    assert "encode" in caveats(imported)


def test_a_party_check_says_what_reaches_parties_by_control_or_place() -> None:
    # SEMA Belarus ss. 3.1 to 3.3 (from 2021-08-06) reach Belarus and the entities it
    # controls (the first text named Belarusbank): never a clean "not listed" for them
    said = "s. 3.1, s. 3.2 and s. 3.3 (No dealing in securities issued by Belarus"
    assert said in caveats(check_party(name="Belarusbank", on="2021-08-06"))
    assert said not in caveats(check_party(name="Belarusbank", on="2021-08-05"))
    # SEMA DPRK ss. 4 and 5 (from 2011-08-11): investment and financial services
    kim = caveats(check_party(name="Kim Jong Un", on="2023-01-01"))
    assert "SOR/2011-167 s. 4 and s. 5 (subject to s. 11)" in kim
    french = caveats(check_party(name="Kim Jong Un", on="2023-01-01", lang="fr"))
    assert "DORS/2011-167, art. 4 et art. 5 (sous réserve de l'art. 11)" in french
    assert "SOR/2011-167" not in caveats(check_party(name="Kim Jong Un", on="2011-08-10"))
