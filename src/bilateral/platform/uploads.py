"""Supporting documents: type sniffing, size limit, content-addressed storage."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from bilateral.platform.accounts import OfficeError

ALLOWED = ("application/pdf", "image/png", "image/jpeg", "text/plain")


def sniff(head: bytes, data: bytes) -> str | None:
    """The media type from the content itself (never trust the declared one)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain"


def check(data: bytes, limit: int) -> tuple[str, str]:
    """(media type, sha256) of an acceptable upload; OfficeError 413/415/422 otherwise."""
    if len(data) > limit:
        raise OfficeError(413, "too_large", "file", limit=limit)
    if not data:
        raise OfficeError(422, "empty_file", "file")
    media = sniff(data[:16], data)
    if media is None:
        raise OfficeError(415, "bad_type", "file")
    return media, hashlib.sha256(data).hexdigest()


def path_for(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest


def store(root: Path, digest: str, data: bytes) -> Path:
    """Write once under ``root/ab/abcdef…``; identical content is stored once."""
    target = path_for(root, digest)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".up-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
