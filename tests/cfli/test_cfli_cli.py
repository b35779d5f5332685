"""`bilateral cfli ...` as a programme officer uses it: calls, one call's parameters, the
eligibility check, sealed records, keys and retention; bad input is one line and exit 2."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cfli_kit import CALL_ID, EXAMPLE

from bilateral.faces.cli import main

SECRETS = ("Independent Media Circle", "Ala Example", "ala@example.org", "prosecution")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_calls_on_file_list_what_the_officer_must_still_set(capsys):
    code, out, _ = run(capsys, "cfli", "calls", "--json")
    assert code == 0
    (call,) = json.loads(out)
    assert call["id"] == CALL_ID and call["status"] == "draft"
    assert "ineligible_costs" in call["unset"] and "reporting" in call["unset"]


def test_a_call_shows_each_parameter_cited_or_not_found_in_french(capsys):
    code, out, _ = run(capsys, "cfli", "call", CALL_ID, "--lang", "fr")
    assert code == 0
    assert (
        "plafond des frais administratifs (overhead_cap_percent) : 15\u00a0% [S26, secondaire]"
        in out
    )
    assert "coûts non admissibles (ineligible_costs) : NON TROUVÉ" in out
    assert "date d'achèvement (completion_deadline) : 28 février 2027" in out


def test_check_prints_the_determination_and_exits_0(capsys):
    code, out, _ = run(capsys, "cfli", "check", str(EXAMPLE), "--call", CALL_ID)
    assert code == 0
    assert out.startswith("Eligibility: Needs review")
    assert "the maximum contribution is not set in this call" in out
    code, out, _ = run(capsys, "cfli", "check", str(EXAMPLE), "--call", CALL_ID, "--lang", "fr")
    assert out.startswith("Admissibilité : À examiner")


def test_check_json_is_the_determination_with_the_call_version_hash(capsys):
    code, out, _ = run(capsys, "cfli", "check", str(EXAMPLE), "--call", CALL_ID, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["outcome"] == "needs_review"
    assert data["call"]["hash"].startswith("sha256:")
    for secret in SECRETS:
        assert secret not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.yaml", "--call", CALL_ID], "proposal: cannot read missing.yaml"),
        ([str(EXAMPLE), "--call", "cfli-mars"], "call: no call 'cfli-mars'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv: list[str], message: str):
    code, out, err = run(capsys, "cfli", "check", *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"bilateral: error: {message}") and err.count("\n") == 1


def test_a_bad_proposal_names_the_field_without_echoing_the_applicants_data(capsys, tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text(
        EXAMPLE.read_text().replace("email: ala@example.org", "email: [ala@example.org]")
    )
    code, _, err = run(capsys, "cfli", "check", str(bad), "--call", CALL_ID)
    assert code == 2
    assert err.startswith("bilateral: error: organisation.contacts.0.email:")
    assert "ala@example.org" not in err


def test_seal_rotate_and_purge_from_the_command_line(capsys, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("BILATERAL_CFLI_KEYS", raising=False)
    data = tmp_path / "data"
    record = tmp_path / "P-2026-001.json"
    code, out, _ = run(
        capsys, "cfli", "seal", str(EXAMPLE), "--output", str(record), "--data-dir", str(data)
    )
    assert code == 0 and "sealed P-2026-001" in out
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    for secret in SECRETS:
        assert secret not in record.read_text()

    code, out, _ = run(capsys, "cfli", "export", str(record))
    exported = json.loads(out)
    assert exported[0]["proposal"]["organisation"]["name"] == "[redacted]"
    assert '"enc"' not in out and all(secret not in out for secret in SECRETS)
    code, out, _ = run(capsys, "cfli", "export", str(record), "--clear", "--data-dir", str(data))
    assert json.loads(out)[0]["proposal"]["organisation"]["name"] == SECRETS[0]

    code, out, _ = run(capsys, "cfli", "keys", "add", "--data-dir", str(data))
    assert code == 0
    before = record.read_text()
    code, out, _ = run(
        capsys, "cfli", "keys", "rotate", str(record), "--dry-run", "--data-dir", str(data)
    )
    assert "would re-encrypt 5 field(s)" in out and record.read_text() == before
    code, out, _ = run(capsys, "cfli", "keys", "rotate", str(record), "--data-dir", str(data))
    assert "re-encrypted 5 field(s)" in out and record.read_text() != before
    code, out, _ = run(capsys, "cfli", "keys", "status", "--data-dir", str(data))
    assert out.count("k-") == 2
    key_file = (data / "cfli.keys").read_text()
    assert all(key not in out for key in key_file.split())

    closed = json.loads(record.read_text()) | {"closed_on": "2027-04-01"}
    record.write_text(json.dumps(closed))
    argv = ["cfli", "purge", str(record), "--retention-days", "365", "--today", "2028-04-01"]
    code, out, _ = run(capsys, *argv, "--dry-run")
    assert "would purge organisation.name" in out
    assert json.loads(record.read_text())["purged_on"] is None
    code, out, _ = run(capsys, *argv)
    assert json.loads(record.read_text())["purged_on"] == "2028-04-01"


def test_keys_from_the_environment_are_not_added_to_a_file(capsys, tmp_path: Path, monkeypatch):
    from cryptography.fernet import Fernet

    monkeypatch.setenv("BILATERAL_CFLI_KEYS", Fernet.generate_key().decode())
    code, _, err = run(capsys, "cfli", "keys", "add", "--data-dir", str(tmp_path))
    assert code == 2 and "put the new key first there" in err


def test_the_installed_command_runs_the_check():
    exe = shutil.which("bilateral") or ""
    argv = [exe] if exe else [sys.executable, "-m", "bilateral.faces.cli"]
    done = subprocess.run(
        [*argv, "cfli", "check", str(EXAMPLE), "--call", CALL_ID],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Eligibility: Needs review" in done.stdout
