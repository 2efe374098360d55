"""Property-based fuzz of the REST webhook on the real stack: random Unicode, control characters,
very long and malformed payloads. No 5xx, no crash, nothing filed.

Bounded: 150 examples per property, each with a generous 30 s deadline (the machine is noisy;
a reply takes well under a second); the properties take some 10-30 s once the stack is up.
"""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.e2e

FUZZ = settings(max_examples=150, deadline=timedelta(seconds=30), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

ANY_CHAR = st.characters(exclude_categories=("Cs",))
CONTROL = st.sampled_from(["\x00", "\x07", "\x1b", "\r\n", "\t", "\u200b", "\u202e", "\ufeff", "\x85", "\u2028"])
HOSTILE = st.sampled_from(["<script>alert(1)</script>", "'; DROP TABLE events;--", "/start_application",
                           "/inform{\"sector\": \"kommunal\"}", "/restart", "/faq/hvad_er_spark",
                           "/inform{not json", "/{}", "ja", "${jndi:ldap://x}", "glem mig"])
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
    request = urllib.request.Request(f"{bot.stack.rasa_url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


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


@FUZZ
@given(message=MESSAGE)
def test_any_message_text_gets_an_answer(running_bot, filed_before, message):
    status, body = post(running_bot, json.dumps({"sender": f"fuzz-{next(_senders)}",
                                                 "message": message}).encode())
    assert status == 200, body[:300]
    assert isinstance(json.loads(body), list)


@FUZZ
@given(payload=st.one_of(
    JSON_VALUE.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"sender": JSON_VALUE, "message": JSON_VALUE}).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"sender": st.text(ANY_CHAR, max_size=600), "message": MESSAGE},
                          optional={"metadata": JSON_VALUE, "input_channel": JSON_VALUE})
    .map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=2000),
    st.text(ANY_CHAR, max_size=200).map(lambda t: ('{"sender": "fuzz", "message": "' + t).encode()),
))
def test_malformed_payloads_never_cause_a_server_error(running_bot, filed_before, payload):
    status, body = post(running_bot, payload)
    assert status < 500, (status, payload[:200], body[:300])


@FUZZ
@given(message=MESSAGE, content_type=st.sampled_from(["text/plain", "application/x-www-form-urlencoded",
                                                      "application/json; charset=latin-1", ""]))
def test_other_content_types_never_cause_a_server_error(running_bot, filed_before, message, content_type):
    status, body = post(running_bot, json.dumps({"sender": "fuzz-ct", "message": message}).encode(),
                        content_type)
    assert status < 500, (status, body[:300])
