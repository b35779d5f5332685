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
import re
from collections.abc import Iterable

from bilateral.screening.model import Snapshot

_LISTING_DATES = "Listing dates are the in-force dates"
# A schedule whose earliest version in the point-in-time data is another day (sema.py).
_SCHEDULE_DATES = re.compile(
    r"^Listing dates of (?P<instrument>SOR/[\d-]+) Schedule (?P<number>[\d.]+) are the "
    r"in-force dates .* in force from (?P<version>\d{4}-\d{2}-\d{2}),"
)
# The UN list's entries of one regime, shipped with the package (lists/un.py).
_SHIPPED_PART = re.compile(r"^Only the list's (\w+) entries ship .* before (\S+) are not in it\.$")
_REGIMES_FR = {"DPRK": "RPDC"}
_SHIPPED_PART_FR = (
    "Seules les inscriptions {regime} de la liste sont fournies avec le logiciel; importez la "
    "liste entière avec « bilateral screen lists import un FICHIER » pour filtrer sur "
    "toute la liste. Les personnes radiées avant le {day} n'y figurent pas."
)
_SCHEDULE_DATES_FR = (
    "Les dates d'inscription de l'annexe {number} du {instrument} sont les dates d'entrée en "
    "vigueur de ses articles dans les données ponctuelles en XML de Justice Laws; l'annexe "
    "dans sa forme actuelle est en vigueur depuis le {version} : un article daté de ce jour, "
    "ou modifié depuis, a pu être inscrit plus tôt, et le filtrage avant cette date répond "
    "« peut-être inscrit »."
)
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
                elif found := _SHIPPED_PART.match(note):
                    regime = _REGIMES_FR.get(found[1], found[1])
                    out.append(_SHIPPED_PART_FR.format(regime=regime, day=found[2]))
                elif found := _SCHEDULE_DATES.match(note):
                    instrument = found["instrument"].replace("SOR/", "DORS/")
                    out.append(
                        _SCHEDULE_DATES_FR.format(
                            number=found["number"], instrument=instrument, version=found["version"]
                        )
                    )
                continue  # other list notes exist in English only
            out.append(note)
    law = default_law()
    for on in sorted(set(dates)):
        out.extend(determine_party(law, "", on).trace.caveats_json(lang))
    return list(dict.fromkeys(out))
