"""Official contact: Belarus's limited engagement (2006-12-14 to 2016-05-06) and North Korea's
controlled engagement (from 2010-10-28)."""

from __future__ import annotations

import pytest

from bilateral.engine.checks import check_contact
from bilateral.errors import BadInput

BELARUS_LIMITED = "engagement.belarus.limited"
DPRK_CONTROLLED = "engagement.dprk.controlled"


def rules(answer: dict) -> list[str]:
    return [reason["rule"] for reason in answer["reasons"]]


def contact(country: str, on: str, topic: str) -> dict:
    return check_contact(with_=country, on=on, topic=topic)


@pytest.mark.parametrize(
    ("on", "allowed", "deciding"),
    [
        ("2006-12-13", True, []),
        ("2006-12-14", False, [BELARUS_LIMITED]),
        ("2006-12-15", False, [BELARUS_LIMITED]),
        ("2016-05-05", False, [BELARUS_LIMITED]),
        ("2016-05-06", False, [BELARUS_LIMITED]),
        ("2016-05-07", True, []),
        ("2016-05-08", True, []),
    ],
)
def test_trade_talks_with_belarus_were_disallowed_under_the_limited_engagement_policy(
    on, allowed, deciding
):
    answer = contact("BY", on, "trade")
    assert answer["topic"] == "trade_and_investment"
    assert answer["allowed"] is allowed
    assert rules(answer) == deciding


@pytest.mark.parametrize(
    "topic",
    [
        "consular",
        "consular relations",
        "human rights",
        "democratic development",
        "international security",
        "consular_relations",
    ],
)
@pytest.mark.parametrize("on", ["2006-12-14", "2010-01-01", "2016-05-06"])
def test_consular_human_rights_and_security_contact_with_belarus_stayed_allowed(topic, on):
    answer = contact("Belarus", on, topic)
    assert answer["allowed"] is True
    assert rules(answer) == [BELARUS_LIMITED]
    assert answer["reasons"][0]["because"].endswith("is a permitted area of contact")


@pytest.mark.parametrize("topic", ["culture", "education", "political", "defence", "trade"])
def test_other_topics_with_belarus_were_outside_the_permitted_areas(topic):
    answer = contact("BY", "2010-01-01", topic)
    assert answer["allowed"] is False
    assert answer["reasons"][0]["because"].endswith("is outside the permitted areas of contact")


@pytest.mark.parametrize(
    ("on", "allowed", "deciding"),
    [
        ("2010-10-27", True, []),
        ("2010-10-28", False, [DPRK_CONTROLLED]),
        ("2010-10-29", False, [DPRK_CONTROLLED]),
        ("2025-01-01", False, [DPRK_CONTROLLED]),
    ],
)
def test_trade_talks_with_north_korea_are_disallowed_from_2010_10_28(on, allowed, deciding):
    answer = contact("North Korea", on, "trade")
    assert answer["allowed"] is allowed
    assert rules(answer) == deciding


@pytest.mark.parametrize(
    ("topic", "allowed"),
    [
        ("regional security", True),
        ("human rights", True),
        ("humanitarian", True),
        ("inter-korean relations", True),
        ("consular", True),
        ("international security", False),
        ("culture", False),
        ("defence", False),
    ],
)
def test_controlled_engagement_with_north_korea_permits_its_four_areas(topic, allowed):
    answer = contact("KP", "2012-01-01", topic)
    assert answer["allowed"] is allowed
    assert rules(answer) == [DPRK_CONTROLLED]


@pytest.mark.parametrize("country", ["DE", "US", "RU", "MM"])
def test_contact_with_countries_under_no_engagement_policy_is_allowed(country):
    answer = contact(country, "2012-01-01", "trade")
    assert answer["allowed"] is True
    assert rules(answer) == []


@pytest.mark.parametrize("topic", ["weather", "", "sports"])
def test_unknown_topics_are_refused_naming_the_topic_field(topic):
    with pytest.raises(BadInput) as error:
        contact("BY", "2010-01-01", topic)
    assert error.value.field == "topic"


@pytest.mark.parametrize("topic", ["democratic development", "democracy"])
def test_democratic_development_is_not_a_permitted_area_of_contact_with_north_korea(topic):
    answer = contact("KP", "2012-01-01", topic)
    assert answer["allowed"] is False
    assert rules(answer) == [DPRK_CONTROLLED]


# engagement.belarus.limited: its start (2006-12-14) and end (2016-05-06) are inferred. Between
# the 2006-03-19 presidential election the policy followed and the inferred start, and between
# the inferred end and 2016-12-12 (ambassadors' accreditation suspended until then), an
# "allowed" says the boundary is inferred.
INFERRED = "is inferred, not found in the sources"


@pytest.mark.parametrize(
    ("on", "allowed", "boundary"),
    [
        ("2006-03-18", True, None),  # before the election the policy followed
        ("2006-03-19", True, "start"),
        ("2006-06-01", True, "start"),
        ("2006-12-13", True, "start"),
        ("2006-12-14", False, None),  # the policy applies: not allowed, no guess to flag
        ("2016-05-06", False, None),
        ("2016-05-07", True, "end"),
        ("2016-12-12", True, "end"),
        ("2016-12-13", True, None),
    ],
)
def test_belarus_limited_engagement_inferred_start_and_end_are_said_near_them(
    on, allowed, boundary
):
    answer = contact("Belarus", on, "trade")
    assert answer["allowed"] is allowed
    flagged = [c for c in answer["caveats"] if INFERRED in c]
    if boundary is None:
        assert flagged == []
    else:
        (caveat,) = flagged
        assert caveat.startswith(f"The {boundary} of the rule")
        assert BELARUS_LIMITED in caveat
        assert ("2006-12-14" if boundary == "start" else "2016-05-06") in caveat


def test_belarus_inferred_start_is_not_flagged_for_a_permitted_area():
    """Consular contact was allowed under the policy too: the boundary changes nothing."""
    assert contact("Belarus", "2006-06-01", "consular")["caveats"] == []


def test_belarus_inferred_start_caveat_in_french():
    answer = check_contact(with_="Belarus", on="2006-06-01", topic="trade", lang="fr")
    assert any("est déduit et non tiré des sources" in c for c in answer["caveats"])


NO_POLICY = "No contact policy for this period is in the data"


@pytest.mark.parametrize(
    ("country", "on", "instrument"),
    [
        ("Belarus", "2023-01-01", "SOR/2020-214"),
        ("Belarus", "2020-09-28", "SOR/2020-214"),  # SEMA (Belarus) s. 3 in force
        ("Russia", "2023-01-01", "SOR/2014-58"),
        ("Russia", "2014-03-17", "SOR/2014-58"),  # SEMA (Russia) in force
    ],
)
def test_contact_under_sanctions_without_a_contact_policy_is_never_a_clean_yes(
    country, on, instrument
):
    answer = contact(country, on, "trade")
    assert answer["allowed"] is True
    (caveat,) = [c for c in answer["caveats"] if c.startswith(NO_POLICY)]
    assert f"Canada has sanctions in force against {country} ({instrument})" in caveat


@pytest.mark.parametrize(("country", "on"), [("Belarus", "2020-09-27"), ("Russia", "2014-03-16")])
def test_contact_the_day_before_sanctions_has_no_sanctions_caveat(country, on):
    answer = contact(country, on, "trade")
    assert not any(c.startswith(NO_POLICY) for c in answer["caveats"])


def test_contact_under_sanctions_caveat_in_french():
    answer = check_contact(with_="Russia", on="2023-01-01", topic="trade", lang="fr")
    assert any(
        "Aucune politique de contacts" in c and "DORS/2014-58" in c for c in answer["caveats"]
    )
