"""Sanctions screening in eligibility: the organisation's and the contacts' names are read
against the Schedule 1 lists on the date of the determination (SOR/2020-214 s. 3 forbids
making property or financial services available to a listed person). A match is never
"eligible": the officer is told the instrument, schedule, part, item, listing date and
score, and that s. 4(h) is the exception to assess. No match is a passed line naming the
lists read. Both sides of the listing date; French readers read French; the applicant's
typed names are not echoed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cfli_kit import CALL_ID, EXAMPLE, organisation, proposal_data

from bilateral.cfli import i18n
from bilateral.cfli.calls import Call
from bilateral.cfli.eligibility import Outcome, Status, determine_eligibility, replay
from bilateral.cfli.proposals import Proposal, parse_proposal
from bilateral.errors import BadInput
from bilateral.faces.cli import main

BELARUSKALI = "Belaruskali OAO"  # SOR/2020-214, Schedule 1, Part 2, item 15, from 2022-03-08
LUKASHENKO = "Aleksandr Grigoryevich Lukashenko"  # Part 1, item 8, from 2020-09-28
URL = "https://laws-lois.justice.gc.ca/eng/regulations/SOR-2020-214/"
URL_FR = "https://laws-lois.justice.gc.ca/fra/reglements/DORS-2020-214/"


def proposal(org_name: str = "Independent Media Circle", contact: str = "Ala Example") -> Proposal:
    contacts = [{"name": contact, "role": "coordinator", "email": "c@example.org"}]
    return parse_proposal(
        proposal_data(organisation=organisation(name=org_name, contacts=contacts))
    )


def sanctions(d: Any, status: Status | None = None) -> list[Any]:
    return [
        r for r in d.reasons if r.check == "sanctions" and (status is None or r.status is status)
    ]


def test_the_belaruskali_and_lukashenko_proposal_needs_review_with_the_citation(
    officer_call: Call,
):
    d = determine_eligibility(proposal(BELARUSKALI, LUKASHENKO), officer_call)
    assert d.outcome is Outcome.NEEDS_REVIEW
    # every other check passes against the officer's call: the sanctions hits alone hold it
    assert {r.check for r in d.to_review()} == {"sanctions"}
    org, contact = sanctions(d, Status.REVIEW)
    assert org.message.en.startswith(
        "the organisation's name matches “Belaruskali OAO”, SOR/2020-214, Schedule 1, Part 2, "
        "item 15, listed since March 8, 2022 (exact match, score 1.00): section 3 of "
        "SOR/2020-214 prohibits making any property or financial services available to a "
        "listed person; the programme officer must review the match and assess whether "
        "paragraph 4(h) of SOR/2020-214 applies"
    )
    assert org.message.en.endswith("the proposal cannot be eligible before that review")
    assert contact.message.en.startswith(
        "the name of contact 1 matches “Aleksandr Grigoryevich Lukashenko”, SOR/2020-214, "
        "Schedule 1, Part 1, item 8, listed since September 28, 2020 (exact match, score 1.00)"
    )
    assert org.text("en").endswith(
        f"(call {CALL_ID} v1; sanctions; SOR/2020-214, ss. 3 and 4(h); {URL})"
    )
    assert not sanctions(d, Status.PASS)  # no "no match" line beside a match
    assert d.as_of == dt.date(2026, 5, 15)  # the submission date


def test_a_match_is_never_eligible_even_when_every_call_check_passes(officer_call: Call):
    clean = determine_eligibility(proposal(), officer_call)
    listed = determine_eligibility(proposal(BELARUSKALI), officer_call)
    assert clean.outcome is Outcome.ELIGIBLE
    assert listed.outcome is Outcome.NEEDS_REVIEW


@pytest.mark.parametrize(
    ("on", "outcome"),
    [
        (dt.date(2021, 1, 1), Outcome.ELIGIBLE),
        (dt.date(2022, 3, 7), Outcome.ELIGIBLE),
        (dt.date(2022, 3, 8), Outcome.NEEDS_REVIEW),
    ],
)
def test_belaruskali_is_a_match_only_from_its_listing_on_8_march_2022(
    officer_call: Call, on: dt.date, outcome: Outcome
):
    d = determine_eligibility(proposal(BELARUSKALI), officer_call, on=on)
    assert d.outcome is outcome
    assert d.as_of == on
    if outcome is Outcome.ELIGIBLE:
        passed, later = sanctions(d, Status.PASS)
        day = i18n.day(on, "en")
        assert passed.message.en.startswith(f"no match on the sanctions lists on {day} (lists:")
        # every list read is dated after the day asked: nothing listed by then is missing
        assert "a listing made after a list's date" not in passed.message.en
        # the listing to come is shown, so the officer screens again before paying
        assert later.message.en == (
            "the organisation's name resembles “Belaruskali OAO”, SOR/2020-214, Schedule 1, "
            "Part 2, item 15, listed only from March 8, 2022 (exact match, score 1.00): not a "
            f"match on {day}, but screen again before an agreement is signed or a payment made"
        )
        assert later.sensitive
    else:
        (hit,) = sanctions(d, Status.REVIEW)
        assert "listed since March 8, 2022" in hit.message.en


def test_a_clean_organisation_shows_the_screening_was_done_and_which_lists_were_read(
    officer_call: Call,
):
    d = determine_eligibility(proposal(), officer_call)
    (passed,) = sanctions(d)
    assert passed.status is Status.PASS and not passed.sensitive
    text = passed.text("en")
    assert text.startswith(
        "no match on the sanctions lists on May 15, 2026 (lists: SOR/2020-214, Schedule 1, as of "
    )
    assert "SOR/2014-58, Schedule 1, as of" in text
    assert "sanctions regimes whose lists are not in the data were not screened" in text
    # the Belarus list is consolidated to 2025-07-25, before the submission date
    assert "a listing made after a list's date is not in its data" in text
    assert "screening lists ca-sema-belarus@" in text and "law data sha256:" in text
    assert ", threshold 0.72; law data" in text
    assert d.sanctions_lists and d.law_version


def test_french_readers_read_the_match_and_the_clean_line_in_french(officer_call: Call):
    d = determine_eligibility(proposal(BELARUSKALI), officer_call)
    (hit,) = sanctions(d)
    assert hit.text("fr").startswith(
        "le nom de l'organisation correspond à « Belaruskali OAO », DORS/2020-214, annexe 1, "
        "partie 2, article 15, inscription en vigueur depuis le 8 mars 2022 (correspondance "
        "exacte, score de 1,00) : l'article 3 du DORS/2020-214 interdit"
    )
    assert "déterminer si l'alinéa 4h) du DORS/2020-214 s'applique" in hit.text("fr")
    assert hit.text("fr").endswith(f"DORS/2020-214, art. 3 et al. 4h); {URL_FR})")
    assert d.render("fr").startswith("Admissibilité : À examiner")

    clean = determine_eligibility(proposal(), officer_call)
    (passed,) = sanctions(clean)
    assert passed.text("fr").startswith(
        "aucune correspondance dans les listes de sanctions au 15 mai 2026 (listes : "
        "DORS/2020-214, annexe 1, au "
    )


def test_a_spelling_variant_of_a_listed_name_is_found_without_echoing_the_typed_name(
    officer_call: Call,
):
    # the law engine's name keys miss this spelling; the screening package scores it
    d = determine_eligibility(proposal(contact="Aleksandr Lukaschenko"), officer_call)
    assert d.outcome is Outcome.NEEDS_REVIEW
    (hit,) = sanctions(d)
    assert hit.message.en.startswith(
        "the name of contact 1 matches “Aleksandr Grigoryevich Lukashenko”, SOR/2020-214, "
        "Schedule 1, Part 1, item 8, listed since September 28, 2020 (similar spelling, score "
        "0.89)"
    )
    assert "Lukaschenko" not in hit.text("en") + hit.text("fr")
    # logs and exports read the redacted determination: the match is masked there
    redacted = d.redacted().model_dump_json()
    assert "Lukashenk" not in redacted and "SOR/2020-214, Schedule 1, Part 1" not in redacted
    assert '"outcome":"needs_review"' in redacted


def test_lists_that_cannot_be_read_are_a_review_never_a_pass(
    officer_call: Call, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    damaged = tmp_path / "screening" / "lists" / "us-ofac-sdn" / "2026-01-01-000000000000.json"
    damaged.parent.mkdir(parents=True)
    damaged.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path))
    d = determine_eligibility(proposal(), officer_call)
    assert d.outcome is Outcome.NEEDS_REVIEW
    (r,) = sanctions(d)
    assert r.status is Status.REVIEW
    assert r.message.en == (
        "the sanctions lists could not be read (a list file is damaged): the names were not "
        "screened"
    )


def test_a_determination_made_with_other_lists_is_not_replayed(officer_call: Call):
    p = proposal(BELARUSKALI)
    d = determine_eligibility(p, officer_call, on=dt.date(2023, 1, 1))

    class Book:
        def get(self, call_id: str) -> Call:
            return officer_call

    stored = d.model_dump(mode="json")
    assert replay(stored, p, Book()) == d  # type: ignore[arg-type]
    stored["sanctions_lists"] = ["ca-sema-belarus@2022-01-01:sha256:000000"]
    with pytest.raises(BadInput, match="sanctions: the sanctions lists or the law data changed"):
        replay(stored, p, Book())  # type: ignore[arg-type]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_check_command_flags_the_listed_parties_and_takes_a_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    listed = tmp_path / "p.yaml"
    listed.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        .replace("name: Independent Media Circle", f"name: {BELARUSKALI}")
        .replace("name: Ala Example", f"name: {LUKASHENKO}"),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "cfli", "check", str(listed), "--call", CALL_ID)
    assert code == 0
    assert "? the organisation's name matches “Belaruskali OAO”, SOR/2020-214, Schedule 1" in out
    assert "? the name of contact 1 matches “Aleksandr Grigoryevich Lukashenko”" in out
    assert "no match on the sanctions lists" not in out

    code, out, _ = run(
        capsys, "cfli", "check", str(listed), "--call", CALL_ID, "--on", "2021-01-01"
    )
    assert code == 0
    assert "✓ the organisation's name resembles “Belaruskali OAO”" in out
    assert "listed only from March 8, 2022" in out

    code, out, _ = run(capsys, "cfli", "check", str(listed), "--call", CALL_ID, "--json")
    data = json.loads(out)
    assert data["outcome"] == "needs_review" and data["as_of"] == "2026-05-15"
    assert BELARUSKALI not in out and LUKASHENKO not in out

    code, out, err = run(
        capsys, "cfli", "check", str(listed), "--call", CALL_ID, "--on", "2021-02-30"
    )
    assert code == 2 and out == ""
    assert err == "bilateral: error: --on: '2021-02-30' is not a date (YYYY-MM-DD)\n"

    code, out, err = run(
        capsys, "cfli", "check", str(listed), "--call", CALL_ID, "--on", "1900-01-01"
    )
    assert code == 2 and out == ""
    assert err == "bilateral: error: --on: date 1900-01-01 is outside 1981-07-03 to 2100-12-31\n"


def test_a_missing_proposal_file_is_said_in_words(capsys: pytest.CaptureFixture[str]):
    code, out, err = run(capsys, "cfli", "check", "nofile.yaml", "--call", CALL_ID)
    assert code == 2 and out == ""
    assert err == "bilateral: error: proposal: cannot read nofile.yaml: no such file\n"


def test_a_match_on_an_imported_list_without_dates_is_a_review_naming_that_list(
    officer_call: Call, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from bilateral.screening import store
    from bilateral.screening.model import Entry, Snapshot

    monkeypatch.setenv("BILATERAL_DATA_DIR", str(tmp_path))
    entry = Entry(
        id="test/1",
        schema="Organization",
        name="Harbour Example Trading LLC",
        reference="Test list, entry 1",
        url="https://example.org/list",
    )
    store.save(Snapshot("test-list", "A test list", "test.json", None, "test", (entry,)))
    d = determine_eligibility(proposal("Harbour Example Trading LLC"), officer_call)
    assert d.outcome is Outcome.NEEDS_REVIEW
    (hit,) = sanctions(d)
    assert hit.text("en") == (
        "the organisation's name matches “Harbour Example Trading LLC”, Test list, entry 1, the "
        "list gives no listing date (exact match, score 1.00): the measures this list carries "
        "may forbid the payment; the programme officer must review the match; the proposal "
        f"cannot be eligible before that review (call {CALL_ID} v1; sanctions; Test list, "
        "entry 1; https://example.org/list)"
    )
    clean = determine_eligibility(proposal(), officer_call)
    (passed,) = sanctions(clean)
    # the imported list among the shipped ones, by list id (un-sc-consolidated after it)
    assert (
        "; A test list; UN Security Council Consolidated List (DPRK entries), as of February 27, "
        "2026); a listing made after a list's date is not in its data" in passed.message.en
    )


def test_a_name_too_long_to_screen_is_refused_naming_the_field_not_the_value(officer_call: Call):
    with pytest.raises(BadInput) as refused:
        determine_eligibility(proposal(contact="Ab" * 151), officer_call)
    assert str(refused.value) == "organisation.contacts.0.name: give a name of 1 to 300 characters"


def test_a_missing_sealed_record_is_said_in_words(capsys: pytest.CaptureFixture[str]):
    code, _, err = run(capsys, "cfli", "export", "gone.json")
    assert code == 2
    assert (
        err == "bilateral: error: record: gone.json: cannot read a sealed record (no such file)\n"
    )


def test_a_match_cites_the_provision_its_list_is_read_under_and_what_it_forbids(
    officer_call: Call,
):
    # OAO Novatek is on SOR/2014-58 Schedule 3 (s. 3.01(1.1): new debt of more than 90
    # days only); KOMID is designated under the UN DPRK regime (SOR/2006-287 s. 2(1))
    d = determine_eligibility(
        proposal("OAO Novatek", "Korea Mining Development Trading Corporation"), officer_call
    )
    assert d.outcome is Outcome.NEEDS_REVIEW
    org, contact = sanctions(d, Status.REVIEW)
    assert (
        "under SOR/2014-58 s. 3.01(1.1) and Schedule 3, new debt of longer than 90 days' "
        "maturity in relation to them or their property is banned"
    ) in org.message.en
    assert "(call" in org.text("en") and "SOR/2014-58, s. 3.01(1.1) and Schedule 3;" in org.text(
        "en"
    )
    assert "SOR/2006-287 s. 2(1) and s. 1 (designated person) prohibits dealings" in (
        contact.message.en
    )
    assert "SOR/2006-287, s. 2(1) and s. 1 (designated person);" in contact.text("en")
    french = contact.text("fr")
    assert "DORS/2006-287, art. 2(1) et art. 1 (personne désignée);" in french
    assert "interdit les opérations avec les personnes qu'il vise" in contact.message.fr


def test_a_un_designation_before_the_regulations_text_is_held_is_a_possible_prohibition(
    officer_call: Call,
):
    # KOMID, designated by the UN on 2009-04-24; SOR/2006-287's text before 2016-10-21 is
    # not in the law data: a review that says the prohibition is possible, not certain
    d = determine_eligibility(
        proposal("Korea Mining Development Trading Corporation"),
        officer_call,
        on=dt.date(2015, 6, 29),
    )
    assert d.outcome is Outcome.NEEDS_REVIEW
    (hit,) = sanctions(d, Status.REVIEW)
    assert "may have prohibited dealings with the persons it lists: the UN had designated" in (
        hit.message.en
    )
    assert "a peut-être interdit les opérations avec les personnes qu'il vise : l'ONU avait" in (
        hit.message.fr
    )
