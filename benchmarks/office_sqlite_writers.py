"""Concurrent writers on the default SQLite set-up (not a test; ``tests/office/
test_sqlite_writers.py`` runs a bounded version of it).

Starts the real server as the README's first command does (``python -m bilateral.server
serve``: SQLite, one process) on a port the OS gives on 127.0.0.1, with its own temporary
database and data dir, creates an applicant, an officer and an admin with the CLI, then
runs N clients for D seconds, each repeating the write cycle of the office:

    create a draft → update it → upload a document → submit → officer decides (approve)
    → record two shipments (Idempotency-Key) against the permit

Every request is timed. An error is any answer other than the one the workflow expects
(or a timeout / connection error). When the load stops, the server is asked at once for
``GET /api/me`` to show that it still answers.

Usage (repository root, venv active):

    python benchmarks/office_sqlite_writers.py                  # 50 clients, 60 s
    python benchmarks/office_sqlite_writers.py --clients 20 --seconds 10 --no-write

Results go to ``benchmarks/results/office_sqlite_writers.txt`` (unless ``--no-write``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "office_sqlite_writers.txt"
PASSWORD = "benchmark password 2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "bilateral.server", *args],
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    return r.stdout


def token_of(out: str) -> str:
    for line in out.splitlines():
        if line.startswith("API token"):
            return line.rsplit(" ", 1)[1]
    raise RuntimeError(out)


class Server:
    """``python -m bilateral.server serve`` on SQLite in a temporary directory."""

    def __init__(self, workdir: Path, database_url: str | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "BILATERAL_DATABASE_PATH": str(workdir / "bilateral.sqlite3"),
            "BILATERAL_DATA_DIR": str(workdir / "data"),
            "BILATERAL_PORT": str(self.port),
        }
        self.env.pop("BILATERAL_DATABASE_URL", None)
        if database_url:  # PostgreSQL (the crash test runs on both databases)
            self.env["BILATERAL_DATABASE_URL"] = database_url
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bilateral.server",
                "serve",
                "--port",
                str(self.port),
                "--no-access-log",
                "--log-level",
                "warning",
                *(["--upgrade"] if "BILATERAL_DATABASE_URL" in self.env else []),
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/api/check/export?to=BY&hs=8703", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise RuntimeError(err) from None
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> str:
        """Stop the server; its stderr (errors logged during the run)."""
        assert self.proc is not None
        self.proc.terminate()
        try:
            _out, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _out, err = self.proc.communicate()
        return err.decode(errors="replace") if err else ""


def application(n: int, with_lines: bool) -> dict[str, Any]:
    party = {"name": "Maple Foods Ltd", "address": "1 Main St, Ottawa ON", "contact": "a@m.ca"}
    body: dict[str, Any] = {
        "applicant": party,
        "exporter": party,
        "consignees": [
            {
                "name": "Minsk Trading",
                "address": "2 Nezavisimosti Ave",
                "contact": "+375 17",
                "country": "BY",
            }
        ],
        "destination": "BY",
        "end_use": f"Retail sale of food, order {n}",
        "end_user": {"name": "Minsk Trading", "address": "2 Nezavisimosti Ave"},
        "lines": [],
        "declarations": {"information_true": True, "aware_of_obligations": True},
    }
    if with_lines:
        body["lines"] = [
            {
                "origin": "CA",
                "hs_code": "0402.10",
                "category": "food",
                "description": "Milk powder",
                "quantity": "1000",
                "unit": "kg",
                "unit_value": "4.50",
            }
        ]
    return body


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    cycles: int = 0

    def all(self) -> list[float]:
        return sorted(x for v in self.latencies.values() for x in v)


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


class Conn:
    """One HTTP/1.1 keep-alive connection (a light client: the load generator shares the
    machine's two cores with the server, so it must cost little)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes, kind: str
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        h = {"Host": "127.0.0.1", **headers, "Content-Length": str(len(body))}
        if body:
            h["Content-Type"] = kind
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items())
        self.writer.write(head.encode() + b"\r\n" + body)
        line = await self.reader.readline()
        if not line:
            raise ConnectionError("connection closed by the server")
        status = int(line.split()[1])
        length, close = 0, False
        while True:
            hl = await self.reader.readline()
            if hl in (b"\r\n", b""):
                break
            k, _, v = hl.decode().partition(":")
            if k.lower() == "content-length":
                length = int(v)
            elif k.lower() == "connection" and v.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def multipart(name: str, data: bytes, kind: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


async def run_load(
    port: int, applicant: str, officer: str, clients: int, seconds: float
) -> tuple[Tally, float]:
    tally = Tally()
    deadline = time.perf_counter() + seconds
    today = dt.datetime.now(dt.UTC).date().isoformat()
    ha = {"Authorization": f"Bearer {applicant}"}
    ho = {"Authorization": f"Bearer {officer}"}
    jkind = "application/json"

    async def client(c: int) -> None:
        conn = Conn(port)

        async def call(
            op: str,
            want: int,
            method: str,
            url: str,
            headers: dict[str, str],
            body: Any = None,
            raw: tuple[bytes, str] | None = None,
        ) -> Any:
            data, kind = raw or (
                (json.dumps(body).encode(), jkind) if body is not None else (b"", jkind)
            )
            t0 = time.perf_counter()
            try:
                status, answer = await asyncio.wait_for(
                    conn.request(method, url, headers, data, kind), timeout=30
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as e:
                tally.latencies[op].append(time.perf_counter() - t0)
                tally.errors.append(f"{op}: {type(e).__name__} {e}")
                conn.close()
                return None
            tally.latencies[op].append(time.perf_counter() - t0)
            if status != want:
                tally.errors.append(f"{op}: HTTP {status} {answer[:200].decode(errors='replace')}")
                return None
            return json.loads(answer)

        n = 0
        try:
            while time.perf_counter() < deadline:
                n += 1
                a = await call(
                    "create", 201, "POST", "/api/applications", ha, application(n, False)
                )
                if a is None:
                    continue
                url = f"/api/applications/{a['id']}"
                if await call("update", 200, "PUT", url, ha, application(n, True)) is None:
                    continue
                doc = multipart("invoice.txt", (f"invoice {c}-{n}\n" * 20).encode(), "text/plain")
                if await call("upload", 201, "POST", url + "/documents", ha, raw=doc) is None:
                    continue
                if await call("submit", 200, "POST", url + "/submit", ha, {}) is None:
                    continue
                decision = {"outcome": "approve", "reasons": "Food; no ECL item."}
                d = await call("decide", 200, "POST", url + "/decision", ho, decision)
                if d is None or not d.get("permit_id"):
                    if d is not None:
                        tally.errors.append(f"decide: no permit in {str(d)[:200]}")
                    continue
                for k in range(2):
                    body = {
                        "line_no": 1,
                        "quantity": "10",
                        "value": "45.00",
                        "shipped_on": today,
                        "export_declaration_ref": f"CAED-{c}-{n}-{k}",
                    }
                    key = {**ha, "Idempotency-Key": f"bench-{uuid.uuid4()}"}
                    await call(
                        "ship", 201, "POST", f"/api/permits/{d['permit_id']}/shipments", key, body
                    )
                tally.cycles += 1
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client(c) for c in range(clients)))
    return tally, time.perf_counter() - t0


def after_load(base: str, token: str) -> float:
    """Seconds the server takes to answer ``GET /api/me`` right after the load stops."""
    t0 = time.perf_counter()
    req = urllib.request.Request(base + "/api/me", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()
    return time.perf_counter() - t0


@dataclass
class Result:
    clients: int
    seconds: float
    elapsed: float
    requests: int
    errors: list[str]
    p50: float
    p99: float
    worst: float
    per_op: dict[str, tuple[int, float, float]]
    cycles: int
    after_load_s: float
    server_errors: str

    def report(self) -> str:
        lines = [
            f"clients {self.clients}, duration {self.seconds:g} s (ran {self.elapsed:.1f} s)",
            f"requests {self.requests} ({self.requests / self.elapsed:.0f}/s), "
            f"workflow cycles {self.cycles}, errors {len(self.errors)}",
            f"latency all writes: p50 {self.p50 * 1000:.0f} ms, p99 {self.p99 * 1000:.0f} ms, "
            f"max {self.worst * 1000:.0f} ms",
        ]
        for op, (n, p50, p99) in self.per_op.items():
            lines.append(f"  {op:<7} n={n:<6} p50 {p50 * 1000:6.0f} ms  p99 {p99 * 1000:6.0f} ms")
        lines.append(f"GET /api/me right after the load: {self.after_load_s * 1000:.0f} ms")
        if self.errors:
            lines.append("first errors:")
            lines.extend("  " + e for e in self.errors[:10])
        if self.server_errors.strip():
            lines.append("server stderr (last 20 lines):")
            lines.extend("  " + x for x in self.server_errors.strip().splitlines()[-20:])
        return "\n".join(lines)


def run(clients: int, seconds: float) -> Result:
    with tempfile.TemporaryDirectory(prefix="office-sqlite-bench-") as tmp:
        server = Server(Path(tmp))
        server.start()
        try:
            applicant = token_of(
                cli(
                    server.env,
                    "users",
                    "create",
                    "alice",
                    "--role",
                    "applicant",
                    "--org",
                    "Maple Foods Ltd",
                    "--password-stdin",
                )
            )
            officer = token_of(
                cli(server.env, "users", "create", "oscar", "--role", "officer", "--password-stdin")
            )
            tally, elapsed = asyncio.run(
                run_load(server.port, applicant, officer, clients, seconds)
            )
            try:
                after = after_load(server.base, applicant)
            except OSError as e:
                after = float("inf")
                tally.errors.append(f"after load: {e}")
        finally:
            stderr = server.stop()
    xs = tally.all()
    per_op = {op: (len(v), pct(v, 50), pct(v, 99)) for op, v in tally.latencies.items()}
    return Result(
        clients=clients,
        seconds=seconds,
        elapsed=elapsed,
        requests=len(xs),
        errors=tally.errors,
        p50=pct(xs, 50),
        p99=pct(xs, 99),
        worst=xs[-1] if xs else float("nan"),
        per_op=per_op,
        cycles=tally.cycles,
        after_load_s=after,
        server_errors=stderr,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--no-write", action="store_true", help="do not write the results file")
    args = ap.parse_args()
    r = run(args.clients, args.seconds)
    cmd = "python benchmarks/office_sqlite_writers.py " + " ".join(sys.argv[1:])
    head = (
        f"# {cmd.strip()}\n# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end\n"
        "# goal: 0 errors, p99 < 1 s, the server answers at once after the load\n"
    )
    text = head + r.report() + "\n"
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
    ok = not r.errors and r.p99 < 1.0 and r.after_load_s < 1.0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
