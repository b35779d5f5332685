# ruff: noqa: E501  (the claims read best as whole sentences)
"""The country profile: on 2014-12-01 Belarus's page says what the Government of Canada's
page of December 2014 said, each sentence cited, and nothing that was not yet true; later
dates follow the law."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bilateral.errors import BadInput
from bilateral.profile import render, views
from bilateral.stats.store import StatsStore


def page(on: str, lang: str = "en", store: StatsStore | None = None) -> dict[str, Any]:
    return views.profile(country="Belarus", on=on, lang=lang, store=store)


def text_of(profile: dict[str, Any], key: str | None = None) -> str:
    return " ".join(
        s["text"]
        for sec in profile["sections"]
        if key in (None, sec["key"])
        for s in sec["sentences"]
    )


SEED_CLAIMS_EN = [
    # limited official relations after the flawed 2006 elections
    "flawed presidential election",
    "Canada limited its official relations with Belarus",
    # representation from Warsaw; three ambassadors
    "based at the Canadian Embassy in Warsaw",
    "suspending the accreditation process for three consecutive ambassadors",
    # contact restricted to three areas
    "restricted to consular relations, human rights, democratic development and efforts related to international security",
    # the 2010 election and the twelve statements
    "December 19, 2010: Belarus's presidential election was marred",
    "issued twelve statements on the election and its aftermath",
    # the 2012 parliamentary elections
    "September 23, 2012: Belarus held parliamentary elections",
    # CFLI managed by Warsaw since 2012, democratisation and human rights
    "2012: The Canada Fund for Local Initiatives (CFLI) for Belarus, managed by the Canadian Embassy in Warsaw, supports projects on democratization and human rights",
    # ACL since 2006, every export needs a permit, non-humanitarian goods generally denied
    "Belarus has been on the Area Control List since December 14, 2006: every export of goods or technology to Belarus needs an export permit.",
    "permits for other items will generally be denied",
    # GPT withdrawn August 2007
    "Since August 1, 2007, goods originating in Belarus are no longer entitled to the General Preferential Tariff.",
    # the 2013 trade figures with chemical products
    "In 2013, Canadian exports to Belarus totalled $1.7 million.",
    "In 2013, Canadian imports from Belarus were approximately $34.6 million, mostly chemical products ($23.4 million), wood and mineral products.",
]

SEED_CLAIMS_FR = [
    "élection présidentielle entachée d'irrégularités",
    "le Canada a limité en réponse ses relations officielles avec le Bélarus",
    "assurée par l'ambassade du Canada à Varsovie",
    "suspension du processus d'accréditation de trois ambassadeurs successifs",
    "se limitent aux domaines suivants : les relations consulaires, les droits de la personne, le développement démocratique et les efforts liés à la sécurité internationale",
    "19 décembre 2010 : L'élection présidentielle au Bélarus a été entachée",
    "a publié douze déclarations sur l'élection et ses suites",
    "23 septembre 2012 : Le Bélarus a tenu des élections législatives",
    "2012 : Le Fonds canadien d'initiatives locales (FCIL) pour le Bélarus, géré par l'ambassade du Canada à Varsovie",
    "Le Bélarus figure sur la Liste des pays visés depuis le 14 décembre 2006 : toute exportation de marchandises ou de technologie vers le Bélarus exige une licence d'exportation.",
    "les autres seront généralement refusées",
    "Depuis le 1er août 2007, les marchandises originaires du Bélarus n'ont plus droit au tarif de préférence général.",
    "En 2013, les exportations canadiennes vers le Bélarus ont totalisé 1,7 million $.",
    "se sont élevées à environ 34,6 millions $, surtout des produits chimiques (23,4 millions $)",
]


@pytest.mark.parametrize("claim", SEED_CLAIMS_EN)
def test_belarus_on_2014_12_01_states_what_the_december_2014_page_states(claim: str) -> None:
    assert claim in text_of(page("2014-12-01"))


@pytest.mark.parametrize("claim", SEED_CLAIMS_FR)
def test_belarus_on_2014_12_01_in_french_states_what_the_page_states(claim: str) -> None:
    assert claim in text_of(page("2014-12-01", "fr"))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_belarus_on_2014_12_01_says_nothing_that_was_not_yet_true(lang: str) -> None:
    profile = page("2014-12-01", lang)
    words = text_of(profile)
    for later in (
        "2015",
        "2016",
        "2017",
        "2020",
        "2021",
        "2022",
        "Ottawa",
        "Lukashenko",
        "Loukachenko",
    ):
        assert later not in words
    for later in (
        "Special Economic Measures",
        "mesures économiques spéciales",
        "credentials",
        "lettres de créance",
    ):
        assert later not in words
    for cite in profile["citations"]:
        assert (cite.get("valid_from") or "") <= "2014-12-01"
        assert (cite.get("date") or "")[:10] <= "2014-12-01"
        assert cite.get("valid_to") is None or cite["valid_to"] < "2014-12-01"
    # nor in its sources: an end date or a note from later years would say what came next
    sources = render.markdown(profile).split("## Sources")[1]
    assert not re.search(
        r"\b20(1[5-9]|2\d)\b", sources.split("(law version")[0].split("(version du droit")[0]
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_sentence_is_cited_and_every_citation_has_a_link(lang: str) -> None:
    profile = page("2014-12-01", lang)
    numbers = {c["n"] for c in profile["citations"]}
    assert numbers == set(range(1, len(numbers) + 1))
    for section in profile["sections"]:
        for sentence in section["sentences"]:
            if section["key"] == "trade" and not sentence["cites"]:
                assert "No trade series" in sentence["text"] or "Aucune série" in sentence["text"]
                continue
            assert sentence["cites"] and set(sentence["cites"]) <= numbers
    assert all(c["url"].startswith("http") for c in profile["citations"])


def test_french_citations_link_to_french_pages() -> None:
    urls = [c["url"] for c in page("2014-12-01", "fr")["citations"]]
    assert any("notices-avis/148.aspx?lang=fra" in u for u in urls)
    assert any("/fra/reglements/DORS-2007-174/" in u for u in urls)


def test_date_modified_is_the_latest_change_on_or_before_the_date() -> None:
    assert page("2014-12-01")["date_modified"] == "2014-12-01"  # the December 2014 page itself
    assert page("2014-11-30")["date_modified"] == "2012-09-23"  # the parliamentary elections
    assert page("2018-01-01")["date_modified"] == "2017-06-20"  # removed from the ACL


def test_trade_figures_of_2013_appear_once_the_page_that_published_them_can_be_dated() -> None:
    assert "$34.6 million" not in text_of(page("2014-11-30"))
    assert "$34.6 million" in text_of(page("2014-12-01"))


@pytest.mark.parametrize(
    ("on", "listed"),
    [("2017-06-19", True), ("2017-06-20", False), ("2018-01-01", False)],
)
def test_area_control_list_on_both_sides_of_its_removal(on: str, listed: bool) -> None:
    en, fr = text_of(page(on)), text_of(page(on, "fr"))
    assert ("Belarus has been on the Area Control List" in en) is listed
    assert ("Le Bélarus figure sur la Liste des pays visés" in fr) is listed


def test_belarus_on_2018_01_01_is_no_longer_on_the_area_control_list_and_says_when_it_ended() -> (
    None
):
    profile = page("2018-01-01")
    assert (
        "Belarus on the Area Control List: in force from December 14, 2006 until June 19, 2017."
        in text_of(profile, "ended")
    )
    assert "Area Control List" not in text_of(profile, "measures")
    assert "restricted to consular relations" not in text_of(profile)
    assert "December 13, 2016: President Lukashenko received the credentials" in text_of(
        profile, "relations"
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_belarus_on_2023_01_01_describes_the_sema_measures_and_the_mfn_withdrawal(
    lang: str,
) -> None:
    profile = page("2023-01-01", lang)
    measures = text_of(profile, "measures")
    if lang == "en":
        # Order 2022-2 continued Order 2022-1 without a day's gap: withdrawn since March 2
        assert (
            "Since March 2, 2022, goods originating in Belarus are no longer entitled to the Most-Favoured-Nation Tariff."
            in measures
        )
        assert "Special Economic Measures (Belarus) Regulations" in measures
        assert "181 individuals and 55 entities" in measures
        assert "luxury goods of Schedule 4, Part 1" in measures
        assert "Belarus closed its embassy in Ottawa" in text_of(profile, "relations")
    else:
        assert "n'ont plus droit au tarif de la nation la plus favorisée" in measures
        assert "Règlement sur les mesures économiques spéciales visant le Bélarus" in measures
        assert "181 personnes physiques et 55 entités" in measures
    assert "2021" in text_of(profile, "trade")


@pytest.mark.parametrize(("on", "entitled"), [("2022-03-01", True), ("2022-03-02", False)])
def test_mfn_entitlement_on_both_sides_of_its_withdrawal(on: str, entitled: bool) -> None:
    measures = text_of(page(on), "measures")
    assert (
        "Goods originating in Belarus are entitled to the Most-Favoured-Nation Tariff." in measures
    ) is entitled
    assert ("no longer entitled to the Most-Favoured-Nation Tariff" in measures) is not entitled


def test_a_country_without_measures_says_so() -> None:
    profile = views.profile(country="Norway", on="2014-12-01")
    assert "No Canadian export control, sanction or tariff measure specific to Norway" in text_of(
        profile
    )
    assert "No trade figure for Canada and Norway" in text_of(profile, "trade")


def test_burma_and_the_dprk_pages_come_from_the_same_facts() -> None:
    burma = views.profile(country="Burma", on="2008-01-01")
    assert "August 7, 1997" in text_of(burma, "relations")
    # the ACL listing's in-force date is NOT FOUND: the announcement's date is inferred, and said so
    assert "on the Area Control List since August 7, 1997 (date inferred)" in text_of(
        burma, "measures"
    )
    assert "first nine months" in text_of(burma, "trade")
    dprk = views.profile(country="DPRK", on="2011-01-01", lang="fr")
    assert "28 octobre 2010" in text_of(dprk, "relations")


def test_a_computed_series_is_shown_beside_the_published_figures_once_its_year_is_over(
    tmp_path: Path,
) -> None:
    csv = tmp_path / "cimt.csv"
    csv.write_text(
        "Period,HS Code,Country,Trade Type,Value ($)\n2013,2815,Belarus,Imports,1500000\n"
    )
    with StatsStore(tmp_path / "stats.duckdb") as store:
        store.import_file(csv)
        before = text_of(page("2013-12-31", store=store), "trade")
        after = page("2014-12-01", store=store)
    assert "Computed from imported data" not in before
    trade = text_of(after, "trade")
    assert (
        "Computed from imported data (Statistics Canada" in trade
        and "imports $1.5 million" in trade
    )
    assert "$34.6 million" in trade  # the published figure stays, beside, not summed
    assert after["trade"]["series"]["by_section"][0]["group"] == "VI"


def test_markdown_and_html_renderings_carry_the_footnotes() -> None:
    profile = page("2014-12-01")
    md = render.markdown(profile)
    assert md.startswith("# Canada–Belarus relations") and "[^1]: " in md
    assert len(re.findall(r"\[\^\d+\]:", md)) == len(profile["citations"])
    html = render.html(profile)
    assert '<html lang="en">' in html and 'id="fn-1"' in html


def test_diff_lists_the_rules_and_events_between_two_dates() -> None:
    diff = views.diff(country="BY", date_from="2014-12-01", date_to="2018-01-01")
    assert [e["rule"] for e in diff["started"]] == ["policy.belarus.interim-2016"]
    ended = {e["rule"]: e["date"] for e in diff["ended"]}
    assert (
        ended["acl.belarus"] == "2017-06-20" and ended["engagement.belarus.limited"] == "2016-05-07"
    )
    events = [e.get("event") or e.get("rule") for e in diff["events"]]
    assert events == [
        "by.statement.2016-05-07-re-engagement",
        "accreditation.belarus.credentials-2016",
    ]
    with pytest.raises(BadInput, match="to: 2014-01-01 is before from 2018-01-01"):
        views.diff(country="BY", date_from="2018-01-01", date_to="2014-01-01")


def test_timeline_shows_a_one_day_rule_as_one_event_and_keeps_the_engine_fields() -> None:
    timeline = views.timeline(country="BY")
    credentials = [
        e for e in timeline["events"] if e.get("rule") == "accreditation.belarus.credentials-2016"
    ]
    assert (
        len(credentials) == 1
        and credentials[0]["change"] == "event"
        and credentials[0]["date"] == "2016-12-13"
    )
    acl = [e for e in timeline["events"] if e.get("rule") == "acl.belarus"]
    assert [(e["date"], e["change"]) for e in acl] == [
        ("2006-12-14", "starts"),
        ("2017-06-20", "ends"),
    ]
    assert {"rule", "label", "instrument", "provision", "url", "confidence"} <= set(acl[0])


def test_timeline_filters_by_kind_and_period() -> None:
    timeline = views.timeline(
        country="BY", kinds="election", date_from="2010-01-01", date_to="2012-12-31"
    )
    assert [e["date"] for e in timeline["events"]] == ["2010-12-19", "2012-09-23"]
    with pytest.raises(BadInput, match="kind: unknown kind 'elections'"):
        views.timeline(country="BY", kinds="elections")
