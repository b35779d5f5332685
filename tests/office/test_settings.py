from __future__ import annotations

import stat
from pathlib import Path

from bilateral.platform import settings


def test_defaults_and_postgres_url(tmp_path: Path) -> None:
    st = settings.load({"BILATERAL_DATABASE_PATH": str(tmp_path / "x.sqlite3")})
    assert st.is_sqlite and st.database_url.endswith("x.sqlite3")
    assert st.data_dir == tmp_path / "bilateral-data" and st.port == 8000 and st.host == "127.0.0.1"
    st = settings.load({"BILATERAL_DATABASE_URL": "postgresql://u@h:5432/d"})
    assert st.database_url == "postgresql+psycopg://u@h:5432/d" and st.is_postgresql


def test_session_key_generated_once_private(tmp_path: Path) -> None:
    st = settings.load({"BILATERAL_DATABASE_PATH": str(tmp_path / "x.sqlite3")})
    k1 = st.ensure_session_key()
    k2 = st.ensure_session_key()
    assert k1 == k2 and len(k1) > 40
    mode = (st.data_dir / "session.key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert (st.data_dir / ".gitignore").read_text().strip().endswith("*")
    env = {"BILATERAL_DATABASE_PATH": str(tmp_path / "x.sqlite3"), "BILATERAL_SESSION_KEY": "k"}
    assert settings.load(env).ensure_session_key() == "k"
