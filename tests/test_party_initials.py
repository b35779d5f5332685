"""A name given with initials ("A. G. Lukashenko") is never answered "not listed" when the
listed name's given names start with those initials: it is possibly listed, with a caveat
saying so, in both languages and in any script. Initials that contradict every listed
name with that surname are not a match."""

from __future__ import annotations

import pytest

from bilateral.engine.checks import check_party
from bilateral.engine.names import matches, name_keys


@pytest.mark.parametrize(
    "name", ["A. G. Lukashenko", "Lukashenko A.G.", "Лукашенко А.Г.", "A.G. LUKASHENKA"]
)
def test_initials_of_a_listed_name_are_possibly_listed(name: str) -> None:
    answer = check_party(name=name, on="2023-01-01")
    assert answer["listed"] is True
    assert answer["status"] == "possibly listed"
    hits = [(m["name"], m["match"], m["status"]) for m in answer["matches"]]
    assert hits == [("Aleksandr Grigoryevich Lukashenko", "initials", "possibly listed")]
    assert any(c.startswith(f"Possibly listed: {name!r} gives initials") for c in answer["caveats"])


def test_initials_are_said_in_french_and_respect_the_listing_date() -> None:
    french = check_party(name="Лукашенко А.Г.", on="2023-01-01", lang="fr")
    assert any(
        c.startswith("Peut-être inscrit : « Лукашенко А.Г. » donne des initiales")
        for c in french["caveats"]
    )
    # listed from 2020-09-28 (SOR/2020-214 Schedule 1, Part 1, item 8)
    assert check_party(name="A. G. Lukashenko", on="2020-09-27")["listed"] is False
    assert check_party(name="A. G. Lukashenko", on="2020-09-28")["listed"] is True


def test_initials_that_contradict_do_not_match_and_alone_never_match() -> None:
    assert check_party(name="B. Lukashenko", on="2023-01-01")["listed"] is False
    listed = name_keys("Aleksandr Grigoryevich Lukashenko")
    assert matches(name_keys("A. G. Lukashenko"), listed) == "initials"
    assert matches(name_keys("A. G."), listed) is None  # no whole word matched
    assert matches(name_keys("A. B. Lukashenko"), listed) is None
