"""An HS code of arms and ammunition (Chapter 93), of tanks or of warships is never
answered "no permit" as if the goods were off the Export Control List. Firearms, military
weapons, their parts and ammunition (9301, 9302, 9303, 9305, 9306), tanks (8710) and
warships (8906.10) are read as the ECL Group 2 items they are as a rule (SOR/89-202,
Schedule, Group 2; an interpretation, tagged inferred), and the scope of s. 2 decides where
they are controlled: everywhere but the United States, and for firearms (item 2-1)
everywhere. Before the Group 2 scope the data holds (2009-04-30) and for the rest of the
chapter (air guns, swords), the answer keeps the Group 2 caveat. Same answers on the
command line, in JSON, in French, and in a batch file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bilateral.engine.checks import check_export
from bilateral.faces.cli import main

ARMS = "HS Chapter 93 (arms and ammunition): such goods are as a rule in Group 2"
READING = "ecl.reading.hs-arms-group-2"
SCOPE = "ecl.scope.group-2"


def _rules(answer: dict[str, object]) -> list[str]:
    reasons = answer["reasons"]
    assert isinstance(reasons, list)
    return [r["rule"] for r in reasons]


@pytest.mark.parametrize(
    ("hs", "items"),
    [
        ("9301.10", "2-1, 2-2, 2-4"),
        ("9301.90", "2-1"),
        ("9302.00", "2-1"),
        ("9303.20", "2-1"),
        ("9305.10", "2-1"),
        ("9305.91", "2-1, 2-2, 2-4"),
        ("9306.30", "2-3"),
        ("9306.90", "2-3, 2-4"),
        ("8710.00", "2-6"),
        ("8906.10", "2-9"),
    ],
)
def test_arms_to_a_country_off_every_list_need_a_permit_read_as_group_2(
    hs: str, items: str
) -> None:
    # Belarus left the Area Control List on 2017-06-20; nothing else applies in 2018
    answer = check_export(to="BY", on="2018-01-01", hs=hs)
    assert answer["permit_required"] is True
    assert answer["outcome"] == "case_by_case"
    assert _rules(answer) == [READING, SCOPE]
    assert answer["reasons"][0]["confidence"] == "inferred"
    assert any(
        f"is read as ECL Group 2 item(s) {items} (an interpretation" in c for c in answer["caveats"]
    )
    assert not any(c.startswith(ARMS) for c in answer["caveats"])


def test_the_reading_starts_with_the_group_2_scope_the_data_holds() -> None:
    before = check_export(to="RU", on="2009-04-29", hs="9303.20")
    assert before["permit_required"] is False
    assert any(c.startswith(ARMS) for c in before["caveats"])  # never a clean answer
    after = check_export(to="RU", on="2009-04-30", hs="9303.20")
    assert after["permit_required"] is True
    assert _rules(after) == [READING, SCOPE]


def test_firearms_to_the_united_states_are_controlled_too_but_not_all_munitions() -> None:
    # s. 2(b): items 2-1, 2-2.a, 2-2.b, 2-3 and 2-4.a to any destination
    pistols = check_export(to="US", on="2024-01-01", hs="9302.00")
    assert pistols["permit_required"] is True
    assert _rules(pistols) == [READING, SCOPE]
    assert pistols["reasons"][1]["because"] == (
        "ECL Group 2 item(s) 2-1 controlled to all destinations"
    )
    # bombs and missiles (2-3, 2-4): 2-3 and 2-4.a are controlled to the US too, and the
    # goods may be among them, so a permit is required, with a caveat saying which
    bombs = check_export(to="US", on="2024-01-01", hs="9306.90")
    assert bombs["permit_required"] is True
    assert bombs["reasons"][1]["because"] == (
        "ECL Group 2 item(s) 2-3, 2-4.a, which the goods may be, controlled to all destinations"
    )
    assert any(
        c.startswith("Of the ECL items HS 9306.90 is read as, only 2-3, 2-4.a are controlled")
        for c in bombs["caveats"]
    )
    # and to a country outside the United States they are controlled
    assert check_export(to="FR", on="2024-01-01", hs="9306.90")["permit_required"] is True


def test_air_guns_and_swords_keep_the_caveat_and_other_goods_get_neither() -> None:
    for hs in ("9304.00", "9307.00"):
        answer = check_export(to="BY", on="2018-01-01", hs=hs)
        assert answer["permit_required"] is False
        assert any(c.startswith(ARMS) for c in answer["caveats"]), hs
        assert not _rules(answer)
    laptops = check_export(to="BY", on="2018-01-01", hs="8471.30")
    assert not any(c.startswith(ARMS) or "read as ECL" in c for c in laptops["caveats"])


def test_arms_read_as_ecl_goods_meet_the_belarus_suspension_and_the_russia_embargo() -> None:
    # Belarus on the Area Control List: ECL goods were denied under Notice 148
    listed = check_export(to="BY", on="2016-06-01", hs="9303.20")
    assert listed["outcome"] == "generally_denied"
    assert READING in _rules(listed)
    # new permits for ECL goods to Belarus suspended from 2020-11-09
    assert check_export(to="BY", on="2020-11-08", hs="9303.20")["outcome"] == "case_by_case"
    suspended = check_export(to="BY", on="2020-11-09", hs="9303.20")
    assert suspended["outcome"] == "new_permits_suspended"
    assert "suspension.belarus.ecl-2020" in _rules(suspended)
    # Russia: a permit in August 2022; SEMA s. 3.13 bans arms from 2023-07-19
    assert check_export(to="RU", on="2022-08-24", hs="9301.10")["outcome"] == "case_by_case"
    assert check_export(to="RU", on="2023-07-18", hs="9301.10")["outcome"] == "case_by_case"
    assert check_export(to="RU", on="2023-07-19", hs="9301.10")["outcome"] == "prohibited"


def test_the_reading_is_said_and_cited_in_french() -> None:
    answer = check_export(to="RU", on="2022-08-24", hs="9301.10", lang="fr")
    reading = answer["reasons"][0]
    assert reading["provision"] == "Annexe, groupe 2, alinéas a) à c)"
    assert reading["instrument"] == "DORS/89-202"
    assert reading["url"].startswith("https://laws-lois.justice.gc.ca/fra/reglements/DORS-89-202")
    assert (
        reading["because"]
        == "SH 9301.10 lu comme le ou les articles 2-1, 2-2, 2-4 du groupe 2 de la LMTEC"
    )
    assert any(
        c.startswith("Le SH 9301.10 est lu comme le ou les articles 2-1, 2-2, 2-4 du groupe 2")
        for c in answer["caveats"]
    )


def test_the_command_line_and_a_batch_file_say_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["check", "export", "--to", "BY", "--on", "2017-06-20", "--hs", "9301.10"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "An export permit is required to export these goods to Belarus on June 20, 2017; "
        "each application is decided case by case."
    )
    assert f"[{READING}, inferred]" in out
    rows = tmp_path / "rows.csv"
    # codes of different readings in one file: each row keeps its own reading
    rows.write_text(
        "destination,date,hs\n"
        "BY,2017-06-20,9301.10\nBY,2017-06-20,8471.30\nUS,2024-01-01,9306.90\n"
        "US,2024-01-01,9302.00\nRU,2009-04-29,9303.20\nUS,2024-01-01,9307.00\n"
        "FR,2024-01-01,9306\nUS,2024-01-01,8710.00\n"
    )
    out_csv = tmp_path / "out.csv"
    assert main(["batch", str(rows), "--output", str(out_csv)]) == 0
    got = [(r["hs"], r["permit_required"], r["rules"]) for r in csv.DictReader(out_csv.open())]
    both = f"{READING};{SCOPE}"
    assert got == [
        ("9301.10", "true", both),
        ("8471.30", "false", ""),
        ("9306.90", "true", both),
        ("9302.00", "true", both),
        ("9303.20", "false", ""),
        ("9307.00", "false", ""),
        ("9306", "true", both),
        ("8710.00", "false", ""),
    ]
    for row in csv.DictReader(out_csv.open()):
        single = check_export(to=row["destination"], on=row["date"], hs=row["hs"])
        assert row["caveats"] == " | ".join(single["caveats"]), row["hs"]


def test_tanks_and_warships_are_arms_under_every_arms_embargo() -> None:
    # "arms and related material" includes military vehicles and military equipment
    # (SOR/2007-285 s. 1; SOR/2014-58 s. 3.13(5)); other vehicles are not read as arms
    for to, on, rule in (
        ("MM", "2013-01-01", "sema.burma.s4a-arms-export"),
        ("RU", "2023-08-01", "sema.russia.s3-13-arms-export"),
        ("KP", "2008-01-01", "un.dprk.arms-export"),
    ):
        for hs in ("8710.00", "8906.10"):
            answer = check_export(to=to, on=on, hs=hs)
            assert answer["outcome"] == "prohibited", (to, hs)
            assert rule in _rules(answer)
    cars = check_export(to="MM", on="2013-01-01", hs="8703.23")
    assert cars["outcome"] == "not_required" and not _rules(cars)
    # tanks to the United States: Group 2 items other than 2-1 to 2-4.a are not controlled
    assert check_export(to="US", on="2023-08-01", hs="8710.00")["permit_required"] is False


def test_personal_effects_and_gifts_may_hold_ecl_goods_medicines_do_not() -> None:
    said = "'Personal effects' does not say whether the goods are on the Export Control List"
    effects = check_export(to="BY", on="2024-01-01", category="personal_effects")
    assert any(c.startswith(said) for c in effects["caveats"])
    french = check_export(to="BY", on="2024-01-01", category="personal_effects", lang="fr")
    assert any(c.startswith("« Effets personnels » n'indique pas") for c in french["caveats"])
    medicines = check_export(to="BY", on="2024-01-01", category="medicines")
    assert not any("Export Control List (a hunting rifle" in c for c in medicines["caveats"])


@pytest.mark.parametrize(("hs", "items"), [("9306", "2-3, 2-4"), ("9305", "2-1, 2-2, 2-4")])
def test_a_heading_broader_than_the_codes_read_is_read_as_all_their_items(
    hs: str, items: str
) -> None:
    # 9306 holds 9306.21 to 9306.90, every one read as Group 2: the heading is not "no
    # permit" because no single reading names it
    answer = check_export(to="FR", on="2024-01-01", hs=hs)
    assert answer["permit_required"] is True
    assert answer["reasons"][0]["because"] == f"HS {hs} read as ECL Group 2 item(s) {items}"
    suspended = check_export(to="BY", on="2020-11-09", hs=hs)
    assert suspended["outcome"] == "new_permits_suspended"
