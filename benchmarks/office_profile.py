"""Profile of one shipment POST in the permit office, in process, on PostgreSQL (not a test).

Builds the real app (``bilateral.server.create_app``) on a database of its own
(``office_prof_<random>``, created and dropped through ``--pg-url``), issues a permit for
``--shipments`` units, then posts that many shipments one after the other straight into
the ASGI app (no HTTP parser, no sockets; the worker-thread hop runs inline so that the
profiler sees it) and prints the CPU milliseconds per shipment of the server process and
the top functions by cumulative CPU time.

    python benchmarks/office_profile.py --pg-url postgresql://postgres@127.0.0.1:5432/postgres

The database's own CPU time is not in these figures; office_load.py measures the whole.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from office_load import PASSWORD, application_body, office, token_of


async def call(
    app: Any, method: str, path: str, token: str, body: Any = None, key: str | None = None
) -> tuple[int, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(raw)).encode()),
    ]
    if key:
        headers.append((b"idempotency-key", key.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "app": app,
    }
    sent = False
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(msg: dict[str, Any]) -> None:
        if msg["type"] == "http.response.start":
            out["status"] = msg["status"]
        elif msg["type"] == "http.response.body":
            out["body"] += msg.get("body", b"")

    await app(scope, receive, send)
    return out["status"], json.loads(out["body"]) if out["body"] else None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--shipments", type=int, default=2000)
    p.add_argument("--top", type=int, default=40, help="0: no profile, the CPU figure only")
    p.add_argument("--sort", default="cumulative")
    args = p.parse_args()

    import anyio.to_thread
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    database = "office_prof_" + uuid.uuid4().hex[:8]
    pg = create_engine(
        make_url(args.pg_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with pg.connect() as c:
        c.execute(text(f'CREATE DATABASE "{database}"'))
    url = make_url(args.pg_url).set(database=database).render_as_string(hide_password=False)
    tmp = tempfile.TemporaryDirectory()
    env = {**os.environ, "BILATERAL_DATABASE_URL": url, "BILATERAL_DATA_DIR": tmp.name}
    try:
        office(env, "db", "upgrade")
        user = ("users", "create", "--password-stdin")
        alice = token_of(
            office(env, *user, "alice", "--role", "applicant", "--org", "Maple", stdin=PASSWORD)
        )
        oscar = token_of(office(env, *user, "oscar", "--role", "officer", stdin=PASSWORD))
        os.environ.update(BILATERAL_DATABASE_URL=url, BILATERAL_DATA_DIR=tmp.name)
        from bilateral.server import create_app

        app = create_app()

        async def inline(func: Any, *a: Any, **_kw: Any) -> Any:
            return func(*a)

        anyio.to_thread.run_sync = inline  # type: ignore[assignment]

        async def run() -> None:
            body = application_body(2 * args.shipments + 100)
            st, a = await call(app, "POST", "/api/applications", alice, body)
            assert st == 201, a
            await call(app, "POST", f"/api/applications/{a['id']}/submit", alice)
            st, d = await call(
                app,
                "POST",
                f"/api/applications/{a['id']}/decision",
                oscar,
                {"outcome": "approve", "reasons": "profile"},
            )
            assert st == 200, d
            pid = d["permit_id"]
            st, permit = await call(app, "GET", f"/api/permits/{pid}", alice)
            today = permit["issued_on"]
            path = f"/api/permits/{pid}/shipments"

            def ship(i: int) -> dict[str, Any]:
                return {
                    "line_no": 1,
                    "quantity": "1",
                    "value": "1.00",
                    "shipped_on": today,
                    "export_declaration_ref": f"D-k{i}",
                }

            for i in range(50):  # warm-up (caches, pool)
                st, _ = await call(app, "POST", path, alice, ship(i), f"w{i}")
                assert st == 201, _
            n = args.shipments
            # first without the profiler, for the CPU figure
            c0, w0 = time.process_time(), time.perf_counter()
            for i in range(n):
                st, _ = await call(app, "POST", path, alice, ship(i), f"k{i}")
                assert st == 201, _
            c1, w1 = time.process_time(), time.perf_counter()
            print(
                f"unprofiled: {n} shipments one after the other, "
                f"{(c1 - c0) * 1000 / n:.3f} CPU ms and {(w1 - w0) * 1000 / n:.3f} wall ms each"
            )
            if args.top <= 0:
                return
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            for i in range(n):
                st, _ = await call(app, "POST", path, alice, ship(i), f"z{i}")
                assert st == 201, _
            prof.disable()
            pstats.Stats(prof).sort_stats(args.sort).print_stats(args.top)

        asyncio.run(run())
        app.state.engine.dispose()
    finally:
        with pg.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        pg.dispose()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
