"""A crash in the middle of a burst of shipments loses and duplicates nothing (issue 8).

The real server (``python -m bilateral.server serve``; SQLite in WAL mode, and PostgreSQL)
is killed with
SIGKILL while 20 clients record shipments; it is started again and every request that had
no answer is sent again with the same Idempotency-Key, and every answered one too. Then:
every acknowledged shipment is there exactly once (a retry answers 200 with the same id),
the line is never overdrawn, the balances equal the shipment rows, and ``bilateral audit
verify`` (chain and balances) passes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    path = ROOT / "benchmarks" / "office_sqlite_writers.py"
    spec = importlib.util.spec_from_file_location("office_sqlite_writers_crash", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _api(base: str, token: str, method: str, path: str, body: Any = None) -> Any:
    import urllib.request

    req = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for SQLite (the default set-up); for PostgreSQL a URL to a fresh schema."""
    if request.param == "sqlite":
        yield None
        return
    base: str = request.getfixturevalue("pg_schema")
    schema = f"{base}_crash"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_kill_mid_burst_then_retry_loses_and_duplicates_nothing(database: str | None) -> None:
    b = _bench()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    with tempfile.TemporaryDirectory(prefix="office-crash-") as tmp:
        server = b.Server(Path(tmp), database)
        server.start()
        applicant = b.token_of(
            b.cli(
                server.env,
                "users",
                "create",
                "alice",
                "--role",
                "applicant",
                "--org",
                "M",
                "--password-stdin",
            )
        )
        officer = b.token_of(
            b.cli(server.env, "users", "create", "oscar", "--role", "officer", "--password-stdin")
        )
        body = b.application(1, True)
        body["lines"][0]["quantity"] = "300"
        app = _api(server.base, applicant, "POST", "/api/applications", body)
        _api(server.base, applicant, "POST", f"/api/applications/{app['id']}/submit", {})
        pid = _api(
            server.base,
            officer,
            "POST",
            f"/api/applications/{app['id']}/decision",
            {"outcome": "approve", "reasons": "ok"},
        )["permit_id"]

        keys = [f"crash-{i}" for i in range(400)]  # more than fit: 300 units, 1 each
        answers: dict[str, tuple[int, Any]] = {}

        def ship(key: str) -> dict[str, Any]:
            return {
                "line_no": 1,
                "quantity": "1",
                "value": "4.50",
                "shipped_on": today,
                "export_declaration_ref": f"CAED-{key}",
            }

        async def burst(port: int, todo: list[str], clients: int) -> None:
            queue = list(todo)

            async def client() -> None:
                conn = b.Conn(port)
                try:
                    while queue:
                        key = queue.pop()
                        data = json.dumps(ship(key)).encode()
                        h = {"Authorization": f"Bearer {applicant}", "Idempotency-Key": key}
                        try:
                            status, raw = await asyncio.wait_for(
                                conn.request(
                                    "POST",
                                    f"/api/permits/{pid}/shipments",
                                    h,
                                    data,
                                    "application/json",
                                ),
                                timeout=20,
                            )
                        except (OSError, TimeoutError, asyncio.IncompleteReadError):
                            conn.close()
                            return  # the server is gone: this key has no answer
                        answers[key] = (status, json.loads(raw))
                finally:
                    conn.close()

            await asyncio.gather(*(client() for _ in range(clients)))

        async def burst_then_kill() -> None:
            task = asyncio.ensure_future(burst(server.port, keys, 20))
            # kill once some shipments are acknowledged, while others are in flight
            for _ in range(400):
                if sum(1 for s, _ in answers.values() if s == 201) >= 60:
                    break
                await asyncio.sleep(0.01)
            assert server.proc is not None
            os.kill(server.proc.pid, signal.SIGKILL)
            await task

        asyncio.run(burst_then_kill())
        server.proc.wait()
        acked = {k: v["id"] for k, (s, v) in answers.items() if s == 201}
        assert 60 <= len(acked) < len(keys), len(acked)

        # restart on the same database; retry everything with the same keys
        server.start()
        try:
            answers.clear()
            asyncio.run(burst(server.port, keys, 10))
        finally:
            server.stop()
        assert len(answers) == len(keys)
        for k, sid in acked.items():
            status, out = answers[k]
            assert status == 200 and out["id"] == sid and out["replayed"], (k, status, out)
        statuses = {s for s, _ in answers.values()}
        assert statuses <= {200, 201, 409}, statuses
        recorded = {k: v["id"] for k, (s, v) in answers.items() if s in (200, 201)}
        assert len(recorded) == 300  # the line filled exactly; the rest refused

        eng = create_engine(database or f"sqlite:///{Path(tmp) / 'bilateral.sqlite3'}")
        with eng.connect() as con:
            n, total = con.execute(
                text("SELECT COUNT(*), SUM(quantity_milli) FROM shipments WHERE permit_id = :p"),
                {"p": pid},
            ).one()
            used, authorised = con.execute(
                text(
                    "SELECT used_quantity_milli, authorised_quantity_milli FROM permit_lines "
                    "WHERE permit_id = :p"
                ),
                {"p": pid},
            ).one()
            keys_in_db = {r[0] for r in con.execute(text("SELECT idempotency_key FROM shipments"))}
        eng.dispose()
        assert n == 300 and total == used == authorised  # no duplicate, no overdraw
        assert keys_in_db == set(recorded)
        r = subprocess.run(
            [sys.executable, "-m", "bilateral.server", "audit", "verify"],
            env=server.env,
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        assert "balances OK" in r.stdout
        time.sleep(0)  # keep the temporary directory until here
