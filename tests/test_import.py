"""Imports: tariff treatments (GPT, LDCT, MFN, General Tariff) and SEMA import bans, at the
boundary dates of every order that extends or withdraws a treatment."""

from __future__ import annotations

import pytest

from bilateral.engine.checks import check_import

GPT_BY_BEFORE_2007 = "gpt.belarus.before-2007"
GPT_BY_WITHDRAWN = "gpt.withdrawal.belarus-2007"
MFN_BY_RU_BEFORE_2022 = "mfn.belarus-russia.before-2022"
MFN_WITHDRAWN_1 = "mfn.withdrawal.2022-1"
MFN_WITHDRAWN_2 = "mfn.withdrawal.2022-2"
MFN_EXEMPTION_2844_43 = "mfn.withdrawal.2022-2.exemption-2844-43"
GENERAL_TARIFF = "tariff.general-tariff-rate"
GPT_2013_REVIEW = "gpt.withdrawal.2013-review"
GPT_2023_REVIEW = "gpt.withdrawal.2023-review"
GPT_2023_EXTENSION = "gpt.extension.2023-review"
GPT_EU_2004 = "gpt.withdrawal.2004-eu-accession"
GPT_BG_RO_2007 = "gpt.withdrawal.2007-bulgaria-romania"
GPT_BURMA_WITHDRAWN = "gpt.burma.1997-2015"
LDCT_BURMA_WITHDRAWN = "ldct.burma.1997-2015"
GPT_BURMA_RESTORED = "gpt.burma.restored-2015"
LDCT_BURMA_RESTORED = "ldct.burma.restored-2015"
PETROLEUM = "sema.belarus.s3-4-petroleum"
POTASH = "sema.belarus.s3-5-potash"
LUXURY_IMPORT = "sema.belarus.s3-7-luxury-import"
DPRK_IMPORT_BAN = "sema.dprk.s3-import-ban"
GT_DPRK = "gt.dprk"


def rules(answer: dict) -> list[str]:
    return [reason["rule"] for reason in answer["reasons"]]


def imported(origin: str, on: str, hs: str, mfn_rate: str | None = None) -> dict:
    return check_import(origin=origin, on=on, hs=hs, mfn_rate=mfn_rate)


# --- Belarus: GPT withdrawn 2007-08-01 ------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "treatment", "available", "deciding"),
    [
        ("2007-07-30", "GPT", ["GPT", "MFN", "GT"], [GPT_BY_BEFORE_2007, MFN_BY_RU_BEFORE_2022]),
        ("2007-07-31", "GPT", ["GPT", "MFN", "GT"], [GPT_BY_BEFORE_2007, MFN_BY_RU_BEFORE_2022]),
        ("2007-08-01", "MFN", ["MFN", "GT"], [GPT_BY_WITHDRAWN, MFN_BY_RU_BEFORE_2022]),
        ("2007-08-02", "MFN", ["MFN", "GT"], [GPT_BY_WITHDRAWN, MFN_BY_RU_BEFORE_2022]),
    ],
)
def test_goods_of_belarus_lose_the_gpt_on_2007_08_01_under_sor_2007_174(
    on, treatment, available, deciding
):
    answer = imported("BY", on, "8703")
    assert answer["treatment"] == treatment
    assert answer["treatments_available"] == available
    assert rules(answer) == deciding
    assert answer["prohibited"] is False


# --- Belarus and Russia: MFN withdrawn 2022-03-02 (SOR/2022-35), 2022-10-08 (SOR/2022-209) --
# SOR/2022-209 s. 8: Order 2022-1 is repealed at 23:59:59 on 2022-10-07 (s. 8(1)) and the
# withdrawal and the 2844.43.00 exemption come into force at 00:00:00 on 2022-10-08 (s. 8(2)).


@pytest.mark.parametrize(
    ("on", "treatment", "rate", "mfn_rule"),
    [
        ("2022-03-01", "MFN", None, MFN_BY_RU_BEFORE_2022),
        ("2022-03-02", "GT", 35.0, MFN_WITHDRAWN_1),
        ("2022-03-03", "GT", 35.0, MFN_WITHDRAWN_1),
        ("2022-10-06", "GT", 35.0, MFN_WITHDRAWN_1),
        ("2022-10-07", "GT", 35.0, MFN_WITHDRAWN_1),
        ("2022-10-08", "GT", 35.0, MFN_WITHDRAWN_2),
        ("2022-10-09", "GT", 35.0, MFN_WITHDRAWN_2),
    ],
)
@pytest.mark.parametrize(
    ("origin", "gpt_rule"), [("BY", GPT_BY_WITHDRAWN), ("RU", GPT_2013_REVIEW)]
)
def test_goods_of_belarus_and_russia_lose_the_mfn_tariff_from_2022_03_02(
    origin, gpt_rule, on, treatment, rate, mfn_rule
):
    answer = imported(origin, on, "8703.23")
    assert answer["treatment"] == treatment
    assert answer["rate"] == rate
    expected = [gpt_rule, mfn_rule] + ([GENERAL_TARIFF] if treatment == "GT" else [])
    assert rules(answer) == expected


@pytest.mark.parametrize(
    ("on", "treatment", "deciding"),
    [
        ("2022-03-01", "MFN", [GPT_BY_WITHDRAWN, MFN_BY_RU_BEFORE_2022]),
        ("2022-03-02", "GT", [GPT_BY_WITHDRAWN, MFN_WITHDRAWN_1, GENERAL_TARIFF]),
        ("2022-10-06", "GT", [GPT_BY_WITHDRAWN, MFN_WITHDRAWN_1, GENERAL_TARIFF]),
        # SOR/2022-209 s. 8(2): the exemption starts at 00:00:00 on 2022-10-08, not before.
        ("2022-10-07", "GT", [GPT_BY_WITHDRAWN, MFN_WITHDRAWN_1, GENERAL_TARIFF]),
        ("2022-10-08", "MFN", [GPT_BY_WITHDRAWN, MFN_EXEMPTION_2844_43]),
        ("2022-10-09", "MFN", [GPT_BY_WITHDRAWN, MFN_EXEMPTION_2844_43]),
    ],
)
def test_tariff_item_2844_43_00_keeps_mfn_from_2022_10_08_under_s_8_2_not_under_order_2022_1(
    on, treatment, deciding
):
    answer = imported("BY", on, "28444300")
    assert answer["treatment"] == treatment
    assert rules(answer) == deciding


@pytest.mark.parametrize("hs", ["2844.43.00", "2844.43.00.10", "2844430000"])
def test_a_10_digit_code_under_tariff_item_2844_43_00_keeps_mfn_from_2022_10_08(hs):
    answer = imported("RU", "2022-10-08", hs)
    assert answer["treatment"] == "MFN"
    assert MFN_EXEMPTION_2844_43 in rules(answer)


def test_the_2844_43_00_exemption_displaces_the_withdrawal_of_the_same_order():
    answer = imported("RU", "2022-10-08", "2844.43.00")
    skipped = {t["rule"]: t["why"] for t in answer["trace"] if not t["applied"]}
    assert skipped[MFN_WITHDRAWN_2] == "displaced by an exception"
    assert answer["treatment"] == "MFN"


@pytest.mark.parametrize("hs", ["284443", "2844.43"])
def test_a_six_digit_code_cannot_claim_the_2844_43_00_exemption_and_is_asked_for_8_digits(hs):
    answer = imported("BY", "2022-10-08", hs)
    assert answer["treatment"] == "GT"
    assert MFN_EXEMPTION_2844_43 not in rules(answer)
    assert any("give the 8-digit tariff item" in c for c in answer["caveats"])


def test_another_8_digit_item_of_heading_2844_does_not_keep_mfn():
    answer = imported("BY", "2022-10-08", "28444100")
    assert answer["treatment"] == "GT"
    assert rules(answer) == [GPT_BY_WITHDRAWN, MFN_WITHDRAWN_2, GENERAL_TARIFF]


# --- General Tariff: 35%, or the MFN rate where higher (s. 29) ------------------------------


@pytest.mark.parametrize(
    ("mfn_rate", "rate"),
    [(None, 35.0), ("6.5", 35.0), ("35", 35.0), ("35.01", 35.01), ("40", 40.0), ("40%", 40.0)],
)
def test_general_tariff_is_35_percent_unless_the_mfn_rate_is_higher(mfn_rate, rate):
    answer = imported("BY", "2023-01-01", "8703", mfn_rate=mfn_rate)
    assert answer["treatment"] == "GT"
    assert answer["rate"] == rate
    assert rules(answer)[-1] == GENERAL_TARIFF


def test_without_an_mfn_rate_the_s_29_exception_is_a_caveat():
    answer = imported("BY", "2023-01-01", "8703")
    assert any("(s. 29)" in c for c in answer["caveats"])


def test_an_mfn_rate_given_for_mfn_goods_is_the_rate():
    answer = imported("BY", "2021-01-01", "8703", mfn_rate="6.1")
    assert answer["treatment"] == "MFN"
    assert answer["rate"] == 6.1


# --- SEMA (Belarus): import bans --------------------------------------------------------------


@pytest.mark.parametrize(
    ("hs", "ban"),
    [
        ("2710", PETROLEUM),
        ("2710.12", PETROLEUM),
        ("2711", PETROLEUM),
        ("310420", POTASH),
        ("3104.20.10", POTASH),
        ("310520", POTASH),
    ],
)
@pytest.mark.parametrize(
    ("on", "prohibited"), [("2021-08-05", False), ("2021-08-06", True), ("2021-08-07", True)]
)
def test_belarusian_petroleum_and_potash_may_not_be_imported_from_2021_08_06(
    hs, ban, on, prohibited
):
    answer = imported("BY", on, hs)
    assert answer["prohibited"] is prohibited
    assert (ban in rules(answer)) is prohibited


def test_heading_3104_is_broader_than_the_potash_schedule_and_asks_for_a_precise_code():
    answer = imported("BY", "2021-09-01", "3104")
    assert answer["prohibited"] is False
    assert any("give a more precise code" in c for c in answer["caveats"])


@pytest.mark.parametrize("hs", ["0301", "0306.11", "160431", "220300", "710491"])
@pytest.mark.parametrize(
    ("on", "prohibited"), [("2022-08-23", False), ("2022-08-24", True), ("2022-08-25", True)]
)
def test_luxury_goods_of_schedule_4_part_2_may_not_be_imported_from_belarus_from_2022_08_24(
    hs, on, prohibited
):
    answer = imported("BY", on, hs)
    assert answer["prohibited"] is prohibited
    assert (LUXURY_IMPORT in rules(answer)) is prohibited


def test_luxury_export_list_is_not_the_import_list():
    answer = imported("BY", "2022-09-01", "870323")  # on Part 1 (export) only
    assert answer["prohibited"] is False
    assert LUXURY_IMPORT not in rules(answer)


# --- North Korea ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "prohibited"), [("2011-08-10", False), ("2011-08-11", True), ("2011-08-12", True)]
)
def test_every_import_from_north_korea_is_banned_from_2011_08_11(on, prohibited):
    answer = imported("KP", on, "8703")
    assert answer["prohibited"] is prohibited
    assert (DPRK_IMPORT_BAN in rules(answer)) is prohibited


def test_goods_of_north_korea_pay_the_general_tariff_from_2022_03_02():
    answer = imported("KP", "2022-03-02", "8703")
    assert answer["treatment"] == "GT"
    assert answer["rate"] == 35.0
    assert rules(answer) == [DPRK_IMPORT_BAN, GT_DPRK, GENERAL_TARIFF]


@pytest.mark.parametrize("on", ["2011-08-10", "2022-03-01"])
def test_north_korea_is_not_inferred_to_have_had_mfn_before_2022_03_02(on):
    answer = imported("KP", on, "8703")
    assert answer["treatment"] != "MFN"
    assert "MFN" not in answer["treatments_available"]


# --- GPT reviews and EU accessions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "on", "treatment", "deciding"),
    [
        ("CN", "2014-12-30", "GPT", [GPT_2013_REVIEW]),
        ("CN", "2014-12-31", "GPT", [GPT_2013_REVIEW]),
        ("CN", "2015-01-01", "MFN", [GPT_2013_REVIEW]),
        ("CN", "2015-01-02", "MFN", [GPT_2013_REVIEW]),
        ("IN", "2015-01-01", "MFN", [GPT_2013_REVIEW]),
        ("VN", "2024-12-31", "GPT", [GPT_2023_REVIEW]),
        ("VN", "2025-01-01", "MFN", [GPT_2023_REVIEW]),
        ("VN", "2025-01-02", "MFN", [GPT_2023_REVIEW]),
        ("LB", "2014-12-31", "GPT", [GPT_2013_REVIEW]),
        ("LB", "2015-01-01", "MFN", [GPT_2013_REVIEW]),
        ("LB", "2024-12-31", "MFN", [GPT_2013_REVIEW]),
        ("LB", "2025-01-01", "GPT", [GPT_2023_EXTENSION]),
        ("LB", "2025-01-02", "GPT", [GPT_2023_EXTENSION]),
        ("TN", "2024-12-31", "MFN", [GPT_2013_REVIEW]),
        ("TN", "2025-01-01", "GPT", [GPT_2023_EXTENSION]),
        ("Poland", "2004-04-30", "GPT", [GPT_EU_2004]),
        ("Poland", "2004-05-01", "MFN", [GPT_EU_2004]),
        ("Poland", "2004-05-02", "MFN", [GPT_EU_2004]),
        ("HU", "2004-05-01", "MFN", [GPT_EU_2004]),
        ("BG", "2007-07-31", "GPT", [GPT_BG_RO_2007]),
        ("BG", "2007-08-01", "MFN", [GPT_BG_RO_2007]),
        ("RO", "2007-07-31", "GPT", [GPT_BG_RO_2007]),
        ("RO", "2007-08-01", "MFN", [GPT_BG_RO_2007]),
        ("RO", "2007-08-02", "MFN", [GPT_BG_RO_2007]),
    ],
)
def test_gpt_withdrawals_and_extensions_take_effect_on_their_in_force_dates(
    origin, on, treatment, deciding
):
    answer = imported(origin, on, "8703")
    assert answer["treatment"] == treatment
    assert rules(answer) == deciding


def test_lebanon_gpt_extension_of_2025_displaces_the_2013_withdrawal():
    answer = imported("Lebanon", "2025-06-01", "8703")
    skipped = {t["rule"]: t["why"] for t in answer["trace"] if not t["applied"]}
    assert skipped[GPT_2013_REVIEW] == "displaced by an exception"


def test_an_inferred_earlier_entitlement_is_said_to_be_inferred():
    answer = imported("CN", "2014-12-31", "8703")
    assert answer["reasons"][0]["because"].startswith("inferred: entitled to GPT")


@pytest.mark.parametrize(
    ("on", "treatment", "deciding"),
    [
        # Before 1998-01-01 the former Customs Tariff applied (not in the data): the orders
        # speak, but no treatment of the 1997 Act (MFN by s. 34, GT by s. 29) is inferred.
        ("1997-08-06", "LDCT", [LDCT_BURMA_WITHDRAWN, GPT_BURMA_WITHDRAWN]),
        ("1997-08-07", None, [LDCT_BURMA_WITHDRAWN, GPT_BURMA_WITHDRAWN]),
        ("1997-08-08", None, [LDCT_BURMA_WITHDRAWN, GPT_BURMA_WITHDRAWN]),
        ("1998-01-01", "MFN", [LDCT_BURMA_WITHDRAWN, GPT_BURMA_WITHDRAWN]),
        ("2015-03-12", "MFN", [LDCT_BURMA_WITHDRAWN, GPT_BURMA_WITHDRAWN]),
        ("2015-03-13", "LDCT", [LDCT_BURMA_RESTORED, GPT_BURMA_RESTORED]),
        ("2015-03-14", "LDCT", [LDCT_BURMA_RESTORED, GPT_BURMA_RESTORED]),
    ],
)
def test_burma_loses_gpt_and_ldct_from_1997_08_07_and_regains_them_on_2015_03_13(
    on, treatment, deciding
):
    answer = imported("Myanmar", on, "8703")
    assert answer["treatment"] == treatment
    assert rules(answer) == deciding
    if on < "1998-01-01":
        assert answer["treatments_available"] == ([] if treatment is None else ["LDCT", "GPT"])
        assert any("former Customs Tariff" in c for c in answer["caveats"])
        assert not any("Customs Tariff s." in c for c in answer["caveats"])
    elif treatment == "MFN":
        assert answer["treatments_available"] == ["MFN", "GT"]
    else:
        assert answer["treatments_available"] == ["LDCT", "GPT", "MFN", "GT"]


@pytest.mark.parametrize("origin", ["DE", "US", "JP"])
def test_a_country_no_order_speaks_of_is_undecided_and_says_the_list_is_not_bundled(origin):
    answer = imported(origin, "2020-01-01", "8703")
    assert answer["treatment"] is None
    assert answer["treatments_available"] == []
    assert rules(answer) == []
    assert any("List of Countries" in c for c in answer["caveats"])
