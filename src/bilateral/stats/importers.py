"""Readers for the trade files people download, each into checked rows (nothing stored).

- Open Trade Statistics CSV (api.tradestatistics.io, the R package's tables): columns
  ``year, reporter_iso, partner_iso, commodity_code, trade_value_usd_imp,
  trade_value_usd_exp`` (``partner_iso`` absent: trade with the world). HS2012 codes, USD.
- UN Comtrade bulk files (Comtrade+ layout; comma- or tab-separated, gzipped or not):
  ``refYear``/``period``, ``reporterISO``, ``partnerISO``, ``flowCode`` (X, M, DX, RX;
  others skipped), ``classificationCode`` (H0-H6), ``cmdCode``, ``primaryValue`` in USD.
- Statistics Canada CIMT CSV export: a year or period column (``Year``/``Period``), an HS
  column (``HS Code``, ``HS2``...``HS10``), a partner column (``Country``/``Partner``,
  name or ISO code), a trade-type column (``Trade``/``Flow``: Domestic Exports,
  Re-Exports, Total Exports, Imports) and a value column (``Value ($)``, ``Value (CAD)``,
  with an optional ``Currency`` column). Reporter Canada, CAD.

Every reader refuses the whole file on the first bad row (one line: file, row, column,
problem), refuses mixed currencies, and reports the HS edition and currency of the file.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bilateral import countries
from bilateral.errors import BadInput
from bilateral.relations.model import Flow
from bilateral.stats.sections import COMTRADE_CLASSIFICATIONS, edition_for_year

FORMATS = ("ots", "comtrade", "cimt")


@dataclass(frozen=True)
class TradeRow:
    year: int
    reporter: str  # ISO alpha-2
    partner: str  # ISO alpha-2, or "WLD" for the world
    flow: Flow
    hs: str  # 2 to 10 digits
    value: Decimal


@dataclass(frozen=True)
class ParsedFile:
    format: str
    source: str
    file_name: str
    content_hash: str
    currency: str
    hs_edition: str
    rows: tuple[TradeRow, ...]


def _field(where: str, problem: str) -> BadInput:
    return BadInput("file", f"{where}: {problem}")


def _country(code: str, where: str) -> str:
    text = code.strip()
    if text.lower() in ("wld", "w00", "world", "0", "all"):
        return "WLD"
    try:
        return countries.resolve(text, "partner").code
    except BadInput:
        raise _field(where, f"unknown country {text!r}") from None


def _year(text: str, where: str) -> int:
    head = text.strip()[:4]
    if not head.isdigit() or not 1900 <= int(head) <= 2100:
        raise _field(where, f"malformed year {text!r}")
    return int(head)


def _hs(text: str, where: str) -> str:
    digits = text.strip().replace(".", "").replace(" ", "")
    if not digits.isdigit() or len(digits) not in (2, 4, 6, 8, 10):
        raise _field(where, f"malformed HS code {text!r} (2 to 10 digits)")
    return digits


def _value(text: str, where: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "").replace("$", "")
    if cleaned in ("", "NA", "..", "x"):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise _field(where, f"malformed value {text!r}") from None
    if not value.is_finite() or value < 0:
        raise _field(where, f"value {text!r} is not a non-negative amount")
    return value


def _one_currency(seen: set[str], name: str) -> str:
    if len(seen) > 1:
        raise BadInput(
            "file",
            f"{name}: mixed currencies ({', '.join(sorted(seen))}); import one currency per file",
        )
    return seen.pop()


def _rows(text: str, name: str) -> tuple[list[str], list[dict[str, str]]]:
    # Comtrade's bulk files are tab-separated, some exports use ";": the header decides
    header = text.split("\n", 1)[0]
    delimiter = max(("\t", ";", ","), key=header.count) if header.strip() else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames:
        raise BadInput("file", f"{name}: empty file")
    return [h.strip() for h in reader.fieldnames], list(reader)


def detect(header: Iterable[str]) -> str | None:
    cols = {h.strip().lower() for h in header}
    if {"year", "reporter_iso", "trade_value_usd_imp", "trade_value_usd_exp"} <= cols:
        return "ots"
    if {"reporteriso", "flowcode", "cmdcode", "primaryvalue"} <= cols:
        return "comtrade"
    if any(c.startswith("value") for c in cols) and any(c.startswith("hs") for c in cols):
        return "cimt"
    return None


def read(path: Path, fmt: str | None = None) -> ParsedFile:
    """Read and check a whole file; a BadInput (one line) for anything wrong in it."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BadInput("file", f"{path}: cannot read ({error.strerror})") from None
    if raw[:2] == b"\x1f\x8b":  # bulk downloads come gzipped
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            raise BadInput("file", f"{name}: a damaged gzip file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # StatCan exports are sometimes Windows-1252
    if text.lstrip()[:1] in ("{", "[", "<"):
        raise BadInput(
            "format",
            f"{name}: unknown statistics format (not a CSV file); "
            f"expected one of {', '.join(FORMATS)}",
        )
    header, rows = _rows(text, name)
    kind = fmt or detect(header)
    if kind is None or kind not in FORMATS:
        shown = ", ".join(h[:24] for h in header[:5])
        raise BadInput(
            "format",
            f"{name}: unknown statistics format (columns {shown}); "
            f"expected one of {', '.join(FORMATS)}",
        )
    if detect(header) != kind:
        raise BadInput("format", f"{name}: the columns are not those of a {kind} file")
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    if kind == "ots":
        parsed = _ots(name, rows)
    elif kind == "comtrade":
        parsed = _comtrade(name, rows)
    else:
        parsed = _cimt(name, header, rows)
    if not parsed[2]:
        raise BadInput("file", f"{name}: no trade rows")
    currency, edition, found, source = parsed
    return ParsedFile(kind, source, name, digest, currency, edition, tuple(found))


def _ots(name: str, rows: list[dict[str, str]]) -> tuple[str, str, list[TradeRow], str]:
    found: list[TradeRow] = []
    for i, row in enumerate(rows, start=2):
        where = f"{name} row {i}"
        year = _year(row.get("year", ""), where)
        reporter = _country(row.get("reporter_iso", ""), where + " reporter_iso")
        partner = _country(row.get("partner_iso") or "wld", where + " partner_iso")
        code = row.get("commodity_code")
        if code is None or code.strip().lower() == "all":
            raise _field(where, "no commodity_code: the importer reads product-level tables")
        hs_code = _hs(code, where + " commodity_code")
        for column, flow in (
            ("trade_value_usd_exp", Flow.EXPORTS),
            ("trade_value_usd_imp", Flow.IMPORTS),
        ):
            value = _value(row.get(column, ""), f"{where} {column}")
            if value:
                found.append(TradeRow(year, reporter, partner, flow, hs_code, value))
    # OTS converts every year to HS2012 codes (its PROVENANCE): the edition is the source's.
    return (
        "USD",
        "HS2012",
        found,
        "Open Trade Statistics (api.tradestatistics.io), UN Comtrade basis",
    )


_COMTRADE_FLOWS = {
    "X": Flow.EXPORTS,
    "M": Flow.IMPORTS,
    "DX": Flow.DOMESTIC_EXPORTS,
    "RX": Flow.RE_EXPORTS,
}


def _comtrade(name: str, rows: list[dict[str, str]]) -> tuple[str, str, list[TradeRow], str]:
    found: list[TradeRow] = []
    editions: set[str] = set()
    lowered = [{k.strip().lower(): (v or "") for k, v in row.items() if k} for row in rows]
    currencies: set[str] = set()
    for i, row in enumerate(lowered, start=2):
        where = f"{name} row {i}"
        flow = _COMTRADE_FLOWS.get(row.get("flowcode", "").strip())
        cmd = row.get("cmdcode", "").strip()
        if flow is None or not cmd.isdigit():
            continue  # re-imports and the TOTAL aggregate are not merchandise lines we keep
        classification = row.get("classificationcode", "").strip()
        edition = COMTRADE_CLASSIFICATIONS.get(classification)
        if edition is None:
            raise _field(
                where + " classificationCode", f"unknown HS classification {classification!r}"
            )
        editions.add(edition)
        year = _year(row.get("refyear") or row.get("period", ""), where)
        value = _value(row.get("primaryvalue", ""), where + " primaryValue")
        currencies.add(row.get("currency", "").strip().upper() or "USD")
        if value:
            found.append(
                TradeRow(
                    year,
                    _country(row.get("reporteriso", ""), where + " reporterISO"),
                    _country(row.get("partneriso", ""), where + " partnerISO"),
                    flow,
                    _hs(cmd, where + " cmdCode"),
                    value,
                )
            )
    if len(editions) > 1:
        raise BadInput("file", f"{name}: mixed HS editions ({', '.join(sorted(editions))})")
    currency = _one_currency(currencies or {"USD"}, name)
    return currency, (editions.pop() if editions else "HS2012"), found, "UN Comtrade bulk download"


_CIMT_FLOWS = {
    "domestic exports": Flow.DOMESTIC_EXPORTS,
    "domestic export": Flow.DOMESTIC_EXPORTS,
    "re-exports": Flow.RE_EXPORTS,
    "re-export": Flow.RE_EXPORTS,
    "total exports": Flow.EXPORTS,
    "imports": Flow.IMPORTS,
    "import": Flow.IMPORTS,
    "exportations intérieures": Flow.DOMESTIC_EXPORTS,
    "réexportations": Flow.RE_EXPORTS,
    "importations": Flow.IMPORTS,
}


def _column(header: list[str], *starts: str) -> str | None:
    for start in starts:
        for h in header:
            if h.lower().startswith(start):
                return h
    return None


def _cimt(
    name: str, header: list[str], rows: list[dict[str, str]]
) -> tuple[str, str, list[TradeRow], str]:
    year_col = _column(header, "year", "period", "année", "période")
    hs_col = _column(header, "hs")
    partner_col = _column(header, "country", "partner", "pays")
    flow_col = _column(header, "trade", "flow", "commerce")
    value_col = _column(header, "value", "valeur")
    missing = [
        n
        for n, c in (("Year", year_col), ("Country", partner_col), ("Trade", flow_col))
        if c is None
    ]
    if missing:
        raise BadInput("format", f"{name}: a CIMT file needs a {', '.join(missing)} column")
    assert year_col and hs_col and partner_col and flow_col and value_col
    currency_col = _column(header, "currency", "devise")
    implied = "USD" if "usd" in value_col.lower() or "us$" in value_col.lower() else "CAD"
    currencies: set[str] = set()
    years: set[int] = set()
    found: list[TradeRow] = []
    for i, row in enumerate(rows, start=2):
        where = f"{name} row {i}"
        flow = _CIMT_FLOWS.get((row.get(flow_col) or "").strip().lower())
        if flow is None:
            raise _field(where + f" {flow_col}", f"unknown trade type {row.get(flow_col)!r}")
        currencies.add((row.get(currency_col) or "").strip().upper() if currency_col else implied)
        year = _year(row.get(year_col) or "", where + f" {year_col}")
        years.add(year)
        value = _value(row.get(value_col) or "", where + f" {value_col}")
        hs_text = (row.get(hs_col) or "").split(" ")[0].split("-")[0]
        if value:
            found.append(
                TradeRow(
                    year,
                    "CA",
                    _country(row.get(partner_col) or "", where + f" {partner_col}"),
                    flow,
                    _hs(hs_text, where + f" {hs_col}"),
                    value,
                )
            )
    currency = _one_currency(currencies, name)
    eds = {edition_for_year(y) for y in years}
    if len(eds) > 1:
        raise BadInput(
            "file",
            f"{name}: years under different HS editions ({', '.join(sorted(eds))}); "
            "import one edition per file",
        )
    return (
        currency,
        eds.pop(),
        found,
        "Statistics Canada, Canadian International Merchandise Trade (CIMT)",
    )
