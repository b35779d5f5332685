"""Errors that a face shows to a person as one line (exit status 2, HTTP 422)."""

from __future__ import annotations


class BadInput(ValueError):
    """The question cannot be asked as put: names the field and the problem in one line."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class LawDataError(Exception):
    """The bundled law data does not load: names file, line and reason."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")
