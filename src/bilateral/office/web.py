"""The permit office's pages (Jinja2), English and French, usable without JavaScript:
public checks, country page, dashboard, queue, applications, decisions and permits.

Built on the platform's web kit (``bilateral.platform.web``: sessions, CSRF, ``render``,
form helpers, field errors); the sign-in, account, users and audit pages are the
platform's. ``page_context`` and ``localize_params`` are what the office adds to every page
and to every error message (its ``Application`` descriptor passes them to the platform).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi import Path as FPath
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from bilateral.errors import BadInput
from bilateral.faces import refusal, verdict
from bilateral.office import answers, api, countries, present, reports, services
from bilateral.office.models import Application, Permit
from bilateral.office.schemas import (
    AmendmentIn,
    ApplicationIn,
    DecisionIn,
    PermitLineAuth,
    ShipmentIn,
)
from bilateral.platform import deps, i18n, uploads
from bilateral.platform.accounts import Actor, OfficeError
from bilateral.platform.models import User
from bilateral.platform.web import (
    _NO_LABEL,
    _act,
    confirm_page,
    current_user,
    field_id,
    field_label,
    flash,
    form_of,
    lang_of,
    office_message,
    office_text,
    redirect,
    render,
    require,
    validation_errors,
)

HERE = Path(__file__).parent
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


# engine refusals the form's own hint (val.*) says as well as the engine would
FORM_SAYS_IT = frozenset(
    {
        "engine.country_unknown",
        "engine.category_unknown",
        "engine.topic_unknown",
        "engine.goods_one",
        "engine.date_malformed",
        "engine.hs_malformed",
        "engine.ecl_malformed",
    }
)


def engine_error(e: BadInput, lang: str) -> str:
    """The engine's refusal named by the form's label, in the reader's language."""
    key = ENGINE_FIELD_MESSAGE.get(e.field)
    if lang == "en":  # the engine says its problems in English: say them as they are
        text = answers.clean(e.problem, "en")
        text = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    elif e.code and e.code not in FORM_SAYS_IT and refusal.has_text(e):
        # what the form's own hint would not say (a date out of the law's range, an HS code
        # of another edition): the engine's problem, in French
        text = refusal.problem(e, lang)
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


# ------------------------------------------------------------------ what the office adds

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
}
LIST_FIELDS = {"lines": "form.line_n", "consignees": "form.consignee_n"}
GROUP_FIELDS = {"applicant": "form.applicant", "exporter": "form.exporter"}
VALUE_ERRORS = (
    ("country", "val.country"),
    ("HS code", "val.hs"),
    ("positive number", "val.positive"),
    ("3 decimal", "val.decimals3"),
    ("2 decimal", "val.decimals2"),
    ("amount", "val.amount"),
)


def page_context(request: Request, lang: str) -> dict[str, Any]:
    """The helpers the office's templates (and the shared macros) use."""
    return {
        "outcomes": OUTCOMES,
        "countries": countries.choices(lang),
        "country_name": lambda code: countries.name(code, lang),
        "fr_url": lambda url: verdict.url_for(url, lang),
        "fdate": lambda d: verdict.long_date(d, lang) if d else "",
        "prov": lambda text: citation_part(text, lang),
        "money": lambda v: answers.money(v, lang),
        "qty": lambda v: answers.quantity(v, lang),
        "unit": lambda code: unit_label(code, lang),
        "cite": lambda text: citation_text(str(text), lang),
        "num_in": lambda v: answers.number_input(v, lang),
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


def localize_params(code: str, params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Numbers and dates of an error message as the reader writes them."""
    out = dict(params)
    money_codes = ("exceeds_value", "total_mismatch")
    for k in ("remaining", "computed"):
        if k in out and out[k] is not None:
            fmt = answers.money if code in money_codes else answers.quantity
            out[k] = fmt(out[k], lang)
    if isinstance(out.get("citation"), str):
        out["citation"] = answers.clean(out["citation"], lang)
    if code == "engine_bad_input" and lang == "fr" and out.get("problem_fr"):
        out["problem"] = out["problem_fr"]  # the engine's refusal, said in French
    if code == "incomplete" and isinstance(out.get("missing"), str):
        # field keys ("consignees[0].contact") as the labels the reader knows them by
        fields = [f.strip() for f in out["missing"].split(",") if f.strip()]
        out["missing"] = "; ".join(field_label(f, lang) or f for f in fields)
    for k in ("on", "date", "valid_from", "valid_to"):
        if isinstance(out.get(k), str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", out[k]):
            out[k] = verdict.long_date(out[k], lang)
    return out


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
