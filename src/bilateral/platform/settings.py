"""Settings of the platform and its applications (the permit office, …), read from
environment variables in one place.

=============================  ==========================================================
``BILATERAL_DATABASE_URL``     SQLAlchemy URL; a ``postgresql://`` URL selects PostgreSQL
                               (psycopg 3). When unset, SQLite at the path below is used.
``BILATERAL_DATABASE_PATH``    SQLite file (default ``./bilateral.sqlite3``).
``BILATERAL_DATA_DIR``         Uploaded documents and the generated session key (default:
                               ``bilateral-data`` next to the SQLite file, or ``./bilateral-data``).
``BILATERAL_SESSION_KEY``      Secret for signed session cookies. Generated into
                               ``DATA_DIR/session.key`` (mode 0600) at first start if unset.
``BILATERAL_HOST`` / ``_PORT``   Where ``serve`` listens (default 127.0.0.1:8000).
``BILATERAL_MAX_UPLOAD``       Largest upload in bytes (default 10 MiB).
``BILATERAL_SECURE_COOKIES``   ``auto`` (default): cookies ``Secure`` when the request came
                               over HTTPS (or a trusted proxy's ``X-Forwarded-Proto``);
                               ``1`` always; ``0`` never.
``BILATERAL_AUDIT_CHECKPOINTS`` Signed audit checkpoints, JSON lines, append-only (default
                               ``DATA_DIR/audit-checkpoints.jsonl``); keep a copy elsewhere.
``BILATERAL_AUDIT_SIGNING_KEY`` Ed25519 private key (base64, ``bilateral audit keygen``): the
                               server signs a checkpoint every minute when set.
``BILATERAL_THREADS``          Worker threads per process for blocking endpoints (default 6).
=============================  ==========================================================
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    session_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload: int = 10 * 1024 * 1024
    secure_cookies: str = "auto"
    threads: int = 6
    audit_checkpoints_path: Path | None = None
    checkpoint_seconds: float = 60.0
    today: Callable[[], dt.date] = field(default=_utc_today)

    @property
    def audit_checkpoints(self) -> Path:
        return self.audit_checkpoints_path or self.data_dir / "audit-checkpoints.jsonl"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    def ensure_data_dir(self) -> None:
        """Create the data dir with a ``.gitignore`` of ``*`` so that neither the session key
        nor uploaded documents can be committed by accident."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ignore = self.data_dir / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by the permit office: nothing here belongs in git\n*\n")

    def ensure_session_key(self) -> str:
        """The session key from the environment, else from (or newly into) the data dir."""
        if self.session_key:
            return self.session_key
        self.ensure_data_dir()
        path = self.data_dir / "session.key"
        if path.exists():
            return path.read_text().strip()
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        return key


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` select the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secure(v: str) -> str:
    v = v.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return "1"
    if v in ("0", "false", "no", "off"):
        return "0"
    return "auto"


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (or from ``env`` for tests)."""
    e = os.environ if env is None else env
    url = e.get("BILATERAL_DATABASE_URL", "").strip()
    db_path = Path(e.get("BILATERAL_DATABASE_PATH", "./bilateral.sqlite3")).expanduser()
    if url:
        database_url = normalise_url(url)
        default_data = Path("./bilateral-data")
    else:
        database_url = f"sqlite:///{db_path.resolve()}"
        default_data = db_path.resolve().parent / "bilateral-data"
    data_dir = Path(e.get("BILATERAL_DATA_DIR", str(default_data))).expanduser().resolve()
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        session_key=e.get("BILATERAL_SESSION_KEY") or None,
        host=e.get("BILATERAL_HOST", "127.0.0.1"),
        port=int(e.get("BILATERAL_PORT", "8000")),
        max_upload=int(e.get("BILATERAL_MAX_UPLOAD", str(10 * 1024 * 1024))),
        secure_cookies=_secure(e.get("BILATERAL_SECURE_COOKIES", "auto")),
        threads=int(e.get("BILATERAL_THREADS", "6")),
        audit_checkpoints_path=(
            Path(e["BILATERAL_AUDIT_CHECKPOINTS"]).expanduser().resolve()
            if e.get("BILATERAL_AUDIT_CHECKPOINTS")
            else None
        ),
        checkpoint_seconds=float(e.get("BILATERAL_AUDIT_CHECKPOINT_SECONDS", "60")),
    )
