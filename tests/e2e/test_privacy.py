"""Privacy and security on the real stack: forgetting, deletion, the notice, the HTTP API, loopback,
input limits, literal storage of hostile text, and no personal data in any log.

Every conversation here uses the personal data in MARKERS; the last test scans every file
the stack wrote for them, so it must stay last in this module.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.channels.guard import conversation_id
from bot.domain import messages
from bot.records import conversations as privacy
from tests.conftest import ROOT, texts

pytestmark = pytest.mark.e2e

LEADER = "Xanthippe Quorndahl"
LEADER_EMAIL = "xanthippe.quorndahl@vejle.dk"
LEADER_PHONE = "31 41 59 26"
REP = "Zebulon O'Vexley"
REP_EMAIL = "zebulon.o'vexley@vejle.dk"  # a quote, as SQL injections have
REP_PHONE = "+45 27 18 28 18"
# Hostile text in the free-text fields: it must be stored and shown literally.
WORKPLACE = "<script>alert(\"x\")</script> & Plejehjem 'Solgårdskvist'; DROP TABLE applications;--"
PROBLEM = "Vold fra borgerne på kvasirkløver <b>hver dag</b> & trusler"
LONG_MARKER = "brobdingnagsk"
MARKERS = (
    "Xanthippe",
    "Quorndahl",
    "xanthippe.quorndahl",
    "Zebulon",
    "Vexley",
    "o'vexley",
    "31415926",
    "31 41 59 26",
    "27182818",
    "27 18 28 18",
    "Solgårdskvist",
    "kvasirkløver",
    LONG_MARKER,
)

ANSWERS = {
    "sector": "kommunal",
    "municipality": "Vejle",
    "role": "jeg er tillidsrepræsentant",
    "application_type": "kun vores egen arbejdsplads",
    "applicant_body": "det er vores TRIO",
    "problem_description": PROBLEM,
    "theme": "ja det passer",
    "consensus": "ja, vi er enige",
    "commitments_accepted": "ja det er vi klar til",
    "workplace": WORKPLACE,
    # A script as a name is refused with an explanation (names are letters only), then the name.
    "leader_name": ["<script>alert('Quorndahl')</script>", LEADER],
    "leader_email": LEADER_EMAIL,
    "leader_phone": LEADER_PHONE,
    "rep_name": REP,
    "rep_role": "tillidsrepræsentant",
    "rep_email": REP_EMAIL,
    "rep_phone": REP_PHONE,
}


def tracker_rows(bot, sender: str) -> list[str]:
    """The stored events of one conversation, read from the tracker store's database itself."""
    engine = privacy.make_engine(privacy.tracker_store_url(bot.stack.run_dir / "endpoints.yml"))
    try:
        with engine.connect() as conn:
            return [
                row.data
                for row in conn.execute(
                    sa.text("SELECT data FROM events WHERE sender_id = :s"), {"s": conversation_id("rest", sender)}
                )
            ]
    finally:
        engine.dispose()


def requested_slot(bot, sender: str):
    return bot.tracker(sender)["slots"].get("requested_slot")


def fill_form_until(bot, sender: str, stop_at: str | None) -> list[dict]:
    """Answer whatever the form asks (ANSWERS) until it asks `stop_at` (None: the summary)."""
    replies = bot.say(sender, "Jeg er TR på et plejecenter i Vejle")
    asked: dict[str, int] = {}
    for _ in range(40):
        slot = requested_slot(bot, sender)
        if slot == (stop_at or "confirmed"):
            return replies
        assert slot in ANSWERS, f"unexpected question {slot}: {texts(replies)}"
        answers = ANSWERS[slot] if isinstance(ANSWERS[slot], list) else [ANSWERS[slot]]
        n = asked[slot] = asked.get(slot, -1) + 1
        assert n < len(answers), f"{slot} asked again after {answers[-1]!r}: {texts(replies)}"
        replies = bot.say(sender, answers[n])
        if n + 1 < len(answers):  # a refused answer: explained, nothing stored
            assert "Et navn må kun have bogstaver" in texts(replies), texts(replies)
            assert bot.tracker(sender)["slots"][slot] is None
    raise AssertionError(f"the form never asked {stop_at}")


def applications_cli(bot, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "APPLICATIONS_DB": str(bot.stack.run_dir / "applications.db")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "applications", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


# -- forgetting --------------------------------------------------------------------------


def test_glem_mig_in_the_middle_of_the_form_deletes_the_conversation(running_bot):
    sender = "privacy-forget-midform"
    running_bot.say(sender, "Hej")
    fill_form_until(running_bot, sender, "leader_phone")
    assert any(LEADER_EMAIL in row for row in tracker_rows(running_bot, sender))

    reply = texts(running_bot.say(sender, "glem mig"))

    assert "slettet" in reply and "ikke registreret nogen ansøgning" in reply
    assert tracker_rows(running_bot, sender) == [], "every stored event of the conversation is gone"
    assert not running_bot.records_of(sender)
    # The next message starts a new, empty conversation.
    running_bot.say(sender, "hej")
    slots = running_bot.tracker(sender)["slots"]
    assert slots["leader_name"] is None and slots["sector"] is None and slots["requested_slot"] is None
    assert not any(LEADER in row or LEADER_EMAIL in row for row in tracker_rows(running_bot, sender))


def test_filed_application_stores_hostile_text_literally_and_forget_keeps_the_record(running_bot):
    sender = "privacy-filed"
    summary = texts(fill_form_until(running_bot, sender, None))
    # REST replies are plain text in JSON: the user's text comes back exactly as typed.
    assert WORKPLACE in summary and PROBLEM in summary and REP in summary
    slots = running_bot.tracker(sender)["slots"]
    assert slots["workplace"] == WORKPLACE and slots["problem_description"] == PROBLEM

    filed = texts(running_bot.say(sender, "ja, send den"))
    record = running_bot.records_of(sender)[0]
    reference = record["reference"]
    assert reference in filed
    assert record["workplace"] == WORKPLACE and record["problem_description"] == PROBLEM
    assert record["contacts"]["employee_representative"]["name"] == REP
    assert record["contacts"]["employee_representative"]["email"] == REP_EMAIL

    reply = texts(running_bot.say(sender, "slet mine oplysninger"))

    assert "slettet" in reply and reference in reply and "er ikke slettet" in reply and "/privatliv" in reply
    assert tracker_rows(running_bot, sender) == []
    assert [r["reference"] for r in running_bot.records_of(sender)] == [reference]

    deleted = applications_cli(running_bot, "delete", reference)
    assert deleted.returncode == 0, deleted.stderr
    assert not running_bot.records_of(sender)
    assert applications_cli(running_bot, "delete", reference).returncode == 1


# -- the notice --------------------------------------------------------------------------


def test_greeting_links_to_a_notice_page_the_server_serves(running_bot):
    greeting = texts(running_bot.say("privacy-greeting", "Hej"))
    assert messages.PRIVACY_PAGE in greeting and "»glem mig«" in greeting

    with urllib.request.urlopen(running_bot.stack.rasa_url + messages.PRIVACY_PAGE, timeout=30) as page:
        body = page.read().decode("utf-8")
        assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    for heading in ("Hvad gemmer vi?", "Hvorfor?", "Hvor længe?", "Sådan får du dine oplysninger slettet"):
        assert heading in body
    assert f"{privacy.DEFAULT_RETENTION_DAYS} dage" in body


def test_privacy_question_in_the_middle_of_the_form_is_answered_and_the_form_goes_on(running_bot):
    sender = "privacy-question"
    fill_form_until(running_bot, sender, "workplace")

    reply = texts(running_bot.say(sender, "hvad gemmer I om mig?"))

    assert "Sådan passer jeg på dine oplysninger" in reply
    slots = running_bot.tracker(sender)["slots"]
    assert slots["requested_slot"] == "workplace" and slots["workplace"] is None


# -- the servers ---------------------------------------------------------------------------


def _status(url: str, method: str = "GET", data: bytes | None = None) -> int:
    request = urllib.request.Request(url, method=method, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_http_api_refuses_requests_without_the_token(running_bot):
    base = running_bot.stack.rasa_url
    running_bot.say("privacy-api", "Hej")
    for url in (
        f"{base}/conversations/privacy-api/tracker",
        f"{base}/status",
        f"{base}/domain",
        f"{base}/conversations/privacy-api/tracker?token=wrong-token",
    ):
        assert _status(url) in (401, 403), url
    assert _status(f"{base}/model/parse", "POST", b'{"text": "hej"}') in (401, 403)
    assert _status(f"{base}/conversations/privacy-api/tracker?token={running_bot.stack.api_token}") == 200


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port`, from the kernel's tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_action_server_and_rasa_listen_on_loopback_only(running_bot):
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
    for port in (running_bot.stack.action_port, running_bot.stack.rasa_port):
        addresses = _listening_addresses(port)
        assert addresses and addresses <= loopback, (port, addresses)


def _headers(port: int, method: str, path: str, origin: str | None) -> dict[str, str]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"}
        if origin:
            headers.update({"Origin": origin, "Access-Control-Request-Method": "POST"})
        body = json.dumps({"sender": "privacy-cors", "message": "Hej"}).encode() if method == "POST" else None
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def test_no_response_lets_a_browser_send_credentials_or_read_it_cross_origin(running_bot):
    port = running_bot.stack.rasa_port
    page = f"http://127.0.0.1:{port}"
    for method, path in (
        ("GET", "/"),
        ("GET", "/chat/"),
        ("GET", messages.PRIVACY_PAGE),
        ("POST", "/webhooks/rest/webhook"),
        ("OPTIONS", "/webhooks/rest/webhook"),
        ("GET", "/socket.io/?EIO=4&transport=polling"),
    ):
        for origin in (None, "https://evil.example", page):
            headers = _headers(port, method, path, origin)
            assert "access-control-allow-credentials" not in headers, (method, path, origin)
            if "socket.io" in path and origin == page:
                assert headers["access-control-allow-origin"] == page  # the socket's own origin check
            else:
                assert "access-control-allow-origin" not in headers, (method, path, origin)


# -- input limits --------------------------------------------------------------------------


def test_over_long_message_is_answered_politely_and_not_processed(running_bot):
    sender = "privacy-too-long"
    text = ("Jeg er TR i Vejle " + LONG_MARKER + " ") * 200
    assert len(text) > 2000

    reply = texts(running_bot.say(sender, text))

    assert "for lang" in reply and "Intet af det, du skrev, er gemt" in reply
    assert tracker_rows(running_bot, sender) == [], "Rasa never saw the message"
    tracker = running_bot.tracker(sender)
    assert not [e for e in tracker["events"] if e["event"] == "user"]
    assert all(value is None for name, value in tracker["slots"].items() if name not in ("session_started_metadata",))


def test_five_megabyte_body_is_refused_with_413_and_the_server_stays_up(running_bot):
    body = json.dumps({"sender": "privacy-huge", "message": "x" * (5 * 1024 * 1024)}).encode()
    head = (
        f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", running_bot.stack.rasa_port), timeout=30) as conn:
        try:
            conn.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was read: that is the point
        status_line = conn.recv(200).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line + b" ", status_line

    assert "Arbejdsmiljøguiden" in texts(running_bot.say("privacy-after-huge", "Hej"))
    assert tracker_rows(running_bot, "privacy-huge") == []


# -- logs (keep last) ------------------------------------------------------------------------


def test_no_personal_data_or_token_in_any_log_the_stack_wrote(running_bot):
    # One more whole conversation, with a correction and a validation error, so the logs
    # have seen the personal data in every kind of turn.
    sender = "privacy-logs"
    fill_form_until(running_bot, sender, "leader_email")
    running_bot.conversation(
        sender, ["xanthippe.quorndahl@vejle", LEADER_EMAIL, LEADER_PHONE, "lederens navn er forkert", LEADER]
    )

    run_dir = running_bot.stack.run_dir
    databases = (".db", ".db-journal", ".db-wal", ".db-shm")
    scanned = [p for p in sorted(run_dir.rglob("*")) if p.is_file() and not p.name.endswith(databases)]
    assert {"rasa.log", "actions.log", "rasa-internal.log"} <= {p.name for p in scanned}
    leaks = []
    for path in scanned:
        content = path.read_text(encoding="utf-8", errors="replace")
        for marker in (*MARKERS, running_bot.stack.api_token):
            if marker.lower() in content.lower():
                leaks.append(f"{path.name}: {marker}")
    assert not leaks, leaks
