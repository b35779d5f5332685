"""Contribution agreements and money: schedule, payments ledger, reports, variance, closure.

An agreement is drawn up only for a proposal in the funding plan, and only when the call
version sets the payment terms and the reporting rules (the sources do not give them: the
programme officer sets them; nothing here invents a default). Money is exact: the advance is
the call's percentage of the award rounded half-up to the cent, the final payment is the rest,
so the instalments always add up to the award; no payment may take the total paid above it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape
from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic_core import PydanticCustomError

from bilateral.cfli import i18n
from bilateral.cfli.assessment import FundingPlan
from bilateral.cfli.calls import CENT, COST_LABELS, Call, CallRef, CostCategory, to_money
from bilateral.cfli.proposals import Proposal
from bilateral.cfli.refusals import from_custom, refuse, require_same_call
from bilateral.law.model import Bilingual


class Kind(StrEnum):
    ADVANCE = "advance"
    FINAL = "final"


class Status(StrEnum):
    DRAWN_UP = "drawn_up"
    SIGNED = "signed"
    FINAL_REPORT_ACCEPTED = "final_report_accepted"
    CLOSED = "closed"


class Installment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Kind
    percent: Decimal
    amount: Decimal
    when: Bilingual


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    start: dt.date
    due: dt.date


class ReportDue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str  # "narrative" or "financial"
    label: Bilingual
    due: dt.date


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int
    category: CostCategory
    description: str
    budget: Decimal


class Agreement(BaseModel):
    """What both parties sign: drawn from the approved proposal and the call version."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    proposal_id: str
    call: CallRef
    call_title: Bilingual
    mission: Bilingual
    recipient: SecretStr
    project_title: str
    drawn_up_on: dt.date
    amount: Decimal
    start: dt.date
    end: dt.date
    installments: tuple[Installment, ...]
    milestones: tuple[Milestone, ...]
    reports_due: tuple[ReportDue, ...]
    lines: tuple[Line, ...]


_REPORTS = {
    "narrative": Bilingual(en="Final narrative report", fr="Rapport descriptif final"),
    "financial": Bilingual(en="Final financial report", fr="Rapport financier final"),
}
_WHEN = {
    Kind.ADVANCE: Bilingual(en="on signature of the agreement", fr="à la signature de l'accord"),
    Kind.FINAL: Bilingual(
        en="on acceptance of the final reports", fr="à l'acceptation des rapports finaux"
    ),
}


def draw_up(
    proposal: Proposal, call: Call, plan: FundingPlan, on: dt.date, agreement_id: str
) -> Agreement:
    """The agreement for a proposal the funding plan funds, under the call version the
    assessment used (the latest version for a plan made outside an assessment)."""
    if plan.call is not None and plan.call.call_id != call.id:
        raise refuse("call", "plan_other_call", plan_call=plan.call.call_id, call=call.id)
    version = call.version(plan.call.version) if plan.call is not None else call.latest
    if plan.call is not None and call.hashes[version.version] != plan.call.hash:
        raise refuse("call", "call_changed", call=call.id, version=version.version)
    if proposal.id not in {r.proposal.id for r in plan.funded}:
        raise refuse("proposal", "not_in_plan", proposal=proposal.id)
    require_same_call(proposal.id, proposal.call_id, call.id)
    terms = version.payment_terms.value
    reporting = version.reporting.value
    for name, value in (("payment_terms", terms), ("reporting", reporting)):
        if value is None:
            raise refuse(name, f"{name}_not_set", call=call.id, version=version.version)
    assert terms is not None and reporting is not None  # narrowed above
    amount = proposal.requested
    advance = (amount * terms.advance_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    installments = (
        Installment(
            kind=Kind.ADVANCE,
            percent=terms.advance_percent,
            amount=advance,
            when=_WHEN[Kind.ADVANCE],
        ),
        Installment(
            kind=Kind.FINAL,
            percent=terms.final_percent,
            amount=amount - advance,
            when=_WHEN[Kind.FINAL],
        ),
    )
    end = proposal.activities_end
    mission = version.mission.value or Bilingual(en="—", fr="—")
    return Agreement(
        id=agreement_id,
        proposal_id=proposal.id,
        call=call.ref(version.version),
        call_title=version.title,
        mission=mission,
        recipient=proposal.organisation.name,
        project_title=proposal.title,
        drawn_up_on=on,
        amount=amount,
        start=proposal.activities_start,
        end=end,
        installments=installments,
        milestones=tuple(
            Milestone(title=a.title, start=a.start, due=a.end)
            for a in sorted(proposal.activities, key=lambda a: (a.end, a.start))
        ),
        reports_due=(
            ReportDue(
                kind="narrative",
                label=_REPORTS["narrative"],
                due=end + dt.timedelta(days=reporting.final_narrative_days),
            ),
            ReportDue(
                kind="financial",
                label=_REPORTS["financial"],
                due=end + dt.timedelta(days=reporting.final_financial_days),
            ),
        ),
        lines=tuple(
            Line(number=i + 1, category=b.category, description=b.description, budget=b.cfli)
            for i, b in enumerate(proposal.budget)
        ),
    )


# --- the file of an agreement: payments, reports, closure -----------------------------------


class Payment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    on: dt.date
    kind: Kind
    amount: Decimal
    reference: str


class NarrativeReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    submitted_on: dt.date
    text: str
    final: bool = True


class FinancialReport(BaseModel):
    """Actual CFLI spending per budget line (line numbers as in the agreement)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    submitted_on: dt.date
    actuals: dict[int, Decimal]
    final: bool = True


@dataclass(frozen=True)
class Variance:
    line: Line
    actual: Decimal
    difference: Decimal  # actual - budget
    percent: Decimal | None  # of the budget, None where the budget is zero


@dataclass(frozen=True)
class Closure:
    closed_on: dt.date
    paid: Decimal
    spent: Decimal
    unpaid: Decimal  # award not paid out
    to_return: Decimal  # paid but not spent


def _amount(value: Any, name: str) -> Decimal:
    try:
        checked: Decimal = to_money(value)
    except PydanticCustomError as error:
        raise from_custom(name, error) from None
    if not isinstance(checked, Decimal):
        raise refuse(name, "amount_number")
    return checked


@dataclass
class AgreementFile:
    """An agreement and what happens to it. Every refusal is a BadInput, nothing half-done."""

    agreement: Agreement
    status: Status = Status.DRAWN_UP
    signed_on: dt.date | None = None
    payments: list[Payment] = field(default_factory=list)
    narrative: NarrativeReport | None = None
    financial: FinancialReport | None = None
    closure: Closure | None = None

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))

    def _open(self) -> None:
        if self.status is Status.CLOSED:
            raise refuse("agreement", "agreement_closed", agreement=self.agreement.id)

    def sign(self, on: dt.date) -> None:
        self._open()
        if self.status is not Status.DRAWN_UP:
            raise refuse("agreement", "already_signed", agreement=self.agreement.id)
        if on < self.agreement.drawn_up_on:
            raise refuse("signed_on", "signed_before_drawn_up")
        self.status, self.signed_on = Status.SIGNED, on

    def pay(self, on: dt.date, kind: Kind, amount: Any, reference: str) -> Payment:
        """Record a payment; refused above the instalment or the agreement, exact to the cent."""
        self._open()
        value = _amount(amount, "amount")
        if value <= 0:
            raise refuse("amount", "payment_positive")
        if self.signed_on is None:
            raise refuse("agreement", "payment_unsigned")
        if on < self.signed_on:
            raise refuse("on", "payment_before_signature")
        if kind is Kind.FINAL and self.status is not Status.FINAL_REPORT_ACCEPTED:
            raise refuse("kind", "final_payment_early")
        total = self.paid + value
        if total > self.agreement.amount:
            raise refuse(
                "amount",
                "payment_above_agreement",
                amount=value,
                total=total,
                limit=self.agreement.amount,
            )
        (due,) = [i for i in self.agreement.installments if i.kind is kind]
        of_kind = sum((p.amount for p in self.payments if p.kind is kind), Decimal(0)) + value
        if of_kind > due.amount:
            raise refuse("amount", f"payment_above_{kind.value}", total=of_kind, limit=due.amount)
        payment = Payment(on=on, kind=kind, amount=value, reference=reference)
        self.payments.append(payment)
        return payment

    def report_narrative(self, report: NarrativeReport) -> None:
        self._open()
        if self.signed_on is None:
            raise refuse("report", "report_unsigned")
        self.narrative = report

    def report_financial(self, report: FinancialReport) -> None:
        self._open()
        if self.signed_on is None:
            raise refuse("report", "report_unsigned")
        numbers = {line.number for line in self.agreement.lines}
        actuals: dict[int, Decimal] = {}
        for number, value in report.actuals.items():
            if number not in numbers:
                raise refuse(f"actuals.{number}", "no_budget_line")
            actuals[number] = _amount(value, f"actuals.{number}")
        self.financial = report.model_copy(update={"actuals": actuals})

    def accept_final_reports(self, on: dt.date) -> None:
        self._open()
        if self.status is not Status.SIGNED:
            raise refuse("agreement", "accept_once")
        if self.narrative is None or self.financial is None:
            if self.narrative is None and self.financial is None:
                raise refuse("reports", "missing_reports")
            raise refuse(
                "reports", "missing_narrative" if self.narrative is None else "missing_financial"
            )
        self.status = Status.FINAL_REPORT_ACCEPTED

    def overdue(self, today: dt.date) -> list[ReportDue]:
        """Reports due before ``today`` and not received."""
        received = {"narrative": self.narrative, "financial": self.financial}
        return [r for r in self.agreement.reports_due if r.due < today and not received[r.kind]]

    def variance(self) -> list[Variance]:
        if self.financial is None:
            raise refuse("reports", "no_financial_report")
        out = []
        for line in self.agreement.lines:
            actual = self.financial.actuals.get(line.number, Decimal("0.00"))
            diff = actual - line.budget
            pct = (diff * 100 / line.budget).quantize(CENT) if line.budget else None
            out.append(Variance(line, actual, diff, pct))
        return out

    def close(self, on: dt.date) -> Closure:
        self._open()
        if self.status is not Status.FINAL_REPORT_ACCEPTED:
            raise refuse("agreement", "close_before_accept")
        assert self.financial is not None
        spent = sum(self.financial.actuals.values(), Decimal("0.00"))
        paid = self.paid
        closure = Closure(
            closed_on=on,
            paid=paid,
            spent=spent,
            unpaid=self.agreement.amount - paid,
            to_return=max(paid - spent, Decimal("0.00")),
        )
        self.status, self.closure = Status.CLOSED, closure
        return closure


# --- rendering ------------------------------------------------------------------------------

_LABELS: dict[str, Bilingual] = {
    "title": Bilingual(en="Contribution agreement", fr="Accord de contribution"),
    "between": Bilingual(en="Parties:", fr="Parties :"),
    "and": Bilingual(en="and", fr="et"),
    "project": Bilingual(en="Project", fr="Projet"),
    "call": Bilingual(en="Call for proposals", fr="Appel de propositions"),
    "amount": Bilingual(en="Contribution (maximum)", fr="Contribution (maximum)"),
    "period": Bilingual(en="Activities", fr="Activités"),
    "schedule": Bilingual(en="Payment schedule", fr="Calendrier des paiements"),
    "milestones": Bilingual(en="Milestones", fr="Jalons"),
    "reports": Bilingual(en="Reports due", fr="Rapports à remettre"),
    "budget": Bilingual(en="Budget (CFLI contribution)", fr="Budget (contribution du FCIL)"),
    "advance": Bilingual(en="Advance", fr="Avance"),
    "final": Bilingual(en="Final payment", fr="Paiement final"),
    "total": Bilingual(en="Total", fr="Total"),
    "version": Bilingual(
        en="Terms of call version {version} ({hash})",
        fr="Conditions de la version {version} de l'appel ({hash})",
    ),
    "to": Bilingual(en="to", fr="au"),
}


def view(agreement: Agreement, lang: str) -> dict[str, Any]:
    """Everything a rendering shows, already in the reader's language."""

    def t(key: str) -> str:
        return i18n.text(_LABELS[key], lang)

    return {
        "lang": lang,
        "t": {k: i18n.text(v, lang) for k, v in _LABELS.items()},
        "id": agreement.id,
        "mission": i18n.text(agreement.mission, lang),
        "recipient": agreement.recipient.get_secret_value(),
        "project": agreement.project_title,
        "call": i18n.text(agreement.call_title, lang),
        "version": t("version").format(version=agreement.call.version, hash=agreement.call.hash),
        "amount": i18n.money(agreement.amount, lang),
        "period": f"{i18n.day(agreement.start, lang)} {t('to')} {i18n.day(agreement.end, lang)}",
        "drawn_up": i18n.day(agreement.drawn_up_on, lang),
        "installments": [
            (
                t(i.kind.value),
                i18n.percent(i.percent, lang),
                i18n.money(i.amount, lang),
                i18n.text(i.when, lang),
            )
            for i in agreement.installments
        ],
        "milestones": [
            (m.title, i18n.day(m.start, lang), i18n.day(m.due, lang)) for m in agreement.milestones
        ],
        "reports": [
            (i18n.text(r.label, lang), i18n.day(r.due, lang)) for r in agreement.reports_due
        ],
        "lines": [
            (
                str(line.number),
                i18n.text(COST_LABELS[line.category], lang),
                line.description,
                i18n.money(line.budget, lang),
            )
            for line in agreement.lines
        ],
        "total": i18n.money(sum((x.budget for x in agreement.lines), Decimal(0)), lang),
    }


@cache
def _env() -> Environment:
    return Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def render_html(agreement: Agreement, lang: str = "en") -> str:
    source = resources.files("bilateral.cfli").joinpath("templates", "agreement.html")
    template = _env().from_string(source.read_text(encoding="utf-8"))
    return template.render(**view(agreement, lang))


_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def render_pdf(agreement: Agreement, lang: str = "en", font_dir: Path | None = _FONT_DIR) -> bytes:
    """The agreement as PDF (fpdf2). DejaVu Sans where the system has it (every character);
    otherwise the PDF core font, with the few characters outside Latin-1 written plainly."""
    from fpdf import FPDF  # imported here: only agreements need it

    v = view(agreement, lang)
    pdf = FPDF(format="A4")
    pdf.set_title(f"{v['t']['title']} {agreement.id}")
    pdf.set_lang("fr-CA" if lang == "fr" else "en-CA")
    regular = font_dir / "DejaVuSans.ttf" if font_dir else None
    bold = font_dir / "DejaVuSans-Bold.ttf" if font_dir else None
    if regular and bold and regular.exists() and bold.exists():
        pdf.add_font("body", "", str(regular))
        pdf.add_font("body", "B", str(bold))
        family = "body"

        def fit(text: str) -> str:
            return text

    else:
        family = "helvetica"

        def fit(text: str) -> str:
            plain = text.replace("\u202f", " ").replace("\u2019", "'").replace("—", "-")
            plain = plain.replace("“", '"').replace("”", '"').replace("œ", "oe")
            return plain.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, fit(f"{v['t']['title']} {agreement.id}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.multi_cell(
        0,
        6,
        fit(
            f"{v['t']['between']} {v['mission']} {v['t']['and']} {v['recipient']} — {v['drawn_up']}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    colon = " : " if lang == "fr" else ": "  # French sets a space before the colon
    for key in ("project", "call", "amount", "period"):
        pdf.multi_cell(0, 6, fit(f"{v['t'][key]}{colon}{v[key]}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, fit(v["version"]), new_x="LMARGIN", new_y="NEXT")

    def table(heading: str, rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.cell(0, 8, fit(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)
        with pdf.table(col_widths=widths, first_row_as_headings=False) as tbl:
            for row in rows:
                cells = tbl.row()
                for cell in row:
                    cells.cell(fit(cell))

    table(v["t"]["schedule"], v["installments"], (25, 15, 30, 50))
    table(v["t"]["milestones"], v["milestones"], (60, 30, 30))
    table(v["t"]["reports"], v["reports"], (60, 40))
    table(
        v["t"]["budget"],
        [*v["lines"], ("", v["t"]["total"], "", v["total"])],
        (8, 45, 50, 30),
    )
    return bytes(pdf.output())
