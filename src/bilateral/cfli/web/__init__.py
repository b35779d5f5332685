"""The CFLI application's faces: tables, services, web pages and JSON API.

Its ``Application`` descriptor (``bilateral.cfli.web.app.APPLICATION``) plugs it into the
platform beside the permit office: routers, templates, the ``cfli`` catalog domain, roles,
migrations (``0004_cfli`` after the platform's ``0003_security``: one history), the
field-encryption keys at start-up and the country pages' CFLI line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
MIGRATIONS = HERE.parent / "migrations" / "versions"


def upgrade(settings: Any, revision: str = "head", engine: Any = None) -> None:
    """Migrate the database: the platform's history with CFLI's revisions, to ``revision``
    (the same as ``bilateral db upgrade`` once the composition root has installed CFLI)."""
    from bilateral.cfli.web.app import APPLICATION
    from bilateral.cfli.web.shared import platform_db
    from bilateral.platform import application

    application.install(APPLICATION)
    platform_db.upgrade(settings, revision, engine=engine)
