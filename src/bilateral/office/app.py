"""The permit office as an application of the platform: its ``Application`` descriptor.

The composition root (``bilateral.server``) installs it; the office imports the platform,
never another application.
"""

from __future__ import annotations

from pathlib import Path

from bilateral.office import api, countries_web, reconcile, web
from bilateral.platform import i18n
from bilateral.platform.application import Application, NavLink
from bilateral.platform.models import User
from bilateral.platform.roles import Role

HERE = Path(__file__).parent

APPLICANT = Role("applicant", "applicant", "demandeur", owner="office", needs_organisation=True)
OFFICER = Role("officer", "permit officer", "agent des licences", owner="office", reads_audit=True)


def navigation(user: User | None, lang: str) -> list[NavLink]:
    """The office's links in the main navigation (the platform adds audit, users, account)."""
    links = [
        ("/check/export", i18n.t("nav.check_export", lang)),
        ("/check/import", i18n.t("nav.check_import", lang)),
        ("/check/contact", i18n.t("nav.check_contact", lang)),
        ("/country/BY", i18n.t("nav.country", lang)),
    ]
    if user is not None and user.role == "applicant":
        links.append(("/dashboard", i18n.t("nav.dashboard", lang)))
    if user is not None and user.role in ("officer", "auditor"):
        links.append(("/queue", i18n.t("nav.queue", lang)))
    return links


APPLICATION = Application(
    name="office",
    # The API first: routes are tried in order, and the busiest requests (public checks,
    # shipments) should not be tried against every country page first (no API path is also
    # a country page's path); countries_web before web: its /country/{code} routes win
    # over the older page in web
    api_routers=(api.public, api.router, countries_web.router),
    web_routers=(web.router,),
    templates=HERE / "templates",
    catalog_domain="office",
    locale_dir=HERE / "locale",
    roles=(APPLICANT, OFFICER),
    navigation=navigation,
    audit_reconcilers=(reconcile.reconcile,),
    audit_entities=("application", "permit"),
    model_modules=("bilateral.office.models",),
    migrations=HERE / "migrations" / "versions",
    page_context=web.page_context,
    field_labels=web.FIELD_LABELS,
    list_fields=web.LIST_FIELDS,
    group_fields=web.GROUP_FIELDS,
    value_errors=web.VALUE_ERRORS,
    localize_params=web.localize_params,
)
