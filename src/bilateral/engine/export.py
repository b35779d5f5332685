"""May these goods be exported to this country on this day, and under what permit posture?

EIPA s.13: a permit is needed for goods on the Export Control List going to a destination
within the item's scope (ECL s.2), and for any goods going to a country on the Area
Control List. The licensing posture comes from the Notices for that country; sanctions
regulations may prohibit the export outright. The answer is the most restrictive outcome
of every measure that applies, and all of them are listed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bilateral.engine.bans import covers, show_rule_caveats
from bilateral.engine.determination import Trace
from bilateral.engine.law import Law
from bilateral.errors import BadInput
from bilateral.goods.hs import HsCode
from bilateral.law import words
from bilateral.law.citations import cite_fr
from bilateral.law.model import (
    EclGroupScope,
    EclHsReading,
    EclReading,
    ExportProhibition,
    GeneralExportPermit,
    HumanitarianCategory,
    LicensingPolicy,
    Outcome,
    Rule,
)

_ECL_ITEM = re.compile(
    r"^(?:(?P<group>[1-9])-[0-9]+[A-Za-z0-9.]*|(?P<g5>5[0-9]{3})(?:\.[A-Za-z0-9.]+)?)$"
)


# Categories that say who ships the goods, not what they are: any goods, ECL items included.
_ANY_GOODS = frozenset({HumanitarianCategory.PERSONAL_EFFECTS, HumanitarianCategory.CASUAL_GIFTS})


@dataclass(frozen=True, slots=True)
class Goods:
    """What is exported: an HS code, a declared humanitarian category, or an ECL item."""

    hs: HsCode | None = None
    declared_category: HumanitarianCategory | None = None
    ecl_item: str | None = None

    @property
    def ecl_group(self) -> str | None:
        if self.ecl_item is None:
            return None
        return (
            "5" if self.ecl_item.startswith("5") and "-" not in self.ecl_item else self.ecl_item[0]
        )


def parse_ecl_item(text: str) -> str:
    item = text.strip()
    match = _ECL_ITEM.match(item)
    if not match or item.startswith("8"):
        raise BadInput(
            "ecl",
            f"malformed ECL item {text!r} (e.g. 1-3.a.1, 2-1, 5504.2.a)",
            "engine.ecl_malformed",
            {"value": text},
        )
    return item


@dataclass(frozen=True, slots=True)
class ExportDetermination:
    destination: str
    on: dt.date
    permit_required: bool
    outcome: Outcome
    general_permits: tuple[str, ...]
    category: HumanitarianCategory | None
    trace: Trace


def _category(law: Law, goods: Goods, trace: Trace) -> HumanitarianCategory | None:
    if goods.declared_category is not None:
        return goods.declared_category
    if goods.hs is not None:
        found = law.category_of(goods.hs.digits)
        if found is not None:
            trace.caveat(
                f"HS {goods.hs.dotted} is read as '{found.value}' under the humanitarian "
                "categories of Notices 148/172; this mapping is an interpretation (inferred).",
                f"Le SH {goods.hs.dotted} est lu comme « {found.value} » selon les catégories "
                "humanitaires des avis 148/172; cette correspondance est une interprétation "
                "(inférée).",
            )
        return found
    return None


def determine_export(law: Law, destination: str, on: dt.date, goods: Goods) -> ExportDetermination:
    trace = Trace()
    outcome = Outcome.NOT_REQUIRED
    permit_required = False
    general_permits: list[str] = []
    category = _category(law, goods, trace)
    # An HS code of arms and ammunition is read as the ECL items it names (an interpretation):
    # such goods are answered as ECL goods, never as goods outside the list.
    read = _ecl_reading(law, goods, on)
    is_ecl = goods.ecl_item is not None or read is not None

    def worse(candidate: Outcome) -> None:
        nonlocal outcome
        if candidate.severity > outcome.severity:
            outcome = candidate

    # 1. Area Control List: any goods to a listed country need a permit (EIPA s.13).
    on_acl = False
    for rule in law.rules("area_control_list", destination):
        if rule.in_force(on):
            on_acl = True
            permit_required = True
            trace.applied(
                rule,
                "destination on the Area Control List",
                "destination inscrite sur la Liste des pays visés",
            )
        else:
            trace.skipped(rule, "not in force on this date")
    if on_acl:
        worse(_licensing_posture(law, destination, on, category, is_ecl, trace))

    # 2. Export Control List: the item's group scope decides whether it is controlled here.
    scope_unknown: BadInput | None = None
    if goods.ecl_item is not None or read is not None:
        try:
            if read is None:
                controlled = _ecl_controls(law, destination, on, goods, on_acl, trace)
            else:
                controlled = _read_controls(law, destination, on, goods, read, trace)
        except BadInput as error:
            # The ECL scope is not in the data for this day; a sanctions prohibition may
            # still decide the answer (arms to the DPRK in 2008), so look before refusing.
            if error.field != "on":
                raise
            scope_unknown, controlled = error, False
        if controlled:
            permit_required = True
            if not on_acl:
                worse(Outcome.CASE_BY_CASE)
            for rule in law.in_force("general_export_permit", "*", on) if read is None else ():
                gep = rule.effect
                assert isinstance(gep, GeneralExportPermit)
                if not (_gep_covers(gep, goods) and destination in gep.destinations):
                    continue
                if gep.excludes_sanctioned_destinations and (
                    on_acl or law.sanctions_in_force(destination, on)
                ):
                    trace.skipped(rule, f"{gep.permit} excludes this destination (sanctions)")
                    continue
                if not _gep_schedule_allows(law, rule, gep, goods, on, trace):
                    continue
                general_permits.append(gep.permit)
                trace.applied(
                    rule,
                    f"{gep.permit} may be used for this item and destination",
                    f"{gep.permit} peut servir pour cet article et cette destination",
                )
                show_rule_caveats(rule, trace)
            for rule in law.in_force("ecl_permit_suspension", destination, on):
                trace.applied(
                    rule,
                    "new permits for ECL items to this destination are suspended",
                    "les nouvelles licences pour les articles de la LMTEC vers cette destination "
                    "sont suspendues",
                )
                worse(Outcome.NEW_PERMITS_SUSPENDED)
    elif goods.hs is not None:
        trace.caveat(
            "An HS code does not say whether goods are on the Export Control List; if they are, "
            "ask with --ecl ITEM.",
            "Un code SH n'indique pas si les marchandises figurent sur la Liste des "
            "marchandises d'exportation contrôlée; le cas échéant, utilisez --ecl ARTICLE.",
        )
        if goods.hs.digits.startswith("93"):
            # arms and ammunition: an HS code of Chapter 93 names what Group 2 (Munitions)
            # controls, so "no permit" is far from a safe reading of it (SOR/89-202 s. 2)
            trace.caveat(
                "HS Chapter 93 (arms and ammunition): such goods are as a rule in Group 2 of "
                "the Export Control List (Munitions), controlled to every destination other "
                "than the United States and, for some items, to every destination (SOR/89-202 "
                "s. 2); if they are, an export permit is required: ask with --ecl 2-….",
                "Chapitre 93 du SH (armes et munitions) : ces marchandises relèvent en règle "
                "générale du groupe 2 de la Liste des marchandises d'exportation contrôlée "
                "(munitions), contrôlé vers toute destination autre que les États-Unis et, pour "
                "certains articles, vers toute destination (DORS/89-202, art. 2); le cas "
                "échéant, une licence d'exportation est requise : utilisez --ecl 2-….",
            )

    elif goods.declared_category in _ANY_GOODS:
        en, fr = words.CATEGORIES[goods.declared_category]
        trace.caveat(
            f"'{en.capitalize()}' does not say whether the goods are on the Export Control List "
            "(a hunting rifle is); if any are, ask with --ecl ITEM.",
            f"« {fr.capitalize()} » n'indique pas si les marchandises figurent sur la Liste des "
            "marchandises d'exportation contrôlée (un fusil de chasse y figure); le cas "
            "échéant, utilisez --ecl ARTICLE.",
        )

    # 3. Sanctions: outright prohibitions of exports to the country.
    for rule in law.rules("export_prohibition", destination):
        if not rule.in_force(on):
            trace.skipped(rule, "not in force on this date")
            continue
        if _prohibits(law, rule, goods, category, on, trace):
            worse(Outcome.PROHIBITED)

    if scope_unknown is not None:
        if outcome is not Outcome.PROHIBITED:
            raise scope_unknown
        trace.caveat(
            f"Whether an export permit was also needed is not known: {scope_unknown.problem}.",
            "On ignore si une licence d'exportation était aussi requise : la portée de ce "
            "groupe de la LMTEC à cette date ne figure pas dans les données.",
        )

    for rule in law.known_gaps(destination, "export", on):
        trace.caveat(rule.summary.en, rule.summary.fr)
        trace.skipped(rule, "known gap in the law data, shown as a caveat")

    return ExportDetermination(
        destination, on, permit_required, outcome, tuple(general_permits), category, trace
    )


def _licensing_posture(
    law: Law,
    destination: str,
    on: dt.date,
    category: HumanitarianCategory | None,
    is_ecl: bool,
    trace: Trace,
) -> Outcome:
    """Notice-based posture; an exception rule, where it covers the goods, displaces its base."""
    policies = law.in_force("licensing_policy", destination, on)
    if not policies:
        trace.caveat(
            "No licensing policy for this destination is in the law data: applications are "
            "assessed case by case (EIPA s. 7).",
            "Aucune politique de délivrance pour cette destination ne figure dans les données : "
            "les demandes sont examinées au cas par cas (LLEI, art. 7).",
        )
        return Outcome.CASE_BY_CASE
    applicable = [r for r in policies if _policy_covers(r, is_ecl)]
    by_id = {r.id: r for r in policies}
    # An exception displaces its base for the goods it speaks of; one silent on humanitarian
    # goods (the 2016 interim easing) leaves the base's humanitarian posture standing.
    applicable = [
        r
        for r in applicable
        if not _silent_on(r, category, [by_id[b] for b in r.exception_to if b in by_id])
    ]
    displaced = {base for r in applicable for base in r.exception_to}
    chosen = [r for r in applicable if r.id not in displaced]
    for rule in policies:
        if rule not in chosen:
            why = (
                "displaced by an exception"
                if rule.id in displaced
                else "does not cover these goods"
            )
            trace.skipped(rule, why)
    posture = Outcome.NOT_REQUIRED
    for rule in chosen:
        policy = rule.effect
        assert isinstance(policy, LicensingPolicy)
        if category is not None and category in policy.humanitarian_categories:
            assert policy.humanitarian_posture is not None
            candidate = policy.humanitarian_posture
            en, fr = words.CATEGORIES[category]
            because = (f"humanitarian goods ({en})", f"marchandises humanitaires ({fr})")
        else:
            candidate = policy.posture
            because = (
                ("goods not on the Export Control List", "marchandises hors de la LMTEC")
                if (policy.applies_to == "non_ecl_goods")
                else (
                    "goods outside the humanitarian categories",
                    "marchandises hors des catégories humanitaires",
                )
            )
        trace.applied(rule, *because)
        if candidate.severity > posture.severity:
            posture = candidate
    return posture


def _silent_on(rule: Rule, category: HumanitarianCategory | None, bases: list[Rule]) -> bool:
    policy = rule.effect
    assert isinstance(policy, LicensingPolicy)
    if category is None or policy.humanitarian_posture is not None:
        return False
    return any(
        isinstance(b.effect, LicensingPolicy) and category in b.effect.humanitarian_categories
        for b in bases
    )


def _policy_covers(rule: Rule, is_ecl: bool) -> bool:
    policy = rule.effect
    assert isinstance(policy, LicensingPolicy)
    if policy.applies_to == "non_ecl_goods":
        return not is_ecl
    if policy.applies_to == "ecl_goods":
        return is_ecl
    return True


def _ecl_controls(
    law: Law, destination: str, on: dt.date, goods: Goods, on_acl: bool, trace: Trace
) -> bool:
    group = goods.ecl_group
    item = goods.ecl_item or ""
    scopes = [
        r
        for r in law.rules("ecl_group_scope", "*")
        if isinstance(r.effect, EclGroupScope) and r.effect.group == group
    ]
    current = [r for r in scopes if r.in_force(on)]
    if not scopes:
        raise BadInput(
            "ecl",
            f"ECL Group {group} is not in the Export Control List",
            "engine.ecl_group",
            {"group": group},
        )
    if not current:
        if on_acl:
            trace.caveat(
                f"The destination scope of ECL Group {group} on {on} is not in the law data; "
                "the Area Control List alone requires the permit.",
                f"La portée du groupe {group} de la LMTEC au {on} ne figure pas dans les "
                "données; la Liste des pays visés suffit à exiger la licence.",
            )
            return True
        first = min(r.valid_from or on for r in scopes)
        raise BadInput(
            "on",
            f"the law data has ECL Group {group} destination scope from {first} only",
            "engine.ecl_scope_from",
            {"group": group, "first": first},
        )
    rule = current[0]
    scope = rule.effect
    assert isinstance(scope, EclGroupScope)
    if _within(item, scope.items_named_in_guide) or (scope.destinations == "named_in_item"):
        if on_acl:
            trace.caveat(
                f"ECL item {item} is controlled to destinations named in the Guide, which is not "
                "bundled; the Area Control List alone requires the permit.",
                f"L'article {item} de la LMTEC est contrôlé vers les destinations nommées dans le "
                "Guide, non inclus; la Liste des pays visés suffit à exiger la licence.",
            )
            return True
        raise BadInput(
            "ecl",
            f"the destinations of ECL item {item} are named in the Guide, "
            "which is not in the law data",
            "engine.ecl_guide",
            {"item": item},
        )
    to_all = _within(item, scope.items_to_all_destinations)
    if scope.destinations == "all" or to_all:
        trace.applied(
            rule,
            f"ECL Group {group} item controlled to all destinations",
            f"article du groupe {group} de la LMTEC contrôlé vers toutes les destinations",
        )
        return True
    if destination in scope.except_countries:
        trace.skipped(rule, f"ECL Group {group} is not controlled to this destination")
        return False
    trace.applied(
        rule,
        f"ECL Group {group} item controlled to this destination",
        f"article du groupe {group} de la LMTEC contrôlé vers cette destination",
    )
    return True


def _ecl_reading(law: Law, goods: Goods, on: dt.date) -> tuple[Rule, EclReading] | None:
    """The ECL items an HS-only question's goods are read as, on this day, if any."""
    if goods.hs is None or goods.ecl_item is not None:
        return None
    for rule in law.in_force("ecl_hs_reading", "*", on):
        effect = rule.effect
        assert isinstance(effect, EclHsReading)
        reading = effect.reading(goods.hs.digits)
        if reading is not None:
            return rule, reading
    return None


def _read_controls(
    law: Law,
    destination: str,
    on: dt.date,
    goods: Goods,
    read: tuple[Rule, EclReading],
    trace: Trace,
) -> bool:
    """Whether the ECL items an HS code is read as are controlled to the destination."""
    rule, reading = read
    effect = rule.effect
    assert isinstance(effect, EclHsReading) and goods.hs is not None
    group, code = effect.group, goods.hs.dotted
    items = ", ".join(reading.items)
    trace.caveat(
        f"HS {code} is read as ECL Group {group} item(s) {items} (an interpretation, inferred): "
        "an HS code does not name the Export Control List's items. If the goods are not on the "
        "list, this ground for a permit falls away; ask with --ecl ITEM for the item itself.",
        f"Le SH {code} est lu comme le ou les articles {items} du groupe {group} de la LMTEC "
        "(interprétation, inférée) : un code SH ne nomme pas les articles de la Liste. Si les "
        "marchandises n'y figurent pas, ce motif d'exiger une licence tombe; utilisez --ecl "
        "ARTICLE pour l'article lui-même.",
    )
    scopes = [
        r
        for r in law.in_force("ecl_group_scope", "*", on)
        if isinstance(r.effect, EclGroupScope) and r.effect.group == group
    ]
    if not scopes:  # the reading starts with the scope it reads against; never in practice
        trace.skipped(rule, f"the scope of ECL Group {group} on this day is not in the data")
        trace.caveat(
            f"The destination scope of ECL Group {group} on {on} is not in the law data: "
            "whether an export permit is required for these goods is not known.",
            f"La portée du groupe {group} de la LMTEC au {on} ne figure pas dans les données : "
            "on ignore si une licence d'exportation est requise pour ces marchandises.",
        )
        return False
    scope_rule = scopes[0]
    scope = scope_rule.effect
    assert isinstance(scope, EclGroupScope)

    reason = (
        f"HS {code} read as ECL Group {group} item(s) {items}",
        f"SH {code} lu comme le ou les articles {items} du groupe {group} de la LMTEC",
    )
    if scope.destinations == "all" or all(
        _within(i, scope.items_to_all_destinations) for i in reading.items
    ):
        trace.applied(rule, *reason)
        trace.applied(
            scope_rule,
            f"ECL Group {group} item(s) {items} controlled to all destinations",
            f"article(s) {items} du groupe {group} de la LMTEC contrôlé(s) vers toutes les "
            "destinations",
        )
        return True
    if scope.destinations == "all_except" and destination not in scope.except_countries:
        trace.applied(rule, *reason)
        trace.applied(
            scope_rule,
            f"ECL Group {group} item controlled to this destination",
            f"article du groupe {group} de la LMTEC contrôlé vers cette destination",
        )
        return True
    wide = [
        i
        for i in scope.items_to_all_destinations
        if any(i == r or i.startswith(r + ".") or r.startswith(i + ".") for r in reading.items)
    ]
    if wide:
        # Some of the items read are controlled to every destination, this one included:
        # the goods may be among them, so a permit is required unless the item says not.
        listed = ", ".join(wide)
        trace.applied(rule, *reason)
        trace.applied(
            scope_rule,
            f"ECL Group {group} item(s) {listed}, which the goods may be, controlled to all "
            "destinations",
            f"article(s) {listed} du groupe {group} de la LMTEC, dont les marchandises peuvent "
            "relever, contrôlé(s) vers toutes les destinations",
        )
        trace.caveat(
            f"Of the ECL items HS {code} is read as, only {listed} are controlled to this "
            f"destination ({scope_rule.instrument} {scope_rule.provision}): if the goods are "
            "none of them, no export permit is required on this ground; ask with --ecl ITEM.",
            f"Parmi les articles de la LMTEC auxquels le SH {code} est lu, seuls {listed} sont "
            f"contrôlés vers cette destination "
            f"({cite_fr(scope_rule.instrument, scope_rule.provision)}) : si les marchandises "
            "n'en sont pas, aucune licence d'exportation n'est requise pour ce motif; utilisez "
            "--ecl ARTICLE.",
        )
        return True
    trace.skipped(scope_rule, f"ECL Group {group} is not controlled to this destination")
    trace.skipped(rule, "the items it reads are not controlled to this destination")
    return False


def _within(item: str, items: tuple[str, ...]) -> bool:
    """Whether an ECL item is one of ``items`` or a subdivision of one (2-1.a of 2-1)."""
    return any(item == i or item.startswith(i + ".") for i in items)


def _gep_covers(gep: GeneralExportPermit, goods: Goods) -> bool:
    item = goods.ecl_item or ""
    if goods.ecl_group in gep.ecl_groups and "-" in item:
        return True
    return _within(item, gep.ecl_items)


def _gep_schedule_allows(
    law: Law, rule: Rule, gep: GeneralExportPermit, goods: Goods, on: dt.date, trace: Trace
) -> bool:
    """GEP No. 41 s. 3(2)(b): the goods of its Schedule, each row from its own date."""
    if gep.excluded_items is None:
        return True
    item = goods.ecl_item or ""
    listing = law.bundle.ecl_lists[gep.excluded_items]
    where = f"{rule.instrument} {listing.provision}"
    where_fr = cite_fr(rule.instrument, listing.provision)
    allowed = True
    for row in listing.ecl_items:
        same = item == row.ecl or item.startswith(row.ecl + ".")
        narrower = row.ecl.startswith(item + ".")
        if not (same or narrower):
            continue
        if row.in_force_from > on:
            if "." in row.item:
                continue  # a row added later (13.1, 13.2, 6.1): not yet in the Schedule
            # A row whose current text starts later replaced an earlier text the data does not
            # hold; it excluded something, so the permit is not offered in silence.
            trace.skipped(rule, f"Schedule row {row.item}: earlier text not in the data")
            trace.caveat(
                f"{where}, row {row.item} (item {row.ecl}) has a text in force from "
                f"{row.in_force_from}; its earlier text, which applied on {on}, is not in the law "
                f"data, so {gep.permit} is not offered.",
                f"{where_fr}, ligne {row.item} (article {row.ecl}) : texte en vigueur depuis le "
                f"{row.in_force_from}; le texte antérieur, applicable le {on}, ne figure pas "
                f"dans les données, la {gep.permit} n'est donc pas proposée.",
            )
            allowed = False
        elif same and not row.qualified:
            trace.skipped(rule, f"item excluded by Schedule row {row.item} (s. 3(2)(b))")
            trace.caveat(
                f"{gep.permit} does not authorize item {row.ecl}: {where}, row {row.item}, in "
                f"force from {row.in_force_from} (s. 3(2)(b)).",
                f"La {gep.permit} n'autorise pas l'article {row.ecl} : {where_fr}, "
                f"ligne {row.item}, en vigueur depuis le {row.in_force_from} (al. 3(2)b)).",
            )
            allowed = False
        else:
            trace.skipped(rule, f"part of the item excluded by Schedule row {row.item}")
            trace.caveat(
                f"{where}, row {row.item} excludes from {gep.permit}: {row.description}; "
                f"{gep.permit} is not offered for item {item}, whose goods may fall in that row.",
                f"{where_fr}, ligne {row.item}, exclut de la {gep.permit} : {row.description}; la "
                f"{gep.permit} n'est pas proposée pour l'article {item}, dont les marchandises "
                "peuvent relever de cette ligne.",
            )
            allowed = False
    return allowed


def _prohibits(
    law: Law,
    rule: Rule,
    goods: Goods,
    category: HumanitarianCategory | None,
    on: dt.date,
    trace: Trace,
) -> bool:
    ban = rule.effect
    assert isinstance(ban, ExportProhibition)
    if ban.goods.all_goods and not (category and category in ban.goods.except_categories):
        trace.caveat(
            f"{rule.instrument} {rule.provision}: exceptions depending on the consignee or "
            "purpose (e.g. humanitarian organisations) are not evaluated.",
            f"{cite_fr(rule.instrument, rule.provision)} : les exceptions qui dépendent du "
            "destinataire ou de l'usage (p. ex. organisations humanitaires) ne sont pas évaluées.",
        )
    return covers(law, rule, on, goods.hs, goods.ecl_group, category, trace)
