"""The checked law bundle, compiled once and cached per law data and code version.

Loading the law means parsing some forty YAML files, validating every rule and checking
every HS code against three nomenclatures: tens of milliseconds even with libyaml, most of
a command-line answer's time. The result depends only on the bytes of the law data, the
HS tables and the code that reads them, so it is pickled once into the user's cache
directory (``$XDG_CACHE_HOME/bilateral`` or ``~/.cache/bilateral``) under a key that is a
hash of all of those. Any change to a data file, to the loader or model code, or to the
Python, pydantic or ISO country data in use gives a new key and a fresh, fully checked
load, so a cached bundle is never stale. Where the directory cannot be written (or is not
private to the user), the law is loaded without a cache; nothing else changes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import re
import stat
import sys
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bilateral.law.loader import LawBundle, Source

# The loader (pydantic and the law's models) is imported only to load: the key, and values
# stored under it, are read without it (a warm ``bilateral batch`` never needs the models).

_KEEP = 4  # cached law versions kept side by side
# Bump when the layout of the cached object changes.
_FORMAT = b"bilateral-law-cache/2"
_PACKAGE = Path(__file__).resolve().parents[1]  # src/bilateral
# Code whose behaviour shapes the loaded bundle (the loader and what it calls).
_CODE = ("law/*.py", "countries.py", "errors.py", "goods/hs.py")


@dataclass(frozen=True)
class _Cached:
    key: str
    bundle: LawBundle
    # Built from the same HS tables, ISO data and code as the bundle (all in the key), and
    # handed to their modules so that a cached start reads neither the CSVs nor pycountry.
    hs_editions: Any
    country_table: Any


def cache_dir() -> Path | None:
    """The user's cache directory for bilateral, or None when caching is switched off."""
    if os.environ.get("BILATERAL_LAW_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bilateral"


def load(root: Source | None = None) -> LawBundle:
    """``bilateral.law.loader.load``: the law read from its files and fully checked."""
    from bilateral.law.loader import load as load_files

    return load_files(root)


def _walk(node: Source, prefix: str) -> list[tuple[str, Source]]:
    found: list[tuple[str, Source]] = []
    for entry in node.iterdir():
        name = f"{prefix}/{entry.name}"
        if entry.is_dir():
            found.extend(_walk(entry, name))
        elif not entry.name.startswith("."):
            found.append((name, entry))
    return found


def _data_root(root: Source | None) -> Source:
    return root if root is not None else resources.files("bilateral.law").joinpath("data")


def cache_key(root: Source | None = None) -> str:
    """A hash of everything the loaded bundle depends on (data bytes, code, versions).

    Hashing the bytes reads some 3 MB at every start; so, as Python does for its bytecode
    and git for its index, the key is also remembered under the files' status (size,
    modification and change times to the nanosecond, inode): while no file's status
    changes, the remembered key is used. Any write changes a file's change time, which no
    program can set back. A file changed in the last seconds is hashed every time (a second
    write within the clock's resolution would leave its status as it was; git's "racy"
    case), so a remembered key is never stale."""
    goods: Traversable = resources.files("bilateral.goods").joinpath("data")
    files = _walk(_data_root(root), "law") + _walk(goods, "goods")
    for pattern in _CODE:
        files.extend((f"code/{p.name}", p) for p in sorted(_PACKAGE.glob(pattern)))
    files.sort(key=lambda item: item[0])
    status = _status(files)
    if status is not None:
        known = load_value("law-key", status[0])
        if isinstance(known, str):
            return known
    key = _content_key(files)
    if status is not None and status[1]:
        store_value("law-key", status[0], key)
    return key


_SETTLED_S = 3.0  # a file changed longer ago than this is not changing under us


def _status(files: list[tuple[str, Source]]) -> tuple[str, bool] | None:
    """(a text naming every file's status and the versions in use, whether every file has
    been still for a few seconds); None where a file is not on disk (a zip import)."""
    import time

    base = Path(_pycountry_dir())
    parts = [_FORMAT.decode(), sys.version, _pydantic_version(), str(base)]
    iso = [(name, base / name) for name in _PYCOUNTRY_FILES]
    newest = 0
    for name, entry in [*files, *iso]:
        if not isinstance(entry, Path):
            return None
        try:
            st = entry.stat()
        except OSError:
            if (name, entry) in iso:  # no ISO file: hashed as "?" (see _content_key)
                parts.append(f"{name}:?")
                continue
            return None
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}")
    settled = newest < time.time_ns() - int(_SETTLED_S * 1e9)
    return "\n".join(parts), settled


_PYCOUNTRY_FILES = ("databases/iso3166-1.json", "locales/fr/LC_MESSAGES/iso3166-1.mo")


def _pycountry_dir() -> str:
    spec = importlib.util.find_spec("pycountry")
    if spec is None or spec.origin is None:
        return "?"
    return str(Path(spec.origin).parent)


def _content_key(files: list[tuple[str, Source]]) -> str:
    """The hash of the files' bytes and of the versions of Python, pydantic and ISO data."""
    digest = hashlib.sha256(_FORMAT)
    for name, entry in files:
        data = entry.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    digest.update(f"{sys.version}\0{_pydantic_version()}\0".encode())
    base = Path(_pycountry_dir())
    for iso in _PYCOUNTRY_FILES:
        digest.update((base / iso).read_bytes() if (base / iso).is_file() else b"?")
    return digest.hexdigest()


def _pydantic_version() -> str:
    """pydantic's version, read from its file without importing it (a tenth of a second:
    a warm ``bilateral batch`` needs the key, not pydantic). pydantic pins its core."""
    spec = importlib.util.find_spec("pydantic")
    origin = spec.origin if spec is not None else None
    if origin is None:
        return "?"
    text = (Path(origin).parent / "version.py").read_text(encoding="utf-8")
    found = re.search(r"^VERSION\s*=\s*['\"]([^'\"]+)['\"]", text, re.MULTILINE)
    return found.group(1) if found else "?"


def _private_dir(folder: Path) -> bool:
    """Only a directory of our own that nobody else may write is trusted with pickles."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path, key: str) -> _Cached | None:
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
    except Exception:  # missing, truncated, or written by other code: rebuild it
        return None
    if isinstance(cached, _Cached) and cached.key == key:
        return cached
    return None


def _write(folder: Path, path: Path, cached: _Cached) -> None:
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".law-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(cached, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # atomic: a reader sees the old file or the new one
    except OSError:
        return
    # Keep the few most recent law versions (switching branches, upgrading), drop the rest.
    found = []
    for old in folder.glob("law-*.pickle"):
        try:
            found.append((old.stat().st_mtime, old))
        except OSError:
            continue
    for _, old in sorted(found, reverse=True)[_KEEP:]:
        if old != path:
            old.unlink(missing_ok=True)


def load_cached(root: Source | None = None, *, folder: Path | None = None) -> LawBundle:
    """The checked law bundle: from the cache when its key matches, else ``load`` (and cache).

    ``folder`` overrides the cache directory (tests); by default it is ``cache_dir()``.
    """
    from bilateral import countries
    from bilateral.goods import hs

    where = folder if folder is not None else cache_dir()
    if where is None or not _private_dir(where):
        return load(root)
    key = cache_key(root)
    path = where / f"law-{key[:32]}.pickle"
    cached = _read(path, key)
    if cached is not None:
        hs.use_editions(cached.hs_editions)
        countries.use_table(cached.country_table)
        return cached.bundle
    bundle = load(root)
    _write(where, path, _Cached(key, bundle, hs.editions(), countries._table()))
    return bundle


def cached_path(root: Source | None = None, *, folder: Path | None = None) -> Path | None:
    """Where the bundle for ``root`` is (or would be) cached; None without a cache."""
    where = folder if folder is not None else cache_dir()
    if where is None:
        return None
    return where / f"law-{cache_key(root)[:32]}.pickle"


def code_hash(*patterns: str) -> str:
    """A hash of the package's source files matching ``patterns`` (relative to it)."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(_PACKAGE.glob(pattern)):
            data = path.read_bytes()
            digest.update(f"{path.relative_to(_PACKAGE)}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def load_value(name: str, key: str) -> Any:
    """A value stored by ``store_value`` under the same name and key, or None."""
    where = cache_dir()
    if where is None or not _private_dir(where):
        return None
    path = where / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.pickle"
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
    except Exception:  # missing or unreadable: the caller works it out again
        return None
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
        return stored[1]
    return None


def store_value(name: str, key: str, value: Any) -> None:
    """Keep a value derived from the law (and code) named by ``key`` for the next process."""
    where = cache_dir()
    if where is None or not _private_dir(where):
        return
    path = where / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.pickle"
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(dir=where, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump((key, value), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        return
    found = []
    for old in where.glob(f"{name}-*.pickle"):
        try:
            found.append((old.stat().st_mtime, old))
        except OSError:
            continue
    for _, old in sorted(found, reverse=True)[_KEEP:]:
        if old != path:
            old.unlink(missing_ok=True)
