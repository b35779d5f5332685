"""One plain-language sentence for an engine answer, in English or French.

Every face (CLI human output, the permit office's public checks and application lines)
starts an answer with the sentence built here from the answer JSON alone, so that
"Export permit required: No" can never sit above "Policy: Prohibited" again: the
sentence combines the permit requirement and the policy outcome into what the reader
may do. Reasons and citations follow it in each face; this module also links citations to
the texts in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from bilateral.law.citations import cite_fr
from bilateral.law.citations import french_citations as french_citations
from bilateral.law.citations import provision_fr as provision_fr
from bilateral.law.words import TOPICS as TOPICS
from bilateral.law.words import topic

JSON = dict[str, Any]

CONFIDENCE = {
    "en": {
        "verified": "verified against the official text",
        "secondary": "from a secondary source",
        "inferred": "inferred",
    },
    "fr": {
        "verified": "vérifié dans le texte officiel",
        "secondary": "d'après une source secondaire",
        "inferred": "déduit",
    },
}


def url_for(url: str | None, lang: str) -> str:
    """The French version of a Justice Laws or Global Affairs Canada link (else as is).

    Justice Laws: ``/eng/`` → ``/fra/``, ``/regulations/`` → ``/reglements/``, ``/acts/`` →
    ``/lois/``, ``SOR-`` → ``DORS-``, ``SI-`` → ``TR-``, ``section-`` → ``article-`` (the
    French site's names); GAC pages: ``lang=eng`` → ``lang=fra``. A rule's own ``url_fr``
    wins (``citation_url``).
    """
    if not url or lang != "fr":
        return url or ""
    out = url
    if "laws-lois.justice.gc.ca" in out or "lois-laws.justice.gc.ca" in out:
        out = out.replace("/eng/", "/fra/")
        out = out.replace("/regulations/", "/reglements/").replace("/acts/", "/lois/")
        out = re.sub(r"/SOR-(\d)", r"/DORS-\1", out)
        out = re.sub(r"/SI-(\d)", r"/TR-\1", out)
        out = out.replace("/section-", "/article-")
    out = re.sub(r"([?&])lang=eng\b", r"\1lang=fra", out)
    return out


def citation_url(reason: JSON, lang: str) -> str:
    if lang == "fr" and reason.get("url_fr"):
        return str(reason["url_fr"])
    return url_for(reason.get("url"), lang)


def long_date(value: str | dt.date | None, lang: str) -> str:
    """1 June 2025 / 1 juin 2025 (Babel, Canadian locales)."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    locale = "fr_CA" if lang == "fr" else "en_CA"
    words = _cldr(locale)
    pattern = words[0] if words is not None else None
    if words is None or pattern is None:
        from babel.dates import format_date

        return _first_of_month(str(format_date(day, format="long", locale=locale)), day, lang)
    months = words[1]
    text = pattern % {"MMMM": months[day.month - 1], "d": str(day.day), "y": str(day.year)}
    return _first_of_month(text, day, lang)


# A day written as ISO inside a sentence: not a part of a list version
# (``ca-sema-russia@2026-06-15:sha256:…``), a file name or another identifier.
_PROSE_DAY = re.compile(r"(?<![\w@./:-])(\d{4}-\d{2}-\d{2})(?![\w/:@-])")


def prose_dates(text: str, lang: str) -> str:
    """A sentence's ISO days as the reader's prose writes them (French: ``le 2020-09-28``
    → ``le 28 septembre 2020``); English sentences, which the CLI and scripts read with
    ISO days, unchanged."""
    if lang != "fr" or "-" not in text:
        return text

    def said(found: re.Match[str]) -> str:
        try:
            return long_date(found[1], lang)
        except ValueError:  # 2020-13-45: not a day
            return found[1]

    return _PROSE_DAY.sub(said, text)


def _first_of_month(text: str, day: dt.date, lang: str) -> str:
    """French writes the first of a month as an ordinal: 1er juin 2016 (as the country pages
    and the CFLI letters do)."""
    if lang == "fr" and day.day == 1 and text.startswith("1 "):
        return "1er" + text[1:]
    return text


# Loading Babel's locale data costs a command-line answer ~15 ms, so what the answers use
# of it (the long date as a pattern over month, day and year; the month and territory
# names) is kept in the user's cache, keyed on Babel's code and locale files: another
# Babel gives another key, so the words are never older than the Babel installed.
_LOCALE_FILES = ("root", "en", "en_001", "en_CA", "fr", "fr_CA")
_Words = tuple[str | None, tuple[str, ...], dict[str, str]]


@functools.cache
def _babel_key(locale: str) -> str | None:
    import hashlib
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("babel")
    if spec is None or spec.origin is None:
        return None
    base = Path(spec.origin).parent
    digest = hashlib.sha256(f"cldr-words/1\0{locale}\0".encode())
    names = ["__init__.py", "core.py", "dates.py"]
    names += [f"locale-data/{n}.dat" for n in _LOCALE_FILES]
    for name in names:
        path = base / name
        digest.update(path.read_bytes() if path.is_file() else b"?")
    return digest.hexdigest()


def _babel_words(locale: str) -> _Words:
    """Babel's long-date pattern (None unless it is over MMMM, d and y alone and gives
    Babel's own answers), month names and territory names for a locale."""
    from babel import Locale
    from babel.dates import format_date, get_date_format

    parsed = Locale.parse(locale)
    wide = parsed.months["format"]["wide"]
    months = tuple(str(wide[m]) for m in range(1, 13))
    territories = {str(k): str(v) for k, v in parsed.territories.items()}
    pattern: str | None = str(get_date_format("long", locale=locale).format)
    if set(re.findall(r"%\((\w+)\)s", str(pattern))) - {"MMMM", "d", "y"}:
        pattern = None
    for day in (dt.date(2001, month, 9 + month) for month in range(1, 13)):
        if pattern is None:
            break
        ours = pattern % {"MMMM": months[day.month - 1], "d": str(day.day), "y": str(day.year)}
        if ours != format_date(day, format="long", locale=locale):
            pattern = None
    return pattern, months, territories


@functools.cache
def _cldr(locale: str) -> _Words | None:
    from bilateral.law import compiled

    key = _babel_key(locale)
    if key is None:
        return None
    found = compiled.load_value("cldr-words", key)
    if isinstance(found, tuple) and len(found) == 3:
        return found
    words = _babel_words(locale)
    compiled.store_value("cldr-words", key, words)
    return words


@functools.cache
def _titles() -> dict[str, tuple[str, str]]:
    """Instrument id -> (English title, French title), from the law data."""
    from bilateral.engine.law import default_law

    return {i.instrument: (i.title.en, i.title.fr) for i in default_law().bundle.instruments}


@functools.cache
def _rules() -> dict[str, Any]:
    from bilateral.engine.law import default_law

    return dict(default_law().bundle.rules)


_FR_FEMININE = ("liste", "loi", "licence", "politique", "mesure", "annonce", "exportation")


def _with_article(title: str, lang: str) -> str:
    if lang != "fr":
        return title if title.lower().startswith("the ") else f"the {title}"
    first = title.split()[0].lower() if title.split() else ""
    if first[:1] in "aeiouéèêâîôuh":
        return f"l'{title}"
    return f"la {title}" if first in _FR_FEMININE else f"le {title}"


def cited(reason: JSON, key: str) -> str:
    """A reason's ``instrument`` or ``provision`` as the law data writes it (in English):
    a French answer gives it in French beside ``instrument_en`` / ``provision_en``; an
    answer stored before those fields gives it in English."""
    return str(reason.get(f"{key}_en") or reason.get(key) or "")


def instrument_title(instrument: str, lang: str) -> str:
    en, fr = _titles().get(instrument, (instrument, instrument))
    return fr if lang == "fr" else en


def _instruments(answer: JSON, lang: str) -> tuple[str, int]:
    """The titles of the instruments whose bans decide, with an article, and how many."""
    seen: list[str] = []
    reasons = answer.get("reasons") or []
    rules = _rules()
    bans = [
        r
        for r in reasons
        if getattr(getattr(rules.get(str(r.get("rule"))), "effect", None), "kind", "")
        == "export_prohibition"
    ]
    for r in bans or reasons:
        ins = cited(r, "instrument").strip()
        if ins and ins not in seen:
            seen.append(ins)
    names = [_with_article(instrument_title(i, lang), lang) for i in seen]
    sep = " et " if lang == "fr" else " and "
    return sep.join(names), len(names)


_EXPORT = {
    "en": {
        "prohibited": "You may not export these goods to {to} on {on}: {why}.",
        "prohibited_bare": "You may not export these goods to {to} on {on}: the law bans them.",
        "new_permits_suspended": (
            "An export permit is required to export these goods to {to} on {on}, and no new "
            "permits are being issued."
        ),
        "generally_denied": (
            "An export permit is required to export these goods to {to} on {on}; permits for "
            "these goods are generally denied."
        ),
        "case_by_case": (
            "An export permit is required to export these goods to {to} on {on}; each "
            "application is decided case by case."
        ),
        "normally_issued": (
            "An export permit is required to export these goods to {to} on {on}; permits are "
            "normally issued."
        ),
        "generally_approved": (
            "An export permit is required to export these goods to {to} on {on}; permits for "
            "these goods are generally approved."
        ),
        "not_required": "No export permit is required to export these goods to {to} on {on}.",
        "not_required_caveat": (
            "No export permit is required to export these goods to {to} on {on} as far as "
            "the recorded law shows; read the caveats below before you rely on it."
        ),
        "gep": " A general export permit may be used: {geps}.",
    },
    "fr": {
        "prohibited": ("Vous ne pouvez pas exporter ces marchandises {to} le {on} : {why}."),
        "prohibited_bare": (
            "Vous ne pouvez pas exporter ces marchandises {to} le {on} : le droit les interdit."
        ),
        "new_permits_suspended": (
            "Une licence d'exportation est requise pour exporter ces marchandises {to} le "
            "{on}, et aucune nouvelle licence n'est délivrée."
        ),
        "generally_denied": (
            "Une licence d'exportation est requise pour exporter ces marchandises {to} le "
            "{on}; les licences pour ces marchandises sont généralement refusées."
        ),
        "case_by_case": (
            "Une licence d'exportation est requise pour exporter ces marchandises {to} le "
            "{on}; chaque demande est tranchée au cas par cas."
        ),
        "normally_issued": (
            "Une licence d'exportation est requise pour exporter ces marchandises {to} le "
            "{on}; les licences sont normalement délivrées."
        ),
        "generally_approved": (
            "Une licence d'exportation est requise pour exporter ces marchandises {to} le "
            "{on}; les licences pour ces marchandises sont généralement accordées."
        ),
        "not_required": (
            "Aucune licence d'exportation n'est requise pour exporter ces marchandises {to} "
            "le {on}."
        ),
        "not_required_caveat": (
            "Aucune licence d'exportation n'est requise pour exporter ces marchandises {to} "
            "le {on} d'après le droit consigné; lisez les réserves ci-dessous avant de vous y fier."
        ),
        "gep": " Une licence générale d'exportation peut être utilisée : {geps}.",
    },
}

_BAN_WHY = {
    "en": ("{names} bans them", "{names} ban them"),  # "the … Regulations" is plural
    "fr": ("{names} les interdit", "{names} les interdisent"),
}


# French country names take an article after "vers" ("vers le Bélarus", "vers la Russie",
# "vers l'Iran", "vers les États-Unis", "vers Cuba"); the exceptions to the rule that a
# name ending in -e is feminine, and the names used without article, by ISO code.
_FR_MASCULINE_E = {"MX", "KH", "MZ", "ZW", "BZ", "SR", "CH"}
_FR_NO_ARTICLE = {"CU", "HT", "SG", "MG", "MT", "CY", "BH", "KI", "MU", "NR", "TV", "IL"}


def topic_label(code: str, lang: str) -> str:
    en, fr = topic(code)
    return fr if lang == "fr" else en


def country_name(code: str, lang: str) -> str:
    """The name Canadians use (CLDR en_CA / fr_CA: "Bélarus", "Myanmar (Burma)")."""
    locale = "fr_CA" if lang == "fr" else "en_CA"
    words = _cldr(locale)
    if words is None:
        from babel import Locale

        return str(Locale.parse(locale).territories.get(code, code))
    return words[2].get(code, code)


def country_phrase(c: Any, lang: str, prep: str = "vers") -> str:
    """The country after a preposition: "Belarus" / "vers le Bélarus"."""
    if isinstance(c, dict):
        name, code = str(c.get("name") or c.get("code") or ""), str(c.get("code") or "")
    else:
        name, code = str(c), ""
    if code:
        name = country_name(code, lang)
    if lang != "fr" or not name:
        return name
    word = name.split()[0]
    first = name[:1].lower()
    if code in _FR_NO_ARTICLE:
        art = ""
    elif word.endswith(("s", "x")) and code not in ("BY", "LA", "MV"):
        art = "les "
    elif first in "aeiouéèêâîôh" and code != "HN":
        art = "l'"
    elif word.endswith("e") and code not in _FR_MASCULINE_E:
        art = "la "
    else:
        art = "le "
    if prep == "de":
        lead = {"le ": "du ", "les ": "des ", "la ": "de la ", "l'": "de l'", "": "de "}[art]
        return lead + name
    return f"{prep} {art}{name}"


def _country(answer: JSON, key: str) -> str:
    c = answer.get(key) or {}
    if isinstance(c, dict):
        return str(c.get("name") or c.get("code") or "")
    return str(c)


def export_sentence(answer: JSON, lang: str) -> str:
    w = _EXPORT["fr" if lang == "fr" else "en"]
    to = country_phrase(answer.get("destination") or {}, lang)
    on = long_date(answer.get("as_of"), lang)
    outcome = str(answer.get("outcome") or "")
    if outcome == "prohibited" or (outcome not in w and not answer.get("permit_required")):
        names, n = _instruments(answer, lang)
        if outcome != "prohibited":
            outcome = "not_required"
        elif names:
            plural = n > 1 or (lang != "fr" and names.endswith(("Regulations", "Measures")))
            why = _BAN_WHY["fr" if lang == "fr" else "en"][plural].format(names=names)
            return w["prohibited"].format(to=to, on=on, why=why)
        else:
            return w["prohibited_bare"].format(to=to, on=on)
    if outcome == "not_required" and answer.get("permit_required"):
        outcome = "case_by_case"  # a permit is required: never say "not required"
    if outcome == "not_required" and answer.get("caveats"):
        outcome = "not_required_caveat"
    text = w.get(outcome, w["case_by_case"]).format(to=to, on=on)
    geps = [
        g if isinstance(g, str) else str(g.get("name") or g.get("id"))
        for g in answer.get("general_permits") or []
    ]
    if geps and outcome not in ("prohibited",):
        text += w["gep"].format(geps=", ".join(geps))
    return text


_OTHER = {
    "en": {
        "import_prohibited": "You may not import these goods from {origin} on {on}.",
        "import_rate": "Goods of HS {hs} from {origin} on {on} enter at {rate} ({treatment}).",
        "import_rate_caveat": (
            "Goods of HS {hs} from {origin} on {on} enter at {rate} ({treatment}) as far as "
            "the recorded law shows; read the caveats below before you rely on it."
        ),
        "import_unknown": (
            "The duty on goods of HS {hs} from {origin} on {on} is not recorded; ask the "
            "Canada Border Services Agency."
        ),
        "contact_yes": "Official contact with {country} on {topic} is allowed on {on}.",
        "contact_yes_caveat": (
            "Official contact with {country} on {topic} is allowed on {on} as far as the "
            "recorded policies show; read the caveats below before you rely on it."
        ),
        "contact_no": "Official contact with {country} on {topic} is not allowed on {on}.",
        "party_listed": "{name} is a listed person on {on}: dealings with them are banned.",
        # a list that restricts some dealings only (SOR/2014-58 Schedules 2 and 3)
        "party_restricted": "{name} is a listed person on {on} ({where}): {what}.",
        "party_clear": "{name} is not on the recorded lists on {on}.",
        "party_possible": (
            "{name} is possibly a listed person on {on} (only part of a listed name "
            "matches, or the listing date or the law's text on it is not in the data): "
            "do not deal with them until it is ruled out."
        ),
        "party_possible_restricted": (
            "{name} is possibly a listed person on {on} (only part of a listed name "
            "matches, or the listing date or the law's text on it is not in the data; "
            "{where}): if they are, {what}; rule it out before any such dealing."
        ),
    },
    "fr": {
        "import_prohibited": ("Vous ne pouvez pas importer ces marchandises {origin} le {on}."),
        "import_rate": (
            "Les marchandises du SH {hs} en provenance {origin} le {on} entrent au taux de "
            "{rate} ({treatment})."
        ),
        "import_rate_caveat": (
            "Les marchandises du SH {hs} en provenance {origin} le {on} entrent au taux de "
            "{rate} ({treatment}) d'après le droit consigné; lisez les réserves ci-dessous "
            "avant de vous y fier."
        ),
        "import_unknown": (
            "Le droit applicable aux marchandises du SH {hs} en provenance {origin} le {on} "
            "n'est pas consigné; renseignez-vous auprès de l'Agence des services frontaliers "
            "du Canada."
        ),
        "contact_yes": "Les contacts officiels {country} portant sur {topic} sont permis le {on}.",
        "contact_yes_caveat": (
            "Les contacts officiels {country} portant sur {topic} sont permis le {on} d'après "
            "les politiques consignées; lisez les réserves ci-dessous avant de vous y fier."
        ),
        "contact_no": (
            "Les contacts officiels {country} portant sur {topic} ne sont pas permis le {on}."
        ),
        "party_listed": (
            "{name} est une personne inscrite le {on} : toute transaction avec elle est interdite."
        ),
        "party_restricted": "{name} est une personne inscrite le {on} ({where}) : {what}.",
        "party_clear": "{name} ne figure pas sur les listes consignées le {on}.",
        "party_possible": (
            "{name} est peut-être une personne inscrite le {on} (seule une partie d'un nom "
            "inscrit correspond, ou la date d'inscription ou le texte du droit à cette date ne "
            "figure pas dans les données) : "
            "n'effectuez aucune transaction avec elle avant de l'avoir exclu."
        ),
        "party_possible_restricted": (
            "{name} est peut-être une personne inscrite le {on} (seule une partie d'un nom "
            "inscrit correspond, ou la date d'inscription ou le texte du droit à cette date ne "
            "figure pas dans les données; "
            "{where}) : si elle l'est, {what}; vérifiez-le avant toute opération de ce type."
        ),
    },
}


# Babel's number data costs an answer ~15 ms to load, so the rates it has formatted are
# kept in the user's cache, keyed on Babel's code and locale files (as the words above):
# each is Babel's own answer for that rate, never a formatting of ours.
_PERCENTS_KEPT = 512


@functools.cache
def _percents(locale: str) -> tuple[str | None, dict[str, str]]:
    """(cache key or None, rate -> Babel's text) for the locale."""
    from bilateral.law import compiled

    words_key = _babel_key(locale)
    if words_key is None:
        return None, {}
    import hashlib
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("babel")
    if spec is None or spec.origin is None:
        return None, {}
    numbers = Path(spec.origin).parent / "numbers.py"
    code = numbers.read_bytes() if numbers.is_file() else b"?"
    key = hashlib.sha256(b"cldr-percent/2\0" + words_key.encode() + b"\0" + code).hexdigest()
    found = compiled.load_value("cldr-percent", key)
    memo = found if isinstance(found, dict) else {}
    return key, memo


_PERCENT_PATTERN = {"en": "#,##0.##%", "fr": "#,##0.##\u00a0%"}


def percent(rate: float, lang: str) -> str:
    lang = "fr" if lang == "fr" else "en"
    locale = "fr_CA" if lang == "fr" else "en_CA"
    key, memo = _percents(locale)
    name = repr(float(rate))
    found = memo.get(name)
    if isinstance(found, str):
        return found
    from babel.numbers import format_percent

    # French sets the sign apart with a no-break space (35 %), as Babel's own fr_CA pattern
    text = str(format_percent(rate / 100, locale=locale, format=_PERCENT_PATTERN[lang]))
    if key is not None and len(memo) < _PERCENTS_KEPT:
        from bilateral.law import compiled

        memo[name] = text
        compiled.store_value("cldr-percent", key, dict(memo))
    return text


def sentence(answer: JSON, lang: str) -> str:
    """The verdict sentence for any engine answer ("" when the answer has none)."""
    lang = "fr" if lang == "fr" else "en"
    kind = answer.get("question")
    on = long_date(answer.get("as_of"), lang)
    w = _OTHER[lang]
    if kind == "export" or "permit_required" in answer:
        return export_sentence(answer, lang)
    if kind == "import" or "treatment" in answer:
        origin = country_phrase(answer.get("origin") or {}, lang, "de")
        if answer.get("prohibited"):
            return w["import_prohibited"].format(origin=origin, on=on)
        if answer.get("rate") is None:
            return w["import_unknown"].format(hs=answer.get("hs", ""), origin=origin, on=on)
        # caveats (a ban whose text on that day is not known, a rate the MFN rate may
        # exceed): the goods are not said to enter cleanly
        key = "import_rate_caveat" if answer.get("caveats") else "import_rate"
        return w[key].format(
            hs=answer.get("hs", ""),
            origin=origin,
            on=on,
            rate=percent(float(answer["rate"]), lang),
            treatment=answer.get("treatment") or "",
        )
    if kind == "contact" or "allowed" in answer:
        key = "contact_yes" if answer.get("allowed") else "contact_no"
        if key == "contact_yes" and answer.get("caveats"):
            # a policy the data knows of but cannot apply: never a clean "allowed"
            key = "contact_yes_caveat"
        topic = topic_label(str(answer.get("topic") or ""), lang)
        country = country_phrase(answer.get("country") or {}, lang, "avec")
        return w[key].format(country=country, topic=topic, on=on)
    if "listed" in answer:
        key = "party_listed" if answer.get("listed") else "party_clear"
        if answer.get("status") == "possibly listed":
            key = "party_possible"
        limits = _restrictions(answer, lang) if answer.get("listed") else None
        if limits:  # only lists that restrict some dealings matched: say which
            where = "; ".join(dict.fromkeys(place for place, _ in limits))
            what = "; ".join(dict.fromkeys(said for _, said in limits))
            key += "_restricted" if key == "party_possible" else ""
            key = "party_restricted" if key == "party_listed" else key
            said = w[key].format(name=answer.get("name", ""), on=on, where=where, what=what)
            return prose_dates(said, lang)  # a restriction may cite its text's day
        return w[key].format(name=answer.get("name", ""), on=on)
    return ""


def listing(match: JSON, lang: str, whole: bool = True) -> str:
    """Where a list names a matched person, in the reader's citation style ("SOR/2014-58,
    Schedule 3, item 1"; "DORS/2014-58, annexe 3, article 1"), from the match's fields."""
    from bilateral.engine.party import item_citation

    return item_citation(
        str(match.get("instrument") or ""),
        str(match.get("schedule") or ""),
        str(match.get("part") or ""),
        str(match.get("item") or ""),
        lang,
        whole,
    )


def _restrictions(answer: JSON, lang: str) -> list[tuple[str, str]] | None:
    """(list, what it restricts) of each match, in the reader's language, when every match
    is on a list that restricts some dealings only (SOR/2014-58 Schedules 2 and 3: new
    debt or equity); None when any is a ban on every dealing, or the answer predates
    ``restriction``. The rule's own words are used, so a stored English answer reads in
    French too."""
    found: list[tuple[str, str]] = []
    for m in answer.get("matches") or []:
        said = m.get("restriction")
        if not said:
            return None
        effect = getattr(_rules().get(str(m.get("rule") or "")), "effect", None)
        words = getattr(effect, "restriction", None)
        if words is not None:
            said = words.fr if lang == "fr" else words.en
        instrument, schedule = str(m.get("instrument") or ""), str(m.get("schedule") or "")
        place = cite_fr(instrument, schedule) if lang == "fr" else f"{instrument} {schedule}"
        found.append((place, str(said)))
    return found or None


def confidence(value: str | None, lang: str) -> str:
    return CONFIDENCE["fr" if lang == "fr" else "en"].get(str(value or ""), str(value or ""))


def localize_reason(reason: JSON, lang: str) -> JSON:
    """A stored reason in the reader's language: label and text from the rule's own
    bilingual record (stored answers keep the rule id), the link to the French text."""
    out = dict(reason)
    rule = _rules().get(str(reason.get("rule") or ""))
    if rule is not None:
        out["label"] = rule.label.fr if lang == "fr" else rule.label.en
        out["text"] = rule.summary.fr if lang == "fr" else rule.summary.en
        out["confidence"] = str(getattr(rule.confidence, "value", rule.confidence))
        out["note"] = rule.note or ""  # why a rule is secondary or inferred (English)
    out["url"] = citation_url(reason, lang)
    if lang == "fr":
        out["provision"] = provision_fr(cited(reason, "provision"))
        out["instrument"] = provision_fr(cited(reason, "instrument"))
    out["instrument_title"] = instrument_title(cited(reason, "instrument"), lang)
    out["confidence_label"] = confidence(out.get("confidence"), lang)
    return out
