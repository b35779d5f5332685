"""Does a brute-force attack on the sign-in form slow everyone else? (not a test)

Starts the README's default server (SQLite) on a free loopback port, then measures one
legitimate client recording shipments (p50, p99) for D seconds alone, and again while N
anonymous attackers post wrong passwords to ``/login`` (each from the same address, with
a fresh CSRF session, as fast as they are answered). Reports the attackers' answers (401
then 429) and the shipment latency in both phases.

    python benchmarks/office_login_attack.py            # 6 attackers, 10 s per phase

Results go to ``benchmarks/results/office_login_attack.txt`` (unless ``--no-write``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import importlib.util
import json
import os
import platform
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "office_login_attack.txt"


def _writers() -> Any:
    spec = importlib.util.spec_from_file_location("osw", HERE / "office_sqlite_writers.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["osw"] = mod
    spec.loader.exec_module(mod)
    return mod


def api(base: str, token: str, method: str, path: str, body: Any, key: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), method=method, headers=headers
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


def shipments(base: str, token: str, pid: int, seconds: float) -> list[float]:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    out: list[float] = []
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
        body = {
            "line_no": 1,
            "quantity": "1",
            "value": "4.50",
            "shipped_on": today,
            "export_declaration_ref": f"CAED-{n}",
        }
        t0 = time.perf_counter()
        api(base, token, "POST", f"/api/permits/{pid}/shipments", body, key=f"{time.time()}-{n}")
        out.append(time.perf_counter() - t0)
    return out


def attacker(base: str, stop: threading.Event, seen: Counter[int]) -> None:
    while not stop.is_set():
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/login", timeout=30).read().decode()
        m = re.search(r'name="csrf" value="([^"]+)"', page)
        assert m
        data = urllib.parse.urlencode(
            {"username": "alice", "password": f"guess {time.time()}", "csrf": m.group(1)}
        ).encode()
        try:
            opener.open(base + "/login", data=data, timeout=30)
            seen[200] += 1
        except urllib.error.HTTPError as e:
            seen[e.code] += 1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--attackers", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    w = _writers()
    with tempfile.TemporaryDirectory(prefix="office-attack-") as tmp:
        server = w.Server(Path(tmp))
        server.start()
        try:
            tok = w.token_of(
                w.cli(
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
            off = w.token_of(
                w.cli(
                    server.env, "users", "create", "oscar", "--role", "officer", "--password-stdin"
                )
            )
            body = w.application(1, True)
            body["lines"][0]["quantity"] = "1000000"
            a = api(server.base, tok, "POST", "/api/applications", body)
            api(server.base, tok, "POST", f"/api/applications/{a['id']}/submit", {})
            d = {"outcome": "approve", "reasons": "ok"}
            pid = api(server.base, off, "POST", f"/api/applications/{a['id']}/decision", d)[
                "permit_id"
            ]
            alone = shipments(server.base, tok, pid, args.seconds)
            stop, seen = threading.Event(), Counter[int]()
            threads = [
                threading.Thread(target=attacker, args=(server.base, stop, seen))
                for _ in range(args.attackers)
            ]
            for t in threads:
                t.start()
            time.sleep(1)
            attacked = shipments(server.base, tok, pid, args.seconds)
            stop.set()
            for t in threads:
                t.join()
        finally:
            server.stop()
    lines = [
        f"# python benchmarks/office_login_attack.py {' '.join(sys.argv[1:])}".rstrip(),
        f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()} "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
        f"shipments alone: n={len(alone)} p50 {pct(alone, 50) * 1000:.1f} ms, "
        f"p99 {pct(alone, 99) * 1000:.1f} ms",
        f"shipments with {args.attackers} sign-in attackers: n={len(attacked)} "
        f"p50 {pct(attacked, 50) * 1000:.1f} ms, p99 {pct(attacked, 99) * 1000:.1f} ms",
        f"attackers' answers: {dict(sorted(seen.items()))} (401 wrong password, 429 throttled)",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
