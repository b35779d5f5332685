"""A stand-in for ``bilateral.engine.checks`` used by the browser test while the real engine
is not implemented (``BILATERAL_CHECKS=stub_engine``). It implements no law."""

from __future__ import annotations

from typing import Any

from conftest import FakeChecks

_fake = FakeChecks()
check_export = _fake.check_export
check_import = _fake.check_import
check_contact = _fake.check_contact
measures = _fake.measures
timeline = _fake.timeline


def __getattr__(name: str) -> Any:
    raise AttributeError(name)
