"""``bilateral cfli db …``: the CFLI application's database (settings as for ``bilateral
serve``: ``BILATERAL_DATABASE_URL``, ``BILATERAL_DATA_DIR``; run ``bilateral db upgrade``
first). Only argparse is imported at start; each command imports what it needs.

    bilateral cfli db upgrade                               # platform + CFLI migrations
    bilateral cfli db sync                                  # load the call files
    bilateral cfli db staff USER --mission warsaw           # a programme officer's mission
    bilateral cfli db purge --retention-days N [--dry-run] [--today YYYY-MM-DD]
    bilateral cfli db rotate-keys [--dry-run]               # after `cfli keys add`
    bilateral cfli db facts --country BY --fy 2026-27 [--lang fr]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(cmds: Any) -> None:
    d = cmds.add_parser("db", help="the CFLI application's database (calls, staff, retention)")
    sub = d.add_subparsers(dest="cfli_db_command", required=True)
    up = sub.add_parser("upgrade", help="migrate the database: the platform's and CFLI's tables")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_upgrade)
    sync = sub.add_parser("sync", help="load the call files into the database")
    sync.set_defaults(func=_run(_sync))
    staff = sub.add_parser("staff", help="make a programme officer staff of a mission")
    staff.add_argument("username")
    staff.add_argument("--mission", required=True, help="mission code, e.g. warsaw")
    staff.set_defaults(func=_run(_staff))
    purge = sub.add_parser("purge", help="remove sensitive fields of files closed long ago")
    purge.add_argument("--retention-days", type=int, required=True)
    purge.add_argument("--today", help="YYYY-MM-DD (default: today)")
    purge.add_argument("--dry-run", action="store_true")
    purge.set_defaults(func=_run(_purge))
    rot = sub.add_parser("rotate-keys", help="re-encrypt every sealed value with the newest key")
    rot.add_argument("--dry-run", action="store_true")
    rot.set_defaults(func=_run(_rotate))
    facts = sub.add_parser("facts", help="CFLI: N projects, CAD X in FY (for a country page)")
    facts.add_argument("--country", required=True)
    facts.add_argument("--fy", required=True, help="fiscal year, e.g. 2026-27")
    facts.add_argument("--lang", choices=("en", "fr"), default="en")
    facts.set_defaults(func=_run(_facts))


def _run(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        from bilateral.cfli.web.shared import OfficeError, platform_db, platform_settings

        settings = platform_settings.load()
        engine = platform_db.make_engine(settings)
        try:
            with platform_db.write_session(platform_db.session_factory(engine)) as s:
                out: int = handler(args, s, settings)
                if getattr(args, "dry_run", False):
                    s.rollback()
                return out
        except OfficeError as e:
            detail = e.params.get("detail") or e.code
            print(f"bilateral: error: {e.field or 'cfli'}: {detail}", file=sys.stderr)
            return 2
        finally:
            engine.dispose()

    return run


def _upgrade(args: argparse.Namespace) -> int:
    from bilateral.cfli.web import upgrade
    from bilateral.cfli.web.shared import platform_db, platform_settings

    settings = platform_settings.load()
    upgrade(settings, args.revision)
    engine = platform_db.make_engine(settings)
    try:
        print(f"database at revision {platform_db.current_revision(engine)}")
    finally:
        engine.dispose()
    return 0


def _sync(args: argparse.Namespace, s: Any, settings: Any) -> int:
    from bilateral.cfli.web import services as sv

    added = sv.sync_calls(s)
    print(f"{len(added)} call version(s) loaded: {', '.join(added) or 'none'}")
    return 0


def _staff(args: argparse.Namespace, s: Any, settings: Any) -> int:
    from sqlalchemy import select

    from bilateral.cfli.web import services as sv
    from bilateral.cfli.web.shared import OfficeError, User

    user = s.execute(select(User).where(User.username == args.username)).scalar_one_or_none()
    if user is None:
        raise OfficeError(422, "cfli_no_user", "username", detail="no such user")
    if user.role != sv.OFFICER:
        raise OfficeError(422, "cfli_not_role", "username", detail=f"not a {sv.OFFICER}")
    sv.add_staff(s, user, args.mission.strip().lower())
    print(f"{args.username} is staff of mission {args.mission.strip().lower()}")
    return 0


def _purge(args: argparse.Namespace, s: Any, settings: Any) -> int:
    import datetime as dt

    from bilateral.cfli.web import services as sv
    from bilateral.cfli.web.shared import OfficeError

    try:
        today = dt.date.fromisoformat(args.today) if args.today else settings.today()
    except ValueError:
        raise OfficeError(422, "cfli_date", "--today", detail="not a date (YYYY-MM-DD)") from None
    refs = sv.purge(s, today, args.retention_days, args.dry_run, settings.data_dir)
    verb = "would purge" if args.dry_run else "purged"
    print(f"{verb} {len(refs)} file(s): {', '.join(refs) or 'none'}")
    return 0


def _rotate(args: argparse.Namespace, s: Any, settings: Any) -> int:
    from bilateral.cfli import crypto
    from bilateral.cfli.web import services as sv

    keys = crypto.load_keys(settings.data_dir)
    n = sv.rotate_keys(s, keys, dry_run=args.dry_run)
    n += sv.rotate_documents(s, keys, settings.data_dir, dry_run=args.dry_run)
    verb = "would re-encrypt" if args.dry_run else "re-encrypted"
    print(f"{verb} {n} sealed value(s) under key {keys.ids[0]}")
    return 0


def _facts(args: argparse.Namespace, s: Any, settings: Any) -> int:
    from bilateral.cfli.web import services as sv

    print(sv.country_line(s, args.country.upper(), args.fy, args.lang))
    return 0
