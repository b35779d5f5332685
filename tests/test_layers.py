"""Layers, read from the source (AST): the permit office and CFLI never import each other,
the shared platform imports neither, and the law and the engine import none of the faces."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "bilateral"
# the faces: what serves people (CLI, web, API, database) over the law and the engine
FACES = (
    "bilateral.office",
    "bilateral.cfli",
    "bilateral.platform",
    "bilateral.server",
    "bilateral.faces",
)


def imported(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def crossings(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    files = sorted((SRC / package).rglob("*.py"))
    assert files, package
    out = {}
    for f in files:
        bad = sorted(
            n for n in imported(f) if any(n == x or n.startswith(x + ".") for x in forbidden)
        )
        if bad:
            out[str(f.relative_to(SRC))] = bad
    return out


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("office", ("bilateral.cfli", "bilateral.server")),
        ("cfli", ("bilateral.office", "bilateral.server")),
        ("platform", ("bilateral.office", "bilateral.cfli", "bilateral.server")),
    ],
)
def test_applications_and_the_platform_keep_their_layers(
    package: str, forbidden: tuple[str, ...]
) -> None:
    assert crossings(package, forbidden) == {}


@pytest.mark.parametrize("package", ["law", "engine"])
def test_law_and_engine_import_no_face(package: str) -> None:
    assert crossings(package, FACES) == {}


def test_the_scan_sees_imports_inside_functions() -> None:
    """A sanity check of the scanner itself: the composition root imports the office
    (at top level) and the office's CLI imports its services inside a function."""
    assert "bilateral.office.app" in imported(SRC / "server.py")
    assert "bilateral.office.services" in imported(SRC / "office" / "cli.py")
