"""Rows -> API models (shared by the JSON API and the web pages)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bilateral.office import holidays
from bilateral.office.models import Application, Decision, Permit, Shipment
from bilateral.office.schemas import (
    ApplicationOut,
    DecisionOut,
    DocumentOut,
    LineOut,
    PermitLineOut,
    PermitOut,
    QueueItem,
    ShipmentOut,
)
from bilateral.office.services import cents, effective_status, milli
from bilateral.platform.models import User
from bilateral.platform.present import org_name as _org


def application(s: Session, app: Application, today: dt.date) -> ApplicationOut:
    dec = s.execute(select(Decision).where(Decision.application_id == app.id)).scalar_one_or_none()
    permit: Permit | None = None
    if app.kind == "new":
        permit = s.execute(
            select(Permit).where(Permit.application_id == app.id)
        ).scalar_one_or_none()
    elif app.amends_permit_id:
        permit = s.get(Permit, app.amends_permit_id)
    return ApplicationOut(
        id=app.id,
        reference=app.reference,
        kind=app.kind,
        status=app.status,
        organisation=_org(s, app.organisation_id),
        applicant=app.applicant or {},
        exporter=app.exporter or {},
        consignees=app.consignees or [],
        destination=app.destination,
        end_use=app.end_use,
        end_user=app.end_user or {},
        proposed_export_date=app.proposed_export_date,
        declarations=app.declarations or {},
        amendment=app.amendment or {},
        amends_permit=permit.number if (permit and app.kind == "amendment") else None,
        copied_from=app.copied_from_id,
        lines=[
            LineOut(
                line_no=ln.line_no,
                origin=ln.origin,
                hs_code=ln.hs_code,
                ecl_item=ln.ecl_item,
                category=ln.category,
                description=ln.description,
                quantity=milli(ln.quantity_milli),
                unit=ln.unit,
                unit_value=cents(ln.unit_value_cents),
                total_value=cents(ln.total_value_cents),
            )
            for ln in app.lines
        ],
        documents=[
            DocumentOut(
                id=d.id,
                filename=d.filename,
                media_type=d.media_type,
                size=d.size,
                sha256=d.sha256,
                kind=d.kind,
                uploaded_at=d.uploaded_at,
            )
            for d in app.documents
        ],
        consultation_needed=app.consultation_needed,
        submitted_on=app.submitted_on,
        due_on=app.due_on,
        service_standard_days=app.service_standard_days,
        overdue=bool(app.status == "submitted" and app.due_on and app.due_on < today),
        law_version=app.law_version,
        assessment=app.assessment,
        decision=(
            DecisionOut(
                outcome=dec.outcome,
                officer=dec.officer.username,
                reasons=dec.reasons,
                citations=dec.citations,
                decided_on=dec.decided_on,
                law_version=dec.law_version,
            )
            if dec
            else None
        ),
        permit=permit.number if permit else None,
        permit_id=permit.id if permit else None,
    )


def queue_item(s: Session, app: Application, today: dt.date) -> QueueItem:
    left = holidays.business_days_between(today, app.due_on) if app.due_on else None
    return QueueItem(
        id=app.id,
        reference=app.reference,
        kind=app.kind,
        organisation=_org(s, app.organisation_id),
        destination=app.destination,
        submitted_on=app.submitted_on,
        due_on=app.due_on,
        service_standard_days=app.service_standard_days,
        business_days_left=left,
        overdue=bool(app.due_on and app.due_on < today),
        consultation_needed=app.consultation_needed,
    )


def permit(s: Session, p: Permit, today: dt.date) -> PermitOut:
    return PermitOut(
        id=p.id,
        number=p.number,
        application_id=p.application_id,
        organisation=_org(s, p.organisation_id),
        destination=p.destination,
        status=p.status,
        effective_status=effective_status(p, today),
        issued_on=p.issued_on,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        conditions=list(p.conditions or []),
        law_version=p.law_version,
        version=p.version,
        lines=[
            PermitLineOut(
                line_no=ln.line_no,
                hs_code=ln.hs_code,
                ecl_item=ln.ecl_item,
                description=ln.description,
                unit=ln.unit,
                authorised_quantity=milli(ln.authorised_quantity_milli),
                authorised_value=cents(ln.authorised_value_cents),
                used_quantity=milli(ln.used_quantity_milli),
                used_value=cents(ln.used_value_cents),
                remaining_quantity=milli(ln.authorised_quantity_milli - ln.used_quantity_milli),
                remaining_value=cents(ln.authorised_value_cents - ln.used_value_cents),
            )
            for ln in p.lines
        ],
    )


def shipment(
    s: Session,
    sh: Shipment,
    replayed: bool = False,
    permit_number: str | None = None,
    recorded_by: str | None = None,
) -> ShipmentOut:
    if permit_number is None:
        p = s.get(Permit, sh.permit_id)
        permit_number = p.number if p else ""
    if recorded_by is None or (replayed and sh.recorded_by_id is not None):
        u = s.get(User, sh.recorded_by_id)
        recorded_by = u.username if u else ""
    return ShipmentOut(
        id=sh.id,
        permit=permit_number,
        line_no=sh.line_no,
        quantity=milli(sh.quantity_milli),
        value=cents(sh.value_cents),
        shipped_on=sh.shipped_on,
        export_declaration_ref=sh.export_declaration_ref,
        idempotency_key=sh.idempotency_key,
        recorded_by=recorded_by,
        recorded_at=sh.recorded_at,
        replayed=replayed,
    )
