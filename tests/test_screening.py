"""Screening parties against dated lists: spellings, scripts, company forms, birth dates,
listing dates, bulk files, bad rows, resumption and the decision log."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

import pytest

from bilateral.faces.cli import main
from bilateral.screening import bulk, log
from bilateral.screening.lists import canada, ftm, ofac, sema, un
from bilateral.screening.matching import compare
from bilateral.screening.model import Entry, Snapshot, delta
from bilateral.screening.screen import Query, default_index, screen
from bilateral.screening.store import save, shipped

REPO_ROOT = Path(__file__).resolve().parent.parent


def _shared() -> Path | None:
    for shared in (REPO_ROOT.parent / "shared", Path("/work/shared")):
        if (shared / "data").is_dir():
            return shared / "data"
    return None


SHARED = _shared()
needs_shared = pytest.mark.skipif(SHARED is None, reason="shared research data not found")


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Imported lists and the decision log go to a private folder."""
    folder = tmp_path / "data"
    monkeypatch.setenv("BILATERAL_DATA_DIR", str(folder))
    return folder


def hits(name: str, on: str, **kw: object) -> list[tuple[str, float, str]]:
    query = Query(name, dt.date.fromisoformat(on), **kw)  # type: ignore[arg-type]
    result = screen(default_index(shipped()), query, 0.8)
    return [(h.entry.reference, h.score, h.status) for h in result.hits]


LUKASHENKO = "SOR/2020-214, Schedule 1, Part 1, item 8"
BELARUSKALI = "SOR/2020-214, Schedule 1, Part 2, item 15"


# --- spellings, scripts and orders of one listed name -----------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "LUKASHENKA, Alyaksandr Hryhoryavich",  # US Belarusian transliteration
        "Alexander Lukashenko",  # no patronymic
        "Лукашенко Александр Григорьевич",  # Russian Cyrillic
        "Лукашэнка Аляксандр Рыгоравіч",  # Belarusian Cyrillic
        "A. G. Lukashenko",  # initials
        "Aliaksandr Lukashenka",  # Belarusian passport spelling
    ],
)
def test_every_spelling_of_the_belarusian_president_is_a_hit(spelling: str) -> None:
    assert LUKASHENKO in [ref for ref, _, _ in hits(spelling, "2021-01-01")]


@pytest.mark.parametrize("spelling", ["OAO Belaruskali", "Belaruskaliy JSC", "ОАО Беларуськалий"])
def test_company_spellings_and_legal_forms_find_belaruskali(spelling: str) -> None:
    assert BELARUSKALI in [ref for ref, _, _ in hits(spelling, "2022-03-24")]


def test_legal_form_is_not_a_name_a_bare_form_matches_nothing() -> None:
    assert hits("OAO", "2023-01-01") == []
    assert compare("JSC Alpha", "OAO Alpha", person=False).score >= 0.95


def test_a_surname_alone_does_not_alert() -> None:
    # "Ivanov" must not flag every Ivanov on the Russia list.
    assert hits("Ivanov", "2023-01-01") == []


def test_different_person_sharing_a_given_name_is_not_a_hit() -> None:
    assert LUKASHENKO not in [r for r, _, _ in hits("Aleksandr Lukashevich", "2021-01-01")]


# --- listing dates: both sides ------------------------------------------------------------


def test_belaruskali_listed_from_2022_03_08_not_the_day_before() -> None:
    assert hits("Belaruskali OAO", "2022-03-07") == []
    assert [s for r, _, s in hits("Belaruskali OAO", "2022-03-08") if r == BELARUSKALI] == [
        "listed"
    ]


def test_lukashenko_listed_from_2020_09_28() -> None:
    assert hits("Aleksandr Grigoryevich Lukashenko", "2020-09-27") == []
    assert hits("Aleksandr Grigoryevich Lukashenko", "2020-09-28")[0][0] == LUKASHENKO


def test_item_amended_since_listing_is_possibly_listed_before_its_version_date() -> None:
    # Sergei Ivanov (Russia Sch. 1, Part 1, item 23) was listed in 2014; the XML item was
    # amended on 2022-02-24 (birth date added), so the data cannot say "not listed" before.
    found = hits("Sergei Ivanov", "2015-01-01", birth_date="1953-01-31")
    assert ("SOR/2014-58, Schedule 1, Part 1, item 23", 1.0, "possibly listed") in found
    assert ("SOR/2014-58, Schedule 1, Part 1, item 23", 1.0, "listed") in hits(
        "Sergei Ivanov", "2022-02-24", birth_date="1953-01-31"
    )


# --- qualifiers ------------------------------------------------------------------------


def test_contradicting_birth_date_rules_the_hit_out() -> None:
    index = default_index(shipped())
    query = Query("Sergei Ivanov", dt.date(2023, 1, 1), birth_date="1970-05-05")
    result = screen(index, query, 0.8)
    item = "SOR/2014-58, Schedule 1, Part 1, item 23"
    assert item not in [h.entry.reference for h in result.hits]
    assert item in [h.entry.reference for h in result.excluded]
    agreeing = screen(index, Query("Sergei Ivanov", dt.date(2023, 1, 1), birth_date="1953"), 0.8)
    assert item in [h.entry.reference for h in agreeing.hits]


def test_identifier_agreement_makes_the_hit_near_certain() -> None:
    entry = Entry(
        "x/1", "Person", "Ivan Petrov", identifiers=("AB 123456",), listed_from=dt.date(2020, 1, 1)
    )
    snap = Snapshot("test", "Test", "test", None, "test", (entry,))
    result = screen(
        default_index([snap]),
        Query("Ivan Petrov", dt.date(2021, 1, 1), identifiers=("ab123456",)),
        0.8,
    )
    assert result.hits[0].score >= 0.99
    assert "identifier_agrees" in result.hits[0].features


# --- importers -------------------------------------------------------------------------


@needs_shared
def test_un_list_keeps_aliases_birth_dates_nationalities_and_listing_dates() -> None:
    assert SHARED is not None
    snapshot = un.read_un(SHARED / "sanctions/un/UN_consolidated_2026-02-27.xml")
    assert snapshot.source_date == dt.date(2026, 2, 27)
    assert len(snapshot.entries) == 1003
    first = next(e for e in snapshot.entries if e.id == "un/CDi.001")
    assert first.listed_from == dt.date(2012, 12, 31) and first.birth_dates == ("1971",)
    assert any(e.weak_aliases for e in snapshot.entries)


@needs_shared
def test_ofac_sdn_reads_aliases_and_remarks() -> None:
    assert SHARED is not None
    snapshot = ofac.read_ofac(SHARED / "sanctions/ofac_sdn_2021-07")
    assert len(snapshot.entries) == 8976
    lukashenka = [e for e in snapshot.entries if e.name.startswith("LUKASHENKA, Alyaksandr")]
    assert lukashenka and lukashenka[0].birth_dates == ("1954-08-30",)
    assert lukashenka[0].programme == "BELARUS"


@needs_shared
def test_canadian_consolidated_list_has_no_listing_dates_and_says_so() -> None:
    assert SHARED is not None
    snapshot = canada.read_consolidated(SHARED / "sanctions/sema-lmes_2020-04-15.xml")
    assert len(snapshot.entries) == 1369 and snapshot.source_date == dt.date(2020, 4, 15)
    index = default_index([snapshot])
    found = screen(index, Query("Arkady Rotenberg", dt.date(2020, 1, 1)), 0.8).hits
    assert found and found[0].status == "date unknown"


@needs_shared
def test_regulation_xml_reimport_is_the_same_version_and_a_change_is_a_delta() -> None:
    assert SHARED is not None
    first = sema.read_regulation(SHARED / "laws-lois-xml/SOR-2020-214.xml", "by")
    _, change, new = save(first)
    assert new and len(change.added) == 320
    again = sema.read_regulation(SHARED / "laws-lois-xml/SOR-2020-214.xml", "by")
    _, change, new = save(again)
    assert not new and change.empty and again.content_hash == first.content_hash
    entries = list(first.entries)
    renamed = Entry(
        **{**entries[0].to_json(), "aliases": ("X",), "listed_from": entries[0].listed_from}
    )
    later = first.with_entries((renamed, *entries[2:]))
    diff = delta(first, later)
    assert (len(diff.added), len(diff.removed), len(diff.changed)) == (0, 1, 1)


@needs_shared
def test_ftm_import_and_export_round_trip(tmp_path: Path) -> None:
    assert SHARED is not None
    belarus = next(s for s in shipped() if s.list_id == "ca-sema-belarus")
    out = tmp_path / "by.ftm.jsonl"
    ftm.write_ftm(belarus, out)
    back = ftm.read_ftm(out, "by")
    assert sorted(e.name for e in back.entries) == sorted(e.name for e in belarus.entries)
    assert {e.listed_from for e in back.entries} == {e.listed_from for e in belarus.entries}
    t1 = ftm.read_ftm(SHARED / "name-matching/yente-fixtures/t1_entities.ftm.jsonl")
    # OpenSanctions says this EU entity is Canada's Belarus Sch. 1 Part 2 item 32.
    index = default_index(shipped())
    tobacco = next(e for e in t1.entries if "Inter Tobacco" in e.name)
    found = screen(index, Query(tobacco.name, dt.date(2023, 1, 1)), 0.8).hits
    assert "SOR/2020-214, Schedule 1, Part 2, item 32" in [h.entry.reference for h in found]


# --- bulk screening --------------------------------------------------------------------


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


PARTIES = [
    {"id": "1", "name": "LUKASHENKA, Alyaksandr Hryhoryavich", "date": "2021-01-01"},
    {"id": "2", "name": "", "date": "2021-01-01"},
    {"id": "3", "name": "OAO Belaruskali", "date": "2022-03-07"},
    {"id": "4", "name": "OAO Belaruskali", "date": "2022-03-08"},
    {"id": "5", "name": "Jane Doe", "date": "31/12/2021"},
    {"id": "6", "name": "Jane Doe", "date": "2021-12-31"},
]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_screen_parties_reports_bad_rows_and_screens_the_rest(tmp_path: Path) -> None:
    source = _write(tmp_path / "parties.csv", PARTIES)
    code = main(
        ["screen", "parties", str(source), "--output", str(tmp_path / "out.csv"), "--workers", "1"]
    )
    assert code == 0
    out = {r["row_id"]: r for r in _rows(tmp_path / "out.csv")}
    assert out["1"]["best_reference"] == LUKASHENKO
    assert out["3"]["hits"] == "0" and out["4"]["best_reference"] == BELARUSKALI
    assert out["2"]["error"] == "name: empty"
    runs = (
        log._connect()
        .execute("select kind, rows, hits, errors, list_versions from runs")
        .fetchall()
    )
    assert [(r[0], r[1], r[2], r[3]) for r in runs] == [("parties", 6, 2, 2)]
    assert "ca-sema-belarus@" in runs[0][4]
    errors = _rows(tmp_path / "out.errors.csv")
    assert [(e["line"], e["error"]) for e in errors] == [
        ("3", "name: empty"),
        ("6", "date: '31/12/2021' is not a date (YYYY-MM-DD)"),
    ]


def test_screening_is_independent_of_row_order(tmp_path: Path) -> None:
    shuffled = PARTIES[:]
    random.Random(7).shuffle(shuffled)
    a = _write(tmp_path / "a.csv", PARTIES)
    b = _write(tmp_path / "b.csv", shuffled)
    index = default_index(shipped())
    options = bulk.Options(on=None, threshold=0.8)
    bulk.screen_parties(a, tmp_path / "a.out.csv", index, options)
    bulk.screen_parties(b, tmp_path / "b.out.csv", index, options)

    def by_id(path: Path) -> dict[str, tuple[str, ...]]:
        return {r["row_id"]: (r["hits"], r["matches"], r["error"]) for r in _rows(path)}

    assert by_id(tmp_path / "a.out.csv") == by_id(tmp_path / "b.out.csv")


def test_a_killed_run_resumes_to_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 2)
    source = _write(tmp_path / "p.csv", PARTIES * 3)
    index = default_index(shipped())
    options = bulk.Options(on=None, threshold=0.8)
    clean = bulk.screen_parties(source, tmp_path / "clean.parquet", index, options)
    calls = []

    def kill_after_two_parts(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    target = tmp_path / "resumed.parquet"
    with pytest.raises(KeyboardInterrupt):
        bulk.screen_parties(source, target, index, options, kill_after_two_parts)
    assert not target.exists()  # nothing half-written
    resumed = bulk.screen_parties(source, target, index, options)
    assert resumed.resumed_parts == 2
    assert target.read_bytes() == (tmp_path / "clean.parquet").read_bytes()
    assert clean.rows == resumed.rows == 18


def test_rescreening_reports_only_changed_rows(tmp_path: Path) -> None:
    source = _write(tmp_path / "p.csv", PARTIES)
    index = default_index(shipped())
    bulk.screen_parties(source, tmp_path / "before.csv", index, bulk.Options(None, 0.8))
    extra = Entry("t/1", "Person", "Jane Doe", listed_from=dt.date(2021, 6, 1), reference="Test 1")
    updated = default_index([*shipped(), Snapshot("test", "T", "t", None, "t", (extra,))])
    bulk.screen_parties(source, tmp_path / "after.csv", updated, bulk.Options(None, 0.8))
    from bilateral.screening.rescreen import changed_rows

    assert changed_rows(tmp_path / "before.csv", tmp_path / "after.csv") == 1
    assert [r["row_id"] for r in _rows(tmp_path / "after.csv")] == ["6"]


DECLARATIONS = [
    {"date": "2023-01-01", "direction": "export", "destination": "Belarus", "origin": "",
     "hs": "8703.23", "exporter": "Maple Foods Ltd", "consignee": "OAO Belaruskali",
     "permit": "", "quantity": ""},
    {"date": "2021-01-01", "direction": "export", "destination": "BY", "origin": "",
     "hs": "3004.90", "exporter": "Maple Foods Ltd", "consignee": "Belaruskaliy JSC",
     "permit": "EXP-1", "quantity": "10"},
    {"date": "2023-01-01", "direction": "import", "destination": "", "origin": "BY",
     "hs": "8703.23", "exporter": "", "consignee": "", "permit": "", "quantity": ""},
    {"date": "2023-13-01", "direction": "export", "destination": "BY", "origin": "",
     "hs": "3004.90", "exporter": "", "consignee": "", "permit": "", "quantity": ""},
]  # fmt: skip


def test_screen_declarations_goods_parties_and_permits(tmp_path: Path) -> None:
    source = _write(tmp_path / "d.csv", DECLARATIONS)
    assert main(["screen", "declarations", str(source), "--output", str(tmp_path / "o.csv")]) == 0
    rows = _rows(tmp_path / "o.csv")
    assert rows[0]["outcome"] == "prohibited" and rows[0]["party_hits"] == "1"
    match = json.loads(rows[0]["party_matches"])[0]
    assert (match["role"], match["id"], match["status"]) == (
        "consignee",
        "sor-2020-214/1/2/15",
        "listed",
    )
    # Belaruskali was not listed on 2021-01-01; the permit is not guessed at.
    assert rows[1]["party_hits"] == "0"
    assert rows[1]["permit_check"] == "permit not checked: no office database given"
    assert rows[2]["treatment"] == "GT"
    assert rows[3]["error"] == "date: 2023-13-01 is not a date (YYYY-MM-DD)"


# --- the decision log --------------------------------------------------------------------


def test_an_analysts_mark_survives_rescreening(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "party", "Alexander Lukashenko", "--on", "2021-01-01", "--fuzzy", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    entry = first["matches"][0]["id"]
    assert main(["screen", "mark", first["decision_id"], entry, "false-positive",
                 "--reason", "customer is a namesake, passport seen"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main([*args[:4], "2023-06-01", "--fuzzy", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["matches"][0]["analyst_mark"]["verdict"] == "false-positive"
    logged = log.decisions()
    assert logged[0]["matcher_version"] and json.loads(logged[0]["list_versions"])


def test_strict_check_party_stays_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "party", "Aleksandr Lukashenko", "--on", "2021-01-01", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "mode" not in answer and answer["listed"] is True


def test_bad_birth_date_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "party", "X Y", "--on", "2021-01-01", "--dob", "yesterday"])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "bilateral: error: dob: 'yesterday' is not a date (YYYY-MM-DD or YYYY)"
    )


# --- quality on the labelled pairs ------------------------------------------------------


@needs_shared
def test_name_bench_f1_at_least_0_90_and_no_missed_cross_script_pair() -> None:
    import sys

    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    from bilateral.screening.thresholds import THRESHOLDS
    from screening_bench import evaluate, load_pairs, ours

    assert SHARED is not None
    sets = load_pairs(SHARED / "name-matching")
    assert evaluate(sets["name bench"], ours, THRESHOLDS["payment"]).f1 >= 0.90
    missed = [p.query for p in sets["cross-script"] if ours(p) < THRESHOLDS["payment"]]
    assert missed == []


@pytest.mark.parametrize(
    ("written", "romanised"),
    [
        ("Владимир Путин", "Vladimir Putin"),
        ("Аляксандр Лукашэнка", "Alexander Lukashenko"),
        ("محمد علي", "Mohamed Ali"),
        ("خالد محمود", "Khaled Mahmoud"),
        ("משה", "Moshe"),
        ("김정은", "Kim Jong Un"),
        ("이민호", "Lee Min Ho"),
        ("山田太郎", "Yamada Taro"),
        ("习近平", "Xi Jinping"),
        ("Αλέξανδρος", "Alexander"),
        # Han characters of a Korean name, read in Korean (金 is Kim as a family name)
        ("金正恩", "Kim Jong Un"),
        ("金正恩", "Kim Jong-un"),
        ("金正恩", "Gim Jeong Eun"),
        ("金正恩", "Kim Chong Un"),
        ("金日成", "Kim Il Sung"),
        ("李明", "Lee Myung"),
        ("김정은", "Kim Chong Un"),
        # Hebrew pe at the start of a word is p (Putin), not anyascii's f
        ("ולדימיר פוטין", "Vladimir Putin"),
    ],
)
def test_cross_script_names_meet_their_latin_spelling(written: str, romanised: str) -> None:
    assert compare(written, romanised).score >= 0.8


def test_a_korean_name_in_han_characters_is_explained_by_its_korean_reading() -> None:
    from bilateral.screening.normalise import korean_readings

    assert "김정은" in korean_readings("金正恩")
    assert compare("金正恩", "Kim Jong Un").features.get("korean_reading") == 1.0
    assert korean_readings("Kim Jong Un") == ()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("习近朋", "习近平"),
        ("김종은", "김정은"),
        ("Recep Tayyip Erdem", "Recep Tayyip Erdoğan"),
        ("金正恩", "Kim Jong Il"),
        ("金正日", "Kim Jong Un"),
        ("金正恩", "Kim Yo Jong"),
    ],
)
def test_one_different_syllable_or_surname_is_another_person(a: str, b: str) -> None:
    assert compare(a, b).score < 0.8


@pytest.mark.parametrize(
    ("written", "romanised"),
    [
        ("블라디미르 푸틴", "Vladimir Putin"),  # Korean: beulladimireu putin
        ("블라디미르 블라디미로비치 푸틴", "Vladimir Putin"),  # and his patronymic
        ("ウラジーミル・プーチン", "Vladimir Putin"),  # katakana: urajimiru puchin
        ("弗拉基米尔·普京", "Vladimir Putin"),  # Chinese: fulajimier pujing
        ("贝拉克·奥巴马", "Barack Obama"),  # beilake aobama
        ("ဗလာဒီမီယာ ပူတင်", "Vladimir Putin"),  # Burmese: bladimiya putn
        ("알렉산드르 루카셴코", "Alexander Lukashenko"),
        ("アレクサンドル・ルカシェンコ", "Alexander Lukashenko"),
    ],
)
def test_a_foreign_name_transcribed_by_its_sounds_meets_its_latin_spelling(
    written: str, romanised: str
) -> None:
    result = compare(written, romanised)
    assert 0.8 <= result.score <= 0.88  # an alert, below a transliteration's score
    assert set(result.features) == {"transcription"}
    assert {how for _, _, how in result.aligned} == {"phonetic transcription"}
    assert compare(romanised, written).score == result.score  # either side may be listed


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("블라디미르 푸틴", "Vladimir Potanin"),  # ptn / ptnn: a vowel keeps both n
        ("블라디미르 푸틴", "Vladimir Petrov"),
        ("블라디미르 푸틴", "Dmitry Putin"),
        ("弗拉基米尔·普京", "Valentin Putin"),
        ("ウラジーミル・プーチン", "Vladislav Putilin"),
        ("ウラジーミル・プーチン", "Vladimir Putin Ivanov"),  # a third name, unheard
        ("贝拉克·奥巴马", "Boris Obama"),
        ("오바마", "Obama"),  # p-m alone: too few consonants to be a name
        ("알렉산드르 루카셴코", "Alexander Lukashevich"),
        ("이반 이바노프", "Yuri Ivanov"),
    ],
)
def test_a_transcription_of_another_name_is_no_alert(a: str, b: str) -> None:
    assert compare(a, b).score < 0.8


def test_latin_names_never_take_the_transcription_route() -> None:
    """Bodin and Putin share a consonant skeleton (p t n): written in Latin letters on
    both sides, they stay two people."""
    assert compare("Vladimir Bodin", "Vladimir Putin").score < 0.8
    assert "transcription" not in compare("Vladimir Bodin", "Vladimir Putin").features


@pytest.mark.parametrize("written", ["블라디미르 푸틴", "弗拉基米尔·普京"])
def test_a_transcription_finds_the_listed_name_with_its_patronymic(written: str) -> None:
    result = screen(default_index(shipped()), Query(written, dt.date(2024, 1, 1)), 0.8)
    assert "Vladimir Vladimirovich PUTIN" in [h.matched_name for h in result.hits]


def test_a_korean_transcription_finds_the_listed_president_and_says_how() -> None:
    result = screen(
        default_index(shipped()), Query("알렉산드르 루카셴코", dt.date(2024, 1, 1)), 0.8
    )
    assert [h.entry.reference for h in result.hits] == [LUKASHENKO]
    assert "루카셴코~lukashenko (phonetic transcription)" in result.hits[0].explanation[0]
    query = Query("アレクサンドル・ルカシェンコ", dt.date(2024, 1, 1))
    french = screen(default_index(shipped()), query, 0.8, lang="fr")
    assert [h.entry.reference for h in french.hits] == [LUKASHENKO]
    assert "ルカシェンコ~lukashenko (transcription phonétique)" in french.hits[0].explanation[0]


def test_spark_screens_parties_to_the_same_rows_as_duckdb(tmp_path: Path) -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed (extra: spark)")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark on this machine")
    import pyarrow.parquet as pq

    from bilateral.faces.spark_batch import session
    from bilateral.screening.spark import read_rows, screen_parties_spark

    source = _write(tmp_path / "p.csv", PARTIES)
    options = bulk.Options(on=None, threshold=0.8)
    bulk.screen_parties(source, tmp_path / "duck.parquet", default_index(shipped()), options)
    spark = session("local[2]")
    try:
        rows = read_rows(spark, source)
        screen_parties_spark(rows, options, 2).write.parquet(str(tmp_path / "spark"))
    finally:
        spark.stop()
    duck = pq.read_table(tmp_path / "duck.parquet").sort_by("line").to_pylist()
    on_spark = pq.read_table(tmp_path / "spark").sort_by("line").to_pylist()
    assert on_spark == duck


def _office_with_one_permit(tmp_path: Path) -> str:
    """An office database: Maple Foods Ltd holds EXP-2021-0001 for medicines to BY, valid
    2020-12-01 to 2021-11-30, 5 kg left of 100."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from bilateral.office.models import Permit, PermitLine
    from bilateral.platform.models import Base, Organisation

    url = f"sqlite:///{tmp_path / 'office.db'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        org = Organisation(name="Maple Foods Ltd")
        session.add(org)
        session.flush()
        permit = Permit(
            number="EXP-2021-0001", application_id=1, organisation_id=org.id,
            destination="BY", status="active", issued_on=dt.date(2020, 12, 1),
            valid_from=dt.date(2020, 12, 1), valid_to=dt.date(2021, 11, 30),
        )  # fmt: skip
        permit.lines = [
            PermitLine(
                line_no=1, hs_code="3004.90", description="medicines", unit="kg",
                authorised_quantity_milli=100_000, authorised_value_cents=0,
                used_quantity_milli=95_000,
            )
        ]  # fmt: skip
        session.add(permit)
        session.commit()
    engine.dispose()
    return url


def test_declared_permits_are_checked_against_the_office_database(tmp_path: Path) -> None:
    url = _office_with_one_permit(tmp_path)
    base = {"direction": "export", "destination": "BY", "origin": "", "hs": "3004.90",
            "exporter": "Maple Foods Ltd", "consignee": "", "permit": "EXP-2021-0001"}  # fmt: skip
    rows = [
        {**base, "date": "2021-06-01", "quantity": "5"},  # the balance is exactly 5 kg
        {**base, "date": "2021-06-01", "quantity": "6"},
        {**base, "date": "2021-12-01", "quantity": "1"},  # the day after it expired
        {**base, "date": "2021-06-01", "quantity": "1", "permit": "EXP-9"},
    ]
    source = _write(tmp_path / "d.csv", rows)
    assert main(["screen", "declarations", str(source), "--output", str(tmp_path / "o.csv"),
                 "--office-db", url]) == 0  # fmt: skip
    checks = [r["permit_check"] for r in _rows(tmp_path / "o.csv")]
    assert checks == [
        "permit valid: known, in force on the date, balance covers",
        "permit problem: balance 5 does not cover 6",
        "permit problem: not valid on 2021-12-01 (valid 2020-12-01 to 2021-11-30)",
        "permit unknown to the office",
    ]


@needs_shared
def test_screen_parties_reads_followthemoney_entities(tmp_path: Path) -> None:
    assert SHARED is not None
    source = SHARED / "name-matching/yente-fixtures/t1_entities.ftm.jsonl"
    out = tmp_path / "o.csv"
    assert main(["screen", "parties", str(source), "--output", str(out), "--on", "2023-01-01",
                 "--workers", "1"]) == 0  # fmt: skip
    hits = {r["name"]: r["best_reference"] for r in _rows(out) if r["hits"] != "0"}
    assert hits["LLC “Inter Tobacco”"] == "SOR/2020-214, Schedule 1, Part 2, item 32"


def test_french_readers_see_french_screening(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "party", "Лукашэнка Аляксандр Рыгоравіч", "--on", "2021-01-01"]
    assert main([*args, "--fuzzy", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "Correspondances possibles :" in out
    assert "  - 0,92  Aleksandr Grigoryevich Lukashenko  [inscrit]" in out
    assert "DORS/2020-214, annexe 1, partie 1, article 8" in out
    assert "inscrit depuis le 28 septembre 2020" in out  # French prose, never ISO


@needs_shared
def test_an_imported_ofac_list_finds_the_belarusian_president_with_his_birth_date() -> None:
    assert SHARED is not None
    sdn = ofac.read_ofac(SHARED / "sanctions/ofac_sdn_2021-07")
    index = default_index([*shipped(), sdn])
    query = Query("Alexander Lukashenko", dt.date(2021, 1, 1), birth_date="1954-08-30")
    found = {h.entry.id: h for h in screen(index, query, 0.8).hits}
    assert found["us-ofac-sdn/9760"].status == "date unknown"
    assert "birth_date_agrees" in found["us-ofac-sdn/9760"].features
    assert LUKASHENKO in [h.entry.reference for h in found.values()]


# --- one part of a longer listed name: surnames, entity words, acronyms -------------------


def scored(name: str, on: str, threshold: float = 0.8) -> dict[str, tuple[float, str]]:
    """Reference → (score, status) of every candidate, listed on the date or not."""
    query = Query(name, dt.date.fromisoformat(on))
    result = screen(default_index(shipped()), query, threshold)
    return {h.entry.reference: (h.score, h.status) for h in (*result.hits, *result.not_on_date)}


BELAERONAVIGATSIA = "SOR/2020-214, Schedule 1, Part 2, item 1"
BELAZ = "SOR/2020-214, Schedule 1, Part 2, item 2"
NIKOLAI_LUKASHENKO = "SOR/2020-214, Schedule 1, Part 1, item 120"
GALINA_LUKASHENKO = "SOR/2020-214, Schedule 1, Part 1, item 127"


@pytest.mark.parametrize("word, item", [("Belaeronavigatsia", BELAERONAVIGATSIA), ("BelAZ", BELAZ)])
def test_an_entitys_distinctive_word_or_acronym_alerts_from_its_listing_date(
    word: str, item: str
) -> None:
    # Both are listed from 2021-06-17 (SOR/2020-214, Sch. 1, Part 2): named by one word
    # only one entry has, each alerts at the payment threshold on that day, not the day before.
    assert (item, 0.92, "listed") in hits(word, "2021-06-17")
    assert item not in [r for r, _, _ in hits(word, "2021-06-16")]
    assert scored(word, "2021-06-16")[item] == (0.92, "not yet listed")


def test_the_surname_lukashenko_alone_alerts_for_every_listed_lukashenko() -> None:
    found = hits("Lukashenko", "2023-01-01")
    assert {r for r, _, s in found} == {
        LUKASHENKO,
        "SOR/2020-214, Schedule 1, Part 1, item 9",
        "SOR/2020-214, Schedule 1, Part 1, item 86",
    }
    assert all(score >= 0.8 for _, score, _ in found)  # five entries have it: rare


def test_the_belarusian_form_lukashenka_finds_the_russian_form_and_the_alias() -> None:
    # Galina Lukashenko (alias LUKASHENKA) is listed from 2025-01-24: a hit on that day,
    # a match not listed on the day before.
    before = scored("LUKASHENKA", "2025-01-23")
    assert before[GALINA_LUKASHENKO][1] == "not yet listed"
    assert before[NIKOLAI_LUKASHENKO][1] == "listed"
    assert (GALINA_LUKASHENKO, 0.8152, "listed") in hits("LUKASHENKA", "2025-01-24")


def test_a_surname_match_is_explained_as_partial_with_its_rarity() -> None:
    query = Query("Lukashenko", dt.date(2023, 1, 1))
    hit = screen(default_index(shipped()), query, 0.8).hits[0]
    assert "surname only" in hit.explanation[0]
    assert "5 listed entries have that part" in hit.explanation[1]
    assert hit.features["part_holders"] == 5.0


def test_a_common_surname_alone_lists_candidates_below_the_payment_threshold() -> None:
    found = scored("Ivanov", "2023-06-01", 0.5)
    assert len(found) >= 10
    assert all(0.6 < score < 0.8 for score, _ in found.values())


def test_ivan_ivanov_finds_the_listed_ivanovs_as_low_scored_candidates() -> None:
    found = scored("Ivan Ivanov", "2023-01-01", 0.3)
    valery = "SOR/2020-214, Schedule 1, Part 1.1, item 13"  # Valery Nikolaevich IVANOV
    sergei = "SOR/2014-58, Schedule 1, Part 1, item 23"  # Sergei IVANOV
    assert valery in found and sergei in found
    assert sum("SOR/2014-58" in r for r in found) >= 10
    assert all(score < 0.5 for score, _ in found.values())  # the given names differ
    assert scored("Ivan Ivanov", "2023-01-01") == {}  # no alert at the payment threshold


# --- the strict check's coverage caveats travel with fuzzy and bulk answers ---------------


def test_fuzzy_answer_carries_the_coverage_caveats_once_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["check", "party", "John Smith", "--on", "2023-01-01", "--fuzzy"]
    assert main([*args, "--json"]) == 0
    caveats = json.loads(capsys.readouterr().out)["caveats"]
    assert len(caveats) == len(set(caveats))
    assert sum(c.startswith("Listing dates are the in-force dates") for c in caveats) == 1
    assert any("persons delisted before it are not in the data" in c for c in caveats)
    assert any("does not cover Burma" in c for c in caveats)
    assert any("concerning Venezuela" in c for c in caveats)
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Caveats:" in text and "does not cover Burma" in text
    assert main([*args, "--lang", "fr"]) == 0
    french = capsys.readouterr().out
    assert "Mises en garde :" in french and "personnes radiées" in french
    assert "Listing dates" not in french


def test_screen_parties_writes_the_coverage_caveats_beside_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    source = tmp_path / "parties.csv"
    source.write_text("name,date\nLukashenko,2023-01-01\nJohn Smith,2022-01-01\n")
    out = tmp_path / "out.parquet"
    assert main(["screen", "parties", str(source), "--output", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "does not cover Burma" in printed
    written = (tmp_path / "out.caveats.txt").read_text().splitlines()
    assert any("persons delisted before it are not in the data" in c for c in written)
    assert len(written) == len(set(written))
    stored = json.loads(pq.read_schema(out).metadata[b"bilateral.caveats"])
    assert stored == written
    rows = pq.read_table(out).to_pylist()
    assert rows[0]["hits"] == 3  # Lukashenko alone: items 8, 9 and 86 on 2023-01-01


def test_a_given_name_alone_is_not_a_surname_match() -> None:
    # Anna Ivanovna OTKE (SOR/2014-58, Sch. 1, Part 1, item 657): "Anna" names no one.
    otke = "SOR/2014-58, Schedule 1, Part 1, item 657"
    assert otke not in scored("Anna", "2023-06-01", 0.5)
    assert otke in scored("Otke", "2023-06-01")  # her surname, which one entry has


# --- rows that are not CSV rows: reported with their line, the rest screened -------------

BROKEN_PARTIES = (
    "id,name,date\n"
    "1,OAO Belaruskali,2023-01-01\n"
    "2,Jane, Roe,2023-01-01\n"  # a comma not quoted: four fields
    "3\n"  # one field
    "4,Sergei Ivanov,2023-01-01\n"
    '5,"bad "quote",2023-01-01\n'
    "6,Ok Name,2023-01-01\n"
)


def test_unreadable_csv_rows_are_reported_by_line_and_the_rest_screened(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text(BROKEN_PARTIES, encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["screen", "parties", str(source), "--output", str(out), "--workers", "1"]) == 0
    rows = {r["line"]: r for r in _rows(out)}
    assert [rows[k]["row_id"] for k in ("2", "5", "7")] == ["1", "4", "6"]
    assert rows["2"]["best_reference"] == "SOR/2020-214, Schedule 1, Part 2, item 15"
    assert [r["line"] + " " + r["error"] for r in _rows(tmp_path / "o.errors.csv")] == [
        "3 row: more fields than the header has columns",
        "4 row: fewer fields than the header has columns",
        "6 row: a quote that is not closed",
    ]


def test_unreadable_declaration_rows_are_reported_by_line_and_the_rest_screened(
    tmp_path: Path,
) -> None:
    source = tmp_path / "d.csv"
    source.write_text(
        "date,direction,destination,hs,consignee\n"
        "2023-01-01,export,BY,3004.90,a,b,c\n"
        "2023-01-01,export,Belarus,8703.23,OAO Belaruskali\n"
        "2021-01-01,export\n"
        "2022-01-01,export,BY,0402,\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    assert main(["screen", "declarations", str(source), "--output", str(out)]) == 0
    rows = _rows(out)
    assert [(r["line"], r["outcome"], r["party_hits"], r["error"]) for r in rows] == [
        ("2", "", "0", "row: more fields than the header has columns"),
        ("3", "prohibited", "1", ""),
        ("4", "", "0", "row: fewer fields than the header has columns"),
        ("5", "not_required", "0", ""),
    ]


# --- check party with qualifiers, on both sides of a listing date (EN and FR) ------------

AKIMOV = ["check", "party", "Andrei Akimov", "--dob", "1953-09-22", "--country", "RU",
          "--threshold", "0.85"]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "before", "after"),
    [
        (
            "en",
            "  - 0.94  Andrey (Andrei) Igorevich AKIMOV: listed only from 2019-03-15, after "
            "2019-03-14 (SOR/2014-58, Schedule 1, Part 1, item 94)",
            [
                "  - 0.94  Andrey (Andrei) Igorevich AKIMOV  [listed]",
                "      · birth date 1953-09-22 agrees with the list",
                "      · country RU not compared: the list gives no nationality",
                "      · listed since 2019-03-15 (SOR/2014-58, Schedule 1, Part 1, item 94)",
            ],
        ),
        (
            "fr",
            "  - 0,94  Andrey (Andrei) Igorevich AKIMOV : inscrit seulement à compter du "
            "15 mars 2019, après le 14 mars 2019 (DORS/2014-58, annexe 1, partie 1, article 94)",
            [
                "  - 0,94  Andrey (Andrei) Igorevich AKIMOV  [inscrit]",
                "      · date de naissance 22 septembre 1953 conforme à la liste",
                "      · pays RU non comparé : la liste ne donne pas de nationalité",
                "      · inscrit depuis le 15 mars 2019 (DORS/2014-58, annexe 1, partie 1, "
                "article 94)",
            ],
        ),
    ],
)
def test_check_party_explains_a_match_on_both_sides_of_its_listing_date(
    capsys: pytest.CaptureFixture[str], lang: str, before: str, after: list[str]
) -> None:
    assert main([*AKIMOV, "--on", "2019-03-14", "--lang", lang]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert before in lines
    assert not any("[listed]" in line or "[inscrit]" in line for line in lines)
    assert main([*AKIMOV, "--on", "2019-03-15", "--lang", lang]) == 0
    lines = capsys.readouterr().out.splitlines()
    for line in after:
        assert line in lines


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "birth date 1960-01-01 contradicts the listed 1953-09-22: another person"),
        ("fr", "la date de naissance 1er janvier 1960 contredit celle de la liste "
               "(22 septembre 1953) : "
               "une autre personne"),
    ],
)  # fmt: skip
def test_check_party_rules_out_a_contradicting_birth_date(
    capsys: pytest.CaptureFixture[str], lang: str, said: str
) -> None:
    args = [*AKIMOV[:3], "--dob", "1960-01-01", "--on", "2019-03-15", "--lang", lang]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert said in out and "[listed]" not in out and "[inscrit]" not in out


def test_strict_check_party_cites_the_listing_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["check", "party", "Alexander Lukashenko", "--on", "2021-01-01", "--lang", "fr"]) == 0
    )
    out = capsys.readouterr().out
    assert (
        "  * Aleksandr Grigoryevich Lukashenko (correspondance partielle) — DORS/2020-214, "
        "annexe 1, partie 1, article 8, inscrit le 28 septembre 2020"
    ) in out.splitlines()
    assert "Part 1" not in out and "Schedule 1" not in out and "SOR/" not in out
    assert main(["check", "party", "Alexander Lukashenko", "--on", "2021-01-01"]) == 0
    assert (
        "  * Aleksandr Grigoryevich Lukashenko (partial) — SOR/2020-214 Schedule 1, Part 1, "
        "item 8, 2020-09-28"
    ) in capsys.readouterr().out.splitlines()


def test_an_analysts_mark_shows_when_the_party_is_screened_again_in_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "party", "Alexander Lukashenko", "--on", "2021-01-01", "--fuzzy", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    entry = first["matches"][0]["id"]
    assert main(["screen", "mark", first["decision_id"], entry, "false-positive",
                 "--reason", "namesake, passport seen"]) == 0  # fmt: skip
    source = _write(tmp_path / "p.csv", [
        {"id": "1", "name": "Alexander  Lukashenko", "date": "2023-06-01"},
        {"id": "2", "name": "Alexander Lukashenko", "date": "2023-06-01", },
        {"id": "3", "name": "Aleksandr Lukashenko", "date": "2023-06-01"},
    ])  # fmt: skip
    out = tmp_path / "o.csv"
    assert main(["screen", "parties", str(source), "--output", str(out), "--workers", "1"]) == 0
    rows = _rows(out)
    marked = [json.loads(r["matches"])[0].get("analyst_mark") for r in rows]
    assert marked[0] == marked[1] and marked[0]["verdict"] == "false-positive"
    assert marked[0]["reason"] == "namesake, passport seen"
    assert marked[2] is None  # another spelling is another party as asked: not marked


def test_rescreening_declarations_after_a_list_update_keeps_only_changed_lines(
    tmp_path: Path,
) -> None:
    from bilateral.screening.declarations import screen_declarations
    from bilateral.screening.rescreen import changed_rows

    source = _write(tmp_path / "d.csv", DECLARATIONS)
    before = screen_declarations(source, tmp_path / "before.csv", default_index(shipped()), 0.8)
    extra = Entry("t/1", "Organization", "Maple Foods Ltd", listed_from=dt.date(2022, 6, 1),
                  reference="Test 1")  # fmt: skip
    updated = default_index([*shipped(), Snapshot("test", "T", "t", None, "t", (extra,))])
    screen_declarations(source, tmp_path / "after.csv", updated, 0.8)
    assert changed_rows(tmp_path / "before.csv", tmp_path / "after.csv") == 1
    rows = _rows(tmp_path / "after.csv")
    # Line 2 (2023-01-01) names Maple Foods Ltd as exporter, listed from 2022-06-01 in the
    # update; line 3 names it on 2021-01-01, before that listing: unchanged, not reported.
    assert [r["line"] for r in rows] == ["2"] and before.rows == 4
    assert rows[0]["party_hits"] == "2"
    assert rows[0]["change"] == "was: consignee sor-2020-214/1/2/15 (listed); outcome prohibited"


# --- resuming a killed run, and re-screening against either format ------------------------


def _many_parties(path: Path, count: int) -> Path:
    listed = ["OAO Belaruskali", "LUKASHENKA, Alyaksandr Hryhoryavich", "Maple Foods Ltd"]
    rows = [
        {"id": str(i),
         "name": listed[i % 3] if i % 7 == 0 else "" if i % 11 == 0 else f"Trading House {i}",
         "date": f"2022-03-{1 + i % 28:02d}"}
        for i in range(count)
    ]  # fmt: skip
    return _write(path, rows)


def _many_declarations(path: Path, count: int) -> Path:
    rows = []
    for i in range(count):
        row = dict(DECLARATIONS[i % len(DECLARATIONS)])
        row["exporter"] = row["exporter"] and f"{row['exporter']} {i % 50}"
        rows.append(row)
    return _write(path, rows)


def _kill_midway(command: list[str], parts: Path, env: dict[str, str]) -> int:
    """Start ``command``, SIGKILL it once it has finished two parts; the parts left."""
    import os
    import signal
    import subprocess
    import time

    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 300
    while not (parts / "part-00001.parquet").exists():
        if process.poll() is not None:
            pytest.fail(f"the run ended before it was killed: {process.stderr.read()!r}")  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "no part written in 300 s"
        time.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    return len(list(parts.glob("part-*.parquet")))


@pytest.mark.parametrize(
    ("kind", "make", "suffix"),
    [("declarations", _many_declarations, ".csv"), ("parties", _many_parties, ".parquet")],
)
def test_a_run_killed_with_sigkill_resumes_to_the_bytes_of_an_uninterrupted_run(
    tmp_path: Path, kind: str, make: object, suffix: str
) -> None:
    import os
    import subprocess
    import sys

    source = make(tmp_path / "in.csv", 600)  # type: ignore[operator]
    cli = [sys.executable, "-m", "bilateral.faces.cli", "screen", kind, str(source)]
    if kind == "parties":
        cli += ["--workers", "1"]
    env = {**os.environ, "BILATERAL_SCREEN_CHUNK_ROWS": "10"}  # 60 parts of 10 rows

    def run(target: Path, environ: dict[str, str]) -> str:
        done = subprocess.run([*cli, "--output", str(target)], env=environ, capture_output=True,
                              text=True, check=False, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    clean = tmp_path / f"clean{suffix}"
    run(clean, dict(os.environ))  # one part: the whole file
    target = tmp_path / f"out{suffix}"
    parts = target.with_name(target.name + ".parts")
    finished = _kill_midway([*cli, "--output", str(target)], parts, env)
    assert 2 <= finished < 60 and not target.exists()  # killed midway: no output yet
    said = run(target, env)
    # The parts finished before the kill are kept (a part written as the kill came may
    # be whole too: it is then kept as well).
    resumed = [line for line in said.splitlines() if line.startswith("resumed after")]
    assert resumed and int(resumed[0].split()[2]) >= finished
    assert "starting over" not in said
    assert target.read_bytes() == clean.read_bytes()
    assert (tmp_path / "out.errors.csv").read_bytes() == (
        tmp_path / "clean.errors.csv"
    ).read_bytes()
    assert not parts.exists()

    # Killed again, then the input changes: the finished parts are of another file.
    again = tmp_path / f"again{suffix}"
    parts = again.with_name(again.name + ".parts")
    finished = _kill_midway([*cli, "--output", str(again)], parts, env)
    with source.open("a", encoding="utf-8", newline="") as handle:  # the csv module's \r\n
        handle.write(source.read_text(encoding="utf-8").splitlines()[1] + "\r\n")
    said = run(again, env)
    assert said.splitlines()[0].startswith(
        "starting over: the input file changed since the interrupted run ("
    )
    assert f"part(s) in again{suffix}.parts not used)" in said.splitlines()[0]
    assert "resumed after" not in said
    changed = tmp_path / f"changed{suffix}"
    run(changed, dict(os.environ))
    assert again.read_bytes() == changed.read_bytes()


def test_declarations_resume_only_with_the_same_lists(tmp_path: Path) -> None:
    from bilateral.screening import declarations

    source = _many_declarations(tmp_path / "d.csv", 40)
    index = default_index(shipped())
    calls: list[int] = []

    def stop_after_two_parts(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    target = tmp_path / "o.parquet"
    said: list[str] = []
    import os

    os.environ["BILATERAL_SCREEN_CHUNK_ROWS"] = "8"
    try:
        with pytest.raises(KeyboardInterrupt):
            declarations.screen_declarations(source, target, index, 0.8, None, stop_after_two_parts)
        assert not target.exists()
        extra = Entry("t/1", "Organization", "Maple Foods Ltd", listed_from=dt.date(2022, 6, 1),
                      reference="Test 1")  # fmt: skip
        updated = default_index([*shipped(), Snapshot("test", "T", "t", None, "t", (extra,))])
        report = declarations.screen_declarations(source, target, updated, 0.8, notice=said.append)
    finally:
        del os.environ["BILATERAL_SCREEN_CHUNK_ROWS"]
    assert report.resumed_parts == 0 and report.rows == 40
    assert said == [
        "starting over: the screening lists changed since the interrupted run "
        "(2 finished part(s) in o.parquet.parts not used)"
    ]
    clean = declarations.screen_declarations(source, tmp_path / "c.parquet", updated, 0.8)
    assert clean.resumed_parts == 0
    assert target.read_bytes() == (tmp_path / "c.parquet").read_bytes()


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [("law_version", "other", "the law changed"),
     ("threshold", 0.9, "--threshold changed"),
     ("chunk_rows", 7, "the part size (BILATERAL_SCREEN_CHUNK_ROWS) changed")],
)  # fmt: skip
def test_a_stale_partial_run_is_named_by_what_changed(
    tmp_path: Path, key: str, value: object, said: str
) -> None:
    from bilateral.screening import tabular

    manifest = {"input_hash": "sha256:1", "law_version": "v", "threshold": 0.8, "chunk_rows": 5}
    parts = tmp_path / "o.csv.parts"
    notes: list[str] = []
    assert tabular.resume(parts, manifest, notes.append) == 0 and notes == []
    (parts / "part-00000.parquet").write_bytes(b"x")
    assert tabular.resume(parts, manifest, notes.append) == 1 and notes == []
    assert tabular.resume(parts, {**manifest, key: value}, notes.append) == 0
    assert notes == [
        f"starting over: {said} since the interrupted run (1 finished part(s) in o.csv.parts "
        "not used)"
    ]
    assert not (parts / "part-00000.parquet").exists()


def test_rescreening_a_parquet_output_against_a_csv_one_compares_outcomes_not_spellings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    source = _write(tmp_path / "d.csv", DECLARATIONS)
    before = tmp_path / "before.csv"
    assert main(["screen", "declarations", str(source), "--output", str(before)]) == 0
    after = tmp_path / "after.parquet"
    capsys.readouterr()
    args = ["screen", "declarations", str(source), "--output", str(after), "--previous"]
    assert main([*args, str(before)]) == 0
    # The same lists: nothing changed, though the CSV spells a boolean "true" and Parquet
    # stores one.
    assert f"0 row(s) changed outcome since {before}; written to {after}" in capsys.readouterr().out
    table = pq.read_table(after)
    assert table.num_rows == 0 and table.schema.field("line").type == "int64"
    assert table.schema.field("prohibited").type == "bool"
    assert table.column_names[-1] == "change"


def test_rescreening_refuses_a_missing_or_same_previous_before_screening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "d.csv", DECLARATIONS)
    out = tmp_path / "o.csv"
    for kind in ("declarations", "parties"):
        args = ["screen", kind, str(source), "--output", str(out), "--previous"]
        assert main([*args, str(tmp_path / "none.csv")]) == 2
        assert capsys.readouterr().err.strip() == (
            f"bilateral: error: previous: no such file: {tmp_path / 'none.csv'}"
        )
        assert not out.exists()
    assert main(["screen", "parties", str(source), "--output", str(tmp_path / "x.csv"),
                 "--previous", str(source)]) == 2  # fmt: skip
    assert capsys.readouterr().err.strip() == (
        "bilateral: error: previous: d.csv: no line column (give an earlier output)"
    )
    assert main(["screen", "declarations", str(source), "--output", str(out)]) == 0
    kept = out.read_bytes()
    capsys.readouterr()
    assert main(["screen", "declarations", str(source), "--output", str(out),
                 "--previous", str(out)]) == 2  # fmt: skip
    assert capsys.readouterr().err.strip() == (
        "bilateral: error: previous: the earlier output must not be the --output being written"
    )
    assert out.read_bytes() == kept


@pytest.mark.parametrize("command", ["parties", "declarations", "batch"])
def test_a_csv_mixing_line_endings_is_one_line_and_leaves_nothing(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file saved partly on Windows (CRLF) and partly on Unix (LF): DuckDB cannot read
    it; the user gets one line saying so and what to do, exit 2, and no output, partial
    output or resume folder is left behind."""
    header, rows = {
        "parties": ("name,country", ["Alexander Lukashenko,BY", "Ivan Petrov,RU"]),
        "declarations": (
            "date,direction,destination,hs,exporter",
            ["2023-01-05,export,BY,8703,Maple Foods Ltd", "2023-01-06,export,BY,0101,Other Co"],
        ),
        "batch": ("destination,date,hs", ["BY,2023-01-05,8703", "BY,2023-01-06,0101"]),
    }[command]
    source = tmp_path / "in.csv"
    source.write_bytes(f"{header}\r\n{rows[0]}\n{rows[1]}\r\n".encode())
    out = tmp_path / "out.csv"
    argv = ["batch", str(source), "--output", str(out)]
    if command != "batch":
        argv = ["screen", command, str(source), "--output", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "bilateral: error: input: in.csv: its lines end in both CRLF (Windows) and LF (Unix); "
        "save it again with one kind of line ending"
    ], err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


# --- user trial: bad input is one line or a bad row, never a wrong "no hit" ---------------


@pytest.mark.parametrize("dob", ["1953-13-31", "1953-02-31", "1953-00"])
def test_a_birth_date_that_does_not_exist_is_refused_not_a_reason_to_rule_out(
    dob: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Sergei IVANOV (SOR/2014-58, Sch. 1, Part 1, item 23) was born 1953-01-31: a day that
    # does not exist in 1953 must not rule him out.
    code = main(["check", "party", "Sergei Ivanov", "--on", "2023-01-01", "--dob", dob])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        f"bilateral: error: dob: '{dob}' is not a date (YYYY-MM-DD or YYYY)"
    )


def test_a_row_with_a_birth_date_that_does_not_exist_is_a_bad_row_named_by_its_column(
    tmp_path: Path,
) -> None:
    source = tmp_path / "p.csv"
    source.write_text(
        "id,name,date,dob\n"
        "1,Sergei Ivanov,2023-01-01,1953-13-31\n"
        "2,Sergei Ivanov,2023-01-01,1953-02-31\n"
        "3,Sergei Ivanov,2023-01-01,1953-01-31\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    assert main(["screen", "parties", str(source), "--output", str(out), "--workers", "1"]) == 0
    rows = {r["row_id"]: r for r in _rows(out)}
    assert rows["1"]["hits"] == rows["2"]["hits"] == ""  # not screened with a bad dob
    assert rows["3"]["best_reference"] == "SOR/2014-58, Schedule 1, Part 1, item 23"
    assert [(e["line"], e["error"]) for e in _rows(tmp_path / "o.errors.csv")] == [
        ("2", "dob: '1953-13-31' is not a date (YYYY-MM-DD or YYYY)"),
        ("3", "dob: '1953-02-31' is not a date (YYYY-MM-DD or YYYY)"),
    ]


NOT_UTF8_PARTIES = (
    b"id,name,date\n"
    b"1,A,2021-01-01\n"
    b"\n"
    b"\n"
    b"2,B,2021-01-01\n"
    b"3,Lukashenk\xe9 Aleksandr,2021-01-01\n"
    b"4,Aleksandr Lukashenko,2021-01-01\n"
    b"5,C,31/12/2021\n"
)


def test_a_row_that_is_not_utf8_is_a_bad_row_by_its_line_and_blank_lines_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "p.csv"
    source.write_bytes(NOT_UTF8_PARTIES)
    out = tmp_path / "o.csv"
    assert main(["screen", "parties", str(source), "--output", str(out), "--workers", "1"]) == 0
    assert "5 row(s) screened: 1 with a possible match, 2 not screened" in capsys.readouterr().out
    rows = {r["line"]: r for r in _rows(out)}
    assert {line: r["row_id"] for line, r in rows.items()} == {
        "2": "1", "5": "2", "6": "", "7": "4", "8": "5"
    }  # fmt: skip
    assert rows["7"]["best_reference"] == LUKASHENKO
    assert [(e["line"], e["error"]) for e in _rows(tmp_path / "o.errors.csv")] == [
        ("6", "row: not UTF-8 text"),
        ("8", "date: '31/12/2021' is not a date (YYYY-MM-DD)"),
    ]


def test_declaration_lines_after_blank_lines_keep_their_file_line(tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_bytes(
        b"date,destination,hs,consignee\n"
        b"2023-01-01,BY,0402,Maple\n"
        b"\n"
        b"2023-01-01,BY,0402,Lukashenk\xe9\n"
        b"31/12/2021,BY,0402,Maple\n"
    )
    out = tmp_path / "o.csv"
    assert main(["screen", "declarations", str(source), "--output", str(out)]) == 0
    assert [(e["line"], e["error"]) for e in _rows(tmp_path / "o.errors.csv")] == [
        ("4", "row: not UTF-8 text"),
        ("5", "date: 31/12/2021 is not a date (YYYY-MM-DD)"),
    ]


@needs_shared
@pytest.mark.parametrize(
    ("fmt", "file"),
    [("un", "sanctions/sema-lmes_2020-04-15.xml"), ("canada-consolidated", "UN"),
     ("ftm", "empty"), ("un", "csv")],
)  # fmt: skip
def test_an_import_that_reads_no_entries_is_refused_and_the_active_list_stays(
    fmt: str, file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert SHARED is not None
    un_xml = next((SHARED / "sanctions/un").glob("*.xml"))
    assert main(["screen", "lists", "import", "un", str(un_xml)]) == 0
    before = [line for line in capsys.readouterr().out.splitlines() if " entries, " in line]
    if file == "UN":
        path = un_xml
    elif file == "empty":
        path = tmp_path / "empty.ftm.jsonl"
        path.write_text("", encoding="utf-8")
    elif file == "csv":
        path = _write(tmp_path / "p.csv", PARTIES)
    else:
        path = SHARED / file
    assert main(["screen", "lists", "import", fmt, str(path)]) == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith(f"bilateral: error: path: {path.name}: ") and "\n" not in said
    assert said.endswith("the active lists are unchanged")
    assert main(["screen", "lists", "show"]) == 0
    shown = capsys.readouterr().out
    assert before[0].split(":")[0] + ":" in shown  # un-sc-consolidated@…, still active
    assert " 0 entries" not in shown


@needs_shared
def test_rolling_back_a_list_screens_with_the_version_imported_before_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert SHARED is not None
    source = SHARED / "sanctions/sema-lmes_2020-04-15.xml"
    assert main(["screen", "lists", "import", "canada-consolidated", str(source)]) == 0
    capsys.readouterr()
    assert main(["screen", "lists", "rollback", "ca-consolidated"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[1] == "ca-consolidated: no version left; the list is no longer screened"
    assert main(["screen", "lists", "show"]) == 0
    assert "ca-consolidated" not in capsys.readouterr().out
    assert main(["screen", "lists", "rollback", "ca-consolidated"]) == 2
    assert capsys.readouterr().err.strip() == (
        "bilateral: error: list_id: no imported version of 'ca-consolidated' to roll back "
        "(imported lists: none)"
    )


def test_a_declaration_to_a_listed_consignee_is_prohibited_whatever_the_goods(
    tmp_path: Path,
) -> None:
    # Medicines to Belarus need no permit, but OAO Belaruskali is listed (SOR/2020-214,
    # Sch. 1, Part 2, item 15) from 2022-03-08: dealing with it is prohibited (s. 3).
    source = tmp_path / "d.csv"
    source.write_text(
        "date,destination,hs,exporter,consignee\n"
        "2023-01-01,BY,3004.90,Maple Foods Ltd,OAO Belaruskali\n"
        "2015-01-01,RU,3004.90,Maple Foods Ltd,Sergei Ivanov\n"  # possibly listed
        "2023-01-01,BY,3004.90,Maple Foods Ltd,Nobody Known\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    assert main(["screen", "declarations", str(source), "--output", str(out)]) == 0
    rows = _rows(out)
    assert [(r["outcome"], r["prohibited"], r["verdict"], r["rules"]) for r in rows] == [
        ("not_required", "true", "prohibited", "sema.belarus.s3-dealings"),
        ("not_required", "false", "review", ""),
        ("not_required", "false", "not_required", ""),
    ]


def test_a_declaration_cites_the_rule_of_the_list_its_party_is_on(tmp_path: Path) -> None:
    # Each hit is under its own list's rule: Schedule 1 of SOR/2014-58 bans every dealing
    # (prohibited); Schedule 3 restricts new debt only (review, the rule cited, the line not
    # prohibited); a UN DPRK designation is under SOR/2006-287 s. 2 (prohibited).
    source = tmp_path / "d.csv"
    source.write_text(
        "date,destination,hs,consignee\n"
        "2023-01-01,RU,3004.90,Vladimir Vladimirovich Putin\n"
        "2023-01-01,RU,3004.90,OAO Novatek\n"
        "2021-01-01,CN,3004.90,Korea Mining Development Trading Corporation\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    assert main(["screen", "declarations", str(source), "--output", str(out)]) == 0
    rows = _rows(out)
    assert [(r["prohibited"], r["verdict"], r["rules"]) for r in rows] == [
        ("true", "prohibited", "sema.russia.s3-dealings"),
        ("false", "review", "sema.russia.s3-01-1-1-schedule-3"),
        ("true", "prohibited", "un.dprk.s2-designated-persons"),
    ]


def test_parties_are_screened_on_a_line_whose_goods_or_country_is_bad(tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text(
        "date,destination,hs,consignee\n"
        "2023-01-01,BY,,OAO Belaruskali\n"
        "2023-01-01,Narnia,3004.90,OAO Belaruskali\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    assert main(["screen", "declarations", str(source), "--output", str(out)]) == 0
    rows = _rows(out)
    assert [(r["party_hits"], r["verdict"], r["error"]) for r in rows] == [
        ("1", "prohibited", "hs: give an HS code or an ECL item"),
        ("1", "prohibited", "country: unknown country Narnia"),
    ]
    assert json.loads(rows[1]["party_matches"])[0]["id"] == "sor-2020-214/1/2/15"


def test_a_permit_of_another_holder_or_without_a_quantity_is_no_valid_permit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _office_with_one_permit(tmp_path)
    base = {"date": "2021-06-01", "destination": "BY", "hs": "3004.90",
            "exporter": "Maple Foods Ltd", "permit": "EXP-2021-0001", "quantity": "1"}  # fmt: skip
    rows = [
        {**base, "exporter": "Other Co"},
        {**base, "quantity": ""},
        {**base, "quantity": "-5"},
        {**base, "exporter": ""},
    ]
    source = _write(tmp_path / "d.csv", rows)
    out = tmp_path / "o.csv"
    assert main(["screen", "declarations", str(source), "--output", str(out),
                 "--office-db", url]) == 0  # fmt: skip
    assert [(r["permit_check"], r["error"]) for r in _rows(out)] == [
        ("permit problem: held by Maple Foods Ltd, not Other Co", ""),
        ("permit problem: quantity not given: balance not checked", ""),
        ("", "quantity: -5 is negative"),
        ("permit problem: exporter not given: the permit's holder not checked", ""),
    ]
    assert [(e["line"], e["error"]) for e in _rows(tmp_path / "o.errors.csv")] == [
        ("4", "quantity: -5 is negative")
    ]
    capsys.readouterr()
    missing = tmp_path / "missing.db"
    code = main(["screen", "declarations", str(source), "--output", str(tmp_path / "m.csv"),
                 "--office-db", f"sqlite:///{missing}"])  # fmt: skip
    assert code == 2 and not missing.exists() and not (tmp_path / "m.csv").exists()
    assert capsys.readouterr().err.strip() == (
        f"bilateral: error: office-db: no such SQLite database: {missing}"
    )


@pytest.mark.parametrize("kind", ["parties", "declarations"])
def test_an_output_that_is_the_input_is_refused_and_the_input_kept(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.csv", PARTIES if kind == "parties" else DECLARATIONS)
    before = source.read_bytes()
    assert main(["screen", kind, str(source), "--output", str(source)]) == 2
    assert capsys.readouterr().err.strip() == (
        "bilateral: error: output: in.csv: the run would write over its input; give another "
        "--output"
    )
    assert source.read_bytes() == before


def test_a_clean_rerun_leaves_no_earlier_error_report(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    bad = _write(tmp_path / "bad.csv", PARTIES)
    assert main(["screen", "parties", str(bad), "--output", str(out), "--workers", "1"]) == 0
    assert (tmp_path / "o.errors.csv").exists()
    good = _write(tmp_path / "good.csv", [PARTIES[0], PARTIES[3]])
    assert main(["screen", "parties", str(good), "--output", str(out), "--workers", "1"]) == 0
    assert not (tmp_path / "o.errors.csv").exists()
    declarations = _write(tmp_path / "d.csv", DECLARATIONS)
    assert main(["screen", "declarations", str(declarations), "--output", str(out)]) == 0
    assert (tmp_path / "o.errors.csv").exists()
    clean = _write(tmp_path / "d2.csv", DECLARATIONS[:3])
    assert main(["screen", "declarations", str(clean), "--output", str(out)]) == 0
    assert not (tmp_path / "o.errors.csv").exists()


def test_a_previous_output_of_another_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _write(tmp_path / "a.csv", PARTIES)
    other = _write(tmp_path / "b.csv", PARTIES[3:] + PARTIES[:3])
    earlier = tmp_path / "a.out.csv"
    assert main(["screen", "parties", str(first), "--output", str(earlier), "--workers", "1"]) == 0
    capsys.readouterr()
    out = tmp_path / "b.out.csv"
    args = ["screen", "parties", str(other), "--output", str(out), "--workers", "1",
            "--previous", str(earlier)]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        "bilateral: error: previous: a.out.csv was screened from another input (a.csv, sha256:"
    ) and err.endswith("not this b.csv: give an earlier output of the same file")
    assert not out.exists()
    # An output the run log does not know (another machine's): its rows are compared.
    log._connect().execute("delete from runs").connection.commit()
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == (
        "bilateral: error: previous: a.out.csv is not an output of this input: line 2 was 1, "
        "LUKASHENKA, Alyaksandr Hryhoryavich there; give an earlier output of the same file "
        "(nothing was written)"
    )
    assert not out.exists()


def test_declarations_say_which_party_columns_were_screened_and_warn_without_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "d.csv"
    source.write_text(
        "date,destination,HS Code,consignee_name,buyer\n2023-01-01,BY,3004.90,OAO Belaruskali,X\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    assert main(["screen", "declarations", str(source), "--output", str(out)]) == 0
    said = capsys.readouterr()
    assert "parties screened from column(s): consignee_name; columns not read: buyer" in said.out
    row = _rows(out)[0]
    assert (row["hs"], row["party_hits"], row["verdict"]) == ("3004.90", "1", "prohibited")
    source.write_text("date,destination,hs_code,buyer\n2023-01-01,BY,3004.90,X\n", "utf-8")
    assert main(["screen", "declarations", str(source), "--output", str(out)]) == 0
    said = capsys.readouterr()
    line = (
        "no party screened: d.csv has no party column (exporter, consignee, end_user, "
        "importer); columns not read: buyer"
    )
    assert said.err.strip() == f"bilateral: warning: {line}"
    assert line in said.out.splitlines()
    assert _rows(out)[0]["outcome"] == "not_required"


@pytest.mark.parametrize("kind", ["parties", "declarations"])
def test_a_semicolon_separated_file_is_refused_naming_the_separator(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "s.csv"
    source.write_text("date;destination;hs;name\n2023-01-01;BY;3004.90;X\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["screen", kind, str(source), "--output", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "bilateral: error: input: s.csv: its columns are separated by semicolons, not commas; "
        "save it as comma-separated CSV"
    )
    assert not out.exists()
