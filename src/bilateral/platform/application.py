"""How an application plugs into the platform: a typed descriptor and the registry of the
installed ones.

The platform imports no application. The composition root (``bilateral.server``) lists
the applications and calls ``install(app)`` for each; the platform then knows their roles,
templates, catalog domain, migrations, model modules, navigation, startup hooks, audit
reconcilers and country facts. See docs/platform.md.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from bilateral.platform import roles as roles_mod

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

    from bilateral.platform.models import User

# (href, label) of one navigation link, in the reader's language
NavLink = tuple[str, str]
# the links an application adds to the main navigation for this user (None: signed out)
Navigation = Callable[["User | None", str], list[NavLink]]
# extra lines a country page shows: (session, ISO alpha-2 code, language, date) -> lines,
# e.g. "CFLI: 3 projects" on the Belarus page, without the page knowing CFLI
CountryFacts = Callable[[Session, str, str, dt.date], list[str]]
# problems an application finds between its tables and the audit chain (audit verify)
AuditReconciler = Callable[[Session], list[str]]
PageContext = Callable[["Request", str], dict[str, Any]]
LocalizeParams = Callable[[str, dict[str, Any], str], dict[str, Any]]
# called once the FastAPI app is built (app.state is set); may add routes or state
Startup = Callable[["FastAPI"], None]


@dataclass(frozen=True)
class Application:
    """One application on the platform (the permit office, CFLI, …)."""

    name: str  # short code: "office", "cfli"
    api_routers: Sequence[APIRouter] = ()  # JSON API (documented in /docs)
    web_routers: Sequence[APIRouter] = ()  # pages (HTML, no JavaScript)
    templates: Path | None = None  # Jinja2 directory, searched after the platform's
    catalog_domain: str | None = None  # gettext domain: <package>/locale/<domain>.pot
    locale_dir: Path | None = None  # the package's locale/ directory
    roles: Sequence[roles_mod.Role] = ()
    navigation: Navigation | None = None
    startup: Sequence[Startup] = ()
    country_facts: Sequence[CountryFacts] = ()
    audit_reconcilers: Sequence[AuditReconciler] = ()
    model_modules: Sequence[str] = ()  # imported so that Base.metadata holds their tables
    migrations: Path | None = None  # the application's Alembic versions directory
    # entities its audit entries name (filter of the audit page; label key audit.e_<entity>)
    audit_entities: Sequence[str] = ()
    # pages: helpers the application's templates use (request, language) -> names
    page_context: PageContext | None = None
    # error messages: field path -> catalog key of its label; list fields -> item label key
    # ("lines" -> "form.line_n"); groups -> group label key ("applicant" -> "form.applicant")
    field_labels: Mapping[str, str] = field(default_factory=dict)
    list_fields: Mapping[str, str] = field(default_factory=dict)
    group_fields: Mapping[str, str] = field(default_factory=dict)
    # pydantic value errors: (text in the message, catalog key of the sentence said instead)
    value_errors: Sequence[tuple[str, str]] = ()
    # an error's parameters in the reader's language: (code, params, lang) -> params
    localize_params: LocalizeParams | None = None


_INSTALLED: dict[str, Application] = {}


def install(app: Application) -> None:
    """Register an application (idempotent for the same descriptor)."""
    known = _INSTALLED.get(app.name)
    if known is app:
        return
    if known is not None:
        raise ValueError(f"application {app.name!r} is already installed")
    roles_mod.register(*app.roles)
    for module in app.model_modules:
        importlib.import_module(module)
    if app.catalog_domain and app.locale_dir:
        from bilateral.platform import catalogs, i18n

        i18n.add_domain(catalogs.Domain(app.catalog_domain, app.locale_dir))
    _INSTALLED[app.name] = app


def installed() -> tuple[Application, ...]:
    return tuple(_INSTALLED.values())


def template_dirs() -> list[Path]:
    return [a.templates for a in _INSTALLED.values() if a.templates is not None]


def migration_dirs() -> list[Path]:
    return [a.migrations for a in _INSTALLED.values() if a.migrations is not None]


def navigation(user: User | None, lang: str) -> list[NavLink]:
    out: list[NavLink] = []
    for a in _INSTALLED.values():
        if a.navigation is not None:
            out.extend(a.navigation(user, lang))
    return out


def country_facts(s: Session, code: str, lang: str, on: dt.date) -> list[str]:
    """Every installed application's lines about a country (empty when none has any)."""
    out: list[str] = []
    for a in _INSTALLED.values():
        for fn in a.country_facts:
            out.extend(fn(s, code, lang, on))
    return out


def audit_problems(s: Session) -> list[str]:
    out: list[str] = []
    for a in _INSTALLED.values():
        for fn in a.audit_reconcilers:
            out.extend(fn(s))
    return out


def audit_entities() -> list[str]:
    """Every installed application's audited entities, then the platform's."""
    out = [e for a in _INSTALLED.values() for e in a.audit_entities]
    return [*out, "user"]
