"""Shared fixtures for the determination engine's tests.

The engine's door (``bilateral.engine.checks``) answers in JSON; these fixtures give each
test the deciding rule ids of an answer and a private copy of the law folder to break.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest


def deciding(answer: dict[str, Any]) -> list[str]:
    """The ids of the rules that decided an answer, in the order the engine applied them."""
    return [reason["rule"] for reason in answer["reasons"]]


@pytest.fixture
def rules_of() -> Callable[[dict[str, Any]], list[str]]:
    return deciding


@pytest.fixture
def law_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled law folder (instruments, lists, interpretations)."""
    bundled = resources.files("bilateral.law") / "data"
    target = tmp_path / "law"
    with resources.as_file(bundled) as source:
        shutil.copytree(source, target)
    return target
