"""The CFLI message catalog (gettext domain ``cfli``), read with Babel.

Files: ``cfli/locale/cfli.pot`` (``msgctxt`` = key, ``msgid`` = English) and
``cfli/locale/fr/LC_MESSAGES/cfli.po`` (French ``msgstr``), in the same layout as the
platform's catalog. ``install()`` adds them to the platform's ``t(key, lang)`` (every key
starts with ``cfli.`` or ``err.cfli_``). Commands, as for the platform's catalog:

    python -m bilateral.cfli.web.i18n check          # every key in both languages
    python -m bilateral.cfli.web.i18n add KEY EN FR  # one new message
    python -m bilateral.cfli.web.i18n fold FILE.py   # keys of a CATALOG dict in a file
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bilateral.cfli.web.shared import catalogs, i18n

DOMAIN = "cfli"
LOCALE_DIR = Path(__file__).parents[1] / "locale"
POT = LOCALE_DIR / f"{DOMAIN}.pot"
FR_PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po"

Entries = dict[str, tuple[str, str]]


def load() -> Entries:
    if not POT.exists():
        return {}
    with POT.open("rb") as f:
        pot = read_po(f)
    with FR_PO.open("rb") as f:
        fr = read_po(f, locale="fr")
    out: Entries = {}
    for m in pot:
        if not m.id or not m.context:
            continue
        tr = fr.get(m.id, context=m.context)
        out[m.context] = (str(m.id), str(tr.string) if tr is not None and tr.string else "")
    return out


def save(entries: Entries) -> None:
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    meta: dict[str, Any] = {"project": "bilateral CFLI", "version": "1", "fuzzy": False}
    pot = Catalog(creation_date=stamp, revision_date=stamp, **meta)
    fr = Catalog(locale="fr", creation_date=stamp, revision_date=stamp, **meta)
    for key in sorted(entries):
        en, fr_text = entries[key]
        flags = ["python-brace-format"] if re.search(r"{\w+}", en) else []
        pot.add(en, context=key, flags=flags)
        fr.add(en, fr_text, context=key, flags=flags)
    FR_PO.parent.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as f:
        write_po(f, pot, width=100, omit_header=False, sort_output=False)
    with FR_PO.open("wb") as f:
        write_po(f, fr, width=100, omit_header=False, sort_output=False)


CATALOG: Entries = load()


def install() -> None:
    """Add the CFLI messages to the platform's catalog (``t`` falls back to them)."""
    i18n.CATALOG.update(CATALOG)


def t(key: str, lang: str = "en", **params: Any) -> str:
    install()
    return i18n.t(key, lang, **params)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("check", "add", "fold"):
        print(__doc__)
        return 2
    cmd, rest = args[0], args[1:]
    entries = load()
    if cmd == "check":
        bad = catalogs.problems(entries)
        for b in bad:
            print(b)
        return 1 if bad else 0
    if cmd == "add":
        if len(rest) != 3:
            print("usage: add KEY ENGLISH FRENCH")
            return 2
        entries[rest[0]] = (rest[1], rest[2])
    else:
        replace = "--replace" in rest
        for path in (Path(p) for p in rest if p != "--replace"):
            for key, pair in catalogs.dict_from_file(path).items():
                if key not in entries or replace:
                    entries[key] = pair
    save(entries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
