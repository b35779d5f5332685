"""The trade statistics store: one DuckDB file, imports atomic, queries that never sum
across currencies or HS editions.

The file is ``$BILATERAL_STATS_DB``, else ``$XDG_DATA_HOME/bilateral/stats.duckdb``
(``~/.local/share/bilateral/stats.duckdb``). Each import records its source, format, file
name, content hash, currency and HS edition; its rows are written in one transaction, and
a file whose years and flows overlap data already held is refused (it would count twice).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from bilateral.duck import first_row
from bilateral.errors import BadInput
from bilateral.stats.importers import ParsedFile, read
from bilateral.stats.sections import heading_name, section_name, section_of_chapter

_SCHEMA = """
create sequence if not exists import_ids start 1;
create table if not exists imports (
  id integer primary key default nextval('import_ids'),
  source varchar not null, format varchar not null, file_name varchar not null,
  content_hash varchar not null unique, currency varchar not null, hs_edition varchar not null,
  rows bigint not null, imported_at timestamp not null
);
create table if not exists flows (
  import_id integer not null, year integer not null, reporter varchar not null,
  partner varchar not null, flow varchar not null, hs varchar not null,
  value decimal(20, 2) not null
);
"""

BY = ("total", "section", "chapter", "heading", "product")


def default_path() -> Path:
    env = os.environ.get("BILATERAL_STATS_DB")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bilateral" / "stats.duckdb"


@dataclass(frozen=True)
class ImportRecord:
    id: int
    source: str
    format: str
    file_name: str
    content_hash: str
    currency: str
    hs_edition: str
    rows: int
    imported_at: str


class StatsStore:
    def __init__(self, path: Path | None = None, read_only: bool = False) -> None:
        self.path = path or default_path()
        if read_only and not self.path.exists():
            self.con: duckdb.DuckDBPyConnection | None = None
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            if not read_only:
                self.con.execute(_SCHEMA)
        except duckdb.Error as error:
            # e.g. another process is importing (DuckDB's file lock): say so in one line
            first = str(error).splitlines()[0][:200]
            raise BadInput(
                "stats", f"statistics store {self.path} cannot be opened: {first}"
            ) from None

    def close(self) -> None:
        if self.con is not None:
            self.con.close()

    def __enter__(self) -> StatsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- imports

    def import_file(self, path: Path, fmt: str | None = None) -> ImportRecord:
        parsed = read(path, fmt)
        return self.import_parsed(parsed)

    def import_parsed(self, parsed: ParsedFile) -> ImportRecord:
        con = self._con()
        same = first_row(
            con.execute(
                "select id, file_name from imports where content_hash = ?", [parsed.content_hash]
            )
        )
        if same:
            raise BadInput(
                "file", f"{parsed.file_name}: already imported as #{same[0]} ({same[1]})"
            )
        keys = {(r.year, r.reporter, r.partner, r.flow.value) for r in parsed.rows}
        con.execute(
            "create temp table if not exists new_keys"
            " (year integer, reporter varchar, partner varchar, flow varchar)"
        )
        con.execute("delete from new_keys")
        keyed = pa.table(
            {
                n: [k[i] for k in sorted(keys)]
                for i, n in enumerate(("year", "reporter", "partner", "flow"))
            }
        )
        con.register("keyed", keyed)
        con.execute("insert into new_keys select * from keyed")
        con.unregister("keyed")
        clash = first_row(
            con.execute(
                "select f.year, f.reporter, f.partner, f.flow, i.id, i.file_name from flows f "
                "join new_keys k using (year, reporter, partner, flow) "
                "join imports i on i.id = f.import_id "
                "limit 1"
            )
        )
        if clash:
            raise BadInput(
                "file",
                f"{parsed.file_name}: {clash[0]} {clash[1]}→{clash[2]} {clash[3]} is already held "
                f"from import #{clash[4]} ({clash[5]}); it would be counted twice",
            )
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        con.execute("begin transaction")
        try:
            new_id = first_row(
                con.execute(
                    "insert into imports (source, format, file_name, content_hash, currency,"
                    " hs_edition, rows, imported_at) values (?, ?, ?, ?, ?, ?, ?, ?) returning id",
                    [
                        parsed.source,
                        parsed.format,
                        parsed.file_name,
                        parsed.content_hash,
                        parsed.currency,
                        parsed.hs_edition,
                        len(parsed.rows),
                        now,
                    ],
                )
            )
            assert new_id is not None
            batch = pa.table(
                {
                    "import_id": pa.array([new_id[0]] * len(parsed.rows), pa.int32()),
                    "year": pa.array([r.year for r in parsed.rows], pa.int32()),
                    "reporter": [r.reporter for r in parsed.rows],
                    "partner": [r.partner for r in parsed.rows],
                    "flow": [r.flow.value for r in parsed.rows],
                    "hs": [r.hs for r in parsed.rows],
                    "value": pa.array([r.value for r in parsed.rows], pa.decimal128(20, 2)),
                }
            )
            con.register("batch", batch)
            con.execute("insert into flows select * from batch")
            con.unregister("batch")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return self.imports()[-1]

    def imports(self) -> list[ImportRecord]:
        if self.con is None:
            return []
        rows = self.con.execute(
            "select id, source, format, file_name, content_hash, currency, hs_edition, rows,"
            " imported_at from imports order by id"
        ).fetchall()
        return [ImportRecord(*r[:8], imported_at=str(r[8])) for r in rows]  # type: ignore[misc]

    def _con(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            raise BadInput("stats", f"no statistics store at {self.path}")
        return self.con

    # ----------------------------------------------------------------- queries

    def query(
        self,
        *,
        reporter: str,
        partner: str,
        year_from: int | None = None,
        year_to: int | None = None,
        flows: tuple[str, ...] = (),
        by: str = "total",
        lang: str = "en",
    ) -> dict[str, Any]:
        """Values by year × flow × group, with the imports they come from."""
        if by not in BY:
            raise BadInput("by", f"unknown grouping {by!r} (one of: {', '.join(BY)})")
        if self.con is None:
            return _empty(reporter, partner, by)
        sql = (
            "select f.year, f.flow, f.hs, sum(f.value), i.currency, i.hs_edition, i.id "
            "from flows f join imports i on i.id = f.import_id"
            " where f.reporter = ? and f.partner = ?"
        )
        params: list[Any] = [reporter, partner]
        if year_from is not None:
            sql += " and f.year >= ?"
            params.append(year_from)
        if year_to is not None:
            sql += " and f.year <= ?"
            params.append(year_to)
        if flows:
            sql += f" and f.flow in ({', '.join('?' for _ in flows)})"
            params.extend(flows)
        sql += " group by all"
        rows = self.con.execute(sql, params).fetchall()
        if not rows:
            return _empty(reporter, partner, by)
        currencies = {r[4] for r in rows}
        if len(currencies) > 1:
            raise BadInput(
                "stats",
                f"the data hold {' and '.join(sorted(currencies))} values for "
                f"{reporter}→{partner}; they cannot be summed (narrow --from/--to)",
            )
        editions = {r[5] for r in rows}
        if by in ("heading", "product") and len(editions) > 1:
            raise BadInput(
                "stats",
                f"the years span HS editions {', '.join(sorted(editions))}; "
                f"{by} codes differ between them (narrow --from/--to or use --by section)",
            )
        cells: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
        for year, flow, code, value, *_ in rows:
            cells[(year, flow, _group(code, by))] += Decimal(value)
        return {
            "reporter": reporter,
            "partner": partner,
            "by": by,
            "currency": currencies.pop(),
            "hs_editions": sorted(editions),
            "imports": sorted({r[6] for r in rows}),
            "rows": [
                {
                    "year": y,
                    "flow": f,
                    "group": g,
                    "label": group_label(g, by, lang),
                    "value": str(v.quantize(Decimal("1"))),
                }
                for (y, f, g), v in sorted(
                    cells.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[1], kv[0][2])
                )
            ],
        }


def _group(code: str, by: str) -> str:
    if by == "total":
        return "total"
    if by == "section":
        return section_of_chapter(code[:2]) or "-"
    if by == "chapter":
        return code[:2]
    if by == "heading":
        return code[:4]
    return code[:6]


def group_label(group: str, by: str, lang: str) -> str:
    if by == "total":
        return "Total"
    if group == "-":
        return "Unspecified" if lang == "en" else "Non précisé"
    if by == "section":
        return section_name(group, lang)
    return heading_name(group)


def _empty(reporter: str, partner: str, by: str) -> dict[str, Any]:
    return {
        "reporter": reporter,
        "partner": partner,
        "by": by,
        "currency": None,
        "hs_editions": [],
        "imports": [],
        "rows": [],
    }


def year_on_year(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with the change from the same flow and group the year before (None if absent)."""
    index = {(r["year"], r["flow"], r["group"]): Decimal(r["value"]) for r in rows}
    out = []
    for r in rows:
        before = index.get((r["year"] - 1, r["flow"], r["group"]))
        change = None
        if before:
            change = str(((Decimal(r["value"]) - before) / before * 100).quantize(Decimal("0.1")))
        out.append({**r, "change_pct": change})
    return out


def top(rows: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The n largest groups of each year and flow."""
    kept: dict[tuple[int, str], int] = defaultdict(int)
    out = []
    for r in rows:  # sorted by year, flow, value descending
        key = (r["year"], r["flow"])
        if kept[key] < n:
            out.append(r)
            kept[key] += 1
    return out
