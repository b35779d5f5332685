"""Import the General Preferential Tariff (GPT) withdrawal and extension orders.

Reads the official XML of SOR/2004-93, SOR/2007-173, SOR/2013-161 and SOR/2023-207, takes the
countries each order withdraws GPT from (or extends it to) and the date the order comes into
force, maps the names to ISO 3166 alpha-2 and writes one instrument YAML per order into
``bilateral/law/data/instruments``.

No rule granting MFN is written: the orders' text (as consolidated) only withdraws or extends
GPT; the Customs Tariff amendments that would say which goods take MFN are shown as
"[Amendment]", so an MFN rule would not be read in the order's text.

Rerun: python -m bilateral.importers.tariff_orders --source /path/to/laws-lois-xml
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pycountry

from bilateral.importers._common import PACKAGE_DIR, dump_yaml, require_source, write_text
from bilateral.importers.sema_regulations import (
    COMMIT,
    REPO,
    check_source_commit,
    text_of,
    xml_date,
)
from bilateral.law.model import (
    Bilingual,
    Confidence,
    Instrument,
    Rule,
    TariffEntitlement,
    Treatment,
)
from bilateral.law.validation import dump

OUT_DIR = PACKAGE_DIR / "law" / "data" / "instruments"
MODULE = "bilateral.importers.tariff_orders"

# Names in the orders that themselves contain a list separator (", " or " and "); they are
# protected before the list is split. A missing one shows up as an unmapped fragment.
COMPOUND_NAMES = (
    "Antilles, Netherlands",
    "Virgin Islands, U.S.A.",
    "Antigua and Barbuda",
    "Bosnia and Herzegovina",
    "New Caledonia and Dependencies",
    "Saint Kitts and Nevis",
    "Saint Vincent and the Grenadines",
    "Trinidad and Tobago",
    "Turks and Caicos Islands",
)

# Names pycountry does not resolve (short or older forms). The Netherlands Antilles were
# dissolved on 2010-10-10, before SOR/2013-161 was made; its successors Bonaire/Sint
# Eustatius/Saba, Curaçao and Sint Maarten carry the withdrawal (the retired ISO code AN is
# not a current country code).
EXPLICIT: dict[str, tuple[str, ...]] = {
    "Antilles, Netherlands": ("BQ", "CW", "SX"),
    "British Virgin Islands": ("VG",),
    "Brunei": ("BN",),
    "Iran": ("IR",),
    "Macedonia": ("MK",),
    "Mariana Islands": ("MP",),
    "Moldova": ("MD",),
    "New Caledonia and Dependencies": ("NC",),
    "Russia": ("RU",),
    "South Korea": ("KR",),
    "Turkey": ("TR",),
    "Venezuela": ("VE",),
    "Vietnam": ("VN",),
    "Virgin Islands, U.S.A.": ("VI",),
}

# Mappings that are a reading rather than a lookup: the rule's note says so.
MAPPING_NOTES = {
    "Antilles, Netherlands": '"Antilles, Netherlands" is read as BQ, CW and SX, the '
    "successors of the Netherlands Antilles (dissolved 2010-10-10).",
}

# fmt: off
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_MOIS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
# fmt: on


@dataclass(frozen=True)
class Grant:
    """An extension of GPT made by the same order (SOR/2023-207 s. 2)."""

    slug: str
    label: Bilingual
    origin_en: str  # "Lebanon and Tunisia"
    origin_fr: str  # "du Liban et de la Tunisie"


@dataclass(frozen=True)
class Order:
    """What the XML cannot give: the French title and the editorial wording of the rules."""

    number: str  # "2013-161"
    slug: str  # rule id suffix
    title_fr: str  # official French title (fra/reglements/DORS-<number>.xml)
    label: Bilingual
    origin_en: str  # what the withdrawal covers, in running English
    origin_fr: str  # same in French, with its preposition ("des 72 pays ...")
    grant: Grant | None = None


ORDERS = (
    Order(
        "2004-93",
        "2004-eu-accession",
        "Décret de retrait du bénéfice du tarif de préférence général (certains pays "
        "adhérant à l’Union européenne)",
        Bilingual(
            en="GPT withdrawn — countries acceding to the European Union",
            fr="Retrait du tarif de préférence général — pays adhérant à l’Union européenne",
        ),
        "the {n} countries acceding to the European Union (Cyprus, Czech Republic, Estonia, "
        "Hungary, Latvia, Lithuania, Malta, Poland, Slovakia and Slovenia)",
        "des {n} pays adhérant à l’Union européenne (Chypre, République tchèque, Estonie, "
        "Hongrie, Lettonie, Lituanie, Malte, Pologne, Slovaquie et Slovénie)",
    ),
    Order(
        "2007-173",
        "2007-bulgaria-romania",
        "Décret de retrait du bénéfice du tarif de préférence général (Bulgarie et Roumanie)",
        Bilingual(
            en="GPT withdrawn — Bulgaria and Romania",
            fr="Retrait du tarif de préférence général — Bulgarie et Roumanie",
        ),
        "Bulgaria and Romania",
        "de la Bulgarie et de la Roumanie",
    ),
    Order(
        "2013-161",
        "2013-review",
        "Décret de retrait du bénéfice du tarif de préférence général (examen du TPG de 2013)",
        Bilingual(
            en="GPT withdrawn — 2013 GPT Review",
            fr="Retrait du tarif de préférence général — examen du TPG de 2013",
        ),
        "the {n} countries and territories listed in s. 1 (2013 GPT Review), among them "
        "Brazil, China, India and Russia",
        "des {n} pays et territoires énumérés à l’article 1 (examen du TPG de 2013), dont le "
        "Brésil, la Chine, l’Inde et la Russie",
    ),
    Order(
        "2023-207",
        "2023-review",
        "Décret de retrait et d’octroi du bénéfice du tarif de préférence général (examen du "
        "TPG de 2023)",
        Bilingual(
            en="GPT withdrawn — 2023 GPT Review",
            fr="Retrait du tarif de préférence général — examen du TPG de 2023",
        ),
        "the {n} countries and territories listed in s. 1 (2023 GPT Review), among them "
        "Armenia, Georgia, Moldova and Vietnam",
        "des {n} pays et territoires énumérés à l’article 1 (examen du TPG de 2023), dont "
        "l’Arménie, la Géorgie, la Moldova et le Vietnam",
        Grant(
            "2023-review",
            Bilingual(
                en="GPT extended — Lebanon and Tunisia (2023 GPT Review)",
                fr="Octroi du tarif de préférence général — Liban et Tunisie (examen du TPG "
                "de 2023)",
            ),
            "Lebanon and Tunisia",
            "du Liban et de la Tunisie",
        ),
    ),
)


# --- reading the order -----------------------------------------------------------------


@dataclass(frozen=True)
class OrderText:
    """The parts of an order's XML the rules are drawn from."""

    title_en: str
    enabling: str  # "paragraph 34(1)(b)"
    consolidated: dt.date
    withdrawn: tuple[str, str]  # (section label, country text)
    extended: tuple[str, str] | None
    transit: tuple[str, str]  # (section label, text)
    in_force: dt.date


def read_order(path: Path) -> OrderText:
    root = ET.parse(path).getroot()
    sections = [(text_of(s.find("Label")), _section_text(s)) for s in root.iter("Section")]
    return OrderText(
        title_en=text_of(root.find("Identification/LongTitle")),
        enabling=_enabling(root),
        consolidated=xml_date(root.find("Identification/ConsolidationDate")),
        withdrawn=_one(sections, "withdrawn in respect of all goods that originate in"),
        extended=_maybe(sections, "extended in respect of all goods that originate in"),
        transit=_one(sections, "in transit to Canada"),
        in_force=_in_force(_one(sections, "This Order comes into force on")[1]),
    )


def _section_text(section: ET.Element) -> str:
    """Section text including nested provisions (the country list of the review orders)."""
    parts = [text_of(section.find("Text"))]
    parts += [text_of(p.find("Text")) for p in section.findall("Provision")]
    return " ".join(p for p in parts if p)


def _maybe(sections: list[tuple[str, str]], phrase: str) -> tuple[str, str] | None:
    found = [s for s in sections if phrase in s[1]]
    if len(found) > 1:
        raise ValueError(f"several sections say {phrase!r}")
    return found[0] if found else None


def _one(sections: list[tuple[str, str]], phrase: str) -> tuple[str, str]:
    found = _maybe(sections, phrase)
    if found is None:
        raise ValueError(f"no section says {phrase!r}")
    return found


def _enabling(root: ET.Element) -> str:
    recital = " ".join(text_of(p.find("Text")) for p in root.iterfind("Order/Provision"))
    match = re.search(r"(?:pursuant to|under) (.+?) of the Customs Tariff", recital)
    if match is None:
        raise ValueError("enabling provision not found in the order's recital")
    # "paragraph 34(1)(b)" -> "s. 34(1)(b)", the citation style of the other instruments.
    return re.sub(r"^(?:paragraphs?|subsections?|sections?) ", "s. ", match.group(1))


def _in_force(text: str) -> dt.date:
    match = re.search(r"comes into force on (\w+) (\d{1,2}), (\d{4})", text)
    if match is None:
        raise ValueError(f"no coming-into-force date in {text!r}")
    month, day, year = match.groups()
    return dt.date(int(year), _MONTHS.index(month) + 1, int(day))


# --- countries -------------------------------------------------------------------------


def country_names(text: str) -> list[str]:
    """The names listed after "originate in" ("A, B, ... and Z.")."""
    listed = re.split(r"originate in (?:the following countries:)?", text, maxsplit=1)[1]
    # Protect compound names before dropping the final full stop: "Virgin Islands, U.S.A."
    protected = {f"\x00{i}\x00": name for i, name in enumerate(COMPOUND_NAMES)}
    for token, name in protected.items():
        listed = listed.replace(name, token)
    listed = listed.strip().removesuffix(".")
    names = re.split(r",\s+(?:and\s+)?|\s+and\s+", listed)
    names = [protected.get(n.strip(), n.strip()) for n in names]
    return [n.removeprefix("the ") for n in names if n]


def to_alpha2(name: str) -> tuple[str, ...] | None:
    if name in EXPLICIT:
        return EXPLICIT[name]
    try:
        return (str(pycountry.countries.lookup(name).alpha_2),)
    except LookupError:
        return None


def map_countries(names: Sequence[str], where: str) -> tuple[str, ...]:
    """ISO codes for the names, sorted; fail listing every name that did not map."""
    codes: set[str] = set()
    unmapped: list[str] = []
    for name in names:
        mapped = to_alpha2(name)
        if mapped is None:
            unmapped.append(name)
        else:
            codes.update(mapped)
    if unmapped:
        for name in unmapped:
            print(f"UNMAPPED ({where}): {name!r}")
        raise SystemExit(f"{len(unmapped)} country name(s) unmapped in {where}")
    return tuple(sorted(codes))


# --- building the instrument -----------------------------------------------------------


def _date_en(day: dt.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _date_fr(day: dt.date) -> str:
    ordinal = "1er" if day.day == 1 else str(day.day)
    return f"{ordinal} {_MOIS[day.month - 1]} {day.year}"


def withdrawal_rule(order: Order, text: OrderText, names: Sequence[str]) -> Rule:
    instrument = f"SOR/{order.number}"
    countries = map_countries(names, instrument)
    n = len(names)
    label, transit = text.transit
    readings = [MAPPING_NOTES[name] for name in names if name in MAPPING_NOTES]
    summary = Bilingual(
        en=f"Entitlement to the General Preferential Tariff (GPT) is withdrawn for all goods "
        f"originating in {order.origin_en.format(n=n)}, from {_date_en(text.in_force)}.",
        fr=f"Le bénéfice du tarif de préférence général (TPG) est retiré à l’égard de toutes "
        f"les marchandises originaires {order.origin_fr.format(n=n)}, à compter du "
        f"{_date_fr(text.in_force)}.",
    )
    return Rule(
        id=f"gpt.withdrawal.{order.slug}",
        instrument=instrument,
        provision=f"s. {text.withdrawn[0]}",
        url=_url(order),
        url_fr=_url(order).replace("/eng/regulations/SOR-", "/fra/reglements/DORS-"),
        valid_from=text.in_force,
        label=order.label,
        summary=summary,
        confidence=Confidence.VERIFIED,
        note=" ".join([f'Goods in transit: s. {label} reads "{transit}"', *readings]),
        caveats=(
            Bilingual(
                en=f"goods in transit to Canada before {_date_en(text.in_force)} keep the GPT "
                f"(s. {label}); the engine does not know when the goods were shipped.",
                fr=f"les marchandises en transit vers le Canada avant le {_date_fr(text.in_force)} "
                f"conservent le TPG (art. {label}); le moteur ignore la date d'expédition.",
            ),
        ),
        # Shown for a year: no shipment is taken to be in transit longer (an assumption).
        caveats_until=text.in_force + dt.timedelta(days=365),
        effect=TariffEntitlement(
            kind="tariff_entitlement", countries=countries, treatment=Treatment.GPT, entitled=False
        ),
    )


def extension_rule(
    order: Order, grant: Grant, text: OrderText, countries: tuple[str, ...], earlier: Withdrawn
) -> Rule:
    if text.extended is None:
        raise ValueError(f"SOR/{order.number}: no extension section")
    summary = Bilingual(
        en=f"Entitlement to the General Preferential Tariff (GPT) is extended to all goods "
        f"originating in {grant.origin_en}, from {_date_en(text.in_force)}.",
        fr=f"Le bénéfice du tarif de préférence général (TPG) est accordé à l’égard de toutes "
        f"les marchandises originaires {grant.origin_fr}, à compter du "
        f"{_date_fr(text.in_force)}.",
    )
    return Rule(
        id=f"gpt.extension.{grant.slug}",
        instrument=f"SOR/{order.number}",
        provision=f"s. {text.extended[0]}",
        url=_url(order),
        url_fr=_url(order).replace("/eng/regulations/SOR-", "/fra/reglements/DORS-"),
        valid_from=text.in_force,
        label=grant.label,
        summary=summary,
        confidence=Confidence.VERIFIED,
        note="The order's recital states the Governor in Council's opinion that these are "
        "developing countries (Customs Tariff para. 34(1)(a)). The goods-in-transit "
        f"exemption (s. {text.transit[0]}) covers only the withdrawal in s. {text.withdrawn[0]}."
        + _supersedes_note(countries, earlier),
        exception_to=_superseded(countries, earlier),
        effect=TariffEntitlement(
            kind="tariff_entitlement", countries=countries, treatment=Treatment.GPT, entitled=True
        ),
    )


# GPT withdrawals already written: rule id -> countries. A later extension to one of those
# countries overrides the earlier withdrawal for it from its own start date; the rule says
# so with exception_to, which is how the law data lets two dated rules on one key coexist.
Withdrawn = dict[str, tuple[str, ...]]


def _superseded(countries: tuple[str, ...], earlier: Withdrawn) -> tuple[str, ...]:
    return tuple(rule_id for rule_id, codes in earlier.items() if set(codes) & set(countries))


def _supersedes_note(countries: tuple[str, ...], earlier: Withdrawn) -> str:
    notes = []
    for rule_id in _superseded(countries, earlier):
        again = sorted(set(earlier[rule_id]) & set(countries))
        notes.append(
            f" {', '.join(again)} had GPT withdrawn by {rule_id}; this rule extends it again."
        )
    return "".join(notes)


def _url(order: Order) -> str:
    return f"https://laws-lois.justice.gc.ca/eng/regulations/SOR-{order.number}/"


def build(order: Order, text: OrderText, earlier: Withdrawn) -> Instrument:
    where = f"SOR/{order.number}"
    rules = [withdrawal_rule(order, text, country_names(text.withdrawn[1]))]
    if order.grant is not None:
        if text.extended is None:
            raise ValueError(f"{where}: expected an extension section")
        granted = map_countries(country_names(text.extended[1]), where)
        rules.append(extension_rule(order, order.grant, text, granted, earlier))
    elif text.extended is not None:
        raise ValueError(f"{where}: unexpected extension section; add a Grant to the spec")
    return Instrument(
        instrument=where,
        title=Bilingual(en=text.title_en, fr=order.title_fr),
        url=_url(order),
        kind="order",
        enabling_authority=f"Customs Tariff, {text.enabling}",
        source=f"{REPO}@{COMMIT}:eng/regulations/SOR-{order.number}.xml (consolidated to "
        f"{text.consolidated.isoformat()}); French title from fra/reglements/"
        f"DORS-{order.number}.xml",
        rules=tuple(rules),
    )


def header(order: Order) -> list[str]:
    return [
        f"Generated by {MODULE} from {REPO}@{COMMIT}:eng/regulations/SOR-{order.number}.xml;"
        " do not edit by hand;",
        f"rerun: python -m {MODULE} --source /path/to/laws-lois-xml",
    ]


def run(source: Path, out_dir: Path) -> list[str]:
    check_source_commit(source)
    report: list[str] = []
    earlier: Withdrawn = {}
    for order in ORDERS:  # chronological, so extensions see the withdrawals before them
        text = read_order(source / f"SOR-{order.number}.xml")
        instrument = build(order, text, earlier)
        data = dump(instrument)
        write_text(out_dir / f"sor-{order.number}.yaml", dump_yaml(header(order), data))
        for rule in instrument.rules:
            effect = rule.effect
            assert isinstance(effect, TariffEntitlement)
            if not effect.entitled:
                earlier[rule.id] = effect.countries
            verb = "extends GPT to" if effect.entitled else "withdraws GPT from"
            report.append(
                f"{rule.instrument} {rule.provision} {verb} {len(effect.countries)} codes "
                f"from {rule.valid_from}: {' '.join(effect.countries)}"
            )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import the GPT withdrawal orders.")
    parser.add_argument("--source", help="folder holding the SOR-*.xml files (laws-lois-xml)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    source = require_source(args.source, "laws-lois-xml")
    for line in run(source, args.out):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
