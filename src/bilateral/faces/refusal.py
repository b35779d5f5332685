"""The engine's refusal of a question (``BadInput``) said in the reader's language.

The engine says its problems in English (``BadInput.problem``: the command line's and the
logs' sentence) and gives a stable ``code`` with the sentence's ``params``; the French
sentence is the shared gettext catalog's entry of that code (``engine.*`` in
``platform/locale``). Dates are written as the French answers write them (``1er juin
2016``), HS editions as the French nomenclature names them (``SH2012``). Imported only
when a question is refused, so an answer pays nothing for the catalogs.
"""

from __future__ import annotations

import datetime as dt
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
