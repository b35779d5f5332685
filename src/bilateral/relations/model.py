"""The shape of relations data: events (elections, statements, missions, programmes,
listings) and trade figures as published, each dated, cited and bilingual.

Events are facts about a country's relations with Canada that are not law (the engine never
decides anything from them) but that a country page must state, with their source.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bilateral.law.model import Bilingual, Confidence

URL = r"^https?://\S+$"


class EventKind(StrEnum):
    ELECTION = "election"
    STATEMENT = "statement"
    ACCREDITATION = "accreditation"
    MISSION = "mission"  # embassy opened, closed, accredited from
    PROGRAMME = "programme"  # e.g. the Canada Fund for Local Initiatives
    LISTING = "listing"  # persons added to or removed from a schedule (derived)
    MEASURE = "measure"  # a rule starting or ending (generated from the law, never written)


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class When(BaseModel):
    """A date known to the day, the month or the year, and said to that precision."""

    model_config = ConfigDict(frozen=True)
    first: dt.date
    precision: Precision

    @property
    def last(self) -> dt.date:
        """The last day the event may have happened on: it is known true from the day after."""
        if self.precision is Precision.DAY:
            return self.first
        if self.precision is Precision.MONTH:
            days = calendar.monthrange(self.first.year, self.first.month)[1]
            return self.first.replace(day=days)
        return self.first.replace(month=12, day=31)

    @property
    def iso(self) -> str:
        if self.precision is Precision.DAY:
            return self.first.isoformat()
        if self.precision is Precision.MONTH:
            return self.first.isoformat()[:7]
        return str(self.first.year)

    @classmethod
    def parse(cls, value: Any) -> When:
        if isinstance(value, When):
            return value
        if isinstance(value, dt.date):
            return cls(first=value, precision=Precision.DAY)
        text = str(value).strip()
        try:
            if len(text) == 4 and text.isdigit():
                return cls(first=dt.date(int(text), 1, 1), precision=Precision.YEAR)
            if len(text) == 7 and text[4] == "-":
                return cls(
                    first=dt.date(int(text[:4]), int(text[5:]), 1), precision=Precision.MONTH
                )
            return cls(first=dt.date.fromisoformat(text), precision=Precision.DAY)
        except ValueError:
            raise ValueError(f"impossible date {text!r} (YYYY-MM-DD, YYYY-MM or YYYY)") from None


class Event(BaseModel):
    """One dated, cited fact of a country's relations with Canada."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    country: str = Field(pattern=r"^[A-Z]{2}$")
    date: When
    kind: EventKind
    label: Bilingual
    text: Bilingual
    url: str = Field(pattern=URL)
    source: str = Field(min_length=1)  # the research's source id (S24) or the instrument
    confidence: Confidence
    note: str | None = None
    count: int | None = Field(default=None, ge=1)  # e.g. twelve statements as one event
    instrument: str | None = None  # listings: the amending instrument
    entities: int | None = Field(default=None, ge=0)  # listings: how many of count are entities
    schedule: Bilingual | None = None  # listings: the schedule and regulations named

    @field_validator("date", mode="before")
    @classmethod
    def _when(cls, value: object) -> When:
        return When.parse(value)

    @model_validator(mode="after")
    def _note(self) -> Event:
        if self.confidence is Confidence.INFERRED and not self.note:
            raise ValueError("an inferred event needs a note saying why")
        if self.kind is EventKind.MEASURE:
            raise ValueError("measure events are generated from the rules, not written")
        return self


class ListingAmendment(BaseModel):
    """The instrument that listed persons in a schedule on one in-force date."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    listed_on: dt.date
    instrument: str | None  # None: the amending instrument was not found (said in the note)
    url: str = Field(pattern=URL)
    source: str
    confidence: Confidence
    note: str | None = None


class ListingHistory(BaseModel):
    """Schedule history: which instrument listed whom, counted from the official list."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    country: str
    list: str  # id of a bundled person list (law/data/lists)
    regulations: Bilingual
    amendments: tuple[ListingAmendment, ...] = Field(min_length=1)


class EventFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    country: str
    sources: str | None = None
    events: tuple[dict[str, Any], ...] = ()
    listings: tuple[ListingHistory, ...] = ()


class Flow(StrEnum):
    EXPORTS = "exports"  # total exports (domestic exports + re-exports) as published
    DOMESTIC_EXPORTS = "domestic_exports"
    RE_EXPORTS = "re_exports"
    IMPORTS = "imports"
    TOTAL_TRADE = "total_trade"


class Component(BaseModel):
    """A part of a published figure: an HS section, with its value when published."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    section: str = Field(
        pattern=r"^(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|XIII|XIV|XV|XVI|XVII|XVIII|XIX|XX|XXI)$"
    )
    words: Bilingual  # the words of the publication ("chemical products")
    value: Decimal | None = None


class PublishedFigure(BaseModel):
    """A trade figure as a publication states it (never computed here)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    country: str
    year: int = Field(ge=1900, le=2100)
    period: Bilingual | None = None  # a part of the year (e.g. first nine months)
    flow: Flow
    value: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    approximate: bool = False
    mainly: tuple[Component, ...] = ()
    published: When  # when the publication said it: it is known from then on
    publisher: Bilingual
    url: str = Field(pattern=URL)
    source: str
    confidence: Confidence
    note: str | None = None

    @field_validator("published", mode="before")
    @classmethod
    def _when(cls, value: object) -> When:
        return When.parse(value)

    @model_validator(mode="after")
    def _check(self) -> PublishedFigure:
        if self.confidence is not Confidence.VERIFIED and not self.note:
            raise ValueError(f"a {self.confidence.value} figure needs a note saying why")
        if self.published.first.year <= self.year - 1:
            raise ValueError(f"published {self.published.iso} before the year {self.year} began")
        return self


class FigureFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    country: str
    figures: tuple[PublishedFigure, ...]
