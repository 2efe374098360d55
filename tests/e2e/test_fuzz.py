"""Property-based fuzz of every public endpoint on the real stack: the REST webhook, the web chat's
socket, the Slack webhook (signed, so the fuzz gets past the signature) and the pages. Random
Unicode with lone surrogates, NUL and other control characters, deep nesting, huge metadata,
malformed payloads. No 5xx, every process alive after every case, nothing filed.

Bounded: 150 examples per REST property (50 for the others), each with a generous 30 s deadline
(the machine is noisy; a reply takes well under a second). The same hostile sender ids against
PostgreSQL: tests/scale/test_hostile_input_postgres.py.
"""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.server.stack import REQUEST_MAX_SIZE
from tests.conftest import socket_session

pytestmark = pytest.mark.e2e

FUZZ = settings(
    max_examples=150,
    deadline=timedelta(seconds=30),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Every code point, lone surrogates included: JSON carries them as \\udXXX escapes, and one such
# sender id once stopped the whole service (SQLite's driver raised, Rasa called sys.exit).
ANY_CHAR = st.one_of(st.characters(exclude_categories=()), st.characters(categories=["Cs"]))
CONTROL = st.sampled_from(["\x00", "\x07", "\x1b", "\r\n", "\t", "\u200b", "\u202e", "\ufeff", "\x85", "\u2028"])
HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE events;--",
        "/start_application",
        '/inform{"sector": "kommunal"}',
        "/restart",
        "/faq/hvad_er_spark",
        "/inform{not json",
        "/{}",
        "ja",
        "${jndi:ldap://x}",
        "glem mig",
    ]
)
MESSAGE = st.one_of(
    st.text(ANY_CHAR, max_size=400),
    st.lists(st.one_of(st.text(ANY_CHAR, max_size=30), CONTROL, HOSTILE), max_size=20).map("".join),
    st.integers(1990, 2010).map(lambda n: "æ" * n),  # both sides of MAX_MESSAGE_CHARS
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(ANY_CHAR, max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
_senders = itertools.count()


def post(bot, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"{bot.stack.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except urllib.error.URLError as error:
        # A body over the size limit is refused (413) from its headers and the connection closed;
        # while urllib is still sending the rest, that is a broken pipe or a reset instead.
        if len(body) > REQUEST_MAX_SIZE and isinstance(error.reason, (BrokenPipeError, ConnectionResetError)):
            return 413, b""
        raise


@pytest.fixture(scope="module")
def filed_before(running_bot):
    count = len(running_bot.export())
    yield count
    # After every property: the servers are up and the fuzz filed nothing.
    with urllib.request.urlopen(f"{running_bot.stack.rasa_url}/", timeout=30) as response:
        assert response.status == 200
    with urllib.request.urlopen(f"http://127.0.0.1:{running_bot.stack.action_port}/health", timeout=30) as response:
        assert response.status == 200
    assert len(running_bot.export()) == count, "the fuzz filed an application"


def assert_alive(bot) -> None:
    for process in bot.stack.processes:
        assert process.poll() is None, f"{process.args[:3]} stopped"


@FUZZ
@given(message=MESSAGE)
def test_any_message_text_gets_an_answer(running_bot, filed_before, message):
    status, body = post(running_bot, json.dumps({"sender": f"fuzz-{next(_senders)}", "message": message}).encode())
    assert status == 200, body[:300]
    assert isinstance(json.loads(body), list)
    assert_alive(running_bot)


@FUZZ
@given(
    sender=st.text(ANY_CHAR, max_size=300),
    depth=st.integers(0, 3000),
    metadata=st.one_of(st.none(), st.integers(0, 2_000_000).map(lambda n: {"x": "y" * n})),
)
def test_any_sender_nesting_or_metadata_is_a_message_or_a_4xx(running_bot, filed_before, sender, depth, metadata):
    payload = {"sender": sender, "message": "Hej"}
    if metadata is not None:
        payload["metadata"] = metadata
    body = json.dumps(payload).encode()
    if depth:
        body = body[:-1] + b', "extra": ' + b"[" * depth + b"]" * depth + b"}"
    status, answer = post(running_bot, body)
    assert status < 500, (status, answer[:300])
    assert_alive(running_bot)


@FUZZ
@given(
    payload=st.one_of(
        JSON_VALUE.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries({"sender": JSON_VALUE, "message": JSON_VALUE}).map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {"sender": st.text(ANY_CHAR, max_size=600), "message": MESSAGE},
            optional={"metadata": JSON_VALUE, "input_channel": JSON_VALUE},
        ).map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=2000),
        st.text(ANY_CHAR, max_size=200).map(lambda t: ('{"sender": "fuzz", "message": "' + t).encode()),
    )
)
def test_malformed_payloads_never_cause_a_server_error(running_bot, filed_before, payload):
    status, body = post(running_bot, payload)
    assert status < 500, (status, payload[:200], body[:300])
    assert_alive(running_bot)


@FUZZ
@given(
    message=MESSAGE,
    content_type=st.sampled_from(
        ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", ""]
    ),
)
def test_other_content_types_never_cause_a_server_error(running_bot, filed_before, message, content_type):
    status, body = post(running_bot, json.dumps({"sender": "fuzz-ct", "message": message}).encode(), content_type)
    assert status < 500, (status, body[:300])


# -- the web chat's socket -----------------------------------------------------------------
SMALL = settings(FUZZ, max_examples=50)


@pytest.fixture(scope="module")
def socket_client(running_bot):
    import socketio

    client = socketio.SimpleClient()
    client.connect(running_bot.stack.rasa_url, transports=["polling"], socketio_path="socket.io")
    socket_session(client)
    yield client
    client.disconnect()


@SMALL
@given(
    event=st.sampled_from(["session_request", "user_uttered", "other"]),
    data=st.one_of(
        JSON_VALUE,
        st.fixed_dictionaries({"message": JSON_VALUE, "session_id": JSON_VALUE}),
        st.fixed_dictionaries({"message": st.text(ANY_CHAR, max_size=300)}),
    ),
)
def test_any_socket_event_leaves_the_server_up(running_bot, filed_before, socket_client, event, data):
    import socketio

    socket_client.emit(event, data)
    try:  # whatever comes back (a reply, a session): drain it
        while True:
            socket_client.receive(timeout=0.3)
    except socketio.exceptions.TimeoutError:
        pass
    assert_alive(running_bot)
    with urllib.request.urlopen(f"{running_bot.stack.rasa_url}/socket.io/?EIO=4&transport=polling", timeout=30) as r:
        assert r.status == 200


# -- the Slack webhook (signed: past the signature check) -------------------------------------
@SMALL
@given(
    user=st.one_of(st.text(ANY_CHAR, max_size=20), JSON_VALUE),
    text=st.one_of(MESSAGE, JSON_VALUE),
    channel=st.one_of(st.just("D0FUZZ"), st.text(ANY_CHAR, max_size=12)),
    depth=st.integers(0, 3000),
)
def test_any_signed_slack_event_is_handled_or_refused_with_a_4xx(
    running_bot, filed_before, slack_api, user, text, channel, depth
):
    from tests.fakes.slack import SlackSender

    sender = SlackSender(f"{running_bot.stack.rasa_url}/webhooks/slack/webhook")
    envelope = sender.event_envelope(
        {"type": "message", "user": user, "text": text, "channel": channel, "channel_type": "im", "ts": "1.0"}
    )
    body = json.dumps(envelope).encode()
    if depth:
        body = body[:-1] + b', "extra": ' + b"[" * depth + b"]" * depth + b"}"
    status, answer = sender.post(body, "application/json")
    assert status < 500, (status, answer[:300])
    form = urllib.parse.urlencode({"payload": body.decode("utf-8", "surrogatepass")[:5000]}).encode()
    assert sender.post(form, "application/x-www-form-urlencoded")[0] < 500
    assert_alive(running_bot)


# -- the pages ----------------------------------------------------------------------------------
@SMALL
@given(
    path=st.sampled_from(["/chat/", "/privatliv", "/webhooks/rest/", "/webhooks/socketio/", "/"]),
    tail=st.text(ANY_CHAR, max_size=80),
)
def test_any_page_address_is_answered_without_a_server_error(running_bot, filed_before, path, tail):
    url = running_bot.stack.rasa_url + path + urllib.parse.quote(tail.encode("utf-8", "surrogatepass"), safe="")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status < 500, (status, url)
    assert_alive(running_bot)
