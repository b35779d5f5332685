"""The office's business rules: one function per act, each inside the caller's transaction.

Every state change appends an audit entry in the same transaction, so a refused request
(an ``OfficeError``) rolls back everything it touched. What the law presumes about a line
comes from the engine (``Checks``); the office stores the engine's answer verbatim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from sqlalchemy import Select, Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from bilateral.errors import BadInput
from bilateral.office import holidays
from bilateral.office.models import (
    Application,
    ApplicationLine,
    Decision,
    Document,
    Permit,
    PermitLine,
    Shipment,
)
from bilateral.office.schemas import (
    MAX_TOTAL,
    AmendmentIn,
    ApplicationIn,
    DecisionIn,
    ShipmentIn,
)
from bilateral.platform import accounts, audit
from bilateral.platform.accounts import Actor, OfficeError, _require, now
from bilateral.platform.audit import canonical
from bilateral.platform.models import User
from bilateral.platform.schemas import has_control
from bilateral.platform.security import token_digest

_CONTROL_SUB = re.compile(r"[\x00-\x1f\x7f-\x9f]")
STANDARD_DAYS = 10
CONSULTATION_DAYS = 40
AMENDMENT_DAYS = 3
MILLI = Decimal("0.001")
CENT = Decimal("0.01")


class Checks(Protocol):
    """The engine's door (``bilateral.engine.checks``) as the office uses it."""

    def check_export(self, **kw: Any) -> dict[str, Any]: ...

    def law_version(self, **kw: Any) -> str: ...


def to_milli(q: Decimal) -> int:
    return int((q / MILLI).to_integral_value())


def to_cents(v: Decimal) -> int:
    return int((v / CENT).to_integral_value())


def milli(n: int) -> Decimal:
    return (Decimal(n) * MILLI).quantize(MILLI)


def cents(n: int) -> Decimal:
    return (Decimal(n) * CENT).quantize(CENT)


# ---------------------------------------------------------------- applications

_Owned = TypeVar("_Owned", Application, Permit)


def _visible(model: type[_Owned], actor: Actor) -> Select[_Owned]:
    """Least privilege on every query: applicants see their organisation's rows, officers
    and auditors all of them, anyone else none."""
    q = select(model)
    if actor.role == "applicant":
        q = q.where(model.organisation_id == actor.organisation_id)
    elif actor.role not in ("officer", "auditor"):
        raise OfficeError(403, "forbidden")
    return q


def visible_applications(actor: Actor) -> Select[Application]:
    return _visible(Application, actor)


def get_application(s: Session, actor: Actor, app_id: int, lock: bool = False) -> Application:
    q = visible_applications(actor).where(Application.id == app_id)
    if lock:
        q = q.with_for_update()
    app = s.execute(q).scalar_one_or_none()
    if app is None:
        raise OfficeError(404, "not_found", "application_id")
    return app


def _independent(s: Session, actor: Actor, organisation_id: int, application_id: int) -> None:
    """Separation of duties: an officer never decides, amends or changes the status of an
    application or permit of their own organisation, or one they created (403)."""
    if actor.organisation_id is not None and actor.organisation_id == organisation_id:
        raise OfficeError(403, "own_organisation", "organisation")
    created_by = s.execute(
        select(Application.created_by_id).where(Application.id == application_id)
    ).scalar_one_or_none()
    if created_by == actor.id:
        raise OfficeError(403, "own_organisation", "organisation")


def snapshot(app: Application) -> dict[str, Any]:
    return {
        "status": app.status,
        "version": app.version,
        "destination": app.destination,
        "lines": len(app.lines),
        "documents": [d.sha256 for d in app.documents],
        "due_on": app.due_on.isoformat() if app.due_on else None,
        "consultation_needed": app.consultation_needed,
    }


def _fill(app: Application, data: ApplicationIn) -> None:
    app.applicant = data.applicant.model_dump()
    app.exporter = data.exporter.model_dump()
    app.consignees = [c.model_dump() for c in data.consignees]
    app.destination = data.destination or ""
    app.end_use = data.end_use
    app.end_user = data.end_user.model_dump()
    app.proposed_export_date = data.proposed_export_date
    app.declarations = data.declarations.model_dump()
    # Re-saving a draft keeps the line rows and rewrites them in place: clearing the list
    # and appending new rows with the same numbers made SQLAlchemy INSERT the new rows
    # before DELETEing the old ones, which broke UNIQUE(application_id, line_no).
    rows: list[dict[str, Any]] = []
    for i, ln in enumerate(data.lines, start=1):
        total = ln.total_value
        computed = (ln.quantity * ln.unit_value).quantize(CENT)
        if computed > MAX_TOTAL:
            raise OfficeError(
                422, "total_too_large", f"lines[{i - 1}].total_value", limit=str(MAX_TOTAL)
            )
        if total is None:
            total = computed
        elif abs(total - computed) > CENT:
            raise OfficeError(
                422, "total_mismatch", f"lines[{i - 1}].total_value", computed=str(computed)
            )
        rows.append(
            {
                "line_no": i,
                "origin": ln.origin,
                "ecl_item": ln.ecl_item or None,
                "category": ln.category or None,
                "hs_code": ln.hs_code,
                "description": ln.description,
                "quantity_milli": to_milli(ln.quantity),
                "unit": ln.unit,
                "unit_value_cents": to_cents(ln.unit_value),
                "total_value_cents": to_cents(total),
            }
        )
    existing = {ln.line_no: ln for ln in app.lines}
    for row in rows:
        old = existing.pop(row["line_no"], None)
        if old is None:
            app.lines.append(ApplicationLine(**row))
        else:
            for k, val in row.items():
                setattr(old, k, val)
    for gone in existing.values():
        app.lines.remove(gone)


def _new_app(actor: Actor, kind: str = "new") -> Application:
    assert actor.organisation_id is not None
    stamp = now()
    return Application(
        reference="tmp-" + uuid.uuid4().hex[:20],
        kind=kind,
        status="draft",
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        applicant={},
        exporter={},
        consignees=[],
        destination="",
        end_use="",
        end_user={},
        declarations={},
        amendment={},
        consultation_needed=False,
        created_at=stamp,
        updated_at=stamp,
        version=1,
    )


def _name(s: Session, app: Application, prefix: str) -> None:
    s.flush()
    app.reference = f"{prefix}-{app.id:06d}"


def create_application(s: Session, actor: Actor, data: ApplicationIn) -> Application:
    _require(actor, "applicant")
    app = _new_app(actor)
    _fill(app, data)
    s.add(app)
    _name(s, app, "APP")
    audit.record(
        s,
        actor=actor.username,
        action="application.create",
        entity="application",
        entity_id=app.reference,
        after=snapshot(app),
    )
    return app


def update_application(s: Session, actor: Actor, app_id: int, data: ApplicationIn) -> Application:
    _require(actor, "applicant")
    app = get_application(s, actor, app_id, lock=True)
    if app.status != "draft":
        raise OfficeError(409, "not_draft", "status", status=app.status)
    before = snapshot(app)
    _fill(app, data)
    app.version += 1
    app.updated_at = now()
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="application.update",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=snapshot(app),
    )
    return app


def copy_application(s: Session, actor: Actor, app_id: int) -> Application:
    """Copy from a previous application: a new draft with the same content (no documents)."""
    _require(actor, "applicant")
    src = get_application(s, actor, app_id)
    if src.kind != "new":
        raise OfficeError(409, "cannot_copy_amendment", "application_id")
    app = _new_app(actor)
    for f in ("applicant", "exporter", "consignees", "destination", "end_use", "end_user"):
        setattr(app, f, getattr(src, f))
    app.proposed_export_date = None
    app.declarations = {}
    app.copied_from_id = src.id
    for ln in src.lines:
        app.lines.append(
            ApplicationLine(
                line_no=ln.line_no,
                origin=ln.origin,
                ecl_item=ln.ecl_item,
                category=ln.category,
                hs_code=ln.hs_code,
                description=ln.description,
                quantity_milli=ln.quantity_milli,
                unit=ln.unit,
                unit_value_cents=ln.unit_value_cents,
                total_value_cents=ln.total_value_cents,
            )
        )
    s.add(app)
    _name(s, app, "APP")
    audit.record(
        s,
        actor=actor.username,
        action="application.copy",
        entity="application",
        entity_id=app.reference,
        before={"copied_from": src.reference},
        after=snapshot(app),
    )
    return app


def add_document(
    s: Session,
    actor: Actor,
    app_id: int,
    *,
    filename: str,
    media_type: str,
    size: int,
    sha256: str,
    kind: str,
) -> Document:
    _require(actor, "applicant")
    app = get_application(s, actor, app_id, lock=True)
    if app.status != "draft":
        raise OfficeError(409, "not_draft", "status", status=app.status)
    if has_control(kind):
        raise OfficeError(422, "control_chars", "kind")
    doc = Document(
        application_id=app.id,
        # a file name is the client's: control characters become "_", at most 255
        filename=_CONTROL_SUB.sub("_", filename)[:255] or "document",
        media_type=media_type,
        size=size,
        sha256=sha256,
        kind=kind[:40],
        uploaded_by_id=actor.id,
        uploaded_at=now(),
    )
    s.add(doc)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="document.upload",
        entity="application",
        entity_id=app.reference,
        after={"document": doc.id, "sha256": sha256, "size": size, "media_type": media_type},
    )
    return doc


def missing_fields(app: Application) -> list[str]:
    """What Export Permits Regulations s.3(2) need that the draft lacks (field names)."""
    out: list[str] = []
    for party in ("applicant", "exporter"):
        for f in ("name", "address"):
            if not (getattr(app, party) or {}).get(f):
                out.append(f"{party}.{f}")
    if not app.consignees:
        out.append("consignees")
    for i, c in enumerate(app.consignees):
        for f in ("name", "address", "contact"):
            if not c.get(f):
                out.append(f"consignees[{i}].{f}")
    if not app.destination:
        out.append("destination")
    if not app.end_use:
        out.append("end_use")
    for f in ("name", "address"):
        if not (app.end_user or {}).get(f):
            out.append(f"end_user.{f}")
    if not app.lines:
        out.append("lines")
    for f in ("information_true", "aware_of_obligations"):
        if not (app.declarations or {}).get(f):
            out.append(f"declarations.{f}")
    return out


ENGINE_FIELD = {
    "to": "destination",
    "on": "proposed_export_date",
    "hs": "hs_code",
    "ecl": "ecl_item",
    "category": "category",
}


def questions_for(
    destination: str, on: dt.date, ln: ApplicationLine | PermitLine
) -> list[dict[str, Any]]:
    """The engine questions for one line, one per way the goods are described (ECL item,
    HS code, goods category): each can meet a different measure (a category says nothing
    of an HS-coded ban, an HS code nothing of the ECL), so every one given is asked."""
    base: dict[str, Any] = {"to": destination, "on": on.isoformat()}
    out: list[dict[str, Any]] = []
    if ln.ecl_item:
        out.append(base | {"ecl": ln.ecl_item})
    category = getattr(ln, "category", None)
    if category:
        out.append(base | {"category": category})
    if ln.hs_code:
        out.append(base | {"hs": ln.hs_code})
    return out or [base | {"hs": ln.hs_code}]


def question_for(destination: str, on: dt.date, ln: ApplicationLine | PermitLine) -> dict[str, Any]:
    """The first engine question for one line (see ``questions_for``)."""
    return questions_for(destination, on, ln)[0]


def ask_line(
    checks: Checks, questions: Sequence[dict[str, Any]], idx: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ask every question of a line and keep the most restrictive answer. Between answers
    equally restrictive, one that asks for a code the line already gives ("give --hs to
    check") yields to the one that used it; otherwise the first asked (ECL item, goods
    category, HS code) stands."""

    def rank(answer: dict[str, Any]) -> tuple[int, int]:
        asks = any("--hs" in str(c) for c in answer.get("caveats") or [])
        given = any("hs" in q for q in questions)
        return severity(answer.get("outcome")), 0 if (asks and given) else 1

    best: tuple[dict[str, Any], dict[str, Any]] | None = None
    for question in questions:
        try:
            answer = checks.check_export(**question, lang="en")
        except BadInput as e:
            field = ENGINE_FIELD.get(e.field, e.field)
            if idx is not None and field in ("hs_code", "ecl_item", "category"):
                field = f"lines[{idx}].{field}"
            from bilateral.faces import refusal

            # the engine's problem in both languages: the reader's is chosen when it is said
            raise OfficeError(
                422,
                "engine_bad_input",
                field,
                problem=e.problem,
                problem_fr=refusal.problem(e, "fr"),
            ) from e
        except NotImplementedError as e:
            raise OfficeError(503, "engine_unavailable") from e
        if best is None or rank(answer) > rank(best[1]):
            best = (question, answer)
    assert best is not None
    return best


def assess(
    checks: Checks, destination: str, on: dt.date, lines: Sequence[ApplicationLine | PermitLine]
) -> tuple[dict[str, Any], str | None]:
    """Ask the engine about every line; returns the stored assessment and its law_version."""
    out: list[dict[str, Any]] = []
    versions: list[str] = []
    for idx, ln in enumerate(lines):
        question, answer = ask_line(checks, questions_for(destination, on, ln), idx)
        lv = answer.get("law_version")
        if isinstance(lv, str) and lv not in versions:
            versions.append(lv)
        out.append({"line_no": ln.line_no, "question": question, "answer": answer})
    law_version = versions[0] if len(versions) == 1 else (",".join(versions) or None)
    return {"on": on.isoformat(), "lines": out, "law_version": law_version}, law_version


def replay(checks: Checks, assessment: dict[str, Any]) -> dict[str, Any]:
    """Ask the stored questions again; compare with the stored answers."""
    lines = []
    versions = set()
    for line in assessment.get("lines", []):
        try:
            answer = checks.check_export(**line["question"], lang="en")
        except BadInput as e:
            lines.append({"line_no": line["line_no"], "identical": False, "error": str(e)})
            continue
        except NotImplementedError as e:
            raise OfficeError(503, "engine_unavailable") from e
        versions.add(answer.get("law_version"))
        lines.append(
            {
                "line_no": line["line_no"],
                "identical": answer == line["answer"],
                "law_version": answer.get("law_version"),
                "answer": answer,
            }
        )
    stored = assessment.get("law_version")
    return {
        "law_version_now": ",".join(sorted(str(v) for v in versions)) or None,
        "same_law_version": versions == {stored},
        "identical": all(x["identical"] for x in lines),
        "lines": lines,
    }


# How far each outcome is from "go ahead" (the engine's outcomes, mildest first).
SEVERITY = (
    "not_required",
    "generally_approved",
    "normally_issued",
    "case_by_case",
    "generally_denied",
    "new_permits_suspended",
    "prohibited",
)
# Outcomes under which no permit may be issued (a ban, or new permits suspended).
NO_ISSUE = ("prohibited", "new_permits_suspended")


def severity(outcome: str | None) -> int:
    return SEVERITY.index(outcome) if outcome in SEVERITY else -1


def assess_for(
    checks: Checks, app: Application, today: dt.date
) -> tuple[dict[str, Any], str | None]:
    """Assess on the proposed export date and, when that is another day, on today too.

    The stored assessment is the one for the export date; ``today`` holds the answers under
    the law in force on the day of the assessment, so that nobody reads a future (or past)
    state of the law as today's. An export date already past (a reassessment after it) is
    assessed as today.
    """
    on = max(app.proposed_export_date or today, today)
    assessment, law_version = assess(checks, app.destination, on, app.lines)
    if on != today:
        now_, _ = assess(checks, app.destination, today, app.lines)
        assessment["today"] = now_
    return assessment, law_version


def _worst(assessment: dict[str, Any]) -> dict[int, str]:
    """The most restrictive outcome per line over every day an assessment covers."""
    out: dict[int, str] = {}
    parts = [assessment, *([assessment["today"]] if assessment.get("today") else [])]
    for part in parts:
        for line in part.get("lines", []):
            o = str(line.get("answer", {}).get("outcome", ""))
            n = int(line["line_no"])
            if severity(o) > severity(out.get(n)):
                out[n] = o
    return out


def law_blocks(
    checks: Checks,
    destination: str,
    days: Sequence[dt.date],
    lines: Sequence[ApplicationLine | PermitLine],
    assessed: dict[str, Any] | None,
    questions: dict[int, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Lines that the law in force on any of ``days`` bars from a permit.

    A line blocks when its outcome is a ban or suspends new permits, or is more
    restrictive than the assessment the applicant and officer saw (newly restricted).
    Each block carries the rule that decides it, with its citation.
    """
    before = _worst(assessed) if assessed else {}
    blocks: list[dict[str, Any]] = []
    seen: set[int] = set()
    for day in sorted(set(days)):
        for ln in lines:
            if ln.line_no in seen:
                continue
            stored = (questions or {}).get(ln.line_no)
            asked = [dict(q) for q in stored] if stored else questions_for(destination, day, ln)
            for q in asked:
                q["on"] = day.isoformat()
            line_no = ln.line_no
            try:
                _q, answer = ask_line(checks, asked)
            except OfficeError as e:
                if e.status == 422:  # a question the engine refuses blocks nothing here
                    continue
                raise
            outcome = str(answer.get("outcome"))
            was = before.get(line_no)
            if outcome in NO_ISSUE or (was is not None and severity(outcome) > severity(was)):
                seen.add(line_no)
                blocks.append(
                    {
                        "line_no": line_no,
                        "on": day.isoformat(),
                        "outcome": outcome,
                        "was": was,
                        "law_version": answer.get("law_version"),
                        "reasons": answer.get("reasons", []),
                    }
                )
    return sorted(blocks, key=lambda b: b["line_no"])


def citation_of(block: dict[str, Any]) -> str:
    """ "SOR/2020-214 s. 3.7(1) …" for the first reason of a block (or its outcome)."""
    for r in block.get("reasons") or []:
        c = " ".join(str(r.get(k) or "") for k in ("instrument", "provision")).strip()
        if c:
            return c
    return str(block.get("outcome"))


def _raise_blocks(blocks: list[dict[str, Any]]) -> None:
    if blocks:
        b = blocks[0]
        raise OfficeError(
            409,
            "law_blocks_line",
            f"lines[{b['line_no'] - 1}]",
            line_no=b["line_no"],
            on=b["on"],
            outcome=b["outcome"],
            citation=citation_of(b),
            blocks=blocks,
        )


def permit_questions(s: Session, p: Permit) -> dict[int, list[dict[str, Any]]]:
    """The engine questions of each permit line: the one asked when its application was
    assessed, and one per code the permit line holds (its ECL item, its HS code), so a
    measure that meets the goods by another description is not missed."""
    app = s.get(Application, p.application_id)
    stored: dict[int, dict[str, Any]] = {}
    for line in ((app.assessment if app else None) or {}).get("lines", []):
        stored[int(line["line_no"])] = dict(line["question"])
    out: dict[int, list[dict[str, Any]]] = {}
    for ln in p.lines:
        asked = [stored[ln.line_no]] if ln.line_no in stored else []
        for q in questions_for(p.destination, dt.date.today(), ln):
            q.pop("on", None)
            if q not in asked:
                asked.append(q)
        out[ln.line_no] = asked
    return out


def permit_law_flags(s: Session, checks: Checks, p: Permit, on: dt.date) -> list[dict[str, Any]]:
    """Lines of a permit that the law in force on ``on`` now bans (the permit is flagged).

    Law data changes with a new ``law_version``; a ban that starts after issue makes the
    permit unusable for that line (shipments are refused with the citation).
    """
    out = []
    for line_no, asked in permit_questions(s, p).items():
        try:
            _q, answer = ask_line(checks, [q | {"on": on.isoformat()} for q in asked])
        except OfficeError as e:
            if e.status == 422:
                continue
            raise
        if answer.get("outcome") == "prohibited":
            out.append(
                {
                    "line_no": line_no,
                    "on": on.isoformat(),
                    "outcome": "prohibited",
                    "law_version": answer.get("law_version"),
                    "reasons": answer.get("reasons", []),
                }
            )
    return out


def reassess(s: Session, actor: Actor, app_id: int, checks: Checks, today: dt.date) -> Application:
    """Replay a submitted application under the law in force today (officer's button).

    The new answers replace the stored assessment (the old one stays in the audit log),
    so the decision is taken on the law as it stands.
    """
    _require(actor, "officer")
    app = get_application(s, actor, app_id, lock=True)
    if app.status != "submitted":
        raise OfficeError(409, "not_submitted", "status", status=app.status)
    before = snapshot(app) | {"law_version": app.law_version}
    if app.kind == "amendment" and app.amends_permit_id:
        p = s.get(Permit, app.amends_permit_id)
        assert p is not None
        app.assessment, app.law_version = assess(checks, p.destination, today, p.lines)
    else:
        app.assessment, app.law_version = assess_for(checks, app, today)
    app.assessment["reassessed_on"] = today.isoformat()
    app.version += 1
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="application.reassess",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=snapshot(app) | {"law_version": app.law_version},
        law_version=app.law_version,
    )
    return app


def _standard_days(app: Application) -> int:
    if app.kind == "amendment":
        return AMENDMENT_DAYS
    multi = len({c.get("country") for c in app.consignees if c.get("country")}) > 1
    return CONSULTATION_DAYS if (app.consultation_needed or multi) else STANDARD_DAYS


def _set_due(app: Application) -> None:
    assert app.submitted_on is not None
    days = _standard_days(app)
    app.service_standard_days = days
    app.due_on = holidays.add_business_days(app.submitted_on, days)


def submit(s: Session, actor: Actor, app_id: int, checks: Checks, today: dt.date) -> Application:
    _require(actor, "applicant")
    app = get_application(s, actor, app_id, lock=True)
    if app.status != "draft":
        raise OfficeError(409, "not_draft", "status", status=app.status)
    missing = missing_fields(app)
    if missing:
        raise OfficeError(422, "incomplete", missing[0], missing=", ".join(missing))
    if app.proposed_export_date is not None and app.proposed_export_date < today:
        # an export date in the past would be assessed under a law no longer in force
        raise OfficeError(
            422, "date_past", "proposed_export_date", date=app.proposed_export_date.isoformat()
        )
    before = snapshot(app)
    app.assessment, app.law_version = assess_for(checks, app, today)
    app.status = "submitted"
    app.submitted_on = today
    _set_due(app)
    app.version += 1
    app.updated_at = now()
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="application.submit",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=snapshot(app),
        law_version=app.law_version,
    )
    return app


def set_consultation(s: Session, actor: Actor, app_id: int, needed: bool) -> Application:
    _require(actor, "officer")
    app = get_application(s, actor, app_id, lock=True)
    _independent(s, actor, app.organisation_id, app.id)
    if app.status != "submitted" or app.kind != "new":
        raise OfficeError(409, "not_submitted", "status", status=app.status)
    before = snapshot(app)
    app.consultation_needed = needed
    _set_due(app)
    app.version += 1
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="application.consultation",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=snapshot(app),
    )
    return app


def queue(s: Session, actor: Actor) -> list[Application]:
    _require(actor, "officer", "auditor")
    q = (
        select(Application)
        .where(Application.status == "submitted")
        .order_by(Application.due_on, Application.id)
    )
    return list(s.execute(q).scalars())


# ---------------------------------------------------------------- decisions and permits


def effective_status(p: Permit, today: dt.date) -> str:
    if p.status in ("active", "suspended") and today > p.valid_to:
        return "expired"
    return p.status


def permit_snapshot(p: Permit) -> dict[str, Any]:
    return {
        "number": p.number,
        "status": p.status,
        "valid_from": p.valid_from.isoformat(),
        "valid_to": p.valid_to.isoformat(),
        "version": p.version,
        "lines": [
            {
                "line_no": ln.line_no,
                "authorised_quantity": str(milli(ln.authorised_quantity_milli)),
                "authorised_value": str(cents(ln.authorised_value_cents)),
                "used_quantity": str(milli(ln.used_quantity_milli)),
                "used_value": str(cents(ln.used_value_cents)),
            }
            for ln in p.lines
        ],
    }


def _authorisations(
    data: Sequence[Any], valid_lines: dict[int, tuple[int, int]], what: str
) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for i, a in enumerate(data):
        if a.line_no not in valid_lines:
            raise OfficeError(422, "no_such_line", f"lines[{i}].line_no", line_no=a.line_no)
        out[a.line_no] = (to_milli(a.quantity), to_cents(a.value))
    return out


def decide(
    s: Session,
    actor: Actor,
    app_id: int,
    data: DecisionIn,
    today: dt.date,
    checks: Checks | None = None,
) -> Application:
    """Record the officer's decision; an approval issues (or amends) the permit.

    With ``checks`` (the web and the API pass it), an approval first asks the engine again
    under the law in force today and on the first day of validity: a line that is now
    banned, or more restricted than the assessment showed, blocks the permit (409, with the
    rule's citation) until the officer replays the assessment or refuses.
    """
    _require(actor, "officer")
    app = get_application(s, actor, app_id, lock=True)
    _independent(s, actor, app.organisation_id, app.id)
    if app.status != "submitted":
        raise OfficeError(409, "not_submitted", "status", status=app.status)
    if data.outcome == "approve" and checks is not None:
        if app.kind == "new":
            days = [today, data.valid_from or today]
            _raise_blocks(law_blocks(checks, app.destination, days, app.lines, app.assessment))
        elif app.amends_permit_id:
            amended = s.get(Permit, app.amends_permit_id)
            if amended is not None:
                qs = permit_questions(s, amended)
                _raise_blocks(
                    law_blocks(
                        checks, amended.destination, [today], amended.lines, None, questions=qs
                    )
                )
    before = snapshot(app)
    citations = list(data.citations)
    if not citations and app.assessment:
        for line in app.assessment.get("lines", []):
            for r in line.get("answer", {}).get("reasons", []) or []:
                c = " ".join(str(r.get(k) or "") for k in ("instrument", "provision")).strip()
                if r.get("url"):
                    c = f"{c} <{r['url']}>".strip()
                if c and c not in citations:
                    citations.append(c)
    permit: Permit | None = None
    if data.outcome == "approve":
        if app.kind == "new":
            permit = _issue(s, app, data, today)
        else:
            permit = _apply_amendment(s, actor, app, data, today)
    app.status = "approved" if data.outcome == "approve" else "denied"
    app.version += 1
    app.updated_at = now()
    s.add(
        Decision(
            application_id=app.id,
            officer_id=actor.id,
            outcome=data.outcome,
            reasons=data.reasons,
            citations=citations,
            decided_on=today,
            law_version=app.law_version,
        )
    )
    s.flush()
    after = snapshot(app) | {
        "decision": data.outcome,
        "reasons": data.reasons,
        "citations": citations,
    }
    if permit is not None:
        after["permit"] = permit.number
    audit.record(
        s,
        actor=actor.username,
        action=f"application.{app.status}",
        entity="application",
        entity_id=app.reference,
        before=before,
        after=after,
        law_version=app.law_version,
    )
    return app


def _issue(s: Session, app: Application, data: DecisionIn, today: dt.date) -> Permit:
    valid_from = data.valid_from or today
    valid_to = data.valid_to or (valid_from + dt.timedelta(days=365))
    if valid_to < valid_from:
        raise OfficeError(422, "valid_to_before_from", "valid_to")
    if valid_to < today:
        raise OfficeError(422, "valid_to_past", "valid_to")
    applied = {ln.line_no: (ln.quantity_milli, ln.total_value_cents) for ln in app.lines}
    auth = _authorisations(data.lines or [], applied, "lines")
    for i, a in enumerate(data.lines or []):
        q, v = auth[a.line_no]
        if q > applied[a.line_no][0] or v > applied[a.line_no][1]:
            raise OfficeError(422, "exceeds_applied", f"lines[{i}]", line_no=a.line_no)
    p = Permit(
        number="tmp-" + uuid.uuid4().hex[:20],
        application_id=app.id,
        organisation_id=app.organisation_id,
        destination=app.destination,
        status="active",
        issued_on=today,
        valid_from=valid_from,
        valid_to=valid_to,
        conditions=list(data.conditions),
        law_version=app.law_version,
        version=1,
    )
    for ln in app.lines:
        q, v = auth.get(ln.line_no, applied[ln.line_no])
        p.lines.append(
            PermitLine(
                line_no=ln.line_no,
                hs_code=ln.hs_code,
                ecl_item=ln.ecl_item,
                description=ln.description,
                unit=ln.unit,
                authorised_quantity_milli=q,
                authorised_value_cents=v,
                used_quantity_milli=0,
                used_value_cents=0,
            )
        )
    s.add(p)
    s.flush()
    p.number = f"EP-{today.year}-{app.destination}-{p.id:06d}"
    s.flush()
    audit.record(
        s,
        actor="system",
        action="permit.issue",
        entity="permit",
        entity_id=p.number,
        after=permit_snapshot(p),
        law_version=p.law_version,
    )
    return p


def visible_permits(actor: Actor) -> Select[Permit]:
    return _visible(Permit, actor)


def get_permit(s: Session, actor: Actor, permit_id: int, lock: bool = False) -> Permit:
    q = visible_permits(actor).where(Permit.id == permit_id)
    if lock:
        q = q.with_for_update()
    p = s.execute(q).scalar_one_or_none()
    if p is None:
        raise OfficeError(404, "not_found", "permit_id")
    return p


def request_amendment(
    s: Session, actor: Actor, permit_id: int, data: AmendmentIn, checks: Checks, today: dt.date
) -> Application:
    """EIPA s.10 / Regulations s.7: an amendment is requested before the permit expires."""
    _require(actor, "applicant")
    p = get_permit(s, actor, permit_id, lock=True)
    status = effective_status(p, today)
    if status not in ("active", "suspended"):
        raise OfficeError(409, "permit_not_amendable", "permit_id", status=status)
    if data.new_valid_to is None and not data.lines:
        raise OfficeError(422, "amendment_empty", "new_valid_to")
    if data.new_valid_to is not None and data.new_valid_to < today:
        raise OfficeError(422, "valid_to_past", "new_valid_to")
    lines = {ln.line_no: (ln.used_quantity_milli, ln.used_value_cents) for ln in p.lines}
    _authorisations(data.lines, lines, "lines")
    app = _new_app(actor, kind="amendment")
    src = s.get(Application, p.application_id)
    if src is not None:
        for f in ("applicant", "exporter", "consignees", "end_use", "end_user"):
            setattr(app, f, getattr(src, f))
    app.destination = p.destination
    app.amends_permit_id = p.id
    app.amendment = {
        "reason": data.reason,
        "new_valid_to": data.new_valid_to.isoformat() if data.new_valid_to else None,
        "lines": [
            {"line_no": a.line_no, "quantity": str(a.quantity), "value": str(a.value)}
            for a in data.lines
        ],
        "permit_version": p.version,
    }
    app.assessment, app.law_version = assess(checks, p.destination, today, p.lines)
    app.status = "submitted"
    app.submitted_on = today
    _set_due(app)
    s.add(app)
    _name(s, app, "AMD")
    audit.record(
        s,
        actor=actor.username,
        action="amendment.request",
        entity="permit",
        entity_id=p.number,
        after={
            "application": app.reference,
            "amendment": app.amendment,
            "due_on": app.due_on.isoformat() if app.due_on else None,
        },
        law_version=app.law_version,
    )
    return app


def _apply_amendment(
    s: Session, actor: Actor, app: Application, data: DecisionIn, today: dt.date
) -> Permit:
    assert app.amends_permit_id is not None
    p = s.execute(
        select(Permit).where(Permit.id == app.amends_permit_id).with_for_update()
    ).scalar_one()
    status = effective_status(p, today)
    if status not in ("active", "suspended"):
        raise OfficeError(409, "permit_not_amendable", "permit_id", status=status)
    before = permit_snapshot(p)
    amd = app.amendment
    if amd.get("new_valid_to"):
        p.valid_to = dt.date.fromisoformat(amd["new_valid_to"])
    by_no = {ln.line_no: ln for ln in p.lines}
    for i, a in enumerate(amd.get("lines", [])):
        ln = by_no[int(a["line_no"])]
        q, v = to_milli(Decimal(a["quantity"])), to_cents(Decimal(a["value"]))
        if q < ln.used_quantity_milli or v < ln.used_value_cents:
            raise OfficeError(409, "below_used", f"lines[{i}]", line_no=ln.line_no)
        ln.authorised_quantity_milli, ln.authorised_value_cents = q, v
    if data.conditions:
        p.conditions = list(data.conditions)
    p.version += 1
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="permit.amend",
        entity="permit",
        entity_id=p.number,
        before=before,
        after=permit_snapshot(p),
        law_version=app.law_version,
    )
    return p


TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "suspend": (("active",), "suspended"),
    "reinstate": (("suspended",), "active"),
    "cancel": (("active", "suspended"), "cancelled"),
    "expire": (("active", "suspended"), "expired"),
}


def transition(
    s: Session, actor: Actor, permit_id: int, action: str, reason: str, today: dt.date
) -> Permit:
    """Suspend, reinstate, cancel or expire a permit (EIPA s.10); every transition checked."""
    _require(actor, "officer")
    if action not in TRANSITIONS:
        raise OfficeError(404, "not_found", "action")
    p = get_permit(s, actor, permit_id, lock=True)
    _independent(s, actor, p.organisation_id, p.application_id)
    allowed, target = TRANSITIONS[action]
    eff = effective_status(p, today)
    if action == "expire":
        if p.status not in allowed or today <= p.valid_to:
            raise OfficeError(409, "bad_transition", "status", status=eff, action=action)
    elif eff not in allowed:
        raise OfficeError(409, "bad_transition", "status", status=eff, action=action)
    before = permit_snapshot(p)
    p.status = target
    p.version += 1
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action=f"permit.{action}",
        entity="permit",
        entity_id=p.number,
        before=before,
        after=permit_snapshot(p) | {"reason": reason},
        law_version=p.law_version,
    )
    return p


def expire_due(s: Session, today: dt.date, actor: str = "system") -> list[str]:
    """Mark as expired every active or suspended permit whose validity has ended."""
    rows = s.execute(
        select(Permit)
        .where(Permit.status.in_(("active", "suspended")), Permit.valid_to < today)
        .with_for_update()
    ).scalars()
    done = []
    for p in rows:
        before = permit_snapshot(p)
        p.status = "expired"
        p.version += 1
        s.flush()
        audit.record(
            s,
            actor=actor,
            action="permit.expire",
            entity="permit",
            entity_id=p.number,
            before=before,
            after=permit_snapshot(p),
            law_version=p.law_version,
        )
        done.append(p.number)
    return done


# ---------------------------------------------------------------- shipments (drawdown)


def _request_hash(data: ShipmentIn, line_no: int) -> str:
    body = {
        "line_no": line_no,
        "quantity": str(data.quantity.quantize(MILLI)),
        "value": str(data.value.quantize(CENT)),
        "shipped_on": data.shipped_on.isoformat(),
        "export_declaration_ref": data.export_declaration_ref,
    }
    return hashlib.sha256(canonical(body).encode()).hexdigest()


class Drawdown(NamedTuple):
    shipment: Shipment
    new: bool  # False: a retry of an earlier request (same idempotency key and body)
    permit_number: str


_K = TypeVar("_K")
_V = TypeVar("_V")


class QuestionCache:
    """What the drawdown asks the law, kept by one application (one database).

    ``questions``: per permit (and permit version), the engine questions of each line. A
    permit's goods never change after issue (amendments change quantities, values and
    dates), so they can be kept. ``verdicts``: per law version, permit version, line and
    shipping day, the law's refusal (the citation) or None. The engine's answer is a
    function of the question and the day alone under one law version, so a second
    shipment of the same line on the same day is not asked again. Both are bounded
    (emptied when full).
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        self.questions: dict[tuple[int, int], dict[int, list[dict[str, Any]]]] = {}
        self.verdicts: dict[tuple[str, int, int, int, dt.date], str | None] = {}

    def remember(self, table: dict[_K, _V], key: _K, value: _V) -> None:
        if len(table) >= self.LIMIT:
            table.clear()
        table[key] = value


def _refuse_banned_line(
    s: Session,
    permit_id: int,
    version: int,
    data: ShipmentIn,
    checks: Checks,
    cache: QuestionCache | None = None,
) -> None:
    """409 when the law in force on the shipping day bans the line's goods (the caller has
    checked that the actor may see the permit)."""
    day = (checks.law_version(), permit_id, version, data.line_no, data.shipped_on)
    if cache is not None and day in cache.verdicts:
        citation = cache.verdicts[day]
    else:
        citation = _line_verdict(s, permit_id, version, data, checks, cache)
        if cache is not None:
            cache.remember(cache.verdicts, day, citation)
    if citation is not None:
        raise OfficeError(
            409,
            "line_now_prohibited",
            "line_no",
            line_no=data.line_no,
            on=data.shipped_on.isoformat(),
            citation=citation,
        )


def _line_verdict(
    s: Session,
    permit_id: int,
    version: int,
    data: ShipmentIn,
    checks: Checks,
    cache: QuestionCache | None,
) -> str | None:
    """The citation of the law that bans the line's goods on the shipping day, or None."""
    questions = cache.questions.get((permit_id, version)) if cache is not None else None
    if questions is None:
        p = s.get(Permit, permit_id)
        if p is None:
            raise OfficeError(404, "not_found", "permit_id")
        questions = permit_questions(s, p)
        if cache is not None:
            cache.remember(cache.questions, (permit_id, version), questions)
    asked = questions.get(data.line_no)
    if not asked:
        return None  # no such line: refused below with its own message
    try:
        _q, answer = ask_line(checks, [q | {"on": data.shipped_on.isoformat()} for q in asked])
    except OfficeError:
        return None
    if answer.get("outcome") != "prohibited":
        return None
    return citation_of({"reasons": answer.get("reasons", []), "outcome": "prohibited"})


class Ticket(NamedTuple):
    """A shipment ready to be drawn down (``prepare_shipment``): everything checked that
    does not need the row locks."""

    shipment: Shipment
    actor: Actor
    permit_number: str
    law_version: str | None
    data: ShipmentIn
    today: dt.date


# Built once: the statements of the hot path (building them per request cost more than
# running them). ``seen``: the permit as the actor may see it and the shipment already
# recorded under the key, if any.
_PT, _LT, _ST = (cast(Table, m.__table__) for m in (Permit, PermitLine, Shipment))
_SEEN = (
    select(
        _PT.c.id,
        _PT.c.number,
        _PT.c.version,
        _PT.c.law_version,
        _ST.c.id.label("shipment_id"),
        _ST.c.request_sha256,
    )
    .select_from(
        _PT.outerjoin(
            _ST,
            (_ST.c.permit_id == _PT.c.id) & (_ST.c.idempotency_key == bindparam("key")),
        )
    )
    .where(_PT.c.id == bindparam("permit_id"))
)
_SEEN_BY_ORG = _SEEN.where(_PT.c.organisation_id == bindparam("org"))


# The same, and the actor of the request's API token, in one statement: the hot path of
# drawdown on PostgreSQL (one round trip fewer per shipment). Only an applicant records a
# shipment, so the permit is looked up among their organisation's.
_U = cast(Table, User.__table__)
_SEEN_BY_TOKEN = (
    accounts.ACTOR_OF_TOKEN.add_columns(
        _PT.c.id.label("permit_id"),
        _PT.c.number,
        _PT.c.version,
        _PT.c.law_version,
        _ST.c.id.label("shipment_id"),
        _ST.c.request_sha256,
    )
    .outerjoin(
        _PT, (_PT.c.id == bindparam("permit_id")) & (_PT.c.organisation_id == _U.c.organisation_id)
    )
    .outerjoin(_ST, (_ST.c.permit_id == _PT.c.id) & (_ST.c.idempotency_key == bindparam("key")))
)


def prepare_shipment(
    s: Session,
    actor: Actor,
    permit_id: int,
    data: ShipmentIn,
    key: str | None,
    today: dt.date,
    checks: Checks | None = None,
    questions: QuestionCache | None = None,
) -> Drawdown | Ticket:
    """Everything before the row locks: the role, the key, the permit as the actor may see
    it (none: 404), a retry of an earlier request (its ``Drawdown``, not new), a line the
    law now bans (409). Otherwise the ``Ticket`` to draw down (``record_shipment`` or
    ``draw_batch``)."""
    _require(actor, "applicant")
    key = key or data.idempotency_key
    if not key:
        raise OfficeError(422, "idempotency_key_required", "idempotency_key")
    # One statement, before any lock is taken: the permit as this actor may see it (none:
    # 404) and the shipment already recorded under this key, if any (a retry). Two
    # concurrent requests with the same new key both pass here; the unique constraint
    # (permit_id, idempotency_key) then refuses the second INSERT and the caller retries
    # once, finding the first (see api.py).
    # Only an applicant gets here (above): the permits of their organisation.
    params = {"key": key, "permit_id": permit_id, "org": actor.organisation_id}
    permit = s.connection().execute(_SEEN_BY_ORG, params).one_or_none()
    seen = None if permit is None else _Seen(*permit)
    return _prepared(s, actor, seen, data, key, today, checks, questions)


def prepare_shipment_for_token(
    s: Session,
    token: str,
    permit_id: int,
    data: ShipmentIn,
    key: str | None,
    today: dt.date,
    checks: Checks | None = None,
    questions: QuestionCache | None = None,
) -> tuple[Actor, Drawdown | Ticket]:
    """``prepare_shipment`` for the holder of an API token (none, revoked or of an inactive
    account: 401), the token's actor and the permit read in one statement."""
    key = key or data.idempotency_key
    row = (
        s.connection()
        .execute(
            _SEEN_BY_TOKEN,
            {"digest": token_digest(token), "permit_id": permit_id, "key": key},
        )
        .one_or_none()
    )
    if row is None:
        raise OfficeError(401, "unauthenticated")
    actor = accounts.actor_of_row(row)
    _require(actor, "applicant")
    if not key:
        raise OfficeError(422, "idempotency_key_required", "idempotency_key")
    seen = None
    if row.permit_id is not None:
        seen = _Seen(
            row.permit_id,
            row.number,
            row.version,
            row.law_version,
            row.shipment_id,
            row.request_sha256,
        )
    return actor, _prepared(s, actor, seen, data, key, today, checks, questions)


class _Seen(NamedTuple):
    """The permit as the actor may see it, and the shipment recorded under the key."""

    id: int
    number: str
    version: int
    law_version: str | None
    shipment_id: int | None
    request_sha256: str | None


def _prepared(
    s: Session,
    actor: Actor,
    permit: _Seen | None,
    data: ShipmentIn,
    key: str,
    today: dt.date,
    checks: Checks | None,
    questions: QuestionCache | None,
) -> Drawdown | Ticket:
    if permit is None:
        raise OfficeError(404, "not_found", "permit_id")
    digest = _request_hash(data, data.line_no)
    if permit.shipment_id is not None:
        if permit.request_sha256 != digest:
            raise OfficeError(409, "idempotency_key_reused", "idempotency_key")
        old = s.get(Shipment, permit.shipment_id)
        assert old is not None
        return Drawdown(old, False, permit.number)
    if checks is not None:
        # The law may have changed since issue: a line banned on the shipping day is
        # refused. Asked before the row lock is taken (the answer depends only on the
        # request), so the serialised part of the drawdown does not grow.
        _refuse_banned_line(s, permit.id, permit.version, data, checks, questions)
    sh = Shipment(
        permit_id=permit.id,
        line_no=data.line_no,
        quantity_milli=to_milli(data.quantity),
        value_cents=to_cents(data.value),
        shipped_on=data.shipped_on,
        export_declaration_ref=data.export_declaration_ref,
        idempotency_key=key,
        request_sha256=digest,
        recorded_by_id=actor.id,
        recorded_at=now(),
    )
    return Ticket(sh, actor, permit.number, permit.law_version, data, today)


def record_shipment(
    s: Session,
    actor: Actor,
    permit_id: int,
    data: ShipmentIn,
    key: str | None,
    today: dt.date,
    checks: Checks | None = None,
    questions: QuestionCache | None = None,
) -> Drawdown:
    """Draw a shipment down against a permit line; returns (shipment, newly_recorded).

    The permit row and the line row are locked (``FOR UPDATE`` on PostgreSQL; SQLite holds
    the single write lock since ``BEGIN IMMEDIATE``), then the idempotency key is looked
    up, then the balance is checked: concurrent drawers queue on the lock and each sees the
    balance the previous one left.
    """
    ticket = prepare_shipment(s, actor, permit_id, data, key, today, checks, questions)
    if isinstance(ticket, Drawdown):
        return ticket
    return draw_shipment(s, ticket)


def draw_batch(s: Session, tickets: Sequence[Ticket]) -> list[Drawdown | None]:
    """Draw down several prepared shipments in the caller's transaction (PostgreSQL), one
    commit for them all: each as ``draw_shipment`` would, in order, with its own audit
    entry. None for a shipment refused by one of its conditions (nothing written for it;
    ``record_shipment`` alone finds which condition, and says so).

    When the tickets name more than one permit, their rows are locked first in the order
    of their ids: two batches, or a batch and a single drawdown (permit, then audit
    head), never wait for each other in a cycle.
    """
    permits = sorted({t.shipment.permit_id for t in tickets})
    if len(permits) > 1:
        s.connection().execute(_LOCK_PERMITS, {"ids": permits}).all()
    out: list[Drawdown | None] = []
    entries: list[dict[str, Any]] = []
    for t in tickets:
        fast = _draw_in_one_statement(s, t.shipment.permit_id, t.shipment, t.today)
        if fast is None:
            out.append(None)
            continue
        used_q, used_v, (last_id, last_hash) = fast
        if entries:
            # the head's hash is written once, after the batch: until then each entry
            # follows the one made before it in this transaction, which holds the head
            last_hash = entries[-1]["hash"]
        entries.append(
            audit.entry(
                (last_id, last_hash),
                **_drawdown_audit(
                    t.actor, t.permit_number, t.law_version, t.data, t.shipment, used_q, used_v
                ),
            )
        )
        out.append(Drawdown(t.shipment, True, t.permit_number))
    audit.append(s, entries)
    return out


_LOCK_PERMITS = text("SELECT id FROM permits WHERE id = ANY(:ids) ORDER BY id FOR UPDATE")


def draw_shipment(s: Session, ticket: Ticket) -> Drawdown:
    """Draw one prepared shipment down, the rows locked (see ``record_shipment``)."""
    sh, actor, data, today = ticket.shipment, ticket.actor, ticket.data, ticket.today
    permit_id = sh.permit_id
    conn = s.connection()
    pt, lt, st = _PT, _LT, _ST
    q_m, v_c = sh.quantity_milli, sh.value_cents
    if conn.dialect.name == "postgresql":
        fast = _draw_in_one_statement(s, permit_id, sh, today)
        if fast is not None:
            used_q, used_v, head = fast
            what = _drawdown_audit(
                actor, ticket.permit_number, ticket.law_version, data, sh, used_q, used_v
            )
            audit.record(s, **what, head=head)
            return Drawdown(sh, True, ticket.permit_number)
        # Refused by one of its conditions (or no such line): nothing was written; the
        # locked path below finds which condition, and says so.
    q = (
        select(
            pt.c.id,
            pt.c.number,
            pt.c.status,
            pt.c.valid_from,
            pt.c.valid_to,
            pt.c.law_version,
            lt.c.id.label("line_id"),
            lt.c.unit,
            lt.c.authorised_quantity_milli,
            lt.c.authorised_value_cents,
            lt.c.used_quantity_milli,
            lt.c.used_value_cents,
        )
        .join(lt, lt.c.permit_id == pt.c.id)
        .where(pt.c.id == permit_id, lt.c.line_no == data.line_no)
    )
    if actor.role == "applicant":
        q = q.where(pt.c.organisation_id == actor.organisation_id)
    # one statement locks the permit row and the line row (FOR UPDATE on PostgreSQL)
    row = conn.execute(q.with_for_update()).one_or_none()
    if row is None:  # the permit is visible (above): the line is not there
        raise OfficeError(422, "no_such_line", "line_no", line_no=data.line_no)
    valid_to: dt.date = row.valid_to
    status = row.status
    if status in ("active", "suspended") and today > valid_to:
        status = "expired"
    if status != "active":
        raise OfficeError(409, "permit_not_usable", "permit_id", status=status)
    if not (row.valid_from <= data.shipped_on <= valid_to):
        raise OfficeError(
            422,
            "outside_validity",
            "shipped_on",
            valid_from=row.valid_from.isoformat(),
            valid_to=valid_to.isoformat(),
        )
    if data.shipped_on > today:
        raise OfficeError(422, "future_shipment", "shipped_on")
    used_q, used_v = row.used_quantity_milli, row.used_value_cents
    if used_q + q_m > row.authorised_quantity_milli:
        raise OfficeError(
            409,
            "exceeds_quantity",
            "quantity",
            remaining=str(milli(row.authorised_quantity_milli - used_q)),
            unit=row.unit,
        )
    if used_v + v_c > row.authorised_value_cents:
        raise OfficeError(
            409, "exceeds_value", "value", remaining=str(cents(row.authorised_value_cents - used_v))
        )
    sh.permit_line_id = row.line_id
    values = {c.name: getattr(sh, c.name) for c in st.columns if c.name != "id"}
    drawn = {"used_q": used_q + q_m, "used_v": used_v + v_c, "line_id": row.line_id}
    if conn.dialect.name == "postgresql":
        # one round trip while the rows are locked: draw down and record together
        cols = ", ".join(values)
        sh.id = conn.execute(
            text(
                "WITH drawn AS (UPDATE permit_lines SET used_quantity_milli = :used_q, "
                "used_value_cents = :used_v WHERE id = :line_id RETURNING id) "
                f"INSERT INTO shipments ({cols}) "
                f"SELECT {', '.join(':' + c for c in values)} FROM drawn RETURNING id"
            ),
            {**values, **drawn},
        ).scalar_one()
    else:
        conn.execute(
            update(lt)
            .where(lt.c.id == row.line_id)
            .values(used_quantity_milli=drawn["used_q"], used_value_cents=drawn["used_v"])
        )
        sh.id = conn.execute(insert(st).values(**values).returning(st.c.id)).scalar_one()
    audit.record(s, **_drawdown_audit(actor, row.number, row.law_version, data, sh, used_q, used_v))
    return Drawdown(sh, True, row.number)


# The whole drawdown in one statement on PostgreSQL, while every condition holds: the
# permit row locked while active and valid on the day (as the locked path below locks it,
# first: drawers, suspensions and cancellations queue on it in one order; PostgreSQL
# re-checks the conditions on the row as the previous holder left it), the line drawn down
# only if the balance allows it, the shipment recorded and the audit head taken (its id
# and the previous hash) for the entry written next. Three round trips hold the lock
# (this, the audit entry, the commit) instead of five.
_DRAW = text(
    "WITH p AS (SELECT id FROM permits WHERE id = :permit_id AND status = 'active' "
    "AND valid_from <= :shipped_on AND :shipped_on <= valid_to AND :today <= valid_to "
    "AND :shipped_on <= :today FOR UPDATE), "
    "drawn AS (UPDATE permit_lines l SET "
    "used_quantity_milli = l.used_quantity_milli + :quantity_milli, "
    "used_value_cents = l.used_value_cents + :value_cents FROM p "
    "WHERE l.permit_id = p.id AND l.line_no = :line_no "
    "AND l.used_quantity_milli + :quantity_milli <= l.authorised_quantity_milli "
    "AND l.used_value_cents + :value_cents <= l.authorised_value_cents "
    "RETURNING l.id, l.used_quantity_milli, l.used_value_cents), "
    "head AS (UPDATE audit_head SET last_id = last_id + 1 "
    "WHERE id = 1 AND EXISTS (SELECT 1 FROM drawn) RETURNING last_id, last_hash) "
    "INSERT INTO shipments (permit_id, permit_line_id, line_no, quantity_milli, value_cents, "
    "shipped_on, export_declaration_ref, idempotency_key, request_sha256, recorded_by_id, "
    "recorded_at) SELECT :permit_id, drawn.id, :line_no, :quantity_milli, :value_cents, "
    ":shipped_on, :export_declaration_ref, :idempotency_key, :request_sha256, "
    ":recorded_by_id, :recorded_at FROM drawn "
    "RETURNING id, permit_line_id, (SELECT used_quantity_milli FROM drawn), "
    "(SELECT used_value_cents FROM drawn), (SELECT last_id FROM head), "
    "(SELECT last_hash FROM head)"
)


def _draw_in_one_statement(
    s: Session, permit_id: int, sh: Shipment, today: dt.date
) -> tuple[int, int, tuple[int, str]] | None:
    """Record ``sh`` if every condition holds (PostgreSQL): (used quantity and value before
    it, the audit head taken), or None with nothing written."""
    found = (
        s.connection()
        .execute(
            _DRAW,
            {
                "permit_id": permit_id,
                "today": today,
                "line_no": sh.line_no,
                "quantity_milli": sh.quantity_milli,
                "value_cents": sh.value_cents,
                "shipped_on": sh.shipped_on,
                "export_declaration_ref": sh.export_declaration_ref,
                "idempotency_key": sh.idempotency_key,
                "request_sha256": sh.request_sha256,
                "recorded_by_id": sh.recorded_by_id,
                "recorded_at": sh.recorded_at,
            },
        )
        .one_or_none()
    )
    if found is None:
        return None
    sh.id, sh.permit_line_id = found[0], found[1]
    used_q, used_v = found[2] - sh.quantity_milli, found[3] - sh.value_cents
    return used_q, used_v, (found[4], found[5])


def _drawdown_audit(
    actor: Actor,
    number: str,
    law_version: str | None,
    data: ShipmentIn,
    sh: Shipment,
    used_q: int,
    used_v: int,
) -> dict[str, Any]:
    """What the audit entry of a drawdown says (``used_*``: the line's use before it)."""
    return {
        "actor": actor.username,
        "action": "shipment.record",
        "entity": "permit",
        "entity_id": number,
        "before": {
            "line_no": data.line_no,
            "used_quantity": str(milli(used_q)),
            "used_value": str(cents(used_v)),
        },
        "after": {
            "line_no": data.line_no,
            "shipment": sh.id,
            "quantity": str(data.quantity),
            "value": str(data.value),
            "shipped_on": data.shipped_on.isoformat(),
            "export_declaration_ref": data.export_declaration_ref,
            "used_quantity": str(milli(used_q + sh.quantity_milli)),
            "used_value": str(cents(used_v + sh.value_cents)),
        },
        "law_version": law_version,
    }


def shipments_of(s: Session, actor: Actor, permit_id: int) -> list[Shipment]:
    p = get_permit(s, actor, permit_id)
    return list(
        s.execute(
            select(Shipment).where(Shipment.permit_id == p.id).order_by(Shipment.id)
        ).scalars()
    )


Clock = Callable[[], dt.date]
