"""What a screening answer cannot see: the coverage caveats of the strict party check.

Fuzzy screening scores names against the imported lists, but the lists are only as
complete as the law data: persons delisted before the consolidation the lists are read
from are not in them, Burma's schedule of persons is not held, and some sanctions regimes
are not encoded at all. The strict check (``engine/party.py``) says so on every answer;
these are the same caveats, taken from it with an empty name (so no name-specific caveat
comes along), plus what the list snapshots say of their own dates, each said once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bilateral.screening.model import Snapshot

_LISTING_DATES = "Listing dates are the in-force dates"
_LISTING_DATES_FR = (
    "Les dates d'inscription sont les dates d'entrée en vigueur des articles dans les données "
    "ponctuelles en XML de Justice Laws; un article modifié depuis l'inscription, ou daté du "
    "2016-03-18 (début de ces données), a pu être inscrit plus tôt : le filtrage avant cette "
    "date répond « peut-être inscrit »."
)


def coverage_caveats(
    dates: Iterable[dt.date], snapshots: Iterable[Snapshot], lang: str = "en"
) -> list[str]:
    """The caveats of the strict check on each of ``dates`` and the lists' notes on their
    dates, in the reader's language, without repeats and in a stable order."""
    from bilateral.engine.law import default_law
    from bilateral.engine.party import determine_party

    out: list[str] = []
    for snapshot in snapshots:
        for note in snapshot.notes:
            if "not in the" in note:
                continue  # a repealed item's name: the list's own detail, not coverage
            if lang == "fr":
                if note.startswith(_LISTING_DATES):
                    out.append(_LISTING_DATES_FR)
                continue  # other list notes exist in English only
            out.append(note)
    law = default_law()
    for on in sorted(set(dates)):
        out.extend(determine_party(law, "", on).trace.caveats_json(lang))
    return list(dict.fromkeys(out))
