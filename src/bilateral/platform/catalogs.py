"""The gettext catalogs (Babel): where translators work, and the tools for them.

One catalog domain per application plus the shared one (``platform``). A domain ``D`` of
package ``bilateral.X`` lives in ``src/bilateral/X/locale/``:

* ``D.pot`` — every message: ``msgctxt`` is its key (``err.not_draft``), ``msgid`` the
  English text.
* ``fr/LC_MESSAGES/D.po`` — the French translation of each (``msgstr``).

Keys are unique across domains. The platform reads them at start (``i18n.t(key, lang,
**params)``, used by Python code and by every template as ``t("key")``) through
``babel.support.Translations`` (``pgettext``); an application's domain is added when the
application is installed (``bilateral.platform.application.install``).

Commands (``python -m bilateral.platform.catalogs …``; every domain found under
``src/bilateral/*/locale/`` unless ``--domain NAME``):

* ``check`` — every message of every domain has both languages and the same
  ``{placeholders}``, and no key is in two domains; exit 1 and name the first faulty key.
* ``fold --domain NAME FILE.py [FILE.py …]`` — add to a domain the keys of a Python file
  holding a ``CATALOG = {key: (english, french)}`` dict (the office's old format). To fold a
  branch that added keys to the old dict: ``git show BRANCH:src/bilateral/office/i18n.py >
  /tmp/i18n_branch.py && python -m bilateral.platform.catalogs fold --domain office
  /tmp/i18n_branch.py``. Keys already present keep their text unless ``--replace``.
* ``add --domain NAME KEY ENGLISH FRENCH`` — one new message.
* ``dict`` — print the catalogs as the old Python dict (for review or diff).
* ``domains`` — list the domains and their number of messages.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

PACKAGE_DIR = Path(__file__).parents[1]  # src/bilateral
LOCALE_DIR = Path(__file__).parent / "locale"
PLATFORM = "platform"

Entries = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class Domain:
    """One catalog domain: ``<locale_dir>/<name>.pot`` and ``fr/LC_MESSAGES/<name>.po``."""

    name: str
    locale_dir: Path

    @property
    def pot(self) -> Path:
        return self.locale_dir / f"{self.name}.pot"

    @property
    def fr_po(self) -> Path:
        return self.locale_dir / "fr" / "LC_MESSAGES" / f"{self.name}.po"


SHARED = Domain(PLATFORM, LOCALE_DIR)


def discover(root: Path = PACKAGE_DIR) -> list[Domain]:
    """Every domain on disk: ``<root>/*/locale/*.pot``, the platform's first."""
    found = [Domain(p.stem, p.parent) for p in sorted(root.glob("*/locale/*.pot"))]
    return sorted(found, key=lambda d: (d.name != PLATFORM, d.name))


def domain(name: str, root: Path = PACKAGE_DIR) -> Domain:
    for d in discover(root):
        if d.name == name:
            return d
    raise KeyError(f"no catalog domain {name!r} under {root}/*/locale/")


def load(dom: Domain | Iterable[Domain] | None = None) -> Entries:
    """key -> (English, French) from one domain, several, or (None) every domain on disk."""
    doms = discover() if dom is None else [dom] if isinstance(dom, Domain) else list(dom)
    out: Entries = {}
    for d in doms:
        with d.pot.open("rb") as f:
            pot = read_po(f)
        with d.fr_po.open("rb") as f:
            fr = read_po(f, locale="fr")
        for m in pot:
            if not m.id or not m.context:
                continue
            tr = fr.get(m.id, context=m.context)
            out[m.context] = (str(m.id), str(tr.string) if tr is not None and tr.string else "")
    return out


def translations(dom: Domain = SHARED) -> Translations:
    """A domain's French catalog as gettext ``Translations`` (compiled in memory, no .mo
    in git)."""
    with dom.fr_po.open("rb") as f:
        cat = read_po(f, locale="fr")
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    return Translations(fp=buf, domain=dom.name)


def save(entries: Entries, dom: Domain = SHARED) -> None:
    """Write a domain's two catalogs from key -> (English, French), sorted by key."""
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # fixed: regenerating changes no header
    meta = {"project": f"bilateral {dom.name}", "version": "1", "fuzzy": False}
    pot = Catalog(creation_date=stamp, revision_date=stamp, **meta)  # type: ignore[arg-type]
    fr = Catalog(locale="fr", creation_date=stamp, revision_date=stamp, **meta)  # type: ignore[arg-type]
    for key in sorted(entries):
        en, fr_text = entries[key]
        flags = ["python-brace-format"] if re.search(r"{\w+}", en) else []
        pot.add(en, context=key, flags=flags)
        fr.add(en, fr_text, context=key, flags=flags)
    dom.fr_po.parent.mkdir(parents=True, exist_ok=True)
    with dom.pot.open("wb") as f:
        write_po(f, pot, width=100, omit_header=False, sort_output=False)
    with dom.fr_po.open("wb") as f:
        write_po(f, fr, width=100, omit_header=False, sort_output=False)


def duplicates(doms: Iterable[Domain]) -> list[str]:
    """Keys defined in more than one domain."""
    seen: dict[str, str] = {}
    out = []
    for d in doms:
        for key in load(d):
            if key in seen:
                out.append(f"{key}: in both {seen[key]} and {d.name}")
            seen.setdefault(key, d.name)
    return out


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


def fold(files: Iterable[Path], replace: bool = False, dom: Domain = SHARED) -> list[str]:
    entries = load(dom)
    others = load([d for d in discover(dom.locale_dir.parents[1]) if d != dom])
    added = []
    for path in files:
        for key, pair in dict_from_file(path).items():
            if key in others:
                continue  # another domain owns it
            if key not in entries or (replace and entries[key] != pair):
                entries[key] = pair
                added.append(key)
    save(entries, dom)
    return added


def _take_domain(rest: list[str]) -> tuple[Domain | None, list[str]]:
    if "--domain" not in rest:
        return None, rest
    i = rest.index("--domain")
    if i + 1 >= len(rest):
        raise SystemExit("--domain needs a name")
    return domain(rest[i + 1]), rest[:i] + rest[i + 2 :]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("check", "fold", "add", "dict", "domains"):
        print(__doc__)
        return 2
    cmd = args[0]
    dom, rest = _take_domain(args[1:])
    doms = [dom] if dom else discover()
    if cmd == "check":
        bad = duplicates(doms)
        for d in doms:
            bad += [f"{d.name}: {b}" for b in problems(load(d))]
        for b in bad:
            print(b)
        return 1 if bad else 0
    if cmd == "domains":
        for d in doms:
            print(f"{d.name}\t{len(load(d))}\t{d.pot}")
        return 0
    if cmd in ("fold", "add") and dom is None:
        print(f"usage: {cmd} --domain NAME … (domains: {', '.join(d.name for d in doms)})")
        return 2
    assert dom is not None or cmd == "dict"
    if cmd == "fold" and dom is not None:
        replace = "--replace" in rest
        added = fold([Path(p) for p in rest if p != "--replace"], replace=replace, dom=dom)
        print(f"{len(added)} message(s) added or replaced: {', '.join(added) or 'none'}")
        return 0
    if cmd == "add" and dom is not None:
        if len(rest) != 3:
            print("usage: add --domain NAME KEY ENGLISH FRENCH")
            return 2
        if rest[0] in load([d for d in discover() if d != dom]):
            print(f"{rest[0]}: already in another domain")
            return 1
        entries = load(dom)
        entries[rest[0]] = (rest[1], rest[2])
        save(entries, dom)
        return 0
    for key, (en, fr) in sorted(load(doms).items()):
        print(f"    {key!r}: ({en!r}, {fr!r}),")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
