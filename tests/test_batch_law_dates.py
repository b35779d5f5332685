"""The batch faces (`bilateral batch`, `bilateral screen declarations`) answer as
`bilateral check export` does on every day a schedule row starts or stops applying, and
carry its caveats: a batch never says a clean "allowed" where the single path prohibits
the export or warns that the data cannot tell."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from bilateral.engine.batch import Screener
from bilateral.engine.checks import check_export
from bilateral.engine.law import default_law, list_days
from bilateral.errors import BadInput
from bilateral.law.model import ExportProhibition

LAW = default_law()
DAY = dt.timedelta(days=1)
Row = tuple[str, dt.date, str]


def _screen(rows: list[Row], screen: Screener | None = None) -> list[dict[str, object]]:
    """A fresh screener (no facts learnt from other rows or runs) on these rows, unless
    one is given."""
    table = pa.table(
        {
            "destination": [r[0] for r in rows],
            "date": pa.array([r[1] for r in rows], pa.date32()),
            "hs": [r[2] for r in rows],
        }
    )
    screened: list[dict[str, object]] = (screen or Screener(LAW)).screen(table).to_pylist()
    return screened


def _single(destination: str, day: dt.date, code: str) -> dict[str, object]:
    """`bilateral check export --to destination --on day --hs code`, as the batch shows it."""
    try:
        answer = check_export(to=destination, on=day, hs=code)
    except BadInput as error:
        return {"error": str(error)}
    return {
        "outcome": answer["outcome"],
        "permit_required": answer["permit_required"],
        "rules": ";".join(r["rule"] for r in answer["reasons"]),
        "caveats": answer["caveats"],
        "error": None,
    }


def _as_batch(got: dict[str, object]) -> dict[str, object]:
    if got["error"] is not None:
        return {"error": got["error"]}
    keys = ("outcome", "permit_required", "rules", "caveats", "error")
    return {k: got[k] for k in keys}


def _assert_agree(rows: list[Row], screen: Screener | None = None) -> list[dict[str, object]]:
    screened = _screen(rows, screen)
    for row, got in zip(rows, screened, strict=True):
        assert _as_batch(got) == _single(*row), row
    return screened


def _schedule_boundary_rows() -> list[Row]:
    """For every export ban reading an HS-coded schedule, every day one of its rows starts
    or stops applying, the day before, of and after, to the banned country and to one it
    does not name, for codes listed from that day, a broader code, a conditioned row and
    an unlisted code."""
    rows: set[Row] = set()
    for rule in LAW.rules("export_prohibition", "*"):
        assert isinstance(rule.effect, ExportProhibition)
        list_id = rule.effect.goods.goods_list
        if list_id is None:
            continue
        glist = LAW.bundle.goods_lists[list_id]
        codes_from: dict[dt.date, list[str]] = {}
        for item in glist.items:
            start = item.in_force_from or glist.in_force_from
            if start is not None:
                codes_from.setdefault(start, []).append(item.hs)
        conditioned = [i.hs for i in glist.items if i.condition is not None][:1]
        for day in sorted(list_days(LAW.bundle, rule)):
            listed = codes_from.get(day, [])[:2]
            broader = [c[:4] for c in listed[:1] if len(c) > 4]
            for on in (day - DAY, day, day + DAY):
                for destination in (rule.effect.country, "DE"):
                    for code in [*listed, *broader, *conditioned, "090111"]:
                        rows.add((destination, on, code))
    return sorted(rows)


def test_every_schedule_row_boundary_day_batch_equals_single_with_caveats() -> None:
    rows = _schedule_boundary_rows()
    assert len(rows) > 150  # the sample is the law's, not a handful
    assert ("RU", dt.date(2023, 12, 5), "710239") in rows
    _assert_agree(rows)


# Codes the schedules name (and their headings), codes the bans name in words, and others.
_LISTED = sorted({i.hs for gl in LAW.bundle.goods_lists.values() for i in gl.items})
_CODES = [*_LISTED[::7], *{c[:4] for c in _LISTED[::11]}, "9301.10", "8703.23", "0402.10"]
_CODES += ["3004.90", "0901.11", "2710.12", "8517.13", "4401.11"]
_SHARED = Screener(LAW)  # facts kept across examples, as across the batches of a file


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["RU", "Russia", "BY", "KP", "MM", "DE", "CN"]),
            st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2027, 12, 31)),
            st.sampled_from(_CODES),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_schedule_codes_on_any_day_batch_equals_single_with_rules_and_caveats(
    rows: list[Row],
) -> None:
    _assert_agree(rows, _SHARED)


def test_law_change_dates_include_every_dated_row_of_every_list_a_rule_reads() -> None:
    for rule in LAW.bundle.rules.values():
        assert list_days(LAW.bundle, rule) <= set(LAW.change_dates), rule.id
    # SOR/2015-200 Schedule row 13.1 (GEP No. 41) and SOR/2014-58 Sch. 6 Part 1 item 166.2
    assert dt.date(2019, 5, 17) in LAW.change_dates
    assert dt.date(2023, 12, 5) in LAW.change_dates


def test_natural_diamonds_7102_39_to_russia_prohibited_from_2023_12_05_sor_2014_58_s_3_08_sch_6_item_166_2() -> (  # noqa: E501
    None
):
    rows = [(c, d, "7102.39") for c in ("RU",) for d in
            (dt.date(2023, 12, 4), dt.date(2023, 12, 5), dt.date(2024, 1, 15))]  # fmt: skip
    got = _assert_agree(rows)
    assert [r["outcome"] for r in got] == ["not_required", "prohibited", "prohibited"]
    assert got[1]["rules"] == got[2]["rules"] == "sema.russia.s3-08-luxury-export"
    # The day before: not a clean answer, the earlier text is not in the data.
    before = got[0]["caveats"]
    assert isinstance(before, list)
    assert any("item 166.2" in c and "as it read on 2023-12-04" in c for c in before)


def test_machine_tools_8456_11_to_russia_in_2023_warn_that_schedule_7_item_550_may_have_applied() -> (  # noqa: E501
    None
):
    (got,) = _assert_agree([("Russia", dt.date(2023, 1, 1), "8456.11")])
    assert got["outcome"] == "not_required"
    caveats = got["caveats"]
    assert isinstance(caveats, list)
    assert any(
        "HS 8456.11 is listed in SOR/2014-58 s. 3.09(1) and Schedule 7 (item 550)" in c
        and "as it read on 2023-01-01" in c
        for c in caveats
    )


def test_jewellery_7113_19_to_russia_on_2022_06_01_warns_of_the_luxury_goods_schedule_6_item_179() -> (  # noqa: E501
    None
):
    (got,) = _assert_agree([("Russia", dt.date(2022, 6, 1), "7113.19")])
    caveats = got["caveats"]
    assert isinstance(caveats, list)
    assert any("HS 7113.19" in c and "(item 179)" in c and "2022-06-01" in c for c in caveats)


def test_coffee_to_belarus_in_1990_warns_that_the_area_control_list_before_2006_is_not_all_known() -> (  # noqa: E501
    None
):
    (got,) = _assert_agree([("BY", dt.date(1990, 1, 1), "0901.11")])
    caveats = got["caveats"]
    assert isinstance(caveats, list)
    assert any("before August 2006 other countries may have been listed" in c for c in caveats)


def test_coffee_to_the_dprk_on_2006_11_09_is_not_arms_under_sor_2006_287_but_is_caveated() -> None:
    # Arms (HS 93) asked first: the coffee must not inherit their answer.
    rows = [
        ("KP", dt.date(2006, 11, 9), "9301.10"),
        ("KP", dt.date(2006, 11, 9), "0901.11"),
        ("KP", dt.date(2006, 11, 9), "8703.23"),
    ]
    arms, coffee, car = _assert_agree(rows)
    assert arms["outcome"] == "prohibited" and "un.dprk.arms-export" in str(arms["rules"])
    assert coffee["outcome"] == "not_required" and coffee["rules"] == ""
    caveats = coffee["caveats"]
    assert isinstance(caveats, list)
    assert any("prohibits luxury goods" in c for c in caveats)
    assert any("SOR/2006-287" in c and "may miss a prohibition" in c for c in caveats)
    # A car may be military equipment: a caveat, not a silent answer.
    assert any("arms and related material" in c for c in car["caveats"])  # type: ignore[union-attr]


def test_a_caveat_names_the_rows_own_hs_code_and_day() -> None:
    rows = [
        ("BY", dt.date(2014, 3, 1), "0402.10"),
        ("BY", dt.date(2014, 3, 2), "0402.10.00"),
        ("RU", dt.date(2023, 1, 1), "8456.11.10"),
        ("RU", dt.date(2023, 1, 2), "8456.11"),
    ]
    got = _assert_agree(rows)
    assert any("HS 0402.10.00 is read as" in c for c in got[1]["caveats"])  # type: ignore[union-attr]
    assert any("as it read on 2023-01-02" in c for c in got[3]["caveats"])  # type: ignore[union-attr]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bilateral.faces.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_batch_files_carry_caveats_as_a_list_in_parquet_and_joined_in_csv(
    tmp_path: Path,
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text(
        "destination,date,hs\nRussia,2023-01-01,8456.11\nRU,2024-01-15,7102.39\nXX,2024-01-15,01\n",
        encoding="utf-8",
    )
    single = _single("Russia", dt.date(2023, 1, 1), "8456.11")["caveats"]
    assert isinstance(single, list) and len(single) > 1
    for suffix in ("parquet", "csv"):
        done = _run("batch", str(source), "--output", str(tmp_path / f"out.{suffix}"))
        assert done.returncode == 0, done.stderr
    parquet = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert parquet[0]["caveats"] == single
    assert parquet[2]["caveats"] is None and parquet[2]["error"]
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert written[0]["caveats"] == " | ".join(single)
    assert written[1]["outcome"] == "prohibited"


def test_screen_declarations_refuses_gep_41_for_item_1_5_a_3_from_sor_2015_200_schedule_row_13_1(
    tmp_path: Path,
) -> None:
    source = tmp_path / "d.csv"
    source.write_text(
        "date,direction,destination,hs,ecl\n"
        "2019-05-16,export,Germany,,1-5.A.3\n"
        "2019-06-17,export,Germany,,1-5.A.3\n"
        "2023-12-05,export,RU,7102.39,\n"
        "2023-01-02,export,Russia,8456.11,\n",
        encoding="utf-8",
    )
    for suffix in ("csv", "parquet"):
        target = tmp_path / f"o.{suffix}"
        done = _run("screen", "declarations", str(source), "--output", str(target))
        assert done.returncode == 0, done.stderr
    with (tmp_path / "o.csv").open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    asked = [
        check_export(to="Germany", on="2019-05-16", ecl="1-5.A.3"),
        check_export(to="Germany", on="2019-06-17", ecl="1-5.A.3"),
        check_export(to="RU", on="2023-12-05", hs="7102.39"),
        check_export(to="Russia", on="2023-01-02", hs="8456.11"),
    ]
    for row, single in zip(written, asked, strict=True):
        assert row["outcome"] == single["outcome"]
        assert row["rules"] == ";".join(r["rule"] for r in single["reasons"])
        assert row["caveats"] == " | ".join(single["caveats"])
    assert "gep.41" in written[0]["rules"] and "gep.41" not in written[1]["rules"]
    assert "row 13.1" in written[1]["caveats"]
    assert written[2]["outcome"] == "prohibited"
    parquet = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert parquet[3]["caveats"] == asked[3]["caveats"]
