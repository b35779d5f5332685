"""Properties of screening that must hold for any input a user can type."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bilateral.screening.matching import compare
from bilateral.screening.normalise import parse_name
from bilateral.screening.screen import Query, default_index, screen
from bilateral.screening.store import shipped

ANY_TEXT = st.text(max_size=60)  # every Unicode category, surrogates excluded by Hypothesis


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, ANY_TEXT, st.booleans())
def test_any_two_names_score_in_0_1_without_crashing(a: str, b: str, person: bool) -> None:
    result = compare(a, b, person)
    assert 0.0 <= result.score <= 1.0


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_a_name_scores_1_against_itself_when_it_has_letters(name: str) -> None:
    parsed = parse_name(name)
    if parsed.tokens and not any(t.isdigit() for t in parsed.tokens):
        assert compare(name, name).score >= 0.95


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT, st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)))
def test_screening_any_name_on_any_date_never_crashes(name: str, on: dt.date) -> None:
    result = screen(default_index(shipped()), Query(name, on), 0.8)
    assert all(0.8 <= h.score <= 1.0 for h in result.hits)
    assert all(h.status in ("listed", "possibly listed", "date unknown") for h in result.hits)


def test_every_listed_name_finds_itself() -> None:
    # every name of every shipped list, not a sample: one that a sample missed once
    # ("Vladimir Vladimirovich VLADIMIROV", whose every part is shared by dozens of listed
    # names) was ranked out of the candidates
    index = default_index(shipped())
    missed = [
        name
        for name in dict.fromkeys(e.name for s in shipped() for e in s.entries)
        if name
        not in [h.entry.name for h in screen(index, Query(name, dt.date(2099, 1, 1)), 0.8).hits]
    ]
    assert missed == []
