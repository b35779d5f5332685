"""The one door from CFLI to the shared platform (accounts, roles, sessions, CSRF, audit
chain, database sessions, translations, page layout, API kit): ``bilateral.platform``.

CFLI imports the platform, never the permit office (``tests/test_layers.py``).
"""

from __future__ import annotations

from bilateral.platform import audit, catalogs, deps, i18n, uploads
from bilateral.platform import db as platform_db
from bilateral.platform import settings as platform_settings
from bilateral.platform.accounts import Actor, OfficeError, create_user
from bilateral.platform.api import ERRORS, bearer_actor
from bilateral.platform.db import begin_write
from bilateral.platform.models import NAMING, Base, Organisation, User
from bilateral.platform.settings import Settings
from bilateral.platform.web import (
    csrf_token,
    current_user,
    error_page,
    flash,
    form_of,
    lang_of,
    redirect,
    render,
    require,
    templates,
    validation_message,
)

__all__ = [
    "ERRORS",
    "NAMING",
    "Actor",
    "Base",
    "OfficeError",
    "Organisation",
    "Settings",
    "User",
    "audit",
    "bearer_actor",
    "begin_write",
    "catalogs",
    "create_user",
    "csrf_token",
    "current_user",
    "deps",
    "error_page",
    "flash",
    "form_of",
    "i18n",
    "lang_of",
    "platform_db",
    "platform_settings",
    "redirect",
    "render",
    "require",
    "templates",
    "uploads",
    "validation_message",
]
