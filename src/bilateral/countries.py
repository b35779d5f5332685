"""Countries as people type them: ISO 3166 alpha-2/alpha-3 codes, English or French names.

The ISO table and French names come from pycountry (the Debian iso-codes data); the
aliases below add the names Canadian instruments and users actually use.
"""

from __future__ import annotations

import gettext
import unicodedata
from dataclasses import dataclass

from bilateral.errors import BadInput


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    alpha3: str
    name_en: str
    name_fr: str

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en


# Names used in Canadian instruments and common speech that ISO's short names miss.
_ALIASES: dict[str, str] = {
    "burma": "MM",
    "birmanie": "MM",
    "myanmar": "MM",
    "north korea": "KP",
    "dprk": "KP",
    "democratic people's republic of korea": "KP",
    "coree du nord": "KP",
    "rpdc": "KP",
    "south korea": "KR",
    "republic of korea": "KR",
    "coree du sud": "KR",
    "russia": "RU",
    "russie": "RU",
    "belarus": "BY",
    "bielorussie": "BY",
    "republic of belarus": "BY",
    "republique du belarus": "BY",
    "united states": "US",
    "usa": "US",
    "etats-unis": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "royaume-uni": "GB",
    "czech republic": "CZ",
    "turkey": "TR",
    "turquie": "TR",
    "iran": "IR",
    "syria": "SY",
    "vietnam": "VN",
    "viet nam": "VN",
    "moldova": "MD",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    # Forms people type that ISO's names (English and French) do not give as written.
    "turkiye": "TR",
    "republique de turquie": "TR",
    "federation de russie": "RU",
    "republique de coree": "KR",
    "coree": "KR",
    "republique populaire democratique de coree": "KP",
    "birmanie (myanmar)": "MM",
    "myanmar (burma)": "MM",
    "burma (myanmar)": "MM",
    "syrie": "SY",
    "moldavie": "MD",
    "etats-unis d'amerique": "US",
    # Cyrillic: Belarusian and Russian names of Belarus and Russia.
    "беларусь": "BY",
    "республика беларусь": "BY",
    "белоруссия": "BY",
    "рэспубліка беларусь": "BY",
    "россия": "RU",
    "российская федерация": "RU",
    "расія": "RU",
}

# Short French names where the ISO French name is long or formal.
_FRENCH_SHORT: dict[str, str] = {
    "KP": "Corée du Nord",
    "KR": "Corée du Sud",
    "RU": "Russie",
    "MM": "Birmanie (Myanmar)",
    "US": "États-Unis",
    "GB": "Royaume-Uni",
}
_ENGLISH_SHORT: dict[str, str] = {
    "KP": "North Korea",
    "KR": "South Korea",
    "RU": "Russia",
    "MM": "Burma (Myanmar)",
    "US": "United States",
    "GB": "United Kingdom",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("’", "'").split())


Table = tuple[dict[str, Country], dict[str, str]]
_LOADED: list[Table] = []


def _table() -> Table:
    """The country table, built once per process (or handed over by the law cache)."""
    if not _LOADED:
        _LOADED.append(_build_table())
    return _LOADED[0]


def use_table(table: Table) -> None:
    """Adopt a table built earlier from the same data (the compiled-law cache keys on it)."""
    if not _LOADED:
        _LOADED.append(table)


def _build_table() -> Table:
    import pycountry  # imported here: its import alone costs a command ~30 ms

    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    by_code: dict[str, Country] = {}
    index: dict[str, str] = {}
    for entry in pycountry.countries:
        code = entry.alpha_2
        name_en = _ENGLISH_SHORT.get(code, getattr(entry, "common_name", None) or entry.name)
        name_fr = _FRENCH_SHORT.get(code, french.gettext(entry.name))
        by_code[code] = Country(code, entry.alpha_3, name_en, name_fr)
        for key in (code, entry.alpha_3, entry.name, name_en, name_fr, french.gettext(entry.name)):
            index.setdefault(_fold(key), code)
        official = getattr(entry, "official_name", None)
        if official:
            index.setdefault(_fold(official), code)
        # ISO writes some names inverted ("Korea, Republic of", "Russie, Fédération de");
        # people write them the other way round.
        for name in (entry.name, french.gettext(entry.name), official or ""):
            head, sep, tail = name.partition(", ")
            if sep:
                inverted = f"{tail}{head}" if tail.endswith("'") else f"{tail} {head}"
                index.setdefault(_fold(inverted), code)
    for alias, code in _ALIASES.items():
        index[_fold(alias)] = code
    return by_code, index


def known_codes() -> frozenset[str]:
    return frozenset(_table()[0])


def get(code: str) -> Country:
    """The country of an ISO alpha-2 code already known to be valid."""
    return _table()[0][code]


def resolve(text: str, field: str = "country") -> Country:
    """A country from a code or name; a BadInput naming ``field`` when there is none."""
    by_code, index = _table()
    key = _fold(text)
    code = index.get(key)
    if code is None:
        raise BadInput(
            field,
            f"unknown country {text.strip()!r} (use an ISO code or a name)",
            "engine.country_unknown",
            {"value": text.strip()},
        )
    return by_code[code]
