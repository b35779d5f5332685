"""CLI subcommands for country pages: profile, diff, timeline (rules and events), stats."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bilateral.errors import BadInput
from bilateral.profile import render, views
from bilateral.stats.importers import FORMATS, read
from bilateral.stats.store import BY, StatsStore

JSON = dict[str, Any]


def _lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="en", choices=["en", "fr"], help="language (en or fr)")


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        help="statistics store (default $BILATERAL_STATS_DB or the user data dir)",
    )


def register(sub: Any) -> None:
    profile = sub.add_parser(
        "profile", help="a country's page on a date: relations, measures, trade, cited"
    )
    profile.add_argument("country")
    profile.add_argument("--on", required=True, help="date, YYYY-MM-DD")
    profile.add_argument("--format", default="md", choices=["md", "html", "json"])
    _lang(profile)
    _db(profile)
    profile.set_defaults(func=_profile)

    diff = sub.add_parser("diff", help="rules and events that started or ended between two dates")
    diff.add_argument("country")
    diff.add_argument("--from", dest="date_from", required=True)
    diff.add_argument("--to", dest="date_to", required=True)
    diff.add_argument("--json", action="store_true")
    _lang(diff)
    diff.set_defaults(func=_diff)

    timeline = sub.add_parser(
        "timeline", help="how a country's measures and relations changed over time"
    )
    timeline.add_argument("country")
    timeline.add_argument(
        "--kind",
        action="append",
        help=f"only these kinds ({', '.join(views.KINDS)}); repeat or comma-separate",
    )
    timeline.add_argument("--from", dest="date_from")
    timeline.add_argument("--to", dest="date_to")
    timeline.add_argument("--json", action="store_true")
    _lang(timeline)
    timeline.set_defaults(func=_timeline)

    stats = sub.add_parser(
        "stats",
        help="merchandise trade with a country; `stats import FILE` loads a statistics file",
        usage="bilateral stats C [--year Y | --from Y --to Y] [--by ...] [--flow ...] "
        "[--json|--csv]\n"
        "       bilateral stats import FILE [--format ots|comtrade|cimt]",
    )
    stats.add_argument("target", nargs="+", metavar="C", help="country, or: import FILE")
    stats.add_argument("--reporter", default="CA", help="reporting country (default Canada)")
    stats.add_argument("--year")
    stats.add_argument("--from", dest="year_from")
    stats.add_argument("--to", dest="year_to")
    stats.add_argument("--by", default="total", choices=list(BY))
    stats.add_argument(
        "--flow", action="append", help="exports, domestic_exports, re_exports, imports"
    )
    stats.add_argument("--top", type=int, help="the N largest groups of each year and flow")
    stats.add_argument(
        "--format",
        dest="file_format",
        choices=list(FORMATS),
        help="(import) file format; detected by default",
    )
    out = stats.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")
    _lang(stats)
    _db(stats)
    stats.set_defaults(func=_stats)


def _store(args: argparse.Namespace, read_only: bool) -> StatsStore:
    return StatsStore(args.db, read_only=read_only)


def _profile(args: argparse.Namespace) -> int:
    store = _store(args, read_only=True)
    try:
        page = views.profile(country=args.country, on=args.on, lang=args.lang, store=store)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(page, ensure_ascii=False, indent=2))
    elif args.format == "html":
        print(render.html(page))
    else:
        print(render.markdown(page))
    return 0


def _diff(args: argparse.Namespace) -> int:
    answer = views.diff(
        country=args.country, date_from=args.date_from, date_to=args.date_to, lang=args.lang
    )
    print(
        json.dumps(answer, ensure_ascii=False, indent=2)
        if args.json
        else render.diff_text(answer, args.lang)
    )
    return 0


def _timeline(args: argparse.Namespace) -> int:
    answer = views.timeline(
        country=args.country,
        lang=args.lang,
        kinds=args.kind,
        date_from=args.date_from,
        date_to=args.date_to,
    )
    print(
        json.dumps(answer, ensure_ascii=False, indent=2)
        if args.json
        else render.timeline_text(answer, args.lang)
    )
    return 0


def _stats(args: argparse.Namespace) -> int:
    if args.target[0] == "import":
        if len(args.target) != 2:
            raise BadInput("file", "give one file: bilateral stats import FILE")
        # the whole file is read and checked before the store is opened (or created)
        parsed = read(Path(args.target[1]), args.file_format)
        with _store(args, read_only=False) as store:
            record = store.import_parsed(parsed)
        if args.json:
            print(json.dumps(record.__dict__, ensure_ascii=False, indent=2))
        else:
            print(
                f"imported #{record.id} {record.file_name}: {record.rows} rows, {record.currency}, "
                f"{record.hs_edition}, {record.source} ({record.content_hash[:19]})"
            )
        return 0
    if len(args.target) != 1:
        raise BadInput("country", f"give one country, not {' '.join(args.target)!r}")
    if args.year and (args.year_from or args.year_to):
        raise BadInput("year", "give --year or --from/--to, not both")
    with _store(args, read_only=True) as store:
        answer = views.stats(
            country=args.target[0],
            reporter=args.reporter,
            year=args.year,
            year_from=args.year_from,
            year_to=args.year_to,
            by=args.by,
            flows=args.flow,
            top_n=args.top,
            lang=args.lang,
            store=store,
        )
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    elif args.csv:
        sys.stdout.write(render.stats_csv(answer))
    else:
        print(render.stats_text(answer, args.lang))
    return 0
