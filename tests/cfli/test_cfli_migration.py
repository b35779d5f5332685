"""The migration ``0004_cfli`` makes exactly the tables the CFLI models describe, on SQLite
and PostgreSQL, after the platform's history (one Alembic history; CFLI's tables on the
platform's ``Base``)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from app_kit import Cfli

from bilateral.cfli.web import models
from bilateral.platform import db
from bilateral.platform.models import Base as PlatformBase


def test_the_migration_makes_what_the_models_describe(cfli: Cfli) -> None:
    assert db.current_revision(cfli.engine) == "0004_cfli"

    def ours(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
        table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", "")
        return str(table or "").startswith("cfli_")

    with cfli.engine.connect() as c:
        ctx = MigrationContext.configure(c, opts={"include_object": ours})
        assert compare_metadata(ctx, PlatformBase.metadata) == []
    assert models.Base is PlatformBase
    assert set(models.TABLES) <= set(PlatformBase.metadata.tables)
