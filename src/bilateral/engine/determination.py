"""What the engine answers: the outcome, the rules that decided it, and what it consulted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bilateral.law.citations import provision_fr
from bilateral.law.model import Rule


@dataclass(frozen=True, slots=True)
class Reason:
    """A rule that decided (part of) the answer, with the interval that applied."""

    rule: Rule
    # Why this rule bears on this question, in one short phrase (e.g. "humanitarian goods"),
    # in English and in French.
    because: str = ""
    because_fr: str = ""

    def as_json(self, lang: str) -> dict[str, Any]:
        r = self.rule
        fr = lang == "fr"
        text = r.summary.fr if fr else r.summary.en
        return {
            "rule": r.id,
            "label": r.label.fr if fr else r.label.en,
            # cited as the reader's consolidation cites it (DORS/…, art. …, annexe …)
            "instrument": provision_fr(r.instrument) if fr else r.instrument,
            "provision": provision_fr(r.provision) if fr else r.provision,
            # the citation as the law data keys it, in either language (for look-ups)
            "instrument_en": r.instrument,
            "provision_en": r.provision,
            # French readers get the French text where the data has its address.
            "url": (r.url_fr or r.url) if lang == "fr" else r.url,
            "url_en": r.url,
            "url_fr": r.url_fr,
            "valid_from": r.valid_from.isoformat() if r.valid_from else None,
            "valid_to": r.valid_to.isoformat() if r.valid_to else None,
            # The hour the instrument names for its start or end, where it names one.
            "starts_at": r.starts_at,
            "ends_at": r.ends_at,
            "confidence": r.confidence.value,
            "text": text,
            "because": (self.because_fr or self.because) if fr else self.because,
        }


@dataclass(frozen=True, slots=True)
class Consulted:
    """A rule the engine looked at, whether or not it applied, and why."""

    rule_id: str
    applied: bool
    why: str

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule_id, "applied": self.applied, "why": self.why}


@dataclass(slots=True)
class Trace:
    """Collects reasons, caveats and the trail of consulted rules while deciding."""

    reasons: list[Reason] = field(default_factory=list)
    consulted: list[Consulted] = field(default_factory=list)
    caveats: list[tuple[str, str]] = field(default_factory=list)  # (en, fr)

    def applied(self, rule: Rule, because: str, because_fr: str) -> None:
        """``rule`` decides the answer, ``because`` (in English, then in French) of this
        question; the decision trail (``consulted``) keeps the English."""
        self.reasons.append(Reason(rule, because, because_fr))
        self.consulted.append(Consulted(rule.id, True, because))

    def skipped(self, rule: Rule, why: str) -> None:
        self.consulted.append(Consulted(rule.id, False, why))

    def caveat(self, en: str, fr: str) -> None:
        if (en, fr) not in self.caveats:
            self.caveats.append((en, fr))

    def reasons_json(self, lang: str) -> list[dict[str, Any]]:
        return [reason.as_json(lang) for reason in self.reasons]

    def caveats_json(self, lang: str) -> list[str]:
        if lang == "fr":  # the provisions they quote, in French citation style
            from bilateral.law.citations import french_citations

            return [french_citations(fr) for _en, fr in self.caveats]
        return [en for en, _fr in self.caveats]

    def trace_json(self) -> list[dict[str, Any]]:
        return [c.as_json() for c in self.consulted]


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
