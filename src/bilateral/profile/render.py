"""Profiles, timelines, diffs and statistics as Markdown, standalone HTML or text."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from bilateral.profile.words import money, w

JSON = dict[str, Any]

_LABELS = {
    "en": {
        "modified": "Date modified",
        "sources": "Sources",
        "law": "law version",
        "relations": "relations data",
        "event": "event",
        "starts": "starts",
        "ends": "ends",
        "started": "Started",
        "ended": "Ended",
        "events": "Events",
        "none": "nothing",
        "computed": "Computed from imported data",
        "published": "Published figures",
        "not_loaded": "No trade series is loaded for these countries.",
        "year": "Year",
        "flow": "Flow",
        "group": "Group",
        "value": "Value",
        "change": "Change",
    },
    "fr": {
        "modified": "Date de modification",
        "sources": "Sources",
        "law": "version du droit",
        "relations": "données des relations",
        "event": "événement",
        "starts": "début",
        "ends": "fin",
        "started": "Entrées en vigueur",
        "ended": "Fins",
        "events": "Événements",
        "none": "rien",
        "computed": "Calculé à partir des données importées",
        "published": "Chiffres publiés",
        "not_loaded": "Aucune série statistique n'est chargée pour ces pays.",
        "year": "Année",
        "flow": "Flux",
        "group": "Groupe",
        "value": "Valeur",
        "change": "Variation",
    },
}


def label(lang: str, key: str) -> str:
    return _LABELS[lang][key]


def citation_text(c: JSON, with_url: bool = True) -> str:
    parts = [c["label"]]
    if c.get("instrument") and c["instrument"] not in c["label"]:
        parts.append(c["instrument"] + (f", {c['provision']}" if c.get("provision") else ""))
    if c.get("valid_from") or c.get("valid_to"):
        parts.append(f"{c.get('valid_from') or '…'} → {c.get('valid_to') or '…'}")
    elif c.get("date"):
        parts.append(c["date"])
    parts.append(c["confidence_text"])
    text = "; ".join(parts)
    if c.get("url") and with_url:
        text += f" — {c['url']}"
    if c.get("confidence") in ("inferred", "secondary") and c.get("note"):
        text += f" ({c['note']})"
    return text


def markdown(p: JSON) -> str:
    lang = p["lang"]
    lines = [f"# {p['title']}", "", f"*{p['as_of_text']}*", ""]
    for section in p["sections"]:
        lines += [f"## {section['title']}", ""]
        for s in section["sentences"]:
            refs = "".join(f"[^{n}]" for n in s["cites"])
            lines.append(f"{s['text']}{refs}")
            lines.append("")
    lines += [
        f"{label(lang, 'modified')}{' : ' if lang == 'fr' else ': '}{p['date_modified'] or '—'}",
        "",
        f"## {label(lang, 'sources')}",
        "",
    ]
    for c in p["citations"]:
        lines.append(f"[^{c['n']}]: {citation_text(c)}")
    lines += [
        "",
        f"({label(lang, 'law')} {p['law_version']}; "
        f"{label(lang, 'relations')} {p['relations_version']})",
    ]
    return "\n".join(lines)


_ENV = Environment(
    loader=PackageLoader("bilateral.profile", "templates"), autoescape=select_autoescape()
)


def html(p: JSON) -> str:
    return _ENV.get_template("profile.html").render(
        p=p, label=lambda k: label(p["lang"], k), cite=citation_text
    )


def timeline_text(t: JSON, lang: str) -> str:
    colon = " : " if lang == "fr" else ": "
    lines = [f"{'Timeline' if lang == 'en' else 'Chronologie'}{colon}{t['country']['name']}"]
    for e in t["events"]:
        mark = {"starts": "+", "ends": "-", "event": "•"}[e["change"]]
        where = _cited(e.get("instrument"), lang) or e.get("source") or ""
        lines.append(
            f"  {(e['date'] or '…'):<10} {mark} [{e['kind']}] {e['label']}"
            + (f" ({where})" if where else "")
        )
    lines.append(f"({label(lang, 'law')} {t['law_version']})")
    return "\n".join(lines)


def diff_text(d: JSON, lang: str) -> str:
    colon = " :" if lang == "fr" else ":"
    lines = [f"{d['country']['name']}{colon} {d['from']} → {d['to']}"]
    for key in ("started", "ended", "events"):
        lines.append(f"{label(lang, key)}{colon}")
        if not d[key]:
            lines.append(f"  ({label(lang, 'none')})")
        for e in d[key]:
            where = _cited(e.get("instrument"), lang) or e["url"]
            lines.append(f"  {e['date']:<10} {e['label']} — {where}")
    return "\n".join(lines)


def stats_text(s: JSON, lang: str) -> str:
    lines = [f"{s['reporter']['name']} — {s['partner']['name']}"]
    if s["published"]:
        lines.append(f"{label(lang, 'published')}:")
        for f in s["published"]:
            period = f" ({f['period']})" if f.get("period") else ""
            approx = "~" if f["approximate"] else ""
            lines.append(
                f"  {f['year']}{period} {w(lang, 'flow.' + f['flow'])}: "
                f"{approx}{money(Decimal(f['value']), f['currency'], lang)}"
                f" — {f['publisher']}, {f['url']} [{f['confidence']}]"
            )
    if not s["loaded"]:
        lines.append(label(lang, "not_loaded"))
        return "\n".join(lines)
    sources = ", ".join(f"#{r['id']} {r['file_name']} ({r['hs_edition']})" for r in s["sources"])
    lines.append(f"{label(lang, 'computed')} ({s['currency']}; {sources}):")
    for r in s["computed"]:
        change = f"  {r['change_pct']:>7}%" if r.get("change_pct") is not None else ""
        group = "" if s["by"] == "total" else f" {r['group']:<6} {r['label'][:48]:<48}"
        lines.append(
            f"  {r['year']} {w(lang, 'flow.' + r['flow']):<18}{group} "
            f"{Decimal(r['value']):>16,.0f}{change}"
        )
    return "\n".join(lines)


def stats_csv(s: JSON) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "reporter",
            "partner",
            "year",
            "flow",
            "by",
            "group",
            "label",
            "value",
            "currency",
            "change_pct",
            "basis",
        ]
    )
    for r in s["computed"]:
        writer.writerow(
            [
                s["reporter"]["code"],
                s["partner"]["code"],
                r["year"],
                r["flow"],
                s["by"],
                r["group"],
                r["label"],
                r["value"],
                s["currency"],
                r.get("change_pct") or "",
                "computed",
            ]
        )
    for f in s["published"]:
        writer.writerow(
            [
                s["reporter"]["code"],
                s["partner"]["code"],
                f["year"],
                f["flow"],
                "total",
                "total",
                "",
                f["value"],
                f["currency"],
                "",
                "published:" + f["url"],
            ]
        )
    return out.getvalue()


def _cited(instrument: str | None, lang: str) -> str | None:
    """An instrument as the French text cites it (DORS/, Avis aux exportateurs no …)."""
    if not instrument or lang != "fr":
        return instrument
    from bilateral.faces.verdict import provision_fr

    return provision_fr(instrument)
