"""The `bilateral` command as a person runs it: JSON answers with their required fields, and
bad input refused in one line with exit status 2 and no traceback.

Subprocess runs (``python -m bilateral.faces.cli``) are started together once per module, as
each loads the law afresh; finer tables call ``main()`` in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from bilateral.faces.cli import main

RUNS: dict[str, tuple[str, ...]] = {
    "export": ("check", "export", "--to", "BY", "--on", "2014-03-01", "--category", "food"),
    "import": (
        "check",
        "import",
        "--from",
        "BLR",
        "--on",
        "2023-01-01",
        "--hs",
        "8703.23",
        "--mfn-rate",
        "40",
    ),
    "contact": ("check", "contact", "--with", "Bélarus", "--on", "2010-01-01", "--topic", "trade"),
    "party": ("check", "party", "Aliaksandr Lukashenka", "--on", "2021-01-01"),
    "acl": ("acl", "--on", "2010-07-13"),
}
JSON_RUNS = {name: (*args, "--json") for name, args in RUNS.items()}

# Run as a separate process: exit status, stderr and the absence of a traceback.
BAD_RUNS: dict[str, tuple[str, ...]] = {
    "unknown country": (
        "check",
        "export",
        "--to",
        "Atlantis",
        "--on",
        "2014-03-01",
        "--category",
        "food",
        "--json",
    ),
    "malformed HS": (
        "check",
        "export",
        "--to",
        "BY",
        "--on",
        "2014-03-01",
        "--hs",
        "87A3",
        "--json",
    ),
    "malformed date": (
        "check",
        "export",
        "--to",
        "BY",
        "--on",
        "2014-02-30",
        "--hs",
        "8703",
        "--json",
    ),
    "unknown topic": (
        "check",
        "contact",
        "--with",
        "BY",
        "--on",
        "2014-03-01",
        "--topic",
        "weather",
        "--json",
    ),
    "unknown category": (
        "check",
        "export",
        "--to",
        "BY",
        "--on",
        "2014-03-01",
        "--category",
        "toys",
        "--json",
    ),
    "two goods options": (
        "check",
        "export",
        "--to",
        "BY",
        "--on",
        "2014-03-01",
        "--hs",
        "8703",
        "--category",
        "food",
        "--json",
    ),
}

# The same refusal, asked of main() in-process (cheaper), for further kinds of bad input.
MORE_BAD: dict[str, tuple[str, ...]] = {
    "HS of 5 digits": (
        "check",
        "import",
        "--from",
        "BY",
        "--on",
        "2014-03-01",
        "--hs",
        "87032",
        "--json",
    ),
    "HS heading not in the nomenclature": (
        "check",
        "export",
        "--to",
        "BY",
        "--on",
        "2014-03-01",
        "--hs",
        "8799",
    ),
    "date not ISO": ("check", "contact", "--with", "BY", "--on", "1/3/2014", "--topic", "trade"),
    "no goods option": ("check", "export", "--to", "BY", "--on", "2014-03-01", "--json"),
    "all three goods options": (
        "check",
        "export",
        "--to",
        "BY",
        "--on",
        "2014-03-01",
        "--hs",
        "8703",
        "--category",
        "food",
        "--ecl",
        "1-1",
    ),
    "malformed MFN rate": (
        "check",
        "import",
        "--from",
        "BY",
        "--on",
        "2023-01-01",
        "--hs",
        "8703",
        "--mfn-rate",
        "lots",
    ),
    "negative MFN rate": (
        "check",
        "import",
        "--from",
        "BY",
        "--on",
        "2023-01-01",
        "--hs",
        "8703",
        "--mfn-rate",
        "-5",
    ),
    "malformed ECL item": (
        "check",
        "export",
        "--to",
        "BY",
        "--on",
        "2014-03-01",
        "--ecl",
        "banana",
    ),
    "empty party name": ("check", "party", " ", "--on", "2021-01-01", "--json"),
    "date before the law data": ("acl", "--on", "1900-01-01", "--json"),
    "unknown country for measures": ("measures", "Narnia", "--on", "2020-01-01"),
    "unknown country for timeline": ("timeline", "XX", "--json"),
}


def _run(args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "bilateral.faces.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def ran() -> dict[str, subprocess.CompletedProcess[str]]:
    every = {**JSON_RUNS, **BAD_RUNS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = dict(zip(every, pool.map(_run, every.values()), strict=True))
    return done


def _json(ran: dict, name: str) -> dict:
    result = ran[name]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def _main_json(capsys, *args: str) -> dict:
    status = main([*args, "--json"])
    out = capsys.readouterr()
    assert status == 0, out.err
    return json.loads(out.out)


REASON_KEYS = {"rule", "instrument", "provision", "url", "valid_from", "valid_to", "text"}


def test_export_json_has_the_required_fields_and_cited_reasons(ran):
    answer = _json(ran, "export")
    assert {
        "as_of",
        "permit_required",
        "outcome",
        "general_permits",
        "reasons",
        "law_version",
    } <= set(answer)
    assert answer["as_of"] == "2014-03-01"
    assert answer["permit_required"] is True
    assert answer["outcome"] == "generally_approved"
    assert [r["rule"] for r in answer["reasons"]] == ["acl.belarus", "policy.belarus.notice-148"]
    for reason in answer["reasons"]:
        assert set(reason) >= REASON_KEYS
        assert reason["url"].startswith("http")
    assert answer["law_version"].startswith("sha256:")


def test_export_json_lists_the_general_permit_for_a_dual_use_item_to_germany(capsys):
    answer = _main_json(
        capsys, "check", "export", "--to", "Germany", "--on", "2016-01-01", "--ecl", "1-3.a.1"
    )
    assert answer["general_permits"] == ["GEP-41"]
    assert [r["rule"] for r in answer["reasons"]] == ["ecl.scope.group-1", "gep.41"]


def test_import_json_gives_the_mfn_rate_of_40_where_it_exceeds_the_general_tariff(ran):
    answer = _json(ran, "import")
    assert {"treatment", "treatments_available", "rate", "prohibited"} <= set(answer)
    assert answer["treatment"] == "GT"
    assert answer["treatments_available"] == ["GT"]
    assert answer["rate"] == 40.0
    assert answer["prohibited"] is False
    assert answer["origin"]["code"] == "BY"
    assert [r["rule"] for r in answer["reasons"]][-1] == "tariff.general-tariff-rate"


def test_contact_json_says_whether_contact_is_allowed(ran):
    answer = _json(ran, "contact")
    assert answer["allowed"] is False
    assert answer["country"]["code"] == "BY"
    assert [r["rule"] for r in answer["reasons"]] == ["engagement.belarus.limited"]


def test_party_json_gives_each_match_with_its_schedule_item(ran):
    answer = _json(ran, "party")
    assert answer["listed"] is True
    match = answer["matches"][0]
    assert {"name", "instrument", "schedule", "part", "item", "listed_on"} <= set(match)
    assert match["name"] == "Aleksandr Grigoryevich Lukashenko"
    assert (match["instrument"], match["schedule"]) == ("SOR/2020-214", "Schedule 1")
    assert (match["part"], match["item"], match["listed_on"]) == ("1", "8", "2020-09-28")


def test_acl_json_gives_iso_alpha_2_countries(ran):
    answer = _json(ran, "acl")
    assert answer["countries"] == ["BY", "KP", "MM"]
    assert [r["rule"] for r in answer["reasons"]] == ["acl.burma", "acl.belarus", "acl.dprk"] or (
        sorted(r["rule"] for r in answer["reasons"]) == ["acl.belarus", "acl.burma", "acl.dprk"]
    )


def test_acl_json_in_french_gives_french_names(capsys):
    answer = _main_json(capsys, "acl", "--on", "2010-07-13", "--lang", "fr")
    assert answer["countries"] == ["BY", "KP", "MM"]
    assert "Corée du Nord" in answer["names"]


def test_measures_json_lists_the_rules_in_force_for_burma(capsys):
    answer = _main_json(capsys, "measures", "Birmanie", "--on", "2000-01-01")
    assert answer["country"]["code"] == "MM"
    ids = {m["rule"] for m in answer["measures"]}
    assert {"acl.burma", "gpt.burma.1997-2015", "ldct.burma.1997-2015"} <= ids


def test_timeline_json_dates_burmas_listing_and_removal(capsys):
    answer = _main_json(capsys, "timeline", "Myanmar")
    events = {(e["rule"], e["change"]): e["date"] for e in answer["events"]}
    assert events[("acl.burma", "starts")] == "1997-08-07"
    assert events[("acl.burma", "ends")] == "2012-04-24"
    assert events[("gpt.burma.restored-2015", "starts")] == "2015-03-13"


def test_the_text_answer_names_the_deciding_rules(capsys):
    assert main(list(RUNS["export"])) == 0
    out = capsys.readouterr().out
    assert "[acl.belarus, verified]" in out
    assert "[policy.belarus.notice-148, verified]" in out


@pytest.mark.parametrize("name", list(MORE_BAD))
def test_more_bad_input_is_refused_in_one_line_with_exit_status_2(capsys, name):
    assert main(list(MORE_BAD[name])) == 2
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("bilateral: error: ")


@pytest.mark.parametrize("name", list(BAD_RUNS))
def test_bad_input_is_refused_in_one_line_with_exit_status_2(ran, name):
    result = ran[name]
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bilateral: error: ")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("unknown country", "to"),
        ("malformed HS", "hs"),
        ("malformed date", "on"),
        ("unknown topic", "topic"),
        ("unknown category", "category"),
        ("two goods options", "goods"),
    ],
)
def test_the_error_line_names_the_field(ran, name, field):
    assert ran[name].stderr.startswith(f"bilateral: error: {field}: ")


# --- in-process: country names and the ACL at every boundary --------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("BY", "BY"),
        ("by", "BY"),
        ("BLR", "BY"),
        ("Belarus", "BY"),
        ("Bélarus", "BY"),
        ("BÉLARUS", "BY"),
        ("Bielorussie", "BY"),
        ("Biélorussie", "BY"),
        ("MM", "MM"),
        ("MMR", "MM"),
        ("Burma", "MM"),
        ("Myanmar", "MM"),
        ("Birmanie", "MM"),
        ("KP", "KP"),
        ("PRK", "KP"),
        ("North Korea", "KP"),
        ("Corée du Nord", "KP"),
        ("DPRK", "KP"),
        ("Germany", "DE"),
        ("Allemagne", "DE"),
        ("DEU", "DE"),
        ("United States", "US"),
        ("États-Unis", "US"),
    ],
)
def test_countries_are_accepted_as_iso_codes_and_english_or_french_names(capsys, typed, code):
    answer = _main_json(
        capsys, "check", "export", "--to", typed, "--on", "2014-03-01", "--hs", "8703"
    )
    assert answer["destination"]["code"] == code


@pytest.mark.parametrize(
    ("on", "countries"),
    [
        ("1997-08-06", []),
        ("1997-08-07", ["MM"]),
        ("1997-08-08", ["MM"]),
        ("2006-12-13", ["MM"]),
        ("2006-12-14", ["BY", "MM"]),
        ("2006-12-15", ["BY", "MM"]),
        ("2010-07-12", ["BY", "MM"]),
        ("2010-07-13", ["BY", "KP", "MM"]),
        ("2010-07-14", ["BY", "KP", "MM"]),
        ("2012-04-22", ["BY", "KP", "MM"]),
        ("2012-04-23", ["BY", "KP", "MM"]),
        ("2012-04-24", ["BY", "KP"]),
        ("2017-06-18", ["BY", "KP"]),
        ("2017-06-19", ["BY", "KP"]),
        ("2017-06-20", ["KP"]),
        ("2017-06-21", ["KP"]),
    ],
)
def test_the_area_control_list_on_each_boundary_date(capsys, on, countries):
    assert _main_json(capsys, "acl", "--on", on)["countries"] == countries


@pytest.mark.parametrize(("on", "gap"), [("2006-08-01", True), ("2006-08-02", False)])
def test_the_acl_before_august_2006_carries_the_known_gap_caveat(capsys, on, gap):
    answer = _main_json(capsys, "acl", "--on", on)
    assert any("amending orders of 1986 to 2003" in c for c in answer["caveats"]) is gap


def test_a_missing_required_option_is_an_argparse_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["check", "export", "--to", "BY"])
    assert exited.value.code == 2
    assert "the following arguments are required: --on" in capsys.readouterr().err


def test_the_permit_office_commands_run_through_the_main_cli(tmp_path):
    env = {
        **os.environ,
        "BILATERAL_DATABASE_PATH": str(tmp_path / "office.sqlite3"),
        "BILATERAL_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("BILATERAL_DATABASE_URL", None)
    run = [sys.executable, "-m", "bilateral.faces.cli"]
    upgraded = subprocess.run([*run, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert upgraded.returncode == 0, upgraded.stderr
    created = subprocess.run(
        [*run, "users", "create", "olga", "--role", "officer"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    assert "token" in created.stdout.lower()
    verified = subprocess.run([*run, "audit", "verify"], env=env, capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr


@pytest.mark.parametrize(
    ("lang", "line", "sentence"),
    [
        ("en", "Listed: possibly listed", "is possibly a listed person on March 17, 2014"),
        (
            "fr",
            "Inscrit : peut-être inscrit",
            "est peut-être une personne inscrite le 17 mars 2014",
        ),
    ],
)
def test_sor_2014_58_sch_1_item_7_before_its_text_date_reads_possibly_listed_not_no(
    capsys, lang, line, sentence
):
    """Surkov's item is known from 2016-03-18 only; on 2014-03-17 the answer is not "no"."""
    status = main(["check", "party", "Vladislav Surkov", "--on", "2014-03-17", "--lang", lang])
    out = capsys.readouterr().out
    assert status == 0
    assert line in out.splitlines()
    assert sentence in out
    assert "Listed: no" not in out and "Inscrit : non" not in out
