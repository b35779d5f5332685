"""CFLI services: the programme's cycle on the database, one function per action.

Each function runs inside the caller's transaction (the web page or API endpoint commits),
checks the actor's right to act first (least privilege), uses the domain core
(``bilateral.cfli``) for every rule, records each state change in the audit chain without
sensitive values, and audits every read of a sensitive record. A refusal is an
``OfficeError`` naming the field; nothing is half-written (the caller rolls back).

Who may do what:

* ``programme_officer``: calls of the missions they are staff of (``cfli_staff``), and the
  proposals, committees, plans, agreements and payments of those calls.
* ``committee_member``: proposals of calls they are assigned to (``cfli_committee``),
  only once eligible or cleared; declare conflicts, score.
* ``grant_applicant``: their own organisation's proposals, letters, agreements and reports.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bilateral.cfli import agreements as agreements_mod
from bilateral.cfli import crypto, refusals
from bilateral.cfli.assessment import Assessment, approval_letter, decline_letter, open_assessment
from bilateral.cfli.calls import (
    CENT,
    Call,
    CallFile,
    CallVersion,
    bundled,
    version_hash,
)
from bilateral.cfli.crypto import KeyRing
from bilateral.cfli.eligibility import Determination, Outcome, determine_eligibility, replay
from bilateral.cfli.proposals import Proposal, parse_proposal
from bilateral.cfli.web.models import (
    CfliAgreement,
    CfliCall,
    CfliCallVersion,
    CfliCommittee,
    CfliDeclaration,
    CfliDetermination,
    CfliDocument,
    CfliFundingPlan,
    CfliPayment,
    CfliProposal,
    CfliReport,
    CfliScore,
    CfliStaff,
)
from bilateral.cfli.web.shared import Actor, OfficeError, User, audit, uploads
from bilateral.errors import BadInput

OFFICER = "programme_officer"
MEMBER = "committee_member"
APPLICANT = "grant_applicant"
CFLI_ROLES = (OFFICER, MEMBER, APPLICANT)

# proposal states
DRAFT = "draft"
ELIGIBLE = "eligible"
INELIGIBLE = "ineligible"
NEEDS_REVIEW = "needs_review"
CLEARED = "cleared"
APPROVED = "approved"
DECLINED = "declined"
CLOSED = "closed"
SCORABLE = (ELIGIBLE, CLEARED)


def now() -> str:
    return audit.now_iso()


def cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value())


def money(n: int) -> Decimal:
    return (Decimal(n) * CENT).quantize(CENT)


def bad(e: BadInput) -> OfficeError:
    """A domain refusal as a 422 naming the field (the domain never puts a value in it):
    its code and parameters say it in the reader's language, ``detail`` in English."""
    return OfficeError(
        422, "cfli_invalid", e.field, detail=e.problem, refusal=e.code, args=dict(e.params)
    )


def refused(field: str, code: str, **params: Any) -> OfficeError:
    """One of the domain's refusals (``cfli.refusals``) made here."""
    return bad(refusals.refuse(field, code, **params))


def _need(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise OfficeError(403, "forbidden")


def mission_code(version: CallVersion) -> str:
    """The mission as a short code: the city in brackets (``warsaw``), else a slug."""
    label = version.mission.value.en if version.mission.value else "unknown"
    m = re.search(r"\(([^)]+)\)", label)
    text = (m.group(1) if m else label).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40] or "unknown"


# ------------------------------------------------------------------ staff and committees


def add_staff(s: Session, user: User, mission: str, actor: str = "system") -> None:
    if user.role != OFFICER:
        raise OfficeError(422, "cfli_not_role", "user", role=OFFICER)
    if s.execute(
        select(CfliStaff.id).where(CfliStaff.user_id == user.id, CfliStaff.mission == mission)
    ).first():
        return
    s.add(CfliStaff(user_id=user.id, mission=mission))
    audit.record(
        s,
        actor=actor,
        action="cfli.staff.add",
        entity="user",
        entity_id=user.id,
        after={"mission": mission},
    )


def missions_of(s: Session, actor: Actor) -> set[str]:
    if actor.role != OFFICER:
        return set()
    return set(s.execute(select(CfliStaff.mission).where(CfliStaff.user_id == actor.id)).scalars())


def _call_row(s: Session, call_id: str) -> CfliCall:
    row = s.execute(select(CfliCall).where(CfliCall.call_id == call_id)).scalar_one_or_none()
    if row is None:
        raise OfficeError(404, "not_found", "call")
    return row


def _officer_of(s: Session, actor: Actor, call: CfliCall) -> None:
    _need(actor, OFFICER)
    if call.mission not in missions_of(s, actor):
        # another mission's call: as if it did not exist
        raise OfficeError(404, "not_found", "call")


def _member_of(s: Session, actor: Actor, call: CfliCall) -> bool:
    return (
        actor.role == MEMBER
        and s.execute(
            select(CfliCommittee.id).where(
                CfliCommittee.call_id == call.id, CfliCommittee.user_id == actor.id
            )
        ).first()
        is not None
    )


def assign_member(s: Session, actor: Actor, call_id: str, username: str) -> None:
    call = _call_row(s, call_id)
    _officer_of(s, actor, call)
    user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise OfficeError(422, "cfli_no_user", "username")
    if user.role != MEMBER:
        raise OfficeError(422, "cfli_not_role", "username", role=MEMBER)
    if _member_of(s, Actor.of(user), call):
        return
    s.add(CfliCommittee(call_id=call.id, user_id=user.id))
    audit.record(
        s,
        actor=actor.username,
        action="cfli.committee.assign",
        entity="cfli_call",
        entity_id=call.call_id,
        after={"member": user.username},
    )


def committee(s: Session, call: CfliCall) -> list[User]:
    return list(
        s.execute(
            select(User)
            .join(CfliCommittee, CfliCommittee.user_id == User.id)
            .where(CfliCommittee.call_id == call.id)
            .order_by(User.username)
        ).scalars()
    )


# ------------------------------------------------------------------ calls


def sync_calls(s: Session, actor: str = "system") -> list[str]:
    """Load the call files (``cfli/data/calls``) into the database: each call and each
    version not yet there, as it is in the file. Returns what was added (``id vN``)."""
    added = []
    for call in bundled():
        row = s.execute(select(CfliCall).where(CfliCall.call_id == call.id)).scalar_one_or_none()
        if row is None:
            row = CfliCall(
                call_id=call.id,
                mission=mission_code(call.latest),
                sources={k: v.model_dump(mode="json") for k, v in call.sources.items()},
                created_at=now(),
            )
            s.add(row)
            s.flush()
        have = set(
            s.execute(
                select(CfliCallVersion.version).where(CfliCallVersion.call_id == row.id)
            ).scalars()
        )
        for v in call.versions:
            if v.version in have:
                continue
            s.add(
                CfliCallVersion(
                    call_id=row.id,
                    version=v.version,
                    status=v.status,
                    hash=call.hashes[v.version],
                    data=v.model_dump(mode="json"),
                    created_at=now(),
                    created_by=actor,
                )
            )
            added.append(f"{call.id} v{v.version}")
            audit.record(
                s,
                actor=actor,
                action="cfli.call.load",
                entity="cfli_call",
                entity_id=call.id,
                after={"version": v.version, "status": v.status, "hash": call.hashes[v.version]},
            )
    s.flush()
    return added


def versions(s: Session, call: CfliCall) -> list[CfliCallVersion]:
    return list(
        s.execute(
            select(CfliCallVersion)
            .where(CfliCallVersion.call_id == call.id)
            .order_by(CfliCallVersion.version)
        ).scalars()
    )


def domain_call(s: Session, call: CfliCall) -> Call:
    """The call as the domain core knows it, from its stored versions."""
    data = CallFile.model_validate(
        {
            "id": call.call_id,
            "sources": call.sources,
            "versions": [v.data for v in versions(s, call)],
        }
    )
    return Call(data, "database")


def published(s: Session, call: CfliCall) -> CfliCallVersion | None:
    rows = [v for v in versions(s, call) if v.status == "published"]
    return rows[-1] if rows else None


def is_open(version: CfliCallVersion, today: dt.date) -> bool:
    deadline = version.data.get("application_deadline", {}).get("value")
    return version.status == "published" and (
        deadline is None or today <= dt.date.fromisoformat(deadline)
    )


def open_calls(s: Session, today: dt.date) -> list[tuple[CfliCall, CfliCallVersion]]:
    """Calls whose latest published version is open on ``today`` (public, no sign-in)."""
    out = []
    for call in s.execute(select(CfliCall).order_by(CfliCall.call_id)).scalars():
        v = published(s, call)
        if v is not None and is_open(v, today):
            out.append((call, v))
    return out


def public_call(s: Session, call_id: str, today: dt.date) -> tuple[CfliCall, CallVersion]:
    call = _call_row(s, call_id)
    v = published(s, call)
    if v is None:
        raise OfficeError(404, "not_found", "call")
    return call, CallVersion.model_validate(v.data)


def officer_calls(s: Session, actor: Actor) -> list[CfliCall]:
    _need(actor, OFFICER)
    mine = missions_of(s, actor)
    return [
        c
        for c in s.execute(select(CfliCall).order_by(CfliCall.call_id)).scalars()
        if c.mission in mine
    ]


def officer_call(s: Session, actor: Actor, call_id: str) -> CfliCall:
    call = _call_row(s, call_id)
    _officer_of(s, actor, call)
    return call


# parameters a programme officer sets in a new version (the sources leave them empty)
SETTABLE = (
    "minimum_contribution",
    "maximum_contribution",
    "application_deadline",
    "registration_required",
    "envelope",
    "ineligible_costs",
    "reporting",
    "payment_terms",
    "criteria",
    "overhead_cap_percent",
    "completion_deadline",
)


def new_version(
    s: Session,
    actor: Actor,
    call_id: str,
    changes: dict[str, Any],
    note: str,
    today: dt.date,
) -> CfliCallVersion:
    """A new draft version: the latest version with ``changes`` set by the officer."""
    call = officer_call(s, actor, call_id)
    if not note.strip():
        raise OfficeError(422, "cfli_required", "change_note")
    rows = versions(s, call)
    last = rows[-1]
    data = json.loads(json.dumps(last.data))
    for name, value in changes.items():
        if name not in SETTABLE:
            raise OfficeError(422, "cfli_unknown_param", name)
        data[name] = {"value": value, "basis": "officer", "note": note.strip()}
    data.update(
        version=last.version + 1,
        status="draft",
        published=max(today, dt.date.fromisoformat(last.data["published"])).isoformat(),
        change_note=note.strip(),
    )
    version = _valid_version(data)
    row = CfliCallVersion(
        call_id=call.id,
        version=version.version,
        status="draft",
        hash=version_hash(call.call_id, version),
        data=version.model_dump(mode="json"),
        created_at=now(),
        created_by=actor.username,
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.call.version",
        entity="cfli_call",
        entity_id=call.call_id,
        after={"version": row.version, "changed": sorted(changes), "hash": row.hash},
    )
    return row


def _valid_version(data: dict[str, Any]) -> CallVersion:
    from pydantic import ValidationError

    try:
        return CallVersion.model_validate(data)
    except ValidationError as e:
        refusal = refusals.from_validation(e, "version")
        refusal.field = refusal.field.split(".")[0]  # the parameter the officer sets
        raise bad(refusal) from None


def publish(s: Session, actor: Actor, call_id: str, version: int, today: dt.date) -> None:
    call = officer_call(s, actor, call_id)
    row = s.execute(
        select(CfliCallVersion).where(
            CfliCallVersion.call_id == call.id, CfliCallVersion.version == version
        )
    ).scalar_one_or_none()
    if row is None:
        raise OfficeError(404, "not_found", "version")
    if row.status != "draft":
        raise OfficeError(409, "cfli_not_draft_version", "version")
    data = dict(row.data)
    data["status"] = "published"
    data["published"] = max(today, dt.date.fromisoformat(data["published"])).isoformat()
    v = _valid_version(data)
    row.data = v.model_dump(mode="json")
    row.status = "published"
    row.hash = version_hash(call.call_id, v)
    audit.record(
        s,
        actor=actor.username,
        action="cfli.call.publish",
        entity="cfli_call",
        entity_id=call.call_id,
        before={"version": version, "status": "draft"},
        after={"version": version, "status": "published", "hash": row.hash},
    )


# ------------------------------------------------------------------ proposals

_ORG_SENSITIVE = tuple(p[1] for p in crypto.SENSITIVE)


def seal_data(data: dict[str, Any], keys: KeyRing) -> dict[str, Any]:
    """Proposal data (possibly an incomplete draft) with its sensitive fields sealed."""
    out: dict[str, Any] = json.loads(json.dumps(data, default=str))
    org = out.setdefault("organisation", {})
    for name in _ORG_SENSITIVE:
        org[name] = keys.encrypt(org.get(name))
    return out


def unseal_data(record: dict[str, Any], keys: KeyRing) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(record))
    org = out.get("organisation") or {}
    for name in _ORG_SENSITIVE:
        sealed = org.get(name)
        if isinstance(sealed, dict) and "enc" in sealed:
            org[name] = keys.decrypt(sealed, f"organisation.{name}")
        elif sealed is None:
            org[name] = None
    # drop empty fields so that the domain reads them as absent ("field required")
    for name in list(org):
        if org[name] in (None, ""):
            org.pop(name)
    return out


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    """The proposal data without its sensitive fields (no token either)."""
    out: dict[str, Any] = json.loads(json.dumps(record))
    org = out.get("organisation") or {}
    for name in _ORG_SENSITIVE:
        org.pop(name, None)
    return out


def _own(actor: Actor, p: CfliProposal) -> bool:
    return actor.role == APPLICANT and actor.organisation_id == p.organisation_id


def proposal_row(s: Session, reference: str) -> CfliProposal:
    p = s.execute(
        select(CfliProposal).where(CfliProposal.reference == reference)
    ).scalar_one_or_none()
    if p is None:
        raise OfficeError(404, "not_found", "proposal")
    return p


def visible(s: Session, actor: Actor, reference: str) -> CfliProposal:
    """A proposal the actor may see, else 404 (its existence is not revealed)."""
    p = proposal_row(s, reference)
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    if _own(actor, p):
        return p
    if actor.role == OFFICER and call.mission in missions_of(s, actor) and p.status != DRAFT:
        return p
    if _member_of(s, actor, call) and p.status in (*SCORABLE, APPROVED, DECLINED, CLOSED):
        return p
    if actor.role in CFLI_ROLES:
        raise OfficeError(404, "not_found", "proposal")
    raise OfficeError(403, "forbidden")


def read_sensitive(s: Session, actor: Actor, p: CfliProposal, keys: KeyRing) -> dict[str, Any]:
    """The proposal data in clear, for a person allowed to see it; the read is audited."""
    if p.purged_on is not None:
        data = public_view(p.record)
        data["purged_on"] = p.purged_on.isoformat()
        return data
    data = unseal_data(p.record, keys)
    audit.record(
        s,
        actor=actor.username,
        action="cfli.proposal.read",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"fields": "sensitive"},
    )
    return data


def my_proposals(s: Session, actor: Actor) -> list[CfliProposal]:
    _need(actor, APPLICANT)
    return list(
        s.execute(
            select(CfliProposal)
            .where(CfliProposal.organisation_id == actor.organisation_id)
            .order_by(CfliProposal.id)
        ).scalars()
    )


def _check_draft(data: dict[str, Any]) -> None:
    """Amounts in a draft are exact (cents); other fields are checked at submission."""
    for i, line in enumerate(data.get("budget") or []):
        for name in ("cfli", "other_sources", "in_kind"):
            value = line.get(name)
            if value in (None, ""):
                continue
            try:
                d = Decimal(str(value))
            except InvalidOperation:
                raise OfficeError(422, "cfli_amount", f"budget.{i}.{name}") from None
            if not d.is_finite() or d < 0 or d != d.quantize(CENT):
                raise OfficeError(422, "cfli_amount", f"budget.{i}.{name}")
    req = data.get("requested")
    if req not in (None, ""):
        try:
            d = Decimal(str(req))
        except InvalidOperation:
            raise OfficeError(422, "cfli_amount", "requested") from None
        if not d.is_finite() or d < 0 or d != d.quantize(CENT):
            raise OfficeError(422, "cfli_amount", "requested")


def _requested(data: dict[str, Any]) -> int:
    try:
        return cents(Decimal(str(data.get("requested") or "0")))
    except InvalidOperation:
        return 0


def create_proposal(
    s: Session, actor: Actor, call_id: str, data: dict[str, Any], keys: KeyRing, today: dt.date
) -> CfliProposal:
    _need(actor, APPLICANT)
    if actor.organisation_id is None:
        raise OfficeError(422, "org_required", "organisation")
    call = _call_row(s, call_id)
    v = published(s, call)
    if v is None or not is_open(v, today):
        raise OfficeError(409, "cfli_call_closed", "call")
    _check_draft(data)
    p = CfliProposal(
        reference="new-" + uuid.uuid4().hex[:20],
        call_id=call.id,
        organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        status=DRAFT,
        record=seal_data(data, keys),
        title=str(data.get("title") or "")[:300],
        requested_cents=_requested(data),
        created_at=now(),
        updated_at=now(),
    )
    s.add(p)
    s.flush()
    p.reference = f"CFLI-{p.id:06d}"
    audit.record(
        s,
        actor=actor.username,
        action="cfli.proposal.create",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"status": DRAFT, "call": call.call_id},
    )
    return p


def save_draft(
    s: Session,
    actor: Actor,
    reference: str,
    data: dict[str, Any],
    keys: KeyRing,
    version: int | None = None,
) -> CfliProposal:
    p = proposal_row(s, reference)
    if not _own(actor, p):
        raise OfficeError(404 if actor.role in CFLI_ROLES else 403, "not_found", "proposal")
    if p.status != DRAFT:
        raise OfficeError(409, "not_draft", "status")
    if version is not None and version != p.version:
        raise OfficeError(409, "stale", "version")
    _check_draft(data)
    p.record = seal_data(data, keys)
    p.title = str(data.get("title") or "")[:300]
    p.requested_cents = _requested(data)
    p.version += 1
    p.updated_at = now()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.proposal.save",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"status": DRAFT, "version": p.version},
    )
    return p


def _proposal_of(p: CfliProposal, call: CfliCall, data: dict[str, Any], on: dt.date) -> Proposal:
    full = {**data, "id": p.reference, "call_id": call.call_id, "submitted_on": on.isoformat()}
    try:
        return parse_proposal(full)
    except BadInput as e:
        raise bad(e) from None


def domain_proposal(p: CfliProposal, call: CfliCall, keys: KeyRing) -> Proposal:
    """The submitted proposal, decrypted in memory (for the rules; not shown, not audited)."""
    if p.submitted_on is None:
        raise OfficeError(409, "not_submitted", "status")
    data = unseal_data(p.record, keys)
    for name in ("id", "call_id", "submitted_on"):
        data.pop(name, None)
    return _proposal_of(p, call, data, p.submitted_on)


def submit(
    s: Session, actor: Actor, reference: str, keys: KeyRing, today: dt.date
) -> tuple[CfliProposal, Determination]:
    """Submit a draft: validated in full (field-named errors), sealed, and determined
    against the latest published version of the call on ``today``."""
    p = proposal_row(s, reference)
    if not _own(actor, p):
        raise OfficeError(404, "not_found", "proposal")
    if p.status != DRAFT:
        raise OfficeError(409, "not_draft", "status")
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    v = published(s, call)
    if v is None or not is_open(v, today):
        raise OfficeError(409, "cfli_call_closed", "call")
    proposal = _proposal_of(p, call, unseal_data(p.record, keys), today)
    sealed = crypto.seal(proposal, keys)["proposal"]
    p.record = sealed
    p.title = proposal.title
    p.requested_cents = cents(proposal.requested)
    p.submitted_on = today
    p.updated_at = now()
    p.version += 1
    d = _determine(s, p, call, proposal, v.version, today, keys)
    audit.record(
        s,
        actor=actor.username,
        action="cfli.proposal.submit",
        entity="cfli_proposal",
        entity_id=p.reference,
        before={"status": DRAFT},
        after={"status": p.status, "outcome": d.outcome.value, "call_version": v.version},
    )
    return p, d


def _determine(
    s: Session,
    p: CfliProposal,
    call: CfliCall,
    proposal: Proposal,
    version: int,
    on: dt.date,
    keys: KeyRing,
) -> Determination:
    try:
        d = determine_eligibility(proposal, domain_call(s, call), version, on)
    except BadInput as e:
        raise bad(e) from None
    s.add(
        CfliDetermination(
            proposal_id=p.id,
            call_ref=d.call.call_id,
            call_version=d.call.version,
            call_hash=d.call.hash,
            outcome=d.outcome.value,
            redacted=d.redacted().model_dump(mode="json"),
            sealed=keys.encrypt(d.model_dump(mode="json")),
            made_on=on,
            created_at=now(),
        )
    )
    p.status = {
        Outcome.ELIGIBLE: ELIGIBLE,
        Outcome.INELIGIBLE: INELIGIBLE,
        Outcome.NEEDS_REVIEW: NEEDS_REVIEW,
    }[d.outcome]
    s.flush()
    return d


def latest_determination(s: Session, p: CfliProposal) -> CfliDetermination | None:
    return s.execute(
        select(CfliDetermination)
        .where(CfliDetermination.proposal_id == p.id)
        .order_by(CfliDetermination.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def determination(
    s: Session, actor: Actor, reference: str, keys: KeyRing
) -> tuple[CfliProposal, Determination | None]:
    """The latest determination, in full for the applicant and the officer (an audited read
    of a sensitive record), redacted for a committee member."""
    p = visible(s, actor, reference)
    row = latest_determination(s, p)
    if row is None:
        return p, None
    if actor.role == MEMBER:
        return p, Determination.model_validate(row.redacted)
    d = Determination.model_validate(keys.decrypt(row.sealed, "determination"))
    audit.record(
        s,
        actor=actor.username,
        action="cfli.determination.read",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"outcome": row.outcome},
    )
    return p, d


def replay_determination(
    s: Session, actor: Actor, reference: str, keys: KeyRing
) -> tuple[bool, Determination]:
    """Make the stored determination again; True when it is the same, to the byte."""
    p = visible(s, actor, reference)
    _need(actor, OFFICER)
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    row = latest_determination(s, p)
    if row is None:
        raise OfficeError(404, "not_found", "determination")
    record = keys.decrypt(row.sealed, "determination")
    proposal = domain_proposal(p, call, keys)

    the_call = domain_call(s, call)

    class _Book:
        def get(self, _call_id: str) -> Call:
            return the_call

    try:
        again = replay(record, proposal, _Book())  # type: ignore[arg-type]
    except BadInput as e:
        raise bad(e) from None
    return again.model_dump(mode="json") == record, again


def officer_proposals(s: Session, actor: Actor, call_id: str | None = None) -> list[CfliProposal]:
    """The queue: submitted proposals of the officer's missions' calls."""
    _need(actor, OFFICER)
    mine = missions_of(s, actor)
    q = (
        select(CfliProposal)
        .join(CfliCall, CfliCall.id == CfliProposal.call_id)
        .where(CfliCall.mission.in_(mine), CfliProposal.status != DRAFT)
        .order_by(CfliProposal.id)
    )
    if call_id:
        q = q.where(CfliCall.call_id == call_id)
    return list(s.execute(q).scalars())


def member_proposals(s: Session, actor: Actor) -> list[CfliProposal]:
    _need(actor, MEMBER)
    return list(
        s.execute(
            select(CfliProposal)
            .join(CfliCommittee, CfliCommittee.call_id == CfliProposal.call_id)
            .where(CfliCommittee.user_id == actor.id, CfliProposal.status.in_(SCORABLE))
            .order_by(CfliProposal.id)
        ).scalars()
    )


def _officer_proposal(s: Session, actor: Actor, reference: str) -> tuple[CfliProposal, CfliCall]:
    _need(actor, OFFICER)
    p = visible(s, actor, reference)
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    return p, call


def clear(s: Session, actor: Actor, reference: str, note: str) -> CfliProposal:
    """The officer reviewed a ``needs_review`` determination (e.g. a sanctions match and
    paragraph 4(h)) and clears the proposal for assessment."""
    p, _call = _officer_proposal(s, actor, reference)
    if p.status != NEEDS_REVIEW:
        raise OfficeError(409, "cfli_not_review", "status")
    if not note.strip():
        raise OfficeError(422, "cfli_required", "note")
    p.status = CLEARED
    p.cleared_by = actor.username
    p.updated_at = now()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.proposal.clear",
        entity="cfli_proposal",
        entity_id=p.reference,
        before={"status": NEEDS_REVIEW},
        after={"status": CLEARED},
    )
    return p


# ------------------------------------------------------------------ assessment


def _assessment(s: Session, call: CfliCall, keys: KeyRing) -> tuple[Assessment, dict[str, Any]]:
    """The committee's work on a call, rebuilt from the stored rows through the domain."""
    rows = list(
        s.execute(
            select(CfliProposal)
            .where(CfliProposal.call_id == call.id, CfliProposal.submitted_on.is_not(None))
            .order_by(CfliProposal.id)
        ).scalars()
    )
    determinations: dict[str, Determination] = {}
    for p in rows:
        d = latest_determination(s, p)
        if d is not None:
            determinations[p.reference] = Determination.model_validate(
                keys.decrypt(d.sealed, "determination")
            )
    members = committee(s, call)
    if not members:
        raise OfficeError(409, "cfli_no_committee", "committee")
    version = max((d.call.version for d in determinations.values()), default=None)
    chosen = [d for d in determinations.values() if d.call.version == version]
    refs = {d.proposal_id for d in chosen}
    proposals = [domain_proposal(p, call, keys) for p in rows if p.reference in refs]
    by_ref = {p.reference: p for p in rows}
    cleared = [r for r in refs if by_ref[r].status == CLEARED or by_ref[r].cleared_by]
    names = {u.id: u.username for u in members}
    try:
        a = open_assessment(
            domain_call(s, call),
            chosen,
            proposals,
            [u.username for u in members],
            version,
            cleared,
        )
        ids = {p.id: p.reference for p in rows}
        for dec in s.execute(
            select(CfliDeclaration).where(CfliDeclaration.proposal_id.in_(list(ids)))
        ).scalars():
            if dec.user_id in names and ids[dec.proposal_id] in refs:
                a.declare(names[dec.user_id], ids[dec.proposal_id], dec.conflicted)
        for sc in s.execute(
            select(CfliScore).where(CfliScore.proposal_id.in_(list(ids)))
        ).scalars():
            if sc.user_id in names and ids[sc.proposal_id] in refs:
                a.score(names[sc.user_id], ids[sc.proposal_id], dict(sc.marks))
    except BadInput as e:
        raise bad(e) from None
    return a, {"rows": by_ref}


def declare(
    s: Session, actor: Actor, reference: str, conflicted: bool, keys: KeyRing
) -> CfliDeclaration:
    _need(actor, MEMBER)
    p = visible(s, actor, reference)
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    if p.status not in SCORABLE:
        raise OfficeError(409, "cfli_not_scorable", "proposal")
    if s.execute(
        select(CfliDeclaration.id).where(
            CfliDeclaration.proposal_id == p.id, CfliDeclaration.user_id == actor.id
        )
    ).first():
        raise OfficeError(409, "cfli_declared", "conflict")
    row = CfliDeclaration(
        proposal_id=p.id, user_id=actor.id, conflicted=conflicted, created_at=now()
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.conflict.declare",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"conflicted": conflicted},
    )
    return row


def score(
    s: Session, actor: Actor, reference: str, marks: dict[str, str], keys: KeyRing
) -> CfliScore:
    _need(actor, MEMBER)
    p = visible(s, actor, reference)
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    dec = s.execute(
        select(CfliDeclaration).where(
            CfliDeclaration.proposal_id == p.id, CfliDeclaration.user_id == actor.id
        )
    ).scalar_one_or_none()
    if dec is None:
        raise OfficeError(409, "cfli_declare_first", "conflict")
    if dec.conflicted:
        raise OfficeError(403, "cfli_conflicted", "conflict")
    a, _ = _assessment(s, call, keys)
    try:
        a.score(actor.username, p.reference, dict(marks))
    except BadInput as e:
        error = bad(e)
        if e.field.startswith("marks."):  # a mark: named by its criterion's label
            labels = {c.id: c.label for c in a.criteria}
            label = labels.get(e.field.partition(".")[2])
            if label is not None:
                error.params["criterion"] = {"en": label.en, "fr": label.fr}
        raise error from None
    sheet = a.sheets[(actor.username, p.reference)]
    row = CfliScore(
        proposal_id=p.id,
        user_id=actor.id,
        marks={k: str(v) for k, v in sheet.marks.items()},
        created_at=now(),
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.score",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"marks": row.marks},
    )
    return row


def criteria_of(s: Session, p: CfliProposal) -> list[tuple[str, str, str]]:
    """(id, English, French) of the criteria of the version the proposal was checked on."""
    d = latest_determination(s, p)
    call = s.get(CfliCall, p.call_id)
    assert call is not None
    rows = versions(s, call)
    data = next((v.data for v in rows if d and v.version == d.call_version), rows[-1].data)
    return [
        (c["id"], c["label"]["en"], c["label"]["fr"])
        for c in (data.get("criteria", {}).get("value") or [])
    ]


def ranking(s: Session, actor: Actor, call_id: str, keys: KeyRing) -> Assessment:
    call = officer_call(s, actor, call_id)
    a, _ = _assessment(s, call, keys)
    return a


def make_plan(s: Session, actor: Actor, call_id: str, keys: KeyRing) -> CfliFundingPlan:
    call = officer_call(s, actor, call_id)
    a, _ = _assessment(s, call, keys)
    try:
        plan = a.funding_plan()
    except BadInput as e:
        raise bad(e) from None
    row = CfliFundingPlan(
        call_id=call.id,
        call_version=a.version.version,
        call_hash=a.ref.hash,
        funded=[r.proposal.id for r in plan.funded],
        not_funded=[r.proposal.id for r in plan.not_funded],
        envelope_cents=cents(plan.envelope),
        committed_cents=cents(plan.committed),
        explanation={"en": plan.explanation.en, "fr": plan.explanation.fr},
        created_at=now(),
        created_by=actor.username,
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.plan",
        entity="cfli_call",
        entity_id=call.call_id,
        after={
            "version": row.call_version,
            "funded": row.funded,
            "committed_cents": row.committed_cents,
        },
    )
    return row


def latest_plan(s: Session, call: CfliCall) -> CfliFundingPlan | None:
    return s.execute(
        select(CfliFundingPlan)
        .where(CfliFundingPlan.call_id == call.id)
        .order_by(CfliFundingPlan.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def decide(
    s: Session, actor: Actor, reference: str, approve: bool, keys: KeyRing, today: dt.date
) -> CfliProposal:
    """Approve (in the funding plan) or decline (ineligible, or not funded), with the
    bilingual letter, sealed (it names the organisation)."""
    p, call = _officer_proposal(s, actor, reference)
    if p.decided_on is not None:
        raise OfficeError(409, "cfli_decided", "decision")
    before = p.status
    proposal = domain_proposal(p, call, keys)
    try:
        if approve:
            plan = latest_plan(s, call)
            if plan is None or p.reference not in plan.funded:
                raise OfficeError(409, "cfli_not_in_plan", "proposal")
            a, _ = _assessment(s, call, keys)
            letter = approval_letter(proposal, a, today)
        elif p.status == INELIGIBLE:
            row = latest_determination(s, p)
            assert row is not None
            d = Determination.model_validate(keys.decrypt(row.sealed, "determination"))
            letter = decline_letter(
                proposal, today, domain_call(s, call).version(d.call.version), determination=d
            )
        elif p.status in SCORABLE:
            a, _ = _assessment(s, call, keys)
            letter = decline_letter(proposal, today, a.version, assessment=a)
        else:
            raise OfficeError(409, "cfli_not_decidable", "status")
    except BadInput as e:
        raise bad(e) from None
    p.status = APPROVED if approve else DECLINED
    p.decided_on = today
    p.decision_sealed = keys.encrypt({"en": letter.en, "fr": letter.fr})
    p.updated_at = now()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.proposal.approve" if approve else "cfli.proposal.decline",
        entity="cfli_proposal",
        entity_id=p.reference,
        before={"status": before},
        after={"status": p.status},
    )
    return p


def letter(s: Session, actor: Actor, reference: str, keys: KeyRing) -> dict[str, str] | None:
    p = visible(s, actor, reference)
    if actor.role == MEMBER:
        raise OfficeError(403, "forbidden")
    if p.decision_sealed is None:
        return None
    out: dict[str, str] = keys.decrypt(p.decision_sealed, "letter")
    audit.record(
        s,
        actor=actor.username,
        action="cfli.letter.read",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"fields": "sensitive"},
    )
    return out


# ------------------------------------------------------------------ agreements and money


def draw_up(
    s: Session, actor: Actor, reference: str, keys: KeyRing, today: dt.date
) -> CfliAgreement:
    p, call = _officer_proposal(s, actor, reference)
    if p.status != APPROVED:
        raise OfficeError(409, "cfli_not_approved", "status")
    if s.execute(select(CfliAgreement.id).where(CfliAgreement.proposal_id == p.id)).first():
        raise OfficeError(409, "cfli_has_agreement", "agreement")
    proposal = domain_proposal(p, call, keys)
    a, _ = _assessment(s, call, keys)
    try:
        plan = a.funding_plan()
        ag = agreements_mod.draw_up(proposal, domain_call(s, call), plan, today, "A-" + p.reference)
    except BadInput as e:
        raise bad(e) from None
    terms = ag.model_dump(mode="json")
    terms.pop("recipient", None)
    row = CfliAgreement(
        reference=ag.id,
        proposal_id=p.id,
        terms=terms,
        amount_cents=cents(ag.amount),
        paid_cents=0,
        status=agreements_mod.Status.DRAWN_UP.value,
        drawn_up_on=today,
        created_at=now(),
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.agreement.draw_up",
        entity="cfli_agreement",
        entity_id=row.reference,
        after={"proposal": p.reference, "amount_cents": row.amount_cents},
    )
    return row


def agreement_row(s: Session, actor: Actor, reference: str, lock: bool = False) -> CfliAgreement:
    """The agreement of a proposal the actor may see (applicant: own; officer: mission)."""
    p = visible(s, actor, reference)
    if actor.role not in (OFFICER, APPLICANT):
        raise OfficeError(403, "forbidden")
    q = select(CfliAgreement).where(CfliAgreement.proposal_id == p.id)
    if lock:  # PostgreSQL: the row stays locked until commit; SQLite: BEGIN IMMEDIATE
        q = q.with_for_update().execution_options(populate_existing=True)
    row = s.execute(q).scalar_one_or_none()
    if row is None:
        raise OfficeError(404, "not_found", "agreement")
    return row


def domain_agreement(
    s: Session, row: CfliAgreement, recipient: str = crypto.REDACTED
) -> agreements_mod.AgreementFile:
    """The agreement file (domain) from its rows; the narrative text is not decrypted."""
    ag = agreements_mod.Agreement.model_validate({**row.terms, "recipient": recipient})
    payments = [
        agreements_mod.Payment(
            on=pay.paid_on,
            kind=agreements_mod.Kind(pay.kind),
            amount=money(pay.amount_cents),
            reference=pay.reference,
        )
        for pay in s.execute(
            select(CfliPayment)
            .where(CfliPayment.agreement_id == row.id)
            .order_by(CfliPayment.id)
            .execution_options(populate_existing=True)
        ).scalars()
    ]
    reports = {
        r.kind: r
        for r in s.execute(select(CfliReport).where(CfliReport.agreement_id == row.id)).scalars()
    }
    narrative = (
        agreements_mod.NarrativeReport(
            submitted_on=reports["narrative"].submitted_on, text="[sealed]"
        )
        if "narrative" in reports
        else None
    )
    fin = reports.get("financial")
    financial = (
        agreements_mod.FinancialReport(
            submitted_on=fin.submitted_on,
            actuals={int(k): Decimal(v) for k, v in (fin.actuals or {}).items()},
        )
        if fin is not None
        else None
    )
    f = agreements_mod.AgreementFile(
        agreement=ag,
        status=agreements_mod.Status(row.status),
        signed_on=row.signed_on,
        payments=payments,
        narrative=narrative,
        financial=financial,
    )
    if row.closure:
        f.closure = agreements_mod.Closure(
            closed_on=dt.date.fromisoformat(row.closure["closed_on"]),
            paid=Decimal(row.closure["paid"]),
            spent=Decimal(row.closure["spent"]),
            unpaid=Decimal(row.closure["unpaid"]),
            to_return=Decimal(row.closure["to_return"]),
        )
    return f


def agreement_for_reading(
    s: Session, actor: Actor, reference: str, keys: KeyRing
) -> tuple[CfliAgreement, agreements_mod.AgreementFile]:
    """The agreement with the recipient's name (an audited read of a sensitive record)."""
    row = agreement_row(s, actor, reference)
    p = proposal_row(s, reference)
    data = read_sensitive(s, actor, p, keys)
    name = str((data.get("organisation") or {}).get("name") or crypto.REDACTED)
    return row, domain_agreement(s, row, name)


def _agreement_action(
    s: Session, actor: Actor, reference: str, action: str, fn: Any, **after: Any
) -> CfliAgreement:
    row = agreement_row(s, actor, reference, lock=True)
    f = domain_agreement(s, row)
    before = row.status
    try:
        fn(f)
    except BadInput as e:
        raise bad(e) from None
    row.status = f.status.value
    row.signed_on = f.signed_on
    if f.closure is not None:
        c = f.closure
        row.closure = {
            "closed_on": c.closed_on.isoformat(),
            "paid": str(c.paid),
            "spent": str(c.spent),
            "unpaid": str(c.unpaid),
            "to_return": str(c.to_return),
        }
    audit.record(
        s,
        actor=actor.username,
        action=action,
        entity="cfli_agreement",
        entity_id=row.reference,
        before={"status": before},
        after={"status": row.status, **after},
    )
    return row


def sign(s: Session, actor: Actor, reference: str, on: dt.date) -> CfliAgreement:
    _need(actor, OFFICER)
    return _agreement_action(
        s, actor, reference, "cfli.agreement.sign", lambda f: f.sign(on), signed_on=on.isoformat()
    )


def pay(
    s: Session,
    actor: Actor,
    reference: str,
    kind: str,
    amount: str,
    on: dt.date,
    payment_ref: str,
) -> CfliPayment:
    """Record a payment. The agreement row is locked first (``SELECT … FOR UPDATE`` on
    PostgreSQL), then the ledger is read again: concurrent payments queue on the lock and
    the second sees the first, so the total paid never exceeds the agreement."""
    _need(actor, OFFICER)
    if kind not in ("advance", "final"):
        raise OfficeError(422, "cfli_kind", "kind")
    if not payment_ref.strip() or len(payment_ref) > 100:
        raise OfficeError(422, "cfli_required", "reference")
    row = agreement_row(s, actor, reference, lock=True)
    f = domain_agreement(s, row)
    try:
        payment = f.pay(on, agreements_mod.Kind(kind), amount, payment_ref.strip())
    except BadInput as e:
        if e.code == "payment_above_agreement":
            raise OfficeError(
                422,
                "cfli_overpaid",
                "amount",
                paid=str(f.paid),
                agreement=str(f.agreement.amount),
            ) from None
        raise bad(e) from None
    pay_row = CfliPayment(
        agreement_id=row.id,
        paid_on=on,
        kind=kind,
        amount_cents=cents(payment.amount),
        reference=payment.reference,
        created_by=actor.username,
        created_at=now(),
    )
    s.add(pay_row)
    row.paid_cents = cents(f.paid)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.payment",
        entity="cfli_agreement",
        entity_id=row.reference,
        after={"kind": kind, "amount_cents": pay_row.amount_cents, "paid_cents": row.paid_cents},
    )
    return pay_row


def payments(s: Session, row: CfliAgreement) -> list[CfliPayment]:
    return list(
        s.execute(
            select(CfliPayment).where(CfliPayment.agreement_id == row.id).order_by(CfliPayment.id)
        ).scalars()
    )


def report(
    s: Session,
    actor: Actor,
    reference: str,
    kind: str,
    keys: KeyRing,
    today: dt.date,
    text: str = "",
    actuals: dict[str, str] | None = None,
) -> CfliReport:
    """The applicant's final narrative (text, sealed) or financial report (actual per line)."""
    _need(actor, APPLICANT)
    row = agreement_row(s, actor, reference, lock=True)
    f = domain_agreement(s, row)
    if kind not in ("narrative", "financial"):
        raise OfficeError(422, "cfli_kind", "kind")
    existing = s.execute(
        select(CfliReport).where(CfliReport.agreement_id == row.id, CfliReport.kind == kind)
    ).scalar_one_or_none()
    try:
        if kind == "narrative":
            if not text.strip() or len(text) > 20000:
                raise OfficeError(422, "cfli_required", "text")
            f.report_narrative(agreements_mod.NarrativeReport(submitted_on=today, text=text))
            values: dict[str, str] = {}
        else:
            parsed: dict[int, Decimal] = {}
            for k, v in (actuals or {}).items():
                try:
                    parsed[int(k)] = Decimal(str(v))
                except (ValueError, InvalidOperation):
                    raise OfficeError(422, "cfli_amount", f"actuals.{k}") from None
            f.report_financial(agreements_mod.FinancialReport(submitted_on=today, actuals=parsed))
            assert f.financial is not None
            values = {str(k): str(v) for k, v in f.financial.actuals.items()}
    except BadInput as e:
        raise bad(e) from None
    if f.status is not agreements_mod.Status.SIGNED:
        raise OfficeError(409, "cfli_reports_closed", "status")
    if existing is None:
        existing = CfliReport(agreement_id=row.id, kind=kind, created_at=now())
        s.add(existing)
    existing.submitted_on = today
    existing.text_sealed = keys.encrypt(text) if kind == "narrative" else None
    existing.actuals = values if kind == "financial" else None
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action=f"cfli.report.{kind}",
        entity="cfli_agreement",
        entity_id=row.reference,
        after={"kind": kind, "submitted_on": today.isoformat()},
    )
    return existing


def reports(s: Session, row: CfliAgreement) -> dict[str, CfliReport]:
    return {
        r.kind: r
        for r in s.execute(select(CfliReport).where(CfliReport.agreement_id == row.id)).scalars()
    }


def narrative_text(s: Session, actor: Actor, reference: str, row: CfliReport, keys: KeyRing) -> str:
    if row.text_sealed is None:
        return ""
    text = str(keys.decrypt(row.text_sealed, "narrative"))
    audit.record(
        s,
        actor=actor.username,
        action="cfli.report.read",
        entity="cfli_proposal",
        entity_id=reference,
        after={"fields": "sensitive"},
    )
    return text


def accept_reports(s: Session, actor: Actor, reference: str, on: dt.date) -> CfliAgreement:
    _need(actor, OFFICER)
    return _agreement_action(
        s, actor, reference, "cfli.reports.accept", lambda f: f.accept_final_reports(on)
    )


def close(s: Session, actor: Actor, reference: str, on: dt.date) -> CfliAgreement:
    _need(actor, OFFICER)
    row = _agreement_action(s, actor, reference, "cfli.agreement.close", lambda f: f.close(on))
    p = proposal_row(s, reference)
    p.status, p.closed_on, p.updated_at = CLOSED, on, now()
    return row


# ------------------------------------------------------------------ retention, facts


def purge(
    s: Session,
    today: dt.date,
    retention_days: int,
    dry_run: bool = True,
    data_dir: Path | None = None,
) -> list[str]:
    """Remove the sealed sensitive fields (proposal, letter, narrative) of files closed more
    than ``retention_days`` ago; a dry run only says which."""
    if retention_days < 0:
        raise refused("retention_days", "retention_negative")
    limit = today - dt.timedelta(days=retention_days)
    due = list(
        s.execute(
            select(CfliProposal).where(
                CfliProposal.closed_on.is_not(None),
                CfliProposal.closed_on < limit,
                CfliProposal.purged_on.is_(None),
            )
        ).scalars()
    )
    if not dry_run:
        for p in due:
            p.record = public_view(p.record)
            p.decision_sealed = None
            p.purged_on = today
            ag = s.execute(
                select(CfliAgreement).where(CfliAgreement.proposal_id == p.id)
            ).scalar_one_or_none()
            if ag is not None:
                for r in reports(s, ag).values():
                    r.text_sealed = None
            for d in s.execute(
                select(CfliDetermination).where(CfliDetermination.proposal_id == p.id)
            ).scalars():
                d.sealed = {}
            if data_dir is not None:
                purge_documents(s, [p.reference], data_dir)
            audit.record(
                s,
                actor="system",
                action="cfli.purge",
                entity="cfli_proposal",
                entity_id=p.reference,
                after={"purged_on": today.isoformat()},
            )
    return [p.reference for p in due]


def country_facts(s: Session, country: str, fiscal_year: str) -> dict[str, Any]:
    """For a country page: projects with an agreement whose call serves ``country`` in
    ``fiscal_year`` (``2026-27``), and the CAD they were awarded (no sensitive field)."""
    count = 0
    total = 0
    rows = s.execute(
        select(CfliAgreement, CfliProposal, CfliCall)
        .join(CfliProposal, CfliProposal.id == CfliAgreement.proposal_id)
        .join(CfliCall, CfliCall.id == CfliProposal.call_id)
    ).all()
    for ag, p, _call in rows:
        d = s.execute(
            select(CfliCallVersion.data)
            .join(CfliCall, CfliCall.id == CfliCallVersion.call_id)
            .where(CfliCall.id == p.call_id, CfliCallVersion.version == ag.terms["call"]["version"])
        ).scalar_one()
        fy = (d.get("fiscal_year") or {}).get("value") or {}
        project_country = (p.record or {}).get("project_country")
        if fy.get("label") == fiscal_year and project_country == country:
            count += 1
            total += ag.amount_cents
    return {"country": country, "fiscal_year": fiscal_year, "projects": count, "cad": money(total)}


def country_line(s: Session, country: str, fiscal_year: str, lang: str = "en") -> str:
    """``CFLI: N projects, CAD X in FY`` (French: ``FCIL : N projets, X CAD en 2026-2027``)."""
    from bilateral.cfli import i18n as cfli_i18n

    f = country_facts(s, country, fiscal_year)
    amount = cfli_i18n.money(f["cad"], lang)
    n = f["projects"]
    if lang == "fr":
        return f"FCIL : {n} projet{'s' if n > 1 else ''}, {amount} en {fiscal_year}"
    return f"CFLI: {n} project{'s' if n != 1 else ''}, {amount} in FY {fiscal_year}"


def counts(s: Session) -> dict[str, int]:
    return dict(
        s.execute(select(CfliProposal.status, func.count()).group_by(CfliProposal.status))
        .tuples()
        .all()
    )


def _rotate_tree(value: Any, keys: KeyRing, counts: list[int]) -> Any:
    """Every ``{"enc": token}`` in a JSON value re-encrypted under the newest key."""
    if isinstance(value, dict):
        if set(value) == {"enc"} and isinstance(value["enc"], str):
            if keys.key_id_of(value) == keys.ids[0]:
                return value
            counts[0] += 1
            try:
                token = keys.fernet.rotate(value["enc"].encode("ascii")).decode("ascii")
            except Exception:
                raise refused("keys", "cannot_decrypt_any") from None
            return {"enc": token}
        return {k: _rotate_tree(v, keys, counts) for k, v in value.items()}
    if isinstance(value, list):
        return [_rotate_tree(v, keys, counts) for v in value]
    return value


SEALED_COLUMNS: tuple[tuple[Any, str], ...] = (
    (CfliProposal, "record"),
    (CfliProposal, "decision_sealed"),
    (CfliDetermination, "sealed"),
    (CfliReport, "text_sealed"),
)


def rotate_keys(s: Session, keys: KeyRing, dry_run: bool = True) -> int:
    """Re-encrypt every sealed value in the database under the newest key (key rotation:
    put a new key first, run this, then drop the old key). Returns how many values were
    (or, in a dry run, would be) re-encrypted."""
    counts = [0]
    for model, column in SEALED_COLUMNS:
        for row in s.execute(select(model)).scalars():
            value = getattr(row, column)
            if value is None:
                continue
            rotated = _rotate_tree(value, keys, counts)
            if not dry_run and rotated != value:
                setattr(row, column, rotated)
    if not dry_run:
        audit.record(
            s,
            actor="system",
            action="cfli.keys.rotate",
            entity="cfli_keys",
            entity_id=keys.ids[0],
            after={"values": counts[0]},
        )
    return counts[0]


def portfolio_rows(s: Session, actor: Actor) -> list[Any]:
    """Portfolio rows (no sensitive field) of the submitted proposals of the officer's
    missions' calls: fiscal year, project country, themes, recipient type, amounts."""
    from bilateral.cfli.calls import RecipientType, Theme
    from bilateral.cfli.portfolio import Row

    out = []
    for p in officer_proposals(s, actor):
        rec = p.record or {}
        d = latest_determination(s, p)
        call = s.get(CfliCall, p.call_id)
        assert call is not None
        data = next(
            (v.data for v in versions(s, call) if d is not None and v.version == d.call_version),
            versions(s, call)[-1].data,
        )
        fy = ((data.get("fiscal_year") or {}).get("value") or {}).get("label", "—")
        ag = s.execute(
            select(CfliAgreement).where(CfliAgreement.proposal_id == p.id)
        ).scalar_one_or_none()
        approved = (
            money(ag.amount_cents)
            if ag is not None
            else money(p.requested_cents)
            if p.status in (APPROVED, CLOSED)
            else None
        )
        out.append(
            Row(
                proposal_id=p.reference,
                fiscal_year=fy,
                country=str(rec.get("project_country") or "—"),
                themes=tuple(Theme(t) for t in rec.get("themes") or ()),
                recipient_type=RecipientType(str((rec.get("organisation") or {}).get("type"))),
                requested=money(p.requested_cents),
                approved=approved,
                paid=money(ag.paid_cents) if ag is not None else money(0),
            )
        )
    return out


# ------------------------------------------------------------------ documents

DOCUMENTS = "cfli-documents"
MAX_DOCUMENTS = 10


def _doc_path(data_dir: Path, stored_as: str) -> Path:
    return data_dir / DOCUMENTS / stored_as


def add_document(
    s: Session,
    actor: Actor,
    reference: str,
    filename: str,
    data: bytes,
    keys: KeyRing,
    data_dir: Path,
    limit: int,
) -> CfliDocument:
    """A supporting document on the applicant's own draft, with the platform's upload rules
    (size, type sniffed from the content); its bytes and its name are stored encrypted."""
    _need(actor, APPLICANT)
    p = visible(s, actor, reference)
    if p.status != DRAFT:
        raise OfficeError(409, "not_draft", "status")
    media, _digest = uploads.check(data, limit)
    name = filename.strip()[:200] or "document"
    count = s.execute(
        select(func.count()).select_from(CfliDocument).where(CfliDocument.proposal_id == p.id)
    ).scalar_one()
    if count >= MAX_DOCUMENTS:
        raise OfficeError(422, "cfli_too_many", "file", limit=MAX_DOCUMENTS)
    stored_as = uuid.uuid4().hex
    target = _doc_path(data_dir, stored_as)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(keys.fernet.encrypt(data))
    tmp.replace(target)
    row = CfliDocument(
        proposal_id=p.id,
        name_sealed=keys.encrypt(name),
        media_type=media,
        size=len(data),
        stored_as=stored_as,
        created_by=actor.username,
        created_at=now(),
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor=actor.username,
        action="cfli.document.add",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"document": row.id, "media_type": media, "size": len(data)},
    )
    return row


def documents(s: Session, p: CfliProposal) -> list[CfliDocument]:
    return list(
        s.execute(
            select(CfliDocument).where(CfliDocument.proposal_id == p.id).order_by(CfliDocument.id)
        ).scalars()
    )


def document_names(s: Session, p: CfliProposal, keys: KeyRing) -> list[tuple[CfliDocument, str]]:
    """The documents with their names (read with the proposal, whose read is audited)."""
    return [(d, str(keys.decrypt(d.name_sealed, "document.name"))) for d in documents(s, p)]


def read_document(
    s: Session, actor: Actor, reference: str, doc_id: int, keys: KeyRing, data_dir: Path
) -> tuple[str, str, bytes]:
    """(name, media type, bytes) of a document the actor may see; the read is audited."""
    p = visible(s, actor, reference)
    row = s.get(CfliDocument, doc_id)
    if row is None or row.proposal_id != p.id:
        raise OfficeError(404, "not_found", "document")
    path = _doc_path(data_dir, row.stored_as)
    if not path.exists():
        raise OfficeError(404, "not_found", "document")
    try:
        data = keys.fernet.decrypt(path.read_bytes())
    except Exception:
        raise refused("document", "cannot_decrypt_any") from None
    audit.record(
        s,
        actor=actor.username,
        action="cfli.document.read",
        entity="cfli_proposal",
        entity_id=p.reference,
        after={"document": row.id},
    )
    return str(keys.decrypt(row.name_sealed, "document.name")), row.media_type, data


def rotate_documents(s: Session, keys: KeyRing, data_dir: Path, dry_run: bool = True) -> int:
    """Re-encrypt every stored document under the newest key; how many were older."""
    from cryptography.fernet import Fernet

    newest = Fernet(keys.keys[0])
    n = 0
    for row in s.execute(select(CfliDocument)).scalars():
        path = _doc_path(data_dir, row.stored_as)
        if not path.exists():
            continue
        token = path.read_bytes()
        try:
            newest.decrypt(token)
            continue
        except Exception:
            n += 1
        if not dry_run:
            tmp = path.with_suffix(".part")
            tmp.write_bytes(keys.fernet.rotate(token))
            tmp.replace(path)
    return n


def purge_documents(s: Session, references: list[str], data_dir: Path) -> int:
    """Delete the documents (files and names) of purged files."""
    n = 0
    for ref in references:
        p = proposal_row(s, ref)
        for row in documents(s, p):
            _doc_path(data_dir, row.stored_as).unlink(missing_ok=True)
            s.delete(row)
            n += 1
    return n
