# ruff: noqa: E501  (sentence templates read best one per line)
"""The words of generated sentences, dates and amounts, in English and French (Babel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from bilateral.relations.model import Precision, When

LOCALE = {"en": "en_CA", "fr": "fr_CA"}

W: dict[str, dict[str, str]] = {
    "en": {
        "title": "Canada–{country} relations",
        "as_of": "As of {date}",
        "modified": "Date modified",
        "relations": "Political relations",
        "programmes": "Development cooperation",
        "measures": "Export controls, sanctions and tariffs",
        "ended": "Measures no longer in force",
        "trade": "Trade",
        "sources": "Sources",
        "none_relations": "The data hold no event of Canada's relations with {country} up to this date.",
        "none_measures": "No Canadian export control, sanction or tariff measure specific to {country} was in force on this date.",
        "acl": "{Country} has been on the Area Control List since {date}: every export of goods or technology to {country} needs an export permit.",
        "engagement": "Official contact with the authorities of {country} is restricted to {topics}.",
        "tariff_no": "Since {date}, goods originating in {country} are no longer entitled to the {treatment}.",
        "tariff_yes": "Goods originating in {country} are entitled to the {treatment}.",
        "since": "Since {date}: {text}",
        "dated": "{date}: {text}",
        "ended_line": "{label}: in force from {start} until {end}.",
        "ended_until": "{label}: in force until {end}.",
        "listed": "From {first} to {last}, {count} amendments listed {people} in {schedule}; dealings with them are prohibited.",
        "people": "{individuals} individuals and {entities} entities",
        "exports": "In {year}{period}, Canadian exports to {country} totalled {amount}{approx}{mainly}.",
        "imports": "In {year}{period}, Canadian imports from {country} were {approx_word}{amount}{mainly}.",
        "total_trade": "In {year}{period}, bilateral trade between Canada and {country} totalled {approx_word}{amount}.",
        "mainly": ", mostly {parts}",
        "approx_word": "approximately ",
        "period": " ({period})",
        "published_by": "as published by {publisher}",
        "series": "Computed from imported data ({source}, {edition}): in {year}, {flows}.",
        "series_flow": "{flow} {amount}",
        "no_series": "No trade series is loaded for Canada and {country}; the figures above are as published.",
        "no_trade": "No trade figure for Canada and {country} is published or loaded up to this date.",
        "and": "and",
        "open": "open-ended",
        "inferred_date": " (date inferred)",
        "note_later": "The note on this source speaks of later events; it is shown on pages of later dates.",
        "confidence.verified": "verified",
        "confidence.secondary": "secondary source",
        "confidence.inferred": "inferred",
        "flow.exports": "exports",
        "flow.domestic_exports": "domestic exports",
        "flow.re_exports": "re-exports",
        "flow.imports": "imports",
        "flow.total_trade": "total trade",
        "treatment.GPT": "General Preferential Tariff",
        "treatment.MFN": "Most-Favoured-Nation Tariff",
        "treatment.LDCT": "Least Developed Country Tariff",
        "treatment.GT": "General Tariff",
    },
    "fr": {
        "title": "Relations Canada–{country}",
        "as_of": "Au {date}",
        "modified": "Date de modification",
        "relations": "Relations politiques",
        "programmes": "Coopération au développement",
        "measures": "Contrôles à l'exportation, sanctions et tarifs",
        "ended": "Mesures qui ne sont plus en vigueur",
        "trade": "Commerce",
        "sources": "Sources",
        "none_relations": "Les données ne contiennent aucun événement des relations du Canada avec {country} à cette date.",
        "none_measures": "Aucune mesure canadienne de contrôle à l'exportation, de sanction ou de tarif visant {country} n'était en vigueur à cette date.",
        "acl": "{Country} figure sur la Liste des pays visés depuis le {date} : toute exportation de marchandises ou de technologie vers {country} exige une licence d'exportation.",
        "engagement": "Les contacts officiels avec les autorités {of_country} se limitent aux domaines suivants : {topics}.",
        "tariff_no": "Depuis le {date}, les marchandises originaires {of_country} n'ont plus droit au {treatment}.",
        "tariff_yes": "Les marchandises originaires {of_country} ont droit au {treatment}.",
        "since": "Depuis le {date} : {text}",
        "dated": "{date} : {text}",
        "ended_line": "{label} : en vigueur du {start} au {end}.",
        "ended_until": "{label} : en vigueur jusqu'au {end}.",
        "listed": "Du {first} au {last}, {count} modifications ont inscrit {people} à {schedule}; toute opération avec elles est interdite.",
        "people": "{individuals} personnes physiques et {entities} entités",
        "exports": "En {year}{period}, les exportations canadiennes vers {country} ont totalisé {amount}{approx}{mainly}.",
        "imports": "En {year}{period}, les importations canadiennes en provenance {of_country} se sont élevées à {approx_word}{amount}{mainly}.",
        "total_trade": "En {year}{period}, le commerce bilatéral entre le Canada et {country} a totalisé {approx_word}{amount}.",
        "mainly": ", surtout {parts}",
        "approx_word": "environ ",
        "period": " ({period})",
        "published_by": "selon {publisher}",
        "series": "Calculé à partir des données importées ({source}, {edition}) : en {year}, {flows}.",
        "series_flow": "{flow} {amount}",
        "no_series": "Aucune série statistique n'est chargée pour le Canada et {country}; les chiffres ci-dessus sont ceux qui ont été publiés.",
        "no_trade": "Aucun chiffre du commerce entre le Canada et {country} n'est publié ou chargé à cette date.",
        "and": "et",
        "open": "sans fin",
        "inferred_date": " (date déduite)",
        "note_later": "La note sur cette source évoque des événements ultérieurs; elle figure sur les pages de dates ultérieures.",
        "confidence.verified": "vérifié",
        "confidence.secondary": "source secondaire",
        "confidence.inferred": "déduit",
        "flow.exports": "exportations",
        "flow.domestic_exports": "exportations intérieures",
        "flow.re_exports": "réexportations",
        "flow.imports": "importations",
        "flow.total_trade": "commerce total",
        "treatment.GPT": "tarif de préférence général",
        "treatment.MFN": "tarif de la nation la plus favorisée",
        "treatment.LDCT": "tarif des pays les moins développés",
        "treatment.GT": "tarif général",
    },
}

TOPICS = {
    "en": {
        "consular_relations": "consular relations",
        "human_rights": "human rights",
        "democratic_development": "democratic development",
        "international_security": "efforts related to international security",
        "regional_security": "regional security",
        "humanitarian_situation": "the humanitarian situation",
        "inter_korean_relations": "inter-Korean relations",
        "trade_and_investment": "trade and investment",
        "culture_and_education": "culture and education",
        "political_relations": "political relations",
        "defence_cooperation": "defence cooperation",
    },
    "fr": {
        "consular_relations": "les relations consulaires",
        "human_rights": "les droits de la personne",
        "democratic_development": "le développement démocratique",
        "international_security": "les efforts liés à la sécurité internationale",
        "regional_security": "la sécurité régionale",
        "humanitarian_situation": "la situation humanitaire",
        "inter_korean_relations": "les relations intercoréennes",
        "trade_and_investment": "le commerce et l'investissement",
        "culture_and_education": "la culture et l'éducation",
        "political_relations": "les relations politiques",
        "defence_cooperation": "la coopération en matière de défense",
    },
}


def w(lang: str, key: str, **params: object) -> str:
    return W[lang][key].format(**params)


def day(value: dt.date, lang: str) -> str:
    text = format_date(value, format="long", locale=LOCALE[lang])
    if lang == "fr" and value.day == 1:
        text = "1er" + text[1:]  # le 1er août
    return text


def when(value: When, lang: str) -> str:
    if value.precision is Precision.DAY:
        return day(value.first, lang)
    if value.precision is Precision.MONTH:
        return format_date(value.first, format="MMMM y", locale=LOCALE[lang])
    return str(value.first.year)


def join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {W[lang]['and']} " + items[-1]


def money(value: Decimal, currency: str, lang: str) -> str:
    """$1.7 million / 1,7 million $; US$191.1 million / 191,1 millions $ US."""
    if value < Decimal(1_000_000):
        pattern = "¤#,##0" if lang == "en" else "#,##0 ¤"
        return format_currency(value, currency, pattern, locale=LOCALE[lang], currency_digits=False)
    millions = value / Decimal(1_000_000)
    number = format_decimal(millions, format="#,##0.0", locale=LOCALE[lang])
    if lang == "fr":
        unit = "millions" if millions >= 2 else "million"
        symbol = {"CAD": "$", "USD": "$ US"}.get(currency, currency)
        return f"{number} {unit} {symbol}"
    symbol = {"CAD": "$", "USD": "US$"}.get(currency, currency + " ")
    return f"{symbol}{number} million"
