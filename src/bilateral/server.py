"""The composition root: the platform plus the applications, as one server.

Neither application imports the other, and the platform imports neither: this module is
the one place that knows them all. ``bilateral serve`` (``python -m bilateral.server
serve``) builds the app here; ``create_app`` is what tests and ``uvicorn --factory
bilateral.server:build`` use.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from bilateral.cfli.web.app import APPLICATION as CFLI
from bilateral.office.app import APPLICATION as OFFICE
from bilateral.platform import app as platform_app
from bilateral.platform import application
from bilateral.platform import cli as platform_cli
from bilateral.platform.settings import Settings

# The applications on the platform. Order matters only for routes that overlap and for
# the navigation's order.
APPLICATIONS: Sequence[application.Application] = (OFFICE, CFLI)


def install() -> None:
    """Register every application with the platform (roles, catalogs, migrations, models,
    hooks); idempotent. Done at import, so that CLI commands and ``db.upgrade`` see them."""
    for a in APPLICATIONS:
        application.install(a)


install()


def create_app(
    settings: Settings | None = None,
    checks: Any = None,
    engine: Engine | None = None,
    auto_upgrade: bool = False,
) -> FastAPI:
    """The platform with every application (``platform.app.create_app``)."""
    return platform_app.create_app(
        settings, checks=checks, engine=engine, auto_upgrade=auto_upgrade, applications=APPLICATIONS
    )


def build() -> FastAPI:
    """Factory for ``uvicorn --factory bilateral.server:build`` (settings from env).

    Does not migrate: run ``bilateral db upgrade`` first (``serve`` does it for SQLite).
    """
    return create_app()


def register_cli(subparsers: argparse._SubParsersAction[Any]) -> None:
    """The shared commands (serve, users, audit, db) and each application's."""
    from bilateral.office import cli as office_cli

    platform_cli.register(subparsers, "bilateral.server")
    office_cli.register(subparsers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bilateral.server")
    sub = parser.add_subparsers(dest="command", required=True)
    register_cli(sub)
    args = parser.parse_args(argv)
    rc: int = args.func(args)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
