"""The CFLI application and the permit office stay apart: the office never imports CFLI and
CFLI never imports the office; both stand on ``bilateral.platform`` (CFLI through its one
door, ``cfli/web/shared.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "bilateral"


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"), [("cfli", "bilateral.office"), ("office", "bilateral.cfli")]
)
def test_the_cfli_core_and_the_permit_office_do_not_import_each_other(package: str, forbidden: str):
    files = sorted((SRC / package).rglob("*.py"))
    assert files
    crossing = {
        str(f.relative_to(SRC)): sorted(n for n in imported(f) if n.startswith(forbidden))
        for f in files
    }
    assert {f: n for f, n in crossing.items() if n} == {}
