"""Names as comparable tokens: Unicode folding, transliteration, legal forms, phonetic keys.

Transliteration is anyascii's (a maintained, pure-Python table for every script), so
Cyrillic, Greek, Arabic, Hebrew, Han, Hangul and Thai names all come out in Latin letters;
what is ours is the small layer a screening analyst needs on top: the spelling variants of
East Slavic names between the Russian and Belarusian conventions (Alyaksandr / Aleksandr,
Hryhoryavich / Grigoryevich, -ka / -ko, -au / -ov), the legal forms of companies (OAO, JSC,
ЗАО, ТАА, УП, Aktiengesellschaft …) recognised as forms rather than compared as names, and
titles or particles that carry little identity ("al", "de", "Mr").
"""

from __future__ import annotations

import dataclasses
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar, dataclass_transform

from anyascii import anyascii

# Legal forms, as folded phrases, with the canonical form they stand for. A name keeps its
# form as a feature (two companies of different forms rarely are one), never as a token.
_FORMS: dict[str, tuple[str, ...]] = {
    "jsc": (
        "jsc",
        "ojsc",
        "oao",
        "ao",
        "pao",
        "pjsc",
        "cjsc",
        "zao",
        "aat",
        "zat",
        "oaa",
        "pat",
        "joint stock company",
        "open joint stock company",
        "closed joint stock company",
        "public joint stock company",
        "otkrytoe aktsionernoe obshchestvo",
        "zakrytoe aktsionernoe obshchestvo",
        "publichnoe aktsionernoe obshchestvo",
        "aktsionernoe obshchestvo",
        "aktsyyanernae tavarystva",
        "adkrytae aktsyyanernae tavarystva",
        "zakrytae aktsyyanernae tavarystva",
        "joint-stock company",
    ),
    "llc": (
        "llc",
        "l l c",
        "ooo",
        "taa",
        "tav",
        "limited liability company",
        "obshchestvo s ogranichennoi otvetstvennostiu",
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "tavarystva z abmezhavanai adkaznastsiu",
        "tavarystva z abmezhavanai adkaznastsyu",
        "sociedad de responsabilidad limitada",
        "societatea cu raspundere limitata",
        "gesellschaft mit beschrankter haftung",
        "sp z oo",
        "gmbh",
        "sarl",
        "srl",
    ),
    "ue": (
        "up",
        "rup",
        "rue",
        "chup",
        "ue",
        "unitary enterprise",
        "republican unitary enterprise",
        "state unitary enterprise",
        "unitarnoe predpriiatie",
        "unitarnoe predpriyatie",
        "respublikanskoe unitarnoe predpriiatie",
        "fgup",
        "gup",
        "mup",
    ),
    "ag": ("ag", "aktiengesellschaft", "aktiengeselschaft", "sa", "s a", "nv", "n v", "spa"),
    "plc": ("plc", "p l c", "public limited company"),
    "ltd": ("ltd", "limited", "co ltd", "company limited", "pte ltd", "pty ltd", "pte", "pty"),
    "inc": ("inc", "incorporated", "corp", "corporation"),
    "lp": ("lp", "llp", "l p", "limited partnership"),
}
_FORM_OF: dict[str, str] = {v: k for k, vs in _FORMS.items() for v in vs}
_FORM_PHRASES = sorted(_FORM_OF, key=lambda p: -len(p.split()))
_MAX_FORM_WORDS = max(len(p.split()) for p in _FORM_PHRASES)

# Words of little identity: honorifics, and particles of Arabic, Dutch, German, Romance names.
TITLES = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sir", "sheikh", "shaikh", "general", "colonel", "col",
     "president", "presidente", "prasident", "prezident", "predsjednik", "presedintele",
     "presiden", "monsieur", "madame", "mme", "herr", "frau"}
)  # fmt: skip
PARTICLES = frozenset(
    {"al", "el", "ul", "bin", "ibn", "bint", "de", "da", "del", "della", "der", "di", "du",
     "la", "le", "van", "von", "den", "and", "of", "the", "y"}
)  # fmt: skip
# Generic organisation words: they say what kind of body, not which one.
GENERIC = frozenset(
    {"company", "co", "group", "holding", "holdings", "trading", "international", "enterprise",
     "enterprises", "firm", "industries", "industrial", "corporation", "plant", "factory",
     "organization", "organisation", "association"}
)  # fmt: skip

_NON_WORD = re.compile(r"[^a-z0-9 ]+")
# Dotted abbreviations are one word: "G.m.b.H.", "A.B.C.", "o.O.O." (before the dots go).
_DOTTED = re.compile(r"(?<![a-z])(?:[a-z]\.){1,}[a-z](?![a-z])\.?")
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS)
_DIGIT = re.compile(r"\d")


def _ascii_table(table: dict[int, Any]) -> dict[int, Any]:
    """A ``str.translate`` table naming every ASCII character, those it keeps as themselves:
    a character the table lacks is left alone too, but costs a KeyError raised and caught
    inside ``translate``, once for each letter of each word."""
    return {**{c: c for c in range(128)}, **table}


def _numbers(words: list[str]) -> list[str]:
    """Numbers as digits: "forty four" / "forty-four" / "44", "first" / "1st" / "1"."""
    out: list[str] = []
    for word in words:
        if (match := _ORDINAL.match(word)) is not None:
            word = match.group(1)
        value = _UNITS.get(word)
        if value is None and word in _TENS:
            value = _TENS[word]
        if value is not None:
            word = str(value)
        if out and out[-1].isdigit() and word.isdigit() and len(word) == 1:
            previous = int(out[-1])
            if previous % 10 == 0 and 20 <= previous < 100:
                out[-1] = str(previous + int(word))
                continue
        out.append(word)
    return out


# Scripts whose writing leaves most vowels out (abjads, and the Brahmic scripts as anyascii
# renders them): their names are compared on consonant skeletons.
_CONSONANTAL = re.compile(
    "[\u0590-\u05ff\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u0780-\u07bf"
    "\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u0e00-\u0e7f\u0e80-\u0eff"
    "\u1000-\u109f\u1780-\u17ff]"
)
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_HEBREW_INITIAL_PE = re.compile("(?<![\u05d0-\u05ea])\u05e4")
_OTHER_ALPHABETS = re.compile("[\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f\u0530-\u058f\u10a0-\u10ff]")
_SYLLABIC = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# Korean surnames as the Revised Romanization writes them, and as lists usually do.
_KOREAN_SURNAMES = {
    "i": "lee", "yi": "lee", "ri": "lee", "gim": "kim", "bak": "park", "bag": "park",
    "pak": "park",
    "choe": "choi", "jeong": "jung", "jo": "cho", "gang": "kang", "jang": "chang",
    "yun": "yoon", "im": "lim", "han": "han", "o": "oh", "seo": "suh", "sin": "shin",
}  # fmt: skip
_KOREAN_INITIAL = {"g": "k", "b": "p", "d": "t"}


def script_of(text: str) -> str:
    """The kind of writing that matters for comparison: latin, consonantal, hangul, cjk."""
    if _HANGUL.search(text):
        return "hangul"
    if _SYLLABIC.search(text):
        return "cjk"
    if _CONSONANTAL.search(text):
        return "consonantal"
    if _OTHER_ALPHABETS.search(text):
        return "alphabetic"  # Greek, Cyrillic, Armenian, Georgian
    return "latin"


# anyascii reads its table for each block of 256 code points from its package the first
# time a character of the block is met (some 0.2 ms a block): the blocks of the scripts
# names are written in, loaded at once by ``warm_transliteration``.
_NAME_BLOCKS = (
    *range(0x00, 0x12),  # Latin accents, Greek, Cyrillic, Armenian, Hebrew, Arabic … Georgian
    0x17,  # Khmer
    0x1E,  # Latin Extended Additional (Vietnamese)
    0x1F,  # Greek Extended
    0x20,  # punctuation
    0x30,  # kana, CJK punctuation
    0x31,  # Hangul compatibility jamo
    *range(0x34, 0xA0),  # Han
    *range(0xAC, 0xD8),  # Hangul syllables
    *range(0xFB, 0x100),  # presentation forms, full-width letters
)


class _Transliteration(dict[int, str]):
    """anyascii's reading of each character, as a table for ``str.translate``, which
    reads a name in C where anyascii loops over its characters in Python (the same text:
    anyascii reads each character alone). ``warm_transliteration`` fills it for the
    blocks of the scripts names are written in; another character is read by anyascii
    when first met."""

    def __missing__(self, codepoint: int) -> str:
        reading = self[codepoint] = anyascii(chr(codepoint))
        return reading


_TRANSLITERATION = _Transliteration({c: chr(c) for c in range(128)})


def transliterate(text: str) -> str:
    """``anyascii(text)``, by table."""
    return text.translate(_TRANSLITERATION)


@lru_cache(maxsize=1)
def warm_transliteration() -> None:
    """Load anyascii's tables for every script names are written in, and our table of
    their characters, as building the index of the lists does (once: some tens of
    milliseconds)."""
    for block in _NAME_BLOCKS:
        for codepoint in range(block << 8, (block + 1) << 8):
            _TRANSLITERATION[codepoint] = anyascii(chr(codepoint))


def _syllables(text: str) -> str:
    """Han, kana and Hangul transliterated one character at a time, so that syllables
    become parts ("习近平" → "xi jin ping", compared joined with "Xi Jinping")."""
    table = _TRANSLITERATION
    return " ".join(table[ord(ch)] if _SYLLABIC.match(ch) else ch for ch in text)


def fold(text: str) -> str:
    """Lower-case ASCII words: compatibility-normalised, transliterated, marks and
    punctuation dropped ("Лукашэнка" → "lukashenka", "François" → "francois")."""
    return " ".join(_fold_words(text))


def _fold_words(text: str) -> list[str]:
    """The words of ``fold(text)``."""
    if text.isascii():
        if "." not in text:
            # Most names: the steps below for ASCII (lower-case, apostrophes dropped, &
            # as "and", other punctuation as spaces), as no dotted abbreviation needs the
            # letters lower-cased before the dots go; the characters by one table of
            # bytes, which ``bytes.translate`` reads directly where ``str.translate``
            # looks each character up in a dict.
            if "&" in text:
                text = text.replace("&", " and ")
            return text.encode().translate(_ASCII_FOLD, b"'`").decode().split()
        text = text.lower()
    else:
        # NFKC and casefold do to ASCII what lower does
        text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        if _SYLLABIC.search(text):
            text = _syllables(text)
        if "פ" in text:
            # Hebrew pe is p at the start of a word (dagesh lene), f after a vowel:
            # פוטין is Putin; anyascii reads every pe as f.
            text = _HEBREW_INITIAL_PE.sub("p", text)
        if _GREEK.search(text):
            # Modern Greek writes d and b as ντ and μπ (Βλαντίμιρ = Vladimir).
            text = text.replace("ντ", "d").replace("μπ", "b")
        # Belarusian ў is handled before the generic table so that the Belarusian -аў
        # ending reads as -au (ўладзімір → uladzimir).
        text = transliterate(text.replace("ў", "u")).lower()
    # ASCII from here: the apostrophes left are ' and ` (anyascii wrote the others so).
    text = text.replace("'", "").replace("`", "").replace("&", " and ")
    if "." in text:
        text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    return text.encode().translate(_NOT_WORD_BYTES).decode().split()


# Every ASCII character but a-z, 0-9 and the space becomes a space (_NON_WORD, by a table
# for ``bytes.translate``: ASCII text as bytes; the bytes from 128 are never met).
_NOT_WORD_BYTES = bytes(
    c if c >= 128 or re.match("[a-z0-9 ]", chr(c)) else ord(" ") for c in range(256)
)
# fold's steps for an ASCII name without dots (its ' and ` deleted by the call, its &
# replaced before): A-Z lower-cased, the rest as _NOT_WORD_BYTES.
_ASCII_FOLD = bytes(c + 32 if 65 <= c <= 90 else _NOT_WORD_BYTES[c] for c in range(256))


def _korean(words: list[str]) -> list[str]:
    """Revised Romanization towards the spellings lists use (Gim → Kim, I → Lee)."""
    if not words:
        return words
    out = [_KOREAN_SURNAMES.get(words[0], words[0])]
    for word in words[1:]:
        out.append(_KOREAN_INITIAL.get(word[0], word[0]) + word[1:] if word else word)
    return out


_SKELETON_DROP = _ascii_table(str.maketrans("", "", "aeiouyhwv"))


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Consonants only (h, w, v, y too: in abjads they are mostly vowel carriers)."""
    # Arabic has no p and renders v as f: Putin is بوتين (btyn), Vladimir فلاديمير.
    key = phonetic(token).replace("p", "b").replace("f", "v")
    return _undouble(key.translate(_SKELETON_DROP))


# East Slavic spelling variants, applied to a folded token before its phonetic key: the
# Latin renderings of one Cyrillic letter, and the Belarusian forms of Russian names.
_VARIANTS = (
    ("shch", "S"),
    ("sch", "S"),
    ("tch", "C"),
    ("dzh", "J"),
    ("dj", "J"),
    ("kh", "h"),
    ("zh", "J"),
    ("ch", "C"),
    ("sh", "S"),
    ("ts", "C"),
    ("tz", "C"),
    ("x", "ks"),
    ("w", "v"),
    ("ph", "f"),
    ("q", "k"),
    ("ck", "k"),
    ("c", "k"),  # a lone c is hard: Carl / Karl (ch, ts, tz were set aside above)
    ("g", "h"),  # Belarusian h for Russian g: Hryhoryavich / Grigoryevich
    ("dz", "d"),  # Belarusian dz for Russian d: Uladzimir / Vladimir
    ("j", "y"),  # Yuri / Juri, Yevgeny / Jevgenij
)


# phonetic's last table: upper-case letters (the placeholders S, C, J among them) to
# lower-case; the rest as they are (bytes.translate deletes the vowels and h first).
_KEY_BYTES = bytes(c + 32 if 65 <= c <= 90 else c for c in range(256))
_DOUBLES = re.compile(r"(.)\1+")
_DOUBLE = re.compile(r"(.)\1")


def _undouble(text: str) -> str:
    """One letter of each run of one letter ("grrr" → "gr"); the search first, as most keys
    have none and a substitution costs several times more. Each run is replaced by its
    group taken by ``operator.itemgetter`` rather than by the template "\\1", which ``re``
    expands in Python for every run."""
    return _DOUBLES.sub(_FIRST_GROUP, text) if _DOUBLE.search(text) else text


_FIRST_GROUP = operator.itemgetter(1)


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """A coarse key on which spellings of one name meet (Lukashenka / Lukashenko,
    Ivanou / Ivanov, Aliaksandr / Alexander): variants unified, vowels after the first
    letter dropped (Russian and Belarusian forms differ mostly in vowels)."""
    if token.isdigit():
        return token
    # The ends looked at letter by letter: str.startswith and endswith parse their
    # arguments at some cost, and every key is made once.
    length = len(token)
    if length > 3 and token[-1] == "u" and token[-2] in "ao":
        token = token[:-2] + "ov"  # Belarusian -аў / Russian -ов (-au, -ou)
    head = token[0]
    if head == "u" and length > 5 and token[1] == "l":
        token = "v" + token[1:]  # Uladzimir / Vladimir (Belarusian initial ў)
    elif head == "r" and length > 4 and token[1] == "y" and token[2] in "hg":
        token = "h" + token  # Ryhor / Hryhoryi / Grigory (Belarusian drops the initial h)
    # Each of _VARIANTS in order, replaced where found: the table written out, as a loop
    # over it costs more than the tests. A block of variants that all need one letter (h,
    # t, c) is skipped when the token lacks it: none of them can apply then, as none of
    # them writes that letter unless one of them has applied.
    if "h" in token:
        if "shch" in token:
            token = token.replace("shch", "S")
        if "sch" in token:
            token = token.replace("sch", "S")
        if "tch" in token:
            token = token.replace("tch", "C")
        if "dzh" in token:
            token = token.replace("dzh", "J")
    if "dj" in token:
        token = token.replace("dj", "J")
    if "h" in token:
        if "kh" in token:
            token = token.replace("kh", "h")
        if "zh" in token:
            token = token.replace("zh", "J")
        if "ch" in token:
            token = token.replace("ch", "C")
        if "sh" in token:
            token = token.replace("sh", "S")
    if "t" in token:
        if "ts" in token:
            token = token.replace("ts", "C")
        if "tz" in token:
            token = token.replace("tz", "C")
    if "x" in token:
        token = token.replace("x", "ks")
    if "w" in token:
        token = token.replace("w", "v")
    if "ph" in token:
        token = token.replace("ph", "f")
    if "q" in token:
        token = token.replace("q", "k")
    if "c" in token:
        if "ck" in token:
            token = token.replace("ck", "k")
        token = token.replace("c", "k")
    if "g" in token:
        token = token.replace("g", "h")
    if "dz" in token:
        token = token.replace("dz", "d")
    if "j" in token:
        token = token.replace("j", "y")
    # The placeholders (S, C, J) back to letters, the first letter kept (a vowel as "a"),
    # the other vowels and h dropped: by one table of bytes (tokens are ASCII, see
    # _fold_words), which lower-cases as ``lower`` does and deletes the vowels and h in
    # either case; a vowel or h first is deleted with the rest and written back.
    key = token.encode().translate(_KEY_BYTES, b"aeiouyhAEIOUYH").decode()
    head = token[0]
    if head in "aeiouyhAEIOUYH":
        key = ("h" if head in "hH" else "a") + key
    # _undouble(key), written out
    return _DOUBLES.sub(_FIRST_GROUP, key) if _DOUBLE.search(key) else key


# Phonetic skeletons for transcriptions. Korean, Japanese, Chinese, Burmese or Thai write a
# foreign name by its sounds in their own syllables, adding vowels where the syllables need
# them (Vladimir: 블라디미르 beulladimireu, ウラジーミル urajimiru, 弗拉基米尔 fulajimier),
# so no transliteration of it equals the Latin name. What survives is the order of the
# consonants, up to the distinctions those scripts do not make: voicing (pinyin b is p,
# Korean writes the Russian -ov as -peu), l and r, the coronals that the syllables
# palatalise before i (Putin: プーチン puchin, 普京 pujing). A skeleton keeps one letter per
# consonant class (p labial, t coronal, k velar, r liquid, m, n) and drops vowels, h, w, y.
_TRANSCRIBING = re.compile(
    "[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]"
)
# Word separators of transcribed names: spaces, the interpuncts of Chinese and Japanese
# (贝拉克·奥巴马, ウラジーミル・プーチン), the Japanese double hyphen, hyphens, commas.
_SOUND_WORDS = re.compile("[\\s\u00b7\u2027\u2022\u30fb\u30a0=,.\\-]+")
_SOUND_DIGRAPHS = (
    ("tch", "t"), ("dzh", "t"), ("sch", "t"), ("ch", "t"), ("sh", "t"), ("zh", "t"),
    ("ts", "t"), ("tz", "t"), ("dz", "t"), ("th", "t"), ("ph", "p"), ("kh", "k"),
    ("ck", "k"), ("gh", "k"), ("qu", "k"),
)  # fmt: skip
_SOUND_CLASSES = _ascii_table(
    str.maketrans("bfvpdsztjgkqlrmnaeiouyhwxc", "pppptttttkkkrrmn__________")
)
_SOUND_SOFT_C = re.compile(r"c(?=[eiy])")
_SOUND_FINAL_NG = re.compile(r"ng$")


@lru_cache(maxsize=200_000)
def sound_skeleton(word: str, pinyin: bool = False) -> str:
    """The consonant classes of a romanised word in order (Vladimir, beulladimireu and
    fulajimier → prtmr; Putin, puchin and pujing → ptn). ``pinyin``: the word is pinyin,
    whose x and q are palatal sibilants (Latin x is ks, q is k)."""
    word = _SOUND_FINAL_NG.sub("n", word)
    if pinyin:
        word = word.replace("x", "s").replace("q", "t").replace("c", "t")
    else:
        word = _SOUND_SOFT_C.sub("s", word.replace("x", "ks"))
    for old, new in _SOUND_DIGRAPHS:
        if old in word:
            word = word.replace(old, new)
    # One letter per run of one class (Korean ll, Japanese tt), but a vowel between two
    # consonants of one class keeps both (Potanin ptnn is not Putin ptn).
    classes = _undouble(word.replace("c", "k").translate(_SOUND_CLASSES))
    return classes.replace("_", "")


def sound_words(text: str) -> list[str]:
    """The written words of a name in a transcribing script that have a sound."""
    out: list[str] = []
    for word in _SOUND_WORDS.split(unicodedata.normalize("NFKC", text).casefold()):
        if word and _NON_WORD.sub("", transliterate(word).lower()).replace(" ", ""):
            out.append(word)
    return out


@lru_cache(maxsize=50_000)
def transcribed_sounds(text: str) -> tuple[str, ...]:
    """The sound skeleton of each written word of a name in a transcribing script."""
    return tuple(
        sound_skeleton(
            _NON_WORD.sub("", transliterate(word).lower()).replace(" ", ""),
            pinyin=_HAN.search(word) is not None,
        )
        for word in sound_words(text)
    )


_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[_T]) -> type[_T]:
    """A dataclass with slots, frozen to the type checker (mypy reports any assignment to
    a field) but not at run time: a frozen dataclass sets each field through
    ``object.__setattr__``, which makes building a name several times slower, and names
    are built for every new string screened. Its instances are shared by the caches: never
    assign to their fields."""
    return dataclass(slots=True, unsafe_hash=True)(cls)


@record
class Name:
    """A name ready to compare: its tokens, the weight of each, and its legal form."""

    original: str
    folded: str
    tokens: tuple[str, ...]
    keys: tuple[str, ...]  # phonetic key per token
    weights: tuple[float, ...]
    legal_form: str | None
    compact: str  # the tokens without spaces, for names written joined or split
    script: str  # latin | consonantal | hangul | cjk (see script_of)
    reading: str = ""  # of an alternate: which reading it is (see alternates)
    # A name in a script that writes foreign names as phonetic transcriptions (Hangul,
    # kana, Han, Burmese, Thai …): the sound skeleton of each of its written words
    # (블라디미르 푸틴 → prtmr, ptn), compared with the other side's only across scripts.
    sounds: tuple[str, ...] = ()
    # As parse_name was asked (an organisation's name or not): the alternates are parsed so.
    company: bool = field(default=False, compare=False, repr=False)
    # The alternates once asked for (None before): see ``alternates``.
    readings: tuple[Name, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def alternates(self) -> tuple[Name, ...]:
        """Han characters read other ways: the Japanese reading (山田太郎 → Yamada Tarou)
        and the Sino-Korean ones (金正恩 → 김정은 → Kim Jeong Eun), where the main tokens
        carry the Mandarin one (Jin Zheng En). Each alternate's ``reading`` says which.
        Made when first asked for, as most comparisons never ask (two Han names are
        compared on their own tokens), and pykakasi's Japanese reading costs tens of
        microseconds a name."""
        readings = self.readings
        if readings is None:
            readings = _alternates(self.original, self.company) if self.script == "cjk" else ()
            # The one field filled after the name is made (the same for every asker).
            object.__setattr__(self, "readings", readings)
        return readings


_FORM_FIRST_WORDS = frozenset(p.split()[0] for p in _FORM_PHRASES)


def _strip_form(words: list[str]) -> tuple[list[str], str | None]:
    """Remove the legal-form phrases (anywhere: "OAO Belaruskali", "Belaruskali OAO")."""
    if _FORM_FIRST_WORDS.isdisjoint(words):
        return words, None
    form: str | None = None
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] not in _FORM_FIRST_WORDS:  # no phrase starts here
            out.append(words[i])
            i += 1
            continue
        for size in range(min(_MAX_FORM_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            found = _FORM_OF.get(phrase)
            if found is not None and (size > 1 or len(words) > 1):
                form = form or found
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out, form


def _weights(words: list[str], company: bool) -> tuple[float, ...]:
    """The weight of each part: 0.3 for a particle or title, 0.4 for a generic word of a
    company's name, 0.5 for an initial, else 1 + length / 8 up to 2 (one loop for the
    name rather than a call for each part, nor a comprehension, a call of its own)."""
    light, generic, by_length = _LIGHT, GENERIC if company else frozenset(), _WEIGHT_BY_LENGTH
    out: list[float] = []
    for w in words:
        out.append(
            0.3 if w in light else 0.4 if w in generic else by_length[len(w)] if len(w) < 9 else 2.0
        )
    return tuple(out)


_LIGHT = PARTICLES | TITLES
# The weight of a part by its length: min(1 + length / 8, 2.0), but 0.5 for one letter
# (2.0 from 8 letters: the table goes on for parse_name, _weights reads up to 8).
_WEIGHT_BY_LENGTH = tuple(0.5 if n == 1 else min(1.0 + n / 8, 2.0) for n in range(64))
# Words that make parse_name do more than split: number words, the first words of legal
# forms, titles. A name with none of them (nor digits, nor Hangul) is its words as split.
_SPECIAL_WORDS = _NUMBER_WORDS | _FORM_FIRST_WORDS | TITLES
_SPECIAL_OR_LIGHT = _SPECIAL_WORDS | _LIGHT


@lru_cache(maxsize=500_000)
def parse_name(text: str, company: bool = False) -> Name:
    """Fold and tokenise a name; for organisations, recognise and set aside the legal form."""
    if text.isascii():
        script = "latin"
        if "." in text or "&" in text:
            words = _fold_words(text)
        else:
            # _fold_words' first step for most names, written out (a call costs more).
            words = text.encode().translate(_ASCII_FOLD, b"'`").decode().split()
    else:
        script = script_of(text)
        words = _fold_words(text)
    folded = " ".join(words)
    compact = "".join(words)
    # A digit in the name: folded names are of a-z and 0-9 only.
    digits = not compact.isalpha() and compact != ""
    form: str | None = None
    # Most names have no special word nor particle: one look for both.
    ordinary = _SPECIAL_OR_LIGHT.isdisjoint(words)
    if digits or (not ordinary and not _SPECIAL_WORDS.isdisjoint(words)) or script == "hangul":
        if digits or not _NUMBER_WORDS.isdisjoint(words):
            words = _numbers(words)
        if script == "hangul":
            words = _korean(words)
        if company or len(words) > 1:
            stripped, form = _strip_form(words)
            if form is not None and stripped:
                words = stripped
        if not TITLES.isdisjoint(words):
            words = [w for w in words if w not in TITLES] or words
        compact = "".join(words)
        ordinary = _SPECIAL_OR_LIGHT.isdisjoint(words)
    organisation = company or form is not None
    if not organisation and ordinary and len(compact) < len(_WEIGHT_BY_LENGTH):
        # A person's name without particles or titles: each part weighs by its length
        # (what _weights gives, in fewer steps; by a loop here, as a comprehension is a
        # call of its own).
        by_length: list[float] = []
        for word in words:
            by_length.append(_WEIGHT_BY_LENGTH[len(word)])
        weights = tuple(by_length)
    else:
        weights = _weights(words, organisation)
    sounds: tuple[str, ...] = ()
    if script != "latin" and _TRANSCRIBING.search(text):
        sounds = transcribed_sounds(text)
    # By position, every field in order: keywords would make the call build a dict.
    return Name(
        text,  # original
        folded,
        tuple(words),  # tokens
        tuple(map(phonetic, words)),  # keys
        weights,
        form,  # legal_form
        compact,
        script,
        "",  # reading
        sounds,
        company,
    )


def _alternates(text: str, company: bool) -> tuple[Name, ...]:
    """The other readings of a name in Han characters (``Name.alternates``)."""
    if not _HAN.search(text):
        return ()
    readings: list[Name] = []
    if (reading := japanese_reading(text)) is not None:
        readings.append(_as_reading(parse_name(reading, company), "japanese"))
    for hangul in korean_readings(text):
        readings.append(_as_reading(parse_name(hangul, company), "korean"))
    return tuple(readings)


def _as_reading(name: Name, reading: str) -> Name:
    return dataclasses.replace(name, reading=reading, readings=())


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


@lru_cache(maxsize=10_000)
def japanese_reading(text: str) -> str | None:
    """The Japanese (Hepburn) reading of a name written in kanji, by pykakasi; None when
    the text has no Han character. Han names are ambiguous between languages: the
    Mandarin reading (anyascii) and this one are both compared."""
    if not _HAN.search(text):
        return None
    reading = " ".join(part["hepburn"] for part in _kakasi().convert(text) if part["hepburn"])
    return reading or None


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=10_000)
def korean_readings(text: str) -> tuple[str, ...]:
    """The Sino-Korean (hanja) readings of a name written in Han characters, in Hangul,
    from libhangul's hanja dictionary (shipped by pyhanja): each character by its first
    reading there, and, where the first character (the family name) has other readings,
    the name with each of them (金 is 금 as a word and 김 as the family name Kim; 李 is 리
    or 이). Romanised afterwards like any Hangul (Gim → Kim, Jeong ~ Jong, Eun ~ Un).
    Character by character, as Korean names are read: pyhanja's word-level conversion
    costs some 45 ms a name, this a few microseconds. Empty without a Han character."""
    if not _HAN.search(text):
        return ()
    table = _hanja_syllables()
    whole = "".join(table.get(ch, (ch,))[0] for ch in text)
    readings = [whole]
    stripped = text.lstrip()
    if stripped and _HAN.match(stripped[0]):
        offset = len(text) - len(stripped)
        for surname in table.get(stripped[0], ())[1:]:
            readings.append(whole[:offset] + surname + whole[offset + 1 :])
    return tuple(dict.fromkeys(r for r in readings if r != text))


@lru_cache(maxsize=1)
def _hanja_syllables() -> dict[str, tuple[str, ...]]:
    """Every reading of each single Han character in pyhanja's dictionary file (lines
    ``reading:hanja:meaning``), in the dictionary's order (the first is the one pyhanja's
    own look-up gives)."""
    import warnings
    from importlib.resources import files

    out: dict[str, list[str]] = {}
    with warnings.catch_warnings():  # pyhanja finds its data by a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        data = files("pyhanja.data").joinpath("hanja.txt").read_text(encoding="utf-8")
    for line in data.splitlines():
        if line.startswith("#"):
            continue
        parts = line.split(":", 2)
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            out.setdefault(parts[1], []).append(parts[0])
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}
