"""Calls for the CFLI tests (fixtures in conftest.py): the bundled Belarus draft, and the
same call with the parameters the sources do not give set by a (test) programme officer."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from bilateral.cfli.calls import Call, load_calls

CALL_ID = "cfli-belarus-2026-27"

# What a programme officer would set before opening the call (test values, not facts).
OFFICER_SETS: dict[str, Any] = {
    "minimum_contribution": {"cad": 5000},
    "maximum_contribution": {"cad": 100000},
    "application_deadline": "2026-05-30",
    "registration_required": True,
    "envelope": {"cad": 100000},
    "ineligible_costs": ["hospitality"],
    "reporting": {"final_narrative_days": 30, "final_financial_days": 30},
    "payment_terms": {"advance_percent": 80},
    "criteria": [
        {"id": "relevance", "label": {"en": "Relevance", "fr": "Pertinence"}, "weight": 40},
        {"id": "feasibility", "label": {"en": "Feasibility", "fr": "Faisabilité"}, "weight": 35},
        {"id": "impact", "label": {"en": "Local impact", "fr": "Impact local"}, "weight": 25},
    ],
}


def bundled_call_data() -> dict[str, Any]:
    folder = resources.files("bilateral.cfli").joinpath("data", "calls")
    text = folder.joinpath(f"{CALL_ID}.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def officer_version(**changes: Any) -> dict[str, Any]:
    """Version 1 of the Belarus call with every not_found parameter set by the officer."""
    version = copy.deepcopy(bundled_call_data()["versions"][0])
    for name, value in {**OFFICER_SETS, **changes}.items():
        version[name] = {"value": value, "basis": "officer", "note": "set for the test"}
    version["status"] = "published"
    return version


def write_call(folder: Path, versions: list[dict[str, Any]], call_id: str = CALL_ID) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = bundled_call_data()
    data["id"] = call_id
    data["versions"] = versions
    path = folder / f"{call_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def make_call(tmp_path: Path) -> Callable[..., Call]:
    """A call whose version 1 has every parameter set (``changes`` override them)."""
    counter = iter(range(1000))

    def make(**changes: Any) -> Call:
        folder = tmp_path / f"calls{next(counter)}"
        write_call(folder, [officer_version(**changes)])
        return load_calls(folder).get(CALL_ID)

    return make


@cache
def shared_officer_call() -> Call:
    """One officer-set call for tests that cannot take fixtures (hypothesis)."""
    folder = Path(tempfile.mkdtemp(prefix="cfli-call-"))
    write_call(folder, [officer_version()])
    return load_calls(folder).get(CALL_ID)


@pytest.fixture
def officer_call(make_call: Callable[..., Call]) -> Call:
    return make_call()


EXAMPLE = Path(__file__).with_name("proposal-example.yaml")


def proposal_data(**changes: Any) -> dict[str, Any]:
    """The example proposal as parsed data, with top-level fields changed."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def organisation(**changes: Any) -> dict[str, Any]:
    org: dict[str, Any] = proposal_data()["organisation"]
    org.update(changes)
    return org
