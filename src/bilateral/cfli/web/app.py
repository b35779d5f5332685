"""The CFLI programme as an application of the platform: its ``Application`` descriptor.

The composition root (``bilateral.server``) installs it beside the permit office; CFLI
imports the platform (through ``cfli/web/shared.py``), never the permit office.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session

from bilateral.cfli.web import api, pages
from bilateral.cfli.web.services import APPLICANT, MEMBER, OFFICER
from bilateral.platform import i18n
from bilateral.platform.application import Application, NavLink
from bilateral.platform.models import User
from bilateral.platform.roles import Role

HERE = Path(__file__).parent
PACKAGE = HERE.parent

ROLES = (
    Role(
        OFFICER,
        "Programme officer (CFLI)",
        "Agent de programme (FCIL)",
        owner="cfli",
        landing="/cfli/officer",
    ),
    Role(
        MEMBER,
        "Committee member (CFLI)",
        "Membre du comité (FCIL)",
        owner="cfli",
        landing="/cfli/committee",
    ),
    Role(
        APPLICANT,
        "Grant applicant (CFLI)",
        "Demandeur de financement (FCIL)",
        owner="cfli",
        needs_organisation=True,
        landing="/cfli/proposals",
    ),
)


def navigation(user: User | None, lang: str) -> list[NavLink]:
    """The CFLI links: open calls for everyone, then the page of the user's CFLI role."""
    links = [("/cfli", i18n.t("cfli.open_calls", lang))]
    if user is not None and user.role == APPLICANT:
        links.append(("/cfli/proposals", i18n.t("cfli.my_proposals", lang)))
    if user is not None and user.role == OFFICER:
        links.append(("/cfli/officer", i18n.t("cfli.officer", lang)))
    if user is not None and user.role == MEMBER:
        links.append(("/cfli/committee", i18n.t("cfli.committee", lang)))
    return links


def fiscal_year(on: dt.date) -> str:
    """The Government of Canada fiscal year (1 April - 31 March) holding ``on``: ``2026-27``."""
    start = on.year if on.month >= 4 else on.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def country_facts(s: Session, code: str, lang: str, on: dt.date) -> list[str]:
    """The country page's CFLI line for the fiscal year of the page's date (none when the
    programme funded no project there that year)."""
    from bilateral.cfli.web import services

    fy = fiscal_year(on)
    if not services.country_facts(s, code, fy)["projects"]:
        return []
    return [services.country_line(s, code, fy, lang)]


def load_keys(app: FastAPI) -> None:
    """The field-encryption keys (environment, or the data directory's key file)."""
    from bilateral.cfli import crypto

    app.state.cfli_keys = crypto.load_keys(app.state.settings.data_dir)


APPLICATION = Application(
    name="cfli",
    api_routers=(api.router,),
    web_routers=(pages.router,),
    templates=HERE / "templates",
    catalog_domain="cfli",
    locale_dir=PACKAGE / "locale",
    roles=ROLES,
    navigation=navigation,
    startup=(load_keys,),
    country_facts=(country_facts,),
    audit_entities=("cfli_call", "cfli_proposal", "cfli_agreement"),
    model_modules=("bilateral.cfli.web.models",),
    migrations=PACKAGE / "migrations" / "versions",
)
