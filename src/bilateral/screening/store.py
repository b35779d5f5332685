"""Where snapshots live: the package's shipped lists, and the user's imported versions.

Imported snapshots are kept, every version, under the user's data directory
(``$BILATERAL_DATA_DIR``, else ``~/.local/share/bilateral``) in
``screening/lists/<list_id>/<source date>-<hash>.json``; the newest import of each list is
the one screening uses unless a version is asked for. Shipped lists (Canadian Schedule 1
lists generated from Justice Laws XML) are read from the package.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from bilateral.errors import BadInput
from bilateral.screening.model import Delta, Snapshot, delta

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "lists"


def data_dir() -> Path:
    root = os.environ.get("BILATERAL_DATA_DIR")
    base = Path(root) if root else Path.home() / ".local" / "share" / "bilateral"
    return base / "screening"


def load_snapshot_file(path: Path) -> Snapshot:
    return Snapshot.from_json(json.loads(path.read_text(encoding="utf-8")))


def shipped() -> list[Snapshot]:
    return [load_snapshot_file(p) for p in sorted(SHIPPED_DIR.glob("*.json"))]


def _list_dir(list_id: str) -> Path:
    return data_dir() / "lists" / list_id


def versions(list_id: str) -> list[Path]:
    """Stored versions of one list, oldest import first."""
    folder = _list_dir(list_id)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name))


def latest(list_id: str) -> Snapshot | None:
    found = versions(list_id)
    return load_snapshot_file(found[-1]) if found else None


def save(snapshot: Snapshot) -> tuple[Path, Delta, bool]:
    """Store a snapshot; (path, delta from the previous version, whether it is new).

    Rerunning an import of the same source is a no-op: same content hash, same file."""
    before = latest(snapshot.list_id)
    change = delta(before, snapshot)
    when = snapshot.source_date.isoformat() if snapshot.source_date else "undated"
    path = _list_dir(snapshot.list_id) / f"{when}-{snapshot.content_hash[7:19]}.json"
    if path.exists():
        return path, change, False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(snapshot.to_json(), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)  # never a half-written version
    return path, change, True


def roll_back(list_id: str) -> Path:
    """Set aside the newest imported version of ``list_id`` (moved to ``rolled-back/`` in
    its folder, never deleted), so the version before it is the one screening uses again;
    the path it was moved to. Refused if there is no imported version to set aside."""
    found = versions(list_id)
    if not found:
        ids = ", ".join(s.list_id for s in imported()) or "none"
        raise BadInput(
            "list_id", f"no imported version of {list_id!r} to roll back (imported lists: {ids})"
        )
    aside = found[-1].parent / "rolled-back" / found[-1].name
    aside.parent.mkdir(exist_ok=True)
    os.replace(found[-1], aside)
    return aside


def imported() -> list[Snapshot]:
    """The newest version of every imported list."""
    root = data_dir() / "lists"
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        snapshot = latest(folder.name)
        if snapshot is not None:
            out.append(snapshot)
    return out


def active(extra: bool = True) -> list[Snapshot]:
    """The lists screening uses: shipped ones, and (unless ``extra`` is False) every
    imported list, an imported version of a shipped list replacing the shipped one."""
    by_id = {s.list_id: s for s in shipped()}
    if extra:
        for snapshot in imported():
            by_id[snapshot.list_id] = snapshot
    return [by_id[k] for k in sorted(by_id)]
