"""A country's profile on a date, composed only from typed facts: the rules in force
(the engine's law), the events that preceded the date (relations data) and the trade
figures published or computed up to it. No prose is written per date: every sentence is
generated from one fact, or set of facts, and cites them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from bilateral import countries
from bilateral.engine.checks import parse_date
from bilateral.engine.law import Law, default_law
from bilateral.errors import BadInput
from bilateral.law.model import (
    AreaControlListing,
    Confidence,
    DiplomaticEvent,
    EclGroupScope,
    EngagementPolicy,
    KnownGap,
    Rule,
    TariffEntitlement,
    TariffRate,
)
from bilateral.profile.words import TOPICS, day, join, money, w, when
from bilateral.relations.loader import Relations, default_relations
from bilateral.relations.model import Event, EventKind, Flow, PublishedFigure
from bilateral.stats.store import StatsStore

JSON = dict[str, Any]
HOME = "CA"  # the reporter of every Canadian profile

# French names with their articles, for countries the law names (others: the bare name).
_FR = {
    "BY": ("le Bélarus", "du Bélarus"),
    "MM": ("la Birmanie (Myanmar)", "de la Birmanie (Myanmar)"),
    "KP": ("la Corée du Nord", "de la Corée du Nord"),
    "RU": ("la Russie", "de la Russie"),
    "UA": ("l'Ukraine", "de l'Ukraine"),
    "IR": ("l'Iran", "de l'Iran"),
    "SY": ("la Syrie", "de la Syrie"),
    "AR": ("l'Argentine", "de l'Argentine"),
    "CL": ("le Chili", "du Chili"),
}


def names(code: str, lang: str) -> dict[str, str]:
    place = countries.get(code)
    if lang == "fr":
        obj, of = _FR.get(code, (place.name_fr, "de " + place.name_fr))
        return {"country": obj, "Country": obj[0].upper() + obj[1:], "of_country": of}
    return {"country": place.name_en, "Country": place.name_en, "of_country": place.name_en}


def concerns(rule: Rule, code: str) -> bool:
    effect = rule.effect
    if getattr(effect, "country", None) == code:
        return True
    listed = [getattr(effect, "countries", ()), getattr(effect, "destinations", ())]
    return any(isinstance(v, tuple) and code in v for v in listed)


def one_day(rule: Rule) -> bool:
    return rule.valid_from is not None and rule.valid_from == rule.valid_to


class Citations:
    """Footnotes numbered in order of first use."""

    def __init__(self, lang: str, on: dt.date) -> None:
        self.lang = lang
        self.on = on
        self.items: list[JSON] = []
        self.index: dict[str, int] = {}

    def _add(self, key: str, note: JSON) -> int:
        if key not in self.index:
            self.items.append({"n": len(self.items) + 1, "key": key, **note})
            self.index[key] = len(self.items)
        return self.index[key]

    def _note(self, note: str | None) -> str | None:
        """The source's note, unless it speaks of years after the page's date."""
        if note is None:
            return None
        years = [int(y) for y in re.findall(r"\b(19[89]\d|20\d\d)\b", note)]
        if any(year > self.on.year for year in years):
            return w(self.lang, "note_later")
        return note

    def rule(self, rule: Rule) -> int:
        lang = self.lang
        return self._add(
            "rule:" + rule.id,
            {
                "type": "rule",
                "id": rule.id,
                "label": rule.label.fr if lang == "fr" else rule.label.en,
                "instrument": _cited(rule.instrument, lang),
                "provision": _cited(rule.provision, lang, mid=True),
                "url": _french_url(rule.url) if lang == "fr" else rule.url,
                "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
                # an end after the page's date was not known on it: the rule was open then
                "valid_to": rule.valid_to.isoformat()
                if rule.valid_to and rule.valid_to < self.on
                else None,
                "confidence": rule.confidence.value,
                "confidence_text": w(lang, "confidence." + rule.confidence.value),
                "note": self._note(rule.note),
            },
        )

    def event(self, event: Event) -> int:
        lang = self.lang
        return self._add(
            "event:" + event.id,
            {
                "type": "event",
                "id": event.id,
                "label": event.label.fr if lang == "fr" else event.label.en,
                "instrument": _cited(event.instrument, lang),
                "provision": None,
                "source": event.source,
                "url": _french_url(event.url) if lang == "fr" else event.url,
                "date": event.date.iso,
                "precision": event.date.precision.value,
                "confidence": event.confidence.value,
                "confidence_text": w(lang, "confidence." + event.confidence.value),
                "note": self._note(event.note),
            },
        )

    def figure(self, figure: PublishedFigure) -> int:
        lang = self.lang
        return self._add(
            "figure:" + figure.id,
            {
                "type": "figure",
                "id": figure.id,
                "label": figure.publisher.fr if lang == "fr" else figure.publisher.en,
                "instrument": None,
                "provision": None,
                "source": figure.source,
                "url": _french_url(figure.url) if lang == "fr" else figure.url,
                "date": figure.published.iso,
                "confidence": figure.confidence.value,
                "confidence_text": w(lang, "confidence." + figure.confidence.value),
                "note": self._note(figure.note),
            },
        )

    def series(self, record: JSON) -> int:
        lang = self.lang
        return self._add(
            f"import:{record['id']}",
            {
                "type": "series",
                "id": f"import-{record['id']}",
                "label": f"{record['source']} — {record['file_name']}",
                "instrument": None,
                "provision": None,
                "source": record["content_hash"],
                "url": None,
                "date": record["imported_at"][:10],
                "confidence": "computed",
                "confidence_text": "computed from imported data"
                if lang == "en"
                else "calculé à partir des données importées",
                "note": f"{record['currency']}, {record['hs_edition']}, {record['rows']} rows",
            },
        )


def _french_url(url: str) -> str:
    """The French page where the source has one (Government of Canada's lang=eng pages)."""
    if "lang=eng" in url:
        return url.replace("lang=eng", "lang=fra")
    if "laws-lois.justice.gc.ca/eng/regulations/SOR-" in url:
        return url.replace("/eng/regulations/SOR-", "/fra/reglements/DORS-")
    if "laws-lois.justice.gc.ca/eng/acts/" in url:
        return url.replace("/eng/acts/", "/fra/lois/")
    if "-eng.html" in url and "gazette" in url:
        return url.replace("-eng.html", "-fra.html")
    return url


def _sentence(text: str, *cites: int) -> JSON:
    # a sentence starts with a capital ("Décembre 2010 : ...")
    return {"text": text[:1].upper() + text[1:], "cites": sorted(set(cites))}


def _text(bi: Any, lang: str) -> str:
    return str(bi.fr if lang == "fr" else bi.en)


def check_lang(lang: str) -> str:
    """``lang`` if the profile speaks it (en or fr); otherwise bad input naming ``lang``."""
    if lang not in ("en", "fr"):
        raise BadInput("lang", f"unknown language {lang!r} (en or fr)")
    return lang


def compose(
    country: str,
    on: str | dt.date,
    lang: str = "en",
    *,
    law: Law | None = None,
    relations: Relations | None = None,
    store: StatsStore | None = None,
) -> JSON:
    lang = check_lang(lang)
    law = law or default_law()
    relations = relations or default_relations()
    day_ = parse_date(on)
    place = countries.resolve(country, "country")
    code = place.code
    nm = names(code, lang)
    cites = Citations(lang, day_)

    rules = [r for r in law.bundle.rules.values() if concerns(r, code)]
    started = [r for r in rules if r.valid_from is None or r.valid_from <= day_]
    in_force = [r for r in started if r.in_force(day_) and not one_day(r)]
    ended = [r for r in started if r.valid_to is not None and r.valid_to < day_ and not one_day(r)]
    dated_rules = [r for r in started if one_day(r)]
    events = [e for e in relations.events_of(code) if e.date.last <= day_]
    # a figure is shown once its year is over and its publication can be dated on or before
    figures = [
        f for f in relations.figures_of(code) if f.published.first <= day_ and f.year < day_.year
    ]

    relations_s: list[tuple[dt.date, JSON]] = []
    programmes_s: list[tuple[dt.date, JSON]] = []
    for event in events:
        text = w(lang, "dated", date=when(event.date, lang), text=_text(event.text, lang))
        item = (event.date.last, _sentence(text, cites.event(event)))
        if event.kind is EventKind.PROGRAMME:
            programmes_s.append(item)
        elif event.kind is not EventKind.LISTING:
            relations_s.append(item)
    for rule in dated_rules:
        text = w(lang, "dated", date=day(rule.valid_from, lang), text=_text(rule.summary, lang))  # type: ignore[arg-type]
        relations_s.append((rule.valid_from, _sentence(text, cites.rule(rule))))  # type: ignore[arg-type]

    # the order of the December 2014 page: export controls, then sanctions, then tariffs
    measures_s: list[tuple[tuple[int, dt.date], JSON]] = []
    for rule in sorted(in_force, key=lambda r: (r.valid_from or dt.date.min, r.id)):
        start = rule.valid_from or dt.date.min
        e = rule.effect
        if isinstance(e, TariffRate | EclGroupScope):
            continue  # general rules of the tariff and the ECL: not about this country
        if isinstance(e, EngagementPolicy):
            topics = join([TOPICS[lang][t.value] for t in e.permitted_topics], lang)
            relations_s.append(
                (start, _sentence(w(lang, "engagement", topics=topics, **nm), cites.rule(rule)))
            )
        elif isinstance(e, DiplomaticEvent):
            relations_s.append((start, _sentence(_text(rule.summary, lang), cites.rule(rule))))
        elif isinstance(e, AreaControlListing) and rule.valid_from:
            text = w(lang, "acl", date=_start(rule, rule.valid_from, lang), **nm)
            measures_s.append(((_rank(e), start), _sentence(text, cites.rule(rule))))
        elif isinstance(e, TariffEntitlement) and not e.tariff_items:
            treatment = w(lang, "treatment." + e.treatment.value)
            if e.entitled:
                text = w(lang, "tariff_yes", treatment=treatment, **nm)
            elif rule.valid_from:
                # an order that continues an earlier one (MFN 2022-1 then 2022-2): the
                # withdrawal runs from the first, and both are cited
                chain = _continued(rule, rules)
                since = chain[0].valid_from or rule.valid_from
                text = w(
                    lang, "tariff_no", treatment=treatment, date=_start(chain[0], since, lang), **nm
                )
                cited = [cites.rule(r) for r in chain]
                measures_s.append(((_rank(e), since), _sentence(text, *cited)))
                continue
            else:
                text = _text(rule.summary, lang)
            measures_s.append(((_rank(e), start), _sentence(text, cites.rule(rule))))
        elif isinstance(e, KnownGap):
            measures_s.append(
                ((_rank(e), start), _sentence(_text(rule.summary, lang), cites.rule(rule)))
            )
        elif rule.valid_from:
            text = w(
                lang,
                "since",
                date=_start(rule, rule.valid_from, lang),
                text=_text(rule.summary, lang),
            )
            measures_s.append(((_rank(e), start), _sentence(text, cites.rule(rule))))
        else:
            measures_s.append(
                ((_rank(e), start), _sentence(_text(rule.summary, lang), cites.rule(rule)))
            )
    listings = [e for e in events if e.kind is EventKind.LISTING]
    for schedule in sorted({e.schedule.en for e in listings if e.schedule}):
        group = [e for e in listings if e.schedule and e.schedule.en == schedule]
        entities = sum(e.entities or 0 for e in group)
        people = sum(e.count or 0 for e in group) - entities
        text = w(
            lang,
            "listed",
            first=when(group[0].date, lang),
            last=when(group[-1].date, lang),
            count=len(group),
            people=w(lang, "people", individuals=people, entities=entities),
            schedule=_text(group[0].schedule, lang),
        )
        cited = [cites.event(e) for e in group]
        measures_s.append(((3, group[0].date.first), _sentence(text, *cited)))

    ended_s = []
    for rule in sorted(ended, key=lambda r: (r.valid_to or dt.date.min, r.id)):
        assert rule.valid_to is not None
        label, end = _text(rule.label, lang), day(rule.valid_to, lang)
        if rule.valid_from:
            text = w(lang, "ended_line", label=label, start=day(rule.valid_from, lang), end=end)
        else:
            text = w(lang, "ended_until", label=label, end=end)
        ended_s.append((rule.valid_to, _sentence(text, cites.rule(rule))))

    trade_s, trade = _trade(code, day_, lang, nm, figures, cites, store)

    sections = []
    groups: tuple[tuple[str, list[tuple[Any, JSON]], str | None], ...] = (
        ("relations", relations_s, "none_relations"),
        ("programmes", programmes_s, None),
        ("measures", measures_s, "none_measures"),
        ("ended", ended_s, None),
    )
    for key, items, empty in groups:
        sentences = [s for _, s in sorted(items, key=lambda kv: kv[0])]
        if not sentences and empty:
            sentences = [_sentence(w(lang, empty, **nm))]
        if sentences:
            sections.append({"key": key, "title": w(lang, key), "sentences": sentences})
    sections.append({"key": "trade", "title": w(lang, "trade"), "sentences": trade_s})
    citations = _renumber(sections, cites.items, trade)

    return {
        "country": {"code": code, "name": place.name(lang)},
        "as_of": day_.isoformat(),
        "lang": lang,
        "title": w(lang, "title", country=place.name(lang)),
        "as_of_text": w(lang, "as_of", date=day(day_, lang)),
        "date_modified": _modified(rules, events, figures, day_),
        "sections": sections,
        "citations": citations,
        "trade": trade,
        "law_version": law.law_version,
        "relations_version": relations.version,
    }


_RANKS = {
    "area_control_list": 0,
    "licensing_policy": 1,
    "ecl_permit_suspension": 2,
    "general_export_permit": 2,
    "export_prohibition": 3,
    "import_prohibition": 3,
    "dealings_prohibition": 3,
    "financial_prohibition": 3,
    "tariff_entitlement": 4,
    "known_gap": 5,
}


def _continued(rule: Rule, rules: list[Rule]) -> list[Rule]:
    """The rules of the same tariff withdrawal that ran without a gap up to ``rule``."""
    effect = rule.effect
    assert isinstance(effect, TariffEntitlement)
    chain = [rule]
    while chain[0].valid_from is not None:
        first = chain[0].valid_from
        before = [
            r
            for r in rules
            if isinstance(r.effect, TariffEntitlement)
            and r.effect.treatment == effect.treatment
            and r.effect.entitled == effect.entitled
            and not r.effect.tariff_items
            and r.valid_to is not None
            and r.valid_to + dt.timedelta(days=1) >= first
            and (r.valid_from or dt.date.min) < first
            and r not in chain
        ]
        if not before:
            break
        chain.insert(0, min(before, key=lambda r: r.valid_from or dt.date.min))
    return chain


def _start(rule: Rule, start: dt.date, lang: str) -> str:
    """A start date as the page states it: an inferred one says so in the sentence."""
    text = day(start, lang)
    if rule.confidence is Confidence.INFERRED:
        text += w(lang, "inferred_date")
    return text


def _rank(effect: Any) -> int:
    return _RANKS.get(str(effect.kind), 5)


def _renumber(sections: list[JSON], items: list[JSON], trade: JSON) -> list[JSON]:
    """Footnotes numbered in the order a reader meets them."""
    order: dict[int, int] = {}
    for section in sections:
        for sentence in section["sentences"]:
            for n in sentence["cites"]:
                order.setdefault(n, len(order) + 1)
            sentence["cites"] = [order[n] for n in sentence["cites"]]
    for figure in trade["published"]:
        if figure["cite"] is not None:
            figure["cite"] = order.get(figure["cite"])
    kept = [{**item, "n": order[item["n"]]} for item in items if item["n"] in order]
    return sorted(kept, key=lambda item: item["n"])


def _modified(
    rules: Iterable[Rule], events: list[Event], figures: list[PublishedFigure], on: dt.date
) -> str | None:
    changes: list[dt.date] = []
    for rule in rules:
        if rule.valid_from and rule.valid_from <= on:
            changes.append(rule.valid_from)
        if rule.valid_to and not one_day(rule) and rule.valid_to + dt.timedelta(days=1) <= on:
            changes.append(rule.valid_to + dt.timedelta(days=1))
    # events known to the day, and publications: an event known only to the month or
    # year has no day on which the page changed
    changes += [e.date.first for e in events if e.date.precision.value == "day"]
    changes += [f.published.first for f in figures]
    return max(changes).isoformat() if changes else None


def _trade(
    code: str,
    on: dt.date,
    lang: str,
    nm: dict[str, str],
    figures: list[PublishedFigure],
    cites: Citations,
    store: StatsStore | None,
) -> tuple[list[JSON], JSON]:
    sentences: list[JSON] = []
    latest = max((f.year for f in figures), default=None)
    shown = [f for f in figures if f.year == latest]
    order = {Flow.TOTAL_TRADE: 0, Flow.EXPORTS: 1, Flow.DOMESTIC_EXPORTS: 1, Flow.IMPORTS: 2}
    for figure in sorted(shown, key=lambda f: order.get(f.flow, 3)):
        sentences.append(_sentence(_figure_text(figure, lang, nm), cites.figure(figure)))
    series: JSON | None = None
    if store is not None and store.con is not None:
        series = store.query(reporter=HOME, partner=code, year_to=on.year - 1, lang=lang)
        if series["rows"]:
            by_section = store.query(
                reporter=HOME, partner=code, year_to=on.year - 1, by="section", lang=lang
            )
            series["by_section"] = by_section["rows"]
            year = max(r["year"] for r in series["rows"])
            records = {r.id: r for r in store.imports()}
            used = [records[i] for i in series["imports"] if i in records]
            flows = [
                w(
                    lang,
                    "series_flow",
                    flow=w(lang, "flow." + r["flow"]),
                    amount=money(Decimal(r["value"]), series["currency"], lang),
                )
                for r in series["rows"]
                if r["year"] == year
            ]
            text = w(
                lang,
                "series",
                source=", ".join(sorted({u.source for u in used})),
                edition=", ".join(series["hs_editions"]),
                year=year,
                flows=join(flows, lang),
            )
            sentences.append(_sentence(text, *[cites.series(u.__dict__) for u in used]))
        else:
            series = None
    if series is None:
        key = "no_series" if figures else "no_trade"
        sentences.append(_sentence(w(lang, key, **nm)))
    published = [
        {
            "id": f.id,
            "year": f.year,
            "flow": f.flow.value,
            "value": str(f.value),
            "currency": f.currency,
            "approximate": f.approximate,
            "mainly": [
                {"section": c.section, "value": str(c.value) if c.value else None} for c in f.mainly
            ],
            "cite": cites.index.get("figure:" + f.id),
        }
        for f in figures
    ]
    return sentences, {"published": published, "series": series}


def _figure_text(figure: PublishedFigure, lang: str, nm: dict[str, str]) -> str:
    parts = []
    for component in figure.mainly:
        words = _text(component.words, lang)
        if component.value is not None:
            words += f" ({money(component.value, figure.currency, lang)})"
        parts.append(words)
    mainly = w(lang, "mainly", parts=join(parts, lang)) if parts else ""
    period = w(lang, "period", period=_text(figure.period, lang)) if figure.period else ""
    amount = money(figure.value, figure.currency, lang)
    approx = w(lang, "approx_word") if figure.approximate else ""
    key = "exports" if figure.flow in (Flow.EXPORTS, Flow.DOMESTIC_EXPORTS) else figure.flow.value
    if key == "re_exports":
        key = "exports"
    return w(
        lang,
        key,
        year=figure.year,
        period=period,
        amount=amount,
        approx="" if key != "exports" else (" " + approx.strip() if False else ""),
        approx_word=approx,
        mainly=mainly,
        **nm,
    )


def _cited(text: str | None, lang: str, mid: bool = False) -> str | None:
    """An instrument or provision as the French page cites it (DORS/, art., annexe; the
    notices, policies and announcements by their French names); as written in English."""
    if text is None or lang != "fr":
        return text
    from bilateral.faces.verdict import provision_fr

    said = provision_fr(text)
    if mid and said.startswith(("Art. ", "Annexe", "Partie", "Article")):
        said = said[:1].lower() + said[1:]  # after the instrument's name: "DORS/…, art. 3"
    return said
