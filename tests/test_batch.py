"""The vectorised path gives the single path's answers, row for row, and reports bad rows."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilateral.engine.batch import screen_exports
from bilateral.engine.checks import check_export
from bilateral.engine.law import default_law
from bilateral.errors import BadInput
from bilateral.goods import hs

LAW = default_law()
DESTINATIONS = ["BY", "Belarus", "KP", "MM", "Burma", "DE", "US", "CN", "RU", "PL", "Narnia"]
# Codes chosen to hit every class: food, medicines, luxury goods (Schedule 4 Part 1),
# weapons-manufacturing goods (Schedule 5), plain goods, HS2017-only and HS2022-only codes.
CODES = [
    "0402",
    "040210",
    "3004",
    "300490",
    "7113",
    "711319",
    "8703",
    "870323",
    "8429",
    "440111",
    "850231",
    "9999",
    "12",
    "01",
    "6203.42",
    "84291100",
]


def _single(
    destination: str, day: dt.date, code: str
) -> tuple[str | None, bool | None, str | None]:
    outcome, permit, _rules, _caveats, error = _single_full(destination, day, code)
    return outcome, permit, error


def _single_full(
    destination: str, day: dt.date, code: str
) -> tuple[str | None, bool | None, str | None, list[str] | None, str | None]:
    """What `bilateral check export` answers: outcome, permit, rules, caveats, error."""
    try:
        answer = check_export(to=destination, on=day, hs=code)
    except BadInput as error:
        return None, None, None, None, str(error)
    rules = ";".join(r["rule"] for r in answer["reasons"])
    return answer["outcome"], answer["permit_required"], rules, answer["caveats"], None


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(DESTINATIONS),
            st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2026, 12, 31)),
            st.sampled_from(CODES),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_vectorised_and_single_paths_agree_on_every_row(
    rows: list[tuple[str, dt.date, str]],
) -> None:
    table = pa.table(
        {
            "destination": [r[0] for r in rows],
            "date": pa.array([r[1] for r in rows], pa.date32()),
            "hs": [r[2] for r in rows],
        }
    )
    screened = screen_exports(LAW, table).to_pylist()
    for (destination, day, code), got in zip(rows, screened, strict=True):
        outcome, permit, rules, caveats, error = _single_full(destination, day, code)
        assert got["outcome"] == outcome, (destination, day, code, got, error)
        assert got["permit_required"] == permit
        assert (got["error"] is None) == (error is None), (got["error"], error)
        if error is None:  # the batch's rules and caveats are the single path's, exactly
            assert got["rules"] == rules, (destination, day, code)
            assert got["caveats"] == caveats, (destination, day, code)


def test_each_boundary_day_agrees_between_paths() -> None:
    days = [
        d + dt.timedelta(days=k)
        for d in LAW.change_dates
        for k in (-1, 0, 1)
        if dt.date(1982, 1, 1) < d < dt.date(2030, 1, 1)
    ]
    rows = [
        (c, d, h) for d in days for c in ("BY", "KP", "MM", "DE") for h in ("0402", "7113", "8429")
    ]
    table = pa.table(
        {
            "destination": [r[0] for r in rows],
            "date": pa.array([r[1] for r in rows], pa.date32()),
            "hs": [r[2] for r in rows],
        }
    )
    screened = screen_exports(LAW, table).to_pylist()
    for (c, d, h), got in zip(rows, screened, strict=True):
        assert got["outcome"] == _single(c, d, h)[0], (c, d, h)


def test_malformed_rows_get_one_line_errors_and_the_rest_are_answered() -> None:
    table = pa.table(
        {
            "destination": ["BY", "Atlantis", "BY", "BY"],
            "date": ["2014-03-01", "2014-03-01", "2014-02-30", "2014-03-01"],
            "hs": ["0402", "0402", "0402", "04x2"],
        }
    )
    rows = screen_exports(LAW, table).to_pylist()
    assert rows[0]["outcome"] == "generally_approved" and rows[0]["error"] is None
    assert rows[1]["error"].startswith("destination: unknown country")
    assert rows[2]["error"].startswith("date: malformed")
    assert rows[3]["error"].startswith("hs: malformed HS code")
    assert all("\n" not in (r["error"] or "") for r in rows)


def test_batch_command_screens_a_csv_into_parquet(tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_text(
        "destination,date,hs\nBY,2014-03-01,0402\nBY,2014-03-01,8703\n"
        "BY,2018-01-01,8703\nKP,2015-01-01,0402\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.parquet"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bilateral.faces.cli",
            "batch",
            str(source),
            "--output",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = pq.read_table(target).to_pylist()
    assert [r["outcome"] for r in table] == [
        "generally_approved",
        "generally_denied",
        "not_required",
        "prohibited",
    ]
    assert all(r["law_version"] == LAW.law_version for r in table)


def test_batch_command_refuses_a_file_without_the_needed_columns_and_writes_nothing(
    tmp_path: Path,
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("country,when\nBY,2014-03-01\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bilateral.faces.cli",
            "batch",
            str(source),
            "--output",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "missing column" in done.stderr
    assert "Traceback" not in done.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == [source]


def test_hs_codes_of_every_edition_are_known() -> None:
    assert hs.validate("440111", dt.date(2017, 1, 1)).edition == "HS2017"


def test_a_malformed_line_deep_in_the_file_is_one_line_and_writes_nothing(
    tmp_path: Path,
) -> None:
    # DuckDB finds the line only when its reader gets there, batches after the first.
    # (past the rows DuckDB samples to work out the file's shape).
    good = "".join(f"BY,2014-03-01,{4000 + i % 100}\n" for i in range(100_000))
    source = tmp_path / "rows.csv"
    source.write_text(f"destination,date,hs\n{good}BY,2014-03-01,0402,extra\n", encoding="utf-8")
    target = tmp_path / "out.parquet"
    from bilateral.faces.batch_cli import run_batch

    try:
        run_batch(str(source), str(target), batch_rows=20_000)
    except BadInput as error:
        message = str(error)
    else:
        raise AssertionError("the malformed line was not reported")
    assert message == (
        "input: rows.csv: line 100002: more fields than the header has columns; nothing was written"
    )
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("BY,2014-03-01", "line 4: fewer fields than the header has columns"),
        ('BY,"2014-03-01,0402', "line 4: a quote that is not closed"),
        ("B\udcffY,2014-03-01,0402", "line 4: not UTF-8 text"),
    ],
)
def test_a_line_that_is_not_a_row_is_refused_with_its_number(
    tmp_path: Path, line: str, said: str
) -> None:
    # A short line once made DuckDB guess another shape for the whole file, and the
    # command said the header's columns were missing.
    source = tmp_path / "rows.csv"
    good = "BY,2014-03-01,0402\nDE,2020-01-01,8703\n"
    text = f"destination,date,hs\n{good}{line}\nFR,2020-01-01,0402\n"
    source.write_bytes(text.encode("utf-8", "surrogateescape"))
    target = tmp_path / "out.csv"
    from bilateral.faces.batch_cli import run_batch

    with pytest.raises(BadInput) as refused:
        run_batch(str(source), str(target))
    assert str(refused.value) == f"input: rows.csv: {said}; nothing was written"
    assert list(tmp_path.iterdir()) == [source]


def test_the_header_names_the_columns_in_any_case_and_a_missing_one_is_said(
    tmp_path: Path,
) -> None:
    from bilateral.faces.batch_cli import run_batch

    source = tmp_path / "rows.csv"
    source.write_text("\ufeffDestination, Date ,HS,Note\r\nBY,2014-03-01,0402,x\r\n\r\n", "utf-8")
    assert run_batch(str(source), str(tmp_path / "out.parquet")) == 0
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [(r["destination"], r["date"], r["hs"], r["outcome"]) for r in rows] == [
        ("BY", "2014-03-01", "0402", "generally_approved")
    ]
    source.write_text("destination,day,hs\nBY,2014-03-01,0402\n", "utf-8")
    with pytest.raises(BadInput) as refused:
        run_batch(str(source), str(tmp_path / "again.parquet"))
    assert str(refused.value) == (
        "input: rows.csv: missing column(s) date (its header names destination, day, hs)"
    )


def test_a_failure_while_screening_stops_every_stage_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from bilateral.engine import batch as engine_batch
    from bilateral.faces.batch_cli import run_batch

    source = tmp_path / "rows.csv"
    rows = "".join(f"BY,2014-03-01,{4000 + i % 100}\n" for i in range(3_000))
    source.write_text(f"destination,date,hs\n{rows}", encoding="utf-8")
    calls = []

    def failing(*args: object, **kwargs: object) -> pa.Table:
        calls.append(1)
        if len(calls) == 2:  # the first batch is written, the second fails
            raise BadInput("hs", "screening failed")
        return screen_file_batch(*args, **kwargs)  # type: ignore[arg-type]

    screen_file_batch = engine_batch.screen_file_batch
    monkeypatch.setattr(engine_batch, "screen_file_batch", failing)
    before = set(threading.enumerate())
    with pytest.raises(BadInput, match="screening failed"):
        run_batch(str(source), str(tmp_path / "out.parquet"), batch_rows=500)
    assert set(threading.enumerate()) <= before  # the reader and screener have ended
    assert list(tmp_path.iterdir()) == [source]
