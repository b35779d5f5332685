"""The JSON API (``/api``): Bearer-token auth, roles enforced in every endpoint."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
from typing import Annotated, Any

import anyio.to_thread
import orjson
from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bilateral.errors import BadInput
from bilateral.office import present, reports, services
from bilateral.office.models import Application, Document, Permit
from bilateral.office.schemas import (
    AmendmentIn,
    ApplicationIn,
    ApplicationOut,
    ConsultationIn,
    DecisionIn,
    PermitActionIn,
    PermitOut,
    QueueItem,
    ShipmentIn,
    ShipmentOut,
    UtilisationOut,
)
from bilateral.platform import deps, uploads
from bilateral.platform.accounts import Actor, OfficeError
from bilateral.platform.api import DB, ERRORS, Id, Who, _roles, bearer_actor, bearer_token
from bilateral.platform.db import begin_write

Today = Annotated[dt.date, Depends(deps.today_dep)]


router = APIRouter(prefix="/api", responses=ERRORS)
log = logging.getLogger(__name__)
public = APIRouter(prefix="/api", tags=["checks"])


# ------------------------------------------------------------------ public checks


class _Answer(JSONResponse):
    """The same bytes as JSONResponse (compact, UTF-8, no NaN), serialised by orjson: the
    public checks are the busiest endpoints, and json.dumps was a tenth of their cost."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def refused(e: BadInput, lang: str) -> JSONResponse:
    """The engine's refusal: the field as the request spells it, one line in the reader's
    language."""
    from bilateral.faces import refusal

    return JSONResponse(
        {"error": "bad_input", "field": e.field, "message": refusal.said(e, lang)},
        status_code=422,
    )


def _ask(fn: Any, **kw: Any) -> JSONResponse:
    try:
        answer = fn(**kw)
    except BadInput as e:
        return refused(e, str(kw.get("lang", "en")))
    except NotImplementedError:
        raise OfficeError(503, "engine_unavailable") from None
    return _Answer(answer)


ANSWER_DOC = (
    "Returns the engine's answer verbatim (same fields as the CLI's --json). "
    "422 with the offending field on bad input."
)


class ExportQuery(BaseModel):
    """The export check's query: validated by pydantic once per request, as FastAPI would
    validate the same parameters one by one (same rules, same error entries), at a fraction
    of the cost of FastAPI's per-parameter resolution on this busiest public endpoint."""

    model_config = ConfigDict(extra="ignore")
    to: Annotated[str, Field(max_length=60, description="destination country")]
    on: Annotated[dt.date | None, Field(description="date (default today)")] = None
    hs: Annotated[str | None, Field(max_length=20)] = None
    category: Annotated[str | None, Field(max_length=60)] = None
    ecl: Annotated[str | None, Field(max_length=40)] = None
    lang: Annotated[
        str | None,
        Field(pattern="^(en|fr)$", description="language (default: the Accept-Language header)"),
    ] = None


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI parameters of a query model, as FastAPI writes them for declared params."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    out = []
    for name, field in schema["properties"].items():
        entry: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        if "description" in field:
            entry["description"] = field["description"]
        out.append(entry | {"schema": field})
    return out


_VALIDATION_ERROR = {
    "description": "Validation Error",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
    },
}


@public.get(
    "/check/export",
    summary="Is an export permit required?",
    description=ANSWER_DOC,
    openapi_extra={"parameters": _query_parameters(ExportQuery)},
    responses={422: _VALIDATION_ERROR},
)
async def check_export(request: Request) -> JSONResponse:
    try:
        q = ExportQuery.model_validate(dict(request.query_params))
    except ValidationError as error:
        raise RequestValidationError(
            [
                {"type": e["type"], "loc": ("query", *e["loc"]), "msg": e["msg"]}
                for e in error.errors(include_url=False)
            ]
        ) from None
    return _ask(
        deps.checks(request).check_export,
        to=q.to,
        on=q.on or deps.today(request),
        hs=q.hs,
        category=q.category,
        ecl=q.ecl,
        lang=deps.api_lang(request, q.lang),
    )


@public.get("/check/import", summary="How is an import treated?", description=ANSWER_DOC)
async def check_import(
    request: Request,
    origin: Annotated[str, Query(max_length=60)],
    hs: Annotated[str, Query(max_length=20)],
    on: dt.date | None = None,
    mfn_rate: Annotated[str | None, Query(max_length=20)] = None,
    lang: Annotated[
        str | None,
        Query(pattern="^(en|fr)$", description="language (default: the Accept-Language header)"),
    ] = None,
) -> JSONResponse:
    return _ask(
        deps.checks(request).check_import,
        origin=origin,
        on=on or deps.today(request),
        hs=hs,
        mfn_rate=mfn_rate,
        lang=deps.api_lang(request, lang),
    )


@public.get("/check/contact", summary="Is an official contact allowed?", description=ANSWER_DOC)
async def check_contact(
    request: Request,
    with_: Annotated[str, Query(alias="with", max_length=60)],
    topic: Annotated[str, Query(max_length=60)],
    on: dt.date | None = None,
    lang: Annotated[
        str | None,
        Query(pattern="^(en|fr)$", description="language (default: the Accept-Language header)"),
    ] = None,
) -> JSONResponse:
    return _ask(
        deps.checks(request).check_contact,
        with_=with_,
        on=on or deps.today(request),
        topic=topic,
        lang=deps.api_lang(request, lang),
    )


@public.get("/countries/{country}/measures", summary="Measures in force on a date")
async def country_measures(
    request: Request,
    country: Annotated[str, Path(max_length=60)],
    on: dt.date | None = None,
    lang: Annotated[
        str | None,
        Query(pattern="^(en|fr)$", description="language (default: the Accept-Language header)"),
    ] = None,
) -> JSONResponse:
    return _ask(
        deps.checks(request).measures,
        country=country,
        on=on or deps.today(request),
        lang=deps.api_lang(request, lang),
    )


# /countries/{country}/timeline, profile, diff and stats: office/countries_web.py


# ------------------------------------------------------------------ users


# ------------------------------------------------------------------ applications

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


@router.get("/applications", response_model=list[ApplicationOut], tags=["applications"])
def list_applications(
    actor: Who,
    s: DB,
    today: Today,
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[ApplicationOut]:
    q = services.visible_applications(actor)
    if status:
        q = q.where(Application.status == status)
    q = q.order_by(Application.id.desc()).limit(limit).offset(offset)
    return [present.application(s, a, today) for a in s.execute(q).scalars()]


@router.post("/applications", response_model=ApplicationOut, status_code=201, tags=["applications"])
def create_application(data: ApplicationIn, actor: Who, s: DB, today: Today) -> ApplicationOut:
    app = services.create_application(s, actor, data)
    out = present.application(s, app, today)
    s.commit()
    return out


@router.get("/applications/{app_id}", response_model=ApplicationOut, tags=["applications"])
def read_application(app_id: Id, actor: Who, s: DB, today: Today) -> ApplicationOut:
    return present.application(s, services.get_application(s, actor, app_id), today)


@router.put("/applications/{app_id}", response_model=ApplicationOut, tags=["applications"])
def update_application(
    app_id: Id, data: ApplicationIn, actor: Who, s: DB, today: Today
) -> ApplicationOut:
    app = services.update_application(s, actor, app_id, data)
    out = present.application(s, app, today)
    s.commit()
    return out


@router.post(
    "/applications/{app_id}/copy",
    response_model=ApplicationOut,
    status_code=201,
    tags=["applications"],
    summary="Copy from a previous application into a new draft",
)
def copy_application(app_id: Id, actor: Who, s: DB, today: Today) -> ApplicationOut:
    app = services.copy_application(s, actor, app_id)
    out = present.application(s, app, today)
    s.commit()
    return out


@router.post(
    "/applications/{app_id}/documents",
    response_model=ApplicationOut,
    status_code=201,
    tags=["applications"],
    summary="Upload a supporting document (PDF, PNG, JPEG, plain text; 10 MB max)",
)
def upload_document(
    request: Request,
    app_id: Id,
    actor: Who,
    s: DB,
    today: Today,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=40)] = "supporting",
) -> ApplicationOut:
    _roles(actor, "applicant")
    services.get_application(s, actor, app_id)
    settings = deps.settings(request)
    data = file.file.read(settings.max_upload + 1)
    media, digest = uploads.check(data, settings.max_upload)
    services.add_document(
        s,
        actor,
        app_id,
        filename=file.filename or "document",
        media_type=media,
        size=len(data),
        sha256=digest,
        kind=kind or "supporting",
    )
    uploads.store(settings.documents_dir, digest, data)
    app = services.get_application(s, actor, app_id)
    s.commit()
    s.refresh(app)
    return present.application(s, app, today)


@router.get(
    "/applications/{app_id}/documents/{doc_id}",
    tags=["applications"],
    response_class=FileResponse,
)
def download_document(request: Request, app_id: Id, doc_id: Id, actor: Who, s: DB) -> Any:
    return document_response(request, s, actor, app_id, doc_id)


def document_response(request: Request, s: Session, actor: Actor, app_id: int, doc_id: int) -> Any:
    """A supporting document as an attachment with its stored content type, never sniffed.

    Visibility is the application's (another organisation's applicant gets 404).
    """
    app = services.get_application(s, actor, app_id)
    doc = s.get(Document, doc_id)
    if doc is None or doc.application_id != app.id:
        raise OfficeError(404, "not_found", "doc_id")
    path = uploads.path_for(deps.settings(request).documents_dir, doc.sha256)
    if not path.exists():
        raise OfficeError(404, "not_found", "doc_id")
    return FileResponse(
        path,
        media_type=doc.media_type,
        filename=doc.filename,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/applications/{app_id}/submit",
    response_model=ApplicationOut,
    tags=["applications"],
    summary="Submit a draft: the engine pre-assesses every line",
)
def submit_application(
    request: Request, app_id: Id, actor: Who, s: DB, today: Today
) -> ApplicationOut:
    app = services.submit(s, actor, app_id, deps.checks(request), today)
    out = present.application(s, app, today)
    s.commit()
    return out


@router.get("/applications/{app_id}/assessment", tags=["applications"])
def read_assessment(
    request: Request,
    app_id: Id,
    actor: Who,
    s: DB,
    replay: Annotated[bool, Query(description="re-ask the stored questions now")] = False,
) -> dict[str, Any]:
    """The engine's answers as stored at submission, with their law_version.

    With ``replay=true`` the stored questions are asked again of the engine as it is now:
    the reply says whether the law version is the same and whether every answer is
    identical (it must be when the law version is unchanged).
    """
    app = services.get_application(s, actor, app_id)
    out: dict[str, Any] = {
        "reference": app.reference,
        "law_version": app.law_version,
        "assessment": app.assessment,
    }
    if replay and app.assessment:
        now = services.replay(deps.checks(request), app.assessment)
        out["replay"] = now
    return out


@router.post(
    "/applications/{app_id}/reassess",
    response_model=ApplicationOut,
    tags=["officers"],
    summary="Replay the pre-assessment under the law in force today (stored, audited)",
)
def reassess_application(
    request: Request, app_id: Id, actor: Who, s: DB, today: Today
) -> ApplicationOut:
    app = services.reassess(s, actor, app_id, deps.checks(request), today)
    out = present.application(s, app, today)
    s.commit()
    return out


@router.post(
    "/applications/{app_id}/consultation", response_model=ApplicationOut, tags=["officers"]
)
def set_consultation(
    app_id: Id, data: ConsultationIn, actor: Who, s: DB, today: Today
) -> ApplicationOut:
    app = services.set_consultation(s, actor, app_id, data.needed)
    out = present.application(s, app, today)
    s.commit()
    return out


@router.post("/applications/{app_id}/decision", response_model=ApplicationOut, tags=["officers"])
def decide(
    request: Request, app_id: Id, data: DecisionIn, actor: Who, s: DB, today: Today
) -> ApplicationOut:
    app = services.decide(s, actor, app_id, data, today, deps.checks(request))
    out = present.application(s, app, today)
    s.commit()
    return out


@router.get("/queue", response_model=list[QueueItem], tags=["officers"])
def work_queue(actor: Who, s: DB, today: Today) -> list[QueueItem]:
    return [present.queue_item(s, a, today) for a in services.queue(s, actor)]


# ------------------------------------------------------------------ permits


@router.get("/permits", response_model=list[PermitOut], tags=["permits"])
def list_permits(
    actor: Who, s: DB, today: Today, limit: Limit = 100, offset: Offset = 0
) -> list[PermitOut]:
    q = services.visible_permits(actor).order_by(Permit.id.desc())
    return [present.permit(s, p, today) for p in s.execute(q.limit(limit).offset(offset)).scalars()]


@router.get("/permits/{permit_id}", response_model=PermitOut, tags=["permits"])
def read_permit(permit_id: Id, actor: Who, s: DB, today: Today) -> PermitOut:
    return present.permit(s, services.get_permit(s, actor, permit_id), today)


@router.post(
    "/permits/{permit_id}/amendments",
    response_model=ApplicationOut,
    status_code=201,
    tags=["permits"],
    summary="Request an amendment (before expiry)",
)
def request_amendment(
    request: Request, permit_id: Id, data: AmendmentIn, actor: Who, s: DB, today: Today
) -> ApplicationOut:
    app = services.request_amendment(s, actor, permit_id, data, deps.checks(request), today)
    out = present.application(s, app, today)
    s.commit()
    return out


def _transition(action: str) -> Any:
    def endpoint(permit_id: Id, data: PermitActionIn, actor: Who, s: DB, today: Today) -> PermitOut:
        p = services.transition(s, actor, permit_id, action, data.reason, today)
        out = present.permit(s, p, today)
        s.commit()
        return out

    endpoint.__name__ = f"{action}_permit"
    return endpoint


for _action in ("suspend", "reinstate", "cancel", "expire"):
    router.add_api_route(
        f"/permits/{{permit_id}}/{_action}",
        _transition(_action),
        methods=["POST"],
        response_model=PermitOut,
        tags=["permits"],
        summary=f"{_action.capitalize()} a permit (officer)",
    )


def _question_cache(request: Request) -> services.QuestionCache:
    """The engine questions of each permit's lines, kept by this application (one database)."""
    cache: services.QuestionCache | None = getattr(request.app.state, "permit_questions", None)
    if cache is None:
        cache = request.app.state.permit_questions = services.QuestionCache()
    return cache


# ------------------------------------------------------------- shipments (drawdown)
#
# On PostgreSQL a drawdown holds its permit row and the audit head until its commit is on
# disk: one commit (one WAL flush) at a time for the whole office. So each server process
# draws the shipments that are ready at the same moment in one transaction, one commit
# for them all (group commit): the part before the locks (authentication, visibility,
# idempotency, the law on the day) runs per request, concurrently; the draws queue for
# the process's one drawing transaction. A shipment is answered only after the commit
# that recorded it. Anything unexpected in a batch (a key taken by a concurrent request,
# a deadlock with another kind of write) rolls the batch back and each of its shipments
# runs alone, as on SQLite.

_BATCH_MAX = 64  # shipments per drawing transaction


class _Drawer:
    """One per process (event loop) and database: the queue of prepared shipments and
    the task that draws them, one transaction at a time."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self.queue: list[tuple[services.Ticket, asyncio.Future[ShipmentOut | None]]] = []
        self.task: asyncio.Task[None] | None = None

    async def draw(self, ticket: services.Ticket) -> ShipmentOut | None:
        """The shipment as recorded, or None: run it alone (refused, or its batch failed)."""
        fut: asyncio.Future[ShipmentOut | None] = asyncio.get_running_loop().create_future()
        self.queue.append((ticket, fut))
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        return await asyncio.shield(fut)

    async def _run(self) -> None:
        try:
            while self.queue:
                batch, self.queue = self.queue[:_BATCH_MAX], self.queue[_BATCH_MAX:]
                try:
                    done = await anyio.to_thread.run_sync(self._batch, [t for t, _ in batch])
                except BaseException as e:  # answered as the request's own error
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(e)
                    if not isinstance(e, Exception):
                        raise
                    continue
                for (_, fut), out in zip(batch, done, strict=True):
                    if not fut.done():
                        fut.set_result(out)
        finally:
            self.task = None

    def _batch(self, tickets: list[services.Ticket]) -> list[ShipmentOut | None]:
        # a second request with a key already in the batch (a client's retry) would fail
        # the batch on the unique key: it waits for the batch and runs alone (a replay)
        keys: set[tuple[int, str | None]] = set()
        first: list[services.Ticket] = []
        for t in tickets:
            k = (t.shipment.permit_id, t.shipment.idempotency_key)
            if k not in keys:
                keys.add(k)
                first.append(t)
        with self.factory() as s:
            begin_write(s)
            try:
                drawn = dict(zip(map(id, first), services.draw_batch(s, first), strict=True))
                s.commit()
            except Exception:
                # a key taken meanwhile, a deadlock, a value the database refuses: nothing
                # of the batch was written; each shipment runs alone and gets its own answer
                log.info("shipment batch of %d rolled back; each runs alone", len(tickets))
                return [None] * len(tickets)
            finally:
                s.rollback()
            out: list[ShipmentOut | None] = []
            for t in tickets:
                d = drawn.get(id(t))
                out.append(
                    None
                    if d is None
                    else present.shipment(s, d.shipment, False, d.permit_number, t.actor.username)
                )
            return out


def _drawer(request: Request) -> _Drawer:
    # keyed by loop, as the write gate is: the test client may run requests on more than one
    drawers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Drawer] | None = getattr(
        request.app.state, "shipment_drawers", None
    )
    if drawers is None:
        drawers = request.app.state.shipment_drawers = weakref.WeakKeyDictionary()
    loop = asyncio.get_running_loop()
    drawer = drawers.get(loop)
    if drawer is None:
        drawer = drawers[loop] = _Drawer(request.app.state.sessions)
    return drawer


@router.post(
    "/permits/{permit_id}/shipments",
    response_model=ShipmentOut,
    status_code=201,
    tags=["permits"],
    summary="Record a shipment against a permit line (idempotent with Idempotency-Key)",
    responses={200: {"model": ShipmentOut, "description": "replay of an earlier request"}},
)
async def record_shipment(
    request: Request,
    permit_id: Id,
    data: ShipmentIn,
    today: Today,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> Any:
    # The hot path of drawdown: authentication, the locked drawdown and the commit run in
    # one worker-thread hop (not one per dependency); on PostgreSQL the draw itself joins
    # the process's next drawing transaction (see _Drawer).
    questions = _question_cache(request)
    factory: sessionmaker[Session] = request.app.state.sessions

    def prepare() -> tuple[ShipmentOut, bool] | services.Ticket:
        # before any lock: read-only, so no transaction of its own (no BEGIN, no ROLLBACK)
        with factory() as s:
            s.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            actor, done = services.prepare_shipment_for_token(
                s,
                bearer_token(request),
                permit_id,
                data,
                idempotency_key,
                today,
                deps.checks(request),
                questions,
            )
            if isinstance(done, services.Ticket):
                return done
            out = present.shipment(s, done.shipment, True, done.permit_number, actor.username)
            return out, False

    def work() -> tuple[ShipmentOut, bool]:
        with factory() as s:
            begin_write(s)
            try:
                actor = bearer_actor(request, s)
                try:
                    done = services.record_shipment(
                        s,
                        actor,
                        permit_id,
                        data,
                        idempotency_key,
                        today,
                        deps.checks(request),
                        questions,
                    )
                    s.commit()
                except IntegrityError:
                    # a concurrent request with the same key won: answer with its shipment
                    s.rollback()
                    begin_write(s)
                    done = services.record_shipment(
                        s,
                        actor,
                        permit_id,
                        data,
                        idempotency_key,
                        today,
                        deps.checks(request),
                        questions,
                    )
                    s.commit()
                out = present.shipment(
                    s, done.shipment, not done.new, done.permit_number, actor.username
                )
                return out, done.new
            finally:
                s.rollback()

    def alone(ticket: services.Ticket) -> ShipmentOut | None:
        # refused in its batch (or its batch rolled back): drawn alone, which names the
        # refusal; None when its key was taken meanwhile (then from the start)
        with factory() as s:
            begin_write(s)
            try:
                done = services.draw_shipment(s, ticket)
                s.commit()
            except IntegrityError:
                return None
            finally:
                s.rollback()
            out = present.shipment(
                s, done.shipment, False, done.permit_number, ticket.actor.username
            )
            return out

    if deps.settings(request).is_postgresql:
        ready = await anyio.to_thread.run_sync(prepare)
        if isinstance(ready, services.Ticket):
            drawn = await _drawer(request).draw(ready)
            if drawn is None:
                drawn = await anyio.to_thread.run_sync(alone, ready)
            if drawn is not None:
                return JSONResponse(drawn.model_dump(mode="json"), status_code=201)
        else:
            replay, _new = ready
            return JSONResponse(replay.model_dump(mode="json"), status_code=200)
    async with deps.write_gate(request):
        out, new = await anyio.to_thread.run_sync(work)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if new else 200)


@router.get("/permits/{permit_id}/shipments", response_model=list[ShipmentOut], tags=["permits"])
def list_shipments(permit_id: Id, actor: Who, s: DB) -> list[ShipmentOut]:
    return [present.shipment(s, sh) for sh in services.shipments_of(s, actor, permit_id)]


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the report"}
}


def csv_response(r: UtilisationOut) -> Response:
    return Response(
        reports.utilisation_csv(r),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{reports.csv_filename(r)}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/permits/{permit_id}/utilisation",
    response_model=UtilisationOut,
    tags=["permits"],
    summary="Utilisation report: authorised, used, remaining per line, with every shipment",
    responses=CSV_RESPONSE,
)
def utilisation(
    permit_id: Id,
    actor: Who,
    s: DB,
    today: Today,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """Per line: authorised, used and remaining quantity and value; the shipments with
    their dates, export declaration references and the line's balance after each.

    ``format=csv`` (or ``/utilisation.csv``) answers the same report as CSV. Visible to
    whoever may read the permit.
    """
    r = reports.utilisation(s, actor, permit_id, today)
    return csv_response(r) if format == "csv" else r


@router.get(
    "/permits/{permit_id}/utilisation.csv",
    tags=["permits"],
    summary="Utilisation report as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def utilisation_csv(permit_id: Id, actor: Who, s: DB, today: Today) -> Response:
    return csv_response(reports.utilisation(s, actor, permit_id, today))


# ------------------------------------------------------------------ audit
