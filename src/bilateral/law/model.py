"""The shape of the law as data.

One YAML file per legal instrument or official notice lives in ``law/data/instruments``.
Each file holds the instrument's identity and a list of rules; each rule is one dated,
cited, bilingual statement of law with a typed ``effect``. The engine reads only these
models, never the YAML, so a reviewer can read the law folder without reading Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

Date = dt.date

# The law's types are plain frozen dataclasses: a command-line answer reads them, already
# checked, from the compiled-law cache, and so never imports pydantic (a tenth of a second
# at every start). Loading YAML validates them with pydantic (law/validation.py), which reads
# the constraints below from the ``Annotated`` markers; ``__post_init__`` checks what spans
# fields, whoever builds the object.


class Check:
    """A field's constraint, as pydantic's ``Field`` takes it (pattern, min_length, gt, le,
    discriminator), applied when the law is validated from YAML."""

    __slots__ = ("constraints",)

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Field  # only when validating: see law/validation.py

        return handler(Annotated[source, Field(**self.constraints)])


class Before:
    """A function that turns the YAML value into the field's value before it is validated."""

    __slots__ = ("convert",)

    def __init__(self, convert: Any) -> None:
        self.convert = convert

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_before_validator_function(self.convert, handler(source))


class _Law:
    """Unknown keys in the law's YAML are errors, not silently dropped."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def __repr__(self) -> str:
        # one for all the law's types: a generated __repr__ per class costs start-up time
        names = self.__dataclass_fields__  # type: ignore[attr-defined]
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({shown})"


class Confidence(StrEnum):
    """How sure we are of a rule (the research's tags)."""

    VERIFIED = "verified"  # read in primary text (statute, regulation, Gazette, GAC notice)
    SECONDARY = "secondary"  # law-firm bulletin, news item, quotation of GAC by a third party
    INFERRED = "inferred"  # drawn from cited material; the note says how


class Outcome(StrEnum):
    """Licensing posture for an export, from least to most restrictive."""

    NOT_REQUIRED = "not_required"
    GENERALLY_APPROVED = "generally_approved"
    NORMALLY_ISSUED = "normally_issued"
    CASE_BY_CASE = "case_by_case"
    GENERALLY_DENIED = "generally_denied"
    NEW_PERMITS_SUSPENDED = "new_permits_suspended"
    PROHIBITED = "prohibited"

    @property
    def severity(self) -> int:
        return _OUTCOME_ORDER.index(self)


_OUTCOME_ORDER = list(Outcome)


class HumanitarianCategory(StrEnum):
    """Goods categories named by Notices to Exporters 148 (Belarus) and 172 (DPRK)."""

    FOOD = "food"
    CLOTHING = "clothing"
    MEDICINES = "medicines"
    MEDICAL_SUPPLIES = "medical_supplies"
    INFORMATION_MATERIAL = "information_material"
    CASUAL_GIFTS = "casual_gifts"
    PERSONAL_EFFECTS = "personal_effects"


class Treatment(StrEnum):
    """Customs Tariff treatments (s.27 abbreviations) that the law data speaks of."""

    MFN = "MFN"
    GPT = "GPT"
    LDCT = "LDCT"
    GT = "GT"


class Topic(StrEnum):
    """Topics of official contact named by engagement policies."""

    CONSULAR = "consular_relations"
    HUMAN_RIGHTS = "human_rights"
    DEMOCRATIC_DEVELOPMENT = "democratic_development"
    INTERNATIONAL_SECURITY = "international_security"
    REGIONAL_SECURITY = "regional_security"
    HUMANITARIAN = "humanitarian_situation"
    INTER_KOREAN = "inter_korean_relations"
    TRADE = "trade_and_investment"
    CULTURE = "culture_and_education"
    POLITICAL = "political_relations"
    DEFENCE = "defence_cooperation"


@dataclass(frozen=True, kw_only=True, repr=False)
class Bilingual(_Law):
    en: Annotated[str, Check(min_length=1)]
    fr: Annotated[str, Check(min_length=1)]


@dataclass(frozen=True, kw_only=True, repr=False)
class DelayedStart(_Law):
    """A start date stated in law as "N days after" another date (e.g. SEMA s.3.7(5))."""

    days_after: Annotated[int, Check(gt=0, le=3650)]
    of: Date

    def resolve(self) -> Date:
        return self.of + dt.timedelta(days=self.days_after)


# --- effects ---------------------------------------------------------------------------
# Each effect is a small typed statement; `kind` selects it. Country codes are ISO 3166
# alpha-2 and are checked against the country table at load time.


@dataclass(frozen=True, kw_only=True, repr=False)
class _Effect(_Law):
    """What a rule says; ``kind`` names which statement it is."""


@dataclass(frozen=True, kw_only=True, repr=False)
class AreaControlListing(_Effect):
    """EIPA s.4/s.13: every export of any goods or technology to the country needs a permit."""

    kind: Literal["area_control_list"]
    country: str


@dataclass(frozen=True, kw_only=True, repr=False)
class LicensingPolicy(_Effect):
    """How applications to export to a country are assessed (Notices 148, 172, interim)."""

    kind: Literal["licensing_policy"]
    country: str
    applies_to: Literal["all_goods", "non_ecl_goods", "ecl_goods"] = "all_goods"
    humanitarian_categories: tuple[HumanitarianCategory, ...] = ()
    humanitarian_posture: Outcome | None = None
    posture: Outcome


@dataclass(frozen=True, kw_only=True, repr=False)
class EclGroupScope(_Effect):
    """ECL s.2: the destinations to which a group's items are controlled."""

    kind: Literal["ecl_group_scope"]
    group: Annotated[str, Check(pattern=r"^[1-9]$")]
    destinations: Literal["all", "all_except", "named_in_item"]
    except_countries: tuple[str, ...] = ()
    # Guide items of the group that are controlled to all destinations notwithstanding.
    items_to_all_destinations: tuple[str, ...] = ()
    # Guide items controlled only to destinations the Guide names (s.2(d)); not bundled.
    items_named_in_guide: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, repr=False)
class EclReading(_Law):
    """HS codes read as items of an ECL group (the items are the Guide's numbers)."""

    hs: Annotated[tuple[str, ...], Check(min_length=1)]
    items: Annotated[tuple[str, ...], Check(min_length=1)]


@dataclass(frozen=True, kw_only=True, repr=False)
class EclHsReading(_Effect):
    """An interpretation, never the law's words: goods under these HS codes are as a rule
    items of an ECL group, so a question that names only such an HS code is answered as a
    question about those items (controlled where the group's scope controls them), with a
    caveat, rather than as goods outside the Export Control List."""

    kind: Literal["ecl_hs_reading"]
    group: Annotated[str, Check(pattern=r"^[1-9]$")]
    readings: Annotated[tuple[EclReading, ...], Check(min_length=1)]

    def __post_init__(self) -> None:
        for reading in self.readings:
            for item in reading.items:
                if not item.startswith(f"{self.group}-"):
                    raise ValueError(f"item {item} is not in ECL Group {self.group}")

    def reading(self, digits: str) -> EclReading | None:
        """The reading of an HS code: that of its longest listed prefix; for a code broader
        than every listed one (the heading 9306 over 9306.21 to 9306.90), all the items its
        listed subdivisions are read as, since its goods may be any of them; else None."""
        best: EclReading | None = None
        longest = 0
        narrower: list[str] = []
        for reading in self.readings:
            for code in reading.hs:
                plain = code.replace(".", "")
                if digits.startswith(plain) and len(plain) > longest:
                    best, longest = reading, len(plain)
                elif plain.startswith(digits) and len(plain) > len(digits):
                    narrower.extend(reading.items)
        if best is None and narrower:
            return EclReading(hs=(digits,), items=tuple(sorted(set(narrower))))
        return best


@dataclass(frozen=True, kw_only=True, repr=False)
class EclPermitSuspension(_Effect):
    """A suspension of new permits for ECL items to a country."""

    kind: Literal["ecl_permit_suspension"]
    country: str


@dataclass(frozen=True, kw_only=True, repr=False)
class GeneralExportPermit(_Effect):
    """EIPA s.7(1.1): a general permit usable for some ECL items to some destinations."""

    kind: Literal["general_export_permit"]
    permit: Annotated[str, Check(pattern=r"^GEP-\d+$")]
    ecl_groups: tuple[str, ...] = ()
    ecl_items: tuple[str, ...] = ()  # item prefixes, e.g. "5504.2"
    destinations: tuple[str, ...]
    # Goods the permit does not authorize: a bundled, per-row dated list of Guide items.
    excluded_items: str | None = None
    # s. 3(1)(b)-(c) of GEP No. 41: not for countries on the Area Control List or under
    # measures made under SEMA s. 4 or United Nations Act s. 2.
    excludes_sanctioned_destinations: bool = False


@dataclass(frozen=True, kw_only=True, repr=False)
class GoodsScope(_Effect):
    """Which goods a prohibition covers."""

    all_goods: bool = False
    goods_list: str | None = None  # id of a bundled HS-coded goods list
    ecl_goods: bool = False
    # Goods that only a published list outside the law data identifies (e.g. the RGTL):
    # the engine cannot decide them from an HS code and says so in a caveat.
    unmapped_list: Bilingual | None = None
    # Goods the law describes in words ("arms and related material"): decided where the
    # question names an ECL group or HS code read as within the words (an interpretation,
    # listed below), otherwise shown as a caveat, never answered as allowed in silence.
    described: Bilingual | None = None
    covers_ecl_groups: tuple[str, ...] = ()
    covers_hs: tuple[str, ...] = ()
    # HS codes that may or may not be such goods (e.g. vehicles, aircraft): a caveat. Other HS
    # codes are read as outside the words (propane is not a weapon), an interpretation too.
    maybe_hs: tuple[str, ...] = ()
    except_categories: tuple[HumanitarianCategory, ...] = ()
    # HS codes read as an exception the law states in words (e.g. consumer communication
    # devices); the engine skips the ban for them and shows ``except_note`` as a caveat.
    except_hs: tuple[str, ...] = ()
    except_note: Bilingual | None = None

    def __post_init__(self) -> None:
        chosen = [self.all_goods, self.goods_list is not None, self.ecl_goods]
        chosen.append(self.unmapped_list is not None)
        chosen.append(self.described is not None)
        if sum(chosen) != 1:
            raise ValueError(
                "goods scope must name exactly one of all_goods, goods_list, ecl_goods, "
                "unmapped_list, described"
            )
        if (self.covers_ecl_groups or self.covers_hs or self.maybe_hs) and self.described is None:
            raise ValueError("covers_* and maybe_hs go with described goods only")
        if self.except_hs and self.except_note is None:
            raise ValueError("except_hs needs an except_note saying what the exception is")


@dataclass(frozen=True, kw_only=True, repr=False)
class ExportProhibition(_Effect):
    """A prohibition on exporting goods to a country (SEMA regulations)."""

    kind: Literal["export_prohibition"]
    country: str
    goods: GoodsScope


@dataclass(frozen=True, kw_only=True, repr=False)
class ImportProhibition(_Effect):
    """A prohibition on importing or dealing in goods from a country (SEMA regulations)."""

    kind: Literal["import_prohibition"]
    country: str
    goods: GoodsScope


@dataclass(frozen=True, kw_only=True, repr=False)
class TariffEntitlement(_Effect):
    """Entitlement of goods originating in the countries to a tariff treatment."""

    kind: Literal["tariff_entitlement"]
    countries: Annotated[tuple[str, ...], Check(min_length=1)]
    treatment: Treatment
    entitled: bool
    # Tariff items (8-digit, dotted) the rule is limited to; empty means all goods.
    tariff_items: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, repr=False)
class TariffRate(_Effect):
    """A flat rate of a treatment (Customs Tariff s.29: the General Tariff is 35%)."""

    kind: Literal["tariff_rate"]
    treatment: Treatment
    rate_percent: Decimal
    # s.29 exception: the MFN rate applies instead where it is higher.
    mfn_if_higher: bool = False


@dataclass(frozen=True, kw_only=True, repr=False)
class TreatmentExpiry(_Effect):
    """A treatment's provisions cease to have effect (Customs Tariff ss. 36 and 40)."""

    kind: Literal["treatment_expiry"]
    treatment: Treatment


@dataclass(frozen=True, kw_only=True, repr=False)
class DealingsProhibition(_Effect):
    """SEMA s.3: no dealing with persons listed in a schedule."""

    kind: Literal["dealings_prohibition"]
    country: str
    listing: str  # id of a bundled list of persons
    # What the listing restricts where it is not a ban on every dealing (SEMA Russia
    # ss. 3.01 and 3.02: new debt or equity "in relation to" a person of Schedule 2 or 3),
    # as a clause the party answer says: "new debt of longer than 90 days ... is banned".
    # None: every dealing with a listed person is banned.
    restriction: Bilingual | None = None
    # Why a match under this rule is only "possibly listed": the rule's text on these days
    # is not held (SOR/2006-287 before 2016-10-21), so a designated person may or may not
    # have been under it. Said as a caveat; None: a match is listed.
    uncertain: Bilingual | None = None


@dataclass(frozen=True, kw_only=True, repr=False)
class FinancialProhibition(_Effect):
    """A sectoral prohibition on financial dealings (securities, debt, insurance)."""

    kind: Literal["financial_prohibition"]
    country: str
    activity: Literal["securities", "debt", "insurance", "investment", "financial_services"]


@dataclass(frozen=True, kw_only=True, repr=False)
class EngagementPolicy(_Effect):
    """Official contact with the country's authorities limited to some topics."""

    kind: Literal["engagement_policy"]
    country: str
    permitted_topics: Annotated[tuple[Topic, ...], Check(min_length=1)]


@dataclass(frozen=True, kw_only=True, repr=False)
class DiplomaticEvent(_Effect):
    """A dated fact about representation (accreditation, embassy closure)."""

    kind: Literal["diplomatic_event"]
    country: str


@dataclass(frozen=True, kw_only=True, repr=False)
class KnownGap(_Effect):
    """A part of the law the sources could not settle: shown as a caveat, never guessed."""

    kind: Literal["known_gap"]
    country: str | None = None  # None: every destination/origin
    question: Literal["export", "import", "contact", "party"]
    # Further questions the same gap bears on (a sanctions regime: export and import).
    also: tuple[Literal["export", "import", "contact", "party"], ...] = ()

    def bears_on(self, question: str) -> bool:
        return question == self.question or question in self.also


Effect = Annotated[
    AreaControlListing
    | LicensingPolicy
    | EclGroupScope
    | EclHsReading
    | EclPermitSuspension
    | GeneralExportPermit
    | ExportProhibition
    | ImportProhibition
    | TariffEntitlement
    | TariffRate
    | TreatmentExpiry
    | DealingsProhibition
    | FinancialProhibition
    | EngagementPolicy
    | DiplomaticEvent
    | KnownGap,
    Check(discriminator="kind"),
]


def _delayed(value: object) -> object:
    """ "takes effect 60 days after ..." is written as {days_after: 60, of: 2022-06-25} and
    computed here, so nobody hand-types the arithmetic."""
    if isinstance(value, dict):
        from bilateral.law.validation import validate

        return validate(DelayedStart, value).resolve()
    return value


@dataclass(frozen=True, kw_only=True, repr=False)
class Rule(_Law):
    """One dated, cited statement of law."""

    id: Annotated[str, Check(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    instrument: Annotated[str, Check(min_length=3)]
    provision: Annotated[str, Check(min_length=1)]
    url: Annotated[str, Check(pattern=r"^https?://\S+$")]
    # The French version of the text (Justice Laws /fra/, GAC ?lang=fra), for French readers.
    url_fr: Annotated[str, Check(pattern=r"^https?://\S+$")] | None = None
    valid_from: Annotated[Date | None, Before(_delayed)]
    valid_to: Date | None = None
    # Where the instrument names the hour (SOR/2022-209 s. 8(2): "00:00:00"), it is kept here
    # for display; the engine answers by day, and valid_from/valid_to are chosen so that the
    # day answered is the day the instrument governs at every hour of it (the note says how).
    starts_at: Annotated[str, Check(pattern=r"^\d{2}:\d{2}(:\d{2})?$")] | None = None
    ends_at: Annotated[str, Check(pattern=r"^\d{2}:\d{2}(:\d{2})?$")] | None = None
    label: Bilingual
    summary: Bilingual
    confidence: Confidence
    note: str | None = None
    exception_to: tuple[str, ...] = ()
    # Caveats shown whenever the rule applies: exceptions the engine cannot evaluate from the
    # question (goods in transit, contracts made before the coming into force).
    caveats: tuple[Bilingual, ...] = ()
    # Last day the caveats are worth showing (goods in transit when an order came into force
    # are not still arriving years later); None: every day the rule applies.
    caveats_until: Date | None = None
    # Where valid_from or valid_to is inferred (confidence: inferred, the note says how): the
    # span where the real boundary may lie, from the earliest event the note names to the
    # day before valid_from, and from the day after valid_to to the latest such event. An
    # answer on a day of either span, which the rule would have changed, says so in a caveat.
    uncertain_from: Date | None = None
    uncertain_to: Date | None = None
    effect: Effect

    def __post_init__(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if self.confidence is not Confidence.VERIFIED and not self.note:
            article = "an" if self.confidence is Confidence.INFERRED else "a"
            raise ValueError(f"{article} {self.confidence.value} rule needs a note saying why")
        if self.valid_from is None and not self.note:
            raise ValueError("an open start (valid_from: null) needs a note saying why")
        if self.uncertain_from and not (self.valid_from and self.uncertain_from < self.valid_from):
            raise ValueError("uncertain_from must be before valid_from")
        if self.uncertain_to and not (self.valid_to and self.uncertain_to > self.valid_to):
            raise ValueError("uncertain_to must be after valid_to")

    def in_force(self, on: Date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True, kw_only=True, repr=False)
class Instrument(_Law):
    """A legal instrument or official notice, and the rules drawn from it."""

    instrument: Annotated[str, Check(min_length=3)]
    title: Bilingual
    url: Annotated[str, Check(pattern=r"^https?://\S+$")]
    kind: Literal["act", "regulation", "order", "general_permit", "notice", "policy"]
    enabling_authority: str | None = None
    source: str | None = None  # where the text was read (file, commit, page)
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True, kw_only=True, repr=False)
class ListedPerson(_Law):
    """One item of a schedule of listed persons, as the official XML gives it."""

    part: str  # "" for a schedule or list without parts
    item: str  # the item's number, or the list's own reference number (UN: "KPe.001")
    name: str
    aliases: tuple[str, ...] = ()
    born: str | None = None
    entity: bool
    listed_on: Date
    # False when listed_on is not the listing date but only the date from which the item's
    # text is known: the in-force date of the schedule's earliest version in the official
    # XML (SOR/2014-58 Schedule 1: 2016-03-18, though listings began 2014-03-17), or of an
    # amendment of the item (lims:id differs from lims:fid). The listing date is then NOT
    # FOUND in the data: the person may have been listed from the regulations' coming
    # into force, and the engine answers "possibly listed" before listed_on.
    listed_on_exact: bool = True


@dataclass(frozen=True, kw_only=True, repr=False)
class PersonList(_Law):
    id: str
    instrument: str
    provision: str
    url: str
    source: str
    parts: dict[str, str]  # {} for a schedule without parts (SOR/2014-58 Schedules 2, 3)
    # What the list cannot show (persons delisted before its source was taken), said as a
    # caveat on every party answer; None: the consolidation's wording ("persons delisted
    # before it are not in the data"), for lists read from a Justice Laws consolidation.
    coverage: Bilingual | None = None
    persons: tuple[ListedPerson, ...]


@dataclass(frozen=True, kw_only=True, repr=False)
class GoodsListItem(_Law):
    item: str
    hs: Annotated[str, Check(pattern=r"^\d{2,10}$")]
    description: str
    # The in-force date of the row's current text, where the official XML gives one (the
    # row's or its table's lims:inforce-start-date). Before it, an earlier text of the
    # schedule governed, which the data does not hold: the engine says so in a caveat.
    in_force_from: Date | None = None
    # A condition of the item narrower than its HS code (e.g. a K2O grade), shown as a caveat.
    condition: Bilingual | None = None


@dataclass(frozen=True, kw_only=True, repr=False)
class RepealedItem(_Law):
    """A schedule row now reading "[Repealed, ...]": it applied until ``repealed_on``, and its
    text is no longer in the consolidation, so the engine can only say it existed."""

    item: str
    repealed_on: Date
    by: str


@dataclass(frozen=True, kw_only=True, repr=False)
class GoodsList(_Law):
    """An HS-coded schedule of goods (e.g. SEMA Belarus Schedule 4 Part 1)."""

    id: str
    instrument: str
    provision: str
    url: str
    source: str
    # In-force date of the table's current text (lims:inforce-start-date of the table);
    # a row's own in_force_from, where the XML gives one, overrides it.
    in_force_from: Date | None = None
    repealed: tuple[RepealedItem, ...] = ()
    # Generated lists copy HS codes from the schedule (verified); a schedule that describes
    # goods in words is mapped to HS by hand, and says so here.
    confidence: Confidence = Confidence.VERIFIED
    note: str | None = None
    items: Annotated[tuple[GoodsListItem, ...], Check(min_length=1)]


@dataclass(frozen=True, kw_only=True, repr=False)
class EclItemRow(_Law):
    """One row of a schedule that names Guide items (GEP No. 41's excluded goods)."""

    item: str
    ecl: Annotated[str, Check(pattern=r"^[1-9]-[0-9A-Za-z.]+$|^5[0-9]{3}(\.[0-9A-Za-z.]+)?$")]
    description: str
    # The row covers only part of the Guide item ("... that are composite structures").
    qualified: bool = False
    in_force_from: Date


@dataclass(frozen=True, kw_only=True, repr=False)
class EclItemList(_Law):
    """A schedule of Guide items, each row dated (e.g. the Schedule to SOR/2015-200)."""

    id: str
    instrument: str
    provision: str
    url: str
    source: str
    ecl_items: Annotated[tuple[EclItemRow, ...], Check(min_length=1)]


@dataclass(frozen=True, kw_only=True, repr=False)
class CategoryMapping(_Law):
    """HS codes read as one humanitarian category: an explicit, cited interpretation."""

    category: HumanitarianCategory
    hs: Annotated[tuple[str, ...], Check(min_length=1)]
    rationale: Annotated[str, Check(min_length=10)]


@dataclass(frozen=True, kw_only=True, repr=False)
class CategoryInterpretation(_Law):
    id: str
    basis: str
    url: Annotated[str, Check(pattern=r"^https?://\S+$")]
    confidence: Confidence
    note: str
    mappings: tuple[CategoryMapping, ...]
