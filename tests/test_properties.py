"""Properties that hold for every question, not only the ones a person thought to ask.

- No input string crashes the engine's door: it answers, or refuses with BadInput.
- Every export answer has one of the seven outcomes, and a permit is required whenever the
  destination is on the Area Control List that day.
- Severity is monotone: adding a prohibition to the law never makes an answer less
  restrictive; a listed person stays listed on later days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilateral.engine.checks import (
    area_control_list,
    check_contact,
    check_export,
    check_import,
    check_party,
)
from bilateral.engine.law import Law, default_law
from bilateral.errors import BadInput
from bilateral.goods import hs
from bilateral.law.model import (
    Bilingual,
    Confidence,
    ExportProhibition,
    GoodsScope,
    HumanitarianCategory,
    Instrument,
    Outcome,
    Rule,
    Topic,
)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUICK = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OUTCOMES = {o.value for o in Outcome}
COUNTRIES = ["BY", "KP", "MM", "RU", "DE", "US", "CN", "PL", "VN", "LB", "JP"]
FIRST, LAST = dt.date(1981, 7, 3), dt.date(2030, 12, 31)
LAW = default_law()

days = st.dates(min_value=FIRST, max_value=LAST)
# Boundary dates and their neighbours are where mistakes live: draw them often.
_changes = [
    d + dt.timedelta(days=k)
    for d in LAW.change_dates
    for k in (-1, 0)
    if FIRST <= d + dt.timedelta(days=k) <= LAST
]
interesting_days = st.one_of(days, st.sampled_from(_changes))
words = st.text(max_size=40)
maybe_words = st.one_of(st.none(), words)


def _codes_on(day: dt.date) -> list[str]:
    edition = hs.edition_on(day) or hs.editions()[0]
    return sorted(c for c in edition.codes if len(c) in (4, 6))


@st.composite
def day_and_hs(draw: st.DrawFn) -> tuple[dt.date, str]:
    day = draw(interesting_days)
    code = draw(st.sampled_from(_codes_on(day)))
    return day, code


def _answers_or_refuses(call, **kwargs):
    try:
        return call(**kwargs)
    except BadInput as error:
        assert error.field and error.problem
        assert "\n" not in str(error)
        return None


# --- no input string crashes the door ----------------------------------------------------


@FAST
@given(to=words, on=words, hs_code=maybe_words, category=maybe_words, ecl=maybe_words)
def test_no_export_question_crashes(to, on, hs_code, category, ecl):
    _answers_or_refuses(check_export, to=to, on=on, hs=hs_code, category=category, ecl=ecl)


@FAST
@given(
    to=st.sampled_from(["BY", "Belarus", "KP", "DE"]),
    on=interesting_days,
    ecl=st.from_regex(
        r"[1-9]-[0-9]{1,2}(\.[a-z](\.[0-9])?)?|5[0-9]{3}(\.[0-9](\.[a-g])?)?", fullmatch=True
    ),
)
def test_no_ecl_item_crashes_the_export_question(to, on, ecl):
    _answers_or_refuses(check_export, to=to, on=on, ecl=ecl)


@FAST
@given(origin=words, on=words, hs_code=words, mfn_rate=maybe_words)
def test_no_import_question_crashes(origin, on, hs_code, mfn_rate):
    _answers_or_refuses(check_import, origin=origin, on=on, hs=hs_code, mfn_rate=mfn_rate)


@FAST
@given(country=words, on=words, topic=words)
def test_no_contact_question_crashes(country, on, topic):
    _answers_or_refuses(check_contact, with_=country, on=on, topic=topic)


@FAST
@given(name=st.text(max_size=80), on=st.one_of(words, days.map(str)))
def test_no_party_question_crashes(name, on):
    _answers_or_refuses(check_party, name=name, on=on)


@QUICK
@given(on=st.one_of(words, days.map(str)), lang=st.sampled_from(["en", "fr", "de", ""]))
def test_no_acl_question_crashes(on, lang):
    _answers_or_refuses(area_control_list, on=on, lang=lang)


# --- export outcomes and the Area Control List ---------------------------------------------


@FAST
@given(country=st.sampled_from(COUNTRIES), when_what=day_and_hs())
def test_a_destination_on_the_acl_always_needs_a_permit(country, when_what):
    day, code = when_what
    answer = check_export(to=country, on=day, hs=code)
    assert answer["outcome"] in OUTCOMES
    listed = country in area_control_list(on=day)["countries"]
    if listed:
        assert answer["permit_required"] is True
        assert any(r["kind"] == "area_control_list" for r in _reason_rules(answer))
    else:
        # An HS code alone never says "ECL": off the ACL, no permit is required by it.
        assert answer["permit_required"] is False


@FAST
@given(
    country=st.sampled_from(COUNTRIES),
    day=interesting_days,
    category=st.sampled_from([c.value for c in HumanitarianCategory]),
)
def test_every_answer_has_one_of_the_seven_outcomes_and_a_permit_has_a_posture(
    country, day, category
):
    answer = check_export(to=country, on=day, category=category)
    assert answer["outcome"] in OUTCOMES
    if answer["permit_required"]:
        assert answer["outcome"] != "not_required"
    for reason in answer["reasons"]:
        rule = LAW.bundle.rules[reason["rule"]]
        assert rule.in_force(day), f"{rule.id} cited outside its interval on {day}"


def _reason_rules(answer: dict) -> list[dict]:
    return [{"kind": LAW.bundle.rules[r["rule"]].effect.kind} for r in answer["reasons"]]


# --- monotone severity: adding a prohibition never relaxes an answer --------------------------


def _with_prohibition(country: str, start: dt.date, scope: GoodsScope) -> Law:
    rule = Rule(
        id="test.added-prohibition",
        instrument="Test Regulations",
        provision="s. 1",
        url="https://example.org/test",
        valid_from=start,
        label=Bilingual(en="Added prohibition", fr="Interdiction ajoutée"),
        summary=Bilingual(en="A prohibition added for the test.", fr="Ajoutée pour l'essai."),
        confidence=Confidence.VERIFIED,
        effect=ExportProhibition(kind="export_prohibition", country=country, goods=scope),
    )
    instrument = Instrument(
        instrument="Test Regulations",
        title=Bilingual(en="Test Regulations", fr="Règlement d'essai"),
        url="https://example.org/test",
        kind="regulation",
        rules=(rule,),
    )
    bundle = dataclasses.replace(
        LAW.bundle,
        instruments=(*LAW.bundle.instruments, instrument),
        rules={**LAW.bundle.rules, rule.id: rule},
        rule_file={**LAW.bundle.rule_file, rule.id: "instruments/test.yaml"},
    )
    return Law(bundle)


_ADDED = {
    (country, start, kind): _with_prohibition(
        country,
        start,
        GoodsScope(all_goods=True)
        if kind == "all"
        else GoodsScope(goods_list="sor-2020-214-schedule-5"),
    )
    for country in ("BY", "DE", "KP")
    for start in (dt.date(2000, 1, 1), dt.date(2016, 5, 7), dt.date(2022, 8, 24))
    for kind in ("all", "schedule-5")
}


@FAST
@given(
    added=st.sampled_from(sorted(_ADDED, key=str)),
    when_what=day_and_hs(),
    category=st.one_of(st.none(), st.sampled_from([c.value for c in HumanitarianCategory])),
)
def test_adding_a_prohibition_never_makes_an_export_less_restrictive(added, when_what, category):
    country, start, _ = added
    day, code = when_what
    goods = {"category": category} if category else {"hs": code}
    before = check_export(to=country, on=day, **goods)
    after = check_export(to=country, on=day, law=_ADDED[added], **goods)
    assert Outcome(after["outcome"]).severity >= Outcome(before["outcome"]).severity
    assert after["permit_required"] is before["permit_required"]
    if day >= start and "test.added-prohibition" in [r["rule"] for r in after["reasons"]]:
        assert after["outcome"] == "prohibited"


@QUICK
@given(day=interesting_days, code=st.sampled_from(["8703", "220300", "2611", "1001", "6109"]))
def test_belarus_exports_are_never_less_restrictive_on_the_acl_than_the_day_it_left(day, code):
    """Sanity of the ACL interval: on the list, the outcome is at least the off-list one."""
    if not dt.date(2006, 12, 14) <= day <= dt.date(2017, 6, 19):
        return
    on_list = check_export(to="BY", on=day, hs=code)
    assert on_list["permit_required"] is True
    assert Outcome(on_list["outcome"]).severity >= Outcome.GENERALLY_APPROVED.severity


# --- imports --------------------------------------------------------------------------------


@FAST
@given(
    origin=st.sampled_from([*COUNTRIES, "LB", "TN", "BG", "RO", "HU"]),
    when_what=day_and_hs(),
    mfn=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
)
def test_import_answers_are_consistent(origin, when_what, mfn):
    day, code = when_what
    answer = check_import(
        origin=origin, on=day, hs=code, mfn_rate=None if mfn is None else str(mfn)
    )
    treatment = answer["treatment"]
    assert treatment is None or treatment in answer["treatments_available"]
    if treatment is None:
        assert answer["treatments_available"] == []
    elif day >= dt.date(1998, 1, 1):
        assert answer["treatments_available"][-1] == "GT"
    else:  # the General Tariff is s. 29 of the 1997 Act, not in force before 1998
        assert "GT" not in answer["treatments_available"]
    if treatment == "GT":
        expected = max(Decimal(35), mfn) if mfn is not None else Decimal(35)
        assert Decimal(str(answer["rate"])) == expected
    for reason in answer["reasons"]:
        rule = LAW.bundle.rules[reason["rule"]]
        assert rule.in_force(day) or reason["because"].startswith("inferred:")


# --- parties --------------------------------------------------------------------------------

_PERSONS = LAW.bundle.person_lists["sor-2020-214-schedule-1"].persons


@QUICK
@given(person=st.sampled_from(_PERSONS), later=st.integers(min_value=0, max_value=2000))
def test_a_listed_person_is_found_under_their_own_name_from_their_listing_on(person, later):
    on = person.listed_on + dt.timedelta(days=later)
    answer = check_party(name=person.name, on=on)
    assert answer["listed"] is True
    assert (person.part, person.item) in {(m["part"], m["item"]) for m in answer["matches"]}
    before = check_party(name=person.name, on=person.listed_on - dt.timedelta(days=1))
    assert (person.part, person.item) not in {(m["part"], m["item"]) for m in before["matches"]}


@QUICK
@given(
    country=st.sampled_from(["BY", "KP"]),
    day=interesting_days,
    topic=st.sampled_from([t.value for t in Topic]),
)
def test_contact_is_refused_only_while_an_engagement_policy_is_in_force(country, day, topic):
    answer = check_contact(with_=country, on=day, topic=topic)
    if not answer["allowed"]:
        assert [r["kind"] for r in _reason_rules(answer)] == ["engagement_policy"]
