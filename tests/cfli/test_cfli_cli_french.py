"""`bilateral cfli check … --lang fr`: a refused question is one French line (exit 2), the
field named as the command knows it; without --lang fr the English line is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfli_kit import CALL_ID, EXAMPLE

from bilateral.faces.cli import main


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["cfli", "check", *argv])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1, captured.err  # one line, no traceback
    return captured.err.strip()


def test_an_unknown_call_is_refused_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(EXAMPLE), "--call", "cfli-mars"]
    assert refused(capsys, *argv, "--lang", "fr") == (
        f"bilateral : erreur : call : aucun appel « cfli-mars » (connus : {CALL_ID})"
    )
    assert refused(capsys, *argv).startswith("bilateral: error: call: no call 'cfli-mars'")


@pytest.mark.parametrize(
    ("name", "text", "fr", "en"),
    [
        (
            "p.yaml",
            "x: [\n",
            "p.yaml : ce n'est pas du YAML (ligne 2)",
            "p.yaml: not YAML (line 2)",
        ),
        (
            "p.json",
            "{\n  nope\n}",
            "p.json : ce n'est pas du JSON (ligne 2)",
            "p.json: not JSON (line 2)",
        ),
        (
            "p.txt",
            "x: 1",
            "p.txt : un fichier .json, .yaml ou .yml est attendu",
            "p.txt: expected a .json, .yaml or .yml file",
        ),
        (
            "p.yml",
            "- 1\n",
            "p.yml : une table de champs est attendue",
            "p.yml: expected a mapping of fields",
        ),
        (
            "d.yaml",
            "start: 2026-02-30\n",
            "d.yaml : une date du fichier n'existe pas",
            "d.yaml: a date in the file does not exist",
        ),
    ],
)
def test_a_proposal_file_that_does_not_read_is_refused_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str, fr: str, en: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    argv = [str(path), "--call", CALL_ID]
    assert refused(capsys, *argv, "--lang", "fr") == f"bilateral : erreur : proposal : {fr}"
    assert refused(capsys, *argv) == f"bilateral: error: proposal: {en}"


def test_an_engine_refusal_reaching_a_cfli_page_is_said_not_a_server_error() -> None:
    """The engine's refusals now carry codes (``engine.*``, the shared catalog): a CFLI page
    or API answer that meets one (the screening date outside the law data) says it in the
    reader's language instead of looking it up among the CFLI refusals (a KeyError, a 500)."""
    import datetime as dt

    from bilateral.cfli.web.pages import refusal_text
    from bilateral.engine.checks import parse_date
    from bilateral.errors import BadInput

    with pytest.raises(BadInput) as caught:
        parse_date(dt.date(1800, 6, 1), "on")
    code, params = caught.value.code, caught.value.params
    assert refusal_text(code, params, "fr") == (
        "la date du 1er juin 1800 est hors de la période couverte, du 3 juillet 1981 au "
        "31 décembre 2100"
    )
    assert refusal_text(code, params, "en") == "date 1800-06-01 is outside 1981-07-03 to 2100-12-31"
    assert refusal_text("engine.no_such_code", {}, "fr") is None
