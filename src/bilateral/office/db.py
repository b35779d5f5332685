"""Engine, sessions and migrations.

SQLite: WAL, foreign keys on, and write transactions opened with ``BEGIN IMMEDIATE`` so
that there is a single writer at a time. In the server, write requests also pass one
per-process write gate (``deps.write_gate``) before they touch the database, so that no
worker thread ever waits for the SQLite write lock while the lock holder needs a thread
(see docs/office.md, "SQLite under concurrent writers"). PostgreSQL: row locks
(``SELECT ... FOR UPDATE``) where balances are drawn down.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from bilateral.office.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
# How long a SQLite writer waits for another *process* (a CLI command, a second worker)
# that holds the write lock. Inside one server process writers queue on the write gate
# and never wait here.
BUSY_TIMEOUT_S = 10


def make_engine(settings: Settings, **kw: Any) -> Engine:
    if settings.is_sqlite:
        path = settings.database_url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # pool: one connection per worker thread plus the event loop and a spare; readers
        # never wait for the writer in WAL mode, so connections are never held long
        kw.setdefault("pool_size", settings.threads + 2)
        kw.setdefault("max_overflow", 8)
        kw.setdefault("pool_timeout", 30)
        engine = create_engine(
            settings.database_url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
            **kw,
        )
        _sqlite_events(engine)
        return engine
    # A request holds at most one connection, and requests run on the worker threads (or
    # briefly on the event loop): one connection per thread plus two, and as many again in
    # overflow. Per process at most ``connections_per_process``; ``serve --workers N``
    # checks that N of them fit in the server's max_connections.
    kw.setdefault("pool_size", settings.threads + 2)
    kw.setdefault("max_overflow", settings.threads)
    kw.setdefault("pool_timeout", 30)
    return create_engine(settings.database_url, **kw)


def connections_per_process(settings: Settings) -> int:
    """The most connections one server process opens to PostgreSQL."""
    return (settings.threads + 2) + settings.threads


def connection_problem(engine: Engine, settings: Settings, workers: int) -> str | None:
    """Why ``workers`` processes would need more connections than the PostgreSQL server
    allows (keeping 10 for migrations, the CLI and superusers), or None."""
    from sqlalchemy import text

    with engine.connect() as c:
        allowed = int(c.execute(text("SHOW max_connections")).scalar_one())
    need = workers * connections_per_process(settings)
    if need > allowed - 10:
        return (
            f"--workers {workers}: up to {need} database connections "
            f"({connections_per_process(settings)} per process), but PostgreSQL allows "
            f"{allowed} (10 kept for administration); use fewer workers or threads "
            "(BILATERAL_THREADS), or raise max_connections"
        )
    return None


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def write_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose transactions begin as write transactions (SQLite: ``BEGIN
    IMMEDIATE``) lazily, at their first statement, in whatever thread runs it."""
    return sessionmaker(engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Open the session's transaction as a write transaction (SQLite: BEGIN IMMEDIATE).

    Must be called before the first statement of the transaction.
    """
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One write transaction: committed on success, rolled back on any error."""
    with factory() as s:
        begin_write(s)
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


def alembic_config(settings: Settings, locations: Sequence[Path] = ()) -> Config:
    """The Alembic configuration; ``locations``: migration folders of other applications
    on the same database, after the office's own (one history; e.g. CFLI's ``0004_cfli``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if locations:
        cfg.set_main_option("path_separator", "os")
        folders = [MIGRATIONS / "versions", *locations]
        cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in folders))
    cfg.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return cfg


def upgrade(
    settings: Settings,
    revision: str = "head",
    engine: Engine | None = None,
    locations: Sequence[Path] = (),
) -> None:
    """Apply migrations up to ``revision`` (``bilateral db upgrade``)."""
    cfg = alembic_config(settings, locations)
    if engine is not None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    else:
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
