"""The office's gettext catalogs (Babel): where translators work, and the tools for them.

Files (``src/bilateral/office/locale/``):

* ``messages.pot`` — every message: ``msgctxt`` is its key (``err.not_draft``), ``msgid``
  the English text.
* ``fr/LC_MESSAGES/messages.po`` — the French translation of each (``msgstr``).

The office reads them at start (``i18n.t(key, lang, **params)``, used by Python code and
by every template as ``t("key")``) through ``babel.support.Translations`` (``pgettext``).

Commands (``python -m bilateral.office.catalogs …``):

* ``check`` — every message has both languages and the same ``{placeholders}``; exit 1
  and name the first faulty key otherwise.
* ``fold FILE.py [FILE.py …]`` — add to the catalogs the keys of a Python file holding a
  ``CATALOG = {key: (english, french)}`` dict (the office's old format). To fold a branch
  that added keys to the old dict: ``git show BRANCH:src/bilateral/office/i18n.py >
  /tmp/i18n_branch.py && python -m bilateral.office.catalogs fold /tmp/i18n_branch.py``.
  Keys already present keep their text unless ``--replace``.
* ``add KEY ENGLISH FRENCH`` — one new message.
* ``dict`` — print the catalogs as the old Python dict (for review or diff).
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
POT = LOCALE_DIR / "messages.pot"
FR_PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"

Entries = dict[str, tuple[str, str]]


def load() -> Entries:
    """key -> (English, French) from the catalogs."""
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


def translations() -> Translations:
    """The French catalog as gettext ``Translations`` (compiled in memory, no .mo in git)."""
    with FR_PO.open("rb") as f:
        cat = read_po(f, locale="fr")
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    return Translations(fp=buf, domain="messages")


def save(entries: Entries) -> None:
    """Write both catalogs from key -> (English, French), sorted by key (stable diffs)."""
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # fixed: regenerating changes no header
    meta = {"project": "bilateral permit office", "version": "1", "fuzzy": False}
    pot = Catalog(creation_date=stamp, revision_date=stamp, **meta)  # type: ignore[arg-type]
    fr = Catalog(locale="fr", creation_date=stamp, revision_date=stamp, **meta)  # type: ignore[arg-type]
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


def problems(entries: Entries) -> list[str]:
    out = []
    for key, (en, fr) in entries.items():
        if not en.strip() or not fr.strip():
            out.append(f"{key}: missing {'English' if not en.strip() else 'French'}")
        elif set(re.findall(r"{(\w+)}", en)) != set(re.findall(r"{(\w+)}", fr)):
            out.append(f"{key}: placeholders differ between English and French")
    return out


def dict_from_file(path: Path) -> Entries:
    """The ``CATALOG`` dict (and ``CATALOG.update({...})`` calls) of a Python file, read
    without running it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: Entries = {}

    def take(node: ast.expr) -> None:
        if isinstance(node, ast.Dict):
            value = ast.literal_eval(node)
            for k, v in value.items():
                out[str(k)] = (str(v[0]), str(v[1]))

    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            named = any(isinstance(t, ast.Name) and t.id == "CATALOG" for t in targets)
            if named and node.value is not None:
                take(node.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "CATALOG"
        ):
            for arg in node.args:
                take(arg)
    return out


def fold(files: Iterable[Path], replace: bool = False) -> list[str]:
    entries = load()
    added = []
    for path in files:
        for key, pair in dict_from_file(path).items():
            if key not in entries or (replace and entries[key] != pair):
                entries[key] = pair
                added.append(key)
    save(entries)
    return added


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("check", "fold", "add", "dict"):
        print(__doc__)
        return 2
    cmd, rest = args[0], args[1:]
    if cmd == "check":
        bad = problems(load())
        for b in bad:
            print(b)
        return 1 if bad else 0
    if cmd == "fold":
        replace = "--replace" in rest
        added = fold([Path(p) for p in rest if p != "--replace"], replace=replace)
        print(f"{len(added)} message(s) added or replaced: {', '.join(added) or 'none'}")
        return 0
    if cmd == "add":
        if len(rest) != 3:
            print("usage: add KEY ENGLISH FRENCH")
            return 2
        entries = load()
        entries[rest[0]] = (rest[1], rest[2])
        save(entries)
        return 0
    for key, (en, fr) in sorted(load().items()):
        print(f"    {key!r}: ({en!r}, {fr!r}),")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
