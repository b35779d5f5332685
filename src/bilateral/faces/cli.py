"""The `bilateral` command: ask the engine dated questions and read the cited answers."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bilateral.errors import BadInput, LawDataError

JSON = dict[str, Any]


# Commands answered by the engine alone: they need neither the permit office's subcommands
# nor its imports, which would cost every answer tens of milliseconds at start-up.
# `timeline` (rules and relations events) lives with the country pages: full parser.
_ENGINE_COMMANDS = frozenset({"check", "measures", "acl", "batch"})


_CHECK_KINDS = ("export", "import", "contact", "party")


def _parser(office: bool = True, words: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command's parser. Without the office, only the subcommand that ``words`` name
    (and, for ``check``, only the kind they name) is built: its own help, usage and errors
    are the same as in the full parser, and a start pays for one subcommand, not all."""
    named = words[0] if not office and words else None
    kind = words[1] if named == "check" and len(words) > 1 and words[1] in _CHECK_KINDS else None

    def want(command: str, which: str | None = None) -> bool:
        return (named is None or named == command) and (kind is None or which in (None, kind))

    parser = argparse.ArgumentParser(
        prog="bilateral",
        description="Canada's export controls, tariffs, sanctions and engagement policies "
        "as dated, cited rules.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    if want("check"):
        _add_check(sub, want)
    if want("measures"):
        measures = sub.add_parser("measures", help="measures in force for a country on a date")
        measures.add_argument("country")
        measures.add_argument("--on", required=True)
        _common(measures)
    if want("acl"):
        acl = sub.add_parser("acl", help="the Area Control List on a date")
        acl.add_argument("--on", required=True)
        _common(acl)
    if want("batch"):
        batch = sub.add_parser("batch", help="screen a file of (destination, date, hs) rows")
        batch.add_argument("input", help="CSV or Parquet with columns destination, date, hs")
        batch.add_argument("--output", required=True, help="output file (.csv or .parquet)")
        batch.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help="duckdb (one machine, default) or spark (BILATERAL_SPARK_MASTER)",
        )

    if office:
        from bilateral.faces.profile_cli import register as register_profile
        from bilateral.faces.screen_cli import register as register_screen

        register_profile(sub)  # profile, diff, timeline, stats
        register_screen(sub)
        _register_office(sub)
        _register_cfli(sub)
    return parser


def _add_check(sub: Any, want: Callable[[str, str], bool]) -> None:
    check = sub.add_parser("check", help="ask a dated question")
    kinds = check.add_subparsers(dest="kind", required=True)

    if want("check", "export"):
        export = kinds.add_parser("export", help="does this export need a permit?")
        export.add_argument("--to", required=True, help="destination (ISO code or name)")
        export.add_argument("--on", required=True, help="date, YYYY-MM-DD")
        export.add_argument("--hs", help="HS code, 2 to 10 digits")
        export.add_argument("--category", help="humanitarian category, e.g. food, medicines")
        export.add_argument("--ecl", help="Export Control List item, e.g. 1-3.a.1")
        _common(export)

    if want("check", "import"):
        imp = kinds.add_parser("import", help="which tariff treatment applies?")
        imp.add_argument("--from", dest="origin", required=True, help="country of origin")
        imp.add_argument("--on", required=True)
        imp.add_argument("--hs", required=True)
        imp.add_argument("--mfn-rate", help="MFN rate of the tariff item, percent")
        _common(imp)

    if want("check", "contact"):
        contact = kinds.add_parser("contact", help="may officials discuss this topic?")
        contact.add_argument("--with", dest="with_", required=True)
        contact.add_argument("--on", required=True)
        contact.add_argument("--topic", required=True)
        _common(contact)

    if want("check", "party"):
        party = kinds.add_parser("party", help="is this person or entity listed?")
        party.add_argument("name", nargs="?", help="a name (or give --file)")
        party.add_argument(
            "--file",
            help="names to check, one per line, or a CSV file with a 'name' column",
        )
        party.add_argument("--on", required=True)
        _common(party)
        from bilateral.faces.screen_cli import add_party_options

        add_party_options(party)


def _register_cfli(sub: Any) -> None:
    # The CFLI programme's commands; bilateral.cfli.cli imports its modules only when run.
    from bilateral.cfli.cli import register

    register(sub)


def _register_office(sub: Any) -> None:
    """The platform's commands and its applications' (``bilateral.server``)."""
    try:
        from bilateral.server import register_cli
    except ImportError:  # the permit office's extra is not installed
        return
    register_cli(sub)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--lang", default="en", choices=["en", "fr"], help="language of labels")


def _answer(args: argparse.Namespace) -> JSON:
    import gc

    # The engine's modules and the law (some thousands of objects, all kept until exit)
    # are loaded with the cyclic collector paused: it would only walk them again and
    # again while they are created (~10 ms of a command-line answer), finding no garbage;
    # then frozen, so that the first collection after loading does not walk them all.
    gc.disable()
    try:
        from bilateral.engine import checks  # imported on use: `bilateral --help` needs no law
        from bilateral.engine.law import default_law

        default_law()
        gc.freeze()  # and kept out of later collections: they live until exit
    finally:
        gc.enable()
    lang = args.lang
    if args.command == "check":
        if args.kind == "export":
            return checks.check_export(
                to=args.to, on=args.on, hs=args.hs, category=args.category, ecl=args.ecl, lang=lang
            )
        if args.kind == "import":
            return checks.check_import(
                origin=args.origin, on=args.on, hs=args.hs, mfn_rate=args.mfn_rate, lang=lang
            )
        if args.kind == "contact":
            return checks.check_contact(with_=args.with_, on=args.on, topic=args.topic, lang=lang)
        if args.name is None:
            raise BadInput(
                "name", "give a name, or --file with one name per line", "screen.name_or_file"
            )
        return checks.check_party(name=args.name, on=args.on, lang=lang)
    if args.command == "measures":
        return checks.measures(country=args.country, on=args.on, lang=lang)
    if args.command == "acl":
        return checks.area_control_list(on=args.on, lang=lang)
    return checks.timeline(country=args.country, lang=lang)


def _read_names(path: str) -> list[tuple[int, str]]:
    """(line number, name) for each name in a file: one per line, or a CSV 'name' column."""
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except OSError as error:
        raise BadInput("file", f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput("file", f"{path} is not UTF-8 text") from None
    lines = text.splitlines()
    if path.lower().endswith(".csv"):
        rows = list(csv.reader(lines))
        header = [h.strip().lower() for h in rows[0]] if rows else []
        if "name" not in header:
            raise BadInput("file", f"{path}: no 'name' column in the first line")
        column = header.index("name")
        return [
            (number, row[column])
            for number, row in enumerate(rows[1:], start=2)
            if len(row) > column and row[column].strip()
        ]
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]


def _party_file(args: argparse.Namespace) -> int:
    """Every name of a file checked in one process; all answers printed, or one error."""
    from bilateral.engine import checks
    from bilateral.faces.render import _WORDS, _colon, _yes, match_line
    from bilateral.faces.verdict import prose_dates

    if args.name is not None:
        raise BadInput("name", "give a name or --file, not both", "screen.name_and_file")
    answers = []
    for number, name in _read_names(args.file):
        try:
            answers.append(checks.check_party(name=name, on=args.on, lang=args.lang))
        except BadInput as error:
            raise BadInput(
                error.field,
                f"line {number}: {error.problem}",
                error.code,
                {**error.params, "line": number},
            ) from None
    if args.json:
        print(json.dumps(answers, ensure_ascii=False, indent=2))
        return 0
    w = _WORDS[args.lang]
    lines: list[str] = []
    caveats: dict[str, None] = {}
    for answer in answers:
        # "possibly listed" is neither yes nor no, as in a single check
        possibly = answer.get("status") == "possibly listed"
        said = w["possibly listed"] if possibly else _yes(answer["listed"], w)
        lines.append(f"{answer['name']}: {w['listed']}{_colon(args.lang)}{said}")
        lines.extend(match_line(m, args.lang) for m in answer["matches"])
        caveats.update(dict.fromkeys(answer["caveats"]))
    lines.extend(f"  ! {prose_dates(c, args.lang)}" for c in caveats)
    if answers:
        lines.append(f"({w['law']} {answers[0]['law_version']})")
    print("\n".join(lines))
    return 0


def _asks_french(words: Sequence[str]) -> bool:
    """Whether the command line asks for French (``--lang fr`` or ``--lang=fr``), read
    before argparse so that its own messages (usage, errors) are French too."""
    pairs = itertools.pairwise(words)
    return "--lang=fr" in words or any(word == "--lang" and after == "fr" for word, after in pairs)


class _NoPandas:
    """An import finder that says pandas is not installed (see ``main``)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("pandas is not used by `bilateral batch`", name=name)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        # The command itself, piped into `head`: stop quietly instead of a BrokenPipe
        # traceback. Not when called in-process (tests, other programs): there the default
        # action would kill the whole process at any write to a closed socket or pipe.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    words = list(sys.argv[1:] if argv is None else argv)
    engine_only = bool(words) and words[0] in _ENGINE_COMMANDS
    if engine_only:
        # pydantic looks for plugins in every installed package's metadata when the first
        # model class is built (~50 ms); the engine's answers validate nothing (the law
        # comes checked from the compiled-law cache), so no plugin has work here.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    parser = _parser(office=not engine_only, words=words)
    if _asks_french(words):  # usage and argparse's errors in French too
        from bilateral.faces import refusal

        with refusal.argparse_language("fr"):
            args = parser.parse_args(words)
    else:
        args = parser.parse_args(words)
    try:
        if args.command == "batch":
            if args.engine == "duckdb" and argv is None and "pandas" not in sys.modules:
                # pyarrow imports pandas, if installed, on its first pa.array() call (half
                # a second); the DuckDB batch path never uses pandas, so this process
                # (the command, not a caller of main()) tells pyarrow there is none.
                sys.meta_path.insert(0, _NoPandas())
            if args.engine == "spark":
                from bilateral.faces.spark_batch import run_spark_batch

                return run_spark_batch(args.input, args.output)
            from bilateral.faces.batch_cli import run_batch

            return run_batch(args.input, args.output)
        # Subcommands of the permit office (serve, users, audit, db, permits) bring their own.
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
        if handler is not None:
            return handler(args)
        if args.command == "check" and args.kind == "party" and args.file is not None:
            return _party_file(args)
        if args.command == "check" and args.kind == "party":
            from bilateral.faces import screen_cli

            if screen_cli.wants_fuzzy(args):
                fuzzy = screen_cli.fuzzy_party(args)
                if args.json:
                    screen_cli.print_json(fuzzy)
                else:
                    print(screen_cli.render_fuzzy(fuzzy, args.lang))
                return 0
        answer = _answer(args)
    except BadInput as error:
        said = None
        if getattr(args, "lang", "en") == "fr":
            from bilateral.faces import refusal

            said = refusal.in_french(error)
        if said is not None:
            print(f"bilateral : erreur : {said}", file=sys.stderr)
        else:
            print(f"bilateral: error: {error}", file=sys.stderr)
        return 2
    except LawDataError as error:
        print(f"bilateral: law data error: {error}", file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        from bilateral.faces.render import render

        print(render(args, answer))
    if argv is None:
        # The command itself, its answer printed: what is left is freeing the engine and
        # the law object by object (~5 ms of an answer) and no exit handler has work, so
        # the output is flushed and the process ends. Not when main() is called in-process.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
