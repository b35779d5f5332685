"""Which tariff treatment do goods originating in this country get on this day, and may they
be imported at all?

Entitlements come from the orders that extend or withdraw a treatment (Customs Tariff
ss. 31, 34, 37). An order withdrawing a treatment implies the country held it before; the
engine says so, tagged as an inference. Where no order speaks of a country, the List of
Countries (not in the law data) would decide, and the engine says it does not know.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from bilateral.engine.bans import covers, show_rule_caveats
from bilateral.engine.determination import Trace
from bilateral.engine.law import Law
from bilateral.goods.hs import HsCode
from bilateral.law import words
from bilateral.law.citations import cite_fr
from bilateral.law.model import (
    ImportProhibition,
    Rule,
    TariffEntitlement,
    TariffRate,
    Treatment,
    TreatmentExpiry,
)

# The Customs Tariff, S.C. 1997, c. 36, came into force on this day (s. 214).
CUSTOMS_TARIFF_START = dt.date(1998, 1, 1)

# Most favourable first, for choosing among available treatments when rates are unknown
# (s. 25 still gives MFN where its rate is lower; the caveat says so).
_PREFERENCE = (Treatment.LDCT, Treatment.GPT, Treatment.MFN)


@dataclass(frozen=True, slots=True)
class ImportDetermination:
    origin: str
    on: dt.date
    treatment: Treatment | None
    treatments_available: tuple[Treatment, ...]
    rate: Decimal | None
    prohibited: bool
    trace: Trace


def _item_applies(entitlement: TariffEntitlement, digits: str, trace: Trace, rule: Rule) -> bool:
    if not entitlement.tariff_items:
        return True
    for item in entitlement.tariff_items:
        if digits[:8] == item:
            return True
        if len(digits) < 8 and item.startswith(digits):
            trace.caveat(
                f"{rule.instrument} {rule.provision} applies only to tariff item {item}; "
                "give the 8-digit tariff item to decide.",
                f"{cite_fr(rule.instrument, rule.provision)} ne vise que le no tarifaire {item}; "
                "indiquez le numéro tarifaire à 8 chiffres.",
            )
    return False


def _entitled(
    law: Law, origin: str, treatment: Treatment, on: dt.date, hs: HsCode, trace: Trace
) -> bool | None:
    """True/False when the law data decides; None when it is silent."""
    rules = [
        r
        for r in law.rules("tariff_entitlement", origin)
        if isinstance(r.effect, TariffEntitlement) and r.effect.treatment is treatment
    ]
    current = [r for r in rules if r.in_force(on) and _item_applies(r.effect, hs.digits, trace, r)]  # type: ignore[arg-type]
    displaced = {base for r in current for base in r.exception_to}
    deciding = [r for r in current if r.id not in displaced]
    for rule in rules:
        if rule not in deciding:
            trace.skipped(
                rule,
                "displaced by an exception"
                if rule.id in displaced
                else "not in force on this date or not for these goods",
            )
    if deciding:
        # Withdrawals win over entitlements where both apply (most restrictive).
        decision = all(r.effect.entitled for r in deciding)  # type: ignore[union-attr]
        for rule in deciding:
            effect = rule.effect
            assert isinstance(effect, TariffEntitlement)
            if effect.entitled == decision:
                en, fr = words.TREATMENTS[treatment]
                if decision:
                    trace.applied(rule, f"entitled to {en}", f"droit au {fr}")
                else:
                    trace.applied(rule, f"withdrawn: {en}", f"retiré : {fr}")
                show_rule_caveats(rule, trace, on)
        return decision
    later = [
        r
        for r in rules
        if r.valid_from
        and r.valid_from > on
        # Only an order withdrawing a treatment presupposes the entitlement it withdraws;
        # a statement of status (the DPRK under the General Tariff) does not.
        and law.instrument_kind[r.id] == "order"
        and isinstance(r.effect, TariffEntitlement)
        and not r.effect.entitled
        and not r.effect.tariff_items
    ]
    if later:
        first = min(later, key=lambda r: r.valid_from or on)
        en, fr = words.TREATMENTS[treatment]
        trace.applied(
            first,
            f"inferred: entitled to {en} before this withdrawal",
            f"inféré : droit au {fr} avant ce retrait",
        )
        return True
    return None


def determine_import(
    law: Law, origin: str, on: dt.date, hs: HsCode, mfn_rate: Decimal | None
) -> ImportDetermination:
    trace = Trace()
    prohibited = False
    for rule in law.rules("import_prohibition", origin):
        if not rule.in_force(on):
            trace.skipped(rule, "not in force on this date")
            continue
        assert isinstance(rule.effect, ImportProhibition)
        if covers(law, rule, on, hs, None, None, trace):
            prohibited = True
    for rule in law.known_gaps(origin, "import", on):
        trace.caveat(rule.summary.en, rule.summary.fr)
        trace.skipped(rule, "known gap in the law data, shown as a caveat")

    # The 1997 Act's sections are cited only for days it was in force (from 1998-01-01).
    act = on >= CUSTOMS_TARIFF_START
    expired: dict[Treatment, Rule] = {}
    for rule in law.in_force("treatment_expiry", None, on):
        assert isinstance(rule.effect, TreatmentExpiry)
        expired[rule.effect.treatment] = rule
    available: list[Treatment] = []
    decided: dict[Treatment, bool | None] = {}
    held_before = False
    for candidate in _PREFERENCE:
        if candidate in expired:
            en, fr = words.TREATMENTS[candidate]
            trace.applied(
                expired[candidate],
                f"{en} has ceased to have effect",
                f"le {fr} a cessé d'avoir effet",
            )
            # A country that held the GPT or LDCT until then was an MFN beneficiary (s. 34(1)(a)).
            held = _entitled(law, origin, candidate, on, hs, Trace())
            decided[candidate] = None if held else False
            held_before = held_before or bool(held)
            continue
        decided[candidate] = _entitled(law, origin, candidate, on, hs, trace)
        if decided[candidate]:
            available.append(candidate)
    if (
        act
        and decided[Treatment.MFN] is None
        and (Treatment.GPT in available or Treatment.LDCT in available or held_before)
    ):
        # s. 34(1)(a) extends the GPT only to MFN beneficiaries.
        available.append(Treatment.MFN)
        trace.caveat(
            "MFN entitlement inferred: the GPT is extended only to MFN beneficiaries "
            "(Customs Tariff s. 34(1)(a)).",
            "Droit au tarif NPF inféré : le TPG n'est accordé qu'aux bénéficiaires du tarif NPF "
            "(Tarif des douanes, al. 34(1)a)).",
        )
    if (
        act
        and decided[Treatment.GPT] is False
        and Treatment.GPT not in expired
        and decided[Treatment.MFN] is None
    ):
        available.append(Treatment.MFN)
        trace.caveat(
            "After a GPT withdrawal the goods revert to the MFN rate (Customs Tariff s. 34(1)(b)).",
            "Après le retrait du TPG, les marchandises relèvent du tarif NPF (Tarif des douanes, "
            "al. 34(1)b)).",
        )

    treatment: Treatment | None = None
    rate: Decimal | None = None
    if available:
        treatment = available[0]
        if treatment is not Treatment.MFN and act:
            trace.caveat(
                f"{treatment.value} is chosen as the most favourable available treatment; where "
                "the MFN rate is lower, MFN applies instead (Customs Tariff s. 25).",
                f"Le {treatment.value} est retenu comme traitement le plus favorable; si le taux "
                "NPF est plus bas, c'est lui qui s'applique (Tarif des douanes, art. 25).",
            )
        elif mfn_rate is not None:
            rate = mfn_rate
        if act:
            available.append(Treatment.GT)
    elif decided[Treatment.MFN] is False and act:
        treatment = Treatment.GT
        available.append(Treatment.GT)
        rate = _general_tariff_rate(law, on, mfn_rate, trace)
    elif act:
        trace.caveat(
            "The law data has no tariff order for this country on this date; the List of "
            "Countries and Applicable Tariff Treatments, which decides, is not bundled.",
            "Les données ne contiennent aucun décret tarifaire pour ce pays à cette date; la "
            "Liste des pays et traitements tarifaires applicables n'est pas incluse.",
        )
    return ImportDetermination(origin, on, treatment, tuple(available), rate, prohibited, trace)


def _general_tariff_rate(
    law: Law, on: dt.date, mfn_rate: Decimal | None, trace: Trace
) -> Decimal | None:
    for rule in law.in_force("tariff_rate", None, on):
        effect = rule.effect
        assert isinstance(effect, TariffRate)
        if effect.treatment is not Treatment.GT:
            continue
        trace.applied(rule, "General Tariff rate", "taux du tarif général")
        if effect.mfn_if_higher:
            if mfn_rate is None:
                trace.caveat(
                    "Where the MFN rate of the tariff item is above 35%, it applies instead "
                    "(s. 29); give --mfn-rate to decide.",
                    "Si le taux NPF du numéro tarifaire dépasse 35 %, il s'applique (art. 29); "
                    "indiquez --mfn-rate.",
                )
            elif mfn_rate > effect.rate_percent:
                return mfn_rate
        return effect.rate_percent
    return None
