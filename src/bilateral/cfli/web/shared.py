"""The one door from CFLI to the shared platform (accounts, roles, sessions, CSRF, audit chain,
database sessions, translations, page layout, API kit).

Today these live in the permit office (``bilateral.office.*``); at the merge they move to
``bilateral.platform.*`` with the same names and signatures, and only this file changes. No
other CFLI module imports ``bilateral.office``.
"""

from __future__ import annotations

from bilateral.office import audit, catalogs, deps, i18n, uploads
from bilateral.office import db as platform_db
from bilateral.office import settings as platform_settings
from bilateral.office.api import ERRORS, bearer_actor
from bilateral.office.db import begin_write
from bilateral.office.models import NAMING, ROLES, Base, Organisation, User
from bilateral.office.services import Actor, OfficeError, create_user
from bilateral.office.settings import Settings
from bilateral.office.web import (
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
)

__all__ = [
    "ERRORS",
    "NAMING",
    "ROLES",
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
]
