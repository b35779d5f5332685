"""`bilateral screen …` and the fuzzy mode of `bilateral check party`.

``check party NAME --on DATE`` stays the strict check it always was (the name as the
schedule spells it, after normalisation) unless a fuzzy option is given: ``--fuzzy``,
``--threshold``, ``--use``, ``--dob``, ``--country`` or ``--id``. Strict stays the default
because its answer is a statement about the law ("this name is on Schedule 1") that needs
no threshold; the fuzzy answer is a ranked list of candidates for an analyst to review.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from bilateral.errors import BadInput
from bilateral.screening.thresholds import DEFAULT_USE, THRESHOLDS

FUZZY_OPTIONS = ("fuzzy", "threshold", "use", "dob", "country", "identifier")

_LABELS = {
    "en": {
        "party": "Party screening",
        "hits": "Possible matches",
        "none": "No listed person or entity matches at this threshold.",
        "later": "Matches not listed on this date",
        "excluded": "Ruled out by birth date",
        "lists": "Lists",
        "threshold": "threshold",
        "caveats": "Caveats",
        "restriction": "restricted",
        "decision": "decision",
    },
    "fr": {
        "party": "Filtrage d'une partie",
        "hits": "Correspondances possibles",
        "none": "Aucune personne ou entité inscrite ne correspond à ce seuil.",
        "later": "Correspondances non inscrites à cette date",
        "excluded": "Écartées par la date de naissance",
        "lists": "Listes",
        "threshold": "seuil",
        "caveats": "Mises en garde",
        "restriction": "restriction",
        "decision": "décision",
    },
}


_STATUS_FR = {
    "listed": "inscrit",
    "possibly listed": "peut-être inscrit",
    "date unknown": "date inconnue",
}


def score(text: str) -> float:
    """A ``--threshold`` as written: ``0.85`` or, as French writes it, ``0,85`` (a single
    number, so the comma is never a thousands separator)."""
    from bilateral.faces.refusal import argparse_text

    written = text.strip()
    if written.count(",") == 1 and "." not in written:
        written = written.replace(",", ".")
    try:
        value = float(written)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):  # nan, inf: not a score
        message = argparse_text("not a number between 0 and 1: '%(value)s' (e.g. 0.85)")
        raise argparse.ArgumentTypeError(message % {"value": text})
    return value


def add_party_options(party: argparse.ArgumentParser) -> None:
    group = party.add_argument_group("fuzzy screening (any of these turns it on)")
    group.add_argument("--fuzzy", action="store_true", help="score spellings, scripts, orders")
    group.add_argument("--threshold", type=score, help="alert score in (0, 1], e.g. 0.85 (or 0,85)")
    group.add_argument("--use", choices=sorted(THRESHOLDS), help="threshold for this use")
    group.add_argument("--dob", help="birth date YYYY-MM-DD or YYYY (a contradiction rules out)")
    group.add_argument("--country", help="nationality or country of the party")
    group.add_argument("--id", dest="identifier", help="passport or registration number")
    group.add_argument(
        "--party-kind", dest="party_kind", choices=["person", "organization", "any"], default="any"
    )


def wants_fuzzy(args: argparse.Namespace) -> bool:
    return any(getattr(args, name, None) for name in FUZZY_OPTIONS)


def _threshold(args: argparse.Namespace) -> float:
    if args.threshold is not None:
        if not 0.0 < args.threshold <= 1.0:
            raise BadInput(
                "threshold",
                f"{args.threshold} is not in (0, 1]",
                "screen.threshold_range",
                {"value": _number(args.threshold, getattr(args, "lang", "en"))},
            )
        return float(args.threshold)
    return THRESHOLDS[args.use or DEFAULT_USE]


def fuzzy_party(args: argparse.Namespace) -> dict[str, Any]:
    from bilateral.engine.checks import parse_date
    from bilateral.screening.caveats import coverage_caveats
    from bilateral.screening.lists._text import birth_date, country_code
    from bilateral.screening.log import record
    from bilateral.screening.screen import Query, default_index, screen

    on = parse_date(args.on)
    name = " ".join(args.name.split())
    if not name or len(name) > 300:
        raise BadInput("name", "give a name of 1 to 300 characters", "engine.name_length")
    born = None
    if args.dob:
        born = birth_date(args.dob)
        if born is None:
            raise BadInput(
                "dob",
                f"{args.dob!r} is not a date (YYYY-MM-DD or YYYY)",
                "screen.dob_malformed",
                {"value": args.dob},
            )
    countries: tuple[str, ...] = ()
    if args.country:
        code = country_code(args.country)
        if code is None:
            raise BadInput(
                "country",
                f"unknown country {args.country!r} (use an ISO code or a name)",
                "engine.country_unknown",
                {"value": args.country},
            )
        countries = (code,)
    threshold = _threshold(args)
    query = Query(
        name, on, born, countries, (args.identifier,) if args.identifier else (), args.party_kind
    )
    index = default_index()
    result = screen(index, query, threshold, lang=args.lang)
    answer: dict[str, Any] = {
        "question": "party",
        "mode": "fuzzy",
        "as_of": on.isoformat(),
        "name": name,
        "listed": bool(result.hits),
        "threshold": threshold,
        "use": args.use or (None if args.threshold is not None else DEFAULT_USE),
        "matches": [h.to_json() for h in result.hits],
        "not_listed_on_date": [h.to_json() for h in result.not_on_date],
        "ruled_out": [h.to_json() for h in result.excluded],
        "list_versions": list(result.list_versions),
        "matcher_version": result.matcher_version,
        "caveats": coverage_caveats([on], index.snapshots, args.lang),
    }
    _say_restrictions(answer, on, args.lang)
    answer["decision_id"] = record(
        answer,
        lang=args.lang,
        query_input={
            "name": name,
            "on": on.isoformat(),
            "dob": born,
            "country": countries,
            "id": args.identifier,
        },
    )
    return answer


def _say_restrictions(answer: dict[str, Any], on: Any, lang: str) -> None:
    """A hit on a list that restricts some dealings only (SOR/2014-58 Schedules 2 and 3:
    new debt or equity) says what it restricts (``restriction``), as the strict check does."""
    from bilateral.engine.law import default_law
    from bilateral.engine.party import restrictions

    limits = restrictions(default_law(), on)
    for hit in answer["matches"]:
        for cited, words in limits.items():
            if str(hit.get("reference") or "").startswith(cited + ","):
                hit["restriction"] = words.fr if lang == "fr" else words.en


def _ref(reference: str, lang: str) -> str:
    from bilateral.screening.screen import reference_fr

    return reference_fr(reference) if lang == "fr" else reference


def render_fuzzy(answer: dict[str, Any], lang: str) -> str:
    from bilateral.faces.verdict import long_date, prose_dates

    t = _LABELS.get(lang, _LABELS["en"])
    fr = lang == "fr"
    colon = " :" if fr else ":"  # French sets a space before the colon

    def num(value: float) -> str:
        text = f"{value:.2f}"
        return text.replace(".", ",") if fr else text

    def prose(text: str) -> str:  # French days as French prose writes them, never ISO
        return prose_dates(text, lang)

    day = f"le {long_date(answer['as_of'], lang)}" if fr else answer["as_of"]
    lines = [
        f"{t['party']}{colon} {answer['name']}, {day} ({t['threshold']} {num(answer['threshold'])})"
    ]
    if answer["matches"]:
        lines.append(f"{t['hits']}{colon}")
        for hit in answer["matches"]:
            status = _STATUS_FR.get(hit["status"], hit["status"]) if fr else hit["status"]
            lines.append(f"  - {num(hit['score'])}  {hit['name']}  [{status}]")
            lines.append(f"      {_ref(hit['reference'], lang)}")
            if hit.get("restriction"):  # a list that restricts some dealings only
                lines.append(f"      · {t['restriction']}{colon} {hit['restriction']}")
            for note in hit["explanation"]:
                lines.append(f"      · {prose(note)}")
    else:
        lines.append(t["none"])
    if answer["not_listed_on_date"]:
        lines.append(f"{t['later']}{colon}")
        for hit in answer["not_listed_on_date"]:
            said = prose(hit["explanation"][-1])
            lines.append(f"  - {num(hit['score'])}  {hit['name']}{colon} {said}")
    if answer["ruled_out"]:
        lines.append(f"{t['excluded']}{colon}")
        for hit in answer["ruled_out"]:
            reason = next(
                (e for e in hit["explanation"] if "contradicts" in e or "contredit" in e), ""
            )
            lines.append(
                f"  - {num(hit['features']['name'])}  {hit['name']} "
                f"({_ref(hit['reference'], lang)}){colon} {prose(reason)}"
            )
    if answer.get("caveats"):
        lines.append(f"{t['caveats']}{colon}")
        lines.extend(f"  ! {prose(caveat)}" for caveat in answer["caveats"])
    lines.append(f"{t['lists']}{colon} {', '.join(answer['list_versions'])}")
    lines.append(f"({answer['matcher_version']}; {t['decision']} {answer['decision_id']})")
    return "\n".join(lines)


def register(sub: Any) -> None:
    screen = sub.add_parser("screen", help="screen files of parties or declarations")
    kinds = screen.add_subparsers(dest="screen_kind", required=True)

    parties = kinds.add_parser("parties", help="screen a CSV/Parquet/FtM file of parties")
    parties.add_argument("input", help="CSV or Parquet with a name column, or FtM .jsonl")
    parties.add_argument("--output", required=True, help="output .csv or .parquet")
    parties.add_argument("--on", help="date for rows without a date column, YYYY-MM-DD")
    _bulk_options(parties)
    parties.set_defaults(func=_run_parties)

    declarations = kinds.add_parser("declarations", help="screen export/import declaration lines")
    declarations.add_argument("input", help="CSV or Parquet, one row per declaration line")
    declarations.add_argument("--output", required=True, help="output .csv or .parquet")
    declarations.add_argument("--office-db", help="permit office database URL, to check permits")
    _bulk_options(declarations)
    declarations.set_defaults(func=_run_declarations)

    lists = kinds.add_parser("lists", help="show, import or export screening lists")
    actions = lists.add_subparsers(dest="lists_action", required=True)
    show = actions.add_parser("show", help="the active lists and their versions")
    _lang(show)
    show.set_defaults(func=_run_lists_show)
    imp = actions.add_parser("import", help="import a list file you downloaded")
    imp.add_argument(
        "format", choices=["ofac", "un", "canada-consolidated", "ftm", "sema-regulation"]
    )
    imp.add_argument("path", help="the file (or OFAC folder)")
    _lang(imp)
    imp.set_defaults(func=_run_lists_import)
    back = actions.add_parser(
        "rollback", help="screen with the version of a list imported before the newest again"
    )
    back.add_argument("list_id", help="the list's id (see bilateral screen lists show)")
    _lang(back)
    back.set_defaults(func=_run_lists_rollback)
    export = actions.add_parser("export", help="write a list as FollowTheMoney JSON lines")
    export.add_argument("list_id")
    export.add_argument("--output", required=True)
    _lang(export)
    export.set_defaults(func=_run_lists_export)

    mark = kinds.add_parser("mark", help="mark an alert true or false positive, with a reason")
    mark.add_argument("decision", help="decision id printed with the answer")
    mark.add_argument("entry", help="list entry id (the hit's reference or id)")
    mark.add_argument("verdict", choices=["true-positive", "false-positive"])
    mark.add_argument("--reason", required=True)
    mark.add_argument("--analyst", default=os.environ.get("USER", "analyst"))
    _lang(mark)
    mark.set_defaults(func=_run_mark)


def _lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        default="en",
        choices=["en", "fr"],
        help="language of what is printed (output columns and codes stay as they are)",
    )


def _bulk_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threshold", type=score, help="alert score in (0, 1], e.g. 0.85")
    parser.add_argument("--use", choices=sorted(THRESHOLDS))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--previous",
        help="an earlier output of the same file: write only rows whose outcome changed",
    )
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    _lang(parser)


def _say(key: str, lang: str, **params: Any) -> str:
    """One line of the screening faces in the reader's language (the shared catalog's
    ``screen.*`` messages); numbers as the reader writes them."""
    from bilateral.platform import i18n

    shown = {k: _number(v, lang) if isinstance(v, int | float) else v for k, v in params.items()}
    return i18n.t(key, lang, **shown)


def _number(value: float, lang: str) -> str:
    """1234567 / 1 234 567; 0.85 / 0,85 (Babel, Canadian locales); English as Python
    writes it, which scripts read."""
    if lang != "fr":
        return str(value)
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale="fr_CA"))


def _notice(lang: str) -> Any:
    """What the screening tells in one line while it runs, in the reader's language."""

    def say(line: str) -> None:
        from bilateral.faces.refusal import reason

        print(reason(line, lang))

    return say


def _progress(lang: str = "en") -> Any:
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    )
    task = bar.add_task(_say("screen.progress", lang), total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def _run_parties(args: argparse.Namespace) -> int:
    from bilateral.engine.checks import parse_date
    from bilateral.screening.bulk import Options, screen_parties
    from bilateral.screening.screen import default_index

    lang = args.lang
    on = parse_date(args.on) if args.on else None
    options = Options(
        on=on, threshold=_threshold(args), workers=max(1, args.workers), lang=args.lang
    )
    previous = _previous(args)
    if args.engine == "spark":
        from bilateral.screening.spark import run_spark_parties

        source, target = Path(args.input), Path(args.output)
        rows, errors, hits, error_file, changed = run_spark_parties(
            source, target, options, previous
        )
        versions = default_index().versions
        _summary(rows, errors, hits, target, error_file, versions, 0, lang)
        _log_run("parties", source, options.threshold, versions, (rows, hits, errors), target,
                 lang)  # fmt: skip
        if changed is not None:
            print(_say("screen.changed", lang, count=changed, previous=previous, output=target))
        return 0
    bar, update = _progress(lang)
    if bar is not None:
        bar.start()
    try:
        report = screen_parties(
            Path(args.input), Path(args.output), default_index(), options, update, _notice(lang)
        )
    finally:
        if bar is not None:
            bar.stop()
    _summary(report.rows, report.errors, report.hits, report.output, report.error_file,
             report.list_versions, report.resumed_parts, lang)  # fmt: skip
    if report.caveats_file is not None:
        print(_say("screen.caveats", lang, path=report.caveats_file))
        for caveat in _caveats_said(report.caveats_said, lang):
            print(f"  ! {caveat}")
    _log_run("parties", Path(args.input), options.threshold, report.list_versions,
             (report.rows, report.hits, report.errors), report.output, lang)  # fmt: skip
    if previous is not None:
        from bilateral.screening.rescreen import changed_rows

        count = changed_rows(previous, report.output)
        print(_say("screen.changed", lang, count=count, previous=previous, output=report.output))
    return 0


def _caveats_said(caveats: tuple[str, ...], lang: str) -> list[str]:
    """The run's coverage caveats as its reader reads them: French citations and days as
    French prose writes them (the caveats file and the Parquet metadata keep English)."""
    if lang != "fr":
        return list(caveats)
    from bilateral.faces.verdict import french_citations, prose_dates

    return [prose_dates(french_citations(c), lang) for c in caveats]


def _previous(args: argparse.Namespace) -> Path | None:
    """``--previous``, refused before any screening if it cannot be compared with."""
    if not args.previous:
        return None
    from bilateral.screening.rescreen import check_previous

    check_previous(Path(args.previous), Path(args.output), Path(args.input))
    return Path(args.previous)


def _run_declarations(args: argparse.Namespace) -> int:
    from bilateral.screening.declarations import screen_declarations
    from bilateral.screening.screen import default_index

    lang = args.lang
    previous = _previous(args)
    parties = _declared_parties(Path(args.input), lang)
    if args.engine == "spark":
        from bilateral.screening.spark import run_spark_declarations

        source, target = Path(args.input), Path(args.output)
        rows, errors, hits, error_file, changed = run_spark_declarations(
            source, target, _threshold(args), args.office_db, previous
        )
        versions = default_index().versions
        _summary(rows, errors, hits, target, error_file, versions, 0, lang)
        _say_parties(parties, lang)
        _log_run("declarations", source, _threshold(args), versions, (rows, hits, errors),
                 target, lang)  # fmt: skip
        if changed is not None:
            print(_say("screen.changed", lang, count=changed, previous=previous, output=target))
        return 0
    bar, update = _progress(lang)
    if bar is not None:
        bar.start()
    try:
        report = screen_declarations(
            Path(args.input), Path(args.output), default_index(), _threshold(args),
            args.office_db, update, _notice(lang),
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.stop()
    _summary(report.rows, report.errors, report.hits, report.output, report.error_file,
             report.list_versions, report.resumed_parts, lang)  # fmt: skip
    _say_parties(parties, lang)
    _log_run("declarations", Path(args.input), _threshold(args), report.list_versions,
             (report.rows, report.hits, report.errors), report.output, lang)  # fmt: skip
    if previous is not None:
        from bilateral.screening.rescreen import changed_rows

        count = changed_rows(previous, report.output)
        print(_say("screen.changed", lang, count=count, previous=previous, output=report.output))
    return 0


def _declared_parties(source: Path, lang: str = "en") -> tuple[str, bool]:
    """The summary's line on the party columns of a declarations file (``_say_parties``),
    and whether no party is screened: a user must not believe parties were screened when
    none were. Read before the run; refused files are refused by the screening, in its
    words."""
    from bilateral.screening.declarations import PARTY_COLUMNS, party_columns_found

    try:
        if source.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            columns = list(pq.read_schema(source).names)
        else:
            from bilateral.screening.tabular import header

            columns = header(source)
    except (BadInput, OSError, ValueError):
        return "", False
    found, unused = party_columns_found(columns)
    unread = _say("screen.columns_unread", lang, columns=", ".join(unused)) if unused else ""
    if found:
        return _say("screen.parties_from", lang, columns=", ".join(found)) + unread, False
    roles = ", ".join(PARTY_COLUMNS)
    return _say("screen.no_party", lang, file=source.name, roles=roles) + unread, True


def _say_parties(said: tuple[str, bool], lang: str = "en") -> None:
    """The party columns' line of the summary; on stderr too when none was screened."""
    line, none = said
    if none:
        print(_say("screen.warning", lang, message=line), file=sys.stderr)
    if line:
        print(line)


def _log_run(
    kind: str,
    source: Path,
    threshold: float,
    versions: tuple[str, ...],
    counts: tuple[int, int, int],
    output: Path,
    lang: str = "en",
) -> None:
    from bilateral.screening.bulk import _hash_file
    from bilateral.screening.log import record_run

    run = record_run(kind, source, _hash_file(source), threshold, versions, counts, output)
    print(_say("screen.logged", lang, run=run))


def _summary(
    rows: int,
    errors: int,
    hits: int,
    output: Path,
    error_file: Path | None,
    versions: tuple[str, ...],
    resumed: int,
    lang: str = "en",
) -> None:
    print(_say("screen.summary", lang, rows=rows, hits=hits, errors=errors))
    print(_say("screen.output", lang, path=output))
    if error_file is not None:
        if lang == "fr":
            _reasons_in_french(error_file)
        print(_say("screen.bad_rows", lang, path=error_file))
    if resumed:
        print(_say("screen.resumed", lang, parts=resumed))
    print(_say("screen.lists", lang, versions=", ".join(versions)))


def _reasons_in_french(error_file: Path) -> None:
    """The error report of a French reader's run: each row's reason also in French, in an
    ``error_fr`` column after the English ``error`` (whose words scripts read: unchanged)."""
    import csv

    from bilateral.faces.refusal import reason

    with error_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or "error" not in rows[0] or "error_fr" in rows[0]:
        return
    at = rows[0].index("error")
    out = [[*rows[0], "error_fr"]]
    out.extend([*row, reason(row[at], "fr") if len(row) > at else ""] for row in rows[1:])
    temporary = error_file.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(out)
    temporary.replace(error_file)


def _run_lists_show(args: argparse.Namespace) -> int:
    from bilateral.screening.store import active

    for snapshot in active():
        dated = sum(1 for e in snapshot.entries if e.listed_from)
        print(_say("screen.list_line", args.lang, version=snapshot.version,
                   entries=len(snapshot.entries), dated=dated, title=snapshot.title))  # fmt: skip
        print(_say("screen.list_source", args.lang, source=snapshot.source))
    return 0


def _run_lists_import(args: argparse.Namespace) -> int:
    from bilateral.screening.lists import importers
    from bilateral.screening.store import save

    lang = args.lang
    path = Path(args.path)
    if not path.exists():
        raise BadInput(
            "path", f"no such file or folder: {path}", "screen.no_such_path", {"path": str(path)}
        )
    try:
        snapshot = importers()[args.format](path)
    except (ValueError, OSError, SyntaxError) as error:  # XML's ParseError is a SyntaxError
        raise BadInput(
            "path",
            f"{path.name}: not read as a {args.format} list ({error}); the active lists are "
            "unchanged",
            "screen.not_read_as",
            {"file": path.name, "format": args.format, "error": str(error)},
        ) from None
    if not snapshot.entries:
        # An empty import would replace, and so remove, the whole active list.
        raise BadInput(
            "path",
            f"{path.name}: no entries read as a {args.format} list (is it a {args.format} "
            "file?); nothing imported, the active lists are unchanged",
            "screen.no_entries",
            {"file": path.name, "format": args.format},
        )
    stored, change, new = save(snapshot)
    key = "screen.imported" if new else "screen.imported_same"
    print(_say(key, lang, version=snapshot.version, entries=len(snapshot.entries), path=stored))
    print(_say("screen.change", lang, added=len(change.added), removed=len(change.removed),
               changed=len(change.changed)))  # fmt: skip
    for entry in change.added[:5]:
        print(f"  + {entry.name} ({_ref(entry.reference, lang)})")
    for entry in change.removed[:5]:
        print(f"  - {entry.name} ({_ref(entry.reference, lang)})")
    for before, _after in change.changed[:5]:
        print(f"  ~ {before.name} ({_ref(before.reference, lang)})")
    return 0


def _run_lists_rollback(args: argparse.Namespace) -> int:
    from bilateral.screening.store import active, roll_back

    lang = args.lang
    aside = roll_back(args.list_id)
    now = next((s for s in active() if s.list_id == args.list_id), None)
    print(_say("screen.set_aside", lang, name=aside.name, folder=aside.parent))
    if now is None:
        print(_say("screen.no_version_left", lang, list_id=args.list_id))
    else:
        print(_say("screen.now_uses", lang, list_id=args.list_id, version=now.version,
                   entries=len(now.entries)))  # fmt: skip
    return 0


def _run_lists_export(args: argparse.Namespace) -> int:
    from bilateral.screening.lists.ftm import write_ftm
    from bilateral.screening.store import active

    for snapshot in active():
        if snapshot.list_id == args.list_id:
            count = write_ftm(snapshot, Path(args.output))
            print(_say("screen.exported", args.lang, count=count, path=args.output,
                       version=snapshot.version))  # fmt: skip
            return 0
    raise BadInput(
        "list_id",
        f"no active list {args.list_id!r} (see bilateral screen lists show)",
        "screen.no_active_list",
        {"value": args.list_id},
    )


def _run_mark(args: argparse.Namespace) -> int:
    from bilateral.screening.log import mark

    mark(args.decision, args.entry, args.verdict, args.reason, args.analyst)
    verdict = _say(f"screen.verdict.{args.verdict}", args.lang)
    print(_say("screen.marked", args.lang, entry=args.entry, decision=args.decision,
               verdict=verdict))  # fmt: skip
    return 0


def print_json(answer: dict[str, Any]) -> None:
    print(json.dumps(answer, ensure_ascii=False, indent=2, default=str))
