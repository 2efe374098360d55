"""Command line: `python -m bot applications export`, `python -m bot build-spacy DIR`, ..."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence


def _applications(args: argparse.Namespace) -> int:
    from bot.records import ApplicationStore

    store = ApplicationStore(args.db)
    if args.command == "export":
        for record in store.export():
            print(json.dumps(record, ensure_ascii=False))
        return 0
    if args.command == "show":
        record = store.get(args.reference)
        if record is None:
            print(f"Ingen ansøgning med reference {args.reference}.", file=sys.stderr)
            return 1
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    if args.command == "delete":
        if not store.delete(args.reference):
            print(f"Ingen ansøgning med reference {args.reference}.", file=sys.stderr)
            return 1
        print(f"Ansøgning {args.reference} er slettet.")
        return 0
    raise AssertionError(args.command)


def _build_spacy(args: argparse.Namespace) -> int:
    from bot.spacy_pipeline import build

    path = build(args.target)
    print(f"Dansk spaCy-pipeline gemt i {path}")
    return 0


def _run(args: argparse.Namespace) -> int:
    import os

    from bot.stack import PROJECT_ROOT, Stack

    token = os.environ.get("RASA_API_TOKEN") or None
    stack = Stack(run_dir=PROJECT_ROOT / "var", rasa_port=args.port, action_port=args.action_port,
                  api_token=token)
    print("Starter Arbejdsmiljøguiden (action server og Rasa server) ... det tager op til et minut.")
    stack.start()
    print(f"""
Arbejdsmiljøguiden kører.
  Rasa (REST):   {stack.rasa_url}/webhooks/rest/webhook
  HTTP-API:      {"slået til (kræver token)" if token else "slået fra"}
  Logfiler:      var/*.log
Tal med botten i terminalen:  make shell   (i et andet vindue)
Stop med Ctrl-C.""", flush=True)
    return stack.wait()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot", description="Arbejdsmiljøguiden")
    sub = root.add_subparsers(dest="group", required=True)

    apps = sub.add_parser("applications", help="list and manage filed application records")
    apps.add_argument("--db", default=None, help="SQLAlchemy URL (default: APPLICATIONS_DB_URL or var/applications.db)")
    apps_sub = apps.add_subparsers(dest="command", required=True)
    apps_sub.add_parser("export", help="every record as one JSON object per line, newest last")
    for name, text in (("show", "one record"), ("delete", "delete one record")):
        cmd = apps_sub.add_parser(name, help=text)
        cmd.add_argument("reference")
    apps.set_defaults(func=_applications)

    spacy_cmd = sub.add_parser("build-spacy", help="build the Danish spaCy pipeline into a folder")
    spacy_cmd.add_argument("target")
    spacy_cmd.set_defaults(func=_build_spacy)
    run = sub.add_parser("run", help="start the action server and the Rasa server")
    run.add_argument("--port", type=int, default=5005)
    run.add_argument("--action-port", type=int, default=5055)
    run.set_defaults(func=_run)
    return root


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
