"""The rate limit on a real stack of its own, with small limits (bot/channels/rate_limit.py).

Every client here is on loopback: 127.0.0.1, and 127.0.0.2 for "another client" (any 127.x
address reaches a server on 127.0.0.1). Each test first waits one window, so that it starts
with full buckets whatever the test before it sent.
"""

from __future__ import annotations

import http.client
import json
import os
import time
from typing import Iterator, Optional

import pytest

from bot.domain import messages
from tests.conftest import ROOT, RunningBot, socket_session, texts, wait_until

pytestmark = pytest.mark.e2e

WINDOW = 3.0
LIMITS = {
    "RATE_LIMIT_WINDOW_SECONDS": str(WINDOW),
    "RATE_LIMIT_CLIENT_MESSAGES": "8",
    "RATE_LIMIT_CONVERSATION_MESSAGES": "3",
    "RATE_LIMIT_CLIENT_PAGES": "4",
}
EMPTY = "   "  # answered by the guard at once, without Rasa: the requests go out faster than tokens come back


@pytest.fixture(scope="module")
def limited_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    from bot.server.stack import Stack, free_port

    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.fail("no trained model: run the tests with `make test`, which trains first")
    stack = Stack(
        run_dir=tmp_path_factory.mktemp("rate-limited"),
        rasa_port=free_port(),
        action_port=free_port(),
        api_token="limit-token-" + os.urandom(6).hex(),
        env=LIMITS,
    )
    stack.start()
    try:
        yield RunningBot(stack)
    finally:
        stack.stop()


@pytest.fixture
def bot(limited_bot: RunningBot) -> RunningBot:
    time.sleep(WINDOW)  # full buckets
    return limited_bot


def request(
    bot: RunningBot, method: str, path: str, body: Optional[dict] = None, client: str = "127.0.0.1"
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", bot.stack.rasa_port, timeout=60, source_address=(client, 0))
    try:
        connection.request(
            method,
            path,
            body=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


def post(bot: RunningBot, sender: str, text: str = EMPTY, client: str = "127.0.0.1") -> tuple[int, dict, bytes]:
    return request(bot, "POST", "/webhooks/rest/webhook", {"sender": sender, "message": text}, client)


def assert_refused_politely(status: int, headers: dict, body: bytes, reason: str) -> None:
    assert status == 429, (status, body)
    if headers["content-type"].startswith("application/json"):  # REST: the shape of its 400 answers
        assert json.loads(body) == {"error": reason}
    else:
        assert headers["content-type"].startswith("text/plain") and body.decode("utf-8") == reason
    assert 1 <= int(headers["retry-after"]) <= WINDOW


def test_a_conversation_over_its_limit_gets_429_with_a_danish_reason_and_recovers_after_the_window(bot):
    for _ in range(3):
        assert post(bot, "limit-conversation")[0] == 200
    status, headers, body = post(bot, "limit-conversation")
    assert_refused_politely(status, headers, body, messages.RATE_LIMITED_MESSAGE)
    assert post(bot, "limit-other-conversation")[0] == 200, "the client itself is not over its limit"

    time.sleep(WINDOW)
    status, _, body = post(bot, "limit-conversation", "Hvad er SPARK?")
    assert status == 200 and "Samarbejde om Psykisk ARbejdsmiljø" in texts(json.loads(body))


def test_a_client_over_its_limit_gets_429_whatever_conversation_and_another_client_does_not(bot):
    for n in range(8):
        assert post(bot, f"limit-client-{n}")[0] == 200
    status, headers, body = post(bot, "limit-client-new")
    assert_refused_politely(status, headers, body, messages.RATE_LIMITED_MESSAGE)
    assert post(bot, "limit-client-new", client="127.0.0.2")[0] == 200

    time.sleep(WINDOW)
    assert post(bot, "limit-client-new")[0] == 200


def test_the_chat_page_and_the_privacy_page_over_the_limit_get_429_in_danish(bot):
    for path in ("/chat/", "/chat/chat.js", "/chat/chat.css", "/privatliv"):
        assert request(bot, "GET", path)[0] == 200, path
    for path in ("/chat/", "/privatliv"):
        status, headers, body = request(bot, "GET", path)
        assert_refused_politely(status, headers, body, messages.RATE_LIMITED_REQUEST)
    assert request(bot, "GET", "/chat/", client="127.0.0.2")[0] == 200

    time.sleep(WINDOW)
    assert request(bot, "GET", "/privatliv")[0] == 200


def test_the_web_chat_over_its_limit_gets_a_bot_message_and_nothing_reaches_rasa(bot):
    import socketio

    client = socketio.SimpleClient()
    client.connect(bot.stack.rasa_url, transports=["polling"], socketio_path="socket.io")
    try:
        session_id = socket_session(client)["session_id"]
        replies = []
        for _ in range(4):  # three for the conversation, then one too many
            client.emit("user_uttered", {"message": EMPTY})
            replies.append(client.receive(timeout=30))
        assert [event for event, _ in replies] == ["bot_uttered"] * 4
        assert [reply["text"] for _, reply in replies] == [messages.EMPTY_MESSAGE] * 3 + [messages.RATE_LIMITED_MESSAGE]

        client.emit("user_uttered", {"message": "Hvad er SPARK? (for tidligt)"})
        assert client.receive(timeout=30)[1]["text"] == messages.RATE_LIMITED_MESSAGE
        time.sleep(WINDOW)
        client.emit("user_uttered", {"message": "Hvad er SPARK?"})
        event, reply = client.receive(timeout=60)
        assert event == "bot_uttered" and "Samarbejde om Psykisk ARbejdsmiljø" in reply["text"]
    finally:
        client.disconnect()

    def said() -> list[str]:
        return [e["text"] for e in bot.tracker(session_id, "socketio")["events"] if e["event"] == "user"]

    # The answer reaches the socket before the turn's last actions have run and the turn is stored.
    wait_until(lambda: said() != [], what="the turn is stored")
    assert said() == ["Hvad er SPARK?"]
