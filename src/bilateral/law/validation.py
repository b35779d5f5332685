"""The law's types validated from YAML, and dumped back to it, with pydantic.

The types in ``law/model.py`` are plain dataclasses, so that reading the checked law from
the compiled-law cache never imports pydantic. Here, and only when the law is loaded from
its files or written by an importer, pydantic validates them: their ``Annotated`` markers
give the constraints, ``__post_init__`` the checks that span fields, and unknown keys are
errors. One adapter per type is built on first use and kept.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

T = TypeVar("T")

__all__ = ["ValidationError", "dump", "validate"]


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


def validate(kind: type[T], data: Any) -> T:
    """``data`` (parsed YAML) as a ``kind``, or pydantic's ValidationError saying where."""
    value: T = _adapter(kind).validate_python(data)
    return value


def dump(value: Any) -> dict[str, Any]:
    """The fields of a law object that differ from their defaults, nested, as YAML holds
    them (what ``validate`` reads back to an equal object)."""
    data: dict[str, Any] = _adapter(type(value)).dump_python(value, exclude_defaults=True)
    return data
