"""The permit office's own commands (``permits expire-due``); the shared ones (``serve``,
``users``, ``audit``, ``db``) are ``bilateral.platform.cli``."""

from __future__ import annotations

import argparse
from typing import Any

from bilateral.platform import settings as settings_mod


def _permits_expire(args: argparse.Namespace) -> int:
    from bilateral.office import services
    from bilateral.platform import db

    st = settings_mod.load()
    engine = db.make_engine(st)
    with db.write_session(db.session_factory(engine)) as s:
        done = services.expire_due(s, st.today(), actor="cli")
    print(f"{len(done)} permit(s) expired" + (": " + ", ".join(done) if done else ""))
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the permit office's subcommands to the main CLI."""
    pm = subparsers.add_parser("permits", help="permit housekeeping")
    psub = pm.add_subparsers(dest="permits_command", required=True)
    e = psub.add_parser("expire-due", help="mark permits past their validity as expired")
    e.set_defaults(func=_permits_expire)
