"""The lists a party check had missed: SOR/2014-58 Schedules 2 and 3 (new debt and equity
of the persons listed, not an asset freeze) and the persons designated by the UN Security
Council or its 1718 Committee (SOR/2006-287 s. 2). Each listing date and each rule's
boundary is asked on both sides, strict and fuzzy, in English and French, and the answer
says what is restricted where a list does not ban every dealing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bilateral.engine.checks import check_party
from bilateral.faces import verdict
from bilateral.faces.cli import main
from bilateral.importers import sema_regulations, un_designations
from bilateral.importers._common import PACKAGE_DIR, find_source
from bilateral.law.model import PersonList
from bilateral.law.validation import validate
from bilateral.office.answers import view
from bilateral.screening.lists import sema, un
from bilateral.screening.screen import Query, default_index, screen
from bilateral.screening.store import shipped

LISTS = PACKAGE_DIR / "law" / "data" / "lists"
SHIPPED = PACKAGE_DIR / "screening" / "data" / "lists"
LAWS = find_source("laws-lois-xml")
UN_SOURCE = find_source("sanctions", "un")

NOVATEK = "OAO Novatek"  # SOR/2014-58 Schedule 3, item 1, text from 2015-06-29
BANK_OF_MOSCOW = "Bank of Moscow"  # SOR/2014-58 Schedule 2, item 4, text from 2014-09-16
KOMID = "Korea Mining Development Trading Corporation"  # UN KPe.001, listed 2009-04-24
FTB = "FOREIGN TRADE BANK (FTB)"  # UN KPe.047, listed 2017-08-05

SCHEDULE_2 = "sema.russia.s3-01-s3-02-schedule-2"
SCHEDULE_3 = "sema.russia.s3-01-1-1-schedule-3"
SCHEDULE_2_EARLIER = "sema.russia.schedule-2-before-2022-12-07"
SCHEDULE_3_EARLIER = "sema.russia.schedule-3-before-2022-12-07"
UN_S2 = "un.dprk.s2-designated-persons"
UN_2006 = "un.dprk.designated-persons-2006-text"
UN_2016 = "un.dprk.designated-persons-2016"

NOVATEK_EN = (
    "OAO Novatek is a listed person on January 1, 2023 (SOR/2014-58 Schedule 3): new debt of "
    "longer than 90 days' maturity in relation to them or their property is banned."
)
NOVATEK_FR = (
    "OAO Novatek est une personne inscrite le 1er janvier 2023 (DORS/2014-58, annexe 3) : "
    "toute opération sur une nouvelle créance d'une échéance de plus de 90 jours la "
    "concernant, ou concernant ses biens, est interdite."
)


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fuzzy answers are logged: into a private folder, not the user's data directory."""
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path / "data"))


def deciding(answer: dict[str, Any]) -> list[str]:
    return [r["rule"] for r in answer["reasons"]]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["check", "party", *args]) == 0
    return capsys.readouterr().out


# --- SOR/2014-58 Schedule 3: new debt of longer than 90 days --------------------------------


def test_novatek_on_2023_01_01_is_listed_in_schedule_3_and_only_new_debt_is_banned() -> None:
    answer = check_party(name=NOVATEK, on="2023-01-01")
    assert (answer["listed"], answer["status"]) == (True, "listed")
    assert deciding(answer) == [SCHEDULE_3]
    [match] = answer["matches"]
    assert (match["instrument"], match["schedule"], match["part"], match["item"]) == (
        "SOR/2014-58",
        "Schedule 3",
        "",
        "1",
    )
    assert match["citation"] == "SOR/2014-58, Schedule 3, item 1"
    assert match["rule"] == SCHEDULE_3
    assert match["restriction"] == (
        "new debt of longer than 90 days' maturity in relation to them or their property is banned"
    )
    assert verdict.sentence(answer, "en") == NOVATEK_EN
    assert "dealings with them are banned" not in verdict.sentence(answer, "en")
    assert any("activities undertaken before the person was listed" in c for c in answer["caveats"])


def test_novatek_in_french_says_in_french_what_is_banned() -> None:
    answer = check_party(name=NOVATEK, on="2023-01-01", lang="fr")
    [match] = answer["matches"]
    assert match["citation"] == "DORS/2014-58, annexe 3, article 1"
    assert match["restriction"].startswith("toute opération sur une nouvelle créance")
    assert verdict.sentence(answer, "fr") == NOVATEK_FR
    assert any("par. 3.01(2)" in c for c in answer["caveats"])


def test_the_office_says_a_stored_english_answer_in_french_from_the_rule() -> None:
    stored = check_party(name=NOVATEK, on="2023-01-01")  # the office stores it as asked
    assert view(stored, "fr")["sentence"] == NOVATEK_FR
    assert view(stored, "en")["sentence"] == NOVATEK_EN


def test_strict_cli_says_the_restriction_and_cites_the_schedule_without_a_part(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = cli(capsys, NOVATEK, "--on", "2023-01-01").splitlines()
    assert out[0] == NOVATEK_EN
    assert "Listed: yes" in out
    assert (
        "  * OAO Novatek (exact) — SOR/2014-58 Schedule 3, item 1, 2015-06-29 — restricted: "
        "new debt of longer than 90 days' maturity in relation to them or their property is "
        "banned"
    ) in out
    assert not any("Part ," in line for line in out)
    french = cli(capsys, NOVATEK, "--on", "2023-01-01", "--lang", "fr").splitlines()
    assert french[0] == NOVATEK_FR
    assert any(
        line.startswith(
            "  * OAO Novatek (correspondance exacte) — DORS/2014-58, annexe 3, article 1, "
            "inscrit le 29 juin 2015 — restreint : toute opération sur une nouvelle créance"
        )
        for line in french
    )
    assert not any("Schedule" in line or "item " in line for line in french[:4])


def test_strict_cli_json_carries_the_restriction(capsys: pytest.CaptureFixture[str]) -> None:
    answer = json.loads(cli(capsys, NOVATEK, "--on", "2023-01-01", "--json"))
    assert answer["matches"][0]["restriction"].startswith("new debt of longer than 90 days")
    french = json.loads(cli(capsys, NOVATEK, "--on", "2023-01-01", "--json", "--lang", "fr"))
    assert french["matches"][0]["restriction"].startswith("toute opération")


def test_a_file_of_names_cites_the_lists_in_the_readers_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    names = tmp_path / "names.txt"
    names.write_text(f"{NOVATEK}\n{KOMID}\n", encoding="utf-8")
    out = cli(capsys, "--file", str(names), "--on", "2023-01-01")
    assert (
        "  * OAO Novatek (exact) — SOR/2014-58 Schedule 3, item 1, 2015-06-29 — restricted: "
        "new debt of longer than 90 days' maturity in relation to them or their property is "
        "banned"
    ) in out
    assert "SOR/2006-287 UN Security Council Consolidated List (DPRK), KPe.001" in out
    french = cli(capsys, "--file", str(names), "--on", "2023-01-01", "--lang", "fr")
    assert "DORS/2014-58, annexe 3, article 1, inscrit le 29 juin 2015" in french
    assert "Liste récapitulative du Conseil de sécurité des Nations Unies (RPDC), KPe.001" in french


@pytest.mark.parametrize(
    ("on", "rule", "status"),
    [
        ("2014-07-23", None, "not listed"),  # before SOR/2014-184 made Schedules 2 and 3
        ("2014-07-24", SCHEDULE_3_EARLIER, "possibly listed"),  # item dated 2015-06-29
        ("2015-06-28", SCHEDULE_3_EARLIER, "possibly listed"),
        ("2015-06-29", SCHEDULE_3_EARLIER, "listed"),
        ("2022-12-06", SCHEDULE_3_EARLIER, "listed"),
        ("2022-12-07", SCHEDULE_3, "listed"),  # s. 3.01(1.1) as it now reads
    ],
)
def test_novatek_on_each_side_of_its_listing_and_of_each_rule(
    on: str, rule: str | None, status: str
) -> None:
    answer = check_party(name=NOVATEK, on=on)
    assert answer["status"] == status
    assert deciding(answer) == ([rule] if rule else [])
    assert answer["listed"] is (rule is not None)
    if status == "possibly listed":
        assert any("NOT FOUND" in c and "known from 2015-06-29" in c for c in answer["caveats"])


def test_before_2022_12_07_the_sentence_says_the_terms_are_not_held() -> None:
    answer = check_party(name=NOVATEK, on="2022-12-06")
    said = verdict.sentence(answer, "en")
    assert said.startswith("OAO Novatek is a listed person on December 6, 2022 (SOR/2014-58")
    assert "as it read before 2022-12-07" in said and "not in the law data" in said
    assert "dealings with them are banned" not in said
    # French prose writes the day of the earlier text as it writes every day
    assert "dans sa version antérieure au 7 décembre 2022" in verdict.sentence(answer, "fr")


def test_possibly_listed_on_a_restricted_list_says_what_is_restricted() -> None:
    answer = check_party(name=NOVATEK, on="2015-06-28")
    said = verdict.sentence(answer, "en")
    assert said.startswith("OAO Novatek is possibly a listed person on June 28, 2015")
    assert "if they are, new debt in relation to them is restricted" in said
    assert "rule it out before any such dealing" in said
    french = verdict.sentence(check_party(name=NOVATEK, on="2015-06-28", lang="fr"), "fr")
    assert "si elle l'est" in french and "DORS/2014-58, annexe 3" in french


# --- SOR/2014-58 Schedule 2: new debt of longer than 30 days and new equity -----------------


@pytest.mark.parametrize(
    ("on", "rule", "status"),
    [
        ("2014-07-23", None, "not listed"),
        ("2014-07-24", SCHEDULE_2_EARLIER, "possibly listed"),
        ("2014-09-15", SCHEDULE_2_EARLIER, "possibly listed"),  # item dated 2014-09-16
        ("2014-09-16", SCHEDULE_2_EARLIER, "listed"),
        ("2022-12-06", SCHEDULE_2_EARLIER, "listed"),
        ("2022-12-07", SCHEDULE_2, "listed"),
    ],
)
def test_bank_of_moscow_on_each_side_of_its_listing_and_of_each_rule(
    on: str, rule: str | None, status: str
) -> None:
    answer = check_party(name=BANK_OF_MOSCOW, on=on)
    assert answer["status"] == status
    assert deciding(answer) == ([rule] if rule else [])


def test_bank_of_moscow_new_debt_of_30_days_and_new_equity_are_banned() -> None:
    answer = check_party(name=BANK_OF_MOSCOW, on="2023-01-01")
    assert verdict.sentence(answer, "en") == (
        "Bank of Moscow is a listed person on January 1, 2023 (SOR/2014-58 Schedule 2): new "
        "debt of longer than 30 days' maturity and new equity (shares or other ownership "
        "interests) in relation to them or their property are banned."
    )
    french = check_party(name=BANK_OF_MOSCOW, on="2023-01-01", lang="fr")
    assert verdict.sentence(french, "fr").startswith(
        "Bank of Moscow est une personne inscrite le 1er janvier 2023 (DORS/2014-58, annexe 2) :"
    )
    assert "titres de participation" in verdict.sentence(french, "fr")


def test_the_schedules_of_one_consolidation_are_said_once() -> None:
    caveats = check_party(name=BANK_OF_MOSCOW, on="2023-01-01")["caveats"]
    assert sum("of SOR/2014-58 are read from the consolidation" in c for c in caveats) == 1
    assert any(c.startswith("Schedules 1, 2 and 3 of SOR/2014-58") for c in caveats)
    french = check_party(name=BANK_OF_MOSCOW, on="2023-01-01", lang="fr")["caveats"]
    assert any(c.startswith("Les listes (annexes 1, 2 et 3, DORS/2014-58)") for c in french)
    # before Schedules 2 and 3, Schedule 1 alone, as it always read
    early = check_party(name=BANK_OF_MOSCOW, on="2014-07-23")["caveats"]
    assert any(c.startswith("Schedule 1 of SOR/2014-58 is read from") for c in early)


# --- the sentence from the JSON alone ---------------------------------------------------


def _match(rule: str, restriction: str | None, status: str = "listed") -> dict[str, Any]:
    return {
        "instrument": "SOR/2014-58",
        "schedule": "Schedule 1" if restriction is None else "Schedule 3",
        "part": "",
        "item": "1",
        "status": status,
        "rule": rule,
        "restriction": restriction,
    }


def _listed_answer(matches: list[dict[str, object]]) -> dict[str, object]:
    """A party answer of X, listed on 2023-01-01, with these matches."""
    return {
        "question": "party",
        "name": "X",
        "as_of": "2023-01-01",
        "listed": True,
        "status": "listed",
        "matches": matches,
    }


def test_a_ban_on_every_dealing_wins_over_a_restricted_list_in_the_sentence() -> None:
    answer = _listed_answer(
        [_match(SCHEDULE_3, "new debt ... is banned"), _match("sema.russia.s3-dealings", None)]
    )
    assert verdict.sentence(answer, "en") == (
        "X is a listed person on January 1, 2023: dealings with them are banned."
    )


def test_an_answer_stored_before_restrictions_reads_as_before() -> None:
    answer = _listed_answer(
        [{"instrument": "SOR/2014-58", "schedule": "Schedule 1", "status": "listed"}]
    )
    assert verdict.sentence(answer, "fr") == (
        "X est une personne inscrite le 1er janvier 2023 : toute transaction avec elle est "
        "interdite."
    )


# --- UN DPRK designations (SOR/2006-287) ------------------------------------------------


@pytest.mark.parametrize(
    ("on", "rule"),
    [
        ("2009-04-23", None),  # the day before the UN designated KOMID
        ("2009-04-24", UN_2006),  # designated; the 2006 text not held: possibly listed
        ("2016-10-20", UN_2006),
        ("2016-10-21", UN_2016),  # the XML's first day; s. 2's earlier text inferred
        ("2020-05-31", UN_2016),
        ("2020-06-01", UN_S2),  # s. 2 as SOR/2020-119 made it
        ("2026-02-27", UN_S2),
    ],
)
def test_komid_on_each_side_of_each_rule(on: str, rule: str | None) -> None:
    answer = check_party(name=KOMID, on=on)
    assert deciding(answer) == ([rule] if rule else [])
    status = {None: "not listed", UN_2006: "possibly listed"}.get(rule, "listed")
    assert answer["status"] == status
    assert answer["listed"] is (rule is not None)  # never a clean no for a designated person
    # the gap runs to 2020-05-31: s. 2, like ss. 8 to 10, is held from 2020-06-01 only
    gap = "their text before 2016-10-21, and the texts of their asset freeze (s. 2)"
    assert any(gap in c for c in answer["caveats"]) is ("2006-11-09" <= on <= "2020-05-31")
    if rule:
        [match] = answer["matches"]
        assert (match["item"], match["listed_on"], match["restriction"]) == (
            "KPe.001",
            "2009-04-24",
            None,
        )
        assert match["citation"] == (
            "SOR/2006-287, UN Security Council Consolidated List (DPRK), KPe.001"
        )
        assert any("persons delisted before that day are not in the data" in c
                   for c in answer["caveats"])  # fmt: skip


def test_komid_on_2016_10_21_in_english_and_french(capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, KOMID, "--on", "2016-10-21").splitlines()
    assert out[0] == (
        "Korea Mining Development Trading Corporation is a listed person on October 21, 2016: "
        "dealings with them are banned."
    )
    assert "Listed: yes" in out
    assert any("[un.dprk.designated-persons-2016, inferred]" in line for line in out)
    french = cli(capsys, KOMID, "--on", "2016-10-21", "--lang", "fr").splitlines()
    assert french[0] == (
        "Korea Mining Development Trading Corporation est une personne inscrite le "
        "21 octobre 2016 : toute transaction avec elle est interdite."
    )
    assert any("DORS/2006-287, Liste récapitulative du Conseil de sécurité des Nations Unies "
               "(RPDC), KPe.001, inscrit le 24 avril 2009" in line for line in french)  # fmt: skip
    assert any("proviennent de la Liste récapitulative" in line for line in french)
    assert any(
        "DORS/2006-287, art. 2 (texte antérieur au 1er juin 2020)" in line for line in french
    )


def test_komid_on_2016_10_20_is_possibly_listed_with_the_gap_caveat(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = cli(capsys, KOMID, "--on", "2016-10-20")
    assert "Listed: possibly listed" in out
    assert "the text of SOR/2006-287 before 2016-10-21 is not in the law data" in out
    assert "their text before 2016-10-21, and the texts of their asset freeze (s. 2)" in out
    french = cli(capsys, KOMID, "--on", "2016-10-20", "--lang", "fr")
    assert "Inscrit : peut-être inscrit" in french
    assert "son texte antérieur au 21 octobre 2016 et les textes de son gel des biens (art. 2)" in (
        french
    )


@pytest.mark.parametrize("name", ["KOMID", "komid", "Changgwang Sinyong Corporation"])
def test_the_aliases_the_un_gives_are_names_of_komid(name: str) -> None:
    [match] = check_party(name=name, on="2023-01-01")["matches"]
    assert (match["item"], match["match"]) == ("KPe.001", "exact")


@pytest.mark.parametrize("name", ["FTB", "Foreign Trade Bank", FTB])
def test_an_entity_named_with_its_acronym_is_found_by_either(name: str) -> None:
    [match] = check_party(name=name, on="2018-01-01")["matches"]
    assert (match["item"], match["match"], match["status"]) == ("KPe.047", "exact", "listed")


@pytest.mark.parametrize(("on", "listed"), [("2017-08-04", False), ("2017-08-05", True)])
def test_a_designation_counts_from_its_un_listing_date(on: str, listed: bool) -> None:
    answer = check_party(name=FTB, on=on)
    assert answer["listed"] is listed
    if not listed:
        assert any(
            "is listed from 2017-08-05 (UN Security Council Consolidated List (DPRK), KPe.047)" in c
            for c in answer["caveats"]
        )
        french = check_party(name=FTB, on=on, lang="fr")["caveats"]
        assert any("est inscrit à compter du 2017-08-05" in c and "RPDC" in c for c in french)


# --- fuzzy screening ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "on", "status"),
    [
        (KOMID, "2009-04-23", None),  # designated the next day
        (KOMID, "2009-04-24", "listed"),
        (NOVATEK, "2015-06-28", "possibly listed"),  # the item's text is known from 06-29
        (NOVATEK, "2015-06-29", "listed"),
        (BANK_OF_MOSCOW, "2014-09-15", "possibly listed"),
        (BANK_OF_MOSCOW, "2014-09-16", "listed"),
    ],
)
def test_fuzzy_screening_finds_them_on_each_side_of_their_listing(
    name: str, on: str, status: str | None
) -> None:
    result = screen(default_index(shipped()), Query(name, dt.date.fromisoformat(on)), 0.8)
    assert [h.status for h in result.hits] == ([status] if status else [])
    if status is None:
        assert [h.entry.id for h in result.not_on_date] == ["un/KPe.001"]


def test_fuzzy_cli_says_what_a_restricted_list_restricts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = cli(capsys, NOVATEK, "--on", "2023-01-01", "--threshold", "0.8")
    assert "      SOR/2014-58, Schedule 3, item 1" in out
    assert "      · restricted: new debt of longer than 90 days' maturity" in out
    french = cli(capsys, NOVATEK, "--on", "2023-01-01", "--fuzzy", "--lang", "fr")
    assert "      DORS/2014-58, annexe 3, article 1" in french
    assert "      · restriction : toute opération sur une nouvelle créance" in french
    answer = json.loads(cli(capsys, NOVATEK, "--on", "2023-01-01", "--fuzzy", "--json"))
    assert answer["matches"][0]["restriction"].startswith("new debt of longer than 90 days")


def test_fuzzy_cli_finds_komid_and_cites_the_un_list_in_french(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = cli(capsys, "KOMID", "--on", "2016-10-21", "--fuzzy")
    assert "KOREA MINING DEVELOPMENT TRADING CORPORATION  [listed]" in out
    assert "Only the list's DPRK entries ship with the package" in out
    french = cli(capsys, "KOMID", "--on", "2016-10-21", "--fuzzy", "--lang", "fr")
    assert "Liste récapitulative du Conseil de sécurité des Nations Unies, KPe.001" in french
    assert "UN Security Council" not in french
    assert "Seules les inscriptions RPDC de la liste" in french
    answer = json.loads(cli(capsys, "KOMID", "--on", "2016-10-20", "--fuzzy", "--json"))
    assert answer["matches"][0]["id"] == "un/KPe.001"
    assert any("text before 2016-10-21, and the texts of" in c for c in answer["caveats"])


# --- the generated files ----------------------------------------------------------------


def test_schedules_2_and_3_are_one_list_each_without_parts() -> None:
    for number, item, name, day in (
        ("2", "4", BANK_OF_MOSCOW, dt.date(2014, 9, 16)),
        ("3", "1", NOVATEK, dt.date(2015, 6, 29)),
    ):
        text = (LISTS / f"sor-2014-58-schedule-{number}.yaml").read_text(encoding="utf-8")
        assert text.startswith("# Generated by bilateral.importers.sema_regulations")
        plist = validate(PersonList, yaml.safe_load(text))
        assert (plist.provision, plist.parts) == (f"Schedule {number}", {})
        [person] = plist.persons
        assert (person.part, person.item, person.name, person.entity) == ("", item, name, True)
        # dated at the schedule's earliest version in the XML, later than registration
        assert (person.listed_on, person.listed_on_exact) == (day, False)


def test_the_un_list_holds_the_dprk_designations_with_their_dates() -> None:
    text = (LISTS / "un-dprk-1718.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Generated by bilateral.importers.un_designations from ")
    plist = validate(PersonList, yaml.safe_load(text))
    assert (plist.id, plist.instrument, plist.parts) == ("un-dprk-1718", "SOR/2006-287", {})
    assert len(plist.persons) == 155
    assert sum(p.entity for p in plist.persons) == 75
    assert all(p.item.startswith("KPe." if p.entity else "KPi.") for p in plist.persons)
    assert all(p.listed_on_exact for p in plist.persons)
    assert plist.coverage is not None and "delisted" in plist.coverage.en
    assert "radiées" in plist.coverage.fr


@pytest.mark.skipif(LAWS is None or UN_SOURCE is None, reason="shared research data not found")
def test_rerunning_the_importers_writes_the_same_bytes(tmp_path: Path) -> None:
    assert LAWS is not None and UN_SOURCE is not None
    sema_regulations.run(LAWS, tmp_path / "sema")
    un_designations.run(UN_SOURCE, tmp_path / "un")
    written = [*(tmp_path / "sema").iterdir(), *(tmp_path / "un").iterdir()]
    assert {p.name for p in written} >= {
        "sor-2014-58-schedule-1.yaml",
        "sor-2014-58-schedule-2.yaml",
        "sor-2014-58-schedule-3.yaml",
        "sor-2020-214-schedule-1.yaml",
        "un-dprk-1718.yaml",
    }
    for path in written:
        assert path.read_bytes() == (LISTS / path.name).read_bytes(), path.name
    screening = tmp_path / "screening"
    sema.write_shipped(LAWS, screening)
    un.write_shipped(UN_SOURCE / un_designations.SOURCE_FILE, screening)
    for path in screening.iterdir():
        assert path.read_bytes() == (SHIPPED / path.name).read_bytes(), path.name
    assert len(list(screening.iterdir())) == len(list(SHIPPED.glob("*.json")))
