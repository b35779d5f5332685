"""Errors that a face shows to a person as one line (exit status 2, HTTP 422)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class BadInput(ValueError):
    """The question cannot be asked as put: names the field and the problem in one line.

    ``problem`` is the English sentence (command line, logs); an application that says it
    in other languages gives a stable ``code`` and the sentence's ``params`` (amounts,
    dates, names), which its faces look up in their message catalog."""

    def __init__(
        self,
        field: str,
        problem: str,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.field = field
        self.problem = problem
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(f"{field}: {problem}")


class LawDataError(Exception):
    """The bundled law data does not load: names file, line and reason."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")
