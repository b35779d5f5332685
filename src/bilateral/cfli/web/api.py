"""The CFLI JSON API (``/api/cfli/…``): Bearer tokens, a role check in every operation,
pydantic schemas, 4xx with the field named (``{"error", "field", "message"}``), never 5xx.

Messages are in English, or French with ``?lang=fr`` or an ``Accept-Language: fr`` header.
Amounts are decimal strings (exact cents), never floats.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi import Path as FPath
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from bilateral.cfli import agreements as agreements_mod
from bilateral.cfli.calls import CallVersion
from bilateral.cfli.crypto import KeyRing
from bilateral.cfli.web import services as sv
from bilateral.cfli.web.models import CfliAgreement, CfliCall, CfliProposal
from bilateral.cfli.web.pages import problem_text, write_db
from bilateral.cfli.web.shared import ERRORS, Actor, OfficeError, bearer_actor, deps

router = APIRouter(prefix="/api/cfli", tags=["cfli"], responses=ERRORS)

DB = Annotated[Session, Depends(deps.db)]
WDB = Annotated[Session, Depends(write_db)]
Ref = Annotated[str, FPath(pattern=r"^CFLI-\d{6}$", description="proposal reference")]
CallId = Annotated[str, FPath(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


def api_lang(
    request: Request,
    lang: Annotated[
        Literal["en", "fr"] | None,
        Query(description="language of messages (default: the Accept-Language header)"),
    ] = None,
) -> str:
    """``?lang=`` if given, else French for an ``Accept-Language`` that starts with fr."""
    if lang is not None:
        return lang
    return "fr" if request.headers.get("accept-language", "").lower().startswith("fr") else "en"


Lang = Annotated[str, Depends(api_lang)]
Text = Annotated[str, Field(max_length=5000)]
Short = Annotated[str, Field(max_length=300)]
Amount = Annotated[str, Field(max_length=20, pattern=r"^\d{1,12}(\.\d{1,2})?$")]


def who_w(request: Request, s: WDB) -> Actor:
    return bearer_actor(request, s)


WhoW = Annotated[Actor, Depends(who_w)]


def who_r(request: Request, s: DB) -> Actor:
    return bearer_actor(request, s)


WhoR = Annotated[Actor, Depends(who_r)]


def keys_of(request: Request) -> KeyRing:
    k: KeyRing = request.app.state.cfli_keys
    return k


def _refuse(e: OfficeError, lang: str) -> JSONResponse:
    return JSONResponse(
        {"error": e.code, "field": e.field, "message": problem_text(e, lang)},
        status_code=e.status,
        headers={"WWW-Authenticate": "Bearer"} if e.status == 401 else None,
    )


def _run(s: Session, lang: str, fn: Any) -> Any:
    try:
        out = fn()
    except OfficeError as e:
        s.rollback()
        return _refuse(e, lang)
    s.commit()
    return out


# ------------------------------------------------------------------ schemas


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(_In):
    name: Short | None = None
    role: Short | None = None
    email: Short | None = None
    phone: Short | None = None


class OrganisationIn(_In):
    name: Short | None = None
    type: Short | None = None
    country: Annotated[str, Field(max_length=2)] | None = None
    registration: Short | None = None
    registration_number: Short | None = None
    risk_explanation: Text | None = None
    contacts: Annotated[list[ContactIn], Field(max_length=5)] = []


class ActivityIn(_In):
    title: Short
    start: dt.date
    end: dt.date


class BeneficiariesIn(_In):
    description: Text
    count: Annotated[int, Field(ge=0, le=100_000_000)] | None = None


class BudgetLineIn(_In):
    category: Short
    description: Short
    cfli: Amount
    other_sources: Amount = "0"
    in_kind: Amount = "0"


class ProposalIn(_In):
    """A proposal draft: every field may be left out until submission, which checks all."""

    language: Annotated[str, Field(max_length=3)] | None = None
    organisation: OrganisationIn = OrganisationIn()
    project_country: Annotated[str, Field(max_length=2)] | None = None
    title: Short | None = None
    themes: Annotated[list[Short], Field(max_length=10)] = []
    objectives: Annotated[list[Text], Field(max_length=20)] = []
    activities: Annotated[list[ActivityIn], Field(max_length=30)] = []
    beneficiaries: BeneficiariesIn | None = None
    gender_analysis: Text = ""
    risks: Annotated[list[Text], Field(max_length=20)] = []
    budget: Annotated[list[BudgetLineIn], Field(max_length=50)] = []
    requested: Amount | None = None

    def data(self) -> dict[str, Any]:
        out = self.model_dump(mode="json", exclude_none=True)
        org = out.get("organisation", {})
        if not org.get("contacts"):
            org.pop("contacts", None)
        return out


class ReasonOut(BaseModel):
    status: str
    parameter: str
    message: str
    citation: str


class DeterminationOut(BaseModel):
    outcome: str
    call_id: str
    call_version: int
    call_hash: str
    reasons: list[ReasonOut]


class ProposalOut(BaseModel):
    reference: str
    call_id: str
    status: str
    title: str
    requested: str
    submitted_on: dt.date | None
    version: int
    data: dict[str, Any] | None = Field(
        None, description="the proposal in clear (applicant, officer; the read is audited)"
    )
    determination: DeterminationOut | None = None


class CallOut(BaseModel):
    call_id: str
    version: int
    status: str
    hash: str
    title: str
    parameters: dict[str, Any]


class VersionIn(_In):
    changes: dict[str, Any] = Field(description="parameter -> value (see docs/cfli.md)")
    change_note: Short


class MemberIn(_In):
    username: Annotated[str, Field(max_length=100)]


class ConflictIn(_In):
    conflicted: bool


class ScoreIn(_In):
    marks: Annotated[dict[str, Annotated[str, Field(max_length=10)]], Field(max_length=20)]


class DecisionIn(_In):
    decision: Literal["approve", "decline"]


class SignIn(_In):
    signed_on: dt.date


class PaymentIn(_In):
    kind: Literal["advance", "final"]
    amount: Amount
    paid_on: dt.date
    reference: Short


class ReportIn(_In):
    kind: Literal["narrative", "financial"]
    text: Annotated[str, Field(max_length=20000)] = ""
    actuals: Annotated[dict[str, Amount], Field(max_length=50)] = {}


class ClearIn(_In):
    note: Text


class AgreementOut(BaseModel):
    reference: str
    status: str
    amount: str
    paid: str
    signed_on: dt.date | None
    installments: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    variance: list[dict[str, Any]]
    closure: dict[str, str] | None


class PlanOut(BaseModel):
    call_version: int
    funded: list[str]
    not_funded: list[str]
    envelope: str
    committed: str
    explanation: str


class RankOut(BaseModel):
    rank: int
    reference: str
    total: str
    sheets: int


# ------------------------------------------------------------------ output helpers


def _determination_out(d: Any, lang: str) -> DeterminationOut:
    return DeterminationOut(
        outcome=d.outcome.value,
        call_id=d.call.call_id,
        call_version=d.call.version,
        call_hash=d.call.hash,
        reasons=[
            ReasonOut(
                status=r.status.value,
                parameter=r.parameter,
                message=r.message.fr if lang == "fr" else r.message.en,
                citation=r.citation(lang),
            )
            for r in d.reasons
        ],
    )


def _proposal_out(
    s: Session, actor: Actor, p: CfliProposal, keys: KeyRing, lang: str, full: bool = True
) -> ProposalOut:
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    data = None
    det = None
    if full:
        data = (
            sv.read_sensitive(s, actor, p, keys)
            if actor.role in (sv.APPLICANT, sv.OFFICER)
            else sv.public_view(p.record)
        )
        _p, d = sv.determination(s, actor, p.reference, keys)
        det = _determination_out(d, lang) if d is not None else None
    return ProposalOut(
        reference=p.reference,
        call_id=call.call_id,
        status=p.status,
        title=p.title,
        requested=str(sv.money(p.requested_cents)),
        submitted_on=p.submitted_on,
        version=p.version,
        data=data,
        determination=det,
    )


def _agreement_out(s: Session, row: CfliAgreement) -> AgreementOut:
    f = sv.domain_agreement(s, row)
    return AgreementOut(
        reference=row.reference,
        status=row.status,
        amount=str(f.agreement.amount),
        paid=str(f.paid),
        signed_on=row.signed_on,
        installments=[i.model_dump(mode="json") for i in f.agreement.installments],
        payments=[
            {"on": p.on.isoformat(), "kind": p.kind.value, "amount": str(p.amount)}
            for p in f.payments
        ],
        variance=[
            {
                "line": v.line.number,
                "budget": str(v.line.budget),
                "actual": str(v.actual),
                "difference": str(v.difference),
            }
            for v in (f.variance() if f.financial is not None else [])
        ],
        closure=row.closure,
    )


# ------------------------------------------------------------------ calls


@router.get("/calls", response_model=list[CallOut])
def list_open_calls(request: Request, s: DB, lang: Lang) -> Any:
    """Open calls for proposals (public, no token)."""
    return [
        _call_out(c, v.version, v.status, v.hash, v.data, lang)
        for c, v in sv.open_calls(s, deps.today(request))
    ]


def _call_out(c: CfliCall, n: int, status: str, h: str, data: dict[str, Any], lang: str) -> CallOut:
    v = CallVersion.model_validate(data)
    return CallOut(
        call_id=c.call_id,
        version=n,
        status=status,
        hash=h,
        title=v.title.fr if lang == "fr" else v.title.en,
        parameters={k: p.model_dump(mode="json") for k, p in v.parameters().items()},
    )


@router.get("/calls/{call_id}", response_model=CallOut)
def get_call(request: Request, call_id: CallId, s: DB, lang: Lang) -> Any:
    """The latest published version of a call (public)."""
    try:
        call, _v = sv.public_call(s, call_id, deps.today(request))
    except OfficeError as e:
        return _refuse(e, lang)
    row = sv.published(s, call)
    assert row is not None
    return _call_out(call, row.version, row.status, row.hash, row.data, lang)


@router.post("/calls/sync", response_model=list[str])
def sync_calls(actor: WhoW, s: WDB, lang: Lang) -> Any:
    """Load the call files into the database (programme officer)."""

    def go() -> list[str]:
        if actor.role != sv.OFFICER:
            raise OfficeError(403, "forbidden")
        return sv.sync_calls(s, actor.username)

    return _run(s, lang, go)


@router.get("/officer/calls", response_model=list[CallOut])
def officer_calls(actor: WhoR, s: DB, lang: Lang) -> Any:
    """Every version of the calls of the officer's missions."""
    try:
        calls = sv.officer_calls(s, actor)
    except OfficeError as e:
        return _refuse(e, lang)
    return [
        _call_out(c, v.version, v.status, v.hash, v.data, lang)
        for c in calls
        for v in sv.versions(s, c)
    ]


@router.post("/calls/{call_id}/versions", response_model=CallOut, status_code=201)
def create_version(
    request: Request, call_id: CallId, body: VersionIn, actor: WhoW, s: WDB, lang: Lang
) -> Any:
    """A new draft version of a call with parameters set by the programme officer."""

    def go() -> CallOut:
        row = sv.new_version(s, actor, call_id, body.changes, body.change_note, deps.today(request))
        call = sv.officer_call(s, actor, call_id)
        return _call_out(call, row.version, row.status, row.hash, row.data, lang)

    return _run(s, lang, go)


@router.post("/calls/{call_id}/versions/{number}/publish", response_model=CallOut)
def publish_version(
    request: Request,
    call_id: CallId,
    number: Annotated[int, FPath(ge=1, le=10_000)],
    actor: WhoW,
    s: WDB,
    lang: Lang,
) -> Any:
    def go() -> CallOut:
        sv.publish(s, actor, call_id, number, deps.today(request))
        call = sv.officer_call(s, actor, call_id)
        row = next(v for v in sv.versions(s, call) if v.version == number)
        return _call_out(call, row.version, row.status, row.hash, row.data, lang)

    return _run(s, lang, go)


@router.post("/calls/{call_id}/committee", status_code=204, response_model=None)
def assign_member(call_id: CallId, body: MemberIn, actor: WhoW, s: WDB, lang: Lang) -> Any:
    def go() -> Response:
        sv.assign_member(s, actor, call_id, body.username)
        return Response(status_code=204)

    return _run(s, lang, go)


@router.get("/calls/{call_id}/ranking", response_model=list[RankOut])
def ranking(request: Request, call_id: CallId, actor: WhoW, s: WDB, lang: Lang) -> Any:
    def go() -> list[RankOut]:
        a = sv.ranking(s, actor, call_id, keys_of(request))
        return [
            RankOut(rank=r.rank, reference=r.proposal.id, total=str(r.total), sheets=r.sheets)
            for r in a.ranking()
        ]

    return _run(s, lang, go)


@router.post("/calls/{call_id}/plan", response_model=PlanOut, status_code=201)
def make_plan(request: Request, call_id: CallId, actor: WhoW, s: WDB, lang: Lang) -> Any:
    """The funding plan: the highest total score within the envelope (explained)."""

    def go() -> PlanOut:
        row = sv.make_plan(s, actor, call_id, keys_of(request))
        return PlanOut(
            call_version=row.call_version,
            funded=row.funded,
            not_funded=row.not_funded,
            envelope=str(sv.money(row.envelope_cents)),
            committed=str(sv.money(row.committed_cents)),
            explanation=row.explanation[lang],
        )

    return _run(s, lang, go)


# ------------------------------------------------------------------ proposals


@router.get("/proposals", response_model=list[ProposalOut])
def list_proposals(request: Request, actor: WhoR, s: DB, lang: Lang) -> Any:
    """Applicant: own organisation's; officer: the missions' queue; member: to score."""
    try:
        if actor.role == sv.APPLICANT:
            rows = sv.my_proposals(s, actor)
        elif actor.role == sv.OFFICER:
            rows = sv.officer_proposals(s, actor)
        elif actor.role == sv.MEMBER:
            rows = sv.member_proposals(s, actor)
        else:
            raise OfficeError(403, "forbidden")
    except OfficeError as e:
        return _refuse(e, lang)
    return [_proposal_out(s, actor, p, keys_of(request), lang, full=False) for p in rows]


@router.post("/calls/{call_id}/proposals", response_model=ProposalOut, status_code=201)
def create_proposal(
    request: Request, call_id: CallId, body: ProposalIn, actor: WhoW, s: WDB, lang: Lang
) -> Any:
    """A new draft (grant applicant)."""
    keys = keys_of(request)

    def go() -> ProposalOut:
        p = sv.create_proposal(s, actor, call_id, body.data(), keys, deps.today(request))
        return _proposal_out(s, actor, p, keys, lang, full=False)

    return _run(s, lang, go)


@router.get("/proposals/{ref}", response_model=ProposalOut)
def get_proposal(request: Request, ref: Ref, actor: WhoW, s: WDB, lang: Lang) -> Any:
    """A proposal with its latest determination (the read of sensitive fields is audited)."""
    return _run(
        s,
        lang,
        lambda: _proposal_out(s, actor, sv.visible(s, actor, ref), keys_of(request), lang),
    )


@router.put("/proposals/{ref}", response_model=ProposalOut)
def save_proposal(
    request: Request,
    ref: Ref,
    body: ProposalIn,
    actor: WhoW,
    s: WDB,
    lang: Lang,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Any:
    """Save a draft again (``version``: refuse if someone saved in between)."""
    keys = keys_of(request)

    def go() -> ProposalOut:
        p = sv.save_draft(s, actor, ref, body.data(), keys, version)
        return _proposal_out(s, actor, p, keys, lang, full=False)

    return _run(s, lang, go)


@router.post("/proposals/{ref}/submit", response_model=ProposalOut)
def submit(request: Request, ref: Ref, actor: WhoW, s: WDB, lang: Lang) -> Any:
    """Submit: checked in full, then eligibility is determined against the call."""
    keys = keys_of(request)

    def go() -> ProposalOut:
        p, _d = sv.submit(s, actor, ref, keys, deps.today(request))
        return _proposal_out(s, actor, p, keys, lang)

    return _run(s, lang, go)


@router.get("/proposals/{ref}/replay")
def replay(request: Request, ref: Ref, actor: WhoW, s: WDB, lang: Lang) -> Any:
    """Make the stored determination again (programme officer): same, to the byte?"""

    def go() -> dict[str, Any]:
        same, d = sv.replay_determination(s, actor, ref, keys_of(request))
        return {"same": same, "outcome": d.outcome.value}

    return _run(s, lang, go)


@router.post("/proposals/{ref}/clear", response_model=ProposalOut)
def clear(request: Request, ref: Ref, body: ClearIn, actor: WhoW, s: WDB, lang: Lang) -> Any:
    """Clear a proposal that needs review (e.g. a sanctions match reviewed) for assessment."""
    return _run(
        s,
        lang,
        lambda: _proposal_out(
            s, actor, sv.clear(s, actor, ref, body.note), keys_of(request), lang, False
        ),
    )


@router.post("/proposals/{ref}/conflict", status_code=204, response_model=None)
def declare(request: Request, ref: Ref, body: ConflictIn, actor: WhoW, s: WDB, lang: Lang) -> Any:
    def go() -> Response:
        sv.declare(s, actor, ref, body.conflicted, keys_of(request))
        return Response(status_code=204)

    return _run(s, lang, go)


@router.post("/proposals/{ref}/score", status_code=204, response_model=None)
def score(request: Request, ref: Ref, body: ScoreIn, actor: WhoW, s: WDB, lang: Lang) -> Any:
    def go() -> Response:
        sv.score(s, actor, ref, body.marks, keys_of(request))
        return Response(status_code=204)

    return _run(s, lang, go)


@router.post("/proposals/{ref}/decision", response_model=ProposalOut)
def decide(request: Request, ref: Ref, body: DecisionIn, actor: WhoW, s: WDB, lang: Lang) -> Any:
    """Approve (in the funding plan) or decline, with the bilingual letter."""
    keys = keys_of(request)

    def go() -> ProposalOut:
        p = sv.decide(s, actor, ref, body.decision == "approve", keys, deps.today(request))
        return _proposal_out(s, actor, p, keys, lang, False)

    return _run(s, lang, go)


@router.get("/proposals/{ref}/letter")
def letter(request: Request, ref: Ref, actor: WhoW, s: WDB, lang: Lang) -> Any:
    """The decision letter, English and French (applicant, officer; the read is audited)."""

    def go() -> Any:
        out = sv.letter(s, actor, ref, keys_of(request))
        if out is None:
            raise OfficeError(404, "not_found", "letter")
        return out

    return _run(s, lang, go)


@router.post("/proposals/{ref}/agreement", response_model=AgreementOut, status_code=201)
def draw_up(request: Request, ref: Ref, actor: WhoW, s: WDB, lang: Lang) -> Any:
    return _run(
        s,
        lang,
        lambda: _agreement_out(s, sv.draw_up(s, actor, ref, keys_of(request), deps.today(request))),
    )


@router.get("/proposals/{ref}/agreement", response_model=AgreementOut)
def get_agreement(ref: Ref, actor: WhoR, s: DB, lang: Lang) -> Any:
    try:
        return _agreement_out(s, sv.agreement_row(s, actor, ref))
    except OfficeError as e:
        return _refuse(e, lang)


@router.get(
    "/proposals/{ref}/agreement.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def agreement_pdf(request: Request, ref: Ref, actor: WhoW, s: WDB, lang: Lang) -> Any:
    def go() -> Response:
        _row, f = sv.agreement_for_reading(s, actor, ref, keys_of(request))
        return Response(agreements_mod.render_pdf(f.agreement, lang), media_type="application/pdf")

    return _run(s, lang, go)


@router.post("/proposals/{ref}/agreement/sign", response_model=AgreementOut)
def sign(ref: Ref, body: SignIn, actor: WhoW, s: WDB, lang: Lang) -> Any:
    return _run(s, lang, lambda: _agreement_out(s, sv.sign(s, actor, ref, body.signed_on)))


@router.post("/proposals/{ref}/payments", response_model=AgreementOut, status_code=201)
def pay(ref: Ref, body: PaymentIn, actor: WhoW, s: WDB, lang: Lang) -> Any:
    """Record a payment; never above the instalment or the agreement (row lock)."""

    def go() -> AgreementOut:
        sv.pay(s, actor, ref, body.kind, body.amount, body.paid_on, body.reference)
        return _agreement_out(s, sv.agreement_row(s, actor, ref))

    return _run(s, lang, go)


@router.post("/proposals/{ref}/reports", response_model=AgreementOut, status_code=201)
def report(request: Request, ref: Ref, body: ReportIn, actor: WhoW, s: WDB, lang: Lang) -> Any:
    def go() -> AgreementOut:
        sv.report(
            s,
            actor,
            ref,
            body.kind,
            keys_of(request),
            deps.today(request),
            body.text,
            dict(body.actuals),
        )
        return _agreement_out(s, sv.agreement_row(s, actor, ref))

    return _run(s, lang, go)


@router.post("/proposals/{ref}/reports/accept", response_model=AgreementOut)
def accept_reports(request: Request, ref: Ref, actor: WhoW, s: WDB, lang: Lang) -> Any:
    return _run(
        s, lang, lambda: _agreement_out(s, sv.accept_reports(s, actor, ref, deps.today(request)))
    )


@router.post("/proposals/{ref}/close", response_model=AgreementOut)
def close(request: Request, ref: Ref, actor: WhoW, s: WDB, lang: Lang) -> Any:
    return _run(s, lang, lambda: _agreement_out(s, sv.close(s, actor, ref, deps.today(request))))


class GroupOut(BaseModel):
    key: str
    label: str
    proposals: int
    approved_count: int
    requested: str
    approved: str
    paid: str


@router.get("/portfolio", response_model=list[GroupOut])
def portfolio(
    actor: WhoR,
    s: DB,
    lang: Lang,
    by: Literal["fiscal_year", "country", "theme", "recipient_type"] = "fiscal_year",
) -> Any:
    """Counts and amounts of the officer's missions' proposals (no sensitive field)."""
    from bilateral.cfli import portfolio as portfolio_mod

    try:
        rows = sv.portfolio_rows(s, actor)
    except OfficeError as e:
        return _refuse(e, lang)
    return [
        GroupOut(
            key=g.key,
            label=g.label(lang),
            proposals=g.proposals,
            approved_count=g.approved_count,
            requested=str(g.requested),
            approved=str(g.approved),
            paid=str(g.paid),
        )
        for g in portfolio_mod.summarise(rows, by)
    ]


class DocumentOut(BaseModel):
    id: int
    media_type: str
    size: int


@router.post("/proposals/{ref}/documents", response_model=DocumentOut, status_code=201)
async def add_document(
    request: Request,
    ref: Ref,
    actor: WhoW,
    s: WDB,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG or UTF-8 text")],
    lang: Lang,
) -> Any:
    """A supporting document on a draft (grant applicant); stored encrypted."""
    settings = deps.settings(request)
    data = await file.read(settings.max_upload + 1)

    def go() -> DocumentOut:
        row = sv.add_document(
            s,
            actor,
            ref,
            file.filename or "",
            data,
            keys_of(request),
            settings.data_dir,
            settings.max_upload,
        )
        return DocumentOut(id=row.id, media_type=row.media_type, size=row.size)

    return _run(s, lang, go)


@router.get(
    "/proposals/{ref}/documents/{doc_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_document(
    request: Request,
    ref: Ref,
    doc_id: Annotated[int, FPath(ge=1, le=2_147_483_647)],
    actor: WhoW,
    s: WDB,
    lang: Lang,
) -> Any:
    """A document's bytes (applicant, officer, assigned member); the read is audited."""

    def go() -> Response:
        _name, media, data = sv.read_document(
            s, actor, ref, doc_id, keys_of(request), deps.settings(request).data_dir
        )
        return Response(data, media_type=media)

    return _run(s, lang, go)
