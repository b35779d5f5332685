"""May an official discuss this topic with this country's authorities on this day?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bilateral import countries
from bilateral.engine.determination import Trace
from bilateral.engine.law import Law
from bilateral.law import words
from bilateral.law.model import EngagementPolicy, Rule, Topic


@dataclass(frozen=True, slots=True)
class ContactDetermination:
    country: str
    on: dt.date
    topic: Topic
    allowed: bool
    trace: Trace


def determine_contact(law: Law, country: str, on: dt.date, topic: Topic) -> ContactDetermination:
    trace = Trace()
    allowed = True
    policy_in_force = False
    for rule in law.rules("engagement_policy", country):
        if not rule.in_force(on):
            trace.skipped(rule, "not in force on this date")
            _inferred_boundary(rule, on, topic, trace)
            continue
        policy_in_force = True
        policy = rule.effect
        assert isinstance(policy, EngagementPolicy)
        en, fr = words.topic(topic.value)
        fr = fr[:1].upper() + fr[1:]
        if topic in policy.permitted_topics:
            trace.applied(
                rule, f"{en} is a permitted area of contact", f"{fr} : domaine de contact permis"
            )
        else:
            allowed = False
            trace.applied(
                rule,
                f"{en} is outside the permitted areas of contact",
                f"{fr} : hors des domaines de contact permis",
            )
    if not policy_in_force:
        _sanctions_without_policy(law, country, on, trace)
    return ContactDetermination(country, on, topic, allowed, trace)


def _inferred_boundary(rule: Rule, on: dt.date, topic: Topic, trace: Trace) -> None:
    """A caveat for a day just outside a policy whose start or end date is inferred (the
    span Rule.uncertain_from/uncertain_to), where the policy would have limited the topic."""
    policy = rule.effect
    if not isinstance(policy, EngagementPolicy) or topic in policy.permitted_topics:
        return
    if rule.uncertain_from and rule.valid_from and rule.uncertain_from <= on < rule.valid_from:
        edge, edge_fr, day, since = "start", "le début", rule.valid_from, rule.uncertain_from
        fixed = "fixé au {day}, est déduit et non tiré des sources"
    elif rule.uncertain_to and rule.valid_to and rule.valid_to < on <= rule.uncertain_to:
        edge, edge_fr, day, since = "end", "la fin", rule.valid_to, rule.uncertain_to
        fixed = "fixée au {day}, est déduite et non tirée des sources"
    else:
        return
    span = f"{since} to {day}" if edge == "start" else f"{day} to {since}"
    span_fr = f"du {since} au {day}" if edge == "start" else f"du {day} au {since}"
    trace.caveat(
        f'The {edge} of the rule "{rule.label.en}" ({rule.id}) on {day} is inferred, not '
        f"found in the sources; the real {edge} may lie anywhere from {span}: the policy may "
        "have limited this contact on this date.",
        f"{edge_fr.capitalize()} de la règle « {rule.label.fr} » ({rule.id}), "
        f"{fixed.format(day=day)}; la date réelle peut se situer {span_fr} : la politique "
        "a pu limiter ce contact à cette date.",
    )


def _sanctions_without_policy(law: Law, country: str, on: dt.date, trace: Trace) -> None:
    """No contact policy in the data for a country Canada sanctions on this day: a plain
    "allowed" would be a guess, so the answer says what the data lacks."""
    rules = law.sanctions_in_force(country, on)
    if not rules:
        return
    instruments = ", ".join(sorted({r.instrument for r in rules}))
    where = countries.get(country)
    trace.caveat(
        "No contact policy for this period is in the data; Canada has sanctions in force "
        f"against {where.name('en')} ({instruments}): official contact may be limited.",
        "Aucune politique de contacts pour cette période ne figure dans les données; le "
        "Canada applique des sanctions visant ce pays "
        f"({where.name('fr')}, {instruments.replace('SOR/', 'DORS/')}) : les contacts "
        "officiels peuvent être limités.",
    )
