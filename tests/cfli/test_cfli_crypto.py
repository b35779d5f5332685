"""Applicant safety: sensitive fields encrypted at rest with keys from the environment or a
0600 key file, rotation to a new key, redacted exports, and a retention purge with a dry run."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cfli_kit import EXAMPLE
from cryptography.fernet import Fernet

from bilateral.cfli.crypto import (
    ENV,
    KEY_FILE,
    add_key,
    drop_old_keys,
    export_proposal,
    load_keys,
    purge,
    redact,
    rotate_record,
    seal,
    unseal,
)
from bilateral.cfli.proposals import load_proposal
from bilateral.errors import BadInput

SECRETS = (
    "Independent Media Circle",
    "Ala Example",
    "ala@example.org",
    "+375 00 000 00 00",
    "prosecution",
    "not_registered_at_risk",
)


def no_secret_in(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_the_first_run_makes_a_key_file_readable_by_its_owner_only(tmp_path: Path):
    ring = load_keys(tmp_path / "data", environ={})
    path = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keys(tmp_path / "data", environ={}).keys == ring.keys  # the same key next time
    assert len(ring.keys) == 1 and ring.origin == str(path)
    assert (tmp_path / "data" / ".gitignore").read_text().endswith("*\n")  # never committed


def test_keys_from_the_environment_come_first_newest_first(tmp_path: Path):
    new, old = Fernet.generate_key(), Fernet.generate_key()
    ring = load_keys(tmp_path, environ={ENV: f"{new.decode()}, {old.decode()}"})
    assert ring.keys == (new, old) and ring.origin == ENV
    assert not (tmp_path / KEY_FILE).exists()  # no file is made when the environment gives keys


def test_a_bad_key_is_named_by_its_position_never_shown(tmp_path: Path):
    good = Fernet.generate_key().decode()
    with pytest.raises(BadInput) as caught:
        load_keys(tmp_path, environ={ENV: f"{good},not-a-key-at-all"})
    assert str(caught.value) == (f"{ENV}: key 2 is not a Fernet key (32 url-safe base64 bytes)")


def test_a_key_file_others_can_read_is_refused(tmp_path: Path):
    load_keys(tmp_path, environ={})
    os.chmod(tmp_path / KEY_FILE, 0o644)
    with pytest.raises(BadInput, match="chmod 600"):
        load_keys(tmp_path, environ={})


def test_sealed_records_hold_no_sensitive_value_in_clear_and_open_again(tmp_path: Path):
    keys = load_keys(tmp_path, environ={})
    proposal = load_proposal(EXAMPLE)
    record = seal(proposal, keys)
    stored = json.dumps(record)
    no_secret_in(stored)
    assert record["proposal"]["title"] == proposal.title  # what is not sensitive stays readable
    again = unseal(json.loads(stored), keys)
    assert again == proposal
    assert again.organisation.contacts[0].email is not None
    assert again.organisation.contacts[0].email.get_secret_value() == "ala@example.org"


def test_rotation_re_encrypts_every_field_with_the_newest_key(tmp_path: Path):
    old = load_keys(tmp_path, environ={})
    record = seal(load_proposal(EXAMPLE), old)
    ring = add_key(tmp_path)
    assert len(ring.keys) == 2 and ring.keys[1] == old.keys[0]
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600

    rotated, changed = rotate_record(record, ring)
    assert changed == 5
    assert rotated != record
    assert rotate_record(rotated, ring)[1] == 0  # nothing left under the old key

    newest_only = drop_old_keys(tmp_path)
    assert newest_only.keys == (ring.keys[0],)
    assert unseal(rotated, newest_only) == load_proposal(EXAMPLE)
    with pytest.raises(BadInput) as caught:
        unseal(record, newest_only)  # the record that was not rotated is lost with the old key
    assert str(caught.value).startswith("organisation.name: cannot be decrypted with any key")
    assert record["proposal"]["organisation"]["name"]["enc"] not in str(caught.value)


def test_exports_are_redacted_by_default(tmp_path: Path):
    keys = load_keys(tmp_path, environ={})
    proposal = load_proposal(EXAMPLE)
    exported = json.dumps(export_proposal(proposal))
    no_secret_in(exported)
    assert '"name": "[redacted]"' in exported
    assert "Independent Media Circle" in json.dumps(export_proposal(proposal, redacted=False))
    redacted = json.dumps(redact(seal(proposal, keys)))
    no_secret_in(redacted)
    assert '"enc"' not in redacted  # not even the ciphertext leaves in an export


def _records(tmp_path: Path) -> list[dict[str, Any]]:
    keys = load_keys(tmp_path, environ={})
    proposal = load_proposal(EXAMPLE)
    closed = seal(proposal, keys) | {"closed_on": "2027-04-01"}
    still_open = seal(proposal.model_copy(update={"id": "P-open"}), keys)
    return [closed, still_open]


@pytest.mark.parametrize(
    ("today", "purged"),
    [(dt.date(2028, 3, 31), ()), (dt.date(2028, 4, 1), ("P-2026-001",))],
)
def test_closed_files_are_purged_after_the_retention_period_and_not_a_day_before(
    tmp_path: Path, today: dt.date, purged: tuple[str, ...]
):
    records = _records(tmp_path)
    # closed 2027-04-01, kept 365 full days: through 2028-03-31 (2028 is a leap year)
    out, report = purge(records, today, retention_days=365, dry_run=False)
    assert report.purged == purged
    assert "P-open" in report.kept
    if purged:
        assert out[0]["proposal"]["organisation"]["name"] is None
        assert out[0]["purged_on"] == "2028-04-01"
        with pytest.raises(BadInput, match="purged on April 1, 2028"):
            unseal(out[0], load_keys(tmp_path, environ={}))
        assert out[0]["proposal"]["title"]  # the rest of the file stays for the portfolio


def test_a_dry_run_says_what_would_be_purged_and_changes_nothing(tmp_path: Path):
    records = _records(tmp_path)
    before = json.dumps(records)
    out, report = purge(records, dt.date(2030, 1, 1), retention_days=365, dry_run=True)
    assert report.dry_run and report.purged == ("P-2026-001",)
    assert json.dumps(out) == before
    assert "organisation.contacts" in report.fields
