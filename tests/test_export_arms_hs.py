"""An HS code of Chapter 93 (arms and ammunition) is never answered "no permit" without
saying that such goods are as a rule in ECL Group 2 (SOR/89-202 s. 2), in both languages,
on the command line and in a batch file alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from bilateral.engine.checks import check_export
from bilateral.faces.cli import main

ARMS = "HS Chapter 93 (arms and ammunition): such goods are as a rule in Group 2"


@pytest.mark.parametrize("on", ["2017-06-19", "2017-06-20", "2020-09-28", "2020-11-09"])
def test_military_weapons_to_belarus_carry_the_munitions_caveat(on: str) -> None:
    answer = check_export(to="BY", on=on, hs="9301.10")
    assert [c for c in answer["caveats"] if c.startswith(ARMS)]
    french = check_export(to="BY", on=on, hs="9301.10", lang="fr")
    assert [c for c in french["caveats"] if c.startswith("Chapitre 93 du SH (armes et munitions)")]
    # other goods do not get it
    laptops = check_export(to="BY", on=on, hs="8471.30")
    assert not [c for c in laptops["caveats"] if c.startswith(ARMS)]


def test_the_no_permit_sentence_for_arms_points_at_group_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # after Belarus left the Area Control List (2017-06-20) nothing else in the data applies
    assert main(["check", "export", "--to", "BY", "--on", "2017-06-20", "--hs", "9301.10"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(
        "as far as the recorded law shows; read the caveats below before you rely on it."
    )
    assert "  ! " + ARMS in out and "ask with --ecl 2-…." in out
    rows = tmp_path / "rows.csv"
    rows.write_text("destination,date,hs\nBY,2017-06-20,9301.10\nBY,2017-06-20,8471.30\n")
    out_csv = tmp_path / "out.csv"
    assert main(["batch", str(rows), "--output", str(out_csv)]) == 0
    lines = out_csv.read_text().splitlines()
    assert ARMS in lines[1] and ARMS not in lines[2]
