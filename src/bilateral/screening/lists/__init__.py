"""Importers: each reads one source format into a ``Snapshot`` (see ``model.py``).

Canadian Schedule 1 lists ship with the package (generated from the Justice Laws XML by
``sema.py``); the others read a file the user downloaded (OFAC, UN, the Canadian
consolidated list, FollowTheMoney) at the time they import it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bilateral.screening.model import Snapshot


def importers() -> dict[str, Callable[[Path], Snapshot]]:
    """Source formats by the name the CLI takes (``bilateral screen lists import``)."""
    from bilateral.screening.lists import canada, ftm, ofac, sema, un

    return {
        "sema-regulation": sema.read_regulation,
        "canada-consolidated": canada.read_consolidated,
        "un": un.read_un,
        "ofac": ofac.read_ofac,
        "ftm": ftm.read_ftm,
    }
