"""Does a sanctions prohibition (export or import) cover these goods on this day?

One function serves exports and imports, so both read a schedule the same way: a row
applies from the in-force date of its current text; before that date an earlier text of
the schedule governed, which the data does not hold, and the answer says so instead of
answering "allowed" in silence. Rows since repealed are reported for the days they applied.
"""

from __future__ import annotations

import datetime as dt

from bilateral.engine.determination import Trace
from bilateral.engine.law import Law
from bilateral.goods.hs import HsCode
from bilateral.law.citations import cite_fr, provision_fr
from bilateral.law.model import (
    ExportProhibition,
    HumanitarianCategory,
    ImportProhibition,
    Rule,
)


def _where(rule: Rule) -> str:
    return f"{rule.instrument} {rule.provision}"


def _where_fr(rule: Rule) -> str:
    """The same citation in a French sentence (DORS, art., annexe)."""
    return cite_fr(rule.instrument, rule.provision)


def show_rule_caveats(rule: Rule, trace: Trace, on: dt.date | None = None) -> None:
    if on is not None and rule.caveats_until is not None and on > rule.caveats_until:
        return
    for caveat in rule.caveats:
        trace.caveat(f"{_where(rule)}: {caveat.en}", f"{_where_fr(rule)} : {caveat.fr}")


def covers(
    law: Law,
    rule: Rule,
    on: dt.date,
    hs: HsCode | None,
    ecl_group: str | None,
    category: HumanitarianCategory | None,
    trace: Trace,
) -> bool:
    """True when the rule (in force on ``on``) prohibits these goods; caveats otherwise."""
    ban = rule.effect
    assert isinstance(ban, ExportProhibition | ImportProhibition)
    scope = ban.goods
    where, where_fr = _where(rule), _where_fr(rule)
    if category is not None and category in scope.except_categories:
        trace.skipped(rule, f"{category.value} are excepted")
        return False
    if hs is not None and scope.except_hs and _prefixed(hs.digits, scope.except_hs):
        assert scope.except_note is not None
        trace.skipped(rule, "the goods fall within an exception of the provision")
        trace.caveat(f"{where}: {scope.except_note.en}", f"{where_fr} : {scope.except_note.fr}")
        return False
    if scope.all_goods:
        trace.applied(
            rule, "prohibition covers all goods", "l'interdiction vise toutes les marchandises"
        )
        show_rule_caveats(rule, trace)
        return True
    if scope.described is not None:
        if (ecl_group is not None and ecl_group in scope.covers_ecl_groups) or (
            hs is not None and _prefixed(hs.digits, scope.covers_hs)
        ):
            trace.applied(
                rule,
                f"the goods are {scope.described.en}",
                f"marchandises visées : {scope.described.fr}",
            )
            show_rule_caveats(rule, trace)
            return True
        if hs is not None and scope.maybe_hs and not _prefixed(hs.digits, scope.maybe_hs):
            trace.skipped(rule, f"HS {hs.dotted} is not read as {scope.described.en}")
            return False
        trace.skipped(rule, "goods described in words; not decidable from the question")
        trace.caveat(
            f"{where} prohibits {scope.described.en}; whether these goods are such goods cannot "
            "be told from the item number: check the goods against the provision.",
            f"{where_fr} interdit {scope.described.fr}; l'appartenance de ces marchandises à cette "
            "catégorie ne peut être établie par leur numéro : vérifiez-la au regard de la "
            "disposition.",
        )
        return False
    if scope.unmapped_list is not None:
        trace.skipped(rule, "goods list not decidable from the question; shown as a caveat")
        trace.caveat(
            f"Check the {scope.unmapped_list.en} ({where}): "
            "these goods cannot be identified from an HS code.",
            f"Vérifiez la {scope.unmapped_list.fr} ({where_fr}) : "
            "ces marchandises ne peuvent être identifiées par un code SH.",
        )
        return False
    if scope.goods_list is None:
        return False
    glist = law.bundle.goods_lists[scope.goods_list]
    if hs is None:
        _repealed_rows(rule, on, scope.goods_list, law, trace)
        trace.skipped(rule, "no HS code given; the schedule is HS-coded")
        trace.caveat(
            f"{where} lists goods by HS code; give --hs to check.",
            f"{where_fr} énumère les marchandises par code SH; indiquez --hs pour vérifier.",
        )
        return False
    matched = law.list_items(scope.goods_list, hs.digits)
    current = [i for i in matched if (i.in_force_from or glist.in_force_from or on) <= on]
    later = [i for i in matched if i not in current]
    if current:
        items = ", ".join(dict.fromkeys(i.item for i in current))
        trace.applied(
            rule,
            f"HS {hs.dotted} is listed (item{'s' * (',' in items)} {items})",
            f"SH {hs.dotted} inscrit à la liste (article{'s' * (',' in items)} {items})",
        )
        for item in current:
            if item.condition is not None:
                trace.caveat(
                    f"{where}, item {item.item}: {item.condition.en}.",
                    f"{where_fr}, article {item.item} : {item.condition.fr}.",
                )
        show_rule_caveats(rule, trace)
        return True
    _repealed_rows(rule, on, scope.goods_list, law, trace)
    if later:
        first = later[0]
        since = first.in_force_from or glist.in_force_from
        trace.skipped(rule, "listed only in a later text of the schedule")
        trace.caveat(
            f"HS {hs.dotted} is listed in {where} (item {first.item}) in the text in force from "
            f"{since}; the schedule as it read on {on} is not in the law data, so whether these "
            "goods were listed on that day is not known.",
            f"Le SH {hs.dotted} figure à {where_fr} (article {first.item}) dans le texte en "
            f"vigueur depuis le {since}; l'annexe telle qu'elle se lisait le {on} ne figure "
            "pas dans les données : on ignore si ces marchandises y figuraient ce jour-là.",
        )
        return False
    match = law.list_match(scope.goods_list, hs.digits)
    if match.partial:
        trace.skipped(rule, "only narrower codes under this HS code are listed")
        trace.caveat(
            f"Some goods under HS {hs.dotted} are listed in {where} "
            f"(items {', '.join(match.items)}): give a more precise code.",
            f"Certaines marchandises du SH {hs.dotted} figurent à {where_fr} "
            f"(articles {', '.join(match.items)}) : précisez le code.",
        )
        return False
    trace.skipped(rule, "HS code not listed")
    return False


def _repealed_rows(rule: Rule, on: dt.date, list_id: str, law: Law, trace: Trace) -> None:
    glist = law.bundle.goods_lists[list_id]
    gone = [r for r in glist.repealed if on < r.repealed_on]
    if not gone:
        return
    items = ", ".join(r.item for r in gone)
    until = min(r.repealed_on for r in gone)
    one = len(gone) == 1
    word, mot, verb, gone_fr, its = (
        ("item", "l'article", "s'appliquait", "abrogé", "son")
        if one
        else ("items", "les articles", "s'appliquaient", "abrogés", "leur")
    )
    trace.caveat(
        f"{_where(rule)}: {word} {items} applied on this date (repealed from {until}, "
        f"{gone[0].by}); their text is not in the law data, so these goods may have been "
        "prohibited.",
        f"{_where_fr(rule)} : {mot} {items} {verb} à cette date ({gone_fr} à compter "
        f"du {until}, {provision_fr(gone[0].by)}); {its} texte ne figure pas dans les données, ces "
        "marchandises ont donc pu être interdites.",
    )


def _prefixed(digits: str, codes: tuple[str, ...]) -> bool:
    return any(digits.startswith(code) for code in codes)
