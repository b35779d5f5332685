"""Portfolio reports: proposals and money by fiscal year, country, theme and recipient type.

Rows carry no sensitive field: no names, no contacts, no registration answer. A proposal with
several themes counts under each of them, so theme totals overlap and do not add up to the
portfolio total (the other dimensions partition it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bilateral import countries
from bilateral.cfli import i18n
from bilateral.cfli.agreements import AgreementFile
from bilateral.cfli.calls import RECIPIENT_LABELS, THEME_LABELS, Call, RecipientType, Theme
from bilateral.cfli.proposals import Proposal
from bilateral.cfli.refusals import refuse, require_same_call

Dimension = Literal["fiscal_year", "country", "theme", "recipient_type"]
DIMENSIONS: tuple[Dimension, ...] = ("fiscal_year", "country", "theme", "recipient_type")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Row:
    proposal_id: str
    fiscal_year: str
    country: str
    themes: tuple[Theme, ...]
    recipient_type: RecipientType
    requested: Decimal
    approved: Decimal | None  # None: not (yet) approved
    paid: Decimal


def row_of(
    proposal: Proposal,
    call: Call,
    approved: Decimal | None = None,
    file: AgreementFile | None = None,
) -> Row:
    """A proposal's portfolio row; ``approved`` is the award (the agreement's amount if given)."""
    require_same_call(proposal.id, proposal.call_id, call.id)
    fy = call.version().fiscal_year.value
    if file is not None:
        if file.agreement.proposal_id != proposal.id:
            raise refuse(
                "agreement",
                "agreement_other_proposal",
                agreement=file.agreement.id,
                proposal=proposal.id,
            )
        approved = file.agreement.amount
    return Row(
        proposal_id=proposal.id,
        fiscal_year=fy.label if fy else "—",
        country=proposal.project_country,
        themes=proposal.themes,
        recipient_type=proposal.organisation.type,
        requested=proposal.requested,
        approved=approved,
        paid=file.paid if file else ZERO,
    )


@dataclass(frozen=True)
class Group:
    dimension: Dimension
    key: str
    proposals: int
    approved_count: int
    requested: Decimal
    approved: Decimal
    paid: Decimal

    def label(self, lang: str) -> str:
        if self.dimension == "country":
            return countries.get(self.key).name(lang)
        if self.dimension == "theme":
            return i18n.text(THEME_LABELS[Theme(self.key)], lang)
        if self.dimension == "recipient_type":
            return i18n.text(RECIPIENT_LABELS[RecipientType(self.key)], lang)
        return self.key


def _keys(row: Row, by: Dimension) -> list[str]:
    if by == "fiscal_year":
        return [row.fiscal_year]
    if by == "country":
        return [row.country]
    if by == "theme":
        return [t.value for t in row.themes]
    return [row.recipient_type.value]


def summarise(rows: Iterable[Row], by: Dimension) -> list[Group]:
    """Counts and amounts (requested, approved, paid) per value of ``by``, sorted by key."""
    if by not in DIMENSIONS:
        raise refuse("by", "portfolio_by", choices=", ".join(DIMENSIONS))
    totals: dict[str, list[Decimal | int]] = {}
    for row in rows:
        for key in _keys(row, by):
            t = totals.setdefault(key, [0, 0, ZERO, ZERO, ZERO])
            t[0] += 1
            t[1] += 1 if row.approved is not None else 0
            t[2] += row.requested
            t[3] += row.approved or ZERO
            t[4] += row.paid
    return [
        Group(by, key, int(t[0]), int(t[1]), Decimal(t[2]), Decimal(t[3]), Decimal(t[4]))
        for key, t in sorted(totals.items())
    ]


def to_csv(groups: Iterable[Group], lang: str = "en") -> str:
    """CSV with plain decimal amounts (``1234.50``, machine-readable) and a localized label."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "dimension",
            "key",
            "label",
            "proposals",
            "approved_count",
            "requested_cad",
            "approved_cad",
            "paid_cad",
        ]
    )
    for g in groups:
        writer.writerow(
            [
                g.dimension,
                g.key,
                g.label(lang),
                g.proposals,
                g.approved_count,
                f"{g.requested:.2f}",
                f"{g.approved:.2f}",
                f"{g.paid:.2f}",
            ]
        )
    return out.getvalue()
