"""What the file-screening paths share: the input and output checks, the file as a DuckDB
relation, the line a data row starts on, and the party columns found by name.

Parties in bulk (DuckDB and Spark) and declaration lines read their files the same way, so
an input that one path refuses the others refuse with the same words.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from bilateral.errors import BadInput

NAME_COLUMNS = ("name", "party", "party_name")
CHUNK_ENV = "BILATERAL_SCREEN_CHUNK_ROWS"


def chunk_rows(default: int) -> int:
    """Rows per finished part of a bulk run: ``default``, or ``BILATERAL_SCREEN_CHUNK_ROWS``
    (small parts make a resumption test quick; the part size is in the run's manifest)."""
    text = os.environ.get(CHUNK_ENV, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise BadInput(CHUNK_ENV, f"{text!r} is not a positive whole number of rows")
    return int(text)


def chunks(
    batches: Iterator[pa.RecordBatch], size: int, skip: int
) -> Iterator[tuple[int, pa.Table]]:
    """(first row, 0-based, and the rows) of each part of ``size`` rows, from part ``skip``
    on: the parts are cut at the same rows whatever the batches read were."""
    buffer: list[pa.RecordBatch] = []
    held = 0
    part = 0
    start = 0
    for batch in batches:
        buffer.append(batch)
        held += batch.num_rows
        while held >= size:
            table = pa.Table.from_batches(buffer).combine_chunks()
            head, rest = table.slice(0, size), table.slice(size)
            if part >= skip:
                yield start, head
            part += 1
            start += size
            buffer = rest.to_batches()
            held = rest.num_rows
    if held and part >= skip:
        yield start, pa.Table.from_batches(buffer)


_CHANGED = {
    "input_hash": "the input file changed",
    "input": "the input is another file",
    "list_versions": "the screening lists changed",
    "law_version": "the law changed",
    "threshold": "--threshold changed",
    "on": "--on changed",
    "office_db": "--office-db changed",
    "chunk_rows": f"the part size ({CHUNK_ENV}) changed",
}


def resume(parts_dir: Path, manifest: dict[str, object], notice: Callable[[str], None]) -> int:
    """The number of finished parts in ``parts_dir`` that a run with ``manifest`` can keep.
    Parts of an interrupted run of another input, lists, law or options are discarded, and
    ``notice`` is told why in one line; the folder is then made anew with ``manifest``."""
    path = parts_dir / "manifest.json"
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            old = None
        if old == manifest:
            done = 0
            while (parts_dir / f"part-{done:05d}.parquet").exists():
                done += 1
            return done
        finished = len(list(parts_dir.glob("part-*.parquet")))
        why = (
            next(
                (words for key, words in _CHANGED.items() if old.get(key) != manifest.get(key)),
                "the run's options changed",
            )
            if isinstance(old, dict)
            else "the interrupted run's manifest is unreadable"
        )
        notice(
            f"starting over: {why} since the interrupted run "
            f"({finished} finished part(s) in {parts_dir.name} not used)"
        )
    shutil.rmtree(parts_dir, ignore_errors=True)
    parts_dir.mkdir(parents=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(temporary, path)
    return 0


def discard_unstarted(parts_dir: Path) -> None:
    """Remove the parts folder of a run refused before its first part (nothing to resume:
    a refused run leaves nothing behind)."""
    if not any(parts_dir.glob("part-*.parquet")):
        shutil.rmtree(parts_dir, ignore_errors=True)


def check_paths(source: Path, target: Path) -> None:
    """Refuse a missing input or an output that is neither CSV nor Parquet, before any work."""
    if not source.is_file():
        raise BadInput("input", f"no such file: {source}")
    if target.suffix.lower() not in (".csv", ".parquet"):
        raise BadInput("output", f"{target.name}: use a .csv or .parquet output")
    check_not_input(source, target)


def check_not_input(source: Path, target: Path) -> None:
    """Refuse an output (or the error report or caveats beside it) that is the input."""
    written = (target, target.with_name(target.stem + ".errors.csv"),
               target.with_name(target.stem + ".caveats.txt"))  # fmt: skip
    if any(path.resolve() == source.resolve() for path in written):
        raise BadInput(
            "output", f"{target.name}: the run would write over its input; give another --output"
        )


def clear_errors(target: Path) -> None:
    """Remove the error report an earlier run left beside ``target``: the one beside an
    output is always its own run's, and a run without bad rows leaves none."""
    target.with_name(target.stem + ".errors.csv").unlink(missing_ok=True)


def first_line(source: Path) -> int:
    """The line number of the first data row: a CSV's header is line 1, Parquet has none."""
    return 1 if source.suffix.lower() == ".parquet" else 2


_REJECTS = itertools.count()
_BLOCK = 1 << 22
_BLANK = re.compile(rb"\n\r?(?=\n)")


def relation(con: duckdb.DuckDBPyConnection, source: Path) -> duckdb.DuckDBPyRelation:
    """The file as text columns. A CSV is read with the columns of its header line, and a
    row that does not fit them (too many or too few fields, an unterminated quote) is set
    aside, not fatal: ``rejected_lines`` gives its line and reason after a scan."""
    suffix = source.suffix.lower()
    try:
        if suffix == ".parquet":
            return con.read_parquet(str(source))
        if suffix in (".csv", ".txt", ".gz"):
            return _csv(con, source)
    except duckdb.Error as error:
        raise unreadable(source, error) from None
    raise BadInput("input", f"{source.name}: unsupported file type (use .csv, .parquet, .jsonl)")


def unreadable(source: Path, error: BaseException) -> BadInput:
    """DuckDB's failure to read a file as one line naming the file and, where it can be
    told, what to do about it (DuckDB's own message otherwise, first line only)."""
    said = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "state machine reached an invalid state" in said or "Error when sniffing" in said:
        if _mixed_line_endings(source):
            said = (
                "its lines end in both CRLF (Windows) and LF (Unix); "
                "save it again with one kind of line ending"
            )
        else:
            said = "not readable as comma-separated text (a stray quote or carriage return?)"
    return BadInput("input", f"{source.name}: {said}")


def _mixed_line_endings(source: Path) -> bool:
    """Whether a (plain) file has lines ending in CRLF and others in a bare LF."""
    if source.suffix.lower() == ".gz":
        return False
    crlf = bare = False
    try:
        with source.open("rb") as handle:
            tail = b""
            while chunk := handle.read(1 << 22):
                block = tail + chunk
                crlf = crlf or b"\r\n" in block
                bare = bare or block.count(b"\n") > block.count(b"\r\n")
                if crlf and bare:
                    return True
                tail = block[-1:]
    except OSError:
        return False
    return False


def header(source: Path) -> list[str]:
    """A CSV's column names: its first line, a byte-order mark dropped, each name stripped.
    Refused in one line if that line cannot be read, names nothing, or names a column
    twice (case aside)."""
    opener: Callable[..., Any] = gzip.open if source.suffix.lower() == ".gz" else open
    try:
        with opener(source, "rb") as handle:
            first = handle.readline()
        names = next(csv.reader([first.decode("utf-8-sig")]), [])
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise BadInput("input", f"{source.name}: cannot read the header line ({error})") from None
    if not names or not any(name.strip() for name in names):
        raise BadInput("input", f"{source.name}: empty file (the first line names the columns)")
    if len(names) == 1:
        for mark, said in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
            if mark in names[0]:
                raise BadInput(
                    "input",
                    f"{source.name}: its columns are separated by {said}, not commas; "
                    "save it as comma-separated CSV",
                )
    names = [name.strip() for name in names]
    seen = set()
    for name in names:
        if name.lower() in seen:
            raise BadInput("input", f"{source.name}: column {name!r} appears twice in the header")
        seen.add(name.lower())
    return names


def header_naming(source: Path, wanted: tuple[str, ...]) -> list[str]:
    """``header``, with a name of ``wanted`` written in any case taken as ``wanted`` writes
    it ("Destination", " HS " are destination, hs); refused in one line if one is missing."""
    names = [name.lower() if name.lower() in wanted else name for name in header(source)]
    missing = sorted(set(wanted) - set(names))
    if missing:
        raise BadInput(
            "input",
            f"{source.name}: missing column(s) {', '.join(missing)} (its header names "
            f"{', '.join(names)})",
        )
    return names


def csv_text(
    con: duckdb.DuckDBPyConnection, source: Path, names: list[str], extra: str = ""
) -> duckdb.DuckDBPyRelation:
    """The CSV read by its header's ``names``, every column text, as RFC 4180 writes it (a
    quote inside a quoted field doubled), an empty field null; DuckDB guesses nothing."""
    columns = "{" + ", ".join(f"'{quote(n)}': 'VARCHAR'" for n in names) + "}"
    return con.sql(
        f"select * from read_csv('{quote(str(source))}', header = true, auto_detect = false, "
        f"columns = {columns}, delim = ',', quote = '\"', escape = '\"'{extra})"
    )


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def csv_error(source: Path, error: BaseException) -> BadInput:
    """DuckDB's refusal of a CSV line (``csv_text``) in one line: the line and what is
    wrong with it, in the words ``rejected_lines`` uses; else as ``unreadable``."""
    text = str(error)
    line = _CSV_LINE.search(text)
    if line is None:
        return unreadable(source, error)
    fields = _FIELDS.search(text)
    if fields is not None:
        more = int(fields.group(2)) > int(fields.group(1))
        reason = f"{'more' if more else 'fewer'} fields than the header has columns"
    elif "unterminated quote" in text:
        reason = "a quote that is not closed"
    elif "unicode" in text.lower() or "utf-8" in text.lower():
        reason = "not UTF-8 text"
    else:
        reason = "not read as a row of the header's columns"
    return BadInput("input", f"{source.name}: line {line.group(1)}: {reason}; nothing was written")


def _csv(con: duckdb.DuckDBPyConnection, source: Path) -> duckdb.DuckDBPyRelation:
    names = header(source)
    table = f"bilateral_rejects_{next(_REJECTS)}"
    rel = csv_text(
        con,
        source,
        names,
        f", store_rejects = true, rejects_table = '{table}', rejects_scan = '{table}_scan'",
    )
    _REJECT_TABLES[id(con), str(source)] = table
    return rel


_REJECT_TABLES: dict[tuple[int, str], str] = {}


def quote(text: str) -> str:
    """``text`` inside a SQL string literal."""
    return text.replace("'", "''")


_REASONS = {
    "TOO MANY COLUMNS": "more fields than the header has columns",
    "MISSING COLUMNS": "fewer fields than the header has columns",
    "UNQUOTED VALUE": "a quote that is not closed",
    "INVALID ENCODING": "not UTF-8 text",
    "INVALID UNICODE": "not UTF-8 text",
}


def rejected_lines(con: duckdb.DuckDBPyConnection, source: Path) -> list[tuple[int, str]]:
    """(line, reason) of each CSV row set aside by the last scan of ``relation(con,
    source)``, in line order; none for Parquet."""
    table = _REJECT_TABLES.get((id(con), str(source)))
    if table is None:
        return []
    try:
        found = con.execute(
            f"select line, min(error_type) from {table} group by line order by line"
        ).fetchall()
    except duckdb.Error:  # no scan has run, or nothing was set aside
        return []
    return [
        (int(line), "row: " + _REASONS.get(str(kind), str(kind).lower())) for line, kind in found
    ]


def count_rows(
    con: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation, source: Path
) -> tuple[int, list[tuple[int, str]]]:
    """(rows read, (line, reason) of the rows set aside) of one scan of ``relation(con,
    source)`` that reads every field: a bare ``count(*)`` does not decode the text, so a
    row that is not UTF-8 would pass the count and vanish from the later read."""
    fields = ", ".join(f'count("{name.replace(chr(34), chr(34) * 2)}")' for name in rel.columns)
    try:
        counted = rel.aggregate(f"count(*), {fields}" if fields else "count(*)").fetchall()
    except duckdb.Error as error:
        raise unreadable(source, error) from None
    total = int(counted[0][0]) if counted else 0
    return total, rejected_lines(con, source)


def blank_lines(source: Path) -> list[int]:
    """The numbers of a CSV's empty lines after its header: readers skip them, so the rows
    after one are further down the file than their count says. None but in a CSV."""
    if source.suffix.lower() not in (".csv", ".txt", ".gz"):
        return []
    opener: Callable[..., Any] = gzip.open if source.suffix.lower() == ".gz" else open
    found: list[int] = []
    line = 1  # the line being read
    # What came before the block, as far as it tells: b"\n" the line is empty so far,
    # b"\n\r" it is a lone carriage return so far, b"x" it has text.
    before = b"\n"
    try:
        with opener(source, "rb") as handle:
            while block := handle.read(_BLOCK):
                data = before + block
                base = line - 1 if before != b"x" else line  # the line data's 1st \n ends
                counted, upto = 0, 0
                for match in _BLANK.finditer(data):
                    counted += data.count(b"\n", upto, match.start())
                    upto = match.start()
                    if base + counted + 1 > 1:
                        found.append(base + counted + 1)
                line += block.count(b"\n")
                end = block.rfind(b"\n")
                if end >= 0:
                    tail = block[end + 1 :]
                    before = b"\n" if not tail else b"\n\r" if tail == b"\r" else b"x"
                else:
                    before = b"\n\r" if before == b"\n" and block == b"\r" else b"x"
    except (OSError, EOFError):
        return []
    return found


def line_numbers(start: int, count: int, first: int, rejected: list[int]) -> np.ndarray:
    """The file lines of ``count`` accepted rows from the ``start``-th (0-based), around
    the ``rejected`` lines (sorted; rows set aside and blank lines): accepted row k is on
    line first + k + the number of rejected lines before it."""
    k = np.arange(start, start + count, dtype=np.int64)
    rejects = np.asarray(rejected, dtype=np.int64)
    inserted = rejects - first - np.arange(len(rejects), dtype=np.int64)  # accepted before
    return first + k + np.searchsorted(inserted, k, side="right")


def _column(columns: list[str], *names: str) -> str | None:
    lowered = {c.lower(): c for c in columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def party_columns(columns: list[str], where: str = "") -> dict[str, str | None]:
    """The file's column for each party field (any case; the first alias found), ``None``
    where absent. No name column is bad input, prefixed with ``where`` (the file's name)."""
    cols = {
        "name": _column(columns, *NAME_COLUMNS),
        "date": _column(columns, "date", "on", "as_of"),
        "birth_date": _column(columns, "birth_date", "dob", "date_of_birth"),
        "country": _column(columns, "country", "nationality"),
        "identifier": _column(columns, "identifier", "id_number", "passport"),
        "kind": _column(columns, "kind", "schema", "type"),
        "row_id": _column(columns, "row_id", "id"),
    }
    if cols["name"] is None:
        prefix = f"{where}: " if where else ""
        raise BadInput("input", f"{prefix}no name column (one of {', '.join(NAME_COLUMNS)})")
    return cols
