"""The CFLI messages (gettext domain ``cfli``): every message in English and French with the
same placeholders, and every key the CFLI templates use exists."""

from __future__ import annotations

import re
from pathlib import Path

import bilateral.server  # noqa: F401  (the composition root installs CFLI: roles, domain)
from bilateral.cfli.web import i18n, pages
from bilateral.platform import catalogs, roles
from bilateral.platform import i18n as platform

TEMPLATES = Path(i18n.__file__).parent / "templates" / "cfli"


def test_every_cfli_message_in_both_languages() -> None:
    entries = catalogs.load(i18n.DOMAIN)
    assert len(entries) > 150
    assert catalogs.problems(entries) == []
    assert catalogs.main(["check"]) == 0
    assert all(k.startswith(("cfli.", "err.cfli_", "audit.e_cfli_")) for k in entries)
    assert i18n.t("cfli.status.eligible", "fr") == "Admissible"


def test_cfli_templates_use_only_known_keys() -> None:
    used: set[str] = set()
    for f in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', f.read_text()))
    i18n.install()
    missing = {k for k in used if not k.endswith(".") and k not in platform.CATALOG}
    assert not missing
    for prefix in ("cfli.status.", "cfli.vstatus.", "cfli.ag.", "cfli.kind.", "cfli.check."):
        assert any(k.startswith(prefix) for k in platform.CATALOG)


def test_field_labels_exist_in_both_languages() -> None:
    for key in pages.FIELD_KEYS.values():
        assert key in platform.CATALOG, key
    assert pages.field_label("budget.1.cfli", "en") == "Budget line 2 — CFLI amount"
    assert pages.field_label("budget.1.cfli", "fr") == "Ligne budgétaire 2 — Montant du FCIL"
    assert pages.field_label("activities.0.end", "fr") == "Activité 1 — Fin"


def test_role_labels_for_the_platform() -> None:
    for role in ("programme_officer", "committee_member", "grant_applicant"):
        assert roles.is_role(role)
        assert platform.t("role." + role, "en") and platform.t("role." + role, "fr")
    assert platform.t("role.grant_applicant", "fr") == "Demandeur de financement (FCIL)"
