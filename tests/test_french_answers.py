"""French readers see French everything on the command line: the engine's refusals (one
line naming the field, exit 2), the labels of an answer, dates (1er juin), percentages
(35 %), rates typed with a decimal comma and the names of notices and announcements."""

from __future__ import annotations

import pytest

from bilateral.faces.cli import main


def _refusal(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = main(list(args))
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err  # one line, no traceback
    return lines[0]


@pytest.mark.parametrize(
    ("args", "fr", "en"),
    [
        (
            ("--to", "XX", "--on", "2014-12-01", "--hs", "8471.30"),
            "bilateral : erreur : to : pays inconnu « XX » (utilisez un code ISO ou un nom)",
            "bilateral: error: to: unknown country 'XX' (use an ISO code or a name)",
        ),
        (
            ("--to", "BY", "--on", "1800-06-01", "--hs", "8471.30"),
            "bilateral : erreur : on : la date du 1er juin 1800 est hors de la période couverte, "
            "du 3 juillet 1981 au 31 décembre 2100",
            "bilateral: error: on: date 1800-06-01 is outside 1981-07-03 to 2100-12-31",
        ),
        (
            ("--to", "BY", "--on", "2014-01-01", "--hs", "440111"),
            "bilateral : erreur : hs : la sous-position 440111 ne figure pas dans le SH2012, "
            "l'édition du SH en vigueur à cette date",
            "bilateral: error: hs: HS subheading 440111 is not in HS2012, the HS edition in "
            "force on that date",
        ),
        (
            ("--to", "BY", "--on", "2014-12-01", "--ecl", "zz"),
            "bilateral : erreur : ecl : article de la LMTEC mal formé « zz » "
            "(p. ex. 1-3.a.1, 2-1, 5504.2.a)",
            "bilateral: error: ecl: malformed ECL item 'zz' (e.g. 1-3.a.1, 2-1, 5504.2.a)",
        ),
        (
            ("--to", "BY", "--on", "2014-12-01"),
            "bilateral : erreur : goods : indiquez exactement un des éléments suivants : code SH "
            "(hs), catégorie de marchandises (category) ou article de la Liste des marchandises "
            "d'exportation contrôlée (ecl)",
            "bilateral: error: goods: give exactly one of --hs, --category or --ecl",
        ),
    ],
)
def test_an_export_question_refused_is_said_in_the_readers_language(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], fr: str, en: str
) -> None:
    assert _refusal(capsys, "check", "export", *args, "--lang", "fr") == fr
    assert _refusal(capsys, "check", "export", *args) == en


def test_an_import_rate_refused_in_french_and_a_decimal_comma_accepted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ("check", "import", "--from", "BY", "--on", "2023-01-01", "--hs", "8703.23")
    assert (
        _refusal(capsys, *base, "--mfn-rate", "abc", "--lang", "fr")
        == "bilateral : erreur : mfn_rate : taux mal formé « abc » (un pourcentage, p. ex. 6,5)"
    )
    # "1,000" may be a thousands separator: refused rather than read as 1 %
    assert "« 1,000 »" in _refusal(capsys, *base, "--mfn-rate", "1,000", "--lang", "fr")
    # a French reader types 40,5 as the MFN rate: read as 40.5 %, above the General Tariff's 35 %
    assert main([*base, "--mfn-rate", "40,5", "--lang", "fr"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "Les marchandises du SH 8703.23 en provenance du Bélarus le 1er janvier 2023 entrent "
        "au taux de 40,5\u00a0% (GT)."
    )
    assert out[1] == "Importation ← Bélarus, SH 8703.23, 2023-01-01"
    assert "Taux : 40,5\u00a0%" in out and "Importation interdite : non" in out
    assert main([*base, "--mfn-rate", "40.5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "Import ← Belarus, HS 8703.23, 2023-01-01"
    assert "Rate: 40.5%" in out and "Import prohibited: no" in out


def test_an_export_answer_in_french_has_french_labels_names_and_dates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the interim practice of 2016-05-07 (announced by GAC) decides a non-ECL good in June 2016
    args = ["check", "export", "--to", "BY", "--on", "2016-06-01", "--hs", "8471.30"]
    assert main([*args, "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(
        "Une licence d'exportation est requise pour exporter ces "
        "marchandises vers le Bélarus le 1er juin 2016"
    )
    assert lines[1] == "Exportation → Bélarus, 2016-06-01"
    assert "Licence d'exportation requise : oui" in lines and "Fondé sur :" in lines
    assert "    Annonce d'Affaires mondiales Canada du 2016-05-07, Mesure provisoire" in out
    assert "GAC announcement" not in out and "Interim measure" not in out
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "Export → Belarus, 2016-06-01"
    assert "    GAC announcement of 2016-05-07, Interim measure" in out
    # Notice 148 decides medicines in December 2014
    args = ["check", "export", "--to", "BY", "--on", "2014-12-01", "--category", "medicines"]
    assert main([*args, "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "le 1er décembre 2014" in out.splitlines()[0]
    assert "    Avis aux exportateurs no 148, Politique d'octroi des licences" in out
    assert "Notice to Exporters" not in out
    assert main(args) == 0
    assert "    Notice to Exporters No. 148, Licensing policy" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("on", "en", "fr"),
    [
        # before the limited-engagement policy's inferred start (2006-12-14), which the sources
        # place anywhere from 2006-03-19: allowed, but not cleanly
        (
            "2006-12-13",
            "Official contact with Belarus on trade and investment is allowed on December 13, "
            "2006 as far as the recorded policies show; read the caveats below before you rely "
            "on it.",
            "Les contacts officiels avec le Bélarus portant sur le commerce et l'investissement "
            "sont permis le 13 décembre 2006 d'après les politiques consignées; lisez les "
            "réserves ci-dessous avant de vous y fier.",
        ),
        (
            "2006-12-14",
            "Official contact with Belarus on trade and investment is not allowed on December "
            "14, 2006.",
            "Les contacts officiels avec le Bélarus portant sur le commerce et l'investissement "
            "ne sont pas permis le 14 décembre 2006.",
        ),
        (
            "2016-05-06",
            "Official contact with Belarus on trade and investment is not allowed on May 6, 2016.",
            "Les contacts officiels avec le Bélarus portant sur le commerce et l'investissement "
            "ne sont pas permis le 6 mai 2016.",
        ),
        # the policy's end is inferred (it may have lasted to 2016-12-12): not a clean yes
        (
            "2016-05-07",
            "Official contact with Belarus on trade and investment is allowed on May 7, 2016 as "
            "far as the recorded policies show; read the caveats below before you rely on it.",
            "Les contacts officiels avec le Bélarus portant sur le commerce et l'investissement "
            "sont permis le 7 mai 2016 d'après les politiques consignées; lisez les réserves "
            "ci-dessous avant de vous y fier.",
        ),
        # no caveat: a clean answer
        (
            "2016-12-13",
            "Official contact with Belarus on trade and investment is allowed on December 13, "
            "2016.",
            "Les contacts officiels avec le Bélarus portant sur le commerce et l'investissement "
            "sont permis le 13 décembre 2016.",
        ),
    ],
)
def test_a_contact_allowed_under_a_caveat_is_never_said_as_a_clean_yes(
    capsys: pytest.CaptureFixture[str], on: str, en: str, fr: str
) -> None:
    args = ["check", "contact", "--with", "BY", "--on", on, "--topic", "trade"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == en
    assert ("Caveats:" in out) == ("as far as" in en)
    assert main([*args, "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == fr
    assert ("Réserves :" in out) == ("d'après" in fr)


def test_a_contact_with_russia_under_sanctions_is_not_a_clean_yes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No contact policy for Russia is in the data while SOR/2014-58 is in force."""
    assert main(["check", "contact", "--with", "RU", "--on", "2023-01-01", "--topic", "trade"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith(
        "as far as the recorded policies show; read the caveats below before you rely on it."
    )


def test_an_import_the_data_cannot_clear_is_not_said_to_enter_cleanly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Russian aluminium in June 2023: Schedule 6, Part 2 rows applied that day with a text
    not in the data, and Schedule 11 lists HS 7601.10 in a later text: "may have been
    prohibited", so the rate is not said as a clean answer."""
    args = ["check", "import", "--from", "RU", "--on", "2023-06-01", "--hs", "7601.10"]
    assert main([*args, "--mfn-rate", "0"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Goods of HS 7601.10 from Russia on June 1, 2023 enter at 35% (GT) as far as the "
        "recorded law shows; read the caveats below before you rely on it."
    )
    assert "these goods may have been prohibited" in out
    assert main([*args, "--mfn-rate", "0", "--lang", "fr"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "Les marchandises du SH 7601.10 en provenance de la Russie le 1er juin 2023 entrent au "
        "taux de 35\u00a0% (GT) d'après le droit consigné; lisez les réserves ci-dessous avant "
        "de vous y fier."
    )
    # the README's answer, with no caveat, stays a plain sentence
    base = ["check", "import", "--from", "BY", "--on", "2023-01-01", "--hs", "8703.23"]
    assert main([*base, "--mfn-rate", "6.1"]) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0]
        == "Goods of HS 8703.23 from Belarus on January 1, 2023 enter at 35% (GT)."
    )
    assert "Caveats:" not in out


def test_the_french_country_page_cites_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["profile", "Belarus", "--on", "2014-12-01"]
    assert main([*args, "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "; DORS/81-543, annexe (modifiée par DORS/2006-349, art. 1); 2006-12-14 → …" in out
    assert "; Avis aux exportateurs no 148, Politique d'octroi des licences (marchandises " in out
    assert (
        "; Politique d'Affaires mondiales Canada sur les relations Canada-Bélarus, Suspension du "
        "processus d'accréditation des ambassadeurs; 2006-12-14" in out
    )
    # each footnote's citation (before its link; the research notes after it are English data)
    cited = [line.split(" — ")[0] for line in out.splitlines() if line.startswith("[^")]
    assert len(cited) >= 10
    for english in ("SOR/", "Notice to Exporters", "GAC Canada-Belarus", "Schedule", "s. 1"):
        assert not [c for c in cited if english in c], english
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "; SOR/81-543, Schedule (as amended by SOR/2006-349, s. 1); 2006-12-14 → …" in out
    assert (
        "; Notice to Exporters No. 148, Licensing policy (humanitarian goods; other items)" in out
    )


def test_measures_timeline_and_diff_cite_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measures", "BY", "--on", "2014-12-01", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "    DORS/81-543, annexe (modifiée par DORS/2006-349, art. 1) — https://" in out
    assert "    Avis aux exportateurs no 148, Politique d'octroi des licences" in out
    assert "SOR/" not in out and "Notice to Exporters" not in out and "GAC " not in out
    assert main(["measures", "BY", "--on", "2014-12-01"]) == 0
    assert "    SOR/81-543, Schedule (as amended by SOR/2006-349, s. 1) — https://" in (
        capsys.readouterr().out
    )
    assert main(["timeline", "BY", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Chronologie : Bélarus"
    assert "Bélarus sur la Liste des pays visés (DORS/81-543)" in out
    assert "(Avis aux exportateurs no 148)" in out and "SOR/" not in out
    assert main(["diff", "BY", "--from", "2014-12-01", "--to", "2018-01-01", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Bélarus : 2014-12-01 → 2018-01-01"
    assert "  2017-06-20 Bélarus sur la Liste des pays visés — DORS/81-543" in out
    assert "Annonce d'Affaires mondiales Canada du 2016-05-07" in out
    assert main(["diff", "BY", "--from", "2014-12-01", "--to", "2018-01-01"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Belarus: 2014-12-01 → 2018-01-01"
    assert "  2017-06-20 Belarus on the Area Control List — SOR/81-543" in out


@pytest.mark.parametrize(
    "args",
    [
        # luxury-goods ban, with the Schedule 3 and Schedule 5 caveats quoting provisions
        ("export", "--to", "BY", "--on", "2024-01-01", "--hs", "8471.30"),
        # the day the luxury ban took effect, and the day before it
        ("export", "--to", "BY", "--on", "2022-08-24", "--hs", "8471.30"),
        ("export", "--to", "BY", "--on", "2022-08-23", "--hs", "8471.30"),
        ("export", "--to", "RU", "--on", "2023-06-01", "--hs", "8471.30"),
    ],
)
def test_the_json_caveats_in_french_cite_in_french(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    """A French API or --json reader gets French caveats whole: the provisions they quote
    as the French consolidation writes them (DORS, art., annexe), not "SOR/… s. … and
    Schedule …" inside a French sentence; the English answer keeps the English citation."""
    import json

    assert main(["check", *args, "--json", "--lang", "fr"]) == 0
    fr = json.loads(capsys.readouterr().out)["caveats"]
    assert main(["check", *args, "--json"]) == 0
    en = json.loads(capsys.readouterr().out)["caveats"]
    assert fr and len(fr) == len(en)
    for said in fr:
        assert "SOR/" not in said and " s. " not in said and "Schedule" not in said, said
        assert " and " not in said, said
    if any("SOR/2020-214 s. 3.8" in c for c in en):
        assert any("DORS/2020-214, art. 3.8 et annexe 5" in c for c in fr)


def test_no_french_caveat_quotes_the_law_in_english() -> None:
    """Across the countries the law names, both sides of its main dates and goods that meet
    its schedules (luxury goods, arms, aluminium, repealed rows), no French caveat quotes
    a provision in English words ("SOR/…", "s. 3", "Schedule", "and")."""
    import itertools
    import re

    from bilateral.engine import checks

    english = re.compile(r"SOR/|\bs\. \d|\bSchedules?\b|\bPart \d|\band\b|\bitems?\b")
    days = ("2006-12-12", "2006-12-13", "2017-06-20", "2020-10-01", "2022-08-24", "2025-01-01")
    found = []
    for country, day in itertools.product(("BY", "RU", "MM", "KP"), days):
        for hs in ("8471.30", "9301.10", "7601.10", "8703.23", "2204.21"):
            for answer in (
                checks.check_export(to=country, on=day, hs=hs, lang="fr"),
                checks.check_import(origin=country, on=day, hs=hs, lang="fr"),
            ):
                found += [c for c in answer["caveats"] if english.search(c)]
    assert found == []
    # the repealed-row caveat (Russia, 2022-08-24) names the repealing instrument in French
    said = checks.check_export(to="RU", on="2022-08-24", hs="9301.10", lang="fr")["caveats"]
    assert any(
        "(abrogé à compter du 2026-06-12, DORS/2026-122, art. 18); son texte" in c for c in said
    )


def test_the_json_reasons_in_french_cite_and_explain_in_french() -> None:
    """An API or --json reader asking in French gets each reason's citation as the French
    consolidation writes it and why it applies in French; the English answer is unchanged."""
    import re

    from bilateral.engine import checks

    english = re.compile(r"SOR/|\bs\. \d|\bSchedules?\b|\bPart \d|\band\b|\bNotice\b|\bAct\b")

    def reasons(answer: dict[str, object]) -> list[tuple[str, str, str]]:
        said = answer["reasons"]
        assert isinstance(said, list)
        return [(r["instrument"], r["provision"], r["because"]) for r in said]

    fr = reasons(checks.check_export(to="BY", on="2007-03-01", hs="3004.90", lang="fr"))
    en = reasons(checks.check_export(to="BY", on="2007-03-01", hs="3004.90"))
    assert [because for _i, _p, because in en] == [
        "destination on the Area Control List",
        "humanitarian goods (medicines)",
    ]
    assert [because for _i, _p, because in fr] == [
        "destination inscrite sur la Liste des pays visés",
        "marchandises humanitaires (médicaments)",
    ]
    assert fr[0][:2] == ("DORS/81-543", "Annexe (modifiée par DORS/2006-349, art. 1)")
    assert en[0][:2] == ("SOR/81-543", "Schedule (as amended by SOR/2006-349, s. 1)")
    assert fr[1][0] == "Avis aux exportateurs no 148"
    # the citation as the law data keys it stays there, in either language, for look-ups
    said = checks.check_export(to="BY", on="2007-03-01", hs="3004.90", lang="fr")["reasons"]
    assert (said[0]["instrument_en"], said[0]["provision_en"]) == en[0][:2]
    answers = [
        checks.check_export(to="RU", on="2022-08-24", hs="9301.10", lang="fr"),
        checks.check_export(to="KP", on="2015-01-01", ecl="2-1.a", lang="fr"),
        checks.check_import(origin="RU", on="2022-03-03", hs="8703.23", lang="fr"),
        checks.check_import(origin="BY", on="2007-09-01", hs="8703.23", lang="fr"),
        checks.check_contact(with_="BY", on="2014-12-01", topic="consular", lang="fr"),
        checks.check_contact(with_="BY", on="2014-12-01", topic="trade", lang="fr"),
        checks.check_party(name="Lukashenko Aleksandr Grigoryevich", on="2022-01-01", lang="fr"),
    ]
    seen = [said for answer in answers for said in reasons(answer)]
    assert len(seen) >= 8
    for answer in answers:
        for instrument, provision, because in reasons(answer):
            assert not english.search(f"{instrument} | {provision}"), (instrument, provision)
            assert because and not re.search(r"\b(the|is|are|goods|to)\b", because), because
    contact = [because for _i, _p, because in reasons(answers[4])]
    assert contact == ["Les relations consulaires : domaine de contact permis"]
    imports = {because for answer in answers[2:4] for _i, _p, because in reasons(answer)}
    assert "retiré : NPF" in imports or "retiré : TPG" in imports, imports


def test_the_measures_in_force_cite_in_french_for_a_french_reader() -> None:
    from bilateral.engine import checks

    fr = checks.measures(country="BY", on="2023-01-01", lang="fr")["measures"]
    en = checks.measures(country="BY", on="2023-01-01")["measures"]
    dealings = next(m for m in fr if m["rule"] == "sema.belarus.s3-dealings")
    assert dealings["instrument"] == "DORS/2020-214"
    assert dealings["provision"] == "Art. 3 et annexe 1"
    assert (dealings["instrument_en"], dealings["provision_en"]) == (
        "SOR/2020-214",
        "s. 3 and Schedule 1",
    )
    assert [m["instrument_en"] for m in fr] == [m["instrument"] for m in en]
    assert not any(m["instrument"].startswith("SOR/") for m in fr)
