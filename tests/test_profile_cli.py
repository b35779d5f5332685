"""`bilateral profile | diff | timeline | stats` as a person runs them: pages on stdout,
bad input in one line on stderr with exit status 2, and nothing half-imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bilateral.faces.cli import main

DATA = Path(__file__).parent / "data" / "trade-flows"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_profile_belarus_2014_in_english_and_french(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "profile", "Belarus", "--on", "2014-12-01")
    assert code == 0 and out.startswith("# Canada–Belarus relations")
    assert "twelve statements" in out and "[^1]: " in out
    code, out, _ = run(capsys, "profile", "Bélarus", "--on", "2014-12-01", "--lang", "fr")
    assert code == 0 and "# Relations Canada–Bélarus" in out and "douze déclarations" in out


def test_profile_as_json_and_html(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "profile", "BY", "--on", "2023-01-01", "--format", "json")
    answer = json.loads(out)
    assert code == 0 and answer["as_of"] == "2023-01-01" and answer["citations"]
    code, out, _ = run(
        capsys, "profile", "BY", "--on", "2023-01-01", "--format", "html", "--lang", "fr"
    )
    assert code == 0 and '<html lang="fr">' in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("profile", "Narnia", "--on", "2014-12-01"),
            "bilateral: error: country: unknown country 'Narnia'",
        ),
        (
            ("profile", "BY", "--on", "2014-02-30"),
            "bilateral: error: on: malformed date '2014-02-30'",
        ),
        (
            ("diff", "BY", "--from", "2018-01-01", "--to", "2014-01-01"),
            "bilateral: error: to: 2014-01-01 is before from",
        ),
        (("timeline", "BY", "--kind", "rumour"), "bilateral: error: kind: unknown kind 'rumour'"),
        (("stats", "BY", "--year", "20x3"), "bilateral: error: year: malformed year '20x3'"),
        (
            ("stats", "BY", "--flow", "smuggling"),
            "bilateral: error: flow: unknown flow 'smuggling'",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run(
        capsys, *argv, *(["--db", str(tmp_path / "s.duckdb")] if argv[0] == "stats" else [])
    )
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_stats_import_then_query_the_ots_sample(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "stats.duckdb")
    code, out, _ = run(
        capsys, "stats", "import", str(DATA / "yrpc_y_2002_r_chl_p_arg_c_all.csv"), "--db", db
    )
    assert code == 0 and out.startswith(
        "imported #1 yrpc_y_2002_r_chl_p_arg_c_all.csv: 2048 rows, USD, HS2012"
    )
    code, out, _ = run(
        capsys,
        "stats",
        "Argentina",
        "--reporter",
        "Chile",
        "--by",
        "section",
        "--top",
        "2",
        "--json",
        "--db",
        db,
    )
    answer = json.loads(out)
    assert code == 0 and answer["currency"] == "USD" and answer["sources"][0]["format"] == "ots"
    assert [r["group"] for r in answer["computed"] if r["flow"] == "imports"] == ["V", "VI"]
    code, out, _ = run(capsys, "stats", "AR", "--reporter", "CL", "--csv", "--db", db)
    assert code == 0 and out.splitlines()[0].startswith("reporter,partner,year,flow")
    assert "CL,AR,2002,exports,total,total,Total,191070218,USD" in out


def test_stats_import_refuses_an_unknown_format_and_mixed_currency(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "stats.duckdb")
    odd = tmp_path / "odd.csv"
    odd.write_text("when,what\n2013,x\n")
    code, _, err = run(capsys, "stats", "import", str(odd), "--db", db)
    assert code == 2 and err.startswith(
        "bilateral: error: format: odd.csv: unknown statistics format"
    )
    assert not Path(db).exists()  # a refused file creates no store
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "Year,HS Code,Country,Trade,Value,Currency\n"
        "2013,2815,BY,Imports,1,CAD\n2013,2815,BY,Imports,1,EUR\n"
    )
    code, _, err = run(capsys, "stats", "import", str(mixed), "--db", db)
    assert code == 2 and "mixed currencies (CAD, EUR)" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "stats", "BY", "--db", db)
    assert code == 0 and "No trade series is loaded" in out and "$34.6 million" in out


def test_stats_without_any_store_lists_the_published_figures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "stats", "BY", "--year", "2021", "--db", str(tmp_path / "absent.duckdb")
    )
    assert code == 0 and "2021 imports: $32.9 million" in out and "No trade series is loaded" in out
    assert not (tmp_path / "absent.duckdb").exists()


def test_timeline_keeps_its_json_fields_and_adds_events(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "timeline", "BY", "--json")
    answer = json.loads(out)
    assert code == 0 and {"country", "events", "law_version"} <= set(answer)
    kinds = {e["kind"] for e in answer["events"]}
    assert {"measure", "election", "statement", "listing", "programme"} <= kinds


def test_a_new_user_runs_the_profile_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bilateral.faces.cli", "profile", "Belarus", "--on", "2014-12-01"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "Area Control List since December 14, 2006" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "bilateral.faces.cli", "profile", "Belarus", "--on", "yesterday"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
