"""Applicant safety: sensitive fields encrypted at rest, redacted in exports, purged on time.

Keys are Fernet keys (``cryptography``: AES-128-CBC with HMAC-SHA256, authenticated). They
come from the environment variable ``BILATERAL_CFLI_KEYS`` (comma-separated, newest first) in
deployments, or, for the embedded default, from ``<data dir>/cfli.keys`` (one key a line,
newest first), generated with mode 0600 on first run and never in the repository. Encryption
always uses the newest key; decryption tries each (MultiFernet), so rotation is: put a new
key first, re-encrypt every record (``rotate_record``), then drop the old key.

A sealed record is JSON: the proposal with each sensitive field replaced by
``{"enc": "<token>"}``. Nothing in this module prints, logs or puts in an error message a
key, a token or a clear value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from bilateral.cfli.proposals import Proposal, parse_proposal
from bilateral.cfli.refusals import refuse
from bilateral.errors import BadInput

ENV = "BILATERAL_CFLI_KEYS"
KEY_FILE = "cfli.keys"
FORMAT = 1
REDACTED = "[redacted]"

# The fields the issue names as sensitive: names of individuals, contact details, the
# organisation's registration and risk answers (and its name: for a group at risk from its own
# government, the name is what identifies it).
SENSITIVE: tuple[tuple[str, ...], ...] = (
    ("organisation", "name"),
    ("organisation", "registration"),
    ("organisation", "registration_number"),
    ("organisation", "risk_explanation"),
    ("organisation", "contacts"),
)


@dataclass(frozen=True)
class KeyRing:
    """The keys, newest first, and where they came from (``env`` or the key file)."""

    keys: tuple[bytes, ...]
    origin: str

    @property
    def ids(self) -> tuple[str, ...]:
        """Short fingerprints that name keys without revealing them."""
        return tuple(_key_id(k) for k in self.keys)

    @property
    def fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(k) for k in self.keys])

    def encrypt(self, value: Any) -> dict[str, str]:
        data = json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
        return {"enc": self.fernet.encrypt(data).decode("ascii")}

    def decrypt(self, sealed: Mapping[str, str], field: str) -> Any:
        try:
            return json.loads(self.fernet.decrypt(sealed["enc"].encode("ascii")))
        except (InvalidToken, KeyError, ValueError):
            raise refuse(field, "cannot_decrypt", origin=self.origin) from None

    def key_id_of(self, sealed: Mapping[str, str]) -> str | None:
        token = sealed["enc"].encode("ascii")
        for key in self.keys:
            try:
                Fernet(key).decrypt(token)
            except InvalidToken:
                continue
            return _key_id(key)
        return None


def _key_id(key: bytes) -> str:
    return "k-" + hashlib.sha256(key).hexdigest()[:8]


def _check_key(key: str, where: str, index: int) -> bytes:
    raw = key.strip().encode("ascii", "replace")
    try:
        Fernet(raw)
    except (ValueError, TypeError):
        raise BadInput(
            where, f"key {index} is not a Fernet key (32 url-safe base64 bytes)"
        ) from None
    return raw


def load_keys(data_dir: Path, environ: Mapping[str, str] | None = None) -> KeyRing:
    """Keys from ``BILATERAL_CFLI_KEYS`` or the data directory's key file (made on first run)."""
    env = os.environ if environ is None else environ
    listed = env.get(ENV, "").strip()
    if listed:
        parts = [p for p in listed.split(",") if p.strip()]
        return KeyRing(tuple(_check_key(p, ENV, i + 1) for i, p in enumerate(parts)), ENV)
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        ignore = data_dir / ".gitignore"
        if not ignore.exists():  # so that the key can never be committed by accident
            ignore.write_text("# made by bilateral: nothing here belongs in git\n*\n")
        _write_new(path, [Fernet.generate_key()])
    return _read_file(path)


def default_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``BILATERAL_DATA_DIR`` (shared with the permit office), else ``./bilateral-data``."""
    env = os.environ if environ is None else environ
    return Path(env.get("BILATERAL_DATA_DIR") or "bilateral-data")


def _write_new(path: Path, keys: list[bytes]) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return
    with os.fdopen(fd, "wb") as out:
        out.write(b"\n".join(keys) + b"\n")


def _read_file(path: Path) -> KeyRing:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise BadInput(
            str(path),
            f"key file mode is {mode:o}; it must be readable by its owner only (chmod 600)",
        )
    text = path.read_text(encoding="ascii", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BadInput(str(path), "key file is empty")
    return KeyRing(tuple(_check_key(k, str(path), i + 1) for i, k in enumerate(lines)), str(path))


def add_key(data_dir: Path) -> KeyRing:
    """Put a new key first in the data directory's key file (step 1 of a rotation)."""
    path = data_dir / KEY_FILE
    ring = load_keys(data_dir, environ={})
    keys = [Fernet.generate_key(), *ring.keys]
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(b"\n".join(keys) + b"\n")
    os.replace(tmp, path)  # atomic: the file always holds a complete list
    return _read_file(path)


def drop_old_keys(data_dir: Path, keep: int = 1) -> KeyRing:
    """Keep the ``keep`` newest keys (step 3, once every record is re-encrypted)."""
    path = data_dir / KEY_FILE
    ring = _read_file(path)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(b"\n".join(ring.keys[:keep]) + b"\n")
    os.replace(tmp, path)
    return _read_file(path)


# --- sealed records -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-able data with secrets revealed (only for encryption, never for output)."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    return node.get(path[-1])


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def seal(proposal: Proposal, keys: KeyRing) -> dict[str, Any]:
    """A record to store: the proposal with its sensitive fields encrypted."""
    data = _plain(proposal.model_dump(mode="python"))
    for path in SENSITIVE:
        _set(data, path, keys.encrypt(_get(data, path)))
    return {"format": FORMAT, "proposal": data, "closed_on": None, "purged_on": None}


def _day(value: Any) -> Any:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return value


def unseal(record: Mapping[str, Any], keys: KeyRing) -> Proposal:
    if record.get("purged_on"):
        raise refuse("record", "purged", day=_day(record["purged_on"]))
    data = json.loads(json.dumps(record["proposal"]))
    for path in SENSITIVE:
        _set(data, path, keys.decrypt(_get(data, path), ".".join(path)))
    return parse_proposal(data)


def rotate_record(record: Mapping[str, Any], keys: KeyRing) -> tuple[dict[str, Any], int]:
    """The record with every sensitive field re-encrypted under the newest key, and how many
    fields were under an older key. Tokens under the newest key are kept as they are."""
    out = json.loads(json.dumps(record))
    newest = keys.ids[0]
    changed = 0
    if out.get("purged_on"):
        return out, 0
    for path in SENSITIVE:
        sealed = _get(out["proposal"], path)
        if keys.key_id_of(sealed) == newest:
            continue
        try:
            token = keys.fernet.rotate(sealed["enc"].encode("ascii")).decode("ascii")
        except InvalidToken:
            raise refuse(".".join(path), "cannot_decrypt_any") from None
        _set(out["proposal"], path, {"enc": token})
        changed += 1
    return out, changed


def redact(record: Mapping[str, Any]) -> dict[str, Any]:
    """An export copy: sensitive fields replaced by ``[redacted]`` (no token, no clear value)."""
    out: dict[str, Any] = json.loads(json.dumps(record))
    for path in SENSITIVE:
        _set(out["proposal"], path, REDACTED)
    return out


def export_proposal(proposal: Proposal, redacted: bool = True) -> dict[str, Any]:
    """A proposal as export data, redacted unless the caller asks for the clear values."""
    data: dict[str, Any] = _plain(proposal.model_dump(mode="python"))
    if redacted:
        for path in SENSITIVE:
            _set(data, path, REDACTED)
    return data


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purge:
    """What a purge did (or would do, in a dry run): record ids and the fields removed."""

    dry_run: bool
    purged: tuple[str, ...]
    kept: tuple[str, ...]
    fields: tuple[str, ...] = tuple(".".join(p) for p in SENSITIVE)


def purge(
    records: Iterable[dict[str, Any]],
    today: dt.date,
    retention_days: int,
    dry_run: bool = True,
) -> tuple[list[dict[str, Any]], Purge]:
    """Remove the sensitive fields of files closed more than ``retention_days`` ago.

    Returns the records (changed only when ``dry_run`` is false) and what was, or would be,
    purged. Files still open, or closed within the period, are kept whole."""
    if retention_days < 0:
        raise refuse("retention_days", "retention_negative")
    out: list[dict[str, Any]] = []
    purged: list[str] = []
    kept: list[str] = []
    for record in records:
        closed = record.get("closed_on")
        pid = str(record["proposal"]["id"])
        due = (
            closed is not None
            and not record.get("purged_on")
            and dt.date.fromisoformat(str(closed)) + dt.timedelta(days=retention_days) < today
        )
        if not due:
            kept.append(pid)
            out.append(record)
            continue
        purged.append(pid)
        if dry_run:
            out.append(record)
            continue
        cleared = json.loads(json.dumps(record))
        for path in SENSITIVE:
            _set(cleared["proposal"], path, None)
        cleared["purged_on"] = today.isoformat()
        out.append(cleared)
    return out, Purge(dry_run=dry_run, purged=tuple(purged), kept=tuple(kept))
