"""Command line: `python -m bot run`, `shell`, `train`, `deliver`, `applications export`, `purge`, `build-spacy`.

Installed as the console script `arbejdsmiljoguiden` too (pyproject.toml).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Optional, Sequence

if TYPE_CHECKING:  # imported lazily at run time: the CLI starts fast
    from pathlib import Path

    from bot.records.store import ApplicationStore


def _applications(args: argparse.Namespace) -> int:

    from bot.records.store import ApplicationStore

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
        _print_outbox_state(store, args.reference)
        return 0
    if args.command == "redeliver":
        return _redeliver(store, args.reference)
    if args.command == "delete":
        if not store.delete(args.reference):
            print(f"Ingen ansøgning med reference {args.reference}.", file=sys.stderr)
            return 1
        print(f"Ansøgning {args.reference} er slettet.")
        return 0
    raise AssertionError(args.command)


# --- Delivery (bot/records/delivery.py) ---------------------------------------------------------


def _print_outbox_state(store: ApplicationStore, reference: str) -> None:
    """The delivery plan and each outbox's state, on stderr so stdout stays the record's JSON."""
    import datetime as dt

    def when(epoch: float) -> str:
        return dt.datetime.fromtimestamp(epoch).strftime("%d.%m.%Y kl. %H:%M:%S")

    plan = store.plan_of(reference)
    means = [name for name, on in (("webhook", plan and plan.by_webhook), ("e-mail", plan and plan.by_email)) if on]
    recipient = (plan.recipient if plan else "") or "ukendt"
    print(
        f"Modtager: {recipient}; leveres af denne installation: {' og '.join(means) if means else 'nej'}",
        file=sys.stderr,
    )
    state = store.outbox_state(reference) or {}
    for name, label, planned in (
        ("webhook", "Levering til modtageren (webhook)", "webhook" in means),
        ("email", "Levering til modtageren (e-mail)", "e-mail" in means),
        ("receipt", "Kvittering på e-mail", True),
    ):
        s = state[name]
        if not planned:
            continue
        if s.done_at:
            text = f"sendt {s.done_at} ({s.attempts} forsøg)"
        elif s.attempts == 0 and not s.claimed:
            text = "ikke sendt endnu"
        else:
            text = f"ikke sendt endnu, {s.attempts} forsøg"
            if s.claimed:
                text += ", sendes nu"
            elif s.next_attempt_at:
                text += f", næste forsøg {when(s.next_attempt_at)}"
            if s.last_error:
                text += f", sidste fejl: {s.last_error}"
        print(f"{label}: {text}", file=sys.stderr)


def _redeliver(store: ApplicationStore, reference: str) -> int:
    import asyncio
    import os

    from bot.records.delivery import DeliveryConfigError, Worker

    plan = store.plan_of(reference)
    if plan is None or not store.request_redelivery(reference):
        print(f"Ingen ansøgning med reference {reference}.", file=sys.stderr)
        return 1
    if not plan.delivers:
        print(
            f"Ansøgning {reference} blev ikke leveret af denne installation, da den blev registreret "
            f"(modtageren {plan.recipient or 'ukendt'} var ikke sat op), så den sendes ikke nu heller."
        )
        return 0
    from bot.records.recipients import Routes

    try:
        routes_now = Routes.from_env(os.environ)
        worker = Worker.from_env(store, os.environ) if routes_now.route(plan.recipient) else None
    except DeliveryConfigError as error:
        print(f"Fejl i opsætningen: {error}", file=sys.stderr)
        return 2
    if worker is None:
        print(
            f"Ansøgning {reference} er sat i kø og sendes til {plan.recipient}, når modtageren er sat op "
            "(RECIPIENT_…) og leveringen kører (python -m bot deliver)."
        )
        return 0
    outcomes = asyncio.run(worker.deliver_now(reference))
    if not outcomes:
        print(f"Ansøgning {reference} er sat i kø; leveringen er i gang med den.")
    elif all(outcome.ok for outcome in outcomes.values()):
        print(f"Ansøgning {reference} er leveret igen ({', '.join(outcomes)}).")
    else:
        failed = ", ".join(f"{name}: {o.error}" for name, o in outcomes.items() if not o.ok)
        print(f"Ansøgning {reference} kunne ikke leveres lige nu ({failed}). Leveringen prøver igen automatisk.")
    return 0


def _deliver(args: argparse.Namespace) -> int:
    import asyncio
    import logging
    import os
    import signal

    from bot.records.delivery import DeliveryConfigError, Worker
    from bot.records.store import ApplicationStore

    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        worker = Worker.from_env(ApplicationStore(args.db), os.environ)
    except DeliveryConfigError as error:
        print(f"Leveringen kan ikke starte: {error}", file=sys.stderr)
        return 2

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await worker.run(stop)

    asyncio.run(run())
    return 0


# --- Privacy (bot/records/conversations.py) -----------------------------------------------------------


def _purge(args: argparse.Namespace) -> int:
    """Delete conversations whose last event is older than --older-than days from the tracker store."""
    from pathlib import Path

    from bot.records.conversations import PROJECT_ROOT, make_engine, purge, tracker_store_url

    if args.older_than < 0:
        print("--older-than skal være 0 eller flere dage.", file=sys.stderr)
        return 2
    url = args.db_url or tracker_store_url(Path(args.endpoints) if args.endpoints else PROJECT_ROOT / "endpoints.yml")
    engine = make_engine(url)
    try:
        result = purge(engine, args.older_than)
    finally:
        engine.dispose()
    print(
        f"Slettede {result.conversations} samtaler ({result.events} hændelser), "
        f"hvis seneste besked var mere end {args.older_than:g} dage gammel."
    )
    return 0


def _build_spacy(args: argparse.Namespace) -> int:
    from bot.nlu.spacy_pipeline import build

    path = build(args.target)
    print(f"Dansk spaCy-pipeline gemt i {path}")
    return 0


def _train(args: argparse.Namespace) -> int:
    """Rasa's `rasa train` on this project's files, without the known harmless warnings."""
    from bot.server.rasa_server import run_rasa

    arguments = [
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        args.out,
        "--quiet",
    ]
    if args.fixed_model_name:
        arguments += ["--fixed-model-name", args.fixed_model_name]
    try:
        run_rasa(arguments, patched=False)
    except SystemExit as stop:  # Rasa's command line ends with sys.exit on failure
        return int(stop.code or 0) if not isinstance(stop.code, str) else 1
    return 0


def _shell(args: argparse.Namespace) -> int:
    from bot.server import shell

    return shell.main()


def _run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from bot.channels.credentials import CHAT_PATH
    from bot.server.stack import DEFAULT_INTERFACE, PROJECT_ROOT, Stack

    # Everything the bot starts listens on loopback unless RASA_INTERFACE (the Rasa server) or
    # ACTION_SERVER_INTERFACE (the action server, bot/server/action_server.py) says otherwise.
    interface = (os.environ.get("RASA_INTERFACE") or "").strip() or DEFAULT_INTERFACE
    if args.profile == "production":  # scale-out: PostgreSQL, Redis, several Rasa instances
        from bot.server import production

        return production.run(args.port, args.action_port, args.instances, interface=interface)
    token = os.environ.get("RASA_API_TOKEN") or None
    # Generated files and logs in a run folder per instance (two instances from one checkout, on
    # other ports, never share them); the databases in the data folder, shared.
    data_dir = Path(args.data_dir).resolve() if args.data_dir else PROJECT_ROOT / "var"
    stack = Stack(
        run_dir=PROJECT_ROOT / "var" / f"run-{args.port}",
        data_dir=data_dir,
        rasa_port=args.port,
        action_port=args.action_port,
        api_token=token,
        interface=interface,
    )
    logs = f"{_shown(stack.run_dir)}/*.log"
    problem = _unusable_settings()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    print("Starter Arbejdsmiljøguiden (action server og Rasa server) ... det tager op til et minut.")
    stack.start()
    from bot.records.conversations import retention_days, start_retention  # conversations inactive too long are deleted

    start_retention(stack.run_dir / "endpoints.yml", retention_days())
    if (os.environ.get("LOG_LEVEL") or "INFO").upper() == "DEBUG":
        print(
            f"ADVARSEL: LOG_LEVEL=DEBUG. Rasa skriver så alt, hvad brugerne skriver, i {logs}. "
            "Brug det aldrig med rigtige samtaler.",
            file=sys.stderr,
            flush=True,
        )
    print(
        f"""
Arbejdsmiljøguiden kører.
  Chat i browseren:  {stack.rasa_url}{CHAT_PATH}
  Rasa (REST):       {stack.rasa_url}/webhooks/rest/webhook
  HTTP-API:          {"slået til (kræver token)" if token else "slået fra"}
  Levering:          {_delivery_line(dict(os.environ), stack.run_dir)}
  Logfiler:          {logs}
  Databaser:         {_shown(stack.databases)}
Tal med botten i terminalen:  make shell   (i et andet vindue)
Stop med Ctrl-C.""",
        flush=True,
    )
    return stack.wait()


def _unusable_settings() -> Optional[str]:
    """Why the bot must not start (an applications database it cannot write, delivery settings that
    cannot work), or None. Said before anything starts, not on the first filing."""
    import os

    from bot.records.recipients import DeliveryConfigError, Routes
    from bot.records.store import ApplicationStore

    try:
        Routes.from_env(os.environ)
    except DeliveryConfigError as error:
        return f"Leveringen er sat forkert op, så botten starter ikke: {error}"
    try:
        ApplicationStore().check_writable()
    except Exception as error:  # noqa: BLE001 - any failure means the same thing to the user
        return (
            "Ansøgningsdatabasen kan ikke bruges, så botten starter ikke (ansøgninger ville ikke kunne "
            f"gemmes): {type(error).__name__}: {error}. Ret APPLICATIONS_DB eller APPLICATIONS_DB_URL."
        )
    return None


def _delivery_line(env: dict[str, str], run_dir: "Path") -> str:
    """Which recipients this installation delivers to, in one line for the start banner."""
    from bot.records.recipients import Routes

    routes = sorted(Routes.from_env(env).routes)
    receipts = "kvitteringer på e-mail" if (env.get("SMTP_HOST") or "").strip() else "ingen kvitteringer"
    if not routes:
        return (
            f"sender ikke til nogen modtager (sæt RECIPIENT_…, se .env.example); {receipts}. "
            "Brugerne får vist, hvordan de selv søger."
        )
    return f"sender til {', '.join(routes)} ({_shown(run_dir)}/delivery.log); {receipts}"


def _shown(path: "Path") -> str:
    """A path as the user can type it: relative to the checkout when inside it."""
    from bot.server.stack import PROJECT_ROOT

    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot", description="Arbejdsmiljøguiden (also: arbejdsmiljoguiden)")
    sub = root.add_subparsers(dest="group", required=True)

    apps = sub.add_parser("applications", help="list and manage filed application records")
    apps.add_argument("--db", default=None, help="SQLAlchemy URL (default: APPLICATIONS_DB_URL or var/applications.db)")
    apps_sub = apps.add_subparsers(dest="command", required=True)
    apps_sub.add_parser("export", help="every record as one JSON object per line, newest last")
    for name, text in (
        ("show", "one record (delivery and receipt state on stderr)"),
        ("delete", "delete one record"),
        ("redeliver", "deliver one record to its recipient again (same Idempotency-Key)"),
    ):
        cmd = apps_sub.add_parser(name, help=text)
        cmd.add_argument("reference")
    apps.set_defaults(func=_applications)

    deliver = sub.add_parser(
        "deliver",
        help="deliver filed records to their recipients (RECIPIENT_…) and "
        "send e-mail receipts (SMTP_HOST), until stopped",
    )
    deliver.add_argument(
        "--db", default=None, help="SQLAlchemy URL (default: APPLICATIONS_DB_URL or var/applications.db)"
    )
    deliver.set_defaults(func=_deliver)

    purge_cmd = sub.add_parser(
        "purge",
        help="delete conversations whose last message is older than DAYS from the tracker store (SQLite or PostgreSQL)",
    )
    purge_cmd.add_argument("--older-than", type=float, required=True, metavar="DAYS")
    purge_cmd.add_argument(
        "--endpoints", default=None, help="the endpoints file whose tracker store to purge (default: endpoints.yml)"
    )
    purge_cmd.add_argument("--db-url", default=None, help="SQLAlchemy URL of the tracker store (overrides --endpoints)")
    purge_cmd.set_defaults(func=_purge)

    train = sub.add_parser("train", help="train the model (rasa train on config.yml, domain.yml and data/)")
    train.add_argument("--out", default="models", help="folder for the model (default: models)")
    train.add_argument("--fixed-model-name", default=None, help="file name of the model, without .tar.gz")
    train.set_defaults(func=_train)

    shell_cmd = sub.add_parser(
        "shell",
        help="talk to the bot in the terminal (its own Rasa server on a free port; "
        "the running bot's action server if there is one)",
    )
    shell_cmd.set_defaults(func=_shell)

    spacy_cmd = sub.add_parser("build-spacy", help="build the Danish spaCy pipeline into a folder")
    spacy_cmd.add_argument("target")
    spacy_cmd.set_defaults(func=_build_spacy)
    run = sub.add_parser("run", help="start the action server and the Rasa server")
    run.add_argument("--port", type=int, default=5005)
    run.add_argument("--action-port", type=int, default=5055)
    run.add_argument(
        "--data-dir",
        default=None,
        help="folder of the SQLite databases (default: var/); generated files and logs go to "
        "var/run-<port>/ whatever this says",
    )
    run.add_argument(
        "--profile",
        choices=("embedded", "production"),
        default="embedded",
        help="embedded: SQLite, one Rasa server (default); production: PostgreSQL and Redis "
        "from DB_*/REDIS_*/APPLICATIONS_DB_URL, see endpoints.production.yml",
    )
    run.add_argument(
        "--instances", type=int, default=2, help="production profile: how many Rasa servers, on --port, --port+1, ..."
    )
    run.set_defaults(func=_run)
    return root


def main(argv: Optional[Sequence[str]] = None) -> int:
    from bot.server.quiet import silence_known_warnings

    silence_known_warnings()
    args = parser().parse_args(argv)
    return args.func(args)
