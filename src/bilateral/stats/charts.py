"""Trade charts as SVG, drawn on the server with matplotlib (no browser, no internet).

Each chart carries a <title> and <desc>; pages put the same numbers in a table beneath it
(the accessible text alternative).
"""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

import matplotlib.pyplot as plt
from babel.numbers import format_decimal
from matplotlib.ticker import FuncFormatter

from bilateral.profile.words import LOCALE, W

plt.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, translatable, small
plt.rcParams["svg.hashsalt"] = "bilateral"  # stable ids: the same data draws the same file

_TITLES = {
    "en": {
        "by_year": "Trade by year ({currency} millions)",
        "by_section": "Trade by HS section, {year} ({currency} millions)",
    },
    "fr": {
        "by_year": "Commerce par année (millions de {currency})",
        "by_section": "Commerce par section du SH, {year} (millions de {currency})",
    },
}
_COLOURS = {
    "exports": "#1f5f8b",
    "domestic_exports": "#1f5f8b",
    "re_exports": "#6aa2c8",
    "imports": "#b5562b",
}


def _svg(fig: Any, title: str, desc: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Title": title})
    plt.close(fig)
    svg = buffer.getvalue()
    head = svg.index(">", svg.index("<svg")) + 1
    accessible = f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    return svg[:head].replace("<svg ", '<svg role="img" ', 1) + accessible + svg[head:]


def _millions(value: float, lang: str = "en") -> str:
    return format_decimal(value / 1_000_000, format="#,##0.0", locale=LOCALE[lang])


def _axis(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: _millions(value, lang))


def by_year(rows: list[dict[str, Any]], currency: str, lang: str) -> str:
    """Grouped bars: one group per year, one bar per flow."""
    years = sorted({r["year"] for r in rows})
    flows = sorted({r["flow"] for r in rows})
    values: dict[tuple[int, str], float] = defaultdict(float)
    for r in rows:
        values[(r["year"], r["flow"])] += float(Decimal(r["value"]))
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.8 / max(len(flows), 1)
    for i, flow in enumerate(flows):
        xs = [j + i * width for j in range(len(years))]
        ax.bar(
            xs,
            [values[(y, flow)] for y in years],
            width,
            label=W[lang]["flow." + flow],
            color=_COLOURS.get(flow),
        )
    ax.set_xticks(
        [j + width * (len(flows) - 1) / 2 for j in range(len(years))], [str(y) for y in years]
    )
    ax.yaxis.set_major_formatter(_axis(lang))
    title = _TITLES[lang]["by_year"].format(currency=currency)
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    desc = "; ".join(
        f"{y} {W[lang]['flow.' + f]} {_millions(values[(y, f)], lang)}"
        for y in years
        for f in flows
    )
    return _svg(fig, title, desc)


def by_section(rows: list[dict[str, Any]], year: int, currency: str, lang: str) -> str:
    """Horizontal bars per HS section for one year, exports and imports side by side."""
    chosen = [r for r in rows if r["year"] == year]
    groups = sorted({r["group"] for r in chosen}, key=_roman_key)
    flows = sorted({r["flow"] for r in chosen})
    labels = {r["group"]: r["label"] for r in chosen}
    values = {(r["group"], r["flow"]): float(Decimal(r["value"])) for r in chosen}
    fig, ax = plt.subplots(figsize=(7, 0.32 * max(len(groups), 4) + 1))
    height = 0.8 / max(len(flows), 1)
    for i, flow in enumerate(flows):
        ys = [j + i * height for j in range(len(groups))]
        ax.barh(
            ys,
            [values.get((g, flow), 0.0) for g in groups],
            height,
            label=W[lang]["flow." + flow],
            color=_COLOURS.get(flow),
        )
    ax.set_yticks(
        [j + height * (len(flows) - 1) / 2 for j in range(len(groups))],
        [f"{g} {labels[g]}"[:40] for g in groups],
    )
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_axis(lang))
    title = _TITLES[lang]["by_section"].format(year=year, currency=currency)
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    desc = "; ".join(
        f"{g} {labels[g]}: "
        + ", ".join(
            f"{W[lang]['flow.' + f]} {_millions(values.get((g, f), 0.0), lang)}" for f in flows
        )
        for g in groups
    )
    return _svg(fig, title, desc)


_ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
]


def _roman_key(section: str) -> int:
    return _ROMAN.index(section) if section in _ROMAN else len(_ROMAN)
