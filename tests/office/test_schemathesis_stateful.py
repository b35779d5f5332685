"""Stateful schemathesis against the real server, with every check (``--checks all``).

Schemathesis links operations by itself (an application created by one call is submitted,
copied, decided by the next ...), and checks every answer: no 5xx, status codes and
bodies as documented, headers, schema-invalid requests refused. Bounded: 5 examples per
step, two roles, a fixed seed.

Two kinds of finding are accepted, each for a stated reason:

* ST202 "schema-valid request rejected": business rules the JSON schema cannot say (a
  submission needs every required field; a token needs your password; a wrong current
  password; a country code must exist; at most 3 decimals of a quantity);
* ST302 "created resource not found": schemathesis takes the application id answered by
  ``POST /applications/{id}/documents`` for a document id.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED = {"ST202", "ST302"}


def _bench() -> ModuleType:
    path = ROOT / "benchmarks" / "office_sqlite_writers.py"
    spec = importlib.util.spec_from_file_location("office_sqlite_writers_st", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _st() -> list[str]:
    exe = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    if not Path(exe).exists():
        pytest.skip("schemathesis CLI not installed")
    return [exe]


def test_stateful_run_with_all_checks_finds_nothing_unexplained() -> None:
    b = _bench()
    st = _st()
    with tempfile.TemporaryDirectory(prefix="office-stateful-") as tmp:
        server = b.Server(Path(tmp))
        server.start()
        try:
            tokens = {
                "applicant": b.token_of(
                    b.cli(
                        server.env,
                        "users",
                        "create",
                        "alice",
                        "--role",
                        "applicant",
                        "--org",
                        "Maple Foods",
                        "--password-stdin",
                    )
                ),
                "officer": b.token_of(
                    b.cli(
                        server.env,
                        "users",
                        "create",
                        "oscar",
                        "--role",
                        "officer",
                        "--password-stdin",
                    )
                ),
            }
            found: dict[str, str] = {}
            for who, token in tokens.items():
                r = subprocess.run(
                    [
                        *st,
                        "run",
                        f"{server.base}/openapi.json",
                        "--checks",
                        "all",
                        "--phases",
                        "stateful",
                        "-n",
                        "5",
                        "--seed",
                        "20261130",
                        "--no-color",
                        "-H",
                        f"Authorization: Bearer {token}",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=300,
                    cwd=tmp,  # schemathesis keeps its state in ./.schemathesis
                )
                out = r.stdout + r.stderr
                assert "Tested:" in out, out[-2000:]
                for code in re.findall(r"❌ (ST\d+) ", out):
                    found.setdefault(code, f"{who}: {out[-3000:]}")
        finally:
            stderr = server.stop()
    unexplained = {k: v for k, v in found.items() if k not in ACCEPTED}
    assert not unexplained, "\n\n".join(f"{k}\n{v}" for k, v in unexplained.items())
    assert "Traceback" not in stderr, stderr[-3000:]
