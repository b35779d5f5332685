"""Numbers, money and dates as English and French readers write them (Babel, Canadian
locales). Money carries the ISO code (CAD): applicants outside Canada read "$" as US dollars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from bilateral.law.model import Bilingual

Lang = Literal["en", "fr"]
LOCALES: dict[str, str] = {"en": "en_CA", "fr": "fr_CA"}
_MONEY_PATTERN = {"en": "¤¤\u00a0#,##0.00", "fr": "#,##0.00\u00a0¤¤"}


def money(amount: Decimal, lang: str) -> str:
    """``CAD 120,000.00`` / ``120 000,00 CAD``."""
    return format_currency(
        amount, "CAD", format=_MONEY_PATTERN[lang], locale=LOCALES[lang], currency_digits=False
    )


def percent(value: Decimal, lang: str) -> str:
    """A percentage given as a number of percent: ``22.5%`` / ``22,5 %``."""
    return format_percent(value / 100, locale=LOCALES[lang], decimal_quantization=False)


def number(value: Decimal, lang: str) -> str:
    """``87.5`` / ``87,5``."""
    return format_decimal(value, locale=LOCALES[lang], decimal_quantization=False)


def day(date: dt.date, lang: str) -> str:
    """``February 28, 2027`` / ``28 février 2027`` (and ``1er juillet 2026``)."""
    written = format_date(date, "long", locale=LOCALES[lang])
    if lang == "fr" and date.day == 1:  # French writes the first of the month as an ordinal
        written = "1er" + written[1:]
    return written


def language_code(code: str) -> str:
    """An ISO 639 language code Babel knows (``ru``, ``be``, ``pl``…), or ValueError."""
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown language code {code!r} (ISO 639, e.g. en, fr, ru, be)") from None
    return code


def language(code: str, lang: str) -> str:
    """The name of a language in the reader's language: ``Belarusian`` / ``biélorusse``."""
    return Locale.parse(code).get_language_name(LOCALES[lang]) or code


def text(label: Bilingual, lang: str) -> str:
    return label.fr if lang == "fr" else label.en


def listing(items: list[str], lang: str) -> str:
    """``a, b and c`` / ``a, b et c``."""
    if len(items) <= 1:
        return "".join(items)
    last = " et " if lang == "fr" else " and "
    return ", ".join(items[:-1]) + last + items[-1]
