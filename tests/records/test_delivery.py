"""Delivery of filed records and e-mail receipts: the outbox on real SQLite, a real aiohttp
intake on loopback (tests/fakes/intake.py) and a real SMTP server (aiosmtpd).

Workers run in-process (a thread with its own event loop) or as real `python -m bot deliver`
processes where a crash or two processes at once are the point.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

from bot.domain.record import DeliveryPlan, build_record
from bot.domain.routing import Answers, route
from bot.records import delivery, mail
from bot.records.delivery import Backoff, Worker
from bot.records.recipients import DeliveryConfigError, Routes
from bot.records.store import WEBHOOK, ApplicationStore
from tests.conftest import COMPLETE, ROOT, file_records, start_worker, statuses, stop_worker, wait_until
from tests.fakes.intake import intake_settings
from tests.fakes.smtp import SMTP_FROM, smtp_settings

PERSONAL = ("Mette", "Hansen", "Lars", "Nielsen", "@v.dk", "12345678", "Solgården")


@contextmanager
def worker_running(store: ApplicationStore, env: dict[str, str]) -> Iterator[Worker]:
    """An in-process worker in its own thread and event loop, stopped (gracefully) on exit."""
    worker = Worker.from_env(store, env)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(worker.run(stop))
        except BaseException as error:  # surfaced in the test below
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
        assert not errors, errors


# --- pure parts -----------------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_with_jitter_between_half_and_all():
    backoff = Backoff(base=2.0, cap=30.0)
    assert [backoff.delay(n, rng=lambda: 1.0) for n in range(1, 7)] == [2, 4, 8, 16, 30, 30]
    assert [backoff.delay(n, rng=lambda: 0.0) for n in range(1, 7)] == [1, 2, 4, 8, 15, 15]
    # With any jitter, the delay two attempts later is longer (until the cap).
    for n in range(1, 3):
        assert backoff.delay(n + 2, rng=lambda: 0.0) > backoff.delay(n, rng=lambda: 1.0)


def test_signature_is_hmac_sha256_of_the_exact_body_bytes():
    body = delivery.body_of({"reference": "SPARK-2026-000001", "workplace": "Ærø Plejecenter"})
    expected = hmac.new(b"a-secret-of-16-chars", body, hashlib.sha256).hexdigest()
    assert delivery.signature(body, b"a-secret-of-16-chars") == f"sha256={expected}"
    assert delivery.verify(body, b"a-secret-of-16-chars", f"sha256={expected}")
    assert not delivery.verify(body + b" ", b"a-secret-of-16-chars", f"sha256={expected}")
    assert "Ærø".encode() in body  # UTF-8, not \\u escapes: the intake gets readable JSON


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"RECIPIENT_SPARK_WEBHOOK_URL": "http://intake.example.org/x", "RECIPIENT_SPARK_WEBHOOK_SECRET": "s" * 32},
            "https",
        ),
        ({"RECIPIENT_SPARK_WEBHOOK_URL": "https://intake.example.org/x"}, "RECIPIENT_SPARK_WEBHOOK_SECRET"),
        (
            {"RECIPIENT_NFA_WEBHOOK_URL": "https://intake.example.org/x", "RECIPIENT_NFA_WEBHOOK_SECRET": "short"},
            "RECIPIENT_NFA_WEBHOOK_SECRET",
        ),
        (
            {"RECIPIENT_SPARK_WEBHOOK_URL": "ftp://intake.example.org/x", "RECIPIENT_SPARK_WEBHOOK_SECRET": "s" * 32},
            "http",
        ),
        ({"RECIPIENT_SPRAK_EMAIL": "a@b.dk", "SMTP_HOST": "mail"}, "names no recipient"),
        ({"RECIPIENT_SPARK_EMAIL": "not an address", "SMTP_HOST": "mail"}, "not an e-mail address"),
        ({"RECIPIENT_SPARK_EMAIL": "intake@spark.example.dk"}, "SMTP_HOST"),
    ],
)
def test_unsafe_or_mistyped_recipient_settings_are_refused(env, message):
    with pytest.raises(DeliveryConfigError, match=message):
        Routes.from_env(env)


def test_plain_http_is_allowed_to_loopback_or_when_explicitly_allowed():
    secret = {"RECIPIENT_SPARK_WEBHOOK_SECRET": "s" * 32}
    assert Routes.from_env({"RECIPIENT_SPARK_WEBHOOK_URL": "http://127.0.0.1:9/x", **secret}).plan("spark").by_webhook
    assert (
        Routes.from_env(
            {"RECIPIENT_SPARK_WEBHOOK_URL": "http://intake.svc/x", **secret, "INTAKE_WEBHOOK_ALLOW_HTTP": "true"}
        )
        .plan("spark")
        .by_webhook
    )


def test_each_recipient_has_its_own_route_and_an_unconfigured_one_gets_none():
    routes = Routes.from_env(
        {
            "RECIPIENT_CENTRAL_ARBEJDSMILJOENHED_EMAIL": "enhed@regionh.example.dk",
            "RECIPIENT_NFA_WEBHOOK_URL": "https://nfa.example.dk/in",
            "RECIPIENT_NFA_WEBHOOK_SECRET": "s" * 32,
            "SMTP_HOST": "mail.example.dk",
        }
    )
    assert routes.plan("central_arbejdsmiljoenhed") == DeliveryPlan("central_arbejdsmiljoenhed", by_email=True)
    assert routes.plan("nfa") == DeliveryPlan("nfa", by_webhook=True)
    assert not routes.plan("spark").delivers and not routes.plan("statsligt_rejsehold").delivers
    assert Routes.from_env({}).routes == {}


def test_worker_needs_something_to_do_and_a_lease_longer_than_its_timeouts(store):
    with pytest.raises(DeliveryConfigError, match="nothing to deliver"):
        Worker.from_env(store, {})
    env = {
        "RECIPIENT_SPARK_WEBHOOK_URL": "https://intake.example.org/x",
        "RECIPIENT_SPARK_WEBHOOK_SECRET": "s" * 32,
        "INTAKE_WEBHOOK_TIMEOUT": "30",
        "DELIVERY_LEASE_SECONDS": "40",
    }
    with pytest.raises(DeliveryConfigError, match="DELIVERY_LEASE_SECONDS"):
        Worker.from_env(store, env)


def test_smtp_settings_need_a_sender_and_no_clear_text_password_over_the_network():
    with pytest.raises(mail.MailConfigError, match="SMTP_FROM"):
        mail.SmtpConfig.from_env({"SMTP_HOST": "mail.example.org"})
    with pytest.raises(mail.MailConfigError, match="STARTTLS"):
        mail.SmtpConfig.from_env(
            {
                "SMTP_HOST": "mail.example.org",
                "SMTP_FROM": "a@example.org",
                "SMTP_USER": "u",
                "SMTP_PASSWORD": "p",
                "SMTP_STARTTLS": "false",
            }
        )
    config = mail.SmtpConfig.from_env({"SMTP_HOST": "mail.example.org", "SMTP_FROM": "a@example.org"})
    assert config is not None and config.starttls and config.port == 587
    assert mail.SmtpConfig.from_env({}) is None


# --- the outbox in the database ----------------------------------------------------------------


def test_concurrent_claims_never_hand_one_record_to_two_claimers(store):
    refs = file_records(store, 40)
    claimed: list[str] = []
    lock = threading.Lock()

    def claimer() -> None:
        other = ApplicationStore(store.url)  # its own engine and connections, like another process
        for _ in range(len(refs)):  # bounded: a broken claim must fail the test, not hang it
            claims = other.claim_due(WEBHOOK, time.time(), 60, 3)
            if not claims:
                return
            with lock:
                claimed.extend(c.reference for c in claims)

    threads = [threading.Thread(target=claimer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(refs)  # every record once, none twice


def test_a_lost_claim_cannot_overwrite_the_new_owner(store):
    [ref] = file_records(store, 1)
    [first] = store.claim_due(WEBHOOK, now=1000.0, lease_seconds=10, limit=5)
    assert store.claim_due(WEBHOOK, now=1005.0, lease_seconds=10, limit=5) == []  # lease held
    [second] = store.claim_due(WEBHOOK, now=1011.0, lease_seconds=10, limit=5)  # lease ran out
    assert not store.mark_failed(WEBHOOK, first, "HTTP 503", retry_at=2000.0)
    assert store.mark_done(WEBHOOK, second)
    assert statuses(store) == {ref: "delivered"}
    assert store.outbox_state(ref)["webhook"].attempts == 1


def test_an_old_database_file_is_migrated_and_a_conversation_can_then_file_twice(tmp_path, fake_intake):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the table as the first version created it: one record per conversation
        db.executescript("""
            CREATE TABLE applications (id INTEGER PRIMARY KEY AUTOINCREMENT, reference VARCHAR(40) NOT NULL UNIQUE,
              conversation_id VARCHAR(255) NOT NULL UNIQUE, created_at VARCHAR(40) NOT NULL,
              status VARCHAR(40) NOT NULL, record TEXT NOT NULL, delivery_attempts INTEGER NOT NULL,
              next_attempt_at FLOAT, last_error TEXT);
            CREATE TABLE reference_counters (series VARCHAR(40) PRIMARY KEY, value INTEGER NOT NULL);
        """)
        old = build_record(COMPLETE, route(COMPLETE), "old-conv", "rest")
        old["reference"] = "SPARK-2026-000001"
        db.execute(
            "INSERT INTO applications (reference, conversation_id, created_at, status, record, "
            "delivery_attempts) VALUES (?, ?, ?, ?, ?, 0)",
            (old["reference"], "old-conv", old["created_at"], "submitted", json.dumps(old)),
        )
        db.execute("INSERT INTO reference_counters VALUES (?, 1)", (f"SPARK-{old['created_at'][:4]}",))
    store = ApplicationStore(f"sqlite:///{path}")
    # The old record is still there under its old key; the same conversation files a second application.
    again, created = store.file(build_record(COMPLETE, route(COMPLETE), "old-conv", "rest"))
    assert not created and again["reference"] == "SPARK-2026-000001"
    second, created = store.file(
        build_record(COMPLETE, route(COMPLETE), "old-conv", "rest", application_id="b2"),
        DeliveryPlan("spark", by_webhook=True),
    )
    assert created and second["reference"] == "SPARK-2026-000002"
    assert [r["reference"] for r in store.of_conversation("old-conv")] == ["SPARK-2026-000001", "SPARK-2026-000002"]
    with worker_running(store, intake_settings(fake_intake)):
        wait_until(lambda: statuses(store)[second["reference"]] == "delivered", what="the new one delivered")
        time.sleep(0.5)
    # The old record was filed before delivery plans: it is not sent now (it keeps its status).
    assert set(fake_intake.stored) == {second["reference"]}
    assert statuses(store)["SPARK-2026-000001"] == "submitted"


# --- delivery to the intake -----------------------------------------------------------------------


def test_intake_down_then_up_delivers_every_record_once_with_a_valid_signature(store, fake_intake):
    refs = file_records(store, 5)
    fake_intake.down("503")
    with worker_running(store, intake_settings(fake_intake)):
        fake_intake.wait_for(lambda i: all(len(i.tried(ref)) >= 5 for ref in refs), timeout=30)
        # Nothing was accepted, so nothing is delivered yet; every failure is counted and kept.
        assert set(statuses(store).values()) == {"submitted"}
        state = store.outbox_state(refs[0])["webhook"]
        assert state.attempts >= 4 and state.last_error == "HTTP 503" and state.done_at is None
        fake_intake.up()
        fake_intake.wait_for(lambda i: len(i.stored) == len(refs), timeout=30)
        wait_until(lambda: set(statuses(store).values()) == {"delivered"}, what="all delivered")
        time.sleep(0.5)  # a worker that sent again would do it now
    for ref in refs:
        accepted = fake_intake.accepted(ref)
        assert len(accepted) == 1, ref  # exactly once
        assert all(a.signature_ok for a in fake_intake.tried(ref))
        assert accepted[0].record["reference"] == ref and accepted[0].record["status"] == "submitted"
        # The backoff grows: the wait after the 4th failure is longer than after the 1st.
        times = [a.at for a in fake_intake.tried(ref)]
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert gaps[3] > gaps[0], gaps
        assert min(gaps) >= 0.2 / 2 - 0.02, gaps  # never earlier than the backoff allows
        assert store.outbox_state(ref)["webhook"].last_error is None
    exported = {r["reference"]: r for r in store.export()}
    assert all(exported[ref]["status"] == "delivered" for ref in refs)


def test_connection_refused_is_retried_until_the_intake_is_back(store, fake_intake):
    refs = file_records(store, 3)
    fake_intake.down("refuse")
    with worker_running(store, intake_settings(fake_intake)):
        wait_until(
            lambda: all(store.outbox_state(r)["webhook"].attempts >= 2 for r in refs), what="two refused attempts each"
        )
        assert "ClientConnectorError" in (store.outbox_state(refs[0])["webhook"].last_error or "")
        assert fake_intake.arrivals == []
        fake_intake.up()
        wait_until(lambda: set(statuses(store).values()) == {"delivered"}, what="all delivered")
    assert sorted(fake_intake.stored) == sorted(refs)
    assert all(len(fake_intake.tried(ref)) == 1 for ref in refs)


def test_a_hanging_intake_times_out_and_is_retried(store, fake_intake):
    [ref] = file_records(store, 1)
    fake_intake.hang_seconds = 5
    fake_intake.down("hang")
    env = {**intake_settings(fake_intake), "INTAKE_WEBHOOK_TIMEOUT": "0.5"}
    with worker_running(store, env):
        wait_until(lambda: store.outbox_state(ref)["webhook"].attempts >= 1, what="a timed-out attempt")
        assert store.outbox_state(ref)["webhook"].last_error == "no reply within 0.5 s"
        fake_intake.up()
        wait_until(lambda: statuses(store)[ref] == "delivered", what="delivered")
    assert len(fake_intake.accepted(ref)) == 1


def test_interest_registrations_are_delivered_and_keep_their_status(store, fake_intake):
    state = Answers(
        sector="statslig",
        role="leder",
        interest=True,
        workplace="Skattestyrelsen",
        contact_name="Eva Holm",
        contact_email="e@s.dk",
        contact_phone="-",
        confirmed=True,
    )
    stored, _ = store.file(
        build_record(state, route(state), "state-1", "rest"), DeliveryPlan("statsligt_rejsehold", by_webhook=True)
    )
    with worker_running(store, intake_settings(fake_intake)):
        fake_intake.wait_for(lambda i: stored["reference"] in i.stored)
        assert fake_intake.accepted(stored["reference"], "statsligt_rejsehold")
        wait_until(
            lambda: store.outbox_state(stored["reference"])["webhook"].done_at is not None, what="delivery recorded"
        )
    assert statuses(store) == {stored["reference"]: "interest_registered"}


def test_logs_name_references_and_never_personal_data(store, fake_intake, fake_smtp, caplog):
    refs = file_records(store, 2)
    fake_intake.down("503")
    fake_smtp.refusing = True
    caplog.set_level(logging.DEBUG, logger="bot")
    with worker_running(store, {**intake_settings(fake_intake), **smtp_settings(fake_smtp)}):
        wait_until(
            lambda: (
                store.outbox_state(refs[0])["receipt"].attempts >= 1
                and store.outbox_state(refs[0])["webhook"].attempts >= 1
            ),
            what="failures",
        )
        fake_intake.up()
        fake_smtp.refusing = False
        wait_until(
            lambda: (
                all(store.outbox_state(r)["receipt"].done_at for r in refs)
                and set(statuses(store).values()) == {"delivered"}
            ),
            what="all done",
        )
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert refs[0] in logged and "failed" in logged
    assert not [word for word in PERSONAL if word in logged]
    stored_errors = [store.outbox_state(r)[o].last_error or "" for r in refs for o in ("webhook", "receipt")]
    assert not [word for word in PERSONAL for e in stored_errors if word in e]


def test_database_errors_are_logged_without_the_statement_parameters():
    import sqlalchemy as sa

    error = sa.exc.IntegrityError(
        "UPDATE applications SET record=?",
        ('{"name": "Mette Hansen"}',),
        sqlite3.IntegrityError("UNIQUE constraint failed: applications.reference"),
    )
    assert "Mette" in str(error)  # what SQLAlchemy itself would print
    assert delivery._safe(error) == "IntegrityError: UNIQUE constraint failed: applications.reference"
    assert delivery._safe(KeyError("Mette Hansen")) == "KeyError"


# --- crashes and several workers (real processes) ------------------------------------------------


@pytest.mark.slow
def test_records_filed_while_no_worker_runs_are_all_delivered_once_when_one_starts(store, fake_intake, tmp_path):
    refs = file_records(store, 8)
    worker = start_worker(store.url, intake_settings(fake_intake), tmp_path / "worker.log")
    try:
        fake_intake.wait_for(lambda i: len(i.stored) == len(refs), timeout=60)
        wait_until(lambda: set(statuses(store).values()) == {"delivered"}, what="all delivered")
    finally:
        stop_worker(worker)
    assert worker.returncode == 0
    assert all(len(fake_intake.tried(ref)) == 1 for ref in refs)
    log = (tmp_path / "worker.log").read_text()
    assert "8 webhook(s) pending" in log
    assert not [word for word in PERSONAL if word in log]


@pytest.mark.slow
def test_a_worker_killed_mid_delivery_loses_nothing(store, fake_intake, tmp_path):
    refs = file_records(store, 12)
    settings = {**intake_settings(fake_intake), "DELIVERY_LEASE_SECONDS": "4"}
    fake_intake.up(delay=1.0)  # slow, so the kill lands while requests are in flight
    first = start_worker(store.url, settings, tmp_path / "first.log")
    fake_intake.wait_for(lambda i: len(i.arrivals) >= 1 or i.stored, timeout=60)
    time.sleep(0.3)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    held = [r for r in refs if store.outbox_state(r)["webhook"].claimed]
    assert held, "the kill should have left claimed records behind"
    fake_intake.up(delay=0.0)
    second = start_worker(store.url, settings, tmp_path / "second.log")
    try:
        fake_intake.wait_for(lambda i: len(i.stored) == len(refs), timeout=60)
        wait_until(lambda: set(statuses(store).values()) == {"delivered"}, what="all delivered")
    finally:
        stop_worker(second)
    assert sorted(fake_intake.stored) == sorted(refs)  # every record arrived, stored once per key
    for ref in refs:
        tried = fake_intake.tried(ref)
        assert all(a.signature_ok and a.key == ref for a in tried)
        assert len(tried) <= 2  # at most the interrupted attempt and one more, same Idempotency-Key
    assert all(len(fake_intake.tried(ref)) == 1 for ref in refs if ref not in held)


@pytest.mark.slow
def test_two_workers_at_once_never_deliver_one_record_twice(store, fake_intake, tmp_path):
    store.engine  # create the file before both workers open it
    fake_intake.up(delay=0.15)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [start_worker(store.url, intake_settings(fake_intake), log) for log in logs]
    try:
        wait_until(
            lambda: all(log.exists() and "delivery worker started" in log.read_text() for log in logs),
            timeout=60,
            what="both workers started",
        )
        refs = file_records(store, 60)
        fake_intake.wait_for(lambda i: len(i.stored) == len(refs), timeout=90)
        wait_until(lambda: set(statuses(store).values()) == {"delivered"}, what="all delivered")
        time.sleep(1.0)  # a duplicate would arrive now
    finally:
        for worker in workers:
            stop_worker(worker)
    assert [len(fake_intake.tried(ref)) for ref in refs] == [1] * len(refs)
    delivered_by = [
        {
            line.split("webhook for ")[1].split()[0]
            for line in log.read_text().splitlines()
            if " webhook for " in line and " done " in line
        }
        for log in logs
    ]
    assert delivered_by[0].isdisjoint(delivered_by[1])
    assert delivered_by[0] | delivered_by[1] == set(refs)
    assert delivered_by[0] and delivered_by[1], "both workers should have delivered some"


# --- receipts ---------------------------------------------------------------------------------------


def test_receipt_reaches_both_contacts_once_in_danish_as_plain_text(store, fake_smtp):
    [ref] = file_records(
        store, 1, workplace="<script>alert('x')</script> & <b>Solgården</b>", rep_name="Lars <i>Nielsen</i>"
    )
    env = smtp_settings(fake_smtp)
    with worker_running(store, env):
        fake_smtp.wait_for(lambda s: len(s.received) == 1)
        wait_until(lambda: store.outbox_state(ref)["receipt"].done_at is not None, what="receipt recorded")
    with worker_running(store, env):  # a restart sends nothing again
        time.sleep(1.0)
    [mail] = fake_smtp.received
    assert sorted(mail.recipients) == ["l@v.dk", "m@v.dk"] and mail.mail_from == SMTP_FROM
    message = mail.message
    assert not message.is_multipart() and message.get_content_type() == "text/plain"
    assert ref in message["Subject"] and "Kvittering" in message["Subject"] and "registreret" in message["Subject"]
    body = message.get_content()
    # Registered, and sent on only because this record's plan delivers it (nothing promised for SPARK).
    assert f"registreret i Arbejdsmiljøguiden med referencen {ref}. Arbejdsmiljøguiden sender den til SPARK." in body
    assert "modtaget" not in body and "kontakter jer" not in body
    assert "Tema: Risiko for vold og trusler fra borgere, brugere eller beboere" in body
    # User text stays text: no HTML part, nothing in a header, shown exactly as typed.
    assert "Arbejdsplads: <script>alert('x')</script> & <b>Solgården</b>" in body
    assert "<" not in str(message["Subject"]) + str(message["To"])
    assert "+45" not in body and "vold\n" not in body  # no phone numbers, no problem description
    assert store.outbox_state(ref)["receipt"].attempts == 1


def test_a_receipt_for_a_record_nobody_delivers_gives_the_real_route_and_every_answer(store, fake_smtp):
    [ref] = file_records(store, 1, by_webhook=False)
    with worker_running(store, smtp_settings(fake_smtp)):
        fake_smtp.wait_for(lambda s: len(s.received) == 1)
    body = fake_smtp.received[0].message.get_content()
    assert "Arbejdsmiljøguiden sender den ikke videre. I søger selv via ansøgningsskemaet på sparkweb.dk." in body
    assert "sender den til" not in body
    assert "Beskrivelse: vold" in body and "Leder: Mette Hansen, m@v.dk, +45 12345678" in body


def test_receipt_is_retried_while_the_smtp_server_refuses_and_then_sent_once(store, fake_smtp):
    [ref] = file_records(store, 1)
    fake_smtp.refusing = True
    with worker_running(store, smtp_settings(fake_smtp)):
        wait_until(lambda: store.outbox_state(ref)["receipt"].attempts >= 2, what="refused twice")
        assert store.outbox_state(ref)["receipt"].last_error == "SMTPDataError 451"
        fake_smtp.refusing = False
        fake_smtp.wait_for(lambda s: len(s.received) == 1)
        wait_until(lambda: store.outbox_state(ref)["receipt"].done_at is not None, what="receipt recorded")
        time.sleep(0.5)
    assert len(fake_smtp.received) == 1


def test_old_records_get_no_receipt(store, fake_smtp):
    from datetime import datetime, timedelta, timezone

    a = COMPLETE
    old = build_record(a, route(a), "long-ago", "rest", now=datetime.now(timezone.utc) - timedelta(days=30))
    store.file(old)
    [fresh] = file_records(store, 1)
    with worker_running(store, smtp_settings(fake_smtp)):
        fake_smtp.wait_for(lambda s: len(s.received) == 1)
        time.sleep(0.5)
    assert [fresh in str(m.message["Subject"]) for m in fake_smtp.received] == [True]


# --- the command line -------------------------------------------------------------------------------


def test_redeliver_sends_again_with_the_same_idempotency_key_and_show_prints_the_status(
    store, fake_intake, monkeypatch, capsys
):
    from bot.cli import main

    [ref] = file_records(store, 1)
    settings = intake_settings(fake_intake)
    with worker_running(store, settings):
        wait_until(lambda: statuses(store)[ref] == "delivered", what="delivered")
    for name, value in settings.items():
        monkeypatch.setenv(name, value)

    assert main(["applications", "--db", store.url, "redeliver", ref]) == 0
    assert "leveret igen" in capsys.readouterr().out
    tried = fake_intake.tried(ref)
    assert [a.key for a in tried] == [ref, ref] and all(a.signature_ok for a in tried)
    assert tried[0].body == tried[1].body  # the same record, byte for byte

    assert main(["applications", "--db", store.url, "show", ref]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "delivered"
    assert "Modtager: spark; leveres af denne installation: webhook" in err
    assert "Levering til modtageren (webhook): sendt" in err and "(2 forsøg)" in err
    assert main(["applications", "--db", store.url, "redeliver", "SPARK-1999-000404"]) == 1


def test_redeliver_without_an_intake_queues_the_record_for_the_worker(store, fake_intake, monkeypatch, capsys):
    from bot.cli import main

    [ref] = file_records(store, 1)
    with worker_running(store, intake_settings(fake_intake)):
        wait_until(lambda: statuses(store)[ref] == "delivered", what="delivered")
    monkeypatch.delenv("RECIPIENT_SPARK_WEBHOOK_URL", raising=False)
    assert main(["applications", "--db", store.url, "redeliver", ref]) == 0
    assert "sat i kø" in capsys.readouterr().out
    assert main(["applications", "--db", store.url, "show", ref]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "submitted" and "(webhook): ikke sendt endnu" in err
    with worker_running(store, intake_settings(fake_intake)):
        wait_until(lambda: statuses(store)[ref] == "delivered", what="delivered again")
    assert len(fake_intake.accepted(ref)) == 2 and len(fake_intake.stored) == 1


def test_deliver_command_refuses_to_start_without_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECIPIENT_", "SMTP_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "deliver", "--db", f"sqlite:///{tmp_path}/a.db"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "RECIPIENT_" in result.stderr
