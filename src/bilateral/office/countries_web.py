"""Country pages and their JSON API: profile, timeline, diff and trade statistics.

English at /countries/..., French at /pays/... (the language toggle keeps the date and the
other query parameters). Pages work without JavaScript; charts are server-drawn SVG with a
data table beneath each. Bad input is a 422 page or JSON naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bilateral.errors import BadInput
from bilateral.office import countries
from bilateral.office.countries_text import TEXT
from bilateral.platform import application, deps
from bilateral.platform import web as platform_web
from bilateral.profile import views
from bilateral.profile.render import citation_text
from bilateral.profile.words import money
from bilateral.profile.words import w as words
from bilateral.stats import charts
from bilateral.stats.store import StatsStore

DB = Annotated[Session, Depends(deps.db)]
Lang = Annotated[str, Query(pattern="^(en|fr)$")]
# the JSON API's language: ?lang= if given, else the Accept-Language header
AskedLang = Annotated[
    str | None,
    Query(pattern="^(en|fr)$", description="language (default: the Accept-Language header)"),
]
Country = Annotated[str, Path(max_length=60)]

api = APIRouter(prefix="/api", tags=["countries"])
pages = APIRouter(include_in_schema=False)

# Route names per language: the toggle maps one onto the other.
ROOT = {"en": "/countries", "fr": "/pays"}
SUB = {
    "en": {"": "", "timeline": "/timeline", "diff": "/diff", "trade": "/trade"},
    "fr": {"": "", "timeline": "/chronologie", "diff": "/diff", "trade": "/commerce"},
}


def _store() -> StatsStore:
    return StatsStore(read_only=True)


def _fail(error: BadInput, lang: str = "en") -> JSONResponse:
    from bilateral.faces import refusal

    return JSONResponse(
        {"error": "bad_input", "field": error.field, "message": refusal.said(error, lang)},
        status_code=422,
    )


# ------------------------------------------------------------------ JSON API


@api.get(
    "/countries/{country}/profile", summary="A country's profile on a date, every sentence cited"
)
def api_profile(
    request: Request, country: Country, on: dt.date | None = None, lang: AskedLang = None
) -> JSONResponse:
    lang = deps.api_lang(request, lang)
    try:
        with _store() as store:
            return JSONResponse(
                views.profile(country=country, on=on or deps.today(request), lang=lang, store=store)
            )
    except BadInput as e:
        return _fail(e, lang)


@api.get(
    "/countries/{country}/timeline", summary="Timeline of a country's rules and relations events"
)
def api_timeline(
    request: Request,
    country: Country,
    lang: AskedLang = None,
    kind: Annotated[
        list[str] | None, Query(description="kinds to keep (repeat or comma-separate)")
    ] = None,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
) -> JSONResponse:
    lang = deps.api_lang(request, lang)
    try:
        return JSONResponse(
            views.timeline(
                country=country, lang=lang, kinds=kind, date_from=date_from, date_to=date_to
            )
        )
    except BadInput as e:
        return _fail(e, lang)


@api.get(
    "/countries/{country}/diff", summary="Rules and events that started or ended between two dates"
)
def api_diff(
    request: Request,
    country: Country,
    date_from: Annotated[dt.date, Query(alias="from")],
    date_to: Annotated[dt.date, Query(alias="to")],
    lang: AskedLang = None,
) -> JSONResponse:
    lang = deps.api_lang(request, lang)
    try:
        return JSONResponse(
            views.diff(country=country, date_from=date_from, date_to=date_to, lang=lang)
        )
    except BadInput as e:
        return _fail(e, lang)


@api.get(
    "/countries/{country}/stats", summary="Merchandise trade with a country: computed and published"
)
def api_stats(
    request: Request,
    country: Country,
    reporter: Annotated[str, Query(max_length=60)] = "CA",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_from: Annotated[int | None, Query(alias="from", ge=1900, le=2100)] = None,
    year_to: Annotated[int | None, Query(alias="to", ge=1900, le=2100)] = None,
    by: Annotated[str, Query(pattern="^(total|section|chapter|heading|product)$")] = "total",
    flow: Annotated[list[str] | None, Query()] = None,
    top: Annotated[int | None, Query(ge=1, le=100)] = None,
    lang: AskedLang = None,
) -> JSONResponse:
    lang = deps.api_lang(request, lang)
    try:
        with _store() as store:
            return JSONResponse(
                views.stats(
                    country=country,
                    reporter=reporter,
                    year=year,
                    year_from=year_from,
                    year_to=year_to,
                    by=by,
                    flows=flow,
                    top_n=top,
                    lang=lang,
                    store=store,
                )
            )
    except BadInput as e:
        return _fail(e, lang)


# ------------------------------------------------------------------ pages


def _url(lang: str, code: str, page: str, params: dict[str, str]) -> str:
    query = {k: v for k, v in params.items() if v and k != "lang"}
    path = f"{ROOT[lang]}/{quote(code, safe='')}{SUB[lang][page]}"
    return path + ("?" + urlencode(query) if query else "")


def _prov(text: str | None, lang: str) -> str | None:
    from bilateral.faces import verdict

    return verdict.provision_fr(text) if text and lang == "fr" else text


def _confidence(value: str | None, lang: str) -> str:
    from bilateral.faces import verdict

    return verdict.confidence(value, lang)


def _page(
    request: Request,
    s: Session,
    name: str,
    lang: str,
    code: str,
    page: str,
    ctx: dict[str, Any],
) -> Response:
    """The page, a 422 where ``ctx`` carries an error (bad input named for the reader)."""
    params = dict(request.query_params)

    def tt(key: str) -> str:
        return TEXT[lang].get(key, key)

    def t(key: str, **kw: Any) -> str:
        from bilateral.platform import i18n

        return i18n.t(key, lang, **kw)

    base = {
        "lang": lang,
        "t": t,
        "tt": tt,
        "code": code,
        "switch_en": _url("en", code, page, params),
        "switch_fr": _url("fr", code, page, params),
        "links": {
            p: _url(lang, code, p, {k: v for k, v in params.items() if k in ("on", "reporter")})
            for p in SUB[lang]
        },
        "cite": citation_text,
        # an instrument as the reader's language cites it (DORS/…, Avis aux exportateurs …)
        "prov": lambda text: _prov(text, lang),
        "conf": lambda value: _confidence(value, lang),
    }
    # the page's language is its path's (/pays/... is French): the platform's chrome (menu,
    # language selection, footer) follows it, not a cookie or header of another language
    request.state.lang = lang
    return platform_web.render(
        request,
        name,
        {**base, **ctx},
        status=422 if ctx.get("error") else 200,
        user=platform_web.current_user(request, s),
    )


def _both(page: str, handler: Callable[[Request, Session, str, str], Response]) -> None:
    """Route one country page in both languages: /countries/{code}... in English and
    /pays/{code}... in French, the paths from ROOT and SUB (the ones the toggle maps)."""
    for lang in ("en", "fr"):
        pages.add_api_route(
            f"{ROOT[lang]}/{{code}}{SUB[lang][page]}",
            _endpoint(handler, lang),
            methods=["GET"],
            name=f"{page or 'profile'}_{lang}",
        )


def _endpoint(
    handler: Callable[[Request, Session, str, str], Response], lang: str
) -> Callable[..., Response]:
    # the language is bound here, not a parameter: FastAPI would read one as ?lang=
    def endpoint(request: Request, code: Country, s: DB) -> Response:
        return handler(request, s, code, lang)

    return endpoint


def _date(value: str | None, default: dt.date) -> tuple[str, bool]:
    if not value:
        return default.isoformat(), True
    try:
        return dt.date.fromisoformat(value).isoformat(), True
    except ValueError:
        return value, False


def _index(request: Request, s: Session, lang: str) -> Response:
    code = request.query_params.get("country")
    if code:
        extra = {"on": request.query_params.get("on", "")}
        return RedirectResponse(_url(lang, code.strip()[:60], "", extra), status_code=303)
    from bilateral import countries
    from bilateral.engine.law import default_law
    from bilateral.profile.compose import concerns

    law = default_law()
    named = sorted(
        {c for c in countries.known_codes() for r in law.bundle.rules.values() if concerns(r, c)},
        key=lambda c: countries.get(c).name(lang),
    )
    choices = [(c, countries.get(c).name(lang)) for c in named]
    return _page(
        request,
        s,
        "countries_index.html",
        lang,
        "BY",
        "",
        {"choices": choices, "on": deps.today(request).isoformat()},
    )


@pages.get("/countries")
def index_en(request: Request, s: DB) -> Response:
    return _index(request, s, "en")


@pages.get("/pays")
def index_fr(request: Request, s: DB) -> Response:
    return _index(request, s, "fr")


@pages.get("/country/{code}")
def old_country_page(code: Country, request: Request) -> Response:
    """The former country page: its readers land on the profile, date and language kept."""
    lang = platform_web.lang_of(request)
    return RedirectResponse(_url(lang, code, "", dict(request.query_params)), status_code=307)


def _profile(request: Request, s: DB, code: str, lang: str) -> Response:
    if request.query_params.get("lang") in ("en", "fr") and request.query_params["lang"] != lang:
        other = request.query_params["lang"]
        return RedirectResponse(_url(other, code, "", dict(request.query_params)), status_code=303)
    on, ok = _date(request.query_params.get("on"), deps.today(request))
    profile: dict[str, Any] | None = None
    error = None
    trade_view: dict[str, Any] | None = None
    if not ok:
        error = f"on: {TEXT[lang]['bad_date']}"
    else:
        try:
            with _store() as store:
                profile = views.profile(country=code, on=on, lang=lang, store=store)
        except BadInput as e:
            error = str(e)
    if profile and profile["trade"]["series"]:
        trade_view = _trade_view(profile["trade"]["series"], lang)
    # lines other applications contribute (e.g. CFLI projects), without the office
    # knowing them: the platform asks every installed application
    alpha2 = countries.resolve(code) if profile else None
    facts = application.country_facts(s, alpha2, lang, dt.date.fromisoformat(on)) if alpha2 else []
    return _page(
        request,
        s,
        "country_profile.html",
        lang,
        code,
        "",
        {"on": on, "profile": profile, "error": error, "trade_view": trade_view, "facts": facts},
    )


_both("", _profile)


def _timeline(request: Request, s: DB, code: str, lang: str) -> Response:
    q = request.query_params
    kinds = q.getlist("kind") or None
    answer = error = None
    try:
        answer = views.timeline(
            country=code,
            lang=lang,
            kinds=kinds,
            date_from=q.get("from") or None,
            date_to=q.get("to") or None,
        )
    except BadInput as e:
        error = str(e)
    return _page(
        request,
        s,
        "country_timeline.html",
        lang,
        code,
        "timeline",
        {
            "timeline": answer,
            "error": error,
            "q": q,
            "kinds_all": views.KINDS,
            "kinds_on": set(kinds or views.KINDS),
        },
    )


_both("timeline", _timeline)


def _diff(request: Request, s: DB, code: str, lang: str) -> Response:
    q = request.query_params
    answer = error = None
    if q.get("from") or q.get("to"):
        try:
            answer = views.diff(
                country=code, date_from=q.get("from", ""), date_to=q.get("to", ""), lang=lang
            )
        except BadInput as e:
            error = str(e)
    return _page(
        request,
        s,
        "country_diff.html",
        lang,
        code,
        "diff",
        {"diff": answer, "error": error, "q": q},
    )


_both("diff", _diff)


def _trade_view(series: dict[str, Any], lang: str) -> dict[str, Any]:
    """Charts (inline SVG) and the tables beneath them, from a totals-and-sections query."""
    currency = series["currency"]
    totals = series["rows"]
    sections = series.get("by_section") or []
    year = max(r["year"] for r in totals)

    def fmt(value: str) -> str:
        return money(Decimal(value), currency, lang)

    return {
        "currency": currency,
        "year": year,
        "by_year_svg": charts.by_year(totals, currency, lang),
        "by_section_svg": charts.by_section(sections, year, currency, lang) if sections else None,
        "by_year_rows": [
            {**r, "flow_text": words(lang, "flow." + r["flow"]), "amount": fmt(r["value"])}
            for r in totals
        ],
        "by_section_rows": [
            {**r, "flow_text": words(lang, "flow." + r["flow"]), "amount": fmt(r["value"])}
            for r in sections
            if r["year"] == year
        ],
    }


def _trade(request: Request, s: DB, code: str, lang: str) -> Response:
    q = request.query_params
    reporter = (q.get("reporter") or "CA")[:60]
    answer = error = None
    view = None
    try:
        with _store() as store:
            answer = views.stats(country=code, reporter=reporter, lang=lang, store=store)
            if answer["loaded"]:
                sections = views.stats(
                    country=code, reporter=reporter, by="section", lang=lang, store=store
                )
                view = _trade_view(
                    {
                        "currency": answer["currency"],
                        "rows": answer["computed"],
                        "by_section": sections["computed"],
                    },
                    lang,
                )
    except BadInput as e:
        error = str(e)
    return _page(
        request,
        s,
        "country_trade.html",
        lang,
        code,
        "trade",
        {"stats": answer, "error": error, "trade_view": view, "reporter": reporter},
    )


_both("trade", _trade)


@pages.get("/countries/{code}/charts/{name}.svg")
def chart(
    code: Country, name: str, reporter: str = "CA", lang: Lang = "en", year: int | None = None
) -> Response:
    """A chart as an SVG file (the pages inline the same drawing)."""
    if name not in ("by-year", "by-section"):
        return Response(
            "unknown chart (by-year or by-section)", status_code=404, media_type="text/plain"
        )
    try:
        with _store() as store:
            totals = views.stats(country=code, reporter=reporter[:60], lang=lang, store=store)
            if not totals["loaded"]:
                return Response(
                    "no trade series is loaded for these countries",
                    status_code=404,
                    media_type="text/plain",
                )
            if name == "by-year":
                svg = charts.by_year(totals["computed"], totals["currency"], lang)
            else:
                rows = views.stats(
                    country=code, reporter=reporter[:60], by="section", lang=lang, store=store
                )["computed"]
                chosen = year or max(r["year"] for r in rows)
                svg = charts.by_section(rows, chosen, totals["currency"], lang)
    except BadInput as e:
        return Response(str(e), status_code=422, media_type="text/plain")
    return Response(svg, media_type="image/svg+xml", headers={"X-Content-Type-Options": "nosniff"})


router = APIRouter()
router.include_router(api)
router.include_router(pages)
