"""``bilateral cfli ...``: the calls, eligibility checks, sealed records, keys and retention.

Only argparse is imported here; each command imports what it needs when it runs, so the
rest of ``bilateral`` starts as fast as before. Bad input: one line on stderr and exit 2;
call data that does not load: exit 3. Nothing printed here carries a key or a clear
sensitive value.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[argparse.Namespace], int]
_STATUS_FR = {"draft": "ébauche", "published": "publiée", "closed": "close"}
_CONFIDENCE_FR = {"verified": "vérifiée", "secondary": "secondaire", "inferred": "inférée"}


def register(sub: Any) -> None:
    """Add ``cfli`` and its subcommands to the ``bilateral`` parser."""
    cfli = sub.add_parser("cfli", help="Canada Fund for Local Initiatives: calls, checks, keys")
    cmds = cfli.add_subparsers(dest="cfli_command", required=True)

    calls = cmds.add_parser("calls", help="the calls for proposals on file")
    _common(calls)
    calls.set_defaults(func=_guard(_calls))

    call = cmds.add_parser("call", help="one call's parameters, cited or left for the officer")
    call.add_argument("id")
    call.add_argument("--version", type=int, help="version number (default: latest)")
    _common(call)
    call.set_defaults(func=_guard(_call))

    check = cmds.add_parser("check", help="is this proposal eligible for the call?")
    check.add_argument("proposal", help="proposal file (.yaml, .yml or .json)")
    check.add_argument("--call", required=True, help="call id")
    check.add_argument("--version", type=int, help="call version (default: latest)")
    check.add_argument(
        "--on", help="date of the sanctions screening, YYYY-MM-DD (default: the submission date)"
    )
    _common(check)
    check.set_defaults(func=_guard(_check))

    seal = cmds.add_parser("seal", help="encrypt a proposal's sensitive fields into a record")
    seal.add_argument("proposal")
    seal.add_argument("--output", required=True, help="sealed record file (.json)")
    _data_dir(seal)
    seal.set_defaults(func=_guard(_seal))

    from bilateral.cfli.web import cli as web_cli  # argparse only at import

    web_cli.register(cmds)

    keys = cmds.add_parser("keys", help="encryption keys of sensitive fields")
    key_cmds = keys.add_subparsers(dest="keys_command", required=True)
    status = key_cmds.add_parser("status", help="where the keys come from, by key id")
    _data_dir(status)
    status.set_defaults(func=_guard(_keys_status))
    add = key_cmds.add_parser("add", help="put a new key first in the data dir's key file")
    _data_dir(add)
    add.set_defaults(func=_guard(_keys_add))
    rotate = key_cmds.add_parser("rotate", help="re-encrypt sealed records with the newest key")
    rotate.add_argument("records", nargs="+", help="sealed record files")
    rotate.add_argument("--dry-run", action="store_true", help="say what would change")
    _data_dir(rotate)
    rotate.set_defaults(func=_guard(_keys_rotate))

    export = cmds.add_parser("export", help="sealed records as JSON, redacted unless --clear")
    export.add_argument("records", nargs="+", help="sealed record files")
    export.add_argument(
        "--clear", action="store_true", help="decrypt the sensitive fields (needs the keys)"
    )
    _data_dir(export)
    export.set_defaults(func=_guard(_export))

    purge = cmds.add_parser("purge", help="remove sensitive fields of files closed long ago")
    purge.add_argument("records", nargs="+", help="sealed record files")
    purge.add_argument("--retention-days", type=int, required=True)
    purge.add_argument("--today", help="date, YYYY-MM-DD (default: today, UTC)")
    purge.add_argument("--dry-run", action="store_true", help="say what would be purged")
    purge.set_defaults(func=_guard(_purge))


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--lang", default="en", choices=["en", "fr"], help="language")


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="data directory (default: $BILATERAL_DATA_DIR or ./bilateral-data)",
    )


def _said_in_french(error: Any) -> str | None:
    """A coded refusal (the call's, the proposal's or the engine's) in French, from the
    catalogs; None for one without a French text."""
    from bilateral.cfli import refusals

    code = str(error.code or "")
    if not code or code.startswith(refusals.INPUT):
        return None
    if code in refusals.REFUSALS:
        from bilateral.cfli.web import i18n as cfli_i18n

        return cfli_i18n.t(refusals.KEY + code, "fr", **refusals.shown(error.params, "fr"))
    from bilateral.faces import refusal

    return refusal.problem(error, "fr") if refusal.has_text(error) else None


def _guard(handler: Handler) -> Handler:
    """Bad input is one line and exit 2; call data that does not load is exit 3."""

    def run(args: argparse.Namespace) -> int:
        from bilateral.errors import BadInput, LawDataError

        try:
            return handler(args)
        except BadInput as error:
            said = _said_in_french(error) if getattr(args, "lang", "en") == "fr" else None
            if said is not None:
                print(f"bilateral : erreur : {error.field} : {said}", file=sys.stderr)
            else:
                print(f"bilateral: error: {error}", file=sys.stderr)
            return 2
        except LawDataError as error:
            print(f"bilateral: call data error: {error}", file=sys.stderr)
            return 3

    return run


def _date_option(option: str, value: str | None) -> dt.date | None:
    """The date an option gives, ``None`` if not given; not a date is bad input naming it."""
    from bilateral.errors import BadInput

    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise BadInput(option, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _calls(args: argparse.Namespace) -> int:
    from bilateral.cfli import i18n
    from bilateral.cfli.calls import bundled

    rows = []
    for call in bundled():
        v = call.latest
        rows.append(
            {
                "id": call.id,
                "version": v.version,
                "published": v.published.isoformat(),
                "status": v.status,
                "title": i18n.text(v.title, args.lang),
                "hash": call.hashes[v.version],
                "unset": v.unset(),
            }
        )
    if args.json:
        _print_json(rows)
        return 0
    for r in rows:
        print(f"{r['id']}  v{r['version']} {r['published']} {r['status']}  {r['title']}")
        if r["unset"]:
            lead = "à fixer par l'agent" if args.lang == "fr" else "for the officer to set"
            print(f"    {lead}: {', '.join(r['unset'])}")
    return 0


def _value(name: str, value: Any, lang: str) -> str:
    """A parameter's value as the reader reads it: labels, amounts and dates in their language."""
    from decimal import Decimal

    from pydantic import BaseModel

    from bilateral import countries
    from bilateral.cfli import i18n
    from bilateral.cfli.calls import (
        COST_LABELS,
        RECIPIENT_LABELS,
        THEME_LABELS,
        Amount,
        AmountRange,
        CostCategory,
        FiscalYear,
        RecipientType,
        Theme,
    )
    from bilateral.law.model import Bilingual

    if isinstance(value, Bilingual):
        return i18n.text(value, lang)
    if isinstance(value, Theme):
        return i18n.text(THEME_LABELS[value], lang)
    if isinstance(value, RecipientType):
        return i18n.text(RECIPIENT_LABELS[value], lang)
    if isinstance(value, CostCategory):
        return i18n.text(COST_LABELS[value], lang)
    if isinstance(value, Amount):
        return i18n.money(value.cad, lang)
    if isinstance(value, AmountRange):
        return f"{i18n.money(value.low, lang)} – {i18n.money(value.high, lang)}"
    if isinstance(value, FiscalYear):
        return f"{value.label} ({i18n.day(value.start, lang)} – {i18n.day(value.end, lang)})"
    if isinstance(value, Decimal):
        return i18n.percent(value, lang) if name.endswith("_percent") else i18n.number(value, lang)
    if isinstance(value, dt.date):
        return i18n.day(value, lang)
    if isinstance(value, tuple):
        if name == "countries_served":
            return ", ".join(countries.get(code).name(lang) for code in value)
        if name == "languages":
            return ", ".join(i18n.language(code, lang) for code in value)
        return "; ".join(_value(name, v, lang) for v in value) or "—"
    if isinstance(value, BaseModel):
        data = value.model_dump(mode="json")
        return ", ".join(f"{k}={v}" for k, v in data.items())
    if isinstance(value, bool):
        return ("oui" if value else "non") if lang == "fr" else ("yes" if value else "no")
    return str(value)


def _call(args: argparse.Namespace) -> int:
    from bilateral.cfli import i18n
    from bilateral.cfli.calls import Basis, bundled
    from bilateral.cfli.eligibility import PARAM_LABELS

    call = bundled().get(args.id)
    v = call.version(args.version)
    if args.json:
        _print_json(
            {
                "id": call.id,
                "hash": call.hashes[v.version],
                "sources": {k: s.model_dump() for k, s in call.sources.items()},
                **v.model_dump(mode="json"),
            }
        )
        return 0
    fr = args.lang == "fr"
    print(f"{i18n.text(v.title, args.lang)}")
    status = _STATUS_FR.get(v.status, v.status) if fr else v.status
    print(f"{call.id} v{v.version} ({v.published}, {status}) {call.hashes[v.version]}")
    for name, param in v.parameters().items():
        if param.basis is Basis.NOT_FOUND:
            shown = (
                "NON TROUVÉ — à fixer par l'agent de programme"
                if fr
                else "NOT FOUND — the programme officer must set it"
            )
        else:
            shown = _value(name, param.value, args.lang)
        if param.source:
            conf = param.confidence.value if param.confidence else ""
            cite = f"[{param.source}, {_CONFIDENCE_FR.get(conf, conf) if fr else conf}]"
        elif param.basis is Basis.OFFICER:
            cite = "[agent de programme]" if fr else "[programme officer]"
        else:
            cite = ""
        label = PARAM_LABELS.get(name)
        shown_label = i18n.text(label, args.lang) if label else name
        title = name if shown_label == name else f"{shown_label} ({name})"
        print(f"  {title}{' : ' if fr else ': '}{shown} {cite}".rstrip())
        if param.note:
            print(f"      {param.note}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from bilateral.cfli.calls import bundled
    from bilateral.cfli.eligibility import determine_eligibility
    from bilateral.cfli.proposals import load_proposal
    from bilateral.errors import BadInput

    on = _date_option("--on", args.on)
    call = bundled().get(args.call)
    proposal = load_proposal(args.proposal)
    try:
        determination = determine_eligibility(proposal, call, args.version, on)
    except BadInput as error:
        if error.field == "on":  # the option as the user typed it
            raise BadInput("--on", error.problem) from None
        raise
    if args.json:
        print(determination.redacted().model_dump_json(indent=2))
    else:
        print(determination.render(args.lang))
    return 0


def _dir(args: argparse.Namespace) -> Path:
    from bilateral.cfli.crypto import default_data_dir

    return Path(args.data_dir) if args.data_dir else default_data_dir()


def _write_json(path: Path, data: Any) -> None:
    """Whole or nothing, readable by the owner only (the record holds ciphertext)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def _read_record(path: str) -> dict[str, Any]:
    from bilateral.cfli.proposals import read_problem
    from bilateral.errors import BadInput

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(
            "record", f"{path}: cannot read a sealed record ({read_problem(error)})"
        ) from None
    except ValueError:
        raise BadInput("record", f"{path}: not a sealed record (not JSON)") from None
    if not isinstance(data, dict) or "proposal" not in data:
        raise BadInput("record", f"{path}: not a sealed record")
    return data


def _seal(args: argparse.Namespace) -> int:
    from bilateral.cfli.crypto import load_keys, seal
    from bilateral.cfli.proposals import load_proposal

    proposal = load_proposal(args.proposal)
    keys = load_keys(_dir(args))
    _write_json(Path(args.output), seal(proposal, keys))
    print(f"sealed {proposal.id} → {args.output} (key {keys.ids[0]})")
    return 0


def _keys_status(args: argparse.Namespace) -> int:
    from bilateral.cfli.crypto import load_keys

    keys = load_keys(_dir(args))
    print(f"keys from {keys.origin}, newest first: {', '.join(keys.ids)}")
    return 0


def _keys_add(args: argparse.Namespace) -> int:
    from bilateral.cfli.crypto import ENV, add_key
    from bilateral.errors import BadInput

    if os.environ.get(ENV):
        raise BadInput(ENV, "keys come from the environment: put the new key first there")
    keys = add_key(_dir(args))
    print(f"new key {keys.ids[0]} first; then run `bilateral cfli keys rotate` on every record")
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    from bilateral.cfli.crypto import load_keys, rotate_record

    keys = load_keys(_dir(args))
    # read and re-encrypt everything first: a record that cannot be decrypted stops the run
    # before any file is written
    planned = []
    for path in args.records:
        record, changed = rotate_record(_read_record(path), keys)
        planned.append((path, record, changed))
    for path, record, changed in planned:
        if changed and not args.dry_run:
            _write_json(Path(path), record)
        verb = "would re-encrypt" if args.dry_run else "re-encrypted"
        print(f"{path}: {verb} {changed} field(s) with key {keys.ids[0]}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from bilateral.cfli.crypto import export_proposal, load_keys, redact, unseal

    records = [_read_record(path) for path in args.records]
    if args.clear:
        keys = load_keys(_dir(args))
        data = [
            {**r, "proposal": export_proposal(unseal(r, keys), redacted=False)} for r in records
        ]
    else:
        data = [redact(r) for r in records]
    _print_json(data)
    return 0


def _purge(args: argparse.Namespace) -> int:
    from bilateral.cfli.crypto import purge

    today = _date_option("--today", args.today) or dt.datetime.now(dt.UTC).date()
    records = [_read_record(path) for path in args.records]
    out, report = purge(records, today, args.retention_days, dry_run=args.dry_run)
    for path, before, after in zip(args.records, records, out, strict=True):
        pid = before["proposal"]["id"]
        if pid in report.purged:
            if not args.dry_run:
                _write_json(Path(path), after)
            verb = "would purge" if args.dry_run else "purged"
            print(f"{path}: {verb} {', '.join(report.fields)}")
        else:
            print(f"{path}: kept")
    return 0
