"""The screening decision log: what was asked, against which list versions, with which
matcher and threshold, and what an analyst later decided about each alert.

SQLite in the user's data directory (``$BILATERAL_DATA_DIR/screening/decisions.sqlite3``).
A mark (true or false positive, with a reason) is keyed by the party as asked (its input
hash, the date aside) and the list entry, so it is found again when the same party is
screened again after a list update, and shown with the new answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from bilateral.errors import BadInput
from bilateral.screening.store import data_dir

_SCHEMA = """
create table if not exists decisions (
  id text primary key,
  at text not null,
  input_hash text not null,
  input text not null,
  as_of text not null,
  threshold real not null,
  matcher_version text not null,
  list_versions text not null,
  hits text not null
);
create table if not exists runs (
  id text primary key,
  at text not null,
  kind text not null,
  input text not null,
  input_hash text not null,
  threshold real not null,
  matcher_version text not null,
  list_versions text not null,
  rows integer not null,
  hits integer not null,
  errors integer not null,
  output text not null
);
create table if not exists marks (
  input_hash text not null,
  entry_id text not null,
  decision_id text not null references decisions(id),
  verdict text not null check (verdict in ('true-positive', 'false-positive')),
  reason text not null,
  analyst text not null,
  at text not null,
  primary key (input_hash, entry_id)
);
"""


def _path() -> Path:
    return data_dir() / "decisions.sqlite3"


def _connect(path: Path | None = None) -> sqlite3.Connection:
    target = path or _path()
    target.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(target)
    con.executescript(_SCHEMA)
    return con


def input_hash(query_input: dict[str, Any]) -> str:
    """Hash of the party as asked, without the date: the same party on another day."""
    party = {k: v for k, v in query_input.items() if k != "on"}
    canonical = json.dumps(party, sort_keys=True, ensure_ascii=False, default=list)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    answer: dict[str, Any],
    query_input: dict[str, Any],
    path: Path | None = None,
    lang: str = "en",
) -> str:
    """Log one screening answer; attach earlier analyst marks to its hits, said in ``lang``
    as the answer's other explanations are. Returns its id."""
    decision = uuid.uuid4().hex[:16]
    digest = input_hash(query_input)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with _connect(path) as con:
        con.execute(
            "insert into decisions values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                decision,
                now,
                digest,
                json.dumps(query_input, ensure_ascii=False, default=list),
                answer["as_of"],
                answer["threshold"],
                answer["matcher_version"],
                json.dumps(answer["list_versions"]),
                json.dumps([(h["id"], h["score"], h["status"]) for h in answer["matches"]]),
            ),
        )
        marks = {
            row[0]: row[1:]
            for row in con.execute(
                "select entry_id, verdict, reason, analyst, at from marks where input_hash = ?",
                (digest,),
            )
        }
    attach_marks(answer["matches"], marks, lang)
    return decision


_VERDICTS_FR = {"true-positive": "vrai positif", "false-positive": "faux positif"}


def attach_marks(
    hits: list[dict[str, Any]], marks: dict[str, tuple[Any, ...]], lang: str = "en"
) -> None:
    """Show each hit's analyst mark (entry id → verdict, reason, analyst, at) with it; the
    note in ``lang`` (the day in ISO: a face writes it as its reader's prose does)."""
    for hit in hits:
        if hit["id"] in marks:
            verdict, reason, analyst, at = marks[hit["id"]]
            hit["analyst_mark"] = {"verdict": verdict, "reason": reason, "by": analyst, "at": at}
            if lang == "fr":
                said = _VERDICTS_FR.get(verdict, verdict)
                note = f"marqué comme {said} par {analyst} le {at[:10]} : {reason}"
            else:
                note = f"marked {verdict} by {analyst} on {at[:10]}: {reason}"
            hit["explanation"].append(note)


def all_marks(path: Path | None = None) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every analyst mark, by the party's input hash, then entry id; empty without a log
    (nothing is created just to read)."""
    target = path or _path()
    if not target.exists():
        return {}
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    with _connect(target) as con:
        for digest, entry, verdict, reason, analyst, at in con.execute(
            "select input_hash, entry_id, verdict, reason, analyst, at from marks"
        ):
            out.setdefault(digest, {})[entry] = (verdict, reason, analyst, at)
    return out


def record_run(
    kind: str,
    source: Path,
    input_digest: str,
    threshold: float,
    list_versions: tuple[str, ...],
    counts: tuple[int, int, int],
    output: Path,
    path: Path | None = None,
) -> str:
    """Log one bulk screening run (the file's hash stands for its rows' inputs)."""
    from bilateral.screening.matching import MATCHER_VERSION

    run = uuid.uuid4().hex[:16]
    rows, hits, errors = counts
    with _connect(path) as con:
        con.execute(
            "insert into runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run,
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                kind,
                str(source),
                input_digest,
                threshold,
                MATCHER_VERSION,
                json.dumps(list(list_versions)),
                rows,
                hits,
                errors,
                str(output.resolve()),
            ),
        )
    return run


def run_of_output(output: Path, path: Path | None = None) -> tuple[str, str] | None:
    """(input, input hash) of the latest logged run that wrote ``output``, or ``None``."""
    wanted = output.resolve()
    with _connect(path) as con:
        runs = con.execute("select output, input, input_hash from runs order by at desc").fetchall()
    for written, source, digest in runs:
        if Path(written).resolve() == wanted:
            return str(source), str(digest)
    return None


def mark(
    decision: str, entry_id: str, verdict: str, reason: str, analyst: str, path: Path | None = None
) -> None:
    if not reason.strip():
        raise BadInput(
            "reason", "say why (a mark without a reason cannot be reviewed)", "screen.mark_reason"
        )
    with _connect(path) as con:
        row = con.execute(
            "select input_hash, hits from decisions where id = ?", (decision,)
        ).fetchone()
        if row is None:
            raise BadInput(
                "decision",
                f"no screening decision {decision!r} in the log",
                "screen.no_decision",
                {"value": decision},
            )
        hit_ids = {h[0] for h in json.loads(row[1])}
        if entry_id not in hit_ids:
            raise BadInput(
                "entry",
                f"{entry_id!r} was not a hit of decision {decision}",
                "screen.not_a_hit",
                {"value": entry_id, "decision": decision},
            )
        con.execute(
            "insert or replace into marks values (?, ?, ?, ?, ?, ?, ?)",
            (
                row[0],
                entry_id,
                decision,
                verdict,
                reason.strip(),
                analyst,
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            ),
        )


def decisions(path: Path | None = None) -> list[dict[str, Any]]:
    with _connect(path) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("select * from decisions order by at, id")]
