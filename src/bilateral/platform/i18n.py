"""English and French strings of the platform and its applications, from gettext catalogs
(Babel), one domain each.

Translators work on ``<package>/locale/<domain>.pot`` and ``<package>/locale/fr/LC_MESSAGES/
<domain>.po`` (``msgctxt`` = key, ``msgid`` = English, ``msgstr`` = French); see
``platform/catalogs.py`` for the commands (``check``, ``fold``, ``add``). The shared domain
(``platform``) is loaded here; an application's is added by ``add_domain`` when the
application is installed.

``t(key, lang, **params)`` formats with ``str.format``; a missing key is a bug (tests check
that every key has both languages and that every key used in templates exists).
``CATALOG`` (key -> (English, French)) is what the catalogs hold; code may still add
entries to it at import (``CATALOG.update``), and ``catalogs fold`` moves such entries
into the .po files.
"""

from __future__ import annotations

from typing import Any

from bilateral.platform import catalogs

LANGS = ("en", "fr")

CATALOG: dict[str, tuple[str, str]] = catalogs.load(catalogs.SHARED)
_FR = catalogs.translations(catalogs.SHARED)
DOMAINS: list[catalogs.Domain] = [catalogs.SHARED]


def add_domain(dom: catalogs.Domain) -> None:
    """Add an application's catalog domain (its keys may not clash with loaded ones)."""
    if dom in DOMAINS:
        return
    entries = catalogs.load(dom)
    clash = sorted(k for k in entries if k in CATALOG and k.split(".")[0] != "role")
    if clash:
        raise ValueError(f"catalog domain {dom.name}: keys already defined: {clash[:5]}")
    CATALOG.update(entries)
    _FR.merge(catalogs.translations(dom))
    DOMAINS.append(dom)


# parameters that are codes: shown by their label in the reader's language, mid-sentence
_CODED = {"status": "status.", "outcome": "outcome.", "action": "action."}


def t(key: str, lang: str = "en", **params: Any) -> str:
    en, fr = CATALOG[key]
    text = str(_FR.pgettext(key, en)) if lang == "fr" else en
    if lang == "fr" and text == en:
        text = fr  # an entry added in code (CATALOG.update), not yet in the catalogs
    for name, prefix in _CODED.items():
        code = params.get(name)
        if isinstance(code, str) and prefix + code in CATALOG:
            label = t(prefix + code, lang)
            params[name] = label[:1].lower() + label[1:]
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def pick(lang: str | None) -> str:
    return lang if lang in LANGS else "en"
