"""The engine's door for faces (CLI, API, web): questions in plain values, answers as JSON.

Every face calls these functions, so the CLI's ``--json`` and the API return the same
fields. Each raises ``bilateral.errors.BadInput`` (one line naming the field) on bad input.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from bilateral import countries
from bilateral.engine.determination import Trace, iso
from bilateral.engine.export import Goods, determine_export, parse_ecl_item
from bilateral.engine.law import Law, default_law
from bilateral.errors import BadInput
from bilateral.goods import hs
from bilateral.law.citations import provision_fr
from bilateral.law.model import (
    AreaControlListing,
    DealingsProhibition,
    EngagementPolicy,
    HumanitarianCategory,
    Rule,
    Topic,
)

JSON = dict[str, Any]

# Words people use for the topics of official contact.
_TOPIC_WORDS: dict[str, Topic] = {
    "consular": Topic.CONSULAR,
    "consular relations": Topic.CONSULAR,
    "human rights": Topic.HUMAN_RIGHTS,
    "human rights and democratic development": Topic.HUMAN_RIGHTS,
    "democratic development": Topic.DEMOCRATIC_DEVELOPMENT,
    "democracy": Topic.DEMOCRATIC_DEVELOPMENT,
    "international security": Topic.INTERNATIONAL_SECURITY,
    "security": Topic.INTERNATIONAL_SECURITY,
    "regional security": Topic.REGIONAL_SECURITY,
    "humanitarian": Topic.HUMANITARIAN,
    "inter-korean relations": Topic.INTER_KOREAN,
    "trade": Topic.TRADE,
    "investment": Topic.TRADE,
    "culture": Topic.CULTURE,
    "education": Topic.CULTURE,
    "political": Topic.POLITICAL,
    "defence": Topic.DEFENCE,
    "defense": Topic.DEFENCE,
    "defence cooperation": Topic.DEFENCE,
    # French (accents are folded before look-up).
    "consulaire": Topic.CONSULAR,
    "relations consulaires": Topic.CONSULAR,
    "affaires consulaires": Topic.CONSULAR,
    "droits de la personne": Topic.HUMAN_RIGHTS,
    "droits de l'homme": Topic.HUMAN_RIGHTS,
    "droits de la personne et developpement democratique": Topic.HUMAN_RIGHTS,
    "developpement democratique": Topic.DEMOCRATIC_DEVELOPMENT,
    "democratie": Topic.DEMOCRATIC_DEVELOPMENT,
    "securite internationale": Topic.INTERNATIONAL_SECURITY,
    "securite regionale": Topic.REGIONAL_SECURITY,
    "humanitaire": Topic.HUMANITARIAN,
    "situation humanitaire": Topic.HUMANITARIAN,
    "humanitarian situation": Topic.HUMANITARIAN,
    "relations intercoreennes": Topic.INTER_KOREAN,
    "relations inter-coreennes": Topic.INTER_KOREAN,
    "commerce": Topic.TRADE,
    "commerce et investissement": Topic.TRADE,
    "investissement": Topic.TRADE,
    "culture et education": Topic.CULTURE,
    "politique": Topic.POLITICAL,
    "relations politiques": Topic.POLITICAL,
    "political relations": Topic.POLITICAL,
    "cooperation en matiere de defense": Topic.DEFENCE,
}
# Words that name security without saying which: the topic is the one the country's
# engagement policy names (regional for the DPRK, international for Belarus).
_SECURITY_WORDS = frozenset({"security", "securite", "peace and security", "paix et securite"})

EARLIEST = dt.date(1981, 7, 3)  # the Area Control List, SOR/81-543, the oldest instrument
LATEST = dt.date(2100, 12, 31)


def parse_date(value: str | dt.date, field: str = "on") -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise BadInput(
                field,
                f"malformed date {value!r} (use YYYY-MM-DD)",
                "engine.date_malformed",
                {"value": str(value)},
            ) from None
    if not EARLIEST <= day <= LATEST:
        raise BadInput(
            field,
            f"date {day} is outside {EARLIEST} to {LATEST}",
            "engine.date_range",
            {"day": day, "earliest": EARLIEST, "latest": LATEST},
        )
    return day


def parse_category(value: str) -> HumanitarianCategory:
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return HumanitarianCategory(key)
    except ValueError:
        options = ", ".join(c.value for c in HumanitarianCategory)
        raise BadInput(
            "category",
            f"unknown category {value!r} (one of: {options})",
            "engine.category_unknown",
            {"value": value, "options": options},
        ) from None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold().replace("’", "'"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("_", " ").split())


def parse_topic(
    value: str, law: Law | None = None, country: str = "", on: dt.date | None = None
) -> Topic:
    """A topic from its name or a common word for it, in English or French.

    "security" alone is read as the security topic the country's policy in force names.
    """
    key = _fold(value)
    if key in _SECURITY_WORDS:
        return _security_topic(law or default_law(), country, on)
    for topic in Topic:
        if key == topic.value.replace("_", " "):
            return topic
    if key in _TOPIC_WORDS:
        return _TOPIC_WORDS[key]
    options = ", ".join(t.value for t in Topic)
    raise BadInput(
        "topic",
        f"unknown topic {value!r} (one of: {options})",
        "engine.topic_unknown",
        {"value": value, "options": options},
    )


def _security_topic(law: Law, country: str, on: dt.date | None) -> Topic:
    named: set[Topic] = set()
    for rule in law.rules("engagement_policy", country):
        if on is None or rule.in_force(on):
            effect = rule.effect
            assert isinstance(effect, EngagementPolicy)
            named.update(effect.permitted_topics)
    if Topic.REGIONAL_SECURITY in named and Topic.INTERNATIONAL_SECURITY not in named:
        return Topic.REGIONAL_SECURITY
    return Topic.INTERNATIONAL_SECURITY


def _lang(lang: str) -> str:
    if lang not in ("en", "fr"):
        raise BadInput("lang", f"unknown language {lang!r} (en or fr)")
    return lang


def _common(trace: Trace, law: Law, lang: str) -> JSON:
    return {
        "reasons": trace.reasons_json(lang),
        "caveats": trace.caveats_json(lang),
        "trace": trace.trace_json(),
        "law_version": law.law_version,
    }


def export_goods(on: dt.date, hs_code: str | None, category: str | None, ecl: str | None) -> Goods:
    given = [x for x in (hs_code, category, ecl) if x is not None]
    if len(given) != 1:
        raise BadInput("goods", "give exactly one of --hs, --category or --ecl", "engine.goods_one")
    if hs_code is not None:
        return Goods(hs=hs.validate(hs_code, on))
    if category is not None:
        return Goods(declared_category=parse_category(category))
    assert ecl is not None
    return Goods(ecl_item=parse_ecl_item(ecl))


def law_version(*, law: Law | None = None) -> str:
    """The version of the law the answers are given under (the default law's unless
    ``law`` is given): a caller that keeps answers keys them with it."""
    return (law or default_law()).law_version


def check_export(
    *,
    to: str,
    on: str | dt.date,
    hs: str | None = None,
    category: str | None = None,
    ecl: str | None = None,
    lang: str = "en",
    law: Law | None = None,
) -> JSON:
    lang = _lang(lang)
    law = law or default_law()
    day = parse_date(on)
    country = countries.resolve(to, "to")
    goods = export_goods(day, hs, category, ecl)
    answer = determine_export(law, country.code, day, goods)
    return {
        "question": "export",
        "as_of": day.isoformat(),
        "destination": {"code": country.code, "name": country.name(lang)},
        "goods": _goods_json(goods),
        "permit_required": answer.permit_required,
        "outcome": answer.outcome.value,
        "general_permits": list(answer.general_permits),
        "humanitarian_category": answer.category.value if answer.category else None,
        **_common(answer.trace, law, lang),
    }


def _goods_json(goods: Goods) -> JSON:
    return {
        "hs": goods.hs.dotted if goods.hs else None,
        "hs_edition": goods.hs.edition if goods.hs else None,
        "hs_description": goods.hs.description if goods.hs else None,
        "category": goods.declared_category.value if goods.declared_category else None,
        "ecl_item": goods.ecl_item,
    }


def parse_rate(value: str | float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    text = str(value).strip().rstrip("%").strip()
    if re.fullmatch(r"\d+,\d+", text) and not re.fullmatch(r"[1-9]\d{0,2},\d{3}", text):
        # a French decimal comma (6,5); "1,000" could be a thousands separator: refused
        text = text.replace(",", ".")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise BadInput(
            "mfn_rate",
            f"malformed rate {value!r} (a percentage, e.g. 6.5)",
            "engine.rate_malformed",
            {"value": str(value)},
        ) from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1000):
        raise BadInput(
            "mfn_rate",
            f"rate {value!r} must be between 0 and 1000 percent",
            "engine.rate_range",
            {"value": str(value)},
        )
    return rate


def check_import(
    *,
    origin: str,
    on: str | dt.date,
    hs: str,
    mfn_rate: str | float | None = None,
    lang: str = "en",
    law: Law | None = None,
) -> JSON:
    lang = _lang(lang)
    law = law or default_law()
    day = parse_date(on)
    country = countries.resolve(origin, "from")
    code = _hs_validate(hs, day)
    rate = parse_rate(mfn_rate)
    from bilateral.engine.imports import determine_import  # on use: one question, one module

    answer = determine_import(law, country.code, day, code, rate)
    return {
        "question": "import",
        "as_of": day.isoformat(),
        "origin": {"code": country.code, "name": country.name(lang)},
        "hs": code.dotted,
        "treatment": answer.treatment.value if answer.treatment else None,
        "treatments_available": [t.value for t in answer.treatments_available],
        "rate": float(answer.rate) if answer.rate is not None else None,
        "prohibited": answer.prohibited,
        **_common(answer.trace, law, lang),
    }


def _hs_validate(code: str, day: dt.date) -> hs.HsCode:
    return hs.validate(code, day)


def check_contact(
    *, with_: str, on: str | dt.date, topic: str, lang: str = "en", law: Law | None = None
) -> JSON:
    lang = _lang(lang)
    law = law or default_law()
    day = parse_date(on)
    country = countries.resolve(with_, "with")
    parsed = parse_topic(topic, law, country.code, day)
    from bilateral.engine.contact import determine_contact

    answer = determine_contact(law, country.code, day, parsed)
    return {
        "question": "contact",
        "as_of": day.isoformat(),
        "country": {"code": country.code, "name": country.name(lang)},
        "topic": parsed.value,
        "allowed": answer.allowed,
        **_common(answer.trace, law, lang),
    }


def check_party(*, name: str, on: str | dt.date, lang: str = "en", law: Law | None = None) -> JSON:
    lang = _lang(lang)
    law = law or default_law()
    day = parse_date(on)
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 300:
        raise BadInput("name", "give a name of 1 to 300 characters", "engine.name_length")
    from bilateral.engine.party import determine_party, item_citation

    answer = determine_party(law, cleaned, day)
    fr = lang == "fr"
    return {
        "question": "party",
        "as_of": day.isoformat(),
        "name": cleaned,
        "listed": answer.listed,
        # "listed", "possibly listed" (a listing date NOT FOUND in the data) or "not listed"
        "status": answer.status,
        "matches": [
            {
                "name": m.person.name,
                "matched_name": m.matched_name,
                "match": m.kind,
                "entity": m.person.entity,
                "instrument": m.plist.instrument,
                "schedule": m.plist.provision,
                "part": m.person.part,
                "part_title": m.plist.parts.get(m.person.part, ""),
                "item": m.person.item,
                "listed_on": m.person.listed_on.isoformat(),
                # False: listed_on is only the date the item's text is known from
                "listed_on_exact": m.person.listed_on_exact,
                "status": m.status,
                "url": m.plist.url,
                # where the list names them, in the reader's citation style
                "citation": item_citation(
                    m.plist.instrument, m.plist.provision, m.person.part, m.person.item, lang
                ),
                # the dealings prohibition whose list matched, and what it restricts where
                # it is not a ban on every dealing (null: every dealing is banned)
                "rule": m.rule,
                "restriction": (
                    None
                    if m.restriction is None
                    else (m.restriction.fr if fr else m.restriction.en)
                ),
            }
            for m in answer.matches
        ],
        **_common(answer.trace, law, lang),
    }


def _concerns(rule: Rule, code: str) -> bool:
    effect = rule.effect
    if getattr(effect, "country", None) == code:
        return True
    listed = [getattr(effect, "countries", ()), getattr(effect, "destinations", ())]
    return any(isinstance(v, tuple) and code in v for v in listed)


def _rule_json(rule: Rule, lang: str) -> JSON:
    fr = lang == "fr"
    return {
        "rule": rule.id,
        "kind": rule.effect.kind,
        "label": rule.label.fr if fr else rule.label.en,
        "text": rule.summary.fr if fr else rule.summary.en,
        # cited as the reader's consolidation cites it; the law data's citation beside it
        "instrument": provision_fr(rule.instrument) if fr else rule.instrument,
        "provision": provision_fr(rule.provision) if fr else rule.provision,
        "instrument_en": rule.instrument,
        "provision_en": rule.provision,
        "url": (rule.url_fr or rule.url) if lang == "fr" else rule.url,
        "url_en": rule.url,
        "url_fr": rule.url_fr,
        "valid_from": iso(rule.valid_from),
        "valid_to": iso(rule.valid_to),
        "confidence": rule.confidence.value,
        "note": rule.note,
    }


def listing_rule(
    *, instrument: str, provision: str, on: str | dt.date, law: Law | None = None
) -> JSON | None:
    """The rule on dealings with the persons of a list (an instrument's ``provision``:
    "Schedule 3", "UN Security Council Consolidated List (DPRK)") in force on ``on``, with
    what it restricts where it bans some dealings only; None where no rule reads that list
    on that day. For faces that cite a listing found by name screening."""
    law = law or default_law()
    day = parse_date(on)
    for rule in law.rules("dealings_prohibition", "*"):
        effect = rule.effect
        assert isinstance(effect, DealingsProhibition)
        plist = law.bundle.person_lists[effect.listing]
        if (plist.instrument, plist.provision) == (instrument, provision) and rule.in_force(day):
            found = {lang: _rule_json(rule, lang) for lang in ("en", "fr")}
            restriction, uncertain = effect.restriction, effect.uncertain
            return {
                **found["en"],
                "restriction": (
                    None if restriction is None else {"en": restriction.en, "fr": restriction.fr}
                ),
                # why a match is only possibly under the rule (its text not held)
                "uncertain": None
                if uncertain is None
                else {"en": uncertain.en, "fr": uncertain.fr},
            }
    return None


def measures(*, country: str, on: str | dt.date, lang: str = "en", law: Law | None = None) -> JSON:
    lang = _lang(lang)
    law = law or default_law()
    day = parse_date(on)
    place = countries.resolve(country, "country")
    found = [r for r in law.bundle.rules.values() if _concerns(r, place.code) and r.in_force(day)]
    found.sort(key=lambda r: (r.effect.kind, r.valid_from or dt.date.min, r.id))
    return {
        "country": {"code": place.code, "name": place.name(lang)},
        "as_of": day.isoformat(),
        "measures": [_rule_json(r, lang) for r in found],
        "law_version": law.law_version,
    }


def timeline(*, country: str, lang: str = "en", law: Law | None = None) -> JSON:
    lang = _lang(lang)
    law = law or default_law()
    place = countries.resolve(country, "country")
    events: list[JSON] = []
    for rule in law.bundle.rules.values():
        if not _concerns(rule, place.code):
            continue
        label = rule.label.fr if lang == "fr" else rule.label.en
        base = {
            "rule": rule.id,
            "label": label,
            "instrument": rule.instrument,
            "provision": rule.provision,
            "url": rule.url,
            "confidence": rule.confidence.value,
        }
        events.append({"date": iso(rule.valid_from), "change": "starts", **base})
        if rule.valid_to:
            end = rule.valid_to + dt.timedelta(days=1)
            events.append({"date": end.isoformat(), "change": "ends", **base})
    events.sort(key=lambda e: (e["date"] or "", e["change"] != "ends", e["rule"]))
    return {
        "country": {"code": place.code, "name": place.name(lang)},
        "events": events,
        "law_version": law.law_version,
    }


def area_control_list(*, on: str | dt.date, lang: str = "en", law: Law | None = None) -> JSON:
    lang = _lang(lang)
    law = law or default_law()
    day = parse_date(on)
    rules = law.in_force("area_control_list", "*", day)
    codes = sorted({r.effect.country for r in rules if isinstance(r.effect, AreaControlListing)})
    trace = Trace()
    for rule in rules:
        trace.applied(rule, "listed on this date", "inscrit à cette date")
    for rule in law.rules("known_gap", None):
        if rule.in_force(day):
            trace.caveat(rule.summary.en, rule.summary.fr)
    return {
        "as_of": day.isoformat(),
        "countries": codes,
        "names": [countries.get(c).name(lang) for c in codes],
        **_common(trace, law, lang),
    }
