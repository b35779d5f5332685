"""The web kit every application's pages use, and the shared pages (sign-in, account,
users, audit, privacy, errors).

Server-rendered (Jinja2), English and French, usable without JavaScript. Sessions are
signed cookies (Starlette ``SessionMiddleware`` with itsdangerous) naming a server-side
session row; every state-changing form carries a CSRF token bound to the session. Each POST
is one write transaction; a refused one changes nothing and shows the reason (never a stack
trace).

Templates: a ``ChoiceLoader`` over the platform's ``templates/`` and each installed
application's directory (``Application.templates``), so that applications extend
``base.html`` and import ``macros.html``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import anyio.to_thread
import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi import Path as FPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from bilateral.platform import accounts, application, audit, deps, i18n, present, roles, security
from bilateral.platform import db as db_mod
from bilateral.platform.accounts import Actor, OfficeError
from bilateral.platform.application import navigation
from bilateral.platform.models import ApiToken, AuditEntry, User
from bilateral.platform.schemas import UserIn, has_control

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(deps.db)]
Id = Annotated[int, FPath(ge=1, le=2_147_483_647)]
# where a signed-in user lands (an application serves it: the permit office's dashboard
# sends each role to its page)
LANDING = "/dashboard"


def use_application_templates() -> None:
    """Search the platform's templates, then each installed application's."""
    dirs = [HERE / "templates", *application.template_dirs()]
    templates.env.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(d) for d in dirs])
    for app in application.installed():
        FIELD_LABELS.update(app.field_labels)
        LIST_FIELDS.update(app.list_fields)
        GROUP_FIELDS.update(app.group_fields)
        for pair in app.value_errors:
            if pair not in VALUE_ERRORS:
                VALUE_ERRORS.append(pair)
    date_modified.cache_clear()


@functools.lru_cache(maxsize=1)
def date_modified() -> dt.date:
    """Canada.ca "Date modified": when the pages last changed (templates, catalogs,
    stylesheet) of the platform and the installed applications."""
    roots = [HERE, *(a.templates.parent for a in application.installed() if a.templates)]
    stamps = [
        f.stat().st_mtime
        for root in roots
        for pattern in ("templates/*.html", "locale/**/*.po", "static/*.css")
        for f in root.glob(pattern)
    ]
    return dt.datetime.fromtimestamp(max(stamps), dt.UTC).date()


# ------------------------------------------------------------------ helpers


def lang_of(request: Request) -> str:
    chosen = getattr(request.state, "lang", None)  # e.g. the sign-in form's hidden field
    if chosen in i18n.LANGS:
        return str(chosen)
    q = request.query_params.get("lang")
    if q in i18n.LANGS:
        return q
    c = request.cookies.get("lang")
    if c in i18n.LANGS:
        return c
    return "fr" if request.headers.get("accept-language", "").lower().startswith("fr") else "en"


def _session(request: Request) -> dict[str, Any]:
    if "session" not in request.scope:
        return {}
    sess: dict[str, Any] = request.session
    return sess


def csrf_token(request: Request) -> str:
    sess = _session(request)
    tok = sess.get("csrf")
    if not tok:
        tok = security.new_csrf()
        sess["csrf"] = tok
    return str(tok)


def current_user(request: Request, s: Session) -> User | None:
    sess = _session(request)
    uid = sess.get("uid")
    if not isinstance(uid, int):
        return None
    u = s.get(User, uid)
    if (
        u is None
        or not u.active
        or sess.get("epoch") != u.session_epoch
        or not accounts.web_session_live(s, uid, sess.get("sid"))
    ):
        # deactivated, credentials changed, signed out or expired: this session is over
        sess.clear()
        return None
    return u


def switch_url(request: Request, lang: str) -> str:
    params = dict(request.query_params)
    params["lang"] = lang
    # a path such as //other.example/x must not become a link to another host
    return f"{local_path(request)}?{urlencode(params)}"


def local_path(request: Request) -> str:
    """The request path as a same-site link: one leading slash, no backslash tricks."""
    return "/" + quote(request.url.path.replace("\\", "/").lstrip("/"), safe="/-._~")


def flash(request: Request, kind: str, text: str) -> None:
    sess = _session(request)
    if sess is not None:
        sess.setdefault("flash", []).append([kind, text])


def render(
    request: Request,
    name: str,
    ctx: dict[str, Any],
    status: int = 200,
    user: User | None = None,
) -> HTMLResponse:
    lang = lang_of(request)
    sess = _session(request)
    messages = sess.pop("flash", []) if sess else []
    # what the user typed into a form that was refused, so the page shows it again
    kept_raw = sess.pop("kept", None) if sess else None
    kept: dict[str, str] = {}
    if isinstance(kept_raw, dict) and kept_raw.get("path") == request.url.path:
        kept = dict(kept_raw.get("values") or {})

    def t(key: str, **params: Any) -> str:
        return i18n.t(key, lang, **params)

    base: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "t": t,
        "has": lambda key: key in i18n.CATALOG,
        "user": user,
        "csrf": csrf_token(request),
        "switch_en": switch_url(request, "en"),
        "switch_fr": switch_url(request, "fr"),
        "messages": messages,
        "today": deps.today(request).isoformat(),
        "kept": kept,
        "date_modified": date_modified().isoformat(),
        "label_of": lambda fid: field_label(fid, lang),
        "colon": "\u00a0: " if lang == "fr" else ": ",
        "nav_links": navigation(user, lang),
        "audit_readers": roles.audit_readers(),
        # the applications' roles first, then the platform's (admin, auditor)
        "role_names": sorted(roles.names(), key=lambda r: roles.get(r).owner == "platform"),  # type: ignore[union-attr]
    }
    for app in application.installed():  # each application's helpers for its templates
        if app.page_context is not None:
            base.update(app.page_context(request, lang))
    resp = templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
    if request.query_params.get("lang") in i18n.LANGS:
        resp.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return resp


def error_page(
    request: Request, status: int, code: str, field: str | None, params: dict[str, Any]
) -> Response:
    lang = lang_of(request)
    key = "err." + code if ("err." + code) in i18n.CATALOG else "err.invalid"
    message = i18n.t(key, lang, **params)
    detail = params.get("detail") if isinstance(params.get("detail"), list) else []
    if status == 401:  # keep the reader's language across sign-in
        back = urlencode({"next": local_path(request), "lang": lang})
        return RedirectResponse(f"/login?{back}", status_code=303)
    try:
        return render(
            request,
            "error.html",
            {"status": status, "message": message, "field": field, "detail": detail},
            status=status,
        )
    except Exception:  # the error page must never fail
        return HTMLResponse(
            f"<!doctype html><html lang='{lang}'><title>{status}</title>"
            f"<p>{status}: {message}</p><p><a href='/'>Home</a></p></html>",
            status_code=status,
        )


def require(request: Request, s: Session, *roles: str) -> tuple[User, Actor]:
    u = current_user(request, s)
    if u is None:
        raise OfficeError(401, "unauthenticated")
    if roles and u.role not in roles:
        raise OfficeError(403, "forbidden")
    return u, Actor.of(u)


async def form_of(request: Request) -> FormData:
    form = await request.form()
    if not security.same(str(form.get("csrf") or ""), _session(request).get("csrf")):
        raise OfficeError(403, "csrf", "csrf")
    return form


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# field path (API or form) -> catalog key of its label, as the form shows it; applications
# add theirs (``Application.field_labels``)
FIELD_LABELS: dict[str, str] = {
    "username": "form.username",
    "password": "form.password",
    "old_password": "account.old_password",
    "new_password": "account.new_password",
    "confirm_password": "account.confirm_password",
    "organisation": "col.organisation",
    "role": "users.role",
    "file": "form.file",
}
# list fields ("lines[0].hs_code") -> catalog key of one item's label ("Line {n}")
LIST_FIELDS: dict[str, str] = {}
# groups of fields ("applicant.name") -> catalog key of the group's label
GROUP_FIELDS: dict[str, str] = {}
# pydantic value errors: (text in the message, catalog key of the sentence said instead)
VALUE_ERRORS: list[tuple[str, str]] = []
# fields that are not something the user typed: the message says it all
_NO_LABEL = {"status", "permit_id", "application_id", "csrf", "idempotency_key", "action"}


def _list_re() -> str:
    return "|".join(re.escape(x) for x in LIST_FIELDS) or "(?!)"


def field_id(loc: str) -> str:
    """ "lines[0].hs_code" / ("lines", 0, "hs_code") style paths -> the form's "lines-0-hs_code"."""
    return re.sub(rf"^({_list_re()})\[(\d+)\]\.?", r"\1-\2-", loc).rstrip("-")


def field_label(loc: str | None, lang: str) -> str:
    """The label a user knows a field by ("Line 2 — HS code"), never its key."""
    if not loc or loc in _NO_LABEL:
        return ""
    fid = field_id(loc)
    m = re.fullmatch(rf"({_list_re()})-(\d+)-?(.*)", fid)
    if m:
        head = i18n.t(LIST_FIELDS[m.group(1)], lang, n=int(m.group(2)) + 1)
        rest = m.group(3).split("[")[0].split(".")[0]
        key = FIELD_LABELS.get(rest)
        return f"{head} — {i18n.t(key, lang)}" if key else head
    if fid in FIELD_LABELS:
        return i18n.t(FIELD_LABELS[fid], lang)
    party, _, leaf = fid.partition(".")
    if party in GROUP_FIELDS and leaf in FIELD_LABELS:
        return f"{i18n.t(GROUP_FIELDS[party], lang)} — {i18n.t(FIELD_LABELS[leaf], lang)}"
    leaf = fid.rsplit(".", 1)[-1]
    return i18n.t(FIELD_LABELS[leaf], lang) if leaf in FIELD_LABELS else ""


def validation_message(err: Any, lang: str) -> str:
    """A pydantic error as a sentence in the reader's language (no English internals)."""
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", ""))
    ctx = err.get("ctx") or {}
    key = {
        "missing": "val.required",
        "string_too_short": "val.required",
        "decimal_parsing": "val.number",
        "decimal_type": "val.number",
        "finite_number": "val.number",
        "int_parsing": "val.whole",
        "int_type": "val.whole",
        "date_parsing": "val.date",
        "date_from_datetime_parsing": "val.date",
        "date_type": "val.date",
        "date_from_datetime_inexact": "val.date",
        "literal_error": "val.choice",
        "enum": "val.choice",
        "bool_parsing": "val.choice",
        "bool_type": "val.choice",
        "extra_forbidden": "val.unexpected",
    }.get(kind)
    bounds = {
        "too_short": ("val.too_few", "min_length"),
        "greater_than_equal": ("val.at_least", "ge"),
        "greater_than": ("val.more_than", "gt"),
        "less_than_equal": ("val.at_most", "le"),
        "less_than": ("val.less_than", "lt"),
    }
    if kind in bounds:
        bound_key, bound = bounds[kind]
        return i18n.t(bound_key, lang, n=ctx.get(bound, ""))
    if kind == "string_too_long":
        return i18n.t("val.too_long", lang, max=ctx.get("max_length", ""))
    if kind == "too_long":
        return i18n.t("val.too_many", lang, max=ctx.get("max_length", ""))
    if key is None and kind == "value_error":
        for needle, k in VALUE_ERRORS:
            if needle in msg:
                key = k
                break
    return i18n.t(key or "val.invalid", lang)


def validation_errors(e: ValidationError, lang: str) -> dict[str, str]:
    """Every problem at once, keyed by the form field's id, first one per field."""
    out: dict[str, str] = {}
    for err in e.errors():
        loc = [str(p) for p in err.get("loc", ())]
        fid = field_name(tuple(loc))
        out.setdefault(fid, validation_message(err, lang))
    return out


def localized_params(code: str, params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Numbers and dates of an error message as the reader writes them (each installed
    application's ``localize_params`` in turn)."""
    out = dict(params)
    for app in application.installed():
        if app.localize_params is not None:
            out = app.localize_params(code, out, lang)
    return out


def office_text(request: Request, e: OfficeError) -> str:
    """The refusal in the reader's language, without the field's label."""
    lang = lang_of(request)
    key = "err." + e.code if ("err." + e.code) in i18n.CATALOG else "err.invalid"
    return i18n.t(key, lang, **localized_params(e.code, e.params, lang))


def office_message(request: Request, e: OfficeError) -> str:
    lang = lang_of(request)
    text = office_text(request, e)
    label = field_label(e.field, lang) if e.field else ""
    return f"{label}: {text}" if label else text


def field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in LIST_FIELDS and len(parts) >= 3:
        return f"{parts[0]}-{parts[1]}-{parts[2]}"
    return ".".join(parts)


async def _act(
    request: Request, s: Session, roles: tuple[str, ...], back: str, fn: Any
) -> Response:
    """Run one action from a form: commit and go on, or flash the refusal and go back."""
    _u, actor = require(request, s, *roles)
    form = await form_of(request)
    try:
        target = fn(actor, form)
    except OfficeError as e:
        s.rollback()
        flash(request, "error", office_message(request, e))
        keep_form(request, back, form)
        return redirect(back)
    except ValidationError as e:
        s.rollback()
        lang = lang_of(request)
        for fid, msg in validation_errors(e, lang).items():
            label = field_label(fid, lang)
            flash(request, "error", f"{label}: {msg}" if label else msg)
        keep_form(request, back, form)
        return redirect(back)
    s.commit()
    flash(request, "ok", i18n.t("msg.done", lang_of(request)))
    return redirect(target)


def keep_form(request: Request, back: str, form: FormData) -> None:
    """Remember a refused form's text fields for the page it goes back to (not secrets)."""
    values = {
        k: str(v)[:300]
        for k, v in form.items()
        if isinstance(v, str) and k != "csrf" and "password" not in k
    }
    _session(request)["kept"] = {"path": back.split("#")[0], "values": values}


def confirm_page(
    request: Request,
    u: User,
    question: str,
    action: str,
    back: str,
    fields: dict[str, str],
    reason: str = "",
) -> Response:
    """The confirmation step before a destructive action (no JavaScript needed)."""
    return render(
        request,
        "confirm.html",
        {
            "title": i18n.t("confirm.title", lang_of(request)),
            "question": question,
            "action": action,
            "back": back,
            "fields": fields,
            "reason": reason,
        },
        user=u,
    )


# ------------------------------------------------------------------ shared pages


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, s: DB) -> Response:
    return render(request, "privacy.html", {}, user=current_user(request, s))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, s: DB) -> Response:
    return render(
        request,
        "login.html",
        {"next": request.query_params.get("next", LANDING), "error": None},
        user=current_user(request, s),
    )


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Sign in. Throttled per account and per address (429 with Retry-After); the Argon2
    check runs on its own one-thread limiter, outside the write gate; the session is a
    server-side row (revoked at sign-out) whose random id is the only thing in the cookie."""
    form = await form_of(request)
    if form.get("lang") in i18n.LANGS:
        request.state.lang = str(form.get("lang"))
    name = str(form.get("username") or "")[:100]
    password = str(form.get("password") or "")[:200]
    nxt = str(form.get("next") or LANDING)
    if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        nxt = LANDING
    lang = lang_of(request)
    if has_control(name) or has_control(password):
        raise OfficeError(422, "control_chars", "username" if has_control(name) else "password")
    throttle, address = deps.throttle(request), deps.client_address(request)
    wait = throttle.retry_after(name, address)
    if wait > 0:
        resp = render(
            request,
            "login.html",
            {"next": nxt, "error": i18n.t("err.throttled", lang, seconds=wait), "username": name},
            status=429,
        )
        resp.headers["Retry-After"] = str(wait)
        return resp
    who = await deps.verify_login(request, name, password)
    if who is None:
        throttle.failure(name, address)
        return render(
            request,
            "login.html",
            {"next": nxt, "error": i18n.t("err.login", lang), "username": name},
            status=401,
        )
    throttle.success(name, address)
    uid, epoch = who

    def open_session() -> tuple[str, str | None]:
        """The session's id, and the landing page of the user's role."""
        with db_mod.write_session(request.app.state.write_sessions) as s:
            u = s.get(User, uid)
            assert u is not None
            role = roles.get(u.role)
            return accounts.open_web_session(s, u), role.landing if role else None

    async with deps.write_gate(request):
        sid, landing = await anyio.to_thread.run_sync(open_session)
    if nxt == LANDING and landing:  # no page asked for: the landing page of the user's role
        nxt = landing
    sess = _session(request)
    sess.clear()
    sess["uid"] = uid
    sess["epoch"] = epoch
    sess["sid"] = sid
    sess["csrf"] = security.new_csrf()
    signed_in = redirect(nxt)
    signed_in.set_cookie("lang", lang_of(request), max_age=365 * 86400, samesite="lax")
    return signed_in


@router.post("/logout")
async def logout(request: Request, s: DB) -> Response:
    """Sign out: the server-side session is revoked, so a copy of the cookie is useless."""
    await form_of(request)
    accounts.close_web_session(s, _session(request).get("sid"))
    s.commit()
    _session(request).clear()
    return redirect("/")


AUDIT_PAGE = 50


def _audit_rows(request: Request, s: Session, limit: int | None) -> tuple[list[Any], int | None]:
    """Audit entries matching the page's filters (actor, entity, action, dates), newest
    first, with user names for user entities."""
    qp = request.query_params
    q = select(AuditEntry)
    try:
        before = int(qp.get("before") or 0)
    except ValueError:
        before = 0
    if before > 0:
        q = q.where(AuditEntry.id < before)
    if qp.get("actor"):
        q = q.where(AuditEntry.actor == qp["actor"][:100])
    if qp.get("entity"):
        q = q.where(AuditEntry.entity == qp["entity"][:40])
    if qp.get("entity_id"):
        q = q.where(AuditEntry.entity_id == qp["entity_id"][:40])
    if qp.get("action"):
        q = q.where(AuditEntry.action.startswith(qp["action"][:60], autoescape=True))
    for name, op in (("from", ">="), ("to", "<")):
        v = qp.get(name)
        if not v:
            continue
        try:
            day = dt.date.fromisoformat(v)
        except ValueError:
            continue
        if op == ">=":
            q = q.where(AuditEntry.at >= day.isoformat())
        else:
            q = q.where(AuditEntry.at < (day + dt.timedelta(days=1)).isoformat())
    q = q.order_by(AuditEntry.id.desc())
    if limit:
        q = q.limit(limit)
    rows = list(s.execute(q).scalars())
    names = {u.id: u.username for u in s.execute(select(User)).scalars()}
    out = []
    for e in rows:
        entry = present.audit_entry(e)
        name = ""
        if e.entity == "user" and e.entity_id.isdigit():
            name = names.get(int(e.entity_id), "")
        out.append({"e": entry, "name": name})
    older = rows[-1].id if (limit and len(rows) == limit) else None
    return out, older


def when(at: str, lang: str) -> str:
    """An audit time in Eastern time with its zone ("2 mars 2026 09 h 05 HNE")."""
    from babel.dates import format_datetime, get_timezone

    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return at
    loc = "fr_CA" if lang == "fr" else "en_CA"
    return str(
        format_datetime(
            moment, "d MMM y HH:mm:ss zzz", tzinfo=get_timezone("America/Toronto"), locale=loc
        )
    )


@router.get("/audit", response_class=HTMLResponse)
def page_audit(request: Request, s: DB) -> Response:
    u, _ = require(request, s, *roles.audit_readers())
    entries, older = _audit_rows(request, s, AUDIT_PAGE)
    check = audit.verify(s) if request.query_params.get("verify") == "1" else None
    params = {k: v for k, v in request.query_params.items() if k not in ("before", "verify")}
    lang = lang_of(request)
    entities = application.audit_entities()
    return render(
        request,
        "audit.html",
        {
            "entries": entries,
            "check": check,
            "dumps": json.dumps,
            "older": older,
            "params": params,
            "when": lambda at: when(at, lang),
            "older_url": "/audit?" + urlencode({**params, "before": older or ""}),
            "csv_url": "/audit.csv?" + urlencode(params),
            "actors": sorted({x for (x,) in s.execute(select(AuditEntry.actor).distinct())}),
            "audit_entities": [(e, i18n.t("audit.e_" + e, lang)) for e in entities],
            "action_hint": entities[0] + ".",
        },
        user=u,
    )


@router.get("/audit.csv")
def audit_csv(request: Request, s: DB) -> Response:
    """The audit log with the page's filters, as CSV (every matching entry)."""
    require(request, s, *roles.audit_readers())
    entries, _ = _audit_rows(request, s, None)
    rows: list[dict[str, object]] = [
        {
            "id": x["e"].id,
            "at_utc": x["e"].at,
            "actor": x["e"].actor,
            "action": x["e"].action,
            "entity": x["e"].entity,
            "entity_id": x["e"].entity_id,
            "entity_name": x["name"],
            "before": json.dumps(x["e"].before, ensure_ascii=False, sort_keys=True),
            "after": json.dumps(x["e"].after, ensure_ascii=False, sort_keys=True),
            "law_version": x["e"].law_version or "",
            "hash": x["e"].hash,
        }
        for x in entries
    ]
    return Response(
        present.audit_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/users", response_class=HTMLResponse)
def page_users(request: Request, s: DB) -> Response:
    u, _ = require(request, s, "admin", "auditor")
    users = [present.user(s, x) for x in s.execute(select(User).order_by(User.id)).scalars()]
    tokens: dict[int, list[Any]] = {}
    for tok in s.execute(select(ApiToken).order_by(ApiToken.id)).scalars():
        tokens.setdefault(tok.user_id, []).append(present.token(tok))
    # one-time secrets (a new user's token and password, a new token) are shown only in
    # the answer to the POST that made them (request.state), never put in the cookie
    created = getattr(request.state, "created", None)
    issued = getattr(request.state, "issued", None)
    reset = getattr(request.state, "reset", None)
    return render(
        request,
        "users.html",
        {"users": users, "tokens": tokens, "created": created, "issued": issued, "reset": reset},
        user=u,
    )


@router.post("/users/{user_id}/deactivate")
async def deactivate_user(request: Request, user_id: Id, s: DB) -> Response:
    if (await request.form()).get("confirm") != "1":
        u, _actor = require(request, s, "admin")
        await form_of(request)
        target = accounts.get_user(s, user_id)
        question = i18n.t("confirm.deactivate", lang_of(request), name=target.username)
        return confirm_page(request, u, question, f"/users/{user_id}/deactivate", "/users", {})

    def fn(actor: Actor, form: FormData) -> str:
        accounts.set_user_active(s, actor, user_id, False)
        return "/users"

    return await _act(request, s, ("admin",), "/users", fn)


@router.post("/users/{user_id}/reactivate")
async def reactivate_user(request: Request, user_id: Id, s: DB) -> Response:
    def fn(actor: Actor, form: FormData) -> str:
        accounts.set_user_active(s, actor, user_id, True)
        return "/users"

    return await _act(request, s, ("admin",), "/users", fn)


@router.post("/users/{user_id}/tokens")
async def issue_token(request: Request, user_id: Id, s: DB) -> Response:
    """A new API token: an admin for anyone, anyone for themselves with their password.
    Shown once, in this answer (``Cache-Control: no-store``), never put in the cookie."""
    u, actor = require(request, s)
    form = await form_of(request)
    own = u.id == user_id
    back = "/account" if own else "/users"
    try:
        if actor.role != "admin" and not await deps.verify_own_password(
            request, u.id, u.username, str(form.get("password") or "")
        ):
            raise OfficeError(422, "wrong_password", "password")
        _row, token = accounts.new_user_token(s, actor, user_id)
        target = accounts.get_user(s, user_id)
    except OfficeError as e:
        s.rollback()
        flash(request, "error", office_message(request, e))
        return redirect(back)
    s.commit()
    request.state.issued = {"username": target.username, "token": token}
    resp = page_account(request, s) if own else page_users(request, s)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: Id, s: DB) -> Response:
    back = str((await request.form()).get("back") or "/account")
    if back not in ("/account", "/users"):
        back = "/account"

    if (await request.form()).get("confirm") != "1":
        u, _actor = require(request, s)
        await form_of(request)
        question = i18n.t("confirm.revoke", lang_of(request), id=token_id)
        return confirm_page(
            request, u, question, f"/tokens/{token_id}/revoke", back, {"back": back}
        )

    def fn(actor: Actor, form: FormData) -> str:
        accounts.revoke_token(s, actor, token_id)
        return back

    return await _act(request, s, (), back, fn)


@router.get("/users/{user_id}/password-reset")
def reset_password_link(request: Request, user_id: Id) -> Response:
    """A reset is a confirmed POST from the users page; a followed link lands there."""
    return redirect("/users")


@router.post("/users/{user_id}/password-reset")
async def reset_password(request: Request, user_id: Id, s: DB) -> Response:
    """An admin resets a user's password: confirmed first, the new one shown once."""
    if (await request.form()).get("confirm") != "1":
        u, _actor = require(request, s, "admin")
        await form_of(request)
        target = accounts.get_user(s, user_id)
        question = i18n.t("confirm.reset", lang_of(request), name=target.username)
        return confirm_page(request, u, question, f"/users/{user_id}/password-reset", "/users", {})

    _u, actor = require(request, s, "admin")
    await form_of(request)
    try:
        target, password = accounts.reset_password(s, actor, user_id)
    except OfficeError as e:
        s.rollback()
        flash(request, "error", office_message(request, e))
        return redirect("/users")
    s.commit()
    # the new password is shown once, in this answer (no-store), never put in the cookie
    request.state.reset = {"username": target.username, "password": password}
    resp = page_users(request, s)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@router.get("/account", response_class=HTMLResponse)
def page_account(request: Request, s: DB) -> Response:
    u, actor = require(request, s)
    tokens = [present.token(x) for x in accounts.tokens_of(s, actor, u.id)]
    issued = getattr(request.state, "issued", None)  # one-time: see page_users
    return render(request, "account.html", {"tokens": tokens, "issued": issued}, user=u)


@router.post("/account/password")
async def change_password(request: Request, s: DB) -> Response:
    def fn(actor: Actor, form: FormData) -> str:
        new = str(form.get("new_password") or "")
        if new != str(form.get("confirm_password") or ""):
            raise OfficeError(422, "password_mismatch", "confirm_password")
        deps.check_throttle(request, actor.username)
        try:
            u = accounts.change_password(s, actor, str(form.get("old_password") or ""), new)
        except OfficeError as e:
            if e.code == "wrong_password":
                deps.throttle(request).failure(actor.username, deps.client_address(request))
            raise
        # every other session of the user ends; this one stays signed in (cookie re-issued)
        _session(request)["epoch"] = u.session_epoch
        return "/account"

    return await _act(request, s, (), "/account", fn)


@router.post("/users")
async def create_user(request: Request, s: DB) -> Response:
    _u, actor = require(request, s, "admin")
    form = await form_of(request)
    try:
        data = UserIn(
            username=str(form.get("username") or ""),
            role=str(form.get("role") or ""),
            organisation=str(form.get("organisation") or "") or None,
            password=str(form.get("password") or "") or None,
        )
        _nu, token, pw = accounts.create_user(
            s, data.username, data.role, data.organisation, data.password, actor=actor.username
        )
    except ValidationError as e:
        s.rollback()
        lang = lang_of(request)
        for fid, msg in validation_errors(e, lang).items():
            label = field_label(fid, lang)
            flash(request, "error", f"{label}: {msg}" if label else msg)
        return redirect("/users")
    except OfficeError as e:
        s.rollback()
        flash(request, "error", office_message(request, e))
        return redirect("/users")
    s.commit()
    request.state.created = {"username": data.username, "token": token, "password": pw}
    resp = page_users(request, s)  # shown once, in this answer only
    resp.headers["Cache-Control"] = "no-store"
    return resp
