"""Relations events as data: what the bundled files say, and what the loader refuses."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from bilateral.errors import LawDataError
from bilateral.relations.loader import Relations, load
from bilateral.relations.model import EventKind, Precision


@pytest.fixture(scope="module")
def relations() -> Relations:
    return load()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    bundled = resources.files("bilateral.relations") / "data"
    target = tmp_path / "relations"
    with resources.as_file(bundled) as source:
        shutil.copytree(source, target)
    return target


def _event(relations: Relations, ident: str):  # type: ignore[no-untyped-def]
    return next(e for e in relations.events if e.id == ident)


def test_the_2006_presidential_election_is_dated_to_the_day_and_cited(relations: Relations) -> None:
    event = _event(relations, "by.election.2006-presidential")
    assert event.date.iso == "2006-03-19" and event.kind is EventKind.ELECTION
    assert event.url.startswith("https://www.international.gc.ca/")
    assert event.text.fr and event.text.en


def test_twelve_statements_are_one_event_with_their_count_and_month_only(
    relations: Relations,
) -> None:
    event = _event(relations, "by.statement.2010-election-twelve")
    assert event.count == 12
    assert event.date.precision is Precision.MONTH and event.date.iso == "2010-12"
    assert event.confidence.value == "inferred" and "not in the sources" in (event.note or "")


def test_cfli_is_known_to_the_year_2012_only(relations: Relations) -> None:
    event = _event(relations, "by.programme.cfli-2012")
    assert event.date.precision is Precision.YEAR and event.date.iso == "2012"
    assert "Warsaw" in event.text.en and "Varsovie" in event.text.fr


def test_listings_are_counted_from_the_official_schedule_1(relations: Relations) -> None:
    first = _event(relations, "listing.sor-2020-214-schedule-1.2020-09-28")
    assert first.count == 11 and first.entities == 0 and first.instrument == "SOR/2020-214"
    march = _event(relations, "listing.sor-2020-214-schedule-1.2022-03-08")
    # research §3.3: SOR/2022-49, +19 individuals and +25 entities
    assert (march.count, march.entities, march.instrument) == (44, 25, "SOR/2022-49")
    unknown = _event(relations, "listing.sor-2020-214-schedule-1.2025-01-24")
    assert unknown.instrument is None and "NOT FOUND" in (unknown.note or "")


def test_burma_and_dprk_have_the_events_the_research_gives(relations: Relations) -> None:
    assert [e.date.iso for e in relations.events_of("MM")] == ["1997-08-07"]
    assert [e.date.iso for e in relations.events_of("KP")] == ["2010-10-28"]


def test_published_2013_figures_are_those_of_the_december_2014_page(relations: Relations) -> None:
    figures = {f.id: f for f in relations.figures_of("BY")}
    imports = figures["by.trade.2013.imports"]
    assert str(imports.value) == "34600000" and imports.approximate
    assert (imports.mainly[0].section, imports.mainly[0].value) == ("VI", 23400000)
    assert str(figures["by.trade.2013.exports"].value) == "1700000"


def _break(folder: Path, old: str, new: str) -> None:
    path = folder / "events" / "belarus.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(folder: Path, needle: str) -> int:
    lines = (folder / "events" / "belarus.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_an_event_without_a_citation_is_refused_with_file_and_line(data_copy: Path) -> None:
    page = "http://www.canadainternational.gc.ca/poland-pologne/bilateral_relations_bilaterales/canada-belarus.aspx?lang=eng"
    block = f"    url: {page}\n    source: S24\n    confidence: verified\n  - id: by.statement.2010"
    _break(data_copy, block, block.split("\n", 1)[1])
    with pytest.raises(LawDataError) as caught:
        load(data_copy)
    error = caught.value
    assert error.file == "events/belarus.yaml"
    assert "by.election.2010-12-19-presidential has no citation (url)" in error.reason
    assert error.line == _line_of(data_copy, "id: by.election.2010-12-19-presidential")


def test_an_impossible_date_is_refused(data_copy: Path) -> None:
    _break(data_copy, "date: 2012-09-23", "date: 2012-09-31")
    with pytest.raises(LawDataError) as caught:
        load(data_copy)
    assert "impossible date" in caught.value.reason
    assert caught.value.line == _line_of(data_copy, "date: 2012-09-31")


def test_an_impossible_month_is_refused(data_copy: Path) -> None:
    _break(data_copy, "date: 2010-12\n", "date: 2010-13\n")
    with pytest.raises(LawDataError) as caught:
        load(data_copy)
    assert "impossible date '2010-13'" in caught.value.reason


def test_an_unknown_country_is_refused(data_copy: Path) -> None:
    _break(data_copy, "country: BY\nsources", "country: XX\nsources")
    with pytest.raises(LawDataError) as caught:
        load(data_copy)
    assert caught.value.reason == "unknown country 'XX'" and caught.value.line == _line_of(
        data_copy, "country: XX"
    )


def test_an_inferred_event_without_a_note_is_refused(data_copy: Path) -> None:
    _break(
        data_copy,
        "confidence: verified\n  - id: by.programme",
        "confidence: inferred\n  - id: by.programme",
    )
    with pytest.raises(LawDataError) as caught:
        load(data_copy)
    assert "an inferred event needs a note" in caught.value.reason


def test_a_listing_on_a_day_when_no_one_was_listed_is_refused(data_copy: Path) -> None:
    _break(data_copy, "listed_on: 2020-10-14", "listed_on: 2020-10-15")
    with pytest.raises(LawDataError) as caught:
        load(data_copy)
    assert "no one in sor-2020-214-schedule-1 is listed on 2020-10-15" in caught.value.reason


def test_measure_events_cannot_be_written_by_hand(data_copy: Path) -> None:
    _break(data_copy, "kind: programme", "kind: measure")
    with pytest.raises(LawDataError) as caught:
        load(data_copy)
    assert "generated from the rules" in caught.value.reason
