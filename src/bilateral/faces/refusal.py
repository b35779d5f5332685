"""The engine's refusal of a question (``BadInput``) said in the reader's language.

The engine says its problems in English (``BadInput.problem``: the command line's and the
logs' sentence) and gives a stable ``code`` with the sentence's ``params``; the French
sentence is the shared gettext catalog's entry of that code (``engine.*`` in
``platform/locale``). Dates are written as the French answers write them (``1er juin
2016``), HS editions as the French nomenclature names them (``SH2012``). Imported only
when a question is refused, so an answer pays nothing for the catalogs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Iterator
from typing import Any

from bilateral.errors import BadInput


def has_text(error: BadInput) -> bool:
    """Whether the catalogs say this refusal in French (an engine refusal with a code)."""
    from bilateral.platform import i18n

    return bool(error.code) and str(error.code) in i18n.CATALOG


def _fr(value: Any) -> Any:
    from bilateral.faces import verdict

    if isinstance(value, dt.date):
        return verdict.long_date(value, "fr")
    if isinstance(value, str) and value.startswith("HS20"):
        return "SH" + value[2:]
    return value


def problem(error: BadInput, lang: str) -> str:
    """The problem alone, without the field (``pays inconnu « XX » (…)``)."""
    if lang != "fr" or not has_text(error):
        return error.problem
    from bilateral.platform import i18n

    params = {k: _fr(v) for k, v in error.params.items() if k != "line"}
    text = i18n.t(str(error.code), "fr", **params)
    if "line" in error.params:
        text = i18n.t("engine.line", "fr", line=error.params["line"], problem=text)
    return text


def said(error: BadInput, lang: str) -> str:
    """One line naming the field as the user gave it, in the reader's language
    (``to : pays inconnu « XX » (utilisez un code ISO ou un nom)``)."""
    if lang != "fr" or not has_text(error):
        return str(error)
    return f"{error.field} : {problem(error, lang)}"


# --- problems said in English only: the catalog's English template, matched -------------
#
# The screening says the reason a row was not screened in English inside its data (SQL in
# DuckDB, Arrow columns) and some refusals without a code; each such sentence is a
# catalog message (``screen.*``, ``engine.*``) whose English text it follows word for word,
# so the French reader's sentence is the catalog's French with the same values.

_PROBLEM_KEYS = ("engine.", "screen.")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIELD = re.compile(r"([a-z_][\w-]*): ")


@functools.cache
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    from bilateral.platform import i18n

    out = []
    for key, (en, _fr_text) in i18n.CATALOG.items():
        if not key.startswith(_PROBLEM_KEYS) or key == "engine.line":
            continue
        pattern, seen = "", set()
        for position, piece in enumerate(re.split(r"\{(\w+)\}", en)):
            if position % 2 == 0:
                pattern += re.escape(piece)
            elif piece in seen:
                pattern += f"(?P={piece})"
            else:
                seen.add(piece)
                pattern += f"(?P<{piece}>.+?)"
        out.append((re.compile(pattern, re.DOTALL), key))
    # the longest templates first: "unknown country '{value}' (use …)" before its prefix
    return tuple(sorted(out, key=lambda found: -len(found[0].pattern)))


def french(text: str) -> str | None:
    """The French of an English problem that a catalog message says (None if none does):
    dates as French prose writes them, HS editions as the French nomenclature."""
    from bilateral.platform import i18n

    for pattern, key in _templates():
        found = pattern.fullmatch(text)
        if found is None:
            continue
        params: dict[str, Any] = {}
        for name, value in found.groupdict().items():
            if _ISO_DAY.fullmatch(value):
                try:
                    params[name] = _fr(dt.date.fromisoformat(value))
                    continue
                except ValueError:
                    pass
            said = french(value) if name in ("why", "reason") else None
            params[name] = said if said is not None else _fr(value)
        return i18n.t(key, "fr", **params)
    return None


def reason(text: str, lang: str) -> str:
    """A row's reason (``field: problem``) in the reader's language; English if the
    catalogs do not say it."""
    if lang != "fr" or not text:
        return text
    field = _FIELD.match(text)
    if field is not None:
        said = french(text[field.end() :])
        if said is not None:
            return f"{field[1]} : {said}"
    whole = french(text)
    return whole if whole is not None else text


def in_french(error: BadInput) -> str | None:
    """The one-line refusal in French (field named as given), or None if no catalog
    message says it."""
    if has_text(error):
        return said(error, "fr")
    text = french(error.problem)
    return None if text is None else f"{error.field} : {text}"


# --- argparse's own messages (usage, "error:", invalid choice …) in French ----------------

_ARGPARSE: dict[str, str] | None = None  # English msgid -> French, while parsing in French


def argparse_text(message: str) -> str:
    """argparse's gettext: the French of its message while a French command is parsed."""
    return _ARGPARSE.get(message, message) if _ARGPARSE is not None else message


def _argparse_plural(singular: str, plural: str, count: int) -> str:
    return argparse_text(singular if count == 1 else plural)


@contextlib.contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """Parse the command line with argparse's messages in ``lang`` (its ``argparse.*``
    catalog entries: argparse looks its messages up through gettext, by their English)."""
    global _ARGPARSE
    if lang != "fr":
        yield
        return
    import argparse

    from bilateral.platform import i18n

    words = {
        en: i18n.t(key, "fr")
        for key, (en, _f) in i18n.CATALOG.items()
        if key.startswith("argparse.")
    }
    module: Any = argparse
    before = (module._, module.ngettext)
    _ARGPARSE = words
    module._, module.ngettext = argparse_text, _argparse_plural
    try:
        yield
    finally:
        module._, module.ngettext = before
        _ARGPARSE = None
