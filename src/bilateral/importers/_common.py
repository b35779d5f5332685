"""Helpers shared by the importers: locating sources, writing files deterministically.

The package never reads the shared research folder at run time; the importers are the only
code that does, and they write everything they need into the package with provenance.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

# The package directory (src/bilateral) and the repository root above src/.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = PACKAGE_DIR.parent.parent

# The research folder sits beside the clone in CI (<clone>/../shared) and at /work/shared on
# the workstation; the clone-relative location wins so CI never picks up a stray copy.
_SHARED_CANDIDATES = (REPO_ROOT.parent / "shared", Path("/work/shared"))


def find_source(*parts: str) -> Path | None:
    """The first existing ``<shared>/data/<parts...>`` folder, or None when absent."""
    for shared in _SHARED_CANDIDATES:
        candidate = shared.joinpath("data", *parts)
        if candidate.is_dir():
            return candidate
    return None


def require_source(given: str | None, *parts: str) -> Path:
    """The source folder named on the command line, else the located one; fail loudly."""
    path = Path(given) if given else find_source(*parts)
    if path is None or not path.is_dir():
        raise SystemExit(f"source folder not found: {given or '/'.join(('shared/data', *parts))}")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 with LF line ends whatever the platform, so reruns are byte-identical."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def squash(text: str) -> str:
    """Collapse the XML's layout whitespace (newlines, runs of spaces) into single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def plain(value: Any) -> Any:
    """Tuples (pydantic's frozen sequences) as lists, which safe_dump can represent.

    Dates stay dates so the YAML shows them unquoted (2020-09-28), as a person would write.
    """
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Enum):  # StrEnum members: safe_dump only knows the exact str type
        return value.value
    return value


class _Dumper(yaml.SafeDumper):
    """SafeDumper without anchors (a date shared by two rules is written twice, not &id001)
    and with lists of codes on one line (``countries: [AM, BZ]``) so reviewers can scan them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    codes = bool(data) and all(isinstance(x, str) and len(x) <= 3 for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=codes)


_Dumper.add_representer(list, _represent_list)


def dump_yaml(header: Iterable[str], data: dict[str, Any]) -> str:
    """YAML with a comment header; key order as given, long lines kept whole for diffs."""
    lines = [f"# {line}" if line else "#" for line in header]
    body = yaml.dump(
        plain(data),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
        default_flow_style=False,
    )
    return "\n".join(lines) + "\n" + body
