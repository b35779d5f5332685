"""Roles: the platform owns ``admin`` and ``auditor``; each application registers its own.

``register(Role("officer", "permit officer", "agent des licences", owner="office"))``
adds a role with its English and French labels (the catalog key ``role.<name>`` is added
when missing); applications list theirs in their ``Application`` descriptor. User
creation (CLI, API, users page) accepts any registered role and refuses others with
``err.bad_role`` naming the field ``role``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    name: str
    label_en: str
    label_fr: str
    owner: str = "platform"
    needs_organisation: bool = False  # accounts with this role belong to an organisation
    reads_audit: bool = False  # may read the audit log (page, CSV, API)
    landing: str | None = None  # where a sign-in without a "next" page lands (default LANDING)


ADMIN = Role("admin", "administrator", "administrateur", reads_audit=True)
AUDITOR = Role("auditor", "auditor", "vérificateur", reads_audit=True)

_REGISTRY: dict[str, Role] = {}


def register(*roles: Role) -> None:
    """Add roles; registering the same role twice is harmless, a clash of owners is not."""
    from bilateral.platform import i18n

    for r in roles:
        known = _REGISTRY.get(r.name)
        if known is not None and known != r:
            raise ValueError(f"role {r.name!r} already registered by {known.owner}")
        _REGISTRY[r.name] = r
        i18n.CATALOG.setdefault("role." + r.name, (r.label_en, r.label_fr))


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def get(name: str) -> Role | None:
    return _REGISTRY.get(name)


def is_role(name: str) -> bool:
    return name in _REGISTRY


def audit_readers() -> tuple[str, ...]:
    return tuple(r.name for r in _REGISTRY.values() if r.reads_audit)


register(ADMIN, AUDITOR)
