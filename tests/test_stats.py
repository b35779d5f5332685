"""Trade statistics: importing the files people download, refusing what cannot be summed,
aggregating by HS section, chapter and heading. The OTS files are real data (tests/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bilateral.errors import BadInput
from bilateral.stats.importers import read
from bilateral.stats.store import StatsStore, top, year_on_year

DATA = Path(__file__).parent / "data" / "trade-flows"
OTS_2002 = DATA / "yrpc_y_2002_r_chl_p_arg_c_all.csv"
OTS_2004 = DATA / "yrpc_y_2004_r_chl_p_arg_c_all.csv"

COMTRADE_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,classificationCode,cmdCode,cmdDesc,"
    "primaryValue\n"
)
CIMT_HEADER = "Period,HS Code,Country,Trade Type,Value ($)\n"


@pytest.fixture
def store(tmp_path: Path) -> StatsStore:
    return StatsStore(tmp_path / "stats.duckdb")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ots_sample_imports_with_its_source_currency_edition_and_hash(store: StatsStore) -> None:
    record = store.import_file(OTS_2002)
    assert record.format == "ots" and record.currency == "USD" and record.hs_edition == "HS2012"
    assert record.content_hash.startswith("sha256:") and len(record.content_hash) == 71
    assert "Open Trade Statistics" in record.source and record.rows == 2048


def test_chile_exports_to_argentina_2002_sum_to_the_published_partner_total(
    store: StatsStore,
) -> None:
    store.import_file(OTS_2002)
    totals = store.query(reporter="CL", partner="AR")["rows"]
    assert {(r["flow"], r["value"]) for r in totals} == {
        ("exports", "191070218"),  # = yrp_y_2002_r_chl_p_all.csv, row chl,arg
        ("imports", "919280993"),
    }


def test_aggregation_by_section_chapter_and_heading_adds_up(store: StatsStore) -> None:
    store.import_file(OTS_2002)
    by = {
        b: store.query(reporter="CL", partner="AR", by=b, flows=("imports",))["rows"]
        for b in ("section", "chapter", "heading")
    }
    sums = {b: sum(int(r["value"]) for r in rows) for b, rows in by.items()}
    assert sums == {"section": 919280993, "chapter": 919280993, "heading": 919280993}
    sections = {r["group"]: r for r in by["section"]}
    # mineral products (Section V) lead Chile's imports from Argentina in 2002
    assert by["section"][0]["group"] == "V" and sections["V"]["label"] == "Mineral products"
    assert sections["VI"]["label"] == "Chemical products"
    french = store.query(reporter="CL", partner="AR", by="section", lang="fr")["rows"]
    assert any(r["label"] == "Produits minéraux" for r in french)


def test_year_on_year_change_and_top_products(store: StatsStore) -> None:
    store.import_file(OTS_2002)
    store.import_file(OTS_2004)
    rows = year_on_year(store.query(reporter="CL", partner="AR")["rows"])
    exports_2004 = next(r for r in rows if r["year"] == 2004 and r["flow"] == "exports")
    assert exports_2004["change_pct"] is None  # no 2003 loaded: no change invented
    leaders = top(store.query(reporter="CL", partner="AR", by="product", year_from=2004)["rows"], 3)
    assert len(leaders) == 6 and {r["year"] for r in leaders} == {2004}
    imports = [int(r["value"]) for r in leaders if r["flow"] == "imports"]
    assert imports == sorted(imports, reverse=True)


def test_the_same_file_twice_is_refused(store: StatsStore) -> None:
    store.import_file(OTS_2002)
    with pytest.raises(BadInput, match=r"already imported as #1"):
        store.import_file(OTS_2002)


def test_overlapping_data_from_another_file_is_refused_not_counted_twice(
    store: StatsStore, tmp_path: Path
) -> None:
    store.import_file(OTS_2002)
    copy = _write(tmp_path, "again.csv", OTS_2002.read_text() + "\n")
    with pytest.raises(BadInput, match=r"2002 CL→AR exports is already held from import #1"):
        store.import_file(copy)
    assert len(store.imports()) == 1


def test_an_unknown_format_is_refused_in_one_line(store: StatsStore, tmp_path: Path) -> None:
    path = _write(tmp_path, "x.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(BadInput) as caught:
        store.import_file(path)
    assert caught.value.field == "format" and "unknown statistics format" in str(caught.value)
    assert "\n" not in str(caught.value)
    json_file = _write(tmp_path, "x.json", '[{"year": 2002}]')
    with pytest.raises(BadInput, match="not a CSV file"):
        store.import_file(json_file)


def test_a_bad_row_leaves_nothing_imported(store: StatsStore, tmp_path: Path) -> None:
    lines = OTS_2002.read_text().splitlines()
    lines[500] = lines[500].replace("2002,chl,arg", "2002,chl,zzz")
    path = _write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(BadInput, match=r"bad.csv row 501 partner_iso: unknown country 'zzz'"):
        store.import_file(path)
    assert store.imports() == [] and store.query(reporter="CL", partner="AR")["rows"] == []


def test_cimt_csv_in_canadian_dollars(store: StatsStore, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "cimt.csv",
        CIMT_HEADER
        + '2013,2815.12,Belarus,Imports,"1,000"\n'
        + "2013,440710,Belarus,Imports,500\n"
        + "2013,0402.10,Belarus,Domestic Exports,250\n",
    )
    record = store.import_file(path)
    assert (record.format, record.currency, record.hs_edition) == ("cimt", "CAD", "HS2012")
    sections = store.query(reporter="CA", partner="BY", by="section")["rows"]
    assert {(r["flow"], r["group"], r["value"]) for r in sections} == {
        ("imports", "VI", "1000"),
        ("imports", "IX", "500"),
        ("domestic_exports", "I", "250"),
    }


def test_a_file_in_mixed_currencies_is_refused(store: StatsStore, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "mixed.csv",
        "Year,HS Code,Country,Trade,Value,Currency\n"
        "2013,2815,Belarus,Imports,10,CAD\n2013,2815,Belarus,Imports,10,USD\n",
    )
    with pytest.raises(BadInput, match=r"mixed.csv: mixed currencies \(CAD, USD\)"):
        store.import_file(path)
    assert store.imports() == []


def test_comtrade_bulk_csv_records_the_edition_it_declares(
    store: StatsStore, tmp_path: Path
) -> None:
    row = "C,A,20130101,2013,52,2013,124,CAN,Canada,{flow},x,112,BLR,Belarus,H4,{cmd},x,{value}\n"
    text = COMTRADE_HEADER + "".join(
        row.format(flow=f, cmd=c, value=v)
        for f, c, v in (
            ("M", "310420", "1000"),
            ("X", "020130", "50"),
            ("RM", "310420", "7"),
            ("M", "TOTAL", "1000"),
        )
    )
    record = store.import_file(_write(tmp_path, "comtrade.csv", text))
    assert (record.format, record.currency, record.hs_edition, record.rows) == (
        "comtrade",
        "USD",
        "HS2012",
        2,
    )
    mixed = text + row.format(flow="M", cmd="310420", value="1").replace(",H4,", ",H5,")
    with pytest.raises(BadInput, match=r"mixed HS editions \(HS2012, HS2017\)"):
        read(_write(tmp_path, "mixed-editions.csv", mixed))


def test_sums_across_currencies_are_refused_not_added(store: StatsStore, tmp_path: Path) -> None:
    usd = (
        COMTRADE_HEADER
        + "C,A,20130101,2013,52,2013,124,CAN,Canada,M,x,112,BLR,Belarus,H4,310420,x,1000\n"
    )
    store.import_file(_write(tmp_path, "usd.csv", usd))
    store.import_file(_write(tmp_path, "cad.csv", CIMT_HEADER + "2014,2815,Belarus,Imports,10\n"))
    with pytest.raises(BadInput, match=r"CAD and USD values for CA→BY; they cannot be summed"):
        store.query(reporter="CA", partner="BY")
    assert store.query(reporter="CA", partner="BY", year_from=2014)["currency"] == "CAD"


def test_comtrade_bulk_file_tab_separated_and_gzipped(store: StatsStore, tmp_path: Path) -> None:
    import gzip

    header = COMTRADE_HEADER.replace(",", "\t")
    row = "C,A,20130101,2013,52,2013,124,CAN,Canada,M,x,112,BLR,Belarus,H4,310420,x,1000\n"
    row = row.replace(",", "\t")
    path = tmp_path / "bulk.txt.gz"
    path.write_bytes(gzip.compress((header + row).encode()))
    record = store.import_file(path)
    assert (record.format, record.rows, record.hs_edition) == ("comtrade", 1, "HS2012")
    assert store.query(reporter="CA", partner="BY", by="section")["rows"][0]["group"] == "VI"
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(b"x" * 100)[:20])
    with pytest.raises(BadInput, match=r"broken\.gz: a damaged gzip file"):
        store.import_file(broken)


def test_headings_are_not_summed_across_hs_editions_but_sections_are(
    store: StatsStore, tmp_path: Path
) -> None:
    store.import_file(_write(tmp_path, "y2013.csv", CIMT_HEADER + "2013,2815,Belarus,Imports,10\n"))
    store.import_file(_write(tmp_path, "y2018.csv", CIMT_HEADER + "2018,2815,Belarus,Imports,20\n"))
    assert {r.hs_edition for r in store.imports()} == {"HS2012", "HS2017"}
    with pytest.raises(BadInput, match=r"the years span HS editions HS2012, HS2017"):
        store.query(reporter="CA", partner="BY", by="heading")
    sections = store.query(reporter="CA", partner="BY", by="section")["rows"]
    assert [(r["year"], r["group"], r["value"]) for r in sections] == [
        (2013, "VI", "10"),
        (2018, "VI", "20"),
    ]
    one_edition = store.query(reporter="CA", partner="BY", by="heading", year_from=2018)["rows"]
    assert [(r["group"], r["value"]) for r in one_edition] == [("2815", "20")]
