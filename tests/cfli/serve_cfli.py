"""The platform application with CFLI installed, for the browser test's server process
(``uvicorn --factory serve_cfli:build``; settings from the environment, as ``bilateral
serve``). The lead's platform application descriptor replaces this."""

from __future__ import annotations

from fastapi import FastAPI

from bilateral.cfli.web import install, upgrade
from bilateral.office import db
from bilateral.office import settings as settings_mod
from bilateral.office.app import create_app


def build() -> FastAPI:
    settings = settings_mod.load()
    engine = db.make_engine(settings)
    upgrade(settings, engine=engine)  # the platform's migrations and CFLI's
    app = create_app(settings, engine=engine)
    install(app)
    return app
