"""May an official discuss this topic with this country's authorities on this day?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bilateral.engine.determination import Trace
from bilateral.engine.law import Law
from bilateral.law.model import EngagementPolicy, Topic


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
    for rule in law.rules("engagement_policy", country):
        if not rule.in_force(on):
            trace.skipped(rule, "not in force on this date")
            continue
        policy = rule.effect
        assert isinstance(policy, EngagementPolicy)
        if topic in policy.permitted_topics:
            trace.applied(rule, f"{topic.value} is a permitted area of contact")
        else:
            allowed = False
            trace.applied(rule, f"{topic.value} is outside the permitted areas of contact")
    return ContactDetermination(country, on, topic, allowed, trace)
