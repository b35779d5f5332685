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
from bilateral.cfli import i18n
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
from bilateral.errors import BadInput
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

    def citation(self, lang: str) -> str:
        where = "appel" if lang == "fr" else "call"
        parts = [f"{where} {self.call.call_id} v{self.call.version}", self.parameter]
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
        template = _T[key]
        message = Bilingual(
            en=template.en.format(**{k: f("en") for k, f in values.items()}),
            fr=template.fr.format(**{k: f("fr") for k, f in values.items()}),
        )
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
    proposal: Proposal, call: Call, version: int | None = None
) -> Determination:
    """Check ``proposal`` against ``call`` (its latest version unless ``version`` is given)."""
    if proposal.call_id != call.id:
        raise BadInput(
            "call", f"proposal {proposal.id} is for call {proposal.call_id}, not {call.id}"
        )
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
    (its content hash differs) or the proposal is not the one that was checked."""
    stored = Determination.model_validate(record)
    call = book.get(stored.call.call_id)
    version = call.by_hash(stored.call.hash)
    if version is None:
        raise BadInput(
            "call",
            f"call {stored.call.call_id} v{stored.call.version} ({stored.call.hash}) is not on "
            "file any more: its content changed",
        )
    if proposal.fingerprint() != stored.proposal_fingerprint:
        raise BadInput("proposal", f"proposal {proposal.id} is not the one that was checked")
    return determine_eligibility(proposal, call, version.version)
