"""Permit utilisation report (JSON and CSV): authorised, used and remaining per line,
with every shipment, its date, declaration reference and the running balance after it.

The figures are the exact integer columns (thousandths, cents); visibility is the permit's
(``services.get_permit``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bilateral.office.models import Shipment
from bilateral.office.schemas import UtilisationLine, UtilisationOut, UtilisationShipment
from bilateral.office.services import cents, effective_status, get_permit, milli
from bilateral.platform.accounts import Actor
from bilateral.platform.models import Organisation
from bilateral.platform.present import csv_cell as _cell


def utilisation(s: Session, actor: Actor, permit_id: int, today: dt.date) -> UtilisationOut:
    p = get_permit(s, actor, permit_id)
    org = s.get(Organisation, p.organisation_id)
    by_line: dict[int, list[Shipment]] = {}
    for sh in s.execute(
        select(Shipment).where(Shipment.permit_id == p.id).order_by(Shipment.id)
    ).scalars():
        by_line.setdefault(sh.permit_line_id, []).append(sh)
    lines = []
    n = 0
    for ln in p.lines:
        used_q = used_v = 0
        shipments = []
        for sh in by_line.get(ln.id, []):
            used_q += sh.quantity_milli
            used_v += sh.value_cents
            n += 1
            shipments.append(
                UtilisationShipment(
                    id=sh.id,
                    shipped_on=sh.shipped_on,
                    export_declaration_ref=sh.export_declaration_ref,
                    quantity=milli(sh.quantity_milli),
                    value=cents(sh.value_cents),
                    used_quantity_after=milli(used_q),
                    used_value_after=cents(used_v),
                    remaining_quantity_after=milli(ln.authorised_quantity_milli - used_q),
                    remaining_value_after=cents(ln.authorised_value_cents - used_v),
                    recorded_at=sh.recorded_at,
                )
            )
        pct = (
            (Decimal(100 * ln.used_quantity_milli) / ln.authorised_quantity_milli).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
            if ln.authorised_quantity_milli
            else Decimal("0.0")
        )
        lines.append(
            UtilisationLine(
                line_no=ln.line_no,
                hs_code=ln.hs_code,
                ecl_item=ln.ecl_item,
                description=ln.description,
                unit=ln.unit,
                authorised_quantity=milli(ln.authorised_quantity_milli),
                used_quantity=milli(ln.used_quantity_milli),
                remaining_quantity=milli(ln.authorised_quantity_milli - ln.used_quantity_milli),
                authorised_value=cents(ln.authorised_value_cents),
                used_value=cents(ln.used_value_cents),
                remaining_value=cents(ln.authorised_value_cents - ln.used_value_cents),
                used_quantity_percent=pct,
                shipments=shipments,
            )
        )
    auth_v = sum(ln.authorised_value_cents for ln in p.lines)
    used_v_all = sum(ln.used_value_cents for ln in p.lines)
    return UtilisationOut(
        permit=p.number,
        permit_id=p.id,
        organisation=org.name if org else "",
        destination=p.destination,
        status=p.status,
        effective_status=effective_status(p, today),
        issued_on=p.issued_on,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        as_of=today,
        authorised_value=cents(auth_v),
        used_value=cents(used_v_all),
        remaining_value=cents(auth_v - used_v_all),
        shipments=n,
        lines=lines,
    )


CSV_COLUMNS = (
    "permit",
    "record",
    "line_no",
    "hs_code",
    "description",
    "unit",
    "shipped_on",
    "export_declaration_ref",
    "quantity",
    "value_cad",
    "authorised_quantity",
    "used_quantity",
    "remaining_quantity",
    "authorised_value_cad",
    "used_value_cad",
    "remaining_value_cad",
)


def utilisation_csv(r: UtilisationOut) -> str:
    """One ``line`` row per permit line (totals), then one ``shipment`` row per shipment
    with the line's balance after it."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for ln in r.lines:
        common = (r.permit, ln.line_no, ln.hs_code, ln.description, ln.unit)
        w.writerow(
            [
                _cell(x)
                for x in (
                    common[0],
                    "line",
                    *common[1:],
                    "",
                    "",
                    "",
                    "",
                    ln.authorised_quantity,
                    ln.used_quantity,
                    ln.remaining_quantity,
                    ln.authorised_value,
                    ln.used_value,
                    ln.remaining_value,
                )
            ]
        )
        for sh in ln.shipments:
            w.writerow(
                [
                    _cell(x)
                    for x in (
                        common[0],
                        "shipment",
                        *common[1:],
                        sh.shipped_on.isoformat(),
                        sh.export_declaration_ref,
                        sh.quantity,
                        sh.value,
                        ln.authorised_quantity,
                        sh.used_quantity_after,
                        sh.remaining_quantity_after,
                        ln.authorised_value,
                        sh.used_value_after,
                        sh.remaining_value_after,
                    )
                ]
            )
    return buf.getvalue()


def csv_filename(r: UtilisationOut) -> str:
    return f"{r.permit}-utilisation-{r.as_of.isoformat()}.csv"


# ---------------------------------------------------------------- audit log export


# ---------------------------------------------------------------- printable permit (PDF)


def permit_pdf(p: Any, lang: str, words: dict[str, str], fmt: dict[str, Any]) -> bytes:
    """The permit as a one-document PDF (fpdf2): number, holder, validity, lines,
    conditions, in the reader's language. ``words`` are the labels, ``fmt`` the
    language's formatters (date, money, quantity, country)."""
    from fpdf import FPDF

    def latin(text: object) -> str:
        # the PDF core fonts are Latin-1: French accents fit; typographic marks are mapped
        s = str(text).replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'")
        s = s.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2192", "->")
        return s.encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(format="Letter")
    pdf.set_title(latin(f"{words['title']} {p.number}"))
    pdf.set_lang(lang)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 10, latin(words["government"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 10, latin(f"{words['title']} {p.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    rows = [
        (words["status"], words["status_value"]),
        (words["holder"], p.organisation),
        (words["destination"], fmt["country"](p.destination)),
        (words["issued"], fmt["date"](p.issued_on)),
        (words["valid"], f"{fmt['date'](p.valid_from)} - {fmt['date'](p.valid_to)}"),
    ]
    for k, v in rows:
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(55, 7, latin(k))
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(0, 7, latin(v), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 8, latin(words["lines"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    with pdf.table(col_widths=(10, 70, 25, 45, 45)) as table:
        head = table.row()
        for h in ("#", words["description"], words["hs"], words["quantity"], words["value"]):
            head.cell(latin(h))
        for ln in p.lines:
            r = table.row()
            r.cell(str(ln.line_no))
            r.cell(latin(ln.description))
            r.cell(latin(ln.hs_code))
            r.cell(latin(f"{fmt['qty'](ln.authorised_quantity)} {fmt['unit'](ln.unit)}"))
            r.cell(latin(fmt["money"](ln.authorised_value)))
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 8, latin(words["conditions"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    for c in p.conditions or [words["none"]]:
        pdf.multi_cell(0, 6, latin(f"- {c}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("helvetica", "I", 9)
    pdf.multi_cell(0, 5, latin(words["legal"]), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
