"""Server-rendered web pages (Jinja2), English and French, usable without JavaScript.

Sessions are signed cookies (Starlette ``SessionMiddleware`` with itsdangerous); every
state-changing form carries a CSRF token bound to the session. Each POST is one write
transaction; a refused one changes nothing and shows the reason (never a stack trace).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi import Path as FPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from bilateral.errors import BadInput
from bilateral.faces import verdict
from bilateral.office import (
    answers,
    api,
    audit,
    countries,
    deps,
    i18n,
    present,
    reports,
    security,
    services,
    uploads,
)
from bilateral.office import db as db_mod
from bilateral.office.models import ApiToken, Application, AuditEntry, Permit, User
from bilateral.office.schemas import (
    AmendmentIn,
    ApplicationIn,
    DecisionIn,
    PermitLineAuth,
    ShipmentIn,
    UserIn,
    has_control,
)
from bilateral.office.services import Actor, OfficeError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# Canada.ca "Date modified": when the pages last changed (templates, catalogs, stylesheet)
DATE_MODIFIED = dt.datetime.fromtimestamp(
    max(
        f.stat().st_mtime
        for pattern in ("templates/*.html", "locale/**/*.po", "static/*.css")
        for f in HERE.glob(pattern)
    ),
    dt.UTC,
).date()
router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(deps.db)]
Id = Annotated[int, FPath(ge=1, le=2_147_483_647)]

OUTCOMES = (
    "not_required",
    "generally_approved",
    "normally_issued",
    "case_by_case",
    "generally_denied",
    "new_permits_suspended",
    "prohibited",
)


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
        or not services.web_session_live(s, uid, sess.get("sid"))
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


def citation_part(text: Any, lang: str) -> Any:
    """A provision or instrument for a French reader: citation style when it is one
    ("s. 3 and Schedule 1" -> "Art. 3 et annexe 1"), otherwise kept and marked English."""
    from markupsafe import Markup, escape

    value = str(text or "")
    if lang != "fr" or not value:
        return value
    if re.match(r"^(ss?\.|Schedules?\b|Parts?\b|items?\b|SOR/|Licensing policy|List of C)", value):
        return verdict.provision_fr(value)
    if re.search(r"\b(the|and|of|for|to|on)\b", value):
        return Markup('<span lang="en">') + escape(value) + Markup("</span>")
    return value


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

    base = {
        "request": request,
        "lang": lang,
        "t": t,
        "has": lambda key: key in i18n.CATALOG,
        "user": user,
        "csrf": csrf_token(request),
        "switch_en": switch_url(request, "en"),
        "switch_fr": switch_url(request, "fr"),
        "messages": messages,
        "outcomes": OUTCOMES,
        "today": deps.today(request).isoformat(),
        "countries": countries.choices(lang),
        "country_name": lambda code: countries.name(code, lang),
        "kept": kept,
        "date_modified": DATE_MODIFIED.isoformat(),
        "fr_url": lambda url: verdict.url_for(url, lang),
        "fdate": lambda d: verdict.long_date(d, lang) if d else "",
        "prov": lambda text: citation_part(text, lang),
        "money": lambda v: answers.money(v, lang),
        "qty": lambda v: answers.quantity(v, lang),
        "unit": lambda code: unit_label(code, lang),
        "cite": lambda text: citation_text(str(text), lang),
        "num_in": lambda v: answers.number_input(v, lang),
        "label_of": lambda fid: field_label(fid, lang),
        "colon": "\u00a0: " if lang == "fr" else ": ",
        "categories": [(c, i18n.t("category." + c, lang)) for c in CATEGORIES],
        "units": [(x, i18n.t("unit." + x, lang)) for x in UNITS],
        "topics": [
            (k, verdict.topic_label(k, lang)[:1].upper() + verdict.topic_label(k, lang)[1:])
            for k in verdict.TOPICS
        ],
        "hs_description": lambda code: hs_description(code, deps.today(request)),
        "ecl_description": lambda item: ecl_description(item, lang),
        "view": lambda a, q=None: answers.view(a, lang, q, deps.checks(request)),
    }
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


# field path (API or form) -> catalog key of its label, as the form shows it
FIELD_LABELS = {
    "name": "form.name",
    "address": "form.address",
    "contact": "form.contact",
    "country": "form.country",
    "destination": "form.destination",
    "proposed_export_date": "form.proposed_date",
    "end_use": "form.end_use",
    "end_user.name": "form.end_user_name",
    "end_user.address": "form.end_user_address",
    "end_user.contact": "form.end_user_contact",
    "consignees": "form.consignees",
    "lines": "form.lines",
    "origin": "form.origin",
    "hs_code": "form.hs",
    "ecl_item": "form.ecl",
    "category": "form.category",
    "description": "form.description",
    "quantity": "form.quantity",
    "unit": "form.unit",
    "unit_value": "form.unit_value",
    "total_value": "form.total_value",
    "declarations.information_true": "form.decl_true",
    "declarations.aware_of_obligations": "form.decl_obligations",
    "value": "permit.value",
    "shipped_on": "col.date",
    "export_declaration_ref": "permit.declaration",
    "line_no": "col.line",
    "valid_to": "app.valid_to",
    "new_valid_to": "app.new_valid_to",
    "reason": "app.reasons",
    "reasons": "app.reasons",
    "outcome": "app.outcome",
    "username": "form.username",
    "password": "form.password",
    "old_password": "account.old_password",
    "new_password": "account.new_password",
    "confirm_password": "account.confirm_password",
    "organisation": "col.organisation",
    "role": "users.role",
    "file": "form.file",
}
# fields that are not something the user typed: the message says it all
_NO_LABEL = {"status", "permit_id", "application_id", "csrf", "idempotency_key", "action"}


def field_id(loc: str) -> str:
    """ "lines[0].hs_code" / ("lines", 0, "hs_code") style paths -> the form's "lines-0-hs_code"."""
    return re.sub(r"^(lines|consignees)\[(\d+)\]\.?", r"\1-\2-", loc).rstrip("-")


def field_label(loc: str | None, lang: str) -> str:
    """The label a user knows a field by ("Line 2 — HS code"), never its key."""
    if not loc or loc in _NO_LABEL:
        return ""
    fid = field_id(loc)
    m = re.fullmatch(r"(lines|consignees)-(\d+)-?(.*)", fid)
    if m:
        which = "form.line_n" if m.group(1) == "lines" else "form.consignee_n"
        head = i18n.t(which, lang, n=int(m.group(2)) + 1)
        rest = m.group(3).split("[")[0].split(".")[0]
        key = FIELD_LABELS.get(rest)
        return f"{head} — {i18n.t(key, lang)}" if key else head
    if fid in FIELD_LABELS:
        return i18n.t(FIELD_LABELS[fid], lang)
    party, _, leaf = fid.partition(".")
    if party in ("applicant", "exporter") and leaf in FIELD_LABELS:
        return f"{i18n.t('form.' + party, lang)} — {i18n.t(FIELD_LABELS[leaf], lang)}"
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
        "literal_error": "val.choice",
        "enum": "val.choice",
    }.get(kind)
    if kind == "string_too_long":
        return i18n.t("val.too_long", lang, max=ctx.get("max_length", ""))
    if kind == "too_long":
        return i18n.t("val.too_many", lang, max=ctx.get("max_length", ""))
    if key is None and kind == "value_error":
        for needle, k in (
            ("country", "val.country"),
            ("HS code", "val.hs"),
            ("positive number", "val.positive"),
            ("3 decimal", "val.decimals3"),
            ("2 decimal", "val.decimals2"),
            ("amount", "val.amount"),
        ):
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
    """Numbers and dates of an error message as the reader writes them."""
    out = dict(params)
    money_codes = ("exceeds_value", "total_mismatch")
    for k in ("remaining", "computed"):
        if k in out and out[k] is not None:
            fmt = answers.money if code in money_codes else answers.quantity
            out[k] = fmt(out[k], lang)
    if isinstance(out.get("citation"), str):
        out["citation"] = answers.clean(out["citation"], lang)
    if code == "incomplete" and isinstance(out.get("missing"), str):
        # field keys ("consignees[0].contact") as the labels the reader knows them by
        fields = [f.strip() for f in out["missing"].split(",") if f.strip()]
        out["missing"] = "; ".join(field_label(f, lang) or f for f in fields)
    for k in ("on", "date", "valid_from", "valid_to"):
        if isinstance(out.get(k), str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", out[k]):
            out[k] = verdict.long_date(out[k], lang)
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


ENGINE_FIELD_MESSAGE = {
    "to": "val.country",
    "with": "val.country",
    "with_": "val.country",
    "origin": "val.country",
    "country": "val.country",
    "on": "val.date",
    "hs": "val.hs",
    "category": "val.category",
    "ecl": "val.ecl",
    "goods": "val.goods",
    "topic": "val.topic",
}
ENGINE_FIELD_LABEL = {
    "to": "form.destination",
    "with": "form.with",
    "with_": "form.with",
    "origin": "form.origin",
    "on": "form.on",
    "hs": "form.hs",
    "category": "form.category",
    "ecl": "form.ecl",
    "topic": "form.topic",
    "mfn_rate": "form.mfn_rate",
}


def engine_error(e: BadInput, lang: str) -> str:
    """The engine's refusal named by the form's label, in the reader's language."""
    key = ENGINE_FIELD_MESSAGE.get(e.field)
    if lang == "en":  # the engine says its problems in English: say them as they are
        text = answers.clean(e.problem, "en")
        text = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    else:
        text = i18n.t(key, lang) if key else i18n.t("val.engine", lang, problem=e.problem)
    label_key = ENGINE_FIELD_LABEL.get(e.field)
    colon = "\u00a0: " if lang == "fr" else ": "
    return f"{i18n.t(label_key, lang)}{colon}{text}" if label_key else text


def _ask(request: Request, fn_name: str, **kw: Any) -> tuple[dict[str, Any] | None, str | None]:
    fn = getattr(deps.checks(request), fn_name)
    try:
        return fn(**kw, lang=lang_of(request)), None
    except BadInput as e:
        return None, engine_error(e, lang_of(request))
    except NotImplementedError:
        return None, i18n.t("err.engine_unavailable", lang_of(request))


def code_of(value: str | None, codes: tuple[str, ...], prefix: str) -> str | None:
    """A closed-vocabulary code from what a reader typed: the code itself or its label in
    English or French ("médicaments" -> "medicines"); otherwise as typed (the engine
    then names the problem)."""
    if not value:
        return value
    want = countries._fold(value)
    for code in codes:
        labels = [code, code.replace("_", " ")]
        if prefix and prefix + code in i18n.CATALOG:
            labels += list(i18n.CATALOG[prefix + code])
        if not prefix:
            labels += [verdict.topic_label(code, "en"), verdict.topic_label(code, "fr")]
        folded = {countries._fold(x) for x in labels}
        folded |= {f.removeprefix("le ").removeprefix("la ").removeprefix("les ") for f in folded}
        folded |= {f.removeprefix("l ").removeprefix("the ") for f in folded}
        if want in folded:
            return code
    return value


CATEGORIES = (
    "food",
    "clothing",
    "medicines",
    "medical_supplies",
    "information_material",
    "casual_gifts",
    "personal_effects",
)
UNITS = ("kg", "t", "l", "m", "m2", "units", "pairs", "sets", "dozens")


def citation_text(text: str, lang: str) -> str:
    """A stored citation ("SOR/2020-214 s. 3.7(1) … <https://…/eng/…>") in the reader's
    language: French citation style and the link to the French text."""
    if lang != "fr":
        return text
    links = re.sub(r"https?://[^\s<>]+", lambda m: verdict.url_for(m.group(0), lang), text)
    return answers.clean(links, lang)


def unit_label(code: Any, lang: str) -> str:
    """A unit of measure after a number, as the reader's language writes it: its symbol
    where it has one ("kg", "m²"), else its name ("units" → "unités")."""
    key = f"unit.{code}"
    if key not in i18n.CATALOG:
        return str(code or "")
    label = i18n.t(key, lang)
    symbol = re.search(r"\(([^()]+)\)\s*$", label)
    return symbol.group(1) if symbol else label.lower()


def ecl_description(item: str | None, lang: str) -> str:
    """What the office knows of an ECL item: its group (the item's own text is not in the
    law data, and the page says so rather than invent one)."""
    if not item or not item.strip()[:1].isdigit():
        return ""
    key = "ecl.group_" + item.strip()[0]
    if key not in i18n.CATALOG:
        return ""
    return f"{i18n.t(key, lang)}; {i18n.t('ecl.no_description', lang)}"


def hs_description(code: str | None, on: dt.date) -> str:
    """The HS heading's description for the code entered ("" if unknown)."""
    if not code:
        return ""
    from bilateral.goods import hs

    try:
        return str(getattr(hs.validate(code, on), "description", "") or "")
    except Exception:  # a code the nomenclature does not know: no description
        return ""


# ------------------------------------------------------------------ public pages


@router.get("/", response_class=HTMLResponse)
def home(request: Request, s: DB) -> Response:
    return render(request, "home.html", {}, user=current_user(request, s))


def _date(v: str | None, default: dt.date, lang: str = "en") -> tuple[str, str | None]:
    if not v:
        return default.isoformat(), None
    try:
        return dt.date.fromisoformat(answers.parse_date(v, lang)).isoformat(), None
    except ValueError:
        return v, "on"


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, s: DB) -> Response:
    return render(request, "privacy.html", {}, user=current_user(request, s))


@router.get("/check/export", response_class=HTMLResponse)
def page_export(request: Request, s: DB) -> Response:
    q = request.query_params
    answer = error = None
    on, bad = _date(q.get("on"), deps.today(request), lang_of(request))
    if q.get("to"):
        if bad:
            error = "on: " + i18n.t("form.bad_date", lang_of(request))
        else:
            kw = {k: (q.get(k) or None) for k in ("hs", "category", "ecl")}
            kw["category"] = code_of(kw["category"], CATEGORIES, "category.")
            answer, error = _ask(request, "check_export", to=q["to"], on=on, **kw)
    return render(
        request,
        "check_export.html",
        {"q": q, "on": on, "answer": answer, "error": error},
        status=200 if not error else 422,
        user=current_user(request, s),
    )


@router.get("/check/import", response_class=HTMLResponse)
def page_import(request: Request, s: DB) -> Response:
    q = request.query_params
    answer = error = None
    on, bad = _date(q.get("on"), deps.today(request), lang_of(request))
    if q.get("origin") or q.get("hs"):
        if bad:
            error = "on: " + i18n.t("form.bad_date", lang_of(request))
        else:
            answer, error = _ask(
                request,
                "check_import",
                origin=q.get("origin", ""),
                on=on,
                hs=q.get("hs", ""),
                mfn_rate=answers.parse_number(q.get("mfn_rate") or "", lang_of(request)) or None,
            )
    return render(
        request,
        "check_import.html",
        {"q": q, "on": on, "answer": answer, "error": error},
        status=200 if not error else 422,
        user=current_user(request, s),
    )


@router.get("/check/contact", response_class=HTMLResponse)
def page_contact(request: Request, s: DB) -> Response:
    q = request.query_params
    answer = error = None
    on, bad = _date(q.get("on"), deps.today(request), lang_of(request))
    if q.get("with"):
        if bad:
            error = "on: " + i18n.t("form.bad_date", lang_of(request))
        else:
            answer, error = _ask(
                request,
                "check_contact",
                with_=q["with"],
                on=on,
                topic=code_of(q.get("topic", ""), tuple(verdict.TOPICS), "") or "",
            )
    return render(
        request,
        "check_contact.html",
        {"q": q, "on": on, "answer": answer, "error": error},
        status=200 if not error else 422,
        user=current_user(request, s),
    )


@router.get("/country", response_class=HTMLResponse)
def page_country_pick(request: Request) -> Response:
    code = (request.query_params.get("code") or "BY").strip()[:60]
    extra = {"on": request.query_params["on"]} if request.query_params.get("on") else {}
    return redirect(f"/country/{quote(code, safe='')}" + ("?" + urlencode(extra) if extra else ""))


@router.get("/country/{code}", response_class=HTMLResponse)
def page_country(request: Request, code: str, s: DB) -> Response:
    on, bad = _date(request.query_params.get("on"), deps.today(request))
    measures: dict[str, Any] | None = None
    error: str | None = None
    if bad:
        error = "on: " + i18n.t("form.bad_date", lang_of(request))
    else:
        measures, error = _ask(request, "measures", country=code, on=on)
    timeline, error2 = _ask(request, "timeline", country=code)
    return render(
        request,
        "country.html",
        {
            "code": code,
            "on": on,
            "measures": measures,
            "timeline": timeline,
            "error": error or error2,
        },
        status=200 if not (error or error2) else 422,
        user=current_user(request, s),
    )


# ------------------------------------------------------------------ sign in


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, s: DB) -> Response:
    return render(
        request,
        "login.html",
        {"next": request.query_params.get("next", "/dashboard"), "error": None},
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
    nxt = str(form.get("next") or "/dashboard")
    if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        nxt = "/dashboard"
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

    def open_session() -> str:
        with db_mod.write_session(request.app.state.write_sessions) as s:
            u = s.get(User, uid)
            assert u is not None
            return services.open_web_session(s, u)

    async with deps.write_gate(request):
        sid = await anyio.to_thread.run_sync(open_session)
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
    services.close_web_session(s, _session(request).get("sid"))
    s.commit()
    _session(request).clear()
    return redirect("/")


# ------------------------------------------------------------------ dashboards


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, s: DB) -> Response:
    u, actor = require(request, s)
    if u.role == "officer":
        return redirect("/queue")
    if u.role == "auditor":
        return redirect("/audit")
    if u.role == "admin":
        return redirect("/users")
    today = deps.today(request)
    apps = [
        present.application(s, a, today)
        for a in s.execute(
            services.visible_applications(actor).order_by(Application.id.desc())
        ).scalars()
    ]
    permits = [
        present.permit(s, p, today)
        for p in s.execute(services.visible_permits(actor).order_by(Permit.id.desc())).scalars()
    ]
    return render(
        request,
        "dashboard.html",
        {
            "drafts": [a for a in apps if a.status == "draft"],
            "submitted": [a for a in apps if a.status != "draft"],
            "permits": permits,
        },
        user=u,
    )


@router.get("/queue", response_class=HTMLResponse)
def page_queue(request: Request, s: DB) -> Response:
    """The officer's queue: search, filters, sorting, pages; each row with its outcome."""
    u, actor = require(request, s, "officer", "auditor")
    services.queue(s, actor)  # role check (officers and auditors)
    today = deps.today(request)
    qp = request.query_params
    status = qp.get("status") or "submitted"
    query = select(Application)
    if status in ("submitted", "approved", "denied", "draft"):
        query = query.where(Application.status == status)
    if qp.get("destination"):
        query = query.where(Application.destination == qp["destination"][:2].upper())
    if qp.get("consultation") == "1":
        query = query.where(Application.consultation_needed.is_(True))
    text = (qp.get("q") or "").strip()[:100]
    rows = list(s.execute(query.order_by(Application.id)).scalars())
    items: list[dict[str, Any]] = []
    for a in rows:
        if a.status == "draft" and status != "draft":
            continue
        org = present.queue_item(s, a, today)
        worst = services._worst(a.assessment) if a.assessment else {}
        outcome = max(worst.values(), key=services.severity, default=None)
        flagged = bool(a.assessment) and any(o in services.NO_ISSUE for o in worst.values())
        if text and text.lower() not in f"{a.reference} {org.organisation}".lower():
            continue
        if qp.get("overdue") == "1" and not org.overdue:
            continue
        if qp.get("flagged") == "1" and not flagged:
            continue
        items.append(
            {"q": org, "status": a.status, "outcome": outcome, "flagged": flagged, "app": a}
        )
    sort = qp.get("sort") or "due"
    keys = {
        "due": lambda x: (x["q"].due_on or dt.date.max, x["q"].id),
        "submitted": lambda x: (x["q"].submitted_on or dt.date.max, x["q"].id),
        "reference": lambda x: x["q"].reference,
        "organisation": lambda x: (x["q"].organisation.lower(), x["q"].id),
        "outcome": lambda x: (-services.severity(x["outcome"]), x["q"].id),
    }
    items.sort(key=keys.get(sort, keys["due"]))
    per_page = 25
    try:
        page = max(1, int(qp.get("page") or 1))
    except ValueError:
        page = 1
    pages = max(1, (len(items) + per_page - 1) // per_page)
    page = min(page, pages)
    shown = items[(page - 1) * per_page : page * per_page]
    flagged_permits = []
    for p in s.execute(
        select(Permit).where(Permit.status.in_(("active", "suspended"))).order_by(Permit.id)
    ).scalars():
        if services.effective_status(p, today) == "expired":
            continue
        flags = services.permit_law_flags(s, deps.checks(request), p, today)
        if flags:
            flagged_permits.append({"p": present.permit(s, p, today), "flags": flags})
    params = {k: v for k, v in qp.items() if k != "page"}
    return render(
        request,
        "queue.html",
        {
            "items": shown,
            "total": len(items),
            "page": page,
            "pages": pages,
            "params": params,
            "page_url": lambda n: "/queue?" + urlencode({**params, "page": n}),
            "sort_url": lambda k: "/queue?" + urlencode({**params, "sort": k}),
            "sort": sort,
            "status": status,
            "flagged": flagged_permits,
        },
        user=u,
    )


# ------------------------------------------------------------------ application forms


def _rows(form: FormData, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    out = []
    for i in range(100):
        row = {f: str(form.get(f"{prefix}-{i}-{f}") or "").strip() for f in fields}
        if not any(form.get(f"{prefix}-{i}-{f}") is not None for f in fields):
            if i > 20:
                break
            continue
        if any(row.values()):
            out.append(row)
    return out


LINE_FIELDS = (
    "origin",
    "hs_code",
    "ecl_item",
    "category",
    "description",
    "quantity",
    "unit",
    "unit_value",
    "total_value",
)
CONSIGNEE_FIELDS = ("name", "address", "contact", "country")


NUMBER_FIELDS = ("quantity", "unit_value", "total_value")


def form_to_application(form: FormData, lang: str = "en") -> dict[str, Any]:
    def g(k: str) -> str:
        return str(form.get(k) or "").strip()

    lines = []
    for row in _rows(form, "lines", LINE_FIELDS):
        ln: dict[str, Any] = {k: v for k, v in row.items() if v != ""}
        for k in NUMBER_FIELDS:  # "1 000", "5,50" in French; "1,000.25" in English
            if k in ln:
                ln[k] = answers.parse_number(ln[k], lang)
        lines.append(ln)
    return {
        "applicant": {
            "name": g("applicant.name"),
            "address": g("applicant.address"),
            "contact": g("applicant.contact"),
        },
        "exporter": {
            "name": g("exporter.name"),
            "address": g("exporter.address"),
            "contact": g("exporter.contact"),
        }
        if g("exporter.same") != "on"
        else {  # "same as the applicant" (no JavaScript: copied when saved)
            "name": g("applicant.name"),
            "address": g("applicant.address"),
            "contact": g("applicant.contact"),
        },
        "consignees": _rows(form, "consignees", CONSIGNEE_FIELDS),
        "destination": g("destination") or None,
        "end_use": g("end_use"),
        "end_user": {
            "name": g("end_user.name"),
            "address": g("end_user.address"),
            "contact": g("end_user.contact"),
        },
        "proposed_export_date": answers.parse_date(g("proposed_export_date"), lang) or None,
        "lines": lines,
        "declarations": {
            "information_true": g("declarations.information_true") == "on",
            "aware_of_obligations": g("declarations.aware_of_obligations") == "on",
        },
    }


def field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("lines", "consignees") and len(parts) >= 3:
        return f"{parts[0]}-{parts[1]}-{parts[2]}"
    return ".".join(parts)


def _values_from_app(a: Any, lang: str = "en") -> dict[str, Any]:
    if a is None:
        return {
            "applicant": {},
            "exporter": {},
            "consignees": [],
            "end_user": {},
            "lines": [],
            "declarations": {},
            "destination": "",
            "end_use": "",
            "proposed_export_date": "",
        }
    return {
        "applicant": a.applicant,
        "exporter": a.exporter,
        "consignees": a.consignees,
        "end_user": a.end_user,
        "destination": a.destination,
        "end_use": a.end_use,
        "proposed_export_date": a.proposed_export_date.isoformat()
        if a.proposed_export_date
        else "",
        "declarations": a.declarations,
        "lines": [
            {
                k: (
                    ""
                    if v is None
                    else answers.number_input(v, lang)
                    if k in NUMBER_FIELDS
                    else str(v)
                )
                for k, v in ln.model_dump().items()
            }
            for ln in a.lines
        ],
    }


def _edit(
    request: Request,
    u: User,
    values: dict[str, Any],
    app: Any,
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "application_form.html",
        {"v": values, "app": app, "errors": errors},
        status=status,
        user=u,
    )


@router.get("/applications/new", response_class=HTMLResponse)
def new_application(request: Request, s: DB) -> Response:
    u, _ = require(request, s, "applicant")
    values = _values_from_app(None)
    if u.organisation is not None:  # the applicant's organisation, prefilled
        values["applicant"] = {"name": u.organisation.name}
    return _edit(request, u, values, None, {})


async def _save(request: Request, s: Session, app_id: Id | None) -> Response:
    """Save the draft; then stay, go to "check your answers", or store the chosen file.

    Every action of the draft page goes through here, so nothing the user typed is lost:
    "Upload" and "Continue" save the form first. A refusal shows the form again with what
    was typed and every problem at once (error summary, fields marked).
    """
    u, actor = require(request, s, "applicant")
    form = await form_of(request)
    lang = lang_of(request)
    raw = form_to_application(form, lang)
    today = deps.today(request)
    then = str(form.get("then") or "")
    current = (
        present.application(s, services.get_application(s, actor, app_id), today)
        if app_id
        else None
    )
    errors: dict[str, str] = {}
    status = 422
    try:
        data = ApplicationIn.model_validate(raw)
        if app_id is None:
            app = services.create_application(s, actor, data)
        else:
            app = services.update_application(s, actor, app_id, data)
        if then == "upload":
            await _store_upload(request, s, actor, app.id, form)
    except ValidationError as e:
        s.rollback()
        errors = validation_errors(e, lang)
    except OfficeError as e:
        s.rollback()
        fld = field_id(e.field or "") if e.field not in _NO_LABEL else ""
        errors = {fld or "form": office_text(request, e)}
        status = e.status
    if errors:
        raw["lines"] = [{k: r.get(k, "") for k in LINE_FIELDS} for r in raw["lines"]]
        return _edit(request, u, raw, current, errors, status=status)
    s.commit()
    flash(request, "ok", i18n.t("msg.uploaded" if then == "upload" else "msg.saved", lang))
    if then in ("review", "submit"):
        return redirect(f"/applications/{app.id}/review")
    return redirect(f"/applications/{app.id}")


async def _store_upload(
    request: Request, s: Session, actor: Actor, app_id: int, form: FormData
) -> None:
    settings = deps.settings(request)
    f = form.get("file")
    if not isinstance(f, UploadFile) or not f.filename:
        raise OfficeError(422, "empty_file", "file")
    data = await f.read(settings.max_upload + 1)
    media, digest = uploads.check(data, settings.max_upload)
    services.add_document(
        s,
        actor,
        app_id,
        filename=f.filename or "document",
        media_type=media,
        size=len(data),
        sha256=digest,
        kind=str(form.get("kind") or "supporting")[:40],
    )
    uploads.store(settings.documents_dir, digest, data)


@router.post("/applications/new")
async def create_application(request: Request, s: DB) -> Response:
    return await _save(request, s, None)


@router.get("/applications/{app_id}", response_class=HTMLResponse)
def page_application(request: Request, app_id: Id, s: DB) -> Response:
    u, actor = require(request, s, "applicant", "officer", "auditor")
    today = deps.today(request)
    app = present.application(s, services.get_application(s, actor, app_id), today)
    if u.role == "applicant" and app.status == "draft" and request.query_params.get("view") != "1":
        return _edit(request, u, _values_from_app(app, lang_of(request)), app, {})
    permit = None
    if app.kind == "amendment" and app.permit_id:
        permit = present.permit(s, services.get_permit(s, actor, app.permit_id), today)
    return render(
        request,
        "application.html",
        {
            "app": app,
            "permit": permit,
            "permit_lines": {ln.line_no: ln for ln in permit.lines} if permit else {},
        },
        user=u,
    )


@router.post("/applications/{app_id}")
async def save_application(request: Request, app_id: Id, s: DB) -> Response:
    return await _save(request, s, app_id)


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


@router.get("/applications/{app_id}/documents/{doc_id}")
def download_document(request: Request, app_id: Id, doc_id: Id, s: DB) -> Response:
    """Download a supporting document (applicant of the organisation, officer, auditor)."""
    _u, actor = require(request, s, "applicant", "officer", "auditor")
    resp: Response = api.document_response(request, s, actor, app_id, doc_id)
    return resp


@router.get("/applications/{app_id}/review", response_class=HTMLResponse)
def review_application(request: Request, app_id: Id, s: DB) -> Response:
    """Check your answers: everything in one page, every missing field at once, and what
    the engine will say (on the export date and today), before the applicant submits."""
    u, actor = require(request, s, "applicant")
    today = deps.today(request)
    row = services.get_application(s, actor, app_id)
    if row.status != "draft":
        return redirect(f"/applications/{app_id}")
    app = present.application(s, row, today)
    missing = services.missing_fields(row)
    problems = {field_id(f): "" for f in missing}
    if row.proposed_export_date and row.proposed_export_date < today:
        lang = lang_of(request)
        when = verdict.long_date(row.proposed_export_date, lang)
        problems["proposed_export_date"] = i18n.t("err.date_past", lang, date=when)
    preview: list[dict[str, Any]] = []
    if row.destination and row.lines:
        try:
            assessed, _ = services.assess_for(deps.checks(request), row, today)
            preview = assessed["lines"]
            if assessed.get("today"):
                preview = preview + [dict(x, today=True) for x in assessed["today"]["lines"]]
        except OfficeError as e:
            problems[field_id(e.field or "") or "form"] = office_text(request, e)
    return render(
        request,
        "review.html",
        {"app": app, "problems": problems, "preview": preview},
        user=u,
    )


@router.post("/applications/{app_id}/submit")
async def submit_application(request: Request, app_id: Id, s: DB) -> Response:
    def fn(actor: Actor, form: FormData) -> str:
        services.submit(s, actor, app_id, deps.checks(request), deps.today(request))
        return f"/applications/{app_id}/submitted"

    return await _act(request, s, ("applicant",), f"/applications/{app_id}/review", fn)


@router.get("/applications/{app_id}/submitted", response_class=HTMLResponse)
def submitted_application(request: Request, app_id: Id, s: DB) -> Response:
    """The confirmation page: reference, due date, what happens next."""
    u, actor = require(request, s, "applicant")
    app = present.application(s, services.get_application(s, actor, app_id), deps.today(request))
    return render(request, "submitted.html", {"app": app}, user=u)


@router.post("/applications/{app_id}/copy")
async def copy_application(request: Request, app_id: Id, s: DB) -> Response:
    def fn(actor: Actor, form: FormData) -> str:
        return f"/applications/{services.copy_application(s, actor, app_id).id}"

    return await _act(request, s, ("applicant",), "/dashboard", fn)


@router.post("/applications/{app_id}/documents")
async def upload_document(request: Request, app_id: Id, s: DB) -> Response:
    settings = deps.settings(request)

    async def read(form: FormData) -> tuple[bytes, str]:
        f = form.get("file")
        if not isinstance(f, UploadFile):
            raise OfficeError(422, "empty_file", "file")
        return await f.read(settings.max_upload + 1), f.filename or "document"

    _u, actor = require(request, s, "applicant")
    form = await form_of(request)
    back = f"/applications/{app_id}"
    try:
        data, name = await read(form)
        media, digest = uploads.check(data, settings.max_upload)
        services.add_document(
            s,
            actor,
            app_id,
            filename=name,
            media_type=media,
            size=len(data),
            sha256=digest,
            kind=str(form.get("kind") or "supporting")[:40],
        )
        uploads.store(settings.documents_dir, digest, data)
    except OfficeError as e:
        s.rollback()
        flash(request, "error", office_message(request, e))
        return redirect(back)
    s.commit()
    flash(request, "ok", i18n.t("msg.uploaded", lang_of(request)))
    return redirect(back)


def _dec(v: Any, lang: str = "en") -> Decimal:
    try:
        return Decimal(answers.parse_number(str(v if v is not None else ""), lang))
    except InvalidOperation:
        return Decimal("NaN")


@router.post("/applications/{app_id}/decision")
async def decide(request: Request, app_id: Id, s: DB) -> Response:
    lang = lang_of(request)

    def fn(actor: Actor, form: FormData) -> str:
        lines = []
        for i in range(1, 101):
            q, v = form.get(f"auth-{i}-quantity"), form.get(f"auth-{i}-value")
            if q is None and v is None:
                continue
            lines.append(PermitLineAuth(line_no=i, quantity=_dec(q, lang), value=_dec(v, lang)))
        conditions = [
            c.strip() for c in str(form.get("conditions") or "").splitlines() if c.strip()
        ]
        citations = [c.strip() for c in str(form.get("citations") or "").splitlines() if c.strip()]
        data = DecisionIn(
            outcome=str(form.get("outcome") or ""),  # type: ignore[arg-type]
            reasons=str(form.get("reasons") or ""),
            citations=citations,
            valid_to=str(form.get("valid_to") or "") or None,  # type: ignore[arg-type]
            conditions=conditions,
            lines=lines or None,
        )
        services.decide(s, actor, app_id, data, deps.today(request), deps.checks(request))
        return "/queue"

    return await _act(request, s, ("officer",), f"/applications/{app_id}", fn)


@router.post("/applications/{app_id}/reassess")
async def reassess(request: Request, app_id: Id, s: DB) -> Response:
    def fn(actor: Actor, form: FormData) -> str:
        services.reassess(s, actor, app_id, deps.checks(request), deps.today(request))
        return f"/applications/{app_id}"

    return await _act(request, s, ("officer",), f"/applications/{app_id}", fn)


@router.post("/applications/{app_id}/consultation")
async def consultation(request: Request, app_id: Id, s: DB) -> Response:
    def fn(actor: Actor, form: FormData) -> str:
        services.set_consultation(s, actor, app_id, form.get("needed") == "1")
        return f"/applications/{app_id}"

    return await _act(request, s, ("officer",), f"/applications/{app_id}", fn)


# ------------------------------------------------------------------ permits


@router.get("/permits/{permit_id}", response_class=HTMLResponse)
def page_permit(request: Request, permit_id: Id, s: DB) -> Response:
    u, actor = require(request, s, "applicant", "officer", "auditor")
    today = deps.today(request)
    p = services.get_permit(s, actor, permit_id)
    shipments = [present.shipment(s, sh) for sh in services.shipments_of(s, actor, permit_id)]
    amendments = [
        present.application(s, a, today)
        for a in s.execute(
            select(Application).where(Application.amends_permit_id == p.id).order_by(Application.id)
        ).scalars()
    ]
    flags = (
        services.permit_law_flags(s, deps.checks(request), p, today)
        if services.effective_status(p, today) in ("active", "suspended")
        else []
    )
    return render(
        request,
        "permit.html",
        {
            "law_flags": flags,
            "actions": permit_actions(p, today),
            "p": present.permit(s, p, today),
            "shipments": shipments,
            "amendments": amendments,
            "idem": uuid.uuid4().hex,
        },
        user=u,
    )


@router.get("/permits/{permit_id}/utilisation.csv")
def permit_utilisation_csv(request: Request, permit_id: Id, s: DB) -> Response:
    _u, actor = require(request, s, "applicant", "officer", "auditor")
    return api.csv_response(reports.utilisation(s, actor, permit_id, deps.today(request)))


@router.get("/permits/{permit_id}/permit.pdf")
def permit_pdf(request: Request, permit_id: Id, s: DB) -> Response:
    """The printable permit as PDF (fpdf2), in the reader's language."""
    _u, actor = require(request, s, "applicant", "officer", "auditor")
    today = deps.today(request)
    p = present.permit(s, services.get_permit(s, actor, permit_id), today)
    lang = lang_of(request)

    def tr(key: str) -> str:
        return i18n.t(key, lang)

    words = {
        "government": tr("gc.government"),
        "title": tr("permit.title"),
        "status": tr("col.status"),
        "status_value": tr("status." + p.effective_status),
        "holder": tr("col.organisation"),
        "destination": tr("col.destination"),
        "issued": tr("permit.issued"),
        "valid": tr("col.valid"),
        "lines": tr("permit.balances"),
        "description": tr("form.description"),
        "hs": tr("form.hs"),
        "quantity": tr("permit.authorised"),
        "value": tr("permit.value"),
        "conditions": tr("app.conditions"),
        "none": tr("none"),
        "legal": tr("permit.pdf_legal"),
    }
    fmt = {
        "date": lambda d: verdict.long_date(d, lang),
        "money": lambda v: answers.money(v, lang),
        "qty": lambda v: answers.quantity(v, lang),
        "unit": lambda code: unit_label(code, lang),
        "country": lambda c: countries.name(c, lang),
    }
    return Response(
        reports.permit_pdf(p, lang, words, fmt),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{p.number}.pdf"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/permits/{permit_id}/shipments")
async def record_shipment(request: Request, permit_id: Id, s: DB) -> Response:
    def fn(actor: Actor, form: FormData) -> str:
        data = ShipmentIn(
            line_no=int(str(form.get("line_no") or "0") or 0)
            if str(form.get("line_no") or "").isdigit()
            else 0,
            quantity=_dec(form.get("quantity"), lang_of(request)),
            value=_dec(form.get("value"), lang_of(request)),
            shipped_on=answers.parse_date(str(form.get("shipped_on") or ""), lang_of(request)),  # type: ignore[arg-type]
            export_declaration_ref=str(form.get("export_declaration_ref") or ""),
            idempotency_key=str(form.get("idempotency_key") or "") or None,
        )
        try:
            services.record_shipment(
                s, actor, permit_id, data, None, deps.today(request), deps.checks(request)
            )
        except IntegrityError:
            s.rollback()
        return f"/permits/{permit_id}"

    return await _act(request, s, ("applicant",), f"/permits/{permit_id}", fn)


@router.post("/permits/{permit_id}/amendments")
async def request_amendment(request: Request, permit_id: Id, s: DB) -> Response:
    lang = lang_of(request)

    def fn(actor: Actor, form: FormData) -> str:
        lines = []
        for i in range(1, 101):
            q, v = form.get(f"amd-{i}-quantity"), form.get(f"amd-{i}-value")
            if not q and not v:
                continue
            lines.append(PermitLineAuth(line_no=i, quantity=_dec(q, lang), value=_dec(v, lang)))
        data = AmendmentIn(
            reason=str(form.get("reason") or ""),
            new_valid_to=str(form.get("new_valid_to") or "") or None,  # type: ignore[arg-type]
            lines=lines,
        )
        app = services.request_amendment(
            s, actor, permit_id, data, deps.checks(request), deps.today(request)
        )
        return f"/applications/{app.id}"

    return await _act(request, s, ("applicant",), f"/permits/{permit_id}", fn)


def permit_actions(p: Permit, today: dt.date) -> list[str]:
    """The transitions a permit in its state allows (EIPA s.10), nothing else is offered."""
    eff = services.effective_status(p, today)
    if eff == "expired":
        return ["expire"] if p.status in ("active", "suspended") else []
    out = [a for a, (allowed, _t) in services.TRANSITIONS.items() if eff in allowed]
    return [a for a in out if a != "expire"]


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


@router.post("/permits/{permit_id}/action")
async def permit_action(request: Request, permit_id: Id, s: DB) -> Response:
    u, actor = require(request, s, "officer")
    form = await request.form()
    back = f"/permits/{permit_id}"
    if form.get("confirm") != "1":
        form = await form_of(request)
        action = str(form.get("action") or "")
        reason = str(form.get("reason") or "").strip()[:2000]
        p = services.get_permit(s, actor, permit_id)
        lang = lang_of(request)
        if not reason or action not in services.TRANSITIONS:
            label = field_label("reason", lang)
            flash(
                request,
                "error",
                f"{label}{': ' if lang == 'en' else ' : '}" + i18n.t("val.required", lang),
            )
            return redirect(back)
        verb = i18n.t("action." + action, lang)
        question = i18n.t("confirm.permit", lang, verb=verb, number=p.number)
        return confirm_page(
            request,
            u,
            question,
            back + "/action",
            back,
            {"action": action, "reason": reason},
            reason=reason,
        )

    def fn(actor: Actor, form: FormData) -> str:
        action = str(form.get("action") or "")
        reason = str(form.get("reason") or "").strip()
        if not reason:
            raise OfficeError(422, "invalid", "reason")
        services.transition(s, actor, permit_id, action, reason, deps.today(request))
        return back

    return await _act(request, s, ("officer",), back, fn)


# ------------------------------------------------------------------ audit and users


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
    u, _ = require(request, s, "auditor", "officer", "admin")
    entries, older = _audit_rows(request, s, AUDIT_PAGE)
    check = audit.verify(s) if request.query_params.get("verify") == "1" else None
    params = {k: v for k, v in request.query_params.items() if k not in ("before", "verify")}
    lang = lang_of(request)
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
        },
        user=u,
    )


@router.get("/audit.csv")
def audit_csv(request: Request, s: DB) -> Response:
    """The audit log with the page's filters, as CSV (every matching entry)."""
    require(request, s, "auditor", "officer", "admin")
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
        reports.audit_csv(rows),
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
        target = services.get_user(s, user_id)
        question = i18n.t("confirm.deactivate", lang_of(request), name=target.username)
        return confirm_page(request, u, question, f"/users/{user_id}/deactivate", "/users", {})

    def fn(actor: Actor, form: FormData) -> str:
        services.set_user_active(s, actor, user_id, False)
        return "/users"

    return await _act(request, s, ("admin",), "/users", fn)


@router.post("/users/{user_id}/reactivate")
async def reactivate_user(request: Request, user_id: Id, s: DB) -> Response:
    def fn(actor: Actor, form: FormData) -> str:
        services.set_user_active(s, actor, user_id, True)
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
        _row, token = services.new_user_token(s, actor, user_id)
        target = services.get_user(s, user_id)
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
        services.revoke_token(s, actor, token_id)
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
        target = services.get_user(s, user_id)
        question = i18n.t("confirm.reset", lang_of(request), name=target.username)
        return confirm_page(request, u, question, f"/users/{user_id}/password-reset", "/users", {})

    _u, actor = require(request, s, "admin")
    await form_of(request)
    try:
        target, password = services.reset_password(s, actor, user_id)
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
    tokens = [present.token(x) for x in services.tokens_of(s, actor, u.id)]
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
            u = services.change_password(s, actor, str(form.get("old_password") or ""), new)
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
            role=str(form.get("role") or ""),  # type: ignore[arg-type]
            organisation=str(form.get("organisation") or "") or None,
            password=str(form.get("password") or "") or None,
        )
        _nu, token, pw = services.create_user(
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
