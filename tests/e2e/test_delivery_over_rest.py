"""Delivery on the real stack: a conversation over REST ends with its record at the intake
endpoint and a receipt in the mailbox, while the filing reply never waited for either.

The shared stack's delivery worker (a third process) points at the session's fake intake
(tests/fakes/intake.py) and SMTP server (tests/fakes/smtp.py) through `stack_env`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, texts
from tests.fakes.intake import intake_settings

pytestmark = pytest.mark.e2e

LEADER, REP = "mette.hansen@vejle.dk", "lars.nielsen@vejle.dk"


def cli(running_bot, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "APPLICATIONS_DB": str(running_bot.stack.run_dir / "applications.db"),
                   **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", "applications", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_filed_record_reaches_the_intake_and_both_contacts_get_a_receipt_without_the_user_waiting(
        running_bot, stack_intake, stack_smtp):
    sender = "e2e-delivery-1"
    running_bot.conversation(sender, [
        "Hej",
        "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne",
        "kun vores egen arbejdsplads",
        "det er vores TRIO",
        "ja det passer",
        "ja, vi er enige",
        "ja det er vi klar til",
        "Plejecenter Solgården",
        "Mette Hansen",
        LEADER,
        "tlf 20 30 40 50",
        "Lars Nielsen",
        "han er tillidsrepræsentant",
        REP,
        "+45 22 33 44 55",
    ])

    # The intake hangs far longer than a reply may take: a filing that waited would show it.
    stack_intake.hang_seconds = 30
    stack_intake.down("hang")
    try:
        started = time.monotonic()
        filed = texts(running_bot.say(sender, "ja, send den"))
        elapsed = time.monotonic() - started
        [record] = running_bot.records_of(sender)
        reference = record["reference"]
        assert f"Jeres reference er {reference}" in filed
        assert "kvittering på e-mail" in filed  # SMTP is configured on this stack
        assert elapsed < 15, f"the filing reply took {elapsed:.1f} s"
        assert record["status"] == "submitted" and not stack_intake.accepted(reference)
    finally:
        stack_intake.up()

    stack_intake.wait_for(lambda i: reference in i.stored, timeout=90)
    [arrival] = stack_intake.accepted(reference)
    assert arrival.signature_ok and arrival.record["conversation_id"] == "rest:" + sender
    assert arrival.record["contacts"]["leader"]["email"] == LEADER

    deadline = time.monotonic() + 30
    while [r["status"] for r in running_bot.export() if r["reference"] == reference] != ["delivered"]:
        assert time.monotonic() < deadline, "the record's status never became delivered"
        time.sleep(0.2)

    stack_smtp.wait_for(lambda s: len(s.about(reference)) == 1, timeout=60)
    time.sleep(1.0)  # a second receipt would come now
    [mail] = stack_smtp.about(reference)
    assert sorted(mail.recipients) == sorted([LEADER, REP])
    body = mail.message.get_content()
    assert mail.message.get_content_type() == "text/plain"
    assert f"Jeres reference er {reference}." in body and "Arbejdsplads: Plejecenter Solgården" in body
    assert "Hvad sker der nu?" in body

    shown = cli(running_bot, "show", reference)
    assert shown.returncode == 0 and json.loads(shown.stdout)["status"] == "delivered"
    assert "Levering til modtageren: leveret" in shown.stderr and "Kvittering på e-mail: sendt" in shown.stderr

    again = cli(running_bot, "redeliver", reference, env=intake_settings(stack_intake))
    assert again.returncode == 0, again.stderr
    stack_intake.wait_for(lambda i: len(i.accepted(reference)) == 2, timeout=60)
    assert {a.key for a in stack_intake.tried(reference)} == {reference}
    assert len(stack_smtp.about(reference)) == 1  # redelivery sends no second receipt
