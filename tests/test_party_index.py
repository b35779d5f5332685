"""Party look-up by index gives exactly what a scan of every listed name gives, and a file
of names is answered in one process."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bilateral.engine.law import default_law
from bilateral.engine.names import matches, name_keys
from bilateral.engine.party import determine_party, party_index
from bilateral.faces.cli import main

LAW = default_law()
PLISTS = list(LAW.bundle.person_lists.values())


def _scan(query: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The matches a full scan of every list finds (the pre-index algorithm)."""
    found = []
    for plist in PLISTS:
        for person, variant, keys in party_index(plist).rows:
            kind = matches(query, keys)
            if kind is not None:
                found.append((person.item, variant, kind))
    return found


def _indexed(query: tuple[str, ...]) -> list[tuple[str, str, str]]:
    found = []
    for plist in PLISTS:
        for person, variant, keys in party_index(plist).candidates(query):
            kind = matches(query, keys)
            if kind is not None:
                found.append((person.item, variant, kind))
    return found


def _queries() -> list[str]:
    names = []
    for plist in PLISTS:
        for person in plist.persons:
            for variant in (person.name, *person.aliases):
                tokens = variant.split()
                names.append(variant)
                names.append(" ".join(reversed(tokens)))
                names.append(" ".join(tokens[:2]))  # without the patronymic
                names.append(tokens[0])
                names.append(" ".join([*tokens[:-1], "Ivanovich"]))
    return [*names, "John Smith", "Ivan", "", "Belaruskali", "OAO"]


def test_the_index_finds_what_a_scan_of_every_listed_name_finds() -> None:
    queries = _queries()
    assert len(queries) > 1_000
    for name in queries:
        query = name_keys(name)
        assert _indexed(query) == _scan(query), name


def test_an_exact_name_is_one_dictionary_look_up() -> None:
    plist = PLISTS[0]
    person = plist.persons[0]
    rows = party_index(plist).exact(name_keys(person.name))
    assert person in [row[0] for row in rows]
    assert party_index(plist).exact(name_keys("Nobody Atall Here")) == ()


def test_a_listed_persons_answer_is_unchanged_on_both_sides_of_the_listing_day() -> None:
    # a person whose listed_on is their listing date (before an inexact one: "possibly listed")
    person = next(
        p
        for plist in PLISTS
        for p in plist.persons
        if p.listed_on > dt.date(2021, 1, 1) and p.listed_on_exact
    )
    before = determine_party(LAW, person.name, person.listed_on - dt.timedelta(days=1))
    on = determine_party(LAW, person.name, person.listed_on)
    assert not any(m.person == person for m in before.matches)
    assert any(m.person == person for m in on.matches)


def _names(tmp_path: Path, text: str, name: str = "names.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_of_a_thousand_names_is_answered_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = [p.name for plist in PLISTS for p in plist.persons]
    names = [listed[i % len(listed)] if i % 3 == 0 else f"Trader Number {i}" for i in range(1_000)]
    path = _names(tmp_path, "name\n" + "\n".join(f'"{n}"' for n in names) + "\n")
    assert main(["check", "party", "--file", str(path), "--on", "2025-06-01", "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in answers] == [" ".join(n.split()) for n in names]
    assert sum(a["listed"] for a in answers) == 334
    assert all(a["listed"] == (i % 3 == 0) for i, a in enumerate(answers))


def test_a_plain_file_has_one_name_per_line_and_blank_lines_are_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _names(tmp_path, "Aliaksandr Lukashenka\n\n  \nJohn Smith\n", "names.txt")
    assert main(["check", "party", "--file", str(path), "--on", "2025-06-01"]) == 0
    out = capsys.readouterr().out
    assert "Aliaksandr Lukashenka: Listed: yes" in out
    assert "John Smith: Listed: no" in out


def test_a_bad_name_in_a_file_is_named_by_its_line_and_nothing_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _names(tmp_path, "name\nJohn Smith\n" + "x" * 301 + "\n")
    assert main(["check", "party", "--file", str(path), "--on", "2025-06-01"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err.strip() == "bilateral: error: name: line 3: give a name of 1 to 300 characters"
    )


def test_a_csv_without_a_name_column_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _names(tmp_path, "who\nJohn Smith\n")
    assert main(["check", "party", "--file", str(path), "--on", "2025-06-01"]) == 2
    assert "no 'name' column" in capsys.readouterr().err


def test_a_name_and_a_file_together_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _names(tmp_path, "name\nJohn Smith\n")
    assert main(["check", "party", "Ivan", "--file", str(path), "--on", "2025-06-01"]) == 2
    assert "not both" in capsys.readouterr().err
