"""Export permits: the Area Control List, the Notices to Exporters, the Export Control List,
general export permits and the sanctions regulations, each tested at its boundary dates.

Every case asserts the deciding rules, not only the outcome: a right answer for the wrong
reason is a wrong answer.
"""

from __future__ import annotations

import pytest

from bilateral.engine.checks import check_export
from bilateral.errors import BadInput
from bilateral.law.model import HumanitarianCategory, Outcome

ACL_BELARUS = "acl.belarus"
ACL_BURMA = "acl.burma"
ACL_DPRK = "acl.dprk"
NOTICE_148 = "policy.belarus.notice-148"
INTERIM_2016 = "policy.belarus.interim-2016"
NOTICE_172 = "policy.dprk.notice-172"
SEMA_DPRK_EXPORT = "sema.dprk.s2-export-ban"
SEMA_BY_RESTRICTED = "sema.belarus.s3-6-restricted-goods"
SEMA_BY_LUXURY = "sema.belarus.s3-7-luxury-export"
SEMA_BY_SCHEDULE_5 = "sema.belarus.s3-8-weapons-goods"
SUSPENSION_2020 = "suspension.belarus.ecl-2020"
GROUP_1 = "ecl.scope.group-1"
GROUP_2 = "ecl.scope.group-2"
GROUP_9 = "ecl.scope.group-9"
GEP_41 = "gep.41"


def rules(answer: dict) -> list[str]:
    return [reason["rule"] for reason in answer["reasons"]]


def export(to: str, on: str, **goods: str) -> dict:
    return check_export(to=to, on=on, **goods)


# --- Area Control List: Belarus, 2006-12-14 to 2017-06-19 ----------------------------------


@pytest.mark.parametrize(
    ("on", "permit_required", "outcome", "deciding"),
    [
        ("2006-12-13", False, "not_required", []),
        ("2006-12-14", True, "generally_denied", [ACL_BELARUS, NOTICE_148]),
        ("2006-12-15", True, "generally_denied", [ACL_BELARUS, NOTICE_148]),
        ("2016-05-06", True, "generally_denied", [ACL_BELARUS, NOTICE_148]),
        ("2016-05-07", True, "normally_issued", [ACL_BELARUS, INTERIM_2016]),
        ("2016-05-08", True, "normally_issued", [ACL_BELARUS, INTERIM_2016]),
        ("2017-06-18", True, "normally_issued", [ACL_BELARUS, INTERIM_2016]),
        ("2017-06-19", True, "normally_issued", [ACL_BELARUS, INTERIM_2016]),
        ("2017-06-20", False, "not_required", []),
    ],
)
def test_cars_to_belarus_need_a_permit_only_while_belarus_is_on_the_area_control_list(
    on, permit_required, outcome, deciding
):
    answer = export("BY", on, hs="8703")
    assert answer["permit_required"] is permit_required
    assert answer["outcome"] == outcome
    assert rules(answer) == deciding


@pytest.mark.parametrize(
    ("on", "permit_required", "outcome", "deciding"),
    [
        ("2006-12-13", False, "not_required", []),
        ("2006-12-14", True, "generally_approved", [ACL_BELARUS, NOTICE_148]),
        ("2006-12-15", True, "generally_approved", [ACL_BELARUS, NOTICE_148]),
        ("2016-05-06", True, "generally_approved", [ACL_BELARUS, NOTICE_148]),
        ("2016-05-07", True, "generally_approved", [ACL_BELARUS, NOTICE_148]),
        ("2016-05-08", True, "generally_approved", [ACL_BELARUS, NOTICE_148]),
        ("2017-06-19", True, "generally_approved", [ACL_BELARUS, NOTICE_148]),
        ("2017-06-20", False, "not_required", []),
        ("2017-06-21", False, "not_required", []),
    ],
)
def test_food_to_belarus_needs_a_permit_generally_approved_under_notice_148_while_listed(
    on, permit_required, outcome, deciding
):
    answer = export("BY", on, category="food")
    assert answer["permit_required"] is permit_required
    assert answer["outcome"] == outcome
    assert rules(answer) == deciding


def test_medicines_to_belarus_on_2007_03_01_need_a_permit_generally_approved_under_notice_148():
    answer = export("BY", "2007-03-01", category="medicines")
    assert answer["permit_required"] is True
    assert answer["outcome"] == "generally_approved"
    assert answer["humanitarian_category"] == "medicines"
    assert rules(answer) == [ACL_BELARUS, NOTICE_148]
    notice = answer["reasons"][1]
    assert notice["because"] == "humanitarian goods (medicines)"
    assert notice["instrument"] == "Notice to Exporters No. 148"


@pytest.mark.parametrize("category", [c.value for c in HumanitarianCategory])
def test_every_humanitarian_category_of_notice_148_is_generally_approved_for_belarus(category):
    answer = export("BY", "2010-01-01", category=category)
    assert answer["permit_required"] is True
    assert answer["outcome"] == "generally_approved"
    assert rules(answer) == [ACL_BELARUS, NOTICE_148]


@pytest.mark.parametrize(
    ("hs", "category"),
    [
        ("0402", "food"),
        ("6109", "clothing"),
        ("3004", "medicines"),
        ("9018", "medical_supplies"),
        ("4901", "information_material"),
    ],
)
def test_hs_codes_read_as_humanitarian_categories_are_generally_approved_under_notice_148(
    hs, category
):
    answer = export("BY", "2014-03-01", hs=hs)
    assert answer["humanitarian_category"] == category
    assert answer["outcome"] == "generally_approved"
    assert rules(answer) == [ACL_BELARUS, NOTICE_148]
    assert any("interpretation (inferred)" in caveat for caveat in answer["caveats"])


def test_other_goods_to_belarus_on_2014_03_01_are_generally_denied_under_notice_148():
    answer = export("BY", "2014-03-01", hs="8471")
    assert answer["outcome"] == "generally_denied"
    assert answer["humanitarian_category"] is None
    assert answer["reasons"][1]["because"] == "goods outside the humanitarian categories"
    assert rules(answer) == [ACL_BELARUS, NOTICE_148]


# --- the interim practice of 2016-05-07 --------------------------------------------------


@pytest.mark.parametrize(
    ("on", "outcome", "deciding"),
    [
        ("2016-05-06", "generally_denied", [ACL_BELARUS, NOTICE_148, GROUP_1]),
        ("2016-05-07", "generally_denied", [ACL_BELARUS, NOTICE_148, GROUP_1]),
        ("2016-05-08", "generally_denied", [ACL_BELARUS, NOTICE_148, GROUP_1]),
        ("2017-06-19", "generally_denied", [ACL_BELARUS, NOTICE_148, GROUP_1]),
        ("2017-06-20", "case_by_case", [GROUP_1]),
    ],
)
def test_ecl_items_to_belarus_stay_generally_denied_under_notice_148_during_the_interim_practice(
    on, outcome, deciding
):
    answer = export("BY", on, ecl="1-3.a.1")
    assert answer["permit_required"] is True
    assert answer["outcome"] == outcome
    assert rules(answer) == deciding


def test_interim_practice_of_2016_05_07_displaces_notice_148_for_goods_off_the_ecl():
    answer = export("BY", "2016-05-07", hs="8703")
    skipped = {t["rule"]: t["why"] for t in answer["trace"] if not t["applied"]}
    assert skipped[NOTICE_148] == "displaced by an exception"
    assert answer["reasons"][1]["because"] == "goods not on the Export Control List"


@pytest.mark.parametrize("on", ["2016-05-07", "2016-05-08", "2017-06-19"])
def test_food_to_belarus_is_not_made_stricter_by_the_interim_easing_of_2016_05_07(on):
    before = export("BY", "2016-05-06", category="food")
    answer = export("BY", on, category="food")
    assert Outcome(answer["outcome"]).severity <= Outcome(before["outcome"]).severity, (
        "an easing cannot make humanitarian goods less likely to be approved"
    )


# --- Area Control List: Burma, 1997-08-07 to 2012-04-23 ----------------------------------


SEMA_BURMA_2007 = "sema.burma.2007-s3-export-ban"


@pytest.mark.parametrize(
    ("on", "permit_required", "outcome", "deciding"),
    [
        ("1997-08-06", False, "not_required", []),
        ("1997-08-07", True, "case_by_case", [ACL_BURMA]),
        ("1997-08-08", True, "case_by_case", [ACL_BURMA]),
        ("2007-12-12", True, "case_by_case", [ACL_BURMA]),
        # SEMA (Burma) Regulations, SOR/2007-285 s. 3 as made in 2007 (secondary source).
        ("2007-12-13", True, "prohibited", [ACL_BURMA, SEMA_BURMA_2007]),
        ("2012-04-22", True, "prohibited", [ACL_BURMA, SEMA_BURMA_2007]),
        ("2012-04-23", True, "prohibited", [ACL_BURMA, SEMA_BURMA_2007]),
        ("2012-04-24", False, "not_required", []),
    ],
)
def test_goods_to_burma_need_a_permit_while_burma_is_on_the_area_control_list(
    on, permit_required, outcome, deciding
):
    answer = export("Burma", on, hs="8703")
    assert answer["permit_required"] is permit_required
    assert answer["outcome"] == outcome
    assert rules(answer) == deciding


def test_burma_2007_export_ban_is_applied_and_tagged_secondary():
    answer = export("MM", "2010-06-01", hs="8703")
    [reason] = [r for r in answer["reasons"] if r["rule"] == SEMA_BURMA_2007]
    assert reason["confidence"] == "secondary"
    assert any("secondary source" in c for c in answer["caveats"])


# --- Area Control List and Notice 172: North Korea from 2010-07-13 -----------------------


@pytest.mark.parametrize(
    ("on", "permit_required", "outcome", "deciding"),
    [
        ("2010-07-12", False, "not_required", []),
        ("2010-07-13", True, "generally_approved", [ACL_DPRK, NOTICE_172]),
        ("2010-07-14", True, "generally_approved", [ACL_DPRK, NOTICE_172]),
    ],
)
def test_food_to_north_korea_needs_a_permit_from_the_acl_listing_of_2010_07_13(
    on, permit_required, outcome, deciding
):
    answer = export("KP", on, category="food")
    assert answer["permit_required"] is permit_required
    assert answer["outcome"] == outcome
    assert rules(answer) == deciding


@pytest.mark.parametrize("category", ["casual_gifts", "personal_effects"])
def test_categories_notice_172_does_not_name_are_generally_denied_for_north_korea(category):
    answer = export("KP", "2010-08-01", category=category)
    assert answer["outcome"] == "generally_denied"
    assert rules(answer) == [ACL_DPRK, NOTICE_172]


@pytest.mark.parametrize(
    ("on", "outcome", "deciding"),
    [
        ("2011-08-10", "generally_approved", [ACL_DPRK, NOTICE_172]),
        ("2011-08-11", "prohibited", [ACL_DPRK, NOTICE_172, SEMA_DPRK_EXPORT]),
        ("2011-08-12", "prohibited", [ACL_DPRK, NOTICE_172, SEMA_DPRK_EXPORT]),
        ("2025-01-01", "prohibited", [ACL_DPRK, NOTICE_172, SEMA_DPRK_EXPORT]),
    ],
)
def test_sema_dprk_bans_every_export_to_north_korea_from_2011_08_11(on, outcome, deciding):
    answer = export("North Korea", on, category="food")
    assert answer["permit_required"] is True
    assert answer["outcome"] == outcome
    assert rules(answer) == deciding


@pytest.mark.parametrize("on", ["2011-08-10", "2011-08-11", "2011-08-12"])
def test_personal_effects_are_excepted_from_the_sema_dprk_export_ban(on):
    answer = export("KP", on, category="personal_effects")
    assert answer["outcome"] == "generally_denied"
    assert SEMA_DPRK_EXPORT not in rules(answer)
    skipped = {t["rule"]: t["why"] for t in answer["trace"] if not t["applied"]}
    if on >= "2011-08-11":
        assert skipped[SEMA_DPRK_EXPORT] == "personal_effects are excepted"


def test_sema_dprk_ban_warns_that_consignee_based_exceptions_are_not_evaluated():
    answer = export("KP", "2015-01-01", hs="1001")
    assert any("exceptions depending on the consignee" in c for c in answer["caveats"])


def test_dual_use_item_to_north_korea_is_prohibited_and_no_general_permit_applies():
    answer = export("KP", "2015-08-01", ecl="1-1.a")
    assert answer["outcome"] == "prohibited"
    assert answer["general_permits"] == []
    assert rules(answer) == [ACL_DPRK, NOTICE_172, GROUP_1, SEMA_DPRK_EXPORT]


# --- Export Control List: group scopes, GEP-41, the 2020 suspension ---------------------


@pytest.mark.parametrize(
    ("to", "on", "permit_required", "general_permits", "deciding"),
    [
        ("DE", "2015-07-21", True, [], [GROUP_1]),
        ("DE", "2015-07-22", True, ["GEP-41"], [GROUP_1, GEP_41]),
        ("DE", "2015-07-23", True, ["GEP-41"], [GROUP_1, GEP_41]),
        ("Poland", "2015-07-22", True, ["GEP-41"], [GROUP_1, GEP_41]),
        ("Japan", "2020-01-01", True, ["GEP-41"], [GROUP_1, GEP_41]),
        ("CN", "2015-07-22", True, [], [GROUP_1]),
        ("US", "2015-07-21", False, [], []),
        ("US", "2015-07-22", False, [], []),
        ("US", "2015-07-23", False, [], []),
    ],
)
def test_gep_41_covers_group_1_items_to_eligible_destinations_from_2015_07_22(
    to, on, permit_required, general_permits, deciding
):
    answer = export(to, on, ecl="1-3.a.1")
    assert answer["permit_required"] is permit_required
    assert answer["general_permits"] == general_permits
    assert rules(answer) == deciding
    assert answer["outcome"] == ("case_by_case" if permit_required else "not_required")


@pytest.mark.parametrize("on", ["2015-07-21", "2015-07-22", "2015-07-23"])
def test_gep_41_is_not_available_for_belarus_an_ineligible_destination(on):
    answer = export("Belarus", on, ecl="1-3.a.1")
    assert answer["general_permits"] == []
    assert GEP_41 not in rules(answer)
    assert answer["outcome"] == "generally_denied"


def test_group_1_items_are_not_controlled_to_the_united_states_at_all():
    answer = export("United States", "2020-01-01", ecl="1-3.a.1")
    assert answer["permit_required"] is False
    skipped = {t["rule"]: t["why"] for t in answer["trace"] if not t["applied"]}
    assert skipped[GROUP_1] == "ECL Group 1 is not controlled to this destination"


@pytest.mark.parametrize(
    ("item", "permit_required", "deciding"),
    [("2-1", True, [GROUP_2]), ("2-1.a", True, [GROUP_2]), ("2-5", False, [])],
)
def test_group_2_item_2_1_is_controlled_even_to_the_united_states(item, permit_required, deciding):
    answer = export("US", "2020-01-01", ecl=item)
    assert answer["permit_required"] is permit_required
    assert rules(answer) == deciding


@pytest.mark.parametrize(
    ("on", "permit_required", "deciding"),
    [("2019-09-01", True, [GROUP_9]), ("2019-09-02", True, [GROUP_9])],
)
def test_ecl_group_9_is_controlled_to_all_destinations_from_2019_09_01(
    on, permit_required, deciding
):
    answer = export("DE", on, ecl="9-1")
    assert answer["permit_required"] is permit_required
    assert rules(answer) == deciding
    assert answer["general_permits"] == []


def test_ecl_group_9_before_2019_09_01_is_refused_as_outside_the_law_data():
    with pytest.raises(BadInput, match="Group 9 destination scope from 2019-09-01"):
        export("DE", "2019-08-31", ecl="9-1")


def test_ecl_item_to_belarus_before_the_2009_ecl_wording_is_decided_by_the_acl_alone():
    answer = export("BY", "2007-01-01", ecl="1-3.a.1")
    assert answer["permit_required"] is True
    assert rules(answer) == [ACL_BELARUS, NOTICE_148]
    assert any("destination scope of ECL Group 1" in c for c in answer["caveats"])


@pytest.mark.parametrize(
    ("on", "outcome", "deciding"),
    [
        ("2020-11-08", "case_by_case", [GROUP_1]),
        ("2020-11-09", "new_permits_suspended", [GROUP_1, SUSPENSION_2020]),
        ("2020-11-10", "new_permits_suspended", [GROUP_1, SUSPENSION_2020]),
        ("2024-01-01", "new_permits_suspended", [GROUP_1, SUSPENSION_2020]),
    ],
)
def test_new_permits_for_ecl_items_to_belarus_are_suspended_from_2020_11_09(on, outcome, deciding):
    answer = export("BY", on, ecl="1-3.a.1")
    assert answer["permit_required"] is True
    assert answer["outcome"] == outcome
    assert rules(answer) == deciding


def test_the_2020_suspension_concerns_ecl_items_only_not_uncontrolled_goods():
    answer = export("BY", "2021-01-01", hs="8471")
    assert SUSPENSION_2020 not in rules(answer)
    assert answer["permit_required"] is False


@pytest.mark.parametrize("item", ["7-2", "5504.2.a"])
def test_items_whose_destinations_the_guide_names_are_refused_off_the_acl(item):
    with pytest.raises(BadInput, match="named in the Guide"):
        export("DE", "2020-01-01", ecl=item)


# --- SEMA (Belarus): s. 3.6, 3.7, 3.8 -----------------------------------------------------


@pytest.mark.parametrize(
    ("on", "caveat"), [("2022-04-04", False), ("2022-04-05", True), ("2022-04-06", True)]
)
def test_restricted_goods_list_of_s_3_6_is_a_caveat_on_exports_to_belarus_from_2022_04_05(
    on, caveat
):
    answer = export("BY", on, hs="8471")
    shown = any("Restricted Goods and Technologies List" in c for c in answer["caveats"])
    assert shown is caveat
    assert SEMA_BY_RESTRICTED not in rules(answer)
    assert answer["outcome"] == "not_required"


LUXURY_EXPORT_HS = ["220300", "330300", "711319", "870323", "910121", "9101.21"]


@pytest.mark.parametrize("hs", LUXURY_EXPORT_HS)
@pytest.mark.parametrize(
    ("on", "prohibited"), [("2022-08-23", False), ("2022-08-24", True), ("2022-08-25", True)]
)
def test_luxury_goods_of_schedule_4_part_1_may_not_be_exported_to_belarus_from_2022_08_24(
    hs, on, prohibited
):
    answer = export("BY", on, hs=hs)
    assert (answer["outcome"] == "prohibited") is prohibited
    assert rules(answer) == ([SEMA_BY_LUXURY] if prohibited else [])


def test_luxury_export_ban_cites_the_schedule_item():
    answer = export("BY", "2022-09-01", hs="220300")
    reason = answer["reasons"][0]
    assert reason["provision"] == "s. 3.7(1) and (5), Schedule 4, Part 1"
    assert reason["valid_from"] == "2022-08-24"
    assert "(item 1)" in reason["because"]


@pytest.mark.parametrize("hs", ["2611", "280450", "7601", "8101", "8542.31", "8901"])
@pytest.mark.parametrize(
    ("on", "prohibited"), [("2022-08-23", False), ("2022-08-24", True), ("2022-08-25", True)]
)
def test_schedule_5_goods_may_not_be_exported_to_belarus_from_2022_08_24(hs, on, prohibited):
    answer = export("BY", on, hs=hs)
    assert (answer["outcome"] == "prohibited") is prohibited
    assert rules(answer) == ([SEMA_BY_SCHEDULE_5] if prohibited else [])


def test_an_hs_code_broader_than_the_schedule_asks_for_a_more_precise_code():
    answer = export("BY", "2022-09-01", hs="811292")
    assert answer["outcome"] == "not_required"
    assert any("give a more precise code" in c for c in answer["caveats"])


@pytest.mark.parametrize("on", ["2022-08-23", "2022-08-24", "2022-08-25"])
def test_personal_effects_are_excepted_from_every_belarus_export_ban(on):
    answer = export("BY", on, category="personal_effects")
    assert answer["outcome"] == "not_required"
    assert rules(answer) == []
    excepted = [t["rule"] for t in answer["trace"] if t["why"] == "personal_effects are excepted"]
    if on >= "2022-08-24":
        assert excepted == [SEMA_BY_RESTRICTED, SEMA_BY_LUXURY, SEMA_BY_SCHEDULE_5]


def test_luxury_clothing_is_prohibited_though_clothing_is_a_humanitarian_category():
    answer = export("BY", "2022-09-01", hs="611030")
    assert answer["humanitarian_category"] == "clothing"
    assert answer["outcome"] == "prohibited"
    assert rules(answer) == [SEMA_BY_LUXURY]


def test_goods_outside_every_belarus_schedule_need_no_permit_after_2017():
    answer = export("BY", "2023-01-01", hs="1001")
    assert answer["permit_required"] is False
    assert answer["outcome"] == "not_required"
    assert rules(answer) == []


# --- the answer's shape --------------------------------------------------------------------


def test_every_reason_cites_instrument_provision_url_and_interval():
    answer = export("BY", "2007-03-01", category="medicines")
    for reason in answer["reasons"]:
        assert reason["instrument"] and reason["provision"]
        assert reason["url"].startswith(("http://", "https://"))
        assert reason["valid_from"] == "2006-12-14"
        assert reason["valid_to"] == "2017-06-19"
        assert reason["text"]


def test_french_answer_gives_french_labels():
    answer = check_export(to="Bélarus", on="2007-03-01", category="medicines", lang="fr")
    assert answer["destination"]["code"] == "BY"
    assert "Bélarus" in answer["reasons"][0]["label"]
