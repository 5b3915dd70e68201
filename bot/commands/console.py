"""``python -m bot console``: manage web console accounts.

    python -m bot console add-user --login hongxing --role organizer --org 某县委/城关镇党委/红星村党支部 \\
        --member 张建国            # asks for the password (or --password-stdin)
    python -m bot console add-user --login county --role county --org 某县委 --no-password
    python -m bot console list
    python -m bot console disable --login hongxing
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.console import accounts
from bot.console.models import ConsoleRole
from bot.db import make_engine
from bot.settings import Settings
from bot.store.service import CheckinStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add-user", help="create or update an account (ends its open sessions)")
    add.add_argument("--login", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in ConsoleRole])
    add.add_argument("--org", required=True, help="organisation id or full name path (县委/乡镇党委/党支部)")
    add.add_argument("--member", help="roster member (name or id) of that organisation linked to the account")
    add.add_argument("--name", default="", help="display name (default: the member's name or the login)")
    pw = add.add_mutually_exclusive_group()
    pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    pw.add_argument("--no-password", action="store_true", help="no password: sign in by WeChat link only")
    sub.add_parser("list", help="list the accounts")
    dis = sub.add_parser("disable", help="deactivate an account and end its sessions")
    dis.add_argument("--login", required=True)


def _password(args: argparse.Namespace) -> str | None:
    if args.no_password:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码（至少10位）: ")
    if getpass.getpass("再输入一次: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings)
    store = CheckinStore(engine, settings)
    try:
        if args.action == "add-user":
            password = _password(args)
            row = store.call_sync(
                accounts.create_account,
                login=args.login,
                role=args.role,
                org=args.org,
                password=password,
                display_name=args.name,
                member=args.member,
            )
            print(
                f"account {row.login} ({row.role}) → {row.org_name_path}"
                + (f", member {row.member_name}" if row.member_name else "")
            )
        elif args.action == "list":
            for r in store.call_sync(accounts.list_accounts):
                state = "active" if r.active else "disabled"
                print(f"{r.login}\t{r.role}\t{r.org_name_path}\t{r.member_name or '-'}\t{state}")
        else:
            if not store.call_sync(accounts.disable_account, login=args.login):
                print(f"no account {args.login}", file=sys.stderr)
                return 1
            print(f"account {args.login} disabled")
    except accounts.AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0
