"""Name keys for exact-after-normalisation matching of listed persons.

Two spellings of one Cyrillic name (Aleksandr / Alexander / Aliaksandr; Lukashenko /
Lukashenka; Yuri / Yury / Iurii) should meet on one key, while different names should not.
The key folds case and accents, transliterates Cyrillic, unifies the common Latin
transliteration variants, and drops vowels after a token's first letter, since the
Russian and Belarusian forms of a name differ mostly in vowels. Token order is ignored.
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "є": "ye",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ў": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}

# Latin variants of the same Cyrillic letters, longest first.
_VARIANTS = (
    ("shch", "sc"),
    ("sch", "sc"),
    ("tch", "c"),
    ("kh", "h"),
    ("zh", "j"),
    ("ch", "c"),
    ("sh", "s"),
    ("ts", "c"),
    ("tz", "c"),
    ("x", "ks"),
    ("w", "v"),
    ("ph", "f"),
    ("q", "k"),
    ("dzh", "j"),
    ("dj", "j"),
)
# Legal forms (Russian, Belarusian and English abbreviations) are not part of the name.
_LEGAL_FORMS = frozenset(
    {
        "oao",
        "ojsc",
        "zao",
        "cjsc",
        "jsc",
        "ao",
        "pao",
        "pjsc",
        "ooo",
        "llc",
        "ltd",
        "aat",
        "zat",
        "tav",
        "up",
        "rup",
        "rue",
        "chup",
        "inc",
    }
)
_NON_WORD = re.compile(r"[^a-z ]+")
_VOWELS = re.compile(r"[aeiouy]+")
_DOUBLES = re.compile(r"(.)\1+")


def _fold(text: str) -> str:
    lowered = text.casefold()
    lowered = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain.replace("'", "").replace("’", ""))


def token_key(token: str) -> str:
    for old, new in _VARIANTS:
        token = token.replace(old, new)
    # "ie"/"ia"/"iu" (Belarusian Latin) and "ye"/"ya"/"yu" meet once vowels are dropped.
    key = token[0] + _VOWELS.sub("", token[1:]) if token else token
    return _DOUBLES.sub(r"\1", key)


def name_keys(name: str) -> tuple[str, ...]:
    """The sorted token keys of a name."""
    tokens = [t for t in _fold(name).split() if t and t not in _LEGAL_FORMS]
    return tuple(sorted(token_key(t) for t in tokens))


def matches(query: tuple[str, ...], listed: tuple[str, ...]) -> str | None:
    """'exact' when the keys agree, 'partial' when every query token is in the listed name
    (e.g. a name given without its patronymic) or a three-part name differs in one part
    (the patronymic in another language's form), 'initials' when the query gives initials
    for parts of the listed name and whole words for the rest, else None. A single-token
    query matches only a single-token listed name, to keep 'Ivan' from matching every Ivan."""
    if not query:
        return None
    if query == listed:
        return "exact"
    if len(query) < 2:
        return None
    remaining = list(listed)
    missing: list[str] = []
    for token in query:
        if token in remaining:
            remaining.remove(token)
        else:
            missing.append(token)
    if not missing:
        return "partial"
    # Initials for given names ("A. G. Lukashenko"): each initial takes a listed part that
    # starts with it, once a whole word of the query (the surname) has matched.
    if len(missing) < len(query) and all(len(token) == 1 for token in missing):
        left = list(remaining)
        for initial in missing:
            found = next((part for part in left if part.startswith(initial)), None)
            if found is None:
                break
            left.remove(found)
        else:
            return "initials"
    # Three names against three, differing only in the patronymic: its Russian and
    # Belarusian forms (Grigoryevich / Ryhoravich) differ in more than vowels.
    if (
        len(missing) == 1
        and len(query) == len(listed) >= 3
        and _patronymic(missing[0])
        and _patronymic(remaining[0])
    ):
        return "partial"
    return None


def _patronymic(key: str) -> bool:
    """A token key shaped like an East Slavic patronymic (-vich, -ovna, -evna)."""
    return len(key) >= 5 and key.endswith(("vc", "vn"))


# Words that say what kind of body an entity is, not which: a one-word query of these is
# not taken for part of an entity's name.
_GENERIC = frozenset(
    {"republican", "unitary", "enterprise", "company", "joint", "stock", "open", "closed",
     "public", "limited", "liability", "state", "national", "federal", "group", "holding",
     "holdings", "bank", "plant", "factory", "service", "services", "trading", "international",
     "industrial", "industries", "corporation", "organization", "organisation", "association",
     "institute", "research", "production", "scientific", "center", "centre", "russian",
     "belarusian", "federation", "republic", "ministry", "the", "and", "for", "management",
     "committee", "department", "agency", "society", "university", "academy"}
)  # fmt: skip


def part_keys(listed: str, entity: bool) -> frozenset[str]:
    """Keys of the parts of a listed name that a one-word query may name alone: a
    person's surname (the last word, as the schedules write given names first, or a word
    in capitals, as they write surnames: "Nikolai Aleksandrovich LUKASHENKO"); any word of
    an entity's name of four letters or more that says which entity ("Belaeronavigatsia",
    the acronym "BelAZ"), not what kind ("Republican", "Enterprise")."""
    words = re.findall(r"\w+", listed)
    folded = [t for t in _fold(listed).split() if t and t not in _LEGAL_FORMS]
    if len(folded) < 2:
        return frozenset()
    if entity:
        return frozenset(token_key(t) for t in folded if len(t) >= 4 and t not in _GENERIC)
    capitals = {_fold(w).strip() for w in words if len(w) > 1 and w.isupper()}
    return frozenset(token_key(t) for t in {folded[-1], *capitals} if t)
