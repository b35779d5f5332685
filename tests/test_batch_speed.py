"""The fast batch path answers as the single path does, however the rows are written or cut.

Codes written with dots, spaces, tabs or national digits; destinations as codes or names;
dates as text parsed by DuckDB; the file cut in batches of any size; facts kept from one
run to the next: none of it may change an answer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bilateral import countries
from bilateral.engine.batch import Screener, country_groups, screen_exports
from bilateral.engine.checks import check_export
from bilateral.engine.law import default_law
from bilateral.errors import BadInput
from bilateral.faces.batch_cli import _relation, batches

LAW = default_law()
# 8-digit codes the law lists under 6-digit subheadings (SEMA Belarus Schedule 5), their
# neighbours, ordinary codes and codes that exist only in one edition.
CODES = [
    "81129221",
    "8112.92.21",
    "8112922100",
    "81129229",
    "811292",
    "8112 92 40",
    "7113.19",
    "711319",
    "7113190010",
    "0402.10.00",
    "04021000",
    "300490",
    "3004.90.91.00",
    "440111",
    "4401.11",
    "850231",
    "8703",
    "12",
    "\t0402.10 ",
    "04x2",
    "0402.1",
    "",
]
DESTINATIONS = ["BY", "BLR", "Belarus", "bélarus", "KP", "Corée du Nord", "MM", "Burma", "RU"]
DESTINATIONS += ["Russie", "DE", "deu", "US", "CN", "FR", "AF", "ZW", "Narnia"]


def _single(destination: str, day: dt.date, code: str) -> tuple[object, object, bool]:
    try:
        answer = check_export(to=destination, on=day, hs=code)
    except BadInput:
        return None, None, True
    return answer["outcome"], answer["permit_required"], False


def _agree(table: pa.Table, screened: pa.Table) -> None:
    for row, got in zip(table.to_pylist(), screened.to_pylist(), strict=True):
        outcome, permit, bad = _single(row["destination"], row["date"], row["hs"])
        assert (got["outcome"], got["permit_required"]) == (outcome, permit), (row, got)
        assert (got["error"] is not None) == bad, (row, got)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(DESTINATIONS),
            st.dates(min_value=dt.date(1996, 1, 1), max_value=dt.date(2026, 12, 31)),
            st.sampled_from(CODES),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_codes_written_any_way_get_the_single_paths_answer(
    rows: list[tuple[str, dt.date, str]],
) -> None:
    table = pa.table(
        {
            "destination": [r[0] for r in rows],
            "date": pa.array([r[1] for r in rows], pa.date32()),
            "hs": [r[2] for r in rows],
        }
    )
    _agree(table, screen_exports(LAW, table))


def test_every_country_gets_its_own_answer_not_only_its_groups() -> None:
    groups = country_groups(LAW)
    assert len(set(groups.values())) < len(groups) / 4  # most of the world shares a group
    days = [dt.date(2006, 12, 14), dt.date(2016, 5, 1), dt.date(2022, 3, 1), dt.date(2024, 6, 1)]
    codes = ["0402", "711319", "81129221", "850231"]
    rows = [(c, d, h) for c in sorted(groups) for d in days for h in codes]
    table = pa.table(
        {
            "destination": [r[0] for r in rows],
            "date": pa.array([r[1] for r in rows], pa.date32()),
            "hs": [r[2] for r in rows],
        }
    )
    _agree(table, Screener(LAW).screen(table))


def test_the_answers_do_not_depend_on_how_the_rows_are_cut() -> None:
    rows = [
        (d, day, h) for d in DESTINATIONS for day in ("2014-03-01", "2022-05-01") for h in CODES
    ]
    table = pa.table(
        {
            "destination": [r[0] for r in rows],
            "date": [r[1] for r in rows],
            "hs": [r[2] for r in rows],
        }
    )
    whole = Screener(LAW).screen(table)
    cut = Screener(LAW)
    parts = [cut.screen(table.slice(start, 7)) for start in range(0, table.num_rows, 7)]
    assert pa.concat_tables(parts).to_pylist() == whole.to_pylist()


def _csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    pacsv.write_csv(
        pa.table(
            {
                "destination": [r[0] for r in rows],
                "date": [r[1] for r in rows],
                "hs": [r[2] for r in rows],
            }
        ),
        path,
    )
    return path


def test_duckdb_reads_dates_and_codes_as_the_engine_does(tmp_path: Path) -> None:
    dates = ["2014-03-01", " 2014-03-01 ", "2014-02-30", "2014-2-3", "20140301", "1980-01-01"]
    dates += ["2017-01-01", "2016-12-31", "2100-12-31", "2101-01-01"]
    rows = [("BY", d, h) for d in dates for h in CODES] + [("Narnia", "2014-03-01", "0402")]
    source = _csv(tmp_path / "rows.csv", rows)
    screen = Screener(LAW)
    con = duckdb.connect()
    read = list(batches(_relation(con, source), 5))
    from_duckdb = pa.concat_tables([screen.screen(t) for t in read])
    plain = pa.table({"destination": [r[0] for r in rows], "date": [r[1] for r in rows]})
    plain = plain.append_column("hs", pa.array([r[2] for r in rows]))
    from_arrow = Screener(LAW).screen(plain)
    answers = ["outcome", "permit_required", "rules", "error"]
    # (DuckDB reads an empty field as NULL: the input columns may differ, never the answers)
    assert from_duckdb.select(answers).to_pylist() == from_arrow.select(answers).to_pylist()
    assert from_arrow["error"].null_count < from_arrow.num_rows / 2


def test_batches_have_the_size_asked_for(tmp_path: Path) -> None:
    rows = [("BY", "2014-03-01", "0402")] * 1_000
    con = duckdb.connect()
    sizes = [t.num_rows for t in batches(_relation(con, _csv(tmp_path / "r.csv", rows)), 300)]
    assert sizes == [300, 300, 300, 100]


def test_country_names_in_french_and_codes_meet_in_one_group() -> None:
    groups = country_groups(LAW)
    assert groups[countries.resolve("Bélarus").code] == "BY"
    assert groups["KP"] == "KP"


_WARM_RUN = """
import json, sys
import pyarrow.csv as pacsv
from bilateral.engine import batch
screen = batch.warm_screener()
assert screen is not None, "no screener kept"
seen = pacsv.read_csv(sys.argv[1], convert_options=pacsv.ConvertOptions(strings_can_be_null=False,
    column_types={"destination": "string", "date": "string", "hs": "string"}))
before = screen.screen(seen).to_pylist()
models = "bilateral.law.model" in sys.modules or "pydantic" in sys.modules
new = pacsv.read_csv(sys.argv[2], convert_options=pacsv.ConvertOptions(strings_can_be_null=False,
    column_types={"destination": "string", "date": "string", "hs": "string"}))
after = screen.screen(new).to_pylist()
print(json.dumps({"models": models, "seen": before, "new": after}, default=str))
"""


def test_a_kept_screener_answers_known_rows_without_the_law_and_new_rows_with_it(
    tmp_path: Path,
) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("BILATERAL_LAW_CACHE", None)
    seen = tmp_path / "seen.csv"
    seen.write_text(
        "destination,date,hs\nBY,2014-03-01,0402\nBelarus,2018-01-01,8703.23\n"
        "KP,2015-01-01,0402.10.00\nDE,2023-01-01,81129221\nNarnia,2014-03-01,0402\n"
        "RU,2023-12-05,7102.39\nBY,2014-03-01,04x2\n",
        encoding="utf-8",
    )
    new = tmp_path / "new.csv"  # spellings, codes and a bad row the first run never saw
    new.write_text(
        "destination,date,hs\nBélarus,2022-06-01,7113.19\nRussie,2023-06-01,8456.11\n"
        "Atlantis,2020-01-01,0402\nUS,2030-01-01,0402\nMM,2019-05-05,9999\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.parquet"
    first = subprocess.run(
        [sys.executable, "-m", "bilateral.faces.cli", "batch", str(seen), "--output", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    done = subprocess.run(
        [sys.executable, "-c", _WARM_RUN, str(seen), str(new)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["models"] is False  # the law was not loaded for rows seen before
    for path, rows in ((seen, got["seen"]), (new, got["new"])):
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False,
                column_types={"destination": "string", "date": "string", "hs": "string"},
            ),
        )
        expected = json.loads(json.dumps(Screener(LAW).screen(table).to_pylist(), default=str))
        assert rows == expected


def _day_as_before(text: str | None) -> int | None:
    """The day the batch read from a date text before it was read in NumPy (reference)."""
    import re

    import pyarrow.compute as pc

    if text is None:
        return None
    trimmed = pc.utf8_trim_whitespace(pa.array([text])).to_pylist()[0]
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", trimmed):
        return None
    try:
        return (dt.date.fromisoformat(trimmed) - dt.date(1970, 1, 1)).days
    except ValueError:
        return None


_DATE_TEXT = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
    st.text(alphabet="0123456789- \t\u3000２", max_size=12),
    st.none(),
).flatmap(lambda t: st.sampled_from([t, f" {t} ", f"\t{t}"] if t else [t]))


@settings(max_examples=60, deadline=None)
@given(st.lists(_DATE_TEXT, min_size=1, max_size=40))
@example(["2000-02-29", "1900-02-29", "2024-02-29", "2021-02-29", "2021-04-31", "2021-12-31"])
@example(["0000-01-01", "0001-01-01", "9999-12-31", " 2020-01-01\t", "2020-1-01", "", None])
def test_date_texts_are_read_as_before_real_days_only(texts: list[str | None]) -> None:
    from bilateral.engine.rows import NO_DAY, days

    got = days(pa.array(texts, pa.string())).tolist()
    expected = [_day_as_before(t) for t in texts]
    assert [None if d == NO_DAY else d for d in got] == expected
