"""The shared command-line commands: ``serve``, ``users …``, ``audit …``, ``db upgrade``.

``register(subparsers, server)`` adds them to an argparse parser; ``server`` names the
composition root (``bilateral.server``), whose ``create_app(settings, engine=…)`` and
``build()`` ``serve`` runs and which installs the applications (so that ``users create``
knows every role and ``db upgrade`` every migration). Applications add their own commands
(the permit office: ``permits expire-due``).
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
from pathlib import Path
from typing import Any

from bilateral.platform import settings as settings_mod


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bilateral.platform import db

    root = importlib.import_module(SERVER)
    st = settings_mod.load()
    host = args.host or st.host
    port = args.port or st.port
    engine = db.make_engine(st)
    if st.is_sqlite or args.upgrade:
        db.upgrade(st, engine=engine)
    elif db.current_revision(engine) is None:
        print("database has no schema: run `bilateral db upgrade` first", file=sys.stderr)
        return 2
    if st.is_postgresql:
        problem = db.connection_problem(engine, st, args.workers)
        if problem:
            print(problem, file=sys.stderr)
            return 2
    from sqlalchemy import func, select

    from bilateral.platform.models import User

    with db.session_factory(engine)() as s:
        n_users = s.execute(select(func.count(User.id))).scalar_one()
    if not n_users:
        print(
            "no accounts yet: create one with\n"
            "  bilateral users create admin --role admin\n"
            "  bilateral users create alice --role applicant --org 'Example Exports Ltd'\n"
            "(each prints its API token and password once)",
            flush=True,
        )
    where = st.database_url if not st.is_postgresql else "PostgreSQL"
    print(f"bilateral (permit office) on http://{host}:{port}/  (database: {where})", flush=True)
    st.ensure_session_key()  # once, before any worker starts
    if args.workers > 1:
        engine.dispose()
        uvicorn.run(
            f"{SERVER}:build",
            factory=True,
            workers=args.workers,
            # on a busy machine a starting worker (importing the app) may not answer the
            # supervisor's health check within uvicorn's 5 s: it was killed and restarted
            # for ever, and the server never served
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            host=host,
            port=port,
            log_level=args.log_level,
            access_log=args.access_log,
        )
        return 0
    app = root.create_app(st, engine=engine)
    uvicorn.run(app, host=host, port=port, log_level=args.log_level, access_log=args.access_log)
    return 0


def _users_create(args: argparse.Namespace) -> int:
    from bilateral.platform import accounts, db

    st = settings_mod.load()
    engine = db.make_engine(st)
    if st.is_sqlite:
        db.upgrade(st, engine=engine)
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif args.ask_password:
        password = getpass.getpass("password: ")
    # the password policy (NIST SP 800-63B) and the user-name rule are checked by
    # accounts.create_user: one line naming the field, exit 2
    try:
        with db.write_session(db.session_factory(engine)) as s:
            _u, token, generated = accounts.create_user(
                s, args.name, args.role, args.org, password, actor="cli"
            )
    except accounts.OfficeError as e:
        from bilateral.platform.i18n import t

        print(f"{e.field}: {t('err.' + e.code, **e.params)}", file=sys.stderr)
        return 2
    print(f"user {args.name} ({args.role}{', ' + args.org if args.org else ''}) created")
    print(f"API token (shown once): {token}")
    if generated:
        print(f"password (shown once): {generated}")
    return 0


def _users_session(args: argparse.Namespace) -> Any:
    from bilateral.platform import db

    st = settings_mod.load()
    engine = db.make_engine(st)
    if st.is_sqlite:
        db.upgrade(st, engine=engine)
    return db.session_factory(engine)


def _office_error(e: Exception) -> int:
    from bilateral.platform.accounts import OfficeError
    from bilateral.platform.i18n import t

    assert isinstance(e, OfficeError)
    print(f"{e.field}: {t('err.' + e.code, **e.params)}", file=sys.stderr)
    return 2


def _users_set_active(args: argparse.Namespace, active: bool) -> int:
    from bilateral.platform import accounts, db

    try:
        with db.write_session(_users_session(args)) as s:
            u = accounts.user_by_name(s, args.name)
            accounts.set_user_active(s, accounts.CLI_ACTOR, u.id, active)
    except accounts.OfficeError as e:
        return _office_error(e)
    if active:
        print(f"user {args.name} reactivated (issue a token: bilateral users token {args.name})")
    else:
        print(f"user {args.name} deactivated; every API token of it revoked")
    return 0


def _users_deactivate(args: argparse.Namespace) -> int:
    return _users_set_active(args, False)


def _users_reactivate(args: argparse.Namespace) -> int:
    return _users_set_active(args, True)


def _users_token(args: argparse.Namespace) -> int:
    from bilateral.platform import accounts, db

    try:
        with db.write_session(_users_session(args)) as s:
            u = accounts.user_by_name(s, args.name)
            row, token = accounts.new_user_token(s, accounts.CLI_ACTOR, u.id)
            token_id = row.id
    except accounts.OfficeError as e:
        return _office_error(e)
    print(f"new API token {token_id} for {args.name} (shown once): {token}")
    return 0


def _users_revoke(args: argparse.Namespace) -> int:
    from bilateral.platform import accounts, db

    try:
        with db.write_session(_users_session(args)) as s:
            accounts.revoke_token(s, accounts.CLI_ACTOR, args.token_id)
    except accounts.OfficeError as e:
        return _office_error(e)
    print(f"token {args.token_id} revoked")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from bilateral.platform.models import ApiToken, Organisation, User

    with _users_session(args)() as s:
        live = (
            select(ApiToken.user_id, func.count(ApiToken.id).label("n"))
            .where(~ApiToken.revoked)
            .group_by(ApiToken.user_id)
            .subquery()
        )
        rows = s.execute(
            select(User.id, User.username, User.role, User.active, Organisation.name, live.c.n)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .outerjoin(live, live.c.user_id == User.id)
            .order_by(User.id)
        ).all()
    print(f"{'id':>4}  {'username':<20} {'role':<10} {'status':<11} {'tokens':>6}  organisation")
    for r in rows:
        status = "active" if r.active else "deactivated"
        org = r.name or ""
        print(f"{r.id:>4}  {r.username:<20} {r.role:<10} {status:<11} {r.n or 0:>6}  {org}")
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    """The hash chain, the balances and shipments against it, and (``--checkpoints``) the
    signed checkpoints kept outside the database."""
    import os

    from bilateral.platform import audit, db

    st = settings_mod.load()
    engine = db.make_engine(st)
    ok = True
    with db.session_factory(engine)() as s:
        v = audit.verify(s)
        print(v.line())
        ok = v.ok
        problems = audit.reconcile(s)
        if problems:
            ok = False
            print(f"balances BROKEN: {len(problems)} disagreement(s) with the audit chain")
            for p in problems[:50]:
                print("  " + p)
        else:
            print("balances OK: every application's records agree with the audit chain")
        if args.checkpoints is not None:
            path = Path(args.checkpoints) if args.checkpoints else st.audit_checkpoints
            try:
                pub = audit.public_key(os.environ)
            except ValueError as e:
                print(str(e), file=sys.stderr)
                return 2
            if pub is None:
                print(
                    f"checkpoints: set {audit.PUBLIC_KEY_ENV} (or {audit.KEY_ENV})",
                    file=sys.stderr,
                )
                return 2
            cps = audit.load_checkpoints(path)
            if not cps:
                print(f"checkpoints BROKEN: none in {path}")
                return 1
            bad = audit.verify_checkpoints(s, pub, cps)
            if bad:
                ok = False
                print(f"checkpoints BROKEN: {bad[0]}")
                for p in bad[1:10]:
                    print("  " + p)
            else:
                print(f"checkpoints OK: {len(cps)} signed, last at entry {cps[-1]['last_id']}")
    return 0 if ok else 1


def _audit_checkpoint(args: argparse.Namespace) -> int:
    import os

    from bilateral.platform import audit, db

    st = settings_mod.load()
    try:
        key = audit.signing_key(os.environ)
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 2
    if key is None:
        print(f"{audit.KEY_ENV}: not set (bilateral audit keygen makes one)", file=sys.stderr)
        return 2
    engine = db.make_engine(st)
    with db.session_factory(engine)() as s:
        c = audit.write_checkpoint(s, key, st.audit_checkpoints)
    if c is None:
        print(f"no new entries since the last checkpoint ({st.audit_checkpoints})")
    else:
        print(f"checkpoint {c['seq']}: entry {c['last_id']} signed into {st.audit_checkpoints}")
    return 0


def _audit_export(args: argparse.Namespace) -> int:
    """The checkpoints and the public key as one JSON document (for an auditor)."""
    import json
    import os

    from bilateral.platform import audit

    st = settings_mod.load()
    pub = audit.public_key(os.environ)
    doc = {
        "public_key": audit.public_key_b64(pub) if pub else None,
        "checkpoints": audit.read_checkpoints(st.audit_checkpoints),
    }
    text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def _audit_keygen(args: argparse.Namespace) -> int:
    from bilateral.platform import audit

    private, public = audit.new_signing_key()
    print(f"{audit.KEY_ENV}={private}")
    print(f"{audit.PUBLIC_KEY_ENV}={public}")
    print("# keep the signing key secret (server environment); give auditors the public key")
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from bilateral.platform import db

    st = settings_mod.load()
    db.upgrade(st, args.revision)
    engine = db.make_engine(st)
    print(f"database at revision {db.current_revision(engine)}")
    return 0


SERVER = "bilateral.server"  # the composition root: see register()
WORKER_HEALTHCHECK_S = 60  # seconds a worker process may take to answer (``--workers N``)


def register(subparsers: argparse._SubParsersAction[Any], server: str = SERVER) -> None:
    """Add the shared subcommands to the main CLI; ``server`` is the composition root."""
    global SERVER
    SERVER = server
    p = subparsers.add_parser(
        "serve", help="run the permit office and the other applications (web UI and JSON API)"
    )
    p.add_argument("--host", default=None, help="default 127.0.0.1 (BILATERAL_HOST)")
    p.add_argument("--port", type=int, default=None, help="default 8000 (BILATERAL_PORT)")
    p.add_argument("--upgrade", action="store_true", help="apply migrations first (PostgreSQL)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--log-level", default="info")
    p.add_argument("--no-access-log", dest="access_log", action="store_false")
    p.set_defaults(func=_serve)

    users = subparsers.add_parser("users", help="manage accounts (every application)")
    us = users.add_subparsers(dest="users_command", required=True)
    c = us.add_parser("create", help="create an account and print its API token once")
    c.add_argument("name")
    c.add_argument(
        "--role", required=True, help="a registered role: admin, auditor or an application's"
    )
    c.add_argument("--org", default=None, help="organisation (required for applicants)")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    g.add_argument("--ask-password", action="store_true", help="prompt for the password")
    c.set_defaults(func=_users_create)
    ls = us.add_parser("list", help="accounts with role, status and live token count")
    ls.set_defaults(func=_users_list)
    de = us.add_parser("deactivate", help="deactivate an account and revoke its API tokens")
    de.add_argument("name")
    de.set_defaults(func=_users_deactivate)
    re_ = us.add_parser("reactivate", help="reactivate an account (it then needs a new token)")
    re_.add_argument("name")
    re_.set_defaults(func=_users_reactivate)
    tk = us.add_parser("token", help="issue a new API token for an account; printed once")
    tk.add_argument("name")
    tk.set_defaults(func=_users_token)
    rv = us.add_parser("revoke-token", help="revoke one API token by its id")
    rv.add_argument("token_id", type=int)
    rv.set_defaults(func=_users_revoke)

    a = subparsers.add_parser("audit", help="the audit log (every application)")
    asub = a.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser(
        "verify",
        help="recompute the hash chain and each application's balances; report what disagrees",
    )
    v.add_argument(
        "--checkpoints",
        nargs="?",
        const="",
        default=None,
        metavar="FILE",
        help="also check the signed checkpoints (default file: BILATERAL_AUDIT_CHECKPOINTS)",
    )
    v.set_defaults(func=_audit_verify)
    cp = asub.add_parser("checkpoint", help="sign the audit head into the checkpoint file")
    cp.set_defaults(func=_audit_checkpoint)
    ex = asub.add_parser("export", help="the checkpoints and public key as one JSON document")
    ex.add_argument("--out", help="write to this file instead of standard output")
    ex.set_defaults(func=_audit_export)
    kg = asub.add_parser("keygen", help="print a new Ed25519 key pair for checkpoints")
    kg.set_defaults(func=_audit_keygen)

    d = subparsers.add_parser("db", help="the database (every application)")
    dsub = d.add_subparsers(dest="db_command", required=True)
    u = dsub.add_parser("upgrade", help="apply schema migrations (Alembic)")
    u.add_argument("revision", nargs="?", default="head")
    u.set_defaults(func=_db_upgrade)


def main(argv: list[str] | None = None, server: str = SERVER) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {server}")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub, server)
    args = parser.parse_args(argv)
    rc: int = args.func(args)
    return rc
