"""Every recipient kind gets its own records, exactly once, by e-mail and by the signed webhook; the user
is told the truth at each step (issue: honest filing).

A stack of its own (the shared one configures no recipient but the interest list): SPARK, the provider
NFA, the central unit in Region Hovedstaden and the state's interest list each have an intake e-mail
address (a real SMTP server, aiosmtpd) and a webhook (a local fake intake, one path per recipient);
the other providers have none. Conversations over REST; records through the export command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Iterator

import pytest

from bot.server.stack import Stack, free_port
from tests.conftest import ROOT, RunningBot, texts
from tests.fakes.intake import FakeIntake, intake_settings
from tests.fakes.smtp import FakeSmtp, smtp_settings

pytestmark = pytest.mark.e2e

CONFIGURED = ("spark", "nfa", "central_arbejdsmiljoenhed", "statsligt_rejsehold")
CONTACTS = [
    "Mette Hansen",
    "mette.hansen@example.dk",
    "20 30 40 50",
    "Lars Nielsen",
    "TR",
    "lars.nielsen@example.dk",
    "spring over",
]
CONVERSATIONS = {
    "spark": [
        "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne",
        "kun vores egen arbejdsplads",
        "det er vores TRIO",
        "ja det passer",
        "ja, vi er enige",
        "ja det er vi klar til",
        "Plejecenter Solgården",
        *CONTACTS,
    ],
    "nfa": [
        "jeg er AMR på hospitalet i Randers",
        "patienterne er truende og vi har haft flere episoder med vold",
        "ja",
        "ja vi er enige",
        "ja det er vi klar til",
        "vi vil gerne have NFA",
        "Akutmodtagelsen",
        *CONTACTS,
    ],
    "central_arbejdsmiljoenhed": [
        "Jeg er TR på Hvidovre Hospital, og vores afdelinger skal lægges sammen",
        "ja det passer",
        "ja, vi er enige",
        "Afdeling for Hjertesygdomme",
        *CONTACTS,
    ],
    "statsligt_rejsehold": [
        "Jeg er TR i Skattestyrelsen",
        "ja tak",
        "Skattestyrelsen, Ringkøbing",
        "Eva Holm",
        "eva.holm@example.dk",
        "spring over",
    ],
}
WORDS = {  # what the recipient gets, by name, in the user's words
    "spark": ("ansøgning", "SPARK"),
    "nfa": ("ansøgning", "Det Nationale Forskningscenter for Arbejdsmiljø (NFA)"),
    "central_arbejdsmiljoenhed": ("henvendelse", "Den centrale arbejdsmiljøenhed i Region Hovedstaden"),
    "statsligt_rejsehold": ("interesseregistrering", "rejseholdets interesseliste"),
}


def address(code: str) -> str:
    return f"{code.replace('_', '-')}@intake.example.dk"


@pytest.fixture(scope="module")
def delivering(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningBot, FakeIntake, FakeSmtp]]:
    with FakeIntake() as intake, FakeSmtp() as smtp:
        env = {
            **intake_settings(intake, CONFIGURED),
            **smtp_settings(smtp),
            **{f"RECIPIENT_{code.upper()}_EMAIL": address(code) for code in CONFIGURED},
        }
        stack = Stack(
            run_dir=tmp_path_factory.mktemp("recipients"),
            rasa_port=free_port(),
            action_port=free_port(),
            api_token="test-token-" + os.urandom(6).hex(),
            env=env,
        )
        stack.start()
        try:
            yield RunningBot(stack), intake, smtp
        finally:
            stack.stop()


def file(bot: RunningBot, code: str, sender: str) -> tuple[str, dict]:
    bot.conversation(sender, CONVERSATIONS[code])
    said = texts(bot.say(sender, "ja"))
    [record] = bot.records_of(sender)
    return said, record


def test_each_recipient_gets_its_own_records_once_by_email_and_by_webhook(delivering):
    bot, intake, smtp = delivering
    filed = {code: file(bot, code, f"e2e-recipient-{code}") for code in CONFIGURED}
    for code, (said, record) in filed.items():
        reference = record["reference"]
        noun, name = WORDS[code]
        assert record["recipient"] == code
        assert f"registreret jeres {noun} med referencen {reference}" in said
        assert name in said and "sender" in said and "sender den ikke videre" not in said
        # (wait_for returns before the next turn of the loop: binding the loop's values is for ruff's B023)
        intake.wait_for(lambda i, reference=reference: i.accepted(reference), timeout=90)
        smtp.wait_for(
            lambda s, reference=reference, code=code: any(
                reference in str(m.message["Subject"]) for m in s.to(address(code))
            ),
            timeout=90,
        )
    time.sleep(1.5)  # a duplicate would arrive now
    for code, (_, record) in filed.items():
        reference = record["reference"]
        [arrival] = intake.accepted(reference)
        assert arrival.recipient == code and arrival.signature_ok  # its own recipient, exactly once
        assert arrival.record["reference"] == reference and arrival.record["conversation_id"].startswith("rest:")
        [mail] = [m for m in smtp.to(address(code)) if reference in str(m.message["Subject"])]
        assert mail.recipients == (address(code),)
        attachment = next(part for part in mail.message.iter_attachments())
        assert json.loads(attachment.get_content())["reference"] == reference
        assert "Arbejdsplads:" in mail.message.get_body(("plain",)).get_content()
        for other in CONFIGURED:  # and nowhere else
            if other != code:
                assert not [m for m in smtp.to(address(other)) if reference in str(m.message["Subject"])]
    statuses = {r["reference"]: r["status"] for r in bot.export()}
    deadline = time.monotonic() + 30
    while any(
        statuses[r["reference"]] != ("interest_registered" if c == "statsligt_rejsehold" else "delivered")
        for c, (_, r) in filed.items()
    ):
        assert time.monotonic() < deadline, statuses
        time.sleep(0.3)
        statuses = {r["reference"]: r["status"] for r in bot.export()}


def test_a_provider_nobody_configured_is_named_honestly_with_the_route(delivering):
    bot, intake, smtp = delivering
    sender = "e2e-recipient-ruc"
    script = [*CONVERSATIONS["nfa"]]
    script[script.index("vi vil gerne have NFA")] = "vi vil gerne have RUC"
    bot.conversation(sender, script)
    said = texts(bot.say(sender, "ja"))
    [record] = bot.records_of(sender)
    assert record["recipient"] == "ruc" and "sender den ikke videre" in said
    assert "henvender jer selv direkte til udbyderen" in said and "sendt" not in said
    time.sleep(1.5)
    assert not intake.tried(record["reference"])
    assert not [
        m
        for m in smtp.received
        if record["reference"] in str(m.message["Subject"]) and "Kvittering" not in str(m.message["Subject"])
    ]


def test_the_filing_reply_never_waits_for_the_recipient_and_status_tells_when_it_arrived(delivering):
    bot, intake, _ = delivering
    sender = "e2e-recipient-slow"
    bot.conversation(sender, CONVERSATIONS["spark"])
    intake.hang_seconds = 30
    intake.down("hang")
    try:
        started = time.monotonic()
        said = texts(bot.say(sender, "ja"))
        assert time.monotonic() - started < 15
        [record] = bot.records_of(sender)
        reference = record["reference"]
        assert "Jeg sender ansøgningen til SPARK nu" in said
        status = texts(bot.say(sender, "status"))
        assert f"referencen {reference} er registreret" in status and "ikke kommet frem til SPARK endnu" in status
    finally:
        intake.up()
    intake.wait_for(lambda i: i.accepted(reference), timeout=90)
    deadline = time.monotonic() + 60
    while "Den er sendt til SPARK" not in (status := texts(bot.say(sender, f"status på {reference}"))):
        assert time.monotonic() < deadline, status
        time.sleep(1.0)
    assert "Kvitteringen er sendt på e-mail" in status or "Kvitteringen på e-mail er ikke sendt endnu" in status


def test_show_and_redeliver_on_the_command_line(delivering):
    bot, intake, _ = delivering
    sender = "e2e-recipient-cli"
    _, record = file(bot, "spark", sender)
    reference = record["reference"]
    intake.wait_for(lambda i: i.accepted(reference), timeout=90)
    env = {
        **os.environ,
        "APPLICATIONS_DB": str(bot.stack.run_dir / "applications.db"),
        **intake_settings(intake, CONFIGURED),
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", "applications", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    deadline = time.monotonic() + 60
    while "Levering til modtageren (webhook): sendt" not in (shown := run("show", reference)).stderr:
        assert time.monotonic() < deadline, shown.stderr
        time.sleep(0.5)
    assert "Modtager: spark; leveres af denne installation: webhook og e-mail" in shown.stderr
    again = run("redeliver", reference)
    assert again.returncode == 0, again.stderr
    intake.wait_for(lambda i: len(i.accepted(reference)) == 2, timeout=60)
    assert {a.key for a in intake.tried(reference)} == {reference}
