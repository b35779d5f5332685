"""Alembic environment of the platform and every installed application (configured from
code, no alembic.ini): one history, whose revisions live in the platform's ``versions``
directory and in each application's (``Application.migrations``, passed as
``version_locations`` by ``db.alembic_config``). The metadata compared against holds the
tables of every installed application (``Application.model_modules``)."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import create_engine, pool

from bilateral.platform import application
from bilateral.platform.models import Base

for _app in application.installed():
    for _module in _app.model_modules:
        importlib.import_module(_module)

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
