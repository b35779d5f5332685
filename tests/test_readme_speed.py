"""The README's speed figures are quotations of benchmark results files, nothing else."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUOTE = re.compile(r"\[`(results/[\w.-]+)`\]\(benchmarks/results/[\w.-]+\): `([^`]+)`")


def _speed_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Speed")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_speed_figure_in_the_readme_is_quoted_from_a_results_file() -> None:
    section = _speed_section()
    quotes = QUOTE.findall(section)
    assert len(quotes) >= 4, "the speed section quotes no results file"
    for name, excerpt in quotes:
        path = ROOT / "benchmarks" / name
        assert path.is_file(), f"{name} is not in benchmarks/results/"
        assert _flat(excerpt) in _flat(path.read_text(encoding="utf-8")), (name, excerpt)


def test_the_speed_section_states_no_figure_outside_a_quotation() -> None:
    unquoted = QUOTE.sub("", _speed_section())
    unquoted = re.sub(r"`[^`]*`", "", unquoted)  # commands
    figures = re.findall(r"\d[\d,.]*\s*(?:rows/s|ms|µs|req/s|×|s\b)", unquoted)
    assert not figures, f"figures not quoted from a results file: {figures}"
