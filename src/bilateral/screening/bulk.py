"""Bulk screening of parties: a file in, one answer per row out, bad rows reported apart.

Rows stream through DuckDB in chunks; each chunk is screened (in worker processes, the
index built once before they fork) and written as a numbered part file next to the output,
with a manifest naming the input's hash and the options. A run killed half-way resumes
from the last finished part and produces the same file a clean run would; the output
appears (renamed into place) only when every part is done. A row that cannot be screened
(no name, a malformed date) gets its line and reason in the error report; the other rows
are screened.

Results depend on a row's content only, never on its neighbours: shuffling the input
shuffles the output rows and changes nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bilateral.errors import BadInput
from bilateral.screening import tabular
from bilateral.screening.caveats import coverage_caveats
from bilateral.screening.index import ScreeningIndex
from bilateral.screening.lists._text import birth_date, country_code
from bilateral.screening.screen import NameMatch, Query, Screening, match_names, screen

CHUNK_ROWS = 50_000
OUTPUT_SCHEMA = pa.schema(
    [
        ("line", pa.int64()),
        ("row_id", pa.string()),
        ("name", pa.string()),
        ("date", pa.string()),
        ("hits", pa.int32()),
        ("best_score", pa.float64()),
        ("best_match", pa.string()),
        ("best_status", pa.string()),
        ("best_reference", pa.string()),
        ("matches", pa.string()),  # JSON list: every hit with its score and explanation
        ("error", pa.string()),
    ]
)


@dataclass(frozen=True)
class Options:
    on: dt.date | None
    threshold: float
    workers: int = 1
    # the reader's language of the caveats a face prints (Report.caveats_said); the
    # output, its caveats file and metadata are data, in English whatever it is
    lang: str = "en"


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def _ftm_rows(source: Path) -> pa.Table:
    """FtM entities as party rows (name, birth_date, country, identifier, kind)."""
    from bilateral.screening.lists.ftm import read_ftm

    try:
        snapshot = read_ftm(source)
    except ValueError as error:
        raise BadInput("input", str(error)) from None
    rows = [
        {
            "row_id": e.id.removeprefix("ftm/"),
            "name": e.name,
            "birth_date": e.birth_dates[0] if e.birth_dates else None,
            "country": e.nationalities[0] if e.nationalities else None,
            "identifier": e.identifiers[0] if e.identifiers else None,
            "kind": "person" if e.is_person else "organization",
        }
        for e in snapshot.entries
    ]
    return pa.Table.from_pylist(
        rows,
        pa.schema(
            [
                (k, pa.string())
                for k in ("row_id", "name", "birth_date", "country", "identifier", "kind")
            ]
        ),
    )


def _row_query(
    row: dict[str, Any], cols: dict[str, str | None], options: Options
) -> tuple[Query | None, str | None, str]:
    """(query, error, date text) of one row."""
    name = " ".join(str(row.get(cols["name"] or "") or "").split())
    date_text = str(row.get(cols["date"]) or "").strip() if cols["date"] else ""
    if not name:
        return None, "name: empty", date_text
    if len(name) > 300:
        return None, "name: longer than 300 characters", date_text
    if date_text:
        try:
            on = dt.date.fromisoformat(date_text)
        except ValueError:
            return None, f"date: {date_text!r} is not a date (YYYY-MM-DD)", date_text
    elif options.on is not None:
        on = options.on
        date_text = on.isoformat()
    else:
        return None, "date: empty (give a date column or --on)", date_text
    born = None
    if cols["birth_date"] and (raw := str(row.get(cols["birth_date"]) or "").strip()):
        born = birth_date(raw)
        if born is None:
            return None, f"birth_date: {raw!r} is not a date (YYYY-MM-DD or YYYY)", date_text
    countries: tuple[str, ...] = ()
    if cols["country"] and (raw := str(row.get(cols["country"]) or "").strip()):
        code = country_code(raw)
        if code is None:
            return None, f"country: unknown country {raw!r}", date_text
        countries = (code,)
    identifiers: tuple[str, ...] = ()
    if cols["identifier"] and (raw := str(row.get(cols["identifier"]) or "").strip()):
        identifiers = (raw,)
    kind = "any"
    if cols["kind"] and (raw := str(row.get(cols["kind"]) or "").strip().lower()):
        kind = {"person": "person", "individual": "person", "organization": "organization",
                "organisation": "organization", "company": "organization",
                "entity": "organization"}.get(raw, "")  # fmt: skip
        if not kind:
            return None, f"kind: {raw!r} (use person or organization)", date_text
    return Query(name, on, born, countries, identifiers, kind), None, date_text


def hit_records(result: Screening) -> list[dict[str, Any]]:
    return [h.to_json() for h in result.hits]


class ChunkScreener:
    """Screens chunks of rows; keeps the date-free name matches of distinct names."""

    def __init__(self, index: ScreeningIndex, options: Options) -> None:
        self.index = index
        self.options = options
        self.cache: dict[tuple[str, str], tuple[NameMatch, ...]] = {}
        # The output fields of a row's query fields as read (name, date, qualifiers).
        self.rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        # Analyst marks, read once: a party marked after an earlier screening (``check
        # party`` then ``screen mark``) shows its mark on every later screening of it.
        from bilateral.screening.log import all_marks

        self.marks = all_marks()

    def screen_query(self, query: Query) -> Screening:
        key = (query.name, query.kind)
        found = self.cache.get(key)
        if found is None:
            found = match_names(self.index, query.name, query.kind, self.options.threshold)
            if len(self.cache) > 500_000:
                self.cache.clear()
            self.cache[key] = found
        return screen(self.index, query, self.options.threshold, found)

    def answer(self, raw: tuple[Any, ...], fields: tuple[str, ...]) -> tuple[Any, ...]:
        """(date text, the answer fields, error) of one row's query fields as read."""
        try:
            found = self.rows.get(raw)
        except TypeError:  # a Parquet column of lists or maps: compared as text
            raw = tuple(v if v is None else str(v) for v in raw)
            found = self.rows.get(raw)
        if found is not None:
            return found
        row = dict(zip(fields, raw, strict=True))
        cols = {k: (k if k in row else None) for k in _QUERY_FIELDS}
        query, error, date_text = _row_query(row, cols, self.options)
        if query is None:
            found = (date_text, None, None, None, None, None, None, error)
        else:
            result = self.screen_query(query)
            best = result.hits[0] if result.hits else None
            records = hit_records(result)
            if self.marks and records:
                from bilateral.screening.log import attach_marks, input_hash

                party = {
                    "name": query.name,
                    "dob": query.birth_date,
                    "country": query.countries,
                    "id": query.identifiers[0] if query.identifiers else None,
                }
                attach_marks(records, self.marks.get(input_hash(party), {}))
            found = (
                date_text,
                len(result.hits),
                best.score if best else None,
                best.entry.name if best else None,
                best.status if best else None,
                best.entry.reference if best else None,
                json.dumps(records, ensure_ascii=False),
                None,
            )
        if len(self.rows) > 200_000:
            self.rows.clear()
        self.rows[raw] = found
        return found

    def __call__(self, job: tuple[int, pa.Table, dict[str, str | None]]) -> pa.Table:
        first_line, table, cols = job
        # A row's answer depends on its query fields alone: a file repeats its parties, so
        # each distinct set of fields is read and screened once (``answer``).
        fields = tuple(k for k in _QUERY_FIELDS if cols[k])
        values = [table.column(cols[k]).to_pylist() for k in fields]
        answers = [self.answer(raw, fields) for raw in zip(*values, strict=True)]
        rows = table.num_rows
        out: dict[str, list[Any]] = {}
        # Spark numbers its rows itself (``__line``); the DuckDB path counts from the chunk.
        if "__line" in table.column_names:
            out["line"] = table.column("__line").to_pylist()
        else:
            out["line"] = list(range(first_line, first_line + rows))
        if cols["row_id"]:
            out["row_id"] = [
                None if v is None else str(v) for v in table.column(cols["row_id"]).to_pylist()
            ]
        else:
            out["row_id"] = [None] * rows
        names = table.column(cols["name"]).to_pylist()
        out["name"] = ["" if v is None else str(v) for v in names]
        for position, key in enumerate(("date", *_ANSWER_FIELDS, "error")):
            out[key] = [a[position] for a in answers]
        # A bad field is named as the file names it ("dob: …", not "birth_date: …").
        renamed = {f"{k}: ": f"{cols[k]}: " for k in fields if cols[k] not in (None, k)}
        if renamed:
            out["error"] = [_named(e, renamed) for e in out["error"]]
        return pa.table(out, schema=OUTPUT_SCHEMA)


def _named(error: str | None, renamed: dict[str, str]) -> str | None:
    for prefix, column in renamed.items():
        if error is not None and error.startswith(prefix):
            return column + error[len(prefix) :]
    return error


_ANSWER_FIELDS = ("hits", "best_score", "best_match", "best_status", "best_reference", "matches")
_QUERY_FIELDS = ("name", "date", "birth_date", "country", "identifier", "kind")
_WORKER: ChunkScreener | None = None


def _work(job: tuple[int, pa.Table, dict[str, str | None]]) -> pa.Table:
    assert _WORKER is not None
    return _WORKER(job)


@dataclass
class Report:
    rows: int
    errors: int
    hits: int
    output: Path
    error_file: Path | None
    list_versions: tuple[str, ...]
    resumed_parts: int
    # What the lists cannot show on the rows' dates (caveats.py): in the Parquet output's
    # metadata (key ``bilateral.caveats``) and, for either format, in OUTPUT.caveats.txt.
    caveats: tuple[str, ...] = ()
    caveats_file: Path | None = None
    caveats_said: tuple[str, ...] = ()  # the same caveats in Options.lang, for a face


def _jobs(
    source: Path, con: duckdb.DuckDBPyConnection, skip_parts: int, size: int
) -> tuple[Iterator[tuple[int, pa.Table, dict[str, str | None]]], int, list[tuple[int, str]]]:
    """The chunks to screen (from part ``skip_parts`` on), the number of rows read, and
    the (line, reason) of CSV rows set aside as unreadable. Each chunk carries its rows'
    file lines in ``__line`` when rows were set aside (the lines skip theirs)."""
    if source.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        table = _ftm_rows(source)
        batches: Iterator[pa.RecordBatch] = iter(table.to_batches(size))
        total = table.num_rows
        columns = table.column_names
        first_line = 1
        rejected: list[tuple[int, str]] = []
    else:
        rel = tabular.relation(con, source)
        columns = list(rel.columns)
        total, rejected = tabular.count_rows(con, rel, source)  # before the next scan
        batches = iter(rel.to_arrow_reader(size))
        first_line = tabular.first_line(source)
    cols = tabular.party_columns(columns, source.name)
    # Rows are numbered by the file's lines: past the rows set aside and the blank lines.
    rejected_at = sorted({line for line, _ in rejected} | set(tabular.blank_lines(source)))

    def numbered(table: pa.Table, start: int) -> pa.Table:
        if not rejected_at:
            return table
        lines = tabular.line_numbers(start, table.num_rows, first_line, rejected_at)
        return table.append_column("__line", pa.array(lines, pa.int64()))

    def generate() -> Iterator[tuple[int, pa.Table, dict[str, str | None]]]:
        for start, table in tabular.chunks(batches, size, skip_parts):
            yield first_line + start, numbered(table, start), cols

    return generate(), total, rejected


def screen_parties(
    source: Path,
    target: Path,
    index: ScreeningIndex,
    options: Options,
    progress: Callable[[int, int], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> Report:
    """``notice``: told in one line when finished parts of an interrupted run are not
    used (another input, lists or options), before the run starts over."""
    tabular.check_paths(source, target)
    parts_dir = target.with_name(target.name + ".parts")
    size = tabular.chunk_rows(CHUNK_ROWS)
    manifest = {
        "input": str(source.resolve()),
        "input_hash": _hash_file(source),
        "threshold": options.threshold,
        "on": options.on.isoformat() if options.on else None,
        "list_versions": list(index.versions),
        "chunk_rows": size,
    }
    done = tabular.resume(parts_dir, manifest, notice or (lambda line: None))
    con = duckdb.connect()
    try:
        jobs, total, rejected = _jobs(source, con, done, size)
    except BadInput:
        tabular.discard_unstarted(parts_dir)
        raise
    screened = min(done * size, total)
    if progress:
        progress(screened, total)
    global _WORKER
    _WORKER = ChunkScreener(index, options)
    part = done
    pool = None
    try:
        if options.workers > 1:
            pool = multiprocessing.get_context("fork").Pool(options.workers)
            results: Iterator[pa.Table] = pool.imap(_work, jobs)
        else:
            results = map(_work, jobs)
        for table in results:
            path = parts_dir / f"part-{part:05d}.parquet"
            pq.write_table(table, path.with_suffix(".tmp"))
            os.replace(path.with_suffix(".tmp"), path)  # a part is whole or absent
            part += 1
            screened += table.num_rows
            if progress:
                progress(screened, total)
    finally:
        if pool is not None:
            pool.terminate()
    return _finish(parts_dir, part, target, index, done, rejected, options.lang)


def _finish(
    parts_dir: Path,
    parts: int,
    target: Path,
    index: ScreeningIndex,
    resumed: int,
    rejected: list[tuple[int, str]] = (),  # type: ignore[assignment]
    lang: str = "en",
) -> Report:
    files = [parts_dir / f"part-{i:05d}.parquet" for i in range(parts)]
    table = (
        pa.concat_tables([pq.read_table(f) for f in files])
        if files
        else OUTPUT_SCHEMA.empty_table()
    )
    if rejected:  # unreadable CSV rows: a row each, with only its line and reason
        unread = pa.Table.from_pylist(
            [{"line": line, "error": reason} for line, reason in rejected], OUTPUT_SCHEMA
        )
        table = pa.concat_tables([table, unread])
        table = table.take(pa.compute.sort_indices(table["line"]))
    dates = set()
    for text in pa.compute.unique(table["date"]).to_pylist():
        try:
            dates.add(dt.date.fromisoformat(text))
        except (TypeError, ValueError):
            continue  # a bad row's date: reported with the row
    caveats = tuple(coverage_caveats(dates, index.snapshots))
    said = caveats if lang == "en" else tuple(coverage_caveats(dates, index.snapshots, lang))
    caveats_file = target.with_name(target.stem + ".caveats.txt")
    caveats_file.write_text("".join(f"{c}\n" for c in caveats), encoding="utf-8")
    temporary = target.with_name(target.name + ".tmp")
    if target.suffix.lower() == ".parquet":
        metadata = {b"bilateral.caveats": json.dumps(caveats, ensure_ascii=False).encode()}
        pq.write_table(table.replace_schema_metadata(metadata), temporary)
    else:
        pacsv.write_csv(table, temporary)
    errors = table.filter(pa.compute.is_valid(table["error"]))
    error_file: Path | None = None
    tabular.clear_errors(target)
    if errors.num_rows:
        error_file = target.with_name(target.stem + ".errors.csv")
        pacsv.write_csv(errors.select(["line", "name", "error"]), error_file)
    os.replace(temporary, target)
    shutil.rmtree(parts_dir, ignore_errors=True)
    hits = pa.compute.sum(pa.compute.greater(pa.compute.fill_null(table["hits"], 0), 0)).as_py()
    return Report(
        rows=table.num_rows,
        errors=errors.num_rows,
        hits=int(hits or 0),
        output=target,
        error_file=error_file,
        list_versions=index.versions,
        resumed_parts=resumed,
        caveats=caveats,
        caveats_file=caveats_file,
        caveats_said=said,
    )
