"""Countries as people name them: ISO codes, English and French names, one resolver.

A two-letter box silently turned "Belarus" into BE (Belgium). Every country field now
goes through ``resolve``: an ISO 3166-1 alpha-2 or alpha-3 code, or a name in English or
French (CLDR names from Babel, ISO names from pycountry), compared without case or accents.
Anything else is refused, never guessed.
"""

from __future__ import annotations

import functools
import unicodedata

import pycountry
from babel import Locale

# Canadian usage (fr_CA: "Bélarus", as the Government of Canada writes it; CLDR's fr has
# "Biélorussie", which is still accepted as input)
LOCALES = ("en_CA", "fr_CA")


def _fold(text: str) -> str:
    """Lower case, no accents, apostrophes and hyphens as spaces, single spaces."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    for ch in "’'`-_,.()":
        s = s.replace(ch, " ")
    return " ".join(s.split())


@functools.cache
def _index() -> dict[str, str]:
    names: dict[str, str] = {}
    territories = {loc: Locale.parse(loc).territories for loc in (*LOCALES, "en", "fr")}
    for c in pycountry.countries:
        code = c.alpha_2
        keys = [code, c.alpha_3, c.name]
        keys += [getattr(c, a) for a in ("official_name", "common_name") if hasattr(c, a)]
        keys += [t[code] for t in territories.values() if code in t]
        for k in keys:
            names.setdefault(_fold(k), code)
    # names people commonly type that neither list spells this way
    for alias, code in {
        "russia": "RU",
        "russie": "RU",
        "iran": "IR",
        "north korea": "KP",
        "south korea": "KR",
        "coree du nord": "KP",
        "coree du sud": "KR",
        "syria": "SY",
        "syrie": "SY",
        "burma": "MM",
        "birmanie": "MM",
        "belorussia": "BY",
        "bielorussie": "BY",
        "usa": "US",
        "uk": "GB",
        "great britain": "GB",
        "venezuela": "VE",
    }.items():
        names.setdefault(alias, code)
    return names


def resolve(text: str | None) -> str | None:
    """The ISO alpha-2 code for a code or a name in English or French; None if unknown."""
    if not text:
        return None
    return _index().get(_fold(text))


def name(code: str | None, lang: str) -> str:
    """The country's name in ``lang`` (falls back to the code)."""
    if not code:
        return ""
    loc = "fr_CA" if lang == "fr" else "en_CA"
    return str(Locale.parse(loc).territories.get(code, code))


@functools.cache
def choices(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every ISO country, sorted by name as a reader of ``lang`` expects."""
    rows = [(c.alpha_2, name(c.alpha_2, lang)) for c in pycountry.countries]
    return tuple(sorted(rows, key=lambda r: _fold(r[1])))
