"""Human-readable answers for the terminal, every reason with its citation."""

from __future__ import annotations

import argparse
from typing import Any

from bilateral.faces import verdict

JSON = dict[str, Any]

_WORDS = {
    "en": {
        "export": "Export",
        "import": "Import",
        "hs": "HS",
        "permit": "Export permit required",
        "yes": "yes",
        "no": "no",
        "outcome": "Posture",
        "geps": "General export permits usable",
        "reasons": "Decided by",
        "caveats": "Caveats",
        "treatment": "Tariff treatment",
        "available": "Treatments available",
        "rate": "Rate",
        "unknown": "unknown",
        "prohibited": "Import prohibited",
        "allowed": "Contact allowed",
        "listed": "Listed",
        "possibly listed": "possibly listed",
        "acl": "Area Control List",
        "measures": "Measures in force",
        "none": "none",
        "law": "law version",
        "timeline": "Timeline",
        "from": "from",
        "to": "to",
        "open": "open-ended",
        "inferred_from": "inferred: the date is outside this rule's interval",
    },
    "fr": {
        "export": "Exportation",
        "import": "Importation",
        "hs": "SH",
        "permit": "Licence d'exportation requise",
        "yes": "oui",
        "no": "non",
        "outcome": "Orientation",
        "geps": "Licences générales utilisables",
        "reasons": "Fondé sur",
        "caveats": "Réserves",
        "treatment": "Traitement tarifaire",
        "available": "Traitements possibles",
        "rate": "Taux",
        "unknown": "inconnu",
        "prohibited": "Importation interdite",
        "allowed": "Contact permis",
        "listed": "Inscrit",
        "possibly listed": "peut-être inscrit",
        "acl": "Liste des pays visés",
        "measures": "Mesures en vigueur",
        "none": "aucune",
        "law": "version du droit",
        "timeline": "Chronologie",
        "from": "du",
        "to": "au",
        "open": "sans fin",
        "inferred_from": "inféré : la date est hors de l'intervalle de cette règle",
    },
}

_OUTCOMES = {
    "en": {
        "not_required": "no permit required",
        "generally_approved": "generally approved",
        "normally_issued": "normally issued",
        "case_by_case": "case by case",
        "generally_denied": "generally denied",
        "new_permits_suspended": "new permits suspended",
        "prohibited": "prohibited",
    },
    "fr": {
        "not_required": "aucune licence requise",
        "generally_approved": "généralement accordée",
        "normally_issued": "normalement délivrée",
        "case_by_case": "au cas par cas",
        "generally_denied": "généralement refusée",
        "new_permits_suspended": "nouvelles licences suspendues",
        "prohibited": "interdite",
    },
}


def _colon(lang: str) -> str:
    """A label's colon: French sets it apart with a space (« Taux : 35 % »)."""
    return " : " if lang == "fr" else ": "


def _yes(value: bool, w: dict[str, str]) -> str:
    return w["yes"] if value else w["no"]


def _reasons(answer: JSON, w: dict[str, str], lang: str = "en") -> list[str]:
    lines: list[str] = []
    c = _colon(lang)
    if answer.get("reasons"):
        lines.append(f"{w['reasons']}{c.rstrip()}")
        for r in answer["reasons"]:
            until = verdict.prose_dates(r["valid_to"], lang) if r["valid_to"] else w["open"]
            since = verdict.prose_dates(r["valid_from"], lang) if r["valid_from"] else "…"
            # rule id and confidence tag as README and scripts expect them; in French the
            # citation in French style (DORS, art., annexe) and the tag in French
            shown = verdict.localize_reason(r, lang) if lang == "fr" else r
            tag = shown["confidence_label"] if lang == "fr" else r["confidence"]
            label = verdict.prose_dates(str(r["label"]), lang)  # "texte antérieur au …"
            lines.append(f"  - {label} [{r['rule']}, {tag}]")
            provision = verdict.prose_dates(str(shown["provision"]), lang)
            if lang == "fr" and provision.startswith(("Art. ", "Texte")):  # mid-citation
                provision = provision[:1].lower() + provision[1:]
            lines.append(f"    {shown['instrument']}, {provision} ({since} → {until})")
            lines.append(f"    {verdict.citation_url(r, lang)}")
            day = str(answer.get("as_of") or "")
            outside = (r["valid_from"] and day < r["valid_from"]) or (
                r["valid_to"] and day > r["valid_to"]
            )
            if day and outside:  # e.g. a later withdrawal presupposing an earlier entitlement
                because = str(r.get("because") or "") if lang == "en" else ""  # English only
                lines.append(f"    ({because or w['inferred_from']})")
    if answer.get("caveats"):
        lines.append(f"{w['caveats']}{c.rstrip()}")
        for c in answer["caveats"]:
            said = verdict.prose_dates(verdict.french_citations(c), lang) if lang == "fr" else c
            lines.append(f"  ! {said}")
    if "law_version" in answer:
        lines.append(f"({w['law']} {answer['law_version']})")
    return lines


def match_line(m: JSON, lang: str) -> str:
    """One listed person a party answer matched: name, kind of match, listing, date."""
    w = _WORDS[lang]
    maybe = f" — {w['possibly listed']}" if m.get("status") == "possibly listed" else ""
    if m.get("restriction"):  # a list that bans some dealings only: which
        said = "restreint" if lang == "fr" else "restricted"
        maybe += f" — {said}{_colon(lang)}{m['restriction']}"
    if lang == "fr":
        kind = {"exact": "exacte", "partial": "partielle", "initials": "initiales"}.get(
            m["match"], m["match"]
        )
        return (
            f"  * {m['name']} (correspondance {kind}) — {verdict.listing(m, 'fr')}, "
            f"inscrit le {verdict.long_date(m['listed_on'], lang)}{maybe}"
        )
    return (
        f"  * {m['name']} ({m['match']}) — {m['instrument']} "
        f"{verdict.listing(m, 'en', whole=False)}, {m['listed_on']}{maybe}"
    )


def render(args: argparse.Namespace, answer: JSON) -> str:
    lang = args.lang
    w = _WORDS[lang]
    c = _colon(lang)
    lines: list[str] = []
    if args.command == "check":
        # one plain sentence first, the same one the permit office shows (faces/verdict.py)
        said = verdict.sentence(answer, lang)
        if said:
            lines.append(said)
    if args.command == "check" and args.kind == "export":
        dest = answer["destination"]["name"]
        lines.append(f"{w['export']} → {dest}, {answer['as_of']}")
        if answer["outcome"] != "prohibited":  # "permit required: no" above a ban misleads
            lines.append(f"{w['permit']}{c}{_yes(answer['permit_required'], w)}")
        lines.append(f"{w['outcome']}{c}{_OUTCOMES[lang][answer['outcome']]}")
        if answer["general_permits"]:
            lines.append(f"{w['geps']}{c}{', '.join(answer['general_permits'])}")
    elif args.command == "check" and args.kind == "import":
        origin = answer["origin"]["name"]
        lines.append(f"{w['import']} ← {origin}, {w['hs']} {answer['hs']}, {answer['as_of']}")
        lines.append(f"{w['treatment']}{c}{answer['treatment'] or w['unknown']}")
        lines.append(f"{w['available']}{c}{', '.join(answer['treatments_available']) or w['none']}")
        rate = answer["rate"]
        shown = w["unknown"] if rate is None else verdict.percent(float(rate), lang)
        lines.append(f"{w['rate']}{c}{shown}")
        lines.append(f"{w['prohibited']}{c}{_yes(answer['prohibited'], w)}")
    elif args.command == "check" and args.kind == "contact":
        lines.append(f"{answer['country']['name']}, {answer['topic']}, {answer['as_of']}")
        lines.append(f"{w['allowed']}{c}{_yes(answer['allowed'], w)}")
    elif args.command == "check":
        day = answer["as_of"]
        shown = f"le {verdict.long_date(day, lang)}" if lang == "fr" else day
        lines.append(f"{answer['name']}, {shown}")
        # "possibly listed" (a listing date NOT FOUND in the data) is neither yes nor no
        possibly = answer.get("status") == "possibly listed"
        said = w["possibly listed"] if possibly else _yes(answer["listed"], w)
        lines.append(f"{w['listed']}{c}{said}")
        lines.extend(match_line(m, lang) for m in answer["matches"])
    elif args.command == "acl":
        lines.append(f"{w['acl']}, {answer['as_of']}{c}{', '.join(answer['names']) or w['none']}")
    elif args.command == "measures":
        lines.append(f"{w['measures']}{c}{answer['country']['name']}, {answer['as_of']}")
        for m in answer["measures"]:
            since = m["valid_from"] or "…"
            lines.append(f"  - {m['label']} ({since} → {m['valid_to'] or w['open']})")
            instrument, provision = str(m["instrument"]), str(m["provision"])
            if lang == "fr":  # French citation style, notices and policies by French names
                instrument = verdict.provision_fr(instrument)
                provision = verdict.provision_fr(provision)
                if provision.startswith(("Art. ", "Annexe")):
                    provision = provision[:1].lower() + provision[1:]
            lines.append(f"    {instrument}, {provision} — {m['url']}")
        if not answer["measures"]:
            lines.append(f"  {w['none']}")
        lines.append(f"({w['law']} {answer['law_version']})")
        return "\n".join(lines)
    elif args.command == "timeline":
        lines.append(f"{w['timeline']}{c}{answer['country']['name']}")
        for e in answer["events"]:
            sign = "+" if e["change"] == "starts" else "-"
            lines.append(f"  {e['date'] or '…':10} {sign} {e['label']} ({e['instrument']})")
        lines.append(f"({w['law']} {answer['law_version']})")
        return "\n".join(lines)
    lines.extend(_reasons(answer, w, lang))
    return "\n".join(lines)
