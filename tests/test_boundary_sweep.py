"""A boundary sweep of every rule: the day before, of and after each boundary.

The expected first and last days below are typed from the sources (the official XML, the
Canada Gazette, the research notes), not read from the law data, so a rule whose dates shift
by one day in the YAML fails here. A rule added without an entry fails too.

Each boundary is checked twice: on the rule itself (in force or not), and through the
engine's door (the rule is listed among the measures for its country, or applied to a
question it decides), so a shift in the engine's date handling fails as well.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bilateral.engine.checks import check_export, check_import, measures
from bilateral.engine.law import default_law
from bilateral.errors import BadInput

D = dt.date.fromisoformat
OPEN = None

# rule id: (first day in force, last day in force); None = open. Source in the comment.
EXPECTED: dict[str, tuple[str | None, str | None]] = {
    # Customs Tariff, S.C. 1997, c. 36: in force 1998-01-01 (s. 214); ss. 36, 40 sunset.
    "tariff.general-tariff-rate": ("1998-01-01", OPEN),
    "gpt.belarus.before-2007": ("1998-01-01", "2007-07-31"),  # SOR/2007-174 from 2007-08-01
    "mfn.belarus-russia.before-2022": ("1998-01-01", "2022-03-01"),  # SOR/2022-35 2022-03-02
    "gt.dprk": ("2022-03-02", OPEN),  # Finance release of 2022-03-03 about 2022-03-02
    "gpt.expiry.s36": ("2034-12-31", OPEN),
    "ldct.expiry.s40": ("2034-12-31", OPEN),
    "customs-tariff.former-act": (OPEN, "1997-12-31"),
    # Export controls: notices and policies.
    "policy.belarus.interim-2016": ("2016-05-07", "2017-06-19"),  # until ACL removal
    "suspension.belarus.ecl-2020": ("2020-11-09", OPEN),
    "policy.belarus.notice-148": ("2006-12-14", "2017-06-19"),
    "policy.dprk.notice-172": ("2010-07-13", OPEN),
    "engagement.belarus.limited": ("2006-12-14", "2016-05-06"),
    "accreditation.belarus.suspended": ("2006-12-14", "2016-12-12"),
    "accreditation.belarus.credentials-2016": ("2016-12-13", "2016-12-13"),
    "embassy.belarus.ottawa-closed": ("2021-09-01", OPEN),
    "engagement.dprk.controlled": ("2010-10-28", OPEN),
    # Sanctions regimes known from GAC's list of 2020-04-15, start unknown.
    "sanctions-regime.ni": (OPEN, OPEN),
    "sanctions-regime.ss": (OPEN, OPEN),
    "sanctions-regime.sy": (OPEN, OPEN),
    "sanctions-regime.ua": (OPEN, OPEN),
    "sanctions-regime.ve": (OPEN, OPEN),
    "sanctions-regime.zw": (OPEN, OPEN),
    # GPT orders (s. 34(1)(b)), each "comes into force on" the day given.
    "gpt.withdrawal.2004-eu-accession": ("2004-05-01", OPEN),
    "gpt.withdrawal.2007-bulgaria-romania": ("2007-08-01", OPEN),
    "gpt.withdrawal.belarus-2007": ("2007-08-01", OPEN),
    "gpt.withdrawal.2013-review": ("2015-01-01", OPEN),
    "gpt.withdrawal.2023-review": ("2025-01-01", OPEN),
    "gpt.extension.2023-review": ("2025-01-01", OPEN),
    "gpt.burma.1997-2015": ("1997-08-07", "2015-03-12"),  # SOR/97-398; SOR/2015-62 03-13
    "ldct.burma.1997-2015": ("1997-08-07", "2015-03-12"),
    "gpt.burma.restored-2015": ("2015-03-13", OPEN),
    "ldct.burma.restored-2015": ("2015-03-13", OPEN),
    # MFN withdrawals: SOR/2022-35 from 2022-03-02, repealed 23:59:59 on 2022-10-07;
    # SOR/2022-209 ss. 3, 4 from 00:00:00 on 2022-10-08 (s. 8(2)).
    "mfn.withdrawal.2022-1": ("2022-03-02", "2022-10-07"),
    "mfn.withdrawal.2022-2": ("2022-10-08", OPEN),
    "mfn.withdrawal.2022-2.exemption-2844-43": ("2022-10-08", OPEN),
    # DPRK: UN Act regulations registered 2006-11-09; SEMA regulations 2011-08-11.
    "un.dprk.arms-export": ("2006-11-09", OPEN),
    "un.dprk.luxury-export": ("2006-11-09", OPEN),
    "un.dprk.arms-import": ("2006-11-09", OPEN),
    # XML text from 2016-10-21, and ss. 2 and 8 to 10 only from 2020-06-01 (SOR/2020-119)
    "un.dprk.2006-text-gap": ("2006-11-09", "2020-05-31"),
    # designated persons: s. 2 replaced by SOR/2020-119 s. 2, in force 2020-06-01 (XML);
    # before it, from the XML's first day, an inferred reading of the earlier text.
    "un.dprk.designated-persons-2006-text": ("2006-11-09", "2016-10-20"),
    "un.dprk.designated-persons-2016": ("2016-10-21", "2020-05-31"),
    "un.dprk.s2-designated-persons": ("2020-06-01", OPEN),
    "sema.dprk.s2-export-ban": ("2011-08-11", OPEN),
    "sema.dprk.s3-import-ban": ("2011-08-11", OPEN),
    # Burma: SOR/2007-285 registered 2007-12-13; SOR/2012-85 from 2012-04-24;
    # aviation fuel SOR/2023-13 from 2023-01-27.
    "sema.burma.2007-s3-export-ban": ("2007-12-13", "2012-04-23"),
    "sema.burma.2007-s4-import-ban": ("2007-12-13", "2012-04-23"),
    "sema.burma.s4a-arms-export": ("2012-04-24", OPEN),
    "sema.burma.s4a-aviation-fuel-export": ("2023-01-27", OPEN),
    "sema.burma.s4b-arms-import": ("2012-04-24", OPEN),
    "sema.burma.s3-listed-persons": ("2007-12-13", OPEN),
    # Iran: SOR/2010-165 registered 2010-07-22.
    "sema.iran.not-encoded": ("2010-07-22", OPEN),
    # Russia, SOR/2014-58 (XML lims dates; s. 3.06 from SOR/2022-67, Gazette).
    "sema.russia.s3-dealings": ("2014-03-17", OPEN),
    # Schedules 2 and 3: SOR/2014-184 from 2014-07-24 (historical notes of ss. 2.1 and 3);
    # ss. 3.01 and 3.02 as they now read from 2022-12-07 (SOR/2022-262, s. 1).
    "sema.russia.schedule-2-before-2022-12-07": ("2014-07-24", "2022-12-06"),
    "sema.russia.schedule-3-before-2022-12-07": ("2014-07-24", "2022-12-06"),
    "sema.russia.s3-01-s3-02-schedule-2": ("2022-12-07", OPEN),
    "sema.russia.s3-01-1-1-schedule-3": ("2022-12-07", OPEN),
    "sema.russia.s3-03-oil-exploration": ("2014-12-19", OPEN),
    "sema.russia.s3-05-petroleum-import": ("2022-03-10", OPEN),
    "sema.russia.s3-051-coal-import": ("2025-08-12", OPEN),
    "sema.russia.s3-052-jet-fuel-export": ("2025-08-12", OPEN),
    "sema.russia.s3-06-restricted-goods": ("2022-03-24", OPEN),
    "sema.russia.s3-08-luxury-export": ("2022-05-18", OPEN),
    "sema.russia.s3-08-luxury-import": ("2022-05-18", OPEN),
    "sema.russia.s3-09-industrial-export": ("2022-05-18", OPEN),
    "sema.russia.s3-11-gold-import": ("2022-07-08", OPEN),
    "sema.russia.s3-13-arms-export": ("2023-07-19", OPEN),
    "sema.russia.s3-13-arms-import": ("2023-07-19", OPEN),
    "sema.russia.s3-131-chemicals-export": ("2025-07-13", OPEN),
    "sema.russia.s3-14-metals-import-part-1": ("2023-03-10", OPEN),
    "sema.russia.s3-14-metals-import-part-2": ("2023-03-10", OPEN),
    "sema.russia.s3-15-diamonds-any-country": ("2024-03-01", OPEN),
    "sema.russia.s3-15-diamonds-russia": ("2024-03-01", OPEN),
    "sema.russia.s3-16-revenue-goods-part-1": ("2025-08-12", OPEN),
    "sema.russia.s3-16-revenue-goods-part-2": ("2025-08-12", OPEN),
    "sema.russia.earlier-texts": ("2014-03-17", OPEN),
    # GEP No. 41, SOR/2015-200, in force on registration 2015-07-22 (s. 8).
    "gep.41": ("2015-07-22", OPEN),
    # Belarus, SOR/2020-214: 2020-09-28; SOR/2021-184 2021-08-06; SOR/2022-75 2022-04-05;
    # SOR/2022-167 2022-06-25, ss. 3.7 and 3.8 take effect 60 days later: 2022-08-24.
    "sema.belarus.s3-dealings": ("2020-09-28", OPEN),
    "sema.belarus.s3-1-securities": ("2021-08-06", OPEN),
    "sema.belarus.s3-2-debt": ("2021-08-06", OPEN),
    "sema.belarus.s3-3-insurance": ("2021-08-06", OPEN),
    "sema.belarus.s3-4-petroleum": ("2021-08-06", OPEN),
    "sema.belarus.s3-5-potash": ("2021-08-06", OPEN),
    "sema.belarus.s3-6-restricted-goods": ("2022-04-05", OPEN),
    "sema.belarus.s3-7-luxury-export": ("2022-08-24", OPEN),
    "sema.belarus.s3-7-luxury-import": ("2022-08-24", OPEN),
    "sema.belarus.s3-8-weapons-goods": ("2022-08-24", OPEN),
    # Area Control List, SOR/81-543.
    "acl.burma": ("1997-08-07", "2012-04-23"),
    "acl.belarus": ("2006-12-14", "2017-06-19"),
    "acl.dprk": ("2010-07-13", OPEN),
    "acl.early-membership-gap": ("1981-07-03", "2006-08-01"),
    # Export Control List, SOR/89-202 s. 2 (consolidated baseline 2009-04-30; Group 9 from
    # SOR/2019-223, 2019-09-01).
    "ecl.scope.group-1": ("2009-04-30", OPEN),
    "ecl.scope.group-2": ("2009-04-30", OPEN),
    "ecl.scope.group-3": ("2009-04-30", OPEN),
    "ecl.scope.group-4": ("2009-04-30", OPEN),
    "ecl.scope.group-5": ("2009-04-30", OPEN),
    "ecl.scope.group-6": ("2009-04-30", OPEN),
    "ecl.scope.group-7": ("2009-04-30", OPEN),
    "ecl.scope.group-9": ("2019-09-01", OPEN),
    # our reading of HS Chapter 93 as Group 2 starts with the Group 2 scope it reads against
    "ecl.reading.hs-arms-group-2": ("2009-04-30", OPEN),
    # SOR/2014-58 s. 3.13 before SOR/2023-163: in force by 2023-03-10 (SOR/2023-46 adds
    # s. 3.14 "after section 3.13"), added by SOR/2023-32, registered after 2023-02-02
    "sema.russia.s3-13-arms-import-2023-text": ("2023-03-10", "2023-07-18"),
    # SOR/2006-287 s. 8(1)(b) and (d) to (h): the text in force from 2020-06-01 (SOR/2020-119)
    "un.dprk.s8-1-hs-named-export": ("2020-06-01", OPEN),
    # SOR/2011-167 ss. 4 and 5, in force with the Regulations
    "sema.dprk.s4-investment": ("2011-08-11", OPEN),
    "sema.dprk.s5-financial-services": ("2011-08-11", OPEN),
    "un.dprk.s8-1-fuel-export": ("2020-06-01", OPEN),
    "sema.russia.s3-13-first-text-start": ("2023-02-03", "2023-03-09"),
}

LAW = default_law()
EARLIEST, LATEST = dt.date(1981, 7, 3), dt.date(2100, 12, 31)


def _expected(rule_id: str, day: dt.date) -> bool:
    first, last = EXPECTED[rule_id]
    return (first is None or D(first) <= day) and (last is None or day <= D(last))


def _sweep_days(rule_id: str) -> list[dt.date]:
    days: set[dt.date] = set()
    one = dt.timedelta(days=1)
    for bound in EXPECTED[rule_id]:
        if bound is not None:
            days.update({D(bound) - one, D(bound), D(bound) + one})
    return sorted(d for d in days if EARLIEST <= d <= LATEST)


CASES = [(rule_id, day) for rule_id in EXPECTED for day in _sweep_days(rule_id)]


def test_every_rule_has_an_independent_statement_of_its_boundaries() -> None:
    assert set(EXPECTED) == set(LAW.bundle.rules)


@pytest.mark.parametrize(("rule_id", "day"), CASES, ids=[f"{r}@{d}" for r, d in CASES])
def test_rule_in_force_on_each_side_of_its_boundaries(rule_id: str, day: dt.date) -> None:
    rule = LAW.bundle.rules[rule_id]
    assert rule.in_force(day) is _expected(rule_id, day)
    country = _country_of(rule.effect)
    if country is not None:
        listed = {m["rule"] for m in measures(country=country, on=day)["measures"]}
        assert (rule_id in listed) is _expected(rule_id, day)


def _country_of(effect: Any) -> str | None:
    country = getattr(effect, "country", None)
    if isinstance(country, str):
        return country
    for attr in ("countries", "destinations"):
        values = getattr(effect, attr, ())
        if isinstance(values, tuple) and values:
            return str(values[0])
    return None


# --- the same sweep through the questions the prohibitions decide ----------------------------


def _probe(rule_id: str) -> tuple[str, dict[str, str]] | None:
    """A question the rule decides on every day it is in force: (country, goods)."""
    rule = LAW.bundle.rules[rule_id]
    effect: Any = rule.effect
    if effect.kind not in ("export_prohibition", "import_prohibition"):
        return None
    scope = effect.goods
    if scope.all_goods:
        return effect.country, {"hs": "0101.21"}
    if scope.described is not None and scope.covers_hs:
        return effect.country, {"hs": "9302.00"}
    if scope.goods_list is not None:
        glist = LAW.bundle.goods_lists[scope.goods_list]
        starts = rule.valid_from or EARLIEST
        for item in glist.items:
            dated = item.in_force_from or glist.in_force_from
            plain = len(item.hs) >= 4 and item.condition is None and not scope.except_hs
            if (dated is None or dated <= starts) and plain:
                return effect.country, {"hs": item.hs}
    return None


PROBES = [
    (rule_id, day)
    for rule_id in EXPECTED
    if _probe(rule_id) is not None
    for day in _sweep_days(rule_id)
]


@pytest.mark.parametrize(("rule_id", "day"), PROBES, ids=[f"{r}@{d}" for r, d in PROBES])
def test_prohibition_decides_its_question_on_each_side_of_its_boundaries(
    rule_id: str, day: dt.date
) -> None:
    probe = _probe(rule_id)
    assert probe is not None
    country, goods = probe
    ask = check_export if LAW.bundle.rules[rule_id].effect.kind == "export_prohibition" else None
    try:
        if ask is not None:
            answer = ask(to=country, on=day, **goods)
        else:
            answer = check_import(origin=country, on=day, hs=goods["hs"])
    except BadInput as error:
        pytest.skip(f"probe code not valid on {day}: {error}")
    applied = rule_id in {r["rule"] for r in answer["reasons"]}
    assert applied is _expected(rule_id, day)
