"""The law bundle loads, every rule is cited and dated, and bad law data is refused with the
file, the line and the reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bilateral import countries
from bilateral.engine.checks import check_party, measures
from bilateral.errors import LawDataError
from bilateral.law.loader import load
from bilateral.law.model import Confidence, DelayedStart, Rule

BUNDLE = load()
RULES = sorted(BUNDLE.rules.values(), key=lambda r: r.id)


# --- the bundled law -----------------------------------------------------------------------


def test_the_bundled_law_loads_with_a_content_hash_as_its_version():
    assert BUNDLE.law_version.startswith("sha256:")
    assert len(BUNDLE.rules) >= 40
    assert load().law_version == BUNDLE.law_version


@pytest.mark.parametrize(
    "rule_id",
    [
        "acl.belarus",
        "acl.burma",
        "acl.dprk",
        "policy.belarus.notice-148",
        "policy.belarus.interim-2016",
        "policy.dprk.notice-172",
        "gpt.withdrawal.belarus-2007",
        "mfn.withdrawal.2022-1",
        "mfn.withdrawal.2022-2",
        "mfn.withdrawal.2022-2.exemption-2844-43",
        "tariff.general-tariff-rate",
        "sema.belarus.s3-dealings",
        "sema.belarus.s3-4-petroleum",
        "sema.belarus.s3-5-potash",
        "sema.belarus.s3-6-restricted-goods",
        "sema.belarus.s3-7-luxury-export",
        "sema.belarus.s3-7-luxury-import",
        "sema.belarus.s3-8-weapons-goods",
        "suspension.belarus.ecl-2020",
        "gep.41",
        "ecl.scope.group-9",
        "sema.dprk.s2-export-ban",
        "engagement.dprk.controlled",
        "engagement.belarus.limited",
        "gpt.withdrawal.2013-review",
        "gpt.withdrawal.2023-review",
        "gpt.extension.2023-review",
        "gpt.withdrawal.2004-eu-accession",
        "gpt.withdrawal.2007-bulgaria-romania",
        "gpt.burma.1997-2015",
        "gpt.burma.restored-2015",
    ],
)
def test_the_bundle_holds_the_rule(rule_id):
    assert rule_id in BUNDLE.rules


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_is_cited_dated_and_bilingual(rule: Rule):
    assert rule.instrument and rule.provision
    assert rule.url.startswith(("http://", "https://"))
    assert rule.valid_from is None or isinstance(rule.valid_from, dt.date)
    if rule.valid_from and rule.valid_to:
        assert rule.valid_from <= rule.valid_to
    if rule.valid_from is None or rule.confidence is not Confidence.VERIFIED:
        assert rule.note, "an open start or a non-verified rule says why in a note"
    for text in (rule.label, rule.summary):
        assert text.en.strip() and text.fr.strip()
    assert BUNDLE.rule_file[rule.id].startswith("instruments/")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_names_only_known_countries(rule: Rule):
    effect = rule.effect
    named = [getattr(effect, "country", None)]
    for attr in ("countries", "destinations", "except_countries"):
        value = getattr(effect, attr, ())
        if isinstance(value, tuple):  # ECL scopes spell "destinations" as a word
            named.extend(value)
    known = countries.known_codes()
    assert all(code in known for code in named if code is not None)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_exception_names_a_rule_of_the_bundle(rule: Rule):
    for base in rule.exception_to:
        assert base in BUNDLE.rules
        assert rule.id in BUNDLE.exceptions_of[base]


def test_s_3_7_takes_effect_60_days_after_2022_06_25_that_is_2022_08_24():
    assert DelayedStart(days_after=60, of=dt.date(2022, 6, 25)).resolve() == dt.date(2022, 8, 24)
    for rule_id in (
        "sema.belarus.s3-7-luxury-export",
        "sema.belarus.s3-7-luxury-import",
        "sema.belarus.s3-8-weapons-goods",
    ):
        assert BUNDLE.rules[rule_id].valid_from == dt.date(2022, 8, 24)


def test_the_goods_and_person_lists_are_bundled():
    assert {g for g in BUNDLE.goods_lists if g.startswith("sor-2020-214")} == {
        "sor-2020-214-schedule-2-part-1",
        "sor-2020-214-schedule-2-part-2",
        "sor-2020-214-schedule-4-part-1",
        "sor-2020-214-schedule-4-part-2",
        "sor-2020-214-schedule-5",
    }
    # Russia (SOR/2014-58): every HS-coded goods schedule its prohibitions name.
    assert {g for g in BUNDLE.goods_lists if g.startswith("sor-2014-58")} == {
        "sor-2014-58-schedule-4",
        "sor-2014-58-schedule-5",
        "sor-2014-58-schedule-5.01",
        "sor-2014-58-schedule-5.02",
        "sor-2014-58-schedule-6-part-1",
        "sor-2014-58-schedule-6-part-2",
        "sor-2014-58-schedule-7",
        "sor-2014-58-schedule-9",
        "sor-2014-58-schedule-11-part-1",
        "sor-2014-58-schedule-11-part-2",
        "sor-2014-58-schedule-12-part-1",
        "sor-2014-58-schedule-12-part-2",
        "sor-2014-58-schedule-13-part-1",
        "sor-2014-58-schedule-13-part-2",
    }
    used = {
        r.effect.goods.goods_list  # type: ignore[union-attr]
        for r in BUNDLE.rules.values()
        if r.effect.kind in ("export_prohibition", "import_prohibition")
    }
    assert set(BUNDLE.goods_lists) - used == set(), "a bundled schedule no rule applies"
    persons = BUNDLE.person_lists["sor-2020-214-schedule-1"].persons
    assert len(persons) == 320
    assert min(p.listed_on for p in persons) == dt.date(2020, 9, 28)


# --- bad law data is refused with file, line and reason ---------------------------------------


def _break(root: Path, file: str, old: str, new: str) -> Path:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the fixture text to break is not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _refused(root: Path) -> LawDataError:
    with pytest.raises(LawDataError) as caught:
        load(root)
    return caught.value


def _line(root: Path, error: LawDataError) -> str:
    assert error.line is not None, f"no line in {error}"
    return (root / error.file).read_text(encoding="utf-8").splitlines()[error.line - 1]


NOTICE_172 = "instruments/notice-172.yaml"
NOTICE_172_URL = (
    "    url: https://www.international.gc.ca/controls-controles/systems-systemes/excol-ceed/"
    "notices-avis/172.aspx?lang=eng\n"
    "    url_fr: https://www.international.gc.ca/controls-controles/systems-systemes/excol-ceed/"
    "notices-avis/172.aspx?lang=fra\n    valid_from"
)

EXTRA_ORDER = """instrument: SOR/2010-999
title: {en: Test order, fr: Décret d'essai}
url: https://example.org/sor-2010-999
kind: order
rules:
  - id: acl.extra
    instrument: SOR/2010-999
    provision: s. 1
    url: https://example.org/sor-2010-999
    valid_from: FROM
    valid_to: TO
    label: {en: Listed again, fr: Inscrit de nouveau}
    summary: {en: Listed again., fr: Inscrit de nouveau.}
    confidence: verified
    effect: {kind: area_control_list, country: COUNTRY}
"""


def test_the_unbroken_copy_loads_to_the_same_version(law_copy):
    assert load(law_copy).law_version == BUNDLE.law_version


def test_a_changed_file_changes_the_law_version(law_copy):
    _break(law_copy, NOTICE_172, "Casual gifts", "Casual  gifts")
    assert load(law_copy).law_version != BUNDLE.law_version


def test_a_rule_without_url_is_refused(law_copy):
    _break(law_copy, NOTICE_172, NOTICE_172_URL, "    valid_from")
    error = _refused(law_copy)
    assert error.file == NOTICE_172
    assert "url" in error.reason and "Field required" in error.reason
    assert "id: policy.dprk.notice-172" in _line(law_copy, error)
    assert str(error).startswith(f"{NOTICE_172}:{error.line}: ")


def test_a_rule_with_a_malformed_url_is_refused(law_copy):
    _break(law_copy, NOTICE_172, NOTICE_172_URL, "    url: ''\n    valid_from")
    error = _refused(law_copy)
    assert "url" in error.reason
    assert _line(law_copy, error).strip() == "url: ''"


@pytest.mark.parametrize("code", ["ZZ", "XK", "kp", "BLR"])
def test_an_unknown_country_code_is_refused(law_copy, code):
    _break(law_copy, NOTICE_172, "country: KP", f"country: {code}")
    error = _refused(law_copy)
    assert error.file == NOTICE_172
    assert f"unknown country {code!r}" in error.reason
    assert "id: policy.dprk.notice-172" in _line(law_copy, error)


def test_an_unknown_destination_of_a_general_permit_is_refused(law_copy):
    _break(law_copy, "instruments/sor-2015-200.yaml", "TR, GB, US]", "TR, GB, UU]")
    error = _refused(law_copy)
    assert "unknown country 'UU'" in error.reason
    assert "id: gep.41" in _line(law_copy, error)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("26.11", "should match pattern"),
        ("2611x", "should match pattern"),
        ("261", "malformed HS code"),
        ("9999", "in no bundled edition"),
    ],
)
def test_a_malformed_hs_code_in_a_goods_list_is_refused(law_copy, bad, reason):
    schedule_5 = "lists/sor-2020-214-schedule-5.yaml"
    _break(law_copy, schedule_5, "hs: '2611'", f"hs: '{bad}'")
    error = _refused(law_copy)
    assert error.file == schedule_5
    assert reason in error.reason
    assert _line(law_copy, error).strip() == f"hs: '{bad}'"


def test_a_malformed_hs_code_in_an_interpretation_is_refused(law_copy):
    interpretation = "interpretations/humanitarian-hs.yaml"
    _break(law_copy, interpretation, 'hs: ["61", "62"]', 'hs: ["61", "6x"]')
    error = _refused(law_copy)
    assert error.file == interpretation
    assert "malformed HS code '6x'" in error.reason
    assert '"6x"' in _line(law_copy, error)


def test_a_tariff_item_not_of_8_digits_is_refused(law_copy):
    _break(law_copy, "instruments/sor-2022-209.yaml", '["28444300"]', '["284443"]')
    error = _refused(law_copy)
    assert "tariff item 284443 is not 8 digits" in error.reason
    assert "exemption-2844-43" in _line(law_copy, error)


def test_two_acl_listings_of_one_country_over_overlapping_dates_are_refused(law_copy):
    extra = EXTRA_ORDER.replace("FROM", "2010-01-01").replace("TO", "2010-12-31")
    (law_copy / "instruments/zz-test.yaml").write_text(extra.replace("COUNTRY", "BY"))
    error = _refused(law_copy)
    assert error.file == "instruments/zz-test.yaml"
    assert "acl.extra contradicts acl.belarus" in error.reason
    assert "exception_to" in error.reason
    assert "id: acl.extra" in _line(law_copy, error)


def test_acl_listings_overlapping_by_a_single_day_are_refused(law_copy):
    _break(
        law_copy,
        "instruments/sor-81-543.yaml",
        "valid_from: 2010-07-13\n",
        "valid_from: 2010-07-13\n    valid_to: 2011-01-01\n",
    )
    extra = EXTRA_ORDER.replace("FROM", "2011-01-01").replace("TO", "2011-12-31")
    (law_copy / "instruments/zz-test.yaml").write_text(extra.replace("COUNTRY", "KP"))
    assert "contradicts acl.dprk" in _refused(law_copy).reason


def test_consecutive_acl_listings_of_one_country_load(law_copy):
    _break(
        law_copy,
        "instruments/sor-81-543.yaml",
        "valid_from: 2010-07-13\n",
        "valid_from: 2010-07-13\n    valid_to: 2011-01-01\n",
    )
    extra = EXTRA_ORDER.replace("FROM", "2011-01-02").replace("TO", "2011-12-31")
    (law_copy / "instruments/zz-test.yaml").write_text(extra.replace("COUNTRY", "KP"))
    assert "acl.extra" in load(law_copy).rules


def test_an_exception_that_forgets_its_base_rule_is_refused_as_a_contradiction(law_copy):
    interim = "instruments/gac-2016-05-07-belarus-interim.yaml"
    _break(law_copy, interim, "    exception_to: [policy.belarus.notice-148]\n", "")
    error = _refused(law_copy)
    assert "contradicts" in error.reason
    assert {"policy.belarus.notice-148", "policy.belarus.interim-2016"} <= set(
        error.reason.replace("(", " ").split()
    )


def test_an_exception_to_an_unknown_rule_is_refused(law_copy):
    interim = "instruments/gac-2016-05-07-belarus-interim.yaml"
    _break(law_copy, interim, "[policy.belarus.notice-148]", "[policy.belarus.notice-999]")
    error = _refused(law_copy)
    assert error.file == interim
    assert "exception to unknown rule policy.belarus.notice-999" in error.reason
    assert "id: policy.belarus.interim-2016" in _line(law_copy, error)


def test_valid_to_before_valid_from_is_refused(law_copy):
    _break(
        law_copy,
        NOTICE_172,
        "valid_from: 2010-07-13\n",
        "valid_from: 2010-07-13\n    valid_to: 2010-07-01\n",
    )
    error = _refused(law_copy)
    assert "valid_to 2010-07-01 is before valid_from 2010-07-13" in error.reason
    assert "id: policy.dprk.notice-172" in _line(law_copy, error)


def test_an_inferred_rule_without_a_note_is_refused(law_copy):
    order = "instruments/sor-2015-62.yaml"
    _break(
        law_copy,
        order,
        "    confidence: verified\n    note: Canada Gazette Part II of 2015-03-25 (S49); "
        "in force 2015-03-13.\n",
        "    confidence: inferred\n",
    )
    error = _refused(law_copy)
    assert error.file == order
    assert "inferred rule needs a note" in error.reason
    assert "id: gpt.burma.restored-2015" in _line(law_copy, error)


def test_an_open_start_without_a_note_is_refused(law_copy):
    order = "instruments/sor-2015-62.yaml"
    _break(law_copy, order, "valid_from: 2015-03-13\n", "valid_from: null\n")
    _break(
        law_copy,
        order,
        "    note: Canada Gazette Part II of 2015-03-25 (S49); in force 2015-03-13.\n",
        "",
    )
    assert "open start" in _refused(law_copy).reason


def test_duplicate_rule_ids_are_refused(law_copy):
    _break(law_copy, NOTICE_172, "id: policy.dprk.notice-172", "id: acl.dprk")
    error = _refused(law_copy)
    assert "rule id acl.dprk also in" in error.reason
    assert "id: acl.dprk" in _line(law_copy, error)
    assert {error.file, error.reason.rsplit(" ", 1)[-1]} == {
        NOTICE_172,
        "instruments/sor-81-543.yaml",
    }


def test_a_rule_citing_another_instrument_than_its_file_is_refused(law_copy):
    _break(
        law_copy,
        NOTICE_172,
        "    instrument: Notice to Exporters No. 172",
        "    instrument: Notice to Exporters No. 148",
    )
    error = _refused(law_copy)
    assert error.file == NOTICE_172
    assert "cites Notice to Exporters No. 148" in error.reason
    assert "one file per instrument" in error.reason
    assert "id: policy.dprk.notice-172" in _line(law_copy, error)


def test_a_missing_french_summary_is_refused(law_copy):
    _break(
        law_copy,
        NOTICE_172,
        "      fr: >-\n        Les demandes",
        "      fx: >-\n        Les demandes",
    )
    error = _refused(law_copy)
    assert "summary.fr" in error.reason
    assert error.line is not None


def test_an_unknown_effect_kind_is_refused_on_its_line(law_copy):
    _break(law_copy, NOTICE_172, "kind: licensing_policy", "kind: licencing_policy")
    error = _refused(law_copy)
    assert "licencing_policy" in error.reason
    assert "kind: licencing_policy" in _line(law_copy, error) or "effect:" in _line(law_copy, error)


@pytest.mark.parametrize(
    ("target", "reference"),
    [
        ("listing: sor-2020-214-schedule-1", "unknown person list"),
        ("goods_list: sor-2020-214-schedule-5", "unknown goods list"),
    ],
)
def test_a_rule_naming_an_unbundled_list_is_refused(law_copy, target, reference):
    _break(law_copy, "instruments/sor-2020-214.yaml", target, target[:-1] + "9")
    assert reference in _refused(law_copy).reason


def test_a_delayed_start_of_zero_days_is_refused(law_copy):
    _break(
        law_copy,
        "instruments/sor-2020-214.yaml",
        "{days_after: 60, of: 2022-06-25}",
        "{days_after: 0, of: 2022-06-25}",
    )
    error = _refused(law_copy)
    assert "days_after" in error.reason
    assert "days_after: 0" in _line(law_copy, error)


def test_a_yaml_syntax_error_in_an_instrument_is_refused_with_its_line(law_copy):
    _break(law_copy, NOTICE_172, "rules:", "rules: [")
    error = _refused(law_copy)
    assert error.file == NOTICE_172
    assert error.line is not None


def test_a_yaml_syntax_error_in_a_goods_list_is_refused_with_its_line(law_copy):
    _break(law_copy, "lists/sor-2020-214-schedule-5.yaml", "items:", "items: [")
    error = _refused(law_copy)
    assert error.file == "lists/sor-2020-214-schedule-5.yaml"
    assert error.line is not None


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        (NOTICE_172, "valid_from: 2010-07-13", "valid_from: 2010-02-30"),
        ("lists/sor-2020-214-schedule-1.yaml", "listed_on: 2020-09-28", "listed_on: 2020-09-31"),
    ],
)
def test_an_impossible_date_is_refused_with_file_and_line(law_copy, file, old, new):
    _break(law_copy, file, old, new)
    error = _refused(law_copy)
    assert error.file == file
    assert new.split(": ")[1] in _line(law_copy, error)


def test_an_empty_law_folder_is_refused(tmp_path):
    (tmp_path / "instruments").mkdir()
    assert "no instrument files" in _refused(tmp_path).reason


def test_two_cumulative_export_prohibitions_for_one_country_are_not_a_contradiction(law_copy):
    second = """  - id: sema.belarus.s3-9-test
    instrument: SOR/2020-214
    provision: s. 3.9 (a second schedule described in words)
    url: https://laws-lois.justice.gc.ca/eng/regulations/SOR-2020-214/
    valid_from: 2023-01-01
    label: {en: A second list in words, fr: Une seconde liste en mots}
    summary: {en: A second prohibition., fr: Une seconde interdiction.}
    confidence: verified
    effect:
      kind: export_prohibition
      country: BY
      goods:
        unmapped_list: {en: "Schedule 6", fr: "annexe 6"}
"""
    path = law_copy / "instruments/sor-2020-214.yaml"
    path.write_text(path.read_text(encoding="utf-8") + second, encoding="utf-8")
    assert "sema.belarus.s3-9-test" in load(law_copy).rules


# --- every boundary of every rule: the day before, the day of, the day after -----------------

ONE_DAY = dt.timedelta(days=1)


def _boundary_days(rule: Rule) -> list[tuple[dt.date, bool]]:
    """The day before, of and after each end of a rule's interval, and whether it applies."""
    days: list[tuple[dt.date, bool]] = []
    if rule.valid_from is not None and rule.valid_from > dt.date(1981, 7, 3):
        first = rule.valid_from
        still = rule.valid_to is None or first + ONE_DAY <= rule.valid_to
        days += [(first - ONE_DAY, False), (first, True), (first + ONE_DAY, still)]
    if rule.valid_to is not None:
        last = rule.valid_to
        began = rule.valid_from is None or rule.valid_from <= last - ONE_DAY
        days += [(last - ONE_DAY, began), (last, True), (last + ONE_DAY, False)]
    return days


_BOUNDARIES = [(rule.id, day, applies) for rule in RULES for day, applies in _boundary_days(rule)]


@pytest.mark.parametrize(
    ("rule_id", "day", "in_force"), _BOUNDARIES, ids=[f"{r}-{d}" for r, d, _ in _BOUNDARIES]
)
def test_every_rule_is_in_force_from_its_first_to_its_last_day_and_not_a_day_more(
    rule_id, day, in_force
):
    rule = BUNDLE.rules[rule_id]
    assert rule.in_force(day) is in_force
    effect = rule.effect
    country = getattr(effect, "country", None) or next(iter(getattr(effect, "countries", ())), None)
    if country is not None:
        shown = {m["rule"] for m in measures(country=country, on=day)["measures"]}
        assert (rule_id in shown) is in_force


_FIRST_OF_EACH_LISTING_DAY = {
    p.listed_on: p for p in reversed(BUNDLE.person_lists["sor-2020-214-schedule-1"].persons)
}


@pytest.mark.parametrize("listed_on", sorted(_FIRST_OF_EACH_LISTING_DAY), ids=str)
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_schedule_1_persons_count_from_their_listing_day(listed_on, offset):
    person = _FIRST_OF_EACH_LISTING_DAY[listed_on]
    day = listed_on + dt.timedelta(days=offset)
    answer = check_party(name=person.name, on=day)
    found = {(m["part"], m["item"]) for m in answer["matches"]}
    assert ((person.part, person.item) in found) is (offset >= 0)
