"""The HTTP layer of the platform: limits, security headers, page sessions, offline API
docs, the audit checkpoint loop, error handlers, and ``create_app``, which builds the ASGI
application from the platform and the applications it is given (the composition root,
``bilateral.server``, gives them)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bilateral.errors import BadInput
from bilateral.platform import api, application, audit, db, deps, i18n, web
from bilateral.platform import settings as settings_mod
from bilateral.platform.accounts import OfficeError
from bilateral.platform.schemas import has_control
from bilateral.platform.security import LoginThrottle
from bilateral.platform.settings import Settings

log = logging.getLogger("bilateral.platform")
HERE = Path(__file__).parent


class BodyLimit:
    """Refuse bodies larger than the upload limit (plus form overhead) with 413, early."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.limit
            except ValueError:
                too_big = True
            if too_big:
                await _send_too_large(send, scope["path"], self.limit)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise OfficeError(413, "too_large", "body", limit=self.limit)
            return msg

        await self.app(scope, limited, send)


async def _send_too_large(send: Send, path: str, limit: int) -> None:
    message = i18n.t("err.too_large", limit=limit)
    if path.startswith("/api"):
        body = json.dumps({"error": "too_large", "field": "body", "message": message}).encode()
        kind = b"application/json"
    else:
        fr = i18n.t("err.too_large", "fr", limit=limit)
        body = (
            "<!doctype html><html lang='en'><meta charset='utf-8'><title>413</title>"
            f"<h1>413</h1><p>{message}</p><p lang='fr'>{fr}</p><p><a href='/'>Home</a></p></html>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# The pages need no JavaScript: no script at all, styles and images from this origin only.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# Swagger UI and ReDoc (same-origin assets; their bootstrap script is inline)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'"
)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
_ALWAYS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
_PAGE_CSP = (b"content-security-policy", PAGE_CSP.encode())
_DOCS_CSP = (b"content-security-policy", DOCS_CSP.encode())
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """Headers on every answer, an Origin check on form posts, Secure cookies over HTTPS.

    * ``Content-Security-Policy`` (HTML pages: no script), ``X-Frame-Options: DENY``,
      ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``; HTML pages
      also ``Cache-Control: no-store`` unless the page set its own.
    * A state-changing web form post whose ``Origin`` header names another origin is
      refused with 403 before anything runs (the CSRF token is the other defence).
    * ``secure_cookies``: ``auto`` (default) marks cookies ``Secure`` when the request came
      over HTTPS (uvicorn honours ``X-Forwarded-Proto`` from a trusted proxy); ``1``
      always; ``0`` never.
    """

    def __init__(self, app: ASGIApp, secure_cookies: str) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = dict(scope.get("headers") or [])
        bad = _control_in_request(scope)
        if bad is not None:
            await _send_control_refusal(send, path, bad)
            return
        if scope["method"] in UNSAFE and not path.startswith("/api/"):
            origin = headers.get(b"origin")
            if origin is not None and not _same_origin(scope, origin.decode("latin-1")):
                await _send_plain(send, 403, "cross-origin form post refused")
                return
        https = scope.get("scheme") == "https"
        secure = self.secure_cookies == "1" or (self.secure_cookies == "auto" and https)
        docs = path.startswith(("/docs", "/redoc"))

        async def wrapped(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                raw = list(msg.get("headers") or [])
                names = {k.lower() for k, _ in raw}
                kind = dict(raw).get(b"content-type", b"")
                extra = list(_ALWAYS)
                if b"content-security-policy" not in names:
                    extra.append(_DOCS_CSP if docs else _PAGE_CSP)
                if kind.startswith(b"text/html") and b"cache-control" not in names:
                    extra.append(_NO_STORE)
                replaced = {e[0] for e in extra}
                out = [(k, v) for k, v in raw if k.lower() not in replaced]
                if secure:
                    out = [
                        (k, v + b"; secure")
                        if k.lower() == b"set-cookie" and b"secure" not in v.lower()
                        else (k, v)
                        for k, v in out
                    ]
                msg = {**msg, "headers": out + extra}
            await send(msg)

        await self.app(scope, receive, wrapped)


def _control_in_request(scope: Scope) -> str | None:
    """The query parameter (or ``path``) holding a NUL or other control character."""
    if has_control(scope["path"]):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%" not in query and not has_control(query):
        return None  # nothing escaped, nothing to decode: the raw text is what is read
    for name, value in parse_qsl(query, keep_blank_values=True):
        if has_control(name) or has_control(value):
            return name if not has_control(name) else "query"
    return None


async def _send_control_refusal(send: Send, path: str, field: str) -> None:
    message = i18n.t("err.control_chars")
    body = json.dumps({"error": "control_chars", "field": field, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _same_origin(scope: Scope, origin: str) -> bool:
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
    return origin in (f"{scope.get('scheme', 'http')}://{host}", f"https://{host}")


async def _send_plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class PageSessions(SessionMiddleware):
    """Signed-cookie sessions for the web pages only; the JSON API uses bearer tokens."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(
            ("/api/", "/static/", "/docs", "/redoc", "/openapi")
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/openapi", "/docs", "/redoc"))


def _json_path(loc: Sequence[Any]) -> str:
    """A pydantic location as the request's own path: ``lines[0].hs_code``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


DOCS_ASSETS = "/docs-assets"


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI (``/docs``) and ReDoc (``/redoc``) from same-origin assets only.

    The assets (Swagger UI 5, which reads OpenAPI 3.1, and ReDoc 2) are the static files
    shipped in the ``fastapi-offline`` wheel; nothing is fetched from the internet.
    """
    import fastapi_offline
    from fastapi.openapi.docs import (
        get_redoc_html,
        get_swagger_ui_html,
        get_swagger_ui_oauth2_redirect_html,
    )
    from fastapi.responses import HTMLResponse

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")
    title = f"{app.title} · API"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )


async def _checkpoint_loop(app: FastAPI, key: Any, settings: Settings) -> None:
    """Sign the audit head into the checkpoint file every ``checkpoint_seconds`` (when it
    moved), outside any request; a failure is logged and retried next time."""

    def once() -> None:
        with app.state.sessions() as s:
            audit.write_checkpoint(s, key, settings.audit_checkpoints)
            s.rollback()

    while True:
        try:
            await anyio.to_thread.run_sync(once)
        except Exception:
            log.exception("audit checkpoint failed")
        await anyio.sleep(settings.checkpoint_seconds)


TITLE = "Bilateral permit office"
DESCRIPTION = (
    "Export permit applications, decisions, permits and their use under the Export "
    "and Import Permits Act, for Area Control List destinations (Belarus). "
    "Authenticate with `Authorization: Bearer <token>` (`bilateral users create`)."
)


def create_app(
    settings: Settings | None = None,
    checks: Any = None,
    engine: Engine | None = None,
    auto_upgrade: bool = False,
    applications: Sequence[application.Application] = (),
    title: str = TITLE,
    description: str = DESCRIPTION,
) -> FastAPI:
    """Build the ASGI app: the platform plus ``applications`` (each is installed: its
    roles, catalog domain, templates, migrations, hooks). ``checks`` defaults to
    ``bilateral.engine.checks``."""
    for a in applications:
        application.install(a)
    web.use_application_templates()
    settings = settings or settings_mod.load()
    if checks is None:
        from bilateral.engine import checks as engine_checks

        checks = engine_checks
    settings.ensure_data_dir()
    engine = engine or db.make_engine(settings)
    if auto_upgrade:
        db.upgrade(settings, engine=engine)

    signer = audit.signing_key(os.environ)  # a malformed key stops the start, with its name

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Fewer worker threads than the default 40: requests waiting on a row lock hold a
        # thread, and many runnable threads make the lock holder wait for the GIL.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # hand the GIL over sooner: a thread that was just granted a row lock should not
        # wait the default 5 ms for the interpreter while other threads parse requests
        sys.setswitchinterval(0.0005)
        if signer is None:
            yield
            return
        async with anyio.create_task_group() as tg:
            tg.start_soon(_checkpoint_loop, app, signer, settings)
            yield
            tg.cancel_scope.cancel()

    app = FastAPI(
        lifespan=lifespan,
        # /docs and /redoc are served below from local assets (closed networks: no CDN)
        docs_url=None,
        redoc_url=None,
        title=title,
        version="1",
        description=description,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = db.session_factory(engine)
    app.state.write_sessions = db.write_session_factory(engine)
    app.state.checks = checks
    app.state.login_throttle = LoginThrottle()

    @app.exception_handler(OfficeError)
    async def office_error(request: Request, exc: OfficeError) -> Response:
        if _wants_html(request):
            page = web.error_page(request, exc.status, exc.code, exc.field, exc.params)
            if exc.status == 429:
                page.headers["Retry-After"] = str(exc.params.get("seconds", 1))
            return page
        lang = deps.api_lang(request)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if exc.status == 429:
            headers = {"Retry-After": str(exc.params.get("seconds", 1))}
        params = dict(exc.params)
        if lang == "fr" and params.get("problem_fr"):
            params["problem"] = params["problem_fr"]  # a domain's problem said in French
        return JSONResponse(
            {
                "error": exc.code,
                "field": exc.field,
                "message": i18n.t("err." + exc.code, lang, **params),
            },
            status_code=exc.status,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "loc": [str(x) for x in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        if _wants_html(request):
            field = ".".join(errors[0]["loc"][1:]) if errors else None
            return web.error_page(request, 422, "invalid", field, {"detail": errors})
        field = _json_path(exc.errors()[0].get("loc", ())[1:]) if errors else None
        # the documented error shape (one line in the reader's language, naming the field
        # as the request spells it), and FastAPI's ``detail`` list beside it
        lang = deps.api_lang(request)
        said = (
            web.validation_message(exc.errors()[0], lang) if errors else i18n.t("err.invalid", lang)
        )
        return JSONResponse(
            {
                "error": "invalid",
                "field": field or None,
                "message": f"{field}{' : ' if lang == 'fr' else ': '}{said}" if field else said,
                "detail": errors,
            },
            status_code=422,
        )

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> Response:
        # a domain refusal that no route turned into an answer of its own: still a problem
        # with what the user sent, so a 422 naming the field, never a 500
        log.warning("uncaught refusal on %s %s: %s", request.method, request.url.path, exc)
        return await office_error(request, OfficeError(422, "invalid", exc.field))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            code = "not_found" if exc.status_code == 404 else "invalid"
            return web.error_page(request, exc.status_code, code, None, {})
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "invalid"
        )
        # the documented error shape (ErrorOut), and ``detail`` as FastAPI gives it
        return JSONResponse(
            {"error": code, "field": None, "message": str(exc.detail), "detail": exc.detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # a value the database cannot store that the schemas let through: a 422, never a
        # 500 (the transaction is rolled back; the schemas should be tightened)
        log.warning("data error on %s %s: %s", request.method, request.url.path, exc.orig)
        return await office_error(request, OfficeError(422, "invalid", None))

    @app.exception_handler(OperationalError)
    async def busy(request: Request, exc: OperationalError) -> Response:
        # SQLite: another process (a CLI command, a second worker) held the write lock for
        # longer than the busy timeout. Nothing was written; the client may retry.
        if "database is locked" not in str(exc):
            return await crash(request, exc)
        log.warning("database busy on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": "busy", "field": None, "message": i18n.t("err.busy")},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_html(request):
            return web.error_page(request, 500, "server", None, {})
        return JSONResponse(
            {"error": "server", "field": None, "message": i18n.t("err.server")}, status_code=500
        )

    # each application's routers in the order given (an application lists first the
    # routes that must win over its later ones), the platform's API and pages after
    for a in applications:
        for r in a.api_routers:
            app.include_router(r)
    app.include_router(api.router)
    for a in applications:
        for r in a.web_routers:
            app.include_router(r)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _offline_docs(app)
    app.add_middleware(
        PageSessions,
        secret_key=settings.ensure_session_key(),
        session_cookie="bilateral_session",
        same_site="lax",
        https_only=settings.secure_cookies == "1",
        max_age=8 * 3600,
    )
    app.add_middleware(BodyLimit, limit=settings.max_upload + 256 * 1024)
    app.add_middleware(SecurityHeaders, secure_cookies=settings.secure_cookies)
    for a in applications:
        for hook in a.startup:
            hook(app)
    return app
