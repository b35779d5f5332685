"""Assessment: a committee scores eligible proposals; a funding plan fits the envelope.

Rules, stated once:

- Only proposals whose determination against this call version is ``eligible`` (or that the
  programme officer cleared after review) can be scored.
- Each member declares, for each proposal, whether they have a conflict of interest before
  scoring it; a member who declares a conflict cannot score that proposal.
- A score sheet gives every criterion of the call a mark from 0 to ``scale`` (10). A sheet's
  score is the weighted mean of its marks on a 0-100 scale; a proposal's total is the mean of
  its sheets, rounded half-up to two decimals (what is shown is what ranks).
- Ranking: highest total first. Ties: the smaller CFLI request first (the envelope then
  funds more), then the earlier submission, then the proposal id.
- Funding plan: each proposal is funded at its full request or not at all. The plan is the
  set of scored proposals with the highest sum of totals whose requests fit within the
  envelope, found by an exact search (0/1 knapsack over the Pareto frontier of cost and
  score), not by funding in rank order until money runs out, which can leave a better use of
  the envelope behind. Between plans with the same sum, the one funding the higher-ranked
  proposals wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from bilateral.cfli import i18n
from bilateral.cfli.calls import Call, CallRef, CallVersion, Criterion
from bilateral.cfli.eligibility import Determination, Outcome
from bilateral.cfli.proposals import Proposal
from bilateral.cfli.refusals import refuse
from bilateral.law.model import Bilingual

SCALE = Decimal(10)
HUNDREDTH = Decimal("0.01")


class ScoreSheet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    member: str
    proposal_id: str
    marks: dict[str, Decimal]


@dataclass(frozen=True)
class Ranked:
    rank: int
    proposal: Proposal
    total: Decimal
    sheets: int


@dataclass(frozen=True)
class FundingPlan:
    envelope: Decimal
    funded: tuple[Ranked, ...]
    not_funded: tuple[Ranked, ...]
    total_score: Decimal
    committed: Decimal
    greedy_funded: tuple[str, ...]  # what funding in rank order would have chosen
    greedy_score: Decimal
    explanation: Bilingual
    call: CallRef | None = None  # the call version the assessment used

    @property
    def remaining(self) -> Decimal:
        return self.envelope - self.committed


@dataclass
class Assessment:
    """The committee's work on one call version."""

    call: Call
    version: CallVersion
    members: tuple[str, ...]
    proposals: dict[str, Proposal]
    scorable: frozenset[str]
    declarations: dict[tuple[str, str], bool] = field(default_factory=dict)
    sheets: dict[tuple[str, str], ScoreSheet] = field(default_factory=dict)

    @property
    def ref(self) -> CallRef:
        return self.call.ref(self.version.version)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        criteria = self.version.criteria.value
        if not criteria:
            raise refuse(
                "criteria", "criteria_not_set", call=self.call.id, version=self.version.version
            )
        return criteria

    def declare(self, member: str, proposal_id: str, conflicted: bool) -> None:
        """Record a member's declaration of (no) conflict of interest on a proposal."""
        self._known(member, proposal_id)
        if (member, proposal_id) in self.declarations:
            raise refuse("declaration", "already_declared", member=member, proposal=proposal_id)
        self.declarations[(member, proposal_id)] = conflicted

    def score(self, member: str, proposal_id: str, marks: dict[str, Decimal | int | str]) -> None:
        self._known(member, proposal_id)
        if proposal_id not in self.scorable:
            raise refuse("proposal", "not_scorable", proposal=proposal_id)
        declared = self.declarations.get((member, proposal_id))
        if declared is None:
            raise refuse("declaration", "declare_first", member=member, proposal=proposal_id)
        if declared:
            raise refuse("member", "conflicted", member=member, proposal=proposal_id)
        if (member, proposal_id) in self.sheets:
            raise refuse("score", "already_scored", member=member, proposal=proposal_id)
        wanted = {c.id for c in self.criteria}
        if set(marks) != wanted:
            missing = sorted(wanted - set(marks))
            extra = sorted(set(marks) - wanted)
            raise refuse(
                "marks", "marks_expected", expected=sorted(wanted), missing=missing, unknown=extra
            )
        exact: dict[str, Decimal] = {}
        for key, mark in marks.items():
            try:
                value = Decimal(str(mark))
            except ArithmeticError:
                raise refuse(f"marks.{key}", "mark_not_number") from None
            if not value.is_finite() or not Decimal(0) <= value <= SCALE:
                raise refuse(f"marks.{key}", "mark_range", scale=int(SCALE))
            exact[key] = value
        self.sheets[(member, proposal_id)] = ScoreSheet(
            member=member, proposal_id=proposal_id, marks=exact
        )

    def _known(self, member: str, proposal_id: str) -> None:
        if member not in self.members:
            raise refuse("member", "not_member", member=member)
        if proposal_id not in self.proposals:
            raise refuse("proposal", "no_proposal", proposal=proposal_id)

    def sheet_score(self, sheet: ScoreSheet) -> Decimal:
        criteria = self.criteria
        weights = sum((c.weight for c in criteria), Decimal(0))
        weighted = sum((c.weight * sheet.marks[c.id] for c in criteria), Decimal(0))
        return weighted * 100 / (weights * SCALE)

    def total(self, proposal_id: str) -> Decimal | None:
        sheets = [s for (m, p), s in self.sheets.items() if p == proposal_id]
        if not sheets:
            return None
        mean = sum((self.sheet_score(s) for s in sheets), Decimal(0)) / len(sheets)
        return mean.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    def ranking(self) -> list[Ranked]:
        """Scored proposals, best first (ties: smaller request, earlier submission, id)."""
        scored: list[tuple[Decimal, Proposal, int]] = []
        for pid in sorted(self.scorable):
            total = self.total(pid)
            if total is not None:
                count = sum(1 for (_, p) in self.sheets if p == pid)
                scored.append((total, self.proposals[pid], count))
        scored.sort(key=lambda t: (-t[0], t[1].requested, t[1].submitted_on, t[1].id))
        return [Ranked(i + 1, p, total, n) for i, (total, p, n) in enumerate(scored)]

    def unscored(self) -> list[str]:
        return sorted(pid for pid in self.scorable if self.total(pid) is None)

    def funding_plan(self) -> FundingPlan:
        envelope = self.version.envelope.value
        if envelope is None:
            raise refuse(
                "envelope", "envelope_not_set", call=self.call.id, version=self.version.version
            )
        return replace(plan_funding(self.ranking(), envelope.cad), call=self.ref)


def open_assessment(
    call: Call,
    determinations: Iterable[Determination],
    proposals: Iterable[Proposal],
    members: Sequence[str],
    version: int | None = None,
    cleared: Iterable[str] = (),
) -> Assessment:
    """An assessment of ``proposals`` under one call version.

    ``cleared``: proposals whose determination was ``needs_review`` and that the programme
    officer reviewed and cleared for assessment (recorded by id)."""
    v = call.version(version)
    ref = call.ref(v.version)
    by_id = {p.id: p for p in proposals}
    if len(set(members)) != len(members) or not members:
        raise refuse("members", "committee_members")
    cleared_ids = set(cleared)
    scorable: set[str] = set()
    for d in determinations:
        if d.call != ref:
            raise refuse(
                "determination",
                "determination_other_call",
                proposal=d.proposal_id,
                det_call=d.call.call_id,
                det_version=d.call.version,
                det_hash=d.call.hash,
                call=ref.call_id,
                version=ref.version,
                hash=ref.hash,
            )
        proposal = by_id.get(d.proposal_id)
        if proposal is None or proposal.fingerprint() != d.proposal_fingerprint:
            raise refuse("determination", "determination_other_proposal", proposal=d.proposal_id)
        if d.outcome is Outcome.ELIGIBLE or (
            d.outcome is Outcome.NEEDS_REVIEW and d.proposal_id in cleared_ids
        ):
            scorable.add(d.proposal_id)
    return Assessment(
        call=call,
        version=v,
        members=tuple(members),
        proposals=by_id,
        scorable=frozenset(scorable),
    )


def plan_funding(ranking: Sequence[Ranked], envelope: Decimal) -> FundingPlan:
    """The highest total score within the envelope (exact), ties to the higher-ranked."""
    # Each state: (cost, score, chosen rank indices). A state is dropped when another costs no
    # more and scores strictly more: anything added to it could be added to the other too.
    states: list[tuple[Decimal, Decimal, tuple[int, ...]]] = [(Decimal(0), Decimal(0), ())]
    for index, item in enumerate(ranking):
        cost = item.proposal.requested
        grown = [
            (c + cost, s + item.total, (*chosen, index))
            for c, s, chosen in states
            if c + cost <= envelope
        ]
        states = _frontier(states + grown)
    best = max(states, key=lambda st: (st[1], _rank_preference(st[2])))
    chosen = set(best[2])
    funded = tuple(r for i, r in enumerate(ranking) if i in chosen)
    not_funded = tuple(r for i, r in enumerate(ranking) if i not in chosen)

    greedy: list[Ranked] = []
    left = envelope
    for r in ranking:
        if r.proposal.requested <= left:
            greedy.append(r)
            left -= r.proposal.requested
    greedy_score = sum((r.total for r in greedy), Decimal(0))
    committed = sum((r.proposal.requested for r in funded), Decimal(0))
    return FundingPlan(
        envelope=envelope,
        funded=funded,
        not_funded=not_funded,
        total_score=best[1],
        committed=committed,
        greedy_funded=tuple(r.proposal.id for r in greedy),
        greedy_score=greedy_score,
        explanation=_explain(funded, best[1], committed, envelope, greedy, greedy_score),
    )


def _rank_preference(chosen: tuple[int, ...]) -> tuple[int, ...]:
    # max() picks the largest key: negate rank positions so funding rank 1 beats rank 2
    return (*(-i for i in chosen), 1)


def _frontier(
    states: list[tuple[Decimal, Decimal, tuple[int, ...]]],
) -> list[tuple[Decimal, Decimal, tuple[int, ...]]]:
    states.sort(key=lambda st: (st[0], -st[1], _rank_preference(st[2])), reverse=False)
    kept: list[tuple[Decimal, Decimal, tuple[int, ...]]] = []
    best_score: Decimal | None = None
    for state in states:
        if best_score is None or state[1] >= best_score:
            if kept and kept[-1][0] == state[0] and kept[-1][1] == state[1]:
                # same cost, same score: keep the plan that funds higher-ranked proposals
                if _rank_preference(state[2]) > _rank_preference(kept[-1][2]):
                    kept[-1] = state
                continue
            kept.append(state)
            best_score = state[1] if best_score is None else max(best_score, state[1])
    return kept


def _explain(
    funded: Sequence[Ranked],
    score: Decimal,
    committed: Decimal,
    envelope: Decimal,
    greedy: Sequence[Ranked],
    greedy_score: Decimal,
) -> Bilingual:
    ids = ", ".join(r.proposal.id for r in funded) or "—"
    gids = ", ".join(r.proposal.id for r in greedy) or "—"
    texts: dict[str, str] = {}
    for lang in ("en", "fr"):
        total, spent, env = (
            i18n.number(score, lang),
            i18n.money(committed, lang),
            i18n.money(envelope, lang),
        )
        if lang == "fr":
            text = (
                f"Financées : {ids} (note totale {total}), soit {spent} engagés sur une "
                f"enveloppe de {env}. C'est la combinaison de demandes entières dont la note "
                "totale est la plus élevée dans les limites de l'enveloppe, trouvée par "
                "recherche exacte; à total égal, le plan qui finance les propositions les "
                "mieux classées."
            )
        else:
            text = (
                f"Funded: {ids} (total score {total}), committing {spent} of the {env} "
                "envelope. This is the combination of full requests with the highest total "
                "score that fits the envelope, found by exact search; among equal totals, the "
                "plan funding higher-ranked proposals."
            )
        if greedy_score < score:
            g = i18n.number(greedy_score, lang)
            text += (
                " Financer dans l'ordre du classement jusqu'à épuisement de l'enveloppe aurait "
                f"financé {gids} (note totale {g})."
                if lang == "fr"
                else f" Funding in rank order until the envelope ran out would have funded "
                f"{gids} (total score {g})."
            )
        texts[lang] = text
    return Bilingual(en=texts["en"], fr=texts["fr"])


# --- letters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """A bilingual letter: English and French texts, sent together."""

    en: str
    fr: str

    def text(self) -> str:
        return f"{self.en}\n\n— — —\n\n{self.fr}"


def _head(proposal: Proposal, version: CallVersion, on: dt.date, lang: str) -> str:
    name = proposal.organisation.name.get_secret_value()
    title = i18n.text(version.title, lang)
    subject = "Objet" if lang == "fr" else "Subject"
    sep = " : " if lang == "fr" else ": "
    return (
        f"{i18n.day(on, lang)}\n\n{name}\n\n{subject}{sep}{title} — "
        f"{proposal.id}, « {proposal.title} »"
        if lang == "fr"
        else f"{i18n.day(on, lang)}\n\n{name}\n\n{subject}{sep}{title} — {proposal.id}, "
        f"“{proposal.title}”"
    )


def _sign(version: CallVersion, lang: str) -> str:
    mission = version.mission.value
    who = i18n.text(mission, lang) if mission else ""
    closing = "Veuillez agréer nos salutations distinguées," if lang == "fr" else "Yours sincerely,"
    return f"{closing}\n\n{who}"


def approval_letter(proposal: Proposal, assessment: Assessment, on: dt.date) -> Letter:
    plan = assessment.funding_plan()
    if proposal.id not in {r.proposal.id for r in plan.funded}:
        raise refuse("proposal", "not_in_plan", proposal=proposal.id)
    v = assessment.version
    texts = {}
    for lang in ("en", "fr"):
        amount = i18n.money(proposal.requested, lang)
        body = (
            f"Nous avons le plaisir de vous informer que votre proposition a été approuvée pour "
            f"une contribution d'au plus {amount}. Cette approbation est conditionnelle à la "
            "signature d'un accord de contribution, qui fixera le calendrier des paiements, "
            "les jalons et les rapports à remettre. Aucun paiement n'est fait avant sa "
            "signature."
            if lang == "fr"
            else f"We are pleased to inform you that your proposal has been approved for a "
            f"contribution of up to {amount}. The approval is conditional on the signature of "
            "a contribution agreement, which will set out the payment schedule, the milestones "
            "and the reports due. No payment is made before it is signed."
        )
        texts[lang] = f"{_head(proposal, v, on, lang)}\n\n{body}\n\n{_sign(v, lang)}"
    return Letter(en=texts["en"], fr=texts["fr"])


def decline_letter(
    proposal: Proposal,
    on: dt.date,
    version: CallVersion,
    determination: Determination | None = None,
    assessment: Assessment | None = None,
) -> Letter:
    """Decline: not eligible (with the failed reasons) or eligible but not funded."""
    texts = {}
    for lang in ("en", "fr"):
        if determination is not None and determination.outcome is Outcome.INELIGIBLE:
            reasons = "\n".join(f"  - {i18n.text(r.message, lang)}" for r in determination.failed())
            body = (
                "Nous regrettons de vous informer que votre proposition ne peut être financée : "
                f"elle ne satisfait pas aux conditions d'admissibilité de l'appel :\n{reasons}"
                if lang == "fr"
                else "We regret to inform you that your proposal cannot be funded: it does not "
                f"meet the eligibility requirements of the call:\n{reasons}"
            )
        elif assessment is not None:
            ranking = {r.proposal.id: r for r in assessment.ranking()}
            placed = ranking.get(proposal.id)
            plan = assessment.funding_plan()
            if placed is None:
                raise refuse("proposal", "not_scored", proposal=proposal.id)
            if proposal.id in {r.proposal.id for r in plan.funded}:
                raise refuse("proposal", "in_plan", proposal=proposal.id)
            of = len(ranking)
            body = (
                "Nous regrettons de vous informer que votre proposition, jugée admissible et "
                f"évaluée par le comité (rang {placed.rank} sur {of}), n'a pu être retenue "
                "dans les limites de l'enveloppe disponible."
                if lang == "fr"
                else "We regret to inform you that your proposal, found eligible and assessed "
                f"by the committee (ranked {placed.rank} of {of}), could not be funded within "
                "the available envelope."
            )
        else:
            raise refuse("decline", "decline_basis")
        texts[lang] = f"{_head(proposal, version, on, lang)}\n\n{body}\n\n{_sign(version, lang)}"
    return Letter(en=texts["en"], fr=texts["fr"])
