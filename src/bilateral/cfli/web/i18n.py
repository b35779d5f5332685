"""The CFLI message catalog: gettext domain ``cfli`` (``cfli/locale/cfli.pot`` and
``cfli/locale/fr/LC_MESSAGES/cfli.po``), one of the platform's catalog domains.

The platform loads it when the CFLI application is installed (its descriptor names the
domain); it is managed with the platform's Babel tool, like every domain:

    python -m bilateral.platform.catalogs check                      # every domain, EN and FR
    python -m bilateral.platform.catalogs add --domain cfli KEY EN FR
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bilateral.cfli.web.shared import catalogs, i18n

LOCALE_DIR = Path(__file__).parents[1] / "locale"
DOMAIN = catalogs.Domain("cfli", LOCALE_DIR)


def install() -> None:
    """Add the CFLI messages to the platform's ``t`` (done by installing the application;
    idempotent)."""
    i18n.add_domain(DOMAIN)


def t(key: str, lang: str = "en", **params: Any) -> str:
    install()
    return i18n.t(key, lang, **params)
