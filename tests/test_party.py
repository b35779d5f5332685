"""Listed persons under SEMA (Belarus) s. 3 and Schedule 1: name variants meet, other names
do not, and each person counts only from the day their item is in force."""

from __future__ import annotations

import datetime as dt

import pytest

from bilateral.engine.checks import check_party
from bilateral.errors import BadInput

DEALINGS = "sema.belarus.s3-dealings"
LUKASHENKO = "Aleksandr Grigoryevich Lukashenko"


def rules(answer: dict) -> list[str]:
    return [reason["rule"] for reason in answer["reasons"]]


def party(name: str, on: str = "2025-06-01") -> dict:
    return check_party(name=name, on=on)


def matched(answer: dict) -> list[str]:
    return [m["name"] for m in answer["matches"]]


@pytest.mark.parametrize(
    "name",
    [
        "Aleksandr Lukashenko",
        "Alexander Lukashenko",
        "Aliaksandr Lukashenka",
        "Alexandr Lukashenko",
        "Alyaksandr Lukashenka",
        "Александр Лукашенко",
        "Аляксандр Лукашэнка",
        "АЛЕКСАНДР ЛУКАШЕНКО",
        "ALEKSANDR LUKASHENKO",
        "aleksandr lukashenko",
        "Aleksandr Lukashénko",
        "Lukashenko, Aleksandr",
        "Lukashenko Aleksandr",
        "  Aleksandr   Lukashenko  ",
    ],
)
def test_spellings_of_aleksandr_lukashenko_find_schedule_1_part_1_item_8(name):
    answer = party(name)
    assert answer["listed"] is True
    assert matched(answer) == [LUKASHENKO]
    match = answer["matches"][0]
    assert (match["part"], match["item"]) == ("1", "8")
    assert match["listed_on"] == "2020-09-28"
    assert match["instrument"] == "SOR/2020-214"
    assert match["schedule"] == "Schedule 1"
    assert match["match"] == "partial"  # given without the patronymic
    assert rules(answer) == [DEALINGS]


@pytest.mark.parametrize(
    "name", [LUKASHENKO, "Alexander Grigoryevich Lukashenko", "Александр Григорьевич Лукашенко"]
)
def test_full_name_with_patronymic_is_an_exact_match(name):
    answer = party(name)
    assert answer["matches"][0]["match"] == "exact"
    assert matched(answer) == [LUKASHENKO]


@pytest.mark.parametrize(
    "name", ["Аляксандр Рыгоравіч Лукашэнка", "Aliaksandr Ryhoravich Lukashenka"]
)
def test_full_belarusian_form_of_lukashenkos_name_is_found(name):
    assert party(name)["listed"] is True


def test_an_alias_given_by_the_schedule_is_matched():
    answer = party("Mikalay Alyaksandravich Lukashenka")
    assert answer["listed"] is True
    assert answer["matches"][0]["name"] == "Nikolai Aleksandrovich LUKASHENKO"
    assert answer["matches"][0]["matched_name"] == "Mikalay Alyaksandravich LUKASHENKA"
    assert answer["matches"][0]["match"] == "exact"


@pytest.mark.parametrize(
    "name",
    [
        "John Smith",
        "Ivan Ivanov",
        "Alexander Smith",
        "Viktor Lukashevich",
        "Marie Tremblay",
        "Aleksandr",  # a given name alone is not taken for part of a listed name
        "Republican",  # nor a word that says what kind of body an entity is
    ],
)
def test_names_not_on_schedule_1_are_not_listed(name):
    answer = party(name)
    assert answer["listed"] is False
    assert answer["matches"] == []
    assert rules(answer) == []


@pytest.mark.parametrize(
    ("name", "listed_on"),
    [
        ("Aleksandr Lukashenko", "2020-09-28"),
        ("Dmitry Lukashenko", "2021-12-02"),
        ("Vadim Anatolyevich Lukashevich", "2022-03-16"),
        ("Nikolai Lukashenko", "2024-08-08"),
        ("Galina Lukashenka", "2025-01-24"),
    ],
)
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_a_person_counts_as_listed_from_their_listed_on_date(name, listed_on, offset):
    day = dt.date.fromisoformat(listed_on) + dt.timedelta(days=offset)
    answer = party(name, day.isoformat())
    assert answer["listed"] is (offset >= 0)
    if offset >= 0:
        assert answer["matches"][0]["listed_on"] == listed_on
        assert rules(answer) == [DEALINGS]
    else:
        assert rules(answer) == []
        if day.isoformat() >= "2020-09-28":  # s. 3 in force: the later listing is a caveat
            assert any(f"is listed from {listed_on}" in c for c in answer["caveats"])


@pytest.mark.parametrize(
    ("on", "listed"), [("2020-09-27", False), ("2020-09-28", True), ("2020-09-29", True)]
)
def test_sema_belarus_s_3_dealings_prohibition_starts_2020_09_28(on, listed):
    answer = party(LUKASHENKO, on)
    assert answer["listed"] is listed
    trace = {t["rule"]: t for t in answer["trace"]}
    assert trace[DEALINGS]["applied"] is listed


def test_an_entity_of_part_2_is_found_by_its_scheduled_name():
    answer = party("Belaruskali OAO", "2022-03-08")
    assert answer["listed"] is True
    match = answer["matches"][0]
    assert match["entity"] is True
    assert (match["part"], match["item"]) == ("2", "15")
    assert match["part_title"] == "Entities — Grave Breach of International Peace and Security"
    assert party("Belaruskali OAO", "2022-03-07")["listed"] is False


@pytest.mark.parametrize("name", ["Belaruskali", "OJSC Belaruskali"])
def test_an_entity_is_found_without_or_with_another_legal_form(name):
    assert party(name)["listed"] is True


def test_every_answer_says_delisted_persons_are_not_in_the_data():
    answer = party("John Smith")
    assert any("delisted" in c or "radiées" in c for c in answer["caveats"])


@pytest.mark.parametrize("name", ["", "   ", "x" * 301])
def test_an_empty_or_overlong_name_is_refused(name):
    with pytest.raises(BadInput) as error:
        party(name)
    assert error.value.field == "name"


# SOR/2014-58 Schedule 1: the official XML dates 140 items by the schedule's earliest
# version there (2016-03-18), not by their listing, though the Regulations listed persons
# from 2014-03-17. Before that date the listing date is NOT FOUND: "possibly listed".
SURKOV = "Vladislav Surkov"  # SOR/2014-58, Sch. 1, Part 1, item 7, text known from 2016-03-18


@pytest.mark.parametrize(
    ("on", "status"),
    [
        ("2014-03-16", "not listed"),  # the day before the Regulations came into force
        ("2014-03-17", "possibly listed"),
        ("2016-03-17", "possibly listed"),
        ("2016-03-18", "listed"),
        ("2016-03-19", "listed"),
    ],
)
def test_sor_2014_58_sch_1_part_1_item_7_surkov_is_possibly_listed_before_the_text_date(on, status):
    answer = party(SURKOV, on)
    assert answer["status"] == status
    assert answer["listed"] is (status != "not listed")  # never a clean "no" in doubt
    if status == "not listed":
        assert answer["matches"] == []
        return
    (match,) = answer["matches"]
    assert (match["instrument"], match["part"], match["item"]) == ("SOR/2014-58", "1", "7")
    assert match["status"] == status
    assert match["listed_on_exact"] is False
    unknown = [c for c in answer["caveats"] if "NOT FOUND" in c]
    if status == "possibly listed":
        assert unknown == [
            "Vladislav Yur’yevich SURKOV (SOR/2014-58, Schedule 1, Part 1, item 7): the "
            "listing date is NOT FOUND in the data; the item's text is known from 2016-03-18, "
            "and the Schedule listed persons from 2014-03-17: possibly listed on this date."
        ]
    else:
        assert unknown == []


def test_sor_2014_58_sch_1_possibly_listed_is_said_in_french():
    answer = check_party(name=SURKOV, on="2015-01-01", lang="fr")
    assert answer["status"] == "possibly listed"
    assert any("INTROUVABLE" in c and "2016-03-18" in c for c in answer["caveats"])


@pytest.mark.parametrize(
    ("on", "status"), [("2022-02-23", "possibly listed"), ("2022-02-24", "listed")]
)
def test_sor_2014_58_sch_1_part_1_item_41_an_amended_item_dates_only_its_text(on, status):
    """Boris Rotenberg's item was amended on 2022-02-24 (lims:id differs from lims:fid):
    that is the date of its text, not of his listing."""
    answer = party("Boris Rotenberg", on)
    assert answer["status"] == status
    assert {m["item"]: m["status"] for m in answer["matches"]}["41"] == status


@pytest.mark.parametrize(("on", "status"), [("2019-03-14", "not listed"), ("2019-03-15", "listed")])
def test_sor_2014_58_sch_1_part_1_item_94_a_real_listing_date_still_answers_no_before_it(
    on, status
):
    """Items dated after the schedule's earliest version, and not amended, carry their
    listing date: before it the answer is a plain "not listed"."""
    answer = party("Andrey Igorevich Akimov", on)
    assert answer["status"] == status
    if status == "not listed":
        assert any("is listed from 2019-03-15" in c for c in answer["caveats"])


@pytest.mark.parametrize("day", ["2020-09-28", "2020-10-14"])
def test_sor_2020_214_sch_1_dates_are_listing_dates(day):
    """SOR/2020-214's Schedule 1 is in the XML from the Regulations' coming into force
    (2020-09-28), so every item's date is its listing (or amendment) date: none is marked."""
    from bilateral.engine.law import default_law

    plist = default_law().bundle.person_lists["sor-2020-214-schedule-1"]
    assert all(p.listed_on_exact for p in plist.persons)
    assert any(p.listed_on.isoformat() == day for p in plist.persons)


# --- a one-word name that is a whole part of a listed name: possibly listed ---------------


@pytest.mark.parametrize("surname", ["Lukashenko", "LUKASHENKA", "Лукашэнка"])
def test_a_surname_alone_is_a_partial_match_with_every_listed_lukashenko(surname):
    answer = party(surname, "2023-01-01")
    assert answer["listed"] is True
    assert {(m["item"], m["match"]) for m in answer["matches"]} == {
        ("8", "partial"),
        ("9", "partial"),
        ("86", "partial"),
    }
    assert any(
        c.startswith("Possibly listed:") and "Aleksandr Grigoryevich Lukashenko" in c
        for c in answer["caveats"]
    )


@pytest.mark.parametrize(("on", "listed"), [("2024-08-07", False), ("2024-08-08", True)])
def test_the_surname_in_capitals_finds_nikolai_lukashenko_from_2024_08_08(on, listed):
    items = [m["item"] for m in party("LUKASHENKA", on)["matches"]]
    assert ("120" in items) is listed


@pytest.mark.parametrize(
    ("word", "item"), [("Belaeronavigatsia", "1"), ("BelAZ", "2"), ("belaz", "2")]
)
@pytest.mark.parametrize(("on", "listed"), [("2021-06-16", False), ("2021-06-17", True)])
def test_an_entitys_distinctive_word_is_a_partial_match_from_its_listing(word, item, on, listed):
    answer = party(word, on)
    assert answer["listed"] is listed
    if listed:
        match = answer["matches"][0]
        assert (match["part"], match["item"], match["match"]) == ("2", item, "partial")
    else:
        assert any(f"Part 2, item {item}), after this date" in c for c in answer["caveats"])


def test_a_full_name_stays_an_exact_match_not_a_partial_one():
    answer = party("Dmitry Lukashenko", "2023-01-01")
    assert [(m["item"], m["match"]) for m in answer["matches"]] == [("86", "exact")]
    assert not any(c.startswith("Possibly listed:") for c in answer["caveats"])
