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
