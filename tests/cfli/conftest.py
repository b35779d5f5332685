"""Fixtures of the CFLI tests (helpers live in cfli_kit.py and app_kit.py)."""

from app_kit import cfli, cfli_pg_schema, pg_cfli, sqlite_cfli
from cfli_kit import make_call, officer_call

__all__ = ["cfli", "cfli_pg_schema", "make_call", "officer_call", "pg_cfli", "sqlite_cfli"]


def pytest_configure(config: object) -> None:
    config.addinivalue_line(  # type: ignore[attr-defined]
        "markers", "postgresql: needs PostgreSQL (skipped with a message if unreachable)"
    )
    config.addinivalue_line("markers", "browser: drives /usr/bin/chromium with Playwright")  # type: ignore[attr-defined]
