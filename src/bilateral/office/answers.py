"""Engine answers as people read them, in the reader's language, at display time.

The office stores the engine's answer as asked (in English, with rule ids, parameters and
its ``law_version``). What a page shows is rendered here for the reader: the verdict
sentence first (``faces.verdict``), then each reason by its rule's own bilingual label and
summary, its citation linked to the text in the reader's language and its confidence;
caveats in the reader's language when the engine can say them again under the same law
(otherwise kept, marked ``lang="en"``); CLI flags replaced by the names of form fields.
Rule ids, the law hash and the raw JSON go to a "technical details" section.
"""

from __future__ import annotations

import re
from typing import Any

from bilateral.errors import BadInput
from bilateral.faces import verdict

JSON = dict[str, Any]

# CLI flags in engine caveats, as the fields of the office's forms call them
_FLAGS = {
    "en": [
        (r"ask with --ecl ITEM", "give the Export Control List item"),
        (r"--ecl ITEM", "the Export Control List item"),
        (r"give --hs to check", "give the HS code to check"),
        (r"--hs", "the HS code"),
        (r"give --mfn-rate to decide", "give the most-favoured-nation rate to decide"),
        (r"--category", "the goods category"),
    ],
    "fr": [
        (
            r"utilisez --ecl ARTICLE",
            "indiquez l'article de la Liste des marchandises d'exportation contrôlée",
        ),
        (r"--ecl ARTICLE", "l'article de la Liste des marchandises d'exportation contrôlée"),
        (r"indiquez --hs pour vérifier", "indiquez le code SH pour vérifier"),
        (r"--hs", "le code SH"),
        (r"indiquez --mfn-rate", "indiquez le taux de la nation la plus favorisée"),
        (r"--category", "la catégorie de marchandises"),
    ],
}


def clean(text: str, lang: str) -> str:
    for pat, repl in _FLAGS["fr" if lang == "fr" else "en"]:
        text = text.replace(pat, repl)
    if lang == "fr":
        text = verdict.french_citations(text)
    return re.sub(r"\s+", " ", text).strip()


def _looks_french(text: str) -> bool:
    return bool(re.search(r"[éèàêç]|\b(les|des|une|du|pour|est|sont)\b", text))


def view(
    answer: JSON,
    lang: str,
    question: JSON | None = None,
    checks: Any = None,
) -> JSON:
    """What a page shows of ``answer`` for a reader of ``lang``."""
    lang = "fr" if lang == "fr" else "en"
    again: JSON | None = None
    if question and checks is not None and lang == "fr":
        # the engine is a pure function of (question, law): under the same law_version its
        # French answer is the stored answer in French
        try:
            fr = checks.check_export(**question, lang="fr")
        except (BadInput, NotImplementedError, TypeError):
            fr = None
        if fr and fr.get("law_version") == answer.get("law_version"):
            again = fr
    source = again or answer
    caveats = []
    for c in source.get("caveats") or []:
        text = str(c)
        said = lang if (again is not None or lang == "en" or _looks_french(text)) else "en"
        caveats.append({"text": clean(text, said), "lang": said})
    reasons = [verdict.localize_reason(r, lang) for r in answer.get("reasons") or []]
    return {
        "sentence": verdict.sentence(answer, lang),
        "outcome": answer.get("outcome"),
        "permit_required": answer.get("permit_required"),
        "treatment": answer.get("treatment"),
        "general_permits": answer.get("general_permits") or [],
        "as_of": answer.get("as_of"),
        "law_version": answer.get("law_version"),
        "reasons": reasons,
        "caveats": caveats,
        "raw": answer,
    }


# ---------------------------------------------------------------- numbers per language


def _locale(lang: str) -> str:
    return "fr_CA" if lang == "fr" else "en_CA"


def money(value: Any, lang: str, currency: str = "CAD") -> str:
    """12 500,00 $ / $12,500.00 (Babel, Canadian locales)."""
    from decimal import Decimal

    from babel.numbers import format_currency

    if value is None or value == "":
        return ""
    return str(format_currency(Decimal(str(value)), currency, locale=_locale(lang)))


def quantity(value: Any, lang: str) -> str:
    """1 000,5 / 1,000.5: no trailing zeros, grouped thousands."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    if value is None or value == "":
        return ""
    d = Decimal(str(value))
    d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    return str(format_decimal(d, locale=_locale(lang), decimal_quantization=False))


def number_input(value: Any, lang: str) -> str:
    """A stored number as a reader of ``lang`` types it back into a form field."""
    text = quantity(value, lang)
    return text.replace("\u202f", " ").replace("\xa0", " ")


_SPACES = (" ", "\xa0", "\u202f", "\u2009")


def parse_number(text: str, lang: str) -> str:
    """What a reader typed ("1 000", "5,50", "1,000.25", "12 500,00 $") as a plain decimal
    string ("1000", "5.50", "1000.25", "12500.00"); anything else is returned unchanged so
    that validation refuses it by name."""
    s = str(text).strip()
    for sp in _SPACES:
        s = s.replace(sp, "")
    s = s.removesuffix("$").removeprefix("$").removesuffix("CAD").strip()
    if lang == "fr":
        if re.fullmatch(r"-?\d+(,\d+)?", s):
            return s.replace(",", ".")
        if re.fullmatch(r"-?\d+(\.\d+)?", s):
            return s
        return str(text).strip()
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s):
        return s.replace(",", "")
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return s
    return str(text).strip()


def parse_date(text: str | None, lang: str) -> str:
    """A date as a reader types it, as ISO (YYYY-MM-DD): "2025-06-01", "1 juin 2025",
    "1er juin 2025", "June 1, 2025", "01/06/2025" (day first in French, month first in
    English). Anything else is returned unchanged, so that validation names the field."""
    import datetime as dt

    from babel.dates import get_month_names

    raw = (text or "").strip()
    if not raw:
        return raw
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        pass
    s = raw.lower().replace(",", " ").replace("1er", "1").replace(".", " ")
    months: dict[str, int] = {}
    for loc in ("fr_CA", "en_CA"):
        for width in ("wide", "abbreviated"):
            for n, name in get_month_names(width, locale=loc).items():
                months[str(name).lower().rstrip(".")] = int(n)
    m = re.fullmatch(r"(\d{1,2})\s+([^\d\s]+)\s+(\d{4})", " ".join(s.split()))
    if m and m.group(2) in months:
        day, month, year = int(m.group(1)), months[m.group(2)], int(m.group(3))
    else:
        m = re.fullmatch(r"([^\d\s]+)\s+(\d{1,2})\s+(\d{4})", " ".join(s.split()))
        if m and m.group(1) in months:
            day, month, year = int(m.group(2)), months[m.group(1)], int(m.group(3))
        else:
            m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", s.strip())
            if not m:
                return raw
            a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            day, month = (a, b) if lang == "fr" else (b, a)
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return raw
