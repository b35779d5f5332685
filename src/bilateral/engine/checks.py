"""The engine's door for faces (CLI, API, web): questions in plain values, answers as JSON.

Every face calls these functions, so the CLI's ``--json`` and the API return the same
fields. Each raises ``bilateral.errors.BadInput`` (one line naming the field) on bad input.
"""
# (interface fixed first so faces can be built in parallel; implementation follows)
from __future__ import annotations

import datetime as dt
from typing import Any

JSON = dict[str, Any]


def check_export(*, to: str, on: str | dt.date, hs: str | None = None,
                 category: str | None = None, ecl: str | None = None,
                 lang: str = "en") -> JSON:
    raise NotImplementedError


def check_import(*, origin: str, on: str | dt.date, hs: str,
                 mfn_rate: str | float | None = None, lang: str = "en") -> JSON:
    raise NotImplementedError


def check_contact(*, with_: str, on: str | dt.date, topic: str, lang: str = "en") -> JSON:
    raise NotImplementedError


def check_party(*, name: str, on: str | dt.date, lang: str = "en") -> JSON:
    raise NotImplementedError


def measures(*, country: str, on: str | dt.date, lang: str = "en") -> JSON:
    raise NotImplementedError


def timeline(*, country: str, lang: str = "en") -> JSON:
    raise NotImplementedError
