"""Every refusal the CFLI domain makes, by a stable code with parameters.

A refusal is a ``BadInput`` naming the field, with its English sentence (``problem``, for
the command line and the logs) and a ``code`` + ``params`` that the web pages and the API
say in the reader's language: the ``cfli`` catalog holds ``cfli.refuse.<code>`` in English
(the same template as here) and French, and amounts and dates are written per language
when the sentence is made (``sentence``). The domain imports no web module.

Inside pydantic validators a refusal is raised as ``invalid(code, …)`` (a pydantic custom
error of type ``cfli_refusal`` carrying the code, the sub-field and the parameters);
``from_validation`` turns the first error of a ``ValidationError`` into a ``BadInput``
with a code: a CFLI refusal keeps its own, pydantic's own errors get ``input.<type>``
(said by the platform's ``validation_message``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from bilateral.cfli import i18n
from bilateral.errors import BadInput

KEY = "cfli.refuse."
CUSTOM = "cfli_refusal"  # the pydantic error type of a CFLI refusal in a validator
INPUT = "input."  # the code prefix of pydantic's own errors (``input.missing``)

REFUSALS: dict[str, str] = {
    # calls and their versions
    "no_call": "no call '{call}' (known: {known})",
    "no_version": "call {call} has no version {version} (it has {known})",
    "proposal_other_call": "proposal {proposal} is for call {proposal_call}, not {call}",
    "param_cited": "a cited parameter needs a source and a confidence",
    "param_confidence_note": "a parameter of {confidence} confidence needs a note saying why",
    "param_officer_note": "an officer parameter needs a note (who decided, or why)",
    "param_not_found_empty": "a not_found parameter must be empty (the officer sets it)",
    "param_not_found_note": "a not_found parameter needs a note saying what was searched",
    "param_value": "a {basis} parameter needs a value",
    "amount_not_bool": "an amount is a number, not true/false",
    "amount_not_negative": "an amount must be a finite number, zero or more",
    "amount_cents": "an amount has at most two decimal places (cents)",
    "amount_number": "an amount is a number",
    "low_above_high": "low is above high",
    "fiscal_year_years": "fiscal year {label}: the two years must follow each other",
    "unknown_country": "unknown country '{country}' (ISO 3166 alpha-2)",
    "completion_outside_year": (
        "the completion deadline {deadline} is outside fiscal year {label} ({start} to {end})"
    ),
    "minimum_above_maximum": "the minimum contribution is above the maximum contribution",
    "overhead_cap_range": "the overhead cap must be between 0 and 100 percent",
    "criteria_unique": "each criterion has its own id",
    "unknown_language": "unknown language code '{language}' (ISO 639, e.g. en, fr, ru, be)",
    # proposals
    "proposal_suffix": "{file}: expected a .json, .yaml or .yml file",
    "proposal_not_json": "{file}: not JSON (line {line})",
    "proposal_not_yaml": "{file}: not YAML (line {line})",
    "proposal_bad_date": "{file}: a date in the file does not exist",
    "proposal_not_mapping": "{file}: expected a mapping of fields",
    "not_iso_country": "not an ISO 3166 alpha-2 code",
    "end_before_start": "before start",
    "budget_total": ("the CFLI budget lines add up to {lines}, not the {requested} requested"),
    "requested_positive": "must be more than zero",
    "name_length": "give a name of 1 to 300 characters",
    # eligibility and its replay
    "replay_call_changed": (
        "call {call} v{version} ({hash}) is not on file any more: its content changed"
    ),
    "replay_other_proposal": "proposal {proposal} is not the one that was checked",
    "replay_sanctions_changed": (
        "the sanctions lists or the law data changed since the determination (then: "
        "{lists_then}, law data {law_then}; now: {lists_now}, law data {law_now}): "
        "determine eligibility again"
    ),
    # assessment
    "criteria_not_set": (
        "call {call} v{version}: the assessment criteria are not set; the programme "
        "officer must set them before scoring"
    ),
    "already_declared": "{member} has already declared on {proposal}",
    "not_scorable": "{proposal} is not eligible (or not cleared) and cannot be scored",
    "declare_first": "{member} must declare any conflict of interest on {proposal} before scoring",
    "conflicted": "{member} declared a conflict of interest on {proposal} and cannot score it",
    "already_scored": "{member} has already scored {proposal}",
    "marks_expected": "expected marks for {expected}; missing {missing}, unknown {unknown}",
    "mark_not_number": "not a number",
    "mark_range": "a mark is from 0 to {scale}",
    "not_member": "{member} is not a member of the committee",
    "no_proposal": "no proposal {proposal} in this assessment",
    "envelope_not_set": (
        "call {call} v{version}: the envelope is not set; the programme officer must set it "
        "before a funding plan can be drawn up"
    ),
    "committee_members": "a committee has at least one member, each named once",
    "determination_other_call": (
        "{proposal} was determined against {det_call} v{det_version} ({det_hash}), not "
        "{call} v{version} ({hash})"
    ),
    "determination_other_proposal": "{proposal}: not the proposal that was checked",
    "not_in_plan": "{proposal} is not in the funding plan",
    "not_scored": "{proposal} was not scored",
    "in_plan": "{proposal} is in the funding plan",
    "decline_basis": "give the ineligible determination or the assessment",
    # agreements
    "plan_other_call": "the funding plan is for call {plan_call}, not {call}",
    "call_changed": "call {call} v{version} changed since the assessment",
    "payment_terms_not_set": (
        "call {call} v{version}: payment_terms is not set; the programme officer must set it "
        "before agreements can be drawn up"
    ),
    "reporting_not_set": (
        "call {call} v{version}: reporting is not set; the programme officer must set it "
        "before agreements can be drawn up"
    ),
    "agreement_closed": "agreement {agreement} is closed",
    "already_signed": "agreement {agreement} is already signed",
    "signed_before_drawn_up": "before the agreement was drawn up",
    "payment_positive": "a payment is more than zero",
    "payment_unsigned": "no payment before the agreement is signed",
    "payment_before_signature": "a payment cannot precede the signature",
    "final_payment_early": "the final payment is made on acceptance of the final reports",
    "payment_above_agreement": (
        "a payment of {amount} would take payments to {total}, above the agreement's {limit}"
    ),
    "payment_above_advance": (
        "advance payments would reach {total}, above the advance instalment of {limit}"
    ),
    "payment_above_final": (
        "final payments would reach {total}, above the final instalment of {limit}"
    ),
    "report_unsigned": "no report before the agreement is signed",
    "no_budget_line": "no such budget line in the agreement",
    "accept_once": "the final reports are accepted once, after signature",
    "missing_narrative": "missing final report: narrative",
    "missing_financial": "missing final report: financial",
    "missing_reports": "missing final report: narrative, financial",
    "no_financial_report": "no financial report yet",
    "close_before_accept": "an agreement closes after its final reports are accepted",
    # the portfolio
    "agreement_other_proposal": "{agreement} is not the agreement of {proposal}",
    "portfolio_by": "one of {choices}",
    # sealed records
    "cannot_decrypt": "cannot be decrypted with any key in {origin} (was a key dropped?)",
    "cannot_decrypt_any": "cannot be decrypted with any key",
    "purged": "purged on {day}: its sensitive fields are gone",
    "retention_negative": "must be zero or more",
}


def shown(params: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Parameters as the reader writes them: amounts in CAD, dates in words, lists joined."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, bool):
            out[name] = str(value).lower()
        elif isinstance(value, Decimal):
            out[name] = i18n.money(value, lang)
        elif isinstance(value, dt.date):
            out[name] = i18n.day(value, lang)
        elif isinstance(value, list | tuple):
            out[name] = i18n.listing([str(v) for v in value], lang) if value else "—"
        else:
            out[name] = str(value)
    return out


def sentence(template: str, params: Mapping[str, Any], lang: str) -> str:
    return template.format(**shown(params, lang))


def refuse(field: str, code: str, **params: Any) -> BadInput:
    """The refusal ``code`` of ``field``, its English sentence made from ``params``."""
    return BadInput(field, sentence(REFUSALS[code], params, "en"), code=code, params=params)


def require_same_call(proposal: str, proposal_call: str, call: str) -> None:
    """Refuse (field ``call``) a proposal made under another call than the one asked."""
    if proposal_call != call:
        raise refuse(
            "call", "proposal_other_call", proposal=proposal, proposal_call=proposal_call, call=call
        )


def invalid(code: str, field: str | None = None, **params: Any) -> PydanticCustomError:
    """A refusal raised inside a pydantic validator (``field``: the sub-field it is about)."""
    english = sentence(REFUSALS[code], params, "en").replace("{", "(").replace("}", ")")
    context: dict[str, Any] = {"code": code, "params": params}
    if field:
        context["field"] = field
    return PydanticCustomError(CUSTOM, english, context)


def from_custom(field: str, error: PydanticCustomError) -> BadInput:
    """A refusal raised by a validator (``invalid``), outside pydantic."""
    ctx = dict(error.context or {})
    code = str(ctx.get("code", "")) or None
    return BadInput(field, error.message(), code=code, params=dict(ctx.get("params") or {}))


def from_validation(error: ValidationError, default: str) -> BadInput:
    """The first problem of ``error`` as a BadInput naming the field (never the value)."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"] if "[" not in str(p) and p != "function-after")
    ctx = dict(first.get("ctx") or {})
    message = str(first["msg"])
    if first["type"] == CUSTOM:
        inner = ctx.get("field")
        if inner:
            where = f"{where}.{inner}" if where else str(inner)
        code, params = str(ctx["code"]), dict(ctx.get("params") or {})
        return BadInput(where or default, message, code=code, params=params)
    message = message.removeprefix("Value error, ")
    params = {k: v for k, v in ctx.items() if k != "error"}
    return BadInput(where or default, message, code=INPUT + first["type"], params=params)
