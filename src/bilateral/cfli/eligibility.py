"""Eligibility as a determination: a proposal checked against one version of a call.

Like the law engine, the answer is an outcome with reasons, and every reason cites the call,
its version, the parameter that decided it and where that parameter's value comes from. The
answer carries the call version's content hash and the proposal's fingerprint, so it can be
replayed: the same proposal and the same call version give the same answer, to the byte.

The outcome is ``ineligible`` if any check fails; otherwise ``needs_review`` if any check
could not be decided (a parameter the programme officer has not set, a draft call, activities
starting before the fiscal year); otherwise ``eligible``. A parameter that is not set is never
read as "no limit": a clean "eligible" is given only when every check could be made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from bilateral import countries
from bilateral.cfli import i18n, sanctions
from bilateral.cfli.calls import (
    COST_LABELS,
    RECIPIENT_LABELS,
    THEME_LABELS,
    Basis,
    Call,
    CallBook,
    CallRef,
    CallVersion,
    Param,
)
from bilateral.cfli.proposals import Proposal, RegistrationStatus
from bilateral.cfli.refusals import refuse, require_same_call
from bilateral.engine import checks
from bilateral.errors import BadInput, LawDataError
from bilateral.law.citations import cite_fr
from bilateral.law.model import Bilingual, Confidence

ENGINE = "cfli-eligibility/1"


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_REVIEW = "needs_review"


OUTCOME_LABELS: dict[Outcome, Bilingual] = {
    Outcome.ELIGIBLE: Bilingual(en="Eligible", fr="Admissible"),
    Outcome.INELIGIBLE: Bilingual(en="Not eligible", fr="Non admissible"),
    Outcome.NEEDS_REVIEW: Bilingual(en="Needs review", fr="À examiner"),
}


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    REVIEW = "review"


PARAM_LABELS: dict[str, Bilingual] = {
    "status": Bilingual(en="call status", fr="statut de l'appel"),
    "countries_served": Bilingual(en="countries served", fr="pays desservis"),
    "recipient_types": Bilingual(en="eligible recipients", fr="bénéficiaires admissibles"),
    "priorities": Bilingual(en="thematic priorities", fr="priorités thématiques"),
    "application_deadline": Bilingual(en="application deadline", fr="date limite de dépôt"),
    "fiscal_year": Bilingual(en="fiscal year", fr="exercice"),
    "completion_deadline": Bilingual(en="completion deadline", fr="date d'achèvement"),
    "minimum_contribution": Bilingual(en="minimum contribution", fr="contribution minimale"),
    "maximum_contribution": Bilingual(en="maximum contribution", fr="contribution maximale"),
    "overhead_cap_percent": Bilingual(en="overhead cap", fr="plafond des frais administratifs"),
    "registration_required": Bilingual(
        en="local registration requirement", fr="exigence d'enregistrement local"
    ),
    "registration_risk_accepted": Bilingual(
        en="acceptance of the registration-risk answer",
        fr="acceptation de la réponse sur le risque lié à l'enregistrement",
    ),
    "gender_analysis_required": Bilingual(
        en="gender-based analysis", fr="analyse comparative entre les sexes"
    ),
    "ineligible_costs": Bilingual(en="ineligible-cost list", fr="liste des coûts non admissibles"),
    "languages": Bilingual(en="languages", fr="langues"),
    "envelope": Bilingual(en="envelope", fr="enveloppe"),
    "criteria": Bilingual(en="assessment criteria", fr="critères d'évaluation"),
    "payment_terms": Bilingual(en="payment terms", fr="modalités de paiement"),
    "reporting": Bilingual(en="reporting rules", fr="règles de reddition de comptes"),
    "typical_contribution": Bilingual(en="typical contribution", fr="contribution typique"),
    "mission": Bilingual(en="mission", fr="mission"),
}

_CONFIDENCE_FR = {"verified": "vérifiée", "secondary": "secondaire", "inferred": "inférée"}


class Reason(BaseModel):
    """One check: its status, the bilingual message, and what it cites."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    check: str
    status: Status
    parameter: str
    call: CallRef
    basis: Basis | None = None
    source: str | None = None
    confidence: Confidence | None = None
    message: Bilingual
    # reveals an answer the issue lists as sensitive (registration, risk): stores encrypt it,
    # exports and logs redact it
    sensitive: bool = False
    # what decided a check that is not a call parameter (the sanctions lists): the law cited
    law: Bilingual | None = None

    def citation(self, lang: str) -> str:
        where = "appel" if lang == "fr" else "call"
        parts = [f"{where} {self.call.call_id} v{self.call.version}", self.parameter]
        if self.law:
            parts.append(i18n.text(self.law, lang))
        if self.source:
            conf = self.confidence.value if self.confidence else ""
            parts.append(
                f"{self.source}, {_CONFIDENCE_FR.get(conf, conf) if lang == 'fr' else conf}"
            )
        elif self.basis is Basis.OFFICER:
            parts.append("fixé par l'agent de programme" if lang == "fr" else "set by the officer")
        return "(" + "; ".join(parts) + ")"

    def text(self, lang: str) -> str:
        return f"{i18n.text(self.message, lang)} {self.citation(lang)}"


class Determination(BaseModel):
    """The answer, with what it was made from (replay evidence)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    engine: str
    outcome: Outcome
    proposal_id: str
    proposal_fingerprint: str
    call: CallRef
    reasons: tuple[Reason, ...]
    # the date the sanctions lists were read for, and the lists and law data read (replay
    # evidence: the same lists give the same answer); None in records made before screening
    as_of: dt.date | None = None
    sanctions_lists: tuple[str, ...] = ()
    law_version: str | None = None

    def failed(self) -> list[Reason]:
        return [r for r in self.reasons if r.status is Status.FAIL]

    def to_review(self) -> list[Reason]:
        return [r for r in self.reasons if r.status is Status.REVIEW]

    def redacted(self) -> Determination:
        """The determination with sensitive reasons' messages masked (for exports and logs)."""
        hidden = Bilingual(en="[redacted]", fr="[masqué]")
        return self.model_copy(
            update={
                "reasons": tuple(
                    r.model_copy(update={"message": hidden}) if r.sensitive else r
                    for r in self.reasons
                )
            }
        )

    def render(self, lang: str = "en") -> str:
        title = "Admissibilité" if lang == "fr" else "Eligibility"
        lines = [
            f"{title}: {i18n.text(OUTCOME_LABELS[self.outcome], lang)}"
            if lang == "en"
            else f"{title} : {i18n.text(OUTCOME_LABELS[self.outcome], lang)}",
        ]
        marks = {Status.FAIL: "✗", Status.REVIEW: "?", Status.PASS: "✓"}
        order = (Status.FAIL, Status.REVIEW, Status.PASS)
        for status in order:
            for reason in self.reasons:
                if reason.status is status:
                    lines.append(f"  {marks[status]} {reason.text(lang)}")
        version = "version de l'appel" if lang == "fr" else "call version"
        proposal = "proposition" if lang == "fr" else "proposal"
        lines.append(f"({version} {self.call.hash}; {proposal} {self.proposal_fingerprint})")
        return "\n".join(lines)


# --- message templates ----------------------------------------------------------------------
# One bilingual template per (check, result); values are formatted per language by Babel.

_T: dict[str, Bilingual] = {
    "unset": Bilingual(
        en="the {name} is not set in this call: the programme officer must set it",
        fr="le paramètre « {name} » n'est pas fixé dans cet appel : l'agent de programme "
        "doit le fixer",
    ),
    "status.draft": Bilingual(
        en="call version {version} is a draft, not yet published: the answer is provisional",
        fr="la version {version} de l'appel est une ébauche non publiée : la réponse est "
        "provisoire",
    ),
    "status.closed": Bilingual(
        en="call version {version} is closed", fr="la version {version} de l'appel est close"
    ),
    "status.published": Bilingual(
        en="call version {version} is published", fr="la version {version} de l'appel est publiée"
    ),
    "country.pass": Bilingual(
        en="the project takes place in {country}, which the call serves",
        fr="pays du projet : {country}, desservi par l'appel",
    ),
    "country.fail": Bilingual(
        en="the project takes place in {country}; the call serves {served}",
        fr="pays du projet : {country}; l'appel dessert : {served}",
    ),
    "recipient.pass": Bilingual(
        en="recipient type “{rtype}” is eligible for this call",
        fr="le type de bénéficiaire « {rtype} » est admissible à cet appel",
    ),
    "recipient.fail": Bilingual(
        en="recipient type “{rtype}” is not eligible for this call",
        fr="le type de bénéficiaire « {rtype} » n'est pas admissible à cet appel",
    ),
    "themes.pass": Bilingual(
        en="the project addresses priorities of the call: {themes}",
        fr="le projet répond à des priorités de l'appel : {themes}",
    ),
    "themes.fail": Bilingual(
        en="no priority theme of the call; the call's priorities are: {priorities}",
        fr="aucun thème prioritaire de l'appel; les priorités de l'appel sont : {priorities}",
    ),
    "deadline.pass": Bilingual(
        en="submitted {submitted}, on or before the application deadline {deadline}",
        fr="soumise le {submitted}, au plus tard à la date limite de dépôt du {deadline}",
    ),
    "deadline.fail": Bilingual(
        en="submitted {submitted}, after the application deadline {deadline}",
        fr="soumise le {submitted}, après la date limite de dépôt du {deadline}",
    ),
    "start.pass": Bilingual(
        en="activities begin {start}, within fiscal year {fy}",
        fr="les activités commencent le {start}, pendant l'exercice {fy}",
    ),
    "start.review": Bilingual(
        en="activities begin {start}, before fiscal year {fy} begins ({fy_start})",
        fr="les activités commencent le {start}, avant le début de l'exercice {fy} ({fy_start})",
    ),
    "completion.pass": Bilingual(
        en="activities end {end}, on or before the completion deadline {deadline}",
        fr="les activités se terminent le {end}, au plus tard à la date d'achèvement du {deadline}",
    ),
    "completion.fail": Bilingual(
        en="activities end {end}, after the completion deadline {deadline}",
        fr="les activités se terminent le {end}, après la date d'achèvement du {deadline}",
    ),
    "minimum.pass": Bilingual(
        en="requested {requested}, at least the minimum {minimum}",
        fr="montant demandé de {requested}, au moins le minimum de {minimum}",
    ),
    "minimum.fail": Bilingual(
        en="requested {requested} is below the minimum {minimum}",
        fr="le montant demandé de {requested} est inférieur au minimum de {minimum}",
    ),
    "maximum.pass": Bilingual(
        en="requested {requested}, within the maximum {maximum}",
        fr="montant demandé de {requested}, dans la limite du maximum de {maximum}",
    ),
    "maximum.fail": Bilingual(
        en="requested {requested} exceeds the maximum {maximum}",
        fr="le montant demandé de {requested} dépasse le maximum de {maximum}",
    ),
    "overhead.pass": Bilingual(
        en="overhead {overhead} is {percent} of the CFLI contribution, within the {cap} cap",
        fr="les frais administratifs de {overhead} représentent {percent} de la contribution "
        "du FCIL, sous le plafond de {cap}",
    ),
    "overhead.fail": Bilingual(
        en="overhead {percent} exceeds the {cap} cap ({overhead} of {requested})",
        fr="les frais administratifs ({percent}) dépassent le plafond de {cap} ({overhead} sur "
        "{requested})",
    ),
    "registration.registered": Bilingual(
        en="the organisation states that it is locally registered",
        fr="l'organisation déclare être enregistrée localement",
    ),
    "registration.not_required": Bilingual(
        en="the call does not require local registration",
        fr="l'appel n'exige pas d'enregistrement local",
    ),
    "registration.risk_accepted": Bilingual(
        en="the organisation is not registered because registration would put it or its staff "
        "at risk, an answer the call accepts",
        fr="l'organisation n'est pas enregistrée parce que l'enregistrement mettrait "
        "l'organisation ou son personnel en danger, réponse que l'appel accepte",
    ),
    "registration.risk_refused": Bilingual(
        en="the call requires local registration and does not accept the answer that "
        "registration would put the organisation at risk",
        fr="l'appel exige l'enregistrement local et n'accepte pas la réponse selon laquelle "
        "l'enregistrement mettrait l'organisation en danger",
    ),
    "registration.fail": Bilingual(
        en="the call requires local registration; the organisation is not registered",
        fr="l'appel exige l'enregistrement local; l'organisation n'est pas enregistrée",
    ),
    "gender.pass": Bilingual(
        en="a gender-based analysis is provided",
        fr="une analyse comparative entre les sexes est fournie",
    ),
    "gender.not_required": Bilingual(
        en="the call does not require a gender-based analysis",
        fr="l'appel n'exige pas d'analyse comparative entre les sexes",
    ),
    "gender.fail": Bilingual(
        en="the call requires a gender-based analysis; none is provided",
        fr="l'appel exige une analyse comparative entre les sexes; aucune n'est fournie",
    ),
    "costs.pass": Bilingual(
        en="no budget line is in a category the call makes ineligible",
        fr="aucune ligne budgétaire ne relève d'une catégorie non admissible",
    ),
    "costs.fail": Bilingual(
        en="budget lines in ineligible categories: {categories}",
        fr="lignes budgétaires de catégories non admissibles : {categories}",
    ),
    "language.pass": Bilingual(
        en="written in {language}, a language of the call",
        fr="rédigée en {language}, une langue de l'appel",
    ),
    "language.fail": Bilingual(
        en="written in {language}; the call accepts {languages}",
        fr="rédigée en {language}; l'appel accepte : {languages}",
    ),
    "sanctions.pass": Bilingual(
        en="no match on the sanctions lists on {on} (lists: {lists}){stale}; sanctions regimes "
        "whose lists are not in the data were not screened",
        fr="aucune correspondance dans les listes de sanctions au {on} (listes : {lists}){stale}; "
        "les régimes de sanctions dont les listes ne figurent pas dans les données n'ont pas "
        "été vérifiés",
    ),
    "sanctions.stale": Bilingual(
        en="; a listing made after a list's date is not in its data",
        fr="; une inscription postérieure à la date d'une liste n'y figure pas",
    ),
    "sanctions.hit": Bilingual(
        en="{field} matches “{listed}”, {where}, {since} ({how}): {prohibition}; the programme "
        "officer must review the match{exception}; the proposal cannot be eligible before "
        "that review",
        fr="{field} correspond à « {listed} », {where}, {since} ({how}) : {prohibition}; "
        "l'agent de programme doit examiner cette correspondance{exception}; la proposition "
        "ne peut être admissible avant cet examen",
    ),
    "sanctions.later": Bilingual(
        en="{field} resembles “{listed}”, {where}, {when} ({how}): not a match on {on}, but "
        "screen again before an agreement is signed or a payment made",
        fr="{field} ressemble à « {listed} », {where}, {when} ({how}) : pas de correspondance "
        "au {on}, mais il faut vérifier de nouveau avant la signature d'un accord ou un "
        "paiement",
    ),
    "sanctions.error": Bilingual(
        en="the sanctions lists could not be read ({problem}): the names were not screened",
        fr="les listes de sanctions n'ont pas pu être lues ({problem}) : les noms n'ont pas "
        "été vérifiés",
    ),
}

# SOR/2020-214 s. 3 and s. 4(h), read in the Justice Laws XML consolidated to 2025-07-25;
# paragraph 4(h) is in force since 2020-09-28 in its current text (lims:fid = lims:id).
BELARUS = "SOR/2020-214"
_PROHIBITION: dict[str, Bilingual] = {
    BELARUS: Bilingual(
        en="section 3 of SOR/2020-214 prohibits making any property or financial services "
        "available to a listed person",
        fr="l'article 3 du DORS/2020-214 interdit de mettre des biens ou des services "
        "financiers à la disposition d'une personne inscrite",
    ),
}
_EXCEPTION: dict[str, Bilingual] = {
    BELARUS: Bilingual(
        en=" and assess whether paragraph 4(h) of SOR/2020-214 applies (section 3 does not "
        "apply to a transaction with an entity that has entered into a grant or contribution "
        "agreement with the Department of Foreign Affairs, Trade and Development)",
        fr=" et déterminer si l'alinéa 4h) du DORS/2020-214 s'applique (l'article 3 ne "
        "s'applique pas aux opérations avec une entité ayant conclu un accord de subvention "
        "ou de contribution avec le ministère des Affaires étrangères, du Commerce et du "
        "Développement)",
    ),
}
_SINCE: dict[str, Bilingual] = {
    "listed": Bilingual(en="listed since {date}", fr="inscription en vigueur depuis le {date}"),
    "possibly listed": Bilingual(
        en="in force on {date}, the first date of the source's point-in-time data, and "
        "possibly listed earlier",
        fr="inscription en vigueur le {date}, première date des données de la source, et "
        "peut-être antérieure",
    ),
    "date unknown": Bilingual(
        en="the list gives no listing date", fr="la liste ne donne pas de date d'inscription"
    ),
    "not yet listed": Bilingual(
        en="listed only from {date}", fr="inscription en vigueur seulement à compter du {date}"
    ),
    "delisted": Bilingual(en="delisted on {date}", fr="radiation le {date}"),
}
_HOW: dict[str, Bilingual] = {
    "exact": Bilingual(en="exact match", fr="correspondance exacte"),
    "partial": Bilingual(en="partial match", fr="correspondance partielle"),
    "fuzzy": Bilingual(en="similar spelling", fr="graphie voisine"),
}

Value = Callable[[str], str]


def _money(amount: Decimal) -> Value:
    return lambda lang: i18n.money(amount, lang)


def _day(date: dt.date) -> Value:
    return lambda lang: i18n.day(date, lang)


def _percent(value: Decimal) -> Value:
    return lambda lang: i18n.percent(value, lang)


def _label(label: Bilingual) -> Value:
    return lambda lang: i18n.text(label, lang)


def _labels(labels: list[Bilingual]) -> Value:
    return lambda lang: i18n.listing([i18n.text(x, lang) for x in labels], lang)


def _language(code: str) -> Value:
    return lambda lang: i18n.language(code, lang)


def _plain(value: object) -> Value:
    return lambda lang: str(value)


def _country(code: str) -> Value:
    return lambda lang: countries.get(code).name(lang)


class _Checker:
    def __init__(self, proposal: Proposal, ref: CallRef, version: CallVersion) -> None:
        self.p = proposal
        self.ref = ref
        self.v = version
        self.reasons: list[Reason] = []

    def add(
        self,
        check: str,
        status: Status,
        parameter: str,
        key: str,
        sensitive: bool = False,
        **values: Value,
    ) -> None:
        param: Param[Any] | None = self.v.parameters().get(parameter)
        message = _format(key, **values)
        self.reasons.append(
            Reason(
                check=check,
                status=status,
                parameter=parameter,
                call=self.ref,
                basis=param.basis if param else None,
                source=param.source if param else None,
                confidence=param.confidence if param else None,
                message=message,
                sensitive=sensitive,
            )
        )

    def sanctions(
        self,
        status: Status,
        message: Bilingual,
        law: Bilingual | None = None,
        sensitive: bool = False,
    ) -> None:
        """A sanctions screening line: it cites the lists read (``law``), not a call
        parameter."""
        self.reasons.append(
            Reason(
                check="sanctions",
                status=status,
                parameter="sanctions",
                call=self.ref,
                message=message,
                sensitive=sensitive,
                law=law,
            )
        )

    def unset(self, check: str, parameter: str) -> None:
        # on registration, even "not set" tells that the organisation is not registered
        self.add(
            check,
            Status.REVIEW,
            parameter,
            "unset",
            check == "registration",
            name=_label(PARAM_LABELS[parameter]),
        )


def determine_eligibility(
    proposal: Proposal, call: Call, version: int | None = None, on: dt.date | None = None
) -> Determination:
    """Check ``proposal`` against ``call`` (its latest version unless ``version`` is given);
    the names it holds are screened against the sanctions lists on ``on`` (default: the
    submission date)."""
    require_same_call(proposal.id, proposal.call_id, call.id)
    v = call.version(version)
    c = _Checker(proposal, call.ref(v.version), v)
    p = proposal

    if v.status != "published":
        c.add(
            "call_status", Status.REVIEW, "status", f"status.{v.status}", version=_plain(v.version)
        )

    served = v.countries_served.value
    if served is None:
        c.unset("country", "countries_served")
    elif p.project_country in served:
        c.add(
            "country",
            Status.PASS,
            "countries_served",
            "country.pass",
            country=_country(p.project_country),
        )
    else:
        c.add(
            "country",
            Status.FAIL,
            "countries_served",
            "country.fail",
            country=_country(p.project_country),
            served=lambda lang: i18n.listing([countries.get(x).name(lang) for x in served], lang),
        )

    rtype = _label(RECIPIENT_LABELS[p.organisation.type])
    if v.recipient_types.value is None:
        c.unset("recipient_type", "recipient_types")
    elif p.organisation.type in v.recipient_types.value:
        c.add("recipient_type", Status.PASS, "recipient_types", "recipient.pass", rtype=rtype)
    else:
        c.add("recipient_type", Status.FAIL, "recipient_types", "recipient.fail", rtype=rtype)

    priorities = v.priorities.value
    if priorities is None:
        c.unset("themes", "priorities")
    else:
        shared = [t for t in p.themes if t in priorities]
        if shared:
            c.add(
                "themes",
                Status.PASS,
                "priorities",
                "themes.pass",
                themes=_labels([THEME_LABELS[t] for t in shared]),
            )
        else:
            c.add(
                "themes",
                Status.FAIL,
                "priorities",
                "themes.fail",
                priorities=_labels([THEME_LABELS[t] for t in priorities]),
            )

    deadline = v.application_deadline.value
    if deadline is None:
        c.unset("application_deadline", "application_deadline")
    else:
        ok = p.submitted_on <= deadline
        c.add(
            "application_deadline",
            Status.PASS if ok else Status.FAIL,
            "application_deadline",
            "deadline.pass" if ok else "deadline.fail",
            submitted=_day(p.submitted_on),
            deadline=_day(deadline),
        )

    fy = v.fiscal_year.value
    if fy is None:
        c.unset("fiscal_year", "fiscal_year")
    else:
        start = p.activities_start
        early = start < fy.start
        c.add(
            "fiscal_year",
            Status.REVIEW if early else Status.PASS,
            "fiscal_year",
            "start.review" if early else "start.pass",
            start=_day(start),
            fy=_plain(fy.label),
            fy_start=_day(fy.start),
        )

    done = v.completion_deadline.value
    if done is None:
        c.unset("completion_deadline", "completion_deadline")
    else:
        end = p.activities_end
        ok = end <= done
        c.add(
            "completion_deadline",
            Status.PASS if ok else Status.FAIL,
            "completion_deadline",
            "completion.pass" if ok else "completion.fail",
            end=_day(end),
            deadline=_day(done),
        )

    requested = _money(p.requested)
    low = v.minimum_contribution.value
    if low is None:
        c.unset("minimum_contribution", "minimum_contribution")
    else:
        ok = p.requested >= low.cad
        c.add(
            "minimum_contribution",
            Status.PASS if ok else Status.FAIL,
            "minimum_contribution",
            "minimum.pass" if ok else "minimum.fail",
            requested=requested,
            minimum=_money(low.cad),
        )
    high = v.maximum_contribution.value
    if high is None:
        c.unset("maximum_contribution", "maximum_contribution")
    else:
        ok = p.requested <= high.cad
        c.add(
            "maximum_contribution",
            Status.PASS if ok else Status.FAIL,
            "maximum_contribution",
            "maximum.pass" if ok else "maximum.fail",
            requested=requested,
            maximum=_money(high.cad),
        )

    cap = v.overhead_cap_percent.value
    totals = p.totals
    if cap is None:
        c.unset("overhead", "overhead_cap_percent")
    else:
        # compare the exact share, not the rounded percentage shown to the reader
        ok = totals.overhead * 100 <= cap * totals.cfli
        c.add(
            "overhead",
            Status.PASS if ok else Status.FAIL,
            "overhead_cap_percent",
            "overhead.pass" if ok else "overhead.fail",
            overhead=_money(totals.overhead),
            percent=_percent(totals.overhead_percent),
            cap=_percent(cap),
            requested=requested,
        )

    _registration(c)

    required = v.gender_analysis_required.value
    if required is None:
        c.unset("gender_analysis", "gender_analysis_required")
    elif not required:
        c.add("gender_analysis", Status.PASS, "gender_analysis_required", "gender.not_required")
    elif p.gender_analysis.strip():
        c.add("gender_analysis", Status.PASS, "gender_analysis_required", "gender.pass")
    else:
        c.add("gender_analysis", Status.FAIL, "gender_analysis_required", "gender.fail")

    if not v.ineligible_costs.is_set:
        c.unset("ineligible_costs", "ineligible_costs")
    else:
        barred = sorted(
            {
                line.category
                for line in p.budget
                if line.category in (v.ineligible_costs.value or ())
            }
        )
        if barred:
            c.add(
                "ineligible_costs",
                Status.FAIL,
                "ineligible_costs",
                "costs.fail",
                categories=_labels([COST_LABELS[x] for x in barred]),
            )
        else:
            c.add("ineligible_costs", Status.PASS, "ineligible_costs", "costs.pass")

    languages = v.languages.value
    if languages is None:
        c.unset("language", "languages")
    else:
        ok = p.language in languages
        c.add(
            "language",
            Status.PASS if ok else Status.FAIL,
            "languages",
            "language.pass" if ok else "language.fail",
            language=_language(p.language),
            languages=lambda lang: i18n.listing([i18n.language(x, lang) for x in languages], lang),
        )

    day = on or p.submitted_on
    screened = _sanctions(c, day)

    statuses = {r.status for r in c.reasons}
    outcome = (
        Outcome.INELIGIBLE
        if Status.FAIL in statuses
        else Outcome.NEEDS_REVIEW
        if Status.REVIEW in statuses
        else Outcome.ELIGIBLE
    )
    return Determination(
        engine=ENGINE,
        outcome=outcome,
        proposal_id=p.id,
        proposal_fingerprint=p.fingerprint(),
        call=c.ref,
        reasons=tuple(c.reasons),
        as_of=day,
        sanctions_lists=screened.versions if screened else (),
        law_version=screened.law_version if screened else None,
    )


def _field(position: int) -> Value:
    """The proposal field a name came from, never the name (it is sensitive)."""
    if position == 0:
        return _label(Bilingual(en="the organisation's name", fr="le nom de l'organisation"))
    return _label(
        Bilingual(
            en=f"the name of contact {position}", fr=f"le nom de la personne-ressource {position}"
        )
    )


def _score(match: sanctions.Match) -> Value:
    def text(lang: str) -> str:
        how = i18n.text(_HOW[match.how], lang)
        if match.score is None:
            return how
        score = i18n.score(match.score, lang)
        return f"{how}, score {score}" if lang == "en" else f"{how}, score de {score}"

    return text


def _status(match: sanctions.Match) -> Value:
    def text(lang: str) -> str:
        when = match.listed_to if match.status == "delisted" else match.listed_from
        return i18n.text(_SINCE[match.status], lang).format(
            date=i18n.day(when, lang) if when else "?"
        )

    return text


def _listing_rule(match: sanctions.Match, on: dt.date) -> dict[str, Any] | None:
    """The rule (engine) on dealings with the persons of the list the match is on."""
    if match.listing is None:
        return None
    schedule = match.listing.schedule
    provision = f"Schedule {schedule}" if schedule[:1].isdigit() else schedule
    return checks.listing_rule(instrument=match.listing.instrument, provision=provision, on=on)


def _match_law(match: sanctions.Match, on: dt.date, hit: bool = True) -> Bilingual:
    inst = match.instrument
    if inst is None:
        return Bilingual(en=f"{match.reference}; {match.url}", fr=f"{match.reference}; {match.url}")
    inst_fr = sanctions.french_instrument(inst)
    rule = _listing_rule(match, on) if hit else None
    if not hit:
        en, fr = inst, inst_fr
    elif inst == BELARUS:
        en, fr = f"{inst}, ss. 3 and 4(h)", f"{inst_fr}, art. 3 et al. 4h)"
    elif rule is not None:  # the provision the list is read under (s. 3, s. 3.01(1.1), s. 2(1))
        en, fr = f"{inst}, {rule['provision_en']}", cite_fr(inst, rule["provision_en"])
    else:
        en, fr = inst, inst_fr
    return Bilingual(
        en=f"{en}; {sanctions.url(inst, 'en')}", fr=f"{fr}; {sanctions.url(inst, 'fr')}"
    )


def _prohibition(match: sanctions.Match, on: dt.date) -> Bilingual:
    """What the rule the match is listed under forbids, in a clause."""
    inst = match.instrument or ""
    if inst in _PROHIBITION:
        return _PROHIBITION[inst]
    rule = _listing_rule(match, on)
    if rule is None:
        return Bilingual(
            en="the measures this list carries may forbid the payment",
            fr="les mesures attachées à cette liste peuvent interdire le paiement",
        )
    where_en = f"{inst} {rule['provision_en']}"
    where_fr = cite_fr(inst, rule["provision_en"])
    uncertain, restriction = rule["uncertain"], rule["restriction"]
    if uncertain is not None:  # the rule's text on the date is not held
        return Bilingual(
            en=f"{where_en} may have prohibited dealings with the persons it lists: "
            f"{uncertain['en'][:1].lower()}{uncertain['en'][1:].rstrip('.')}",
            fr=f"le {where_fr} a peut-être interdit les opérations avec les personnes qu'il vise : "
            f"{uncertain['fr'][:1].lower()}{uncertain['fr'][1:].rstrip('.')}",
        )
    if restriction is not None:  # some dealings only (new debt or equity)
        return Bilingual(
            en=f"under {where_en}, {restriction['en']}",
            fr=f"en vertu du {where_fr}, {restriction['fr']}",
        )
    return Bilingual(
        en=f"{where_en} prohibits dealings with the persons it lists",
        fr=f"le {where_fr} interdit les opérations avec les personnes qu'il vise",
    )


def _sanctions(c: _Checker, on: dt.date) -> sanctions.Screened | None:
    """Screen the organisation's name and every contact's name on ``on``. A hit is a review
    (never a pass: s. 3 of the regulation may forbid the payment); no hit is a pass line
    that says which lists were read, so the officer sees the screening was done."""
    org = c.p.organisation
    names = [(0, org.name.get_secret_value(), "any")]
    names += [(i, x.name.get_secret_value(), "person") for i, x in enumerate(org.contacts, 1)]
    try:
        screened = sanctions.screen_names(names, on)
    except BadInput:
        raise
    except (LawDataError, OSError, ValueError) as error:
        # never a pass: a list that does not load is a screening not done
        problem = str(error) if isinstance(error, LawDataError) else "a list file is damaged"
        c.sanctions(Status.REVIEW, _format("sanctions.error", problem=_plain(problem)))
        return None
    threshold = {lang: i18n.score(screened.threshold, lang) for lang in ("en", "fr")}
    evidence = Bilingual(
        en=f"screening lists {', '.join(screened.versions)}, threshold {threshold['en']}; "
        f"law data {screened.law_version}",
        fr=f"listes de filtrage {', '.join(screened.versions)}, seuil de {threshold['fr']}; "
        f"données juridiques {screened.law_version}",
    )
    for m in screened.hits:
        inst = m.instrument or ""
        inst_fr = sanctions.french_instrument(inst)
        prohibition = _prohibition(m, on)
        exception = _EXCEPTION.get(inst) or (
            Bilingual(
                en=f" and assess the exceptions that {inst} provides",
                fr=f" et examiner les exceptions que prévoit le {inst_fr}",
            )
            if inst
            else None
        )
        _match_line(
            c,
            m,
            on,
            Status.REVIEW,
            "sanctions.hit",
            since=_status(m),
            prohibition=_label(prohibition),
            exception=_label(exception) if exception else _plain(""),
        )
    if not screened.hits:
        stale = any(x.source_date is None or x.source_date < on for x in screened.lists)
        c.sanctions(
            Status.PASS,
            _format(
                "sanctions.pass",
                on=_day(on),
                lists=lambda lang: "; ".join(_list_text(x, lang) for x in screened.lists),
                stale=_label(_T["sanctions.stale"]) if stale else _plain(""),
            ),
            law=evidence,
        )
    for m in screened.later:
        _match_line(c, m, on, Status.PASS, "sanctions.later", when=_status(m), on=_day(on))
    return screened


def _match_line(
    c: _Checker, m: sanctions.Match, day: dt.date, status: Status, key: str, **values: Value
) -> None:
    """A line about one name match: which field, the listed name, where it is listed and
    how close, plus ``values``. A hit (a review) cites s. 3; a later listing (a pass) only
    the list. Sensitive: a fuzzy hit's listed name is close to the applicant's own name."""
    c.sanctions(
        status,
        _format(
            key,
            field=_field(m.position),
            listed=_plain(m.listed_name),
            where=m.cited,
            how=_score(m),
            **values,
        ),
        sensitive=True,
        law=_match_law(m, day, hit=status is Status.REVIEW),
    )


def _list_text(read: sanctions.ListRead, lang: str) -> str:
    if read.source_date is None:
        return read.text(lang)
    at = "au" if lang == "fr" else "as of"
    return f"{read.text(lang)}, {at} {i18n.day(read.source_date, lang)}"


def _format(key: str, **values: Value) -> Bilingual:
    template = _T[key]
    return Bilingual(
        en=template.en.format(**{k: f("en") for k, f in values.items()}),
        fr=template.fr.format(**{k: f("fr") for k, f in values.items()}),
    )


def _registration(c: _Checker) -> None:
    status = c.p.organisation.registration
    required = c.v.registration_required.value
    if status is RegistrationStatus.REGISTERED:
        c.add("registration", Status.PASS, "registration_required", "registration.registered", True)
    elif required is None:
        c.unset("registration", "registration_required")
    elif not required:
        c.add(
            "registration", Status.PASS, "registration_required", "registration.not_required", True
        )
    elif status is RegistrationStatus.NOT_REGISTERED:
        c.add("registration", Status.FAIL, "registration_required", "registration.fail", True)
    else:
        accepted = c.v.registration_risk_accepted.value
        if accepted is None:
            c.unset("registration", "registration_risk_accepted")
        elif accepted:
            c.add(
                "registration",
                Status.PASS,
                "registration_risk_accepted",
                "registration.risk_accepted",
                True,
            )
        else:
            c.add(
                "registration",
                Status.FAIL,
                "registration_risk_accepted",
                "registration.risk_refused",
                True,
            )


def replay(record: dict[str, Any], proposal: Proposal, book: CallBook) -> Determination:
    """Make a stored determination again from the proposal and the call version it names.

    Refuses (BadInput) when the call version that decided it is no longer the one on file
    (its content hash differs), the proposal is not the one that was checked, or the
    sanctions lists or law data read on its date have changed since."""
    stored = Determination.model_validate(record)
    call = book.get(stored.call.call_id)
    version = call.by_hash(stored.call.hash)
    if version is None:
        raise refuse(
            "call",
            "replay_call_changed",
            call=stored.call.call_id,
            version=stored.call.version,
            hash=stored.call.hash,
        )
    if proposal.fingerprint() != stored.proposal_fingerprint:
        raise refuse("proposal", "replay_other_proposal", proposal=proposal.id)
    again = determine_eligibility(proposal, call, version.version, stored.as_of)
    if stored.as_of is not None and (
        again.sanctions_lists != stored.sanctions_lists or again.law_version != stored.law_version
    ):
        raise refuse(
            "sanctions",
            "replay_sanctions_changed",
            lists_then=", ".join(stored.sanctions_lists),
            law_then=stored.law_version,
            lists_now=", ".join(again.sanctions_lists),
            law_now=again.law_version,
        )
    return again
