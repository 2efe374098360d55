"""One request never stops the service, and no client reaches another's conversation (issue: reliability).

On the real stack (SQLite). The same hostile sender ids on PostgreSQL: tests/scale/test_hostile_input_postgres.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.domain.messages import EMPTY_MESSAGE as EMPTY_REPLY
from bot.domain.messages import TECHNICAL_FAILURE as FAILURE_REPLY
from tests.conftest import socket_session, texts

pytestmark = pytest.mark.e2e

PERSONAL = "Xanthippe Quorndahl"


def post(bot, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"{bot.stack.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def assert_alive(bot) -> None:
    for process in bot.stack.processes:
        assert process.poll() is None, f"{process.args[:3]} stopped"
    status, body = post(bot, json.dumps({"sender": "isolation-alive", "message": "Hvad er SPARK?"}).encode())
    assert status == 200 and "SPARK" in body.decode()


@pytest.mark.parametrize("sender", ["x\udc00", "nul\x00", "esc\x1b[31m", "\udc00" * 10, "x" * 5000])
def test_a_sender_id_that_would_break_the_store_gets_400_and_the_service_stays_up(running_bot, sender):
    # json.dumps writes a lone surrogate as \udc00, which any web page can send as text/plain.
    for content_type in ("application/json", "text/plain"):
        status, body = post(running_bot, json.dumps({"sender": sender, "message": "Hej"}).encode(), content_type)
        assert status == 400 and b"sender" in body, body
    assert_alive(running_bot)


def test_deeply_nested_json_gets_400_not_a_server_error(running_bot):
    nested = b'{"sender": "deep", "message": "Hej", "metadata": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    status, body = post(running_bot, nested)
    assert status == 400 and b"nests" in body
    assert_alive(running_bot)


def test_a_message_with_a_lone_surrogate_or_control_characters_is_answered_normally(running_bot):
    body_sent = json.dumps({"sender": "isolation-text", "message": "Hvad er\udc00 SPARK?\x00"}).encode()
    status, body = post(running_bot, body_sent)
    assert status == 200
    answer = texts(json.loads(body))
    assert "SPARK" in answer and FAILURE_REPLY not in answer
    stored = [e["text"] for e in running_bot.tracker("isolation-text")["events"] if e["event"] == "user"]
    assert stored == ["Hvad er\ufffd SPARK?"]


@pytest.mark.parametrize("message", ["", "   ", "\n\t \x00"])
def test_an_empty_message_gets_a_polite_answer_and_nothing_is_stored(running_bot, message):
    sender = f"isolation-empty-{len(message)}"
    status, body = post(running_bot, json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200 and texts(json.loads(body)) == EMPTY_REPLY
    assert not [e for e in running_bot.tracker(sender)["events"] if e["event"] == "user"]


def test_without_a_sender_there_is_no_conversation(running_bot):
    first = post(running_bot, json.dumps({"message": f"Jeg hedder {PERSONAL} og er TR i Vejle"}).encode())
    second = post(running_bot, json.dumps({"message": "hvad har jeg skrevet?"}).encode())
    assert first[0] == second[0] == 400 and b"sender" in first[1]
    assert PERSONAL.encode() not in second[1]
    # Rasa's REST channel put every such client into the conversation `default`.
    for events in (running_bot.tracker("default")["events"], running_bot.tracker("None")["events"]):
        assert not any(PERSONAL in (e.get("text") or "") for e in events)


def test_a_rest_client_cannot_reach_a_web_chat_conversation(running_bot):
    import socketio

    client = socketio.SimpleClient()
    client.connect(running_bot.stack.rasa_url, transports=["polling"], socketio_path="socket.io")
    try:
        session_id = socket_session(client)["session_id"]
        client.emit("user_uttered", {"message": "Jeg er TR på et plejecenter i Vejle"})
        client.receive(timeout=60)
    finally:
        client.disconnect()
    webchat_slots = running_bot.tracker(session_id, "socketio")["slots"]
    assert webchat_slots["municipality"] == "Vejle"

    # The REST client knows the session id and even claims to be the web chat.
    status, body = post(
        running_bot,
        json.dumps({"sender": session_id, "message": "skift kommune til Odense", "input_channel": "socketio"}).encode(),
    )
    assert status == 200 and "Vejle" not in body.decode()
    assert running_bot.tracker(session_id, "socketio")["slots"]["municipality"] == "Vejle"
    rest = running_bot.tracker(session_id, "rest")
    assert rest["latest_input_channel"] == "rest" and rest["slots"]["municipality"] != "Vejle"


def test_a_rest_client_cannot_reach_a_slack_users_conversation(running_bot, slack_api):
    from tests.fakes.slack import Workspace

    slack = Workspace(running_bot, slack_api)
    user, channel = slack.new_user()
    slack.say(user, channel, "Jeg er TR på et plejecenter i Vejle")
    assert running_bot.tracker(user, "slack")["slots"]["municipality"] == "Vejle"
    mark = slack_api.mark()

    status, body = post(
        running_bot,
        json.dumps(
            {"sender": user, "message": "glem mig", "input_channel": "slack", "metadata": {"out_channel": channel}}
        ).encode(),
    )
    assert status == 200
    # The Slack conversation is untouched, nothing was posted to the Slack user, and the REST
    # conversation (rest:<user id>) is a conversation of its own, stored as REST's.
    assert running_bot.tracker(user, "slack")["slots"]["municipality"] == "Vejle"
    assert slack_api.posts(mark, channel) == []
    status, body = post(
        running_bot, json.dumps({"sender": user, "message": "Hvad er SPARK?", "input_channel": "slack"}).encode()
    )
    rest = running_bot.tracker(user, "rest")
    assert rest["latest_input_channel"] == "rest" and rest["slots"]["municipality"] is None
    stored = [e for e in rest["events"] if e["event"] == "user"]
    # Rasa adds its model id; nothing of the client's metadata is stored.
    assert stored and all("out_channel" not in (e.get("metadata") or {}) for e in stored)
