"""Screen export and import declaration lines: the goods determination, the parties, and
the permit, per row.

One row per declaration line: ``date``, ``direction`` (export, the default, or import),
``destination`` (exports) or ``origin`` (imports), ``hs`` or ``ecl``, the party names
(``exporter``, ``consignee``, ``end_user``, ``importer``), and optionally ``permit`` and
``quantity``. DuckDB reads the file and finds the distinct questions in it: distinct goods
questions (direction, country, law epoch, goods) go once each to the engine, distinct party
names once each to the screening index, and DuckDB joins the answers back to the rows. A
law epoch is the interval between two dates on which any rule or HS edition changes, so a
determination is asked once per epoch rather than once per day.

Permits are checked only against a permit office database given with ``--office-db``;
without one each row with a permit says "permit not checked: no office database given"
rather than guessing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from bilateral import countries
from bilateral.duck import first_row
from bilateral.engine import checks
from bilateral.engine.law import default_law
from bilateral.engine.party import DealingList, dealing_lists
from bilateral.errors import BadInput
from bilateral.goods import hs
from bilateral.screening import tabular
from bilateral.screening.index import ScreeningIndex
from bilateral.screening.lists.un import UN_LIST
from bilateral.screening.screen import match_names

PARTY_COLUMNS = ("exporter", "consignee", "end_user", "importer")
NOT_CHECKED = "permit not checked: no office database given"


@dataclass
class DeclarationReport:
    rows: int
    errors: int
    hits: int
    output: Path
    error_file: Path | None
    list_versions: tuple[str, ...]
    seconds: dict[str, float]  # per phase, for the benchmark
    resumed_parts: int = 0  # finished parts of an interrupted run that were kept


def _epochs() -> list[dt.date]:
    law = default_law()
    dates = set(law.change_dates) | {e.in_force for e in hs.editions()}
    return sorted(d for d in dates if checks.EARLIEST <= d <= checks.LATEST)


def _goods_answer(direction: str, country: str, on: dt.date, code: str, ecl: str) -> dict[str, Any]:
    try:
        if direction == "import":
            if not code:
                return {"error": "hs: an import line needs an HS code"}
            a = checks.check_import(origin=country, on=on, hs=code)
            return {
                "permit_required": None,
                "outcome": None,
                "prohibited": a["prohibited"],
                "treatment": a["treatment"],
                "rules": ";".join(r["rule"] for r in a.get("reasons", [])),
                "caveats": a["caveats"],
                "error": None,
            }
        a = checks.check_export(to=country, on=on, hs=code or None, ecl=ecl or None)
        return {
            "permit_required": a["permit_required"],
            "outcome": a["outcome"],
            "prohibited": a["outcome"] == "prohibited",
            "treatment": None,
            "rules": ";".join(r["rule"] for r in a.get("reasons", [])),
            "caveats": a["caveats"],
            "error": None,
        }
    except BadInput as error:
        return {"error": str(error)}


class _PermitBook:
    """Permits of the office database, read once."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.permits: dict[
            str, tuple[str, str, dt.date, dt.date, list[tuple[str, int, int]], str]
        ] = {}
        if url is None:
            return
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except ArgumentError:
            raise BadInput("office-db", f"{url!r} is not a database URL") from None
        database = parsed.database or ""
        # SQLite would create an empty database and answer "permit unknown" to every row.
        sqlite = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
        if sqlite and not Path(database).is_file():
            raise BadInput("office-db", f"no such SQLite database: {database}")
        engine = create_engine(url)
        try:
            with engine.connect() as con:
                rows = con.execute(
                    text(
                        "select p.id, p.number, p.status, p.destination, p.valid_from, "
                        "p.valid_to, o.name from permits p "
                        "left join organisations o on o.id = p.organisation_id"
                    )
                ).all()
                lines = con.execute(
                    text(
                        "select permit_id, hs_code, authorised_quantity_milli, "
                        "used_quantity_milli from permit_lines"
                    )
                ).all()
        except Exception as error:  # any driver's error: one line, the option named
            raise BadInput(
                "office-db", f"cannot read permits: {str(error).splitlines()[0]}"
            ) from None
        by_id: dict[int, list[tuple[str, int, int]]] = {}
        for permit_id, code, authorised, used in lines:
            by_id.setdefault(permit_id, []).append((str(code), int(authorised), int(used)))
        for pid, number, status, destination, start, end, holder in rows:
            self.permits[str(number)] = (
                str(status),
                str(destination),
                _as_date(start),
                _as_date(end),
                by_id.get(pid, []),
                str(holder or ""),
            )

    def check(
        self, number: str, on: dt.date, country: str, code: str, quantity: str, exporter: str = ""
    ) -> str:
        if not number:
            return ""
        if self.url is None:
            return NOT_CHECKED
        found = self.permits.get(number)
        if found is None:
            return "permit unknown to the office"
        status, destination, start, end, lines, holder = found
        problems = []
        if not exporter:
            problems.append("exporter not given: the permit's holder not checked")
        elif " ".join(exporter.split()).casefold() != " ".join(holder.split()).casefold():
            problems.append(f"held by {holder or 'another holder'}, not {exporter}")
        if status != "active":
            problems.append(f"permit {status}")
        if not start <= on <= end:
            problems.append(f"not valid on {on} (valid {start} to {end})")
        if destination != country:
            problems.append(f"issued for {destination}, not {country}")
        digits = code.replace(".", "")
        line = next(
            (ln for ln in lines if digits and digits.startswith(ln[0].replace(".", ""))), None
        )
        if line is None:
            problems.append("no permit line for these goods")
        elif not quantity:
            problems.append("quantity not given: balance not checked")
        else:  # a number not below 0: anything else is the row's error (screen_rows)
            wanted = round(float(quantity) * 1000)
            left = line[1] - line[2]
            if wanted > left:
                problems.append(f"balance {left / 1000:g} does not cover {wanted / 1000:g}")
        return (
            "permit valid: known, in force on the date, balance covers"
            if not problems
            else ("permit problem: " + "; ".join(problems))
        )


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


OUTPUT_SCHEMA = pa.schema(
    [("line", pa.int64()), ("date", pa.string()), ("direction", pa.string()),
     ("country", pa.string()), ("hs", pa.string()), ("ecl", pa.string()),
     ("permit_required", pa.bool_()), ("outcome", pa.string()), ("prohibited", pa.bool_()),
     ("verdict", pa.string()),
     ("treatment", pa.string()), ("rules", pa.string()), ("caveats", pa.list_(pa.string())),
     ("party_hits", pa.int64()), ("party_best_score", pa.float64()),
     ("party_matches", pa.string()), ("permit_check", pa.string()), ("error", pa.string())]
)  # fmt: skip


KNOWN_COLUMNS = ("date", "direction", "destination", "origin", "hs", "ecl", *PARTY_COLUMNS,
                 "permit", "quantity")  # fmt: skip
# Other spellings of a column as files write them (after case, spaces and hyphens).
_ALIASES = {"hs_code": "hs", "hscode": "hs", "enduser": "end_user",
            **{f"{p}_name": p for p in PARTY_COLUMNS}}  # fmt: skip


def declaration_columns(columns: list[str]) -> dict[str, str]:
    """The file's column for each column this screening reads, by the name it reads it
    by: any case, spaces or hyphens for underscores ("HS Code", "End-User"), and the
    aliases above ("hs_code", "consignee_name"); the first column found wins."""
    found: dict[str, str] = {}
    for column in columns:
        key = "_".join(column.strip().lower().replace("-", " ").split())
        key = _ALIASES.get(key, key)
        if key in KNOWN_COLUMNS and key not in found:
            found[key] = column
    return found


def party_columns_found(columns: list[str]) -> tuple[list[str], list[str]]:
    """(the party columns screened, as the file names them; the columns not read)."""
    found = declaration_columns(columns)
    used = set(found.values())
    return [found[p] for p in PARTY_COLUMNS if p in found], [
        c for c in columns if c not in used and c != "__line"
    ]


def _reference_start(listed: DealingList) -> str:
    """How the screening references of a list's items begin: a schedule's by its citation
    ("SOR/2014-58, Schedule 1,"), the UN list's by its items' common start ("UN Security
    Council Consolidated List, KP")."""
    if listed.provision.startswith(UN_LIST):
        return f"{UN_LIST}, {listed.item_prefix}"
    return f"{listed.instrument}, {listed.provision},"


def check_columns(columns: list[str], where: str) -> None:
    """A declarations file needs a date and a destination or origin column (any case)."""
    found = declaration_columns(columns)
    if "date" not in found or not ({"destination", "origin"} & set(found)):
        raise BadInput("input", f"{where}: need a date column and destination or origin")


def screen_rows(
    con: duckdb.DuckDBPyConnection,
    columns: list[str],
    line: str,
    index: ScreeningIndex,
    threshold: float,
    permits: _PermitBook,
    workers: int = 0,
    lap: Callable[[str], None] | None = None,
    rejected: list[tuple[int, str]] | None = None,
    memo: Memo | None = None,
    ordered: bool = True,
) -> str:
    """Screen the declaration lines of the view ``src`` (its ``columns``; ``line`` the SQL
    of each row's line number) and return the SQL of the output rows, ``OUTPUT_SCHEMA``,
    in line order. The one-machine path runs it once on the whole file, the Spark path
    once per Arrow batch: the same questions, so the same rows. ``rejected``: the (line,
    reason) of CSV rows set aside as unreadable; they come out as rows with only their
    line and error, and the other rows' lines count them (``line`` numbered the rows read).
    ``memo``: answers kept from earlier parts of the same run (asked again otherwise).
    ``ordered``: False leaves the rows in any order (for a caller that sorts them later).
    """
    lower = declaration_columns(columns)

    def col(name: str) -> str:
        return f'trim(cast("{lower[name]}" as varchar))' if name in lower else "NULL"

    # Countries: resolved once each, from the distinct spellings in the file.
    country_map: dict[str, str | None] = {}
    for (text,) in con.execute(
        f"select distinct coalesce(nullif({col('destination')}, ''), {col('origin')}, '') from src"
    ).fetchall():
        try:
            country_map[text] = countries.resolve(text).code
        except BadInput:
            country_map[text] = None
    con.register(
        "country_map",
        pa.table(
            {"country_text": list(country_map), "country": list(country_map.values())},
            pa.schema([("country_text", pa.string()), ("country", pa.string())]),
        ),
    )
    # Law epochs: a determination is the same on every day between two change dates.
    starts = [checks.EARLIEST, *(d for d in _epochs() if d > checks.EARLIEST)]
    con.register("epochs", pa.table({"slot": list(range(len(starts))), "start": starts}))
    # One pass over the rows, materialised once: the row, its checks and its law epoch
    # (each distinct day's epoch found once, then joined to the rows by day).
    con.execute(
        f"""create temp table qe as
            with rows as (
              select {line} as line,
                {col("date")} as date_text,
                coalesce(lower({col("direction")}), 'export') as direction,
                coalesce(nullif({col("destination")}, ''), {col("origin")}, '') as country_text,
                coalesce({col("hs")}, '') as hs, coalesce({col("ecl")}, '') as ecl,
                {", ".join(f"{col(p)} as {p}" for p in PARTY_COLUMNS)},
                coalesce({col("permit")}, '') as permit,
                coalesce({col("quantity")}, '') as quantity
              from src),
            q as (
              select r.*, m.country, try_cast(r.date_text as date) as day,
                case when r.direction not in ('export', 'import') then 'direction: '
                       || r.direction || ' (use export or import)'
                     when try_cast(r.date_text as date) is null
                       then 'date: ' || coalesce(r.date_text, '') || ' is not a date (YYYY-MM-DD)'
                     when try_cast(r.date_text as date) not between date '{checks.EARLIEST}'
                       and date '{checks.LATEST}'
                       then 'date: outside {checks.EARLIEST} to {checks.LATEST}'
                     when m.country is null then 'country: unknown country ' || r.country_text
                     when r.hs = '' and r.ecl = '' then 'hs: give an HS code or an ECL item'
                     when r.quantity <> '' and try_cast(r.quantity as double) is null
                       then 'quantity: ' || r.quantity || ' is not a number'
                     when r.quantity <> '' and try_cast(r.quantity as double) < 0
                       then 'quantity: ' || r.quantity || ' is negative'
                end as row_error
              from rows r left join country_map m using (country_text)),
            days as (select distinct day from q where day is not null),
            day_epochs as (
              select d.day, e.slot, e.start from days d asof left join epochs e
              on d.day >= e.start)
            select q.*, de.slot, de.start from q left join day_epochs de on de.day = q.day"""
    )
    if rejected:
        # Rows read are numbered from the first data line (``start``); each is moved down
        # by the rejected lines before it.
        first = first_row(con.execute("select min(line) from qe"))
        start = int(first[0]) if first and first[0] is not None else 0
        lines = [line for line, _ in rejected]
        con.register(
            "rejected_rows",
            pa.table({"line": lines, "reason": [reason for _, reason in rejected],
                      "s": [r - start - j for j, r in enumerate(lines)]}),
        )  # fmt: skip
        con.execute(
            f"update qe set line = qe.line + (select count(*) from rejected_rows r "
            f"where r.s <= qe.line - {start})"
        )
        con.execute("insert into qe (line, row_error) select line, reason from rejected_rows")
    if lap:
        lap("read")
    memo = memo or Memo()
    _goods_table(con, memo)
    if lap:
        lap("goods")
    _party_table(con, index, threshold, workers, memo)
    if lap:
        lap("parties")
    # Permits: once per distinct (permit, day, country, goods, quantity).
    permit_rows = [
        {
            "permit": p,
            "day": d,
            "country": c,
            "hs": h,
            "quantity": qn,
            "exporter": ex,
            "permit_check": permits.check(p, d, c, h, qn, ex),
        }
        for p, d, c, h, qn, ex in con.execute(
            "select distinct permit, day, country, hs, quantity, coalesce(exporter, '') from qe "
            "where permit <> '' and row_error is null"
        ).fetchall()
    ]
    con.register(
        "permit_checks",
        pa.Table.from_pylist(
            permit_rows,
            pa.schema(
                [
                    ("permit", pa.string()),
                    ("day", pa.date32()),
                    ("country", pa.string()),
                    ("hs", pa.string()),
                    ("quantity", pa.string()),
                    ("exporter", pa.string()),
                    ("permit_check", pa.string()),
                ]
            ),
        ),
    )
    return """
          select cast(q.line as bigint) as line, q.date_text as date, q.direction, q.country,
                 q.hs, q.ecl, g.permit_required, g.outcome,
                 -- dealing with a party listed under a Canadian prohibition on the date is
                 -- prohibited whatever the goods (the rule cited in rules)
                 case when h.party_rules is not null then true else g.prohibited end
                   as prohibited,
                 case when h.party_rules is not null or g.prohibited then 'prohibited'
                      when h.party_review then 'review'
                      when coalesce(q.row_error, g.goods_error) is not null then null
                      when q.direction = 'import' then 'allowed'
                      else g.outcome end as verdict,
                 g.treatment,
                 nullif(concat_ws(';', nullif(g.rules, ''), h.party_rules, h.party_restricted),
                        '') as rules,
                 g.caveats, cast(coalesce(h.party_hits, 0) as bigint) as party_hits,
                 cast(h.best as double) as party_best_score,
                 coalesce(h.party_matches, '[]') as party_matches,
                 pc.permit_check,
                 coalesce(q.row_error, g.goods_error) as error
          from qe q
          left join goods g on g.direction = q.direction and g.country = q.country
               and g.slot = q.slot and g.day = q.day and g.hs = q.hs and g.ecl = q.ecl
          left join line_hits h on h.line = q.line
          left join permit_checks pc on q.row_error is null
               and pc.permit = q.permit and pc.day = q.day
               and pc.country = q.country and pc.hs = q.hs and pc.quantity = q.quantity
               and pc.exporter = coalesce(q.exporter, '')
          """ + ("order by q.line" if ordered else "")


CHUNK_ROWS = 1_000_000  # rows per finished part: what a killed run does not do again


@dataclass
class Memo:
    """Answers kept from one part of a file to the next: each distinct party name is
    matched, and each goods question asked of the engine, once per run."""

    names: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    questions: dict[tuple[str, str, dt.date, str, str], dict[str, Any]] = field(
        default_factory=dict
    )
    answered: list[pa.Table] = field(default_factory=list)  # the questions', as tables

    def answers(self) -> pa.Table:
        """Every question asked so far, one row each (see ``_answers_table``)."""
        if len(self.answered) != 1:
            self.answered = [pa.concat_tables([_answers_table([], {}), *self.answered])]
        return self.answered[0]


def screen_declarations(
    source: Path,
    target: Path,
    index: ScreeningIndex,
    threshold: float,
    office_db: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> DeclarationReport:
    """Screen the file in parts of ``CHUNK_ROWS`` rows (``BILATERAL_SCREEN_CHUNK_ROWS``),
    each written as a numbered part file beside the output with a manifest naming the
    input's hash, the lists, the law and the options: a run killed half-way resumes from
    the last finished part, and the output (renamed into place when every part is done) is
    the file a clean run writes. A row's answer depends on its own fields only, so parts
    give the rows the whole file would. ``notice``: told in one line when finished parts
    of an interrupted run are not used (another input, lists, law or options)."""
    tabular.check_paths(source, target)
    permits = _PermitBook(office_db)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[phase] = round(seconds.get(phase, 0.0) + now - clock, 2)
        clock = now

    con = duckdb.connect()
    rel = tabular.relation(con, source)
    columns = list(rel.columns)
    check_columns(columns, source.name)
    read, rejected = tabular.count_rows(con, rel, source)
    total = read + len(rejected)
    size = tabular.chunk_rows(CHUNK_ROWS)
    parts_dir = target.with_name(target.name + ".parts")
    manifest = {
        "kind": "declarations",
        "input": str(source.resolve()),
        "input_hash": _hash_file(source),
        "threshold": threshold,
        "list_versions": list(index.versions),
        "law_version": default_law().law_version,
        "office_db": hashlib.sha256(office_db.encode()).hexdigest() if office_db else None,
        "chunk_rows": size,
    }
    done = tabular.resume(parts_dir, manifest, notice or (lambda line: None))
    lap("read")
    first = tabular.first_line(source)
    # Rows are numbered by the file's lines: past the rows set aside and the blank lines.
    rejected_at = sorted({line for line, _ in rejected} | set(tabular.blank_lines(source)))
    screened = min(done * size, read)
    if progress:
        progress(screened, total)
    memo = Memo()
    part = done
    # A part's rows are put together and written in a thread while the next part is
    # screened (DuckDB and Arrow work there without the GIL); parts are written in order,
    # and a part is counted done (progress) only once its file is in place.
    writer = ThreadPoolExecutor(1)
    pending: Future[int] | None = None
    try:
        for start, rows in tabular.chunks(iter(rel.to_arrow_reader(size)), size, done):
            lines = tabular.line_numbers(start, rows.num_rows, first, rejected_at)
            chunk = duckdb.connect()
            chunk.register("src", rows.append_column("__line", pa.array(lines, pa.int64())))
            select = screen_rows(
                chunk,
                columns,
                '"__line"',
                index,
                threshold,
                permits,
                lap=lap,
                memo=memo,
                ordered=False,  # the parts are sorted by line when they are put together
            )
            if pending is not None:
                screened += pending.result()
                lap("join and write")
                if progress:
                    progress(screened, total)
            path = parts_dir / f"part-{part:05d}.parquet"
            pending = writer.submit(_write_part, chunk, select, path, rows.num_rows)
            part += 1
        if pending is not None:
            screened += pending.result()
            pending = None
            lap("join and write")
            if progress:
                progress(screened, total)
    finally:
        writer.shutdown(wait=True)  # a part being written is finished: whole or absent
    # Every part done: the output is the parts and the unreadable rows, in line order.
    files = [parts_dir / f"part-{i:05d}.parquet" for i in range(part)]
    if files:
        listed = ", ".join(f"'{tabular.quote(str(f))}'" for f in files)
        con.execute(f"create or replace view parts as select * from read_parquet([{listed}])")
    else:
        con.register("parts", OUTPUT_SCHEMA.empty_table())
    con.register(
        "unread",
        pa.Table.from_pylist(
            [{"line": line, "party_hits": 0, "party_matches": "[]", "error": reason}
             for line, reason in rejected],
            OUTPUT_SCHEMA,
        ),
    )  # fmt: skip
    select = "select * from parts union all by name select * from unread order by line"
    temporary = target.with_name(target.name + ".tmp")
    if target.suffix.lower() == ".parquet":
        con.execute(f"copy ({select}) to '{temporary}' (format parquet)")
    else:
        con.execute(
            f"copy (select * replace (array_to_string(caveats, ' | ') as caveats) "
            f"from ({select})) to '{temporary}' (format csv, header true)"
        )
    lap("join and write")
    out = (
        con.read_parquet(str(temporary))
        if target.suffix.lower() == ".parquet"
        else con.read_csv(str(temporary))
    )
    con.register("out", out)
    counts = first_row(
        con.execute(
            "select count(*), count(error), count(*) filter (where party_hits > 0) from out"
        )
    )
    assert counts is not None
    tabular.clear_errors(target)
    error_file = write_errors(con, "out", target) if counts[1] else None
    os.replace(temporary, target)
    shutil.rmtree(parts_dir, ignore_errors=True)
    if progress:
        progress(total, total)
    return DeclarationReport(
        rows=int(counts[0]),
        errors=int(counts[1]),
        hits=int(counts[2]),
        output=target,
        error_file=error_file,
        list_versions=index.versions,
        seconds=seconds,
        resumed_parts=done,
    )


def _write_part(chunk: duckdb.DuckDBPyConnection, select: str, path: Path, rows: int) -> int:
    """Write one part's rows (``select`` on ``chunk``, then closed) to ``path``."""
    try:
        table = chunk.sql(select).to_arrow_table().cast(OUTPUT_SCHEMA)
    finally:
        chunk.close()
    pq.write_table(table, path.with_suffix(".tmp"))
    os.replace(path.with_suffix(".tmp"), path)  # a part is whole or absent
    return rows


def _hash_file(path: Path) -> str:
    from bilateral.screening.bulk import _hash_file

    return _hash_file(path)


def errors_path(target: Path) -> Path:
    return target.with_name(target.stem + ".errors.csv")


def write_errors(con: duckdb.DuckDBPyConnection, view: str, target: Path) -> Path:
    """The row-level error report beside the output: line and reason of each bad row."""
    error_file = errors_path(target)
    con.execute(
        f"copy (select line, error from {view} where error is not null order by line) "
        f"to '{error_file}' (format csv, header true)"
    )
    return error_file


_GOODS_SCHEMA = pa.schema(
    [("direction", pa.string()), ("country", pa.string()), ("slot", pa.int64()),
     ("start", pa.date32()), ("day", pa.date32()), ("hs", pa.string()),
     ("ecl", pa.string()), ("caveats", pa.list_(pa.string())),
     ("permit_required", pa.bool_()), ("outcome", pa.string()), ("prohibited", pa.bool_()),
     ("treatment", pa.string()), ("rules", pa.string()), ("goods_error", pa.string())]
)  # fmt: skip
_VECTOR = "direction = 'export' and hs <> '' and ecl = ''"
_VECTOR_Q = "q.direction = 'export' and q.hs <> '' and q.ecl = ''"


def _goods_table(con: duckdb.DuckDBPyConnection, memo: Memo) -> None:
    """The goods answer of every distinct (direction, country, epoch, day, hs, ecl): exports
    with an HS code through the engine's vectorised path (which answers once per epoch
    itself), column by column in Arrow; the rest one question per epoch, asked again on the
    row's day only where a caveat names the day asked (so every caveat is the single path's
    for that row)."""
    from bilateral.engine.batch import _plain_type, screen_exports

    con.execute(
        "create temp table goods_q as select distinct direction, country, slot, start, day, "
        "hs, ecl from qe where row_error is null"
    )
    law = default_law()
    parts: list[pa.Table] = []
    vector = con.sql(f"select * from goods_q where {_VECTOR}").to_arrow_table()
    if vector.num_rows:
        table = screen_exports(
            law,
            pa.table(
                {
                    "destination": vector["country"],
                    "date": vector["day"].cast(pa.date32()),
                    "hs": vector["hs"],
                }
            ),
        )
        table = table.cast(pa.schema([pa.field(f.name, _plain_type(f.type)) for f in table.schema]))
        outcome = table["outcome"]
        parts.append(
            pa.table(
                {
                    **{name: vector[name] for name in ("direction", "country", "slot", "start",
                                                       "day", "hs", "ecl")},
                    "caveats": table["caveats"],
                    "permit_required": table["permit_required"],
                    "outcome": outcome,
                    "prohibited": pa.compute.equal(outcome, "prohibited"),
                    "treatment": pa.nulls(vector.num_rows, pa.string()),
                    "rules": table["rules"],
                    "goods_error": table["error"],
                }
            ).cast(_GOODS_SCHEMA)
        )  # fmt: skip
    if len(memo.questions) > 1_000_000:
        memo.questions.clear()
        memo.answered.clear()
    # One question per epoch: in worker processes when there are many (imports over years
    # of epochs), each answer the engine's own.
    wanted: list[tuple[str, str, dt.date, str, str]] = [
        (d, c, s, h, e)
        for d, c, s, h, e in con.execute(
            f"select distinct direction, country, start, hs, ecl from goods_q where not ({_VECTOR})"
        ).fetchall()
    ]
    _ask(wanted, memo)
    # The answers of the questions this part asks, joined to its rows in DuckDB; a row whose
    # answer has a caveat naming the day asked (the epoch's start) is asked again on its own
    # day (so every caveat is the single path's for that row).
    con.register("goods_epoch", memo.answers())
    keys = "direction, country, start, hs, ecl"
    again: list[tuple[str, str, dt.date, str, str]] = [
        (d, c, s, h, e)
        for d, c, s, h, e in con.execute(
            f"select distinct q.direction, q.country, q.day, q.hs, q.ecl from goods_q q "
            f"join goods_epoch a using ({keys}) where not ({_VECTOR_Q}) and a.dated "
            "and q.day <> q.start"
        ).fetchall()
    ]
    _ask(again, memo)
    con.register("goods_day", memo.answers())
    columns = ", ".join(f.name for f in _GOODS_SCHEMA if f.name not in _QUESTION)
    parts.append(
        con.sql(
            f"select q.direction, q.country, q.slot, q.start, q.day, q.hs, q.ecl, "
            f"{', '.join('a.' + c for c in columns.split(', '))} "
            f"from goods_q q join goods_epoch a using ({keys}) "
            f"where not ({_VECTOR_Q}) and not (a.dated and q.day <> q.start) "
            f"union all "
            f"select q.direction, q.country, q.slot, q.start, q.day, q.hs, q.ecl, "
            f"{', '.join('b.' + c for c in columns.split(', '))} "
            f"from goods_q q join goods_epoch a using ({keys}) "
            "join goods_day b on b.direction = q.direction and b.country = q.country "
            "and b.start = q.day and b.hs = q.hs and b.ecl = q.ecl "
            f"where not ({_VECTOR_Q}) and a.dated and q.day <> q.start"
        )
        .to_arrow_table()
        .cast(_GOODS_SCHEMA)
    )
    con.register("goods", pa.concat_tables(parts))


def _ask(questions: list[tuple[str, str, dt.date, str, str]], memo: Memo) -> None:
    """Ask the engine each question not in ``memo`` yet, and keep the answers there: in
    worker processes when there are many (imports over years of epochs)."""
    todo = [q for q in dict.fromkeys(questions) if q not in memo.questions]
    workers = os.cpu_count() or 1
    if workers > 1 and len(todo) > 5_000:
        chunks = [todo[i : i + 2_000] for i in range(0, len(todo), 2_000)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            answers = [a for part in pool.imap(_ask_chunk, chunks) for a in part]
    else:
        answers = _ask_chunk(todo)
    memo.questions.update(zip(todo, answers, strict=True))
    if todo:
        memo.answered.append(_answers_table(todo, memo.questions))


_QUESTION = ("direction", "country", "slot", "start", "day", "hs", "ecl")
_ANSWERS = tuple(name for name in _GOODS_SCHEMA.names if name not in (*_QUESTION, "goods_error"))


def _answer_columns(answer: dict[str, Any]) -> dict[str, Any]:
    """An engine answer as the goods table's answer columns (absent fields null)."""
    return {
        **{name: answer.get(name) for name in _ANSWERS},
        "goods_error": answer.get("error"),
    }


def _answers_table(
    wanted: list[tuple[str, str, dt.date, str, str]],
    answers: dict[tuple[str, str, dt.date, str, str], dict[str, Any]],
) -> pa.Table:
    """One row per question: its keys, its answer, and whether a caveat names the day
    asked (the epoch's start)."""
    rows = []
    for direction, country, start, code, ecl in wanted:
        answer = answers[direction, country, start, code, ecl]
        day = start.isoformat()
        rows.append(
            {
                "direction": direction,
                "country": country,
                "start": start,
                "hs": code,
                "ecl": ecl,
                **_answer_columns(answer),
                "dated": any(day in c for c in answer.get("caveats", ())),
            }
        )
    schema = pa.schema(
        [f for f in _GOODS_SCHEMA if f.name in _QUESTION and f.name not in ("slot", "day")]
        + [f for f in _GOODS_SCHEMA if f.name not in _QUESTION]
        + [pa.field("dated", pa.bool_())]
    )
    return pa.Table.from_pylist(rows, schema)


def _ask_chunk(questions: list[tuple[str, str, dt.date, str, str]]) -> list[dict[str, Any]]:
    return [_goods_answer(*question) for question in questions]


def _match_chunk(job: tuple[list[str], float]) -> list[tuple[str, int, float]]:
    names, threshold = job
    assert _INDEX is not None
    return [
        (name, m[0], m[1]) for name in names for m in match_names(_INDEX, name, "any", threshold)
    ]


_INDEX: ScreeningIndex | None = None


def _party_table(
    con: duckdb.DuckDBPyConnection,
    index: ScreeningIndex,
    threshold: float,
    workers: int = 0,
    memo: Memo | None = None,
) -> None:
    """``line_hits``: per line, the party names that match a listed entry on its date."""
    global _INDEX
    # A party is screened whenever its row has a date: an unknown country or missing HS
    # code is the goods' error, and does not make a listed party pass unseen.
    roles = [
        f"select line, day, '{p}' as role, {p} as party from qe "
        f"where {p} is not null and {p} <> '' and day between date '{checks.EARLIEST}' "
        f"and date '{checks.LATEST}' and (direction = 'export' or direction = 'import')"
        for p in PARTY_COLUMNS
    ]
    con.execute(f"create temp table role_vals as {' union all '.join(roles)}")
    memo = memo or Memo()
    if len(memo.names) > 1_000_000:
        memo.names.clear()
    wanted = [n for (n,) in con.execute("select distinct party from role_vals").fetchall()]
    wanted.sort()
    names = [n for n in wanted if n not in memo.names]
    _INDEX = index
    chunks = [(names[i : i + 2000], threshold) for i in range(0, len(names), 2000)]
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(names) > 5_000:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            matched = [m for part in pool.imap(_match_chunk, chunks) for m in part]
    else:
        matched = [m for chunk in chunks for m in _match_chunk(chunk)]
    for name in names:
        memo.names[name] = []
    for name, entry, score in matched:
        memo.names[name].append((entry, score))
    found = [(name, entry, score) for name in wanted for entry, score in memo.names[name]]
    entries = index.entries
    con.register(
        "party_matches",
        pa.table(
            {
                "party": [f[0] for f in found],
                "id": [entries[f[1]][0].id for f in found],
                "name": [entries[f[1]][0].name for f in found],
                "reference": [entries[f[1]][0].reference for f in found],
                "score": [f[2] for f in found],
                "listed_from": pa.array([entries[f[1]][0].listed_from for f in found], pa.date32()),
                "listed_to": pa.array([entries[f[1]][0].listed_to for f in found], pa.date32()),
                "exact": [entries[f[1]][0].listed_from_exact for f in found],
            }
        ),
    )
    # The Canadian prohibitions of dealings with listed persons, by the list whose items an
    # entry's reference cites (an entry of another list is not under them).
    dealings = dealing_lists(default_law())
    con.register(
        "dealing_rules",
        pa.table(
            {
                "prefix": [_reference_start(d) for d in dealings],
                "rule": [d.rule for d in dealings],
                "valid_from": pa.array([d.valid_from for d in dealings], pa.date32()),
                "valid_to": pa.array([d.valid_to for d in dealings], pa.date32()),
                "restricted": [d.restricted for d in dealings],
            }
        ),
    )
    con.execute(
        """create temp table role_hits as
           select r.line, r.day, r.role, r.party, m.id, m.name, m.score, m.reference,
             case when m.listed_to is not null and r.day >= m.listed_to then 'delisted'
                  when m.listed_from is null then 'date unknown'
                  when r.day >= m.listed_from then 'listed'
                  when not m.exact then 'possibly listed'
                  else 'not yet listed' end as status
           from role_vals r join party_matches m on m.party = r.party"""
    )
    con.execute(
        """create temp table line_hits as
           select h.line, count(distinct h.role || h.party) as party_hits,
                  max(h.score) as best,
                  to_json(list(struct_pack(role := h.role, party := h.party, id := h.id,
                                           name := h.name, score := h.score,
                                           status := h.status, reference := h.reference)
                               order by h.role, h.score desc, h.id))::varchar as party_matches,
                  string_agg(distinct d.rule, ';' order by d.rule)
                    filter (where not d.restricted) as party_rules,
                  string_agg(distinct d.rule, ';' order by d.rule)
                    filter (where d.restricted) as party_restricted,
                  bool_or(d.rule is null or d.restricted) as party_review
           from role_hits h
           left join dealing_rules d on h.status = 'listed'
                and starts_with(h.reference, d.prefix)
                and (d.valid_from is null or h.day >= d.valid_from)
                and (d.valid_to is null or h.day <= d.valid_to)
           where h.status in ('listed', 'possibly listed', 'date unknown')
           group by h.line"""
    )
