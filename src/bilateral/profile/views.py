"""The profile's JSON door for faces (CLI, API, web): profile, timeline, diff and stats.

Like engine/checks.py, every function takes plain values, validates them (a BadInput naming
the field) and returns JSON-ready dicts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bilateral import countries
from bilateral.engine import checks
from bilateral.engine.checks import parse_date
from bilateral.engine.law import Law, default_law
from bilateral.errors import BadInput
from bilateral.profile.compose import HOME, check_lang, compose, concerns, one_day
from bilateral.profile.words import day, when
from bilateral.relations.loader import Relations, default_relations
from bilateral.relations.model import EventKind, Flow
from bilateral.stats.store import BY, StatsStore, top, year_on_year

JSON = dict[str, Any]
KINDS = tuple(k.value for k in EventKind)


def profile(
    *,
    country: str,
    on: str | dt.date,
    lang: str = "en",
    law: Law | None = None,
    relations: Relations | None = None,
    store: StatsStore | None = None,
) -> JSON:
    return compose(country, on, lang, law=law, relations=relations, store=store)


def _kinds(kinds: str | list[str] | None) -> set[str]:
    if not kinds:
        return set(KINDS)
    given = (
        kinds.split(",")
        if isinstance(kinds, str)
        else [k for part in kinds for k in part.split(",")]
    )
    chosen = {k.strip() for k in given if k.strip()}
    unknown = chosen - set(KINDS)
    if unknown:
        raise BadInput("kind", f"unknown kind {sorted(unknown)[0]!r} (one of: {', '.join(KINDS)})")
    return chosen


def _rule_kind(rule: Any) -> str:
    """Diplomatic facts encoded as rules keep their kind of event; other rules are measures."""
    if rule.effect.kind == "diplomatic_event":
        if rule.id.startswith("accreditation"):
            return EventKind.ACCREDITATION.value
        if rule.id.startswith(("embassy", "mission")):
            return EventKind.MISSION.value
    return EventKind.MEASURE.value


def timeline(
    *,
    country: str,
    lang: str = "en",
    kinds: str | list[str] | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    law: Law | None = None,
    relations: Relations | None = None,
) -> JSON:
    """The engine's timeline of rules (its fields kept) merged with the relations events.

    A rule valid for one day is one event (``change: event``), not a start and an end.
    """
    lang = check_lang(lang)
    law = law or default_law()
    relations = relations or default_relations()
    chosen = _kinds(kinds)
    start = parse_date(date_from, "from") if date_from else None
    end = parse_date(date_to, "to") if date_to else None
    if start and end and end < start:
        raise BadInput("to", f"{end} is before from {start}")
    base = checks.timeline(country=country, lang=lang, law=law)
    code = base["country"]["code"]
    rules = law.bundle.rules
    items: list[JSON] = []
    seen_one_day: set[str] = set()
    for item in base["events"]:
        rule = rules[item["rule"]]
        entry = {**item, "kind": _rule_kind(rule), "precision": "day"}
        if item["date"]:
            entry["date_text"] = day(dt.date.fromisoformat(item["date"]), lang)
        if one_day(rule):
            if rule.id in seen_one_day:
                continue
            seen_one_day.add(rule.id)
            entry.update(change="event", text=rule.summary.fr if lang == "fr" else rule.summary.en)
        items.append(entry)
    for event in relations.events_of(code):
        items.append(
            {
                "date": event.date.iso,
                "change": "event",
                "rule": None,  # every item keeps the engine timeline's fields
                "event": event.id,
                "kind": event.kind.value,
                "precision": event.date.precision.value,
                "date_text": when(event.date, lang),
                "label": event.label.fr if lang == "fr" else event.label.en,
                "text": event.text.fr if lang == "fr" else event.text.en,
                "count": event.count,
                "instrument": event.instrument,
                "provision": None,
                "url": event.url,
                "source": event.source,
                "confidence": event.confidence.value,
                "note": event.note,
            }
        )

    def first_day(item: JSON) -> dt.date | None:
        text = item["date"]
        if text is None:
            return None
        return dt.date.fromisoformat(
            text if len(text) == 10 else (text + "-01-01")[:10] if len(text) == 4 else text + "-01"
        )

    kept = []
    for item in items:
        if item["kind"] not in chosen:
            continue
        day_ = first_day(item)
        if start and (day_ is None or day_ < start):
            continue
        if end and (day_ is None or day_ > end):
            continue
        kept.append(item)
    kept.sort(
        key=lambda e: (
            e["date"] or "",
            e["change"] == "starts",
            e.get("rule") or e.get("event") or "",
        )
    )
    return {
        "country": base["country"],
        "events": kept,
        "kinds": sorted(chosen),
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "law_version": base["law_version"],
        "relations_version": relations.version,
    }


def diff(
    *,
    country: str,
    date_from: str | dt.date,
    date_to: str | dt.date,
    lang: str = "en",
    law: Law | None = None,
    relations: Relations | None = None,
) -> JSON:
    """The rules and events that started or ended after ``date_from``, up to ``date_to``."""
    lang = check_lang(lang)
    law = law or default_law()
    relations = relations or default_relations()
    d1 = parse_date(date_from, "from")
    d2 = parse_date(date_to, "to")
    if d2 < d1:
        raise BadInput("to", f"{d2} is before from {d1}")
    place = countries.resolve(country, "country")
    code = place.code

    def rule_json(rule: Any, change: str, day_: dt.date) -> JSON:
        return {
            "date": day_.isoformat(),
            "change": change,
            "rule": rule.id,
            "label": rule.label.fr if lang == "fr" else rule.label.en,
            "instrument": rule.instrument,
            "provision": rule.provision,
            "url": rule.url,
            "confidence": rule.confidence.value,
        }

    started, ended, events = [], [], []
    for rule in law.bundle.rules.values():
        if not concerns(rule, code):
            continue
        if one_day(rule):
            assert rule.valid_from is not None
            if d1 < rule.valid_from <= d2:
                events.append(rule_json(rule, "event", rule.valid_from))
            continue
        if rule.valid_from and d1 < rule.valid_from <= d2:
            started.append(rule_json(rule, "starts", rule.valid_from))
        if rule.valid_to:
            stop = rule.valid_to + dt.timedelta(days=1)
            if d1 < stop <= d2:
                ended.append(rule_json(rule, "ends", stop))
    for event in relations.events_of(code):
        if d1 < event.date.last <= d2:
            events.append(
                {
                    "date": event.date.iso,
                    "change": "event",
                    "event": event.id,
                    "kind": event.kind.value,
                    "label": event.label.fr if lang == "fr" else event.label.en,
                    "url": event.url,
                    "confidence": event.confidence.value,
                }
            )
    for group in (started, ended, events):
        group.sort(key=lambda e: (e["date"], e.get("rule") or e.get("event")))
    return {
        "country": {"code": code, "name": place.name(lang)},
        "from": d1.isoformat(),
        "to": d2.isoformat(),
        "started": started,
        "ended": ended,
        "events": events,
        "law_version": law.law_version,
        "relations_version": relations.version,
    }


def _year(value: str | int | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise BadInput(field, f"malformed year {value!r} (YYYY)") from None
    if not 1900 <= year <= 2100:
        raise BadInput(field, f"year {year} is outside 1900 to 2100")
    return year


def stats(
    *,
    country: str,
    reporter: str = HOME,
    year: str | int | None = None,
    year_from: str | int | None = None,
    year_to: str | int | None = None,
    by: str = "total",
    flows: list[str] | None = None,
    top_n: int | None = None,
    lang: str = "en",
    store: StatsStore | None = None,
    relations: Relations | None = None,
) -> JSON:
    """Trade of ``reporter`` with ``country``: computed from imported data, beside the
    figures published for it (never summed with them)."""
    lang = check_lang(lang)
    relations = relations or default_relations()
    partner = countries.resolve(country, "country")
    home = countries.resolve(reporter, "reporter")
    if by not in BY:
        raise BadInput("by", f"unknown grouping {by!r} (one of: {', '.join(BY)})")
    one = _year(year, "year")
    first = one if one is not None else _year(year_from, "from")
    last = one if one is not None else _year(year_to, "to")
    if first and last and last < first:
        raise BadInput("to", f"{last} is before from {first}")
    chosen: tuple[str, ...] = ()
    if flows:
        names = [f.strip() for part in flows for f in part.split(",") if f.strip()]
        valid = {f.value for f in Flow} - {"total_trade"}
        for name in names:
            if name not in valid:
                raise BadInput(
                    "flow", f"unknown flow {name!r} (one of: {', '.join(sorted(valid))})"
                )
        chosen = tuple(names)
    if store is None:
        store = StatsStore(read_only=True)
    result = store.query(
        reporter=home.code,
        partner=partner.code,
        year_from=first,
        year_to=last,
        flows=chosen,
        by=by,
        lang=lang,
    )
    rows = year_on_year(result["rows"])
    if top_n:
        rows = top(rows, top_n)
    published = []
    if home.code == HOME:
        for f in relations.figures_of(partner.code):
            if (first and f.year < first) or (last and f.year > last):
                continue
            published.append(
                {
                    "id": f.id,
                    "year": f.year,
                    "flow": f.flow.value,
                    "value": str(f.value),
                    "currency": f.currency,
                    "approximate": f.approximate,
                    "period": (f.period.fr if lang == "fr" else f.period.en) if f.period else None,
                    "mainly": [
                        {"section": c.section, "value": str(c.value) if c.value else None}
                        for c in f.mainly
                    ],
                    "publisher": f.publisher.fr if lang == "fr" else f.publisher.en,
                    "url": f.url,
                    "confidence": f.confidence.value,
                }
            )
    imports = {r.id: r for r in store.imports()}
    return {
        "reporter": {"code": home.code, "name": home.name(lang)},
        "partner": {"code": partner.code, "name": partner.name(lang)},
        "by": by,
        "from": first,
        "to": last,
        "currency": result["currency"],
        "hs_editions": result["hs_editions"],
        "computed": rows,
        "loaded": bool(rows),
        "sources": [imports[i].__dict__ for i in result["imports"] if i in imports],
        "published": published,
    }
