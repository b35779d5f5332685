"""What a French reader sees of the screening faces (``--lang fr``): the file screenings'
summaries, their error reports and refusals, the fuzzy party answer, an analyst's mark and
argparse's own errors, all in French, with days as French prose writes them (never ISO)
and numbers with a decimal comma. The outputs' columns and codes stay as they are."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from bilateral.faces import refusal, verdict
from bilateral.faces.cli import main

# An ISO day inside a French line (list versions, ``name@2026-02-27:sha256…``, excepted).
ISO_IN_PROSE = re.compile(r"(?<![\w@./:-])\d{4}-\d{2}-\d{2}(?![\w/:@-])")
LUKASHENKO = ["check", "party", "Alexander Lukashenko", "--on", "2020-09-28"]


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Imported lists and the decision log go to a private folder."""
    folder = tmp_path / "data"
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(folder))
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    said = capsys.readouterr()
    return code, said.out, said.err


def no_iso_day(text: str) -> None:
    """No French line writes a day as ISO (except inside a list version, an identifier)."""
    for line in text.splitlines():
        if line.startswith(("Listes :", "listes :")):
            continue
        assert not ISO_IN_PROSE.search(line), line


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- 1. screen parties / declarations / lists / mark: --lang fr ------------------------


def test_screen_parties_in_french_summary_and_the_error_reports_french_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "parties.csv"
    source.write_text(
        "name,date,birth_date,country,kind\n"
        "Alexander Lukashenko,2020-09-28,,,\n"
        ",2020-09-28,,,\n"
        "John Smith,hier,,,\n"
        "Jane Doe,2021-01-01,hier,,\n"
        "Joe Bloggs,2021-01-01,,Narnia,\n"
        "Acme,2021-01-01,,,robot\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    code, said, _ = run(
        capsys, "screen", "parties", str(source), "--output", str(out), "--workers", "1",
        "--lang", "fr",
    )  # fmt: skip
    assert code == 0
    lines = said.splitlines()
    assert (
        lines[0] == "6 ligne(s) filtrée(s) : 1 avec une correspondance possible, 5 non filtrée(s)"
    )
    assert lines[1] == f"sortie : {out}"
    assert f"lignes non filtrées (ligne, motif) : {tmp_path / 'out.errors.csv'}" in lines
    assert any(line.startswith("listes : ca-sema-belarus@") for line in lines)
    assert f"mises en garde (aussi dans {tmp_path / 'out.caveats.txt'}) :" in lines
    assert any(line.startswith("consigné sous le numéro d'exécution ") for line in lines)
    # the caveats: French, days as prose
    assert "en vigueur depuis le 16 septembre 2014 :" in said
    assert "daté du 18 mars 2016 (début de ces données)" in said
    no_iso_day(said)
    # the error report: English reasons kept (what scripts read), French beside them
    errors = rows_of(tmp_path / "out.errors.csv")
    assert list(errors[0]) == ["line", "name", "error", "error_fr"]
    assert [(r["line"], r["error"], r["error_fr"]) for r in errors] == [
        ("3", "name: empty", "name : vide"),
        ("4", "date: 'hier' is not a date (YYYY-MM-DD)",
         "date : « hier » n'est pas une date (AAAA-MM-JJ)"),
        ("5", "birth_date: 'hier' is not a date (YYYY-MM-DD or YYYY)",
         "birth_date : « hier » n'est pas une date (AAAA-MM-JJ ou AAAA)"),
        ("6", "country: unknown country 'Narnia'", "country : pays inconnu « Narnia »"),
        ("7", "kind: 'robot' (use person or organization)",
         "kind : « robot » (utilisez person ou organization)"),
    ]  # fmt: skip
    # the output's columns and codes are an API: the same in both languages
    rows = rows_of(out)
    assert rows[0]["hits"] == "1" and rows[0]["best_status"] == "listed"
    # the caveats file is data: English
    assert "Listing dates are the in-force dates" in (tmp_path / "out.caveats.txt").read_text()


def test_screen_parties_in_english_is_unchanged_and_has_no_french_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "parties.csv"
    source.write_text("name,date\nJohn Smith,hier\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code, said, _ = run(
        capsys, "screen", "parties", str(source), "--output", str(out), "--workers", "1"
    )
    assert code == 0
    assert said.splitlines()[0] == "1 row(s) screened: 0 with a possible match, 1 not screened"
    assert list(rows_of(tmp_path / "out.errors.csv")[0]) == ["line", "name", "error"]


def test_screen_declarations_in_french_with_the_goods_refusals_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "lines.csv"
    source.write_text(
        "date,destination,hs,quantity\n"
        "2021-01-01,BY,8703,\n"
        "hier,BY,8703,\n"
        "2021-01-01,Narnia,8703,\n"
        "2021-01-01,BY,,\n"
        "2021-01-01,BY,8703,-3\n"
        "2021-01-01,BY,zz,\n"
        "2016-01-01,BY,440111,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    code, said, err = run(
        capsys, "screen", "declarations", str(source), "--output", str(out), "--lang", "fr"
    )
    assert code == 0
    assert said.splitlines()[0] == (
        "7 ligne(s) filtrée(s) : 0 avec une correspondance possible, 6 non filtrée(s)"
    )
    # no party column: said in French, and warned on stderr
    assert "aucune partie filtrée : lines.csv n'a aucune colonne de partie (" in said
    assert err.startswith("bilateral : avertissement : aucune partie filtrée : lines.csv")
    french = {r["line"]: r["error_fr"] for r in rows_of(tmp_path / "out.errors.csv")}
    assert french == {
        "3": "date : « hier » n'est pas une date (AAAA-MM-JJ)",
        "4": "country : pays inconnu « Narnia »",
        "5": "hs : indiquez un code SH ou un article de la LMTEC",
        "6": "quantity : « -3 » est négatif",
        "7": "hs : code SH mal formé « zz » (2, 4, 6, 8 ou 10 chiffres, points permis)",
        "8": "hs : la sous-position 440111 ne figure pas dans le SH2012, l'édition du SH en "
        "vigueur à cette date",
    }
    assert rows_of(out)[0]["verdict"] not in ("", None)  # codes as they are (an API)


def test_screen_declarations_names_its_party_columns_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "lines.csv"
    source.write_text(
        "date,destination,hs,exporter\n2021-01-01,BY,8703,Alexander Lukashenko\n",
        encoding="utf-8",
    )
    code, said, _ = run(
        capsys, "screen", "declarations", str(source), "--output", str(tmp_path / "o.csv"),
        "--lang", "fr",
    )  # fmt: skip
    assert code == 0
    assert "parties filtrées d'après la ou les colonnes : exporter" in said
    assert "1 ligne(s) filtrée(s) : 1 avec une correspondance possible, 0 non filtrée(s)" in said


def test_a_file_screening_refused_in_one_french_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.csv"
    code, _, err = run(
        capsys, "screen", "parties", str(missing), "--output", str(tmp_path / "o.csv"),
        "--lang", "fr",
    )  # fmt: skip
    assert code == 2
    assert err == f"bilateral : erreur : input : fichier introuvable : {missing}\n"
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    code, _, err = run(
        capsys, "screen", "parties", str(empty), "--output", str(tmp_path / "o.csv"),
        "--lang", "fr",
    )  # fmt: skip
    assert code == 2
    assert err == (
        "bilateral : erreur : input : empty.csv : fichier vide (la première ligne nomme les "
        "colonnes)\n"
    )


def test_screen_lists_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, said, _ = run(capsys, "screen", "lists", "show", "--lang", "fr")
    assert code == 0
    assert re.search(r"^ca-sema-belarus@\S+  \d+ inscriptions \(\d+ datées\)  ", said, re.M)
    assert "    source : " in said
    code, _, err = run(capsys, "screen", "lists", "export", "nope", "--output",
                       str(tmp_path / "x.jsonl"), "--lang", "fr")  # fmt: skip
    assert code == 2
    assert err == (
        "bilateral : erreur : list_id : aucune liste active « nope » "
        "(voir bilateral screen lists show)\n"
    )
    code, said, _ = run(capsys, "screen", "lists", "export", "ca-sema-belarus", "--output",
                        str(tmp_path / "x.jsonl"), "--lang", "fr")  # fmt: skip
    assert code == 0
    assert re.fullmatch(r"\d+ entités FtM écrites dans \S+x\.jsonl \(ca-sema-belarus@\S+\)\n", said)
    code, _, err = run(capsys, "screen", "lists", "import", "un", str(tmp_path / "none.xml"),
                       "--lang", "fr")  # fmt: skip
    assert code == 2
    assert err.startswith("bilateral : erreur : path : fichier ou dossier introuvable : ")


# --- 4. the analyst's mark, and the fuzzy answer, in French --------------------------------


def test_an_analysts_mark_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    code, said, _ = run(capsys, *LUKASHENKO, "--fuzzy", "--json")
    first = json.loads(said)
    entry = first["matches"][0]["id"]
    code, said, _ = run(
        capsys, "screen", "mark", first["decision_id"], entry, "false-positive",
        "--reason", "homonyme, passeport vu", "--analyst", "marie", "--lang", "fr",
    )  # fmt: skip
    assert code == 0
    assert said == f"{entry} marqué comme faux positif dans la décision {first['decision_id']}\n"
    code, said, _ = run(capsys, *LUKASHENKO, "--fuzzy", "--json")
    at = json.loads(said)["matches"][0]["analyst_mark"]["at"]
    code, said, _ = run(capsys, *LUKASHENKO, "--fuzzy", "--lang", "fr")
    assert code == 0
    day = verdict.long_date(at[:10], "fr")
    assert f"      · marqué comme faux positif par marie le {day} : homonyme, passeport vu" in said
    assert "marked" not in said
    # refused marks, in French
    code, _, err = run(capsys, "screen", "mark", "abc", entry, "true-positive", "--reason", "x",
                       "--lang", "fr")  # fmt: skip
    assert code == 2
    assert (
        err
        == "bilateral : erreur : decision : aucune décision de filtrage « abc » dans le journal\n"
    )


def test_the_fuzzy_party_answer_is_french_throughout(capsys: pytest.CaptureFixture[str]) -> None:
    code, said, _ = run(capsys, *LUKASHENKO, "--fuzzy", "--threshold", "0,85", "--lang", "fr")
    assert code == 0
    lines = said.splitlines()
    assert lines[0] == (
        "Filtrage d'une partie : Alexander Lukashenko, le 28 septembre 2020 (seuil 0,85)"
    )
    assert "Correspondances possibles :" in lines
    assert "  - 0,89  Aleksandr Grigoryevich Lukashenko  [inscrit]" in lines
    assert "      DORS/2020-214, annexe 1, partie 1, article 8" in lines
    assert (
        "      · inscrit depuis le 28 septembre 2020 (DORS/2020-214, annexe 1, partie 1, "
        "article 8)" in lines
    )
    assert "Mises en garde :" in lines
    assert re.fullmatch(r"\(bilateral-screening-1; décision [0-9a-f]{16}\)", lines[-1])
    no_iso_day(said)
    for english in ("listed", "decision ", "threshold", "Possible matches", "Caveats"):
        assert english not in said


def test_a_match_not_yet_listed_is_dated_in_french_prose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, said, _ = run(
        capsys, "check", "party", "Alexander Lukashenko", "--on", "2020-09-01", "--fuzzy",
        "--lang", "fr",
    )  # fmt: skip
    assert code == 0
    assert (
        "  - 0,89  Aleksandr Grigoryevich Lukashenko : inscrit seulement à compter du "
        "28 septembre 2020, après le 1er septembre 2020 (DORS/2020-214, annexe 1, partie 1, "
        "article 8)" in said
    )
    no_iso_day(said)


def test_the_strict_party_answer_dates_in_french_prose(capsys: pytest.CaptureFixture[str]) -> None:
    code, said, _ = run(capsys, *LUKASHENKO, "--lang", "fr")
    assert code == 0
    assert "Alexander Lukashenko, le 28 septembre 2020" in said.splitlines()
    assert "(codifié au 25 juillet 2025)" in said
    no_iso_day(said)


# --- 2. check party's refusals and argparse's errors in French ---------------------------


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--dob", "hier"], "dob : « hier » n'est pas une date (AAAA-MM-JJ ou AAAA)"),
        (["--country", "Narnia"],
         "country : pays inconnu « Narnia » (utilisez un code ISO ou un nom)"),
        (["--threshold", "1,5"], "threshold : 1,5 n'est pas compris entre 0 (exclu) et 1"),
    ],
)  # fmt: skip
def test_check_party_refuses_a_bad_option_in_french(
    capsys: pytest.CaptureFixture[str], option: list[str], said: str
) -> None:
    code, out, err = run(capsys, *LUKASHENKO, *option, "--lang", "fr")
    assert code == 2 and out == ""
    assert err == f"bilateral : erreur : {said}\n"


def test_check_party_refuses_a_bad_option_in_english_as_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, *LUKASHENKO, "--dob", "hier")
    assert code == 2
    assert err == "bilateral: error: dob: 'hier' is not a date (YYYY-MM-DD or YYYY)\n"


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["--threshold"], "bilateral check party : erreur : argument --threshold : une valeur est "
                          "attendue"),
        (["--bogus"], "bilateral : erreur : arguments non reconnus : --bogus"),
        (["--use", "nope"], "bilateral check party : erreur : argument --use : choix invalide : "
                            "« nope » (choisissez parmi 'declaration', 'onboarding', 'payment')"),
        (["--threshold", "abc"], "bilateral check party : erreur : argument --threshold : pas un "
                                 "nombre entre 0 et 1 : « abc » (p. ex. 0,85)"),
    ],
)  # fmt: skip
def test_argparse_errors_in_french(
    capsys: pytest.CaptureFixture[str], words: list[str], said: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["check", "party", "X", "--lang", "fr", "--on", "2020-09-28", *words])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("utilisation : bilateral")
    assert err.splitlines()[-1] == said


def test_a_missing_required_option_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "party", "X", "--lang", "fr"])
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "bilateral check party : erreur : les arguments suivants sont requis : --on"
    )
    with pytest.raises(SystemExit):  # a screen subcommand's, too
        main(["screen", "parties", "in.csv", "--lang=fr"])
    err = capsys.readouterr().err
    assert err.splitlines()[-1].endswith("erreur : les arguments suivants sont requis : --output")


def test_argparse_errors_in_english_are_argparses_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "party", "X", "--on", "2020-09-28", "--bogus"])
    err = capsys.readouterr().err
    assert err.startswith("usage: bilateral")
    assert err.splitlines()[-1] == "bilateral: error: unrecognized arguments: --bogus"
    # and the French words do not outlive a French parse
    with pytest.raises(SystemExit):
        main(["check", "party", "X", "--on", "2020-09-28", "--bogus", "--lang", "fr"])
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["check", "party", "X", "--on", "2020-09-28", "--bogus"])
    assert capsys.readouterr().err.startswith("usage: bilateral")


# --- 3. a decimal comma in --threshold ---------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_threshold_with_a_decimal_comma_is_the_same_threshold(
    capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    code, said, _ = run(capsys, *LUKASHENKO, "--threshold", "0,85", "--json", "--lang", lang)
    assert code == 0
    comma = json.loads(said)
    code, said, _ = run(capsys, *LUKASHENKO, "--threshold", "0.85", "--json", "--lang", lang)
    dot = json.loads(said)
    assert comma["threshold"] == dot["threshold"] == 0.85
    assert [m["id"] for m in comma["matches"]] == [m["id"] for m in dot["matches"]]


def test_a_file_screening_takes_a_decimal_comma_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "parties.csv"
    source.write_text("name,date\nAlexander Lukashenko,2020-09-28\n", encoding="utf-8")
    code, said, _ = run(
        capsys, "screen", "parties", str(source), "--output", str(tmp_path / "o.csv"),
        "--workers", "1", "--threshold", "0,85", "--lang", "fr",
    )  # fmt: skip
    assert code == 0
    assert said.startswith("1 ligne(s) filtrée(s) : 1 avec une correspondance possible")


# --- the catalog's French of an English reason -------------------------------------------


def test_an_unknown_reason_stays_as_said_and_english_is_never_rewritten() -> None:
    assert refusal.reason("zzz: something new", "fr") == "zzz: something new"
    assert refusal.reason("name: empty", "en") == "name: empty"
    assert refusal.reason("row: fewer fields than the header has columns", "fr") == (
        "row : moins de champs que l'en-tête n'a de colonnes"
    )
    assert refusal.reason("date: outside 2010-01-01 to 2026-12-31", "fr") == (
        "date : hors de la période couverte, du 1er janvier 2010 au 31 décembre 2026"
    )


def test_prose_dates_leave_list_versions_and_english_alone() -> None:
    text = "inscrit le 2020-09-28 (ca-sema-belarus@2025-07-25:sha256:ed06a)"
    assert verdict.prose_dates(text, "fr") == (
        "inscrit le 28 septembre 2020 (ca-sema-belarus@2025-07-25:sha256:ed06a)"
    )
    assert verdict.prose_dates(text, "en") == text
