"""The CFLI application's faces: tables, services, web pages and JSON API.

``install(app)`` plugs it into the platform's FastAPI application (today the permit office's
``create_app``): the CFLI routers, the template directory, the message catalog (domain
``cfli``) and the field-encryption keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
# CFLI's migrations (``0004_cfli`` after the platform's ``0003_security``): one history
MIGRATIONS = HERE.parent / "migrations" / "versions"


def upgrade(settings: Any, revision: str = "head", engine: Any = None) -> None:
    """Migrate the database: the platform's history and CFLI's, to ``revision``."""
    from bilateral.cfli.web.shared import platform_db

    platform_db.upgrade(settings, revision, engine=engine, locations=[MIGRATIONS])


def install(app: Any) -> None:
    """Add the CFLI pages, API, templates, messages and keys to a platform application."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    from bilateral.cfli import crypto
    from bilateral.cfli.web import api, i18n, pages
    from bilateral.cfli.web.shared import templates

    i18n.install()
    loader = templates.env.loader
    if not any(
        isinstance(x, FileSystemLoader) and str(TEMPLATES) in x.searchpath
        for x in getattr(loader, "loaders", [loader])
    ):
        templates.env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES)), loader])  # type: ignore[list-item]
    settings = app.state.settings
    app.state.cfli_keys = crypto.load_keys(settings.data_dir)
    app.include_router(api.router)
    app.include_router(pages.router)
