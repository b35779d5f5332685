"""CFLI web pages (``/cfli/…``), English and French, without JavaScript.

Every form carries the session's CSRF token (checked by the platform's ``form_of``); a
refused form is shown again with what was typed and one line naming the field in the
reader's language (status 4xx). Each POST is one write transaction. Pages that show a
sensitive record decrypt it and audit the read, so they too run in a write transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as FPath
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from bilateral.cfli import agreements as agreements_mod
from bilateral.cfli import i18n as fmt
from bilateral.cfli import refusals
from bilateral.cfli.calls import COST_LABELS, RECIPIENT_LABELS, THEME_LABELS, CallVersion
from bilateral.cfli.crypto import KeyRing
from bilateral.cfli.eligibility import OUTCOME_LABELS, PARAM_LABELS, Status
from bilateral.cfli.proposals import RegistrationStatus
from bilateral.cfli.web import services as sv
from bilateral.cfli.web.i18n import t as tr
from bilateral.cfli.web.models import CfliCall, CfliProposal
from bilateral.cfli.web.shared import (
    Actor,
    OfficeError,
    User,
    current_user,
    deps,
    form_of,
    lang_of,
    redirect,
    render,
    require,
    validation_message,
)

router = APIRouter(include_in_schema=False, prefix="/cfli")
Ref = Annotated[str, FPath(pattern=r"^CFLI-\d{6}$")]
CallId = Annotated[str, FPath(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]

ROWS_ACTIVITIES = 3
ROWS_BUDGET = 5


async def write_db(request: Request) -> AsyncIterator[Session]:
    """A write transaction for any method (audited reads write an audit entry); the body of
    a form is read first, and SQLite writers pass the platform's write gate."""
    if request.method not in deps.READ_METHODS:
        await deps.read_body(request)
    factory: sessionmaker[Session] = request.app.state.write_sessions
    async with deps.write_gate(request):
        with factory() as s:
            try:
                yield s
            finally:
                s.rollback()


DB = Annotated[Session, Depends(deps.db)]
WDB = Annotated[Session, Depends(write_db)]


MAX_TEXT = 5000
MAX_LONG_TEXT = 20000  # a narrative report
LONG_FIELDS = ("text",)


def check_bounds(form: FormData) -> None:
    """Every text field of a form bounded: a longer one is refused naming the field (the
    form comes back with it), never cut."""
    for name, value in form.multi_items():
        limit = MAX_LONG_TEXT if name in LONG_FIELDS else MAX_TEXT
        if isinstance(value, str) and len(value) > limit:
            raise OfficeError(422, "cfli_too_long", name, limit=limit)


def keys_of(request: Request) -> KeyRing:
    k: KeyRing = request.app.state.cfli_keys
    return k


# ------------------------------------------------------------------ labels and errors

FIELD_KEYS = {
    "organisation.name": "cfli.f.org_name",
    "organisation.type": "cfli.f.org_type",
    "organisation.country": "cfli.f.org_country",
    "organisation.registration": "cfli.f.registration",
    "organisation.registration_number": "cfli.f.registration_number",
    "organisation.risk_explanation": "cfli.f.risk_explanation",
    "organisation.contacts": "cfli.f.contact_name",
    "project_country": "cfli.f.project_country",
    "title": "cfli.f.title",
    "themes": "cfli.f.themes",
    "objectives": "cfli.f.objectives",
    "activities": "cfli.f.activities",
    "beneficiaries": "cfli.f.beneficiaries",
    "beneficiaries.description": "cfli.f.beneficiaries",
    "beneficiaries.count": "cfli.f.beneficiaries_count",
    "gender_analysis": "cfli.f.gender_analysis",
    "risks": "cfli.f.risks",
    "budget": "cfli.f.budget",
    "requested": "cfli.f.requested",
    "language": "cfli.f.language",
    "amount": "cfli.f.amount",
    "reference": "cfli.f.payment_reference",
    "kind": "cfli.f.kind",
    "note": "cfli.f.note",
    "change_note": "cfli.f.change_note",
    "username": "cfli.f.username",
    "conflict": "cfli.f.conflict",
    "text": "cfli.f.narrative",
    "file": "cfli.f.file",
    "signed_on": "cfli.f.date",
    "on": "cfli.f.date",
    # the fields the domain's refusals name
    "call": "cfli.f.call",
    "version": "cfli.f.version",
    "proposal": "cfli.f.proposal",
    "agreement": "cfli.f.agreement",
    "report": "cfli.f.reports",
    "reports": "cfli.f.reports",
    "declaration": "cfli.f.conflict",
    "score": "cfli.f.score",
    "marks": "cfli.f.marks",
    "member": "cfli.f.member",
    "members": "cfli.f.member",
    "determination": "cfli.f.determination",
    "sanctions": "cfli.f.sanctions",
    "decline": "cfli.f.decision",
    "decision": "cfli.f.decision",
    "record": "cfli.f.record",
    "document": "cfli.f.document",
    "keys": "cfli.f.keys",
    "retention_days": "cfli.f.retention",
    "by": "cfli.f.by",
}


def field_label(field: str | None, lang: str) -> str:
    """A field as the reader knows it (``budget.1.cfli`` -> "Budget line 2: CFLI")."""
    if not field:
        return ""
    parts = field.split(".")
    if parts[0] in PARAM_LABELS and parts[0] not in FIELD_KEYS:  # a call's parameter
        return fmt.text(PARAM_LABELS[parts[0]], lang)
    if len(parts) >= 2 and parts[1].isdigit():
        # list positions count from 0; the actuals of a report are keyed by line number
        n = int(parts[1]) + (0 if parts[0] == "actuals" else 1)
        group = {
            "budget": "cfli.f.budget_line",
            "activities": "cfli.f.activity",
            "objectives": "cfli.f.objectives",
            "actuals": "cfli.f.budget_line",
        }.get(parts[0])
        if group:
            head = tr(group, lang, n=n)
            tail = parts[2] if len(parts) > 2 else ""
            sub = tr(f"cfli.f.{parts[0]}_{tail}", lang) if tail else ""
            return f"{head}{(' — ' + sub) if sub else ''}"
    if parts[0] == "organisation" and len(parts) > 2 and parts[1] == "contacts":
        return tr("cfli.f.contact_name", lang)
    if parts[0] == "marks" and len(parts) > 1:
        return tr("cfli.f.mark", lang, criterion=parts[1])
    key = FIELD_KEYS.get(field) or FIELD_KEYS.get(parts[0])
    return tr(key, lang) if key else field


def problem_text(e: OfficeError, lang: str) -> str:
    """One line: the field as the reader knows it and what is wrong, in their language."""
    label = field_label(e.field, lang)
    params = dict(e.params)
    if e.code == "cfli_invalid":
        criterion = params.get("criterion")
        if isinstance(criterion, dict) and lang in criterion:
            label = tr("cfli.f.mark", lang, criterion=criterion[lang])
        detail = refusal_text(params.get("refusal"), params.get("args") or {}, lang)
        if detail is None:  # a refusal without a code: a defect (tests walk every one)
            detail = "valeur refusée" if lang == "fr" else str(params.get("detail", ""))
        return tr("err.cfli_invalid", lang, field=label, detail=detail) if label else detail
    key = "err." + e.code
    text = tr(key, lang, **{k: _shown(v, lang) for k, v in params.items()})
    if e.code in ("too_large", "cfli_too_long", "cfli_too_many"):
        text = tr(key, lang, **params)
    return f"{label}{' : ' if lang == 'fr' else ': '}{text}" if label else text


def _shown(value: Any, lang: str) -> Any:
    if isinstance(value, str):
        try:
            return fmt.money(Decimal(value), lang)
        except ArithmeticError:
            return value
    return value


def refusal_text(code: Any, args: Any, lang: str) -> str | None:
    """A domain refusal (``cfli.refusals``) in the reader's language, amounts and dates as
    they write them; pydantic's own errors (``input.<type>``) as the platform says them.
    None for a refusal without a code."""
    if not isinstance(code, str) or not code:
        return None
    params = dict(args) if isinstance(args, dict) else {}
    if code.startswith(refusals.INPUT):
        kind = code.removeprefix(refusals.INPUT)
        return validation_message({"type": kind, "ctx": params}, lang)
    if code not in refusals.REFUSALS:
        # the engine's refusal (a date the law data cannot answer for): its own catalog entry
        from bilateral.errors import BadInput
        from bilateral.faces import refusal

        error = BadInput("", "", code, params)
        if not refusal.has_text(error):
            return None
        if lang == "fr":
            return refusal.problem(error, "fr")
        return tr(code, "en", **{k: str(v) for k, v in params.items()})
    return tr(refusals.KEY + code, lang, **refusals.shown(params, lang))


def labels(lang: str) -> dict[str, Any]:
    return {
        "themes": [(k.value, fmt.text(v, lang)) for k, v in THEME_LABELS.items()],
        "recipients": [(k.value, fmt.text(v, lang)) for k, v in RECIPIENT_LABELS.items()],
        "costs": [(k.value, fmt.text(v, lang)) for k, v in COST_LABELS.items()],
        "registrations": [(r.value, tr("cfli.reg." + r.value, lang)) for r in RegistrationStatus],
        "cmoney": lambda v: fmt.money(Decimal(v), lang) if v not in (None, "") else "",
        "cday": lambda d: (
            fmt.day(dt.date.fromisoformat(d) if isinstance(d, str) else d, lang) if d else ""
        ),
        "ccents": lambda n: fmt.money(sv.money(int(n)), lang),
        "csigned": lambda v: ("+" if v > 0 else "") + fmt.money(v, lang),
        "cnum": lambda v: fmt.number(v, lang),
        "cpercent": lambda v: fmt.percent(Decimal(v), lang),
        "label": lambda b: fmt.text(b, lang),
        "theme_label": lambda k: fmt.text(THEME_LABELS[k], lang) if k in THEME_LABELS else k,
        "cost_label": lambda k: fmt.text(COST_LABELS[k], lang) if k in COST_LABELS else k,
        "recipient_label": lambda k: (
            fmt.text(RECIPIENT_LABELS[k], lang) if k in RECIPIENT_LABELS else k
        ),
        "status_label": lambda k: tr("cfli.status." + k, lang),
        "outcome_label": lambda k: fmt.text(OUTCOME_LABELS[k], lang),
        "param_label": lambda k: fmt.text(PARAM_LABELS[k], lang) if k in PARAM_LABELS else k,
        "tr": lambda key, **kw: tr(key, lang, **kw),
    }


def page(
    request: Request,
    name: str,
    ctx: dict[str, Any],
    user: User | None,
    status: int = 200,
) -> HTMLResponse:
    lang = lang_of(request)
    return render(request, name, {**labels(lang), **ctx}, status=status, user=user)


def _maybe_user(request: Request, s: Session) -> User | None:
    return current_user(request, s)


# ------------------------------------------------------------------ public


@router.get("", response_class=HTMLResponse)
def home(request: Request, s: DB) -> Response:
    """Open calls for proposals (no sign-in needed)."""
    today = deps.today(request)
    rows = [(c, CallVersion.model_validate(v.data)) for c, v in sv.open_calls(s, today)]
    return page(request, "cfli/home.html", {"calls": rows}, _maybe_user(request, s))


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(request: Request, call_id: CallId, s: DB) -> Response:
    call, v = sv.public_call(s, call_id, deps.today(request))
    params = v.parameters()
    return page(
        request,
        "cfli/call.html",
        {"call": call, "v": v, "params": params, "is_open": _open(s, call, request)},
        _maybe_user(request, s),
    )


def _open(s: Session, call: CfliCall, request: Request) -> bool:
    v = sv.published(s, call)
    return v is not None and sv.is_open(v, deps.today(request))


# ------------------------------------------------------------------ applicant


@router.get("/proposals", response_class=HTMLResponse)
def my_proposals(request: Request, s: DB) -> Response:
    u, actor = require(request, s, sv.APPLICANT)
    return page(request, "cfli/my_proposals.html", {"rows": sv.my_proposals(s, actor)}, u)


def form_to_data(form: FormData) -> dict[str, Any]:
    """The proposal form's fields as proposal data (empty fields left out)."""

    def g(name: str) -> str:
        return str(form.get(name) or "").strip()

    def lines(name: str) -> list[str]:
        return [x.strip() for x in g(name).splitlines() if x.strip()]

    org: dict[str, Any] = {
        "name": g("org_name") or None,
        "type": g("org_type") or None,
        "country": g("org_country") or None,
        "registration": g("registration") or None,
        "registration_number": g("registration_number") or None,
        "risk_explanation": g("risk_explanation") or None,
    }
    if g("contact_name") or g("contact_email") or g("contact_phone"):
        contact = {"name": g("contact_name") or None}
        for k in ("email", "phone"):
            if g(f"contact_{k}"):
                contact[k] = g(f"contact_{k}")
        org["contacts"] = [contact]
    activities = []
    for i in range(ROWS_ACTIVITIES):
        row = {k: g(f"activity_{i}_{k}") for k in ("title", "start", "end")}
        if any(row.values()):
            activities.append(row)
    budget = []
    for i in range(ROWS_BUDGET):
        row = {
            k: g(f"budget_{i}_{k}")
            for k in ("category", "description", "cfli", "other_sources", "in_kind")
        }
        if any(v for k, v in row.items()):
            budget.append({k: v for k, v in row.items() if v or k in ("description",)})
    data: dict[str, Any] = {
        "language": g("language") or None,
        "organisation": {k: v for k, v in org.items() if v is not None},
        "project_country": g("project_country") or None,
        "title": g("title") or None,
        "themes": [str(x) for x in form.getlist("themes")],
        "objectives": lines("objectives"),
        "activities": activities,
        "beneficiaries": {"description": g("beneficiaries")} if g("beneficiaries") else None,
        "gender_analysis": g("gender_analysis"),
        "risks": lines("risks"),
        "budget": budget,
        "requested": g("requested") or None,
    }
    if data["beneficiaries"] is not None and g("beneficiaries_count"):
        data["beneficiaries"]["count"] = g("beneficiaries_count")
    return {k: v for k, v in data.items() if v is not None}


def data_to_form(data: dict[str, Any]) -> dict[str, Any]:
    org = data.get("organisation") or {}
    contacts = org.get("contacts") or [{}]
    contact = contacts[0] if contacts else {}
    out: dict[str, Any] = {
        "org_name": org.get("name") or "",
        "org_type": org.get("type") or "",
        "org_country": org.get("country") or "",
        "registration": org.get("registration") or "",
        "registration_number": org.get("registration_number") or "",
        "risk_explanation": org.get("risk_explanation") or "",
        "contact_name": contact.get("name") or "",
        "contact_email": contact.get("email") or "",
        "contact_phone": contact.get("phone") or "",
        "language": data.get("language") or "",
        "project_country": data.get("project_country") or "",
        "title": data.get("title") or "",
        "themes": list(data.get("themes") or []),
        "objectives": "\n".join(data.get("objectives") or []),
        "beneficiaries": (data.get("beneficiaries") or {}).get("description") or "",
        "beneficiaries_count": (data.get("beneficiaries") or {}).get("count") or "",
        "gender_analysis": data.get("gender_analysis") or "",
        "risks": "\n".join(data.get("risks") or []),
        "requested": data.get("requested") or "",
    }
    for i, a in enumerate((data.get("activities") or [])[:ROWS_ACTIVITIES]):
        for k in ("title", "start", "end"):
            out[f"activity_{i}_{k}"] = a.get(k) or ""
    for i, b in enumerate((data.get("budget") or [])[:ROWS_BUDGET]):
        for k in ("category", "description", "cfli", "other_sources", "in_kind"):
            out[f"budget_{i}_{k}"] = b.get(k) or ""
    return out


def _form_page(
    request: Request,
    user: User,
    call: CfliCall,
    values: dict[str, Any],
    p: CfliProposal | None,
    error: str | None = None,
    status: int = 200,
    docs: list[Any] | None = None,
) -> HTMLResponse:
    return page(
        request,
        "cfli/proposal_form.html",
        {
            "call": call,
            "f": values,
            "p": p,
            "error": error,
            "rows_activities": range(ROWS_ACTIVITIES),
            "rows_budget": range(ROWS_BUDGET),
            "docs": docs or [],
        },
        user,
        status=status,
    )


@router.get("/calls/{call_id}/apply", response_class=HTMLResponse)
def new_proposal(request: Request, call_id: CallId, s: DB) -> Response:
    u, _actor = require(request, s, sv.APPLICANT)
    call, _v = sv.public_call(s, call_id, deps.today(request))
    return _form_page(request, u, call, {"language": lang_of(request)}, None)


@router.post("/calls/{call_id}/apply", response_class=HTMLResponse)
async def create_proposal(request: Request, call_id: CallId, s: WDB) -> Response:
    form = await form_of(request)
    u, actor = require(request, s, sv.APPLICANT)
    call, _v = sv.public_call(s, call_id, deps.today(request))
    values: dict[str, Any] = dict(form.items())
    values["themes"] = form.getlist("themes")
    try:
        check_bounds(form)
        p = sv.create_proposal(
            s, actor, call_id, form_to_data(form), keys_of(request), deps.today(request)
        )
    except OfficeError as e:
        s.rollback()
        if e.status >= 500 or e.status in (401, 403, 404):
            raise
        msg = problem_text(e, lang_of(request))
        return _form_page(request, u, call, values, None, msg, e.status)
    s.commit()
    return redirect(f"/cfli/proposals/{p.reference}/edit?saved=1")


@router.get("/proposals/{ref}/edit", response_class=HTMLResponse)
def edit_proposal(request: Request, ref: Ref, s: WDB) -> Response:
    u, actor = require(request, s, sv.APPLICANT)
    p = sv.visible(s, actor, ref)
    if p.status != sv.DRAFT:
        return redirect(f"/cfli/proposals/{ref}")
    data = sv.read_sensitive(s, actor, p, keys_of(request))
    docs = sv.document_names(s, p, keys_of(request))
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    s.commit()
    return _form_page(request, u, call, data_to_form(data), p, docs=docs)


@router.post("/proposals/{ref}/edit", response_class=HTMLResponse)
async def save_proposal(request: Request, ref: Ref, s: WDB) -> Response:
    form = await form_of(request)
    u, actor = require(request, s, sv.APPLICANT)
    p = sv.visible(s, actor, ref)
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    values: dict[str, Any] = dict(form.items())
    values["themes"] = form.getlist("themes")
    keys, today = keys_of(request), deps.today(request)
    try:
        check_bounds(form)
        sv.save_draft(s, actor, ref, form_to_data(form), keys)
        if form.get("action") == "submit":
            sv.submit(s, actor, ref, keys, today)
    except OfficeError as e:
        s.rollback()
        if e.status in (401, 403, 404):
            raise
        p = sv.proposal_row(s, ref)
        msg = problem_text(e, lang_of(request))
        return _form_page(request, u, call, values, p, msg, e.status)
    s.commit()
    if form.get("action") == "submit":
        return redirect(f"/cfli/proposals/{ref}")
    return redirect(f"/cfli/proposals/{ref}/edit?saved=1")


@router.post("/proposals/{ref}/documents", response_class=HTMLResponse)
async def add_document(request: Request, ref: Ref, s: WDB) -> Response:
    """A supporting document (PDF, PNG, JPEG or text), stored encrypted."""
    from starlette.datastructures import UploadFile

    form = await form_of(request)
    u, actor = require(request, s, sv.APPLICANT)
    upload = form.get("file")
    settings = deps.settings(request)
    try:
        if not isinstance(upload, UploadFile):
            raise OfficeError(422, "cfli_required", "file")
        data = await upload.read(settings.max_upload + 1)
        sv.add_document(
            s,
            actor,
            ref,
            upload.filename or "",
            data,
            keys_of(request),
            settings.data_dir,
            settings.max_upload,
        )
    except OfficeError as e:
        s.rollback()
        if e.status in (401, 403, 404):
            raise
        p = sv.visible(s, actor, ref)
        call = s.get(CfliCall, p.call_id)
        assert call is not None
        data_now = sv.read_sensitive(s, actor, p, keys_of(request))
        docs = sv.document_names(s, p, keys_of(request))
        s.commit()
        msg = problem_text(e, lang_of(request))
        return _form_page(request, u, call, data_to_form(data_now), p, msg, e.status, docs)
    s.commit()
    return redirect(f"/cfli/proposals/{ref}/edit?lang={lang_of(request)}")


@router.get("/proposals/{ref}/documents/{doc_id}")
def get_document(
    request: Request, ref: Ref, doc_id: Annotated[int, FPath(ge=1, le=2_147_483_647)], s: WDB
) -> Response:
    _u, actor = require(request, s, sv.OFFICER, sv.MEMBER, sv.APPLICANT)
    name, media, data = sv.read_document(
        s, actor, ref, doc_id, keys_of(request), deps.settings(request).data_dir
    )
    s.commit()
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "._- ")[:100] or "document"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


# ------------------------------------------------------------------ the proposal page


@router.get("/proposals/{ref}", response_class=HTMLResponse)
def proposal_page(request: Request, ref: Ref, s: WDB) -> Response:
    u, actor = require(request, s, sv.OFFICER, sv.MEMBER, sv.APPLICANT)
    return _proposal_view(request, s, u, actor, ref)


def _proposal_view(
    request: Request,
    s: Session,
    u: User,
    actor: Actor,
    ref: str,
    error: str | None = None,
    status: int = 200,
    kept: dict[str, Any] | None = None,
) -> HTMLResponse:
    keys = keys_of(request)
    p = sv.visible(s, actor, ref)
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    data = (
        sv.public_view(p.record)
        if actor.role == sv.MEMBER and p.status not in sv.SCORABLE
        else sv.read_sensitive(s, actor, p, keys)
    )
    _p, determination = sv.determination(s, actor, ref, keys)
    ctx: dict[str, Any] = {
        "p": p,
        "call": call,
        "data": data,
        "d": determination,
        "error": error,
        "kept": kept or {},
        "Status": Status,
        "role": actor.role,
        "docs": sv.document_names(s, p, keys)
        if not (actor.role == sv.MEMBER and p.status not in sv.SCORABLE)
        else [],
    }
    if actor.role in (sv.OFFICER, sv.APPLICANT):
        ctx["letter"] = sv.letter(s, actor, ref, keys)
        try:
            row, f = sv.agreement_for_reading(s, actor, ref, keys)
        except OfficeError:
            row, f = None, None
        ctx["agreement"] = row
        ctx["file"] = f
        ctx["payments"] = sv.payments(s, row) if row else []
        ctx["reports"] = sv.reports(s, row) if row else {}
        ctx["narrative"] = (
            sv.narrative_text(s, actor, ref, ctx["reports"]["narrative"], keys)
            if "narrative" in ctx["reports"]
            else ""
        )
        ctx["variance"] = f.variance() if f is not None and f.financial is not None else []
        ctx["next_kind"] = (
            "final"
            if f is not None and f.status is agreements_mod.Status.FINAL_REPORT_ACCEPTED
            else "advance"
        )
    if actor.role == sv.MEMBER:
        from sqlalchemy import select

        from bilateral.cfli.web.models import CfliDeclaration, CfliScore

        ctx["declared"] = s.execute(
            select(CfliDeclaration).where(
                CfliDeclaration.proposal_id == p.id, CfliDeclaration.user_id == actor.id
            )
        ).scalar_one_or_none()
        ctx["scored"] = s.execute(
            select(CfliScore).where(CfliScore.proposal_id == p.id, CfliScore.user_id == actor.id)
        ).scalar_one_or_none()
        ctx["criteria"] = sv.criteria_of(s, p)
    s.commit()
    return page(request, "cfli/proposal.html", ctx, u, status=status)


async def _form_action(
    request: Request,
    s: Session,
    roles: tuple[str, ...],
    fn: Any,
    view: Callable[[Any, Actor, str, int, dict[str, str]], Response],
    back: str,
) -> Response:
    """Run one form's action; refused: ``view(user, actor, message, status, kept form)``,
    the page again with the reason and what was typed; done: back to ``back``."""
    form = await form_of(request)
    u, actor = require(request, s, *roles)
    try:
        check_bounds(form)
        fn(actor, form)
    except OfficeError as e:
        s.rollback()
        if e.status in (401, 404) or (e.status == 403 and e.code == "forbidden"):
            raise
        msg = problem_text(e, lang_of(request))
        kept = {k: str(v) for k, v in form.items() if k != "csrf"}
        return view(u, actor, msg, e.status, kept)
    s.commit()
    return redirect(f"{back}?lang={lang_of(request)}")


async def _act(
    request: Request,
    s: Session,
    ref: str,
    roles: tuple[str, ...],
    fn: Any,
) -> Response:
    """Run one action from the proposal page; refused: the page again with the reason."""

    def view(u: Any, actor: Actor, msg: str, status: int, kept: dict[str, str]) -> Response:
        return _proposal_view(request, s, u, actor, ref, msg, status, kept)

    return await _form_action(request, s, roles, fn, view, f"/cfli/proposals/{ref}")


def _date(form: FormData, name: str, default: dt.date) -> dt.date:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise OfficeError(422, "cfli_date", name) from None


@router.post("/proposals/{ref}/submit", response_class=HTMLResponse)
async def submit(request: Request, ref: Ref, s: WDB) -> Response:
    keys, today = keys_of(request), deps.today(request)
    return await _act(
        request, s, ref, (sv.APPLICANT,), lambda a, f: sv.submit(s, a, ref, keys, today)
    )


@router.post("/proposals/{ref}/clear", response_class=HTMLResponse)
async def clear(request: Request, ref: Ref, s: WDB) -> Response:
    return await _act(
        request,
        s,
        ref,
        (sv.OFFICER,),
        lambda a, f: sv.clear(s, a, ref, str(f.get("note") or "")),
    )


@router.post("/proposals/{ref}/declare", response_class=HTMLResponse)
async def declare(request: Request, ref: Ref, s: WDB) -> Response:
    keys = keys_of(request)

    def go(a: Actor, f: FormData) -> None:
        answer = str(f.get("conflict") or "")
        if answer not in ("yes", "no"):
            raise OfficeError(422, "cfli_required", "conflict")
        sv.declare(s, a, ref, answer == "yes", keys)

    return await _act(request, s, ref, (sv.MEMBER,), go)


@router.post("/proposals/{ref}/score", response_class=HTMLResponse)
async def score(request: Request, ref: Ref, s: WDB) -> Response:
    keys = keys_of(request)

    def go(a: Actor, f: FormData) -> None:
        marks = {
            str(k)[5:]: str(v).strip().replace(",", ".")
            for k, v in f.items()
            if str(k).startswith("mark_")
        }
        sv.score(s, a, ref, marks, keys)

    return await _act(request, s, ref, (sv.MEMBER,), go)


@router.post("/proposals/{ref}/decide", response_class=HTMLResponse)
async def decide(request: Request, ref: Ref, s: WDB) -> Response:
    keys, today = keys_of(request), deps.today(request)

    def go(a: Actor, f: FormData) -> None:
        choice = str(f.get("decision") or "")
        if choice not in ("approve", "decline"):
            raise OfficeError(422, "cfli_required", "decision")
        sv.decide(s, a, ref, choice == "approve", keys, today)

    return await _act(request, s, ref, (sv.OFFICER,), go)


@router.post("/proposals/{ref}/agreement", response_class=HTMLResponse)
async def draw_up(request: Request, ref: Ref, s: WDB) -> Response:
    keys, today = keys_of(request), deps.today(request)
    return await _act(
        request, s, ref, (sv.OFFICER,), lambda a, f: sv.draw_up(s, a, ref, keys, today)
    )


@router.post("/proposals/{ref}/agreement/sign", response_class=HTMLResponse)
async def sign(request: Request, ref: Ref, s: WDB) -> Response:
    today = deps.today(request)
    return await _act(
        request,
        s,
        ref,
        (sv.OFFICER,),
        lambda a, f: sv.sign(s, a, ref, _date(f, "signed_on", today)),
    )


@router.post("/proposals/{ref}/payments", response_class=HTMLResponse)
async def pay(request: Request, ref: Ref, s: WDB) -> Response:
    today = deps.today(request)

    def go(a: Actor, f: FormData) -> None:
        sv.pay(
            s,
            a,
            ref,
            str(f.get("kind") or ""),
            str(f.get("amount") or "").strip().replace("\u00a0", "").replace(" ", ""),
            _date(f, "paid_on", today),
            str(f.get("reference") or ""),
        )

    return await _act(request, s, ref, (sv.OFFICER,), go)


@router.post("/proposals/{ref}/reports", response_class=HTMLResponse)
async def report(request: Request, ref: Ref, s: WDB) -> Response:
    keys, today = keys_of(request), deps.today(request)

    def go(a: Actor, f: FormData) -> None:
        kind = str(f.get("kind") or "")
        actuals = {
            str(k)[7:]: str(v).strip()
            for k, v in f.items()
            if str(k).startswith("actual_") and str(v).strip()
        }
        sv.report(s, a, ref, kind, keys, today, str(f.get("text") or ""), actuals)

    return await _act(request, s, ref, (sv.APPLICANT,), go)


@router.post("/proposals/{ref}/reports/accept", response_class=HTMLResponse)
async def accept(request: Request, ref: Ref, s: WDB) -> Response:
    today = deps.today(request)
    return await _act(
        request, s, ref, (sv.OFFICER,), lambda a, f: sv.accept_reports(s, a, ref, today)
    )


@router.post("/proposals/{ref}/close", response_class=HTMLResponse)
async def close(request: Request, ref: Ref, s: WDB) -> Response:
    today = deps.today(request)
    return await _act(request, s, ref, (sv.OFFICER,), lambda a, f: sv.close(s, a, ref, today))


@router.get("/proposals/{ref}/agreement", response_class=HTMLResponse)
def agreement_html(request: Request, ref: Ref, s: WDB) -> Response:
    _u, actor = require(request, s, sv.OFFICER, sv.APPLICANT)
    _row, f = sv.agreement_for_reading(s, actor, ref, keys_of(request))
    s.commit()
    html = agreements_mod.render_html(f.agreement, lang_of(request))
    return HTMLResponse(html)


@router.get("/proposals/{ref}/agreement.pdf")
def agreement_pdf(request: Request, ref: Ref, s: WDB) -> Response:
    _u, actor = require(request, s, sv.OFFICER, sv.APPLICANT)
    _row, f = sv.agreement_for_reading(s, actor, ref, keys_of(request))
    s.commit()
    pdf = agreements_mod.render_pdf(f.agreement, lang_of(request))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{f.agreement.id}.pdf"'},
    )


# ------------------------------------------------------------------ programme officer


@router.get("/officer", response_class=HTMLResponse)
def officer_home(request: Request, s: DB) -> Response:
    u, actor = require(request, s, sv.OFFICER)
    calls = sv.officer_calls(s, actor)
    return page(
        request,
        "cfli/officer.html",
        {
            "calls": [(c, sv.versions(s, c)) for c in calls],
            "queue": sv.officer_proposals(s, actor),
            "missions": sorted(sv.missions_of(s, actor)),
        },
        u,
    )


@router.post("/officer/sync", response_class=HTMLResponse)
async def officer_sync(request: Request, s: WDB) -> Response:
    await form_of(request)
    _u, actor = require(request, s, sv.OFFICER)
    sv.sync_calls(s, actor.username)
    s.commit()
    return redirect(f"/cfli/officer?lang={lang_of(request)}")


def _officer_call_view(
    request: Request,
    s: Session,
    u: User,
    actor: Actor,
    call_id: str,
    error: str | None = None,
    status: int = 200,
    kept: dict[str, Any] | None = None,
) -> HTMLResponse:
    call = sv.officer_call(s, actor, call_id)
    rows = sv.versions(s, call)
    ranking: list[Any] = []
    unscored: list[str] = []
    try:
        a = sv.ranking(s, actor, call_id, keys_of(request))
        ranking, unscored = a.ranking(), a.unscored()
    except OfficeError:
        pass
    return page(
        request,
        "cfli/officer_call.html",
        {
            "call": call,
            "versions": rows,
            "latest": CallVersion.model_validate(rows[-1].data),
            "members": sv.committee(s, call),
            "ranking": ranking,
            "unscored": unscored,
            "plan": sv.latest_plan(s, call),
            "queue": sv.officer_proposals(s, actor, call_id),
            "error": error,
            "kept": kept or {},
        },
        u,
        status=status,
    )


@router.get("/officer/calls/{call_id}", response_class=HTMLResponse)
def officer_call(request: Request, call_id: CallId, s: DB) -> Response:
    u, actor = require(request, s, sv.OFFICER)
    return _officer_call_view(request, s, u, actor, call_id)


async def _call_act(request: Request, s: Session, call_id: str, fn: Any) -> Response:
    """Run one action from the officer's call page; refused: the page again."""

    def view(u: Any, actor: Actor, msg: str, status: int, kept: dict[str, str]) -> Response:
        return _officer_call_view(request, s, u, actor, call_id, msg, status, kept)

    back = f"/cfli/officer/calls/{call_id}"
    return await _form_action(request, s, (sv.OFFICER,), fn, view, back)


def parse_criteria(text: str) -> list[dict[str, Any]]:
    """``id; English; French; weight`` one a line."""
    out = []
    for n, line in enumerate(x for x in text.splitlines() if x.strip()):
        parts = [p.strip() for p in line.split(";")]
        if len(parts) != 4:
            raise OfficeError(422, "cfli_criteria_line", f"criteria.{n}")
        out.append({"id": parts[0], "label": {"en": parts[1], "fr": parts[2]}, "weight": parts[3]})
    return out


def version_changes(form: FormData) -> dict[str, Any]:
    def g(name: str) -> str:
        return str(form.get(name) or "").strip().replace("\u00a0", "").replace(" ", "")

    changes: dict[str, Any] = {}
    for name in ("minimum_contribution", "maximum_contribution", "envelope"):
        if g(name):
            changes[name] = {"cad": g(name)}
    for name in ("application_deadline", "completion_deadline", "overhead_cap_percent"):
        if g(name):
            changes[name] = g(name)
    if form.get("registration_required") in ("yes", "no"):
        changes["registration_required"] = form.get("registration_required") == "yes"
    costs = [str(x) for x in form.getlist("ineligible_costs")]
    if costs:
        changes["ineligible_costs"] = costs
    if g("advance_percent"):
        changes["payment_terms"] = {"advance_percent": g("advance_percent")}
    if g("narrative_days") or g("financial_days"):
        changes["reporting"] = {
            "final_narrative_days": g("narrative_days") or "0",
            "final_financial_days": g("financial_days") or "0",
        }
    crit = str(form.get("criteria") or "")
    if crit.strip():
        changes["criteria"] = parse_criteria(crit)
    return changes


@router.post("/officer/calls/{call_id}/versions", response_class=HTMLResponse)
async def officer_new_version(request: Request, call_id: CallId, s: WDB) -> Response:
    today = deps.today(request)
    return await _call_act(
        request,
        s,
        call_id,
        lambda a, f: sv.new_version(
            s, a, call_id, version_changes(f), str(f.get("change_note") or ""), today
        ),
    )


@router.post("/officer/calls/{call_id}/versions/{number}/publish", response_class=HTMLResponse)
async def officer_publish(
    request: Request, call_id: CallId, number: Annotated[int, FPath(ge=1, le=10_000)], s: WDB
) -> Response:
    today = deps.today(request)
    return await _call_act(
        request, s, call_id, lambda a, f: sv.publish(s, a, call_id, number, today)
    )


@router.post("/officer/calls/{call_id}/committee", response_class=HTMLResponse)
async def officer_committee(request: Request, call_id: CallId, s: WDB) -> Response:
    return await _call_act(
        request,
        s,
        call_id,
        lambda a, f: sv.assign_member(s, a, call_id, str(f.get("username") or "").strip()),
    )


@router.post("/officer/calls/{call_id}/plan", response_class=HTMLResponse)
async def officer_plan(request: Request, call_id: CallId, s: WDB) -> Response:
    keys = keys_of(request)
    return await _call_act(request, s, call_id, lambda a, f: sv.make_plan(s, a, call_id, keys))


DIMENSIONS = ("fiscal_year", "country", "theme", "recipient_type")


def _portfolio(request: Request, s: Session, by: str) -> tuple[User, list[Any]]:
    from bilateral.cfli import portfolio

    u, actor = require(request, s, sv.OFFICER)
    if by not in DIMENSIONS:
        raise OfficeError(422, "cfli_kind", "by")
    return u, portfolio.summarise(sv.portfolio_rows(s, actor), by)  # type: ignore[arg-type]


@router.get("/officer/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request, s: DB, by: str = "fiscal_year") -> Response:
    """Counts and amounts by fiscal year, country, theme or recipient type (no sensitive
    field), with a bar chart in HTML and CSS (no script) and a CSV download."""
    u, groups = _portfolio(request, s, by)
    top = max((g.requested for g in groups), default=Decimal(0)) or Decimal(1)
    bars = {g.key: int(g.requested * 100 / top) for g in groups}
    lang = lang_of(request)
    return page(
        request,
        "cfli/portfolio.html",
        {
            "groups": groups,
            "by": by,
            "dimensions": DIMENSIONS,
            "bars": bars,
            "glabel": lambda g: g.label(lang),
        },
        u,
    )


@router.get("/officer/portfolio.csv")
def portfolio_csv(request: Request, s: DB, by: str = "fiscal_year") -> Response:
    from bilateral.cfli import portfolio

    _u, groups = _portfolio(request, s, by)
    return Response(
        portfolio.to_csv(groups, lang_of(request)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cfli-portfolio-{by}.csv"'},
    )


# ------------------------------------------------------------------ committee member


@router.get("/committee", response_class=HTMLResponse)
def committee_home(request: Request, s: DB) -> Response:
    u, actor = require(request, s, sv.MEMBER)
    return page(request, "cfli/committee.html", {"rows": sv.member_proposals(s, actor)}, u)
